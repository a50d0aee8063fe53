/* SPDX-License-Identifier: MIT */
/* `grader languages`: the language table and what of it is installed here. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "language.h"

static const char help[] = "usage: grader languages [--languages FILE]\n"
                           "\n"
                           "List every language of the table (default: the installed one, or\n"
                           "$GRADER_LANGUAGES) with its extensions, the Debian package that\n"
                           "installs it, and whether its compiler and runtime are installed on\n"
                           "this machine (the first program missing when not).\n";

int grd_cmd_languages(int argc, char **argv)
{
        static const struct option opts[] = {{"languages", required_argument, NULL, 'l'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
        const char *path = NULL;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case 'l':
                        path = optarg;
                        break;
                case 'h':
                        fputs(help, stdout);
                        return GRD_EXIT_OK;
                default:
                        fputs(help, stderr);
                        return GRD_EXIT_USAGE;
                }
        }
        char err[512];
        struct grd_languages *t;
        if (grd_languages_load(path, &t, err, sizeof(err)) < 0)
                return grd_error("languages: %s", err);
        printf("%-10s %-22s %-22s %-24s %s\n", "ID", "NAME", "EXTENSIONS", "PACKAGE", "STATUS");
        size_t installed = 0;
        for (size_t i = 0; i < t->n; i++) {
                const struct grd_language *l = &t->langs[i];
                char ext[64] = "";
                for (char **e = l->extensions; *e; e++) {
                        if (strlen(ext) + strlen(*e) + 2 < sizeof(ext)) {
                                strcat(ext, *e);
                                strcat(ext, " ");
                        }
                }
                const char *missing = grd_language_missing(l);
                printf("%-10s %-22s %-22s %-24s %s%s\n", l->id, l->name, ext, l->package,
                       missing ? "not installed: " : "installed", missing ? missing : "");
                installed += !missing;
        }
        printf("\n%zu of %zu languages installed\n", installed, t->n);
        grd_languages_free(t);
        return GRD_EXIT_OK;
}
