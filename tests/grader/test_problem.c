/* SPDX-License-Identifier: MIT */
/* Unit tests of problem package loading: good and broken packages, limits, groups, path safety. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "problem.h"
#include "pkgutil.h"

#include <errno.h>
#include <math.h>
#include <sys/stat.h>

#define PKG(name) GRADER_TEST_PACKAGES "/" name

/* pkg_make, failing the test when the package cannot be written */
static char *must_make(const char *const *files)
{
        char *root = pkg_make(files);
        if (!root) {
                fail_msg("cannot write a test package");
                abort();
        }
        return root;
}

static int parse_fail(const char *yaml)
{
        struct grd_problem *p = NULL;
        int r = grd_problem_parse_yaml(yaml, strlen(yaml), NULL, &p, pkg_err, sizeof(pkg_err));
        assert_true(r < 0);
        assert_null(p);
        assert_non_null(strstr(pkg_err, "problem.yaml"));
        return r;
}

static struct grd_problem *parse_ok(const char *yaml)
{
        struct grd_problem *p = NULL;
        int r = grd_problem_parse_yaml(yaml, strlen(yaml), NULL, &p, pkg_err, sizeof(pkg_err));
        if (r < 0)
                fail_msg("parse failed: %d %s", r, pkg_err);
        return p;
}

static void test_basic_package_loads_with_samples_first(void **state)
{
        (void)state;
        struct grd_problem *p = load_ok(PKG("basic"));
        assert_string_equal(p->name, "Hello World");
        assert_string_equal(p->short_name, "basic");
        assert_false(p->scoring);
        assert_false(p->custom_validation);
        assert_false(p->run_only);
        assert_int_equal(p->n_tests, 5);
        const char *names[] = {"sample/1", "sample/2", "secret/01", "secret/02", "secret/10"};
        for (size_t i = 0; i < 5; i++) {
                assert_string_equal(p->tests[i].name, names[i]);
                assert_int_equal(p->tests[i].index, i);
                assert_int_equal(p->tests[i].sample, i < 2);
                assert_non_null(p->tests[i].ans_path);
                assert_non_null(strstr(p->tests[i].in_path, names[i]));
                assert_true(p->tests[i].in_path[0] == '/');
        }
        assert_int_equal(p->memory_limit, 512ull << 20);
        assert_int_equal(p->output_limit, 16ull << 20);
        assert_true(p->flags.float_abs_set && p->flags.float_rel_set);
        assert_true(p->flags.float_abs_tol == 1e-6);
        assert_int_equal(p->n_groups, 3);
        assert_string_equal(p->root->name, "data");
        assert_string_equal(p->groups[1]->name, "data/sample");
        assert_string_equal(p->groups[2]->name, "data/secret");
        assert_true(p->groups[1]->sample);
        assert_false(p->groups[2]->sample);
        assert_int_equal(p->root->n_items, 2);
        assert_int_equal(p->groups[2]->first_test, 2);
        assert_int_equal(p->groups[2]->n_tests, 3);
        assert_true(p->tests[4].group == p->groups[2]);
        /* legacy defaults */
        assert_int_equal(p->root->on_reject, GRD_ON_REJECT_BREAK);
        assert_int_equal(p->root->aggregate, GRD_AGG_SUM);
        assert_int_equal(p->root->verdict_mode, GRD_VERDICT_MODE_WORST_ERROR);
        assert_true(p->root->accept_score == 1 && p->root->reject_score == 0);
        assert_false(p->root->has_range);
        assert_true(p->groups[2]->flags.float_abs_set);
        assert_int_equal(p->groups[2]->n_validator_args, 2);
        assert_string_equal(p->groups[2]->validator_args[0], "float_tolerance");
        assert_null(p->groups[2]->validator_args[2]);
        assert_int_equal(grd_problem_find_test(p, "secret/10"), 4);
        assert_int_equal(grd_problem_find_test(p, "secret/11"), -ENOENT);
        grd_problem_free(p);
}

static void test_default_time_limit_applies_without_timelimit(void **state)
{
        (void)state;
        struct grd_problem_defaults d = {.time_limit = 3, .memory_limit = 1 << 20};
        struct grd_problem *p = NULL;
        assert_int_equal(grd_problem_load(PKG("basic"), &d, &p, pkg_err, sizeof(pkg_err)), 0);
        assert_true(p->time_limit == 3);
        assert_string_equal(p->time_limit_source, "default");
        assert_int_equal(p->memory_limit, 512ull << 20); /* problem.yaml wins */
        grd_problem_free(p);
}

static void test_timelimit_file_sets_time_limit(void **state)
{
        (void)state;
        struct grd_problem *p = load_ok(PKG("timelimit-file"));
        assert_true(p->time_limit == 2.5);
        assert_string_equal(p->time_limit_source, ".timelimit");
        grd_problem_free(p);
}

static void test_limits_time_limit_takes_precedence_over_timelimit_file(void **state)
{
        (void)state;
        struct grd_problem *p = load_ok(PKG("timelimit-yaml"));
        assert_true(p->time_limit == 4);
        assert_string_equal(p->time_limit_source, "problem.yaml");
        assert_true(p->time_multiplier == 3);
        grd_problem_free(p);
}

static void test_nested_groups_interleave_tests_in_name_order(void **state)
{
        (void)state;
        struct grd_problem *p = load_ok(PKG("nested"));
        const char *names[] = {"sample/1",        "secret/a",        "secret/group1/1",
                               "secret/group1/2", "secret/group2/1", "secret/group2/sub/1",
                               "secret/group2/x", "secret/z"};
        assert_int_equal(p->n_tests, 8);
        for (size_t i = 0; i < 8; i++)
                assert_string_equal(p->tests[i].name, names[i]);
        const char *groups[] = {"data",
                                "data/sample",
                                "data/secret",
                                "data/secret/group1",
                                "data/secret/group2",
                                "data/secret/group2/sub"};
        assert_int_equal(p->n_groups, 6);
        for (size_t i = 0; i < 6; i++) {
                assert_string_equal(p->groups[i]->name, groups[i]);
                assert_int_equal(p->groups[i]->index, i);
        }
        struct grd_group *secret = p->groups[2];
        assert_int_equal(secret->n_items, 4);
        assert_null(secret->items[0].group);
        assert_int_equal(secret->items[0].test, 1);
        assert_true(secret->items[1].group == p->groups[3]);
        assert_true(secret->items[2].group == p->groups[4]);
        assert_null(secret->items[3].group);
        assert_int_equal(secret->items[3].test, 7);
        assert_int_equal(secret->first_test, 1);
        assert_int_equal(secret->n_tests, 7);
        assert_true(p->groups[5]->parent == p->groups[4]);
        grd_problem_free(p);
}

static void test_testdata_yaml_settings_are_inherited_key_by_key(void **state)
{
        (void)state;
        struct grd_problem *p = load_ok(PKG("nested"));
        struct grd_group *root = p->groups[0], *sample = p->groups[1], *secret = p->groups[2];
        struct grd_group *g1 = p->groups[3], *g2 = p->groups[4], *sub = p->groups[5];
        assert_int_equal(root->on_reject, GRD_ON_REJECT_CONTINUE);
        assert_true(root->ignore_sample);
        assert_true(root->has_range && root->range_min == 0 && root->range_max == 100);
        /* sample has no testdata.yaml: everything from data/ */
        assert_int_equal(sample->on_reject, GRD_ON_REJECT_CONTINUE);
        assert_true(sample->has_range && sample->range_max == 100);
        /* secret overrides grader_flags as a whole: ignore_sample is gone */
        assert_false(secret->ignore_sample);
        assert_int_equal(secret->verdict_mode, GRD_VERDICT_MODE_FIRST_ERROR);
        assert_true(secret->flags.case_sensitive);
        assert_false(sample->flags.case_sensitive);
        /* group1 sets its own on_reject, grader_flags and accept_score */
        assert_int_equal(g1->on_reject, GRD_ON_REJECT_BREAK);
        assert_int_equal(g1->aggregate, GRD_AGG_MIN);
        assert_int_equal(g1->verdict_mode, GRD_VERDICT_MODE_WORST_ERROR);
        assert_true(g1->accept_score == 30);
        assert_true(g1->flags.case_sensitive);
        /* group2 keeps secret's on_reject; sub inherits group2's flags and score */
        assert_int_equal(g2->on_reject, GRD_ON_REJECT_CONTINUE);
        assert_true(g2->accept_score == 70);
        assert_true(g2->range_max == 100);
        assert_int_equal(sub->aggregate, GRD_AGG_MIN);
        assert_true(sub->accept_score == 70);
        assert_true(sub->has_range && sub->range_max == 50);
        assert_true(p->scoring);
        grd_problem_free(p);
}

static void test_bad_yaml_reports_file_line_and_column(void **state)
{
        (void)state;
        assert_int_equal(load_fail(PKG("bad-yaml")), -EINVAL);
        assert_non_null(strstr(pkg_err, "problem.yaml:"));
        /* the flow sequence opened on line 3 never closes */
        assert_true(strstr(pkg_err, "problem.yaml:3:") || strstr(pkg_err, "problem.yaml:4:"));
}

static void test_in_without_ans_is_a_run_only_test(void **state)
{
        (void)state;
        struct grd_problem *p = load_ok(PKG("missing-ans"));
        assert_false(p->run_only);
        assert_int_equal(p->n_run_only, 1);
        long i = grd_problem_find_test(p, "secret/2");
        assert_true(i >= 0);
        assert_null(p->tests[i].ans_path);
        assert_non_null(p->tests[grd_problem_find_test(p, "secret/1")].ans_path);
        grd_problem_free(p);
}

static void test_custom_validation_needs_every_answer(void **state)
{
        (void)state;
        const char *files[] = {"problem.yaml",
                               "validation: custom\n",
                               "output_validators/v/v.py",
                               "print(1)\n",
                               "data/secret/1.in",
                               "1\n",
                               "data/secret/1.ans",
                               "1\n",
                               "data/secret/2.in",
                               "2\n",
                               NULL};
        char *root = pkg_make(files);
        assert_int_equal(load_fail(root), -EINVAL);
        assert_non_null(strstr(pkg_err, "data/secret/2.ans"));
        assert_non_null(strstr(pkg_err, "validator"));
        pkg_remove(root);
}

static void test_package_without_any_ans_is_run_only(void **state)
{
        (void)state;
        struct grd_problem *p = load_ok(PKG("run-only"));
        assert_true(p->run_only);
        assert_int_equal(p->n_tests, 3);
        for (size_t i = 0; i < p->n_tests; i++)
                assert_null(p->tests[i].ans_path);
        grd_problem_free(p);
}

static void test_unknown_validation_is_refused(void **state)
{
        (void)state;
        assert_int_equal(load_fail(PKG("unknown-validation")), -EINVAL);
        assert_non_null(strstr(pkg_err, "problem.yaml:2:"));
        assert_non_null(strstr(pkg_err, "magic"));
}

static void test_interactive_and_multi_pass_problems_load(void **state)
{
        (void)state;
        struct grd_problem *p = parse_ok("validation: custom interactive\n");
        assert_true(p->interactive && p->custom_validation && !p->multi_pass);
        assert_int_equal(p->validation_passes, GRD_PROBLEM_DEFAULT_PASSES);
        grd_problem_free(p);
        p = parse_ok("validation: custom multi-pass\nlimits:\n  validation_passes: 3\n");
        assert_true(p->multi_pass && !p->interactive);
        assert_int_equal(p->validation_passes, 3);
        grd_problem_free(p);
        p = parse_ok("validation: custom interactive multi-pass\n");
        assert_true(p->multi_pass && p->interactive);
        grd_problem_free(p);
        assert_int_equal(parse_fail("limits:\n  validation_passes: 1\n"), -EINVAL);
        assert_int_equal(parse_fail("limits:\n  validation_passes: 2.5\n"), -EINVAL);
        /* an interactive problem is nothing without its validator */
        assert_int_equal(load_fail(PKG("interactive-no-validator")), -EINVAL);
        assert_non_null(strstr(pkg_err, "no output validator"));
}

static void test_two_output_validators_are_refused(void **state)
{
        (void)state;
        assert_int_equal(load_fail(PKG("two-validators")), -ENOTSUP);
        assert_non_null(strstr(pkg_err, "output_validators"));
        assert_non_null(strstr(pkg_err, "alpha"));
        assert_non_null(strstr(pkg_err, "beta"));
}

static void test_custom_validator_gets_problem_and_group_flags(void **state)
{
        (void)state;
        struct grd_problem *p = load_ok(PKG("custom-validator"));
        assert_true(p->custom_validation && p->custom_score && p->scoring);
        assert_non_null(p->validator);
        assert_string_equal(p->validator->rel, "output_validators/check");
        assert_true(p->validator->n_files >= 1);
        assert_non_null(strstr(p->validator->files[0].path, "/output_validators/check/"));
        assert_true(p->validation_time == 30);
        assert_int_equal(p->validation_memory, 1024ull << 20);
        struct grd_group *secret = p->groups[1];
        assert_string_equal(secret->name, "data/secret");
        const char *want[] = {"--mode", "strict", "--level", "3"};
        assert_int_equal(secret->n_validator_args, 4);
        for (size_t i = 0; i < 4; i++)
                assert_string_equal(secret->validator_args[i], want[i]);
        assert_int_equal(p->n_validator_args, 2);
        grd_problem_free(p);
}

static void test_bad_testdata_yaml_names_the_file(void **state)
{
        (void)state;
        assert_int_equal(load_fail(PKG("bad-testdata")), -EINVAL);
        assert_non_null(strstr(pkg_err, "data/secret/testdata.yaml:1:"));
        assert_non_null(strstr(pkg_err, "maybe"));
}

static const char *const minimal[] = {
        "problem.yaml", "name: Temp\n", "data/secret/1.in", "1\n", "data/secret/1.ans", "1\n", NULL,
};

static void test_symlink_escaping_the_package_is_refused(void **state)
{
        (void)state;
        char *root = must_make(minimal);
        assert_non_null(root);
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/data/secret/2.in", root);
        assert_int_equal(symlink("/etc/passwd", path), 0);
        assert_int_equal(load_fail(root), -EINVAL);
        assert_non_null(strstr(pkg_err, "data/secret/2.in"));
        assert_non_null(strstr(pkg_err, "outside"));
        pkg_remove(root);
}

static void test_directory_symlink_escaping_through_dotdot_is_refused(void **state)
{
        (void)state;
        char *root = must_make(minimal);
        assert_non_null(root);
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/data/secret/up", root);
        assert_int_equal(symlink("../../..", path), 0);
        assert_int_equal(load_fail(root), -EINVAL);
        assert_non_null(strstr(pkg_err, "data/secret/up"));
        pkg_remove(root);
}

static void test_symlink_inside_the_package_is_followed(void **state)
{
        (void)state;
        char *root = must_make(minimal);
        assert_non_null(root);
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/data/secret/2.in", root);
        assert_int_equal(symlink("1.in", path), 0);
        snprintf(path, sizeof(path), "%s/data/secret/2.ans", root);
        assert_int_equal(symlink("1.ans", path), 0);
        struct grd_problem *p = load_ok(root);
        assert_int_equal(p->n_tests, 2);
        assert_string_equal(p->tests[1].name, "secret/2");
        assert_string_equal(p->tests[0].in_path, p->tests[1].in_path);
        grd_problem_free(p);
        pkg_remove(root);
}

static void test_dangling_symlink_is_refused(void **state)
{
        (void)state;
        char *root = must_make(minimal);
        assert_non_null(root);
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/data/secret/1.ans", root);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(symlink("nowhere.ans", path), 0);
        assert_int_equal(load_fail(root), -EINVAL);
        assert_non_null(strstr(pkg_err, "data/secret/1.ans"));
        pkg_remove(root);
}

static void test_fifo_in_test_data_is_refused(void **state)
{
        (void)state;
        char *root = must_make(minimal);
        assert_non_null(root);
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/data/secret/2.in", root);
        assert_int_equal(mkfifo(path, 0644), 0);
        assert_int_equal(load_fail(root), -EINVAL);
        assert_non_null(strstr(pkg_err, "data/secret/2.in"));
        assert_non_null(strstr(pkg_err, "regular"));
        pkg_remove(root);
}

static void test_test_name_with_space_is_refused(void **state)
{
        (void)state;
        const char *files[] = {"data/secret/a b.in", "1\n", "data/secret/a b.ans", "1\n", NULL};
        char *root = must_make(files);
        assert_non_null(root);
        assert_int_equal(load_fail(root), -EINVAL);
        assert_non_null(strstr(pkg_err, "data/secret/a b.in"));
        pkg_remove(root);
}

static void test_missing_problem_yaml_means_defaults(void **state)
{
        (void)state;
        const char *files[] = {"data/secret/1.in", "1\n", "data/secret/1.ans", "1\n", NULL};
        char *root = must_make(files);
        assert_non_null(root);
        struct grd_problem *p = load_ok(root);
        assert_string_equal(p->name, p->short_name);
        assert_false(p->scoring);
        assert_true(p->time_limit == 1);
        assert_int_equal(p->memory_limit, 256ull << 20);
        assert_int_equal(p->output_limit, 64ull << 20);
        grd_problem_free(p);
        pkg_remove(root);
}

static void test_package_without_tests_is_refused(void **state)
{
        (void)state;
        const char *files[] = {"problem.yaml", "name: Empty\n", "data/secret/README", "x\n", NULL};
        char *root = must_make(files);
        assert_non_null(root);
        assert_int_equal(load_fail(root), -EINVAL);
        assert_non_null(strstr(pkg_err, "data/"));
        pkg_remove(root);
        const char *nodata[] = {"problem.yaml", "name: No data\n", NULL};
        root = must_make(nodata);
        assert_int_equal(load_fail(root), -EINVAL);
        assert_non_null(strstr(pkg_err, "data/"));
        pkg_remove(root);
}

static void test_more_than_max_tests_is_refused(void **state)
{
        (void)state;
        const char *files[] = {"problem.yaml", "name: Many\n", NULL};
        char *root = must_make(files);
        assert_non_null(root);
        for (unsigned i = 0; i <= GRD_PROBLEM_MAX_TESTS; i++) {
                char rel[64];
                snprintf(rel, sizeof(rel), "data/secret/%05u.in", i);
                assert_int_equal(pkg_put(root, rel, ""), 0);
        }
        assert_int_equal(load_fail(root), -EFBIG);
        assert_non_null(strstr(pkg_err, "data/secret"));
        pkg_remove(root);
}

static void test_groups_nested_too_deep_are_refused(void **state)
{
        (void)state;
        char rel[PATH_MAX] = "data/secret";
        for (unsigned i = 0; i < GRD_PROBLEM_MAX_DEPTH + 1; i++)
                strcat(rel, "/d");
        strcat(rel, "/1.in");
        const char *files[] = {rel, "1\n", NULL};
        char *root = must_make(files);
        assert_non_null(root);
        assert_int_equal(load_fail(root), -EFBIG);
        assert_non_null(strstr(pkg_err, "deeper"));
        pkg_remove(root);
}

static void test_timelimit_file_with_garbage_is_refused(void **state)
{
        (void)state;
        const char *files[] = {
                ".timelimit", "fast\n", "data/secret/1.in", "1\n", "data/secret/1.ans",
                "1\n",        NULL};
        char *root = must_make(files);
        assert_non_null(root);
        assert_int_equal(load_fail(root), -EINVAL);
        assert_non_null(strstr(pkg_err, ".timelimit"));
        pkg_remove(root);
}

static void test_custom_validation_without_validator_is_refused(void **state)
{
        (void)state;
        const char *files[] = {"problem.yaml",
                               "validation: custom\n",
                               "data/secret/1.in",
                               "1\n",
                               "data/secret/1.ans",
                               "1\n",
                               NULL};
        char *root = must_make(files);
        assert_non_null(root);
        assert_int_equal(load_fail(root), -EINVAL);
        assert_non_null(strstr(pkg_err, "output_validators"));
        pkg_remove(root);
}

static void test_custom_grading_is_unsupported(void **state)
{
        (void)state;
        const char *files[] = {"data/testdata.yaml",
                               "grading: custom\n",
                               "data/secret/1.in",
                               "1\n",
                               "data/secret/1.ans",
                               "1\n",
                               NULL};
        char *root = must_make(files);
        assert_non_null(root);
        assert_int_equal(load_fail(root), -ENOTSUP);
        assert_non_null(strstr(pkg_err, "data/testdata.yaml:1:"));
        pkg_remove(root);
}

static void test_unknown_grader_flag_is_refused(void **state)
{
        (void)state;
        const char *files[] = {"data/secret/testdata.yaml",
                               "grader_flags: median\n",
                               "data/secret/1.in",
                               "1\n",
                               "data/secret/1.ans",
                               "1\n",
                               NULL};
        char *root = must_make(files);
        assert_non_null(root);
        assert_int_equal(load_fail(root), -EINVAL);
        assert_non_null(strstr(pkg_err, "data/secret/testdata.yaml"));
        assert_non_null(strstr(pkg_err, "median"));
        pkg_remove(root);
}

static void test_bad_default_validator_flags_in_testdata_are_refused(void **state)
{
        (void)state;
        const char *files[] = {"data/secret/testdata.yaml",
                               "output_validator_flags: float_tolerance\n",
                               "data/secret/1.in",
                               "1\n",
                               "data/secret/1.ans",
                               "1\n",
                               NULL};
        char *root = must_make(files);
        assert_non_null(root);
        assert_int_equal(load_fail(root), -EINVAL);
        assert_non_null(strstr(pkg_err, "data/secret/testdata.yaml"));
        pkg_remove(root);
}

static void test_scoring_keys_are_ignored_for_pass_fail(void **state)
{
        (void)state;
        const char *files[] = {"data/secret/testdata.yaml",
                               "accept_score: 5\nrange: 0 10\n",
                               "data/secret/1.in",
                               "1\n",
                               "data/secret/1.ans",
                               "1\n",
                               NULL};
        char *root = must_make(files);
        assert_non_null(root);
        struct grd_problem *p = load_ok(root);
        assert_true(p->groups[1]->accept_score == 1);
        assert_false(p->groups[1]->has_range);
        grd_problem_free(p);
        pkg_remove(root);
}

static void test_deprecated_grading_keys_override_every_group(void **state)
{
        (void)state;
        const char *files[] = {"problem.yaml",
                               "type: scoring\ngrading:\n  on_reject: grade\n  accept_score: 4\n",
                               "data/secret/testdata.yaml",
                               "accept_score: 5\non_reject: break\n",
                               "data/secret/1.in",
                               "1\n",
                               "data/secret/1.ans",
                               "1\n",
                               NULL};
        char *root = must_make(files);
        assert_non_null(root);
        struct grd_problem *p = load_ok(root);
        assert_true(p->groups[1]->accept_score == 4);
        assert_int_equal(p->groups[1]->on_reject, GRD_ON_REJECT_CONTINUE);
        grd_problem_free(p);
        pkg_remove(root);
}

static void test_problem_yaml_values_are_parsed(void **state)
{
        (void)state;
        struct grd_problem *p = parse_ok("name: Sum\ntype: scoring\nvalidation: custom score\n"
                                         "validator_flags: a b  c\nlimits:\n  memory: 1.5\n"
                                         "  output: 2\n  time_limit: 0.5\n");
        assert_string_equal(p->name, "Sum");
        assert_true(p->scoring && p->custom_validation && p->custom_score);
        assert_int_equal(p->n_validator_args, 3);
        assert_string_equal(p->validator_args[2], "c");
        assert_int_equal(p->memory_limit, 1572864);
        assert_int_equal(p->output_limit, 2u << 20);
        assert_true(p->time_limit == 0.5);
        assert_null(p->root);
        grd_problem_free(p);
        p = parse_ok("");
        assert_string_equal(p->name, "");
        assert_false(p->scoring);
        grd_problem_free(p);
        p = parse_ok("name:\n  sv: Summa\n  en: Sum\nvalidator_flags:\n");
        assert_string_equal(p->name, "Sum");
        grd_problem_free(p);
}

static void test_absurd_limits_are_refused(void **state)
{
        (void)state;
        parse_fail("limits:\n  time_limit: 7200\n");
        assert_non_null(strstr(pkg_err, "time_limit"));
        parse_fail("limits:\n  time_limit: -1\n");
        parse_fail("limits:\n  memory: -5\n");
        parse_fail("limits:\n  memory: 0\n");
        parse_fail("limits:\n  output: 1e30\n");
        parse_fail("limits:\n  time_multiplier: nan\n");
        parse_fail("limits:\n  validation_time: inf\n");
        parse_fail("limits: 5\n");
        parse_fail("limits:\n  memory: lots\n");
        assert_non_null(strstr(pkg_err, "problem.yaml:2:11"));
}

static void test_yaml_aliases_duplicates_and_documents_are_refused(void **state)
{
        (void)state;
        parse_fail("name: &a x\nsource: *a\n");
        assert_non_null(strstr(pkg_err, "alias"));
        parse_fail("name: a\nname: b\n");
        assert_non_null(strstr(pkg_err, "duplicate"));
        parse_fail("name: a\n---\nname: b\n");
        parse_fail("[1, 2]\n");
        parse_fail("? [a]\n: b\n");
        char deep[256] = "a: ";
        for (int i = 0; i < 40; i++)
                strcat(deep, "[");
        parse_fail(deep);
}

static void test_problem_yaml_semantic_errors_are_refused(void **state)
{
        (void)state;
        assert_int_equal(parse_fail("type: weird\n"), -EINVAL);
        assert_int_equal(parse_fail("type: [scoring, submit-answer]\n"), -ENOTSUP);
        assert_int_equal(parse_fail("validation: custom score\n"), -EINVAL); /* pass-fail */
        assert_int_equal(parse_fail("validation: default score\n"), -EINVAL);
        assert_int_equal(parse_fail("validation: custom magic\n"), -EINVAL);
        assert_int_equal(parse_fail("validator_flags: float_tolerance x\n"), -EINVAL);
        assert_int_equal(parse_fail("validator_flags: shout\n"), -EINVAL);
        assert_int_equal(parse_fail("validator_flags: [a]\n"), -EINVAL);
        assert_int_equal(parse_fail("grading:\n  range: 5 1\n"), -EINVAL);
        assert_int_equal(parse_fail("grading:\n  objective: median\n"), -EINVAL);
        assert_int_equal(parse_fail("name: [a]\n"), -EINVAL);
}

static void test_yaml_larger_than_cap_is_refused(void **state)
{
        (void)state;
        size_t n = 300 * 1024;
        char *big = malloc(n + 1);
        assert_non_null(big);
        memset(big, '#', n);
        big[n] = '\0';
        struct grd_problem *p = NULL;
        assert_int_equal(grd_problem_parse_yaml(big, n, NULL, &p, pkg_err, sizeof(pkg_err)),
                         -EFBIG);
        assert_non_null(strstr(pkg_err, "problem.yaml"));
        free(big);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_basic_package_loads_with_samples_first),
                cmocka_unit_test(test_default_time_limit_applies_without_timelimit),
                cmocka_unit_test(test_timelimit_file_sets_time_limit),
                cmocka_unit_test(test_limits_time_limit_takes_precedence_over_timelimit_file),
                cmocka_unit_test(test_nested_groups_interleave_tests_in_name_order),
                cmocka_unit_test(test_testdata_yaml_settings_are_inherited_key_by_key),
                cmocka_unit_test(test_bad_yaml_reports_file_line_and_column),
                cmocka_unit_test(test_in_without_ans_is_a_run_only_test),
                cmocka_unit_test(test_custom_validation_needs_every_answer),
                cmocka_unit_test(test_package_without_any_ans_is_run_only),
                cmocka_unit_test(test_unknown_validation_is_refused),
                cmocka_unit_test(test_interactive_and_multi_pass_problems_load),
                cmocka_unit_test(test_two_output_validators_are_refused),
                cmocka_unit_test(test_custom_validator_gets_problem_and_group_flags),
                cmocka_unit_test(test_bad_testdata_yaml_names_the_file),
                cmocka_unit_test(test_symlink_escaping_the_package_is_refused),
                cmocka_unit_test(test_directory_symlink_escaping_through_dotdot_is_refused),
                cmocka_unit_test(test_symlink_inside_the_package_is_followed),
                cmocka_unit_test(test_dangling_symlink_is_refused),
                cmocka_unit_test(test_fifo_in_test_data_is_refused),
                cmocka_unit_test(test_test_name_with_space_is_refused),
                cmocka_unit_test(test_missing_problem_yaml_means_defaults),
                cmocka_unit_test(test_package_without_tests_is_refused),
                cmocka_unit_test(test_more_than_max_tests_is_refused),
                cmocka_unit_test(test_groups_nested_too_deep_are_refused),
                cmocka_unit_test(test_timelimit_file_with_garbage_is_refused),
                cmocka_unit_test(test_custom_validation_without_validator_is_refused),
                cmocka_unit_test(test_custom_grading_is_unsupported),
                cmocka_unit_test(test_unknown_grader_flag_is_refused),
                cmocka_unit_test(test_bad_default_validator_flags_in_testdata_are_refused),
                cmocka_unit_test(test_scoring_keys_are_ignored_for_pass_fail),
                cmocka_unit_test(test_deprecated_grading_keys_override_every_group),
                cmocka_unit_test(test_problem_yaml_values_are_parsed),
                cmocka_unit_test(test_absurd_limits_are_refused),
                cmocka_unit_test(test_yaml_aliases_duplicates_and_documents_are_refused),
                cmocka_unit_test(test_problem_yaml_semantic_errors_are_refused),
                cmocka_unit_test(test_yaml_larger_than_cap_is_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
