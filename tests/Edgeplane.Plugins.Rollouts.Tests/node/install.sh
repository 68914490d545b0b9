#!/usr/bin/env bash
# Installs the test-local npm packages (grpc-js, proto-loader) from package-lock.json when node_modules is missing.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules/@grpc/grpc-js ] || [ ! -d node_modules/@grpc/proto-loader ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
