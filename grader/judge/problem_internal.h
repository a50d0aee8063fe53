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

/* grd_pkg_exists - does rel exist in the package at all (even as a dangling symlink)? */
bool grd_pkg_exists(const struct grd_problem *p, const char *rel);

/*
 * grd_pkg_read_file - read the package file rel (a regular file inside the package, at most max
 * bytes) into a NUL-terminated buffer *ret (caller frees) of *ret_len bytes.
 * Return: 0 or a negative errno with err filled.
 */
int grd_pkg_read_file(const struct grd_problem *p, const char *rel, size_t max, char **ret,
                      size_t *ret_len, char *err, size_t errlen);

/*
 * grd_pkg_read_optional - grd_pkg_read_file for a file that may be absent: then *ret is NULL.
 * Return: 0 or a negative errno with err filled.
 */
int grd_pkg_read_optional(const struct grd_problem *p, const char *rel, size_t max, char **ret,
                          size_t *ret_len, char *err, size_t errlen);

/*
 * grd_pkg_parse_double - a YAML number: digits, sign and dot first (no "nan", "infinity" or hex),
 * finite; and "inf", "+inf", "-inf" (".inf", "-.inf") when allow_inf. Return: 0 or -EINVAL.
 */
int grd_pkg_parse_double(const char *s, bool allow_inf, double *ret);

/*
 * grd_pkg_read_yaml - read and parse the optional YAML file rel of the package (after
 * grd_pkg_resolve). *ret_root is NULL when the file is missing or empty.
 * Return: 0 or a negative errno with err filled.
 */
int grd_pkg_read_yaml(const struct grd_problem *p, const char *rel, struct grd_yaml_node **ret_root,
                      char *err, size_t errlen);

/*
 * grd_pkg_warn - add "file:line:col: message" (at != NULL) or "file: message" to p->warnings:
 * something grader run mentions and grader verify refuses. p may be NULL (the fuzz seams).
 * Return: 0 or -ENOMEM.
 */
__attribute__((format(printf, 4, 5))) int grd_pkg_warn(struct grd_problem *p, const char *file,
                                                       const struct grd_yaml_node *at,
                                                       const char *fmt, ...);

/*
 * grd_pkg_check_keys - warn about every key of map that is not in known (NULL-terminated),
 * naming it as prefix + key ("limits.tme_limit"). Return: 0 or -ENOMEM.
 */
int grd_pkg_check_keys(struct grd_problem *p, const struct grd_yaml_node *map, const char *file,
                       const char *prefix, const char *const *known);

/*
 * grd_pkg_args - read a node as arguments: a sequence of strings (2023-07), or a string split on
 * whitespace (legacy flags), into a new NULL-terminated vector *ret of *ret_n words (YAML null:
 * an empty vector).
 * Return: 0, or -EINVAL / -E2BIG with err naming the file and the key; -ENOMEM.
 */
int grd_pkg_args(const struct grd_yaml_node *n, const char *file, const char *key, char ***ret,
                 size_t *ret_n, char *err, size_t errlen);

/*
 * grd_pkg_named_args - read input validator arguments: legacy input_validator_flags (a string,
 * or a map {name, flags}) or 2023-07 input_validator_args (a sequence, or a map from validator
 * name to a sequence), into *ret (*ret_n entries; an entry with a NULL name is for every
 * validator).
 * Return: 0 or a negative errno with err filled.
 */
int grd_pkg_named_args(const struct grd_yaml_node *n, const char *file, const char *key,
                       struct grd_named_args **ret, size_t *ret_n, char *err, size_t errlen);

/* grd_pkg_named_args_free - free what grd_pkg_named_args made; accepts NULL. */
void grd_pkg_named_args_free(struct grd_named_args *a, size_t n);

/*
 * grd_pkg_load_programs - find the package's programs: the output validator (legacy
 * output_validators/ when validation is custom; 2023-07 output_validator/, whose presence makes
 * validation custom), input_validators/ and include/<language>/.
 * Return: 0 or a negative errno with err filled.
 */
int grd_pkg_load_programs(struct grd_problem *p, char *err, size_t errlen);

/* grd_pkg_programs_free - free what grd_pkg_load_programs found. */
void grd_pkg_programs_free(struct grd_problem *p);

/*
 * The test-data group settings in force while data/ is walked: a group starts from its parent's
 * (grd_group_cfg_copy), then its testdata.yaml (legacy) or test_group.yaml (2023-07) overlays
 * them key by key (grd_group_cfg_read). Strings and vectors are owned.
 */
struct grd_group_cfg {
        enum grd_on_reject on_reject;
        char *grader_flags; /* legacy grader_flags */
        char **ova;         /* the group's output validator arguments (after problem.yaml's
                               validator_flags): legacy output_validator_flags, 2023-07
                               output_validator_args */
        size_t n_ova;
        char *ova_file; /* the file that set them, for messages */
        char **args;    /* 2023-07 args: the submission's arguments */
        size_t n_args;
        struct grd_named_args *iva; /* input validators' arguments */
        size_t n_iva;
        double accept_score, reject_score;
        bool has_range;
        double range_min, range_max;
        bool range_declared; /* set by the group's own file; never inherited */
        /* 2023-07 scoring: the group's own test_group.yaml only, never inherited */
        bool max_score_set;
        double max_score;
        bool aggregation_set;
        enum grd_aggregate aggregation;
};

/* grd_group_cfg_init - the root's settings: every spec default. Return: 0 or -ENOMEM. */
int grd_group_cfg_init(struct grd_group_cfg *c);

/* grd_group_cfg_copy - a child group's starting point. Return: 0 or -ENOMEM. */
int grd_group_cfg_copy(struct grd_group_cfg *dst, const struct grd_group_cfg *src);

void grd_group_cfg_release(struct grd_group_cfg *c);

/*
 * grd_group_cfg_read - overlay the group file of the directory rel on c: testdata.yaml, or with
 * draft set test_group.yaml (2023-07 semantics). A file of the other kind is warned about.
 * Return: 0 or a negative errno with err filled.
 */
int grd_group_cfg_read(struct grd_problem *p, const char *rel, bool draft, struct grd_group_cfg *c,
                       char *err, size_t errlen);

/*
 * grd_group_apply - give a new group its settings from c (and the deprecated problem.yaml
 * overrides ov, which may be NULL); with draft, the 2023-07 scoring of its level (root, sample,
 * secret or a group of secret). Return: 0 or a negative errno with err filled.
 */
int grd_group_apply(struct grd_problem *p, const struct grd_pkg_overrides *ov,
                    const struct grd_group_cfg *c, bool draft, struct grd_group *g, char *err,
                    size_t errlen);

/*
 * grd_group_finish - once a group's tests are known: a 2023-07 sum group shares its max_score
 * among its tests. Return: 0 or a negative errno with err filled.
 */
int grd_group_finish(struct grd_problem *p, struct grd_group *g, bool draft, char *err,
                     size_t errlen);

/*
 * grd_test_yaml_read - a 2023-07 <test>.yaml (rel): args, output_validator_args,
 * input_validator_args for t; other known keys are accepted, unknown ones warned about.
 * Return: 0 or a negative errno with err filled.
 */
int grd_test_yaml_read(struct grd_problem *p, const char *rel, struct grd_test *t, char *err,
                       size_t errlen);

/*
 * grd_pkg_load_data - walk data/ of p->dir: groups, testdata.yaml settings, tests, the run-only
 * rule. Fills p->tests, p->root, p->groups. ov may be NULL.
 * Return: 0 or a negative errno with err filled.
 */
int grd_pkg_load_data(struct grd_problem *p, const struct grd_pkg_overrides *ov, char *err,
                      size_t errlen);

/*
 * grd_group_yaml_check - parse a testdata.yaml (or with draft, a 2023-07 test_group.yaml) text
 * as the loader does and throw the result away: a seam for the fuzz target, which has no
 * package directory.
 * Return: 0, or a negative errno with err filled.
 */
int grd_group_yaml_check(const char *buf, size_t len, bool draft, bool scoring, char *err,
                         size_t errlen);

#endif
