/* SPDX-License-Identifier: MIT */
/*
 * grader-serve: the service, in its own executable so that libcurl, OpenSSL and
 * libmicrohttpd are loaded only by the service: `grader sandbox`, `run` and `verify` start in
 * a fraction of the time (docs/performance.md). `grader serve` execs this program.
 */
#include "cli.h"

int main(int argc, char **argv);

int main(int argc, char **argv)
{
        return grd_cmd_serve(argc, argv);
}
