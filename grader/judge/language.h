/* SPDX-License-Identifier: MIT */
/* The language table (docs/grading.md): how to compile and run each language, loaded from JSON. */
#ifndef GRADER_LANGUAGE_H
#define GRADER_LANGUAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandbox.h"

#define GRD_LANG_MAX_ARGS 48

struct grd_lang_limits {
        double time;            /* compile: seconds; 0 = not set */
        double time_multiplier; /* run: factor on the problem's time limit; 0 = 1 */
        uint64_t memory;        /* compile: bytes; 0 = not set */
        uint64_t extra_memory;  /* run: added to the sandbox limit (runtime overhead) */
        uint64_t output;        /* compile: cap on the compiler's output */
        unsigned processes;     /* 0 = not set */
        int memory_exit_code;   /* run: this exit status means "out of memory" (MLE); 0 none */
        bool memory_mode_set;
        enum sbx_memory_mode memory_mode;
};

struct grd_language {
        char *id;
        char *name;
        char **extensions; /* NULL-terminated */
        char **compile;    /* NULL-terminated template, or NULL: nothing to compile */
        char **run;        /* NULL-terminated template */
        char **version;    /* NULL-terminated, may be NULL */
        char *binary;      /* {binary}; default "main" */
        struct grd_lang_limits compile_limits;
        struct grd_lang_limits run_limits;
};

struct grd_languages {
        struct grd_language *langs;
        size_t n;
};

/*
 * grd_languages_load - read a language table.
 * @path: the JSON file, or NULL for the default: $GRADER_LANGUAGES, else the installed table,
 *        else the one in the source tree.
 * Return: 0 and *ret (free with grd_languages_free()); -errno with err filled (the message
 * names the file and the entry at fault).
 */
int grd_languages_load(const char *path, struct grd_languages **ret, char *err, size_t errlen);

/* grd_languages_free - accepts NULL. */
void grd_languages_free(struct grd_languages *t);

/* grd_language_find - by id; NULL when unknown. */
const struct grd_language *grd_language_find(const struct grd_languages *t, const char *id);

/* grd_language_guess - by the extension of a file name; NULL when none matches. */
const struct grd_language *grd_language_guess(const struct grd_languages *t, const char *file);

/*
 * grd_language_missing - the first program a language needs that is not installed here.
 * Return: NULL when everything is there, else the path (owned by the table).
 */
const char *grd_language_missing(const struct grd_language *l);

/* Values for the placeholders of a command template. */
struct grd_lang_vars {
        const char *const *files; /* NULL-terminated source file names */
        const char *main;         /* the main source file */
        unsigned memory_mb;
};

/*
 * grd_language_expand - expand a command template into argv.
 * @tmpl: the template; @out: room for GRD_LANG_MAX_ARGS + 1 pointers; @store/@storelen:
 * where the expanded strings live.
 * Return: 0; -E2BIG when it does not fit.
 */
int grd_language_expand(const struct grd_language *l, char *const *tmpl,
                        const struct grd_lang_vars *v, char **out, char *store, size_t storelen);

/*
 * grd_language_main_file - choose the main source file among names: the only one, else one
 * whose stem is "main" or "Main", else the first.
 */
const char *grd_language_main_file(const char *const *names);

#endif
