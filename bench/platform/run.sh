#!/usr/bin/env bash
# Platform cost benchmark (issue 3): an authenticated GET of a list route through the host
# (API key, permission check, audit middleware, metrics, Dapper, SQLite) against the same query in a
# bare minimal API with no auth. Both in the same run, on loopback; prints both and the ratio.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
duration="${DURATION:-10}"
connections="${CONNECTIONS:-32}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

dotnet build Host.sln -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build bench/platform/BareList -c Release -nologo -clp:ErrorsOnly -o "$root/bench/platform/bin/BareList" >/dev/null

work="$(mktemp -d /tmp/edgeplane-bench.XXXXXX)"
host_pid=""; bare_pid=""
cleanup() { for p in $host_pid $bare_pid; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 200); do curl -fs -o /dev/null "$1" && return 0; sleep 0.05; done; echo "no answer from $1" >&2; exit 1; }

mkdir -p "$work/plugins"
cp -r "tests/TestPlugins/bin/Release/Greeter" "$work/plugins/greeter"
key="ep_bench_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
host_port="$(free_port)"
Edgeplane__DataDirectory="$work/data" Edgeplane__Plugins__Directories="$work/plugins" \
Edgeplane__Bootstrap__AdminApiKey="$key" Logging__LogLevel__Default=Warning \
  dotnet src/Host/bin/Release/net10.0/Edgeplane.Host.dll --urls "http://127.0.0.1:$host_port" >"$work/host.log" 2>&1 &
host_pid=$!
wait_for "http://127.0.0.1:$host_port/healthz"
for i in $(seq 1 50); do
  curl -fs -o /dev/null -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d "{\"text\":\"greeting number $i\"}" "http://127.0.0.1:$host_port/greeter/greetings"
done
team="$(curl -fs -H "Authorization: Bearer $key" "http://127.0.0.1:$host_port/api/v1/auth/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["teamId"])')"

bare_port="$(free_port)"
dotnet bench/platform/bin/BareList/BareList.dll --urls "http://127.0.0.1:$bare_port" --db "$work/data/edgeplane.db" >"$work/bare.log" 2>&1 &
bare_pid=$!
wait_for "http://127.0.0.1:$bare_port/greetings?team=$team"

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

run() { # name pid url [header]: prints name, req/s, p99 and the server's CPU time per request (µs),
        # which depends far less than req/s on what else the machine is doing
  local out before after
  before=$(ticks "$2")
  out="$(wrk -t2 -c"$connections" -d"${duration}s" --latency ${4:+-H "$4"} "$3")"
  after=$(ticks "$2")
  local rps p99 requests
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
  requests="$(awk '/requests in/ {print $1}' <<<"$out")"
  echo "$1 $rps $p99 $(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')"
}

# Warm both, then measure alternately.
wrk -t2 -c"$connections" -d3s -H "Authorization: Bearer $key" "http://127.0.0.1:$host_port/greeter/greetings" >/dev/null
wrk -t2 -c"$connections" -d3s "http://127.0.0.1:$bare_port/greetings?team=$team" >/dev/null
read -r _ bare_rps bare_p99 bare_cpu < <(run bare "$bare_pid" "http://127.0.0.1:$bare_port/greetings?team=$team")
read -r _ host_rps host_p99 host_cpu < <(run edgeplane "$host_pid" "http://127.0.0.1:$host_port/greeter/greetings" "Authorization: Bearer $key")

echo "| what | req/s | p99 | server CPU per request |"
echo "| --- | ---: | ---: | ---: |"
echo "| bare minimal API, same query, no auth | $bare_rps | $bare_p99 | $bare_cpu µs |"
echo "| Edgeplane plugin route, API key + permission + audit + metrics | $host_rps | $host_p99 | $host_cpu µs |"
python3 -c "b=float('$bare_rps'); h=float('$host_rps'); bc=float('$bare_cpu'); hc=float('$host_cpu'); print(f'| ratio (Edgeplane / bare) | {h/b:.2f} (platform cost {100*(1-h/b):.1f}%) | | {hc/bc:.2f}x |')"
echo "load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
