#!/usr/bin/env bash
# Creates the project's Python environment for cross-checks and benchmarks: a venv over
# Debian's python3 that sees the system site-packages (Debian's python3-torch and numpy,
# the same libtorch 1.13 that Plume binds, and python3-h5py / python3-tables, which write
# the plain-HDF5 test corpus, Scripts/make-hdf5-corpus.py) plus pinned PyPI packages.
#   Scripts/python-env.sh        → prints the venv's python path
# Fails (exit 1) when it cannot be built.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${PLUME_VENV:-$root/.cache/venv}"
pins="safetensors==0.8.0"
stamp="$venv/.plume-$(echo "$pins" | tr ' =' '_-')"

if [ -f "$stamp" ]; then echo "$venv/bin/python"; exit 0; fi
if ! /usr/bin/python3 -m venv --system-site-packages "$venv" >&2; then
    echo "error: /usr/bin/python3 -m venv failed (install python3-venv)" >&2
    exit 1
fi
if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $pins >&2; then
    echo "error: could not pip install $pins into $venv; is PyPI reachable?" >&2
    exit 1
fi
"$venv/bin/python" -c "import torch, numpy, safetensors, h5py, tables" >&2 || {
    echo "error: $venv lacks torch/numpy/safetensors/h5py/tables (install python3-torch python3-numpy python3-h5py python3-tables)" >&2
    exit 1
}
touch "$stamp"
echo "$venv/bin/python"
