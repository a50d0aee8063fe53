/* SPDX-License-Identifier: MIT */
/*
 * grader-serve: the service's command line; the loop is in service.c. It is an executable of
 * its own so that libcurl, OpenSSL and libmicrohttpd are loaded only by the service:
 * `grader sandbox`, `run` and `verify` start in a fraction of the time (docs/performance.md).
 * `grader serve` execs this program.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "api.h"
#include "common.h"
#include "config.h"
#include "log.h"
#include "service.h"

static const char help[] =
        "usage: grader serve [OPTIONS]\n"
        "\n"
        "Poll a course site for submissions, grade each in the sandbox, post the verdict back,\n"
        "exactly once. Settings come from the config file, then GRADER_* variables, then\n"
        "these flags; later wins.\n"
        "\n"
        "  --config FILE          JSON config file ($GRADER_CONFIG)\n"
        "  --api-url URL          the site's API base URL ($GRADER_API_URL), required\n"
        "  --token-file FILE      file holding the bearer token ($GRADER_API_TOKEN_FILE), "
        "required\n"
        "  --ca-file FILE         CA bundle to verify the site ($GRADER_CA_FILE; default: system)\n"
        "  --workers N            parallel gradings; 0 = one per online CPU ($GRADER_WORKERS; 0)\n"
        "  --queues a,b           queues to claim from, in priority order ($GRADER_QUEUES;\n"
        "                         default)\n"
        "  --cache-dir DIR        problem package cache ($GRADER_CACHE_DIR; /var/cache/grader)\n"
        "  --cache-max SIZE       cache size before eviction ($GRADER_CACHE_MAX; 4G)\n"
        "  --spool-dir DIR        results not yet delivered ($GRADER_SPOOL_DIR;\n"
        "                         /var/spool/grader)\n"
        "  --work-dir DIR         scratch space of the workers ($GRADER_WORK_DIR;\n"
        "                         /var/lib/grader/work)\n"
        "  --grader-id ID         this grader's name at the site ($GRADER_ID; the host name)\n"
        "  --languages FILE       the language table ($GRADER_LANGUAGES)\n"
        "  --health-file FILE     kept fresh for 'grader health' ($GRADER_HEALTH_FILE;\n"
        "                         /run/grader/health)\n"
        "  --metrics-listen ADDR:PORT  serve /metrics, /healthz, /readyz ($GRADER_METRICS_LISTEN;\n"
        "                         off)\n"
        "  --log-format F         auto, json or text ($GRADER_LOG_FORMAT; auto: text on a\n"
        "                         terminal)\n"
        "  --claim-wait SECONDS   how long the site may hold a claim ($GRADER_CLAIM_WAIT; 10)\n"
        "  --grace-period SECONDS time to finish work after SIGTERM ($GRADER_GRACE_PERIOD; 30)\n"
        "  --default-time-limit S for packages that set none ($GRADER_DEFAULT_TIME_LIMIT; 1)\n"
        "  --no-selftest          skip the start-up self-test ($GRADER_SELFTEST=false)\n"
        "  --exit-when-idle       stop once a claim finds no work and nothing is in hand\n"
        "                         ($GRADER_EXIT_WHEN_IDLE)\n"
        "  --uid-base UID         first sandbox uid, one per slot ($GRADER_UID_BASE; 60000):\n"
        "                         graders on one kernel in different containers need\n"
        "                         different ranges, or a shared /run/grader-sandbox\n"
        "  -h, --help             show this help\n"
        "\n"
        "Root paths are shown; an ordinary user gets ~/.cache/grader, ~/.local/state/grader.\n"
        "SIGTERM or SIGINT: stop claiming, finish or release the work in hand, flush the spool,\n"
        "exit 0. Exit status 1 when the service cannot start (the log says why).\n";

/* Exit statuses, as every grader command has them (docs/service.md). */
enum {
        EXIT_STOPPED = 0,     /* a clean stop */
        EXIT_FAILED = 1,      /* the service could not start (the log says why) */
        EXIT_USAGE_ERROR = 2, /* bad settings */
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        fputs("grader: serve: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        return EXIT_USAGE_ERROR;
}

int main(int argc, char **argv);

int main(int argc, char **argv)
{
        static const struct option opts[] = {
                {"config", required_argument, NULL, 'c'},
                {"api-url", required_argument, NULL, 256},
                {"token-file", required_argument, NULL, 257},
                {"ca-file", required_argument, NULL, 258},
                {"workers", required_argument, NULL, 259},
                {"queues", required_argument, NULL, 260},
                {"cache-dir", required_argument, NULL, 261},
                {"cache-max", required_argument, NULL, 262},
                {"spool-dir", required_argument, NULL, 263},
                {"work-dir", required_argument, NULL, 264},
                {"grader-id", required_argument, NULL, 265},
                {"languages", required_argument, NULL, 266},
                {"health-file", required_argument, NULL, 267},
                {"metrics-listen", required_argument, NULL, 268},
                {"log-format", required_argument, NULL, 269},
                {"claim-wait", required_argument, NULL, 270},
                {"grace-period", required_argument, NULL, 271},
                {"default-time-limit", required_argument, NULL, 272},
                {"no-selftest", no_argument, NULL, 273},
                {"exit-when-idle", no_argument, NULL, 274},
                {"uid-base", required_argument, NULL, 275},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        static const char *const keys[] = {
                "api_url",
                "token_file",
                "ca_file",
                "workers",
                "queues",
                "cache_dir",
                "cache_max",
                "spool_dir",
                "work_dir",
                "grader_id",
                "languages",
                "health_file",
                "metrics_listen",
                "log_format",
                "claim_wait",
                "grace_period",
                "default_time_limit",
                "selftest",
                "exit_when_idle",
                "uid_base",
        };
        /* First pass: only --config and --help, so the file is read before the flags. */
        const char *config = getenv("GRADER_CONFIG");
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "hc:", opts, NULL)) != -1) {
                if (c == 'c')
                        config = optarg;
                if (c == 'h') {
                        fputs(help, stdout);
                        return EXIT_STOPPED;
                }
        }
        opterr = 1;
        struct grd_config cfg;
        grd_config_defaults(&cfg);
        char err[1024];
        int rc = EXIT_USAGE_ERROR;
        if (config && grd_config_load_file(&cfg, config, err, sizeof(err)) < 0) {
                usage_error("%s", err);
                goto out;
        }
        if (grd_config_load_env(&cfg, err, sizeof(err)) < 0) {
                usage_error("%s", err);
                goto out;
        }
        optind = 1;
        while ((c = getopt_long(argc, argv, "hc:", opts, NULL)) != -1) {
                if (c == 'c' || c == 'h')
                        continue;
                if (c < 256 || c > 275) {
                        fputs(help, stderr);
                        goto out;
                }
                const char *v = optarg;
                if (c == 273)
                        v = "false";
                else if (c == 274)
                        v = "true";
                char origin[64];
                snprintf(origin, sizeof(origin), "--%s", opts[c - 256 + 1].name);
                if (grd_config_set(&cfg, keys[c - 256], v, origin, err, sizeof(err)) < 0) {
                        usage_error("%s", err);
                        goto out;
                }
        }
        if (optind < argc) {
                usage_error("unexpected argument '%s'", argv[optind]);
                goto out;
        }
        if (grd_config_check(&cfg, err, sizeof(err)) < 0) {
                usage_error("%s", err);
                goto out;
        }
        grd_log_setup(!strcmp(cfg.log_format, "json")   ? GRD_LOG_JSON
                      : !strcmp(cfg.log_format, "text") ? GRD_LOG_TEXT
                                                        : GRD_LOG_AUTO,
                      GRD_LOG_INFO);
        if (api_global_init() < 0) {
                usage_error("libcurl failed to initialise");
                goto out;
        }
        rc = grd_service_run(&cfg) == 0 ? EXIT_STOPPED : EXIT_FAILED;
        api_global_cleanup();
out:
        grd_config_release(&cfg);
        return rc;
}
