/* SPDX-License-Identifier: MIT */
/* The service's configuration: the settings table, defaults, a JSON file, variables and flags. */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

/* A queue name goes into metrics labels and log lines: short and plain. */
#define QUEUE_NAME_MAX 63
/* The longest value a file key may carry once turned into text (queues joined by commas). */
#define VALUE_MAX 4096

#define FIELD(f) offsetof(struct grd_config, f)

/* clang-format off */
const struct grd_setting grd_settings[] = {
        {"api_url", "GRADER_API_URL", "api-url", "URL", GRD_SETTING_URL, FIELD(api_url),
         1, 4096, false, NULL, false,
         "the site's API base URL, http(s)://host/api/v1; required", NULL},
        {"token_file", "GRADER_API_TOKEN_FILE", "token-file", "FILE", GRD_SETTING_TEXT,
         FIELD(token_file), 1, 4096, false, NULL, false,
         "file holding the bearer token, re-read on SIGHUP and after a 401; required", NULL},
        {"ca_file", "GRADER_CA_FILE", "ca-file", "FILE", GRD_SETTING_TEXT, FIELD(ca_file),
         0, 4096, false, NULL, false, "CA bundle to verify the site", "the system's"},
        {"workers", "GRADER_WORKERS", "workers", "N", GRD_SETTING_UINT, FIELD(workers),
         0, 256, false, NULL, false, "parallel gradings; 0: one per online CPU", "0"},
        {"queues", "GRADER_QUEUES", "queues", "a,b", GRD_SETTING_LIST, FIELD(queues),
         1, GRD_MAX_QUEUES, false, NULL, false,
         "queues to claim from, in priority order", "default"},
        {"cache_dir", "GRADER_CACHE_DIR", "cache-dir", "DIR", GRD_SETTING_TEXT,
         FIELD(cache_dir), 1, 4096, false, NULL, false, "problem package cache",
         "/var/cache/grader"},
        {"cache_max", "GRADER_CACHE_MAX", "cache-max", "SIZE", GRD_SETTING_SIZE,
         FIELD(cache_max), 16 << 20, 0, false, NULL, false,
         "cache size before least-recently-used eviction", "4G"},
        {"spool_dir", "GRADER_SPOOL_DIR", "spool-dir", "DIR", GRD_SETTING_TEXT,
         FIELD(spool_dir), 1, 4096, false, NULL, false, "results not yet delivered",
         "/var/spool/grader"},
        {"work_dir", "GRADER_WORK_DIR", "work-dir", "DIR", GRD_SETTING_TEXT, FIELD(work_dir),
         1, 4096, false, NULL, false, "scratch space of the workers", "/var/lib/grader/work"},
        {"grader_id", "GRADER_ID", "grader-id", "ID", GRD_SETTING_TEXT, FIELD(grader_id),
         1, 100, false, NULL, false, "this grader's name at the site", "the host name"},
        {"languages", "GRADER_LANGUAGES", "languages", "FILE", GRD_SETTING_TEXT,
         FIELD(languages), 0, 4096, false, NULL, false, "the language table",
         "the installed one"},
        {"health_file", "GRADER_HEALTH_FILE", "health-file", "FILE", GRD_SETTING_TEXT,
         FIELD(health_file), 0, 4096, false, NULL, false,
         "kept fresh for 'grader health', with the readiness and its cause",
         "/run/grader/health"},
        {"metrics_listen", "GRADER_METRICS_LISTEN", "metrics-listen", "ADDR:PORT",
         GRD_SETTING_TEXT, FIELD(metrics_listen), 0, 256, false, NULL, false,
         "serve /metrics, /healthz and /readyz", "off"},
        {"log_format", "GRADER_LOG_FORMAT", "log-format", "F", GRD_SETTING_CHOICE,
         FIELD(log_format), 0, 0, false, "auto,json,text", false,
         "auto, json or text (auto: text on a terminal)", "auto"},
        {"log_level", "GRADER_LOG_LEVEL", "log-level", "L", GRD_SETTING_CHOICE,
         FIELD(log_level), 0, 0, false, "debug,info,warn,error", false,
         "least level logged: debug, info, warn or error", "info"},
        {"claim_wait", "GRADER_CLAIM_WAIT", "claim-wait", "SECONDS", GRD_SETTING_UINT,
         FIELD(claim_wait), 0, 300, false, NULL, false,
         "how long the site may hold a claim (long poll)", "10"},
        {"grace_period", "GRADER_GRACE_PERIOD", "grace-period", "SECONDS",
         GRD_SETTING_SECONDS, FIELD(grace), 0, 3600, false, NULL, false,
         "time to finish work in hand after SIGTERM", "30"},
        {"default_time_limit", "GRADER_DEFAULT_TIME_LIMIT", "default-time-limit", "SECONDS",
         GRD_SETTING_SECONDS, FIELD(default_time), 0, 3600, true, NULL, false,
         "time limit of packages that set none", "1"},
        {"unready_after", "GRADER_UNREADY_AFTER", "unready-after", "N", GRD_SETTING_UINT,
         FIELD(unready_after), 1, 1000, false, NULL, false,
         "claims failing in a row (unreachable site, 401, 403) before readiness turns false",
         "3"},
        {"selftest", "GRADER_SELFTEST", "no-selftest", NULL, GRD_SETTING_BOOL,
         FIELD(selftest), 0, 0, false, NULL, false, "skip the start-up self-test", "run it"},
        {"exit_when_idle", "GRADER_EXIT_WHEN_IDLE", "exit-when-idle", NULL, GRD_SETTING_BOOL,
         FIELD(exit_when_idle), 0, 0, false, NULL, true,
         "stop once a claim finds no work and nothing is in hand (batch runs, tests)", "off"},
        {"give_up_after", "GRADER_GIVE_UP_AFTER", "give-up-after", "SECONDS",
         GRD_SETTING_SECONDS, FIELD(give_up_after), 0, 86400, true, NULL, false,
         "with --exit-when-idle: exit 1 when no claim has succeeded for this long", "120"},
        {"uid_base", "GRADER_UID_BASE", "uid-base", "UID", GRD_SETTING_UINT, FIELD(uid_base),
         1000, 4000000000.0, false, NULL, false,
         "first sandbox uid, one per slot: graders on one kernel in different containers "
         "need different ranges, or a shared /run/grader-sandbox", "60000"},
};
/* clang-format on */
const size_t grd_settings_count = CMN_ARRAY_SIZE(grd_settings);

const struct grd_setting *grd_setting_find(const char *key)
{
        for (size_t i = 0; i < grd_settings_count; i++)
                if (!strcmp(grd_settings[i].key, key))
                        return &grd_settings[i];
        return NULL;
}

static void set_str(char **dst, const char *v)
{
        free(*dst);
        *dst = v ? strdup(v) : NULL;
}

void grd_config_defaults(struct grd_config *c)
{
        memset(c, 0, sizeof(*c));
        bool root = geteuid() == 0;
        const char *home = getenv("HOME");
        char buf[4096];
        if (root) {
                set_str(&c->cache_dir, "/var/cache/grader");
                set_str(&c->spool_dir, "/var/spool/grader");
                set_str(&c->work_dir, "/var/lib/grader/work");
                set_str(&c->health_file, "/run/grader/health");
        } else {
                snprintf(buf, sizeof(buf), "%s/.cache/grader", home ? home : "/tmp");
                set_str(&c->cache_dir, buf);
                snprintf(buf, sizeof(buf), "%s/.local/state/grader/spool", home ? home : "/tmp");
                set_str(&c->spool_dir, buf);
                set_str(&c->work_dir, getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
                snprintf(buf, sizeof(buf), "%s/.local/state/grader/health", home ? home : "/tmp");
                set_str(&c->health_file, buf);
        }
        char host[256] = "grader";
        gethostname(host, sizeof(host) - 1);
        set_str(&c->grader_id, host);
        c->queues[0] = strdup("default");
        c->cache_max = 4ull << 30;
        c->selftest = true;
        c->claim_wait = 10;
        c->grace = 30;
        c->default_time = 1;
        c->log_level = 1; /* info */
        /* three failed claims already span the client's retries (about 7 s each) */
        c->unready_after = 3;
        /* long enough for a site to restart, short enough for a batch job's timeout */
        c->give_up_after = 120;
}

static void free_queues(char **queues)
{
        for (size_t i = 0; queues[i]; i++) {
                free(queues[i]);
                queues[i] = NULL;
        }
}

void grd_config_release(struct grd_config *c)
{
        for (size_t i = 0; i < grd_settings_count; i++) {
                void *field = (char *)c + grd_settings[i].offset;
                switch (grd_settings[i].type) {
                case GRD_SETTING_TEXT:
                case GRD_SETTING_URL:
                        free(*(char **)field);
                        break;
                case GRD_SETTING_LIST:
                        free_queues((char **)field);
                        break;
                case GRD_SETTING_UINT:
                case GRD_SETTING_SIZE:
                case GRD_SETTING_SECONDS:
                case GRD_SETTING_BOOL:
                case GRD_SETTING_CHOICE:
                        break;
                }
        }
        memset(c, 0, sizeof(*c));
}

static int parse_bool(const char *v, bool *ret)
{
        if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on"))
                *ret = true;
        else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off"))
                *ret = false;
        else
                return -EINVAL;
        return 0;
}

/* The index of word v in the comma-separated list choices, or -1. */
static int choice_index(const char *choices, const char *v)
{
        size_t n = strlen(v);
        int i = 0;
        for (const char *p = choices; *p; i++) {
                const char *end = strchr(p, ',');
                size_t len = end ? (size_t)(end - p) : strlen(p);
                if (n && len == n && !strncmp(p, v, n))
                        return i;
                p += len + (end ? 1 : 0);
        }
        return -1;
}

static int set_list(char **list, const struct grd_setting *s, const char *v, const char *origin,
                    char *err, size_t errlen)
{
        char *names[GRD_MAX_QUEUES + 1] = {NULL};
        char *copy = strdup(v), *save = NULL;
        size_t n = 0;
        int r = copy ? 0 : -ENOMEM;
        for (char *q = copy ? strtok_r(copy, ",", &save) : NULL; q && r == 0;
             q = strtok_r(NULL, ",", &save)) {
                while (*q == ' ')
                        q++;
                size_t l = strlen(q);
                while (l && q[l - 1] == ' ')
                        q[--l] = '\0';
                if (!l)
                        continue;
                if (n == (size_t)s->max || l > QUEUE_NAME_MAX) {
                        snprintf(err, errlen, "%s: %s: at most %.0f names of at most %d characters",
                                 origin, s->key, s->max, QUEUE_NAME_MAX);
                        r = -EINVAL;
                } else if (!(names[n++] = strdup(q))) {
                        r = -ENOMEM;
                }
        }
        free(copy);
        if (r == 0 && n < (size_t)s->min) {
                snprintf(err, errlen, "%s: %s: '%.200s' names no queue", origin, s->key, v);
                r = -EINVAL;
        }
        if (r < 0) {
                free_queues(names);
                return r;
        }
        free_queues(list);
        memcpy(list, names, sizeof(names));
        return 0;
}

static int bad(const struct grd_setting *s, const char *v, const char *origin, const char *want,
               char *err, size_t errlen)
{
        snprintf(err, errlen, "%s: %s: '%.200s' is not %s", origin, s->key, v, want);
        return -EINVAL;
}

int grd_config_apply(struct grd_config *c, const struct grd_setting *s, const char *v,
                     const char *origin, char *err, size_t errlen)
{
        void *field = (char *)c + s->offset;
        char want[160];
        unsigned long ul;
        uint64_t sz;
        double d;
        bool b;
        if (!v) {
                if (s->type != GRD_SETTING_BOOL || s->arg)
                        return bad(s, "", origin, "given", err, errlen);
                *(bool *)field = s->switch_value;
                return 0;
        }
        size_t len = strlen(v);
        switch (s->type) {
        case GRD_SETTING_URL:
                if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
                        return bad(s, v, origin, "an http(s) URL", err, errlen);
                __attribute__((fallthrough)); /* and its length */
        case GRD_SETTING_TEXT:
                if (len > (size_t)s->max || len < (size_t)s->min) {
                        snprintf(want, sizeof(want), "%.0f to %.0f characters", s->min, s->max);
                        return bad(s, v, origin, want, err, errlen);
                }
                set_str(field, len ? v : NULL); /* "" unsets where that is allowed */
                return 0;
        case GRD_SETTING_UINT:
                if (cmn_parse_uint(v, (unsigned long)s->min, (unsigned long)s->max, &ul) < 0) {
                        snprintf(want, sizeof(want), "a number in %.0f..%.0f", s->min, s->max);
                        return bad(s, v, origin, want, err, errlen);
                }
                *(unsigned *)field = (unsigned)ul;
                return 0;
        case GRD_SETTING_SIZE:
                if (cmn_parse_size(v, &sz) < 0 || (double)sz < s->min) {
                        snprintf(want, sizeof(want), "a size of at least %.0fM", s->min / 1048576);
                        return bad(s, v, origin, want, err, errlen);
                }
                *(uint64_t *)field = sz;
                return 0;
        case GRD_SETTING_SECONDS:
                if (cmn_parse_seconds(v, &d) < 0 || d > s->max || d < s->min ||
                    (s->min_exclusive && d <= s->min)) {
                        snprintf(want, sizeof(want), "a number of seconds in %s%g..%g",
                                 s->min_exclusive ? "(" : "", s->min, s->max);
                        return bad(s, v, origin, want, err, errlen);
                }
                *(double *)field = d;
                return 0;
        case GRD_SETTING_BOOL:
                if (parse_bool(v, &b) < 0)
                        return bad(s, v, origin, "true or false", err, errlen);
                *(bool *)field = b;
                return 0;
        case GRD_SETTING_LIST:
                return set_list(field, s, v, origin, err, errlen);
        case GRD_SETTING_CHOICE: {
                int i = choice_index(s->choices, v);
                if (i < 0) {
                        snprintf(want, sizeof(want), "one of %s", s->choices);
                        return bad(s, v, origin, want, err, errlen);
                }
                *(unsigned *)field = (unsigned)i;
                return 0;
        }
        }
        return bad(s, v, origin, "known", err, errlen);
}

int grd_config_set(struct grd_config *c, const char *key, const char *v, const char *origin,
                   char *err, size_t errlen)
{
        const struct grd_setting *s = grd_setting_find(key);
        if (!s) {
                snprintf(err, errlen, "%s: unknown setting '%s'", origin, key);
                return -EINVAL;
        }
        return grd_config_apply(c, s, v, origin, err, errlen);
}

/* A file value as the text a flag would give; lists (queues) may be JSON arrays. */
static int file_value(const struct grd_setting *s, json_t *v, char *buf, size_t n,
                      const char *origin, char *err, size_t errlen)
{
        if (json_is_array(v) && s->type == GRD_SETTING_LIST) {
                size_t i, used = 0;
                json_t *q;
                buf[0] = '\0';
                json_array_foreach(v, i, q)
                {
                        const char *name = json_string_value(q);
                        if (!name || used + strlen(name) + 2 > n) {
                                snprintf(err, errlen, "%s: %s: an array of names", origin, s->key);
                                return -EINVAL;
                        }
                        used += (size_t)snprintf(buf + used, n - used, "%s,", name);
                }
        } else if (json_is_string(v)) {
                if (cmn_strlcpy(buf, json_string_value(v), n) >= n) {
                        snprintf(err, errlen, "%s: %s: the value is too long", origin, s->key);
                        return -EINVAL;
                }
        } else if (json_is_integer(v)) {
                snprintf(buf, n, "%lld", (long long)json_integer_value(v));
        } else if (json_is_real(v)) {
                snprintf(buf, n, "%.17g", json_real_value(v));
        } else if (json_is_boolean(v)) {
                snprintf(buf, n, "%s", json_is_true(v) ? "true" : "false");
        } else {
                snprintf(err, errlen, "%s: %s: unsupported value type", origin, s->key);
                return -EINVAL;
        }
        return 0;
}

int grd_config_load_file(struct grd_config *c, const char *path, char *err, size_t errlen)
{
        json_error_t je;
        json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
        if (!root) {
                snprintf(err, errlen, "config '%s':%d:%d: %s", path, je.line, je.column, je.text);
                return -EINVAL;
        }
        if (!json_is_object(root)) {
                snprintf(err, errlen, "config '%s': not a JSON object", path);
                json_decref(root);
                return -EINVAL;
        }
        char origin[300];
        snprintf(origin, sizeof(origin), "config '%.250s'", path);
        const char *key;
        json_t *v;
        int r = 0;
        json_object_foreach(root, key, v)
        {
                const struct grd_setting *s = grd_setting_find(key);
                char buf[VALUE_MAX];
                if (!s) {
                        snprintf(err, errlen, "%s: unknown setting '%s'", origin, key);
                        r = -EINVAL;
                } else if ((r = file_value(s, v, buf, sizeof(buf), origin, err, errlen)) == 0) {
                        r = grd_config_apply(c, s, buf, origin, err, errlen);
                }
                if (r < 0)
                        break;
        }
        json_decref(root);
        return r;
}

int grd_config_load_env(struct grd_config *c, char *err, size_t errlen)
{
        for (size_t i = 0; i < grd_settings_count; i++) {
                const char *v = getenv(grd_settings[i].env);
                if (!v || !*v)
                        continue;
                char origin[64];
                snprintf(origin, sizeof(origin), "$%s", grd_settings[i].env);
                int r = grd_config_apply(c, &grd_settings[i], v, origin, err, errlen);
                if (r < 0)
                        return r;
        }
        return 0;
}

int grd_config_check(const struct grd_config *c, char *err, size_t errlen)
{
        if (!c->api_url) {
                snprintf(err, errlen,
                         "api_url is not set (--api-url, $GRADER_API_URL or the "
                         "config file)");
                return -EINVAL;
        }
        if (!c->token_file) {
                snprintf(err, errlen,
                         "token_file is not set (--token-file, "
                         "$GRADER_API_TOKEN_FILE or the config file)");
                return -EINVAL;
        }
        if (!c->queues[0]) {
                snprintf(err, errlen, "queues: give at least one queue name");
                return -EINVAL;
        }
        return 0;
}
