/* SPDX-License-Identifier: MIT */
/*
 * The plan of one run: every path, string, option and limit the child processes need,
 * prepared by the parent before clone() (the children may only make system calls).
 */
#include "sandbox_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

#define MIB                  (1024ull * 1024ull)
#define AREA_BYTES_PER_INODE 4096 /* the work area's inodes: one per page of its size ... */
#define AREA_MIN_INODES      1024 /* ... and never fewer than a compiler's temporary files */

/* Find argv[0]: a path (relative ones are relative to the work dir) or a name in PATH. */
static int resolve_exe(const char *name, const char *workdir, char *out, size_t n)
{
        if (strchr(name, '/')) {
                if (name[0] == '/')
                        return cmn_strlcpy(out, name, n) < n ? 0 : -ENAMETOOLONG;
                while (name[0] == '.' && name[1] == '/')
                        name += 2; /* "./a.out": name it as the user knows it */
                return cmn_join(out, n, workdir, name);
        }
        static const char *const path[] = {"/usr/local/bin",  "/usr/bin",  "/bin",
                                           "/usr/local/sbin", "/usr/sbin", "/sbin"};
        for (size_t i = 0; i < CMN_ARRAY_SIZE(path); i++) {
                if (cmn_join(out, n, path[i], name) == 0 && access(out, X_OK) == 0)
                        return 0;
        }
        return -ENOENT;
}

bool sbx_workdir_allowed(const char *w)
{
        if (!strcmp(w, "/") || !strcmp(w, "/proc") || !strncmp(w, "/proc/", 6) ||
            !strcmp(w, "/dev") || !strncmp(w, "/dev/", 5) || !strcmp(w, "/tmp"))
                return false;
        return !sbx_under_system_dir(w);
}

/* Tasks (processes and threads) this uid has now: RLIMIT_NPROC counts them all. */
static unsigned long tasks_of_uid(uid_t uid)
{
        unsigned long n = 0;
        DIR *d = opendir("/proc");
        if (!d)
                return 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] < '0' || de->d_name[0] > '9')
                        continue;
                char path[300], buf[2048];
                snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
                if (sbx_read_small(path, buf, sizeof(buf)) < 0)
                        continue;
                const char *u = strstr(buf, "\nUid:");
                const char *t = strstr(buf, "\nThreads:");
                if (u && t && strtoul(u + 5, NULL, 10) == uid)
                        n += strtoul(t + 9, NULL, 10);
        }
        closedir(d);
        return n;
}

/* Who runs it, in which namespaces, and where the new root is assembled. */
static int plan_identity(const struct sbx_policy *p, const struct sbx_config *cfg,
                         const char *workdir, struct sbx_plan *pl, struct sbx_result *res)
{
        pl->policy = p;
        pl->prog = sbx_seccomp_prog(p, cfg->limits.seccomp_addition);
        if (!pl->prog) {
                res->status = SBX_STATUS_IE;
                sbx_set_msg(res, "no seccomp allow-list addition of that name");
                return -1;
        }
        pl->use_ns = p->layers.privileged || p->layers.user_ns;
        pl->use_userns = p->layers.user_ns;
        pl->setuid = p->layers.uid_per_slot;
        pl->netns_fd = pl->use_ns && !pl->use_userns ? p->netns_fd : -1;
        pl->outer_uid = geteuid();
        pl->outer_gid = getegid();
        pl->uid = pl->setuid ? p->uid_base + cfg->slot : pl->outer_uid;
        pl->gid = pl->setuid ? p->uid_base + cfg->slot : pl->outer_gid;
        snprintf(pl->uid_map, sizeof(pl->uid_map), "%u %u 1\n", (unsigned)pl->outer_uid,
                 (unsigned)pl->outer_uid);
        snprintf(pl->gid_map, sizeof(pl->gid_map), "%u %u 1\n", (unsigned)pl->outer_gid,
                 (unsigned)pl->outer_gid);
        cmn_strlcpy(pl->workdir, workdir, sizeof(pl->workdir));
        snprintf(pl->host_workdir, sizeof(pl->host_workdir), "/oldroot%s", workdir);
        /* The new root is assembled on a tmpfs mounted over an existing directory, which
         * hides what is below it until the root moves: never one above the work dir. */
        static const char *const stages[] = {"/tmp",     "/mnt", "/srv", "/media",
                                             "/var/tmp", "/run", "/opt"};
        pl->stage[0] = '\0';
        for (size_t k = 0; k < CMN_ARRAY_SIZE(stages); k++) {
                size_t l = strlen(stages[k]);
                struct stat st;
                if (!strncmp(workdir, stages[k], l) && workdir[l] == '/')
                        continue;
                if (lstat(stages[k], &st) == 0 && S_ISDIR(st.st_mode)) {
                        cmn_strlcpy(pl->stage, stages[k], sizeof(pl->stage));
                        break;
                }
        }
        if (!pl->stage[0] && pl->use_ns) {
                res->status = SBX_STATUS_IE;
                sbx_set_msg(res,
                            "no directory to assemble the sandbox's root in (/tmp, /mnt, ...)");
                return -1;
        }
        snprintf(pl->stage_old, sizeof(pl->stage_old), "%s/oldroot", pl->stage);
        return 0;
}

/* The work dir: a work area of its own with namespaces (docs/sandbox.md), sized by disk. */
static void plan_work(const struct sbx_policy *p, const struct sbx_config *cfg, struct sbx_plan *pl)
{
        const struct sbx_limits *lim = &cfg->limits;
        pl->work = !pl->use_ns             ? SBX_WORK_HOST
                   : cfg->readonly_workdir ? SBX_WORK_READONLY
                                           : SBX_WORK_AREA;
        pl->copy_workdir = p->copy_workdir;
        uint64_t tmp = lim->tmp_size ? lim->tmp_size : 16 * MIB;
        snprintf(pl->tmp_opts, sizeof(pl->tmp_opts), "mode=1777,size=%llu,nr_inodes=4096",
                 (unsigned long long)tmp);
        pl->area_bytes = lim->disk ? lim->disk : SBX_DISK_DEFAULT;
        pl->area_inodes = pl->area_bytes / AREA_BYTES_PER_INODE;
        if (pl->area_inodes < AREA_MIN_INODES)
                pl->area_inodes = AREA_MIN_INODES;
        snprintf(pl->area_opts, sizeof(pl->area_opts), "mode=0700,size=%llu,nr_inodes=%llu",
                 (unsigned long long)pl->area_bytes, (unsigned long long)pl->area_inodes);
        /* The lower layer is given as ".", the keeper's working directory (the work dir as the
         * host has it): a path in the options would have to escape ',' and ':'. Without a user
         * namespace, overlayfs must not write redirects or metadata-only copies, which the
         * copy back could not follow; in one (userxattr), it never does. */
        snprintf(pl->ovl_opts, sizeof(pl->ovl_opts),
                 "lowerdir=.,upperdir=" SBX_AREA_DIR "/" SBX_AREA_DATA ",workdir=" SBX_AREA_DIR
                 "/" SBX_AREA_OVL "%s",
                 pl->use_userns ? ",userxattr" : ",redirect_dir=off,metacopy=off,index=off");
}

/* The program: where it is, what the program child executes, its argv and environment. */
static int plan_program(const struct sbx_config *cfg, const char *workdir, struct sbx_plan *pl,
                        struct sbx_result *res)
{
        if (resolve_exe(cfg->argv[0], workdir, pl->exe, sizeof(pl->exe)) < 0) {
                res->status = SBX_STATUS_IE;
                sbx_set_msg(res, "program '%s' not found in PATH (/usr/local/bin:/usr/bin:/bin)",
                            cfg->argv[0]);
                return -1;
        }
        /* The program sees only the work dir and the system directories: a program elsewhere
         * exists for us but not for it. Say where we looked, and what to do. */
        if (pl->use_ns && !sbx_path_under(pl->exe, workdir) && !sbx_under_system_dir(pl->exe)) {
                res->status = SBX_STATUS_IE;
                sbx_set_msg(res,
                            "program '%s' is outside the work dir '%s' and the system directories: "
                            "the sandbox cannot see it; copy it into the work dir",
                            pl->exe, workdir);
                return -1;
        }
        if (access(pl->exe, F_OK) < 0) {
                res->status = SBX_STATUS_IE;
                sbx_set_msg(
                        res,
                        "program '%s' not found: it must be inside the work dir '%s' (a relative "
                        "path is relative to it) or in a system directory",
                        pl->exe, workdir);
                return -1;
        }
        /* Without namespaces, a slot uid cannot pass the caller's private work root (0700):
         * its work dir is entered while still root, and a program inside it is executed by
         * its path from there. */
        size_t wl = strlen(workdir);
        if (pl->work == SBX_WORK_HOST && pl->setuid && sbx_path_under(pl->exe, workdir) &&
            pl->exe[wl] == '/')
                snprintf(pl->exec_path, sizeof(pl->exec_path), ".%s", pl->exe + wl);
        else
                cmn_strlcpy(pl->exec_path, pl->exe, sizeof(pl->exec_path));

        /* Copies of every string: the grader's own argv and environment, where the caller's
         * may live, are blanked in the keeper. */
        size_t total = 0, n = 0, e = 0;
        for (; cfg->argv[n]; n++)
                total += strlen(cfg->argv[n]) + 1;
        for (; cfg->env && cfg->env[e]; e++)
                total += strlen(cfg->env[e]) + 1;
        pl->strings = malloc(total ? total : 1);
        if (!pl->strings) {
                res->status = SBX_STATUS_IE;
                sbx_set_msg(res, "out of memory");
                return -1;
        }
        char *s = pl->strings;
        for (size_t i = 0; i < n; i++) {
                pl->argv[i] = s;
                s = stpcpy(s, cfg->argv[i]) + 1;
        }
        pl->argv[n] = NULL;

        /* A clean environment: what every runtime needs, then the caller's entries. */
        size_t k = 0;
        snprintf(pl->env_store[0], sizeof(pl->env_store[0]), "HOME=%s", workdir);
        snprintf(pl->env_store[1], sizeof(pl->env_store[1]), "PWD=%s", workdir);
        pl->envp[k++] = pl->env_store[0];
        pl->envp[k++] = pl->env_store[1];
        pl->envp[k++] = (char *)"PATH=/usr/local/bin:/usr/bin:/bin";
        pl->envp[k++] = (char *)"LANG=C.UTF-8";
        pl->envp[k++] = (char *)"TMPDIR=/tmp";
        for (size_t i = 0; i < e; i++) {
                pl->envp[k++] = s;
                s = stpcpy(s, cfg->env[i]) + 1;
        }
        pl->envp[k] = NULL;
        return 0;
}

/* rlimits: backstops for what the parent watches, and the hard bounds it cannot watch. */
static void plan_rlimits(const struct sbx_config *cfg, struct sbx_plan *pl)
{
        const struct sbx_limits *lim = &cfg->limits;
        /* RLIMIT_CPU counts whole seconds per process: it is only a backstop one second past
         * the limit (SIGXCPU) and another (SIGKILL); the watchdog stops the run first. */
        rlim_t cpu = (rlim_t)ceil(lim->cpu_time) + 1;
        pl->rl_cpu = (struct rlimit){cpu, cpu + 1};
        /* The limit is on resident memory; the address-space (or data) rlimit is a backstop
         * at twice the limit plus room for the runtime's own mappings, so a program that
         * touches what it allocates passes the limit, and is seen doing so, long before an
         * allocation is refused. */
        rlim_t backstop = lim->memory ? (rlim_t)(2 * lim->memory + 128 * MIB) : RLIM_INFINITY;
        /* RLIMIT_DATA also counts every thread's reserved stack: a JVM with its dozen
         * threads of -Xss32m reserves far more than it uses, so the data backstop is wider. */
        if (lim->memory && lim->memory_mode == SBX_MEMORY_DATA)
                backstop = (rlim_t)(2 * lim->memory + 2048 * MIB);
        pl->limit_as = lim->memory_mode == SBX_MEMORY_ADDRESS_SPACE;
        pl->rl_as = (struct rlimit){backstop, backstop};
        pl->rl_data = (struct rlimit){backstop, backstop};
        rlim_t stack = lim->stack ? lim->stack : (lim->memory ? lim->memory : 8 * MIB);
        pl->rl_stack = (struct rlimit){stack, stack};
        rlim_t fsize = lim->output ? (rlim_t)lim->output : RLIM_INFINITY;
        pl->rl_fsize = (struct rlimit){fsize, fsize};
        rlim_t nofile = lim->open_files ? lim->open_files : 64;
        pl->rl_nofile = (struct rlimit){nofile, nofile};
        rlim_t nproc = lim->processes ? lim->processes : 1;
        if (pl->use_userns)
                nproc += 1; /* the keeper has the program's uid there, and is counted */
        else if (!pl->use_ns && !pl->setuid)
                nproc += tasks_of_uid(pl->outer_uid); /* shared with every process of ours */
        pl->rl_nproc = (struct rlimit){nproc, nproc};
}

int sbx_build_plan(const struct sbx_policy *p, const struct sbx_config *cfg, const char *workdir,
                   struct sbx_plan *pl, struct sbx_result *res)
{
        if (plan_identity(p, cfg, workdir, pl, res) < 0)
                return -1;
        plan_work(p, cfg, pl);
        if (plan_program(cfg, workdir, pl, res) < 0)
                return -1;
        pl->binds = p->binds;
        pl->n_binds = p->n_binds;
        plan_rlimits(cfg, pl);
        return 0;
}

void sbx_plan_release(struct sbx_plan *pl)
{
        free(pl->strings);
        pl->strings = NULL;
}
