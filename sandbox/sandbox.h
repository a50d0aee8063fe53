/* SPDX-License-Identifier: MIT */
/*
 * sandbox: run one untrusted program under limits and say exactly what happened.
 *
 * The library knows nothing of problems, verdicts or HTTP. A caller builds one sbx_policy per
 * process (it probes the kernel and compiles the seccomp filter once), then calls sbx_run() as
 * often as it likes, from any thread, with a different slot for each concurrent run.
 * docs/sandbox.md describes the threat model and every layer.
 */
#ifndef GRADER_SANDBOX_H
#define GRADER_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sbx_status {
        SBX_STATUS_OK,  /* exited with status 0 inside every limit */
        SBX_STATUS_RE,  /* non-zero exit status or killed by a signal */
        SBX_STATUS_TLE, /* CPU time or wall time over the limit */
        SBX_STATUS_MLE, /* memory over the limit */
        SBX_STATUS_OLE, /* stdout, stderr or a file over the output limit */
        SBX_STATUS_SV,  /* a system call outside the allow-list */
        SBX_STATUS_IE,  /* the sandbox itself failed; never the program's fault */
};

/* How the memory limit is backed up by an rlimit (the limit itself is on resident memory). */
enum sbx_memory_mode {
        SBX_MEMORY_ADDRESS_SPACE, /* RLIMIT_AS backstop: native code, Python */
        SBX_MEMORY_DATA,          /* RLIMIT_DATA backstop: runtimes that reserve huge address
                                     space without using it (the JVM) */
};

/* What a run may do. Zero-initialise, then fill; sbx_limits_default() gives docs/sandbox.md's. */
struct sbx_limits {
        double cpu_time;     /* seconds of user+system CPU, every process of the run */
        double wall_time;    /* seconds of CLOCK_MONOTONIC */
        uint64_t memory;     /* resident bytes, summed over the run's processes */
        uint64_t output;     /* cap on each of stdout and stderr, and on every file written */
        unsigned processes;  /* processes+threads at once (1 = no fork, no threads) */
        unsigned open_files; /* RLIMIT_NOFILE */
        uint64_t stack;      /* RLIMIT_STACK; 0 = as large as the memory limit */
        uint64_t tmp_size;   /* size of the private /tmp and /dev/shm (each) */
        enum sbx_memory_mode memory_mode;
        uint64_t disk; /* size of the run's own work area: what it may add to its work dir (the
                          inputs it finds there are not counted), with one inode per 4 KiB;
                          0 = SBX_DISK_DEFAULT */
        const char *seccomp_addition; /* a named addition to the allow-list for this run only
                                         (docs/sandbox.md); NULL: none */
};

/*
 * sbx_seccomp_addition_known - whether name is one of the allow-list's named additions (each
 * compiled with the policy, chosen per run by sbx_limits.seccomp_addition).
 */
bool sbx_seccomp_addition_known(const char *name);

#define SBX_DISK_DEFAULT (64ull << 20) /* as much as a program may print on stdout by default */

void sbx_limits_default(struct sbx_limits *l);

/* One run. */
struct sbx_config {
        const char *const *argv; /* argv[0]: absolute path, or a name looked up in PATH */
        const char *const *env;  /* extra "NAME=value" entries, NULL-terminated, or NULL */
        const char *workdir;     /* absolute; created if missing; NULL = a fresh private one */
        int stdin_fd;            /* -1: /dev/null */
        int stdout_fd;           /* captured stdout is copied here; -1: discarded */
        int stderr_fd;           /* likewise for stderr */
        unsigned slot;           /* concurrent runs must use different slots (own uid each) */
        bool readonly_workdir;   /* the program sees its work dir read-only: only its private
                                    /tmp and /dev/shm are writable (a problem that does not
                                    allow file writing). Needs namespaces; ignored without. */
        /* With namespaces the program never writes into workdir itself: it works in a private,
         * size-limited file system (limits.disk) that starts with what workdir holds; when the
         * run ends, what it created or changed there is copied back into workdir (regular files
         * and directories only, set-id bits cleared, never through a symlink; see
         * docs/sandbox.md), and what it removed is removed. stdin_fd is never handed to the
         * program: the sandbox feeds what it reads from it into a pipe. */
        struct sbx_limits limits;
};

struct sbx_result {
        enum sbx_status status;
        int exit_code;         /* -1 when the program did not exit normally */
        int signal;            /* 0 when not killed by a signal */
        double cpu_time;       /* seconds, user+system, of every process of the run */
        double wall_time;      /* seconds */
        uint64_t memory;       /* peak of the run's resident bytes (summed over its processes) */
        uint64_t stdout_bytes; /* bytes the program wrote (up to the cap + 1) */
        uint64_t stderr_bytes;
        char syscall[32];  /* for SV: the forbidden call's name when known */
        char message[256]; /* one line for a human: why this status */
};

/* Which isolation layers this process can use. */
struct sbx_layers {
        bool privileged; /* root with CAP_SYS_ADMIN: every layer below */
        bool user_ns;    /* unprivileged: a user namespace stands in for root */
        bool pid_ns, mount_ns, net_ns, ipc_ns, uts_ns;
        bool uid_per_slot;   /* each slot runs as its own unprivileged uid */
        bool seccomp;        /* the allow-list */
        bool seccomp_notify; /* forbidden calls are named (SECCOMP_RET_USER_NOTIF) */
        bool caps_dropped;   /* every capability, bounding and ambient sets included */
        bool work_area;      /* a private work area of limits.disk bytes (a tmpfs); without it
                                the program writes straight into the host's work dir */
        bool no_new_privs;
        bool rlimits;
};

/* A fact about the running kernel: probed, not assumed. */
enum sbx_fact {
        SBX_FACT_UNKNOWN = -1, /* the probe itself could not run */
        SBX_FACT_NO = 0,
        SBX_FACT_YES = 1,
};

enum sbx_cgroup {
        SBX_CGROUP_NONE,
        SBX_CGROUP_V1,     /* every controller in its own v1 hierarchy */
        SBX_CGROUP_HYBRID, /* v1 controllers, and a v2 tree at /sys/fs/cgroup/unified */
        SBX_CGROUP_V2,     /* the unified hierarchy */
};

/*
 * What this kernel does outside any sandbox, for `grader doctor` and for tests that must
 * assert what is right for the kernel they meet (a kernel without IA32 emulation kills an
 * `int 0x80` with SIGSEGV before seccomp sees it, for instance).
 */
struct sbx_kernel_facts {
        char release[65];             /* uname -r */
        enum sbx_fact ia32;           /* i386 system calls (int 0x80) work */
        enum sbx_fact x32;            /* x32 system calls work */
        enum sbx_fact io_uring;       /* io_uring_setup works for this process */
        long io_uring_disabled;       /* kernel.io_uring_disabled, -1 when absent */
        enum sbx_fact unpriv_userns;  /* an ordinary uid may make a user namespace */
        char unpriv_userns_why[96];   /* when not: the sysctl that forbids it, if one does */
        enum sbx_fact pivot_root;     /* pivot_root works in a new mount namespace */
        enum sbx_fact seccomp_notify; /* SECCOMP_RET_USER_NOTIF */
        enum sbx_cgroup cgroup;
};

/*
 * sbx_kernel_probe - probe the kernel in throw-away children (nothing of the host changes).
 * Call it from a single-threaded process, or accept that each probe forks.
 */
void sbx_kernel_probe(struct sbx_kernel_facts *ret);

struct sbx_policy;

/* Options for sbx_policy_new(). Zero-initialised means "use everything available". */
struct sbx_policy_opts {
        bool no_namespaces; /* force the unprivileged layers only (for tests and benchmarks) */
        bool no_user_ns;    /* do not try user namespaces when unprivileged */
        unsigned uid_base;  /* first sandbox uid when privileged; 0: 60000 */
        bool single_run;    /* the policy serves one run (the CLI): skip the probe (a run
                               that cannot make its namespaces fails as IE and says so) and
                               the shared network namespace, which pay off over many runs */
        bool copy_workdir;  /* copy the work dir into the work area before each run instead of
                               layering the area over it (overlayfs): what a kernel without
                               overlayfs gets anyway; for tests and benchmarks */
};

/*
 * sbx_policy_new - probe what the kernel allows and compile the seccomp filter once.
 * @opts: may be NULL.
 * @ret: the new policy, free with sbx_policy_free().
 * @err/@errlen: filled with a message on failure.
 * Return: 0; -ENOSYS when seccomp is unavailable; another -errno on failure.
 */
int sbx_policy_new(const struct sbx_policy_opts *opts, struct sbx_policy **ret, char *err,
                   size_t errlen);

/* sbx_policy_free - release a policy; accepts NULL. */
void sbx_policy_free(struct sbx_policy *p);

/* sbx_policy_layers - the layers runs under this policy get. */
void sbx_policy_layers(const struct sbx_policy *p, struct sbx_layers *ret);

/*
 * sbx_run - run one program and wait for it, whatever it does.
 * Thread-safe; each concurrent call needs its own cfg->slot.
 * The caller's descriptors in cfg are not closed. Files inside cfg->workdir are never opened
 * by path after the program started.
 * Return: 0 with *ret filled (its status may be SBX_STATUS_IE with a message when the sandbox
 * could not be set up); a negative errno only for invalid arguments.
 */
int sbx_run(const struct sbx_policy *p, const struct sbx_config *cfg, struct sbx_result *ret);

/* sbx_status_name - "OK", "RE", "TLE", "MLE", "OLE", "SV" or "IE". */
const char *sbx_status_name(enum sbx_status s);

/* sbx_cancel_token / sbx_run_cancellable: a run another thread can stop (lost lease). */
struct sbx_cancel {
        volatile int cancelled; /* set to 1 (e.g. with sbx_cancel()) to kill the run at once */
};
void sbx_cancel(struct sbx_cancel *c);

/*
 * sbx_run_cancellable - sbx_run() that polls c->cancelled; a cancelled run is killed and
 * reported as SBX_STATUS_IE with the message "cancelled".
 */
int sbx_run_cancellable(const struct sbx_policy *p, const struct sbx_config *cfg,
                        struct sbx_cancel *c, struct sbx_result *ret);

/*
 * Two programs run at once and joined by pipes: the program's stdout is the interactor's stdin
 * and the interactor's stdout is the program's stdin (an interactive problem's submission and
 * its output validator). Each side is a whole run of its own: every layer, its own slot (uid),
 * limits, work dir and stderr; neither can see the other's files or processes. The stdin_fd
 * and stdout_fd of both configs are ignored. One wall-time limit, the program's
 * limits.wall_time, covers the pair from the start: at it, whatever still runs is killed as
 * TLE (a deadlock, both sides waiting to read, ends so). The sandbox keeps its own copy of the
 * read end of each pipe until the pair is over, so a side that writes to a partner that has
 * ended blocks when the pipe is full instead of dying of SIGPIPE, and the grader never writes
 * to either pipe.
 */
struct sbx_pair {
        struct sbx_config program;    /* the untrusted side; its CPU time is counted alone */
        struct sbx_config interactor; /* the judge's side: needs a slot other than program's */
};

struct sbx_pair_result {
        struct sbx_result program;
        struct sbx_result interactor;
        bool interactor_first; /* the interactor ended (exited or died) before the program did:
                                  the program was still running or ended later */
};

/*
 * sbx_run_pair - run both programs of the pair and wait for both, whatever they do.
 * Thread-safe like sbx_run(); c may be NULL (else a cancelled pair is IE on both sides).
 * Return: 0 with *ret filled (a side that could not be set up is IE, and the other side is
 * killed); -EINVAL for invalid arguments or equal slots.
 */
int sbx_run_pair(const struct sbx_policy *p, const struct sbx_pair *pair, struct sbx_cancel *c,
                 struct sbx_pair_result *ret);

/*
 * sbx_slot_acquire - claim a slot no other process on this host is using (an flock on a file
 * in /run/grader-sandbox when root, else /tmp/grader-sandbox-UID), so concurrent runs of
 * different grader processes never share a sandbox uid. When the policy gives each slot its
 * own uid, every process still running as that uid (left by a grader that was killed, whose
 * runs are still dying) is killed first, and the call returns once none is left: a new run's
 * RLIMIT_NPROC then counts its own processes only.
 * @p: the policy the slot is for (NULL: no sweep).
 * @first: the first slot to try; @count: how many to try.
 * @ret_slot: the slot; @ret_fd: the lock, held until closed (sbx_slot_release()).
 * Return: 0; -EBUSY when every slot is taken; another -errno.
 */
int sbx_slot_acquire(const struct sbx_policy *p, unsigned first, unsigned count, unsigned *ret_slot,
                     int *ret_fd);

/* sbx_slot_release - give a slot back; accepts -1. */
void sbx_slot_release(int fd);

#endif
