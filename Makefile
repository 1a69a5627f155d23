# birdseye: the two commands a new user needs are `make demo` and `make test`.
MODULE  := github.com/styliteag/birdseye
# One source of truth: the VERSION file (release.sh bumps it), plus the commit.
VERSION ?= $(shell cat VERSION 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD -- 2>/dev/null || echo -dirty)
LDFLAGS := -s -w -X $(MODULE)/internal/version.Version=$(VERSION) -X $(MODULE)/internal/version.Commit=$(COMMIT)
BIN     := bin/birdseye

.PHONY: help build test lint bench fuzz demo run race clean netbird

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

build: ## static binary in bin/ (CGO off, trimmed paths, version stamped)
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/birdseye

# -timeout 45m: on a loaded 2-CPU machine cmd/birdseye's end-to-end suite
# runs past go test's default 10 minutes (626 s once, under 4 busy loops).
test: lint ## lint, then every test (unit, synctest, end-to-end of the built binary); skipped and failed tests are listed at the end
	go test -count=1 -timeout 45m -json ./... | go run ./internal/tools/testreport

netbird: ## build the real servers the tests start (NetBird, the OpenTelemetry Collector, VictoriaLogs: once per version, into the user's cache; minutes when cold)
	go run ./internal/tools/netbirdbuild

lint: ## gofmt, go vet, and the layering rules (internal/layering)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...
	go test -count=1 ./internal/layering

bench: ## every benchmark, with allocations
	go test -run '^$$' -bench . -benchmem -count 1 ./...

fuzz: ## a short run of each fuzz target (seed corpora in each package's testdata/fuzz)
	go test -run '^$$' -fuzz FuzzScanAudit -fuzztime 30s ./internal/netbird/
	go test -run '^$$' -fuzz FuzzGlob -fuzztime 30s ./internal/event/
	go test -run '^$$' -fuzz FuzzDotEnvLine -fuzztime 30s ./internal/config/
	go test -run '^$$' -fuzz FuzzDecoders -fuzztime 30s ./internal/config/
	go test -run '^$$' -fuzz FuzzExcluded -fuzztime 30s ./internal/backup/

race: ## tests with the race detector (needs cgo; the image test is left to `make test`)
	CGO_ENABLED=1 go test -race -count=1 -timeout 45m $$(go list ./... | grep -v /docker$$)

demo: build ## the forwarder against a built-in simulated NetBird (Ctrl-C to stop)
	./$(BIN) demo

run: build ## the forwarder with ./.env
	./$(BIN) run

clean:
	rm -rf bin
