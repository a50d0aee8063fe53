#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Scale-out under faults: 8 `grader serve` processes against one reference course site holding
1,000 queued jobs, with 30% of the API requests faulted (5xx, dropped connections, slow and
truncated replies, before or after the site acted). Every job must be graded exactly once
(one recorded result each, the expected verdict, no internal errors), every grader must exit
0, and no result may be left in a spool. Prints the claim rate and the tail latency (from
enqueue to the recorded result); asserts no time.

The problem is generated: one test whose answer is the submission itself, judged in a
language whose "program" is /bin/cat (no compiler), so a job costs one sandboxed run and the
API round trips, and the run measures the service, the leases and the site, not gcc. Every
grader has 1 worker and its own cache, spool and work dir; all share the site. Loopback only.

usage: test_scale.py --grader build/bin/grader [--jobs 1000] [--graders 8] [--fault-rate 0.3]
"""

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Grader, Site, tail  # noqa: E402

LANGUAGES = {"comment": "the scale test's only language: the submission is its own output",
             "languages": [{"id": "text", "name": "Text", "extensions": [".txt"],
                            "run": ["/bin/cat", "{main}"],
                            "run_limits": {"processes": 1, "time_multiplier": 1}}]}


def make_problem(tmp):
    d = os.path.join(tmp, "echo")
    os.makedirs(os.path.join(d, "data", "secret"))
    with open(os.path.join(d, "problem.yaml"), "w") as f:
        f.write("name: Echo\nlimits:\n  time_limit: 1\n")
    with open(os.path.join(d, "data", "secret", "1.in"), "w") as f:
        f.write("\n")
    with open(os.path.join(d, "data", "secret", "1.ans"), "w") as f:
        f.write("42\n")
    sub = os.path.join(tmp, "answer.txt")
    with open(sub, "w") as f:
        f.write("42\n")
    langs = os.path.join(tmp, "languages.json")
    with open(langs, "w") as f:
        json.dump(LANGUAGES, f)
    return d, sub, langs


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--grader", required=True)
    ap.add_argument("--jobs", type=int, default=1000)
    ap.add_argument("--graders", type=int, default=8)
    ap.add_argument("--fault-rate", type=float, default=0.3)
    ap.add_argument("--timeout", type=float, default=240)
    a = ap.parse_args()
    binary = os.path.realpath(a.grader)
    tmp = tempfile.mkdtemp(prefix="grader-scale-")
    site, graders = None, []
    seed = int.from_bytes(os.urandom(4), "little")
    ok = False
    try:
        problem, sub, langs = make_problem(tmp)
        # leases short enough that a job lost with a dropped claim reply comes back soon
        site = Site(tmp, "--quiet", "--lease", "5", "--max-wait", "1", "--fault-rate",
                    a.fault_rate, "--fault-phase", "random", "--slow-max", "0.3",
                    "--fault-seed", seed)
        ids = site.enqueue(sub, expect="AC", problem_dir=problem, problem_id="echo",
                           language="text", count=a.jobs)
        assert len(ids) == a.jobs
        t0 = time.monotonic()
        for i in range(a.graders):
            graders.append(Grader(binary, site, tmp, "--languages", langs,
                                  "--give-up-after", "60", name="r%d" % i, workers=1,
                                  claim_wait=1))
        site.wait_done(a.jobs, a.timeout)
        elapsed = time.monotonic() - t0
        for g in graders:
            rc = g.stop(30)
            assert rc == 0, "grader %s exit status %s:\n%s" % (g.name, rc, tail(g.log_path))
        state = site.state(full=True)
        subs = state["submissions"]
        bad = [s for s in subs if s["state"] != "done" or s["results_recorded"] != 1 or
               s["verdict"] != "AC"]
        assert not bad, "%d jobs not graded exactly once with AC, e.g. %r" % (len(bad), bad[:3])
        refused = [p for p in state["result_posts"] if p["status"] in (400, 404)]
        assert not refused, "result posts refused: %r" % refused[:3]
        left = [n for g in graders for n in g.spooled()]
        assert not left, "results left in spools: %r" % left[:5]
        ies = sum(1 for g in graders for o in g.logs() if "internal error" in o["msg"])
        assert ies == 0, "%d internal errors" % ies
        rc, out = site.cli("check")
        assert rc == 0, out

        jobs = state["jobs"]
        claims = len(jobs)
        first = min(j["claimed_at"] for j in jobs)
        last = max(j["claimed_at"] for j in jobs)
        latency = [s["finished_at"] - s["created_at"] for s in subs]
        fired = {k: v for k, v in state["counters"].items() if k.startswith("fault.")}
        per_grader = {}
        for j in jobs:
            g = j["grader_id"].split("/")[0]
            per_grader[g] = per_grader.get(g, 0) + 1
        print("scale: %d jobs, %d graders (1 worker each), fault rate %.0f%% (seed %d): "
              "%d faults fired" % (a.jobs, a.graders, a.fault_rate * 100, seed,
                                   sum(fired.values())))
        print("scale: every job graded exactly once in %.1f s: %.1f jobs/s" %
              (elapsed, a.jobs / elapsed))
        print("scale: claims: %d (%d jobs claimed again after a lost reply, lease or release)"
              " in %.1f s: %.1f claims/s" % (claims, claims - a.jobs, last - first,
                                             claims / max(last - first, 1e-3)))
        print("scale: latency enqueue -> recorded result: p50 %.1f s, p95 %.1f s, p99 %.1f s, "
              "max %.1f s" % (percentile(latency, 50), percentile(latency, 95),
                              percentile(latency, 99), max(latency)))
        print("scale: jobs per grader: %s" % " ".join("%s=%d" % kv
                                                      for kv in sorted(per_grader.items())))
        ok = True
        return 0
    finally:
        for g in graders:
            g.cleanup()
            if not ok:
                sys.stderr.write("---- %s\n%s\n" % (g.name, tail(g.log_path, 20)))
        if site:
            if not ok:
                sys.stderr.write("---- site\n%s\n" % tail(site.log_path, 20))
            site.stop()
        if os.environ.get("E2E_KEEP") == "1" or not ok:
            sys.stderr.write("temporary directory: %s\n" % tmp)
        if os.environ.get("E2E_KEEP") != "1":
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sys.exit(main())
