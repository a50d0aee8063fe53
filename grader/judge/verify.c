/* SPDX-License-Identifier: MIT */
/*
 * The checks of `grader verify` that are not printing: expected verdicts from folders and
 * DOMjudge tags, time limits derived like problemtools, and input validation.
 */
#include "verify.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "validator.h"

#define TAG           "@EXPECTED_RESULTS@:"
#define TAG_SCAN      (64u << 10) /* bytes of a file searched for the tag */
#define INPUT_OUT_MAX (64u << 10) /* bytes of an input validator's output looked at */

#define AC  GRD_EXPECT(GRD_VERDICT_AC)
#define WA  GRD_EXPECT(GRD_VERDICT_WA)
#define TLE GRD_EXPECT(GRD_VERDICT_TLE)
#define MLE GRD_EXPECT(GRD_VERDICT_MLE)
#define OLE GRD_EXPECT(GRD_VERDICT_OLE)
#define RE  GRD_EXPECT(GRD_VERDICT_RE)
#define CE  GRD_EXPECT(GRD_VERDICT_CE)
#define SV  GRD_EXPECT(GRD_VERDICT_SV)

static const struct {
        const char *folder;
        unsigned verdicts;
        bool partial, skip;
} FOLDERS[] = {
        {"accepted", AC, false, false},
        {"partially_accepted", AC, true, false},
        {"wrong_answer", WA, false, false},
        {"time_limit_exceeded", TLE, false, false},
        {"run_time_error", RE | MLE | SV, false, false},
        {"memory_limit_exceeded", MLE, false, false},
        {"output_limit_exceeded", OLE, false, false},
        {"compile_error", CE, false, false},
        /* 2023-07 */
        {"rejected", WA | TLE | MLE | OLE | RE | SV, false, false},
        {"brute_force", TLE | MLE | RE | SV, false, false},
        /* DOMjudge */
        {"compiler_error", CE, false, false},
        {"no_output", WA, false, false},
        {"output_limit", OLE, false, false},
        {"check_manually", 0, false, true},
};

int grd_expect_folder(const char *folder, struct grd_expectation *ret)
{
        for (size_t i = 0; i < CMN_ARRAY_SIZE(FOLDERS); i++) {
                if (!strcmp(FOLDERS[i].folder, folder)) {
                        *ret = (struct grd_expectation){.verdicts = FOLDERS[i].verdicts,
                                                        .partial = FOLDERS[i].partial,
                                                        .skip = FOLDERS[i].skip};
                        snprintf(ret->source, sizeof(ret->source), "%s/", folder);
                        return 0;
                }
        }
        return -ENOENT;
}

/* DOMjudge's result names ('_' read as '-'). */
static const struct {
        const char *name;
        unsigned verdicts;
} TAG_WORDS[] = {
        {"CORRECT", AC},
        {"ACCEPTED", AC},
        {"WRONG-ANSWER", WA},
        {"NO-OUTPUT", WA},
        {"TIMELIMIT", TLE},
        {"TIME-LIMIT-EXCEEDED", TLE},
        {"RUN-ERROR", RE | MLE | SV},
        {"RUN-TIME-ERROR", RE | MLE | SV},
        {"OUTPUT-LIMIT", OLE},
        {"COMPILER-ERROR", CE},
        {"COMPILE-ERROR", CE},
        {"MEMORY-LIMIT", MLE},
        {"CHECK-MANUALLY", 0},
};

/* One word of a tag. Return: 0, or -EINVAL for a word DOMjudge does not have. */
static int tag_word(const char *w, size_t len, struct grd_expectation *e)
{
        char up[32];
        if (len >= sizeof(up))
                return -EINVAL;
        for (size_t i = 0; i < len; i++)
                up[i] = w[i] == '_' ? '-' : (char)toupper((unsigned char)w[i]);
        up[len] = '\0';
        for (size_t i = 0; i < CMN_ARRAY_SIZE(TAG_WORDS); i++) {
                if (!strcmp(TAG_WORDS[i].name, up)) {
                        e->verdicts |= TAG_WORDS[i].verdicts;
                        e->skip |= !TAG_WORDS[i].verdicts;
                        return 0;
                }
        }
        return -EINVAL;
}

/* The tag of one file: 1 found, 0 none, -EINVAL (err filled). */
static int file_tag(const struct grd_source *f, struct grd_expectation *e, char *err, size_t errlen)
{
        size_t len = f->len < TAG_SCAN ? f->len : TAG_SCAN;
        const char *s = memmem(f->data, len, TAG, strlen(TAG));
        if (!s)
                return 0;
        const char *end = (const char *)f->data + len;
        const char *p = s + strlen(TAG);
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
                eol = end;
        memset(e, 0, sizeof(*e));
        while (p < eol) {
                while (p < eol && (isspace((unsigned char)*p) || *p == ','))
                        p++;
                const char *w = p;
                while (p < eol && (isalnum((unsigned char)*p) || *p == '_' || *p == '-'))
                        p++;
                if (p == w)
                        break; /* the end of the list: a comment's closing, or nothing */
                if (tag_word(w, (size_t)(p - w), e) < 0) {
                        snprintf(err, errlen, "%s: unknown result '%.*s' in @EXPECTED_RESULTS@",
                                 f->name, (int)(p - w > 32 ? 32 : p - w), w);
                        return -EINVAL;
                }
        }
        if (!e->verdicts && !e->skip) {
                snprintf(err, errlen, "%s: @EXPECTED_RESULTS@ names no result", f->name);
                return -EINVAL;
        }
        snprintf(e->source, sizeof(e->source), "@EXPECTED_RESULTS@ in %.60s", f->name);
        return 1;
}

int grd_expect_tags(const struct grd_source *files, size_t n, struct grd_expectation *ret,
                    char *err, size_t errlen)
{
        int found = 0;
        const char *first = NULL;
        for (size_t i = 0; i < n; i++) {
                struct grd_expectation e;
                int r = file_tag(&files[i], &e, err, errlen);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                if (found && (e.verdicts != ret->verdicts || e.skip != ret->skip)) {
                        snprintf(err, errlen, "%s and %s: their @EXPECTED_RESULTS@ tags disagree",
                                 first, files[i].name);
                        return -EINVAL;
                }
                if (!found) {
                        *ret = e;
                        first = files[i].name;
                }
                found = 1;
        }
        return found;
}

bool grd_expect_match(const struct grd_expectation *e, const struct grd_result *r)
{
        if (!(e->verdicts & GRD_EXPECT(r->verdict)))
                return false;
        return !e->partial || r->score < r->max_score;
}

void grd_expect_describe(const struct grd_expectation *e, char *buf, size_t n)
{
        size_t o = 0;
        buf[0] = '\0';
        if (e->verdicts == (WA | TLE | MLE | OLE | RE | SV)) {
                snprintf(buf, n, "not AC");
                return;
        }
        for (int v = GRD_VERDICT_AC; v <= GRD_VERDICT_IE && o < n; v++)
                if (e->verdicts & GRD_EXPECT(v))
                        o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? "/" : "",
                                              grd_verdict_name((enum grd_verdict)v));
        if (e->partial && o < n)
                snprintf(buf + o, n - o, "<max");
}

double grd_time_limit_derive(const struct grd_problem *p, double slowest)
{
        double res = p->time_resolution > 0 ? p->time_resolution : 1;
        double steps = ceil(slowest * p->time_multiplier / res - 1e-9);
        return (steps < 1 ? 1 : steps) * res;
}

/* The last non-empty line of a capture file, for a message. */
static void last_line(int fd, char *buf, size_t n)
{
        bool trunc;
        char *s = grd_capture_read(fd, INPUT_OUT_MAX, &trunc);
        size_t l = s ? strlen(s) : 0;
        while (l && isspace((unsigned char)s[l - 1]))
                s[--l] = '\0';
        const char *line = s ? strrchr(s, '\n') : NULL;
        snprintf(buf, n, "%.200s", line ? line + 1 : s ? s : "");
        free(s);
}

int grd_input_validate(struct grd_env *env, const struct grd_problem *p,
                       const struct grd_program *def, const struct grd_compiled *c,
                       const struct grd_test *t, bool *ret_ok, char *why, size_t whylen)
{
        int out = grd_capture_open(env, "input-validator");
        if (out < 0) {
                snprintf(why, whylen, "capturing the validator's output: %s", strerror(-out));
                return out;
        }
        struct grd_run_spec spec = {.time = p->validation_time,
                                    .memory = p->validation_memory,
                                    .output = p->validation_output,
                                    .stdin_path = t->in_path,
                                    .stdout_fd = out,
                                    .stderr_fd = out,
                                    .args = grd_test_input_args(t, def->name)};
        struct sbx_result res;
        int r = grd_run_compiled(env, c, &spec, &res, why, whylen);
        if (r == 0) {
                *ret_ok = res.status == SBX_STATUS_RE && res.exit_code == GRD_VALIDATOR_EXIT_AC;
                if (!*ret_ok) {
                        char line[256];
                        last_line(out, line, sizeof(line));
                        snprintf(why, whylen, "%s%s%s",
                                 res.status == SBX_STATUS_OK ? "exit status 0, not 42"
                                                             : res.message,
                                 line[0] ? ": " : "", line);
                }
        }
        close(out);
        return r;
}
