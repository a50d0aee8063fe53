/* SPDX-License-Identifier: MIT */
/*
 * `grader pch`: build the precompiled files of the language table: C++'s precompiled header and
 * the JVM languages' class-data-sharing archives (docs/grading.md, "Precompiled headers" and
 * "Class-data-sharing archives").
 *
 * A header: the language's own compile command (grd_pch_command) compiles a wrapper holding
 * "#include <HEADER>" into a temporary file beside DIR/HEADER.gch.
 * Archives: the language's compile command compiles the self-test's program of the language,
 * and its run command runs it, each with -XX:DumpLoadedClassList; then that JVM, with the same
 * options, dumps a static archive of each list (grd_cds_dump_command) into a temporary file
 * beside DIR/ID.compile.jsa and DIR/ID.run.jsa.
 * Each temporary file is then synced and renamed over the old one: a compile or run in the
 * sandbox sees the old file or the new one, never half of one (GCC refuses a truncated .gch
 * with an error, and a JVM crashes on a truncated archive). The compilers and the self-test's
 * programs are trusted (an administrator runs this at install time): they run directly, not in
 * the sandbox, with the clean environment a compile in the sandbox gets.
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

#include "cds.h"
#include "cli.h"
#include "common.h"
#include "language.h"
#include "pch.h"
#include "selftest.h"
#include "session.h"

#define TAIL_MAX (4u << 10) /* the last bytes of the compiler's messages shown when it fails */
#define ENV_MAX  8          /* the words of the clean environment */

static const char help[] =
        "usage: grader pch [--languages FILE] [--dir DIR] [--quiet]\n"
        "\n"
        "Build the precompiled files of each installed language of the table that names them,\n"
        "each written beside its place, then renamed into it (mode 0644):\n"
        "  - a precompiled header (\"precompiled_header\": C++'s <bits/stdc++.h>), built with\n"
        "    the language's own compile flags as DIR/HEADER.gch;\n"
        "  - class-data-sharing archives (\"class_data_archive\": Java, Kotlin, Scala): the\n"
        "    classes the compiler and a small program load, as DIR/ID.compile.jsa and\n"
        "    DIR/ID.run.jsa, dumped by the JVM that runs them, with the same options.\n"
        "A compile or run in the sandbox uses them when they are there. GCC ignores a header\n"
        "made by another compiler or with other flags, and a JVM an archive of another JVM or\n"
        "other jars: a stale file costs time, never a different result. Run it as root after\n"
        "installing or upgrading a compiler (the container image and the Debian package do).\n"
        "\n"
        "  --languages FILE   another language table\n"
        "  --dir DIR          write under DIR instead of the table's directory (for tests: a\n"
        "                     compile in the sandbox sees only the system directories, /usr\n"
        "                     among them)\n"
        "  --quiet            print nothing but errors\n"
        "  -h, --help         show this help\n"
        "\n"
        "Exit status: 0 when every file was built, 1 when one was not, 2 for usage errors.\n";

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
 * Run argv with envp in cwd, stdin the file input (NULL: /dev/null), stdout and stderr into
 * tail (its last bytes). Return: the wait status, or -errno when it could not start.
 */
static int run(char *const *argv, char *const *envp, const char *cwd, const char *input, char *tail,
               size_t size)
{
        int fds[2];
        tail[0] = '\0';
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
        posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
        posix_spawn_file_actions_addopen(&fa, 0, input ? input : "/dev/null", O_RDONLY, 0);
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

/*
 * Make final's directory and reserve a temporary file beside it, into tmp ("" when none).
 * Return: 0 or -1 after printing why.
 */
static int reserve_beside(const struct grd_language *l, const char *final, char *tmp, size_t size)
{
        char parent[PATH_MAX];
        tmp[0] = '\0';
        cmn_strlcpy(parent, final, sizeof(parent));
        char *slash = strrchr(parent, '/');
        *slash = '\0';
        int r = cmn_mkdir_p(parent, 0755);
        if (r < 0)
                return fail(l, "cannot create the directory '%s': %s%s", parent, strerror(-r),
                            hint(r));
        if (snprintf(tmp, size, "%s/.%s.XXXXXX", parent, slash + 1) >= (int)size) {
                tmp[0] = '\0';
                return fail(l, "the path '%s' is too long", final);
        }
        int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0) {
                r = -errno;
                tmp[0] = '\0';
                return fail(l, "cannot write in '%s': %s%s", parent, strerror(-r), hint(r));
        }
        close(fd);
        return 0;
}

/* A private directory under $TMPDIR (else /tmp), into work ("" when none). Return: 0 or -1. */
static int make_work(const struct grd_language *l, char *work, size_t size)
{
        const char *base = getenv("TMPDIR");
        if (!base || base[0] != '/')
                base = "/tmp";
        if (snprintf(work, size, "%s/grader-pch-XXXXXX", base) >= (int)size || !mkdtemp(work)) {
                work[0] = '\0';
                return fail(l, "cannot make a directory in '%s': %s", base, strerror(errno));
        }
        return 0;
}

/*
 * The clean environment a compile in the sandbox gets, with this build's home and scratch, and
 * the language's own words (extra): into envp (ENV_MAX + extra->argc + 1 words).
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

/*
 * Run cmd with the clean environment and env's words in cwd (stdin input); what builds final.
 * Return: 0 when it exited 0, or -1 after printing why with its last messages.
 */
static int run_step(const struct grd_language *l, const struct grd_argv *cmd,
                    const struct grd_argv *env, const char *work, const char *cwd,
                    const char *input, const char *final)
{
        char store[2][PATH_MAX + 8], *tail = malloc(TAIL_MAX);
        char **envp = calloc(ENV_MAX + GRD_LANG_MAX_ARGV + 1, sizeof(char *));
        int r = -1;
        if (!tail || !envp) {
                fail(l, "out of memory");
        } else {
                clean_env(work, env, envp, store);
                int st = run(cmd->argv, envp, cwd, input, tail, TAIL_MAX);
                if (st < 0) {
                        fail(l, "cannot run %s: %s", cmd->argv[0], strerror(-st));
                } else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                        fail(l, "%s failed (%s %d) building '%s'%s", cmd->argv[0],
                             WIFEXITED(st) ? "exit status" : "signal",
                             WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), final,
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
        return r;
}

/*
 * Put tmp in place as final: on disk first (a file cut short by a crash would make GCC fail,
 * or a JVM crash, where a missing one only costs time), mode 0644, renamed over the old one,
 * the directory synced. Return: 0 (tmp is then "") or -1 after printing why.
 */
static int install(const struct grd_language *l, char *tmp, const char *final)
{
        char parent[PATH_MAX];
        cmn_strlcpy(parent, final, sizeof(parent));
        *strrchr(parent, '/') = '\0';
        int fd = open(tmp, O_RDONLY | O_CLOEXEC);
        int r = fd < 0 || fsync(fd) < 0 || fchmod(fd, 0644) < 0 ? -errno : 0;
        if (fd >= 0)
                close(fd);
        if (r == 0 && rename(tmp, final) < 0)
                r = -errno;
        if (r < 0)
                return fail(l, "cannot put '%s' in place: %s", final, strerror(-r));
        tmp[0] = '\0';
        fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
                fsync(fd);
                close(fd);
        }
        return 0;
}

static double mib(const char *path)
{
        struct stat st;
        return stat(path, &st) == 0 ? (double)st.st_size / (1 << 20) : 0.0;
}

/* The files of one precompiled header's build. */
struct pch_build {
        char final[PATH_MAX];   /* DIR/HEADER.gch */
        char tmp[PATH_MAX];     /* the compiler's output, beside it; "" once renamed */
        char work[PATH_MAX];    /* a private directory: the wrapper's, the compiler's cwd */
        char wrapper[PATH_MAX]; /* "#include <HEADER>" */
};

/* The wrapper of the header in a work directory. Return: 0 or -1 after printing why. */
static int write_wrapper(const struct grd_language *l, struct pch_build *b)
{
        char text[PATH_MAX];
        snprintf(text, sizeof(text), "#include <%s>\n", l->pch.header);
        int r = cmn_join(b->wrapper, sizeof(b->wrapper), b->work, "wrapper.h");
        if (r == 0)
                r = cmn_write_file_atomic(b->wrapper, text, strlen(text), 0644);
        return r < 0 ? fail(l, "cannot write '%s': %s", b->wrapper, strerror(-r)) : 0;
}

/* Run the compiler of l on the wrapper, into b->tmp. Return: 0 or -1 after printing why. */
static int compile_header(const struct grd_language *l, struct pch_build *b)
{
        struct grd_argv *cmd = malloc(sizeof(*cmd)), *env = malloc(sizeof(*env));
        char err[512];
        int r = -1;
        if (!cmd || !env)
                fail(l, "out of memory");
        else if (grd_pch_command(l, b->wrapper, b->tmp, cmd, env, err, sizeof(err)) < 0)
                fail(l, "%s", err);
        else
                r = run_step(l, cmd, env, b->work, b->work, NULL, b->final);
        free(env);
        free(cmd);
        return r;
}

/* Build l's precompiled header. Return: 0, or -1 after printing why. */
static int build_header(const struct grd_language *l, const struct pch_opts *o)
{
        struct pch_build b = {0};
        double t0 = cmn_monotonic();
        int r = grd_pch_file(l, o->dir, b.final, sizeof(b.final)) < 0
                        ? fail(l, "the path of its precompiled header is too long")
                        : reserve_beside(l, b.final, b.tmp, sizeof(b.tmp));
        if (r == 0)
                r = make_work(l, b.work, sizeof(b.work));
        if (r == 0)
                r = write_wrapper(l, &b);
        if (r == 0)
                r = compile_header(l, &b);
        if (r == 0)
                r = install(l, b.tmp, b.final);
        if (b.tmp[0])
                unlink(b.tmp);
        if (b.work[0])
                cmn_rmtree(b.work);
        if (r == 0 && !o->quiet)
                printf("%s: built %s (%.1f MiB) in %.2f s\n", l->id, b.final, mib(b.final),
                       cmn_monotonic() - t0);
        fflush(stdout);
        return r;
}

/* The files of one language's class-data-sharing archives. */
struct cds_build {
        char final[2][PATH_MAX]; /* DIR/ID.compile.jsa, DIR/ID.run.jsa */
        char tmp[2][PATH_MAX];   /* the dumps, beside them; "" once renamed */
        char work[PATH_MAX];     /* private: the class lists, the input */
        char prog[PATH_MAX];     /* work/prog: the program's sources, classes; the cwd */
        char empty[PATH_MAX];    /* work/empty: the dumps' cwd ("." on a class path) */
        char input[PATH_MAX];    /* work/input: what the program reads */
        const char *file;        /* the self-test program's file name */
};

/* The work directory: the self-test's program and its input. Return: 0 or -1. */
static int write_program(const struct grd_language *l, struct cds_build *b)
{
        const char *source;
        char path[PATH_MAX];
        if (grd_selftest_program(l->id, &b->file, &source) < 0)
                return fail(l, "the self-test has no program in '%s' to learn its classes from",
                            l->id);
        int r = cmn_join(b->prog, sizeof(b->prog), b->work, "prog");
        if (r == 0)
                r = cmn_join(b->empty, sizeof(b->empty), b->work, "empty");
        if (r == 0)
                r = cmn_join(b->input, sizeof(b->input), b->work, "input");
        if (r == 0)
                r = mkdir(b->prog, 0755) < 0 || mkdir(b->empty, 0755) < 0 ? -errno : 0;
        if (r == 0)
                r = cmn_write_file_atomic(b->input, GRD_SELFTEST_INPUT, strlen(GRD_SELFTEST_INPUT),
                                          0644);
        if (r == 0)
                r = cmn_join(path, sizeof(path), b->prog, b->file);
        if (r == 0)
                r = cmn_write_file_atomic(path, source, strlen(source), 0644);
        return r < 0 ? fail(l, "cannot write in '%s': %s", b->work, strerror(-r)) : 0;
}

/*
 * One stage: l's compile or run command, expanded for the program, runs once with
 * -XX:DumpLoadedClassList, then its JVM dumps the list into b->tmp[s]. Return: 0 or -1.
 */
static int dump_stage(const struct grd_language *l, struct cds_build *b, enum grd_cds_stage s)
{
        struct grd_argv *cmd = malloc(sizeof(*cmd)), *dump = malloc(sizeof(*dump));
        struct grd_argv *env = malloc(sizeof(*env));
        char list[PATH_MAX + 32], opt[PATH_MAX + 64], entry[PATH_MAX], err[512] = "";
        const char *files[] = {b->file, NULL};
        cmn_strlcpy(entry, b->file, sizeof(entry));
        char *dot = strrchr(entry, '.'); /* the self-test's Java class is its file's stem */
        if (dot)
                *dot = '\0';
        struct grd_lang_vars vars = {
                .files = files, .main = b->file, .entry = entry, .memory_mb = 256};
        char *const *tmpl = s == GRD_CDS_COMPILE ? l->compile : l->run;
        char *const *env_tmpl = s == GRD_CDS_COMPILE ? l->compile_env : l->run_env;
        int r = -1;
        snprintf(list, sizeof(list), "%s/%s.classlist", b->work,
                 s == GRD_CDS_COMPILE ? "compile" : "run");
        snprintf(opt, sizeof(opt), "-XX:DumpLoadedClassList=%s", list);
        const char *train[] = {opt, NULL};
        char *const no_words[] = {NULL};
        if (!cmd || !dump || !env) {
                fail(l, "out of memory");
        } else if (grd_language_expand(l, tmpl, &vars, cmd) < 0 ||
                   grd_language_expand(l, env_tmpl ? env_tmpl : no_words, &vars, env) < 0) {
                fail(l, "its %s command is too long", s == GRD_CDS_COMPILE ? "compile" : "run");
        } else if (grd_cds_dump_command(cmd, list, b->tmp[s], dump, err, sizeof(err)) < 0 ||
                   grd_jvm_insert(cmd, train) < 0) {
                fail(l, "%s", err[0] ? err : "its command is too long");
        } else if (run_step(l, cmd, env, b->work, b->prog, b->input, b->final[s]) == 0) {
                env->argc = 0; /* the dump is the JVM's own: no language environment */
                r = run_step(l, dump, env, b->work, b->empty, NULL, b->final[s]);
                struct stat st; /* a JVM that said yes wrote one; never install an empty file */
                if (r == 0 && (stat(b->tmp[s], &st) < 0 || st.st_size == 0))
                        r = fail(l, "%s wrote no archive for '%s'", dump->argv[0], b->final[s]);
        }
        free(env);
        free(dump);
        free(cmd);
        return r;
}

/* Build l's class-data-sharing archives. Return: 0, or -1 after printing why. */
static int build_archives(const struct grd_language *l, const struct pch_opts *o)
{
        struct cds_build b = {0};
        double t0 = cmn_monotonic();
        int r = 0;
        for (int s = GRD_CDS_COMPILE; r == 0 && s <= GRD_CDS_RUN; s++) {
                if (grd_cds_file(l, o->dir, s, b.final[s], sizeof(b.final[s])) < 0)
                        r = fail(l, "the path of its archives is too long");
                else
                        r = reserve_beside(l, b.final[s], b.tmp[s], sizeof(b.tmp[s]));
        }
        if (r == 0)
                r = make_work(l, b.work, sizeof(b.work));
        if (r == 0)
                r = write_program(l, &b);
        for (int s = GRD_CDS_COMPILE; r == 0 && s <= GRD_CDS_RUN; s++)
                r = dump_stage(l, &b, s);
        for (int s = GRD_CDS_COMPILE; r == 0 && s <= GRD_CDS_RUN; s++)
                r = install(l, b.tmp[s], b.final[s]);
        for (int s = GRD_CDS_COMPILE; s <= GRD_CDS_RUN; s++)
                if (b.tmp[s][0])
                        unlink(b.tmp[s]);
        if (b.work[0])
                cmn_rmtree(b.work);
        if (r == 0 && !o->quiet)
                printf("%s: built %s (%.1f MiB) and %s (%.1f MiB) in %.2f s\n", l->id,
                       b.final[GRD_CDS_COMPILE], mib(b.final[GRD_CDS_COMPILE]),
                       b.final[GRD_CDS_RUN], mib(b.final[GRD_CDS_RUN]), cmn_monotonic() - t0);
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
        /* the sandboxed compiles and runs of every slot uid read what this makes: never the
         * caller's umask (a 077 one would hide the files and only cost time, silently) */
        umask(022);
        char err[512];
        struct grd_languages *t;
        if (grd_languages_load(path, &t, err, sizeof(err)) < 0)
                return grd_error("pch: %s", err);
        size_t named = 0, failed = 0;
        for (size_t i = 0; i < t->n; i++) {
                const struct grd_language *l = &t->langs[i];
                if (!l->pch.header && !l->cds.dir)
                        continue;
                named++;
                const char *missing = grd_language_missing(l);
                if (missing) {
                        if (!o.quiet)
                                printf("%s: skipped, not installed (no %s; apt-get install %s)\n",
                                       l->id, missing, l->package);
                        continue;
                }
                if (l->pch.header)
                        failed += build_header(l, &o) < 0;
                if (l->cds.dir)
                        failed += build_archives(l, &o) < 0;
        }
        if (named == 0 && !o.quiet)
                printf("no language of the table names a precompiled file\n");
        grd_languages_free(t);
        return failed ? GRD_EXIT_FAIL : GRD_EXIT_OK;
}
