/* SPDX-License-Identifier: MIT */
/*
 * The seccomp allow-list, compiled once per policy with libseccomp and exported as raw BPF so
 * the child can load it with one system call (libseccomp allocates, which is not allowed
 * between fork and exec).
 *
 * Three answers besides "allow":
 *  - ENOSYS for clone3: glibc then falls back to clone, whose flags the filter can inspect
 *    (clone3 passes them in memory, out of the filter's reach);
 *  - EACCES for socket: runtimes probe name services (the JVM asks nscd through a Unix
 *    socket) and carry on when refused; a program gets no network either way. socketpair
 *    is allowed: it reaches nothing outside the program (the JDK's file channels need one);
 *  - everything else: SECCOMP_RET_USER_NOTIF when the kernel has it (the parent learns the
 *    call's number, names it and ends the run as SV), else SECCOMP_RET_KILL_PROCESS.
 * A call from a non-native ABI (i386 "int 0x80", the x32 bit) kills the process at once.
 */
#include "sandbox_internal.h"

#include <errno.h>
#include <sched.h>
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
        "openat2",
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
        "flock",
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

int sbx_seccomp_compile(struct sbx_policy *p, char *err, size_t errlen)
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
        int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        /* no_new_privs is set by the child itself, before it loads the filter */
        if (r == 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        /* a binary tree of syscall numbers instead of a linear list: the filter runs on every
         * system call of the program (and loads about three times faster) */
        if (r == 0 && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
                r = 0; /* older libseccomp: the linear filter is just slower */
        for (size_t i = 0; r == 0 && i < CMN_ARRAY_SIZE(allowed); i++)
                r = add(ctx, SCMP_ACT_ALLOW, allowed[i], err, errlen);
        if (r == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                                     SCMP_A0(SCMP_CMP_MASKED_EQ, NS_FLAGS, 0));
        if (r == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
        if (r == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 0);
        if (r < 0) {
                if (!err[0])
                        snprintf(err, errlen, "seccomp rules: %s", strerror(-r));
                seccomp_release(ctx);
                return r;
        }

        /* Export the BPF into memory. */
        int fd = memfd_create("grader-seccomp", MFD_CLOEXEC);
        if (fd < 0) {
                r = -errno;
                snprintf(err, errlen, "memfd_create: %s", strerror(errno));
                seccomp_release(ctx);
                return r;
        }
        r = seccomp_export_bpf(ctx, fd);
        seccomp_release(ctx);
        off_t len = r == 0 ? lseek(fd, 0, SEEK_END) : -1;
        if (r < 0 || len <= 0 || len % (off_t)sizeof(struct sock_filter) != 0) {
                snprintf(err, errlen, "seccomp_export_bpf failed");
                close(fd);
                return r < 0 ? r : -EIO;
        }
        struct sock_filter *f = malloc((size_t)len);
        if (!f) {
                close(fd);
                return -ENOMEM;
        }
        if (pread(fd, f, (size_t)len, 0) != len) {
                free(f);
                close(fd);
                snprintf(err, errlen, "reading the exported filter failed");
                return -EIO;
        }
        close(fd);
        p->prog.filter = f;
        p->prog.len = (unsigned short)(len / (off_t)sizeof(struct sock_filter));
        return 0;
}

void sbx_seccomp_describe(long nr, char *buf, size_t n)
{
        char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, (int)nr);
        if (name) {
                cmn_strlcpy(buf, name, n);
                free(name);
        } else {
                snprintf(buf, n, "syscall %ld", nr);
        }
}
