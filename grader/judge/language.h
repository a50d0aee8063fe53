/* SPDX-License-Identifier: MIT */
/* The language table (docs/grading.md): how to compile and run each language, loaded from JSON. */
#ifndef GRADER_LANGUAGE_H
#define GRADER_LANGUAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandbox.h"

#define GRD_LANG_MAX_ARGS 48 /* words of a command template */
/*
 * Words of an expanded command: sbx_run's own cap on argv. {files} may expand to many words; a
 * command that does not fit is refused (a compile error naming the cause).
 */
#define GRD_LANG_MAX_ARGV   256
#define GRD_LANG_ARGV_STORE (64u << 10) /* bytes of the expanded words */

struct grd_lang_limits {
        double time;            /* compile: seconds; 0 = not set */
        double time_multiplier; /* run: factor on the problem's time limit; 0 = 1 */
        uint64_t memory;        /* compile: bytes; 0 = not set */
        uint64_t extra_memory;  /* run: added to the sandbox limit (runtime overhead) */
        uint64_t output;        /* compile: compiler messages kept; past them it is stopped */
        uint64_t file_size;     /* compile: largest file it may write (objects, the binary) */
        uint64_t scratch;       /* compile: size of its private /tmp */
        unsigned processes;     /* 0 = not set */
        int memory_exit_code;   /* run: this exit status means "out of memory" (MLE); 0 none */
        uint64_t stack;         /* RLIMIT_STACK; 0 = not set (the sandbox's default) */
        unsigned open_files;    /* RLIMIT_NOFILE; 0 = not set */
        char *seccomp;          /* a named allow-list addition (docs/sandbox.md); NULL none */
        bool memory_mode_set;
        enum sbx_memory_mode memory_mode;
};

/*
 * What a compile gets where its language leaves a limit unset, and what a build script of a
 * package program (a validator's `build`) always gets.
 */
extern const struct grd_lang_limits grd_default_compile_limits;

/*
 * A custom output or input validator's limits where the package leaves them unset
 * (problem.yaml limits.validation_time, validation_memory, validation_output).
 */
extern const struct grd_lang_limits grd_default_validator_limits;

/*
 * A precompiled header a language's compiler may use (docs/grading.md, "Precompiled headers"):
 * `grader pch` builds dir/header.gch with the language's own compile flags, and a compile gets
 * -I dir when that file is there. NULL fields: the language has none.
 */
struct grd_lang_pch {
        char *header; /* relative, as sources include it: "bits/stdc++.h" */
        char *dir;    /* absolute: the directory holding header.gch (under /usr: the sandbox
                         shows it read-only) */
};

/*
 * Class-data-sharing archives of a JVM language (docs/grading.md, "Class-data-sharing
 * archives"): `grader pch` dumps dir/ID.compile.jsa and dir/ID.run.jsa, the classes the
 * language's compiler and a small program of it load, and a compile or run gets the JVM options
 * that map that file while it is there. dir NULL: none.
 */
struct grd_lang_cds {
        char *dir; /* absolute, under /usr like a precompiled header's */
};

/* How {class} is found. */
enum grd_main_class {
        GRD_MAIN_CLASS_FILE, /* the main file's name without its extension */
        GRD_MAIN_CLASS_JAVA, /* the class declaring public static void main(String[]) */
};

struct grd_language {
        char *id;
        char *name;
        char *package;     /* the Debian package that installs it; default the id */
        char **aliases;    /* other ids --language accepts (DOMjudge's), NULL-terminated or NULL */
        char *shebang;     /* a word of a "#!" first line that claims a shared extension; or NULL */
        char **extensions; /* NULL-terminated */
        char **compile;    /* NULL-terminated template, or NULL: nothing to compile */
        char **run;        /* NULL-terminated template */
        char **version;    /* NULL-terminated, may be NULL */
        char **compile_env; /* "NAME=value" templates added to the compiler's environment */
        char **run_env;     /* likewise for each run; each NULL-terminated or NULL */
        char *binary;       /* {binary}; default "main" */
        enum grd_main_class main_class;
        struct grd_lang_limits compile_limits;
        struct grd_lang_limits run_limits;
        struct grd_lang_pch pch; /* "precompiled_header"; header NULL: none */
        struct grd_lang_cds cds; /* "class_data_archive"; dir NULL: none */
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

/* grd_language_find - by id, then by alias; NULL when unknown. */
const struct grd_language *grd_language_find(const struct grd_languages *t, const char *id);

/*
 * grd_language_guess - by the extension of a file name, exactly first (".C" is C++), then
 * ignoring case; NULL when none matches.
 */
const struct grd_language *grd_language_guess(const struct grd_languages *t, const char *file);

/*
 * grd_language_guess_source - grd_language_guess, reading the file too: a .py file whose first
 * line is a shebang naming python2 is Python 2, which is no language of the table here (the
 * spec tells Python 2 from 3 by that line); a "#!" first line naming the shebang word of
 * another language with that extension chooses that one (.pl is Prolog, Kattis's spelling,
 * unless it starts "#!/usr/bin/perl"). Return: the language, or NULL.
 */
const struct grd_language *grd_language_guess_source(const struct grd_languages *t,
                                                     const char *file, const unsigned char *data,
                                                     size_t len);

/*
 * grd_language_is_source - whether file has one of l's extensions (ignoring case): what goes to
 * the compiler as {files}; other files of a submission are only placed beside them.
 */
bool grd_language_is_source(const struct grd_language *l, const char *file);

/*
 * grd_language_missing - the first program a language needs that is not installed here: the
 * first word of its compile, run and version commands, when it is an absolute path, must be an
 * executable file (Kotlin and Scala compile with /usr/bin/java; their version command names
 * kotlinc and scalac, which their packages install).
 * Return: NULL when everything is there, else the path (owned by the table).
 */
const char *grd_language_missing(const struct grd_language *l);

/* Values for the placeholders of a command template. */
struct grd_lang_vars {
        const char *const *files; /* NULL-terminated source file names */
        const char *main;         /* the main source file */
        const char *entry;        /* {class}; NULL: main without its extension */
        unsigned memory_mb;
};

/*
 * grd_language_kotlin_class - the class kotlinc makes for a file's top-level functions: the
 * stem with each character that cannot be in a Java identifier made '_', '_' before a leading
 * digit, the first letter upper-cased, then "Kt" ("sum.kt": "SumKt", "2-sum.kt": "_2_sumKt").
 * Return: 0; -E2BIG when it does not fit out.
 */
int grd_language_kotlin_class(const char *main, char *out, size_t size);

/* An expanded command: argv[] points into store. Large: allocate it. */
struct grd_argv {
        char *argv[GRD_LANG_MAX_ARGV + 1];
        size_t argc;
        char store[GRD_LANG_ARGV_STORE];
        size_t used;
};

/*
 * grd_language_expand - expand a command template into out (which it resets).
 * Return: 0; -E2BIG when it does not fit GRD_LANG_MAX_ARGV words or the store.
 */
int grd_language_expand(const struct grd_language *l, char *const *tmpl,
                        const struct grd_lang_vars *v, struct grd_argv *out);

/* grd_argv_add - append one word to an expanded command. Return: 0 or -E2BIG. */
int grd_argv_add(struct grd_argv *a, const char *word);

/*
 * grd_argv_insert_front - insert n words, in order, right after the command's program
 * (argv[0]); each word is prefix followed by the given word (prefix may be "").
 * Return: 0, or -E2BIG when they do not fit (the command is then left as it was).
 */
int grd_argv_insert_front(struct grd_argv *a, const char *prefix, const char *const *words,
                          size_t n);

/*
 * grd_language_main_file - choose the main source file among names: the only one, else one
 * whose stem is "main", "Main" or "__main__" (a Python package's entry point), else the first.
 */
const char *grd_language_main_file(const char *const *names);

#endif
