/* SPDX-License-Identifier: MIT */
/*
 * The program's view of the file system, built by the keeper in the run's mount namespace
 * between clone() and the program's fork: a read-only tmpfs root, read-only binds of the
 * system directories, the run's own /proc, a minimal /dev, private /tmp and /dev/shm, and the
 * work dir. Async-signal-safe like everything the children run (child.c).
 */
#include "sandbox_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

/* dst = a + b, bounded; returns -1 (ENAMETOOLONG) when it does not fit. */
static int concat(char *dst, size_t n, const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);
        if (la + lb + 1 > n) {
                errno = ENAMETOOLONG;
                return -1;
        }
        memcpy(dst, a, la);
        memcpy(dst + la, b, lb + 1);
        return 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
        char buf[PATH_MAX];
        size_t len = strlen(path);
        if (len >= sizeof(buf)) {
                errno = ENAMETOOLONG;
                return -1;
        }
        memcpy(buf, path, len + 1);
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(buf, mode) < 0 && errno != EEXIST)
                        return -1;
                *p = '/';
        }
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
                return -1;
        return 0;
}

/* Mount flags a remount must keep: in a user namespace the kernel refuses to clear them. */
static unsigned long locked_flags(const char *path)
{
        struct statfs st;
        if (statfs(path, &st) < 0)
                return 0;
        unsigned long f = 0;
        if (st.f_flags & ST_NOEXEC)
                f |= MS_NOEXEC;
        if (st.f_flags & ST_NOATIME)
                f |= MS_NOATIME;
        if (st.f_flags & ST_NODIRATIME)
                f |= MS_NODIRATIME;
        if (st.f_flags & ST_RELATIME)
                f |= MS_RELATIME;
        if (st.f_flags & ST_NOSUID)
                f |= MS_NOSUID;
        if (st.f_flags & ST_NODEV)
                f |= MS_NODEV;
        return f;
}

/* Bind the host's src (seen under /oldroot) at dst, then remount it with extra flags. */
static int bind_host(const char *dst, bool recursive_fallback, unsigned long flags)
{
        char src[PATH_MAX];
        if (concat(src, sizeof(src), "/oldroot", dst) < 0)
                return -1;
        if (mount(src, dst, NULL, MS_BIND, NULL) < 0) {
                /* a user namespace refuses to uncover locked submounts: take them along */
                if (!(recursive_fallback && errno == EINVAL))
                        return -1;
                if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
                        return -1;
        }
        return mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | flags | locked_flags(dst), NULL);
}

static int make_file(const char *path)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return -1;
        close(fd);
        return 0;
}

static void setup_dev(const struct sbx_plan *pl)
{
        static const char *const nodes[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                                            "/dev/urandom"};
        static const char *const links[][2] = {{"/proc/self/fd", "/dev/fd"},
                                               {"/proc/self/fd/0", "/dev/stdin"},
                                               {"/proc/self/fd/1", "/dev/stdout"},
                                               {"/proc/self/fd/2", "/dev/stderr"}};
        if (mkdir("/dev", 0755) < 0 ||
            mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") < 0)
                sbx_child_fail(pl, SBX_STAGE_MOUNT);
        for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
                if (make_file(nodes[i]) < 0 ||
                    bind_host(nodes[i], false, MS_NOSUID | MS_NOEXEC) < 0)
                        sbx_child_fail(pl, SBX_STAGE_MOUNT);
        }
        for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
                if (symlink(links[i][0], links[i][1]) < 0)
                        sbx_child_fail(pl, SBX_STAGE_MOUNT);
        }
        if (mkdir("/dev/shm", 01777) < 0 ||
            mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, pl->tmp_opts) < 0)
                sbx_child_fail(pl, SBX_STAGE_MOUNT);
        if (mount(NULL, "/dev", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL) < 0)
                sbx_child_fail(pl, SBX_STAGE_MOUNT);
}

/* Resize the work area's tmpfs to bytes and inodes (a remount keeps its content). */
static int resize_area(uint64_t bytes, uint64_t inodes)
{
        char opts[96] = "size=";
        char *p = sbx_put_u64(opts + 5, bytes);
        memcpy(p, ",nr_inodes=", 12);
        sbx_put_u64(p + 11, inodes);
        return mount(NULL, SBX_AREA_DIR, NULL, MS_REMOUNT | MS_NOSUID | MS_NODEV, opts);
}

/*
 * No overlayfs (or the policy wants a copy): copy the host's work dir into the area, then size
 * the area to what the copy took plus the disk limit, so the inputs are not counted against it.
 */
static void copy_in(const struct sbx_plan *pl, int data)
{
        /* room for inputs as large as a caller's work dir may hold (grd_copy_tree's cap) */
        const uint64_t room = 512ull << 20, room_inodes = 10000;
        if (resize_area(pl->area_bytes + room, pl->area_inodes + room_inodes) < 0)
                sbx_child_fail(pl, SBX_STAGE_COPY_IN);
        int host = open(pl->host_workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (host < 0)
                sbx_child_fail(pl, SBX_STAGE_COPY_IN);
        /* owned by the keeper, as overlayfs shows the lower layer: the program may add to the
         * work dir (its top belongs to the program) but not write into the caller's files */
        struct sbx_copy c = {0};
        int r = sbx_copy_tree(&c, host, data, 0);
        close(host);
        if (r < 0) {
                errno = -r;
                sbx_child_fail(pl, SBX_STAGE_COPY_IN);
        }
        struct statfs st;
        if (fstatfs(data, &st) < 0)
                sbx_child_fail(pl, SBX_STAGE_COPY_IN);
        uint64_t used = (uint64_t)(st.f_blocks - st.f_bfree) * (uint64_t)st.f_bsize;
        uint64_t used_inodes = (uint64_t)(st.f_files - st.f_ffree);
        if (resize_area(used + pl->area_bytes, used_inodes + pl->area_inodes) < 0)
                sbx_child_fail(pl, SBX_STAGE_COPY_IN);
}

/*
 * The work area: a tmpfs of the run's own (limits.disk bytes, nosuid, nodev) at SBX_AREA_DIR.
 * Its SBX_AREA_DATA directory is shown at the work dir: as the upper layer of an overlayfs
 * whose lower layer is the host's work dir (the inputs are read from there and never copied;
 * whatever the program writes or changes lands in the area), or, where overlayfs cannot be
 * mounted, as a bind of a copy of the work dir. The area's own mount is then hidden; the
 * parent gets a descriptor of it. Return: that descriptor. *copied: a copy, not a layer.
 */
static int setup_work_area(const struct sbx_plan *pl, bool *copied)
{
        static const char data_dir[] = SBX_AREA_DIR "/" SBX_AREA_DATA;
        if (mkdir(SBX_AREA_DIR, 0700) < 0 ||
            mount("tmpfs", SBX_AREA_DIR, "tmpfs", MS_NOSUID | MS_NODEV, pl->area_opts) < 0 ||
            mkdir(data_dir, 0755) < 0 || mkdir(SBX_AREA_DIR "/" SBX_AREA_OVL, 0700) < 0 ||
            (pl->setuid && chown(data_dir, pl->uid, pl->gid) < 0))
                sbx_child_fail(pl, SBX_STAGE_AREA);
        bool layered = false;
        if (!pl->copy_workdir) {
                if (chdir(pl->host_workdir) < 0)
                        sbx_child_fail(pl, SBX_STAGE_AREA);
                layered = mount("overlay", pl->workdir, "overlay", MS_NOSUID | MS_NODEV,
                                pl->ovl_opts) == 0;
                if (chdir("/") < 0)
                        sbx_child_fail(pl, SBX_STAGE_AREA);
        }
        int area = open(SBX_AREA_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (area < 0)
                sbx_child_fail(pl, SBX_STAGE_AREA);
        if (!layered) {
                int data = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (data < 0)
                        sbx_child_fail(pl, SBX_STAGE_AREA);
                copy_in(pl, data);
                close(data);
                if (mount(data_dir, pl->workdir, NULL, MS_BIND, NULL) < 0 ||
                    mount(NULL, pl->workdir, NULL, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV,
                          NULL) < 0)
                        sbx_child_fail(pl, SBX_STAGE_AREA);
        }
        if (umount2(SBX_AREA_DIR, MNT_DETACH) < 0 || rmdir(SBX_AREA_DIR) < 0)
                sbx_child_fail(pl, SBX_STAGE_AREA);
        *copied = !layered;
        return area;
}

/*
 * The program's view: a read-only tmpfs root holding read-only binds of the system
 * directories, its own /proc, a minimal /dev, private /tmp and /dev/shm, and the work dir,
 * the only writable place besides them, at its own path: the work area, or the host's work
 * dir read-only. Everything is nosuid and nodev. *area: the work area's descriptor, or -1.
 */
void sbx_setup_view(const struct sbx_plan *pl, int *area, bool *copied)
{
        /* nothing we mount may propagate back to the host */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                sbx_child_fail(pl, SBX_STAGE_MOUNT);
        if (mount("tmpfs", pl->stage, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") < 0)
                sbx_child_fail(pl, SBX_STAGE_MOUNT);
        if (mkdir(pl->stage_old, 0700) < 0)
                sbx_child_fail(pl, SBX_STAGE_MOUNT);
        if (syscall(SYS_pivot_root, pl->stage, pl->stage_old) < 0) {
                /*
                 * Docker's and containerd's default seccomp profiles refuse pivot_root even
                 * with CAP_SYS_ADMIN (and it fails under a chroot). Do what runc's no-pivot
                 * mode does: keep the old root reachable under oldroot, move the tmpfs onto
                 * "/" and chroot into it. Escaping a chroot needs chroot(2) or a descriptor
                 * outside it: the program gets neither (no capabilities, no such call in the
                 * allow-list, every descriptor closed), and oldroot is detached below.
                 */
                if (mount("/", pl->stage_old, NULL, MS_BIND | MS_REC, NULL) < 0 ||
                    chdir(pl->stage) < 0 || mount(pl->stage, "/", NULL, MS_MOVE, NULL) < 0 ||
                    chroot(".") < 0)
                        sbx_child_fail(pl, SBX_STAGE_MOUNT);
        }
        if (chdir("/") < 0)
                sbx_child_fail(pl, SBX_STAGE_MOUNT);

        for (unsigned i = 0; i < pl->n_binds; i++) {
                const struct sbx_bind *b = &pl->binds[i];
                if (b->target[0]) {
                        if (symlink(b->target, b->path) < 0)
                                sbx_child_fail(pl, SBX_STAGE_MOUNT);
                        continue;
                }
                if (mkdir_p(b->path, 0755) < 0 ||
                    bind_host(b->path, true, MS_RDONLY | MS_NOSUID | MS_NODEV) < 0)
                        sbx_child_fail(pl, SBX_STAGE_MOUNT);
        }

        if (mkdir("/proc", 0555) < 0)
                sbx_child_fail(pl, SBX_STAGE_PROC);
        /* our own pid namespace's /proc: the host's processes are not in it */
        if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                sbx_child_fail(pl, SBX_STAGE_PROC);
        setup_dev(pl);
        if (mkdir("/tmp", 01777) < 0 ||
            mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, pl->tmp_opts) < 0)
                sbx_child_fail(pl, SBX_STAGE_MOUNT);

        if (mkdir_p(pl->workdir, 0755) < 0)
                sbx_child_fail(pl, SBX_STAGE_MOUNT);
        if (pl->work == SBX_WORK_AREA)
                *area = setup_work_area(pl, copied);
        else if (bind_host(pl->workdir, false, MS_NOSUID | MS_NODEV | MS_RDONLY) < 0)
                sbx_child_fail(pl, SBX_STAGE_MOUNT);

        if (umount2("/oldroot", MNT_DETACH) < 0 || rmdir("/oldroot") < 0)
                sbx_child_fail(pl, SBX_STAGE_MOUNT);
        if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
                sbx_child_fail(pl, SBX_STAGE_MOUNT);
}
