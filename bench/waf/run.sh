#!/usr/bin/env bash
# WAF benchmark: the same nginx upstream on 127.0.0.1, measured with wrk in one run:
#   direct; nginx reverse proxy (no WAF); nginx + ModSecurity v3 + OWASP CRS at paranoia level 1 (Debian's packages);
#   Edgeplane's WAF proxy with its default rules; Edgeplane with the same CRS files at paranoia level 1 (its default
#   rules off: CRS against CRS); and the latter with 50,000 operator rules bulk-imported on top of the CRS.
# Throughput (wrk -t2 -c32, GET and a 2 KB form POST); added latency without queueing (one connection, the paths in
# alternating rounds, medians of the rounds); then the block rate on attacks.txt and the false-positive rate on
# benign.txt. Everything listens on 127.0.0.1 only. Prints the load average: on a shared machine compare within one run.
# Needs: dotnet, nginx, libnginx-mod-http-modsecurity, modsecurity-crs, libmodsecurity3, wrk, curl, python3.
# Usage: bench/waf/run.sh [seconds-per-run]   (DURATION, THREADS, CONNECTIONS, WARMUP, LATENCY_ROUNDS, LATENCY_SECONDS,
#   OPERATOR_RULES (50000), CONFIGURATION (Release), BUILD=0 in the environment also work; MODE=latency runs only the
#   latency part). A short smoke run: bench/waf/run.sh 1 with LATENCY_ROUNDS=1 LATENCY_SECONDS=1 WARMUP=1 OPERATOR_RULES=10000.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
duration="${1:-${DURATION:-10}}"
threads="${THREADS:-2}"
connections="${CONNECTIONS:-32}"
warmup="${WARMUP:-2}"
operator_rules="${OPERATOR_RULES:-50000}"
source "$here/servers.sh"
require_tools nginx wrk curl dotnet python3
tmp="$(mktemp -d /tmp/waf-bench.XXXXXX)"
trap cleanup_servers EXIT

start_upstream
np_port=$(port); ms_port=$(port); ep_port=$(port); ep_api=$(port); crs_port=$(port); crs_api=$(port)
start_nginx_proxy "$np_port"
start_modsecurity "$ms_port" 1
build_edgeplane "${CONFIGURATION:-Release}"
start_edgeplane default "$ep_port" "$ep_api"
start_edgeplane crs "$crs_port" "$crs_api" CoreRuleSet=true ParanoiaLevel=1 DefaultRuleSet=false
wait_edgeplane default "$ep_port" "$ep_api"
wait_edgeplane crs "$crs_port" "$crs_api"
require_blocking "nginx + ModSecurity + CRS" "$ms_port"
require_blocking "Edgeplane (default rules)" "$ep_port"
require_blocking "Edgeplane (CRS)" "$crs_port"

get_url() { echo "http://127.0.0.1:$1/api/v1/products?page=2"; }
post_url() { echo "http://127.0.0.1:$1/comment"; }
ms_to_number() { awk -v q="$1" '$1==q {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; printf "%.3f", v}'; }
warm() { # port...
  for p in "$@"; do
    wrk -t1 -c8 -d"${warmup}s" -H 'Host: shop.example' "$(get_url "$p")" >/dev/null
    wrk -t1 -c8 -d"${warmup}s" -H 'Host: shop.example' -s "$here/form-post.lua" "$(post_url "$p")" >/dev/null
  done
}

# Added latency, without queueing: one connection, one request at a time (wrk -c1), each path in turn for
# LATENCY_ROUNDS rounds so that drifting machine load hits all alike; the median of each path's per-round p50/p99.
declare -A lat50 lat99
latency() { # label=port...
  local rounds="${LATENCY_ROUNDS:-5}" secs="${LATENCY_SECONDS:-5}" i entry label p out line
  declare -A r50 r99
  for i in $(seq 1 "$rounds"); do
    line="latency round $i:"
    for entry in "$@"; do
      label="${entry%=*}"; p="${entry##*=}"
      out=$(wrk -t1 -c1 -d"${secs}s" --latency -H 'Host: shop.example' "$(get_url "$p")")
      r50[$label]+="$(ms_to_number 50% <<<"$out") "; r99[$label]+="$(ms_to_number 99% <<<"$out") "
      line+=" $label $(ms_to_number 50% <<<"$out")/$(ms_to_number 99% <<<"$out") ms;"
    done
    echo "$line (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  done
  med() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
  for entry in "$@"; do
    label="${entry%=*}"
    lat50[$label]=$(med "${r50[$label]}"); lat99[$label]=$(med "${r99[$label]}")
  done
}
added() { python3 -c "import sys; print(f'{float(sys.argv[1])-float(sys.argv[2]):+.3f}')" "$1" "$2"; }
inspection() { # api-port: the inspection time alone, from the secbeat_inspection_seconds histogram
  curl -s -H "X-SecBeat-API-Key: $key" "http://127.0.0.1:$1/waf/metrics" | python3 -c '
import sys,re
b=[(float("inf") if m.group(1)=="+Inf" else float(m.group(1)), float(m.group(2))) for m in re.finditer(r"secbeat_inspection_seconds_bucket\{[^}]*le=\"([^\"]+)\"[^}]*\} (\S+)", sys.stdin.read())]
b.sort(); t=b[-1][1] if b else 0
q=lambda f: next((le for le,c in b if c>=f*t), float("nan"))
print(f"{t:.0f} requests inspected, p50 <= {q(.5)*1e6:.0f} us, p99 <= {q(.99)*1e6:.0f} us (histogram bucket bounds)")'
}
paths=("direct=$up_port" "nginx-proxy=$np_port" "modsecurity-crs=$ms_port" "edgeplane-default=$ep_port" "edgeplane-crs=$crs_port")

if [ "${MODE:-}" = latency ]; then
  warm "$ep_port" "$crs_port" "$ms_port"
  latency "${paths[@]}"
  cat <<OUT

Added latency (one connection, ${LATENCY_ROUNDS:-5} rounds of ${LATENCY_SECONDS:-5}s; medians of the rounds; load average now $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores)

| path | p50 ms | p99 ms | added p50 ms | added p99 ms |
| --- | ---: | ---: | ---: | ---: |
OUT
  for entry in "${paths[@]}"; do
    label="${entry%=*}"
    echo "| $label | ${lat50[$label]} | ${lat99[$label]} | $(added "${lat50[$label]}" "${lat50[direct]}") | $(added "${lat99[$label]}" "${lat99[direct]}") |"
  done
  echo
  echo "Edgeplane inspection time alone, default rules: $(inspection "$ep_api")"
  echo "Edgeplane inspection time alone, CRS: $(inspection "$crs_api")"
  exit 0
fi

declare -A rps p99
run() { # label url [lua]
  local out non2xx
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -H 'Host: shop.example' ${3:+-s "$3"} "$2")
  rps[$1]=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99[$1]=$(ms_to_number 99% <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '%-40s %10s req/s   p99 %8s ms   %s\n' "$1" "${rps[$1]}" "${p99[$1]}" "${non2xx:+non-2xx: $non2xx}" >&2
}

echo "== ${duration}s per run, $threads threads, $connections connections (after a ${warmup}s warm-up of each proxy)" >&2
warm "$ms_port" "$ep_port" "$crs_port" "$np_port"
for entry in "${paths[@]}"; do run "${entry%=*} GET" "$(get_url "${entry##*=}")"; done
for entry in "${paths[@]}"; do [ "${entry%=*}" = nginx-proxy ] || run "${entry%=*} POST" "$(post_url "${entry##*=}")" "$here/form-post.lua"; done
latency "${paths[@]}"

# detection: every corpus line against the three WAFs
detect() { # port file -> blocked count
  local n=0 c target
  while IFS= read -r target; do
    [ -z "$target" ] && continue
    c=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: shop.example' -A 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0' "http://127.0.0.1:$1$target")
    [ "$c" = 403 ] && n=$((n+1))
  done < "$2"
  echo "$n"
}
declare -A attacks_blocked benign_blocked
for entry in "modsecurity-crs=$ms_port" "edgeplane-default=$ep_port" "edgeplane-crs=$crs_port"; do
  attacks_blocked[${entry%=*}]=$(detect "${entry##*=}" "$here/attacks.txt"); benign_blocked[${entry%=*}]=$(detect "${entry##*=}" "$here/benign.txt")
done

# OPERATOR_RULES operator rules on top of the CRS, through the bulk import route (10,000 per call)
python3 - "$tmp/rules" "$operator_rules" <<'PY'
import json, random, string, sys
random.seed(1)
w = lambda: ''.join(random.choice(string.ascii_lowercase) for _ in range(random.randint(5, 9)))
shapes = [lambda: f"(?i){w()}[_-]?{w()}", lambda: rf"{w()}\s*=\s*\d+{w()}", lambda: rf"(?i)(?:{w()}|{w()})\.php\?{w()}=", lambda: rf"/{w()}/{w()}\.(?:bak|old)"]
total = int(sys.argv[2])
for part, start in enumerate(range(0, total, 10000)):
    json.dump({"rules": [{"pattern": shapes[i % 4](), "action": "block", "severity": "high"} for i in range(start, min(total, start + 10000))]},
              open(f"{sys.argv[1]}.{part}.json", "w"))
PY
for file in "$tmp"/rules.*.json; do
  [ -e "$file" ] || continue
  code=$(curl -s -o "$tmp/bulk.out" -w '%{http_code}' -H "X-SecBeat-API-Key: $key" -H 'Content-Type: application/json' --data-binary @"$file" "http://127.0.0.1:$crs_api/waf/api/v1/rules/bulk")
  [ "$code" = 201 ] || { echo "bulk import failed: $code $(head -c 500 "$tmp/bulk.out")" >&2; exit 1; }
done
for _ in $(seq 1 100); do  # the engine picks the new configuration up at its next sync
  [ "$(curl -s -H "X-SecBeat-API-Key: $key" "http://127.0.0.1:$crs_api/waf/api/v1/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rules"])')" -ge "$operator_rules" ] && break
  sleep 0.5
done
warm "$crs_port"
with_rules="edgeplane-crs+$operator_rules"
run "$with_rules GET" "$(get_url "$crs_port")"
run "$with_rules POST" "$(post_url "$crs_port")" "$here/form-post.lua"
latency "direct-after-import=$up_port" "$with_rules=$crs_port"

ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.1f}x' if b else 'n/a')" "$1" "$2"; }
row() { # title label [detection-label] [direct-label: the direct path measured in the same latency rounds]
  local l=$2 d=${3:-} base=${4:-direct}
  echo "| $1 | ${rps[$l GET]} | ${p99[$l GET]} | ${rps[$l POST]:-} | ${p99[$l POST]:-} | ${lat50[$l]} / ${lat99[$l]} | $(added "${lat50[$l]}" "${lat50[$base]}") / $(added "${lat99[$l]}" "${lat99[$base]}") | ${d:+${attacks_blocked[$d]}} | ${d:+${benign_blocked[$d]}} |"
}
attacks=$(grep -c . "$here/attacks.txt"); benign=$(grep -c . "$here/benign.txt")
cat <<OUT

load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; throughput ${duration}s per run (wrk -t$threads -c$connections), latency one connection (${LATENCY_ROUNDS:-5} rounds of ${LATENCY_SECONDS:-5}s, medians)

| setup | GET req/s | GET p99 ms | 2 KB POST req/s | POST p99 ms | GET p50 / p99 ms, 1 connection | added over direct | attacks blocked (of $attacks) | benign blocked (of $benign) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
$(row "direct (nginx upstream)" direct)
$(row "nginx reverse proxy, no WAF" nginx-proxy)
$(row "nginx + ModSecurity v3 + CRS, paranoia level 1" modsecurity-crs modsecurity-crs)
$(row "Edgeplane WAF, default rules" edgeplane-default edgeplane-default)
$(row "**Edgeplane WAF, CRS, paranoia level 1**" edgeplane-crs edgeplane-crs)
$(row "Edgeplane WAF, CRS + $operator_rules operator rules" "$with_rules" "" direct-after-import)

Edgeplane + CRS / ModSecurity + CRS throughput: GET $(ratio "${rps[edgeplane-crs GET]}" "${rps[modsecurity-crs GET]}"), POST $(ratio "${rps[edgeplane-crs POST]}" "${rps[modsecurity-crs POST]}") (target >= 10x)
Edgeplane default rules / ModSecurity + CRS throughput: GET $(ratio "${rps[edgeplane-default GET]}" "${rps[modsecurity-crs GET]}"), POST $(ratio "${rps[edgeplane-default POST]}" "${rps[modsecurity-crs POST]}")
Edgeplane CRS + $operator_rules rules / CRS alone: GET $(ratio "${rps[$with_rules GET]}" "${rps[edgeplane-crs GET]}"), POST $(ratio "${rps[$with_rules POST]}" "${rps[edgeplane-crs POST]}") (target: no worse than 0.5x)
Edgeplane inspection time alone, default rules: $(inspection "$ep_api")
Edgeplane inspection time alone, CRS (+ operator rules): $(inspection "$crs_api")
OUT
