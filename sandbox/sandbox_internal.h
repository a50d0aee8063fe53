/* SPDX-License-Identifier: MIT */
/* Private to sandbox/: the policy, the run plan handed to the child, the child's reports. */
#ifndef GRADER_SANDBOX_INTERNAL_H
#define GRADER_SANDBOX_INTERNAL_H

#include "sandbox.h"

#include <linux/filter.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/types.h>

#define SBX_MAX_ARGS          256
#define SBX_MAX_ENV           64
#define SBX_MAX_BINDS         16
#define SBX_SECCOMP_ADDITIONS 2 /* named allow-list additions (seccomp.c) */
#define SBX_FDS_MAX           5 /* descriptors in one message on the control socket */

/* Directory levels copied in and out of a work area: deeper than any package layout a compiler
 * writes, and two descriptors per level stay well inside a grader's descriptor budget. */
#define SBX_COPY_MAX_DEPTH 32

/* Where the keeper assembles the work area, inside the new root, before hiding it. */
#define SBX_AREA_DIR  "/.area"
#define SBX_AREA_DATA "upper" /* the program's files: overlay upper layer, or the copy */
#define SBX_AREA_OVL  "ovl"   /* overlayfs's own work directory */

/* A read-only bind of a host directory (or a symlink re-created inside). */
struct sbx_bind {
        char path[PATH_MAX];   /* absolute path, the same inside and outside */
        char target[PATH_MAX]; /* non-empty: the host path is a symlink to this */
};

struct sbx_policy {
        struct sbx_layers layers;
        unsigned uid_base;
        struct sock_fprog prog; /* the compiled allow-list; prog.filter is malloc'd */
        /* the allow-list with each named addition (seccomp.c), in its table's order */
        struct sock_fprog with_addition[SBX_SECCOMP_ADDITIONS];
        bool notify;       /* load with SECCOMP_FILTER_FLAG_NEW_LISTENER */
        size_t notif_size; /* the kernel's struct seccomp_notif size */
        bool copy_workdir; /* never layer the work area with overlayfs */
        int netns_fd;      /* privileged: one empty network namespace every run enters */
        int cap_last;      /* the kernel's highest capability number */
        struct sbx_bind binds[SBX_MAX_BINDS]; /* the system dirs shown read-only, found once */
        unsigned n_binds;
};

/* How the program's work dir is made. */
enum sbx_work_kind {
        SBX_WORK_HOST,     /* no namespaces: the host directory itself */
        SBX_WORK_READONLY, /* the host directory, bound read-only */
        SBX_WORK_AREA,     /* a tmpfs of its own: overlayfs over the host dir, or a copy of it */
};

/*
 * Everything the child needs, prepared by the parent before clone() so that the child only
 * makes system calls: no allocation, no locks, no stdio (it runs after fork of a possibly
 * multi-threaded process).
 */
struct sbx_plan {
        const struct sbx_policy *policy;
        const struct sock_fprog *prog; /* the policy's allow-list, or one with an addition */
        bool use_ns;                   /* pid+mount+ipc+uts+net namespaces */
        bool use_userns;               /* unprivileged: a user namespace first */
        bool setuid;                   /* privileged: switch to uid/gid */
        int netns_fd; /* >= 0: enter this network namespace instead of making one */
        uid_t uid, outer_uid;
        gid_t gid, outer_gid;
        char workdir[PATH_MAX];
        char host_workdir[PATH_MAX + 16]; /* "/oldroot" + workdir: the host's, from inside */
        enum sbx_work_kind work;
        bool copy_workdir;  /* SBX_WORK_AREA: copy instead of overlayfs */
        char stage[64];     /* where the new root is assembled: not above the work dir */
        char stage_old[80]; /* stage + "/oldroot" */
        char exe[PATH_MAX];
        char exec_path[PATH_MAX]; /* exe, or "./" + exe relative to the work dir (plan.c) */
        char *argv[SBX_MAX_ARGS + 1];
        char *envp[SBX_MAX_ENV + 8];
        char env_store[2][PATH_MAX + 16]; /* HOME= and PWD= */
        char *strings; /* copies of the caller's argv and env strings (malloc'd): the keeper
                          blanks the grader's own argv and environment in its memory */
        const struct sbx_bind *binds; /* the policy's */
        unsigned n_binds;
        char tmp_opts[64];    /* tmpfs options for /tmp and /dev/shm */
        char area_opts[128];  /* tmpfs options of the work area */
        uint64_t area_bytes;  /* its size (limits.disk) */
        uint64_t area_inodes; /* its inodes */
        char ovl_opts[160];   /* overlayfs options (the lower layer is the keeper's cwd) */
        char uid_map[64], gid_map[64];
        struct rlimit rl_cpu, rl_as, rl_data, rl_stack, rl_fsize, rl_nofile, rl_nproc;
        bool limit_as; /* false: RLIMIT_DATA is the backstop instead */
        int stdin_r;   /* the program's stdin: a pipe the parent feeds, or -1 for /dev/null */
        int stdout_w, stderr_w;
        int report_w; /* child -> parent records (CLOEXEC) */
        int ctl_sock; /* keeper and program -> parent: descriptors (SCM_RIGHTS) */
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
        SBX_STAGE_AREA,
        SBX_STAGE_COPY_IN,
};

struct sbx_record {
        int kind;
        int stage;
        int err;
        int wstatus;           /* SBX_REC_EXIT: the program's wait status */
        struct rusage ru;      /* its own rusage (and that of the children it waited for) */
        struct rusage all;     /* every process of the run, all of them reaped */
        int full;              /* 1 + the enum sbx_fs of a private /tmp or /dev/shm left full */
        bool file_at_cap;      /* it died of SIGXFSZ and a file of the run is at the output cap */
        struct timespec ended; /* CLOCK_MONOTONIC when the keeper reaped the program: which
                                  side of a pair ended first */
};

/*
 * The one message on ctl_sock, sent by the program child right before execve(): a byte of kind,
 * then its seccomp listener (when the policy notifies) and the keeper's descriptors the kind
 * says. One message, so the parent wakes once for all of them.
 */
enum sbx_ctl_kind {
        SBX_CTL_AREA = 'A',      /* overlay work area: [area, /proc] */
        SBX_CTL_AREA_COPY = 'C', /* the same for a copied work area */
        SBX_CTL_VIEW = 'V',      /* no work area (read-only work dir): [/proc] */
        SBX_CTL_HOST = 'H',      /* no namespaces: nothing of the keeper's */
};

/* The record of the message. */
struct sbx_ctl {
        char kind;          /* enum sbx_ctl_kind */
        pid_t pid;          /* the program child, as the parent's sampler sees it (in the run's
                               /proc: 2; without namespaces: the host's pid) */
        long pre_exec_peak; /* its peak resident KiB before execve: the keeper's copy of the
                               grader, which ru_maxrss keeps across execve */
};

/* What the keeper opened for the parent, handed on by the program child. */
struct sbx_handover {
        char kind;
        int fds[SBX_FDS_MAX];
        int n;
};

/* child.c: the body of the cloned child (pid 1 of the new pid namespace). Never returns. */
_Noreturn void sbx_child_main(const struct sbx_plan *plan);
/* child.c: write v in decimal at p, NUL-terminated (async-signal-safe). Return: the end. */
char *sbx_put_u64(char *p, uint64_t v);
/* child.c: report {stage, errno} to the parent and _exit (the children's only way to fail). */
_Noreturn void sbx_child_fail(const struct sbx_plan *pl, int stage);
/* view.c: the program's view of the file system; *area: the work area's descriptor or -1. */
void sbx_setup_view(const struct sbx_plan *pl, int *area, bool *copied);

/* policy.c: the system directories every run shows read-only, found once per policy */
void sbx_find_binds(struct sbx_policy *p);
/* policy.c: is path dir itself or below it (textually; both absolute)? */
bool sbx_path_under(const char *path, const char *dir);
/* policy.c: is path one of the system directories, or below one? */
bool sbx_under_system_dir(const char *path);

/* seccomp.c */
int sbx_seccomp_compile(struct sbx_policy *p, char *err, size_t errlen);
/* seccomp.c: name the call nr of architecture arch ("non-native ABI" for a foreign one) */
void sbx_seccomp_describe(long nr, uint32_t arch, char *buf, size_t n);
/* seccomp.c: the filter for a run with the named addition (NULL: none); NULL when unknown */
const struct sock_fprog *sbx_seccomp_prog(const struct sbx_policy *p, const char *addition);

/* probe.c: which layers this process can use */
void sbx_probe_layers(struct sbx_policy *p, const struct sbx_policy_opts *opts);

const char *sbx_stage_name(int stage);

/* plan.c: fill the plan of one run; on failure *res is IE with a message. Return: 0 or -1. */
int sbx_build_plan(const struct sbx_policy *p, const struct sbx_config *cfg, const char *workdir,
                   struct sbx_plan *pl, struct sbx_result *res);
/* plan.c: free what sbx_build_plan() allocated. */
void sbx_plan_release(struct sbx_plan *pl);
/* plan.c: may the work dir be w (it must not hide or open up a system directory)? */
bool sbx_workdir_allowed(const char *w);

/* fdpass.c: send/receive a struct sbx_ctl with up to SBX_FDS_MAX descriptors. */
int sbx_send_fds(int sock, const struct sbx_ctl *ctl, const int *fds, int n);
/* Return: the number of descriptors received (each O_CLOEXEC) and *ctl; -1 at the end of the
 * stream, -2 for a message of another size (its descriptors closed). */
int sbx_recv_fds(int sock, struct sbx_ctl *ctl, int *fds, int max);

/*
 * workarea.c: copy a tree between two directories, async-signal-safe unless c->replace (the
 * child copies inputs in; the parent copies results out). Regular files and directories only,
 * never through a symlink, set-id bits cleared, the owner given rw(x), SBX_COPY_MAX_DEPTH deep.
 */
struct sbx_copy {
        bool replace;             /* the parent: entries in the way are removed (cmn_rmtree) */
        bool overlay;             /* the source is an overlay upper layer: whiteouts and opaque
                                     directories say what the program removed */
        bool mirror;              /* the source is a whole copy: what it lacks was removed */
        const char *opaque_xattr; /* the xattr marking an opaque directory */
        uint64_t bytes;           /* copied so far */
        unsigned long files;
};
int sbx_copy_tree(struct sbx_copy *c, int src, int dst, unsigned depth);
/* workarea.c: is there a regular file of at least size bytes below dir (depth-capped)? */
bool sbx_tree_has_file_of(int dir, uint64_t size, unsigned depth);
/* workarea.c: is the file system of fd full (no block or no inode left)? */
bool sbx_fs_full(int fd);

/* account.c: what every process of one run has used, sampled from /proc. */
#define SBX_ACCOUNT_CACHE 64 /* stat files kept open between samples; more are reopened */
struct sbx_stat_fd {
        pid_t pid;
        int fd;
        bool seen; /* in this sample */
};
struct sbx_account {
        int proc_fd;  /* the run's own /proc, or -1: walk the keeper's tree in /proc */
        pid_t keeper; /* as the host sees it */
        long ticks_per_sec;
        long page;
        double cpu;       /* the largest sample of the run's CPU seconds */
        uint64_t rss_max; /* the largest sample of the run's summed resident size */
        pid_t program;    /* the program child; its memory counts from its execve on */
        pid_t *queue;     /* the tree walk's pids (malloc'd, grows) */
        size_t queue_cap;
        struct sbx_stat_fd cache[SBX_ACCOUNT_CACHE];
        size_t n_cache;
};
void sbx_account_init(struct sbx_account *a, pid_t keeper);
void sbx_account_sample(struct sbx_account *a);
void sbx_account_release(struct sbx_account *a);
/* account.c: read a small file (a /proc one) into buf, NUL-terminated; async-signal-safe.
 * Return: its length, or -1 when it cannot be read or is empty. */
ssize_t sbx_read_small(const char *path, char *buf, size_t n);

/* Why the parent ended a run early; the first one is kept. */
enum sbx_kill {
        SBX_KILL_NONE,
        SBX_KILL_WALL,
        SBX_KILL_CPU,
        SBX_KILL_MEMORY,
        SBX_KILL_OUTPUT,
        SBX_KILL_DISK,
        SBX_KILL_SYSCALL,
        SBX_KILL_CANCEL,
};

/* The program's stdin, fed by the parent from the caller's descriptor (watch.c). */
struct sbx_feed {
        int src;       /* the caller's stdin_fd */
        int pipe_w;    /* the write end of the program's stdin (O_NONBLOCK); -1 once closed */
        bool seekable; /* src is a regular file: read with pread from off, never moving it */
        off_t off;
        char *buf; /* what was read and is not written yet: buf[pos..len) */
        size_t len, pos;
        bool eof;
};

/* The run's own file systems: the parent watches the work area, the keeper reports the rest. */
enum sbx_fs { SBX_FS_AREA, SBX_FS_TMP, SBX_FS_SHM };

/* One run as the parent watches it. */
struct sbx_watch {
        const struct sbx_policy *policy;
        const struct sbx_plan *plan;
        struct sbx_limits lim; /* the caller's, wall time resolved */
        pid_t keeper;
        double start;
        enum sbx_kill cause;
        double killed_at; /* CLOCK_MONOTONIC of the first cause */
        char syscall[32];
        int out_r, err_r, rep_r, ctl_r, notify_fd;
        int stdout_fd, stderr_fd; /* the caller's sinks */
        bool out_open, err_open, rep_open;
        struct sbx_feed feed;
        int area_fd;      /* the work area, from the keeper; -1 until then, or without one */
        bool area_copied; /* the work area holds a copy, not an overlay upper layer */
        int full;         /* 1 + the enum sbx_fs that filled up, or 0 */
        struct sbx_account acct;
        bool ready;         /* the program child's message came: it is about to execve */
        long pre_exec_peak; /* its peak resident KiB before execve (struct sbx_ctl) */
        double last_sample;
        struct sbx_record exit_rec, setup_rec;
        bool have_exit, have_setup;
        char rep_buf[sizeof(struct sbx_record)];
        size_t rep_fill;
};

/* watch.c: watch the run until every pipe closed or the keeper is gone; fills the output
 * counts of res. */
void sbx_watch_run(struct sbx_watch *w, struct sbx_cancel *cancel, struct sbx_result *res);
/* watch.c: the same for n runs at once (a pair), in one poll loop; res[i] is w[i]'s. */
void sbx_watch_runs(struct sbx_watch *const *w, struct sbx_result *const *res, size_t n,
                    struct sbx_cancel *cancel);
/* watch.c: end the run now (SIGKILL to the keeper), keeping the first cause. */
void sbx_watch_kill(struct sbx_watch *w, enum sbx_kill cause);
/* watch.c: close what the watch holds. */
void sbx_watch_release(struct sbx_watch *w);

/*
 * run.c: one run from the parent's side, in steps a pair (pair.c) can interleave: init,
 * prepare, start, (watch), finish, release.
 */
struct sbx_runner {
        struct sbx_plan *pl;
        struct sbx_watch w;
        char workdir[PATH_MAX]; /* the work dir, resolved */
        char tmpdir[PATH_MAX];  /* a private work dir this run made, removed at the end */
        bool callers_dir;       /* results are copied back into workdir */
        int out[2], err[2], rep[2], ctl[2], in[2];
        int pair_in, pair_out; /* >= 0: a pair's pipe ends for stdin and stdout (taken over:
                                  closed once the keeper is started) instead of the
                                  sandbox's own stdin feed and stdout capture */
};
void sbx_runner_init(struct sbx_runner *rn, const struct sbx_policy *p,
                     const struct sbx_config *cfg);
/* Return: 0 ready, 1 when res already holds the outcome (IE), or -errno. */
int sbx_runner_prepare(const struct sbx_policy *p, const struct sbx_config *cfg,
                       struct sbx_runner *rn, struct sbx_result *res);
/* Return: 0 or 1 (res is IE). */
int sbx_runner_start(struct sbx_runner *rn, struct sbx_result *res);
void sbx_runner_finish(struct sbx_runner *rn, struct sbx_result *res);
void sbx_runner_release(struct sbx_runner *rn);

/* status.c: decide the status (docs/sandbox.md). */
void sbx_classify(const struct sbx_watch *w, struct sbx_result *r);
/* status.c: r->message = the formatted line */
void sbx_set_msg(struct sbx_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
