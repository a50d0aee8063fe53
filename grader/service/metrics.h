/* SPDX-License-Identifier: MIT */
/*
 * Service metrics: counters the workers bump (lock-free), and an optional HTTP endpoint
 * (libmicrohttpd) serving them in the Prometheus text exposition format, plus /healthz and
 * /readyz for probes.
 */
#ifndef GRADER_METRICS_H
#define GRADER_METRICS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "verdict.h"

#define GRD_METRICS_MAX_QUEUES 16
#define GRD_METRICS_VERDICTS   (GRD_VERDICT_IE + 1)

/* Fixed buckets (seconds) of the two duration histograms. */
#define GRD_METRICS_BUCKETS 10
extern const double grd_metrics_buckets[GRD_METRICS_BUCKETS];

struct grd_histogram {
        uint64_t buckets[GRD_METRICS_BUCKETS]; /* cumulative is computed when rendering */
        uint64_t count;
        uint64_t sum_us; /* microseconds */
};

/* A queue as the site's GET /queues reported it (docs/api.md). */
struct grd_site_queue {
        uint64_t depth, running;
        uint64_t oldest_waiting_ms;
        int known; /* reported at least once */
};

/* Every field is updated with __atomic builtins through the functions below. */
struct grd_metrics {
        unsigned n_queues;
        char queues[GRD_METRICS_MAX_QUEUES][64];
        /* jobs finished, by queue and verdict; index n_queues is "other" */
        uint64_t jobs[GRD_METRICS_MAX_QUEUES + 1][GRD_METRICS_VERDICTS];
        struct grd_site_queue site[GRD_METRICS_MAX_QUEUES]; /* by queue, from GET /queues */
        uint64_t claims_job, claims_empty, claims_error;
        uint64_t last_claim_ok_ms;                        /* realtime of the last claim answered 200
                                                             or 204; 0: none yet */
        uint64_t api_retries[API_CALL_COUNT];             /* summed from the clients, by call */
        uint64_t cache_packages_hit, cache_packages_miss; /* packages reused / built */
        uint64_t cache_blobs_hit, cache_blobs_miss;       /* blobs reused / downloaded */
        uint64_t cache_downloaded_bytes;
        uint64_t cache_size_bytes; /* gauge: the blobs under cache_dir */
        uint64_t internal_errors;  /* jobs released because of a grader fault */
        uint64_t leases_lost;
        uint64_t results_posted;  /* accepted by the site (200 or 409) */
        uint64_t results_spooled; /* written to the spool, awaiting the site */
        uint64_t releases;
        uint64_t spool_pending; /* gauge */
        uint64_t workers;       /* gauge */
        uint64_t workers_busy;  /* gauge */
        struct grd_histogram claim_seconds;
        struct grd_histogram grading_seconds;
        struct grd_histogram compile_seconds;
        double started_at;      /* realtime */
        char sandbox_mode[32];  /* "privileged", "user namespace" or "weakest" */
        volatile int ready;     /* self-test passed, claiming, the site answers */
        volatile int alive_ts;  /* monotonic seconds of the loop's last sign of life */
        pthread_mutex_t why_mu; /* guards not_ready */
        char not_ready[256];    /* why ready is 0, for /readyz's body */
};

/*
 * grd_metrics_init - zero it, set started_at, and record the queue names (a NULL-terminated
 * list, may be NULL; the first GRD_METRICS_MAX_QUEUES distinct non-empty names, each truncated
 * to 63 bytes). Call it before any thread uses m.
 */
void grd_metrics_init(struct grd_metrics *m, const char *const *queues);

/* grd_metrics_inc - add n to a counter of m (atomic, relaxed; any thread). */
void grd_metrics_inc(uint64_t *counter, uint64_t n);
/* grd_metrics_set - set a gauge of m (atomic, relaxed; any thread). */
void grd_metrics_set(uint64_t *gauge, uint64_t v);
/* grd_metrics_observe - count one duration in h's first bucket whose bound is >= seconds (none:
 * +Inf only), its sum and its count; a negative or NaN duration counts as 0. Any thread. */
void grd_metrics_observe(struct grd_histogram *h, double seconds);
/*
 * grd_metrics_set_ready - set the readiness /readyz and grader_ready report; when not ready,
 * why (may be NULL) becomes /readyz's body. Any thread.
 */
void grd_metrics_set_ready(struct grd_metrics *m, bool ready, const char *why);

/*
 * grd_metrics_site_queue - record what GET /queues said of queue name; a queue not given to
 * grd_metrics_init is ignored. Any thread.
 */
void grd_metrics_site_queue(struct grd_metrics *m, const char *name, uint64_t depth,
                            uint64_t running, double oldest_waiting_seconds);

/* grd_metrics_job - count one finished job of queue (NULL or a queue not given to
 * grd_metrics_init: the "other" slot) with verdict v. Any thread. */
void grd_metrics_job(struct grd_metrics *m, const char *queue, enum grd_verdict v);

/*
 * grd_metrics_render - the Prometheus text exposition (version 0.0.4) of every metric into a
 * malloc'd string (caller frees). Names: grader_jobs_total{queue,verdict},
 * grader_claims_total{result="job|empty|error"}, grader_last_successful_claim_timestamp_seconds,
 * grader_api_retries_total{endpoint}, grader_internal_errors_total, grader_leases_lost_total,
 * grader_results_posted_total, grader_results_spooled_total, grader_releases_total,
 * grader_spool_pending, grader_workers, grader_workers_busy,
 * grader_cache_packages_total{result="hit|miss"}, grader_cache_blobs_total{result="hit|miss"},
 * grader_cache_downloaded_bytes_total, grader_cache_size_bytes,
 * grader_claim_duration_seconds, grader_grading_duration_seconds and
 * grader_compile_duration_seconds (histograms), grader_site_queue_depth{queue},
 * grader_site_queue_running{queue}, grader_site_queue_oldest_waiting_seconds{queue} (once the
 * site answered GET /queues), grader_ready, grader_start_time_seconds,
 * grader_build_info{version}, grader_sandbox_mode{mode}, and the standard process_* metrics
 * (process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
 * process_open_fds, process_max_fds, process_start_time_seconds).
 * Return: the text, or NULL when out of memory.
 */
char *grd_metrics_render(struct grd_metrics *m);

/* The numbers behind the standard process_* metrics. */
struct grd_process_stats {
        double cpu_seconds; /* user + system, every thread */
        uint64_t rss_bytes, vsize_bytes;
        unsigned open_fds;
        uint64_t max_fds;  /* the soft RLIMIT_NOFILE */
        double start_time; /* seconds since the epoch */
};

/* grd_process_stats - read them for this process from /proc/self. Return: 0 or -errno. */
int grd_process_stats(struct grd_process_stats *ret);

struct grd_metrics_server;

/*
 * grd_metrics_serve - serve GET /metrics, /healthz (200 while m->alive_ts is at most
 * stale_after seconds old, else 503) and /readyz (200 while m->ready, else 503 with the
 * reason as its body) on
 * addr "HOST:PORT" (IPv4 or [IPv6]; port 0 picks one) in libmicrohttpd's own thread.
 * Any other path is 404, any other method 405.
 * @ret_port: the port actually bound (may be NULL).
 * Return: 0; -EINVAL for a malformed address (err says why); -errno when it cannot listen.
 */
int grd_metrics_serve(struct grd_metrics *m, const char *addr, int stale_after,
                      struct grd_metrics_server **ret, unsigned *ret_port, char *err,
                      size_t errlen);

/* grd_metrics_stop - stop serving and free; accepts NULL. */
void grd_metrics_stop(struct grd_metrics_server *s);

#endif
