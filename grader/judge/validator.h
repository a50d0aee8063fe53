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

#endif
