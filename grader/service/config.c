/* SPDX-License-Identifier: MIT */
/* The service's configuration: defaults, a JSON file, GRADER_* variables and flags. */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

/* Every setting: its name in the file and for grd_config_set, and its variable. */
static const struct {
        const char *key;
        const char *env;
} settings[] = {
        {"api_url", "GRADER_API_URL"},
        {"token_file", "GRADER_API_TOKEN_FILE"},
        {"ca_file", "GRADER_CA_FILE"},
        {"workers", "GRADER_WORKERS"},
        {"queues", "GRADER_QUEUES"},
        {"cache_dir", "GRADER_CACHE_DIR"},
        {"cache_max", "GRADER_CACHE_MAX"},
        {"spool_dir", "GRADER_SPOOL_DIR"},
        {"work_dir", "GRADER_WORK_DIR"},
        {"grader_id", "GRADER_ID"},
        {"languages", "GRADER_LANGUAGES"},
        {"health_file", "GRADER_HEALTH_FILE"},
        {"metrics_listen", "GRADER_METRICS_LISTEN"},
        {"log_format", "GRADER_LOG_FORMAT"},
        {"exit_when_idle", "GRADER_EXIT_WHEN_IDLE"},
        {"selftest", "GRADER_SELFTEST"},
        {"claim_wait", "GRADER_CLAIM_WAIT"},
        {"grace_period", "GRADER_GRACE_PERIOD"},
        {"default_time_limit", "GRADER_DEFAULT_TIME_LIMIT"},
        {"uid_base", "GRADER_UID_BASE"},
};

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
        set_str(&c->log_format, "auto");
}

void grd_config_release(struct grd_config *c)
{
        free(c->api_url);
        free(c->token_file);
        free(c->ca_file);
        for (size_t i = 0; c->queues[i]; i++)
                free(c->queues[i]);
        free(c->cache_dir);
        free(c->spool_dir);
        free(c->work_dir);
        free(c->grader_id);
        free(c->languages);
        free(c->health_file);
        free(c->metrics_listen);
        free(c->log_format);
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

static int set_queues(struct grd_config *c, const char *v, char *err, size_t errlen,
                      const char *origin)
{
        for (size_t i = 0; c->queues[i]; i++) {
                free(c->queues[i]);
                c->queues[i] = NULL;
        }
        char *copy = strdup(v), *save = NULL;
        size_t n = 0;
        for (char *q = strtok_r(copy, ",", &save); q; q = strtok_r(NULL, ",", &save)) {
                while (*q == ' ')
                        q++;
                size_t l = strlen(q);
                while (l && q[l - 1] == ' ')
                        q[--l] = '\0';
                if (!l)
                        continue;
                if (n == GRD_MAX_QUEUES || l > 63) {
                        snprintf(err, errlen,
                                 "%s: queues: at most %d names of at most 63 "
                                 "characters",
                                 origin, GRD_MAX_QUEUES);
                        free(copy);
                        return -EINVAL;
                }
                c->queues[n++] = strdup(q);
        }
        free(copy);
        if (n == 0) {
                snprintf(err, errlen, "%s: queues: give at least one queue name", origin);
                return -EINVAL;
        }
        return 0;
}

int grd_config_set(struct grd_config *c, const char *key, const char *v, const char *origin,
                   char *err, size_t errlen)
{
        unsigned long ul;
        double d;
        uint64_t sz;
        if (!strcmp(key, "api_url")) {
                if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8)) {
                        snprintf(err, errlen, "%s: api_url: '%s' is not an http(s) URL", origin, v);
                        return -EINVAL;
                }
                set_str(&c->api_url, v);
        } else if (!strcmp(key, "token_file")) {
                set_str(&c->token_file, v);
        } else if (!strcmp(key, "ca_file")) {
                set_str(&c->ca_file, v);
        } else if (!strcmp(key, "workers")) {
                if (cmn_parse_uint(v, 0, 256, &ul) < 0) {
                        snprintf(err, errlen,
                                 "%s: workers: '%s' is not a number in 0..256 (0: one "
                                 "per CPU)",
                                 origin, v);
                        return -EINVAL;
                }
                c->workers = (unsigned)ul;
        } else if (!strcmp(key, "queues")) {
                return set_queues(c, v, err, errlen, origin);
        } else if (!strcmp(key, "cache_dir")) {
                set_str(&c->cache_dir, v);
        } else if (!strcmp(key, "cache_max")) {
                if (cmn_parse_size(v, &sz) < 0 || sz < (16u << 20)) {
                        snprintf(err, errlen, "%s: cache_max: '%s' is not a size of at least 16M",
                                 origin, v);
                        return -EINVAL;
                }
                c->cache_max = sz;
        } else if (!strcmp(key, "spool_dir")) {
                set_str(&c->spool_dir, v);
        } else if (!strcmp(key, "work_dir")) {
                set_str(&c->work_dir, v);
        } else if (!strcmp(key, "grader_id")) {
                if (!*v || strlen(v) > 100) {
                        snprintf(err, errlen, "%s: grader_id: give 1 to 100 characters", origin);
                        return -EINVAL;
                }
                set_str(&c->grader_id, v);
        } else if (!strcmp(key, "languages")) {
                set_str(&c->languages, v);
        } else if (!strcmp(key, "health_file")) {
                set_str(&c->health_file, v);
        } else if (!strcmp(key, "metrics_listen")) {
                set_str(&c->metrics_listen, *v ? v : NULL);
        } else if (!strcmp(key, "log_format")) {
                if (strcmp(v, "auto") && strcmp(v, "json") && strcmp(v, "text")) {
                        snprintf(err, errlen, "%s: log_format: '%s' is not auto, json or text",
                                 origin, v);
                        return -EINVAL;
                }
                set_str(&c->log_format, v);
        } else if (!strcmp(key, "exit_when_idle") || !strcmp(key, "selftest")) {
                bool b;
                if (parse_bool(v, &b) < 0) {
                        snprintf(err, errlen, "%s: %s: '%s' is not true or false", origin, key, v);
                        return -EINVAL;
                }
                *(!strcmp(key, "selftest") ? &c->selftest : &c->exit_when_idle) = b;
        } else if (!strcmp(key, "uid_base")) {
                if (cmn_parse_uint(v, 1000, 4000000000ul, &ul) < 0) {
                        snprintf(err, errlen, "%s: uid_base: '%s' is not a uid in 1000..4000000000",
                                 origin, v);
                        return -EINVAL;
                }
                c->uid_base = (unsigned)ul;
        } else if (!strcmp(key, "claim_wait")) {
                if (cmn_parse_uint(v, 0, 300, &ul) < 0) {
                        snprintf(err, errlen, "%s: claim_wait: '%s' is not 0..300 seconds", origin,
                                 v);
                        return -EINVAL;
                }
                c->claim_wait = (unsigned)ul;
        } else if (!strcmp(key, "grace_period") || !strcmp(key, "default_time_limit")) {
                if (cmn_parse_seconds(v, &d) < 0 || d > 3600 ||
                    (!strcmp(key, "default_time_limit") && d <= 0)) {
                        snprintf(err, errlen, "%s: %s: '%s' is not a number of seconds", origin,
                                 key, v);
                        return -EINVAL;
                }
                *(!strcmp(key, "grace_period") ? &c->grace : &c->default_time) = d;
        } else {
                snprintf(err, errlen, "%s: unknown setting '%s'", origin, key);
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
                char buf[4096];
                if (!strcmp(key, "queues") && json_is_array(v)) {
                        buf[0] = '\0';
                        size_t i;
                        json_t *q;
                        json_array_foreach(v, i, q)
                        {
                                if (!json_is_string(q) ||
                                    strlen(buf) + strlen(json_string_value(q)) + 2 > sizeof(buf)) {
                                        snprintf(err, errlen, "%s: queues: an array of names",
                                                 origin);
                                        r = -EINVAL;
                                        break;
                                }
                                strcat(buf, json_string_value(q));
                                strcat(buf, ",");
                        }
                } else if (json_is_string(v)) {
                        cmn_strlcpy(buf, json_string_value(v), sizeof(buf));
                } else if (json_is_integer(v)) {
                        snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
                } else if (json_is_real(v)) {
                        snprintf(buf, sizeof(buf), "%.17g", json_real_value(v));
                } else if (json_is_boolean(v)) {
                        snprintf(buf, sizeof(buf), "%s", json_is_true(v) ? "true" : "false");
                } else {
                        snprintf(err, errlen, "%s: %s: unsupported value type", origin, key);
                        r = -EINVAL;
                }
                if (r == 0)
                        r = grd_config_set(c, key, buf, origin, err, errlen);
                if (r < 0)
                        break;
        }
        json_decref(root);
        return r;
}

int grd_config_load_env(struct grd_config *c, char *err, size_t errlen)
{
        for (size_t i = 0; i < CMN_ARRAY_SIZE(settings); i++) {
                const char *v = getenv(settings[i].env);
                if (!v || !*v)
                        continue;
                char origin[64];
                snprintf(origin, sizeof(origin), "$%s", settings[i].env);
                int r = grd_config_set(c, settings[i].key, v, origin, err, errlen);
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
