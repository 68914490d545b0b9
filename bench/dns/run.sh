#!/usr/bin/env bash
# Benchmarks the Edgeplane DNS plugin's authoritative server against NSD on the same zone, in one run.
#   bench/dns/run.sh [seconds]      (default 10 s per measurement)
# Needs: dnsperf, nsd, curl, python3 (Debian). Everything listens on 127.0.0.1 only; all processes
# started here are stopped on exit. Equal cores: NSD runs as many server processes (server-count) as Edgeplane has
# UDP threads (UdpWorkers): UDP_WORKERS, default one per processor.
set -euo pipefail
DURATION=${1:-10}
WORKERS=${UDP_WORKERS:-$(nproc)}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/edgeplane-dnsbench-XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTP_PORT=$(free_port); EP_PORT=$(free_port); NSD_PORT=$(free_port)
ZONE=bench.example
KEY="ep_bench_$(python3 -c 'import secrets; print(secrets.token_hex(24))')"

echo "== building (Release)"
dotnet build "$ROOT/src/Host" -c Release -v q -nologo >/dev/null
mkdir -p "$WORK/plugins" "$WORK/data"
ln -s "$ROOT/src/Host/bin/Release/net10.0/plugins/Edgeplane.Plugins.Dns" "$WORK/plugins/Edgeplane.Plugins.Dns"

echo "== starting Edgeplane (HTTP 127.0.0.1:$HTTP_PORT, DNS 127.0.0.1:$EP_PORT)"
ENVV=(Edgeplane__DataDirectory="$WORK/data" Edgeplane__Plugins__Directories="$WORK/plugins"
  Edgeplane__Bootstrap__AdminApiKey="$KEY" Edgeplane__Bootstrap__AdminPassword="bench-admin-password-0123456789"
  Edgeplane__Plugins__dns__Listen="127.0.0.1:$EP_PORT" Edgeplane__Plugins__dns__NameServers="ns1.example.net;ns2.example.net"
  Edgeplane__Plugins__dns__UdpWorkers="$WORKERS" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning)
env "${ENVV[@]}" dotnet "$ROOT/src/Host/bin/Release/net10.0/Edgeplane.Host.dll" --urls "http://127.0.0.1:$HTTP_PORT" >"$WORK/host.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null && break; sleep 0.1; done

api() { curl -sf -H "X-API-Key: $KEY" -H 'Content-Type: application/json' "$@"; }
BASE="http://127.0.0.1:$HTTP_PORT/dns/api"
api -X POST "$BASE/zones/add" -d "{\"zone\":\"$ZONE\"}" >/dev/null
add() { api -X POST "$BASE/zone/$ZONE/add" -d "$1" >/dev/null; }
# 22 records (plus SOA and 2 NS), as in BENCHMARKS.md.
add '{"label":"@","type":"A","ttl":300,"value":"192.0.2.1"}'
add '{"label":"@","type":"AAAA","ttl":300,"value":"2001:db8::1"}'
add '{"label":"@","type":"MX","ttl":300,"value":"mail.bench.example","priority":10}'
add '{"label":"@","type":"TXT","ttl":300,"value":"v=spf1 mx -all"}'
add '{"label":"@","type":"CAA","ttl":300,"value":"letsencrypt.org","flags":0,"tag":"issue"}'
for i in 1 2 3 4 5 6 7 8; do add "{\"label\":\"host$i\",\"type\":\"A\",\"ttl\":300,\"value\":\"192.0.2.$((10+i))\"}"; done
add '{"label":"www","type":"A","ttl":300,"value":"192.0.2.80"}'
add '{"label":"www","type":"AAAA","ttl":300,"value":"2001:db8::80"}'
add '{"label":"mail","type":"A","ttl":300,"value":"192.0.2.25"}'
add '{"label":"api","type":"CNAME","ttl":300,"value":"www.bench.example"}'
add '{"label":"cdn","type":"CNAME","ttl":300,"value":"www.bench.example"}'
add '{"label":"_sip._tcp","type":"SRV","ttl":300,"value":"sip.bench.example","priority":10,"weight":5,"port":5060}'
add '{"label":"sip","type":"A","ttl":300,"value":"192.0.2.60"}'
add '{"label":"sip","type":"AAAA","ttl":300,"value":"2001:db8::60"}'
add '{"label":"_dmarc","type":"TXT","ttl":300,"value":"v=DMARC1; p=reject"}'
api "$BASE/zone/$ZONE/export" >"$WORK/$ZONE.zone"
echo "   zone: $(grep -vc '^[;$]' "$WORK/$ZONE.zone") RRs"

echo "== starting NSD 127.0.0.1:$NSD_PORT on the exported zone file (server-count $WORKERS = Edgeplane's UdpWorkers)"
cat >"$WORK/nsd.conf" <<NSD
server:
  ip-address: 127.0.0.1@$NSD_PORT
  username: ""
  chroot: ""
  zonesdir: "$WORK"
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
zone:
  name: $ZONE
  zonefile: "$WORK/$ZONE.zone"
NSD
/usr/sbin/nsd -d -c "$WORK/nsd.conf" >"$WORK/nsd.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do dig +short +tries=1 +time=1 @127.0.0.1 -p "$NSD_PORT" "$ZONE" SOA | grep -q . && break; sleep 0.1; done
for _ in $(seq 1 100); do dig +short +tries=1 +time=1 @127.0.0.1 -p "$EP_PORT" "www.$ZONE" A | grep -q . && break; sleep 0.1; done

# 10,000 queries: 80% for existing data, 20% for names that do not exist (NXDOMAIN).
python3 - "$ZONE" >"$WORK/queries.txt" <<'PY'
import random, sys
zone = sys.argv[1]
random.seed(7)
hits = [(zone, "A"), (zone, "AAAA"), (zone, "MX"), (zone, "TXT"), (zone, "SOA"), (zone, "NS"), (zone, "CAA"),
        ("www." + zone, "A"), ("www." + zone, "AAAA"), ("mail." + zone, "A"), ("api." + zone, "A"), ("cdn." + zone, "CNAME"),
        ("_sip._tcp." + zone, "SRV"), ("_dmarc." + zone, "TXT"), ("sip." + zone, "A")] + [(f"host{i}.{zone}", "A") for i in range(1, 9)]
for i in range(10000):
    if i % 5 == 4:
        print(f"nx{random.randrange(10**6)}.{zone} A")
    else:
        name, t = random.choice(hits)
        print(f"{name} {t}")
PY

# Sanity: both servers give the same answers for every distinct query.
python3 - "$WORK/queries.txt" "$EP_PORT" "$NSD_PORT" <<'PY'
import subprocess, sys
qs = sorted(set(l.split()[0] + " " + l.split()[1] for l in open(sys.argv[1]) if not l.startswith("nx")))
def ask(port, q):
    name, t = q.split()
    out = subprocess.run(["dig", "+short", "+norec", "+tries=1", "@127.0.0.1", "-p", port, name, t], capture_output=True, text=True).stdout
    return sorted(out.split("\n"))
bad = [q for q in qs if ask(sys.argv[2], q) != ask(sys.argv[3], q)]
print(f"   same answers from both servers for {len(qs) - len(bad)}/{len(qs)} distinct queries" + (f"; differ: {bad}" if bad else ""))
PY

. "$(dirname "$0")/measure.sh"

echo "== throughput, unthrottled (dnsperf -T 2 -c 8, ${DURATION}s each)"
run nsd "$NSD_PORT" -T 2 -c 8
run edgeplane "$EP_PORT" -T 2 -c 8
echo "== throughput, as in BENCHMARKS.md (dnsperf -c 4 -Q 200000)"
run nsd-q200k "$NSD_PORT" -c 4 -Q 200000
run edgeplane-q200k "$EP_PORT" -c 4 -Q 200000
HALF=$(python3 -c "print(int(float(open('$WORK/edgeplane.qps').read()) / 2))")
echo "== latency at half of Edgeplane's unthrottled rate ($HALF q/s)"
p99 nsd-half "$NSD_PORT" "$HALF"
p99 edgeplane-half "$EP_PORT" "$HALF"
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
r = lambda n: float(open(f"{w}/{n}.qps").read())
print(f"== ratio Edgeplane/NSD: unthrottled {r('edgeplane')/r('nsd'):.2f}, -Q 200000 {r('edgeplane-q200k')/r('nsd-q200k'):.2f}")
PY
