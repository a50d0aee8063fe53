/* SPDX-License-Identifier: MIT */
/*
 * The programs of a problem package, found but not built: the output validator, the input
 * validators and the include/<language>/ files. A program is a single file (taken as a
 * directory holding only that file) or a directory of files; every file is resolved inside the
 * package. Building and running them is program.c's.
 */
#include "problem.h"
#include "problem_internal.h"

#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The entries of a package directory (no hidden ones), sorted. Return: 0 or -errno. */
static int list_entries(const struct grd_problem *p, const char *rel, char ***ret, size_t *ret_n,
                        char *err, size_t errlen)
{
        char path[PATH_MAX];
        if (cmn_join(path, sizeof(path), p->dir, rel) < 0)
                return grd_pkg_error(err, errlen, -ENAMETOOLONG, rel, NULL, "path too long");
        struct dirent **ents;
        int ne = scandir(path, &ents, NULL, alphasort);
        if (ne < 0)
                return grd_pkg_error(err, errlen, -errno, rel, NULL, "%s", strerror(errno));
        char **names = calloc((size_t)ne + 1, sizeof(char *));
        size_t n = 0;
        int r = names ? 0 : -ENOMEM;
        for (int i = 0; i < ne; i++) {
                if (r == 0 && ents[i]->d_name[0] != '.' && !(names[n++] = strdup(ents[i]->d_name)))
                        r = -ENOMEM;
                free(ents[i]);
        }
        free(ents);
        if (r < 0) {
                grd_pkg_strv_free(names);
                return r;
        }
        *ret = names;
        *ret_n = n;
        return 0;
}

static void files_free(struct grd_program_file *f, size_t n)
{
        for (size_t i = 0; f && i < n; i++) {
                free(f[i].name);
                free(f[i].path);
        }
        free(f);
}

/*
 * The files of the directory rel (flat: a subdirectory is refused by name), each resolved
 * inside the package, at most GRD_PROGRAM_MAX_FILES of GRD_PROGRAM_MAX_BYTES in all.
 */
static int load_files(const struct grd_problem *p, const char *rel, struct grd_program_file **ret,
                      size_t *ret_n, char *err, size_t errlen)
{
        char **names = NULL;
        size_t n = 0, bytes = 0;
        int r = list_entries(p, rel, &names, &n, err, errlen);
        if (r < 0)
                return r;
        struct grd_program_file *f = calloc(n ? n : 1, sizeof(*f));
        size_t nf = 0;
        if (!f)
                r = -ENOMEM;
        if (r == 0 && n > GRD_PROGRAM_MAX_FILES)
                r = grd_pkg_error(err, errlen, -EFBIG, rel, NULL, "more than %u files",
                                  GRD_PROGRAM_MAX_FILES);
        for (size_t i = 0; i < n && r == 0; i++) {
                char sub[PATH_MAX];
                bool is_dir = false;
                struct stat st;
                if (cmn_join(sub, sizeof(sub), rel, names[i]) < 0) {
                        r = grd_pkg_error(err, errlen, -ENAMETOOLONG, rel, NULL, "path too long");
                        break;
                }
                r = grd_pkg_resolve(p, sub, &f[nf].path, &is_dir, err, errlen);
                if (r < 0)
                        break;
                nf++;
                if (is_dir) {
                        r = grd_pkg_error(err, errlen, -ENOTSUP, sub, NULL,
                                          "a directory inside a program is not supported");
                } else if (!(f[nf - 1].name = strdup(names[i]))) {
                        r = -ENOMEM;
                } else if (stat(f[nf - 1].path, &st) == 0 &&
                           (bytes += (size_t)st.st_size) > GRD_PROGRAM_MAX_BYTES) {
                        r = grd_pkg_error(err, errlen, -EFBIG, rel, NULL, "larger than %u MiB",
                                          GRD_PROGRAM_MAX_BYTES >> 20);
                }
        }
        grd_pkg_strv_free(names);
        if (r < 0) {
                files_free(f, nf);
                return r;
        }
        *ret = f;
        *ret_n = nf;
        return 0;
}

static void program_release(struct grd_program *g)
{
        free(g->name);
        free(g->rel);
        files_free(g->files, g->n_files);
        memset(g, 0, sizeof(*g));
}

static bool has_suffix(const char *s, const char *suffix)
{
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && !strcmp(s + n - m, suffix);
}

/* The program at rel: a file, or a directory of files. */
static int load_program(const struct grd_problem *p, const char *rel, struct grd_program *g,
                        char *err, size_t errlen)
{
        memset(g, 0, sizeof(*g));
        char *real = NULL;
        bool is_dir = false;
        int r = grd_pkg_resolve(p, rel, &real, &is_dir, err, errlen);
        if (r < 0)
                return r;
        const char *base = strrchr(rel, '/');
        g->name = strdup(base ? base + 1 : rel);
        g->rel = strdup(rel);
        if (!g->name || !g->rel) {
                r = -ENOMEM;
        } else if (is_dir) {
                r = load_files(p, rel, &g->files, &g->n_files, err, errlen);
                if (r == 0 && g->n_files == 0)
                        r = grd_pkg_error(err, errlen, -EINVAL, rel, NULL, "an empty program");
        } else {
                g->files = calloc(1, sizeof(*g->files));
                if (!g->files || !(g->files[0].name = strdup(g->name))) {
                        r = -ENOMEM;
                } else {
                        g->files[0].path = real;
                        g->n_files = 1;
                        real = NULL;
                }
        }
        free(real);
        for (size_t i = 0; r == 0 && i < g->n_files; i++) {
                g->has_build |= !strcmp(g->files[i].name, "build");
                g->has_run |= !strcmp(g->files[i].name, "run");
        }
        if (r == 0 && has_suffix(g->name, ".ctd"))
                g->kind = GRD_PROGRAM_CHECKTESTDATA;
        if (r == 0 && has_suffix(g->name, ".viva"))
                g->kind = GRD_PROGRAM_VIVA;
        if (r < 0)
                program_release(g);
        return r;
}

/* Every program in the directory rel, each entry one program. */
static int load_programs(const struct grd_problem *p, const char *rel, struct grd_program **ret,
                         size_t *ret_n, char *err, size_t errlen)
{
        char **names = NULL;
        size_t n = 0;
        int r = list_entries(p, rel, &names, &n, err, errlen);
        if (r < 0)
                return r;
        struct grd_program *g = calloc(n ? n : 1, sizeof(*g));
        size_t ng = 0;
        r = g ? 0 : -ENOMEM;
        for (size_t i = 0; i < n && r == 0; i++) {
                char sub[PATH_MAX];
                if (cmn_join(sub, sizeof(sub), rel, names[i]) < 0)
                        r = grd_pkg_error(err, errlen, -ENAMETOOLONG, rel, NULL, "path too long");
                else if ((r = load_program(p, sub, &g[ng], err, errlen)) == 0)
                        ng++;
        }
        grd_pkg_strv_free(names);
        if (r < 0) {
                for (size_t i = 0; i < ng; i++)
                        program_release(&g[i]);
                free(g);
                return r;
        }
        *ret = g;
        *ret_n = ng;
        return 0;
}

static int take_one(struct grd_problem *p, struct grd_program *all, size_t n, const char *rel,
                    char *err, size_t errlen)
{
        int r = 0;
        if (n == 0)
                r = grd_pkg_error(err, errlen, -EINVAL, rel, NULL,
                                  "validation is custom but the directory is empty");
        else if (n > 1)
                r = grd_pkg_error(err, errlen, -ENOTSUP, rel, NULL,
                                  "more than one output validator ('%.64s', '%.64s'%s); only one "
                                  "is supported",
                                  all[0].name, all[1].name, n > 2 ? ", ..." : "");
        else if (!(p->validator = malloc(sizeof(*p->validator))))
                r = -ENOMEM;
        else
                *p->validator = all[0];
        for (size_t i = r == 0 ? 1 : 0; i < n; i++)
                program_release(&all[i]);
        free(all);
        return r;
}

/* Legacy: output_validators/ holds the programs, used when validation is custom. */
static int legacy_validator(struct grd_problem *p, char *err, size_t errlen)
{
        const char *rel =
                grd_pkg_exists(p, "output_validators") ? "output_validators" : "output_validator";
        if (!p->custom_validation) {
                if (grd_pkg_exists(p, rel))
                        return grd_pkg_warn(p, rel, NULL,
                                            "not used: problem.yaml's validation is default");
                return 0;
        }
        if (!grd_pkg_exists(p, rel))
                return grd_pkg_error(err, errlen, -EINVAL, "output_validators/", NULL,
                                     "validation is custom but there is no output validator");
        struct grd_program *all = NULL;
        size_t n = 0;
        int r = load_programs(p, rel, &all, &n, err, errlen);
        return r < 0 ? r : take_one(p, all, n, rel, err, errlen);
}

/*
 * 2023-07: output_validator/ is the program and its presence makes validation custom. A folder
 * holding a single directory and nothing else (problemtools' layout) is that directory.
 */
static int draft_validator(struct grd_problem *p, char *err, size_t errlen)
{
        const char *rel = "output_validator";
        if (!grd_pkg_exists(p, rel)) {
                if (grd_pkg_exists(p, "output_validators"))
                        return grd_pkg_error(err, errlen, -EINVAL, "output_validators/", NULL,
                                             "a 2023-07 package keeps its output validator in "
                                             "output_validator/");
                return 0;
        }
        p->custom_validation = true;
        p->custom_score = p->scoring;
        char **names = NULL;
        size_t n = 0;
        char sub[PATH_MAX] = "";
        bool is_dir = false;
        int r = list_entries(p, rel, &names, &n, err, errlen);
        if (r == 0 && n == 1 && cmn_join(sub, sizeof(sub), rel, names[0]) == 0 &&
            grd_pkg_resolve(p, sub, NULL, &is_dir, err, errlen) == 0 && is_dir)
                rel = sub;
        grd_pkg_strv_free(names);
        if (r < 0)
                return r;
        if (!(p->validator = malloc(sizeof(*p->validator))))
                return -ENOMEM;
        r = load_program(p, rel, p->validator, err, errlen);
        if (r < 0) {
                free(p->validator);
                p->validator = NULL;
        }
        return r;
}

/* include/<language>/: one directory of files per language (or "default"). */
static int load_includes(struct grd_problem *p, char *err, size_t errlen)
{
        if (!grd_pkg_exists(p, "include"))
                return 0;
        char **names = NULL;
        size_t n = 0;
        int r = list_entries(p, "include", &names, &n, err, errlen);
        if (r < 0)
                return r;
        p->includes = calloc(n ? n : 1, sizeof(*p->includes));
        r = p->includes ? 0 : -ENOMEM;
        for (size_t i = 0; i < n && r == 0; i++) {
                char sub[PATH_MAX];
                bool is_dir = false;
                if (cmn_join(sub, sizeof(sub), "include", names[i]) < 0)
                        r = grd_pkg_error(err, errlen, -ENAMETOOLONG, "include", NULL,
                                          "path too long");
                else
                        r = grd_pkg_resolve(p, sub, NULL, &is_dir, err, errlen);
                if (r < 0)
                        break;
                if (!is_dir) {
                        r = grd_pkg_warn(p, sub, NULL,
                                         "not in an include/<language>/ directory: "
                                         "not used");
                        continue;
                }
                struct grd_include *inc = &p->includes[p->n_includes];
                if (!(inc->language = strdup(names[i])))
                        r = -ENOMEM;
                else if ((r = load_files(p, sub, &inc->files, &inc->n_files, err, errlen)) < 0)
                        free(inc->language);
                else
                        p->n_includes++;
        }
        grd_pkg_strv_free(names);
        return r < 0 ? r : 0;
}

int grd_pkg_load_programs(struct grd_problem *p, char *err, size_t errlen)
{
        int r = p->format == GRD_FORMAT_2023_07 ? draft_validator(p, err, errlen)
                                                : legacy_validator(p, err, errlen);
        const char *iv =
                grd_pkg_exists(p, "input_validators") ? "input_validators"
                : p->format == GRD_FORMAT_LEGACY && grd_pkg_exists(p, "input_format_validators")
                        ? "input_format_validators"
                        : NULL;
        if (r == 0 && iv)
                r = load_programs(p, iv, &p->input_validators, &p->n_input_validators, err, errlen);
        if (r == 0)
                r = load_includes(p, err, errlen);
        /* a custom grader is refused where a testdata.yaml asks for one (grading: custom) */
        if (r == 0 && grd_pkg_exists(p, "graders"))
                r = grd_pkg_warn(p, "graders/", NULL,
                                 "not used: custom graders are not supported, and no "
                                 "testdata.yaml asks for one");
        if (r == 0 && p->format == GRD_FORMAT_2023_07 && grd_pkg_exists(p, "static_validator"))
                r = grd_pkg_error(err, errlen, -ENOTSUP, "static_validator/", NULL,
                                  "static validators are not supported");
        return r;
}

void grd_pkg_programs_free(struct grd_problem *p)
{
        if (p->validator) {
                program_release(p->validator);
                free(p->validator);
        }
        for (size_t i = 0; i < p->n_input_validators; i++)
                program_release(&p->input_validators[i]);
        free(p->input_validators);
        for (size_t i = 0; i < p->n_includes; i++) {
                free(p->includes[i].language);
                files_free(p->includes[i].files, p->includes[i].n_files);
        }
        free(p->includes);
}
