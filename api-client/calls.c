/* SPDX-License-Identifier: MIT */
/* The job calls of the Grader API v1 (claim, heartbeat, result, release) and what each status
 * means. */
#include "api_internal.h"
#include "common.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REASON_MAX 1024

/* The absolute URL of {base}/{a}[/{id}/{b}]; id must be a valid id (it is a path segment). */
static int endpoint(const struct api_client *c, const char *what, const char *a, const char *id,
                    const char *b, char **ret, char *err, size_t errlen)
{
        if (id && !api_valid_id(id))
                return api_errf(err, errlen, API_E_PROTOCOL,
                                "%s: job id '%.40s' is not 1-128 of [A-Za-z0-9._-]", what, id);
        size_t n = strlen(c->base) + strlen(a) + (id ? strlen(id) + strlen(b) + 2 : 0) + 1;
        char *url = malloc(n);
        if (!url)
                return -ENOMEM;
        if (id)
                snprintf(url, n, "%s%s/%s/%s", c->base, a, id, b);
        else
                snprintf(url, n, "%s%s", c->base, a);
        *ret = url;
        return 0;
}

/* POST body to url; 2xx bodies into sink (may be NULL). */
static int post(struct api_client *c, enum api_call call, const char *url, const char *body,
                size_t len, long extra_ms, struct api_sink *sink, long *ret_status, char *err,
                size_t errlen)
{
        struct api_request rq = {
                .method = API_POST,
                .call = call,
                .what = api_call_name(call),
                .url = url,
                .body = body,
                .body_len = len,
                .timeout_ms = c->timeout_ms + extra_ms,
                .sink = sink,
        };
        return api_perform(c, &rq, ret_status, err, errlen);
}

static int unexpected(struct api_client *c, const char *what, long status, char *err, size_t errlen)
{
        return api_errf(err, errlen, API_E_HTTP, "%s: unexpected http status %ld: %s", what, status,
                        api_diag(c));
}

/* A JSON array of non-empty strings from a NULL-terminated list. */
static json_t *string_array(const char *const *list)
{
        json_t *a = json_array();
        for (size_t i = 0; a && list && list[i]; i++) {
                size_t len = strnlen(list[i], API_LABEL_MAX + 1);
                json_t *s = len && len <= API_LABEL_MAX ? json_string(list[i]) : NULL;
                if (!s || json_array_append_new(a, s) < 0) {
                        json_decref(a);
                        return NULL;
                }
        }
        return a;
}

/*
 * A claim reply we cannot accept still leased a job to us. When its job_id is readable, hand the
 * job back at once (best effort) with the reason, so the site need not wait for the lease to run
 * out and can count the failure against the job.
 */
static void give_back(struct api_client *c, const char *body, size_t len, const char *why)
{
        json_error_t je;
        json_t *root = json_loadb(body ? body : "", body ? len : 0, 0, &je);
        json_t *id = json_object_get(root, "job_id");
        if (json_is_string(id) && api_valid_id(json_string_value(id))) {
                char reason[512], err[256];
                snprintf(reason, sizeof(reason), "grader could not accept the claim reply: %s",
                         why);
                (void)api_release(c, json_string_value(id), reason, err, sizeof(err));
        }
        json_decref(root);
}

int api_claim(struct api_client *c, const char *grader_id, const char *const *queues,
              const char *const *languages, unsigned wait_s, struct api_job **ret_job, char *err,
              size_t errlen)
{
        static const char what[] = "claim";
        size_t id_len = grader_id ? strnlen(grader_id, API_LABEL_MAX + 1) : 0;
        if (id_len == 0 || id_len > API_LABEL_MAX || wait_s > API_WAIT_MAX)
                return api_errf(err, errlen, -EINVAL, "claim: bad grader id or wait");
        json_t *q = string_array(queues), *l = string_array(languages);
        json_t *gid = json_string(grader_id);
        json_t *req = NULL;
        if (q && l && gid)
                req = json_pack("{s:o, s:o, s:o, s:I}", "grader_id", gid, "queues", q, "languages",
                                l, "wait", (json_int_t)wait_s);
        else {
                json_decref(q);
                json_decref(l);
                json_decref(gid);
        }
        /* json_pack's "o" steals the references, also on failure */
        char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
        json_decref(req);
        if (!body)
                return api_errf(err, errlen, -EINVAL,
                                "claim: grader id, queues or languages are not UTF-8 names of "
                                "1-256 bytes");
        char *url = NULL;
        struct mem_sink m;
        mem_sink_init(&m, c->max_body);
        long status = 0;
        int r = endpoint(c, what, "claim", NULL, NULL, &url, err, errlen);
        if (r == 0)
                r = post(c, API_CALL_CLAIM, url, body, strlen(body), (long)wait_s * 1000L, &m.base,
                         &status, err, errlen);
        if (r == 0) {
                if (status == 200) {
                        r = api_parse_claim(m.buf, m.len, ret_job, err, errlen);
                        if (r == 0)
                                r = 1;
                        else if (r == API_E_PROTOCOL || r == API_E_TOO_BIG)
                                give_back(c, m.buf, m.len, err && errlen ? err : "invalid reply");
                } else if (status == 204) {
                        r = 0;
                } else {
                        r = unexpected(c, what, status, err, errlen);
                }
        }
        mem_sink_release(&m);
        free(url);
        free(body);
        return r;
}

int api_heartbeat(struct api_client *c, const char *job_id, double *ret_lease, char *err,
                  size_t errlen)
{
        static const char what[] = "heartbeat";
        char *url = NULL;
        struct mem_sink m;
        mem_sink_init(&m, c->max_body);
        long status = 0;
        int r = endpoint(c, what, "jobs", job_id, "heartbeat", &url, err, errlen);
        if (r == 0)
                r = post(c, API_CALL_HEARTBEAT, url, "{}", 2, 0, &m.base, &status, err, errlen);
        if (r == 0) {
                if (status == 200)
                        r = api_parse_heartbeat(m.buf, m.len, ret_lease, err, errlen);
                else if (status == 404 || status == 409 || status == 410)
                        r = api_errf(err, errlen, API_E_LEASE_LOST,
                                     "heartbeat: job '%s' is no longer ours (http %ld)", job_id,
                                     status);
                else
                        r = unexpected(c, what, status, err, errlen);
        }
        mem_sink_release(&m);
        free(url);
        return r;
}

int api_post_result(struct api_client *c, const char *job_id, const char *json, size_t len,
                    char *err, size_t errlen)
{
        static const char what[] = "result";
        char *url = NULL;
        long status = 0;
        int r = endpoint(c, what, "jobs", job_id, "result", &url, err, errlen);
        if (r == 0)
                r = post(c, API_CALL_RESULT, url, json, len, 0, NULL, &status, err, errlen);
        if (r == 0) {
                if ((status >= 200 && status <= 299) || status == 409)
                        r = 0;
                else if (status == 410)
                        r = api_errf(err, errlen, API_E_GONE,
                                     "result: job '%s' was taken back (http 410)", job_id);
                else
                        r = unexpected(c, what, status, err, errlen);
        }
        free(url);
        return r;
}

int api_release(struct api_client *c, const char *job_id, const char *reason, char *err,
                size_t errlen)
{
        static const char what[] = "release";
        bool cut;
        char *text = cmn_utf8_sanitize(reason ? reason : "", reason ? strlen(reason) : 0,
                                       REASON_MAX, &cut);
        json_t *req = text ? json_pack("{s:s}", "reason", text) : NULL;
        char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
        json_decref(req);
        free(text);
        if (!body)
                return api_errf(err, errlen, -ENOMEM, "release: out of memory");
        char *url = NULL;
        long status = 0;
        int r = endpoint(c, what, "jobs", job_id, "release", &url, err, errlen);
        if (r == 0)
                r = post(c, API_CALL_RELEASE, url, body, strlen(body), 0, NULL, &status, err,
                         errlen);
        if (r == 0 && (status < 200 || status > 299) && status != 404 && status != 409 &&
            status != 410)
                r = unexpected(c, what, status, err, errlen);
        free(url);
        free(body);
        return r;
}

/* Append s to buf (at most n bytes, NUL included) percent-encoded as a query value (RFC 3986
 * unreserved characters stay). Return: the new length, or n when it does not fit. */
static size_t query_escape(char *buf, size_t used, size_t n, const char *s)
{
        static const char hex[] = "0123456789ABCDEF";
        for (; *s && used < n; s++) {
                unsigned char ch = (unsigned char)*s;
                if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                    (ch >= '0' && ch <= '9') || strchr("-._~", ch)) {
                        if (used + 1 >= n)
                                return n;
                        buf[used++] = (char)ch;
                } else {
                        if (used + 3 >= n)
                                return n;
                        buf[used++] = '%';
                        buf[used++] = hex[ch >> 4];
                        buf[used++] = hex[ch & 15];
                }
        }
        if (used < n)
                buf[used] = '\0';
        return used;
}

int api_get_queues(struct api_client *c, const char *const *queues, struct api_queues **ret,
                   char *err, size_t errlen)
{
        static const char what[] = "queues";
        char query[2048] = "";
        size_t used = 0;
        for (size_t i = 0; queues && queues[i] && used < sizeof(query); i++) {
                used += (size_t)snprintf(query + used, sizeof(query) - used, "%s",
                                         i ? "," : "queues=");
                if (used < sizeof(query))
                        used = query_escape(query, used, sizeof(query), queues[i]);
        }
        if (used >= sizeof(query))
                return api_errf(err, errlen, -EINVAL, "queues: too many queue names");
        size_t n = strlen(c->base) + strlen(what) + used + 2;
        char *url = malloc(n);
        if (!url)
                return -ENOMEM;
        snprintf(url, n, "%s%s%s%s", c->base, what, used ? "?" : "", query);
        struct mem_sink m;
        mem_sink_init(&m, c->max_body);
        struct api_request rq = {
                .method = API_GET,
                .call = API_CALL_QUEUES,
                .what = what,
                .url = url,
                .timeout_ms = c->timeout_ms,
                .sink = &m.base,
        };
        long status = 0;
        int r = api_perform(c, &rq, &status, err, errlen);
        if (r == 0) {
                if (status == 200) {
                        r = api_parse_queues(m.buf, m.len, ret, err, errlen);
                        if (r == 0)
                                r = 1;
                } else if (status == 404 || status == 405 || status == 501) {
                        r = 0; /* optional: this site does not offer it */
                } else {
                        r = unexpected(c, what, status, err, errlen);
                }
        }
        mem_sink_release(&m);
        free(url);
        return r;
}
