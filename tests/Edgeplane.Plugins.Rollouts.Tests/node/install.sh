#!/usr/bin/env bash
# Installs the test-local npm packages (grpc-js, proto-loader, tuf-js) from package-lock.json when node_modules is missing.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules/@grpc/grpc-js ] || [ ! -d node_modules/@grpc/proto-loader ] || [ ! -d node_modules/tuf-js ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
