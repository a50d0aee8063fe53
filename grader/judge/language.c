/* SPDX-License-Identifier: MIT */
/* The language table: loading and validating languages.json, expanding command templates. */
#include "language.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common.h"

#define MAX_TABLE (1u << 20)
/* RLIMIT_NOFILE a language may ask for: stdio needs 3, and more than 4096 is a leak, not a need */
#define MIN_OPEN_FILES 8
#define MAX_OPEN_FILES 4096
#define PCH_PATH_MAX   1024 /* bytes of a precompiled header's header or dir */

/*
 * 10 s and 1 GiB fit every ordinary program of a course; 64 KiB of messages is more than anyone
 * reads (past it the compiler is stopped, as a program is at its output limit); 256 MiB per file
 * leaves room for a large static array in a binary, and a 256 MiB /tmp for the assembler and
 * linker's temporary files, while a compile bomb still cannot fill the disk.
 */
const struct grd_lang_limits grd_default_compile_limits = {
        .time = 10,
        .memory = 1ull << 30,
        .output = 64u << 10,
        .file_size = 256ull << 20,
        .scratch = 256ull << 20,
        .processes = 16,
};

/* The legacy spec's "typical system defaults" for validation_time and validation_memory. */
const struct grd_lang_limits grd_default_validator_limits = {
        .time = 60,
        .memory = 2048ull << 20,
        .output = 8ull << 20,
        .processes = 16,
};

static void free_strv(char **v)
{
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

static void lang_release(struct grd_language *l)
{
        free(l->id);
        free(l->name);
        free(l->package);
        free(l->shebang);
        free(l->binary);
        free(l->compile_limits.seccomp);
        free(l->run_limits.seccomp);
        free_strv(l->aliases);
        free_strv(l->extensions);
        free_strv(l->compile);
        free_strv(l->run);
        free_strv(l->version);
        free_strv(l->compile_env);
        free_strv(l->run_env);
        free(l->pch.header);
        free(l->pch.dir);
        free(l->cds.dir);
}

void grd_languages_free(struct grd_languages *t)
{
        if (!t)
                return;
        for (size_t i = 0; i < t->n; i++)
                lang_release(&t->langs[i]);
        free(t->langs);
        free(t);
}

/* A JSON array of strings into a NULL-terminated vector. */
static int strv(json_t *a, bool allow_missing, char ***ret, const char *what, char *err,
                size_t errlen)
{
        *ret = NULL;
        if (!a && allow_missing)
                return 0;
        if (!json_is_array(a) || json_array_size(a) == 0 ||
            json_array_size(a) > GRD_LANG_MAX_ARGS) {
                snprintf(err, errlen, "'%s' must be a non-empty array of at most %d strings", what,
                         GRD_LANG_MAX_ARGS);
                return -EINVAL;
        }
        char **v = calloc(json_array_size(a) + 1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        size_t i;
        json_t *x;
        json_array_foreach(a, i, x)
        {
                if (!json_is_string(x)) {
                        snprintf(err, errlen, "'%s' item %zu is not a string", what, i);
                        free_strv(v);
                        return -EINVAL;
                }
                v[i] = strdup(json_string_value(x));
        }
        *ret = v;
        return 0;
}

static int limits(json_t *o, struct grd_lang_limits *l, const char *what, char *err, size_t errlen)
{
        memset(l, 0, sizeof(*l));
        if (!o)
                return 0;
        if (!json_is_object(o)) {
                snprintf(err, errlen, "'%s' must be an object", what);
                return -EINVAL;
        }
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v)
        {
                if (!strcmp(k, "time") || !strcmp(k, "time_multiplier")) {
                        if (!json_is_number(v) || json_number_value(v) <= 0 ||
                            json_number_value(v) > 3600) {
                                snprintf(err, errlen, "'%s.%s' must be a number in (0, 3600]", what,
                                         k);
                                return -EINVAL;
                        }
                        *(k[4] ? &l->time_multiplier : &l->time) = json_number_value(v);
                } else if (!strcmp(k, "memory") || !strcmp(k, "extra_memory") ||
                           !strcmp(k, "output") || !strcmp(k, "file_size") ||
                           !strcmp(k, "scratch") || !strcmp(k, "stack")) {
                        uint64_t *dst = !strcmp(k, "memory")      ? &l->memory
                                        : !strcmp(k, "output")    ? &l->output
                                        : !strcmp(k, "file_size") ? &l->file_size
                                        : !strcmp(k, "scratch")   ? &l->scratch
                                        : !strcmp(k, "stack")     ? &l->stack
                                                                  : &l->extra_memory;
                        if (!json_is_string(v) || cmn_parse_size(json_string_value(v), dst) < 0) {
                                snprintf(err, errlen, "'%s.%s' must be a size like \"256M\"", what,
                                         k);
                                return -EINVAL;
                        }
                } else if (!strcmp(k, "processes")) {
                        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
                            json_integer_value(v) > 10000) {
                                snprintf(err, errlen, "'%s.processes' must be 1..10000", what);
                                return -EINVAL;
                        }
                        l->processes = (unsigned)json_integer_value(v);
                } else if (!strcmp(k, "open_files")) {
                        if (!json_is_integer(v) || json_integer_value(v) < MIN_OPEN_FILES ||
                            json_integer_value(v) > MAX_OPEN_FILES) {
                                snprintf(err, errlen, "'%s.open_files' must be %d..%d", what,
                                         MIN_OPEN_FILES, MAX_OPEN_FILES);
                                return -EINVAL;
                        }
                        l->open_files = (unsigned)json_integer_value(v);
                } else if (!strcmp(k, "seccomp")) {
                        const char *name = json_string_value(v);
                        if (!name || !sbx_seccomp_addition_known(name)) {
                                snprintf(err, errlen,
                                         "'%s.seccomp' names no allow-list addition "
                                         "(docs/sandbox.md lists them)",
                                         what);
                                return -EINVAL;
                        }
                        free(l->seccomp);
                        l->seccomp = strdup(name);
                } else if (!strcmp(k, "memory_exit_code")) {
                        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
                            json_integer_value(v) > 255) {
                                snprintf(err, errlen, "'%s.memory_exit_code' must be 1..255", what);
                                return -EINVAL;
                        }
                        l->memory_exit_code = (int)json_integer_value(v);
                } else if (!strcmp(k, "memory_mode")) {
                        const char *m = json_string_value(v);
                        l->memory_mode_set = true;
                        if (m && !strcmp(m, "address-space")) {
                                l->memory_mode = SBX_MEMORY_ADDRESS_SPACE;
                        } else if (m && !strcmp(m, "data")) {
                                l->memory_mode = SBX_MEMORY_DATA;
                        } else {
                                snprintf(err, errlen,
                                         "'%s.memory_mode' must be \"address-space\" or \"data\"",
                                         what);
                                return -EINVAL;
                        }
                } else {
                        snprintf(err, errlen, "unknown key '%s.%s'", what, k);
                        return -EINVAL;
                }
        }
        return 0;
}

/* An environment template word is NAME=value with a plain name. */
static int check_env_word(const char *w, const char *what, char *err, size_t errlen)
{
        const char *eq = strchr(w, '=');
        size_t n = eq ? (size_t)(eq - w) : 0;
        if (n == 0 ||
            strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != n) {
                snprintf(err, errlen, "'%s' item '%s' is not NAME=value", what, w);
                return -EINVAL;
        }
        return 0;
}

/*
 * A path of a precompiled header: relative (the header, as sources include it) or absolute (the
 * directory of its .gch), made of components none of which is empty, "." or "..".
 */
static bool pch_path_ok(const char *p, bool absolute)
{
        if (!p || strlen(p) >= PCH_PATH_MAX || (p[0] == '/') != absolute)
                return false;
        for (const char *c = absolute ? p + 1 : p;; c++) {
                size_t n = strcspn(c, "/");
                if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                c += n;
                if (!*c)
                        return true;
        }
}

/* "precompiled_header": {"header": "bits/stdc++.h", "dir": "/usr/lib/grader/pch"} */
static int parse_pch(json_t *o, struct grd_lang_pch *p, char *err, size_t errlen)
{
        if (!o)
                return 0;
        if (!json_is_object(o)) {
                snprintf(err, errlen,
                         "'precompiled_header' must be an object with 'header' and 'dir'");
                return -EINVAL;
        }
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v)
        {
                if (strcmp(k, "header") != 0 && strcmp(k, "dir") != 0) {
                        snprintf(err, errlen, "unknown key 'precompiled_header.%s'", k);
                        return -EINVAL;
                }
        }
        const char *header = json_string_value(json_object_get(o, "header"));
        const char *dir = json_string_value(json_object_get(o, "dir"));
        if (!pch_path_ok(header, false)) {
                snprintf(err, errlen,
                         "'precompiled_header.header' must be a relative path without '.' or "
                         "'..', as sources include it (\"bits/stdc++.h\")");
                return -EINVAL;
        }
        if (!pch_path_ok(dir, true)) {
                snprintf(err, errlen,
                         "'precompiled_header.dir' must be an absolute path without '.' or '..'");
                return -EINVAL;
        }
        p->header = strdup(header);
        p->dir = strdup(dir);
        if (!p->header || !p->dir) {
                snprintf(err, errlen, "out of memory");
                return -ENOMEM;
        }
        return 0;
}

/* "class_data_archive": {"dir": "/usr/lib/grader/pch"} */
static int parse_cds(json_t *o, struct grd_lang_cds *c, char *err, size_t errlen)
{
        if (!o)
                return 0;
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v)
        {
                if (strcmp(k, "dir") != 0) {
                        snprintf(err, errlen, "unknown key 'class_data_archive.%s'", k);
                        return -EINVAL;
                }
        }
        const char *dir = json_string_value(json_object_get(o, "dir"));
        if (!json_is_object(o) || !pch_path_ok(dir, true)) {
                snprintf(err, errlen,
                         "'class_data_archive' must be an object whose 'dir' is an absolute "
                         "path without '.' or '..'");
                return -EINVAL;
        }
        c->dir = strdup(dir);
        if (!c->dir) {
                snprintf(err, errlen, "out of memory");
                return -ENOMEM;
        }
        return 0;
}

static int parse_lang(json_t *o, struct grd_language *l, char *err, size_t errlen)
{
        if (!json_is_object(o)) {
                snprintf(err, errlen, "not an object");
                return -EINVAL;
        }
        const char *id = json_string_value(json_object_get(o, "id"));
        if (!id || !*id || strlen(id) > 32 ||
            strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789_-+.") != strlen(id)) {
                snprintf(err, errlen, "'id' must be a short lower-case name");
                return -EINVAL;
        }
        l->id = strdup(id);
        if (!l->id) {
                snprintf(err, errlen, "out of memory");
                return -ENOMEM;
        }
        const char *name = json_string_value(json_object_get(o, "name"));
        l->name = strdup(name ? name : id);
        const char *bin = json_string_value(json_object_get(o, "binary"));
        if (bin && (!*bin || strchr(bin, '/'))) {
                snprintf(err, errlen, "'binary' must be a plain file name");
                return -EINVAL;
        }
        l->binary = strdup(bin ? bin : "main");
        const char *pkg = json_string_value(json_object_get(o, "package"));
        l->package = strdup(pkg && *pkg ? pkg : id);
        json_t *sb = json_object_get(o, "shebang");
        if (sb && (!json_is_string(sb) || !*json_string_value(sb))) {
                snprintf(err, errlen, "'shebang' must be a non-empty string");
                return -EINVAL;
        }
        l->shebang = sb ? strdup(json_string_value(sb)) : NULL;
        json_t *mc = json_object_get(o, "main_class");
        if (mc && (!json_is_string(mc) || (strcmp(json_string_value(mc), "file") != 0 &&
                                           strcmp(json_string_value(mc), "java") != 0))) {
                snprintf(err, errlen, "'main_class' must be \"file\" or \"java\"");
                return -EINVAL;
        }
        l->main_class = mc && !strcmp(json_string_value(mc), "java") ? GRD_MAIN_CLASS_JAVA
                                                                     : GRD_MAIN_CLASS_FILE;
        int r = strv(json_object_get(o, "extensions"), false, &l->extensions, "extensions", err,
                     errlen);
        if (r == 0)
                r = strv(json_object_get(o, "compile"), true, &l->compile, "compile", err, errlen);
        if (r == 0)
                r = strv(json_object_get(o, "run"), false, &l->run, "run", err, errlen);
        if (r == 0)
                r = strv(json_object_get(o, "version"), true, &l->version, "version", err, errlen);
        if (r == 0)
                r = strv(json_object_get(o, "aliases"), true, &l->aliases, "aliases", err, errlen);
        if (r == 0)
                r = strv(json_object_get(o, "compile_env"), true, &l->compile_env, "compile_env",
                         err, errlen);
        if (r == 0)
                r = strv(json_object_get(o, "run_env"), true, &l->run_env, "run_env", err, errlen);
        for (char **e = l->compile_env; r == 0 && e && *e; e++)
                r = check_env_word(*e, "compile_env", err, errlen);
        for (char **e = l->run_env; r == 0 && e && *e; e++)
                r = check_env_word(*e, "run_env", err, errlen);
        if (r == 0)
                r = limits(json_object_get(o, "compile_limits"), &l->compile_limits,
                           "compile_limits", err, errlen);
        if (r == 0)
                r = limits(json_object_get(o, "run_limits"), &l->run_limits, "run_limits", err,
                           errlen);
        if (r == 0)
                r = parse_pch(json_object_get(o, "precompiled_header"), &l->pch, err, errlen);
        if (r == 0 && l->pch.header && !l->compile) {
                snprintf(err, errlen, "'precompiled_header' needs a compile command");
                r = -EINVAL;
        }
        if (r == 0)
                r = parse_cds(json_object_get(o, "class_data_archive"), &l->cds, err, errlen);
        if (r == 0 && l->cds.dir && !l->compile) {
                snprintf(err, errlen, "'class_data_archive' needs a compile command");
                r = -EINVAL;
        }
        return r;
}

static const char *default_path(void)
{
        const char *env = getenv("GRADER_LANGUAGES");
        if (env && *env)
                return env;
        if (access(GRADER_DATADIR "/languages.json", R_OK) == 0)
                return GRADER_DATADIR "/languages.json";
        return GRADER_SOURCE_DATADIR "/languages.json";
}

int grd_languages_load(const char *path, struct grd_languages **ret, char *err, size_t errlen)
{
        if (!path)
                path = default_path();
        char *buf;
        size_t len;
        int r = cmn_read_file(path, MAX_TABLE, &buf, &len);
        if (r < 0) {
                snprintf(err, errlen, "language table '%s': %s", path, strerror(-r));
                return r;
        }
        json_error_t je;
        json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
        free(buf);
        if (!root) {
                snprintf(err, errlen, "language table '%s':%d:%d: %s", path, je.line, je.column,
                         je.text);
                return -EINVAL;
        }
        json_t *arr = json_object_get(root, "languages");
        if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > 256) {
                snprintf(err, errlen, "language table '%s': 'languages' must be a non-empty array",
                         path);
                json_decref(root);
                return -EINVAL;
        }
        struct grd_languages *t = calloc(1, sizeof(*t));
        t->langs = calloc(json_array_size(arr), sizeof(*t->langs));
        size_t i;
        json_t *o;
        r = 0;
        json_array_foreach(arr, i, o)
        {
                char msg[200] = "";
                t->n = i + 1;
                r = parse_lang(o, &t->langs[i], msg, sizeof(msg));
                if (r == 0 && grd_language_find(t, t->langs[i].id) != &t->langs[i]) {
                        snprintf(msg, sizeof(msg), "duplicate id");
                        r = -EINVAL;
                }
                if (r < 0) {
                        const char *id = json_string_value(json_object_get(o, "id"));
                        snprintf(err, errlen, "language table '%s': language %zu%s%s%s: %s", path,
                                 i, id ? " ('" : "", id ? id : "", id ? "')" : "", msg);
                        break;
                }
        }
        json_decref(root);
        if (r < 0) {
                grd_languages_free(t);
                return r;
        }
        *ret = t;
        return 0;
}

const struct grd_language *grd_language_find(const struct grd_languages *t, const char *id)
{
        for (size_t i = 0; i < t->n; i++) {
                if (t->langs[i].id && !strcmp(t->langs[i].id, id))
                        return &t->langs[i];
        }
        for (size_t i = 0; i < t->n; i++) {
                for (char **a = t->langs[i].aliases; a && *a; a++)
                        if (!strcmp(*a, id))
                                return &t->langs[i];
        }
        return NULL;
}

const struct grd_language *grd_language_guess(const struct grd_languages *t, const char *file)
{
        const char *dot = strrchr(file, '.');
        if (!dot)
                return NULL;
        /* exact case first (".C" is C++), then case-insensitively */
        for (int pass = 0; pass < 2; pass++) {
                for (size_t i = 0; i < t->n; i++) {
                        for (char **e = t->langs[i].extensions; e && *e; e++) {
                                if (pass == 0 ? !strcmp(*e, dot) : !strcasecmp(*e, dot))
                                        return &t->langs[i];
                        }
                }
        }
        return NULL;
}

const struct grd_language *grd_language_guess_source(const struct grd_languages *t,
                                                     const char *file, const unsigned char *data,
                                                     size_t len)
{
        const struct grd_language *l = grd_language_guess(t, file);
        if (!l || len < 2 || memcmp(data, "#!", 2) != 0)
                return l;
        const unsigned char *nl = memchr(data, '\n', len);
        size_t line = nl ? (size_t)(nl - data) : len;
        if (!strncmp(l->id, "python", 6) && memmem(data, line, "python2", 7))
                return NULL;
        /* another language sharing the extension, claimed by its word in the "#!" line */
        for (size_t i = 0; i < t->n; i++) {
                const struct grd_language *o = &t->langs[i];
                if (o != l && o->shebang && grd_language_is_source(o, file) &&
                    memmem(data, line, o->shebang, strlen(o->shebang)))
                        return o;
        }
        return l;
}

bool grd_language_is_source(const struct grd_language *l, const char *file)
{
        const char *dot = strrchr(file, '.');
        if (!dot)
                return false;
        for (char **e = l->extensions; e && *e; e++)
                if (!strcasecmp(*e, dot))
                        return true;
        return false;
}

const char *grd_language_missing(const struct grd_language *l)
{
        if (l->compile && l->compile[0][0] == '/' && access(l->compile[0], X_OK) < 0)
                return l->compile[0];
        if (l->run[0][0] == '/' && access(l->run[0], X_OK) < 0)
                return l->run[0];
        if (l->version && l->version[0][0] == '/' && access(l->version[0], X_OK) < 0)
                return l->version[0];
        return NULL;
}

const char *grd_language_main_file(const char *const *names)
{
        if (!names[0])
                return NULL;
        for (size_t i = 0; names[i]; i++) {
                const char *dot = strrchr(names[i], '.');
                size_t stem = dot ? (size_t)(dot - names[i]) : strlen(names[i]);
                if ((stem == 4 &&
                     (!strncmp(names[i], "main", 4) || !strncmp(names[i], "Main", 4))) ||
                    (stem == 8 && !strncmp(names[i], "__main__", 8)))
                        return names[i];
        }
        return names[0];
}

/* Append prefix and word joined as one word. Return: 0 or -E2BIG. */
static int add_joined(struct grd_argv *a, const char *prefix, const char *word)
{
        size_t lp = strlen(prefix), lw = strlen(word);
        if (a->argc >= GRD_LANG_MAX_ARGV || a->used + lp + lw + 1 > sizeof(a->store))
                return -E2BIG;
        memcpy(a->store + a->used, prefix, lp);
        memcpy(a->store + a->used + lp, word, lw + 1);
        a->argv[a->argc++] = a->store + a->used;
        a->argv[a->argc] = NULL;
        a->used += lp + lw + 1;
        return 0;
}

int grd_argv_add(struct grd_argv *a, const char *word)
{
        return add_joined(a, "", word);
}

int grd_argv_insert_front(struct grd_argv *a, const char *prefix, const char *const *words,
                          size_t n)
{
        size_t argc = a->argc, used = a->used;
        if (argc == 0)
                return 0;
        for (size_t i = 0; i < n; i++) {
                if (add_joined(a, prefix, words[i]) < 0) {
                        a->argc = argc; /* as it was */
                        a->used = used;
                        a->argv[argc] = NULL;
                        return -E2BIG;
                }
        }
        /* the words went last: rotate them to right after the program */
        char *moved[GRD_LANG_MAX_ARGV];
        memcpy(moved, &a->argv[argc], n * sizeof(char *));
        memmove(&a->argv[1 + n], &a->argv[1], (argc - 1) * sizeof(char *));
        memcpy(&a->argv[1], moved, n * sizeof(char *));
        return 0;
}

/* Substitute every placeholder inside one template word. Return: 0 or -E2BIG. */
static int expand_word(const struct grd_language *l, const char *tmpl, const char *cls,
                       const char *kt, const char *mem, const struct grd_lang_vars *v, char *word,
                       size_t size)
{
        size_t w = 0;
        for (const char *p = tmpl; *p;) {
                static const char *const names[] = {"{main}", "{binary}", "{class}",
                                                    "{kotlin_class}", "{memory_mb}"};
                const char *vals[] = {v->main ? v->main : "", l->binary, cls, kt, mem};
                const char *val = NULL;
                size_t skip = 0;
                for (size_t k = 0; k < CMN_ARRAY_SIZE(names) && !val; k++) {
                        if (!strncmp(p, names[k], strlen(names[k]))) {
                                val = vals[k];
                                skip = strlen(names[k]);
                        }
                }
                size_t vl = val ? strlen(val) : 1;
                if (w + vl >= size)
                        return -E2BIG;
                memcpy(word + w, val ? val : p, vl);
                w += vl;
                p += val ? skip : 1;
        }
        word[w] = '\0';
        return 0;
}

int grd_language_expand(const struct grd_language *l, char *const *tmpl,
                        const struct grd_lang_vars *v, struct grd_argv *out)
{
        out->argc = out->used = 0;
        out->argv[0] = NULL;
        char cls[256] = "", kt[300] = "", mem[32], word[1024];
        if (v->entry) {
                cmn_strlcpy(cls, v->entry, sizeof(cls));
        } else if (v->main) {
                cmn_strlcpy(cls, v->main, sizeof(cls));
                char *dot = strrchr(cls, '.');
                if (dot)
                        *dot = '\0';
        }
        snprintf(mem, sizeof(mem), "%u", v->memory_mb);
        if (v->main && grd_language_kotlin_class(v->main, kt, sizeof(kt)) < 0)
                return -E2BIG;
        for (size_t i = 0; tmpl[i]; i++) {
                if (!strcmp(tmpl[i], "{files}")) {
                        for (size_t k = 0; v->files && v->files[k]; k++)
                                if (grd_argv_add(out, v->files[k]) < 0)
                                        return -E2BIG;
                        continue;
                }
                if (expand_word(l, tmpl[i], cls, kt, mem, v, word, sizeof(word)) < 0 ||
                    grd_argv_add(out, word) < 0)
                        return -E2BIG;
        }
        return 0;
}

int grd_language_kotlin_class(const char *main, char *out, size_t size)
{
        const char *dot = strrchr(main, '.');
        size_t stem = dot ? (size_t)(dot - main) : strlen(main), w = 0;
        bool digit = stem > 0 && main[0] >= '0' && main[0] <= '9';
        if (stem + digit + 3 > size)
                return -E2BIG;
        if (digit)
                out[w++] = '_';
        for (size_t i = 0; i < stem; i++) {
                char c = main[i];
                bool ident = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             (c >= '0' && c <= '9') || c == '_' || c == '$';
                out[w++] = ident ? c : '_';
        }
        if (w > 0 && out[0] >= 'a' && out[0] <= 'z')
                out[0] = (char)(out[0] - 'a' + 'A');
        memcpy(out + w, "Kt", 3);
        return 0;
}
