/* SPDX-License-Identifier: MIT */
/* A by-hand grading session: set-up shared by `grader run` and `grader verify`. */
#include "session.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"

#define SOURCE_MAX (4u << 20)

int grd_session_init(struct grd_session *l, const char *languages_path)
{
        memset(l, 0, sizeof(*l));
        l->slot_fd = -1;
        char err[512];
        if (grd_languages_load(languages_path, &l->langs, err, sizeof(err)) < 0)
                return grd_error("%s", err);
        struct sbx_policy_opts popts = {0};
        if (grd_uid_base_from_env(&popts.uid_base) != 0) {
                grd_session_release(l);
                return GRD_EXIT_USAGE;
        }
        int r = sbx_policy_new(&popts, &l->policy, err, sizeof(err));
        if (r < 0) {
                grd_session_release(l);
                return grd_error("the sandbox cannot start here: %s", err);
        }
        unsigned slot;
        r = sbx_slot_acquire(l->policy, 0, GRD_SLOT_COUNT, &slot, &l->slot_fd);
        if (r < 0) {
                grd_session_release(l);
                return grd_error("no free sandbox slot: %s", strerror(-r));
        }
        r = grd_env_init(&l->env, l->policy, slot, NULL);
        if (r < 0) {
                grd_session_release(l);
                return grd_error("creating a work dir: %s", strerror(-r));
        }
        return 0;
}

void grd_session_release(struct grd_session *l)
{
        grd_env_release(&l->env);
        sbx_slot_release(l->slot_fd);
        l->slot_fd = -1;
        sbx_policy_free(l->policy);
        l->policy = NULL;
        grd_languages_free(l->langs);
        l->langs = NULL;
}

struct grd_problem *grd_session_problem(const char *dir)
{
        struct grd_problem *p;
        char err[1024];
        struct grd_problem_defaults d = {0};
        if (grd_problem_load(dir, &d, &p, err, sizeof(err)) < 0) {
                grd_error("%s: %s", dir, err);
                return NULL;
        }
        return p;
}

void grd_session_warnings(const char *dir, const struct grd_problem *p, const char *prefix)
{
        for (size_t i = 0; i < p->n_warnings; i++)
                grd_error("%s: %s: %s", prefix, dir, p->warnings[i]);
        if (p->n_warnings_dropped)
                grd_error("%s: %s: %zu more", prefix, dir, p->n_warnings_dropped);
}

void grd_term_write(FILE *f, const char *s, size_t max)
{
        const unsigned char *u = (const unsigned char *)s;
        for (size_t i = 0; i < max && u[i]; i++) {
                unsigned char c = u[i];
                /* U+0080..U+009F (C1 controls, CSI among them) are C2 80..C2 9F in UTF-8 */
                bool c1 = c == 0xc2 && i + 1 < max && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f;
                if (c1) {
                        fprintf(f, "\\x%02x", u[++i]);
                } else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
                        fprintf(f, "\\x%02x", c);
                } else {
                        fputc(c, f);
                }
        }
}

int grd_files_read(struct grd_files *f, char *const *paths, size_t n, char *err, size_t errlen)
{
        memset(f, 0, sizeof(*f));
        if (n > CMN_ARRAY_SIZE(f->src)) {
                snprintf(err, errlen, "at most %zu files make a submission",
                         CMN_ARRAY_SIZE(f->src));
                return -E2BIG;
        }
        for (size_t i = 0; i < n; i++) {
                char *buf;
                size_t len;
                int r = cmn_read_file(paths[i], SOURCE_MAX, &buf, &len);
                if (r < 0) {
                        snprintf(err, errlen, "cannot read '%s': %s", paths[i],
                                 r == -EFBIG ? "larger than 4 MiB" : strerror(-r));
                        grd_files_release(f);
                        return r;
                }
                const char *base = strrchr(paths[i], '/');
                f->names[i] = strdup(base ? base + 1 : paths[i]);
                f->data[i] = (unsigned char *)buf;
                f->src[i] = (struct grd_source){f->names[i], f->data[i], len};
                f->n = i + 1;
        }
        return 0;
}

void grd_files_release(struct grd_files *f)
{
        for (size_t i = 0; i < f->n; i++) {
                free(f->names[i]);
                free(f->data[i]);
        }
        f->n = 0;
}

int grd_uid_base_from_env(unsigned *ret)
{
        *ret = 0;
        const char *v = getenv("GRADER_UID_BASE");
        unsigned long ul;
        if (!v || !*v)
                return 0;
        if (cmn_parse_uint(v, 1000, 4000000000ul, &ul) < 0)
                return grd_error("GRADER_UID_BASE: '%s' is not a uid in 1000..4000000000", v);
        *ret = (unsigned)ul;
        return 0;
}
