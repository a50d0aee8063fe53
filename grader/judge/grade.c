/* SPDX-License-Identifier: MIT */
/*
 * Grading one submission. Compile once; then for each test, in the package's order (samples
 * first), ask the scoring rules whether it still counts, run the program in a fresh copy of
 * the compiled directory with stdin from the .in file and stdout into a private capture file,
 * and judge that file against the .ans with the default validator or the package's own. The
 * program never sees the package, the answers, the validator or another test's files: only
 * its own copy, in the sandbox.
 */
#include "grade.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

#define FEEDBACK_MAX   (16u << 10) /* bytes of judgemessage.txt kept */
#define VALIDATOR_SRCS 64

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

/* Read a whole file of a program's making (validator feedback), safely and capped. */
static char *read_made_file(int dirfd, const char *name, size_t cap)
{
        int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return NULL;
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return NULL;
        }
        char *buf = malloc(cap + 1);
        ssize_t n = buf ? read(fd, buf, cap) : -1;
        close(fd);
        if (n < 0) {
                free(buf);
                return NULL;
        }
        bool trunc;
        char *s = cmn_utf8_sanitize(buf, (size_t)n, cap, &trunc);
        free(buf);
        /* one message, not a file: trim trailing whitespace */
        size_t l = s ? strlen(s) : 0;
        while (l && (s[l - 1] == '\n' || s[l - 1] == '\r' || s[l - 1] == ' '))
                s[--l] = '\0';
        return s;
}

int grd_validator_prepare(struct grd_env *env, const struct grd_problem *p,
                          const struct grd_languages *langs, struct grd_validator *ret, char *err,
                          size_t errlen)
{
        memset(ret, 0, sizeof(*ret));
        if (!p->custom_validation)
                return 0;
        /* collect the sources: the single file, or every regular file of the directory */
        struct grd_source src[VALIDATOR_SRCS];
        char *bufs[VALIDATOR_SRCS] = {NULL};
        char names[VALIDATOR_SRCS][256];
        size_t n = 0;
        int r = 0;
        const struct grd_language *lang = NULL;
        if (p->validator_is_dir) {
                DIR *d = opendir(p->validator_path);
                if (!d) {
                        snprintf(err, errlen, "output validator '%s': %s", p->validator_path,
                                 strerror(errno));
                        return -errno;
                }
                struct dirent *de;
                while ((de = readdir(d)) && n < VALIDATOR_SRCS) {
                        if (de->d_name[0] == '.' || strlen(de->d_name) >= 256)
                                continue;
                        char path[PATH_MAX];
                        struct stat st;
                        if (cmn_join(path, sizeof(path), p->validator_path, de->d_name) < 0 ||
                            stat(path, &st) < 0 || !S_ISREG(st.st_mode))
                                continue;
                        const struct grd_language *l = grd_language_guess(langs, de->d_name);
                        if (!l)
                                continue; /* build scripts, headers, READMEs */
                        size_t len;
                        r = cmn_read_file(path, 16u << 20, &bufs[n], &len);
                        if (r < 0)
                                break;
                        if (!lang)
                                lang = l;
                        cmn_strlcpy(names[n], de->d_name, sizeof(names[n]));
                        src[n] = (struct grd_source){names[n], (unsigned char *)bufs[n], len};
                        n++;
                }
                closedir(d);
                /* headers travel with C/C++ sources */
                d = r == 0 ? opendir(p->validator_path) : NULL;
                while (d && (de = readdir(d)) && n < VALIDATOR_SRCS) {
                        const char *dot = strrchr(de->d_name, '.');
                        if (!dot || (strcmp(dot, ".h") && strcmp(dot, ".hpp")) ||
                            strlen(de->d_name) >= 256)
                                continue;
                        char path[PATH_MAX];
                        size_t len;
                        if (cmn_join(path, sizeof(path), p->validator_path, de->d_name) < 0 ||
                            cmn_read_file(path, 16u << 20, &bufs[n], &len) < 0)
                                continue;
                        cmn_strlcpy(names[n], de->d_name, sizeof(names[n]));
                        src[n] = (struct grd_source){names[n], (unsigned char *)bufs[n], len};
                        n++;
                }
                if (d)
                        closedir(d);
        } else {
                const char *base = strrchr(p->validator_path, '/');
                base = base ? base + 1 : p->validator_path;
                lang = grd_language_guess(langs, base);
                size_t len;
                if (lang && strlen(base) < 256) {
                        r = cmn_read_file(p->validator_path, 16u << 20, &bufs[0], &len);
                        if (r == 0) {
                                cmn_strlcpy(names[0], base, sizeof(names[0]));
                                src[0] = (struct grd_source){names[0], (unsigned char *)bufs[0],
                                                             len};
                                n = 1;
                        }
                }
        }
        if (r == 0 && (!lang || n == 0)) {
                snprintf(err, errlen,
                         "output validator '%s': no source file of a known language in it",
                         p->validator_path);
                r = -ENOENT;
        } else if (r < 0) {
                snprintf(err, errlen, "output validator '%s': %s", p->validator_path, strerror(-r));
        }
        if (r == 0) {
                ret->lang = lang;
                r = grd_compile(env, lang, src, n, &ret->compiled, err, errlen);
                if (r == 0 && !ret->compiled.ok) {
                        snprintf(err, errlen, "output validator '%s' does not compile (%s): %.300s",
                                 p->validator_path, sbx_status_name(ret->compiled.res.status),
                                 ret->compiled.output && ret->compiled.output[0]
                                         ? ret->compiled.output
                                         : ret->compiled.res.message);
                        grd_compiled_release(&ret->compiled);
                        r = -EINVAL;
                }
        }
        for (size_t i = 0; i < VALIDATOR_SRCS; i++)
                free(bufs[i]);
        return r;
}

void grd_validator_release(struct grd_validator *v)
{
        if (v && v->lang)
                grd_compiled_release(&v->compiled);
}

void grd_result_release(struct grd_result *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n_tests; i++) {
                free(r->tests[i].message);
                free(r->tests[i].stdout_head);
        }
        free(r->tests);
        free(r->compile_output);
        grd_score_release(&r->scores);
        memset(r, 0, sizeof(*r));
}

static enum grd_verdict verdict_of(enum sbx_status s)
{
        switch (s) {
        case SBX_STATUS_OK:
                return GRD_VERDICT_AC;
        case SBX_STATUS_RE:
                return GRD_VERDICT_RE;
        case SBX_STATUS_TLE:
                return GRD_VERDICT_TLE;
        case SBX_STATUS_MLE:
                return GRD_VERDICT_MLE;
        case SBX_STATUS_OLE:
                return GRD_VERDICT_OLE;
        case SBX_STATUS_SV:
                return GRD_VERDICT_SV;
        case SBX_STATUS_IE:
                return GRD_VERDICT_IE;
        }
        return GRD_VERDICT_IE;
}

/*
 * Run the custom validator: `validator input answer feedback_dir [args] < output` in the
 * sandbox, in a fresh dir holding the compiled validator and copies of the input and answer.
 */
static int run_validator(struct grd_env *env, const struct grd_problem *p,
                         const struct grd_validator *v, const struct grd_test *t, int out_fd,
                         struct grd_test_result *tr, struct grd_result *res)
{
        char dir[PATH_MAX], path[PATH_MAX];
        if (snprintf(dir, sizeof(dir), "%s/validate-%lu", env->workroot, ++env->seq) >=
            (int)sizeof(dir)) {
                set_ie(res, "work root path too long");
                return -1;
        }
        int r = grd_copy_tree(v->compiled.dir, dir, 10000, 512u << 20);
        if (r == 0 && cmn_join(path, sizeof(path), dir, "input") == 0)
                r = cmn_copy_file(t->in_path, path, 0644);
        if (r == 0 && cmn_join(path, sizeof(path), dir, "answer") == 0)
                r = cmn_copy_file(t->ans_path, path, 0644);
        if (r == 0 && cmn_join(path, sizeof(path), dir, "feedback") == 0 && mkdir(path, 0777) < 0)
                r = -errno;
        if (r == 0 && chmod(path, 0777) < 0)
                r = -errno;
        if (r < 0) {
                set_ie(res, "preparing the validator for test '%s': %s", t->name, strerror(-r));
                cmn_rmtree(dir);
                return -1;
        }
        /* argv: the language's run command, then the validator protocol's arguments */
        char *argv[GRD_LANG_MAX_ARGS + GRD_PROBLEM_MAX_ARGS + 8];
        char store[8192];
        const char *files[] = {v->compiled.main, NULL};
        struct grd_lang_vars vars = {.files = files,
                                     .main = v->compiled.main,
                                     .memory_mb = (unsigned)(p->validation_memory >> 20)};
        if (grd_language_expand(v->lang, v->lang->run, &vars, argv, store, sizeof(store)) < 0) {
                set_ie(res, "the validator's run command is too long");
                cmn_rmtree(dir);
                return -1;
        }
        size_t n = 0;
        while (argv[n])
                n++;
        argv[n++] = (char *)"input";
        argv[n++] = (char *)"answer";
        argv[n++] = (char *)"feedback/";
        char **extra = t->group ? t->group->validator_args : p->validator_args;
        for (size_t i = 0; extra && extra[i] && n < CMN_ARRAY_SIZE(argv) - 1; i++)
                argv[n++] = extra[i];
        argv[n] = NULL;

        /* the validator reads the program's output from the start */
        if (lseek(out_fd, 0, SEEK_SET) < 0) {
                set_ie(res, "rewinding the output: %s", strerror(errno));
                cmn_rmtree(dir);
                return -1;
        }
        struct sbx_config cfg = {.argv = (const char *const *)argv,
                                 .workdir = dir,
                                 .stdin_fd = out_fd,
                                 .stdout_fd = -1,
                                 .stderr_fd = -1,
                                 .slot = env->slot};
        sbx_limits_default(&cfg.limits);
        cfg.limits.cpu_time = p->validation_time > 0 ? p->validation_time : 60;
        cfg.limits.wall_time = 2 * cfg.limits.cpu_time + 5;
        cfg.limits.memory = p->validation_memory ? p->validation_memory : (2ull << 30);
        cfg.limits.output = 16u << 20;
        cfg.limits.open_files = 64;
        if (v->lang->run_limits.processes)
                cfg.limits.processes = v->lang->run_limits.processes;
        if (v->lang->run_limits.memory_mode_set)
                cfg.limits.memory_mode = v->lang->run_limits.memory_mode;
        cfg.limits.memory += v->lang->run_limits.extra_memory;
        struct sbx_result vr;
        r = sbx_run_cancellable(env->policy, &cfg, env->cancel, &vr);
        int rc = 0;
        if (r < 0 || vr.status == SBX_STATUS_IE) {
                set_ie(res, "running the validator on test '%s': %s", t->name,
                       r < 0 ? strerror(-r) : vr.message);
                rc = -1;
        } else if (vr.status == SBX_STATUS_RE && (vr.exit_code == 42 || vr.exit_code == 43)) {
                tr->verdict = vr.exit_code == 42 ? GRD_VERDICT_AC : GRD_VERDICT_WA;
                int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                int fdd = dfd >= 0 ? openat(dfd, "feedback",
                                            O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                                   : -1;
                if (fdd >= 0) {
                        tr->message = read_made_file(fdd, "judgemessage.txt", FEEDBACK_MAX);
                        char *score = p->custom_score ? read_made_file(fdd, "score.txt", 64) : NULL;
                        if (score) {
                                char *end;
                                double s = strtod(score, &end);
                                if (end != score && isfinite(s)) {
                                        tr->score = s;
                                        tr->has_score = true;
                                }
                                free(score);
                        }
                        close(fdd);
                }
                if (dfd >= 0)
                        close(dfd);
        } else {
                /* any other ending is the judge's failure, never the student's WA */
                set_ie(res, "the output validator failed on test '%s': %s (%s)", t->name,
                       sbx_status_name(vr.status), vr.message);
                rc = -1;
        }
        cmn_rmtree(dir);
        return rc;
}

static void judge_output(struct grd_env *env, const struct grd_grade_input *in, size_t i,
                         int out_fd, struct grd_test_result *tr, struct grd_result *res)
{
        const struct grd_problem *p = in->problem;
        const struct grd_test *t = &p->tests[i];
        if (!t->ans_path) {
                tr->verdict = GRD_VERDICT_AC; /* run-only: the run status is the verdict */
                return;
        }
        if (p->custom_validation) {
                if (run_validator(env, p, in->validator, t, out_fd, tr, res) < 0)
                        tr->verdict = GRD_VERDICT_IE;
                return;
        }
        int ans = open(t->ans_path, O_RDONLY | O_CLOEXEC);
        if (ans < 0 || lseek(out_fd, 0, SEEK_SET) < 0) {
                set_ie(res, "opening the answer of '%s': %s", t->name, strerror(errno));
                tr->verdict = GRD_VERDICT_IE;
                if (ans >= 0)
                        close(ans);
                return;
        }
        const struct grd_checker_flags *flags = t->group ? &t->group->flags : &p->flags;
        bool ok = false;
        char msg[512] = "";
        int r = grd_check_default(ans, out_fd, flags, &ok, msg, sizeof(msg));
        close(ans);
        if (r < 0) {
                set_ie(res, "checking test '%s': %s", t->name, msg[0] ? msg : strerror(-r));
                tr->verdict = GRD_VERDICT_IE;
                return;
        }
        tr->verdict = ok ? GRD_VERDICT_AC : GRD_VERDICT_WA;
        if (!ok && msg[0])
                tr->message = strdup(msg);
}

static void keep_stdout(int fd, size_t cap, struct grd_test_result *tr)
{
        struct stat st;
        if (fstat(fd, &st) < 0)
                return;
        size_t size = (size_t)st.st_size;
        size_t want = size < cap ? size : cap;
        char *buf = malloc(want + 4);
        if (!buf)
                return;
        /* read a little past the cap so a character cut at the cap can be told from junk */
        ssize_t n = pread(fd, buf, want + (size > want ? 3 : 0), 0);
        if (n < 0)
                n = 0;
        bool trunc = false;
        tr->stdout_head = cmn_utf8_sanitize(buf, (size_t)n, want, &trunc);
        tr->stdout_truncated = size > want || trunc;
        free(buf);
}

static int run_test(struct grd_env *env, const struct grd_grade_input *in,
                    const struct grd_compiled *c, size_t i, struct grd_result *res)
{
        const struct grd_problem *p = in->problem;
        const struct grd_test *t = &p->tests[i];
        struct grd_test_result *tr = &res->tests[i];
        tr->ran = true;
        char cap[PATH_MAX];
        if (snprintf(cap, sizeof(cap), "%s/stdout-%lu", env->workroot, ++env->seq) >=
            (int)sizeof(cap)) {
                set_ie(res, "work root path too long");
                tr->verdict = GRD_VERDICT_IE;
                return -1;
        }
        int out = open(cap, O_RDWR | O_CREAT | O_TRUNC | O_EXCL | O_CLOEXEC, 0600);
        if (out < 0) {
                set_ie(res, "creating '%s': %s", cap, strerror(errno));
                tr->verdict = GRD_VERDICT_IE;
                return -1;
        }
        unlink(cap); /* private to us from now on */
        struct grd_run_limits lim = {
                .time = p->time_limit, .memory = p->memory_limit, .output = p->output_limit};
        struct sbx_result sr;
        char err[256];
        int r = grd_run_compiled(env, in->lang, c, &lim, t->in_path, out, -1, &sr, err,
                                 sizeof(err));
        if (r < 0) {
                set_ie(res, "test '%s': %s", t->name, err);
                tr->verdict = GRD_VERDICT_IE;
                close(out);
                return -1;
        }
        tr->time = sr.cpu_time;
        tr->wall_time = sr.wall_time;
        tr->memory = sr.memory;
        tr->verdict = verdict_of(sr.status);
        if (sr.status == SBX_STATUS_IE) {
                set_ie(res, "test '%s': %s", t->name, sr.message);
        } else if (sr.status == SBX_STATUS_OK) {
                judge_output(env, in, i, out, tr, res);
        } else {
                tr->message = strdup(sr.message);
        }
        /* run-only tests hand their stdout back whole (up to the output limit) */
        size_t keep = t->ans_path ? GRD_STDOUT_HEAD : (size_t)p->output_limit;
        keep_stdout(out, keep, tr);
        close(out);
        return 0;
}

int grd_grade(struct grd_env *env, const struct grd_grade_input *in, struct grd_result *out)
{
        memset(out, 0, sizeof(*out));
        if (!env || !in || !in->problem || !in->lang || !in->src || !in->n_src)
                return -EINVAL;
        const struct grd_problem *p = in->problem;
        if (p->custom_validation && (!in->validator || !in->validator->lang))
                return -EINVAL;
        out->started_at = cmn_realtime();
        out->tests = calloc(p->n_tests ? p->n_tests : 1, sizeof(*out->tests));
        if (!out->tests)
                return -ENOMEM;
        out->n_tests = p->n_tests;
        for (size_t i = 0; i < p->n_tests; i++)
                out->tests[i].name = p->tests[i].name;
        out->max_score = p->scoring ? 0 : 1;

        struct grd_compiled c;
        char err[512];
        int r = grd_compile(env, in->lang, in->src, in->n_src, &c, err, sizeof(err));
        if (r < 0) {
                /* a bad file name is the submission's fault; anything else is ours */
                if (r == -EINVAL) {
                        cmn_strlcpy(out->compile_status, "CE", sizeof(out->compile_status));
                        out->compile_output = strdup(err);
                        out->verdict = GRD_VERDICT_CE;
                } else {
                        cmn_strlcpy(out->compile_status, "IE", sizeof(out->compile_status));
                        set_ie(out, "compiling: %s", err);
                }
                out->finished_at = cmn_realtime();
                return 0;
        }
        out->compile_time = c.time;
        out->compile_output = c.output;
        c.output = NULL;
        if (c.internal_error) {
                cmn_strlcpy(out->compile_status, "IE", sizeof(out->compile_status));
                set_ie(out, "the compiler could not run: %s", c.res.message);
        } else if (!c.ok) {
                cmn_strlcpy(out->compile_status, "CE", sizeof(out->compile_status));
                out->verdict = GRD_VERDICT_CE;
                if (c.res.status != SBX_STATUS_RE || c.res.signal || !out->compile_output ||
                    !out->compile_output[0]) {
                        /* a compile bomb: say which limit it hit */
                        char *o = out->compile_output;
                        size_t l = (o ? strlen(o) : 0) + strlen(c.res.message) + 64;
                        char *m = malloc(l);
                        if (m) {
                                snprintf(m, l, "%s%scompilation stopped: %s", o ? o : "",
                                         o && *o ? "\n" : "", c.res.message);
                                free(o);
                                out->compile_output = m;
                        }
                }
        } else {
                cmn_strlcpy(out->compile_status, "OK", sizeof(out->compile_status));
        }
        if (in->on_compiled)
                in->on_compiled(in->ctx, out);
        if (!c.ok || out->verdict == GRD_VERDICT_IE) {
                grd_compiled_release(&c);
                /* nothing ran, but a scoring problem still says what it was worth */
                struct grd_test_outcome *none = calloc(p->n_tests ? p->n_tests : 1, sizeof(*none));
                if (p->scoring && none &&
                    grd_score_compute(p, none, &out->scores, err, sizeof(err)) == 0)
                        out->max_score = out->scores.max_score;
                free(none);
                out->finished_at = cmn_realtime();
                return 0;
        }

        struct grd_test_outcome *oc = calloc(p->n_tests ? p->n_tests : 1, sizeof(*oc));
        if (!oc) {
                grd_compiled_release(&c);
                return -ENOMEM;
        }
        bool failed = false;
        for (size_t i = 0; i < p->n_tests; i++) {
                if (out->verdict == GRD_VERDICT_IE)
                        break; /* the grader is at fault: stop, the job will be retried */
                if ((in->stop_at_first_failure && failed) || !grd_scoring_should_run(p, oc, i)) {
                        if (in->on_test)
                                in->on_test(in->ctx, i, p->n_tests, &out->tests[i]);
                        continue;
                }
                run_test(env, in, &c, i, out);
                struct grd_test_result *tr = &out->tests[i];
                oc[i] = (struct grd_test_outcome){.ran = true,
                                                  .verdict = tr->verdict,
                                                  .has_score = tr->has_score,
                                                  .score = tr->score};
                if (tr->verdict != GRD_VERDICT_AC)
                        failed = true;
                if (tr->time > out->max_time)
                        out->max_time = tr->time;
                if (tr->memory > out->max_memory)
                        out->max_memory = tr->memory;
                if (in->on_test)
                        in->on_test(in->ctx, i, p->n_tests, tr);
        }
        grd_compiled_release(&c);
        if (out->verdict != GRD_VERDICT_IE) {
                r = grd_score_compute(p, oc, &out->scores, err, sizeof(err));
                if (r < 0) {
                        set_ie(out, "scoring: %s", err);
                } else {
                        out->verdict = out->scores.verdict;
                        out->score = out->scores.score;
                        out->max_score = out->scores.max_score;
                        for (size_t i = 0; i < p->n_tests && i < out->scores.n_tests; i++)
                                out->tests[i].score = out->scores.test_scores[i];
                }
        }
        if (out->verdict == GRD_VERDICT_IE)
                out->score = 0;
        free(oc);
        out->finished_at = cmn_realtime();
        return 0;
}

static json_t *str_or_null(const char *s)
{
        return s ? json_string(s) : json_null();
}

/* Round to microseconds so the JSON does not carry binary noise. */
static json_t *seconds(double s)
{
        return json_real(round(s * 1e6) / 1e6);
}

json_t *grd_result_json(const struct grd_result *r, const struct grd_problem *p,
                        const struct grd_result_ids *ids)
{
        static const struct grd_result_ids none;
        if (!ids)
                ids = &none;
        json_t *o = json_object();
        json_object_set_new(o, "job_id", str_or_null(ids->job_id));
        json_object_set_new(o, "submission_id", str_or_null(ids->submission_id));
        json_object_set_new(
                o, "problem_id",
                str_or_null(ids->problem_id ? ids->problem_id : (p ? p->short_name : NULL)));
        json_object_set_new(o, "problem_revision", str_or_null(ids->problem_revision));
        json_object_set_new(o, "verdict", json_string(grd_verdict_name(r->verdict)));
        json_object_set_new(o, "score", json_real(r->score));
        json_object_set_new(o, "max_score", json_real(r->max_score));
        json_t *c = json_object();
        json_object_set_new(c, "status",
                            json_string(r->compile_status[0] ? r->compile_status : "IE"));
        json_object_set_new(c, "output", json_string(r->compile_output ? r->compile_output : ""));
        json_object_set_new(c, "time", seconds(r->compile_time));
        json_object_set_new(o, "compile", c);
        json_t *tests = json_array();
        for (size_t i = 0; i < r->n_tests; i++) {
                const struct grd_test_result *t = &r->tests[i];
                if (!t->ran)
                        continue; /* skipped tests are left out: they have no verdict */
                json_t *x = json_object();
                json_object_set_new(x, "name", json_string(t->name));
                json_object_set_new(x, "verdict", json_string(grd_verdict_name(t->verdict)));
                json_object_set_new(x, "time", seconds(t->time));
                json_object_set_new(x, "wall_time", seconds(t->wall_time));
                json_object_set_new(x, "memory", json_integer((json_int_t)t->memory));
                json_object_set_new(x, "score", json_real(t->score));
                json_object_set_new(x, "message", json_string(t->message ? t->message : ""));
                json_object_set_new(x, "stdout", json_string(t->stdout_head ? t->stdout_head : ""));
                json_object_set_new(x, "stdout_truncated", json_boolean(t->stdout_truncated));
                json_array_append_new(tests, x);
        }
        json_object_set_new(o, "tests", tests);
        if (p && p->scoring && r->scores.groups) {
                json_t *groups = json_array();
                for (size_t i = 0; i < r->scores.n_groups; i++) {
                        const struct grd_group_score *g = &r->scores.groups[i];
                        if (!g->group || !g->judged)
                                continue;
                        json_t *x = json_object();
                        json_object_set_new(x, "name", json_string(g->group->name));
                        json_object_set_new(x, "verdict",
                                            json_string(grd_verdict_name(g->verdict)));
                        json_object_set_new(x, "score", json_real(g->score));
                        json_object_set_new(x, "max_score", json_real(g->max_score));
                        json_array_append_new(groups, x);
                }
                json_object_set_new(o, "groups", groups);
        }
        json_object_set_new(o, "max_time", seconds(r->max_time));
        json_object_set_new(o, "max_memory", json_integer((json_int_t)r->max_memory));
        json_t *g = json_object();
        json_object_set_new(g, "id", json_string(ids->grader_id ? ids->grader_id : "local"));
        json_object_set_new(g, "version", json_string(GRADER_VERSION));
        json_object_set_new(o, "grader", g);
        char ts[40];
        cmn_rfc3339(r->started_at, ts, sizeof(ts));
        json_object_set_new(o, "started_at", json_string(ts));
        cmn_rfc3339(r->finished_at, ts, sizeof(ts));
        json_object_set_new(o, "finished_at", json_string(ts));
        if (r->verdict == GRD_VERDICT_IE)
                json_object_set_new(o, "internal_error", json_string(r->ie_reason));
        return o;
}
