/* SPDX-License-Identifier: MIT */
/*
 * sbx_run(): one run, in four steps.
 *
 * Theory of operation.
 *  1. prepare: the work dir (the caller's, or a fresh private one), the plan (plan.c), and the
 *     pipes: stdout, stderr, stdin (fed by the parent), the keeper's report pipe and the
 *     control socket over which the children hand descriptors up.
 *  2. start: clone() the keeper (child.c) into its namespaces; it builds the program's view
 *     (view.c), hands over the work area, and forks the program.
 *  3. watch: the parent's poll loop (watch.c) until every pipe closed, killing the keeper at
 *     the first limit passed.
 *  4. finish: reap the keeper (its pid namespace, and with it every process of the run, is
 *     gone by then), copy what the program left in its work area back into the caller's work
 *     dir (workarea.c), and decide the status (status.c). The work area itself disappears with
 *     the parent's last descriptor of it.
 * docs/sandbox.md is the contract: what each mode counts, and how each status is decided.
 */
#include "sandbox_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

/* The size tmpfs reports for an empty directory: 2 entries ("." and "..") of 20 bytes. */
#define EMPTY_TMPFS_DIR 40

static int ie(struct sbx_result *r, const char *what, int err)
{
        r->status = SBX_STATUS_IE;
        sbx_set_msg(r, "%s: %s", what, strerror(err));
        return 1;
}

/* The work dir: the caller's (created if missing), or a fresh empty one. Return: 0, 1 (res is
 * IE) or -EINVAL. */
static int resolve_workdir(const struct sbx_config *cfg, struct sbx_runner *rn,
                           struct sbx_result *res)
{
        if (cfg->workdir) {
                if (cfg->workdir[0] != '/')
                        return -EINVAL;
                int r = cmn_mkdir_p(cfg->workdir, 0755);
                if (r < 0)
                        return ie(res, "creating the work dir", -r);
                if (!realpath(cfg->workdir, rn->workdir))
                        return ie(res, "resolving the work dir", errno);
                rn->callers_dir = true;
        } else {
                cmn_strlcpy(rn->tmpdir, "/tmp/grader-box-XXXXXX", sizeof(rn->tmpdir));
                if (!mkdtemp(rn->tmpdir))
                        return ie(res, "creating a work dir", errno);
                cmn_strlcpy(rn->workdir, rn->tmpdir, sizeof(rn->workdir));
        }
        if (!sbx_workdir_allowed(rn->workdir)) {
                res->status = SBX_STATUS_IE;
                sbx_set_msg(res, "work dir '%s' would hide or expose a system directory",
                            rn->workdir);
                return 1;
        }
        return 0;
}

static int make_pipes(const struct sbx_config *cfg, struct sbx_runner *rn, struct sbx_result *res)
{
        if (pipe2(rn->err, O_CLOEXEC) < 0 || pipe2(rn->rep, O_CLOEXEC) < 0 ||
            socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, rn->ctl) < 0)
                return ie(res, "creating pipes", errno);
        /* a pair's stdout goes straight to the other program: nothing to capture */
        if (rn->pair_out >= 0)
                rn->out[1] = rn->pair_out;
        else if (pipe2(rn->out, O_CLOEXEC) < 0)
                return ie(res, "creating pipes", errno);
        rn->pair_out = -1;
        /* stdin: a pipe the parent feeds, never the caller's descriptor itself */
        if (rn->pair_in >= 0)
                rn->in[0] = rn->pair_in;
        else if (cfg->stdin_fd >= 0 &&
                 (pipe2(rn->in, O_CLOEXEC) < 0 || fcntl(rn->in[1], F_SETFL, O_NONBLOCK) < 0))
                return ie(res, "creating the stdin pipe", errno);
        struct sbx_plan *pl = rn->pl;
        rn->pair_in = -1;
        pl->stdin_r = rn->in[0];
        pl->stdout_w = rn->out[1];
        pl->stderr_w = rn->err[1];
        pl->report_w = rn->rep[1];
        pl->ctl_sock = rn->ctl[1];
        return 0;
}

/* Step 1. */
int sbx_runner_prepare(const struct sbx_policy *p, const struct sbx_config *cfg,
                       struct sbx_runner *rn, struct sbx_result *res)
{
        int r = resolve_workdir(cfg, rn, res);
        if (r != 0)
                return r;
        rn->pl = calloc(1, sizeof(*rn->pl));
        if (!rn->pl)
                return -ENOMEM;
        struct sbx_plan *pl = rn->pl;
        if (sbx_build_plan(p, cfg, rn->workdir, pl, res) < 0)
                return 1;
        /* without namespaces a slot uid writes into the host's work dir itself */
        if (pl->work == SBX_WORK_HOST && pl->setuid &&
            (chown(rn->workdir, pl->uid, pl->gid) < 0 || chmod(rn->workdir, 0755) < 0))
                return ie(res, "handing the work dir to the sandbox uid", errno);
        return make_pipes(cfg, rn, res);
}

/* Step 2. */
int sbx_runner_start(struct sbx_runner *rn, struct sbx_result *res)
{
        struct sbx_plan *pl = rn->pl;
        unsigned long flags = SIGCHLD;
        if (pl->use_ns)
                flags |= CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
                         (pl->netns_fd >= 0 ? 0 : CLONE_NEWNET);
        if (pl->use_userns)
                flags |= CLONE_NEWUSER;
        rn->w.start = cmn_monotonic();
        pid_t keeper = (pid_t)syscall(SYS_clone, flags, 0UL, NULL, NULL, 0UL);
        if (keeper < 0)
                return ie(res, "clone", errno);
        if (keeper == 0)
                sbx_child_main(pl);
        sbx_account_init(&rn->w.acct, keeper);
        rn->w.keeper = keeper;
        /* the children's ends, and the caller's ends the watch takes over */
        int *child_ends[] = {&rn->out[1], &rn->err[1], &rn->rep[1], &rn->ctl[1], &rn->in[0]};
        for (size_t i = 0; i < CMN_ARRAY_SIZE(child_ends); i++) {
                if (*child_ends[i] >= 0)
                        close(*child_ends[i]);
                *child_ends[i] = -1;
        }
        struct sbx_watch *w = &rn->w;
        w->out_r = rn->out[0];
        w->err_r = rn->err[0];
        w->rep_r = rn->rep[0];
        w->ctl_r = rn->ctl[0];
        w->feed.pipe_w = rn->in[1];
        rn->out[0] = rn->err[0] = rn->rep[0] = rn->ctl[0] = rn->in[1] = -1;
        w->out_open = w->out_r >= 0;
        w->err_open = w->rep_open = true;
        return 0;
}

/* Copy what the program left in its work area back into the caller's work dir. */
static int copy_out(struct sbx_runner *rn)
{
        const struct sbx_watch *w = &rn->w;
        struct stat st;
        /* an overlay upper layer the program never wrote to is empty (a tmpfs directory's
         * size counts its entries): nothing to copy, which is most runs */
        if (!w->area_copied && fstatat(w->area_fd, SBX_AREA_DATA, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            st.st_size <= EMPTY_TMPFS_DIR)
                return 0;
        int data =
                openat(w->area_fd, SBX_AREA_DATA, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (data < 0)
                return -errno;
        int dst = open(rn->workdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dst < 0) {
                int e = -errno;
                close(data);
                return e;
        }
        struct sbx_copy c = {.replace = true,
                             .overlay = !w->area_copied,
                             .mirror = w->area_copied,
                             .opaque_xattr = rn->pl->use_userns ? "user.overlay.opaque"
                                                                : "trusted.overlay.opaque"};
        int r = sbx_copy_tree(&c, data, dst, 0);
        close(dst);
        close(data);
        return r;
}

/* Step 4. */
void sbx_runner_finish(struct sbx_runner *rn, struct sbx_result *res)
{
        struct sbx_watch *w = &rn->w;
        int st;
        while (waitpid(w->keeper, &st, __WALL) < 0 && errno == EINTR)
                ;
        res->wall_time = cmn_monotonic() - w->start;
        /* a file system that filled up between two ticks: it decides only an ending that
         * would otherwise be OK or RE */
        if (w->have_exit && w->cause == SBX_KILL_NONE && !w->have_setup) {
                if (sbx_fs_full(w->area_fd))
                        w->full = 1 + SBX_FS_AREA;
                else
                        w->full = w->exit_rec.full;
        }
        sbx_classify(w, res);
        if (rn->callers_dir && w->area_fd >= 0 && !w->have_setup && w->cause != SBX_KILL_CANCEL) {
                int r = copy_out(rn);
                if (r < 0) {
                        res->status = SBX_STATUS_IE;
                        sbx_set_msg(res, "copying the work dir back into '%s' failed: %s",
                                    rn->workdir, strerror(-r));
                }
        }
}

void sbx_runner_release(struct sbx_runner *rn)
{
        int *fds[] = {rn->out, rn->err, rn->rep, rn->ctl, rn->in};
        if (rn->pair_in >= 0)
                close(rn->pair_in);
        if (rn->pair_out >= 0)
                close(rn->pair_out);
        rn->pair_in = rn->pair_out = -1;
        for (size_t i = 0; i < CMN_ARRAY_SIZE(fds); i++) {
                for (int k = 0; k < 2; k++) {
                        if (fds[i][k] >= 0)
                                close(fds[i][k]);
                }
        }
        sbx_watch_release(&rn->w);
        if (rn->pl)
                sbx_plan_release(rn->pl);
        free(rn->pl);
        if (rn->tmpdir[0])
                cmn_rmtree(rn->tmpdir);
}

/* SIGPIPE is blocked in the calling thread while it feeds the program's stdin (the program may
 * close it at any time), and one it caused is taken back, so the caller's handling is kept. */
static bool block_sigpipe(sigset_t *old)
{
        sigset_t set, pending;
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        sigpending(&pending);
        pthread_sigmask(SIG_BLOCK, &set, old);
        return sigismember(&pending, SIGPIPE);
}

static void restore_sigpipe(const sigset_t *old, bool was_pending)
{
        sigset_t set, pending;
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        sigpending(&pending);
        if (!was_pending && sigismember(&pending, SIGPIPE)) {
                struct timespec none = {0, 0};
                sigtimedwait(&set, NULL, &none);
        }
        pthread_sigmask(SIG_SETMASK, old, NULL);
}

void sbx_runner_init(struct sbx_runner *rn, const struct sbx_policy *p,
                     const struct sbx_config *cfg)
{
        memset(rn, 0, sizeof(*rn));
        int *fds[] = {rn->out, rn->err, rn->rep, rn->ctl, rn->in};
        for (size_t i = 0; i < CMN_ARRAY_SIZE(fds); i++)
                fds[i][0] = fds[i][1] = -1;
        rn->pair_in = rn->pair_out = -1;
        struct sbx_watch *w = &rn->w;
        w->policy = p;
        w->lim = cfg->limits;
        if (w->lim.wall_time <= 0)
                w->lim.wall_time = 3 * w->lim.cpu_time + 1;
        w->stdout_fd = cfg->stdout_fd;
        w->stderr_fd = cfg->stderr_fd;
        w->out_r = w->err_r = w->rep_r = w->ctl_r = w->notify_fd = -1;
        w->feed.src = cfg->stdin_fd;
        w->feed.pipe_w = -1;
        w->area_fd = -1;
        w->acct.proc_fd = -1;
}

static int run(const struct sbx_policy *p, const struct sbx_config *cfg, struct sbx_cancel *cancel,
               struct sbx_result *res)
{
        struct sbx_runner rn;
        sbx_runner_init(&rn, p, cfg);
        struct sbx_watch *w = &rn.w;
        int r = sbx_runner_prepare(p, cfg, &rn, res);
        w->plan = rn.pl;
        if (r == 0 && sbx_runner_start(&rn, res) == 0) {
                sigset_t old;
                bool feeding = w->feed.pipe_w >= 0;
                bool pending = feeding && block_sigpipe(&old);
                sbx_watch_run(w, cancel, res);
                if (feeding)
                        restore_sigpipe(&old, pending);
                sbx_runner_finish(&rn, res);
        }
        sbx_runner_release(&rn);
        return r < 0 ? r : 0;
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
