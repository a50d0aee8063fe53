/* SPDX-License-Identifier: MIT */
/*
 * Scoring: the legacy default grader applied bottom-up through the test-data groups, with the
 * on_reject: break rule deciding which results a group looks at (as problemtools does).
 */
#include "scoring.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One graded item: a test or a subgroup. */
struct result {
        bool present;
        enum grd_verdict verdict;
        double score;
};

/* The running aggregate of a group's items. */
struct agg {
        size_t n;
        double sum, min, max;
        bool any_ac, any_ie, any_error;
        enum grd_verdict worst, first_error;
};

/* worst_error: "the first of JE, IF, RTE, MLE, TLE, OLE, WA"; SV counts as a run-time error. */
static int severity(enum grd_verdict v)
{
        switch (v) {
        case GRD_VERDICT_IE:
                return 0;
        case GRD_VERDICT_CE:
                return 1;
        case GRD_VERDICT_SV:
                return 2;
        case GRD_VERDICT_RE:
                return 3;
        case GRD_VERDICT_MLE:
                return 4;
        case GRD_VERDICT_TLE:
                return 5;
        case GRD_VERDICT_OLE:
                return 6;
        case GRD_VERDICT_WA:
                return 7;
        case GRD_VERDICT_AC:
                return 8;
        }
        return 0;
}

static void agg_add(struct agg *a, const struct result *r)
{
        if (a->n == 0) {
                a->min = a->max = r->score;
        } else {
                a->min = fmin(a->min, r->score);
                a->max = fmax(a->max, r->score);
        }
        a->sum += r->score;
        a->n++;
        if (r->verdict == GRD_VERDICT_AC) {
                a->any_ac = true;
                return;
        }
        a->any_ie |= r->verdict == GRD_VERDICT_IE;
        if (!a->any_error) {
                a->first_error = a->worst = r->verdict;
                a->any_error = true;
        } else if (severity(r->verdict) < severity(a->worst)) {
                a->worst = r->verdict;
        }
}

static double agg_score(const struct grd_group *g, const struct agg *a)
{
        if (a->n == 0)
                return 0;
        double s;
        switch (g->aggregate) {
        case GRD_AGG_AVG:
                s = a->sum / (double)a->n;
                break;
        case GRD_AGG_MIN:
                s = a->min;
                break;
        case GRD_AGG_MAX:
                s = a->max;
                break;
        case GRD_AGG_PASS_FAIL:
                /* all accepted: the group's whole worth; anything else: nothing */
                s = a->any_error || !isfinite(g->range_max) ? 0 : g->range_max;
                break;
        case GRD_AGG_SUM:
        default:
                s = a->sum;
                break;
        }
        return fmin(fmax(s, g->range_min), g->range_max);
}

static enum grd_verdict agg_verdict(const struct grd_group *g, const struct agg *a)
{
        if (a->n == 0 || !a->any_error)
                return GRD_VERDICT_AC;
        if (a->any_ie)
                return GRD_VERDICT_IE;
        if (g->accept_if_any_accepted && a->any_ac)
                return GRD_VERDICT_AC;
        switch (g->verdict_mode) {
        case GRD_VERDICT_MODE_WORST_ERROR:
                return a->worst;
        case GRD_VERDICT_MODE_FIRST_ERROR:
                return a->first_error;
        case GRD_VERDICT_MODE_ALWAYS_ACCEPT:
                return GRD_VERDICT_AC;
        }
        return a->worst;
}

static double test_score(const struct grd_group *g, const struct grd_test_outcome *o)
{
        if (o->verdict != GRD_VERDICT_AC)
                return g->reject_score;
        return o->has_score && isfinite(o->score) ? o->score : g->accept_score;
}

/* Is this item the sample group that the root's ignore_sample leaves out? */
static bool ignored_sample(const struct grd_group *g, const struct grd_group_item *it)
{
        return !g->parent && g->ignore_sample && it->group && it->group->sample;
}

/* Grade group g from the outcomes; with s, record every test and group result on the way. */
static void grade_group(const struct grd_group *g, const struct grd_test_outcome *o,
                        struct grd_score *s, bool ignored, struct result *ret)
{
        struct agg a = {0};
        bool judged = false;
        for (size_t i = 0; i < g->n_items; i++) {
                const struct grd_group_item *it = &g->items[i];
                struct result r = {0};
                bool skip = ignored_sample(g, it);
                if (it->group) {
                        grade_group(it->group, o, s, ignored || skip, &r);
                } else {
                        const struct grd_test_outcome *to = &o[it->test];
                        if (!to->ran)
                                continue;
                        r = (struct result){true, to->verdict, test_score(g, to)};
                        if (s) {
                                s->test_scores[it->test] = r.score;
                                s->test_counted[it->test] = !ignored;
                        }
                }
                if (!r.present)
                        continue;
                judged = true;
                if (!skip)
                        agg_add(&a, &r);
                if (r.verdict != GRD_VERDICT_AC && g->on_reject == GRD_ON_REJECT_BREAK)
                        break;
        }
        *ret = (struct result){judged, agg_verdict(g, &a), agg_score(g, &a)};
        if (s) {
                struct grd_group_score *gs = &s->groups[g->index];
                gs->group = g;
                gs->judged = judged;
                gs->verdict = ret->verdict;
                gs->score = ret->score;
        }
}

/* The best a group can score (see scoring.h); records it in s. */
static double group_max(const struct grd_group *g, struct grd_score *s)
{
        struct agg a = {0};
        for (size_t i = 0; i < g->n_items; i++) {
                const struct grd_group_item *it = &g->items[i];
                struct result r = {true, GRD_VERDICT_AC, g->accept_score};
                if (it->group)
                        r.score = group_max(it->group, s);
                if (!ignored_sample(g, it))
                        agg_add(&a, &r);
        }
        double m = g->range_declared && isfinite(g->range_max) ? g->range_max : agg_score(g, &a);
        s->groups[g->index].max_score = m;
        return m;
}

bool grd_scoring_should_run(const struct grd_problem *p, const struct grd_test_outcome *outcomes,
                            size_t test_index)
{
        if (!p->root || test_index >= p->n_tests)
                return false;
        /* the groups from the test's own up to the root */
        const struct grd_group *path[GRD_PROBLEM_MAX_DEPTH + 2] = {0};
        size_t depth = 0;
        for (const struct grd_group *g = p->tests[test_index].group;
             g && depth < GRD_PROBLEM_MAX_DEPTH + 2; g = g->parent)
                path[depth++] = g;
        while (depth-- > 0) {
                const struct grd_group *g = path[depth];
                const struct grd_group *next = depth > 0 ? path[depth - 1] : NULL;
                for (size_t i = 0; i < g->n_items; i++) {
                        const struct grd_group_item *it = &g->items[i];
                        if (next ? it->group == next : (!it->group && it->test == test_index))
                                break;
                        struct result r = {0};
                        if (it->group)
                                grade_group(it->group, outcomes, NULL, false, &r);
                        else if (outcomes[it->test].ran)
                                r = (struct result){true, outcomes[it->test].verdict, 0};
                        if (r.present && r.verdict != GRD_VERDICT_AC &&
                            g->on_reject == GRD_ON_REJECT_BREAK)
                                return false;
                }
        }
        return true;
}

int grd_score_compute(const struct grd_problem *p, const struct grd_test_outcome *outcomes,
                      struct grd_score *ret, char *err, size_t errlen)
{
        if (!p->root) {
                if (errlen)
                        snprintf(err, errlen, "problem '%s' has no test data", p->name);
                return -EINVAL;
        }
        struct grd_score s = {.n_tests = p->n_tests, .n_groups = p->n_groups};
        s.test_scores = calloc(p->n_tests ? p->n_tests : 1, sizeof(*s.test_scores));
        s.test_counted = calloc(p->n_tests ? p->n_tests : 1, sizeof(*s.test_counted));
        s.groups = calloc(p->n_groups ? p->n_groups : 1, sizeof(*s.groups));
        if (!s.test_scores || !s.test_counted || !s.groups) {
                grd_score_release(&s);
                return -ENOMEM;
        }
        struct result root;
        grade_group(p->root, outcomes, &s, false, &root);
        group_max(p->root, &s);

        /* the spec: the result of the root group is the submission's */
        s.verdict = root.verdict;
        bool ie = false;
        for (size_t i = 0; i < p->n_tests; i++)
                ie |= outcomes[i].ran && outcomes[i].verdict == GRD_VERDICT_IE;
        if (ie)
                s.verdict = GRD_VERDICT_IE;
        if (p->scoring) {
                s.score = root.score;
                s.max_score = s.groups[p->root->index].max_score;
        } else {
                s.score = s.verdict == GRD_VERDICT_AC ? 1 : 0;
                s.max_score = 1;
        }
        *ret = s;
        return 0;
}

void grd_score_release(struct grd_score *s)
{
        if (!s)
                return;
        free(s->test_scores);
        free(s->test_counted);
        free(s->groups);
        memset(s, 0, sizeof(*s));
}
