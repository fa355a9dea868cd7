#!/usr/bin/env bash
# deploy/local/redocly.sh — Redocly CLI, the OpenAPI linter `make test`
# runs on the API's document (internal/httpapi's TestOpenAPILint), from the
# npm registry at a pinned version into .data/redocly/ (ignored). It prints
# nothing when the pinned version is already there.
#
# The test runs .data/redocly/redocly (or $LMS_REDOCLY when set) and
# fails, never skips, when neither is there.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
REDOCLY_VERSION='2.77.0'
DIR="$ROOT/.data/redocly"
BIN="$DIR/$REDOCLY_VERSION/node_modules/.bin/redocly"

log() { printf 'redocly: %s\n' "$*" >&2; }
die() { printf 'redocly: ERROR: %s\n' "$*" >&2; exit 1; }

if [[ ! -x $BIN ]]; then
	if ! command -v npm >/dev/null; then
		sudo=()
		[[ $(id -u) -ne 0 ]] && sudo=(sudo -n)
		log "installing npm via apt-get..."
		DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq npm >&2 ||
			die "apt-get install npm failed"
	fi
	log "installing @redocly/cli $REDOCLY_VERSION from the npm registry (a minute)..."
	mkdir -p "$DIR/$REDOCLY_VERSION"
	(cd "$DIR/$REDOCLY_VERSION" && npm install --silent --no-audit --no-fund --no-save \
		"@redocly/cli@$REDOCLY_VERSION" >&2) || die "npm install @redocly/cli@$REDOCLY_VERSION failed"
	[[ -x $BIN ]] || die "no redocly binary at $BIN after installing"
fi
ln -sfn "$REDOCLY_VERSION/node_modules/.bin/redocly" "$DIR/redocly"

