/* SPDX-License-Identifier: MIT */
/* Unit tests of which verdict wins in an interactive pass (grd_interactive_verdict), the rule
 * of docs/problems.md taken from Kattis problemtools. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "validator.h"

int main(void);

static struct sbx_result exited(int code)
{
        struct sbx_result r = {.status = code ? SBX_STATUS_RE : SBX_STATUS_OK, .exit_code = code};
        return r;
}

static struct sbx_result ended(enum sbx_status s)
{
        struct sbx_result r = {.status = s, .exit_code = -1};
        return r;
}

static enum grd_verdict rule(struct sbx_result sub, struct sbx_result val, bool val_first)
{
        struct sbx_pair_result r = {
                .program = sub, .interactor = val, .interactor_first = val_first};
        return grd_interactive_verdict(&r);
}

static void test_validator_decides_a_clean_run(void **state)
{
        (void)state;
        assert_int_equal(rule(exited(0), exited(42), false), GRD_VERDICT_AC);
        assert_int_equal(rule(exited(0), exited(43), false), GRD_VERDICT_WA);
        assert_int_equal(rule(exited(0), exited(42), true), GRD_VERDICT_AC);
}

static void test_a_validator_that_fails_is_the_judges_error(void **state)
{
        (void)state;
        assert_int_equal(rule(exited(0), exited(1), false), GRD_VERDICT_IE);
        assert_int_equal(rule(exited(0), exited(0), true), GRD_VERDICT_IE);
        struct sbx_result crashed = {.status = SBX_STATUS_RE, .exit_code = -1, .signal = 11};
        assert_int_equal(rule(exited(0), crashed, true), GRD_VERDICT_IE);
        /* hung after the submission ended: stopped at the wall limit, still ours */
        assert_int_equal(rule(exited(0), ended(SBX_STATUS_TLE), false), GRD_VERDICT_IE);
        /* ran out of its own CPU while the submission waited */
        assert_int_equal(rule(ended(SBX_STATUS_TLE), ended(SBX_STATUS_TLE), true), GRD_VERDICT_IE);
        /* even when the submission crashed too */
        assert_int_equal(rule(exited(3), exited(7), true), GRD_VERDICT_IE);
}

static void test_deadlock_is_the_submissions_tle(void **state)
{
        (void)state;
        assert_int_equal(rule(ended(SBX_STATUS_TLE), ended(SBX_STATUS_TLE), false),
                         GRD_VERDICT_TLE);
}

static void test_wa_first_beats_what_the_submission_did_after(void **state)
{
        (void)state;
        assert_int_equal(rule(ended(SBX_STATUS_TLE), exited(43), true), GRD_VERDICT_WA);
        assert_int_equal(rule(exited(1), exited(43), true), GRD_VERDICT_WA);
}

static void test_submission_failures_beat_a_later_verdict(void **state)
{
        (void)state;
        /* the submission crashed first, the validator then saw the end of its output */
        assert_int_equal(rule(exited(1), exited(43), false), GRD_VERDICT_RE);
        assert_int_equal(rule(ended(SBX_STATUS_TLE), exited(43), false), GRD_VERDICT_TLE);
        /* accepted, then the submission went on and failed */
        assert_int_equal(rule(exited(1), exited(42), true), GRD_VERDICT_RE);
        assert_int_equal(rule(ended(SBX_STATUS_TLE), exited(42), true), GRD_VERDICT_TLE);
        assert_int_equal(rule(ended(SBX_STATUS_MLE), exited(42), false), GRD_VERDICT_MLE);
        assert_int_equal(rule(ended(SBX_STATUS_SV), exited(42), false), GRD_VERDICT_SV);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_validator_decides_a_clean_run),
                cmocka_unit_test(test_a_validator_that_fails_is_the_judges_error),
                cmocka_unit_test(test_deadlock_is_the_submissions_tle),
                cmocka_unit_test(test_wa_first_beats_what_the_submission_did_after),
                cmocka_unit_test(test_submission_failures_beat_a_later_verdict),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
