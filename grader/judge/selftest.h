/* SPDX-License-Identifier: MIT */
/* The start-up self-test: small programs in each language must run OK in the sandbox. */
#ifndef GRADER_SELFTEST_H
#define GRADER_SELFTEST_H

#include <stdio.h>

#include "language.h"
#include "sandbox.h"

/*
 * grd_selftest - compile and run a tiny program in C, C++ and Python 3 (required) and Java
 * (when installed) under the default policy, checking their output.
 * @out: a line per language is printed here; NULL for silence.
 * @why/@whylen: the first failure, in words.
 * Return: the number of failed required checks (0 = the sandbox works here); -errno when the
 * self-test itself could not start.
 */
int grd_selftest(const struct sbx_policy *p, const struct grd_languages *langs, unsigned slot,
                 FILE *out, char *why, size_t whylen);

#endif
