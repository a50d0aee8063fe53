#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Schema checks with the tools this machine has: `docker-compose config` (Debian's
# docker-compose, which carries the compose-spec JSON schema) on docker/compose.yaml, and
# kubernetes-models (npm, the Kubernetes OpenAPI schemas and KEDA's and the Prometheus
# operator's CRDs, validated offline with ajv) on every object of deploy/k8s and of the Helm
# chart deploy/helm/grader as helm_check.mjs renders it (Helm is not in Debian; `helm
# template` is compared too when it is installed). A tool that is missing, or cannot be
# installed, skips its part; the test skips (77) when both are.
# usage: schemas.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src=$1
build=$2
ran=0
bad=0

if command -v docker-compose >/dev/null; then
        tmp=$(mktemp -d)
        trap 'rm -rf "$tmp"' EXIT
        # compose resolves paths beside the file: check a copy whose token file exists
        mkdir -p "$tmp/docker"
        cp "$src/docker/compose.yaml" "$tmp/docker/"
        echo dummy >"$tmp/docker/grader_token"
        ln -s "$src/tests" "$tmp/tests"
        ln -s "$src/examples" "$tmp/examples"
        if out=$(docker-compose -f "$tmp/docker/compose.yaml" config -q 2>&1); then
                echo "docker-compose config: docker/compose.yaml is valid"
                ran=1
        elif grep -qi "docker daemon\|connection" <<<"$out"; then
                echo "docker-compose could not run here: $out"
        else
                echo "docker-compose config: $out"
                bad=1
                ran=1
        fi
else
        echo "docker-compose not installed (apt-get install docker-compose): compose schema skipped"
fi

npmdir=$build/npm-kubernetes-models
if command -v node >/dev/null && command -v npm >/dev/null; then
        if [[ ! -d "$npmdir/node_modules/@kubernetes-models/keda" ]]; then
                mkdir -p "$npmdir"
                npm install --silent --no-audit --no-fund --prefix "$npmdir" \
                        kubernetes-models@5 yaml@2 @kubernetes-models/keda@2 \
                        @kubernetes-models/prometheus-operator@6 >/dev/null 2>&1 ||
                        echo "npm install kubernetes-models failed: Kubernetes schema skipped"
        fi
        if [[ -d "$npmdir/node_modules/@kubernetes-models/keda" ]]; then
                if node "$src/tests/deploy/k8s_schema.mjs" "$npmdir/node_modules" \
                        "$src/deploy/k8s"; then
                        ran=1
                else
                        bad=1
                        ran=1
                fi
                # the Helm chart: rendered (helm_check.mjs; and by helm when installed), the same
                # objects as deploy/k8s, each valid against the same schemas
                helm_out=$build/helm-rendered
                rm -rf "$helm_out"
                if node "$src/tests/deploy/helm_check.mjs" "$npmdir/node_modules" \
                        "$src/deploy/helm/grader" "$src/deploy/k8s" "$helm_out" &&
                        node "$src/tests/deploy/k8s_schema.mjs" "$npmdir/node_modules" \
                                "$helm_out"; then
                        ran=1
                else
                        bad=1
                        ran=1
                fi
        fi
else
        echo "node/npm not installed: Kubernetes schema skipped"
fi
if ((bad)); then exit 1; fi
if ((ran == 0)); then exit 77; fi
exit 0
