#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of `grader run`: hostile submissions, compile bombs, run-only tests, and a
broken validator. usage: test_grading.py --grader PATH --examples DIR [unittest args]"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

ARGS = None
HERE = os.path.dirname(os.path.abspath(__file__))


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


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--grader", required=True)
    ap.add_argument("--examples", required=True)
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
