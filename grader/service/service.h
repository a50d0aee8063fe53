/* SPDX-License-Identifier: MIT */
/* `grader serve`: the service loop (docs/service.md). */
#ifndef GRADER_SERVICE_H
#define GRADER_SERVICE_H

#include "config.h"

/*
 * grd_service_run - run the service until SIGTERM/SIGINT (or, with exit_when_idle, until
 * every worker found no work) with a checked configuration.
 * Return: the process exit status: 0 after a clean stop, 1 when it could not start (the
 * reason is logged).
 */
int grd_service_run(struct grd_config *cfg);

#endif
