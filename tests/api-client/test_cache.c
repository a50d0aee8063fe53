/* SPDX-License-Identifier: MIT */
/* Unit tests of the blob cache: store and verify, corrupt blobs refused, LRU eviction that
 * spares what packages use, concurrent writers in several processes, stale leftovers removed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api.h"
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct fixture {
        char dir[128];
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        char made[] = "/tmp/api-cache-XXXXXX", real[PATH_MAX];
        /* the cache works on the resolved path; so do the tests */
        if (!mkdtemp(made) || !realpath(made, real) || strlen(real) >= sizeof(f->dir))
                return -1;
        memcpy(f->dir, real, strlen(real) + 1); /* fits: checked above */
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        cmn_rmtree(f->dir);
        free(f);
        return 0;
}

static void sha_hex(const void *data, size_t len, char out[65])
{
        unsigned char d[SHA256_DIGEST_LENGTH];
        SHA256(data, len, d);
        for (int i = 0; i < 32; i++)
                snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* A blob of n bytes whose content depends on seed. */
static unsigned char *make_blob(int seed, size_t n, char sha[65])
{
        unsigned char *b = malloc(n ? n : 1);
        for (size_t i = 0; i < n; i++)
                b[i] = (unsigned char)(seed * 131 + (int)i * 7);
        sha_hex(b, n, sha);
        return b;
}

static void put(struct api_cache *c, int seed, size_t n, char sha[65])
{
        char err[256];
        unsigned char *b = make_blob(seed, n, sha);
        int r = api_cache_put(c, sha, b, n, err, sizeof(err));
        if (r != 0)
                fail_msg("put: %s", err);
        free(b);
}

static char *blob_path(struct fixture *f, const char *sha)
{
        static char path[256];
        snprintf(path, sizeof(path), "%s/blobs/%s", f->dir, sha);
        return path;
}

static bool present(struct fixture *f, const char *sha)
{
        return access(blob_path(f, sha), F_OK) == 0;
}

static void set_age(struct fixture *f, const char *sha, time_t seconds_ago)
{
        struct timespec ts[2] = {{.tv_sec = time(NULL) - seconds_ago},
                                 {.tv_sec = time(NULL) - seconds_ago}};
        assert_int_equal(utimensat(AT_FDCWD, blob_path(f, sha), ts, 0), 0);
}

static void test_stored_blob_reads_back_identical(void **state)
{
        struct fixture *f = *state;
        struct api_cache *c = NULL;
        char err[256], sha[65];
        assert_int_equal(api_cache_open(f->dir, 0, &c, err, sizeof(err)), 0);
        unsigned char *b = make_blob(1, 100000, sha);
        assert_int_equal(api_cache_put(c, sha, b, 100000, err, sizeof(err)), 0);
        assert_int_equal(api_cache_put(c, sha, b, 100000, err, sizeof(err)), 0); /* again: ok */
        int fd = -1;
        assert_int_equal(api_cache_get(c, sha, &fd, err, sizeof(err)), 1);
        unsigned char *back = malloc(100001);
        assert_int_equal(read(fd, back, 100001), 100000);
        assert_memory_equal(back, b, 100000);
        assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        close(fd);
        struct stat st;
        assert_int_equal(stat(blob_path(f, sha), &st), 0);
        assert_int_equal(st.st_mode & 0777, 0444); /* shared by packages: read-only */
        uint64_t bytes;
        unsigned long n;
        assert_int_equal(api_cache_usage(c, &bytes, &n, err, sizeof(err)), 0);
        assert_int_equal(bytes, 100000);
        assert_int_equal(n, 1);
        free(back);
        free(b);
        api_cache_free(c);
        api_cache_free(NULL);
}

static void test_blob_that_does_not_match_its_hash_is_not_stored(void **state)
{
        struct fixture *f = *state;
        struct api_cache *c = NULL;
        char err[256], sha[65];
        assert_int_equal(api_cache_open(f->dir, 0, &c, err, sizeof(err)), 0);
        unsigned char *b = make_blob(2, 1000, sha);
        b[10] ^= 1;
        assert_int_equal(api_cache_put(c, sha, b, 1000, err, sizeof(err)), API_E_INTEGRITY);
        assert_false(present(f, sha));
        assert_int_equal(api_cache_put(c, "ABC", b, 1000, err, sizeof(err)), -EINVAL);
        assert_int_equal(api_cache_put(c, "../../etc/passwd", b, 1000, err, sizeof(err)), -EINVAL);
        int fd;
        assert_int_equal(api_cache_get(c, "../x", &fd, err, sizeof(err)), -EINVAL);
        assert_int_equal(api_cache_get(c, sha, &fd, err, sizeof(err)), 0); /* absent */
        free(b);
        api_cache_free(c);
}

static void test_corrupted_blob_on_disk_is_refused_and_removed(void **state)
{
        struct fixture *f = *state;
        struct api_cache *c = NULL;
        char err[256], sha[65];
        assert_int_equal(api_cache_open(f->dir, 0, &c, err, sizeof(err)), 0);
        put(c, 3, 5000, sha);
        /* flip one byte behind the cache's back */
        const char *p = blob_path(f, sha);
        assert_int_equal(chmod(p, 0644), 0);
        int fd = open(p, O_WRONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(pwrite(fd, "X", 1, 100), 1);
        close(fd);
        assert_int_equal(api_cache_get(c, sha, &fd, err, sizeof(err)), 0);
        assert_false(present(f, sha));
        /* a truncated one likewise */
        put(c, 3, 5000, sha);
        assert_int_equal(truncate(p, 10), 0);
        assert_int_equal(api_cache_get(c, sha, &fd, err, sizeof(err)), 0);
        /* and storing it again repairs it */
        put(c, 3, 5000, sha);
        assert_int_equal(api_cache_get(c, sha, &fd, err, sizeof(err)), 1);
        close(fd);
        api_cache_free(c);
}

static void test_storing_over_a_corrupt_blob_replaces_it(void **state)
{
        struct fixture *f = *state;
        struct api_cache *c = NULL;
        char err[256], sha[65];
        assert_int_equal(api_cache_open(f->dir, 0, &c, err, sizeof(err)), 0);
        put(c, 4, 3000, sha);
        const char *p = blob_path(f, sha);
        assert_int_equal(chmod(p, 0644), 0);
        assert_int_equal(truncate(p, 5), 0);
        put(c, 4, 3000, sha);
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_size, 3000);
        api_cache_free(c);
}

static void test_eviction_removes_least_recently_used_first(void **state)
{
        struct fixture *f = *state;
        struct api_cache *c = NULL;
        char err[256], a[65], b[65], cc[65], d[65];
        assert_int_equal(api_cache_open(f->dir, 3000, &c, err, sizeof(err)), 0);
        put(c, 10, 1000, a);
        put(c, 11, 1000, b);
        put(c, 12, 1000, cc);
        set_age(f, a, 300); /* a is the oldest, then b, then c */
        set_age(f, b, 200);
        set_age(f, cc, 100);
        int fd;
        assert_int_equal(api_cache_get(c, a, &fd, err, sizeof(err)), 1); /* a used: now newest */
        close(fd);
        put(c, 13, 1000, d); /* 4000 > 3000: one must go, the least recently used: b */
        assert_true(present(f, a));
        assert_false(present(f, b));
        assert_true(present(f, cc));
        assert_true(present(f, d));
        uint64_t bytes;
        assert_int_equal(api_cache_usage(c, &bytes, NULL, err, sizeof(err)), 0);
        assert_int_equal(bytes, 3000);
        api_cache_free(c);
}

static void test_eviction_keeps_blobs_a_package_links(void **state)
{
        struct fixture *f = *state;
        struct api_cache *c = NULL;
        char err[256], a[65], b[65], cc[65];
        assert_int_equal(api_cache_open(f->dir, 2000, &c, err, sizeof(err)), 0);
        put(c, 20, 1000, a);
        put(c, 21, 1000, b);
        set_age(f, a, 500);
        set_age(f, b, 400);
        /* a package holds a hard link to a (what api_fetch_problem builds) */
        char pkg[256], file[300];
        snprintf(pkg, sizeof(pkg), "%s/packages/p/r", f->dir);
        assert_int_equal(cmn_mkdir_p(pkg, 0755), 0);
        snprintf(file, sizeof(file), "%s/a.in", pkg);
        assert_int_equal(link(blob_path(f, a), file), 0);
        int hold = open(pkg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_int_equal(flock(hold, LOCK_SH), 0); /* and is in use */
        put(c, 22, 1000, cc); /* over by 1000: a is older but linked, so b goes */
        assert_true(present(f, a));
        assert_false(present(f, b));
        assert_true(present(f, cc));
        /* even far over the bound, a held package and its blobs stay */
        char d[65];
        put(c, 23, 1500, d);
        assert_true(present(f, a));
        assert_int_equal(access(file, F_OK), 0);
        /* once released, the package and then its blob may go, but only after the blobs
         * no package links: a (1000, linked) + d (1500) + e (1500) is 4000; d goes first,
         * which is not enough, then the package, then a */
        close(hold);
        char e[65];
        put(c, 24, 1500, e);
        assert_false(present(f, d));
        assert_int_equal(access(pkg, F_OK), -1);
        assert_false(present(f, a));
        assert_true(present(f, e));
        uint64_t bytes;
        assert_int_equal(api_cache_usage(c, &bytes, NULL, err, sizeof(err)), 0);
        assert_int_equal(bytes, 1500);
        assert_int_equal(api_cache_evict(c, err, sizeof(err)), 0); /* nothing more to do */
        assert_true(present(f, e));
        api_cache_free(c);
}

static void test_blob_larger_than_the_cache_is_refused(void **state)
{
        struct fixture *f = *state;
        struct api_cache *c = NULL;
        char err[256], sha[65];
        assert_int_equal(api_cache_open(f->dir, 100, &c, err, sizeof(err)), 0);
        unsigned char *b = make_blob(5, 101, sha);
        assert_int_equal(api_cache_put(c, sha, b, 101, err, sizeof(err)), API_E_TOO_BIG);
        assert_false(present(f, sha));
        free(b);
        api_cache_free(c);
}

static int count_entries(const char *path)
{
        DIR *d = opendir(path);
        assert_non_null(d);
        int n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        n++;
        closedir(d);
        return n;
}

enum { WRITERS = 4, SHARED = 40, OWN = 10, BLOB = 20000 };

static void test_concurrent_writers_in_several_processes_store_intact_blobs(void **state)
{
        struct fixture *f = *state;
        pid_t pids[WRITERS];
        for (int w = 0; w < WRITERS; w++) {
                pids[w] = fork();
                assert_true(pids[w] >= 0);
                if (pids[w] == 0) {
                        struct api_cache *c = NULL;
                        char err[256], sha[65];
                        if (api_cache_open(f->dir, 0, &c, err, sizeof(err)) < 0)
                                _exit(1);
                        /* every writer stores the shared blobs, each in its own order */
                        for (int i = 0; i < SHARED; i++) {
                                int k = (i * (w * 2 + 1) + w * 7) % SHARED;
                                unsigned char *b = make_blob(100 + k, BLOB, sha);
                                if (api_cache_put(c, sha, b, BLOB, err, sizeof(err)) < 0)
                                        _exit(2);
                                free(b);
                        }
                        for (int i = 0; i < OWN; i++) {
                                unsigned char *b = make_blob(1000 + w * OWN + i, BLOB, sha);
                                if (api_cache_put(c, sha, b, BLOB, err, sizeof(err)) < 0)
                                        _exit(3);
                                free(b);
                        }
                        api_cache_free(c);
                        _exit(0);
                }
        }
        for (int w = 0; w < WRITERS; w++) {
                int st;
                assert_int_equal(waitpid(pids[w], &st, 0), pids[w]);
                assert_true(WIFEXITED(st));
                assert_int_equal(WEXITSTATUS(st), 0);
        }
        struct api_cache *c = NULL;
        char err[256], sha[65];
        assert_int_equal(api_cache_open(f->dir, 0, &c, err, sizeof(err)), 0);
        for (int k = 0; k < SHARED + WRITERS * OWN; k++) {
                int seed = k < SHARED ? 100 + k : 1000 + (k - SHARED);
                unsigned char *b = make_blob(seed, BLOB, sha);
                int fd;
                assert_int_equal(api_cache_get(c, sha, &fd, err, sizeof(err)), 1);
                close(fd);
                free(b);
        }
        unsigned long n;
        assert_int_equal(api_cache_usage(c, NULL, &n, err, sizeof(err)), 0);
        assert_int_equal(n, SHARED + WRITERS * OWN);
        char tmp[256];
        snprintf(tmp, sizeof(tmp), "%s/tmp", f->dir);
        assert_int_equal(count_entries(tmp), 0); /* no temporary file left behind */
        api_cache_free(c);
}

static void test_stale_leftovers_are_removed_on_open(void **state)
{
        struct fixture *f = *state;
        struct api_cache *c = NULL;
        char err[256];
        assert_int_equal(api_cache_open(f->dir, 0, &c, err, sizeof(err)), 0);
        api_cache_free(c);
        char old[256], fresh[256], olddir[256];
        snprintf(old, sizeof(old), "%s/tmp/blob-old", f->dir);
        snprintf(fresh, sizeof(fresh), "%s/tmp/blob-new", f->dir);
        snprintf(olddir, sizeof(olddir), "%s/tmp/pkg-old", f->dir);
        assert_int_equal(cmn_write_file_atomic(old, "x", 1, 0600), 0);
        assert_int_equal(cmn_write_file_atomic(fresh, "x", 1, 0600), 0);
        assert_int_equal(cmn_mkdir_p(olddir, 0700), 0);
        struct timespec ts[2] = {{.tv_sec = time(NULL) - 3 * 86400},
                                 {.tv_sec = time(NULL) - 3 * 86400}};
        assert_int_equal(utimensat(AT_FDCWD, old, ts, 0), 0);
        assert_int_equal(utimensat(AT_FDCWD, olddir, ts, 0), 0);
        assert_int_equal(api_cache_open(f->dir, 0, &c, err, sizeof(err)), 0);
        assert_int_equal(access(old, F_OK), -1);
        assert_int_equal(access(olddir, F_OK), -1);
        assert_int_equal(access(fresh, F_OK), 0); /* maybe another process's download */
        api_cache_free(c);
}

static void test_cache_in_an_unwritable_place_fails_cleanly(void **state)
{
        (void)state;
        struct api_cache *c = NULL;
        char err[256];
        assert_true(api_cache_open("/proc/self/nope", 0, &c, err, sizeof(err)) < 0);
        assert_null(c);
        assert_non_null(strstr(err, "/proc/self/nope"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_stored_blob_reads_back_identical, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(
                        test_blob_that_does_not_match_its_hash_is_not_stored, setup, teardown),
                cmocka_unit_test_setup_teardown(test_corrupted_blob_on_disk_is_refused_and_removed,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(test_storing_over_a_corrupt_blob_replaces_it, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_eviction_removes_least_recently_used_first,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(test_eviction_keeps_blobs_a_package_links, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_blob_larger_than_the_cache_is_refused, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(
                        test_concurrent_writers_in_several_processes_store_intact_blobs, setup,
                        teardown),
                cmocka_unit_test_setup_teardown(test_stale_leftovers_are_removed_on_open, setup,
                                                teardown),
                cmocka_unit_test(test_cache_in_an_unwritable_place_fails_cleanly),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
