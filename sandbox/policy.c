/* SPDX-License-Identifier: MIT */
/* The policy: the layers (probe.c), the system directories, the shared network namespace, the
 * filter (seccomp.c), all prepared once and used by every run. */
#include "sandbox_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define DEFAULT_UID_BASE 60000

/* /var/lib/ghc: GHC's package database (/usr/lib/ghc/package.conf.d links there) */
static const char *const system_dirs[] = {"/bin",    "/sbin", "/lib", "/lib32",      "/lib64",
                                          "/libx32", "/usr",  "/etc", "/var/lib/ghc"};

bool sbx_path_under(const char *path, const char *dir)
{
        size_t l = strlen(dir);
        while (l > 1 && dir[l - 1] == '/')
                l--;
        return !strncmp(path, dir, l) && (path[l] == '\0' || path[l] == '/');
}

bool sbx_under_system_dir(const char *w)
{
        for (size_t i = 0; i < CMN_ARRAY_SIZE(system_dirs); i++) {
                if (sbx_path_under(w, system_dirs[i]))
                        return true;
        }
        return false;
}

void sbx_find_binds(struct sbx_policy *p)
{
        p->n_binds = 0;
        for (size_t k = 0; k < CMN_ARRAY_SIZE(system_dirs); k++) {
                struct stat st;
                if (lstat(system_dirs[k], &st) < 0)
                        continue;
                struct sbx_bind *b = &p->binds[p->n_binds];
                cmn_strlcpy(b->path, system_dirs[k], sizeof(b->path));
                b->target[0] = '\0';
                if (S_ISLNK(st.st_mode)) {
                        ssize_t n = readlink(system_dirs[k], b->target, sizeof(b->target) - 1);
                        if (n <= 0)
                                continue;
                        b->target[n] = '\0';
                } else if (!S_ISDIR(st.st_mode)) {
                        continue;
                }
                p->n_binds++;
        }
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
        p->copy_workdir = opts->copy_workdir;
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
        int r = sbx_seccomp_compile(p, err, errlen);
        if (r < 0) {
                sbx_policy_free(p);
                return r;
        }
        p->layers.seccomp_notify = p->notify;
        p->layers.work_area = p->layers.privileged || p->layers.user_ns;
        *ret = p;
        return 0;
}

void sbx_policy_free(struct sbx_policy *p)
{
        if (!p)
                return;
        free(p->prog.filter);
        for (size_t i = 0; i < SBX_SECCOMP_ADDITIONS; i++)
                free(p->with_addition[i].filter);
        if (p->netns_fd >= 0)
                close(p->netns_fd);
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
                [SBX_STAGE_AREA] = "making the work area",
                [SBX_STAGE_COPY_IN] = "copying the work dir into the work area",
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
