/* SPDX-License-Identifier: MIT */
/* What every subcommand shares: the one way to fail with a message. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>

int grd_error(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        fputs("grader: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        return GRD_EXIT_USAGE;
}
