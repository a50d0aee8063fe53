#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The installed systemd unit: `systemd-analyze verify` accepts it, it keeps the settings the
# service needs and none that would break the sandbox (dist/grader.service.in says why), and
# its `systemd-analyze security` exposure is the one docs/deploy.md records.
# usage: systemd_unit.sh BUILD/grader.service GRADER DOCS/deploy.md
#        (77: systemd-analyze is missing)
set -euo pipefail
unit=$1
grader=$2
deploy_md=$3
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
        CacheDirectory=grader StateDirectory=grader CapabilityBoundingSet=CAP_SYS_ADMIN \
        RestartPreventExitStatus=2 WatchdogSec= PrivateMounts=yes; do
        grep -q "^$want" "$unit" || { echo "unit: missing $want"; bad=1; }
done
# these would break the sandbox: sethostname in each run's uts namespace, its namespaces,
# the JVM's JIT, its uids
for no in ProtectHostname=yes RestrictNamespaces= MemoryDenyWriteExecute=yes PrivateUsers=yes \
        DynamicUser=yes; do
        grep -q "^$no" "$unit" && { echo "unit: $no breaks the sandbox"; bad=1; }
done
# every capability docs/deploy.md lists for full isolation (its table), and CAP_KILL
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
for cap in $(grep -o '^| `CAP_[A-Z_]*`\(, `CAP_[A-Z_]*`\)*' "$deploy_md" | grep -o 'CAP_[A-Z_]*') CAP_KILL; do
        grep -qw "$cap" <<<"$caps" || { echo "unit: CapabilityBoundingSet lacks $cap"; bad=1; }
done
# the watchdog: longer than the supervisor's 2 s ping, with room for a 5 s spool flush
wd=$(sed -n 's/^WatchdogSec=\([0-9]*\)s$/\1/p' "$unit")
((${wd:-0} >= 10)) || { echo "unit: WatchdogSec must be at least 10 s"; bad=1; }
# the exposure score, as docs/deploy.md records it
if score=$(systemd-analyze security --offline=true "$tmp/grader.service" 2>/dev/null |
        sed -n 's/.*Overall exposure level for grader.service: \([0-9.]*\).*/\1/p') &&
        [[ -n "$score" ]]; then
        echo "systemd-analyze security: exposure $score"
        grep -q "exposure level $score\b" "$deploy_md" ||
                { echo "docs/deploy.md does not record the exposure level $score"; bad=1; }
else
        echo "systemd-analyze security --offline is not supported here: score not checked"
fi
# grader serve's timeouts: stop must outlast the grace period (30 s by default)
stop=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s$/\1/p' "$unit")
((${stop:-0} > 30)) || { echo "unit: TimeoutStopSec must exceed the 30 s grace period"; bad=1; }
exit "$bad"
