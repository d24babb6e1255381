#!/usr/bin/env bash
# A single-node Slurm on this machine, from Debian's slurm-wlm and munge (`make deps`
# installs them), for trying `plume submit --slurm --now` and for the tests: a munged, a
# slurmctld and one slurmd (this host's short name, 2 CPUs, a small RealMemory), with
# every key, socket, state, spool, pid and log file in one folder — nothing under /etc,
# /run or /var is used or changed, no systemd is needed, and it runs as root or as any user
# (the daemons run as the user who starts them; jobs run as that user).
#
# Usage:
#   Scripts/slurm-local.sh start [DIR]   generate munge.key, slurm.conf into DIR (a new or empty
#                                        folder; default: a new mktemp folder), start the
#                                        daemons, wait until the node is idle, and print the
#                                        environment to use on stdout:
#                                            export SLURM_CONF=DIR/slurm.conf
#                                            export PLUME_SLURM_DIR=DIR
#                                        so that   eval "$(Scripts/slurm-local.sh start)"
#                                        On failure nothing is left running: the daemons'
#                                        log tails go to stderr, DIR is removed, exit 1.
#   Scripts/slurm-local.sh env DIR       print the same environment for a running DIR
#   Scripts/slurm-local.sh stop DIR      cancel its jobs, stop its daemons, remove DIR
#                                        (only a folder that this script made)
#
# Example:
#   eval "$(Scripts/slurm-local.sh start)"
#   .build/release/plume submit Pipelines/hindcast.yaml --slurm --array-size 4 --cpus-per-task 1 --now
#   .build/release/plume status Pipelines/hindcast.yaml
#   Scripts/slurm-local.sh stop "$PLUME_SLURM_DIR"
#
# Ports: two free TCP ports are picked at random, so several of these can run side by side.
# Environment: SLURM_LOCAL_CPUS (the node's CPUs, default 2, whatever the machine has),
# SLURM_LOCAL_MEMORY_MB (default 2000),
# SLURM_LOCAL_TIMEOUT (seconds to wait for the node, default 60).
set -euo pipefail

MARKER=.plume-slurm-local
say() { echo "slurm-local: $*" >&2; }
die() { say "$*"; exit 1; }

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

need() {
  local missing=()
  for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool"); done
  [ ${#missing[@]} -eq 0 ] || die "missing: ${missing[*]} (install the Debian packages slurm-wlm and munge: make deps)"
}

# An executable from PATH or /usr/sbin (a non-root PATH often lacks /usr/sbin).
tool() { command -v "$1" 2>/dev/null || echo "/usr/sbin/$1"; }

free_port() {
  python3 - <<'EOF'
import random, socket
for _ in range(200):
    port = random.randint(20000, 59000)
    ok = True
    for candidate in (port, port + 1):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.1", candidate))
        except OSError:
            ok = False
        finally:
            s.close()
    if ok:
        print(port)
        break
EOF
}

print_env() {
  printf 'export SLURM_CONF=%q\nexport PLUME_SLURM_DIR=%q\n' "$1/slurm.conf" "$1"
}

# Closes every file descriptor this script inherited beyond stdin, stdout and stderr (and
# bash's own 255), so that the daemons do not hold them: a caller that waits for the end of
# a pipe or socket it gave us (Foundation's Process does) would otherwise wait forever.
close_inherited_fds() {
  local fd
  for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    case "$fd" in 0|1|2|255|*[!0-9]*) continue ;; esac
    eval "exec $fd>&-" 2>/dev/null || true
  done
}

pid_of() { [ -s "$1" ] && tr -dc '0-9' < "$1" || true; }

# Stops what DIR's daemons are (by their pid files) and removes DIR.
stop_dir() {
  local dir=$1
  [ -f "$dir/$MARKER" ] || die "$dir: not a folder made by slurm-local.sh start (no $MARKER)"
  if [ -f "$dir/slurm.conf" ] && [ -n "$(pid_of "$dir/slurmctld.pid")" ]; then
    export SLURM_CONF="$dir/slurm.conf"
    # Jobs first, so that no slurmstepd outlives its slurmd.
    local jobs
    jobs=$(timeout 10 squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ' || true)
    if [ -n "${jobs// /}" ]; then
      # shellcheck disable=SC2086
      timeout 10 scancel $jobs 2>/dev/null || true
      for _ in $(seq 1 30); do
        [ -z "$(timeout 5 squeue -h -o %A 2>/dev/null || true)" ] && break
        sleep 0.5
      done
    fi
  fi
  local name pid
  for name in slurmd slurmctld; do
    pid=$(pid_of "$dir/$name.pid")
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  done
  for name in slurmd slurmctld; do
    pid=$(pid_of "$dir/$name.pid")
    [ -n "$pid" ] || continue
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  pid=$(pid_of "$dir/munge/munged.pid")
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

start_dir() {
  need munged slurmctld slurmd sinfo sbatch squeue scontrol python3
  close_inherited_fds
  local dir=${1:-}
  if [ -z "$dir" ]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/plume-slurm.XXXXXX")
  else
    if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then die "$dir: exists and is not empty (give a new folder)"; fi
    mkdir -p "$dir"
  fi
  dir=$(cd "$dir" && pwd -P)
  chmod 700 "$dir"
  touch "$dir/$MARKER"
  # From here on, a failure stops what started and removes the folder.
  trap 'status=$?; if [ $status -ne 0 ]; then
          for log in "$dir"/log/*.out "$dir"/log/*.log "$dir"/munge/munged.out "$dir"/munge/munged.log; do
            [ -s "$log" ] && { echo "--- $log (last lines)" >&2; tail -n 15 "$log" >&2; }
          done
          stop_dir "$dir" 2>/dev/null || true
          say "start failed; nothing left running"
        fi' EXIT
  trap 'exit 1' INT TERM HUP

  local user host cpus memory port timeout
  user=$(id -un)
  host=$(hostname -s)
  cpus=${SLURM_LOCAL_CPUS:-2}
  memory=${SLURM_LOCAL_MEMORY_MB:-2000}
  timeout=${SLURM_LOCAL_TIMEOUT:-60}
  port=$(free_port)
  [ -n "$port" ] || die "no free TCP port pair found"
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
  chmod 700 "$dir/munge"

  # munge: its own key, socket, pid, seed and log in DIR/munge.
  if command -v mungekey >/dev/null 2>&1 || [ -x /usr/sbin/mungekey ]; then
    "$(tool mungekey)" --create --keyfile="$dir/munge/munge.key" >/dev/null
  else
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1 count=1024 status=none
  fi
  chmod 600 "$dir/munge/munge.key"
  "$(tool munged)" --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" \
    </dev/null >"$dir/munge/munged.out" 2>&1 || die "munged did not start (see above)"
  for _ in $(seq 1 50); do [ -S "$dir/munge/munge.socket" ] && break; sleep 0.1; done
  [ -S "$dir/munge/munge.socket" ] || die "munged made no socket at $dir/munge/munge.socket"

  cat > "$dir/slurm.conf" <<EOF
# Written by Scripts/slurm-local.sh: a one-node Slurm, everything in $dir.
ClusterName=plume-local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
# The node is what this file says (2 CPUs), whatever the machine has.
SlurmdParameters=config_overrides
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  # No cgroups are used (proctrack/linuxproc, task/none); an empty cgroup.conf keeps slurmd
  # from reading the system's.
  : > "$dir/cgroup.conf"
  export SLURM_CONF="$dir/slurm.conf"
  "$(tool slurmctld)" -c -f "$dir/slurm.conf" </dev/null >"$dir/log/slurmctld.out" 2>&1 || die "slurmctld did not start"
  "$(tool slurmd)" -N "$host" -f "$dir/slurm.conf" </dev/null >"$dir/log/slurmd.out" 2>&1 || die "slurmd did not start"

  local state=""
  for _ in $(seq 1 $((timeout * 2))); do
    state=$(timeout 5 sinfo -h -N -n "$host" -o %t 2>/dev/null | head -n 1 || true)
    case "$state" in idle|mix|alloc) break ;; esac
    sleep 0.5
  done
  case "$state" in
    idle|mix|alloc) ;;
    *) die "node $host did not become idle in ${timeout} s (state: ${state:-no answer from slurmctld})" ;;
  esac
  say "node $host idle ($cpus CPUs), slurmctld on 127.0.0.1:$port, folder $dir"
  print_env "$dir"
  trap - EXIT
}

[ $# -ge 1 ] || usage
command=$1; shift
case "$command" in
  start) [ $# -le 1 ] || usage; start_dir "${1:-}" ;;
  stop)  [ $# -eq 1 ] || usage; stop_dir "$1" ;;
  env)   [ $# -eq 1 ] || usage; [ -f "$1/$MARKER" ] || die "$1: not a folder made by slurm-local.sh start"
         print_env "$(cd "$1" && pwd -P)" ;;
  -h|--help|help) usage ;;
  *) usage ;;
esac
