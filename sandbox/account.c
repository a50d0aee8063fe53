/* SPDX-License-Identifier: MIT */
/*
 * What a whole run uses, sampled while it runs: CPU time and resident memory of every process
 * in it, not only of the program the sandbox started.
 *
 * With namespaces the run's members are exactly the processes of its pid namespace, listed by
 * its own /proc (the keeper hands the parent a descriptor of it). Without, they are the
 * keeper's descendants (the keeper is their subreaper, so orphans stay in its tree), found
 * through /proc/PID/task/TID/children. Per process, /proc/PID/stat gives user and system time
 * (every thread's, live or gone), the time of the children it reaped, and its resident size;
 * the keeper's own line gives the time of the orphans it reaped.
 *
 * Reading the processes one after another is not atomic: a child reaped between two reads is
 * missed once (its time moves into a parent already read), never counted twice, since parents
 * are read before their children (lower pids first, the keeper first). The parent keeps the
 * largest sample; when the run ends normally the keeper's final rusage, taken once every
 * process of the run is reaped, replaces the CPU figure with the exact one.
 *
 * Memory is the sum of the processes' resident sets: threads share one line, so they count
 * once; pages two processes share (after fork, before either writes) count for each.
 */
#include "sandbox_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define STAT_FIELDS   22 /* fields 3 to 24 of /proc/PID/stat: up to rss */
#define DENTS_BUF     4096
#define PF_FORKNOEXEC 0x00000040 /* the kernel's task flag: forked, has not exec'd since */

struct usage {
        double cpu;   /* seconds */
        uint64_t rss; /* bytes */
};

/* Parse one line of /proc/PID/stat of pid into u. own: count the process's own time and
 * memory (false for the keeper, whose reaped children are all that is the run's). */
static bool parse_stat(char *buf, pid_t pid, bool own, const struct sbx_account *a, struct usage *u)
{
        /* the command name may hold spaces and parentheses: fields start after the last ')' */
        char *p = strrchr(buf, ')');
        if (!p)
                return false;
        unsigned long long f[STAT_FIELDS] = {0};
        int k = 0;
        for (p++; *p && k < STAT_FIELDS; k++) {
                while (*p == ' ')
                        p++;
                f[k] = strtoull(p, &p, 10);
                while (*p && *p != ' ')
                        p++;
        }
        if (k < STAT_FIELDS)
                return false;
        /* field n is f[n - 3]: flags 9, utime 14, stime 15, cutime 16, cstime 17, rss 24 */
        unsigned long long ticks = f[13] + f[14];
        if (own)
                ticks += f[11] + f[12];
        u->cpu += (double)ticks / (double)a->ticks_per_sec;
        /* the program child before its execve is the keeper's copy of the grader */
        bool before_exec = pid == a->program && (f[6] & PF_FORKNOEXEC);
        if (own && !before_exec)
                u->rss += (uint64_t)f[21] * (uint64_t)a->page;
        return true;
}

/* The cache entry of pid's stat file, opened on first use (pread needs no reopening), or NULL
 * when the cache is full; *fd is the descriptor either way (-1 when pid is gone). */
static struct sbx_stat_fd *stat_fd(struct sbx_account *a, int dirfd, pid_t pid, const char *path,
                                   int *fd)
{
        for (size_t i = 0; i < a->n_cache; i++) {
                if (a->cache[i].pid == pid) {
                        *fd = a->cache[i].fd;
                        return &a->cache[i];
                }
        }
        *fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
        if (*fd < 0 || a->n_cache == SBX_ACCOUNT_CACHE)
                return NULL;
        a->cache[a->n_cache] = (struct sbx_stat_fd){.pid = pid, .fd = *fd};
        return &a->cache[a->n_cache++];
}

/* Read pid's stat (path relative to dirfd) into u. Return: false when it is gone. */
static bool read_stat(struct sbx_account *a, int dirfd, pid_t pid, const char *path, bool own,
                      struct usage *u)
{
        int fd;
        struct sbx_stat_fd *e = stat_fd(a, dirfd, pid, path, &fd);
        if (fd < 0)
                return false;
        char buf[1024];
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        if (!e)
                close(fd);
        if (n <= 0)
                return false; /* gone (ESRCH): its entry is dropped after this sample */
        if (e)
                e->seen = true;
        buf[n] = '\0';
        return parse_stat(buf, pid, own, a, u);
}

/* Drop the descriptors of processes this sample did not read: they are gone. */
static void prune_cache(struct sbx_account *a)
{
        size_t k = 0;
        for (size_t i = 0; i < a->n_cache; i++) {
                if (a->cache[i].seen) {
                        a->cache[i].seen = false;
                        a->cache[k++] = a->cache[i];
                } else {
                        close(a->cache[i].fd);
                }
        }
        a->n_cache = k;
}

/* The run's pid namespace: every numeric entry of its /proc, pid 1 being the keeper. */
static void sample_namespace(struct sbx_account *a, struct usage *u)
{
        char buf[DENTS_BUF] __attribute__((aligned(8)));
        if (lseek(a->proc_fd, 0, SEEK_SET) < 0)
                return;
        for (;;) {
                long n = syscall(SYS_getdents64, a->proc_fd, buf, sizeof(buf));
                if (n <= 0)
                        break;
                for (long off = 0; off < n;) {
                        const struct dirent64 *de = (const void *)(buf + off);
                        off += de->d_reclen;
                        if (de->d_name[0] < '1' || de->d_name[0] > '9')
                                continue;
                        char path[32];
                        if ((size_t)snprintf(path, sizeof(path), "%s/stat", de->d_name) >=
                            sizeof(path))
                                continue;
                        pid_t pid = (pid_t)strtol(de->d_name, NULL, 10);
                        read_stat(a, a->proc_fd, pid, path, pid != 1, u);
                }
        }
}

static void push(struct sbx_account *a, size_t *n, pid_t pid)
{
        if (*n == a->queue_cap) {
                size_t cap = a->queue_cap ? 2 * a->queue_cap : 64;
                pid_t *q = realloc(a->queue, cap * sizeof(*q));
                if (!q)
                        return;
                a->queue = q;
                a->queue_cap = cap;
        }
        a->queue[(*n)++] = pid;
}

/* Append the children of every thread of pid to the queue. */
static void children_of(struct sbx_account *a, size_t *n, pid_t pid)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
        DIR *d = opendir(path);
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] < '1' || de->d_name[0] > '9')
                        continue;
                char cpath[320], buf[4096];
                snprintf(cpath, sizeof(cpath), "/proc/%d/task/%s/children", (int)pid, de->d_name);
                if (sbx_read_small(cpath, buf, sizeof(buf)) < 0)
                        continue;
                for (char *p = buf; *p;) {
                        char *end;
                        long v = strtol(p, &end, 10);
                        if (end == p)
                                break;
                        if (v > 0)
                                push(a, n, (pid_t)v);
                        p = end;
                }
        }
        closedir(d);
}

/* No pid namespace: the keeper and its descendants, breadth first (parents before children). */
static void sample_tree(struct sbx_account *a, struct usage *u)
{
        size_t n = 0;
        push(a, &n, a->keeper);
        for (size_t i = 0; i < n; i++) {
                pid_t pid = a->queue[i];
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
                if (read_stat(a, AT_FDCWD, pid, path, pid != a->keeper, u))
                        children_of(a, &n, pid);
        }
}

ssize_t sbx_read_small(const char *path, char *buf, size_t n)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        ssize_t k = read(fd, buf, n - 1);
        close(fd);
        if (k <= 0)
                return -1;
        buf[k] = '\0';
        return k;
}

void sbx_account_init(struct sbx_account *a, pid_t keeper)
{
        memset(a, 0, sizeof(*a));
        a->proc_fd = -1;
        a->keeper = keeper;
        a->ticks_per_sec = sysconf(_SC_CLK_TCK);
        a->page = sysconf(_SC_PAGESIZE);
}

void sbx_account_sample(struct sbx_account *a)
{
        struct usage u = {0};
        if (a->proc_fd >= 0)
                sample_namespace(a, &u);
        else if (a->keeper > 0)
                sample_tree(a, &u);
        prune_cache(a);
        if (u.cpu > a->cpu)
                a->cpu = u.cpu;
        if (u.rss > a->rss_max)
                a->rss_max = u.rss;
}

void sbx_account_release(struct sbx_account *a)
{
        for (size_t i = 0; i < a->n_cache; i++)
                close(a->cache[i].fd);
        a->n_cache = 0;
        free(a->queue);
        a->queue = NULL;
        if (a->proc_fd >= 0)
                close(a->proc_fd);
        a->proc_fd = -1;
}
