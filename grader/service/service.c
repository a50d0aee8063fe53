/* SPDX-License-Identifier: MIT */
/*
 * The service loop.
 *
 * Theory of operation. The main thread sets up (configuration, token, sandbox policy, the
 * self-test, the spool, metrics), re-sends any result left in the spool by an earlier run,
 * then starts N workers and becomes the supervisor: it waits for signals, keeps the health
 * file fresh, and re-sends spooled results with backoff.
 *
 * A worker owns one API client, one cache handle, one sandbox slot and one scratch dir. It
 * claims only when it is free (no hoarding), asking for the queues in priority order, so a
 * waiting job of an earlier queue always goes first. While it grades, its heartbeat thread
 * renews the lease every third of it; a lost lease cancels the sandbox at once and nothing is
 * posted. A result is spooled (fsync'd) before it is posted and removed once the site has it;
 * an internal error releases the job with its reason instead of charging the student.
 *
 * SIGTERM/SIGINT: stop claiming (a held long-poll claim is aborted), let work in hand finish
 * within the grace period, then cancel and release what is left, flush the spool, exit 0.
 */
#include "service.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "build.h"
#include "common.h"
#include "grade.h"
#include "language.h"
#include "log.h"
#include "metrics.h"
#include "problem.h"
#include "sandbox.h"
#include "selftest.h"
#include "spool.h"

#define SPOOL_BATCH     256
#define HEALTH_INTERVAL 2.0 /* seconds between touches of the health file */

struct service;

struct worker {
        int index;
        struct service *svc;
        pthread_t thread, hb_thread;
        bool started, hb_started;
        char id[160];
        struct api_client *api, *hb_api;
        struct api_cache *cache;
        unsigned slot;
        int slot_fd;
        struct grd_env env;
        struct sbx_cancel cancel;
        /* the job in hand, shared with the heartbeat thread under mu */
        pthread_mutex_t mu;
        pthread_cond_t cv;
        const char *hb_job;   /* NULL: nothing to renew */
        unsigned long hb_gen; /* which job: pointers may be reused, generations are not */
        double lease;
        bool lease_lost, hb_quit;
        /* the last package's validator, reused while the revision stays the same */
        unsigned internal_errors; /* in a row: a broken grader must not spin on the queue */
        char vkey[2 * API_ID_MAX + 2];
        struct grd_validator validator;
        bool have_validator;
};

struct service {
        struct grd_config *cfg;
        char *token;
        struct sbx_policy *policy;
        struct grd_languages *langs;
        const char *lang_ids[64];
        struct grd_metrics metrics;
        struct grd_metrics_server *metrics_srv;
        volatile sig_atomic_t stop;  /* stop claiming */
        volatile sig_atomic_t abort; /* the grace period is over: cancel work in hand */
        unsigned n_workers;
        struct worker *workers;
        int running; /* workers still in their loop (atomic) */
        pthread_mutex_t inflight_mu;
        char inflight[256][API_ID_MAX + 1];
        struct api_client *main_api;
        double spool_next, spool_delay;
};

static struct grd_log_ctx ctx_of(const struct worker *w, const struct api_job *j)
{
        return (struct grd_log_ctx){.worker = w ? w->index : -1,
                                    .job_id = j ? j->job_id : NULL,
                                    .submission_id = j ? j->submission_id : NULL};
}

/* ---- systemd readiness (sd_notify without libsystemd) ------------------------------------ */

static void notify_systemd(const char *state)
{
        const char *path = getenv("NOTIFY_SOCKET");
        if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= 108)
                return;
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        memcpy(sa.sun_path, path, strlen(path));
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = '\0'; /* abstract socket */
        socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
        ssize_t n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
        (void)n;
        close(fd);
}

/* ---- small helpers ------------------------------------------------------------------------- */

static void sleep_interruptible(struct service *s, double seconds)
{
        double end = cmn_monotonic() + seconds;
        while (!s->stop && cmn_monotonic() < end) {
                struct timespec ts = {0, 100 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
}

static bool inflight_add(struct service *s, const char *id)
{
        bool ok = false;
        pthread_mutex_lock(&s->inflight_mu);
        for (size_t i = 0; i < CMN_ARRAY_SIZE(s->inflight); i++) {
                if (!strcmp(s->inflight[i], id)) {
                        ok = false;
                        goto out;
                }
        }
        for (size_t i = 0; i < CMN_ARRAY_SIZE(s->inflight); i++) {
                if (!s->inflight[i][0]) {
                        cmn_strlcpy(s->inflight[i], id, sizeof(s->inflight[i]));
                        ok = true;
                        break;
                }
        }
out:
        pthread_mutex_unlock(&s->inflight_mu);
        return ok;
}

static void inflight_del(struct service *s, const char *id)
{
        pthread_mutex_lock(&s->inflight_mu);
        for (size_t i = 0; i < CMN_ARRAY_SIZE(s->inflight); i++) {
                if (!strcmp(s->inflight[i], id))
                        s->inflight[i][0] = '\0';
        }
        pthread_mutex_unlock(&s->inflight_mu);
}

static int make_client(struct service *s, struct api_client **ret, char *err, size_t errlen)
{
        struct api_client_opts o = {
                .base_url = s->cfg->api_url, .token = s->token, .ca_file = s->cfg->ca_file};
        return api_client_new(&o, ret, err, errlen);
}

/* The supervisor's client: one attempt per request, short timeouts (see flush_spool). */
static int make_supervisor_client(struct service *s, struct api_client **ret, char *err,
                                  size_t errlen)
{
        struct api_client_opts o = {.base_url = s->cfg->api_url,
                                    .token = s->token,
                                    .ca_file = s->cfg->ca_file,
                                    .max_attempts = 1,
                                    .connect_timeout_ms = 3000,
                                    .timeout_ms = 10000};
        return api_client_new(&o, ret, err, errlen);
}

/*
 * Post one spooled result. Return: 1 done (the site has it, or took the job back), 0 try
 * again later, -1 refused for good (moved to rejected/).
 */
static int post_spooled(struct service *s, struct api_client *api, const struct grd_log_ctx *lc,
                        const char *job_id)
{
        char *json;
        size_t len;
        if (grd_spool_get(s->cfg->spool_dir, job_id, &json, &len) < 0)
                return 1; /* gone meanwhile: another poster finished it */
        char err[512];
        int r = api_post_result(api, job_id, json, len, err, sizeof(err));
        free(json);
        if (r == 0 || r == API_E_GONE) {
                grd_spool_remove(s->cfg->spool_dir, job_id);
                if (r == 0) {
                        grd_metrics_inc(&s->metrics.results_posted, 1);
                        grd_log(GRD_LOG_INFO, lc, NULL, "result delivered");
                } else {
                        grd_log(GRD_LOG_WARN, lc, NULL,
                                "the site took the job back before the result arrived (410)");
                }
                return 1;
        }
        if (r == API_E_HTTP || r == API_E_PROTOCOL) {
                grd_spool_reject(s->cfg->spool_dir, job_id);
                grd_log(GRD_LOG_ERROR, lc, NULL,
                        "the site refused the result for good (%s); kept in %s/rejected", err,
                        s->cfg->spool_dir);
                return -1;
        }
        grd_log(r == API_E_AUTH ? GRD_LOG_ERROR : GRD_LOG_WARN, lc, NULL,
                "result not delivered yet, kept in the spool: %s", err);
        return 0;
}

static void touch_health(struct service *s);

/*
 * Re-send what the spool holds, until the deadline (monotonic seconds); returns the number
 * still pending. The supervisor's client tries each post once (its own backoff is the
 * supervisor's flush interval), so a site that refuses results cannot hold the supervisor,
 * its signals or its health file for long.
 */
static int flush_spool(struct service *s, struct api_client *api, double deadline)
{
        char **ids;
        int n = grd_spool_list(s->cfg->spool_dir, &ids, SPOOL_BATCH);
        if (n < 0)
                return 0;
        int pending = 0;
        for (int i = 0; i < n; i++) {
                touch_health(s);
                if (cmn_monotonic() > deadline) {
                        pending++;
                        continue;
                }
                if (!inflight_add(s, ids[i]))
                        continue; /* a worker is posting it right now */
                struct grd_log_ctx lc = {.worker = -1, .job_id = ids[i]};
                if (post_spooled(s, api, &lc, ids[i]) == 0)
                        pending++;
                inflight_del(s, ids[i]);
        }
        grd_spool_list_free(ids, (size_t)n);
        grd_metrics_set(&s->metrics.spool_pending, (uint64_t)pending);
        return pending;
}

/* ---- heartbeats ----------------------------------------------------------------------------- */

static void *heartbeat_main(void *arg)
{
        struct worker *w = arg;
        struct service *s = w->svc;
        pthread_mutex_lock(&w->mu);
        while (!w->hb_quit) {
                if (!w->hb_job) {
                        pthread_cond_wait(&w->cv, &w->mu);
                        continue;
                }
                /* renew at a third of the lease: two renewals can fail before it runs out */
                double every = w->lease / 3;
                if (every < 0.5)
                        every = 0.5;
                if (every > 30)
                        every = 30;
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                double t = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + every;
                ts.tv_sec = (time_t)t;
                ts.tv_nsec = (long)((t - floor(t)) * 1e9);
                unsigned long gen = w->hb_gen;
                int r = 0;
                while (!w->hb_quit && w->hb_job && w->hb_gen == gen && r != ETIMEDOUT)
                        r = pthread_cond_timedwait(&w->cv, &w->mu, &ts);
                if (w->hb_quit || !w->hb_job || w->hb_gen != gen)
                        continue;
                char id[API_ID_MAX + 1];
                cmn_strlcpy(id, w->hb_job, sizeof(id));
                pthread_mutex_unlock(&w->mu);
                double lease = 0;
                char err[512];
                int hr = api_heartbeat(w->hb_api, id, &lease, err, sizeof(err));
                pthread_mutex_lock(&w->mu);
                struct grd_log_ctx lc = {.worker = w->index, .job_id = id};
                bool same = w->hb_job && w->hb_gen == gen;
                if (hr == 0) {
                        if (same)
                                w->lease = lease;
                } else if (hr == API_E_LEASE_LOST) {
                        if (same) {
                                w->lease_lost = true;
                                sbx_cancel(&w->cancel); /* stop the run now */
                        }
                        grd_metrics_inc(&s->metrics.leases_lost, 1);
                        grd_log(GRD_LOG_WARN, &lc, NULL,
                                "lease lost (%s): stopping this job, posting nothing", err);
                } else {
                        grd_log(GRD_LOG_WARN, &lc, NULL, "heartbeat failed: %s", err);
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

static void release_job(struct worker *w, const struct api_job *job, const char *reason)
{
        struct service *s = w->svc;
        struct grd_log_ctx lc = ctx_of(w, job);
        char err[512];
        int r = api_release(w->api, job->job_id, reason, err, sizeof(err));
        grd_metrics_inc(&s->metrics.releases, 1);
        if (r == 0)
                grd_log(GRD_LOG_INFO, &lc, NULL, "released: %s", reason);
        else
                grd_log(GRD_LOG_WARN, &lc, NULL,
                        "release failed (%s); the lease will run out instead", err);
}

static void internal_error(struct worker *w, const struct api_job *job, const char *reason)
{
        struct service *s = w->svc;
        w->internal_errors++;
        struct grd_log_ctx lc = ctx_of(w, job);
        grd_metrics_inc(&s->metrics.internal_errors, 1);
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

static void handle_job(struct worker *w, struct api_job *job)
{
        struct service *s = w->svc;
        struct grd_log_ctx lc = ctx_of(w, job);
        char err[1024];
        double t0 = cmn_monotonic();
        grd_log(GRD_LOG_INFO, &lc,
                (const char *const[]){"queue", job->queue, "language", job->language, "problem",
                                      job->problem_id, NULL},
                "claimed");
        memset(&w->cancel, 0, sizeof(w->cancel));
        hb_start(w, job);

        const struct grd_language *lang = grd_language_find(s->langs, job->language);
        struct api_package *pkg = NULL;
        struct grd_problem *p = NULL;
        struct grd_result res = {0};
        if (!lang || grd_language_missing(lang)) {
                hb_stop(w);
                snprintf(err, sizeof(err), "language '%s' is not available on this grader",
                         job->language);
                internal_error(w, job, err);
                goto out;
        }
        /* a download still going when the grace period ends is abandoned with the job */
        api_client_set_abort_flag(w->api, &s->abort);
        int r = api_fetch_problem(w->api, w->cache, job->problem_id, job->problem_revision,
                                  job->files_url, &pkg, err, sizeof(err));
        api_client_set_abort_flag(w->api, NULL);
        if (r == API_E_ABORTED) {
                hb_stop(w);
                release_job(w, job, "grader shutting down");
                goto out;
        }
        if (r < 0) {
                hb_stop(w);
                char why[1200];
                snprintf(why, sizeof(why), "fetching problem '%s' revision '%s': %s",
                         job->problem_id, job->problem_revision, err);
                internal_error(w, job, why);
                goto out;
        }
        struct grd_problem_defaults d = {.time_limit = s->cfg->default_time};
        if (grd_problem_load(api_package_dir(pkg), &d, &p, err, sizeof(err)) < 0) {
                hb_stop(w);
                internal_error(w, job, err);
                goto out;
        }
        const struct grd_validator *v = NULL;
        if (p->custom_validation && !(v = validator_for(w, job, p, err, sizeof(err)))) {
                hb_stop(w);
                internal_error(w, job, err);
                goto out;
        }
        struct grd_source src[API_SUBMISSION_FILES_MAX];
        size_t n = job->n_files < CMN_ARRAY_SIZE(src) ? job->n_files : CMN_ARRAY_SIZE(src);
        for (size_t i = 0; i < n; i++)
                src[i] = (struct grd_source){job->files[i].name, job->files[i].data,
                                             job->files[i].len};
        w->env.cancel = &w->cancel;
        struct grd_grade_input in = {
                .problem = p, .lang = lang, .validator = v, .src = src, .n_src = n};
        r = grd_grade(&w->env, &in, &res);
        bool lost = hb_stop(w);
        if (lost)
                goto out; /* the site gave the job to someone else: say nothing */
        if (r < 0) {
                internal_error(w, job, strerror(-r));
                goto out;
        }
        if (res.verdict == GRD_VERDICT_IE) {
                if (s->abort)
                        release_job(w, job, "grader shutting down");
                else
                        internal_error(w, job, res.ie_reason);
                goto out;
        }
        grd_metrics_job(&s->metrics, job->queue, res.verdict);
        grd_metrics_observe(&s->metrics.grading_seconds, cmn_monotonic() - t0);
        struct grd_result_ids ids = {.job_id = job->job_id,
                                     .submission_id = job->submission_id,
                                     .problem_id = job->problem_id,
                                     .problem_revision = job->problem_revision,
                                     .grader_id = w->id};
        json_t *o = grd_result_json(&res, p, &ids);
        char *json = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10));
        json_decref(o);
        if (!json) {
                internal_error(w, job, "out of memory writing the result");
                goto out;
        }
        char score[64];
        snprintf(score, sizeof(score), "%g/%g", res.score, res.max_score);
        grd_log(GRD_LOG_INFO, &lc,
                (const char *const[]){"verdict", grd_verdict_name(res.verdict), "score", score,
                                      NULL},
                "graded in %.2f s", cmn_monotonic() - t0);
        /* durable before it is posted: a crash from here on loses nothing */
        r = grd_spool_put(s->cfg->spool_dir, job->job_id, json, strlen(json));
        free(json);
        if (r < 0) {
                grd_log(GRD_LOG_ERROR, &lc, NULL, "cannot spool the result: %s", strerror(-r));
                internal_error(w, job, "the result spool is not writable");
                goto out;
        }
        grd_metrics_inc(&s->metrics.results_spooled, 1);
        if (inflight_add(s, job->job_id)) {
                post_spooled(s, w->api, &lc, job->job_id);
                inflight_del(s, job->job_id);
        }
out:
        grd_result_release(&res);
        grd_problem_free(p);
        api_package_free(pkg);
}

/* ---- the worker ---------------------------------------------------------------------------- */

static void *worker_main(void *arg)
{
        struct worker *w = arg;
        struct service *s = w->svc;
        struct grd_log_ctx lc = ctx_of(w, NULL);
        unsigned failures = 0;
        while (!s->stop) {
                char err[1024];
                struct api_job *job = NULL;
                double t0 = cmn_monotonic();
                api_client_set_abort_flag(w->api, &s->stop);
                /* a batch run asks without waiting: its last claim ends it at once */
                unsigned wait = s->cfg->exit_when_idle ? 0 : s->cfg->claim_wait;
                int r = api_claim(w->api, w->id, (const char *const *)s->cfg->queues, s->lang_ids,
                                  wait, &job, err, sizeof(err));
                api_client_set_abort_flag(w->api, NULL);
                grd_metrics_observe(&s->metrics.claim_seconds, cmn_monotonic() - t0);
                if (r == 1) {
                        failures = 0;
                        grd_metrics_inc(&s->metrics.claims_job, 1);
                        __atomic_add_fetch(&s->metrics.workers_busy, 1, __ATOMIC_RELAXED);
                        unsigned before = w->internal_errors;
                        handle_job(w, job);
                        __atomic_sub_fetch(&s->metrics.workers_busy, 1, __ATOMIC_RELAXED);
                        api_job_free(job);
                        if (w->internal_errors == before) {
                                w->internal_errors = 0;
                        } else {
                                /* released work comes straight back: pause before claiming
                                 * again, longer each time, so another grader may take it */
                                unsigned n = w->internal_errors < 8 ? w->internal_errors : 8;
                                sleep_interruptible(s, 0.5 * (double)(1u << (n - 1)));
                        }
                        continue;
                }
                if (r == 0) {
                        failures = 0;
                        grd_metrics_inc(&s->metrics.claims_empty, 1);
                        if (s->cfg->exit_when_idle) {
                                grd_log(GRD_LOG_INFO, &lc, NULL, "no work: this worker stops");
                                break;
                        }
                        /* a site may answer 204 at once (or claim_wait is 0): never claim
                         * in a tight loop; a little jitter keeps workers from lining up */
                        double spent = cmn_monotonic() - t0;
                        double pause = 1.0 + (double)(rand() % 250) / 1000.0;
                        if (spent < pause)
                                sleep_interruptible(s, pause - spent);
                        continue;
                }
                if (r == API_E_ABORTED || s->stop)
                        break;
                grd_metrics_inc(&s->metrics.claims_error, 1);
                unsigned delay = api_backoff_delay_ms(failures < 10 ? failures + 1 : 10, 1000,
                                                      60000, (uint64_t)rand());
                if (delay < 500)
                        delay = 500;
                failures++;
                if (r == API_E_AUTH)
                        grd_log(GRD_LOG_ERROR, &lc, NULL,
                                "the site refuses our token (%s): check token_file; retrying "
                                "in %.1f s",
                                err, delay / 1000.0);
                else
                        grd_log(GRD_LOG_WARN, &lc, NULL, "claim failed (%s); retrying in %.1f s",
                                err, delay / 1000.0);
                sleep_interruptible(s, delay / 1000.0);
        }
        __atomic_sub_fetch(&s->running, 1, __ATOMIC_SEQ_CST);
        return NULL;
}

static int worker_init(struct service *s, struct worker *w, int index, char *err, size_t errlen)
{
        memset(w, 0, sizeof(*w));
        w->index = index;
        w->svc = s;
        w->slot_fd = -1;
        pthread_mutex_init(&w->mu, NULL);
        pthread_cond_init(&w->cv, NULL);
        snprintf(w->id, sizeof(w->id), "%s/w%d", s->cfg->grader_id, index);
        int r = make_client(s, &w->api, err, errlen);
        if (r == 0)
                r = make_client(s, &w->hb_api, err, errlen);
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

static void worker_release(struct worker *w)
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

/* ---- the supervisor ------------------------------------------------------------------------ */

static void touch_health(struct service *s)
{
        __atomic_store_n(&s->metrics.alive_ts, (int)cmn_monotonic(), __ATOMIC_RELAXED);
        if (!s->cfg->health_file)
                return;
        char buf[64];
        int n = snprintf(buf, sizeof(buf), "%.3f\n", cmn_realtime());
        cmn_write_file_atomic(s->cfg->health_file, buf, (size_t)n, 0644);
}

static void sum_retries(struct service *s)
{
        uint64_t total = 0;
        for (unsigned i = 0; i < s->n_workers; i++) {
                if (s->workers[i].api)
                        total += api_client_retries(s->workers[i].api);
                if (s->workers[i].hb_api)
                        total += api_client_retries(s->workers[i].hb_api);
        }
        if (s->main_api)
                total += api_client_retries(s->main_api);
        grd_metrics_set(&s->metrics.api_retries, total);
}

static int setup(struct service *s, char *err, size_t errlen)
{
        struct grd_config *c = s->cfg;
        int r = api_token_read(c->token_file, &s->token, err, errlen);
        if (r < 0)
                return r;
        r = grd_languages_load(c->languages, &s->langs, err, errlen);
        if (r < 0)
                return r;
        size_t k = 0;
        for (size_t i = 0; i < s->langs->n && k < CMN_ARRAY_SIZE(s->lang_ids) - 1; i++) {
                if (!grd_language_missing(&s->langs->langs[i]))
                        s->lang_ids[k++] = s->langs->langs[i].id;
        }
        s->lang_ids[k] = NULL;
        if (k == 0) {
                snprintf(err, errlen, "no language of the table is installed here");
                return -ENOENT;
        }
        struct sbx_policy_opts popts = {.uid_base = c->uid_base};
        r = sbx_policy_new(&popts, &s->policy, err, errlen);
        if (r < 0)
                return r;
        r = grd_spool_open(c->spool_dir, err, errlen);
        if (r < 0)
                return r;
        if ((r = cmn_mkdir_p(c->cache_dir, 0755)) < 0 || (r = cmn_mkdir_p(c->work_dir, 0755)) < 0) {
                snprintf(err, errlen, "creating cache_dir or work_dir: %s", strerror(-r));
                return r;
        }
        if (c->health_file) {
                char dir[4096];
                cmn_strlcpy(dir, c->health_file, sizeof(dir));
                char *slash = strrchr(dir, '/');
                if (slash && slash != dir) {
                        *slash = '\0';
                        cmn_mkdir_p(dir, 0755);
                }
        }
        return make_supervisor_client(s, &s->main_api, err, errlen);
}

int grd_service_run(struct grd_config *cfg)
{
        struct service *s = calloc(1, sizeof(*s));
        if (!s)
                return 1;
        s->cfg = cfg;
        pthread_mutex_init(&s->inflight_mu, NULL);
        grd_metrics_init(&s->metrics, (const char *const *)cfg->queues);
        char err[1024];
        int rc = 1;

        /* Signals go to the supervisor alone, through sigtimedwait. */
        sigset_t sigs;
        sigemptyset(&sigs);
        sigaddset(&sigs, SIGTERM);
        sigaddset(&sigs, SIGINT);
        sigaddset(&sigs, SIGHUP);
        pthread_sigmask(SIG_BLOCK, &sigs, NULL);
        signal(SIGPIPE, SIG_IGN);

        if (setup(s, err, sizeof(err)) < 0) {
                grd_log(GRD_LOG_ERROR, NULL, NULL, "cannot start: %s", err);
                goto out;
        }
        struct sbx_layers l;
        sbx_policy_layers(s->policy, &l);
        grd_log(GRD_LOG_INFO, NULL, NULL, "grader %s starting: sandbox %s, %s", GRADER_VERSION,
                l.privileged ? "privileged"
                : l.user_ns  ? "unprivileged (user namespace)"
                             : "without namespaces (weakest)",
                cfg->api_url);
        if (cfg->metrics_listen) {
                unsigned port = 0;
                if (grd_metrics_serve(&s->metrics, cfg->metrics_listen, 60, &s->metrics_srv, &port,
                                      err, sizeof(err)) < 0) {
                        grd_log(GRD_LOG_ERROR, NULL, NULL, "metrics_listen '%s': %s",
                                cfg->metrics_listen, err);
                        goto out;
                }
                char ps[16];
                snprintf(ps, sizeof(ps), "%u", port);
                grd_log(GRD_LOG_INFO, NULL, (const char *const[]){"port", ps, NULL},
                        "metrics on %s", cfg->metrics_listen);
        }
        touch_health(s);
        if (cfg->selftest) {
                unsigned slot;
                int lock = -1;
                int r = sbx_slot_acquire(s->policy, 0, GRD_SLOT_COUNT, &slot, &lock);
                int failed = r < 0 ? 1
                                   : grd_selftest(s->policy, s->langs, slot, NULL, NULL, err,
                                                  sizeof(err));
                sbx_slot_release(lock);
                if (failed != 0) {
                        grd_log(GRD_LOG_ERROR, NULL, NULL,
                                "self-test failed, claiming nothing: %s (run 'grader doctor')",
                                r < 0 ? strerror(-r) : err);
                        goto out;
                }
                grd_log(GRD_LOG_INFO, NULL, NULL, "self-test passed");
        }
        int pending = flush_spool(s, s->main_api, cmn_monotonic() + 30);
        if (pending)
                grd_log(GRD_LOG_WARN, NULL, NULL, "%d spooled results not delivered yet", pending);

        s->n_workers = cfg->workers ? cfg->workers : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
        if (s->n_workers < 1)
                s->n_workers = 1;
        s->workers = calloc(s->n_workers, sizeof(*s->workers));
        for (unsigned i = 0; i < s->n_workers; i++) {
                if (worker_init(s, &s->workers[i], (int)i, err, sizeof(err)) < 0) {
                        grd_log(GRD_LOG_ERROR, NULL, NULL, "cannot start worker %u: %s", i, err);
                        s->n_workers = i + 1;
                        goto out;
                }
        }
        grd_metrics_set(&s->metrics.workers, s->n_workers);
        s->running = (int)s->n_workers;
        for (unsigned i = 0; i < s->n_workers; i++) {
                struct worker *w = &s->workers[i];
                w->hb_started = pthread_create(&w->hb_thread, NULL, heartbeat_main, w) == 0;
                w->started = pthread_create(&w->thread, NULL, worker_main, w) == 0;
                if (!w->started)
                        __atomic_sub_fetch(&s->running, 1, __ATOMIC_SEQ_CST);
        }
        s->metrics.ready = 1;
        notify_systemd("READY=1\nSTATUS=claiming");
        grd_log(GRD_LOG_INFO, NULL, NULL, "%u workers claiming from queues %s%s%s", s->n_workers,
                cfg->queues[0], cfg->queues[1] ? ", ..." : "", "");

        double stop_at = 0, last_health = 0;
        s->spool_delay = 2;
        s->spool_next = cmn_monotonic() + s->spool_delay;
        while (__atomic_load_n(&s->running, __ATOMIC_SEQ_CST) > 0) {
                struct timespec ts = {0, 250 * 1000 * 1000};
                int sig = sigtimedwait(&sigs, NULL, &ts);
                double now = cmn_monotonic();
                if ((sig == SIGTERM || sig == SIGINT) && !s->stop) {
                        s->stop = 1;
                        s->metrics.ready = 0;
                        stop_at = now + cfg->grace;
                        notify_systemd("STOPPING=1");
                        grd_log(GRD_LOG_INFO, NULL, NULL,
                                "%s: no more claims; finishing work in hand (grace %.0f s)",
                                sig == SIGTERM ? "SIGTERM" : "SIGINT", cfg->grace);
                } else if (sig == SIGTERM || sig == SIGINT) {
                        stop_at = now; /* a second signal: do not wait any longer */
                }
                if (s->stop && !s->abort && now >= stop_at) {
                        s->abort = 1;
                        grd_log(GRD_LOG_WARN, NULL, NULL,
                                "grace period over: stopping and releasing work in hand");
                        for (unsigned i = 0; i < s->n_workers; i++)
                                sbx_cancel(&s->workers[i].cancel);
                }
                if (now - last_health >= HEALTH_INTERVAL) {
                        touch_health(s);
                        sum_retries(s);
                        last_health = now;
                }
                if (now >= s->spool_next) {
                        int left = flush_spool(s, s->main_api, now + 5);
                        /* back off while the site does not take results, up to a minute */
                        s->spool_delay = left ? fmin(s->spool_delay * 2, 60) : 2;
                        s->spool_next = now + s->spool_delay;
                }
        }
        s->stop = 1;
        rc = 0;
out:
        s->metrics.ready = 0;
        for (unsigned i = 0; s->workers && i < s->n_workers; i++) {
                struct worker *w = &s->workers[i];
                if (w->started)
                        pthread_join(w->thread, NULL);
                if (w->hb_started) {
                        pthread_mutex_lock(&w->mu);
                        w->hb_quit = true;
                        pthread_cond_signal(&w->cv);
                        pthread_mutex_unlock(&w->mu);
                        pthread_join(w->hb_thread, NULL);
                }
        }
        if (rc == 0 && s->main_api) {
                /* one more pass, bounded: what is left waits for the next start */
                int left = flush_spool(s, s->main_api, cmn_monotonic() + 5);
                grd_log(left ? GRD_LOG_WARN : GRD_LOG_INFO, NULL, NULL,
                        "stopped; %d results left in the spool for the next start", left);
        }
        for (unsigned i = 0; s->workers && i < s->n_workers; i++)
                worker_release(&s->workers[i]);
        free(s->workers);
        grd_metrics_stop(s->metrics_srv);
        api_client_free(s->main_api);
        sbx_policy_free(s->policy);
        grd_languages_free(s->langs);
        api_token_free(s->token);
        pthread_mutex_destroy(&s->inflight_mu);
        free(s);
        return rc;
}
