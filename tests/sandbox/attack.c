/* SPDX-License-Identifier: MIT */
/*
 * Hostile programs for the sandbox's attack tests: `attack NAME [ARG]` does one bad thing and
 * prints what it managed, so the test can assert both the status and that nothing leaked.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv);

static void *idle(void *arg)
{
        (void)arg;
        for (;;)
                pause();
        return NULL;
}

static int fork_bomb(void)
{
        unsigned long made = 0;
        for (;;) {
                pid_t p = fork();
                if (p == 0) {
                        for (;;)
                                pause();
                }
                if (p > 0 && ++made % 1000 == 0) {
                        printf("forked %lu\n", made);
                        fflush(stdout);
                }
        }
        return 0;
}

static int thread_bomb(void)
{
        unsigned long made = 0;
        for (;;) {
                pthread_t t;
                /* a bomb does not give up when creation fails */
                if (pthread_create(&t, NULL, idle, NULL) == 0)
                        made++;
        }
        return 0;
}

static int memory_malloc(void)
{
        for (size_t total = 0;; total += 1 << 20) {
                char *p = malloc(1 << 20);
                if (!p)
                        return 3;
                memset(p, 1, 1 << 20);
        }
}

static int memory_mmap(void)
{
        for (;;) {
                char *p = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                               -1, 0);
                if (p == MAP_FAILED)
                        return 3;
                for (size_t i = 0; i < (64u << 20); i += 4096)
                        p[i] = 1;
        }
}

static int recurse(int depth)
{
        volatile char pad[4096];
        pad[0] = (char)depth;
        pad[4095] = (char)depth;
        return recurse(depth + 1) + pad[0] + pad[4095];
}

static int cpu_burn(void)
{
        volatile unsigned long x = 0;
        for (;;)
                x++;
        return 0;
}

static int flood(int fd)
{
        static char buf[1 << 16];
        memset(buf, 'x', sizeof(buf));
        for (;;) {
                if (write(fd, buf, sizeof(buf)) < 0)
                        return 3;
        }
}

static int disk_fill(void)
{
        static char buf[1 << 16];
        int fd = open("fill.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0)
                return 3;
        for (;;) {
                if (write(fd, buf, sizeof(buf)) < 0) {
                        printf("write failed: %s\n", strerror(errno));
                        return 4;
                }
        }
}

static int read_file(const char *path)
{
        int fd = open(path, O_RDONLY);
        if (fd < 0) {
                printf("denied %s: %s\n", path, strerror(errno));
                return 0;
        }
        char buf[256];
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        printf("READ %s: %zd bytes\n", path, n);
        return 0;
}

static int write_file(const char *path)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
                printf("denied %s: %s\n", path, strerror(errno));
                return 0;
        }
        if (write(fd, "pwned\n", 6) != 6)
                printf("short write\n");
        close(fd);
        printf("WROTE %s\n", path);
        return 0;
}

static int net_connect(const char *port)
{
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0) {
                printf("no socket: %s\n", strerror(errno));
                return 0;
        }
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
                printf("no connection: %s\n", strerror(errno));
                return 0;
        }
        printf("CONNECTED\n");
        return 0;
}

static int do_ptrace(void)
{
        long r = ptrace(PTRACE_ATTACH, getppid(), NULL, NULL);
        printf("ptrace returned %ld (%s)\n", r, strerror(errno));
        return 0;
}

static int do_vm_readv(void)
{
        char buf[16];
        struct iovec local = {buf, sizeof(buf)}, remote = {(void *)0x400000, sizeof(buf)};
        long r = process_vm_readv(getppid(), &local, 1, &remote, 1, 0);
        printf("process_vm_readv returned %ld (%s)\n", r, strerror(errno));
        return 0;
}

static int kill_all(void)
{
        kill(-1, SIGKILL);
        kill(getppid(), SIGKILL);
        kill(1, SIGKILL);
        printf("still here\n");
        return 0;
}

/* Leave a grandchild behind in its own session; it writes a marker if it survives. */
static int escape(const char *marker)
{
        pid_t p = fork();
        if (p < 0) {
                printf("fork failed: %s\n", strerror(errno));
                return 0;
        }
        if (p == 0) {
                setsid();
                if (fork() == 0) {
                        sleep(2);
                        int fd = open(marker, O_WRONLY | O_CREAT, 0644);
                        if (fd >= 0)
                                close(fd);
                        for (;;)
                                pause();
                }
                _exit(0);
        }
        waitpid(p, NULL, 0);
        printf("left a grandchild behind\n");
        return 0;
}

static int scan_fds(void)
{
        int found = 0;
        for (int fd = 3; fd < 4096; fd++) {
                if (fcntl(fd, F_GETFD) >= 0) {
                        printf("LEAKED fd %d\n", fd);
                        found++;
                }
        }
        printf("%d inherited descriptors\n", found);
        return 0;
}

static int i386_abi(void)
{
        long r;
        /* getpid through the 32-bit entry point: eax = 20 */
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
        printf("int 0x80 returned %ld\n", r);
        return 0;
}

static int x32_abi(void)
{
        long r = syscall(39 | 0x40000000L); /* getpid with the x32 bit */
        printf("x32 syscall returned %ld (%s)\n", r, strerror(errno));
        return 0;
}

static int uring(void)
{
        struct io_uring_params p;
        memset(&p, 0, sizeof(p));
        long r = syscall(__NR_io_uring_setup, 4, &p);
        printf("io_uring_setup returned %ld (%s)\n", r, strerror(errno));
        return 0;
}

static int do_unshare(void)
{
        int r = unshare(CLONE_NEWUSER | CLONE_NEWNS);
        printf("unshare returned %d (%s)\n", r, strerror(errno));
        return 0;
}

static int do_mount(void)
{
        int r = mount("none", "/tmp", "tmpfs", 0, NULL);
        printf("mount returned %d (%s)\n", r, strerror(errno));
        return 0;
}

static int environ_of(const char *pid)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%s/environ", pid);
        int fd = open(path, O_RDONLY);
        if (fd < 0) {
                printf("denied %s: %s\n", path, strerror(errno));
                return 0;
        }
        char buf[65536];
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        if (n < 0) {
                printf("denied %s: %s\n", path, strerror(errno));
                return 0;
        }
        for (ssize_t i = 0; i < n; i++)
                if (buf[i] == '\0')
                        buf[i] = '\n';
        buf[n > 0 ? n : 0] = '\0';
        printf("ENV %s:\n%s\n", path, buf);
        return 0;
}

/* Which network namespace is this, and which interfaces does it have? */
static int netns(void)
{
        char buf[128];
        ssize_t n = readlink("/proc/self/ns/net", buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = '\0';
        printf("ns %s\n", buf);
        FILE *f = fopen("/proc/net/dev", "r");
        char line[512];
        while (f && fgets(line, sizeof(line), f)) {
                char *colon = strchr(line, ':');
                if (!colon)
                        continue;
                *colon = '\0';
                char *name = line;
                while (*name == ' ')
                        name++;
                printf("if %s\n", name);
        }
        if (f)
                fclose(f);
        return 0;
}

static int list_pids(void)
{
        /* every process this program can see */
        int n = 0;
        for (int pid = 1; pid < 4194304 && n < 100; pid++) {
                if (kill(pid, 0) == 0 || errno == EPERM) {
                        printf("pid %d\n", pid);
                        n++;
                }
                if (pid > 100000)
                        break;
        }
        return 0;
}

/* --- the second round: the whole run, the work area, the host ----------------------------- */

static void burn_for(double seconds)
{
        struct timespec t0, t;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
        volatile unsigned long x = 0;
        do {
                for (int i = 0; i < 1000000; i++)
                        x++;
                clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
        } while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
}

static void sleep_for(double seconds)
{
        struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* Block until every holder of the pipe's write end is gone: a wait that is not wait(). */
static void until_closed(int p[2])
{
        close(p[1]);
        char c;
        while (read(p[0], &c, 1) > 0 || errno == EINTR)
                ;
}

/* n children burn CPU and are never waited for; the parent outlives them, then exits 0. */
static int spawn_burn(int n, double seconds)
{
        int p[2];
        if (pipe(p) < 0)
                return 3;
        for (int i = 0; i < n; i++) {
                pid_t c = fork();
                if (c == 0) {
                        burn_for(seconds);
                        _exit(0);
                }
                if (c < 0)
                        printf("fork failed: %s\n", strerror(errno));
        }
        until_closed(p);
        printf("parent done\n");
        return 0;
}

/* A double fork: the grandchild, an orphan (reparented to the keeper), burns CPU. */
static int orphan_burn(double seconds)
{
        int p[2];
        if (pipe(p) < 0)
                return 3;
        pid_t c = fork();
        if (c == 0) {
                if (fork() == 0) {
                        burn_for(seconds);
                        _exit(0);
                }
                _exit(0);
        }
        waitpid(c, NULL, 0);
        until_closed(p);
        printf("done\n");
        return 0;
}

/* n children each touch mib MiB of their own and hold it a while; the parent waits. */
static int spawn_mem(int n, int mib)
{
        for (int i = 0; i < n; i++) {
                pid_t p = fork();
                if (p == 0) {
                        size_t len = (size_t)mib << 20;
                        volatile char *m = malloc(len);
                        if (!m)
                                _exit(3);
                        for (size_t k = 0; k < len; k += 4096)
                                m[k] = 1; /* touched: resident, and not optimised away */
                        sleep_for(1.5);
                        _exit(0);
                }
        }
        while (wait(NULL) > 0)
                ;
        printf("children done\n");
        return 0;
}

static int sibling_body(void *arg)
{
        burn_for(*(double *)arg);
        return 0;
}

/* A CLONE_PARENT sibling: the keeper's child, not ours, burns CPU while we wait. */
static int clone_parent(double seconds)
{
        static char stack[1 << 16] __attribute__((aligned(16)));
        int p[2];
        if (pipe(p) < 0)
                return 3;
        pid_t c = clone(sibling_body, stack + sizeof(stack), CLONE_PARENT | SIGCHLD, &seconds);
        if (c < 0)
                printf("clone failed: %s\n", strerror(errno));
        until_closed(p);
        printf("done\n");
        return 0;
}

/* Build a tree depth levels deep, every 500th directory made unreadable at the end. */
static int deep_tree(int depth)
{
        int locked[64], n_locked = 0, made = 0;
        for (; made < depth; made++) {
                if (mkdir("d", 0755) < 0 || chdir("d") < 0)
                        break;
                if (made % 500 == 499 && n_locked < 64)
                        locked[n_locked++] = open(".", O_RDONLY | O_DIRECTORY);
        }
        for (int i = 0; i < n_locked; i++)
                if (locked[i] >= 0)
                        fchmod(locked[i], 0);
        printf("built %d levels\n", made);
        return 0;
}

static int do_fallocate(void)
{
        int fd = open("big", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
                printf("open failed: %s\n", strerror(errno));
                return 0;
        }
        if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 200 << 20) < 0)
                printf("fallocate refused: %s\n", strerror(errno));
        else
                printf("fallocate allocated 200 MiB\n");
        return 0;
}

/* n files of size bytes each in the work dir; how much got written. */
static int many_files(int n, long size)
{
        static char buf[1 << 16];
        memset(buf, 'y', sizeof(buf));
        long long total = 0;
        for (int i = 0; i < n; i++) {
                char name[32];
                snprintf(name, sizeof(name), "file%d", i);
                int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
                if (fd < 0)
                        break;
                for (long left = size; left > 0;) {
                        ssize_t k = write(fd, buf,
                                          left < (long)sizeof(buf) ? (size_t)left : sizeof(buf));
                        if (k <= 0) {
                                printf("write failed after %lld bytes: %s\n", total,
                                       strerror(errno));
                                return 1;
                        }
                        left -= k;
                        total += k;
                }
                close(fd);
        }
        printf("wrote %lld bytes\n", total);
        return 0;
}

/* What stdin is, and whether it can be reopened for writing. */
static int stdin_rewrite(void)
{
        char link[512];
        ssize_t n = readlink("/proc/self/fd/0", link, sizeof(link) - 1);
        link[n > 0 ? n : 0] = '\0';
        printf("stdin is %s\n", link);
        int fd = open("/proc/self/fd/0", O_RDWR);
        if (fd < 0) {
                printf("reopen refused: %s\n", strerror(errno));
                return 0;
        }
        if (pwrite(fd, "PWNED\n", 6, 0) == 6)
                printf("REWROTE stdin\n");
        return 0;
}

/* Copy ourselves to ./minted and try to make it set-id, two ways. */
static int mint(void)
{
        int in = open("/proc/self/exe", O_RDONLY);
        int out = open("minted", O_WRONLY | O_CREAT | O_TRUNC, 0755);
        char buf[65536];
        ssize_t n;
        while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
                if (write(out, buf, (size_t)n) != n)
                        break;
        if (out >= 0)
                close(out);
        if (chmod("minted", 06755) < 0)
                printf("chmod refused: %s\n", strerror(errno));
        int fd = open("minted-at-birth", O_WRONLY | O_CREAT | O_EXCL, 04755);
        if (fd < 0)
                printf("create refused: %s\n", strerror(errno));
        struct stat st;
        if (stat("minted", &st) == 0)
                printf("minted mode %o\n", st.st_mode & 07777);
        return 0;
}

static void print_cmdline(const char *path)
{
        char buf[4096];
        int fd = open(path, O_RDONLY);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
        if (n < 0) {
                printf("%s: unreadable\n", path);
                return;
        }
        for (ssize_t i = 0; i < n; i++)
                if (buf[i] == '\0')
                        buf[i] = ' ';
        buf[n] = '\0';
        printf("%s: [%s]\n", path, buf);
}

/* The keeper's argv and name, and our parent's. */
static int cmdline(void)
{
        char path[64];
        print_cmdline("/proc/1/cmdline");
        print_cmdline("/proc/1/comm");
        snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)getppid());
        print_cmdline(path);
        return 0;
}

/* Fill as many pipes as we can open, each grown to 1 MiB if allowed. */
static int pipe_hog(void)
{
        static char buf[1 << 16];
        long long held = 0;
        int grown = 0;
        for (;;) {
                int p[2];
                if (pipe(p) < 0)
                        break;
                if (fcntl(p[1], F_SETPIPE_SZ, 1 << 20) >= 0)
                        grown++;
                fcntl(p[1], F_SETFL, O_NONBLOCK);
                ssize_t k;
                while ((k = write(p[1], buf, sizeof(buf))) > 0)
                        held += k;
        }
        printf("grown %d pipes, held %lld bytes\n", grown, held);
        return 0;
}

static int raise_signal(int sig)
{
        printf("raising %d\n", sig);
        raise(sig);
        return 0;
}

/* A filter of our own that answers ptrace with EPERM, then ptrace: does the sandbox see it? */
static int own_filter(const char *how)
{
        struct sock_filter f[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ptrace, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        long r = !strcmp(how, "prctl") ? prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)
                                       : syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
        printf("own filter: %s\n", r == 0 ? "installed" : strerror(errno));
        r = ptrace(PTRACE_ATTACH, getppid(), NULL, NULL);
        printf("ptrace returned %ld (%s)\n", r, strerror(errno));
        return 0;
}

/* Is the file's first page in the page cache? (run outside the sandbox, by the test) */
static int residency(const char *path)
{
        int fd = open(path, O_RDONLY);
        void *m = fd >= 0 ? mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
        unsigned char v = 0;
        if (m == MAP_FAILED || mincore(m, 4096, &v) < 0) {
                printf("unknown\n");
                return 1;
        }
        printf("%s\n", v & 1 ? "resident" : "evicted");
        return 0;
}

static int do_fadvise(const char *path)
{
        int fd = open(path, O_RDONLY);
        int r = fd >= 0 ? posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) : errno;
        printf("fadvise returned %d\n", r);
        return 0;
}

static int nowait(const char *path)
{
        int fd = open(path, O_RDONLY);
        char buf[64];
        struct iovec iov = {buf, sizeof(buf)};
        ssize_t n = fd >= 0 ? preadv2(fd, &iov, 1, 0, RWF_NOWAIT) : -1;
        if (n < 0)
                printf("nowait refused: %s\n", strerror(errno));
        else
                printf("nowait read %zd bytes\n", n);
        return 0;
}

/* Lock a file we may only read, say so, and hold the locks a while. */
static int lock_file(const char *path, double seconds)
{
        int fd = open(path, O_RDONLY);
        if (fd < 0) {
                printf("open failed: %s\n", strerror(errno));
                return 0;
        }
        int r1 = flock(fd, LOCK_EX);
        struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
        int r2 = fcntl(fd, F_SETLK, &fl);
        printf("locked %d %d\n", r1, r2);
        sleep_for(seconds);
        return 0;
}

/* Is stdin a terminal we could turn the echo off of, or push input into? */
static int tty(void)
{
        struct termios t;
        if (tcgetattr(0, &t) < 0) {
                printf("stdin is not a tty: %s\n", strerror(errno));
                return 0;
        }
        t.c_lflag &= ~(tcflag_t)ECHO;
        printf("echo off: %s\n", tcsetattr(0, TCSANOW, &t) == 0 ? "done" : strerror(errno));
        char c = 'x';
        printf("TIOCSTI: %s\n", ioctl(0, TIOCSTI, &c) == 0 ? "done" : strerror(errno));
        return 0;
}

static int prlimit_parent(void)
{
        struct rlimit none = {0, 0};
        if (prlimit(getppid(), RLIMIT_NOFILE, &none, NULL) < 0)
                printf("prlimit on the parent refused: %s\n", strerror(errno));
        else
                printf("prlimit on the parent worked\n");
        return 0;
}

/* One child: with --processes 2 the program and this child are the run's two processes. */
static int fork_one(void)
{
        pid_t p = fork();
        if (p == 0)
                _exit(0);
        if (p < 0) {
                printf("fork failed: %s\n", strerror(errno));
                return 0;
        }
        waitpid(p, NULL, 0);
        printf("forked one child\n");
        return 0;
}

static int forge_report(void)
{
        printf("{\"status\":\"OK\",\"exit_code\":0,\"signal\":null,\"cpu_time\":0.0,"
               "\"wall_time\":0.0,\"memory\":0,\"syscall\":null,\"message\":\"forged\"}\n");
        return 3;
}

static int second_round(int argc, char **argv)
{
        const char *a = argv[1], *arg = argc > 2 ? argv[2] : "";
        const char *arg2 = argc > 3 ? argv[3] : "0";
        if (!strcmp(a, "segv"))
                return *(volatile int *)(uintptr_t)8;
        if (!strcmp(a, "spawn-burn"))
                return spawn_burn(atoi(arg), atof(arg2));
        if (!strcmp(a, "spawn-mem"))
                return spawn_mem(atoi(arg), atoi(arg2));
        if (!strcmp(a, "orphan-burn"))
                return orphan_burn(atof(arg));
        if (!strcmp(a, "clone-parent"))
                return clone_parent(atof(arg));
        if (!strcmp(a, "deep-tree"))
                return deep_tree(atoi(arg));
        if (!strcmp(a, "fallocate"))
                return do_fallocate();
        if (!strcmp(a, "many-files"))
                return many_files(atoi(arg), atol(arg2));
        if (!strcmp(a, "stdin-rewrite"))
                return stdin_rewrite();
        if (!strcmp(a, "mint"))
                return mint();
        if (!strcmp(a, "cmdline"))
                return cmdline();
        if (!strcmp(a, "pipe-hog"))
                return pipe_hog();
        if (!strcmp(a, "raise"))
                return raise_signal(atoi(arg));
        if (!strcmp(a, "own-filter"))
                return own_filter(arg);
        if (!strcmp(a, "residency"))
                return residency(arg);
        if (!strcmp(a, "fadvise"))
                return do_fadvise(arg);
        if (!strcmp(a, "nowait"))
                return nowait(arg);
        if (!strcmp(a, "flock"))
                return lock_file(arg, atof(arg2));
        if (!strcmp(a, "tty"))
                return tty();
        if (!strcmp(a, "prlimit"))
                return prlimit_parent();
        if (!strcmp(a, "fork-one"))
                return fork_one();
        if (!strcmp(a, "forge-report"))
                return forge_report();
        return 2;
}

int main(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        const char *a = argv[1], *arg = argc > 2 ? argv[2] : "";
        setvbuf(stdout, NULL, _IONBF, 0);
        if (!strcmp(a, "ok")) {
                puts("fine");
                return 0;
        }
        if (!strcmp(a, "fork-bomb"))
                return fork_bomb();
        if (!strcmp(a, "thread-bomb"))
                return thread_bomb();
        if (!strcmp(a, "malloc"))
                return memory_malloc();
        if (!strcmp(a, "mmap"))
                return memory_mmap();
        if (!strcmp(a, "recursion"))
                return recurse(0);
        if (!strcmp(a, "cpu"))
                return cpu_burn();
        if (!strcmp(a, "sleep")) {
                for (;;)
                        pause();
        }
        if (!strcmp(a, "flood-stdout"))
                return flood(1);
        if (!strcmp(a, "flood-stderr"))
                return flood(2);
        if (!strcmp(a, "disk-fill"))
                return disk_fill();
        if (!strcmp(a, "read"))
                return read_file(arg);
        if (!strcmp(a, "write"))
                return write_file(arg);
        if (!strcmp(a, "connect"))
                return net_connect(arg);
        if (!strcmp(a, "ptrace"))
                return do_ptrace();
        if (!strcmp(a, "vm-readv"))
                return do_vm_readv();
        if (!strcmp(a, "kill"))
                return kill_all();
        if (!strcmp(a, "escape"))
                return escape(arg);
        if (!strcmp(a, "fds"))
                return scan_fds();
        if (!strcmp(a, "exec")) {
                execv(arg, argv + 2);
                printf("exec failed: %s\n", strerror(errno));
                return 0;
        }
        if (!strcmp(a, "i386"))
                return i386_abi();
        if (!strcmp(a, "x32"))
                return x32_abi();
        if (!strcmp(a, "io-uring"))
                return uring();
        if (!strcmp(a, "unshare"))
                return do_unshare();
        if (!strcmp(a, "mount"))
                return do_mount();
        if (!strcmp(a, "environ"))
                return environ_of(arg);
        if (!strcmp(a, "netns"))
                return netns();
        if (!strcmp(a, "pids"))
                return list_pids();
        if (!strcmp(a, "exit"))
                return atoi(arg);
        return second_round(argc, argv);
}
