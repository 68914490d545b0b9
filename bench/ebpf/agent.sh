#!/usr/bin/env bash
# Agent collection vs bpftool, in the same run, on the same objects:
# loads MAPS maps and PROGS programs (ebpf-fixture), then times `bpftool -j prog show` + `bpftool -j map show`
# against one agent collection (`--once --stdout --no-features`: programs and maps, the same scope),
# RUNS times each, and prints medians, peak RSS and the ratio. Needs root/CAP_BPF, cmake, libbpf-dev, bpftool.
set -euo pipefail
MAPS=${MAPS:-1000} PROGS=${PROGS:-200} RUNS=${RUNS:-7}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../plugins/Ebpf/agent" && pwd)
build=$src/build-bench
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j2 >/dev/null
agent=$build/edgeplane-ebpf-agent fixture=$build/ebpf-fixture
tmp=$(mktemp -d); trap 'exec {fin}>&- 2>/dev/null || true; rm -rf "$tmp"' EXIT

# hold the objects: the fixture keeps them until its stdin closes
mkfifo "$tmp/in"
"$fixture" --maps "$MAPS" --programs "$PROGS" --prefix bench <"$tmp/in" >"$tmp/ids" 2>"$tmp/fixture.err" &
fixture_pid=$!
exec {fin}>"$tmp/in"
for _ in $(seq 600); do [[ -s "$tmp/ids" ]] && break; kill -0 $fixture_pid 2>/dev/null || { cat "$tmp/fixture.err"; exit 1; }; sleep 0.1; done
[[ -s "$tmp/ids" ]] || { echo "fixture did not start"; exit 1; }

# one timed run: prints "<wall ms> <peak RSS KB>"
measure() {
  local start end
  start=$(date +%s%N)
  /usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null
  end=$(date +%s%N)
  echo "$(( (end - start) / 1000 )) $(cat "$tmp/rss")"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

total_maps=$(bpftool -j map show | jq length); total_progs=$(bpftool -j prog show | jq length)
agent_maps=$("$agent" --once --stdout --no-features | jq '.maps | length')
echo "objects on the host: $total_progs programs, $total_maps maps (fixture: $PROGS programs, $MAPS maps); agent sees $agent_maps maps"

: >"$tmp/bt"; : >"$tmp/ag"; : >"$tmp/agf"; : >"$tmp/btrss"; : >"$tmp/agrss"; : >"$tmp/agfrss"
for _ in $(seq "$RUNS"); do
  read -r p_us p_rss < <(measure bpftool -j prog show)
  read -r m_us m_rss < <(measure bpftool -j map show)
  echo $((p_us + m_us)) >>"$tmp/bt"; echo $(( p_rss > m_rss ? p_rss : m_rss )) >>"$tmp/btrss"
  read -r a_us a_rss < <(measure "$agent" --once --stdout --no-features)
  echo "$a_us" >>"$tmp/ag"; echo "$a_rss" >>"$tmp/agrss"
  read -r f_us f_rss < <(measure "$agent" --once --stdout)
  echo "$f_us" >>"$tmp/agf"; echo "$f_rss" >>"$tmp/agfrss"
done
bt=$(median <"$tmp/bt"); ag=$(median <"$tmp/ag"); agf=$(median <"$tmp/agf")
btr=$(median <"$tmp/btrss"); agr=$(median <"$tmp/agrss"); agfr=$(median <"$tmp/agfrss")
printf '%-52s %10s %14s\n' "command (median of $RUNS)" "wall ms" "peak RSS MB"
printf '%-52s %10.1f %14.1f\n' "bpftool -j prog show + bpftool -j map show" "$(echo "$bt/1000" | bc -l)" "$(echo "$btr/1024" | bc -l)"
printf '%-52s %10.1f %14.1f\n' "edgeplane-ebpf-agent --once --stdout --no-features" "$(echo "$ag/1000" | bc -l)" "$(echo "$agr/1024" | bc -l)"
printf '%-52s %10.1f %14.1f\n' "edgeplane-ebpf-agent --once --stdout (with probes)" "$(echo "$agf/1000" | bc -l)" "$(echo "$agfr/1024" | bc -l)"
printf 'ratio bpftool / agent (inventory): %.2fx faster\n' "$(echo "$bt/$ag" | bc -l)"
