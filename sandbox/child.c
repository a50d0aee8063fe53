/* SPDX-License-Identifier: MIT */
/*
 * The sandbox's child side: everything between clone() and execve().
 *
 * Theory of operation. sbx_run() clones one child, the *keeper*, into new pid, mount, ipc, uts
 * and net namespaces (and, unprivileged, a user namespace first). The keeper is pid 1 there:
 * it builds the program's view of the file system, then forks the *program* child, which
 * locks itself down (rlimits, uid, capabilities, no_new_privs, descriptors, seccomp) and
 * execs. The keeper reaps everything and, when the program itself ends, writes its wait
 * status and rusage to the report pipe and exits; the kernel then kills every process left in
 * the pid namespace, so nothing the program started outlives the run. Without namespaces the
 * keeper is a child subreaper and kills what is left by hand.
 *
 * Every function here runs in a child of a possibly multi-threaded process: only
 * async-signal-safe calls (raw system calls, memcpy/strlen), no allocation, no stdio. Every
 * string was prepared by the parent in struct sbx_plan. A failure is reported as a
 * {stage, errno} record on the close-on-exec report pipe and the child _exit()s; the parent
 * turns that into IE, never into a verdict against the program.
 */
#include "sandbox_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <grp.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const struct sbx_plan *pl, int stage, int err)
{
        struct sbx_record rec;
        memset(&rec, 0, sizeof(rec));
        rec.kind = SBX_REC_SETUP_ERROR;
        rec.stage = stage;
        rec.err = err;
        /* one write below PIPE_BUF is atomic; nothing to do if it fails */
        ssize_t n = write(pl->report_w, &rec, sizeof(rec));
        (void)n;
}

_Noreturn static void fail(const struct sbx_plan *pl, int stage)
{
        report(pl, stage, errno);
        _exit(127);
}

static int write_file(const char *path, const char *s)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        size_t len = strlen(s);
        ssize_t n = write(fd, s, len);
        int e = errno;
        close(fd);
        errno = e;
        return n == (ssize_t)len ? 0 : -1;
}

/* dst = a + b, bounded; returns -1 (ENAMETOOLONG) when it does not fit. */
static int concat(char *dst, size_t n, const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);
        if (la + lb + 1 > n) {
                errno = ENAMETOOLONG;
                return -1;
        }
        memcpy(dst, a, la);
        memcpy(dst + la, b, lb + 1);
        return 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
        char buf[PATH_MAX];
        size_t len = strlen(path);
        if (len >= sizeof(buf)) {
                errno = ENAMETOOLONG;
                return -1;
        }
        memcpy(buf, path, len + 1);
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(buf, mode) < 0 && errno != EEXIST)
                        return -1;
                *p = '/';
        }
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
                return -1;
        return 0;
}

/* Mount flags a remount must keep: in a user namespace the kernel refuses to clear them. */
static unsigned long locked_flags(const char *path)
{
        struct statfs st;
        if (statfs(path, &st) < 0)
                return 0;
        unsigned long f = 0;
        if (st.f_flags & ST_NOEXEC)
                f |= MS_NOEXEC;
        if (st.f_flags & ST_NOATIME)
                f |= MS_NOATIME;
        if (st.f_flags & ST_NODIRATIME)
                f |= MS_NODIRATIME;
        if (st.f_flags & ST_RELATIME)
                f |= MS_RELATIME;
        if (st.f_flags & ST_NOSUID)
                f |= MS_NOSUID;
        if (st.f_flags & ST_NODEV)
                f |= MS_NODEV;
        return f;
}

/* Bind the host's src (seen under /oldroot) at dst, then remount it with extra flags. */
static int bind_host(const char *dst, bool recursive_fallback, unsigned long flags)
{
        char src[PATH_MAX];
        if (concat(src, sizeof(src), "/oldroot", dst) < 0)
                return -1;
        if (mount(src, dst, NULL, MS_BIND, NULL) < 0) {
                /* a user namespace refuses to uncover locked submounts: take them along */
                if (!(recursive_fallback && errno == EINVAL))
                        return -1;
                if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
                        return -1;
        }
        return mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | flags | locked_flags(dst), NULL);
}

static int make_file(const char *path)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return -1;
        close(fd);
        return 0;
}

static void setup_dev(const struct sbx_plan *pl)
{
        static const char *const nodes[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                                            "/dev/urandom"};
        static const char *const links[][2] = {{"/proc/self/fd", "/dev/fd"},
                                               {"/proc/self/fd/0", "/dev/stdin"},
                                               {"/proc/self/fd/1", "/dev/stdout"},
                                               {"/proc/self/fd/2", "/dev/stderr"}};
        if (mkdir("/dev", 0755) < 0 ||
            mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") < 0)
                fail(pl, SBX_STAGE_MOUNT);
        for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
                if (make_file(nodes[i]) < 0 ||
                    bind_host(nodes[i], false, MS_NOSUID | MS_NOEXEC) < 0)
                        fail(pl, SBX_STAGE_MOUNT);
        }
        for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
                if (symlink(links[i][0], links[i][1]) < 0)
                        fail(pl, SBX_STAGE_MOUNT);
        }
        if (mkdir("/dev/shm", 01777) < 0 ||
            mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, pl->tmp_opts) < 0)
                fail(pl, SBX_STAGE_MOUNT);
        if (mount(NULL, "/dev", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL) < 0)
                fail(pl, SBX_STAGE_MOUNT);
}

/*
 * The program's view: a read-only tmpfs root holding read-only binds of the system
 * directories, its own /proc, a minimal /dev, private /tmp and /dev/shm, and the work dir,
 * the only writable place, at its own path. Everything is nosuid and nodev.
 */
static void setup_mounts(const struct sbx_plan *pl)
{
        /* nothing we mount may propagate back to the host */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                fail(pl, SBX_STAGE_MOUNT);
        if (mount("tmpfs", pl->stage, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") < 0)
                fail(pl, SBX_STAGE_MOUNT);
        if (mkdir(pl->stage_old, 0700) < 0)
                fail(pl, SBX_STAGE_MOUNT);
        if (syscall(SYS_pivot_root, pl->stage, pl->stage_old) < 0) {
                /*
                 * Docker's and containerd's default seccomp profiles refuse pivot_root even
                 * with CAP_SYS_ADMIN (and it fails under a chroot). Do what runc's no-pivot
                 * mode does: keep the old root reachable under oldroot, move the tmpfs onto
                 * "/" and chroot into it. Escaping a chroot needs chroot(2) or a descriptor
                 * outside it: the program gets neither (no capabilities, no such call in the
                 * allow-list, every descriptor closed), and oldroot is detached below.
                 */
                if (mount("/", pl->stage_old, NULL, MS_BIND | MS_REC, NULL) < 0 ||
                    chdir(pl->stage) < 0 || mount(pl->stage, "/", NULL, MS_MOVE, NULL) < 0 ||
                    chroot(".") < 0)
                        fail(pl, SBX_STAGE_MOUNT);
        }
        if (chdir("/") < 0)
                fail(pl, SBX_STAGE_MOUNT);

        for (unsigned i = 0; i < pl->n_binds; i++) {
                const struct sbx_bind *b = &pl->binds[i];
                if (b->target[0]) {
                        if (symlink(b->target, b->path) < 0)
                                fail(pl, SBX_STAGE_MOUNT);
                        continue;
                }
                if (mkdir_p(b->path, 0755) < 0 ||
                    bind_host(b->path, true, MS_RDONLY | MS_NOSUID | MS_NODEV) < 0)
                        fail(pl, SBX_STAGE_MOUNT);
        }

        if (mkdir("/proc", 0555) < 0)
                fail(pl, SBX_STAGE_PROC);
        /* our own pid namespace's /proc: the host's processes are not in it */
        if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                fail(pl, SBX_STAGE_PROC);
        setup_dev(pl);
        if (mkdir("/tmp", 01777) < 0 ||
            mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, pl->tmp_opts) < 0)
                fail(pl, SBX_STAGE_MOUNT);

        if (mkdir_p(pl->workdir, 0755) < 0)
                fail(pl, SBX_STAGE_MOUNT);
        if (pl->private_workdir) {
                if (mount("tmpfs", pl->workdir, "tmpfs", MS_NOSUID | MS_NODEV, pl->workdir_opts) <
                    0)
                        fail(pl, SBX_STAGE_MOUNT);
        } else if (bind_host(pl->workdir, false,
                             MS_NOSUID | MS_NODEV | (pl->readonly_workdir ? MS_RDONLY : 0)) < 0) {
                fail(pl, SBX_STAGE_MOUNT);
        }

        if (umount2("/oldroot", MNT_DETACH) < 0 || rmdir("/oldroot") < 0)
                fail(pl, SBX_STAGE_MOUNT);
        if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
                fail(pl, SBX_STAGE_MOUNT);
}

/* Close every descriptor from 3 up except those in keep[] (n of them, any order, -1 ignored). */
static void close_all_but(int *keep, size_t n)
{
        /* sort the few descriptors to keep (insertion sort: no library call needed) */
        for (size_t i = 1; i < n; i++) {
                int v = keep[i];
                size_t j = i;
                for (; j > 0 && keep[j - 1] > v; j--)
                        keep[j] = keep[j - 1];
                keep[j] = v;
        }
        unsigned from = 3;
        for (size_t i = 0; i < n; i++) {
                if (keep[i] < (int)from)
                        continue;
                if ((unsigned)keep[i] > from)
                        syscall(SYS_close_range, from, (unsigned)keep[i] - 1, 0u);
                from = (unsigned)keep[i] + 1;
        }
        syscall(SYS_close_range, from, ~0u, 0u);
}

static int send_fd(int sock, int fd)
{
        char data = 'L';
        struct iovec iov = {.iov_base = &data, .iov_len = 1};
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u;
        memset(&u, 0, sizeof(u));
        struct msghdr msg = {.msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = u.buf,
                             .msg_controllen = sizeof(u.buf)};
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/*
 * The program child. The order matters:
 *  - stdio and the work dir first, while the paths are still reachable;
 *  - rlimits before dropping privileges (raising a hard limit needs CAP_SYS_RESOURCE);
 *  - the bounding set is emptied while we still hold CAP_SETPCAP, then setgroups/setgid/setuid
 *    (which clears the permitted and effective sets), then the remaining sets and ambient;
 *  - no_new_privs before seccomp (the kernel requires one or CAP_SYS_ADMIN), and setuid before
 *    seccomp so the filter need not allow the set*id family at all;
 *  - the filter last: after it only sendmsg, close and execve run, all on the allow-list.
 */
_Noreturn static void program_main(const struct sbx_plan *pl)
{
        /* the grader may block or ignore signals (SIGPIPE, SIGTERM in workers): undo it */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        for (int sig = 1; sig < NSIG; sig++)
                signal(sig, SIG_DFL);
        prctl(PR_SET_PDEATHSIG, SIGKILL);

        int in = pl->stdin_fd >= 0 ? pl->stdin_fd : open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (in < 0 || dup2(in, 0) < 0 || dup2(pl->stdout_w, 1) < 0 || dup2(pl->stderr_w, 2) < 0)
                fail(pl, SBX_STAGE_STDIO);
        if (chdir(pl->workdir) < 0)
                fail(pl, SBX_STAGE_CHDIR);
        int keep[] = {pl->report_w, pl->notify_sock};
        close_all_but(keep, sizeof(keep) / sizeof(keep[0]));

        struct rlimit zero = {0, 0};
        if (setrlimit(RLIMIT_CORE, &zero) < 0 || setrlimit(RLIMIT_CPU, &pl->rl_cpu) < 0 ||
            setrlimit(RLIMIT_STACK, &pl->rl_stack) < 0 ||
            setrlimit(RLIMIT_FSIZE, &pl->rl_fsize) < 0 ||
            setrlimit(RLIMIT_NOFILE, &pl->rl_nofile) < 0 ||
            setrlimit(RLIMIT_NPROC, &pl->rl_nproc) < 0 || setrlimit(RLIMIT_MEMLOCK, &zero) < 0 ||
            setrlimit(RLIMIT_MSGQUEUE, &zero) < 0)
                fail(pl, SBX_STAGE_RLIMIT);
        if (pl->limit_as ? setrlimit(RLIMIT_AS, &pl->rl_as) < 0
                         : setrlimit(RLIMIT_DATA, &pl->rl_data) < 0)
                fail(pl, SBX_STAGE_RLIMIT);

        /* Empty the bounding set while CAP_SETPCAP is still ours (EINVAL: not on this kernel). */
        if (pl->setuid || pl->use_userns) {
                for (int cap = 0; cap <= pl->policy->cap_last; cap++) {
                        if (cap_drop_bound((cap_value_t)cap) < 0 && errno != EINVAL)
                                fail(pl, SBX_STAGE_CAPS);
                }
        }
        if (pl->setuid) {
                if (setgroups(0, NULL) < 0 || setresgid(pl->gid, pl->gid, pl->gid) < 0 ||
                    setresuid(pl->uid, pl->uid, pl->uid) < 0)
                        fail(pl, SBX_STAGE_CREDS);
        }
        if (cap_set_proc(pl->policy->empty_caps) < 0)
                fail(pl, SBX_STAGE_CAPS);
        if (CAP_AMBIENT_SUPPORTED() && cap_reset_ambient() < 0)
                fail(pl, SBX_STAGE_CAPS);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                fail(pl, SBX_STAGE_NNP);

        unsigned flags = pl->notify_sock >= 0 ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
        long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &pl->policy->prog);
        if (listener < 0)
                fail(pl, SBX_STAGE_SECCOMP);
        if (pl->notify_sock >= 0) {
                if (send_fd(pl->notify_sock, (int)listener) < 0)
                        fail(pl, SBX_STAGE_NOTIFY);
                close((int)listener);
                close(pl->notify_sock);
        }
        /* ETXTBSY: another thread of the grader may be forking while it holds a just-copied
         * program open for writing (the copy is O_CLOEXEC, but a fork keeps it until its own
         * exec); that passes in microseconds */
        for (int i = 0; i < 200; i++) {
                execve(pl->exe, pl->argv, pl->envp);
                if (errno != ETXTBSY)
                        break;
                struct timespec ts = {0, 1000000};
                nanosleep(&ts, NULL);
        }
        fail(pl, SBX_STAGE_EXEC);
}

/* Without a pid namespace: kill every descendant left (we are their subreaper). */
static void reap_leftovers(void)
{
        for (int round = 0; round < 1000; round++) {
                char path[64] = "/proc/self/task/";
                char num[16];
                pid_t self = (pid_t)syscall(SYS_gettid);
                int k = 0;
                char rev[16];
                do {
                        rev[k++] = (char)('0' + self % 10);
                        self /= 10;
                } while (self);
                for (int i = 0; i < k; i++)
                        num[i] = rev[k - 1 - i];
                num[k] = '\0';
                concat(path, sizeof(path), path, num);
                concat(path, sizeof(path), path, "/children");
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                char buf[4096];
                ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : 0;
                if (fd >= 0)
                        close(fd);
                bool any = false;
                pid_t pid = 0;
                for (ssize_t i = 0; i < n; i++) {
                        if (buf[i] >= '0' && buf[i] <= '9') {
                                pid = pid * 10 + (buf[i] - '0');
                        } else if (pid) {
                                kill(pid, SIGKILL);
                                any = true;
                                pid = 0;
                        }
                }
                int st;
                while (waitpid(-1, &st, WNOHANG | __WALL) > 0)
                        any = true;
                if (!any && waitpid(-1, &st, WNOHANG | __WALL) < 0 && errno == ECHILD)
                        return;
                struct timespec ts = {0, 1000000};
                nanosleep(&ts, NULL);
        }
}

_Noreturn void sbx_child_main(const struct sbx_plan *pl)
{
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* the shared empty network namespace (privileged), before anything else */
        if (pl->netns_fd >= 0 && setns(pl->netns_fd, CLONE_NEWNET) < 0)
                fail(pl, SBX_STAGE_NETNS);
        /* its own session and process group, which the parent kills as a whole */
        setsid();
        /* The keeper is a copy of the grader: it drops every descriptor of the grader's
         * (sockets, curl handles, spool files) but the few the run needs. */
        int keep[] = {pl->report_w, pl->stdout_w, pl->stderr_w, pl->stdin_fd, pl->notify_sock};
        close_all_but(keep, sizeof(keep) / sizeof(keep[0]));
        if (pl->use_userns) {
                if (write_file("/proc/self/setgroups", "deny") < 0 ||
                    write_file("/proc/self/uid_map", pl->uid_map) < 0 ||
                    write_file("/proc/self/gid_map", pl->gid_map) < 0)
                        fail(pl, SBX_STAGE_USERNS);
        }
        /* The keeper is a copy of the grader (its memory holds the grader's environment):
         * non-dumpable, its /proc files belong to root and the program cannot read them.
         * (Only now: a non-dumpable process cannot open its own uid_map.) */
        prctl(PR_SET_DUMPABLE, 0);
        if (pl->use_ns) {
                setup_mounts(pl);
                if (sethostname("sandbox", 7) < 0)
                        fail(pl, SBX_STAGE_HOSTNAME);
        } else {
                prctl(PR_SET_CHILD_SUBREAPER, 1);
        }

        pid_t prog = (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, 0UL, NULL, NULL, 0UL);
        if (prog < 0)
                fail(pl, SBX_STAGE_FORK);
        if (prog == 0)
                program_main(pl);

        /* The keeper: reap everything; report when the program itself ends. */
        if (pl->notify_sock >= 0)
                close(pl->notify_sock);
        close(pl->stdout_w);
        close(pl->stderr_w);
        struct sbx_record rec;
        memset(&rec, 0, sizeof(rec));
        rec.kind = SBX_REC_EXIT;
        for (;;) {
                int st;
                struct rusage ru;
                pid_t w = wait4(-1, &st, __WALL, &ru);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        fail(pl, SBX_STAGE_FORK);
                }
                if (w == prog) {
                        rec.wstatus = st;
                        rec.ru = ru;
                        break;
                }
        }
        if (!pl->use_ns)
                reap_leftovers();
        ssize_t n = write(pl->report_w, &rec, sizeof(rec));
        (void)n;
        /* pid 1 exits: the kernel kills whatever is left in the namespace */
        _exit(0);
}
