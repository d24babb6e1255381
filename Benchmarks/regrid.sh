#!/usr/bin/env bash
# Side-by-side regridding benchmark, one run: Plume against CDO on the same grids and fields.
#   Benchmarks/regrid.sh [REPEAT]        (needs: swift build -c release; Debian's cdo; python3 with
#                                         numpy + netCDF4, pinned in Benchmarks/requirements-io.txt)
#   PLUME_BIN=path/to/plume Benchmarks/regrid.sh   to time another build (default .build/release/plume)
# Builds nothing. Writes the inputs (Benchmarks/regrid_cdo.py), then for each pair
# latlon0.25→latlon1, latlon1→latlon5.625, octahedral-o80→latlon1, latlon2x3→latlon5.625:
#   accuracy: Y2_2, Y16_32, vortex through `plume bench regrid` (in-process), `plume regrid`
#             (file, cross-check) and cdo remapcon/remapbil/remapnn (-b F64), every method;
#   timings:  24 float32 steps, best of REPEAT after a warm-up: `plume regrid` vs
#             `cdo remapcon`, `cdo gencon` and `cdo remap` vs Plume's in-process generation and
#             application; with 2 threads (CDO -P 2, Plume's default) and on one core
#             (`taskset -c 0` for both, CDO -P 1).
# CDO gets the destination grids as grid descriptions identical to Grids/latlon1.yaml
# (longitudes 0.5…359.5; CDO's own r360x180 starts at 0) and Grids/latlon5.625.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
repeat="${1:-3}"
plume="$(realpath "${PLUME_BIN:-.build/release/plume}")"
helper="$(realpath Benchmarks/regrid_cdo.py)"
work="${REGRID_BENCH_DIR:-/tmp/plume-bench-regrid}"
results="$work/results.jsonl"
python3 -c "import numpy, netCDF4" 2>/dev/null || python3 -m pip install --quiet -r Benchmarks/requirements-io.txt >&2
rm -rf "$work" && mkdir -p "$work/out"
export OMP_NUM_THREADS=2
export PLUME_GRIDS="$PWD/Grids"
python3 "$helper" inputs "$work"
pairs=(latlon0.25:latlon1 latlon1:latlon5.625 octahedral-o80:latlon1 latlon2x3:latlon5.625)
declare -A cdo_op=([conservative]=remapcon [bilinear]=remapbil [nearest]=remapnn)
cd "$work"
: > "$results"
echo "accuracy…" >&2
"$plume" bench regrid --accuracy-only --format json | sed 's/^{/{"threads": 2, /' >> "$results"
for pair in "${pairs[@]}"; do
  s=${pair%:*} d=${pair#*:}
  for m in conservative bilinear nearest; do
    if "$plume" regrid "$s.nc" "out/plume-$s-$m.nc" --to "$d" --method "$m" > /dev/null 2>&1; then
      python3 "$helper" errors "out/plume-$s-$m.nc" plume-file "$m" "$s" "$d" >> "$results"
    fi
    # CDO cannot do bilinear from an unstructured source (o80); the failure is left out.
    if cdo -s -P 2 -b F64 "${cdo_op[$m]},$d.grid" "$s.nc" "out/cdo-$s-$m.nc" > /dev/null 2>&1; then
      python3 "$helper" errors "out/cdo-$s-$m.nc" cdo "$m" "$s" "$d" >> "$results"
    fi
  done
done
time_it() {  # LABEL-JSON COMMAND...
  local label="$1"; shift
  python3 "$helper" time "$repeat" "$label" -- "$@" >> "$results"
}
for threads in 2 1; do
  echo "timings, $threads thread(s)…" >&2
  pin=(); [ "$threads" = 1 ] && pin=(taskset -c 0)
  "${pin[@]}" "$plume" bench regrid --timing-only --format json --repeat "$repeat" \
    $([ "$threads" = 1 ] && echo --methods conservative) | sed "s/^{/{\"threads\": $threads, /" >> "$results"
  for pair in "${pairs[@]}"; do
    s=${pair%:*} d=${pair#*:}
    l() { echo "{\"what\": \"$1\", \"source\": \"$s\", \"destination\": \"$d\", \"method\": \"$2\", \"threads\": $threads}"; }
    time_it "$(l plume conservative)" "${pin[@]}" "$plume" regrid "$s-24.nc" out/p.nc --to "$d" --deflate 0
    time_it "$(l cdo conservative)" "${pin[@]}" cdo -s -P "$threads" "remapcon,$d.grid" "$s-24.nc" out/c.nc
    time_it "$(l cdo-gencon conservative)" "${pin[@]}" cdo -s -P "$threads" "gencon,$d.grid" "$s-24.nc" out/w.nc
    time_it "$(l cdo-remap conservative)" "${pin[@]}" cdo -s -P "$threads" "remap,$d.grid,out/w.nc" "$s-24.nc" out/c.nc
    if [ "$threads" = 2 ]; then
      for m in bilinear nearest; do
        time_it "$(l plume $m)" "$plume" regrid "$s-24.nc" out/p.nc --to "$d" --deflate 0 --method "$m"
        cdo -s "${cdo_op[$m]},$d.grid" "$s-24.nc" out/c.nc > /dev/null 2>&1 &&
          time_it "$(l cdo $m)" cdo -s -P 2 "${cdo_op[$m]},$d.grid" "$s-24.nc" out/c.nc
      done
    fi
  done
done
echo "# $(date -u +%Y-%m-%d) $(uname -m), $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB; $(cdo --version 2>&1 | head -1)"
python3 "$helper" report "$results"
