#!/usr/bin/env bash
# Measured anchor points of the cost model (Benchmarks/cost_model.py): the shipped LowRes CO2
# emulators (Pipelines/models/{unet,mesh-gnn,swin}-lowres-co2.yaml) at LowRes (latlon5.625,
# 10 levels) and the same networks at MidRes (latlon2.8125, 20 levels; the MeshGNN with
# mesh_level 4, the finest mesh no finer than the grid), timed by `plume bench emulators`
# (Swift side only, on a 3-day CarbonBench-mini train file of the model's grid and levels made by
# `plume generate carbonbench-mini` (1-day weather spin-up; kept in OUT's folder), network-level training step =
# forward + loss + backward + clip + AdamW, and rollout step = forward of one sample without
# gradients). Each model runs alone under /usr/bin/time -v, once at --batch B (timings and
# peak RSS) and once at --batch 1 with few repeats (peak RSS only), so that
# (RSS_B − RSS_1)/(B − 1) is the memory of one more sample in a training step.
#   Benchmarks/cost_model.sh [OUT.json]        (default /tmp/plume-cost-model/measurements.json)
#   .cache/venv/bin/python Benchmarks/cost_model.py --measurements OUT.json
# Environment: PLUME_BIN (default .build/release/plume), BATCH (4), REPEATS (5), ROUNDS (3),
# THREADS (2), RESOLUTIONS ("lowres midres"), MODELS ("unet mesh-gnn swin").
set -euo pipefail
cd "$(dirname "$0")/.."
plume="${PLUME_BIN:-.build/release/plume}"
out="${1:-/tmp/plume-cost-model/measurements.json}"
batch="${BATCH:-4}" repeats="${REPEATS:-5}" rounds="${ROUNDS:-3}" threads="${THREADS:-2}"
resolutions="${RESOLUTIONS:-lowres midres}"
models="${MODELS:-unet mesh-gnn swin}"
[ -x "$plume" ] || { echo "error: $plume missing (swift build -c release --product plume)" >&2; exit 1; }
work="$(dirname "$out")/runs"
mkdir -p "$work"

data_file() {  # a 3-day CarbonBench-mini train file on the resolution's grid and levels
    local res="$1" dir="$work/data-$1" grid=latlon5.625 levels=l10
    [ "$res" = midres ] && grid=latlon2.8125 levels=l20
    if [ ! -f "$dir/carbonbench-train.nc" ]; then
        "$plume" generate carbonbench-mini --grid "$grid" --levels "$levels" --days 3 --split 1,0,0 \
            --spinup-days 1 --threads "$threads" --out "$dir" > "$work/data-$res.log" 2>&1 \
            || { cat "$work/data-$res.log" >&2; exit 1; }
    fi
    echo "$dir/carbonbench-train.nc"
}

model_file() {  # model file for (model, resolution)
    local m="$1" res="$2" src="Pipelines/models/$1-lowres-co2.yaml"
    if [ "$res" = lowres ]; then echo "$src"; return; fi
    local dst="$work/$m-midres-co2.yaml"
    sed -e 's/^name: .*/name: '"$m"'-midres-co2/' -e 's/^grid: .*/grid: latlon2.8125/' \
        -e 's/^levels: .*/levels: 20/' -e 's/^  mesh_level: .*/  mesh_level: 4/' "$src" > "$dst"
    echo "$dst"
}

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "Machine: $(nproc) cores (nproc), ${cpu:-unknown CPU}, $(free -g | awk '/^Mem:/ {print $2}') GiB"
records=()
for res in $resolutions; do
    for m in $models; do
        file="$(model_file "$m" "$res")"
        data="$(data_file "$res")"
        tag="$m-$res"
        for b in "$batch" 1; do
            if [ "$b" = "$batch" ]; then r="$repeats" n="$rounds"; else r=2 n=1; fi
            load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
            start=$(date +%s.%N)
            /usr/bin/time -v -o "$work/$tag-b$b.time" "$plume" bench emulators --models "$file" --data "$data" --no-python \
                --reference-days 0 --truth-grid none --batch "$b" --repeats "$r" --warmup 2 --rounds "$n" \
                --threads "$threads" --json "$work/$tag-b$b.json" > "$work/$tag-b$b.log" 2>&1 \
                || { cat "$work/$tag-b$b.log" >&2; exit 1; }
            wall=$(echo "$(date +%s.%N) - $start" | bc)
            load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
            rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/$tag-b$b.time")
            echo "$tag batch $b: max RSS ${rss} kB, ${wall} s wall, load $load_before → $load_after"
            records+=("$tag|$res|$m|$b|$rss|$load_before|$load_after|$work/$tag-b$b.json|$work/$tag-b$b.log")
        done
    done
done

printf '%s\n' "${records[@]}" | python3 -c '
import json, sys, re, datetime
out, batch, repeats, rounds, threads, cpu, plume = sys.argv[1:8]
runs = {}
for line in sys.stdin:
    tag, res, model, b, rss, l0, l1, js, log = line.rstrip("\n").split("|")
    report = json.load(open(js))
    entry = report["models"][0]
    inp = re.search(r"input \[([0-9, ]+)\]", open(log).read())
    r = runs.setdefault(tag, {"model": model, "resolution": res, "name": entry["name"],
                              "parameters": entry["parameters"]})
    key = "batch" if int(b) == int(batch) else "batch1"
    r[key] = {"batch": int(b), "max_rss_kB": int(rss), "load_before": l0, "load_after": l1,
              "input_shape": [int(x) for x in inp.group(1).split(",")] if inp else None,
              "train_s": entry["swift"]["train"], "rollout_s": entry["swift"]["rollout"],
              "emulator_train_s": entry["swift"]["emulatorTrain"],
              "emulator_rollout_s": entry["swift"]["emulatorRollout"]}
json.dump({"date": datetime.datetime.now().isoformat(timespec="seconds"), "machine": cpu,
           "command": f"{plume} bench emulators --data DATA --no-python --reference-days 0 --truth-grid none "
                      f"--batch {batch} --repeats {repeats} --warmup 2 --rounds {rounds} --threads {threads}",
           "batch": int(batch), "threads": int(threads), "runs": runs},
          open(out, "w"), indent=1, sort_keys=True)
print("wrote", out)
' "$out" "$batch" "$repeats" "$rounds" "$threads" "$(nproc) cores, $cpu" "$plume"
