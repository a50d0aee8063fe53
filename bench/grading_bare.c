/* SPDX-License-Identifier: MIT */
/*
 * The bare judge of bench/grading-overhead: the least work that grades a submission without a
 * sandbox, as the baseline `grader run` is compared with. It runs the compile command once, then
 * for each NAME.in of the test dir (in name order) runs the program with stdin from NAME.in and
 * stdout into OUTDIR/NAME.out, then `cmp -s` of that file against NAME.ans: every step a plain
 * fork+exec+wait, no limits, no isolation, no fresh directory. It prints the time of each phase.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static const char usage[] =
        "usage: grading_bare [-c CMP] -o OUTDIR -b BINARY -d TESTDIR [-- COMPILE_CMD...]\n"
        "Run COMPILE_CMD (if given), then BINARY on every TESTDIR/NAME.in (stdout into\n"
        "OUTDIR/NAME.out), each followed by 'CMP -s OUTDIR/NAME.out TESTDIR/NAME.ans' (CMP\n"
        "defaults to cmp). Prints one line: compile_us compile_cpu_us runs_us cmp_us total_us\n"
        "tests (wall times in microseconds; compile_cpu_us the compiler's user+system CPU).\n"
        "Exit status: 0 when everything ran and matched, 1 when a step failed, 2 on usage.\n";

/*
 * fork, exec argv with stdin/stdout redirected (-1: inherited), wait; *cpu_us (if not NULL) gets
 * the user+system CPU time of the child and of the descendants it waited for. Return: the exit
 * status, 128 + the signal, or -1.
 */
static int spawn(char *const *argv, int in, int out, double *cpu_us)
{
        pid_t pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                if ((in >= 0 && dup2(in, STDIN_FILENO) < 0) ||
                    (out >= 0 && dup2(out, STDOUT_FILENO) < 0))
                        _exit(127);
                execvp(argv[0], argv);
                _exit(127);
        }
        int st;
        struct rusage ru;
        while (wait4(pid, &st, 0, &ru) < 0) {
                if (errno != EINTR)
                        return -1;
        }
        if (cpu_us)
                *cpu_us = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
                          (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int is_input(const struct dirent *de)
{
        size_t n = strlen(de->d_name);
        return n > 3 && !strcmp(de->d_name + n - 3, ".in");
}

int main(int argc, char **argv)
{
        char cmp_default[] = "cmp", dash_s[] = "-s";
        char *cmp = cmp_default, *binary = NULL;
        const char *outdir = NULL, *testdir = NULL;
        int c;
        while ((c = getopt(argc, argv, "+c:o:b:d:h")) != -1) {
                switch (c) {
                case 'c':
                        cmp = optarg;
                        break;
                case 'o':
                        outdir = optarg;
                        break;
                case 'b':
                        binary = optarg;
                        break;
                case 'd':
                        testdir = optarg;
                        break;
                case 'h':
                        fputs(usage, stdout);
                        return 0;
                default:
                        fputs(usage, stderr);
                        return 2;
                }
        }
        /* getopt consumed the "--" */
        if (!outdir || !binary || !testdir ||
            (optind < argc && strcmp(argv[optind - 1], "--") != 0)) {
                fputs(usage, stderr);
                return 2;
        }
        char *const *compile = optind < argc ? argv + optind : NULL;
        struct dirent **tests;
        int n = scandir(testdir, &tests, is_input, alphasort);
        if (n < 0) {
                fprintf(stderr, "grading_bare: '%s': %s\n", testdir, strerror(errno));
                return 2;
        }
        int rc = 0;
        double t_start = cmn_monotonic() * 1e6, t_compile = 0, cpu_compile = 0, t_runs = 0,
               t_cmp = 0;
        if (compile) {
                int st = spawn(compile, -1, -1, &cpu_compile);
                t_compile = cmn_monotonic() * 1e6 - t_start;
                if (st != 0) {
                        fprintf(stderr, "grading_bare: the compile command exited %d\n", st);
                        rc = 1;
                }
        }
        for (int i = 0; i < n && rc == 0; i++) {
                char in_path[PATH_MAX], out_path[PATH_MAX], ans_path[PATH_MAX];
                const char *name = tests[i]->d_name;
                int stem = (int)strlen(name) - 3;
                snprintf(in_path, sizeof(in_path), "%s/%s", testdir, name);
                snprintf(out_path, sizeof(out_path), "%s/%.*s.out", outdir, stem, name);
                snprintf(ans_path, sizeof(ans_path), "%s/%.*s.ans", testdir, stem, name);
                double t0 = cmn_monotonic() * 1e6;
                int in = open(in_path, O_RDONLY | O_CLOEXEC);
                int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                int st = in >= 0 && out >= 0 ? spawn((char *const[]){binary, NULL}, in, out, NULL)
                                             : -1;
                if (in >= 0)
                        close(in);
                if (out >= 0)
                        close(out);
                double t1 = cmn_monotonic() * 1e6;
                t_runs += t1 - t0;
                if (st != 0) {
                        fprintf(stderr, "grading_bare: test '%s': the program exited %d\n", name,
                                st);
                        rc = 1;
                        break;
                }
                st = spawn((char *const[]){cmp, dash_s, out_path, ans_path, NULL}, -1, -1, NULL);
                t_cmp += cmn_monotonic() * 1e6 - t1;
                if (st != 0) {
                        fprintf(stderr, "grading_bare: test '%s': the output differs (%d)\n", name,
                                st);
                        rc = 1;
                }
        }
        double total = cmn_monotonic() * 1e6 - t_start;
        for (int i = 0; i < n; i++)
                free(tests[i]);
        free(tests);
        if (rc == 0)
                printf("%.1f %.1f %.1f %.1f %.1f %d\n", t_compile, cpu_compile, t_runs, t_cmp,
                       total, n);
        return rc;
}
