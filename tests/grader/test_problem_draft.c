/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of what the loader learned for real packages: the 2023-07 draft (picked by
 * problem_format_version), unknown keys as warnings, the package's programs (output and input
 * validators, include/) and run-only tests per test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "problem.h"
#include "pkgutil.h"

#include <errno.h>
#include <string.h>

#define DRAFT "problem_format_version: 2023-07-draft\nname: D\n"
/* One secret test with its answer, the data most packages here need. */
#define ONE_TEST "data/secret/1.in", "1\n", "data/secret/1.ans", "1\n"

static struct grd_problem *make_ok(const char *const *files, char **root)
{
        *root = pkg_make(files);
        assert_non_null(*root);
        return load_ok(*root);
}

static int make_fail(const char *const *files)
{
        char *root = pkg_make(files);
        assert_non_null(root);
        int r = load_fail(root);
        pkg_remove(root);
        return r;
}

static bool warned(const struct grd_problem *p, const char *what)
{
        for (size_t i = 0; i < p->n_warnings; i++)
                if (strstr(p->warnings[i], what))
                        return true;
        return false;
}

static const struct grd_group *group(const struct grd_problem *p, const char *name)
{
        for (size_t i = 0; i < p->n_groups; i++)
                if (!strcmp(p->groups[i]->name, name))
                        return p->groups[i];
        fail_msg("no group %s", name);
        return NULL;
}

static void test_format_version_picks_the_spec(void **state)
{
        (void)state;
        char *root;
        const char *legacy[] = {"problem.yaml", "name: L\n", "data/secret/1.in", "1\n", NULL};
        struct grd_problem *p = make_ok(legacy, &root);
        assert_int_equal(p->format, GRD_FORMAT_LEGACY);
        assert_true(p->allow_file_writing);
        assert_true(p->time_multiplier == 5 && p->time_ac_margin == 2 && p->time_tle_margin == 2);
        grd_problem_free(p);
        pkg_remove(root);
        const char *draft[] = {"problem.yaml", DRAFT, "data/secret/1.in", "1\n", NULL};
        p = make_ok(draft, &root);
        assert_int_equal(p->format, GRD_FORMAT_2023_07);
        assert_false(p->allow_file_writing);
        assert_true(p->time_multiplier == 2 && p->time_ac_margin == 2 && p->time_tle_margin == 1.5);
        grd_problem_free(p);
        pkg_remove(root);
        const char *future[] = {"problem.yaml", "problem_format_version: 2031-01\n",
                                "data/secret/1.in", "1\n", NULL};
        assert_int_equal(make_fail(future), -ENOTSUP);
        assert_non_null(strstr(pkg_err, "2031-01"));
}

static void test_unknown_keys_are_warnings_naming_file_and_key(void **state)
{
        (void)state;
        char *root;
        const char *files[] = {"problem.yaml",
                               "name: T\ntme_limit: 2\nlimits:\n  memry: 5\n",
                               "data/secret/testdata.yaml",
                               "on_rejct: break\n",
                               ONE_TEST,
                               NULL};
        struct grd_problem *p = make_ok(files, &root);
        assert_int_equal(p->n_warnings, 3);
        assert_true(warned(p, "problem.yaml:2:1: unknown key 'tme_limit'"));
        assert_true(warned(p, "problem.yaml:4:3: unknown key 'limits.memry'"));
        assert_true(warned(p, "data/secret/testdata.yaml:1:1: unknown key 'on_rejct'"));
        assert_true(p->time_limit == 1); /* the default: the typo set nothing */
        grd_problem_free(p);
        pkg_remove(root);
}

static void test_draft_keys_of_the_other_spec_are_unknown(void **state)
{
        (void)state;
        char *root;
        const char *files[] = {"problem.yaml", DRAFT "validator_flags: case_sensitive\n",
                               "data/secret/1.in", "1\n", NULL};
        struct grd_problem *p = make_ok(files, &root);
        assert_true(warned(p, "unknown key 'validator_flags'"));
        grd_problem_free(p);
        pkg_remove(root);
}

static void test_draft_output_validator_folder_makes_validation_custom(void **state)
{
        (void)state;
        char *root;
        /* the folder is the program (DOMjudge), or holds one directory (problemtools) */
        const char *direct[] = {"problem.yaml",
                                DRAFT,
                                "output_validator/validate.cc",
                                "x",
                                "output_validator/validate.h",
                                "x",
                                ONE_TEST,
                                NULL};
        struct grd_problem *p = make_ok(direct, &root);
        assert_true(p->custom_validation);
        assert_string_equal(p->validator->rel, "output_validator");
        assert_int_equal(p->validator->n_files, 2);
        grd_problem_free(p);
        pkg_remove(root);
        const char *nested[] = {"problem.yaml", DRAFT, "output_validator/v/validate.py", "x",
                                ONE_TEST,       NULL};
        p = make_ok(nested, &root);
        assert_string_equal(p->validator->rel, "output_validator/v");
        grd_problem_free(p);
        pkg_remove(root);
        const char *plural[] = {"problem.yaml", DRAFT, "output_validators/v/v.py", "x",
                                ONE_TEST,       NULL};
        assert_int_equal(make_fail(plural), -EINVAL);
        assert_non_null(strstr(pkg_err, "output_validator/"));
}

static void test_validator_programs_know_their_build_and_run_scripts(void **state)
{
        (void)state;
        char *root;
        const char *files[] = {"problem.yaml",
                               "validation: custom\n",
                               "output_validators/c/build",
                               "cc -o c c.c\n",
                               "output_validators/c/run",
                               "./c \"$@\"\n",
                               "output_validators/c/c.c",
                               "int main(void){return 42;}\n",
                               "input_validators/check.ctd",
                               "INT(1,9)\n",
                               "input_validators/range.py",
                               "exit(42)\n",
                               ONE_TEST,
                               NULL};
        struct grd_problem *p = make_ok(files, &root);
        assert_true(p->validator->has_build && p->validator->has_run);
        assert_int_equal(p->n_input_validators, 2);
        assert_int_equal(p->input_validators[0].kind, GRD_PROGRAM_CHECKTESTDATA);
        assert_int_equal(p->input_validators[1].kind, GRD_PROGRAM_PROGRAM);
        grd_problem_free(p);
        pkg_remove(root);
        const char *deep[] = {"problem.yaml",
                              "validation: custom\n",
                              "output_validators/c/lib/x.h",
                              "x",
                              ONE_TEST,
                              NULL};
        assert_int_equal(make_fail(deep), -ENOTSUP);
        assert_non_null(strstr(pkg_err, "output_validators/c/lib"));
}

static void test_include_directories_by_language_then_default(void **state)
{
        (void)state;
        char *root;
        const char *files[] = {"problem.yaml",
                               "name: I\n",
                               "include/c/driver.c",
                               "x",
                               "include/default/driver.cpp",
                               "x",
                               "include/stray.txt",
                               "x",
                               ONE_TEST,
                               NULL};
        struct grd_problem *p = make_ok(files, &root);
        assert_string_equal(grd_problem_include(p, "c")->files[0].name, "driver.c");
        assert_string_equal(grd_problem_include(p, "java")->files[0].name, "driver.cpp");
        assert_true(warned(p, "include/stray.txt"));
        grd_problem_free(p);
        pkg_remove(root);
}

static void test_draft_scoring_maps_test_groups(void **state)
{
        (void)state;
        char *root;
        const char *files[] = {"problem.yaml",
                               DRAFT "type: scoring\n",
                               "data/sample/1.in",
                               "1\n",
                               "data/sample/1.ans",
                               "1\n",
                               "data/secret/g1/test_group.yaml",
                               "max_score: 40\n",
                               "data/secret/g1/1.in",
                               "1\n",
                               "data/secret/g1/1.ans",
                               "1\n",
                               "data/secret/g2/test_group.yaml",
                               "max_score: 60\nscore_aggregation: sum\n",
                               "data/secret/g2/1.in",
                               "1\n",
                               "data/secret/g2/1.ans",
                               "1\n",
                               "data/secret/g2/deeper/2.in",
                               "2\n",
                               "data/secret/g2/deeper/2.ans",
                               "2\n",
                               "data/secret/g2/deeper/3.in",
                               "3\n",
                               "data/secret/g2/deeper/3.ans",
                               "3\n",
                               NULL};
        struct grd_problem *p = make_ok(files, &root);
        assert_true(p->root->ignore_sample);
        const struct grd_group *secret = group(p, "data/secret"), *g1 = group(p, "data/secret/g1");
        const struct grd_group *g2 = group(p, "data/secret/g2");
        assert_true(secret->range_declared && secret->range_max == 100);
        assert_int_equal(g1->aggregate, GRD_AGG_PASS_FAIL);
        assert_true(g1->range_max == 40);
        assert_int_equal(g2->aggregate, GRD_AGG_SUM);
        assert_int_equal(g2->n_items, 3); /* deeper/ is not a group: its tests are g2's */
        assert_true(g2->accept_score == 20);
        assert_int_equal(g2->on_reject, GRD_ON_REJECT_CONTINUE);
        assert_int_equal(p->n_groups, 5);
        grd_problem_free(p);
        pkg_remove(root);
}

static void test_draft_refuses_what_it_cannot_do_by_name(void **state)
{
        (void)state;
        static const char *const cases[][2] = {
                {"max_score: 10\nrequire_pass: [sample]\n", "require_pass"},
                {"max_score: unbounded\n", "unbounded"},
                {"max_score: 10\nstatic_validation_score: 5\n", "static validation"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const char *files[] = {"problem.yaml",
                                       DRAFT "type: scoring\n",
                                       "data/secret/g/test_group.yaml",
                                       cases[i][0],
                                       "data/secret/g/1.in",
                                       "1\n",
                                       "data/secret/g/1.ans",
                                       "1\n",
                                       NULL};
                assert_int_equal(make_fail(files), -ENOTSUP);
                assert_non_null(strstr(pkg_err, "data/secret/g/test_group.yaml"));
                assert_non_null(strstr(pkg_err, cases[i][1]));
        }
        const char *constants[] = {"problem.yaml", DRAFT "constants: {n: 5}\n", "data/secret/1.in",
                                   "1\n", NULL};
        assert_int_equal(make_fail(constants), -ENOTSUP);
        assert_non_null(strstr(pkg_err, "constants"));
        const char *no_max[] = {"problem.yaml",
                                DRAFT "type: scoring\n",
                                "data/secret/g/1.in",
                                "1\n",
                                "data/secret/g/1.ans",
                                "1\n",
                                NULL};
        assert_int_equal(make_fail(no_max), -EINVAL);
        assert_non_null(strstr(pkg_err, "max_score"));
        const char *both[] = {"problem.yaml",
                              DRAFT,
                              "data/testdata.yaml",
                              "on_reject: break\n",
                              "data/secret/test_group.yaml",
                              "args: []\n",
                              "data/secret/1.in",
                              "1\n",
                              NULL};
        assert_int_equal(make_fail(both), -EINVAL);
        assert_non_null(strstr(pkg_err, "both testdata.yaml and test_group.yaml"));
}

static void test_draft_test_files_give_arguments_and_files(void **state)
{
        (void)state;
        char *root;
        const char *files[] = {"problem.yaml",
                               DRAFT,
                               "data/secret/test_group.yaml",
                               "args: [--group]\noutput_validator_args: [case_sensitive]\n"
                               "input_validator_args: {range: [--max, '9']}\n",
                               ONE_TEST,
                               "data/secret/2.in",
                               "2\n",
                               "data/secret/2.ans",
                               "2\n",
                               "data/secret/2.yaml",
                               "args: [--own, two words]\noutput_validator_args: []\n"
                               "hint: try harder\nfull_feedbak: true\n",
                               "data/secret/2.files/extra.txt",
                               "x\n",
                               NULL};
        struct grd_problem *p = make_ok(files, &root);
        const struct grd_test *t1 = &p->tests[0], *t2 = &p->tests[1];
        const struct grd_checker_flags *f;
        assert_string_equal(grd_test_args(t1)[0], "--group");
        assert_string_equal(grd_test_args(t2)[1], "two words");
        assert_string_equal(grd_test_validator_args(p, t1, &f)[0], "case_sensitive");
        assert_true(f->case_sensitive);
        assert_null(grd_test_validator_args(p, t2, &f)[0]);
        assert_false(f->case_sensitive);
        assert_string_equal(grd_test_input_args(t1, "range")[1], "9");
        assert_null(grd_test_input_args(t1, "other"));
        assert_null(t1->files_dir);
        assert_non_null(strstr(t2->files_dir, "/data/secret/2.files"));
        assert_true(warned(p, "data/secret/2.yaml:4:1: unknown key 'full_feedbak'"));
        grd_problem_free(p);
        pkg_remove(root);
}

static void test_legacy_input_validator_flags_name_their_validator(void **state)
{
        (void)state;
        char *root;
        const char *files[] = {"problem.yaml",
                               "name: F\n",
                               "data/secret/testdata.yaml",
                               "input_validator_flags: {name: range, flags: --max 9}\n",
                               ONE_TEST,
                               NULL};
        struct grd_problem *p = make_ok(files, &root);
        assert_string_equal(grd_test_input_args(&p->tests[0], "range")[0], "--max");
        assert_null(grd_test_input_args(&p->tests[0], "other"));
        grd_problem_free(p);
        pkg_remove(root);
}

static void test_draft_languages_and_file_writing(void **state)
{
        (void)state;
        char *root;
        const char *files[] = {"problem.yaml",
                               DRAFT "languages: [c, python3]\nallow_file_writing: true\n"
                                     "limits:\n  code: 2\n",
                               "data/secret/1.in", "1\n", NULL};
        struct grd_problem *p = make_ok(files, &root);
        assert_true(grd_problem_language_allowed(p, "python3"));
        assert_false(grd_problem_language_allowed(p, "java"));
        assert_true(p->allow_file_writing);
        assert_int_equal(p->code_limit, 2048);
        grd_problem_free(p);
        pkg_remove(root);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_format_version_picks_the_spec),
                cmocka_unit_test(test_unknown_keys_are_warnings_naming_file_and_key),
                cmocka_unit_test(test_draft_keys_of_the_other_spec_are_unknown),
                cmocka_unit_test(test_draft_output_validator_folder_makes_validation_custom),
                cmocka_unit_test(test_validator_programs_know_their_build_and_run_scripts),
                cmocka_unit_test(test_include_directories_by_language_then_default),
                cmocka_unit_test(test_draft_scoring_maps_test_groups),
                cmocka_unit_test(test_draft_refuses_what_it_cannot_do_by_name),
                cmocka_unit_test(test_draft_test_files_give_arguments_and_files),
                cmocka_unit_test(test_legacy_input_validator_flags_name_their_validator),
                cmocka_unit_test(test_draft_languages_and_file_writing),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
