/* SPDX-License-Identifier: MIT */
/* Test helpers: build small problem packages in temporary directories. */
#ifndef GRADER_TESTS_PKGUTIL_H
#define GRADER_TESTS_PKGUTIL_H

#include "common.h"
#include "problem.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A fresh empty directory under $TMPDIR (or /tmp); the caller removes it with cmn_rmtree. */
static inline char *pkg_tmpdir(void)
{
        const char *base = getenv("TMPDIR");
        char tmpl[PATH_MAX];
        snprintf(tmpl, sizeof(tmpl), "%s/grader-test-XXXXXX", base && *base ? base : "/tmp");
        char *d = mkdtemp(tmpl);
        return d ? strdup(d) : NULL;
}

/* Write content to root/rel, creating the parent directories. Return: 0 or -1. */
static inline int pkg_put(const char *root, const char *rel, const char *content)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", root, rel);
        char *slash = strrchr(path, '/');
        *slash = '\0';
        if (cmn_mkdir_p(path, 0755) < 0)
                return -1;
        *slash = '/';
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -1;
        size_t len = strlen(content);
        ssize_t n = write(fd, content, len);
        close(fd);
        return n == (ssize_t)len ? 0 : -1;
}

/* Make a package from NULL-terminated (path, content) pairs. Return: its directory (free it). */
static inline char *pkg_make(const char *const *files)
{
        char *root = pkg_tmpdir();
        if (!root)
                return NULL;
        for (size_t i = 0; files[i]; i += 2) {
                if (pkg_put(root, files[i], files[i + 1]) < 0) {
                        cmn_rmtree(root);
                        free(root);
                        return NULL;
                }
        }
        return root;
}

static inline void pkg_remove(char *root)
{
        if (root) {
                cmn_rmtree(root);
                free(root);
        }
}

#ifdef cmocka_unit_test
/* With cmocka: load a package that must load, or must not (the message in pkg_err). */
static char pkg_err[512];

static inline struct grd_problem *load_ok(const char *dir)
{
        struct grd_problem *p = NULL;
        int r = grd_problem_load(dir, NULL, &p, pkg_err, sizeof(pkg_err));
        if (r < 0)
                fail_msg("loading %s failed: %d %s", dir, r, pkg_err);
        return p;
}

static inline int load_fail(const char *dir)
{
        struct grd_problem *p = NULL;
        int r = grd_problem_load(dir, NULL, &p, pkg_err, sizeof(pkg_err));
        assert_true(r < 0);
        assert_null(p);
        assert_true(pkg_err[0] != '\0');
        return r;
}
#endif

#endif
