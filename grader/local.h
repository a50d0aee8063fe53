/* SPDX-License-Identifier: MIT */
/* What the by-hand commands (run, verify) share: a policy, the languages, a slot, a work root. */
#ifndef GRADER_LOCAL_H
#define GRADER_LOCAL_H

#include "build.h"
#include "grade.h"
#include "language.h"
#include "problem.h"
#include "sandbox.h"

struct grd_local {
        struct sbx_policy *policy;
        struct grd_languages *langs;
        int slot_fd;
        struct grd_env env;
};

/* Return: 0, or GRD_EXIT_USAGE after printing why. */
int grd_local_init(struct grd_local *l, const char *languages_path);
void grd_local_release(struct grd_local *l);

/* Load a problem package, printing the error. Return: the problem or NULL. */
struct grd_problem *grd_local_problem(const char *dir);

/* Submission files read from disk. */
struct grd_files {
        struct grd_source src[64];
        char *names[64];
        unsigned char *data[64];
        size_t n;
};

/* Read paths into f (names are the base names). Return: 0 or -errno with err filled. */
int grd_files_read(struct grd_files *f, char *const *paths, size_t n, char *err, size_t errlen);
void grd_files_release(struct grd_files *f);

#endif
