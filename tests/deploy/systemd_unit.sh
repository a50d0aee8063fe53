#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The installed systemd unit: `systemd-analyze verify` accepts it, and it keeps the settings
# the service needs and none that would break the sandbox (dist/grader.service.in says why).
# usage: systemd_unit.sh BUILD/grader.service GRADER     (77: systemd-analyze is missing)
set -euo pipefail
unit=$1
grader=$2
command -v systemd-analyze >/dev/null || { echo "systemd-analyze not installed: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# verify wants ExecStart's program to exist: point it at the one just built
sed "s|^ExecStart=[^ ]*/grader |ExecStart=$grader |" "$unit" >"$tmp/grader.service"
status=0
out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no "$tmp/grader.service" 2>&1) || status=$?
# only this unit's findings count (the host's own units may warn about themselves)
mine=$(grep -i 'grader\.service' <<<"$out" || true)
if ((status != 0)) || [[ -n "$mine" ]]; then
        echo "systemd-analyze verify: status $status"
        echo "$out"
        exit 1
fi
echo "systemd-analyze verify: clean"
bad=0
for want in Type=notify NotifyAccess=main KillMode=mixed Restart=on-failure \
        ProtectSystem=strict PrivateTmp=yes NoNewPrivileges=yes \
        ReadWritePaths=/var/spool/grader "RuntimeDirectory=grader grader-sandbox" \
        CacheDirectory=grader StateDirectory=grader CapabilityBoundingSet=CAP_SYS_ADMIN; do
        grep -q "^$want" "$unit" || { echo "unit: missing $want"; bad=1; }
done
# these would break the sandbox: sethostname in each run's uts namespace, its namespaces,
# the JVM's JIT, its uids
for no in ProtectHostname=yes RestrictNamespaces= MemoryDenyWriteExecute=yes PrivateUsers=yes \
        DynamicUser=yes; do
        grep -q "^$no" "$unit" && { echo "unit: $no breaks the sandbox"; bad=1; }
done
# grader serve's timeouts: stop must outlast the grace period (30 s by default)
stop=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s$/\1/p' "$unit")
((${stop:-0} > 30)) || { echo "unit: TimeoutStopSec must exceed the 30 s grace period"; bad=1; }
exit "$bad"
