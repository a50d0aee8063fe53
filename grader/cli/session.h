/* SPDX-License-Identifier: MIT */
/*
 * A by-hand grading session, what `grader run` and `grader verify` share: a sandbox policy, the
 * language table, a slot held for the session and a work root; and the by-hand commands'
 * reading of their environment and of submission files.
 */
#ifndef GRADER_SESSION_H
#define GRADER_SESSION_H

#include <stdio.h>

#include "build.h"
#include "common.h"
#include "grade.h"
#include "language.h"
#include "problem.h"
#include "sandbox.h"

struct grd_session {
        struct sbx_policy *policy;
        struct grd_languages *langs;
        int slot_fd;
        struct grd_env env;
};

/* Return: 0, or GRD_EXIT_USAGE after printing why. */
int grd_session_init(struct grd_session *s, const char *languages_path);
void grd_session_release(struct grd_session *s);

/*
 * Load a problem package, printing an error that names the package and the file
 * ("grader: examples/sum: problem.yaml:4:3: ..."). Return: the problem or NULL.
 */
struct grd_problem *grd_session_problem(const char *dir);

/*
 * Print the package's warnings (unknown keys, unused parts) to stderr, each naming the package
 * and the file, with prefix ("warning" for grader run, "error" for grader verify).
 */
void grd_session_warnings(const char *dir, const struct grd_problem *p, const char *prefix);

/* Submission files read from disk. */
struct grd_files {
        struct grd_source src[CMN_SUBMISSION_FILES_MAX];
        char *names[CMN_SUBMISSION_FILES_MAX];
        unsigned char *data[CMN_SUBMISSION_FILES_MAX];
        size_t n;
};

/* Read paths into f (names are the base names). Return: 0 or -errno with err filled. */
int grd_files_read(struct grd_files *f, char *const *paths, size_t n, char *err, size_t errlen);
void grd_files_release(struct grd_files *f);

/*
 * grd_term_write - write text a program, a compiler or a validator made to a terminal: control
 * characters other than newline and tab (escape sequences, carriage returns, C1 codes) are
 * shown as \xNN instead of being obeyed. At most max bytes of s are written.
 */
void grd_term_write(FILE *f, const char *s, size_t max);

/*
 * grd_uid_base_from_env - $GRADER_UID_BASE for the by-hand commands (sandbox, run, verify,
 * doctor): graders sharing one kernel from different containers need different uid ranges.
 * Return: 0 with *ret set (0 when unset: the sandbox's default), or GRD_EXIT_USAGE after
 * printing why (set, but not a uid in 1000..4000000000).
 */
int grd_uid_base_from_env(unsigned *ret);

#endif
