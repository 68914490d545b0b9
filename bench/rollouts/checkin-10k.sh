#!/usr/bin/env bash
# The issue-7 target at full size: 10,000 simulated devices, each with its own kept-alive mTLS HTTP/2
# connection, checking in every 30 s (333 check-ins/s) for DURATION seconds; p99 must stay under 50 ms.
# Same load generator as run.sh; RUNS chooses which servers run, in order (default: Edgeplane on SQLite,
# then the bare-Kestrel reference, then PostgreSQL). The load average is printed around each run,
# because the 2 cores are shared.
#   DEVICES=10000 INTERVAL=30 DURATION=90 RUNS="sqlite reference postgres" bench/rollouts/checkin-10k.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
devices="${DEVICES:-10000}"; interval="${INTERVAL:-30}"; duration="${DURATION:-90}"
concurrency="${CONCURRENCY:-64}"; saturate="${SATURATE:-10}"; runs="${RUNS:-sqlite reference postgres}"
work="$(mktemp -d /tmp/rollouts-bench.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  [ -d "$work/pg" ] && ./build/test-postgres.sh stop "$work/pg" || true
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build src/Host -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build bench/rollouts/loadgen -c Release -nologo -clp:ErrorsOnly >/dev/null
loadgen="$root/bench/rollouts/loadgen/bin/Release/net10.0/rollouts-loadgen.dll"
host_dir="$root/src/Host/bin/Release/net10.0"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
load() { echo "load average ($1): $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$work/results"; }
run_load() { dotnet "$loadgen" run --devices "$devices" --interval "$interval" --duration "$duration" --concurrency "$concurrency" --saturate "$saturate" "$@" 2>&1 | tee -a "$work/results"; }

# --- Edgeplane ---
mkdir -p "$work/plugins"; ln -s "$host_dir/plugins/Edgeplane.Plugins.Rollouts" "$work/plugins/"
run_edgeplane() {
  local label="$1"; shift
  local api_port dev_port data="$work/data-$label"
  api_port="$(free_port)"; dev_port="$(free_port)"
  mkdir -p "$data"
  env "$@" Edgeplane__DataDirectory="$data" Edgeplane__Plugins__Directories="$work/plugins" \
    Edgeplane__Bootstrap__AdminPassword=bench-admin-password-0123456789 Edgeplane__Security__LoginAttemptsPerMinute=1000 \
    Edgeplane__Plugins__rollouts__DeviceApi__Port="$dev_port" Edgeplane__Plugins__rollouts__CheckInInterval="00:00:$interval" \
    Logging__LogLevel__Default=Warning ASPNETCORE_ENVIRONMENT=Production \
    dotnet "$host_dir/Edgeplane.Host.dll" --urls "http://127.0.0.1:$api_port" >"$work/host-$label.log" 2>&1 & pids+=($!)
  local host_pid=$!
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$api_port/healthz" >/dev/null && (echo >/dev/tcp/127.0.0.1/"$dev_port") 2>/dev/null && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$api_port/healthz" >/dev/null || { cat "$work/host-$label.log"; exit 1; }
  # The device CA certificate, as an operator reads it (session sign-in: the bootstrap admin has no key here).
  curl -sf -c "$work/cookies" -H 'content-type: application/json' -d '{"username":"admin","password":"bench-admin-password-0123456789"}' \
    "http://127.0.0.1:$api_port/rollouts/api/v1/auth/login" >/dev/null
  curl -sf -b "$work/cookies" "http://127.0.0.1:$api_port/rollouts/api/v1/device-ca" | python3 -c 'import json,sys; print(json.load(sys.stdin)["certificate"])' >"$work/ca-$label.pem"
  local rss_before; rss_before="$(ps -o rss= -p "$host_pid")"
  load "before $label"
  run_load --target "https://127.0.0.1:$dev_port" --ca "$work/ca-$label.pem" --api "http://127.0.0.1:$api_port" \
    --password bench-admin-password-0123456789 --label "edgeplane-$label"
  load "after $label"
  echo "host RSS ($label): before ${rss_before} KiB, after $(ps -o rss= -p "$host_pid") KiB" | tee -a "$work/results"
  kill "$host_pid"; wait "$host_pid" 2>/dev/null || true
}
run_reference() {
  ref_port="$(free_port)"
  dotnet "$loadgen" reference --port "$ref_port" --ca-out "$work/ref-ca.pem" >"$work/ref.log" 2>&1 & pids+=($!)
  for _ in $(seq 100); do [ -s "$work/ref-ca.pem" ] && (echo >/dev/tcp/127.0.0.1/"$ref_port") 2>/dev/null && break; sleep 0.1; done
  run_load --target "https://127.0.0.1:$ref_port" --ca "$work/ref-ca.pem" --label reference
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
}
run_postgres() {
  if command -v /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    conn="$(./build/test-postgres.sh start "$work/pg")"
    run_edgeplane postgres Edgeplane__Database__Provider=postgres Edgeplane__Database__ConnectionString="${conn/Maximum Pool Size=20/Maximum Pool Size=50}"
  else
    echo "PostgreSQL is not installed: skipped (build/install-test-deps.sh installs it)" | tee -a "$work/results"
  fi
}
for run in $runs; do
  case "$run" in
    sqlite) run_edgeplane sqlite ;;
    reference) load "before reference"; run_reference; load "after reference" ;;
    postgres) run_postgres ;;
  esac
done
cp "$work/results" "${RESULTS:-/tmp/rollouts-checkin-10k.results}"

python3 - "$work/results" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    if line.startswith("RESULT"):
        kv = dict(p.split("=", 1) for p in line.split()[1:])
        rows[kv["label"]] = kv
ref = rows.get("reference")
print()
print("| run | devices | target/s | sustained/s | p50 ms | p99 ms | errors | max/s (closed loop) | max p99 ms | max vs reference |")
print("|---|---|---|---|---|---|---|---|---|---|")
for label, r in rows.items():
    ratio = float(r["max_rps"]) / float(ref["max_rps"]) if ref and float(ref["max_rps"]) else float("nan")  # nan: the reference did not run
    print(f"| {label} | {r['devices']} | {r['target_rps']} | {r['sustained_rps']} | {r['sustained_p50_ms']} | {r['sustained_p99_ms']} | {r['sustained_errors']} | {r['max_rps']} | {r['max_p99_ms']} | {ratio:.2f} |")
PY
