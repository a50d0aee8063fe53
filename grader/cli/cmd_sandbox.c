/* SPDX-License-Identifier: MIT */
/* `grader sandbox`: run any command under limits (docs/sandbox.md). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
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

#define SBX_MAX_ENV_CLI         32
#define SBX_MAX_INTERACTOR_ARGS 64 /* words of --interactor: a command, not a script */

static const char help[] =
        "usage: grader sandbox [OPTIONS] -- PROGRAM [ARG...]\n"
        "\n"
        "Run PROGRAM under limits and report what happened.\n"
        "\n"
        "  --time SECONDS        CPU-time limit of the whole run (float; default 1)\n"
        "  --wall-time SECONDS   wall-clock limit (default 3*time+1)\n"
        "  --memory SIZE         memory limit, bytes with optional K/M/G suffix (default 256M)\n"
        "  --output SIZE         limit on each of stdout and stderr, and on each file the\n"
        "                        program writes (default 64M); more is OLE\n"
        "  --disk SIZE           size of the program's own work area: what it may write\n"
        "                        into its work dir, besides the files it finds there\n"
        "                        (default 64M); a full work area is OLE\n"
        "  --processes N         most processes+threads at once (default 1)\n"
        "  --stdin FILE          fed to stdin through a pipe (default /dev/null)\n"
        "  --stdout FILE         where the program's stdout goes (default: grader's own\n"
        "                        stdout; grader's stderr when the report goes to stdout)\n"
        "  --stderr FILE         where the program's stderr goes (default: grader's own)\n"
        "  --workdir DIR         the program's working directory: it starts with what DIR\n"
        "                        holds, and what it leaves there is copied back into DIR\n"
        "                        (default: a fresh empty folder, removed afterwards);\n"
        "                        --stdout, --stderr and --report must be outside it\n"
        "  --report FILE         the result as one JSON object ('-' = stdout)\n"
        "  --memory-mode MODE    address-space (default) or data: which rlimit backs the\n"
        "                        memory limit (data for runtimes like the JVM)\n"
        "  --open-files N        most open descriptors (default 64)\n"
        "  --env NAME=VALUE      add to the program's clean environment (repeatable)\n"
        "  --no-namespaces       use only the layers that need no privilege\n"
        "  --interactor 'CMD ARGS'\n"
        "                        run CMD (split at spaces; an absolute path or a name in\n"
        "                        PATH) beside PROGRAM, joined by pipes: PROGRAM's stdout is\n"
        "                        CMD's stdin and CMD's stdout is PROGRAM's stdin. CMD runs\n"
        "                        in its own sandbox (own uid and fresh work dir) under the\n"
        "                        same limits; its stderr goes to grader's stderr; the\n"
        "                        wall-clock limit covers both. Not with --stdin or --stdout.\n"
        "                        The report gains \"interactor\" and \"interactor_first\"\n"
        "  --interactor-workdir DIR\n"
        "                        the interactor's work dir, as --workdir is PROGRAM's\n"
        "                        (default: a fresh empty folder); never the same as it\n"
        "  -h, --help            show this help\n"
        "\n"
        "The program sees the host's system directories read-only and the work dir at its own\n"
        "path; nothing else: a program that lives elsewhere must be copied into the work dir.\n"
        "CPU time and memory count every process of the run. The report never shares a stream\n"
        "with the program's output. Exit status: 0 when the status is OK, 1 for any other\n"
        "status (RE TLE MLE OLE SV), 2 for usage or internal error (IE).\n";

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

/* Everything the command line says. */
struct sandbox_args {
        struct sbx_config cfg;
        struct sbx_policy_opts popts;
        const char *in_path, *out_path, *err_path, *report;
        const char *env[SBX_MAX_ENV_CLI + 1];
        char *inter_store; /* --interactor, split in place */
        const char *inter_argv[SBX_MAX_INTERACTOR_ARGS + 1];
        size_t n_env;
        char workdir[4096];
        char inter_workdir[4096];
};

/* The descriptors the command opens before the run, never the program. */
struct sandbox_files {
        int in_fd, out_fd, err_fd;
        FILE *rep;
};

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

/* Is path (an existing file) inside dir (resolved), by its own name or by what it points to? */
static bool inside(const char *path, const char *dir)
{
        char real[PATH_MAX], parent[PATH_MAX], name[PATH_MAX];
        size_t l = strlen(dir);
        if (realpath(path, real) && !strncmp(real, dir, l) && (real[l] == '/' || !real[l]))
                return true;
        cmn_strlcpy(parent, path, sizeof(parent));
        char *slash = strrchr(parent, '/');
        const char *base = slash ? slash + 1 : path;
        if (slash == parent)
                parent[1] = '\0';
        else if (slash)
                *slash = '\0';
        else
                cmn_strlcpy(parent, ".", sizeof(parent));
        if (!realpath(parent, real) || cmn_join(name, sizeof(name), real, base) < 0)
                return false;
        return !strncmp(name, dir, l) && name[l] == '/';
}

/*
 * The program's files are copied back into the work dir when it ends, replacing what is there:
 * a stream or report the grader writes in it could be replaced too. Refuse that.
 * Return: 0, or GRD_EXIT_USAGE after saying which option.
 */
static int check_outside_workdir(const struct sandbox_args *a)
{
        if (!a->workdir[0])
                return 0;
        char dir[PATH_MAX];
        if (cmn_mkdir_p(a->workdir, 0755) < 0 || !realpath(a->workdir, dir))
                return grd_error("--workdir: cannot create '%s': %s", a->workdir, strerror(errno));
        const struct {
                const char *opt, *path;
        } files[] = {{"--stdout", a->out_path}, {"--stderr", a->err_path}, {"--report", a->report}};
        for (size_t i = 0; i < CMN_ARRAY_SIZE(files); i++) {
                const char *p = files[i].path;
                if (p && strcmp(p, "-") != 0 && inside(p, dir))
                        return grd_error("%s: '%s' is inside the work dir '%s', whose content "
                                         "the program's files replace when it ends: give a "
                                         "file outside it",
                                         files[i].opt, p, dir);
        }
        return 0;
}

/* A directory given on the command line, made absolute. Return: 0 or -1. */
static int absolute_dir(const char *arg, char *out, size_t n)
{
        if (arg[0] == '/')
                return cmn_strlcpy(out, arg, n) < n ? 0 : -1;
        char cwd[2048];
        return getcwd(cwd, sizeof(cwd)) && cmn_join(out, n, cwd, arg) == 0 ? 0 : -1;
}

/* --interactor 'CMD ARGS': words split at blanks (no quoting). Return: 0 or -1. */
static int split_interactor(struct sandbox_args *a, const char *arg)
{
        free(a->inter_store);
        a->inter_store = strdup(arg);
        if (!a->inter_store)
                return -1;
        size_t n = 0;
        char *save = NULL;
        for (char *w = strtok_r(a->inter_store, " \t", &save); w;
             w = strtok_r(NULL, " \t", &save)) {
                if (n == SBX_MAX_INTERACTOR_ARGS)
                        return -1;
                a->inter_argv[n++] = w;
        }
        a->inter_argv[n] = NULL;
        return n ? 0 : -1;
}

/* Return: 0, -1 after printing --help, or GRD_EXIT_USAGE after saying what is wrong. */
static int parse_args(int argc, char **argv, struct sandbox_args *a)
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
                OPT_NONS,
                OPT_DISK,
                OPT_INTER,
                OPT_INTER_WORKDIR,
        };
        static const struct option opts[] = {
                {"time", required_argument, NULL, OPT_TIME},
                {"wall-time", required_argument, NULL, OPT_WALL},
                {"memory", required_argument, NULL, OPT_MEM},
                {"output", required_argument, NULL, OPT_OUT},
                {"disk", required_argument, NULL, OPT_DISK},
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
                {"interactor", required_argument, NULL, OPT_INTER},
                {"interactor-workdir", required_argument, NULL, OPT_INTER_WORKDIR},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        struct sbx_limits *lim = &a->cfg.limits;
        unsigned long ul;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
                switch (c) {
                case OPT_TIME:
                        if (cmn_parse_seconds(optarg, &lim->cpu_time) < 0 || lim->cpu_time <= 0)
                                return grd_error("--time: '%s' is not a positive number of "
                                                 "seconds",
                                                 optarg);
                        break;
                case OPT_WALL:
                        if (cmn_parse_seconds(optarg, &lim->wall_time) < 0 || lim->wall_time <= 0)
                                return grd_error("--wall-time: '%s' is not a positive number "
                                                 "of seconds",
                                                 optarg);
                        break;
                case OPT_MEM:
                        if (cmn_parse_size(optarg, &lim->memory) < 0 || lim->memory < (1u << 20))
                                return grd_error("--memory: '%s' is not a size of at least 1M",
                                                 optarg);
                        break;
                case OPT_OUT:
                        if (cmn_parse_size(optarg, &lim->output) < 0)
                                return grd_error("--output: '%s' is not a size", optarg);
                        break;
                case OPT_DISK:
                        if (cmn_parse_size(optarg, &lim->disk) < 0 || lim->disk < (1u << 20))
                                return grd_error("--disk: '%s' is not a size of at least 1M",
                                                 optarg);
                        break;
                case OPT_PROC:
                        if (cmn_parse_uint(optarg, 1, 10000, &ul) < 0)
                                return grd_error("--processes: '%s' is not a number in 1..10000",
                                                 optarg);
                        lim->processes = (unsigned)ul;
                        break;
                case OPT_FILES:
                        if (cmn_parse_uint(optarg, 4, 65536, &ul) < 0)
                                return grd_error("--open-files: '%s' is not a number in "
                                                 "4..65536",
                                                 optarg);
                        lim->open_files = (unsigned)ul;
                        break;
                case OPT_STDIN:
                        a->in_path = optarg;
                        break;
                case OPT_STDOUT:
                        a->out_path = optarg;
                        break;
                case OPT_STDERR:
                        a->err_path = optarg;
                        break;
                case OPT_WORKDIR:
                        if (absolute_dir(optarg, a->workdir, sizeof(a->workdir)) < 0)
                                return grd_error("--workdir: path too long");
                        break;
                case OPT_INTER_WORKDIR:
                        if (absolute_dir(optarg, a->inter_workdir, sizeof(a->inter_workdir)) < 0)
                                return grd_error("--interactor-workdir: path too long");
                        break;
                case OPT_REPORT:
                        a->report = optarg;
                        break;
                case OPT_MEMMODE:
                        if (!strcmp(optarg, "address-space"))
                                lim->memory_mode = SBX_MEMORY_ADDRESS_SPACE;
                        else if (!strcmp(optarg, "data"))
                                lim->memory_mode = SBX_MEMORY_DATA;
                        else
                                return grd_error("--memory-mode: '%s' is not address-space or "
                                                 "data",
                                                 optarg);
                        break;
                case OPT_ENV:
                        if (!strchr(optarg, '=') || optarg[0] == '=')
                                return grd_error("--env: '%s' is not NAME=VALUE", optarg);
                        if (a->n_env == SBX_MAX_ENV_CLI)
                                return grd_error("--env: too many variables");
                        a->env[a->n_env++] = optarg;
                        break;
                case OPT_NONS:
                        a->popts.no_namespaces = true;
                        break;
                case OPT_INTER:
                        if (split_interactor(a, optarg) < 0)
                                return grd_error("--interactor: '%s' is not a command of at most "
                                                 "%d words",
                                                 optarg, SBX_MAX_INTERACTOR_ARGS);
                        break;
                case 'h':
                        fputs(help, stdout);
                        return -1;
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
        a->cfg.argv = (const char *const *)(argv + optind);
        a->cfg.env = a->n_env ? a->env : NULL;
        a->cfg.workdir = a->workdir[0] ? a->workdir : NULL;
        if (a->inter_workdir[0] && !strcmp(a->inter_workdir, a->workdir))
                return grd_error("--interactor-workdir: '%s' is PROGRAM's work dir too: the "
                                 "two sides never share files",
                                 a->inter_workdir);
        if (a->inter_argv[0] && (a->in_path || a->out_path))
                return grd_error("--interactor: PROGRAM's stdin and stdout are the "
                                 "interactor's pipes: drop --stdin and --stdout");
        return 0;
}

/* Open --stdin, --stdout, --stderr and --report. Return: 0 or GRD_EXIT_USAGE. */
static int open_files(struct sandbox_args *a, struct sandbox_files *f)
{
        if (check_outside_workdir(a) != 0)
                return GRD_EXIT_USAGE;
        if (a->in_path && (f->in_fd = open(a->in_path, O_RDONLY | O_CLOEXEC)) < 0)
                return grd_error("--stdin: cannot open '%s': %s", a->in_path, strerror(errno));
        if (a->out_path && open_out(a->out_path, &f->out_fd) < 0)
                return grd_error("--stdout: cannot open '%s': %s", a->out_path, strerror(errno));
        if (a->err_path && open_out(a->err_path, &f->err_fd) < 0)
                return grd_error("--stderr: cannot open '%s': %s", a->err_path, strerror(errno));
        if (a->report && strcmp(a->report, "-") != 0 && !(f->rep = fopen(a->report, "we")))
                return grd_error("--report: cannot open '%s': %s", a->report, strerror(errno));
        struct sbx_config *cfg = &a->cfg;
        cfg->stdin_fd = f->in_fd;
        if (f->out_fd >= 0)
                cfg->stdout_fd = f->out_fd;
        else if (a->report && !strcmp(a->report, "-"))
                cfg->stdout_fd = STDERR_FILENO; /* stdout carries the report alone */
        if (f->err_fd >= 0)
                cfg->stderr_fd = f->err_fd;
        /* A report the program could write into, or print a forged one ahead of, is worth
         * nothing: refuse to put them on one file (a terminal the user shares is theirs). */
        int rep_fd = f->rep ? fileno(f->rep) : a->report ? STDOUT_FILENO : -1;
        if (rep_fd >= 0 && !isatty(rep_fd) &&
            ((f->out_fd >= 0 && same_file(rep_fd, f->out_fd)) ||
             (f->err_fd >= 0 && same_file(rep_fd, f->err_fd))))
                return grd_error("--report: '%s' is the file the program's output goes to: give "
                                 "them different files",
                                 a->report);
        return 0;
}

static void print_report(const struct sbx_result *res, const struct sbx_pair_result *pr, FILE *f)
{
        json_t *o = report_json(res);
        if (pr) {
                json_object_set_new(o, "interactor", report_json(&pr->interactor));
                json_object_set_new(o, "interactor_first", json_boolean(pr->interactor_first));
        }
        char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
        json_decref(o);
        fprintf(f, "%s\n", s ? s : "{}");
        fflush(f);
        free(s);
}

/* The program and --interactor, each with a slot of its own. Return: 0 or -errno. */
static int run_pair(const struct sbx_policy *policy, const struct sandbox_args *a,
                    struct sbx_pair_result *pr, int *inter_slot_fd)
{
        struct sbx_pair pair = {.program = a->cfg, .interactor = a->cfg};
        struct sbx_config *ic = &pair.interactor;
        ic->argv = a->inter_argv;
        ic->workdir = a->inter_workdir[0] ? a->inter_workdir : NULL;
        ic->stderr_fd = STDERR_FILENO;
        int r = sbx_slot_acquire(policy, GRD_SLOT_COUNT, GRD_SLOT_COUNT, &ic->slot, inter_slot_fd);
        if (r < 0)
                return r;
        return sbx_run_pair(policy, &pair, NULL, pr);
}

/* Make the policy, take a slot, run, report. Return: the exit status. */
static int run_and_report(struct sandbox_args *a, struct sandbox_files *f)
{
        char err[256];
        struct sbx_policy *policy = NULL;
        int slot_fd = -1, inter_slot_fd = -1, rc = GRD_EXIT_USAGE;
        int r = sbx_policy_new(&a->popts, &policy, err, sizeof(err));
        if (r < 0) {
                grd_error("sandbox: %s", err[0] ? err : strerror(-r));
                return GRD_EXIT_USAGE;
        }
        r = sbx_slot_acquire(policy, 0, GRD_SLOT_COUNT, &a->cfg.slot, &slot_fd);
        if (r < 0) {
                grd_error("sandbox: no free sandbox slot: %s", strerror(-r));
                goto out;
        }
        struct sbx_pair_result pr;
        struct sbx_result res;
        if (a->inter_argv[0]) {
                r = run_pair(policy, a, &pr, &inter_slot_fd);
                res = pr.program;
        } else {
                r = sbx_run(policy, &a->cfg, &res);
        }
        if (r < 0) {
                grd_error("sandbox: %s", strerror(-r));
                goto out;
        }
        if (a->report)
                print_report(&res, a->inter_argv[0] ? &pr : NULL, f->rep ? f->rep : stdout);
        if (a->inter_argv[0] && pr.interactor.status == SBX_STATUS_IE)
                grd_error("sandbox: the interactor: internal error: %s", pr.interactor.message);
        if (res.status == SBX_STATUS_IE)
                grd_error("sandbox: internal error: %s", res.message);
        rc = res.status == SBX_STATUS_OK   ? GRD_EXIT_OK
             : res.status == SBX_STATUS_IE ? GRD_EXIT_USAGE
                                           : GRD_EXIT_FAIL;
out:
        sbx_slot_release(inter_slot_fd);
        sbx_slot_release(slot_fd);
        sbx_policy_free(policy);
        return rc;
}

int grd_cmd_sandbox(int argc, char **argv)
{
        struct sandbox_args a;
        memset(&a, 0, sizeof(a));
        a.cfg = (struct sbx_config){
                .stdin_fd = -1, .stdout_fd = STDOUT_FILENO, .stderr_fd = STDERR_FILENO};
        sbx_limits_default(&a.cfg.limits);
        a.popts.single_run = true;
        if (grd_uid_base_from_env(&a.popts.uid_base) != 0)
                return GRD_EXIT_USAGE;
        int rc = parse_args(argc, argv, &a);
        if (rc != 0) {
                free(a.inter_store);
                return rc < 0 ? GRD_EXIT_OK : rc;
        }
        struct sandbox_files f = {.in_fd = -1, .out_fd = -1, .err_fd = -1};
        rc = open_files(&a, &f);
        if (rc == 0)
                rc = run_and_report(&a, &f);
        if (f.rep)
                fclose(f.rep);
        free(a.inter_store);
        int fds[] = {f.in_fd, f.out_fd, f.err_fd};
        for (size_t i = 0; i < CMN_ARRAY_SIZE(fds); i++) {
                if (fds[i] >= 0)
                        close(fds[i]);
        }
        return rc;
}
