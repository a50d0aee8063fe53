/* SPDX-License-Identifier: MIT */
/*
 * bench/pair-rounds: the cost of the sandboxed pair (sbx_run_pair) per request/response round
 * and per test, against the same two programs joined by bare pipes, measured in the same run
 * and interleaved (bare, sandboxed, bare, ...) so that the machine's load hits both alike.
 *   pair_rounds PINGPONG ROUNDS REPEATS
 * prints, for ROUNDS rounds and for 1 round, the median wall time of each way, and the ratios:
 * per round trip ((t(ROUNDS) - t(1)) / (ROUNDS - 1), sandboxed / bare) and the fixed cost of a
 * test (t(1), sandboxed - bare).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "sandbox.h"

#define MAX_REPEATS 51

static double bare(const char *exe, const char *rounds)
{
        int up[2], down[2];
        if (pipe2(up, O_CLOEXEC) < 0 || pipe2(down, O_CLOEXEC) < 0)
                return -1;
        double t0 = cmn_monotonic();
        pid_t a = fork();
        if (a == 0) {
                dup2(down[0], 0);
                dup2(up[1], 1);
                execl(exe, exe, "ask", rounds, (char *)NULL);
                _exit(127);
        }
        pid_t b = fork();
        if (b == 0) {
                dup2(up[0], 0);
                dup2(down[1], 1);
                execl(exe, exe, "answer", (char *)NULL);
                _exit(127);
        }
        close(up[0]);
        close(up[1]);
        close(down[0]);
        close(down[1]);
        int st, ok = 1;
        waitpid(a, &st, 0);
        ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
        waitpid(b, &st, 0);
        ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
        return ok ? cmn_monotonic() - t0 : -1;
}

struct boxed {
        struct sbx_policy *policy;
        char dir[2][64];
        unsigned slot[2];
};

static double sandboxed(const struct boxed *b, const char *rounds)
{
        const char *ask[] = {"./pingpong", "ask", rounds, NULL};
        const char *answer[] = {"./pingpong", "answer", NULL};
        struct sbx_pair pair = {
                .program = {.argv = ask,
                            .workdir = b->dir[0],
                            .stdin_fd = -1,
                            .stdout_fd = -1,
                            .stderr_fd = -1,
                            .slot = b->slot[0]},
                .interactor = {.argv = answer,
                               .workdir = b->dir[1],
                               .stdin_fd = -1,
                               .stdout_fd = -1,
                               .stderr_fd = -1,
                               .slot = b->slot[1]},
        };
        sbx_limits_default(&pair.program.limits);
        sbx_limits_default(&pair.interactor.limits);
        pair.program.limits.cpu_time = pair.interactor.limits.cpu_time = 60;
        pair.program.limits.wall_time = 120;
        struct sbx_pair_result r;
        double t0 = cmn_monotonic();
        if (sbx_run_pair(b->policy, &pair, NULL, &r) < 0 || r.program.status != SBX_STATUS_OK ||
            r.interactor.status != SBX_STATUS_OK) {
                fprintf(stderr, "pair failed: %s / %s\n", r.program.message, r.interactor.message);
                return -1;
        }
        return cmn_monotonic() - t0;
}

static int cmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
        qsort(v, (size_t)n, sizeof(*v), cmp);
        return v[n / 2];
}

static int setup(struct boxed *b, const char *exe, int *locks)
{
        char err[256];
        struct sbx_policy *p;
        if (sbx_policy_new(NULL, &p, err, sizeof(err)) < 0) {
                fprintf(stderr, "policy: %s\n", err);
                return -1;
        }
        b->policy = p;
        for (int i = 0; i < 2; i++) {
                char dst[128];
                snprintf(b->dir[i], sizeof(b->dir[i]), "/tmp/grader-bench-pair-XXXXXX");
                if (!mkdtemp(b->dir[i]) || chmod(b->dir[i], 0755) < 0 ||
                    cmn_join(dst, sizeof(dst), b->dir[i], "pingpong") < 0 ||
                    cmn_copy_file(exe, dst, 0755) < 0 ||
                    sbx_slot_acquire(p, i ? 1000 : 0, 1000, &b->slot[i], &locks[i]) < 0)
                        return -1;
        }
        return 0;
}

int main(int argc, char **argv)
{
        if (argc != 4 || atol(argv[2]) < 2 || atoi(argv[3]) < 1 || atoi(argv[3]) > MAX_REPEATS) {
                fprintf(stderr, "usage: pair_rounds PINGPONG ROUNDS(>=2) REPEATS(1..%d)\n",
                        MAX_REPEATS);
                return 2;
        }
        const char *exe = argv[1], *rounds = argv[2];
        long n = atol(rounds);
        int reps = atoi(argv[3]);
        struct boxed b = {0};
        int locks[2] = {-1, -1};
        if (setup(&b, exe, locks) < 0)
                return 1;
        double t[4][MAX_REPEATS]; /* bare N, boxed N, bare 1, boxed 1 */
        for (int i = 0; i < reps; i++) {
                t[0][i] = bare(exe, rounds);
                t[1][i] = sandboxed(&b, rounds);
                t[2][i] = bare(exe, "1");
                t[3][i] = sandboxed(&b, "1");
                for (int k = 0; k < 4; k++) {
                        if (t[k][i] < 0)
                                return 1;
                }
        }
        double m[4];
        for (int k = 0; k < 4; k++)
                m[k] = median(t[k], reps);
        double per_bare = (m[0] - m[2]) / (double)(n - 1),
               per_box = (m[1] - m[3]) / (double)(n - 1);
        printf("rounds per test          %ld (median of %d, interleaved)\n", n, reps);
        printf("bare pipes               %.3f s per test, %.2f us per round trip\n", m[0],
               per_bare * 1e6);
        printf("sandboxed pair           %.3f s per test, %.2f us per round trip\n", m[1],
               per_box * 1e6);
        printf("ratio per round trip     %.2fx (goal <= 1.3x)\n", per_box / per_bare);
        printf("fixed cost per test      bare %.2f ms, sandboxed %.2f ms: +%.2f ms\n", m[2] * 1e3,
               m[3] * 1e3, (m[3] - m[2]) * 1e3);
        for (int i = 0; i < 2; i++) {
                cmn_rmtree(b.dir[i]);
                sbx_slot_release(locks[i]);
        }
        sbx_policy_free(b.policy);
        return 0;
}
