#!/usr/bin/env bash
# CPU per GET of Edgeplane hosts with the CRS at paranoia level 1, side by side under the same load: on a shared machine
# the proxy's CPU time (utime + stime) over wrk's request count compares builds where req/s alone swings too much.
# Usage: bench/waf/cpu-per-get.sh SECONDS ROUNDS LABEL=HOST_BUILD_DIR...   (a build dir: a copy of src/Host/bin/Release/net10.0)
# All hosts start together; each is warmed like run.sh warms it (WARMUP seconds of GET, then of the 2 KB POST, -t1 -c8),
# then after IDLE seconds each runs ROUNDS rounds of SECONDS of wrk -t2 -c32 GET in turn. Everything on 127.0.0.1.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
secs=$1; rounds=$2; shift 2
source "$here/servers.sh"
require_tools nginx wrk curl dotnet python3
tmp="$(mktemp -d /tmp/waf-cpu.XXXXXX)"
trap cleanup_servers EXIT
start_upstream
declare -A proxy api
for entry in "$@"; do
  label="${entry%%=*}"; hostdir="${entry#*=}"
  proxy[$label]=$(port); api[$label]=$(port)
  start_edgeplane "$label" "${proxy[$label]}" "${api[$label]}" CoreRuleSet=true ParanoiaLevel=1 DefaultRuleSet=false
done
for entry in "$@"; do label="${entry%%=*}"; wait_edgeplane "$label" "${proxy[$label]}" "${api[$label]}"; done
get() { echo "http://127.0.0.1:$1/api/v1/products?page=2"; }
for entry in "$@"; do
  label="${entry%%=*}"
  wrk -t1 -c8 -d"${WARMUP:-5}s" -H 'Host: shop.example' "$(get "${proxy[$label]}")" >/dev/null
  wrk -t1 -c8 -d"${WARMUP:-5}s" -H 'Host: shop.example' -s "$here/form-post.lua" "http://127.0.0.1:${proxy[$label]}/comment" >/dev/null
done
sleep "${IDLE:-10}"
ticks=$(getconf CLK_TCK)
for i in $(seq 1 "$rounds"); do
  for entry in "$@"; do
    label="${entry%%=*}"
    pid=$(ss -ltnp "sport = :${proxy[$label]}" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
    before=$(awk '{print $14+$15}' "/proc/$pid/stat")
    out=$(wrk -t2 -c32 -d"${secs}s" -H 'Host: shop.example' "$(get "${proxy[$label]}")")
    after=$(awk '{print $14+$15}' "/proc/$pid/stat")
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    echo "round $i $label: $(awk '/^Requests\/sec:/ {print $2}' <<<"$out") GET/s, $(python3 -c "print(round(($after-$before)/$ticks*1e6/$requests,1))") us CPU per GET (load $(cut -d' ' -f1 /proc/loadavg))"
  done
done
