#!/usr/bin/env bash
# The engine's own cost (catalog, hashing, scheduling, locks):
#  1. a pipeline of 1,000 cycles x 5 trivial stages (text): the first run, then the time to
#     plan and skip everything up to date (target: under 2 s);
#  2. a tracer rollout pipeline (Pipelines/tracer-rollout.yaml, or PIPELINE): the run's wall
#     time against the sum of its stage commands' wall times (target: engine under 2%).
# Usage: Benchmarks/pipeline_overhead.sh [WORK=out/bench-pipeline] [PIPELINE=Pipelines/tracer-rollout.yaml]
set -euo pipefail
WORK=${1:-out/bench-pipeline}
PIPELINE=${2:-Pipelines/tracer-rollout.yaml}
PLUME=${PLUME:-.build/release/plume}
mkdir -p "$WORK"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); plume $("$PLUME" --version)"

# 1. 1,000 cycles x 5 trivial stages.
P=$WORK/thousand.yaml
{
  echo "pipeline: thousand"
  echo "run: thousand-run"
  echo "cycles: {from: 2000-01-01T00, to: 2000-09-06T18, step: PT6H}"
  echo "stages:"
  echo "  a: {uses: text, with: {text: \"a {cycle}\"}}"
  echo "  b: {uses: text, after: [a], with: {text: \"b {cycle}\"}}"
  echo "  c: {uses: text, after: [b], with: {text: \"c {cycle}\"}}"
  echo "  d: {uses: text, after: [c, a], with: {text: \"d {cycle}\"}}"
  echo "  e: {uses: text, after: [d], with: {text: \"e {cycle}\"}}"
} > "$P"
rm -rf "$WORK/thousand-run"
t0=$(date +%s.%N); "$PLUME" run "$P" | tail -1; t1=$(date +%s.%N)
echo "first run (5,000 tasks): $(echo "$t1 - $t0" | bc) s"
for i in 1 2 3; do
  t0=$(date +%s.%N); "$PLUME" run "$P" | tail -1 > /dev/null; t1=$(date +%s.%N)
  echo "plan and skip everything up to date (run $i): $(echo "$t1 - $t0" | bc) s"
done
t0=$(date +%s.%N); "$PLUME" run "$P" --dry-run | tail -1 > /dev/null; t1=$(date +%s.%N)
echo "dry run (plan only): $(echo "$t1 - $t0" | bc) s"

# 2. Engine share of a tracer rollout.
if [[ -f $PIPELINE ]]; then
  RUN=$WORK/tracer-run
  rm -rf "$RUN"
  t0=$(date +%s.%N); "$PLUME" run "$PIPELINE" --run-folder "$RUN" > "$WORK/tracer.log" 2>&1; t1=$(date +%s.%N)
  wall=$(echo "$t1 - $t0" | bc)
  stages=$(sqlite3 "$RUN/.plume/catalog.sqlite" "select sum(commandSeconds) from tasks")
  echo "tracer rollout ($PIPELINE): run wall $wall s, stage commands $stages s, engine (catalog, hashing, scheduling, locks, promotion) $(echo "$wall - $stages" | bc) s = $(echo "scale=3; 100 * ($wall - $stages) / $wall" | bc) %"
fi
