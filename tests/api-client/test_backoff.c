/* SPDX-License-Identifier: MIT */
/* Unit tests of the retry pause: full jitter in [0, min(cap, base * 2^attempt)], no overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api.h"

#include <limits.h>

static uint64_t ceiling(unsigned attempt, unsigned base, unsigned cap)
{
        if (attempt >= 32)
                return cap;
        uint64_t g = (uint64_t)base << attempt;
        return g < cap ? g : cap;
}

static uint64_t rng_state = 0x853c49e6748fea9bull;

static uint64_t rng(void)
{
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        return rng_state * 0x2545F4914F6CDD1Dull;
}

static void test_delay_never_exceeds_the_ceiling(void **state)
{
        (void)state;
        for (unsigned a = 0; a < 70; a++)
                for (int i = 0; i < 2000; i++) {
                        unsigned d = api_backoff_delay_ms(a, 100, 30000, rng());
                        assert_true(d <= ceiling(a, 100, 30000));
                }
}

static void test_range_is_exactly_zero_to_the_ceiling(void **state)
{
        (void)state;
        /* random = k maps to k inside the range, and ceiling+1 wraps to 0: the range is
         * [0, ceiling], both ends included */
        for (unsigned a = 0; a < 12; a++) {
                uint64_t c = ceiling(a, 250, 100000);
                assert_int_equal(api_backoff_delay_ms(a, 250, 100000, 0), 0);
                assert_int_equal(api_backoff_delay_ms(a, 250, 100000, c), c);
                assert_int_equal(api_backoff_delay_ms(a, 250, 100000, c + 1), 0);
                assert_int_equal(api_backoff_delay_ms(a, 250, 100000, c / 2), c / 2);
        }
}

static void test_ceiling_doubles_with_each_attempt(void **state)
{
        (void)state;
        /* the largest delay an attempt can draw is base * 2^attempt */
        for (unsigned a = 0; a < 10; a++)
                assert_int_equal(api_backoff_delay_ms(a, 10, UINT_MAX, 10ull << a), 10u << a);
}

static void test_ceiling_stops_at_the_cap(void **state)
{
        (void)state;
        assert_int_equal(api_backoff_delay_ms(20, 500, 30000, 30000), 30000);
        assert_int_equal(api_backoff_delay_ms(20, 500, 30000, 30001), 0);
        assert_int_equal(api_backoff_delay_ms(6, 500, 30000, 30000), 30000);
        assert_int_equal(api_backoff_delay_ms(5, 500, 30000, 16000), 16000);
        assert_int_equal(api_backoff_delay_ms(5, 500, 30000, 16001), 0);
}

static void test_huge_attempts_and_bases_do_not_overflow(void **state)
{
        (void)state;
        /* UBSan watches the shifts; the results must stay within the cap */
        unsigned attempts[] = {31, 32, 33, 63, 64, 65, 1000, UINT_MAX};
        for (size_t i = 0; i < sizeof(attempts) / sizeof(attempts[0]); i++) {
                assert_true(api_backoff_delay_ms(attempts[i], UINT_MAX, 60000, UINT64_MAX) <=
                            60000);
                assert_true(api_backoff_delay_ms(attempts[i], UINT_MAX, UINT_MAX, rng()) <=
                            UINT_MAX);
        }
        assert_int_equal(api_backoff_delay_ms(UINT_MAX, UINT_MAX, UINT_MAX, UINT_MAX), UINT_MAX);
}

static void test_zero_base_or_cap_means_no_pause(void **state)
{
        (void)state;
        for (int i = 0; i < 100; i++) {
                assert_int_equal(api_backoff_delay_ms((unsigned)i, 0, 30000, rng()), 0);
                assert_int_equal(api_backoff_delay_ms((unsigned)i, 500, 0, rng()), 0);
        }
}

static void test_jitter_spreads_over_the_whole_range(void **state)
{
        (void)state;
        /* attempt 3, base 100: uniform in [0, 800]; 20000 draws fill every tenth of it */
        unsigned buckets[10] = {0};
        double sum = 0;
        const int n = 20000;
        for (int i = 0; i < n; i++) {
                unsigned d = api_backoff_delay_ms(3, 100, 10000, rng());
                sum += d;
                buckets[d >= 800 ? 9 : d / 80]++;
        }
        for (int b = 0; b < 10; b++)
                assert_in_range(buckets[b], n / 10 - n / 25, n / 10 + n / 25);
        assert_true(sum / n > 380 && sum / n < 420);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_delay_never_exceeds_the_ceiling),
                cmocka_unit_test(test_range_is_exactly_zero_to_the_ceiling),
                cmocka_unit_test(test_ceiling_doubles_with_each_attempt),
                cmocka_unit_test(test_ceiling_stops_at_the_cap),
                cmocka_unit_test(test_huge_attempts_and_bases_do_not_overflow),
                cmocka_unit_test(test_zero_base_or_cap_means_no_pause),
                cmocka_unit_test(test_jitter_spreads_over_the_whole_range),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
