#!/usr/bin/env bash
# WAF benchmark: the same nginx upstream on 127.0.0.1, measured with wrk
#   1. direct,  2. nginx reverse proxy (no WAF),  3. nginx + ModSecurity v3 + OWASP CRS,
#   4. Edgeplane's WAF proxy with the default rule set,  5. the same with 10,000 extra rules;
# then the block rate on attacks.txt and the false-positive rate on benign.txt for 3 and 4.
# Everything listens on 127.0.0.1 only. Needs: dotnet, nginx, libnginx-mod-http-modsecurity, modsecurity-crs, wrk, curl.
# Prints the load average too: on a shared machine the absolute numbers mean little, compare within one run.
# Usage: bench/waf/run.sh [seconds-per-run]   (DURATION, THREADS, CONNECTIONS in the environment also work)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
duration="${1:-${DURATION:-10}}"
threads="${THREADS:-2}"
connections="${CONNECTIONS:-32}"
tmp="$(mktemp -d /tmp/waf-bench.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for d in "$tmp"/nginx-*; do [ -f "$d/nginx.pid" ] && kill "$(cat "$d/nginx.pid")" 2>/dev/null || true; done
  sleep 0.5; rm -rf "$tmp"
}
trap cleanup EXIT

for tool in nginx wrk curl dotnet; do command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }; done
[ -f /usr/lib/nginx/modules/ngx_http_modsecurity_module.so ] || { echo "missing: libnginx-mod-http-modsecurity" >&2; exit 1; }
[ -d /usr/share/modsecurity-crs/rules ] || { echo "missing: modsecurity-crs" >&2; exit 1; }

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
up_port=$(port); np_port=$(port); ms_port=$(port); host_port=$(port); waf_port=$(port)

nginx_conf() { # name port body
  local dir="$tmp/nginx-$1"; mkdir -p "$dir/logs" "$dir/tmp"
  cat > "$dir/nginx.conf" <<CONF
$( [ "$1" = modsec ] && echo 'load_module /usr/lib/nginx/modules/ngx_http_modsecurity_module.so;' )
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body; proxy_temp_path $dir/tmp/proxy; fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi; scgi_temp_path $dir/tmp/scgi;
  upstream origin { server 127.0.0.1:$up_port; keepalive 64; }
  server {
    listen 127.0.0.1:$2;
    $3
  }
}
CONF
  nginx -c "$dir/nginx.conf" -p "$dir"
}

# the upstream: a fixed small answer for every request
nginx_conf upstream "$up_port" 'location / { default_type text/plain; return 200 "hello from the upstream\n"; }'
proxy_block='location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host; }'
nginx_conf proxy "$np_port" "$proxy_block"

# ModSecurity v3 + CRS (Debian's files; see BENCHMARKS.md setup notes)
ms="$tmp/modsec"; mkdir -p "$ms/tmp" "$ms/data"
sed -e 's/^SecRuleEngine .*/SecRuleEngine On/' \
    -e "s#^SecUnicodeMapFile .*#SecUnicodeMapFile /etc/nginx/unicode.mapping 20127#" \
    -e "s#^SecAuditLog .*#SecAuditLog $ms/audit.log#" \
    -e "s#^SecTmpDir .*#SecTmpDir $ms/tmp#" -e "s#^SecDataDir .*#SecDataDir $ms/data#" \
    -e 's/^SecStatusEngine .*/SecStatusEngine Off/' /etc/nginx/modsecurity.conf > "$ms/main.conf"
cat >> "$ms/main.conf" <<CONF
Include /etc/modsecurity/crs/crs-setup.conf
Include /usr/share/modsecurity-crs/rules/*.conf
CONF
nginx_conf modsec "$ms_port" "modsecurity on; modsecurity_rules_file $ms/main.conf; $proxy_block"

# Edgeplane: Release build of the host with only the Waf plugin, its proxy in front of the same upstream
echo "building Edgeplane (Release)..." >&2
dotnet build "$root/src/Host" -c Release -nologo -clp:ErrorsOnly >/dev/null
hostdir="$root/src/Host/bin/Release/net10.0"
mkdir -p "$tmp/plugins" "$tmp/data"
ln -s "$hostdir/plugins/Edgeplane.Plugins.Waf" "$tmp/plugins/Edgeplane.Plugins.Waf"
key="ep_bench_$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
(cd "$hostdir" && \
  Edgeplane__DataDirectory="$tmp/data" Edgeplane__Plugins__Directories="$tmp/plugins" Edgeplane__Bootstrap__AdminApiKey="$key" \
  Edgeplane__Plugins__waf__Proxy__Upstream="http://127.0.0.1:$up_port" Edgeplane__Plugins__waf__Proxy__Listen="http://127.0.0.1:$waf_port" \
  Logging__LogLevel__Default=Warning DOTNET_ENVIRONMENT=Production \
  exec dotnet Edgeplane.Host.dll --urls "http://127.0.0.1:$host_port" > "$tmp/host.log" 2>&1) &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$host_port/healthz" >/dev/null && curl -s -o /dev/null "http://127.0.0.1:$waf_port/" && break; sleep 0.3; done
curl -sf "http://127.0.0.1:$host_port/healthz" >/dev/null || { cat "$tmp/host.log" >&2; exit 1; }

# prove each WAF is on
[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: shop.example' "http://127.0.0.1:$ms_port/?id=1%20union%20select%201")" = 403 ] || { echo "ModSecurity is not blocking" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: shop.example' "http://127.0.0.1:$waf_port/?id=1%20union%20select%201")" = 403 ] || { echo "Edgeplane WAF is not blocking" >&2; exit 1; }

# Added latency, without queueing: one connection, one request at a time (wrk -c1), direct and through
# the proxy alternately for LATENCY_ROUNDS rounds so that drifting machine load hits both alike; the
# median of each side's per-round p50/p99 is reported. MODE=latency runs only this part.
latency() {
  local rounds="${LATENCY_ROUNDS:-5}" secs="${LATENCY_SECONDS:-5}" i out
  declare -a d50 d99 w50 w99 n50 n99
  pct() { awk -v q="$1" '$1==q {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; printf "%.3f", v}'; }
  for p in "$up_port" "$waf_port" "$np_port"; do wrk -t1 -c1 -d2s -H 'Host: shop.example' "http://127.0.0.1:$p/api/v1/products?page=2" >/dev/null; done
  for i in $(seq 1 "$rounds"); do
    out=$(wrk -t1 -c1 -d"${secs}s" --latency -H 'Host: shop.example' "http://127.0.0.1:$up_port/api/v1/products?page=2"); d50+=("$(pct 50% <<<"$out")"); d99+=("$(pct 99% <<<"$out")")
    out=$(wrk -t1 -c1 -d"${secs}s" --latency -H 'Host: shop.example' "http://127.0.0.1:$waf_port/api/v1/products?page=2"); w50+=("$(pct 50% <<<"$out")"); w99+=("$(pct 99% <<<"$out")")
    out=$(wrk -t1 -c1 -d"${secs}s" --latency -H 'Host: shop.example' "http://127.0.0.1:$np_port/api/v1/products?page=2"); n50+=("$(pct 50% <<<"$out")"); n99+=("$(pct 99% <<<"$out")")
    printf 'latency round %s: direct p50 %s p99 %s | Edgeplane WAF p50 %s p99 %s | nginx proxy p50 %s p99 %s ms (load %s)\n' "$i" "${d50[-1]}" "${d99[-1]}" "${w50[-1]}" "${w99[-1]}" "${n50[-1]}" "${n99[-1]}" "$(cut -d' ' -f1 /proc/loadavg)" >&2
  done
  med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
  local md50 md99 mw50 mw99 mn50 mn99
  md50=$(med "${d50[@]}"); md99=$(med "${d99[@]}"); mw50=$(med "${w50[@]}"); mw99=$(med "${w99[@]}"); mn50=$(med "${n50[@]}"); mn99=$(med "${n99[@]}")
  local inspect; inspect=$(curl -s -H "X-SecBeat-API-Key: $key" "http://127.0.0.1:$host_port/waf/metrics" | python3 -c '
import sys,re
b=[(float("inf") if m.group(1)=="+Inf" else float(m.group(1)), float(m.group(2))) for m in re.finditer(r"secbeat_inspection_seconds_bucket\{[^}]*le=\"([^\"]+)\"[^}]*\} (\S+)", sys.stdin.read())]
b.sort(); t=b[-1][1] if b else 0
q=lambda f: next((le for le,c in b if c>=f*t), float("nan"))
print(f"{t:.0f} requests inspected, p50 <= {q(.5)*1e6:.0f} us, p99 <= {q(.99)*1e6:.0f} us (histogram bucket bounds)")')
  cat <<OUT

Added latency (one connection, ${rounds} alternating rounds of ${secs}s; medians of the rounds; load average now $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores)

| path | p50 ms | p99 ms | added p50 ms | added p99 ms |
| --- | ---: | ---: | ---: | ---: |
| direct (nginx upstream) | $md50 | $md99 | | |
| nginx reverse proxy, no WAF | $mn50 | $mn99 | $(python3 -c "print(f'{$mn50-$md50:+.3f}')") | $(python3 -c "print(f'{$mn99-$md99:+.3f}')") |
| Edgeplane WAF, default rules | $mw50 | $mw99 | $(python3 -c "print(f'{$mw50-$md50:+.3f}')") | $(python3 -c "print(f'{$mw99-$md99:+.3f}')") |

Edgeplane inspection time alone (secbeat_inspection_seconds): $inspect
OUT
}
if [ "${MODE:-}" = latency ]; then latency; exit 0; fi

declare -A rps p99
run() { # label url [lua]
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -H 'Host: shop.example' ${3:+-s "$3"} "$2")
  rps[$1]=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99[$1]=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; printf "%.2f", v}' <<<"$out")
  local non2xx; non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '%-34s %10s req/s   p99 %8s ms   %s\n' "$1" "${rps[$1]}" "${p99[$1]}" "${non2xx:+non-2xx: $non2xx}" >&2
}

measure() { # suffix
  run "direct GET$1" "http://127.0.0.1:$up_port/api/v1/products?page=2"
  run "nginx proxy GET$1" "http://127.0.0.1:$np_port/api/v1/products?page=2"
  run "nginx+ModSecurity+CRS GET$1" "http://127.0.0.1:$ms_port/api/v1/products?page=2"
  run "Edgeplane WAF GET$1" "http://127.0.0.1:$waf_port/api/v1/products?page=2"
  run "direct POST$1" "http://127.0.0.1:$up_port/comment" "$here/form-post.lua"
  run "nginx+ModSecurity+CRS POST$1" "http://127.0.0.1:$ms_port/comment" "$here/form-post.lua"
  run "Edgeplane WAF POST$1" "http://127.0.0.1:$waf_port/comment" "$here/form-post.lua"
}
echo "== ${duration}s per run, $threads threads, $connections connections (after a warm-up of each proxy)" >&2
for p in "$ms_port" "$waf_port" "$np_port"; do wrk -t1 -c8 -d2s -H 'Host: shop.example' "http://127.0.0.1:$p/api/v1/products?page=2" >/dev/null; done
wrk -t1 -c8 -d2s -H 'Host: shop.example' -s "$here/form-post.lua" "http://127.0.0.1:$waf_port/comment" >/dev/null
measure ""

# 10,000 more rules through the bulk import route
python3 - "$tmp/rules.json" <<'PY'
import json, random, string, sys
random.seed(1)
w = lambda: ''.join(random.choice(string.ascii_lowercase) for _ in range(random.randint(5, 9)))
shapes = [lambda: f"(?i){w()}[_-]?{w()}", lambda: rf"{w()}\s*=\s*\d+{w()}", lambda: rf"(?i)(?:{w()}|{w()})\.php\?{w()}=", lambda: rf"/{w()}/{w()}\.(?:bak|old)"]
json.dump({"rules": [{"pattern": shapes[i % 4](), "action": "block", "severity": "high"} for i in range(10000)]}, open(sys.argv[1], "w"))
PY
code=$(curl -s -o "$tmp/bulk.out" -w '%{http_code}' -H "X-SecBeat-API-Key: $key" -H 'Content-Type: application/json' --data-binary @"$tmp/rules.json" "http://127.0.0.1:$host_port/waf/api/v1/rules/bulk")
[ "$code" = 201 ] || { echo "bulk import failed: $code $(head -c 500 "$tmp/bulk.out")" >&2; exit 1; }
wrk -t1 -c8 -d2s -H 'Host: shop.example' "http://127.0.0.1:$waf_port/api/v1/products?page=2" >/dev/null
run "Edgeplane WAF GET, +10k rules" "http://127.0.0.1:$waf_port/api/v1/products?page=2"
run "Edgeplane WAF POST, +10k rules" "http://127.0.0.1:$waf_port/comment" "$here/form-post.lua"

# detection: every corpus line against both WAFs
detect() { # port file -> blocked count
  local n=0
  while IFS= read -r target; do
    [ -z "$target" ] && continue
    c=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: shop.example' -A 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0' "http://127.0.0.1:$1$target")
    [ "$c" = 403 ] && n=$((n+1))
  done < "$2"
  echo "$n"
}
attacks=$(grep -c . "$here/attacks.txt"); benign=$(grep -c . "$here/benign.txt")
ms_att=$(detect "$ms_port" "$here/attacks.txt"); ms_fp=$(detect "$ms_port" "$here/benign.txt")
ep_att=$(detect "$waf_port" "$here/attacks.txt"); ep_fp=$(detect "$waf_port" "$here/benign.txt")

ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}x' if b else 'n/a')" "$1" "$2"; }
added() { python3 -c "import sys; print(f'{float(sys.argv[1])-float(sys.argv[2]):+.2f} ms')" "$1" "$2"; }
cat <<OUT

load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores

| setup | GET req/s | GET p99 ms | 2 KB POST req/s | POST p99 ms |
| --- | ---: | ---: | ---: | ---: |
| direct (nginx upstream) | ${rps[direct GET]} | ${p99[direct GET]} | ${rps[direct POST]} | ${p99[direct POST]} |
| nginx reverse proxy, no WAF | ${rps[nginx proxy GET]} | ${p99[nginx proxy GET]} | | |
| nginx + ModSecurity v3 + CRS | ${rps[nginx+ModSecurity+CRS GET]} | ${p99[nginx+ModSecurity+CRS GET]} | ${rps[nginx+ModSecurity+CRS POST]} | ${p99[nginx+ModSecurity+CRS POST]} |
| Edgeplane WAF, default rules | ${rps[Edgeplane WAF GET]} | ${p99[Edgeplane WAF GET]} | ${rps[Edgeplane WAF POST]} | ${p99[Edgeplane WAF POST]} |
| Edgeplane WAF, default + 10,000 rules | ${rps[Edgeplane WAF GET, +10k rules]} | ${p99[Edgeplane WAF GET, +10k rules]} | ${rps[Edgeplane WAF POST, +10k rules]} | ${p99[Edgeplane WAF POST, +10k rules]} |

Edgeplane (default rules) / ModSecurity+CRS throughput: GET $(ratio "${rps[Edgeplane WAF GET]}" "${rps[nginx+ModSecurity+CRS GET]}"), POST $(ratio "${rps[Edgeplane WAF POST]}" "${rps[nginx+ModSecurity+CRS POST]}")
Edgeplane (10k rules) / ModSecurity+CRS throughput: GET $(ratio "${rps[Edgeplane WAF GET, +10k rules]}" "${rps[nginx+ModSecurity+CRS GET]}"), POST $(ratio "${rps[Edgeplane WAF POST, +10k rules]}" "${rps[nginx+ModSecurity+CRS POST]}")
p99 added over direct: Edgeplane GET $(added "${p99[Edgeplane WAF GET]}" "${p99[direct GET]}"), POST $(added "${p99[Edgeplane WAF POST]}" "${p99[direct POST]}"); ModSecurity GET $(added "${p99[nginx+ModSecurity+CRS GET]}" "${p99[direct GET]}")

| detection | attacks blocked (of $attacks) | benign blocked (of $benign) |
| --- | ---: | ---: |
| nginx + ModSecurity v3 + CRS | $ms_att | $ms_fp |
| Edgeplane WAF, default rules (+10k random rules) | $ep_att | $ep_fp |
OUT
