/* SPDX-License-Identifier: MIT */
/* `grader health`: the liveness probe of a running service, from its health file. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "common.h"
#include "config.h"

static const char health_help[] =
        "usage: grader health [--health-file FILE] [--max-age SECONDS]\n"
        "\n"
        "Exit 0 when a running 'grader serve' touched its health file within the last\n"
        "SECONDS (default 30), 1 otherwise: a liveness probe for Docker and Kubernetes.\n"
        "The file defaults to $GRADER_HEALTH_FILE, else the service's default.\n";

int grd_cmd_health(int argc, char **argv)
{
        static const struct option opts[] = {{"health-file", required_argument, NULL, 'f'},
                                             {"max-age", required_argument, NULL, 'm'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
        struct grd_config cfg;
        grd_config_defaults(&cfg);
        char err[512];
        if (grd_config_load_env(&cfg, err, sizeof(err)) < 0) {
                grd_config_release(&cfg);
                return grd_error("health: %s", err);
        }
        char file[4096];
        cmn_strlcpy(file, cfg.health_file ? cfg.health_file : "", sizeof(file));
        grd_config_release(&cfg);
        double max_age = 30;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        cmn_strlcpy(file, optarg, sizeof(file));
                        break;
                case 'm':
                        if (cmn_parse_seconds(optarg, &max_age) < 0)
                                return grd_error("health: --max-age: '%s' is not seconds", optarg);
                        break;
                case 'h':
                        fputs(health_help, stdout);
                        return GRD_EXIT_OK;
                default:
                        fputs(health_help, stderr);
                        return GRD_EXIT_USAGE;
                }
        }
        struct stat st;
        if (stat(file, &st) < 0) {
                fprintf(stderr, "unhealthy: '%s': %s\n", file, strerror(errno));
                return GRD_EXIT_FAIL;
        }
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        double age = (double)(now.tv_sec - st.st_mtim.tv_sec) +
                     (double)(now.tv_nsec - st.st_mtim.tv_nsec) / 1e9;
        if (age > max_age) {
                fprintf(stderr, "unhealthy: '%s' is %.0f s old (limit %.0f s)\n", file, age,
                        max_age);
                return GRD_EXIT_FAIL;
        }
        printf("healthy: '%s' is %.1f s old\n", file, age);
        return GRD_EXIT_OK;
}
