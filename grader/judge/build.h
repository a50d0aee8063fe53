/* SPDX-License-Identifier: MIT */
/* Compiling a submission and running the result, each in the sandbox. */
#ifndef GRADER_BUILD_H
#define GRADER_BUILD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "language.h"
#include "sandbox.h"

/* What a grading needs from its surroundings; one per worker. */
struct grd_env {
        const struct sbx_policy *policy;
        unsigned slot;             /* the worker's sandbox slot */
        struct sbx_cancel *cancel; /* may be NULL */
        char workroot[PATH_MAX];   /* private scratch space of this worker */
        unsigned long seq;         /* names fresh directories under workroot */
};

/* A source file of a submission. */
struct grd_source {
        const char *name; /* a plain file name */
        const unsigned char *data;
        size_t len;
};

struct grd_compiled {
        char dir[PATH_MAX];  /* sources and what the compiler made */
        char main[256];      /* the main source file's name */
        bool ok;             /* true: runnable */
        bool internal_error; /* the sandbox failed: not the submission's fault */
        char *output;        /* compiler messages, UTF-8, capped; may be NULL */
        double time;         /* CPU seconds of the compilation */
        struct sbx_result res;
};

/*
 * grd_env_init - make a private work root (mode 0700) under base (NULL: $TMPDIR or /tmp).
 * Return: 0 or -errno.
 */
int grd_env_init(struct grd_env *env, const struct sbx_policy *policy, unsigned slot,
                 const char *base);

/* grd_env_release - remove the work root and everything in it. */
void grd_env_release(struct grd_env *env);

/*
 * grd_compile - write the sources into a fresh directory and run the language's compile
 * command there in the sandbox, under its compile limits. A language without a compile
 * command only gets its sources written.
 * Return: 0 with *out filled (out->ok false means CE, or IE when out->internal_error);
 * -errno when the grader itself failed (with err filled).
 */
int grd_compile(struct grd_env *env, const struct grd_language *lang, const struct grd_source *src,
                size_t n, struct grd_compiled *out, char *err, size_t errlen);

/* grd_compiled_release - remove its directory and free its output. */
void grd_compiled_release(struct grd_compiled *c);

/* Limits of one run of the compiled program. */
struct grd_run_limits {
        double time;     /* CPU seconds, before the language's multiplier */
        double wall;     /* 0: derived */
        uint64_t memory; /* bytes, before the language's extra memory */
        uint64_t output; /* bytes of stdout (and of stderr) */
};

/*
 * grd_run_compiled - run the program in a fresh copy of the compiled directory.
 * @stdin_path: its input (opened by the grader); @stdout_fd: where its stdout goes;
 * @stderr_fd: likewise (-1: discard).
 * Return: 0 with *res filled; -errno when the grader itself failed.
 */
int grd_run_compiled(struct grd_env *env, const struct grd_language *lang,
                     const struct grd_compiled *c, const struct grd_run_limits *lim,
                     const char *stdin_path, int stdout_fd, int stderr_fd, struct sbx_result *res,
                     char *err, size_t errlen);

/*
 * grd_copy_tree - copy regular files and directories from src to dst (created) without
 * following any symlink (a sandboxed program may have planted them), at most max_files
 * entries and max_bytes bytes in all.
 * Return: 0 or -errno (-EFBIG when over the caps).
 */
int grd_copy_tree(const char *src, const char *dst, size_t max_files, size_t max_bytes);

#endif
