/* SPDX-License-Identifier: MIT */
/*
 * Problem packages: problem.yaml (legacy and 2023-07 draft, picked by problem_format_version),
 * .timelimit, and the order in which the rest is read: programs by problem_programs.c, data/ by
 * problem_data.c. Nothing here runs a program.
 */
#include "problem.h"
#include "problem_internal.h"

#include "common.h"
#include "language.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MIB 1048576.0
#define KIB 1024.0

#define DEFAULT_TIME_LIMIT   1.0
#define DEFAULT_MEMORY_LIMIT (256ull << 20)
#define DEFAULT_OUTPUT_LIMIT (64ull << 20)
/* A .timelimit file holds one number; anything longer is not one. */
#define TIMELIMIT_MAX_BYTES 64u
/* Time factors: at least 1 (2023-07), at most something a human could mean. */
#define FACTOR_MAX 1000.0

static const char *const LEGACY_KEYS[] = {"problem_format_version",
                                          "type",
                                          "name",
                                          "uuid",
                                          "author",
                                          "source",
                                          "source_url",
                                          "license",
                                          "rights_owner",
                                          "limits",
                                          "validation",
                                          "validator_flags",
                                          "grading",
                                          "keywords",
                                          NULL};
static const char *const DRAFT_KEYS[] = {"problem_format_version",
                                         "type",
                                         "name",
                                         "uuid",
                                         "version",
                                         "credits",
                                         "source",
                                         "license",
                                         "rights_owner",
                                         "embargo_until",
                                         "limits",
                                         "keywords",
                                         "languages",
                                         "allow_file_writing",
                                         "constants",
                                         NULL};
static const char *const GRADING_KEYS[] = {
        "objective", "show_test_data_groups", "on_reject", "accept_score", "reject_score", "range",
        NULL};

static int set_type(struct grd_problem *p, const struct grd_yaml_node *n, char *err, size_t errlen)
{
        const char *f = "problem.yaml";
        size_t count = n->type == GRD_YAML_SEQ ? n->n : 1;
        for (size_t i = 0; i < count; i++) {
                const struct grd_yaml_node *w = n->type == GRD_YAML_SEQ ? n->items[i] : n;
                if (w->type != GRD_YAML_SCALAR)
                        return grd_pkg_error(err, errlen, -EINVAL, f, w,
                                             "'type' must be a string or a list of strings");
                if (strcmp(w->value, "pass-fail") == 0)
                        p->scoring = false;
                else if (strcmp(w->value, "scoring") == 0)
                        p->scoring = true;
                else if (strcmp(w->value, "interactive") == 0)
                        p->interactive = true;
                else if (strcmp(w->value, "multi-pass") == 0)
                        p->multi_pass = true;
                else if (strcmp(w->value, "submit-answer") == 0)
                        return grd_pkg_error(err, errlen, -ENOTSUP, f, w,
                                             "type '%s' is not supported", w->value);
                else
                        return grd_pkg_error(err, errlen, -EINVAL, f, w,
                                             "unknown type '%.64s' (pass-fail, scoring, "
                                             "interactive or multi-pass)",
                                             w->value);
        }
        return 0;
}

static int set_validation(struct grd_problem *p, const struct grd_yaml_node *n, char *err,
                          size_t errlen)
{
        const char *f = "problem.yaml";
        const char *s = grd_pkg_string(n, f, "validation", err, errlen);
        if (!s)
                return -EINVAL;
        char **words = NULL;
        size_t nw = 0;
        int r = grd_pkg_strv_append(&words, &nw, s);
        if (r < 0) {
                grd_pkg_strv_free(words);
                return grd_pkg_error(err, errlen, r, f, n, "'validation' is too long");
        }
        r = 0;
        if (nw == 0 || strcmp(words[0], "default") == 0) {
                if (nw > 1)
                        r = grd_pkg_error(err, errlen, -EINVAL, f, n,
                                          "validation 'default' takes no options, got '%.64s'",
                                          words[1]);
        } else if (strcmp(words[0], "custom") == 0) {
                p->custom_validation = true;
                for (size_t i = 1; i < nw && r == 0; i++) {
                        if (strcmp(words[i], "score") == 0)
                                p->custom_score = true;
                        else if (strcmp(words[i], "interactive") == 0)
                                p->interactive = true;
                        else if (strcmp(words[i], "multi-pass") == 0)
                                p->multi_pass = true;
                        else
                                r = grd_pkg_error(err, errlen, -EINVAL, f, n,
                                                  "unknown validation option '%.64s' (score, "
                                                  "interactive or multi-pass)",
                                                  words[i]);
                }
        } else {
                r = grd_pkg_error(err, errlen, -EINVAL, f, n,
                                  "unknown validation '%.64s' (default or custom)", words[0]);
        }
        grd_pkg_strv_free(words);
        return r;
}

/* What a key of limits sets. */
enum limit_kind {
        LIM_TIME_LIMIT, /* the time limit itself */
        LIM_SECONDS,    /* a double of seconds */
        LIM_MIB,        /* a size in MiB into a uint64_t of bytes */
        LIM_KIB,        /* a size in KiB into a uint64_t of bytes */
        LIM_FACTOR,     /* a double factor */
        LIM_IGNORED,    /* checked, not used */
        LIM_COUNT,      /* a whole number into an unsigned */
};

struct limit_key {
        const char *key;
        enum limit_kind kind;
        unsigned formats; /* 1 << enum grd_format */
        double min, max;
        size_t offset; /* into struct grd_problem; unused for LIM_TIME_LIMIT and LIM_IGNORED */
};

#define BOTH   3u
#define LEGACY 1u
#define DRAFT  2u
#define AT(f)  offsetof(struct grd_problem, f)

static const struct limit_key LIMITS[] = {
        {"time_limit", LIM_TIME_LIMIT, BOTH, 1e-3, GRD_PROBLEM_MAX_TIME_LIMIT, 0},
        {"time_multiplier", LIM_FACTOR, LEGACY, 1e-3, FACTOR_MAX, AT(time_multiplier)},
        {"time_safety_margin", LIM_FACTOR, LEGACY, 1e-3, FACTOR_MAX, AT(time_ac_margin)},
        {"time_resolution", LIM_SECONDS, DRAFT, 1e-3, GRD_PROBLEM_MAX_TIME_LIMIT,
         AT(time_resolution)},
        {"memory", LIM_MIB, BOTH, 1, GRD_PROBLEM_MAX_MIB, AT(memory_limit)},
        {"output", LIM_MIB, BOTH, 1e-3, GRD_PROBLEM_MAX_MIB, AT(output_limit)},
        {"code", LIM_KIB, BOTH, 1e-3, GRD_PROBLEM_MAX_MIB * 1024.0, AT(code_limit)},
        {"validation_time", LIM_SECONDS, BOTH, 1e-3, GRD_PROBLEM_MAX_TIME_LIMIT,
         AT(validation_time)},
        {"validation_memory", LIM_MIB, BOTH, 1, GRD_PROBLEM_MAX_MIB, AT(validation_memory)},
        {"validation_output", LIM_MIB, BOTH, 1e-3, GRD_PROBLEM_MAX_MIB, AT(validation_output)},
        {"compilation_time", LIM_IGNORED, BOTH, 1e-3, GRD_PROBLEM_MAX_TIME_LIMIT, 0},
        {"compilation_memory", LIM_IGNORED, BOTH, 1e-3, GRD_PROBLEM_MAX_MIB, 0},
        {"validation_passes", LIM_COUNT, BOTH, 2, GRD_PROBLEM_MAX_PASSES, AT(validation_passes)},
};

static int set_limit(struct grd_problem *p, const struct limit_key *k,
                     const struct grd_yaml_node *v, bool *ret_time_set, char *err, size_t errlen)
{
        char name[64];
        snprintf(name, sizeof(name), "limits.%s", k->key);
        double d = 0;
        int r = grd_pkg_number(v, "problem.yaml", name, k->min, k->max, false, &d, err, errlen);
        if (r < 0)
                return r;
        char *field = (char *)p + k->offset;
        switch (k->kind) {
        case LIM_TIME_LIMIT:
                p->time_limit = d;
                p->time_limit_source = "problem.yaml";
                *ret_time_set = true;
                break;
        case LIM_SECONDS:
        case LIM_FACTOR:
                memcpy(field, &d, sizeof(d));
                if (k->offset == AT(time_ac_margin))
                        p->time_tle_margin = d; /* the legacy safety margin is both */
                break;
        case LIM_MIB:
        case LIM_KIB: {
                uint64_t b = (uint64_t)(d * (k->kind == LIM_MIB ? MIB : KIB) + 0.5);
                memcpy(field, &b, sizeof(b));
                break;
        }
        case LIM_COUNT: {
                if (d != (double)(unsigned)d)
                        return grd_pkg_error(err, errlen, -EINVAL, "problem.yaml", v,
                                             "'%s' must be a whole number", name);
                unsigned u = (unsigned)d;
                memcpy(field, &u, sizeof(u));
                break;
        }
        case LIM_IGNORED:
                break;
        }
        return 0;
}

/* 2023-07 limits.time_multipliers: ac_to_time_limit and time_limit_to_tle, each at least 1. */
static int set_time_multipliers(struct grd_problem *p, const struct grd_yaml_node *n, char *err,
                                size_t errlen)
{
        const char *f = "problem.yaml";
        if (n->type != GRD_YAML_MAP)
                return grd_pkg_error(err, errlen, -EINVAL, f, n,
                                     "'limits.time_multipliers' must be a map");
        static const char *const keys[] = {"ac_to_time_limit", "time_limit_to_tle", NULL};
        int r = grd_pkg_check_keys(p, n, f, "limits.time_multipliers.", keys);
        const struct grd_yaml_node *v;
        if (r == 0 && (v = grd_yaml_get(n, "ac_to_time_limit")) && !grd_yaml_is_null(v) &&
            (r = grd_pkg_number(v, f, "limits.time_multipliers.ac_to_time_limit", 1, FACTOR_MAX,
                                false, &p->time_multiplier, err, errlen)) == 0)
                p->time_ac_margin = p->time_multiplier;
        if (r == 0 && (v = grd_yaml_get(n, "time_limit_to_tle")) && !grd_yaml_is_null(v))
                r = grd_pkg_number(v, f, "limits.time_multipliers.time_limit_to_tle", 1, FACTOR_MAX,
                                   false, &p->time_tle_margin, err, errlen);
        return r;
}

static int set_limits(struct grd_problem *p, const struct grd_yaml_node *n, bool *ret_time_set,
                      char *err, size_t errlen)
{
        const char *f = "problem.yaml";
        if (grd_yaml_is_null(n))
                return 0;
        if (n->type != GRD_YAML_MAP)
                return grd_pkg_error(err, errlen, -EINVAL, f, n, "'limits' must be a map");
        unsigned fmt = 1u << p->format;
        for (size_t i = 0; i < n->n; i++) {
                const char *k = n->keys[i]->value;
                const struct grd_yaml_node *v = n->items[i];
                int r = 0;
                if (grd_yaml_is_null(v))
                        continue;
                const struct limit_key *lk = NULL;
                for (size_t j = 0; j < CMN_ARRAY_SIZE(LIMITS) && !lk; j++)
                        if (!strcmp(LIMITS[j].key, k) && (LIMITS[j].formats & fmt))
                                lk = &LIMITS[j];
                if (lk)
                        r = set_limit(p, lk, v, ret_time_set, err, errlen);
                else if (p->format == GRD_FORMAT_2023_07 && !strcmp(k, "time_multipliers"))
                        r = set_time_multipliers(p, v, err, errlen);
                else
                        r = grd_pkg_warn(p, f, n->keys[i], "unknown key 'limits.%.64s'", k);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int set_grading(struct grd_problem *p, const struct grd_yaml_node *n,
                       struct grd_pkg_overrides *ov, char *err, size_t errlen)
{
        const char *f = "problem.yaml";
        if (grd_yaml_is_null(n))
                return 0;
        if (n->type != GRD_YAML_MAP)
                return grd_pkg_error(err, errlen, -EINVAL, f, n, "'grading' must be a map");
        int r = grd_pkg_check_keys(p, n, f, "grading.", GRADING_KEYS);
        const struct grd_yaml_node *v;
        if (r == 0 && (v = grd_yaml_get(n, "objective")) && !grd_yaml_is_null(v)) {
                const char *s = grd_pkg_string(v, f, "grading.objective", err, errlen);
                if (!s)
                        return -EINVAL;
                if (strcmp(s, "max") != 0 && strcmp(s, "min") != 0)
                        return grd_pkg_error(err, errlen, -EINVAL, f, v,
                                             "'grading.objective' must be min or max");
        }
        /* deprecated keys that problemtools still honours for every group */
        if (r == 0 && (v = grd_yaml_get(n, "on_reject")) && !grd_yaml_is_null(v)) {
                const char *s = grd_pkg_string(v, f, "grading.on_reject", err, errlen);
                if (!s)
                        return -EINVAL;
                ov->on_reject_set = true;
                if (strcmp(s, "first_error") == 0)
                        ov->on_reject = GRD_ON_REJECT_BREAK;
                else if (strcmp(s, "grade") == 0)
                        ov->on_reject = GRD_ON_REJECT_CONTINUE;
                else
                        return grd_pkg_error(err, errlen, -EINVAL, f, v,
                                             "'grading.on_reject' must be first_error or grade");
        }
        if (r == 0 && (v = grd_yaml_get(n, "accept_score")) && !grd_yaml_is_null(v) &&
            (r = grd_pkg_number(v, f, "grading.accept_score", -1e12, 1e12, false, &ov->accept_score,
                                err, errlen)) == 0)
                ov->accept_set = true;
        if (r == 0 && (v = grd_yaml_get(n, "reject_score")) && !grd_yaml_is_null(v) &&
            (r = grd_pkg_number(v, f, "grading.reject_score", -1e12, 1e12, false, &ov->reject_score,
                                err, errlen)) == 0)
                ov->reject_set = true;
        if (r == 0 && (v = grd_yaml_get(n, "range")) && !grd_yaml_is_null(v)) {
                const char *s = grd_pkg_string(v, f, "grading.range", err, errlen);
                if (!s)
                        return -EINVAL;
                if (grd_pkg_range(s, &ov->range_min, &ov->range_max) < 0)
                        return grd_pkg_error(err, errlen, -EINVAL, f, v,
                                             "'grading.range' must be two numbers A <= B");
                ov->range_set = true;
        }
        return r;
}

static int set_name(struct grd_problem *p, const struct grd_yaml_node *n, char *err, size_t errlen)
{
        const char *f = "problem.yaml";
        if (n->type == GRD_YAML_MAP) {
                /* 2023-07: a map from language code to name; prefer English */
                const struct grd_yaml_node *en = grd_yaml_get(n, "en");
                n = en ? en : (n->n ? n->items[0] : NULL);
                if (!n)
                        return 0;
        }
        const char *s = grd_pkg_string(n, f, "name", err, errlen);
        if (!s)
                return -EINVAL;
        char *dup = strdup(s);
        if (!dup)
                return -ENOMEM;
        free(p->name);
        p->name = dup;
        return 0;
}

/* problem_format_version picks the spec every other key is read by. */
static int set_format(struct grd_problem *p, const struct grd_yaml_node *root, char *err,
                      size_t errlen)
{
        const struct grd_yaml_node *v = grd_yaml_get(root, "problem_format_version");
        if (grd_yaml_is_null(v))
                return 0;
        const char *s = grd_pkg_string(v, "problem.yaml", "problem_format_version", err, errlen);
        if (!s)
                return -EINVAL;
        if (!strcmp(s, "legacy") || !strcmp(s, "legacy-icpc"))
                p->format = GRD_FORMAT_LEGACY;
        else if (!strcmp(s, "2023-07-draft") || !strcmp(s, "2023-07"))
                p->format = GRD_FORMAT_2023_07;
        else
                return grd_pkg_error(err, errlen, -ENOTSUP, "problem.yaml", v,
                                     "problem_format_version '%.64s' is not supported (legacy, "
                                     "legacy-icpc, 2023-07-draft)",
                                     s);
        return 0;
}

/* The legacy keys that only that spec has. */
static int parse_legacy(struct grd_problem *p, const struct grd_yaml_node *root,
                        struct grd_pkg_overrides *ov, char *err, size_t errlen)
{
        const char *f = "problem.yaml";
        const struct grd_yaml_node *v;
        int r = 0;
        if ((v = grd_yaml_get(root, "validation")) && (r = set_validation(p, v, err, errlen)) < 0)
                return r;
        if (p->custom_score && !p->scoring)
                return grd_pkg_error(err, errlen, -EINVAL, f, v,
                                     "validation 'custom score' needs type: scoring");
        if ((v = grd_yaml_get(root, "validator_flags"))) {
                const char *s = grd_pkg_string(v, f, "validator_flags", err, errlen);
                if (!s)
                        return -EINVAL;
                r = grd_pkg_strv_append(&p->validator_args, &p->n_validator_args, s);
                if (r < 0)
                        return grd_pkg_error(err, errlen, r, f, v, "too many validator_flags");
        }
        if (!p->custom_validation) {
                char msg[256];
                r = grd_checker_parse_flags((const char *const *)p->validator_args,
                                            p->n_validator_args, &p->flags, msg, sizeof(msg));
                if (r < 0)
                        return grd_pkg_error(err, errlen, r, f, v, "validator_flags: %s", msg);
        }
        return set_grading(p, grd_yaml_get(root, "grading"), ov, err, errlen);
}

/* 2023-07: languages (a list of ids, or "all"). */
static int set_languages(struct grd_problem *p, const struct grd_yaml_node *n, char *err,
                         size_t errlen)
{
        const char *f = "problem.yaml";
        if (grd_yaml_is_null(n) || (n->type == GRD_YAML_SCALAR && !strcmp(n->value, "all")))
                return 0;
        size_t count = n->type == GRD_YAML_SEQ ? n->n : 1;
        size_t nl = 0;
        for (size_t i = 0; i < count; i++) {
                const struct grd_yaml_node *w = n->type == GRD_YAML_SEQ ? n->items[i] : n;
                if (w->type != GRD_YAML_SCALAR || !w->len)
                        return grd_pkg_error(err, errlen, -EINVAL, f, w,
                                             "'languages' must be 'all' or a list of language "
                                             "codes");
                int r = grd_pkg_strv_append(&p->languages, &nl, w->value);
                if (r < 0)
                        return grd_pkg_error(err, errlen, r, f, w, "too many languages");
        }
        return 0;
}

/* The 2023-07 keys that only that spec has. */
static int parse_draft(struct grd_problem *p, const struct grd_yaml_node *root, char *err,
                       size_t errlen)
{
        const char *f = "problem.yaml";
        const struct grd_yaml_node *v;
        int r = set_languages(p, grd_yaml_get(root, "languages"), err, errlen);
        if (r < 0)
                return r;
        if ((v = grd_yaml_get(root, "allow_file_writing")) && !grd_yaml_is_null(v)) {
                bool yes = v->type == GRD_YAML_SCALAR && !strcmp(v->value, "true");
                if (!yes && !(v->type == GRD_YAML_SCALAR && !strcmp(v->value, "false")))
                        return grd_pkg_error(err, errlen, -EINVAL, f, v,
                                             "'allow_file_writing' must be true or false");
                p->allow_file_writing = yes;
        }
        v = grd_yaml_get(root, "constants");
        if (!grd_yaml_is_null(v) && !(v->type == GRD_YAML_MAP && v->n == 0))
                return grd_pkg_error(err, errlen, -ENOTSUP, f, v,
                                     "'constants' ({{name}} substitution) is not supported");
        return 0;
}

/* Interpret problem.yaml text into p (already holding defaults). */
static int parse_problem(struct grd_problem *p, const char *buf, size_t len,
                         struct grd_pkg_overrides *ov, bool *ret_time_set, char *err, size_t errlen)
{
        const char *f = "problem.yaml";
        struct grd_yaml_node *root;
        int r = grd_yaml_load(buf, len, f, &root, err, errlen);
        if (r < 0)
                return r;
        if (grd_yaml_is_null(root)) {
                grd_yaml_free(root);
                return 0;
        }
        const struct grd_yaml_node *v;
        if (root->type != GRD_YAML_MAP)
                r = grd_pkg_error(err, errlen, -EINVAL, f, root, "expected a map at the top");
        if (r == 0 && (r = set_format(p, root, err, errlen)) == 0 &&
            p->format == GRD_FORMAT_2023_07) {
                /* that spec's defaults: no file writing, ac_to_time_limit 2, time_limit_to_tle 1.5
                 */
                p->allow_file_writing = false;
                p->time_multiplier = p->time_ac_margin = 2;
                p->time_tle_margin = 1.5;
        }
        if (r == 0) {
                r = grd_pkg_check_keys(p, root, f, "",
                                       p->format == GRD_FORMAT_LEGACY ? LEGACY_KEYS : DRAFT_KEYS);
        }
        if (r == 0 && (v = grd_yaml_get(root, "name")) && !grd_yaml_is_null(v))
                r = set_name(p, v, err, errlen);
        if (r == 0 && (v = grd_yaml_get(root, "type")) && !grd_yaml_is_null(v))
                r = set_type(p, v, err, errlen);
        if (r == 0)
                r = p->format == GRD_FORMAT_LEGACY ? parse_legacy(p, root, ov, err, errlen)
                                                   : parse_draft(p, root, err, errlen);
        if (r == 0)
                r = set_limits(p, grd_yaml_get(root, "limits"), ret_time_set, err, errlen);
        grd_yaml_free(root);
        return r;
}

static struct grd_problem *problem_new(const struct grd_problem_defaults *d)
{
        const struct grd_lang_limits *vd = &grd_default_validator_limits;
        struct grd_problem *p = calloc(1, sizeof(*p));
        if (!p)
                return NULL;
        p->time_limit = d && d->time_limit > 0 ? d->time_limit : DEFAULT_TIME_LIMIT;
        p->time_limit_source = "default";
        /* the legacy spec's defaults; 2023-07 packages that say nothing get the same */
        p->time_multiplier = 5;
        p->time_ac_margin = 2;
        p->time_tle_margin = 2;
        p->time_resolution = 1;
        p->memory_limit = d && d->memory_limit ? d->memory_limit : DEFAULT_MEMORY_LIMIT;
        p->output_limit = d && d->output_limit ? d->output_limit : DEFAULT_OUTPUT_LIMIT;
        p->validation_time = d && d->validation_time > 0 ? d->validation_time : vd->time;
        p->validation_memory = d && d->validation_memory ? d->validation_memory : vd->memory;
        p->validation_output = vd->output;
        p->allow_file_writing = true;
        p->validation_passes = GRD_PROBLEM_DEFAULT_PASSES;
        if (grd_pkg_strv_append(&p->validator_args, &p->n_validator_args, "") < 0) {
                free(p);
                return NULL;
        }
        return p;
}

int grd_problem_parse_yaml(const char *buf, size_t len, const struct grd_problem_defaults *defaults,
                           struct grd_problem **ret, char *err, size_t errlen)
{
        if (errlen)
                err[0] = '\0';
        struct grd_problem *p = problem_new(defaults);
        if (!p)
                return -ENOMEM;
        struct grd_pkg_overrides ov = {0};
        bool time_set = false;
        int r = parse_problem(p, buf, len, &ov, &time_set, err, errlen);
        if (r == 0 && !p->name && !(p->name = strdup("")))
                r = -ENOMEM;
        if (r < 0) {
                grd_problem_free(p);
                return r;
        }
        *ret = p;
        return 0;
}

/* DOMjudge's .timelimit: one number of seconds. */
static int read_timelimit(struct grd_problem *p, char *err, size_t errlen)
{
        const char *f = ".timelimit";
        char *buf = NULL;
        size_t len = 0;
        int r = grd_pkg_read_optional(p, f, TIMELIMIT_MAX_BYTES, &buf, &len, err, errlen);
        if (r < 0 || !buf)
                return r;
        while (len > 0 && strchr(" \t\r\n", buf[len - 1]))
                buf[--len] = '\0';
        const char *s = buf + strspn(buf, " \t\r\n");
        double v;
        r = grd_pkg_parse_double(s, false, &v);
        if (r < 0 || v <= 0 || v > GRD_PROBLEM_MAX_TIME_LIMIT)
                r = grd_pkg_error(err, errlen, -EINVAL, f, NULL,
                                  "expected a number of seconds in (0, %g], not '%.32s'",
                                  GRD_PROBLEM_MAX_TIME_LIMIT, s);
        else {
                p->time_limit = v;
                p->time_limit_source = ".timelimit";
        }
        free(buf);
        return r;
}

/* problem.yaml, when there is one. */
static int read_problem_yaml(struct grd_problem *p, struct grd_pkg_overrides *ov, char *err,
                             size_t errlen)
{
        bool time_set = false;
        char *buf = NULL;
        size_t len = 0;
        int r = grd_pkg_read_optional(p, "problem.yaml", GRD_YAML_MAX_BYTES, &buf, &len, err,
                                      errlen);
        if (r == 0 && buf)
                r = parse_problem(p, buf, len, ov, &time_set, err, errlen);
        free(buf);
        if (r == 0 && (!p->name || !p->name[0])) {
                free(p->name);
                if (!(p->name = strdup(p->short_name)))
                        r = -ENOMEM;
        }
        if (r == 0 && !time_set)
                r = read_timelimit(p, err, errlen);
        return r;
}

static int open_package(struct grd_problem *p, const char *dir, char *err, size_t errlen)
{
        struct stat st;
        p->dir = realpath(dir, NULL);
        if (!p->dir)
                return grd_pkg_error(err, errlen, -errno, dir, NULL, "%s", strerror(errno));
        if (stat(p->dir, &st) < 0 || !S_ISDIR(st.st_mode))
                return grd_pkg_error(err, errlen, -ENOTDIR, dir, NULL, "not a directory");
        const char *base = strrchr(p->dir, '/');
        p->short_name = strdup(base && base[1] ? base + 1 : p->dir);
        return p->short_name ? 0 : -ENOMEM;
}

int grd_problem_load(const char *dir, const struct grd_problem_defaults *defaults,
                     struct grd_problem **ret, char *err, size_t errlen)
{
        if (errlen)
                err[0] = '\0';
        struct grd_problem *p = problem_new(defaults);
        if (!p)
                return -ENOMEM;
        struct grd_pkg_overrides ov = {0};
        int r = open_package(p, dir, err, errlen);
        if (r == 0)
                r = read_problem_yaml(p, &ov, err, errlen);
        if (r == 0)
                r = grd_pkg_load_programs(p, err, errlen);
        if (r == 0 && (p->interactive || p->multi_pass) && !p->validator)
                r = grd_pkg_error(err, errlen, -EINVAL, "problem.yaml", NULL,
                                  "%s problem needs a custom output validator (%s)",
                                  p->interactive ? "an interactive" : "a multi-pass",
                                  p->format == GRD_FORMAT_2023_07 ? "output_validator/"
                                                                  : "output_validators/");
        if (r == 0)
                r = grd_pkg_load_data(p, &ov, err, errlen);
        if (r < 0) {
                grd_problem_free(p);
                return r;
        }
        *ret = p;
        return 0;
}

void grd_problem_free(struct grd_problem *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < p->n_tests; i++) {
                struct grd_test *t = &p->tests[i];
                free(t->name);
                free(t->in_path);
                free(t->ans_path);
                free(t->files_dir);
                grd_pkg_strv_free(t->validator_args);
                grd_pkg_strv_free(t->args);
                grd_pkg_named_args_free(t->input_args, t->n_input_args);
        }
        free(p->tests);
        for (size_t i = 0; i < p->n_groups; i++) {
                struct grd_group *g = p->groups[i];
                free(g->name);
                grd_pkg_strv_free(g->validator_args);
                grd_pkg_strv_free(g->args);
                grd_pkg_named_args_free(g->input_args, g->n_input_args);
                free(g->items);
                free(g);
        }
        free(p->groups);
        grd_pkg_programs_free(p);
        grd_pkg_strv_free(p->validator_args);
        grd_pkg_strv_free(p->languages);
        grd_pkg_strv_free(p->warnings);
        free(p->dir);
        free(p->name);
        free(p->short_name);
        free(p);
}

long grd_problem_find_test(const struct grd_problem *p, const char *name)
{
        for (size_t i = 0; i < p->n_tests; i++)
                if (strcmp(p->tests[i].name, name) == 0)
                        return (long)i;
        return -ENOENT;
}

char *const *grd_test_validator_args(const struct grd_problem *p, const struct grd_test *t,
                                     const struct grd_checker_flags **ret_flags)
{
        if (t->validator_args) {
                *ret_flags = &t->flags;
                return t->validator_args;
        }
        if (t->group) {
                *ret_flags = &t->group->flags;
                return t->group->validator_args;
        }
        *ret_flags = &p->flags;
        return p->validator_args;
}

char *const *grd_test_args(const struct grd_test *t)
{
        if (t->args)
                return t->args;
        return t->group ? t->group->args : NULL;
}

char *const *grd_test_input_args(const struct grd_test *t, const char *name)
{
        const struct grd_named_args *a = t->input_args;
        size_t n = t->n_input_args;
        if (!a && t->group) {
                a = t->group->input_args;
                n = t->group->n_input_args;
        }
        for (size_t i = 0; a && i < n; i++)
                if (!a[i].name || (name && !strcmp(a[i].name, name)))
                        return a[i].args;
        return NULL;
}

const struct grd_include *grd_problem_include(const struct grd_problem *p, const char *language)
{
        const struct grd_include *def = NULL;
        for (size_t i = 0; i < p->n_includes; i++) {
                if (!strcmp(p->includes[i].language, language))
                        return &p->includes[i];
                if (!strcmp(p->includes[i].language, "default"))
                        def = &p->includes[i];
        }
        return def;
}

bool grd_problem_language_allowed(const struct grd_problem *p, const char *language)
{
        if (!p->languages)
                return true;
        for (char **l = p->languages; *l; l++)
                if (!strcmp(*l, language))
                        return true;
        return false;
}
