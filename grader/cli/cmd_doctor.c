/* SPDX-License-Identifier: MIT */
/* `grader doctor`: which isolation layers are active here, and a self-test. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "session.h"
#include "language.h"
#include "sandbox.h"
#include "selftest.h"

static const char help[] =
        "usage: grader doctor [--languages FILE] [--no-selftest] [--no-namespaces]\n"
        "\n"
        "Print which isolation layers the sandbox uses on this machine as this user, then\n"
        "compile and run a tiny program in C, C++, Python 3 (and Java when installed) in the\n"
        "sandbox. Exit status 0 when every required check passes, 1 otherwise.\n";

static void layer(const char *name, bool on, const char *why_off)
{
        printf("  %-34s %s%s%s\n", name, on ? "on" : "OFF", on ? "" : "  ", on ? "" : why_off);
}

static const char *fact(enum sbx_fact f, const char *yes, const char *no)
{
        return f == SBX_FACT_YES  ? yes
               : f == SBX_FACT_NO ? no
                                  : "unknown (the probe could not run)";
}

/* Without namespaces, say plainly what still holds and what does not (docs/sandbox.md). */
static void weakest_mode(void)
{
        printf("without namespaces (the weakest mode):\n"
               "  bounded:     CPU time and memory of the run (every process the program starts\n"
               "               stays below the keeper, its subreaper), output, the size of each\n"
               "               file (--output), processes, open files, system calls (seccomp)\n"
               "  NOT bounded: disk: no work area, so --disk does not apply and the program\n"
               "               writes into the work dir and /tmp of the host, as many files as\n"
               "               its time allows; files it leaves in the work dir stay there\n"
               "  NOT hidden:  the host's files (what this uid may read) and processes (the\n"
               "               network stays out of reach: socket() is refused); a process\n"
               "               that leaves the keeper's process group can outlive a killed run\n"
               "  use it only for trusted code or benchmarks\n");
}

/* What the kernel itself allows, outside any sandbox: why a layer is off, or why an attack
 * ends as RE rather than SV on this machine. */
static void kernel_facts(void)
{
        struct sbx_kernel_facts k;
        sbx_kernel_probe(&k);
        static const char *const cg[] = {"none", "v1", "hybrid (v1, with v2 at unified/)", "v2"};
        printf("kernel %s:\n", k.release);
        printf("  %-34s %s\n", "i386 system calls (int 0x80)",
               fact(k.ia32, "on (the sandbox's filter refuses them: SV)",
                    "off (the kernel kills them with SIGSEGV: RE)"));
        printf("  %-34s %s\n", "x32 system calls",
               fact(k.x32, "on (the sandbox's filter refuses them: SV)",
                    "off (the filter refuses them first: SV)"));
        char uring[96];
        snprintf(uring, sizeof(uring), "%s, kernel.io_uring_disabled %s%ld",
                 fact(k.io_uring, "on", "off"), k.io_uring_disabled < 0 ? "absent " : "",
                 k.io_uring_disabled < 0 ? 0L : k.io_uring_disabled);
        printf("  %-34s %s (the filter refuses it either way)\n", "io_uring", uring);
        printf("  %-34s %s%s%s\n", "unprivileged user namespaces",
               fact(k.unpriv_userns, "allowed", "refused"), k.unpriv_userns_why[0] ? ": " : "",
               k.unpriv_userns_why);
        printf("  %-34s %s\n", "pivot_root",
               fact(k.pivot_root, "works", "refused (the sandbox uses its chroot fallback)"));
        printf("  %-34s %s\n", "seccomp user notification",
               fact(k.seccomp_notify, "yes (forbidden calls are named)",
                    "no (a forbidden call kills the program unnamed)"));
        printf("  %-34s %s (the sandbox does not need cgroups)\n", "cgroup hierarchy",
               cg[k.cgroup]);
}

static void selftest_line(void *ctx, const struct grd_selftest_line *l)
{
        (void)ctx;
        if (l->seconds > 0)
                printf("  %-8s %s (%.2f s)%s%s\n", l->language, l->status, l->seconds,
                       l->why[0] ? ": " : "", l->why);
        else
                printf("  %-8s %s (%s)\n", l->language, l->status, l->why);
        fflush(stdout);
}

int grd_cmd_doctor(int argc, char **argv)
{
        static const struct option opts[] = {{"languages", required_argument, NULL, 'l'},
                                             {"no-selftest", no_argument, NULL, 'n'},
                                             {"no-namespaces", no_argument, NULL, 'N'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
        const char *lang_path = NULL;
        bool selftest = true;
        struct sbx_policy_opts popts = {0};
        if (grd_uid_base_from_env(&popts.uid_base) != 0)
                return GRD_EXIT_USAGE;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case 'l':
                        lang_path = optarg;
                        break;
                case 'n':
                        selftest = false;
                        break;
                case 'N':
                        popts.no_namespaces = true;
                        break;
                case 'h':
                        fputs(help, stdout);
                        return GRD_EXIT_OK;
                default:
                        fputs(help, stderr);
                        return GRD_EXIT_USAGE;
                }
        }
        char err[512];
        struct sbx_policy *p;
        int r = sbx_policy_new(&popts, &p, err, sizeof(err));
        if (r < 0)
                return grd_error("doctor: the sandbox cannot start here: %s", err);
        struct sbx_layers l;
        sbx_policy_layers(p, &l);
        printf("grader %s, running as uid %u\n", GRADER_VERSION, (unsigned)geteuid());
        printf("mode: %s\n", l.privileged ? "privileged (root): every layer"
                             : l.user_ns  ? "unprivileged, with a user namespace"
                                          : "unprivileged, without namespaces (weakest)");
        printf("isolation layers:\n");
        const char *nons = l.privileged || l.user_ns
                                   ? ""
                                   : "(needs root with CAP_SYS_ADMIN, or user namespaces)";
        layer("pid namespace (no survivors)", l.pid_ns, nons);
        layer("mount namespace (read-only root)", l.mount_ns, nons);
        layer("network namespace (no network)", l.net_ns, nons);
        layer("ipc and uts namespaces", l.ipc_ns && l.uts_ns, nons);
        layer("user namespace", l.user_ns, l.privileged ? "(not needed: root)" : nons);
        layer("own uid per slot", l.uid_per_slot, "(needs root: runs share this uid)");
        layer("seccomp allow-list", l.seccomp, "");
        layer("named forbidden calls (notify)", l.seccomp_notify, "(kernel older than 5.0)");
        layer("capabilities dropped", l.caps_dropped, "");
        layer("no_new_privs", l.no_new_privs, "");
        layer("rlimits", l.rlimits, "");
        layer("private work area (--disk)", l.work_area, nons);
        if (!l.work_area)
                weakest_mode();
        kernel_facts();
        int rc = GRD_EXIT_OK;
        if (selftest) {
                struct grd_languages *langs;
                if (grd_languages_load(lang_path, &langs, err, sizeof(err)) < 0) {
                        sbx_policy_free(p);
                        return grd_error("doctor: %s", err);
                }
                unsigned slot = 0;
                int lock = -1;
                r = sbx_slot_acquire(p, 0, GRD_SLOT_COUNT, &slot, &lock);
                if (r < 0) {
                        grd_languages_free(langs);
                        sbx_policy_free(p);
                        return grd_error("doctor: no free sandbox slot: %s", strerror(-r));
                }
                printf("self-test:\n");
                fflush(stdout);
                char why[512];
                int failed = grd_selftest(p, langs, slot, selftest_line, NULL, why, sizeof(why));
                if (failed != 0) {
                        printf("self-test FAILED: %s\n", why);
                        rc = GRD_EXIT_FAIL;
                } else {
                        printf("self-test passed\n");
                }
                sbx_slot_release(lock);
                grd_languages_free(langs);
        }
        sbx_policy_free(p);
        return rc;
}
