/* SPDX-License-Identifier: MIT */
/*
 * The service loop: set-up, the supervisor, the spool, the token and the health state.
 *
 * Theory of operation. The main thread sets up (configuration, token, sandbox policy, the
 * self-test, the spool, metrics), re-sends any result left in the spool by an earlier run,
 * then starts N workers (worker.c) and becomes the supervisor: it waits for signals, keeps the
 * health file fresh, re-sends spooled results with backoff, sums the clients' counters into
 * the metrics and asks the site for its queue depths (GET /queues, when the site has it).
 *
 * Health. The service is ready while it claims and the site answers: after unready_after
 * claims in a row fail (the site unreachable or failing, or refusing the token) it is not
 * ready, with the last failure as the cause, in /readyz and in the health file that
 * `grader health` reads; the next claim answered (a job or no work) makes it ready again.
 * With exit_when_idle, a service that has had no claim answered and no job in hand for
 * give_up_after seconds gives up: it stops claiming and exits 1.
 *
 * The token is read at start, again on SIGHUP and again after a claim answered 401 or 403;
 * each client notices a new token (token_gen) before its next request.
 *
 * SIGTERM/SIGINT: stop claiming (a held long-poll claim is aborted), let work in hand finish
 * within the grace period, then cancel and release what is left, flush the spool, exit 0.
 */
#include "service.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
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

#include "common.h"
#include "selftest.h"
#include "service_internal.h"
#include "spool.h"

#define SPOOL_BATCH     256
#define HEALTH_INTERVAL 2.0  /* seconds between touches of the health file */
#define QUEUES_INTERVAL 15.0 /* seconds between GET /queues: the site's depth for the metrics */
#define CACHE_INTERVAL  30.0 /* seconds between measurements of the cache's size (a dir walk) */
#define STALE_AFTER     60   /* /healthz: seconds without a sign of life before 503 */

struct grd_log_ctx grd_svc_ctx(const struct worker *w, const struct api_job *j)
{
        return (struct grd_log_ctx){.worker = w ? w->index : -1,
                                    .job_id = j ? j->job_id : NULL,
                                    .submission_id = j ? j->submission_id : NULL};
}

/* ---- systemd readiness and watchdog (sd_notify without libsystemd) ------------------------- */

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

void grd_svc_sleep(struct service *s, double seconds)
{
        double end = cmn_monotonic() + seconds;
        while (!s->stop && cmn_monotonic() < end) {
                struct timespec ts = {0, 100 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
}

bool grd_svc_inflight_add(struct service *s, const char *id)
{
        bool ok = false;
        pthread_mutex_lock(&s->inflight_mu);
        for (size_t i = 0; i < CMN_ARRAY_SIZE(s->inflight); i++) {
                if (!strcmp(s->inflight[i], id))
                        goto out;
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

void grd_svc_inflight_del(struct service *s, const char *id)
{
        pthread_mutex_lock(&s->inflight_mu);
        for (size_t i = 0; i < CMN_ARRAY_SIZE(s->inflight); i++) {
                if (!strcmp(s->inflight[i], id))
                        s->inflight[i][0] = '\0';
        }
        pthread_mutex_unlock(&s->inflight_mu);
}

/* ---- the token ------------------------------------------------------------------------------ */

/* A token file others may read is a leaked token: say so (once per read). */
static void warn_if_readable(const char *path)
{
        struct stat st;
        if (stat(path, &st) == 0 && (st.st_mode & S_IROTH))
                grd_log(GRD_LOG_WARN, NULL, GRD_FIELDS(GRD_F_STR("token_file", path)),
                        "the token file is readable by every user (mode %04o): chmod o-r it",
                        (unsigned)(st.st_mode & 07777));
}

bool grd_svc_token_reload(struct service *s, const char *why)
{
        char *token = NULL, err[512];
        int r = api_token_read(s->cfg->token_file, &token, err, sizeof(err));
        if (r < 0) {
                grd_log(GRD_LOG_ERROR, NULL, GRD_FIELDS(GRD_F_STR("reason", why)),
                        "cannot read the token again, keeping the old one: %s", err);
                return false;
        }
        warn_if_readable(s->cfg->token_file);
        pthread_mutex_lock(&s->token_mu);
        bool changed = strcmp(token, s->token) != 0;
        if (changed) {
                api_token_free(s->token);
                s->token = token;
                token = NULL;
                /* atomic: workers peek at it without the lock (grd_svc_token_sync) */
                __atomic_add_fetch(&s->token_gen, 1, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&s->token_mu);
        api_token_free(token);
        grd_log(changed ? GRD_LOG_INFO : GRD_LOG_DEBUG, NULL,
                GRD_FIELDS(GRD_F_STR("reason", why), GRD_F_BOOL("changed", changed)),
                changed ? "token file read again: a new token" : "token file read again: same");
        return changed;
}

void grd_svc_token_sync(struct service *s, struct api_client *api, unsigned long *gen)
{
        if (__atomic_load_n(&s->token_gen, __ATOMIC_ACQUIRE) == *gen)
                return;
        char err[256];
        pthread_mutex_lock(&s->token_mu);
        if (api_client_set_token(api, s->token, err, sizeof(err)) == 0)
                *gen = s->token_gen;
        pthread_mutex_unlock(&s->token_mu);
}

/* ---- health -------------------------------------------------------------------------------- */

/* Publish the health state (s->health_mu held): the metrics' readiness and its reason. */
static void publish_ready(struct service *s, const char *why)
{
        bool ready = s->claiming && !s->stop && !s->unready;
        grd_metrics_set_ready(&s->metrics, ready, ready ? NULL : why);
}

void grd_svc_claim_done(struct service *s, int r, const char *err)
{
        pthread_mutex_lock(&s->health_mu);
        if (r >= 0) {
                s->claim_failures = 0;
                s->last_progress = cmn_monotonic();
                grd_metrics_set(&s->metrics.last_claim_ok_ms, (uint64_t)(cmn_realtime() * 1000));
                if (s->unready) {
                        s->unready = false;
                        grd_log(GRD_LOG_INFO, NULL, NULL, "ready: the site answers claims again");
                        publish_ready(s, NULL);
                }
        } else if (++s->claim_failures >= s->cfg->unready_after) {
                char why[512];
                snprintf(why, sizeof(why), "%u claims failed in a row: %s%s", s->claim_failures,
                         r == API_E_AUTH ? "the site refuses the token: " : "", err);
                if (!s->unready)
                        grd_log(GRD_LOG_ERROR, NULL, NULL, "not ready: %s", why);
                s->unready = true;
                publish_ready(s, why);
        }
        pthread_mutex_unlock(&s->health_mu);
}

void grd_svc_progress(struct service *s)
{
        pthread_mutex_lock(&s->health_mu);
        s->last_progress = cmn_monotonic();
        pthread_mutex_unlock(&s->health_mu);
}

/* The health file: a JSON object {"time", "pid", "ready", "why"} that `grader health` reads,
 * rewritten (so touched) every HEALTH_INTERVAL. */
static void touch_health(struct service *s)
{
        __atomic_store_n(&s->metrics.alive_ts, (int)cmn_monotonic(), __ATOMIC_RELAXED);
        if (!s->cfg->health_file)
                return;
        pthread_mutex_lock(&s->metrics.why_mu);
        bool ready = s->metrics.ready;
        json_t *o = json_pack("{s:f, s:i, s:b, s:s}", "time", cmn_realtime(), "pid",
                              (json_int_t)getpid(), "ready", ready, "why",
                              ready ? "" : s->metrics.not_ready);
        pthread_mutex_unlock(&s->metrics.why_mu);
        char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        if (text) {
                cmn_write_file_atomic(s->cfg->health_file, text, strlen(text), 0644);
                free(text);
        }
}

/* ---- the spool ----------------------------------------------------------------------------- */

/*
 * Post one spooled result. Return: 1 done (the site has it, or took the job back), 0 try
 * again later, -1 refused for good (moved to rejected/).
 */
int grd_svc_post_spooled(struct service *s, struct api_client *api, const struct grd_log_ctx *lc,
                         const char *job_id)
{
        char *json;
        size_t len;
        if (grd_spool_get(s->cfg->spool_dir, job_id, &json, &len) < 0)
                return 1; /* gone meanwhile: another poster finished it */
        char err[512];
        double t0 = cmn_monotonic();
        int r = api_post_result(api, job_id, json, len, err, sizeof(err));
        free(json);
        if (r == 0 || r == API_E_GONE) {
                grd_spool_remove(s->cfg->spool_dir, job_id);
                if (r == 0) {
                        grd_metrics_inc(&s->metrics.results_posted, 1);
                        grd_log(GRD_LOG_INFO, lc,
                                GRD_FIELDS(GRD_F_NUM("post_seconds", cmn_monotonic() - t0)),
                                "result delivered");
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
        grd_log_limited(r == API_E_AUTH ? GRD_LOG_ERROR : GRD_LOG_WARN, lc, NULL,
                        "result not delivered yet, kept in the spool: %s", err);
        return 0;
}

/*
 * Re-send what the spool holds, until the deadline (monotonic seconds); returns the number
 * still pending. The supervisor's client tries each post once (its own backoff is the
 * supervisor's flush interval), so a site that refuses results cannot hold the supervisor,
 * its signals or its health file for long.
 */
static int flush_spool(struct service *s, double deadline)
{
        char **ids;
        int n = grd_spool_list(s->cfg->spool_dir, &ids, SPOOL_BATCH);
        if (n < 0)
                return 0;
        grd_svc_token_sync(s, s->main_api, &s->main_token_gen);
        int pending = 0;
        for (int i = 0; i < n; i++) {
                touch_health(s);
                if (cmn_monotonic() > deadline) {
                        pending++;
                        continue;
                }
                if (!grd_svc_inflight_add(s, ids[i]))
                        continue; /* a worker is posting it right now */
                struct grd_log_ctx lc = {.worker = -1, .job_id = ids[i]};
                if (grd_svc_post_spooled(s, s->main_api, &lc, ids[i]) == 0)
                        pending++;
                grd_svc_inflight_del(s, ids[i]);
        }
        grd_spool_list_free(ids, (size_t)n);
        grd_metrics_set(&s->metrics.spool_pending, (uint64_t)pending);
        return pending;
}

/* ---- numbers the supervisor gathers -------------------------------------------------------- */

/* Sum the clients' counters (retries by call, cache hits and misses) into the metrics. */
static void sum_client_stats(struct service *s)
{
        struct api_stats sum = {0}, st;
        struct api_client *clients[2 * 256 + 2];
        size_t n = 0;
        for (unsigned i = 0; i < s->n_workers && n + 2 < CMN_ARRAY_SIZE(clients); i++) {
                clients[n++] = s->workers[i].api;
                clients[n++] = s->workers[i].hb_api;
        }
        clients[n++] = s->main_api;
        clients[n++] = s->queues_api;
        for (size_t i = 0; i < n; i++) {
                if (!clients[i])
                        continue;
                api_client_stats(clients[i], &st);
                for (size_t k = 0; k < API_CALL_COUNT; k++)
                        sum.retries_by_call[k] += st.retries_by_call[k];
                sum.packages_reused += st.packages_reused;
                sum.packages_built += st.packages_built;
                sum.blobs_reused += st.blobs_reused;
                sum.blobs_downloaded += st.blobs_downloaded;
                sum.bytes_downloaded += st.bytes_downloaded;
        }
        struct grd_metrics *m = &s->metrics;
        for (size_t k = 0; k < API_CALL_COUNT; k++)
                grd_metrics_set(&m->api_retries[k], sum.retries_by_call[k]);
        grd_metrics_set(&m->cache_packages_hit, sum.packages_reused);
        grd_metrics_set(&m->cache_packages_miss, sum.packages_built);
        grd_metrics_set(&m->cache_blobs_hit, sum.blobs_reused);
        grd_metrics_set(&m->cache_blobs_miss, sum.blobs_downloaded);
        grd_metrics_set(&m->cache_downloaded_bytes, sum.bytes_downloaded);
}

static void measure_cache(struct service *s)
{
        uint64_t bytes;
        unsigned long blobs;
        char err[256];
        if (s->workers && s->workers[0].cache &&
            api_cache_usage(s->workers[0].cache, &bytes, &blobs, err, sizeof(err)) == 0)
                grd_metrics_set(&s->metrics.cache_size_bytes, bytes);
}

/* Ask the site for its queue depths (an optional endpoint: a 404 turns the asking off). */
static void poll_queues(struct service *s)
{
        struct api_queues *q = NULL;
        char err[512];
        grd_svc_token_sync(s, s->queues_api, &s->queues_token_gen);
        int r = api_get_queues(s->queues_api, (const char *const *)s->cfg->queues, &q, err,
                               sizeof(err));
        if (r == 0) {
                s->queues_offered = false;
                grd_log(GRD_LOG_INFO, NULL, NULL,
                        "the site does not offer GET /queues (optional): no queue-depth metrics");
                return;
        }
        if (r < 0) {
                grd_log_limited(GRD_LOG_WARN, NULL, NULL, "GET /queues failed: %s", err);
                return;
        }
        for (size_t i = 0; i < q->n_queues; i++)
                grd_metrics_site_queue(&s->metrics, q->queues[i].name, q->queues[i].depth,
                                       q->queues[i].running, q->queues[i].oldest_waiting);
        api_queues_free(q);
}

/* ---- start --------------------------------------------------------------------------------- */

static int setup(struct service *s, char *err, size_t errlen)
{
        struct grd_config *c = s->cfg;
        int r = api_token_read(c->token_file, &s->token, err, errlen);
        if (r < 0)
                return r;
        warn_if_readable(c->token_file);
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
        /* the supervisor's client: one attempt per request, short timeouts (see flush_spool) */
        struct api_client_opts o = {.base_url = c->api_url,
                                    .token = s->token,
                                    .ca_file = c->ca_file,
                                    .max_attempts = 1,
                                    .connect_timeout_ms = 3000,
                                    .timeout_ms = 10000};
        r = api_client_new(&o, &s->main_api, err, errlen);
        /* GET /queues is optional and asked by the supervisor: a site slow to answer it must
         * not hold signals and the health file for long */
        o.connect_timeout_ms = 2000;
        o.timeout_ms = 3000;
        return r < 0 ? r : api_client_new(&o, &s->queues_api, err, errlen);
}

static int start_metrics(struct service *s, char *err, size_t errlen)
{
        struct sbx_layers l;
        sbx_policy_layers(s->policy, &l);
        const char *mode = l.privileged ? "privileged" : l.user_ns ? "user namespace" : "weakest";
        cmn_strlcpy(s->metrics.sandbox_mode, mode, sizeof(s->metrics.sandbox_mode));
        grd_log(GRD_LOG_INFO, NULL,
                GRD_FIELDS(GRD_F_STR("version", GRADER_VERSION), GRD_F_STR("sandbox", mode),
                           GRD_F_STR("api_url", s->cfg->api_url)),
                "grader starting");
        if (!s->cfg->metrics_listen)
                return 0;
        unsigned port = 0;
        int r = grd_metrics_serve(&s->metrics, s->cfg->metrics_listen, STALE_AFTER, &s->metrics_srv,
                                  &port, err, errlen);
        if (r == 0)
                grd_log(GRD_LOG_INFO, NULL, GRD_FIELDS(GRD_F_INT("port", port)), "metrics on %s",
                        s->cfg->metrics_listen);
        return r;
}

static int run_selftest(struct service *s, char *err, size_t errlen)
{
        unsigned slot;
        int lock = -1;
        int r = sbx_slot_acquire(s->policy, 0, GRD_SLOT_COUNT, &slot, &lock);
        if (r < 0)
                snprintf(err, errlen, "%s", strerror(-r));
        else if (grd_selftest(s->policy, s->langs, slot, NULL, NULL, err, errlen) != 0)
                r = -1;
        sbx_slot_release(lock);
        return r;
}

/* Set up, self-test, flush the spool, start the workers. Return: 0, or -1 (logged). */
static int start(struct service *s)
{
        struct grd_config *cfg = s->cfg;
        char err[1024];
        if (setup(s, err, sizeof(err)) < 0) {
                grd_log(GRD_LOG_ERROR, NULL, NULL, "cannot start: %s", err);
                return -1;
        }
        if (start_metrics(s, err, sizeof(err)) < 0) {
                grd_log(GRD_LOG_ERROR, NULL, NULL, "metrics_listen '%s': %s", cfg->metrics_listen,
                        err);
                return -1;
        }
        touch_health(s);
        if (cfg->selftest && run_selftest(s, err, sizeof(err)) < 0) {
                grd_log(GRD_LOG_ERROR, NULL, NULL,
                        "self-test failed, claiming nothing: %s (run 'grader doctor')", err);
                return -1;
        }
        if (cfg->selftest)
                grd_log(GRD_LOG_INFO, NULL, NULL, "self-test passed");
        int pending = flush_spool(s, cmn_monotonic() + 30);
        if (pending)
                grd_log(GRD_LOG_WARN, NULL, NULL, "%d spooled results not delivered yet", pending);

        s->n_workers = cfg->workers ? cfg->workers : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
        if (s->n_workers < 1)
                s->n_workers = 1;
        s->workers = calloc(s->n_workers, sizeof(*s->workers));
        for (unsigned i = 0; s->workers && i < s->n_workers; i++) {
                if (grd_worker_init(s, &s->workers[i], (int)i, err, sizeof(err)) < 0) {
                        grd_log(GRD_LOG_ERROR, NULL, NULL, "cannot start worker %u: %s", i, err);
                        s->n_workers = i + 1;
                        return -1;
                }
        }
        if (!s->workers)
                return -1;
        grd_metrics_set(&s->metrics.workers, s->n_workers);
        s->running = (int)s->n_workers;
        s->last_progress = cmn_monotonic();
        for (unsigned i = 0; i < s->n_workers; i++) {
                struct worker *w = &s->workers[i];
                w->hb_started = pthread_create(&w->hb_thread, NULL, grd_heartbeat_main, w) == 0;
                w->started = pthread_create(&w->thread, NULL, grd_worker_main, w) == 0;
                if (!w->started)
                        __atomic_sub_fetch(&s->running, 1, __ATOMIC_SEQ_CST);
        }
        pthread_mutex_lock(&s->health_mu);
        s->claiming = true;
        publish_ready(s, NULL);
        pthread_mutex_unlock(&s->health_mu);
        notify_systemd("READY=1\nSTATUS=claiming");
        grd_log(GRD_LOG_INFO, NULL, GRD_FIELDS(GRD_F_INT("workers", s->n_workers)),
                "%u workers claiming from queues %s%s", s->n_workers, cfg->queues[0],
                cfg->queues[1] ? ", ..." : "");
        return 0;
}

/* ---- the supervisor ------------------------------------------------------------------------ */

struct clock {
        double stop_at, last_health, next_queues, next_cache;
};

/* A signal: SIGTERM/SIGINT stop claiming (a second one ends the grace period), SIGHUP reads
 * the token again. */
static void on_signal(struct service *s, int sig, struct clock *k, double now)
{
        if (sig == SIGHUP) {
                grd_svc_token_reload(s, "SIGHUP");
                return;
        }
        if (sig != SIGTERM && sig != SIGINT)
                return;
        if (s->stop) {
                k->stop_at = now; /* a second signal: do not wait any longer */
                return;
        }
        s->stop = 1;
        k->stop_at = now + s->cfg->grace;
        pthread_mutex_lock(&s->health_mu);
        publish_ready(s, "stopping");
        pthread_mutex_unlock(&s->health_mu);
        notify_systemd("STOPPING=1");
        grd_log(GRD_LOG_INFO, NULL, GRD_FIELDS(GRD_F_NUM("grace_seconds", s->cfg->grace)),
                "%s: no more claims; finishing work in hand",
                sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

/* exit_when_idle: nothing answered and nothing in hand for give_up_after seconds? */
static void check_give_up(struct service *s, double now)
{
        if (!s->cfg->exit_when_idle || s->stop ||
            __atomic_load_n(&s->metrics.workers_busy, __ATOMIC_RELAXED))
                return;
        pthread_mutex_lock(&s->health_mu);
        double idle = now - s->last_progress;
        char why[sizeof(s->metrics.not_ready)] = "no claim answered";
        pthread_mutex_lock(&s->metrics.why_mu);
        if (s->unready)
                cmn_strlcpy(why, s->metrics.not_ready, sizeof(why));
        pthread_mutex_unlock(&s->metrics.why_mu);
        pthread_mutex_unlock(&s->health_mu);
        if (idle < s->cfg->give_up_after)
                return;
        s->gave_up = true;
        s->stop = 1;
        char msg[sizeof(why) + 80];
        snprintf(msg, sizeof(msg), "giving up: no claim succeeded for %.0f s (give_up_after): %s",
                 idle, why);
        grd_log(GRD_LOG_ERROR, NULL, GRD_FIELDS(GRD_F_NUM("idle_seconds", idle)), "%s", msg);
        pthread_mutex_lock(&s->health_mu);
        publish_ready(s, msg);
        pthread_mutex_unlock(&s->health_mu);
        touch_health(s);
}

/* One turn of the supervisor's periodic duties. */
static void tick(struct service *s, struct clock *k, double now)
{
        if (s->stop && !s->abort && now >= k->stop_at) {
                s->abort = 1;
                grd_log(GRD_LOG_WARN, NULL, NULL,
                        "grace period over: stopping and releasing work in hand");
                for (unsigned i = 0; i < s->n_workers; i++)
                        sbx_cancel(&s->workers[i].cancel);
        }
        if (now - k->last_health >= HEALTH_INTERVAL) {
                touch_health(s);
                sum_client_stats(s);
                grd_log_flush_repeats();
                notify_systemd("WATCHDOG=1");
                check_give_up(s, now);
                k->last_health = now;
        }
        if (now >= k->next_cache) {
                measure_cache(s);
                k->next_cache = now + CACHE_INTERVAL;
        }
        if (s->queues_offered && !s->stop && now >= k->next_queues) {
                poll_queues(s);
                k->next_queues = now + QUEUES_INTERVAL;
        }
        if (now >= s->spool_next) {
                int left = flush_spool(s, now + 5);
                /* back off while the site does not take results, up to a minute */
                s->spool_delay = left ? fmin(s->spool_delay * 2, 60) : 2;
                s->spool_next = now + s->spool_delay;
        }
}

/* Wait for signals and do the periodic duties until every worker has left its loop. */
static void supervise(struct service *s, const sigset_t *sigs)
{
        struct clock k = {0};
        s->spool_delay = 2;
        s->spool_next = cmn_monotonic() + s->spool_delay;
        s->queues_offered = true;
        while (__atomic_load_n(&s->running, __ATOMIC_SEQ_CST) > 0) {
                struct timespec ts = {0, 250 * 1000 * 1000};
                int sig = sigtimedwait(sigs, NULL, &ts);
                double now = cmn_monotonic();
                if (sig > 0)
                        on_signal(s, sig, &k, now);
                tick(s, &k, now);
        }
        s->stop = 1;
}

/* Join the threads, flush the spool a last time (after a clean run), free everything. */
static void stop(struct service *s, bool flush)
{
        grd_metrics_set_ready(&s->metrics, false, "stopped");
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
        if (flush && s->main_api) {
                /* one more pass, bounded: what is left waits for the next start */
                int left = flush_spool(s, cmn_monotonic() + 5);
                grd_log(left ? GRD_LOG_WARN : GRD_LOG_INFO, NULL,
                        GRD_FIELDS(GRD_F_INT("spool_pending", left)),
                        "stopped; %d results left in the spool for the next start", left);
        }
        grd_log_flush_repeats();
        for (unsigned i = 0; s->workers && i < s->n_workers; i++)
                grd_worker_release(&s->workers[i]);
        free(s->workers);
        grd_metrics_stop(s->metrics_srv);
        api_client_free(s->main_api);
        api_client_free(s->queues_api);
        sbx_policy_free(s->policy);
        grd_languages_free(s->langs);
        api_token_free(s->token);
        pthread_mutex_destroy(&s->inflight_mu);
        pthread_mutex_destroy(&s->token_mu);
        pthread_mutex_destroy(&s->health_mu);
}

int grd_service_run(struct grd_config *cfg)
{
        struct service *s = calloc(1, sizeof(*s));
        if (!s)
                return 1;
        s->cfg = cfg;
        pthread_mutex_init(&s->inflight_mu, NULL);
        pthread_mutex_init(&s->token_mu, NULL);
        pthread_mutex_init(&s->health_mu, NULL);
        grd_metrics_init(&s->metrics, (const char *const *)cfg->queues);

        /* Signals go to the supervisor alone, through sigtimedwait. */
        sigset_t sigs;
        sigemptyset(&sigs);
        sigaddset(&sigs, SIGTERM);
        sigaddset(&sigs, SIGINT);
        sigaddset(&sigs, SIGHUP);
        pthread_sigmask(SIG_BLOCK, &sigs, NULL);
        signal(SIGPIPE, SIG_IGN);

        int rc = 1;
        if (start(s) == 0) {
                supervise(s, &sigs);
                rc = s->gave_up ? 1 : 0;
        }
        stop(s, rc == 0 || s->gave_up);
        free(s);
        return rc;
}
