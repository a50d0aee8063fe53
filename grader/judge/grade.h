/* SPDX-License-Identifier: MIT */
/* Grading one submission: compile once, run every test in a fresh work dir, check, score. */
#ifndef GRADER_GRADE_H
#define GRADER_GRADE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "build.h"
#include "language.h"
#include "problem.h"
#include "scoring.h"
#include "validator.h"
#include "verdict.h"

#define GRD_STDOUT_HEAD    (4u << 10)  /* bytes of each test's stdout kept in the result */
#define GRD_STDERR_DEFAULT (64u << 10) /* bytes of each test's stderr kept, by default */

struct grd_test_result {
        const char *name; /* owned by the problem */
        bool ran;         /* false: skipped (on_reject: break, or stop at first failure) */
        enum grd_verdict verdict;
        double time, wall_time;
        uint64_t memory;
        double score;
        bool has_score; /* a validator's score.txt */
        char *message;  /* checker feedback or the run's message; may be NULL */
        char *stdout_head;
        bool stdout_truncated;
        char *stderr_head; /* what the program wrote on stderr, UTF-8, capped; may be NULL */
        bool stderr_truncated;
};

struct grd_result {
        enum grd_verdict verdict;
        double score, max_score;
        char compile_status[8]; /* "OK", "CE", "IE" */
        char *compile_output;
        double compile_time;
        struct grd_test_result *tests;
        size_t n_tests;
        struct grd_score scores; /* per group, for the result JSON */
        double max_time;
        uint64_t max_memory;
        double started_at, finished_at; /* realtime */
        char ie_reason[512];            /* for IE: what went wrong (the grader's fault) */
};

struct grd_grade_input {
        const struct grd_problem *problem;
        const struct grd_language *lang;
        const struct grd_validator *validator; /* required when the problem has one */
        const struct grd_source *src;
        size_t n_src;
        bool stop_at_first_failure;
        size_t stderr_max; /* bytes of stderr kept per test; 0: GRD_STDERR_DEFAULT */
        double time_limit; /* seconds; 0: the problem's (grader verify runs others) */
        /* called after each test (may be NULL) */
        void (*on_test)(void *ctx, size_t index, size_t total, const struct grd_test_result *r);
        void (*on_compiled)(void *ctx, const struct grd_result *r);
        void *ctx;
};

/*
 * grd_grade - grade one submission: the problem's include/<language>/ files join the
 * submission's (replacing files of the same name), a language the problem does not allow or
 * files over its code limit are a compile error, then compile once and run each test under
 * the problem's limits (the work dir read-only when the problem does not allow file writing),
 * judge its output (validator.h) and score (scoring.h). A fault of the grader (sandbox set-up,
 * a broken validator) makes the verdict IE with ie_reason filled: never a verdict against the
 * student.
 * Return: 0 with *out filled (release with grd_result_release()); -errno only for invalid
 * arguments or when out of memory.
 */
int grd_grade(struct grd_env *env, const struct grd_grade_input *in, struct grd_result *out);

void grd_result_release(struct grd_result *r);

/* Identifiers of the job a result belongs to (all may be NULL when grading by hand). */
struct grd_result_ids {
        const char *job_id, *submission_id, *problem_id, *problem_revision;
        const char *grader_id;
};

/* grd_result_json - the result object of docs/grading.md; the caller owns the reference. */
json_t *grd_result_json(const struct grd_result *r, const struct grd_problem *p,
                        const struct grd_result_ids *ids);

#endif
