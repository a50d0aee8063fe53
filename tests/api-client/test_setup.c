/* SPDX-License-Identifier: MIT */
/* Unit tests of the client's setup: token files, option checks, URL resolution, error names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api.h"
#include "api_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/api-setup-XXXXXX";

static const char *write_token(const char *content, size_t len)
{
        static char path[256];
        snprintf(path, sizeof(path), "%s/token", tmpdir);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(content, 1, len, f), len);
        fclose(f);
        return path;
}

static void test_token_is_trimmed(void **state)
{
        (void)state;
        char *tok = NULL, err[256];
        const char *p = write_token("  \tsecret-123.abc\n\n", 19);
        assert_int_equal(api_token_read(p, &tok, err, sizeof(err)), 0);
        assert_string_equal(tok, "secret-123.abc");
        api_token_free(tok);
}

static void test_empty_token_file_is_refused(void **state)
{
        (void)state;
        char *tok = NULL, err[256];
        const char *p = write_token(" \n\t\n", 4);
        assert_int_equal(api_token_read(p, &tok, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "empty"));
        assert_null(tok);
}

static void test_token_with_inner_space_or_control_is_refused(void **state)
{
        (void)state;
        char *tok = NULL, err[256];
        assert_int_equal(api_token_read(write_token("abc def", 7), &tok, err, sizeof(err)),
                         -EINVAL);
        /* a CR/LF inside would smuggle a header into every request */
        assert_int_equal(
                api_token_read(write_token("abc\r\nX-Evil: 1", 14), &tok, err, sizeof(err)),
                -EINVAL);
        assert_int_equal(api_token_read(write_token("ab\0c", 4), &tok, err, sizeof(err)), -EINVAL);
}

static void test_oversized_token_file_is_refused(void **state)
{
        (void)state;
        char *tok = NULL, err[256];
        char *big = malloc(10000);
        memset(big, 'a', 10000);
        assert_int_equal(api_token_read(write_token(big, 10000), &tok, err, sizeof(err)), -EFBIG);
        free(big);
}

static void test_missing_token_file_reports_errno(void **state)
{
        (void)state;
        char *tok = NULL, err[256];
        assert_int_equal(api_token_read("/nonexistent/token", &tok, err, sizeof(err)), -ENOENT);
        assert_non_null(strstr(err, "/nonexistent/token"));
}

static int new_client(const char *base, const char *token, struct api_client **c)
{
        struct api_client_opts o = {.base_url = base, .token = token};
        char err[256];
        return api_client_new(&o, c, err, sizeof(err));
}

static void test_bad_base_urls_are_refused(void **state)
{
        (void)state;
        const char *bad[] = {"",
                             "ftp://site/api",
                             "file:///etc/passwd",
                             "http://site/api?x=1",
                             "http://site/api#frag",
                             "not a url",
                             "http://",
                             NULL};
        for (int i = 0; bad[i]; i++) {
                struct api_client *c = NULL;
                assert_int_equal(new_client(bad[i], "tok", &c), -EINVAL);
                assert_null(c);
        }
}

static void test_bad_tokens_are_refused_by_the_client(void **state)
{
        (void)state;
        struct api_client *c = NULL;
        assert_int_equal(new_client("https://site/api/v1", "", &c), -EINVAL);
        assert_int_equal(new_client("https://site/api/v1", "a\r\nb", &c), -EINVAL);
        assert_int_equal(new_client("https://site/api/v1", NULL, &c), -EINVAL);
        assert_int_equal(new_client(NULL, "tok", &c), -EINVAL);
        assert_null(c);
}

static void expect_resolved(struct api_client *c, const char *ref, const char *want)
{
        char *url = NULL, err[256];
        int r = api_resolve_url(c, ref, &url, err, sizeof(err));
        if (r != 0)
                fail_msg("'%s': %s", ref, err);
        assert_string_equal(url, want);
        free(url);
}

static void test_relative_urls_resolve_against_the_base_url(void **state)
{
        (void)state;
        const char *bases[] = {"http://127.0.0.1:8080/api/v1", "http://127.0.0.1:8080/api/v1/",
                               "http://127.0.0.1:8080/api/v1//"};
        for (size_t i = 0; i < 3; i++) {
                struct api_client *c = NULL;
                assert_int_equal(new_client(bases[i], "tok", &c), 0);
                expect_resolved(c, "blobs/ab12", "http://127.0.0.1:8080/api/v1/blobs/ab12");
                expect_resolved(c, "/api/v1/blobs/ab12", "http://127.0.0.1:8080/api/v1/blobs/ab12");
                expect_resolved(c, "http://cdn.example/x/ab12?sig=1",
                                "http://cdn.example/x/ab12?sig=1");
                expect_resolved(c, "problems/p/r/files?x=1",
                                "http://127.0.0.1:8080/api/v1/problems/p/r/files?x=1");
                api_client_free(c);
        }
}

static void test_urls_other_than_http_are_refused(void **state)
{
        (void)state;
        struct api_client *c = NULL;
        assert_int_equal(new_client("https://site.example/api/v1", "tok", &c), 0);
        const char *bad[] = {
                "file:///etc/passwd", "ftp://site/x", "gopher://x/", "a b", "a\nb", "", NULL};
        for (int i = 0; bad[i]; i++) {
                char *url = NULL, err[256];
                assert_int_equal(api_resolve_url(c, bad[i], &url, err, sizeof(err)),
                                 API_E_PROTOCOL);
                assert_null(url);
        }
        char *longurl = malloc(API_URL_MAX + 10);
        memset(longurl, 'a', API_URL_MAX + 9);
        longurl[API_URL_MAX + 9] = '\0';
        char *url = NULL, err[256];
        assert_int_equal(api_resolve_url(c, longurl, &url, err, sizeof(err)), API_E_PROTOCOL);
        free(longurl);
        api_client_free(c);
}

static void test_job_ids_outside_the_safe_alphabet_are_refused(void **state)
{
        (void)state;
        assert_true(api_valid_id("job-1"));
        assert_true(api_valid_id("A.b_c-9"));
        const char *bad[] = {"", ".", "..", "a/b", "a b", "a%2f", "ü", "a?b", "a#", NULL};
        for (int i = 0; bad[i]; i++)
                assert_false(api_valid_id(bad[i]));
        char id[API_ID_MAX + 2];
        memset(id, 'x', sizeof(id) - 1);
        id[sizeof(id) - 1] = '\0';
        assert_false(api_valid_id(id));
        id[API_ID_MAX] = '\0';
        assert_true(api_valid_id(id));
}

static void test_error_codes_are_distinct_named_and_classified(void **state)
{
        (void)state;
        int codes[] = {API_E_TRANSPORT,  API_E_HTTP,   API_E_AUTH,      API_E_PROTOCOL,
                       API_E_LEASE_LOST, API_E_GONE,   API_E_INTEGRITY, API_E_TOO_BIG,
                       API_E_SERVER,     API_E_ABORTED};
        size_t n = sizeof(codes) / sizeof(codes[0]);
        for (size_t i = 0; i < n; i++) {
                assert_true(codes[i] < -1000); /* never an errno */
                for (size_t j = i + 1; j < n; j++) {
                        assert_int_not_equal(codes[i], codes[j]);
                        assert_string_not_equal(api_strerror(codes[i]), api_strerror(codes[j]));
                }
                assert_string_not_equal(api_strerror(codes[i]), "unknown error");
                assert_int_equal(api_error_is_transient(codes[i]),
                                 codes[i] == API_E_TRANSPORT || codes[i] == API_E_SERVER);
        }
        assert_string_equal(api_strerror(-ENOENT), "No such file or directory");
        assert_string_equal(api_strerror(-99999), "unknown error");
        assert_false(api_error_is_transient(-EIO));
}

static int setup(void **state)
{
        (void)state;
        return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
        (void)state;
        char path[300];
        snprintf(path, sizeof(path), "%s/token", tmpdir);
        unlink(path);
        return rmdir(tmpdir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_token_is_trimmed),
                cmocka_unit_test(test_empty_token_file_is_refused),
                cmocka_unit_test(test_token_with_inner_space_or_control_is_refused),
                cmocka_unit_test(test_oversized_token_file_is_refused),
                cmocka_unit_test(test_missing_token_file_reports_errno),
                cmocka_unit_test(test_bad_base_urls_are_refused),
                cmocka_unit_test(test_bad_tokens_are_refused_by_the_client),
                cmocka_unit_test(test_relative_urls_resolve_against_the_base_url),
                cmocka_unit_test(test_urls_other_than_http_are_refused),
                cmocka_unit_test(test_job_ids_outside_the_safe_alphabet_are_refused),
                cmocka_unit_test(test_error_codes_are_distinct_named_and_classified),
        };
        if (api_global_init() < 0)
                return 1;
        int r = cmocka_run_group_tests(tests, setup, teardown);
        api_global_cleanup();
        return r;
}
