/* SPDX-License-Identifier: MIT */
/*
 * Probes: which isolation layers this process can use (once per policy), and the facts of the
 * running kernel that decide what the kernel itself already refuses (for `grader doctor` and
 * the tests, which must assert what is right for the kernel they meet).
 *
 * Every probe that could fail hard (a 32-bit system call on a kernel without IA32 emulation
 * dies of SIGSEGV) runs in a throw-away child; nothing here changes the host.
 */
#include "sandbox_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/io_uring.h>
#include <linux/magic.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define NOBODY 65534 /* the uid a root process drops to when it asks what ordinary users may do */

static bool have_cap(cap_value_t cap)
{
        cap_t c = cap_get_proc();
        if (!c)
                return false;
        cap_flag_value_t v = CAP_CLEAR;
        cap_get_flag(c, cap, CAP_EFFECTIVE, &v);
        cap_free(c);
        return v == CAP_SET;
}

/* Can a child of ours create these namespaces? Tried in a throw-away child. */
static bool can_clone(unsigned long flags)
{
        pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0UL, NULL, NULL, 0UL);
        if (pid < 0)
                return false;
        if (pid == 0)
                _exit(0);
        int st;
        while (waitpid(pid, &st, 0) < 0) {
                if (errno != EINTR)
                        return false;
        }
        return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* A sysctl's integer value, or -1 when the file is absent or unreadable. */
static long read_sysctl(const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        char buf[32] = "";
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        return n > 0 ? atol(buf) : -1;
}

/*
 * Without trying: do the sysctls let an ordinary user make user namespaces? Debian's
 * unprivileged_userns_clone and Ubuntu's AppArmor restriction are patches: absent means
 * allowed. Fills why (may be NULL) with the knob that forbids it.
 */
static bool userns_allowed(char *why, size_t n)
{
        static const struct {
                const char *path;
                long forbidden; /* the value that forbids */
        } knobs[] = {
                {"/proc/sys/user/max_user_namespaces", 0},
                {"/proc/sys/kernel/unprivileged_userns_clone", 0},
                {"/proc/sys/kernel/apparmor_restrict_unprivileged_userns", 1},
        };
        for (size_t i = 0; i < CMN_ARRAY_SIZE(knobs); i++) {
                if (read_sysctl(knobs[i].path) == knobs[i].forbidden) {
                        if (why)
                                snprintf(why, n, "%s is %ld", knobs[i].path + strlen("/proc/sys/"),
                                         knobs[i].forbidden);
                        return false;
                }
        }
        return true;
}

void sbx_probe_layers(struct sbx_policy *p, const struct sbx_policy_opts *opts)
{
        struct sbx_layers *l = &p->layers;
        memset(l, 0, sizeof(*l));
        const unsigned long ns =
                CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET;
        /* the network namespace is probed apart: privileged runs share one (below) */
        /* every capability the privileged set-up uses: namespaces and mounts, the uid switch,
         * emptying the bounding set, handing the work dir over */
        static const cap_value_t needed[] = {CAP_SYS_ADMIN,   CAP_SETUID, CAP_SETGID,
                                             CAP_SETPCAP,     CAP_CHOWN,  CAP_FOWNER,
                                             CAP_DAC_OVERRIDE};
        bool root = geteuid() == 0;
        for (size_t i = 0; root && i < CMN_ARRAY_SIZE(needed); i++)
                root = have_cap(needed[i]);
        if (!opts->no_namespaces) {
                if (root && (opts->single_run || can_clone(ns & ~(unsigned long)CLONE_NEWNET))) {
                        l->privileged = true;
                } else if (!opts->no_user_ns && geteuid() != 0 &&
                           (opts->single_run ? userns_allowed(NULL, 0)
                                             : can_clone(ns | CLONE_NEWUSER))) {
                        l->user_ns = true;
                }
        }
        bool nsok = l->privileged || l->user_ns;
        l->pid_ns = l->mount_ns = l->net_ns = l->ipc_ns = l->uts_ns = nsok;
        l->uid_per_slot = root;
        l->seccomp = true;
        l->caps_dropped = true;
        l->no_new_privs = true;
        l->rlimits = true;

        struct seccomp_notif_sizes sizes;
        if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0) {
                p->notify = true;
                p->notif_size = sizes.seccomp_notif > sizeof(struct seccomp_notif)
                                        ? sizes.seccomp_notif
                                        : sizeof(struct seccomp_notif);
        }
}

/* Run fn in a throw-away child. Return: its exit status, or 128 + the signal that killed it. */
static int in_child(int (*fn)(void *), void *arg)
{
        pid_t pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                /* a SIGSEGV here is an answer, not a crash worth a core file */
                struct rlimit none = {0, 0};
                setrlimit(RLIMIT_CORE, &none);
                _exit(fn(arg));
        }
        int st;
        while (waitpid(pid, &st, 0) < 0) {
                if (errno != EINTR)
                        return -1;
        }
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* getpid through the i386 entry point: 0 when it answered our pid. */
static int try_ia32(void *arg)
{
        (void)arg;
#if defined(__x86_64__)
        long r;
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
        return r == getpid() ? 0 : 1;
#else
        return 2;
#endif
}

/* getpid with the x32 bit: 0 when it answered our pid (ENOSYS when x32 is off). */
static int try_x32(void *arg)
{
        (void)arg;
#if defined(__x86_64__)
        long r = syscall(SYS_getpid | 0x40000000L);
        return r == getpid() ? 0 : 1;
#else
        return 2;
#endif
}

static int try_io_uring(void *arg)
{
        (void)arg;
        struct io_uring_params params;
        memset(&params, 0, sizeof(params));
        long fd = syscall(SYS_io_uring_setup, 1, &params);
        if (fd < 0)
                return 1;
        close((int)fd);
        return 0;
}

/* As an ordinary uid (nobody, when we are root): can we make a user namespace? */
static int try_userns(void *arg)
{
        (void)arg;
        if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
                               setresuid(NOBODY, NOBODY, NOBODY) < 0))
                return 2;
        return unshare(CLONE_NEWUSER) == 0 ? 0 : 1;
}

/* In a mount namespace of our own (a user namespace too when not root): does pivot_root work?
 * The tmpfs is mounted over /tmp in that private namespace only: the host never sees it. */
static int try_pivot_root(void *arg)
{
        (void)arg;
        uid_t uid = geteuid();
        gid_t gid = getegid();
        if (unshare(CLONE_NEWNS | (uid == 0 ? 0 : CLONE_NEWUSER)) < 0)
                return 2;
        if (uid != 0) {
                /* map ourselves, or nothing can be created in the namespace (EOVERFLOW) */
                char map[64];
                int fd = open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC);
                if (fd < 0 || write(fd, "deny", 4) != 4)
                        return 2;
                close(fd);
                for (int i = 0; i < 2; i++) {
                        unsigned id = i == 0 ? (unsigned)uid : (unsigned)gid;
                        int len = snprintf(map, sizeof(map), "%u %u 1\n", id, id);
                        fd = open(i == 0 ? "/proc/self/uid_map" : "/proc/self/gid_map",
                                  O_WRONLY | O_CLOEXEC);
                        if (fd < 0 || write(fd, map, (size_t)len) != len)
                                return 2;
                        close(fd);
                }
        }
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("tmpfs", "/tmp", "tmpfs", 0, "size=64k,mode=0777") < 0 ||
            mkdir("/tmp/old", 0700) < 0)
                return 2;
        return syscall(SYS_pivot_root, "/tmp", "/tmp/old") == 0 ? 0 : 1;
}

static enum sbx_fact fact_of(int status)
{
        return status == 0                 ? SBX_FACT_YES
               : status == 2 || status < 0 ? SBX_FACT_UNKNOWN
                                           : SBX_FACT_NO;
}

static enum sbx_cgroup cgroup_kind(void)
{
        struct statfs st;
        if (statfs("/sys/fs/cgroup", &st) < 0)
                return SBX_CGROUP_NONE;
        if (st.f_type == CGROUP2_SUPER_MAGIC)
                return SBX_CGROUP_V2;
        if (statfs("/sys/fs/cgroup/unified", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
                return SBX_CGROUP_HYBRID;
        return st.f_type == TMPFS_MAGIC ? SBX_CGROUP_V1 : SBX_CGROUP_NONE;
}

void sbx_kernel_probe(struct sbx_kernel_facts *ret)
{
        memset(ret, 0, sizeof(*ret));
        struct utsname u;
        if (uname(&u) == 0)
                cmn_strlcpy(ret->release, u.release, sizeof(ret->release));
        ret->ia32 = fact_of(in_child(try_ia32, NULL));
        ret->x32 = fact_of(in_child(try_x32, NULL));
        ret->io_uring_disabled = read_sysctl("/proc/sys/kernel/io_uring_disabled");
        ret->io_uring = fact_of(in_child(try_io_uring, NULL));
        ret->unpriv_userns = fact_of(in_child(try_userns, NULL));
        if (!userns_allowed(ret->unpriv_userns_why, sizeof(ret->unpriv_userns_why)) &&
            ret->unpriv_userns == SBX_FACT_YES)
                ret->unpriv_userns_why[0] = '\0'; /* the knob is not what decides here */
        ret->pivot_root = fact_of(in_child(try_pivot_root, NULL));
        struct seccomp_notif_sizes sizes;
        ret->seccomp_notify = syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0
                                      ? SBX_FACT_YES
                                      : SBX_FACT_NO;
        ret->cgroup = cgroup_kind();
}
