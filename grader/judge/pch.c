/* SPDX-License-Identifier: MIT */
/*
 * Precompiled headers: the .gch of a language, the -I a compile gets for it, and the command
 * that builds it with the language's own compile flags.
 *
 * GCC accepts a .gch only when it was made by the same compiler build with compatible options
 * (the -std, -O and -f flags that change code or macros), and rejects it otherwise, reading the
 * header instead; so the .gch is built from the very compile command of the table, with the
 * source and the output swapped for a wrapper of the header and a .gch file.
 */
#include "pch.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define HEADER_WORD_MAX 64 /* bytes of one "LANG-header" word */

int grd_pch_file(const struct grd_language *l, const char *dir, char *out, size_t size)
{
        if (!l->pch.header)
                return -ENOENT;
        int k = snprintf(out, size, "%s/%s.gch", dir ? dir : l->pch.dir, l->pch.header);
        return k < 0 || (size_t)k >= size ? -ENAMETOOLONG : 0;
}

int grd_pch_add_include(const struct grd_language *l, struct grd_argv *cmd)
{
        char path[PATH_MAX];
        struct stat st;
        if (cmd->argc == 0 || grd_pch_file(l, NULL, path, sizeof(path)) < 0 ||
            stat(path, &st) < 0 || !S_ISREG(st.st_mode))
                return 0;
        const char *dir = l->pch.dir;
        return grd_argv_insert_front(cmd, "-I", &dir, 1) < 0 ? -E2BIG : 1;
}

/*
 * The language a "-x" word (with the next, for "-x LANG") names, or NULL when w is no -x.
 * *i moves past a separate LANG.
 */
static const char *x_language(char *const *words, size_t *i)
{
        const char *w = words[*i];
        if (strcmp(w, "-x") == 0)
                return words[*i + 1] ? words[++*i] : "none";
        return strncmp(w, "-x", 2) == 0 ? w + 2 : NULL;
}

int grd_pch_command(const struct grd_language *l, const char *wrapper, const char *output,
                    struct grd_argv *cmd, struct grd_argv *env, char *err, size_t errlen)
{
        if (!l->pch.header || !l->compile) {
                snprintf(err, errlen, "'%s' has no precompiled header", l->id);
                return -EINVAL;
        }
        char *tmpl[2 * GRD_LANG_MAX_ARGS + 1]; /* "-xc++" becomes two words */
        char pool[GRD_LANG_MAX_ARGS][HEADER_WORD_MAX];
        size_t n = 0, np = 0;
        bool after_files = false;
        for (size_t i = 0; l->compile[i]; i++) {
                char *w = l->compile[i];
                const char *lang;
                if (strcmp(w, "{files}") == 0) {
                        after_files = true;
                } else if (strstr(w, "{main}") || strstr(w, "{binary}") ||
                           strncmp(w, "-l", 2) == 0) {
                        continue; /* the sources, the binary, a library (which means a link) */
                } else if (strcmp(w, "-o") == 0) {
                        i += l->compile[i + 1] != NULL;
                } else if ((lang = x_language(l->compile, &i))) {
                        size_t len = strlen(lang);
                        bool header = len > 7 && strcmp(lang + len - 7, "-header") == 0;
                        if (after_files || strcmp(lang, "none") == 0)
                                continue; /* the language of the sources after them */
                        if (snprintf(pool[np], HEADER_WORD_MAX, header ? "%s" : "%s-header",
                                     lang) >= HEADER_WORD_MAX)
                                return -E2BIG;
                        tmpl[n++] = (char *)"-x";
                        tmpl[n++] = pool[np++];
                } else {
                        tmpl[n++] = w;
                }
        }
        tmpl[n] = NULL;
        if (np == 0) {
                snprintf(err, errlen,
                         "the compile command of '%s' names no language with -x (\"-x c++\"): "
                         "the header's language is unknown",
                         l->id);
                return -EINVAL;
        }
        struct grd_lang_vars vars = {.memory_mb = 256}; /* as a submission's compile */
        if (grd_language_expand(l, tmpl, &vars, cmd) < 0 || grd_argv_add(cmd, "-o") < 0 ||
            grd_argv_add(cmd, output) < 0 || grd_argv_add(cmd, wrapper) < 0) {
                snprintf(err, errlen, "the command that builds the header of '%s' is too long",
                         l->id);
                return -E2BIG;
        }
        if (!env)
                return 0;
        env->argc = env->used = 0;
        env->argv[0] = NULL;
        if (l->compile_env && grd_language_expand(l, l->compile_env, &vars, env) < 0) {
                snprintf(err, errlen, "the compile environment of '%s' is too long", l->id);
                return -E2BIG;
        }
        return 0;
}
