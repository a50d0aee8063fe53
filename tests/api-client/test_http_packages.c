/* SPDX-License-Identifier: MIT */
/*
 * HTTP-level tests of problem packages against fake_site.py: relative and absolute URLs, the
 * cache (a second fetch downloads nothing), integrity checks, caps, hostile manifests, the token
 * kept from other origins, and several processes racing to build one package.
 * Usage: test_api_http_packages PYTHON3 FAKE_SITE_PY
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "site.h"
#include "common.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char SHA_PROBLEM_YAML[] =
        "7c76c592b900a830319221e34d9ff06752ea2816b62b9113948da3dd2d25fd72";
static const char SHA_2_IN[] = "2df23f1167a9ca936a6dffca88024590a34432a7fbdf9b561e8b010c5eac6cb8";

static void test_fetch_builds_the_package_from_relative_and_absolute_urls(void **state)
{
        (void)state;
        char *dir = site_cache_dir();
        struct api_cache *cache = site_cache_open(dir);
        struct api_client *c = site_client("ok-fetch");
        struct api_package *pkg = NULL;
        char err[256];
        int r = api_fetch_problem(c, cache, "sum", "r1", "problems/sum/r1/files", &pkg, err,
                                  sizeof(err));
        if (r != 0)
                fail_msg("fetch: %s", err);
        const char *p = api_package_dir(pkg);
        assert_true(p[0] == '/');
        assert_non_null(strstr(p, "/packages/sum/r1"));
        site_expect_file(p, "problem.yaml", "name: sum\n"); /* relative url */
        site_expect_file(p, "data/sample/1.in", "1 2\n");   /* absolute path */
        site_expect_file(p, "data/sample/1.ans", "3\n");    /* absolute url */
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0755);
        char f[512];
        snprintf(f, sizeof(f), "%s/problem.yaml", p);
        assert_int_equal(stat(f, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0444);
        assert_int_equal(st.st_nlink, 2); /* the package's name and the cache's */
        struct api_stats s;
        api_client_stats(c, &s);
        assert_int_equal(s.blobs_downloaded, 3);
        assert_int_equal(s.bytes_downloaded, 16);
        assert_int_equal(s.packages_built, 1);
        char tmp[256];
        snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
        assert_int_equal(site_count_entries(tmp), 0);
        api_package_free(pkg);
        api_package_free(NULL);
        api_client_free(c);
        api_cache_free(cache);
        cmn_rmtree(dir);
        free(dir);
}

static void test_second_fetch_of_a_revision_downloads_nothing(void **state)
{
        (void)state;
        char *dir = site_cache_dir();
        struct api_cache *cache = site_cache_open(dir);
        struct api_client *c = site_client("ok-twice");
        struct api_package *pkg = NULL;
        char err[256];
        assert_int_equal(api_fetch_problem(c, cache, "sum", "r1", "problems/sum/r1/files", &pkg,
                                           err, sizeof(err)),
                         0);
        api_package_free(pkg);
        struct api_stats before, after;
        api_client_stats(c, &before);
        long seen = site_total("ok-twice");
        assert_int_equal(seen, 4); /* the manifest and three blobs */

        assert_int_equal(api_fetch_problem(c, cache, "sum", "r1", "problems/sum/r1/files", &pkg,
                                           err, sizeof(err)),
                         0);
        site_expect_file(api_package_dir(pkg), "data/sample/1.ans", "3\n");
        api_package_free(pkg);
        api_client_stats(c, &after);
        assert_int_equal(after.requests, before.requests);
        assert_int_equal(after.blobs_downloaded, before.blobs_downloaded);
        assert_int_equal(after.bytes_downloaded, before.bytes_downloaded);
        assert_int_equal(after.packages_reused, 1);

        /* another worker (another client) sharing the cache: nothing either */
        struct api_client *c2 = site_client("ok-twice");
        assert_int_equal(api_fetch_problem(c2, cache, "sum", "r1", NULL, &pkg, err, sizeof(err)),
                         0);
        api_package_free(pkg);
        api_client_stats(c2, &after);
        assert_int_equal(after.requests, 0);
        assert_int_equal(site_total("ok-twice"), seen);
        api_client_free(c2);
        api_client_free(c);
        api_cache_free(cache);
        cmn_rmtree(dir);
        free(dir);
}

static void test_new_revision_downloads_only_new_blobs(void **state)
{
        (void)state;
        char *dir = site_cache_dir();
        struct api_cache *cache = site_cache_open(dir);
        struct api_client *c = site_client("ok-rev2");
        struct api_package *pkg = NULL;
        char err[256];
        assert_int_equal(api_fetch_problem(c, cache, "sum", "r1", "problems/sum/r1/files", &pkg,
                                           err, sizeof(err)),
                         0);
        api_package_free(pkg);
        assert_int_equal(api_fetch_problem(c, cache, "sum", "r2", "problems/sum/r2/files", &pkg,
                                           err, sizeof(err)),
                         0);
        site_expect_file(api_package_dir(pkg), "data/secret/2.ans", "42\n");
        site_expect_file(api_package_dir(pkg), "problem.yaml", "name: sum\n");
        api_package_free(pkg);
        struct api_stats s;
        api_client_stats(c, &s);
        assert_int_equal(s.blobs_downloaded, 5); /* 3 for r1, then only the 2 new ones */
        assert_int_equal(s.blobs_reused, 3);
        assert_int_equal(s.packages_built, 2);
        char blob[512];
        snprintf(blob, sizeof(blob), "blobs/%s", SHA_PROBLEM_YAML);
        assert_int_equal(site_count("ok-rev2", blob), 1);
        api_client_free(c);
        api_cache_free(cache);
        cmn_rmtree(dir);
        free(dir);
}

static void test_blob_with_a_wrong_sha256_is_never_used(void **state)
{
        (void)state;
        char *dir = site_cache_dir();
        struct api_cache *cache = site_cache_open(dir);
        struct api_client *c = site_client("ok-badsha");
        struct api_package *pkg = NULL;
        char err[256];
        assert_int_equal(api_fetch_problem(c, cache, "sum", "badsha", "problems/sum/badsha/files",
                                           &pkg, err, sizeof(err)),
                         API_E_INTEGRITY);
        assert_null(pkg);
        assert_non_null(strstr(err, "data/secret/2.in"));
        char path[512];
        snprintf(path, sizeof(path), "%s/packages/sum/badsha", dir);
        assert_int_equal(access(path, F_OK), -1); /* no package */
        snprintf(path, sizeof(path), "%s/blobs/%s", dir, SHA_2_IN);
        assert_int_equal(access(path, F_OK), -1); /* nothing stored under that hash */
        snprintf(path, sizeof(path), "%s/tmp", dir);
        assert_int_equal(site_count_entries(path), 0); /* nor left lying around */
        /* not retried: a wrong hash is the site's fault, not the network's */
        char blob[512];
        snprintf(blob, sizeof(blob), "blobs/bad/%s", SHA_2_IN);
        assert_int_equal(site_count("ok-badsha", blob), 1);
        api_client_free(c);
        api_cache_free(cache);
        cmn_rmtree(dir);
        free(dir);
}

static void test_blob_longer_than_its_manifest_size_is_refused(void **state)
{
        (void)state;
        char *dir = site_cache_dir();
        struct api_cache *cache = site_cache_open(dir);
        struct api_client *c = site_client("ok-long");
        struct api_package *pkg = NULL;
        char err[256];
        assert_int_equal(api_fetch_problem(c, cache, "sum", "long", "problems/sum/long/files", &pkg,
                                           err, sizeof(err)),
                         API_E_INTEGRITY);
        assert_non_null(strstr(err, "larger"));
        api_client_free(c);
        api_cache_free(cache);
        cmn_rmtree(dir);
        free(dir);
}

static void test_corrupted_cached_blob_is_downloaded_again(void **state)
{
        (void)state;
        char *dir = site_cache_dir();
        struct api_cache *cache = site_cache_open(dir);
        struct api_client *c = site_client("ok-corrupt");
        struct api_package *pkg = NULL;
        char err[256];
        assert_int_equal(api_fetch_problem(c, cache, "sum", "r1", "problems/sum/r1/files", &pkg,
                                           err, sizeof(err)),
                         0);
        api_package_free(pkg);
        char blob[512];
        snprintf(blob, sizeof(blob), "%s/blobs/%s", dir, SHA_PROBLEM_YAML);
        assert_int_equal(chmod(blob, 0644), 0);
        int fd = open(blob, O_WRONLY | O_CLOEXEC);
        assert_int_equal(pwrite(fd, "NAME", 4, 0), 4);
        close(fd);
        assert_int_equal(api_fetch_problem(c, cache, "sum", "r2", "problems/sum/r2/files", &pkg,
                                           err, sizeof(err)),
                         0);
        site_expect_file(api_package_dir(pkg), "problem.yaml", "name: sum\n");
        api_package_free(pkg);
        struct api_stats s;
        api_client_stats(c, &s);
        assert_int_equal(s.blobs_downloaded, 3 + 3); /* r2's two new ones and the bad one */
        api_client_free(c);
        api_cache_free(cache);
        cmn_rmtree(dir);
        free(dir);
}

static void test_package_over_the_cap_is_refused_before_downloading(void **state)
{
        (void)state;
        char *dir = site_cache_dir();
        struct api_cache *cache = site_cache_open(dir);
        struct api_client_opts o;
        char base[256], err[256];
        site_opts("ok-big", &o, base, sizeof(base));
        o.max_package = 1 << 20;
        struct api_client *c = site_client_with(&o);
        struct api_package *pkg = NULL;
        assert_int_equal(api_fetch_problem(c, cache, "sum", "big", "problems/sum/big/files", &pkg,
                                           err, sizeof(err)),
                         API_E_TOO_BIG);
        assert_int_equal(site_total("ok-big"), 1); /* the manifest only */
        api_client_free(c);
        api_cache_free(cache);
        cmn_rmtree(dir);
        free(dir);
}

static void test_manifest_with_a_repeated_path_is_refused(void **state)
{
        (void)state;
        char *dir = site_cache_dir();
        struct api_cache *cache = site_cache_open(dir);
        struct api_client *c = site_client("ok-dup");
        struct api_package *pkg = NULL;
        char err[256];
        assert_int_equal(api_fetch_problem(c, cache, "sum", "dup", "problems/sum/dup/files", &pkg,
                                           err, sizeof(err)),
                         API_E_PROTOCOL);
        assert_non_null(strstr(err, "problem.yaml"));
        assert_int_equal(api_fetch_problem(c, cache, "sum", "nope", "problems/sum/nope/files", &pkg,
                                           err, sizeof(err)),
                         API_E_HTTP);
        assert_int_equal(api_fetch_problem(c, cache, "../x", "r1", "problems/sum/r1/files", &pkg,
                                           err, sizeof(err)),
                         API_E_PROTOCOL);
        assert_int_equal(api_fetch_problem(c, cache, "sum", "..", "problems/sum/r1/files", &pkg,
                                           err, sizeof(err)),
                         API_E_PROTOCOL);
        char tmp[256];
        snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
        assert_int_equal(site_count_entries(tmp), 0);
        api_client_free(c);
        api_cache_free(cache);
        cmn_rmtree(dir);
        free(dir);
}

static void test_token_is_not_sent_to_another_origin(void **state)
{
        (void)state;
        char *dir = site_cache_dir();
        struct api_cache *cache = site_cache_open(dir);
        struct api_client *c = site_client("ok-foreign");
        struct api_package *pkg = NULL;
        char err[256];
        int r = api_fetch_problem(c, cache, "sum", "foreign", "problems/sum/foreign/files", &pkg,
                                  err, sizeof(err));
        if (r != 0)
                fail_msg("fetch: %s", err);
        site_expect_file(api_package_dir(pkg), "data/secret/2.in", "40 2\n");
        api_package_free(pkg);
        json_t *j = site_stats("ok-foreign");
        json_t *noauth = json_object_get(j, "noauth");
        assert_int_equal(json_array_size(noauth), 1);
        char blob[512];
        snprintf(blob, sizeof(blob), "blobs/%s", SHA_2_IN);
        assert_string_equal(json_string_value(json_array_get(noauth, 0)), blob);
        json_decref(j);
        api_client_free(c);
        api_cache_free(cache);
        cmn_rmtree(dir);
        free(dir);
}

enum { FETCHERS = 4 };

static void test_concurrent_fetches_by_processes_share_one_package(void **state)
{
        (void)state;
        char *dir = site_cache_dir();
        pid_t pids[FETCHERS];
        for (int i = 0; i < FETCHERS; i++) {
                pids[i] = fork();
                assert_true(pids[i] >= 0);
                if (pids[i] == 0) {
                        struct api_cache *cache = NULL;
                        struct api_client *c = NULL;
                        struct api_client_opts o;
                        char base[256], err[256];
                        site_opts("ok-race", &o, base, sizeof(base));
                        if (api_cache_open(dir, 0, &cache, err, sizeof(err)) < 0 ||
                            api_client_new(&o, &c, err, sizeof(err)) < 0)
                                _exit(1);
                        struct api_package *pkg = NULL;
                        const char *rev = i % 2 ? "r1" : "r2";
                        char url[64];
                        snprintf(url, sizeof(url), "problems/sum/%s/files", rev);
                        if (api_fetch_problem(c, cache, "sum", rev, url, &pkg, err, sizeof(err)) <
                            0) {
                                fprintf(stderr, "fetcher %d: %s\n", i, err);
                                _exit(2);
                        }
                        char path[512], *buf = NULL;
                        snprintf(path, sizeof(path), "%s/data/sample/1.in", api_package_dir(pkg));
                        size_t len;
                        if (cmn_read_file(path, 100, &buf, &len) < 0 || len != 4 ||
                            memcmp(buf, "1 2\n", 4))
                                _exit(3);
                        free(buf);
                        api_package_free(pkg);
                        api_client_free(c);
                        api_cache_free(cache);
                        _exit(0);
                }
        }
        for (int i = 0; i < FETCHERS; i++) {
                int st;
                assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
                assert_true(WIFEXITED(st));
                assert_int_equal(WEXITSTATUS(st), 0);
        }
        char path[512];
        snprintf(path, sizeof(path), "%s/packages/sum", dir);
        assert_int_equal(site_count_entries(path), 2);
        snprintf(path, sizeof(path), "%s/tmp", dir);
        assert_int_equal(site_count_entries(path), 0);
        snprintf(path, sizeof(path), "%s/blobs", dir);
        assert_int_equal(site_count_entries(path), 5);
        cmn_rmtree(dir);
        free(dir);
}

int main(int argc, char **argv)
{
        if (argc != 3) {
                fprintf(stderr, "usage: %s PYTHON3 FAKE_SITE_PY\n", argv[0]);
                return 2;
        }
        site_python = argv[1];
        site_script = argv[2];
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fetch_builds_the_package_from_relative_and_absolute_urls),
                cmocka_unit_test(test_second_fetch_of_a_revision_downloads_nothing),
                cmocka_unit_test(test_new_revision_downloads_only_new_blobs),
                cmocka_unit_test(test_blob_with_a_wrong_sha256_is_never_used),
                cmocka_unit_test(test_blob_longer_than_its_manifest_size_is_refused),
                cmocka_unit_test(test_corrupted_cached_blob_is_downloaded_again),
                cmocka_unit_test(test_package_over_the_cap_is_refused_before_downloading),
                cmocka_unit_test(test_manifest_with_a_repeated_path_is_refused),
                cmocka_unit_test(test_token_is_not_sent_to_another_origin),
                cmocka_unit_test(test_concurrent_fetches_by_processes_share_one_package),
        };
        return cmocka_run_group_tests(tests, site_start, site_stop);
}
