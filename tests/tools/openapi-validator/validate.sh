#!/usr/bin/env bash
# Validates an OpenAPI document with @apidevtools/swagger-parser from npm, installing the pinned
# version (package-lock.json, `npm ci`) into this folder first when it is missing.
# Usage: validate.sh FILE   (or - for standard input)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -f "$here/node_modules/@apidevtools/swagger-parser/package.json" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
exec node "$here/validate.mjs" "$@"
