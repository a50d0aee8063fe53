/* SPDX-License-Identifier: MIT */
/*
 * no_pivot_root PROGRAM [ARG...]: run PROGRAM with pivot_root(2) refused (EPERM), as Docker's
 * and containerd's default seccomp profiles do, to test the sandbox's fallback.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv);

int main(int argc, char **argv)
{
        if (argc < 2) {
                fprintf(stderr, "usage: no_pivot_root PROGRAM [ARG...]\n");
                return 2;
        }
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(pivot_root), 0) < 0 ||
            seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) < 0 || seccomp_load(ctx) < 0) {
                fprintf(stderr, "no_pivot_root: cannot load the filter (needs root)\n");
                return 2;
        }
        seccomp_release(ctx);
        execv(argv[1], argv + 1);
        perror(argv[1]);
        return 2;
}
