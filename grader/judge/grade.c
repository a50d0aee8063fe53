/* SPDX-License-Identifier: MIT */
/*
 * Grading one submission. Compile once (with the package's include/ files); then for each
 * test, in the package's order (samples first), ask the scoring rules whether it still counts,
 * run the program in a fresh copy of the compiled directory with stdin from the .in file and
 * stdout and stderr into private capture files, and have validator.c judge the output. The
 * program never sees the package, the answers, the validator or another test's files: only
 * its own copy, in the sandbox.
 */
#include "grade.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define INCLUDE_FILE_MAX (16u << 20) /* bytes of one include/ file */

static void set_ie(struct grd_result *r, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void set_ie(struct grd_result *r, const char *fmt, ...)
{
        if (r->ie_reason[0])
                return; /* the first cause is the one worth reading */
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->ie_reason, sizeof(r->ie_reason), fmt, ap);
        va_end(ap);
        r->verdict = GRD_VERDICT_IE;
}

/* The files to compile: the submission's, with the package's include/ files over them. */
struct sources {
        struct grd_source *src;
        size_t n;
        char **bufs; /* the include files read, owned */
        size_t n_bufs;
};

static void sources_release(struct sources *s)
{
        for (size_t i = 0; i < s->n_bufs; i++)
                free(s->bufs[i]);
        free(s->bufs);
        free(s->src);
        memset(s, 0, sizeof(*s));
}

static int add_include(struct sources *s, const struct grd_program_file *f, char *err,
                       size_t errlen)
{
        size_t len = 0;
        char *buf = NULL;
        int r = cmn_read_file(f->path, INCLUDE_FILE_MAX, &buf, &len);
        if (r < 0) {
                snprintf(err, errlen, "include file '%s': %s", f->name, strerror(-r));
                return r;
        }
        s->bufs[s->n_bufs++] = buf;
        struct grd_source in = {f->name, (const unsigned char *)buf, len};
        for (size_t i = 0; i < s->n; i++) {
                if (!strcmp(s->src[i].name, f->name)) {
                        s->src[i] = in; /* the package's file wins a name collision */
                        return 0;
                }
        }
        s->src[s->n++] = in;
        return 0;
}

static int merge_includes(const struct grd_grade_input *in, struct sources *s, char *err,
                          size_t errlen)
{
        const struct grd_include *inc = grd_problem_include(in->problem, in->lang->id);
        size_t extra = inc ? inc->n_files : 0;
        memset(s, 0, sizeof(*s));
        s->src = calloc(in->n_src + extra + 1, sizeof(*s->src));
        s->bufs = calloc(extra + 1, sizeof(char *));
        if (!s->src || !s->bufs) {
                sources_release(s);
                return -ENOMEM;
        }
        memcpy(s->src, in->src, in->n_src * sizeof(*s->src));
        s->n = in->n_src;
        for (size_t i = 0; i < extra; i++) {
                int r = add_include(s, &inc->files[i], err, errlen);
                if (r < 0) {
                        sources_release(s);
                        return r;
                }
        }
        return 0;
}

static void compile_error(struct grd_result *out, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void compile_error(struct grd_result *out, const char *fmt, ...)
{
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        cmn_strlcpy(out->compile_status, "CE", sizeof(out->compile_status));
        free(out->compile_output);
        out->compile_output = strdup(msg);
        out->verdict = GRD_VERDICT_CE;
}

/* What the problem refuses before compiling: a language it does not allow, too much code. */
static bool refused(const struct grd_grade_input *in, struct grd_result *out)
{
        const struct grd_problem *p = in->problem;
        if (!grd_problem_language_allowed(p, in->lang->id)) {
                compile_error(out, "the problem does not allow language '%s'", in->lang->id);
                return true;
        }
        uint64_t bytes = 0;
        for (size_t i = 0; i < in->n_src; i++)
                bytes += in->src[i].len;
        if (p->code_limit && bytes > p->code_limit) {
                compile_error(out,
                              "the submission is %llu bytes, over the problem's code limit "
                              "of %llu bytes",
                              (unsigned long long)bytes, (unsigned long long)p->code_limit);
                return true;
        }
        return false;
}

/* A compiler that failed: CE with its messages, and for a limit, which one. */
static void compile_failed(const struct grd_compiled *c, struct grd_result *out)
{
        cmn_strlcpy(out->compile_status, "CE", sizeof(out->compile_status));
        out->verdict = GRD_VERDICT_CE;
        if (c->res.status == SBX_STATUS_RE && !c->res.signal && out->compile_output &&
            out->compile_output[0])
                return;
        /* a compile bomb: say which limit it hit */
        char *o = out->compile_output;
        size_t l = (o ? strlen(o) : 0) + strlen(c->res.message) + 64;
        char *m = malloc(l);
        if (m) {
                snprintf(m, l, "%s%scompilation stopped: %s", o ? o : "", o && *o ? "\n" : "",
                         c->res.message);
                free(o);
                out->compile_output = m;
        }
}

/* Compile the submission. Return: true when there is a program to run. */
static bool compile_submission(struct grd_env *env, const struct grd_grade_input *in,
                               struct grd_compiled *c, struct grd_result *out)
{
        char err[512] = "";
        struct sources s;
        int r = refused(in, out) ? 1 : merge_includes(in, &s, err, sizeof(err));
        if (r == 1)
                return false;
        if (r == 0) {
                r = grd_compile(env, in->lang, s.src, s.n, c, err, sizeof(err));
                sources_release(&s);
        }
        if (r < 0) {
                /* files that cannot make a submission are its fault; anything else is ours */
                if (r == -EINVAL) {
                        compile_error(out, "%s", err);
                } else {
                        cmn_strlcpy(out->compile_status, "IE", sizeof(out->compile_status));
                        set_ie(out, "compiling: %s", err);
                }
                return false;
        }
        out->compile_time = c->time;
        out->compile_output = c->output;
        c->output = NULL;
        if (c->internal_error) {
                cmn_strlcpy(out->compile_status, "IE", sizeof(out->compile_status));
                set_ie(out, "the compiler could not run: %s", c->res.message);
        } else if (!c->ok) {
                compile_failed(c, out);
        } else {
                cmn_strlcpy(out->compile_status, "OK", sizeof(out->compile_status));
        }
        return c->ok && !c->internal_error;
}

static void judge_test(struct grd_env *env, const struct grd_grade_input *in,
                       const struct grd_test *t, int out_fd, struct grd_test_result *tr,
                       struct grd_result *res)
{
        struct grd_judgement j;
        if (grd_validate_output(env, in->problem, in->validator, t, out_fd, &j) < 0) {
                set_ie(res, "judging test '%s': out of memory", t->name);
                tr->verdict = GRD_VERDICT_IE;
                return;
        }
        tr->verdict = j.verdict;
        if (j.verdict == GRD_VERDICT_IE)
                set_ie(res, "%s", j.ie);
        tr->message = j.message;
        tr->has_score = j.has_score;
        tr->score = j.score;
}

/* An interactive or multi-pass test: the submission and validator judged together. */
static void run_passes(struct grd_env *env, const struct grd_grade_input *in,
                       const struct grd_compiled *c, const struct grd_run_spec *spec,
                       const struct grd_test *t, struct grd_test_result *tr, struct grd_result *res)
{
        struct sbx_result sr;
        struct grd_judgement j;
        if (grd_run_passes(env, in->problem, in->validator, c, spec, t, &sr, &j) < 0) {
                set_ie(res, "test '%s': out of memory", t->name);
                tr->verdict = GRD_VERDICT_IE;
                return;
        }
        tr->time = sr.cpu_time;
        tr->wall_time = sr.wall_time;
        tr->memory = sr.memory;
        tr->verdict = j.verdict;
        if (j.verdict == GRD_VERDICT_IE)
                set_ie(res, "%s", j.ie);
        tr->has_score = j.has_score;
        tr->score = j.score;
        /* the validator's feedback, else why the run ended */
        tr->message = j.message ? j.message
                      : j.verdict != GRD_VERDICT_AC && j.verdict != GRD_VERDICT_IE
                              ? strdup(sr.message)
                              : NULL;
}

static void run_test(struct grd_env *env, const struct grd_grade_input *in,
                     const struct grd_compiled *c, size_t i, struct grd_result *res)
{
        const struct grd_problem *p = in->problem;
        const struct grd_test *t = &p->tests[i];
        struct grd_test_result *tr = &res->tests[i];
        tr->ran = true;
        int out = grd_capture_open(env, "stdout"), errfd = grd_capture_open(env, "stderr");
        struct grd_run_spec spec = {.time = in->time_limit > 0 ? in->time_limit : p->time_limit,
                                    .memory = p->memory_limit,
                                    .output = p->output_limit,
                                    .stdin_path = t->in_path,
                                    .stdout_fd = out,
                                    .stderr_fd = errfd,
                                    .args = grd_test_args(t),
                                    .files_dir = t->files_dir,
                                    .readonly = !p->allow_file_writing};
        struct sbx_result sr;
        char err[512] = "";
        int r = out < 0 ? out : errfd < 0 ? errfd : 0;
        if (r == 0 && (p->interactive || p->multi_pass) && t->ans_path) {
                run_passes(env, in, c, &spec, t, tr, res);
                r = 1;
        } else if (r == 0) {
                r = grd_run_compiled(env, c, &spec, &sr, err, sizeof(err));
        }
        if (r == 1) {
                ; /* judged by run_passes */
        } else if (r < 0) {
                set_ie(res, "test '%s': %s", t->name, err[0] ? err : strerror(-r));
                tr->verdict = GRD_VERDICT_IE;
        }
        if (r == 0) {
                tr->time = sr.cpu_time;
                tr->wall_time = sr.wall_time;
                tr->memory = sr.memory;
                tr->verdict = grd_verdict_of_run(sr.status);
                if (sr.status == SBX_STATUS_IE)
                        set_ie(res, "test '%s': %s", t->name, sr.message);
                else if (sr.status == SBX_STATUS_OK)
                        judge_test(env, in, t, out, tr, res);
                else
                        tr->message = strdup(sr.message);
        }
        if (r >= 0) {
                /* run-only tests hand their stdout back whole (up to the output limit) */
                size_t keep = t->ans_path ? GRD_STDOUT_HEAD : (size_t)p->output_limit;
                tr->stdout_head = grd_capture_read(out, keep, &tr->stdout_truncated);
                tr->stderr_head = grd_capture_read(
                        errfd, in->stderr_max ? in->stderr_max : GRD_STDERR_DEFAULT,
                        &tr->stderr_truncated);
        }
        if (out >= 0)
                close(out);
        if (errfd >= 0)
                close(errfd);
}

/* Run the tests in order while they count; outcomes go to oc for the scoring. */
static void run_tests(struct grd_env *env, const struct grd_grade_input *in,
                      const struct grd_compiled *c, struct grd_test_outcome *oc,
                      struct grd_result *out)
{
        const struct grd_problem *p = in->problem;
        bool failed = false;
        for (size_t i = 0; i < p->n_tests; i++) {
                if (out->verdict == GRD_VERDICT_IE)
                        break; /* the grader is at fault: stop, the job will be retried */
                if ((in->stop_at_first_failure && failed) || !grd_scoring_should_run(p, oc, i)) {
                        if (in->on_test)
                                in->on_test(in->ctx, i, p->n_tests, &out->tests[i]);
                        continue;
                }
                run_test(env, in, c, i, out);
                struct grd_test_result *tr = &out->tests[i];
                oc[i] = (struct grd_test_outcome){.ran = true,
                                                  .verdict = tr->verdict,
                                                  .has_score = tr->has_score,
                                                  .score = tr->score};
                failed |= tr->verdict != GRD_VERDICT_AC;
                if (tr->time > out->max_time)
                        out->max_time = tr->time;
                if (tr->memory > out->max_memory)
                        out->max_memory = tr->memory;
                if (in->on_test)
                        in->on_test(in->ctx, i, p->n_tests, tr);
        }
}

static void score(const struct grd_problem *p, const struct grd_test_outcome *oc,
                  struct grd_result *out)
{
        char err[256];
        if (out->verdict == GRD_VERDICT_IE) {
                out->score = 0;
                return;
        }
        if (grd_score_compute(p, oc, &out->scores, err, sizeof(err)) < 0) {
                set_ie(out, "scoring: %s", err);
                out->score = 0;
                return;
        }
        out->verdict = out->scores.verdict;
        out->score = out->scores.score;
        out->max_score = out->scores.max_score;
        for (size_t i = 0; i < p->n_tests && i < out->scores.n_tests; i++)
                out->tests[i].score = out->scores.test_scores[i];
}

int grd_grade(struct grd_env *env, const struct grd_grade_input *in, struct grd_result *out)
{
        memset(out, 0, sizeof(*out));
        if (!env || !in || !in->problem || !in->lang || !in->src || !in->n_src)
                return -EINVAL;
        const struct grd_problem *p = in->problem;
        if (p->custom_validation && (!in->validator || !in->validator->ready))
                return -EINVAL;
        out->started_at = cmn_realtime();
        out->tests = calloc(p->n_tests ? p->n_tests : 1, sizeof(*out->tests));
        struct grd_test_outcome *oc = calloc(p->n_tests ? p->n_tests : 1, sizeof(*oc));
        if (!out->tests || !oc) {
                free(oc);
                return -ENOMEM;
        }
        out->n_tests = p->n_tests;
        for (size_t i = 0; i < p->n_tests; i++)
                out->tests[i].name = p->tests[i].name;
        out->max_score = p->scoring ? 0 : 1;
        struct grd_compiled c = {0};
        bool runnable = compile_submission(env, in, &c, out);
        if (in->on_compiled)
                in->on_compiled(in->ctx, out);
        if (runnable) {
                run_tests(env, in, &c, oc, out);
                score(p, oc, out);
        } else if (p->scoring && out->verdict != GRD_VERDICT_IE) {
                /* nothing ran, but a scoring problem still says what it was worth */
                char err[256];
                if (grd_score_compute(p, oc, &out->scores, err, sizeof(err)) == 0)
                        out->max_score = out->scores.max_score;
        }
        grd_compiled_release(&c);
        free(oc);
        out->finished_at = cmn_realtime();
        return 0;
}
