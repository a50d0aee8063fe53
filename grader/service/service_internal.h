/* SPDX-License-Identifier: MIT */
/* Private declarations shared by the service loop's files: the service, its workers. */
#ifndef GRADER_SERVICE_INTERNAL_H
#define GRADER_SERVICE_INTERNAL_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "api.h"
#include "build.h"
#include "config.h"
#include "language.h"
#include "log.h"
#include "metrics.h"
#include "sandbox.h"
#include "grade.h"

struct service;

struct worker {
        int index;
        struct service *svc;
        pthread_t thread, hb_thread;
        bool started, hb_started;
        char id[160];
        struct api_client *api, *hb_api;
        unsigned long token_gen, hb_token_gen; /* the token each client sends (service's gen) */
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
        unsigned internal_errors; /* in a row: a broken grader must not spin on the queue */
        /* the last package's validator, reused while the revision stays the same */
        char vkey[2 * API_ID_MAX + 2];
        struct grd_validator validator;
        bool have_validator;
};

struct service {
        struct grd_config *cfg;
        struct sbx_policy *policy;
        struct grd_languages *langs;
        const char *lang_ids[64];
        struct grd_metrics metrics;
        struct grd_metrics_server *metrics_srv;
        volatile sig_atomic_t stop;  /* stop claiming */
        volatile sig_atomic_t abort; /* the grace period is over: cancel work in hand */
        bool gave_up;                /* exit_when_idle: no claim succeeded for give_up_after */
        unsigned n_workers;
        struct worker *workers;
        int running; /* workers still in their loop (atomic) */
        pthread_mutex_t inflight_mu;
        char inflight[256][API_ID_MAX + 1];
        struct api_client *main_api;   /* the supervisor's: spooled results */
        struct api_client *queues_api; /* the supervisor's: GET /queues, short timeouts */
        unsigned long main_token_gen, queues_token_gen;
        double spool_next, spool_delay;
        /* the token, read again on SIGHUP and after a 401; clients follow token_gen */
        pthread_mutex_t token_mu;
        char *token;
        unsigned long token_gen;
        /* health: claims failing in a row, and the last time work went well (monotonic) */
        pthread_mutex_t health_mu;
        unsigned claim_failures;
        double last_progress;
        bool claiming, unready;
        bool queues_offered; /* the site answers GET /queues (until it says 404) */
};

/* service.c */
struct grd_log_ctx grd_svc_ctx(const struct worker *w, const struct api_job *j);
void grd_svc_sleep(struct service *s, double seconds);
bool grd_svc_inflight_add(struct service *s, const char *id);
void grd_svc_inflight_del(struct service *s, const char *id);
int grd_svc_post_spooled(struct service *s, struct api_client *api, const struct grd_log_ctx *lc,
                         const char *job_id);
/* Make the client send the service's current token; *gen is the one it sends now. */
void grd_svc_token_sync(struct service *s, struct api_client *api, unsigned long *gen);
/* Read the token file again (why: "SIGHUP", "a 401"); Return: true when the token changed. */
bool grd_svc_token_reload(struct service *s, const char *why);
/* Account for a claim's outcome (r of api_claim) in the health state. */
void grd_svc_claim_done(struct service *s, int r, const char *err);
/* A job ended (whatever the outcome): work is going on, for exit_when_idle's give-up. */
void grd_svc_progress(struct service *s);

/* worker.c */
int grd_worker_init(struct service *s, struct worker *w, int index, char *err, size_t errlen);
void grd_worker_release(struct worker *w);
void *grd_worker_main(void *arg);
void *grd_heartbeat_main(void *arg);

#endif
