#!/usr/bin/env bash
# deploy/local/browser.sh — what the browser tests need, installed if missing:
#   Chromium from Debian's `chromium` package (headless, driven by chromedp), and
#   axe-core (accessibility rules) from the npm registry, pinned, into .data/axe/.
# `make test` runs it; the browser tests say to run it when something is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
AXE_VERSION='4.11.0'
AXE_DIR="$ROOT/.data/axe"

log() { printf 'browser: %s\n' "$*" >&2; }
die() { printf 'browser: ERROR: %s\n' "$*" >&2; exit 1; }

if ! command -v chromium >/dev/null; then
	sudo=()
	if [[ $(id -u) -ne 0 ]]; then
		sudo -n true 2>/dev/null || die "need Debian's chromium package but not root and no passwordless sudo: apt-get install chromium"
		sudo=(sudo -n)
	fi
	log "installing chromium via apt-get (a minute or two)..."
	"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq >&2 || true
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq chromium >&2 ||
		die "apt-get install chromium failed"
fi

if [[ ! -s $AXE_DIR/$AXE_VERSION/axe.min.js ]]; then
	command -v npm >/dev/null || die "need npm (Node.js) to fetch axe-core"
	log "fetching axe-core $AXE_VERSION from the npm registry..."
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null) || die "npm pack axe-core@$AXE_VERSION failed"
	mkdir -p "$AXE_DIR/$AXE_VERSION"
	tar -xzf "$tmp"/axe-core-*.tgz -C "$tmp"
	cp "$tmp/package/axe.min.js" "$tmp/package/LICENSE" "$AXE_DIR/$AXE_VERSION/"
fi
ln -sfn "$AXE_VERSION/axe.min.js" "$AXE_DIR/axe.min.js"
