#!/usr/bin/env bash
# Installs what `make test-interop` needs on a Debian machine: the AWS CLI, Docker,
# docker-compose and Chromium (apt), Node packages (npm, under tools/node), buf (go install), and starts dockerd
# when `docker info` fails. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

BUF_VERSION=${BUF_VERSION:-v1.75.0}
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

need_apt=()
[ -x /usr/bin/aws ] || need_apt+=(awscli)
command -v dockerd >/dev/null 2>&1 || need_apt+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || need_apt+=(docker-compose)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
[ -x /usr/bin/chromium ] || need_apt+=(chromium) # the console's browser tests (chromedp drives it headless)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup-interop: apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

echo "setup-interop: npm packages under tools/node"
(cd tools/node && npm ci --no-audit --no-fund --loglevel=error)

if ! command -v buf >/dev/null 2>&1 || ! buf --version 2>/dev/null | grep -qx "${BUF_VERSION#v}"; then
  echo "setup-interop: go install buf@${BUF_VERSION}"
  go install "github.com/bufbuild/buf/cmd/buf@${BUF_VERSION}"
fi

if ! docker info >/dev/null 2>&1; then
  echo "setup-interop: starting dockerd"
  mkdir -p /var/log
  nohup dockerd >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "setup-interop: dockerd did not start; see /var/log/dockerd.log" >&2; exit 1; }
fi
echo "setup-interop: ready"
