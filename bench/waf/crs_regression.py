#!/usr/bin/env python3
"""Replays the OWASP CRS regression tests (the ftw/go-ftw YAML files of a CRS source checkout) byte for byte
against WAFs listening on 127.0.0.1, and prints detection per category and false positives for each.

A test whose output says log_contains: id "N" is an attack on rule N: it counts as detected when the WAF answers
403. A test whose output says no_log_contains: id "N" is a request rule N must not flag: a 403 is a false positive.
Tests of rules above the paranoia level, of response rules, and tests that assert something other than a rule
(server errors, response bodies) are excluded and listed with the reason.

Tests the WAFs answered differently are listed at the end; with EDGEPLANE_API (the host's URL) and EDGEPLANE_KEY in
the environment, each request Edgeplane blocked there comes with its reason (the rules and what they matched).

Usage: crs_regression.py CRS_CHECKOUT RULES_DIR PARANOIA name=port [name=port ...]
"""
import base64, collections, glob, os, re, socket, sys
import yaml

crs, rules_dir, paranoia = sys.argv[1], sys.argv[2], int(sys.argv[3])
targets = [(t.split("=")[0], int(t.split("=")[1])) for t in sys.argv[4:]]

# each rule id's paranoia level, read from the rule files' "@lt N" skip sections
level_of = {}
for path in sorted(glob.glob(os.path.join(rules_dir, "*.conf"))):
    level = 1
    for line in open(path, encoding="latin-1"):
        m = re.search(r'EXECUTING_PARANOIA_LEVEL "@lt (\d)"', line)
        if m:
            level = int(m.group(1))
        m = re.search(r"id:(\d+)", line)
        if m and int(m.group(1)) not in level_of:
            level_of[int(m.group(1))] = level


def raw_request(inp):
    """The bytes go-ftw sends for one stage's input (the request line and headers as written, data as given)."""
    if "encoded_request" in inp:
        return base64.b64decode(inp["encoded_request"])
    if "raw_request" in inp:
        return inp["raw_request"].encode("utf-8")
    method = inp.get("method", "GET")
    uri = inp.get("uri", "/")
    version = inp.get("version", "HTTP/1.1")
    headers = list((inp.get("headers") or {}).items())
    data = inp.get("data")
    if isinstance(data, list):
        data = "\r\n".join(data) + "\r\n"
    body = data.encode("utf-8") if isinstance(data, str) else b""  # Go strings are UTF-8: go-ftw sends "\xff" as c3 bf
    names = {k.lower() for k, _ in headers}
    if not inp.get("stop_magic", False):
        if body and "content-type" not in names:
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        if body and "content-length" not in names and "transfer-encoding" not in names:
            headers.append(("Content-Length", str(len(body))))
        if "connection" not in names:
            headers.append(("Connection", "close"))
    head = f"{method} {uri} {version}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode("utf-8") + body


def answer(port, payload):
    """The status of the answer and its X-Request-Id header (Edgeplane's id of a blocked request)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(payload)
            buf = b""
            while b"\r\n\r\n" not in buf and len(buf) < 16384:
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
        m = re.match(rb"HTTP/\d(?:\.\d)? (\d{3})", buf)
        rid = re.search(rb"\r\nX-Request-Id: *([^\r\n]+)", buf, re.I)
        return (int(m.group(1)) if m else 0), (rid.group(1).decode() if rid else None)
    except OSError:
        return 0, None


def why_blocked(request_id):
    """Edgeplane's reason for a block (rules and what they matched), when EDGEPLANE_API and EDGEPLANE_KEY say where to ask."""
    api, key = os.environ.get("EDGEPLANE_API"), os.environ.get("EDGEPLANE_KEY")
    if not (api and key and request_id):
        return ""
    import json, urllib.request
    try:
        req = urllib.request.Request(f"{api}/waf/api/v1/blocks/{request_id}", headers={"X-SecBeat-API-Key": key})
        return json.load(urllib.request.urlopen(req, timeout=5)).get("reason", "")
    except OSError:
        return ""


excluded = []
results = collections.defaultdict(lambda: collections.defaultdict(lambda: [0, 0, 0, 0]))  # cat -> target -> [attacks, blocked, benign, fp]
other_status = collections.Counter()
differ = []  # (title, expectation, {name: status}) of tests the WAFs answered differently
for path in sorted(glob.glob(os.path.join(crs, "tests/regression/tests/*/*.yaml"))):
    category = os.path.basename(os.path.dirname(path))
    category = re.sub(r"^REQUEST-(\d+)-(?:APPLICATION-ATTACK-)?", r"\1 ", category)
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    if not doc.get("meta", {}).get("enabled", True):
        excluded.append((os.path.basename(path), "disabled in the test file"))
        continue
    for test in doc.get("tests", []):
        title = test.get("test_title", "?")
        stages = [s.get("stage", s) for s in test.get("stages", [])]
        output = stages[-1].get("output", {}) if stages else {}
        wanted = re.search(r'id "?(\d+)', str(output.get("log_contains", "")))
        unwanted = re.search(r'id "?(\d+)', str(output.get("no_log_contains", "")))
        if not wanted and not unwanted:
            reason = "expects the server to refuse the request (expect_error)" if "expect_error" in output else \
                "asserts only a response status or body, not a rule"
            excluded.append((title, reason))
            continue
        rule = int((wanted or unwanted).group(1))
        if rule >= 950000:
            excluded.append((title, f"rule {rule} inspects responses (phases 3-4)"))
            continue
        if level_of.get(rule, 1) > paranoia:
            excluded.append((title, f"targets a paranoia-level-{level_of[rule]} rule (above the level replayed)"))
            continue
        answers, reasons = {}, {}
        for name, port in targets:
            replies = [answer(port, raw_request(s.get("input", {}))) for s in stages]
            code, request_id = replies[-1]
            answers[name] = code
            if code == 403 and name == "Edgeplane":
                reasons[name] = why_blocked(request_id)
            row = results[category][name]
            if code not in (200, 403):
                other_status[(name, code)] += 1
            if wanted:
                row[0] += 1
                row[1] += code == 403
            else:
                row[2] += 1
                row[3] += code == 403
        if len({c == 403 for c in answers.values()}) > 1:
            differ.append((title, "attack" if wanted else "benign", answers, reasons))

names = [n for n, _ in targets]
print(f"\nCRS regression tests replayed at paranoia level {paranoia} (detection = 403 on a test expecting its rule; FP = 403 on a test expecting no match)\n")
print("| category | attacks | " + " | ".join(f"{n} detected" for n in names) + " | benign | " + " | ".join(f"{n} FP" for n in names) + " |")
print("| --- | ---: | " + " | ".join("---:" for _ in names) + " | ---: | " + " | ".join("---:" for _ in names) + " |")
totals = {n: [0, 0, 0, 0] for n in names}
for category in sorted(results):
    first = results[category][names[0]]
    cells = []
    for n in names:
        r = results[category][n]
        for i in range(4):
            totals[n][i] += r[i]
    pct = lambda a, b: f"{a}/{b} ({100 * a / b:.0f}%)" if b else "-"
    print(f"| {category} | {first[0]} | " + " | ".join(pct(results[category][n][1], results[category][n][0]) for n in names)
          + f" | {first[2]} | " + " | ".join(str(results[category][n][3]) for n in names) + " |")
t0 = totals[names[0]]
print(f"| **all** | {t0[0]} | " + " | ".join(f"**{totals[n][1]}/{totals[n][0]} ({100 * totals[n][1] / max(1, totals[n][0]):.1f}%)**" for n in names)
      + f" | {t0[2]} | " + " | ".join(f"**{totals[n][3]}**" for n in names) + " |")
if other_status:
    print("\nanswers other than 200/403: " + ", ".join(f"{n} {c}: {k}" for (n, c), k in sorted(other_status.items())))
print(f"\nexcluded tests ({len(excluded)}):")
by_reason = collections.defaultdict(list)
for title, reason in excluded:
    by_reason[reason].append(title)
for reason, titles in sorted(by_reason.items(), key=lambda r: -len(r[1])):
    print(f"- {reason}: {len(titles)} ({', '.join(titles[:12])}{', ...' if len(titles) > 12 else ''})")
if differ:
    print(f"\ntests the WAFs answered differently ({len(differ)}):")
    for title, kind, answers, reasons in differ:
        print(f"- {title} ({kind}): " + ", ".join(f"{n} {c}" for n, c in answers.items())
              + "".join(f"; {n}: {r}" for n, r in reasons.items() if r))
