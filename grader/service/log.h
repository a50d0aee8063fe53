/* SPDX-License-Identifier: MIT */
/* Logging for the service: one JSON object per line on stderr, human-readable on a terminal. */
#ifndef GRADER_LOG_H
#define GRADER_LOG_H

#include <stdbool.h>

/* The orders match the choices of the log_level and log_format settings (config.c). */
enum grd_log_level { GRD_LOG_DEBUG, GRD_LOG_INFO, GRD_LOG_WARN, GRD_LOG_ERROR };

enum grd_log_format { GRD_LOG_AUTO, GRD_LOG_JSON, GRD_LOG_TEXT };

/* grd_log_setup - choose the format (AUTO: text on a terminal, else JSON) and least level. */
void grd_log_setup(enum grd_log_format f, enum grd_log_level least);

/* grd_log_enabled - would a line of level lvl be written? */
bool grd_log_enabled(enum grd_log_level lvl);

/* Context of a log line; every field is optional (NULL / -1). */
struct grd_log_ctx {
        int worker;
        const char *job_id;
        const char *submission_id;
};

/* A typed field of a log line: JSON gets numbers as numbers. */
enum grd_log_type { GRD_LOG_STR = 1, GRD_LOG_INT, GRD_LOG_NUM, GRD_LOG_BOOL };

struct grd_log_field {
        const char *key; /* NULL ends a list */
        enum grd_log_type type;
        const char *s;
        long long i;
        double d; /* a duration is in seconds, in a field named *_seconds */
};

#define GRD_F_STR(k, v)  ((struct grd_log_field){.key = (k), .type = GRD_LOG_STR, .s = (v)})
#define GRD_F_INT(k, v)  ((struct grd_log_field){.key = (k), .type = GRD_LOG_INT, .i = (v)})
#define GRD_F_NUM(k, v)  ((struct grd_log_field){.key = (k), .type = GRD_LOG_NUM, .d = (v)})
#define GRD_F_BOOL(k, v) ((struct grd_log_field){.key = (k), .type = GRD_LOG_BOOL, .i = !!(v)})
/* A NULL-terminated list of fields for one call: GRD_FIELDS(GRD_F_STR("queue", q), ...). */
#define GRD_FIELDS(...) ((const struct grd_log_field[]){__VA_ARGS__, {.key = NULL}})

/*
 * grd_log - write one line. fields is NULL or a list ended by a NULL key (GRD_FIELDS), added
 * after the context. Thread-safe: one write(2) per line.
 */
void grd_log(enum grd_log_level lvl, const struct grd_log_ctx *ctx,
             const struct grd_log_field *fields, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/*
 * grd_log_limited - grd_log for a condition that repeats on every retry (a site that is down,
 * a refused token): the first line of a call site (its fmt) is written; further lines of the
 * same call site within GRD_LOG_REPEAT_WINDOW seconds are only counted, and the next one
 * written after the window carries "repeated": the count, with its own text.
 */
void grd_log_limited(enum grd_log_level lvl, const struct grd_log_ctx *ctx,
                     const struct grd_log_field *fields, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* A repeated condition is written at most once per this many seconds (grd_log_limited). */
#define GRD_LOG_REPEAT_WINDOW 60.0

/*
 * grd_log_flush_repeats - write the count of every call site whose window has passed with
 * repeats left unwritten (the supervisor calls it now and then), so a condition that stopped
 * still shows how often it happened.
 */
void grd_log_flush_repeats(void);

#endif
