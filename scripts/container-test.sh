#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the Docker image (docker/Dockerfile) without a Docker engine and check it: buildah
# with chroot isolation builds it from a debian:bookworm-slim made here with debootstrap, then
# `grader doctor` runs in the image under several capability and seccomp sets, `grader verify`
# grades the examples, `grader serve` grades submissions from the reference course site, and
# the image is checked for build tools it must not hold. Not part of scripts/test.sh (it
# takes minutes); docs/deploy.md explains what each case shows.
#
# usage: scripts/container-test.sh [--rebuild-base] [--keep] [--languages slim|full]
#   --languages  the image's language set (docker/Dockerfile's LANGUAGES; default slim: C,
#                C++, Python 3, Java); the full image is tagged container-test-full, and its
#                grader verify covers every example submission of examples/sum
#   GRADER_DEPLOY_CACHE  where the debootstrap base is kept (/var/cache/grader-deploy-test)
#   DEBIAN_MIRROR        the mirror for debootstrap (default: the one apt uses here)
#
# Idempotent: the base is made once (a stamp file marks it) and imported into buildah's
# storage once; the image build reuses buildah's layer cache. Never runs `podman run` and
# never creates cgroups (chroot isolation). Prints a summary; exit status 0 when all passed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

rebuild_base=0
keep=0
languages=slim
want_languages=0
for a in "$@"; do
        if ((want_languages)); then
                languages=$a
                want_languages=0
                continue
        fi
        case "$a" in
        --rebuild-base) rebuild_base=1 ;;
        --keep) keep=1 ;;
        --languages) want_languages=1 ;;
        --languages=*) languages=${a#--languages=} ;;
        -h | --help)
                sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'
                exit 0
                ;;
        *)
                echo "container-test: unknown argument '$a'" >&2
                exit 2
                ;;
        esac
done
if ((want_languages)); then
        echo "container-test: --languages needs a value: slim or full" >&2
        exit 2
fi
if [[ "$languages" != slim && "$languages" != full ]]; then
        echo "container-test: --languages is slim or full, not '$languages'" >&2
        exit 2
fi
if [[ $(id -u) -ne 0 ]]; then
        echo "container-test: run as root (buildah, debootstrap)" >&2
        exit 2
fi

cache=${GRADER_DEPLOY_CACHE:-/var/cache/grader-deploy-test}
image=localhost/grader:container-test
[[ "$languages" == full ]] && image=localhost/grader:container-test-full
base_image=docker.io/library/debian:bookworm-slim
export BUILDAH_ISOLATION=chroot
# This machine's limits: buildah's default nproc (32768) and an unlimited nofile are refused.
ulimits=(--ulimit nofile=1024:1024 --ulimit nproc=1000:1000)
containers=()
results=()
failed=0
tmp=$(mktemp -d /tmp/grader-container-test.XXXXXX)
site_pid=

cleanup() {
        if [[ -n "$site_pid" ]]; then
                kill "$site_pid" 2>/dev/null || true
                wait "$site_pid" 2>/dev/null || true
        fi
        if ((keep == 0)); then
                for c in "${containers[@]}"; do
                        buildah rm "$c" >/dev/null 2>&1 || true
                done
        fi
        rm -rf "$tmp"
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

# ---- tools ------------------------------------------------------------------------------
step "tools"
need=()
for p in buildah debootstrap python3 tar; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
                need+=("$p")
done
if ((${#need[@]})); then
        echo "installing ${need[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
buildah --version

# ---- base image: debian:bookworm-slim made here -----------------------------------------
mirror=${DEBIAN_MIRROR:-}
if [[ -z "$mirror" ]]; then
        mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/\{0,1\}$/\1/p' \
                /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
        mirror=${mirror:-http://deb.debian.org/debian}
fi
stamp="$cache/bookworm-minbase.stamp"
if ((rebuild_base)) || [[ ! -f "$stamp" || ! -f "$cache/base.tar" ]]; then
        step "debootstrap --variant=minbase bookworm ($mirror), once"
        mkdir -p "$cache"
        rm -rf "$cache/rootfs.tmp" "$cache/rootfs" "$stamp"
        debootstrap --variant=minbase bookworm "$cache/rootfs.tmp" "$mirror" \
                >"$cache/debootstrap.log" 2>&1 || {
                tail -n 20 "$cache/debootstrap.log" >&2
                exit 1
        }
        # the apt sources and the dpkg excludes of the official slim image
        rm -f "$cache/rootfs.tmp/etc/apt/sources.list"
        cat >"$cache/rootfs.tmp/etc/apt/sources.list.d/debian.sources" <<EOF
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
        cat >"$cache/rootfs.tmp/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
        chroot "$cache/rootfs.tmp" apt-get clean
        rm -rf "$cache/rootfs.tmp/var/lib/apt/lists/"* "$cache/rootfs.tmp/var/log/"*
        mv "$cache/rootfs.tmp" "$cache/rootfs"
        tar --numeric-owner -C "$cache/rootfs" -cf "$cache/base.tar.tmp" .
        mv "$cache/base.tar.tmp" "$cache/base.tar"
        date -u +%Y%m%dT%H%M%SZ >"$stamp"
fi
base_id=$(cat "$stamp")
have_id=$(buildah inspect --type image --format '{{index .ImageAnnotations "grader.base"}}' \
        "$base_image" 2>/dev/null || true)
if [[ "$have_id" != "$base_id" ]]; then
        step "import the base as $base_image"
        c=$(buildah from "${ulimits[@]}" scratch)
        buildah add "$c" "$cache/base.tar" / >/dev/null
        buildah config --cmd /bin/bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
                --annotation "grader.base=$base_id" "$c"
        buildah commit -q "$c" "$base_image" >/dev/null
        buildah rm "$c" >/dev/null
        buildah tag "$base_image" localhost/debian:bookworm-slim
fi
echo "base $base_image from debootstrap of $base_id"

# ---- the image ----------------------------------------------------------------------------
step "buildah bud -f docker/Dockerfile --build-arg LANGUAGES=$languages (chroot isolation)"
start=$(date +%s)
if buildah bud --isolation chroot "${ulimits[@]}" --pull=false --layers --format docker \
        --build-arg LANGUAGES="$languages" -f docker/Dockerfile \
        --ignorefile docker/Dockerfile.dockerignore -t "$image" . \
        >"$tmp/build.log" 2>&1; then
        pass "image built ($(($(date +%s) - start)) s): $image"
else
        tail -n 40 "$tmp/build.log"
        fail "image build (log above)"
        exit 1
fi
size=$(buildah images --format '{{.Size}}' "$image" | head -n1)
echo "image size: $size"

# the image's configuration
cfg=$(buildah inspect --type image "$image" | python3 -c '
import json, sys
c = json.load(sys.stdin)["Docker"]["config"]
print("|".join(json.dumps(x, separators=(",", ":")) for x in (
        c.get("User"), c.get("Entrypoint"), c.get("Cmd"), (c.get("Healthcheck") or {}).get("Test"),
        sorted(c.get("Volumes") or {}))))')
echo "config: $cfg"
IFS='|' read -r c_user c_entry c_cmd c_health c_vols <<<"$cfg"
[[ "$c_entry" == '["/usr/bin/tini","--","/usr/bin/grader"]' && "$c_cmd" == '["serve"]' ]] &&
        pass "entrypoint is tini as PID 1, then grader serve" ||
        fail "entrypoint/cmd: $c_entry $c_cmd"
[[ "$c_health" == *'"grader","health"'* ]] && pass "HEALTHCHECK runs grader health" ||
        fail "healthcheck: $c_health"
[[ "$c_vols" == *'/var/cache/grader'* && "$c_vols" == *'/var/spool/grader'* ]] &&
        pass "volumes: cache and spool" || fail "volumes: $c_vols"
# the OCI labels, the version the project's (CMakeLists.txt)
labels=$(buildah inspect --type image "$image" | python3 -c '
import json, sys
l = json.load(sys.stdin)["Docker"]["config"].get("Labels") or {}
p = "org.opencontainers.image."
print(" ".join("%s=%s" % (k[len(p):], l.get(k, "")) for k in sorted(l) if k.startswith(p)))')
project_version=$(sed -n 's/^project(grader VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
missing_labels=()
for want in title=grader "version=$project_version" licenses=MIT description= vendor= \
        documentation= base.name=; do
        [[ " $labels" == *" $want"* ]] || missing_labels+=("$want")
done
((${#missing_labels[@]} == 0)) && pass "OCI labels: $(cut -c1-160 <<<"$labels")..." ||
        fail "OCI labels: missing ${missing_labels[*]} in: $labels"
# compose gives every service CPU and memory limits (docker-compose normalises the file)
if command -v docker-compose >/dev/null; then
        limits=$(cd "$tmp" && mkdir -p compose/docker && cp "$repo/docker/compose.yaml" compose/docker/ &&
                echo x >compose/docker/grader_token && ln -sfn "$repo/tests" compose/tests &&
                ln -sfn "$repo/examples" compose/examples &&
                docker-compose -f compose/docker/compose.yaml config 2>/dev/null | python3 -c '
import sys
text = sys.stdin.read()
print(text.count("limits:"), text.count("cpus:"), text.count("memory:"))')
        read -r n_limits n_cpus n_mem <<<"$limits"
        ((n_limits >= 2 && n_cpus >= 2 && n_mem >= 2)) &&
                pass "compose: CPU and memory limits on the site and the graders (docker-compose config)" ||
                fail "compose limits: '$limits'"
else
        grep -c 'limits: {cpus:' docker/compose.yaml | grep -q '^2$' &&
                pass "compose: CPU and memory limits on the site and the graders" ||
                fail "compose: no CPU and memory limits"
fi

# new_ctr NAME [buildah from options...]: a working container of the image. Every container
# shares the host's slot-lock directory: buildah's containers, like Docker's, share the host's
# uids, and a run's uid is 60000 + slot; with private slot locks a container's slot 0 and the
# host's (or another container's) slot 0 are the same uid, and RLIMIT_NPROC, counted per uid
# by the kernel, makes their runs fail each other (docs/deploy.md, "One kernel, one slot
# directory").
mkdir -p -m 0700 /run/grader-sandbox
new_ctr() {
        local name=$1
        shift
        buildah rm "gct-$name" >/dev/null 2>&1 || true
        buildah from --pull=false "${ulimits[@]}" --name "gct-$name" \
                -v /run/grader-sandbox:/run/grader-sandbox "$@" "$image" >/dev/null
        containers+=("gct-$name")
        echo "gct-$name"
}

# ---- nothing a build needs is left in the image -----------------------------------------
step "no build tools in the image"
ctr=$(new_ctr main)
mnt=$(buildah mount "$ctr")
leftovers=()
for p in usr/bin/cmake usr/bin/pkg-config usr/bin/pkgconf usr/bin/make usr/bin/git \
        usr/include/curl usr/include/seccomp.h usr/include/jansson.h usr/include/yaml.h \
        usr/include/microhttpd.h usr/include/openssl usr/include/sys/capability.h \
        usr/include/cmocka.h usr/share/cmake-3.25 src build out; do
        [[ -e "$mnt/$p" ]] && leftovers+=("/$p")
done
# -dev packages: only those the C and C++ compilers need for student programs
devs=$(chroot "$mnt" dpkg-query -W -f '${Package}\n' | grep -- '-dev$' | sort | tr '\n' ' ')
allowed=" libc6-dev libcrypt-dev libgcc-12-dev libnsl-dev libstdc++-12-dev libtirpc-dev linux-libc-dev "
# the full image's compilers bring -dev packages of their own (gfortran, gnat, ghc...): there
# only the grader's own build dependencies are refused
build_devs=" libseccomp-dev libcap-dev libcurl4-openssl-dev libjansson-dev libyaml-dev libssl-dev libmicrohttpd-dev libcmocka-dev "
for d in $devs; do
        if [[ "$languages" == full ]]; then
                [[ "$build_devs" == *" $d "* ]] && leftovers+=("package $d")
        else
                [[ "$allowed" == *" $d "* ]] || leftovers+=("package $d")
        fi
done
for p in usr/bin/grader usr/libexec/grader/grader-serve usr/share/grader/languages.json \
        usr/bin/tini usr/bin/gcc usr/bin/g++ usr/bin/python3 usr/bin/javac usr/bin/java; do
        [[ -e "$mnt/$p" ]] || leftovers+=("missing /$p")
done
echo "-dev packages: $devs"
buildah umount "$ctr" >/dev/null
if ((${#leftovers[@]} == 0)); then
        pass "no build tools or headers beyond the compilers' own; runtime files present"
else
        fail "image content: ${leftovers[*]}"
fi

# ---- grader doctor under capability and seccomp sets ------------------------------------
# doctor_case NAME EXPECT-MODE EXPECT-RESULT [buildah from options...]
#   EXPECT-MODE: privileged | weakest | userns; EXPECT-RESULT: passed | FAILED
#   run_opts: options of `buildah run` (e.g. --user)
run_opts=()
doctor_case() {
        local name=$1 want_mode=$2 want=$3
        shift 3
        local c out mode
        c=$(new_ctr "$name" "$@")
        out=$(buildah run "${run_opts[@]}" "$c" -- grader doctor 2>&1) || true
        printf '%s\n' "$out" >"$tmp/doctor-$name.txt"
        mode=$(sed -n 's/^mode: //p' <<<"$out")
        case "$mode" in
        privileged*) mode=privileged ;;
        *"user namespace"*) mode=userns ;;
        *weakest*) mode=weakest ;;
        esac
        local got=FAILED
        grep -q '^self-test passed' <<<"$out" && got=passed
        local why
        why=$(sed -n 's/^self-test FAILED: //p' <<<"$out" | cut -c1-110)
        printf '  %-28s mode %-10s self-test %s %s\n' "$name" "$mode" "$got" "$why"
        if [[ "$mode" == "$want_mode" && "$got" == "$want" ]]; then
                pass "doctor [$name]: $mode, self-test $got${why:+ ($why)}"
        else
                fail "doctor [$name]: $mode/$got, wanted $want_mode/$want${why:+ ($why)}"
                sed 's/^/    /' <<<"$out"
        fi
}

step "grader doctor, by capability set and seccomp profile"
containers_profile=/usr/share/containers/seccomp.json
python3 tests/deploy/docker_like_seccomp.py "$containers_profile" "$tmp/docker-like.json"
python3 tests/deploy/docker_like_seccomp.py --allow-pivot-root "$containers_profile" \
        "$tmp/docker-like-pivot.json"
minimal=(--cap-drop=ALL --cap-add=CAP_SYS_ADMIN --cap-add=CAP_SETUID --cap-add=CAP_SETGID
        --cap-add=CAP_SETPCAP --cap-add=CAP_CHOWN --cap-add=CAP_DAC_OVERRIDE --cap-add=CAP_FOWNER
        --cap-add=CAP_SYS_CHROOT)
# the full doctor output of the case that matters most goes to the log
doctor_case full-isolation privileged passed "${minimal[@]}"
sed 's/^/    /' "$tmp/doctor-full-isolation.txt"
doctor_case default-caps weakest passed
doctor_case cap-drop-all weakest passed --cap-drop=ALL
run_opts=(--user 10001:10001)
doctor_case non-root-user weakest passed --cap-drop=ALL
run_opts=()
doctor_case docker-default-weakest weakest passed --security-opt "seccomp=$tmp/docker-like.json"
doctor_case docker-plus-pivot_root privileged passed \
        --security-opt "seccomp=$tmp/docker-like-pivot.json" "${minimal[@]}"
# Docker's own default profile refuses pivot_root even with CAP_SYS_ADMIN: the sandbox then
# moves its root and chroots (CAP_SYS_CHROOT, which Docker grants by default), so full
# isolation works under the default profile too (docs/deploy.md, "seccomp").
doctor_case docker-default-sys-admin privileged passed \
        --security-opt "seccomp=$tmp/docker-like.json" "${minimal[@]}"

# ---- grader verify on the examples, in the image -----------------------------------------
step "grader verify examples/* in the image (full isolation)"
c=$(new_ctr verify "${minimal[@]}" -v "$repo/examples:/examples:ro")
if buildah run "$c" -- grader verify /examples/sum /examples/hypot /examples/anyorder \
        /examples/groups >"$tmp/verify.txt" 2>&1; then
        pass "grader verify: $(tail -n1 "$tmp/verify.txt")"
else
        cat "$tmp/verify.txt"
        fail "grader verify: $(tail -n1 "$tmp/verify.txt")"
fi

# ---- grader serve against the reference course site -------------------------------------
step "grader serve in the image against the reference course site"
site=tests/course-site/course_site.py
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$tmp/token"
/usr/bin/python3 "$site" serve --db "$tmp/site.db" --port 0 --port-file "$tmp/port" \
        --token-file "$tmp/token" --quiet >"$tmp/site.log" 2>&1 &
site_pid=$!
for _ in $(seq 50); do [[ -s "$tmp/port" ]] && break; sleep 0.1; done
port=$(cat "$tmp/port")
/usr/bin/python3 "$site" enqueue --db "$tmp/site.db" --queue default --problem-dir examples/sum \
        --expect AC examples/sum/submissions/accepted/sum.c >/dev/null
/usr/bin/python3 "$site" enqueue --db "$tmp/site.db" --queue default --problem-dir examples/sum \
        --expect WA examples/sum/submissions/wrong_answer/*.py >/dev/null
/usr/bin/python3 "$site" enqueue --db "$tmp/site.db" --queue default --problem-dir examples/sum \
        --expect TLE "$(ls examples/sum/submissions/time_limit_exceeded/* | head -n1)" >/dev/null
# configured the way a deployment is: GRADER_* variables and a token file as a secret
c=$(new_ctr serve "${minimal[@]}" -v "$tmp/token:/run/secrets/grader_token:ro")
buildah config --env "GRADER_API_URL=http://127.0.0.1:$port/api/v1" --env GRADER_WORKERS=2 \
        --env GRADER_ID=container-test --env GRADER_EXIT_WHEN_IDLE=true \
        --env GRADER_CLAIM_WAIT=1 "$c"
if buildah run "$c" -- sh -c 'grader serve && grader health --max-age 60 && grader serve --help | grep -q -- --give-up-after' \
        >"$tmp/serve.log" 2>&1 &&
        /usr/bin/python3 "$site" wait --db "$tmp/site.db" --timeout 60 >/dev/null &&
        /usr/bin/python3 "$site" check --db "$tmp/site.db" --strict --max-received 1 \
                >"$tmp/check.txt" 2>&1; then
        graded=$(/usr/bin/python3 "$site" status --db "$tmp/site.db" --json | python3 -c '
import json, sys
print(" ".join(x["verdict"] or "-" for x in json.load(sys.stdin)["submissions"]))')
        pass "grader serve graded 3 submissions exactly once, as expected ($graded); $(tail -n1 "$tmp/serve.log")"
else
        tail -n 20 "$tmp/serve.log"
        cat "$tmp/check.txt" 2>/dev/null || true
        fail "grader serve against the course site"
fi
kill "$site_pid" 2>/dev/null || true
wait "$site_pid" 2>/dev/null || true
site_pid=

# ---- no cgroup was made -------------------------------------------------------------------
if find /sys/fs/cgroup -maxdepth 3 -type d \( -name '*buildah*' -o -name 'libpod*' \) 2>/dev/null |
        grep -q .; then
        fail "a buildah/libpod cgroup exists under /sys/fs/cgroup"
else
        pass "no cgroup created (chroot isolation)"
fi

# ---- summary -------------------------------------------------------------------------------
printf '\n== container-test summary (%s)\n' "$image"
printf '%s\n' "${results[@]}"
npass=$(printf '%s\n' "${results[@]}" | grep -c '^PASS' || true)
nfail=$(printf '%s\n' "${results[@]}" | grep -c '^FAIL' || true)
printf '%d passed, %d failed\n' "$npass" "$nfail"
exit "$failed"
