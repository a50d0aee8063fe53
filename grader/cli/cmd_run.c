/* SPDX-License-Identifier: MIT */
/* `grader run`: grade one submission by hand (docs/grading.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "session.h"

static const char help[] =
        "usage: grader run --problem DIR [--language L] [--json] [OPTIONS] SUBMISSION...\n"
        "\n"
        "Compile the submission's files and judge them against every test of the problem\n"
        "package, exactly as the service does. Prints a line per test as it finishes, then the\n"
        "verdict; with --json, only the result object (docs/grading.md).\n"
        "\n"
        "  --problem DIR          the problem package (Kattis/ICPC format)\n"
        "  --language L           the language id (default: guessed from the first file's\n"
        "                         extension; see 'grader languages')\n"
        "  --json                 print the result JSON instead of the progress and summary\n"
        "  --stop-at-first-failure  stop at the first test that is not accepted\n"
        "  --languages FILE       another language table\n"
        "  -h, --help             show this help\n"
        "\n"
        "Exit status: 0 for AC, 1 for any other verdict, 2 for usage or internal error.\n";

struct progress {
        bool tty;
        bool quiet;
        const struct grd_problem *p;
};

static void human_size(uint64_t b, char *buf, size_t n)
{
        if (b >= (1u << 20))
                snprintf(buf, n, "%.1f MiB", (double)b / (1 << 20));
        else
                snprintf(buf, n, "%.0f KiB", (double)b / 1024);
}

static void on_compiled(void *ctx, const struct grd_result *r)
{
        struct progress *pr = ctx;
        if (pr->quiet)
                return;
        printf("compile: %s (%.2f s)\n", r->compile_status, r->compile_time);
        if (strcmp(r->compile_status, "OK") != 0 && r->compile_output && r->compile_output[0])
                printf("%s\n", r->compile_output);
        if (pr->tty && !strcmp(r->compile_status, "OK") && pr->p->n_tests)
                printf("  running %s (1/%zu)...", pr->p->tests[0].name, pr->p->n_tests);
        fflush(stdout);
}

static void on_test(void *ctx, size_t i, size_t total, const struct grd_test_result *t)
{
        struct progress *pr = ctx;
        if (pr->quiet)
                return;
        if (pr->tty)
                printf("\r\033[K");
        if (t->ran) {
                char mem[32];
                human_size(t->memory, mem, sizeof(mem));
                printf("  %-28s %-4s %7.3f s %10s", t->name, grd_verdict_name(t->verdict), t->time,
                       mem);
                if (pr->p->scoring)
                        printf("  %g pts", t->score);
                if (t->verdict != GRD_VERDICT_AC && t->message && t->message[0]) {
                        /* the first line of the message is enough here */
                        const char *nl = strchr(t->message, '\n');
                        int len = nl ? (int)(nl - t->message) : (int)strlen(t->message);
                        printf("  %.*s", len > 100 ? 100 : len, t->message);
                }
                printf("\n");
        } else {
                printf("  %-28s skipped\n", t->name);
        }
        if (pr->tty && i + 1 < total)
                printf("  running %s (%zu/%zu)...", pr->p->tests[i + 1].name, i + 2, total);
        fflush(stdout);
}

int grd_cmd_run(int argc, char **argv)
{
        enum { OPT_PROBLEM = 256, OPT_LANG, OPT_JSON, OPT_STOP, OPT_LANGS };
        static const struct option opts[] = {
                {"problem", required_argument, NULL, OPT_PROBLEM},
                {"language", required_argument, NULL, OPT_LANG},
                {"json", no_argument, NULL, OPT_JSON},
                {"stop-at-first-failure", no_argument, NULL, OPT_STOP},
                {"languages", required_argument, NULL, OPT_LANGS},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        const char *problem_dir = NULL, *lang_id = NULL, *langs_path = NULL;
        bool json = false, stop = false;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case OPT_PROBLEM:
                        problem_dir = optarg;
                        break;
                case OPT_LANG:
                        lang_id = optarg;
                        break;
                case OPT_JSON:
                        json = true;
                        break;
                case OPT_STOP:
                        stop = true;
                        break;
                case OPT_LANGS:
                        langs_path = optarg;
                        break;
                case 'h':
                        fputs(help, stdout);
                        return GRD_EXIT_OK;
                default:
                        fputs(help, stderr);
                        return GRD_EXIT_USAGE;
                }
        }
        if (!problem_dir)
                return grd_error("run: --problem DIR is required (see 'grader run --help')");
        if (optind >= argc)
                return grd_error("run: no submission files given");

        struct grd_session l;
        if (grd_session_init(&l, langs_path) != 0)
                return GRD_EXIT_USAGE;
        int rc = GRD_EXIT_USAGE;
        struct grd_problem *p = NULL;
        struct grd_files files = {0};
        struct grd_validator v = {0};
        struct grd_result res = {0};
        char err[1024];
        const struct grd_language *lang = lang_id ? grd_language_find(l.langs, lang_id)
                                                  : grd_language_guess(l.langs, argv[optind]);
        if (!lang) {
                if (lang_id)
                        grd_error("run: unknown language '%s' (see 'grader languages')", lang_id);
                else
                        grd_error("run: cannot tell the language of '%s' from its extension; "
                                  "use --language",
                                  argv[optind]);
                goto out;
        }
        const char *missing = grd_language_missing(lang);
        if (missing) {
                grd_error("run: language '%s' needs '%s', which is not installed", lang->id,
                          missing);
                goto out;
        }
        if (!(p = grd_session_problem(problem_dir)))
                goto out;
        if (grd_files_read(&files, argv + optind, (size_t)(argc - optind), err, sizeof(err)) < 0) {
                grd_error("run: %s", err);
                goto out;
        }
        if (grd_validator_prepare(&l.env, p, l.langs, &v, err, sizeof(err)) < 0) {
                grd_error("run: %s", err);
                goto out;
        }
        struct progress pr = {.tty = isatty(STDOUT_FILENO), .quiet = json, .p = p};
        if (!json)
                printf("problem: %s (%zu tests, %.3g s, %llu MiB)  language: %s\n", p->name,
                       p->n_tests, p->time_limit, (unsigned long long)(p->memory_limit >> 20),
                       lang->id);
        struct grd_grade_input in = {.problem = p,
                                     .lang = lang,
                                     .validator = &v,
                                     .src = files.src,
                                     .n_src = files.n,
                                     .stop_at_first_failure = stop,
                                     .on_test = on_test,
                                     .on_compiled = on_compiled,
                                     .ctx = &pr};
        int r = grd_grade(&l.env, &in, &res);
        if (r < 0) {
                grd_error("run: %s", strerror(-r));
                goto out;
        }
        if (json) {
                json_t *o = grd_result_json(&res, p, NULL);
                char *s = json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
                puts(s ? s : "{}");
                free(s);
                json_decref(o);
        } else {
                char mem[32];
                human_size(res.max_memory, mem, sizeof(mem));
                printf("verdict: %s  score: %g/%g  max time: %.3f s  max memory: %s\n",
                       grd_verdict_name(res.verdict), res.score, res.max_score, res.max_time, mem);
        }
        if (res.verdict == GRD_VERDICT_IE)
                grd_error("run: internal error (not the submission's fault): %s", res.ie_reason);
        rc = res.verdict == GRD_VERDICT_AC   ? GRD_EXIT_OK
             : res.verdict == GRD_VERDICT_IE ? GRD_EXIT_USAGE
                                             : GRD_EXIT_FAIL;
out:
        grd_result_release(&res);
        grd_validator_release(&v);
        grd_files_release(&files);
        grd_problem_free(p);
        grd_session_release(&l);
        return rc;
}
