#!/usr/bin/env bash
# deploy/local/promtool.sh: installs Prometheus's promtool, pinned, into
# .data/bin (built from source by the Go toolchain, once; later runs find
# it and return at once). The metrics tests
# run `promtool check metrics` on the API's and the worker's scrapes and
# `promtool check rules` on deploy/prometheus/alerts.yml with it; under
# CI=true they fail when it is missing. `make test` calls this first.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Prometheus v3.x's Go module is tagged v0.3xx.y; this one is promtool 3.16.
PROMETHEUS_MODULE_VERSION=v0.316.0
promtool="$root/.data/bin/promtool"
stamp="$root/.data/bin/promtool.version"

if [ -x "$promtool" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$PROMETHEUS_MODULE_VERSION" ]; then
	exit 0
fi
echo "installing promtool ($PROMETHEUS_MODULE_VERSION) into .data/bin (several minutes, once)"
mkdir -p "$root/.data/bin"
# remove_all_sd leaves out the cloud service-discovery plugins (AWS, Azure,
# GCE, …: most of the build), which checking metrics and rules never uses.
GOBIN="$root/.data/bin" go install -tags remove_all_sd "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_MODULE_VERSION"
"$promtool" --version >/dev/null
echo "$PROMETHEUS_MODULE_VERSION" >"$stamp"
