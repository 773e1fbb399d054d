#!/usr/bin/env bash
# Mosaic's test command: formatting, vet, staticcheck, the whole test
# suite, and the race detector over the core packages. .ci/run calls it.
#
#   bash scripts/test.sh            everything (about 5 minutes on 2 cores)
#   MOSAIC_LONG=1 bash scripts/test.sh   also the long evaluations
#
# Tests that need ../shared, PostgreSQL or NATS skip with a message when
# those are absent; scripts/start-services.sh starts the servers first.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=${GOFLAGS:--buildvcs=false}

step() { printf '\n== %s\n' "$*"; }

step "services (PostgreSQL, NATS JetStream)"
mkdir -p .cache
if bash scripts/start-services.sh .cache/services.env; then
	set -a; . .cache/services.env; set +a
else
	echo "could not start every service: the tests that need them will skip"
fi

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
	echo "not gofmt-ed:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...

step "staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

step "go test"
go test -count=1 -timeout 20m ./...

step "go test -race (core packages)"
go test -count=1 -race -timeout 20m . ./internal/access/... ./internal/store/... ./internal/bus/... \
	./internal/pipeline/... ./internal/ingest/... ./internal/daemon/... ./internal/httpapi/... ./internal/mapping/...

step "all tests passed"
