/* SPDX-License-Identifier: MIT */
/* Private declarations shared by the api-client sources: the client, body sinks, cache internals.
 */
#ifndef GRADER_API_INTERNAL_H
#define GRADER_API_INTERNAL_H

#include "api.h"

#include <curl/curl.h>
#include <limits.h>
#include <openssl/evp.h>

/*
 * Where the body of a 2xx reply goes. The transfer loop calls reset() before every attempt (so a
 * retry starts clean) and write() for each chunk; a negative return from write() ends the
 * transfer and becomes the call's result, with msg as the explanation.
 */
struct api_sink {
        int (*reset)(struct api_sink *s);
        int (*write)(struct api_sink *s, const char *p, size_t n);
        char msg[160];
};

/* A capped in-memory body, NUL-terminated. */
struct mem_sink {
        struct api_sink base;
        char *buf;
        size_t len, alloc, max;
};

void mem_sink_init(struct mem_sink *m, size_t max);
void mem_sink_release(struct mem_sink *m);

enum api_method {
        API_GET,
        API_POST,
};

struct api_request {
        enum api_method method;
        enum api_call call; /* for the per-call counters */
        const char *what;   /* names the call in messages: "claim", "blob 'data/1.in'" */
        const char *url;    /* absolute, from resolve_url() */
        const char *body;   /* POST body (JSON) */
        size_t body_len;
        long timeout_ms;       /* total; 0 = none */
        long low_speed_time_s; /* abort below 1 KiB/s for this long; 0 = off */
        struct api_sink *sink; /* receives 2xx bodies; NULL = discard */
};

struct api_client {
        CURL *curl;
        struct curl_slist *hdr_post;    /* Authorization, JSON content type */
        struct curl_slist *hdr_get;     /* Authorization */
        struct curl_slist *hdr_foreign; /* no Authorization: another origin */
        char *base;                     /* the base URL with exactly one trailing '/' */
        char *origin_scheme, *origin_host;
        char *origin_port;
        bool https;
        long connect_timeout_ms, timeout_ms;
        unsigned max_attempts, backoff_base_ms, backoff_cap_ms;
        size_t max_body;
        uint64_t max_package;
        const volatile sig_atomic_t *abort_flag;
        uint64_t rng;
        struct api_stats stats;
        /* state of the transfer in flight, for the callbacks */
        struct api_sink *sink;
        int sink_error;
        char diag[200]; /* the start of a non-2xx body, for messages */
        size_t diag_len;
        char curl_err[CURL_ERROR_SIZE];
};

struct api_cache {
        char dir[PATH_MAX - 200]; /* absolute; leaves room for the names below it */
        uint64_t max_bytes;
};

/* Count n in a counter of the client's api_stats (atomic: another thread may read it). */
#define api_stat_add(c, field, n) __atomic_fetch_add(&(c)->stats.field, (n), __ATOMIC_RELAXED)

/* Format a message into err (when err is not NULL and errlen > 0). */
void api_errfill(char *err, size_t errlen, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Fill err and evaluate to code: "return api_errf(err, errlen, -EINVAL, "...", ...);". A macro so
 * that readers and analysers see the returned value is code itself. */
#define api_errf(err, errlen, code, ...) (api_errfill((err), (errlen), __VA_ARGS__), (code))

/* Whether s is a valid id: [A-Za-z0-9._-]{1,API_ID_MAX}, not "." or "..". */
bool api_valid_id(const char *s);

/* Whether s is 64 lowercase hex digits. */
bool api_valid_sha256(const char *s);

/* Check a relative path as a manifest path (see struct api_manifest_file). Return: 0 or -EINVAL,
 * with the reason in why. */
int api_check_path(const char *s, size_t len, const char **why);

/* Resolve ref against the base URL (absolute URLs are kept); http and https only.
 * Return: 0 and *ret (malloc'd); API_E_PROTOCOL; -ENOMEM. */
int api_resolve_url(const struct api_client *c, const char *ref, char **ret, char *err,
                    size_t errlen);

/* Perform a request with the retry policy. 401/403 become API_E_AUTH; 5xx and 429 are retried
 * and become API_E_SERVER when they persist. Return: 0 and *ret_status (any other status);
 * a negative code with err filled. */
int api_perform(struct api_client *c, const struct api_request *rq, long *ret_status, char *err,
                size_t errlen);

/* Copy up to the client's diagnostic bytes of the last non-2xx body into a message suffix. */
const char *api_diag(struct api_client *c);

/* Hex of the SHA-256 of a whole descriptor's content (read from offset 0) and its size.
 * Return: 0 or -errno / -EIO. */
int api_sha256_fd(int fd, char hex[65], uint64_t *ret_size);

/* Hex of a digest. */
void api_hex(const unsigned char *d, size_t n, char *out);

/* Cache internals for fetch.c. */
/* A new temporary file in DIR/tmp, opened O_RDWR|O_CLOEXEC. Return: 0 or -errno. */
int cache_tmp_file(const struct api_cache *cache, int *ret_fd, char *ret_path, size_t n);
/* DIR/blobs/<sha256>. Return: 0 or -ENAMETOOLONG. */
int cache_blob_path(const struct api_cache *cache, const char *sha256, char *buf, size_t n);
/* Mark a blob or package as used now (its mtime). */
void cache_touch(int fd);
/* Make a verified temporary file read-only and durable. Return: 0 or -errno. */
int cache_seal(int fd);
/* Name the sealed, verified temporary file tmp as blob sha256 (tmp keeps its own name, for the
 * caller to unlink). Return: 0 or -errno. */
int cache_commit(const struct api_cache *cache, const char *tmp, const char *sha256);
/* Evict until under the bound, never the blob keep (may be NULL). Return: 0 or -errno. */
int cache_evict(const struct api_cache *cache, const char *keep, char *err, size_t errlen);

#endif
