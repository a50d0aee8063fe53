#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""docs/openapi.yaml against a validator and against the reference course site.

Records an exchange with the site for every endpoint and status the site can give (claims with
and without work, heartbeats of live, finished and taken-back jobs, results accepted, repeated,
malformed and for unknown jobs, releases, manifests, queue depths, a wrong token), posts a
result with and without the optional stderr fields, and, with --grader, lets `grader serve`
grade a few submissions and records the results it posted. Then tests/course-site/
openapi_check.mjs (node) validates the OpenAPI file with @apidevtools/swagger-parser, checks
that every status docs/api.md names is in it, and validates every recorded body against its
schema (ajv). The npm packages are installed into --npm-dir the first time (npm is the only
registry this needs); without node or npm, or when the install fails, the test skips (exit 77)
and says why. Python 3 standard library only.

usage: test_openapi.py --npm-dir DIR [--grader build/bin/grader]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True   # keep the source tree clean
sys.path.insert(0, HERE)
import test_course_site  # noqa: E402  (its Site: a running course_site.py serve)

SITE = test_course_site.SITE
SUM = os.path.join(ROOT, "examples", "sum")
NPM_PACKAGES = ["@apidevtools/swagger-parser@10", "ajv@8", "ajv-draft-04@1", "ajv-formats@3"]
TOKEN = test_course_site.TOKEN
SKIP = 77


def npm_install(npm_dir):
    """The validator's packages in npm_dir/node_modules; None, or why they cannot be had."""
    if not shutil.which("node") or not shutil.which("npm"):
        return "node or npm is not installed (apt-get install nodejs npm)"
    mods = os.path.join(npm_dir, "node_modules")
    if all(os.path.isdir(os.path.join(mods, p.rsplit("@", 1)[0])) for p in NPM_PACKAGES):
        return None
    os.makedirs(npm_dir, exist_ok=True)
    p = subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
                        npm_dir] + NPM_PACKAGES, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        return "npm install %s failed: %s" % (" ".join(NPM_PACKAGES),
                                             (p.stderr or p.stdout).strip()[-300:])
    return None


class Site(test_course_site.Site):
    """The self-test's site, recording each exchange for the schema check."""

    def __init__(self, tmp):
        super().__init__(tmp, "--lease", "30", "--max-wait", "1")
        self.exchanges = []

    def call(self, what, method, path, template, body=None, token=TOKEN, record=True):
        """One request; records {what, method, path (the OpenAPI template), status, request,
        body} and returns (status, parsed JSON body or the raw bytes)."""
        status, headers, raw = self.request(method, path, body, token=token, timeout=30)
        ctype = headers.get("Content-Type", "")
        parsed = json.loads(raw) if raw and ctype.startswith("application/json") else None
        if record:
            self.exchanges.append({"what": what, "method": method, "path": template,
                                   "status": status, "request": body, "body": parsed})
        return status, parsed if parsed is not None else raw

    def enqueue(self, path, queue="default"):
        out = subprocess.run([sys.executable, SITE, "enqueue", "--db", self.db, "--queue", queue,
                              "--problem-dir", SUM, "--problem-id", "sum", path],
                             capture_output=True, text=True, check=True)
        return out.stdout.split()[0]


def claim_body(wait=0, queues=("default",)):
    return {"grader_id": "openapi-test", "queues": list(queues),
            "languages": ["c", "cpp", "python3", "java"], "wait": wait}


def result_for(job, stderr):
    test = {"name": "secret/1", "verdict": "AC", "time": 0.01, "wall_time": 0.02,
            "memory": 1048576, "score": 1, "message": "", "stdout": "3\n",
            "stdout_truncated": False}
    if stderr:
        test.update({"stderr": "debug \ufffd\n", "stderr_truncated": False})
    return {"job_id": job["job_id"], "submission_id": job["submission"]["id"],
            "problem_id": job["problem"]["id"], "problem_revision": job["problem"]["revision"],
            "verdict": "AC", "score": 1, "max_score": 1,
            "compile": {"status": "OK", "output": "", "time": 0.1}, "tests": [test],
            "max_time": 0.01, "max_memory": 1048576,
            "grader": {"id": "openapi-test", "version": "0"},
            "started_at": "2026-01-01T00:00:00.000Z", "finished_at": "2026-01-01T00:00:01.000Z"}


def exercise(site):
    """Every endpoint and status the site gives; asserts the statuses as it goes."""
    def expect(got, want, what):
        if got != want:
            raise AssertionError("%s: status %s, expected %s" % (what, got, want))

    src = os.path.join(SUM, "submissions", "accepted", "sum.c")
    for _ in range(4):
        site.enqueue(src)
    hb, res, rel = "/jobs/{job_id}/heartbeat", "/jobs/{job_id}/result", "/jobs/{job_id}/release"
    st, job = site.call("claim with work", "POST", "claim", "/claim", claim_body())
    expect(st, 200, "claim")
    jid = job["job_id"]
    st, _ = site.call("manifest", "GET", job["problem"]["files_url"],
                      "/problems/{problem_id}/{revision}/files")
    expect(st, 200, "manifest")
    st, _ = site.call("unknown revision", "GET", "problems/sum/0000000000000000/files",
                      "/problems/{problem_id}/{revision}/files")
    expect(st, 404, "unknown revision")
    st, _ = site.call("heartbeat", "POST", "jobs/%s/heartbeat" % jid, hb, {})
    expect(st, 200, "heartbeat")
    st, _ = site.call("heartbeat, unknown job", "POST", "jobs/j-nope/heartbeat", hb, {})
    expect(st, 404, "heartbeat of an unknown job")
    st, _ = site.call("queues", "GET", "queues?queues=default,exams", "/queues")
    expect(st, 200, "queues")
    st, _ = site.call("queues, all", "GET", "queues", "/queues")
    expect(st, 200, "queues, all")
    st, _ = site.call("queues, bad name", "GET", "queues?queues=a%20b", "/queues")
    expect(st, 400, "queues with a bad name")
    bad = dict(result_for(job, False), submission_id="s-someone-else")
    st, _ = site.call("result, wrong ids", "POST", "jobs/%s/result" % jid, res, bad)
    expect(st, 400, "result with the wrong ids")
    st, _ = site.call("result without stderr", "POST", "jobs/%s/result" % jid, res,
                      result_for(job, False))
    expect(st, 200, "result without stderr")
    st, _ = site.call("result repeated", "POST", "jobs/%s/result" % jid, res,
                      result_for(job, False))
    expect(st, 409, "result repeated")
    st, _ = site.call("heartbeat, finished job", "POST", "jobs/%s/heartbeat" % jid, hb, {})
    expect(st, 409, "heartbeat of a finished job")
    st, _ = site.call("result, unknown job", "POST", "jobs/j-nope/result", res,
                      result_for(dict(job, job_id="j-nope"), False))
    expect(st, 404, "result of an unknown job")
    st, job2 = site.call("claim with work", "POST", "claim", "/claim", claim_body())
    st, _ = site.call("result with stderr", "POST", "jobs/%s/result" % job2["job_id"], res,
                      result_for(job2, True))
    expect(st, 200, "result with stderr")
    st, job3 = site.call("claim with work", "POST", "claim", "/claim", claim_body())
    st, _ = site.call("release", "POST", "jobs/%s/release" % job3["job_id"], rel,
                      {"reason": "openapi test"})
    expect(st, 200, "release")
    st, _ = site.call("heartbeat, released job", "POST", "jobs/%s/heartbeat" % job3["job_id"],
                      hb, {})
    expect(st, 410, "heartbeat of a released job")
    st, _ = site.call("result, released job", "POST", "jobs/%s/result" % job3["job_id"], res,
                      result_for(job3, False))
    expect(st, 410, "result of a released job")
    st, _ = site.call("release, unknown job", "POST", "jobs/j-nope/release", rel,
                      {"reason": "x"})
    expect(st, 404, "release of an unknown job")
    st, _ = site.call("claim, wrong token", "POST", "claim", "/claim", claim_body(),
                      token="wrong")
    expect(st, 401, "claim with a wrong token")
    st, _ = site.call("queues, wrong token", "GET", "queues", "/queues", token="wrong")
    expect(st, 401, "queues with a wrong token")
    # drain, then a claim that finds nothing
    while site.call("claim", "POST", "claim", "/claim", claim_body(), record=False)[0] == 200:
        pass
    st, _ = site.call("claim without work", "POST", "claim", "/claim", claim_body())
    expect(st, 204, "claim without work")


def grader_results(site, grader, tmp):
    """Let `grader serve` grade two submissions; the results it posted, as exchanges."""
    site.enqueue(os.path.join(SUM, "submissions", "accepted", "sum.c"))
    site.enqueue(os.path.join(SUM, "submissions", "wrong_answer", "off_by_one.py"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    p = subprocess.run([grader, "serve", "--api-url", site.base, "--token-file",
                        site.token_file, "--exit-when-idle", "--no-selftest", "--workers", "1",
                        "--cache-dir", os.path.join(tmp, "cache"), "--spool-dir",
                        os.path.join(tmp, "spool"), "--work-dir", os.path.join(tmp, "work"),
                        "--health-file", os.path.join(tmp, "health"), "--log-format", "json",
                        "--uid-base", os.environ.get("E2E_UID_BASE", "61000")],
                       capture_output=True, text=True, timeout=120, env=env)
    if p.returncode != 0:
        raise AssertionError("grader serve exited %d: %s" % (p.returncode, p.stderr[-2000:]))
    state = site.state()
    out = []
    for s in state["submissions"]:
        if s["result"] and s["result"]["grader"]["id"].startswith("openapi-test"):
            continue
        if s["result"]:
            out.append({"what": "result posted by grader serve", "method": "POST",
                        "path": "/jobs/{job_id}/result", "status": 200,
                        "request": s["result"], "body": None})
    if len(out) != 2:
        raise AssertionError("expected 2 results from grader serve, got %d" % len(out))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--npm-dir", required=True)
    ap.add_argument("--grader")
    a = ap.parse_args()
    why = npm_install(a.npm_dir)
    if why:
        print("skipped: %s" % why)
        return SKIP
    tmp = tempfile.mkdtemp(prefix="openapi-test-")
    site = Site(tmp)
    try:
        exercise(site)
        exchanges = site.exchanges
        if a.grader:
            exchanges += grader_results(site, os.path.realpath(a.grader), tmp)
        path = os.path.join(tmp, "exchanges.json")
        with open(path, "w") as f:
            json.dump(exchanges, f)
        p = subprocess.run(["node", os.path.join(HERE, "openapi_check.mjs"),
                            os.path.join(a.npm_dir, "node_modules"),
                            os.path.join(ROOT, "docs", "openapi.yaml"),
                            os.path.join(ROOT, "docs", "api.md"), path], timeout=120)
        return p.returncode
    finally:
        site.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    t0 = time.monotonic()
    rc = main()
    print("test_openapi: %.1f s" % (time.monotonic() - t0))
    sys.exit(rc)
