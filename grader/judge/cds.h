/* SPDX-License-Identifier: MIT */
/*
 * Class-data-sharing archives of the JVM languages (docs/grading.md, "Class-data-sharing
 * archives"): where a language's archives are, the options a compile or run gets for them, and
 * the command that dumps one (`grader pch` runs it).
 */
#ifndef GRADER_CDS_H
#define GRADER_CDS_H

#include <stddef.h>

#include "language.h"

enum grd_cds_stage {
        GRD_CDS_COMPILE, /* the classes the language's compiler loads: ID.compile.jsa */
        GRD_CDS_RUN,     /* the classes a small program of the language loads: ID.run.jsa */
};

/*
 * grd_cds_file - the path of l's archive for a stage: dir/ID.STAGE.jsa, where dir is the
 * table's (dir NULL) or another (`grader pch --dir`).
 * Return: 0; -ENOENT when l has no archives; -ENAMETOOLONG.
 */
int grd_cds_file(const struct grd_language *l, const char *dir, enum grd_cds_stage s, char *out,
                 size_t size);

/*
 * grd_jvm_insert - insert JVM options right after the launcher (argv[0]) of an expanded
 * command, in order: as they are when the launcher is a `java`, each with "-J" before it
 * otherwise (javac, kotlinc and scalac hand -J options to their JVM).
 * Return: 0, or -E2BIG when the command is full (it is then left as it was).
 */
int grd_jvm_insert(struct grd_argv *cmd, const char *const *opts);

/*
 * grd_cds_add_archive - when l has archives and the stage's archive is a regular file, insert
 * the JVM options that map it (grd_jvm_insert): -XX:SharedArchiveFile=, the JVM's own messages
 * to stderr rather than stdout (a JVM that refuses a stale archive says so in a warning, which
 * must not become part of a program's output), and the archive mapped where it was dumped
 * rather than relocated (-XX:ArchiveRelocationMode=0). A JVM checks an archive's header, its
 * own build and the class path's jars before using it, and otherwise runs without it: a stale
 * archive costs time, never a different result.
 * Return: 1 inserted, 0 nothing to insert, -E2BIG when the command is full.
 */
int grd_cds_add_archive(const struct grd_language *l, enum grd_cds_stage s, struct grd_argv *cmd);

/*
 * grd_cds_dump_command - the command that dumps a static archive of the classes listed in
 * list (written by a run of cmd with -XX:DumpLoadedClassList) into output, for the JVM that
 * cmd starts and with its options: cmd's own launcher and the options before its main class
 * when the launcher is a `java`; otherwise the `java` beside the launcher's real path and the
 * launcher's -J options. Options cmd got for an archive are left out. Run it in an empty
 * directory: a JVM refuses to dump with a class path directory that holds files.
 * Return: 0; -EINVAL with err filled when cmd's launcher is not a JVM; -E2BIG.
 */
int grd_cds_dump_command(const struct grd_argv *cmd, const char *list, const char *output,
                         struct grd_argv *dump, char *err, size_t errlen);

#endif
