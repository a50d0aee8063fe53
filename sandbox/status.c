/* SPDX-License-Identifier: MIT */
/*
 * The status of a run, from what the sandbox itself saw (docs/sandbox.md, "How each status is
 * decided"). TLE, MLE, OLE and SV are only ever the sandbox's own findings: a signal says how
 * the program died, not why, and a program can raise SIGXCPU, SIGXFSZ or SIGSYS itself.
 */
#include "sandbox_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "common.h"

/* What the program child may still touch between reporting its peak and execve (a few pages
 * of stack; more under a sanitizer's shadow memory): a peak within it is the child's own. */
#define PRE_EXEC_SLACK (1u << 20)

void sbx_set_msg(struct sbx_result *r, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->message, sizeof(r->message), fmt, ap);
        va_end(ap);
}

static double seconds(const struct rusage *ru)
{
        return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
               (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
}

static void setup_failure(const struct sbx_watch *w, struct sbx_result *r)
{
        const struct sbx_record *s = &w->setup_rec;
        if (s->stage == SBX_STAGE_EXEC && s->err == ENOMEM) {
                r->status = SBX_STATUS_MLE;
                sbx_set_msg(r, "the program does not fit in memory");
        } else if (s->stage == SBX_STAGE_EXEC) {
                r->status = SBX_STATUS_IE;
                sbx_set_msg(r, "executing '%s' in the sandbox failed: %s%s", w->plan->exe,
                            strerror(s->err),
                            s->err == ENOENT ? " (an interpreter or library it needs "
                                               "is missing inside the sandbox)"
                                             : "");
        } else {
                r->status = SBX_STATUS_IE;
                sbx_set_msg(r, "sandbox setup failed while %s: %s", sbx_stage_name(s->stage),
                            strerror(s->err));
        }
}

static void disk_full(const struct sbx_watch *w, struct sbx_result *r)
{
        r->status = SBX_STATUS_OLE;
        if (w->full == 1 + SBX_FS_AREA)
                sbx_set_msg(r, "disk limit of %llu bytes exceeded: the work dir is full",
                            (unsigned long long)w->plan->area_bytes);
        else
                sbx_set_msg(r, "the private %s is full",
                            w->full == 1 + SBX_FS_TMP ? "/tmp" : "/dev/shm");
}

/* The run was ended by the sandbox: the cause is the status. Return: false for none. */
static bool killed(const struct sbx_watch *w, struct sbx_result *r)
{
        const struct sbx_limits *lim = &w->lim;
        switch (w->cause) {
        case SBX_KILL_WALL:
                r->status = SBX_STATUS_TLE;
                sbx_set_msg(r, "wall time limit of %.3g s exceeded", lim->wall_time);
                return true;
        case SBX_KILL_CPU:
                r->status = SBX_STATUS_TLE;
                sbx_set_msg(r, "CPU time limit of %.3g s exceeded", lim->cpu_time);
                return true;
        case SBX_KILL_MEMORY:
                r->status = SBX_STATUS_MLE;
                sbx_set_msg(r, "memory limit of %llu bytes exceeded",
                            (unsigned long long)lim->memory);
                return true;
        case SBX_KILL_OUTPUT:
                r->status = SBX_STATUS_OLE;
                sbx_set_msg(r, "output limit of %llu bytes exceeded",
                            (unsigned long long)lim->output);
                return true;
        case SBX_KILL_DISK:
                disk_full(w, r);
                return true;
        case SBX_KILL_SYSCALL:
                r->status = SBX_STATUS_SV;
                cmn_strlcpy(r->syscall, w->syscall, sizeof(r->syscall));
                sbx_set_msg(r, "forbidden system call '%s'", w->syscall);
                return true;
        case SBX_KILL_CANCEL:
                r->status = SBX_STATUS_IE;
                sbx_set_msg(r, "cancelled");
                return true;
        case SBX_KILL_NONE:
                break;
        }
        return false;
}

/* The program ended by itself: what it used decides, then how it ended. */
static void ended(const struct sbx_watch *w, uint64_t counted, struct sbx_result *r)
{
        const struct sbx_limits *lim = &w->lim;
        if (r->cpu_time > lim->cpu_time) {
                r->status = SBX_STATUS_TLE;
                sbx_set_msg(r, "CPU time limit of %.3g s exceeded", lim->cpu_time);
        } else if (lim->memory && counted > lim->memory) {
                r->status = SBX_STATUS_MLE;
                sbx_set_msg(r, "memory limit of %llu bytes exceeded",
                            (unsigned long long)lim->memory);
        } else if (r->signal == SIGXFSZ && w->exit_rec.file_at_cap) {
                r->status = SBX_STATUS_OLE;
                sbx_set_msg(r, "file size limit of %llu bytes exceeded",
                            (unsigned long long)lim->output);
        } else if (w->full) {
                disk_full(w, r);
        } else if (r->signal == SIGSYS && !w->policy->notify) {
                /* no listener: the filter itself kills a forbidden call (kernels before 5.0) */
                r->status = SBX_STATUS_SV;
                sbx_set_msg(r, "forbidden system call (killed by the filter)");
        } else if (r->signal == SIGXCPU || r->signal == SIGXFSZ || r->signal == SIGSYS) {
                r->status = SBX_STATUS_RE;
                sbx_set_msg(r,
                            "killed by signal %d (%s), which the sandbox did not send: no limit "
                            "was passed",
                            r->signal, strsignal(r->signal));
        } else if (r->signal) {
                r->status = SBX_STATUS_RE;
                sbx_set_msg(r, "killed by signal %d (%s)", r->signal, strsignal(r->signal));
        } else if (r->exit_code != 0) {
                r->status = SBX_STATUS_RE;
                sbx_set_msg(r, "exited with status %d", r->exit_code);
        } else {
                r->status = SBX_STATUS_OK;
                sbx_set_msg(r, "exited normally");
        }
}

void sbx_classify(const struct sbx_watch *w, struct sbx_result *r)
{
        r->cpu_time = w->acct.cpu;
        uint64_t counted = w->acct.rss_max; /* what decides MLE */
        r->memory = counted;
        if (w->have_exit) {
                const struct sbx_record *ex = &w->exit_rec;
                /* every process of the run, every one of them reaped: exact */
                r->cpu_time = seconds(&ex->all);
                /* the largest single process's peak: a spike between two samples. The kernel
                 * keeps the program child's peak from before its execve (the keeper's copy of
                 * the grader): below that, it says nothing about the program. */
                uint64_t peak = (uint64_t)ex->all.ru_maxrss * 1024u;
                if (peak > (uint64_t)w->pre_exec_peak * 1024u + PRE_EXEC_SLACK && peak > counted)
                        counted = peak;
                /* a run over before its first sample: report the peak, an upper bound */
                r->memory = counted ? counted : peak;
                if (WIFEXITED(ex->wstatus))
                        r->exit_code = WEXITSTATUS(ex->wstatus);
                else if (WIFSIGNALED(ex->wstatus))
                        r->signal = WTERMSIG(ex->wstatus);
        }
        if (w->have_setup) {
                setup_failure(w, r);
                return;
        }
        if (killed(w, r))
                return;
        if (!w->have_exit) {
                /* the keeper died without a report: only the program can have done that */
                r->status = SBX_STATUS_RE;
                sbx_set_msg(r, "the program killed the sandbox's keeper process");
                return;
        }
        ended(w, counted, r);
}
