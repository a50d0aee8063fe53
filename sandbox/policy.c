/* SPDX-License-Identifier: MIT */
/* The policy: which isolation layers this process can use, probed once, and the filter. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define DEFAULT_UID_BASE 60000

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

/* Without trying: do the sysctls let an ordinary user make user namespaces? */
static bool userns_allowed(void)
{
        static const char *const knobs[] = {"/proc/sys/user/max_user_namespaces",
                                            "/proc/sys/kernel/unprivileged_userns_clone"};
        for (size_t i = 0; i < CMN_ARRAY_SIZE(knobs); i++) {
                int fd = open(knobs[i], O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue; /* the second one is a Debian patch: absent is allowed */
                char buf[32] = "";
                ssize_t n = read(fd, buf, sizeof(buf) - 1);
                close(fd);
                if (n > 0 && atol(buf) == 0)
                        return false;
        }
        return true;
}

/*
 * One empty network namespace for every privileged run. Creating a namespace per run costs
 * about half a millisecond, and tearing it down more, in a kernel worker (docs/performance.md).
 * Sharing it gives runs nothing to share: it has only a loopback interface that is down, and
 * the seccomp filter refuses socket() in every family, so no run can bind or reach anything in
 * it (not even an abstract Unix socket); socketpair() makes only anonymous pairs.
 * Return: an O_CLOEXEC descriptor of the namespace, or -1.
 */
static int make_netns(void)
{
        int up[2], down[2];
        if (pipe2(up, O_CLOEXEC) < 0)
                return -1;
        if (pipe2(down, O_CLOEXEC) < 0) {
                close(up[0]);
                close(up[1]);
                return -1;
        }
        pid_t pid = fork();
        if (pid == 0) {
                close(down[1]); /* else its own copy would keep the read below from ending */
                close(up[0]);
                char ok = unshare(CLONE_NEWNET) == 0 ? 'y' : 'n';
                if (write(up[1], &ok, 1) == 1) {
                        char c;
                        ssize_t n = read(down[0], &c, 1); /* until the parent has the fd */
                        (void)n;
                }
                _exit(0);
        }
        int fd = -1;
        char ok = 'n';
        if (pid > 0 && read(up[0], &ok, 1) == 1 && ok == 'y') {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
                fd = open(path, O_RDONLY | O_CLOEXEC);
        }
        close(up[0]);
        close(up[1]);
        close(down[0]);
        close(down[1]); /* the child's read returns: it exits */
        if (pid > 0)
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        return fd;
}

static int read_cap_last(void)
{
        int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
        char buf[16] = "";
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
        if (fd >= 0)
                close(fd);
        int v = n > 0 ? atoi(buf) : 0;
        return v > 0 && v < 64 ? v : 63;
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
                           (opts->single_run ? userns_allowed() : can_clone(ns | CLONE_NEWUSER))) {
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

int sbx_policy_new(const struct sbx_policy_opts *opts, struct sbx_policy **ret, char *err,
                   size_t errlen)
{
        static const struct sbx_policy_opts none;
        if (!opts)
                opts = &none;
        if (err && errlen)
                err[0] = '\0';
        struct sbx_policy *p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->uid_base = opts->uid_base ? opts->uid_base : DEFAULT_UID_BASE;
        p->netns_fd = -1;
        p->cap_last = read_cap_last();
        sbx_find_binds(p);
        sbx_probe_layers(p, opts);
        if (p->layers.privileged && !opts->single_run) {
                p->netns_fd = make_netns();
                if (p->netns_fd < 0)
                        p->layers.privileged = p->layers.pid_ns = p->layers.mount_ns =
                                p->layers.net_ns = p->layers.ipc_ns = p->layers.uts_ns = false;
        }
        p->empty_caps = cap_init();
        if (!p->empty_caps) {
                free(p);
                return -ENOMEM;
        }
        int r = sbx_seccomp_compile(p, err, errlen);
        if (r < 0) {
                sbx_policy_free(p);
                return r;
        }
        p->layers.seccomp_notify = p->notify;
        *ret = p;
        return 0;
}

void sbx_policy_free(struct sbx_policy *p)
{
        if (!p)
                return;
        free(p->prog.filter);
        if (p->netns_fd >= 0)
                close(p->netns_fd);
        if (p->empty_caps)
                cap_free(p->empty_caps);
        free(p);
}

void sbx_policy_layers(const struct sbx_policy *p, struct sbx_layers *ret)
{
        *ret = p->layers;
}

const char *sbx_status_name(enum sbx_status s)
{
        switch (s) {
        case SBX_STATUS_OK:
                return "OK";
        case SBX_STATUS_RE:
                return "RE";
        case SBX_STATUS_TLE:
                return "TLE";
        case SBX_STATUS_MLE:
                return "MLE";
        case SBX_STATUS_OLE:
                return "OLE";
        case SBX_STATUS_SV:
                return "SV";
        case SBX_STATUS_IE:
                return "IE";
        }
        return "IE";
}

const char *sbx_stage_name(int stage)
{
        static const char *const names[] = {
                [SBX_STAGE_USERNS] = "user namespace map",
                [SBX_STAGE_NETNS] = "entering the network namespace",
                [SBX_STAGE_MOUNT] = "mounting the file system view",
                [SBX_STAGE_PROC] = "mounting /proc",
                [SBX_STAGE_HOSTNAME] = "setting the host name",
                [SBX_STAGE_FORK] = "forking the program",
                [SBX_STAGE_STDIO] = "redirecting stdio",
                [SBX_STAGE_CHDIR] = "entering the work dir",
                [SBX_STAGE_RLIMIT] = "setting rlimits",
                [SBX_STAGE_CREDS] = "switching to the sandbox uid",
                [SBX_STAGE_CAPS] = "dropping capabilities",
                [SBX_STAGE_NNP] = "setting no_new_privs",
                [SBX_STAGE_FDS] = "closing descriptors",
                [SBX_STAGE_SECCOMP] = "loading the seccomp filter",
                [SBX_STAGE_NOTIFY] = "handing over the seccomp listener",
                [SBX_STAGE_EXEC] = "executing the program",
        };
        if (stage > 0 && (size_t)stage < CMN_ARRAY_SIZE(names) && names[stage])
                return names[stage];
        return "setting up";
}

void sbx_limits_default(struct sbx_limits *l)
{
        memset(l, 0, sizeof(*l));
        l->cpu_time = 1.0;
        l->wall_time = 0; /* 0: 3 * cpu_time + 1, decided at run time */
        l->memory = 256ull << 20;
        l->output = 64ull << 20;
        l->processes = 1;
        l->open_files = 64;
        l->tmp_size = 16ull << 20;
        l->memory_mode = SBX_MEMORY_ADDRESS_SPACE;
}

void sbx_cancel(struct sbx_cancel *c)
{
        __atomic_store_n(&c->cancelled, 1, __ATOMIC_SEQ_CST);
}
