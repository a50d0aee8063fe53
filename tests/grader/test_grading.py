#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of `grader run`: hostile submissions, compile bombs, run-only tests, a
broken validator; and `grader pch`, the precompiled header a C++ compile uses and the
class-data-sharing archives of Java. A run where every test was skipped (no g++, no mount
namespace) exits 77.
usage: test_grading.py --grader PATH --examples DIR [unittest args]"""
import argparse
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import unittest

ARGS = None
HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77  # ctest's SKIP_RETURN_CODE: every test that ran was skipped
GXX = "/usr/bin/g++"  # the default table's C++ compiler
JAVAC = "/usr/bin/javac"  # and its Java compiler
BITS_SUM = """#include <bits/stdc++.h>
using namespace std;
int main()
{
    ios::sync_with_stdio(false);
    int t = 0;
    cin >> t;
    while (t-- > 0) {
        long long a, b;
        cin >> a >> b;
        cout << a + b << '\\n';
    }
}
"""


def grade(problem, *files, language=None, timeout=120, languages=None):
    cmd = [ARGS.grader, "run", "--json", "--problem", problem]
    if language:
        cmd += ["--language", language]
    if languages:
        cmd += ["--languages", languages]
    t0 = time.monotonic()
    p = subprocess.run(cmd + list(files), capture_output=True, text=True, timeout=timeout)
    elapsed = time.monotonic() - t0
    result = json.loads(p.stdout) if p.stdout.strip().startswith("{") else None
    return p.returncode, result, p.stderr, elapsed


class Grading(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="grader-grading-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    # --- the package stays out of reach ------------------------------------------------
    def test_submission_cannot_read_answers_by_path(self):
        pkg = os.path.realpath(os.path.join(ARGS.examples, "sum"))
        src = self.write("steal.c", f"""
#include <stdio.h>
int main(void) {{
    const char *paths[] = {{"{pkg}/data/sample/01.ans", "{pkg}/data/secret/01-small.ans",
                           "{pkg}/problem.yaml"}};
    for (int i = 0; i < 3; i++) {{
        FILE *f = fopen(paths[i], "r");
        if (!f) continue;
        int c;
        while ((c = fgetc(f)) != EOF) putchar(c);
        return 0;
    }}
    puts("nothing to read");
    return 0;
}}
""")
        rc, r, err, _ = grade(pkg, src)
        self.assertEqual(rc, 1, err)
        self.assertEqual(r["verdict"], "WA")
        self.assertIn("nothing to read", r["tests"][0]["stdout"])

    def test_submission_finds_no_answers_or_validator_anywhere(self):
        src = os.path.join(HERE, "hostile", "find_answers.py")
        shutil.copy(src, self.tmp)
        pkg = os.path.join(ARGS.examples, "anyorder")
        rc, r, err, _ = grade(pkg, os.path.join(self.tmp, "find_answers.py"))
        self.assertEqual(r["verdict"], "WA", err)
        self.assertTrue(r["tests"][0]["stdout"].startswith("nothing"), r["tests"][0]["stdout"])

    # --- compile bombs: CE, never a hung grader ----------------------------------------
    def test_include_dev_zero_is_ce(self):
        rc, r, err, t = grade(os.path.join(ARGS.examples, "sum"),
                              os.path.join(HERE, "hostile", "dev_zero.c"))
        self.assertEqual((rc, r["verdict"]), (1, "CE"), err)
        self.assertEqual(r["compile"]["status"], "CE")
        self.assertLess(t, 60)

    def test_template_explosion_is_ce(self):
        # the default table gives g++ 30 s; a copy with 4 s keeps the test short
        with open(os.path.join(ARGS.examples, "..", "data", "languages.json")) as f:
            table = json.load(f)
        for lang in table["languages"]:
            if lang["id"] == "cpp":
                lang["compile_limits"]["time"] = 4
        languages = self.write("languages.json", json.dumps(table))
        rc, r, err, t = grade(os.path.join(ARGS.examples, "sum"),
                              os.path.join(HERE, "hostile", "template_bomb.cpp"),
                              languages=languages)
        self.assertEqual((rc, r["verdict"]), (1, "CE"), err)
        self.assertIn("compilation stopped", r["compile"]["output"])
        self.assertLess(t, 30)

    def test_flood_of_compiler_errors_is_capped_ce(self):
        rc, r, err, t = grade(os.path.join(ARGS.examples, "sum"),
                              os.path.join(HERE, "hostile", "error_flood.cpp"))
        self.assertEqual((rc, r["verdict"]), (1, "CE"), err)
        self.assertLessEqual(len(r["compile"]["output"].encode()), 70 * 1024)

    # --- run-only tests --------------------------------------------------------------------
    def test_run_only_tests_return_their_whole_stdout(self):
        pkg = os.path.join(self.tmp, "echo")
        self.write("echo/problem.yaml", "name: Echo\nlimits:\n  time_limit: 1\n")
        big = "".join(f"{i}\n" for i in range(3000))  # ~14 KB: more than the 4 KiB head
        self.write("echo/data/secret/1.in", big)
        self.write("echo/data/secret/2.in", "hello\n")
        src = self.write("cat.py", "import sys\nsys.stdout.write(sys.stdin.read())\n")
        rc, r, err, _ = grade(pkg, src)
        self.assertEqual((rc, r["verdict"]), (0, "AC"), err)
        self.assertEqual(r["tests"][0]["stdout"], big)
        self.assertFalse(r["tests"][0]["stdout_truncated"])
        self.assertEqual(r["tests"][1]["stdout"], "hello\n")

    def test_run_only_test_verdict_is_the_run_status(self):
        pkg = os.path.join(self.tmp, "echo")
        self.write("echo/problem.yaml", "name: Echo\n")
        self.write("echo/data/secret/1.in", "x\n")
        src = self.write("crash.py", "raise SystemExit(3)\n")
        rc, r, err, _ = grade(pkg, src)
        self.assertEqual((rc, r["verdict"]), (1, "RE"), err)

    # --- a judge fault is IE, never WA -----------------------------------------------------
    def test_crashing_validator_is_ie_not_wa(self):
        pkg = os.path.join(self.tmp, "bad")
        self.write("bad/problem.yaml", "name: Bad\nvalidation: custom\n")
        self.write("bad/data/secret/1.in", "1\n")
        self.write("bad/data/secret/1.ans", "1\n")
        self.write("bad/output_validators/v/v.c",
                   "#include <stdlib.h>\nint main(void){abort();}\n")
        src = self.write("ok.py", "print(1)\n")
        rc, r, err, _ = grade(pkg, src)
        self.assertEqual(rc, 2, err)
        self.assertEqual(r["verdict"], "IE")
        self.assertIn("validator", r["internal_error"])

    def test_validator_that_does_not_compile_is_a_package_error(self):
        pkg = os.path.join(self.tmp, "bad")
        self.write("bad/problem.yaml", "name: Bad\nvalidation: custom\n")
        self.write("bad/data/secret/1.in", "1\n")
        self.write("bad/data/secret/1.ans", "1\n")
        self.write("bad/output_validators/v/v.c", "this is not C\n")
        src = self.write("ok.py", "print(1)\n")
        rc, r, err, _ = grade(pkg, src)
        self.assertEqual(rc, 2)
        self.assertIsNone(r)
        self.assertIn("does not compile", err)

    def test_broken_package_names_the_file(self):
        pkg = os.path.join(self.tmp, "broken")
        self.write("broken/problem.yaml", "name: [unclosed\n")
        self.write("broken/data/secret/1.in", "1\n")
        self.write("broken/data/secret/1.ans", "1\n")
        src = self.write("ok.py", "print(1)\n")
        rc, r, err, _ = grade(pkg, src)
        self.assertEqual(rc, 2)
        self.assertIn("problem.yaml", err)

    # --- the result contract -----------------------------------------------------------------
    def test_result_json_has_every_key_of_the_contract(self):
        rc, r, err, _ = grade(os.path.join(ARGS.examples, "groups"),
                              os.path.join(ARGS.examples, "groups", "submissions",
                                           "time_limit_exceeded", "quadratic.c"))
        for key in ("job_id", "submission_id", "problem_id", "problem_revision", "verdict",
                    "score", "max_score", "compile", "tests", "max_time", "max_memory",
                    "grader", "started_at", "finished_at"):
            self.assertIn(key, r)
        self.assertEqual((r["verdict"], r["score"], r["max_score"]), ("TLE", 30, 100))
        for key in ("status", "output", "time"):
            self.assertIn(key, r["compile"])
        for t in r["tests"]:
            for key in ("name", "verdict", "time", "wall_time", "memory", "score", "message",
                        "stdout", "stdout_truncated"):
                self.assertIn(key, t)
        self.assertTrue(r["groups"])
        self.assertRegex(r["started_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")

    def test_unknown_language_is_a_usage_error(self):
        src = self.write("x.zig", "pub fn main() void {}\n")
        rc, r, err, _ = grade(os.path.join(ARGS.examples, "sum"), src)
        self.assertEqual(rc, 2)
        self.assertIn("--language", err)

    def test_a_language_not_installed_is_an_internal_error_naming_its_package(self):
        table = self.write("languages.json", json.dumps({"languages": [{
            "id": "rust", "package": "rustc", "extensions": [".rs"],
            "compile": ["/nonexistent/rustc", "-o", "{binary}", "{main}"],
            "run": ["./{binary}"]}]}))
        src = self.write("sum.rs", "fn main() {}\n")
        rc, r, err, _ = grade(os.path.join(ARGS.examples, "sum"), src, languages=table)
        self.assertEqual(rc, 2)  # not a verdict: nothing is wrong with the submission
        self.assertIsNone(r)
        self.assertIn("'rust' is not installed", err)
        self.assertIn("apt-get install rustc", err)

    # --- the precompiled header of C++ (grader pch) ------------------------------------------
    def need_gxx(self):
        if not os.access(GXX, os.X_OK):
            self.skipTest(f"{GXX} is not installed")

    def cpp_table(self, pch_dir, name="languages.json", extra_flags=(), output=None):
        """A copy of the default table whose C++ precompiled header lives in pch_dir, and the
        only precompiled file it names (grader pch builds nothing else, anywhere)."""
        with open(os.path.join(ARGS.examples, "..", "data", "languages.json")) as f:
            table = json.load(f)
        for lang in table["languages"]:
            lang.pop("class_data_archive", None)
        cpp = next(l for l in table["languages"] if l["id"] == "cpp")
        self.assertIn("precompiled_header", cpp)
        cpp["precompiled_header"]["dir"] = pch_dir
        cpp["compile"][1:1] = list(extra_flags)
        if output:
            cpp["compile_limits"]["output"] = output
        return self.write(name, json.dumps(table)), cpp

    def pch(self, *args, env=None):
        p = subprocess.run([ARGS.grader, "pch", *args], capture_output=True, text=True,
                           timeout=300, env=env)
        return p.returncode, p.stdout, p.stderr

    def gxx_as_the_grader(self, cpp, pch_dir, src):
        """g++ run outside the sandbox with the argv the grader's compile gets (the table's
        command, -I the directory after the compiler) plus -H: its stderr names each header
        read, with "!" before a precompiled header used and "x" before one refused."""
        work = tempfile.mkdtemp(dir=self.tmp)
        shutil.copy(src, work)
        argv = [w.replace("{binary}", cpp["binary"]) for w in cpp["compile"]]
        argv[argv.index("{files}")] = os.path.basename(src)
        argv[1:1] = ["-I" + pch_dir]
        p = subprocess.run(argv + ["-H"], cwd=work, capture_output=True, text=True, timeout=300)
        return p.returncode, p.stderr

    def test_pch_builds_the_header_that_the_compile_of_the_table_uses(self):
        self.need_gxx()
        pch_dir = os.path.join(self.tmp, "pch")
        table, cpp = self.cpp_table(pch_dir)
        scratch = os.path.join(self.tmp, "scratch")
        os.mkdir(scratch)
        rc, out, err = self.pch("--languages", table, "--dir", pch_dir,
                                env=dict(os.environ, TMPDIR=scratch))
        self.assertEqual(rc, 0, err)
        gch = os.path.join(pch_dir, "bits", "stdc++.h.gch")
        self.assertRegex(out, rf"cpp: built {re.escape(gch)} \([0-9.]+ MiB\) in [0-9.]+ s")
        st = os.lstat(gch)
        self.assertTrue(stat.S_ISREG(st.st_mode))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o644)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(pch_dir, "bits")).st_mode), 0o755)
        self.assertEqual(os.listdir(os.path.join(pch_dir, "bits")), ["stdc++.h.gch"])
        self.assertEqual(os.listdir(scratch), [])  # the wrapper's directory is gone
        # GCC takes it for the table's own compile command: built with the same flags
        src = self.write("bits.cpp", BITS_SUM)
        rc, hdrs = self.gxx_as_the_grader(cpp, pch_dir, src)
        self.assertEqual(rc, 0, hdrs[-2000:])
        self.assertEqual(hdrs.splitlines()[0], "! " + gch, hdrs[:2000])
        # and the grader compiles with it (in the sandbox: a directory outside the system
        # directories is not seen there, test_pch_is_used_in_the_sandbox shows it read)
        rc, r, err, _ = grade(os.path.join(ARGS.examples, "sum"), src, languages=table)
        self.assertEqual((rc, r["verdict"]), (0, "AC"), err)
        self.assertEqual(r["compile"]["output"], "")
        # a second build replaces the first
        rc, out, err = self.pch("--languages", table, "--dir", pch_dir, "--quiet")
        self.assertEqual((rc, out), (0, ""), err)
        self.assertNotEqual(os.lstat(gch).st_ino, st.st_ino)

    def test_a_garbage_pch_is_ignored_and_the_submission_still_ac(self):
        self.need_gxx()
        pch_dir = os.path.join(self.tmp, "pch")
        table, cpp = self.cpp_table(pch_dir)
        gch = os.path.join(pch_dir, "bits", "stdc++.h.gch")
        os.makedirs(os.path.dirname(gch))
        with open(gch, "wb") as f:
            f.write(b"gpch" + os.urandom(4096))
        src = self.write("bits.cpp", BITS_SUM)
        rc, hdrs = self.gxx_as_the_grader(cpp, pch_dir, src)
        self.assertEqual(rc, 0, hdrs[-2000:])
        self.assertEqual(hdrs.splitlines()[0], "x " + gch, hdrs[:2000])
        self.assertIn("bits/stdc++.h", hdrs.splitlines()[1])  # the header itself, read
        rc, r, err, _ = grade(os.path.join(ARGS.examples, "sum"), src, languages=table)
        self.assertEqual((rc, r["verdict"]), (0, "AC"), err)

    def test_a_bad_precompiled_header_entry_is_refused_naming_it(self):
        for i, (pch, what) in enumerate((
                ({"header": "bits/stdc++.h", "dir": "usr/lib/grader/pch"},
                 "'precompiled_header.dir' must be an absolute path"),
                ({"header": "bits/stdc++.h", "dir": "/usr/lib/grader/../../../tmp"},
                 "'precompiled_header.dir' must be an absolute path"),
                ({"header": "../../../etc/passwd", "dir": "/usr/lib/grader/pch"},
                 "'precompiled_header.header' must be a relative path"),
                ({"header": "/usr/include/stdio.h", "dir": "/usr/lib/grader/pch"},
                 "'precompiled_header.header' must be a relative path"),
                ({"header": "bits/stdc++.h", "dir": "/usr/lib/grader/pch", "flags": ["-O3"]},
                 "unknown key 'precompiled_header.flags'"))):
            with open(os.path.join(ARGS.examples, "..", "data", "languages.json")) as f:
                table = json.load(f)
            next(l for l in table["languages"] if l["id"] == "cpp")["precompiled_header"] = pch
            path = self.write(f"bad{i}.json", json.dumps(table))
            for cmd in (["languages"], ["pch", "--dir", os.path.join(self.tmp, "pch")],
                        ["run", "--problem", os.path.join(ARGS.examples, "sum"),
                         os.path.join(ARGS.examples, "sum", "submissions", "accepted",
                                      "sum.cpp")]):
                p = subprocess.run([ARGS.grader, cmd[0], "--languages", path, *cmd[1:]],
                                   capture_output=True, text=True, timeout=60)
                self.assertEqual(p.returncode, 2, (cmd, p.stdout, p.stderr))
                self.assertIn(f"language table '{path}': language 1 ('cpp'): {what}", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "pch")))

    def test_pch_without_a_writable_dir_fails_naming_the_language(self):
        self.need_gxx()
        blocker = self.write("file", "a file where the directory would go\n")
        table, _ = self.cpp_table(os.path.join(blocker, "pch"))
        for args in ([], ["--dir", os.path.join(blocker, "elsewhere")]):
            rc, out, err = self.pch("--languages", table, *args)
            self.assertEqual(rc, 1, (args, out, err))
            self.assertIn("grader: pch: cpp: cannot create the directory '" + blocker, err)
            self.assertIn("Not a directory", err)

    def test_pch_that_does_not_compile_fails_with_the_compilers_messages(self):
        self.need_gxx()
        pch_dir = os.path.join(self.tmp, "pch")
        table, _ = self.cpp_table(pch_dir)
        with open(table) as f:
            t = json.load(f)
        next(l for l in t["languages"] if l["id"] == "cpp")["precompiled_header"]["header"] = \
            "no/such_header.h"
        with open(table, "w") as f:
            json.dump(t, f)
        rc, out, err = self.pch("--languages", table, "--quiet")
        self.assertEqual((rc, out), (1, ""), err)
        self.assertIn("grader: pch: cpp: /usr/bin/g++ failed (exit status 1)", err)
        self.assertIn("no/such_header.h: No such file or directory", err)  # g++'s own words
        self.assertEqual(os.listdir(os.path.join(pch_dir, "no")), [])  # no temporary left

    def in_usr_overlay(self, body):
        """Run the shell commands body as root in a mount namespace of our own where /usr is an
        overlay whose writes land in a tmpfs (the host's /usr is never written); skip the test
        where that cannot be had. Return: the directory where body may leave files, as $OUT."""
        if os.geteuid() != 0 or not shutil.which("unshare"):
            self.skipTest("needs root and unshare (a private mount namespace)")
        ovl, out = os.path.join(self.tmp, "ovl"), os.path.join(self.tmp, "out")
        os.mkdir(ovl)
        os.mkdir(out)
        q = shlex.quote
        script = f"""set -e
OUT={q(out)}
mount -t tmpfs tmpfs {q(ovl)} || exit 77
mkdir {q(ovl)}/upper {q(ovl)}/work
mount -t overlay overlay -o lowerdir=/usr,upperdir={q(ovl)}/upper,workdir={q(ovl)}/work /usr \\
    || exit 77
{body}"""
        p = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script],
                           capture_output=True, text=True, timeout=600)
        if p.returncode == 77 or "unshare failed" in p.stderr:
            self.skipTest("no private mount namespace or overlay here: " + p.stderr[-300:])
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        return out

    def test_pch_is_used_in_the_sandbox_and_a_garbage_one_ignored(self):
        """The whole path, in a private /usr overlay (in_usr_overlay): grader pch writes the
        table's own /usr/lib/grader/pch, and grader run's compile, in the sandbox, reads it.
        The table's compile adds -H, so the compiler's messages in the result name the .gch
        used."""
        self.need_gxx()
        pch_dir = "/usr/lib/grader/pch"
        if os.path.exists(pch_dir):
            self.skipTest(f"{pch_dir} exists on this host")
        table, _ = self.cpp_table(pch_dir, extra_flags=["-H"], output="1M")
        src = self.write("bits.cpp", BITS_SUM)
        q = shlex.quote
        run = (f"{q(ARGS.grader)} run --json --languages {q(table)} "
               f"--problem {q(os.path.join(ARGS.examples, 'sum'))} {q(src)}")
        out = self.in_usr_overlay(f"""{q(ARGS.grader)} pch --languages {q(table)} > $OUT/pch.txt
{run} > $OUT/with.json || true
head -c 4096 /dev/urandom > {pch_dir}/bits/stdc++.h.gch
{run} > $OUT/garbage.json || true
""")
        self.assertFalse(os.path.exists(pch_dir))
        with open(os.path.join(out, "pch.txt")) as f:
            self.assertIn(f"cpp: built {pch_dir}/bits/stdc++.h.gch", f.read())
        with open(os.path.join(out, "with.json")) as f:
            r = json.load(f)
        self.assertEqual(r["verdict"], "AC", r["compile"])
        self.assertEqual(r["compile"]["output"].splitlines()[0],
                         f"! {pch_dir}/bits/stdc++.h.gch", r["compile"]["output"][:2000])
        with open(os.path.join(out, "garbage.json")) as f:
            r = json.load(f)
        self.assertEqual(r["verdict"], "AC", r["compile"])
        lines = r["compile"]["output"].splitlines()
        self.assertEqual(lines[0], f"x {pch_dir}/bits/stdc++.h.gch", lines[:5])
        self.assertIn("bits/stdc++.h", lines[1])  # read from the header itself

    # --- the class-data-sharing archives of the JVM languages (grader pch) ------------------
    def java_table(self, cds_dir, log=False):
        """A copy of the default table where only Java names precompiled files, its archives
        in cds_dir; log: its compile and run print the JVM's archive messages to stderr."""
        if not os.access(JAVAC, os.X_OK):
            self.skipTest(f"{JAVAC} is not installed")
        with open(os.path.join(ARGS.examples, "..", "data", "languages.json")) as f:
            table = json.load(f)
        for lang in table["languages"]:
            lang.pop("precompiled_header", None)
            if lang["id"] != "java":
                lang.pop("class_data_archive", None)
        java = next(l for l in table["languages"] if l["id"] == "java")
        self.assertIn("class_data_archive", java)
        java["class_data_archive"]["dir"] = cds_dir
        if log:  # after the options the grader puts first, so these win
            java["compile"][1:1] = ["-J-Xlog:cds=info:stderr"]
            java["run"][1:1] = ["-Xlog:cds=info:stderr"]
        return self.write("java.json", json.dumps(table)), java

    def test_archives_are_built_for_the_jvm_and_options_of_the_table(self):
        cds_dir = os.path.join(self.tmp, "pch")
        table, java = self.java_table(cds_dir)
        scratch = os.path.join(self.tmp, "scratch")
        os.mkdir(scratch)
        rc, out, err = self.pch("--languages", table, "--dir", cds_dir,
                                env=dict(os.environ, TMPDIR=scratch))
        self.assertEqual(rc, 0, err)
        compile_jsa = os.path.join(cds_dir, "java.compile.jsa")
        run_jsa = os.path.join(cds_dir, "java.run.jsa")
        self.assertRegex(out, rf"^java: built {re.escape(compile_jsa)} \([0-9.]+ MiB\) and "
                              rf"{re.escape(run_jsa)} \([0-9.]+ MiB\) in [0-9.]+ s\n$")
        self.assertEqual(sorted(os.listdir(cds_dir)), ["java.compile.jsa", "java.run.jsa"])
        for f in (compile_jsa, run_jsa):
            self.assertEqual(stat.S_IMODE(os.stat(f).st_mode), 0o644)
            self.assertGreater(os.path.getsize(f), 1 << 20)
        self.assertEqual(os.listdir(scratch), [])  # the work directory is gone
        # each is mapped by the table's own commands: -Xshare:on fails when it cannot be
        work = os.path.join(self.tmp, "work")
        os.mkdir(work)
        self.write("work/Main.java", "public class Main { public static void main(String[] a) "
                                     "{ System.out.println(new java.util.Scanner(System.in)"
                                     ".nextInt() * 2); } }\n")
        javac = [w.replace("{files}", "Main.java") for w in java["compile"]]
        javac[1:1] = ["-J-Xshare:on", "-J-XX:SharedArchiveFile=" + compile_jsa]
        p = subprocess.run(javac, cwd=work, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        run = [w.replace("{memory_mb}", "256").replace("{class}", "Main") for w in java["run"]
               if w != "-Xshare:auto"]
        run[1:1] = ["-Xshare:on", "-XX:SharedArchiveFile=" + run_jsa]
        p = subprocess.run(run, cwd=work, input="21\n", capture_output=True, text=True,
                           timeout=60)
        self.assertEqual((p.returncode, p.stdout), (0, "42\n"), p.stderr)

    def test_archives_of_a_language_without_a_jvm_or_a_program_fail_naming_it(self):
        table, _ = self.java_table(os.path.join(self.tmp, "pch"))
        with open(table) as f:
            t = json.load(f)
        c = next(l for l in t["languages"] if l["id"] == "c")
        c["class_data_archive"] = {"dir": os.path.join(self.tmp, "pch")}
        java = next(l for l in t["languages"] if l["id"] == "java")
        java8 = dict(java, id="java8", extensions=[".java8"])
        java8.pop("aliases", None)
        t["languages"].append(java8)
        with open(table, "w") as f:
            json.dump(t, f)
        rc, out, err = self.pch("--languages", table)
        self.assertEqual(rc, 1, (out, err))
        self.assertIn("grader: pch: c: '/usr/bin/gcc' is not a JVM launcher", err)
        self.assertIn("grader: pch: java8: the self-test has no program in 'java8'", err)
        self.assertRegex(out, r"(?m)^java: built ")  # the others are still built
        self.assertEqual(sorted(os.listdir(os.path.join(self.tmp, "pch"))),
                         ["java.compile.jsa", "java.run.jsa"])  # no temporary left

    def test_archives_are_used_in_the_sandbox_and_a_bad_one_ignored(self):
        """As test_pch_is_used_in_the_sandbox, in a private /usr overlay: grader pch writes the
        table's /usr/lib/grader/pch, and grader run's compile and runs map the archives there
        (the JVM says so on stderr: the table copy logs it). Then each archive is replaced by
        garbage, then by one of another JVM build: both are refused by the JVM, and the
        submission is still AC with its output intact."""
        cds_dir = "/usr/lib/grader/pch"
        table, _ = self.java_table(cds_dir, log=True)
        if os.path.exists(cds_dir):
            self.skipTest(f"{cds_dir} exists on this host")
        src = os.path.join(ARGS.examples, "sum", "submissions", "accepted", "Sum.java")
        q = shlex.quote
        run = (f"{q(ARGS.grader)} run --json --languages {q(table)} "
               f"--problem {q(os.path.join(ARGS.examples, 'sum'))} {q(src)}")
        other_build = ("import sys\nfor p in sys.argv[1:]:\n b = bytearray(open(p, 'rb').read())\n"
                       " i = b.index(b'Server VM (')\n b[i + 11] ^= 1\n open(p, 'wb').write(b)\n")
        out = self.in_usr_overlay(f"""{q(ARGS.grader)} pch --languages {q(table)} > $OUT/pch.txt
{run} > $OUT/with.json || true
for f in {cds_dir}/*.jsa; do cp $f $f.good; head -c 65536 /dev/urandom > $f; done
{run} > $OUT/garbage.json || true
for f in {cds_dir}/*.jsa; do mv $f.good $f; done
python3 -c {q(other_build)} {cds_dir}/java.compile.jsa {cds_dir}/java.run.jsa
{run} > $OUT/stale.json || true
""")
        self.assertFalse(os.path.exists(cds_dir))
        with open(os.path.join(out, "pch.txt")) as f:
            self.assertIn(f"java: built {cds_dir}/java.compile.jsa", f.read())
        for case, used in (("with", True), ("garbage", False), ("stale", False)):
            with open(os.path.join(out, case + ".json")) as f:
                r = json.load(f)
            self.assertEqual(r["verdict"], "AC", (case, r["compile"]))
            logs = (("compile", r["compile"]["output"], "java.compile.jsa"),
                    ("run", r["tests"][0]["stderr"], "java.run.jsa"))
            for stage, log, name in logs:
                self.assertIn(f"trying to map {cds_dir}/{name}", log, (case, stage))
                mapped = "Mapped static  region #0" in log
                self.assertEqual(mapped, used, (case, stage, log[-1500:]))
            for t in r["tests"]:  # the JVM's words never reach the output judged
                self.assertNotIn("[cds]", t["stdout"], case)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--grader", required=True)
    ap.add_argument("--examples", required=True)
    ARGS, rest = ap.parse_known_args()
    prog = unittest.main(argv=[sys.argv[0]] + rest, verbosity=2, exit=False)
    r = prog.result
    if r.wasSuccessful() and r.testsRun and len(r.skipped) == r.testsRun:
        sys.exit(SKIP)
    sys.exit(0 if r.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
