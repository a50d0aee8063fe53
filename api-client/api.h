/* SPDX-License-Identifier: MIT */
/*
 * api-client: the grader's side of the course-site Grader API v1 (docs/api.md): claim jobs,
 * keep their leases alive, post results, release jobs, and fetch problem packages into a
 * content-addressed cache shared by workers and processes.
 *
 * The module knows nothing of sandboxes or grading. It never prints, logs or exits: every
 * function returns 0 (or a documented positive value) or a negative code, and fills the caller's
 * err buffer (lower-case, no full stop) when it fails. Codes are either -errno values or the
 * API_E_* values below, which lie outside the errno range; api_strerror() names both.
 *
 * Threads: call api_global_init() once before any thread starts. A struct api_client is used by
 * one thread at a time (make one per worker: it keeps one connection alive). A struct api_cache
 * holds no mutable state after api_cache_open() and may be shared by every thread; several
 * processes may share one cache directory.
 */
#ifndef GRADER_API_H
#define GRADER_API_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

/* Failure causes that errno cannot say. All are negative and below -1000. */
enum {
        API_E_TRANSPORT = -1001,  /* connection, TLS or transfer failure (after the retries) */
        API_E_HTTP = -1002,       /* the site answered a status this call does not expect */
        API_E_AUTH = -1003,       /* 401 or 403: the token is wrong or lacks rights; never
                                     retried by the client */
        API_E_PROTOCOL = -1004,   /* a reply (or an id we were asked to use) breaks docs/api.md */
        API_E_LEASE_LOST = -1005, /* heartbeat answered 404/409/410: stop grading, post nothing */
        API_E_GONE = -1006,       /* result answered 410: the job was taken back; nothing to do */
        API_E_INTEGRITY = -1007,  /* a blob's bytes do not match its sha256 or size */
        API_E_TOO_BIG = -1008,    /* a reply, manifest or package is over its cap */
        API_E_SERVER = -1009,     /* 5xx or 429 persisted through every attempt */
        API_E_ABORTED = -1010,    /* the abort flag was set (api_client_set_abort_flag) */
};

/* Caps on what a reply may carry (the parsers refuse more with API_E_TOO_BIG). */
#define API_ID_MAX               128                 /* job, submission, problem id, revision */
#define API_NAME_MAX             255                 /* a file name, a path component */
#define API_PATH_MAX             1024                /* a manifest path */
#define API_URL_MAX              4096                /* files_url, a blob url */
#define API_LABEL_MAX            256                 /* a queue or language name */
#define API_SUBMISSION_FILES_MAX 256                 /* files in one submission */
#define API_SUBMISSION_BYTES_MAX (8u << 20)          /* decoded bytes of one submission */
#define API_MANIFEST_FILES_MAX   20000               /* files in one problem package */
#define API_BLOB_SIZE_MAX        ((uint64_t)1 << 40) /* a manifest size field */
#define API_LEASE_MAX            604800.0            /* a lease, seconds (one week) */
#define API_WAIT_MAX             3600                /* claim's wait, seconds */
#define API_QUEUES_MAX           1024                /* queues in one GET /queues reply */
_Static_assert(API_SUBMISSION_FILES_MAX == CMN_SUBMISSION_FILES_MAX,
               "the grader compiles what the API accepts");

/*
 * api_global_init - initialise libcurl (curl_global_init). Call once from main, before any
 * thread is started and before any other api_ function.
 * Return: 0; API_E_TRANSPORT when libcurl cannot initialise.
 */
int api_global_init(void);

/* api_global_cleanup - the counterpart of api_global_init, once all clients are freed. */
void api_global_cleanup(void);

/*
 * api_strerror - a short name for a code returned by this module (an API_E_* value or a -errno).
 * Return: a static string, never NULL.
 */
const char *api_strerror(int code);

/*
 * api_error_is_transient - whether trying the same call again later may succeed: true for
 * API_E_TRANSPORT and API_E_SERVER (the site is unreachable or failing), false for every other
 * code. A service spools results and retries claims after a pause on transient errors; it logs
 * API_E_AUTH loudly and backs off longer.
 */
bool api_error_is_transient(int code);

/*
 * api_backoff_delay_ms - the pause before retry number attempt (0 = the first retry), with
 * "full jitter": uniform in [0, min(cap_ms, base_ms * 2^attempt)], taking random (any 64 bits)
 * as the source of randomness. Pure, no overflow for any input.
 * Return: the delay in milliseconds.
 */
unsigned api_backoff_delay_ms(unsigned attempt, unsigned base_ms, unsigned cap_ms, uint64_t random);

/*
 * api_token_read - read the bearer token from the file at path: surrounding whitespace is
 * trimmed; the file must hold at most 4096 bytes and the token must be non-empty printable ASCII
 * without spaces (it goes into an HTTP header).
 * @ret_token: on success a malloc'd string, which the caller frees (api_token_free wipes it).
 * Return: 0; -EINVAL (empty or bad characters), -EFBIG (too large) or -errno from reading.
 */
int api_token_read(const char *path, char **ret_token, char *err, size_t errlen);

/* api_token_free - wipe and free a token from api_token_read (accepts NULL). */
void api_token_free(char *token);

/*
 * Client options. Zero-initialise, then fill; each zero numeric field takes the default in
 * brackets. Strings are copied by api_client_new().
 */
struct api_client_opts {
        const char *base_url;     /* "https://site/api/v1": http or https, no query; required */
        const char *token;        /* the bearer token itself (see api_token_read); required */
        const char *ca_file;      /* PEM bundle to verify the site; NULL = the system's. TLS
                                     peer and host verification are always on */
        long connect_timeout_ms;  /* [10000] per connection attempt */
        long timeout_ms;          /* [60000] per request; claim adds its wait. Blob downloads have
                                     no total timeout but abort below 1 KiB/s for this long */
        unsigned max_attempts;    /* [5] tries per request, first included (1 = no retry) */
        unsigned backoff_base_ms; /* [500] first retry's ceiling; doubles each retry */
        unsigned backoff_cap_ms;  /* [30000] ceiling on one pause (also on a Retry-After) */
        size_t max_body;          /* [16 MiB] cap on a JSON reply (claim, manifest, heartbeat) */
        uint64_t max_package;     /* [4 GiB] cap on the total size of one problem package */
        const char *user_agent;   /* ["grader/VERSION"] */
};

/* The calls of the API, for per-call counters (api_stats) and metrics labels. */
enum api_call {
        API_CALL_CLAIM,
        API_CALL_HEARTBEAT,
        API_CALL_RESULT,
        API_CALL_RELEASE,
        API_CALL_MANIFEST,
        API_CALL_BLOB,
        API_CALL_QUEUES,
        API_CALL_COUNT
};

/* api_call_name - "claim", "heartbeat", "result", "release", "manifest", "blob", "queues". */
const char *api_call_name(enum api_call call);

/* Counters of one client since api_client_new, for metrics. Another thread may read them
 * (api_client_stats) while the client works: they are updated atomically. */
struct api_stats {
        unsigned long requests;                        /* HTTP requests sent, retries included */
        unsigned long retries;                         /* requests repeated after a transient
                                                          failure */
        unsigned long retries_by_call[API_CALL_COUNT]; /* the same, by call */
        unsigned long blobs_downloaded; /* blobs fetched from the site (and verified) */
        uint64_t bytes_downloaded;      /* their bytes */
        unsigned long blobs_reused;     /* blobs taken from the cache instead */
        unsigned long packages_built;   /* packages materialised by this client */
        unsigned long packages_reused;  /* fetches answered from an existing package */
};

struct api_client;

/*
 * api_client_new - make a client: one libcurl handle, reused (with its connection) by every call.
 * @o: options; the strings are copied, so o may go away after the call.
 * @ret: on success the new client, which the caller frees with api_client_free().
 * Return: 0; -EINVAL (bad base_url or token, message in err), -ENOMEM, API_E_TRANSPORT.
 */
int api_client_new(const struct api_client_opts *o, struct api_client **ret, char *err,
                   size_t errlen);

/* api_client_free - close the connection, wipe the token and free the client (accepts NULL). */
void api_client_free(struct api_client *c);

/*
 * api_client_set_abort_flag - make every call of c give up with API_E_ABORTED soon after *flag
 * becomes non-zero: it is checked before each attempt, during the pauses between retries (every
 * 50 ms) and while a transfer runs (libcurl's progress callback, at least once a second).
 * @flag: e.g. a volatile sig_atomic_t set by a SIGTERM handler; NULL removes the hook. It must
 * outlive the client.
 */
void api_client_set_abort_flag(struct api_client *c, const volatile sig_atomic_t *flag);

/* api_client_retries - how many requests this client has repeated (a metric). */
unsigned long api_client_retries(const struct api_client *c);

/* api_client_stats - copy all counters of c into *ret; any thread may call it. */
void api_client_stats(const struct api_client *c, struct api_stats *ret);

/*
 * api_client_set_token - send token from the next request on (a token file read again after
 * a 401 or on SIGHUP). Call it from the thread that uses the client.
 * Return: 0; -EINVAL (empty, too long, spaces or control characters; the old token stays);
 * -ENOMEM.
 */
int api_client_set_token(struct api_client *c, const char *token, char *err, size_t errlen);

/* A job as claimed (POST /claim, 200). Every string is NUL-terminated and validated. */
struct api_file {
        char *name;          /* a plain file name: no '/', '\\', control characters; not "."
                                or ".."; unique in the submission */
        unsigned char *data; /* decoded content, followed by one NUL not counted in len */
        size_t len;
};

struct api_job {
        char *job_id;           /* [A-Za-z0-9._-], at most API_ID_MAX, not "." or ".." */
        double lease;           /* seconds, in (0, API_LEASE_MAX] */
        char *submission_id;    /* same rule as job_id */
        char *queue;            /* non-empty, at most API_LABEL_MAX, no control characters */
        char *language;         /* same rule as queue */
        struct api_file *files; /* n_files entries, 1..API_SUBMISSION_FILES_MAX */
        size_t n_files;
        char *problem_id;       /* same rule as job_id (a directory name in the cache) */
        char *problem_revision; /* same rule as job_id */
        char *files_url;        /* absolute or relative to the base URL, at most API_URL_MAX */
};

/* api_job_free - free a job and everything in it (accepts NULL). */
void api_job_free(struct api_job *job);

/*
 * api_claim - ask the site for one job (POST {base}/claim). The site may hold the request up to
 * wait_s seconds; the request timeout is timeout_ms plus that wait.
 * @grader_id: this grader's name (non-empty, at most API_LABEL_MAX bytes of UTF-8).
 * @queues, @languages: NULL-terminated arrays of names, queues in priority order.
 * @wait_s: at most API_WAIT_MAX.
 * @ret_job: on 1, the job, which the caller frees with api_job_free().
 * A claim whose reply is lost (a retried POST) costs at most one lease: the site re-queues it.
 * A 200 reply that fails validation but carries a valid job_id is released at once (best
 * effort, reason "grader could not accept the claim reply: ..."), so the site can count it.
 * Return: 1 and a job; 0 when there is no work (204); -EINVAL (bad arguments); API_E_AUTH;
 * API_E_PROTOCOL (bad reply, the field named in err); API_E_TOO_BIG; API_E_HTTP (other status);
 * API_E_TRANSPORT or API_E_SERVER (after the retries); API_E_ABORTED; -ENOMEM.
 */
int api_claim(struct api_client *c, const char *grader_id, const char *const *queues,
              const char *const *languages, unsigned wait_s, struct api_job **ret_job, char *err,
              size_t errlen);

/*
 * api_heartbeat - renew the lease of job_id (POST {base}/jobs/{job_id}/heartbeat, body {}).
 * @ret_lease: on 0, the new lease in seconds (may be NULL).
 * Return: 0; API_E_LEASE_LOST (404, 409 or 410: stop grading the job and post nothing);
 * API_E_PROTOCOL (bad job_id or reply); API_E_AUTH; API_E_HTTP; API_E_TRANSPORT; API_E_SERVER;
 * API_E_ABORTED; -ENOMEM.
 */
int api_heartbeat(struct api_client *c, const char *job_id, double *ret_lease, char *err,
                  size_t errlen);

/*
 * api_post_result - post the result JSON (docs/grading.md) of job_id (POST
 * {base}/jobs/{job_id}/result). Posting the same result again is safe (the site answers 200 or
 * 409).
 * @json, @len: the body, sent as is.
 * Return: 0 (200 or another 2xx, or 409: posted before; either way done); API_E_GONE (410: the job
 * was taken back; done, nothing more to do); API_E_PROTOCOL (bad job_id); API_E_AUTH; API_E_HTTP
 * (any other status, 404 included: keep the result); API_E_TRANSPORT or API_E_SERVER (keep it and
 * retry later); API_E_ABORTED.
 */
int api_post_result(struct api_client *c, const char *job_id, const char *json, size_t len,
                    char *err, size_t errlen);

/*
 * api_release - hand job_id back to its queue now (POST {base}/jobs/{job_id}/release).
 * @reason: a short text for the site's log (made valid UTF-8 and cut at 1024 bytes).
 * Return: 0 (2xx, and also 404, 409 or 410: the job is not ours anyway); API_E_PROTOCOL (bad
 * job_id); API_E_AUTH; API_E_HTTP; API_E_TRANSPORT; API_E_SERVER; API_E_ABORTED; -ENOMEM.
 */
int api_release(struct api_client *c, const char *job_id, const char *reason, char *err,
                size_t errlen);

/* One queue as GET /queues reports it. */
struct api_queue {
        char *name;            /* non-empty, at most API_LABEL_MAX, no control characters */
        uint64_t depth;        /* submissions waiting */
        uint64_t running;      /* submissions leased to a grader now */
        double oldest_waiting; /* seconds the oldest waiting one has waited; 0 when none */
};

struct api_queues {
        struct api_queue *queues; /* n_queues entries, 0..API_QUEUES_MAX */
        size_t n_queues;
};

/* api_queues_free - free a queues reply (accepts NULL). */
void api_queues_free(struct api_queues *q);

/*
 * api_get_queues - the site's queue depths (GET {base}/queues?queues=a,b), an optional part of
 * API v1 for autoscaling and metrics.
 * @queues: NULL-terminated names to ask about (NULL: every queue the site has).
 * @ret: on 1, the reply, which the caller frees with api_queues_free().
 * Return: 1 and *ret; 0 when the site does not offer it (404, 405, 501); API_E_AUTH;
 * API_E_PROTOCOL; API_E_TOO_BIG; API_E_HTTP; API_E_TRANSPORT; API_E_SERVER; API_E_ABORTED;
 * -ENOMEM.
 */
int api_get_queues(struct api_client *c, const char *const *queues, struct api_queues **ret,
                   char *err, size_t errlen);

/*
 * Pure reply parsers (used by the calls above, exposed for tests and fuzzing). Each takes the
 * reply body (len bytes, need not be NUL-terminated), checks every field (type, presence, caps,
 * characters), ignores unknown fields, and names the first bad field in err.
 * Return: 0 and *ret filled (the caller frees it); API_E_PROTOCOL (malformed, missing, wrong
 * type, bad value, bad base64, hostile name or path); API_E_TOO_BIG (over a cap); -ENOMEM.
 */
int api_parse_claim(const char *body, size_t len, struct api_job **ret, char *err, size_t errlen);
int api_parse_heartbeat(const char *body, size_t len, double *ret_lease, char *err, size_t errlen);
int api_parse_queues(const char *body, size_t len, struct api_queues **ret, char *err,
                     size_t errlen);

/* A problem package manifest (GET files_url). */
struct api_manifest_file {
        char *path;      /* relative: components joined by '/', none empty, ".", ".." or over
                            API_NAME_MAX; no '\\' or control characters; at most API_PATH_MAX */
        char sha256[65]; /* 64 lowercase hex digits */
        uint64_t size;   /* bytes, at most API_BLOB_SIZE_MAX */
        char *url;       /* where the blob is; absolute or relative to the base URL */
};

struct api_manifest {
        struct api_manifest_file *files; /* 0..API_MANIFEST_FILES_MAX entries */
        size_t n_files;
        uint64_t total_size; /* sum of the sizes */
};

int api_parse_manifest(const char *body, size_t len, struct api_manifest **ret, char *err,
                       size_t errlen);

/* api_manifest_free - free a manifest (accepts NULL). */
void api_manifest_free(struct api_manifest *m);

/*
 * The content-addressed cache, a directory:
 *   DIR/blobs/<sha256>            verified blobs, read-only (0444); mtime = last use
 *   DIR/packages/<problem>/<rev>/ materialised packages: their files are hard links to blobs
 *   DIR/tmp/                      downloads and packages being built, renamed into place
 * A blob appears under blobs/ only after its sha256 was checked, through a temporary file that
 * is fsync'ed and renamed, so workers and processes can share DIR. The size bound (max_bytes)
 * counts the blobs (package files are links to them, so that is the disk used). Eviction is least
 * recently used: first blobs no package links, oldest first; then whole packages, oldest first,
 * skipping any package a live struct api_package holds; then the blobs that freed. A package in
 * use is never evicted, nor any blob it links. Operators may chmod DIR to 0700: only this
 * module's process needs it.
 */
struct api_cache;

/*
 * api_cache_open - open (creating as needed) the cache at dir, and remove leftovers older than a
 * day from DIR/tmp (what a crashed process left behind).
 * @max_bytes: the bound on the blobs' total size; 0 = unbounded.
 * @ret: on 0 the cache, freed with api_cache_free(); it may be shared by threads.
 * Return: 0; -errno (creating the directories); -ENAMETOOLONG; -ENOMEM.
 */
int api_cache_open(const char *dir, uint64_t max_bytes, struct api_cache **ret, char *err,
                   size_t errlen);

/* api_cache_free - free the handle (the directory stays; accepts NULL). */
void api_cache_free(struct api_cache *cache);

/*
 * api_cache_put - store len bytes as the blob sha256, after checking that they hash to it; then
 * evict if the cache is over its bound (never the blob just stored).
 * Return: 0 (also when the blob was already there); -EINVAL (sha256 is not 64 lowercase hex);
 * API_E_INTEGRITY (data does not match); API_E_TOO_BIG (larger than max_bytes); -errno.
 */
int api_cache_put(struct api_cache *cache, const char *sha256, const void *data, size_t len,
                  char *err, size_t errlen);

/*
 * api_cache_get - open the blob sha256 for reading, after checking its bytes again; a blob that
 * no longer matches its name is deleted and reported absent. Marks the blob as used (LRU).
 * @ret_fd: on 1, an O_RDONLY|O_CLOEXEC descriptor at offset 0, which the caller closes.
 * Return: 1 and *ret_fd; 0 when absent (or corrupt); -EINVAL (bad sha256); -errno.
 */
int api_cache_get(struct api_cache *cache, const char *sha256, int *ret_fd, char *err,
                  size_t errlen);

/*
 * api_cache_usage - the bytes and number of blobs under DIR/blobs now.
 * Return: 0; -errno.
 */
int api_cache_usage(struct api_cache *cache, uint64_t *ret_bytes, unsigned long *ret_blobs,
                    char *err, size_t errlen);

/*
 * api_cache_evict - evict (see above) until the blobs fit in max_bytes or nothing more may go.
 * Runs in one process at a time (an flock on DIR/.evict.lock); when another holds it, returns 0
 * at once. api_cache_put and api_fetch_problem call it; a service may also call it on a timer.
 * Return: 0; -errno.
 */
int api_cache_evict(struct api_cache *cache, char *err, size_t errlen);

/* A materialised problem package, held (so never evicted) until api_package_free. */
struct api_package;

/*
 * api_fetch_problem - make the package (problem_id, revision) available as a directory tree.
 * When DIR/packages/<problem_id>/<revision>/ exists, it is returned with no request at all.
 * Otherwise the manifest is fetched from files_url; each blob is taken from the cache (its bytes
 * re-checked) or downloaded, checked against the manifest's size and sha256 and stored; the tree
 * is built in DIR/tmp with hard links to the blobs and renamed into place atomically (when
 * another worker or process won the race, its package is used and ours dropped). Files are
 * read-only (0444) and shared with the cache and other packages: copy one before changing it or
 * its mode. A blob that does not match is never used, nor stored.
 * @files_url: absolute, or relative to the base URL (only used when the package is missing).
 * @ret_pkg: on 0 the package, which the caller frees with api_package_free() once done with it.
 * Return: 0; API_E_PROTOCOL (bad id or manifest, conflicting paths); API_E_INTEGRITY;
 * API_E_TOO_BIG (manifest over max_body, package over max_package); API_E_AUTH; API_E_HTTP;
 * API_E_TRANSPORT; API_E_SERVER; API_E_ABORTED; -errno (disk); -ENOMEM.
 */
int api_fetch_problem(struct api_client *c, struct api_cache *cache, const char *problem_id,
                      const char *revision, const char *files_url, struct api_package **ret_pkg,
                      char *err, size_t errlen);

/* api_package_dir - the package's directory: an absolute path (DIR resolved), valid until
 * api_package_free. */
const char *api_package_dir(const struct api_package *pkg);

/* api_package_free - let the package be evicted again, and free the handle (accepts NULL). */
void api_package_free(struct api_package *pkg);

#endif
