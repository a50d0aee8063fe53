/* SPDX-License-Identifier: MIT */
/* `grader health`: the liveness (and readiness) probe of a running service, from its health
 * file. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "common.h"
#include "config.h"

/* The health file is a small JSON object; anything bigger is not ours. */
#define HEALTH_FILE_MAX 4096

static const char health_help[] =
        "usage: grader health [--health-file FILE] [--max-age SECONDS] [--ready]\n"
        "\n"
        "Exit 0 when a running 'grader serve' touched its health file within the last\n"
        "SECONDS (default 30), 1 otherwise: a liveness probe for Docker and Kubernetes.\n"
        "It also prints whether the service is ready and, if not, why (the site is down,\n"
        "refuses the token, the service is starting or stopping); with --ready a service\n"
        "that is not ready fails too (a readiness probe).\n"
        "The file defaults to $GRADER_HEALTH_FILE, else the service's default.\n";

/* The readiness the service wrote: 1 ready, 0 not (why filled), -1 not said. */
static int read_readiness(const char *file, char *why, size_t n)
{
        char *text;
        size_t len;
        if (cmn_read_file(file, HEALTH_FILE_MAX, &text, &len) < 0)
                return -1;
        json_t *o = json_loadb(text, len, 0, NULL);
        free(text);
        json_t *ready = json_object_get(o, "ready");
        int r = json_is_boolean(ready) ? json_is_true(ready) : -1;
        const char *w = json_string_value(json_object_get(o, "why"));
        cmn_strlcpy(why, w && *w ? w : "no reason given", n);
        json_decref(o);
        return r;
}

int grd_cmd_health(int argc, char **argv)
{
        static const struct option opts[] = {{"health-file", required_argument, NULL, 'f'},
                                             {"max-age", required_argument, NULL, 'm'},
                                             {"ready", no_argument, NULL, 'r'},
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
        bool want_ready = false;
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
                case 'r':
                        want_ready = true;
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
        char why[512];
        int ready = read_readiness(file, why, sizeof(why));
        if (ready == 1)
                printf("healthy: '%s' is %.1f s old; ready\n", file, age);
        else if (ready == 0)
                printf("healthy: '%s' is %.1f s old; not ready: %s\n", file, age, why);
        else
                printf("healthy: '%s' is %.1f s old; readiness unknown\n", file, age);
        return want_ready && ready != 1 ? GRD_EXIT_FAIL : GRD_EXIT_OK;
}
