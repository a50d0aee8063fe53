/* SPDX-License-Identifier: MIT */
/* Compiling a program and running the result, each in the sandbox. */
#ifndef GRADER_BUILD_H
#define GRADER_BUILD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "language.h"
#include "verdict.h"
#include "sandbox.h"

/*
 * A graded run's wall-clock limit: its CPU limit plus a margin, max(1.5 x CPU, CPU + 1 s). A
 * program that sleeps (or waits for input that never comes) ends as TLE soon after its CPU
 * limit instead of being judged on whatever it printed.
 */
#define GRD_WALL_FACTOR 1.5
#define GRD_WALL_EXTRA  1.0

/*
 * Sandbox slots a grader tries to claim (each concurrent run needs its own): more than any host
 * runs at once, few enough that a scan for a free one stays cheap.
 */
#define GRD_SLOT_COUNT 1000

/* What a grading needs from its surroundings; one per worker. */
struct grd_env {
        const struct sbx_policy *policy;
        unsigned slot;             /* the worker's sandbox slot */
        struct sbx_cancel *cancel; /* may be NULL */
        char workroot[PATH_MAX];   /* private scratch space of this worker */
        unsigned long seq;         /* names fresh directories under workroot */
        bool pair_slot_held;       /* an interactor's slot is claimed (the first pair run) */
        unsigned pair_slot;        /* it: in [GRD_SLOT_COUNT, 2 x GRD_SLOT_COUNT) */
        int pair_slot_fd;          /* its lock, released by grd_env_release */
};

/* A file of a submission (or of a package program). */
struct grd_source {
        const char *name; /* a plain file name */
        const unsigned char *data;
        size_t len;
};

/* A compiled program, ready to run. */
struct grd_compiled {
        char dir[PATH_MAX];              /* its files and what the compiler made */
        const struct grd_language *lang; /* NULL: the program is ./run (made by a build script) */
        char main[256];                  /* the main source file ({main}) */
        char entry[256];                 /* {class}: Java's main class, else main's stem */
        bool ok;                         /* true: runnable */
        bool internal_error;             /* the sandbox failed: not the program's fault */
        char *output;                    /* compiler messages, UTF-8, capped; may be NULL */
        bool output_truncated;           /* the compiler said more than was kept */
        double time;                     /* CPU seconds of the compilation */
        struct sbx_result res;
};

/*
 * grd_env_init - make a private work root (mode 0700) under base (NULL: $TMPDIR or /tmp).
 * Return: 0 or -errno.
 */
int grd_env_init(struct grd_env *env, const struct sbx_policy *policy, unsigned slot,
                 const char *base);

/* grd_env_release - remove the work root and everything in it; release the interactor's slot. */
void grd_env_release(struct grd_env *env);

/* grd_env_fresh_dir - make a new empty directory workroot/what-N (mode 0755). Return: 0, -errno. */
int grd_env_fresh_dir(struct grd_env *env, const char *what, char *out, size_t n);

/*
 * grd_compile - write the files into a fresh directory and compile them there in the sandbox,
 * as grd_compile_dir does. Every name must be a plain file name.
 * Return: 0 with *out filled (out->ok false means CE, or IE when out->internal_error);
 * -EINVAL when the files cannot make a submission (err says why: the submission's fault);
 * another -errno when the grader itself failed (with err filled).
 */
int grd_compile(struct grd_env *env, const struct grd_language *lang, const struct grd_source *src,
                size_t n, struct grd_compiled *out, char *err, size_t errlen);

/*
 * grd_compile_dir - compile the program whose files are in dir (the caller's fresh directory,
 * which out->dir takes over), in the sandbox:
 * - with lang: the files with lang's extensions are the sources ({files}); the others stay
 *   beside them (headers, data). The compiler runs under lang's compile limits (completed by
 *   grd_default_compile_limits): its messages are read from a pipe, the first `output` bytes
 *   kept, and it is stopped past them, as a program is at its output limit; files it writes may
 *   reach `file_size` and its /tmp `scratch`. A Java-style language finds {class} in the
 *   sources. A language without a compile command only checks that a source is there.
 * - with lang NULL (a package program with `build`/`run` scripts): `build`, when present, runs
 *   in dir under grd_default_compile_limits, then `run` must exist.
 * Return: as grd_compile.
 */
int grd_compile_dir(struct grd_env *env, const struct grd_language *lang, const char *dir,
                    struct grd_compiled *out, char *err, size_t errlen);

/* grd_compiled_release - remove its directory and free its output; accepts a zeroed one. */
void grd_compiled_release(struct grd_compiled *c);

/* A file placed in a run's directory before the program starts. */
struct grd_run_file {
        const char *from; /* absolute path */
        const char *name; /* plain name in the run directory */
};

/* One run of a compiled program. */
struct grd_run_spec {
        double time;            /* CPU seconds, before the language's multiplier */
        double wall;            /* 0: grd_wall_limit() of the CPU limit */
        uint64_t memory;        /* bytes, before the language's extra memory */
        uint64_t output;        /* bytes of stdout, of stderr and of each file written */
        const char *stdin_path; /* opened by the grader; NULL: /dev/null, or stdin_fd */
        bool stdin_from_fd;     /* stdin is stdin_fd (read from where it stands) */
        int stdin_fd;
        int stdout_fd;     /* where stdout goes; -1: discarded */
        int stderr_fd;     /* likewise */
        char *const *args; /* appended to the run command, NULL-terminated; may be NULL */
        const struct grd_run_file *files; /* placed in the run directory */
        size_t n_files;
        const char *files_dir;    /* its contents are copied into the run directory; may be NULL */
        const char *writable_dir; /* a subdirectory made for the program to write in; may be NULL */
        bool readonly;            /* the program sees its directory read-only (no file writing) */
        char *keep_dir;           /* non-NULL (PATH_MAX bytes): the run directory is kept and its
                                     path written here; the caller removes it */
};

/*
 * grd_capture_open - a capture file for a program's stdout or stderr, under the work root and
 * already unlinked: private to the grader from the start.
 * Return: the descriptor (O_CLOEXEC) or -errno.
 */
int grd_capture_open(struct grd_env *env, const char *what);

/*
 * grd_capture_read - the first cap bytes of a capture file as UTF-8 (invalid bytes replaced by
 * U+FFFD, never a character cut in half); *ret_truncated says whether there was more.
 * Return: a new string, or NULL when out of memory.
 */
char *grd_capture_read(int fd, size_t cap, bool *ret_truncated);

/* grd_wall_limit - a graded run's wall-clock limit for a CPU limit (GRD_WALL_FACTOR, _EXTRA). */
double grd_wall_limit(double cpu);

/*
 * grd_run_compiled - run the program in a fresh copy of its compiled directory, as its
 * language's run command (or ./run) followed by spec->args.
 * Return: 0 with *res filled; -errno when the grader itself failed (err filled).
 */
int grd_run_compiled(struct grd_env *env, const struct grd_compiled *c,
                     const struct grd_run_spec *spec, struct sbx_result *res, char *err,
                     size_t errlen);

/* grd_verdict_of_run - the verdict a run's status is by itself (OK: AC, to be validated).
 * Return: the verdict. */
enum grd_verdict grd_verdict_of_run(enum sbx_status s);

/*
 * grd_run_compiled_pair - run prog and inter at once, joined by pipes (sbx_run_pair: prog's
 * stdout is inter's stdin and the other way round), each as grd_run_compiled would run it
 * alone; the specs' stdin and stdout settings are ignored. prog_spec's wall limit covers the
 * pair. inter runs as its own uid: a slot of [GRD_SLOT_COUNT, 2 x GRD_SLOT_COUNT), claimed
 * (sbx_slot_acquire) at the env's first pair and held until grd_env_release.
 * Return: 0 with *res filled; -errno when the grader itself failed (err filled).
 */
int grd_run_compiled_pair(struct grd_env *env, const struct grd_compiled *prog,
                          const struct grd_run_spec *prog_spec, const struct grd_compiled *inter,
                          const struct grd_run_spec *inter_spec, struct sbx_pair_result *res,
                          char *err, size_t errlen);

#endif
