/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of what grader verify checks without running anything (expected verdicts from
 * folders and DOMjudge tags, a derived time limit) and of the language table's choices about
 * a submission's files (sources, Python 2, the main file, long commands).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "language.h"
#include "problem.h"
#include "verify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char err[512];

#define SRC(n, t)                                                                                  \
        {                                                                                          \
                n, (const unsigned char *)(t), sizeof(t) - 1                                       \
        }

static void test_folders_name_their_verdicts(void **state)
{
        (void)state;
        struct grd_expectation e;
        char d[64];
        assert_int_equal(grd_expect_folder("run_time_error", &e), 0);
        grd_expect_describe(&e, d, sizeof(d));
        assert_string_equal(d, "MLE/RE/SV");
        assert_int_equal(grd_expect_folder("compiler_error", &e), 0); /* DOMjudge's name */
        assert_true(e.verdicts == GRD_EXPECT(GRD_VERDICT_CE));
        assert_int_equal(grd_expect_folder("partially_accepted", &e), 0);
        grd_expect_describe(&e, d, sizeof(d));
        assert_string_equal(d, "AC<max");
        assert_int_equal(grd_expect_folder("rejected", &e), 0);
        grd_expect_describe(&e, d, sizeof(d));
        assert_string_equal(d, "not AC");
        assert_int_equal(grd_expect_folder("check_manually", &e), 0);
        assert_true(e.skip);
        assert_int_equal(grd_expect_folder("slow_accepted", &e), -ENOENT);
}

static void test_partially_accepted_is_ac_below_the_full_score(void **state)
{
        (void)state;
        struct grd_expectation e;
        assert_int_equal(grd_expect_folder("partially_accepted", &e), 0);
        struct grd_result r = {.verdict = GRD_VERDICT_AC, .score = 50, .max_score = 100};
        assert_true(grd_expect_match(&e, &r));
        r.score = 100;
        assert_false(grd_expect_match(&e, &r));
        r = (struct grd_result){.verdict = GRD_VERDICT_WA, .score = 50, .max_score = 100};
        assert_false(grd_expect_match(&e, &r));
}

static void test_domjudge_tags_override_and_must_agree(void **state)
{
        (void)state;
        struct grd_expectation e;
        struct grd_source one[] = {
                SRC("a.c", "/*\n * @EXPECTED_RESULTS@: RUN_TIME_ERROR , wrong-answer  \n */\n")};
        assert_int_equal(grd_expect_tags(one, 1, &e, err, sizeof(err)), 1);
        assert_true(e.verdicts == (GRD_EXPECT(GRD_VERDICT_RE) | GRD_EXPECT(GRD_VERDICT_MLE) |
                                   GRD_EXPECT(GRD_VERDICT_SV) | GRD_EXPECT(GRD_VERDICT_WA)));
        assert_non_null(strstr(e.source, "a.c"));
        struct grd_source none[] = {SRC("b.py", "print(1)\n")};
        assert_int_equal(grd_expect_tags(none, 1, &e, err, sizeof(err)), 0);
        struct grd_source bad[] = {SRC("c.py", "# @EXPECTED_RESULTS@: MAYBE\n")};
        assert_int_equal(grd_expect_tags(bad, 1, &e, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "c.py"));
        assert_non_null(strstr(err, "MAYBE"));
        struct grd_source two[] = {SRC("x.c", "// @EXPECTED_RESULTS@: CORRECT\n"),
                                   SRC("y.c", "// @EXPECTED_RESULTS@: TIMELIMIT\n")};
        assert_int_equal(grd_expect_tags(two, 2, &e, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "disagree"));
}

static void test_a_derived_time_limit_rounds_up_to_the_resolution(void **state)
{
        (void)state;
        struct grd_problem p = {.time_multiplier = 5, .time_resolution = 1};
        assert_true(grd_time_limit_derive(&p, 0.05) == 1);
        assert_true(grd_time_limit_derive(&p, 0.41) == 3);
        p = (struct grd_problem){.time_multiplier = 2, .time_resolution = 0.5};
        assert_true(grd_time_limit_derive(&p, 0.3) == 1);
        assert_true(grd_time_limit_derive(&p, 0.01) == 0.5);
}

static void test_the_language_table_tells_sources_from_other_files(void **state)
{
        (void)state;
        struct grd_languages *t;
        assert_int_equal(grd_languages_load(NULL, &t, err, sizeof(err)), 0);
        const struct grd_language *cpp = grd_language_find(t, "cpp");
        assert_ptr_equal(grd_language_guess(t, "x.c++"), cpp);
        assert_ptr_equal(grd_language_guess(t, "x.C"), cpp);
        assert_true(grd_language_is_source(cpp, "a.cc"));
        assert_false(grd_language_is_source(cpp, "a.hpp"));
        assert_false(grd_language_is_source(grd_language_find(t, "c"), "util.h"));
        const unsigned char py2[] = "#!/usr/bin/env python2\nprint 1\n";
        const unsigned char py3[] = "#!/usr/bin/python3\nprint(1)\n";
        assert_null(grd_language_guess_source(t, "a.py", py2, sizeof(py2) - 1));
        assert_ptr_equal(grd_language_guess_source(t, "a.py", py3, sizeof(py3) - 1),
                         grd_language_find(t, "python3"));
        const char *pkg[] = {"helper.py", "__main__.py", "__init__.py", NULL};
        assert_string_equal(grd_language_main_file(pkg), "__main__.py");
        /* {files} past sbx_run's argv cap: a refusal, not a truncated command */
        static char names[GRD_LANG_MAX_ARGV + 1][16];
        const char *files[GRD_LANG_MAX_ARGV + 2];
        for (size_t i = 0; i <= GRD_LANG_MAX_ARGV; i++) {
                snprintf(names[i], sizeof(names[i]), "f%zu.cpp", i);
                files[i] = names[i];
        }
        files[GRD_LANG_MAX_ARGV + 1] = NULL;
        struct grd_argv *a = malloc(sizeof(*a));
        struct grd_lang_vars v = {.files = files, .main = files[0]};
        assert_int_equal(grd_language_expand(cpp, cpp->compile, &v, a), -E2BIG);
        files[10] = NULL;
        assert_int_equal(grd_language_expand(cpp, cpp->compile, &v, a), 0);
        assert_string_equal(a->argv[a->argc - 1], "f9.cpp");
        free(a);
        grd_languages_free(t);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_folders_name_their_verdicts),
                cmocka_unit_test(test_partially_accepted_is_ac_below_the_full_score),
                cmocka_unit_test(test_domjudge_tags_override_and_must_agree),
                cmocka_unit_test(test_a_derived_time_limit_rounds_up_to_the_resolution),
                cmocka_unit_test(test_the_language_table_tells_sources_from_other_files),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
