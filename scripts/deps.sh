#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the Debian 12 packages grader needs to build, test and grade (only the missing ones).
# Usage: scripts/deps.sh [--runtime-only]
set -euo pipefail

build=(cmake make gcc pkg-config libseccomp-dev libcap-dev libcurl4-openssl-dev libjansson-dev
       libyaml-dev libssl-dev libmicrohttpd-dev libcmocka-dev clang-format)
# compilers and interpreters of the default language table, and tools the tests use
runtime=(g++ python3 openjdk-17-jdk-headless util-linux ca-certificates)

want=("${runtime[@]}")
if [[ "${1:-}" != "--runtime-only" ]]; then
        want+=("${build[@]}")
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
