#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Attacks on `grader sandbox`: each test runs one hostile program and asserts both the
status and that the host is untouched.

usage: test_attacks.py --grader PATH --attack PATH [--unprivileged] [unittest args...]
With --unprivileged the grader runs as 'nobody' through setpriv (an ordinary uid)."""
import argparse
import fcntl
import json
import os
import pty
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import termios
import time
import unittest

ARGS = None


def note(msg):
    """Say which case of the kernel a test met (shown by ctest -V and on failure)."""
    print(f"[kernel] {msg}", file=sys.stderr)


def unsandboxed(mode):
    """Run one attack mode outside any sandbox, as a probe of the kernel itself.
    Return: its exit status (negative: the signal that killed it)."""
    return subprocess.run([ARGS.attack, mode], capture_output=True, timeout=30).returncode


def unsandboxed_output(mode, *args):
    return subprocess.run([ARGS.attack, mode, *args], capture_output=True, text=True,
                          timeout=30).stdout


def userns_allowed_for(user):
    """Can this ordinary user make a user namespace here? (util-linux unshare as that user)"""
    p = subprocess.run(["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}",
                        "--clear-groups", "unshare", "--user", "true"], capture_output=True)
    return p.returncode == 0


def sandbox_uids():
    """uids the privileged sandbox hands out (60000 + slot)."""
    return range(60000, 61000)


def processes_of(uids):
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("Uid:"):
                        if int(line.split()[1]) in uids:
                            found.append(int(pid))
                        break
        except OSError:
            pass
    return found


LOCK_PATH = "/tmp/grader-attack-tests.lock"

# Tests that look for surviving sandbox processes hold this lock exclusively; every other test
# holds it shared, so a concurrent test's live processes are never mistaken for survivors.
EXCLUSIVE = {"test_fork_bomb_is_contained", "test_thread_bomb_is_contained",
             "test_setsid_double_fork_leaves_no_survivor",
             "test_stale_deep_work_roots_are_swept"}


# Tests whose property only namespaces give: as an ordinary user on a kernel that refuses user
# namespaces they cannot hold, and test_mode_follows_the_kernel checks that doctor says so.
NEEDS_NAMESPACES = {"test_file_outside_work_dir_is_invisible", "test_writes_outside_work_dir_fail",
                    "test_network_namespace_is_empty_and_not_the_hosts",
                    "test_host_processes_are_invisible", "test_setsid_double_fork_leaves_no_survivor",
                    "test_kill_all_and_parent_leaves_grader_alive",
                    "test_grader_environment_is_unreadable",
                    # the second round: the work area and the run's pid namespace
                    "test_files_in_work_dir_are_bounded_by_disk",
                    "test_work_dir_files_are_not_memory_outside_the_count",
                    "test_grader_argv_is_invisible",
                    "test_deep_tree_in_work_dir_does_not_hang_the_grader",
                    "test_deep_tree_submission_does_not_hang_the_next_run",
                    # the pair (issue 12): the two sides' files and processes
                    "test_pair_program_cannot_read_the_answer",
                    "test_pair_program_cannot_see_or_kill_the_interactor",
                    "test_pair_program_cannot_write_the_feedback_dir"}

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MIB = 1 << 20


class Attack(unittest.TestCase):
    def setUp(self):
        if (ARGS.unprivileged and self._testMethodName in NEEDS_NAMESPACES
                and not userns_allowed_for(pwd.getpwnam("nobody"))):
            self.skipTest("this kernel refuses user namespaces to ordinary users: the weakest "
                          "mode cannot give this property (test_mode_follows_the_kernel)")
        self.lock = open(LOCK_PATH, "a")
        fcntl.flock(self.lock, fcntl.LOCK_EX if self._testMethodName in EXCLUSIVE
                    else fcntl.LOCK_SH)
        self.dir = tempfile.mkdtemp(prefix="grader-attack-")
        os.chmod(self.dir, 0o755)
        self.work = os.path.join(self.dir, "work")
        os.mkdir(self.work)
        shutil.copy(ARGS.attack, os.path.join(self.work, "attack"))
        self.user = None
        if ARGS.unprivileged:
            self.user = pwd.getpwnam("nobody")
            for root, dirs, files in os.walk(self.dir):
                for n in dirs + files:
                    os.chown(os.path.join(root, n), self.user.pw_uid, self.user.pw_gid)
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)

    def as_user(self, cmd):
        return ["setpriv", f"--reuid={self.user.pw_uid}", f"--regid={self.user.pw_gid}",
                "--clear-groups", "--"] + cmd

    def tearDown(self):
        # rm walks any depth (an attack may leave a deep tree in a weak mode); Python recurses
        subprocess.run(["rm", "-rf", "--one-file-system", self.dir], capture_output=True)
        self.lock.close()

    def own(self, path):
        """Give a file the test made to the user the grader runs as."""
        if self.user:
            os.chown(path, self.user.pw_uid, self.user.pw_gid)

    def run_attack(self, *args, opts=(), pass_fds=(), timeout=30, wrapper=()):
        out = os.path.join(self.dir, "out.txt")
        cmd = [*wrapper, ARGS.grader, "sandbox", "--report", "-", "--workdir", self.work,
               "--stdout", out, "--stderr", os.path.join(self.dir, "err.txt"), *opts,
               "--", "./attack", *args]
        if self.user:
            cmd = self.as_user(cmd)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                           pass_fds=pass_fds)
        self.assertIn(p.returncode, (0, 1), f"grader failed: {p.stderr}")
        report = json.loads(p.stdout)
        for key in ("status", "exit_code", "signal", "cpu_time", "wall_time", "memory",
                    "syscall", "message"):
            self.assertIn(key, report)
        self.assertEqual(p.returncode, 0 if report["status"] == "OK" else 1)
        try:
            with open(out, errors="replace") as f:
                report["stdout"] = f.read()
        except FileNotFoundError:
            report["stdout"] = ""
        return report

    def survivors(self):
        """Processes of this test's run still alive: their binary or working directory is in
        this test's private temp dir (other tests and graders on the machine use the same
        sandbox uids, so the uid alone proves nothing)."""
        found = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            for link in ("exe", "cwd"):
                try:
                    if self.dir in os.readlink(f"/proc/{pid}/{link}"):
                        found.append(int(pid))
                        break
                except OSError:
                    pass
        return found

    def assert_no_survivors(self):
        self.assertEqual(self.survivors(), [], "a sandboxed process survived")

    # --- processes ---------------------------------------------------------------------
    def test_fork_bomb_is_contained(self):
        r = self.run_attack("fork-bomb", opts=["--time", "0.5", "--processes", "8"])
        self.assertEqual(r["status"], "TLE")
        self.assert_no_survivors()

    def test_thread_bomb_is_contained(self):
        r = self.run_attack("thread-bomb", opts=["--time", "0.5", "--processes", "8"])
        self.assertEqual(r["status"], "TLE")
        self.assert_no_survivors()

    def test_setsid_double_fork_leaves_no_survivor(self):
        marker = os.path.join(self.work, "marker")
        r = self.run_attack("escape", marker, opts=["--processes", "4"])
        self.assertEqual(r["status"], "OK")
        self.assertIn("left a grandchild behind", r["stdout"])
        self.assert_no_survivors()
        time.sleep(2.5)  # the grandchild writes the marker after 2 s if it is alive
        self.assertFalse(os.path.exists(marker), "the grandchild outlived the run")

    def test_kill_all_and_parent_leaves_grader_alive(self):
        r = self.run_attack("kill", opts=["--processes", "4"])
        # the report itself proves the grader survived
        self.assertIn(r["status"], ("OK", "RE"))

    def test_stale_processes_of_a_slot_uid_are_swept(self):
        """A grader killed with -9 may leave processes of its slot's uid dying; the next run
        on that slot must not be refused (RLIMIT_NPROC counts them) and they must go."""
        if self.user:
            self.skipTest("slots have their own uids only as root")
        # a uid range of its own: the stale processes must not hit other tests' runs
        base = 63000
        stale = [subprocess.Popen(["setpriv", f"--reuid={uid}", f"--regid={uid}",
                                   "--clear-groups", "sleep", "60"])
                 for uid in range(base, base + 10)]
        os.environ["GRADER_UID_BASE"] = str(base)
        try:
            r = self.run_attack("ok")
            self.assertEqual(r["status"], "OK", r["message"])
            swept = [p for p in stale if p.poll() is not None]
            self.assertGreaterEqual(len(swept), 1, "no stale process was swept")
        finally:
            del os.environ["GRADER_UID_BASE"]
            for p in stale:
                p.kill()
                p.wait()

    def test_isolation_holds_without_pivot_root(self):
        """Docker's default seccomp profile refuses pivot_root: the sandbox falls back to
        moving its root and chroot, and the program still sees nothing of the host."""
        if self.user or not ARGS.no_pivot_root:
            self.skipTest("needs root and the no_pivot_root wrapper")
        secret = os.path.join(self.dir, "secret.ans")
        with open(secret, "w") as f:
            f.write("42\n")
        os.chmod(secret, 0o644)
        r = self.run_attack("read", secret, wrapper=[ARGS.no_pivot_root])
        self.assertEqual(r["status"], "OK", r["message"])
        self.assertIn("denied", r["stdout"])
        r = self.run_attack("write", "/pwned", wrapper=[ARGS.no_pivot_root])
        self.assertIn("denied", r["stdout"])
        r = self.run_attack("pids", wrapper=[ARGS.no_pivot_root], opts=["--time", "2"])
        self.assertLessEqual(len([l for l in r["stdout"].splitlines() if l.startswith("pid ")]),
                             3)

    # --- memory ------------------------------------------------------------------------
    def test_malloc_and_touch_is_mle(self):
        r = self.run_attack("malloc", opts=["--memory", "64M"])
        self.assertEqual(r["status"], "MLE")
        self.assertGreater(r["memory"], 64 << 20)

    def test_mmap_and_touch_is_mle(self):
        r = self.run_attack("mmap", opts=["--memory", "64M"])
        self.assertEqual(r["status"], "MLE")

    def test_deep_recursion_is_mle(self):
        r = self.run_attack("recursion", opts=["--memory", "64M"])
        self.assertEqual(r["status"], "MLE")

    # --- time --------------------------------------------------------------------------
    def test_cpu_burn_is_tle(self):
        r = self.run_attack("cpu", opts=["--time", "0.3"])
        self.assertEqual(r["status"], "TLE")
        self.assertGreaterEqual(r["cpu_time"], 0.3)
        self.assertLess(r["cpu_time"], 1.3)

    def test_sleep_forever_is_wall_tle(self):
        r = self.run_attack("sleep", opts=["--time", "0.2", "--wall-time", "0.5"])
        self.assertEqual(r["status"], "TLE")
        self.assertLess(r["cpu_time"], 0.1)
        self.assertGreaterEqual(r["wall_time"], 0.5)
        self.assertLess(r["wall_time"], 2.0)

    # --- output and disk ---------------------------------------------------------------
    def test_stdout_flood_is_ole(self):
        r = self.run_attack("flood-stdout", opts=["--output", "1M"])
        self.assertEqual(r["status"], "OLE")
        self.assertEqual(os.path.getsize(os.path.join(self.dir, "out.txt")), 1 << 20)

    def test_stderr_flood_is_ole(self):
        r = self.run_attack("flood-stderr", opts=["--output", "1M"])
        self.assertEqual(r["status"], "OLE")
        self.assertLessEqual(os.path.getsize(os.path.join(self.dir, "err.txt")), 1 << 20)

    def test_disk_fill_in_work_dir_is_ole(self):
        r = self.run_attack("disk-fill", opts=["--output", "2M"])
        self.assertEqual(r["status"], "OLE")
        self.assertLessEqual(os.path.getsize(os.path.join(self.work, "fill.bin")), 2 << 20)

    # --- files -------------------------------------------------------------------------
    def test_root_only_file_is_unreadable(self):
        r = self.run_attack("read", "/etc/shadow")
        self.assertEqual(r["status"], "OK")
        self.assertIn("denied /etc/shadow", r["stdout"])

    def test_file_outside_work_dir_is_invisible(self):
        secret = os.path.join(self.dir, "secret.ans")
        with open(secret, "w") as f:
            f.write("42\n")
        os.chmod(secret, 0o644)
        r = self.run_attack("read", secret)
        self.assertIn("denied", r["stdout"])
        self.assertNotIn("READ", r["stdout"])

    def test_writes_outside_work_dir_fail(self):
        for target in ("/etc/pwned", "/usr/pwned", "/pwned", "/dev/shm/../pwned"):
            r = self.run_attack("write", target)
            self.assertIn("denied", r["stdout"], target)
        # a private /tmp: the host's /tmp never sees the file
        name = f"/tmp/grader-pwned-{os.getpid()}"
        r = self.run_attack("write", name)
        self.assertFalse(os.path.exists(name))

    def test_work_dir_is_writable(self):
        r = self.run_attack("write", os.path.join(self.work, "ok.txt"))
        self.assertIn("WROTE", r["stdout"])
        self.assertTrue(os.path.exists(os.path.join(self.work, "ok.txt")))

    def test_setuid_binary_gains_nothing(self):
        if self.user:
            self.skipTest("needs root to make a setuid binary")
        shutil.copy("/usr/bin/id", os.path.join(self.work, "suid-id"))
        os.chown(os.path.join(self.work, "suid-id"), 0, 0)
        os.chmod(os.path.join(self.work, "suid-id"), 0o4755)
        r = self.run_attack("exec", "./suid-id", "-u", opts=["--processes", "2"])
        self.assertEqual(r["status"], "OK")
        self.assertNotEqual(r["stdout"].strip(), "0")
        r = self.run_attack("exec", "/usr/bin/su", "-c", "id", opts=["--processes", "2"])
        self.assertNotIn("uid=0", r["stdout"])

    # --- network -----------------------------------------------------------------------
    def test_no_connection_to_host_loopback(self):
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        srv.settimeout(0.5)
        port = srv.getsockname()[1]
        r = self.run_attack("connect", str(port))
        self.assertNotIn("CONNECTED", r["stdout"])
        with self.assertRaises(socket.timeout):
            srv.accept()
        srv.close()

    def test_network_namespace_is_empty_and_not_the_hosts(self):
        r = self.run_attack("netns")
        lines = r["stdout"].splitlines()
        ns = [l.split(" ", 1)[1] for l in lines if l.startswith("ns ")]
        ifaces = [l.split(" ", 1)[1] for l in lines if l.startswith("if ")]
        self.assertEqual(len(ns), 1, r["stdout"])
        self.assertNotEqual(ns[0], os.readlink("/proc/self/ns/net"))
        self.assertEqual(ifaces, ["lo"])

    # --- other processes ---------------------------------------------------------------
    def test_ptrace_of_parent_is_sv(self):
        r = self.run_attack("ptrace")
        self.assertEqual(r["status"], "SV")
        self.assertEqual(r["syscall"], "ptrace")

    def test_process_vm_readv_is_sv(self):
        r = self.run_attack("vm-readv")
        self.assertEqual(r["status"], "SV")
        self.assertEqual(r["syscall"], "process_vm_readv")

    def test_no_inherited_descriptors(self):
        leak = os.open("/etc/hostname", os.O_RDONLY)  # inheritable on purpose
        try:
            r = self.run_attack("fds", pass_fds=(leak,))
        finally:
            os.close(leak)
        self.assertEqual(r["status"], "OK")
        self.assertIn("0 inherited descriptors", r["stdout"])

    def test_grader_environment_is_unreadable(self):
        os.environ["GRADER_SECRET_CANARY"] = "canary-4711"
        try:
            for pid in ("1", "self", str(os.getpid())):
                r = self.run_attack("environ", pid)
                self.assertNotIn("canary-4711", r["stdout"], pid)
        finally:
            del os.environ["GRADER_SECRET_CANARY"]

    def test_host_processes_are_invisible(self):
        r = self.run_attack("pids", opts=["--time", "2"])
        pids = [l for l in r["stdout"].splitlines() if l.startswith("pid ")]
        self.assertLessEqual(len(pids), 3, r["stdout"])

    # --- system calls ------------------------------------------------------------------
    def test_i386_abi_is_refused(self):
        """With IA32 emulation the kernel would run an int 0x80 call: the filter must refuse
        it (SV). Without it the kernel kills the program with SIGSEGV before seccomp sees the
        call (RE). Either way the call achieves nothing."""
        ia32 = unsandboxed("i386") == 0
        note(f"kernel {os.uname().release}: IA32 emulation {'on' if ia32 else 'off'}")
        r = self.run_attack("i386")
        self.assertNotIn("int 0x80 returned", r["stdout"])
        if ia32:
            self.assertEqual(r["status"], "SV", r)
            self.assertEqual(r["syscall"], "non-native ABI")
        else:
            self.assertIn(r["status"], ("RE", "SV"), r)

    def test_x32_abi_is_refused(self):
        """The x32 bit: the filter sees it whether or not the kernel has x32, so SV; a kernel
        without x32 would only answer ENOSYS, which the program never gets to see."""
        x32 = "returned -1" not in unsandboxed_output("x32")
        note(f"kernel {os.uname().release}: x32 {'on' if x32 else 'off'}")
        r = self.run_attack("x32")
        self.assertNotIn("x32 syscall returned", r["stdout"])
        if x32:
            self.assertEqual(r["status"], "SV", r)
        else:
            self.assertIn(r["status"], ("RE", "SV"), r)

    def test_io_uring_is_refused(self):
        """io_uring may be off on the host (kernel.io_uring_disabled); the filter refuses
        io_uring_setup before the kernel looks, so the answer is SV in both cases."""
        out = unsandboxed_output("io-uring")
        on = "returned -1" not in out
        note(f"kernel {os.uname().release}: io_uring {'on' if on else 'off'} here ({out.strip()})")
        r = self.run_attack("io-uring")
        self.assertEqual(r["status"], "SV", r)
        self.assertEqual(r["syscall"], "io_uring_setup")

    def test_mode_follows_the_kernel(self):
        """As root every layer; as an ordinary user a user namespace where the kernel allows
        one (a sysctl or AppArmor may forbid it), else the weakest mode, and doctor says so."""
        cmd = [ARGS.grader, "doctor", "--no-selftest"]
        if self.user:
            cmd = self.as_user(cmd)
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
        if not self.user:
            self.assertIn("mode: privileged", out)
        elif userns_allowed_for(self.user):
            note("unprivileged user namespaces: allowed")
            self.assertIn("mode: unprivileged, with a user namespace", out)
            self.assertRegex(out, r"unprivileged user namespaces\s+allowed")
        else:
            note("unprivileged user namespaces: refused by this kernel")
            self.assertIn("without namespaces (weakest)", out)
            self.assertRegex(out, r"unprivileged user namespaces\s+refused")
        self.assertIn("i386 system calls", out)

    def test_unshare_is_sv(self):
        r = self.run_attack("unshare")
        self.assertEqual(r["status"], "SV")
        self.assertEqual(r["syscall"], "unshare")

    def test_mount_is_sv(self):
        r = self.run_attack("mount")
        self.assertEqual(r["status"], "SV")
        self.assertEqual(r["syscall"], "mount")

    # --- plain statuses ----------------------------------------------------------------
    def test_plain_statuses(self):
        self.assertEqual(self.run_attack("ok")["status"], "OK")
        r = self.run_attack("exit", "3")
        self.assertEqual((r["status"], r["exit_code"]), ("RE", 3))
        r = self.run_attack("segv")
        self.assertEqual((r["status"], r["signal"]), ("RE", 11))

    # --- the second round: the run is the unit ----------------------------------------------
    # The burners run until their own CPU clocks say so, and the program outlives them without
    # wait(): on a loaded machine the run only takes longer (a wide wall limit), never less CPU.
    def test_children_never_waited_for_are_charged(self):
        r = self.run_attack("spawn-burn", "2", "1.8",
                            opts=["--time", "1", "--wall-time", "30", "--processes", "3"])
        self.assertEqual(r["status"], "TLE", r)
        self.assertGreaterEqual(r["cpu_time"], 1.0)

    def test_orphaned_grandchild_is_charged(self):
        r = self.run_attack("orphan-burn", "1.8",
                            opts=["--time", "1", "--wall-time", "30", "--processes", "3"])
        self.assertEqual(r["status"], "TLE", r)

    def test_children_memory_is_summed(self):
        r = self.run_attack("spawn-mem", "3", "60", opts=["--memory", "64M", "--processes", "4"])
        self.assertEqual(r["status"], "MLE", r)
        self.assertGreater(r["memory"], 64 * MIB)

    def test_clone_parent_sibling_is_charged(self):
        r = self.run_attack("clone-parent", "1.8",
                            opts=["--time", "1", "--wall-time", "30", "--processes", "2"])
        self.assertEqual(r["status"], "TLE", r)

    def test_keeper_takes_no_process_of_the_program(self):
        r = self.run_attack("fork-one", opts=["--processes", "2"])
        self.assertEqual(r["status"], "OK", r)
        self.assertIn("forked one child", r["stdout"])

    def test_prlimit_on_the_keeper_is_refused(self):
        r = self.run_attack("prlimit")
        self.assertEqual(r["status"], "OK", r)
        self.assertIn("refused", r["stdout"])

    def test_pipe_buffers_cannot_hold_memory(self):
        r = self.run_attack("pipe-hog", opts=["--memory", "16M"])
        held = int(r["stdout"].split("held ")[1].split()[0])
        self.assertIn("grown 0 pipes", r["stdout"])
        self.assertLess(held, 16 * MIB, r["stdout"])

    # --- the pair: a program and an interactor (issue 12) ----------------------------------
    SECRET = "the-answer-is-424242"

    def run_pair(self, program, interactor, opts=(), timeout=60):
        """Run program (a shell line, in the attack's work dir) against interactor (a shell
        line, in a work dir of its own holding 'answer' and 'feedback/'), each allowed 4
        processes (a shell forks) unless opts says otherwise. The interactor's
        stderr is returned as report["interactor_stderr"]."""
        inter = os.path.join(self.dir, "inter")
        os.makedirs(os.path.join(inter, "feedback"), exist_ok=True)
        with open(os.path.join(inter, "answer"), "w") as f:
            f.write(self.SECRET + "\n")
        for path in (inter, os.path.join(inter, "feedback"), os.path.join(inter, "answer")):
            self.own(path)
        err = os.path.join(self.dir, "err.txt")
        cmd = [ARGS.grader, "sandbox", "--report", "-", "--workdir", self.work,
               "--stderr", err, "--interactor-workdir", inter,
               "--interactor", "/bin/sh inter.sh", "--processes", "4", *opts,
               "--", "/bin/sh", "prog.sh"]
        with open(os.path.join(inter, "inter.sh"), "w") as f:
            f.write(interactor + "\n")
        with open(os.path.join(self.work, "prog.sh"), "w") as f:
            f.write(program + "\n")
        self.own(os.path.join(inter, "inter.sh"))
        self.own(os.path.join(self.work, "prog.sh"))
        if self.user:
            cmd = self.as_user(cmd)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        self.assertIn(p.returncode, (0, 1), f"grader failed: {p.stderr}")
        report = json.loads(p.stdout)
        self.assertIn("interactor", report)
        self.assertIn("interactor_first", report)
        report["interactor_stderr"] = p.stderr
        report["inter_dir"] = inter
        return report

    def test_pair_program_cannot_read_the_answer(self):
        inter = os.path.join(self.dir, "inter")
        r = self.run_pair(f"cat {inter}/answer {inter}/inter.sh 2>&1; ls {inter} 2>&1; "
                          "echo done", "cat >&2; exit 42")
        self.assertIn("done", r["interactor_stderr"])
        self.assertNotIn(self.SECRET, r["interactor_stderr"])
        self.assertEqual(r["interactor"]["exit_code"], 42, r)

    def test_pair_interactor_reads_the_answer(self):
        r = self.run_pair("cat", "cat answer; exit 42")
        self.assertEqual(r["status"], "OK", r)
        self.assertEqual(r["interactor"]["exit_code"], 42, r)

    def test_pair_program_cannot_see_or_kill_the_interactor(self):
        # the interactor's processes carry a word the program's never do
        r = self.run_pair("kill -9 -1 2>/dev/null; for p in /proc/[0-9]*; do "
                          "cat $p/cmdline 2>/dev/null; cat $p/mem 2>/dev/null | head -c 1; "
                          "echo; done; echo done",
                          "(sleep 0.3; echo interactor-marker >/dev/null); cat >&2; exit 42",
                          opts=["--processes", "8"])
        self.assertIn("done", r["interactor_stderr"])
        self.assertNotIn("interactor-marker", r["interactor_stderr"])
        self.assertNotIn("inter.sh", r["interactor_stderr"])
        self.assertEqual(r["interactor"]["exit_code"], 42, r)

    def test_pair_program_ptrace_is_sv(self):
        r = self.run_pair("exec ./attack ptrace", "cat >/dev/null; exit 42")
        self.assertEqual(r["status"], "SV", r)
        self.assertEqual(r["interactor"]["exit_code"], 42, r)

    def test_pair_program_cannot_write_the_feedback_dir(self):
        inter = os.path.join(self.dir, "inter")
        r = self.run_pair(f"echo forged > {inter}/feedback/judgemessage.txt 2>/dev/null; "
                          f"mkdir -p {inter}/feedback 2>/dev/null; "
                          f"echo forged > {inter}/feedback/score.txt 2>/dev/null; echo done",
                          "cat >&2; exit 42")
        self.assertIn("done", r["interactor_stderr"])
        self.assertEqual(os.listdir(os.path.join(inter, "feedback")), [])

    def test_pair_deadlock_is_program_tle(self):
        r = self.run_pair("read x", "read y", opts=["--wall-time", "2"])
        self.assertEqual(r["status"], "TLE", r)
        self.assertEqual(r["interactor"]["status"], "TLE", r)
        self.assertFalse(r["interactor_first"], r)
        self.assertLess(r["wall_time"], 30, r)

    def test_pair_flood_without_reading_ends_at_the_wall(self):
        r = self.run_pair("head -c 1073741824 /dev/zero", "sleep 1000",
                          opts=["--wall-time", "2"])
        self.assertEqual(r["status"], "TLE", r)

    def test_pair_flood_read_and_dropped_is_fine(self):
        r = self.run_pair("head -c 1073741824 /dev/zero; echo done >&2",
                          "cat >/dev/null; exit 42", opts=["--time", "10", "--wall-time", "30"],
                          timeout=120)
        self.assertIn(r["status"], ("OK", "TLE"), r)
        self.assertEqual(r["interactor"]["exit_code"], 42 if r["status"] == "OK" else None, r)

    def test_pair_program_exiting_early_spares_the_interactor(self):
        # the interactor writes long after the program ended: no SIGPIPE kills it
        r = self.run_pair("exit 0", "sleep 0.3; echo hello; echo more; exit 42")
        self.assertEqual(r["status"], "OK", r)
        self.assertEqual(r["interactor"]["exit_code"], 42, r)
        self.assertFalse(r["interactor_first"], r)

    def test_pair_program_closing_stdin_is_handled(self):
        r = self.run_pair("exec 0<&-; echo 5; sleep 0.2", "read x; echo $x >&2; exit 42")
        self.assertEqual(r["status"], "OK", r)
        self.assertIn("5", r["interactor_stderr"])

    def test_pair_fork_is_contained(self):
        r = self.run_pair("exec ./attack fork-bomb", "cat >/dev/null; exit 42",
                          opts=["--time", "0.5", "--processes", "8", "--wall-time", "3"])
        self.assertEqual(r["status"], "TLE", r)
        self.assert_no_survivors()

    def test_pair_interactor_that_never_exits_ends_at_the_wall(self):
        r = self.run_pair("echo 1", "sleep 1000", opts=["--wall-time", "2"])
        self.assertEqual(r["status"], "OK", r)
        self.assertEqual(r["interactor"]["status"], "TLE", r)
        self.assertLess(r["interactor"]["wall_time"], 30, r)

    # --- the work area ------------------------------------------------------------------------
    def work_bytes(self):
        total = 0
        for root, _, files in os.walk(self.work):
            for f in files:
                total += os.lstat(os.path.join(root, f)).st_blocks * 512
        return total

    def test_fallocate_cannot_fill_the_host_disk(self):
        r = self.run_attack("fallocate", opts=["--output", "1M"])
        self.assertIn("fallocate refused", r["stdout"])
        self.assertLessEqual(self.work_bytes(), 2 * MIB)

    def test_files_in_work_dir_are_bounded_by_disk(self):
        """Ten files just under --output 16M: the default 64M work area fills up (OLE)."""
        r = self.run_attack("many-files", "10", str(16 * MIB - 4096),
                            opts=["--output", "16M", "--time", "5"])
        self.assertEqual(r["status"], "OLE", r)
        self.assertIn("disk limit", r["message"])
        self.assertLessEqual(self.work_bytes(), 64 * MIB + MIB)

    def test_work_dir_files_are_not_memory_outside_the_count(self):
        """192 MiB of files under --memory 32M: not held in page cache, the disk limit ends it."""
        r = self.run_attack("many-files", "12", str(16 * MIB),
                            opts=["--memory", "32M", "--disk", "32M", "--time", "5"])
        self.assertEqual(r["status"], "OLE", r)
        self.assertLessEqual(self.work_bytes(), 32 * MIB + MIB)

    def test_setid_bits_never_reach_the_host(self):
        r = self.run_attack("mint", opts=["--processes", "1"])
        self.assertIn("chmod refused", r["stdout"])
        self.assertIn("create refused", r["stdout"])
        for name in ("minted", "minted-at-birth"):
            path = os.path.join(self.work, name)
            if os.path.exists(path):
                self.assertEqual(os.lstat(path).st_mode & 0o7000, 0, name)
                self.assertEqual(os.lstat(path).st_uid, os.getuid() if not self.user
                                 else self.user.pw_uid, name)

    def test_deep_tree_in_work_dir_does_not_hang_the_grader(self):
        r = self.run_attack("deep-tree", "3000", opts=["--time", "10"], timeout=60)
        self.assertEqual(r["status"], "OK", r)
        depth = 0
        for root, dirs, _ in os.walk(self.work):
            depth = max(depth, root[len(self.work):].count("/"))
        self.assertLess(depth, 64, "the copy back is depth-capped")

    def write_deep_sum(self):
        src = os.path.join(self.dir, "deep.c")
        with open(src, "w") as f:
            f.write("""#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
int main(void) {
    int t; long long a, b;
    for (int i = 0; i < 3000; i++) {
        if (mkdir("d", 0755) < 0 || chdir("d") < 0) break;
        if (i % 500 == 499) chmod(".", 0);
    }
    if (scanf("%d", &t) != 1) return 0;
    while (t-- > 0 && scanf("%lld %lld", &a, &b) == 2) printf("%lld\\n", a + b);
    return 0;
}
""")
        self.own(src)
        return src

    def grader_run(self, src, base=None):
        """`grader run` of src on examples/sum, its work roots in base (default: a private
        one: graders of another uid sweep the work roots of their own slot number in /tmp)."""
        if base is None:
            base = os.path.join(self.dir, "tmp")
            os.makedirs(base, exist_ok=True)
            self.own(base)
        cmd = [ARGS.grader, "run", "--problem", os.path.join(REPO, "examples", "sum"), "--json",
               src]
        if self.user:
            cmd = self.as_user(cmd)
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                              env=dict(os.environ, TMPDIR=base))

    def test_deep_tree_submission_does_not_hang_the_next_run(self):
        """A correct solution that first builds a 3,000-deep tree (past PATH_MAX and
        the descriptor budget) with locked directories:
        AC, and the next run of the same slot too."""
        src = self.write_deep_sum()
        for _ in range(2):
            p = self.grader_run(src)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertEqual(json.loads(p.stdout)["verdict"], "AC")

    def test_stale_deep_work_roots_are_swept(self):
        """A dead grader's work roots (one per slot it might have had) hold 3,000-deep trees
        with locked directories: the next grader sweeps them and grades."""
        base = os.path.join(self.dir, "stale")
        os.mkdir(base)
        self.own(base)
        build = ("import os, sys\n"
                 "for slot in range(8):\n"
                 "    top = os.path.join(sys.argv[1], 'grader-%d-STALE%d' % (slot, slot))\n"
                 "    os.mkdir(top); fd = os.open(top, os.O_RDONLY)\n"
                 "    for i in range(3000):\n"
                 "        os.mkdir('d', dir_fd=fd); nfd = os.open('d', os.O_RDONLY, dir_fd=fd)\n"
                 "        if i % 500 == 499: os.chmod(fd, 0)\n"
                 "        os.close(fd); fd = nfd\n")
        cmd = ["python3", "-c", build, base]
        subprocess.run(self.as_user(cmd) if self.user else cmd, check=True, timeout=120)
        p = self.grader_run(os.path.join(REPO, "examples", "sum", "submissions", "accepted",
                                         "sum.c"), base)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        left = [n for n in os.listdir(base) if "STALE" in n]
        self.assertLess(len(left), 8, "no stale work root was swept")

    # --- inputs and what the program can learn -----------------------------------------------
    def test_stdin_is_a_pipe_and_test_data_stays_intact(self):
        data = os.path.join(self.dir, "secret-test-07.in")
        with open(data, "w") as f:
            f.write("1\n2 3\n")
        self.own(data)
        r = self.run_attack("stdin-rewrite", opts=["--stdin", data])
        self.assertNotIn("secret-test-07", r["stdout"])
        self.assertNotIn(self.dir, r["stdout"])
        self.assertNotIn("REWROTE", r["stdout"])
        with open(data) as f:
            self.assertEqual(f.read(), "1\n2 3\n")

    def test_grader_argv_is_invisible(self):
        r = self.run_attack("cmdline")
        for secret in ("--report", ARGS.grader, os.path.basename(ARGS.grader) + " "):
            self.assertNotIn(secret, r["stdout"])

    # --- honest statuses ----------------------------------------------------------------------
    def test_self_raised_signals_are_re(self):
        for sig in (24, 25, 31):  # SIGXCPU, SIGXFSZ, SIGSYS
            r = self.run_attack("raise", str(sig))
            self.assertEqual((r["status"], r["signal"]), ("RE", sig), r)

    def test_own_seccomp_filter_is_refused(self):
        for how in ("prctl", "syscall"):
            r = self.run_attack("own-filter", how)
            self.assertNotIn("own filter: installed", r["stdout"], how)
            self.assertEqual((r["status"], r["syscall"]), ("SV", "ptrace"), how)

    def test_forged_report_line_is_not_the_report(self):
        cmd = [ARGS.grader, "sandbox", "--report", "-", "--workdir", self.work, "--",
               "./attack", "forge-report"]
        p = subprocess.run(self.as_user(cmd) if self.user else cmd, capture_output=True,
                           text=True, timeout=30)
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 1, p.stdout)
        self.assertEqual((json.loads(lines[0])["status"], json.loads(lines[0])["exit_code"]),
                         ("RE", 3))

    def test_stream_inside_work_dir_is_refused(self):
        for opt in ("--stdout", "--stderr", "--report"):
            cmd = [ARGS.grader, "sandbox", "--workdir", self.work, opt,
                   os.path.join(self.work, "out.txt"), "--", "./attack", "ok"]
            p = subprocess.run(self.as_user(cmd) if self.user else cmd, capture_output=True,
                               text=True, timeout=30)
            self.assertEqual(p.returncode, 2, opt)
            self.assertIn("inside the work dir", p.stderr, opt)

    # --- the host left alone ------------------------------------------------------------------
    def test_fadvise_does_not_drop_host_cache(self):
        path = "/etc/hostname"
        with open(path, "rb") as f:
            f.read()
        self.assertEqual(unsandboxed_output("residency", path).strip(), "resident")
        r = self.run_attack("fadvise", path)
        self.assertIn("fadvise returned 0", r["stdout"])
        self.assertEqual(unsandboxed_output("residency", path).strip(), "resident")

    def test_rwf_nowait_is_refused(self):
        """RWF_NOWAIT tells whether a host file is cached (EAGAIN when not): refused outright."""
        with open("/etc/hostname", "rb") as f:
            f.read()  # cached: the kernel itself would answer with the data
        r = self.run_attack("nowait", "/etc/hostname")
        self.assertIn("nowait refused: Operation not supported", r["stdout"])

    def test_lock_on_system_file_does_not_block_the_host(self):
        out = os.path.join(self.dir, "out.txt")
        cmd = [ARGS.grader, "sandbox", "--report", os.path.join(self.dir, "report.json"),
               "--workdir", self.work, "--stdout", out, "--time", "5", "--",
               "./attack", "flock", "/etc/hostname", "4"]
        proc = subprocess.Popen(self.as_user(cmd) if self.user else cmd)
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                try:
                    with open(out) as f:
                        if "locked" in f.read():
                            break
                except FileNotFoundError:
                    pass
                time.sleep(0.05)
            with open("/etc/hostname") as f:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises when the run holds it
            with open("/etc/hostname", "r+") as f:
                fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            proc.wait(timeout=30)

    def test_terminal_stdin_is_not_handed_over(self):
        master, slave = pty.openpty()
        name = os.ttyname(slave)
        os.chmod(name, 0o666)
        before = termios.tcgetattr(slave)
        try:
            r = self.run_attack("tty", opts=["--stdin", name])
            self.assertIn("stdin is not a tty", r["stdout"])
            self.assertEqual(termios.tcgetattr(slave), before)
        finally:
            os.close(master)
            os.close(slave)

    def test_weakest_mode_is_explained(self):
        cmd = [ARGS.grader, "doctor", "--no-selftest", "--no-namespaces"]
        out = subprocess.run(self.as_user(cmd) if self.user else cmd, capture_output=True,
                             text=True, timeout=60).stdout
        self.assertRegex(out, r"NOT bounded: +disk")
        self.assertRegex(out, r"private work area \(--disk\) +OFF")


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--grader", required=True)
    ap.add_argument("--attack", required=True)
    ap.add_argument("--unprivileged", action="store_true")
    ap.add_argument("--no-pivot-root", help="the no_pivot_root wrapper")
    ARGS, rest = ap.parse_known_args()
    if os.geteuid() != 0:
        print("these tests run as root (CI does); skipping", file=sys.stderr)
        sys.exit(0)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
