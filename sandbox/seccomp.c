/* SPDX-License-Identifier: MIT */
/*
 * The seccomp allow-list, compiled once per policy with libseccomp and exported as raw BPF so
 * the child can load it with one system call (libseccomp allocates, which is not allowed
 * between fork and exec).
 *
 * Answers besides "allow":
 *  - ENOSYS for clone3: glibc then falls back to clone, whose flags the filter can inspect
 *    (clone3 passes them in memory, out of the filter's reach); likewise for openat2, whose
 *    mode (set-id bits, below) is in memory;
 *  - EACCES for socket: runtimes probe name services (the JVM asks nscd through a Unix
 *    socket) and carry on when refused; a program gets no network either way. socketpair
 *    is allowed: it reaches nothing outside the program (the JDK's file channels need one);
 *  - EPERM for seccomp and prctl(PR_SET_SECCOMP): a filter of the program's own could answer
 *    a forbidden call with an error before ours saw it, and the run would not be SV;
 *  - the host left alone (docs/sandbox.md): file locks (flock, fcntl F_SETLK and friends)
 *    succeed without locking anything, so a run cannot block the host on a system file it
 *    may read; fadvise(DONTNEED) succeeds without dropping the host's cached pages;
 *    RWF_NOWAIT (which tells what the host has cached) and fallocate with a mode (which
 *    reserves disk that RLIMIT_FSIZE never sees) answer EOPNOTSUPP; F_SETPIPE_SZ and
 *    F_SETLEASE, prlimit64 on another process, and a set-id bit in chmod, open, creat or
 *    mkdir answer EPERM;
 *  - everything else: SECCOMP_RET_USER_NOTIF when the kernel has it (the parent learns the
 *    call's number, names it and ends the run as SV), else SECCOMP_RET_KILL_PROCESS.
 * A call from a non-native ABI (i386 "int 0x80", the x32 bit) is reported the same way: the
 * parent sees it, so a SIGSYS the program raises itself is never mistaken for one.
 *
 * Named additions (the table `additions` below, docs/sandbox.md): a runtime that needs a call
 * the list refuses gets it alone. Each addition is a whole filter of its own, compiled with
 * the policy, and a run names the one it gets (sbx_limits.seccomp_addition, a language's
 * "seccomp" in data/languages.json); every other run keeps the plain list.
 *
 * libseccomp compares a 64-bit argument as a whole, but the kernel reads an int argument from
 * the low half only: a test on an int (a prctl option, an fcntl command, a mode) written with
 * libseccomp could be passed by garbage in the high half. Those tests are a short prefix of
 * raw BPF on the low 32 bits, run before libseccomp's program.
 */
#include "sandbox_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"

static const char *const allowed[] = {
        /* files and descriptors */
        "read",
        "write",
        "readv",
        "writev",
        "pread64",
        "pwrite64",
        "preadv",
        "pwritev",
        "preadv2",
        "pwritev2",
        "lseek",
        "close",
        "close_range",
        "open",
        "openat",
        "creat",
        "stat",
        "fstat",
        "lstat",
        "newfstatat",
        "statx",
        "statfs",
        "fstatfs",
        "access",
        "faccessat",
        "faccessat2",
        "readlink",
        "readlinkat",
        "getdents",
        "getdents64",
        "getcwd",
        "chdir",
        "fchdir",
        "mkdir",
        "mkdirat",
        "rmdir",
        "unlink",
        "unlinkat",
        "rename",
        "renameat",
        "renameat2",
        "link",
        "linkat",
        "symlink",
        "symlinkat",
        "chmod",
        "fchmod",
        "fchmodat",
        "chown",
        "fchown",
        "lchown",
        "fchownat",
        "umask",
        "utime",
        "utimes",
        "utimensat",
        "futimesat",
        "truncate",
        "ftruncate",
        "fallocate",
        "fsync",
        "fdatasync",
        "fadvise64",
        "readahead",
        "fcntl",
        "dup",
        "dup2",
        "dup3",
        "pipe",
        "pipe2",
        "ioctl",
        "sendfile",
        "copy_file_range",
        "splice",
        "tee",
        "getxattr",
        "lgetxattr",
        "fgetxattr",
        "listxattr",
        "llistxattr",
        "flistxattr",
        "poll",
        "ppoll",
        "select",
        "pselect6",
        "epoll_create",
        "epoll_create1",
        "epoll_ctl",
        "epoll_wait",
        "epoll_pwait",
        "epoll_pwait2",
        "eventfd",
        "eventfd2",
        "timerfd_create",
        "timerfd_settime",
        "timerfd_gettime",
        "signalfd",
        "signalfd4",
        /* memory */
        "mmap",
        "munmap",
        "mprotect",
        "mremap",
        "brk",
        "madvise",
        "msync",
        "mincore",
        "membarrier",
        /* signals and timers */
        "rt_sigaction",
        "rt_sigprocmask",
        "rt_sigreturn",
        "rt_sigsuspend",
        "rt_sigpending",
        "rt_sigtimedwait",
        "sigaltstack",
        "kill",
        "tgkill",
        "tkill",
        "pause",
        "alarm",
        "getitimer",
        "setitimer",
        "timer_create",
        "timer_settime",
        "timer_gettime",
        "timer_getoverrun",
        "timer_delete",
        "clock_gettime",
        "clock_getres",
        "clock_nanosleep",
        "nanosleep",
        "gettimeofday",
        "time",
        /* identity and resources: reading, and lowering limits */
        "getpid",
        "getppid",
        "gettid",
        "getuid",
        "geteuid",
        "getgid",
        "getegid",
        "getgroups",
        "getresuid",
        "getresgid",
        "getpgrp",
        "getpgid",
        "getsid",
        "setsid",
        "setpgid",
        "uname",
        "sysinfo",
        "getrlimit",
        "setrlimit",
        "prlimit64",
        "getrusage",
        "times",
        "getpriority",
        "getcpu",
        "getrandom",
        /* threads and processes (counted by RLIMIT_NPROC) */
        "futex",
        "set_robust_list",
        "get_robust_list",
        "set_tid_address",
        "rseq",
        "arch_prctl",
        "prctl",
        "sched_yield",
        "sched_getaffinity",
        "sched_setaffinity",
        "sched_getparam",
        "sched_getscheduler",
        "sched_get_priority_max",
        "sched_get_priority_min",
        "fork",
        "vfork",
        "execve",
        "execveat",
        "wait4",
        "waitid",
        "exit",
        "exit_group",
        /* a connected pair reaches nothing outside; sendmsg also hands over the seccomp
         * listener right before exec */
        "socketpair",
        "sendmsg",
        "recvmsg",
        "shutdown",
};

/* clone() flags that would create namespaces: refused even though clone itself is allowed. */
#define NS_FLAGS                                                                                   \
        (CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | \
         CLONE_NEWCGROUP)

static int add(scmp_filter_ctx ctx, uint32_t action, const char *name, char *err, size_t errlen)
{
        int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR)
                return 0; /* not a call of this architecture: nothing to allow */
        int r = seccomp_rule_add(ctx, action, nr, 0);
        if (r < 0)
                snprintf(err, errlen, "seccomp rule for '%s': %s", name, strerror(-r));
        return r;
}

/* Calls answered without running them, whatever their arguments. */
static const struct {
        const char *name;
        int err; /* the errno; 0 is success */
} answered[] = {
        {"clone3", ENOSYS}, {"openat2", ENOSYS}, {"socket", EACCES},
        {"seccomp", EPERM}, {"flock", 0},
};

/* One call of a named addition: allowed (err < 0) or answered with err, perhaps only when its
 * argument arg equals k (arg < 0: whatever the arguments). */
struct addition_rule {
        const char *name;
        int arg;
        uint64_t k;
        int err;
};

#define ADDITION_RULES_MAX 4

static const struct {
        const char *name;
        struct addition_rule rules[ADDITION_RULES_MAX]; /* ends at a NULL name */
} additions[SBX_SECCOMP_ADDITIONS] = {
        /*
         * Node.js asks capget at start whether it holds capabilities (to refuse options that
         * would be unsafe with them): reading its own, empty, set reveals nothing. V8 asks
         * pkey_alloc for a memory protection key; ENOSYS makes it carry on without one (a key
         * is a per-process resource the program has no use for).
         */
        {"node", {{"capget", -1, 0, -1}, {"pkey_alloc", -1, 0, ENOSYS}}},
        /*
         * Mono sets its threads' policy to SCHED_OTHER, the one every thread already has; any
         * other policy (real-time, a priority) stays refused. libseccomp compares the whole
         * 64-bit argument, which is stricter than the kernel's int: a high half never passes.
         */
        {"mono", {{"sched_setscheduler", 1, SCHED_OTHER, -1}}},
};

bool sbx_seccomp_addition_known(const char *name)
{
        for (size_t i = 0; name && i < SBX_SECCOMP_ADDITIONS; i++)
                if (!strcmp(additions[i].name, name))
                        return true;
        return false;
}

const struct sock_fprog *sbx_seccomp_prog(const struct sbx_policy *p, const char *addition)
{
        if (!addition)
                return &p->prog;
        for (size_t i = 0; i < SBX_SECCOMP_ADDITIONS; i++)
                if (!strcmp(additions[i].name, addition))
                        return &p->with_addition[i];
        return NULL;
}

/* The rules of additions[which] (which < 0: none). */
static int add_addition(scmp_filter_ctx ctx, int which, char *err, size_t errlen)
{
        for (size_t i = 0; which >= 0 && i < ADDITION_RULES_MAX; i++) {
                const struct addition_rule *a = &additions[which].rules[i];
                if (!a->name)
                        break;
                int nr = seccomp_syscall_resolve_name(a->name);
                if (nr == __NR_SCMP_ERROR)
                        continue;
                uint32_t act = a->err < 0 ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO((uint32_t)a->err);
                int r = a->arg < 0
                                ? seccomp_rule_add(ctx, act, nr, 0)
                                : seccomp_rule_add(ctx, act, nr, 1,
                                                   SCMP_CMP((unsigned)a->arg, SCMP_CMP_EQ, a->k));
                if (r < 0) {
                        snprintf(err, errlen, "seccomp addition '%s', '%s': %s",
                                 additions[which].name, a->name, strerror(-r));
                        return r;
                }
        }
        return 0;
}

/* A test of the prefix: one int argument of one call. */
enum arg_test { ARG_EQUALS, ARG_HAS_ANY };

static const struct refinement {
        const char *name;
        unsigned arg;
        enum arg_test test;
        uint32_t k;
        int err; /* the answer when the test holds; 0 is success */
} refinements[] = {
        {"prctl", 0, ARG_EQUALS, PR_SET_SECCOMP, EPERM},
        {"fcntl", 1, ARG_EQUALS, F_SETLK, 0},
        {"fcntl", 1, ARG_EQUALS, F_SETLKW, 0},
        {"fcntl", 1, ARG_EQUALS, F_OFD_SETLK, 0},
        {"fcntl", 1, ARG_EQUALS, F_OFD_SETLKW, 0},
        {"fcntl", 1, ARG_EQUALS, F_SETPIPE_SZ, EPERM},
        {"fcntl", 1, ARG_EQUALS, F_SETLEASE, EPERM},
        {"fadvise64", 3, ARG_EQUALS, POSIX_FADV_DONTNEED, 0},
        {"fallocate", 1, ARG_HAS_ANY, 0xffffffffu, EOPNOTSUPP},
        {"preadv2", 5, ARG_HAS_ANY, RWF_NOWAIT, EOPNOTSUPP},
        {"pwritev2", 5, ARG_HAS_ANY, RWF_NOWAIT, EOPNOTSUPP},
        {"prlimit64", 0, ARG_HAS_ANY, 0xffffffffu, EPERM},
        {"chmod", 1, ARG_HAS_ANY, S_ISUID | S_ISGID, EPERM},
        {"fchmod", 1, ARG_HAS_ANY, S_ISUID | S_ISGID, EPERM},
        {"fchmodat", 2, ARG_HAS_ANY, S_ISUID | S_ISGID, EPERM},
        {"open", 2, ARG_HAS_ANY, S_ISUID | S_ISGID, EPERM},
        {"openat", 3, ARG_HAS_ANY, S_ISUID | S_ISGID, EPERM},
        {"creat", 1, ARG_HAS_ANY, S_ISUID | S_ISGID, EPERM},
        {"mkdir", 1, ARG_HAS_ANY, S_ISUID | S_ISGID, EPERM},
        {"mkdirat", 2, ARG_HAS_ANY, S_ISUID | S_ISGID, EPERM},
};

#define PREFIX_PER_RULE 5 /* load nr, compare, load the argument, test, return */

/* Offset of the low half of argument i in struct seccomp_data. */
static uint32_t arg_low(unsigned i)
{
        uint32_t off = (uint32_t)offsetof(struct seccomp_data, args) + 8u * i;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        off += 4;
#endif
        return off;
}

/*
 * The prefix: for the native architecture only (other ABIs go straight to libseccomp's
 * program, which refuses them), each refinement is "if nr == N and (arg == k | arg & k): return
 * the answer". Return: the number of instructions written to out (room for all of them).
 */
static size_t build_prefix(struct sock_filter *out)
{
        size_t n = 0;
        out[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                                offsetof(struct seccomp_data, arch));
        size_t arch_jump = n++;
        for (size_t i = 0; i < CMN_ARRAY_SIZE(refinements); i++) {
                const struct refinement *f = &refinements[i];
                int nr = seccomp_syscall_resolve_name(f->name);
                if (nr == __NR_SCMP_ERROR)
                        continue;
                uint16_t test = f->test == ARG_EQUALS ? BPF_JEQ : BPF_JSET;
                out[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                                        offsetof(struct seccomp_data, nr));
                out[n++] =
                        (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 3);
                out[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, arg_low(f->arg));
                out[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | test | BPF_K, f->k, 0, 1);
                out[n++] = (struct sock_filter)BPF_STMT(
                        BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((uint32_t)f->err & SECCOMP_RET_DATA));
        }
        out[arch_jump] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
                                                      (uint32_t)seccomp_arch_native(), 0,
                                                      (uint8_t)(n - arch_jump - 1));
        return n;
}

static int build_rules(scmp_filter_ctx ctx, bool notify, int addition, char *err, size_t errlen)
{
        /* a foreign ABI is the parent's to see (notify), so a SIGSYS is never ours */
        int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
                                 notify ? SCMP_ACT_NOTIFY : SCMP_ACT_KILL_PROCESS);
        /* no_new_privs is set by the child itself, before it loads the filter */
        if (r == 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        /* a binary tree of syscall numbers instead of a linear list: the filter runs on every
         * system call of the program (and loads about three times faster) */
        if (r == 0 && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
                r = 0; /* older libseccomp: the linear filter is just slower */
        for (size_t i = 0; r == 0 && i < CMN_ARRAY_SIZE(allowed); i++)
                r = add(ctx, SCMP_ACT_ALLOW, allowed[i], err, errlen);
        for (size_t i = 0; r == 0 && i < CMN_ARRAY_SIZE(answered); i++)
                r = add(ctx, SCMP_ACT_ERRNO((uint32_t)answered[i].err), answered[i].name, err,
                        errlen);
        if (r == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                                     SCMP_A0(SCMP_CMP_MASKED_EQ, NS_FLAGS, 0));
        if (r == 0)
                r = add_addition(ctx, addition, err, errlen);
        if (r < 0 && !err[0])
                snprintf(err, errlen, "seccomp rules: %s", strerror(-r));
        return r;
}

/* Export ctx's BPF, behind the prefix, into *prog. */
static int export_filter(struct sock_fprog *prog, scmp_filter_ctx ctx, char *err, size_t errlen)
{
        int fd = memfd_create("grader-seccomp", MFD_CLOEXEC);
        if (fd < 0) {
                snprintf(err, errlen, "memfd_create: %s", strerror(errno));
                return -errno;
        }
        int r = seccomp_export_bpf(ctx, fd);
        off_t len = r == 0 ? lseek(fd, 0, SEEK_END) : -1;
        size_t body = len > 0 ? (size_t)len / sizeof(struct sock_filter) : 0;
        size_t room = 2 + PREFIX_PER_RULE * CMN_ARRAY_SIZE(refinements);
        if (r < 0 || len <= 0 || len % (off_t)sizeof(struct sock_filter) != 0 ||
            room + body > BPF_MAXINSNS) {
                snprintf(err, errlen, "seccomp_export_bpf failed");
                close(fd);
                return r < 0 ? r : -EIO;
        }
        struct sock_filter *f = malloc((room + body) * sizeof(*f));
        if (!f) {
                close(fd);
                return -ENOMEM;
        }
        size_t n = build_prefix(f);
        if (pread(fd, f + n, (size_t)len, 0) != len) {
                free(f);
                close(fd);
                snprintf(err, errlen, "reading the exported filter failed");
                return -EIO;
        }
        close(fd);
        prog->filter = f;
        prog->len = (unsigned short)(n + body);
        return 0;
}

/* One filter: the allow-list with additions[addition] (addition < 0: none), into *prog. */
static int compile_one(struct sbx_policy *p, int addition, struct sock_fprog *prog, char *err,
                       size_t errlen)
{
        uint32_t deflt = p->notify ? SCMP_ACT_NOTIFY : SCMP_ACT_KILL_PROCESS;
        scmp_filter_ctx ctx = seccomp_init(deflt);
        if (!ctx && p->notify) {
                p->notify = false;
                deflt = SCMP_ACT_KILL_PROCESS;
                ctx = seccomp_init(deflt);
        }
        if (!ctx) {
                snprintf(err, errlen, "seccomp_init failed");
                return -ENOMEM;
        }
        int r = build_rules(ctx, p->notify, addition, err, errlen);
        if (r == 0)
                r = export_filter(prog, ctx, err, errlen);
        seccomp_release(ctx);
        return r;
}

int sbx_seccomp_compile(struct sbx_policy *p, char *err, size_t errlen)
{
        int r = compile_one(p, -1, &p->prog, err, errlen);
        for (int i = 0; r == 0 && i < SBX_SECCOMP_ADDITIONS; i++)
                r = compile_one(p, i, &p->with_addition[i], err, errlen);
        return r;
}

void sbx_seccomp_describe(long nr, uint32_t arch, char *buf, size_t n)
{
#if defined(__x86_64__)
        const long x32_bit = 0x40000000L; /* __X32_SYSCALL_BIT */
#else
        const long x32_bit = 0;
#endif
        if (arch != seccomp_arch_native() || (nr & x32_bit)) {
                cmn_strlcpy(buf, "non-native ABI", n);
                return;
        }
        char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, (int)nr);
        if (name) {
                cmn_strlcpy(buf, name, n);
                free(name);
        } else {
                snprintf(buf, n, "syscall %ld", nr);
        }
}
