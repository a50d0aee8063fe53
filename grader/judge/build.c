/* SPDX-License-Identifier: MIT */
/* Compiling a submission and running the result, each in the sandbox. */
#include "build.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

#define COMPILE_OUTPUT_KEEP (64u << 10) /* compiler messages kept for the result */
#define TREE_MAX_FILES      10000
#define TREE_MAX_BYTES      (512u << 20)

int grd_env_init(struct grd_env *env, const struct sbx_policy *policy, unsigned slot,
                 const char *base)
{
        memset(env, 0, sizeof(*env));
        env->policy = policy;
        env->slot = slot;
        if (!base) {
                base = getenv("TMPDIR");
                if (!base || base[0] != '/')
                        base = "/tmp";
        }
        int r = cmn_mkdir_p(base, 0755);
        if (r < 0)
                return r;
        /* the sandbox binds work dirs by absolute path */
        char abs[PATH_MAX];
        if (!realpath(base, abs))
                return -errno;
        /* The caller holds this slot's lock: a work root of this slot is a dead grader's
         * (killed with -9, say) and nobody else's. */
        char prefix[32];
        int pl = snprintf(prefix, sizeof(prefix), "grader-%u-", slot);
        DIR *d = opendir(abs);
        struct dirent *de;
        while (d && (de = readdir(d))) {
                char stale[PATH_MAX];
                if (!strncmp(de->d_name, prefix, (size_t)pl) &&
                    strlen(de->d_name) == (size_t)pl + 6 &&
                    cmn_join(stale, sizeof(stale), abs, de->d_name) == 0)
                        cmn_rmtree(stale);
        }
        if (d)
                closedir(d);
        if (snprintf(env->workroot, sizeof(env->workroot), "%s/grader-%u-XXXXXX", abs, slot) >=
            (int)sizeof(env->workroot))
                return -ENAMETOOLONG;
        if (!mkdtemp(env->workroot))
                return -errno;
        /* the grader's alone: a program works in its own work area, never in here */
        if (chmod(env->workroot, 0700) < 0)
                return -errno;
        return 0;
}

void grd_env_release(struct grd_env *env)
{
        if (env->workroot[0])
                cmn_rmtree(env->workroot);
        env->workroot[0] = '\0';
}

static int fresh_dir(struct grd_env *env, const char *what, char *out, size_t n)
{
        if (snprintf(out, n, "%s/%s-%lu", env->workroot, what, ++env->seq) >= (int)n)
                return -ENAMETOOLONG;
        if (mkdir(out, 0755) < 0)
                return -errno;
        return 0;
}

static bool plain_name(const char *s)
{
        return s && *s && strcmp(s, ".") && strcmp(s, "..") && !strchr(s, '/') && strlen(s) < 200;
}

static int copy_at(int sfd, int dfd, int depth, size_t *files, size_t *bytes, size_t max_files,
                   size_t max_bytes)
{
        if (depth > 16)
                return -ELOOP;
        DIR *d = fdopendir(sfd);
        if (!d) {
                close(sfd);
                return -errno;
        }
        int r = 0;
        struct dirent *de;
        while (r == 0 && (de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                if (++*files > max_files) {
                        r = -EFBIG;
                        break;
                }
                struct stat st;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        int s2 = openat(dirfd(d), de->d_name,
                                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (s2 < 0)
                                continue;
                        if (mkdirat(dfd, de->d_name, 0755) < 0 && errno != EEXIST) {
                                r = -errno;
                                close(s2);
                                break;
                        }
                        int d2 = openat(dfd, de->d_name,
                                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (d2 < 0) {
                                r = -errno;
                                close(s2);
                                break;
                        }
                        r = copy_at(s2, d2, depth + 1, files, bytes, max_files, max_bytes);
                        close(d2);
                        continue;
                }
                if (!S_ISREG(st.st_mode))
                        continue; /* symlinks, fifos, devices: never followed, never copied */
                int in = openat(dirfd(d), de->d_name,
                                O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
                if (in < 0)
                        continue;
                mode_t mode = (st.st_mode & 0111) ? 0755 : 0644;
                int out = openat(dfd, de->d_name,
                                 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
                if (out < 0) {
                        r = -errno;
                        close(in);
                        break;
                }
                char buf[65536];
                for (;;) {
                        ssize_t k = read(in, buf, sizeof(buf));
                        if (k <= 0) {
                                if (k < 0)
                                        r = -errno;
                                break;
                        }
                        *bytes += (size_t)k;
                        if (*bytes > max_bytes) {
                                r = -EFBIG;
                                break;
                        }
                        if (write(out, buf, (size_t)k) != k) {
                                r = -errno;
                                break;
                        }
                }
                close(in);
                if (close(out) < 0 && r == 0)
                        r = -errno;
        }
        closedir(d);
        return r;
}

int grd_copy_tree(const char *src, const char *dst, size_t max_files, size_t max_bytes)
{
        int sfd = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sfd < 0)
                return -errno;
        if (mkdir(dst, 0755) < 0 && errno != EEXIST) {
                int e = -errno;
                close(sfd);
                return e;
        }
        int dfd = open(dst, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0) {
                int e = -errno;
                close(sfd);
                return e;
        }
        size_t files = 0, bytes = 0;
        int r = copy_at(sfd, dfd, 0, &files, &bytes, max_files, max_bytes);
        close(dfd);
        return r;
}

static void apply_lang_limits(struct sbx_limits *l, const struct grd_lang_limits *ll)
{
        if (ll->processes)
                l->processes = ll->processes;
        if (ll->memory_mode_set)
                l->memory_mode = ll->memory_mode;
}

/* Read back at most COMPILE_OUTPUT_KEEP bytes of a capture file as UTF-8. */
static char *read_capture(int fd)
{
        char *buf = malloc(COMPILE_OUTPUT_KEEP);
        if (!buf)
                return NULL;
        ssize_t n = pread(fd, buf, COMPILE_OUTPUT_KEEP, 0);
        if (n < 0)
                n = 0;
        bool trunc;
        char *s = cmn_utf8_sanitize(buf, (size_t)n, COMPILE_OUTPUT_KEEP, &trunc);
        free(buf);
        return s;
}

int grd_compile(struct grd_env *env, const struct grd_language *lang, const struct grd_source *src,
                size_t n, struct grd_compiled *out, char *err, size_t errlen)
{
        memset(out, 0, sizeof(*out));
        if (n == 0 || n > 64) {
                snprintf(err, errlen, "a submission needs 1 to 64 files");
                return -EINVAL;
        }
        const char *names[65];
        for (size_t i = 0; i < n; i++) {
                if (!plain_name(src[i].name)) {
                        snprintf(err, errlen, "file name '%s' is not a plain file name",
                                 src[i].name ? src[i].name : "");
                        return -EINVAL;
                }
                names[i] = src[i].name;
        }
        names[n] = NULL;
        cmn_strlcpy(out->main, grd_language_main_file(names), sizeof(out->main));
        int r = fresh_dir(env, "compile", out->dir, sizeof(out->dir));
        if (r < 0) {
                snprintf(err, errlen, "creating a compile dir: %s", strerror(-r));
                return r;
        }
        for (size_t i = 0; i < n; i++) {
                char path[PATH_MAX];
                if (cmn_join(path, sizeof(path), out->dir, src[i].name) < 0)
                        return -ENAMETOOLONG;
                int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (fd < 0 || write(fd, src[i].data, src[i].len) != (ssize_t)src[i].len) {
                        r = -errno;
                        if (fd >= 0)
                                close(fd);
                        snprintf(err, errlen, "writing '%s': %s", src[i].name, strerror(-r));
                        return r;
                }
                close(fd);
        }
        if (!lang->compile) {
                out->ok = true;
                return 0;
        }

        char *argv[GRD_LANG_MAX_ARGS + 1];
        char store[8192];
        struct grd_lang_vars vars = {.files = names, .main = out->main, .memory_mb = 256};
        if (grd_language_expand(lang, lang->compile, &vars, argv, store, sizeof(store)) < 0) {
                snprintf(err, errlen, "the compile command of '%s' is too long", lang->id);
                return -E2BIG;
        }
        char cap[PATH_MAX];
        if (snprintf(cap, sizeof(cap), "%s/compile-output-%lu.txt", env->workroot, env->seq) >=
            (int)sizeof(cap))
                return -ENAMETOOLONG;
        int cfd = open(cap, O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
        if (cfd < 0) {
                r = -errno;
                snprintf(err, errlen, "creating '%s': %s", cap, strerror(errno));
                return r;
        }
        unlink(cap);
        struct sbx_config cfg = {.argv = (const char *const *)argv,
                                 .workdir = out->dir,
                                 .stdin_fd = -1,
                                 .stdout_fd = cfd,
                                 .stderr_fd = cfd,
                                 .slot = env->slot};
        sbx_limits_default(&cfg.limits);
        const struct grd_lang_limits *cl = &lang->compile_limits;
        cfg.limits.cpu_time = cl->time ? cl->time : 10;
        cfg.limits.wall_time = 2 * cfg.limits.cpu_time + 5;
        cfg.limits.memory = cl->memory ? cl->memory : (1ull << 30);
        cfg.limits.output = cl->output ? cl->output : (64u << 10);
        cfg.limits.processes = 16;
        cfg.limits.open_files = 256;
        apply_lang_limits(&cfg.limits, cl);
        r = sbx_run_cancellable(env->policy, &cfg, env->cancel, &out->res);
        if (r < 0) {
                close(cfd);
                snprintf(err, errlen, "running the compiler: %s", strerror(-r));
                return r;
        }
        out->output = read_capture(cfd);
        close(cfd);
        out->time = out->res.cpu_time;
        switch (out->res.status) {
        case SBX_STATUS_OK:
                out->ok = true;
                break;
        case SBX_STATUS_IE:
        case SBX_STATUS_SV:
                /* a compiler touching a forbidden call is our allow-list's fault */
                out->internal_error = true;
                break;
        case SBX_STATUS_RE:
        case SBX_STATUS_TLE:
        case SBX_STATUS_MLE:
        case SBX_STATUS_OLE:
                break;
        }
        return 0;
}

void grd_compiled_release(struct grd_compiled *c)
{
        if (c->dir[0])
                cmn_rmtree(c->dir);
        c->dir[0] = '\0';
        free(c->output);
        c->output = NULL;
}

int grd_run_compiled(struct grd_env *env, const struct grd_language *lang,
                     const struct grd_compiled *c, const struct grd_run_limits *lim,
                     const char *stdin_path, int stdout_fd, int stderr_fd, struct sbx_result *res,
                     char *err, size_t errlen)
{
        char dir[PATH_MAX];
        int r = fresh_dir(env, "run", dir, sizeof(dir));
        if (r < 0) {
                snprintf(err, errlen, "creating a run dir: %s", strerror(-r));
                return r;
        }
        /* the compiled dir is copied, so one test cannot leave anything for the next */
        rmdir(dir);
        r = grd_copy_tree(c->dir, dir, TREE_MAX_FILES, TREE_MAX_BYTES);
        if (r < 0) {
                snprintf(err, errlen, "copying the compiled program: %s", strerror(-r));
                cmn_rmtree(dir);
                return r;
        }
        int in = -1;
        if (stdin_path && (in = open(stdin_path, O_RDONLY | O_CLOEXEC)) < 0) {
                r = -errno;
                snprintf(err, errlen, "opening '%s': %s", stdin_path, strerror(errno));
                cmn_rmtree(dir);
                return r;
        }
        const struct grd_lang_limits *rl = &lang->run_limits;
        /* {memory_mb} is the whole sandbox limit (the heap may use all of it) */
        unsigned mem_mb = (unsigned)((lim->memory + rl->extra_memory) >> 20);
        char *argv[GRD_LANG_MAX_ARGS + 1];
        char store[8192];
        const char *files[] = {c->main, NULL};
        struct grd_lang_vars vars = {.files = files, .main = c->main, .memory_mb = mem_mb};
        if (grd_language_expand(lang, lang->run, &vars, argv, store, sizeof(store)) < 0) {
                if (in >= 0)
                        close(in);
                cmn_rmtree(dir);
                snprintf(err, errlen, "the run command of '%s' is too long", lang->id);
                return -E2BIG;
        }
        struct sbx_config cfg = {.argv = (const char *const *)argv,
                                 .workdir = dir,
                                 .stdin_fd = in,
                                 .stdout_fd = stdout_fd,
                                 .stderr_fd = stderr_fd,
                                 .slot = env->slot};
        sbx_limits_default(&cfg.limits);
        double mult = rl->time_multiplier > 0 ? rl->time_multiplier : 1.0;
        cfg.limits.cpu_time = lim->time * mult;
        cfg.limits.wall_time = lim->wall > 0 ? lim->wall : 2 * cfg.limits.cpu_time + 1;
        cfg.limits.memory = lim->memory + rl->extra_memory;
        cfg.limits.output = lim->output;
        apply_lang_limits(&cfg.limits, rl);
        r = sbx_run_cancellable(env->policy, &cfg, env->cancel, res);
        if (r == 0 && res->status == SBX_STATUS_RE && rl->memory_exit_code &&
            res->exit_code == rl->memory_exit_code) {
                /* the runtime refused an allocation at its own heap limit and said so */
                res->status = SBX_STATUS_MLE;
                snprintf(res->message, sizeof(res->message),
                         "the runtime ran out of memory (exit status %d)", res->exit_code);
        }
        if (in >= 0)
                close(in);
        cmn_rmtree(dir);
        if (r < 0)
                snprintf(err, errlen, "running the program: %s", strerror(-r));
        return r;
}
