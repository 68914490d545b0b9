#!/usr/bin/env bash
# DNS at provider scale, Edgeplane against NSD in one run (issue 21):
#   bench/dns/scale.sh [zones] [records-per-zone] [seconds]      (default 100 100 10)
# Loads zones x records THROUGH THE PUBLIC API (SINGLE_PERCENT % of the zones with single adds, the rest with the
# bulk API; both timed), exports every zone and serves the exports with NSD (server-count = Edgeplane's UdpWorkers),
# then measures the query mix (70 % existing names across all zones, 20 % names that do not exist in existing
# zones, 10 % names outside any zone) with dnsperf against both: q/s, latency, RSS of both, restart -> last zone
# answered, API 201 -> answer over UDP over EDITS edits, and ADDS single adds from CLIENTS concurrent API clients.
# Environment: UDP_WORKERS (default nproc), SINGLE_PERCENT (10), QUERIES (100000 in the query file), EDITS (200),
# CLIENTS (16), ADD_CONCURRENCY (the single adds' client counts, one run each: "4 8 16" gives adds/s and p50/p99 as a
# curve; default CLIENTS), ADDS (5000), ADD_CLIENT (python: CLIENTS threads of scale.py, ADDS adds; wrk: CLIENTS connections of
# wrk with adds.lua for ADD_SECONDS (3) s, a compiled client that costs the shared cores less; "python wrk": both, in
# turn), BIN (the published host to run, default artifacts/bench-dns; with BUILD=0 to run another build),
# BUILD=0 to reuse the last build (published ReadyToRun into artifacts/bench-dns, as build/publish.sh deploys). Needs dnsperf, nsd, dig, curl, python3 (and wrk for ADD_CLIENT=wrk). Everything listens on 127.0.0.1
# only; every process started here is stopped on exit.
# MODE=consistency instead checks correctness under load (issue 21): after the load, an NSD secondary of every zone
# follows the host through NOTIFY + IXFR while CLIENTS concurrent API clients make EDITS (default 10,000) random single
# adds and deletes; then every zone's full AXFR must be identical on both, and NAMES_CHECKED (1,000) random names
# must answer the same.
set -euo pipefail
ZONES=${1:-100}
RECORDS=${2:-100}
DURATION=${3:-10}
WORKERS=${UDP_WORKERS:-$(nproc)}
SINGLE_ZONES=$(( ZONES * ${SINGLE_PERCENT:-10} / 100 ))
QUERIES=${QUERIES:-100000}
MODE=${MODE:-performance}
if [ "$MODE" = consistency ]; then EDITS=${EDITS:-10000}; else EDITS=${EDITS:-200}; fi
CLIENTS=${CLIENTS:-16}
ADD_CONCURRENCY=${ADD_CONCURRENCY:-$CLIENTS}
ADDS=${ADDS:-5000}
ADD_CLIENT=${ADD_CLIENT:-python}
ADD_SECONDS=${ADD_SECONDS:-3}
[ "$RECORDS" -ge 10 ] || { echo "records per zone: at least 10" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HELPER="$ROOT/bench/dns/scale.py"
WORK=$(mktemp -d /tmp/edgeplane-dnsscale-XXXXXX)
HOST_PID=""; NSD_PID=""; SECONDARY_PID=""
cleanup() {
  for p in $HOST_PID $NSD_PID $SECONDARY_PID; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTP_PORT=$(free_port); EP_PORT=$(free_port); NSD_PORT=$(free_port); SECONDARY_PORT=$(free_port)
KEY="ep_bench_$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
BASE="http://127.0.0.1:$HTTP_PORT/dns/api"
LAST="host4.z$ZONES.example"
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }

# VmRSS and (summed) Pss in MiB of a process and its children.
memory() {
  local pids="$1 $(pgrep -P "$1" | tr '\n' ' ')" rss=0 pss=0 p
  for p in $pids; do
    rss=$(( rss + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0) ))
    pss=$(( pss + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0) ))
  done
  echo "$(( rss / 1024 )) $(( pss / 1024 ))"
}

# The host as deployed: published ReadyToRun (build/publish.sh), so a restart does not wait for the JIT.
BIN=${BIN:-$ROOT/artifacts/bench-dns}
if [ "${BUILD:-1}" != 0 ]; then
  echo "== publishing (Release, ReadyToRun) into $BIN"
  "$ROOT/build/publish.sh" "$BIN" Dns >/dev/null
fi
mkdir -p "$WORK/plugins" "$WORK/data" "$WORK/zones"
ln -s "$BIN/plugins/Edgeplane.Plugins.Dns" "$WORK/plugins/Edgeplane.Plugins.Dns"

start_host() {
  local transfers=()
  [ "$MODE" = consistency ] && transfers=(Edgeplane__Plugins__dns__TransferAllowed=127.0.0.1 Edgeplane__Plugins__dns__Notify="127.0.0.1:$SECONDARY_PORT")
  env "${transfers[@]}" Edgeplane__DataDirectory="$WORK/data" Edgeplane__Plugins__Directories="$WORK/plugins" \
    Edgeplane__Bootstrap__AdminApiKey="$KEY" Edgeplane__Bootstrap__AdminPassword="bench-admin-password-0123456789" \
    Edgeplane__Plugins__dns__Listen="127.0.0.1:$EP_PORT" Edgeplane__Plugins__dns__NameServers="ns1.example.net;ns2.example.net" \
    Edgeplane__Plugins__dns__UdpWorkers="$WORKERS" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
    Logging__LogLevel__Edgeplane.Plugins.Dns.Server.ZoneViewProvider=Information \
    dotnet "$BIN/Edgeplane.Host.dll" --urls "http://127.0.0.1:$HTTP_PORT" >>"$WORK/host.log" 2>&1 &
  HOST_PID=$!
}

start_nsd() {
  /usr/sbin/nsd -d -c "$WORK/nsd.conf" >>"$WORK/nsd.out" 2>&1 &
  NSD_PID=$!
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# CPU time (user + system, in clock ticks) a process has used.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# The host's counts of committed record writes and of the transactions that held them (group commit).
write_counts() {
  curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | awk '/^edgeplane_dns_record_writes_total/ {w += $NF} /^edgeplane_dns_record_write_transactions_total/ {t += $NF} END {print w + 0, t + 0}'
}

echo "== starting Edgeplane (HTTP 127.0.0.1:$HTTP_PORT, DNS 127.0.0.1:$EP_PORT, UdpWorkers $WORKERS)"
start_host
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null && break; sleep 0.1; done

echo "== loading $ZONES zones x $RECORDS records through the API ($SINGLE_ZONES zones with single adds, the others with the bulk API)"
python3 "$HELPER" load "$BASE" "$KEY" "$ZONES" "$RECORDS" "$SINGLE_ZONES" "$WORK/names.txt"
echo "   $(wc -l <"$WORK/names.txt") distinct names with data"

if [ "$MODE" = consistency ]; then
  mkdir -p "$WORK/secondary"
  python3 "$HELPER" secondary "$EP_PORT" "$ZONES" "$WORK/secondary"
  cat >"$WORK/secondary/nsd.conf" <<NSD
server:
  ip-address: 127.0.0.1@$SECONDARY_PORT
  username: ""
  chroot: ""
  zonesdir: "$WORK/secondary"
  database: ""
  pidfile: "$WORK/secondary/nsd.pid"
  xfrdfile: "$WORK/secondary/xfrd.state"
  zonelistfile: "$WORK/secondary/zone.list"
  xfrdir: "$WORK/secondary"
  logfile: "$WORK/secondary/nsd.log"
  # Fewer parallel transfers than the host's MaxTcpConnectionsPerClient (16): connections beyond it are closed at once.
  xfrd-tcp-max: 8
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
include: "$WORK/secondary/zones.conf"
NSD
  echo "== NSD secondary of all $ZONES zones on 127.0.0.1:$SECONDARY_PORT (NOTIFY + IXFR from Edgeplane)"
  /usr/sbin/nsd -d -c "$WORK/secondary/nsd.conf" >>"$WORK/secondary/nsd.out" 2>&1 &
  SECONDARY_PID=$!
  echo "   in sync after the initial transfers: $(python3 "$HELPER" synced "$EP_PORT" "$SECONDARY_PORT" "$ZONES" 600) s"
  echo "== $EDITS random single adds and deletes from $CLIENTS concurrent API clients"
  python3 "$HELPER" edits "$BASE" "$KEY" "$ZONES" "$RECORDS" "$EDITS" "$CLIENTS" "$WORK/names.txt"
  echo "   secondary in sync $(python3 "$HELPER" synced "$EP_PORT" "$SECONDARY_PORT" "$ZONES" 600) s after the last edit's answer"
  echo "== comparing"
  python3 "$HELPER" axfr "$EP_PORT" "$SECONDARY_PORT" "$ZONES" || { tail -20 "$WORK/secondary/nsd.log"; exit 1; }
  python3 "$HELPER" same "$EP_PORT" "$SECONDARY_PORT" "$WORK/names.txt" "${NAMES_CHECKED:-1000}"
  curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | grep '^edgeplane_dns_transfers_total' | sed 's/^/   /'
  exit 0
fi

echo "== exporting every zone; NSD on 127.0.0.1:$NSD_PORT with server-count $WORKERS"
python3 "$HELPER" export "$BASE" "$KEY" "$ZONES" "$WORK/zones"
cat >"$WORK/nsd.conf" <<NSD
server:
  ip-address: 127.0.0.1@$NSD_PORT
  username: ""
  chroot: ""
  zonesdir: "$WORK/zones"
  database: ""
  pidfile: "$WORK/nsd.pid"
  xfrdfile: "$WORK/xfrd.state"
  zonelistfile: "$WORK/zone.list"
  xfrdir: "$WORK"
  logfile: "$WORK/nsd.log"
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
  server-count: $WORKERS
remote-control:
  control-enable: no
include: "$WORK/zones/zones.conf"
NSD
start_nsd
python3 "$HELPER" answered "$NSD_PORT" "$LAST" 120 >/dev/null
python3 "$HELPER" answered "$EP_PORT" "$LAST" 30 >/dev/null
python3 "$HELPER" same "$EP_PORT" "$NSD_PORT" "$WORK/names.txt" 200
python3 "$HELPER" queries "$WORK/names.txt" "$ZONES" "$QUERIES" "$WORK/queries.txt"

. "$(dirname "$0")/measure.sh"

echo "== query mix, unthrottled (dnsperf -T 2 -c 8, ${DURATION}s each)"
run nsd "$NSD_PORT" -T 2 -c 8
run edgeplane "$EP_PORT" -T 2 -c 8
HALF=$(python3 -c "print(max(1000, int(float(open('$WORK/edgeplane.qps').read()) / 2)))")
echo "== latency at half of Edgeplane's unthrottled rate ($HALF q/s)"
p99 nsd-half "$NSD_PORT" "$HALF"
p99 edgeplane-half "$EP_PORT" "$HALF"

read -r EP_RSS EP_PSS <<<"$(memory "$HOST_PID")"
read -r NSD_RSS NSD_PSS <<<"$(memory "$NSD_PID")"
TOTAL=$(( ZONES * RECORDS ))
echo "== memory with $TOTAL records: Edgeplane RSS $EP_RSS MiB (Pss $EP_PSS), NSD RSS $NSD_RSS MiB summed over its processes (Pss $NSD_PSS)"

echo "== API 201 -> answer over UDP ($EDITS single adds to random zones, polled in a tight UDP loop)"
python3 "$HELPER" propagation "$BASE" "$KEY" "$EP_PORT" "$ZONES" "$EDITS"

echo "== single adds: the curve over ADD_CONCURRENCY ($ADD_CONCURRENCY) concurrent clients, each client kind in turn"
for CLIENT in $ADD_CLIENT; do
for CLIENTS in $ADD_CONCURRENCY; do
  read -r W0 T0 <<<"$(write_counts)"
  C0=$(cpu_ticks "$HOST_PID")
  if [ "$CLIENT" = wrk ]; then
    echo "== single adds from $CLIENTS concurrent connections of wrk (${ADD_SECONDS}s of adds to random zones)"
    /usr/bin/time -f '%U %S' -o "$WORK/client.cpu" wrk -t 2 -c "$CLIENTS" -d "${ADD_SECONDS}s" --latency -s "$ROOT/bench/dns/adds.lua" \
      "http://127.0.0.1:$HTTP_PORT" -- /dns/api "$KEY" "$ZONES" "$RANDOM$RANDOM" >"$WORK/wrk.out"
    grep '^wrk:' "$WORK/wrk.out" | sed 's/^wrk: /   /'
    DONE=$(sed -n 's/^wrk: \([0-9]*\) adds.*/\1/p' "$WORK/wrk.out")
  else
    echo "== single adds from $CLIENTS concurrent API clients ($ADDS adds to random zones)"
    /usr/bin/time -f '%U %S' -o "$WORK/client.cpu" python3 "$HELPER" concurrent "$BASE" "$KEY" "$ZONES" "$CLIENTS" "$ADDS"
    DONE=$ADDS
  fi
  C1=$(cpu_ticks "$HOST_PID")
  read -r W1 T1 <<<"$(write_counts)"
  echo "   $(( W1 - W0 )) record writes committed in $(( T1 - T0 )) transactions (group commit: $(python3 -c "print(f'{($W1 - $W0) / max(1, $T1 - $T0):.1f}')") writes per commit)"
  echo "   host CPU $(python3 -c "print(f'{($C1 - $C0) * 1000 / $(getconf CLK_TCK) / $DONE:.2f}')") ms per add (user + system), client ($CLIENT) $(awk -v n="$DONE" '{printf "%.2f", ($1 + $2) * 1000 / n}' "$WORK/client.cpu") ms; load average $(cut -d' ' -f1-3 /proc/loadavg)"
done
done

echo "== restart -> $LAST answered"
# From just before the server's start to the answer's arrival in the client, which polls before the server starts: its
# own start (python behind a pyenv shim: ~0.5 s here) and exit are not the server's.
restart() {
  local port=$1 polling="$WORK/polling" answered
  rm -f "$polling"
  python3 "$HELPER" answered "$port" "$LAST" 120 "$polling" >"$WORK/answered" &
  answered=$!
  while [ ! -e "$polling" ]; do sleep 0.01; done
  T0=$(now); "$2"
  wait "$answered"
  RESTART=$(elapsed "$T0" "$(cat "$WORK/answered")")
}
stop "$NSD_PID"; restart "$NSD_PORT" start_nsd; NSD_RESTART=$RESTART
stop "$HOST_PID"; restart "$EP_PORT" start_host; EP_RESTART=$RESTART
echo "   NSD $NSD_RESTART s, Edgeplane $EP_RESTART s (process start included)"
grep -o 'DNS view served from the snapshot.*' "$WORK/host.log" | tail -1 | sed 's/^/   Edgeplane: /' || echo "   Edgeplane did not serve a snapshot"

python3 - "$WORK" "$TOTAL" "$EP_RSS" "$NSD_RSS" <<'PY'
import sys
w, total, ep, nsd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
r = lambda n: float(open(f"{w}/{n}.qps").read())
print(f"== Edgeplane/NSD: q/s {r('edgeplane') / r('nsd'):.2f}, RSS {ep / max(nsd, 1):.2f}x "
      f"({ep * 1024 * 1024 / total:,.0f} vs {nsd * 1024 * 1024 / total:,.0f} bytes per record)")
PY
