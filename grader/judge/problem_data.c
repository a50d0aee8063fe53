/* SPDX-License-Identifier: MIT */
/*
 * The test data of a problem package: the group tree under data/ (legacy: every directory is a
 * group; 2023-07: data/sample, data/secret and the directories of secret, deeper ones belonging
 * to their group), the tests in judging order with their 2023-07 <test>.yaml and <test>.files/,
 * and the per-test run-only rule. The settings of groups are problem_groups.c's.
 */
#include "problem.h"
#include "problem_internal.h"

#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Entries read from one directory before giving up: tests and groups are capped lower anyway. */
#define MAX_DIR_ENTRIES 100000u

struct walk {
        struct grd_problem *p;
        const struct grd_pkg_overrides *ov;
        bool draft; /* 2023-07 groups: test_group.yaml, no nesting below secret's groups */
        size_t cap_tests, cap_groups;
        char *err;
        size_t errlen;
};

static int add_item(struct grd_group *g, struct grd_group *sub, size_t test)
{
        if (g->n_items == 0 || (g->n_items >= 4 && (g->n_items & (g->n_items - 1)) == 0)) {
                /* the capacity is 4, 8, 16, ...: grow when n_items reaches it */
                size_t cap = g->n_items ? g->n_items * 2 : 4;
                struct grd_group_item *ni = realloc(g->items, cap * sizeof(*ni));
                if (!ni)
                        return -ENOMEM;
                g->items = ni;
        }
        g->items[g->n_items++] = (struct grd_group_item){.group = sub, .test = test};
        return 0;
}

static bool valid_name(const char *s)
{
        if (!*s || *s == '.' || strlen(s) > NAME_MAX)
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
                        return false;
        return true;
}

static bool ends_with(const char *s, const char *suffix)
{
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void names_free(char **names, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

static int cmp_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a directory (no hidden ones), sorted bytewise. */
static int list_dir(const char *real, const char *rel, char ***ret, size_t *ret_n, char *err,
                    size_t errlen)
{
        int fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                int r = -errno;
                if (fd >= 0)
                        close(fd);
                return grd_pkg_error(err, errlen, r, rel, NULL, "%s", strerror(-r));
        }
        char **names = NULL;
        size_t n = 0, cap = 0;
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                if (n >= MAX_DIR_ENTRIES) {
                        r = grd_pkg_error(err, errlen, -EFBIG, rel, NULL, "more than %u entries",
                                          MAX_DIR_ENTRIES);
                        break;
                }
                if (n == cap) {
                        cap = cap ? cap * 2 : 32;
                        char **nn = realloc(names, cap * sizeof(*nn));
                        if (!nn) {
                                r = -ENOMEM;
                                break;
                        }
                        names = nn;
                }
                if (!(names[n] = strdup(de->d_name))) {
                        r = -ENOMEM;
                        break;
                }
                n++;
        }
        closedir(d);
        if (r < 0) {
                names_free(names, n);
                return r;
        }
        if (n)
                qsort(names, n, sizeof(*names), cmp_names);
        *ret = names;
        *ret_n = n;
        return 0;
}

/* A new group, owned by p from the moment it exists (even when a later step fails). */
static int new_group(struct walk *w, struct grd_group *parent, const char *rel, bool sample,
                     struct grd_group **ret)
{
        struct grd_problem *p = w->p;
        if (p->n_groups >= GRD_PROBLEM_MAX_GROUPS)
                return grd_pkg_error(w->err, w->errlen, -EFBIG, rel, NULL,
                                     "more than %u test data groups", GRD_PROBLEM_MAX_GROUPS);
        if (p->n_groups == w->cap_groups) {
                size_t cap = w->cap_groups ? w->cap_groups * 2 : 16;
                struct grd_group **ng = realloc(p->groups, cap * sizeof(*ng));
                if (!ng)
                        return -ENOMEM;
                p->groups = ng;
                w->cap_groups = cap;
        }
        struct grd_group *g = calloc(1, sizeof(*g));
        if (!g)
                return -ENOMEM;
        g->index = p->n_groups;
        p->groups[p->n_groups++] = g;
        if (!(g->name = strdup(rel)))
                return -ENOMEM;
        g->parent = parent;
        g->sample = sample;
        g->first_test = p->n_tests;
        *ret = g;
        return 0;
}

static struct grd_test *new_test(struct walk *w, const char *rel_dir, int *r)
{
        struct grd_problem *p = w->p;
        if (p->n_tests >= GRD_PROBLEM_MAX_TESTS) {
                *r = grd_pkg_error(w->err, w->errlen, -EFBIG, rel_dir, NULL,
                                   "more than %u test cases", GRD_PROBLEM_MAX_TESTS);
                return NULL;
        }
        if (p->n_tests == w->cap_tests) {
                size_t cap = w->cap_tests ? w->cap_tests * 2 : 16;
                struct grd_test *nt = realloc(p->tests, cap * sizeof(*nt));
                if (!nt) {
                        *r = -ENOMEM;
                        return NULL;
                }
                p->tests = nt;
                w->cap_tests = cap;
        }
        struct grd_test *t = &p->tests[p->n_tests];
        *t = (struct grd_test){.index = p->n_tests};
        p->n_tests++; /* owned by p from here on */
        return t;
}

/* An optional file or directory beside a test: rel_dir/base + ext. Return: 0 when absent. */
static int beside(struct walk *w, const char *rel_dir, const char *base, const char *ext,
                  bool want_dir, char **ret)
{
        char rel[PATH_MAX], path[PATH_MAX];
        struct stat st;
        *ret = NULL;
        if (snprintf(rel, sizeof(rel), "%s/%s%s", rel_dir, base, ext) >= (int)sizeof(rel))
                return grd_pkg_error(w->err, w->errlen, -ENAMETOOLONG, rel_dir, NULL,
                                     "path too long");
        if (cmn_join(path, sizeof(path), w->p->dir, rel) < 0 || lstat(path, &st) < 0)
                return 0;
        bool is_dir = false;
        int r = grd_pkg_resolve(w->p, rel, ret, &is_dir, w->err, w->errlen);
        if (r == 0 && is_dir != want_dir) {
                free(*ret);
                *ret = NULL;
                r = grd_pkg_error(w->err, w->errlen, -EINVAL, rel, NULL,
                                  want_dir ? "not a directory" : "is a directory");
        }
        return r;
}

static int add_test(struct walk *w, struct grd_group *g, const char *rel_dir, const char *file,
                    char *in_real)
{
        struct grd_problem *p = w->p;
        char base[NAME_MAX + 1], name[PATH_MAX];
        size_t blen = strlen(file) - 3;
        memcpy(base, file, blen);
        base[blen] = '\0';
        int r = 0;
        struct grd_test *t = new_test(w, rel_dir, &r);
        if (!t) {
                free(in_real);
                return r;
        }
        t->in_path = in_real;
        t->group = g;
        t->sample = g->sample;
        /* the name is the path under data/ */
        if (snprintf(name, sizeof(name), "%s/%s", rel_dir + strlen("data/"), base) >=
            (int)sizeof(name))
                return grd_pkg_error(w->err, w->errlen, -ENAMETOOLONG, rel_dir, NULL,
                                     "path too long");
        if (!(t->name = strdup(name)))
                return -ENOMEM;
        r = beside(w, rel_dir, base, ".ans", false, &t->ans_path);
        if (r == 0 && p->format == GRD_FORMAT_2023_07) {
                char *yaml = NULL;
                r = beside(w, rel_dir, base, ".files", true, &t->files_dir);
                if (r == 0)
                        r = beside(w, rel_dir, base, ".yaml", false, &yaml);
                if (r == 0 && yaml) {
                        char rel[PATH_MAX];
                        snprintf(rel, sizeof(rel), "%s/%s.yaml", rel_dir, base);
                        r = grd_test_yaml_read(p, rel, t, w->err, w->errlen);
                }
                free(yaml);
        }
        return r < 0 ? r : add_item(g, NULL, t->index);
}

static int walk_group(struct walk *w, struct grd_group *parent, const char *rel, bool sample,
                      const struct grd_group_cfg *inherited, unsigned depth,
                      struct grd_group **ret);

/* Whether names (sorted) holds "<stem>.in" for an entry "<stem><ext>". */
static bool has_test_for(char **names, size_t n, const char *entry, const char *ext)
{
        size_t len = strlen(entry), el = strlen(ext);
        if (len <= el)
                return false;
        char want[NAME_MAX + 4];
        snprintf(want, sizeof(want), "%.*s.in", (int)(len - el), entry);
        for (size_t i = 0; i < n; i++)
                if (!strcmp(names[i], want))
                        return true;
        return false;
}

/*
 * 2023-07: a directory deeper than secret's groups (or inside sample) is not a group; its tests
 * belong to the group around it.
 */
static bool flattened(const struct walk *w, unsigned depth, bool sample)
{
        return w->draft && (depth >= 3 || (sample && depth >= 2));
}

static int walk_dir(struct walk *w, struct grd_group *g, const char *rel, bool sample,
                    const struct grd_group_cfg *c, unsigned depth, const char *name, char **names,
                    size_t n)
{
        char sub[PATH_MAX];
        bool root = depth == 0;
        if (cmn_join(sub, sizeof(sub), rel, name) < 0)
                return grd_pkg_error(w->err, w->errlen, -ENAMETOOLONG, rel, NULL, "path too long");
        if (!valid_name(name))
                return grd_pkg_error(w->err, w->errlen, -EINVAL, sub, NULL,
                                     "group names may only use A-Z a-z 0-9 _ . -");
        if (w->p->format == GRD_FORMAT_2023_07 && ends_with(name, ".files")) {
                if (!has_test_for(names, n, name, ".files"))
                        return grd_pkg_error(w->err, w->errlen, -EINVAL, sub, NULL,
                                             "no test case %.*s.in for these files",
                                             (int)(strlen(name) - 6), name);
                return 0; /* the test's own files, taken by add_test */
        }
        struct grd_group *child = NULL;
        int r = walk_group(w, g, sub, sample || (root && !strcmp(name, "sample")), c, depth + 1,
                           &child);
        if (r == 0 && child && child != g)
                r = add_item(g, child, 0);
        return r;
}

static int walk_entries(struct walk *w, struct grd_group *g, const char *rel, bool sample,
                        const struct grd_group_cfg *c, unsigned depth, char **names, size_t n)
{
        bool root = depth == 0;
        for (size_t i = 0; i < n; i++) {
                const char *name = names[i];
                if (root && strcmp(name, "sample") != 0 && strcmp(name, "secret") != 0)
                        continue; /* data/ holds exactly sample/ and secret/ */
                char sub[PATH_MAX];
                if (cmn_join(sub, sizeof(sub), rel, name) < 0)
                        return grd_pkg_error(w->err, w->errlen, -ENAMETOOLONG, rel, NULL,
                                             "path too long");
                char *real;
                bool is_dir = false;
                int r = grd_pkg_resolve(w->p, sub, &real, &is_dir, w->err, w->errlen);
                if (r < 0)
                        return r;
                if (is_dir) {
                        free(real);
                        r = walk_dir(w, g, rel, sample, c, depth, name, names, n);
                } else if (!root && ends_with(name, ".in") && strlen(name) > 3) {
                        if (!valid_name(name)) {
                                free(real);
                                return grd_pkg_error(w->err, w->errlen, -EINVAL, sub, NULL,
                                                     "test names may only use A-Z a-z 0-9 _ . -");
                        }
                        r = add_test(w, g, rel, name, real);
                } else {
                        free(real); /* .ans, .desc, .hint, images, testdata.yaml, ... */
                        if (w->p->format == GRD_FORMAT_2023_07 && ends_with(name, ".yaml") &&
                            strcmp(name, "test_group.yaml") && strcmp(name, "testdata.yaml") &&
                            !has_test_for(names, n, name, ".yaml"))
                                r = grd_pkg_warn(w->p, sub, NULL, "no test case %.*s.in: not used",
                                                 (int)(strlen(name) - 5), name);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* 2023-07: the tests of a directory that is not a group join the group around it. */
static int walk_flattened(struct walk *w, struct grd_group *g, const char *rel, bool sample,
                          const struct grd_group_cfg *c, unsigned depth, const char *real)
{
        static const char *const group_files[] = {"test_group.yaml", "testdata.yaml"};
        for (size_t i = 0; i < CMN_ARRAY_SIZE(group_files); i++) {
                char file[PATH_MAX];
                if (cmn_join(file, sizeof(file), rel, group_files[i]) == 0 &&
                    grd_pkg_exists(w->p, file))
                        return grd_pkg_error(w->err, w->errlen, -EINVAL, file, NULL,
                                             "test groups do not nest below data/secret/<group> "
                                             "in the 2023-07 format");
        }
        char **names = NULL;
        size_t n = 0;
        int r = list_dir(real, rel, &names, &n, w->err, w->errlen);
        if (r == 0)
                r = walk_entries(w, g, rel, sample, c, depth, names, n);
        names_free(names, n);
        return r;
}

static int walk_group(struct walk *w, struct grd_group *parent, const char *rel, bool sample,
                      const struct grd_group_cfg *inherited, unsigned depth, struct grd_group **ret)
{
        struct grd_problem *p = w->p;
        if (depth > GRD_PROBLEM_MAX_DEPTH)
                return grd_pkg_error(w->err, w->errlen, -EFBIG, rel, NULL,
                                     "test data groups nested deeper than %u levels",
                                     GRD_PROBLEM_MAX_DEPTH);
        char *real;
        bool is_dir = false;
        int r = grd_pkg_resolve(p, rel, &real, &is_dir, w->err, w->errlen);
        if (r < 0)
                return r;
        if (!is_dir) {
                free(real);
                return grd_pkg_error(w->err, w->errlen, -EINVAL, rel, NULL, "not a directory");
        }
        if (flattened(w, depth, sample)) {
                r = walk_flattened(w, parent, rel, sample, inherited, depth, real);
                free(real);
                *ret = parent;
                return r;
        }
        struct grd_group_cfg c;
        char **names = NULL;
        size_t n = 0;
        struct grd_group *g = NULL;
        if ((r = grd_group_cfg_copy(&c, inherited)) < 0) {
                free(real);
                return r;
        }
        if ((r = grd_group_cfg_read(p, rel, w->draft, &c, w->err, w->errlen)) == 0 &&
            (r = new_group(w, parent, rel, sample, &g)) == 0 &&
            (r = grd_group_apply(p, w->ov, &c, w->draft, g, w->err, w->errlen)) == 0 &&
            (r = list_dir(real, rel, &names, &n, w->err, w->errlen)) == 0 &&
            (r = walk_entries(w, g, rel, sample, &c, depth, names, n)) == 0) {
                g->n_tests = p->n_tests - g->first_test;
                r = grd_group_finish(p, g, w->draft, w->err, w->errlen);
                *ret = g;
        }
        names_free(names, n);
        grd_group_cfg_release(&c);
        free(real);
        return r;
}

/* Which group files the package has anywhere under data/ (for the 2023-07 choice). */
static void find_group_files(const char *path, unsigned depth, bool *testdata, bool *test_group)
{
        if (depth > GRD_PROBLEM_MAX_DEPTH)
                return;
        DIR *d = opendir(path);
        struct dirent *de;
        while (d && (de = readdir(d))) {
                char sub[PATH_MAX];
                struct stat st;
                if (de->d_name[0] == '.' || cmn_join(sub, sizeof(sub), path, de->d_name) < 0)
                        continue;
                *testdata |= !strcmp(de->d_name, "testdata.yaml");
                *test_group |= !strcmp(de->d_name, "test_group.yaml");
                if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
                        find_group_files(sub, depth + 1, testdata, test_group);
        }
        if (d)
                closedir(d);
}

/*
 * Every .in may lack its .ans: that test is run-only (its verdict is the run's status). A custom
 * validator needs the answers, so there every .in needs its .ans.
 */
static int check_answers(struct grd_problem *p, char *err, size_t errlen)
{
        for (size_t i = 0; i < p->n_tests; i++) {
                if (p->tests[i].ans_path)
                        continue;
                if (p->custom_validation) {
                        char rel[PATH_MAX];
                        snprintf(rel, sizeof(rel), "data/%s.ans", p->tests[i].name);
                        return grd_pkg_error(err, errlen, -EINVAL, rel, NULL,
                                             "missing: the custom output validator needs every "
                                             "test's answer file");
                }
                p->n_run_only++;
        }
        p->run_only = p->n_run_only == p->n_tests;
        return 0;
}

/* 2023-07 packages read test_group.yaml, unless they only have testdata.yaml files. */
static int choose_group_files(struct walk *w, const char *data, char *err, size_t errlen)
{
        bool testdata = false, test_group = false;
        if (w->p->format != GRD_FORMAT_2023_07)
                return 0;
        find_group_files(data, 0, &testdata, &test_group);
        if (testdata && test_group)
                return grd_pkg_error(err, errlen, -EINVAL, "data/", NULL,
                                     "has both testdata.yaml and test_group.yaml files: a "
                                     "2023-07 package uses test_group.yaml");
        w->draft = !testdata;
        return 0;
}

int grd_pkg_load_data(struct grd_problem *p, const struct grd_pkg_overrides *ov, char *err,
                      size_t errlen)
{
        struct walk w = {.p = p, .ov = ov, .err = err, .errlen = errlen};
        char path[PATH_MAX];
        struct stat st;
        if (cmn_join(path, sizeof(path), p->dir, "data") < 0 || lstat(path, &st) < 0)
                return grd_pkg_error(err, errlen, -EINVAL, "data/", NULL,
                                     "missing: the package has no test data");
        struct grd_group_cfg c;
        int r = choose_group_files(&w, path, err, errlen);
        if (r == 0)
                r = grd_group_cfg_init(&c);
        if (r < 0)
                return r;
        r = walk_group(&w, NULL, "data", false, &c, 0, &p->root);
        grd_group_cfg_release(&c);
        if (r < 0)
                return r;
        if (p->n_tests == 0)
                return grd_pkg_error(err, errlen, -EINVAL, "data/", NULL,
                                     "no test cases (data/sample/*.in, data/secret/**/*.in)");
        return check_answers(p, err, errlen);
}
