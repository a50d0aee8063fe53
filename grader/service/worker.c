/* SPDX-License-Identifier: MIT */
/*
 * A worker of the service: claim, grade, deliver; and its heartbeat thread.
 *
 * Theory of operation. A worker owns one API client, one cache handle, one sandbox slot and one
 * scratch dir. It claims only when it is free (no hoarding), asking for the queues in priority
 * order, so a waiting job of an earlier queue always goes first. While it grades, its heartbeat
 * thread (with a client of its own) renews the lease every third of it; a lost lease cancels the
 * sandbox at once and nothing is posted. A job goes through three steps, each with one way out:
 * prepare (language, package, validator: a failure releases the job as an internal error),
 * grade (the judge), deliver (spool, fsync, post). An internal error releases the job with its
 * reason instead of charging the student.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "grade.h"
#include "problem.h"
#include "service_internal.h"
#include "spool.h"

/* A worker that keeps hitting internal errors pauses 0.5 s, doubling up to 2^(8-1) of it. */
#define IE_PAUSE_BASE  0.5
#define IE_PAUSE_STEPS 8
/* A heartbeat every third of the lease, within these bounds (seconds). */
#define HB_EVERY_MIN 0.5
#define HB_EVERY_MAX 30.0
/* A failed claim waits a random time up to 1 s doubling to a minute, at least half a second. */
#define CLAIM_BACKOFF_BASE_MS 1000u
#define CLAIM_BACKOFF_CAP_MS  60000u
#define CLAIM_BACKOFF_MIN_MS  500u

/* ---- heartbeats ----------------------------------------------------------------------------- */

/* Wait (w->mu held) until the job's next renewal is due; false when there is no longer one. */
static bool wait_renewal(struct worker *w, unsigned long gen)
{
        double every = fmin(fmax(w->lease / 3, HB_EVERY_MIN), HB_EVERY_MAX);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        double t = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + every;
        ts.tv_sec = (time_t)t;
        ts.tv_nsec = (long)((t - floor(t)) * 1e9);
        int r = 0;
        while (!w->hb_quit && w->hb_job && w->hb_gen == gen && r != ETIMEDOUT)
                r = pthread_cond_timedwait(&w->cv, &w->mu, &ts);
        return !w->hb_quit && w->hb_job && w->hb_gen == gen;
}

void *grd_heartbeat_main(void *arg)
{
        struct worker *w = arg;
        struct service *s = w->svc;
        pthread_mutex_lock(&w->mu);
        while (!w->hb_quit) {
                if (!w->hb_job) {
                        pthread_cond_wait(&w->cv, &w->mu);
                        continue;
                }
                unsigned long gen = w->hb_gen;
                if (!wait_renewal(w, gen))
                        continue;
                char id[API_ID_MAX + 1];
                cmn_strlcpy(id, w->hb_job, sizeof(id));
                pthread_mutex_unlock(&w->mu);
                double lease = 0;
                char err[512];
                grd_svc_token_sync(s, w->hb_api, &w->hb_token_gen);
                int hr = api_heartbeat(w->hb_api, id, &lease, err, sizeof(err));
                pthread_mutex_lock(&w->mu);
                struct grd_log_ctx lc = {.worker = w->index, .job_id = id};
                bool same = w->hb_job && w->hb_gen == gen;
                if (hr == 0) {
                        if (same)
                                w->lease = lease;
                        grd_log(GRD_LOG_DEBUG, &lc, GRD_FIELDS(GRD_F_NUM("lease_seconds", lease)),
                                "lease renewed");
                } else if (hr == API_E_LEASE_LOST) {
                        if (same) {
                                w->lease_lost = true;
                                sbx_cancel(&w->cancel); /* stop the run now */
                        }
                        grd_metrics_inc(&s->metrics.leases_lost, 1);
                        grd_log(GRD_LOG_WARN, &lc, NULL,
                                "lease lost (%s): stopping this job, posting nothing", err);
                } else {
                        grd_log_limited(GRD_LOG_WARN, &lc, NULL, "heartbeat failed: %s", err);
                }
        }
        pthread_mutex_unlock(&w->mu);
        return NULL;
}

static void hb_start(struct worker *w, const struct api_job *job)
{
        pthread_mutex_lock(&w->mu);
        w->hb_job = job->job_id;
        w->hb_gen++;
        w->lease = job->lease;
        w->lease_lost = false;
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
}

static bool hb_stop(struct worker *w)
{
        pthread_mutex_lock(&w->mu);
        w->hb_job = NULL;
        bool lost = w->lease_lost;
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
        return lost;
}

/* ---- one job ------------------------------------------------------------------------------- */

/* What a job needs besides its submission; released by job_release. */
struct job_parts {
        const struct grd_language *lang;
        struct api_package *pkg;
        struct grd_problem *problem;
        const struct grd_validator *validator;
        struct grd_result res;
};

static void job_release(struct job_parts *jp)
{
        grd_result_release(&jp->res);
        grd_problem_free(jp->problem);
        api_package_free(jp->pkg);
}

static void release_job(struct worker *w, const struct api_job *job, const char *reason)
{
        struct grd_log_ctx lc = grd_svc_ctx(w, job);
        char err[512];
        int r = api_release(w->api, job->job_id, reason, err, sizeof(err));
        grd_metrics_inc(&w->svc->metrics.releases, 1);
        if (r == 0)
                grd_log(GRD_LOG_INFO, &lc, NULL, "released: %s", reason);
        else
                grd_log(GRD_LOG_WARN, &lc, NULL,
                        "release failed (%s); the lease will run out instead", err);
}

/* The failure path of a job: a fault of the grader, never charged to the student. */
static void internal_error(struct worker *w, const struct api_job *job, const char *reason)
{
        w->internal_errors++;
        struct grd_log_ctx lc = grd_svc_ctx(w, job);
        grd_metrics_inc(&w->svc->metrics.internal_errors, 1);
        grd_log(GRD_LOG_ERROR, &lc, NULL, "internal error, not the student's fault: %s", reason);
        char r[600];
        snprintf(r, sizeof(r), "internal error: %.550s", reason);
        release_job(w, job, r);
}

static const struct grd_validator *validator_for(struct worker *w, const struct api_job *job,
                                                 const struct grd_problem *p, char *err,
                                                 size_t errlen)
{
        char key[sizeof(w->vkey)];
        snprintf(key, sizeof(key), "%s@%s", job->problem_id, job->problem_revision);
        if (w->have_validator && !strcmp(key, w->vkey))
                return &w->validator;
        if (w->have_validator)
                grd_validator_release(&w->validator);
        w->have_validator = false;
        if (grd_validator_prepare(&w->env, p, w->svc->langs, &w->validator, err, errlen) < 0)
                return NULL;
        cmn_strlcpy(w->vkey, key, sizeof(w->vkey));
        w->have_validator = true;
        return &w->validator;
}

/*
 * Step 1: the language, the package, the problem and its validator.
 * Return: 0; API_E_ABORTED when shutting down; -1 with err saying why (an internal error).
 */
static int prepare(struct worker *w, const struct api_job *job, struct job_parts *jp, char *err,
                   size_t errlen)
{
        struct service *s = w->svc;
        jp->lang = grd_language_find(s->langs, job->language);
        if (!jp->lang || grd_language_missing(jp->lang)) {
                snprintf(err, errlen, "language '%s' is not available on this grader",
                         job->language);
                return -1;
        }
        /* a download still going when the grace period ends is abandoned with the job */
        api_client_set_abort_flag(w->api, &s->abort);
        char why[1024];
        double t0 = cmn_monotonic();
        int r = api_fetch_problem(w->api, w->cache, job->problem_id, job->problem_revision,
                                  job->files_url, &jp->pkg, why, sizeof(why));
        api_client_set_abort_flag(w->api, NULL);
        if (r == API_E_ABORTED)
                return r;
        if (r < 0) {
                snprintf(err, errlen, "fetching problem '%s' revision '%s': %.700s",
                         job->problem_id, job->problem_revision, why);
                return -1;
        }
        struct grd_log_ctx lc = grd_svc_ctx(w, job);
        grd_log(GRD_LOG_DEBUG, &lc, GRD_FIELDS(GRD_F_NUM("fetch_seconds", cmn_monotonic() - t0)),
                "package ready");
        struct grd_problem_defaults d = {.time_limit = s->cfg->default_time};
        if (grd_problem_load(api_package_dir(jp->pkg), &d, &jp->problem, err, errlen) < 0)
                return -1;
        if (jp->problem->custom_validation &&
            !(jp->validator = validator_for(w, job, jp->problem, err, errlen)))
                return -1;
        return 0;
}

/* Step 3: count, log, spool (fsync'd) and post the result. */
static void deliver(struct worker *w, const struct api_job *job, struct job_parts *jp,
                    double seconds)
{
        struct service *s = w->svc;
        struct grd_log_ctx lc = grd_svc_ctx(w, job);
        const struct grd_result *res = &jp->res;
        grd_metrics_job(&s->metrics, job->queue, res->verdict);
        grd_metrics_observe(&s->metrics.grading_seconds, seconds);
        struct grd_result_ids ids = {.job_id = job->job_id,
                                     .submission_id = job->submission_id,
                                     .problem_id = job->problem_id,
                                     .problem_revision = job->problem_revision,
                                     .grader_id = w->id};
        json_t *o = grd_result_json(res, jp->problem, &ids);
        char *json = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10));
        json_decref(o);
        if (!json) {
                internal_error(w, job, "out of memory writing the result");
                return;
        }
        grd_log(GRD_LOG_INFO, &lc,
                GRD_FIELDS(GRD_F_STR("verdict", grd_verdict_name(res->verdict)),
                           GRD_F_NUM("score", res->score), GRD_F_NUM("max_score", res->max_score),
                           GRD_F_INT("tests", (long long)res->n_tests),
                           GRD_F_NUM("compile_seconds", res->compile_time),
                           GRD_F_NUM("grading_seconds", seconds)),
                "graded");
        /* durable before it is posted: a crash from here on loses nothing */
        int r = grd_spool_put(s->cfg->spool_dir, job->job_id, json, strlen(json));
        free(json);
        if (r < 0) {
                grd_log(GRD_LOG_ERROR, &lc, NULL, "cannot spool the result: %s", strerror(-r));
                internal_error(w, job, "the result spool is not writable");
                return;
        }
        grd_metrics_inc(&s->metrics.results_spooled, 1);
        if (grd_svc_inflight_add(s, job->job_id)) {
                grd_svc_post_spooled(s, w->api, &lc, job->job_id);
                grd_svc_inflight_del(s, job->job_id);
        }
}

static void handle_job(struct worker *w, struct api_job *job)
{
        struct service *s = w->svc;
        struct grd_log_ctx lc = grd_svc_ctx(w, job);
        char err[1024];
        double t0 = cmn_monotonic();
        grd_log(GRD_LOG_INFO, &lc,
                GRD_FIELDS(GRD_F_STR("queue", job->queue), GRD_F_STR("language", job->language),
                           GRD_F_STR("problem", job->problem_id),
                           GRD_F_NUM("lease_seconds", job->lease)),
                "claimed");
        memset(&w->cancel, 0, sizeof(w->cancel));
        hb_start(w, job);
        struct job_parts jp = {0};
        int r = prepare(w, job, &jp, err, sizeof(err));
        if (r == 0) {
                struct grd_source src[API_SUBMISSION_FILES_MAX];
                size_t n = job->n_files < CMN_ARRAY_SIZE(src) ? job->n_files : CMN_ARRAY_SIZE(src);
                for (size_t i = 0; i < n; i++)
                        src[i] = (struct grd_source){job->files[i].name, job->files[i].data,
                                                     job->files[i].len};
                w->env.cancel = &w->cancel;
                struct grd_grade_input in = {.problem = jp.problem,
                                             .lang = jp.lang,
                                             .validator = jp.validator,
                                             .src = src,
                                             .n_src = n};
                r = grd_grade(&w->env, &in, &jp.res);
                if (r < 0) {
                        snprintf(err, sizeof(err), "%s", strerror(-r));
                        r = -1;
                } else if (jp.res.verdict == GRD_VERDICT_IE && s->abort) {
                        r = API_E_ABORTED;
                } else if (jp.res.verdict == GRD_VERDICT_IE) {
                        snprintf(err, sizeof(err), "%s", jp.res.ie_reason);
                        r = -1;
                }
                if (jp.res.compile_status[0] && strcmp(jp.res.compile_status, "IE"))
                        grd_metrics_observe(&s->metrics.compile_seconds, jp.res.compile_time);
        }
        /* a lost lease: the site gave the job to someone else, say nothing */
        bool lost = hb_stop(w);
        if (!lost && r == API_E_ABORTED)
                release_job(w, job, "grader shutting down");
        else if (!lost && r < 0)
                internal_error(w, job, err);
        else if (!lost)
                deliver(w, job, &jp, cmn_monotonic() - t0);
        job_release(&jp);
        grd_svc_progress(s);
}

/* ---- the worker ---------------------------------------------------------------------------- */

/* After a job: reset the run of internal errors, or pause before claiming again. */
static void after_job(struct worker *w, unsigned errors_before)
{
        if (w->internal_errors == errors_before) {
                w->internal_errors = 0;
                return;
        }
        /* released work comes straight back: pause, longer each time, so another grader may
         * take it */
        unsigned n = w->internal_errors < IE_PAUSE_STEPS ? w->internal_errors : IE_PAUSE_STEPS;
        grd_svc_sleep(w->svc, IE_PAUSE_BASE * (double)(1u << (n - 1)));
}

/* A claim failed: re-read the token after a 401 (claim again at once when it changed), else
 * wait with backoff. */
static void after_failed_claim(struct worker *w, int r, const char *err, unsigned *failures)
{
        struct service *s = w->svc;
        struct grd_log_ctx lc = grd_svc_ctx(w, NULL);
        grd_metrics_inc(&s->metrics.claims_error, 1);
        if (r == API_E_AUTH && grd_svc_token_reload(s, "a 401 or 403 from the site"))
                return;
        unsigned delay =
                api_backoff_delay_ms(*failures < 10 ? *failures + 1 : 10, CLAIM_BACKOFF_BASE_MS,
                                     CLAIM_BACKOFF_CAP_MS, (uint64_t)rand());
        if (delay < CLAIM_BACKOFF_MIN_MS)
                delay = CLAIM_BACKOFF_MIN_MS;
        (*failures)++;
        if (r == API_E_AUTH)
                grd_log_limited(GRD_LOG_ERROR, &lc,
                                GRD_FIELDS(GRD_F_NUM("retry_in_seconds", delay / 1000.0)),
                                "the site refuses our token (%s): check token_file", err);
        else
                grd_log_limited(GRD_LOG_WARN, &lc,
                                GRD_FIELDS(GRD_F_NUM("retry_in_seconds", delay / 1000.0)),
                                "claim failed: %s", err);
        grd_svc_sleep(s, delay / 1000.0);
}

void *grd_worker_main(void *arg)
{
        struct worker *w = arg;
        struct service *s = w->svc;
        struct grd_log_ctx lc = grd_svc_ctx(w, NULL);
        unsigned failures = 0;
        while (!s->stop) {
                char err[1024];
                struct api_job *job = NULL;
                double t0 = cmn_monotonic();
                grd_svc_token_sync(s, w->api, &w->token_gen);
                api_client_set_abort_flag(w->api, &s->stop);
                /* a batch run asks without waiting: its last claim ends it at once */
                unsigned wait = s->cfg->exit_when_idle ? 0 : s->cfg->claim_wait;
                int r = api_claim(w->api, w->id, (const char *const *)s->cfg->queues, s->lang_ids,
                                  wait, &job, err, sizeof(err));
                api_client_set_abort_flag(w->api, NULL);
                grd_metrics_observe(&s->metrics.claim_seconds, cmn_monotonic() - t0);
                if (r == API_E_ABORTED || (r < 0 && s->stop))
                        break;
                grd_svc_claim_done(s, r, err);
                if (r == 1) {
                        failures = 0;
                        grd_metrics_inc(&s->metrics.claims_job, 1);
                        __atomic_add_fetch(&s->metrics.workers_busy, 1, __ATOMIC_RELAXED);
                        unsigned before = w->internal_errors;
                        handle_job(w, job);
                        __atomic_sub_fetch(&s->metrics.workers_busy, 1, __ATOMIC_RELAXED);
                        api_job_free(job);
                        after_job(w, before);
                } else if (r == 0) {
                        failures = 0;
                        grd_metrics_inc(&s->metrics.claims_empty, 1);
                        if (s->cfg->exit_when_idle) {
                                grd_log(GRD_LOG_INFO, &lc, NULL, "no work: this worker stops");
                                break;
                        }
                        grd_log(GRD_LOG_DEBUG, &lc, NULL, "no work");
                        /* a site may answer 204 at once (or claim_wait is 0): never claim
                         * in a tight loop; a little jitter keeps workers from lining up */
                        double spent = cmn_monotonic() - t0;
                        double pause = 1.0 + (double)(rand() % 250) / 1000.0;
                        if (spent < pause)
                                grd_svc_sleep(s, pause - spent);
                } else {
                        after_failed_claim(w, r, err, &failures);
                }
        }
        __atomic_sub_fetch(&s->running, 1, __ATOMIC_SEQ_CST);
        return NULL;
}

int grd_worker_init(struct service *s, struct worker *w, int index, char *err, size_t errlen)
{
        memset(w, 0, sizeof(*w));
        w->index = index;
        w->svc = s;
        w->slot_fd = -1;
        pthread_mutex_init(&w->mu, NULL);
        pthread_cond_init(&w->cv, NULL);
        snprintf(w->id, sizeof(w->id), "%s/w%d", s->cfg->grader_id, index);
        pthread_mutex_lock(&s->token_mu);
        struct api_client_opts o = {
                .base_url = s->cfg->api_url, .token = s->token, .ca_file = s->cfg->ca_file};
        int r = api_client_new(&o, &w->api, err, errlen);
        if (r == 0)
                r = api_client_new(&o, &w->hb_api, err, errlen);
        w->token_gen = w->hb_token_gen = s->token_gen;
        pthread_mutex_unlock(&s->token_mu);
        if (r == 0)
                r = api_cache_open(s->cfg->cache_dir, s->cfg->cache_max, &w->cache, err, errlen);
        if (r < 0)
                return r;
        r = sbx_slot_acquire(s->policy, 0, GRD_SLOT_COUNT, &w->slot, &w->slot_fd);
        if (r < 0) {
                snprintf(err, errlen, "no free sandbox slot: %s", strerror(-r));
                return r;
        }
        r = grd_env_init(&w->env, s->policy, w->slot, s->cfg->work_dir);
        if (r < 0)
                snprintf(err, errlen, "work_dir '%s': %s", s->cfg->work_dir, strerror(-r));
        return r;
}

void grd_worker_release(struct worker *w)
{
        if (w->have_validator)
                grd_validator_release(&w->validator);
        grd_env_release(&w->env);
        sbx_slot_release(w->slot_fd);
        api_cache_free(w->cache);
        api_client_free(w->api);
        api_client_free(w->hb_api);
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
}
