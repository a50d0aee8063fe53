/* SPDX-License-Identifier: MIT */
/* grader: the command line. main() only dispatches; each subcommand lives in its own file. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
        "usage: grader COMMAND [OPTIONS]\n"
        "\n"
        "Grade student programs in a sandbox.\n"
        "\n"
        "commands:\n"
        "  sandbox     run any command under limits and report what happened\n"
        "  run         grade one submission against a problem package, by hand\n"
        "  verify      check a problem's example submissions get their expected verdicts\n"
        "  languages   list the language table and what is installed here\n"
        "  serve       poll a course site for submissions and grade them (the service)\n"
        "  health      exit 0 when a running service is alive (for probes)\n"
        "  doctor      show the active isolation layers and run a self-test\n"
        "  pch         build the precompiled headers of the language table (at install)\n"
        "\n"
        "'grader COMMAND --help' describes a command. 'grader --version' prints the version.\n";

/*
 * `grader serve` runs grader-serve, found beside this executable (a build tree) or in the
 * installed libexec directory; only it links the network libraries.
 */
static int exec_serve(char **argv)
{
        char self[PATH_MAX], path[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n > 0) {
                self[n] = '\0';
                char *slash = strrchr(self, '/');
                if (slash) {
                        *slash = '\0';
                        if (snprintf(path, sizeof(path), "%s/grader-serve", self) <
                                    (int)sizeof(path) &&
                            access(path, X_OK) == 0)
                                execv(path, argv);
                }
        }
        execv(GRADER_LIBEXECDIR "/grader-serve", argv);
        fprintf(stderr, "grader: cannot run grader-serve (looked beside %s and in %s): %s\n",
                n > 0 ? self : "grader", GRADER_LIBEXECDIR, strerror(errno));
        return GRD_EXIT_USAGE;
}

int main(int argc, char **argv)
{
        static const struct {
                const char *name;
                int (*fn)(int, char **);
        } cmds[] = {
                {"sandbox", grd_cmd_sandbox}, {"run", grd_cmd_run},
                {"verify", grd_cmd_verify},   {"languages", grd_cmd_languages},
                {"health", grd_cmd_health},   {"doctor", grd_cmd_doctor},
                {"pch", grd_cmd_pch},
        };
        if (argc < 2) {
                fputs(usage, stderr);
                return GRD_EXIT_USAGE;
        }
        if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
                fputs(usage, stdout);
                return GRD_EXIT_OK;
        }
        if (!strcmp(argv[1], "--version")) {
                printf("grader %s\n", GRADER_VERSION);
                return GRD_EXIT_OK;
        }
        if (!strcmp(argv[1], "serve"))
                return exec_serve(argv + 1);
        for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
                if (!strcmp(argv[1], cmds[i].name))
                        return cmds[i].fn(argc - 1, argv + 1);
        }
        fprintf(stderr, "grader: unknown command '%s'\n\n%s", argv[1], usage);
        return GRD_EXIT_USAGE;
}
