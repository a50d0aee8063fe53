/* SPDX-License-Identifier: MIT */
/* Test helpers around fake_site.py: start and stop it, read its counters, make clients for it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "site.h"
#include "common.h"

#include <curl/curl.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

char *site_python, *site_script;
static pid_t server_pid = -1;
static int server_stdin = -1;
int site_port;

int site_start(void **state)
{
        (void)state;
        /* the tests talk to loopback: no proxy may stand in between */
        const char *proxies[] = {"http_proxy",  "https_proxy", "HTTP_PROXY",
                                 "HTTPS_PROXY", "all_proxy",   "ALL_PROXY"};
        for (size_t i = 0; i < CMN_ARRAY_SIZE(proxies); i++)
                unsetenv(proxies[i]);
        if (api_global_init() < 0)
                return -1;
        int in[2], out[2];
        if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
                return -1;
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in[0], 0);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        char timeout_flag[] = "--timeout", timeout[] = "110";
        char *argv[] = {site_python, site_script, timeout_flag, timeout, NULL};
        int r = posix_spawn(&server_pid, site_python, &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(in[0]);
        close(out[1]);
        if (r != 0) {
                fprintf(stderr, "cannot start %s: %s\n", site_python, strerror(r));
                return -1;
        }
        server_stdin = in[1]; /* the site exits when this closes, even if we crash */
        char line[64] = "";
        size_t len = 0;
        while (len < sizeof(line) - 1 && !strchr(line, '\n')) {
                struct pollfd p = {.fd = out[0], .events = POLLIN};
                if (poll(&p, 1, 10000) <= 0)
                        break;
                ssize_t n = read(out[0], line + len, sizeof(line) - 1 - len);
                if (n <= 0)
                        break;
                len += (size_t)n;
                line[len] = '\0';
        }
        close(out[0]);
        if (sscanf(line, "PORT %d", &site_port) != 1) {
                fprintf(stderr, "fake site did not say its site_port: '%s'\n", line);
                return -1;
        }
        return 0;
}

int site_stop(void **state)
{
        (void)state;
        if (server_stdin >= 0)
                close(server_stdin);
        if (server_pid > 0) {
                kill(server_pid, SIGTERM);
                waitpid(server_pid, NULL, 0);
        }
        api_global_cleanup();
        return 0;
}

struct buf {
        char *p;
        size_t n;
};

static size_t collect(char *p, size_t size, size_t n, void *userdata)
{
        struct buf *b = userdata;
        char *q = realloc(b->p, b->n + size * n + 1);
        assert_non_null(q);
        memcpy(q + b->n, p, size * n);
        b->p = q;
        b->n += size * n;
        b->p[b->n] = '\0';
        return size * n;
}

/* The site's record of scenario scn: {"count": {path: n}, "noauth": [...]}. */
json_t *site_stats(const char *scn)
{
        char url[256];
        snprintf(url, sizeof(url), "http://127.0.0.1:%d/stats/%s", site_port, scn);
        CURL *h = curl_easy_init();
        struct buf body = {0};
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
        assert_int_equal(curl_easy_perform(h), CURLE_OK);
        curl_easy_cleanup(h);
        json_error_t je;
        json_t *j = json_loadb(body.p, body.n, 0, &je);
        free(body.p);
        assert_non_null(j);
        return j;
}

/* How many requests the site saw for path under scenario scn. */
long site_count(const char *scn, const char *path)
{
        json_t *j = site_stats(scn);
        json_t *v = json_object_get(json_object_get(j, "count"), path);
        long n = v ? (long)json_integer_value(v) : 0;
        json_decref(j);
        return n;
}

/* All requests the site saw for scenario scn. */
long site_total(const char *scn)
{
        json_t *j = site_stats(scn);
        const char *k;
        json_t *v;
        long n = 0;
        json_object_foreach(json_object_get(j, "count"), k, v) n += (long)json_integer_value(v);
        json_decref(j);
        return n;
}

void site_opts(const char *scn, struct api_client_opts *o, char *base, size_t n)
{
        snprintf(base, n, "http://127.0.0.1:%d/s/%s/api/v1", site_port, scn);
        *o = (struct api_client_opts){
                .base_url = base,
                .token = "test-token",
                .connect_timeout_ms = 2000,
                .timeout_ms = 5000,
                .max_attempts = 3,
                .backoff_base_ms = 10,
                .backoff_cap_ms = 50,
        };
}

struct api_client *site_client_with(const struct api_client_opts *o)
{
        struct api_client *c = NULL;
        char err[256];
        if (api_client_new(o, &c, err, sizeof(err)) != 0)
                fail_msg("client: %s", err);
        return c;
}

struct api_client *site_client(const char *scn)
{
        struct api_client_opts o;
        char base[256];
        site_opts(scn, &o, base, sizeof(base));
        return site_client_with(&o);
}

char *site_cache_dir(void)
{
        char *d = strdup("/tmp/api-http-XXXXXX");
        assert_non_null(mkdtemp(d));
        return d;
}

struct api_cache *site_cache_open(const char *dir)
{
        struct api_cache *cache = NULL;
        char err[256];
        assert_int_equal(api_cache_open(dir, 0, &cache, err, sizeof(err)), 0);
        return cache;
}

void site_expect_file(const char *dir, const char *rel, const char *content)
{
        char path[512], *buf = NULL;
        size_t len = 0;
        snprintf(path, sizeof(path), "%s/%s", dir, rel);
        int r = cmn_read_file(path, 1 << 20, &buf, &len);
        if (r != 0)
                fail_msg("%s: %s", path, strerror(-r));
        assert_int_equal(len, strlen(content));
        assert_memory_equal(buf, content, len);
        free(buf);
}

int site_count_entries(const char *path)
{
        DIR *d = opendir(path);
        if (!d)
                return -1;
        int n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        n++;
        closedir(d);
        return n;
}
