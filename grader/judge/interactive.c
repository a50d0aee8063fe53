/* SPDX-License-Identifier: MIT */
/*
 * Interactive and multi-pass problems: the submission and its validator run at once joined by
 * pipes (interactive), and/or again and again on the validator's nextpass.in (multi-pass), each
 * pass a fresh sandbox run of both, the validator's feedback/ carried from pass to pass. Which
 * verdict wins follows Kattis problemtools (docs/problems.md, "Which verdict wins").
 */
#include "validator.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

#define NEXTPASS           "nextpass.in"
#define FEEDBACK_MAX_FILES 64          /* files of a feedback dir carried to the next pass */
#define FEEDBACK_MAX_BYTES (64u << 20) /* and their bytes: a next input may be large */

/* What every pass of one test shares. */
struct passes {
        struct grd_env *env;
        const struct grd_problem *p;
        const struct grd_validator *v;
        const struct grd_compiled *c;
        const struct grd_run_spec *spec;
        const struct grd_test *t;
        char stage[PATH_MAX]; /* holds feedback/ between passes, and the next input */
        char input[PATH_MAX]; /* this pass's input */
};

static bool validator_exited(const struct sbx_result *r)
{
        return r->status == SBX_STATUS_RE &&
               (r->exit_code == GRD_VALIDATOR_EXIT_AC || r->exit_code == GRD_VALIDATOR_EXIT_WA);
}

enum grd_verdict grd_interactive_verdict(const struct sbx_pair_result *r)
{
        const struct sbx_result *sub = &r->program, *val = &r->interactor;
        if (!validator_exited(val)) {
                /* both still running at the pair's wall limit: the submission's deadlock */
                if (val->status == SBX_STATUS_TLE && sub->status == SBX_STATUS_TLE &&
                    !r->interactor_first)
                        return GRD_VERDICT_TLE;
                return GRD_VERDICT_IE;
        }
        if (val->exit_code == GRD_VALIDATOR_EXIT_WA && r->interactor_first)
                return GRD_VERDICT_WA;
        if (sub->status != SBX_STATUS_OK)
                return grd_verdict_of_run(sub->status);
        return val->exit_code == GRD_VALIDATOR_EXIT_AC ? GRD_VERDICT_AC : GRD_VERDICT_WA;
}

/* The validator's run: input, answer and feedback/ (carried over) in a fresh directory. */
static struct grd_run_spec validator_spec(const struct passes *ps, char **args, int err_fd,
                                          const struct grd_run_file *files, char *dir)
{
        const struct grd_problem *p = ps->p;
        return (struct grd_run_spec){.time = p->validation_time,
                                     .memory = p->validation_memory,
                                     .output = p->validation_output,
                                     .stdout_fd = -1,
                                     .stderr_fd = err_fd,
                                     .args = args,
                                     .files = files,
                                     .n_files = 2,
                                     .files_dir = ps->stage,
                                     .writable_dir = "feedback",
                                     .keep_dir = dir};
}

/* One interactive pass. Return: 0 with *run and j->verdict (or j IE) set; -errno. */
static int pass_interactive(struct passes *ps, struct grd_run_spec *val, struct sbx_result *run,
                            struct grd_judgement *j)
{
        struct grd_run_spec sub = *ps->spec;
        sub.stdin_path = NULL;
        struct sbx_pair_result pr;
        char why[512] = "";
        int r = grd_run_compiled_pair(ps->env, ps->c, &sub, &ps->v->compiled, val, &pr, why,
                                      sizeof(why));
        if (r < 0) {
                grd_judgement_error(j, "running test '%s' with its interactor: %s", ps->t->name,
                                    why);
                return 0;
        }
        *run = pr.program;
        j->verdict = grd_interactive_verdict(&pr);
        if (j->verdict == GRD_VERDICT_IE) {
                char tail[256];
                grd_validator_stderr_tail(val->stderr_fd, tail, sizeof(tail));
                grd_judgement_error(j, "the output validator failed on test '%s': %s (%s)%s",
                                    ps->t->name, sbx_status_name(pr.interactor.status),
                                    pr.interactor.message, tail);
        } else if (pr.program.status == SBX_STATUS_IE) {
                grd_judgement_error(j, "test '%s': %s", ps->t->name, pr.program.message);
        }
        return 0;
}

/* One pass of a problem that is not interactive: run, then validate the output. */
static int pass_batch(struct passes *ps, struct grd_run_spec *val, struct sbx_result *run,
                      struct grd_judgement *j)
{
        struct grd_run_spec sub = *ps->spec;
        sub.stdin_path = ps->input;
        char why[512] = "";
        if (ftruncate(sub.stdout_fd, 0) < 0 || lseek(sub.stdout_fd, 0, SEEK_SET) < 0)
                return -errno;
        int r = grd_run_compiled(ps->env, ps->c, &sub, run, why, sizeof(why));
        if (r < 0) {
                grd_judgement_error(j, "test '%s': %s", ps->t->name, why[0] ? why : strerror(-r));
                return 0;
        }
        j->verdict = grd_verdict_of_run(run->status);
        if (run->status == SBX_STATUS_IE)
                grd_judgement_error(j, "test '%s': %s", ps->t->name, run->message);
        if (run->status != SBX_STATUS_OK)
                return 0;
        val->stdin_from_fd = true;
        val->stdin_fd = sub.stdout_fd;
        if (lseek(sub.stdout_fd, 0, SEEK_SET) < 0)
                return -errno;
        struct sbx_result vr;
        r = grd_run_compiled(ps->env, &ps->v->compiled, val, &vr, why, sizeof(why));
        if (r < 0) {
                grd_judgement_error(j, "running the output validator on test '%s': %s", ps->t->name,
                                    why[0] ? why : strerror(-r));
        } else if (validator_exited(&vr)) {
                j->verdict =
                        vr.exit_code == GRD_VALIDATOR_EXIT_AC ? GRD_VERDICT_AC : GRD_VERDICT_WA;
        } else {
                char tail[256];
                grd_validator_stderr_tail(val->stderr_fd, tail, sizeof(tail));
                grd_judgement_error(j, "the output validator failed on test '%s': %s (%s)%s",
                                    ps->t->name, sbx_status_name(vr.status), vr.message, tail);
        }
        return 0;
}

/*
 * After a pass the validator judged: its feedback/ becomes the stage's (for the next pass and
 * for the message), nextpass.in taken out of it as the next input.
 * Return: 1 when there is a nextpass.in, 0 when not, -errno.
 */
static int carry_feedback(struct passes *ps, const char *dir)
{
        char from[PATH_MAX], to[PATH_MAX], next[PATH_MAX];
        if (cmn_join(from, sizeof(from), dir, "feedback") < 0 ||
            cmn_join(to, sizeof(to), ps->stage, "feedback") < 0 ||
            cmn_join(next, sizeof(next), to, NEXTPASS) < 0)
                return -ENAMETOOLONG;
        cmn_rmtree(to);
        int r = cmn_copy_tree(from, to, FEEDBACK_MAX_FILES, FEEDBACK_MAX_BYTES);
        if (r < 0)
                return r;
        struct stat st;
        if (lstat(next, &st) < 0 || !S_ISREG(st.st_mode))
                return 0;
        if (cmn_join(ps->input, sizeof(ps->input), ps->stage, "input.in") < 0)
                return -ENAMETOOLONG;
        return rename(next, ps->input) < 0 ? -errno : 1;
}

/* One pass, judged. Return: 1 when another pass is asked for, 0 when j is final, -errno. */
static int one_pass(struct passes *ps, struct sbx_result *run, struct grd_judgement *j)
{
        char **args = grd_validator_argv(ps->p, ps->t);
        int err_fd = grd_capture_open(ps->env, "validator-stderr");
        const struct grd_run_file files[] = {{ps->input, "input"}, {ps->t->ans_path, "answer"}};
        char dir[PATH_MAX] = "";
        struct grd_run_spec val = validator_spec(ps, args, err_fd, files, dir);
        int r = !args ? -ENOMEM : err_fd < 0 ? err_fd : 0;
        if (r == 0)
                r = ps->p->interactive ? pass_interactive(ps, &val, run, j)
                                       : pass_batch(ps, &val, run, j);
        bool judged =
                r == 0 && dir[0] && (j->verdict == GRD_VERDICT_AC || j->verdict == GRD_VERDICT_WA);
        int next = 0;
        if (judged && (next = carry_feedback(ps, dir)) < 0)
                grd_judgement_error(j, "carrying the feedback of test '%s' over: %s", ps->t->name,
                                    strerror(-next));
        if (judged && next >= 0)
                grd_validator_feedback(ps->p, ps->t, ps->stage, j);
        if (dir[0])
                cmn_rmtree(dir);
        if (err_fd >= 0)
                close(err_fd);
        free(args);
        if (r < 0)
                return r;
        /* only an accepted pass goes on; a rejecting validator's verdict ends the test */
        return ps->p->multi_pass && next == 1 && j->verdict == GRD_VERDICT_AC ? 1 : 0;
}

int grd_run_passes(struct grd_env *env, const struct grd_problem *p, const struct grd_validator *v,
                   const struct grd_compiled *c, const struct grd_run_spec *spec,
                   const struct grd_test *t, struct sbx_result *run, struct grd_judgement *j)
{
        memset(j, 0, sizeof(*j));
        memset(run, 0, sizeof(*run));
        if (!v || !v->ready || !t->ans_path) {
                grd_judgement_error(j, "the output validator was not built");
                return 0;
        }
        struct passes ps = {.env = env, .p = p, .v = v, .c = c, .spec = spec, .t = t};
        cmn_strlcpy(ps.input, t->in_path, sizeof(ps.input));
        int r = grd_env_fresh_dir(env, "passes", ps.stage, sizeof(ps.stage));
        char fb[PATH_MAX];
        if (r == 0 && cmn_join(fb, sizeof(fb), ps.stage, "feedback") == 0 && mkdir(fb, 0755) < 0)
                r = -errno;
        if (r < 0) {
                grd_judgement_error(j, "preparing test '%s': %s", t->name, strerror(-r));
                return 0;
        }
        unsigned passes = p->multi_pass ? p->validation_passes : 1;
        double cpu = 0, wall = 0;
        for (unsigned i = 0; i < passes; i++) {
                free(j->message);
                j->message = NULL;
                r = one_pass(&ps, run, j);
                cpu = run->cpu_time > cpu ? run->cpu_time : cpu;
                wall = run->wall_time > wall ? run->wall_time : wall;
                if (r <= 0)
                        break;
                if (i + 1 == passes)
                        grd_judgement_error(j,
                                            "the output validator asked for a pass past the %u of "
                                            "limits.validation_passes on test '%s'",
                                            passes, t->name);
        }
        if (r < 0 && r != -ENOMEM)
                grd_judgement_error(j, "test '%s': %s", t->name, strerror(-r));
        /* the time of a multi-pass test: its slowest pass (problemtools) */
        run->cpu_time = cpu;
        run->wall_time = wall;
        cmn_rmtree(ps.stage);
        return r == -ENOMEM ? r : 0;
}
