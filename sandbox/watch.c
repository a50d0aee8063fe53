/* SPDX-License-Identifier: MIT */
/*
 * The parent's watch over one run, from clone() until the run is over.
 *
 * Theory of operation. One poll() loop, never blocking on anything the program controls:
 *  - stdout and stderr: pipes, copied to the caller's descriptors up to the output cap (OLE is
 *    decided the moment the cap is passed);
 *  - stdin: a pipe whose write end is non-blocking, fed from the caller's descriptor (read
 *    with pread when it is a file, so its offset never moves; polled when it is a pipe or a
 *    terminal), so the program never holds a descriptor of the caller's file. A program that
 *    never reads leaves the pipe full and the loop goes on; one that exits closes it;
 *  - the keeper's report pipe: a setup failure, or the program's end and the whole run's
 *    rusage;
 *  - the control socket: one message from the program child right before execve(), with its
 *    seccomp listener (whose notifications are forbidden calls: SV) and the keeper's work
 *    area and /proc;
 *  - every WATCH_TICK_MS, the CPU time and memory of every process of the run (account.c) and
 *    whether the work area filled up.
 * The first cause to end the run (wall time, CPU, memory, output, disk, a forbidden call,
 * cancellation) is kept, and the keeper is killed with SIGKILL: as pid 1 of the run's pid
 * namespace its death takes every other process of the run with it.
 *
 * Everything lives in struct sbx_watch, nothing in globals: a second run watched by the same
 * loop (two programs joined by pipes) needs a second struct, not a second loop.
 */
#include "sandbox_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

#define WATCH_TICK_MS 10         /* how often CPU, memory and disk are sampled */
#define FEED_BUF      (64 << 10) /* stdin is fed in pieces of at most this (a pipe's size) */
#define REPORT_GRACE  2.0        /* seconds to wait for the pipes once the keeper is gone */

void sbx_watch_kill(struct sbx_watch *w, enum sbx_kill cause)
{
        if (w->cause == SBX_KILL_NONE) {
                w->cause = cause;
                w->killed_at = cmn_monotonic();
                sbx_account_sample(
                        &w->acct); /* the CPU time and memory at the moment of the kill */
        }
        kill(w->keeper, SIGKILL);
        /* without a pid namespace the program lives in the keeper's process group */
        kill(-w->keeper, SIGKILL);
}

/* Copy what the program wrote to one stream, up to the cap; past it the run is OLE. */
static bool drain(int fd, int sink, uint64_t cap, uint64_t *total, struct sbx_watch *w)
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
                /* a failing sink is the caller's business: the pipe is drained either way */
                (void)cmn_write_all(sink, buf, keep);
        }
        if (cap && *total > cap)
                sbx_watch_kill(w, SBX_KILL_OUTPUT);
        return true;
}

static void feed_close(struct sbx_feed *f)
{
        if (f->pipe_w >= 0)
                close(f->pipe_w);
        f->pipe_w = -1;
}

/* A file is read where the caller left its offset, with pread: nothing of the caller moves. */
static void feed_refill(struct sbx_feed *f)
{
        if (f->pipe_w < 0 || f->pos < f->len || f->eof || !f->seekable)
                return;
        ssize_t n = pread(f->src, f->buf, FEED_BUF, f->off);
        if (n < 0 && errno == EINTR)
                return;
        if (n <= 0) {
                f->eof = true; /* an unreadable input ends like an empty one */
                feed_close(f);
                return;
        }
        f->off += n;
        f->pos = 0;
        f->len = (size_t)n;
}

/* A pipe or a terminal: read what poll() says is there. */
static void feed_read(struct sbx_feed *f)
{
        ssize_t n = read(f->src, f->buf, FEED_BUF);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (n <= 0) {
                f->eof = true;
                feed_close(f);
                return;
        }
        f->pos = 0;
        f->len = (size_t)n;
}

static void feed_write(struct sbx_feed *f)
{
        ssize_t n = write(f->pipe_w, f->buf + f->pos, f->len - f->pos);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (n < 0) {
                /* EPIPE: the program closed its stdin or ended; the SIGPIPE is blocked */
                feed_close(f);
                return;
        }
        f->pos += (size_t)n;
        if (f->pos == f->len && f->eof)
                feed_close(f);
}

static void on_notification(struct sbx_watch *w)
{
        struct seccomp_notif *req = calloc(1, w->policy->notif_size);
        if (!req)
                return;
        if (ioctl(w->notify_fd, SECCOMP_IOCTL_NOTIF_RECV, req) == 0 && w->cause == SBX_KILL_NONE) {
                sbx_seccomp_describe(req->data.nr, req->data.arch, w->syscall, sizeof(w->syscall));
                sbx_watch_kill(w, SBX_KILL_SYSCALL);
        }
        free(req);
}

/* The program child's one message: its listener, then the keeper's descriptors. */
static void on_control(struct sbx_watch *w)
{
        struct sbx_ctl ctl;
        int fds[SBX_FDS_MAX];
        int n = sbx_recv_fds(w->ctl_r, &ctl, fds, SBX_FDS_MAX);
        if (n == -2)
                return;
        if (n < 0) {
                close(w->ctl_r); /* both children closed it */
                w->ctl_r = -1;
                return;
        }
        char kind = ctl.kind;
        int listener = w->policy->notify ? 1 : 0;
        int theirs = kind == SBX_CTL_AREA || kind == SBX_CTL_AREA_COPY ? 2
                     : kind == SBX_CTL_VIEW                            ? 1
                                                                       : 0;
        if (n != listener + theirs || w->ready) {
                for (int i = 0; i < n; i++)
                        close(fds[i]);
                return;
        }
        w->ready = true;
        w->acct.program = ctl.pid;
        w->pre_exec_peak = ctl.pre_exec_peak;
        int k = 0;
        if (listener)
                w->notify_fd = fds[k++];
        if (!theirs)
                return;
        if (theirs == 2)
                w->area_fd = fds[k++];
        w->acct.proc_fd = fds[k];
        w->area_copied = kind == SBX_CTL_AREA_COPY;
}

static void on_report(struct sbx_watch *w)
{
        ssize_t m = read(w->rep_r, w->rep_buf + w->rep_fill, sizeof(w->rep_buf) - w->rep_fill);
        if (m == 0 || (m < 0 && errno != EINTR)) {
                w->rep_open = false;
                return;
        }
        if (m < 0)
                return;
        w->rep_fill += (size_t)m;
        if (w->rep_fill < sizeof(w->rep_buf))
                return;
        struct sbx_record rec;
        memcpy(&rec, w->rep_buf, sizeof(rec));
        w->rep_fill = 0;
        if (rec.kind == SBX_REC_EXIT && !w->have_exit) {
                w->exit_rec = rec;
                w->have_exit = true;
                feed_close(&w->feed); /* nobody reads it any more */
        } else if (rec.kind == SBX_REC_SETUP_ERROR && !w->have_setup) {
                w->setup_rec = rec;
                w->have_setup = true;
        }
}

/* Every tick: the run's CPU time, memory and file systems against the limits. */
static void check_limits(struct sbx_watch *w, double now)
{
        /* nothing of the run's before the program's execve: the keeper is the sandbox's */
        if (!w->ready || w->have_exit || w->cause != SBX_KILL_NONE ||
            now - w->last_sample < WATCH_TICK_MS / 1e3)
                return;
        w->last_sample = now;
        sbx_account_sample(&w->acct);
        if (w->acct.cpu > w->lim.cpu_time) {
                sbx_watch_kill(w, SBX_KILL_CPU);
                return;
        }
        if (w->lim.memory && w->acct.rss_max > w->lim.memory) {
                sbx_watch_kill(w, SBX_KILL_MEMORY);
                return;
        }
        if (sbx_fs_full(w->area_fd)) {
                w->full = 1 + SBX_FS_AREA;
                sbx_watch_kill(w, SBX_KILL_DISK);
        }
}

enum { P_OUT, P_ERR, P_REP, P_CTL, P_NOTIFY, P_FEED, P_SRC, P_COUNT };

/* One poll() over what is open; returns the number of entries, idx[] maps P_* to them. */
static nfds_t poll_set(const struct sbx_watch *w, struct pollfd *pfd, int *idx)
{
        nfds_t n = 0;
        for (int i = 0; i < P_COUNT; i++)
                idx[i] = -1;
        const struct sbx_feed *f = &w->feed;
        bool pending = f->pipe_w >= 0 && f->pos < f->len;
        struct {
                int fd;
                short events;
                bool on;
        } want[P_COUNT] = {
                [P_OUT] = {w->out_r, POLLIN, w->out_open},
                [P_ERR] = {w->err_r, POLLIN, w->err_open},
                [P_REP] = {w->rep_r, POLLIN, w->rep_open},
                [P_CTL] = {w->ctl_r, POLLIN, w->ctl_r >= 0},
                [P_NOTIFY] = {w->notify_fd, POLLIN, w->notify_fd >= 0},
                [P_FEED] = {f->pipe_w, POLLOUT, pending},
                [P_SRC] = {f->src, POLLIN, f->pipe_w >= 0 && !pending && !f->eof && !f->seekable},
        };
        for (int i = 0; i < P_COUNT; i++) {
                if (!want[i].on)
                        continue;
                idx[i] = (int)n;
                pfd[n++] = (struct pollfd){.fd = want[i].fd, .events = want[i].events};
        }
        return n;
}

static bool ready(const struct pollfd *pfd, const int *idx, int i)
{
        return idx[i] >= 0 && pfd[idx[i]].revents;
}

static void handle_events(struct sbx_watch *w, const struct pollfd *pfd, const int *idx,
                          struct sbx_result *res)
{
        if (ready(pfd, idx, P_OUT))
                w->out_open = drain(w->out_r, w->stdout_fd, w->lim.output, &res->stdout_bytes, w);
        if (ready(pfd, idx, P_ERR))
                w->err_open = drain(w->err_r, w->stderr_fd, w->lim.output, &res->stderr_bytes, w);
        if (ready(pfd, idx, P_REP))
                on_report(w);
        if (ready(pfd, idx, P_CTL))
                on_control(w);
        if (ready(pfd, idx, P_NOTIFY)) {
                if (pfd[idx[P_NOTIFY]].revents & (POLLHUP | POLLERR)) {
                        close(w->notify_fd);
                        w->notify_fd = -1;
                } else {
                        on_notification(w);
                }
        }
        if (ready(pfd, idx, P_FEED))
                feed_write(&w->feed);
        if (ready(pfd, idx, P_SRC))
                feed_read(&w->feed);
}

static void watch_begin(struct sbx_watch *w)
{
        struct sbx_feed *f = &w->feed;
        if (f->pipe_w >= 0) {
                struct stat st;
                f->seekable = fstat(f->src, &st) == 0 && S_ISREG(st.st_mode);
                off_t off = f->seekable ? lseek(f->src, 0, SEEK_CUR) : 0;
                f->off = off > 0 ? off : 0;
                f->buf = malloc(FEED_BUF);
                if (!f->buf)
                        feed_close(f);
        }
        w->last_sample = w->start;
}

static bool watch_open(const struct sbx_watch *w)
{
        return w->rep_open || w->out_open || w->err_open;
}

/* The limits that do not need an event: wall time, cancellation, a keeper that is gone.
 * Return: false when the watch is over (its pipes stayed open past the grace). */
static bool watch_tick(struct sbx_watch *w, struct sbx_cancel *cancel, double now,
                       double *eof_deadline)
{
        if (now - w->start > w->lim.wall_time && w->cause == SBX_KILL_NONE)
                sbx_watch_kill(w, SBX_KILL_WALL);
        if (cancel && __atomic_load_n(&cancel->cancelled, __ATOMIC_SEQ_CST))
                sbx_watch_kill(w, SBX_KILL_CANCEL);
        if (!w->rep_open) {
                /* the keeper is gone: the pipes close as its namespace dies */
                if (*eof_deadline == 0)
                        *eof_deadline = now + REPORT_GRACE;
                else if (now > *eof_deadline)
                        return false;
        }
        feed_refill(&w->feed);
        return true;
}

static void watch_end(struct sbx_watch *w)
{
        feed_close(&w->feed);
        if (w->cause != SBX_KILL_NONE || !w->have_exit)
                sbx_watch_kill(w, w->cause);
}

/* Runs at most in one loop: a pair. */
#define WATCH_MAX 2

void sbx_watch_runs(struct sbx_watch *const *ws, struct sbx_result *const *res, size_t n,
                    struct sbx_cancel *cancel)
{
        double eof_deadline[WATCH_MAX] = {0};
        bool live[WATCH_MAX] = {false};
        size_t n_live = 0;
        for (size_t i = 0; i < n && i < WATCH_MAX; i++) {
                watch_begin(ws[i]);
                live[i] = true;
                n_live++;
        }
        while (n_live) {
                double now = cmn_monotonic();
                int timeout = WATCH_TICK_MS;
                struct pollfd pfd[WATCH_MAX * P_COUNT];
                int idx[WATCH_MAX][P_COUNT];
                nfds_t used = 0;
                for (size_t i = 0; i < n && i < WATCH_MAX; i++) {
                        struct sbx_watch *w = ws[i];
                        if (live[i] &&
                            (!watch_open(w) || !watch_tick(w, cancel, now, &eof_deadline[i]))) {
                                live[i] = false;
                                n_live--;
                                watch_end(w);
                        }
                        if (!live[i])
                                continue;
                        nfds_t k = poll_set(w, pfd + used, idx[i]);
                        for (int e = 0; e < P_COUNT; e++)
                                idx[i][e] += idx[i][e] >= 0 ? (int)used : 0;
                        used += k;
                        double left = w->lim.wall_time - (now - w->start);
                        if (left * 1000 < timeout)
                                timeout = left > 0 ? (int)(left * 1000) + 1 : 1;
                }
                if (!n_live)
                        break;
                if (poll(pfd, used, timeout) < 0 && errno != EINTR) {
                        for (size_t i = 0; i < n && i < WATCH_MAX; i++)
                                sbx_watch_kill(ws[i], SBX_KILL_CANCEL);
                        continue;
                }
                for (size_t i = 0; i < n && i < WATCH_MAX; i++) {
                        if (!live[i])
                                continue;
                        handle_events(ws[i], pfd, idx[i], res[i]);
                        check_limits(ws[i], cmn_monotonic());
                }
        }
}

void sbx_watch_run(struct sbx_watch *w, struct sbx_cancel *cancel, struct sbx_result *res)
{
        sbx_watch_runs(&w, &res, 1, cancel);
}

void sbx_watch_release(struct sbx_watch *w)
{
        int *fds[] = {&w->out_r, &w->err_r, &w->rep_r, &w->ctl_r, &w->notify_fd, &w->area_fd};
        for (size_t i = 0; i < CMN_ARRAY_SIZE(fds); i++) {
                if (*fds[i] >= 0)
                        close(*fds[i]);
                *fds[i] = -1;
        }
        feed_close(&w->feed);
        free(w->feed.buf);
        w->feed.buf = NULL;
        sbx_account_release(&w->acct);
}
