#!/usr/bin/env bash
# deploy/local/browser.sh — what the browser tests need, installed if missing:
#   Chromium from Debian's `chromium` package (headless, driven by chromedp), and
#   axe-core (accessibility rules) from the npm registry, pinned, into .data/axe/.
# npm (to fetch axe-core) comes from Debian's package when the machine has none.
# `make test` runs it; the browser tests say to run it when something is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
AXE_VERSION='4.11.0'
AXE_DIR="$ROOT/.data/axe"

log() { printf 'browser: %s\n' "$*" >&2; }
die() { printf 'browser: ERROR: %s\n' "$*" >&2; exit 1; }

# apt_install PKG... — Debian's packages, as root or with passwordless sudo.
apt_install() {
	local -a sudo=()
	if [[ $(id -u) -ne 0 ]]; then
		sudo -n true 2>/dev/null || die "need Debian's $* but not root and no passwordless sudo: apt-get install $*"
		sudo=(sudo -n)
	fi
	log "installing $* via apt-get (a minute or two)..."
	"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq >&2 || true
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq "$@" >&2 ||
		die "apt-get install $* failed"
}

command -v chromium >/dev/null || apt_install chromium

if [[ ! -s $AXE_DIR/$AXE_VERSION/axe.min.js ]]; then
	command -v npm >/dev/null || apt_install npm
	log "fetching axe-core $AXE_VERSION from the npm registry..."
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null) || die "npm pack axe-core@$AXE_VERSION failed"
	mkdir -p "$AXE_DIR/$AXE_VERSION"
	tar -xzf "$tmp"/axe-core-*.tgz -C "$tmp"
	cp "$tmp/package/axe.min.js" "$tmp/package/LICENSE" "$AXE_DIR/$AXE_VERSION/"
fi
ln -sfn "$AXE_VERSION/axe.min.js" "$AXE_DIR/axe.min.js"
