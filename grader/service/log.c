/* SPDX-License-Identifier: MIT */
/* Service logs: JSON lines ({"ts","level","msg","worker","job_id",...}) or text on a tty. */
#include "log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static enum grd_log_format format = GRD_LOG_AUTO;
static enum grd_log_level least = GRD_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void grd_log_setup(enum grd_log_format f, enum grd_log_level l)
{
        if (f == GRD_LOG_AUTO)
                f = isatty(STDERR_FILENO) ? GRD_LOG_TEXT : GRD_LOG_JSON;
        format = f;
        least = l;
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

void grd_log(enum grd_log_level lvl, const struct grd_log_ctx *ctx, const char *const *extra,
             const char *fmt, ...)
{
        if (lvl < least)
                return;
        char msg[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        char ts[40];
        cmn_rfc3339(cmn_realtime(), ts, sizeof(ts));
        if (format != GRD_LOG_TEXT) {
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
                for (size_t i = 0; extra && extra[i] && extra[i + 1]; i += 2)
                        json_object_set_new(o, extra[i], json_string(extra[i + 1]));
                char *s = json_dumps(o, JSON_COMPACT);
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
                return;
        }
        char line[4096];
        int n = snprintf(line, sizeof(line), "%.19s %-5s ", ts, level_names[lvl]);
        if (ctx && ctx->worker >= 0)
                n += snprintf(line + n, sizeof(line) - (size_t)n, "[w%d%s%s] ", ctx->worker,
                              ctx->job_id ? " " : "", ctx->job_id ? ctx->job_id : "");
        n += snprintf(line + n, sizeof(line) - (size_t)n, "%s", msg);
        for (size_t i = 0; extra && extra[i] && extra[i + 1] && n < (int)sizeof(line); i += 2)
                n += snprintf(line + n, sizeof(line) - (size_t)n, " %s=%s", extra[i], extra[i + 1]);
        if (n >= (int)sizeof(line) - 1)
                n = (int)sizeof(line) - 2;
        line[n++] = '\n';
        emit(line, (size_t)n);
}
