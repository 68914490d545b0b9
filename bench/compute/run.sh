#!/usr/bin/env bash
# Deploy-to-first-curl latency through Edgeplane's Compute API against plain `podman run`, on the same
# podman storage, plus the time to deploy and delete 50 instances both ways. Prints a table and ratios.
#   bench/compute/run.sh [ITERATIONS] [BATCH]     (defaults 15 and 50)
# Everything listens on 127.0.0.1 and is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
iterations=${1:-15}
batch=${2:-50}
configuration=${CONFIGURATION:-Release}

./build/install-test-deps.sh >/dev/null
dotnet build src/Host -c "$configuration" -nologo -clp:ErrorsOnly -v q >/dev/null

work=$(mktemp -d /tmp/edgeplane-compute-bench.XXXXXX)
engine="$work/engine"
host_pid=""
cleanup() {
  [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null && wait "$host_pid" 2>/dev/null || true
  tests/Edgeplane.Plugins.Compute.Tests/podman/podman-env.sh stop "$engine" || true
  rm -rf "$work"
}
trap cleanup EXIT

socket=$(tests/Edgeplane.Plugins.Compute.Tests/podman/podman-env.sh start "$engine")

mkdir -p "$work/plugins" "$work/data"
ln -s "$root/src/Host/bin/$configuration/net10.0/plugins/Edgeplane.Plugins.Compute" "$work/plugins/Edgeplane.Plugins.Compute"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
key="ep_bench_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
(
  cd "src/Host/bin/$configuration/net10.0"
  DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production \
  Logging__LogLevel__Default=Warning \
  Edgeplane__DataDirectory="$work/data" \
  Edgeplane__Plugins__Directories="$work/plugins" \
  Edgeplane__Bootstrap__AdminApiKey="$key" \
  Edgeplane__Bootstrap__AdminPassword="bench-admin-password-0123456789" \
  Edgeplane__Plugins__compute__ReconcileIntervalSeconds=5 \
  Edgeplane__Plugins__compute__Quota__MaxInstances=1000 \
  Edgeplane__Plugins__compute__Quota__MaxMemory=1t \
  Edgeplane__Plugins__compute__Quota__MaxCpu=1000 \
  Edgeplane__Plugins__compute__DeployConcurrency=4 \
  exec dotnet Edgeplane.Host.dll --urls "http://127.0.0.1:$port" >"$work/host.log" 2>&1
) &
host_pid=$!
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

python3 bench/compute/bench.py --api "http://127.0.0.1:$port" --key "$key" --socket "${socket#unix://}" \
  --engine-dir "$engine" --iterations "$iterations" --batch "$batch"
