#!/usr/bin/env bash
# Replays the OWASP CRS project's own regression tests (go-ftw YAML, from a CRS source checkout whose version
# matches the installed rules, e.g. git archive v3.3.4 of github.com/coreruleset/coreruleset) byte for byte against
#   1. nginx + ModSecurity v3 + Debian's CRS,  2. Edgeplane's WAF proxy with the same CRS files (CoreRuleSet),
# both in front of the same nginx upstream on 127.0.0.1, and prints detection per category and false positives.
# Needs: dotnet, nginx, libnginx-mod-http-modsecurity, modsecurity-crs, libmodsecurity3, python3-yaml, curl.
# Usage: bench/waf/crs-regression.sh CRS_CHECKOUT [paranoia-level]
#   CONFIGURATION=Debug BUILD=0 use the Debug host as last built; EDGEPLANE_DEFAULT_RULES=true also keeps Edgeplane's own default rules on (off by default: CRS against CRS).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
crs="${1:?usage: crs-regression.sh CRS_CHECKOUT [paranoia-level]}"
paranoia="${2:-1}"
[ -d "$crs/tests/regression/tests" ] || { echo "not a CRS checkout (no tests/regression/tests): $crs" >&2; exit 1; }
for tool in nginx curl dotnet python3; do command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }; done
[ -f /usr/lib/nginx/modules/ngx_http_modsecurity_module.so ] || { echo "missing: libnginx-mod-http-modsecurity" >&2; exit 1; }
[ -d /usr/share/modsecurity-crs/rules ] || { echo "missing: modsecurity-crs" >&2; exit 1; }
python3 -c 'import yaml' 2>/dev/null || { echo "missing: python3-yaml" >&2; exit 1; }
tmp="$(mktemp -d /tmp/waf-crs.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for d in "$tmp"/nginx-*; do [ -f "$d/nginx.pid" ] && kill "$(cat "$d/nginx.pid")" 2>/dev/null || true; done
  sleep 0.5; rm -rf "$tmp"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
up_port=$(port); ms_port=$(port); host_port=$(port); waf_port=$(port)

nginx_conf() { # name port body
  local dir="$tmp/nginx-$1"; mkdir -p "$dir/logs" "$dir/tmp"
  cat > "$dir/nginx.conf" <<CONF
$( [ "$1" = modsec ] && echo 'load_module /usr/lib/nginx/modules/ngx_http_modsecurity_module.so;' )
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body; proxy_temp_path $dir/tmp/proxy; fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi; scgi_temp_path $dir/tmp/scgi;
  upstream origin { server 127.0.0.1:$up_port; }
  server {
    listen 127.0.0.1:$2;
    $3
  }
}
CONF
  nginx -c "$dir/nginx.conf" -p "$dir"
}
nginx_conf upstream "$up_port" 'location / { default_type text/plain; return 200 "hello from the upstream\n"; }'
proxy_block='location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host; }'

# ModSecurity v3 + CRS, configured as bench/waf/run.sh does, at the requested paranoia level
ms="$tmp/modsec"; mkdir -p "$ms/tmp" "$ms/data"
sed -e 's/^SecRuleEngine .*/SecRuleEngine On/' \
    -e "s#^SecUnicodeMapFile .*#SecUnicodeMapFile /etc/nginx/unicode.mapping 20127#" \
    -e "s#^SecAuditLog .*#SecAuditLog $ms/audit.log#" \
    -e "s#^SecTmpDir .*#SecTmpDir $ms/tmp#" -e "s#^SecDataDir .*#SecDataDir $ms/data#" \
    -e 's/^SecStatusEngine .*/SecStatusEngine Off/' /etc/nginx/modsecurity.conf > "$ms/main.conf"
cat >> "$ms/main.conf" <<CONF
Include /etc/modsecurity/crs/crs-setup.conf
SecAction "id:8990001,phase:1,pass,nolog,t:none,setvar:tx.paranoia_level=$paranoia"
Include /usr/share/modsecurity-crs/rules/*.conf
CONF
nginx_conf modsec "$ms_port" "modsecurity on; modsecurity_rules_file $ms/main.conf; $proxy_block"

configuration="${CONFIGURATION:-Release}"
if [ "${BUILD:-1}" != 0 ]; then  # BUILD=0 uses the host as last built
  echo "building Edgeplane ($configuration)..." >&2
  dotnet build "$root/src/Host" -c "$configuration" -nologo -clp:ErrorsOnly >/dev/null
fi
hostdir="$root/src/Host/bin/$configuration/net10.0"
mkdir -p "$tmp/plugins" "$tmp/data"
ln -s "$hostdir/plugins/Edgeplane.Plugins.Waf" "$tmp/plugins/Edgeplane.Plugins.Waf"
key="ep_bench_$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
(cd "$hostdir" && \
  Edgeplane__DataDirectory="$tmp/data" Edgeplane__Plugins__Directories="$tmp/plugins" Edgeplane__Bootstrap__AdminApiKey="$key" \
  Edgeplane__Plugins__waf__Proxy__Upstream="http://127.0.0.1:$up_port" Edgeplane__Plugins__waf__Proxy__Listen="http://127.0.0.1:$waf_port" \
  Edgeplane__Plugins__waf__CoreRuleSet=true Edgeplane__Plugins__waf__ParanoiaLevel="$paranoia" \
  Edgeplane__Plugins__waf__DefaultRuleSet="${EDGEPLANE_DEFAULT_RULES:-false}" \
  Logging__LogLevel__Default=Warning DOTNET_ENVIRONMENT=Production \
  exec dotnet Edgeplane.Host.dll --urls "http://127.0.0.1:$host_port" > "$tmp/host.log" 2>&1) &
pids+=($!)
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$host_port/healthz" >/dev/null && curl -s -o /dev/null "http://127.0.0.1:$waf_port/" && break; sleep 0.3; done
curl -sf "http://127.0.0.1:$host_port/healthz" >/dev/null || { cat "$tmp/host.log" >&2; exit 1; }
for p in "$ms_port" "$waf_port"; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: shop.example' "http://127.0.0.1:$p/?id=1%20union%20select%201")" = 403 ] || { echo "the WAF on port $p is not blocking" >&2; cat "$tmp/host.log" >&2; exit 1; }
done
echo "CRS $(git -C "$crs" describe --tags 2>/dev/null || basename "$crs") tests; rules: Debian modsecurity-crs $(dpkg-query -W -f='${Version}' modsecurity-crs); load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$here/crs_regression.py" "$crs" /usr/share/modsecurity-crs/rules "$paranoia" "ModSecurity=$ms_port" "Edgeplane=$waf_port"
curl -s -H "X-SecBeat-API-Key: $key" "http://127.0.0.1:$host_port/waf/api/v1/status" | python3 -c '
import json, sys
s = json.load(sys.stdin).get("crs") or {}
slow = s.get("backtracking_rules") or []
print("\nEdgeplane: %s CRS rules loaded, paranoia level %s, %d on the backtracking engine (match timeout): %s" % (s.get("rules"), s.get("paranoia_level"), len(slow), slow))'
