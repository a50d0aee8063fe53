/* SPDX-License-Identifier: MIT */
/*
 * Descriptors handed from a run's children to the parent over a SOCK_SEQPACKET pair: the
 * program child's seccomp listener, and the keeper's work area and /proc, with a small record
 * (struct sbx_ctl). The sending side runs between clone() and execve(): sendmsg only, no
 * allocation.
 */
#include "sandbox_internal.h"

#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int sbx_send_fds(int sock, const struct sbx_ctl *ctl, const int *fds, int n)
{
        if (n < 0 || n > SBX_FDS_MAX)
                return -1;
        struct iovec iov = {.iov_base = (void *)(uintptr_t)ctl, .iov_len = sizeof(*ctl)};
        union {
                char buf[CMSG_SPACE(SBX_FDS_MAX * sizeof(int))];
                struct cmsghdr align;
        } u;
        memset(&u, 0, sizeof(u));
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
        if (n > 0) {
                msg.msg_control = u.buf;
                msg.msg_controllen = CMSG_SPACE((size_t)n * sizeof(int));
                struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
                memcpy(CMSG_DATA(c), fds, (size_t)n * sizeof(int));
        }
        return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof(*ctl) ? 0 : -1;
}

int sbx_recv_fds(int sock, struct sbx_ctl *ctl, int *fds, int max)
{
        struct iovec iov = {.iov_base = ctl, .iov_len = sizeof(*ctl)};
        union {
                char buf[CMSG_SPACE(SBX_FDS_MAX * sizeof(int))];
                struct cmsghdr align;
        } u;
        struct msghdr msg = {.msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = u.buf,
                             .msg_controllen = sizeof(u.buf)};
        ssize_t got_bytes = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (got_bytes <= 0)
                return -1;
        int n = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
                int got[SBX_FDS_MAX];
                if (k > SBX_FDS_MAX)
                        k = SBX_FDS_MAX; /* a truncated message sets MSG_CTRUNC: never more */
                memcpy(got, CMSG_DATA(c), (size_t)k * sizeof(int));
                for (int i = 0; i < k; i++) {
                        if (n < max)
                                fds[n++] = got[i];
                        else
                                close(got[i]);
                }
        }
        if (got_bytes != (ssize_t)sizeof(*ctl)) {
                for (int i = 0; i < n; i++)
                        close(fds[i]);
                return -2; /* not a message of ours */
        }
        return n;
}
