/* SPDX-License-Identifier: MIT */
/* Scoring: test results aggregated through the test-data groups by the legacy default grader. */
#ifndef GRADER_SCORING_H
#define GRADER_SCORING_H

#include <stdbool.h>
#include <stddef.h>

#include "problem.h"
#include "verdict.h"

/* What happened to one test; an array of these is indexed like grd_problem.tests. */
struct grd_test_outcome {
        bool ran; /* false: not run (skipped); the test is left out as if absent */
        enum grd_verdict verdict;
        bool has_score; /* a custom validator wrote score.txt */
        double score;
};

/* The result of one group, for the result JSON. */
struct grd_group_score {
        const struct grd_group *group;
        bool judged;              /* at least one of its items was graded */
        enum grd_verdict verdict; /* by the group's verdict mode (worst_error by default) */
        double score;             /* aggregated and clamped to the range */
        double max_score;         /* see grd_score_compute */
};

/* A submission's result. Owns its arrays; release with grd_score_release. */
struct grd_score {
        double score, max_score;
        enum grd_verdict verdict; /* the root group's verdict (IE when any test was IE) */
        double *test_scores;      /* n_tests: each test's own score (0 when not graded) */
        bool *test_counted;       /* n_tests: graded and not in an ignored sample group */
        size_t n_tests;
        struct grd_group_score *groups; /* n_groups, indexed like grd_problem.groups */
        size_t n_groups;
};

/*
 * grd_scoring_should_run - whether test_index still needs to run given the outcomes so far: false
 * when a group on its path has on_reject: break and an earlier item of that group (a test, or a
 * subgroup graded from its tests) was not accepted. Tests are meant to run in index order; the
 * outcomes of later tests are not looked at.
 */
bool grd_scoring_should_run(const struct grd_problem *p, const struct grd_test_outcome *outcomes,
                            size_t test_index);

/*
 * grd_score_compute - grade a submission from outcomes[p->n_tests], like the legacy default
 * grader and problemtools:
 * - a test scores its validator score when accepted with has_score, accept_score when accepted,
 *   reject_score otherwise (the scores of its own group);
 * - a group grades its items in order, stopping after the first non-accepted one when on_reject
 *   is break (results after it are ignored even if they ran); its verdict is IE if any item is
 *   IE, else by verdict mode (worst_error: the first of IE SV RE MLE TLE OLE WA present;
 *   first_error; always_accept), AC when accept_if_any_accepted and an item is AC, and AC for a
 *   group with nothing graded; its score is the sum/avg/min/max of its items (0 when empty;
 *   pass-fail: the top of its range when every item was accepted, else 0),
 *   clamped to its range; the root with ignore_sample leaves data/sample out of both;
 * - max_score of a test is its accept_score; of a group, the top of its range when its own
 *   testdata.yaml declares a finite one (a custom score validator's scores are unknown
 *   otherwise), else the aggregate of its items' max_score (the sample left out under
 *   ignore_sample) clamped to its range;
 * - the submission: verdict IE when any test that ran is IE, else the root group's verdict (the
 *   spec's result of the test data: with the defaults, on_reject break and worst_error, the first
 *   failing test's). Scoring problems score the root group's score out of
 *   its max_score; pass-fail problems score 1 of 1 when the verdict is AC, else 0 of 1.
 * Return: 0 and *ret filled (release with grd_score_release); -ENOMEM.
 */
int grd_score_compute(const struct grd_problem *p, const struct grd_test_outcome *outcomes,
                      struct grd_score *ret, char *err, size_t errlen);

/* grd_score_release - free the arrays of a grd_score and zero it; accepts NULL. */
void grd_score_release(struct grd_score *s);

#endif
