/* SPDX-License-Identifier: MIT */
/* Unit tests of the sandbox library's API: statuses, argument checks, slots, cancellation, the
 * work area's contract with its caller, stdin through a pipe. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sandbox.h"

int main(void);

static struct sbx_policy *policy;
static struct sbx_policy *copying; /* the work area holds a copy instead of an overlay */
static unsigned slot;
static int slot_fd = -1;

static int setup(void **state)
{
        (void)state;
        char err[256];
        if (sbx_policy_new(NULL, &policy, err, sizeof(err)) < 0)
                return -1;
        struct sbx_policy_opts copy = {.copy_workdir = true};
        if (sbx_policy_new(&copy, &copying, err, sizeof(err)) < 0)
                return -1;
        /* a slot of our own: other graders on this host run as the other slots' uids */
        return sbx_slot_acquire(policy, 0, 1000, &slot, &slot_fd);
}

static int teardown(void **state)
{
        (void)state;
        sbx_policy_free(policy);
        sbx_policy_free(copying);
        sbx_slot_release(slot_fd);
        return 0;
}

static struct sbx_config config(const char *const *argv)
{
        struct sbx_config c = {
                .argv = argv, .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1, .slot = slot};
        sbx_limits_default(&c.limits);
        c.limits.cpu_time = 1;
        return c;
}

static void test_status_names_match_the_report_contract(void **state)
{
        (void)state;
        assert_string_equal(sbx_status_name(SBX_STATUS_OK), "OK");
        assert_string_equal(sbx_status_name(SBX_STATUS_RE), "RE");
        assert_string_equal(sbx_status_name(SBX_STATUS_TLE), "TLE");
        assert_string_equal(sbx_status_name(SBX_STATUS_MLE), "MLE");
        assert_string_equal(sbx_status_name(SBX_STATUS_OLE), "OLE");
        assert_string_equal(sbx_status_name(SBX_STATUS_SV), "SV");
        assert_string_equal(sbx_status_name(SBX_STATUS_IE), "IE");
}

static void test_defaults_follow_design(void **state)
{
        (void)state;
        struct sbx_limits l;
        sbx_limits_default(&l);
        assert_true(l.cpu_time == 1.0);
        assert_int_equal(l.memory, 256u << 20);
        assert_int_equal(l.output, 64u << 20);
        assert_int_equal(l.processes, 1);
}

static void test_true_is_ok_and_false_is_re(void **state)
{
        (void)state;
        const char *t[] = {"true", NULL}, *f[] = {"false", NULL};
        struct sbx_config c = config(t);
        struct sbx_result r;
        assert_int_equal(sbx_run(policy, &c, &r), 0);
        assert_int_equal(r.status, SBX_STATUS_OK);
        assert_int_equal(r.exit_code, 0);
        c = config(f);
        assert_int_equal(sbx_run(policy, &c, &r), 0);
        assert_int_equal(r.status, SBX_STATUS_RE);
        assert_int_equal(r.exit_code, 1);
}

static void test_bad_arguments_are_einval(void **state)
{
        (void)state;
        const char *empty[] = {"", NULL};
        struct sbx_config c = config(empty);
        struct sbx_result r;
        assert_int_equal(sbx_run(policy, &c, &r), -EINVAL);
        assert_int_equal(sbx_run(policy, NULL, &r), -EINVAL);
        const char *t[] = {"true", NULL};
        c = config(t);
        c.workdir = "relative/dir";
        assert_int_equal(sbx_run(policy, &c, &r), -EINVAL);
}

static void test_missing_program_is_ie_not_a_verdict(void **state)
{
        (void)state;
        const char *argv[] = {"/nonexistent/program", NULL};
        struct sbx_config c = config(argv);
        struct sbx_result r;
        assert_int_equal(sbx_run(policy, &c, &r), 0);
        assert_int_equal(r.status, SBX_STATUS_IE);
        /* it names the path and where a program must be */
        assert_non_null(strstr(r.message, "/nonexistent/program"));
        assert_non_null(strstr(r.message, "work dir"));
        const char *rel[] = {"./a.out", NULL};
        c = config(rel);
        assert_int_equal(sbx_run(policy, &c, &r), 0);
        assert_int_equal(r.status, SBX_STATUS_IE);
        assert_non_null(strstr(r.message, "/a.out' not found"));
        assert_non_null(strstr(r.message, "inside the work dir"));
}

static void test_system_dir_as_work_dir_is_refused(void **state)
{
        (void)state;
        const char *argv[] = {"true", NULL};
        const char *dirs[] = {"/", "/usr", "/etc/x", "/proc"};
        for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
                struct sbx_config c = config(argv);
                c.workdir = dirs[i];
                struct sbx_result r;
                assert_int_equal(sbx_run(policy, &c, &r), 0);
                assert_int_equal(r.status, SBX_STATUS_IE);
        }
}

static void test_slots_are_exclusive(void **state)
{
        (void)state;
        unsigned a, b;
        int fa, fb;
        assert_int_equal(sbx_slot_acquire(NULL, 500, 10, &a, &fa), 0);
        assert_int_equal(sbx_slot_acquire(NULL, 500, 10, &b, &fb), 0);
        assert_int_not_equal(a, b);
        sbx_slot_release(fa);
        sbx_slot_release(fb);
}

static void *cancel_later(void *arg)
{
        usleep(200000);
        sbx_cancel(arg);
        return NULL;
}

static void test_cancelled_run_stops_at_once(void **state)
{
        (void)state;
        const char *argv[] = {"sleep", "30", NULL};
        struct sbx_config c = config(argv);
        c.limits.wall_time = 30;
        struct sbx_cancel cancel = {0};
        pthread_t t;
        pthread_create(&t, NULL, cancel_later, &cancel);
        struct sbx_result r;
        assert_int_equal(sbx_run_cancellable(policy, &c, &cancel, &r), 0);
        pthread_join(t, NULL);
        assert_int_equal(r.status, SBX_STATUS_IE);
        assert_string_equal(r.message, "cancelled");
        assert_true(r.wall_time < 5);
}

/* A read-only work dir: the program cannot create a file there, but /tmp is still its own. */
static void test_readonly_work_dir_refuses_writes_but_tmp_works(void **state)
{
        (void)state;
        char dir[] = "/tmp/grader-ro-XXXXXX";
        assert_non_null(mkdtemp(dir));
        assert_int_equal(chmod(dir, 0777), 0);
        const char *touch[] = {"/bin/sh", "-c", "echo x > out.txt", NULL};
        const char *tmp[] = {"/bin/sh", "-c", "echo x > /tmp/out.txt && cat /tmp/out.txt", NULL};
        struct sbx_config c = config(touch);
        c.workdir = dir;
        c.limits.processes = 4;
        c.readonly_workdir = true;
        struct sbx_result r;
        assert_int_equal(sbx_run(policy, &c, &r), 0);
        struct sbx_layers l;
        sbx_policy_layers(policy, &l);
        char path[64];
        snprintf(path, sizeof(path), "%s/out.txt", dir);
        if (l.mount_ns) {
                assert_int_equal(r.status, SBX_STATUS_RE);
                assert_int_equal(access(path, F_OK), -1);
        }
        c.argv = tmp;
        assert_int_equal(sbx_run(policy, &c, &r), 0);
        assert_int_equal(r.status, SBX_STATUS_OK);
        c.readonly_workdir = false;
        c.argv = touch;
        assert_int_equal(sbx_run(policy, &c, &r), 0);
        assert_int_equal(r.status, SBX_STATUS_OK);
        assert_int_equal(access(path, F_OK), 0);
        unlink(path);
        rmdir(dir);
}

/* --- the work area (docs/sandbox.md) ----------------------------------------------------- */

static void write_text(const char *dir, const char *name, const char *text, mode_t mode)
{
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        close(fd);
        assert_int_equal(chmod(path, mode), 0);
}

static bool has(const char *dir, const char *name)
{
        char path[256];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        return lstat(path, &st) == 0;
}

static void fresh_workdir(char *dir, size_t n)
{
        snprintf(dir, n, "/tmp/grader-area-XXXXXX");
        assert_non_null(mkdtemp(dir));
        assert_int_equal(chmod(dir, 0755), 0);
}

static void remove_dir(const char *dir)
{
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
}

/*
 * The caller's contract, with either kind of work area: inputs are there, what the program
 * creates, changes and removes is what the caller finds after, and nothing else: no symlink,
 * no set-id bit, no file of the program's owner.
 */
static void work_area_contract(const struct sbx_policy *p)
{
        struct sbx_layers l;
        sbx_policy_layers(p, &l);
        if (!l.work_area)
                skip();
        char dir[64];
        fresh_workdir(dir, sizeof(dir));
        write_text(dir, "input.txt", "42\n", 0644);
        write_text(dir, "gone.txt", "remove me\n", 0644);
        write_text(dir, "changed.txt", "old\n", 0644);
        char sub[128];
        snprintf(sub, sizeof(sub), "%s/keep", dir);
        assert_int_equal(mkdir(sub, 0755), 0);
        write_text(sub, "inner.txt", "inner\n", 0644);
        const char *argv[] = {
                "/bin/sh", "-c",
                "test \"$(cat input.txt)\" = 42 && echo made > out.txt && rm gone.txt && "
                "rm changed.txt && echo new > changed.txt && ln -s /etc/passwd link && mkdir -p "
                "a/b && "
                "echo deep > a/b/c.txt && cp out.txt suid && chmod 4755 suid; "
                "chmod 755 out.txt; cat keep/inner.txt",
                NULL};
        struct sbx_config c = config(argv);
        c.workdir = dir;
        c.limits.processes = 8;
        struct sbx_result r;
        assert_int_equal(sbx_run(p, &c, &r), 0);
        assert_int_equal(r.status, SBX_STATUS_OK);
        assert_true(has(dir, "input.txt") && has(dir, "out.txt") && has(dir, "a/b/c.txt"));
        assert_true(has(dir, "keep/inner.txt"));
        assert_false(has(dir, "gone.txt"));
        assert_false(has(dir, "link"));
        char path[256];
        char buf[16] = "";
        snprintf(path, sizeof(path), "%s/changed.txt", dir);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
        close(fd);
        assert_string_equal(buf, "new\n");
        struct stat st;
        snprintf(path, sizeof(path), "%s/suid", dir);
        assert_int_equal(lstat(path, &st), 0);
        assert_int_equal(st.st_mode & 07000, 0);
        assert_int_equal(st.st_uid, geteuid());
        remove_dir(dir);
}

static void test_work_area_overlay_keeps_the_callers_contract(void **state)
{
        (void)state;
        work_area_contract(policy);
}

static void test_work_area_copy_keeps_the_callers_contract(void **state)
{
        (void)state;
        work_area_contract(copying);
}

/* The inputs do not count against the disk limit; what the program writes does. */
static void test_disk_limit_counts_what_the_program_writes(void **state)
{
        (void)state;
        const struct sbx_policy *both[] = {policy, copying};
        for (size_t i = 0; i < 2; i++) {
                struct sbx_layers l;
                sbx_policy_layers(both[i], &l);
                if (!l.work_area)
                        skip();
                char dir[64];
                fresh_workdir(dir, sizeof(dir));
                char cmd[128];
                snprintf(cmd, sizeof(cmd), "head -c 3M /dev/zero > %s/input.bin", dir);
                assert_int_equal(system(cmd), 0);
                const char *small[] = {"/bin/sh", "-c", "head -c 512K input.bin > small", NULL};
                const char *big[] = {"/bin/sh", "-c", "cat input.bin > big", NULL};
                struct sbx_config c = config(small);
                c.workdir = dir;
                c.limits.processes = 4;
                c.limits.disk = 1 << 20;
                struct sbx_result r;
                assert_int_equal(sbx_run(both[i], &c, &r), 0);
                assert_int_equal(r.status, SBX_STATUS_OK);
                c.argv = big;
                assert_int_equal(sbx_run(both[i], &c, &r), 0);
                assert_int_equal(r.status, SBX_STATUS_OLE);
                assert_non_null(strstr(r.message, "disk limit"));
                remove_dir(dir);
        }
}

/* A full private /tmp, and a file in it at the output cap, are the sandbox's own findings: OLE,
 * seen by the keeper after the program ended. */
static void test_private_tmp_limits_are_ole(void **state)
{
        (void)state;
        struct sbx_layers l;
        sbx_policy_layers(policy, &l);
        if (!l.mount_ns)
                skip();
        const char *fill[] = {"/bin/sh", "-c", "head -c 2M /dev/zero > /tmp/fill", NULL};
        struct sbx_config c = config(fill);
        c.limits.processes = 4;
        c.limits.tmp_size = 1 << 20;
        struct sbx_result r;
        assert_int_equal(sbx_run(policy, &c, &r), 0);
        assert_int_equal(r.status, SBX_STATUS_OLE);
        assert_non_null(strstr(r.message, "/tmp"));
        const char *cap[] = {"/bin/sh", "-c", "exec head -c 600K /dev/zero > /tmp/big", NULL};
        c = config(cap);
        c.limits.output = 512 << 10;
        assert_int_equal(sbx_run(policy, &c, &r), 0);
        assert_int_equal(r.status, SBX_STATUS_OLE);
        assert_int_equal(r.signal, 25); /* SIGXFSZ, which the kernel sent */
}

/* The program child is a copy of the grader until its execve, and the kernel keeps that copy's
 * peak in ru_maxrss: a large grader must not make a small program MLE. */
static void test_graders_own_memory_is_not_the_programs(void **state)
{
        (void)state;
        size_t big = 160u << 20;
        char *m = malloc(big);
        assert_non_null(m);
        memset(m, 1, big);
        /* used after the runs, so the stores cannot be dropped */
        const char *argv[] = {"true", NULL};
        struct sbx_config c = config(argv);
        c.limits.memory = 64u << 20;
        struct sbx_result r;
        for (int i = 0; i < 5; i++) {
                assert_int_equal(sbx_run(policy, &c, &r), 0);
                assert_int_equal(r.status, SBX_STATUS_OK);
        }
        assert_int_equal(m[big - 1], 1);
        free(m);
}

/* --- stdin through a pipe ---------------------------------------------------------------- */

/* A stdin larger than any pipe: a program that reads nothing still ends normally, and one
 * that copies it to stdout (which the parent drains meanwhile) gets every byte, from a file
 * and from a pipe. */
static void test_stdin_is_fed_without_deadlock(void **state)
{
        (void)state;
        char in[] = "/tmp/grader-stdin-XXXXXX";
        int fd = mkstemp(in);
        assert_true(fd >= 0);
        static char block[1 << 16];
        for (size_t i = 0; i < sizeof(block); i++)
                block[i] = (char)('a' + i % 26);
        for (int i = 0; i < 64; i++) /* 4 MiB */
                assert_int_equal(write(fd, block, sizeof(block)), (ssize_t)sizeof(block));
        const char *none[] = {"true", NULL}, *cat[] = {"cat", NULL};
        struct sbx_config c = config(none);
        c.stdin_fd = fd;
        struct sbx_result r;
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(sbx_run(policy, &c, &r), 0);
        assert_int_equal(r.status, SBX_STATUS_OK);
        c.argv = cat;
        assert_int_equal(sbx_run(policy, &c, &r), 0);
        assert_int_equal(r.status, SBX_STATUS_OK);
        assert_int_equal(r.stdout_bytes, 64u << 16);
        /* the caller's offset is where it was: the file was read with pread */
        assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
        close(fd);
        unlink(in);

        int p[2];
        assert_int_equal(pipe(p), 0);
        pid_t writer = fork();
        if (writer == 0) {
                close(p[0]);
                for (int i = 0; i < 64; i++)
                        if (write(p[1], block, sizeof(block)) != (ssize_t)sizeof(block))
                                _exit(1);
                _exit(0);
        }
        close(p[1]);
        c.stdin_fd = p[0];
        assert_int_equal(sbx_run(policy, &c, &r), 0);
        assert_int_equal(r.status, SBX_STATUS_OK);
        assert_int_equal(r.stdout_bytes, 64u << 16);
        close(p[0]);
        assert_int_equal(waitpid(writer, NULL, 0), writer);
}

/* Threads of the caller come and go (a service's workers and readers) while runs start. */
static int churn_stop;

static void *nothing(void *arg)
{
        return arg;
}

static void *churn(void *arg)
{
        (void)arg;
        while (!__atomic_load_n(&churn_stop, __ATOMIC_SEQ_CST)) {
                pthread_t t;
                if (pthread_create(&t, NULL, nothing, NULL) == 0)
                        pthread_join(t, NULL);
        }
        return NULL;
}

/*
 * The child is cloned while another thread of the caller is being created or is exiting:
 * glibc's set*id() in the child would wait for that thread for ever (it was found as a
 * service worker's compile hanging until its wall limit). Every run must end OK, well inside
 * its wall limit.
 */
static void test_runs_while_other_threads_come_and_go(void **state)
{
        (void)state;
        const char *t[] = {"true", NULL};
        pthread_t churner;
        __atomic_store_n(&churn_stop, 0, __ATOMIC_SEQ_CST);
        assert_int_equal(pthread_create(&churner, NULL, churn, NULL), 0);
        int bad = 0;
        struct sbx_result r;
        for (int i = 0; i < 100 && !bad; i++) {
                struct sbx_config c = config(t);
                c.limits.wall_time = 10;
                if (sbx_run(policy, &c, &r) < 0 || r.status != SBX_STATUS_OK)
                        bad = i + 1;
        }
        __atomic_store_n(&churn_stop, 1, __ATOMIC_SEQ_CST);
        pthread_join(churner, NULL);
        if (bad)
                fail_msg("run %d: status %s after %.1f s: %s", bad, sbx_status_name(r.status),
                         r.wall_time, r.message);
}

static void test_layers_reported(void **state)
{
        (void)state;
        struct sbx_layers l;
        sbx_policy_layers(policy, &l);
        assert_true(l.seccomp);
        assert_true(l.rlimits);
        if (geteuid() == 0) {
                assert_true(l.privileged);
                assert_true(l.pid_ns && l.mount_ns && l.net_ns && l.uid_per_slot);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_status_names_match_the_report_contract),
                cmocka_unit_test(test_defaults_follow_design),
                cmocka_unit_test(test_true_is_ok_and_false_is_re),
                cmocka_unit_test(test_bad_arguments_are_einval),
                cmocka_unit_test(test_missing_program_is_ie_not_a_verdict),
                cmocka_unit_test(test_system_dir_as_work_dir_is_refused),
                cmocka_unit_test(test_slots_are_exclusive),
                cmocka_unit_test(test_cancelled_run_stops_at_once),
                cmocka_unit_test(test_readonly_work_dir_refuses_writes_but_tmp_works),
                cmocka_unit_test(test_work_area_overlay_keeps_the_callers_contract),
                cmocka_unit_test(test_work_area_copy_keeps_the_callers_contract),
                cmocka_unit_test(test_disk_limit_counts_what_the_program_writes),
                cmocka_unit_test(test_private_tmp_limits_are_ole),
                cmocka_unit_test(test_graders_own_memory_is_not_the_programs),
                cmocka_unit_test(test_stdin_is_fed_without_deadlock),
                cmocka_unit_test(test_runs_while_other_threads_come_and_go),
                cmocka_unit_test(test_layers_reported),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
