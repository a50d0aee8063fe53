/* SPDX-License-Identifier: MIT */
/*
 * The settings table of `grader serve` (grader/service/config.c) against what is written about
 * it: each row is well formed and unique, every row's flag and variable are in the man page's
 * `grader serve` section (and the section lists no flag the table lacks), every row is a line of
 * docs/service.md's settings table with its key, variable and flag, and a bad value from each
 * source is refused naming that source.
 *
 * usage: test_settings MANPAGE SERVICE_MD
 */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"
#include "config.h"

int main(int argc, char **argv);

static const char *manpage, *service_md;

static char *slurp(const char *path)
{
        FILE *f = fopen(path, "re");
        char *buf = f ? calloc(1, 1 << 20) : NULL;
        if (!buf) {
                fprintf(stderr, "cannot read '%s'\n", path);
                abort();
        }
        size_t n = fread(buf, 1, (1 << 20) - 1, f);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

/* The man page's `grader serve` section, with roff's "\-" as "-". */
static char *serve_section(void)
{
        char *text = slurp(manpage);
        char *out = calloc(1, strlen(text) + 1), *o = out;
        const char *start = strstr(text, ".SS \"grader serve");
        assert_non_null(start);
        const char *end = strstr(start + 4, "\n.SS ");
        for (const char *p = start; *p && (!end || p < end); p++) {
                if (p[0] == '\\' && p[1] == '-')
                        p++;
                *o++ = *p;
        }
        free(text);
        return out;
}

static void test_rows_are_well_formed_and_unique(void **state)
{
        (void)state;
        assert_true(grd_settings_count > 20);
        for (size_t i = 0; i < grd_settings_count; i++) {
                const struct grd_setting *s = &grd_settings[i];
                assert_non_null(s->key);
                assert_non_null(s->help);
                assert_int_equal(strncmp(s->env, "GRADER_", 7), 0);
                assert_true(s->offset < sizeof(struct grd_config));
                if (!s->arg)
                        assert_int_equal(s->type, GRD_SETTING_BOOL);
                if (s->type == GRD_SETTING_CHOICE)
                        assert_non_null(s->choices);
                for (size_t j = 0; j < i; j++) {
                        assert_string_not_equal(s->key, grd_settings[j].key);
                        assert_string_not_equal(s->env, grd_settings[j].env);
                        assert_string_not_equal(s->flag, grd_settings[j].flag);
                        assert_int_not_equal(s->offset, grd_settings[j].offset);
                }
                assert_ptr_equal(grd_setting_find(s->key), s);
        }
        assert_null(grd_setting_find("colour"));
}

static void test_every_row_is_in_the_man_page_and_no_other_flag(void **state)
{
        (void)state;
        char *sec = serve_section();
        for (size_t i = 0; i < grd_settings_count; i++) {
                const struct grd_setting *s = &grd_settings[i];
                char want[128];
                snprintf(want, sizeof(want), "--%s%s", s->flag, s->arg ? " " : "\n");
                if (!strstr(sec, want))
                        fail_msg("man page: no entry '--%s' in the grader serve section", s->flag);
                snprintf(want, sizeof(want), "$%s", s->env);
                if (!strstr(sec, want))
                        fail_msg("man page: '%s' is not in the grader serve section", want);
        }
        /* every option entry of the section (".BI --flag" or ".B --flag") is a row */
        for (const char *p = sec; (p = strstr(p, "\n.B")); p++) {
                const char *f = strstr(p, " --");
                if (!f || strchr(p + 1, '\n') < f)
                        continue;
                char flag[64];
                size_t n = strspn(f + 3, "abcdefghijklmnopqrstuvwxyz-");
                snprintf(flag, sizeof(flag), "%.*s", (int)n, f + 3);
                bool known = !strcmp(flag, "config") || !strcmp(flag, "help");
                for (size_t i = 0; i < grd_settings_count && !known; i++)
                        known = !strcmp(grd_settings[i].flag, flag);
                if (!known)
                        fail_msg("man page: '--%s' is not a setting of the table", flag);
        }
        free(sec);
}

static void test_every_row_is_in_the_settings_table_of_service_md(void **state)
{
        (void)state;
        char *md = slurp(service_md);
        for (size_t i = 0; i < grd_settings_count; i++) {
                const struct grd_setting *s = &grd_settings[i];
                char row[256];
                snprintf(row, sizeof(row), "| `%s` | `%s` | `--%s` |", s->key, s->env, s->flag);
                if (!strstr(md, row))
                        fail_msg("docs/service.md: no row starting '%s'", row);
        }
        /* and no row for a setting the table does not have: "| `key` | `GRADER_...` |" */
        for (char *line = strtok(md, "\n"); line; line = strtok(NULL, "\n")) {
                char key[64];
                int end = 0; /* set only when the whole pattern matched */
                if (sscanf(line, "| `%63[a-z_]` | `GRADER_%n", key, &end) == 1 && end > 0 &&
                    !grd_setting_find(key))
                        fail_msg("docs/service.md: a row for '%s', which is not a setting", key);
        }
        free(md);
}

static void test_bad_values_are_refused_naming_their_source(void **state)
{
        (void)state;
        static const struct {
                const char *key, *value;
        } bad[] = {
                {"api_url", "ftp://x"}, {"workers", "abc"},      {"workers", "257"},
                {"queues", " , "},      {"cache_max", "1M"},     {"log_format", "xml"},
                {"log_level", "loud"},  {"claim_wait", "-1"},    {"default_time_limit", "0"},
                {"unready_after", "0"}, {"selftest", "perhaps"}, {"give_up_after", "0"},
                {"uid_base", "abc"},    {"uid_base", "999"},     {"grader_id", ""},
        };
        struct grd_config c;
        grd_config_defaults(&c);
        char err[512];
        for (size_t i = 0; i < CMN_ARRAY_SIZE(bad); i++) {
                const struct grd_setting *s = grd_setting_find(bad[i].key);
                assert_non_null(s);
                char origin[80];
                snprintf(origin, sizeof(origin), "$%s", s->env);
                setenv(s->env, bad[i].value, 1);
                int r = grd_config_load_env(&c, err, sizeof(err));
                unsetenv(s->env);
                if (!*bad[i].value) /* an empty variable is not set at all */
                        r = grd_config_apply(&c, s, bad[i].value, origin, err, sizeof(err));
                assert_int_equal(r, -EINVAL);
                assert_non_null(strstr(err, origin));
                assert_non_null(strstr(err, bad[i].value));
        }
        grd_config_release(&c);
}

static void test_each_type_parses_its_values(void **state)
{
        (void)state;
        struct grd_config c;
        grd_config_defaults(&c);
        char err[512];
        assert_int_equal(grd_config_set(&c, "log_level", "debug", "t", err, sizeof(err)), 0);
        assert_int_equal(c.log_level, 0);
        assert_int_equal(grd_config_set(&c, "log_format", "text", "t", err, sizeof(err)), 0);
        assert_int_equal(c.log_format, 2);
        assert_int_equal(grd_config_set(&c, "cache_max", "1G", "t", err, sizeof(err)), 0);
        assert_true(c.cache_max == 1ull << 30);
        assert_int_equal(grd_config_set(&c, "give_up_after", "2.5", "t", err, sizeof(err)), 0);
        assert_true(c.give_up_after == 2.5);
        assert_int_equal(grd_config_set(&c, "exit_when_idle", "yes", "t", err, sizeof(err)), 0);
        assert_true(c.exit_when_idle);
        assert_int_equal(grd_config_set(&c, "metrics_listen", ":9464", "t", err, sizeof(err)), 0);
        assert_string_equal(c.metrics_listen, ":9464");
        assert_int_equal(grd_config_set(&c, "metrics_listen", "", "t", err, sizeof(err)), 0);
        assert_null(c.metrics_listen); /* "" turns it off */
        /* the switches: --no-selftest sets false, --exit-when-idle true */
        assert_int_equal(grd_config_apply(&c, grd_setting_find("selftest"), NULL, "--no-selftest",
                                          err, sizeof(err)),
                         0);
        assert_false(c.selftest);
        assert_int_equal(grd_config_set(&c, "queues", "a, b,,c", "t", err, sizeof(err)), 0);
        assert_string_equal(c.queues[2], "c");
        assert_null(c.queues[3]);
        /* a refused list leaves the old one */
        assert_int_equal(grd_config_set(&c, "queues", ",", "t", err, sizeof(err)), -EINVAL);
        assert_string_equal(c.queues[0], "a");
        grd_config_release(&c);
}

int main(int argc, char **argv)
{
        if (argc != 3) {
                fprintf(stderr, "usage: test_settings MANPAGE SERVICE_MD\n");
                return 2;
        }
        manpage = argv[1];
        service_md = argv[2];
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rows_are_well_formed_and_unique),
                cmocka_unit_test(test_every_row_is_in_the_man_page_and_no_other_flag),
                cmocka_unit_test(test_every_row_is_in_the_settings_table_of_service_md),
                cmocka_unit_test(test_bad_values_are_refused_naming_their_source),
                cmocka_unit_test(test_each_type_parses_its_values),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
