#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of real problem packages: the corpus in tests/grader/corpus (legacy and
2023-07 draft packages with the submissions courses send) verified whole, and `grader run` and
`grader verify` on small packages made here, one behaviour each.

usage: test_packages.py --grader PATH --corpus DIR [unittest args]"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ARGS = None


def run(*args, timeout=300):
    p = subprocess.run([ARGS.grader, *args], capture_output=True, text=True, timeout=timeout,
                       errors="replace")
    return p.returncode, p.stdout, p.stderr


def grade(problem, *files, language=None):
    cmd = ["run", "--json", "--problem", problem]
    if language:
        cmd += ["--language", language]
    rc, out, err = run(*cmd, *files)
    return rc, (json.loads(out) if out.strip().startswith("{") else None), err


class Packages(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="grader-packages-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, name, text, mode=0o644):
        path = os.path.join(self.tmp, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb" if isinstance(text, bytes) else "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    def package(self, name, problem_yaml, tests, submissions=None):
        """A package under tmp: tests is {name: (input, answer or None)}."""
        self.write(f"{name}/problem.yaml", problem_yaml)
        for test, (inp, ans) in tests.items():
            self.write(f"{name}/data/{test}.in", inp)
            if ans is not None:
                self.write(f"{name}/data/{test}.ans", ans)
        for path, text in (submissions or {}).items():
            self.write(f"{name}/submissions/{path}", text)
        return os.path.join(self.tmp, name)

    def corpus(self, name):
        return os.path.join(ARGS.corpus, name)

    def copy(self, name):
        dst = os.path.join(self.tmp, name)
        shutil.copytree(self.corpus(name), dst, symlinks=True)
        return dst

    def assert_verifies(self, name):
        rc, out, err = run("verify", self.corpus(name))
        self.assertEqual(rc, 0, out + err)
        self.assertIn("0 mismatched, 0 skipped, 0 internal errors, 0 failed checks", out)

    # --- the corpus: every class of submission and package, verified whole ----------------
    def test_corpus_twice_verifies(self):
        # a 4 MiB static array, <regex>, headers, extra files, Java's Main in solution.java,
        # .c++, a sleeper (TLE), a traceback (RE), two Java mains (CE)
        self.assert_verifies("twice")

    def test_corpus_2023_07_any_answer_package_verifies(self):
        # output_validator/ (a header and a source) without a 'validation' key; itself.c
        # prints a right answer that differs from every .ans; input_validator_args
        self.assert_verifies("anyanswer")

    def test_corpus_validator_with_build_and_run_scripts_verifies(self):
        self.assert_verifies("buildrun")

    def test_corpus_include_directories_verify(self):
        self.assert_verifies("include")

    def test_corpus_mixed_run_only_package_verifies(self):
        self.assert_verifies("mixed")

    def test_corpus_2023_07_scoring_package_verifies(self):
        self.assert_verifies("scoring")

    # --- grader run ----------------------------------------------------------------------
    def test_python_traceback_is_in_the_result_and_on_the_terminal(self):
        sub = os.path.join(self.corpus("twice"), "submissions", "run_time_error", "crash.py")
        rc, r, err = grade(self.corpus("twice"), sub)
        self.assertEqual((rc, r["verdict"]), (1, "RE"), err)
        t = r["tests"][0]
        self.assertIn("IndexError: list index out of range", t["stderr"])
        self.assertIs(t["stderr_truncated"], False)
        rc, out, err = run("run", "--problem", self.corpus("twice"), sub)
        self.assertIn("| IndexError: list index out of range", out)

    def test_stderr_is_kept_up_to_its_limit(self):
        sub = self.write("noisy.py", "import sys\nsys.stderr.write('x' * 100000)\nprint(42)\n")
        rc, out, err = run("run", "--json", "--stderr-limit", "1K", "--problem",
                           self.corpus("twice"), sub)
        t = json.loads(out)["tests"][0]
        self.assertEqual(t["stderr"], "x" * 1024)
        self.assertIs(t["stderr_truncated"], True)

    def test_sleeper_is_tle_on_the_wall_clock_not_judged_on_its_partial_output(self):
        sub = os.path.join(self.corpus("twice"), "submissions", "time_limit_exceeded",
                           "sleeper.py")
        rc, r, err = grade(self.corpus("twice"), sub)
        self.assertEqual(r["verdict"], "TLE", err)
        # max(1.5 x 1 s, 1 s + 1 s): the wall limit is the time limit plus a margin
        self.assertIn("wall time limit of 2 s", r["tests"][0]["message"])

    def test_run_only_tests_are_named_and_their_output_kept_whole(self):
        pkg = self.corpus("mixed")
        sub = os.path.join(pkg, "submissions", "accepted", "reverse.py")
        rc, out, err = run("run", "--problem", pkg, sub)
        self.assertIn("run-only (no .ans: the verdict is the run's status): secret/2-run-only",
                      out)
        rc, r, err = grade(pkg, sub)
        self.assertEqual((rc, r["verdict"]), (0, "AC"), err)
        self.assertEqual(r["tests"][1]["stdout"].split("\n")[:2], ["1999", "1998"])
        self.assertIs(r["tests"][1]["stdout_truncated"], False)

    def test_2023_07_output_validator_is_used_without_a_validation_key(self):
        pkg = self.corpus("anyanswer")
        rc, r, err = grade(pkg, os.path.join(pkg, "submissions", "accepted", "itself.c"))
        self.assertEqual((rc, r["verdict"]), (0, "AC"), err)
        rc, r, err = grade(pkg, os.path.join(pkg, "submissions", "wrong_answer", "one.py"))
        self.assertEqual(r["verdict"], "WA")
        self.assertIn("not a divisor", r["tests"][0]["message"])

    def test_2023_07_scoring_gives_group_points_args_and_files(self):
        pkg = self.corpus("scoring")
        sub = os.path.join(pkg, "submissions", "rejected", "stdin_only.py")
        rc, r, err = grade(pkg, sub)
        self.assertEqual((r["score"], r["max_score"]), (60, 100), err)
        groups = {g["name"]: g["score"] for g in r["groups"]}
        self.assertEqual(groups["data/secret/group1"], 40)
        self.assertEqual(groups["data/secret/group2"], 20)

    def test_file_writing_follows_the_package(self):
        writer = self.write("writer.py", """
import os
try:
    open("probe.txt", "w").write("x")
    here = "writable"
except OSError:
    here = "read-only"
open("/tmp/probe.txt", "w").write("x")  # a small private /tmp always
print(here)
""")
        for head, want in (("", "writable"),
                           ("problem_format_version: 2023-07-draft\n", "read-only"),
                           ("problem_format_version: 2023-07-draft\nallow_file_writing: true\n",
                            "writable")):
            pkg = self.package("w%d" % len(head), head + "name: W\n",
                               {"secret/1": ("\n", None)})
            rc, r, err = grade(pkg, writer)
            self.assertEqual(r["verdict"], "AC", err)
            self.assertEqual(r["tests"][0]["stdout"], want + "\n", head)

    def test_a_language_the_problem_does_not_allow_is_a_compile_error(self):
        pkg = self.package("only_py", "problem_format_version: 2023-07-draft\nname: P\n"
                           "languages: [python3]\n", {"secret/1": ("1\n", "1\n")})
        sub = self.write("one.c", "#include <stdio.h>\nint main(void){puts(\"1\");}\n")
        rc, r, err = grade(pkg, sub)
        self.assertEqual(r["verdict"], "CE", err)
        self.assertIn("does not allow language 'c'", r["compile"]["output"])

    def test_java_without_a_main_method_is_a_compile_error_that_says_so(self):
        sub = self.write("Lib.java", "class Lib { static void main(String[] a) {} }\n")
        rc, r, err = grade(self.corpus("twice"), sub)
        self.assertEqual(r["verdict"], "CE", err)
        self.assertIn("no class declares public static void main(String[])",
                      r["compile"]["output"])

    def test_a_hundred_file_submission_compiles(self):
        files = [self.write("many/main.c", "#include <stdio.h>\n" +
                            "".join(f'#include "h{i}.h"\n' for i in range(99)) +
                            "int main(void){long long n; scanf(\"%lld\", &n);"
                            " printf(\"%lld\\n\", 2 * n); return 0;}\n")]
        files += [self.write(f"many/h{i}.h", f"#define H{i} {i}\n") for i in range(99)]
        rc, r, err = grade(self.corpus("twice"), *files)
        self.assertEqual((rc, r["verdict"]), (0, "AC"), err)

    def test_escape_sequences_from_compilers_and_programs_are_shown_not_obeyed(self):
        ce = self.write("ce.c", b'#error "\x1b[2J\x1b]0;owned\x07 evil"\nint main(void){}\n')
        rc, out, err = run("run", "--problem", self.corpus("twice"), ce)
        self.assertNotIn("\x1b", out)
        self.assertIn("\\x1b[2J", out)
        re_ = self.write("re.py", "import sys\nsys.stderr.write('\\x1b[31mred\\rblue\\n')\n"
                         "sys.exit(1)\n")
        rc, out, err = run("run", "--problem", self.corpus("twice"), re_)
        self.assertNotIn("\x1b", out)
        self.assertIn("| \\x1b[31mred\\x0dblue", out)

    # --- grader verify -----------------------------------------------------------------------
    def test_unknown_key_warns_in_run_and_fails_verify_naming_package_and_file(self):
        pkg = self.package("typo", "name: T\ntme_limit: 2\n", {"secret/1": ("1\n", "1\n")},
                           {"accepted/one.py": "print(1)\n"})
        rc, out, err = run("run", "--problem", pkg, os.path.join(pkg, "submissions",
                                                                   "accepted", "one.py"))
        self.assertEqual(rc, 0, err)
        self.assertIn(f"warning: {pkg}: problem.yaml:2:1: unknown key 'tme_limit'", err)
        rc, out, err = run("verify", pkg)
        self.assertEqual(rc, 1, out)
        self.assertIn(f"error: {pkg}: problem.yaml:2:1: unknown key 'tme_limit'", err)

    def test_verify_fails_without_example_submissions(self):
        pkg = self.package("nosubs", "name: N\n", {"secret/1": ("1\n", "1\n")})
        rc, out, err = run("verify", pkg)
        self.assertEqual(rc, 1, out + err)
        self.assertIn(f"{pkg}: submissions/: no example submissions", err)

    def test_verify_warns_when_no_test_has_an_answer(self):
        pkg = self.package("noans", "name: N\n", {"secret/1": ("1\n", None)},
                           {"accepted/one.py": "print(1)\n"})
        rc, out, err = run("verify", pkg)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("every test is run-only", err)

    def test_verify_runs_input_validators_with_their_arguments(self):
        pkg = self.copy("anyanswer")
        with open(os.path.join(pkg, "data", "test_group.yaml"), "w") as f:
            f.write("input_validator_args: [--max, '50']\n")
        rc, out, err = run("verify", pkg)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("data/secret/2-prime.in: input validator input_validators/range.py "
                      "rejects it", err)
        self.assertIn("not one integer in [2, 50]", err)
        self.assertNotIn("1-square.in", err)

    def test_verify_reads_domjudge_expected_results_tags(self):
        pkg = self.package("tags", "name: T\n", {"secret/1": ("1\n", "1\n")}, {
            "mixed/wrong.py": "# @EXPECTED_RESULTS@: WRONG-ANSWER, TIMELIMIT\nprint(2)\n",
            "accepted/one.py": "print(1)\n"})
        rc, out, err = run("verify", pkg)
        self.assertEqual(rc, 0, out + err)
        self.write("tags/submissions/mixed/liar.py", "# @EXPECTED_RESULTS@: CORRECT\nprint(3)\n")
        rc, out, err = run("verify", pkg)
        self.assertEqual(rc, 1, out + err)
        self.assertRegex(out, r"liar\.py +python3 +AC +WA .*MISMATCH")

    def test_verify_checks_time_margins(self):
        burn = ("import time\nwhile time.process_time() < {t}: pass\nprint(1)\n")
        pkg = self.package("margins", "name: M\nlimits:\n  time_limit: 1\n",
                           {"secret/1": ("1\n", "1\n")},
                           {"accepted/slow.py": burn.format(t=0.7),
                            "time_limit_exceeded/close.py": burn.format(t=1.3)})
        rc, out, err = run("verify", pkg)
        self.assertEqual(rc, 1, out + err)
        self.assertRegex(out, r"slow\.py .* MARGIN .*above the time limit 1 s / safety margin 2")
        self.assertRegex(out, r"close\.py .* MISMATCH .*time limit 1 s x margin 2")
        rc, out, err = run("verify", "--no-time-margins", pkg)
        self.assertEqual(rc, 0, out + err)

    def test_verify_derives_a_time_limit_when_the_package_gives_none(self):
        pkg = self.package("derive", "name: D\n", {"secret/1": ("1\n", "1\n")},
                           {"accepted/one.py": "print(1)\n"})
        rc, out, err = run("verify", pkg)
        self.assertEqual(rc, 0, out + err)
        self.assertRegex(out, r"time limit: 1 s, derived \(slowest accepted [0-9.]+ s x 5")

    def test_verify_partially_accepted_needs_a_scoring_problem(self):
        pkg = self.package("pac", "name: P\n", {"secret/1": ("1\n", "1\n")},
                           {"accepted/one.py": "print(1)\n",
                            "partially_accepted/two.py": "print(2)\n"})
        rc, out, err = run("verify", pkg)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("partially_accepted/: only for scoring problems", err)

    def test_verify_names_the_package_that_does_not_load(self):
        good = self.corpus("mixed")
        bad = self.package("broken", "name: [unclosed\n", {"secret/1": ("1\n", "1\n")})
        rc, out, err = run("verify", good, bad)
        self.assertEqual(rc, 2, out + err)
        self.assertIn(f"grader: {bad}: problem.yaml:", err)
        self.assertNotIn(good + ":", err)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--grader", required=True)
    ap.add_argument("--corpus", required=True)
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
