#!/usr/bin/env bash
# Side-by-side emulator benchmark, one run: Plume's emulator networks (`plume bench emulators`)
# against the same networks in PyTorch (Benchmarks/emulators_python.py, Debian's python3-torch,
# the same libtorch build), same checkpoint, same input tensors, same thread count: training
# step (forward, loss, backward, clip, AdamW) and rollout step, as ratios; plus the rollout's
# simulated days per second against the 3-D reference transport on the same grid.
#   Benchmarks/emulators.sh [ARGS…]   (needs: swift build -c release --product plume)
#   ARGS go to `plume bench emulators` (default: --batch 4 --repeats 10 --threads 2 --rounds 3), e.g.
#   Benchmarks/emulators.sh --data data/cb/carbonbench-train.nc --json /tmp/emulators.json
#   PLUME_BIN=path/to/plume   time another build (default .build/release/plume)
set -euo pipefail
cd "$(dirname "$0")/.."
plume="${PLUME_BIN:-.build/release/plume}"
python="$(Scripts/python-env.sh)"
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--batch 4 --repeats 10 --threads 2 --rounds 3)
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
torch_version="$("$python" -c 'import torch; print(torch.__version__)' 2>/dev/null || echo unknown)"
echo "Machine: $(nproc) cores (nproc), ${cpu:-unknown CPU}; libtorch ${torch_version} (python3-torch)"
echo "Command: $plume bench emulators --python $python ${args[*]}"
echo
"$plume" bench emulators --python "$python" "${args[@]}"
