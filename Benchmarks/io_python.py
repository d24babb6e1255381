#!/usr/bin/env python3
"""Python side of the side-by-side IO benchmark.

For each file, time (best of N after one warm-up) opening it and loading
every field's values fully into memory, with several Python readers:

  GRIB:   xarray-cfgrib, cfgrib-messages, eccodes-python
  netCDF: netCDF4-python, xarray-netcdf4

Prints one JSON line per (file, method) on stdout:
  {"file": ..., "method": ..., "seconds": ..., "values": ...}
or {"file": ..., "method": ..., "error": ...} if that method failed.

Usage: python3 Benchmarks/io_python.py --repeat 3 FILE...
Dependencies: Benchmarks/requirements-io.txt
"""

import os

# Single-threaded everything; must happen before numpy & co. are imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "ECCODES_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import gc
import json
import sys
import time

# Keep stdout for JSON only: anything else (including C libraries writing to
# file descriptor 1) is sent to stderr.
_json_out = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
os.dup2(sys.stderr.fileno(), sys.stdout.fileno())


# --- GRIB ------------------------------------------------------------------

def grib_xarray_cfgrib(path):
    import xarray as xr
    # indexpath="" stops cfgrib from writing a .idx file next to the data.
    with xr.open_dataset(path, engine="cfgrib", backend_kwargs={"indexpath": ""}) as ds:
        return sum(ds[name].load().size for name in ds.data_vars)


def grib_cfgrib_messages(path):
    import numpy as np
    import cfgrib
    total = 0
    for _offset, msg in cfgrib.FileStream(path, errors="raise").items():
        total += np.size(msg["values"])
    return total


def grib_eccodes_python(path):
    import eccodes
    total = 0
    with open(path, "rb") as f:
        while True:
            gid = eccodes.codes_grib_new_from_file(f)
            if gid is None:
                break
            try:
                total += eccodes.codes_get_values(gid).size
            finally:
                eccodes.codes_release(gid)
    return total


# --- netCDF ----------------------------------------------------------------

def _netcdf4_group_values(group):
    total = 0
    for var in group.variables.values():
        var.set_auto_maskandscale(True)
        total += var[:].size
    for sub in group.groups.values():
        total += _netcdf4_group_values(sub)
    return total


def nc_netcdf4(path):
    import netCDF4
    with netCDF4.Dataset(path, "r") as ds:
        ds.set_auto_maskandscale(True)
        return _netcdf4_group_values(ds)


def nc_xarray_netcdf4(path):
    import xarray as xr
    with xr.open_dataset(path, engine="netcdf4") as ds:
        return sum(ds[name].load().size for name in ds.data_vars)


GRIB_METHODS = [
    ("xarray-cfgrib", grib_xarray_cfgrib),
    ("cfgrib-messages", grib_cfgrib_messages),
    ("eccodes-python", grib_eccodes_python),
]
NETCDF_METHODS = [
    ("netCDF4-python", nc_netcdf4),
    ("xarray-netcdf4", nc_xarray_netcdf4),
]


def methods_for(path):
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"CDF") or head.startswith(b"\x89HDF"):
        return NETCDF_METHODS
    if head.startswith(b"GRIB"):
        return GRIB_METHODS
    ext = os.path.splitext(path)[1].lower()
    return NETCDF_METHODS if ext in (".nc", ".nc4", ".netcdf") else GRIB_METHODS


def bench(fn, path, repeat):
    values = fn(path)  # warm-up (also imports the reader module)
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        values = fn(path)
        best = min(best, time.perf_counter() - t0)
    return best, values


def emit(record):
    _json_out.write(json.dumps(record) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed repeats (best is reported)")
    parser.add_argument("files", nargs="+", metavar="FILE")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")

    for path in args.files:
        name = os.path.basename(path)
        try:
            methods = methods_for(path)
        except Exception as exc:
            emit({"file": name, "method": None, "error": f"{type(exc).__name__}: {exc}"})
            continue
        for method, fn in methods:
            try:
                seconds, values = bench(fn, path, args.repeat)
                emit({"file": name, "method": method, "seconds": seconds, "values": int(values)})
            except Exception as exc:
                emit({"file": name, "method": method, "error": f"{type(exc).__name__}: {exc}"})


if __name__ == "__main__":
    main()
