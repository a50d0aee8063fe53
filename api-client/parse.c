/* SPDX-License-Identifier: MIT */
/*
 * Pure parsers of the site's replies (claim, manifest, heartbeat): every field is checked for
 * presence, type, size and characters before anything is handed out, and the first bad field is
 * named in the message. Nothing here touches the network or the disk, so it can be fuzzed.
 */
#include "api_internal.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Field names in messages ("submission.files[12].content_base64") fit in this. */
#define FIELD_NAME_MAX 96

bool api_valid_id(const char *s)
{
        size_t n = 0;
        for (; s[n]; n++) {
                char ch = s[n];
                if (n >= API_ID_MAX)
                        return false;
                if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
                        return false;
        }
        return n > 0 && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

bool api_valid_sha256(const char *s)
{
        size_t n = 0;
        for (; s[n]; n++)
                if (n >= 64 || !((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
                        return false;
        return n == 64;
}

static bool is_control(unsigned char ch)
{
        return ch < 0x20 || ch == 0x7f;
}

/* One path component or file name: non-empty, not "." or "..", no '/', '\\' or control bytes. */
static const char *check_name(const char *s, size_t len)
{
        if (len == 0)
                return "is empty";
        if (len > API_NAME_MAX)
                return "is too long";
        if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
                return "is \".\" or \"..\"";
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '/')
                        return "has a '/'";
                if (s[i] == '\\')
                        return "has a backslash";
                if (is_control((unsigned char)s[i]))
                        return "has a control character";
        }
        return NULL;
}

int api_check_path(const char *s, size_t len, const char **why)
{
        if (len == 0) {
                *why = "is empty";
                return -EINVAL;
        }
        if (len > API_PATH_MAX) {
                *why = "is too long";
                return -EINVAL;
        }
        if (s[0] == '/') {
                *why = "is absolute";
                return -EINVAL;
        }
        size_t start = 0;
        for (size_t i = 0; i <= len; i++) {
                if (i < len && s[i] != '/')
                        continue;
                const char *w = check_name(s + start, i - start);
                if (w) {
                        *why = i - start == 0 ? "has an empty component" : w;
                        if (!strcmp(w, "is \".\" or \"..\""))
                                *why = "has a \".\" or \"..\" component";
                        return -EINVAL;
                }
                start = i + 1;
        }
        return 0;
}

/* Strict RFC 4648 base64 (standard alphabet, '=' padding); CR and LF are skipped, as MIME
 * encoders insert them. Return: 0 and the decoded bytes in out (room for len/4*3 + 1). */
static int base64_decode(const char *in, size_t len, unsigned char *out, size_t *ret_len)
{
        static const signed char val[256] = {
                ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,
                ['H'] = 8,  ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14,
                ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21,
                ['V'] = 22, ['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28,
                ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35,
                ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
                ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49,
                ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
                ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63,
                ['/'] = 64,
        }; /* value + 1, so 0 means "not in the alphabet" */
        enum { PAD = 64 };
        unsigned char q[4];
        unsigned nq = 0;
        bool done = false; /* a padded quantum ends the data */
        size_t o = 0;
        for (size_t i = 0; i < len; i++) {
                unsigned char ch = (unsigned char)in[i];
                if (ch == '\r' || ch == '\n')
                        continue;
                if (done)
                        return -EINVAL;
                if (ch == '=')
                        q[nq++] = PAD;
                else if (val[ch])
                        q[nq++] = (unsigned char)(val[ch] - 1);
                else
                        return -EINVAL;
                if (nq < 4)
                        continue;
                nq = 0;
                /* padding only at the end of a quantum: two data characters then "==", three
                 * then "=", or four data characters */
                if (q[0] == PAD || q[1] == PAD || (q[2] == PAD && q[3] != PAD))
                        return -EINVAL;
                uint32_t acc = (uint32_t)q[0] << 18 | (uint32_t)q[1] << 12;
                out[o++] = (unsigned char)(acc >> 16);
                if (q[2] == PAD) {
                        done = true;
                        continue;
                }
                acc |= (uint32_t)q[2] << 6;
                out[o++] = (unsigned char)(acc >> 8);
                if (q[3] == PAD) {
                        done = true;
                        continue;
                }
                acc |= q[3];
                out[o++] = (unsigned char)acc;
        }
        if (nq != 0)
                return -EINVAL; /* an incomplete quantum */
        *ret_len = o;
        return 0;
}

/* Field lookup helpers: each names the field (ctx.key) in its message. */
static int missing(char *err, size_t errlen, const char *what, const char *ctx, const char *key)
{
        return api_errf(err, errlen, API_E_PROTOCOL, "%s: field \"%s%s%s\" is missing", what, ctx,
                        *ctx ? "." : "", key);
}

static int bad(char *err, size_t errlen, int code, const char *what, const char *ctx,
               const char *key, const char *why)
{
        return api_errf(err, errlen, code, "%s: field \"%s%s%s\" %s", what, ctx, *ctx ? "." : "",
                        key, why);
}

/* A string field of at most max bytes without NUL. */
static int get_string(json_t *obj, const char *what, const char *ctx, const char *key, size_t max,
                      const char **ret, size_t *ret_len, char *err, size_t errlen)
{
        json_t *v = json_object_get(obj, key);
        if (!v)
                return missing(err, errlen, what, ctx, key);
        if (!json_is_string(v))
                return bad(err, errlen, API_E_PROTOCOL, what, ctx, key, "is not a string");
        const char *s = json_string_value(v);
        size_t len = json_string_length(v);
        if (len > max)
                return bad(err, errlen, API_E_TOO_BIG, what, ctx, key, "is too long");
        if (strlen(s) != len)
                return bad(err, errlen, API_E_PROTOCOL, what, ctx, key, "has a NUL byte");
        *ret = s;
        if (ret_len)
                *ret_len = len;
        return 0;
}

static int dup_id(json_t *obj, const char *what, const char *ctx, const char *key, char **ret,
                  char *err, size_t errlen)
{
        const char *s;
        int r = get_string(obj, what, ctx, key, API_ID_MAX, &s, NULL, err, errlen);
        if (r < 0)
                return r;
        if (!api_valid_id(s))
                return bad(err, errlen, API_E_PROTOCOL, what, ctx, key,
                           "is not 1-128 of [A-Za-z0-9._-] (nor \".\" or \"..\")");
        return (*ret = strdup(s)) ? 0 : -ENOMEM;
}

/* A label (queue, language): non-empty, no control characters. */
static int dup_label(json_t *obj, const char *what, const char *ctx, const char *key, char **ret,
                     char *err, size_t errlen)
{
        const char *s;
        size_t len;
        int r = get_string(obj, what, ctx, key, API_LABEL_MAX, &s, &len, err, errlen);
        if (r < 0)
                return r;
        if (len == 0)
                return bad(err, errlen, API_E_PROTOCOL, what, ctx, key, "is empty");
        for (size_t i = 0; i < len; i++)
                if (is_control((unsigned char)s[i]))
                        return bad(err, errlen, API_E_PROTOCOL, what, ctx, key,
                                   "has a control character");
        return (*ret = strdup(s)) ? 0 : -ENOMEM;
}

static int get_lease(json_t *obj, const char *what, double *ret, char *err, size_t errlen)
{
        json_t *v = json_object_get(obj, "lease");
        if (!v)
                return missing(err, errlen, what, "", "lease");
        if (!json_is_number(v))
                return bad(err, errlen, API_E_PROTOCOL, what, "", "lease", "is not a number");
        double d = json_number_value(v);
        if (!isfinite(d) || d <= 0 || d > API_LEASE_MAX)
                return bad(err, errlen, API_E_PROTOCOL, what, "", "lease",
                           "is not in (0, 604800] seconds");
        *ret = d;
        return 0;
}

static int load(const char *body, size_t len, const char *what, json_t **ret, char *err,
                size_t errlen)
{
        json_error_t je;
        /* duplicate keys make a reply ambiguous: refuse them */
        json_t *root = json_loadb(body ? body : "", body ? len : 0, JSON_REJECT_DUPLICATES, &je);
        if (!root)
                return api_errf(err, errlen, API_E_PROTOCOL, "%s: not JSON: %s (at byte %d)", what,
                                je.text, je.position);
        if (!json_is_object(root)) {
                json_decref(root);
                return api_errf(err, errlen, API_E_PROTOCOL, "%s: not a JSON object", what);
        }
        *ret = root;
        return 0;
}

void api_job_free(struct api_job *job)
{
        if (!job)
                return;
        free(job->job_id);
        free(job->submission_id);
        free(job->queue);
        free(job->language);
        for (size_t i = 0; i < job->n_files; i++) {
                free(job->files[i].name);
                free(job->files[i].data);
        }
        free(job->files);
        free(job->problem_id);
        free(job->problem_revision);
        free(job->files_url);
        free(job);
}

static int parse_files(json_t *sub, struct api_job *job, char *err, size_t errlen)
{
        static const char what[] = "claim reply";
        json_t *files = json_object_get(sub, "files");
        if (!files)
                return missing(err, errlen, what, "submission", "files");
        if (!json_is_array(files))
                return bad(err, errlen, API_E_PROTOCOL, what, "submission", "files",
                           "is not an array");
        size_t n = json_array_size(files);
        if (n == 0)
                return bad(err, errlen, API_E_PROTOCOL, what, "submission", "files", "is empty");
        if (n > API_SUBMISSION_FILES_MAX)
                return bad(err, errlen, API_E_TOO_BIG, what, "submission", "files",
                           "has more than 256 entries");
        job->files = calloc(n, sizeof(*job->files));
        if (!job->files)
                return -ENOMEM;
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
                char ctx[FIELD_NAME_MAX];
                snprintf(ctx, sizeof(ctx), "submission.files[%zu]", i);
                json_t *f = json_array_get(files, i);
                if (!json_is_object(f))
                        return api_errf(err, errlen, API_E_PROTOCOL,
                                        "%s: field \"%s\" is not an object", what, ctx);
                const char *name, *b64;
                size_t name_len, b64_len;
                int r = get_string(f, what, ctx, "name", API_NAME_MAX, &name, &name_len, err,
                                   errlen);
                if (r < 0)
                        return r;
                const char *why = check_name(name, name_len);
                if (why)
                        return bad(err, errlen, API_E_PROTOCOL, what, ctx, "name", why);
                for (size_t k = 0; k < i; k++)
                        if (!strcmp(job->files[k].name, name))
                                return bad(err, errlen, API_E_PROTOCOL, what, ctx, "name",
                                           "repeats an earlier file name");
                /* base64 is 4 symbols per 3 bytes, plus line breaks: cap before decoding */
                r = get_string(f, what, ctx, "content_base64",
                               (size_t)API_SUBMISSION_BYTES_MAX / 3 * 4 * 2, &b64, &b64_len, err,
                               errlen);
                if (r < 0)
                        return r;
                job->n_files = i + 1; /* from here on, api_job_free frees entry i */
                if (!(job->files[i].name = strdup(name)))
                        return -ENOMEM;
                unsigned char *data = malloc(b64_len / 4 * 3 + 4);
                if (!data)
                        return -ENOMEM;
                job->files[i].data = data;
                size_t dlen;
                if (base64_decode(b64, b64_len, data, &dlen) < 0)
                        return bad(err, errlen, API_E_PROTOCOL, what, ctx, "content_base64",
                                   "is not valid base64");
                data[dlen] = '\0';
                job->files[i].len = dlen;
                total += dlen;
                if (total > API_SUBMISSION_BYTES_MAX)
                        return bad(err, errlen, API_E_TOO_BIG, what, ctx, "content_base64",
                                   "takes the submission over 8 MiB");
        }
        return 0;
}

static int parse_claim_object(json_t *root, struct api_job *job, char *err, size_t errlen)
{
        static const char what[] = "claim reply";
        int r;
        if ((r = dup_id(root, what, "", "job_id", &job->job_id, err, errlen)) < 0 ||
            (r = get_lease(root, what, &job->lease, err, errlen)) < 0)
                return r;
        json_t *sub = json_object_get(root, "submission");
        if (!sub)
                return missing(err, errlen, what, "", "submission");
        if (!json_is_object(sub))
                return bad(err, errlen, API_E_PROTOCOL, what, "", "submission", "is not an object");
        if ((r = dup_id(sub, what, "submission", "id", &job->submission_id, err, errlen)) < 0 ||
            (r = dup_label(sub, what, "submission", "queue", &job->queue, err, errlen)) < 0 ||
            (r = dup_label(sub, what, "submission", "language", &job->language, err, errlen)) < 0 ||
            (r = parse_files(sub, job, err, errlen)) < 0)
                return r;
        json_t *prob = json_object_get(root, "problem");
        if (!prob)
                return missing(err, errlen, what, "", "problem");
        if (!json_is_object(prob))
                return bad(err, errlen, API_E_PROTOCOL, what, "", "problem", "is not an object");
        if ((r = dup_id(prob, what, "problem", "id", &job->problem_id, err, errlen)) < 0 ||
            (r = dup_id(prob, what, "problem", "revision", &job->problem_revision, err, errlen)) <
                    0)
                return r;
        const char *url;
        size_t url_len;
        r = get_string(prob, what, "problem", "files_url", API_URL_MAX, &url, &url_len, err,
                       errlen);
        if (r < 0)
                return r;
        if (url_len == 0)
                return bad(err, errlen, API_E_PROTOCOL, what, "problem", "files_url", "is empty");
        return (job->files_url = strdup(url)) ? 0 : -ENOMEM;
}

int api_parse_claim(const char *body, size_t len, struct api_job **ret, char *err, size_t errlen)
{
        json_t *root;
        int r = load(body, len, "claim reply", &root, err, errlen);
        if (r < 0)
                return r;
        struct api_job *job = calloc(1, sizeof(*job));
        r = job ? parse_claim_object(root, job, err, errlen) : -ENOMEM;
        json_decref(root);
        if (r < 0) {
                if (r == -ENOMEM)
                        api_errfill(err, errlen, "claim reply: out of memory");
                api_job_free(job);
                return r;
        }
        *ret = job;
        return 0;
}

int api_parse_heartbeat(const char *body, size_t len, double *ret_lease, char *err, size_t errlen)
{
        json_t *root;
        int r = load(body, len, "heartbeat reply", &root, err, errlen);
        if (r < 0)
                return r;
        double lease;
        r = get_lease(root, "heartbeat reply", &lease, err, errlen);
        json_decref(root);
        if (r == 0 && ret_lease)
                *ret_lease = lease;
        return r;
}

void api_manifest_free(struct api_manifest *m)
{
        if (!m)
                return;
        for (size_t i = 0; i < m->n_files; i++) {
                free(m->files[i].path);
                free(m->files[i].url);
        }
        free(m->files);
        free(m);
}

static int parse_manifest_object(json_t *root, struct api_manifest *m, char *err, size_t errlen)
{
        static const char what[] = "manifest";
        json_t *files = json_object_get(root, "files");
        if (!files)
                return missing(err, errlen, what, "", "files");
        if (!json_is_array(files))
                return bad(err, errlen, API_E_PROTOCOL, what, "", "files", "is not an array");
        size_t n = json_array_size(files);
        if (n > API_MANIFEST_FILES_MAX)
                return bad(err, errlen, API_E_TOO_BIG, what, "", "files",
                           "has more than 20000 entries");
        if (n && !(m->files = calloc(n, sizeof(*m->files))))
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                char ctx[FIELD_NAME_MAX];
                snprintf(ctx, sizeof(ctx), "files[%zu]", i);
                json_t *f = json_array_get(files, i);
                if (!json_is_object(f))
                        return api_errf(err, errlen, API_E_PROTOCOL,
                                        "%s: field \"%s\" is not an object", what, ctx);
                const char *path, *sha, *url, *why;
                size_t path_len, url_len;
                int r = get_string(f, what, ctx, "path", API_PATH_MAX, &path, &path_len, err,
                                   errlen);
                if (r < 0)
                        return r;
                if (api_check_path(path, path_len, &why) < 0)
                        return bad(err, errlen, API_E_PROTOCOL, what, ctx, "path", why);
                if ((r = get_string(f, what, ctx, "sha256", 64, &sha, NULL, err, errlen)) < 0)
                        return r;
                if (!api_valid_sha256(sha))
                        return bad(err, errlen, API_E_PROTOCOL, what, ctx, "sha256",
                                   "is not 64 lowercase hex digits");
                json_t *size = json_object_get(f, "size");
                if (!size)
                        return missing(err, errlen, what, ctx, "size");
                if (!json_is_integer(size))
                        return bad(err, errlen, API_E_PROTOCOL, what, ctx, "size",
                                   "is not an integer");
                json_int_t sz = json_integer_value(size);
                if (sz < 0)
                        return bad(err, errlen, API_E_PROTOCOL, what, ctx, "size", "is negative");
                if ((uint64_t)sz > API_BLOB_SIZE_MAX)
                        return bad(err, errlen, API_E_TOO_BIG, what, ctx, "size", "is too large");
                r = get_string(f, what, ctx, "url", API_URL_MAX, &url, &url_len, err, errlen);
                if (r < 0)
                        return r;
                if (url_len == 0)
                        return bad(err, errlen, API_E_PROTOCOL, what, ctx, "url", "is empty");
                m->n_files = i + 1;
                struct api_manifest_file *mf = &m->files[i];
                if (!(mf->path = strdup(path)) || !(mf->url = strdup(url)))
                        return -ENOMEM;
                memcpy(mf->sha256, sha, 65);
                mf->size = (uint64_t)sz;
                /* no overflow: at most 20000 sizes of at most 2^40 each */
                m->total_size += mf->size;
        }
        return 0;
}

int api_parse_manifest(const char *body, size_t len, struct api_manifest **ret, char *err,
                       size_t errlen)
{
        json_t *root;
        int r = load(body, len, "manifest", &root, err, errlen);
        if (r < 0)
                return r;
        struct api_manifest *m = calloc(1, sizeof(*m));
        r = m ? parse_manifest_object(root, m, err, errlen) : -ENOMEM;
        json_decref(root);
        if (r < 0) {
                if (r == -ENOMEM)
                        api_errfill(err, errlen, "manifest: out of memory");
                api_manifest_free(m);
                return r;
        }
        *ret = m;
        return 0;
}

void api_queues_free(struct api_queues *q)
{
        if (!q)
                return;
        for (size_t i = 0; i < q->n_queues; i++)
                free(q->queues[i].name);
        free(q->queues);
        free(q);
}

/* A count (a non-negative integer) field of a queue. */
static int get_count(json_t *obj, const char *what, const char *ctx, const char *key, uint64_t *ret,
                     char *err, size_t errlen)
{
        json_t *v = json_object_get(obj, key);
        if (!v)
                return missing(err, errlen, what, ctx, key);
        if (!json_is_integer(v) || json_integer_value(v) < 0)
                return bad(err, errlen, API_E_PROTOCOL, what, ctx, key,
                           "is not a non-negative integer");
        *ret = (uint64_t)json_integer_value(v);
        return 0;
}

static int parse_queues_object(json_t *root, struct api_queues *q, char *err, size_t errlen)
{
        static const char what[] = "queues reply";
        json_t *list = json_object_get(root, "queues");
        if (!list)
                return missing(err, errlen, what, "", "queues");
        if (!json_is_array(list))
                return bad(err, errlen, API_E_PROTOCOL, what, "", "queues", "is not an array");
        size_t n = json_array_size(list);
        if (n > API_QUEUES_MAX)
                return bad(err, errlen, API_E_TOO_BIG, what, "", "queues",
                           "has more than 1024 entries");
        if (n && !(q->queues = calloc(n, sizeof(*q->queues))))
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                char ctx[FIELD_NAME_MAX];
                snprintf(ctx, sizeof(ctx), "queues[%zu]", i);
                json_t *o = json_array_get(list, i);
                if (!json_is_object(o))
                        return api_errf(err, errlen, API_E_PROTOCOL,
                                        "%s: field \"%s\" is not an object", what, ctx);
                struct api_queue *e = &q->queues[i];
                int r = dup_label(o, what, ctx, "name", &e->name, err, errlen);
                q->n_queues = i + 1; /* the name (if any) is freed with the rest */
                if (r == 0)
                        r = get_count(o, what, ctx, "depth", &e->depth, err, errlen);
                if (r == 0)
                        r = get_count(o, what, ctx, "running", &e->running, err, errlen);
                if (r < 0)
                        return r;
                json_t *age = json_object_get(o, "oldest_waiting_seconds");
                if (!age)
                        return missing(err, errlen, what, ctx, "oldest_waiting_seconds");
                double d = json_is_number(age) ? json_number_value(age) : -1;
                if (!isfinite(d) || d < 0)
                        return bad(err, errlen, API_E_PROTOCOL, what, ctx, "oldest_waiting_seconds",
                                   "is not a number of seconds >= 0");
                e->oldest_waiting = d;
        }
        return 0;
}

int api_parse_queues(const char *body, size_t len, struct api_queues **ret, char *err,
                     size_t errlen)
{
        json_t *root;
        int r = load(body, len, "queues reply", &root, err, errlen);
        if (r < 0)
                return r;
        struct api_queues *q = calloc(1, sizeof(*q));
        r = q ? parse_queues_object(root, q, err, errlen) : -ENOMEM;
        json_decref(root);
        if (r < 0) {
                if (r == -ENOMEM)
                        api_errfill(err, errlen, "queues reply: out of memory");
                api_queues_free(q);
                return r;
        }
        *ret = q;
        return 0;
}
