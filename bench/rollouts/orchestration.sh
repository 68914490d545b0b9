#!/usr/bin/env bash
# Publish+sign time with N targets already in the update repository, and rollout decisions per second at check-in
# for D devices, using the plugin's own code over SQLite (in-process, no HTTP), each against a reference in the same run:
#   signing: canonicalise + ECDSA-sign the final targets document once (no parse, no database)
#   decisions: the indexed device-row lookup every check-in already does
# TARGETS=0,1000,10000 DEVICES=10000,100000 PUBLISHES=10 SECONDS=10 WORKERS=4 bench/rollouts/orchestration.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build -c Release bench/rollouts/orchestration -v q -nologo >&2
dotnet bench/rollouts/orchestration/bin/Release/net10.0/rollouts-orchestration-bench.dll \
  --targets "${TARGETS:-0,1000,10000}" --devices "${DEVICES:-10000,100000}" --publishes "${PUBLISHES:-10}" \
  --seconds "${SECONDS_EACH:-10}" --workers "${WORKERS:-4}"
