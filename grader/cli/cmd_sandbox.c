/* SPDX-License-Identifier: MIT */
/* `grader sandbox`: run any command under limits (docs/sandbox.md). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "session.h"
#include "common.h"
#include "sandbox.h"

#define SBX_MAX_ENV_CLI 32

static const char help[] =
        "usage: grader sandbox [OPTIONS] -- PROGRAM [ARG...]\n"
        "\n"
        "Run PROGRAM under limits and report what happened.\n"
        "\n"
        "  --time SECONDS        CPU-time limit (float; default 1)\n"
        "  --wall-time SECONDS   wall-clock limit (default 3*time+1)\n"
        "  --memory SIZE         memory limit, bytes with optional K/M/G suffix (default 256M)\n"
        "  --output SIZE         limit on each of stdout and stderr (default 64M); more is OLE\n"
        "  --processes N         most processes+threads at once (default 1)\n"
        "  --stdin FILE          fed to stdin (default /dev/null)\n"
        "  --stdout FILE         where the program's stdout goes (default: grader's own\n"
        "                        stdout; grader's stderr when the report goes to stdout)\n"
        "  --stderr FILE         where the program's stderr goes (default: grader's own)\n"
        "  --workdir DIR         the program's working directory, its only writable place\n"
        "                        (default: a fresh empty folder, removed afterwards)\n"
        "  --report FILE         the result as one JSON object ('-' = stdout)\n"
        "  --memory-mode MODE    address-space (default) or data: which rlimit backs the\n"
        "                        memory limit (data for runtimes like the JVM)\n"
        "  --open-files N        most open descriptors (default 64)\n"
        "  --env NAME=VALUE      add to the program's clean environment (repeatable)\n"
        "  --no-namespaces       use only the layers that need no privilege\n"
        "  -h, --help            show this help\n"
        "\n"
        "The program sees the host's system directories read-only and the work dir at its own\n"
        "path; nothing else: a program that lives elsewhere must be copied into the work dir.\n"
        "The report never shares a stream with the program's output. Exit status: 0 when the "
        "status is OK, 1 for any other status\n"
        "(RE TLE MLE OLE SV), 2 for usage or internal error (IE).\n";

static json_t *report_json(const struct sbx_result *r)
{
        json_t *o = json_object();
        json_object_set_new(o, "status", json_string(sbx_status_name(r->status)));
        json_object_set_new(o, "exit_code",
                            r->exit_code >= 0 ? json_integer(r->exit_code) : json_null());
        json_object_set_new(o, "signal", r->signal ? json_integer(r->signal) : json_null());
        json_object_set_new(o, "cpu_time", json_real(r->cpu_time));
        json_object_set_new(o, "wall_time", json_real(r->wall_time));
        json_object_set_new(o, "memory", json_integer((json_int_t)r->memory));
        json_object_set_new(o, "syscall", r->syscall[0] ? json_string(r->syscall) : json_null());
        json_object_set_new(o, "message", json_string(r->message));
        return o;
}

static int open_out(const char *path, int *fd)
{
        *fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        return *fd < 0 ? -errno : 0;
}

/* Do two descriptors write to the same file or pipe? */
static bool same_file(int a, int b)
{
        struct stat sa, sb;
        return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
               sa.st_ino == sb.st_ino;
}

int grd_cmd_sandbox(int argc, char **argv)
{
        enum {
                OPT_TIME = 256,
                OPT_WALL,
                OPT_MEM,
                OPT_OUT,
                OPT_PROC,
                OPT_STDIN,
                OPT_STDOUT,
                OPT_STDERR,
                OPT_WORKDIR,
                OPT_REPORT,
                OPT_MEMMODE,
                OPT_FILES,
                OPT_ENV,
                OPT_NONS
        };
        static const struct option opts[] = {
                {"time", required_argument, NULL, OPT_TIME},
                {"wall-time", required_argument, NULL, OPT_WALL},
                {"memory", required_argument, NULL, OPT_MEM},
                {"output", required_argument, NULL, OPT_OUT},
                {"processes", required_argument, NULL, OPT_PROC},
                {"stdin", required_argument, NULL, OPT_STDIN},
                {"stdout", required_argument, NULL, OPT_STDOUT},
                {"stderr", required_argument, NULL, OPT_STDERR},
                {"workdir", required_argument, NULL, OPT_WORKDIR},
                {"report", required_argument, NULL, OPT_REPORT},
                {"memory-mode", required_argument, NULL, OPT_MEMMODE},
                {"open-files", required_argument, NULL, OPT_FILES},
                {"env", required_argument, NULL, OPT_ENV},
                {"no-namespaces", no_argument, NULL, OPT_NONS},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        struct sbx_config cfg = {
                .stdin_fd = -1, .stdout_fd = STDOUT_FILENO, .stderr_fd = STDERR_FILENO};
        sbx_limits_default(&cfg.limits);
        const char *in_path = NULL, *out_path = NULL, *err_path = NULL, *report = NULL;
        const char *env[SBX_MAX_ENV_CLI + 1] = {NULL};
        size_t n_env = 0;
        char workdir[4096] = "";
        struct sbx_policy_opts popts = {.single_run = true};
        if (grd_uid_base_from_env(&popts.uid_base) != 0)
                return GRD_EXIT_USAGE;
        unsigned long ul;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
                switch (c) {
                case OPT_TIME:
                        if (cmn_parse_seconds(optarg, &cfg.limits.cpu_time) < 0 ||
                            cfg.limits.cpu_time <= 0)
                                return grd_error("--time: '%s' is not a positive number of "
                                                 "seconds",
                                                 optarg);
                        break;
                case OPT_WALL:
                        if (cmn_parse_seconds(optarg, &cfg.limits.wall_time) < 0 ||
                            cfg.limits.wall_time <= 0)
                                return grd_error("--wall-time: '%s' is not a positive number "
                                                 "of seconds",
                                                 optarg);
                        break;
                case OPT_MEM:
                        if (cmn_parse_size(optarg, &cfg.limits.memory) < 0 ||
                            cfg.limits.memory < (1u << 20))
                                return grd_error("--memory: '%s' is not a size of at least 1M",
                                                 optarg);
                        break;
                case OPT_OUT:
                        if (cmn_parse_size(optarg, &cfg.limits.output) < 0)
                                return grd_error("--output: '%s' is not a size", optarg);
                        break;
                case OPT_PROC:
                        if (cmn_parse_uint(optarg, 1, 10000, &ul) < 0)
                                return grd_error("--processes: '%s' is not a number in 1..10000",
                                                 optarg);
                        cfg.limits.processes = (unsigned)ul;
                        break;
                case OPT_FILES:
                        if (cmn_parse_uint(optarg, 4, 65536, &ul) < 0)
                                return grd_error("--open-files: '%s' is not a number in "
                                                 "4..65536",
                                                 optarg);
                        cfg.limits.open_files = (unsigned)ul;
                        break;
                case OPT_STDIN:
                        in_path = optarg;
                        break;
                case OPT_STDOUT:
                        out_path = optarg;
                        break;
                case OPT_STDERR:
                        err_path = optarg;
                        break;
                case OPT_WORKDIR:
                        if (optarg[0] == '/') {
                                cmn_strlcpy(workdir, optarg, sizeof(workdir));
                        } else {
                                char cwd[2048];
                                if (!getcwd(cwd, sizeof(cwd)) ||
                                    cmn_join(workdir, sizeof(workdir), cwd, optarg) < 0)
                                        return grd_error("--workdir: path too long");
                        }
                        break;
                case OPT_REPORT:
                        report = optarg;
                        break;
                case OPT_MEMMODE:
                        if (!strcmp(optarg, "address-space"))
                                cfg.limits.memory_mode = SBX_MEMORY_ADDRESS_SPACE;
                        else if (!strcmp(optarg, "data"))
                                cfg.limits.memory_mode = SBX_MEMORY_DATA;
                        else
                                return grd_error("--memory-mode: '%s' is not address-space or "
                                                 "data",
                                                 optarg);
                        break;
                case OPT_ENV:
                        if (!strchr(optarg, '=') || optarg[0] == '=')
                                return grd_error("--env: '%s' is not NAME=VALUE", optarg);
                        if (n_env == SBX_MAX_ENV_CLI)
                                return grd_error("--env: too many variables");
                        env[n_env++] = optarg;
                        break;
                case OPT_NONS:
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
        if (optind >= argc)
                return grd_error("sandbox: no program given (grader sandbox [OPTIONS] -- "
                                 "PROGRAM [ARG...])");
        if (argc - optind > 256)
                return grd_error("sandbox: too many arguments");
        cfg.argv = (const char *const *)(argv + optind);
        cfg.env = n_env ? env : NULL;
        cfg.workdir = workdir[0] ? workdir : NULL;

        int in_fd = -1, out_fd = -1, err_fd = -1, rc = GRD_EXIT_USAGE, slot_fd = -1;
        FILE *rep = NULL;
        struct sbx_policy *policy = NULL;
        if (in_path && (in_fd = open(in_path, O_RDONLY | O_CLOEXEC)) < 0) {
                grd_error("--stdin: cannot open '%s': %s", in_path, strerror(errno));
                goto out;
        }
        if (out_path && open_out(out_path, &out_fd) < 0) {
                grd_error("--stdout: cannot open '%s': %s", out_path, strerror(errno));
                goto out;
        }
        if (err_path && open_out(err_path, &err_fd) < 0) {
                grd_error("--stderr: cannot open '%s': %s", err_path, strerror(errno));
                goto out;
        }
        if (report && strcmp(report, "-") != 0 && !(rep = fopen(report, "we"))) {
                grd_error("--report: cannot open '%s': %s", report, strerror(errno));
                goto out;
        }
        cfg.stdin_fd = in_fd;
        if (out_fd >= 0)
                cfg.stdout_fd = out_fd;
        else if (report && !strcmp(report, "-"))
                cfg.stdout_fd = STDERR_FILENO; /* stdout carries the report alone */
        if (err_fd >= 0)
                cfg.stderr_fd = err_fd;
        /* A report the program could write into, or print a forged one ahead of, is worth
         * nothing: refuse to put them on one file (a terminal the user shares is theirs). */
        int rep_fd = rep ? fileno(rep) : report ? STDOUT_FILENO : -1;
        if (rep_fd >= 0 && !isatty(rep_fd) &&
            ((out_fd >= 0 && same_file(rep_fd, out_fd)) ||
             (err_fd >= 0 && same_file(rep_fd, err_fd)))) {
                grd_error("--report: '%s' is the file the program's output goes to: give them "
                          "different files",
                          report);
                goto out;
        }

        char err[256];
        int r = sbx_policy_new(&popts, &policy, err, sizeof(err));
        if (r < 0) {
                grd_error("sandbox: %s", err[0] ? err : strerror(-r));
                goto out;
        }
        r = sbx_slot_acquire(policy, 0, GRD_SLOT_COUNT, &cfg.slot, &slot_fd);
        if (r < 0) {
                grd_error("sandbox: no free sandbox slot: %s", strerror(-r));
                goto out;
        }
        struct sbx_result res;
        r = sbx_run(policy, &cfg, &res);
        if (r < 0) {
                grd_error("sandbox: %s", strerror(-r));
                goto out;
        }
        if (report) {
                json_t *o = report_json(&res);
                char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
                json_decref(o);
                FILE *f = rep ? rep : stdout;
                fprintf(f, "%s\n", s ? s : "{}");
                fflush(f);
                free(s);
        }
        if (res.status == SBX_STATUS_IE)
                grd_error("sandbox: internal error: %s", res.message);
        rc = res.status == SBX_STATUS_OK   ? GRD_EXIT_OK
             : res.status == SBX_STATUS_IE ? GRD_EXIT_USAGE
                                           : GRD_EXIT_FAIL;
out:
        if (rep)
                fclose(rep);
        if (in_fd >= 0)
                close(in_fd);
        if (out_fd >= 0)
                close(out_fd);
        if (err_fd >= 0)
                close(err_fd);
        sbx_slot_release(slot_fd);
        sbx_policy_free(policy);
        return rc;
}
