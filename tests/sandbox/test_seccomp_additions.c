/* SPDX-License-Identifier: MIT */
/*
 * Attacks on the named allow-list additions (docs/sandbox.md): a run gets only the addition it
 * names, and an addition allows only what it says. chrt(1) makes sched_setscheduler, capsh(8)
 * capget; run as root and as nobody (tests/sandbox/CMakeLists.txt).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sandbox.h"

static struct sbx_policy *policy;
static unsigned slot;
static int slot_fd = -1;

static int setup(void **state)
{
        (void)state;
        char err[256];
        if (sbx_policy_new(NULL, &policy, err, sizeof(err)) < 0)
                return -1;
        return sbx_slot_acquire(policy, 0, 1000, &slot, &slot_fd);
}

static int teardown(void **state)
{
        (void)state;
        sbx_policy_free(policy);
        sbx_slot_release(slot_fd);
        return 0;
}

/* Run argv with the named addition (NULL: none). Return: the status. */
static enum sbx_status run(const char *const *argv, const char *addition, struct sbx_result *r)
{
        struct sbx_config c = {
                .argv = argv, .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1, .slot = slot};
        sbx_limits_default(&c.limits);
        c.limits.cpu_time = 5;
        c.limits.wall_time = 20;
        c.limits.seccomp_addition = addition;
        assert_int_equal(sbx_run(policy, &c, r), 0);
        return r->status;
}

static void test_sched_other_is_mono_only(void **state)
{
        (void)state;
        const char *other[] = {"/usr/bin/chrt", "-o", "0", "/bin/true", NULL};
        struct sbx_result r;
        if (access(other[0], X_OK) < 0)
                skip();
        assert_int_equal(run(other, NULL, &r), SBX_STATUS_SV);
        assert_string_equal(r.syscall, "sched_setscheduler");
        assert_int_equal(run(other, "node", &r), SBX_STATUS_SV);
        assert_int_equal(run(other, "mono", &r), SBX_STATUS_OK);
}

static void test_mono_gets_no_real_time_policy(void **state)
{
        (void)state;
        const char *fifo[] = {"/usr/bin/chrt", "-f", "1", "/bin/true", NULL};
        const char *batch[] = {"/usr/bin/chrt", "-b", "0", "/bin/true", NULL};
        struct sbx_result r;
        if (access(fifo[0], X_OK) < 0)
                skip();
        assert_int_equal(run(fifo, "mono", &r), SBX_STATUS_SV);
        assert_int_equal(run(batch, "mono", &r), SBX_STATUS_SV);
}

static void test_capget_is_node_only(void **state)
{
        (void)state;
        const char *caps[] = {"/usr/sbin/capsh", "--print", NULL};
        struct sbx_result r;
        if (access(caps[0], X_OK) < 0)
                skip();
        assert_int_equal(run(caps, NULL, &r), SBX_STATUS_SV);
        assert_string_equal(r.syscall, "capget");
        assert_int_equal(run(caps, "mono", &r), SBX_STATUS_SV);
        assert_int_equal(run(caps, "node", &r), SBX_STATUS_OK);
}

static void test_an_unknown_addition_is_an_internal_error(void **state)
{
        (void)state;
        const char *t[] = {"/bin/true", NULL};
        struct sbx_result r;
        assert_false(sbx_seccomp_addition_known("everything"));
        assert_true(sbx_seccomp_addition_known("node"));
        assert_int_equal(run(t, "everything", &r), SBX_STATUS_IE);
        assert_int_equal(run(t, NULL, &r), SBX_STATUS_OK);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sched_other_is_mono_only),
                cmocka_unit_test(test_mono_gets_no_real_time_policy),
                cmocka_unit_test(test_capget_is_node_only),
                cmocka_unit_test(test_an_unknown_addition_is_an_internal_error),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
