#!/usr/bin/env bash
# deploy/local/clients.sh — the client generators the API's client test
# (internal/httpapi/clients) runs against /api/v1/openapi.json, installed
# at pinned versions if missing (cached under .data, never committed):
#   oapi-codegen (Go client), from the Go module proxy, into .data/bin;
#   openapi-typescript (TypeScript types), openapi-fetch (its typed fetch
#   client), typescript (tsc) and Node's type declarations, from the npm
#   registry, into .data/tsclient.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OAPI_CODEGEN_VERSION='v2.5.1'
TS_PACKAGES=(openapi-typescript@7.13.0 openapi-fetch@0.17.0 typescript@5.9.3 @types/node@20.19.43)
BIN="$ROOT/.data/bin"
TS="$ROOT/.data/tsclient"

log() { printf 'clients: %s\n' "$*" >&2; }
die() { printf 'clients: ERROR: %s\n' "$*" >&2; exit 1; }

mkdir -p "$BIN"
stamp="$BIN/.oapi-codegen-$OAPI_CODEGEN_VERSION"
if [[ ! -x $BIN/oapi-codegen || ! -e $stamp ]]; then
	log "installing oapi-codegen $OAPI_CODEGEN_VERSION..."
	GOBIN="$BIN" go install "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@$OAPI_CODEGEN_VERSION" ||
		die "go install oapi-codegen@$OAPI_CODEGEN_VERSION failed"
	rm -f "$BIN"/.oapi-codegen-* && touch "$stamp"
fi

want="${TS_PACKAGES[*]}"
if [[ ! -s $TS/VERSIONS || $(cat "$TS/VERSIONS") != "$want" ]]; then
	command -v npm >/dev/null || die "npm is missing: run deploy/local/browser.sh (it installs Debian's npm)"
	log "installing ${TS_PACKAGES[*]} from the npm registry..."
	rm -rf "$TS" && mkdir -p "$TS"
	echo '{"private":true}' >"$TS/package.json"
	(cd "$TS" && npm install --silent --no-audit --no-fund --save-exact "${TS_PACKAGES[@]}" >&2) ||
		die "npm install ${TS_PACKAGES[*]} failed"
	echo "$want" >"$TS/VERSIONS"
fi

# The Go client program's modules, so the test builds it without fetching.
(cd "$ROOT/internal/httpapi/clients/go" && GOWORK=off GOFLAGS=-mod=mod go mod download) ||
	die "go mod download for internal/httpapi/clients/go failed"
