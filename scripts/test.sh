#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build with -Werror (a Release build, -O3 as distributions build it, and an ASan+UBSan build)
# and run every test through ctest, each once, in the build where it tells the most (two
# shared cores and a 10-minute budget do not allow every test twice):
#   ASan+UBSan  the C code's own tests: the unit tests of every module, the fuzz targets, the
#               grading tests (grader-run-*, grader-package-*, grader-verify-guess/twopass), the
#               service end to end (e2e-service-*), and the sandbox's attacks as root
#               (sandbox-privileged-*)
#   Release     what the shipped build must do: the README's commands and the examples with
#               scaled time limits (label examples), 8 graders and 1,000 jobs (scale), the
#               reference course site and its OpenAPI file (course-site), the deployment files
#               (deploy), the layout (structure), the sandbox's attacks as an ordinary user
#               (sandbox-unprivileged-*), and the unit tests again (seconds)
# Every attack thus runs in both modes, as root under the sanitizers and as nobody in the
# Release build. `ctest --test-dir build` alone runs the whole suite on one build.
# The last lines are ctest's summary of the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

jobs=$(nproc)
echo "== configure and build (Release, -Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DGRADER_WERROR=ON >/dev/null
cmake --build build -j"$jobs"

echo "== configure and build (AddressSanitizer + UndefinedBehaviorSanitizer)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DGRADER_SANITIZE=ON -DGRADER_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

echo "== tests under ASan+UBSan"
asan_status=0
ctest --test-dir build-asan -j"$jobs" --output-on-failure --timeout 300 \
        -LE "examples|scale|course-site|deploy|structure" -E "^sandbox-unprivileged-" ||
        asan_status=$?

echo "== tests (release build)"
status=0
ctest --test-dir build -j"$jobs" --output-on-failure --timeout 300 \
        -E "^(sandbox-privileged-|e2e-service-|grader-run-|grader-package-|grader-verify-(guess|twopass)$)" ||
        status=$?
if ((asan_status != 0)); then
        echo "the ASan+UBSan run failed (see above)" >&2
        exit "$asan_status"
fi
exit "$status"
