/* SPDX-License-Identifier: MIT */
/*
 * A CPU burner for bench/sandbox-overhead: spin until this process's own CPU clock reaches
 * the target (default 0.2 s, or argv[1] seconds), then print that clock in seconds, so the
 * CPU time a sandbox reports can be compared with the program's own figure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_seconds(void)
{
        struct timespec ts;
        if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0)
                return -1;
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
        double target = argc > 1 ? strtod(argv[1], NULL) : 0.2;
        if (!(target > 0 && target < 60)) {
                fputs("usage: burn [SECONDS]   (0 < SECONDS < 60; default 0.2)\n", stderr);
                return 2;
        }
        /* volatile: the loop must do work the compiler cannot drop */
        volatile unsigned long sink = 0;
        double now;
        while ((now = cpu_seconds()) >= 0 && now < target) {
                for (unsigned i = 0; i < 10000; i++)
                        sink = sink + i;
        }
        if (now < 0) {
                perror("burn: clock_gettime");
                return 1;
        }
        /* the figure printed is the clock's reading when the loop ended: the printf after
         * it costs microseconds, well inside the 1 ms tolerance the benchmark allows */
        printf("%.6f\n", now);
        return 0;
}
