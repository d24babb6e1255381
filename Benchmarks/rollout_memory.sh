#!/usr/bin/env bash
# Peak resident memory of a 120-step (30-day) and a 1,440-step (360-day) CO2 rollout of the
# same checkpoint, side by side in one run: the issue's bar is a difference under 5%.
#   Benchmarks/rollout_memory.sh CHECKPOINT DATA_DIR [WORK]
#   CHECKPOINT: a CO2 emulator (plume train … on DATA_DIR); DATA_DIR: a carbonbench-mini folder
#   whose train + val files cover 360 days (e.g. --days 500 --split 3,1,1).
set -euo pipefail
cd "$(dirname "$0")/.."
checkpoint=${1:?checkpoint}; data=${2:?data folder}; work=${3:-$(mktemp -d)}
plume="${PLUME_BIN:-.build/release/plume}"
mkdir -p "$work"
start=$("$plume" inspect "$data/carbonbench-train.nc" | sed -n 's/^time: \([^ ]*\) .*/\1/p')
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
declare -A peak
for days in 30 360; do
  rm -f "$work/rollout-$days.nc"
  /usr/bin/time -f "%M" -o "$work/time-$days.txt" "$plume" rollout "$checkpoint" --init "$data/carbonbench-train.nc" \
    --forcing "$data/carbonbench-train.nc" "$data/carbonbench-val.nc" --start "$start" --days "$days" \
    --out "$work/rollout-$days.nc" > "$work/log-$days.txt" 2>&1
  peak[$days]=$(tail -1 "$work/time-$days.txt")
  echo "$((days * 4)) steps: peak RSS ${peak[$days]} KB"
done
python3 -c "a, b = ${peak[30]}, ${peak[360]}; print(f'difference: {100 * (b - a) / a:+.2f}% (bar: < 5%)')"
rm -f "$work"/rollout-*.nc
