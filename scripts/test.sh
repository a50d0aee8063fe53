#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build with -Werror (a Release build, -O3 as distributions build it, and an ASan+UBSan build)
# and run every test through ctest in both. The sanitizer run leaves out the tests labelled
# "examples" (grader verify again on every example with scaled time limits, and the README's
# commands: minutes of compilers and submissions, and no grader code that grader-verify-* and
# the unit tests do not already run under the sanitizers).
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
ctest --test-dir build-asan -j"$jobs" --output-on-failure --timeout 300 -LE examples ||
        asan_status=$?

echo "== tests (release build)"
status=0
ctest --test-dir build -j"$jobs" --output-on-failure --timeout 300 || status=$?
if ((asan_status != 0)); then
        echo "the ASan+UBSan run failed (see above)" >&2
        exit "$asan_status"
fi
exit "$status"
