/* SPDX-License-Identifier: MIT */
/*
 * Service metrics: lock-free counters for the workers, their Prometheus text rendering, and the
 * libmicrohttpd endpoint serving it together with the /healthz and /readyz probes.
 *
 * Theory of operation: struct grd_metrics lives for the whole service. Workers change its
 * numbers with relaxed __atomic operations only; nothing is ever locked. The renderer reads every
 * number with __atomic_load_n, so a scrape is not one instant's snapshot, but every series it
 * shows is a value that really was there, and a histogram is fixed up so that its buckets stay
 * cumulative and +Inf equals _count. The queue names are written once by grd_metrics_init, before
 * any worker or the HTTP thread starts, and only read afterwards.
 *
 * The HTTP endpoint runs in libmicrohttpd's own polling thread, started with every asynchronous
 * signal blocked so that SIGTERM, SIGINT and SIGCHLD keep going to the service's threads.
 * Requests are answered at once from the access handler (no request body is ever read).
 */
#include "metrics.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "common.h"

/* The size of a queue name slot, terminating NUL included. */
#define QUEUE_SLOT sizeof(((struct grd_metrics *)NULL)->queues[0])

/*
 * Claims long-poll for up to about 30 s and grading takes from tens of milliseconds (a rejected
 * compile) to a few minutes (many tests near their time limits); anything slower lands in +Inf.
 */
const double grd_metrics_buckets[GRD_METRICS_BUCKETS] = {0.01, 0.05, 0.1, 0.5, 1,
                                                         2,    5,    10,  30,  120};

/* The Content-Type of the text exposition format, version 0.0.4. */
#define EXPOSITION_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* At most this many scrapers and probes at once, each idle at most this many seconds. */
#define HTTP_CONNECTION_LIMIT   64u
#define HTTP_CONNECTION_TIMEOUT 10u

struct grd_metrics_server {
        struct MHD_Daemon *daemon;
        struct grd_metrics *m;
        int stale_after;
};

/* Does the stored (possibly truncated) queue name stand for name? */
static bool queue_matches(const char *stored, const char *name)
{
        size_t n = strlen(stored);
        if (strncmp(stored, name, n) != 0)
                return false;
        /* a name longer than the slot was stored truncated: its prefix identifies it */
        return name[n] == '\0' || n == QUEUE_SLOT - 1;
}

void grd_metrics_init(struct grd_metrics *m, const char *const *queues)
{
        memset(m, 0, sizeof(*m));
        for (size_t i = 0; queues && queues[i] && m->n_queues < GRD_METRICS_MAX_QUEUES; i++) {
                const char *q = queues[i];
                bool seen = false;
                /* an empty label value means "no label" to Prometheus and a repeat would
                 * render duplicate series, either breaking the scrape: an empty name counts
                 * under "other", a repeat under its first occurrence */
                if (!*q)
                        continue;
                for (unsigned j = 0; j < m->n_queues && !seen; j++)
                        seen = queue_matches(m->queues[j], q);
                if (seen)
                        continue;
                cmn_strlcpy(m->queues[m->n_queues], q, QUEUE_SLOT);
                m->n_queues++;
        }
        m->started_at = cmn_realtime();
        pthread_mutex_init(&m->why_mu, NULL);
        cmn_strlcpy(m->not_ready, "starting", sizeof(m->not_ready));
}

void grd_metrics_set_ready(struct grd_metrics *m, bool ready, const char *why)
{
        pthread_mutex_lock(&m->why_mu);
        cmn_strlcpy(m->not_ready, ready ? "" : why ? why : "not ready", sizeof(m->not_ready));
        __atomic_store_n(&m->ready, ready ? 1 : 0, __ATOMIC_RELAXED);
        pthread_mutex_unlock(&m->why_mu);
}

void grd_metrics_site_queue(struct grd_metrics *m, const char *name, uint64_t depth,
                            uint64_t running, double oldest_waiting_seconds)
{
        for (unsigned i = 0; i < m->n_queues; i++) {
                if (!queue_matches(m->queues[i], name))
                        continue;
                struct grd_site_queue *q = &m->site[i];
                double ms = oldest_waiting_seconds * 1000;
                __atomic_store_n(&q->depth, depth, __ATOMIC_RELAXED);
                __atomic_store_n(&q->running, running, __ATOMIC_RELAXED);
                __atomic_store_n(&q->oldest_waiting_ms,
                                 ms >= 0 && ms < 1e15 ? (uint64_t)llround(ms) : 0,
                                 __ATOMIC_RELAXED);
                __atomic_store_n(&q->known, 1, __ATOMIC_RELAXED);
                return;
        }
}

void grd_metrics_inc(uint64_t *counter, uint64_t n)
{
        __atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

void grd_metrics_set(uint64_t *gauge, uint64_t v)
{
        __atomic_store_n(gauge, v, __ATOMIC_RELAXED);
}

void grd_metrics_observe(struct grd_histogram *h, double seconds)
{
        /* NaN and negative durations (a clock stepping) count as 0; the clamp keeps the
         * conversion to microseconds defined (1e12 s is far past any real duration) */
        if (!(seconds >= 0))
                seconds = 0;
        if (seconds > 1e12)
                seconds = 1e12;
        for (size_t i = 0; i < GRD_METRICS_BUCKETS; i++) {
                if (seconds <= grd_metrics_buckets[i]) {
                        __atomic_fetch_add(&h->buckets[i], 1, __ATOMIC_RELAXED);
                        break;
                }
        }
        __atomic_fetch_add(&h->sum_us, (uint64_t)llround(seconds * 1e6), __ATOMIC_RELAXED);
        __atomic_fetch_add(&h->count, 1, __ATOMIC_RELAXED);
}

void grd_metrics_job(struct grd_metrics *m, const char *queue, enum grd_verdict v)
{
        assert((unsigned)v < GRD_METRICS_VERDICTS);
        if ((unsigned)v >= GRD_METRICS_VERDICTS)
                v = GRD_VERDICT_IE;
        unsigned q = m->n_queues; /* "other" */
        for (unsigned i = 0; queue && i < m->n_queues; i++) {
                if (queue_matches(m->queues[i], queue)) {
                        q = i;
                        break;
                }
        }
        __atomic_fetch_add(&m->jobs[q][v], 1, __ATOMIC_RELAXED);
}

/* ---- rendering ---- */

/* A growable string; after a failed allocation every append is a no-op and failed is set. */
struct sbuf {
        char *p;
        size_t len, cap;
        bool failed;
};

static bool sb_reserve(struct sbuf *b, size_t more)
{
        if (b->failed)
                return false;
        if (b->len + more + 1 <= b->cap)
                return true;
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + more + 1)
                cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
                b->failed = true;
                return false;
        }
        b->p = p;
        b->cap = cap;
        return true;
}

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
                b->failed = true;
                return;
        }
        if (!sb_reserve(b, (size_t)n))
                return;
        va_start(ap, fmt);
        vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        b->len += (size_t)n;
}

/* A label value: backslash, double quote and newline escaped as the exposition format says. */
static void sb_label_value(struct sbuf *b, const char *s)
{
        for (; *s; s++) {
                const char *esc = *s == '\\'   ? "\\\\"
                                  : *s == '"'  ? "\\\""
                                  : *s == '\n' ? "\\n"
                                               : NULL;
                size_t n = esc ? 2 : 1;
                if (!sb_reserve(b, n))
                        return;
                memcpy(b->p + b->len, esc ? esc : s, n);
                b->len += n;
                b->p[b->len] = '\0';
        }
}

static void sb_family(struct sbuf *b, const char *name, const char *type, const char *help)
{
        sb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static uint64_t load(const uint64_t *p)
{
        return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* The unlabelled counters and gauges, in rendering order. */
static const struct scalar {
        const char *name, *type, *help;
        size_t offset;
} scalars[] = {
        {"grader_internal_errors_total", "counter",
         "Jobs released because of a fault of the grader itself.",
         offsetof(struct grd_metrics, internal_errors)},
        {"grader_leases_lost_total", "counter", "Job leases the course site took back.",
         offsetof(struct grd_metrics, leases_lost)},
        {"grader_results_posted_total", "counter", "Results the course site accepted (200 or 409).",
         offsetof(struct grd_metrics, results_posted)},
        {"grader_results_spooled_total", "counter",
         "Results written to the spool to be posted later.",
         offsetof(struct grd_metrics, results_spooled)},
        {"grader_releases_total", "counter", "Jobs released back to the course site.",
         offsetof(struct grd_metrics, releases)},
        {"grader_spool_pending", "gauge", "Results in the spool awaiting the course site.",
         offsetof(struct grd_metrics, spool_pending)},
        {"grader_workers", "gauge", "Worker threads.", offsetof(struct grd_metrics, workers)},
        {"grader_workers_busy", "gauge", "Worker threads holding a job.",
         offsetof(struct grd_metrics, workers_busy)},
        {"grader_cache_downloaded_bytes_total", "counter",
         "Bytes of problem package files downloaded from the course site.",
         offsetof(struct grd_metrics, cache_downloaded_bytes)},
        {"grader_cache_size_bytes", "gauge", "Bytes of the package cache's blobs on disk.",
         offsetof(struct grd_metrics, cache_size_bytes)},
};

/* Counters with a hit/miss label, in rendering order. */
static const struct hit_miss {
        const char *name, *help;
        size_t hit, miss;
} hit_misses[] = {
        {"grader_cache_packages_total",
         "Problem packages needed: hit, already materialised; miss, fetched and built.",
         offsetof(struct grd_metrics, cache_packages_hit),
         offsetof(struct grd_metrics, cache_packages_miss)},
        {"grader_cache_blobs_total",
         "Package files needed while building: hit, in the cache; miss, downloaded.",
         offsetof(struct grd_metrics, cache_blobs_hit),
         offsetof(struct grd_metrics, cache_blobs_miss)},
};

static const uint64_t *field_of(const struct grd_metrics *m, size_t offset)
{
        return (const uint64_t *)((const char *)m + offset);
}

static void render_jobs(struct sbuf *b, struct grd_metrics *m)
{
        unsigned other_as = m->n_queues; /* a real queue named "other" absorbs the slot */
        for (unsigned i = 0; i < m->n_queues; i++) {
                if (!strcmp(m->queues[i], "other"))
                        other_as = i;
        }
        sb_family(b, "grader_jobs_total", "counter", "Jobs graded, by queue and verdict.");
        for (unsigned q = 0; q <= m->n_queues; q++) {
                if (q == m->n_queues && other_as != m->n_queues)
                        break;
                for (unsigned v = 0; v < GRD_METRICS_VERDICTS; v++) {
                        uint64_t n = load(&m->jobs[q][v]);
                        if (q == other_as && q != m->n_queues)
                                n += load(&m->jobs[m->n_queues][v]);
                        sb_printf(b, "grader_jobs_total{queue=\"");
                        sb_label_value(b, q < m->n_queues ? m->queues[q] : "other");
                        sb_printf(b, "\",verdict=\"%s\"} %llu\n",
                                  grd_verdict_name((enum grd_verdict)v), (unsigned long long)n);
                }
        }
}

static void render_histogram(struct sbuf *b, const char *name, const char *help,
                             const struct grd_histogram *h)
{
        sb_family(b, name, "histogram", help);
        uint64_t cum = 0;
        for (size_t i = 0; i < GRD_METRICS_BUCKETS; i++) {
                cum += load(&h->buckets[i]);
                sb_printf(b, "%s_bucket{le=\"%g\"} %llu\n", name, grd_metrics_buckets[i],
                          (unsigned long long)cum);
        }
        /* count is read after the buckets: an observation racing with us may show in count but
         * not in its bucket (fine, it is above the finite ones) or, with relaxed ordering, the
         * other way round, which would make +Inf smaller than the buckets below it */
        uint64_t count = load(&h->count);
        if (count < cum)
                count = cum;
        sb_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)count);
        sb_printf(b, "%s_sum %.6f\n", name, (double)load(&h->sum_us) / 1e6);
        sb_printf(b, "%s_count %llu\n", name, (unsigned long long)count);
}

/* What the site's GET /queues said, for the configured queues it reported. */
static void render_site_queues(struct sbuf *b, struct grd_metrics *m)
{
        static const struct {
                const char *name, *help;
        } families[] = {
                {"grader_site_queue_depth", "Submissions waiting in the queue at the site."},
                {"grader_site_queue_running", "Submissions of the queue being graded now."},
                {"grader_site_queue_oldest_waiting_seconds",
                 "How long the queue's oldest waiting submission has waited."},
        };
        for (size_t f = 0; f < CMN_ARRAY_SIZE(families); f++) {
                bool head = false;
                for (unsigned i = 0; i < m->n_queues; i++) {
                        const struct grd_site_queue *q = &m->site[i];
                        if (!__atomic_load_n(&q->known, __ATOMIC_RELAXED))
                                continue;
                        if (!head)
                                sb_family(b, families[f].name, "gauge", families[f].help);
                        head = true;
                        sb_printf(b, "%s{queue=\"", families[f].name);
                        sb_label_value(b, m->queues[i]);
                        if (f == 2)
                                sb_printf(b, "\"} %.3f\n",
                                          (double)load(&q->oldest_waiting_ms) / 1000);
                        else
                                sb_printf(b, "\"} %llu\n",
                                          (unsigned long long)load(f ? &q->running : &q->depth));
                }
        }
}

/* The process_* metrics every Prometheus client library exports, from /proc/self. */
static void render_process(struct sbuf *b)
{
        struct grd_process_stats p;
        if (grd_process_stats(&p) < 0)
                return;
        sb_family(b, "process_cpu_seconds_total", "counter",
                  "Total user and system CPU time spent in seconds.");
        sb_printf(b, "process_cpu_seconds_total %.2f\n", p.cpu_seconds);
        sb_family(b, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
        sb_printf(b, "process_resident_memory_bytes %llu\n", (unsigned long long)p.rss_bytes);
        sb_family(b, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
        sb_printf(b, "process_virtual_memory_bytes %llu\n", (unsigned long long)p.vsize_bytes);
        sb_family(b, "process_open_fds", "gauge", "Number of open file descriptors.");
        sb_printf(b, "process_open_fds %u\n", p.open_fds);
        sb_family(b, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
        sb_printf(b, "process_max_fds %llu\n", (unsigned long long)p.max_fds);
        sb_family(b, "process_start_time_seconds", "gauge",
                  "Start time of the process since unix epoch in seconds.");
        sb_printf(b, "process_start_time_seconds %.2f\n", p.start_time);
}

char *grd_metrics_render(struct grd_metrics *m)
{
        struct sbuf b = {0};

        render_jobs(&b, m);

        sb_family(&b, "grader_claims_total", "counter", "Claim requests, by result.");
        sb_printf(&b, "grader_claims_total{result=\"job\"} %llu\n",
                  (unsigned long long)load(&m->claims_job));
        sb_printf(&b, "grader_claims_total{result=\"empty\"} %llu\n",
                  (unsigned long long)load(&m->claims_empty));
        sb_printf(&b, "grader_claims_total{result=\"error\"} %llu\n",
                  (unsigned long long)load(&m->claims_error));

        uint64_t ok_ms = load(&m->last_claim_ok_ms);
        sb_family(&b, "grader_last_successful_claim_timestamp_seconds", "gauge",
                  "When a claim last got an answer (a job or no work), in seconds since the "
                  "epoch; 0: never.");
        sb_printf(&b, "grader_last_successful_claim_timestamp_seconds %.3f\n",
                  (double)ok_ms / 1000);

        sb_family(&b, "grader_api_retries_total", "counter",
                  "Course-site API requests retried, by endpoint.");
        for (size_t i = 0; i < API_CALL_COUNT; i++)
                sb_printf(&b, "grader_api_retries_total{endpoint=\"%s\"} %llu\n",
                          api_call_name((enum api_call)i),
                          (unsigned long long)load(&m->api_retries[i]));

        for (size_t i = 0; i < CMN_ARRAY_SIZE(scalars); i++) {
                const struct scalar *s = &scalars[i];
                sb_family(&b, s->name, s->type, s->help);
                sb_printf(&b, "%s %llu\n", s->name,
                          (unsigned long long)load(field_of(m, s->offset)));
        }
        for (size_t i = 0; i < CMN_ARRAY_SIZE(hit_misses); i++) {
                const struct hit_miss *h = &hit_misses[i];
                sb_family(&b, h->name, "counter", h->help);
                sb_printf(&b, "%s{result=\"hit\"} %llu\n%s{result=\"miss\"} %llu\n", h->name,
                          (unsigned long long)load(field_of(m, h->hit)), h->name,
                          (unsigned long long)load(field_of(m, h->miss)));
        }

        render_histogram(&b, "grader_claim_duration_seconds",
                         "Duration of claim requests, long-polls included.", &m->claim_seconds);
        render_histogram(&b, "grader_grading_duration_seconds", "Duration of grading one job.",
                         &m->grading_seconds);
        render_histogram(&b, "grader_compile_duration_seconds",
                         "Duration of compiling one submission in the sandbox.",
                         &m->compile_seconds);
        render_site_queues(&b, m);

        sb_family(&b, "grader_ready", "gauge",
                  "1 while the self-test passed, the grader claims jobs and the site answers "
                  "its claims, else 0.");
        sb_printf(&b, "grader_ready %d\n", __atomic_load_n(&m->ready, __ATOMIC_RELAXED) ? 1 : 0);
        sb_family(&b, "grader_start_time_seconds", "gauge",
                  "Start time of the service in seconds since the epoch.");
        sb_printf(&b, "grader_start_time_seconds %.3f\n", m->started_at);
        sb_family(&b, "grader_build_info", "gauge", "The grader's version; always 1.");
        sb_printf(&b, "grader_build_info{version=\"%s\"} 1\n", GRADER_VERSION);
        if (m->sandbox_mode[0]) {
                sb_family(&b, "grader_sandbox_mode", "gauge",
                          "The sandbox's isolation mode on this host (grader doctor); always 1.");
                sb_printf(&b, "grader_sandbox_mode{mode=\"");
                sb_label_value(&b, m->sandbox_mode);
                sb_printf(&b, "\"} 1\n");
        }
        render_process(&b);

        if (b.failed || !b.p) {
                free(b.p);
                return NULL;
        }
        return b.p;
}

/* ---- HTTP ---- */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
        if (!err || !errlen)
                return;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
}

/* Queue a response with body (of the given MHD memory mode) and Content-Type. */
static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, char *body, size_t len,
                             enum MHD_ResponseMemoryMode mode, const char *type)
{
        struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
        if (!r) {
                if (mode == MHD_RESPMEM_MUST_FREE)
                        free(body);
                return MHD_NO; /* closes the connection */
        }
        enum MHD_Result ok = MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
        if (ok == MHD_YES)
                ok = MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        if (ok == MHD_YES && status == MHD_HTTP_METHOD_NOT_ALLOWED)
                ok = MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
        if (ok == MHD_YES)
                ok = MHD_queue_response(conn, status, r);
        MHD_destroy_response(r);
        return ok;
}

/* The probes' bodies: MHD only reads them (MHD_RESPMEM_PERSISTENT), it wants them non-const. */
static char body_ok[] = "ok", body_not_ready[] = "not ready", body_stale[] = "stale",
            body_not_found[] = "not found", body_not_allowed[] = "method not allowed";

static enum MHD_Result probe(struct MHD_Connection *conn, bool good, char *bad_body)
{
        char *body = good ? body_ok : bad_body;
        return reply(conn, good ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, body, strlen(body),
                     MHD_RESPMEM_PERSISTENT, "text/plain");
}

/* 200 "ok", or 503 with why the grader is not ready. */
static enum MHD_Result readyz(struct MHD_Connection *conn, struct grd_metrics *m)
{
        pthread_mutex_lock(&m->why_mu);
        bool ready = __atomic_load_n(&m->ready, __ATOMIC_RELAXED) != 0;
        char *body = ready ? NULL : malloc(sizeof(m->not_ready) + 16);
        if (body)
                snprintf(body, sizeof(m->not_ready) + 16, "not ready: %s\n", m->not_ready);
        pthread_mutex_unlock(&m->why_mu);
        if (ready || !body)
                return probe(conn, ready, body_not_ready);
        return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, body, strlen(body), MHD_RESPMEM_MUST_FREE,
                     "text/plain");
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls)
{
        struct grd_metrics_server *s = cls;
        (void)version;
        (void)upload_data;
        (void)upload_data_size;
        (void)req_cls;

        if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
                return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, body_not_allowed,
                             strlen(body_not_allowed), MHD_RESPMEM_PERSISTENT, "text/plain");

        if (!strcmp(url, "/metrics")) {
                char *text = grd_metrics_render(s->m);
                if (!text)
                        return MHD_NO;
                return reply(conn, MHD_HTTP_OK, text, strlen(text), MHD_RESPMEM_MUST_FREE,
                             EXPOSITION_CONTENT_TYPE);
        }
        if (!strcmp(url, "/healthz")) {
                struct timespec now;
                clock_gettime(CLOCK_MONOTONIC, &now);
                long long age =
                        (long long)now.tv_sec - __atomic_load_n(&s->m->alive_ts, __ATOMIC_RELAXED);
                return probe(conn, age <= s->stale_after, body_stale);
        }
        if (!strcmp(url, "/readyz"))
                return readyz(conn, s->m);
        return reply(conn, MHD_HTTP_NOT_FOUND, body_not_found, strlen(body_not_found),
                     MHD_RESPMEM_PERSISTENT, "text/plain");
}

/* Parse "HOST:PORT", "[V6HOST]:PORT" or ":PORT" (every IPv4 interface); numeric hosts only. */
static int parse_addr(const char *addr, struct sockaddr_storage *ss, socklen_t *ret_len, char *err,
                      size_t errlen)
{
        char host[INET6_ADDRSTRLEN];
        const char *h, *hend, *port;
        bool v6;

        if (!addr || !*addr) {
                set_err(err, errlen, "empty address");
                return -EINVAL;
        }
        if (addr[0] == '[') {
                h = addr + 1;
                hend = strchr(h, ']');
                if (!hend || hend[1] != ':') {
                        set_err(err, errlen, "want \"[IPV6]:PORT\"");
                        return -EINVAL;
                }
                port = hend + 2;
                v6 = true;
        } else {
                h = addr;
                hend = strrchr(addr, ':');
                if (!hend) {
                        set_err(err, errlen, "want \"HOST:PORT\"");
                        return -EINVAL;
                }
                if (memchr(h, ':', (size_t)(hend - h))) {
                        set_err(err, errlen, "an IPv6 host goes in brackets: \"[IPV6]:PORT\"");
                        return -EINVAL;
                }
                port = hend + 1;
                v6 = false;
        }

        unsigned long p;
        if (cmn_parse_uint(port, 0, 65535, &p) < 0) {
                set_err(err, errlen, "port must be a number from 0 to 65535");
                return -EINVAL;
        }
        size_t hlen = (size_t)(hend - h);
        if (hlen >= sizeof(host)) {
                set_err(err, errlen, "host too long");
                return -EINVAL;
        }
        memcpy(host, h, hlen);
        host[hlen] = '\0';

        memset(ss, 0, sizeof(*ss));
        if (v6) {
                struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
                sin6->sin6_family = AF_INET6;
                sin6->sin6_port = htons((uint16_t)p);
                if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1) {
                        set_err(err, errlen, "\"%s\" is not a numeric IPv6 address", host);
                        return -EINVAL;
                }
                *ret_len = sizeof(*sin6);
        } else {
                struct sockaddr_in *sin = (struct sockaddr_in *)ss;
                sin->sin_family = AF_INET;
                sin->sin_port = htons((uint16_t)p);
                if (!hlen) {
                        sin->sin_addr.s_addr = htonl(INADDR_ANY);
                } else if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
                        set_err(err, errlen, "\"%s\" is not a numeric IPv4 address", host);
                        return -EINVAL;
                }
                *ret_len = sizeof(*sin);
        }
        return 0;
}

/* The port the daemon listens on, or 0 when it cannot tell. */
static unsigned bound_port(struct MHD_Daemon *d)
{
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        if (info && info->port)
                return info->port;
        info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
        if (!info)
                return 0;
        struct sockaddr_storage ss = {0};
        socklen_t len = sizeof(ss);
        if (getsockname(info->listen_fd, (struct sockaddr *)&ss, &len) < 0)
                return 0;
        if (ss.ss_family == AF_INET)
                return ntohs(((struct sockaddr_in *)&ss)->sin_port);
        if (ss.ss_family == AF_INET6)
                return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        return 0;
}

int grd_metrics_serve(struct grd_metrics *m, const char *addr, int stale_after,
                      struct grd_metrics_server **ret, unsigned *ret_port, char *err, size_t errlen)
{
        struct sockaddr_storage ss;
        socklen_t sslen;
        int r = parse_addr(addr, &ss, &sslen, err, errlen);
        if (r < 0)
                return r;
        if (stale_after < 0) {
                set_err(err, errlen, "negative staleness limit %d", stale_after);
                return -EINVAL;
        }

        struct grd_metrics_server *s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->m = m;
        s->stale_after = stale_after;

        /* MHD_USE_AUTO picks epoll (or poll) over select, which fails on descriptors past
         * FD_SETSIZE, and a busy service may well hold that many. No MHD_USE_ERROR_LOG: this
         * module never prints. */
        unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD;
        if (ss.ss_family == AF_INET6)
                flags |= MHD_USE_IPv6;

        /* MHD's thread inherits our signal mask: keep asynchronous signals off it */
        sigset_t all, old;
        sigfillset(&all);
        sigdelset(&all, SIGSEGV);
        sigdelset(&all, SIGBUS);
        sigdelset(&all, SIGFPE);
        sigdelset(&all, SIGILL);
        sigdelset(&all, SIGABRT);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        errno = 0;
        s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR,
                                     (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT,
                                     HTTP_CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
                                     HTTP_CONNECTION_TIMEOUT, MHD_OPTION_END);
        int e = errno;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (!s->daemon) {
                /* MHD does not report why; errno is what its last failed call (bind, mostly)
                 * left behind */
                r = e ? -e : -EIO;
                set_err(err, errlen, "cannot listen: %s", strerror(-r));
                free(s);
                return r;
        }

        /* Sandboxed children are forked from this process: the listening socket must not leak
         * into them. MHD opens it with SOCK_CLOEXEC on Linux; make sure regardless. */
        const union MHD_DaemonInfo *info =
                MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_LISTEN_FD);
        if (info) {
                int fl = fcntl(info->listen_fd, F_GETFD);
                if (fl >= 0 && !(fl & FD_CLOEXEC))
                        fcntl(info->listen_fd, F_SETFD, fl | FD_CLOEXEC);
        }

        unsigned port = bound_port(s->daemon);
        if (!port) {
                set_err(err, errlen, "cannot tell the port listened on");
                grd_metrics_stop(s);
                return -EIO;
        }
        *ret = s;
        if (ret_port)
                *ret_port = port;
        return 0;
}

void grd_metrics_stop(struct grd_metrics_server *s)
{
        if (!s)
                return;
        MHD_stop_daemon(s->daemon);
        free(s);
}
