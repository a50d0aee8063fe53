/* SPDX-License-Identifier: MIT */
/* Small helpers shared by sandbox/, api-client/ and grader/: pure parsing and careful file I/O. */
#ifndef GRADER_COMMON_H
#define GRADER_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CMN_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Files in one submission: what the API accepts (api-client/) is what the grader compiles
 * (grader/), so a submission the site takes is never refused for its size here.
 */
#define CMN_SUBMISSION_FILES_MAX 256

/*
 * cmn_parse_size - parse "256M", "1G", "4096", "64k" into bytes (binary suffixes K, M, G, T,
 * case-insensitive, optional trailing "B" or "iB").
 * Return: 0 and *ret set; -EINVAL when malformed; -ERANGE on overflow.
 */
int cmn_parse_size(const char *s, uint64_t *ret);

/*
 * cmn_parse_seconds - parse a non-negative decimal number of seconds ("1", "0.5", "2.25").
 * Return: 0 and *ret set; -EINVAL when malformed, negative, not finite or above 1e6.
 */
int cmn_parse_seconds(const char *s, double *ret);

/*
 * cmn_parse_uint - parse a decimal unsigned integer in [min, max].
 * Return: 0 and *ret set; -EINVAL when malformed; -ERANGE when outside the range.
 */
int cmn_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *ret);

/* cmn_strlcpy - copy with truncation, always NUL-terminated when size > 0. Return: strlen(src). */
size_t cmn_strlcpy(char *dst, const char *src, size_t size);

/* cmn_monotonic - CLOCK_MONOTONIC in seconds. */
double cmn_monotonic(void);

/*
 * cmn_read_file - read a whole file (at most max bytes) into a NUL-terminated malloc'd buffer.
 * Return: 0 and *ret_buf (caller frees), *ret_len; -EFBIG when larger than max; -errno.
 */
int cmn_read_file(const char *path, size_t max, char **ret_buf, size_t *ret_len);

/* cmn_write_all - write all of data, retrying short writes and EINTR. Return: 0 or -errno. */
int cmn_write_all(int fd, const void *data, size_t len);

/*
 * cmn_write_file_atomic - write data to path through a temporary file in the same directory,
 * fsync it, rename it into place and fsync the directory: readers see the old file or the whole
 * new one, and after return the data survives a crash. mode is the new file's permission.
 * Return: 0 or -errno.
 */
int cmn_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);

/*
 * cmn_copy_file - copy src to dst (created or truncated with mode), following no symlink at dst.
 * Return: 0 or -errno.
 */
int cmn_copy_file(const char *src, const char *dst, mode_t mode);

/*
 * cmn_copy_tree - copy regular files and directories from src to dst (created) without
 * following any symlink (a sandboxed program may have planted them), at most max_files entries
 * and max_bytes bytes in all; symlinks, FIFOs and devices are left out. Executable files stay
 * executable (0755), others are 0644.
 * Return: 0 or -errno (-EFBIG when over the caps).
 */
int cmn_copy_tree(const char *src, const char *dst, size_t max_files, size_t max_bytes);

/*
 * cmn_mkdir_p - create a directory and its missing parents with mode.
 * Return: 0 (also when it exists) or -errno.
 */
int cmn_mkdir_p(const char *path, mode_t mode);

/*
 * cmn_rmtree - remove a directory tree without following any symlink inside it (every step is
 * relative to an O_NOFOLLOW directory descriptor), so files a sandboxed program left behind can
 * never redirect the removal outside the tree. Iterative, with one descriptor open at a time:
 * any depth works; directories without permission are given the owner's rwx first; each entry
 * is tried once, so the call always ends. Removing a missing path succeeds.
 * Return: 0 or -errno of the first failure (the rest of the tree is still removed).
 */
int cmn_rmtree(const char *path);

/* cmn_rmtree_at - cmn_rmtree() of the entry name in the directory dirfd. Return: as above. */
int cmn_rmtree_at(int dirfd, const char *name);

/*
 * cmn_join - snprintf-style path join "a/b" into buf of size n.
 * Return: 0, or -ENAMETOOLONG when it does not fit.
 */
int cmn_join(char *buf, size_t n, const char *a, const char *b);

/*
 * cmn_utf8_sanitize - copy at most max bytes of src (len bytes) into a new NUL-terminated string,
 * replacing each invalid UTF-8 sequence (and NUL bytes) by U+FFFD, never cutting a character in
 * half. *ret_truncated says whether bytes of src were left out.
 * Return: the new string (caller frees) or NULL when out of memory.
 */
char *cmn_utf8_sanitize(const char *src, size_t len, size_t max, bool *ret_truncated);

/*
 * cmn_rfc3339 - format a realtime timestamp (seconds since the epoch, UTC) as
 * "2026-11-26T15:51:12.345Z" into buf (at least 32 bytes).
 */
void cmn_rfc3339(double t, char *buf, size_t n);

/* cmn_realtime - CLOCK_REALTIME in seconds. */
double cmn_realtime(void);

#endif
