/* SPDX-License-Identifier: MIT */
/* Private to sandbox/: the policy, the run plan handed to the child, the child's reports. */
#ifndef GRADER_SANDBOX_INTERNAL_H
#define GRADER_SANDBOX_INTERNAL_H

#include "sandbox.h"

#include <linux/filter.h>
#include <limits.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/types.h>

#define SBX_MAX_ARGS  256
#define SBX_MAX_ENV   64
#define SBX_MAX_BINDS 16

/* A read-only bind of a host directory (or a symlink re-created inside). */
struct sbx_bind {
        char path[PATH_MAX];   /* absolute path, the same inside and outside */
        char target[PATH_MAX]; /* non-empty: the host path is a symlink to this */
};

struct sbx_policy {
        struct sbx_layers layers;
        unsigned uid_base;
        struct sock_fprog prog; /* the compiled allow-list; prog.filter is malloc'd */
        bool notify;            /* load with SECCOMP_FILTER_FLAG_NEW_LISTENER */
        size_t notif_size;      /* the kernel's struct seccomp_notif size */
        cap_t empty_caps;       /* prepared here: the child may not allocate */
        int netns_fd;           /* privileged: one empty network namespace every run enters */
        int cap_last;           /* the kernel's highest capability number */
        struct sbx_bind binds[SBX_MAX_BINDS]; /* the system dirs shown read-only, found once */
        unsigned n_binds;
};

/*
 * Everything the child needs, prepared by the parent before clone() so that the child only
 * makes system calls: no allocation, no locks, no stdio (it runs after fork of a possibly
 * multi-threaded process).
 */
struct sbx_plan {
        const struct sbx_policy *policy;
        bool use_ns;     /* pid+mount+ipc+uts+net namespaces */
        bool use_userns; /* unprivileged: a user namespace first */
        bool setuid;     /* privileged: switch to uid/gid */
        int netns_fd;    /* >= 0: enter this network namespace instead of making one */
        uid_t uid, outer_uid;
        gid_t gid, outer_gid;
        char workdir[PATH_MAX];
        char stage[64];        /* where the new root is assembled: not above the work dir */
        char stage_old[80];    /* stage + "/oldroot" */
        bool private_workdir;  /* no workdir given: a tmpfs of tmp_size at workdir */
        bool readonly_workdir; /* bind the work dir read-only */
        char exe[PATH_MAX];
        char *argv[SBX_MAX_ARGS + 1];
        char *envp[SBX_MAX_ENV + 8];
        char env_store[8][PATH_MAX + 16];
        const struct sbx_bind *binds; /* the policy's */
        unsigned n_binds;
        char tmp_opts[64];      /* tmpfs options for /tmp and /dev/shm */
        char workdir_opts[128]; /* tmpfs options of a private work dir */
        char uid_map[64], gid_map[64];
        struct rlimit rl_cpu, rl_as, rl_data, rl_stack, rl_fsize, rl_nofile, rl_nproc;
        bool limit_as; /* false: RLIMIT_DATA is the backstop instead */
        int stdin_fd, stdout_w, stderr_w;
        int report_w;    /* child -> parent records (CLOEXEC) */
        int notify_sock; /* program child -> parent: the seccomp listener (SCM_RIGHTS) */
};

/* Records written by the child processes on report_w. */
enum sbx_record_kind {
        SBX_REC_SETUP_ERROR = 1, /* a = stage, b = errno */
        SBX_REC_EXIT = 2,        /* the program's wait status and rusage */
};

enum sbx_stage {
        SBX_STAGE_USERNS = 1,
        SBX_STAGE_NETNS,
        SBX_STAGE_MOUNT,
        SBX_STAGE_PROC,
        SBX_STAGE_HOSTNAME,
        SBX_STAGE_FORK,
        SBX_STAGE_STDIO,
        SBX_STAGE_CHDIR,
        SBX_STAGE_RLIMIT,
        SBX_STAGE_CREDS,
        SBX_STAGE_CAPS,
        SBX_STAGE_NNP,
        SBX_STAGE_FDS,
        SBX_STAGE_SECCOMP,
        SBX_STAGE_NOTIFY,
        SBX_STAGE_EXEC,
};

struct sbx_record {
        int kind;
        int stage;
        int err;
        int wstatus;
        struct rusage ru;
};

/* child.c: the body of the cloned child (pid 1 of the new pid namespace). Never returns. */
_Noreturn void sbx_child_main(const struct sbx_plan *plan);

/* policy.c: the system directories every run shows read-only, found once per policy */
void sbx_find_binds(struct sbx_policy *p);
/* policy.c: is path dir itself or below it (textually; both absolute)? */
bool sbx_path_under(const char *path, const char *dir);
/* policy.c: is path one of the system directories, or below one? */
bool sbx_under_system_dir(const char *path);

/* seccomp.c */
int sbx_seccomp_compile(struct sbx_policy *p, char *err, size_t errlen);
void sbx_seccomp_describe(long nr, char *buf, size_t n);

/* probe.c: which layers this process can use */
void sbx_probe_layers(struct sbx_policy *p, const struct sbx_policy_opts *opts);

const char *sbx_stage_name(int stage);

#endif
