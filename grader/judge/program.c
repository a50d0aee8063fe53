/* SPDX-License-Identifier: MIT */
/*
 * Package programs (output and input validators): their files are copied into a fresh
 * directory and built there in the sandbox, by their `build` script or by the compiler of the
 * one language their files are in. Running them is grd_run_compiled's, as for a submission.
 */
#include "program.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

/*
 * The language of a program without build/run scripts: the one its files' extensions name; C
 * and C++ together are C++ (g++ -x c++ compiles both). Files of no language stay beside.
 */
static const struct grd_language *program_language(const struct grd_program *def,
                                                   const struct grd_languages *langs, char *err,
                                                   size_t errlen)
{
        const struct grd_language *found[3] = {NULL, NULL, NULL};
        size_t n = 0;
        for (size_t i = 0; i < def->n_files && n < CMN_ARRAY_SIZE(found); i++) {
                const struct grd_language *l = grd_language_guess(langs, def->files[i].name);
                bool seen = !l;
                for (size_t k = 0; k < n && !seen; k++)
                        seen = found[k] == l;
                if (!seen)
                        found[n++] = l;
        }
        if (n == 2 && ((!strcmp(found[0]->id, "c") && !strcmp(found[1]->id, "cpp")) ||
                       (!strcmp(found[0]->id, "cpp") && !strcmp(found[1]->id, "c"))))
                return !strcmp(found[0]->id, "cpp") ? found[0] : found[1];
        if (n >= 2)
                snprintf(err, errlen,
                         "%s: its files are in several languages (%s, %s%s) and there is no "
                         "build or run script",
                         def->rel, found[0]->id, found[1]->id, n > 2 ? ", ..." : "");
        else if (n == 0)
                snprintf(err, errlen,
                         "%s: no source file of a known language (see 'grader languages') and no "
                         "build or run script",
                         def->rel);
        return n == 1 ? found[0] : NULL;
}

/* Copy the program's files into dir, keeping an executable file executable. */
static int copy_files(const struct grd_program *def, const char *dir, char *err, size_t errlen)
{
        for (size_t i = 0; i < def->n_files; i++) {
                char path[PATH_MAX];
                struct stat st;
                int r = cmn_join(path, sizeof(path), dir, def->files[i].name);
                if (r == 0 && stat(def->files[i].path, &st) < 0)
                        r = -errno;
                if (r == 0)
                        r = cmn_copy_file(def->files[i].path, path,
                                          (st.st_mode & 0111) ? 0755 : 0644);
                if (r < 0) {
                        snprintf(err, errlen, "%s: copying '%s': %s", def->rel, def->files[i].name,
                                 strerror(-r));
                        return r;
                }
        }
        return 0;
}

int grd_program_build(struct grd_env *env, const struct grd_program *def,
                      const struct grd_languages *langs, struct grd_compiled *out, char *err,
                      size_t errlen)
{
        memset(out, 0, sizeof(*out));
        if (def->kind != GRD_PROGRAM_PROGRAM) {
                snprintf(err, errlen, "%s: %s files are not supported", def->rel,
                         def->kind == GRD_PROGRAM_CHECKTESTDATA ? "checktestdata (.ctd)"
                                                                : "VIVA (.viva)");
                return -ENOTSUP;
        }
        const struct grd_language *lang = NULL;
        if (!def->has_build && !def->has_run && !(lang = program_language(def, langs, err, errlen)))
                return -EINVAL;
        const char *missing = lang ? grd_language_missing(lang) : NULL;
        if (missing) {
                snprintf(err, errlen, "%s: language '%s' needs '%s', which is not installed",
                         def->rel, lang->id, missing);
                return -ENOENT;
        }
        char dir[PATH_MAX];
        int r = grd_env_fresh_dir(env, "program", dir, sizeof(dir));
        if (r < 0) {
                snprintf(err, errlen, "%s: creating a build dir: %s", def->rel, strerror(-r));
                return r;
        }
        if ((r = copy_files(def, dir, err, errlen)) < 0) {
                cmn_rmtree(dir);
                return r;
        }
        char why[512] = "";
        r = grd_compile_dir(env, lang, dir, out, why, sizeof(why));
        if (r < 0) {
                snprintf(err, errlen, "%s: %s", def->rel, why);
                grd_compiled_release(out);
                return r;
        }
        if (!out->ok) {
                snprintf(err, errlen, "%s does not %s (%s): %.400s", def->rel,
                         lang ? "compile" : "build", sbx_status_name(out->res.status),
                         out->output && out->output[0] ? out->output : out->res.message);
                r = out->internal_error ? -EIO : -EINVAL;
                grd_compiled_release(out);
        }
        return r;
}
