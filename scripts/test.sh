#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build with -Werror (a Release build, -O3 as distributions build it, and an ASan+UBSan build)
# and run the tests through ctest in both. The release run has every test. The sanitizer run
# leaves out the labels that run no more grader C code than the rest:
#   examples     grader verify again on the examples with scaled time limits, and the README's
#                commands (minutes of compilers and submissions; grader-verify-guess/twopass,
#                grader-run-* and the unit tests run the same code under the sanitizers)
#   scale        8 graders, 1,000 jobs (the same service code as the e2e label, for a minute)
#   course-site  the reference course site, which is Python
#   deploy       manifests, schemas, the unit file, the man page
#   structure    the layout and the function lengths (Python reading the sources)
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
        -LE "examples|scale|course-site|deploy|structure" ||
        asan_status=$?

echo "== tests (release build)"
status=0
ctest --test-dir build -j"$jobs" --output-on-failure --timeout 300 || status=$?
if ((asan_status != 0)); then
        echo "the ASan+UBSan run failed (see above)" >&2
        exit "$asan_status"
fi
exit "$status"
