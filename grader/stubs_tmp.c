/* SPDX-License-Identifier: MIT */
/* temporary */
#include "cli.h"
int grd_cmd_serve(int argc, char **argv) { (void)argc; (void)argv; return 2; }
int grd_cmd_health(int argc, char **argv) { (void)argc; (void)argv; return 2; }
