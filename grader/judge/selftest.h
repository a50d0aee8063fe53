/* SPDX-License-Identifier: MIT */
/* The start-up self-test: small programs in each language must run OK in the sandbox. */
#ifndef GRADER_SELFTEST_H
#define GRADER_SELFTEST_H

#include "language.h"
#include "sandbox.h"

/* What the self-test found for one language, for the caller to show. */
struct grd_selftest_line {
        const char *language;
        const char *status; /* "ok", "FAIL", "skipped" */
        double seconds;     /* compile and run; 0 when skipped */
        const char *why;    /* "" when ok */
};

/*
 * grd_selftest - compile and run a tiny program in C, C++ and Python 3 (required) and in every
 * other language of the table that is installed (data/languages.json: Java, Kotlin, Rust, ...)
 * under the default policy, each reading "2 3" and printing 5: a runtime whose start-up needs
 * a call the allow-list refuses fails here, with the call's name.
 * @on_line: called once per language (may be NULL), with ctx.
 * @why/@whylen: the first failure, in words.
 * Return: the number of failed required checks (0 = the sandbox works here); -errno when the
 * self-test itself could not start.
 */
int grd_selftest(const struct sbx_policy *p, const struct grd_languages *langs, unsigned slot,
                 void (*on_line)(void *ctx, const struct grd_selftest_line *l), void *ctx,
                 char *why, size_t whylen);

/*
 * grd_selftest_program - the self-test's program in language id: its file name and source. It
 * reads GRD_SELFTEST_INPUT and prints 5 (`grader pch` runs it to learn the classes a program
 * of a JVM language loads).
 * Return: 0; -ENOENT when the self-test has no program in that language.
 */
int grd_selftest_program(const char *id, const char **file, const char **source);

#define GRD_SELFTEST_INPUT "2 3\n"

#endif
