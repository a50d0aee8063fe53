/* SPDX-License-Identifier: MIT */
/* Java's main class, found in the sources as Kattis and DOMjudge find it. */
#ifndef GRADER_JAVA_H
#define GRADER_JAVA_H

#include <stddef.h>

#include "build.h"

/*
 * grd_java_main_class - the class that declares `public static void main(String[])` in the
 * .java files among src (qualified: "pkg.Main", a nested class "Outer$Inner"). With several,
 * the one whose top-level class is named after its file (Main in Main.java); when none or more
 * than one is, there is no answer.
 * Return: 0 and ret filled; -ENOENT (no main method) or -EINVAL (no single choice) with err
 * saying so and naming the candidates; -ENAMETOOLONG.
 */
int grd_java_main_class(const struct grd_source *src, size_t n, char *ret, size_t retlen, char *err,
                        size_t errlen);

#endif
