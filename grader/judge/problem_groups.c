/* SPDX-License-Identifier: MIT */
/*
 * The settings of test-data groups and test cases: the legacy testdata.yaml (inherited key by
 * key), the 2023-07 test_group.yaml (its arguments inherited; max_score and score_aggregation
 * the group's own, mapped onto the scoring of scoring.c) and the 2023-07 <test>.yaml.
 */
#include "problem.h"
#include "problem_internal.h"

#include "common.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2023-07: secret is worth 100 unless it says otherwise. */
#define DRAFT_SECRET_MAX_SCORE 100.0
#define SCORE_MAX              1e12 /* a score or max_score beyond this is a typo */

static const char *const TESTDATA_KEYS[] = {"on_reject",
                                            "grading",
                                            "grader_flags",
                                            "input_validator_flags",
                                            "output_validator_flags",
                                            "accept_score",
                                            "reject_score",
                                            "range",
                                            NULL};
static const char *const TEST_GROUP_KEYS[] = {"max_score",
                                              "score_aggregation",
                                              "static_validation_score",
                                              "require_pass",
                                              "args",
                                              "input_validator_args",
                                              "static_validator_args",
                                              "output_validator_args",
                                              "input_visualizer_args",
                                              "output_visualizer_args",
                                              "full_feedback",
                                              NULL};
static const char *const TEST_KEYS[] = {"args",
                                        "input_validator_args",
                                        "output_validator_args",
                                        "input_visualizer_args",
                                        "output_visualizer_args",
                                        "full_feedback",
                                        "hint",
                                        "description",
                                        NULL};

static int replace(char **slot, const char *s)
{
        char *dup = strdup(s);
        if (!dup)
                return -ENOMEM;
        free(*slot);
        *slot = dup;
        return 0;
}

static int strv_copy(char ***dst, size_t *n_dst, char *const *src, size_t n)
{
        *dst = NULL;
        *n_dst = 0;
        for (size_t i = 0; i < n; i++) {
                char **nv = realloc(*dst, (i + 2) * sizeof(char *));
                if (!nv)
                        return -ENOMEM;
                *dst = nv;
                nv[i + 1] = NULL;
                if (!(nv[i] = strdup(src[i])))
                        return -ENOMEM;
                *n_dst = i + 1;
        }
        if (!*dst && !(*dst = calloc(1, sizeof(char *))))
                return -ENOMEM;
        return 0;
}

static int named_copy(struct grd_named_args **dst, size_t *n_dst, const struct grd_named_args *src,
                      size_t n)
{
        *dst = NULL;
        *n_dst = 0;
        if (!n)
                return 0;
        struct grd_named_args *a = calloc(n, sizeof(*a));
        if (!a)
                return -ENOMEM;
        *dst = a;
        for (size_t i = 0; i < n; i++) {
                *n_dst = i + 1;
                if ((src[i].name && !(a[i].name = strdup(src[i].name))) ||
                    strv_copy(&a[i].args, &a[i].n, src[i].args, src[i].n) < 0)
                        return -ENOMEM;
        }
        return 0;
}

void grd_group_cfg_release(struct grd_group_cfg *c)
{
        free(c->grader_flags);
        grd_pkg_strv_free(c->ova);
        free(c->ova_file);
        grd_pkg_strv_free(c->args);
        grd_pkg_named_args_free(c->iva, c->n_iva);
        memset(c, 0, sizeof(*c));
}

int grd_group_cfg_init(struct grd_group_cfg *c)
{
        /* the legacy spec's defaults: problemtools' config/testdata.yaml */
        *c = (struct grd_group_cfg){
                .on_reject = GRD_ON_REJECT_BREAK,
                .grader_flags = strdup(""),
                .ova_file = strdup("problem.yaml"),
                .accept_score = 1,
                .reject_score = 0,
                .range_min = -INFINITY,
                .range_max = INFINITY,
        };
        if (!c->grader_flags || !c->ova_file || strv_copy(&c->ova, &c->n_ova, NULL, 0) < 0) {
                grd_group_cfg_release(c);
                return -ENOMEM;
        }
        return 0;
}

int grd_group_cfg_copy(struct grd_group_cfg *dst, const struct grd_group_cfg *src)
{
        *dst = *src;
        dst->range_declared = dst->max_score_set = dst->aggregation_set = false;
        dst->grader_flags = strdup(src->grader_flags);
        dst->ova_file = strdup(src->ova_file);
        dst->ova = dst->args = NULL;
        dst->iva = NULL;
        int r = dst->grader_flags && dst->ova_file ? 0 : -ENOMEM;
        if (r == 0)
                r = strv_copy(&dst->ova, &dst->n_ova, src->ova, src->n_ova);
        if (r == 0 && src->args)
                r = strv_copy(&dst->args, &dst->n_args, src->args, src->n_args);
        if (r == 0)
                r = named_copy(&dst->iva, &dst->n_iva, src->iva, src->n_iva);
        if (r < 0)
                grd_group_cfg_release(dst);
        return r;
}

/* Apply grader_flags words to a group. Return: 0, or -EINVAL with *bad set to the unknown word. */
static int apply_grader_flags(const char *flags, struct grd_group *g, char *bad, size_t badlen)
{
        static const struct {
                const char *word;
                int agg, mode, flag; /* -1: untouched; flag 1 ignore_sample, 2 accept_if_any */
        } words[] = {
                {"sum", GRD_AGG_SUM, -1, 0},
                {"min", GRD_AGG_MIN, -1, 0},
                {"max", GRD_AGG_MAX, -1, 0},
                {"avg", GRD_AGG_AVG, -1, 0},
                {"worst_error", -1, GRD_VERDICT_MODE_WORST_ERROR, 0},
                {"first_error", -1, GRD_VERDICT_MODE_FIRST_ERROR, 0},
                {"always_accept", -1, GRD_VERDICT_MODE_ALWAYS_ACCEPT, 0},
                {"ignore_sample", -1, -1, 1},
                {"accept_if_any_accepted", -1, -1, 2},
        };
        char **w = NULL;
        size_t n = 0;
        int r = grd_pkg_strv_append(&w, &n, flags);
        for (size_t i = 0; i < n && r == 0; i++) {
                size_t k = 0;
                while (k < CMN_ARRAY_SIZE(words) && strcmp(w[i], words[k].word))
                        k++;
                if (k == CMN_ARRAY_SIZE(words)) {
                        cmn_strlcpy(bad, w[i], badlen);
                        r = -EINVAL;
                        break;
                }
                if (words[k].agg >= 0)
                        g->aggregate = (enum grd_aggregate)words[k].agg;
                if (words[k].mode >= 0)
                        g->verdict_mode = (enum grd_verdict_mode)words[k].mode;
                g->ignore_sample |= words[k].flag == 1;
                g->accept_if_any_accepted |= words[k].flag == 2;
        }
        grd_pkg_strv_free(w);
        return r;
}

/*
 * The output validator's arguments of a group: problem.yaml's validator_flags, then the
 * group's; checked against the default validator's flags when it is the one used.
 */
static int set_ova(const struct grd_problem *p, char **words, size_t n, const char *file,
                   const struct grd_yaml_node *at, struct grd_group_cfg *c, char *err,
                   size_t errlen)
{
        char **all = NULL;
        size_t n_all = 0;
        int r = 0;
        for (size_t i = 0; p && i < p->n_validator_args && r == 0; i++)
                r = grd_pkg_strv_append(&all, &n_all, p->validator_args[i]);
        for (size_t i = 0; i < n && r == 0; i++) {
                char **nv = realloc(all, (n_all + 2) * sizeof(char *));
                if (!nv || !(nv[n_all] = strdup(words[i]))) {
                        if (nv)
                                all = nv;
                        r = -ENOMEM;
                        break;
                }
                all = nv;
                all[++n_all] = NULL;
        }
        if (r == 0 && n_all > GRD_PROBLEM_MAX_ARGS)
                r = grd_pkg_error(err, errlen, -E2BIG, file, at, "too many validator arguments");
        if (r == 0 && !(p && p->custom_validation)) {
                struct grd_checker_flags f;
                char msg[256];
                r = grd_checker_parse_flags((const char *const *)all, n_all, &f, msg, sizeof(msg));
                if (r < 0)
                        r = grd_pkg_error(err, errlen, r, file, at, "output validator flags: %s",
                                          msg);
        }
        grd_pkg_strv_free(all);
        if (r < 0)
                return r;
        grd_pkg_strv_free(c->ova);
        c->ova = words;
        c->n_ova = n;
        return replace(&c->ova_file, file);
}

/* Scoring keys of the legacy testdata.yaml: accept_score, reject_score, range. */
static int legacy_scores(const struct grd_yaml_node *root, const char *file,
                         struct grd_group_cfg *c, char *err, size_t errlen)
{
        const struct grd_yaml_node *v;
        int r = 0;
        if ((v = grd_yaml_get(root, "accept_score")) && !grd_yaml_is_null(v) &&
            (r = grd_pkg_number(v, file, "accept_score", -SCORE_MAX, SCORE_MAX, false,
                                &c->accept_score, err, errlen)) < 0)
                return r;
        if ((v = grd_yaml_get(root, "reject_score")) && !grd_yaml_is_null(v) &&
            (r = grd_pkg_number(v, file, "reject_score", -SCORE_MAX, SCORE_MAX, false,
                                &c->reject_score, err, errlen)) < 0)
                return r;
        if ((v = grd_yaml_get(root, "range")) && !grd_yaml_is_null(v)) {
                const char *s = grd_pkg_string(v, file, "range", err, errlen);
                if (!s)
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

static int legacy_on_reject_grading(const struct grd_yaml_node *root, const char *file,
                                    struct grd_group_cfg *c, char *err, size_t errlen)
{
        const struct grd_yaml_node *v;
        const char *s;
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
        return 0;
}

/*
 * Overlay one legacy testdata.yaml (root may be NULL) on the inherited settings. Scoring-only
 * keys are ignored in pass-fail problems. p may be NULL (the fuzz seam).
 */
static int parse_testdata(struct grd_problem *p, const struct grd_yaml_node *root, const char *file,
                          bool scoring, struct grd_group_cfg *c, char *err, size_t errlen)
{
        if (grd_yaml_is_null(root))
                return 0;
        if (root->type != GRD_YAML_MAP)
                return grd_pkg_error(err, errlen, -EINVAL, file, root, "expected a map");
        const struct grd_yaml_node *v;
        int r = grd_pkg_check_keys(p, root, file, "", TESTDATA_KEYS);
        if (r == 0)
                r = legacy_on_reject_grading(root, file, c, err, errlen);
        if (r == 0 && (v = grd_yaml_get(root, "grader_flags"))) {
                const char *s = grd_pkg_string(v, file, "grader_flags", err, errlen);
                struct grd_group probe = {0};
                char bad[64];
                if (!s)
                        return -EINVAL;
                r = apply_grader_flags(s, &probe, bad, sizeof(bad));
                if (r == -EINVAL)
                        return grd_pkg_error(err, errlen, r, file, v, "unknown grader flag '%s'",
                                             bad);
                if (r < 0)
                        return grd_pkg_error(err, errlen, r, file, v, "too many grader flags");
                r = replace(&c->grader_flags, s);
        }
        if (r == 0 && (v = grd_yaml_get(root, "input_validator_flags"))) {
                grd_pkg_named_args_free(c->iva, c->n_iva);
                c->iva = NULL;
                c->n_iva = 0;
                r = grd_pkg_named_args(v, file, "input_validator_flags", &c->iva, &c->n_iva, err,
                                       errlen);
        }
        if (r == 0 && (v = grd_yaml_get(root, "output_validator_flags"))) {
                /* a string, or a map {name, flags} naming the one validator */
                const struct grd_yaml_node *fv =
                        v->type == GRD_YAML_MAP ? grd_yaml_get(v, "flags") : v;
                char **words = NULL;
                size_t n = 0;
                r = grd_pkg_args(fv, file, "output_validator_flags", &words, &n, err, errlen);
                if (r == 0 && (r = set_ova(p, words, n, file, v, c, err, errlen)) < 0)
                        grd_pkg_strv_free(words);
        }
        if (r == 0 && scoring)
                r = legacy_scores(root, file, c, err, errlen);
        return r;
}

/* 2023-07 max_score, score_aggregation and the keys for features the grader lacks. */
static int draft_scoring(const struct grd_problem *p, const struct grd_yaml_node *root,
                         const char *file, bool sample, struct grd_group_cfg *c, char *err,
                         size_t errlen)
{
        static const char *const scoring_keys[] = {"max_score", "score_aggregation",
                                                   "require_pass"};
        for (size_t i = 0; i < CMN_ARRAY_SIZE(scoring_keys); i++) {
                const struct grd_yaml_node *v = grd_yaml_get(root, scoring_keys[i]);
                if (v && (!p->scoring || sample))
                        return grd_pkg_error(err, errlen, -EINVAL, file, v,
                                             "'%s' is not allowed %s", scoring_keys[i],
                                             sample ? "in sample" : "in a pass-fail problem");
        }
        const struct grd_yaml_node *v = grd_yaml_get(root, "require_pass");
        if (v && !grd_yaml_is_null(v) && !(v->type == GRD_YAML_SEQ && v->n == 0))
                return grd_pkg_error(err, errlen, -ENOTSUP, file, v,
                                     "'require_pass' is not supported");
        if ((v = grd_yaml_get(root, "static_validation_score")) && !grd_yaml_is_null(v))
                return grd_pkg_error(err, errlen, -ENOTSUP, file, v,
                                     "static validation is not supported");
        if ((v = grd_yaml_get(root, "max_score")) && !grd_yaml_is_null(v)) {
                if (v->type == GRD_YAML_SCALAR && !strcmp(v->value, "unbounded"))
                        return grd_pkg_error(err, errlen, -ENOTSUP, file, v,
                                             "'max_score: unbounded' is not supported");
                int r = grd_pkg_number(v, file, "max_score", 0, SCORE_MAX, false, &c->max_score,
                                       err, errlen);
                if (r < 0)
                        return r;
                c->max_score_set = true;
        }
        if ((v = grd_yaml_get(root, "score_aggregation")) && !grd_yaml_is_null(v)) {
                const char *s = grd_pkg_string(v, file, "score_aggregation", err, errlen);
                if (!s)
                        return -EINVAL;
                if (!strcmp(s, "pass-fail"))
                        c->aggregation = GRD_AGG_PASS_FAIL;
                else if (!strcmp(s, "sum"))
                        c->aggregation = GRD_AGG_SUM;
                else if (!strcmp(s, "min"))
                        c->aggregation = GRD_AGG_MIN;
                else
                        return grd_pkg_error(err, errlen, -EINVAL, file, v,
                                             "'score_aggregation' must be pass-fail, sum or min, "
                                             "not '%.64s'",
                                             s);
                c->aggregation_set = true;
        }
        return 0;
}

/* Check a key that only informs humans or tools the grader does not run. */
static int draft_ignored(const struct grd_yaml_node *root, const char *file, char *err,
                         size_t errlen)
{
        static const char *const arg_keys[] = {"input_visualizer_args", "output_visualizer_args",
                                               "static_validator_args"};
        for (size_t i = 0; i < CMN_ARRAY_SIZE(arg_keys); i++) {
                const struct grd_yaml_node *v = grd_yaml_get(root, arg_keys[i]);
                char **w = NULL;
                size_t n = 0;
                int r = v ? grd_pkg_args(v, file, arg_keys[i], &w, &n, err, errlen) : 0;
                grd_pkg_strv_free(w);
                if (r < 0)
                        return r;
        }
        const struct grd_yaml_node *v = grd_yaml_get(root, "full_feedback");
        if (v && !grd_yaml_is_null(v) &&
            !(v->type == GRD_YAML_SCALAR &&
              (!strcmp(v->value, "true") || !strcmp(v->value, "false"))))
                return grd_pkg_error(err, errlen, -EINVAL, file, v,
                                     "'full_feedback' must be true or false");
        return 0;
}

/* The argument keys a 2023-07 test_group.yaml and <test>.yaml share, into vectors. */
static int draft_args(struct grd_problem *p, const struct grd_yaml_node *root, const char *file,
                      char ***args, size_t *n_args, char ***ova, size_t *n_ova,
                      struct grd_named_args **iva, size_t *n_iva, char *err, size_t errlen)
{
        const struct grd_yaml_node *v;
        int r = draft_ignored(root, file, err, errlen);
        if (r == 0 && (v = grd_yaml_get(root, "args"))) {
                grd_pkg_strv_free(*args);
                *args = NULL;
                r = grd_pkg_args(v, file, "args", args, n_args, err, errlen);
        }
        if (r == 0 && (v = grd_yaml_get(root, "input_validator_args"))) {
                grd_pkg_named_args_free(*iva, *n_iva);
                *iva = NULL;
                *n_iva = 0;
                r = grd_pkg_named_args(v, file, "input_validator_args", iva, n_iva, err, errlen);
        }
        if (r == 0 && (v = grd_yaml_get(root, "output_validator_args"))) {
                char **words = NULL;
                size_t n = 0;
                struct grd_group_cfg tmp = {0};
                r = grd_pkg_args(v, file, "output_validator_args", &words, &n, err, errlen);
                if (r == 0 && (r = set_ova(p, words, n, file, v, &tmp, err, errlen)) < 0)
                        grd_pkg_strv_free(words);
                free(tmp.ova_file);
                if (r == 0) {
                        grd_pkg_strv_free(*ova);
                        *ova = tmp.ova;
                        *n_ova = tmp.n_ova;
                }
        }
        return r;
}

/* Overlay one 2023-07 test_group.yaml. */
static int parse_test_group(struct grd_problem *p, const struct grd_yaml_node *root,
                            const char *file, bool sample, struct grd_group_cfg *c, char *err,
                            size_t errlen)
{
        if (grd_yaml_is_null(root))
                return 0;
        if (root->type != GRD_YAML_MAP)
                return grd_pkg_error(err, errlen, -EINVAL, file, root, "expected a map");
        int r = grd_pkg_check_keys(p, root, file, "", TEST_GROUP_KEYS);
        if (r == 0)
                r = draft_scoring(p, root, file, sample, c, err, errlen);
        char **ova = NULL;
        size_t n_ova = 0;
        if (r == 0)
                r = draft_args(p, root, file, &c->args, &c->n_args, &ova, &n_ova, &c->iva,
                               &c->n_iva, err, errlen);
        if (r == 0 && ova) {
                grd_pkg_strv_free(c->ova);
                c->ova = ova;
                c->n_ova = n_ova;
                r = replace(&c->ova_file, file);
        }
        return r;
}

int grd_group_cfg_read(struct grd_problem *p, const char *rel, bool draft, struct grd_group_cfg *c,
                       char *err, size_t errlen)
{
        char file[PATH_MAX], other[PATH_MAX];
        const char *name = draft ? "test_group.yaml" : "testdata.yaml";
        if (cmn_join(file, sizeof(file), rel, name) < 0 ||
            cmn_join(other, sizeof(other), rel, draft ? "testdata.yaml" : "test_group.yaml") < 0)
                return grd_pkg_error(err, errlen, -ENAMETOOLONG, rel, NULL, "path too long");
        int r = 0;
        if (grd_pkg_exists(p, other))
                r = grd_pkg_warn(p, other, NULL, "not used: this package reads %s files", name);
        struct grd_yaml_node *yaml = NULL;
        if (r == 0)
                r = grd_pkg_read_yaml(p, file, &yaml, err, errlen);
        bool sample = !strcmp(rel, "data/sample");
        if (r == 0)
                r = draft ? parse_test_group(p, yaml, file, sample, c, err, errlen)
                          : parse_testdata(p, yaml, file, p->scoring, c, err, errlen);
        grd_yaml_free(yaml);
        return r;
}

int grd_group_yaml_check(const char *buf, size_t len, bool draft, bool scoring, char *err,
                         size_t errlen)
{
        const char *file = draft ? "test_group.yaml" : "testdata.yaml";
        struct grd_yaml_node *root;
        int r = grd_yaml_load(buf, len, file, &root, err, errlen);
        if (r < 0)
                return r;
        struct grd_group_cfg c;
        struct grd_problem *p = calloc(1, sizeof(*p));
        if (!p)
                r = -ENOMEM;
        else if ((r = grd_group_cfg_init(&c)) == 0) {
                p->scoring = scoring;
                p->format = draft ? GRD_FORMAT_2023_07 : GRD_FORMAT_LEGACY;
                r = draft ? parse_test_group(p, root, file, false, &c, err, errlen)
                          : parse_testdata(p, root, file, scoring, &c, err, errlen);
                grd_group_cfg_release(&c);
        }
        grd_problem_free(p);
        grd_yaml_free(root);
        return r;
}

/* The legacy settings of a group: its testdata.yaml's, then problem.yaml's deprecated keys. */
static void apply_legacy(const struct grd_problem *p, const struct grd_pkg_overrides *ov,
                         const struct grd_group_cfg *c, struct grd_group *g)
{
        g->on_reject = c->on_reject;
        if (p->scoring) {
                g->accept_score = c->accept_score;
                g->reject_score = c->reject_score;
                g->has_range = c->has_range;
                g->range_min = c->range_min;
                g->range_max = c->range_max;
                g->range_declared = c->range_declared;
        }
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
                g->range_declared = g->parent == NULL; /* problem.yaml speaks for the root */
        }
}

/*
 * 2023-07 scoring on the legacy machinery: the root sums secret and leaves sample out; secret
 * (100 by default) and its groups (pass-fail by default, max_score required) aggregate their
 * items by pass-fail, sum or min into [0, max_score].
 */
static int apply_draft_scoring(const struct grd_group_cfg *c, struct grd_group *g, char *err,
                               size_t errlen)
{
        bool root = !g->parent, secret = g->parent && !g->parent->parent && !g->sample;
        g->reject_score = 0;
        g->accept_score = 0;
        g->on_reject = GRD_ON_REJECT_CONTINUE;
        g->aggregate = GRD_AGG_SUM;
        g->ignore_sample = root;
        if (root || g->sample)
                return 0;
        double max = c->max_score_set ? c->max_score : DRAFT_SECRET_MAX_SCORE;
        if (!secret && !c->max_score_set)
                return grd_pkg_error(err, errlen, -EINVAL, g->name, NULL,
                                     "a test group of a scoring problem needs a max_score in "
                                     "its test_group.yaml (secret is worth %g)",
                                     g->parent->range_max);
        g->aggregate = c->aggregation_set ? c->aggregation
                       : secret           ? GRD_AGG_SUM
                                          : GRD_AGG_PASS_FAIL;
        g->on_reject = g->aggregate == GRD_AGG_SUM ? GRD_ON_REJECT_CONTINUE : GRD_ON_REJECT_BREAK;
        g->accept_score = max; /* a test of a min group; grd_group_finish shares a sum's out */
        g->has_range = g->range_declared = true;
        g->range_min = 0;
        g->range_max = max;
        return 0;
}

int grd_group_apply(struct grd_problem *p, const struct grd_pkg_overrides *ov,
                    const struct grd_group_cfg *c, bool draft, struct grd_group *g, char *err,
                    size_t errlen)
{
        g->accept_score = 1;
        g->reject_score = 0;
        g->range_min = -INFINITY;
        g->range_max = INFINITY;
        int r = 0;
        if (draft && p->scoring) {
                r = apply_draft_scoring(c, g, err, errlen);
        } else {
                char bad[64];
                apply_legacy(p, ov, c, g);
                r = apply_grader_flags(c->grader_flags, g, bad, sizeof(bad));
        }
        for (size_t i = 0; i < p->n_validator_args && r == 0; i++)
                r = grd_pkg_strv_append(&g->validator_args, &g->n_validator_args,
                                        p->validator_args[i]);
        if (r == 0 && !g->validator_args)
                r = strv_copy(&g->validator_args, &g->n_validator_args, NULL, 0);
        for (size_t i = 0; i < c->n_ova && r == 0; i++) {
                char **nv = realloc(g->validator_args, (g->n_validator_args + 2) * sizeof(char *));
                if (!nv)
                        return -ENOMEM;
                g->validator_args = nv;
                if (!(nv[g->n_validator_args] = strdup(c->ova[i])))
                        return -ENOMEM;
                nv[++g->n_validator_args] = NULL;
        }
        if (r == 0 && !p->custom_validation) {
                char msg[256];
                r = grd_checker_parse_flags((const char *const *)g->validator_args,
                                            g->n_validator_args, &g->flags, msg, sizeof(msg));
                if (r < 0)
                        return grd_pkg_error(err, errlen, r, c->ova_file, NULL,
                                             "validator flags for %s: %s", g->name, msg);
        }
        if (r == 0 && c->args && c->n_args)
                r = strv_copy(&g->args, &g->n_args, c->args, c->n_args);
        if (r == 0)
                r = named_copy(&g->input_args, &g->n_input_args, c->iva, c->n_iva);
        return r;
}

int grd_group_finish(struct grd_problem *p, struct grd_group *g, bool draft, char *err,
                     size_t errlen)
{
        if (!draft || !p->scoring || g->sample || !g->parent)
                return 0;
        size_t tests = 0, groups = 0;
        for (size_t i = 0; i < g->n_items; i++)
                *(g->items[i].group ? &groups : &tests) += 1;
        if (tests && groups)
                return grd_pkg_error(err, errlen, -EINVAL, g->name, NULL,
                                     "holds both test cases and test groups");
        if (g->aggregate == GRD_AGG_SUM && tests)
                g->accept_score = g->range_max / (double)tests;
        return 0;
}

int grd_test_yaml_read(struct grd_problem *p, const char *rel, struct grd_test *t, char *err,
                       size_t errlen)
{
        struct grd_yaml_node *root = NULL;
        int r = grd_pkg_read_yaml(p, rel, &root, err, errlen);
        if (r < 0 || grd_yaml_is_null(root)) {
                grd_yaml_free(root);
                return r;
        }
        if (root->type != GRD_YAML_MAP)
                r = grd_pkg_error(err, errlen, -EINVAL, rel, root, "expected a map");
        if (r == 0)
                r = grd_pkg_check_keys(p, root, rel, "", TEST_KEYS);
        static const char *const text[] = {"hint", "description"};
        for (size_t i = 0; i < CMN_ARRAY_SIZE(text) && r == 0; i++) {
                const struct grd_yaml_node *v = grd_yaml_get(root, text[i]);
                if (v && !grd_pkg_string(v, rel, text[i], err, errlen))
                        r = -EINVAL;
        }
        if (r == 0)
                r = draft_args(p, root, rel, &t->args, &t->n_args, &t->validator_args,
                               &t->n_validator_args, &t->input_args, &t->n_input_args, err, errlen);
        if (r == 0 && t->validator_args && !p->custom_validation) {
                char msg[256];
                r = grd_checker_parse_flags((const char *const *)t->validator_args,
                                            t->n_validator_args, &t->flags, msg, sizeof(msg));
                if (r < 0)
                        r = grd_pkg_error(err, errlen, r, rel, NULL, "%s", msg);
        }
        grd_yaml_free(root);
        return r;
}
