/* SPDX-License-Identifier: MIT */
/*
 * Precompiled headers (docs/grading.md, "Precompiled headers"): where a language's .gch is,
 * how a compile uses it, and the command that builds it (`grader pch` runs it).
 */
#ifndef GRADER_PCH_H
#define GRADER_PCH_H

#include <stddef.h>

#include "language.h"

/*
 * grd_pch_file - the path of l's precompiled header: dir/header.gch, where dir is the table's
 * (dir NULL) or another (`grader pch --dir`).
 * Return: 0; -ENOENT when l has no precompiled header; -ENAMETOOLONG.
 */
int grd_pch_file(const struct grd_language *l, const char *dir, char *out, size_t size);

/*
 * grd_pch_add_include - when l has a precompiled header whose .gch is a regular file, insert
 * "-I<dir>" right after the compiler (argv[0]) of an expanded compile command. GCC then looks
 * for dir/header.gch before the header itself, uses it when the source includes the header
 * first and it was built with compatible flags by this very compiler, and otherwise ignores it
 * and reads the header: a stale .gch costs time, never a different result.
 * Return: 1 inserted, 0 nothing to insert, -E2BIG when the command is full.
 */
int grd_pch_add_include(const struct grd_language *l, struct grd_argv *cmd);

/*
 * grd_pch_command - the command that builds l's precompiled header: l's compile command without
 * its sources and output ("{files}", words with {main} or {binary}, "-o" and the word after it,
 * -l libraries), each "-x LANG" before {files} made "-x LANG-header" (one after {files} is
 * dropped), then "-o output wrapper"; and l's compile environment, expanded, into env (may be
 * NULL). wrapper is a file holding "#include <header>".
 * Return: 0; -EINVAL with err filled when l has no precompiled header, no compile command or
 * none that says "-x LANG" (the header's language); -E2BIG when it does not fit.
 */
int grd_pch_command(const struct grd_language *l, const char *wrapper, const char *output,
                    struct grd_argv *cmd, struct grd_argv *env, char *err, size_t errlen);

#endif
