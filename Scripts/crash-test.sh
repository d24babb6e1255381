#!/usr/bin/env bash
# Crash safety of `plume run`: kills a pipeline with SIGKILL at random moments, resumes it
# after each kill, and checks that
#   - after every kill, each file under a final name (outside .plume/) is byte-identical to
#     the same file of an uninterrupted run (no partial file ever appears under a final name);
#   - after the last kill and a final `plume run`, every output is byte-identical to the
#     uninterrupted run's;
#   - a second `plume run` on the same folder while one is running is refused, naming the holder.
#
# Usage: Scripts/crash-test.sh PIPELINE [KILLS=20] [MAX_DELAY_S=auto] [WORK=out/crash-test]
# The uninterrupted reference run goes to WORK/reference, the killed one to WORK/killed.
# Each kill comes after a delay drawn uniformly from 0.5 s to MAX_DELAY_S (auto: 1.3 times
# the reference time of the longest task not yet done, so that every stage, the long ones
# included, can complete between kills and the kills fall across the whole pipeline). When
# a run completes between kills, its outputs are compared and it starts again from nothing,
# until KILLS kills have been made.
# Prints one line per kill and a summary; exit status 0 when every check passed.
set -euo pipefail
PIPELINE=$1
KILLS=${2:-20}
MAX_DELAY=${3:-auto}
WORK=${4:-out/crash-test}
PLUME=${PLUME:-.build/release/plume}
SEED=${SEED:-1}
RANDOM=$SEED
mkdir -p "$WORK"
REF=$WORK/reference
KILLED=$WORK/killed

compare_present() { # every final file present in $1 equals the one in $2
  local bad=0
  while IFS= read -r -d '' file; do
    rel=${file#"$1"/}
    [[ $rel == report.html ]] && continue
    if ! cmp -s "$file" "$2/$rel"; then echo "  DIFFERS: $rel"; bad=1; fi
  done < <(find "$1" -path "$1/.plume" -prune -o -type f -print0)
  return $bad
}

if [[ ! -f $REF/.plume/catalog.sqlite ]] || "$PLUME" run "$PIPELINE" --run-folder "$REF" --dry-run | grep -q "would run" ; then
  echo "reference run (uninterrupted) into $REF"
  start=$(date +%s)
  "$PLUME" run "$PIPELINE" --run-folder "$REF" > "$WORK/reference.log" 2>&1
  echo "  took $(( $(date +%s) - start )) s"
fi
# The longest reference time of the tasks the killed run has not completed yet, seconds.
remaining_longest() {
  [[ -f $KILLED/.plume/catalog.sqlite ]] || { sqlite3 "$REF/.plume/catalog.sqlite" "select max(seconds) from tasks"; return; }
  sqlite3 "$REF/.plume/catalog.sqlite" "attach '$KILLED/.plume/catalog.sqlite' as k;
    select max(r.seconds) from tasks r where not exists (select 1 from k.tasks t where t.stage = r.stage and t.cycle = r.cycle
      and t.member = r.member and t.state = 'done')"
}
rm -rf "$KILLED"
failures=0
k=0
campaigns=0
first=1
while ((k < KILLS)); do
  longest=$(remaining_longest)
  if [[ -z $longest ]]; then
    # Every task done: compare the whole run, then start another from nothing.
    if compare_present "$KILLED" "$REF" && compare_present "$REF" "$KILLED"; then check=ok; else check=FAILED; failures=$((failures + 1)); fi
    campaigns=$((campaigns + 1))
    echo "run $campaigns complete after $k kills: every output identical to the uninterrupted run's: $check; starting again from nothing"
    rm -rf "$KILLED"
    continue
  fi
  if [[ $MAX_DELAY == auto ]]; then
    max=$(printf '%.0f' "$(echo "1.3 * $longest + 1" | bc)")
  else
    max=$MAX_DELAY
  fi
  delay=$(( RANDOM % (max * 10) + 5 ))   # tenths of a second, 0.5 s to max
  "$PLUME" run "$PIPELINE" --run-folder "$KILLED" >> "$WORK/killed.log" 2>&1 &
  pid=$!
  sleep "$(printf '%d.%d' $((delay / 10)) $((delay % 10)))"
  if ((first)); then
    first=0
    # A second run on the same folder while the first holds it: refused, naming the holder.
    if out=$("$PLUME" run "$PIPELINE" --run-folder "$KILLED" 2>&1); then
      echo "  second concurrent run was NOT refused"; failures=$((failures + 1))
    elif grep -q "is held by pid $pid" <<< "$out"; then
      echo "  second concurrent run refused: $(grep -o 'is held by pid [0-9]* on [^;]*' <<< "$out" | head -1)"
    else
      echo "  second concurrent run failed without naming the holder: $out"; failures=$((failures + 1))
    fi
  fi
  if kill -0 "$pid" 2>/dev/null; then
    running=$(sqlite3 "$KILLED/.plume/catalog.sqlite" "select stage||' '||cycle from tasks where state in ('running','retrying') limit 1" 2>/dev/null || true)
    kill -9 "$pid"; wait "$pid" 2>/dev/null || true
    k=$((k + 1))
    state="kill $k/$KILLS at $(printf '%d.%d' $((delay / 10)) $((delay % 10))) s (of up to $max s)${running:+ during $running}"
  else
    wait "$pid" || true
    state="finished before the kill at $(printf '%d.%d' $((delay / 10)) $((delay % 10))) s"
  fi
  sleep 0.3   # the stage's child dies with the engine (PR_SET_PDEATHSIG)
  if compare_present "$KILLED" "$REF"; then check=ok; else check=FAILED; failures=$((failures + 1)); fi
  echo "$state; files under final names identical to the reference: $check"
done
"$PLUME" run "$PIPELINE" --run-folder "$KILLED" >> "$WORK/killed.log" 2>&1
if compare_present "$KILLED" "$REF" && compare_present "$REF" "$KILLED"; then
  echo "final: every output identical to the uninterrupted run ($(find "$REF" -path "$REF/.plume" -prune -o -type f -print | grep -vc report.html) files)"
else
  echo "final: outputs DIFFER"; failures=$((failures + 1))
fi
echo "failures: $failures"
exit $(( failures > 0 ))
