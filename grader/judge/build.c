/* SPDX-License-Identifier: MIT */
/*
 * Compiling a program and running the result, each in the sandbox.
 *
 * A compile runs the language's command in a directory holding the program's files. Its
 * messages go into a pipe read by a thread of ours, which keeps the first bytes and stops the
 * compiler (through a cancel token sbx_run_cancellable polls) when it says more, the way the
 * sandbox stops a program at its output limit; the sandbox's own output limit, which is also
 * the file-size limit, stays large enough for object files and binaries. A run copies the
 * compiled directory afresh, so one test can leave nothing behind for the next.
 */
#include "build.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cds.h"
#include "common.h"
#include "java.h"
#include "pch.h"

#define TREE_MAX_FILES     10000 /* entries of a compiled directory copied for a run */
#define TREE_MAX_BYTES     (512u << 20)
#define SOURCE_MAX         (16u << 20) /* bytes of one source read back for the Java scan */
#define READER_TICK_MS     20          /* how often the reader looks at the outer cancel token */
#define COMPILE_OPEN_FILES 256         /* compilers open many headers at once */

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
        if (env->pair_slot_held)
                sbx_slot_release(env->pair_slot_fd);
        env->pair_slot_held = false;
        if (env->workroot[0])
                cmn_rmtree(env->workroot);
        env->workroot[0] = '\0';
}

int grd_env_fresh_dir(struct grd_env *env, const char *what, char *out, size_t n)
{
        if (snprintf(out, n, "%s/%s-%lu", env->workroot, what, ++env->seq) >= (int)n)
                return -ENAMETOOLONG;
        if (mkdir(out, 0755) < 0)
                return -errno;
        return 0;
}

double grd_wall_limit(double cpu)
{
        double a = cpu * GRD_WALL_FACTOR, b = cpu + GRD_WALL_EXTRA;
        return a > b ? a : b;
}

int grd_capture_open(struct grd_env *env, const char *what)
{
        char path[PATH_MAX];
        if (snprintf(path, sizeof(path), "%s/%s-%lu", env->workroot, what, ++env->seq) >=
            (int)sizeof(path))
                return -ENAMETOOLONG;
        int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        unlink(path);
        return fd;
}

char *grd_capture_read(int fd, size_t cap, bool *ret_truncated)
{
        struct stat st;
        size_t size = fstat(fd, &st) == 0 ? (size_t)st.st_size : 0;
        size_t want = size < cap ? size : cap;
        char *buf = malloc(want + 4);
        if (!buf)
                return NULL;
        /* read a little past the cap so a character cut at the cap can be told from junk */
        ssize_t n = pread(fd, buf, want + (size > want ? 3 : 0), 0);
        if (n < 0)
                n = 0;
        bool trunc = false;
        char *s = cmn_utf8_sanitize(buf, (size_t)n, want, &trunc);
        free(buf);
        *ret_truncated = size > want || trunc;
        return s;
}

static bool plain_name(const char *s)
{
        return s && *s && strcmp(s, ".") && strcmp(s, "..") && !strchr(s, '/') && strlen(s) < 200;
}

static void apply_lang_limits(struct sbx_limits *l, const struct grd_lang_limits *ll)
{
        if (ll->processes)
                l->processes = ll->processes;
        if (ll->memory_mode_set)
                l->memory_mode = ll->memory_mode;
        if (ll->stack)
                l->stack = ll->stack;
        if (ll->open_files)
                l->open_files = ll->open_files;
        l->seccomp_addition = ll->seccomp;
}

/*
 * A language's environment templates expanded into env (NULL-terminated, pointing into its
 * store). Return: 0 or -E2BIG.
 */
static int expand_env(const struct grd_language *lang, char *const *tmpl,
                      const struct grd_lang_vars *v, struct grd_argv *env)
{
        env->argc = env->used = 0;
        env->argv[0] = NULL;
        return lang && tmpl ? grd_language_expand(lang, tmpl, v, env) : 0;
}

/* The compile limits of a language, each unset field taken from grd_default_compile_limits. */
static struct grd_lang_limits compile_limits(const struct grd_language *lang)
{
        const struct grd_lang_limits *d = &grd_default_compile_limits;
        struct grd_lang_limits l = lang ? lang->compile_limits : *d;
        if (!l.time)
                l.time = d->time;
        if (!l.memory)
                l.memory = d->memory;
        if (!l.output)
                l.output = d->output;
        if (!l.file_size)
                l.file_size = d->file_size;
        if (!l.scratch)
                l.scratch = d->scratch;
        if (!l.processes)
                l.processes = d->processes;
        return l;
}

/* The compiler's messages: a pipe drained by a thread that keeps the first `cap` bytes. */
struct messages {
        int rd, wr;
        char *buf;
        size_t cap, len;
        uint64_t total;
        bool flooded;             /* more than cap bytes: the compiler was stopped */
        struct sbx_cancel stop;   /* what sbx_run_cancellable polls */
        struct sbx_cancel *outer; /* the caller's token (a lost lease), may be NULL */
        int done;                 /* set once the run has ended */
        pthread_t thread;
};

static void messages_take(struct messages *m, const char *data, size_t n)
{
        if (m->len < m->cap) {
                size_t keep = n < m->cap - m->len ? n : m->cap - m->len;
                memcpy(m->buf + m->len, data, keep);
                m->len += keep;
        }
        m->total += n;
        if (m->total > m->cap && !m->flooded) {
                m->flooded = true;
                sbx_cancel(&m->stop);
        }
}

static void *messages_loop(void *arg)
{
        struct messages *m = arg;
        char chunk[16384];
        for (;;) {
                if (m->outer && __atomic_load_n(&m->outer->cancelled, __ATOMIC_SEQ_CST))
                        sbx_cancel(&m->stop);
                struct pollfd pfd = {.fd = m->rd, .events = POLLIN};
                int k = poll(&pfd, 1, READER_TICK_MS);
                bool done = __atomic_load_n(&m->done, __ATOMIC_SEQ_CST);
                if (k <= 0 && !done)
                        continue;
                ssize_t n = read(m->rd, chunk, sizeof(chunk));
                if (n > 0) {
                        messages_take(m, chunk, (size_t)n);
                        continue;
                }
                if (n == 0 || done || (errno != EINTR && errno != EAGAIN))
                        break; /* the end of the pipe, or the run is over and the pipe empty */
        }
        return NULL;
}

static int messages_start(struct messages *m, size_t cap, struct sbx_cancel *outer)
{
        *m = (struct messages){.rd = -1, .wr = -1, .cap = cap, .outer = outer};
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        m->rd = fds[0];
        m->wr = fds[1];
        int r = 0;
        if (fcntl(m->rd, F_SETFL, O_NONBLOCK) < 0)
                r = -errno;
        else if (!(m->buf = malloc(cap ? cap : 1)))
                r = -ENOMEM;
        else if ((r = -pthread_create(&m->thread, NULL, messages_loop, m)) == 0)
                return 0;
        close(m->rd);
        close(m->wr);
        free(m->buf);
        m->buf = NULL;
        return r;
}

/*
 * End the reader once the run is over: every byte the sandbox copied is in the pipe by then.
 * (A copy of the write end held by another run's sandbox child must not keep us waiting, so
 * the reader stops at an empty pipe instead of waiting for its end.)
 */
static char *messages_finish(struct messages *m)
{
        close(m->wr);
        __atomic_store_n(&m->done, 1, __ATOMIC_SEQ_CST);
        pthread_join(m->thread, NULL);
        close(m->rd);
        bool trunc = false;
        char *s = cmn_utf8_sanitize(m->buf, m->len, m->cap, &trunc);
        free(m->buf);
        m->buf = NULL;
        return s;
}

/* Run argv as a compiler (or a build script) in out->dir under the limits l. */
static int run_compiler(struct grd_env *env, char *const *argv, char *const *envv,
                        const struct grd_lang_limits *l, struct grd_compiled *out, char *err,
                        size_t errlen)
{
        struct messages m;
        int r = messages_start(&m, (size_t)l->output, env->cancel);
        if (r < 0) {
                snprintf(err, errlen, "capturing the compiler's messages: %s", strerror(-r));
                return r;
        }
        struct sbx_config cfg = {.argv = (const char *const *)argv,
                                 .env = (const char *const *)envv,
                                 .workdir = out->dir,
                                 .stdin_fd = -1,
                                 .stdout_fd = m.wr,
                                 .stderr_fd = m.wr,
                                 .slot = env->slot};
        sbx_limits_default(&cfg.limits);
        cfg.limits.cpu_time = l->time;
        cfg.limits.wall_time = 2 * l->time + 5; /* compilers read many files; be generous */
        cfg.limits.memory = l->memory;
        cfg.limits.output = l->file_size;
        cfg.limits.tmp_size = l->scratch;
        cfg.limits.processes = l->processes;
        cfg.limits.open_files = COMPILE_OPEN_FILES;
        apply_lang_limits(&cfg.limits, l);
        r = sbx_run_cancellable(env->policy, &cfg, &m.stop, &out->res);
        out->output = messages_finish(&m);
        out->output_truncated = m.flooded;
        if (r < 0) {
                snprintf(err, errlen, "running the compiler: %s", strerror(-r));
                return r;
        }
        out->time = out->res.cpu_time;
        if (m.flooded) {
                /* stopped by us, not by a lease: the program's fault, a compile error */
                out->res.status = SBX_STATUS_OLE;
                snprintf(out->res.message, sizeof(out->res.message),
                         "more than %llu bytes of compiler messages",
                         (unsigned long long)l->output);
                return 0;
        }
        out->ok = out->res.status == SBX_STATUS_OK;
        /* a compiler touching a forbidden call is our allow-list's fault */
        out->internal_error = out->res.status == SBX_STATUS_IE || out->res.status == SBX_STATUS_SV;
        return 0;
}

/* The regular files of dir, sorted (the order of {files} must not depend on the disk). */
static int list_files(const char *dir, char ***ret, size_t *ret_n)
{
        struct dirent **ents;
        int ne = scandir(dir, &ents, NULL, alphasort);
        if (ne < 0)
                return -errno;
        char **names = calloc((size_t)ne + 1, sizeof(char *));
        size_t n = 0;
        for (int i = 0; i < ne; i++) {
                struct stat st;
                char path[PATH_MAX];
                if (names && ents[i]->d_name[0] != '.' &&
                    cmn_join(path, sizeof(path), dir, ents[i]->d_name) == 0 &&
                    lstat(path, &st) == 0 && S_ISREG(st.st_mode))
                        names[n++] = strdup(ents[i]->d_name);
                free(ents[i]);
        }
        free(ents);
        if (!names)
                return -ENOMEM;
        *ret = names;
        *ret_n = n;
        return 0;
}

static void free_names(char **names, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

/* Java: {class} is the class with main, read from the sources in dir. */
static int find_main_class(const char *dir, char *const *srcs, size_t n, struct grd_compiled *out)
{
        struct grd_source *src = calloc(n ? n : 1, sizeof(*src));
        char **bufs = calloc(n ? n : 1, sizeof(char *));
        int r = src && bufs ? 0 : -ENOMEM;
        for (size_t i = 0; i < n && r == 0; i++) {
                char path[PATH_MAX];
                size_t len = 0;
                r = cmn_join(path, sizeof(path), dir, srcs[i]);
                if (r == 0)
                        r = cmn_read_file(path, SOURCE_MAX, &bufs[i], &len);
                src[i] = (struct grd_source){srcs[i], (const unsigned char *)bufs[i], len};
        }
        char why[512] = "";
        if (r == 0 &&
            grd_java_main_class(src, n, out->entry, sizeof(out->entry), why, sizeof(why)) < 0) {
                /* the submission's fault: a compile error that says what to change */
                out->ok = false;
                out->res.status = SBX_STATUS_RE;
                cmn_strlcpy(out->res.message, why, sizeof(out->res.message));
                free(out->output);
                out->output = strdup(why);
        }
        for (size_t i = 0; bufs && i < n; i++)
                free(bufs[i]);
        free(bufs);
        free(src);
        return r;
}

static int compile_sources(struct grd_env *env, const struct grd_language *lang,
                           struct grd_compiled *out, char *err, size_t errlen)
{
        char **all = NULL, **srcs = NULL;
        size_t n_all = 0, n = 0;
        int r = list_files(out->dir, &all, &n_all);
        if (r < 0) {
                snprintf(err, errlen, "listing '%s': %s", out->dir, strerror(-r));
                return r;
        }
        srcs = calloc(n_all + 1, sizeof(char *));
        for (size_t i = 0; srcs && i < n_all; i++)
                if (grd_language_is_source(lang, all[i]))
                        srcs[n++] = all[i];
        if (!srcs) {
                r = -ENOMEM;
        } else if (n == 0) {
                snprintf(err, errlen, "no %s source file (%s%s) among the files", lang->name,
                         lang->extensions[0], lang->extensions[1] ? ", ..." : "");
                r = -EINVAL;
        } else {
                cmn_strlcpy(out->main, grd_language_main_file((const char *const *)srcs),
                            sizeof(out->main));
                struct grd_argv *argv = lang->compile ? malloc(sizeof(*argv)) : NULL, *envv = NULL;
                struct grd_lang_vars vars = {
                        .files = (const char *const *)srcs, .main = out->main, .memory_mb = 256};
                struct grd_lang_limits l = compile_limits(lang);
                if (!lang->compile) {
                        out->ok = true;
                } else if (!argv) {
                        r = -ENOMEM;
                } else if (grd_language_expand(lang, lang->compile, &vars, argv) < 0 ||
                           grd_pch_add_include(lang, argv) < 0 ||
                           grd_cds_add_archive(lang, GRD_CDS_COMPILE, argv) < 0) {
                        snprintf(err, errlen,
                                 "the compile command of '%s' for %zu source files is too long "
                                 "(at most %d words)",
                                 lang->id, n, GRD_LANG_MAX_ARGV);
                        r = -EINVAL;
                } else if (!(envv = malloc(sizeof(*envv))) ||
                           expand_env(lang, lang->compile_env, &vars, envv) < 0) {
                        snprintf(err, errlen, "the compile environment of '%s' is too long",
                                 lang->id);
                        r = envv ? -EINVAL : -ENOMEM;
                } else {
                        r = run_compiler(env, argv->argv, envv->argv, &l, out, err, errlen);
                }
                free(envv);
                free(argv);
                if (r == 0 && out->ok && lang->main_class == GRD_MAIN_CLASS_JAVA)
                        r = find_main_class(out->dir, srcs, n, out);
        }
        free(srcs);
        free_names(all, n_all);
        return r;
}

/* A package program with build/run scripts: run build, then run must be there. */
static int build_script(struct grd_env *env, struct grd_compiled *out, char *err, size_t errlen)
{
        char path[PATH_MAX];
        struct stat st;
        int r = cmn_join(path, sizeof(path), out->dir, "build");
        if (r == 0 && lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                /* a script without its x bit (lost in an archive) still runs, through sh */
                char *sh[] = {(char *)"/bin/sh", (char *)"./build", NULL};
                char *direct[] = {(char *)"./build", NULL};
                struct grd_lang_limits l = compile_limits(NULL);
                r = run_compiler(env, (st.st_mode & 0111) ? direct : sh, NULL, &l, out, err,
                                 errlen);
                if (r < 0 || !out->ok)
                        return r;
        }
        out->ok = false;
        if (r == 0 && (cmn_join(path, sizeof(path), out->dir, "run") < 0 || lstat(path, &st) < 0 ||
                       !S_ISREG(st.st_mode))) {
                snprintf(err, errlen, "there is no 'run' file%s", r == 0 ? " after 'build'" : "");
                return -EINVAL;
        }
        out->ok = true;
        cmn_strlcpy(out->main, "run", sizeof(out->main));
        return 0;
}

int grd_compile_dir(struct grd_env *env, const struct grd_language *lang, const char *dir,
                    struct grd_compiled *out, char *err, size_t errlen)
{
        memset(out, 0, sizeof(*out));
        out->lang = lang;
        if (cmn_strlcpy(out->dir, dir, sizeof(out->dir)) >= sizeof(out->dir))
                return -ENAMETOOLONG;
        int r = lang ? compile_sources(env, lang, out, err, errlen)
                     : build_script(env, out, err, errlen);
        if (r == 0 && !out->entry[0]) {
                cmn_strlcpy(out->entry, out->main, sizeof(out->entry));
                char *dot = strrchr(out->entry, '.');
                if (dot)
                        *dot = '\0';
        }
        return r;
}

int grd_compile(struct grd_env *env, const struct grd_language *lang, const struct grd_source *src,
                size_t n, struct grd_compiled *out, char *err, size_t errlen)
{
        memset(out, 0, sizeof(*out));
        if (n == 0 || n > CMN_SUBMISSION_FILES_MAX) {
                snprintf(err, errlen, "a submission needs 1 to %d files", CMN_SUBMISSION_FILES_MAX);
                return -EINVAL;
        }
        for (size_t i = 0; i < n; i++) {
                if (!plain_name(src[i].name)) {
                        snprintf(err, errlen, "file name '%s' is not a plain file name",
                                 src[i].name ? src[i].name : "");
                        return -EINVAL;
                }
        }
        char dir[PATH_MAX];
        int r = grd_env_fresh_dir(env, "compile", dir, sizeof(dir));
        if (r < 0) {
                snprintf(err, errlen, "creating a compile dir: %s", strerror(-r));
                return r;
        }
        for (size_t i = 0; i < n && r == 0; i++) {
                char path[PATH_MAX];
                if (cmn_join(path, sizeof(path), dir, src[i].name) < 0) {
                        r = -ENAMETOOLONG;
                        break;
                }
                /* O_EXCL: two files of one name are the submission's mistake */
                int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                r = fd < 0 ? -errno : cmn_write_all(fd, src[i].data, src[i].len);
                if (fd >= 0 && close(fd) < 0 && r == 0)
                        r = -errno;
                if (r < 0)
                        snprintf(err, errlen, "writing '%s': %s", src[i].name,
                                 r == -EEXIST ? "two files of that name" : strerror(-r));
                if (r == -EEXIST)
                        r = -EINVAL;
        }
        if (r == 0)
                return grd_compile_dir(env, lang, dir, out, err, errlen);
        cmn_rmtree(dir);
        return r;
}

void grd_compiled_release(struct grd_compiled *c)
{
        if (c->dir[0])
                cmn_rmtree(c->dir);
        c->dir[0] = '\0';
        free(c->output);
        c->output = NULL;
}

/* The command line of a run: the language's run command (or ./run), then spec->args. */
static int run_argv(const struct grd_compiled *c, const struct grd_run_spec *spec,
                    unsigned memory_mb, struct grd_argv *argv, struct grd_argv *envv, char *err,
                    size_t errlen)
{
        const struct grd_language *lang = c->lang;
        const char *files[] = {c->main, NULL};
        struct grd_lang_vars vars = {
                .files = files, .main = c->main, .entry = c->entry, .memory_mb = memory_mb};
        int r = 0;
        if (lang) {
                r = grd_language_expand(lang, lang->run, &vars, argv);
                if (r == 0 && grd_cds_add_archive(lang, GRD_CDS_RUN, argv) < 0)
                        r = -E2BIG;
                if (r == 0)
                        r = expand_env(lang, lang->run_env, &vars, envv);
        } else {
                expand_env(NULL, NULL, &vars, envv);
                argv->argc = argv->used = 0;
                r = grd_argv_add(argv, "./run");
        }
        for (size_t i = 0; r == 0 && spec->args && spec->args[i]; i++)
                r = grd_argv_add(argv, spec->args[i]);
        if (r < 0)
                snprintf(err, errlen, "the run command of '%s' is too long",
                         lang ? lang->id : "run");
        return r;
}

/* The files already in a writable dir (a multi-pass validator's feedback/ carried over) are
 * the program's to change as well: it runs as another uid. */
static int open_up_files(const char *dir)
{
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        DIR *d = fdopendir(fd);
        if (!d) {
                int e = -errno;
                close(fd);
                return e;
        }
        int r = 0;
        struct dirent *e;
        while ((e = readdir(d)) && r == 0) {
                struct stat st;
                if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
                    fchmodat(fd, e->d_name, 0666, 0) < 0)
                        r = -errno;
        }
        closedir(d);
        return r;
}

/* A fresh run directory: the compiled program, then the extra files. */
static int prepare_run_dir(struct grd_env *env, const struct grd_compiled *c,
                           const struct grd_run_spec *spec, char *dir, char *err, size_t errlen)
{
        int r = grd_env_fresh_dir(env, "run", dir, PATH_MAX);
        if (r < 0) {
                snprintf(err, errlen, "creating a run dir: %s", strerror(-r));
                return r;
        }
        rmdir(dir);
        r = cmn_copy_tree(c->dir, dir, TREE_MAX_FILES, TREE_MAX_BYTES);
        if (r == 0 && spec->files_dir)
                r = cmn_copy_tree(spec->files_dir, dir, TREE_MAX_FILES, TREE_MAX_BYTES);
        for (size_t i = 0; r == 0 && i < spec->n_files; i++) {
                char path[PATH_MAX];
                r = cmn_join(path, sizeof(path), dir, spec->files[i].name);
                if (r == 0)
                        r = cmn_copy_file(spec->files[i].from, path, 0644);
        }
        if (r == 0 && spec->writable_dir) {
                char path[PATH_MAX];
                r = cmn_join(path, sizeof(path), dir, spec->writable_dir);
                /* the program runs as another uid: 0777 (set again past the umask) */
                if (r == 0 && mkdir(path, 0777) < 0 && errno != EEXIST)
                        r = -errno;
                if (r == 0 && chmod(path, 0777) < 0)
                        r = -errno;
                if (r == 0)
                        r = open_up_files(path);
        }
        if (r < 0) {
                snprintf(err, errlen, "preparing the run dir: %s", strerror(-r));
                cmn_rmtree(dir);
        }
        return r;
}

/* One side of a run, prepared: its command line, its fresh directory, its stdin. */
struct prepared_run {
        struct grd_argv *argv, *envv;
        char dir[PATH_MAX];
        int in;
        struct sbx_config cfg;
        const struct grd_lang_limits *rl;
};

static int prepare_run(struct grd_env *env, const struct grd_compiled *c,
                       const struct grd_run_spec *spec, struct prepared_run *pr, char *err,
                       size_t errlen)
{
        static const struct grd_lang_limits none;
        pr->in = -1;
        pr->dir[0] = '\0';
        const struct grd_lang_limits *rl = c->lang ? &c->lang->run_limits : &none;
        pr->rl = rl;
        /* {memory_mb} is the whole sandbox limit (the heap may use all of it) */
        uint64_t memory = spec->memory + rl->extra_memory;
        pr->argv = malloc(sizeof(*pr->argv));
        pr->envv = malloc(sizeof(*pr->envv));
        if (!pr->argv || !pr->envv) {
                free(pr->argv);
                free(pr->envv);
                pr->argv = pr->envv = NULL;
                return -ENOMEM;
        }
        int r = run_argv(c, spec, (unsigned)(memory >> 20), pr->argv, pr->envv, err, errlen);
        if (r == 0)
                r = prepare_run_dir(env, c, spec, pr->dir, err, errlen);
        if (r < 0) {
                pr->dir[0] = '\0';
                free(pr->argv);
                free(pr->envv);
                pr->argv = pr->envv = NULL;
                return r;
        }
        if (spec->stdin_path && (pr->in = open(spec->stdin_path, O_RDONLY | O_CLOEXEC)) < 0) {
                r = -errno;
                snprintf(err, errlen, "opening '%s': %s", spec->stdin_path, strerror(errno));
        }
        pr->cfg = (struct sbx_config){.argv = (const char *const *)pr->argv->argv,
                                      .env = (const char *const *)pr->envv->argv,
                                      .workdir = pr->dir,
                                      .stdin_fd = spec->stdin_from_fd ? spec->stdin_fd : pr->in,
                                      .stdout_fd = spec->stdout_fd,
                                      .stderr_fd = spec->stderr_fd,
                                      .slot = env->slot,
                                      .readonly_workdir = spec->readonly};
        struct sbx_limits *l = &pr->cfg.limits;
        sbx_limits_default(l);
        double mult = rl->time_multiplier > 0 ? rl->time_multiplier : 1.0;
        l->cpu_time = spec->time * mult;
        l->wall_time = spec->wall > 0 ? spec->wall : grd_wall_limit(l->cpu_time);
        l->memory = memory;
        l->output = spec->output;
        apply_lang_limits(l, rl);
        return r;
}

/* A runtime that refused an allocation at its own heap limit and said so: MLE. */
static void runtime_memory(const struct prepared_run *pr, struct sbx_result *res)
{
        if (res->status == SBX_STATUS_RE && pr->rl->memory_exit_code &&
            res->exit_code == pr->rl->memory_exit_code) {
                res->status = SBX_STATUS_MLE;
                snprintf(res->message, sizeof(res->message),
                         "the runtime ran out of memory (exit status %d)", res->exit_code);
        }
}

static void release_run(const struct grd_run_spec *spec, struct prepared_run *pr, int r)
{
        if (pr->in >= 0)
                close(pr->in);
        if (spec->keep_dir && r == 0)
                cmn_strlcpy(spec->keep_dir, pr->dir, PATH_MAX);
        else if (pr->dir[0])
                cmn_rmtree(pr->dir);
        free(pr->argv);
        free(pr->envv);
}

int grd_run_compiled(struct grd_env *env, const struct grd_compiled *c,
                     const struct grd_run_spec *spec, struct sbx_result *res, char *err,
                     size_t errlen)
{
        if (errlen)
                err[0] = '\0';
        struct prepared_run pr;
        int r = prepare_run(env, c, spec, &pr, err, errlen);
        if (r == 0)
                r = sbx_run_cancellable(env->policy, &pr.cfg, env->cancel, res);
        if (r == 0)
                runtime_memory(&pr, res);
        if (r < 0 && !err[0])
                snprintf(err, errlen, "running the program: %s", strerror(-r));
        release_run(spec, &pr, r);
        return r;
}

/* The interactor's own uid: a slot above the workers' (below GRD_SLOT_COUNT), claimed like
 * theirs so that no other grader on the host runs as it meanwhile. */
static int claim_pair_slot(struct grd_env *env, char *err, size_t errlen)
{
        if (env->pair_slot_held)
                return 0;
        int r = sbx_slot_acquire(env->policy, GRD_SLOT_COUNT, GRD_SLOT_COUNT, &env->pair_slot,
                                 &env->pair_slot_fd);
        if (r < 0) {
                snprintf(err, errlen, "no free sandbox slot for the interactor: %s", strerror(-r));
                return r;
        }
        env->pair_slot_held = true;
        return 0;
}

int grd_run_compiled_pair(struct grd_env *env, const struct grd_compiled *prog,
                          const struct grd_run_spec *prog_spec, const struct grd_compiled *inter,
                          const struct grd_run_spec *inter_spec, struct sbx_pair_result *res,
                          char *err, size_t errlen)
{
        if (errlen)
                err[0] = '\0';
        struct prepared_run a, b;
        int r = prepare_run(env, prog, prog_spec, &a, err, errlen);
        int r2 = prepare_run(env, inter, inter_spec, &b, err, errlen);
        if (r == 0 && r2 < 0)
                r = r2;
        if (r == 0) {
                struct sbx_pair pair = {.program = a.cfg, .interactor = b.cfg};
                r = claim_pair_slot(env, err, errlen);
                pair.interactor.slot = env->pair_slot;
                if (r == 0)
                        r = sbx_run_pair(env->policy, &pair, env->cancel, res);
        }
        if (r == 0)
                runtime_memory(&a, &res->program);
        if (r < 0 && !err[0])
                snprintf(err, errlen, "running the pair: %s", strerror(-r));
        release_run(prog_spec, &a, r);
        release_run(inter_spec, &b, r);
        return r;
}

enum grd_verdict grd_verdict_of_run(enum sbx_status s)
{
        switch (s) {
        case SBX_STATUS_OK:
                return GRD_VERDICT_AC;
        case SBX_STATUS_RE:
                return GRD_VERDICT_RE;
        case SBX_STATUS_TLE:
                return GRD_VERDICT_TLE;
        case SBX_STATUS_MLE:
                return GRD_VERDICT_MLE;
        case SBX_STATUS_OLE:
                return GRD_VERDICT_OLE;
        case SBX_STATUS_SV:
                return GRD_VERDICT_SV;
        case SBX_STATUS_IE:
                return GRD_VERDICT_IE;
        }
        return GRD_VERDICT_IE;
}
