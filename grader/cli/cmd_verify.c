/* SPDX-License-Identifier: MIT */
/* `grader verify`: every example submission of a package gets its folder's verdict. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "session.h"

static const char help[] =
        "usage: grader verify [--languages FILE] [--json] DIR...\n"
        "\n"
        "Grade every example submission under DIR/submissions/<expected>/ and check that it\n"
        "gets its folder's verdict: accepted AC, wrong_answer WA, time_limit_exceeded TLE,\n"
        "run_time_error RE, memory_limit_exceeded MLE, output_limit_exceeded OLE,\n"
        "compile_error CE. A file is one submission; a sub-folder is a submission of several\n"
        "files. Prints a table; exit status 0 when every submission matches, 1 otherwise, 2\n"
        "for usage or internal error. Submissions of languages not installed are skipped.\n";

static const struct {
        const char *folder;
        enum grd_verdict verdict;
} expected[] = {
        {"accepted", GRD_VERDICT_AC},
        {"wrong_answer", GRD_VERDICT_WA},
        {"time_limit_exceeded", GRD_VERDICT_TLE},
        {"run_time_error", GRD_VERDICT_RE},
        {"memory_limit_exceeded", GRD_VERDICT_MLE},
        {"output_limit_exceeded", GRD_VERDICT_OLE},
        {"compile_error", GRD_VERDICT_CE},
};

static int by_name(const struct dirent **a, const struct dirent **b)
{
        return strcmp((*a)->d_name, (*b)->d_name);
}

struct tally {
        unsigned matched, mismatched, skipped, internal;
        json_t *rows;
};

static void verify_one(struct grd_session *l, const struct grd_problem *p,
                       const struct grd_validator *v, const char *folder, enum grd_verdict want,
                       const char *path, struct tally *t, bool json)
{
        char *paths[64];
        size_t n = 0;
        struct stat st;
        struct dirent **ents = NULL;
        int ne = 0;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
                ne = scandir(path, &ents, NULL, by_name);
                for (int i = 0; i < ne && n < 64; i++) {
                        char full[PATH_MAX];
                        if (ents[i]->d_name[0] == '.' ||
                            cmn_join(full, sizeof(full), path, ents[i]->d_name) < 0)
                                continue;
                        paths[n++] = strdup(full);
                }
        } else {
                paths[n++] = strdup(path);
        }
        const char *shown = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        const struct grd_language *lang = NULL;
        for (size_t i = 0; i < n && !lang; i++)
                lang = grd_language_guess(l->langs, paths[i]);
        struct grd_files files = {0};
        struct grd_result res = {0};
        char err[512] = "", got[16] = "-", note[160] = "";
        bool ok = false;
        if (!lang) {
                snprintf(note, sizeof(note), "skipped: unknown language");
                t->skipped++;
        } else if (grd_language_missing(lang)) {
                snprintf(note, sizeof(note), "skipped: %s not installed",
                         grd_language_missing(lang));
                t->skipped++;
        } else if (grd_files_read(&files, paths, n, err, sizeof(err)) < 0) {
                cmn_strlcpy(note, err, sizeof(note));
                t->internal++;
        } else {
                struct grd_grade_input in = {.problem = p,
                                             .lang = lang,
                                             .validator = v,
                                             .src = files.src,
                                             .n_src = files.n};
                if (grd_grade(&l->env, &in, &res) < 0) {
                        snprintf(note, sizeof(note), "grading failed");
                        t->internal++;
                } else {
                        cmn_strlcpy(got, grd_verdict_name(res.verdict), sizeof(got));
                        ok = res.verdict == want;
                        if (res.verdict == GRD_VERDICT_IE) {
                                snprintf(note, sizeof(note), "%.150s", res.ie_reason);
                                t->internal++;
                        } else if (ok) {
                                t->matched++;
                        } else {
                                t->mismatched++;
                        }
                }
        }
        if (json) {
                json_t *row = json_object();
                json_object_set_new(row, "submission", json_string(path));
                json_object_set_new(row, "language", lang ? json_string(lang->id) : json_null());
                json_object_set_new(row, "expected", json_string(grd_verdict_name(want)));
                json_object_set_new(row, "got", json_string(got));
                json_object_set_new(row, "score", json_real(res.score));
                json_object_set_new(row, "max_time", json_real(res.max_time));
                json_object_set_new(row, "match", json_boolean(ok));
                json_object_set_new(row, "note", json_string(note));
                json_array_append_new(t->rows, row);
        } else {
                char score[32] = "";
                if (p->scoring && got[0] != '-')
                        snprintf(score, sizeof(score), "%g/%g", res.score, res.max_score);
                printf("%-26s %-9s %-4s %-4s %-9s %7.3f  %s%s%s\n", shown, lang ? lang->id : "?",
                       grd_verdict_name(want), got, score, res.max_time,
                       lang && !grd_language_missing(lang) ? (ok ? "ok" : "MISMATCH") : "-",
                       note[0] ? "  " : "", note);
                fflush(stdout);
        }
        (void)folder;
        grd_result_release(&res);
        grd_files_release(&files);
        for (size_t i = 0; i < n; i++)
                free(paths[i]);
        for (int i = 0; i < ne; i++)
                free(ents[i]);
        free(ents);
}

static int verify_problem(struct grd_session *l, const char *dir, struct tally *t, bool json)
{
        struct grd_problem *p = grd_session_problem(dir);
        if (!p)
                return -1;
        char err[1024];
        struct grd_validator v = {0};
        if (grd_validator_prepare(&l->env, p, l->langs, &v, err, sizeof(err)) < 0) {
                grd_error("verify: %s", err);
                grd_problem_free(p);
                return -1;
        }
        if (!json) {
                printf("\n%s: %s (%zu tests, %s%.3g s from %s)\n", p->short_name, p->name,
                       p->n_tests, p->scoring ? "scoring, " : "", p->time_limit,
                       p->time_limit_source);
                printf("%-26s %-9s %-4s %-4s %-9s %7s  %s\n", "SUBMISSION", "LANGUAGE", "WANT",
                       "GOT", "SCORE", "TIME", "RESULT");
        }
        for (size_t k = 0; k < CMN_ARRAY_SIZE(expected); k++) {
                char sub[PATH_MAX];
                if (snprintf(sub, sizeof(sub), "%s/submissions/%s", dir, expected[k].folder) >=
                    (int)sizeof(sub))
                        continue;
                struct dirent **ents;
                int ne = scandir(sub, &ents, NULL, by_name);
                for (int i = 0; i < ne; i++) {
                        char path[PATH_MAX];
                        if (ents[i]->d_name[0] != '.' &&
                            cmn_join(path, sizeof(path), sub, ents[i]->d_name) == 0)
                                verify_one(l, p, &v, expected[k].folder, expected[k].verdict, path,
                                           t, json);
                        free(ents[i]);
                }
                if (ne > 0)
                        free(ents);
        }
        grd_validator_release(&v);
        grd_problem_free(p);
        return 0;
}

int grd_cmd_verify(int argc, char **argv)
{
        static const struct option opts[] = {{"languages", required_argument, NULL, 'l'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
        const char *langs = NULL;
        bool json = false;
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
        for (int i = optind; i < argc; i++) {
                if (verify_problem(&l, argv[i], &t, json) < 0)
                        bad++;
        }
        if (json) {
                json_t *o = json_pack("{s:o, s:i, s:i, s:i, s:i}", "submissions", t.rows, "matched",
                                      t.matched, "mismatched", t.mismatched, "skipped", t.skipped,
                                      "internal_errors", t.internal);
                char *s = json_dumps(o, JSON_INDENT(2));
                puts(s ? s : "{}");
                free(s);
                json_decref(o);
        } else {
                json_decref(t.rows);
                printf("\n%u matched, %u mismatched, %u skipped, %u internal errors\n", t.matched,
                       t.mismatched, t.skipped, t.internal);
        }
        grd_session_release(&l);
        if (bad || t.internal)
                return GRD_EXIT_USAGE;
        return t.mismatched ? GRD_EXIT_FAIL : GRD_EXIT_OK;
}
