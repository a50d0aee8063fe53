/* SPDX-License-Identifier: MIT */
/* Small helpers shared by every module: parsing of sizes and times, careful file I/O. */
#include "common.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int cmn_parse_size(const char *s, uint64_t *ret)
{
        if (!s || !isdigit((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        char *end;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno == ERANGE)
                return -ERANGE;
        unsigned shift = 0;
        switch (toupper((unsigned char)*end)) {
        case 'K':
                shift = 10;
                end++;
                break;
        case 'M':
                shift = 20;
                end++;
                break;
        case 'G':
                shift = 30;
                end++;
                break;
        case 'T':
                shift = 40;
                end++;
                break;
        default:
                break;
        }
        if (shift && (*end == 'i' || *end == 'I'))
                end++;
        if (*end == 'b' || *end == 'B')
                end++;
        if (*end != '\0')
                return -EINVAL;
        if (shift && v > (UINT64_MAX >> shift))
                return -ERANGE;
        *ret = (uint64_t)v << shift;
        return 0;
}

int cmn_parse_seconds(const char *s, double *ret)
{
        if (!s || !*s || isspace((unsigned char)*s))
                return -EINVAL;
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || *end != '\0' || !isfinite(v) || v < 0 || v > 1e6)
                return -EINVAL;
        *ret = v;
        return 0;
}

int cmn_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *ret)
{
        if (!s || !isdigit((unsigned char)*s))
                return -EINVAL;
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (*end != '\0')
                return -EINVAL;
        if (errno == ERANGE || v < min || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

size_t cmn_strlcpy(char *dst, const char *src, size_t size)
{
        size_t len = strlen(src);
        if (size) {
                size_t n = len < size - 1 ? len : size - 1;
                memcpy(dst, src, n);
                dst[n] = '\0';
        }
        return len;
}

double cmn_monotonic(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double cmn_realtime(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cmn_rfc3339(double t, char *buf, size_t n)
{
        time_t sec = (time_t)t;
        int ms = (int)((t - (double)sec) * 1000.0);
        if (ms < 0)
                ms = 0;
        if (ms > 999)
                ms = 999;
        struct tm tm;
        gmtime_r(&sec, &tm);
        char base[32];
        strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf, n, "%s.%03dZ", base, ms);
}

int cmn_read_file(const char *path, size_t max, char **ret_buf, size_t *ret_len)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        size_t cap = 4096, len = 0;
        char *buf = malloc(cap + 1);
        int r = 0;
        if (!buf) {
                close(fd);
                return -ENOMEM;
        }
        for (;;) {
                if (len == cap) {
                        if (cap > max) {
                                r = -EFBIG;
                                break;
                        }
                        size_t ncap = cap * 2;
                        char *nb = realloc(buf, ncap + 1);
                        if (!nb) {
                                r = -ENOMEM;
                                break;
                        }
                        buf = nb;
                        cap = ncap;
                }
                ssize_t n = read(fd, buf + len, cap - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > max) {
                        r = -EFBIG;
                        break;
                }
        }
        close(fd);
        if (r < 0) {
                free(buf);
                return r;
        }
        buf[len] = '\0';
        *ret_buf = buf;
        if (ret_len)
                *ret_len = len;
        return 0;
}

int cmn_write_all(int fd, const void *data, size_t len)
{
        const char *p = data;
        while (len) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

int cmn_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
        char tmp[PATH_MAX];
        if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
                return -ENAMETOOLONG;
        int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = cmn_write_all(fd, data, len);
        if (r == 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                unlink(tmp);
                return r;
        }
        /* fsync the directory so the rename itself is durable. */
        char dir[PATH_MAX];
        cmn_strlcpy(dir, path, sizeof(dir));
        char *slash = strrchr(dir, '/');
        if (slash == dir)
                slash[1] = '\0';
        else if (slash)
                *slash = '\0';
        else
                strcpy(dir, ".");
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
                fsync(dfd);
                close(dfd);
        }
        return 0;
}

int cmn_copy_file(const char *src, const char *dst, mode_t mode)
{
        int in = open(src, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return -errno;
        int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
        if (out < 0) {
                int e = -errno;
                close(in);
                return e;
        }
        char buf[65536];
        int r = 0;
        for (;;) {
                ssize_t n = read(in, buf, sizeof(buf));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                if (n == 0)
                        break;
                r = cmn_write_all(out, buf, (size_t)n);
                if (r < 0)
                        break;
        }
        if (r == 0 && fchmod(out, mode) < 0)
                r = -errno;
        close(in);
        if (close(out) < 0 && r == 0)
                r = -errno;
        return r;
}

static int copy_at(int sfd, int dfd, int depth, size_t *files, size_t *bytes, size_t max_files,
                   size_t max_bytes)
{
        if (depth > 16)
                return -ELOOP;
        DIR *d = fdopendir(sfd);
        if (!d) {
                close(sfd);
                return -errno;
        }
        int r = 0;
        struct dirent *de;
        while (r == 0 && (de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                if (++*files > max_files) {
                        r = -EFBIG;
                        break;
                }
                struct stat st;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        int s2 = openat(dirfd(d), de->d_name,
                                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (s2 < 0)
                                continue;
                        if (mkdirat(dfd, de->d_name, 0755) < 0 && errno != EEXIST) {
                                r = -errno;
                                close(s2);
                                break;
                        }
                        int d2 = openat(dfd, de->d_name,
                                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (d2 < 0) {
                                r = -errno;
                                close(s2);
                                break;
                        }
                        r = copy_at(s2, d2, depth + 1, files, bytes, max_files, max_bytes);
                        close(d2);
                        continue;
                }
                if (!S_ISREG(st.st_mode))
                        continue; /* symlinks, fifos, devices: never followed, never copied */
                int in = openat(dirfd(d), de->d_name,
                                O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
                if (in < 0)
                        continue;
                mode_t mode = (st.st_mode & 0111) ? 0755 : 0644;
                int out = openat(dfd, de->d_name,
                                 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
                if (out < 0) {
                        r = -errno;
                        close(in);
                        break;
                }
                char buf[65536];
                for (;;) {
                        ssize_t k = read(in, buf, sizeof(buf));
                        if (k <= 0) {
                                if (k < 0)
                                        r = -errno;
                                break;
                        }
                        *bytes += (size_t)k;
                        if (*bytes > max_bytes) {
                                r = -EFBIG;
                                break;
                        }
                        if (write(out, buf, (size_t)k) != k) {
                                r = -errno;
                                break;
                        }
                }
                close(in);
                if (close(out) < 0 && r == 0)
                        r = -errno;
        }
        closedir(d);
        return r;
}

int cmn_copy_tree(const char *src, const char *dst, size_t max_files, size_t max_bytes)
{
        int sfd = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sfd < 0)
                return -errno;
        if (mkdir(dst, 0755) < 0 && errno != EEXIST) {
                int e = -errno;
                close(sfd);
                return e;
        }
        int dfd = open(dst, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0) {
                int e = -errno;
                close(sfd);
                return e;
        }
        size_t files = 0, bytes = 0;
        int r = copy_at(sfd, dfd, 0, &files, &bytes, max_files, max_bytes);
        close(dfd);
        return r;
}

int cmn_mkdir_p(const char *path, mode_t mode)
{
        char buf[PATH_MAX];
        if (cmn_strlcpy(buf, path, sizeof(buf)) >= sizeof(buf))
                return -ENAMETOOLONG;
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(buf, mode) < 0 && errno != EEXIST)
                        return -errno;
                *p = '/';
        }
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int cmn_join(char *buf, size_t n, const char *a, const char *b)
{
        int k = snprintf(buf, n, "%s/%s", a, b);
        return (k < 0 || (size_t)k >= n) ? -ENAMETOOLONG : 0;
}

/* Length of the valid UTF-8 sequence at s (at most avail bytes), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
        unsigned char c = s[0];
        size_t need;
        uint32_t cp;
        if (c < 0x80)
                return c ? 1 : 0;
        if (c >= 0xC2 && c <= 0xDF) {
                need = 2;
                cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
                need = 3;
                cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
                need = 4;
                cp = c & 0x07;
        } else {
                return 0;
        }
        if (avail < need)
                return 0;
        for (size_t i = 1; i < need; i++) {
                if ((s[i] & 0xC0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3F);
        }
        if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
                return 0;
        return need;
}

char *cmn_utf8_sanitize(const char *src, size_t len, size_t max, bool *ret_truncated)
{
        /* Worst case every byte becomes the 3-byte replacement character. */
        size_t lim = len < max ? len : max;
        char *out = malloc(lim * 3 + 1);
        if (!out)
                return NULL;
        const unsigned char *s = (const unsigned char *)src;
        size_t i = 0, o = 0;
        while (i < lim) {
                size_t k = utf8_seq(s + i, len - i);
                if (k && i + k > lim)
                        break; /* would cut a character at the cap */
                if (k) {
                        memcpy(out + o, s + i, k);
                        o += k;
                        i += k;
                } else {
                        memcpy(out + o, "\xEF\xBF\xBD", 3);
                        o += 3;
                        i++;
                }
        }
        out[o] = '\0';
        if (ret_truncated)
                *ret_truncated = i < len;
        return out;
}
