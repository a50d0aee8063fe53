/* SPDX-License-Identifier: MIT */
/* Unit tests of the reply parsers: good replies, and every way a reply can be missing, mistyped,
 * oversized, badly encoded or hostile, each refused with the field named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char GOOD_CLAIM[] =
        "{\"job_id\":\"job-1\",\"lease\":30,"
        "\"submission\":{\"id\":\"sub-7\",\"queue\":\"default\",\"language\":\"c\","
        "\"files\":[{\"name\":\"main.c\",\"content_base64\":\"aGVsbG8K\"},"
        "{\"name\":\"a.h\",\"content_base64\":\"\"}]},"
        "\"problem\":{\"id\":\"sum\",\"revision\":\"r1\",\"files_url\":\"problems/sum/r1/files\"},"
        "\"extra\":[1,2,3]}";

static const char SHA[] = "7c76c592b900a830319221e34d9ff06752ea2816b62b9113948da3dd2d25fd72";

static json_t *good_claim(void)
{
        json_error_t je;
        json_t *j = json_loads(GOOD_CLAIM, 0, &je);
        assert_non_null(j);
        return j;
}

/* Parse a JSON value as a claim reply; on failure err holds the message. */
static int parse_claim_json(json_t *j, char *err, size_t errlen)
{
        char *s = json_dumps(j, JSON_COMPACT);
        assert_non_null(s);
        struct api_job *job = NULL;
        err[0] = '\0';
        int r = api_parse_claim(s, strlen(s), &job, err, errlen);
        if (r == 0)
                assert_non_null(job);
        else
                assert_null(job);
        api_job_free(job);
        free(s);
        json_decref(j);
        return r;
}

/* Find the object holding a dotted path's last key ("submission.files.0.name"). */
static json_t *holder(json_t *root, const char *path, char *last, size_t n)
{
        char buf[128];
        snprintf(buf, sizeof(buf), "%s", path);
        json_t *cur = root;
        char *save = NULL, *tok = strtok_r(buf, ".", &save);
        for (;;) {
                char *next = strtok_r(NULL, ".", &save);
                if (!next) {
                        snprintf(last, n, "%s", tok);
                        return cur;
                }
                cur = json_is_array(cur) ? json_array_get(cur, (size_t)atoi(tok))
                                         : json_object_get(cur, tok);
                assert_non_null(cur);
                tok = next;
        }
}

static void set_path(json_t *root, const char *path, json_t *v)
{
        char last[64];
        json_t *h = holder(root, path, last, sizeof(last));
        if (json_is_array(h))
                assert_int_equal(json_array_set_new(h, (size_t)atoi(last), v), 0);
        else
                assert_int_equal(json_object_set_new(h, last, v), 0);
}

static void del_path(json_t *root, const char *path)
{
        char last[64];
        json_t *h = holder(root, path, last, sizeof(last));
        assert_int_equal(json_object_del(h, last), 0);
}

static void test_good_claim_is_parsed_completely(void **state)
{
        (void)state;
        struct api_job *job = NULL;
        char err[256];
        assert_int_equal(api_parse_claim(GOOD_CLAIM, strlen(GOOD_CLAIM), &job, err, sizeof(err)),
                         0);
        assert_string_equal(job->job_id, "job-1");
        assert_true(job->lease == 30.0);
        assert_string_equal(job->submission_id, "sub-7");
        assert_string_equal(job->queue, "default");
        assert_string_equal(job->language, "c");
        assert_int_equal(job->n_files, 2);
        assert_string_equal(job->files[0].name, "main.c");
        assert_int_equal(job->files[0].len, 6);
        assert_memory_equal(job->files[0].data, "hello\n", 7); /* NUL-terminated too */
        assert_string_equal(job->files[1].name, "a.h");
        assert_int_equal(job->files[1].len, 0);
        assert_string_equal(job->problem_id, "sum");
        assert_string_equal(job->problem_revision, "r1");
        assert_string_equal(job->files_url, "problems/sum/r1/files");
        api_job_free(job);
        api_job_free(NULL);
}

static void test_fractional_lease_and_mime_base64_are_accepted(void **state)
{
        (void)state;
        char err[256];
        json_t *j = good_claim();
        set_path(j, "lease", json_real(12.5));
        /* MIME encoders break lines; "hello world, hello world" */
        set_path(j, "submission.files.0.content_base64",
                 json_string("aGVsbG8gd29y\r\nbGQsIGhlbGxv\nIHdvcmxk"));
        char *s = json_dumps(j, JSON_COMPACT);
        struct api_job *job = NULL;
        assert_int_equal(api_parse_claim(s, strlen(s), &job, err, sizeof(err)), 0);
        assert_true(job->lease == 12.5);
        assert_int_equal(job->files[0].len, 24);
        assert_memory_equal(job->files[0].data, "hello world, hello world", 25);
        api_job_free(job);
        free(s);
        json_decref(j);
}

static void test_every_missing_field_is_named(void **state)
{
        (void)state;
        const char *fields[] = {"job_id",
                                "lease",
                                "submission",
                                "submission.id",
                                "submission.queue",
                                "submission.language",
                                "submission.files",
                                "submission.files.1.name",
                                "submission.files.1.content_base64",
                                "problem",
                                "problem.id",
                                "problem.revision",
                                "problem.files_url",
                                NULL};
        const char *names[] = {"\"job_id\"",
                               "\"lease\"",
                               "\"submission\"",
                               "\"submission.id\"",
                               "\"submission.queue\"",
                               "\"submission.language\"",
                               "\"submission.files\"",
                               "\"submission.files[1].name\"",
                               "\"submission.files[1].content_base64\"",
                               "\"problem\"",
                               "\"problem.id\"",
                               "\"problem.revision\"",
                               "\"problem.files_url\""};
        for (int i = 0; fields[i]; i++) {
                char err[256];
                json_t *j = good_claim();
                del_path(j, fields[i]);
                assert_int_equal(parse_claim_json(j, err, sizeof(err)), API_E_PROTOCOL);
                if (!strstr(err, names[i]) || !strstr(err, "missing"))
                        fail_msg("deleting %s gave: %s", fields[i], err);
        }
}

static void test_wrong_types_are_refused(void **state)
{
        (void)state;
        struct {
                const char *path;
                json_t *(*make)(void);
        } cases[] = {
                {"job_id", json_null},
                {"lease", json_true},
                {"submission", json_array},
                {"submission.id", json_object},
                {"submission.queue", json_array},
                {"submission.language", json_false},
                {"submission.files", json_object},
                {"submission.files.0", json_array},
                {"submission.files.0.name", json_null},
                {"submission.files.0.content_base64", json_object},
                {"problem", json_null},
                {"problem.id", json_true},
                {"problem.revision", json_array},
                {"problem.files_url", json_object},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char err[256];
                json_t *j = good_claim();
                set_path(j, cases[i].path, cases[i].make());
                assert_int_equal(parse_claim_json(j, err, sizeof(err)), API_E_PROTOCOL);
                if (!strstr(err, "is not"))
                        fail_msg("%s: %s", cases[i].path, err);
        }
        /* numbers where strings belong, strings where numbers belong */
        char err[256];
        json_t *j = good_claim();
        set_path(j, "job_id", json_integer(5));
        assert_int_equal(parse_claim_json(j, err, sizeof(err)), API_E_PROTOCOL);
        j = good_claim();
        set_path(j, "lease", json_string("30"));
        assert_int_equal(parse_claim_json(j, err, sizeof(err)), API_E_PROTOCOL);
        j = good_claim();
        set_path(j, "problem.revision", json_integer(3));
        assert_int_equal(parse_claim_json(j, err, sizeof(err)), API_E_PROTOCOL);
}

static void test_bad_leases_are_refused(void **state)
{
        (void)state;
        double bad[] = {0, -1, 1e9, API_LEASE_MAX + 1};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char err[256];
                json_t *j = good_claim();
                set_path(j, "lease", json_real(bad[i]));
                assert_int_equal(parse_claim_json(j, err, sizeof(err)), API_E_PROTOCOL);
                assert_non_null(strstr(err, "\"lease\""));
        }
}

static char *repeat(char ch, size_t n)
{
        char *s = malloc(n + 1);
        memset(s, ch, n);
        s[n] = '\0';
        return s;
}

static void test_oversized_fields_are_refused(void **state)
{
        (void)state;
        char err[256];
        char *s = repeat('a', API_ID_MAX + 1);
        const char *idfields[] = {"job_id", "submission.id", "problem.id", "problem.revision"};
        for (size_t i = 0; i < 4; i++) {
                json_t *j = good_claim();
                set_path(j, idfields[i], json_string(s));
                assert_int_equal(parse_claim_json(j, err, sizeof(err)), API_E_TOO_BIG);
                assert_non_null(strstr(err, "too long"));
        }
        free(s);
        s = repeat('q', API_LABEL_MAX + 1);
        json_t *j = good_claim();
        set_path(j, "submission.queue", json_string(s));
        assert_int_equal(parse_claim_json(j, err, sizeof(err)), API_E_TOO_BIG);
        free(s);
        s = repeat('u', API_URL_MAX + 1);
        j = good_claim();
        set_path(j, "problem.files_url", json_string(s));
        assert_int_equal(parse_claim_json(j, err, sizeof(err)), API_E_TOO_BIG);
        free(s);
        s = repeat('n', API_NAME_MAX + 1);
        j = good_claim();
        set_path(j, "submission.files.0.name", json_string(s));
        assert_int_equal(parse_claim_json(j, err, sizeof(err)), API_E_TOO_BIG);
        free(s);
}

static void test_too_many_files_are_refused(void **state)
{
        (void)state;
        char err[256];
        json_t *j = good_claim();
        json_t *files = json_array();
        for (int i = 0; i <= API_SUBMISSION_FILES_MAX; i++) {
                char name[32];
                snprintf(name, sizeof(name), "f%d.c", i);
                json_array_append_new(
                        files, json_pack("{s:s,s:s}", "name", name, "content_base64", "YQ=="));
        }
        set_path(j, "submission.files", files);
        assert_int_equal(parse_claim_json(j, err, sizeof(err)), API_E_TOO_BIG);
        j = good_claim();
        set_path(j, "submission.files", json_array());
        assert_int_equal(parse_claim_json(j, err, sizeof(err)), API_E_PROTOCOL);
        assert_non_null(strstr(err, "empty"));
}

static void test_decoded_submission_over_the_cap_is_refused(void **state)
{
        (void)state;
        char err[256];
        /* two files of 4.5 MiB each: each fine alone, together over 8 MiB */
        size_t n = (size_t)4608 * 1024 / 3 * 4;
        char *b64 = repeat('A', n);
        json_t *j = good_claim();
        set_path(j, "submission.files.0.content_base64", json_string(b64));
        set_path(j, "submission.files.1.content_base64", json_string(b64));
        assert_int_equal(parse_claim_json(j, err, sizeof(err)), API_E_TOO_BIG);
        assert_non_null(strstr(err, "submission.files[1]"));
        free(b64);
}

static void test_bad_base64_is_refused(void **state)
{
        (void)state;
        const char *bad[] = {
                "a",         "ab",       "abc", "ab=c", "a===", "====",       "ab!c", "aGVsbG8K=",
                "aGVs bG8K", "YQ==YQ==", "YQ=", "Y===", "-_-_", "aGVsbG8K\t", NULL};
        for (int i = 0; bad[i]; i++) {
                char err[256];
                json_t *j = good_claim();
                set_path(j, "submission.files.0.content_base64", json_string(bad[i]));
                assert_int_equal(parse_claim_json(j, err, sizeof(err)), API_E_PROTOCOL);
                if (!strstr(err, "base64"))
                        fail_msg("'%s': %s", bad[i], err);
        }
        const char *good[] = {"YQ==", "YWI=", "YWJj", "YWJjZA==", "", "\n", NULL};
        for (int i = 0; good[i]; i++) {
                char err[256];
                json_t *j = good_claim();
                set_path(j, "submission.files.0.content_base64", json_string(good[i]));
                if (parse_claim_json(j, err, sizeof(err)) != 0)
                        fail_msg("'%s': %s", good[i], err);
        }
}

static void test_hostile_file_names_are_refused(void **state)
{
        (void)state;
        const char *bad[] = {"",     ".",         "..",      "a/b", "../etc/passwd", "/abs", "a\\b",
                             "x\ny", "tab\there", "del\x7f", NULL};
        for (int i = 0; bad[i]; i++) {
                char err[256];
                json_t *j = good_claim();
                set_path(j, "submission.files.0.name", json_string(bad[i]));
                assert_int_equal(parse_claim_json(j, err, sizeof(err)), API_E_PROTOCOL);
                if (!strstr(err, "\"submission.files[0].name\""))
                        fail_msg("'%s': %s", bad[i], err);
        }
        /* a name may repeat only once */
        char err[256];
        json_t *j = good_claim();
        set_path(j, "submission.files.1.name", json_string("main.c"));
        assert_int_equal(parse_claim_json(j, err, sizeof(err)), API_E_PROTOCOL);
        assert_non_null(strstr(err, "repeats"));
        /* a NUL byte inside a name (\u0000) is refused by the JSON reader already */
        static const char nul[] =
                "{\"job_id\":\"j\",\"lease\":1,\"submission\":{\"id\":\"s\",\"queue\":\"q\","
                "\"language\":\"c\",\"files\":[{\"name\":\"a\\u0000b\",\"content_base64\":\"\"}]},"
                "\"problem\":{\"id\":\"p\",\"revision\":\"r\",\"files_url\":\"u\"}}";
        struct api_job *job = NULL;
        assert_int_equal(api_parse_claim(nul, strlen(nul), &job, err, sizeof(err)), API_E_PROTOCOL);
        /* names that look odd but are harmless as one path component pass */
        j = good_claim();
        set_path(j, "submission.files.0.name", json_string("..hidden..c"));
        assert_int_equal(parse_claim_json(j, err, sizeof(err)), 0);
}

static void test_hostile_ids_are_refused(void **state)
{
        (void)state;
        const char *bad[] = {"", ".", "..", "../x", "a/b", "a b", "a%2e", "é", NULL};
        const char *fields[] = {"job_id", "submission.id", "problem.id", "problem.revision"};
        for (size_t f = 0; f < 4; f++)
                for (int i = 0; bad[i]; i++) {
                        char err[256];
                        json_t *j = good_claim();
                        set_path(j, fields[f], json_string(bad[i]));
                        assert_int_equal(parse_claim_json(j, err, sizeof(err)), API_E_PROTOCOL);
                }
}

static void test_documents_that_are_not_json_objects_are_refused(void **state)
{
        (void)state;
        const char *bad[] = {
                "",         "null", "[]",           "\"job\"",
                "42",       "{",    "{\"job_id\":", "{\"job_id\":\"a\",\"job_id\":\"b\"}",
                "\xff\xfe", NULL};
        for (int i = 0; bad[i]; i++) {
                char err[256];
                struct api_job *job = NULL;
                assert_int_equal(api_parse_claim(bad[i], strlen(bad[i]), &job, err, sizeof(err)),
                                 API_E_PROTOCOL);
                assert_null(job);
        }
        char err[256];
        struct api_job *job = NULL;
        assert_int_equal(api_parse_claim(NULL, 0, &job, err, sizeof(err)), API_E_PROTOCOL);
        /* an embedded NUL byte ends nothing: the length is what counts */
        assert_int_equal(api_parse_claim(GOOD_CLAIM, sizeof(GOOD_CLAIM), &job, err, sizeof(err)),
                         API_E_PROTOCOL);
}

static void test_every_truncation_of_a_good_claim_is_refused(void **state)
{
        (void)state;
        size_t n = strlen(GOOD_CLAIM);
        for (size_t len = 0; len < n; len++) {
                char *copy = malloc(len ? len : 1); /* exact size: ASan sees any overread */
                memcpy(copy, GOOD_CLAIM, len);
                struct api_job *job = NULL;
                char err[256];
                assert_true(api_parse_claim(copy, len, &job, err, sizeof(err)) < 0);
                assert_null(job);
                free(copy);
        }
}

static const char GOOD_MANIFEST_FMT[] =
        "{\"files\":[{\"path\":\"problem.yaml\",\"sha256\":\"%s\",\"size\":10,\"url\":\"blobs/a\"},"
        "{\"path\":\"data/secret/g1/1.in\",\"sha256\":\"%s\",\"size\":0,"
        "\"url\":\"https://cdn.example/x\"}]}";

static json_t *good_manifest(void)
{
        char buf[1024];
        snprintf(buf, sizeof(buf), GOOD_MANIFEST_FMT, SHA, SHA);
        json_error_t je;
        json_t *j = json_loads(buf, 0, &je);
        assert_non_null(j);
        return j;
}

static int parse_manifest_json(json_t *j, char *err, size_t errlen)
{
        char *s = json_dumps(j, JSON_COMPACT);
        struct api_manifest *m = NULL;
        err[0] = '\0';
        int r = api_parse_manifest(s, strlen(s), &m, err, errlen);
        assert_true(r == 0 ? m != NULL : m == NULL);
        api_manifest_free(m);
        free(s);
        json_decref(j);
        return r;
}

static void test_good_manifest_is_parsed(void **state)
{
        (void)state;
        char buf[1024], err[256];
        snprintf(buf, sizeof(buf), GOOD_MANIFEST_FMT, SHA, SHA);
        struct api_manifest *m = NULL;
        assert_int_equal(api_parse_manifest(buf, strlen(buf), &m, err, sizeof(err)), 0);
        assert_int_equal(m->n_files, 2);
        assert_string_equal(m->files[0].path, "problem.yaml");
        assert_string_equal(m->files[0].sha256, SHA);
        assert_int_equal(m->files[0].size, 10);
        assert_string_equal(m->files[0].url, "blobs/a");
        assert_string_equal(m->files[1].path, "data/secret/g1/1.in");
        assert_int_equal(m->files[1].size, 0);
        assert_string_equal(m->files[1].url, "https://cdn.example/x");
        assert_int_equal(m->total_size, 10);
        api_manifest_free(m);
        api_manifest_free(NULL);
        /* an empty package is a package */
        assert_int_equal(api_parse_manifest("{\"files\":[]}", 12, &m, err, sizeof(err)), 0);
        assert_int_equal(m->n_files, 0);
        api_manifest_free(m);
}

static void test_hostile_manifest_paths_are_refused(void **state)
{
        (void)state;
        char *longpath = repeat('p', API_PATH_MAX + 1);
        char *longname = repeat('c', API_NAME_MAX + 1);
        const char *bad[] = {"",      "/etc/passwd", "..",     "../x", "a/../b", "a/..",  ".",
                             "./a",   "a/./b",       "a//b",   "a/",   "a\\b",   "..\\x", "a\nb",
                             "a\x01", longpath,      longname, "//x",  NULL};
        for (int i = 0; bad[i]; i++) {
                char err[256];
                json_t *j = good_manifest();
                set_path(j, "files.1.path", json_string(bad[i]));
                int r = parse_manifest_json(j, err, sizeof(err));
                assert_true(r == API_E_PROTOCOL || r == API_E_TOO_BIG);
                if (!strstr(err, "\"files[1].path\""))
                        fail_msg("'%.40s': %s", bad[i], err);
        }
        free(longpath);
        free(longname);
        const char *good[] = {"a", ".timelimit", "data/secret/g1/01.in", "a..b/c...d", NULL};
        for (int i = 0; good[i]; i++) {
                char err[256];
                json_t *j = good_manifest();
                set_path(j, "files.1.path", json_string(good[i]));
                if (parse_manifest_json(j, err, sizeof(err)) != 0)
                        fail_msg("'%s': %s", good[i], err);
        }
}

static void test_bad_manifest_sha256_size_and_url_are_refused(void **state)
{
        (void)state;
        char err[256];
        const char *shas[] = {"",
                              "abc",
                              "7C76C592B900A830319221E34D9FF06752EA2816B62B9113948DA3DD2D25FD72",
                              "7c76c592b900a830319221e34d9ff06752ea2816b62b9113948da3dd2d25fd7",
                              "7c76c592b900a830319221e34d9ff06752ea2816b62b9113948da3dd2d25fd72a",
                              "zz76c592b900a830319221e34d9ff06752ea2816b62b9113948da3dd2d25fd72",
                              NULL};
        for (int i = 0; shas[i]; i++) {
                json_t *j = good_manifest();
                set_path(j, "files.0.sha256", json_string(shas[i]));
                int r = parse_manifest_json(j, err, sizeof(err));
                assert_true(r == API_E_PROTOCOL || r == API_E_TOO_BIG);
                assert_non_null(strstr(err, "\"files[0].sha256\""));
        }
        json_t *sizes[] = {json_integer(-1), json_real(1.5), json_string("10"), json_null(),
                           json_integer((json_int_t)API_BLOB_SIZE_MAX + 1)};
        for (size_t i = 0; i < 5; i++) {
                json_t *j = good_manifest();
                set_path(j, "files.0.size", sizes[i]);
                int r = parse_manifest_json(j, err, sizeof(err));
                assert_true(r == API_E_PROTOCOL || r == API_E_TOO_BIG);
                assert_non_null(strstr(err, "\"files[0].size\""));
        }
        const char *fields[] = {"path", "sha256", "size", "url"};
        for (size_t i = 0; i < 4; i++) {
                json_t *j = good_manifest();
                json_object_del(json_array_get(json_object_get(j, "files"), 1), fields[i]);
                assert_int_equal(parse_manifest_json(j, err, sizeof(err)), API_E_PROTOCOL);
                assert_non_null(strstr(err, "missing"));
        }
        json_t *j = good_manifest();
        set_path(j, "files.0.url", json_string(""));
        assert_int_equal(parse_manifest_json(j, err, sizeof(err)), API_E_PROTOCOL);
        j = good_manifest();
        set_path(j, "files", json_object());
        assert_int_equal(parse_manifest_json(j, err, sizeof(err)), API_E_PROTOCOL);
        j = good_manifest();
        set_path(j, "files.0", json_string("x"));
        assert_int_equal(parse_manifest_json(j, err, sizeof(err)), API_E_PROTOCOL);
}

static void test_manifest_with_too_many_files_is_refused(void **state)
{
        (void)state;
        char err[256];
        json_t *j = json_object(), *files = json_array();
        for (int i = 0; i <= API_MANIFEST_FILES_MAX; i++)
                json_array_append_new(files, json_integer(i));
        json_object_set_new(j, "files", files);
        assert_int_equal(parse_manifest_json(j, err, sizeof(err)), API_E_TOO_BIG);
}

static void test_heartbeat_reply_gives_the_lease(void **state)
{
        (void)state;
        char err[256];
        double lease = 0;
        assert_int_equal(api_parse_heartbeat("{\"lease\":45.5}", 14, &lease, err, sizeof(err)), 0);
        assert_true(lease == 45.5);
        assert_int_equal(api_parse_heartbeat("{\"lease\":30,\"x\":1}", 18, NULL, err, sizeof(err)),
                         0);
        const char *bad[] = {"{}",
                             "{\"lease\":\"30\"}",
                             "{\"lease\":0}",
                             "{\"lease\":-5}",
                             "{\"lease\":null}",
                             "[30]",
                             "",
                             "{\"lease\":1e400}",
                             NULL};
        for (int i = 0; bad[i]; i++) {
                lease = -1;
                assert_int_equal(
                        api_parse_heartbeat(bad[i], strlen(bad[i]), &lease, err, sizeof(err)),
                        API_E_PROTOCOL);
                assert_true(lease == -1); /* untouched on failure */
        }
}

static void test_queues_reply_is_parsed_and_bad_ones_name_the_field(void **state)
{
        (void)state;
        char err[256];
        const char *good = "{\"queues\":[{\"name\":\"default\",\"depth\":12,\"running\":3,"
                           "\"oldest_waiting_seconds\":41.5},{\"name\":\"exams\",\"depth\":0,"
                           "\"running\":0,\"oldest_waiting_seconds\":0,\"new\":1}],\"depth\":12}";
        struct api_queues *q = NULL;
        assert_int_equal(api_parse_queues(good, strlen(good), &q, err, sizeof(err)), 0);
        assert_int_equal(q->n_queues, 2);
        assert_string_equal(q->queues[0].name, "default");
        assert_int_equal(q->queues[0].depth, 12);
        assert_int_equal(q->queues[0].running, 3);
        assert_true(q->queues[0].oldest_waiting == 41.5);
        assert_string_equal(q->queues[1].name, "exams");
        api_queues_free(q);
        const struct {
                const char *body, *field;
        } bad[] = {
                {"{}", "queues"},
                {"{\"queues\":{}}", "queues"},
                {"{\"queues\":[1]}", "queues[0]"},
                {"{\"queues\":[{\"depth\":1,\"running\":0,\"oldest_waiting_seconds\":0}]}",
                 "queues[0].name"},
                {"{\"queues\":[{\"name\":\"q\",\"depth\":-1,\"running\":0,"
                 "\"oldest_waiting_seconds\":0}]}",
                 "queues[0].depth"},
                {"{\"queues\":[{\"name\":\"q\",\"depth\":1,\"running\":0.5,"
                 "\"oldest_waiting_seconds\":0}]}",
                 "queues[0].running"},
                {"{\"queues\":[{\"name\":\"q\",\"depth\":1,\"running\":0,"
                 "\"oldest_waiting_seconds\":-2}]}",
                 "queues[0].oldest_waiting_seconds"},
                {"{\"queues\":[{\"name\":\"a\\nb\",\"depth\":1,\"running\":0,"
                 "\"oldest_waiting_seconds\":0}]}",
                 "queues[0].name"},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                q = NULL;
                err[0] = '\0';
                assert_int_equal(
                        api_parse_queues(bad[i].body, strlen(bad[i].body), &q, err, sizeof(err)),
                        API_E_PROTOCOL);
                assert_null(q);
                assert_non_null(strstr(err, bad[i].field));
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_good_claim_is_parsed_completely),
                cmocka_unit_test(test_fractional_lease_and_mime_base64_are_accepted),
                cmocka_unit_test(test_every_missing_field_is_named),
                cmocka_unit_test(test_wrong_types_are_refused),
                cmocka_unit_test(test_bad_leases_are_refused),
                cmocka_unit_test(test_oversized_fields_are_refused),
                cmocka_unit_test(test_too_many_files_are_refused),
                cmocka_unit_test(test_decoded_submission_over_the_cap_is_refused),
                cmocka_unit_test(test_bad_base64_is_refused),
                cmocka_unit_test(test_hostile_file_names_are_refused),
                cmocka_unit_test(test_hostile_ids_are_refused),
                cmocka_unit_test(test_documents_that_are_not_json_objects_are_refused),
                cmocka_unit_test(test_every_truncation_of_a_good_claim_is_refused),
                cmocka_unit_test(test_good_manifest_is_parsed),
                cmocka_unit_test(test_hostile_manifest_paths_are_refused),
                cmocka_unit_test(test_bad_manifest_sha256_size_and_url_are_refused),
                cmocka_unit_test(test_manifest_with_too_many_files_is_refused),
                cmocka_unit_test(test_heartbeat_reply_gives_the_lease),
                cmocka_unit_test(test_queues_reply_is_parsed_and_bad_ones_name_the_field),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
