/* SPDX-License-Identifier: MIT */
/* Unit tests of the service's configuration layering and its result spool. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common.h"
#include "config.h"
#include "spool.h"

int main(void);

static char dir[256];

static int setup(void **state)
{
        (void)state;
        snprintf(dir, sizeof(dir), "/tmp/grader-svc-test-XXXXXX");
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
        (void)state;
        return cmn_rmtree(dir);
}

static void test_defaults_are_complete(void **state)
{
        (void)state;
        struct grd_config c;
        grd_config_defaults(&c);
        assert_non_null(c.cache_dir);
        assert_non_null(c.spool_dir);
        assert_non_null(c.grader_id);
        assert_string_equal(c.queues[0], "default");
        assert_int_equal(c.workers, 0);
        char err[256];
        /* no api_url yet: the check names the setting */
        assert_int_equal(grd_config_check(&c, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "api_url"));
        grd_config_release(&c);
}

static void test_file_then_env_then_flags_later_wins(void **state)
{
        (void)state;
        char path[512], err[256];
        snprintf(path, sizeof(path), "%s/config.json", dir);
        const char *json = "{\"api_url\": \"http://file/api\", \"workers\": 3, "
                           "\"queues\": [\"a\", \"b\"], \"token_file\": \"/t\"}";
        assert_int_equal(cmn_write_file_atomic(path, json, strlen(json), 0600), 0);
        struct grd_config c;
        grd_config_defaults(&c);
        assert_int_equal(grd_config_load_file(&c, path, err, sizeof(err)), 0);
        assert_string_equal(c.api_url, "http://file/api");
        assert_int_equal(c.workers, 3);
        assert_string_equal(c.queues[0], "a");
        assert_string_equal(c.queues[1], "b");
        assert_null(c.queues[2]);
        setenv("GRADER_WORKERS", "5", 1);
        setenv("GRADER_QUEUES", "pulls, pushes", 1);
        assert_int_equal(grd_config_load_env(&c, err, sizeof(err)), 0);
        unsetenv("GRADER_WORKERS");
        unsetenv("GRADER_QUEUES");
        assert_int_equal(c.workers, 5);
        assert_string_equal(c.queues[0], "pulls");
        assert_string_equal(c.queues[1], "pushes");
        assert_int_equal(grd_config_set(&c, "workers", "7", "--workers", err, sizeof(err)), 0);
        assert_int_equal(c.workers, 7);
        assert_int_equal(grd_config_check(&c, err, sizeof(err)), 0);
        grd_config_release(&c);
}

static void test_bad_values_name_their_source(void **state)
{
        (void)state;
        struct grd_config c;
        grd_config_defaults(&c);
        char err[256];
        setenv("GRADER_WORKERS", "many", 1);
        assert_int_equal(grd_config_load_env(&c, err, sizeof(err)), -EINVAL);
        unsetenv("GRADER_WORKERS");
        assert_non_null(strstr(err, "$GRADER_WORKERS"));
        assert_int_equal(grd_config_set(&c, "api_url", "ftp://x", "--api-url", err, sizeof(err)),
                         -EINVAL);
        assert_non_null(strstr(err, "--api-url"));
        assert_int_equal(grd_config_set(&c, "queues", " , ", "--queues", err, sizeof(err)),
                         -EINVAL);
        char path[512];
        snprintf(path, sizeof(path), "%s/bad.json", dir);
        const char *json = "{\"api_url\": \"http://x\", \"colour\": \"blue\"}";
        cmn_write_file_atomic(path, json, strlen(json), 0600);
        assert_int_equal(grd_config_load_file(&c, path, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "colour"));
        assert_non_null(strstr(err, "bad.json"));
        grd_config_release(&c);
}

static void test_spool_keeps_results_until_removed(void **state)
{
        (void)state;
        char sp[512], err[256];
        snprintf(sp, sizeof(sp), "%s/spool", dir);
        assert_int_equal(grd_spool_open(sp, err, sizeof(err)), 0);
        assert_int_equal(grd_spool_put(sp, "job-1", "{\"a\":1}", 7), 0);
        assert_int_equal(grd_spool_put(sp, "job-2", "{\"b\":2}", 7), 0);
        char **ids;
        int n = grd_spool_list(sp, &ids, 100);
        assert_int_equal(n, 2);
        grd_spool_list_free(ids, (size_t)n);
        char *json;
        size_t len;
        assert_int_equal(grd_spool_get(sp, "job-1", &json, &len), 0);
        assert_string_equal(json, "{\"a\":1}");
        free(json);
        assert_int_equal(grd_spool_remove(sp, "job-1"), 0);
        assert_int_equal(grd_spool_reject(sp, "job-2"), 0);
        n = grd_spool_list(sp, &ids, 100);
        assert_int_equal(n, 0);
        grd_spool_list_free(ids, 0);
        char rejected[600];
        snprintf(rejected, sizeof(rejected), "%s/rejected/job-2.json", sp);
        assert_int_equal(access(rejected, F_OK), 0);
}

static void test_spool_refuses_ids_that_are_not_file_names(void **state)
{
        (void)state;
        char sp[512];
        snprintf(sp, sizeof(sp), "%s/spool", dir);
        assert_int_equal(grd_spool_put(sp, "../escape", "{}", 2), -EINVAL);
        assert_int_equal(grd_spool_put(sp, "..", "{}", 2), -EINVAL);
        assert_int_equal(grd_spool_put(sp, "a/b", "{}", 2), -EINVAL);
        assert_int_equal(grd_spool_put(sp, "", "{}", 2), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults_are_complete),
                cmocka_unit_test(test_file_then_env_then_flags_later_wins),
                cmocka_unit_test(test_bad_values_name_their_source),
                cmocka_unit_test(test_spool_keeps_results_until_removed),
                cmocka_unit_test(test_spool_refuses_ids_that_are_not_file_names),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
