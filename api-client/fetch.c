/* SPDX-License-Identifier: MIT */
/*
 * Problem packages: fetch a manifest, take each blob from the cache or download and verify it,
 * and materialise the package once per (problem, revision) as a tree of hard links.
 *
 * Theory of operation. A package lives at DIR/packages/<problem>/<revision>. A fetch first tries
 * to open and hold it (a shared flock on the directory, then a check that the path still leads
 * to the directory held, since an evictor may have moved it away meanwhile). When it is missing,
 * the tree is built in a fresh DIR/tmp/pkg-XXXXXX: each file is a hard link to its blob, whose
 * bytes are checked again as they are linked (a bad one is dropped and downloaded anew); a blob
 * that is not cached is downloaded into a temporary file (hashed on the way, the size capped by
 * the manifest), linked into the package first (so eviction cannot take it) and then named in
 * DIR/blobs. Directories are fsync'ed and the tree renamed into place in one step: when another
 * worker or process renamed its own first, ours is removed and theirs used. Then the package is
 * opened and held as above, and the cache evicts what no longer fits.
 */
#include "api_internal.h"
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Rounds of "open, else build" before giving up (each lost only to an eviction race). */
#define FETCH_ROUNDS 3
/* Rounds of "link the cached blob, else download it" for one file. */
#define PLACE_ROUNDS 3

struct api_package {
        char *dir;
        int fd; /* the directory, holding a shared flock that keeps evictors away */
};

const char *api_package_dir(const struct api_package *pkg)
{
        return pkg->dir;
}

void api_package_free(struct api_package *pkg)
{
        if (!pkg)
                return;
        if (pkg->fd >= 0)
                close(pkg->fd); /* drops the flock */
        free(pkg->dir);
        free(pkg);
}

/* Open and hold the package at path. Return: 1 and *ret; 0 when absent; -errno. */
static int package_open(const char *path, struct api_package **ret)
{
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        while (flock(fd, LOCK_SH) < 0) {
                if (errno != EINTR) {
                        int r = -errno;
                        close(fd);
                        return r;
                }
        }
        struct stat held, named;
        if (fstat(fd, &held) < 0 || stat(path, &named) < 0 || held.st_dev != named.st_dev ||
            held.st_ino != named.st_ino) {
                close(fd); /* evicted between our open and our lock */
                return 0;
        }
        cache_touch(fd);
        struct api_package *pkg = calloc(1, sizeof(*pkg));
        if (!pkg || !(pkg->dir = strdup(path))) {
                free(pkg);
                close(fd);
                return -ENOMEM;
        }
        pkg->fd = fd;
        *ret = pkg;
        return 1;
}

/* Streams a blob into a temporary file, hashing it and refusing more than the manifest says. */
struct file_sink {
        struct api_sink base;
        int fd;
        EVP_MD_CTX *md;
        uint64_t written, expected;
};

static int file_reset(struct api_sink *s)
{
        struct file_sink *f = (struct file_sink *)s;
        f->written = 0;
        if (ftruncate(f->fd, 0) < 0) {
                snprintf(s->msg, sizeof(s->msg), "cannot truncate a temporary file");
                return -errno;
        }
        if (EVP_DigestInit_ex(f->md, EVP_sha256(), NULL) != 1) {
                snprintf(s->msg, sizeof(s->msg), "cannot start sha256");
                return -EIO;
        }
        return 0;
}

static int file_write(struct api_sink *s, const char *p, size_t n)
{
        struct file_sink *f = (struct file_sink *)s;
        if (n > f->expected - f->written) {
                snprintf(s->msg, sizeof(s->msg), "blob is larger than the manifest's %llu bytes",
                         (unsigned long long)f->expected);
                return API_E_INTEGRITY;
        }
        if (EVP_DigestUpdate(f->md, p, n) != 1) {
                snprintf(s->msg, sizeof(s->msg), "sha256 failed");
                return -EIO;
        }
        while (n) {
                ssize_t k = pwrite(f->fd, p, n, (off_t)f->written);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        int r = -errno;
                        snprintf(s->msg, sizeof(s->msg), "cannot write a temporary file: %s",
                                 api_strerror(r));
                        return r;
                }
                p += k;
                n -= (size_t)k;
                f->written += (uint64_t)k;
        }
        return 0;
}

/* Download, verify and seal blob f into a new temporary file; *ret_fd stays open. */
static int download_blob(struct api_client *c, struct api_cache *cache,
                         const struct api_manifest_file *f, char *tmp, size_t tmplen, int *ret_fd,
                         char *err, size_t errlen)
{
        char what[64 + API_PATH_MAX];
        snprintf(what, sizeof(what), "blob '%s'", f->path);
        char *url = NULL;
        int r = api_resolve_url(c, f->url, &url, err, errlen);
        if (r < 0)
                return r;
        int fd = -1;
        r = cache_tmp_file(cache, &fd, tmp, tmplen);
        if (r < 0) {
                free(url);
                return api_errf(err, errlen, r, "%s: cannot create a temporary file: %s", what,
                                api_strerror(r));
        }
        struct file_sink s = {
                .base = {.reset = file_reset, .write = file_write},
                .fd = fd,
                .md = EVP_MD_CTX_new(),
                .expected = f->size,
        };
        long secs = c->timeout_ms / 1000;
        struct api_request rq = {
                .method = API_GET,
                .call = API_CALL_BLOB,
                .what = what,
                .url = url,
                .timeout_ms = 0, /* big blobs take long: the low-speed limit bounds them */
                .low_speed_time_s = secs > 0 ? secs : 1,
                .sink = &s.base,
        };
        long status = 0;
        if (!s.md)
                r = api_errf(err, errlen, -ENOMEM, "%s: out of memory", what);
        else
                r = api_perform(c, &rq, &status, err, errlen);
        if (r == 0 && status != 200)
                r = api_errf(err, errlen, API_E_HTTP, "%s: unexpected http status %ld: %s", what,
                             status, api_diag(c));
        if (r == 0 && s.written != f->size)
                r = api_errf(err, errlen, API_E_INTEGRITY,
                             "%s: got %llu bytes, the manifest says %llu", what,
                             (unsigned long long)s.written, (unsigned long long)f->size);
        if (r == 0) {
                unsigned char d[EVP_MAX_MD_SIZE];
                unsigned dlen = 0;
                char hex[65] = "";
                if (EVP_DigestFinal_ex(s.md, d, &dlen) != 1 || dlen != 32)
                        r = api_errf(err, errlen, -EIO, "%s: sha256 failed", what);
                else
                        api_hex(d, dlen, hex);
                if (r == 0 && strcmp(hex, f->sha256) != 0)
                        r = api_errf(err, errlen, API_E_INTEGRITY,
                                     "%s: content hashes to %s, the manifest says %s", what, hex,
                                     f->sha256);
        }
        if (r == 0 && (r = cache_seal(fd)) < 0)
                api_errfill(err, errlen, "%s: cannot sync: %s", what, api_strerror(r));
        EVP_MD_CTX_free(s.md);
        free(url);
        if (r < 0) {
                close(fd);
                unlink(tmp); /* a blob that does not match is never kept */
                return r;
        }
        api_stat_add(c, blobs_downloaded, 1);
        api_stat_add(c, bytes_downloaded, f->size);
        *ret_fd = fd;
        return 0;
}

/* Explain a failed link into the package. */
static int link_error(int e, const struct api_manifest_file *f, char *err, size_t errlen)
{
        if (e == EEXIST || e == ENOTDIR || e == EISDIR)
                return api_errf(err, errlen, API_E_PROTOCOL,
                                "manifest: path '%s' repeats or conflicts with another", f->path);
        return api_errf(err, errlen, -e, "package: cannot link '%s': %s", f->path,
                        api_strerror(-e));
}

/* Create the directories leading to root/path. */
static int make_parents(const char *root, const char *path, const struct api_manifest_file *f,
                        char *err, size_t errlen)
{
        char dir[PATH_MAX];
        if (cmn_join(dir, sizeof(dir), root, path) < 0)
                return api_errf(err, errlen, -ENAMETOOLONG, "package: path '%s' is too long", path);
        size_t skip = strlen(root) + 1;
        for (char *p = dir + skip; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                        return link_error(errno, f, err, errlen);
                *p = '/';
        }
        return 0;
}

/* Put file f into the package being built at root. */
static int place_blob(struct api_client *c, struct api_cache *cache, const char *root,
                      const struct api_manifest_file *f, char *err, size_t errlen)
{
        char dst[PATH_MAX], blob[PATH_MAX];
        if (cmn_join(dst, sizeof(dst), root, f->path) < 0 ||
            cache_blob_path(cache, f->sha256, blob, sizeof(blob)) < 0)
                return api_errf(err, errlen, -ENAMETOOLONG, "package: path '%s' is too long",
                                f->path);
        int r = make_parents(root, f->path, f, err, errlen);
        if (r < 0)
                return r;
        for (int round = 0; round < PLACE_ROUNDS; round++) {
                if (link(blob, dst) == 0) {
                        /* ours now (the link keeps it from eviction): check it before use */
                        int fd = open(dst, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                        if (fd < 0)
                                return link_error(errno, f, err, errlen);
                        char hex[65];
                        uint64_t size = 0;
                        r = api_sha256_fd(fd, hex, &size);
                        if (r == 0 && size == f->size && !strcmp(hex, f->sha256)) {
                                cache_touch(fd);
                                close(fd);
                                api_stat_add(c, blobs_reused, 1);
                                return 0;
                        }
                        /* corrupt on disk: drop it everywhere and download it again */
                        unlink(dst);
                        struct stat a, b;
                        if (fstat(fd, &a) == 0 && stat(blob, &b) == 0 && a.st_ino == b.st_ino &&
                            a.st_dev == b.st_dev)
                                unlink(blob);
                        close(fd);
                        if (r < 0)
                                return api_errf(err, errlen, r, "package: cannot read '%s': %s",
                                                blob, api_strerror(r));
                        continue;
                }
                if (errno == EMLINK) {
                        /* too many links to one inode: give this package its own copy */
                } else if (errno != ENOENT) {
                        return link_error(errno, f, err, errlen);
                } else if (access(dst, F_OK) == 0) {
                        return link_error(EEXIST, f, err, errlen);
                }
                char tmp[PATH_MAX];
                int fd = -1;
                r = download_blob(c, cache, f, tmp, sizeof(tmp), &fd, err, errlen);
                if (r < 0)
                        return r;
                /* into the package first: from now on eviction cannot take it */
                if (link(tmp, dst) < 0)
                        r = link_error(errno, f, err, errlen);
                else if ((r = cache_commit(cache, tmp, f->sha256)) < 0)
                        api_errfill(err, errlen, "cache: cannot store blob %s: %s", f->sha256,
                                    api_strerror(r));
                close(fd);
                unlink(tmp);
                return r;
        }
        return api_errf(err, errlen, -EAGAIN, "package: blob %s keeps going bad or away",
                        f->sha256);
}

/* fsync every directory of the tree at dfd (closed here), so the links survive a crash. */
static int fsync_tree(int dfd, int depth)
{
        if (depth > API_PATH_MAX / 2) {
                close(dfd);
                return -ELOOP;
        }
        int r = fsync(dfd) < 0 ? -errno : 0;
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return r ? r : -errno;
        }
        struct dirent *de;
        while (r == 0 && (de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                struct stat st;
                /* some filesystems leave d_type unknown: ask them */
                if (de->d_type != DT_DIR &&
                    (de->d_type != DT_UNKNOWN ||
                     fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                     !S_ISDIR(st.st_mode)))
                        continue;
                int sub = openat(dirfd(d), de->d_name,
                                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                r = sub < 0 ? -errno : fsync_tree(sub, depth + 1);
        }
        closedir(d);
        return r;
}

static int fsync_path(const char *path)
{
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = fsync(fd) < 0 ? -errno : 0;
        close(fd);
        return r;
}

static int get_manifest(struct api_client *c, const char *files_url, struct api_manifest **ret,
                        char *err, size_t errlen)
{
        char *url = NULL;
        int r = api_resolve_url(c, files_url, &url, err, errlen);
        if (r < 0)
                return r;
        struct mem_sink m;
        mem_sink_init(&m, c->max_body);
        struct api_request rq = {
                .method = API_GET,
                .call = API_CALL_MANIFEST,
                .what = "manifest",
                .url = url,
                .timeout_ms = c->timeout_ms,
                .sink = &m.base,
        };
        long status = 0;
        r = api_perform(c, &rq, &status, err, errlen);
        if (r == 0 && status != 200)
                r = api_errf(err, errlen, API_E_HTTP, "manifest: unexpected http status %ld: %s",
                             status, api_diag(c));
        if (r == 0)
                r = api_parse_manifest(m.buf, m.len, ret, err, errlen);
        mem_sink_release(&m);
        free(url);
        return r;
}

/* Make the finished tree at root durable and rename it to final, unless another worker or
 * process renamed its own first (then ours stays at root, for the caller to remove). */
static int publish(struct api_client *c, struct api_cache *cache, const char *problem_id,
                   const char *root, const char *final, char *err, size_t errlen)
{
        int dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || fchmod(dfd, 0755) < 0) {
                int r = -errno;
                if (dfd >= 0)
                        close(dfd);
                return api_errf(err, errlen, r, "package: cannot open '%s': %s", root,
                                api_strerror(r));
        }
        int r = fsync_tree(dfd, 0); /* closes dfd */
        if (r < 0)
                return api_errf(err, errlen, r, "package: cannot sync '%s': %s", root,
                                api_strerror(r));
        char parent[PATH_MAX];
        int k = snprintf(parent, sizeof(parent), "%s/packages/%s", cache->dir, problem_id);
        if (k < 0 || (size_t)k >= sizeof(parent))
                return api_errf(err, errlen, -ENAMETOOLONG, "package: path too long");
        if ((r = cmn_mkdir_p(parent, 0755)) < 0)
                return api_errf(err, errlen, r, "package: cannot create '%s': %s", parent,
                                api_strerror(r));
        if (rename(root, final) == 0) {
                api_stat_add(c, packages_built, 1);
                (void)fsync_path(parent); /* the rename itself, durable */
                return 0;
        }
        if (errno == EEXIST || errno == ENOTEMPTY)
                return 0; /* another worker built it first: use theirs */
        r = -errno;
        return api_errf(err, errlen, r, "package: cannot rename '%s' to '%s': %s", root, final,
                        api_strerror(r));
}

/* Build the package into a temporary tree and rename it to final (unless someone beat us). */
static int build(struct api_client *c, struct api_cache *cache, const char *problem_id,
                 const char *files_url, const char *final, char *err, size_t errlen)
{
        struct api_manifest *m = NULL;
        int r = get_manifest(c, files_url, &m, err, errlen);
        if (r < 0)
                return r;
        if (m->total_size > c->max_package) {
                r = api_errf(err, errlen, API_E_TOO_BIG,
                             "manifest: package of %llu bytes is over the cap of %llu",
                             (unsigned long long)m->total_size, (unsigned long long)c->max_package);
                api_manifest_free(m);
                return r;
        }
        char root[PATH_MAX];
        int k = snprintf(root, sizeof(root), "%s/tmp/pkg-XXXXXX", cache->dir);
        if (k < 0 || (size_t)k >= sizeof(root) || !mkdtemp(root)) {
                r = k < 0 || (size_t)k >= sizeof(root) ? -ENAMETOOLONG : -errno;
                api_manifest_free(m);
                return api_errf(err, errlen, r, "package: cannot create a temporary directory: %s",
                                api_strerror(r));
        }
        for (size_t i = 0; r == 0 && i < m->n_files; i++)
                r = place_blob(c, cache, root, &m->files[i], err, errlen);
        api_manifest_free(m);
        if (r == 0)
                r = publish(c, cache, problem_id, root, final, err, errlen);
        (void)cmn_rmtree(root); /* only ours is left here, when anything is */
        return r;
}

/*
 * One builder per package at a time, across the workers and processes sharing the cache: the
 * others wait here, then find the package built and download nothing (docs/api.md: each blob
 * is fetched once). Waiting gives way to the client's abort flag.
 * Return: the lock's descriptor (close it to release), or a negative code.
 */
static int lock_package(struct api_client *c, struct api_cache *cache, const char *problem_id,
                        const char *revision, char *err, size_t errlen)
{
        char path[PATH_MAX];
        int k = snprintf(path, sizeof(path), "%s/locks", cache->dir);
        if (k < 0 || (size_t)k >= sizeof(path))
                return api_errf(err, errlen, -ENAMETOOLONG, "package lock: path too long");
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return api_errf(err, errlen, -errno, "package lock: cannot create '%s': %s", path,
                                strerror(errno));
        k = snprintf(path, sizeof(path), "%s/locks/%s@%s.lock", cache->dir, problem_id, revision);
        if (k < 0 || (size_t)k >= sizeof(path))
                return api_errf(err, errlen, -ENAMETOOLONG, "package lock: path too long");
        int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return api_errf(err, errlen, -errno, "package lock: cannot open '%s': %s", path,
                                strerror(errno));
        while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno != EWOULDBLOCK && errno != EINTR) {
                        int e = errno;
                        close(fd);
                        return api_errf(err, errlen, -e, "package lock '%s': %s", path,
                                        strerror(e));
                }
                if (c->abort_flag && *c->abort_flag) {
                        close(fd);
                        return api_errf(err, errlen, API_E_ABORTED, "aborted");
                }
                struct timespec ts = {0, 20 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
        return fd;
}

int api_fetch_problem(struct api_client *c, struct api_cache *cache, const char *problem_id,
                      const char *revision, const char *files_url, struct api_package **ret_pkg,
                      char *err, size_t errlen)
{
        if (err && errlen)
                err[0] = '\0';
        if (!problem_id || !revision || !api_valid_id(problem_id) || !api_valid_id(revision))
                return api_errf(err, errlen, API_E_PROTOCOL,
                                "problem id or revision is not 1-128 of [A-Za-z0-9._-]");
        char final[PATH_MAX];
        int k = snprintf(final, sizeof(final), "%s/packages/%s/%s", cache->dir, problem_id,
                         revision);
        if (k < 0 || (size_t)k >= sizeof(final))
                return api_errf(err, errlen, -ENAMETOOLONG, "package: path too long");
        for (int round = 0; round < FETCH_ROUNDS; round++) {
                struct api_package *pkg = NULL;
                int r = package_open(final, &pkg);
                if (r < 0)
                        return api_errf(err, errlen, r, "package: cannot open '%s': %s", final,
                                        api_strerror(r));
                if (r == 1) {
                        if (round == 0)
                                api_stat_add(c, packages_reused, 1);
                        else /* held now, so eviction spares it; a failure costs nothing */
                                (void)cache_evict(cache, NULL, NULL, 0);
                        *ret_pkg = pkg;
                        return 0;
                }
                if (!files_url)
                        return api_errf(err, errlen, -EINVAL,
                                        "package '%s' is not cached and no files url was given",
                                        final);
                int lock = lock_package(c, cache, problem_id, revision, err, errlen);
                if (lock < 0)
                        return lock;
                /* built while we waited for the lock? then take that one */
                r = package_open(final, &pkg);
                if (r == 1) {
                        close(lock);
                        api_stat_add(c, packages_reused, 1);
                        *ret_pkg = pkg;
                        return 0;
                }
                r = r < 0 ? api_errf(err, errlen, r, "package: cannot open '%s': %s", final,
                                     api_strerror(r))
                          : build(c, cache, problem_id, files_url, final, err, errlen);
                close(lock);
                if (r < 0)
                        return r;
        }
        return api_errf(err, errlen, -EAGAIN, "package '%s' was evicted as soon as built", final);
}
