/* SPDX-License-Identifier: MIT */
/*
 * The content-addressed blob cache: verified blobs named by their sha256, stored through
 * fsync'ed temporary files, bounded in size by least-recently-used eviction.
 *
 * Theory of operation. Every writer (thread or process) writes into its own temporary file in
 * DIR/tmp, checks the hash, fsyncs, and only then gives the file its name in DIR/blobs with
 * link(2), which fails rather than replace a blob someone else stored first; a blob already there
 * is re-checked and replaced only when corrupt. Readers therefore see either no blob or a whole,
 * verified one. "Use" sets a blob's mtime (futimens), so the oldest mtime is the least recently
 * used. Packages (fetch.c) hold hard links to blobs: a blob with more than one link is in use by
 * a package and is never evicted; a package is evicted only when an exclusive, non-blocking
 * flock on its directory succeeds, which no live struct api_package allows (each holds a shared
 * one). One evictor runs at a time (DIR/.evict.lock).
 */
#include "api_internal.h"
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Leftovers in DIR/tmp older than this belong to a process that died mid-write. */
#define STALE_TMP_SECONDS (24L * 3600)

void api_hex(const unsigned char *d, size_t n, char *out)
{
        static const char digits[] = "0123456789abcdef";
        for (size_t i = 0; i < n; i++) {
                out[2 * i] = digits[d[i] >> 4];
                out[2 * i + 1] = digits[d[i] & 15];
        }
        out[2 * n] = '\0';
}

int api_sha256_fd(int fd, char hex[65], uint64_t *ret_size)
{
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        if (!md)
                return -ENOMEM;
        int r = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 ? 0 : -EIO;
        uint64_t off = 0;
        enum { CHUNK = 65536 };
        unsigned char *buf = malloc(CHUNK);
        if (!buf)
                r = -ENOMEM;
        while (r == 0) {
                ssize_t n = pread(fd, buf, CHUNK, (off_t)off);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                if (n == 0)
                        break;
                if (EVP_DigestUpdate(md, buf, (size_t)n) != 1)
                        r = -EIO;
                off += (uint64_t)n;
        }
        unsigned char d[EVP_MAX_MD_SIZE];
        unsigned dlen = 0;
        if (r == 0 && EVP_DigestFinal_ex(md, d, &dlen) != 1)
                r = -EIO;
        EVP_MD_CTX_free(md);
        free(buf);
        if (r == 0) {
                api_hex(d, dlen, hex);
                if (ret_size)
                        *ret_size = off;
        }
        return r;
}

int cache_blob_path(const struct api_cache *cache, const char *sha256, char *buf, size_t n)
{
        int k = snprintf(buf, n, "%s/blobs/%s", cache->dir, sha256);
        return k < 0 || (size_t)k >= n ? -ENAMETOOLONG : 0;
}

int cache_tmp_file(const struct api_cache *cache, int *ret_fd, char *ret_path, size_t n)
{
        int k = snprintf(ret_path, n, "%s/tmp/blob-XXXXXX", cache->dir);
        if (k < 0 || (size_t)k >= n)
                return -ENAMETOOLONG;
        int fd = mkostemp(ret_path, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        *ret_fd = fd;
        return 0;
}

void cache_touch(int fd)
{
        /* best effort: a read-only cache still works, it just forgets the order of use */
        (void)futimens(fd, NULL);
}

/* Remove what a dead process left in DIR/tmp. */
static void clean_stale(const char *tmpdir)
{
        DIR *d = opendir(tmpdir);
        if (!d)
                return;
        time_t now = time(NULL);
        struct dirent *de;
        while ((de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                struct stat st;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    now - st.st_mtime < STALE_TMP_SECONDS)
                        continue;
                char path[PATH_MAX];
                if (cmn_join(path, sizeof(path), tmpdir, de->d_name) == 0)
                        (void)cmn_rmtree(path);
        }
        closedir(d);
}

int api_cache_open(const char *dir, uint64_t max_bytes, struct api_cache **ret, char *err,
                   size_t errlen)
{
        int r = cmn_mkdir_p(dir, 0755);
        if (r < 0)
                return api_errf(err, errlen, r, "cache: cannot create '%s': %s", dir,
                                api_strerror(r));
        struct api_cache *c = calloc(1, sizeof(*c));
        if (!c)
                return api_errf(err, errlen, -ENOMEM, "cache: out of memory");
        char real[PATH_MAX];
        if (!realpath(dir, real)) {
                r = -errno;
                free(c);
                return api_errf(err, errlen, r, "cache: cannot resolve '%s': %s", dir,
                                api_strerror(r));
        }
        if (cmn_strlcpy(c->dir, real, sizeof(c->dir)) >= sizeof(c->dir)) {
                free(c);
                return api_errf(err, errlen, -ENAMETOOLONG, "cache: path '%s' is too long", dir);
        }
        c->max_bytes = max_bytes;
        static const char *const subdirs[] = {"blobs", "packages", "tmp"};
        for (size_t i = 0; i < CMN_ARRAY_SIZE(subdirs); i++) {
                char path[PATH_MAX];
                r = cmn_join(path, sizeof(path), c->dir, subdirs[i]);
                if (r == 0 && mkdir(path, 0755) < 0 && errno != EEXIST)
                        r = -errno;
                if (r < 0) {
                        free(c);
                        return api_errf(err, errlen, r, "cache: cannot create '%s/%s': %s", dir,
                                        subdirs[i], api_strerror(r));
                }
                if (i == 2)
                        clean_stale(path);
        }
        *ret = c;
        return 0;
}

void api_cache_free(struct api_cache *cache)
{
        free(cache);
}

/* Whether the file open as fd holds exactly the blob sha256. */
static int fd_matches(int fd, const char *sha256)
{
        char hex[65];
        int r = api_sha256_fd(fd, hex, NULL);
        if (r < 0)
                return r;
        return strcmp(hex, sha256) == 0;
}

/* Unlink path if it is still the file open as fd (so a good blob stored meanwhile stays). */
static void unlink_if_same(const char *path, int fd)
{
        struct stat a, b;
        if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
            a.st_ino == b.st_ino)
                (void)unlink(path);
}

int cache_commit(const struct api_cache *cache, const char *tmp, const char *sha256)
{
        char blob[PATH_MAX];
        int r = cache_blob_path(cache, sha256, blob, sizeof(blob));
        if (r < 0)
                return r;
        if (link(tmp, blob) == 0)
                return 0;
        if (errno != EEXIST)
                return -errno;
        /* Someone stored it first: keep theirs unless it went bad. */
        int fd = open(blob, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
                int ok = fd_matches(fd, sha256);
                if (ok > 0)
                        cache_touch(fd);
                close(fd);
                if (ok > 0)
                        return 0;
        }
        return rename(tmp, blob) < 0 ? -errno : 0;
}

int cache_seal(int fd)
{
        /* read-only: packages share these inodes through hard links */
        if (fchmod(fd, 0444) < 0 || fsync(fd) < 0)
                return -errno;
        return 0;
}

int api_cache_put(struct api_cache *cache, const char *sha256, const void *data, size_t len,
                  char *err, size_t errlen)
{
        if (!api_valid_sha256(sha256))
                return api_errf(err, errlen, -EINVAL, "cache: '%.70s' is not a sha256", sha256);
        unsigned char d[SHA256_DIGEST_LENGTH];
        char hex[65];
        SHA256(data, len, d);
        api_hex(d, sizeof(d), hex);
        if (strcmp(hex, sha256) != 0)
                return api_errf(err, errlen, API_E_INTEGRITY, "cache: data hashes to %s, not %s",
                                hex, sha256);
        if (cache->max_bytes && len > cache->max_bytes)
                return api_errf(err, errlen, API_E_TOO_BIG,
                                "cache: a blob of %zu bytes is over the cache size", len);
        char tmp[PATH_MAX];
        int fd = -1;
        int r = cache_tmp_file(cache, &fd, tmp, sizeof(tmp));
        if (r < 0)
                return api_errf(err, errlen, r, "cache: cannot create a temporary file: %s",
                                api_strerror(r));
        r = cmn_write_all(fd, data, len);
        if (r == 0)
                r = cache_seal(fd);
        close(fd);
        if (r == 0)
                r = cache_commit(cache, tmp, sha256);
        (void)unlink(tmp);
        if (r < 0)
                return api_errf(err, errlen, r, "cache: cannot store blob %s: %s", sha256,
                                api_strerror(r));
        return cache_evict(cache, sha256, err, errlen);
}

int api_cache_get(struct api_cache *cache, const char *sha256, int *ret_fd, char *err,
                  size_t errlen)
{
        if (!api_valid_sha256(sha256))
                return api_errf(err, errlen, -EINVAL, "cache: '%.70s' is not a sha256", sha256);
        char path[PATH_MAX];
        int r = cache_blob_path(cache, sha256, path, sizeof(path));
        if (r < 0)
                return api_errf(err, errlen, r, "cache: path too long");
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT)
                        return 0;
                r = -errno;
                return api_errf(err, errlen, r, "cache: cannot open '%s': %s", path,
                                api_strerror(r));
        }
        r = fd_matches(fd, sha256);
        if (r <= 0) {
                if (r == 0)
                        unlink_if_same(path, fd); /* corrupt: it must never be used */
                close(fd);
                if (r < 0)
                        return api_errf(err, errlen, r, "cache: cannot read '%s': %s", path,
                                        api_strerror(r));
                return 0;
        }
        cache_touch(fd);
        *ret_fd = fd;
        return 1;
}

/* One blob or package as eviction sees it. */
struct item {
        char *name; /* a blob's sha256, or a package's path */
        uint64_t size;
        struct timespec mtime;
        nlink_t nlink;
};

struct items {
        struct item *v;
        size_t n, alloc;
};

static struct item *items_add(struct items *it, const char *name)
{
        if (it->n == it->alloc) {
                size_t a = it->alloc ? it->alloc * 2 : 64;
                struct item *v = realloc(it->v, a * sizeof(*v));
                if (!v)
                        return NULL;
                it->v = v;
                it->alloc = a;
        }
        struct item *e = &it->v[it->n];
        memset(e, 0, sizeof(*e));
        if (!(e->name = strdup(name)))
                return NULL;
        it->n++;
        return e;
}

static void items_clear(struct items *it)
{
        for (size_t i = 0; i < it->n; i++)
                free(it->v[i].name);
        it->n = 0;
}

static void items_release(struct items *it)
{
        items_clear(it);
        free(it->v);
        it->v = NULL;
        it->alloc = 0;
}

static int older_first(const void *a, const void *b)
{
        const struct item *x = a, *y = b;
        if (x->mtime.tv_sec != y->mtime.tv_sec)
                return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
        if (x->mtime.tv_nsec != y->mtime.tv_nsec)
                return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
        return strcmp(x->name, y->name);
}

/* List DIR/blobs: names, sizes, last use, links; *ret_total = their bytes. */
static int scan_blobs(const struct api_cache *cache, struct items *it, uint64_t *ret_total)
{
        char path[PATH_MAX];
        int r = cmn_join(path, sizeof(path), cache->dir, "blobs");
        if (r < 0)
                return r;
        DIR *d = opendir(path);
        if (!d)
                return -errno;
        items_clear(it);
        uint64_t total = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                struct stat st;
                if (!api_valid_sha256(de->d_name) ||
                    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    !S_ISREG(st.st_mode))
                        continue;
                struct item *e = items_add(it, de->d_name);
                if (!e) {
                        closedir(d);
                        return -ENOMEM;
                }
                e->size = (uint64_t)st.st_size;
                e->mtime = st.st_mtim;
                e->nlink = st.st_nlink;
                total += e->size;
        }
        closedir(d);
        *ret_total = total;
        return 0;
}

/* List DIR/packages/<problem>/<revision> directories with their last use. */
static int scan_packages(const struct api_cache *cache, struct items *it)
{
        char root[PATH_MAX];
        int r = cmn_join(root, sizeof(root), cache->dir, "packages");
        if (r < 0)
                return r;
        DIR *d = opendir(root);
        if (!d)
                return -errno;
        items_clear(it);
        struct dirent *de;
        r = 0;
        while (r == 0 && (de = readdir(d))) {
                if (!api_valid_id(de->d_name))
                        continue;
                char prob[PATH_MAX];
                if (cmn_join(prob, sizeof(prob), root, de->d_name) < 0)
                        continue;
                DIR *p = opendir(prob);
                if (!p)
                        continue;
                struct dirent *pe;
                while ((pe = readdir(p))) {
                        struct stat st;
                        if (!api_valid_id(pe->d_name) ||
                            fstatat(dirfd(p), pe->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                            !S_ISDIR(st.st_mode))
                                continue;
                        char path[PATH_MAX];
                        if (cmn_join(path, sizeof(path), prob, pe->d_name) < 0)
                                continue;
                        struct item *e = items_add(it, path);
                        if (!e) {
                                r = -ENOMEM;
                                break;
                        }
                        e->mtime = st.st_mtim;
                }
                closedir(p);
        }
        closedir(d);
        return r;
}

/* Unlink unlinked-elsewhere blobs, oldest first, until total fits. */
static void evict_blobs(const struct api_cache *cache, struct items *blobs, uint64_t *total,
                        const char *keep)
{
        if (blobs->n > 1)
                qsort(blobs->v, blobs->n, sizeof(*blobs->v), older_first);
        for (size_t i = 0; i<blobs->n && * total> cache->max_bytes; i++) {
                struct item *e = &blobs->v[i];
                if (e->nlink > 1 || (keep && !strcmp(e->name, keep)))
                        continue; /* a package links it, or the caller needs it */
                char path[PATH_MAX];
                struct stat st;
                if (cache_blob_path(cache, e->name, path, sizeof(path)) < 0)
                        continue;
                /* look again: a fetcher may have linked it since the scan */
                if (stat(path, &st) == 0 && st.st_nlink > 1)
                        continue;
                if (unlink(path) == 0 || errno == ENOENT)
                        *total -= e->size;
        }
}

/* Evict the package at path unless someone holds it. Return: whether it went. */
static bool evict_package(const struct api_cache *cache, const char *path)
{
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return false;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                close(fd); /* in use */
                return false;
        }
        /* Move it out of sight while we hold the lock, then remove it at leisure. A fetcher
         * that locked it after us sees that the path no longer leads to it and rebuilds. */
        char grave[PATH_MAX];
        bool gone = false;
        int k = snprintf(grave, sizeof(grave), "%s/tmp/evict-XXXXXX", cache->dir);
        if (k > 0 && (size_t)k < sizeof(grave) && mkdtemp(grave)) {
                if (rename(path, grave) == 0)
                        gone = true;
                close(fd);
                (void)cmn_rmtree(grave);
        } else {
                close(fd);
        }
        return gone;
}

int cache_evict(const struct api_cache *cache, const char *keep, char *err, size_t errlen)
{
        if (!cache->max_bytes)
                return 0;
        char lockpath[PATH_MAX];
        int r = cmn_join(lockpath, sizeof(lockpath), cache->dir, ".evict.lock");
        if (r < 0)
                return api_errf(err, errlen, r, "cache: path too long");
        int lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (lock < 0) {
                r = -errno;
                return api_errf(err, errlen, r, "cache: cannot open '%s': %s", lockpath,
                                api_strerror(r));
        }
        if (flock(lock, LOCK_EX | LOCK_NB) < 0) {
                close(lock);
                return 0; /* another evictor is at work */
        }
        struct items blobs = {0}, pkgs = {0};
        uint64_t total = 0;
        r = scan_blobs(cache, &blobs, &total);
        if (r == 0 && total > cache->max_bytes)
                evict_blobs(cache, &blobs, &total, keep);
        if (r == 0 && total > cache->max_bytes) {
                r = scan_packages(cache, &pkgs);
                if (r == 0 && pkgs.n > 1)
                        qsort(pkgs.v, pkgs.n, sizeof(*pkgs.v), older_first);
                for (size_t i = 0; r == 0 && i < pkgs.n && total > cache->max_bytes; i++) {
                        if (!evict_package(cache, pkgs.v[i].name))
                                continue;
                        /* its blobs may now be unlinked elsewhere */
                        r = scan_blobs(cache, &blobs, &total);
                        if (r == 0)
                                evict_blobs(cache, &blobs, &total, keep);
                }
        }
        items_release(&blobs);
        items_release(&pkgs);
        close(lock);
        if (r < 0)
                return api_errf(err, errlen, r, "cache: eviction failed: %s", api_strerror(r));
        return 0;
}

int api_cache_evict(struct api_cache *cache, char *err, size_t errlen)
{
        return cache_evict(cache, NULL, err, errlen);
}

int api_cache_usage(struct api_cache *cache, uint64_t *ret_bytes, unsigned long *ret_blobs,
                    char *err, size_t errlen)
{
        struct items blobs = {0};
        uint64_t total = 0;
        int r = scan_blobs(cache, &blobs, &total);
        if (r == 0) {
                if (ret_bytes)
                        *ret_bytes = total;
                if (ret_blobs)
                        *ret_blobs = (unsigned long)blobs.n;
        }
        items_release(&blobs);
        if (r < 0)
                return api_errf(err, errlen, r, "cache: cannot list blobs: %s", api_strerror(r));
        return 0;
}
