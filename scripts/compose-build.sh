#!/usr/bin/env bash
# Builds the image of the example services that docker-compose.yml runs beside the emulator: the
# static binaries of examples/cuckooclock and examples/notifier, then examples/Dockerfile (FROM
# scratch) around them, so that nothing is pulled from a registry. The emulator's image is
# `make image`'s.
#
# It also builds the image of docker-compose.yml's `lambda` profile: the pelican binary beside the
# two services' Lambda functions (examples/*/lambda), which `pelican lambda run` starts.
#
# Environment: PELICAN_EXAMPLES_IMAGE (the tag, default pelican-examples:dev),
# PELICAN_LAMBDA_IMAGE (default pelican-lambda:dev), OUT (where the binaries go, default
# dist/examples), GO (default go).
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
IMAGE=${PELICAN_EXAMPLES_IMAGE:-pelican-examples:dev}
LAMBDA_IMAGE=${PELICAN_LAMBDA_IMAGE:-pelican-lambda:dev}
OUT=${OUT:-dist/examples}
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

mkdir -p "$OUT"
for svc in cuckooclock notifier; do
  CGO_ENABLED=0 "$GO" build -trimpath -ldflags '-s -w' -o "$OUT/$svc" "./examples/$svc"
done
# The services reach Amazon Kinesis over TLS when no endpoint is set; an empty image has no roots.
if [ -r "$CA_BUNDLE" ]; then
  cp "$CA_BUNDLE" "$OUT/ca-certificates.crt"
else
  echo "compose-build: no CA bundle at $CA_BUNDLE; the image can reach the emulator but not AWS over TLS" >&2
  : >"$OUT/ca-certificates.crt"
fi
docker build -q -t "$IMAGE" -f examples/Dockerfile "$OUT" >/dev/null
echo "compose-build: built $IMAGE"

# The lambda profile's image: pelican and the functions, FROM scratch as well.
LAMBDA_OUT="$OUT/lambda"
mkdir -p "$LAMBDA_OUT"
cp "$OUT/ca-certificates.crt" "$LAMBDA_OUT/"
CGO_ENABLED=0 "$GO" build -trimpath -ldflags '-s -w' -o "$LAMBDA_OUT/pelican" ./cmd/pelican
for svc in cuckooclock notifier; do
  CGO_ENABLED=0 "$GO" build -trimpath -ldflags '-s -w' -o "$LAMBDA_OUT/$svc-lambda" "./examples/$svc/lambda"
done
docker build -q -t "$LAMBDA_IMAGE" -f - "$LAMBDA_OUT" >/dev/null <<'DOCKERFILE'
FROM scratch
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY pelican cuckooclock-lambda notifier-lambda /
ENTRYPOINT ["/pelican"]
DOCKERFILE
echo "compose-build: built $LAMBDA_IMAGE"
