/* SPDX-License-Identifier: MIT */
/* Unit tests of metrics: the exposition text, lock-free updates and the HTTP endpoint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "metrics.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static char err[512];

/* ---- a small parser of the exposition format, strict enough to catch mistakes ---- */

#define MAX_SAMPLES  512
#define MAX_FAMILIES 64

struct sample {
        char name[128];
        char labels[512]; /* as written between the braces, escapes kept */
        double value;
};

struct family {
        char name[128];
        char type[16];
        bool help;
};

struct expo {
        struct sample samples[MAX_SAMPLES];
        size_t n_samples;
        struct family families[MAX_FAMILIES];
        size_t n_families;
};

static struct family *find_family(struct expo *e, const char *name)
{
        for (size_t i = 0; i < e->n_families; i++) {
                if (!strcmp(e->families[i].name, name))
                        return &e->families[i];
        }
        return NULL;
}

static struct family *add_family(struct expo *e, const char *name)
{
        struct family *f = find_family(e, name);
        if (f)
                return f;
        assert_true(e->n_families < MAX_FAMILIES);
        f = &e->families[e->n_families++];
        memset(f, 0, sizeof(*f));
        assert_true(strlen(name) < sizeof(f->name));
        strcpy(f->name, name);
        return f;
}

/* The family a sample belongs to: histograms add _bucket, _sum and _count to its name. */
static struct family *family_of(struct expo *e, const char *sample)
{
        struct family *f = find_family(e, sample);
        if (f)
                return f;
        static const char *const suffixes[] = {"_bucket", "_sum", "_count"};
        for (size_t i = 0; i < 3; i++) {
                size_t n = strlen(sample), k = strlen(suffixes[i]);
                if (n > k && !strcmp(sample + n - k, suffixes[i])) {
                        char base[128];
                        snprintf(base, sizeof(base), "%.*s", (int)(n - k), sample);
                        f = find_family(e, base);
                        if (f && !strcmp(f->type, "histogram"))
                                return f;
                }
        }
        return NULL;
}

/* Parse text into e, failing the test on any malformed line, a sample of a family not declared
 * (HELP and TYPE) before it, or a series given twice. */
static void parse(const char *text, struct expo *e)
{
        memset(e, 0, sizeof(*e));
        size_t len = strlen(text);
        assert_true(len > 0);
        assert_int_equal(text[len - 1], '\n');
        const char *line = text;
        while (*line) {
                const char *nl = strchr(line, '\n');
                assert_non_null(nl);
                char buf[1024];
                assert_true((size_t)(nl - line) < sizeof(buf));
                memcpy(buf, line, (size_t)(nl - line));
                buf[nl - line] = '\0';
                line = nl + 1;

                char name[128];
                if (!strncmp(buf, "# HELP ", 7)) {
                        char rest[900];
                        assert_int_equal(sscanf(buf + 7, "%127s %899[^\n]", name, rest), 2);
                        add_family(e, name)->help = true;
                        continue;
                }
                if (!strncmp(buf, "# TYPE ", 7)) {
                        char type[32];
                        assert_int_equal(sscanf(buf + 7, "%127s %31s", name, type), 2);
                        assert_true(!strcmp(type, "counter") || !strcmp(type, "gauge") ||
                                    !strcmp(type, "histogram"));
                        struct family *f = add_family(e, name);
                        assert_string_equal(f->type, ""); /* one TYPE per family */
                        strcpy(f->type, type);
                        continue;
                }
                assert_true(buf[0] != '#' && buf[0] != '\0');

                assert_true(e->n_samples < MAX_SAMPLES);
                struct sample *s = &e->samples[e->n_samples++];
                size_t n = strcspn(buf, "{ ");
                assert_true(n > 0 && n < sizeof(s->name));
                memcpy(s->name, buf, n);
                s->name[n] = '\0';
                const char *p = buf + n;
                if (*p == '{') {
                        /* up to the closing brace outside any quoted value */
                        const char *q = p + 1;
                        bool quoted = false;
                        for (; *q && (quoted || *q != '}'); q++) {
                                if (quoted && *q == '\\') {
                                        q++;
                                        assert_true(*q == '\\' || *q == '"' || *q == 'n');
                                } else if (*q == '"') {
                                        quoted = !quoted;
                                }
                        }
                        assert_int_equal(*q, '}');
                        assert_true((size_t)(q - p - 1) < sizeof(s->labels));
                        memcpy(s->labels, p + 1, (size_t)(q - p - 1));
                        s->labels[q - p - 1] = '\0';
                        p = q + 1;
                }
                assert_int_equal(*p, ' ');
                char *end;
                s->value = strtod(p + 1, &end);
                assert_true(end != p + 1 && *end == '\0');

                struct family *f = family_of(e, s->name);
                if (!f) {
                        fail_msg("sample %s before its # TYPE", s->name);
                        abort();
                }
                assert_true(f->help);
                for (size_t i = 0; i + 1 < e->n_samples; i++) {
                        if (!strcmp(e->samples[i].name, s->name) &&
                            !strcmp(e->samples[i].labels, s->labels))
                                fail_msg("series %s{%s} twice", s->name, s->labels);
                }
        }
}

static const struct sample *find_sample(const struct expo *e, const char *name, const char *labels)
{
        for (size_t i = 0; i < e->n_samples; i++) {
                if (!strcmp(e->samples[i].name, name) && !strcmp(e->samples[i].labels, labels))
                        return &e->samples[i];
        }
        return NULL;
}

static double value(const struct expo *e, const char *name, const char *labels)
{
        const struct sample *s = find_sample(e, name, labels);
        if (!s) {
                fail_msg("no series %s{%s}", name, labels);
                abort();
        }
        return s->value;
}

/* A histogram's buckets: le strictly increasing and ending in +Inf, counts monotone,
 * +Inf == _count. Return: _count. */
static double check_histogram(const struct expo *e, const char *name)
{
        char bucket[160];
        snprintf(bucket, sizeof(bucket), "%s_bucket", name);
        double prev_le = -INFINITY, prev_count = 0, inf = -1;
        size_t n = 0;
        for (size_t i = 0; i < e->n_samples; i++) {
                const struct sample *s = &e->samples[i];
                if (strcmp(s->name, bucket) != 0)
                        continue;
                assert_true(inf < 0); /* nothing after +Inf */
                double le;
                if (!strcmp(s->labels, "le=\"+Inf\"")) {
                        le = INFINITY;
                        inf = s->value;
                } else {
                        assert_int_equal(sscanf(s->labels, "le=\"%lf\"", &le), 1);
                }
                assert_true(le > prev_le);
                assert_true(s->value >= prev_count);
                prev_le = le;
                prev_count = s->value;
                n++;
        }
        assert_int_equal(n, GRD_METRICS_BUCKETS + 1);
        assert_true(inf >= 0);
        char count[160];
        snprintf(count, sizeof(count), "%s_count", name);
        assert_true(value(e, count, "") == inf);
        return inf;
}

static void render_parse(struct grd_metrics *m, struct expo *e)
{
        char *text = grd_metrics_render(m);
        assert_non_null(text);
        parse(text, e);
        free(text);
}

static struct expo *expo_new(void)
{
        struct expo *e = malloc(sizeof(*e));
        assert_non_null(e);
        return e;
}

static const char *const verdicts[] = {"AC", "WA", "TLE", "MLE", "OLE", "RE", "CE", "SV", "IE"};

static double jobs(const struct expo *e, const char *queue, const char *verdict)
{
        char labels[256];
        snprintf(labels, sizeof(labels), "queue=\"%s\",verdict=\"%s\"", queue, verdict);
        return value(e, "grader_jobs_total", labels);
}

/* ---- rendering ---- */

static void test_every_metric_has_help_and_type(void **state)
{
        (void)state;
        static const char *const expected[][2] = {
                {"grader_jobs_total", "counter"},
                {"grader_claims_total", "counter"},
                {"grader_api_retries_total", "counter"},
                {"grader_internal_errors_total", "counter"},
                {"grader_leases_lost_total", "counter"},
                {"grader_results_posted_total", "counter"},
                {"grader_results_spooled_total", "counter"},
                {"grader_releases_total", "counter"},
                {"grader_spool_pending", "gauge"},
                {"grader_workers", "gauge"},
                {"grader_workers_busy", "gauge"},
                {"grader_claim_duration_seconds", "histogram"},
                {"grader_grading_duration_seconds", "histogram"},
                {"grader_ready", "gauge"},
                {"grader_start_time_seconds", "gauge"},
                {"grader_last_successful_claim_timestamp_seconds", "gauge"},
                {"grader_cache_packages_total", "counter"},
                {"grader_cache_blobs_total", "counter"},
                {"grader_cache_downloaded_bytes_total", "counter"},
                {"grader_cache_size_bytes", "gauge"},
                {"grader_compile_duration_seconds", "histogram"},
                {"grader_build_info", "gauge"},
                {"process_cpu_seconds_total", "counter"},
                {"process_resident_memory_bytes", "gauge"},
                {"process_virtual_memory_bytes", "gauge"},
                {"process_open_fds", "gauge"},
                {"process_max_fds", "gauge"},
                {"process_start_time_seconds", "gauge"},
        };
        struct grd_metrics m;
        grd_metrics_init(&m, (const char *const[]){"main", NULL});
        struct expo *e = expo_new();
        render_parse(&m, e);
        assert_int_equal(e->n_families, sizeof(expected) / sizeof(expected[0]));
        for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
                struct family *f = find_family(e, expected[i][0]);
                if (!f) {
                        fail_msg("no family %s", expected[i][0]);
                        abort();
                }
                assert_true(f->help);
                assert_string_equal(f->type, expected[i][1]);
        }
        /* the start time is now-ish */
        double t = value(e, "grader_start_time_seconds", "");
        assert_true(fabs(t - (double)time(NULL)) < 60);
        free(e);
}

static void test_counters_and_gauges_render_their_values(void **state)
{
        (void)state;
        struct grd_metrics m;
        grd_metrics_init(&m, NULL);
        grd_metrics_inc(&m.claims_job, 3);
        grd_metrics_inc(&m.claims_empty, 5);
        grd_metrics_inc(&m.claims_error, 1);
        grd_metrics_inc(&m.api_retries[API_CALL_CLAIM], 7);
        grd_metrics_inc(&m.api_retries[API_CALL_BLOB], 2);
        grd_metrics_inc(&m.cache_packages_hit, 5);
        grd_metrics_inc(&m.cache_blobs_miss, 3);
        grd_metrics_set(&m.last_claim_ok_ms, UINT64_C(1700000000500));
        grd_metrics_inc(&m.internal_errors, 2);
        grd_metrics_inc(&m.leases_lost, 1);
        grd_metrics_inc(&m.results_posted, 11);
        grd_metrics_inc(&m.results_spooled, 4);
        grd_metrics_inc(&m.releases, 6);
        grd_metrics_set(&m.spool_pending, 9);
        grd_metrics_set(&m.spool_pending, 8); /* a gauge goes down too */
        grd_metrics_set(&m.workers, 16);
        grd_metrics_set(&m.workers_busy, 12);
        m.ready = 1;
        grd_metrics_inc(&m.api_retries[API_CALL_CLAIM], UINT64_C(1) << 40); /* no truncation */

        struct expo *e = expo_new();
        render_parse(&m, e);
        assert_true(value(e, "grader_claims_total", "result=\"job\"") == 3);
        assert_true(value(e, "grader_claims_total", "result=\"empty\"") == 5);
        assert_true(value(e, "grader_claims_total", "result=\"error\"") == 1);
        assert_true(value(e, "grader_api_retries_total", "endpoint=\"claim\"") ==
                    7 + 1099511627776.0);
        assert_true(value(e, "grader_api_retries_total", "endpoint=\"blob\"") == 2);
        assert_true(value(e, "grader_api_retries_total", "endpoint=\"queues\"") == 0);
        assert_true(value(e, "grader_cache_packages_total", "result=\"hit\"") == 5);
        assert_true(value(e, "grader_cache_blobs_total", "result=\"miss\"") == 3);
        assert_true(value(e, "grader_last_successful_claim_timestamp_seconds", "") == 1700000000.5);
        assert_true(value(e, "grader_build_info", "version=\"" GRADER_VERSION "\"") == 1);
        assert_true(value(e, "process_open_fds", "") >= 3);
        assert_true(value(e, "process_resident_memory_bytes", "") > 1 << 20);
        assert_true(value(e, "grader_internal_errors_total", "") == 2);
        assert_true(value(e, "grader_leases_lost_total", "") == 1);
        assert_true(value(e, "grader_results_posted_total", "") == 11);
        assert_true(value(e, "grader_results_spooled_total", "") == 4);
        assert_true(value(e, "grader_releases_total", "") == 6);
        assert_true(value(e, "grader_spool_pending", "") == 8);
        assert_true(value(e, "grader_workers", "") == 16);
        assert_true(value(e, "grader_workers_busy", "") == 12);
        assert_true(value(e, "grader_ready", "") == 1);
        m.ready = 0;
        render_parse(&m, e);
        assert_true(value(e, "grader_ready", "") == 0);
        free(e);
}

static void test_histogram_buckets_are_cumulative_with_inf_equal_to_count(void **state)
{
        (void)state;
        struct grd_metrics m;
        grd_metrics_init(&m, NULL);
        /* the buckets are sorted, finite and cover long-polls and long gradings */
        for (size_t i = 1; i < GRD_METRICS_BUCKETS; i++)
                assert_true(grd_metrics_buckets[i] > grd_metrics_buckets[i - 1]);
        assert_true(grd_metrics_buckets[GRD_METRICS_BUCKETS - 1] >= 60);

        double first = grd_metrics_buckets[0];
        double obs[] = {first / 10, first, first * 1.5, 3, 30, 500, -1, NAN};
        double sum = 0;
        for (size_t i = 0; i < sizeof(obs) / sizeof(obs[0]); i++) {
                grd_metrics_observe(&m.grading_seconds, obs[i]);
                sum += obs[i] > 0 ? obs[i] : 0;
        }
        grd_metrics_observe(&m.claim_seconds, 0.2);

        struct expo *e = expo_new();
        render_parse(&m, e);
        assert_true(check_histogram(e, "grader_grading_duration_seconds") == 8);
        assert_true(check_histogram(e, "grader_claim_duration_seconds") == 1);
        assert_true(fabs(value(e, "grader_grading_duration_seconds_sum", "") - sum) < 1e-5);
        assert_true(fabs(value(e, "grader_claim_duration_seconds_sum", "") - 0.2) < 1e-5);

        /* each bucket holds exactly the observations <= its bound: a value on a bound counts
         * in that bucket, negative and NaN durations count as 0 */
        for (size_t i = 0; i < GRD_METRICS_BUCKETS; i++) {
                double le = grd_metrics_buckets[i], want = 0;
                for (size_t k = 0; k < sizeof(obs) / sizeof(obs[0]); k++)
                        want += (obs[k] > 0 ? obs[k] : 0) <= le;
                char labels[64];
                snprintf(labels, sizeof(labels), "le=\"%g\"", le);
                assert_true(value(e, "grader_grading_duration_seconds_bucket", labels) == want);
        }
        free(e);
}

static void test_every_queue_and_verdict_series_is_rendered(void **state)
{
        (void)state;
        struct grd_metrics m;
        grd_metrics_init(&m, (const char *const[]){"main", "java", NULL});
        grd_metrics_job(&m, "java", GRD_VERDICT_TLE);
        struct expo *e = expo_new();
        render_parse(&m, e);
        static const char *const queues[] = {"main", "java", "other"};
        size_t n = 0;
        for (size_t q = 0; q < 3; q++) {
                for (size_t v = 0; v < GRD_METRICS_VERDICTS; v++) {
                        double want = !strcmp(queues[q], "java") && v == GRD_VERDICT_TLE;
                        assert_true(jobs(e, queues[q], verdicts[v]) == want);
                        n++;
                }
        }
        size_t rendered = 0;
        for (size_t i = 0; i < e->n_samples; i++)
                rendered += !strcmp(e->samples[i].name, "grader_jobs_total");
        assert_int_equal(rendered, n);
        free(e);
}

static void test_unknown_queue_counts_as_other(void **state)
{
        (void)state;
        struct grd_metrics m;
        grd_metrics_init(&m, (const char *const[]){"main", NULL});
        grd_metrics_job(&m, "nope", GRD_VERDICT_AC);
        grd_metrics_job(&m, NULL, GRD_VERDICT_AC);
        grd_metrics_job(&m, "mai", GRD_VERDICT_WA);    /* a prefix is another queue */
        grd_metrics_job(&m, "mainly", GRD_VERDICT_WA); /* and so is an extension */
        grd_metrics_job(&m, "main", GRD_VERDICT_RE);
        struct expo *e = expo_new();
        render_parse(&m, e);
        assert_true(jobs(e, "other", "AC") == 2);
        assert_true(jobs(e, "other", "WA") == 2);
        assert_true(jobs(e, "main", "AC") == 0);
        assert_true(jobs(e, "main", "WA") == 0);
        assert_true(jobs(e, "main", "RE") == 1);
        free(e);
}

static void test_a_queue_named_other_shares_the_other_series(void **state)
{
        (void)state;
        struct grd_metrics m;
        grd_metrics_init(&m, (const char *const[]){"other", "main", NULL});
        grd_metrics_job(&m, "other", GRD_VERDICT_AC);
        grd_metrics_job(&m, "nope", GRD_VERDICT_AC);
        struct expo *e = expo_new();
        render_parse(&m, e); /* the parser fails on a series rendered twice */
        assert_true(jobs(e, "other", "AC") == 2);
        assert_true(jobs(e, "main", "AC") == 0);
        free(e);
}

static void test_label_values_are_escaped(void **state)
{
        (void)state;
        struct grd_metrics m;
        grd_metrics_init(&m, (const char *const[]){"a\"b\\c\nd", NULL});
        grd_metrics_job(&m, "a\"b\\c\nd", GRD_VERDICT_WA);
        char *text = grd_metrics_render(&m);
        assert_non_null(text);
        assert_non_null(
                strstr(text, "grader_jobs_total{queue=\"a\\\"b\\\\c\\nd\",verdict=\"WA\"} 1\n"));
        struct expo *e = expo_new();
        parse(text, e); /* one line per sample: the newline did not split it */
        free(text);
        free(e);
}

static void test_queue_list_skips_empty_and_repeated_names_and_is_capped(void **state)
{
        (void)state;
        char long_name[100];
        memset(long_name, 'q', sizeof(long_name) - 1);
        long_name[sizeof(long_name) - 1] = '\0';
        const char *queues[GRD_METRICS_MAX_QUEUES + 5];
        size_t n = 0;
        queues[n++] = "";
        queues[n++] = "main";
        queues[n++] = "main";
        queues[n++] = long_name;
        char names[GRD_METRICS_MAX_QUEUES][8];
        for (size_t i = 0; n < GRD_METRICS_MAX_QUEUES + 4; i++) {
                snprintf(names[i], sizeof(names[i]), "q%zu", i);
                queues[n++] = names[i];
        }
        queues[n] = NULL;

        struct grd_metrics m;
        grd_metrics_init(&m, queues);
        assert_int_equal(m.n_queues, GRD_METRICS_MAX_QUEUES);
        assert_string_equal(m.queues[0], "main");
        /* a name too long for its slot is kept truncated and still counts as itself */
        grd_metrics_job(&m, long_name, GRD_VERDICT_AC);
        assert_int_equal(m.jobs[1][GRD_VERDICT_AC], 1);
        /* a queue past the cap counts as other */
        grd_metrics_job(&m, names[GRD_METRICS_MAX_QUEUES - 1], GRD_VERDICT_AC);
        assert_int_equal(m.jobs[GRD_METRICS_MAX_QUEUES][GRD_VERDICT_AC], 1);
        struct expo *e = expo_new();
        render_parse(&m, e);
        free(e);
}

#define THREADS    4
#define ITERATIONS 20000

static void *bump(void *arg)
{
        struct grd_metrics *m = arg;
        for (int i = 0; i < ITERATIONS; i++) {
                grd_metrics_inc(&m->results_posted, 1);
                grd_metrics_observe(&m->grading_seconds, (i % 7) * 0.5);
                grd_metrics_job(m, i % 2 ? "main" : "nope", GRD_VERDICT_AC);
        }
        return NULL;
}

static void test_concurrent_updates_are_not_lost(void **state)
{
        (void)state;
        static struct grd_metrics m;
        grd_metrics_init(&m, (const char *const[]){"main", NULL});
        pthread_t t[THREADS];
        for (int i = 0; i < THREADS; i++)
                assert_int_equal(pthread_create(&t[i], NULL, bump, &m), 0);
        /* scrapes racing with the updates still see consistent histograms */
        struct expo *e = expo_new();
        for (int i = 0; i < 20; i++) {
                render_parse(&m, e);
                check_histogram(e, "grader_grading_duration_seconds");
        }
        for (int i = 0; i < THREADS; i++)
                pthread_join(t[i], NULL);
        render_parse(&m, e);
        double total = (double)THREADS * ITERATIONS;
        assert_true(value(e, "grader_results_posted_total", "") == total);
        assert_true(check_histogram(e, "grader_grading_duration_seconds") == total);
        assert_true(jobs(e, "main", "AC") == total / 2);
        assert_true(jobs(e, "other", "AC") == total / 2);
        free(e);
}

/* ---- HTTP ---- */

struct response {
        int status;
        char *head; /* status line and headers, NUL-terminated */
        char *body;
        size_t body_len;
};

static void response_release(struct response *r)
{
        free(r->head);
        free(r->body);
        memset(r, 0, sizeof(*r));
}

/* Send one request to the loopback address of family on port; the reply is read to EOF (at
 * most 1 MiB, 5 s per read). extra is more request text (headers and body) or "". */
static void http(int family, unsigned port, const char *method, const char *path, const char *extra,
                 struct response *r)
{
        memset(r, 0, sizeof(*r));
        int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        struct timeval tv = {.tv_sec = 5};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        struct sockaddr_storage ss = {0};
        socklen_t len;
        if (family == AF_INET6) {
                struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
                a->sin6_family = AF_INET6;
                a->sin6_port = htons((uint16_t)port);
                a->sin6_addr = in6addr_loopback;
                len = sizeof(*a);
        } else {
                struct sockaddr_in *a = (struct sockaddr_in *)&ss;
                a->sin_family = AF_INET;
                a->sin_port = htons((uint16_t)port);
                a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                len = sizeof(*a);
        }
        if (connect(fd, (struct sockaddr *)&ss, len) < 0)
                fail_msg("connect to port %u: %s", port, strerror(errno));

        char req[1024];
        int n = snprintf(req, sizeof(req),
                         "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n%s%s", method,
                         path, extra, *extra ? "" : "\r\n");
        assert_true(n > 0 && (size_t)n < sizeof(req));
        assert_int_equal(send(fd, req, (size_t)n, MSG_NOSIGNAL), n);

        size_t cap = 1 << 20, got = 0;
        char *buf = malloc(cap + 1);
        assert_non_null(buf);
        for (;;) {
                ssize_t k = recv(fd, buf + got, cap - got, 0);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        fail_msg("recv: %s", strerror(errno));
                if (k == 0)
                        break;
                got += (size_t)k;
                assert_true(got < cap);
        }
        close(fd);
        buf[got] = '\0';

        char *end = strstr(buf, "\r\n\r\n");
        assert_non_null(end);
        assert_int_equal(sscanf(buf, "HTTP/1.%*d %d", &r->status), 1);
        r->head = strndup(buf, (size_t)(end - buf) + 2);
        r->body_len = got - (size_t)(end + 4 - buf);
        r->body = malloc(r->body_len + 1);
        assert_true(r->head && r->body);
        memcpy(r->body, end + 4, r->body_len);
        r->body[r->body_len] = '\0';
        free(buf);
}

/* The value of a response header (case-insensitive name) into out, or fail. */
static const char *header(const struct response *r, const char *name, char *out, size_t n)
{
        for (const char *p = strstr(r->head, "\r\n"); p && p[2]; p = strstr(p + 2, "\r\n")) {
                const char *h = p + 2;
                size_t k = strlen(name);
                if (!strncasecmp(h, name, k) && h[k] == ':') {
                        h += k + 1;
                        h += strspn(h, " ");
                        size_t len = strcspn(h, "\r");
                        snprintf(out, n, "%.*s", (int)len, h);
                        return out;
                }
        }
        fail_msg("no header %s in:\n%s", name, r->head);
        return NULL;
}

static struct grd_metrics_server *serve(struct grd_metrics *m, const char *addr, int stale_after,
                                        unsigned *port)
{
        struct grd_metrics_server *s = NULL;
        int r = grd_metrics_serve(m, addr, stale_after, &s, port, err, sizeof(err));
        if (r < 0)
                fail_msg("serve %s: %s (%d)", addr, err, r);
        assert_non_null(s);
        assert_true(*port > 0 && *port < 65536);
        return s;
}

static int monotonic_seconds(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int)ts.tv_sec;
}

static void test_metrics_are_served_with_the_exposition_content_type(void **state)
{
        (void)state;
        struct grd_metrics m;
        grd_metrics_init(&m, (const char *const[]){"main", NULL});
        grd_metrics_job(&m, "main", GRD_VERDICT_AC);
        unsigned port;
        struct grd_metrics_server *s = serve(&m, "127.0.0.1:0", 60, &port);
        struct response r;
        char v[256];
        http(AF_INET, port, "GET", "/metrics", "", &r);
        assert_int_equal(r.status, 200);
        assert_string_equal(header(&r, "Content-Type", v, sizeof(v)),
                            "text/plain; version=0.0.4; charset=utf-8");
        assert_int_equal(strlen(r.body), r.body_len);
        struct expo *e = expo_new();
        parse(r.body, e);
        assert_true(jobs(e, "main", "AC") == 1);
        free(e);
        response_release(&r);
        grd_metrics_stop(s);
}

static void test_head_is_answered_without_a_body(void **state)
{
        (void)state;
        struct grd_metrics m;
        grd_metrics_init(&m, NULL);
        m.ready = 1;
        unsigned port;
        struct grd_metrics_server *s = serve(&m, "127.0.0.1:0", 60, &port);
        struct response r;
        http(AF_INET, port, "HEAD", "/metrics", "", &r);
        assert_int_equal(r.status, 200);
        assert_int_equal(r.body_len, 0);
        response_release(&r);
        http(AF_INET, port, "HEAD", "/readyz", "", &r);
        assert_int_equal(r.status, 200);
        assert_int_equal(r.body_len, 0);
        response_release(&r);
        grd_metrics_stop(s);
}

static void test_healthz_is_ok_while_fresh_and_503_once_stale(void **state)
{
        (void)state;
        struct grd_metrics m;
        grd_metrics_init(&m, NULL);
        unsigned port;
        struct grd_metrics_server *s = serve(&m, "127.0.0.1:0", 30, &port);
        struct response r;
        char v[256];

        m.alive_ts = monotonic_seconds();
        http(AF_INET, port, "GET", "/healthz", "", &r);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.body, "ok");
        assert_string_equal(header(&r, "Content-Type", v, sizeof(v)), "text/plain");
        response_release(&r);

        m.alive_ts = monotonic_seconds() - 25; /* old, but within the limit */
        http(AF_INET, port, "GET", "/healthz", "", &r);
        assert_int_equal(r.status, 200);
        response_release(&r);

        m.alive_ts = monotonic_seconds() - 100;
        http(AF_INET, port, "GET", "/healthz", "", &r);
        assert_int_equal(r.status, 503);
        assert_string_equal(r.body, "stale");
        assert_string_equal(header(&r, "Content-Type", v, sizeof(v)), "text/plain");
        response_release(&r);

        /* the loop comes back to life */
        m.alive_ts = monotonic_seconds();
        http(AF_INET, port, "GET", "/healthz", "", &r);
        assert_int_equal(r.status, 200);
        response_release(&r);
        grd_metrics_stop(s);
}

static void test_readyz_follows_the_ready_flag(void **state)
{
        (void)state;
        struct grd_metrics m;
        grd_metrics_init(&m, NULL);
        unsigned port;
        struct grd_metrics_server *s = serve(&m, "127.0.0.1:0", 60, &port);
        struct response r;
        char v[256];

        http(AF_INET, port, "GET", "/readyz", "", &r);
        assert_int_equal(r.status, 503);
        assert_string_equal(r.body, "not ready: starting\n");
        assert_string_equal(header(&r, "Content-Type", v, sizeof(v)), "text/plain");
        response_release(&r);

        grd_metrics_set_ready(&m, true, NULL);
        http(AF_INET, port, "GET", "/readyz", "", &r);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.body, "ok");
        response_release(&r);

        /* the reason is the body: what an operator reads first */
        grd_metrics_set_ready(&m, false, "3 claims failed in a row: http 401");
        http(AF_INET, port, "GET", "/readyz", "", &r);
        assert_int_equal(r.status, 503);
        assert_string_equal(r.body, "not ready: 3 claims failed in a row: http 401\n");
        response_release(&r);
        grd_metrics_stop(s);
}

static void test_unknown_paths_are_404(void **state)
{
        (void)state;
        struct grd_metrics m;
        grd_metrics_init(&m, NULL);
        unsigned port;
        struct grd_metrics_server *s = serve(&m, "127.0.0.1:0", 60, &port);
        static const char *const paths[] = {"/",          "/metrics/", "/metricsx",
                                            "/healthz/x", "/READYZ",   "/metric"};
        for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
                struct response r;
                http(AF_INET, port, "GET", paths[i], "", &r);
                if (r.status != 404)
                        fail_msg("GET %s: %d", paths[i], r.status);
                response_release(&r);
        }
        grd_metrics_stop(s);
}

static void test_methods_other_than_get_and_head_are_405(void **state)
{
        (void)state;
        struct grd_metrics m;
        grd_metrics_init(&m, NULL);
        unsigned port;
        struct grd_metrics_server *s = serve(&m, "127.0.0.1:0", 60, &port);
        struct response r;
        char v[256];

        http(AF_INET, port, "POST", "/metrics",
             "Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello", &r);
        assert_int_equal(r.status, 405);
        assert_string_equal(header(&r, "Allow", v, sizeof(v)), "GET, HEAD");
        response_release(&r);

        static const char *const methods[] = {"PUT", "DELETE", "OPTIONS", "PATCH"};
        for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
                http(AF_INET, port, methods[i], "/healthz", "", &r);
                if (r.status != 405)
                        fail_msg("%s /healthz: %d", methods[i], r.status);
                response_release(&r);
        }
        /* the server still answers after them */
        http(AF_INET, port, "GET", "/metrics", "", &r);
        assert_int_equal(r.status, 200);
        response_release(&r);
        grd_metrics_stop(s);
}

static void test_malformed_addresses_are_rejected_with_einval(void **state)
{
        (void)state;
        static const char *const bad[] = {
                "",
                "9100",
                "127.0.0.1",
                "127.0.0.1:",
                "127.0.0.1:65536",
                "127.0.0.1:99999999999999999999",
                "127.0.0.1:-1",
                "127.0.0.1:+1",
                "127.0.0.1: 80",
                "127.0.0.1:80x",
                "127.0.0.1:http",
                " 127.0.0.1:80",
                "256.0.0.1:80",
                "1.2.3:80",
                "localhost:9100",
                "::1:9100",
                "[::1]",
                "[::1]9100",
                "[::1:9100",
                "[]:9100",
                "[127.0.0.1]:9100",
                "[::1]:",
                "[::1]:65536",
                "[fe80::1%lo]:9100",
                "127.0.0.1:80:80",
        };
        struct grd_metrics m;
        grd_metrics_init(&m, NULL);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct grd_metrics_server *s = (struct grd_metrics_server *)&m; /* untouched */
                unsigned port = 12345;
                err[0] = '\0';
                int r = grd_metrics_serve(&m, bad[i], 60, &s, &port, err, sizeof(err));
                if (r != -EINVAL)
                        fail_msg("\"%s\": %d, want -EINVAL", bad[i], r);
                assert_true(err[0] != '\0');
                assert_ptr_equal(s, (struct grd_metrics_server *)&m);
                assert_int_equal(port, 12345);
        }
        struct grd_metrics_server *s = NULL;
        assert_int_equal(grd_metrics_serve(&m, NULL, 60, &s, NULL, err, sizeof(err)), -EINVAL);
        assert_int_equal(grd_metrics_serve(&m, "127.0.0.1:0", -1, &s, NULL, err, sizeof(err)),
                         -EINVAL);
        assert_null(s);
}

static void test_port_only_address_listens_on_every_ipv4_interface(void **state)
{
        (void)state;
        struct grd_metrics m;
        grd_metrics_init(&m, NULL);
        unsigned port;
        struct grd_metrics_server *s = serve(&m, ":0", 60, &port);
        struct response r;
        http(AF_INET, port, "GET", "/metrics", "", &r);
        assert_int_equal(r.status, 200);
        response_release(&r);
        grd_metrics_stop(s);
        /* and an explicit 0.0.0.0 the same */
        s = serve(&m, "0.0.0.0:0", 60, &port);
        http(AF_INET, port, "GET", "/readyz", "", &r);
        assert_int_equal(r.status, 503);
        response_release(&r);
        grd_metrics_stop(s);
}

static void test_ipv6_loopback_is_served(void **state)
{
        (void)state;
        struct grd_metrics m;
        grd_metrics_init(&m, NULL);
        struct grd_metrics_server *s = NULL;
        unsigned port = 0;
        int r = grd_metrics_serve(&m, "[::1]:0", 60, &s, &port, err, sizeof(err));
        if (r == -EADDRNOTAVAIL || r == -EAFNOSUPPORT) {
                skip(); /* no IPv6 loopback in this environment */
                return;
        }
        if (r < 0)
                fail_msg("serve [::1]:0: %s (%d)", err, r);
        struct response resp;
        http(AF_INET6, port, "GET", "/metrics", "", &resp);
        assert_int_equal(resp.status, 200);
        response_release(&resp);
        grd_metrics_stop(s);
}

static void test_port_in_use_is_an_errno_not_einval(void **state)
{
        (void)state;
        struct grd_metrics m;
        grd_metrics_init(&m, NULL);
        unsigned port;
        struct grd_metrics_server *s = serve(&m, "127.0.0.1:0", 60, &port);
        char addr[64];
        snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
        struct grd_metrics_server *s2 = NULL;
        int r = grd_metrics_serve(&m, addr, 60, &s2, NULL, err, sizeof(err));
        assert_int_equal(r, -EADDRINUSE);
        assert_null(s2);
        assert_true(err[0] != '\0');
        grd_metrics_stop(s);
}

/* Is fd open in this process? Its FD_CLOEXEC, or -1 when closed. */
static int cloexec_of(int fd)
{
        int fl = fcntl(fd, F_GETFD);
        return fl < 0 ? -1 : !!(fl & FD_CLOEXEC);
}

#define MAX_FD 4096

static void open_fds(bool *open)
{
        for (int fd = 0; fd < MAX_FD; fd++)
                open[fd] = cloexec_of(fd) >= 0;
}

static void test_server_descriptors_are_close_on_exec(void **state)
{
        (void)state;
        static bool before[MAX_FD];
        open_fds(before);
        struct grd_metrics m;
        grd_metrics_init(&m, NULL);
        unsigned port;
        struct grd_metrics_server *s = serve(&m, "127.0.0.1:0", 60, &port);

        /* the listening socket: the one accepting connections on our port */
        int listener = -1;
        for (int fd = 0; fd < MAX_FD; fd++) {
                int acc = 0;
                socklen_t len = sizeof(acc);
                struct sockaddr_in a = {0};
                socklen_t alen = sizeof(a);
                if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == 0 && acc &&
                    getsockname(fd, (struct sockaddr *)&a, &alen) == 0 && a.sin_family == AF_INET &&
                    ntohs(a.sin_port) == port)
                        listener = fd;
        }
        assert_true(listener >= 0);
        assert_int_equal(cloexec_of(listener), 1);

        /* and every other descriptor the server opened (its wake-up pipe or eventfd, its epoll
         * instance), with a connection open so that its accepted socket is there too */
        int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(c >= 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
        /* an answer on a kept-alive connection: MHD accepted it and holds it open */
        static const char req[] = "GET /readyz HTTP/1.1\r\nHost: localhost\r\n\r\n";
        assert_int_equal(send(c, req, sizeof(req) - 1, MSG_NOSIGNAL), sizeof(req) - 1);
        struct timeval tv = {.tv_sec = 5};
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        char answer[256];
        assert_true(recv(c, answer, sizeof(answer), 0) > 0);
        size_t new_fds = 0;
        for (int fd = 0; fd < MAX_FD; fd++) {
                int ce = cloexec_of(fd);
                if (ce < 0 || before[fd] || fd == c)
                        continue;
                new_fds++;
                if (ce != 1)
                        fail_msg("descriptor %d of the server is not close-on-exec", fd);
        }
        assert_true(new_fds >= 2); /* the listener and the accepted connection at least */
        close(c);
        grd_metrics_stop(s);
}

/* The SigBlk masks of every thread of this process but the calling one, ORed into *ret.
 * Return: how many such threads there are. */
static int other_threads_blocked(uint64_t *ret)
{
        DIR *d = opendir("/proc/self/task");
        assert_non_null(d);
        int n = 0;
        *ret = 0;
        pid_t self = gettid();
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.' || atoi(de->d_name) == self)
                        continue;
                char path[300], line[256];
                snprintf(path, sizeof(path), "/proc/self/task/%s/status", de->d_name);
                FILE *f = fopen(path, "re");
                if (!f)
                        continue; /* the thread just ended */
                while (fgets(line, sizeof(line), f)) {
                        unsigned long long blk;
                        if (sscanf(line, "SigBlk: %llx", &blk) == 1) {
                                *ret |= blk;
                                n++;
                        }
                }
                fclose(f);
        }
        closedir(d);
        return n;
}

static void test_server_thread_leaves_signals_to_the_service(void **state)
{
        (void)state;
        uint64_t blocked;
        assert_int_equal(other_threads_blocked(&blocked), 0); /* cmocka runs us alone */
        sigset_t before, now;
        pthread_sigmask(SIG_SETMASK, NULL, &before);
        struct grd_metrics m;
        grd_metrics_init(&m, NULL);
        unsigned port;
        struct grd_metrics_server *s = serve(&m, "127.0.0.1:0", 60, &port);
        /* once it answered, the thread runs its loop with its final mask (glibc starts a
         * thread with every signal blocked and then sets the mask it inherited) */
        struct response r;
        http(AF_INET, port, "GET", "/readyz", "", &r);
        response_release(&r);
        assert_int_equal(other_threads_blocked(&blocked), 1); /* MHD's polling thread */
        static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGPIPE, SIGALRM, SIGUSR1};
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
                if (!(blocked & (UINT64_C(1) << (sigs[i] - 1))))
                        fail_msg("signal %d is not blocked in the server's thread", sigs[i]);
        }
        /* and the caller's own mask is as it was */
        pthread_sigmask(SIG_SETMASK, NULL, &now);
        for (int sig = 1; sig < 32; sig++)
                assert_int_equal(sigismember(&before, sig), sigismember(&now, sig));
        grd_metrics_stop(s);
}

static void test_stop_accepts_null(void **state)
{
        (void)state;
        grd_metrics_stop(NULL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_metric_has_help_and_type),
                cmocka_unit_test(test_counters_and_gauges_render_their_values),
                cmocka_unit_test(test_histogram_buckets_are_cumulative_with_inf_equal_to_count),
                cmocka_unit_test(test_every_queue_and_verdict_series_is_rendered),
                cmocka_unit_test(test_unknown_queue_counts_as_other),
                cmocka_unit_test(test_a_queue_named_other_shares_the_other_series),
                cmocka_unit_test(test_label_values_are_escaped),
                cmocka_unit_test(test_queue_list_skips_empty_and_repeated_names_and_is_capped),
                cmocka_unit_test(test_concurrent_updates_are_not_lost),
                cmocka_unit_test(test_metrics_are_served_with_the_exposition_content_type),
                cmocka_unit_test(test_head_is_answered_without_a_body),
                cmocka_unit_test(test_healthz_is_ok_while_fresh_and_503_once_stale),
                cmocka_unit_test(test_readyz_follows_the_ready_flag),
                cmocka_unit_test(test_unknown_paths_are_404),
                cmocka_unit_test(test_methods_other_than_get_and_head_are_405),
                cmocka_unit_test(test_malformed_addresses_are_rejected_with_einval),
                cmocka_unit_test(test_port_only_address_listens_on_every_ipv4_interface),
                cmocka_unit_test(test_ipv6_loopback_is_served),
                cmocka_unit_test(test_port_in_use_is_an_errno_not_einval),
                cmocka_unit_test(test_server_descriptors_are_close_on_exec),
                cmocka_unit_test(test_server_thread_leaves_signals_to_the_service),
                cmocka_unit_test(test_stop_accepts_null),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
