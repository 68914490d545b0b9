#!/usr/bin/env bash
# Counts what the runtime does before a published host's first 200: types loaded and methods JIT-compiled, grouped by
# the namespace that causes them (an instantiation over a plugin's type counts for that plugin's namespace).
#   bench/host/loads.sh DIR [DIR...]     # DIR as for ab.sh (published host with the bench plugin)
# Each DIR starts once on a fresh data directory (migrations), then once with the TypeLoads startup hook until
# GET /bench/ping answers 200. With two or more DIRs the groups are compared with the first. TOP (25) rows are shown;
# KEEP=1 keeps the raw logs (time, T|M, name) and prints where. The counts repeat within a few types between starts of
# the same build (the order of parallel work varies), so they need no alternation; the hook itself adds ~200 types.
set -euo pipefail
cd "$(dirname "$0")/../.."
work="$(mktemp -d /tmp/edgeplane-loads.XXXXXX)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
dotnet publish bench/host/TypeLoads -c Release -o "$work/hook" -nologo -clp:ErrorsOnly >/dev/null
export ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production
export Edgeplane__Bootstrap__AdminApiKey="ep_bench_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start INDEX [HOOK]: starts build INDEX on its own data directory until /bench/ping answers 200, then stops it
start() {
  local dir="$1" i="$2" port
  port=$(free_port)
  env ${3:+DOTNET_STARTUP_HOOKS="$work/hook/Edgeplane.Bench.TypeLoads.dll" TYPE_LOADS_OUT="$work/log$i"} \
    Edgeplane__DataDirectory="$work/data$i" Edgeplane__Plugins__Directories="$dir/plugins" \
    dotnet "$dir/Edgeplane.Host.dll" --urls "http://127.0.0.1:$port" --contentRoot "$dir" >"$work/out$i" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/bench/ping"; do
    kill -0 "$pid" 2>/dev/null || { echo "$dir exited:" >&2; cat "$work/out$i" >&2; exit 1; }
    sleep 0.005
  done
  echo $(( $(date +%s%N) / 1000000 )) >"$work/first200.$i"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}

dirs=("$@")
for i in "${!dirs[@]}"; do
  start "${dirs[$i]}" "$i"
  start "${dirs[$i]}" "$i" hook
  mv "$work/log$i".[0-9]* "$work/log$i"
done
python3 - "$work" "${TOP:-25}" "${dirs[@]}" <<'PY'
import collections, re, sys
work, top, dirs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]

def group(name):
    """The first Edgeplane namespace the type names (its own, or a generic argument's), else its own namespace."""
    outer = re.split(r"[`\[<+]", name)[0]
    mine = re.search(r"Edgeplane\.(?:Plugins\.\w+|Bench\.\w+|\w+)(?:\.[A-Z]\w*(?=\.))?", name)
    if mine:
        return mine.group(0) + ("" if name.startswith(mine.group(0)) else " (in " + ".".join(outer.split(".")[:3]) + "<…>)")
    return ".".join(outer.split(".")[:3]) or name

runs = []
for i, d in enumerate(dirs):
    first200 = int(open(f"{work}/first200.{i}").read())
    types, methods = set(), 0
    for line in open(f"{work}/log{i}"):
        ms, kind, name = line.rstrip("\n").split("\t")[:3]
        if int(ms) > first200: continue
        if kind == "T": types.add(name)
        else: methods += 1
    groups = collections.Counter(group(t) for t in types)
    runs.append((d, types, methods, groups))
    print(f"{d}: {len(types)} types loaded, {methods} methods JIT-compiled before the first 200")

base = runs[0]
for d, types, methods, groups in runs[1:]:
    print(f"\n{d} against {base[0]}: types {len(types) - len(base[1]):+d} ({len(types - base[1])} new, {len(base[1] - types)} gone), methods {methods - base[2]:+d}")
    keys = sorted(set(groups) | set(base[3]), key=lambda k: groups[k] - base[3][k])
    print(f"{'change':>7} {'was':>6} {'now':>6}  group")
    for k in keys[::-1][:top]: print(f"{groups[k] - base[3][k]:+7d} {base[3][k]:6d} {groups[k]:6d}  {k}")
    print("   ...")
    for k in keys[:min(top, 8)][::-1]: print(f"{groups[k] - base[3][k]:+7d} {base[3][k]:6d} {groups[k]:6d}  {k}")
if len(runs) == 1:
    for k, n in base[3].most_common(top): print(f"{n:6d}  {k}")
PY
[ -z "${KEEP:-}" ] || echo "logs kept in $work (logI: ms, T type/M method, name; first200.I: ms)"
