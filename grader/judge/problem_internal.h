/* SPDX-License-Identifier: MIT */
/* Private to judge/problem*.c: the capped YAML loader and helpers the loader files share. */
#ifndef GRADER_PROBLEM_INTERNAL_H
#define GRADER_PROBLEM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "problem.h"

/*
 * Caps on what one YAML file may hold. problem.yaml and testdata.yaml are a few hundred bytes in
 * practice; these bounds only stop a hostile file from costing memory or stack.
 */
#define GRD_YAML_MAX_BYTES  (256u * 1024u) /* whole file */
#define GRD_YAML_MAX_NODES  4096u          /* scalars, maps and sequences together */
#define GRD_YAML_MAX_DEPTH  16u            /* nesting of maps and sequences */
#define GRD_YAML_MAX_SCALAR (64u * 1024u)  /* one scalar's bytes */

enum grd_yaml_type {
        GRD_YAML_SCALAR,
        GRD_YAML_MAP,
        GRD_YAML_SEQ,
};

/*
 * One node of a loaded document. A map keeps its keys (always scalars) and values side by side:
 * keys[i] maps to items[i]. A sequence keeps items[0..n). A scalar keeps its bytes in value
 * (NUL-terminated, len bytes) and whether it was written plain (unquoted), which tells the YAML
 * null "~" from the string "~".
 */
struct grd_yaml_node {
        enum grd_yaml_type type;
        unsigned line, column; /* 1-based position of the node's start */
        char *value;
        size_t len;
        bool plain;
        struct grd_yaml_node **keys;
        struct grd_yaml_node **items;
        size_t n, cap;
};

/*
 * grd_yaml_load - parse one YAML document of len bytes (at most GRD_YAML_MAX_BYTES) into a tree.
 * Aliases are refused (so no "billion laughs"), as are more than one document, non-scalar or
 * duplicate map keys, and anything past the caps above. filename only prefixes error messages:
 * "problem.yaml:3:7: found character that cannot start any token".
 * Return: 0 and *ret_root (NULL for an empty document; free with grd_yaml_free); -EINVAL with err
 * filled for malformed or refused input; -EFBIG past a cap; -ENOMEM.
 */
int grd_yaml_load(const char *buf, size_t len, const char *filename,
                  struct grd_yaml_node **ret_root, char *err, size_t errlen);

/* grd_yaml_free - free a tree from grd_yaml_load; accepts NULL. */
void grd_yaml_free(struct grd_yaml_node *node);

/* grd_yaml_get - the value of key in map, or NULL when absent or when map is not a map. */
const struct grd_yaml_node *grd_yaml_get(const struct grd_yaml_node *map, const char *key);

/* grd_yaml_is_null - true for NULL and for the plain scalars "", "~", "null", "Null", "NULL". */
bool grd_yaml_is_null(const struct grd_yaml_node *node);

/* Deprecated problem.yaml grading keys that, as in problemtools, override every group's value. */
struct grd_pkg_overrides {
        bool on_reject_set, accept_set, reject_set, range_set;
        enum grd_on_reject on_reject;
        double accept_score, reject_score, range_min, range_max;
};

/*
 * grd_pkg_error - fill err with "file:line:col: message" (at != NULL) or "file: message".
 * Return: r, so that callers can write `return grd_pkg_error(...)`.
 */
__attribute__((format(printf, 6, 7))) int grd_pkg_error(char *err, size_t errlen, int r,
                                                        const char *file,
                                                        const struct grd_yaml_node *at,
                                                        const char *fmt, ...);

/*
 * grd_pkg_number - read a scalar node as a number into *ret: finite, in [min, max], and also
 * "inf", "+inf", "-inf" when allow_inf. key names the setting in the message.
 * Return: 0 or -EINVAL with err filled.
 */
int grd_pkg_number(const struct grd_yaml_node *n, const char *file, const char *key, double min,
                   double max, bool allow_inf, double *ret, char *err, size_t errlen);

/* grd_pkg_string - the text of a scalar node ("" for YAML null), or NULL (err filled) if it is not
 * one. */
const char *grd_pkg_string(const struct grd_yaml_node *n, const char *file, const char *key,
                           char *err, size_t errlen);

/* grd_pkg_range - parse "A B" (numbers or inf, -inf, +inf) with A <= B. Return: 0 or -EINVAL. */
int grd_pkg_range(const char *s, double *ret_min, double *ret_max);

/*
 * grd_pkg_strv_append - split s on whitespace and append the words to the NULL-terminated vector
 * *v of *n strings (which may start as NULL/0). Return: 0, -E2BIG past GRD_PROBLEM_MAX_ARGS,
 * -ENOMEM.
 */
int grd_pkg_strv_append(char ***v, size_t *n, const char *s);

/* grd_pkg_strv_free - free a vector from grd_pkg_strv_append; accepts NULL. */
void grd_pkg_strv_free(char **v);

/*
 * grd_pkg_resolve - realpath of dir/rel, which must stay inside the package directory p->dir and
 * be a regular file or a directory. *ret_real (caller frees) and *ret_is_dir on success.
 * Return: 0; -ENOENT when missing (err filled); -EINVAL when it escapes the package or is neither
 * a regular file nor a directory; other -errno.
 */
int grd_pkg_resolve(const struct grd_problem *p, const char *rel, char **ret_real, bool *ret_is_dir,
                    char *err, size_t errlen);

/*
 * grd_pkg_read_yaml - read and parse the optional YAML file rel of the package (after
 * grd_pkg_resolve). *ret_root is NULL when the file is missing or empty.
 * Return: 0 or a negative errno with err filled.
 */
int grd_pkg_read_yaml(const struct grd_problem *p, const char *rel, struct grd_yaml_node **ret_root,
                      char *err, size_t errlen);

/*
 * grd_pkg_load_data - walk data/ of p->dir: groups, testdata.yaml settings, tests, the run-only
 * rule. Fills p->tests, p->root, p->groups. ov may be NULL.
 * Return: 0 or a negative errno with err filled.
 */
int grd_pkg_load_data(struct grd_problem *p, const struct grd_pkg_overrides *ov, char *err,
                      size_t errlen);

/*
 * grd_testdata_yaml_check - parse a testdata.yaml text as the loader of problem.c does and throw
 * the result away: a seam for the fuzz target, which has no package directory.
 * Return: 0, or a negative errno with err filled.
 */
int grd_testdata_yaml_check(const char *buf, size_t len, bool scoring, char *err, size_t errlen);

#endif
