/* SPDX-License-Identifier: MIT */
/*
 * HTTP-level tests of the job calls against fake_site.py: claim, heartbeat, result and release,
 * every status they define, retries of transport errors, 5xx and 429, auth errors, truncated and
 * oversized replies, bad ids, and the abort flag. Usage: test_api_http_jobs PYTHON3 FAKE_SITE_PY
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "site.h"
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *const QUEUES[] = {"urgent", "default", NULL};
static const char *const LANGS[] = {"c", "cpp", "python3", NULL};

static int claim(struct api_client *c, struct api_job **job, char *err, size_t errlen)
{
        *job = NULL;
        return api_claim(c, "grader-test", QUEUES, LANGS, 0, job, err, errlen);
}

static void test_claim_returns_a_validated_job(void **state)
{
        (void)state;
        struct api_client *c = site_client("ok-claim");
        struct api_job *job;
        char err[256];
        assert_int_equal(claim(c, &job, err, sizeof(err)), 1);
        assert_string_equal(job->job_id, "job-1");
        assert_true(job->lease == 30);
        assert_string_equal(job->submission_id, "sub-7");
        assert_string_equal(job->language, "c");
        assert_int_equal(job->n_files, 2);
        assert_string_equal(job->files[0].name, "main.c");
        assert_string_equal((char *)job->files[0].data, "int main(void){return 0;}\n");
        assert_string_equal(job->problem_id, "sum");
        assert_string_equal(job->files_url, "problems/sum/r1/files");
        api_job_free(job);
        struct api_stats st;
        api_client_stats(c, &st);
        assert_int_equal(st.requests, 1);
        assert_int_equal(st.retries, 0);
        api_client_free(c);
}

static void test_claim_without_work_returns_zero(void **state)
{
        (void)state;
        struct api_client *c = site_client("idle-claim");
        struct api_job *job;
        char err[256];
        assert_int_equal(claim(c, &job, err, sizeof(err)), 0);
        assert_null(job);
        /* and again on the same connection */
        assert_int_equal(claim(c, &job, err, sizeof(err)), 0);
        api_client_free(c);
}

static void test_claim_refuses_bad_arguments_without_a_request(void **state)
{
        (void)state;
        struct api_client *c = site_client("ok-badargs");
        struct api_job *job = NULL;
        char err[256];
        assert_int_equal(api_claim(c, "", QUEUES, LANGS, 0, &job, err, sizeof(err)), -EINVAL);
        assert_int_equal(api_claim(c, "g", QUEUES, LANGS, API_WAIT_MAX + 1, &job, err, sizeof(err)),
                         -EINVAL);
        const char *const bad_utf8[] = {"\xff\xfe", NULL};
        assert_int_equal(api_claim(c, "g", bad_utf8, LANGS, 0, &job, err, sizeof(err)), -EINVAL);
        assert_null(job);
        assert_int_equal(site_total("ok-badargs"), 0);
        api_client_free(c);
}

static void test_unauthorized_is_an_auth_error_and_not_retried(void **state)
{
        (void)state;
        struct api_client *c = site_client("unauth-claim");
        struct api_job *job;
        char err[256];
        assert_int_equal(claim(c, &job, err, sizeof(err)), API_E_AUTH);
        assert_non_null(strstr(err, "401"));
        assert_int_equal(site_count("unauth-claim", "claim"), 1);
        assert_int_equal(api_client_retries(c), 0);
        api_client_free(c);
}

static void test_forbidden_is_an_auth_error(void **state)
{
        (void)state;
        struct api_client *c = site_client("forbidden-claim");
        struct api_job *job;
        char err[256];
        assert_int_equal(claim(c, &job, err, sizeof(err)), API_E_AUTH);
        assert_non_null(strstr(err, "403"));
        assert_int_equal(site_count("forbidden-claim", "claim"), 1);
        api_client_free(c);
}

static void test_the_token_is_sent(void **state)
{
        (void)state;
        struct api_client_opts o;
        char base[256], err[256];
        site_opts("ok-wrongtoken", &o, base, sizeof(base));
        o.token = "not-the-token";
        struct api_client *c = site_client_with(&o);
        struct api_job *job;
        assert_int_equal(claim(c, &job, err, sizeof(err)), API_E_AUTH);
        api_client_free(c);
}

static void test_server_errors_are_retried_until_success(void **state)
{
        (void)state;
        struct api_client *c = site_client("flaky-claim");
        struct api_job *job;
        char err[256];
        assert_int_equal(claim(c, &job, err, sizeof(err)), 1); /* 503, 503, then 200 */
        api_job_free(job);
        assert_int_equal(api_client_retries(c), 2);
        assert_int_equal(site_count("flaky-claim", "claim"), 3);
        api_client_free(c);
}

static void test_429_is_retried(void **state)
{
        (void)state;
        struct api_client *c = site_client("limited-claim");
        struct api_job *job;
        char err[256];
        double t0 = cmn_monotonic();
        assert_int_equal(claim(c, &job, err, sizeof(err)), 1);
        /* Retry-After: 1 is honoured only up to the 50 ms cap on one pause */
        assert_true(cmn_monotonic() - t0 < 0.9);
        api_job_free(job);
        assert_int_equal(api_client_retries(c), 1);
        api_client_free(c);
}

static void test_persistent_server_errors_give_up_after_max_attempts(void **state)
{
        (void)state;
        struct api_client *c = site_client("down-claim");
        struct api_job *job;
        char err[256];
        assert_int_equal(claim(c, &job, err, sizeof(err)), API_E_SERVER);
        assert_true(api_error_is_transient(API_E_SERVER));
        assert_non_null(strstr(err, "500"));
        assert_int_equal(site_count("down-claim", "claim"), 3);
        assert_int_equal(api_client_retries(c), 2);
        api_client_free(c);
}

static void test_truncated_body_is_retried_then_a_transport_error(void **state)
{
        (void)state;
        struct api_client *c = site_client("trunc-claim");
        struct api_job *job;
        char err[256];
        assert_int_equal(claim(c, &job, err, sizeof(err)), API_E_TRANSPORT);
        assert_int_equal(site_count("trunc-claim", "claim"), 3);
        api_client_free(c);
}

static void test_cut_json_is_a_protocol_error(void **state)
{
        (void)state;
        struct api_client *c = site_client("badjson-claim");
        struct api_job *job;
        char err[256];
        assert_int_equal(claim(c, &job, err, sizeof(err)), API_E_PROTOCOL);
        assert_non_null(strstr(err, "claim reply"));
        assert_int_equal(site_count("badjson-claim", "claim"), 1);
        api_client_free(c);
}

static void test_unacceptable_job_is_refused_and_released(void **state)
{
        (void)state;
        struct api_client *c = site_client("badjob-claim");
        struct api_job *job;
        char err[256];
        assert_int_equal(claim(c, &job, err, sizeof(err)), API_E_PROTOCOL);
        assert_null(job);
        assert_non_null(strstr(err, "\"submission.files[0].name\""));
        /* handed back at once rather than left to time out */
        assert_int_equal(site_count("badjob-claim", "jobs/job-1/release"), 1);
        api_client_free(c);
}

static void test_oversized_reply_is_refused(void **state)
{
        (void)state;
        struct api_client_opts o;
        char base[256], err[256];
        site_opts("huge-claim", &o, base, sizeof(base));
        o.max_body = 64 * 1024;
        struct api_client *c = site_client_with(&o);
        struct api_job *job;
        assert_int_equal(claim(c, &job, err, sizeof(err)), API_E_TOO_BIG);
        assert_int_equal(site_count("huge-claim", "claim"), 1);
        api_client_free(c);
}

static void test_connection_refused_is_a_transport_error(void **state)
{
        (void)state;
        /* a site_port nobody listens on: bind one, then close it */
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t al = sizeof(a);
        assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
        assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
        close(s);
        char base[128], err[256];
        snprintf(base, sizeof(base), "http://127.0.0.1:%d/api/v1", ntohs(a.sin_port));
        struct api_client_opts o = {.base_url = base,
                                    .token = "t",
                                    .max_attempts = 2,
                                    .backoff_base_ms = 1,
                                    .backoff_cap_ms = 5};
        struct api_client *c = site_client_with(&o);
        struct api_job *job;
        assert_int_equal(claim(c, &job, err, sizeof(err)), API_E_TRANSPORT);
        assert_true(api_error_is_transient(API_E_TRANSPORT));
        assert_int_equal(api_client_retries(c), 1);
        api_client_free(c);
}

static void test_heartbeat_renews_the_lease(void **state)
{
        (void)state;
        struct api_client *c = site_client("ok-heartbeat");
        char err[256];
        double lease = 0;
        assert_int_equal(api_heartbeat(c, "job-1", &lease, err, sizeof(err)), 0);
        assert_true(lease == 45.5);
        assert_int_equal(site_count("ok-heartbeat", "jobs/job-1/heartbeat"), 1);
        api_client_free(c);
}

static void test_heartbeat_answered_404_409_410_means_the_lease_is_lost(void **state)
{
        (void)state;
        const char *scns[] = {"gone404-hb", "gone409-hb", "gone410-hb"};
        for (int i = 0; i < 3; i++) {
                struct api_client *c = site_client(scns[i]);
                char err[256];
                double lease = -1;
                assert_int_equal(api_heartbeat(c, "job-1", &lease, err, sizeof(err)),
                                 API_E_LEASE_LOST);
                assert_true(lease == -1);
                assert_int_equal(site_count(scns[i], "jobs/job-1/heartbeat"), 1); /* no retry */
                api_client_free(c);
        }
}

static const char RESULT[] = "{\"job_id\":\"job-1\",\"verdict\":\"AC\"}";

static void test_result_posted_or_already_posted_is_done(void **state)
{
        (void)state;
        char err[256];
        struct api_client *c = site_client("ok-result");
        assert_int_equal(api_post_result(c, "job-1", RESULT, strlen(RESULT), err, sizeof(err)), 0);
        api_client_free(c);
        c = site_client("gone409-result");
        assert_int_equal(api_post_result(c, "job-1", RESULT, strlen(RESULT), err, sizeof(err)), 0);
        api_client_free(c);
}

static void test_result_answered_410_means_taken_back(void **state)
{
        (void)state;
        char err[256];
        struct api_client *c = site_client("gone410-result");
        assert_int_equal(api_post_result(c, "job-1", RESULT, strlen(RESULT), err, sizeof(err)),
                         API_E_GONE);
        assert_false(api_error_is_transient(API_E_GONE));
        api_client_free(c);
}

static void test_result_answered_404_is_kept_as_an_http_error(void **state)
{
        (void)state;
        char err[256];
        struct api_client *c = site_client("gone404-result");
        assert_int_equal(api_post_result(c, "job-1", RESULT, strlen(RESULT), err, sizeof(err)),
                         API_E_HTTP);
        assert_non_null(strstr(err, "404"));
        api_client_free(c);
}

static void test_result_is_retried_through_server_errors(void **state)
{
        (void)state;
        char err[256];
        struct api_client *c = site_client("flaky-result");
        assert_int_equal(api_post_result(c, "job-1", RESULT, strlen(RESULT), err, sizeof(err)), 0);
        assert_int_equal(site_count("flaky-result", "jobs/job-1/result"), 3);
        api_client_free(c);
}

static void test_release_is_done_also_when_the_job_is_not_ours(void **state)
{
        (void)state;
        const char *scns[] = {"ok-release", "gone404-rel", "gone409-rel", "gone410-rel"};
        for (int i = 0; i < 4; i++) {
                char err[256];
                struct api_client *c = site_client(scns[i]);
                assert_int_equal(api_release(c, "job-1", "shutting down \xff", err, sizeof(err)),
                                 0);
                api_client_free(c);
        }
        assert_int_equal(site_count("ok-release", "jobs/job-1/release"), 1);
}

static void test_bad_job_ids_are_refused_without_a_request(void **state)
{
        (void)state;
        struct api_client *c = site_client("ok-badid");
        char err[256];
        const char *bad[] = {"../claim", "a/b", "", "..", "a b", "a%2F", NULL};
        for (int i = 0; bad[i]; i++) {
                assert_int_equal(api_heartbeat(c, bad[i], NULL, err, sizeof(err)), API_E_PROTOCOL);
                assert_int_equal(api_post_result(c, bad[i], "{}", 2, err, sizeof(err)),
                                 API_E_PROTOCOL);
                assert_int_equal(api_release(c, bad[i], "x", err, sizeof(err)), API_E_PROTOCOL);
        }
        assert_int_equal(site_total("ok-badid"), 0);
        api_client_free(c);
}

/* ---- abort ---- */

static volatile sig_atomic_t stop_flag;

static void *raise_flag(void *arg)
{
        usleep((useconds_t)(uintptr_t)arg);
        stop_flag = 1;
        return NULL;
}

static void test_abort_flag_interrupts_a_long_poll(void **state)
{
        (void)state;
        struct api_client *c = site_client("slow-claim");
        stop_flag = 0;
        api_client_set_abort_flag(c, &stop_flag);
        pthread_t t;
        pthread_create(&t, NULL, raise_flag, (void *)(uintptr_t)300000);
        struct api_job *job = NULL;
        char err[256];
        double t0 = cmn_monotonic();
        assert_int_equal(api_claim(c, "g", QUEUES, LANGS, 10, &job, err, sizeof(err)),
                         API_E_ABORTED);
        assert_true(cmn_monotonic() - t0 < 3.0);
        pthread_join(t, NULL);
        /* a raised flag stops the next call before it sends anything */
        assert_int_equal(api_heartbeat(c, "job-1", NULL, err, sizeof(err)), API_E_ABORTED);
        assert_int_equal(site_count("slow-claim", "jobs/job-1/heartbeat"), 0);
        api_client_set_abort_flag(c, NULL);
        api_client_free(c);
}

static void test_abort_flag_cuts_a_retry_pause_short(void **state)
{
        (void)state;
        struct api_client_opts o;
        char base[256], err[256];
        site_opts("down-abort", &o, base, sizeof(base));
        o.max_attempts = 10;
        o.backoff_base_ms = 20000;
        o.backoff_cap_ms = 20000;
        struct api_client *c = site_client_with(&o);
        stop_flag = 0;
        api_client_set_abort_flag(c, &stop_flag);
        pthread_t t;
        pthread_create(&t, NULL, raise_flag, (void *)(uintptr_t)200000);
        struct api_job *job;
        double t0 = cmn_monotonic();
        int r = claim(c, &job, err, sizeof(err));
        double took = cmn_monotonic() - t0;
        pthread_join(t, NULL);
        /* the first pause could be 0 ms by chance, so allow a couple of attempts */
        assert_int_equal(r, API_E_ABORTED);
        assert_true(took < 2.0);
        api_client_free(c);
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
                cmocka_unit_test(test_claim_returns_a_validated_job),
                cmocka_unit_test(test_claim_without_work_returns_zero),
                cmocka_unit_test(test_claim_refuses_bad_arguments_without_a_request),
                cmocka_unit_test(test_unauthorized_is_an_auth_error_and_not_retried),
                cmocka_unit_test(test_forbidden_is_an_auth_error),
                cmocka_unit_test(test_the_token_is_sent),
                cmocka_unit_test(test_server_errors_are_retried_until_success),
                cmocka_unit_test(test_429_is_retried),
                cmocka_unit_test(test_persistent_server_errors_give_up_after_max_attempts),
                cmocka_unit_test(test_truncated_body_is_retried_then_a_transport_error),
                cmocka_unit_test(test_cut_json_is_a_protocol_error),
                cmocka_unit_test(test_unacceptable_job_is_refused_and_released),
                cmocka_unit_test(test_oversized_reply_is_refused),
                cmocka_unit_test(test_connection_refused_is_a_transport_error),
                cmocka_unit_test(test_heartbeat_renews_the_lease),
                cmocka_unit_test(test_heartbeat_answered_404_409_410_means_the_lease_is_lost),
                cmocka_unit_test(test_result_posted_or_already_posted_is_done),
                cmocka_unit_test(test_result_answered_410_means_taken_back),
                cmocka_unit_test(test_result_answered_404_is_kept_as_an_http_error),
                cmocka_unit_test(test_result_is_retried_through_server_errors),
                cmocka_unit_test(test_release_is_done_also_when_the_job_is_not_ours),
                cmocka_unit_test(test_bad_job_ids_are_refused_without_a_request),
                cmocka_unit_test(test_abort_flag_interrupts_a_long_poll),
                cmocka_unit_test(test_abort_flag_cuts_a_retry_pause_short),
        };
        return cmocka_run_group_tests(tests, site_start, site_stop);
}
