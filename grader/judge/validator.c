/* SPDX-License-Identifier: MIT */
/*
 * Output validation: the default validator (checker.c) or the package's custom validator,
 * built by program.c and run by grd_run_compiled like any compiled program, in a fresh
 * directory holding copies of the input and the answer and a writable feedback/ directory.
 * Whatever the validator does other than exit 42 or 43 is the judge's failure (IE), never the
 * submission's wrong answer.
 */
#include "validator.h"

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
#include "program.h"

#define SCORE_FILE_MAX 64u   /* bytes of score.txt: one number */
#define STDERR_KEPT    2048u /* bytes of a failing validator's stderr quoted in the IE reason */

int grd_validator_prepare(struct grd_env *env, const struct grd_problem *p,
                          const struct grd_languages *langs, struct grd_validator *ret, char *err,
                          size_t errlen)
{
        memset(ret, 0, sizeof(*ret));
        if (!p->custom_validation || !p->validator)
                return 0;
        char why[1024];
        int r = grd_program_build(env, p->validator, langs, &ret->compiled, why, sizeof(why));
        if (r < 0) {
                snprintf(err, errlen, "output validator %s", why);
                return r;
        }
        ret->ready = true;
        return 0;
}

void grd_validator_release(struct grd_validator *v)
{
        if (v && v->ready)
                grd_compiled_release(&v->compiled);
        if (v)
                v->ready = false;
}

void grd_judgement_release(struct grd_judgement *j)
{
        free(j->message);
        j->message = NULL;
}

void grd_judgement_error(struct grd_judgement *j, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(j->ie, sizeof(j->ie), fmt, ap);
        va_end(ap);
        j->verdict = GRD_VERDICT_IE;
}

/* The default validator, streaming both files. */
static void check_default(const struct grd_problem *p, const struct grd_test *t, int out_fd,
                          struct grd_judgement *j)
{
        const struct grd_checker_flags *flags;
        grd_test_validator_args(p, t, &flags);
        int ans = open(t->ans_path, O_RDONLY | O_CLOEXEC);
        if (ans < 0 || lseek(out_fd, 0, SEEK_SET) < 0) {
                grd_judgement_error(j, "opening the answer of '%s': %s", t->name, strerror(errno));
                if (ans >= 0)
                        close(ans);
                return;
        }
        bool ok = false;
        char msg[512] = "";
        int r = grd_check_default(ans, out_fd, flags, &ok, msg, sizeof(msg));
        close(ans);
        if (r < 0) {
                grd_judgement_error(j, "checking test '%s': %s", t->name,
                                    msg[0] ? msg : strerror(-r));
                return;
        }
        j->verdict = ok ? GRD_VERDICT_AC : GRD_VERDICT_WA;
        if (!ok && msg[0])
                j->message = strdup(msg);
}

/* Read a whole file of the validator's making, safely and capped (NULL when absent). */
static char *read_made_file(int dirfd, const char *name, size_t cap, bool *ret_present)
{
        *ret_present = false;
        int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return NULL;
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return NULL;
        }
        *ret_present = true;
        bool trunc;
        char *s = grd_capture_read(fd, cap, &trunc);
        close(fd);
        /* one message, not a file: trim trailing whitespace */
        size_t l = s ? strlen(s) : 0;
        while (l && (s[l - 1] == '\n' || s[l - 1] == '\r' || s[l - 1] == ' ' || s[l - 1] == '\t'))
                s[--l] = '\0';
        return s;
}

/* score.txt or score_multiplier.txt: one finite number, in range. */
static int read_score(int fdd, const char *name, double max, double *ret, bool *ret_present,
                      char *why, size_t whylen)
{
        char *s = read_made_file(fdd, name, SCORE_FILE_MAX, ret_present);
        if (!*ret_present)
                return 0;
        char *end = NULL;
        double v = s ? strtod(s, &end) : NAN;
        int r = 0;
        if (!s || end == s || *end || !isfinite(v) || v < 0 || v > max) {
                snprintf(why, whylen, "%s holds '%.32s', not a number in [0, %g]", name, s ? s : "",
                         max);
                r = -EINVAL;
        }
        *ret = v;
        free(s);
        return r;
}

void grd_validator_feedback(const struct grd_problem *p, const struct grd_test *t, const char *dir,
                            struct grd_judgement *j)
{
        char path[PATH_MAX];
        if (cmn_join(path, sizeof(path), dir, "feedback") < 0)
                return;
        int fdd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fdd < 0)
                return;
        bool present = false, mult_present = false;
        j->message = read_made_file(fdd, "judgemessage.txt", GRD_FEEDBACK_MAX, &present);
        if (p->custom_score && j->verdict == GRD_VERDICT_AC) {
                char why[160] = "";
                double score = 0, mult = 0;
                double worth = t->group ? t->group->accept_score : 1;
                int r = read_score(fdd, "score.txt", INFINITY, &score, &present, why, sizeof(why));
                if (r == 0 && p->format == GRD_FORMAT_2023_07)
                        r = read_score(fdd, "score_multiplier.txt", 1, &mult, &mult_present, why,
                                       sizeof(why));
                if (r == 0 && present && mult_present)
                        snprintf(why, sizeof(why), "both score.txt and score_multiplier.txt");
                if (why[0]) {
                        grd_judgement_error(j, "the output validator's %s on test '%s'", why,
                                            t->name);
                } else if (present || mult_present) {
                        j->has_score = true;
                        j->score = present ? score : mult * worth;
                }
        }
        close(fdd);
}

void grd_validator_stderr_tail(int fd, char *buf, size_t n)
{
        bool trunc;
        buf[0] = '\0';
        char *s = fd >= 0 ? grd_capture_read(fd, STDERR_KEPT, &trunc) : NULL;
        size_t l = s ? strlen(s) : 0;
        while (l && (s[l - 1] == '\n' || s[l - 1] == '\r'))
                s[--l] = '\0';
        const char *line = s ? strrchr(s, '\n') : NULL;
        if (s && l)
                snprintf(buf, n, ": %.200s", line ? line + 1 : s);
        free(s);
}

char **grd_validator_argv(const struct grd_problem *p, const struct grd_test *t)
{
        const struct grd_checker_flags *flags;
        char *const *extra = grd_test_validator_args(p, t, &flags);
        size_t n = 0;
        while (extra && extra[n])
                n++;
        char **args = calloc(n + 4, sizeof(char *));
        if (!args)
                return NULL;
        args[0] = (char *)"input";
        args[1] = (char *)"answer";
        args[2] = (char *)"feedback/";
        for (size_t i = 0; i < n; i++)
                args[3 + i] = extra[i];
        return args;
}

static void run_custom(struct grd_env *env, const struct grd_problem *p,
                       const struct grd_validator *v, const struct grd_test *t, int out_fd,
                       struct grd_judgement *j)
{
        char **args = grd_validator_argv(p, t);
        int err_fd = grd_capture_open(env, "validator-stderr");
        const struct grd_run_file files[] = {{t->in_path, "input"}, {t->ans_path, "answer"}};
        char dir[PATH_MAX] = "", why[512] = "", tail[256];
        struct grd_run_spec spec = {.time = p->validation_time,
                                    .memory = p->validation_memory,
                                    .output = p->validation_output,
                                    .stdin_from_fd = true,
                                    .stdin_fd = out_fd,
                                    .stdout_fd = -1,
                                    .stderr_fd = err_fd,
                                    .args = args,
                                    .files = files,
                                    .n_files = CMN_ARRAY_SIZE(files),
                                    .writable_dir = "feedback",
                                    .keep_dir = dir};
        struct sbx_result vr = {0};
        int r = !args ? -ENOMEM : err_fd < 0 ? err_fd : 0;
        /* the validator reads the program's output from the start */
        if (r == 0 && lseek(out_fd, 0, SEEK_SET) < 0)
                r = -errno;
        if (r == 0)
                r = grd_run_compiled(env, &v->compiled, &spec, &vr, why, sizeof(why));
        if (r < 0) {
                grd_judgement_error(j, "running the output validator on test '%s': %s", t->name,
                                    why[0] ? why : strerror(-r));
        } else if (vr.status == SBX_STATUS_RE && (vr.exit_code == GRD_VALIDATOR_EXIT_AC ||
                                                  vr.exit_code == GRD_VALIDATOR_EXIT_WA)) {
                j->verdict =
                        vr.exit_code == GRD_VALIDATOR_EXIT_AC ? GRD_VERDICT_AC : GRD_VERDICT_WA;
                grd_validator_feedback(p, t, dir, j);
        } else {
                /* any other ending is the judge's failure, never the student's WA */
                grd_validator_stderr_tail(err_fd, tail, sizeof(tail));
                grd_judgement_error(j, "the output validator failed on test '%s': %s (%s)%s",
                                    t->name, sbx_status_name(vr.status), vr.message, tail);
        }
        if (dir[0])
                cmn_rmtree(dir);
        if (err_fd >= 0)
                close(err_fd);
        free(args);
}

int grd_validate_output(struct grd_env *env, const struct grd_problem *p,
                        const struct grd_validator *v, const struct grd_test *t, int out_fd,
                        struct grd_judgement *j)
{
        memset(j, 0, sizeof(*j));
        if (!t->ans_path) {
                j->verdict = GRD_VERDICT_AC; /* run-only: the run's status is the verdict */
                return 0;
        }
        if (p->custom_validation) {
                if (!v || !v->ready)
                        grd_judgement_error(j, "the output validator was not built");
                else
                        run_custom(env, p, v, t, out_fd, j);
        } else {
                check_default(p, t, out_fd, j);
        }
        return 0;
}
