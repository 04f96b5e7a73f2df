#!/usr/bin/env bash
# Regenerates the Go code of proto/ (make proto) with pinned tools: buf and protoc-gen-go, both
# installed from the Go module proxy into bin/proto-tools when the right version is not there yet.
# Idempotent: a second run changes nothing. Needs only Go.
set -euo pipefail
cd "$(dirname "$0")/.."

BUF_VERSION=${BUF_VERSION:-v1.75.0}
PROTOC_GEN_GO_VERSION=${PROTOC_GEN_GO_VERSION:-v1.36.12}
TOOLS="$PWD/bin/proto-tools"
mkdir -p "$TOOLS"

if [ "$("$TOOLS/buf" --version 2>/dev/null || true)" != "${BUF_VERSION#v}" ]; then
  echo "gen-proto: go install buf@${BUF_VERSION}"
  GOBIN="$TOOLS" go install "github.com/bufbuild/buf/cmd/buf@${BUF_VERSION}"
fi
if [ "$("$TOOLS/protoc-gen-go" --version 2>/dev/null || true)" != "protoc-gen-go ${PROTOC_GEN_GO_VERSION}" ]; then
  echo "gen-proto: go install protoc-gen-go@${PROTOC_GEN_GO_VERSION}"
  GOBIN="$TOOLS" go install "google.golang.org/protobuf/cmd/protoc-gen-go@${PROTOC_GEN_GO_VERSION}"
fi
export PATH="$TOOLS:$PATH"

buf lint
# A .proto file that was removed must not leave its generated code behind.
find proto -name '*.pb.go' -delete
buf generate
echo "gen-proto: generated $(find proto -name '*.pb.go' | wc -l) files with buf ${BUF_VERSION} and protoc-gen-go ${PROTOC_GEN_GO_VERSION}"
