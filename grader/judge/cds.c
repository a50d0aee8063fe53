/* SPDX-License-Identifier: MIT */
/*
 * Class-data-sharing archives: the archive files of a JVM language, the options a compile or a
 * run gets for them, and the command that dumps one.
 *
 * A JVM spends most of a short run loading and linking classes: the compilers of Java, Kotlin
 * and Scala load thousands per submission. A static archive holds them parsed and laid out, and
 * a JVM maps it instead. The archive must come from the same JVM build with the same class path
 * jars (their sizes and times); a JVM checks that, and runs without it otherwise.
 */
#include "cds.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const stage_names[] = {[GRD_CDS_COMPILE] = "compile", [GRD_CDS_RUN] = "run"};

int grd_cds_file(const struct grd_language *l, const char *dir, enum grd_cds_stage s, char *out,
                 size_t size)
{
        if (!l->cds.dir)
                return -ENOENT;
        int k = snprintf(out, size, "%s/%s.%s.jsa", dir ? dir : l->cds.dir, l->id, stage_names[s]);
        return k < 0 || (size_t)k >= size ? -ENAMETOOLONG : 0;
}

static bool is_java(const char *launcher)
{
        const char *slash = strrchr(launcher, '/');
        return strcmp(slash ? slash + 1 : launcher, "java") == 0;
}

int grd_jvm_insert(struct grd_argv *cmd, const char *const *opts)
{
        size_t n = 0;
        while (opts[n])
                n++;
        if (cmd->argc == 0)
                return 0;
        return grd_argv_insert_front(cmd, is_java(cmd->argv[0]) ? "" : "-J", opts, n);
}

int grd_cds_add_archive(const struct grd_language *l, enum grd_cds_stage s, struct grd_argv *cmd)
{
        char path[PATH_MAX], file_opt[PATH_MAX + 32];
        struct stat st;
        if (grd_cds_file(l, NULL, s, path, sizeof(path)) < 0 || stat(path, &st) < 0 ||
            !S_ISREG(st.st_mode))
                return 0;
        snprintf(file_opt, sizeof(file_opt), "-XX:SharedArchiveFile=%s", path);
        const char *opts[] = {file_opt,
                              "-Xlog:disable",
                              "-Xlog:all=warning:stderr",
                              "-XX:+UnlockDiagnosticVMOptions",
                              "-XX:ArchiveRelocationMode=0",
                              NULL};
        return grd_jvm_insert(cmd, opts) < 0 ? -E2BIG : 1;
}

/* A `java` option whose value is the next word. */
static bool takes_value(const char *w)
{
        static const char *const with_value[] = {"-cp",
                                                 "-classpath",
                                                 "--class-path",
                                                 "-p",
                                                 "--module-path",
                                                 "--add-modules",
                                                 "--limit-modules",
                                                 "--add-reads",
                                                 "--add-exports",
                                                 "--add-opens",
                                                 "--patch-module",
                                                 "--upgrade-module-path",
                                                 NULL};
        for (size_t i = 0; with_value[i]; i++)
                if (strcmp(w, with_value[i]) == 0)
                        return true;
        return false;
}

/* An option a dump must not inherit: a choice of archive, or of what to do with one. */
static bool archive_option(const char *w)
{
        return strncmp(w, "-Xshare:", 8) == 0 || strncmp(w, "-XX:SharedArchiveFile=", 22) == 0 ||
               strncmp(w, "-XX:DumpLoadedClassList=", 24) == 0 ||
               strncmp(w, "-XX:ArchiveClassesAtExit=", 25) == 0;
}

/* dump gets the `java` that runs cmd's JVM. Return: 0 or -EINVAL with err filled. */
static int dump_launcher(const struct grd_argv *cmd, struct grd_argv *dump, char *err,
                         size_t errlen)
{
        char real[PATH_MAX], java[PATH_MAX + 8], modules[PATH_MAX + 16];
        if (is_java(cmd->argv[0]))
                return grd_argv_add(dump, cmd->argv[0]);
        if (!realpath(cmd->argv[0], real)) {
                snprintf(err, errlen, "cannot resolve '%s': %s", cmd->argv[0], strerror(errno));
                return -EINVAL;
        }
        *strrchr(real, '/') = '\0'; /* JDK/bin: a JDK's launchers are beside its java */
        snprintf(java, sizeof(java), "%s/java", real);
        snprintf(modules, sizeof(modules), "%s/../lib/modules", real);
        struct stat st; /* JDK/lib/modules: the image of its classes (not the kernel's) */
        if (access(java, X_OK) < 0 || stat(modules, &st) < 0 || !S_ISREG(st.st_mode)) {
                snprintf(err, errlen,
                         "'%s' is not a JVM launcher: neither a 'java' nor in a JDK's bin "
                         "directory beside one",
                         cmd->argv[0]);
                return -EINVAL;
        }
        return grd_argv_add(dump, java);
}

int grd_cds_dump_command(const struct grd_argv *cmd, const char *list, const char *output,
                         struct grd_argv *dump, char *err, size_t errlen)
{
        dump->argc = dump->used = 0;
        dump->argv[0] = NULL;
        if (cmd->argc == 0) {
                snprintf(err, errlen, "an empty command");
                return -EINVAL;
        }
        int r = dump_launcher(cmd, dump, err, errlen);
        if (r == -EINVAL)
                return r;
        bool java = is_java(cmd->argv[0]);
        for (size_t i = 1; r == 0 && i < cmd->argc; i++) {
                const char *w = cmd->argv[i];
                if (!java) { /* only the -J words are the JVM's */
                        if (strncmp(w, "-J", 2) == 0 && !archive_option(w + 2))
                                r = grd_argv_add(dump, w + 2);
                        continue;
                }
                if (w[0] != '-' || strcmp(w, "-m") == 0 || strcmp(w, "--module") == 0 ||
                    strcmp(w, "-jar") == 0)
                        break; /* the main class, module or jar: the program's own words follow */
                if (archive_option(w))
                        continue;
                r = grd_argv_add(dump, w);
                if (r == 0 && takes_value(w) && i + 1 < cmd->argc)
                        r = grd_argv_add(dump, cmd->argv[++i]);
        }
        char opt_list[PATH_MAX + 32], opt_out[PATH_MAX + 32];
        if (snprintf(opt_list, sizeof(opt_list), "-XX:SharedClassListFile=%s", list) >=
                    (int)sizeof(opt_list) ||
            snprintf(opt_out, sizeof(opt_out), "-XX:SharedArchiveFile=%s", output) >=
                    (int)sizeof(opt_out))
                r = -E2BIG;
        if (r == 0)
                r = grd_argv_add(dump, "-Xshare:dump");
        if (r == 0)
                r = grd_argv_add(dump, opt_list);
        if (r == 0)
                r = grd_argv_add(dump, opt_out);
        if (r < 0)
                snprintf(err, errlen, "the command that dumps the archive is too long");
        return r;
}
