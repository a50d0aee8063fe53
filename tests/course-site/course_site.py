#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The reference course site: Grader API v1 over SQLite, for the demo, the end-to-end tests and
the benchmarks. Python 3 standard library only.

Theory of operation
-------------------
One SQLite database (WAL mode) holds everything: problem revisions and their blobs, submissions,
jobs, the log of result posts, counters and the fault-injection settings. `enqueue`, `register`,
`status`, `faults`, `wait` and `check` are separate processes that open the same database file;
`serve` is a ThreadingHTTPServer whose request threads share one connection behind one lock. Every
change is one `BEGIN IMMEDIATE` transaction, so a claim is atomic against the other request
threads and against the other processes alike.

A submission goes queued -> running (a claim creates a job with a random id and a lease) -> done
(a result posted on that job). A running job whose lease passes is expired and its submission
re-queued; a release does the same at once. Only a running job may heartbeat, post a result or
release; any other job answers 404 (unknown), 409 (finished) or 410 (expired or released: taken
back). Expiry runs at the start of every transaction and in a reaper thread (every 0.2 s), so the
state and the page show it promptly. With --max-attempts N a submission taken back after its N-th
claim is given up ("failed") instead of re-queued.

A claim that finds no work is held (long poll) for min(wait, --max-wait) seconds, polling the
database every 0.1 s (another process may enqueue) and waking at once on an in-process re-queue;
it stops early, claiming nothing, when the client hangs up.

Problem packages are snapshotted when registered (by `enqueue`, `register` or `serve
--problems-root`): every regular file except the top-level `submissions/` tree and symlinks that
leave the package, stored by sha256 in the database. The revision is the first 16 hex digits of
the sha256 of the manifest "SHA256  PATH\\n" lines sorted by path (sha256sum's format), so any
changed, added or removed file makes a new revision while the old one stays servable.

Faults are injected around the application, never inside a transaction, so they cannot corrupt
the database. A fault fires "before" (the request is not processed at all) or "after" (processed
and committed, then the reply is replaced by an error status, dropped, delayed or truncated).
Kinds: 500, 502, 503, drop (close the connection without a reply), slow (sleep between half of
and the whole --slow-max), truncate (always "after": announce the whole Content-Length, send half,
close). Random faults fire with probability --fault-rate per API request; one-shot faults
("result:500:after") fire on the next matching request and are meant for deterministic tests.
--auth-fail-seconds N answers 401 to every API request for N seconds. The admin endpoints, the
page and /healthz are never faulted.
"""

import argparse
import base64
import contextlib
import hashlib
import hmac
import html
import json
import os
import random
import re
import secrets
import select
import signal
import socket
import sqlite3
import sys
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERSION = "1.0"
VERDICTS = ("AC", "WA", "TLE", "MLE", "OLE", "RE", "CE", "SV", "IE")
FAULT_KINDS = ("500", "502", "503", "drop", "slow", "truncate")
FAULT_PHASES = ("before", "after", "random")
ENDPOINTS = ("claim", "heartbeat", "result", "release", "files", "blobs", "queues")
FINAL_STATES = ("done", "failed")
# The keys of the result JSON (docs/grading.md) whose absence is recorded as a warning.
RESULT_KEYS = ("job_id", "submission_id", "problem_id", "problem_revision", "verdict", "score",
               "max_score", "tests")
# Queue, language and problem ids go into URLs and SQL parameters: keep them plain.
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
LANGUAGE_BY_EXTENSION = {".c": "c", ".cpp": "cpp", ".cc": "cpp", ".cxx": "cpp", ".py": "python3",
                         ".java": "java"}
DEFAULT_BASE_PATH = "/api/v1"
POLL_INTERVAL = 0.1     # long-poll re-check period: another process may have enqueued
REAP_INTERVAL = 0.2     # how late an expired lease may be noticed by the page and the state
MAX_LIST = 64           # most queues / languages in one claim
MAX_ONCE = 1000         # most pending one-shot faults

SCHEMA = """
CREATE TABLE IF NOT EXISTS problems(
        id TEXT PRIMARY KEY, dir TEXT NOT NULL, revision TEXT NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS revisions(
        problem_id TEXT NOT NULL, revision TEXT NOT NULL, dir TEXT NOT NULL,
        manifest TEXT NOT NULL, created_at REAL NOT NULL, PRIMARY KEY(problem_id, revision));
CREATE TABLE IF NOT EXISTS blobs(sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, content BLOB);
CREATE TABLE IF NOT EXISTS blob_downloads(sha256 TEXT PRIMARY KEY, count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS submissions(
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, queue TEXT NOT NULL,
        language TEXT NOT NULL, problem_id TEXT NOT NULL, revision TEXT NOT NULL,
        files TEXT NOT NULL, expect TEXT, state TEXT NOT NULL, verdict TEXT, score, max_score,
        attempts INTEGER NOT NULL DEFAULT 0, releases INTEGER NOT NULL DEFAULT 0,
        expirations INTEGER NOT NULL DEFAULT 0, results_received INTEGER NOT NULL DEFAULT 0,
        results_recorded INTEGER NOT NULL DEFAULT 0, last_release_reason TEXT,
        current_job TEXT, result TEXT, warnings TEXT, created_at REAL NOT NULL,
        updated_at REAL NOT NULL, finished_at REAL);
CREATE INDEX IF NOT EXISTS submissions_pick ON submissions(state, queue, seq);
CREATE TABLE IF NOT EXISTS jobs(
        id TEXT PRIMARY KEY, submission_id TEXT NOT NULL, grader_id TEXT NOT NULL,
        state TEXT NOT NULL, claimed_at REAL NOT NULL, lease_expires REAL NOT NULL,
        heartbeats INTEGER NOT NULL DEFAULT 0, ended_at REAL, release_reason TEXT);
CREATE INDEX IF NOT EXISTS jobs_lease ON jobs(state, lease_expires);
CREATE INDEX IF NOT EXISTS jobs_submission ON jobs(submission_id);
CREATE TABLE IF NOT EXISTS result_posts(
        seq INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT, submission_id TEXT,
        received_at REAL NOT NULL, status INTEGER NOT NULL, recorded INTEGER NOT NULL,
        verdict TEXT, error TEXT);
CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fault_once(
        seq INTEGER PRIMARY KEY AUTOINCREMENT, endpoint TEXT, kind TEXT NOT NULL,
        phase TEXT NOT NULL);
"""


class UsageError(Exception):
    """A bad command line, file or request body: the message is for the user."""


def log(msg):
    sys.stderr.write("course-site: %s\n" % msg)
    sys.stderr.flush()


def number(x):
    """Seconds as an int when whole (nicer JSON), else the float."""
    return int(x) if float(x).is_integer() else float(x)


# ---------------------------------------------------------------------------------------------
# Database

def open_db(path):
    """Open (creating if needed) the database: WAL, a generous busy timeout, the schema."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    with transaction(conn):
        for stmt in SCHEMA.split(";"):
            if stmt.strip():
                conn.execute(stmt)
    return conn


@contextlib.contextmanager
def transaction(conn):
    """One write transaction; BEGIN IMMEDIATE takes the write lock first, so read-then-write
    sequences (claims) cannot interleave with another process."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def bump(conn, name, n=1):
    conn.execute("INSERT INTO counters(name, value) VALUES(?, ?) "
                 "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value", (name, n))


def get_setting(conn, key, default=None):
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return json.loads(row["value"]) if row else default


def put_setting(conn, key, value):
    conn.execute("INSERT INTO settings(key, value) VALUES(?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, json.dumps(value)))


# ---------------------------------------------------------------------------------------------
# Problem packages

def valid_file_name(name):
    try:
        name.encode("utf-8")   # fails on undecodable bytes (surrogate escapes)
    except UnicodeEncodeError:
        return False
    return not any(ord(c) < 32 or ord(c) == 127 for c in name)


def snapshot_problem(directory):
    """Read a problem package. Returns (manifest, contents, skipped): manifest is a list of
    {path, sha256, size} sorted by path, contents maps sha256 to bytes, skipped lists the paths
    left out and why. The top-level submissions/ tree is left out silently (the grader must not
    need it); symlinks are followed only when they stay inside the package."""
    root = os.path.realpath(directory)
    if not os.path.isdir(root):
        raise UsageError("'%s' is not a directory" % directory)
    files, contents, skipped, seen_dirs = {}, {}, [], set()

    def inside(path):
        return path == root or path.startswith(root + os.sep)

    def walk(real_dir, rel):
        st = os.stat(real_dir)
        if (st.st_dev, st.st_ino) in seen_dirs:
            skipped.append((rel, "directory loop"))
            return
        seen_dirs.add((st.st_dev, st.st_ino))
        with os.scandir(real_dir) as it:
            names = sorted(e.name for e in it)
        for name in names:
            relpath = name if not rel else rel + "/" + name
            if not rel and name == "submissions":
                continue
            if not valid_file_name(name):
                skipped.append((relpath, "file name is not printable UTF-8"))
                continue
            target = os.path.realpath(os.path.join(real_dir, name))
            if not inside(target):
                skipped.append((relpath, "symlink points outside the package"))
            elif os.path.isdir(target):
                walk(target, relpath)
            elif os.path.isfile(target):
                with open(target, "rb") as f:
                    data = f.read()
                sha = hashlib.sha256(data).hexdigest()
                files[relpath] = {"path": relpath, "sha256": sha, "size": len(data)}
                contents[sha] = data
            else:
                skipped.append((relpath, "not a regular file"))

    walk(root, "")
    manifest = [files[p] for p in sorted(files, key=lambda p: p.encode("utf-8"))]
    return manifest, contents, skipped


def manifest_revision(manifest):
    lines = "".join("%s  %s\n" % (f["sha256"], f["path"]) for f in manifest)
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()[:16]


def store_problem(conn, problem_id, directory, snapshot):
    """Record a snapshot (inside the caller's transaction); returns the revision."""
    manifest, contents, _ = snapshot
    revision = manifest_revision(manifest)
    now = time.time()
    for sha, data in contents.items():
        conn.execute("INSERT OR IGNORE INTO blobs(sha256, size, content) VALUES(?, ?, ?)",
                     (sha, len(data), data))
    conn.execute("INSERT OR IGNORE INTO revisions(problem_id, revision, dir, manifest, created_at)"
                 " VALUES(?, ?, ?, ?, ?)",
                 (problem_id, revision, os.path.abspath(directory), json.dumps(manifest), now))
    conn.execute("INSERT INTO problems(id, dir, revision, updated_at) VALUES(?, ?, ?, ?) "
                 "ON CONFLICT(id) DO UPDATE SET dir = excluded.dir, revision = excluded.revision,"
                 " updated_at = excluded.updated_at",
                 (problem_id, os.path.abspath(directory), revision, now))
    return revision


def check_name(what, value):
    if not isinstance(value, str) or not NAME_RE.match(value):
        raise UsageError("%s '%s' must be 1-128 characters of [A-Za-z0-9._+-], not starting "
                         "with a punctuation mark" % (what, value))
    return value


def register_problem(conn, directory, problem_id=None):
    """Snapshot and store a problem package; returns (problem_id, revision, snapshot)."""
    if problem_id is None:
        problem_id = os.path.basename(os.path.realpath(directory))
    check_name("problem id", problem_id)
    snapshot = snapshot_problem(directory)
    if not any(f["path"] == "problem.yaml" for f in snapshot[0]):
        log("warning: '%s' has no problem.yaml" % directory)
    for path, why in snapshot[2]:
        log("warning: %s: '%s' not served: %s" % (problem_id, path, why))
    with transaction(conn):
        revision = store_problem(conn, problem_id, directory, snapshot)
    return problem_id, revision, snapshot


# ---------------------------------------------------------------------------------------------
# Submissions and jobs (module functions: the CLI and the server share them)

def insert_submissions(conn, *, queue, language, problem_id, revision, files, expect=None,
                       count=1):
    """Queue `count` copies of a submission (inside the caller's transaction); returns ids.
    files: a list of {name, content_base64}."""
    now = time.time()
    ids = []
    for _ in range(count):
        sid = "s-" + secrets.token_hex(5)
        conn.execute("INSERT INTO submissions(id, queue, language, problem_id, revision, files,"
                     " expect, state, created_at, updated_at)"
                     " VALUES(?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)",
                     (sid, queue, language, problem_id, revision, json.dumps(files), expect, now,
                      now))
        ids.append(sid)
    return ids


def check_submission_files(files):
    if not isinstance(files, list) or not files:
        raise UsageError("a submission needs at least one file")
    names = set()
    for f in files:
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or \
                not isinstance(f.get("content_base64"), str):
            raise UsageError("each file needs a string name and content_base64")
        name = f["name"]
        if not name or "/" in name or name in (".", "..") or not valid_file_name(name):
            raise UsageError("bad submission file name '%s'" % name)
        if name in names:
            raise UsageError("two submission files are named '%s'" % name)
        names.add(name)
        try:
            base64.b64decode(f["content_base64"], validate=True)
        except ValueError:
            raise UsageError("file '%s': content_base64 is not base64" % name) from None
    return files


def take_back(conn, job_id, submission_id, now, column, max_attempts, reason=None):
    """Return a job's submission to its queue (or give it up after max_attempts claims)."""
    row = conn.execute("SELECT attempts FROM submissions WHERE id = ? AND current_job = ?",
                       (submission_id, job_id)).fetchone()
    if row is None:
        return
    state = "failed" if max_attempts and row["attempts"] >= max_attempts else "queued"
    conn.execute("UPDATE submissions SET state = ?, current_job = NULL, %s = %s + 1,"
                 " last_release_reason = COALESCE(?, last_release_reason), updated_at = ?,"
                 " finished_at = CASE WHEN ? = 'failed' THEN ? ELSE finished_at END"
                 " WHERE id = ?" % (column, column),
                 (state, reason, now, state, now, submission_id))


def expire_due(conn, now, max_attempts):
    """Expire every running job whose lease has passed (inside the caller's transaction)."""
    rows = conn.execute("SELECT id, submission_id FROM jobs WHERE state = 'running'"
                        " AND lease_expires <= ?", (now,)).fetchall()
    for r in rows:
        conn.execute("UPDATE jobs SET state = 'expired', ended_at = ? WHERE id = ?",
                     (now, r["id"]))
        take_back(conn, r["id"], r["submission_id"], now, "expirations", max_attempts,
                  "lease expired")
    return len(rows)


def find_candidate(conn, queues, languages):
    """The submission a claim would get: the first queue (in the grader's order) holding a
    queued submission in one of the languages, oldest first; any queue when none are named."""
    lang_sql = ""
    if languages:
        lang_sql = " AND language IN (%s)" % ",".join("?" * len(languages))
    base = "SELECT * FROM submissions WHERE state = 'queued'"
    if not queues:
        return conn.execute(base + lang_sql + " ORDER BY seq LIMIT 1",
                            list(languages)).fetchone()
    for q in queues:
        row = conn.execute(base + " AND queue = ?" + lang_sql + " ORDER BY seq LIMIT 1",
                           [q] + list(languages)).fetchone()
        if row is not None:
            return row
    return None


def submission_json(row, with_result=True):
    d = {k: row[k] for k in ("id", "seq", "queue", "language", "problem_id", "state", "verdict",
                            "score", "max_score", "expect", "attempts", "releases",
                            "expirations", "results_received", "results_recorded",
                            "last_release_reason", "created_at", "updated_at", "finished_at")}
    d["problem_revision"] = row["revision"]
    d["current_job_id"] = row["current_job"]
    d["files"] = [f["name"] for f in json.loads(row["files"])]
    d["warnings"] = json.loads(row["warnings"]) if row["warnings"] else []
    if with_result:
        d["result"] = json.loads(row["result"]) if row["result"] else None
    return d


def job_json(row):
    return {"id": row["id"], "submission_id": row["submission_id"],
            "grader_id": row["grader_id"], "state": row["state"],
            "claimed_at": row["claimed_at"], "lease_expires_at": row["lease_expires"],
            "heartbeats": row["heartbeats"], "ended_at": row["ended_at"],
            "release_reason": row["release_reason"]}


def build_state(conn, brief=False):
    """Everything, as the JSON of GET /admin/state and `status --json`."""
    subs = [submission_json(r, not brief)
            for r in conn.execute("SELECT * FROM submissions ORDER BY seq")]
    jobs = [job_json(r) for r in conn.execute("SELECT * FROM jobs ORDER BY claimed_at, id")]
    problems = []
    for p in conn.execute("SELECT * FROM problems ORDER BY id"):
        revs = [r["revision"] for r in conn.execute(
            "SELECT revision FROM revisions WHERE problem_id = ? ORDER BY created_at",
            (p["id"],))]
        problems.append({"id": p["id"], "dir": p["dir"], "revision": p["revision"],
                         "revisions": revs})
    downloads = {r["sha256"]: r["count"] for r in conn.execute(
        "SELECT sha256, count FROM blob_downloads ORDER BY sha256")}
    counters = {r["name"]: r["value"] for r in conn.execute(
        "SELECT name, value FROM counters ORDER BY name")}
    by_state = {}
    for s in subs:
        by_state[s["state"]] = by_state.get(s["state"], 0) + 1
    state = {"now": time.time(), "started_at": get_setting(conn, "started_at"),
             "lease": get_setting(conn, "lease"), "summary": by_state, "submissions": subs,
             "jobs": jobs, "problems": problems, "blob_downloads": downloads,
             "blob_downloads_total": sum(downloads.values()), "counters": counters,
             "faults": load_faults(conn)}
    if not brief:
        state["result_posts"] = [
            {k: r[k] for k in ("seq", "job_id", "submission_id", "received_at", "status",
                               "verdict", "error")} | {"recorded": bool(r["recorded"])}
            for r in conn.execute("SELECT * FROM result_posts ORDER BY seq")]
    return state


# ---------------------------------------------------------------------------------------------
# Fault settings (stored in the database so `faults` can change a running server)

def default_faults():
    return {"rate": 0.0, "kinds": list(FAULT_KINDS), "phase": "random", "slow_max": 2.0,
            "endpoints": [], "auth_fail_until": 0.0}


def load_faults(conn):
    cfg = default_faults()
    cfg.update(get_setting(conn, "faults", {}))
    cfg["once"] = ["%s:%s:%s" % (r["endpoint"] or "*", r["kind"], r["phase"])
                   for r in conn.execute("SELECT * FROM fault_once ORDER BY seq")]
    return cfg


def split_list(value):
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise UsageError("expected a list of strings or a comma-separated string")


def parse_once(spec):
    """'ENDPOINT:KIND[:PHASE]' (ENDPOINT may be '*'; PHASE defaults to before) or a dict."""
    if isinstance(spec, dict):
        endpoint, kind, phase = spec.get("endpoint", "*"), spec.get("kind"), \
            spec.get("phase", "before")
    elif isinstance(spec, str):
        parts = spec.split(":")
        if len(parts) not in (2, 3):
            raise UsageError("one-shot fault '%s' is not ENDPOINT:KIND[:PHASE]" % spec)
        endpoint, kind, phase = parts[0], parts[1], parts[2] if len(parts) == 3 else "before"
    else:
        raise UsageError("a one-shot fault is 'ENDPOINT:KIND[:PHASE]' or an object")
    endpoint = endpoint or "*"
    if endpoint != "*" and endpoint not in ENDPOINTS:
        raise UsageError("unknown endpoint '%s' (one of %s or *)"
                         % (endpoint, ", ".join(ENDPOINTS)))
    if kind not in FAULT_KINDS:
        raise UsageError("unknown fault kind '%s' (one of %s)" % (kind, ", ".join(FAULT_KINDS)))
    if phase not in ("before", "after"):
        raise UsageError("a one-shot fault's phase is before or after, not '%s'" % phase)
    if kind == "truncate":
        phase = "after"
    return (None if endpoint == "*" else endpoint), kind, phase


def update_faults(conn, update, now=None):
    """Apply a fault update (the body of POST /admin/faults, or the `faults` flags), inside the
    caller's transaction. Keys: clear, rate, kinds, phase, slow_max, endpoints,
    auth_fail_seconds (from now), once (a list of one-shot specs, appended)."""
    now = time.time() if now is None else now
    if not isinstance(update, dict):
        raise UsageError("a fault update is a JSON object")
    unknown = set(update) - {"clear", "rate", "kinds", "phase", "slow_max", "endpoints",
                             "auth_fail_seconds", "once"}
    if unknown:
        raise UsageError("unknown fault setting(s): %s" % ", ".join(sorted(unknown)))
    cfg = default_faults() if update.get("clear") else load_faults(conn)
    cfg.pop("once", None)
    if update.get("clear"):
        conn.execute("DELETE FROM fault_once")
    if "rate" in update:
        rate = update["rate"]
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise UsageError("the fault rate is a probability between 0 and 1")
        cfg["rate"] = float(rate)
    if "kinds" in update:
        kinds = split_list(update["kinds"])
        bad = [k for k in kinds if k not in FAULT_KINDS]
        if bad or not kinds:
            raise UsageError("fault kinds are some of %s" % ", ".join(FAULT_KINDS))
        cfg["kinds"] = kinds
    if "phase" in update:
        if update["phase"] not in FAULT_PHASES:
            raise UsageError("the fault phase is one of %s" % ", ".join(FAULT_PHASES))
        cfg["phase"] = update["phase"]
    if "slow_max" in update:
        s = update["slow_max"]
        if isinstance(s, bool) or not isinstance(s, (int, float)) or not 0 <= s <= 600:
            raise UsageError("slow_max is seconds between 0 and 600")
        cfg["slow_max"] = float(s)
    if "endpoints" in update:
        eps = split_list(update["endpoints"])
        bad = [e for e in eps if e not in ENDPOINTS]
        if bad:
            raise UsageError("endpoints are some of %s" % ", ".join(ENDPOINTS))
        cfg["endpoints"] = eps
    if "auth_fail_seconds" in update:
        s = update["auth_fail_seconds"]
        if isinstance(s, bool) or not isinstance(s, (int, float)) or s < 0:
            raise UsageError("auth_fail_seconds is a non-negative number")
        cfg["auth_fail_until"] = now + s if s > 0 else 0.0
    once = update.get("once", [])
    if not isinstance(once, list):
        once = [once]
    parsed = [parse_once(o) for o in once]
    pending = conn.execute("SELECT COUNT(*) FROM fault_once").fetchone()[0]
    if pending + len(parsed) > MAX_ONCE:
        raise UsageError("too many pending one-shot faults (at most %d)" % MAX_ONCE)
    for endpoint, kind, phase in parsed:
        conn.execute("INSERT INTO fault_once(endpoint, kind, phase) VALUES(?, ?, ?)",
                     (endpoint, kind, phase))
    put_setting(conn, "faults", cfg)
    return load_faults(conn)


# ---------------------------------------------------------------------------------------------
# The site: the application behind the HTTP handler

class Reply:
    def __init__(self, status, body=b"", ctype="application/json", headers=()):
        self.status, self.body, self.ctype, self.headers = status, body, ctype, list(headers)


def json_reply(status, obj=None, headers=()):
    if obj is None:
        return Reply(status, b"", headers=headers)
    return Reply(status, (json.dumps(obj) + "\n").encode("utf-8"), headers=headers)


def error_reply(status, message, headers=()):
    return json_reply(status, {"error": message}, headers)


def parse_json_object(body, required=True):
    """A POST body: empty (-> {} unless required) or a JSON object."""
    if not body.strip():
        if required:
            raise UsageError("the body must be a JSON object")
        return {}
    try:
        obj = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise UsageError("the body is not JSON: %s" % e) from None
    if not isinstance(obj, dict):
        raise UsageError("the body must be a JSON object")
    return obj


class Site:
    def __init__(self, conn, token, *, lease=30.0, base_path=DEFAULT_BASE_PATH,
                 absolute_urls=False, max_wait=10.0, max_attempts=0, max_body=64 << 20,
                 fault_seed=None, quiet=False):
        self.conn = conn
        self.token = token.encode("utf-8")
        self.lease = float(lease)
        self.base_path = base_path
        self.absolute_urls = absolute_urls
        self.public_base = None  # set once the port is known
        self.max_wait = float(max_wait)
        self.max_attempts = int(max_attempts)
        self.max_body = int(max_body)
        self.quiet = quiet
        self.lock = threading.RLock()           # the one connection: every use holds it
        self.work = threading.Condition()       # notified when a submission becomes queued
        self.stopping = threading.Event()
        self.rng = random.Random(fault_seed)
        self.rng_lock = threading.Lock()
        self.active = 0
        self.active_cond = threading.Condition()
        self.closed = False
        self.pending_counters = {}               # buffered, flushed by the reaper
        self.counter_lock = threading.Lock()
        self.faults = None
        self.faults_loaded = 0.0

    # -- plumbing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def write(self):
        with self.lock:
            if self.closed:
                raise RuntimeError("the site is shutting down")
            with transaction(self.conn) as conn:
                yield conn

    @contextlib.contextmanager
    def read(self):
        with self.lock:
            if self.closed:
                raise RuntimeError("the site is shutting down")
            yield self.conn

    def count(self, name, n=1):
        with self.counter_lock:
            self.pending_counters[name] = self.pending_counters.get(name, 0) + n

    def flush_counters(self, conn):
        with self.counter_lock:
            pending, self.pending_counters = self.pending_counters, {}
        for name, n in pending.items():
            bump(conn, name, n)

    def notify_work(self):
        with self.work:
            self.work.notify_all()

    def url(self, rel):
        return self.public_base + "/" + rel if self.absolute_urls else rel

    def check_token(self, header):
        if not header:
            return False
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(value.strip().encode("utf-8"), self.token)

    def reap_once(self):
        with self.write() as conn:
            n = expire_due(conn, time.time(), self.max_attempts)
            self.flush_counters(conn)
        if n:
            self.notify_work()
        return n

    def reaper(self):
        while not self.stopping.wait(REAP_INTERVAL):
            try:
                self.reap_once()
            except Exception as e:  # a busy database must not kill the reaper
                log("reaper: %s" % e)

    # -- faults ---------------------------------------------------------------------------

    def fault_config(self, force=False):
        now = time.monotonic()
        if force or self.faults is None or now - self.faults_loaded > 0.25:
            with self.read() as conn:
                cfg = load_faults(conn)
            self.faults, self.faults_loaded = cfg, now
        return self.faults

    def auth_failing(self):
        return time.time() < self.fault_config()["auth_fail_until"]

    def pick_fault(self, endpoint):
        """The fault for this request, as (kind, phase), or None."""
        cfg = self.fault_config()
        if cfg["once"]:
            with self.write() as conn:
                rows = conn.execute("SELECT * FROM fault_once ORDER BY seq").fetchall()
                for r in rows:
                    if r["endpoint"] in (None, endpoint):
                        conn.execute("DELETE FROM fault_once WHERE seq = ?", (r["seq"],))
                        self.fault_config(force=True)
                        return r["kind"], r["phase"]
        if cfg["rate"] <= 0 or (cfg["endpoints"] and endpoint not in cfg["endpoints"]):
            return None
        with self.rng_lock:
            if self.rng.random() >= cfg["rate"]:
                return None
            kind = self.rng.choice(cfg["kinds"])
            phase = cfg["phase"]
            if phase == "random":
                phase = self.rng.choice(("before", "after"))
        if kind == "truncate":
            phase = "after"
        return kind, phase

    def slow_seconds(self):
        s = self.fault_config()["slow_max"]
        with self.rng_lock:
            return self.rng.uniform(s / 2, s)

    # -- API v1 ---------------------------------------------------------------------------

    def claim(self, body, client_gone=lambda: False):
        req = parse_json_object(body)
        grader_id = req.get("grader_id")
        if not isinstance(grader_id, str) or not grader_id or len(grader_id) > 256:
            raise UsageError("grader_id must be a non-empty string")
        queues = req.get("queues", [])
        languages = req.get("languages", [])
        for what, lst in (("queues", queues), ("languages", languages)):
            if not isinstance(lst, list) or not all(isinstance(x, str) for x in lst):
                raise UsageError("%s must be a list of strings" % what)
            if len(lst) > MAX_LIST:
                raise UsageError("at most %d %s" % (MAX_LIST, what))
        wait = req.get("wait", 0)
        if isinstance(wait, bool) or not isinstance(wait, (int, float)):
            raise UsageError("wait must be a number of seconds")
        deadline = time.monotonic() + max(0.0, min(float(wait), self.max_wait))
        while True:
            got = self.try_claim(grader_id, queues, languages)
            if got is not None:
                return json_reply(200, got)
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.stopping.is_set():
                return json_reply(204)
            if client_gone():
                self.count("claim.abandoned_by_client")
                return json_reply(204)
            with self.work:
                self.work.wait(min(remaining, POLL_INTERVAL))

    def try_claim(self, grader_id, queues, languages):
        with self.read() as conn:   # cheap check first: most polls find nothing
            if find_candidate(conn, queues, languages) is None:
                return None
        now = time.time()
        with self.write() as conn:
            expire_due(conn, now, self.max_attempts)
            sub = find_candidate(conn, queues, languages)
            if sub is None:
                return None
            job_id = "j-" + secrets.token_hex(12)
            conn.execute("INSERT INTO jobs(id, submission_id, grader_id, state, claimed_at,"
                         " lease_expires) VALUES(?, ?, ?, 'running', ?, ?)",
                         (job_id, sub["id"], grader_id, now, now + self.lease))
            conn.execute("UPDATE submissions SET state = 'running', current_job = ?,"
                         " attempts = attempts + 1, updated_at = ? WHERE id = ?",
                         (job_id, now, sub["id"]))
        pid = urllib.parse.quote(sub["problem_id"], safe="")
        return {"job_id": job_id, "lease": number(self.lease),
                "submission": {"id": sub["id"], "queue": sub["queue"],
                               "language": sub["language"], "files": json.loads(sub["files"])},
                "problem": {"id": sub["problem_id"], "revision": sub["revision"],
                            "files_url": self.url("problems/%s/%s/files"
                                                  % (pid, sub["revision"]))}}

    def job_problem(self, conn, job_id):
        """(job row or None, None when running else the error Reply)."""
        job = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if job is None:
            return None, error_reply(404, "no such job")
        if job["state"] == "done":
            return job, error_reply(409, "the job is already finished")
        if job["state"] != "running":
            return job, error_reply(410, "the job was taken back (%s)" % job["state"])
        return job, None

    def heartbeat(self, job_id, body):
        parse_json_object(body, required=False)
        now = time.time()
        with self.write() as conn:
            expired = expire_due(conn, now, self.max_attempts)
            job, problem = self.job_problem(conn, job_id)
            if problem is None:
                conn.execute("UPDATE jobs SET lease_expires = ?, heartbeats = heartbeats + 1"
                             " WHERE id = ?", (now + self.lease, job_id))
        if expired:
            self.notify_work()
        return problem or json_reply(200, {"lease": number(self.lease)})

    def release(self, job_id, body):
        req = parse_json_object(body, required=False)
        reason = req.get("reason", "")
        if not isinstance(reason, str):
            raise UsageError("reason must be a string")
        reason = reason[:1000]
        now = time.time()
        with self.write() as conn:
            expire_due(conn, now, self.max_attempts)
            job, problem = self.job_problem(conn, job_id)
            if problem is None:
                conn.execute("UPDATE jobs SET state = 'released', ended_at = ?,"
                             " release_reason = ? WHERE id = ?", (now, reason, job_id))
                take_back(conn, job_id, job["submission_id"], now, "releases",
                          self.max_attempts, reason)
                state = conn.execute("SELECT state FROM submissions WHERE id = ?",
                                     (job["submission_id"],)).fetchone()["state"]
        self.notify_work()
        return problem or json_reply(200, {"submission_id": job["submission_id"],
                                           "state": state})

    def result(self, job_id, body):
        # Validate outside the lock; identity checks need the job, so they come later.
        error, obj = None, None
        try:
            obj = parse_json_object(body)
            if not isinstance(obj.get("verdict"), str) or obj["verdict"] not in VERDICTS:
                raise UsageError("verdict must be one of %s" % " ".join(VERDICTS))
        except UsageError as e:
            error = str(e)
        now = time.time()
        with self.write() as conn:
            expired = expire_due(conn, now, self.max_attempts)
            job, problem = self.job_problem(conn, job_id)
            if job is None:
                conn.execute("INSERT INTO result_posts(job_id, submission_id, received_at,"
                             " status, recorded, error) VALUES(?, NULL, ?, 404, 0, ?)",
                             (job_id, now, "no such job"))
                return problem
            sub = conn.execute("SELECT * FROM submissions WHERE id = ?",
                               (job["submission_id"],)).fetchone()
            if error is None:
                for key, want in (("job_id", job_id), ("submission_id", sub["id"]),
                                  ("problem_id", sub["problem_id"]),
                                  ("problem_revision", sub["revision"])):
                    if key in obj and obj[key] != want:
                        error = "%s is %s, this job's is %s" % (
                            key, json.dumps(obj[key])[:100], json.dumps(want))
                        break
            if error is not None:
                reply = error_reply(400, error)
            elif problem is not None:
                reply = problem
            else:
                reply = json_reply(200, {"submission_id": sub["id"], "recorded": True})
                warnings = ["missing key '%s'" % k for k in RESULT_KEYS if k not in obj]
                score, max_score = obj.get("score"), obj.get("max_score")
                score = score if isinstance(score, (int, float)) and \
                    not isinstance(score, bool) else None
                max_score = max_score if isinstance(max_score, (int, float)) and \
                    not isinstance(max_score, bool) else None
                conn.execute("UPDATE jobs SET state = 'done', ended_at = ? WHERE id = ?",
                             (now, job_id))
                conn.execute("UPDATE submissions SET state = 'done', verdict = ?, score = ?,"
                             " max_score = ?, result = ?, warnings = ?, current_job = NULL,"
                             " results_recorded = results_recorded + 1, updated_at = ?,"
                             " finished_at = ? WHERE id = ?",
                             (obj["verdict"], score, max_score, body.decode("utf-8"),
                              json.dumps(warnings), now, now, sub["id"]))
            conn.execute("UPDATE submissions SET results_received = results_received + 1"
                         " WHERE id = ?", (sub["id"],))
            body_error = None if reply.status == 200 else json.loads(reply.body)["error"]
            conn.execute("INSERT INTO result_posts(job_id, submission_id, received_at, status,"
                         " recorded, verdict, error) VALUES(?, ?, ?, ?, ?, ?, ?)",
                         (job_id, sub["id"], now, reply.status, int(reply.status == 200),
                          obj.get("verdict") if isinstance(obj, dict) and
                          isinstance(obj.get("verdict"), str) else None, body_error))
        if expired:
            self.notify_work()
        return reply

    def queues(self, query):
        """GET /queues: each queue's waiting and running submissions and how long the oldest
        waiting one has waited. ?queues=a,b names the queues (each is listed, zeros when it has
        nothing); without it every queue that has submissions is listed."""
        names = split_list(",".join(query.get("queues", [])))
        for name in names:
            check_name("queue", name)
        now = time.time()
        with self.read() as conn:
            rows = conn.execute("SELECT queue, SUM(state = 'queued') AS depth,"
                                " SUM(state = 'running') AS running,"
                                " MIN(CASE WHEN state = 'queued' THEN created_at END) AS oldest"
                                " FROM submissions GROUP BY queue ORDER BY queue").fetchall()
        by_name = {r["queue"]: r for r in rows}
        out = []
        for name in names or list(by_name):
            r = by_name.get(name)
            oldest = r["oldest"] if r is not None else None
            out.append({"name": name, "depth": int(r["depth"] or 0) if r is not None else 0,
                        "running": int(r["running"] or 0) if r is not None else 0,
                        "oldest_waiting_seconds": round(max(0.0, now - oldest), 3)
                        if oldest is not None else 0})
        return json_reply(200, {"queues": out, "depth": sum(q["depth"] for q in out),
                                "running": sum(q["running"] for q in out)})

    def files(self, problem_id, revision):
        with self.read() as conn:
            row = conn.execute("SELECT manifest FROM revisions WHERE problem_id = ? AND"
                               " revision = ?", (problem_id, revision)).fetchone()
        if row is None:
            return error_reply(404, "no such problem revision")
        files = [dict(f, url=self.url("blobs/" + f["sha256"])) for f in json.loads(row[0])]
        return json_reply(200, {"problem_id": problem_id, "revision": revision, "files": files})

    def blob(self, sha):
        if not SHA256_RE.match(sha):
            return error_reply(404, "no such blob")
        with self.write() as conn:
            row = conn.execute("SELECT content FROM blobs WHERE sha256 = ?", (sha,)).fetchone()
            if row is not None:
                conn.execute("INSERT INTO blob_downloads(sha256, count) VALUES(?, 1) ON CONFLICT"
                             "(sha256) DO UPDATE SET count = count + 1", (sha,))
        if row is None:
            return error_reply(404, "no such blob")
        return Reply(200, bytes(row[0]), "application/octet-stream", [("ETag", '"%s"' % sha)])

    # -- admin ----------------------------------------------------------------------------

    def state(self, brief=False):
        with self.write() as conn:
            self.flush_counters(conn)
        with self.read() as conn:
            return build_state(conn, brief)

    def set_faults(self, update):
        with self.write() as conn:
            cfg = update_faults(conn, update)
        self.fault_config(force=True)
        return cfg

    def admin_enqueue(self, req):
        queue = check_name("queue", req.get("queue"))
        language = check_name("language", req.get("language"))
        files = check_submission_files(req.get("files"))
        expect = req.get("expect")
        if expect is not None and expect not in VERDICTS:
            raise UsageError("expect must be one of %s" % " ".join(VERDICTS))
        count = req.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 100000:
            raise UsageError("count must be an integer from 1 to 100000")
        problem_id = req.get("problem_id")
        if req.get("problem_dir"):
            problem_id, revision, _ = register_problem_locked(self, req["problem_dir"],
                                                              problem_id)
        with self.write() as conn:
            if not req.get("problem_dir"):
                check_name("problem id", problem_id)
                row = conn.execute("SELECT revision FROM problems WHERE id = ?",
                                   (problem_id,)).fetchone()
                if row is None:
                    raise UsageError("unknown problem '%s': give problem_dir" % problem_id)
                revision = row["revision"]
            ids = insert_submissions(conn, queue=queue, language=language,
                                     problem_id=problem_id, revision=revision, files=files,
                                     expect=expect, count=count)
        self.notify_work()
        return {"ids": ids, "problem_id": problem_id, "revision": revision}

    def admin_expire(self, job_id):
        now = time.time()
        with self.write() as conn:
            job, problem = self.job_problem(conn, job_id)
            if problem is None:
                conn.execute("UPDATE jobs SET lease_expires = ? WHERE id = ?", (now, job_id))
                expire_due(conn, now, self.max_attempts)
        self.notify_work()
        return problem or json_reply(200, {"job_id": job_id, "state": "expired"})

    def page(self):
        with self.read() as conn:
            rows = conn.execute("SELECT * FROM submissions ORDER BY seq DESC LIMIT 1000").fetchall()
            counts = conn.execute("SELECT state, COUNT(*) AS n FROM submissions GROUP BY state"
                                  " ORDER BY state").fetchall()
        return render_page(rows, counts).encode("utf-8")


def register_problem_locked(site, directory, problem_id):
    """register_problem for a running site: the snapshot is read without the lock."""
    if problem_id is None:
        problem_id = os.path.basename(os.path.realpath(directory))
    check_name("problem id", problem_id)
    snapshot = snapshot_problem(directory)
    with site.write() as conn:
        revision = store_problem(conn, problem_id, directory, snapshot)
    return problem_id, revision, snapshot


def render_page(rows, counts):
    e = lambda v: html.escape("" if v is None else str(v), quote=True)  # noqa: E731
    summary = ", ".join("%s %s" % (e(c["n"]), e(c["state"])) for c in counts) or "none yet"
    out = ["<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">",
           "<meta http-equiv=\"refresh\" content=\"2\">",
           "<title>Course site: submissions</title><style>",
           "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}",
           "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}",
           ".AC{background:#cfc}.done{font-weight:bold}.bad{background:#fcc}",
           "</style></head><body><h1>Submissions</h1>",
           "<p>%s</p>" % summary,
           "<table><tr><th>id</th><th>queue</th><th>language</th><th>problem</th><th>state</th>"
           "<th>verdict</th><th>score</th><th>expected</th><th>attempts</th><th>results</th></tr>"]
    for r in rows:
        score = "" if r["score"] is None else "%s / %s" % (r["score"], r["max_score"])
        cls = r["verdict"] or ""
        if r["expect"] and r["verdict"] and r["expect"] != r["verdict"]:
            cls = "bad"
        out.append("<tr class=\"%s\"><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
                   "<td class=\"%s\">%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
                   "<td>%s/%s</td></tr>"
                   % (e(cls), e(r["id"]), e(r["queue"]), e(r["language"]), e(r["problem_id"]),
                      e(r["state"]), e(r["state"]), e(r["verdict"]), e(score), e(r["expect"]),
                      e(r["attempts"]), e(r["results_recorded"]), e(r["results_received"])))
    out.append("</table><p>results: recorded/received</p></body></html>\n")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# HTTP

class Disconnect(Exception):
    """The connection is gone or was dropped on purpose: stop, send nothing."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, as libcurl expects
    server_version = "course-site/" + VERSION
    timeout = 120                   # an idle keep-alive connection is closed after this

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    do_PUT = do_DELETE = do_PATCH = do_GET

    def setup(self):
        super().setup()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        if not self.server.site.quiet:
            sys.stderr.write("%s %s %s\n" % (time.strftime("%H:%M:%S"), self.address_string(),
                                             fmt % args))

    # -- one request ----------------------------------------------------------------------

    def dispatch(self):
        site = self.server.site
        with site.active_cond:
            site.active += 1
        try:
            self.route()
        except Disconnect:
            self.close_connection = True
        except (BrokenPipeError, ConnectionResetError, socket.timeout, TimeoutError):
            self.close_connection = True
        except Exception:
            log("internal error on %s %s:\n%s" % (self.command, self.path,
                                                   traceback.format_exc()))
            self.close_connection = True
            with contextlib.suppress(Exception):
                self.send(error_reply(500, "internal error in the course site"))
        finally:
            with site.active_cond:
                site.active -= 1
                site.active_cond.notify_all()

    def route(self):
        site = self.server.site
        path = urllib.parse.urlsplit(self.path).path
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        if path in ("/", "/index.html"):
            self.read_body()
            if self.command != "GET":
                return self.send(error_reply(405, "GET only", [("Allow", "GET")]))
            if site.closed:
                return self.send(error_reply(503, "shutting down"))
            return self.send(Reply(200, site.page(), "text/html; charset=utf-8"))
        if path == "/healthz":
            self.read_body()
            return self.send(Reply(200, b"ok\n", "text/plain"))
        if path.startswith("/admin/"):
            return self.admin(path[len("/admin/"):], query)
        base = site.base_path
        if path.startswith(base + "/"):
            return self.api(path[len(base) + 1:], query)
        self.read_body()
        return self.send(error_reply(404, "not found"))

    def api(self, rest, query):
        site = self.server.site
        parts = [urllib.parse.unquote(p) for p in rest.split("/")]
        endpoint, method, args = None, None, ()
        if parts == ["claim"]:
            endpoint, method = "claim", "POST"
        elif len(parts) == 3 and parts[0] == "jobs" and \
                parts[2] in ("heartbeat", "result", "release"):
            endpoint, method, args = parts[2], "POST", (parts[1],)
        elif len(parts) == 4 and parts[0] == "problems" and parts[3] == "files":
            endpoint, method, args = "files", "GET", (parts[1], parts[2])
        elif len(parts) == 2 and parts[0] == "blobs":
            endpoint, method, args = "blobs", "GET", (parts[1],)
        elif parts == ["queues"]:
            endpoint, method, args = "queues", "GET", (query,)
        body = self.read_body()
        if site.auth_failing():
            site.count("fault.auth")
            return self.send(self.unauthorized("authentication is failing on purpose "
                                               "(--auth-fail-seconds)"))
        if not site.check_token(self.headers.get("Authorization")):
            site.count("http.unauthorized")
            return self.send(self.unauthorized("missing or wrong bearer token"))
        if endpoint is None:
            return self.send(error_reply(404, "no such API endpoint"))
        if self.command != method:
            return self.send(error_reply(405, "%s only" % method, [("Allow", method)]))
        if site.closed:
            return self.send(error_reply(503, "shutting down"))

        fault = site.pick_fault(endpoint)
        if fault:
            site.count("fault.%s.%s.%s" % (endpoint, fault[1], fault[0]))
            self.log_message("injecting fault %s %s on %s", fault[1], fault[0], endpoint)
        if fault and fault[1] == "before":
            if fault[0] == "slow":
                site.stopping.wait(site.slow_seconds())
            else:
                return self.inject(fault[0], None)
        try:
            if endpoint == "claim":
                reply = site.claim(body, self.client_gone)
            elif endpoint == "heartbeat":
                reply = site.heartbeat(args[0], body)
            elif endpoint == "result":
                reply = site.result(args[0], body)
            elif endpoint == "release":
                reply = site.release(args[0], body)
            elif endpoint == "files":
                reply = site.files(*args)
            elif endpoint == "queues":
                reply = site.queues(*args)
            else:
                reply = site.blob(args[0])
        except UsageError as e:
            reply = error_reply(400, str(e))
        site.count("http.%s.%d" % (endpoint, reply.status))
        if fault and fault[1] == "after":
            if fault[0] == "slow":
                site.stopping.wait(site.slow_seconds())
            else:
                return self.inject(fault[0], reply)
        return self.send(reply)

    def admin(self, rest, query):
        site = self.server.site
        body = self.read_body()
        if not site.check_token(self.headers.get("Authorization")):
            return self.send(self.unauthorized("missing or wrong bearer token"))
        if site.closed:
            return self.send(error_reply(503, "shutting down"))
        parts = rest.split("/")
        try:
            if parts == ["state"] and self.command == "GET":
                brief = query.get("brief", ["0"])[0] not in ("0", "", "false")
                return self.send(json_reply(200, site.state(brief)))
            if parts == ["faults"] and self.command == "GET":
                return self.send(json_reply(200, site.fault_config(force=True)))
            if parts == ["faults"] and self.command == "POST":
                return self.send(json_reply(200, site.set_faults(parse_json_object(body))))
            if parts == ["enqueue"] and self.command == "POST":
                return self.send(json_reply(200, site.admin_enqueue(parse_json_object(body))))
            if len(parts) == 3 and parts[0] == "jobs" and parts[2] == "expire" and \
                    self.command == "POST":
                return self.send(site.admin_expire(urllib.parse.unquote(parts[1])))
        except UsageError as e:
            return self.send(error_reply(400, str(e)))
        return self.send(error_reply(404, "no such admin endpoint (or wrong method)"))

    # -- helpers --------------------------------------------------------------------------

    def unauthorized(self, message):
        return error_reply(401, message, [("WWW-Authenticate", 'Bearer realm="grader"')])

    def read_body(self):
        """The request body (Content-Length or chunked), at most --max-body bytes."""
        cap = self.server.site.max_body
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(1026)
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    self.close_connection = True
                    self.send(error_reply(400, "bad chunked encoding"))
                    raise Disconnect() from None
                if size == 0:
                    while self.rfile.readline(8194).strip():   # trailers
                        pass
                    return b"".join(chunks)
                total += size
                if total > cap:
                    self.too_large()
                data = self.rfile.read(size)
                if len(data) < size:
                    raise Disconnect()
                chunks.append(data)
                self.rfile.readline(3)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
            if n < 0:
                raise ValueError
        except ValueError:
            self.close_connection = True
            self.send(error_reply(400, "bad Content-Length"))
            raise Disconnect() from None
        if n > cap:
            self.too_large()
        data = self.rfile.read(n)
        if len(data) < n:
            raise Disconnect()
        return data

    def too_large(self):
        self.close_connection = True
        self.send(error_reply(413, "the body is larger than %d bytes" % self.server.site.max_body))
        raise Disconnect()

    def client_gone(self):
        """True when the client closed its end (for a long poll: do not claim for nobody)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if readable:
                return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True
        return False

    def send(self, reply, truncate=False):
        self.send_response(reply.status)
        if reply.status != 204:
            self.send_header("Content-Type", reply.ctype)
            self.send_header("Content-Length", str(len(reply.body)))
        for k, v in reply.headers:
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        if truncate:
            self._headers_buffer.append(b"\r\n")
            head = b"".join(self._headers_buffer)
            self._headers_buffer = []
            if reply.body and reply.status != 204:
                self.wfile.write(head + reply.body[:len(reply.body) // 2])
            else:   # nothing to cut short: cut the header instead
                self.wfile.write(head[:len(head) // 2])
            self.hang_up()
            return
        # Headers and body in one write: two small writes meet Nagle and delayed ACKs (40 ms).
        self._headers_buffer.append(b"\r\n")
        head = b"".join(self._headers_buffer)
        self._headers_buffer = []
        self.wfile.write(head + reply.body if reply.status != 204 else head)

    def inject(self, kind, reply):
        """Apply a fault instead of the normal reply (reply is None for 'before')."""
        if kind in ("500", "502", "503"):
            self.send(error_reply(int(kind), "injected fault"))
        elif kind == "drop":
            self.hang_up()
        elif kind == "truncate":
            self.send(reply, truncate=True)

    def hang_up(self):
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        raise Disconnect()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256    # many graders connecting at once must not be refused

    def __init__(self, address, site):
        self.site = site
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout, TimeoutError)):
            return
        super().handle_error(request, client_address)


# ---------------------------------------------------------------------------------------------
# Commands

def read_token(path):
    try:
        with open(path, encoding="utf-8") as f:
            token = f.read().strip()
    except OSError as e:
        raise UsageError("cannot read the token file: %s" % e) from None
    if not token or any(c.isspace() for c in token):
        raise UsageError("the token file '%s' must hold one token without spaces" % path)
    return token


def fault_update_from_args(args, start=False):
    update = {}
    if start:
        update["clear"] = True
    elif args.clear:
        update["clear"] = True
    for attr, key in (("fault_rate", "rate"), ("fault_kinds", "kinds"),
                      ("fault_phase", "phase"), ("slow_max", "slow_max"),
                      ("fault_endpoints", "endpoints"), ("auth_fail_seconds", "auth_fail_seconds")):
        value = getattr(args, attr, None)
        if value is not None:
            update[key] = value
    if getattr(args, "once", None):
        update["once"] = args.once
    return update


def cmd_serve(args):
    token = read_token(args.token_file)
    if args.lease <= 0:
        raise UsageError("--lease must be positive")
    base = "/" + args.base_path.strip("/")
    conn = open_db(args.db)
    site = Site(conn, token, lease=args.lease, base_path=base, absolute_urls=args.absolute_urls,
                max_wait=args.max_wait, max_attempts=args.max_attempts, max_body=args.max_body,
                fault_seed=args.fault_seed, quiet=args.quiet)
    if args.problems_root:
        root = args.problems_root
        if not os.path.isdir(root):
            raise UsageError("--problems-root '%s' is not a directory" % root)
        for name in sorted(os.listdir(root)):
            d = os.path.join(root, name)
            if os.path.isfile(os.path.join(d, "problem.yaml")) and NAME_RE.match(name):
                pid, rev, _ = register_problem(conn, d, name)
                log("problem %s revision %s" % (pid, rev))
    with transaction(conn):
        now = time.time()
        put_setting(conn, "started_at", now)
        put_setting(conn, "lease", number(args.lease))
        update_faults(conn, fault_update_from_args(args, start=True), now)
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        log("warning: listening on %s, not only on loopback" % args.host)
    try:
        server = Server((args.host, args.port), site)
    except OSError as e:
        raise UsageError("cannot listen on %s port %d: %s" % (args.host, args.port, e)) from None
    host, port = server.server_address[:2]
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    if ":" in shown:
        shown = "[%s]" % shown
    site.public_base = "http://%s:%d%s" % (shown, port, base)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)

    stop = threading.Event()

    def on_signal(signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                               name="http", daemon=True)
    reaper = threading.Thread(target=site.reaper, name="reaper", daemon=True)
    serving.start()
    reaper.start()
    print("listening on %s" % site.public_base, flush=True)
    while not stop.wait(0.5):
        pass
    log("shutting down")
    site.stopping.set()         # long polls answer 204, slow faults stop sleeping
    site.notify_work()
    server.shutdown()           # no new connections
    deadline = time.monotonic() + 5
    with site.active_cond:      # let requests in flight finish their transactions
        while site.active and time.monotonic() < deadline:
            site.active_cond.wait(0.1)
    reaper.join(timeout=2)
    with site.lock:
        with transaction(conn):
            site.flush_counters(conn)
        site.closed = True
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    server.server_close()
    return 0


def cmd_register(args):
    conn = open_db(args.db)
    pid, rev, snapshot = register_problem(conn, args.problem_dir, args.problem_id)
    if args.json:
        print(json.dumps({"problem_id": pid, "revision": rev, "files": snapshot[0]}, indent=1))
    else:
        print("%s %s" % (pid, rev))
    return 0


def cmd_enqueue(args):
    check_name("queue", args.queue)
    if args.expect is not None and args.expect not in VERDICTS:
        raise UsageError("--expect is one of %s" % " ".join(VERDICTS))
    if args.count < 1:
        raise UsageError("--count must be at least 1")
    language = args.language
    if language is None:
        exts = {LANGUAGE_BY_EXTENSION.get(os.path.splitext(f)[1]) for f in args.files}
        if len(exts) != 1 or None in exts:
            raise UsageError("cannot tell the language from the file names: give --language")
        language = exts.pop()
    check_name("language", language)
    files = []
    for path in args.files:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise UsageError("cannot read '%s': %s" % (path, e)) from None
        files.append({"name": os.path.basename(path),
                      "content_base64": base64.b64encode(data).decode("ascii")})
    check_submission_files(files)
    conn = open_db(args.db)
    if args.problem_dir:
        pid, rev, _ = register_problem(conn, args.problem_dir, args.problem_id)
    else:
        if not args.problem_id:
            raise UsageError("give --problem-dir (or --problem-id of a registered problem)")
        pid = check_name("problem id", args.problem_id)
        row = conn.execute("SELECT revision FROM problems WHERE id = ?", (pid,)).fetchone()
        if row is None:
            raise UsageError("unknown problem '%s': give --problem-dir" % pid)
        rev = row["revision"]
    with transaction(conn):
        ids = insert_submissions(conn, queue=args.queue, language=language, problem_id=pid,
                                 revision=rev, files=files, expect=args.expect, count=args.count)
    for sid in ids:
        print(sid)
    return 0


def load_state(db, brief=False):
    if not os.path.exists(db):
        raise UsageError("no database '%s'" % db)
    conn = open_db(db)
    try:
        return build_state(conn, brief)
    finally:
        conn.close()


def cmd_status(args):
    state = load_state(args.db, brief=not args.full)
    if args.json:
        print(json.dumps(state, indent=1))
        return 0
    cols = ("id", "queue", "language", "problem", "state", "verdict", "score", "expect",
            "attempts", "received", "recorded")
    rows = [cols]
    for s in state["submissions"]:
        score = "" if s["score"] is None else "%s/%s" % (s["score"], s["max_score"])
        rows.append((s["id"], s["queue"], s["language"], s["problem_id"], s["state"],
                     s["verdict"] or "", score, s["expect"] or "", str(s["attempts"]),
                     str(s["results_received"]), str(s["results_recorded"])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(cols))]
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
    summary = ", ".join("%d %s" % (n, k) for k, n in sorted(state["summary"].items()))
    print("%d submissions%s" % (len(state["submissions"]), ": " + summary if summary else ""))
    return 0


def cmd_faults(args):
    conn = open_db(args.db)
    update = fault_update_from_args(args)
    with transaction(conn):
        cfg = update_faults(conn, update) if update else load_faults(conn)
    print(json.dumps(cfg, indent=1))
    return 0


def cmd_wait(args):
    deadline = time.monotonic() + args.timeout
    while True:
        state = load_state(args.db, brief=True)
        subs = state["submissions"]
        pending = [s for s in subs if s["state"] not in FINAL_STATES]
        if len(subs) >= args.count and not pending:
            print("all %d submissions finished" % len(subs))
            return 0
        if time.monotonic() >= deadline:
            print("timed out: %d of %d submissions not finished" % (len(pending), len(subs)))
            return 1
        time.sleep(0.2)


def cmd_check(args):
    state = load_state(args.db, brief=True)
    problems = []
    for s in state["submissions"]:
        where = "%s (%s, %s)" % (s["id"], s["problem_id"], ",".join(s["files"]))
        if s["state"] != "done":
            problems.append("%s: state %s" % (where, s["state"]))
            continue
        if s["results_recorded"] != 1:
            problems.append("%s: %d results recorded" % (where, s["results_recorded"]))
        if s["expect"] and s["verdict"] != s["expect"]:
            problems.append("%s: verdict %s, expected %s" % (where, s["verdict"], s["expect"]))
        if args.strict and s["warnings"]:
            problems.append("%s: %s" % (where, "; ".join(s["warnings"])))
        if args.max_received is not None and s["results_received"] > args.max_received:
            problems.append("%s: %d result posts received" % (where, s["results_received"]))
    for p in problems:
        print(p)
    print("%d submissions, %d problems" % (len(state["submissions"]), len(problems)))
    return 1 if problems else 0


def add_fault_flags(p, serve):
    p.add_argument("--fault-rate", type=float, metavar="P",
                   help="probability (0..1) that an API request gets a fault (default 0)")
    p.add_argument("--fault-kinds", metavar="LIST",
                   help="comma-separated kinds to pick from: %s (default all)"
                   % ",".join(FAULT_KINDS))
    p.add_argument("--fault-phase", choices=FAULT_PHASES,
                   help="before: the request is not processed; after: processed, then the "
                   "reply is broken; random: either (default)")
    p.add_argument("--fault-endpoints", metavar="LIST",
                   help="comma-separated endpoints random faults apply to: %s (default all)"
                   % ",".join(ENDPOINTS))
    p.add_argument("--slow-max", type=float, metavar="SECONDS",
                   help="a slow reply waits between half of this and this (default 2)")
    p.add_argument("--auth-fail-seconds", type=float, metavar="N",
                   help="answer 401 to every API request for N seconds from %s"
                   % ("the start" if serve else "now"))
    p.add_argument("--once", action="append", metavar="ENDPOINT:KIND[:PHASE]",
                   help="a one-shot fault for the next matching request (ENDPOINT may be *; "
                   "PHASE before or after, default before); repeatable, fired in order")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="course_site.py",
        description="The reference course site: Grader API v1 over SQLite, for the grader's "
        "demo, end-to-end tests and benchmarks.",
        epilog="Every command takes --db; `serve` and the others may run at the same time on "
        "the same database. See README.md beside this file.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("serve", help="serve the API, the admin endpoints and the page",
                       description="Serve Grader API v1 under --base-path, GET /admin/state, "
                       "POST /admin/faults, POST /admin/enqueue and the page at /. Prints "
                       "'listening on http://HOST:PORT/api/v1' once ready; SIGTERM or SIGINT "
                       "stop it cleanly (exit 0).")
    p.add_argument("--db", required=True, metavar="FILE", help="the SQLite database")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, required=True, metavar="N",
                   help="port to bind; 0 picks a free one")
    p.add_argument("--port-file", metavar="FILE", help="also write the port to FILE")
    p.add_argument("--token-file", required=True, metavar="FILE",
                   help="file holding the bearer token every request must carry")
    p.add_argument("--lease", type=float, default=30.0, metavar="SECONDS",
                   help="lease length of a claim and of each heartbeat (default 30)")
    p.add_argument("--max-wait", type=float, default=10.0, metavar="SECONDS",
                   help="longest a claim is held waiting for work (default 10)")
    p.add_argument("--max-attempts", type=int, default=0, metavar="N",
                   help="give a submission up (state failed) when it is taken back after its "
                   "N-th claim (default 0: never)")
    p.add_argument("--absolute-urls", action="store_true",
                   help="return absolute files_url and blob urls (default: relative to the "
                   "API base)")
    p.add_argument("--base-path", default=DEFAULT_BASE_PATH, metavar="PATH",
                   help="API base path (default %s)" % DEFAULT_BASE_PATH)
    p.add_argument("--problems-root", metavar="DIR",
                   help="register every DIR/NAME holding a problem.yaml as problem NAME")
    p.add_argument("--max-body", type=int, default=64 << 20, metavar="BYTES",
                   help="largest request body (default 64 MiB)")
    p.add_argument("--fault-seed", type=int, metavar="N", help="seed of the fault dice")
    p.add_argument("--quiet", action="store_true", help="do not log each request to stderr")
    add_fault_flags(p, serve=True)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("enqueue", help="queue a submission, print its id",
                       description="Register (snapshot) the problem and queue one submission "
                       "(or --count copies) of FILE...; prints one id per line.")
    p.add_argument("--db", required=True, metavar="FILE")
    p.add_argument("--queue", required=True, metavar="Q")
    p.add_argument("--problem-dir", metavar="DIR", help="the problem package")
    p.add_argument("--problem-id", metavar="ID",
                   help="problem id (default: the directory's name); alone, the latest "
                   "registered revision of that problem")
    p.add_argument("--language", metavar="L",
                   help="language id (c, cpp, python3, java...; default from the extension)")
    p.add_argument("--expect", metavar="VERDICT", help="the verdict `check` should find")
    p.add_argument("--count", type=int, default=1, metavar="N", help="queue N copies")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_enqueue)

    p = sub.add_parser("register", help="snapshot a problem package, print its revision")
    p.add_argument("--db", required=True, metavar="FILE")
    p.add_argument("--problem-dir", required=True, metavar="DIR")
    p.add_argument("--problem-id", metavar="ID")
    p.add_argument("--json", action="store_true", help="print the manifest too")
    p.set_defaults(func=cmd_register)

    p = sub.add_parser("status", help="print every submission",
                       description="Print every submission; --json prints the same object as "
                       "GET /admin/state?brief=1 (--full: with result bodies and result posts).")
    p.add_argument("--db", required=True, metavar="FILE")
    p.add_argument("--json", action="store_true")
    p.add_argument("--full", action="store_true")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("faults", help="show or change fault injection of a running site",
                       description="Change the fault settings stored in the database; a "
                       "running `serve` picks them up within 0.25 s. Prints the settings.")
    p.add_argument("--db", required=True, metavar="FILE")
    p.add_argument("--clear", action="store_true",
                   help="reset everything (then apply the other flags)")
    add_fault_flags(p, serve=False)
    p.set_defaults(func=cmd_faults)

    p = sub.add_parser("wait", help="wait until every submission is finished",
                       description="Exit 0 once at least --count submissions exist and none is "
                       "queued or running; 1 on timeout.")
    p.add_argument("--db", required=True, metavar="FILE")
    p.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS")
    p.add_argument("--count", type=int, default=1, metavar="N")
    p.set_defaults(func=cmd_wait)

    p = sub.add_parser("check", help="check every submission is done exactly once as expected",
                       description="Exit 0 when every submission is done with exactly one "
                       "recorded result and its --expect verdict (if any); else print each "
                       "problem and exit 1.")
    p.add_argument("--db", required=True, metavar="FILE")
    p.add_argument("--strict", action="store_true",
                   help="also fail on result warnings (missing keys)")
    p.add_argument("--max-received", type=int, metavar="N",
                   help="also fail when a submission received more than N result posts")
    p.set_defaults(func=cmd_check)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as e:
        log("error: %s" % e)
        return 2
    except sqlite3.Error as e:
        log("database error: %s" % e)
        return 2
    except BrokenPipeError:     # `status | head`: not an error
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")
        return 0


if __name__ == "__main__":
    sys.exit(main())
