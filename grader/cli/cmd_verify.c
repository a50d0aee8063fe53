/* SPDX-License-Identifier: MIT */
/*
 * `grader verify`: the checks a problem passes before it is published, like problemtools'
 * verifyproblem for what it covers: the package loads without warnings, its input validators
 * accept every input, and every example submission gets the verdict its folder (or its
 * @EXPECTED_RESULTS@ tag) promises, within the time margins.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "program.h"
#include "session.h"
#include "verify.h"

/* The limit accepted submissions run under when a time limit is to be derived from them. */
#define DERIVE_RUN_LIMIT 60.0

static const char help[] =
        "usage: grader verify [--languages FILE] [--json] [--no-time-margins] DIR...\n"
        "\n"
        "Check problem packages before publishing them. For each DIR:\n"
        "  - the package loads, with no unknown key or unused part (grader run only warns);\n"
        "  - its input validators (input_validators/) accept every .in, with their flags;\n"
        "  - every example submission under DIR/submissions/<folder>/ gets its folder's verdict:\n"
        "    accepted AC, partially_accepted AC below the full score, wrong_answer WA,\n"
        "    time_limit_exceeded TLE, run_time_error RE (or MLE, SV), memory_limit_exceeded MLE,\n"
        "    output_limit_exceeded OLE, compile_error CE, rejected any failure, brute_force\n"
        "    TLE/RE; DOMjudge's folders and @EXPECTED_RESULTS@ tags are read too. A file is one\n"
        "    submission; a sub-folder is a submission of several files. There must be one.\n"
        "  - time margins: accepted submissions run within the time limit / the safety margin,\n"
        "    time-limit submissions still fail with the limit x the margin (legacy\n"
        "    time_safety_margin; 2023-07 time_multipliers). A package without a time limit gets\n"
        "    one derived from its slowest accepted submission, printed.\n"
        "\n"
        "  --json              print the table as JSON\n"
        "  --no-time-margins   check the verdicts only, at the package's own time limit\n"
        "  --languages FILE    another language table\n"
        "\n"
        "Exit status: 0 when every check passes, 1 when one fails, 2 for usage or when a\n"
        "package cannot be checked (it does not load, a validator does not build, a grading\n"
        "failed). Submissions of languages not installed are skipped.\n";

/* The order folders are verified in: accepted first (a derived time limit needs them). */
static const char *const FOLDER_ORDER[] = {
        "accepted",       "partially_accepted",    "wrong_answer",          "time_limit_exceeded",
        "run_time_error", "memory_limit_exceeded", "output_limit_exceeded", "compile_error",
        "rejected",       "brute_force",           "compiler_error",        "no_output",
        "output_limit",   "check_manually"};

struct tally {
        unsigned matched, mismatched, skipped, internal, failed_checks;
        json_t *rows;
};

struct verify {
        struct grd_session *l;
        bool json, margins;
        struct tally *t;
        const char *dir;
        struct grd_problem *p;
        struct grd_validator v;
        double time_limit; /* what submissions run under (derived, or the package's) */
        double slowest_ac;
        bool deriving;
};

static int by_name(const struct dirent **a, const struct dirent **b)
{
        return strcmp((*a)->d_name, (*b)->d_name);
}

/* Say something about the package on stderr, naming it ("error" or "warning"). */
static void say(const struct verify *vf, const char *kind, const char *fmt, va_list ap)
{
        char msg[1024];
        vsnprintf(msg, sizeof(msg), fmt, ap);
        fprintf(stderr, "grader: %s: %s: ", kind, vf->dir);
        grd_term_write(stderr, msg, SIZE_MAX);
        fputc('\n', stderr);
}

/* A check of the package failed: say so, naming the package. */
static void check_failed(struct verify *vf, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void check_failed(struct verify *vf, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        say(vf, "error", fmt, ap);
        va_end(ap);
        vf->t->failed_checks++;
}

static void note(struct verify *vf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct verify *vf, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        say(vf, "warning", fmt, ap);
        va_end(ap);
}

/* The files of a submission: the file itself, or every file of its folder. */
static size_t submission_paths(const char *path, char **paths, size_t max)
{
        struct stat st;
        size_t n = 0;
        if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
                paths[n++] = strdup(path);
                return n;
        }
        struct dirent **ents = NULL;
        int ne = scandir(path, &ents, NULL, by_name);
        for (int i = 0; i < ne; i++) {
                char full[PATH_MAX];
                if (n < max && ents[i]->d_name[0] != '.' &&
                    cmn_join(full, sizeof(full), path, ents[i]->d_name) == 0)
                        paths[n++] = strdup(full);
                free(ents[i]);
        }
        free(ents);
        return n;
}

struct row {
        const char *shown;
        const struct grd_language *lang;
        struct grd_expectation want;
        const struct grd_result *res;
        char got[16];
        const char *result; /* "ok", "MISMATCH", "MARGIN", "-" */
        char note[256];
};

static void print_row(const struct verify *vf, const struct row *r, const char *path)
{
        char want[48];
        grd_expect_describe(&r->want, want, sizeof(want));
        if (vf->json) {
                json_t *row = json_object();
                json_object_set_new(row, "problem", json_string(vf->dir));
                json_object_set_new(row, "submission", json_string(path));
                json_object_set_new(row, "language",
                                    r->lang ? json_string(r->lang->id) : json_null());
                json_object_set_new(row, "expected", json_string(r->want.skip ? "-" : want));
                json_object_set_new(row, "got", json_string(r->got));
                json_object_set_new(row, "score", json_real(r->res ? r->res->score : 0));
                json_object_set_new(row, "max_time", json_real(r->res ? r->res->max_time : 0));
                json_object_set_new(row, "match", json_boolean(!strcmp(r->result, "ok")));
                json_object_set_new(row, "result", json_string(r->result));
                json_object_set_new(row, "note", json_string(r->note));
                json_array_append_new(vf->t->rows, row);
                return;
        }
        char score[32] = "";
        if (vf->p->scoring && r->res && r->got[0] != '-')
                snprintf(score, sizeof(score), "%g/%g", r->res->score, r->res->max_score);
        printf("%-26s %-9s %-11s %-4s %-9s %7.3f  %s%s", r->shown, r->lang ? r->lang->id : "?",
               r->want.skip ? "-" : want, r->got, score, r->res ? r->res->max_time : 0.0, r->result,
               r->note[0] ? "  " : "");
        grd_term_write(stdout, r->note, sizeof(r->note));
        printf("\n");
        fflush(stdout);
}

/* Time margins of a submission that got what it should (legacy and 2023-07 alike). */
static void check_margins(struct verify *vf, const struct grd_expectation *want,
                          const struct grd_result *res, struct row *r)
{
        const struct grd_problem *p = vf->p;
        if (!vf->margins || !(want->verdicts & GRD_EXPECT(GRD_VERDICT_AC)) ||
            res->verdict != GRD_VERDICT_AC || vf->deriving)
                return;
        /* the limit the language's runs get (data/languages.json's time_multiplier) */
        double mult = r->lang && r->lang->run_limits.time_multiplier > 0
                              ? r->lang->run_limits.time_multiplier
                              : 1.0;
        double bound = vf->time_limit * mult / p->time_ac_margin;
        if (res->max_time > bound) {
                r->result = "MARGIN";
                char times[32] = ""; /* the language's multiplier, when it has one */
                if (mult != 1.0)
                        snprintf(times, sizeof(times), " x %g", mult);
                snprintf(r->note, sizeof(r->note),
                         "%.3f s is above the time limit %g s%s / safety margin %g = %.3f s",
                         res->max_time, vf->time_limit, times, p->time_ac_margin, bound);
        }
}

/* The time limit a submission runs under: time-limit ones get the limit x the margin. */
static double run_limit(const struct verify *vf, const struct grd_expectation *want)
{
        if (vf->deriving)
                return DERIVE_RUN_LIMIT;
        if (vf->margins && want->verdicts == GRD_EXPECT(GRD_VERDICT_TLE))
                return vf->time_limit * vf->p->time_tle_margin;
        return vf->time_limit;
}

static void grade_one(struct verify *vf, struct grd_files *files, const struct grd_language *lang,
                      struct row *r, struct grd_result *res)
{
        struct grd_grade_input in = {.problem = vf->p,
                                     .lang = lang,
                                     .validator = &vf->v,
                                     .src = files->src,
                                     .n_src = files->n,
                                     .time_limit = run_limit(vf, &r->want)};
        r->res = res;
        if (grd_grade(&vf->l->env, &in, res) < 0) {
                snprintf(r->note, sizeof(r->note), "grading failed");
                vf->t->internal++;
                return;
        }
        cmn_strlcpy(r->got, grd_verdict_name(res->verdict), sizeof(r->got));
        if (res->verdict == GRD_VERDICT_IE) {
                snprintf(r->note, sizeof(r->note), "%.200s", res->ie_reason);
                vf->t->internal++;
                return;
        }
        if (!grd_expect_match(&r->want, res)) {
                r->result = "MISMATCH";
                if (in.time_limit != vf->time_limit && !vf->deriving)
                        snprintf(r->note, sizeof(r->note), "with the time limit %g s x margin %g",
                                 vf->time_limit, vf->p->time_tle_margin);
                else if (r->want.partial && res->verdict == GRD_VERDICT_AC)
                        snprintf(r->note, sizeof(r->note), "full score: not partial");
                vf->t->mismatched++;
                return;
        }
        r->result = "ok";
        check_margins(vf, &r->want, res, r);
        if (!strcmp(r->result, "ok"))
                vf->t->matched++;
        else
                vf->t->failed_checks++;
        if (vf->deriving && res->max_time > vf->slowest_ac)
                vf->slowest_ac = res->max_time;
}

/* The expectation of a submission: its folder's, or the tag in its files. */
static bool expectation(struct verify *vf, const char *folder, const struct grd_files *files,
                        struct row *r)
{
        char err[256];
        int known = grd_expect_folder(folder, &r->want);
        int tagged = grd_expect_tags(files->src, files->n, &r->want, err, sizeof(err));
        if (tagged < 0) {
                check_failed(vf, "submissions/%s/%s", folder, err);
                cmn_strlcpy(r->note, err, sizeof(r->note));
                r->result = "MISMATCH";
                return false;
        }
        if (known < 0 && !tagged) {
                snprintf(r->note, sizeof(r->note), "skipped: unknown folder '%s'", folder);
                vf->t->skipped++;
                return false;
        }
        if (r->want.skip) {
                snprintf(r->note, sizeof(r->note), "skipped: to check by hand");
                vf->t->skipped++;
                return false;
        }
        if (r->want.partial && !vf->p->scoring) {
                check_failed(vf, "submissions/partially_accepted/: only for scoring problems");
                r->result = "MISMATCH";
                return false;
        }
        return true;
}

static void verify_one(struct verify *vf, const char *folder, const char *path)
{
        char *paths[CMN_SUBMISSION_FILES_MAX];
        size_t n = submission_paths(path, paths, CMN_ARRAY_SIZE(paths));
        struct row r = {.result = "-", .got = "-"};
        r.shown = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        struct grd_files files = {0};
        struct grd_result res = {0};
        char err[512] = "";
        int read = grd_files_read(&files, paths, n, err, sizeof(err));
        for (size_t i = 0; read == 0 && i < files.n && !r.lang; i++)
                r.lang = grd_language_guess_source(vf->l->langs, files.src[i].name,
                                                   files.src[i].data, files.src[i].len);
        if (read < 0) {
                cmn_strlcpy(r.note, err, sizeof(r.note));
                vf->t->internal++;
        } else if (!expectation(vf, folder, &files, &r)) {
                /* skipped or refused: r says why */
        } else if (!r.lang) {
                snprintf(r.note, sizeof(r.note), "skipped: unknown language");
                vf->t->skipped++;
        } else if (grd_language_missing(r.lang)) {
                snprintf(r.note, sizeof(r.note), "skipped: %s not installed (package %s)",
                         grd_language_missing(r.lang), r.lang->package);
                vf->t->skipped++;
        } else {
                grade_one(vf, &files, r.lang, &r, &res);
        }
        print_row(vf, &r, path);
        grd_result_release(&res);
        grd_files_release(&files);
        for (size_t i = 0; i < n; i++)
                free(paths[i]);
}

/* Every submission of one folder. Return: how many there were. */
static size_t verify_folder(struct verify *vf, const char *folder)
{
        char sub[PATH_MAX];
        if (snprintf(sub, sizeof(sub), "%s/submissions/%s", vf->dir, folder) >= (int)sizeof(sub))
                return 0;
        struct dirent **ents;
        int ne = scandir(sub, &ents, NULL, by_name);
        size_t count = 0;
        for (int i = 0; i < ne; i++) {
                char path[PATH_MAX];
                if (ents[i]->d_name[0] != '.' &&
                    cmn_join(path, sizeof(path), sub, ents[i]->d_name) == 0) {
                        verify_one(vf, folder, path);
                        count++;
                }
                free(ents[i]);
        }
        if (ne > 0)
                free(ents);
        return count;
}

static bool known_folder(const char *name)
{
        for (size_t i = 0; i < CMN_ARRAY_SIZE(FOLDER_ORDER); i++)
                if (!strcmp(FOLDER_ORDER[i], name))
                        return true;
        return false;
}

/* Folders of submissions/ that are not ours: verified by their tags, or skipped. */
static size_t verify_other_folders(struct verify *vf)
{
        char sub[PATH_MAX];
        struct dirent **ents;
        size_t count = 0;
        if (snprintf(sub, sizeof(sub), "%s/submissions", vf->dir) >= (int)sizeof(sub))
                return 0;
        int ne = scandir(sub, &ents, NULL, by_name);
        for (int i = 0; i < ne; i++) {
                struct stat st;
                char path[PATH_MAX];
                if (ents[i]->d_name[0] != '.' && !known_folder(ents[i]->d_name) &&
                    cmn_join(path, sizeof(path), sub, ents[i]->d_name) == 0 &&
                    stat(path, &st) == 0) {
                        if (S_ISDIR(st.st_mode))
                                count += verify_folder(vf, ents[i]->d_name);
                        else if (strcmp(ents[i]->d_name, "submissions.yaml") == 0)
                                note(vf, "submissions/submissions.yaml: not read: the folder "
                                         "names and @EXPECTED_RESULTS@ tags give the expected "
                                         "verdicts");
                }
                free(ents[i]);
        }
        if (ne > 0)
                free(ents);
        return count;
}

/* Derive the time limit of a package that gives none, from its accepted submissions. */
static void derive_time_limit(struct verify *vf)
{
        const struct grd_problem *p = vf->p;
        if (!vf->deriving)
                return;
        vf->deriving = false;
        if (vf->slowest_ac <= 0) {
                note(vf,
                     "no time limit given and no accepted submission ran: the default %g s "
                     "applies",
                     p->time_limit);
                return;
        }
        vf->time_limit = grd_time_limit_derive(p, vf->slowest_ac);
        if (!vf->json)
                printf("time limit: %g s, derived (slowest accepted %.3f s x %g, rounded up to a "
                       "multiple of %g s); put it in problem.yaml (limits.time_limit)\n",
                       vf->time_limit, vf->slowest_ac, p->time_multiplier, p->time_resolution);
}

static void verify_submissions(struct verify *vf)
{
        size_t count = 0;
        for (size_t k = 0; k < CMN_ARRAY_SIZE(FOLDER_ORDER); k++) {
                count += verify_folder(vf, FOLDER_ORDER[k]);
                if (k == 0)
                        derive_time_limit(vf);
        }
        count += verify_other_folders(vf);
        if (count == 0)
                check_failed(vf, "submissions/: no example submissions (put at least one "
                                 "accepted solution in submissions/accepted/)");
}

/* Build and run every input validator on every .in. */
static void verify_inputs(struct verify *vf)
{
        const struct grd_problem *p = vf->p;
        for (size_t k = 0; k < p->n_input_validators; k++) {
                const struct grd_program *def = &p->input_validators[k];
                struct grd_compiled c;
                char err[1024];
                int r = grd_program_build(&vf->l->env, def, vf->l->langs, &c, err, sizeof(err));
                if (r == -ENOTSUP) {
                        note(vf, "input validator %s; not run", err);
                        continue;
                }
                if (r < 0) {
                        check_failed(vf, "input validator %s", err);
                        continue;
                }
                size_t rejected = 0;
                for (size_t i = 0; i < p->n_tests; i++) {
                        bool ok = false;
                        char why[512] = "";
                        r = grd_input_validate(&vf->l->env, p, def, &c, &p->tests[i], &ok, why,
                                               sizeof(why));
                        if (r < 0 || !ok)
                                check_failed(vf, "data/%s.in: input validator %s %s: %s",
                                             p->tests[i].name, def->rel,
                                             r < 0 ? "could not run" : "rejects it", why);
                        rejected += r < 0 || !ok;
                }
                if (!vf->json)
                        printf("input validator %s: %zu of %zu inputs accepted\n", def->rel,
                               p->n_tests - rejected, p->n_tests);
                grd_compiled_release(&c);
        }
}

static void print_header(const struct verify *vf)
{
        const struct grd_problem *p = vf->p;
        if (vf->json)
                return;
        printf("\n%s: %s (%s, %zu tests, %s", p->short_name, p->name,
               p->format == GRD_FORMAT_LEGACY ? "legacy" : "2023-07", p->n_tests,
               p->scoring ? "scoring, " : "");
        if (vf->deriving)
                printf("time limit to derive)\n");
        else
                printf("%.3g s from %s)\n", p->time_limit, p->time_limit_source);
        if (!p->n_input_validators)
                printf("input validators: none\n");
}

static int verify_problem(struct grd_session *l, const char *dir, struct tally *t, bool json,
                          bool margins)
{
        struct verify vf = {.l = l, .json = json, .margins = margins, .t = t, .dir = dir};
        if (!(vf.p = grd_session_problem(dir)))
                return -1;
        grd_session_warnings(dir, vf.p, "error");
        t->failed_checks += (unsigned)(vf.p->n_warnings + vf.p->n_warnings_dropped);
        vf.time_limit = vf.p->time_limit;
        vf.deriving = margins && !strcmp(vf.p->time_limit_source, "default");
        print_header(&vf);
        if (vf.p->run_only)
                note(&vf, "data/: no .ans files: every test is run-only, so any submission that "
                          "runs is accepted");
        verify_inputs(&vf);
        char err[1024];
        if (grd_validator_prepare(&l->env, vf.p, l->langs, &vf.v, err, sizeof(err)) < 0) {
                grd_error("verify: %s: %s", dir, err);
                grd_problem_free(vf.p);
                return -1;
        }
        if (!json)
                printf("%-26s %-9s %-11s %-4s %-9s %7s  %s\n", "SUBMISSION", "LANGUAGE", "WANT",
                       "GOT", "SCORE", "TIME", "RESULT");
        verify_submissions(&vf);
        grd_validator_release(&vf.v);
        grd_problem_free(vf.p);
        return 0;
}

int grd_cmd_verify(int argc, char **argv)
{
        static const struct option opts[] = {{"languages", required_argument, NULL, 'l'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"no-time-margins", no_argument, NULL, 'm'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
        const char *langs = NULL;
        bool json = false, margins = true;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case 'l':
                        langs = optarg;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'm':
                        margins = false;
                        break;
                case 'h':
                        fputs(help, stdout);
                        return GRD_EXIT_OK;
                default:
                        fputs(help, stderr);
                        return GRD_EXIT_USAGE;
                }
        }
        if (optind >= argc)
                return grd_error("verify: no problem directory given");
        struct grd_session l;
        if (grd_session_init(&l, langs) != 0)
                return GRD_EXIT_USAGE;
        struct tally t = {.rows = json_array()};
        int bad = 0;
        for (int i = optind; i < argc; i++)
                bad += verify_problem(&l, argv[i], &t, json, margins) < 0;
        if (json) {
                json_t *o = json_pack("{s:o, s:i, s:i, s:i, s:i, s:i, s:i}", "submissions", t.rows,
                                      "matched", t.matched, "mismatched", t.mismatched, "skipped",
                                      t.skipped, "internal_errors", t.internal, "failed_checks",
                                      t.failed_checks, "broken_packages", bad);
                char *s = json_dumps(o, JSON_INDENT(2));
                puts(s ? s : "{}");
                free(s);
                json_decref(o);
        } else {
                json_decref(t.rows);
                printf("\n%u matched, %u mismatched, %u skipped, %u internal errors, %u failed "
                       "checks\n",
                       t.matched, t.mismatched, t.skipped, t.internal, t.failed_checks);
        }
        grd_session_release(&l);
        if (bad || t.internal)
                return GRD_EXIT_USAGE;
        return t.mismatched || t.failed_checks ? GRD_EXIT_FAIL : GRD_EXIT_OK;
}
