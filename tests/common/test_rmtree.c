/* SPDX-License-Identifier: MIT */
/*
 * cmn_rmtree() on trees a hostile program can make: 3,000 levels deep, directories without
 * any permission, entries that cannot be removed, symlinks out of the tree. Each case runs as
 * the test's user and, when that is root, again as nobody in a child (the unprivileged grader).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common.h"

int main(void);

/* far past any recursion or descriptor budget (1024 descriptors) and PATH_MAX (a path of 6,000
 * characters); deeper trees cost only time, since the walk is linear in the entries */
#define DEPTH       3000
#define LOCKED_EACH 499 /* every so many levels, a directory without any permission */
#define NOBODY      65534

/* A fresh directory under /tmp that nobody can use too (the parent is world-traversable). */
static void fresh_dir(char *buf, size_t n)
{
        snprintf(buf, n, "/tmp/grader-rmtree-XXXXXX");
        assert_non_null(mkdtemp(buf));
        assert_int_equal(chmod(buf, 0755), 0);
}

/* dir/t/d/d/d/... DEPTH levels, a file at every level, every LOCKED_EACH-th directory mode 0
 * (set after its child exists, as a program would). Return: 0 or -1. */
static int make_deep_tree(const char *dir)
{
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        const char *name = "t";
        for (int i = 0; i < DEPTH; i++) {
                if (mkdirat(fd, name, 0755) < 0)
                        return -1;
                int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (sub < 0)
                        return -1;
                int f = openat(sub, "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
                if (f < 0)
                        return -1;
                close(f);
                if (i % LOCKED_EACH == LOCKED_EACH - 1 && fchmod(fd, 0) < 0)
                        return -1;
                close(fd);
                fd = sub;
                name = "d";
        }
        close(fd);
        return 0;
}

/* Remove a deep tree as whoever runs this; 0 when it is gone. */
static int deep_tree_case(void)
{
        char dir[64];
        snprintf(dir, sizeof(dir), "/tmp/grader-rmtree-XXXXXX");
        if (!mkdtemp(dir) || make_deep_tree(dir) < 0)
                return 1;
        if (chmod(dir, 0) < 0) /* even the top without permission */
                return 2;
        if (cmn_rmtree(dir) != 0)
                return 3;
        return access(dir, F_OK) == 0 ? 4 : 0;
}

/* Run fn as nobody in a child. Return: its exit status. */
static int as_nobody(int (*fn)(void))
{
        pid_t pid = fork();
        if (pid == 0) {
                if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
                    setresuid(NOBODY, NOBODY, NOBODY) < 0)
                        _exit(100);
                _exit(fn());
        }
        int st;
        assert_true(pid > 0);
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        return WEXITSTATUS(st);
}

static void test_deep_tree_with_locked_dirs_is_removed(void **state)
{
        (void)state;
        assert_int_equal(deep_tree_case(), 0);
}

static void test_deep_tree_is_removed_unprivileged(void **state)
{
        (void)state;
        if (geteuid() != 0)
                skip(); /* the case above already ran unprivileged */
        assert_int_equal(as_nobody(deep_tree_case), 0);
}

/* An entry nobody cannot remove (a root-owned directory holding a file) ends the walk with an
 * error instead of retrying it for ever; everything else still goes. */
static void test_unremovable_entry_ends_with_an_error(void **state)
{
        (void)state;
        if (geteuid() != 0)
                skip();
        char dir[64], path[128];
        fresh_dir(dir, sizeof(dir));
        assert_int_equal(chown(dir, NOBODY, NOBODY), 0);
        snprintf(path, sizeof(path), "%s/a", dir);
        assert_int_equal(mkdir(path, 0755), 0);
        snprintf(path, sizeof(path), "%s/a/stuck", dir);
        int f = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        assert_true(f >= 0);
        close(f);
        snprintf(path, sizeof(path), "%s/z", dir);
        assert_int_equal(mkdir(path, 0755), 0);
        assert_int_equal(chown(path, NOBODY, NOBODY), 0);
        pid_t pid = fork();
        if (pid == 0) {
                if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
                    setresuid(NOBODY, NOBODY, NOBODY) < 0)
                        _exit(100);
                _exit(cmn_rmtree(dir) == -EACCES ? 0 : 1);
        }
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
        assert_int_equal(access(path, F_OK), -1); /* z, which nobody could remove, is gone */
        assert_int_equal(cmn_rmtree(dir), 0);
}

/* A symlink to a directory outside is removed, never followed. */
static void test_symlink_out_of_the_tree_is_not_followed(void **state)
{
        (void)state;
        char dir[64], outside[64], path[160], target[160];
        fresh_dir(dir, sizeof(dir));
        fresh_dir(outside, sizeof(outside));
        snprintf(target, sizeof(target), "%s/keep", outside);
        int f = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        assert_true(f >= 0);
        close(f);
        snprintf(path, sizeof(path), "%s/link", dir);
        assert_int_equal(symlink(outside, path), 0);
        assert_int_equal(cmn_rmtree(dir), 0);
        assert_int_equal(access(dir, F_OK), -1);
        assert_int_equal(access(target, F_OK), 0);
        assert_int_equal(cmn_rmtree(outside), 0);
}

static void test_missing_path_and_plain_file(void **state)
{
        (void)state;
        assert_int_equal(cmn_rmtree("/tmp/grader-rmtree-does-not-exist"), 0);
        char dir[64], path[128];
        fresh_dir(dir, sizeof(dir));
        snprintf(path, sizeof(path), "%s/file", dir);
        int f = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        assert_true(f >= 0);
        close(f);
        assert_int_equal(cmn_rmtree(path), 0);
        assert_int_equal(access(path, F_OK), -1);
        assert_int_equal(cmn_rmtree(dir), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_deep_tree_with_locked_dirs_is_removed),
                cmocka_unit_test(test_deep_tree_is_removed_unprivileged),
                cmocka_unit_test(test_unremovable_entry_ends_with_an_error),
                cmocka_unit_test(test_symlink_out_of_the_tree_is_not_followed),
                cmocka_unit_test(test_missing_path_and_plain_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
