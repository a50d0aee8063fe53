/* SPDX-License-Identifier: MIT */
/*
 * Problem packages: the Kattis/ICPC package format, legacy and 2023-07 draft, read into memory
 * (docs/problems.md).
 */
#ifndef GRADER_PROBLEM_H
#define GRADER_PROBLEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checker.h"

/* Caps on what one package may hold. */
#define GRD_PROBLEM_MAX_TESTS      10000u
#define GRD_PROBLEM_MAX_GROUPS     10000u
#define GRD_PROBLEM_MAX_DEPTH      16u         /* groups below data/, sample and secret included */
#define GRD_PROBLEM_MAX_TIME_LIMIT 3600.0      /* seconds */
#define GRD_PROBLEM_MAX_MIB        1048576u    /* memory and output limits: 1 TiB */
#define GRD_PROBLEM_DEFAULT_PASSES 2u          /* limits.validation_passes, as the spec says */
#define GRD_PROBLEM_MAX_PASSES     100u        /* each pass is a whole run: a sane cap */
#define GRD_PROBLEM_MAX_ARGS       256u        /* validator arguments */
#define GRD_PROBLEM_MAX_WARNINGS   64u         /* warnings kept (the rest are counted) */
#define GRD_PROGRAM_MAX_FILES      256u        /* files of one package program */
#define GRD_PROGRAM_MAX_BYTES      (64u << 20) /* bytes of one package program */

/* Which version of the format a package follows (problem.yaml problem_format_version). */
enum grd_format {
        GRD_FORMAT_LEGACY,  /* "legacy" (the default), "legacy-icpc" */
        GRD_FORMAT_2023_07, /* "2023-07-draft", "2023-07" */
};

/* A file of a package program, or of an include/ directory. */
struct grd_program_file {
        char *name; /* relative to the program's directory: a plain file name */
        char *path; /* absolute, symlinks resolved, inside the package */
};

/* What kind of program an input validator is. */
enum grd_program_kind {
        GRD_PROGRAM_PROGRAM,       /* sources of a language, or build/run scripts */
        GRD_PROGRAM_CHECKTESTDATA, /* a .ctd file: not supported, named when met */
        GRD_PROGRAM_VIVA,          /* a .viva file: not supported, named when met */
};

/*
 * A program of the package (an output or input validator): a single file, taken as a directory
 * holding only that file, or a directory.
 */
struct grd_program {
        char *name; /* its name in the package: "checker", "validate.py" */
        char *rel;  /* the package-relative path, for messages: "output_validators/checker" */
        enum grd_program_kind kind;
        struct grd_program_file *files; /* sorted by name */
        size_t n_files;
        bool has_build, has_run; /* the legacy spec's build and run scripts */
};

/* Arguments of input validators: for every one (name NULL), or for the one called name. */
struct grd_named_args {
        char *name;
        char **args; /* NULL-terminated */
        size_t n;
};

/* include/<language>/: files added to every submission of the language before compiling. */
struct grd_include {
        char *language; /* a language id, or "default" (every language without its own) */
        struct grd_program_file *files;
        size_t n_files;
};

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
        GRD_AGG_PASS_FAIL, /* 2023-07 score_aggregation pass-fail: all accepted or nothing */
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
        char **validator_args; /* problem validator_flags + group output_validator_flags
                                  (2023-07: output_validator_args), NULL-terminated; pass to a
                                  custom validator after "input answer feedback_dir" */
        size_t n_validator_args;
        struct grd_checker_flags flags; /* validator_args parsed, for the default validator */
        char **args;                    /* 2023-07 args: the submission's arguments */
        size_t n_args;
        struct grd_named_args *input_args; /* input validators' arguments */
        size_t n_input_args;
        struct grd_group_item *items; /* tests and subgroups in judging order */
        size_t n_items;
        size_t first_test, n_tests; /* the tests of this subtree: tests[first_test..+n_tests) */
};

/*
 * One test case: data/<name>.in and data/<name>.ans. The argument vectors are the group's
 * unless a 2023-07 <name>.yaml sets them: use grd_test_* below rather than reading the group.
 */
struct grd_test {
        char *name;      /* path under data/ without extension: "sample/1", "secret/g1/03-big" */
        char *in_path;   /* absolute, symlinks resolved (always inside the package) */
        char *ans_path;  /* likewise; NULL for a run-only test (verdict: the run's status) */
        char *files_dir; /* 2023-07 <name>.files/: copied beside the program; NULL */
        bool sample;
        struct grd_group *group; /* the group the test is an item of */
        size_t index;            /* position in grd_problem.tests */
        char **validator_args;   /* <name>.yaml output_validator_args, or NULL */
        size_t n_validator_args;
        struct grd_checker_flags flags; /* validator_args parsed, when set */
        char **args;                    /* <name>.yaml args, or NULL */
        size_t n_args;
        struct grd_named_args *input_args; /* <name>.yaml input_validator_args, or NULL */
        size_t n_input_args;
};

/* A loaded package. Every string and array is owned by it; free with grd_problem_free. */
struct grd_problem {
        char *dir;        /* absolute, symlinks resolved */
        char *name;       /* problem.yaml name, else the short name */
        char *short_name; /* the package directory's base name */
        enum grd_format format;
        bool scoring;                  /* type: scoring (else pass-fail) */
        double time_limit;             /* seconds */
        const char *time_limit_source; /* "problem.yaml", ".timelimit" or "default" (static) */
        double time_multiplier;        /* deriving a limit: slowest accepted time x this (legacy
                                          time_multiplier 5; 2023-07 ac_to_time_limit 2) */
        double time_ac_margin;         /* accepted submissions run within time_limit / this (legacy
                                          time_safety_margin 2; 2023-07 ac_to_time_limit 2) */
        double time_tle_margin;        /* time-limit submissions still fail at time_limit x this
                                          (legacy time_safety_margin 2; 2023-07 time_limit_to_tle 1.5) */
        double time_resolution;     /* a derived limit is a multiple of it (2023-07; legacy 1 s) */
        uint64_t memory_limit;      /* bytes */
        uint64_t output_limit;      /* bytes */
        uint64_t code_limit;        /* bytes of a submission's files (limits.code); 0: none */
        double validation_time;     /* seconds, for custom validators */
        uint64_t validation_memory; /* bytes, for custom validators */
        uint64_t validation_output; /* bytes, for custom validators */
        bool allow_file_writing;    /* the program may write in its work dir (legacy: yes;
                                       2023-07: allow_file_writing, default no) */
        char **languages;           /* 2023-07 languages (ids, NULL-terminated); NULL: all */
        bool custom_validation;     /* legacy validation: custom; 2023-07: output_validator/ */
        bool custom_score;          /* the validator may write score.txt (legacy: custom score;
                                       2023-07: a scoring problem) */
        bool interactive;           /* the validator talks with the running submission (legacy:
                                       validation custom interactive; 2023-07: type) */
        bool multi_pass;            /* the validator's nextpass.in starts another pass (legacy:
                                       validation custom multi-pass; 2023-07: type) */
        unsigned validation_passes; /* most passes of a multi-pass problem (default 2) */
        struct grd_program *validator;        /* the custom output validator, or NULL */
        struct grd_program *input_validators; /* input_validators/ (for grader verify) */
        size_t n_input_validators;
        struct grd_include *includes; /* include/<language>/ */
        size_t n_includes;
        char **validator_args; /* validator_flags, NULL-terminated */
        size_t n_validator_args;
        struct grd_checker_flags flags; /* validator_flags parsed (default validation only) */
        bool run_only;                  /* no .ans anywhere: every test is run-only */
        size_t n_run_only;              /* tests without an .ans (run-only tests) */
        char **warnings; /* what grader run warns about and grader verify refuses: unknown keys,
                            unused parts; each names its file ("problem.yaml:3:1: ...") */
        size_t n_warnings;
        size_t n_warnings_dropped; /* past GRD_PROBLEM_MAX_WARNINGS */
        struct grd_test *tests;    /* sample tests first, then secret, in judging order */
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
        double validation_time;     /* built-in: grd_default_validator_limits (60 s) */
        uint64_t validation_memory; /* built-in: grd_default_validator_limits (2 GiB) */
};

/*
 * grd_problem_load - read the package in dir by the spec its problem_format_version names
 * (legacy or 2023-07 draft): problem.yaml, .timelimit, the output validator, input_validators/,
 * include/, data/ with its testdata.yaml (2023-07: test_group.yaml) and per-test files. Nothing
 * is run. defaults may be NULL.
 * Every path is checked: a symlink that resolves outside dir, a non-regular file, a name with
 * characters outside [A-Za-z0-9_.-], malformed YAML, an unsupported feature (interactive
 * validation, custom graders, ...: named in the message), absurd limits or more than
 * GRD_PROBLEM_MAX_TESTS tests make the load fail with a message that names the file:
 * "problem.yaml:4:3: ...". Unknown keys and unused parts are not errors: p->warnings lists them.
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

/* grd_test_validator_args - the output validator's arguments for a test (its own, else its
 * group's, else the problem's), NULL-terminated; *ret_flags gets them parsed for the default
 * validator. */
char *const *grd_test_validator_args(const struct grd_problem *p, const struct grd_test *t,
                                     const struct grd_checker_flags **ret_flags);

/* grd_test_args - the submission's arguments for a test (2023-07 args), NULL-terminated or NULL. */
char *const *grd_test_args(const struct grd_test *t);

/*
 * grd_test_input_args - the arguments of the input validator called name for a test: its own
 * (2023-07 <test>.yaml) else its group's; a map that does not name the validator gives none.
 * Return: a NULL-terminated vector, or NULL for none.
 */
char *const *grd_test_input_args(const struct grd_test *t, const char *name);

/* grd_problem_include - the include/ files for a language: include/<id>/, else include/default/,
 * else NULL. */
const struct grd_include *grd_problem_include(const struct grd_problem *p, const char *language);

/* grd_problem_language_allowed - whether the 2023-07 languages key allows a language id. */
bool grd_problem_language_allowed(const struct grd_problem *p, const char *language);

#endif
