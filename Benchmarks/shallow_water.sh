#!/usr/bin/env bash
# Side-by-side shallow-water benchmark: Plume's spectral model (`plume bench shallow-water`)
# against the same algorithm in PyTorch (Benchmarks/shallow_water.py, Debian's python3-torch,
# the same libtorch 1.13), same thread count, both from Williamson case 6, and a check that
# both give the same h after the same steps (max |Δh| / max |h| ≤ 1e-10).
#   Benchmarks/shallow_water.sh        (needs: swift build -c release --product plume
#                                       and --product CTorchBackend)
#   PLUME_BIN=path/to/plume   time another build (default .build/release/plume)
#   TRUNCATIONS="42 85"       truncations (grids 64×128 and 128×256)
#   THREADS="1 2"             thread counts
#   DAYS="2 0.5"              model days per timed run, one per truncation
#   ROUNDS=2                  Swift/Python alternations; the table keeps each side's best
set -euo pipefail
cd "$(dirname "$0")/.."
truncations=(${TRUNCATIONS:-42 85})
days_list=(${DAYS:-2 0.5})
threads_list="${THREADS:-1 2}"
rounds="${ROUNDS:-2}"
plume="${PLUME_BIN:-.build/release/plume}"
python="$(Scripts/python-env.sh)"
tmp="${TMPDIR:-/tmp}"
results="$tmp/plume-bench-shallow-water.jsonl"
: > "$results"
for threads in $threads_list; do
  export OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads"
  for i in "${!truncations[@]}"; do
    t="${truncations[$i]}"; d="${days_list[$i]:-1}"
    h="$tmp/plume-bench-sw-h-T$t.bin"
    for round in $(seq "$rounds"); do
      if (( round % 2 == 1 )); then order=(swift python); else order=(python swift); fi
      for side in "${order[@]}"; do
        if [ "$side" = swift ]; then
          "$plume" bench shallow-water --truncation "$t" --days "$d" --threads "$threads" --h-out "$h"
        else
          # Python compares with the h Swift wrote (in round 1 Swift runs first).
          "$python" Benchmarks/shallow_water.py --truncation "$t" --days "$d" --threads "$threads" \
            $( [ -f "$h" ] && echo --compare "$h" )
        fi | tee -a "$results" >&2
      done
    done
    rm -f "$h"
  done
done
"$python" - "$results" <<'PY'
import collections, json, sys

rows = collections.defaultdict(dict)
diffs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r = json.loads(line)
    key = (r["truncation"], r["threads"])
    best = rows[key].get(r["method"])
    if best is None or r["seconds"] < best["seconds"]:
        rows[key][r["method"]] = r
    if "h_relative_difference" in r:
        diffs[key].append(r["h_relative_difference"])
print("| truncation | grid | threads | steps (Δt) | Swift (model days/s) | Python (model days/s) | Swift/Python | max |Δh|/max |h| |")
print("|---|---|---|---|---|---|---|---|")
ok = True
for (t, threads), m in sorted(rows.items()):
    s, p = m.get("swift"), m.get("python")
    ref = s or p
    ratio = f"{s['days_per_second'] / p['days_per_second']:.2f}" if s and p else "–"
    d = max(diffs[(t, threads)]) if diffs[(t, threads)] else None
    if d is None or d > 1e-10: ok = False
    dtext = f"{d:.1e}" if d is not None else "–"
    print(f"| T{t} | {ref['nlat']}×{ref['nlon']} | {threads} | {ref['steps']} ({ref['time_step']:.1f} s) | "
          f"{s['days_per_second']:.2f} | {p['days_per_second']:.2f} | {ratio} | {dtext} |" if s and p else
          f"| T{t} | – | {threads} | – | – | – | – | {dtext} |")
if not ok:
    print("error: Swift and Python h differ by more than 1e-10 (relative) somewhere", file=sys.stderr)
    sys.exit(1)
PY
