/* SPDX-License-Identifier: MIT */
/*
 * Hostile programs for the sandbox's attack tests: `attack NAME [ARG]` does one bad thing and
 * prints what it managed, so the test can assert both the status and that nothing leaked.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
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
        if (!strcmp(a, "segv"))
                return *(volatile int *)(uintptr_t)8;
        return 2;
}
