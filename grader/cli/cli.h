/* SPDX-License-Identifier: MIT */
/* The subcommands of the grader CLI; each returns the process exit status. */
#ifndef GRADER_CLI_H
#define GRADER_CLI_H

#include <stdio.h>

/* Exit statuses shared by the subcommands (docs/sandbox.md, docs/grading.md). */
enum {
        GRD_EXIT_OK = 0,    /* status OK / verdict AC / success */
        GRD_EXIT_FAIL = 1,  /* another status or verdict */
        GRD_EXIT_USAGE = 2, /* usage or internal error */
};

int grd_cmd_sandbox(int argc, char **argv);
int grd_cmd_doctor(int argc, char **argv);
int grd_cmd_run(int argc, char **argv);
int grd_cmd_verify(int argc, char **argv);
int grd_cmd_languages(int argc, char **argv);
int grd_cmd_health(int argc, char **argv);
int grd_cmd_pch(int argc, char **argv);

/* Print "grader: " + message to stderr. Return: GRD_EXIT_USAGE, for `return grd_error(...)`. */
int grd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
