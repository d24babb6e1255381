#!/usr/bin/env bash
# Data-parallel training throughput on one machine (libtorch's c10d, Gloo): the same model, data
# and global batch trained by 1 process (T threads) and by `--nproc 2` (T/2 threads each, so the
# cores are the same), side by side in one run; per-rank gradient all-reduce time and its overlap with the
# backward pass (c10d's Reducer, timed by Plume's comm hook).
#   Benchmarks/data_parallel.sh [MODEL=Pipelines/models/unet-lowres-co2.yaml] [STEPS=60] [WORK=out/bench-ddp]
#   (needs: swift build -c release --product plume; THREADS=2 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
model_in="${1:-Pipelines/models/unet-lowres-co2.yaml}"
steps="${2:-60}"
work="${3:-out/bench-ddp}"
threads="${THREADS:-2}"
plume="${PLUME_BIN:-.build/release/plume}"
mkdir -p "$work"
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "Machine: $(nproc) cores (nproc), ${cpu:-unknown CPU}; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ! -f "$work/data/carbonbench-train.nc" ]; then
  "$plume" generate carbonbench-mini --grid latlon5.625 --levels l10 --days 40 --split 3,1,0 --seed 3 --out "$work/data" > "$work/generate.log" 2>&1
fi
# The model without its fine-tuning curriculum and with sparse validation: one-step training only.
model="$work/model.yaml"
sed -e 's/^  fine_tune_curriculum:.*/  fine_tune_curriculum: []/' -e 's/^  validate_every:.*/  validate_every: 0/' -e 's/^  validation_steps:.*/  validation_steps: 8/' \
    -e 's/^  checkpoint_every:.*/  checkpoint_every: 100000/' "$model_in" > "$model"
batch="$(sed -n 's/^  batch_size: *\([0-9]*\).*/\1/p' "$model")"
# One process takes the global batch of the two ranks: the same samples per step.
sed -e "s/^  batch_size:.*/  batch_size: $((2 * batch))/" "$model" > "$work/model-one.yaml"
run() {  # name, model, threads, extra args…
  local name="$1" m="$2" t="$3"; shift 3
  rm -rf "$work/$name"
  "$plume" train "$m" --data "$work/data" --out "$work/$name" --steps "$steps" --threads "$t" --log-every 1000 "$@" \
    > "$work/$name.out" 2> "$work/$name.log" || { echo "plume train failed ($name):" >&2; tail -n 20 "$work/$name.log" >&2; exit 1; }
  sed -n 's/^\([0-9]*\) steps in \([0-9.]*\) s.*/\2/p' "$work/$name.out"
}
echo "Command: $0 $model_in $steps $work (THREADS=$threads); $steps one-step training steps, batch $batch per process"
t2=$(( threads > 1 ? threads / 2 : 1 ))
one=$(run one "$work/model-one.yaml" "$threads")
two=$(run two "$model" "$t2" --nproc 2)
awk -v s="$steps" -v b="$batch" -v one="$one" -v two="$two" -v t1="$threads" -v t2="$t2" 'BEGIN {
  r1 = s * 2 * b / one; r2 = s * 2 * b / two
  printf "| processes | threads each | global batch | wall (s) | samples/s | ratio |\n|---:|---:|---:|---:|---:|---:|\n"
  printf "| 1 | %d | %d | %.1f | %.2f | 1.00 |\n", t1, 2 * b, one, r1
  printf "| 2 | %d | %d | %.1f | %.2f | %.2f |\n", t2, 2 * b, two, r2, r2 / r1 }'
grep -h "gradient all-reduce" "$work/two.log" || true
