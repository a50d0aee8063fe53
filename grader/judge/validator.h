/* SPDX-License-Identifier: MIT */
/*
 * Output validation, in one place: the default validator (checker.h) and a package's custom
 * output validator, built once per package and run in the sandbox for each test.
 */
#ifndef GRADER_VALIDATOR_H
#define GRADER_VALIDATOR_H

#include <stdbool.h>
#include <stddef.h>

#include "build.h"
#include "checker.h"
#include "language.h"
#include "problem.h"
#include "verdict.h"

/* The output validator protocol's exit statuses; any other is the validator's failure. */
#define GRD_VALIDATOR_EXIT_AC 42
#define GRD_VALIDATOR_EXIT_WA 43

#define GRD_FEEDBACK_MAX (16u << 10) /* bytes of judgemessage.txt kept */

/* A built custom output validator, shared by every submission of a package revision. */
struct grd_validator {
        bool ready; /* built (a problem without a custom validator leaves it false) */
        struct grd_compiled compiled;
};

/*
 * grd_validator_prepare - build the package's custom output validator, when it has one
 * (grd_program_build: sources of any configured language, or build/run scripts).
 * Return: 0 (*ret zeroed when there is none); -errno with err naming the validator and the
 * compiler's complaint.
 */
int grd_validator_prepare(struct grd_env *env, const struct grd_problem *p,
                          const struct grd_languages *langs, struct grd_validator *ret, char *err,
                          size_t errlen);

/* grd_validator_release - accepts a zeroed validator. */
void grd_validator_release(struct grd_validator *v);

/* What the validation of one output says. */
struct grd_judgement {
        enum grd_verdict verdict; /* AC, WA, or IE: the judge failed (ie says why) */
        char *message;            /* the feedback: judgemessage.txt or the default validator's */
        bool has_score;           /* a score.txt (or score_multiplier.txt) gave score */
        double score;
        char ie[512];
};

/*
 * grd_validate_output - judge the output a program wrote for test t (out_fd, read from its
 * start): with the default validator and the test's flags, or with v, run as
 * `validator input answer feedback/ ARGS < output` in a fresh directory of the sandbox under
 * the problem's validation limits: exit 42 AC, 43 WA with judgemessage.txt as the message,
 * anything else IE, never WA. A scoring validator's score.txt (2023-07: or
 * score_multiplier.txt, times the test's worth) becomes the score.
 * Return: 0 with *j filled (release with grd_judgement_release); -ENOMEM.
 */
int grd_validate_output(struct grd_env *env, const struct grd_problem *p,
                        const struct grd_validator *v, const struct grd_test *t, int out_fd,
                        struct grd_judgement *j);

void grd_judgement_release(struct grd_judgement *j);

/* grd_judgement_error - make j IE with the formatted reason (the judge failed). */
void grd_judgement_error(struct grd_judgement *j, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/*
 * grd_validator_feedback - after a validator exited 42 or 43 (j->verdict set) in a run
 * directory dir: judgemessage.txt becomes j->message, and for an accepting scoring validator
 * score.txt (2023-07: or score_multiplier.txt) the score; a malformed score file makes j IE.
 */
void grd_validator_feedback(const struct grd_problem *p, const struct grd_test *t, const char *dir,
                            struct grd_judgement *j);

/* grd_validator_stderr_tail - ": " + the last line a failing validator wrote on stderr (fd, a
 * capture file), or "" when it wrote nothing; for the IE reason. */
void grd_validator_stderr_tail(int fd, char *buf, size_t n);

/* grd_validator_argv - "input" "answer" "feedback/" then the test's validator arguments,
 * NULL-terminated (free the array, not the strings). Return: NULL when out of memory. */
char **grd_validator_argv(const struct grd_problem *p, const struct grd_test *t);

/*
 * grd_run_passes - run the submission c on test t of an interactive or multi-pass problem
 * (p->interactive, p->multi_pass) and judge it, pass after pass (docs/problems.md, "Interactive
 * and multi-pass problems"):
 * - interactive: the submission and the validator v run at once, joined by pipes
 *   (grd_run_compiled_pair), the validator as `validator input answer feedback/ ARGS`;
 * - otherwise: the submission's output is validated afterwards, as for any test;
 * - multi-pass: a pass the validator accepts while leaving feedback/nextpass.in starts another,
 *   with nextpass.in as the input, the feedback dir carried over, at most
 *   p->validation_passes passes.
 * spec is the submission's run (its stdin_path the test's input; stdout_fd, stderr_fd capture
 * files the caller reads afterwards: they hold the last pass's). *run gets the last pass's run
 * with the CPU and wall time the largest over the passes; *j the verdict (any grd_verdict:
 * the submission's TLE, RE... decided by the rule of docs/problems.md), message and score.
 * Return: 0; -ENOMEM.
 */
int grd_run_passes(struct grd_env *env, const struct grd_problem *p, const struct grd_validator *v,
                   const struct grd_compiled *c, const struct grd_run_spec *spec,
                   const struct grd_test *t, struct sbx_result *run, struct grd_judgement *j);

/*
 * grd_interactive_verdict - which verdict wins in one interactive pass (Kattis problemtools'
 * rule): the validator crashed or exited other than 42/43 -> IE (a deadlock, both sides
 * stopped by the wall limit, is the submission's TLE); it exited 43 before the submission
 * ended -> WA; else the submission's TLE; else its other failures (RE, MLE, OLE, SV); else the
 * validator's AC or WA. Return: the verdict; GRD_VERDICT_AC or _WA means "the validator's".
 */
enum grd_verdict grd_interactive_verdict(const struct sbx_pair_result *r);

#endif
