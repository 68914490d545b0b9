#!/usr/bin/env python3
"""Helpers of bench/dns/scale.sh: load zones through the public API, write the query mix, measure propagation.

  scale.py load BASE KEY ZONES RECORDS SINGLE_ZONES OUT   loads the zones; writes OUT (one "name type" per record)
  scale.py export BASE KEY ZONES DIR                       writes DIR/<zone>.zone for every zone and DIR/zones.conf for NSD
  scale.py queries NAMES ZONES COUNT OUT                   the query mix for dnsperf
  scale.py same EP_PORT NSD_PORT NAMES COUNT               compares both servers' answers on a sample
  scale.py propagation BASE KEY PORT ZONES EDITS           API 201 -> answer over UDP, per edit
  scale.py concurrent BASE KEY ZONES CLIENTS ADDS          single adds from concurrent API clients: adds/s and latency
  scale.py answered PORT NAME TIMEOUT [POLLING]            waits until NAME has an A answer; prints the seconds it took
                                                           (with POLLING: creates that file once it polls, prints the Unix time of the answer)
  scale.py secondary EP_PORT ZONES DIR                     DIR/zones.conf: NSD secondary for every zone (NOTIFY + IXFR from EP_PORT)
  scale.py edits BASE KEY ZONES RECORDS EDITS CLIENTS NAMES  random single adds and deletes from concurrent clients; appends added names to NAMES
  scale.py synced PRIMARY SECONDARY ZONES TIMEOUT         waits until every zone's SOA serial is the same on both; prints the seconds it took
  scale.py axfr PRIMARY SECONDARY ZONES                    compares every zone's full AXFR from both servers
Only the standard library; everything goes to 127.0.0.1.
"""
import http.client
import json
import os
import random
import socket
import struct
import sys
import threading
import time
import urllib.parse


def zone_name(i):
    return f"z{i}.example"


def record(zone, j):
    """The j-th record of a zone: mostly addresses, with AAAA, TXT, CNAME and MX among them."""
    kind = j % 10
    if kind == 0:
        return {"label": f"host{j}", "type": "AAAA", "ttl": 300, "value": f"2001:db8::{j:x}"}, (f"host{j}.{zone}", "AAAA")
    if kind == 1:
        return {"label": f"txt{j}", "type": "TXT", "ttl": 300, "value": f"v=bench record {j}"}, (f"txt{j}.{zone}", "TXT")
    if kind == 2:
        return {"label": f"alias{j}", "type": "CNAME", "ttl": 300, "value": f"host{j + 2}.{zone}"}, (f"alias{j}.{zone}", "A")
    if kind == 3:
        return {"label": f"mx{j}", "type": "MX", "ttl": 300, "value": f"host{j + 1}.{zone}", "priority": 10}, (f"mx{j}.{zone}", "MX")
    return {"label": f"host{j}", "type": "A", "ttl": 300, "value": f"10.{(j >> 16) & 255}.{(j >> 8) & 255}.{j & 255}"}, (f"host{j}.{zone}", "A")


class Api:
    def __init__(self, base, key):
        url = urllib.parse.urlparse(base)
        self.host, self.port, self.prefix = url.hostname, url.port, url.path.rstrip("/")
        self.key = key
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=600)

    def call(self, method, path, body=None):
        headers = {"X-API-Key": self.key}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            try:
                self.conn.request(method, self.prefix + path, data, headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=600)
                if attempt == 1:
                    raise


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


def load(base, key, zones, records, single_zones, out):
    api = Api(base, key)
    names = []
    single_times, bulk_records, bulk_seconds = [], 0, 0.0
    for i in range(1, zones + 1):
        zone = zone_name(i)
        status, body = api.call("POST", "/zones/add", {"zone": zone})
        if status != 201:
            sys.exit(f"zones/add {zone}: {status} {body[:300]!r}")
        items = [record(zone, j) for j in range(1, records + 1)]
        names += [name for _, name in items]
        if i <= single_zones:
            for rec, _ in items:
                start = time.perf_counter()
                status, body = api.call("POST", f"/zone/{zone}/add", rec)
                single_times.append(time.perf_counter() - start)
                if status != 201:
                    sys.exit(f"add to {zone}: {status} {body[:300]!r}")
        else:
            for chunk in range(0, len(items), 10000):
                changes = [rec for rec, _ in items[chunk:chunk + 10000]]
                start = time.perf_counter()
                status, body = api.call("POST", f"/zone/{zone}/bulk", {"changes": changes})
                bulk_seconds += time.perf_counter() - start
                bulk_records += len(changes)
                if status != 200:
                    sys.exit(f"bulk to {zone}: {status} {body[:300]!r}")
    with open(out, "w") as f:
        for name, rrtype in sorted(set(names)):
            f.write(f"{name} {rrtype}\n")
    if single_times:
        total = sum(single_times)
        print(f"   single adds: {len(single_times)} records in {total:.1f} s = {len(single_times) / total:,.0f} records/s, "
              f"latency p50 {percentile(single_times, .5) * 1000:.1f} ms p99 {percentile(single_times, .99) * 1000:.1f} ms")
    if bulk_records:
        print(f"   bulk:        {bulk_records} records in {bulk_seconds:.1f} s = {bulk_records / bulk_seconds:,.0f} records/s "
              f"({zones - single_zones} requests of up to {min(records, 10000)} changes)")


def export(base, key, zones, directory):
    api = Api(base, key)
    with open(f"{directory}/zones.conf", "w") as conf:
        for i in range(1, zones + 1):
            zone = zone_name(i)
            status, body = api.call("GET", f"/zone/{zone}/export")
            if status != 200:
                sys.exit(f"export {zone}: {status} {body[:300]!r}")
            with open(f"{directory}/{zone}.zone", "wb") as f:
                f.write(body)
            conf.write(f'zone:\n  name: {zone}\n  zonefile: "{directory}/{zone}.zone"\n')


def queries(names_file, zones, count, out):
    """70% existing names across all zones, 20% names that do not exist in existing zones, 10% names outside any zone."""
    existing = [line.split() for line in open(names_file)]
    rng = random.Random(7)
    with open(out, "w") as f:
        for i in range(count):
            r = i % 10
            if r < 7:
                name, rrtype = rng.choice(existing)
            elif r < 9:
                name, rrtype = f"nx{rng.randrange(10**9)}.{zone_name(rng.randrange(1, zones + 1))}", "A"
            else:
                name, rrtype = f"www{rng.randrange(10**6)}.outside{rng.randrange(1000)}.test", "A"
            f.write(f"{name} {rrtype}\n")


TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28}


def query_packet(qid, name, rrtype):
    packet = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        packet += bytes([len(label)]) + label.encode()
    return packet + b"\x00" + struct.pack(">HH", TYPES[rrtype], 1)


def ask(sock, port, name, rrtype, timeout=0.05):
    """(rcode, answer count, the response) or None on timeout."""
    qid = random.randrange(65536)
    sock.settimeout(timeout)
    sock.sendto(query_packet(qid, name, rrtype), ("127.0.0.1", port))
    try:
        while True:
            data, _ = sock.recvfrom(65535)
            if len(data) >= 12 and struct.unpack(">H", data[:2])[0] == qid:
                return data[3] & 15, struct.unpack(">H", data[6:8])[0], data
    except socket.timeout:
        return None


def same(ep_port, nsd_port, names_file, count):
    import subprocess
    existing = [line.split() for line in open(names_file)]
    sample = random.Random(11).sample(existing, min(count, len(existing)))
    def dig(port, name, rrtype):
        out = subprocess.run(["dig", "+short", "+norec", "+tries=2", "+time=2", "@127.0.0.1", "-p", str(port), name, rrtype],
                             capture_output=True, text=True).stdout
        return sorted(out.split("\n"))
    bad = [f"{n} {t}" for n, t in sample if dig(ep_port, n, t) != dig(nsd_port, n, t)]
    print(f"   same answers from both servers for {len(sample) - len(bad)}/{len(sample)} sampled names" + (f"; differ: {bad[:10]}" if bad else ""))


def propagation(base, key, port, zones, edits):
    api = Api(base, key)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rng = random.Random(3)
    delays, lost = [], 0
    for i in range(edits):
        zone = zone_name(rng.randrange(1, zones + 1))
        label = f"prop{i}-{rng.randrange(10**6)}"
        status, body = api.call("POST", f"/zone/{zone}/add", {"label": label, "type": "A", "ttl": 60, "value": f"198.51.100.{i % 250 + 1}"})
        created = time.perf_counter()
        if status != 201:
            sys.exit(f"add {label}.{zone}: {status} {body[:300]!r}")
        while True:
            answer = ask(sock, port, f"{label}.{zone}", "A", timeout=0.02)
            if answer and answer[0] == 0 and answer[1] > 0:
                delays.append(time.perf_counter() - created)
                break
            if time.perf_counter() - created > 10:
                lost += 1
                break
    print(f"   API 201 -> answer over UDP, {edits} edits: p50 {percentile(delays, .5) * 1000:.1f} ms, "
          f"p99 {percentile(delays, .99) * 1000:.1f} ms, max {max(delays) * 1000:.1f} ms" + (f", {lost} not answered within 10 s" if lost else ""))


def run_clients(client, clients):
    """Runs client(0) .. client(clients - 1) on their own threads at once; the seconds until the last one ends."""
    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def concurrent(base, key, zones, clients, adds):
    """ADDS single adds (POST /zone/{zone}/add, one record each) from CLIENTS concurrent API clients, each on its own
    connection, to random zones: the adds/s the host sustains and each add's latency."""
    times, failures = [], []
    lock = threading.Lock()
    def client(c):
        api = Api(base, key)
        rng = random.Random(100 + c)
        mine = []
        for i in range(c, adds, clients):
            zone = zone_name(rng.randrange(1, zones + 1))
            start = time.perf_counter()
            status, body = api.call("POST", f"/zone/{zone}/add", {"label": f"c{c}-{i}", "type": "A", "ttl": 60, "value": f"203.0.113.{i % 250 + 1}"})
            mine.append(time.perf_counter() - start)
            if status != 201:
                failures.append(f"{status} {body[:200]!r}")
        with lock:
            times.extend(mine)
    elapsed = run_clients(client, clients)
    if failures:
        sys.exit(f"{len(failures)} adds failed, e.g. {failures[0]}")
    print(f"   {adds} single adds from {clients} concurrent clients in {elapsed:.1f} s = {adds / elapsed:,.0f} adds/s, "
          f"latency p50 {percentile(times, .5) * 1000:.1f} ms p99 {percentile(times, .99) * 1000:.1f} ms max {max(times) * 1000:.1f} ms")


def secondary(ep_port, zones, directory):
    with open(f"{directory}/zones.conf", "w") as conf:
        for i in range(1, zones + 1):
            zone = zone_name(i)
            conf.write(f'zone:\n  name: {zone}\n  zonefile: "{directory}/{zone}.zone"\n'
                       f"  request-xfr: 127.0.0.1@{ep_port} NOKEY\n  allow-notify: 127.0.0.1 NOKEY\n  provide-xfr: 127.0.0.1 NOKEY\n")


def edits(base, key, zones, records, count, clients, names_file):
    """COUNT random edits from CLIENTS concurrent API clients: 60 % single adds (A or TXT), 40 % deletes of a record
    the zone holds (one loaded by `load`, whose indexes are 1..RECORDS, or one added here)."""
    held = {zone_name(i): list(range(1, records + 1)) for i in range(1, zones + 1)}
    lock = threading.Lock()
    added, failures, counts = [], [], {"add": 0, "delete": 0}
    def client(c):
        api = Api(base, key)
        rng = random.Random(1000 + c)
        for i in range(c, count, clients):
            zone = zone_name(rng.randrange(1, zones + 1))
            index = None
            with lock:
                if rng.random() < 0.4 and held[zone]:
                    index = held[zone].pop(rng.randrange(len(held[zone])))
            if index is not None:
                status, body = api.call("POST", f"/zone/{zone}/delete_record/{index}")
                ok = status == 200
                kind = "delete"
            else:
                label = f"e{c}-{i}"
                record = {"label": label, "type": "A", "ttl": 120, "value": f"192.0.2.{i % 250 + 1}"} if rng.random() < 0.7 \
                    else {"label": label, "type": "TXT", "ttl": 120, "value": f"edit {i} from client {c}"}
                status, body = api.call("POST", f"/zone/{zone}/add", record)
                ok = status == 201
                kind = "add"
                if ok:
                    with lock:
                        held[zone].append(json.loads(body)["index"])
                        added.append(f"{label}.{zone} {record['type']}")
            with lock:
                counts[kind] += ok
                if not ok:
                    failures.append(f"{kind} {zone}: {status} {body[:200]!r}")
    elapsed = run_clients(client, clients)
    if failures:
        sys.exit(f"{len(failures)} edits failed, e.g. {failures[0]}")
    with open(names_file, "a") as f:
        for line in added:
            f.write(line + "\n")
    print(f"   {count} edits ({counts['add']} adds, {counts['delete']} deletes) from {clients} clients in {elapsed:.1f} s = {count / elapsed:,.0f}/s")


def skip_name(data, at):
    while data[at] and data[at] & 0xC0 != 0xC0:
        at += data[at] + 1
    return at + (2 if data[at] & 0xC0 == 0xC0 else 1)


def soa_serial(sock, port, zone):
    """The zone's SOA serial as the server answers it, or None."""
    answer = ask(sock, port, zone, "SOA", timeout=0.5)
    if not answer or answer[0] != 0 or answer[1] == 0:
        return None
    data = answer[2]
    at = skip_name(data, 12) + 4            # the question
    at = skip_name(data, at) + 10           # the answer's owner, type, class, TTL, RDLENGTH
    at = skip_name(data, skip_name(data, at))  # MNAME, RNAME
    return struct.unpack(">I", data[at:at + 4])[0]


def synced(primary, secondary_port, zones, timeout):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    start = time.perf_counter()
    pending = [zone_name(i) for i in range(1, zones + 1)]
    while pending:
        pending = [z for z in pending if (serial := soa_serial(sock, primary, z)) is None or serial != soa_serial(sock, secondary_port, z)]
        if not pending:
            break
        if time.perf_counter() - start > timeout:
            sys.exit(f"{len(pending)} zones not in sync after {timeout} s, e.g. {pending[:5]}")
        time.sleep(0.5)
    print(f"{time.perf_counter() - start:.1f}")


def axfr(primary, secondary_port, zones):
    import subprocess
    def records(port, zone):
        out = subprocess.run(["dig", "+noall", "+answer", "+tries=2", "+time=10", "@127.0.0.1", "-p", str(port), zone, "AXFR"],
                             capture_output=True, text=True).stdout
        lines = [" ".join(line.split()) for line in out.splitlines() if line.strip()]
        return sorted(lines[:-1]) if lines else []  # the closing SOA repeats the first
    differ, total = [], 0
    for i in range(1, zones + 1):
        zone = zone_name(i)
        a, b = records(primary, zone), records(secondary_port, zone)
        total += len(a)
        if not a or a != b:
            differ.append(zone)
    print(f"   full AXFR identical for {zones - len(differ)}/{zones} zones ({total} records)" + (f"; differ: {differ[:10]}" if differ else ""))
    if differ:
        sys.exit(1)


def answered(port, name, timeout, polling=None):
    """With polling (a file name): creates that file once the first query is sent, then prints the Unix time the answer
    arrived, so that a restart is timed from the server's start without the client's own start (a pyenv shim alone
    takes ~0.5 s to start python here)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        answer = ask(sock, port, name, "A", timeout=0.01)
        if polling is not None and not os.path.exists(polling):
            open(polling, "w").close()
        if answer and answer[0] == 0 and answer[1] > 0:
            print(f"{time.time():.6f}" if polling is not None else f"{time.perf_counter() - start:.3f}")
            return
    sys.exit(f"{name} not answered within {timeout} s")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "load":
        load(args[0], args[1], int(args[2]), int(args[3]), int(args[4]), args[5])
    elif command == "export":
        export(args[0], args[1], int(args[2]), args[3])
    elif command == "queries":
        queries(args[0], int(args[1]), int(args[2]), args[3])
    elif command == "same":
        same(int(args[0]), int(args[1]), args[2], int(args[3]))
    elif command == "propagation":
        propagation(args[0], args[1], int(args[2]), int(args[3]), int(args[4]))
    elif command == "concurrent":
        concurrent(args[0], args[1], int(args[2]), int(args[3]), int(args[4]))
    elif command == "secondary":
        secondary(int(args[0]), int(args[1]), args[2])
    elif command == "edits":
        edits(args[0], args[1], int(args[2]), int(args[3]), int(args[4]), int(args[5]), args[6])
    elif command == "synced":
        synced(int(args[0]), int(args[1]), int(args[2]), float(args[3]))
    elif command == "axfr":
        axfr(int(args[0]), int(args[1]), int(args[2]))
    elif command == "answered":
        answered(int(args[0]), args[1], float(args[2]), args[3] if len(args) > 3 else None)
    else:
        sys.exit(__doc__)
