# Shared by run.sh and crs-regression.sh (sourced, not run): the nginx upstream, nginx + ModSecurity v3 + Debian's CRS
# and Edgeplane host processes with the Waf plugin, all on 127.0.0.1, in the scratch directory $tmp (the caller makes
# it and sets $root); cleanup_servers stops what was started.
pids=()

require_tools() { # tool...
  for tool in "$@"; do command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }; done
  [ -f /usr/lib/nginx/modules/ngx_http_modsecurity_module.so ] || { echo "missing: libnginx-mod-http-modsecurity" >&2; exit 1; }
  [ -d /usr/share/modsecurity-crs/rules ] || { echo "missing: modsecurity-crs" >&2; exit 1; }
}

cleanup_servers() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for d in "$tmp"/nginx-*; do [ -f "$d/nginx.pid" ] && kill "$(cat "$d/nginx.pid")" 2>/dev/null || true; done
  sleep 0.5; rm -rf "$tmp"
}

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

nginx_conf() { # name port server-body
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

proxy_block='location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host; }'

start_upstream() { # sets up_port: a fixed small answer for every request
  up_port=$(port)
  nginx_conf upstream "$up_port" 'location / { default_type text/plain; return 200 "hello from the upstream\n"; }'
}

start_nginx_proxy() { # port
  nginx_conf proxy "$1" "$proxy_block"
}

start_modsecurity() { # port paranoia-level: nginx + ModSecurity v3 + Debian's CRS (see BENCHMARKS.md setup notes)
  local ms="$tmp/modsec"; mkdir -p "$ms/tmp" "$ms/data"
  sed -e 's/^SecRuleEngine .*/SecRuleEngine On/' \
      -e "s#^SecUnicodeMapFile .*#SecUnicodeMapFile /etc/nginx/unicode.mapping 20127#" \
      -e "s#^SecAuditLog .*#SecAuditLog $ms/audit.log#" \
      -e "s#^SecTmpDir .*#SecTmpDir $ms/tmp#" -e "s#^SecDataDir .*#SecDataDir $ms/data#" \
      -e 's/^SecStatusEngine .*/SecStatusEngine Off/' /etc/nginx/modsecurity.conf > "$ms/main.conf"
  cat >> "$ms/main.conf" <<CONF
Include /etc/modsecurity/crs/crs-setup.conf
SecAction "id:8990001,phase:1,pass,nolog,t:none,setvar:tx.paranoia_level=$2"
Include /usr/share/modsecurity-crs/rules/*.conf
CONF
  nginx_conf modsec "$1" "modsecurity on; modsecurity_rules_file $ms/main.conf; $proxy_block"
}

build_edgeplane() { # configuration: sets hostdir; BUILD=0 uses the host as last built
  if [ "${BUILD:-1}" != 0 ]; then
    echo "building Edgeplane ($1)..." >&2
    dotnet build "$root/src/Host" -c "$1" -nologo -clp:ErrorsOnly >/dev/null
  fi
  hostdir="$root/src/Host/bin/$1/net10.0"
}

# start_edgeplane name proxy-port api-port [Setting=value ...]: the host with only the Waf plugin, its proxy in front
# of the upstream; settings are the plugin's (Edgeplane__Plugins__waf__<Setting>). Sets key (its admin API key).
key="${key:-ep_bench_$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
start_edgeplane() {
  local name=$1 proxy=$2 api=$3 setting; shift 3
  local env=()
  for setting in "$@"; do env+=("Edgeplane__Plugins__waf__$setting"); done
  mkdir -p "$tmp/$name/plugins" "$tmp/$name/data"
  ln -s "$hostdir/plugins/Edgeplane.Plugins.Waf" "$tmp/$name/plugins/Edgeplane.Plugins.Waf"
  (cd "$hostdir" && exec env \
    Edgeplane__DataDirectory="$tmp/$name/data" Edgeplane__Plugins__Directories="$tmp/$name/plugins" Edgeplane__Bootstrap__AdminApiKey="$key" \
    Edgeplane__Plugins__waf__Proxy__Upstream="http://127.0.0.1:$up_port" Edgeplane__Plugins__waf__Proxy__Listen="http://127.0.0.1:$proxy" \
    Logging__LogLevel__Default=Warning DOTNET_ENVIRONMENT=Production "${env[@]}" \
    dotnet Edgeplane.Host.dll --urls "http://127.0.0.1:$api" > "$tmp/$name/host.log" 2>&1) &
  pids+=($!)
}

wait_edgeplane() { # name proxy-port api-port
  for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$3/healthz" >/dev/null && curl -s -o /dev/null "http://127.0.0.1:$2/" && return 0; sleep 0.3; done
  cat "$tmp/$1/host.log" >&2; exit 1
}

require_blocking() { # name port: an SQL injection must get a 403
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: shop.example' "http://127.0.0.1:$2/?id=1%20union%20select%201")" = 403 ] \
    || { echo "$1 (port $2) is not blocking" >&2; exit 1; }
}
