/* SPDX-License-Identifier: MIT */
/* Problem packages: the Kattis/ICPC legacy package format, read into memory (docs/problems.md). */
#ifndef GRADER_PROBLEM_H
#define GRADER_PROBLEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checker.h"

/* Caps on what one package may hold. */
#define GRD_PROBLEM_MAX_TESTS      10000u
#define GRD_PROBLEM_MAX_GROUPS     10000u
#define GRD_PROBLEM_MAX_DEPTH      16u      /* groups below data/, sample and secret included */
#define GRD_PROBLEM_MAX_TIME_LIMIT 3600.0   /* seconds */
#define GRD_PROBLEM_MAX_MIB        1048576u /* memory and output limits: 1 TiB */
#define GRD_PROBLEM_MAX_ARGS       256u     /* validator arguments */

/* testdata.yaml on_reject. */
enum grd_on_reject {
        GRD_ON_REJECT_BREAK,    /* stop judging the group at its first non-accepted item */
        GRD_ON_REJECT_CONTINUE, /* judge every item of the group */
};

/* Score aggregation of the default grader (testdata.yaml grader_flags). */
enum grd_aggregate {
        GRD_AGG_SUM,
        GRD_AGG_MIN,
        GRD_AGG_MAX,
        GRD_AGG_AVG,
};

/* Verdict aggregation of the default grader (testdata.yaml grader_flags). */
enum grd_verdict_mode {
        GRD_VERDICT_MODE_WORST_ERROR, /* the default */
        GRD_VERDICT_MODE_FIRST_ERROR,
        GRD_VERDICT_MODE_ALWAYS_ACCEPT,
};

struct grd_group;

/* One item of a group, in judging order: a subgroup (group != NULL) or the test p->tests[test]. */
struct grd_group_item {
        struct grd_group *group;
        size_t test;
};

/*
 * A test data group: data/ (the root), data/sample, data/secret and every directory below them,
 * with its effective testdata.yaml settings (each key inherited from the parent group unless the
 * group's own testdata.yaml sets it).
 */
struct grd_group {
        char *name;               /* "data", "data/sample", "data/secret/group1" */
        struct grd_group *parent; /* NULL for the root */
        size_t index;             /* position in grd_problem.groups (pre-order) */
        bool sample;              /* data/sample or below */
        double accept_score;      /* a test's score when accepted without a validator score */
        double reject_score;      /* a test's score when not accepted */
        bool has_range;           /* range given (scoring problems): the group score is clamped */
        double range_min, range_max; /* may be -INFINITY / INFINITY */
        bool range_declared;         /* this group's own testdata.yaml sets range (not inherited) */
        enum grd_on_reject on_reject;
        enum grd_aggregate aggregate;
        enum grd_verdict_mode verdict_mode;
        bool ignore_sample; /* effective at the root only: data/sample counts for nothing */
        bool accept_if_any_accepted;
        char **validator_args; /* problem validator_flags + group output_validator_flags,
                                  NULL-terminated; pass to a custom validator after
                                  "input answer feedback_dir" */
        size_t n_validator_args;
        struct grd_checker_flags flags; /* validator_args parsed, for the default validator */
        struct grd_group_item *items;   /* tests and subgroups in judging order */
        size_t n_items;
        size_t first_test, n_tests; /* the tests of this subtree: tests[first_test..+n_tests) */
};

/* One test case: data/<name>.in and data/<name>.ans. */
struct grd_test {
        char *name;     /* path under data/ without extension: "sample/1", "secret/g1/03-big" */
        char *in_path;  /* absolute, symlinks resolved (always inside the package) */
        char *ans_path; /* likewise; NULL for a run-only test */
        bool sample;
        struct grd_group *group; /* the group the test is an item of */
        size_t index;            /* position in grd_problem.tests */
};

/* A loaded package. Every string and array is owned by it; free with grd_problem_free. */
struct grd_problem {
        char *dir;                     /* absolute, symlinks resolved */
        char *name;                    /* problem.yaml name, else the short name */
        char *short_name;              /* the package directory's base name */
        bool scoring;                  /* type: scoring (else pass-fail) */
        double time_limit;             /* seconds */
        const char *time_limit_source; /* "problem.yaml", ".timelimit" or "default" (static) */
        double time_multiplier;        /* limits.time_multiplier (default 5), informative */
        double time_safety_margin;     /* limits.time_safety_margin (default 2), informative */
        uint64_t memory_limit;         /* bytes */
        uint64_t output_limit;         /* bytes */
        double validation_time;        /* seconds, for a custom output validator */
        uint64_t validation_memory;    /* bytes, for a custom output validator */
        bool custom_validation;        /* validation: custom [score] */
        bool custom_score;     /* validation: custom score (the validator writes score.txt) */
        char *validator_path;  /* custom: output_validators/<the one program>, absolute */
        bool validator_is_dir; /* the program is a directory (else a single file) */
        char **validator_args; /* validator_flags, NULL-terminated */
        size_t n_validator_args;
        struct grd_checker_flags flags; /* validator_flags parsed (default validation only) */
        bool run_only;                  /* no .ans anywhere: every test is run-only */
        struct grd_test *tests;         /* sample tests first, then secret, in judging order */
        size_t n_tests;
        struct grd_group *root;    /* data/ */
        struct grd_group **groups; /* every group in pre-order; groups[0] == root */
        size_t n_groups;
};

/* Limits for what a package leaves unset; a zero field means the built-in value. */
struct grd_problem_defaults {
        double time_limit;          /* built-in: 1 s */
        uint64_t memory_limit;      /* built-in: 256 MiB */
        uint64_t output_limit;      /* built-in: 64 MiB */
        double validation_time;     /* built-in: 60 s */
        uint64_t validation_memory; /* built-in: 2 GiB */
};

/*
 * grd_problem_load - read the package in dir: problem.yaml, .timelimit, output_validators/,
 * data/ with its testdata.yaml files. Nothing is run. defaults may be NULL.
 * Every path is checked: a symlink that resolves outside dir, a non-regular file, a name with
 * characters outside [A-Za-z0-9_.-], malformed YAML, an unsupported feature (interactive
 * validation, custom graders), absurd limits or more than GRD_PROBLEM_MAX_TESTS tests make the
 * load fail with a message that names the file: "problem.yaml:4:3: ...".
 * Return: 0 and *ret (free with grd_problem_free); -EINVAL (bad package), -ENOTSUP (unsupported
 * feature), -ENOENT (dir missing), -ENOMEM, or another -errno, with err filled.
 */
int grd_problem_load(const char *dir, const struct grd_problem_defaults *defaults,
                     struct grd_problem **ret, char *err, size_t errlen);

/*
 * grd_problem_parse_yaml - interpret len bytes of problem.yaml text alone (no directory, no tests,
 * time_limit_source "problem.yaml" or "default"): what grd_problem_load does with the file, and
 * the seam for the fuzz target. defaults may be NULL.
 * Return: as grd_problem_load; *ret has root == NULL and n_tests == 0.
 */
int grd_problem_parse_yaml(const char *buf, size_t len, const struct grd_problem_defaults *defaults,
                           struct grd_problem **ret, char *err, size_t errlen);

/* grd_problem_free - free a problem and everything it owns; accepts NULL. */
void grd_problem_free(struct grd_problem *p);

/* grd_problem_find_test - the index of the test called name ("secret/3"), or -ENOENT. */
long grd_problem_find_test(const struct grd_problem *p, const char *name);

#endif
