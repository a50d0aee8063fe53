/* SPDX-License-Identifier: MIT */
/* The standard process_* metrics of this process, read from /proc (proc(5)). */
#include "metrics.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common.h"

/* /proc/self/stat is one line of a few hundred bytes; the command name is at most 16 bytes. */
#define STAT_MAX 1024

/* The boot time in seconds since the epoch (the "btime" line of /proc/stat). */
static int boot_time(double *ret)
{
        FILE *f = fopen("/proc/stat", "re");
        if (!f)
                return -errno;
        char line[256];
        int r = -ENOENT;
        while (fgets(line, sizeof(line), f)) {
                unsigned long long t;
                if (sscanf(line, "btime %llu", &t) == 1) {
                        *ret = (double)t;
                        r = 0;
                        break;
                }
        }
        fclose(f);
        return r;
}

static unsigned count_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return 0;
        unsigned n = 0;
        for (struct dirent *e; (e = readdir(d));)
                n += e->d_name[0] != '.';
        closedir(d);
        return n ? n - 1 : 0; /* not the descriptor opendir itself holds */
}

int grd_process_stats(struct grd_process_stats *ret)
{
        char *text;
        size_t len;
        int r = cmn_read_file("/proc/self/stat", STAT_MAX, &text, &len);
        if (r < 0)
                return r;
        /* the fields after the command name, which may hold spaces and parentheses */
        const char *p = strrchr(text, ')');
        unsigned long long utime, stime, start, vsize;
        long long rss;
        int n = p ? sscanf(p + 2,
                           "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d "
                           "%*d %*d %*d %llu %llu %lld",
                           &utime, &stime, &start, &vsize, &rss)
                  : 0;
        free(text);
        if (n != 5)
                return -EIO;
        double tick = (double)sysconf(_SC_CLK_TCK), boot = 0;
        long page = sysconf(_SC_PAGESIZE);
        if ((r = boot_time(&boot)) < 0)
                return r;
        struct rlimit rl;
        ret->cpu_seconds = (double)(utime + stime) / tick;
        ret->start_time = boot + (double)start / tick;
        ret->vsize_bytes = vsize;
        ret->rss_bytes = rss > 0 ? (uint64_t)rss * (uint64_t)page : 0;
        ret->open_fds = count_fds();
        ret->max_fds = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (uint64_t)rl.rlim_cur : 0;
        return 0;
}
