/* SPDX-License-Identifier: MIT */
/*
 * The validator driver of bench/grading-overhead: run the grader's default output validator
 * (grd_check_default, the same function `grader run` calls for every test) on one answer and
 * one output file, and print the decision and the time it took. bench/grading-overhead times
 * this program and `cmp` on the same files, each as a whole process, so exec costs cancel out.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checker.h"

static const char usage[] =
        "usage: grading_checker ANSWER OUTPUT [FLAG...]\n"
        "Compare OUTPUT with ANSWER as the default validator does, with the validator's flags\n"
        "(case_sensitive, space_change_sensitive, float_tolerance E, ...), and print one line:\n"
        "'accepted SECONDS' or 'rejected SECONDS MESSAGE', SECONDS the time of opening both\n"
        "files and grd_check_default().\n"
        "Exit status: 0 accepted, 1 rejected, 2 on usage or error.\n";

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
        if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
                fputs(usage, stdout);
                return 0;
        }
        if (argc < 3) {
                fputs(usage, stderr);
                return 2;
        }
        struct grd_checker_flags flags;
        char err[256];
        if (grd_checker_parse_flags((const char *const *)argv + 3, (size_t)(argc - 3), &flags, err,
                                    sizeof(err)) < 0) {
                fprintf(stderr, "grading_checker: %s\n", err);
                return 2;
        }
        double t0 = now_s();
        int ans = open(argv[1], O_RDONLY | O_CLOEXEC);
        if (ans < 0) {
                fprintf(stderr, "grading_checker: '%s': %s\n", argv[1], strerror(errno));
                return 2;
        }
        int out = open(argv[2], O_RDONLY | O_CLOEXEC);
        if (out < 0) {
                fprintf(stderr, "grading_checker: '%s': %s\n", argv[2], strerror(errno));
                close(ans);
                return 2;
        }
        bool accepted = false;
        char msg[512];
        int r = grd_check_default(ans, out, &flags, &accepted, msg, sizeof(msg));
        close(ans);
        close(out);
        double t = now_s() - t0;
        if (r < 0) {
                fprintf(stderr, "grading_checker: %s\n", msg[0] ? msg : strerror(-r));
                return 2;
        }
        printf("%s %.6f%s%s\n", accepted ? "accepted" : "rejected", t, accepted ? "" : " ",
               accepted ? "" : msg);
        return accepted ? 0 : 1;
}
