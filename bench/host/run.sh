#!/usr/bin/env bash
# Issue 2's host benchmarks, Edgeplane and the reference measured in the same run, loopback only:
#  (a) start → first 200: the host (Release) with every plugin in its default plugin directory plus
#      the bench plugin, until GET /bench/ping answers 200, against a bare ASP.NET Core minimal API
#      (bench/host/bare, Release) until GET /ping answers 200; median of RUNS starts each.
#  (b) requests/s through the plugin route (/bench/ping) against the same handler mapped directly
#      in the bare app (/ping): both servers up side by side, a warm-up (WARMUP, 10 s) each, then ROUNDS
#      (7) rounds of wrk -t2 -c64 -d10s --latency alternating host and bare; medians, and the median of
#      the rounds' ratios (alternating cancels the drift of a shared machine's load).
#  Also: start → ready (/readyz reports every plugin's background services started) and CPU time used to
#  the first 200; and (b) once more with the host composed on Autofac (Edgeplane:UseAutofac=true), the
#  container it uses when a plugin brings an Autofac module.
# Both apps run with their own output folder as content root, so each reads its appsettings.json
# (the bare app's is `dotnet new web`'s: Microsoft.AspNetCore logs at Warning).
# Prints both figures and the ratios. Environment: RUNS (default 5), ROUNDS (default 7), DURATION (default 10s).
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"

RUNS="${RUNS:-5}"
ROUNDS="${ROUNDS:-7}"
DURATION="${DURATION:-10s}"

command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -qq wrk >/dev/null; }

echo "== building (Release)"
dotnet build src/Host -c Release -nologo -clp:ErrorsOnly -v:q
dotnet build bench/host/BenchPlugin -c Release -nologo -clp:ErrorsOnly -v:q
dotnet build bench/host/bare -c Release -nologo -clp:ErrorsOnly -v:q

host_dll="$root/src/Host/bin/Release/net10.0/Edgeplane.Host.dll"
default_plugins="$root/src/Host/bin/Release/net10.0/plugins"
bench_plugins="$root/bench/host/bin/Release/plugins"
bare_dll="$root/bench/host/bare/bin/Release/net10.0/Edgeplane.Bench.Bare.dll"
host_root="$(dirname "$host_dll")"
bare_root="$(dirname "$bare_dll")"
work="$(mktemp -d /tmp/edgeplane-bench-host.XXXXXX)"
server_pid=""
side_pids=()
cleanup() {
  for pid in "$server_pid" "${side_pids[@]}"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)); }

export ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production
export Edgeplane__DataDirectory="$work/data"
export Edgeplane__Plugins__Directories="$default_plugins;$bench_plugins"
export Edgeplane__Bootstrap__AdminApiKey="ep_bench_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# start_server NAME URL DLL [ARGS...]: starts the server (pid in server_pid), waits for URL to answer
# 200 and sets elapsed_ms. Not run in a subshell, so that stop_server can always end the server.
start_server() {
  local name="$1" url="$2"; shift 2
  local t0 t1
  t0=$(date +%s%N)
  dotnet "$@" >"$work/$name.log" 2>&1 &
  server_pid=$!
  until curl -sf -o /dev/null "$url"; do
    if ! kill -0 "$server_pid" 2>/dev/null; then echo "$name exited:" >&2; cat "$work/$name.log" >&2; exit 1; fi
    if (( $(date +%s%N) - t0 > 60000000000 )); then echo "$name did not answer $url in 60 s" >&2; exit 1; fi
    sleep 0.005
  done
  t1=$(date +%s%N)
  elapsed_ms=$(( (t1 - t0) / 1000000 ))
  cpu_ms=$(( $(cpu_ticks) * 1000 / $(getconf CLK_TCK) ))
  ready_ms=""
  if [ "$name" = host ]; then
    local base="${url%/bench/ping}"
    until curl -s "$base/readyz" | grep -q '"plugin-startup","status":"healthy"'; do sleep 0.005; done
    ready_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  fi
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

# CPU time (user + system, in clock ticks) the server process (PID, default the last started) has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/${1:-$server_pid}/stat"; }

# bench_wrk URL: after a warm-up, EXTRA_ROUNDS (2) rounds; prints "RPS P99 CPU_US" where RPS and P99 are the
# best round's and CPU_US is the server's CPU time per request over all rounds (microseconds): on a
# shared machine throughput follows the neighbours' load, CPU per request much less so.
bench_wrk() {
  local url="$1" best_rps=0 best_p99="" out rps p99 requests=0 ticks_before ticks_after
  # warm up until tiered compilation has promoted the hot path (the host has more code to promote), then let it settle
  wrk -t2 -c64 -d"${WARMUP:-10s}" "$url" >/dev/null
  sleep 2
  ticks_before=$(cpu_ticks)
  for _ in $(seq "${EXTRA_ROUNDS:-2}"); do
    out="$(wrk -t2 -c64 -d"$DURATION" --latency "$url")"
    if grep -q "Non-2xx" <<<"$out"; then echo "non-2xx answers from $url:" >&2; echo "$out" >&2; exit 1; fi
    rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
    p99="$(awk '$1 == "99%" { print $2 }' <<<"$out")"
    requests=$(( requests + $(awk '/requests in/ { print $1 }' <<<"$out") ))
    if awk -v a="$rps" -v b="$best_rps" 'BEGIN { exit !(a > b) }'; then best_rps="$rps"; best_p99="$p99"; fi
  done
  ticks_after=$(cpu_ticks)
  awk -v r="$best_rps" -v p="$best_p99" -v t=$(( ticks_after - ticks_before )) -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN { printf "%s %s %.1f\n", r, p, t / hz * 1e6 / n }'
}

echo "== plugins in the default directory: $(ls "$default_plugins" 2>/dev/null | tr '\n' ' ')(+ bench)"

echo "== (a) start → first 200, $RUNS starts each"
port=$(free_port)
start_server host "http://127.0.0.1:$port/bench/ping" "$host_dll" --urls "http://127.0.0.1:$port" --contentRoot "$host_root"
first_run=$elapsed_ms
grep -E "Plugin .*: " "$work/host.log" | sed 's/^/   /' || true
stop_server
host_times=(); host_ready=(); host_cpus=(); bare_times=(); bare_cpus=()
for i in $(seq "$RUNS"); do
  port=$(free_port)
  start_server host "http://127.0.0.1:$port/bench/ping" "$host_dll" --urls "http://127.0.0.1:$port" --contentRoot "$host_root"
  host_times+=("$elapsed_ms"); host_ready+=("$ready_ms"); host_cpus+=("$cpu_ms")
  stop_server
  port=$(free_port)
  start_server bare "http://127.0.0.1:$port/ping" "$bare_dll" --urls "http://127.0.0.1:$port" --contentRoot "$bare_root"
  bare_times+=("$elapsed_ms"); bare_cpus+=("$cpu_ms")
  stop_server
done
host_start=$(printf '%s\n' "${host_times[@]}" | median)
host_ready_ms=$(printf '%s\n' "${host_ready[@]}" | median)
host_start_cpu=$(printf '%s\n' "${host_cpus[@]}" | median)
bare_start=$(printf '%s\n' "${bare_times[@]}" | median)
bare_start_cpu=$(printf '%s\n' "${bare_cpus[@]}" | median)
echo "   host runs: ${host_times[*]} ms to first 200, ${host_ready[*]} ms to ready, ${host_cpus[*]} ms CPU (first run on an empty data directory, migrating: $first_run ms)"
echo "   bare runs: ${bare_times[*]} ms, ${bare_cpus[*]} ms CPU"

echo "== (a') the same, both apps published ReadyToRun (build/publish.sh; the bench plugin and the bare app with the same flags), $RUNS starts each"
build/publish.sh "$work/pub" >/dev/null
r2r() { dotnet publish "$1" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$2" -nologo -clp:ErrorsOnly >/dev/null; }
r2r bench/host/BenchPlugin "$work/bench-pub/BenchPlugin"
r2r bench/host/bare "$work/bare-pub"
r2r_host_times=(); r2r_host_ready=(); r2r_host_cpus=(); r2r_bare_times=(); r2r_bare_cpus=()
for i in $(seq "$RUNS"); do
  port=$(free_port)
  Edgeplane__Plugins__Directories="$work/pub/plugins;$work/bench-pub" \
    start_server host "http://127.0.0.1:$port/bench/ping" "$work/pub/Edgeplane.Host.dll" --urls "http://127.0.0.1:$port" --contentRoot "$work/pub"
  r2r_host_times+=("$elapsed_ms"); r2r_host_ready+=("$ready_ms"); r2r_host_cpus+=("$cpu_ms")
  stop_server
  port=$(free_port)
  start_server bare "http://127.0.0.1:$port/ping" "$work/bare-pub/Edgeplane.Bench.Bare.dll" --urls "http://127.0.0.1:$port" --contentRoot "$work/bare-pub"
  r2r_bare_times+=("$elapsed_ms"); r2r_bare_cpus+=("$cpu_ms")
  stop_server
done
r2r_host_start=$(printf '%s\n' "${r2r_host_times[@]}" | median)
r2r_host_cpu=$(printf '%s\n' "${r2r_host_cpus[@]}" | median)
r2r_host_ready_ms=$(printf '%s\n' "${r2r_host_ready[@]}" | median)
r2r_bare_start=$(printf '%s\n' "${r2r_bare_times[@]}" | median)
r2r_bare_cpu=$(printf '%s\n' "${r2r_bare_cpus[@]}" | median)
echo "   host runs: ${r2r_host_times[*]} ms to first 200, ${r2r_host_ready[*]} ms to ready, ${r2r_host_cpus[*]} ms CPU"
echo "   bare runs: ${r2r_bare_times[*]} ms, ${r2r_bare_cpus[*]} ms CPU"

echo "== (b) requests/s, host and bare side by side, $ROUNDS alternating rounds of wrk -t2 -c64 -d$DURATION"
port=$(free_port)
start_server host "http://127.0.0.1:$port/bench/ping" "$host_dll" --urls "http://127.0.0.1:$port" --contentRoot "$host_root"
host_pid=$server_pid; host_url="http://127.0.0.1:$port/bench/ping"; side_pids+=("$host_pid"); server_pid=""
port=$(free_port)
start_server bare "http://127.0.0.1:$port/ping" "$bare_dll" --urls "http://127.0.0.1:$port" --contentRoot "$bare_root"
bare_pid=$server_pid; bare_url="http://127.0.0.1:$port/ping"; side_pids+=("$bare_pid"); server_pid=""
# warm up until tiered compilation has promoted the hot paths, then let it settle
wrk -t2 -c64 -d"${WARMUP:-10s}" "$host_url" >/dev/null
wrk -t2 -c64 -d"${WARMUP:-10s}" "$bare_url" >/dev/null
sleep 2
# round SIDE PID URL: one wrk round; prints "RPS P99 CPU_US" (CPU_US: the server's CPU time per request)
round() {
  local before out requests
  before=$(cpu_ticks "$2")
  out="$(wrk -t2 -c64 -d"$DURATION" --latency "$3")"
  if grep -q "Non-2xx" <<<"$out"; then echo "non-2xx answers from $3:" >&2; echo "$out" >&2; exit 1; fi
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  awk -v r="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")" -v p="$(awk '$1 == "99%" { print $2 }' <<<"$out")" \
    -v t=$(( $(cpu_ticks "$2") - before )) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN { printf "%s %s %.1f\n", r, p, t / hz * 1e6 / n }'
}
host_rounds=(); bare_rounds=(); ratios=()
for i in $(seq "$ROUNDS"); do
  h="$(round host "$host_pid" "$host_url")"; b="$(round bare "$bare_pid" "$bare_url")"
  host_rounds+=("$h"); bare_rounds+=("$b")
  ratios+=("$(awk -v h="${h%% *}" -v b="${b%% *}" 'BEGIN { printf "%.3f", h / b }')")
  echo "   round $i: host $h | bare $b | ratio ${ratios[-1]}"
done
column() { printf '%s\n' "${@:2}" | awk -v c="$1" '{ print $c }'; }
median_f() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
host_rps=$(column 1 "${host_rounds[@]}" | median_f); bare_rps=$(column 1 "${bare_rounds[@]}" | median_f)
to_ms() { awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /[0-9]s$/) v *= 1000; print v }'; }
host_p99=$(column 2 "${host_rounds[@]}" | to_ms | median_f); bare_p99=$(column 2 "${bare_rounds[@]}" | to_ms | median_f)
host_cpu=$(column 3 "${host_rounds[@]}" | median_f); bare_cpu=$(column 3 "${bare_rounds[@]}" | median_f)
ratio_median=$(printf '%s\n' "${ratios[@]}" | median_f)
curl -s "${host_url%/bench/ping}/metrics" | grep -E '^http_server_request_duration_seconds_count\{.*plugin="bench"' | sed 's/^/   /' || true
for pid in "${side_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
side_pids=()

port=$(free_port)
start_server host "http://127.0.0.1:$port/bench/ping" "$host_dll" --urls "http://127.0.0.1:$port" --contentRoot "$host_root" --Edgeplane:UseAutofac=true
read -r autofac_rps autofac_p99 autofac_cpu < <(bench_wrk "http://127.0.0.1:$port/bench/ping")
stop_server
port=$(free_port)
DOTNET_gcServer=1 start_server bare "http://127.0.0.1:$port/ping" "$bare_dll" --urls "http://127.0.0.1:$port" --contentRoot "$bare_root"
read -r bare_sgc_rps bare_sgc_p99 bare_sgc_cpu < <(bench_wrk "http://127.0.0.1:$port/ping")
stop_server

echo
echo "| measure | Edgeplane host | bare minimal API | ratio |"
echo "| --- | --- | --- | --- |"
awk -v h="$host_start" -v b="$bare_start" 'BEGIN { printf "| start → first 200 (median) | %d ms | %d ms | %.2fx |\n", h, b, h / b }'
awk -v h="$host_ready_ms" -v b="$bare_start" 'BEGIN { printf "| start → ready, plugins\x27 background services started (median) | %d ms | %d ms | %.2fx |\n", h, b, h / b }'
awk -v h="$host_start_cpu" -v b="$bare_start_cpu" 'BEGIN { printf "| CPU time used to the first 200 (median) | %d ms | %d ms | %.2fx |\n", h, b, h / b }'
awk -v h="$r2r_host_start" -v b="$r2r_bare_start" 'BEGIN { printf "| start → first 200, both published ReadyToRun (median) | %d ms | %d ms | %.2fx |\n", h, b, h / b }'
awk -v h="$r2r_host_ready_ms" -v b="$r2r_bare_start" 'BEGIN { printf "| start → ready, published ReadyToRun (median) | %d ms | %d ms | %.2fx |\n", h, b, h / b }'
awk -v h="$r2r_host_cpu" -v b="$r2r_bare_cpu" 'BEGIN { printf "| CPU time used to the first 200, published ReadyToRun (median) | %d ms | %d ms | %.2fx |\n", h, b, h / b }'
awk -v h="$host_rps" -v b="$bare_rps" -v hp="$host_p99" -v bp="$bare_p99" -v r="$ratio_median" \
  'BEGIN { printf "| GET /ping requests/s, median of the rounds (p99) | %.0f (%s ms) | %.0f (%s ms) | %.3f (%.1f%% fewer); median of the rounds\x27 ratios %.3f |\n", h, hp, b, bp, h / b, (1 - h / b) * 100, r }'
awk -v h="$host_cpu" -v b="$bare_cpu" \
  'BEGIN { printf "| server CPU per request, median of the rounds | %.1f µs | %.1f µs | %.2fx (%.1f%% more) |\n", h, b, h / b, (h / b - 1) * 100 }'
awk -v h="$autofac_rps" -v b="$bare_rps" -v hp="$autofac_p99" -v c="$autofac_cpu" -v bc="$bare_cpu" \
  'BEGIN { printf "| same on Autofac (Edgeplane:UseAutofac): requests/s (p99), CPU per request | %.0f (%s), %.1f µs | | %.3f, %.2fx |\n", h, hp, c, h / b, c / bc }'
awk -v h="$host_rps" -v b="$bare_sgc_rps" -v bp="$bare_sgc_p99" -v c="$host_cpu" -v bc="$bare_sgc_cpu" \
  'BEGIN { printf "| bare app on server GC (`dotnet new web`\x27s default): requests/s (p99), CPU per request | | %.0f (%s), %.1f µs | %.3f, %.2fx |\n", b, bp, bc, h / b, c / bc }'
echo
echo "load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
