/* SPDX-License-Identifier: MIT */
/* The result spool: one fsync'd file per job, <dir>/<job_id>.json. */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

#define SPOOL_MAX_FILE (64u << 20)

/* Job ids are checked by the API client ([A-Za-z0-9._-]); check again: they become names. */
static int path_of(const char *dir, const char *sub, const char *job_id, char *buf, size_t n)
{
        if (!job_id[0] || !strcmp(job_id, ".") || !strcmp(job_id, "..") ||
            strspn(job_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
                    strlen(job_id))
                return -EINVAL;
        int k = snprintf(buf, n, "%s/%s%s%s.json", dir, sub, *sub ? "/" : "", job_id);
        return k < 0 || (size_t)k >= n ? -ENAMETOOLONG : 0;
}

int grd_spool_open(const char *dir, char *err, size_t errlen)
{
        char rej[PATH_MAX];
        int r = cmn_mkdir_p(dir, 0700);
        if (r == 0 && cmn_join(rej, sizeof(rej), dir, "rejected") == 0)
                r = cmn_mkdir_p(rej, 0700);
        if (r == 0 && access(dir, W_OK) < 0)
                r = -errno;
        if (r < 0)
                snprintf(err, errlen, "spool_dir '%s': %s", dir, strerror(-r));
        return r;
}

int grd_spool_put(const char *dir, const char *job_id, const char *json, size_t len)
{
        char path[PATH_MAX];
        int r = path_of(dir, "", job_id, path, sizeof(path));
        return r < 0 ? r : cmn_write_file_atomic(path, json, len, 0600);
}

int grd_spool_get(const char *dir, const char *job_id, char **ret_json, size_t *ret_len)
{
        char path[PATH_MAX];
        int r = path_of(dir, "", job_id, path, sizeof(path));
        return r < 0 ? r : cmn_read_file(path, SPOOL_MAX_FILE, ret_json, ret_len);
}

int grd_spool_remove(const char *dir, const char *job_id)
{
        char path[PATH_MAX];
        int r = path_of(dir, "", job_id, path, sizeof(path));
        if (r < 0)
                return r;
        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

int grd_spool_reject(const char *dir, const char *job_id)
{
        char from[PATH_MAX], to[PATH_MAX];
        int r = path_of(dir, "", job_id, from, sizeof(from));
        if (r == 0)
                r = path_of(dir, "rejected", job_id, to, sizeof(to));
        if (r == 0 && rename(from, to) < 0)
                r = -errno;
        return r;
}

struct entry {
        char *id;
        time_t mtime;
};

static int by_age(const void *a, const void *b)
{
        const struct entry *x = a, *y = b;
        return x->mtime < y->mtime ? -1 : x->mtime > y->mtime;
}

int grd_spool_list(const char *dir, char ***ret, size_t max)
{
        DIR *d = opendir(dir);
        if (!d)
                return -errno;
        struct entry *e = calloc(max ? max : 1, sizeof(*e));
        size_t n = 0;
        struct dirent *de;
        while (e && n < max && (de = readdir(d))) {
                size_t l = strlen(de->d_name);
                if (l <= 5 || strcmp(de->d_name + l - 5, ".json") != 0 || de->d_name[0] == '.')
                        continue;
                struct stat st;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    !S_ISREG(st.st_mode))
                        continue;
                e[n].id = strndup(de->d_name, l - 5);
                e[n].mtime = st.st_mtime;
                n++;
        }
        closedir(d);
        if (!e)
                return -ENOMEM;
        qsort(e, n, sizeof(*e), by_age);
        char **ids = calloc(n ? n : 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
                ids[i] = e[i].id;
        free(e);
        *ret = ids;
        return (int)n;
}

void grd_spool_list_free(char **ids, size_t n)
{
        for (size_t i = 0; ids && i < n; i++)
                free(ids[i]);
        free(ids);
}
