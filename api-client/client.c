/* SPDX-License-Identifier: MIT */
/*
 * The HTTP layer of api-client: the client handle, URL resolution, and one request with the
 * retry policy (exponential backoff with full jitter, bounded attempts, abortable).
 *
 * Theory of operation. Each client owns one CURL easy handle, reused for every request so the
 * connection to the site stays open. api_perform() sets the request's options, then loops:
 * check the abort flag, pause (after a failure), reset the body sink, perform. Transport errors
 * that a later attempt may cure, 5xx and 429 go round the loop until max_attempts; everything
 * else ends it. Bodies of 2xx replies go to the caller's sink (which enforces its own cap);
 * bodies of other replies go to a small diagnostic buffer quoted in error messages. The bearer
 * token is sent only to the base URL's origin, so an absolute URL pointing elsewhere (a CDN
 * with signed URLs) never sees it; libcurl likewise drops it on a redirect to another host.
 */
#include "api_internal.h"
#include "common.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define DEFAULT_TIMEOUT_MS         60000L
#define DEFAULT_MAX_ATTEMPTS       5u
#define DEFAULT_BACKOFF_BASE_MS    500u
#define DEFAULT_BACKOFF_CAP_MS     30000u
#define DEFAULT_MAX_BODY           ((size_t)16 << 20)
#define DEFAULT_MAX_PACKAGE        ((uint64_t)4 << 30)
#define TOKEN_FILE_MAX             4096
/* Redirects are followed for GETs only (a blob store may redirect to signed URLs). */
#define MAX_REDIRECTS 5
/* Pauses are slept in slices so the abort flag is noticed within this many milliseconds. */
#define SLEEP_SLICE_MS 50u

void api_errfill(char *err, size_t errlen, const char *fmt, ...)
{
        if (err && errlen) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(err, errlen, fmt, ap);
                va_end(ap);
        }
}

int api_global_init(void)
{
        return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : API_E_TRANSPORT;
}

void api_global_cleanup(void)
{
        curl_global_cleanup();
}

const char *api_strerror(int code)
{
        switch (code) {
        case 0:
                return "success";
        case API_E_TRANSPORT:
                return "transport error";
        case API_E_HTTP:
                return "unexpected http status";
        case API_E_AUTH:
                return "authentication refused";
        case API_E_PROTOCOL:
                return "protocol error";
        case API_E_LEASE_LOST:
                return "lease lost";
        case API_E_GONE:
                return "job taken back";
        case API_E_INTEGRITY:
                return "integrity check failed";
        case API_E_TOO_BIG:
                return "over a size cap";
        case API_E_SERVER:
                return "server error";
        case API_E_ABORTED:
                return "aborted";
        default:
                break;
        }
        if (code < 0 && code > -4096) {
                const char *s = strerrordesc_np(-code);
                return s ? s : "unknown error";
        }
        return "unknown error";
}

bool api_error_is_transient(int code)
{
        return code == API_E_TRANSPORT || code == API_E_SERVER;
}

unsigned api_backoff_delay_ms(unsigned attempt, unsigned base_ms, unsigned cap_ms, uint64_t random)
{
        uint64_t ceiling = cap_ms;
        if (base_ms == 0)
                return 0;
        /* base * 2^attempt < 2^64 for attempt < 32; from 32 on it exceeds any unsigned cap */
        if (attempt < 32) {
                uint64_t grown = (uint64_t)base_ms << attempt;
                if (grown < ceiling)
                        ceiling = grown;
        }
        return (unsigned)(random % (ceiling + 1));
}

/* A token goes into a header: printable ASCII, no spaces. */
static bool valid_token(const char *t, size_t len)
{
        if (len == 0)
                return false;
        for (size_t i = 0; i < len; i++)
                if (t[i] <= 0x20 || t[i] >= 0x7f)
                        return false;
        return true;
}

int api_token_read(const char *path, char **ret_token, char *err, size_t errlen)
{
        char *buf;
        size_t len;
        int r = cmn_read_file(path, TOKEN_FILE_MAX, &buf, &len);
        if (r == -EFBIG)
                return api_errf(err, errlen, r, "token file '%s' is over %d bytes", path,
                                TOKEN_FILE_MAX);
        if (r < 0)
                return api_errf(err, errlen, r, "cannot read token file '%s': %s", path,
                                api_strerror(r));
        size_t start = 0, end = len;
        while (start < end && isspace((unsigned char)buf[start]))
                start++;
        while (end > start && isspace((unsigned char)buf[end - 1]))
                end--;
        if (!valid_token(buf + start, end - start)) {
                explicit_bzero(buf, len);
                free(buf);
                return api_errf(err, errlen, -EINVAL,
                                start == end ? "token file '%s' is empty"
                                             : "token in '%s' has spaces or control characters",
                                path);
        }
        memmove(buf, buf + start, end - start);
        explicit_bzero(buf + (end - start), len - (end - start));
        buf[end - start] = '\0';
        *ret_token = buf;
        return 0;
}

void api_token_free(char *token)
{
        if (!token)
                return;
        explicit_bzero(token, strlen(token));
        free(token);
}

/* Copy a URL part out of a CURLU handle into a malloc'd string. */
static int url_part(CURLU *u, CURLUPart part, unsigned flags, char **ret)
{
        char *s = NULL;
        CURLUcode uc = curl_url_get(u, part, &s, flags);
        if (uc == CURLUE_OUT_OF_MEMORY)
                return -ENOMEM;
        if (uc != CURLUE_OK) {
                *ret = NULL;
                return 0;
        }
        *ret = strdup(s);
        curl_free(s);
        return *ret ? 0 : -ENOMEM;
}

/* Whether url (absolute) has the base URL's scheme, host and port. */
static bool same_origin(const struct api_client *c, const char *url)
{
        CURLU *u = curl_url();
        if (!u)
                return false;
        bool same = false;
        char *scheme = NULL, *host = NULL, *port = NULL;
        if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
            url_part(u, CURLUPART_SCHEME, 0, &scheme) == 0 &&
            url_part(u, CURLUPART_HOST, 0, &host) == 0 &&
            url_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT, &port) == 0 && scheme && host && port)
                same = !strcasecmp(scheme, c->origin_scheme) && !strcasecmp(host, c->origin_host) &&
                       !strcmp(port, c->origin_port);
        free(scheme);
        free(host);
        free(port);
        curl_url_cleanup(u);
        return same;
}

int api_resolve_url(const struct api_client *c, const char *ref, char **ret, char *err,
                    size_t errlen)
{
        size_t len = strnlen(ref, API_URL_MAX + 1);
        if (len == 0 || len > API_URL_MAX)
                return api_errf(err, errlen, API_E_PROTOCOL, "url is empty or over %d bytes",
                                API_URL_MAX);
        for (size_t i = 0; i < len; i++)
                if ((unsigned char)ref[i] <= 0x20 || ref[i] == 0x7f)
                        return api_errf(err, errlen, API_E_PROTOCOL,
                                        "url has spaces or control characters");
        CURLU *u = curl_url();
        if (!u)
                return -ENOMEM;
        int r = 0;
        char *scheme = NULL;
        /* Setting a relative URL on a handle that holds the base resolves it (RFC 3986). */
        if (curl_url_set(u, CURLUPART_URL, c->base, 0) != CURLUE_OK ||
            curl_url_set(u, CURLUPART_URL, ref, 0) != CURLUE_OK) {
                r = api_errf(err, errlen, API_E_PROTOCOL, "cannot resolve url '%.200s'", ref);
                goto out;
        }
        r = url_part(u, CURLUPART_SCHEME, 0, &scheme);
        if (r < 0)
                goto out;
        if (!scheme || (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)) {
                r = api_errf(err, errlen, API_E_PROTOCOL, "url '%.200s' is not http or https", ref);
                goto out;
        }
        r = url_part(u, CURLUPART_URL, 0, ret);
        if (r == 0 && !*ret)
                r = api_errf(err, errlen, API_E_PROTOCOL, "cannot resolve url '%.200s'", ref);
out:
        free(scheme);
        curl_url_cleanup(u);
        return r;
}

/* Free a header list, wiping its lines first: one of them holds the token. */
static void wipe_headers(struct curl_slist *l)
{
        for (struct curl_slist *n = l; n; n = n->next)
                explicit_bzero(n->data, strlen(n->data));
        curl_slist_free_all(l);
}

static void release_client(struct api_client *c)
{
        if (c->curl)
                curl_easy_cleanup(c->curl);
        wipe_headers(c->hdr_post);
        wipe_headers(c->hdr_get);
        curl_slist_free_all(c->hdr_foreign);
        free(c->base);
        free(c->origin_scheme);
        free(c->origin_host);
        free(c->origin_port);
}

void api_client_free(struct api_client *c)
{
        if (!c)
                return;
        release_client(c);
        free(c);
}

/* Split the base URL into the origin the token belongs to; keep it with one trailing '/'. */
static int parse_base(struct api_client *c, const char *base, char *err, size_t errlen)
{
        size_t len = strnlen(base, API_URL_MAX + 1);
        if (len == 0 || len > API_URL_MAX)
                return api_errf(err, errlen, -EINVAL, "base url is empty or too long");
        CURLU *u = curl_url();
        if (!u)
                return -ENOMEM;
        char *query = NULL, *fragment = NULL, *url = NULL;
        int r = 0;
        if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK) {
                r = api_errf(err, errlen, -EINVAL, "base url '%s' is malformed", base);
                goto out;
        }
        if ((r = url_part(u, CURLUPART_SCHEME, 0, &c->origin_scheme)) < 0 ||
            (r = url_part(u, CURLUPART_HOST, 0, &c->origin_host)) < 0 ||
            (r = url_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT, &c->origin_port)) < 0 ||
            (r = url_part(u, CURLUPART_QUERY, 0, &query)) < 0 ||
            (r = url_part(u, CURLUPART_FRAGMENT, 0, &fragment)) < 0 ||
            (r = url_part(u, CURLUPART_URL, 0, &url)) < 0)
                goto out;
        if (!c->origin_scheme || !c->origin_host || !c->origin_port || !url ||
            (strcasecmp(c->origin_scheme, "http") != 0 &&
             strcasecmp(c->origin_scheme, "https") != 0)) {
                r = api_errf(err, errlen, -EINVAL, "base url '%s' is not http(s)://host/...", base);
                goto out;
        }
        if (query || fragment) {
                r = api_errf(err, errlen, -EINVAL, "base url '%s' has a query or fragment", base);
                goto out;
        }
        c->https = !strcasecmp(c->origin_scheme, "https");
        size_t n = strlen(url);
        while (n && url[n - 1] == '/')
                n--;
        c->base = malloc(n + 2);
        if (!c->base) {
                r = -ENOMEM;
                goto out;
        }
        memcpy(c->base, url, n);
        memcpy(c->base + n, "/", 2);
out:
        free(query);
        free(fragment);
        free(url);
        curl_url_cleanup(u);
        return r;
}

static struct curl_slist *header_list(const char *auth, bool json)
{
        struct curl_slist *l = NULL, *n;
        /* No "Expect: 100-continue" round trip before a body. */
        const char *fixed[] = {"Accept: application/json", "Expect:"};
        for (size_t i = 0; i < CMN_ARRAY_SIZE(fixed); i++) {
                if (!(n = curl_slist_append(l, fixed[i])))
                        goto fail;
                l = n;
        }
        if (json) {
                if (!(n = curl_slist_append(l, "Content-Type: application/json")))
                        goto fail;
                l = n;
        }
        if (auth) {
                if (!(n = curl_slist_append(l, auth)))
                        goto fail;
                l = n;
        }
        return l;
fail:
        curl_slist_free_all(l);
        return NULL;
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *userdata)
{
        struct api_client *c = userdata;
        size_t n = size * nmemb;
        long status = 0;
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
        if (status < 200 || status > 299 || !c->sink) {
                /* keep the start of an error body for the message, drop the rest */
                size_t room = sizeof(c->diag) - 1 - c->diag_len;
                size_t k = n < room ? n : room;
                memcpy(c->diag + c->diag_len, p, k);
                c->diag_len += k;
                return n;
        }
        int r = c->sink->write(c->sink, p, n);
        if (r < 0) {
                c->sink_error = r;
                return CURL_WRITEFUNC_ERROR;
        }
        return n;
}

static bool aborted(const struct api_client *c)
{
        return c->abort_flag && *c->abort_flag;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
        (void)dltotal;
        (void)dlnow;
        (void)ultotal;
        (void)ulnow;
        return aborted(userdata) ? 1 : 0;
}

static uint64_t next_random(struct api_client *c)
{
        /* xorshift64*: plenty for jitter */
        c->rng ^= c->rng >> 12;
        c->rng ^= c->rng << 25;
        c->rng ^= c->rng >> 27;
        return c->rng * 0x2545F4914F6CDD1Dull;
}

static int make_headers(struct api_client *c, const char *token);

int api_client_new(const struct api_client_opts *o, struct api_client **ret, char *err,
                   size_t errlen)
{
        if (!o || !o->base_url || !o->token)
                return api_errf(err, errlen, -EINVAL, "base url and token are required");
        if (!valid_token(o->token, strnlen(o->token, TOKEN_FILE_MAX + 1)) ||
            strlen(o->token) > TOKEN_FILE_MAX)
                return api_errf(err, errlen, -EINVAL,
                                "token is empty, too long or has spaces or control characters");
        struct api_client *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        int r = parse_base(c, o->base_url, err, errlen);
        if (r < 0)
                goto fail;
        c->connect_timeout_ms =
                o->connect_timeout_ms > 0 ? o->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS;
        c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
        c->max_attempts = o->max_attempts ? o->max_attempts : DEFAULT_MAX_ATTEMPTS;
        c->backoff_base_ms = o->backoff_base_ms ? o->backoff_base_ms : DEFAULT_BACKOFF_BASE_MS;
        c->backoff_cap_ms = o->backoff_cap_ms ? o->backoff_cap_ms : DEFAULT_BACKOFF_CAP_MS;
        c->max_body = o->max_body ? o->max_body : DEFAULT_MAX_BODY;
        c->max_package = o->max_package ? o->max_package : DEFAULT_MAX_PACKAGE;
        if (getrandom(&c->rng, sizeof(c->rng), GRND_NONBLOCK) != sizeof(c->rng))
                c->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
        c->rng |= 1; /* xorshift must not start at 0 */

        if ((r = make_headers(c, o->token)) < 0)
                goto fail;

        c->curl = curl_easy_init();
        if (!c->curl) {
                r = api_errf(err, errlen, API_E_TRANSPORT, "cannot create a libcurl handle");
                goto fail;
        }
        char ua[64];
        snprintf(ua, sizeof(ua), "grader/%s", GRADER_VERSION);
        CURL *h = c->curl;
        CURLcode cc = CURLE_OK;
#define SET(opt, val)                                                                              \
        do {                                                                                       \
                if (cc == CURLE_OK)                                                                \
                        cc = curl_easy_setopt(h, opt, val);                                        \
        } while (0)
        SET(CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
        SET(CURLOPT_ERRORBUFFER, c->curl_err);
        SET(CURLOPT_USERAGENT, o->user_agent ? o->user_agent : ua);
        SET(CURLOPT_PROTOCOLS_STR, "http,https");
        /* never downgrade a TLS site to plain http on a redirect */
        SET(CURLOPT_REDIR_PROTOCOLS_STR, c->https ? "https" : "http,https");
        SET(CURLOPT_SSL_VERIFYPEER, 1L);
        SET(CURLOPT_SSL_VERIFYHOST, 2L);
        if (o->ca_file)
                SET(CURLOPT_CAINFO, o->ca_file);
        SET(CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
        SET(CURLOPT_TCP_KEEPALIVE, 1L);
        SET(CURLOPT_ACCEPT_ENCODING, ""); /* whatever libcurl decodes; sinks cap decoded bytes */
        SET(CURLOPT_WRITEFUNCTION, on_write);
        SET(CURLOPT_WRITEDATA, c);
        SET(CURLOPT_NOPROGRESS, 0L);
        SET(CURLOPT_XFERINFOFUNCTION, on_progress);
        SET(CURLOPT_XFERINFODATA, c);
        SET(CURLOPT_MAXREDIRS, (long)MAX_REDIRECTS);
#undef SET
        if (cc != CURLE_OK) {
                r = api_errf(err, errlen, API_E_TRANSPORT, "libcurl refused an option: %s",
                             curl_easy_strerror(cc));
                goto fail;
        }
        *ret = c;
        return 0;
fail:
        api_client_free(c);
        return r;
}

void api_client_set_abort_flag(struct api_client *c, const volatile sig_atomic_t *flag)
{
        c->abort_flag = flag;
}

const char *api_call_name(enum api_call call)
{
        static const char *const names[API_CALL_COUNT] = {
                [API_CALL_CLAIM] = "claim",       [API_CALL_HEARTBEAT] = "heartbeat",
                [API_CALL_RESULT] = "result",     [API_CALL_RELEASE] = "release",
                [API_CALL_MANIFEST] = "manifest", [API_CALL_BLOB] = "blob",
                [API_CALL_QUEUES] = "queues",
        };
        return (unsigned)call < API_CALL_COUNT ? names[call] : "unknown";
}

unsigned long api_client_retries(const struct api_client *c)
{
        return __atomic_load_n(&c->stats.retries, __ATOMIC_RELAXED);
}

#define LOAD(field) (ret->field = __atomic_load_n(&c->stats.field, __ATOMIC_RELAXED))
void api_client_stats(const struct api_client *c, struct api_stats *ret)
{
        LOAD(requests);
        LOAD(retries);
        for (size_t i = 0; i < API_CALL_COUNT; i++)
                LOAD(retries_by_call[i]);
        LOAD(blobs_downloaded);
        LOAD(bytes_downloaded);
        LOAD(blobs_reused);
        LOAD(packages_built);
        LOAD(packages_reused);
}
#undef LOAD

/* The header lists of a token: POST (JSON), GET to the site, GET elsewhere (no token). */
static int make_headers(struct api_client *c, const char *token)
{
        size_t alen = strlen("Authorization: Bearer ") + strlen(token) + 1;
        char *auth = malloc(alen);
        if (!auth)
                return -ENOMEM;
        snprintf(auth, alen, "Authorization: Bearer %s", token);
        struct curl_slist *post = header_list(auth, true), *get = header_list(auth, false);
        struct curl_slist *foreign = c->hdr_foreign ? NULL : header_list(NULL, false);
        explicit_bzero(auth, alen);
        free(auth);
        if (!post || !get || (!c->hdr_foreign && !foreign)) {
                curl_slist_free_all(post);
                curl_slist_free_all(get);
                curl_slist_free_all(foreign);
                return -ENOMEM;
        }
        wipe_headers(c->hdr_post);
        wipe_headers(c->hdr_get);
        c->hdr_post = post;
        c->hdr_get = get;
        if (foreign)
                c->hdr_foreign = foreign;
        return 0;
}

int api_client_set_token(struct api_client *c, const char *token, char *err, size_t errlen)
{
        if (!token || strlen(token) > TOKEN_FILE_MAX || !valid_token(token, strlen(token)))
                return api_errf(err, errlen, -EINVAL,
                                "token is empty, too long or has spaces or control characters");
        int r = make_headers(c, token);
        if (r < 0)
                return api_errf(err, errlen, r, "out of memory");
        return 0;
}

/* Sleep ms milliseconds in slices, giving up early when the abort flag is set. */
static bool pause_ms(const struct api_client *c, unsigned ms)
{
        while (ms) {
                if (aborted(c))
                        return false;
                unsigned k = ms < SLEEP_SLICE_MS ? ms : SLEEP_SLICE_MS;
                struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)k * 1000000L};
                nanosleep(&ts, NULL);
                ms -= k;
        }
        return !aborted(c);
}

/* Errors a later attempt cannot cure: bad URLs, options, certificates, our own sink's refusal. */
static bool retryable(CURLcode cc)
{
        switch ((int)cc) { /* an int: -Wswitch-enum would want every CURLcode listed */
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
        case CURLE_NOT_BUILT_IN:
        case CURLE_OUT_OF_MEMORY:
        case CURLE_BAD_FUNCTION_ARGUMENT:
        case CURLE_ABORTED_BY_CALLBACK:
        case CURLE_WRITE_ERROR:
        case CURLE_FILESIZE_EXCEEDED:
        case CURLE_TOO_MANY_REDIRECTS:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_ENGINE_NOTFOUND:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_UNKNOWN_OPTION:
        case CURLE_LOGIN_DENIED:
                return false;
        default:
                return true;
        }
}

const char *api_diag(struct api_client *c)
{
        /* printable ASCII only: the body is the site's and goes into our logs */
        for (size_t i = 0; i < c->diag_len; i++)
                if ((unsigned char)c->diag[i] < 0x20 || (unsigned char)c->diag[i] >= 0x7f)
                        c->diag[i] = ' ';
        c->diag[c->diag_len] = '\0';
        return c->diag;
}

/* The message of a failed transfer: libcurl's detailed text when it left one. */
static const char *curl_message(const struct api_client *c, CURLcode cc)
{
        return c->curl_err[0] ? c->curl_err : curl_easy_strerror(cc);
}

static int set_request(struct api_client *c, const struct api_request *rq)
{
        CURL *h = c->curl;
        bool own = same_origin(c, rq->url);
        CURLcode cc = curl_easy_setopt(h, CURLOPT_URL, rq->url);
        if (cc == CURLE_OK && rq->method == API_POST) {
                cc = curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
                if (cc == CURLE_OK)
                        cc = curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body);
                if (cc == CURLE_OK)
                        cc = curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
                if (cc == CURLE_OK)
                        cc = curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->hdr_post);
        } else if (cc == CURLE_OK) {
                cc = curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
                if (cc == CURLE_OK)
                        cc = curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
                if (cc == CURLE_OK)
                        cc = curl_easy_setopt(h, CURLOPT_HTTPHEADER,
                                              own ? c->hdr_get : c->hdr_foreign);
        }
        if (cc == CURLE_OK)
                cc = curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, rq->timeout_ms);
        if (cc == CURLE_OK)
                cc = curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT,
                                      rq->low_speed_time_s ? 1024L : 0L);
        if (cc == CURLE_OK)
                cc = curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, rq->low_speed_time_s);
        return cc == CURLE_OK ? 0 : API_E_TRANSPORT;
}

int api_perform(struct api_client *c, const struct api_request *rq, long *ret_status, char *err,
                size_t errlen)
{
        if (set_request(c, rq) < 0)
                return api_errf(err, errlen, API_E_TRANSPORT, "%s: libcurl refused an option",
                                rq->what);
        c->sink = rq->sink;
        for (unsigned attempt = 0;; attempt++) {
                unsigned delay = 0;
                if (aborted(c))
                        return api_errf(err, errlen, API_E_ABORTED, "%s: aborted", rq->what);
                if (rq->sink) {
                        int r = rq->sink->reset(rq->sink);
                        if (r < 0)
                                return api_errf(err, errlen, r, "%s: %s", rq->what, rq->sink->msg);
                }
                c->sink_error = 0;
                c->diag_len = 0;
                c->curl_err[0] = '\0';
                api_stat_add(c, requests, 1);
                CURLcode cc = curl_easy_perform(c->curl);
                bool last = attempt + 1 >= c->max_attempts;
                if (cc != CURLE_OK) {
                        if (cc == CURLE_ABORTED_BY_CALLBACK)
                                return api_errf(err, errlen, API_E_ABORTED, "%s: aborted",
                                                rq->what);
                        if (cc == CURLE_WRITE_ERROR && c->sink_error)
                                return api_errf(err, errlen, c->sink_error, "%s: %s", rq->what,
                                                rq->sink->msg);
                        if (!retryable(cc) || last)
                                return api_errf(err, errlen, API_E_TRANSPORT,
                                                "%s: %s (attempt %u of %u)", rq->what,
                                                curl_message(c, cc), attempt + 1, c->max_attempts);
                } else {
                        long status = 0;
                        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
                        if (status == 401 || status == 403)
                                return api_errf(err, errlen, API_E_AUTH,
                                                "%s: http %ld: the site refused the token: %s",
                                                rq->what, status, api_diag(c));
                        if (status < 500 && status != 429) {
                                *ret_status = status;
                                return 0;
                        }
                        if (last)
                                return api_errf(err, errlen, API_E_SERVER,
                                                "%s: http %ld after %u attempts: %s", rq->what,
                                                status, attempt + 1, api_diag(c));
                        /* honour Retry-After (seconds), within our own cap */
                        curl_off_t after = -1;
                        if (curl_easy_getinfo(c->curl, CURLINFO_RETRY_AFTER, &after) == CURLE_OK &&
                            after > 0) {
                                uint64_t ms = (uint64_t)after * 1000u;
                                delay = ms < c->backoff_cap_ms ? (unsigned)ms : c->backoff_cap_ms;
                        }
                }
                unsigned jitter = api_backoff_delay_ms(attempt, c->backoff_base_ms,
                                                       c->backoff_cap_ms, next_random(c));
                if (jitter > delay)
                        delay = jitter;
                api_stat_add(c, retries, 1);
                if ((unsigned)rq->call < API_CALL_COUNT)
                        api_stat_add(c, retries_by_call[rq->call], 1);
                if (!pause_ms(c, delay))
                        return api_errf(err, errlen, API_E_ABORTED, "%s: aborted", rq->what);
        }
}

static int mem_reset(struct api_sink *s)
{
        struct mem_sink *m = (struct mem_sink *)s;
        m->len = 0;
        if (m->buf)
                m->buf[0] = '\0';
        return 0;
}

static int mem_write(struct api_sink *s, const char *p, size_t n)
{
        struct mem_sink *m = (struct mem_sink *)s;
        if (n > m->max - m->len) {
                snprintf(s->msg, sizeof(s->msg), "reply is over %zu bytes", m->max);
                return API_E_TOO_BIG;
        }
        if (m->len + n + 1 > m->alloc) {
                size_t a = m->alloc ? m->alloc : 4096;
                while (a < m->len + n + 1)
                        a *= 2;
                char *b = realloc(m->buf, a);
                if (!b) {
                        snprintf(s->msg, sizeof(s->msg), "out of memory");
                        return -ENOMEM;
                }
                m->buf = b;
                m->alloc = a;
        }
        memcpy(m->buf + m->len, p, n);
        m->len += n;
        m->buf[m->len] = '\0';
        return 0;
}

void mem_sink_init(struct mem_sink *m, size_t max)
{
        memset(m, 0, sizeof(*m));
        m->base.reset = mem_reset;
        m->base.write = mem_write;
        m->max = max;
}

void mem_sink_release(struct mem_sink *m)
{
        free(m->buf);
        m->buf = NULL;
        m->len = m->alloc = 0;
}
