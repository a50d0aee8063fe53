/* SPDX-License-Identifier: MIT */
/*
 * sbx_run(): prepare the plan, clone the keeper, then watch the run until it ends.
 *
 * The parent's loop polls the program's stdout and stderr pipes (copying at most the output
 * cap, so OLE is decided the moment the cap is passed), the keeper's report pipe, and the
 * seccomp listener; every WATCH_TICK it also reads the program's CPU time and resident size
 * from /proc. The first cause to end the run (wall time, CPU, memory, output, a forbidden
 * call, cancellation) is kept, and the keeper is killed with SIGKILL: as pid 1 of the run's
 * pid namespace its death takes every other process of the run with it.
 * docs/sandbox.md says how each status is decided.
 */
#include "sandbox_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define WATCH_TICK_MS 10 /* how often CPU and memory are sampled while the program runs */
#define MIB           (1024ull * 1024ull)

enum kill_cause {
        KILL_NONE,
        KILL_WALL,
        KILL_CPU,
        KILL_MEMORY,
        KILL_OUTPUT,
        KILL_SYSCALL,
        KILL_CANCEL
};

struct watch {
        pid_t keeper;
        pid_t prog; /* as seen from here, once known */
        int prog_stat_fd;
        double start;
        long ticks_per_sec;
        long page;
        double cpu;       /* last sampled CPU seconds of the program */
        uint64_t rss_max; /* largest sampled resident size */
        enum kill_cause cause;
        char syscall[32];
        bool nonnative;
};

static void set_msg(struct sbx_result *r, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void set_msg(struct sbx_result *r, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->message, sizeof(r->message), fmt, ap);
        va_end(ap);
}

static int ie(struct sbx_result *r, const char *what, int err)
{
        r->status = SBX_STATUS_IE;
        set_msg(r, "%s: %s", what, strerror(err));
        return 0;
}

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

/* The work dir may not hide or open up a system directory. */
static bool workdir_allowed(const char *w)
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
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                ssize_t k = read(fd, buf, sizeof(buf) - 1);
                close(fd);
                if (k <= 0)
                        continue;
                buf[k] = '\0';
                const char *u = strstr(buf, "\nUid:");
                const char *t = strstr(buf, "\nThreads:");
                if (u && t && strtoul(u + 5, NULL, 10) == uid)
                        n += strtoul(t + 9, NULL, 10);
        }
        closedir(d);
        return n;
}

static int build_plan(const struct sbx_policy *p, const struct sbx_config *cfg, const char *workdir,
                      struct sbx_plan *pl, struct sbx_result *res)
{
        const struct sbx_limits *lim = &cfg->limits;
        pl->policy = p;
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
        pl->readonly_workdir = cfg->readonly_workdir;
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
                set_msg(res, "no directory to assemble the sandbox's root in (/tmp, /mnt, ...)");
                return -1;
        }
        snprintf(pl->stage_old, sizeof(pl->stage_old), "%s/oldroot", pl->stage);
        uint64_t tmp = lim->tmp_size ? lim->tmp_size : 16 * MIB;
        snprintf(pl->tmp_opts, sizeof(pl->tmp_opts), "mode=1777,size=%llu,nr_inodes=4096",
                 (unsigned long long)tmp);
        snprintf(pl->workdir_opts, sizeof(pl->workdir_opts),
                 "mode=0755,uid=%u,gid=%u,size=%llu,nr_inodes=4096", (unsigned)pl->uid,
                 (unsigned)pl->gid, (unsigned long long)tmp);

        int r = resolve_exe(cfg->argv[0], workdir, pl->exe, sizeof(pl->exe));
        if (r < 0) {
                res->status = SBX_STATUS_IE;
                set_msg(res, "program '%s' not found in PATH (/usr/local/bin:/usr/bin:/bin)",
                        cfg->argv[0]);
                return -1;
        }
        /* The program sees only the work dir and the system directories: a program elsewhere
         * exists for us but not for it. Say where we looked, and what to do. */
        if (pl->use_ns && !sbx_path_under(pl->exe, workdir) && !sbx_under_system_dir(pl->exe)) {
                res->status = SBX_STATUS_IE;
                set_msg(res,
                        "program '%s' is outside the work dir '%s' and the system directories: "
                        "the sandbox cannot see it; copy it into the work dir",
                        pl->exe, workdir);
                return -1;
        }
        if (access(pl->exe, F_OK) < 0) {
                res->status = SBX_STATUS_IE;
                set_msg(res,
                        "program '%s' not found: it must be inside the work dir '%s' (a relative "
                        "path is relative to it) or in a system directory",
                        pl->exe, workdir);
                return -1;
        }
        size_t i = 0;
        for (; cfg->argv[i]; i++)
                pl->argv[i] = (char *)(uintptr_t)cfg->argv[i];
        pl->argv[i] = NULL;

        /* A clean environment: what every runtime needs, then the caller's entries. */
        size_t e = 0;
        snprintf(pl->env_store[0], sizeof(pl->env_store[0]), "HOME=%s", workdir);
        snprintf(pl->env_store[1], sizeof(pl->env_store[1]), "PWD=%s", workdir);
        pl->envp[e++] = pl->env_store[0];
        pl->envp[e++] = pl->env_store[1];
        pl->envp[e++] = (char *)"PATH=/usr/local/bin:/usr/bin:/bin";
        pl->envp[e++] = (char *)"LANG=C.UTF-8";
        pl->envp[e++] = (char *)"TMPDIR=/tmp";
        for (size_t k = 0; cfg->env && cfg->env[k]; k++)
                pl->envp[e++] = (char *)(uintptr_t)cfg->env[k];
        pl->envp[e] = NULL;

        pl->binds = p->binds;
        pl->n_binds = p->n_binds;

        /* rlimits. RLIMIT_CPU counts whole seconds: it is only a backstop one second past
         * the limit (SIGXCPU) and another (SIGKILL); the watchdog stops the program first. */
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
        if (!pl->use_ns && !pl->setuid)
                nproc += tasks_of_uid(pl->outer_uid); /* shared with every process of ours */
        pl->rl_nproc = (struct rlimit){nproc, nproc};
        return 0;
}

/* The program's pid as seen from here: the keeper's only child. */
static void find_program(struct watch *w)
{
        char path[64], buf[64];
        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", w->keeper, w->keeper);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return;
        buf[n] = '\0';
        pid_t pid = (pid_t)strtol(buf, NULL, 10);
        if (pid <= 0)
                return;
        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        w->prog_stat_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (w->prog_stat_fd >= 0)
                w->prog = pid;
}

/* Sample the program's CPU (user+system, its reaped children included) and resident size. */
static void sample(struct watch *w)
{
        if (w->prog <= 0)
                find_program(w);
        if (w->prog_stat_fd < 0)
                return;
        char buf[1024];
        ssize_t n = pread(w->prog_stat_fd, buf, sizeof(buf) - 1, 0);
        if (n <= 0)
                return;
        buf[n] = '\0';
        /* fields after the command name, which may hold spaces and parentheses */
        char *p = strrchr(buf, ')');
        if (!p)
                return;
        unsigned long long f[24] = {0};
        int k = 0;
        /* strtok_r: several workers sample at once (strtok's state is global) */
        char *save = NULL;
        for (char *tok = strtok_r(p + 1, " ", &save); tok && k < 24;
             tok = strtok_r(NULL, " ", &save))
                f[k++] = strtoull(tok, NULL, 10);
        if (k < 22)
                return;
        /* field 3 is index 0: utime 14, stime 15, cutime 16, cstime 17, rss 24 */
        double cpu = (double)(f[11] + f[12] + f[13] + f[14]) / (double)w->ticks_per_sec;
        if (cpu > w->cpu)
                w->cpu = cpu;
        uint64_t rss = (uint64_t)f[21] * (uint64_t)w->page;
        if (rss > w->rss_max)
                w->rss_max = rss;
}

static void kill_run(struct watch *w, enum kill_cause cause)
{
        if (w->cause == KILL_NONE) {
                w->cause = cause;
                sample(w); /* the CPU time and memory at the moment of the kill */
        }
        kill(w->keeper, SIGKILL);
        /* without a pid namespace the program lives in the keeper's process group */
        kill(-w->keeper, SIGKILL);
}

/* Copy what the program wrote to one stream, up to the cap; past it the run is OLE. */
static bool drain(int fd, int sink, uint64_t cap, uint64_t *total, struct watch *w)
{
        char buf[65536];
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0)
                return errno == EINTR || errno == EAGAIN;
        if (n == 0)
                return false;
        uint64_t before = *total;
        *total += (uint64_t)n;
        if (sink >= 0 && before < cap) {
                size_t keep = (size_t)((cap - before) < (uint64_t)n ? cap - before : (uint64_t)n);
                for (size_t off = 0; off < keep;) {
                        ssize_t k = write(sink, buf + off, keep - off);
                        if (k < 0) {
                                if (errno == EINTR)
                                        continue;
                                break; /* the caller's sink failed; keep draining the pipe */
                        }
                        off += (size_t)k;
                }
        }
        if (cap && *total > cap)
                kill_run(w, KILL_OUTPUT);
        return true;
}

static int recv_fd(int sock)
{
        char data;
        struct iovec iov = {.iov_base = &data, .iov_len = 1};
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u;
        struct msghdr msg = {.msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = u.buf,
                             .msg_controllen = sizeof(u.buf)};
        if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT) <= 0)
                return -1;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        if (!c || c->cmsg_type != SCM_RIGHTS)
                return -1;
        int fd;
        memcpy(&fd, CMSG_DATA(c), sizeof(int));
        return fd;
}

static void on_notification(const struct sbx_policy *p, int fd, struct watch *w)
{
        struct seccomp_notif *req = calloc(1, p->notif_size);
        if (!req)
                return;
        if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) == 0 && w->cause == KILL_NONE) {
                sbx_seccomp_describe(req->data.nr, w->syscall, sizeof(w->syscall));
                kill_run(w, KILL_SYSCALL);
        }
        free(req);
}

static void classify(const struct sbx_config *cfg, const char *exe, const struct watch *w,
                     bool have_exit, const struct sbx_record *ex, const struct sbx_record *setup,
                     struct sbx_result *r)
{
        const struct sbx_limits *lim = &cfg->limits;
        r->cpu_time = w->cpu;
        r->memory = w->rss_max;
        if (have_exit) {
                double cpu = (double)ex->ru.ru_utime.tv_sec +
                             (double)ex->ru.ru_utime.tv_usec / 1e6 +
                             (double)ex->ru.ru_stime.tv_sec + (double)ex->ru.ru_stime.tv_usec / 1e6;
                r->cpu_time = cpu;
                uint64_t peak = (uint64_t)ex->ru.ru_maxrss * 1024u;
                if (peak > r->memory)
                        r->memory = peak;
                if (WIFEXITED(ex->wstatus)) {
                        r->exit_code = WEXITSTATUS(ex->wstatus);
                } else if (WIFSIGNALED(ex->wstatus)) {
                        r->signal = WTERMSIG(ex->wstatus);
                }
        }
        if (setup) {
                if (setup->stage == SBX_STAGE_EXEC && setup->err == ENOMEM) {
                        r->status = SBX_STATUS_MLE;
                        set_msg(r, "the program does not fit in memory");
                } else if (setup->stage == SBX_STAGE_EXEC) {
                        r->status = SBX_STATUS_IE;
                        set_msg(r, "executing '%s' in the sandbox failed: %s%s", exe,
                                strerror(setup->err),
                                setup->err == ENOENT ? " (an interpreter or library it needs "
                                                       "is missing inside the sandbox)"
                                                     : "");
                } else {
                        r->status = SBX_STATUS_IE;
                        set_msg(r, "sandbox setup failed while %s: %s",
                                sbx_stage_name(setup->stage), strerror(setup->err));
                }
                return;
        }
        switch (w->cause) {
        case KILL_WALL:
                r->status = SBX_STATUS_TLE;
                set_msg(r, "wall time limit of %.3g s exceeded", lim->wall_time);
                return;
        case KILL_CPU:
                r->status = SBX_STATUS_TLE;
                set_msg(r, "CPU time limit of %.3g s exceeded", lim->cpu_time);
                return;
        case KILL_MEMORY:
                r->status = SBX_STATUS_MLE;
                set_msg(r, "memory limit of %llu bytes exceeded", (unsigned long long)lim->memory);
                return;
        case KILL_OUTPUT:
                r->status = SBX_STATUS_OLE;
                set_msg(r, "output limit of %llu bytes exceeded", (unsigned long long)lim->output);
                return;
        case KILL_SYSCALL:
                r->status = SBX_STATUS_SV;
                cmn_strlcpy(r->syscall, w->syscall, sizeof(r->syscall));
                set_msg(r, "forbidden system call '%s'", w->syscall);
                return;
        case KILL_CANCEL:
                r->status = SBX_STATUS_IE;
                set_msg(r, "cancelled");
                return;
        case KILL_NONE:
                break;
        }
        if (!have_exit) {
                /* the keeper died without a report: only the program can have done that */
                r->status = SBX_STATUS_RE;
                set_msg(r, "the program killed the sandbox's keeper process");
                return;
        }
        if (r->cpu_time > lim->cpu_time || r->signal == SIGXCPU) {
                r->status = SBX_STATUS_TLE;
                set_msg(r, "CPU time limit of %.3g s exceeded", lim->cpu_time);
        } else if (lim->memory && r->memory > lim->memory) {
                r->status = SBX_STATUS_MLE;
                set_msg(r, "memory limit of %llu bytes exceeded", (unsigned long long)lim->memory);
        } else if (r->signal == SIGXFSZ) {
                r->status = SBX_STATUS_OLE;
                set_msg(r, "file size limit of %llu bytes exceeded",
                        (unsigned long long)lim->output);
        } else if (r->signal == SIGSYS) {
                /* the filter kills outright only for a call from a non-native ABI */
                r->status = SBX_STATUS_SV;
                cmn_strlcpy(r->syscall, "non-native ABI", sizeof(r->syscall));
                set_msg(r, "system call through a non-native ABI (i386 or x32)");
        } else if (r->signal) {
                r->status = SBX_STATUS_RE;
                set_msg(r, "killed by signal %d (%s)", r->signal, strsignal(r->signal));
        } else if (r->exit_code != 0) {
                r->status = SBX_STATUS_RE;
                set_msg(r, "exited with status %d", r->exit_code);
        } else {
                r->status = SBX_STATUS_OK;
                set_msg(r, "exited normally");
        }
}

static int run(const struct sbx_policy *p, const struct sbx_config *cfg, struct sbx_cancel *cancel,
               struct sbx_result *res)
{
        struct sbx_limits lim = cfg->limits;
        if (lim.wall_time <= 0)
                lim.wall_time = 3 * lim.cpu_time + 1;
        struct sbx_config c = *cfg;
        c.limits = lim;

        char workdir[PATH_MAX], tmpdir[PATH_MAX] = "";
        if (cfg->workdir) {
                if (cfg->workdir[0] != '/')
                        return -EINVAL;
                int r = cmn_mkdir_p(cfg->workdir, 0755);
                if (r < 0)
                        return ie(res, "creating the work dir", -r);
                if (!realpath(cfg->workdir, workdir))
                        return ie(res, "resolving the work dir", errno);
        } else {
                cmn_strlcpy(tmpdir, "/tmp/grader-box-XXXXXX", sizeof(tmpdir));
                if (!mkdtemp(tmpdir))
                        return ie(res, "creating a work dir", errno);
                cmn_strlcpy(workdir, tmpdir, sizeof(workdir));
        }
        if (!workdir_allowed(workdir)) {
                res->status = SBX_STATUS_IE;
                set_msg(res, "work dir '%s' would hide or expose a system directory", workdir);
                return 0;
        }

        struct sbx_plan *pl = calloc(1, sizeof(*pl));
        if (!pl)
                return -ENOMEM;
        int out[2] = {-1, -1}, err[2] = {-1, -1}, rep[2] = {-1, -1}, ns[2] = {-1, -1};
        int notify_fd = -1;
        pid_t keeper = -1;
        if (build_plan(p, &c, workdir, pl, res) < 0)
                goto done;
        if (pl->setuid && (chown(workdir, pl->uid, pl->gid) < 0 || chmod(workdir, 0755) < 0)) {
                ie(res, "handing the work dir to the sandbox uid", errno);
                goto done;
        }
        if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0 ||
            (p->notify && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ns) < 0)) {
                ie(res, "creating pipes", errno);
                goto done;
        }
        pl->stdin_fd = cfg->stdin_fd;
        pl->stdout_w = out[1];
        pl->stderr_w = err[1];
        pl->report_w = rep[1];
        pl->notify_sock = p->notify ? ns[1] : -1;

        unsigned long flags = SIGCHLD;
        if (pl->use_ns)
                flags |= CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
                         (pl->netns_fd >= 0 ? 0 : CLONE_NEWNET);
        if (pl->use_userns)
                flags |= CLONE_NEWUSER;
        struct watch w = {.prog_stat_fd = -1,
                          .ticks_per_sec = sysconf(_SC_CLK_TCK),
                          .page = sysconf(_SC_PAGESIZE)};
        w.start = cmn_monotonic();
        keeper = (pid_t)syscall(SYS_clone, flags, 0UL, NULL, NULL, 0UL);
        if (keeper < 0) {
                ie(res, "clone", errno);
                goto done;
        }
        if (keeper == 0)
                sbx_child_main(pl);
        w.keeper = keeper;
        close(out[1]);
        close(err[1]);
        close(rep[1]);
        out[1] = err[1] = rep[1] = -1;
        if (ns[1] >= 0) {
                close(ns[1]);
                ns[1] = -1;
        }

        struct sbx_record exit_rec, setup_rec;
        bool have_exit = false, have_setup = false, rep_open = true;
        bool out_open = true, err_open = true;
        size_t rep_fill = 0;
        char rep_buf[sizeof(struct sbx_record)];
        double eof_deadline = 0;
        for (;;) {
                if (!rep_open && !out_open && !err_open)
                        break;
                double now = cmn_monotonic();
                if (now - w.start > lim.wall_time && w.cause == KILL_NONE)
                        kill_run(&w, KILL_WALL);
                if (cancel && __atomic_load_n(&cancel->cancelled, __ATOMIC_SEQ_CST))
                        kill_run(&w, KILL_CANCEL);
                if (!rep_open) {
                        /* the keeper is gone: the pipes close as its namespace dies */
                        if (eof_deadline == 0)
                                eof_deadline = now + 2.0;
                        else if (now > eof_deadline)
                                break;
                }
                struct pollfd pfd[5];
                int n = 0, i_out = -1, i_err = -1, i_rep = -1, i_ns = -1, i_nf = -1;
                if (out_open)
                        pfd[i_out = n++] = (struct pollfd){.fd = out[0], .events = POLLIN};
                if (err_open)
                        pfd[i_err = n++] = (struct pollfd){.fd = err[0], .events = POLLIN};
                if (rep_open)
                        pfd[i_rep = n++] = (struct pollfd){.fd = rep[0], .events = POLLIN};
                if (ns[0] >= 0)
                        pfd[i_ns = n++] = (struct pollfd){.fd = ns[0], .events = POLLIN};
                if (notify_fd >= 0)
                        pfd[i_nf = n++] = (struct pollfd){.fd = notify_fd, .events = POLLIN};
                double left = lim.wall_time - (now - w.start);
                int timeout = WATCH_TICK_MS;
                if (left * 1000 < timeout)
                        timeout = left > 0 ? (int)(left * 1000) + 1 : 1;
                int k = poll(pfd, (nfds_t)n, timeout);
                if (k < 0 && errno != EINTR) {
                        kill_run(&w, KILL_CANCEL);
                        break;
                }
                if (i_out >= 0 && pfd[i_out].revents)
                        out_open =
                                drain(out[0], cfg->stdout_fd, lim.output, &res->stdout_bytes, &w);
                if (i_err >= 0 && pfd[i_err].revents)
                        err_open =
                                drain(err[0], cfg->stderr_fd, lim.output, &res->stderr_bytes, &w);
                if (i_rep >= 0 && pfd[i_rep].revents) {
                        ssize_t m = read(rep[0], rep_buf + rep_fill, sizeof(rep_buf) - rep_fill);
                        if (m == 0 || (m < 0 && errno != EINTR)) {
                                rep_open = false;
                        } else if (m > 0) {
                                rep_fill += (size_t)m;
                                if (rep_fill == sizeof(rep_buf)) {
                                        struct sbx_record rec;
                                        memcpy(&rec, rep_buf, sizeof(rec));
                                        rep_fill = 0;
                                        if (rec.kind == SBX_REC_EXIT && !have_exit) {
                                                exit_rec = rec;
                                                have_exit = true;
                                                sample(&w);
                                        } else if (rec.kind == SBX_REC_SETUP_ERROR && !have_setup) {
                                                setup_rec = rec;
                                                have_setup = true;
                                        }
                                }
                        }
                }
                if (i_ns >= 0 && pfd[i_ns].revents) {
                        notify_fd = recv_fd(ns[0]);
                        close(ns[0]);
                        ns[0] = -1;
                }
                if (i_nf >= 0 && pfd[i_nf].revents) {
                        if (pfd[i_nf].revents & (POLLHUP | POLLERR)) {
                                close(notify_fd);
                                notify_fd = -1;
                        } else {
                                on_notification(p, notify_fd, &w);
                        }
                }
                if (!have_exit && w.cause == KILL_NONE) {
                        sample(&w);
                        if (w.cpu > lim.cpu_time)
                                kill_run(&w, KILL_CPU);
                        else if (lim.memory && w.rss_max > lim.memory)
                                kill_run(&w, KILL_MEMORY);
                }
        }
        if (w.cause != KILL_NONE || !have_exit)
                kill_run(&w, w.cause);
        int st;
        while (waitpid(keeper, &st, __WALL) < 0 && errno == EINTR)
                ;
        res->wall_time = cmn_monotonic() - w.start;
        classify(&c, pl->exe, &w, have_exit, &exit_rec, have_setup ? &setup_rec : NULL, res);
        if (w.prog_stat_fd >= 0)
                close(w.prog_stat_fd);

done:
        for (int i = 0; i < 2; i++) {
                if (out[i] >= 0)
                        close(out[i]);
                if (err[i] >= 0)
                        close(err[i]);
                if (rep[i] >= 0)
                        close(rep[i]);
                if (ns[i] >= 0)
                        close(ns[i]);
        }
        if (notify_fd >= 0)
                close(notify_fd);
        free(pl);
        if (tmpdir[0])
                cmn_rmtree(tmpdir);
        return 0;
}

int sbx_run_cancellable(const struct sbx_policy *p, const struct sbx_config *cfg,
                        struct sbx_cancel *c, struct sbx_result *ret)
{
        if (!p || !cfg || !ret || !cfg->argv || !cfg->argv[0] || !cfg->argv[0][0])
                return -EINVAL;
        size_t n = 0;
        while (cfg->argv[n])
                n++;
        size_t e = 0;
        while (cfg->env && cfg->env[e])
                e++;
        if (n > SBX_MAX_ARGS || e > SBX_MAX_ENV || cfg->limits.cpu_time <= 0)
                return -EINVAL;
        memset(ret, 0, sizeof(*ret));
        ret->exit_code = -1;
        return run(p, cfg, c, ret);
}

int sbx_run(const struct sbx_policy *p, const struct sbx_config *cfg, struct sbx_result *ret)
{
        return sbx_run_cancellable(p, cfg, NULL, ret);
}
