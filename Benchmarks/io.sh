#!/usr/bin/env bash
# Side-by-side IO benchmark, one run: Plume (and the C calls under it) against
# xarray+cfgrib, cfgrib, eccodes-python and netCDF4-python on the same sample files.
#   Benchmarks/io.sh [REPEAT]      (needs: make build samples)
#   PLUME_BIN=path/to/plume Benchmarks/io.sh   to time another build (default .build/release/plume)
set -euo pipefail
cd "$(dirname "$0")/.."
repeat="${1:-5}"
samples=.cache/sample-data
files=(era5-levels-members.grib regular_ll_msl.grib reduced_gg.grib regular_gg_ml.grib lambert_grid.grib alternate-scanning.grib era5-levels-members.nc)
python3 -m pip install --quiet -r Benchmarks/requirements-io.txt >&2
paths=("${files[@]/#/$samples/}")
export OMP_NUM_THREADS=1
{
  "${PLUME_BIN:-.build/release/plume}" bench io --repeat "$repeat" "${paths[@]}"
  python3 Benchmarks/io_python.py --repeat "$repeat" "${paths[@]}"
} > /tmp/plume-bench-io.jsonl
python3 - /tmp/plume-bench-io.jsonl <<'PY'
import json, sys, collections
rows = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "seconds" in r: rows[r["file"]][r["method"]] = r["seconds"]
fmt = lambda x: f"{x*1e3:.2f}" if x else "–"
ratio = lambda a, b, p: f"{a/b:.{p}f}" if a and b else "–"
print("| file | Plume (ms) | Plume, first read (ms) | C, same keys + values (ms) | Plume/C-keys | bare C, values only (ms) | Plume/C | C, values + coordinates (ms) | Plume/C-coords | xarray (ms) | xarray/Plume | per-message Python (ms) | Python/Plume |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for f, m in rows.items():
    plume = m.get("plume"); cold = m.get("plume-first-read"); c = m.get("c-ecCodes", m.get("c-netCDF"))
    cc = m.get("c-ecCodes-coordinates")
    xr = m.get("xarray-cfgrib", m.get("xarray-netcdf4"))
    py = m.get("eccodes-python", m.get("netCDF4-python"))
    ck = m.get("c-ecCodes-keys")
    print(f"| {f} | {fmt(plume)} | {fmt(cold)} | {fmt(ck)} | {ratio(plume, ck, 2)} | {fmt(c)} | {ratio(plume, c, 2)} | {fmt(cc)} | {ratio(plume, cc, 2)} | {fmt(xr)} | {ratio(xr, plume, 1)} | {fmt(py)} | {ratio(py, plume, 2)} |")
PY
