/* SPDX-License-Identifier: MIT */
/*
 * The timing driver of bench/sandbox-overhead: fork, exec and wait for one command RUNS times
 * and print each run's wall time in microseconds, one per line. Every variant of the benchmark
 * (the bare program, grader sandbox, bwrap, ...) is timed by this same loop, so the harness's
 * own cost is the same in every row and cancels out of the ratios.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define MAX_RUNS 1000000 /* a cap on the array of results: more is a typo, not a benchmark */

/* A count of runs in 0..MAX_RUNS (cmn_parse_uint), as a long. */
static int parse_runs(const char *s, long *ret)
{
        unsigned long v;
        if (cmn_parse_uint(s, 0, MAX_RUNS, &v) < 0)
                return -1;
        *ret = (long)v;
        return 0;
}

static const char usage[] =
        "usage: sandbox_overhead_driver [-w WARMUP] RUNS -- PROGRAM [ARG...]\n"
        "Run PROGRAM RUNS times after WARMUP untimed runs (default 3), stdin and stdout on\n"
        "/dev/null, and print each timed run's wall time in microseconds, one per line.\n"
        "Exit status: 0 when every run exited 0, 1 at the first run that did not, 2 on usage.\n";

/* One run: 0 when the program exited 0, else -1 with a message on stderr. */
static int run_once(char *const *argv, int devnull, double *ret_us)
{
        double t0 = cmn_monotonic() * 1e6;
        pid_t pid = fork();
        if (pid < 0) {
                perror("sandbox_overhead_driver: fork");
                return -1;
        }
        if (pid == 0) {
                /* stderr stays ours: when a variant fails, its message is the diagnosis */
                if (dup2(devnull, STDIN_FILENO) < 0 || dup2(devnull, STDOUT_FILENO) < 0)
                        _exit(127);
                execvp(argv[0], argv);
                _exit(127);
        }
        int st;
        while (waitpid(pid, &st, 0) < 0) {
                if (errno != EINTR) {
                        perror("sandbox_overhead_driver: waitpid");
                        return -1;
                }
        }
        *ret_us = cmn_monotonic() * 1e6 - t0;
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
                return 0;
        if (WIFEXITED(st))
                fprintf(stderr, "sandbox_overhead_driver: '%s' exited with status %d\n", argv[0],
                        WEXITSTATUS(st));
        else
                fprintf(stderr, "sandbox_overhead_driver: '%s' killed by signal %d\n", argv[0],
                        WTERMSIG(st));
        return -1;
}

int main(int argc, char **argv)
{
        long warmup = 3, runs;
        int c;
        while ((c = getopt(argc, argv, "+w:h")) != -1) {
                switch (c) {
                case 'w':
                        if (parse_runs(optarg, &warmup) < 0) {
                                fputs(usage, stderr);
                                return 2;
                        }
                        break;
                case 'h':
                        fputs(usage, stdout);
                        return 0;
                default:
                        fputs(usage, stderr);
                        return 2;
                }
        }
        if (argc - optind < 3 || parse_runs(argv[optind], &runs) < 0 || runs == 0 ||
            strcmp(argv[optind + 1], "--") != 0) {
                fputs(usage, stderr);
                return 2;
        }
        char *const *cmd = argv + optind + 2;

        int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        double *us = calloc((size_t)runs, sizeof(*us));
        if (devnull < 0 || !us) {
                perror("sandbox_overhead_driver");
                free(us);
                if (devnull >= 0)
                        close(devnull);
                return 2;
        }
        int rc = 0;
        double ignored;
        for (long i = 0; i < warmup && rc == 0; i++)
                rc = run_once(cmd, devnull, &ignored);
        for (long i = 0; i < runs && rc == 0; i++)
                rc = run_once(cmd, devnull, &us[i]);
        /* printed only at the end: no output between runs to disturb them */
        if (rc == 0) {
                for (long i = 0; i < runs; i++)
                        printf("%.1f\n", us[i]);
        }
        free(us);
        close(devnull);
        return rc == 0 ? 0 : 1;
}
