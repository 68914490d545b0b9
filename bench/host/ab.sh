#!/usr/bin/env bash
# Compares the start → first 200 of two or more published hosts by alternating them (a shared machine's load drifts by
# ±15 % within minutes; alternating cancels it). Each DIR is a published host with the bench plugin among its plugins:
#   bench/host/ab.sh publish OUT             # build/publish.sh OUT, plus the bench plugin in OUT/plugins/BenchPlugin
#   RUNS=9 bench/host/ab.sh DIR_A DIR_B ...  # one migrating start each, then RUNS rounds of one start of each in turn
# Prints each start's ms to the first 200 of GET /bench/ping, the server's CPU time to it and the ms to ready (/readyz
# reports every plugin's background services started), then the medians.
# EXTRA_ARGS is passed to every host (e.g. --Edgeplane:Plugins:rollouts:Enabled=false).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "${1:-}" = publish ]; then
  out="$(realpath -m "$2")"
  build/publish.sh "$out" >/dev/null
  dotnet publish bench/host/BenchPlugin -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o "$out/plugins/BenchPlugin" -nologo -clp:ErrorsOnly >/dev/null
  echo "published to $out"
  exit 0
fi

RUNS="${RUNS:-9}"
dirs=("$@")
work="$(mktemp -d /tmp/edgeplane-ab.XXXXXX)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production
export Edgeplane__Bootstrap__AdminApiKey="ep_bench_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start INDEX: starts build INDEX on its own data directory until /bench/ping answers, then until it is ready; prints "MS CPU_MS READY_MS"
start() {
  local dir="${dirs[$1]}" port t0 ms cpu ready
  port=$(free_port)
  t0=$(date +%s%N)
  Edgeplane__DataDirectory="$work/data$1" Edgeplane__Plugins__Directories="$dir/plugins" \
    dotnet "$dir/Edgeplane.Host.dll" --urls "http://127.0.0.1:$port" --contentRoot "$dir" ${EXTRA_ARGS:-} >"$work/log$1" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/bench/ping"; do
    kill -0 "$pid" 2>/dev/null || { echo "${dirs[$1]} exited:" >&2; cat "$work/log$1" >&2; exit 1; }
    sleep 0.005
  done
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  cpu=$(( $(awk '{ print $14 + $15 }' "/proc/$pid/stat") * 1000 / $(getconf CLK_TCK) ))
  until curl -s "http://127.0.0.1:$port/readyz" | grep -q '"plugin-startup","status":"healthy"'; do sleep 0.005; done
  ready=$(( ($(date +%s%N) - t0) / 1000000 ))
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  echo "$ms $cpu $ready"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in "${!dirs[@]}"; do start "$i" >/dev/null; done # migrates each data directory
for round in $(seq "$RUNS"); do
  line="round $round:"
  for i in "${!dirs[@]}"; do
    read -r ms cpu ready < <(start "$i")
    echo "$ms" >>"$work/ms$i"; echo "$cpu" >>"$work/cpu$i"; echo "$ready" >>"$work/ready$i"
    line="$line ${dirs[$i]##*/} $ms ms ($cpu CPU, ready $ready) |"
  done
  echo "$line"
done
for i in "${!dirs[@]}"; do
  echo "${dirs[$i]}: first 200 median $(median <"$work/ms$i") ms ($(sort -n "$work/ms$i" | head -1)-$(sort -n "$work/ms$i" | tail -1)), CPU median $(median <"$work/cpu$i") ms, ready median $(median <"$work/ready$i") ms"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
