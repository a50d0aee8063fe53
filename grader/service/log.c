/* SPDX-License-Identifier: MIT */
/*
 * Service logs: JSON lines ({"ts","level","msg","worker","job_id",...}) or text on a tty, with
 * typed fields, a least level, and rate-limited repeats (grd_log_limited).
 */
#include "log.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

/* Call sites whose repeats are tracked at once; the least recently written is forgotten. */
#define REPEAT_SLOTS 32
#define MSG_MAX      2048

static enum grd_log_format format = GRD_LOG_AUTO;
static enum grd_log_level least = GRD_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

/* One call site of grd_log_limited: when it was last written, and what was held back since. */
struct repeat {
        const char *fmt; /* the call site; NULL: a free slot */
        enum grd_log_level lvl;
        double written_at; /* monotonic */
        unsigned long held;
        char last[256]; /* the last text held back, for the flush */
};

static pthread_mutex_t repeat_mu = PTHREAD_MUTEX_INITIALIZER;
static struct repeat repeats[REPEAT_SLOTS];

void grd_log_setup(enum grd_log_format f, enum grd_log_level l)
{
        if (f == GRD_LOG_AUTO)
                f = isatty(STDERR_FILENO) ? GRD_LOG_TEXT : GRD_LOG_JSON;
        format = f;
        least = l;
}

bool grd_log_enabled(enum grd_log_level lvl)
{
        return lvl >= least;
}

static void emit(const char *line, size_t len)
{
        /* one write per line: lines of concurrent workers never interleave */
        while (len) {
                ssize_t n = write(STDERR_FILENO, line, len);
                if (n <= 0)
                        return;
                line += n;
                len -= (size_t)n;
        }
}

static json_t *field_json(const struct grd_log_field *f)
{
        switch (f->type) {
        case GRD_LOG_STR:
                return f->s ? json_string(f->s) : json_null();
        case GRD_LOG_INT:
                return json_integer(f->i);
        case GRD_LOG_NUM:
                return json_real(f->d);
        case GRD_LOG_BOOL:
                return json_boolean(f->i);
        }
        return json_null();
}

static void write_json(enum grd_log_level lvl, const char *ts, const struct grd_log_ctx *ctx,
                       const struct grd_log_field *fields, unsigned long repeated, const char *msg)
{
        json_t *o = json_object();
        json_object_set_new(o, "ts", json_string(ts));
        json_object_set_new(o, "level", json_string(level_names[lvl]));
        json_object_set_new(o, "msg", json_string(msg));
        if (ctx && ctx->worker >= 0)
                json_object_set_new(o, "worker", json_integer(ctx->worker));
        if (ctx && ctx->job_id)
                json_object_set_new(o, "job_id", json_string(ctx->job_id));
        if (ctx && ctx->submission_id)
                json_object_set_new(o, "submission_id", json_string(ctx->submission_id));
        for (size_t i = 0; fields && fields[i].key; i++)
                json_object_set_new(o, fields[i].key, field_json(&fields[i]));
        if (repeated)
                json_object_set_new(o, "repeated", json_integer((json_int_t)repeated));
        char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
        json_decref(o);
        if (!s)
                return;
        size_t l = strlen(s);
        char *line = malloc(l + 2);
        if (line) {
                memcpy(line, s, l);
                line[l] = '\n';
                emit(line, l + 1);
                free(line);
        }
        free(s);
}

static void write_text(enum grd_log_level lvl, const char *ts, const struct grd_log_ctx *ctx,
                       const struct grd_log_field *fields, unsigned long repeated, const char *msg)
{
        char line[4096];
        size_t cap = sizeof(line) - 1, n = 0;
#define ADD(...)                                                                                   \
        do {                                                                                       \
                if (n < cap) {                                                                     \
                        int k = snprintf(line + n, cap - n, __VA_ARGS__);                          \
                        n = k < 0 ? cap : n + (size_t)k > cap ? cap : n + (size_t)k;               \
                }                                                                                  \
        } while (0)
        ADD("%.19s %-5s ", ts, level_names[lvl]);
        if (ctx && ctx->worker >= 0)
                ADD("[w%d%s%s] ", ctx->worker, ctx->job_id ? " " : "",
                    ctx->job_id ? ctx->job_id : "");
        ADD("%s", msg);
        for (size_t i = 0; fields && fields[i].key; i++) {
                const struct grd_log_field *f = &fields[i];
                if (f->type == GRD_LOG_STR)
                        ADD(" %s=%s", f->key, f->s ? f->s : "null");
                else if (f->type == GRD_LOG_NUM)
                        ADD(" %s=%g", f->key, f->d);
                else if (f->type == GRD_LOG_BOOL)
                        ADD(" %s=%s", f->key, f->i ? "true" : "false");
                else
                        ADD(" %s=%lld", f->key, f->i);
        }
        if (repeated)
                ADD(" repeated=%lu", repeated);
#undef ADD
        line[n++] = '\n';
        emit(line, n);
}

static void write_line(enum grd_log_level lvl, const struct grd_log_ctx *ctx,
                       const struct grd_log_field *fields, unsigned long repeated, const char *msg)
{
        char ts[40];
        cmn_rfc3339(cmn_realtime(), ts, sizeof(ts));
        if (format == GRD_LOG_TEXT)
                write_text(lvl, ts, ctx, fields, repeated, msg);
        else
                write_json(lvl, ts, ctx, fields, repeated, msg);
}

void grd_log(enum grd_log_level lvl, const struct grd_log_ctx *ctx,
             const struct grd_log_field *fields, const char *fmt, ...)
{
        if (lvl < least)
                return;
        char msg[MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        write_line(lvl, ctx, fields, 0, msg);
}

/* The slot of a call site, or the one to reuse for it (free, else least recently written). */
static struct repeat *repeat_slot(const char *fmt, enum grd_log_level lvl)
{
        struct repeat *oldest = &repeats[0];
        for (size_t i = 0; i < REPEAT_SLOTS; i++) {
                struct repeat *r = &repeats[i];
                if (r->fmt == fmt && r->lvl == lvl)
                        return r;
                if (!r->fmt || (oldest->fmt && r->written_at < oldest->written_at))
                        oldest = r;
        }
        *oldest = (struct repeat){.fmt = NULL};
        return oldest;
}

void grd_log_limited(enum grd_log_level lvl, const struct grd_log_ctx *ctx,
                     const struct grd_log_field *fields, const char *fmt, ...)
{
        if (lvl < least)
                return;
        char msg[MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        double now = cmn_monotonic();
        pthread_mutex_lock(&repeat_mu);
        struct repeat *r = repeat_slot(fmt, lvl);
        bool hold = r->fmt && now - r->written_at < GRD_LOG_REPEAT_WINDOW;
        unsigned long repeated = 0;
        if (hold) {
                r->held++;
                cmn_strlcpy(r->last, msg, sizeof(r->last));
        } else {
                repeated = r->fmt ? r->held : 0;
                *r = (struct repeat){.fmt = fmt, .lvl = lvl, .written_at = now};
        }
        pthread_mutex_unlock(&repeat_mu);
        if (!hold)
                write_line(lvl, ctx, fields, repeated, msg);
}

void grd_log_flush_repeats(void)
{
        double now = cmn_monotonic();
        pthread_mutex_lock(&repeat_mu);
        for (size_t i = 0; i < REPEAT_SLOTS; i++) {
                struct repeat *r = &repeats[i];
                if (!r->fmt || !r->held || now - r->written_at < GRD_LOG_REPEAT_WINDOW)
                        continue;
                if (r->lvl >= least)
                        write_line(r->lvl, NULL, NULL, r->held, r->last);
                r->held = 0;
                r->written_at = now;
        }
        pthread_mutex_unlock(&repeat_mu);
}
