#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of `grader serve` (DESIGN 3.6, 3.7) against the reference course site.

Each test starts its own site on a free loopback port and its own grader processes, in a
temporary directory (database, cache, spool, work dir, health file), and kills every process it
started when it ends, however it ends. CTest runs each test as its own test (tests/e2e/
CMakeLists.txt):

    python3 tests/e2e/test_service.py --grader build/grader/grader Service.test_NAME

Set E2E_KEEP=1 to keep the temporary directories (they are printed) for a post-mortem.
"""

import base64
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

sys.dont_write_bytecode = True   # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import (QUICK, SLOW, SUM, Grader, Site, free_port, processes_in,  # noqa: E402
                    sha256_file, sum_submission, tail, wait_for)

GRADER = os.environ.get("GRADER_BIN", "")
TEST_TIMEOUT = 55   # seconds; CTest's TIMEOUT is 60

# DESIGN 3.5: the keys of the result JSON, of its compile object and of each test.
RESULT_KEYS = {"job_id", "submission_id", "problem_id", "problem_revision", "verdict", "score",
               "max_score", "compile", "tests", "max_time", "max_memory", "grader",
               "started_at", "finished_at"}
COMPILE_KEYS = {"status", "output", "time"}
TEST_KEYS = {"name", "verdict", "time", "wall_time", "memory", "score", "message", "stdout",
             "stdout_truncated"}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


class TestTimeout(Exception):
    pass


def on_alarm(signum, frame):
    raise TestTimeout("the test took longer than %d s" % TEST_TIMEOUT)


class Service(unittest.TestCase):

    # -- fixtures ---------------------------------------------------------------------------

    def setUp(self):
        self.t0 = time.monotonic()
        self.tmp = tempfile.mkdtemp(prefix="grader-e2e-")
        self.sites, self.graders = [], []
        signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(TEST_TIMEOUT)

    def tearDown(self):
        signal.alarm(0)
        failed = not getattr(self._outcome, "success", True)
        for g in self.graders:
            g.cleanup()
        if failed:
            for g in self.graders:
                sys.stderr.write("---- grader %s: %s\n%s\n" % (g.name, " ".join(g.argv),
                                                               tail(g.log_path, 60)))
            for s in self.sites:
                sys.stderr.write("---- site %s\n%s\n" % (s.base, tail(s.log_path, 40)))
        for s in self.sites:
            s.stop()
        # no sandboxed program may outlive its grader
        leaked = wait_for_quiet(self.tmp)
        for pid in leaked:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        keep = os.environ.get("E2E_KEEP") == "1"
        if keep or failed:
            sys.stderr.write("temporary directory: %s%s\n"
                             % (self.tmp, "" if keep else " (removed)"))
        if not keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        sys.stderr.write("%s: %.1f s\n" % (self.id().split(".")[-1], time.monotonic() - self.t0))
        self.assertEqual(leaked, [], "processes left running in the grader's work dirs")

    def site(self, *args):
        s = Site(self.tmp, *args, name="site%d" % len(self.sites))
        self.sites.append(s)
        return s

    def grader(self, site, *extra, **kw):
        g = Grader(GRADER, site, self.tmp, *extra, **kw)
        self.graders.append(g)
        return g

    def run_grader(self, site, *extra, timeout=40, **kw):
        """Run `grader serve --exit-when-idle` to its end; returns the Grader (exit 0 checked)."""
        g = self.grader(site, "--exit-when-idle", *extra, **kw)
        rc = g.wait(timeout)
        self.assertEqual(rc, 0, "grader exit status; log:\n" + tail(g.log_path))
        return g

    def enqueue_quick(self, site, n, queue="default"):
        """n quick submissions of examples/sum with their expected verdicts: {id: verdict}."""
        want = {}
        for i in range(n):
            rel, verdict = QUICK[i % len(QUICK)]
            (sid,) = site.enqueue(sum_submission(rel), queue=queue, expect=verdict)
            want[sid] = verdict
        return want

    # -- shared checks ----------------------------------------------------------------------

    def assert_each_recorded_once(self, site, want, received_once=False):
        """Every submission in want is done, with exactly one recorded result and its verdict;
        no result post was refused as malformed or posted to the wrong job."""
        state = site.state(full=True)
        subs = {s["id"]: s for s in state["submissions"]}
        for sid, verdict in want.items():
            s = subs[sid]
            self.assertEqual(s["state"], "done", "%s: %r" % (sid, s))
            self.assertEqual(s["results_recorded"], 1, "%s: %r" % (sid, s))
            self.assertEqual(s["verdict"], verdict, "%s: %r" % (sid, s))
            if received_once:
                self.assertEqual(s["results_received"], 1, "%s: %r" % (sid, s))
        for p in state["result_posts"]:
            self.assertNotIn(p["status"], (400, 404), "result post refused: %r" % p)
        rc, out = site.cli("check")
        self.assertEqual(rc, 0, "course_site.py check:\n" + out)
        return state

    def assert_result_json(self, result, sub, job_id):
        """The recorded result has every DESIGN 3.5 key, with the job's identity."""
        self.assertTrue(RESULT_KEYS <= set(result), "missing keys %s in %r"
                        % (sorted(RESULT_KEYS - set(result)), result))
        self.assertEqual(result["job_id"], job_id)
        self.assertEqual(result["submission_id"], sub["id"])
        self.assertEqual(result["problem_id"], sub["problem_id"])
        self.assertEqual(result["problem_revision"], sub["problem_revision"])
        self.assertEqual(result["verdict"], sub["verdict"])
        self.assertEqual((result["score"], result["max_score"]),
                         (1, 1) if result["verdict"] == "AC" else (0, 1))
        self.assertTrue(COMPILE_KEYS <= set(result["compile"]), repr(result["compile"]))
        self.assertTrue({"id", "version"} <= set(result["grader"]), repr(result["grader"]))
        self.assertIsInstance(result["tests"], list)
        if result["verdict"] == "AC":
            self.assertEqual(len(result["tests"]), 6, "examples/sum has 6 tests")
        elif result["verdict"] != "CE":   # the first failure, maybe followed by skipped tests
            self.assertGreaterEqual(len(result["tests"]), 1)
            self.assertEqual(result["tests"][0]["verdict"], result["verdict"])
        for t in result["tests"]:
            self.assertTrue(TEST_KEYS <= set(t), "test missing keys %s: %r"
                            % (sorted(TEST_KEYS - set(t)), t))
        for key in ("started_at", "finished_at"):
            self.assertRegex(result[key], RFC3339)
        self.assertLessEqual(result["started_at"], result["finished_at"])

    # -- 1. the happy path ------------------------------------------------------------------

    def test_two_queues_pulls_first_each_graded_once_with_full_result(self):
        site = self.site("--quiet")
        want = {}
        pushes = [("accepted/sum.c", "AC"), ("wrong_answer/off_by_one.py", "WA"),
                  ("run_time_error/divide_by_zero.c", "RE")]
        pulls = [("accepted/sum.py", "AC"), ("compile_error/missing_semicolon.c", "CE"),
                 ("accepted/Sum.java", "AC")]   # Java once: it is the slow compiler
        for queue, subs in (("pushes", pushes), ("pulls", pulls)):
            for rel, verdict in subs:
                (sid,) = site.enqueue(sum_submission(rel), queue=queue, expect=verdict)
                want[sid] = verdict
        g = self.run_grader(site, "--queues", "pulls,pushes", selftest=True)

        state = self.assert_each_recorded_once(site, want, received_once=True)
        rc, out = site.cli("check", "--strict", "--max-received", "1")
        self.assertEqual(rc, 0, "course_site.py check --strict --max-received 1:\n" + out)
        subs = {s["id"]: s for s in state["submissions"]}
        for s in subs.values():
            self.assertEqual(s["attempts"], 1, repr(s))
            self.assertEqual(s["warnings"], [], repr(s))

        # claim order: each pulls job before any pushes job that was waiting at the same time
        jobs = sorted(state["jobs"], key=lambda j: j["claimed_at"])
        self.assertEqual(len(jobs), 6)
        first_claim = {}
        for j in jobs:
            first_claim.setdefault(j["submission_id"], j["claimed_at"])
        for q in jobs:
            if subs[q["submission_id"]]["queue"] != "pushes":
                continue
            for p in subs.values():
                if p["queue"] == "pulls" and p["created_at"] <= q["claimed_at"]:
                    self.assertLess(first_claim[p["id"]], q["claimed_at"],
                                    "pushes job %s claimed while pulls submission %s waited"
                                    % (q["id"], p["id"]))
        order = [subs[j["submission_id"]]["queue"] for j in jobs]
        self.assertEqual(order, ["pulls"] * 3 + ["pushes"] * 3)
        # oldest first within a queue
        seqs = [subs[j["submission_id"]]["seq"] for j in jobs]
        self.assertEqual(seqs[:3], sorted(seqs[:3]))
        self.assertEqual(seqs[3:], sorted(seqs[3:]))

        for j in jobs:
            self.assertEqual(j["state"], "done")
            self.assertTrue(j["grader_id"].startswith(g.name), j["grader_id"])
            s = subs[j["submission_id"]]
            self.assert_result_json(s["result"], s, j["id"])
        self.assertEqual(g.spooled(), [], "results left in the spool")
        msgs = [o["msg"] for o in g.logs()]
        self.assertIn("self-test passed", msgs)
        for o in g.logs():
            self.assertTrue({"ts", "level", "msg"} <= set(o), repr(o))
            self.assertNotEqual(o["level"], "error", repr(o))

    # -- 2. random faults -------------------------------------------------------------------

    def test_random_faults_every_submission_recorded_once_with_right_verdict(self):
        seed = int.from_bytes(os.urandom(4), "little")
        sys.stderr.write("fault seed %d\n" % seed)
        site = self.site("--lease", "5", "--fault-rate", "0.3", "--fault-phase", "random",
                         "--slow-max", "0.6", "--fault-seed", seed, "--max-wait", "1")
        want = self.enqueue_quick(site, 8)
        g = self.grader(site, workers=2)
        site.wait_done(len(want), 45)
        rc = g.stop(20)
        self.assertEqual(rc, 0)
        state = self.assert_each_recorded_once(site, want)
        # the faults did fire, on several endpoints
        fired = {k: v for k, v in state["counters"].items() if k.startswith("fault.")}
        self.assertGreater(sum(fired.values()), 3, "too few faults fired: %r" % fired)
        for s in state["submissions"]:
            self.assertNotEqual(s["verdict"], "IE", repr(s))
        self.assertEqual(g.spooled(), [], "results left in the spool")

    # -- 3. kill -9 -------------------------------------------------------------------------

    def test_kill9_mid_job_then_restart_regrades_only_the_killed_job(self):
        site = self.site("--quiet", "--lease", "3")
        (slow,) = site.enqueue(SLOW, expect="AC")
        want = {slow: "AC"}
        want.update(self.enqueue_quick(site, 2))
        spool, cache = os.path.join(self.tmp, "spool"), os.path.join(self.tmp, "cache")
        work = os.path.join(self.tmp, "work")
        g1 = self.grader(site, spool=spool, cache=cache, work=work)
        g1.wait_log(lambda o: o.get("msg") == "claimed" and o.get("submission_id") == slow, 20,
                    "the slow job to be claimed")
        time.sleep(0.8)   # compiled, now running its tests (about 4 s of them)
        g1.kill9()
        # the sandboxed run dies with its grader (PR_SET_PDEATHSIG)
        wait_for(lambda: not processes_in(work), 5, 0.1, "the killed grader's runs to die")
        s = site.submissions()[slow]
        self.assertEqual((s["state"], s["attempts"], s["results_received"]), ("running", 1, 0),
                         "the slow job should be in hand when killed: %r" % s)
        self.assertEqual(os.listdir(spool), ["rejected"], "nothing was spooled")

        g2 = self.grader(site, spool=spool, cache=cache, work=work)
        site.wait_done(len(want), 30)
        self.assertEqual(g2.stop(), 0)
        state = self.assert_each_recorded_once(site, want, received_once=True)
        subs = {s["id"]: s for s in state["submissions"]}
        # only the killed job was claimed again, once its lease ran out
        self.assertEqual((subs[slow]["attempts"], subs[slow]["expirations"]), (2, 1))
        for sid in want:
            if sid != slow:
                self.assertEqual(subs[sid]["attempts"], 1, repr(subs[sid]))
        states = sorted(j["state"] for j in state["jobs"] if j["submission_id"] == slow)
        self.assertEqual(states, ["done", "expired"])

    def test_kill9_with_result_in_spool_delivers_it_at_restart_without_regrading(self):
        site = self.site("--quiet", "--lease", "30")
        (sid,) = site.enqueue(sum_submission("accepted/sum.c"), expect="AC")
        # the site answers every result post 503 (before processing it): the result stays in
        # the spool
        site.faults(rate=1.0, endpoints=["result"], kinds=["503"], phase="before")
        spool = os.path.join(self.tmp, "spool")
        g1 = self.grader(site, spool=spool)
        wait_for(lambda: g1.spooled(), 20, 0.05, "a result in the spool")
        wait_for(lambda: site.state()["counters"].get("fault.result.before.503", 0) >= 1, 10,
                 0.1, "a refused result post")
        g1.kill9()
        (name,) = g1.spooled()
        with open(os.path.join(spool, name)) as f:
            spooled = json.load(f)
        self.assertEqual((spooled["submission_id"], spooled["verdict"]), (sid, "AC"))
        job_id = name[:-len(".json")]
        self.assertEqual(spooled["job_id"], job_id)
        s = site.submissions()[sid]
        self.assertEqual((s["state"], s["results_received"]), ("running", 0), repr(s))

        site.faults(clear=True)
        g2 = self.run_grader(site, spool=spool)
        state = self.assert_each_recorded_once(site, {sid: "AC"}, received_once=True)
        s = state["submissions"][0]
        self.assertEqual(s["attempts"], 1, "graded again: %r" % s)
        self.assertEqual(len(state["jobs"]), 1)
        self.assertEqual(state["jobs"][0]["id"], job_id)
        self.assertEqual(state["jobs"][0]["state"], "done")
        logs = g2.logs()
        self.assertTrue(any(o["msg"] == "result delivered" and o.get("job_id") == job_id
                            for o in logs), "no 'result delivered' for %s" % job_id)
        self.assertFalse(any(o["msg"] == "claimed" for o in logs), "the restart claimed a job")
        self.assertEqual(g2.spooled(), [])

    # -- 4. SIGTERM -------------------------------------------------------------------------

    def start_slow_job(self, *extra):
        """A site with the slow job then a quick one, a grader (1 worker) grading the slow
        one: (site, grader, slow id, quick id)."""
        site = self.site("--quiet", "--lease", "10")
        (slow,) = site.enqueue(SLOW, expect="AC")
        (quick,) = site.enqueue(sum_submission("accepted/sum.c"), expect="AC")
        g = self.grader(site, *extra)
        g.wait_log(lambda o: o.get("msg") == "claimed" and o.get("submission_id") == slow, 20,
                   "the slow job to be claimed")
        time.sleep(0.8)   # compiled, now running its tests (about 4 s of them)
        return site, g, slow, quick

    def test_sigterm_mid_job_exits_0_within_grace_and_releases_the_job(self):
        site, g, slow, quick = self.start_slow_job("--grace-period", "1")
        t = time.monotonic()
        g.signal(signal.SIGTERM)
        rc = g.wait(15)
        took = time.monotonic() - t
        self.assertEqual(rc, 0)
        self.assertLess(took, 1 + 4, "exit %.1f s after SIGTERM with --grace-period 1" % took)
        state = site.state()
        subs = {s["id"]: s for s in state["submissions"]}
        # never lost: the job in hand is finished or handed back, nothing stays leased
        self.assertEqual([j for j in state["jobs"] if j["state"] == "running"], [])
        s = subs[slow]
        if s["state"] == "done":
            self.assertEqual(s["results_recorded"], 1)
        else:
            self.assertEqual((s["state"], s["releases"], s["results_received"]),
                             ("queued", 1, 0), repr(s))
        # the job needs about 3 s more than the grace period: it was released
        self.assertEqual(s["state"], "queued", repr(s))
        self.assertRegex(s["last_release_reason"] or "", "shut")
        # no new claim after SIGTERM
        self.assertEqual((subs[quick]["state"], subs[quick]["attempts"]), ("queued", 0))
        self.assertEqual(g.spooled(), [])

    def test_sigterm_with_long_grace_finishes_the_job_in_hand(self):
        site, g, slow, quick = self.start_slow_job("--grace-period", "30")
        t = time.monotonic()
        g.signal(signal.SIGTERM)
        rc = g.wait(15)
        took = time.monotonic() - t
        self.assertEqual(rc, 0)
        self.assertLess(took, 4 + 3, "exit %.1f s after SIGTERM" % took)
        subs = site.submissions()
        self.assertEqual((subs[slow]["state"], subs[slow]["results_recorded"],
                          subs[slow]["verdict"]), ("done", 1, "AC"))
        self.assertEqual((subs[quick]["state"], subs[quick]["attempts"]), ("queued", 0))
        self.assertEqual(g.spooled(), [])

    # -- 5. two graders ---------------------------------------------------------------------

    def test_two_graders_on_one_site_grade_each_submission_once(self):
        site = self.site("--quiet")
        want = self.enqueue_quick(site, 12)
        cache = os.path.join(self.tmp, "shared-cache")
        a = self.grader(site, "--exit-when-idle", name="ga", cache=cache)
        b = self.grader(site, "--exit-when-idle", name="gb", cache=cache)
        self.assertEqual(a.wait(40), 0)
        self.assertEqual(b.wait(40), 0)
        state = self.assert_each_recorded_once(site, want, received_once=True)
        for s in state["submissions"]:
            self.assertEqual(s["attempts"], 1, repr(s))
        self.assertEqual(len(state["jobs"]), 12)
        by = {}
        for j in state["jobs"]:
            by[j["grader_id"].split("/")[0]] = by.get(j["grader_id"].split("/")[0], 0) + 1
        sys.stderr.write("jobs per grader: %r\n" % by)

    # -- 6. authentication failures ---------------------------------------------------------

    def test_auth_failure_logged_and_backed_off_then_everything_graded(self):
        site = self.site("--quiet", "--auth-fail-seconds", "4")
        want = self.enqueue_quick(site, 3)
        g = self.grader(site, "--exit-when-idle")
        g.wait_log(lambda o: o["level"] == "error" and "token" in o["msg"], 10,
                   "an error about the token")
        time.sleep(max(0.0, 4.2 - (time.monotonic() - g.started)))
        self.assertTrue(g.alive(), "the grader gave up during the 401s:\n" + tail(g.log_path))
        refused = site.state()["counters"].get("fault.auth", 0)
        self.assertGreaterEqual(refused, 2, "no retry during the 401s")
        self.assertLessEqual(refused, 12, "%d requests in 4 s: no backoff" % refused)
        self.assertEqual(g.wait(40), 0)
        self.assert_each_recorded_once(site, want, received_once=True)
        errors = [o for o in g.logs() if o["level"] == "error"]
        self.assertTrue(errors)
        for o in errors:
            self.assertIn("token", o["msg"])

    # -- 7. integrity -----------------------------------------------------------------------

    def test_blob_with_wrong_sha256_is_never_used_and_the_job_is_released(self):
        site = self.site("--quiet", "--max-attempts", "2")
        (sid,) = site.enqueue(sum_submission("accepted/sum.c"), expect="AC")
        # corrupt one blob in the site's database: same size, other bytes
        path = os.path.join(SUM, "data", "sample", "01.in")
        sha = sha256_file(path)
        with open(path, "rb") as f:
            good = f.read()
        bad = bytes(b ^ 1 if chr(b).isdigit() else b for b in good)
        self.assertEqual(len(bad), len(good))
        db = sqlite3.connect(site.db, timeout=30)
        with db:
            n = db.execute("UPDATE blobs SET content = ? WHERE sha256 = ?", (bad, sha)).rowcount
        db.close()
        self.assertEqual(n, 1)

        g = self.run_grader(site, timeout=30)
        state = site.state(full=True)
        (s,) = state["submissions"]
        self.assertEqual(s["state"], "failed", "given up after 2 attempts: %r" % s)
        self.assertEqual((s["attempts"], s["releases"], s["results_received"]), (2, 2, 0))
        self.assertRegex(s["last_release_reason"], "^internal error")
        self.assertIn(sha, s["last_release_reason"])
        self.assertEqual(state["result_posts"], [])
        self.assertTrue(all(j["state"] == "released" for j in state["jobs"]))
        self.assertGreaterEqual(state["blob_downloads"].get(sha, 0), 1)
        errors = [o for o in g.logs() if o["level"] == "error"]
        self.assertTrue(errors)
        for o in errors:
            self.assertRegex(o["msg"], "integrity|sha256|hashes to")
            self.assertIn("internal error", o["msg"])
        # the bytes were never kept: not in the cache, no package built from them
        self.assertFalse(os.path.exists(os.path.join(g.cache, "blobs", sha)))
        packages = os.path.join(g.cache, "packages", "sum")
        self.assertEqual(os.listdir(packages) if os.path.isdir(packages) else [], [])
        tmpdir = os.path.join(g.cache, "tmp")
        self.assertEqual(os.listdir(tmpdir) if os.path.isdir(tmpdir) else [], [])

    # -- 8. the package cache ---------------------------------------------------------------

    def test_second_submission_to_same_revision_downloads_nothing(self):
        site = self.site("--quiet")
        first = self.enqueue_quick(site, 1)
        rev1 = site.revision
        cache = os.path.join(self.tmp, "cache")
        self.run_grader(site, cache=cache)
        self.assert_each_recorded_once(site, first, received_once=True)
        before = site.state()
        manifest = [f for f in os.listdir(os.path.join(cache, "blobs"))]
        self.assertEqual(before["blob_downloads_total"], len(manifest))
        self.assertTrue(all(n == 1 for n in before["blob_downloads"].values()))

        (second,) = site.enqueue(sum_submission("wrong_answer/off_by_one.py"), expect="WA")
        self.assertEqual(site.revision, rev1)
        self.run_grader(site, cache=cache)
        self.assert_each_recorded_once(site, dict(first, **{second: "WA"}), received_once=True)
        after = site.state()
        self.assertEqual(after["blob_downloads"], before["blob_downloads"])
        self.assertEqual(after["counters"].get("http.files.200"),
                         before["counters"].get("http.files.200"),
                         "the manifest of a cached revision was fetched again")

    def test_new_revision_downloads_only_the_changed_blobs(self):
        pdir = os.path.join(self.tmp, "sum")
        shutil.copytree(SUM, pdir, ignore=shutil.ignore_patterns("submissions"))
        site = self.site("--quiet")
        (a,) = site.enqueue(sum_submission("accepted/sum.c"), expect="AC", problem_dir=pdir)
        rev1 = site.revision
        cache = os.path.join(self.tmp, "cache")
        self.run_grader(site, cache=cache)
        before = site.state()
        # a new secret test: two new blobs, every other file unchanged
        with open(os.path.join(pdir, "data", "secret", "05-extra.in"), "w") as f:
            f.write("1\n20 22\n")
        with open(os.path.join(pdir, "data", "secret", "05-extra.ans"), "w") as f:
            f.write("42\n")
        (b,) = site.enqueue(sum_submission("accepted/sum.c"), expect="AC", problem_dir=pdir)
        self.assertNotEqual(site.revision, rev1)
        self.run_grader(site, cache=cache)
        state = self.assert_each_recorded_once(site, {a: "AC", b: "AC"}, received_once=True)
        new = {sha256_file(os.path.join(pdir, "data", "secret", "05-extra." + e))
               for e in ("in", "ans")}
        after = state["blob_downloads"]
        self.assertEqual({k for k in after if k not in before["blob_downloads"]}, new)
        self.assertTrue(all(n == 1 for n in after.values()), repr(after))
        result = {s["id"]: s for s in state["submissions"]}[b]["result"]
        self.assertEqual(len(result["tests"]), 7, "the new revision's test was not run")

    # -- 9. configuration errors ------------------------------------------------------------

    def serve_fails(self, args, env=None):
        """Run `grader serve` expecting a start-up failure: (exit status, stderr)."""
        env2 = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
        env2.update(env or {})
        p = subprocess.run([GRADER, "serve"] + args, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=20, env=env2)
        return p.returncode, p.stderr

    def config_base(self):
        tok = os.path.join(self.tmp, "token")
        with open(tok, "w") as f:
            f.write("t0ken\n")
        return ["--token-file", tok, "--spool-dir", os.path.join(self.tmp, "spool"),
                "--cache-dir", os.path.join(self.tmp, "cache"), "--work-dir",
                os.path.join(self.tmp, "work"), "--health-file", os.path.join(self.tmp, "h"),
                "--no-selftest", "--exit-when-idle", "--log-format", "json"]

    def test_config_without_api_url_exits_2_naming_api_url(self):
        rc, err = self.serve_fails(self.config_base())
        self.assertEqual(rc, 2, err)
        self.assertIn("api_url", err)

    def test_config_bad_GRADER_WORKERS_exits_2_naming_the_variable(self):
        args = self.config_base() + ["--api-url", "http://127.0.0.1:9/api/v1"]
        rc, err = self.serve_fails(args, {"GRADER_WORKERS": "abc"})
        self.assertEqual(rc, 2, err)
        self.assertIn("$GRADER_WORKERS", err)
        self.assertIn("abc", err)

    def test_config_file_unknown_key_exits_2_naming_file_and_key(self):
        conf = os.path.join(self.tmp, "grader.json")
        with open(conf, "w") as f:
            json.dump({"api_url": "http://127.0.0.1:9/api/v1", "wrokers": 2}, f)
        rc, err = self.serve_fails(["--config", conf] + self.config_base())
        self.assertEqual(rc, 2, err)
        self.assertIn(conf, err)
        self.assertIn("wrokers", err)

    # -- 10. grader health ------------------------------------------------------------------

    def health(self, *args):
        p = subprocess.run([GRADER, "health"] + list(args), stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=20)
        return p.returncode, p.stdout + p.stderr

    def test_health_ok_while_serving_and_stale_after_stop(self):
        site = self.site("--quiet")
        g = self.grader(site)
        wait_for(lambda: os.path.exists(g.health), 15, 0.05, "the health file")
        rc, out = self.health("--health-file", g.health)
        self.assertEqual(rc, 0, out)
        time.sleep(2.5)   # it is kept fresh, not only written at start
        rc, out = self.health("--health-file", g.health, "--max-age", "2.5")
        self.assertEqual(rc, 0, out)
        self.assertEqual(g.stop(), 0)
        time.sleep(1.2)
        rc, out = self.health("--health-file", g.health, "--max-age", "1")
        self.assertEqual(rc, 1, out)
        rc, out = self.health("--health-file", os.path.join(self.tmp, "missing"))
        self.assertEqual(rc, 1, out)

    # -- 11. metrics ------------------------------------------------------------------------

    def test_metrics_listen_serves_metrics_healthz_readyz(self):
        site = self.site("--quiet")
        want = self.enqueue_quick(site, 2)
        port = free_port()
        g = self.grader(site, "--metrics-listen", "127.0.0.1:%d" % port)
        site.wait_done(2, 20)

        def get(path):
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path),
                                            timeout=5) as r:
                    return r.status, r.read().decode()
            except urllib.error.HTTPError as e:
                return e.code, e.read().decode()

        status, text = get("/metrics")
        self.assertEqual(status, 200)
        self.assertIn("grader_jobs_total", text)
        self.assertIn("grader_workers 1", text)
        self.assertIn('grader_jobs_total{queue="default",verdict="AC"} 1', text)
        self.assertIn('grader_jobs_total{queue="default",verdict="WA"} 1', text)
        self.assertEqual(get("/healthz")[0], 200)
        self.assertEqual(get("/readyz")[0], 200)
        self.assertEqual(get("/nope")[0], 404)
        self.assertEqual(g.stop(), 0)
        self.assert_each_recorded_once(site, want, received_once=True)

    # -- lease loss -------------------------------------------------------------------------

    def test_lease_lost_mid_job_stops_grading_and_posts_nothing(self):
        site = self.site("--quiet", "--lease", "6", "--max-attempts", "1")
        (slow,) = site.enqueue(SLOW, expect="AC")
        g = self.grader(site, "--exit-when-idle")
        claimed = g.wait_log(lambda o: o.get("msg") == "claimed", 20, "the claim")
        time.sleep(0.5)
        site.expire(claimed["job_id"])
        self.assertEqual(g.wait(20), 0)
        state = site.state(full=True)
        (s,) = state["submissions"]
        self.assertEqual((s["state"], s["results_received"]), ("failed", 0), repr(s))
        self.assertEqual(state["result_posts"], [])
        self.assertTrue(any("lease lost" in o["msg"] for o in g.logs()))
        self.assertEqual(g.spooled(), [])


def wait_for_quiet(tmp, timeout=5):
    """Pids still running inside tmp after up to timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        pids = processes_in(tmp)
        if not pids or time.monotonic() >= deadline:
            return pids
        time.sleep(0.1)


def main():
    global GRADER
    argv = sys.argv[:1]
    args = iter(sys.argv[1:])
    for a in args:
        if a == "--grader":
            GRADER = next(args)
        elif a.startswith("--grader="):
            GRADER = a.split("=", 1)[1]
        else:
            argv.append(a)
    if not GRADER:
        for cand in ("build/grader/grader", "build-e2e/grader/grader"):
            p = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", cand)
            if os.access(p, os.X_OK):
                GRADER = os.path.realpath(p)
                break
    if not GRADER or not os.access(GRADER, os.X_OK):
        sys.exit("test_service.py: give --grader PATH (the grader executable)")
    GRADER = os.path.realpath(GRADER)
    unittest.main(argv=argv, verbosity=2)


if __name__ == "__main__":
    main()
