#!/usr/bin/env bash
# deploy/check.sh: checks what ships, without a cluster or a Docker engine.
#
#   1. each overlay under deploy/k8s/overlays renders with kustomize and
#      passes k8scheck (strict decoding into the Kubernetes API types, then
#      the platform's rules: see deploy/k8scheck);
#   2. k8scheck's own tests pass;
#   3. deploy/Dockerfile: its base images match go.mod, every path it COPYs
#      exists, and its build command, run on a copy of exactly what it
#      COPYs less what .dockerignore leaves out, yields a static binary.
#
# Runs from a clean clone (it installs kustomize into .data/bin); exits
# non-zero on any problem. `make deploy-check` calls it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
KUSTOMIZE_VERSION=v5.7.1
kustomize="$root/.data/bin/kustomize"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

die() { echo "deploy/check.sh: $*" >&2; exit 1; }

# --- kustomize, pinned, built from source by the Go toolchain ------------
if ! "$kustomize" version 2>/dev/null | grep -qx "$KUSTOMIZE_VERSION"; then
	echo "installing kustomize $KUSTOMIZE_VERSION into .data/bin (about a minute, once)"
	mkdir -p "$root/.data/bin"
	GOBIN="$root/.data/bin" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
	"$kustomize" version | grep -qx "$KUSTOMIZE_VERSION" || die "kustomize $KUSTOMIZE_VERSION did not install"
fi

# --- k8scheck: its tests, then each overlay ------------------------------
(
	cd deploy/k8scheck
	unformatted="$(gofmt -l .)"
	[ -z "$unformatted" ] || die "gofmt needed in deploy/k8scheck: $unformatted"
	go vet ./...
	go test -count=1 ./... >"$tmp/k8scheck-test.log" 2>&1 || { cat "$tmp/k8scheck-test.log" >&2; die "k8scheck tests failed"; }
	go build -o "$tmp/k8scheck" .
)
echo "k8scheck: tests pass"

overlays=(deploy/k8s/overlays/*/)
[ -d "${overlays[0]}" ] || die "no overlays under deploy/k8s/overlays"
for dir in "${overlays[@]}"; do
	dir="${dir%/}"
	"$kustomize" build "$dir" >"$tmp/rendered.yaml" || die "$dir: kustomize build failed"
	if ! result="$("$tmp/k8scheck" <"$tmp/rendered.yaml")"; then
		die "$dir: k8scheck found the problems above"
	fi
	echo "$dir: $result"
done

# --- deploy/Dockerfile ---------------------------------------------------
dockerfile=deploy/Dockerfile
go_version="$(awk '$1 == "go" { print $2; exit }' go.mod)"
grep -qx "FROM golang:$go_version AS build" "$dockerfile" ||
	die "$dockerfile: the builder must be FROM golang:$go_version AS build (go.mod's go line)"
grep -qx 'FROM gcr.io/distroless/static-debian12:nonroot' "$dockerfile" ||
	die "$dockerfile: the final stage must be gcr.io/distroless/static-debian12:nonroot"
grep -qx 'USER 65532:65532' "$dockerfile" || die "$dockerfile: must run as USER 65532:65532 (runAsNonRoot needs a numeric user)"
grep -qx 'ENTRYPOINT \["/lms"\]' "$dockerfile" || die "$dockerfile: ENTRYPOINT must be [\"/lms\"]"

# Rebuild the build context from the COPY lines of the build stage.
ctx="$tmp/context"
mkdir -p "$ctx"
while read -r _ args; do
	read -r -a parts <<<"$args"
	[[ "${parts[0]}" == --from=* ]] && continue
	dest="${parts[-1]}"
	for src in "${parts[@]:0:${#parts[@]}-1}"; do
		[ -e "$src" ] || die "$dockerfile: COPY $src: no such path in the repository"
		if [ "$dest" != "./" ] && [ "${src%/}" != "${dest%/}" ]; then
			die "$dockerfile: COPY $src $dest: this check assumes each path is copied to the same place"
		fi
		mkdir -p "$ctx/$(dirname "$src")"
		cp -R "$src" "$ctx/${src%/}"
	done
done < <(grep -E '^COPY ' "$dockerfile")
# Drop what .dockerignore keeps out of the context (the forms it uses:
# "name" at the root and "**/pattern" anywhere).
while read -r pattern; do
	case "$pattern" in
	'' | '#'*) ;;
	'**/'*) find "$ctx" -depth -name "${pattern#'**/'}" -exec rm -rf {} + ;;
	*) rm -rf "${ctx:?}/$pattern" ;;
	esac
done <.dockerignore

build="$(sed -n 's/^RUN \(.*go build .*\)$/\1/p' "$dockerfile")"
[ -n "$build" ] || die "$dockerfile: no RUN ... go build line"
out="$(grep -o -- '-o [^ ]*' <<<"$build" | cut -d' ' -f2)"
grep -qx "COPY --from=build $out /lms" "$dockerfile" || die "$dockerfile: the final stage must COPY --from=build $out /lms"
[[ "$build" == *'CGO_ENABLED=0'* && "$build" == *'-trimpath'* && "$build" == *'-ldflags "-s -w"'* ]] ||
	die "$dockerfile: the build must use CGO_ENABLED=0, -trimpath and -ldflags \"-s -w\""
(cd "$ctx" && GOFLAGS= bash -c "${build//$out/$tmp/lms}") || die "$dockerfile: the build failed on the image's context"
"$tmp/k8scheck" -binary "$tmp/lms" >/dev/null
go version -m "$tmp/lms" | grep -q 'CGO_ENABLED=0' || die "$dockerfile: go version -m does not show CGO_ENABLED=0"
echo "$dockerfile: builds a static binary ($(du -h "$tmp/lms" | cut -f1)) from its context; COPY paths exist"
