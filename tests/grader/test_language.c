/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the language table: the shipped table, ids and aliases, shebangs, new keys,
 * precompiled headers, class-data-sharing archives.
 */
#include <errno.h>
#include <limits.h>
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

#include "cds.h"
#include "language.h"
#include "pch.h"

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

/* The words of an expanded command joined by spaces, for comparing. */
static void joined(const struct grd_argv *a, char *out, size_t size)
{
        out[0] = '\0';
        for (size_t i = 0; i < a->argc; i++) {
                strncat(out, a->argv[i], size - strlen(out) - 1);
                if (i + 1 < a->argc)
                        strncat(out, " ", size - strlen(out) - 1);
        }
}

/*
 * A table whose one language 'x' has keys (JSON members, with the compile and run commands)
 * must be refused naming the file, the language and want.
 */
static void expect_refused(const char *keys, const char *want)
{
        char json[1024], err[512] = "";
        struct grd_languages *t = NULL;
        snprintf(json, sizeof(json),
                 "{\"languages\": [{\"id\": \"x\", \"extensions\": [\".x\"], %s}]}", keys);
        assert_int_equal(load_text(json, &t, err, sizeof(err)), -EINVAL);
        assert_null(t);
        assert_non_null(strstr(err, "language table '/tmp/grader-test-language-"));
        assert_non_null(strstr(err, "language 0 ('x')"));
        if (!strstr(err, want))
                fail_msg("%s: got \"%s\"", keys, err);
}

static void test_precompiled_header_is_read_and_checked(void **state)
{
        (void)state;
        struct grd_languages *t;
        char err[512];
        assert_int_equal(grd_languages_load(NULL, &t, err, sizeof(err)), 0);
        const struct grd_language *cpp = grd_language_find(t, "cpp");
        assert_string_equal(cpp->pch.header, "bits/stdc++.h");
        assert_string_equal(cpp->pch.dir, "/usr/lib/grader/pch");
        assert_null(grd_language_find(t, "c")->pch.header);
        grd_languages_free(t);

        static const char *const bad[][2] = {
                {"{\"header\": \"bits/stdc++.h\", \"dir\": \"usr/lib/pch\"}",
                 "'precompiled_header.dir' must be an absolute path"},
                {"{\"header\": \"bits/stdc++.h\", \"dir\": \"/usr/lib/../../tmp\"}",
                 "'precompiled_header.dir' must be an absolute path"},
                {"{\"header\": \"bits/stdc++.h\", \"dir\": \"/\"}",
                 "'precompiled_header.dir' must be an absolute path"},
                {"{\"header\": \"bits/stdc++.h\"}", "'precompiled_header.dir'"},
                {"{\"header\": \"../../etc/passwd\", \"dir\": \"/usr/lib/pch\"}",
                 "'precompiled_header.header' must be a relative path"},
                {"{\"header\": \"/usr/include/stdio.h\", \"dir\": \"/usr/lib/pch\"}",
                 "'precompiled_header.header' must be a relative path"},
                {"{\"header\": \"bits//stdc++.h\", \"dir\": \"/usr/lib/pch\"}",
                 "'precompiled_header.header' must be a relative path"},
                {"{\"header\": 3, \"dir\": \"/usr/lib/pch\"}", "'precompiled_header.header'"},
                {"{\"header\": \"a.h\", \"dir\": \"/usr/lib/pch\", \"flags\": []}",
                 "unknown key 'precompiled_header.flags'"},
                {"\"bits/stdc++.h\"", "'precompiled_header' must be an object"},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char keys[512];
                snprintf(keys, sizeof(keys),
                         "\"compile\": [\"/usr/bin/g++\", \"-x\", \"c++\", \"{files}\"], "
                         "\"run\": [\"./main\"], \"precompiled_header\": %s",
                         bad[i][0]);
                expect_refused(keys, bad[i][1]);
        }
        /* a language with nothing to compile has no use for one */
        expect_refused("\"run\": [\"./main\"], \"precompiled_header\": "
                       "{\"header\": \"a.h\", \"dir\": \"/usr/lib/pch\"}",
                       "'precompiled_header' needs a compile command");
}

static void test_precompiled_header_command_keeps_the_compile_flags(void **state)
{
        (void)state;
        struct grd_languages *t;
        char err[512], s[1024];
        assert_int_equal(grd_languages_load(NULL, &t, err, sizeof(err)), 0);
        struct grd_argv *a = malloc(sizeof(*a)), *e = malloc(sizeof(*e));
        assert_int_equal(grd_pch_command(grd_language_find(t, "cpp"), "/w/wrapper.h",
                                         "/p/bits/.stdc++.h.gch.x", a, e, err, sizeof(err)),
                         0);
        joined(a, s, sizeof(s));
        assert_string_equal(s, "/usr/bin/g++ -std=gnu++17 -O2 -pipe -x c++-header -o "
                               "/p/bits/.stdc++.h.gch.x /w/wrapper.h");
        assert_int_equal(e->argc, 0);
        /* a language without one */
        assert_int_equal(
                grd_pch_command(grd_language_find(t, "c"), "w", "o", a, e, err, sizeof(err)),
                -EINVAL);
        grd_languages_free(t);

        /* C's shape: what follows {files} is the link (-x none, -lm); -xc joined; env kept */
        assert_int_equal(
                load_text("{\"languages\": [{\"id\": \"c\", \"extensions\": [\".c\"], "
                          "\"compile\": [\"/usr/bin/gcc\", \"-O{memory_mb}\", \"-o{binary}\", "
                          "\"-xc\", \"{files}\", \"-x\", \"none\", \"-lm\", \"-Wall\"], "
                          "\"compile_env\": [\"A=1\"], \"run\": [\"./main\"], "
                          "\"precompiled_header\": {\"header\": \"stdio.h\", \"dir\": \"/p\"}}, "
                          "{\"id\": \"nox\", \"extensions\": [\".n\"], "
                          "\"compile\": [\"/usr/bin/g++\", \"-o\", \"{binary}\", \"{main}\"], "
                          "\"run\": [\"./main\"], "
                          "\"precompiled_header\": {\"header\": \"a.h\", \"dir\": \"/p\"}}]}",
                          &t, err, sizeof(err)),
                0);
        assert_int_equal(
                grd_pch_command(grd_language_find(t, "c"), "w.h", "o.gch", a, e, err, sizeof(err)),
                0);
        joined(a, s, sizeof(s));
        assert_string_equal(s, "/usr/bin/gcc -O256 -x c-header -Wall -o o.gch w.h");
        assert_int_equal(e->argc, 1);
        assert_string_equal(e->argv[0], "A=1");
        /* no -x: the header's language cannot be told */
        assert_int_equal(grd_pch_command(grd_language_find(t, "nox"), "w.h", "o.gch", a, e, err,
                                         sizeof(err)),
                         -EINVAL);
        assert_non_null(strstr(err, "names no language with -x"));
        grd_languages_free(t);
        free(a);
        free(e);
}

static void test_a_compile_gets_the_include_dir_only_when_the_gch_is_there(void **state)
{
        (void)state;
        char dir[] = "/tmp/grader-test-pch-XXXXXX", json[1024], path[PATH_MAX], s[1024];
        assert_non_null(mkdtemp(dir));
        snprintf(json, sizeof(json),
                 "{\"languages\": [{\"id\": \"cpp\", \"extensions\": [\".cpp\"], "
                 "\"compile\": [\"/usr/bin/g++\", \"-O2\", \"-o\", \"{binary}\", \"-x\", "
                 "\"c++\", \"{files}\"], \"run\": [\"./main\"], "
                 "\"precompiled_header\": {\"header\": \"bits/stdc++.h\", \"dir\": \"%s\"}}]}",
                 dir);
        struct grd_languages *t;
        char err[512];
        assert_int_equal(load_text(json, &t, err, sizeof(err)), 0);
        const struct grd_language *l = grd_language_find(t, "cpp");
        const char *files[] = {"a.cpp", "b.cpp", NULL};
        struct grd_lang_vars v = {.files = files, .main = "a.cpp", .memory_mb = 256};
        struct grd_argv *a = malloc(sizeof(*a));

        /* no .gch: the command as the table has it */
        assert_int_equal(grd_language_expand(l, l->compile, &v, a), 0);
        assert_int_equal(grd_pch_add_include(l, a), 0);
        joined(a, s, sizeof(s));
        assert_string_equal(s, "/usr/bin/g++ -O2 -o main -x c++ a.cpp b.cpp");

        /* a directory of that name is not one either */
        assert_int_equal(grd_pch_file(l, NULL, path, sizeof(path)), 0);
        snprintf(s, sizeof(s), "%s/bits", dir);
        assert_int_equal(mkdir(s, 0755), 0);
        assert_int_equal(mkdir(path, 0755), 0);
        assert_int_equal(grd_pch_add_include(l, a), 0);
        assert_int_equal(rmdir(path), 0);

        /* a regular file: -I dir right after the compiler */
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs("not really a precompiled header", f);
        fclose(f);
        assert_int_equal(grd_pch_add_include(l, a), 1);
        char want[1024];
        snprintf(want, sizeof(want), "/usr/bin/g++ -I%s -O2 -o main -x c++ a.cpp b.cpp", dir);
        joined(a, s, sizeof(s));
        assert_string_equal(s, want);
        assert_null(a->argv[a->argc]);

        unlink(path);
        snprintf(s, sizeof(s), "%s/bits", dir);
        rmdir(s);
        rmdir(dir);
        free(a);
        grd_languages_free(t);
}

static void test_class_data_archive_is_read_and_checked(void **state)
{
        (void)state;
        struct grd_languages *t;
        char err[512];
        assert_int_equal(grd_languages_load(NULL, &t, err, sizeof(err)), 0);
        static const char *const jvm[] = {"java", "kotlin", "scala"};
        for (size_t i = 0; i < sizeof(jvm) / sizeof(jvm[0]); i++)
                assert_string_equal(grd_language_find(t, jvm[i])->cds.dir, "/usr/lib/grader/pch");
        assert_null(grd_language_find(t, "cpp")->cds.dir);
        grd_languages_free(t);

        static const char *const bad[][2] = {
                {"{\"dir\": \"usr/lib/pch\"}", "'dir' is an absolute path"},
                {"{\"dir\": \"/usr/lib/../../tmp\"}", "'dir' is an absolute path"},
                {"{}", "'class_data_archive' must be an object whose 'dir'"},
                {"\"/usr/lib/pch\"", "'class_data_archive' must be an object"},
                {"{\"dir\": \"/usr/lib/pch\", \"size\": 1}",
                 "unknown key 'class_data_archive.size'"},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char keys[512];
                snprintf(keys, sizeof(keys),
                         "\"compile\": [\"/usr/bin/javac\", \"{files}\"], "
                         "\"run\": [\"/usr/bin/java\", \"{class}\"], \"class_data_archive\": %s",
                         bad[i][0]);
                expect_refused(keys, bad[i][1]);
        }
        expect_refused("\"run\": [\"/usr/bin/java\", \"{class}\"], "
                       "\"class_data_archive\": {\"dir\": \"/usr/lib/pch\"}",
                       "'class_data_archive' needs a compile command");
}

/* cmd, from the given words */
static void argv_of(struct grd_argv *a, const char *const *words)
{
        a->argc = a->used = 0;
        a->argv[0] = NULL;
        for (size_t i = 0; words[i]; i++)
                assert_int_equal(grd_argv_add(a, words[i]), 0);
}

static void test_jvm_options_go_after_the_launcher_with_j_for_javac(void **state)
{
        (void)state;
        struct grd_argv *a = malloc(sizeof(*a));
        char s[1024];
        const char *opts[] = {"-Xa", "-Xb=1", NULL};
        argv_of(a, (const char *const[]){"/usr/bin/java", "-Xmx8m", "-cp", ".", "Main", NULL});
        assert_int_equal(grd_jvm_insert(a, opts), 0);
        joined(a, s, sizeof(s));
        assert_string_equal(s, "/usr/bin/java -Xa -Xb=1 -Xmx8m -cp . Main");
        assert_null(a->argv[a->argc]);
        argv_of(a, (const char *const[]){"/usr/bin/javac", "-d", ".", "Main.java", NULL});
        assert_int_equal(grd_jvm_insert(a, opts), 0);
        joined(a, s, sizeof(s));
        assert_string_equal(s, "/usr/bin/javac -J-Xa -J-Xb=1 -d . Main.java");
        /* a launcher alone */
        argv_of(a, (const char *const[]){"java", NULL});
        assert_int_equal(grd_jvm_insert(a, opts), 0);
        joined(a, s, sizeof(s));
        assert_string_equal(s, "java -Xa -Xb=1");
        /* a full command stays as it was */
        a->argc = a->used = 0;
        assert_int_equal(grd_argv_add(a, "/usr/bin/java"), 0);
        while (grd_argv_add(a, "-Xw") == 0)
                ;
        size_t n = a->argc;
        assert_int_equal(grd_jvm_insert(a, opts), -E2BIG);
        assert_int_equal(a->argc, n);
        assert_null(a->argv[n]);
        free(a);
}

static void test_a_jvm_gets_the_archive_only_when_it_is_there(void **state)
{
        (void)state;
        char dir[] = "/tmp/grader-test-cds-XXXXXX", json[1024], path[PATH_MAX], s[2048];
        assert_non_null(mkdtemp(dir));
        snprintf(json, sizeof(json),
                 "{\"languages\": [{\"id\": \"java\", \"extensions\": [\".java\"], "
                 "\"compile\": [\"/usr/bin/javac\", \"-d\", \".\", \"{files}\"], "
                 "\"run\": [\"/usr/bin/java\", \"-cp\", \".\", \"{class}\"], "
                 "\"class_data_archive\": {\"dir\": \"%s\"}}]}",
                 dir);
        struct grd_languages *t;
        char err[512];
        assert_int_equal(load_text(json, &t, err, sizeof(err)), 0);
        const struct grd_language *l = grd_language_find(t, "java");
        const char *files[] = {"Main.java", NULL};
        struct grd_lang_vars v = {.files = files, .main = "Main.java", .memory_mb = 256};
        struct grd_argv *c = malloc(sizeof(*c)), *r = malloc(sizeof(*r));
        assert_int_equal(grd_language_expand(l, l->compile, &v, c), 0);
        assert_int_equal(grd_language_expand(l, l->run, &v, r), 0);

        /* none there: the commands as the table has them */
        assert_int_equal(grd_cds_add_archive(l, GRD_CDS_COMPILE, c), 0);
        assert_int_equal(grd_cds_add_archive(l, GRD_CDS_RUN, r), 0);
        joined(c, s, sizeof(s));
        assert_string_equal(s, "/usr/bin/javac -d . Main.java");

        /* the run's archive only: the run gets it, the compile does not */
        assert_int_equal(grd_cds_file(l, NULL, GRD_CDS_RUN, path, sizeof(path)), 0);
        char want[2048];
        snprintf(want, sizeof(want), "%s/java.run.jsa", dir);
        assert_string_equal(path, want);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fclose(f);
        assert_int_equal(grd_cds_add_archive(l, GRD_CDS_COMPILE, c), 0);
        assert_int_equal(grd_cds_add_archive(l, GRD_CDS_RUN, r), 1);
        joined(r, s, sizeof(s));
        snprintf(want, sizeof(want),
                 "/usr/bin/java -XX:SharedArchiveFile=%s/java.run.jsa -Xlog:disable "
                 "-Xlog:all=warning:stderr -XX:+UnlockDiagnosticVMOptions "
                 "-XX:ArchiveRelocationMode=0 -cp . Main",
                 dir);
        assert_string_equal(s, want);
        unlink(path);

        /* the compile's, with -J for javac; a directory of that name is no archive */
        assert_int_equal(grd_cds_file(l, NULL, GRD_CDS_COMPILE, path, sizeof(path)), 0);
        assert_int_equal(mkdir(path, 0755), 0);
        assert_int_equal(grd_cds_add_archive(l, GRD_CDS_COMPILE, c), 0);
        rmdir(path);
        f = fopen(path, "w");
        assert_non_null(f);
        fclose(f);
        assert_int_equal(grd_cds_add_archive(l, GRD_CDS_COMPILE, c), 1);
        assert_string_equal(c->argv[0], "/usr/bin/javac");
        snprintf(want, sizeof(want), "-J-XX:SharedArchiveFile=%s/java.compile.jsa", dir);
        assert_string_equal(c->argv[1], want);
        assert_string_equal(c->argv[2], "-J-Xlog:disable");
        assert_string_equal(c->argv[c->argc - 1], "Main.java");
        unlink(path);
        rmdir(dir);

        /* another directory (grader pch --dir); a language without archives */
        assert_int_equal(grd_cds_file(l, "/d", GRD_CDS_COMPILE, path, sizeof(path)), 0);
        assert_string_equal(path, "/d/java.compile.jsa");
        grd_languages_free(t);
        assert_int_equal(grd_languages_load(NULL, &t, err, sizeof(err)), 0);
        assert_int_equal(
                grd_cds_file(grd_language_find(t, "c"), NULL, GRD_CDS_RUN, path, sizeof(path)),
                -ENOENT);
        grd_languages_free(t);
        free(c);
        free(r);
}

static void test_the_dump_has_the_jvm_and_options_of_the_command(void **state)
{
        (void)state;
        struct grd_argv *a = malloc(sizeof(*a)), *d = malloc(sizeof(*d));
        char s[2048], err[512];
        /* a java: its options up to the main class, the archive choices left out */
        argv_of(a, (const char *const[]){"/usr/bin/java", "-Xmx256m", "-XX:+UseSerialGC",
                                         "-Xshare:auto", "-XX:SharedArchiveFile=/old.jsa", "-cp",
                                         "/k.jar:.", "--add-opens", "a/b=ALL-UNNAMED", "MainKt",
                                         "-cp", "arg", NULL});
        assert_int_equal(grd_cds_dump_command(a, "/w/l", "/p/.a.jsa.X", d, err, sizeof(err)), 0);
        joined(d, s, sizeof(s));
        assert_string_equal(s, "/usr/bin/java -Xmx256m -XX:+UseSerialGC -cp /k.jar:. "
                               "--add-opens a/b=ALL-UNNAMED -Xshare:dump "
                               "-XX:SharedClassListFile=/w/l -XX:SharedArchiveFile=/p/.a.jsa.X");
        /* -jar and -m end the options too */
        argv_of(a, (const char *const[]){"java", "-Xss8m", "-jar", "x.jar", "-Xbig", NULL});
        assert_int_equal(grd_cds_dump_command(a, "l", "o", d, err, sizeof(err)), 0);
        joined(d, s, sizeof(s));
        assert_string_equal(s, "java -Xss8m -Xshare:dump -XX:SharedClassListFile=l "
                               "-XX:SharedArchiveFile=o");
        /* not a JVM: refused, naming it */
        argv_of(a, (const char *const[]){"/bin/sh", "-c", "true", NULL});
        assert_int_equal(grd_cds_dump_command(a, "l", "o", d, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "'/bin/sh' is not a JVM launcher"));
        /* javac: the java of its JDK, and its -J options only */
        char real[PATH_MAX];
        if (realpath("/usr/bin/javac", real)) {
                argv_of(a,
                        (const char *const[]){"/usr/bin/javac", "-encoding", "UTF-8", "-J-Xmx512m",
                                              "-J-Xshare:auto", "-d", ".", "Main.java", NULL});
                assert_int_equal(grd_cds_dump_command(a, "l", "o", d, err, sizeof(err)), 0);
                *strrchr(real, '/') = '\0';
                char want[PATH_MAX + 128];
                snprintf(want, sizeof(want),
                         "%s/java -Xmx512m -Xshare:dump -XX:SharedClassListFile=l "
                         "-XX:SharedArchiveFile=o",
                         real);
                joined(d, s, sizeof(s));
                assert_string_equal(s, want);
        }
        free(a);
        free(d);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_the_shipped_table_has_every_language_with_a_package),
                cmocka_unit_test(test_aliases_are_domjudge_ids_and_extensions_are_kattis),
                cmocka_unit_test(test_kotlin_class_follows_kotlinc),
                cmocka_unit_test(test_new_keys_are_read_and_checked),
                cmocka_unit_test(test_a_language_is_installed_when_its_programs_are),
                cmocka_unit_test(test_precompiled_header_is_read_and_checked),
                cmocka_unit_test(test_precompiled_header_command_keeps_the_compile_flags),
                cmocka_unit_test(test_a_compile_gets_the_include_dir_only_when_the_gch_is_there),
                cmocka_unit_test(test_class_data_archive_is_read_and_checked),
                cmocka_unit_test(test_jvm_options_go_after_the_launcher_with_j_for_javac),
                cmocka_unit_test(test_a_jvm_gets_the_archive_only_when_it_is_there),
                cmocka_unit_test(test_the_dump_has_the_jvm_and_options_of_the_command),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
