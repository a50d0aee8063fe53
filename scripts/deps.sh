#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the Debian 12 packages grader needs to build, test and grade (only the missing ones).
# Usage: scripts/deps.sh [--runtime-only] [--all-languages]
#   --runtime-only    only what grading needs, not what building needs
#   --all-languages   every language of data/languages.json too (default: C, C++, Python 3
#                     and Java, what CI installs; tests skip the other languages, counted)
set -euo pipefail

build=(cmake make gcc pkg-config libseccomp-dev libcap-dev libcurl4-openssl-dev libjansson-dev
       libyaml-dev libssl-dev libmicrohttpd-dev libcmocka-dev clang-format)
# compilers and interpreters of the default language table, and tools the tests use
runtime=(g++ python3 openjdk-17-jdk-headless util-linux ca-certificates)

runtime_only=0
all_languages=0
for arg in "$@"; do
        case "$arg" in
        --runtime-only) runtime_only=1 ;;
        --all-languages) all_languages=1 ;;
        -h | --help)
                sed -n '3,7p' "$0" | sed 's/^# \{0,1\}//'
                exit 0
                ;;
        *)
                echo "deps: unknown option '$arg' (see --help)" >&2
                exit 2
                ;;
        esac
done

want=("${runtime[@]}")
if ((!runtime_only)); then
        want+=("${build[@]}")
fi
if ((all_languages)); then
        table="$(dirname "$0")/../data/languages.json"
        # the "package" of every language of the table
        mapfile -t langs < <(grep -o '"package": "[^"]*"' "$table" | cut -d'"' -f4 | sort -u)
        want+=("${langs[@]}")
fi

missing=()
for p in "${want[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
                missing+=("$p")
        fi
done
if ((${#missing[@]} == 0)); then
        exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
        echo "deps: missing packages: ${missing[*]} (run as root, or install them)" >&2
        exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
