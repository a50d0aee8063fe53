#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the Debian package with CPack, check its control fields, copyright and changelog, and
# install it the way a host would: into a fresh debootstrap'd Debian 12 (a chroot, with a
# policy-rc.d that forbids starting services) with `apt-get install ./grader_*.deb`, which
# pulls its dependencies from the mirror; then check what the post-install step made (the
# grader user, the sandbox's uid range, the directories, the unit enabled, its start asked of
# policy-rc.d and refused), the unit's settings and its `systemd-analyze security` exposure
# against docs/deploy.md, run `grader doctor` there, and purge it.
#
# usage: scripts/package-test.sh [--keep]
#   BUILD_DIR            the build directory (build-deploy), configured with prefix /usr
#   GRADER_DEPLOY_CACHE  where the debootstrap base is kept (shared with container-test.sh)
#   DEBIAN_MIRROR        the mirror (default: the one apt uses here)
# Prints a summary; exit status 0 when all passed.
set -euo pipefail
cd "$(dirname "$0")/.."
keep=0
[[ "${1:-}" == "--keep" ]] && keep=1
if [[ $(id -u) -ne 0 ]]; then
        echo "package-test: run as root (debootstrap, chroot)" >&2
        exit 2
fi
build=${BUILD_DIR:-build-deploy}
cache=${GRADER_DEPLOY_CACHE:-/var/cache/grader-deploy-test}
root=$cache/package-root
results=()
failed=0
mounts=()

cleanup() {
        for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
                umount -l "${mounts[i]}" 2>/dev/null || true
        done
        if ((keep == 0)); then
                rm -rf "$root"
        fi
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
pass() {
        results+=("PASS  $*")
        printf 'PASS  %s\n' "$*"
}
fail() {
        results+=("FAIL  $*")
        printf 'FAIL  %s\n' "$*"
        failed=1
}
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

# ---- the package ----------------------------------------------------------------------------
step "build the .deb (cpack, $build, prefix /usr)"
need=()
for p in debootstrap dpkg-dev; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
                need+=("$p")
done
if ((${#need[@]})); then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                "${need[@]}" >/dev/null
fi
scripts/deps.sh
cmake -S . -B "$build" -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
rm -f "$build"/grader_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/grader_*.deb)
echo "$deb: $(du -h "$deb" | cut -f1)"
dpkg-deb -f "$deb" Package Version Architecture Depends | sed 's/^/  /'
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
missing=()
for f in ./usr/bin/grader ./usr/libexec/grader/grader-serve ./usr/share/grader/languages.json \
        ./usr/share/man/man1/grader.1.gz ./usr/lib/systemd/system/grader.service \
        ./usr/lib/tmpfiles.d/grader.conf ./etc/grader/grader.json.example \
        ./usr/share/doc/grader/deploy.md ./usr/share/doc/grader/copyright \
        ./usr/share/doc/grader/changelog.Debian.gz; do
        grep -qx "$f" <<<"$contents" || missing+=("$f")
done
((${#missing[@]} == 0)) && pass "package holds the binaries, language table, man page, unit, example config, copyright, changelog" ||
        fail "package lacks ${missing[*]}"
section=$(dpkg-deb -f "$deb" Section)
[[ "$section" == utils || "$section" == misc ]] && pass "Section: $section" ||
        fail "Section is '$section', not utils or misc"
docs=$(mktemp -d)
dpkg-deb -x "$deb" "$docs"
head -n1 "$docs/usr/share/doc/grader/copyright" | grep -q '^Format: .*copyright-format/1.0' &&
        grep -q '^License: MIT' "$docs/usr/share/doc/grader/copyright" &&
        pass "copyright: machine-readable (DEP-5), License: MIT" || fail "copyright file"
first=$(zcat "$docs/usr/share/doc/grader/changelog.Debian.gz" | head -n1)
ver=$(dpkg-deb -f "$deb" Version)
[[ "$first" == "grader ($ver) "* ]] && pass "changelog.Debian.gz: $first" ||
        fail "changelog's first line '$first' is not version $ver"
unit_file="$docs/usr/lib/systemd/system/grader.service"
unit_missing=()
for w in RestartPreventExitStatus=2 WatchdogSec= "CapabilityBoundingSet=.*CAP_SYS_CHROOT"; do
        grep -q "^$w" "$unit_file" || unit_missing+=("$w")
done
((${#unit_missing[@]} == 0)) && pass "unit: $(grep -o '^\(RestartPreventExitStatus\|WatchdogSec\)=[^ ]*' "$unit_file" | tr '\n' ' ')and CAP_SYS_CHROOT in its bounding set" ||
        fail "unit lacks ${unit_missing[*]}"
if score=$(systemd-analyze security --offline=true "$unit_file" 2>/dev/null |
        sed -n 's/.*Overall exposure level for grader.service: \([0-9.]*\).*/\1/p') && [[ -n "$score" ]]; then
        grep -q "exposure level $score\b" docs/deploy.md &&
                pass "systemd-analyze security: exposure level $score, as docs/deploy.md records" ||
                fail "systemd-analyze security: exposure level $score, docs/deploy.md says otherwise"
else
        echo "systemd-analyze security --offline is not available here: exposure not checked"
fi
rm -rf "$docs"
dpkg-deb -f "$deb" Depends | grep -q 'libseccomp2' && pass "Depends from dpkg-shlibdeps: $(dpkg-deb -f "$deb" Depends | tr -d '\n' | cut -c1-90)..." ||
        fail "Depends lacks the shared libraries"

# ---- a fresh Debian 12 ---------------------------------------------------------------------
mirror=${DEBIAN_MIRROR:-}
if [[ -z "$mirror" ]]; then
        mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/\{0,1\}$/\1/p' \
                /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
        mirror=${mirror:-http://deb.debian.org/debian}
fi
if [[ ! -f "$cache/base.tar" ]]; then
        step "debootstrap --variant=minbase bookworm, once"
        mkdir -p "$cache"
        rm -rf "$cache/rootfs.tmp"
        debootstrap --variant=minbase bookworm "$cache/rootfs.tmp" "$mirror" >"$cache/debootstrap.log" 2>&1
        tar --numeric-owner -C "$cache/rootfs.tmp" -cf "$cache/base.tar.tmp" .
        mv "$cache/base.tar.tmp" "$cache/base.tar"
        rm -rf "$cache/rootfs.tmp"
fi
step "install into a fresh chroot with apt-get install ./$(basename "$deb")"
rm -rf "$root"
mkdir -p "$root"
tar -C "$root" -xf "$cache/base.tar"
# the sandbox's pivot_root needs the chroot's root to be a mount point
mount --bind "$root" "$root" && mounts+=("$root")
mount -t proc proc "$root/proc" && mounts+=("$root/proc")
mount --rbind /dev "$root/dev" && mounts+=("$root/dev")
# slot locks shared with the host: the host's runs use the same uids (docs/deploy.md)
mkdir -p -m 0700 /run/grader-sandbox "$root/run/grader-sandbox"
mount --bind /run/grader-sandbox "$root/run/grader-sandbox" && mounts+=("$root/run/grader-sandbox")
cp /etc/resolv.conf "$root/etc/resolv.conf"
if [[ ! -f "$root/etc/apt/sources.list.d/debian.sources" ]]; then
        rm -f "$root/etc/apt/sources.list"
        cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
fi
cp "$deb" "$root/tmp/"
# Forbid starting services, as a container build or a chroot does, and log what was asked;
# a systemd-looking /run makes the post-install step take its systemd branch.
printf '#!/bin/sh\necho "$*" >>/tmp/policy-rc.d.log\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
mkdir -p "$root/run/systemd/system"
start=$(date +%s)
if in_root apt-get update -qq >/dev/null 2>&1 &&
        in_root apt-get install -y -qq --no-install-recommends "/tmp/$(basename "$deb")" \
                >"$cache/package-install.log" 2>&1; then
        pass "apt-get install ./$(basename "$deb") in a fresh bookworm ($(($(date +%s) - start)) s)"
else
        tail -n 30 "$cache/package-install.log"
        fail "apt-get install"
        exit 1
fi
grep '^grader:' "$cache/package-install.log" | sed 's/^/  postinst: /' || true

# ---- what the post-install step made ------------------------------------------------------
step "after the install"
in_root getent passwd grader >/dev/null && pass "system user: $(in_root getent passwd grader)" ||
        fail "no grader user"
sub=$(grep '^grader:' "$root/etc/subuid" || true)
subg=$(grep '^grader:' "$root/etc/subgid" || true)
[[ "$sub" == "grader:60000:1000" && "$subg" == "grader:60000:1000" ]] &&
        pass "uid/gid range 60000-60999 reserved for it (/etc/subuid, /etc/subgid: $sub)" ||
        fail "subuid/subgid: '$sub' '$subg'"
dirs=$(stat -c '%n %a %U' "$root"/var/cache/grader "$root"/var/spool/grader \
        "$root"/var/lib/grader/work 2>&1 | sed "s|$root||g" | tr '\n' ';')
[[ "$dirs" == *"/var/spool/grader 700 root"* && "$dirs" == *"/var/cache/grader 755 root"* &&
        "$dirs" == *"/var/lib/grader/work 755 root"* ]] &&
        pass "directories: $dirs" || fail "directories: $dirs"
in_root grader --version >/dev/null && pass "$(in_root grader --version) runs; grader serve: $(in_root grader serve --help | head -n1)" ||
        fail "grader --version"
[[ -f "$root/lib/systemd/system/grader.service" || -f "$root/usr/lib/systemd/system/grader.service" ]] &&
        pass "grader.service installed" || fail "no grader.service"
[[ -L "$root/etc/systemd/system/multi-user.target.wants/grader.service" ]] &&
        pass "grader.service enabled on the first install (multi-user.target.wants)" ||
        fail "grader.service is not enabled after the first install"
asked=$(tr '\n' ';' <"$root/tmp/policy-rc.d.log" 2>/dev/null || true)
[[ "$asked" == *"grader.service start"* && ! -e "$root/run/grader/health" ]] &&
        pass "the start was asked of policy-rc.d ($asked) and, refused, not done" ||
        fail "policy-rc.d was not asked to start grader.service ('$asked')"
rm -f "$root/usr/sbin/policy-rc.d"

step "grader doctor in the installed system"
if in_root grader doctor >"$cache/package-doctor.txt" 2>&1; then
        sed 's/^/  /' "$cache/package-doctor.txt"
        pass "grader doctor: $(grep '^mode' "$cache/package-doctor.txt"); $(tail -n1 "$cache/package-doctor.txt")"
else
        sed 's/^/  /' "$cache/package-doctor.txt"
        fail "grader doctor"
fi

step "purge"
if in_root dpkg --purge grader >"$cache/package-purge.log" 2>&1 && [[ ! -e "$root/var/spool/grader" &&
        ! -e "$root/usr/bin/grader" ]]; then
        pass "dpkg --purge grader removes the program and its directories"
else
        cat "$cache/package-purge.log"; ls -d "$root/var/spool/grader" "$root/usr/bin/grader" 2>&1 || true
        fail "purge"
fi

printf '\n== package-test summary (%s)\n' "$(basename "$deb")"
printf '%s\n' "${results[@]}"
printf '%d passed, %d failed\n' "$(printf '%s\n' "${results[@]}" | grep -c '^PASS' || true)" \
        "$(printf '%s\n' "${results[@]}" | grep -c '^FAIL' || true)"
exit "$failed"
