"""CDO side of the regridding benchmark (Benchmarks/regrid.sh).

  python3 Benchmarks/regrid_cdo.py inputs DIR     write the input files and CDO grid descriptions
  python3 Benchmarks/regrid_cdo.py errors FILE TOOL METHOD SOURCE DESTINATION
                                                  error norms of a remapped file (JSON lines)
  python3 Benchmarks/regrid_cdo.py time REPEAT LABEL-JSON -- COMMAND...
                                                  best wall time of COMMAND (after a warm-up)
  python3 Benchmarks/regrid_cdo.py report RESULTS.jsonl
                                                  the markdown tables of BENCHMARKS.md

Grids are those of Grids/*.yaml, written with coordinates CDO understands:
  - lat-lon grids as 1-D `lat`/`lon` with CF `lat_bnds`/`lon_bnds` (cell edges halfway
    between centres, clamped to ±90: the same cells Plume derives from the centres);
  - octahedral O80 (ECMWF reduced Gaussian N80, 4N² + 36N = 28,480 points) as an unstructured grid:
    `lat(cell)`, `lon(cell)` rows north to south at the Gaussian latitudes (what Plume
    recognises) with 4 corners per cell (`lat_bnds`, `lon_bnds`; row bounds where the
    Gaussian weights put them, as Plume's GaussianGrid). CDO treats the cell edges as
    great circles, Plume the northern and southern edges as parallels.
Test fields as Sources/PlumeRegrid/Verification/TestFields.swift (TempestRemap's).
"""
import json
import os
import sys

import numpy as np
from netCDF4 import Dataset

STEPS = 24


# --- grids ----------------------------------------------------------------------------

def latlon(first_lat, step_lat, nlat, first_lon, step_lon, nlon):
    lat = first_lat + step_lat * np.arange(nlat)
    lon = first_lon + step_lon * np.arange(nlon)
    half = abs(step_lat) / 2
    lat_bnds = np.stack([np.clip(lat - np.sign(step_lat) * half, -90, 90),
                         np.clip(lat + np.sign(step_lat) * half, -90, 90)], axis=1)
    lon_bnds = np.stack([lon - step_lon / 2, lon + step_lon / 2], axis=1)
    return {"kind": "latlon", "lat": lat, "lon": lon, "lat_bnds": lat_bnds, "lon_bnds": lon_bnds}


def octahedral(n):
    nodes, weights = np.polynomial.legendre.leggauss(2 * n)
    nodes, weights = nodes[::-1], weights[::-1]  # north first
    lats = np.degrees(np.arcsin(nodes))
    sin_north = 1 - np.concatenate([[0], np.cumsum(weights)[:-1]])
    sin_south = sin_north - weights
    sin_south[-1] = -1
    north, south = np.degrees(np.arcsin(np.clip(sin_north, -1, 1))), np.degrees(np.arcsin(np.clip(sin_south, -1, 1)))
    half = [20 + 4 * i for i in range(n)]
    counts = half + half[::-1]
    lat, lon, clat, clon = [], [], [], []
    for i, count in enumerate(counts):
        width = 360 / count
        centres = width * np.arange(count)
        lat.append(np.full(count, lats[i]))
        lon.append(centres)
        w, e = centres - width / 2, centres + width / 2
        s, nn = np.full(count, south[i]), np.full(count, north[i])
        clat.append(np.stack([s, s, nn, nn], axis=1))  # counter-clockwise from south-west
        clon.append(np.stack([w, e, e, w], axis=1))
    return {"kind": "cells", "lat": np.concatenate(lat), "lon": np.concatenate(lon),
            "lat_bnds": np.concatenate(clat), "lon_bnds": np.concatenate(clon)}


GRIDS = {
    "latlon0.25": lambda: latlon(90, -0.25, 721, 0, 0.25, 1440),
    "latlon1": lambda: latlon(-89.5, 1, 180, 0.5, 1, 360),
    "latlon5.625": lambda: latlon(-87.1875, 5.625, 32, 0, 5.625, 64),
    "latlon2x3": lambda: latlon(-89, 2, 90, -178.5, 3, 120),
    "octahedral-o80": lambda: octahedral(80),
}


def centres(g):
    if g["kind"] == "latlon":
        lon, lat = np.meshgrid(g["lon"], g["lat"])
        return lat, lon
    return g["lat"], g["lon"]


def areas(g):
    if g["kind"] == "latlon":
        s = np.sin(np.radians(g["lat_bnds"]))
        band = np.abs(s[:, 1] - s[:, 0])
        width = np.radians(np.abs(g["lon_bnds"][:, 1] - g["lon_bnds"][:, 0]))
        return np.outer(band, width)
    s = np.sin(np.radians(g["lat_bnds"]))
    return np.abs(s[:, 2] - s[:, 0]) * np.radians(g["lon_bnds"][:, 1] - g["lon_bnds"][:, 0])


# --- test fields ----------------------------------------------------------------------

def y2_2(lat, lon):
    phi, lam = np.radians(lat), np.radians(lon)
    return 2 + np.cos(phi) ** 2 * np.cos(2 * lam)


def y16_32(lat, lon):
    phi, lam = np.radians(lat), np.radians(lon)
    return 2 + np.sin(2 * phi) ** 16 * np.cos(16 * lam)


def vortex(lat, lon):
    phi, lam = np.radians(lat), np.radians(lon)
    lon0, lat0, r0, d, t = 0.0, 0.6, 3.0, 5.0, 6.0
    sin_c, cos_c = np.sin(lat0), np.cos(lat0)
    cos_t, sin_t = np.cos(phi), np.sin(phi)
    trm = cos_t * np.cos(lam - lon0)
    x = sin_c * trm - cos_c * sin_t
    y = cos_t * np.sin(lam - lon0)
    z = sin_c * sin_t + cos_c * trm
    rlon = np.arctan2(y, x)
    rlon = np.where(rlon < 0, rlon + 2 * np.pi, rlon)
    rlat = np.arcsin(np.clip(z, -1, 1))
    rho = r0 * np.cos(rlat)
    vt = 3 * np.sqrt(3) / 2 / np.cosh(rho) / np.cosh(rho) * np.tanh(rho)
    omega = np.where(rho == 0, 0, vt / np.where(rho == 0, 1, rho))
    return 1 - np.tanh(rho / d * np.sin(rlon - omega * t))


FIELDS = {"Y2_2": y2_2, "Y16_32": y16_32, "vortex": vortex}


# --- files ----------------------------------------------------------------------------

def write(path, g, variables, steps=None, dtype="f8"):
    with Dataset(path, "w", format="NETCDF4") as nc:
        if g["kind"] == "latlon":
            nc.createDimension("lat", len(g["lat"]))
            nc.createDimension("lon", len(g["lon"]))
            dims = ("lat", "lon")
            ydims, xdims = ("lat",), ("lon",)
        else:
            nc.createDimension("cell", len(g["lat"]))
            dims = ydims = xdims = ("cell",)
        nv = g["lat_bnds"].shape[1]
        nc.createDimension("nv", nv)
        if steps:
            nc.createDimension("time", None)
            t = nc.createVariable("time", "f8", ("time",))
            t.units, t.calendar, t.standard_name = "hours since 2024-01-01 00:00:00", "standard", "time"
            t[:] = np.arange(steps)
        lat = nc.createVariable("lat", "f8", ydims)
        lat.units, lat.standard_name, lat.bounds = "degrees_north", "latitude", "lat_bnds"
        lon = nc.createVariable("lon", "f8", xdims)
        lon.units, lon.standard_name, lon.bounds = "degrees_east", "longitude", "lon_bnds"
        lat[:], lon[:] = g["lat"], g["lon"]
        if g["kind"] == "latlon":
            nc.createVariable("lat_bnds", "f8", ("lat", "nv"))[:] = g["lat_bnds"]
            nc.createVariable("lon_bnds", "f8", ("lon", "nv"))[:] = g["lon_bnds"]
        else:
            nc.createVariable("lat_bnds", "f8", ("cell", "nv"))[:] = g["lat_bnds"]
            nc.createVariable("lon_bnds", "f8", ("cell", "nv"))[:] = g["lon_bnds"]
        for name, values in variables.items():
            v = nc.createVariable(name, dtype, (("time",) if steps else ()) + dims)
            if g["kind"] != "latlon":
                v.coordinates = "lat lon"
            v[:] = values


def griddes(path, g):
    """A CDO grid description of a lat-lon grid (for the destinations)."""
    lat, lon = g["lat"], g["lon"]
    with open(path, "w") as f:
        f.write(f"gridtype = lonlat\nxsize = {len(lon)}\nysize = {len(lat)}\n"
                f"xfirst = {float(lon[0])!r}\nxinc = {float(lon[1] - lon[0])!r}\nyfirst = {float(lat[0])!r}\nyinc = {float(lat[1] - lat[0])!r}\n")


def inputs(folder):
    os.makedirs(folder, exist_ok=True)
    for name, make in GRIDS.items():
        g = make()
        lat, lon = centres(g)
        fields = {k: f(lat, lon) for k, f in FIELDS.items()}
        write(f"{folder}/{name}.nc", g, fields)  # accuracy: the three fields, float64
        steps = np.stack([fields["vortex"] + 0.01 * s for s in range(STEPS)]).astype("f4")
        write(f"{folder}/{name}-{STEPS}.nc", g, {"field": steps}, steps=STEPS, dtype="f4")
        if g["kind"] == "latlon":
            griddes(f"{folder}/{name}.grid", g)


def errors(path, tool, method, source, destination):
    g = GRIDS[destination]()
    lat, lon = centres(g)
    a = areas(g)
    with Dataset(path) as nc:
        # Use the file's own coordinates (CDO's or Plume's), check they are the grid's.
        flat = nc.variables["lat"][:] if "lat" in nc.variables else nc.variables["latitude"][:]
        flon = nc.variables["lon"][:] if "lon" in nc.variables else nc.variables["longitude"][:]
        if not (np.allclose(flat, g["lat"], atol=1e-9) and np.allclose(flon, g["lon"], atol=1e-9)):
            raise SystemExit(f"{path}: coordinates are not those of {destination}")
        for name, f in FIELDS.items():
            got = np.asarray(nc.variables[name][:], dtype="f8").reshape(lat.shape)
            ref = f(lat, lon)
            ok = np.isfinite(got)
            e = np.where(ok, got - ref, 0)
            r = np.where(ok, ref, 0)
            print(json.dumps({"kind": "accuracy", "tool": tool, "source": source, "destination": destination,
                              "method": method, "field": name, "reference": "centre",
                              "l1": float((np.abs(e) * a).sum() / (np.abs(r) * a).sum()),
                              "l2": float(np.sqrt((e * e * a).sum() / (r * r * a).sum())),
                              "linf": float(np.abs(e).max() / np.abs(r).max()),
                              "skipped": int((~ok).sum())}))


def time_command(repeat, label, command):
    """Best wall time of `command` over `repeat` runs after one warm-up (output discarded)."""
    import subprocess
    import time
    best = float("inf")
    for i in range(int(repeat) + 1):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i > 0:
            best = min(best, time.perf_counter() - start)
    print(json.dumps({"kind": "command", **json.loads(label), "seconds": best, "command": " ".join(command)}))


PAIRS = [("latlon0.25", "latlon1"), ("latlon1", "latlon5.625"), ("octahedral-o80", "latlon1"), ("latlon2x3", "latlon5.625")]
METHODS = ["conservative", "bilinear", "nearest"]


def report(path):
    rows = [json.loads(line) for line in open(path) if line.startswith("{")]
    acc = {(r["tool"], r["source"], r["destination"], r["method"], r["field"], r["reference"]): r
           for r in rows if r["kind"] == "accuracy"}
    e = lambda r: (f"{r['l1']:.2e} | {r['l2']:.2e} | {r['linf']:.2e}" if r else "– | – | –")

    print("Accuracy (errors relative to the analytic field at destination cell centres; source values at "
          "source cell centres; `vs avg`: Plume's conservative result against exact destination cell averages)\n")
    print("| source → destination | method | field | Plume L1 | Plume L2 | Plume L∞ | CDO L1 | CDO L2 | CDO L∞ "
          "| Plume L2 vs avg | plume regrid file L2 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for s, d in PAIRS:
        for m in METHODS:
            for f in FIELDS:
                p, c = acc.get(("plume", s, d, m, f, "centre")), acc.get(("cdo", s, d, m, f, "centre"))
                a = acc.get(("plume", s, d, m, f, "cell-average"))
                pf = acc.get(("plume-file", s, d, m, f, "centre"))
                print(f"| {s} → {d} | {m} | {f} | {e(p)} | {e(c)} | {a['l2']:.2e} |" if a else
                      f"| {s} → {d} | {m} | {f} | {e(p)} | {e(c)} | – |", end="")
                print(f" {pf['l2']:.2e} |" if pf else " – |")

    cmd = {(r["what"], r["source"], r["method"], r["threads"]): r["seconds"] for r in rows if r["kind"] == "command"}
    timing = {(r["source"], r["method"], r["threads"]): r for r in rows if r["kind"] == "timing"}
    ms = lambda x: f"{x * 1e3:.1f}" if x is not None else "–"
    ratio = lambda a, b: f"{a / b:.1f}" if a and b else "–"
    print("\nConservative, 24 steps of one float32 field (whole commands: file in → file out, wall time; "
          "in-process: `plume bench regrid`)\n")
    print("| source → destination | threads | `plume regrid` (ms) | `cdo remapcon` (ms) | CDO/Plume "
          "| Plume weights, in-process (ms) | `cdo gencon` (ms) | CDO/Plume "
          "| Plume apply ×24, in-process (ms) | `cdo remap` (ms) | CDO/Plume |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for threads in (2, 1):
        for s, d in PAIRS:
            t = timing.get((s, "conservative", threads))
            gen = t["generation_s"] if t else None
            app = t["apply_s"] if t else None
            pr, cr = cmd.get(("plume", s, "conservative", threads)), cmd.get(("cdo", s, "conservative", threads))
            cg, ca = cmd.get(("cdo-gencon", s, "conservative", threads)), cmd.get(("cdo-remap", s, "conservative", threads))
            print(f"| {s} → {d} | {threads} | {ms(pr)} | {ms(cr)} | {ratio(cr, pr)} | {ms(gen)} | {ms(cg)} | {ratio(cg, gen)} "
                  f"| {ms(app)} | {ms(ca)} | {ratio(ca, app)} |")

    print("\nOther methods, 24 steps, whole commands, 2 threads\n")
    print("| source → destination | method | `plume regrid` (ms) | CDO (ms) | CDO/Plume | Plume weights, in-process (ms) |")
    print("|---|---|---|---|---|---|")
    for s, d in PAIRS:
        for m in ("bilinear", "nearest"):
            t = timing.get((s, m, 2))
            pr, cr = cmd.get(("plume", s, m, 2)), cmd.get(("cdo", s, m, 2))
            print(f"| {s} → {d} | {m} | {ms(pr)} | {ms(cr)} | {ratio(cr, pr)} | {ms(t['generation_s'] if t else None)} |")

    print("\nApplication throughput (in-process, 24 float32 fields per call; GB/s of source data read)\n")
    print("| source → destination | method | threads | links | ms per field | GB/s | memcpy GB/s (same bytes) | apply/memcpy |")
    print("|---|---|---|---|---|---|---|---|")
    for threads in (2, 1):
        for s, d in PAIRS:
            for m in METHODS:
                t = timing.get((s, m, threads))
                if not t:
                    continue
                gbps = t["source_bytes"] / t["apply_s"] / 1e9
                copy = t["source_bytes"] / t["memcpy_s"] / 1e9
                print(f"| {s} → {d} | {m} | {threads} | {t['links']} | {t['apply_s'] * 1e3 / t['fields']:.2f} "
                      f"| {gbps:.2f} | {copy:.1f} | {gbps / copy:.2f} |")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "inputs":
        inputs(sys.argv[2])
    elif len(sys.argv) == 7 and sys.argv[1] == "errors":
        errors(*sys.argv[2:])
    elif len(sys.argv) > 5 and sys.argv[1] == "time" and sys.argv[4] == "--":
        time_command(sys.argv[2], sys.argv[3], sys.argv[5:])
    elif len(sys.argv) == 3 and sys.argv[1] == "report":
        report(sys.argv[2])
    else:
        raise SystemExit(__doc__)
