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

#define STDERR_LINES   5    /* lines of a failing test's stderr shown under it */
#define MESSAGE_SHOWN  100  /* bytes of a test's message shown on its line */
#define STDERR_SHOWN   2048 /* bytes of stderr shown under a failing test */
#define RUN_ONLY_SHOWN 8    /* run-only tests named before "..." */

static const char help[] =
        "usage: grader run --problem DIR [--language L] [--json] [OPTIONS] SUBMISSION...\n"
        "\n"
        "Compile the submission's files and judge them against every test of the problem\n"
        "package, exactly as the service does. Prints a line per test as it finishes (and the\n"
        "last lines of a failing test's stderr), then the verdict; with --json, only the result\n"
        "object (docs/grading.md). Warnings about the package (unknown keys, unused parts) go\n"
        "to stderr; 'grader verify' refuses them.\n"
        "\n"
        "  --problem DIR          the problem package (Kattis/ICPC format, legacy or 2023-07)\n"
        "  --language L           the language id (default: guessed from the first file's\n"
        "                         extension; see 'grader languages')\n"
        "  --json                 print the result JSON instead of the progress and summary\n"
        "  --stop-at-first-failure  stop at the first test that is not accepted\n"
        "  --stderr-limit SIZE    bytes of each test's stderr kept in the result (default 64K)\n"
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
        if (strcmp(r->compile_status, "OK") != 0 && r->compile_output && r->compile_output[0]) {
                grd_term_write(stdout, r->compile_output, SIZE_MAX);
                printf("\n");
        }
        if (pr->tty && !strcmp(r->compile_status, "OK") && pr->p->n_tests)
                printf("  running %s (1/%zu)...", pr->p->tests[0].name, pr->p->n_tests);
        fflush(stdout);
}

/* The last STDERR_LINES lines of a failing test's stderr, indented under it. */
static void print_stderr_tail(const char *s)
{
        size_t len = strlen(s);
        while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
                len--;
        if (!len)
                return;
        size_t start = len, lines = 0;
        while (start > 0 && lines < STDERR_LINES) {
                start--;
                if (s[start] == '\n' && ++lines == STDERR_LINES) {
                        start++;
                        break;
                }
        }
        if (len - start > STDERR_SHOWN)
                start = len - STDERR_SHOWN;
        printf("      stderr%s:\n", start ? " (last lines)" : "");
        for (size_t i = start; i < len;) {
                const char *nl = memchr(s + i, '\n', len - i);
                size_t end = nl ? (size_t)(nl - s) : len;
                printf("      | ");
                grd_term_write(stdout, s + i, end - i);
                printf("\n");
                i = end + 1;
        }
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
                        size_t len = strcspn(t->message, "\n");
                        printf("  ");
                        grd_term_write(stdout, t->message,
                                       len > MESSAGE_SHOWN ? MESSAGE_SHOWN : len);
                }
                printf("\n");
                if (t->verdict != GRD_VERDICT_AC && t->stderr_head)
                        print_stderr_tail(t->stderr_head);
        } else {
                printf("  %-28s skipped\n", t->name);
        }
        if (pr->tty && i + 1 < total)
                printf("  running %s (%zu/%zu)...", pr->p->tests[i + 1].name, i + 2, total);
        fflush(stdout);
}

/* The header: the problem, the language, and which tests are run-only. */
static void print_header(const struct grd_problem *p, const struct grd_language *lang)
{
        printf("problem: %s (%zu tests, %.3g s, %llu MiB)  language: %s\n", p->name, p->n_tests,
               p->time_limit, (unsigned long long)(p->memory_limit >> 20), lang->id);
        if (!p->n_run_only)
                return;
        printf("run-only (no .ans: the verdict is the run's status):");
        size_t shown = 0;
        for (size_t i = 0; i < p->n_tests && shown < RUN_ONLY_SHOWN; i++) {
                if (!p->tests[i].ans_path) {
                        printf(" %s", p->tests[i].name);
                        shown++;
                }
        }
        printf("%s\n", p->n_run_only > shown ? " ..." : "");
}

struct run_opts {
        const char *problem_dir, *lang_id, *langs_path;
        bool json, stop;
        size_t stderr_max;
};

static int print_result(const struct grd_result *res, const struct grd_problem *p, bool json)
{
        if (json) {
                json_t *o = grd_result_json(res, p, NULL);
                char *s = json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
                puts(s ? s : "{}");
                free(s);
                json_decref(o);
        } else {
                char mem[32];
                human_size(res->max_memory, mem, sizeof(mem));
                printf("verdict: %s  score: %g/%g  max time: %.3f s  max memory: %s\n",
                       grd_verdict_name(res->verdict), res->score, res->max_score, res->max_time,
                       mem);
        }
        if (res->verdict == GRD_VERDICT_IE) {
                fprintf(stderr, "grader: run: internal error (not the submission's fault): ");
                grd_term_write(stderr, res->ie_reason, SIZE_MAX);
                fputc('\n', stderr);
        }
        return res->verdict == GRD_VERDICT_AC   ? GRD_EXIT_OK
               : res->verdict == GRD_VERDICT_IE ? GRD_EXIT_USAGE
                                                : GRD_EXIT_FAIL;
}

static const struct grd_language *choose_language(const struct grd_session *l,
                                                  const struct run_opts *o,
                                                  const struct grd_files *files, const char *first)
{
        const struct grd_language *lang =
                o->lang_id ? grd_language_find(l->langs, o->lang_id)
                           : grd_language_guess_source(l->langs, files->src[0].name,
                                                       files->src[0].data, files->src[0].len);
        if (!lang) {
                if (o->lang_id)
                        grd_error("run: unknown language '%s' (see 'grader languages')",
                                  o->lang_id);
                else
                        grd_error("run: cannot tell the language of '%s' from its extension; "
                                  "use --language",
                                  first);
                return NULL;
        }
        const char *missing = grd_language_missing(lang);
        if (missing) {
                grd_error("run: language '%s' is not installed ('%s' is missing): install the "
                          "Debian package '%s' (apt-get install %s)",
                          lang->id, missing, lang->package, lang->package);
                return NULL;
        }
        return lang;
}

static int run(const struct run_opts *o, char **files_argv, size_t n_files)
{
        struct grd_session l;
        if (grd_session_init(&l, o->langs_path) != 0)
                return GRD_EXIT_USAGE;
        int rc = GRD_EXIT_USAGE;
        struct grd_problem *p = NULL;
        struct grd_files files = {0};
        struct grd_validator v = {0};
        struct grd_result res = {0};
        char err[1024];
        if (grd_files_read(&files, files_argv, n_files, err, sizeof(err)) < 0) {
                grd_error("run: %s", err);
                goto out;
        }
        const struct grd_language *lang = choose_language(&l, o, &files, files_argv[0]);
        if (!lang || !(p = grd_session_problem(o->problem_dir)))
                goto out;
        grd_session_warnings(o->problem_dir, p, "warning");
        if (grd_validator_prepare(&l.env, p, l.langs, &v, err, sizeof(err)) < 0) {
                grd_error("run: %s: %s", o->problem_dir, err);
                goto out;
        }
        struct progress pr = {.tty = isatty(STDOUT_FILENO), .quiet = o->json, .p = p};
        if (!o->json)
                print_header(p, lang);
        struct grd_grade_input in = {.problem = p,
                                     .lang = lang,
                                     .validator = &v,
                                     .src = files.src,
                                     .n_src = files.n,
                                     .stop_at_first_failure = o->stop,
                                     .stderr_max = o->stderr_max,
                                     .on_test = on_test,
                                     .on_compiled = on_compiled,
                                     .ctx = &pr};
        int r = grd_grade(&l.env, &in, &res);
        if (r < 0)
                grd_error("run: %s", strerror(-r));
        else
                rc = print_result(&res, p, o->json);
out:
        grd_result_release(&res);
        grd_validator_release(&v);
        grd_files_release(&files);
        grd_problem_free(p);
        grd_session_release(&l);
        return rc;
}

int grd_cmd_run(int argc, char **argv)
{
        enum { OPT_PROBLEM = 256, OPT_LANG, OPT_JSON, OPT_STOP, OPT_LANGS, OPT_STDERR };
        static const struct option opts[] = {
                {"problem", required_argument, NULL, OPT_PROBLEM},
                {"language", required_argument, NULL, OPT_LANG},
                {"json", no_argument, NULL, OPT_JSON},
                {"stop-at-first-failure", no_argument, NULL, OPT_STOP},
                {"stderr-limit", required_argument, NULL, OPT_STDERR},
                {"languages", required_argument, NULL, OPT_LANGS},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        struct run_opts o = {0};
        uint64_t size;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case OPT_PROBLEM:
                        o.problem_dir = optarg;
                        break;
                case OPT_LANG:
                        o.lang_id = optarg;
                        break;
                case OPT_JSON:
                        o.json = true;
                        break;
                case OPT_STOP:
                        o.stop = true;
                        break;
                case OPT_STDERR:
                        if (cmn_parse_size(optarg, &size) < 0 || size == 0 || size > (64u << 20))
                                return grd_error("run: --stderr-limit: '%s' is not a size in "
                                                 "1..64M",
                                                 optarg);
                        o.stderr_max = (size_t)size;
                        break;
                case OPT_LANGS:
                        o.langs_path = optarg;
                        break;
                case 'h':
                        fputs(help, stdout);
                        return GRD_EXIT_OK;
                default:
                        fputs(help, stderr);
                        return GRD_EXIT_USAGE;
                }
        }
        if (!o.problem_dir)
                return grd_error("run: --problem DIR is required (see 'grader run --help')");
        if (optind >= argc)
                return grd_error("run: no submission files given");
        return run(&o, argv + optind, (size_t)(argc - optind));
}
