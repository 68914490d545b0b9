#!/usr/bin/env bash
# Host ingestion benchmark: captures a real agent report with PROGS programs loaded (ebpf-fixture), then
# replays it as NODES nodes into the real host (bench/ebpf/IngestBench) and times the list route.
# REPORT=file reuses (or, when missing, saves) the captured report. DB=postgres with EDGEPLANE_TEST_POSTGRES
# set runs against a fresh database on that PostgreSQL server instead of SQLite.
set -euo pipefail
NODES=${NODES:-1000} PROGS=${PROGS:-200} MAPS=${MAPS:-20} CONCURRENCY=${CONCURRENCY:-8}
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
src=$root/plugins/Ebpf/agent build=$src/build-bench
tmp=$(mktemp -d); trap '[[ -n "${fin:-}" ]] && exec {fin}>&- 2>/dev/null; rm -rf "$tmp"' EXIT
report=${REPORT:-$tmp/report.json}
if [[ ! -s "$report" ]]; then
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null && cmake --build "$build" -j2 >/dev/null
  mkfifo "$tmp/in"
  "$build/ebpf-fixture" --maps "$MAPS" --programs "$PROGS" --prefix ingest <"$tmp/in" >"$tmp/ids" &
  exec {fin}>"$tmp/in"
  for _ in $(seq 600); do [[ -s "$tmp/ids" ]] && break; sleep 0.1; done
  # the report of this machine, restricted to the fixture's objects so that every node has exactly PROGS programs
  "$build/edgeplane-ebpf-agent" --once --stdout | jq '.programs |= map(select(.name|startswith("ingest"))) | .maps |= map(select(.name|startswith("ingest")))' >"$report"
  exec {fin}>&-
fi
dotnet build "$root/src/Host" -c Release -v q -nologo >/dev/null
dotnet build "$root/plugins/Ebpf" -c Release -v q -nologo >/dev/null
echo "load: $(uptime)"
dotnet run --project "$here/IngestBench" -c Release -- "$report" "$NODES" "$CONCURRENCY" "${DB:-sqlite}"
echo "load: $(uptime)"
