/* SPDX-License-Identifier: MIT */
/*
 * sbx_run_pair(): two runs joined by pipes, watched by one loop under one wall limit.
 *
 * Theory of operation.
 *  - Two pipes: "up" (the program's stdout -> the interactor's stdin) and "down" (the
 *    interactor's stdout -> the program's stdin). Each run is prepared as sbx_run() prepares
 *    one (run.c), except that its stdin and stdout are these pipe ends instead of the
 *    sandbox's own feed and capture; stderr is still captured per side.
 *  - The program's keeper is cloned first, then the interactor's; each keeper closes every
 *    descriptor but its own (child.c), so neither side holds the other's ends, and the parent
 *    drops the write ends once both keepers run. An end of file therefore means the writer
 *    has ended, on either side.
 *  - The parent keeps the read end of both pipes until the pair is over: a side writing to a
 *    partner that has ended never gets SIGPIPE (which would make its verdict depend on a
 *    race); it blocks once the pipe is full and the wall limit ends it. The grader itself
 *    never writes to either pipe, so it never sees EPIPE either.
 *  - One poll loop (watch.c) over both runs; each run keeps its own CPU, memory, output and
 *    disk limits and is killed alone when it passes one; the shared wall limit kills both.
 *  - The keeper stamps the moment it reaped its program (CLOCK_MONOTONIC): which side ended
 *    first is what the grading rules of interactive problems need.
 */
#include "sandbox_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

enum { SIDE_PROGRAM, SIDE_INTERACTOR, SIDES };

static bool valid(const struct sbx_config *c)
{
        size_t n = 0, e = 0;
        if (!c->argv || !c->argv[0] || !c->argv[0][0] || c->limits.cpu_time <= 0)
                return false;
        while (c->argv[n])
                n++;
        while (c->env && c->env[e])
                e++;
        return n <= SBX_MAX_ARGS && e <= SBX_MAX_ENV;
}

static double stamp(const struct sbx_record *r)
{
        return (double)r->ended.tv_sec + (double)r->ended.tv_nsec / 1e9;
}

/* When a side ended: the keeper's stamp when it ended by itself, the moment of the kill when
 * the sandbox stopped it at one of its own limits, never (HUGE_VAL) when the pair's wall limit
 * or a cancellation did. */
static double ended_at(const struct sbx_watch *w)
{
        if (w->cause == SBX_KILL_NONE)
                return w->have_exit ? stamp(&w->exit_rec) : HUGE_VAL;
        if (w->cause == SBX_KILL_WALL || w->cause == SBX_KILL_CANCEL)
                return HUGE_VAL;
        return w->killed_at;
}

static bool interactor_first(const struct sbx_watch *prog, const struct sbx_watch *inter)
{
        double i = ended_at(inter);
        return i != HUGE_VAL && i < ended_at(prog);
}

/* A side that cannot start takes the other one down with it. */
static void fail_side(struct sbx_result *res, const struct sbx_result *other, const char *who)
{
        res->status = SBX_STATUS_IE;
        sbx_set_msg(res, "not run: the %s could not be set up (%.160s)", who, other->message);
}

static int start_pair(const struct sbx_policy *p, const struct sbx_pair *pair,
                      struct sbx_runner *rn, struct sbx_result *const *res, int *keep)
{
        const struct sbx_config *cfg[SIDES] = {&pair->program, &pair->interactor};
        int up[2], down[2];
        if (pipe2(up, O_CLOEXEC) < 0)
                return -errno;
        if (pipe2(down, O_CLOEXEC) < 0) {
                int e = -errno;
                close(up[0]);
                close(up[1]);
                return e;
        }
        /* the runners own the ends they take; the parent keeps dup'ed read ends */
        keep[0] = fcntl(up[0], F_DUPFD_CLOEXEC, 3);
        keep[1] = fcntl(down[0], F_DUPFD_CLOEXEC, 3);
        rn[SIDE_PROGRAM].pair_in = down[0];
        rn[SIDE_PROGRAM].pair_out = up[1];
        rn[SIDE_INTERACTOR].pair_in = up[0];
        rn[SIDE_INTERACTOR].pair_out = down[1];
        int failed = -1;
        for (int i = 0; i < SIDES && failed < 0; i++) {
                int r = sbx_runner_prepare(p, cfg[i], &rn[i], res[i]);
                rn[i].w.plan = rn[i].pl;
                if (r < 0)
                        return r;
                if (r > 0)
                        failed = i;
        }
        for (int i = 0; i < SIDES && failed < 0; i++) {
                if (sbx_runner_start(&rn[i], res[i]) != 0)
                        failed = i;
        }
        if (failed >= 0) {
                fail_side(res[!failed], res[failed], failed ? "interactor" : "program");
                return 1;
        }
        return 0;
}

int sbx_run_pair(const struct sbx_policy *p, const struct sbx_pair *pair, struct sbx_cancel *c,
                 struct sbx_pair_result *ret)
{
        if (!p || !pair || !ret || !valid(&pair->program) || !valid(&pair->interactor) ||
            pair->program.slot == pair->interactor.slot)
                return -EINVAL;
        memset(ret, 0, sizeof(*ret));
        ret->program.exit_code = ret->interactor.exit_code = -1;
        struct sbx_result *res[SIDES] = {&ret->program, &ret->interactor};
        struct sbx_runner rn[SIDES];
        sbx_runner_init(&rn[SIDE_PROGRAM], p, &pair->program);
        sbx_runner_init(&rn[SIDE_INTERACTOR], p, &pair->interactor);
        /* one wall limit for the pair: the program's */
        rn[SIDE_INTERACTOR].w.lim.wall_time = rn[SIDE_PROGRAM].w.lim.wall_time;
        int keep[2] = {-1, -1};
        int r = start_pair(p, pair, rn, res, keep);
        if (r == 0) {
                /* both clocks start with the second keeper: the pair's wall limit is one */
                rn[SIDE_PROGRAM].w.start = rn[SIDE_INTERACTOR].w.start;
                struct sbx_watch *ws[SIDES] = {&rn[SIDE_PROGRAM].w, &rn[SIDE_INTERACTOR].w};
                sbx_watch_runs(ws, res, SIDES, c);
                for (int i = 0; i < SIDES; i++)
                        sbx_runner_finish(&rn[i], res[i]);
                ret->interactor_first = interactor_first(ws[SIDE_PROGRAM], ws[SIDE_INTERACTOR]);
        } else {
                /* a keeper already started is killed and reaped by finish */
                for (int i = 0; i < SIDES; i++) {
                        if (rn[i].w.keeper > 0) {
                                struct sbx_result scratch = *res[i];
                                sbx_watch_kill(&rn[i].w, SBX_KILL_CANCEL);
                                sbx_runner_finish(&rn[i], &scratch);
                        }
                }
        }
        for (int i = 0; i < 2; i++) {
                if (keep[i] >= 0)
                        close(keep[i]);
        }
        for (int i = 0; i < SIDES; i++)
                sbx_runner_release(&rn[i]);
        return r < 0 ? r : 0;
}
