#!/usr/bin/env bash
# Side-by-side libtorch benchmark, one run: the Swift Torch bindings (`plume bench torch`)
# against PyTorch (Benchmarks/torch_python.py, Debian's python3-torch) on the same libtorch,
# same weights, same thread count: forward+backward of a conv block and of a transformer
# block, and an n×n matmul (GFLOP/s against the machine's peak).
#   Benchmarks/torch.sh [REPEAT]   (needs: swift build -c release --product plume)
#   PLUME_BIN=path/to/plume   time another build (default .build/release/plume)
#   THREADS="1 2"             thread counts to run (default: 1 and 2)
#   MATMUL_REPEAT=2           repetitions of the matmuls (slow with the reference BLAS)
#   MATMUL_SIZE=2048          n of the n×n matmuls
#   ROUNDS=3                  Swift/Python alternations per workload; the table keeps each side's best
#   WORKLOADS="conv-block …"  a subset of: conv-block transformer-block transformer-tiny matmul-f32 matmul-f64
# Environment reaches both sides alike: LD_LIBRARY_PATH=…/openblas-pthread to try another
# libblas.so.3, GLIBC_TUNABLES=… to change glibc malloc's policy.
# The two sides alternate workload by workload and round by round, so that load from
# elsewhere on the machine hits both alike.
set -euo pipefail
cd "$(dirname "$0")/.."
repeat="${1:-5}"
matmul_repeat="${MATMUL_REPEAT:-2}"
matmul_size="${MATMUL_SIZE:-2048}"
rounds="${ROUNDS:-3}"
workloads="${WORKLOADS:-conv-block transformer-block transformer-tiny matmul-f32 matmul-f64}"
threads_list="${THREADS:-1 2}"
plume="${PLUME_BIN:-.build/release/plume}"
python="$(Scripts/python-env.sh)"
weights="${TMPDIR:-/tmp}/plume-bench-torch-weights"
results="${TMPDIR:-/tmp}/plume-bench-torch.jsonl"
: > "$results"
for threads in $threads_list; do
  export OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads"
  for workload in $workloads; do
    n="$repeat"; case "$workload" in matmul-*) n="$matmul_repeat" ;; esac
    for round in $(seq "$rounds"); do
      swift=("$plume" bench torch --weights "$weights")
      python=("$python" Benchmarks/torch_python.py --weights "$weights")
      common=(--repeat "$n" --threads "$threads" --workload "$workload" --matmul-size "$matmul_size")
      # Swift writes the weights: it goes first in the first round, then the order alternates.
      if (( round % 2 == 1 )); then order=(swift python); else order=(python swift); fi
      for side in "${order[@]}"; do
        if [ "$side" = swift ]; then "${swift[@]}" "${common[@]}"; else "${python[@]}" "${common[@]}"; fi \
          | tee -a "$results" >&2
      done
    done
  done
done
"$python" - "$results" <<'PY'
import collections, json, re, sys

rows = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r = json.loads(line)
    best = rows[(r["workload"], r["threads"])].get(r["method"])
    if best is None or r["seconds"] < best["seconds"]:
        rows[(r["workload"], r["threads"])][r["method"]] = r  # each side's best round

# Peak: cores × nominal clock × FLOP per cycle per core. With AVX2 + FMA we assume two
# 256-bit FMA units per core: 2 units × 8 float32 lanes × 2 (multiply + add) = 32 float32
# (16 float64) FLOP/cycle. The clock is /proc/cpuinfo's "cpu MHz" (what the VM reports;
# boost clocks can exceed it).
flags, mhz = set(), None
for line in open("/proc/cpuinfo"):
    key, _, value = line.partition(":")
    if key.strip() == "flags" and not flags: flags = set(value.split())
    if key.strip() == "cpu MHz" and mhz is None: mhz = float(value)
cores = len({l.split(":")[1].strip() for l in open("/proc/cpuinfo") if l.startswith("processor")})
per_cycle32 = 32 if {"avx2", "fma"} <= flags else 16 if "avx" in flags else 8
peak = lambda threads, dtype: min(threads, cores) * mhz * 1e6 * per_cycle32 / (1 if dtype == "f32" else 2) / 1e9

ms = lambda r: "–" if not r else f"{r['seconds'] * 1e3:.3f}" if r["seconds"] < 0.01 else f"{r['seconds'] * 1e3:.1f}"
print(f"Machine: {cores} cores, {mhz:.0f} MHz, flags {'avx2+fma' if per_cycle32 == 32 else 'no avx2/fma'}; "
      f"peak {peak(1, 'f32'):.1f} GFLOP/s float32, {peak(1, 'f64'):.1f} float64 per core.\n")
print("| workload | threads | Swift (ms) | Python (ms) | Python/Swift | loss, Swift | loss, Python | losses agree | page faults/step, Swift | Python |")
print("|---|---|---|---|---|---|---|---|---|---|")
for (workload, threads), m in rows.items():
    if workload.startswith("matmul"): continue
    s, p = m.get("swift"), m.get("python")
    ratio = f"{p['seconds'] / s['seconds']:.3f}" if s and p else "–"
    agree = "–"
    if s and p and (s["loss"] is None or p["loss"] is None or s["loss"] != s["loss"] or p["loss"] != p["loss"]):
        agree = "**no** (not finite)"
    elif s and p:
        rel = abs(s["loss"] - p["loss"]) / max(abs(p["loss"]), 1e-30)
        agree = ("yes" if rel <= 1e-5 else "**no**") + (f" (rel. diff {rel:.1e})" if rel else " (identical)")
    faults = lambda r: f"{r['faults']:.0f}" if r else "–"
    print(f"| {workload} | {threads} | {ms(s)} | {ms(p)} | {ratio} | {s['loss'] if s else '–'} | {p['loss'] if p else '–'} "
          f"| {agree} | {faults(s)} | {faults(p)} |")

print()
print("| matmul | threads | Swift (ms) | Python (ms) | Python/Swift | Swift GFLOP/s | Python GFLOP/s | peak GFLOP/s | Swift % of peak | Python % of peak |")
print("|---|---|---|---|---|---|---|---|---|---|")
for (workload, threads), m in rows.items():
    if not workload.startswith("matmul"): continue
    s, p = m.get("swift"), m.get("python")
    dtype = workload.split("-")[1]
    top = peak(threads, dtype)
    g = lambda r: f"{r['gflops']:.1f}" if r else "–"
    pct = lambda r: f"{100 * r['gflops'] / top:.1f}" if r else "–"
    ratio = f"{p['seconds'] / s['seconds']:.3f}" if s and p else "–"
    n = (s or p)["n"]
    print(f"| {n}×{n} {dtype.replace('f', 'float')} | {threads} | {ms(s)} | {ms(p)} | {ratio} | {g(s)} | {g(p)} | {top:.1f} | {pct(s)} | {pct(p)} |")
PY
