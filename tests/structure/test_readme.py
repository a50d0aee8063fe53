#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The README works as typed: every ```sh block of README.md runs, from the repository root,
with the build's bin directory on PATH, and exits 0. A block whose first line is a comment
starting with "# template" needs the reader's own values or machines (a course site, Docker,
a cluster) and is only checked to say so; the quick start (the scripts CI itself runs) is left
to CI.

usage: test_readme.py SOURCE_DIR BIN_DIR"""
import json
import os
import re
import subprocess
import sys

FENCE = re.compile(r"^([ \t]*)```sh\n(.*?)^\1```", re.M | re.S)


def blocks(text):
    for m in FENCE.finditer(text):
        indent = m.group(1)
        body = "\n".join(line[len(indent):] if line.startswith(indent) else line
                         for line in m.group(2).splitlines())
        line = text.count("\n", 0, m.start()) + 1
        yield line, body


def main():
    src, bindir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    with open(os.path.join(src, "README.md"), encoding="utf-8") as f:
        text = f.read()
    env = dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}")
    failures, ran, templates = [], 0, 0
    for line, body in blocks(text):
        first = next((l for l in body.splitlines() if l.strip()), "")
        if first.strip().startswith("# template"):
            templates += 1
            continue
        if "scripts/test.sh" in body or "scripts/demo.sh" in body:
            continue  # the quick start: what CI runs
        ran += 1
        print(f"README.md:{line}: running\n{body}", flush=True)
        p = subprocess.run(["bash", "-euo", "pipefail", "-c", body], cwd=src, env=env,
                           capture_output=True, text=True, timeout=600)
        sys.stdout.write(p.stdout[-3000:])
        sys.stdout.write(p.stderr[-3000:])
        if p.returncode != 0:
            failures.append(f"README.md:{line}: exit status {p.returncode}")
            continue
        if "--report -" in body:
            # the report alone on stdout: its last line is the JSON object
            try:
                report = json.loads(p.stdout.strip().splitlines()[-1])
                if report.get("status") != "OK":
                    failures.append(f"README.md:{line}: status {report.get('status')}")
            except (ValueError, IndexError):
                failures.append(f"README.md:{line}: stdout is not the report alone: "
                                f"{p.stdout[:200]!r}")
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    print(f"{ran} README blocks ran, {len(failures)} failed, {templates} templates")
    return 1 if failures or ran == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
