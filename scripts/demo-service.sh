#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The whole service loop: start the reference course site on 127.0.0.1, enqueue example
# submissions into two queues, run `grader serve --exit-when-idle`, print what the site
# recorded. Called by scripts/demo.sh after the build; runs alone too.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
grader=${GRADER:-$root/build/bin/grader}
site=$root/tests/course-site/course_site.py
if [[ ! -x $grader ]]; then
        echo "demo-service: build grader first (scripts/demo.sh does)" >&2
        exit 2
fi

tmp=$(mktemp -d /tmp/grader-demo-service-XXXXXX)
site_pid=
cleanup() {
        [[ -n $site_pid ]] && kill "$site_pid" 2>/dev/null && wait "$site_pid" 2>/dev/null
        rm -rf "$tmp"
}
trap cleanup EXIT
head -c 24 /dev/urandom | base64 >"$tmp/token"

echo "== the service: a course site on 127.0.0.1, two queues, grader serve"
python3 "$site" serve --db "$tmp/site.db" --port 0 --port-file "$tmp/port" \
        --token-file "$tmp/token" --lease 30 --quiet >"$tmp/site.log" 2>&1 &
site_pid=$!
for _ in $(seq 50); do
        [[ -s $tmp/port ]] && break
        sleep 0.1
done
port=$(cat "$tmp/port")
echo "site: http://127.0.0.1:$port/ (submissions page), API at /api/v1"

enqueue() { # queue problem expected file
        python3 "$site" enqueue --db "$tmp/site.db" --queue "$1" --problem-dir "examples/$2" \
                --expect "$3" "examples/$2/submissions/$4" >/dev/null
}
# "pushes" is filled first, but "pulls" has priority: its jobs are claimed first.
enqueue pushes sum AC accepted/sum.c
enqueue pushes sum WA wrong_answer/off_by_one.py
enqueue pushes sum RE run_time_error/divide_by_zero.c
enqueue pushes hypot AC accepted/hypot.cpp
enqueue pushes groups AC accepted/set_len.py
enqueue pushes sum CE compile_error/missing_semicolon.c
enqueue pulls anyorder AC accepted/one_and_rest.c
enqueue pulls anyorder WA wrong_answer/halves.cpp
enqueue pulls groups TLE time_limit_exceeded/quadratic.c
enqueue pulls sum AC accepted/Sum.java
echo "enqueued 6 submissions into 'pushes', then 4 into 'pulls'"

"$grader" serve --api-url "http://127.0.0.1:$port/api/v1" --token-file "$tmp/token" \
        --queues pulls,pushes --workers 2 --exit-when-idle --claim-wait 1 \
        --cache-dir "$tmp/cache" --spool-dir "$tmp/spool" --work-dir "$tmp/work" \
        --health-file "$tmp/health" --log-format text
echo
echo "== what the site recorded (claim order: pulls first)"
python3 "$site" status --db "$tmp/site.db"
if python3 "$site" check --db "$tmp/site.db"; then
        echo "every submission: one result, the expected verdict"
else
        python3 "$site" status --db "$tmp/site.db" --json --full | python3 -c '
import json, sys
for s in json.load(sys.stdin)["submissions"]:
    r = s.get("result") or {}
    if s.get("expect") and r.get("verdict") != s["expect"]:
        print(s["id"], json.dumps(r.get("compile")), [(t["name"], t["verdict"], t["message"]) for t in r.get("tests", [])][:3])
'
        exit 1
fi
