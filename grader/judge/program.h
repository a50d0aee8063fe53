/* SPDX-License-Identifier: MIT */
/* Package programs (validators): built in the sandbox from their files, as the spec says. */
#ifndef GRADER_PROGRAM_H
#define GRADER_PROGRAM_H

#include <stddef.h>

#include "build.h"
#include "language.h"
#include "problem.h"

/*
 * grd_program_build - build a package program in a fresh directory of env, in the sandbox:
 * - with a `build` or `run` script (legacy spec): `build`, when present, runs there under
 *   grd_default_compile_limits, then `run` is the program;
 * - otherwise its files' extensions name its language (C and C++ together are C++; files of no
 *   language, such as headers, are placed beside the sources), and that language's compiler
 *   builds it, whatever language it is: Python, Java, ...
 * Return: 0 with *out ready to run (release with grd_compiled_release); -ENOTSUP for a kind of
 * program the grader cannot run (checktestdata, VIVA); another -errno. err names the program
 * ("output_validators/checker: ...") and says what went wrong, the compiler's messages included.
 */
int grd_program_build(struct grd_env *env, const struct grd_program *def,
                      const struct grd_languages *langs, struct grd_compiled *out, char *err,
                      size_t errlen);

#endif
