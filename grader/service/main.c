/* SPDX-License-Identifier: MIT */
/*
 * grader-serve: the service's command line; the loop is in service.c. It is an executable of
 * its own so that libcurl, OpenSSL and libmicrohttpd are loaded only by the service:
 * `grader sandbox`, `run` and `verify` start in a fraction of the time (docs/performance.md).
 * `grader serve` execs this program. Its options and --help come from the settings table
 * (grd_settings[] in config.c): one row per setting, nothing listed twice.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "common.h"
#include "config.h"
#include "log.h"
#include "service.h"

/* Exit statuses, as every grader command has them (docs/service.md). */
enum {
        EXIT_STOPPED = 0,     /* a clean stop */
        EXIT_FAILED = 1,      /* the service could not start, or gave up (the log says why) */
        EXIT_USAGE_ERROR = 2, /* bad settings */
};

/* --help: where the description of an option starts, and the width it wraps at. */
#define HELP_INDENT 25
#define HELP_WIDTH  92

/* The options besides the settings: the config file (read first) and --help. */
#define OPT_CONFIG 'c'
#define OPT_HELP   'h'

static const char help_head[] =
        "usage: grader serve [OPTIONS]\n"
        "\n"
        "Poll a course site for submissions, grade each in the sandbox, post the verdict back,\n"
        "exactly once. Settings come from the config file, then GRADER_* variables, then\n"
        "these flags; later wins.\n"
        "\n"
        "  --config FILE          JSON config file ($GRADER_CONFIG)\n";

static const char help_tail[] =
        "  -h, --help             show this help\n"
        "\n"
        "Root paths are shown; an ordinary user gets ~/.cache/grader, ~/.local/state/grader.\n"
        "SIGTERM or SIGINT: stop claiming, finish or release the work in hand, flush the spool,\n"
        "exit 0. SIGHUP: read the token file again. Exit status 1 when the service cannot\n"
        "start or (--exit-when-idle) gives up; 2 for bad settings.\n";

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

/* Print the words of text to f from column col, wrapping at HELP_WIDTH to HELP_INDENT. */
static int print_wrapped(FILE *f, int col, const char *text)
{
        for (const char *p = text; *p;) {
                int n = (int)strcspn(p, " ");
                if (col > HELP_INDENT && col + 1 + n > HELP_WIDTH) {
                        fprintf(f, "\n%*s", HELP_INDENT, "");
                        col = HELP_INDENT;
                }
                col += fprintf(f, "%s%.*s", col > HELP_INDENT ? " " : "", n, p);
                p += n + strspn(p + n, " ");
        }
        return col;
}

/* --help from the table: "  --flag ARG   help ($VAR; default)". */
static void print_help(FILE *f)
{
        fputs(help_head, f);
        for (size_t i = 0; i < grd_settings_count; i++) {
                const struct grd_setting *s = &grd_settings[i];
                char tail[160];
                if (s->type == GRD_SETTING_BOOL && !s->arg)
                        snprintf(tail, sizeof(tail), "($%s=%s)", s->env,
                                 s->switch_value ? "true" : "false");
                else
                        snprintf(tail, sizeof(tail), "($%s%s%s)", s->env,
                                 s->shown_default ? "; " : "",
                                 s->shown_default ? s->shown_default : "");
                int col =
                        fprintf(f, "  --%s%s%s", s->flag, s->arg ? " " : "", s->arg ? s->arg : "");
                if (col > HELP_INDENT - 1) {
                        fputc('\n', f);
                        col = 0;
                }
                col += fprintf(f, "%*s", HELP_INDENT - col, "");
                col = print_wrapped(f, col, s->help);
                print_wrapped(f, col, tail);
                fputc('\n', f);
        }
        fputs(help_tail, f);
}

/* The getopt options: one per row of the table (same index), then --config and --help. */
static struct option options[64];

static void build_options(void)
{
        size_t n = 0;
        for (; n < grd_settings_count && n < CMN_ARRAY_SIZE(options) - 3; n++)
                options[n] = (struct option){grd_settings[n].flag,
                                             grd_settings[n].arg ? required_argument : no_argument,
                                             NULL, 0};
        options[n++] = (struct option){"config", required_argument, NULL, OPT_CONFIG};
        options[n++] = (struct option){"help", no_argument, NULL, OPT_HELP};
        options[n] = (struct option){NULL, 0, NULL, 0};
}

/* Apply every flag of argv (the second pass; --config and --help were handled). */
static int apply_flags(struct grd_config *cfg, int argc, char **argv)
{
        char err[1024];
        int c, index = -1;
        optind = 1;
        while ((c = getopt_long(argc, argv, "hc:", options, &index)) != -1) {
                if (c == OPT_CONFIG || c == OPT_HELP)
                        continue;
                if (c != 0 || index < 0 || (size_t)index >= grd_settings_count) {
                        print_help(stderr);
                        return EXIT_USAGE_ERROR;
                }
                const struct grd_setting *s = &grd_settings[index];
                char origin[64];
                snprintf(origin, sizeof(origin), "--%s", s->flag);
                if (grd_config_apply(cfg, s, s->arg ? optarg : NULL, origin, err, sizeof(err)) < 0)
                        return usage_error("%s", err);
                index = -1;
        }
        if (optind < argc)
                return usage_error("unexpected argument '%s'", argv[optind]);
        return 0;
}

int main(int argc, char **argv);

int main(int argc, char **argv)
{
        build_options();
        /* First pass: only --config and --help, so the file is read before the flags. */
        const char *config = getenv("GRADER_CONFIG");
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "hc:", options, NULL)) != -1) {
                if (c == OPT_CONFIG)
                        config = optarg;
                if (c == OPT_HELP) {
                        print_help(stdout);
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
        if (apply_flags(&cfg, argc, argv) != 0)
                goto out;
        if (grd_config_check(&cfg, err, sizeof(err)) < 0) {
                usage_error("%s", err);
                goto out;
        }
        grd_log_setup((enum grd_log_format)cfg.log_format, (enum grd_log_level)cfg.log_level);
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
