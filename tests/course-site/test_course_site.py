#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Self-tests of the reference course site: each starts its own server on a free loopback port
in a temporary directory, with a tiny problem package made on the spot."""

import base64
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SITE = os.path.join(HERE, "course_site.py")
PY = sys.executable or "/usr/bin/python3"
TOKEN = "s3cret-token"
TEST_TIMEOUT = 60   # seconds any one test may take

sys.dont_write_bytecode = True   # keep the source tree clean
sys.path.insert(0, HERE)
import course_site  # noqa: E402  (for the pure functions: revision, page rendering)


class TestTimeout(Exception):
    pass


def on_alarm(signum, frame):
    raise TestTimeout("test took longer than %d s" % TEST_TIMEOUT)


class Site:
    """A running `course_site.py serve` and a tiny HTTP client for it."""

    def __init__(self, tmp, *extra):
        self.tmp = tmp
        self.db = os.path.join(tmp, "site.db")
        self.token_file = os.path.join(tmp, "token")
        with open(self.token_file, "w") as f:
            f.write(TOKEN + "\n")
        self.stderr = open(os.path.join(tmp, "serve-%d.log" % time.monotonic_ns()), "w+")
        self.proc = subprocess.Popen(
            [PY, SITE, "serve", "--db", self.db, "--port", "0", "--token-file", self.token_file,
             "--quiet"] + list(extra),
            stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        line = self._read_line(15)
        if not line.startswith("listening on http://127.0.0.1:"):
            self.stop()
            raise AssertionError("unexpected first line %r; stderr: %s" % (line, self.log()))
        self.base = line.split()[-1]
        u = urllib.parse.urlsplit(self.base)
        self.host, self.port, self.base_path = u.hostname, u.port, u.path

    def _read_line(self, timeout):
        import select
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            self.stop()
            raise AssertionError("the site did not start; stderr: %s" % self.log())
        return self.proc.stdout.readline().strip()

    def log(self):
        self.stderr.flush()
        self.stderr.seek(0)
        return self.stderr.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc.stdout.close()
        self.stderr.close()
        return self.proc.returncode

    def request(self, method, path, body=None, token=TOKEN, timeout=15, auth=None):
        """(status, headers, body bytes); path is absolute ('/x') or relative to the base."""
        if path.startswith("http://"):
            path = urllib.parse.urlsplit(path).path
        elif not path.startswith("/"):
            path = self.base_path + "/" + path
        headers = {}
        if auth is not None:
            headers["Authorization"] = auth
        elif token is not None:
            headers["Authorization"] = "Bearer " + token
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def post(self, path, body=None, **kw):
        status, _, data = self.request("POST", path, body if body is not None else {}, **kw)
        return status, (json.loads(data) if data else None)

    def get_json(self, path, **kw):
        status, _, data = self.request("GET", path, **kw)
        return status, (json.loads(data) if data else None)

    def claim(self, queues=("q",), languages=(), wait=0, grader="g1"):
        return self.post("claim", {"grader_id": grader, "queues": list(queues),
                                   "languages": list(languages), "wait": wait})

    def state(self):
        status, state = self.get_json("/admin/state")
        assert status == 200, status
        return state

    def submission(self, sid):
        return next(s for s in self.state()["submissions"] if s["id"] == sid)


def result_body(claim, verdict="AC", score=1):
    return {"job_id": claim["job_id"], "submission_id": claim["submission"]["id"],
            "problem_id": claim["problem"]["id"],
            "problem_revision": claim["problem"]["revision"], "verdict": verdict,
            "score": score, "max_score": 1,
            "tests": [{"name": "secret/1", "verdict": verdict, "time": 0.01}]}


class CourseSiteTest(unittest.TestCase):
    def setUp(self):
        signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(TEST_TIMEOUT)
        self.tmp = tempfile.mkdtemp(prefix="course-site-test-")
        self.sites = []
        self.problem = os.path.join(self.tmp, "hello")
        self.write("hello/problem.yaml", "name: Hello\nvalidation: default\n")
        self.write("hello/.timelimit", "1\n")
        self.write("hello/data/sample/1.in", "1 2\n")
        self.write("hello/data/sample/1.ans", "3\n")
        self.write("hello/data/secret/1.in", "40 2\n")
        self.write("hello/data/secret/1.ans", "42\n")
        self.write("hello/submissions/accepted/sol.c", "int main(void) { return 0; }\n")
        self.write("outside-secret.txt", "do not serve me\n")
        os.symlink(os.path.join(self.tmp, "outside-secret.txt"),
                   os.path.join(self.problem, "data", "leak.txt"))
        os.symlink("1.in", os.path.join(self.problem, "data", "secret", "alias.in"))
        self.source = self.write("sol.c", "int main(void) { return 0; }\n")
        self.pysource = self.write("sol.py", "print(3)\n")

    def tearDown(self):
        for s in self.sites:
            s.stop()
        signal.alarm(0)
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- helpers --------------------------------------------------------------------------

    def write(self, rel, text):
        path = os.path.join(self.tmp, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def start(self, *extra):
        site = Site(self.tmp, *extra)
        self.sites.append(site)
        return site

    def cli(self, *args, check=True):
        r = subprocess.run([PY, SITE] + list(args), capture_output=True, text=True, timeout=30)
        if check and r.returncode != 0:
            self.fail("course_site.py %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr))
        return r

    def enqueue(self, queue="q", language="c", files=None, expect=None, count=1):
        args = ["enqueue", "--db", os.path.join(self.tmp, "site.db"), "--queue", queue,
                "--problem-dir", self.problem, "--language", language]
        if expect:
            args += ["--expect", expect]
        if count != 1:
            args += ["--count", str(count)]
        ids = self.cli(*(args + list(files or [self.source]))).stdout.split()
        return ids if count != 1 else ids[0]

    # -- claims ---------------------------------------------------------------------------

    def test_claim_takes_first_queue_in_priority_order_and_filters_languages(self):
        site = self.start()
        low1 = self.enqueue("low", "c")
        high_py = self.enqueue("high", "python3", [self.pysource])
        high_c = self.enqueue("high", "c")
        low2 = self.enqueue("low", "c")

        status, c = site.claim(["high", "low"], ["c"])
        self.assertEqual((status, c["submission"]["id"]), (200, high_c))
        self.assertEqual(c["submission"]["queue"], "high")
        self.assertEqual(c["submission"]["files"][0]["name"], "sol.c")
        with open(self.source, "rb") as f:
            self.assertEqual(base64.b64decode(c["submission"]["files"][0]["content_base64"]),
                             f.read())
        self.assertEqual(c["lease"], 30)
        self.assertEqual(c["problem"]["id"], "hello")
        self.assertEqual(c["problem"]["files_url"],
                         "problems/hello/%s/files" % c["problem"]["revision"])
        self.assertEqual(site.claim(["high", "low"], ["c"])[1]["submission"]["id"], low1)
        self.assertEqual(site.claim(["high", "low"], [])[1]["submission"]["id"], high_py)
        self.assertEqual(site.claim(["nothing-here"], [])[0], 204)
        self.assertEqual(site.claim([], ["c"])[1]["submission"]["id"], low2)   # [] = any queue
        status, body = site.claim(["high", "low"], [])
        self.assertEqual((status, body), (204, None))

        state = site.state()
        self.assertEqual({s["state"] for s in state["submissions"]}, {"running"})
        self.assertEqual({s["attempts"] for s in state["submissions"]}, {1})
        self.assertEqual(len({j["id"] for j in state["jobs"]}), 4)

    def test_queues_reports_depth_running_and_oldest_wait(self):
        site = self.start()
        self.enqueue(queue="q", count=3)
        self.enqueue(queue="exams")
        status, got = site.get_json("queues?queues=exams,q,empty")
        self.assertEqual(status, 200)
        self.assertEqual([q["name"] for q in got["queues"]], ["exams", "q", "empty"])
        by = {q["name"]: q for q in got["queues"]}
        self.assertEqual((by["q"]["depth"], by["q"]["running"]), (3, 0))
        self.assertEqual((by["empty"]["depth"], by["empty"]["oldest_waiting_seconds"]), (0, 0))
        self.assertGreaterEqual(by["q"]["oldest_waiting_seconds"], 0)
        self.assertEqual((got["depth"], got["running"]), (4, 0))
        status, job = site.claim(queues=["q"])
        self.assertEqual(status, 200)
        status, got = site.get_json("queues")   # every queue the site has
        by = {q["name"]: q for q in got["queues"]}
        self.assertEqual(sorted(by), ["exams", "q"])
        self.assertEqual((by["q"]["depth"], by["q"]["running"]), (2, 1))
        status, _ = site.get_json("queues?queues=bad%20name")
        self.assertEqual(status, 400)
        status, _, _ = site.request("GET", "queues", token="wrong")
        self.assertEqual(status, 401)

    def test_claim_rejects_malformed_requests(self):
        site = self.start()
        self.assertEqual(site.post("claim", {})[0], 400)
        self.assertEqual(site.post("claim", {"grader_id": "g", "queues": "q"})[0], 400)
        self.assertEqual(site.post("claim", {"grader_id": "g", "wait": "5"})[0], 400)
        self.assertEqual(site.request("POST", "claim", b"{not json")[0], 400)
        self.assertEqual(site.request("GET", "claim")[0], 405)
        self.assertEqual(site.request("GET", "no/such/endpoint")[0], 404)

    def test_long_poll_holds_until_work_arrives_or_the_cap(self):
        site = self.start("--max-wait", "1.5")
        t0 = time.monotonic()
        status, _ = site.claim(wait=30)     # capped at --max-wait
        elapsed = time.monotonic() - t0
        self.assertEqual(status, 204)
        self.assertGreaterEqual(elapsed, 1.3)
        self.assertLess(elapsed, 4)

        timer = threading.Timer(0.4, self.enqueue)
        timer.start()
        t0 = time.monotonic()
        status, c = site.claim(wait=1.5)
        elapsed = time.monotonic() - t0
        timer.join()
        self.assertEqual(status, 200)
        self.assertLess(elapsed, 1.4)

    def test_long_poll_whose_client_hung_up_claims_nothing(self):
        site = self.start("--max-wait", "5")
        body = json.dumps({"grader_id": "g", "queues": ["q"], "wait": 5}).encode()
        sock = socket.create_connection((site.host, site.port), timeout=5)
        sock.sendall(b"POST %s/claim HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                     b"Content-Length: %d\r\n\r\n%s"
                     % (site.base_path.encode(), TOKEN.encode(), len(body), body))
        time.sleep(0.4)
        sock.close()
        time.sleep(0.4)
        sid = self.enqueue()
        time.sleep(0.6)
        self.assertEqual(site.submission(sid)["state"], "queued")
        self.assertEqual(site.state()["jobs"], [])

    def test_concurrent_claims_never_hand_out_a_submission_twice(self):
        site = self.start()
        ids = self.enqueue(count=40)
        got, errors, lock = [], [], threading.Lock()

        def grader(n):
            try:
                while True:
                    status, c = site.claim(grader="g%d" % n)
                    if status == 204:
                        return
                    with lock:
                        got.append((c["submission"]["id"], c["job_id"]))
            except Exception as e:   # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=grader, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(errors, [])
        self.assertEqual(sorted(s for s, _ in got), sorted(ids))
        self.assertEqual(len({j for _, j in got}), 40)

    # -- leases, heartbeats, results, releases --------------------------------------------

    def test_expired_lease_requeues_and_kills_the_old_job(self):
        site = self.start("--lease", "1")
        sid = self.enqueue()
        _, c1 = site.claim()
        self.assertEqual(c1["lease"], 1)
        time.sleep(1.5)
        sub = site.submission(sid)
        self.assertEqual((sub["state"], sub["expirations"]), ("queued", 1))
        job = next(j for j in site.state()["jobs"] if j["id"] == c1["job_id"])
        self.assertEqual(job["state"], "expired")
        self.assertEqual(site.post("jobs/%s/heartbeat" % c1["job_id"])[0], 410)
        self.assertEqual(site.post("jobs/%s/result" % c1["job_id"], result_body(c1))[0], 410)
        self.assertEqual(site.post("jobs/%s/release" % c1["job_id"], {"reason": "x"})[0], 410)
        sub = site.submission(sid)
        self.assertEqual((sub["results_recorded"], sub["results_received"]), (0, 1))
        self.assertIsNone(sub["verdict"])

        status, c2 = site.claim()
        self.assertEqual((status, c2["submission"]["id"]), (200, sid))
        self.assertNotEqual(c2["job_id"], c1["job_id"])
        for _ in range(5):          # heartbeats keep a job alive past its first lease
            time.sleep(0.4)
            self.assertEqual(site.post("jobs/%s/heartbeat" % c2["job_id"]), (200, {"lease": 1}))
        self.assertEqual(site.post("jobs/%s/result" % c2["job_id"], result_body(c2))[0], 200)
        sub = site.submission(sid)
        self.assertEqual((sub["state"], sub["attempts"], sub["results_recorded"]), ("done", 2, 1))
        job = next(j for j in site.state()["jobs"] if j["id"] == c2["job_id"])
        self.assertEqual(job["heartbeats"], 5)

    def test_result_is_recorded_once_and_repeats_get_409(self):
        site = self.start()
        sid = self.enqueue(expect="AC")
        _, c = site.claim()
        url = "jobs/%s/result" % c["job_id"]
        self.assertEqual(site.post(url, dict(result_body(c), verdict="OK"))[0], 400)
        self.assertEqual(site.post(url, {"score": 1})[0], 400)
        self.assertEqual(site.request("POST", url, b"[1, 2]")[0], 400)
        self.assertEqual(site.request("POST", url, b"{broken")[0], 400)
        self.assertEqual(site.post(url, dict(result_body(c), job_id="j-other"))[0], 400)
        self.assertEqual(site.post(url, dict(result_body(c), problem_revision="0" * 16))[0], 400)
        self.assertEqual(site.submission(sid)["state"], "running")

        self.assertEqual(site.post(url, result_body(c)),
                         (200, {"submission_id": sid, "recorded": True}))
        self.assertEqual(site.post(url, result_body(c))[0], 409)
        self.assertEqual(site.post(url, result_body(c, "WA", 0))[0], 409)
        self.assertEqual(site.post("jobs/%s/heartbeat" % c["job_id"])[0], 409)
        self.assertEqual(site.post("jobs/%s/release" % c["job_id"])[0], 409)
        self.assertEqual(site.post("jobs/j-unknown/result", result_body(c))[0], 404)
        self.assertEqual(site.post("jobs/j-unknown/heartbeat")[0], 404)
        self.assertEqual(site.post("jobs/j-unknown/release")[0], 404)

        state = site.state()
        sub = next(s for s in state["submissions"] if s["id"] == sid)
        self.assertEqual((sub["state"], sub["verdict"], sub["score"], sub["max_score"]),
                         ("done", "AC", 1, 1))
        self.assertEqual((sub["results_received"], sub["results_recorded"]), (9, 1))
        self.assertEqual(sub["result"]["tests"][0]["name"], "secret/1")
        self.assertEqual(sub["warnings"], [])
        posts = [p["status"] for p in state["result_posts"] if p["submission_id"] == sid]
        self.assertEqual(posts, [400] * 6 + [200, 409, 409])
        self.assertEqual(self.cli("check", "--db", site.db, "--strict").returncode, 0)
        r = self.cli("check", "--db", site.db, "--max-received", "1", check=False)
        self.assertEqual(r.returncode, 1)

    def test_release_requeues_now_and_counts_the_attempt(self):
        site = self.start()
        sid = self.enqueue()
        _, c = site.claim()
        status, body = site.post("jobs/%s/release" % c["job_id"], {"reason": "shutting down"})
        self.assertEqual((status, body), (200, {"submission_id": sid, "state": "queued"}))
        sub = site.submission(sid)
        self.assertEqual((sub["state"], sub["releases"], sub["attempts"]), ("queued", 1, 1))
        self.assertEqual(sub["last_release_reason"], "shutting down")
        self.assertEqual(site.post("jobs/%s/heartbeat" % c["job_id"])[0], 410)
        self.assertEqual(site.post("jobs/%s/result" % c["job_id"], result_body(c))[0], 410)
        self.assertEqual(site.post("jobs/%s/release" % c["job_id"])[0], 410)
        _, c2 = site.claim()
        self.assertEqual(c2["submission"]["id"], sid)
        self.assertEqual(site.submission(sid)["attempts"], 2)

    def test_max_attempts_gives_a_submission_up(self):
        site = self.start("--max-attempts", "2")
        sid = self.enqueue()
        for _ in range(2):
            _, c = site.claim()
            self.assertEqual(site.post("jobs/%s/release" % c["job_id"], {"reason": "IE"})[0], 200)
        self.assertEqual(site.submission(sid)["state"], "failed")
        self.assertEqual(site.claim()[0], 204)

    def test_admin_enqueue_and_forced_expiry(self):
        site = self.start()
        self.cli("register", "--db", site.db, "--problem-dir", self.problem)
        status, body = site.post("/admin/enqueue", {
            "queue": "q", "language": "python3", "problem_id": "hello", "count": 2,
            "files": [{"name": "a.py", "content_base64": base64.b64encode(b"print(3)").decode()}]})
        self.assertEqual(status, 200, body)
        self.assertEqual(len(body["ids"]), 2)
        self.assertEqual(site.post("/admin/enqueue", {"queue": "q", "language": "c",
                                                      "problem_id": "nope", "files": []})[0], 400)
        _, c = site.claim()
        self.assertEqual(site.post("/admin/jobs/%s/expire" % c["job_id"])[0], 200)
        self.assertEqual(site.post("jobs/%s/heartbeat" % c["job_id"])[0], 410)
        self.assertEqual(site.submission(c["submission"]["id"])["state"], "queued")

    # -- authentication -------------------------------------------------------------------

    def test_requests_without_the_token_get_401(self):
        site = self.start()
        self.enqueue()
        for kw in ({"token": None}, {"token": "wrong"}, {"auth": "Basic " + TOKEN},
                   {"auth": "Bearer"}):
            status, headers, _ = site.request("POST", "claim", {"grader_id": "g"}, **kw)
            self.assertEqual(status, 401, kw)
            self.assertIn("Bearer", headers["WWW-Authenticate"])
            self.assertEqual(site.request("GET", "/admin/state", **kw)[0], 401)
        self.assertEqual(site.state()["submissions"][0]["state"], "queued")
        self.assertEqual(site.request("GET", "/", token=None)[0], 200)
        self.assertEqual(site.request("GET", "/healthz", token=None)[0], 200)

    def test_auth_fail_seconds_answers_401_then_recovers(self):
        t0 = time.monotonic()
        site = self.start("--auth-fail-seconds", "1.5")
        self.assertEqual(site.claim()[0], 401)
        self.assertEqual(site.request("GET", "/admin/state")[0], 200)   # admin is exempt
        while site.claim()[0] == 401:
            self.assertLess(time.monotonic() - t0, 10)
            time.sleep(0.1)
        self.assertGreaterEqual(time.monotonic() - t0, 1.4)
        self.assertEqual(site.claim()[0], 204)
        self.assertGreaterEqual(site.state()["counters"]["fault.auth"], 1)

    # -- problem packages -----------------------------------------------------------------

    def expected_manifest(self):
        files = {}
        for rel in ("problem.yaml", ".timelimit", "data/sample/1.in", "data/sample/1.ans",
                    "data/secret/1.in", "data/secret/1.ans", "data/secret/alias.in"):
            with open(os.path.join(self.problem, rel), "rb") as f:
                data = f.read()
            files[rel] = (hashlib.sha256(data).hexdigest(), len(data))
        return files

    def test_manifest_excludes_submissions_and_outside_symlinks_and_revision_is_stable(self):
        db = os.path.join(self.tmp, "site.db")
        out = json.loads(self.cli("register", "--db", db, "--problem-dir", self.problem,
                                  "--json").stdout)
        want = self.expected_manifest()
        self.assertEqual({f["path"]: (f["sha256"], f["size"]) for f in out["files"]}, want)
        paths = [f["path"] for f in out["files"]]
        self.assertEqual(paths, sorted(paths))
        listing = "".join("%s  %s\n" % (want[p][0], p) for p in sorted(want))
        self.assertEqual(out["revision"], hashlib.sha256(listing.encode()).hexdigest()[:16])
        self.assertEqual(course_site.manifest_revision(out["files"]), out["revision"])

        again = self.cli("register", "--db", db, "--problem-dir", self.problem).stdout.split()
        self.assertEqual(again, ["hello", out["revision"]])
        self.write("hello/submissions/accepted/other.c", "changed\n")   # not served: no change
        self.assertEqual(self.cli("register", "--db", db, "--problem-dir",
                                  self.problem).stdout.split()[1], out["revision"])
        self.write("hello/data/secret/1.ans", "43\n")
        changed = self.cli("register", "--db", db, "--problem-dir", self.problem).stdout.split()
        self.assertNotEqual(changed[1], out["revision"])

        site = self.start()     # both revisions stay servable
        for rev in (out["revision"], changed[1]):
            self.assertEqual(site.get_json("problems/hello/%s/files" % rev)[0], 200)
        self.assertEqual(site.get_json("problems/hello/%s/files" % ("0" * 16))[0], 404)
        self.assertEqual(site.get_json("problems/nope/%s/files" % out["revision"])[0], 404)

    def test_blobs_match_their_sha256_and_downloads_are_counted(self):
        site = self.start()
        self.enqueue()
        _, c = site.claim()
        status, listing = site.get_json(c["problem"]["files_url"])
        self.assertEqual(status, 200)
        want = self.expected_manifest()
        self.assertEqual(len(listing["files"]), len(want))
        for f in listing["files"]:
            self.assertEqual(f["url"], "blobs/" + f["sha256"])
            status, headers, data = site.request("GET", f["url"])
            self.assertEqual(status, 200)
            self.assertEqual(headers["Content-Type"], "application/octet-stream")
            self.assertEqual(hashlib.sha256(data).hexdigest(), f["sha256"])
            self.assertEqual(len(data), f["size"])
        state = site.state()
        self.assertEqual(state["blob_downloads_total"], len(want))
        alias = want["data/secret/alias.in"][0]   # same content as 1.in: fetched twice
        self.assertEqual(state["blob_downloads"][alias], 2)
        self.assertEqual(site.request("GET", "blobs/" + "0" * 64)[0], 404)
        self.assertEqual(site.request("GET", "blobs/../../etc/passwd")[0], 404)
        self.assertEqual(site.request("GET", "blobs/" + alias, token=None)[0], 401)

    def test_absolute_urls(self):
        site = self.start("--absolute-urls")
        self.enqueue()
        _, c = site.claim()
        prefix = "http://127.0.0.1:%d/api/v1/" % site.port
        self.assertTrue(c["problem"]["files_url"].startswith(prefix), c["problem"])
        _, listing = site.get_json(c["problem"]["files_url"])
        for f in listing["files"]:
            self.assertEqual(f["url"], prefix + "blobs/" + f["sha256"])
        status, _, data = site.request("GET", listing["files"][0]["url"])
        self.assertEqual(hashlib.sha256(data).hexdigest(), listing["files"][0]["sha256"])

    # -- faults ---------------------------------------------------------------------------

    def test_one_shot_faults_of_each_kind(self):
        site = self.start("--slow-max", "0.6")
        status, cfg = site.post("/admin/faults", {"once": ["claim:500", "claim:502",
                                                           "*:503", "claim:slow"]})
        self.assertEqual(status, 200, cfg)
        self.assertEqual(len(cfg["once"]), 4)
        self.assertEqual([site.claim()[0] for _ in range(3)], [500, 502, 503])
        t0 = time.monotonic()
        self.assertEqual(site.claim()[0], 204)
        self.assertGreaterEqual(time.monotonic() - t0, 0.29)

        site.post("/admin/faults", {"once": ["claim:drop"]})
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            site.claim()
        self.enqueue()
        _, c = site.claim()
        site.post("/admin/faults", {"once": ["files:truncate"]})
        with self.assertRaises(http.client.IncompleteRead):
            site.get_json(c["problem"]["files_url"])
        self.assertEqual(site.get_json(c["problem"]["files_url"])[0], 200)
        counters = site.state()["counters"]
        for name in ("fault.claim.before.500", "fault.claim.before.502",
                     "fault.claim.before.503", "fault.claim.before.slow",
                     "fault.claim.before.drop", "fault.files.after.truncate"):
            self.assertEqual(counters.get(name), 1, name)

    def test_result_answered_500_after_recording_is_not_recorded_twice(self):
        site = self.start()
        sid = self.enqueue()
        _, c = site.claim()
        url = "jobs/%s/result" % c["job_id"]
        site.post("/admin/faults", {"once": ["result:503:before"]})
        self.assertEqual(site.post(url, result_body(c))[0], 503)   # not processed
        sub = site.submission(sid)
        self.assertEqual((sub["state"], sub["results_received"]), ("running", 0))

        site.post("/admin/faults", {"once": [{"endpoint": "result", "kind": "500",
                                              "phase": "after"}]})
        self.assertEqual(site.post(url, result_body(c))[0], 500)   # processed, then 500
        sub = site.submission(sid)
        self.assertEqual((sub["state"], sub["results_recorded"]), ("done", 1))
        self.assertEqual(site.post(url, result_body(c))[0], 409)   # the retry
        sub = site.submission(sid)
        self.assertEqual((sub["results_received"], sub["results_recorded"]), (2, 1))

        site.post("/admin/faults", {"once": ["heartbeat:drop:after"]})
        self.enqueue()
        _, c2 = site.claim()
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            site.post("jobs/%s/heartbeat" % c2["job_id"])
        self.assertEqual(next(j for j in site.state()["jobs"]
                              if j["id"] == c2["job_id"])["heartbeats"], 1)

    def test_random_faults_and_the_faults_command(self):
        site = self.start("--fault-rate", "1", "--fault-kinds", "502,503", "--fault-seed", "1")
        statuses = {site.claim()[0] for _ in range(20)}
        self.assertEqual(statuses, {502, 503})
        self.cli("faults", "--db", site.db, "--clear")
        deadline = time.monotonic() + 5
        while site.claim()[0] != 204:   # picked up within 0.25 s
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.1)
        out = json.loads(self.cli("faults", "--db", site.db, "--once", "claim:502").stdout)
        self.assertEqual(out["once"], ["claim:502:before"])
        deadline = time.monotonic() + 5
        while site.claim()[0] != 502:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.1)
        self.assertEqual(site.claim()[0], 204)
        site.post("/admin/faults", {"rate": 1, "kinds": ["500"], "endpoints": ["files"]})
        self.assertEqual(site.claim()[0], 204)      # claims are not in the endpoint list
        self.assertEqual(site.post("/admin/faults", {"rate": 2})[0], 400)
        self.assertEqual(site.post("/admin/faults", {"kinds": ["boom"]})[0], 400)
        self.assertEqual(site.post("/admin/faults", {"once": ["claim:500:sometime"]})[0], 400)
        r = self.cli("faults", "--db", site.db, "--once", "nowhere:500", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown endpoint", r.stderr)

    def test_random_faults_never_corrupt_the_database(self):
        site = self.start("--fault-rate", "0.5", "--fault-seed", "7", "--slow-max", "0.05",
                          "--lease", "5")
        ids = set(self.enqueue(count=10))
        done = set()
        deadline = time.monotonic() + 40
        while done != ids and time.monotonic() < deadline:
            try:
                status, c = site.claim(wait=0)
                if status != 200:
                    continue
                for _ in range(10):
                    try:
                        status, _ = site.post("jobs/%s/result" % c["job_id"], result_body(c))
                    except (http.client.HTTPException, ConnectionError):
                        continue
                    if status in (200, 409):
                        done.add(c["submission"]["id"])
                        break
                    if status == 410:
                        break
            except (http.client.HTTPException, ConnectionError):
                pass
        # Claims whose reply was lost leave jobs running until their lease ends; expire them.
        for j in site.state()["jobs"]:
            if j["state"] == "running":
                site.post("/admin/jobs/%s/expire" % j["id"])
        site.post("/admin/faults", {"clear": True})
        while True:
            status, c = site.claim()
            if status == 204:
                break
            self.assertEqual(site.post("jobs/%s/result" % c["job_id"], result_body(c))[0], 200)
        self.assertEqual(self.cli("check", "--db", site.db).returncode, 0)
        self.assertEqual(site.stop(), 0)
        conn = sqlite3.connect(site.db)
        self.assertEqual(conn.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        conn.close()

    # -- page, CLI, shutdown --------------------------------------------------------------

    def test_page_renders_and_escapes(self):
        site = self.start()
        sid = self.enqueue()
        status, headers, page = site.request("GET", "/", token=None)
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/html"))
        self.assertIn(sid.encode(), page)
        self.assertIn(b'http-equiv="refresh"', page)
        self.assertEqual(site.request("POST", "/", b"", token=None)[0], 405)
        row = {"id": "<script>alert(1)</script>", "queue": "a&b", "language": '"c"',
               "problem_id": "p", "state": "done", "verdict": "<b>", "score": None,
               "max_score": None, "expect": None, "attempts": 1, "results_recorded": 1,
               "results_received": 1}
        html = course_site.render_page([row], [{"state": "<i>", "n": 1}])
        self.assertNotIn("<script>", html)
        self.assertNotIn("<b>", html)
        self.assertNotIn("<i>", html)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)
        self.assertIn("a&amp;b", html)
        self.assertIn("&quot;c&quot;", html)

    def test_status_wait_and_check_commands(self):
        db = os.path.join(self.tmp, "site.db")
        sid = self.enqueue(expect="WA")
        text = self.cli("status", "--db", db).stdout
        self.assertIn(sid, text)
        self.assertIn("queued", text)
        state = json.loads(self.cli("status", "--db", db, "--json").stdout)
        self.assertEqual(state["submissions"][0]["id"], sid)
        self.assertEqual(self.cli("wait", "--db", db, "--timeout", "0.5",
                                  check=False).returncode, 1)
        self.assertEqual(self.cli("check", "--db", db, check=False).returncode, 1)
        site = self.start()
        _, c = site.claim()
        site.post("jobs/%s/result" % c["job_id"], result_body(c, "AC"))
        self.assertEqual(self.cli("wait", "--db", db, "--timeout", "5").returncode, 0)
        r = self.cli("check", "--db", db, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("verdict AC, expected WA", r.stdout)
        r = self.cli("enqueue", "--db", db, "--queue", "q", "--problem-dir", self.problem,
                     self.source, self.source, check=False)
        self.assertEqual(r.returncode, 2)   # two files with one name
        r = self.cli("enqueue", "--db", db, "--queue", "bad queue", "--problem-dir",
                     self.problem, self.source, check=False)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(self.cli("--help").returncode, 0)
        self.assertIn("--absolute-urls", self.cli("serve", "--help").stdout)

    def test_sigterm_ends_long_polls_and_exits_cleanly(self):
        port_file = os.path.join(self.tmp, "port")
        site = self.start("--port-file", port_file)
        with open(port_file) as f:
            self.assertEqual(int(f.read()), site.port)
        results = []

        def poll():
            try:
                results.append(site.claim(wait=10)[0])
            except (http.client.HTTPException, ConnectionError) as e:
                results.append(e)

        t = threading.Thread(target=poll)
        t.start()
        time.sleep(0.5)
        t0 = time.monotonic()
        self.assertEqual(site.stop(), 0)
        self.assertLess(time.monotonic() - t0, 5)
        t.join(10)
        self.assertEqual(len(results), 1)
        conn = sqlite3.connect(site.db)
        self.assertEqual(conn.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        conn.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
