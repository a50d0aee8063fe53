/* SPDX-License-Identifier: MIT */
/*
 * The test data of a problem package: the group tree under data/, each group's testdata.yaml
 * settings (inherited key by key), the tests in judging order, and the run-only rule.
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

/* The testdata.yaml settings in force for a group; strings are owned. */
struct group_cfg {
        enum grd_on_reject on_reject;
        char *grader_flags;
        char *output_validator_flags;
        char *flags_file; /* the testdata.yaml that set output_validator_flags, for messages */
        double accept_score, reject_score;
        bool has_range;
        double range_min, range_max;
        bool range_declared; /* set by the group's own testdata.yaml; never inherited */
};

struct walk {
        struct grd_problem *p;
        const struct grd_pkg_overrides *ov;
        size_t cap_tests, cap_groups;
        char *err;
        size_t errlen;
};

static void cfg_release(struct group_cfg *c)
{
        free(c->grader_flags);
        free(c->output_validator_flags);
        free(c->flags_file);
}

static int cfg_copy(struct group_cfg *dst, const struct group_cfg *src)
{
        *dst = *src;
        dst->range_declared = false;
        dst->grader_flags = strdup(src->grader_flags);
        dst->output_validator_flags = strdup(src->output_validator_flags);
        dst->flags_file = strdup(src->flags_file);
        if (!dst->grader_flags || !dst->output_validator_flags || !dst->flags_file) {
                cfg_release(dst);
                return -ENOMEM;
        }
        return 0;
}

static int replace(char **slot, const char *s)
{
        char *dup = strdup(s);
        if (!dup)
                return -ENOMEM;
        free(*slot);
        *slot = dup;
        return 0;
}

/* Apply grader_flags words to a group. Return: 0, or -EINVAL with *bad set to the unknown word. */
static int apply_grader_flags(const char *flags, struct grd_group *g, char *bad, size_t badlen)
{
        char **w = NULL;
        size_t n = 0;
        int r = grd_pkg_strv_append(&w, &n, flags);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r == 0; i++) {
                if (strcmp(w[i], "sum") == 0)
                        g->aggregate = GRD_AGG_SUM;
                else if (strcmp(w[i], "min") == 0)
                        g->aggregate = GRD_AGG_MIN;
                else if (strcmp(w[i], "max") == 0)
                        g->aggregate = GRD_AGG_MAX;
                else if (strcmp(w[i], "avg") == 0)
                        g->aggregate = GRD_AGG_AVG;
                else if (strcmp(w[i], "worst_error") == 0)
                        g->verdict_mode = GRD_VERDICT_MODE_WORST_ERROR;
                else if (strcmp(w[i], "first_error") == 0)
                        g->verdict_mode = GRD_VERDICT_MODE_FIRST_ERROR;
                else if (strcmp(w[i], "always_accept") == 0)
                        g->verdict_mode = GRD_VERDICT_MODE_ALWAYS_ACCEPT;
                else if (strcmp(w[i], "ignore_sample") == 0)
                        g->ignore_sample = true;
                else if (strcmp(w[i], "accept_if_any_accepted") == 0)
                        g->accept_if_any_accepted = true;
                else {
                        cmn_strlcpy(bad, w[i], badlen);
                        r = -EINVAL;
                }
        }
        grd_pkg_strv_free(w);
        return r;
}

/*
 * Overlay one testdata.yaml (root may be NULL) on the inherited settings. Scoring-only keys are
 * ignored in pass-fail problems.
 */
static int parse_testdata(const struct grd_yaml_node *root, const char *file, bool scoring,
                          bool custom_validation, char *const *problem_args, size_t n_problem_args,
                          struct group_cfg *c, char *err, size_t errlen)
{
        if (grd_yaml_is_null(root))
                return 0;
        if (root->type != GRD_YAML_MAP)
                return grd_pkg_error(err, errlen, -EINVAL, file, root, "expected a map");
        const struct grd_yaml_node *v;
        const char *s;
        int r;
        if ((v = grd_yaml_get(root, "on_reject")) && !grd_yaml_is_null(v)) {
                if (!(s = grd_pkg_string(v, file, "on_reject", err, errlen)))
                        return -EINVAL;
                if (strcmp(s, "break") == 0)
                        c->on_reject = GRD_ON_REJECT_BREAK;
                else if (strcmp(s, "continue") == 0)
                        c->on_reject = GRD_ON_REJECT_CONTINUE;
                else
                        return grd_pkg_error(err, errlen, -EINVAL, file, v,
                                             "'on_reject' must be break or continue, not '%.64s'",
                                             s);
        }
        if ((v = grd_yaml_get(root, "grading")) && !grd_yaml_is_null(v)) {
                if (!(s = grd_pkg_string(v, file, "grading", err, errlen)))
                        return -EINVAL;
                if (strcmp(s, "custom") == 0)
                        return grd_pkg_error(err, errlen, -ENOTSUP, file, v,
                                             "custom graders are not supported");
                if (strcmp(s, "default") != 0)
                        return grd_pkg_error(err, errlen, -EINVAL, file, v,
                                             "'grading' must be default or custom");
        }
        if ((v = grd_yaml_get(root, "grader_flags"))) {
                if (!(s = grd_pkg_string(v, file, "grader_flags", err, errlen)))
                        return -EINVAL;
                struct grd_group probe = {0};
                char bad[64];
                r = apply_grader_flags(s, &probe, bad, sizeof(bad));
                if (r == -EINVAL)
                        return grd_pkg_error(err, errlen, r, file, v, "unknown grader flag '%s'",
                                             bad);
                if (r < 0)
                        return grd_pkg_error(err, errlen, r, file, v, "too many grader flags");
                if ((r = replace(&c->grader_flags, s)) < 0)
                        return r;
        }
        v = grd_yaml_get(root, "input_validator_flags");
        if (v && v->type == GRD_YAML_SEQ)
                return grd_pkg_error(err, errlen, -EINVAL, file, v,
                                     "'input_validator_flags' must be a string or a map");
        if ((v = grd_yaml_get(root, "output_validator_flags"))) {
                /* a string, or a map {name, flags} naming the one validator */
                const struct grd_yaml_node *fv = v;
                if (v->type == GRD_YAML_MAP)
                        fv = grd_yaml_get(v, "flags");
                if (!(s = grd_pkg_string(fv, file, "output_validator_flags", err, errlen)))
                        return -EINVAL;
                char **args = NULL;
                size_t n = 0;
                r = 0;
                for (size_t i = 0; i < n_problem_args && r >= 0; i++)
                        r = grd_pkg_strv_append(&args, &n, problem_args[i]);
                if (r == 0)
                        r = grd_pkg_strv_append(&args, &n, s);
                if (r < 0) {
                        grd_pkg_strv_free(args);
                        return grd_pkg_error(err, errlen, r, file, v,
                                             "too many output_validator_flags");
                }
                if (!custom_validation) {
                        struct grd_checker_flags f;
                        char msg[256];
                        r = grd_checker_parse_flags((const char *const *)args, n, &f, msg,
                                                    sizeof(msg));
                        if (r < 0) {
                                grd_pkg_strv_free(args);
                                return grd_pkg_error(err, errlen, r, file, v,
                                                     "output_validator_flags: %s", msg);
                        }
                }
                grd_pkg_strv_free(args);
                if ((r = replace(&c->output_validator_flags, s)) < 0 ||
                    (r = replace(&c->flags_file, file)) < 0)
                        return r;
        }
        if (!scoring)
                return 0;
        if ((v = grd_yaml_get(root, "accept_score")) && !grd_yaml_is_null(v) &&
            (r = grd_pkg_number(v, file, "accept_score", -1e12, 1e12, false, &c->accept_score, err,
                                errlen)) < 0)
                return r;
        if ((v = grd_yaml_get(root, "reject_score")) && !grd_yaml_is_null(v) &&
            (r = grd_pkg_number(v, file, "reject_score", -1e12, 1e12, false, &c->reject_score, err,
                                errlen)) < 0)
                return r;
        if ((v = grd_yaml_get(root, "range")) && !grd_yaml_is_null(v)) {
                if (!(s = grd_pkg_string(v, file, "range", err, errlen)))
                        return -EINVAL;
                if (grd_pkg_range(s, &c->range_min, &c->range_max) < 0)
                        return grd_pkg_error(err, errlen, -EINVAL, file, v,
                                             "'range' must be two numbers A <= B (inf allowed), "
                                             "not '%.64s'",
                                             s);
                c->has_range = true;
                c->range_declared = true;
        }
        return 0;
}

static int cfg_init(struct group_cfg *c)
{
        /* the legacy spec's defaults: problemtools' config/testdata.yaml */
        *c = (struct group_cfg){
                .on_reject = GRD_ON_REJECT_BREAK,
                .grader_flags = strdup(""),
                .output_validator_flags = strdup(""),
                .flags_file = strdup("problem.yaml"),
                .accept_score = 1,
                .reject_score = 0,
                .range_min = -INFINITY,
                .range_max = INFINITY,
        };
        if (!c->grader_flags || !c->output_validator_flags || !c->flags_file) {
                cfg_release(c);
                return -ENOMEM;
        }
        return 0;
}

int grd_testdata_yaml_check(const char *buf, size_t len, bool scoring, char *err, size_t errlen)
{
        struct grd_yaml_node *root;
        int r = grd_yaml_load(buf, len, "testdata.yaml", &root, err, errlen);
        if (r < 0)
                return r;
        struct group_cfg c;
        if ((r = cfg_init(&c)) == 0) {
                r = parse_testdata(root, "testdata.yaml", scoring, false, NULL, 0, &c, err, errlen);
                cfg_release(&c);
        }
        grd_yaml_free(root);
        return r;
}

static int make_group(struct walk *w, struct grd_group *parent, const char *rel, bool sample,
                      const struct group_cfg *c, struct grd_group **ret)
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
        p->groups[p->n_groups++] = g; /* owned by p from here on, even on failure */
        if (!(g->name = strdup(rel)))
                return -ENOMEM;
        g->parent = parent;
        g->sample = sample;
        g->first_test = p->n_tests;
        g->on_reject = c->on_reject;
        g->accept_score = 1;
        g->reject_score = 0;
        g->range_min = -INFINITY;
        g->range_max = INFINITY;
        if (p->scoring) {
                g->accept_score = c->accept_score;
                g->reject_score = c->reject_score;
                g->has_range = c->has_range;
                g->range_min = c->range_min;
                g->range_max = c->range_max;
                g->range_declared = c->range_declared;
        }
        const struct grd_pkg_overrides *ov = w->ov;
        if (ov && ov->on_reject_set)
                g->on_reject = ov->on_reject;
        if (ov && p->scoring && ov->accept_set)
                g->accept_score = ov->accept_score;
        if (ov && p->scoring && ov->reject_set)
                g->reject_score = ov->reject_score;
        if (ov && p->scoring && ov->range_set) {
                g->has_range = true;
                g->range_min = ov->range_min;
                g->range_max = ov->range_max;
                g->range_declared = parent == NULL; /* problem.yaml speaks for the root */
        }
        char bad[64];
        int r = apply_grader_flags(c->grader_flags, g, bad, sizeof(bad));
        if (r < 0) /* checked when the testdata.yaml was parsed */
                return r;
        for (size_t i = 0; i < p->n_validator_args && r == 0; i++)
                r = grd_pkg_strv_append(&g->validator_args, &g->n_validator_args,
                                        p->validator_args[i]);
        if (r == 0)
                r = grd_pkg_strv_append(&g->validator_args, &g->n_validator_args,
                                        c->output_validator_flags);
        if (r < 0)
                return grd_pkg_error(w->err, w->errlen, r, c->flags_file, NULL,
                                     "too many validator arguments for %s", rel);
        if (!p->custom_validation) {
                char msg[256];
                r = grd_checker_parse_flags((const char *const *)g->validator_args,
                                            g->n_validator_args, &g->flags, msg, sizeof(msg));
                if (r < 0)
                        return grd_pkg_error(w->err, w->errlen, r, c->flags_file, NULL,
                                             "validator flags for %s: %s", rel, msg);
        }
        *ret = g;
        return 0;
}

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

static int add_test(struct walk *w, struct grd_group *g, const char *rel_dir, const char *file,
                    char *in_real)
{
        struct grd_problem *p = w->p;
        char base[NAME_MAX + 1], rel[PATH_MAX], name[PATH_MAX];
        size_t blen = strlen(file) - 3;
        memcpy(base, file, blen);
        base[blen] = '\0';
        if (p->n_tests >= GRD_PROBLEM_MAX_TESTS) {
                free(in_real);
                return grd_pkg_error(w->err, w->errlen, -EFBIG, rel_dir, NULL,
                                     "more than %u test cases", GRD_PROBLEM_MAX_TESTS);
        }
        if (p->n_tests == w->cap_tests) {
                size_t cap = w->cap_tests ? w->cap_tests * 2 : 16;
                struct grd_test *nt = realloc(p->tests, cap * sizeof(*nt));
                if (!nt) {
                        free(in_real);
                        return -ENOMEM;
                }
                p->tests = nt;
                w->cap_tests = cap;
        }
        struct grd_test *t = &p->tests[p->n_tests];
        *t = (struct grd_test){
                .in_path = in_real, .group = g, .index = p->n_tests, .sample = g->sample};
        p->n_tests++; /* owned by p from here on */
        /* the name is the path under data/ */
        if (snprintf(name, sizeof(name), "%s/%s", rel_dir + strlen("data/"), base) >=
                    (int)sizeof(name) ||
            snprintf(rel, sizeof(rel), "%s/%s.ans", rel_dir, base) >= (int)sizeof(rel))
                return grd_pkg_error(w->err, w->errlen, -ENAMETOOLONG, rel_dir, NULL,
                                     "path too long");
        if (!(t->name = strdup(name)))
                return -ENOMEM;
        char path[PATH_MAX];
        struct stat st;
        if (cmn_join(path, sizeof(path), p->dir, rel) == 0 && lstat(path, &st) == 0) {
                bool is_dir = false;
                int r = grd_pkg_resolve(p, rel, &t->ans_path, &is_dir, w->err, w->errlen);
                if (r < 0)
                        return r;
                if (is_dir)
                        return grd_pkg_error(w->err, w->errlen, -EINVAL, rel, NULL,
                                             "is a directory");
        }
        return add_item(g, NULL, t->index);
}

static int walk_group(struct walk *w, struct grd_group *parent, const char *rel, bool sample,
                      const struct group_cfg *inherited, unsigned depth, struct grd_group **ret);

static int walk_entries(struct walk *w, struct grd_group *g, const char *rel, bool sample,
                        const struct group_cfg *c, unsigned depth, char **names, size_t n)
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
                        if (!valid_name(name))
                                return grd_pkg_error(w->err, w->errlen, -EINVAL, sub, NULL,
                                                     "group names may only use A-Z a-z 0-9 _ . -");
                        struct grd_group *child = NULL;
                        r = walk_group(w, g, sub, sample || (root && !strcmp(name, "sample")), c,
                                       depth + 1, &child);
                        if (r == 0 && child)
                                r = add_item(g, child, 0);
                } else if (!root && ends_with(name, ".in") && strlen(name) > 3) {
                        if (!valid_name(name)) {
                                free(real);
                                return grd_pkg_error(w->err, w->errlen, -EINVAL, sub, NULL,
                                                     "test names may only use A-Z a-z 0-9 _ . -");
                        }
                        r = add_test(w, g, rel, name, real);
                } else {
                        free(real); /* .ans, .desc, .hint, images, testdata.yaml, ... */
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

static int walk_group(struct walk *w, struct grd_group *parent, const char *rel, bool sample,
                      const struct group_cfg *inherited, unsigned depth, struct grd_group **ret)
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
        struct group_cfg c;
        char **names = NULL;
        size_t n = 0;
        struct grd_yaml_node *yaml = NULL;
        char file[PATH_MAX];
        if ((r = cfg_copy(&c, inherited)) < 0) {
                free(real);
                return r;
        }
        if (cmn_join(file, sizeof(file), rel, "testdata.yaml") < 0) {
                r = grd_pkg_error(w->err, w->errlen, -ENAMETOOLONG, rel, NULL, "path too long");
                goto out;
        }
        if ((r = grd_pkg_read_yaml(p, file, &yaml, w->err, w->errlen)) < 0 ||
            (r = parse_testdata(yaml, file, p->scoring, p->custom_validation, p->validator_args,
                                p->n_validator_args, &c, w->err, w->errlen)) < 0)
                goto out;
        struct grd_group *g = NULL;
        if ((r = make_group(w, parent, rel, sample, &c, &g)) < 0 || !g)
                goto out;
        if ((r = list_dir(real, rel, &names, &n, w->err, w->errlen)) < 0)
                goto out;
        if ((r = walk_entries(w, g, rel, sample, &c, depth, names, n)) < 0)
                goto out;
        g->n_tests = p->n_tests - g->first_test;
        *ret = g;
out:
        names_free(names, n);
        grd_yaml_free(yaml);
        cfg_release(&c);
        free(real);
        return r;
}

/* Every .in needs its .ans, unless no test has one: then the whole package is run-only. */
static int check_answers(struct grd_problem *p, char *err, size_t errlen)
{
        size_t with = 0;
        for (size_t i = 0; i < p->n_tests; i++)
                with += p->tests[i].ans_path != NULL;
        if (with == 0) {
                p->run_only = true;
                if (p->custom_validation)
                        return grd_pkg_error(err, errlen, -EINVAL, "data/", NULL,
                                             "no .ans files, but a custom output validator "
                                             "needs them");
                return 0;
        }
        for (size_t i = 0; i < p->n_tests; i++) {
                if (!p->tests[i].ans_path) {
                        char rel[PATH_MAX];
                        snprintf(rel, sizeof(rel), "data/%s.ans", p->tests[i].name);
                        return grd_pkg_error(err, errlen, -EINVAL, rel, NULL,
                                             "missing (every .in needs its .ans unless the "
                                             "package has no .ans at all)");
                }
        }
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
        struct group_cfg c;
        int r = cfg_init(&c);
        if (r < 0)
                return r;
        r = walk_group(&w, NULL, "data", false, &c, 0, &p->root);
        cfg_release(&c);
        if (r < 0)
                return r;
        if (p->n_tests == 0)
                return grd_pkg_error(err, errlen, -EINVAL, "data/", NULL,
                                     "no test cases (data/sample/*.in, data/secret/**/*.in)");
        return check_answers(p, err, errlen);
}
