/* SPDX-License-Identifier: MIT */
/* Unit tests of scoring: aggregation modes, ranges, on_reject, ignore_sample, pass-fail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pkgutil.h"
#include "problem.h"
#include "scoring.h"

#include <errno.h>
#include <math.h>

#define PKG(name) GRADER_TEST_PACKAGES "/" name
#define AC        GRD_VERDICT_AC
#define WA        GRD_VERDICT_WA

static char err[512];

/* pkg_make, failing the test when the package cannot be written */
static char *must_make(const char *const *files)
{
        char *root = pkg_make(files);
        if (!root) {
                fail_msg("cannot write a test package");
                abort();
        }
        return root;
}

static struct grd_problem *load(const char *dir)
{
        struct grd_problem *p = NULL;
        if (grd_problem_load(dir, NULL, &p, err, sizeof(err)) < 0)
                fail_msg("loading %s: %s", dir, err);
        return p;
}

/* Outcomes for every test: all accepted, then the given (index, verdict) pairs. */
static struct grd_test_outcome *outcomes_all_ac(const struct grd_problem *p)
{
        struct grd_test_outcome *o = calloc(p->n_tests, sizeof(*o));
        assert_non_null(o);
        for (size_t i = 0; i < p->n_tests; i++)
                o[i] = (struct grd_test_outcome){.ran = true, .verdict = AC};
        return o;
}

static void set(struct grd_test_outcome *o, const struct grd_problem *p, const char *name,
                enum grd_verdict v)
{
        long i = grd_problem_find_test(p, name);
        if (i < 0)
                fail_msg("no test %s", name);
        o[i].verdict = v;
}

/* Run the tests as the grader would: in order, skipping what should not run. */
static void run_in_order(const struct grd_problem *p, struct grd_test_outcome *o)
{
        for (size_t i = 0; i < p->n_tests; i++)
                o[i].ran = false;
        for (size_t i = 0; i < p->n_tests; i++)
                o[i].ran = grd_scoring_should_run(p, o, i);
}

static void close_to(double got, double want)
{
        if (fabs(got - want) > 1e-9)
                fail_msg("got %.12g, want %.12g", got, want);
}

static const struct grd_group_score *group(const struct grd_problem *p, const struct grd_score *s,
                                           const char *name)
{
        for (size_t i = 0; i < p->n_groups; i++)
                if (strcmp(p->groups[i]->name, name) == 0)
                        return &s->groups[i];
        /* fail_msg() does not return, but it is not declared noreturn: hand back a zeroed
         * score rather than NULL, so no caller can dereference a null pointer */
        static const struct grd_group_score none;
        fail_msg("no group %s", name);
        return &none;
}

static void test_pass_fail_scores_one_of_one_when_all_accepted(void **state)
{
        (void)state;
        struct grd_problem *p = load(PKG("basic"));
        struct grd_test_outcome *o = outcomes_all_ac(p);
        struct grd_score s;
        assert_int_equal(grd_score_compute(p, o, &s, err, sizeof(err)), 0);
        assert_int_equal(s.verdict, AC);
        close_to(s.score, 1);
        close_to(s.max_score, 1);
        assert_int_equal(s.n_tests, 5);
        for (size_t i = 0; i < 5; i++) {
                close_to(s.test_scores[i], 1);
                assert_true(s.test_counted[i]);
        }
        /* pass-fail group scores count accepted tests */
        close_to(group(p, &s, "data/secret")->score, 3);
        close_to(group(p, &s, "data")->score, 5);
        grd_score_release(&s);
        free(o);
        grd_problem_free(p);
}

static void test_pass_fail_scores_zero_when_a_test_fails(void **state)
{
        (void)state;
        struct grd_problem *p = load(PKG("basic"));
        struct grd_test_outcome *o = outcomes_all_ac(p);
        set(o, p, "secret/02", GRD_VERDICT_TLE);
        run_in_order(p, o);
        struct grd_score s;
        assert_int_equal(grd_score_compute(p, o, &s, err, sizeof(err)), 0);
        assert_int_equal(s.verdict, GRD_VERDICT_TLE);
        close_to(s.score, 0);
        close_to(s.max_score, 1);
        assert_int_equal(group(p, &s, "data/secret")->verdict, GRD_VERDICT_TLE);
        grd_score_release(&s);
        free(o);
        grd_problem_free(p);
}

static void test_on_reject_break_skips_the_rest_of_the_group(void **state)
{
        (void)state;
        struct grd_problem *p = load(PKG("basic"));
        struct grd_test_outcome *o = outcomes_all_ac(p);
        set(o, p, "secret/01", WA);
        run_in_order(p, o);
        assert_true(o[2].ran);
        assert_false(o[3].ran);
        assert_false(o[4].ran);
        /* a failing sample stops the root too: the default on_reject is break everywhere */
        free(o);
        o = outcomes_all_ac(p);
        set(o, p, "sample/1", WA);
        run_in_order(p, o);
        assert_true(o[0].ran);
        for (size_t i = 1; i < p->n_tests; i++)
                assert_false(o[i].ran);
        struct grd_score s;
        assert_int_equal(grd_score_compute(p, o, &s, err, sizeof(err)), 0);
        assert_int_equal(s.verdict, WA);
        assert_false(group(p, &s, "data/secret")->judged);
        grd_score_release(&s);
        free(o);
        grd_problem_free(p);
}

static void test_results_after_a_break_are_ignored_even_if_they_ran(void **state)
{
        (void)state;
        struct grd_problem *p = load(PKG("basic"));
        struct grd_test_outcome *o = outcomes_all_ac(p);
        set(o, p, "secret/01", WA);
        set(o, p, "secret/10", GRD_VERDICT_RE); /* ran in parallel, but after the break */
        struct grd_score s;
        assert_int_equal(grd_score_compute(p, o, &s, err, sizeof(err)), 0);
        assert_int_equal(s.verdict, WA);
        assert_false(s.test_counted[3]);
        assert_false(s.test_counted[4]);
        assert_int_equal(group(p, &s, "data/secret")->verdict, WA);
        grd_score_release(&s);
        free(o);
        grd_problem_free(p);
}

static const char *const continue_pkg[] = {
        "data/testdata.yaml",
        "on_reject: continue\n",
        "data/sample/1.in",
        "",
        "data/sample/1.ans",
        "",
        "data/secret/1.in",
        "",
        "data/secret/1.ans",
        "",
        "data/secret/2.in",
        "",
        "data/secret/2.ans",
        "",
        "data/secret/3.in",
        "",
        "data/secret/3.ans",
        "",
        NULL,
};

static void test_on_reject_continue_runs_everything(void **state)
{
        (void)state;
        char *root = must_make(continue_pkg);
        struct grd_problem *p = load(root);
        struct grd_test_outcome *o = outcomes_all_ac(p);
        set(o, p, "sample/1", WA);
        set(o, p, "secret/1", WA);
        set(o, p, "secret/2", GRD_VERDICT_RE);
        run_in_order(p, o);
        for (size_t i = 0; i < p->n_tests; i++)
                assert_true(o[i].ran);
        struct grd_score s;
        assert_int_equal(grd_score_compute(p, o, &s, err, sizeof(err)), 0);
        /* the submission: the root group's result; worst_error takes RE before WA */
        assert_int_equal(s.verdict, GRD_VERDICT_RE);
        assert_int_equal(group(p, &s, "data/secret")->verdict, GRD_VERDICT_RE);
        assert_int_equal(group(p, &s, "data")->verdict, GRD_VERDICT_RE);
        close_to(group(p, &s, "data/secret")->score, 1);
        grd_score_release(&s);
        free(o);
        grd_problem_free(p);
        pkg_remove(root);
}

static void test_first_error_takes_the_first_rejection(void **state)
{
        (void)state;
        const char *files[] = {"data/testdata.yaml",
                               "on_reject: continue\ngrader_flags: first_error\n",
                               "data/secret/1.in",
                               "",
                               "data/secret/1.ans",
                               "",
                               "data/secret/2.in",
                               "",
                               "data/secret/2.ans",
                               "",
                               NULL};
        char *root = must_make(files);
        struct grd_problem *p = load(root);
        struct grd_test_outcome *o = outcomes_all_ac(p);
        set(o, p, "secret/1", WA);
        set(o, p, "secret/2", GRD_VERDICT_RE);
        struct grd_score s;
        assert_int_equal(grd_score_compute(p, o, &s, err, sizeof(err)), 0);
        assert_int_equal(group(p, &s, "data/secret")->verdict, WA);
        grd_score_release(&s);
        free(o);
        grd_problem_free(p);
        pkg_remove(root);
}

/* Four groups of three tests worth 10 each, one aggregation each; the second test fails. */
static const char *const modes_pkg[] = {
        "problem.yaml",
        "type: scoring\n",
        "data/testdata.yaml",
        "on_reject: continue\naccept_score: 10\n",
        "data/secret/a_sum/testdata.yaml",
        "grader_flags: sum\n",
        "data/secret/a_sum/1.in",
        "",
        "data/secret/a_sum/1.ans",
        "",
        "data/secret/a_sum/2.in",
        "",
        "data/secret/a_sum/2.ans",
        "",
        "data/secret/a_sum/3.in",
        "",
        "data/secret/a_sum/3.ans",
        "",
        "data/secret/b_min/testdata.yaml",
        "grader_flags: min\n",
        "data/secret/b_min/1.in",
        "",
        "data/secret/b_min/1.ans",
        "",
        "data/secret/b_min/2.in",
        "",
        "data/secret/b_min/2.ans",
        "",
        "data/secret/b_min/3.in",
        "",
        "data/secret/b_min/3.ans",
        "",
        "data/secret/c_max/testdata.yaml",
        "grader_flags: max\n",
        "data/secret/c_max/1.in",
        "",
        "data/secret/c_max/1.ans",
        "",
        "data/secret/c_max/2.in",
        "",
        "data/secret/c_max/2.ans",
        "",
        "data/secret/c_max/3.in",
        "",
        "data/secret/c_max/3.ans",
        "",
        "data/secret/d_avg/testdata.yaml",
        "grader_flags: avg\n",
        "data/secret/d_avg/1.in",
        "",
        "data/secret/d_avg/1.ans",
        "",
        "data/secret/d_avg/2.in",
        "",
        "data/secret/d_avg/2.ans",
        "",
        "data/secret/d_avg/3.in",
        "",
        "data/secret/d_avg/3.ans",
        "",
        "data/secret/e_range/testdata.yaml",
        "range: 0 15\n",
        "data/secret/e_range/1.in",
        "",
        "data/secret/e_range/1.ans",
        "",
        "data/secret/e_range/2.in",
        "",
        "data/secret/e_range/2.ans",
        "",
        NULL,
};

static void test_sum_min_max_avg_aggregate_group_scores(void **state)
{
        (void)state;
        char *root = must_make(modes_pkg);
        struct grd_problem *p = load(root);
        struct grd_test_outcome *o = outcomes_all_ac(p);
        set(o, p, "secret/a_sum/2", WA);
        set(o, p, "secret/b_min/2", WA);
        set(o, p, "secret/c_max/2", WA);
        set(o, p, "secret/d_avg/2", WA);
        run_in_order(p, o);
        struct grd_score s;
        assert_int_equal(grd_score_compute(p, o, &s, err, sizeof(err)), 0);
        close_to(group(p, &s, "data/secret/a_sum")->score, 20);
        close_to(group(p, &s, "data/secret/b_min")->score, 0);
        close_to(group(p, &s, "data/secret/c_max")->score, 10);
        close_to(group(p, &s, "data/secret/d_avg")->score, 20.0 / 3);
        close_to(group(p, &s, "data/secret/e_range")->score, 15);
        close_to(s.score, 20 + 0 + 10 + 20.0 / 3 + 15);
        close_to(group(p, &s, "data/secret/a_sum")->max_score, 30);
        close_to(group(p, &s, "data/secret/b_min")->max_score, 10);
        close_to(group(p, &s, "data/secret/d_avg")->max_score, 10);
        close_to(group(p, &s, "data/secret/e_range")->max_score, 15);
        close_to(s.max_score, 30 + 10 + 10 + 10 + 15);
        assert_int_equal(s.verdict, WA);
        close_to(s.test_scores[grd_problem_find_test(p, "secret/a_sum/2")], 0);
        close_to(s.test_scores[grd_problem_find_test(p, "secret/a_sum/3")], 10);
        grd_score_release(&s);
        free(o);
        grd_problem_free(p);
        pkg_remove(root);
}

static void test_range_clamps_below_too(void **state)
{
        (void)state;
        const char *files[] = {"problem.yaml",
                               "type: scoring\n",
                               "data/testdata.yaml",
                               "on_reject: continue\nreject_score: -5\n",
                               "data/secret/testdata.yaml",
                               "range: 0 +inf\n",
                               "data/secret/1.in",
                               "",
                               "data/secret/1.ans",
                               "",
                               "data/secret/2.in",
                               "",
                               "data/secret/2.ans",
                               "",
                               NULL};
        char *root = must_make(files);
        struct grd_problem *p = load(root);
        struct grd_test_outcome *o = outcomes_all_ac(p);
        set(o, p, "secret/1", WA);
        set(o, p, "secret/2", WA);
        struct grd_score s;
        assert_int_equal(grd_score_compute(p, o, &s, err, sizeof(err)), 0);
        close_to(s.test_scores[0], -5);
        close_to(s.score, 0);
        close_to(s.max_score, 2);
        grd_score_release(&s);
        free(o);
        grd_problem_free(p);
        pkg_remove(root);
}

static void test_nested_groups_score_like_an_ioi_task(void **state)
{
        (void)state;
        struct grd_problem *p = load(PKG("nested"));
        struct grd_test_outcome *o = outcomes_all_ac(p);
        struct grd_score s;
        assert_int_equal(grd_score_compute(p, o, &s, err, sizeof(err)), 0);
        /* a:1 + group1:min(30,30) + group2:min(70, sub clamped to 50, 70) + z:1 */
        close_to(group(p, &s, "data/secret/group1")->score, 30);
        close_to(group(p, &s, "data/secret/group2/sub")->score, 50);
        close_to(group(p, &s, "data/secret/group2")->score, 50);
        close_to(group(p, &s, "data/secret")->score, 82);
        close_to(s.score, 82);
        close_to(group(p, &s, "data/secret/group1")->max_score, 30);
        close_to(group(p, &s, "data/secret/group2")->max_score, 50);
        close_to(group(p, &s, "data/secret")->max_score, 82);
        close_to(s.max_score, 100); /* data/testdata.yaml declares range 0 100 */
        assert_int_equal(s.verdict, AC);
        grd_score_release(&s);

        set(o, p, "secret/group1/1", WA);
        run_in_order(p, o);
        assert_false(o[grd_problem_find_test(p, "secret/group1/2")].ran);
        assert_true(o[grd_problem_find_test(p, "secret/group2/1")].ran);
        assert_true(o[grd_problem_find_test(p, "secret/z")].ran);
        assert_int_equal(grd_score_compute(p, o, &s, err, sizeof(err)), 0);
        close_to(group(p, &s, "data/secret/group1")->score, 0);
        close_to(s.score, 52);
        assert_int_equal(s.verdict, WA);
        assert_int_equal(group(p, &s, "data/secret")->verdict, WA);
        grd_score_release(&s);
        free(o);
        grd_problem_free(p);
}

static void test_ignore_sample_makes_the_sample_count_for_nothing(void **state)
{
        (void)state;
        struct grd_problem *p = load(PKG("nested"));
        struct grd_test_outcome *o = outcomes_all_ac(p);
        set(o, p, "sample/1", WA);
        run_in_order(p, o);
        for (size_t i = 0; i < p->n_tests; i++)
                assert_true(o[i].ran);
        struct grd_score s;
        assert_int_equal(grd_score_compute(p, o, &s, err, sizeof(err)), 0);
        assert_int_equal(s.verdict, AC);
        assert_false(s.test_counted[0]);
        close_to(s.score, 82);
        assert_int_equal(group(p, &s, "data")->verdict, AC);
        assert_int_equal(group(p, &s, "data/sample")->verdict, WA);
        grd_score_release(&s);
        free(o);
        grd_problem_free(p);
}

static void test_sample_counts_without_ignore_sample(void **state)
{
        (void)state;
        char *root = must_make(continue_pkg);
        struct grd_problem *p = load(root);
        struct grd_test_outcome *o = outcomes_all_ac(p);
        set(o, p, "sample/1", WA);
        struct grd_score s;
        assert_int_equal(grd_score_compute(p, o, &s, err, sizeof(err)), 0);
        assert_int_equal(s.verdict, WA);
        assert_true(s.test_counted[0]);
        close_to(s.score, 0);
        grd_score_release(&s);
        free(o);
        grd_problem_free(p);
        pkg_remove(root);
}

static void test_accept_if_any_accepted_accepts_the_group(void **state)
{
        (void)state;
        const char *files[] = {"problem.yaml",
                               "type: scoring\n",
                               "data/testdata.yaml",
                               "on_reject: continue\ngrader_flags: accept_if_any_accepted\n",
                               "data/secret/1.in",
                               "",
                               "data/secret/1.ans",
                               "",
                               "data/secret/2.in",
                               "",
                               "data/secret/2.ans",
                               "",
                               NULL};
        char *root = must_make(files);
        struct grd_problem *p = load(root);
        struct grd_test_outcome *o = outcomes_all_ac(p);
        set(o, p, "secret/2", WA);
        struct grd_score s;
        assert_int_equal(grd_score_compute(p, o, &s, err, sizeof(err)), 0);
        assert_int_equal(group(p, &s, "data/secret")->verdict, AC);
        assert_int_equal(group(p, &s, "data")->verdict, AC);
        close_to(s.score, 1);
        close_to(s.max_score, 2);
        assert_int_equal(s.verdict, AC); /* the spec: the root group's result decides */
        grd_score_release(&s);
        free(o);
        grd_problem_free(p);
        pkg_remove(root);
}

static void test_validator_score_replaces_accept_score(void **state)
{
        (void)state;
        const char *files[] = {"problem.yaml",
                               "type: scoring\n",
                               "data/testdata.yaml",
                               "on_reject: continue\n",
                               "data/secret/1.in",
                               "",
                               "data/secret/1.ans",
                               "",
                               "data/secret/2.in",
                               "",
                               "data/secret/2.ans",
                               "",
                               NULL};
        char *root = must_make(files);
        struct grd_problem *p = load(root);
        struct grd_test_outcome *o = outcomes_all_ac(p);
        o[0].has_score = true;
        o[0].score = 0.25;
        o[1].has_score = true;
        o[1].score = 0.75;
        o[1].verdict = WA; /* a score with a rejection is ignored */
        struct grd_score s;
        assert_int_equal(grd_score_compute(p, o, &s, err, sizeof(err)), 0);
        close_to(s.test_scores[0], 0.25);
        close_to(s.test_scores[1], 0);
        close_to(s.score, 0.25);
        grd_score_release(&s);
        free(o);
        grd_problem_free(p);
        pkg_remove(root);
}

static void test_internal_error_anywhere_makes_the_verdict_ie(void **state)
{
        (void)state;
        char *root = must_make(continue_pkg);
        struct grd_problem *p = load(root);
        struct grd_test_outcome *o = outcomes_all_ac(p);
        set(o, p, "secret/1", WA);
        set(o, p, "secret/3", GRD_VERDICT_IE);
        struct grd_score s;
        assert_int_equal(grd_score_compute(p, o, &s, err, sizeof(err)), 0);
        assert_int_equal(s.verdict, GRD_VERDICT_IE);
        assert_int_equal(group(p, &s, "data/secret")->verdict, GRD_VERDICT_IE);
        grd_score_release(&s);
        free(o);
        grd_problem_free(p);
        pkg_remove(root);
}

static void test_tests_that_did_not_run_are_left_out(void **state)
{
        (void)state;
        char *root = must_make(continue_pkg);
        struct grd_problem *p = load(root);
        struct grd_test_outcome *o = outcomes_all_ac(p);
        o[2].ran = false;
        o[2].verdict = WA; /* not looked at */
        struct grd_score s;
        assert_int_equal(grd_score_compute(p, o, &s, err, sizeof(err)), 0);
        assert_int_equal(s.verdict, AC);
        assert_false(s.test_counted[2]);
        close_to(group(p, &s, "data/secret")->score, 2);
        grd_score_release(&s);
        free(o);
        grd_problem_free(p);
        pkg_remove(root);
}

static void test_problem_without_test_data_cannot_be_scored(void **state)
{
        (void)state;
        struct grd_problem *p = NULL;
        assert_int_equal(grd_problem_parse_yaml("", 0, NULL, &p, err, sizeof(err)), 0);
        struct grd_score s;
        assert_int_equal(grd_score_compute(p, NULL, &s, err, sizeof(err)), -EINVAL);
        assert_false(grd_scoring_should_run(p, NULL, 0));
        grd_problem_free(p);
        grd_score_release(NULL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pass_fail_scores_one_of_one_when_all_accepted),
                cmocka_unit_test(test_pass_fail_scores_zero_when_a_test_fails),
                cmocka_unit_test(test_on_reject_break_skips_the_rest_of_the_group),
                cmocka_unit_test(test_results_after_a_break_are_ignored_even_if_they_ran),
                cmocka_unit_test(test_on_reject_continue_runs_everything),
                cmocka_unit_test(test_first_error_takes_the_first_rejection),
                cmocka_unit_test(test_sum_min_max_avg_aggregate_group_scores),
                cmocka_unit_test(test_range_clamps_below_too),
                cmocka_unit_test(test_nested_groups_score_like_an_ioi_task),
                cmocka_unit_test(test_ignore_sample_makes_the_sample_count_for_nothing),
                cmocka_unit_test(test_sample_counts_without_ignore_sample),
                cmocka_unit_test(test_accept_if_any_accepted_accepts_the_group),
                cmocka_unit_test(test_validator_score_replaces_accept_score),
                cmocka_unit_test(test_internal_error_anywhere_makes_the_verdict_ie),
                cmocka_unit_test(test_tests_that_did_not_run_are_left_out),
                cmocka_unit_test(test_problem_without_test_data_cannot_be_scored),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
