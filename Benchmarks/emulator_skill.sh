#!/usr/bin/env bash
# Emulator skill experiment: CarbonBench-mini LowRes CO2 transport and shallow-water weather.
# Generates the data (unless given), trains the three architectures, rolls them out over
# the test period and scores them against persistence, fluxes-only, climatology and the
# reference transport model on the emulators' grid.
#
#   Benchmarks/emulator_skill.sh [WORK]        (default WORK=out/skill)
#   env: CB=DIR (existing carbonbench-mini data), WX=DIR (existing weather data),
#        CO2_STEPS, WX_STEPS (one-step training steps), MODELS ("unet mesh-gnn swin unet-hybrid":
#        Pipelines/models/M-lowres-co2.yaml and, where it exists, M-weather.yaml)
# Each stage is skipped when its output exists, so the script can be rerun after a stop.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-out/skill}
PLUME=.build/release/plume
MODELS=${MODELS:-"unet mesh-gnn swin unet-hybrid"}
WXMODELS=$(for m in $MODELS; do if [ -f Pipelines/models/$m-weather.yaml ]; then echo $m; fi; done)
CB=${CB:-$WORK/data/carbonbench}
WX=${WX:-$WORK/data/weather}
mkdir -p "$WORK"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "plume: $($PLUME --version)"

[ -f "$CB/carbonbench-test.nc" ] || $PLUME generate carbonbench-mini --grid latlon5.625 --levels l10 --days 500 --split 3,1,1 --out "$CB"
[ -f "$WX/weather-test.nc" ] || $PLUME generate weather --grid gaussian-n32 --truncation 42 --spinup-days 30 --days 300 --seed 1 --output-grid latlon5.625 --out "$WX"

run() { echo "+ $*"; /usr/bin/time -f "  %e s wall, %M KB peak RSS" "$@"; }

for m in $MODELS; do
  [ -f "$WORK/$m-co2/best.safetensors" ] || run $PLUME train Pipelines/models/$m-lowres-co2.yaml --data "$CB" --out "$WORK/$m-co2" ${CO2_STEPS:+--steps $CO2_STEPS} --log-every 100
  [ ! -f Pipelines/models/$m-weather.yaml ] || [ -f "$WORK/$m-weather/best.safetensors" ] || run $PLUME train Pipelines/models/$m-weather.yaml --data "$WX" --out "$WORK/$m-weather" ${WX_STEPS:+--steps $WX_STEPS} --log-every 100
done
# Longer rollout fine-tuning where a model has a *-finetune.yaml: continued from the best
# checkpoint with --from; its result replaces the model's in the scores below.
for m in $MODELS; do
  for task in lowres-co2:co2:$CB weather:weather:$WX; do
    IFS=: read -r file run data <<< "$task"
    ft=Pipelines/models/$m-$file-finetune.yaml
    [ -f "$ft" ] || continue
    [ -f "$WORK/$m-$run-finetune/best.safetensors" ] || run $PLUME train "$ft" --from "$WORK/$m-$run/best.safetensors" --data "$data" --out "$WORK/$m-$run-finetune" --log-every 10
  done
done
best() { [ -f "$WORK/$1-finetune/best.safetensors" ] && echo "$WORK/$1-finetune" || echo "$WORK/$1"; }

# CO2: 90-day rollouts started at every quarter (91.25 days) of the test period that leaves
# room for 90 days (one on the 500-day default, four on a 5-year set), scored together;
# beside them the reference transport model on the emulators' grid, driven by the test
# file's winds from the same initial states (the cost-skill anchor).
t0=$($PLUME inspect "$CB/carbonbench-test.nc" | sed -n 's/^time: \([^ ]*\) .*/\1/p')
records=$($PLUME inspect "$CB/carbonbench-test.nc" | sed -n 's/^dimensions: time = \([0-9]*\).*/\1/p')
[ "$records" -ge 361 ] || { echo "$CB/carbonbench-test.nc: $records records, fewer than 90 days" >&2; exit 1; }
quarters=$(( (records - 361) / 365 + 1 ))
rollouts=()
for q in $(seq 0 $((quarters - 1))); do
  start=$(python3 -c "import datetime as d; print((d.datetime.fromisoformat('$t0')+d.timedelta(hours=6*365*$q)).isoformat())")
  for m in $MODELS; do
    r=$(best $m-co2)
    [ -f "$r/rollout-q$q.nc" ] || run $PLUME rollout "$r/best.safetensors" --init "$CB/carbonbench-test.nc" --start "$start" --days 90 --out "$r/rollout-q$q.nc"
    rollouts+=("$r/rollout-q$q.nc")
  done
  ref="$WORK/reference-co2/q$q"
  [ -f "$ref/transport.nc" ] || run $PLUME transport --met "$CB/carbonbench-test.nc" --fluxes "$CB/carbonbench-test.nc" --init "$CB/carbonbench-test.nc" \
    --start "$start" --hours 2160 --grid latlon5.625 --levels l10 --eddy-diffusion carbonbench --out "$ref" 2>/dev/null
  rollouts+=("$ref/transport.nc")
done
[ -f "$WORK/co2-scores/scores.md" ] || run $PLUME evaluate "${rollouts[@]}" --truth "$CB/carbonbench-test.nc" --out "$WORK/co2-scores" --leads-days 1,7,30,60,90

# Weather: 5-day rollouts started every 4 days of the (30-day) test period.
w0=$($PLUME inspect "$WX/weather-test.nc" | sed -n 's/^time: \([^ ]*\) .*/\1/p')
wrolls=()
for m in $WXMODELS; do
  for k in 0 4 8 12 16 20 24; do
    start=$(python3 -c "import datetime as d,sys; print((d.datetime.fromisoformat('$w0')+d.timedelta(days=$k)).isoformat())")
    r=$(best $m-weather)
    f="$r/rollout-$k.nc"
    [ -f "$f" ] || $PLUME rollout "$r/best.safetensors" --init "$WX/weather-test.nc" --start "$start" --days 5 --out "$f" >/dev/null
    wrolls+=("$f")
  done
done
[ -f "$WORK/weather-scores/scores.md" ] || run $PLUME evaluate "${wrolls[@]}" --truth "$WX/weather-test.nc" --climatology "$WX/weather-train.nc" --out "$WORK/weather-scores" --leads-days 1,3,5
echo "scores: $WORK/co2-scores/scores.md $WORK/weather-scores/scores.md"
