#!/usr/bin/env bash
# A campaign run as N shards in parallel processes gives the same outputs (sha256) and the
# same catalog content as one process.
# Usage: Scripts/shard-check.sh [PIPELINE=Pipelines/hindcast.yaml] [SHARDS=4] [WORK=out/shard-check]
set -euo pipefail
PIPELINE=${1:-Pipelines/hindcast.yaml}
SHARDS=${2:-4}
WORK=${3:-out/shard-check}
PLUME=${PLUME:-.build/release/plume}
rm -rf "$WORK"; mkdir -p "$WORK"
t0=$(date +%s)
"$PLUME" run "$PIPELINE" --run-folder "$WORK/one" > "$WORK/one.log" 2>&1
t1=$(date +%s)
pids=()
for ((i = 0; i < SHARDS; i++)); do
  "$PLUME" run "$PIPELINE" --run-folder "$WORK/sharded" --shard "$i/$SHARDS" > "$WORK/shard-$i.log" 2>&1 & pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
t2=$(date +%s)
"$PLUME" run "$PIPELINE" --run-folder "$WORK/sharded" > "$WORK/sharded-final.log" 2>&1 || status=1
echo "one process: $((t1 - t0)) s; $SHARDS shards in parallel: $((t2 - t1)) s (exit status $status); the final stage ran in: $(grep -l 'done     .* final' "$WORK"/shard-*.log "$WORK/sharded-final.log" | xargs -n1 basename | tr '\n' ' ')"
sums() { (cd "$1" && find . -path ./.plume -prune -o -type f ! -name report.html -print0 | sort -z | xargs -0 sha256sum); }
catalog() { sqlite3 "$1/.plume/catalog.sqlite" "select stage, cycle, member, state, configHash, inputsHash, outputHash from tasks order by cycle, stage, member; select path, size, sha256 from outputs order by path"; }
if diff <(sums "$WORK/one") <(sums "$WORK/sharded") > "$WORK/outputs.diff"; then
  echo "outputs: identical ($(sums "$WORK/one" | wc -l) files)"
else
  echo "outputs: DIFFER (see $WORK/outputs.diff)"; status=1
fi
if diff <(catalog "$WORK/one") <(catalog "$WORK/sharded") > "$WORK/catalog.diff"; then
  echo "catalog: identical ($(sqlite3 "$WORK/one/.plume/catalog.sqlite" 'select count(*) from tasks') tasks, $(sqlite3 "$WORK/one/.plume/catalog.sqlite" 'select count(*) from outputs') output files)"
else
  echo "catalog: DIFFERS (see $WORK/catalog.diff)"; status=1
fi
echo "processes that ran the rollouts: $(sqlite3 "$WORK/sharded/.plume/catalog.sqlite" "select count(distinct pid) from tasks where stage = 'hybrid'")"
exit $status
