#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A fake course site for api-client's HTTP tests: Grader API v1 with scripted misbehaviour.

Listens on 127.0.0.1 only, on a random free port, which it prints as "PORT <n>" on stdout. It
exits when its stdin closes (the test died) or after --timeout seconds, whichever comes first.

Every URL starts with /s/<scenario>/api/v1/; the scenario's kind (the part before the first '-')
picks the behaviour, so each test uses a fresh scenario name and fresh counters:
  ok       a well-behaved site          idle      claim answers 204
  unauth   every request gets 401       forbidden every request gets 403
  flaky    the first 2 requests to each path get 503, then as ok
  limited  the first request to each path gets 429 with Retry-After: 1, then as ok
  down     every request gets 500       trunc     claim's body is cut short (Content-Length lies)
  badjson  claim's body is cut JSON     huge      claim's body is 200 KB
  badjob   claim's job has a hostile file name
  gone404, gone409, gone410: heartbeat, result and release answer that status
  slow     claim holds the request up to 10 s, then 204
GET /stats/<scenario> returns {"count": {path: n}, "noauth": [paths asked without the token]}.
"""
import argparse
import base64
import hashlib
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "test-token"
FILES = {
    "problem.yaml": b"name: sum\n",
    "data/sample/1.in": b"1 2\n",
    "data/sample/1.ans": b"3\n",
    "data/secret/2.in": b"40 2\n",
    "data/secret/2.ans": b"42\n",
}
BLOBS = {hashlib.sha256(v).hexdigest(): v for v in FILES.values()}
STATE_LOCK = threading.Lock()
COUNTS = {}  # scenario -> {path: n}
NOAUTH = {}  # scenario -> [path]
PORT = 0


def sha(path):
    return hashlib.sha256(FILES[path]).hexdigest()


def manifest(scn, rev):
    """The files of revision rev, with every kind of URL the site may use."""
    base = f"/s/{scn}/api/v1"
    r1 = [
        ("problem.yaml", f"blobs/{sha('problem.yaml')}"),  # relative to the base URL
        ("data/sample/1.in", f"{base}/blobs/{sha('data/sample/1.in')}"),  # absolute path
        ("data/sample/1.ans",  # absolute URL
         f"http://127.0.0.1:{PORT}{base}/blobs/{sha('data/sample/1.ans')}"),
    ]
    if rev in ("r1", "r1b"):
        files = r1
    elif rev == "r2":
        files = r1 + [(p, f"blobs/{sha(p)}") for p in ("data/secret/2.in", "data/secret/2.ans")]
    elif rev == "badsha":  # the blob served does not hash to the sha256 listed
        files = r1 + [("data/secret/2.in", f"blobs/bad/{sha('data/secret/2.in')}")]
    elif rev == "long":  # the blob served is longer than the size listed
        files = r1 + [("data/secret/2.in", f"blobs/long/{sha('data/secret/2.in')}")]
    elif rev == "foreign":  # a blob on another origin (localhost, not 127.0.0.1)
        files = r1 + [("data/secret/2.in",
                       f"http://localhost:{PORT}{base}/blobs/{sha('data/secret/2.in')}")]
    elif rev == "big":  # more than the test's package cap
        return {"files": [{"path": "big.in", "sha256": "0" * 64, "size": 1 << 34,
                           "url": "blobs/x"}]}
    elif rev == "dup":  # the same path twice
        files = r1 + [("problem.yaml", f"blobs/{sha('problem.yaml')}")]
    else:
        return None
    return {"files": [{"path": p, "sha256": sha(p), "size": len(FILES[p]), "url": u}
                      for p, u in files]}


def claim_reply(scn):
    return {
        "job_id": "job-1",
        "lease": 30,
        "submission": {
            "id": "sub-7",
            "queue": "default",
            "language": "c",
            "files": [
                {"name": "main.c",
                 "content_base64": base64.b64encode(b"int main(void){return 0;}\n").decode()},
                {"name": "util.h", "content_base64": ""},
            ],
        },
        "problem": {"id": "sum", "revision": "r1", "files_url": "problems/sum/r1/files"},
        "note": "unknown fields are ignored",
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the test's output is the C side's
        pass

    def reply(self, status, body=None, headers=()):
        data = b"" if body is None else (
            body if isinstance(body, bytes) else json.dumps(body).encode())
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if status != 204:
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if status != 204:
            self.wfile.write(data)

    def count(self, scn, path):
        with STATE_LOCK:
            c = COUNTS.setdefault(scn, {})
            c[path] = c.get(path, 0) + 1
            return c[path]

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def handle_any(self, method):
        body = self.body()
        path = self.path.split("?")[0]
        m = re.fullmatch(r"/stats/([\w.-]+)", path)
        if m and method == "GET":
            with STATE_LOCK:
                return self.reply(200, {"count": COUNTS.get(m[1], {}),
                                        "noauth": NOAUTH.get(m[1], [])})
        m = re.fullmatch(r"/s/([\w.-]+)/api/v1/(.*)", path)
        if not m:
            return self.reply(404, {"error": "no such path"})
        scn, rest = m[1], m[2]
        kind = scn.split("-")[0]
        n = self.count(scn, rest)
        foreign = self.headers.get("Host", "").startswith("localhost")
        auth = self.headers.get("Authorization")
        if foreign:
            if auth is None:
                with STATE_LOCK:
                    NOAUTH.setdefault(scn, []).append(rest)
        elif kind == "unauth" or auth != f"Bearer {TOKEN}":
            return self.reply(401, {"error": "bad token"})
        if kind == "forbidden":
            return self.reply(403, {"error": "not allowed"})
        if kind == "down":
            return self.reply(500, {"error": "down"})
        if kind == "flaky" and n <= 2:
            return self.reply(503, b"<html>busy</html>")
        if kind == "limited" and n <= 1:
            return self.reply(429, {"error": "slow down"}, [("Retry-After", "1")])
        if method == "POST" and rest == "claim":
            return self.claim(kind, body)
        m = re.fullmatch(r"jobs/([A-Za-z0-9._-]+)/(heartbeat|result|release)", rest)
        if method == "POST" and m:
            return self.job(kind, m[2], body)
        m = re.fullmatch(r"problems/([\w.-]+)/([\w.-]+)/files", rest)
        if method == "GET" and m:
            man = manifest(scn, m[2])
            return self.reply(200, man) if man else self.reply(404, {"error": "no revision"})
        m = re.fullmatch(r"blobs/(bad/|long/)?([0-9a-f]{64})", rest)
        if method == "GET" and m and m[2] in BLOBS:
            data = BLOBS[m[2]]
            if m[1] == "bad/":
                data = b"tampered\n"[:len(data)].ljust(len(data), b"!")
            elif m[1] == "long/":
                data = data + b"and more"
            return self.reply(200, data)
        return self.reply(404, {"error": "not found"})

    def claim(self, kind, body):
        try:
            req = json.loads(body)
            assert isinstance(req["grader_id"], str)
            assert all(isinstance(q, str) for q in req["queues"])
            assert all(isinstance(q, str) for q in req["languages"])
            assert isinstance(req["wait"], int)
        except (ValueError, KeyError, TypeError, AssertionError):
            return self.reply(400, {"error": "bad claim"})
        if kind == "idle":
            return self.reply(204)
        if kind == "slow":
            end = time.monotonic() + min(req["wait"], 10)
            while time.monotonic() < end:
                time.sleep(0.05)
            return self.reply(204)
        if kind == "trunc":
            data = json.dumps(claim_reply(kind)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:40])
            self.wfile.flush()
            self.close_connection = True
            return None
        if kind == "badjson":
            return self.reply(200, json.dumps(claim_reply(kind)).encode()[:60])
        if kind == "badjob":  # a job with a hostile file name: refused, then released
            rep = claim_reply(kind)
            rep["submission"]["files"][0]["name"] = "../../etc/passwd"
            return self.reply(200, rep)
        if kind == "huge":
            rep = claim_reply(kind)
            rep["padding"] = "x" * 200000
            return self.reply(200, rep)
        return self.reply(200, claim_reply(kind))

    def job(self, kind, op, body):
        if kind.startswith("gone"):
            return self.reply(int(kind[4:]), {"error": "not yours"})
        try:
            req = json.loads(body)
        except ValueError:
            return self.reply(400, {"error": "not json"})
        if op == "heartbeat":
            return self.reply(200, {"lease": 45.5})
        if op == "release" and not isinstance(req.get("reason"), str):
            return self.reply(400, {"error": "no reason"})
        return self.reply(200, {"ok": True})


def main():
    global PORT
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    PORT = srv.server_address[1]

    def watch_stdin():
        while sys.stdin.buffer.read(4096):
            pass
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    timer = threading.Timer(args.timeout, lambda: os._exit(0))
    timer.daemon = True
    timer.start()
    print(f"PORT {PORT}", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
