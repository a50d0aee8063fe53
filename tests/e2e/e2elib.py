# SPDX-License-Identifier: MIT
"""Helpers of the end-to-end tests of `grader serve`: the reference course site and grader
processes, each in its own process group, on 127.0.0.1 only, with every file in a temporary
directory. Python 3 standard library only.

Site: a running `course_site.py serve` (port 0; the "listening on" line is parsed), with small
clients for the admin endpoints (/admin/state, /admin/faults, /admin/enqueue, expire).
Grader: a running `grader serve` with JSON logs in a file, its own cache, spool, work dir and
health file unless told to share them.
"""

import base64
import hashlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SITE_PY = os.path.join(ROOT, "tests", "course-site", "course_site.py")
EXAMPLES = os.path.join(ROOT, "examples")
SUM = os.path.join(EXAMPLES, "sum")
PY = sys.executable or "/usr/bin/python3"
TOKEN = "e2e-token-0123456789abcdef"

# The sandbox uids of the graders the tests start: their own range (61000..61999), so runs of
# other grader builds on this host (default range 60000..60999, whose slot locks may be named
# differently) neither collide with them nor sweep their processes. E2E_UID_BASE=default uses
# the grader's default range instead.
UID_BASE = os.environ.get("E2E_UID_BASE", "61000")

LANGUAGE_BY_EXTENSION = {".c": "c", ".cpp": "cpp", ".cc": "cpp", ".py": "python3",
                         ".java": "java"}


def sum_submission(rel):
    """A submission of examples/sum, e.g. 'accepted/sum.c'."""
    return os.path.join(SUM, "submissions", rel)


# Quick submissions of examples/sum and their verdicts (examples/README.md).
QUICK = [("accepted/sum.c", "AC"), ("wrong_answer/off_by_one.py", "WA"),
         ("run_time_error/divide_by_zero.c", "RE"), ("accepted/sum.py", "AC"),
         ("compile_error/missing_semicolon.c", "CE")]
# Accepted, but sleeps 0.6 s before each of the six tests: about 4 s in the grader's hands.
SLOW = os.path.join(HERE, "slow_sum.c")


def write_token(path, token, mode=0o600):
    """Write a token file as a deployment should: readable by its owner only (the grader warns
    about a token file every user may read)."""
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    os.chmod(path + ".tmp", mode)
    os.replace(path + ".tmp", path)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(pred, timeout, interval=0.1, what="a condition"):
    """Poll pred() until it returns something true (returned) or timeout seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1f s waiting for %s" % (timeout, what))
        time.sleep(interval)


def kill_group(proc, sig=signal.SIGKILL):
    """Signal a process started with start_new_session=True, and its whole group."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def processes_in(directory):
    """Pids of the processes whose working directory is inside directory (sandboxed programs
    run in the grader's work dir: any left after the grader is gone are leaks)."""
    prefix = os.path.realpath(directory) + "/"
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            cwd = os.readlink("/proc/%s/cwd" % name)
        except OSError:
            continue
        if (cwd + "/").startswith(prefix):
            pids.append(int(name))
    return pids


def tail(path, n=80):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError as e:
        return "(%s)" % e


def clean_env(extra=None):
    """The environment without any GRADER_* setting of the caller, plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env.pop("NOTIFY_SOCKET", None)
    env.update(extra or {})
    return env


class Site:
    """A running reference course site on 127.0.0.1 in directory tmp."""

    def __init__(self, tmp, *args, name="site", port=0):
        self.tmp = tmp
        self.db = os.path.join(tmp, name + ".db")
        self.token_file = os.path.join(tmp, "token")
        write_token(self.token_file, TOKEN)
        self.log_path = os.path.join(tmp, name + ".log")
        out_path = os.path.join(tmp, name + ".out")
        port_file = os.path.join(tmp, name + ".port")
        self.argv = [PY, SITE_PY, "serve", "--db", self.db, "--port", str(port), "--port-file",
                     port_file, "--token-file", self.token_file] + [str(a) for a in args]
        with open(self.log_path, "w") as err, open(out_path, "w") as out:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=err, start_new_session=True)

        def listening():
            if self.proc.poll() is not None:
                raise AssertionError("the course site exited with %s: %s"
                                     % (self.proc.returncode, tail(self.log_path)))
            with open(out_path) as f:
                line = f.readline()
            return line if line.endswith("\n") else None

        line = wait_for(listening, 20, 0.05, "the course site's 'listening on' line").strip()
        prefix = "listening on "
        if not line.startswith(prefix + "http://127.0.0.1:"):
            self.stop()
            raise AssertionError("unexpected first line of the site: %r" % line)
        self.base = line[len(prefix):]
        self.port = urllib.parse.urlsplit(self.base).port
        with open(port_file) as f:
            assert int(f.read()) == self.port, "--port-file disagrees with 'listening on'"

    # -- HTTP -------------------------------------------------------------------------------

    def request(self, method, path, body=None, token=TOKEN, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Authorization": "Bearer " + token} if token else {}
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            conn.request(method, path, data, headers)
            r = conn.getresponse()
            raw = r.read()
            return r.status, raw
        finally:
            conn.close()

    def admin(self, method, path, body=None):
        status, raw = self.request(method, "/admin/" + path, body)
        if status != 200:
            raise AssertionError("%s /admin/%s: %d %s" % (method, path, status, raw[:500]))
        return json.loads(raw)

    def state(self, full=False):
        return self.admin("GET", "state" if full else "state?brief=1")

    def faults(self, **update):
        return self.admin("POST", "faults", update)

    def expire(self, job_id):
        return self.admin("POST", "jobs/%s/expire" % job_id)

    def enqueue(self, path, queue="default", expect=None, problem_dir=SUM, problem_id="sum",
                language=None, count=1):
        """Queue one submission (a file); returns its ids (one per copy)."""
        with open(path, "rb") as f:
            data = f.read()
        req = {"queue": queue,
               "language": language or LANGUAGE_BY_EXTENSION[os.path.splitext(path)[1]],
               "files": [{"name": os.path.basename(path),
                          "content_base64": base64.b64encode(data).decode()}],
               "problem_dir": problem_dir, "problem_id": problem_id, "count": count}
        if expect:
            req["expect"] = expect
        got = self.admin("POST", "enqueue", req)
        self.revision = got["revision"]
        return got["ids"]

    def submissions(self, full=False):
        return {s["id"]: s for s in self.state(full)["submissions"]}

    def wait_done(self, count, timeout):
        """Wait until count submissions exist and none is queued or running."""
        def done():
            subs = self.state()["submissions"]
            return len(subs) >= count and all(s["state"] in ("done", "failed") for s in subs)
        wait_for(done, timeout, 0.2, "%d submissions to finish" % count)

    def cli(self, *args, timeout=30):
        """Run a course_site.py command on this database: (exit status, stdout + stderr)."""
        p = subprocess.run([PY, SITE_PY] + list(args[:1]) + ["--db", self.db] + list(args[1:]),
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=timeout)
        return p.returncode, p.stdout + p.stderr

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        kill_group(self.proc)
        self.proc.wait()


class Grader:
    """A running `grader serve`, logging JSON lines to a file."""

    count = 0

    def __init__(self, binary, site, tmp, *extra, name=None, workers=1, cache=None, spool=None,
                 work=None, health=None, claim_wait=1, selftest=False, env=None,
                 api_url=True):
        Grader.count += 1
        self.name = name or "g%d" % Grader.count
        self.tmp = tmp
        self.cache = cache or os.path.join(tmp, self.name + "-cache")
        self.spool = spool or os.path.join(tmp, self.name + "-spool")
        self.work = work or os.path.join(tmp, self.name + "-work")
        self.health = health or os.path.join(tmp, self.name + "-health")
        self.log_path = os.path.join(tmp, "%s-%d.log" % (self.name, time.monotonic_ns()))
        self.argv = [binary, "serve"] + (["--api-url", site.base] if api_url else [])
        self.argv += ["--token-file", site.token_file, "--cache-dir", self.cache,
                      "--spool-dir", self.spool, "--work-dir", self.work,
                      "--health-file", self.health, "--grader-id", self.name,
                      "--log-format", "json", "--claim-wait", str(claim_wait),
                      "--workers", str(workers)]
        if UID_BASE != "default":
            self.argv += ["--uid-base", UID_BASE]
        if not selftest:
            self.argv.append("--no-selftest")
        self.argv += [str(a) for a in extra]
        with open(self.log_path, "w") as err:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=err,
                                         stderr=err, start_new_session=True, env=clean_env(env))
        self.started = time.monotonic()

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def wait(self, timeout):
        """Wait for the exit (the status); kill the group and fail on timeout."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            kill_group(self.proc)
            self.proc.wait()
            raise AssertionError("grader %s still running after %.0f s; log:\n%s"
                                 % (self.name, timeout, tail(self.log_path))) from None

    def signal(self, sig):
        """Send sig to the grader process itself (not its group)."""
        if self.alive():
            os.kill(self.proc.pid, sig)

    def kill9(self):
        """kill -9 of the whole process group, then reap."""
        kill_group(self.proc, signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout=20):
        """SIGTERM, then the exit status."""
        self.signal(signal.SIGTERM)
        return self.wait(timeout)

    def cleanup(self):
        kill_group(self.proc)
        self.proc.wait()

    def text(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def logs(self):
        """The log as a list of objects; a line that is not JSON fails the test."""
        out = []
        for line in self.text().splitlines():
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except ValueError:
                raise AssertionError("grader %s wrote a log line that is not JSON: %r"
                                     % (self.name, line)) from None
        return out

    def wait_log(self, pred, timeout, what="a log line"):
        """Wait for a log line (object) for which pred is true; returns it."""
        def find():
            for o in self.logs():
                if pred(o):
                    return o
            if not self.alive():
                raise AssertionError("grader %s exited (%s) before %s; log:\n%s"
                                     % (self.name, self.proc.returncode, what,
                                        tail(self.log_path)))
            return None
        return wait_for(find, timeout, 0.05, what)

    def spooled(self):
        try:
            return sorted(n for n in os.listdir(self.spool) if n.endswith(".json"))
        except FileNotFoundError:
            return []


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()
