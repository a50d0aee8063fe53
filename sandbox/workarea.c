/* SPDX-License-Identifier: MIT */
/*
 * The work area's trees: copying the caller's work dir into a run's private file system and
 * the program's results back out, and looking at what a run left there.
 *
 * The keeper copies inputs in between clone() and execve(), so everything here but the
 * `replace` path is async-signal-safe: raw getdents64, no allocation, no stdio, buffers on the
 * stack. The parent copies results out after every process of the run is gone, so the tree it
 * reads no longer changes under it; it still never follows a symlink, copies regular files and
 * directories only, and clears set-id bits, so nothing a program leaves can reach outside the
 * caller's directory or gain a privilege there.
 */
#include "sandbox_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common.h"

#define DENTS_BUF 2048 /* per directory level, on the stack: SBX_COPY_MAX_DEPTH of them */
#define COPY_BUF  8192 /* read/write fallback where sendfile cannot copy */

/* The kernel's getdents64 record (glibc's struct dirent64 has the same layout). */
struct dent64 {
        uint64_t d_ino;
        int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
};

typedef int (*entry_fn)(void *ctx, int dir, const char *name, unsigned depth);

/* Call fn for every entry of dir but "." and "..". Return: 0, or the first negative result. */
static int each_entry(int dir, unsigned depth, entry_fn fn, void *ctx)
{
        char buf[DENTS_BUF] __attribute__((aligned(8)));
        for (;;) {
                long n = syscall(SYS_getdents64, dir, buf, sizeof(buf));
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return 0;
                for (long off = 0; off < n;) {
                        const struct dent64 *de = (const void *)(buf + off);
                        off += de->d_reclen;
                        const char *name = de->d_name;
                        if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
                                continue;
                        int r = fn(ctx, dir, name, depth);
                        if (r < 0)
                                return r;
                }
        }
}

static int open_sub(int dir, const char *name, int flags)
{
        return openat(dir, name, flags | O_NOFOLLOW | O_CLOEXEC);
}

/* The parent's remedy for an entry the program made unreadable: it owns it, or is root. */
static int open_fixing_mode(const struct sbx_copy *c, int dir, const char *name, int flags,
                            mode_t need)
{
        int fd = open_sub(dir, name, flags);
        if (fd < 0 && errno == EACCES && c->replace) {
                struct stat st;
                if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(st.st_mode) &&
                    fchmodat(dir, name, (st.st_mode & 0777) | need, 0) == 0)
                        fd = open_sub(dir, name, flags);
        }
        return fd;
}

static int copy_bytes(int in, int out, uint64_t size, struct sbx_copy *c)
{
        uint64_t done = 0;
        while (done < size) {
                size_t want = size - done > (1u << 30) ? (1u << 30) : (size_t)(size - done);
                ssize_t n = sendfile(out, in, NULL, want);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EINVAL || errno == ENOSYS))
                        break; /* not for this pair of file systems: read and write */
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return 0; /* shorter than it was: it is what it is now */
                done += (uint64_t)n;
                c->bytes += (uint64_t)n;
        }
        char buf[COPY_BUF];
        for (;;) {
                ssize_t n = read(in, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : 0;
                for (ssize_t off = 0; off < n;) {
                        ssize_t k = write(out, buf + off, (size_t)(n - off));
                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k < 0)
                                return -errno;
                        off += k;
                }
                c->bytes += (uint64_t)n;
        }
}

/* Make room for name in dst: in replace mode whatever is there goes (it is the caller's
 * previous content, which the program replaced or removed). */
static int clear_dst(struct sbx_copy *c, int dst, const char *name, bool keep_dir)
{
        if (!c->replace)
                return 0;
        struct stat st;
        if (fstatat(dst, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (S_ISDIR(st.st_mode))
                return keep_dir ? 0 : cmn_rmtree_at(dst, name);
        return unlinkat(dst, name, 0) < 0 && errno != ENOENT ? -errno : 0;
}

static int copy_file(struct sbx_copy *c, int src, int dst, const char *name, const struct stat *st)
{
        int r = clear_dst(c, dst, name, false);
        if (r < 0)
                return r;
        int in = open_fixing_mode(c, src, name, O_RDONLY | O_NONBLOCK, 0600);
        if (in < 0)
                return -errno;
        mode_t mode = (st->st_mode & 0777) | 0600; /* never a set-id bit; the owner may use it */
        int out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (out < 0) {
                r = -errno;
                close(in);
                return r;
        }
        r = copy_bytes(in, out, (uint64_t)st->st_size, c);
        if (r == 0 && fchmod(out, mode) < 0)
                r = -errno;
        close(in);
        if (close(out) < 0 && r == 0)
                r = -errno;
        c->files++;
        return r;
}

/* Is the overlay upper directory fd opaque (it replaced a directory of the lower layer)? */
static bool opaque(const struct sbx_copy *c, int fd)
{
        char v[2];
        return c->overlay && c->opaque_xattr && fgetxattr(fd, c->opaque_xattr, v, sizeof(v)) == 1 &&
               v[0] == 'y';
}

static int copy_dir(struct sbx_copy *c, int src, int dst, const char *name, const struct stat *st,
                    unsigned depth)
{
        if (depth + 1 >= SBX_COPY_MAX_DEPTH)
                return 0; /* deeper than any real layout: left out */
        int in = open_fixing_mode(c, src, name, O_RDONLY | O_DIRECTORY, 0700);
        if (in < 0)
                return -errno;
        int r = clear_dst(c, dst, name, !opaque(c, in));
        if (r == 0 && mkdirat(dst, name, 0700) < 0 && errno != EEXIST)
                r = -errno;
        int out = r == 0 ? open_sub(dst, name, O_RDONLY | O_DIRECTORY) : -1;
        if (r == 0 && out < 0)
                r = -errno;
        if (r == 0)
                r = sbx_copy_tree(c, in, out, depth + 1);
        if (r == 0 && fchmod(out, (st->st_mode & 0777) | 0700) < 0)
                r = -errno;
        if (out >= 0)
                close(out);
        close(in);
        c->files++;
        return r;
}

struct copy_level {
        struct sbx_copy *c;
        int dst; /* the destination of the directory being listed */
};

static int copy_entry(void *ctx, int src, const char *name, unsigned depth)
{
        const struct copy_level *l = ctx;
        struct stat st;
        if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (S_ISREG(st.st_mode))
                return copy_file(l->c, src, l->dst, name, &st);
        if (S_ISDIR(st.st_mode))
                return copy_dir(l->c, src, l->dst, name, &st, depth);
        /* a whiteout, or a symlink, fifo, socket or device: nothing is copied, and nothing of
         * the caller's stays in its place */
        return clear_dst(l->c, l->dst, name, false);
}

/* Mirror: a regular file or directory of the caller's that the copy no longer has was
 * removed by the program. (Other kinds were never copied in; a directory at the depth cap was
 * not either.) Here the listing is of the destination, the lookup in the source. */
static int prune_entry(void *ctx, int dst, const char *name, unsigned depth)
{
        const struct copy_level *l = ctx; /* l->dst is the source here */
        struct stat st, in_src;
        if (fstatat(l->dst, name, &in_src, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT ||
            fstatat(dst, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return 0;
        if (S_ISREG(st.st_mode))
                return unlinkat(dst, name, 0) < 0 && errno != ENOENT ? -errno : 0;
        if (S_ISDIR(st.st_mode) && depth + 1 < SBX_COPY_MAX_DEPTH)
                return cmn_rmtree_at(dst, name);
        return 0;
}

int sbx_copy_tree(struct sbx_copy *c, int src, int dst, unsigned depth)
{
        if (depth >= SBX_COPY_MAX_DEPTH)
                return 0;
        struct copy_level l = {.c = c, .dst = dst};
        int r = each_entry(src, depth, copy_entry, &l);
        if (r == 0 && c->mirror) {
                /* a fresh descriptor: the listing must start at the beginning */
                int d = openat(dst, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (d < 0)
                        return -errno;
                struct copy_level back = {.c = c, .dst = src};
                r = each_entry(d, depth, prune_entry, &back);
                close(d);
        }
        return r;
}

struct size_scan {
        uint64_t size;
        bool found;
};

static int scan_entry(void *ctx, int dir, const char *name, unsigned depth)
{
        struct size_scan *s = ctx;
        struct stat st;
        if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return 0;
        if (S_ISREG(st.st_mode) && (uint64_t)st.st_size >= s->size) {
                s->found = true;
                return -1; /* stop: one is enough */
        }
        if (!S_ISDIR(st.st_mode) || depth + 1 >= SBX_COPY_MAX_DEPTH)
                return 0;
        int fd = open_sub(dir, name, O_RDONLY | O_DIRECTORY);
        if (fd < 0)
                return 0;
        int r = each_entry(fd, depth + 1, scan_entry, s);
        close(fd);
        return s->found ? r : 0;
}

bool sbx_tree_has_file_of(int dir, uint64_t size, unsigned depth)
{
        struct size_scan s = {.size = size};
        (void)each_entry(dir, depth, scan_entry, &s);
        return s.found;
}

bool sbx_fs_full(int fd)
{
        struct statfs st;
        return fd >= 0 && fstatfs(fd, &st) == 0 && (st.f_bfree == 0 || st.f_ffree == 0);
}
