/* SPDX-License-Identifier: MIT */
/* Unit tests of the language table: the shipped table, ids and aliases, shebangs, new keys. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "language.h"

/* Load a table given as JSON text (written to a temporary file). Return: what load returns. */
static int load_text(const char *json, struct grd_languages **t, char *err, size_t errlen)
{
        char path[] = "/tmp/grader-test-language-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
        close(fd);
        int r = grd_languages_load(path, t, err, errlen);
        unlink(path);
        return r;
}

static void test_the_shipped_table_has_every_language_with_a_package(void **state)
{
        (void)state;
        static const char *const ids[] = {"c",      "cpp",  "python3",    "java",   "kotlin",
                                          "rust",   "go",   "javascript", "csharp", "haskell",
                                          "ocaml",  "ruby", "php",        "pascal", "lisp",
                                          "prolog", "lua",  "perl",       "bash",   "fortran",
                                          "ada",    "r",    "scala",      "pypy3"};
        struct grd_languages *t;
        char err[512];
        assert_int_equal(grd_languages_load(NULL, &t, err, sizeof(err)), 0);
        for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
                const struct grd_language *l = grd_language_find(t, ids[i]);
                assert_non_null(l);
                assert_non_null(l->package);
                assert_true(l->package[0] != '\0');
        }
        assert_string_equal(grd_language_find(t, "golang")->package, "golang-go");
        grd_languages_free(t);
}

static void test_aliases_are_domjudge_ids_and_extensions_are_kattis(void **state)
{
        (void)state;
        struct grd_languages *t;
        char err[512];
        assert_int_equal(grd_languages_load(NULL, &t, err, sizeof(err)), 0);
        assert_ptr_equal(grd_language_find(t, "kt"), grd_language_find(t, "kotlin"));
        assert_ptr_equal(grd_language_find(t, "js"), grd_language_find(t, "javascript"));
        assert_ptr_equal(grd_language_find(t, "py3"), grd_language_find(t, "python3"));
        assert_ptr_equal(grd_language_find(t, "plg"), grd_language_find(t, "prolog"));
        assert_null(grd_language_find(t, "cobol"));
        /* .py is Python 3; PyPy only when asked for by id */
        assert_ptr_equal(grd_language_guess(t, "a.py"), grd_language_find(t, "python3"));
        assert_ptr_equal(grd_language_guess(t, "a.c++"), grd_language_find(t, "cpp"));
        assert_ptr_equal(grd_language_guess(t, "a.rs"), grd_language_find(t, "rust"));
        assert_ptr_equal(grd_language_guess(t, "a.hs"), grd_language_find(t, "haskell"));
        assert_ptr_equal(grd_language_guess(t, "a.kt"), grd_language_find(t, "kotlin"));
        assert_ptr_equal(grd_language_guess(t, "a.pas"), grd_language_find(t, "pascal"));
        /* .pl is Prolog (Kattis) unless its "#!" line names perl (DOMjudge's Perl) */
        static const char prolog[] = ":- initialization(main).\n";
        static const char perl[] = "#!/usr/bin/perl\nprint 1;\n";
        static const char py[] = "#!/usr/bin/env python3\nprint(1)\n";
        assert_ptr_equal(grd_language_guess_source(t, "a.pl", (const unsigned char *)prolog,
                                                   sizeof(prolog) - 1),
                         grd_language_find(t, "prolog"));
        assert_ptr_equal(
                grd_language_guess_source(t, "a.pl", (const unsigned char *)perl, sizeof(perl) - 1),
                grd_language_find(t, "perl"));
        assert_ptr_equal(
                grd_language_guess_source(t, "a.py", (const unsigned char *)py, sizeof(py) - 1),
                grd_language_find(t, "python3"));
        grd_languages_free(t);
}

static void test_kotlin_class_follows_kotlinc(void **state)
{
        (void)state;
        char out[64];
        assert_int_equal(grd_language_kotlin_class("sum.kt", out, sizeof(out)), 0);
        assert_string_equal(out, "SumKt");
        assert_int_equal(grd_language_kotlin_class("2-sum.kt", out, sizeof(out)), 0);
        assert_string_equal(out, "_2_sumKt");
        assert_int_equal(grd_language_kotlin_class("a_very_long_name.kt", out, 8), -E2BIG);
}

static void test_new_keys_are_read_and_checked(void **state)
{
        (void)state;
        struct grd_languages *t;
        char err[512];
        assert_int_equal(load_text("{\"languages\": [{\"id\": \"x\", \"extensions\": [\".x\"], "
                                   "\"run\": [\"/bin/true\"], \"run_env\": [\"A={memory_mb}\"], "
                                   "\"run_limits\": {\"stack\": \"8M\", \"open_files\": 32, "
                                   "\"seccomp\": \"node\"}}]}",
                                   &t, err, sizeof(err)),
                         0);
        const struct grd_language *l = grd_language_find(t, "x");
        assert_string_equal(l->package, "x"); /* the id when unset */
        assert_int_equal(l->run_limits.stack, 8u << 20);
        assert_int_equal(l->run_limits.open_files, 32);
        assert_string_equal(l->run_limits.seccomp, "node");
        struct grd_argv *a = malloc(sizeof(*a));
        struct grd_lang_vars v = {.main = "x.x", .memory_mb = 7};
        assert_int_equal(grd_language_expand(l, l->run_env, &v, a), 0);
        assert_string_equal(a->argv[0], "A=7");
        free(a);
        grd_languages_free(t);

        static const char *const bad[] = {
                "\"run_env\": [\"no equals sign\"]",
                "\"run_limits\": {\"seccomp\": \"everything\"}",
                "\"run_limits\": {\"open_files\": 1}",
                "\"shebang\": \"\"",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char json[512];
                snprintf(json, sizeof(json),
                         "{\"languages\": [{\"id\": \"x\", \"extensions\": [\".x\"], "
                         "\"run\": [\"/bin/true\"], %s}]}",
                         bad[i]);
                err[0] = '\0';
                assert_int_equal(load_text(json, &t, err, sizeof(err)), -EINVAL);
                assert_non_null(strstr(err, "language 0 ('x')"));
        }
}

static void test_a_language_is_installed_when_its_programs_are(void **state)
{
        (void)state;
        struct grd_languages *t;
        char err[512];
        assert_int_equal(
                load_text("{\"languages\": [{\"id\": \"here\", \"extensions\": [\".h1\"], "
                          "\"run\": [\"/bin/sh\"]}, {\"id\": \"gone\", \"package\": \"gone-pkg\", "
                          "\"extensions\": [\".g\"], \"run\": [\"/bin/sh\"], "
                          "\"version\": [\"/nonexistent/gonec\", \"-v\"]}]}",
                          &t, err, sizeof(err)),
                0);
        assert_null(grd_language_missing(grd_language_find(t, "here")));
        assert_string_equal(grd_language_missing(grd_language_find(t, "gone")),
                            "/nonexistent/gonec");
        assert_string_equal(grd_language_find(t, "gone")->package, "gone-pkg");
        grd_languages_free(t);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_the_shipped_table_has_every_language_with_a_package),
                cmocka_unit_test(test_aliases_are_domjudge_ids_and_extensions_are_kattis),
                cmocka_unit_test(test_kotlin_class_follows_kotlinc),
                cmocka_unit_test(test_new_keys_are_read_and_checked),
                cmocka_unit_test(test_a_language_is_installed_when_its_programs_are),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
