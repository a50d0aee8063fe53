/* SPDX-License-Identifier: MIT */
/* Slots: one sandbox uid per concurrent run, host-wide, claimed with flock. */
#include "sandbox_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <grp.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Kill every process of uid, the way isolate cleans a box: a child switches to the uid and
 * sends SIGKILL to every process it may signal (kill(-1) spares only itself and init). When is
 * nothing left? kill(-1) cannot tell (it counts processes it may not signal too), so the child
 * asks the very counter that matters: with RLIMIT_NPROC at 2, its fork() succeeds only while it
 * is the uid's one process. Bounded: a process stuck in the kernel is not waited for forever.
 */
static void sweep_uid(uid_t uid)
{
        pid_t pid = fork();
        if (pid < 0)
                return;
        if (pid == 0) {
                struct rlimit two = {2, 2};
                if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 ||
                    setresuid(uid, uid, uid) < 0 || setrlimit(RLIMIT_NPROC, &two) < 0)
                        _exit(1);
                for (int i = 0; i < 2000; i++) {
                        pid_t probe = fork();
                        if (probe == 0)
                                _exit(0);
                        if (probe > 0) {
                                waitpid(probe, NULL, 0);
                                _exit(0);
                        }
                        kill(-1, SIGKILL);
                        struct timespec ts = {0, 1000000};
                        nanosleep(&ts, NULL);
                }
                _exit(2);
        }
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

int sbx_slot_acquire(const struct sbx_policy *p, unsigned first, unsigned count, unsigned *ret_slot,
                     int *ret_fd)
{
        char dir[64];
        if (geteuid() == 0)
                snprintf(dir, sizeof(dir), "/run/grader-sandbox");
        else
                snprintf(dir, sizeof(dir), "/tmp/grader-sandbox-%u", (unsigned)geteuid());
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        struct stat st;
        /* a directory someone else made (e.g. in /tmp) cannot be trusted with our locks */
        if (lstat(dir, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
                return -EPERM;
        for (unsigned s = first; s < first + count; s++) {
                char path[96];
                /* named after the uid when slots have uids: graders with different uid
                 * ranges do not block each other, graders sharing a range share the locks */
                if (p && p->layers.uid_per_slot)
                        snprintf(path, sizeof(path), "%s/uid-%u.lock", dir, p->uid_base + s);
                else
                        snprintf(path, sizeof(path), "%s/slot-%u.lock", dir, s);
                int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0)
                        return -errno;
                if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
                        if (p && p->layers.uid_per_slot)
                                sweep_uid((uid_t)(p->uid_base + s));
                        *ret_slot = s;
                        *ret_fd = fd;
                        return 0;
                }
                close(fd);
        }
        return -EBUSY;
}

void sbx_slot_release(int fd)
{
        if (fd >= 0)
                close(fd);
}
