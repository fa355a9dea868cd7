# Two commands do everything on a fresh machine:
#   make run    start local PostgreSQL + S3 if none is configured, migrate, seed demo tenants, serve on :8080
#   make test   the whole suite against a real PostgreSQL and a real S3-compatible server
SHELL := /bin/bash
GO    ?= go
ENV   := set -a; . .data/env; set +a

.PHONY: run test bench screenshots services services-down browser assets promtool redocly clients build vet fmt-check deploy-check

services:
	@deploy/local/services.sh up

services-down:
	@deploy/local/services.sh down

# Headless Chromium (Debian's package) and axe-core (npm, pinned) for the
# browser tests in internal/web.
browser:
	@deploy/local/browser.sh

# The pages' front-end libraries (the Quill editor), pinned from npm into
# internal/web/static/vendor (ignored; embedded into the binary).
assets:
	@deploy/local/assets.sh

build: assets
	$(GO) build -o bin/lms ./cmd/lms

run: services build
	@$(ENV); exec bin/lms dev

vet:
	$(GO) vet ./...

fmt-check:
	@out="$$(gofmt -l cmd internal migrations policies)"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Renders every Kubernetes overlay with kustomize (installed at a pinned
# version into .data/bin) and validates it with deploy/k8scheck; checks the
# Dockerfile's build makes a static binary. No cluster or Docker engine.
deploy-check:
	@deploy/check.sh

# Prometheus's promtool (pinned, built into .data/bin once): the metrics
# tests run `promtool check metrics` on both processes' scrapes and
# `promtool check rules` on deploy/prometheus/alerts.yml.
promtool:
	@deploy/local/promtool.sh

# Redocly CLI (npm, pinned, into .data/redocly): internal/httpapi's
# TestOpenAPILint lints the API's OpenAPI document with redocly.yaml.
redocly:
	@deploy/local/redocly.sh

# The client generators (oapi-codegen; openapi-typescript, openapi-fetch
# and tsc from npm), pinned, into .data: internal/httpapi's
# TestGeneratedClients generates, compiles and runs a Go and a TypeScript
# client against the live API.
clients:
	@deploy/local/clients.sh

# -p 2: two packages at once on the 2-core machines we run on; each test
# makes its own database and buckets, so packages never share state.
test: services browser assets promtool redocly clients fmt-check vet deploy-check
	@$(ENV); $(GO) test -count=1 -p 2 -timeout 25m ./...

bench: services build
	@$(ENV); $(GO) run ./cmd/lmsbench

# The few screenshots the README shows, refreshed on purpose (tests write
# theirs to .data/screenshots, ignored). Runs the browser tests once.
SHOTS := learner-course admin-dashboard operator-tenants admin-access-log \
	admin-support-request admin-export-ready learner-my-data guardian-consent-given \
	teacher-course-built teacher-editor teacher-gradebook
screenshots: services browser assets
	@rm -rf .data/screenshots-fresh
	@$(ENV); LMS_SCREENSHOTS_DIR=$(CURDIR)/.data/screenshots-fresh $(GO) test -count=1 -timeout 15m ./internal/web/
	@mkdir -p docs/screenshots
	@for s in $(SHOTS); do cp .data/screenshots-fresh/$$s.png docs/screenshots/; done
	@echo "docs/screenshots refreshed; review with git diff --stat docs/screenshots"
