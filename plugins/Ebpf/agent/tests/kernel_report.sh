#!/usr/bin/env bash
# Kernel test: load real maps/programs, check the agent's report against bpftool, unload, check they are gone.
# Exit 77 (skipped) when this process may not use bpf().
set -euo pipefail
agent=$1 fixture=$2
command -v jq >/dev/null || { echo "jq missing"; exit 77; }
command -v bpftool >/dev/null || { echo "bpftool missing"; exit 77; }

coproc FIX { exec "$fixture" --maps 4 --programs 2 --prefix ctst; }
fixpid=$FIX_PID
if ! read -r -t 20 ids <&"${FIX[0]}"; then
  wait "$fixpid" 2>/dev/null || true
  echo "SKIP: cannot create BPF objects here (no CAP_BPF?)"; exit 77
fi
echo "fixture: $ids"
report=$(mktemp); bpf_maps=$(mktemp); bpf_progs=$(mktemp)
trap 'rm -f "$report" "$bpf_maps" "$bpf_progs"' EXIT
"$agent" --once --stdout --no-helpers >"$report"
bpftool -j map show >"$bpf_maps"
bpftool -j prog show >"$bpf_progs"

fail=0
for id in $(jq '.maps[]' <<<"$ids"); do
  a=$(jq -c --argjson id "$id" '.maps[] | select(.id==$id) | {id, type, name, flags, bytes_key: .bytesKey, bytes_value: .bytesValue, max_entries: .maxEntries, bytes_memlock: .bytesMemlock, frozen: (if .frozen then 1 else 0 end)}' "$report")
  b=$(jq -c --argjson id "$id" '.[] | select(.id==$id) | {id, type, name, flags, bytes_key, bytes_value, max_entries, bytes_memlock, frozen}' "$bpf_maps")
  if [[ -z "$a" || "$a" != "$b" ]]; then echo "map $id differs: agent=$a bpftool=$b"; fail=1; fi
done
for id in $(jq '.programs[]' <<<"$ids"); do
  a=$(jq -c --argjson id "$id" '.programs[] | select(.id==$id) | {id, type, name, tag, gpl_compatible: .gplCompatible, uid, bytes_xlated: .bytesXlated, jited, bytes_jited: .bytesJited, bytes_memlock: .bytesMemlock, map_ids: .mapIds}' "$report")
  b=$(jq -c --argjson id "$id" '.[] | select(.id==$id) | {id, type, name, tag, gpl_compatible, uid, bytes_xlated, jited, bytes_jited, bytes_memlock, map_ids}' "$bpf_progs")
  if [[ -z "$a" || "$a" != "$b" ]]; then echo "program $id differs: agent=$a bpftool=$b"; fail=1; fi
done

# unload and check they are gone
eval "exec ${FIX[1]}>&-"
wait "$fixpid" 2>/dev/null || true
# the kernel frees maps asynchronously: allow a few seconds
left=1
for _ in $(seq 50); do
  "$agent" --once --stdout --no-features >"$report"
  left=$(jq --argjson ids "$ids" '[.maps[], .programs[] | select(.id as $i | (($ids.maps + $ids.programs) | index($i)) != null) | select(.name|startswith("ctst"))] | length' "$report")
  [[ $left == 0 ]] && break
  sleep 0.1
done
if [[ $left != 0 ]]; then echo "$left fixture objects still reported after unload"; fail=1; fi
[[ $fail == 0 ]] && echo "kernel report matches bpftool"
exit $fail
