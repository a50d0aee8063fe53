/* SPDX-License-Identifier: MIT */
/*
 * The in-process rows of bench/sandbox-overhead: one sbx_policy, one slot, then sbx_run() RUNS
 * times with the same config, printing each run's wall time in microseconds, one per line.
 * This is what a resident grader (grader serve) pays per run: no exec of the grader, no policy
 * probe, no seccomp compile; only the fork-per-run path of the sandbox itself. With -p it
 * times sbx_policy_new() instead: the part of the CLI's cost that a resident grader pays once.
 * With -u it prints what watching a run costs the caller: its own CPU time per run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#include "sandbox.h"

#define MAX_RUNS 1000000 /* a cap on the array of results */

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
        "usage: sandbox_overhead_inproc [-ncru] [-P N] [-w WARMUP] [-d WORKDIR] RUNS -- PROGRAM "
        "[ARG...]\n"
        "       sandbox_overhead_inproc [-n] [-w WARMUP] -p RUNS\n"
        "       sandbox_overhead_inproc [-n] -l\n"
        "Run PROGRAM through sbx_run() RUNS times after WARMUP untimed runs (default 3) and\n"
        "print each timed run's wall time in microseconds, one per line.\n"
        "  -n          no namespaces: the unprivileged layers only\n"
        "  -c          the work area holds a copy of the work dir (no overlayfs)\n"
        "  -r          the work dir read-only: no work area at all\n"
        "  -P N        allow N processes (default 1)\n"
        "  -u          per run, print the caller's own CPU time, the wall time and the run's\n"
        "              cpu_time, in microseconds: what watching the run costs\n"
        "  -d WORKDIR  the work dir (absolute; default: a fresh one per run)\n"
        "  -p          time sbx_policy_new() + sbx_policy_free() instead of runs\n"
        "  -l          print the isolation a policy gets (privileged, user-ns or none), exit\n"
        "Exit status: 0 when every run was OK, 1 at the first run that was not, 2 on usage or\n"
        "setup failure.\n";

struct bench {
        struct sbx_policy_opts opts;
        struct sbx_policy *policy; /* NULL with -p */
        struct sbx_config cfg;
        bool watch_cost; /* -u */
};

/* One timed run: wall time, and with -u the caller's CPU and the run's. */
struct sample {
        double wall_us, self_us, run_us;
};

static double self_cpu_us(void)
{
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
               (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static int new_policy(const struct sbx_policy_opts *opts, struct sbx_policy **ret)
{
        char err[256] = "";
        int r = sbx_policy_new(opts, ret, err, sizeof(err));
        if (r < 0)
                fprintf(stderr, "sandbox_overhead_inproc: policy: %s\n",
                        err[0] ? err : strerror(-r));
        return r;
}

/* -l: which isolation a policy gets here, so the harness can label (or skip) its rows. */
static int print_isolation(const struct sbx_policy_opts *opts)
{
        struct sbx_policy *p = NULL;
        if (new_policy(opts, &p) < 0)
                return 2;
        struct sbx_layers l;
        sbx_policy_layers(p, &l);
        sbx_policy_free(p);
        puts(l.privileged ? "privileged" : l.user_ns ? "user-ns" : "none");
        return 0;
}

/* One timed iteration: a run, or (with -p) a policy's life. 0, or -1 with a message. */
static int once(const struct bench *b, struct sample *ret)
{
        double t0 = cmn_monotonic() * 1e6, c0 = self_cpu_us();
        if (!b->policy) {
                struct sbx_policy *p = NULL;
                int r = new_policy(&b->opts, &p);
                sbx_policy_free(p);
                ret->wall_us = cmn_monotonic() * 1e6 - t0;
                return r < 0 ? -1 : 0;
        }
        struct sbx_result res;
        int r = sbx_run(b->policy, &b->cfg, &res);
        ret->wall_us = cmn_monotonic() * 1e6 - t0;
        ret->self_us = self_cpu_us() - c0;
        ret->run_us = res.cpu_time * 1e6;
        if (r < 0) {
                fprintf(stderr, "sandbox_overhead_inproc: sbx_run: %s\n", strerror(-r));
                return -1;
        }
        if (res.status != SBX_STATUS_OK) {
                fprintf(stderr, "sandbox_overhead_inproc: run was %s: %s\n",
                        sbx_status_name(res.status), res.message);
                return -1;
        }
        return 0;
}

int main(int argc, char **argv)
{
        struct bench b = {.cfg = {.stdin_fd = -1, .stderr_fd = STDERR_FILENO}};
        long warmup = 3, runs;
        bool list = false, policy_only = false;
        int c;
        unsigned long procs = 1;
        while ((c = getopt(argc, argv, "+ncruP:w:d:plh")) != -1) {
                switch (c) {
                case 'n':
                        b.opts.no_namespaces = true;
                        break;
                case 'c':
                        b.opts.copy_workdir = true;
                        break;
                case 'r':
                        b.cfg.readonly_workdir = true;
                        break;
                case 'u':
                        b.watch_cost = true;
                        break;
                case 'P':
                        if (cmn_parse_uint(optarg, 1, 1000, &procs) < 0) {
                                fputs(usage, stderr);
                                return 2;
                        }
                        break;
                case 'w':
                        if (parse_runs(optarg, &warmup) < 0) {
                                fputs(usage, stderr);
                                return 2;
                        }
                        break;
                case 'd':
                        b.cfg.workdir = optarg;
                        break;
                case 'p':
                        policy_only = true;
                        break;
                case 'l':
                        list = true;
                        break;
                case 'h':
                        fputs(usage, stdout);
                        return 0;
                default:
                        fputs(usage, stderr);
                        return 2;
                }
        }
        if (list)
                return print_isolation(&b.opts);
        bool args_ok = policy_only ? argc - optind == 1
                                   : argc - optind >= 3 && !strcmp(argv[optind + 1], "--");
        if (!args_ok || parse_runs(argv[optind], &runs) < 0 || runs == 0) {
                fputs(usage, stderr);
                return 2;
        }

        /* the same sinks as `grader sandbox` timed by the driver: stdout to /dev/null, stderr
         * to ours */
        int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
        struct sample *us = calloc((size_t)runs, sizeof(*us));
        if (devnull < 0 || !us) {
                perror("sandbox_overhead_inproc");
                free(us);
                if (devnull >= 0)
                        close(devnull);
                return 2;
        }
        b.cfg.stdout_fd = devnull;
        b.cfg.argv = (const char *const *)(argv + optind + 2);
        sbx_limits_default(&b.cfg.limits);
        b.cfg.limits.processes = (unsigned)procs;
        int slot_fd = -1, rc = 2;
        if (!policy_only) {
                if (new_policy(&b.opts, &b.policy) < 0)
                        goto out;
                int r = sbx_slot_acquire(b.policy, 0, 1000, &b.cfg.slot, &slot_fd);
                if (r < 0) {
                        fprintf(stderr, "sandbox_overhead_inproc: no free slot: %s\n",
                                strerror(-r));
                        goto out;
                }
        }
        rc = 0;
        struct sample ignored;
        for (long i = 0; i < warmup && rc == 0; i++)
                rc = once(&b, &ignored) < 0 ? 1 : 0;
        for (long i = 0; i < runs && rc == 0; i++)
                rc = once(&b, &us[i]) < 0 ? 1 : 0;
        /* printed only at the end: no output between runs to disturb them */
        for (long i = 0; rc == 0 && i < runs; i++) {
                if (b.watch_cost)
                        printf("%.1f %.1f %.1f\n", us[i].self_us, us[i].wall_us, us[i].run_us);
                else
                        printf("%.1f\n", us[i].wall_us);
        }
out:
        sbx_slot_release(slot_fd);
        sbx_policy_free(b.policy);
        free(us);
        close(devnull);
        return rc;
}
