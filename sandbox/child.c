/* SPDX-License-Identifier: MIT */
/*
 * The sandbox's child side: everything between clone() and execve().
 *
 * Theory of operation. sbx_run() clones one child, the *keeper*, into new pid, mount, ipc, uts
 * and net namespaces (and, unprivileged, a user namespace first). The keeper is pid 1 there:
 * it builds the program's view of the file system, with the program's own work area (a tmpfs
 * layered over the caller's work dir, or holding a copy of it), hands the parent descriptors
 * of that area, of /tmp, /dev/shm and of the run's /proc over the control socket, blanks the
 * grader's argv and environment in its own memory, then forks the *program* child, which locks
 * itself down (rlimits, uid, capabilities, no_new_privs, descriptors, seccomp) and execs. The
 * keeper reaps everything; when the program itself ends it kills every other process of the
 * run, reaps them all, and writes the program's wait status, its rusage and the rusage of the
 * whole run to the report pipe, and exits. Without namespaces the keeper is a child subreaper
 * and kills what is left by hand.
 *
 * Every function here runs in a child of a possibly multi-threaded process: only
 * async-signal-safe calls (raw system calls, memcpy/strlen), no allocation, no stdio. The
 * credentials and capabilities are changed with raw system calls too, never with glibc's
 * set*id() or libcap's cap_set_proc(): the child is made with a raw clone(), so glibc still
 * believes it has the grader's threads, and its set*id() signals each of them and waits for
 * every one that was being created (or that held the thread-stack lock) at the moment of the
 * clone; in the child they never answer, and the run hung until its wall limit. prctl() too
 * is made directly (child_prctl): under a sanitizer, the interceptor of PR_SET_NAME takes the
 * sanitizer's thread-registry lock, which another thread may have held at the clone. Every
 * string was prepared by the parent in struct sbx_plan. A failure is reported as a
 * {stage, errno} record on the close-on-exec report pipe and the child _exit()s; the parent
 * turns that into IE, never into a verdict against the program.
 */
#include "sandbox_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <stdint.h>
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

char *sbx_put_u64(char *p, uint64_t v)
{
        char rev[24];
        int k = 0;
        do {
                rev[k++] = (char)('0' + v % 10);
                v /= 10;
        } while (v);
        while (k)
                *p++ = rev[--k];
        *p = '\0';
        return p;
}

_Noreturn void sbx_child_fail(const struct sbx_plan *pl, int stage)
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

/* prctl() as the system call itself, past any wrapper or sanitizer interceptor. */
static long child_prctl(int option, unsigned long arg2)
{
        return syscall(SYS_prctl, option, arg2, 0UL, 0UL, 0UL);
}

/*
 * The program's credentials and capabilities, with the calls glibc and libcap wrap made
 * directly (see the top of this file): the bounding set emptied while CAP_SETPCAP is still
 * ours (EINVAL: a capability this kernel lacks), then the groups, gid and uid (setresuid() to a
 * non-zero uid clears the permitted and effective sets), then capset() for every set, which
 * also covers runs that keep their uid (a user namespace, an unprivileged grader), and the
 * ambient set. Return: 0, or the stage that failed.
 */
static int drop_credentials(const struct sbx_plan *pl)
{
        if (pl->setuid || pl->use_userns) {
                for (int cap = 0; cap <= pl->policy->cap_last; cap++) {
                        if (child_prctl(PR_CAPBSET_DROP, (unsigned long)cap) < 0 && errno != EINVAL)
                                return SBX_STAGE_CAPS;
                }
        }
        if (pl->setuid) {
                if (syscall(SYS_setgroups, 0, NULL) < 0 ||
                    syscall(SYS_setresgid, pl->gid, pl->gid, pl->gid) < 0 ||
                    syscall(SYS_setresuid, pl->uid, pl->uid, pl->uid) < 0)
                        return SBX_STAGE_CREDS;
        }
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3];
        memset(none, 0, sizeof(none));
        if (syscall(SYS_capset, &hdr, none) < 0)
                return SBX_STAGE_CAPS;
        if (child_prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL) < 0 && errno != EINVAL)
                return SBX_STAGE_CAPS;
        return 0;
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
_Noreturn static void program_main(const struct sbx_plan *pl, const struct sbx_handover *h)
{
        /* the grader may block or ignore signals (SIGPIPE, SIGTERM in workers): undo it */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        for (int sig = 1; sig < NSIG; sig++)
                signal(sig, SIG_DFL);
        child_prctl(PR_SET_PDEATHSIG, SIGKILL);

        int in = pl->stdin_r >= 0 ? pl->stdin_r : open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (in < 0 || dup2(in, 0) < 0 || dup2(pl->stdout_w, 1) < 0 || dup2(pl->stderr_w, 2) < 0)
                sbx_child_fail(pl, SBX_STAGE_STDIO);
        if (chdir(pl->workdir) < 0)
                sbx_child_fail(pl, SBX_STAGE_CHDIR);
        int keep[2 + SBX_FDS_MAX] = {pl->report_w, pl->ctl_sock};
        for (int i = 0; i < SBX_FDS_MAX; i++)
                keep[2 + i] = i < h->n ? h->fds[i] : -1;
        close_all_but(keep, sizeof(keep) / sizeof(keep[0]));

        struct rlimit zero = {0, 0};
        if (setrlimit(RLIMIT_CORE, &zero) < 0 || setrlimit(RLIMIT_CPU, &pl->rl_cpu) < 0 ||
            setrlimit(RLIMIT_STACK, &pl->rl_stack) < 0 ||
            setrlimit(RLIMIT_FSIZE, &pl->rl_fsize) < 0 ||
            setrlimit(RLIMIT_NOFILE, &pl->rl_nofile) < 0 ||
            setrlimit(RLIMIT_NPROC, &pl->rl_nproc) < 0 || setrlimit(RLIMIT_MEMLOCK, &zero) < 0 ||
            setrlimit(RLIMIT_MSGQUEUE, &zero) < 0)
                sbx_child_fail(pl, SBX_STAGE_RLIMIT);
        if (pl->limit_as ? setrlimit(RLIMIT_AS, &pl->rl_as) < 0
                         : setrlimit(RLIMIT_DATA, &pl->rl_data) < 0)
                sbx_child_fail(pl, SBX_STAGE_RLIMIT);

        int stage = drop_credentials(pl);
        if (stage)
                sbx_child_fail(pl, stage);
        if (child_prctl(PR_SET_NO_NEW_PRIVS, 1) < 0)
                sbx_child_fail(pl, SBX_STAGE_NNP);

        bool notify = pl->policy->notify;
        unsigned flags = notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
        long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, pl->prog);
        if (listener < 0)
                sbx_child_fail(pl, SBX_STAGE_SECCOMP);
        /* the listener and the keeper's descriptors, in one message: the parent wakes once */
        int fds[SBX_FDS_MAX], n = 0;
        if (notify)
                fds[n++] = (int)listener;
        for (int i = 0; i < h->n && n < SBX_FDS_MAX; i++)
                fds[n++] = h->fds[i];
        struct rusage self;
        struct sbx_ctl ctl = {.kind = h->kind, .pid = getpid()};
        if (getrusage(RUSAGE_SELF, &self) == 0)
                ctl.pre_exec_peak = self.ru_maxrss;
        if (sbx_send_fds(pl->ctl_sock, &ctl, fds, n) < 0)
                sbx_child_fail(pl, SBX_STAGE_NOTIFY);
        for (int i = 0; i < n; i++)
                close(fds[i]);
        close(pl->ctl_sock);
        /* ETXTBSY: another thread of the grader may be forking while it holds a just-copied
         * program open for writing (the copy is O_CLOEXEC, but a fork keeps it until its own
         * exec); that passes in microseconds */
        for (int i = 0; i < 200; i++) {
                execve(pl->exec_path, pl->argv, pl->envp);
                if (errno != ETXTBSY)
                        break;
                struct timespec ts = {0, 1000000};
                nanosleep(&ts, NULL);
        }
        sbx_child_fail(pl, SBX_STAGE_EXEC);
}

/* Without a pid namespace: kill every descendant left (we are their subreaper). */
static void reap_leftovers(void)
{
        for (int round = 0; round < 1000; round++) {
                char path[64] = "/proc/self/task/";
                char *p = sbx_put_u64(path + strlen(path), (uint64_t)syscall(SYS_gettid));
                memcpy(p, "/children", sizeof("/children"));
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

/*
 * The keeper is a copy of the grader: blank the grader's argv and environment strings in its
 * memory (the first is readable by anyone as /proc/1/cmdline; the second only through
 * ptrace-guarded files, which its being non-dumpable closes) and give it a name of its own. The
 * caller's strings the program needs were copied into the plan.
 */
static void forget_grader(void)
{
        child_prctl(PR_SET_NAME, (unsigned long)"sbx-keeper");
        char buf[1024];
        if (sbx_read_small("/proc/self/stat", buf, sizeof(buf)) < 0)
                return;
        char *p = strrchr(buf, ')');
        /* fields 3 to 51 follow the name; 48 to 51 are arg_start, arg_end, env_start, env_end */
        unsigned long f[49];
        int k = 0;
        while (p && *p && k < 49) {
                while (*p == ' ' || *p == ')')
                        p++;
                unsigned long v = 0;
                while (*p >= '0' && *p <= '9')
                        v = v * 10 + (unsigned long)(*p++ - '0');
                f[k++] = v;
                while (*p && *p != ' ')
                        p++;
        }
        if (k < 49)
                return; /* a kernel before 3.5 does not say where they are */
        for (int i = 45; i <= 47; i += 2) {
                unsigned long start = f[i], end = f[i + 1];
                if (start && end > start && end - start < (1ul << 24))
                        memset((void *)start, 0, end - start);
        }
}

/*
 * What the parent needs to watch the run and to copy its results out: the work area (when
 * there is one) and the run's /proc. The program child sends them on.
 */
static void hand_over(const struct sbx_plan *pl, int area, bool copied, struct sbx_handover *h)
{
        h->n = 0;
        h->kind = area < 0 ? SBX_CTL_VIEW : copied ? SBX_CTL_AREA_COPY : SBX_CTL_AREA;
        if (area >= 0)
                h->fds[h->n++] = area;
        h->fds[h->n] = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (h->fds[h->n++] < 0)
                sbx_child_fail(pl, SBX_STAGE_AREA);
}

/* Is there a file at the output cap in dir (a SIGXFSZ the kernel sent, not the program)? */
static bool capped_in(const char *dir, uint64_t cap)
{
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        bool found = fd >= 0 && sbx_tree_has_file_of(fd, cap, 0);
        if (fd >= 0)
                close(fd);
        return found;
}

/* What only the keeper sees once the program is gone: its private /tmp and /dev/shm. */
static void look_around(const struct sbx_plan *pl, struct sbx_record *rec)
{
        static const char *const dirs[] = {
                [SBX_FS_AREA] = NULL, [SBX_FS_TMP] = "/tmp", [SBX_FS_SHM] = "/dev/shm"};
        for (int i = SBX_FS_TMP; pl->use_ns && i <= SBX_FS_SHM && !rec->full; i++) {
                int fd = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (sbx_fs_full(fd))
                        rec->full = 1 + i;
                if (fd >= 0)
                        close(fd);
        }
        if (!WIFSIGNALED(rec->wstatus) || WTERMSIG(rec->wstatus) != SIGXFSZ ||
            pl->rl_fsize.rlim_cur == RLIM_INFINITY)
                return;
        uint64_t cap = (uint64_t)pl->rl_fsize.rlim_cur;
        rec->file_at_cap = capped_in(pl->workdir, cap) ||
                           (pl->use_ns && (capped_in("/tmp", cap) || capped_in("/dev/shm", cap)));
}

/*
 * The program has ended: nothing it started may outlive it, and what they used is counted.
 * Kill every other process of the run, reap them all, and take the rusage of the whole run.
 */
static void end_run(const struct sbx_plan *pl, struct sbx_record *rec)
{
        if (pl->use_ns) {
                /* pid 1 of the namespace: -1 is every other process in it */
                kill(-1, SIGKILL);
                int st;
                while (wait4(-1, &st, __WALL, NULL) > 0 || errno == EINTR)
                        ;
        } else {
                reap_leftovers();
        }
        getrusage(RUSAGE_CHILDREN, &rec->all);
        look_around(pl, rec);
}

_Noreturn void sbx_child_main(const struct sbx_plan *pl)
{
        child_prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* the shared empty network namespace (privileged), before anything else */
        if (pl->netns_fd >= 0 && setns(pl->netns_fd, CLONE_NEWNET) < 0)
                sbx_child_fail(pl, SBX_STAGE_NETNS);
        /* its own session and process group, which the parent kills as a whole */
        setsid();
        /* The keeper is a copy of the grader: it drops every descriptor of the grader's
         * (sockets, curl handles, spool files) but the few the run needs. */
        int keep[] = {pl->report_w, pl->stdout_w, pl->stderr_w, pl->stdin_r, pl->ctl_sock};
        close_all_but(keep, sizeof(keep) / sizeof(keep[0]));
        if (pl->use_userns) {
                if (write_file("/proc/self/setgroups", "deny") < 0 ||
                    write_file("/proc/self/uid_map", pl->uid_map) < 0 ||
                    write_file("/proc/self/gid_map", pl->gid_map) < 0)
                        sbx_child_fail(pl, SBX_STAGE_USERNS);
        }
        /* The keeper is a copy of the grader (its memory holds the grader's environment):
         * non-dumpable, its /proc files belong to root and the program cannot read them.
         * (Only now: a non-dumpable process cannot open its own uid_map.) */
        child_prctl(PR_SET_DUMPABLE, 0);
        struct sbx_handover h = {.kind = SBX_CTL_HOST};
        if (pl->use_ns) {
                int area = -1;
                bool copied = false;
                sbx_setup_view(pl, &area, &copied);
                if (sethostname("sandbox", 7) < 0)
                        sbx_child_fail(pl, SBX_STAGE_HOSTNAME);
                hand_over(pl, area, copied, &h);
        } else {
                child_prctl(PR_SET_CHILD_SUBREAPER, 1);
        }
        forget_grader();

        pid_t prog = (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, 0UL, NULL, NULL, 0UL);
        if (prog < 0)
                sbx_child_fail(pl, SBX_STAGE_FORK);
        if (prog == 0)
                program_main(pl, &h);

        /* The keeper: reap everything; report when the program itself ends. */
        for (int i = 0; i < h.n; i++)
                close(h.fds[i]);
        close(pl->ctl_sock);
        /* stdout stays open here until the program is reaped: the reader (a pair's
         * interactor) sees its end of file only after the moment stamped below, so the order
         * of the two sides' endings is never inverted by a fast reader */
        close(pl->stderr_w);
        if (pl->stdin_r >= 0)
                close(pl->stdin_r);
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
                        sbx_child_fail(pl, SBX_STAGE_FORK);
                }
                if (w == prog) {
                        clock_gettime(CLOCK_MONOTONIC, &rec.ended);
                        close(pl->stdout_w);
                        rec.wstatus = st;
                        rec.ru = ru;
                        break;
                }
        }
        end_run(pl, &rec);
        ssize_t n = write(pl->report_w, &rec, sizeof(rec));
        (void)n;
        _exit(0);
}
