/* SPDX-License-Identifier: MIT */
/*
 * cmn_rmtree(): remove a directory tree that a hostile program may have shaped.
 *
 * The tree may be deeper than any recursion or descriptor budget (a program can make 10,000
 * nested directories in a second), hold directories without read, search or write permission,
 * and entries that cannot be removed at all (a mount point, a file in a directory of another
 * owner). So the walk is iterative: one descriptor is open at a time, the path from the top is
 * a stack in memory holding each directory's identity and the names read from it, and each
 * name is tried exactly once. Going back up is an openat(".."), checked against the identity
 * recorded on the way down, so a directory moved elsewhere during the walk stops the removal
 * instead of steering it outside the tree. Nothing is ever followed through a symlink.
 */
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Entries visited before giving up: a tree that grows while it is removed could otherwise keep
 * the walk going for ever. Far above anything a bounded work dir can hold. */
#define RMTREE_MAX_ENTRIES (16u << 20)

/* One directory on the path from the top to the one being emptied. */
struct level {
        dev_t dev; /* its identity, checked when the walk comes back up through ".." */
        ino_t ino;
        char *names;   /* its entries, each NUL-terminated, read once when entered */
        size_t len;    /* bytes used in names */
        size_t pos;    /* the next name to try */
        size_t parent; /* offset of its own name in the parent's names */
};

static void keep_error(int *r, int e)
{
        if (*r == 0 && e != 0)
                *r = e;
}

/*
 * Give the directory name in dfd the owner's rwx bits it lacks, without following a symlink:
 * an O_PATH descriptor needs no permission on the directory itself, and chmod through its
 * /proc/self/fd link acts on exactly that inode.
 */
static void make_traversable(int dfd, const char *name)
{
        int fd = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return;
        struct stat st;
        char link[64];
        if (fstat(fd, &st) == 0 && (st.st_mode & 0700) != 0700) {
                snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
                (void)chmod(link, (st.st_mode & 07777) | 0700);
        }
        close(fd);
}

/* Open the directory name in dfd for reading, fixing its mode once when it is unreadable. */
static int open_dir(int dfd, const char *name)
{
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == EACCES) {
                make_traversable(dfd, name);
                fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        return fd < 0 ? -errno : fd;
}

/* Fill l from the open directory fd: its identity and every name in it but "." and "..". */
static int read_level(int fd, struct level *l)
{
        l->names = NULL;
        l->len = l->pos = 0;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        l->dev = st.st_dev;
        l->ino = st.st_ino;
        /* entries are removed through it: it needs write and search permission too */
        if ((st.st_mode & 0700) != 0700)
                (void)fchmod(fd, (st.st_mode & 07777) | 0700);
        int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
        DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
        if (!d) {
                int e = -errno;
                if (dup_fd >= 0)
                        close(dup_fd);
                return e;
        }
        size_t cap = 0;
        struct dirent *de;
        int r = 0;
        while ((de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                size_t n = strlen(de->d_name) + 1;
                if (l->len + n > cap) {
                        size_t ncap = cap ? 2 * cap : 256;
                        while (ncap < l->len + n)
                                ncap *= 2;
                        char *nb = realloc(l->names, ncap);
                        if (!nb) {
                                r = -ENOMEM;
                                break;
                        }
                        l->names = nb;
                        cap = ncap;
                }
                memcpy(l->names + l->len, de->d_name, n);
                l->len += n;
        }
        closedir(d);
        if (r < 0) {
                free(l->names);
                l->names = NULL;
        }
        return r;
}

/* Climb from cur to its parent, which must be the directory recorded in up. */
static int climb(int cur, const struct level *up)
{
        int fd = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0 || st.st_dev != up->dev || st.st_ino != up->ino) {
                close(fd);
                return -ESTALE; /* moved during the walk: do not follow it anywhere */
        }
        return fd;
}

struct walk {
        struct level *stack;
        size_t depth, cap;
        int cur; /* the directory at the top of the stack */
        int err; /* the first failure */
        unsigned long visited;
};

/* Enter the directory fd (a child of the current one, named at offset name_off). */
static int descend(struct walk *w, int fd, size_t name_off)
{
        if (w->depth == w->cap) {
                size_t ncap = w->cap ? 2 * w->cap : 64;
                struct level *ns = realloc(w->stack, ncap * sizeof(*ns));
                if (!ns)
                        return -ENOMEM;
                w->stack = ns;
                w->cap = ncap;
        }
        struct level *l = &w->stack[w->depth];
        int r = read_level(fd, l);
        if (r < 0)
                return r;
        l->parent = name_off;
        w->depth++;
        if (w->cur >= 0)
                close(w->cur);
        w->cur = fd;
        return 0;
}

/* The directory on top is done: go back to its parent and remove it there. */
static int ascend(struct walk *w)
{
        struct level *done = &w->stack[w->depth - 1];
        struct level *up = &w->stack[w->depth - 2];
        int fd = climb(w->cur, up);
        free(done->names);
        w->depth--;
        if (fd < 0)
                return fd;
        close(w->cur);
        w->cur = fd;
        if (unlinkat(fd, up->names + done->parent, AT_REMOVEDIR) < 0 && errno != ENOENT)
                keep_error(&w->err, -errno);
        return 0;
}

/* Try the next name of the directory on top: unlink it, or enter it when it is a directory. */
static int step(struct walk *w)
{
        struct level *l = &w->stack[w->depth - 1];
        size_t off = l->pos;
        const char *name = l->names + off;
        l->pos += strlen(name) + 1;
        if (++w->visited > RMTREE_MAX_ENTRIES)
                return -E2BIG;
        if (unlinkat(w->cur, name, 0) == 0 || errno == ENOENT)
                return 0;
        if (errno != EISDIR && errno != EPERM) {
                keep_error(&w->err, -errno);
                return 0;
        }
        /* EPERM is also what Linux answers for a directory */
        int fd = open_dir(w->cur, name);
        if (fd < 0) {
                keep_error(&w->err, fd == -ENOTDIR ? -EPERM : fd);
                return 0;
        }
        int r = descend(w, fd, off);
        if (r < 0) {
                close(fd);
                keep_error(&w->err, r);
        }
        return 0;
}

/* Remove everything inside the directory fd (which this function closes). */
static int rm_contents(int fd)
{
        struct walk w = {.cur = -1};
        int r = descend(&w, fd, 0);
        if (r < 0) {
                free(w.stack);
                close(fd);
                return r;
        }
        while (r == 0 && w.depth > 0) {
                struct level *l = &w.stack[w.depth - 1];
                if (l->pos < l->len)
                        r = step(&w);
                else if (w.depth > 1)
                        r = ascend(&w);
                else
                        break;
        }
        keep_error(&w.err, r);
        for (size_t i = 0; i < w.depth; i++)
                free(w.stack[i].names);
        free(w.stack);
        if (w.cur >= 0)
                close(w.cur);
        return w.err;
}

int cmn_rmtree_at(int dirfd, const char *name)
{
        int fd = open_dir(dirfd, name);
        if (fd < 0) {
                if (fd == -ENOENT)
                        return 0;
                if (fd == -ENOTDIR || fd == -ELOOP)
                        return unlinkat(dirfd, name, 0) < 0 ? -errno : 0;
                return fd;
        }
        int r = rm_contents(fd);
        if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                keep_error(&r, -errno);
        return r;
}

int cmn_rmtree(const char *path)
{
        return cmn_rmtree_at(AT_FDCWD, path);
}
