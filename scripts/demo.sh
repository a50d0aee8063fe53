#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The demo: build grader, show its isolation layers, run hostile programs through the sandbox,
# grade every example problem's submissions with `grader verify`, then run the whole service
# loop against the reference course site.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/deps.sh

echo "== building grader"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target grader >/dev/null
grader=$root/build/bin/grader

echo
echo "== grader doctor: isolation layers and self-test"
"$grader" doctor

echo
echo "== grader sandbox: one program of each kind"
tmp=$(mktemp -d /tmp/grader-demo-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
printf '2 40\n' >"$tmp/input"
printf '%-10s %-7s %-9s %-9s %-11s %s\n' PROGRAM STATUS CPU WALL MEMORY MESSAGE
for prog in fine slow hungry chatty hostile; do
        mkdir -p "$tmp/$prog"
        gcc -O2 -o "$tmp/$prog/$prog" "examples/sandbox/$prog.c" 2>/dev/null
        "$grader" sandbox --time 1 --memory 64M --output 1M --stdin "$tmp/input" \
                --stdout "$tmp/$prog.out" --workdir "$tmp/$prog" --report "$tmp/$prog.json" \
                -- "./$prog" || true
        python3 - "$prog" "$tmp/$prog.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[2]))
mem = f"{r['memory'] / 2**20:.1f} MiB"
print(f"{sys.argv[1]:<10} {r['status']:<7} {r['cpu_time']:<9.3f} {r['wall_time']:<9.3f} "
      f"{mem:<11} {r['message']}")
PY
done

echo
echo "== grader verify: every example submission against its expected verdict"
"$grader" verify examples/sum examples/hypot examples/anyorder examples/groups

if [[ -x scripts/demo-service.sh ]]; then
        echo
        scripts/demo-service.sh
fi
