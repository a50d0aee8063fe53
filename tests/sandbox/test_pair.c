/* SPDX-License-Identifier: MIT */
/* Unit tests of sbx_run_pair(): the pipes, the shared wall limit, CPU counted per side, which
 * side ended first, argument checks. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sandbox.h"

int main(void);

static struct sbx_policy *policy;
static unsigned slots[2];
static int slot_fds[2] = {-1, -1};

static int setup(void **state)
{
        (void)state;
        char err[256];
        if (sbx_policy_new(NULL, &policy, err, sizeof(err)) < 0)
                return -1;
        if (sbx_slot_acquire(policy, 0, 1000, &slots[0], &slot_fds[0]) < 0)
                return -1;
        return sbx_slot_acquire(policy, 1000, 1000, &slots[1], &slot_fds[1]);
}

static int teardown(void **state)
{
        (void)state;
        sbx_policy_free(policy);
        sbx_slot_release(slot_fds[0]);
        sbx_slot_release(slot_fds[1]);
        return 0;
}

static struct sbx_pair pair_of(const char *const *program, const char *const *interactor)
{
        struct sbx_pair p = {
                .program = {.argv = program,
                            .stdin_fd = -1,
                            .stdout_fd = -1,
                            .stderr_fd = -1,
                            .slot = slots[0]},
                .interactor = {.argv = interactor,
                               .stdin_fd = -1,
                               .stdout_fd = -1,
                               .stderr_fd = -1,
                               .slot = slots[1]},
        };
        sbx_limits_default(&p.program.limits);
        sbx_limits_default(&p.interactor.limits);
        p.program.limits.processes = p.interactor.limits.processes = 4; /* a shell forks */
        p.program.limits.wall_time = 5;
        return p;
}

static void test_stdout_of_each_is_stdin_of_the_other(void **state)
{
        (void)state;
        const char *prog[] = {"/bin/sh", "-c", "echo ping; read x; test \"$x\" = pong", NULL};
        const char *inter[] = {"/bin/sh", "-c", "read x; test \"$x\" = ping && echo pong; exit 42",
                               NULL};
        struct sbx_pair p = pair_of(prog, inter);
        struct sbx_pair_result r;
        assert_int_equal(sbx_run_pair(policy, &p, NULL, &r), 0);
        assert_int_equal(r.program.status, SBX_STATUS_OK);
        assert_int_equal(r.interactor.exit_code, 42);
}

static void test_deadlock_ends_at_the_one_wall_limit(void **state)
{
        (void)state;
        const char *prog[] = {"/bin/sh", "-c", "read x", NULL};
        const char *inter[] = {"/bin/sh", "-c", "read y", NULL};
        struct sbx_pair p = pair_of(prog, inter);
        p.program.limits.wall_time = 1;
        p.interactor.limits.wall_time = 100; /* ignored: the pair has one limit */
        struct sbx_pair_result r;
        assert_int_equal(sbx_run_pair(policy, &p, NULL, &r), 0);
        assert_int_equal(r.program.status, SBX_STATUS_TLE);
        assert_int_equal(r.interactor.status, SBX_STATUS_TLE);
        assert_false(r.interactor_first);
}

static void test_cpu_is_counted_per_side(void **state)
{
        (void)state;
        const char *prog[] = {"/bin/sh", "-c", "read x; exit 0", NULL};
        const char *inter[] = {"/bin/sh", "-c", "while :; do :; done", NULL};
        struct sbx_pair p = pair_of(prog, inter);
        p.program.limits.cpu_time = 0.5;
        p.interactor.limits.cpu_time = 1;
        struct sbx_pair_result r;
        assert_int_equal(sbx_run_pair(policy, &p, NULL, &r), 0);
        /* the interactor burnt its CPU and was stopped; the program, which only waited, ended
         * by reading the end of file then, not at its own CPU limit */
        assert_int_equal(r.interactor.status, SBX_STATUS_TLE);
        assert_int_equal(r.program.status, SBX_STATUS_OK);
        assert_true(r.program.cpu_time < 0.5);
        assert_true(r.interactor_first);
}

static void test_interactor_first_is_reported(void **state)
{
        (void)state;
        const char *prog[] = {"/bin/sh", "-c", "read x; sleep 0.3; exit 3", NULL};
        const char *inter[] = {"/bin/sh", "-c", "exit 43", NULL};
        struct sbx_pair p = pair_of(prog, inter);
        struct sbx_pair_result r;
        assert_int_equal(sbx_run_pair(policy, &p, NULL, &r), 0);
        assert_int_equal(r.interactor.exit_code, 43);
        assert_int_equal(r.program.exit_code, 3);
        assert_true(r.interactor_first);
}

static void test_pair_bad_arguments_are_einval(void **state)
{
        (void)state;
        const char *argv[] = {"/bin/true", NULL};
        struct sbx_pair p = pair_of(argv, argv);
        struct sbx_pair_result r;
        p.interactor.slot = p.program.slot; /* one uid for both sides: refused */
        assert_int_equal(sbx_run_pair(policy, &p, NULL, &r), -EINVAL);
        p = pair_of(argv, argv);
        p.interactor.argv = NULL;
        assert_int_equal(sbx_run_pair(policy, &p, NULL, &r), -EINVAL);
        assert_int_equal(sbx_run_pair(NULL, &p, NULL, &r), -EINVAL);
}

static void test_missing_interactor_is_ie(void **state)
{
        (void)state;
        const char *prog[] = {"/bin/true", NULL};
        const char *inter[] = {"/nonexistent/interactor", NULL};
        struct sbx_pair p = pair_of(prog, inter);
        struct sbx_pair_result r;
        assert_int_equal(sbx_run_pair(policy, &p, NULL, &r), 0);
        assert_int_equal(r.interactor.status, SBX_STATUS_IE);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_stdout_of_each_is_stdin_of_the_other),
                cmocka_unit_test(test_deadlock_ends_at_the_one_wall_limit),
                cmocka_unit_test(test_cpu_is_counted_per_side),
                cmocka_unit_test(test_interactor_first_is_reported),
                cmocka_unit_test(test_pair_bad_arguments_are_einval),
                cmocka_unit_test(test_missing_interactor_is_ie),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
