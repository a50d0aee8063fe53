/* SPDX-License-Identifier: MIT */
/* Unit tests of the default output validator: Kattis semantics, edge cases, streaming. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "checker.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char msg[512];

static int memfd_with(const char *data, size_t len)
{
        int fd = memfd_create("checker-test", MFD_CLOEXEC);
        assert_true(fd >= 0);
        size_t off = 0;
        while (off < len) {
                ssize_t n = write(fd, data + off, len - off);
                assert_true(n > 0);
                off += (size_t)n;
        }
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        return fd;
}

static struct grd_checker_flags flags_of(const char *s)
{
        char buf[256], *argv[16];
        size_t argc = 0;
        snprintf(buf, sizeof(buf), "%s", s);
        for (char *save, *w = strtok_r(buf, " ", &save); w && argc < 16;
             w = strtok_r(NULL, " ", &save))
                argv[argc++] = w;
        struct grd_checker_flags f;
        char err[128];
        if (grd_checker_parse_flags((const char *const *)argv, argc, &f, err, sizeof(err)) < 0)
                fail_msg("bad flags '%s': %s", s, err);
        return f;
}

/* Compare two in-memory texts through memfds. Return: 1 accepted, 0 rejected, <0 error. */
static int check_len(const char *ans, size_t alen, const char *out, size_t olen, const char *flags)
{
        struct grd_checker_flags f = flags_of(flags);
        int a = memfd_with(ans, alen), o = memfd_with(out, olen);
        bool ok = false;
        int r = grd_check_default(a, o, &f, &ok, msg, sizeof(msg));
        close(a);
        close(o);
        if (r < 0)
                return r;
        if (ok)
                assert_string_equal(msg, "");
        else
                assert_true(msg[0] != '\0');
        return ok;
}

static int check(const char *ans, const char *out, const char *flags)
{
        return check_len(ans, strlen(ans), out, strlen(out), flags);
}

#define ACCEPT(a, o, f) assert_int_equal(check(a, o, f), 1)
#define REJECT(a, o, f) assert_int_equal(check(a, o, f), 0)

static void test_identical_output_is_accepted(void **state)
{
        (void)state;
        ACCEPT("1 2 3\nhello world\n", "1 2 3\nhello world\n", "");
        ACCEPT("1 2 3\nhello world\n", "1 2 3\nhello world\n", "space_change_sensitive");
}

static void test_trailing_whitespace_is_ignored_by_default(void **state)
{
        (void)state;
        ACCEPT("42\n", "42", "");
        ACCEPT("42", "42\n\n  \t", "");
        ACCEPT("1 2\n", "1 2   \n", "");
}

static void test_blank_lines_and_space_amount_are_ignored_by_default(void **state)
{
        (void)state;
        ACCEPT("1 2\n3 4\n", "\n\n1\t\t2\n\n\n3     4\n", "");
        ACCEPT("1 2 3 4", "1\n2\n3\n4\n", "");
}

static void test_crlf_line_ends_are_accepted_by_default(void **state)
{
        (void)state;
        ACCEPT("1\n2\n", "1\r\n2\r\n", "");
        ACCEPT("a b\r\n", "a b\n", "");
        ACCEPT("3.0\n", "3.0000001\r\n", "float_tolerance 1e-6");
}

static void test_case_is_ignored_by_default(void **state)
{
        (void)state;
        ACCEPT("Yes\n", "YES\n", "");
        ACCEPT("possible\n", "PoSsIbLe\n", "");
        REJECT("Yes\n", "No\n", "");
}

static void test_case_sensitive_rejects_other_case(void **state)
{
        (void)state;
        REJECT("Yes\n", "YES\n", "case_sensitive");
        ACCEPT("Yes\n", "Yes\n", "case_sensitive");
        ACCEPT("Yes\n", "Yes  \n\n", "case_sensitive");
}

static void test_space_change_sensitive_rejects_other_whitespace(void **state)
{
        (void)state;
        REJECT("1 2\n", "1  2\n", "space_change_sensitive");
        assert_non_null(strstr(msg, "unexpected space"));
        REJECT("1 2\n", "1\t2\n", "space_change_sensitive");
        assert_non_null(strstr(msg, "expected space, got tab"));
        REJECT("1\n2\n", "1\r\n2\r\n", "space_change_sensitive");
        REJECT("1\n", "1\n\n", "space_change_sensitive");
        REJECT("1\n", " 1\n", "space_change_sensitive");
        REJECT("1 2\n", "12\n", "space_change_sensitive");
}

static void test_space_change_sensitive_requires_the_trailing_newline(void **state)
{
        (void)state;
        REJECT("1\n", "1", "space_change_sensitive");
        assert_non_null(strstr(msg, "end of output"));
        REJECT("1", "1\n", "space_change_sensitive");
        ACCEPT("1", "1", "space_change_sensitive");
        ACCEPT("  a\t b \n\n", "  A\t b \n\n", "space_change_sensitive");
}

static void test_numbers_compare_as_strings_without_tolerance(void **state)
{
        (void)state;
        REJECT("1.0\n", "1\n", "");
        REJECT("0.5\n", ".5\n", "");
        REJECT("10\n", "1e1\n", "");
        ACCEPT("1e1\n", "1E1\n", ""); /* still case-insensitive */
}

static void test_absolute_tolerance_accepts_up_to_the_edge(void **state)
{
        (void)state;
        const char *f = "float_absolute_tolerance 0.25";
        ACCEPT("1\n", "1.25\n", f);
        ACCEPT("1\n", "0.75\n", f);
        ACCEPT("-1\n", "-1.25\n", f);
        REJECT("1\n", "1.2500001\n", f);
        assert_non_null(strstr(msg, "tolerance"));
        REJECT("1\n", "0.7499999\n", f);
        /* only absolute: a relative error of 0 would not help a large answer */
        REJECT("1000000\n", "1000001\n", f);
}

static void test_relative_tolerance_accepts_up_to_the_edge(void **state)
{
        (void)state;
        const char *f = "float_relative_tolerance 0.25";
        ACCEPT("100\n", "125\n", f);
        ACCEPT("100\n", "75\n", f);
        ACCEPT("-100\n", "-125\n", f);
        REJECT("100\n", "125.0001\n", f);
        REJECT("100\n", "74.999\n", f);
        /* relative to the answer, not to the output */
        REJECT("100\n", "80\n", "float_relative_tolerance 0.19");
        /* an answer of 0 leaves no room for relative error */
        REJECT("0\n", "1e-300\n", f);
        ACCEPT("0\n", "0.0\n", f);
}

static void test_float_tolerance_sets_both_tolerances(void **state)
{
        (void)state;
        const char *f = "float_tolerance 1e-6";
        ACCEPT("0\n", "0.0000005\n", f);    /* absolute */
        ACCEPT("1e9\n", "1000000500\n", f); /* relative */
        REJECT("1e9\n", "1000002000\n", f);
        REJECT("0\n", "0.000002\n", f);
}

static void test_later_flags_override_earlier_ones(void **state)
{
        (void)state;
        struct grd_checker_flags f =
                flags_of("float_tolerance 0.5 float_absolute_tolerance 0.1 case_sensitive");
        assert_true(f.float_abs_set && f.float_rel_set && f.case_sensitive);
        assert_true(f.float_abs_tol == 0.1 && f.float_rel_tol == 0.5);
        assert_false(f.space_change_sensitive);
}

static void test_tolerance_accepts_any_number_format(void **state)
{
        (void)state;
        const char *f = "float_tolerance 1e-9";
        ACCEPT("0.0314\n", "3.14000000e-2\n", f);
        ACCEPT("3\n", "3.000\n", f);
        ACCEPT("-0\n", "0\n", f);
        ACCEPT("5\n", "+5\n", f);
}

static void test_tolerance_rejects_output_that_is_not_a_number(void **state)
{
        (void)state;
        const char *f = "float_tolerance 1e-6";
        REJECT("3.14\n", "pi\n", f);
        assert_non_null(strstr(msg, "expected a number"));
        REJECT("3.14\n", "3.14abc\n", f);
        REJECT("1\n", "nan\n", f);
        REJECT("1\n", "inf\n", f);
        REJECT("1\n", "1e999\n", f);
}

static void test_words_still_compare_as_strings_under_tolerance(void **state)
{
        (void)state;
        const char *f = "float_tolerance 1e-6";
        ACCEPT("YES 0.5\n", "yes 0.5000001\n", f);
        REJECT("YES 0.5\n", "NO 0.5\n", f);
        REJECT("YES 0.5\n", "YES 0.6\n", f);
}

static void test_nan_and_inf_answers_compare_as_strings(void **state)
{
        (void)state;
        const char *f = "float_tolerance 1e-6";
        ACCEPT("nan\n", "NaN\n", f);
        ACCEPT("inf\n", "INF\n", f);
        REJECT("inf\n", "1e999\n", f);
        REJECT("nan\n", "0\n", f);
        REJECT("-inf\n", "-infinity\n", f);
        REJECT("NaN\n", "nan\n", "case_sensitive float_tolerance 1");
        ACCEPT("1e999\n", "1E999\n", f); /* an overflowing answer is no number either */
}

static void test_huge_integers_differ_without_tolerance(void **state)
{
        (void)state;
        REJECT("123456789012345678901234567890\n", "123456789012345678901234567891\n", "");
        ACCEPT("123456789012345678901234567890\n", "123456789012345678901234567890\n", "");
}

static void test_huge_integers_compare_as_doubles_under_tolerance(void **state)
{
        (void)state;
        /* as in the Kattis validator: both parse to the same double */
        ACCEPT("123456789012345678901234567890\n", "123456789012345678901234567891\n",
               "float_tolerance 1e-9");
        ACCEPT("18446744073709551616\n", "18446744073709551617\n", "float_absolute_tolerance 0");
}

static void test_empty_output_is_rejected(void **state)
{
        (void)state;
        REJECT("42\n", "", "");
        assert_non_null(strstr(msg, "output is empty"));
        REJECT("42\n", "\n\n", "");
        assert_non_null(strstr(msg, "ended early"));
}

static void test_empty_output_and_empty_answer_are_accepted(void **state)
{
        (void)state;
        ACCEPT("", "", "");
        ACCEPT("", "", "space_change_sensitive");
        ACCEPT("\n", "  \n\n", "");
        REJECT("", "\n", "space_change_sensitive");
}

static void test_extra_tokens_are_rejected(void **state)
{
        (void)state;
        REJECT("1 2\n", "1 2 3\n", "");
        assert_non_null(strstr(msg, "more tokens than the answer"));
        REJECT("", "x", "");
}

static void test_missing_tokens_are_rejected(void **state)
{
        (void)state;
        REJECT("1 2 3\n", "1 2\n", "");
        assert_non_null(strstr(msg, "expected \"3\" on token 3"));
}

static void test_message_names_the_token_and_the_line(void **state)
{
        (void)state;
        REJECT("1 2\n3 4\n", "1 2\n3 5\n", "");
        assert_string_equal(msg, "expected \"4\", got \"5\" on token 4 (line 2)");
}

static void test_message_escapes_and_shortens_tokens(void **state)
{
        (void)state;
        char out[200];
        memset(out, 'x', sizeof(out) - 1);
        out[sizeof(out) - 1] = '\0';
        out[0] = '"';
        out[1] = '\x01';
        REJECT("a\n", out, "");
        assert_non_null(strstr(msg, "got \"\\\"\\x01xxx"));
        assert_non_null(strstr(msg, "...\""));
        assert_true(strlen(msg) < 200);
}

static void test_nul_bytes_are_part_of_tokens(void **state)
{
        (void)state;
        assert_int_equal(check_len("a\0b\n", 4, "a\0c\n", 4, ""), 0);
        assert_int_equal(check_len("a\0b\n", 4, "a\0b\n", 4, ""), 1);
        assert_int_equal(check_len("1\0\n", 3, "1\n", 2, "float_tolerance 1"), 0);
}

static char *repeat(char ch, size_t n)
{
        char *s = malloc(n + 1);
        assert_non_null(s);
        memset(s, ch, n);
        s[n] = '\0';
        return s;
}

static void test_token_longer_than_the_cap_is_rejected(void **state)
{
        (void)state;
        size_t n = 2 * GRD_CHECKER_TOKEN_MAX;
        char *out = repeat('a', n);
        assert_int_equal(check_len("a\n", 2, out, n, ""), 0);
        assert_non_null(strstr(msg, "token too long"));
        /* after the last answer token too */
        char *out2 = repeat('b', n);
        out2[0] = 'x';
        out2[1] = ' ';
        assert_int_equal(check_len("x\n", 2, out2, n, ""), 0);
        assert_non_null(strstr(msg, "more tokens"));
        free(out);
        free(out2);
}

static void test_answer_token_longer_than_the_cap_is_an_error(void **state)
{
        (void)state;
        size_t n = GRD_CHECKER_TOKEN_MAX + 10;
        char *ans = repeat('a', n);
        assert_int_equal(check_len(ans, n, "a", 1, ""), -E2BIG);
        assert_non_null(strstr(msg, "answer file"));
        free(ans);
}

static void test_long_equal_tokens_across_buffers_are_accepted(void **state)
{
        (void)state;
        size_t n = 700 * 1024;
        char *a = repeat('q', n), *o = repeat('Q', n);
        a[n / 2] = ' ';
        o[n / 2] = '\n';
        assert_int_equal(check_len(a, n, o, n, ""), 1);
        o[n - 1] = 'z';
        assert_int_equal(check_len(a, n, o, n, ""), 0);
        assert_non_null(strstr(msg, "on token 2 (line 2)"));
        free(a);
        free(o);
}

static void test_parse_flags_refuses_bad_arguments(void **state)
{
        (void)state;
        struct grd_checker_flags f;
        char err[128];
        const char *unknown[] = {"case_insensitive"};
        assert_int_equal(grd_checker_parse_flags(unknown, 1, &f, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "case_insensitive"));
        const char *missing[] = {"float_tolerance"};
        assert_int_equal(grd_checker_parse_flags(missing, 1, &f, err, sizeof(err)), -EINVAL);
        const char *negative[] = {"float_tolerance", "-1"};
        assert_int_equal(grd_checker_parse_flags(negative, 2, &f, err, sizeof(err)), -EINVAL);
        const char *nan[] = {"float_absolute_tolerance", "nan"};
        assert_int_equal(grd_checker_parse_flags(nan, 2, &f, err, sizeof(err)), -EINVAL);
        const char *junk[] = {"float_relative_tolerance", "1e-6x"};
        assert_int_equal(grd_checker_parse_flags(junk, 2, &f, err, sizeof(err)), -EINVAL);
        assert_int_equal(grd_checker_parse_flags(NULL, 0, &f, err, sizeof(err)), 0);
        assert_false(f.case_sensitive || f.float_abs_set || f.float_rel_set);
}

static void test_read_error_is_reported(void **state)
{
        (void)state;
        int fds[2];
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        close(fds[1]);
        bool ok = true;
        assert_int_equal(grd_check_default(fds[0], -1, NULL, &ok, msg, sizeof(msg)), -EBADF);
        assert_true(ok); /* untouched on failure */
        close(fds[0]);
}

/* Streaming through pipes: writer threads feed each side in uneven chunks. */
struct feeder {
        int fd;
        const char *data;
        size_t len;
        unsigned seed;
};

static void *feed(void *arg)
{
        struct feeder *f = arg;
        size_t off = 0;
        while (off < f->len) {
                size_t chunk = 1 + (size_t)rand_r(&f->seed) % 70000;
                if (chunk > f->len - off)
                        chunk = f->len - off;
                ssize_t n = write(f->fd, f->data + off, chunk);
                if (n <= 0)
                        break; /* the checker stopped reading: it decided */
                off += (size_t)n;
        }
        close(f->fd);
        return NULL;
}

static int check_pipes(const char *ans, size_t alen, const char *out, size_t olen,
                       const struct grd_checker_flags *f, unsigned seed)
{
        int pa[2], po[2];
        assert_int_equal(pipe2(pa, O_CLOEXEC), 0);
        assert_int_equal(pipe2(po, O_CLOEXEC), 0);
        struct feeder fa = {pa[1], ans, alen, seed}, fo = {po[1], out, olen, seed * 7 + 1};
        pthread_t ta, to;
        assert_int_equal(pthread_create(&ta, NULL, feed, &fa), 0);
        assert_int_equal(pthread_create(&to, NULL, feed, &fo), 0);
        bool ok = false;
        int r = grd_check_default(pa[0], po[0], f, &ok, msg, sizeof(msg));
        /* closing the read ends makes a still-blocked writer fail with EPIPE */
        close(pa[0]);
        close(po[0]);
        pthread_join(ta, NULL);
        pthread_join(to, NULL);
        return r < 0 ? r : ok;
}

static char *numbers_text(size_t lines, size_t *ret_len)
{
        size_t cap = lines * 32 + 1, len = 0;
        char *s = malloc(cap);
        assert_non_null(s);
        for (size_t i = 1; i <= lines; i++)
                len += (size_t)snprintf(s + len, cap - len, "%zu %zu.5 Word%zu\n", i, i * 3, i);
        *ret_len = len;
        return s;
}

static void test_multi_megabyte_output_streams_through_pipes(void **state)
{
        (void)state;
        size_t len;
        char *a = numbers_text(400000, &len); /* about 10 MB */
        assert_true(len > 8u << 20);
        char *o = malloc(len + 1);
        assert_non_null(o);
        memcpy(o, a, len + 1);
        struct grd_checker_flags none = {0};
        assert_int_equal(check_pipes(a, len, o, len, &none, 1), 1);
        /* one wrong token near the end, found with the right line and token number */
        char *at = strstr(o + len - 200, "Word399998");
        assert_non_null(at);
        at[0] = 'V';
        assert_int_equal(check_pipes(a, len, o, len, &none, 2), 0);
        assert_string_equal(msg, "expected \"Word399998\", got \"Vord399998\" on token 1199994 "
                                 "(line 399998)");
        free(a);
        free(o);
}

static void test_crlf_output_of_megabytes_is_accepted(void **state)
{
        (void)state;
        size_t len;
        char *a = numbers_text(200000, &len);
        char *o = malloc(len * 2);
        assert_non_null(o);
        size_t olen = 0;
        for (size_t i = 0; i < len; i++) {
                if (a[i] == '\n')
                        o[olen++] = '\r';
                o[olen++] = a[i];
        }
        struct grd_checker_flags none = {0};
        assert_int_equal(check_pipes(a, len, o, olen, &none, 3), 1);
        struct grd_checker_flags space = {.space_change_sensitive = true};
        assert_int_equal(check_pipes(a, len, o, olen, &space, 4), 0);
        assert_non_null(strstr(msg, "line 1:"));
        free(a);
        free(o);
}

/* A plain in-memory implementation of the same rules, to compare the streaming one against. */
static bool ref_space(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static bool ref_number(const char *p, size_t n, double *v)
{
        char buf[128];
        if (n == 0 || n >= sizeof(buf))
                return false;
        if (!strchr("0123456789+-.", p[0]))
                return false;
        memcpy(buf, p, n);
        buf[n] = '\0';
        char *end;
        *v = strtod(buf, &end);
        return end == buf + n && isfinite(*v);
}

static bool ref_check(const char *a, size_t an, const char *o, size_t on,
                      const struct grd_checker_flags *f)
{
        size_t i = 0, j = 0;
        for (;;) {
                if (f->space_change_sensitive) {
                        while (i < an && ref_space(a[i])) {
                                if (j >= on || o[j] != a[i])
                                        return false;
                                i++;
                                j++;
                        }
                        if (j < on && ref_space(o[j]))
                                return false;
                } else {
                        while (i < an && ref_space(a[i]))
                                i++;
                        while (j < on && ref_space(o[j]))
                                j++;
                }
                size_t ti = i, tj = j;
                while (i < an && !ref_space(a[i]))
                        i++;
                while (j < on && !ref_space(o[j]))
                        j++;
                size_t la = i - ti, lo = j - tj;
                if (la == 0)
                        return lo == 0;
                if (lo == 0)
                        return false;
                double va, vo;
                if ((f->float_abs_set || f->float_rel_set) && ref_number(a + ti, la, &va)) {
                        if (!ref_number(o + tj, lo, &vo))
                                return false;
                        double d = fabs(va - vo);
                        if (!((f->float_abs_set && d <= f->float_abs_tol) ||
                              (f->float_rel_set && d <= f->float_rel_tol * fabs(va))))
                                return false;
                        continue;
                }
                if (la != lo)
                        return false;
                for (size_t k = 0; k < la; k++) {
                        char x = a[ti + k], y = o[tj + k];
                        if (!f->case_sensitive && x >= 'A' && x <= 'Z')
                                x = (char)(x + 32);
                        if (!f->case_sensitive && y >= 'A' && y <= 'Z')
                                y = (char)(y + 32);
                        if (x != y)
                                return false;
                }
        }
}

static void append(char **s, size_t *len, size_t *cap, const char *p, size_t n)
{
        if (*len + n + 1 > *cap) {
                *cap = (*len + n + 1) * 2;
                *s = realloc(*s, *cap);
                assert_non_null(*s);
        }
        memcpy(*s + *len, p, n);
        *len += n;
}

static void test_streaming_agrees_with_a_plain_reference(void **state)
{
        (void)state;
        unsigned seed = 12345;
        static const char *const seps[] = {" ", "\n", "\t", "  ", "\r\n", "\n\n", " \n"};
        static const char *const words[] = {"yes",     "NO",  "Maybe", "0.5", "1e-3",  "-7", "42",
                                            "3.14159", "nan", "inf",   "x",   "1e999", "+2"};
        static const char *const flagsets[] = {"",
                                               "case_sensitive",
                                               "space_change_sensitive",
                                               "float_tolerance 1e-6",
                                               "float_absolute_tolerance 0.01 case_sensitive",
                                               "float_relative_tolerance 0.001 "
                                               "space_change_sensitive"};
        for (int iter = 0; iter < 120; iter++) {
                /* a few big ones cross buffer boundaries, the rest are small */
                size_t tokens = iter % 10 == 0 ? 120000 : 1 + (size_t)rand_r(&seed) % 60;
                char *a = NULL, *o = NULL;
                size_t al = 0, ac = 0, ol = 0, oc = 0;
                for (size_t t = 0; t < tokens; t++) {
                        const char *w = words[rand_r(&seed) % 13];
                        const char *s = seps[rand_r(&seed) % 7];
                        append(&a, &al, &ac, w, strlen(w));
                        append(&a, &al, &ac, s, strlen(s));
                        /* big texts get few mutations, so that the decision falls deep inside them
                         */
                        int m = rand_r(&seed) % (tokens > 1000 ? 1000000 : 1000);
                        char buf[32];
                        if (m < 2 && tokens < 1000) {
                                continue; /* drop the token */
                        } else if (m < 8) {
                                snprintf(buf, sizeof(buf), "%s", w);
                                buf[0] = (char)(buf[0] ^ 0x20); /* case flip or a changed byte */
                                append(&o, &ol, &oc, buf, strlen(buf));
                        } else if (m < 14 && strchr("0123456789+-.", w[0])) {
                                double v = strtod(w, NULL) * (1 + 1e-7 * (rand_r(&seed) % 3));
                                snprintf(buf, sizeof(buf), "%.12g", v);
                                append(&o, &ol, &oc, buf, strlen(buf));
                        } else {
                                append(&o, &ol, &oc, w, strlen(w));
                        }
                        if (m % 97 == 0)
                                s = seps[rand_r(&seed) % 7];
                        append(&o, &ol, &oc, s, strlen(s));
                }
                if (rand_r(&seed) % 5 == 0)
                        append(&o, &ol, &oc, "extra\n", 6);
                for (size_t k = 0; k < 6; k++) {
                        struct grd_checker_flags f = flags_of(flagsets[k]);
                        bool want = ref_check(a, al, o ? o : "", ol, &f);
                        int got = check_pipes(a, al, o ? o : "", ol, &f, seed + (unsigned)k);
                        if (got != (int)want)
                                fail_msg("iteration %d flags '%s': reference %d, streaming %d (%s)",
                                         iter, flagsets[k], want, got, msg);
                        /* identical bytes are always accepted */
                        assert_int_equal(check_pipes(a, al, a, al, &f, seed), 1);
                }
                free(a);
                free(o);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_identical_output_is_accepted),
                cmocka_unit_test(test_trailing_whitespace_is_ignored_by_default),
                cmocka_unit_test(test_blank_lines_and_space_amount_are_ignored_by_default),
                cmocka_unit_test(test_crlf_line_ends_are_accepted_by_default),
                cmocka_unit_test(test_case_is_ignored_by_default),
                cmocka_unit_test(test_case_sensitive_rejects_other_case),
                cmocka_unit_test(test_space_change_sensitive_rejects_other_whitespace),
                cmocka_unit_test(test_space_change_sensitive_requires_the_trailing_newline),
                cmocka_unit_test(test_numbers_compare_as_strings_without_tolerance),
                cmocka_unit_test(test_absolute_tolerance_accepts_up_to_the_edge),
                cmocka_unit_test(test_relative_tolerance_accepts_up_to_the_edge),
                cmocka_unit_test(test_float_tolerance_sets_both_tolerances),
                cmocka_unit_test(test_later_flags_override_earlier_ones),
                cmocka_unit_test(test_tolerance_accepts_any_number_format),
                cmocka_unit_test(test_tolerance_rejects_output_that_is_not_a_number),
                cmocka_unit_test(test_words_still_compare_as_strings_under_tolerance),
                cmocka_unit_test(test_nan_and_inf_answers_compare_as_strings),
                cmocka_unit_test(test_huge_integers_differ_without_tolerance),
                cmocka_unit_test(test_huge_integers_compare_as_doubles_under_tolerance),
                cmocka_unit_test(test_empty_output_is_rejected),
                cmocka_unit_test(test_empty_output_and_empty_answer_are_accepted),
                cmocka_unit_test(test_extra_tokens_are_rejected),
                cmocka_unit_test(test_missing_tokens_are_rejected),
                cmocka_unit_test(test_message_names_the_token_and_the_line),
                cmocka_unit_test(test_message_escapes_and_shortens_tokens),
                cmocka_unit_test(test_nul_bytes_are_part_of_tokens),
                cmocka_unit_test(test_token_longer_than_the_cap_is_rejected),
                cmocka_unit_test(test_answer_token_longer_than_the_cap_is_an_error),
                cmocka_unit_test(test_long_equal_tokens_across_buffers_are_accepted),
                cmocka_unit_test(test_parse_flags_refuses_bad_arguments),
                cmocka_unit_test(test_read_error_is_reported),
                cmocka_unit_test(test_multi_megabyte_output_streams_through_pipes),
                cmocka_unit_test(test_crlf_output_of_megabytes_is_accepted),
                cmocka_unit_test(test_streaming_agrees_with_a_plain_reference),
        };
        /* a writer thread may outlive the checker's decision: let it see EPIPE, not die */
        signal(SIGPIPE, SIG_IGN);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
