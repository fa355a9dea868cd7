#!/usr/bin/env bash
# deploy/local/assets.sh — the front-end libraries the pages serve, fetched
# from the npm registry at pinned versions and checked against their
# published integrity, into internal/web/static/vendor/ (ignored by git,
# embedded into the binary by go:embed). deploy/Dockerfile fetches the same
# pins in its assets stage; keep the two in step.
#
#   Quill 2.0.3 (BSD-3-Clause): the rich-text editor of course pages. It is
#   shipped prebuilt (one UMD file with its table, image and video modules),
#   so no JavaScript build step is needed.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DEST="${1:-$ROOT/internal/web/static/vendor}"
QUILL_VERSION='2.0.3'
QUILL_INTEGRITY='sha512-xEYQBqfYx/sfb33VJiKnSJp8ehloavImQ2A6564GAbqG55PGw1dAWUn1MUbQB62t0azawUS2CZZhWCjO8gRvTw=='

log() { printf 'assets: %s\n' "$*" >&2; }
die() { printf 'assets: ERROR: %s\n' "$*" >&2; exit 1; }

[[ -s $DEST/quill/VERSION && $(cat "$DEST/quill/VERSION") == "$QUILL_VERSION" ]] && exit 0
if ! command -v npm >/dev/null; then
	sudo=()
	[[ $(id -u) -ne 0 ]] && sudo=(sudo -n)
	log "installing npm via apt-get..."
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq npm >&2 || die "apt-get install npm failed"
fi
log "fetching quill $QUILL_VERSION from the npm registry..."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "quill@$QUILL_VERSION" >/dev/null) || die "npm pack quill@$QUILL_VERSION failed"
got="sha512-$(openssl dgst -sha512 -binary "$tmp/quill-$QUILL_VERSION.tgz" | base64 -w0)"
[[ $got == "$QUILL_INTEGRITY" ]] || die "quill-$QUILL_VERSION.tgz integrity $got, want $QUILL_INTEGRITY"
tar -xzf "$tmp/quill-$QUILL_VERSION.tgz" -C "$tmp"
mkdir -p "$DEST/quill"
cp "$tmp/package/dist/quill.js" "$tmp/package/dist/quill.snow.css" "$tmp/package/LICENSE" "$DEST/quill/"
echo "$QUILL_VERSION" >"$DEST/quill/VERSION"
log "quill $QUILL_VERSION in $DEST/quill"
