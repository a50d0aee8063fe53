#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every example submission keeps its expected verdict on a machine much slower or faster than
this one. A machine k times slower is a time limit k times tighter, so this runs `grader verify`
on copies of the example packages whose time limits are scaled by FACTOR (0.5: this machine
made twice as slow; 2: twice as fast) and wants every expected verdict to hold. The time
margins are grader verify's own check at the package's real limits (readme-examples and
grader-verify-*), so this one runs it with --no-time-margins: the verdicts are the question
here. It verifies the
languages of --only (default: C, C++, Python 3, Java, whose examples cover every verdict) and
skips the others, which readme-examples already runs once: twenty compilers more, twice, would
add minutes to the suite. It also leaves out the submissions whose verdict the factor cannot
change: more time (FACTOR > 1) can only change a run that ran out of time, so only the
time_limit_exceeded folder is verified then; less time (FACTOR < 1) leaves a TLE a TLE and does
not touch compiling, so time_limit_exceeded and compile_error are left out then. A file that
names its own expected results (@EXPECTED_RESULTS@) is always kept.

usage: test_time_margins.py --grader PATH --examples DIR --factor F [--only IDS] [PACKAGE...]"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

TIME_KEY = re.compile(r"^(\s*time_limit:\s*)([0-9.]+)(.*)$", re.M)


def scale(pkg, factor):
    """Scale the package's time limit where it is set: problem.yaml's limits.time_limit, else
    the .timelimit file, else the 1 s default (written as a .timelimit file)."""
    yaml_path = os.path.join(pkg, "problem.yaml")
    with open(yaml_path) as f:
        text = f.read()
    m = TIME_KEY.search(text)
    if m:
        new = float(m.group(2)) * factor
        text = TIME_KEY.sub(lambda m: f"{m.group(1)}{new:g}{m.group(3)}", text, count=1)
        with open(yaml_path, "w") as f:
            f.write(text)
        return new
    tl_path = os.path.join(pkg, ".timelimit")
    old = 1.0
    if os.path.exists(tl_path):
        with open(tl_path) as f:
            old = float(f.read().strip())
    with open(tl_path, "w") as f:
        f.write(f"{old * factor:g}\n")
    return old * factor


def prune(pkg, factor):
    """Remove the submissions whose expected verdict the factor cannot change (see above).
    Return how many submission files are left."""
    subs = os.path.join(pkg, "submissions")
    if not os.path.isdir(subs):
        return 0
    left = 0
    for folder in sorted(os.listdir(subs)):
        path = os.path.join(subs, folder)
        if not os.path.isdir(path):
            continue
        if factor > 1:
            drop = folder != "time_limit_exceeded"
        else:
            drop = folder in ("time_limit_exceeded", "compile_error")
        for root, _, files in os.walk(path):
            for name in files:
                f = os.path.join(root, name)
                with open(f, "rb") as fh:
                    tagged = b"@EXPECTED_RESULTS@" in fh.read(1 << 16)
                if drop and not tagged:
                    os.unlink(f)
                else:
                    left += 1
    return left


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--grader", required=True)
    ap.add_argument("--examples", required=True)
    ap.add_argument("--factor", type=float, required=True)
    ap.add_argument("--only", default="c,cpp,python3,java",
                    help="comma-separated language ids to verify (the table's others are skipped)")
    ap.add_argument("--languages", default=os.path.join(os.path.dirname(os.path.abspath(
        __file__)), "..", "..", "data", "languages.json"))
    ap.add_argument("packages", nargs="*")
    args = ap.parse_args()
    names = args.packages or sorted(
        d for d in os.listdir(args.examples)
        if os.path.exists(os.path.join(args.examples, d, "problem.yaml")))
    tmp = tempfile.mkdtemp(prefix="grader-margins-")
    try:
        dirs = []
        table = json.load(open(args.languages))
        only = set(args.only.split(","))
        table["languages"] = [l for l in table["languages"] if l["id"] in only]
        langs = os.path.join(tmp, "languages.json")
        with open(langs, "w") as f:
            json.dump(table, f)
        for name in names:
            dst = os.path.join(tmp, name)
            shutil.copytree(os.path.join(args.examples, name), dst, symlinks=True)
            limit = scale(dst, args.factor)
            left = prune(dst, args.factor)
            print(f"{name}: time limit {limit:g} s (x{args.factor:g}), {left} submission files "
                  f"whose verdict the factor could change", flush=True)
            if left:
                dirs.append(dst)
        if not dirs:
            print("FAIL: no submission whose verdict depends on the time limit", file=sys.stderr)
            return 1
        p = subprocess.run([args.grader, "verify", "--no-time-margins", "--languages", langs,
                            *dirs], text=True,
                           capture_output=True, timeout=1500)
        sys.stdout.write(p.stdout)
        sys.stderr.write(p.stderr)
        if p.returncode != 0:
            print(f"FAIL: with time limits x{args.factor:g}, grader verify exited "
                  f"{p.returncode}: an expected verdict depends on this machine's speed",
                  file=sys.stderr)
            return 1
        print(f"every expected verdict holds with time limits x{args.factor:g}")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
