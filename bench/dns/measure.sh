# dnsperf measurements shared by run.sh and scale.sh (sourced; they set WORK, DURATION and write $WORK/queries.txt).

run() { # name port extra-args...: throughput, average latency and losses; the rate goes to $WORK/<name>.qps
  local name=$1 port=$2; shift 2
  dnsperf -s 127.0.0.1 -p "$port" -d "$WORK/queries.txt" -l "$DURATION" "$@" >"$WORK/$name.out" 2>&1
  local qps lat lost
  qps=$(awk '/Queries per second/ {print $4}' "$WORK/$name.out")
  lat=$(awk '/Average Latency/ {print $4}' "$WORK/$name.out")
  lost=$(awk '/Queries lost/ {print $3}' "$WORK/$name.out")
  printf '   %-30s %12s q/s   avg %8s s   lost %s\n' "$name" "$qps" "$lat" "$lost"
  echo "$qps" >"$WORK/$name.qps"
}

p99() { # name port rate: per-query latencies from dnsperf -v at a fixed rate
  local name=$1 port=$2 rate=$3
  dnsperf -s 127.0.0.1 -p "$port" -d "$WORK/queries.txt" -l "$DURATION" -c 4 -Q "$rate" -v 2>/dev/null >"$WORK/$name.v"
  python3 - "$WORK/$name.v" "$name" "$rate" <<'PY'
import sys
lat = sorted(float(l.split()[-1]) for l in open(sys.argv[1]) if l.startswith("> "))
if not lat: print(f"   {sys.argv[2]}: no samples"); sys.exit()
pick = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
print(f"   {sys.argv[2]:<30} at {sys.argv[3]:>7} q/s: p50 {pick(.5):.3f} ms  p99 {pick(.99):.3f} ms  max {lat[-1]*1000:.3f} ms  ({len(lat)} answers)")
PY
}
