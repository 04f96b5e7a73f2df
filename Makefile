# Pelican: see README.md. `make run` and `make test` need only Go.
GO        ?= go
ADDR      ?= 127.0.0.1:4567
STREAM    ?= pelican-events
SHARDS    ?= 4
IMAGE     ?= pelican:dev
BUF_VERSION ?= v1.75.0
PROTOC_GEN_GO_VERSION ?= v1.36.12

# testcontainers-go on this kind of machine: no reaper container, and dial localhost rather than a
# bridge address.
export TESTCONTAINERS_RYUK_DISABLED := true
export TESTCONTAINERS_HOST_OVERRIDE := localhost

COMPOSE := $(shell command -v docker-compose >/dev/null 2>&1 && echo docker-compose || echo docker compose)

.PHONY: run test test-interop setup-interop bench lint proto image up down contract build

## run: start the emulator on $(ADDR) with stream $(STREAM) of $(SHARDS) shards
run:
	$(GO) run ./cmd/pelican emulator --addr $(ADDR) --create-stream $(STREAM):$(SHARDS)

## build: build the pelican binary into bin/
build:
	$(GO) build -o bin/pelican ./cmd/pelican

## test: every test that needs nothing but Go
test:
	$(GO) test -count=1 -timeout 20m ./...

## test-interop: the tests that drive Docker, the AWS CLI, Node packages and buf (make setup-interop first)
test-interop:
	$(GO) test -count=1 -timeout 40m -tags interop -run 'Interop' ./...

## setup-interop: install the interop tools on a Debian machine and start dockerd if needed
setup-interop:
	bash scripts/setup-interop.sh

## bench: benchmarks, each beside the peer measured in the same run (the peers need make setup-interop)
# The interleaved ones report their ratios as metrics: fraction-of-ceiling (PutRecords,
# GetRecords, GetRecordsDrain and the InteropPeerKinesalite rounds, which add ratio to
# kinesalite), rss-of-bound (ResidentMemory) and typed-cpu-over-raw (PublishRate).
bench:
	$(GO) test -tags interop -run '^$$' -bench . -benchmem -timeout 60m ./...

## lint: gofmt, go vet, and staticcheck when it installs from the module proxy
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags interop ./...
	@if $(GO) run honnef.co/go/tools/cmd/staticcheck@2025.1.1 -version >/dev/null 2>&1; then \
		$(GO) run honnef.co/go/tools/cmd/staticcheck@2025.1.1 ./...; \
	else echo "staticcheck unavailable from the module proxy; skipped"; fi

## proto: regenerate the Go code of proto/ with pinned buf and protoc-gen-go
proto:
	BUF_VERSION=$(BUF_VERSION) PROTOC_GEN_GO_VERSION=$(PROTOC_GEN_GO_VERSION) bash scripts/gen-proto.sh

## contract: breaking-change gate of proto/ against the main branch (exit 100 on breaking changes)
contract:
	$(GO) run ./cmd/pelican contract breaking proto --against main

## image: the static pelican binary in a FROM scratch image
image:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w' -o dist/pelican ./cmd/pelican
	docker build -t $(IMAGE) -f Dockerfile dist

## up: the docker-compose dev environment (emulator, cuckooclock, notifier) on 127.0.0.1:4567
up: image
	bash scripts/compose-build.sh
	PELICAN_IMAGE=$(IMAGE) $(COMPOSE) up -d

## down: stop the dev environment and delete its volumes
down:
	PELICAN_IMAGE=$(IMAGE) $(COMPOSE) down -v
