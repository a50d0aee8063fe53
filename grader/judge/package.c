/* SPDX-License-Identifier: MIT */
/*
 * Helpers every part of the package loader shares: messages that name the file, reading numbers,
 * strings and word lists from YAML nodes, and resolving paths so that nothing outside the package
 * directory is ever read.
 */
#include "problem.h"
#include "problem_internal.h"

#include "common.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
        if (!n || grd_yaml_is_null(n))
                return "";
        if (n->type != GRD_YAML_SCALAR) {
                grd_pkg_error(err, errlen, -EINVAL, file, n, "'%s' must be a string", key);
                return NULL;
        }
        return n->value;
}

int grd_pkg_parse_double(const char *s, bool allow_inf, double *ret)
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
        if (grd_pkg_parse_double(n->value, allow_inf, &v) < 0)
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
        if (grd_pkg_parse_double(a, true, &lo) < 0 || grd_pkg_parse_double(b, true, &hi) < 0 ||
            lo > hi)
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
bool grd_pkg_exists(const struct grd_problem *p, const char *rel)
{
        char path[PATH_MAX];
        struct stat st;
        return cmn_join(path, sizeof(path), p->dir, rel) == 0 && lstat(path, &st) == 0;
}

/* Read the package file rel (regular, inside, at most max bytes) into a NUL-terminated buffer. */
int grd_pkg_read_file(const struct grd_problem *p, const char *rel, size_t max, char **ret,
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

int grd_pkg_read_optional(const struct grd_problem *p, const char *rel, size_t max, char **ret,
                          size_t *ret_len, char *err, size_t errlen)
{
        *ret = NULL;
        *ret_len = 0;
        return grd_pkg_exists(p, rel) ? grd_pkg_read_file(p, rel, max, ret, ret_len, err, errlen)
                                      : 0;
}

int grd_pkg_read_yaml(const struct grd_problem *p, const char *rel, struct grd_yaml_node **ret_root,
                      char *err, size_t errlen)
{
        *ret_root = NULL;
        char *buf = NULL;
        size_t len = 0;
        int r = grd_pkg_read_optional(p, rel, GRD_YAML_MAX_BYTES, &buf, &len, err, errlen);
        if (r < 0 || !buf)
                return r;
        r = grd_yaml_load(buf, len, rel, ret_root, err, errlen);
        free(buf);
        return r;
}

int grd_pkg_warn(struct grd_problem *p, const char *file, const struct grd_yaml_node *at,
                 const char *fmt, ...)
{
        if (!p)
                return 0;
        if (p->n_warnings >= GRD_PROBLEM_MAX_WARNINGS) {
                p->n_warnings_dropped++;
                return 0;
        }
        char msg[384], line[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (at)
                snprintf(line, sizeof(line), "%s:%u:%u: %s", file, at->line, at->column, msg);
        else
                snprintf(line, sizeof(line), "%s: %s", file, msg);
        char **nw = realloc(p->warnings, (p->n_warnings + 2) * sizeof(char *));
        if (!nw)
                return -ENOMEM;
        p->warnings = nw;
        if (!(nw[p->n_warnings] = strdup(line)))
                return -ENOMEM;
        nw[++p->n_warnings] = NULL;
        return 0;
}

int grd_pkg_check_keys(struct grd_problem *p, const struct grd_yaml_node *map, const char *file,
                       const char *prefix, const char *const *known)
{
        for (size_t i = 0; map && map->type == GRD_YAML_MAP && i < map->n; i++) {
                const char *k = map->keys[i]->value;
                bool found = false;
                for (size_t j = 0; known[j] && !found; j++)
                        found = !strcmp(known[j], k);
                if (!found &&
                    grd_pkg_warn(p, file, map->keys[i], "unknown key '%s%.64s'", prefix, k) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int grd_pkg_args(const struct grd_yaml_node *n, const char *file, const char *key, char ***ret,
                 size_t *ret_n, char *err, size_t errlen)
{
        char **v = NULL;
        size_t nv = 0;
        int r = 0;
        if (n && n->type == GRD_YAML_SEQ) {
                for (size_t i = 0; i < n->n && r == 0; i++) {
                        const struct grd_yaml_node *w = n->items[i];
                        if (w->type != GRD_YAML_SCALAR) {
                                r = grd_pkg_error(err, errlen, -EINVAL, file, w,
                                                  "'%s' must be a list of strings", key);
                        } else if (nv >= GRD_PROBLEM_MAX_ARGS) {
                                r = grd_pkg_error(err, errlen, -E2BIG, file, w,
                                                  "'%s' has more than %u arguments", key,
                                                  GRD_PROBLEM_MAX_ARGS);
                        } else {
                                /* a sequence item is one argument, spaces and all */
                                char **nn = realloc(v, (nv + 2) * sizeof(char *));
                                if (!nn || !(nn[nv] = strdup(w->value))) {
                                        if (nn)
                                                v = nn;
                                        r = -ENOMEM;
                                } else {
                                        v = nn;
                                        v[++nv] = NULL;
                                }
                        }
                }
                if (r == 0 && !v && !(v = calloc(1, sizeof(char *))))
                        r = -ENOMEM;
        } else {
                const char *s = grd_pkg_string(n, file, key, err, errlen);
                if (!s)
                        r = -EINVAL;
                else if ((r = grd_pkg_strv_append(&v, &nv, s)) == -E2BIG)
                        r = grd_pkg_error(err, errlen, r, file, n, "too many arguments in '%s'",
                                          key);
        }
        if (r < 0) {
                if (v)
                        v[nv] = NULL;
                grd_pkg_strv_free(v);
                return r;
        }
        *ret = v;
        *ret_n = nv;
        return 0;
}

void grd_pkg_named_args_free(struct grd_named_args *a, size_t n)
{
        for (size_t i = 0; a && i < n; i++) {
                free(a[i].name);
                grd_pkg_strv_free(a[i].args);
        }
        free(a);
}

/* One more entry of a named-argument list. Return: 0 or -ENOMEM. */
static int named_add(struct grd_named_args **a, size_t *n, const char *name)
{
        struct grd_named_args *na = realloc(*a, (*n + 1) * sizeof(**a));
        if (!na)
                return -ENOMEM;
        *a = na;
        na[*n] = (struct grd_named_args){0};
        if (name && !(na[*n].name = strdup(name)))
                return -ENOMEM;
        (*n)++;
        return 0;
}

int grd_pkg_named_args(const struct grd_yaml_node *n, const char *file, const char *key,
                       struct grd_named_args **ret, size_t *ret_n, char *err, size_t errlen)
{
        struct grd_named_args *a = NULL;
        size_t na = 0;
        int r = 0;
        if (n && n->type == GRD_YAML_MAP && grd_yaml_get(n, "flags") && grd_yaml_get(n, "name")) {
                /* legacy: {name, flags} */
                const char *name = grd_pkg_string(grd_yaml_get(n, "name"), file, key, err, errlen);
                r = name ? named_add(&a, &na, name) : -EINVAL;
                if (r == 0)
                        r = grd_pkg_args(grd_yaml_get(n, "flags"), file, key, &a[0].args, &a[0].n,
                                         err, errlen);
        } else if (n && n->type == GRD_YAML_MAP) {
                /* 2023-07: validator name -> arguments */
                for (size_t i = 0; i < n->n && r == 0; i++) {
                        r = named_add(&a, &na, n->keys[i]->value);
                        if (r == 0)
                                r = grd_pkg_args(n->items[i], file, key, &a[na - 1].args,
                                                 &a[na - 1].n, err, errlen);
                }
        } else {
                r = named_add(&a, &na, NULL);
                if (r == 0)
                        r = grd_pkg_args(n, file, key, &a[0].args, &a[0].n, err, errlen);
        }
        if (r < 0) {
                grd_pkg_named_args_free(a, na);
                return r;
        }
        *ret = a;
        *ret_n = na;
        return 0;
}
