/* SPDX-License-Identifier: MIT */
/*
 * What `grader verify` checks, without the printing: which verdicts an example submission may
 * get (its folder, or DOMjudge's @EXPECTED_RESULTS@ tag), the time margins and a derived time
 * limit, and the input validators run on the test data.
 */
#ifndef GRADER_VERIFY_H
#define GRADER_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "build.h"
#include "grade.h"
#include "language.h"
#include "problem.h"
#include "verdict.h"

/* The verdicts an example submission may get. */
struct grd_expectation {
        unsigned verdicts; /* 1 << enum grd_verdict, for each allowed one */
        bool partial;      /* partially_accepted: AC, below the full score */
        bool skip;         /* DOMjudge's check_manually: nothing to check */
        char source[96];   /* where it came from: "accepted/", "@EXPECTED_RESULTS@ in a.c" */
};

#define GRD_EXPECT(v) (1u << (v))

/*
 * grd_expect_folder - the expectation of a folder of submissions/: the legacy spec's and
 * 2023-07's (accepted, partially_accepted, wrong_answer, time_limit_exceeded, run_time_error,
 * rejected, brute_force), this grader's (memory_limit_exceeded, output_limit_exceeded,
 * compile_error) and DOMjudge's (compiler_error, no_output, output_limit, check_manually).
 * run_time_error also takes MLE and SV: in the spec's four verdicts a program that exceeds its
 * memory or makes a forbidden call has crashed.
 * Return: 0; -ENOENT for a folder it does not know.
 */
int grd_expect_folder(const char *folder, struct grd_expectation *ret);

/*
 * grd_expect_tags - DOMjudge's "@EXPECTED_RESULTS@: A, B" in the submission's files (the first
 * such tag of each file; every file that has one must agree). DOMjudge's names: CORRECT,
 * ACCEPTED, WRONG-ANSWER, NO-OUTPUT (a WA), TIMELIMIT, RUN-ERROR (RE, MLE or SV), OUTPUT-LIMIT,
 * COMPILER-ERROR, CHECK-MANUALLY; '_' and '-' are the same.
 * Return: 1 and *ret filled when a tag was found; 0 when none; -EINVAL with err naming the file
 * and the word or the disagreement.
 */
int grd_expect_tags(const struct grd_source *files, size_t n, struct grd_expectation *ret,
                    char *err, size_t errlen);

/* grd_expect_match - whether a result meets an expectation (partial: AC below max_score). */
bool grd_expect_match(const struct grd_expectation *e, const struct grd_result *r);

/* grd_expect_describe - the allowed verdicts as text ("RE/MLE/SV", "AC<max", "not AC"). */
void grd_expect_describe(const struct grd_expectation *e, char *buf, size_t n);

/*
 * grd_time_limit_derive - a time limit from the slowest accepted submission's time, as
 * problemtools derives one: slowest x p->time_multiplier, rounded up to a multiple of
 * p->time_resolution, at least one resolution.
 */
double grd_time_limit_derive(const struct grd_problem *p, double slowest);

/*
 * grd_input_validate - run a built input validator (def, built into c) on test t as
 * `validator ARGS < t.in`, ARGS the test's input_validator flags or args for it, in the sandbox
 * under the problem's validation limits. Exit 42 accepts the input.
 * Return: 0 with *ret_ok, and on rejection why (its exit status and the last line it wrote);
 * -errno when the run itself failed (why says so).
 */
int grd_input_validate(struct grd_env *env, const struct grd_problem *p,
                       const struct grd_program *def, const struct grd_compiled *c,
                       const struct grd_test *t, bool *ret_ok, char *why, size_t whylen);

#endif
