/* SPDX-License-Identifier: MIT */
/*
 * Problem packages: problem.yaml, .timelimit and output_validators/ of the Kattis legacy format;
 * data/ is walked by problem_data.c. Nothing here runs a program.
 */
#include "problem.h"
#include "problem_internal.h"

#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#define MIB 1048576.0

#define DEFAULT_TIME_LIMIT        1.0
#define DEFAULT_MEMORY_LIMIT      (256ull << 20)
#define DEFAULT_OUTPUT_LIMIT      (64ull << 20)
#define DEFAULT_VALIDATION_TIME   60.0 /* the spec's "typical system default" */
#define DEFAULT_VALIDATION_MEMORY (2048ull << 20)
/* A .timelimit file holds one number; anything longer is not one. */
#define TIMELIMIT_MAX_BYTES 64u

int grd_pkg_error(char *err, size_t errlen, int r, const char *file, const struct grd_yaml_node *at,
                  const char *fmt, ...)
{
        if (!errlen)
                return r;
        char msg[384];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (at)
                snprintf(err, errlen, "%s:%u:%u: %s", file, at->line, at->column, msg);
        else
                snprintf(err, errlen, "%s: %s", file, msg);
        return r;
}

const char *grd_pkg_string(const struct grd_yaml_node *n, const char *file, const char *key,
                           char *err, size_t errlen)
{
        if (grd_yaml_is_null(n))
                return "";
        if (n->type != GRD_YAML_SCALAR) {
                grd_pkg_error(err, errlen, -EINVAL, file, n, "'%s' must be a string", key);
                return NULL;
        }
        return n->value;
}

static int parse_double(const char *s, bool allow_inf, double *ret)
{
        while (*s == ' ' || *s == '\t')
                s++;
        if (allow_inf) {
                if (strcmp(s, "inf") == 0 || strcmp(s, "+inf") == 0 || strcmp(s, ".inf") == 0) {
                        *ret = INFINITY;
                        return 0;
                }
                if (strcmp(s, "-inf") == 0 || strcmp(s, "-.inf") == 0) {
                        *ret = -INFINITY;
                        return 0;
                }
        }
        /* digits, sign and dot first: strtod's "nan", "infinity" and hex are not YAML numbers */
        if (!((*s >= '0' && *s <= '9') || *s == '-' || *s == '+' || *s == '.'))
                return -EINVAL;
        if (strchr(s, 'x') || strchr(s, 'X'))
                return -EINVAL;
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        while (*end == ' ' || *end == '\t')
                end++;
        if (end == s || *end || errno == ERANGE || !isfinite(v))
                return -EINVAL;
        *ret = v;
        return 0;
}

int grd_pkg_number(const struct grd_yaml_node *n, const char *file, const char *key, double min,
                   double max, bool allow_inf, double *ret, char *err, size_t errlen)
{
        if (!n || n->type != GRD_YAML_SCALAR)
                return grd_pkg_error(err, errlen, -EINVAL, file, n, "'%s' must be a number", key);
        double v;
        if (parse_double(n->value, allow_inf, &v) < 0)
                return grd_pkg_error(err, errlen, -EINVAL, file, n,
                                     "'%s' must be a number, not '%.64s'", key, n->value);
        if (v < min || v > max)
                return grd_pkg_error(err, errlen, -EINVAL, file, n, "'%s' is %g, outside [%g, %g]",
                                     key, v, min, max);
        *ret = v;
        return 0;
}

int grd_pkg_range(const char *s, double *ret_min, double *ret_max)
{
        char a[64], b[64], extra[2];
        if (sscanf(s, "%63s %63s %1s", a, b, extra) != 2)
                return -EINVAL;
        double lo, hi;
        if (parse_double(a, true, &lo) < 0 || parse_double(b, true, &hi) < 0 || lo > hi)
                return -EINVAL;
        *ret_min = lo;
        *ret_max = hi;
        return 0;
}

void grd_pkg_strv_free(char **v)
{
        if (!v)
                return;
        for (char **i = v; *i; i++)
                free(*i);
        free(v);
}

int grd_pkg_strv_append(char ***v, size_t *n, const char *s)
{
        const char *sep = " \t\n\r\f\v";
        for (;;) {
                s += strspn(s, sep);
                size_t len = strcspn(s, sep);
                if (len == 0)
                        break;
                if (*n >= GRD_PROBLEM_MAX_ARGS)
                        return -E2BIG;
                char **nv = realloc(*v, (*n + 2) * sizeof(char *));
                if (!nv)
                        return -ENOMEM;
                *v = nv;
                nv[*n] = strndup(s, len);
                if (!nv[*n]) {
                        nv[*n] = NULL;
                        return -ENOMEM;
                }
                nv[++*n] = NULL;
                s += len;
        }
        if (!*v) {
                /* always hand out a vector, even an empty one */
                *v = calloc(1, sizeof(char *));
                if (!*v)
                        return -ENOMEM;
        }
        return 0;
}

int grd_pkg_resolve(const struct grd_problem *p, const char *rel, char **ret_real, bool *ret_is_dir,
                    char *err, size_t errlen)
{
        char path[PATH_MAX];
        if (cmn_join(path, sizeof(path), p->dir, rel) < 0)
                return grd_pkg_error(err, errlen, -ENAMETOOLONG, rel, NULL, "path too long");
        char *real = realpath(path, NULL);
        if (!real) {
                int r = errno ? -errno : -EIO;
                struct stat st;
                if (r == -ENOENT && lstat(path, &st) == 0)
                        return grd_pkg_error(err, errlen, -EINVAL, rel, NULL,
                                             "symlink to a missing file");
                return grd_pkg_error(err, errlen, r, rel, NULL, "%s", strerror(-r));
        }
        size_t n = strlen(p->dir);
        bool inside = strncmp(real, p->dir, n) == 0 &&
                      (real[n] == '/' || real[n] == '\0' || strcmp(p->dir, "/") == 0);
        if (!inside) {
                free(real);
                return grd_pkg_error(err, errlen, -EINVAL, rel, NULL,
                                     "resolves outside the package directory");
        }
        struct stat st;
        if (stat(real, &st) < 0) {
                int r = errno ? -errno : -EIO;
                free(real);
                return grd_pkg_error(err, errlen, r, rel, NULL, "%s", strerror(-r));
        }
        if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
                free(real);
                return grd_pkg_error(err, errlen, -EINVAL, rel, NULL,
                                     "neither a regular file nor a directory");
        }
        if (ret_is_dir)
                *ret_is_dir = S_ISDIR(st.st_mode);
        if (ret_real)
                *ret_real = real;
        else
                free(real);
        return 0;
}

/* Does rel exist at all (even as a dangling symlink)? */
static bool exists(const struct grd_problem *p, const char *rel)
{
        char path[PATH_MAX];
        struct stat st;
        return cmn_join(path, sizeof(path), p->dir, rel) == 0 && lstat(path, &st) == 0;
}

/* Read the package file rel (regular, inside, at most max bytes) into a NUL-terminated buffer. */
static int read_package_file(const struct grd_problem *p, const char *rel, size_t max, char **ret,
                             size_t *ret_len, char *err, size_t errlen)
{
        char *real = NULL;
        bool is_dir = false;
        int r = grd_pkg_resolve(p, rel, &real, &is_dir, err, errlen);
        if (r < 0)
                return r;
        if (is_dir || !real) {
                free(real);
                return grd_pkg_error(err, errlen, -EINVAL, rel, NULL, "is a directory");
        }
        r = cmn_read_file(real, max, ret, ret_len);
        free(real);
        if (r == -EFBIG)
                return grd_pkg_error(err, errlen, r, rel, NULL, "larger than %zu bytes", max);
        if (r < 0)
                return grd_pkg_error(err, errlen, r, rel, NULL, "%s", strerror(-r));
        return 0;
}

int grd_pkg_read_yaml(const struct grd_problem *p, const char *rel, struct grd_yaml_node **ret_root,
                      char *err, size_t errlen)
{
        *ret_root = NULL;
        if (!exists(p, rel))
                return 0;
        char *buf = NULL;
        size_t len = 0;
        int r = read_package_file(p, rel, GRD_YAML_MAX_BYTES, &buf, &len, err, errlen);
        if (r < 0)
                return r;
        r = grd_yaml_load(buf, len, rel, ret_root, err, errlen);
        free(buf);
        return r;
}

static int set_type(struct grd_problem *p, const struct grd_yaml_node *n, char *err, size_t errlen)
{
        const char *f = "problem.yaml";
        size_t count = n->type == GRD_YAML_SEQ ? n->n : 1;
        for (size_t i = 0; i < count; i++) {
                const struct grd_yaml_node *w = n->type == GRD_YAML_SEQ ? n->items[i] : n;
                if (w->type != GRD_YAML_SCALAR)
                        return grd_pkg_error(err, errlen, -EINVAL, f, w,
                                             "'type' must be a string or a list of strings");
                if (strcmp(w->value, "pass-fail") == 0)
                        p->scoring = false;
                else if (strcmp(w->value, "scoring") == 0)
                        p->scoring = true;
                else if (strcmp(w->value, "interactive") == 0 ||
                         strcmp(w->value, "multi-pass") == 0 ||
                         strcmp(w->value, "submit-answer") == 0)
                        return grd_pkg_error(err, errlen, -ENOTSUP, f, w,
                                             "type '%s' is not supported", w->value);
                else
                        return grd_pkg_error(err, errlen, -EINVAL, f, w,
                                             "unknown type '%.64s' (pass-fail or scoring)",
                                             w->value);
        }
        return 0;
}

static int set_validation(struct grd_problem *p, const struct grd_yaml_node *n, char *err,
                          size_t errlen)
{
        const char *f = "problem.yaml";
        const char *s = grd_pkg_string(n, f, "validation", err, errlen);
        if (!s)
                return -EINVAL;
        char **words = NULL;
        size_t nw = 0;
        int r = grd_pkg_strv_append(&words, &nw, s);
        if (r < 0) {
                grd_pkg_strv_free(words);
                return grd_pkg_error(err, errlen, r, f, n, "'validation' is too long");
        }
        r = 0;
        if (nw == 0 || strcmp(words[0], "default") == 0) {
                if (nw > 1)
                        r = grd_pkg_error(err, errlen, -EINVAL, f, n,
                                          "validation 'default' takes no options, got '%.64s'",
                                          words[1]);
        } else if (strcmp(words[0], "custom") == 0) {
                p->custom_validation = true;
                for (size_t i = 1; i < nw && r == 0; i++) {
                        if (strcmp(words[i], "score") == 0)
                                p->custom_score = true;
                        else if (strcmp(words[i], "interactive") == 0)
                                r = grd_pkg_error(err, errlen, -ENOTSUP, f, n,
                                                  "interactive problems are not supported");
                        else
                                r = grd_pkg_error(err, errlen, -EINVAL, f, n,
                                                  "unknown validation option '%.64s' (score or "
                                                  "interactive)",
                                                  words[i]);
                }
        } else {
                r = grd_pkg_error(err, errlen, -EINVAL, f, n,
                                  "unknown validation '%.64s' (default or custom)", words[0]);
        }
        grd_pkg_strv_free(words);
        return r;
}

static int set_limits(struct grd_problem *p, const struct grd_yaml_node *n, bool *ret_time_set,
                      char *err, size_t errlen)
{
        const char *f = "problem.yaml";
        if (grd_yaml_is_null(n))
                return 0;
        if (n->type != GRD_YAML_MAP)
                return grd_pkg_error(err, errlen, -EINVAL, f, n, "'limits' must be a map");
        const double max_mib = GRD_PROBLEM_MAX_MIB, max_t = GRD_PROBLEM_MAX_TIME_LIMIT;
        for (size_t i = 0; i < n->n; i++) {
                const char *k = n->keys[i]->value;
                const struct grd_yaml_node *v = n->items[i];
                double d = 0;
                int r = 0;
                if (grd_yaml_is_null(v))
                        continue;
                if (strcmp(k, "time_limit") == 0) {
                        r = grd_pkg_number(v, f, "limits.time_limit", 1e-3, max_t, false, &d, err,
                                           errlen);
                        if (r == 0) {
                                p->time_limit = d;
                                p->time_limit_source = "problem.yaml";
                                *ret_time_set = true;
                        }
                } else if (strcmp(k, "time_multiplier") == 0) {
                        r = grd_pkg_number(v, f, "limits.time_multiplier", 1e-3, 1000, false,
                                           &p->time_multiplier, err, errlen);
                } else if (strcmp(k, "time_safety_margin") == 0) {
                        r = grd_pkg_number(v, f, "limits.time_safety_margin", 1e-3, 1000, false,
                                           &p->time_safety_margin, err, errlen);
                } else if (strcmp(k, "memory") == 0) {
                        r = grd_pkg_number(v, f, "limits.memory", 1, max_mib, false, &d, err,
                                           errlen);
                        if (r == 0)
                                p->memory_limit = (uint64_t)(d * MIB + 0.5);
                } else if (strcmp(k, "output") == 0) {
                        r = grd_pkg_number(v, f, "limits.output", 1e-3, max_mib, false, &d, err,
                                           errlen);
                        if (r == 0)
                                p->output_limit = (uint64_t)(d * MIB + 0.5);
                } else if (strcmp(k, "validation_time") == 0) {
                        r = grd_pkg_number(v, f, "limits.validation_time", 1e-3, max_t, false,
                                           &p->validation_time, err, errlen);
                } else if (strcmp(k, "validation_memory") == 0) {
                        r = grd_pkg_number(v, f, "limits.validation_memory", 1, max_mib, false, &d,
                                           err, errlen);
                        if (r == 0)
                                p->validation_memory = (uint64_t)(d * MIB + 0.5);
                } else if (strcmp(k, "compilation_time") == 0) {
                        r = grd_pkg_number(v, f, "limits.compilation_time", 1e-3, max_t, false, &d,
                                           err, errlen);
                } else if (strcmp(k, "code") == 0 || strcmp(k, "compilation_memory") == 0 ||
                           strcmp(k, "validation_output") == 0) {
                        r = grd_pkg_number(v, f, k, 1e-3, max_mib, false, &d, err, errlen);
                }
                /* other keys (time_multipliers, time_resolution, ...) are informative: ignored */
                if (r < 0)
                        return r;
        }
        return 0;
}

static int set_grading(const struct grd_yaml_node *n, struct grd_pkg_overrides *ov, char *err,
                       size_t errlen)
{
        const char *f = "problem.yaml";
        if (grd_yaml_is_null(n))
                return 0;
        if (n->type != GRD_YAML_MAP)
                return grd_pkg_error(err, errlen, -EINVAL, f, n, "'grading' must be a map");
        const struct grd_yaml_node *v;
        if ((v = grd_yaml_get(n, "objective")) && !grd_yaml_is_null(v)) {
                const char *s = grd_pkg_string(v, f, "grading.objective", err, errlen);
                if (!s)
                        return -EINVAL;
                if (strcmp(s, "max") != 0 && strcmp(s, "min") != 0)
                        return grd_pkg_error(err, errlen, -EINVAL, f, v,
                                             "'grading.objective' must be min or max");
        }
        /* deprecated keys that problemtools still honours for every group */
        if ((v = grd_yaml_get(n, "on_reject")) && !grd_yaml_is_null(v)) {
                const char *s = grd_pkg_string(v, f, "grading.on_reject", err, errlen);
                if (!s)
                        return -EINVAL;
                ov->on_reject_set = true;
                if (strcmp(s, "first_error") == 0)
                        ov->on_reject = GRD_ON_REJECT_BREAK;
                else if (strcmp(s, "grade") == 0)
                        ov->on_reject = GRD_ON_REJECT_CONTINUE;
                else
                        return grd_pkg_error(err, errlen, -EINVAL, f, v,
                                             "'grading.on_reject' must be first_error or grade");
        }
        int r;
        if ((v = grd_yaml_get(n, "accept_score")) && !grd_yaml_is_null(v)) {
                r = grd_pkg_number(v, f, "grading.accept_score", -1e12, 1e12, false,
                                   &ov->accept_score, err, errlen);
                if (r < 0)
                        return r;
                ov->accept_set = true;
        }
        if ((v = grd_yaml_get(n, "reject_score")) && !grd_yaml_is_null(v)) {
                r = grd_pkg_number(v, f, "grading.reject_score", -1e12, 1e12, false,
                                   &ov->reject_score, err, errlen);
                if (r < 0)
                        return r;
                ov->reject_set = true;
        }
        if ((v = grd_yaml_get(n, "range")) && !grd_yaml_is_null(v)) {
                const char *s = grd_pkg_string(v, f, "grading.range", err, errlen);
                if (!s)
                        return -EINVAL;
                if (grd_pkg_range(s, &ov->range_min, &ov->range_max) < 0)
                        return grd_pkg_error(err, errlen, -EINVAL, f, v,
                                             "'grading.range' must be two numbers A <= B");
                ov->range_set = true;
        }
        return 0;
}

static int set_name(struct grd_problem *p, const struct grd_yaml_node *n, char *err, size_t errlen)
{
        const char *f = "problem.yaml";
        const char *s = NULL;
        if (n->type == GRD_YAML_MAP) {
                /* 2023-07: a map from language code to name; prefer English */
                const struct grd_yaml_node *en = grd_yaml_get(n, "en");
                n = en ? en : (n->n ? n->items[0] : NULL);
                if (!n)
                        return 0;
        }
        s = grd_pkg_string(n, f, "name", err, errlen);
        if (!s)
                return -EINVAL;
        char *dup = strdup(s);
        if (!dup)
                return -ENOMEM;
        free(p->name);
        p->name = dup;
        return 0;
}

/* Interpret problem.yaml text into p (already holding defaults). */
static int parse_problem(struct grd_problem *p, const char *buf, size_t len,
                         struct grd_pkg_overrides *ov, bool *ret_time_set, char *err, size_t errlen)
{
        const char *f = "problem.yaml";
        struct grd_yaml_node *root;
        int r = grd_yaml_load(buf, len, f, &root, err, errlen);
        if (r < 0)
                return r;
        if (grd_yaml_is_null(root)) {
                grd_yaml_free(root);
                return 0;
        }
        if (root->type != GRD_YAML_MAP) {
                r = grd_pkg_error(err, errlen, -EINVAL, f, root, "expected a map at the top");
                goto out;
        }
        const struct grd_yaml_node *v;
        if ((v = grd_yaml_get(root, "problem_format_version")) &&
            !grd_pkg_string(v, f, "problem_format_version", err, errlen)) {
                r = -EINVAL;
                goto out;
        }
        if ((v = grd_yaml_get(root, "name")) && !grd_yaml_is_null(v) &&
            (r = set_name(p, v, err, errlen)) < 0)
                goto out;
        if ((v = grd_yaml_get(root, "type")) && !grd_yaml_is_null(v) &&
            (r = set_type(p, v, err, errlen)) < 0)
                goto out;
        if ((v = grd_yaml_get(root, "validation")) && (r = set_validation(p, v, err, errlen)) < 0)
                goto out;
        if (p->custom_score && !p->scoring) {
                r = grd_pkg_error(err, errlen, -EINVAL, f, v,
                                  "validation 'custom score' needs type: scoring");
                goto out;
        }
        if ((v = grd_yaml_get(root, "validator_flags"))) {
                const char *s = grd_pkg_string(v, f, "validator_flags", err, errlen);
                if (!s) {
                        r = -EINVAL;
                        goto out;
                }
                r = grd_pkg_strv_append(&p->validator_args, &p->n_validator_args, s);
                if (r < 0) {
                        r = grd_pkg_error(err, errlen, r, f, v, "too many validator_flags");
                        goto out;
                }
        }
        if (!p->custom_validation) {
                char msg[256];
                r = grd_checker_parse_flags((const char *const *)p->validator_args,
                                            p->n_validator_args, &p->flags, msg, sizeof(msg));
                if (r < 0) {
                        r = grd_pkg_error(err, errlen, r, f, v, "validator_flags: %s", msg);
                        goto out;
                }
        }
        if ((r = set_limits(p, grd_yaml_get(root, "limits"), ret_time_set, err, errlen)) < 0)
                goto out;
        r = set_grading(grd_yaml_get(root, "grading"), ov, err, errlen);
out:
        grd_yaml_free(root);
        return r;
}

static struct grd_problem *problem_new(const struct grd_problem_defaults *d)
{
        struct grd_problem *p = calloc(1, sizeof(*p));
        if (!p)
                return NULL;
        p->time_limit = d && d->time_limit > 0 ? d->time_limit : DEFAULT_TIME_LIMIT;
        p->time_limit_source = "default";
        p->time_multiplier = 5;
        p->time_safety_margin = 2;
        p->memory_limit = d && d->memory_limit ? d->memory_limit : DEFAULT_MEMORY_LIMIT;
        p->output_limit = d && d->output_limit ? d->output_limit : DEFAULT_OUTPUT_LIMIT;
        p->validation_time =
                d && d->validation_time > 0 ? d->validation_time : DEFAULT_VALIDATION_TIME;
        p->validation_memory =
                d && d->validation_memory ? d->validation_memory : DEFAULT_VALIDATION_MEMORY;
        if (grd_pkg_strv_append(&p->validator_args, &p->n_validator_args, "") < 0) {
                free(p);
                return NULL;
        }
        return p;
}

int grd_problem_parse_yaml(const char *buf, size_t len, const struct grd_problem_defaults *defaults,
                           struct grd_problem **ret, char *err, size_t errlen)
{
        if (errlen)
                err[0] = '\0';
        struct grd_problem *p = problem_new(defaults);
        if (!p)
                return -ENOMEM;
        struct grd_pkg_overrides ov = {0};
        bool time_set = false;
        int r = parse_problem(p, buf, len, &ov, &time_set, err, errlen);
        if (r == 0 && !p->name && !(p->name = strdup("")))
                r = -ENOMEM;
        if (r < 0) {
                grd_problem_free(p);
                return r;
        }
        *ret = p;
        return 0;
}

/* DOMjudge's .timelimit: one number of seconds. */
static int read_timelimit(struct grd_problem *p, char *err, size_t errlen)
{
        const char *f = ".timelimit";
        if (!exists(p, f))
                return 0;
        char *buf = NULL;
        size_t len = 0;
        int r = read_package_file(p, f, TIMELIMIT_MAX_BYTES, &buf, &len, err, errlen);
        if (r < 0)
                return r;
        while (len > 0 && strchr(" \t\r\n", buf[len - 1]))
                buf[--len] = '\0';
        const char *s = buf + strspn(buf, " \t\r\n");
        double v;
        r = parse_double(s, false, &v);
        if (r < 0 || v <= 0 || v > GRD_PROBLEM_MAX_TIME_LIMIT)
                r = grd_pkg_error(err, errlen, -EINVAL, f, NULL,
                                  "expected a number of seconds in (0, %g], not '%.32s'",
                                  GRD_PROBLEM_MAX_TIME_LIMIT, s);
        else {
                p->time_limit = v;
                p->time_limit_source = ".timelimit";
        }
        free(buf);
        return r;
}

static int cmp_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* custom validation: output_validators/ (or the 2023-07 output_validator/) holds one program. */
static int find_validator(struct grd_problem *p, char *err, size_t errlen)
{
        const char *rel = exists(p, "output_validators") ? "output_validators" : "output_validator";
        char *real;
        bool is_dir = false;
        int r = grd_pkg_resolve(p, rel, &real, &is_dir, err, errlen);
        if (r == -ENOENT)
                return grd_pkg_error(err, errlen, -EINVAL, "output_validators/", NULL,
                                     "validation is custom but there is no output validator");
        if (r < 0)
                return r;
        if (!is_dir) {
                free(real);
                return grd_pkg_error(err, errlen, -EINVAL, rel, NULL, "not a directory");
        }
        int fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        free(real);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                r = -errno;
                if (fd >= 0)
                        close(fd);
                return grd_pkg_error(err, errlen, r, rel, NULL, "%s", strerror(-r));
        }
        char *names[2] = {NULL, NULL};
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                if (n < 2 && !(names[n] = strdup(de->d_name))) {
                        r = -ENOMEM;
                        break;
                }
                n++;
        }
        closedir(d);
        if (r == 0 && n == 0)
                r = grd_pkg_error(err, errlen, -EINVAL, rel, NULL,
                                  "validation is custom but the directory is empty");
        if (r == 0 && n > 1) {
                qsort(names, 2, sizeof(names[0]), cmp_names);
                r = grd_pkg_error(err, errlen, -EINVAL, rel, NULL,
                                  "more than one output validator ('%.64s', '%.64s'%s); "
                                  "only one is supported",
                                  names[0], names[1], n > 2 ? ", ..." : "");
        }
        if (r == 0) {
                char sub[PATH_MAX];
                if (cmn_join(sub, sizeof(sub), rel, names[0]) < 0)
                        r = grd_pkg_error(err, errlen, -ENAMETOOLONG, rel, NULL, "path too long");
                else
                        r = grd_pkg_resolve(p, sub, &p->validator_path, &p->validator_is_dir, err,
                                            errlen);
        }
        free(names[0]);
        free(names[1]);
        return r;
}

int grd_problem_load(const char *dir, const struct grd_problem_defaults *defaults,
                     struct grd_problem **ret, char *err, size_t errlen)
{
        if (errlen)
                err[0] = '\0';
        struct grd_problem *p = problem_new(defaults);
        if (!p)
                return -ENOMEM;
        int r;
        struct stat st;
        p->dir = realpath(dir, NULL);
        if (!p->dir) {
                r = grd_pkg_error(err, errlen, -errno, dir, NULL, "%s", strerror(errno));
                goto fail;
        }
        if (stat(p->dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
                r = grd_pkg_error(err, errlen, -ENOTDIR, dir, NULL, "not a directory");
                goto fail;
        }
        const char *base = strrchr(p->dir, '/');
        p->short_name = strdup(base && base[1] ? base + 1 : p->dir);
        if (!p->short_name) {
                r = -ENOMEM;
                goto fail;
        }
        struct grd_pkg_overrides ov = {0};
        bool time_set = false;
        if (exists(p, "problem.yaml")) {
                char *buf = NULL;
                size_t len = 0;
                r = read_package_file(p, "problem.yaml", GRD_YAML_MAX_BYTES, &buf, &len, err,
                                      errlen);
                if (r < 0)
                        goto fail;
                r = parse_problem(p, buf, len, &ov, &time_set, err, errlen);
                free(buf);
                if (r < 0)
                        goto fail;
        }
        if (!p->name || !p->name[0]) {
                free(p->name);
                if (!(p->name = strdup(p->short_name))) {
                        r = -ENOMEM;
                        goto fail;
                }
        }
        if (!time_set && (r = read_timelimit(p, err, errlen)) < 0)
                goto fail;
        if (p->custom_validation && (r = find_validator(p, err, errlen)) < 0)
                goto fail;
        if ((r = grd_pkg_load_data(p, &ov, err, errlen)) < 0)
                goto fail;
        *ret = p;
        return 0;
fail:
        grd_problem_free(p);
        return r;
}

void grd_problem_free(struct grd_problem *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < p->n_tests; i++) {
                free(p->tests[i].name);
                free(p->tests[i].in_path);
                free(p->tests[i].ans_path);
        }
        free(p->tests);
        for (size_t i = 0; i < p->n_groups; i++) {
                struct grd_group *g = p->groups[i];
                free(g->name);
                grd_pkg_strv_free(g->validator_args);
                free(g->items);
                free(g);
        }
        free(p->groups);
        grd_pkg_strv_free(p->validator_args);
        free(p->validator_path);
        free(p->dir);
        free(p->name);
        free(p->short_name);
        free(p);
}

long grd_problem_find_test(const struct grd_problem *p, const char *name)
{
        for (size_t i = 0; i < p->n_tests; i++)
                if (strcmp(p->tests[i].name, name) == 0)
                        return (long)i;
        return -ENOENT;
}
