#!/usr/bin/env bash
# Side-by-side libtorch benchmark, one run: the Swift Torch bindings (`plume bench torch`)
# against PyTorch (Benchmarks/torch_python.py, Debian's python3-torch) on the same libtorch,
# same weights, same thread count: forward+backward of a conv block and of a transformer
# block, and an n×n matmul (GFLOP/s against the machine's peak).
#   Benchmarks/torch.sh [REPEAT]   (needs: swift build -c release --product plume)
#   PLUME_BIN=path/to/plume   time another build (default .build/release/plume)
#   THREADS="1 2"             thread counts to run (default: 1 and 2)
#   MATMUL_REPEAT=3           repetitions of the matmuls (slow with the reference BLAS)
#   MATMUL_SIZE=2048          n of the n×n matmuls
# The two sides alternate workload by workload, so that load from elsewhere hits both alike.
set -euo pipefail
cd "$(dirname "$0")/.."
repeat="${1:-5}"
matmul_repeat="${MATMUL_REPEAT:-3}"
matmul_size="${MATMUL_SIZE:-2048}"
threads_list="${THREADS:-1 2}"
plume="${PLUME_BIN:-.build/release/plume}"
python="$(Scripts/python-env.sh)"
weights="${TMPDIR:-/tmp}/plume-bench-torch-weights"
results="${TMPDIR:-/tmp}/plume-bench-torch.jsonl"
: > "$results"
for threads in $threads_list; do
  export OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads"
  for workload in conv-block transformer-block matmul-f32 matmul-f64; do
    n="$repeat"; case "$workload" in matmul-*) n="$matmul_repeat" ;; esac
    "$plume" bench torch --repeat "$n" --threads "$threads" --weights "$weights" --workload "$workload" \
      --matmul-size "$matmul_size" | tee -a "$results" >&2
    "$python" Benchmarks/torch_python.py --repeat "$n" --threads "$threads" --weights "$weights" --workload "$workload" \
      --matmul-size "$matmul_size" | tee -a "$results" >&2
  done
done
"$python" - "$results" <<'PY'
import collections, json, re, sys

rows = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r = json.loads(line)
    rows[(r["workload"], r["threads"])][r["method"]] = r

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

ms = lambda r: f"{r['seconds'] * 1e3:.1f}" if r else "–"
print(f"Machine: {cores} cores, {mhz:.0f} MHz, flags {'avx2+fma' if per_cycle32 == 32 else 'no avx2/fma'}; "
      f"peak {peak(1, 'f32'):.1f} GFLOP/s float32, {peak(1, 'f64'):.1f} float64 per core.\n")
print("| workload | threads | Swift (ms) | Python (ms) | Python/Swift | loss, Swift | loss, Python | losses agree |")
print("|---|---|---|---|---|---|---|---|")
for (workload, threads), m in rows.items():
    if workload.startswith("matmul"): continue
    s, p = m.get("swift"), m.get("python")
    ratio = f"{p['seconds'] / s['seconds']:.3f}" if s and p else "–"
    agree = "–"
    if s and p:
        rel = abs(s["loss"] - p["loss"]) / max(abs(p["loss"]), 1e-30)
        agree = ("yes" if rel <= 1e-5 else "**no**") + (f" (rel. diff {rel:.1e})" if rel else " (identical)")
    print(f"| {workload} | {threads} | {ms(s)} | {ms(p)} | {ratio} | {s['loss'] if s else '–'} | {p['loss'] if p else '–'} | {agree} |")

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
