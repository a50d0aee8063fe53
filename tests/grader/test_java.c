/* SPDX-License-Identifier: MIT */
/* Unit tests of the Java main-class scan: what Kattis and DOMjudge would run, or none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "java.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static char name[512], err[512];

static int scan(const char *file, const char *text)
{
        struct grd_source s = {file, (const unsigned char *)text, strlen(text)};
        name[0] = err[0] = '\0';
        return grd_java_main_class(&s, 1, name, sizeof(name), err, sizeof(err));
}

static void test_main_in_a_file_named_otherwise_is_found(void **state)
{
        (void)state;
        assert_int_equal(scan("test.java", "class Main {\n  public static void main(String[] "
                                           "args) { }\n}\n"),
                         0);
        assert_string_equal(name, "Main");
}

static void test_every_spelling_of_the_parameter_is_main(void **state)
{
        (void)state;
        static const char *const params[] = {"String[] a",           "String a[]",
                                             "String... a",          "final String[] a",
                                             "java.lang.String[] a", "@Deprecated String[] a"};
        for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
                char src[256];
                snprintf(src, sizeof(src), "class X { public static void main(%s) {} }", params[i]);
                assert_int_equal(scan("X.java", src), 0);
                assert_string_equal(name, "X");
        }
}

static void test_what_is_not_main_is_not_taken(void **state)
{
        (void)state;
        static const char *const not_main[] = {
                "class X { static void main(String[] a) {} }",       /* not public */
                "class X { public void main(String[] a) {} }",       /* not static */
                "class X { public static int main(String[] a) {} }", /* not void */
                "class X { public static void main(String a) {} }",  /* not an array */
                "class X { public static void main(String[] a, int b) {} }",
                "class X { void f() { public static void main(String[] a) {} } }",
                "// class X { public static void main(String[] a) {} }",
                "class Y { String s = \"public static void main(String[] a) {}\"; }",
        };
        for (size_t i = 0; i < sizeof(not_main) / sizeof(not_main[0]); i++) {
                assert_int_equal(scan("X.java", not_main[i]), -ENOENT);
                assert_non_null(strstr(err, "no class declares"));
        }
}

static void test_package_and_nesting_make_the_launcher_name(void **state)
{
        (void)state;
        assert_int_equal(scan("A.java", "package foo.bar;\npublic class A {\n"
                                        "  static class In { public static void "
                                        "main(String[] a) {} }\n}\n"),
                         0);
        assert_string_equal(name, "foo.bar.A$In");
        assert_int_equal(scan("I.java", "interface I { static void main(String[] a) {} }"), 0);
        assert_string_equal(name, "I");
}

static void test_several_mains_take_the_one_named_after_its_file(void **state)
{
        (void)state;
        const char *a = "class Helper { public static void main(String[] a) {} }\n";
        const char *b = "public class Solve { public static void main(String[] a) {} }\n";
        struct grd_source s[2] = {{"helper_tests.java", (const unsigned char *)a, strlen(a)},
                                  {"Solve.java", (const unsigned char *)b, strlen(b)}};
        assert_int_equal(grd_java_main_class(s, 2, name, sizeof(name), err, sizeof(err)), 0);
        assert_string_equal(name, "Solve");
        s[0].name = "Helper.java";
        assert_int_equal(grd_java_main_class(s, 2, name, sizeof(name), err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "several are named after their file"));
        assert_non_null(strstr(err, "Helper (Helper.java)"));
        assert_non_null(strstr(err, "Solve (Solve.java)"));
}

static void test_text_blocks_and_literals_hide_nothing_real(void **state)
{
        (void)state;
        assert_int_equal(scan("M.java", "class M {\n  String t = \"\"\"\n    } class Z {\n"
                                        "  \"\"\";\n  char c = '}';\n"
                                        "  public static void main(String[] a) {}\n}\n"),
                         0);
        assert_string_equal(name, "M");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_main_in_a_file_named_otherwise_is_found),
                cmocka_unit_test(test_every_spelling_of_the_parameter_is_main),
                cmocka_unit_test(test_what_is_not_main_is_not_taken),
                cmocka_unit_test(test_package_and_nesting_make_the_launcher_name),
                cmocka_unit_test(test_several_mains_take_the_one_named_after_its_file),
                cmocka_unit_test(test_text_blocks_and_literals_hide_nothing_real),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
