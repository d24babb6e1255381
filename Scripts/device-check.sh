#!/usr/bin/env bash
# The device check (issue 15), for a machine with an NVIDIA GPU, the Swift toolchain, the
# Debian packages of `make deps`, and PyPI (for the CUDA libtorch unless LIBTORCH is given):
#   1. a CUDA libtorch: $LIBTORCH, else the torch/ folder of PyPI's Linux x86_64 PyTorch wheel
#      (the CUDA 12 build; torch==$TORCH_VERSION with its nvidia-* wheels, installed with pip
#      into .cache/libtorch-cuda-VERSION, ~4 GB), and the CUDA and NCCL headers;
#   2. Plume built against it (release, PLUME_CUDA=1, in .build-cuda: the CPU build stays);
#   3. CPU/GPU parity of each architecture (U-Net, graph mesh, Swin; LowRes): the same weights
#      and inputs on both, forward and backward (`plume bench device-parity`): outputs, losses
#      and gradients to a relative L2 error of $PARITY_TOLERANCE;
#   4. step time and peak GPU memory of each architecture at LowRes and MidRes
#      (`plume bench emulators --device cuda`, one process per model; memory: nvidia-smi's
#      used memory sampled every 100 ms, less the idle baseline: the CUDA context and the
#      caching allocator's reserve included, an upper bound of what the tensors need);
#   5. with more than one GPU, 2-process NCCL parity: `plume train --nproc 2` (two ranks,
#      batch 2 each, `device: cuda`, Swin, 24 AdamW steps) ends with the parameters of one
#      process with batch 4, to $NCCL_TOLERANCE of the largest parameter, and at least 10 times
#      farther from one process with batch 2 (on the CPU with Gloo: 6e-5 against 0.2).
# Results in OUT_DIR (default out/device-check): machine.txt, build.log, parity.txt/json,
# bench-*.txt/json, step-times.csv, nccl.txt, summary.txt. Any failed check fails the script
# (exit 1) after the summary; a step that cannot run (no GPU, no download) fails it at once.
#   Scripts/device-check.sh [OUT_DIR]
#   Scripts/device-check.sh --cpu [OUT_DIR]   the same checks on the CPU, with the Debian build
#                                             (device cpu; Gloo for the 2-process parity): a test
#                                             of this script on a machine without a GPU
#   Scripts/device-check.sh --dry-run [OUT_DIR]   print the commands, run nothing
# Environment: LIBTORCH (a CUDA libtorch: include/, lib/), LIBTORCH_CXX11_ABI (default: read
# from libc10.so), CUDA_INCLUDE (folders with cuda_runtime_api.h, nccl.h, ...: default the
# wheels' or $CUDA_HOME/include), TORCH_VERSION (2.5.1), PARITY_TOLERANCE (1e-2: TF32
# convolutions differ from float32 by ~1e-3), NCCL_TOLERANCE (2e-3), BATCH (4), REPEATS (20),
# WARMUP (3), PLUME_BIN (skip the build: this plume, its libCTorchBackend.so beside it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mode=gpu
case "${1:-}" in
    --cpu) mode=cpu; shift ;;
    --dry-run) mode=dry; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac
out="${1:-$root/out/device-check}"
torch_version="${TORCH_VERSION:-2.5.1}"
parity_tolerance="${PARITY_TOLERANCE:-1e-2}"
nccl_tolerance="${NCCL_TOLERANCE:-2e-3}"
batch="${BATCH:-4}" repeats="${REPEATS:-20}" warmup="${WARMUP:-3}"
device=cuda
[ $mode = cpu ] && device=cpu
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$root"

failures=()
summary() { echo "$*" | tee -a "$out/summary.txt"; }
fail() { summary "FAILED: $*"; failures+=("$*"); }
die() { echo "device-check: $*" >&2; summary "FAILED (stopped): $*"; exit 1; }
run() {  # run LOG COMMAND...: the command's output to LOG and the terminal; its status
    local log="$1"; shift
    echo "+ $*" | tee -a "$log"
    if [ $mode = dry ]; then return 0; fi
    set +e; "$@" 2>&1 | tee -a "$log"; local status=${PIPESTATUS[0]}; set -e
    return "$status"
}
: >"$out/summary.txt"
summary "Plume device check, $(date -u +%Y-%m-%dT%H:%MZ), mode $mode, output $out"

# --- 0. The machine --------------------------------------------------------------------------
gpus=0
{
    echo "host: $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "swift: $(swift --version 2>&1 | head -1)"
    echo "commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet 2>/dev/null || echo ' (modified)')"
} >"$out/machine.txt"
if [ $mode = gpu ]; then
    command -v nvidia-smi >/dev/null || die "nvidia-smi not found: this check needs an NVIDIA GPU and its driver (--cpu tests the script without one)"
    nvidia-smi -L >>"$out/machine.txt" || die "nvidia-smi -L failed"
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv >>"$out/machine.txt"
    gpus="$(nvidia-smi -L | grep -c '^GPU ')"
    [ "$gpus" -ge 1 ] || die "nvidia-smi lists no GPU"
fi
summary "GPUs: $gpus"

# --- 1. A CUDA libtorch and the CUDA headers ----------------------------------------------------
cuda_env=()
if [ $mode = gpu ] && [ -z "${PLUME_BIN:-}" ]; then
    site="$root/.cache/libtorch-cuda-$torch_version"
    if [ -z "${LIBTORCH:-}" ]; then
        if [ ! -f "$site/.complete" ]; then
            echo "installing torch==$torch_version (PyPI's Linux x86_64 wheel: the CUDA build) into $site"
            rm -rf "$site"
            python3 -m pip install --quiet --disable-pip-version-check --no-compile --only-binary=:all: \
                --target "$site" "torch==$torch_version" \
                || die "pip could not install torch==$torch_version from PyPI into $site"
            # The CUDA headers that cuda_runtime.h includes and a CUDA toolkit has beside it: the
            # compiler's crt/*.h and CCCL's nv/target, of the CUDA release torch was built with.
            runtime="$(ls -d "$site"/nvidia_cuda_runtime_cu12-*.dist-info 2>/dev/null | head -1 | sed 's/.*cu12-\([0-9]*\.[0-9]*\).*/\1/')"
            [ -n "$runtime" ] || die "no nvidia-cuda-runtime-cu12 beside torch in $site: not a CUDA 12 wheel"
            python3 -m pip install --quiet --disable-pip-version-check --no-compile --no-deps --only-binary=:all: \
                --target "$site" "nvidia-cuda-nvcc-cu12==$runtime.*" "nvidia-cuda-cccl-cu12==$runtime.*" \
                || die "pip could not install the CUDA $runtime compiler and CCCL headers"
            touch "$site/.complete"
        fi
        export LIBTORCH="$site/torch"
        cuda_include="${CUDA_INCLUDE:-$(ls -d "$site"/nvidia/*/include | tr '\n' ':')}"
        nvidia_libs="$(ls -d "$site"/nvidia/*/lib | tr '\n' ':')"
        export LD_LIBRARY_PATH="${nvidia_libs}$LIBTORCH/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    else
        cuda_home="${CUDA_HOME:-/usr/local/cuda}"
        cuda_include="${CUDA_INCLUDE:-$cuda_home/include}"
        export LD_LIBRARY_PATH="$LIBTORCH/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    fi
    [ -f "$LIBTORCH/lib/libtorch_cuda.so" ] || die "$LIBTORCH/lib has no libtorch_cuda.so: not a CUDA libtorch"
    if [ -z "${LIBTORCH_CXX11_ABI:-}" ]; then
        # A new-ABI libtorch exports std::__cxx11 strings; an old-ABI one (wheels before 2.7) none.
        if nm -DC --defined-only "$LIBTORCH/lib/libc10.so" | grep -q 'std::__cxx11::basic_string'; then
            export LIBTORCH_CXX11_ABI=1
        else
            export LIBTORCH_CXX11_ABI=0
        fi
    fi
    for header in cuda_runtime_api.h nccl.h crt/host_config.h nv/target; do
        found=""
        IFS=: read -r -a dirs <<<"$cuda_include"
        for d in "${dirs[@]}"; do [ -n "$d" ] && [ -e "$d/$header" ] && found="$d"; done
        [ -n "$found" ] || die "$header not found in CUDA_INCLUDE ($cuda_include): PLUME_CUDA=1 needs the CUDA and NCCL headers"
    done
    # Package.swift's PLUME_CUDA=1 adds no include folder: clang takes them from CPLUS_INCLUDE_PATH.
    cuda_env=(PLUME_CUDA=1 "CPLUS_INCLUDE_PATH=${cuda_include%:}")
    {
        echo "libtorch: $LIBTORCH ($(grep -m1 -o '"[0-9.]*"' "$LIBTORCH/include/torch/csrc/api/include/torch/version.h" 2>/dev/null || echo '?'), C++11 ABI $LIBTORCH_CXX11_ABI)"
        echo "CUDA headers: $cuda_include"
    } >>"$out/machine.txt"
fi

[ $mode = dry ] && cuda_env=(PLUME_CUDA=1 "CPLUS_INCLUDE_PATH=<the CUDA and NCCL headers>")

# --- 2. The build ------------------------------------------------------------------------------
plume="${PLUME_BIN:-}"
if [ -z "$plume" ]; then
    if [ $mode = gpu ] || [ $mode = dry ]; then
        scratch="$root/.build-cuda"
        for product in plume CTorchBackend; do
            run "$out/build.log" env "${cuda_env[@]}" swift build -c release --scratch-path "$scratch" --product "$product" \
                || die "swift build --product $product against $LIBTORCH failed (build.log)"
        done
        plume="$scratch/release/plume"
    else
        for product in plume CTorchBackend; do
            run "$out/build.log" swift build -c release --product "$product" || die "swift build --product $product failed (build.log)"
        done
        plume="$root/.build/release/plume"
    fi
fi
if [ $mode = gpu ]; then
    backend="$(dirname "$plume")/libCTorchBackend.so"
    ldd "$backend" >"$out/ldd.txt" 2>&1 || true
    grep -q 'libtorch_cuda.so' "$out/ldd.txt" || die "$backend does not load libtorch_cuda.so (ldd.txt): no CUDA kernels"
    grep -q 'not found' "$out/ldd.txt" && die "$backend: libraries not found (ldd.txt; LD_LIBRARY_PATH)"
fi
summary "plume: $plume"

# --- 3. CPU/GPU parity ---------------------------------------------------------------------------
lowres=(Pipelines/models/unet-lowres-co2.yaml Pipelines/models/mesh-gnn-lowres-co2.yaml Pipelines/models/swin-lowres-co2.yaml)
midres=(Pipelines/models/unet-midres-co2.yaml Pipelines/models/mesh-gnn-midres-co2.yaml Pipelines/models/swin-midres-co2.yaml)
: >"$out/parity.txt"
if run "$out/parity.txt" "$plume" bench device-parity --device "$device" --models "${lowres[@]}" \
    --tolerance "$parity_tolerance" --json "$out/parity.json"; then
    summary "parity: $(grep -E '^[0-9]+ passed' "$out/parity.txt" || echo 'dry run')"
else
    fail "CPU/$device parity (parity.txt): $(grep -E '^[0-9]+ passed' "$out/parity.txt" || tail -1 "$out/parity.txt")"
fi

# --- 4. Step time and peak memory, LowRes and MidRes ----------------------------------------------
echo "resolution,model,parameters,train_ms,train_step_ms,rollout_ms,rollout_step_ms,peak_memory_mib" >"$out/step-times.csv"
gpu_memory() { nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -i 0 | head -1; }
for resolution in lowres midres; do
    if [ $resolution = lowres ]; then models=("${lowres[@]}"); else models=("${midres[@]}"); fi
    for model in "${models[@]}"; do
        name="$(basename "$model" .yaml)"
        log="$out/bench-$name.txt"; json="$out/bench-$name.json"
        : >"$log"
        sampler=""
        if [ $mode = gpu ]; then
            baseline="$(gpu_memory)"
            nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -i 0 -lms 100 >"$out/.memory-$name" &
            sampler=$!
        fi
        if run "$log" "$plume" bench emulators --device "$device" --no-python --reference-days 0 --models "$model" \
            --batch "$batch" --repeats "$repeats" --warmup "$warmup" --json "$json"; then ok=1; else ok=0; fi
        peak="–"
        if [ -n "$sampler" ]; then
            kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
            peak="$(sort -n "$out/.memory-$name" | tail -1)"
            peak="$(( ${peak:-0} - baseline ))"
            rm -f "$out/.memory-$name"
        fi
        if [ $ok = 0 ]; then fail "plume bench emulators --device $device $model ($(basename "$log"))"; continue; fi
        [ $mode = dry ] && continue
        python3 - "$json" "$resolution" "$peak" >>"$out/step-times.csv" <<'EOF' || fail "cannot read $json"
import json, sys
report = json.load(open(sys.argv[1]))
for m in report["models"]:
    s = m["swift"]
    ms = lambda t: "%.2f" % (t["median"] * 1e3)
    print(",".join([sys.argv[2], m["name"], str(m["parameters"]), ms(s["train"]), ms(s["emulatorTrain"]),
                    ms(s["rollout"]), ms(s["emulatorRollout"]), sys.argv[3]]))
EOF
    done
done
summary "step times (ms, median of $repeats; batch $batch for training, 1 for rollout; train/rollout: network, *_step: Emulator.step) and peak memory (MiB):"
tr "," "\t" <"$out/step-times.csv" | tee -a "$out/summary.txt"

# --- 5. 2-process NCCL parity --------------------------------------------------------------------
: >"$out/nccl.txt"
if [ $mode = gpu ] && [ "$gpus" -lt 2 ]; then
    summary "NCCL parity: skipped ($gpus GPU; needs 2)"
    echo "skipped: nvidia-smi lists $gpus GPU" >"$out/nccl.txt"
else
    backend_name=NCCL; [ $device = cpu ] && backend_name=Gloo
    work="$out/nccl"
    rm -rf "$work" && mkdir -p "$work"
    run "$out/nccl.txt" "$plume" generate carbonbench-mini --days 6 --spinup-days 2 --split 4,1,1 --out "$work/data" \
        || die "plume generate carbonbench-mini for the 2-process parity failed (nccl.txt)"
    # Swin (LayerNorm only: a U-Net's BatchNorm normalises by each rank's own half batch).
    for b in 2 4; do
        sed -e "s/^  batch_size: .*/  batch_size: $b/" -e 's/^  fine_tune_curriculum: .*/  fine_tune_curriculum: [2]/' \
            -e 's/^  fine_tune_steps: .*/  fine_tune_steps: 4/' -e 's/^  validate_every: .*/  validate_every: 10/' \
            -e 's/^  validation_steps: .*/  validation_steps: 2/' -e "s/^  threads: .*/  threads: 2\n  device: $device/" \
            Pipelines/models/swin-lowres-co2.yaml >"$work/model$b.yaml"
    done
    ok=1
    run "$out/nccl.txt" "$plume" train "$work/model2.yaml" --data "$work/data" --out "$work/ddp" --steps 20 --nproc 2 \
        --collective-timeout 120 || ok=0
    run "$out/nccl.txt" "$plume" train "$work/model4.yaml" --data "$work/data" --out "$work/one" --steps 20 || ok=0
    run "$out/nccl.txt" "$plume" train "$work/model2.yaml" --data "$work/data" --out "$work/half" --steps 20 || ok=0
    if [ $ok = 0 ]; then
        fail "2-process $backend_name training (nccl.txt)"
    elif [ $mode != dry ]; then
        if python3 - "$work" "$nccl_tolerance" >>"$out/nccl.txt" <<'EOF'; then
import array, json, struct, sys
def parameters(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__" or name.startswith(("optimizer.", "history.")) or info["dtype"] != "F32":
            continue
        a, b = info["data_offsets"]
        values = array.array("f"); values.frombytes(data[a:b]); out[name] = values
    return out
work, tolerance = sys.argv[1], float(sys.argv[2])
ddp, one, half = (parameters(f"{work}/{r}/last.safetensors") for r in ("ddp", "one", "half"))
worst = separation = 0.0
for name, reference in one.items():
    scale = max(abs(v) for v in reference) + 1e-3
    worst = max(worst, max(abs(x - y) for x, y in zip(ddp[name], reference)) / scale)
    separation = max(separation, max(abs(x - y) for x, y in zip(half[name], reference)) / scale)
ok = len(one) > 4 and set(ddp) == set(one) and worst < tolerance and separation > 10 * max(worst, 1e-6)
print(f"2 ranks × batch 2 against 1 process × batch 4: largest parameter difference {worst:.3e} of the largest parameter "
      f"(tolerance {tolerance:g}); 1 process × batch 2 differs by {separation:.3e}: {'ok' if ok else 'FAILED'}")
sys.exit(0 if ok else 1)
EOF
            summary "$backend_name parity: $(tail -1 "$out/nccl.txt")"
        else
            fail "2-process $backend_name parity: $(tail -1 "$out/nccl.txt")"
        fi
    fi
fi

# --- Summary -------------------------------------------------------------------------------------
if [ ${#failures[@]} -gt 0 ]; then
    summary "device check FAILED: ${#failures[@]} check(s) failed (see $out)"
    exit 1
fi
[ $mode = dry ] && { summary "dry run: nothing was run"; exit 0; }
summary "device check passed ($out)"
