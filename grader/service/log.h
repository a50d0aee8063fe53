/* SPDX-License-Identifier: MIT */
/* Logging for the service: one JSON object per line on stderr, human-readable on a terminal. */
#ifndef GRADER_LOG_H
#define GRADER_LOG_H

#include <stdbool.h>

enum grd_log_level { GRD_LOG_DEBUG, GRD_LOG_INFO, GRD_LOG_WARN, GRD_LOG_ERROR };

enum grd_log_format { GRD_LOG_AUTO, GRD_LOG_JSON, GRD_LOG_TEXT };

/* grd_log_setup - choose the format (AUTO: text on a terminal, else JSON) and least level. */
void grd_log_setup(enum grd_log_format f, enum grd_log_level least);

/* Context of a log line; every field is optional (NULL / -1). */
struct grd_log_ctx {
        int worker;
        const char *job_id;
        const char *submission_id;
};

/*
 * grd_log - write one line. extra is NULL or a list of "key", "value" string pairs ended by
 * NULL, added as fields. Thread-safe: one write(2) per line.
 */
void grd_log(enum grd_log_level lvl, const struct grd_log_ctx *ctx, const char *const *extra,
             const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
