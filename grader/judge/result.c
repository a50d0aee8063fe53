/* SPDX-License-Identifier: MIT */
/* The result of grading one submission: its memory, and the result JSON of docs/grading.md. */
#include "grade.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

void grd_result_release(struct grd_result *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n_tests; i++) {
                free(r->tests[i].message);
                free(r->tests[i].stdout_head);
                free(r->tests[i].stderr_head);
        }
        free(r->tests);
        free(r->compile_output);
        grd_score_release(&r->scores);
        memset(r, 0, sizeof(*r));
}

static json_t *str_or_null(const char *s)
{
        return s ? json_string(s) : json_null();
}

/* Round to microseconds so the JSON does not carry binary noise. */
static json_t *seconds(double s)
{
        return json_real(round(s * 1e6) / 1e6);
}

json_t *grd_result_json(const struct grd_result *r, const struct grd_problem *p,
                        const struct grd_result_ids *ids)
{
        static const struct grd_result_ids none;
        if (!ids)
                ids = &none;
        json_t *o = json_object();
        json_object_set_new(o, "job_id", str_or_null(ids->job_id));
        json_object_set_new(o, "submission_id", str_or_null(ids->submission_id));
        json_object_set_new(
                o, "problem_id",
                str_or_null(ids->problem_id ? ids->problem_id : (p ? p->short_name : NULL)));
        json_object_set_new(o, "problem_revision", str_or_null(ids->problem_revision));
        json_object_set_new(o, "verdict", json_string(grd_verdict_name(r->verdict)));
        json_object_set_new(o, "score", json_real(r->score));
        json_object_set_new(o, "max_score", json_real(r->max_score));
        json_t *c = json_object();
        json_object_set_new(c, "status",
                            json_string(r->compile_status[0] ? r->compile_status : "IE"));
        json_object_set_new(c, "output", json_string(r->compile_output ? r->compile_output : ""));
        json_object_set_new(c, "time", seconds(r->compile_time));
        json_object_set_new(o, "compile", c);
        json_t *tests = json_array();
        for (size_t i = 0; i < r->n_tests; i++) {
                const struct grd_test_result *t = &r->tests[i];
                if (!t->ran)
                        continue; /* skipped tests are left out: they have no verdict */
                json_t *x = json_object();
                json_object_set_new(x, "name", json_string(t->name));
                json_object_set_new(x, "verdict", json_string(grd_verdict_name(t->verdict)));
                json_object_set_new(x, "time", seconds(t->time));
                json_object_set_new(x, "wall_time", seconds(t->wall_time));
                json_object_set_new(x, "memory", json_integer((json_int_t)t->memory));
                json_object_set_new(x, "score", json_real(t->score));
                json_object_set_new(x, "message", json_string(t->message ? t->message : ""));
                json_object_set_new(x, "stdout", json_string(t->stdout_head ? t->stdout_head : ""));
                json_object_set_new(x, "stdout_truncated", json_boolean(t->stdout_truncated));
                json_object_set_new(x, "stderr", json_string(t->stderr_head ? t->stderr_head : ""));
                json_object_set_new(x, "stderr_truncated", json_boolean(t->stderr_truncated));
                json_array_append_new(tests, x);
        }
        json_object_set_new(o, "tests", tests);
        if (p && p->scoring && r->scores.groups) {
                json_t *groups = json_array();
                for (size_t i = 0; i < r->scores.n_groups; i++) {
                        const struct grd_group_score *g = &r->scores.groups[i];
                        if (!g->group || !g->judged)
                                continue;
                        json_t *x = json_object();
                        json_object_set_new(x, "name", json_string(g->group->name));
                        json_object_set_new(x, "verdict",
                                            json_string(grd_verdict_name(g->verdict)));
                        json_object_set_new(x, "score", json_real(g->score));
                        json_object_set_new(x, "max_score", json_real(g->max_score));
                        json_array_append_new(groups, x);
                }
                json_object_set_new(o, "groups", groups);
        }
        json_object_set_new(o, "max_time", seconds(r->max_time));
        json_object_set_new(o, "max_memory", json_integer((json_int_t)r->max_memory));
        json_t *g = json_object();
        json_object_set_new(g, "id", json_string(ids->grader_id ? ids->grader_id : "local"));
        json_object_set_new(g, "version", json_string(GRADER_VERSION));
        json_object_set_new(o, "grader", g);
        char ts[40];
        cmn_rfc3339(r->started_at, ts, sizeof(ts));
        json_object_set_new(o, "started_at", json_string(ts));
        cmn_rfc3339(r->finished_at, ts, sizeof(ts));
        json_object_set_new(o, "finished_at", json_string(ts));
        if (r->verdict == GRD_VERDICT_IE)
                json_object_set_new(o, "internal_error", json_string(r->ie_reason));
        return o;
}
