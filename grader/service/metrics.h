/* SPDX-License-Identifier: MIT */
/*
 * Service metrics: counters the workers bump (lock-free), and an optional HTTP endpoint
 * (libmicrohttpd) serving them in the Prometheus text exposition format, plus /healthz and
 * /readyz for probes.
 */
#ifndef GRADER_METRICS_H
#define GRADER_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Every field is updated with __atomic builtins through the functions below. */
struct grd_metrics {
        unsigned n_queues;
        char queues[GRD_METRICS_MAX_QUEUES][64];
        /* jobs finished, by queue and verdict; index n_queues is "other" */
        uint64_t jobs[GRD_METRICS_MAX_QUEUES + 1][GRD_METRICS_VERDICTS];
        uint64_t claims_job, claims_empty, claims_error;
        uint64_t api_retries;     /* summed from the workers' clients */
        uint64_t internal_errors; /* jobs released because of a grader fault */
        uint64_t leases_lost;
        uint64_t results_posted;  /* accepted by the site (200 or 409) */
        uint64_t results_spooled; /* written to the spool, awaiting the site */
        uint64_t releases;
        uint64_t spool_pending; /* gauge */
        uint64_t workers;       /* gauge */
        uint64_t workers_busy;  /* gauge */
        struct grd_histogram claim_seconds;
        struct grd_histogram grading_seconds;
        double started_at;     /* realtime */
        volatile int ready;    /* self-test passed, claiming */
        volatile int alive_ts; /* monotonic seconds of the loop's last sign of life */
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
/* grd_metrics_job - count one finished job of queue (NULL or a queue not given to
 * grd_metrics_init: the "other" slot) with verdict v. Any thread. */
void grd_metrics_job(struct grd_metrics *m, const char *queue, enum grd_verdict v);

/*
 * grd_metrics_render - the Prometheus text exposition (version 0.0.4) of every metric into a
 * malloc'd string (caller frees). Names: grader_jobs_total{queue,verdict},
 * grader_claims_total{result="job|empty|error"}, grader_api_retries_total,
 * grader_internal_errors_total, grader_leases_lost_total, grader_results_posted_total,
 * grader_results_spooled_total, grader_releases_total, grader_spool_pending,
 * grader_workers, grader_workers_busy, grader_claim_duration_seconds (histogram),
 * grader_grading_duration_seconds (histogram), grader_ready, grader_start_time_seconds.
 * Return: the text, or NULL when out of memory.
 */
char *grd_metrics_render(struct grd_metrics *m);

struct grd_metrics_server;

/*
 * grd_metrics_serve - serve GET /metrics, /healthz (200 while m->alive_ts is at most
 * stale_after seconds old, else 503) and /readyz (200 while m->ready, else 503) on
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
