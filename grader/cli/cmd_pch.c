/* SPDX-License-Identifier: MIT */
/*
 * `grader pch`: build the precompiled headers of the language table (docs/grading.md,
 * "Precompiled headers").
 *
 * For each installed language that names one, the language's own compile command
 * (grd_pch_command) compiles a wrapper holding "#include <HEADER>" into a temporary file beside
 * DIR/HEADER.gch, which is then synced and renamed over it: a compile in the sandbox sees the
 * old file or the new one, never half of one (GCC refuses a truncated .gch with an error instead
 * of ignoring it). The compiler is trusted (an administrator runs this at install time): it runs
 * directly, not in the sandbox, with the clean environment a compile in the sandbox gets.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "language.h"
#include "pch.h"
#include "session.h"

#define TAIL_MAX (4u << 10) /* the last bytes of the compiler's messages shown when it fails */
#define ENV_MAX  8          /* the words of the clean environment */

static const char help[] =
        "usage: grader pch [--languages FILE] [--dir DIR] [--quiet]\n"
        "\n"
        "Build the precompiled header of each installed language of the table that names one\n"
        "(\"precompiled_header\": C++'s <bits/stdc++.h>) with that language's own compile\n"
        "flags, as DIR/HEADER.gch (written beside it, then renamed into place; mode 0644).\n"
        "A compile in the sandbox uses it when it is there. GCC ignores one made by another\n"
        "compiler or with other flags and reads the header instead: a stale one costs time,\n"
        "never a different result. Run it as root after installing or upgrading a compiler\n"
        "(the container image and the Debian package do).\n"
        "\n"
        "  --languages FILE   another language table\n"
        "  --dir DIR          write under DIR instead of the table's directory (for tests: a\n"
        "                     compile in the sandbox sees only the system directories, /usr\n"
        "                     among them)\n"
        "  --quiet            print nothing but errors\n"
        "  -h, --help         show this help\n"
        "\n"
        "Exit status: 0 when every header was built, 1 when one was not, 2 for usage errors.\n";

struct pch_opts {
        const char *dir; /* NULL: each language's own */
        bool quiet;
};

/* Print "grader: pch: ID: ..." to stderr. Return: -1. */
__attribute__((format(printf, 2, 3))) static int fail(const struct grd_language *l, const char *fmt,
                                                      ...)
{
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "grader: pch: %s: ", l->id);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        return -1;
}

/* Keep the last size - 1 bytes of what was read in tail (NUL-terminated). */
static void tail_add(char *tail, size_t size, size_t *len, const char *data, size_t n)
{
        if (n >= size - 1) {
                data += n - (size - 1);
                n = size - 1;
        }
        if (*len + n > size - 1) {
                size_t drop = *len + n - (size - 1);
                memmove(tail, tail + drop, *len - drop);
                *len -= drop;
        }
        memcpy(tail + *len, data, n);
        *len += n;
        tail[*len] = '\0';
}

/*
 * Run argv with envp in cwd, stdin /dev/null, stdout and stderr into tail (its last bytes).
 * Return: the wait status, or -errno when it could not start.
 */
static int run(char *const *argv, char *const *envp, const char *cwd, char *tail, size_t size)
{
        int fds[2];
        tail[0] = '\0';
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
        posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addchdir_np(&fa, cwd);
        pid_t pid;
        int r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, envp);
        posix_spawn_file_actions_destroy(&fa);
        close(fds[1]);
        if (r != 0) {
                close(fds[0]);
                return -r;
        }
        size_t len = 0;
        for (;;) {
                char chunk[4096];
                ssize_t n = read(fds[0], chunk, sizeof(chunk));
                if (n > 0)
                        tail_add(tail, size, &len, chunk, (size_t)n);
                else if (n == 0 || errno != EINTR)
                        break;
        }
        close(fds[0]);
        int status;
        while (waitpid(pid, &status, 0) < 0) {
                if (errno != EINTR)
                        return -errno;
        }
        return status;
}

/* What an administrator can do about a directory that cannot be written. */
static const char *hint(int r)
{
        return r == -EACCES || r == -EPERM || r == -EROFS ? " (run it as root, or give --dir)" : "";
}

/* The files of one build. */
struct pch_build {
        char final[PATH_MAX];   /* DIR/HEADER.gch */
        char tmp[PATH_MAX];     /* the compiler's output, beside it; "" once renamed */
        char work[PATH_MAX];    /* a private directory: the wrapper's, the compiler's cwd */
        char wrapper[PATH_MAX]; /* "#include <HEADER>" */
};

/* Make final's directory, the temporary output beside it, and the wrapper. Return: 0 or -1. */
static int prepare(const struct grd_language *l, const struct pch_opts *o, struct pch_build *b)
{
        char parent[PATH_MAX], text[PATH_MAX];
        if (grd_pch_file(l, o->dir, b->final, sizeof(b->final)) < 0)
                return fail(l, "the path of its precompiled header is too long");
        cmn_strlcpy(parent, b->final, sizeof(parent));
        char *slash = strrchr(parent, '/');
        *slash = '\0';
        int r = cmn_mkdir_p(parent, 0755);
        if (r < 0)
                return fail(l, "cannot create the directory '%s': %s%s", parent, strerror(-r),
                            hint(r));
        if (snprintf(b->tmp, sizeof(b->tmp), "%s/.%s.XXXXXX", parent, slash + 1) >=
            (int)sizeof(b->tmp))
                return fail(l, "the path of its precompiled header is too long");
        int fd = mkostemp(b->tmp, O_CLOEXEC);
        if (fd < 0) {
                r = -errno;
                b->tmp[0] = '\0';
                return fail(l, "cannot write in '%s': %s%s", parent, strerror(-r), hint(r));
        }
        close(fd);
        const char *base = getenv("TMPDIR");
        if (!base || base[0] != '/')
                base = "/tmp";
        if (snprintf(b->work, sizeof(b->work), "%s/grader-pch-XXXXXX", base) >=
                    (int)sizeof(b->work) ||
            !mkdtemp(b->work)) {
                b->work[0] = '\0';
                return fail(l, "cannot make a directory in '%s': %s", base, strerror(errno));
        }
        snprintf(text, sizeof(text), "#include <%s>\n", l->pch.header);
        r = cmn_join(b->wrapper, sizeof(b->wrapper), b->work, "wrapper.h");
        if (r == 0)
                r = cmn_write_file_atomic(b->wrapper, text, strlen(text), 0644);
        if (r < 0)
                return fail(l, "cannot write '%s': %s", b->wrapper, strerror(-r));
        return 0;
}

static void cleanup(struct pch_build *b)
{
        if (b->tmp[0])
                unlink(b->tmp);
        if (b->work[0])
                cmn_rmtree(b->work);
}

/*
 * The clean environment a compile in the sandbox gets, with this build's home and scratch, and
 * l's compile_env: into envp (ENV_MAX + extra->argc + 1 words).
 */
static void clean_env(const char *work, const struct grd_argv *extra, char **envp,
                      char store[2][PATH_MAX + 8])
{
        const char *tmp = getenv("TMPDIR");
        size_t k = 0;
        snprintf(store[0], sizeof(store[0]), "HOME=%s", work);
        snprintf(store[1], sizeof(store[1]), "TMPDIR=%s", tmp && tmp[0] == '/' ? tmp : "/tmp");
        envp[k++] = store[0];
        envp[k++] = store[1];
        envp[k++] = (char *)"PATH=/usr/local/bin:/usr/bin:/bin";
        envp[k++] = (char *)"LANG=C.UTF-8";
        for (size_t i = 0; i < extra->argc; i++)
                envp[k++] = extra->argv[i];
        envp[k] = NULL;
}

/* Run the compiler of l on the wrapper, into b->tmp. Return: 0 or -1 after printing why. */
static int compile(const struct grd_language *l, struct pch_build *b)
{
        struct grd_argv *cmd = malloc(sizeof(*cmd)), *env = malloc(sizeof(*env));
        char err[512], store[2][PATH_MAX + 8], *tail = malloc(TAIL_MAX);
        char **envp = calloc(ENV_MAX + GRD_LANG_MAX_ARGV + 1, sizeof(char *));
        int r = -1;
        if (!cmd || !env || !tail || !envp) {
                fail(l, "out of memory");
        } else if (grd_pch_command(l, b->wrapper, b->tmp, cmd, env, err, sizeof(err)) < 0) {
                fail(l, "%s", err);
        } else {
                clean_env(b->work, env, envp, store);
                int st = run(cmd->argv, envp, b->work, tail, TAIL_MAX);
                if (st < 0) {
                        fail(l, "cannot run %s: %s", cmd->argv[0], strerror(-st));
                } else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                        fail(l, "%s failed (%s %d) building '%s'%s", cmd->argv[0],
                             WIFEXITED(st) ? "exit status" : "signal",
                             WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), b->final,
                             tail[0] ? "; its last messages:" : "");
                        grd_term_write(stderr, tail, TAIL_MAX);
                        if (tail[0] && tail[strlen(tail) - 1] != '\n')
                                fputc('\n', stderr);
                } else {
                        r = 0;
                }
        }
        free(envp);
        free(tail);
        free(env);
        free(cmd);
        return r;
}

/*
 * Put b->tmp in place as b->final: on disk first (a .gch cut short by a crash would make GCC
 * fail every compile that includes the header, where a missing one only costs time), mode
 * 0644, renamed over the old one, the directory synced. Return: 0 or -1 after printing why.
 */
static int install(const struct grd_language *l, struct pch_build *b)
{
        char parent[PATH_MAX];
        cmn_strlcpy(parent, b->final, sizeof(parent));
        *strrchr(parent, '/') = '\0';
        int fd = open(b->tmp, O_RDONLY | O_CLOEXEC);
        int r = fd < 0 || fsync(fd) < 0 || fchmod(fd, 0644) < 0 ? -errno : 0;
        if (fd >= 0)
                close(fd);
        if (r == 0 && rename(b->tmp, b->final) < 0)
                r = -errno;
        if (r < 0)
                return fail(l, "cannot put '%s' in place: %s", b->final, strerror(-r));
        b->tmp[0] = '\0';
        fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
                fsync(fd);
                close(fd);
        }
        return 0;
}

/* Build l's precompiled header. Return: 0, or -1 after printing why. */
static int build_one(const struct grd_language *l, const struct pch_opts *o)
{
        struct pch_build b = {0};
        double t0 = cmn_monotonic();
        int r = prepare(l, o, &b);
        if (r == 0)
                r = compile(l, &b);
        if (r == 0)
                r = install(l, &b);
        cleanup(&b);
        struct stat st;
        if (r == 0 && !o->quiet)
                printf("%s: built %s (%.1f MiB) in %.2f s\n", l->id, b.final,
                       stat(b.final, &st) == 0 ? (double)st.st_size / (1 << 20) : 0.0,
                       cmn_monotonic() - t0);
        fflush(stdout);
        return r;
}

int grd_cmd_pch(int argc, char **argv)
{
        static const struct option opts[] = {{"languages", required_argument, NULL, 'l'},
                                             {"dir", required_argument, NULL, 'd'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
        struct pch_opts o = {0};
        const char *path = NULL;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case 'l':
                        path = optarg;
                        break;
                case 'd':
                        if (!optarg[0])
                                return grd_error("pch: --dir: an empty directory name");
                        o.dir = optarg;
                        break;
                case 'q':
                        o.quiet = true;
                        break;
                case 'h':
                        fputs(help, stdout);
                        return GRD_EXIT_OK;
                default:
                        fputs(help, stderr);
                        return GRD_EXIT_USAGE;
                }
        }
        if (optind < argc) {
                fputs(help, stderr);
                return GRD_EXIT_USAGE;
        }
        /* the sandboxed compiles of every slot uid read what this makes: never the caller's
         * umask (a 077 one would hide the header and only cost time, silently) */
        umask(022);
        char err[512];
        struct grd_languages *t;
        if (grd_languages_load(path, &t, err, sizeof(err)) < 0)
                return grd_error("pch: %s", err);
        size_t named = 0, failed = 0;
        for (size_t i = 0; i < t->n; i++) {
                const struct grd_language *l = &t->langs[i];
                if (!l->pch.header)
                        continue;
                named++;
                const char *missing = grd_language_missing(l);
                if (missing) {
                        if (!o.quiet)
                                printf("%s: skipped, not installed (no %s; apt-get install %s)\n",
                                       l->id, missing, l->package);
                        continue;
                }
                failed += build_one(l, &o) < 0;
        }
        if (named == 0 && !o.quiet)
                printf("no language of the table names a precompiled header\n");
        grd_languages_free(t);
        return failed ? GRD_EXIT_FAIL : GRD_EXIT_OK;
}
