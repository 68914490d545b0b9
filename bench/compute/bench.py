"""Driver for bench/compute/run.sh: podman run vs Edgeplane deploy, first successful curl."""
import argparse, concurrent.futures, json, os, socket, statistics, subprocess, time, urllib.request, urllib.error

IMAGE = "localhost/edgeplane/busybox:test"

p = argparse.ArgumentParser()
p.add_argument("--api"); p.add_argument("--key"); p.add_argument("--socket"); p.add_argument("--engine-dir")
p.add_argument("--iterations", type=int); p.add_argument("--batch", type=int)
a = p.parse_args()

d = a.engine_dir
podman = ["podman", "--root", f"{d}/storage", "--runroot", f"{d}/run", "--tmpdir", f"{d}/tmp",
          "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "file"]
env = dict(os.environ, CONTAINERS_CONF=f"{d}/containers.conf")


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def api(method, path, body=None):
    req = urllib.request.Request(a.api + "/compute" + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"x-api-key": a.key, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def first_curl(port, deadline=30):
    end = time.perf_counter() + deadline
    while time.perf_counter() < end:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                if r.status == 200:
                    return time.perf_counter()
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.002)
    raise SystemExit(f"no answer on 127.0.0.1:{port}")


def run(cmd):
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


status, node = api("POST", "/api/nodes/create", {"name": "bench", "ram": "1t", "disk": "1t", "processor": "512", "address": "unix://" + a.socket})
assert status == 201, node
status, image = api("POST", "/api/images/create", {"name": "busybox", "reference": IMAGE, "memory": "32m", "cpu": "0.1"})
assert status == 201, image


def podman_once(i):
    port = free_port()
    t0 = time.perf_counter()
    run(podman + ["run", "-d", "--name", f"ref-{i}", "--memory", "32m", "--cpus", "0.1", "-p", f"127.0.0.1:{port}:80", IMAGE, "/bin/httpd", "-f", "-p", "80", "-h", "/www"])
    t1 = first_curl(port)
    run(podman + ["rm", "-f", "-t", "0", f"ref-{i}"])
    return t1 - t0


def edgeplane_once(i):
    port = free_port()
    t0 = time.perf_counter()
    status, inst = api("POST", "/api/instances/deploy", {"image": "busybox", "name": f"bench-{i}", "ports": f"{port}:80", "memory": "32m", "cpu": "0.1"})
    assert status == 201, inst
    t1 = first_curl(port)
    status, _ = api("DELETE", "/api/instance/delete", {"id": inst["id"]})
    assert status == 201
    return t1 - t0


# Warm up both paths once (first container start, JIT).
podman_once("warm"); edgeplane_once("warm")
ref, ep = [], []
for i in range(a.iterations):  # interleaved so both see the same machine load
    ref.append(podman_once(i))
    ep.append(edgeplane_once(i))

# Batch: deploy N and wait until every one answers, then delete all.
ports = [free_port() for _ in range(a.batch)]
t0 = time.perf_counter()
for i, port in enumerate(ports):
    run(podman + ["run", "-d", "--name", f"refb-{i}", "--memory", "32m", "--cpus", "0.1", "-p", f"127.0.0.1:{port}:80", IMAGE, "/bin/httpd", "-f", "-p", "80", "-h", "/www"])
for port in ports:
    first_curl(port)
t1 = time.perf_counter()
run(podman + ["rm", "-f", "-t", "0"] + [f"refb-{i}" for i in range(a.batch)])
t2 = time.perf_counter()

ports = [free_port() for _ in range(a.batch)]
ids = []
t3 = time.perf_counter()
for i, port in enumerate(ports):
    status, inst = api("POST", "/api/instances/deploy", {"image": "busybox", "name": f"batch-{i}", "ports": f"{port}:80", "memory": "32m", "cpu": "0.1"})
    assert status == 201, inst
    ids.append(inst["id"])
for port in ports:
    first_curl(port)
t4 = time.perf_counter()
# A client deletes a batch concurrently (podman rm with many names removes them in parallel too).
with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
    assert all(status == 201 for status, _ in pool.map(lambda id: api("DELETE", "/api/instance/delete", {"id": id}), ids))
t5 = time.perf_counter()
left = subprocess.run(podman + ["ps", "-aq"], env=env, capture_output=True, text=True).stdout.split()


def ms(x): return f"{x * 1000:.0f} ms"


rm, em = statistics.median(ref), statistics.median(ep)
print(f"\n| measure ({a.iterations} runs, median) | podman run | Edgeplane API | ratio |")
print("| --- | --- | --- | --- |")
print(f"| deploy → first successful curl | {ms(rm)} | {ms(em)} | {em / rm:.2f}x |")
print(f"| same, p90 | {ms(sorted(ref)[int(0.9 * (len(ref) - 1))])} | {ms(sorted(ep)[int(0.9 * (len(ep) - 1))])} | |")
print(f"| {a.batch} instances: deploy until all answer | {ms(t1 - t0)} | {ms(t4 - t3)} | {(t4 - t3) / (t1 - t0):.2f}x |")
print(f"| {a.batch} instances: delete all | {ms(t2 - t1)} | {ms(t5 - t4)} | {(t5 - t4) / (t2 - t1):.2f}x |")
print(f"| {a.batch} instances: deploy + delete | {ms(t2 - t0)} | {ms(t5 - t3)} | {(t5 - t3) / (t2 - t0):.2f}x |")
print(f"\ncontainers left on the engine: {len(left)}")
