#!/usr/bin/env bash
# Compiles CTorchBackend (syntax and semantics, no linking: clang++ -fsyntax-only) against the
# headers of another libtorch release, to keep the C++ within the API shared by Debian's
# libtorch 1.13 and PyTorch 2.x, and, with --cuda, against the headers of a CUDA libtorch with
# PLUME_CUDA=1, so that the CUDA-only code (ProcessGroupNCCL, the CUDA allocator) is compiled
# too although no machine here has CUDA. Each mode also compiles Scripts/ctorch-api-probe.cpp,
# the libtorch calls specified for the CUDA work (autocast, pinned memory, allocator statistics).
#   Scripts/check-ctorch-headers.sh [--cuda] [VERSION]   (VERSION: default 2.5.1)
#   Scripts/check-ctorch-headers.sh system               (the probe alone against Debian's
#                                                          libtorch, which swift build compiles
#                                                          CTorchBackend against)
# Exit status: 0 all compiled, 1 a file failed to compile, 2 headers could not be fetched.
#
# Where the headers come from (PyPI, with pip; cached under .cache/, nothing kept but headers):
# - libtorch: PyTorch's macOS arm64 wheel (~60 MB, the smallest; .cache/torch-headers-VERSION).
#   Its torch/include is the Linux CUDA wheel's (checked file by file for 2.5.1) less two
#   generated CUDA headers, which --cuda writes as the CUDA wheel has them
#   (c10/cuda/impl/cuda_cmake_macros.h, ATen/cuda/CUDAConfig.h), and with its own ATen/Config.h
#   (MKL/MKL-DNN switches) and MPS kernels' declarations, which CTorchBackend does not use.
# - CUDA (--cuda): the headers of the NVIDIA wheels that PyTorch's Linux wheel of VERSION depends
#   on: CUDA runtime (cuda_runtime_api.h, 1 MB; with crt/*.h from the CUDA compiler's wheel,
#   22 MB, and nv/target from CCCL's, 3 MB), NCCL (nccl.h, 189 MB), cuBLAS, cuSPARSE and cuSOLVER
#   (363, 207 and 128 MB: ATen/cuda/CUDAContext.h, which ProcessGroupNCCL.hpp includes, includes
#   their headers). About 910 MB are downloaded once for 24 MB of headers
#   (.cache/cuda-headers-VERSION); PyPI has no headers-only package of these libraries.
# The compiler sees no other libtorch: the system include folders are searched without the
# top-level folders that the downloaded include/ has (ATen, c10, torch, ...), so a header that
# only Debian's libtorch 1.13 has cannot stand in for a missing one. Flags as Package.swift
# gives CTorchBackend: C++17, -DUSE_C10D_GLOO, Sources/CTorchBackend/compat after the rest;
# --cuda adds -DPLUME_CUDA=1 -DUSE_C10D_NCCL (Package.swift with PLUME_CUDA=1).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cuda=0
if [ "${1:-}" = "--cuda" ]; then cuda=1; shift; fi
version="${1:-2.5.1}"
case "$version" in
    system|[0-9]*.[0-9]*.[0-9]*) ;;
    *) echo "usage: $0 [--cuda] [VERSION|system]" >&2; exit 64 ;;
esac
if [ "$version" = system ] && [ $cuda = 1 ]; then
    echo "error: --cuda needs a PyTorch VERSION (Debian's libtorch has no CUDA build)" >&2; exit 64
fi
command -v clang++ >/dev/null || { echo "error: clang++ not found (it comes with the Swift toolchain)" >&2; exit 2; }
cache_root="$root/.cache"
mkdir -p "$cache_root"

# One download at a time (the tests run the modes concurrently); each cache folder appears
# whole or not at all (extracted beside it, then renamed).
exec 9>"$cache_root/.check-ctorch-headers.lock"
flock 9

pip_download() {  # pip_download DEST PLATFORM REQUIREMENT...
    local dest="$1" platform="$2"; shift 2
    if ! python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
        --platform "$platform" -d "$dest" "$@" >&2; then
        echo "error: could not download $* from PyPI (platform $platform): is PyPI reachable?" >&2
        exit 2
    fi
}

sources=("$root"/Sources/CTorchBackend/*.cpp "$root/Scripts/ctorch-api-probe.cpp")
# CHECK_CTORCH_SOURCES="A.cpp B.cpp": compile these instead (the tests plant errors with it).
[ -z "${CHECK_CTORCH_SOURCES:-}" ] || read -r -a sources <<<"$CHECK_CTORCH_SOURCES"
flags=(-std=c++17 -Wno-deprecated-declarations -DUSE_C10D_GLOO -I "$root/Sources/CTorchBackend/include")
label="libtorch $version headers"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ "$version" = system ]; then
    [ -f /usr/include/torch/csrc/api/include/torch/version.h ] || { echo "error: no libtorch in /usr/include (apt-get install libtorch-dev)" >&2; exit 2; }
    v="$(awk '/define TORCH_VERSION_(MAJOR|MINOR|PATCH)/ {printf "%s%s", sep, $3; sep="."}' /usr/include/torch/csrc/api/include/torch/version.h)"
    label="Debian's libtorch $v headers"
    # swift build compiles CTorchBackend itself against these: only the probe is new here.
    [ -n "${CHECK_CTORCH_SOURCES:-}" ] || sources=("$root/Scripts/ctorch-api-probe.cpp")
else
    torch="$cache_root/torch-headers-$version"
    if [ ! -d "$torch/torch/include" ]; then
        pip_download "$work/wheel" macosx_11_0_arm64 "torch==$version"
        rm -rf "$torch.part" && mkdir -p "$torch.part"
        unzip -q -o "$work"/wheel/torch-"$version"-*.whl 'torch/include/*' -d "$torch.part"
        rm -rf "$work/wheel" "$torch" && mv "$torch.part" "$torch"
    fi
    include="$torch/torch/include"
    flags+=(-I "$include" -I "$include/torch/csrc/api/include")

    if [ $cuda = 1 ]; then
        # The NVIDIA wheels that torch==VERSION's Linux x86_64 wheel requires (its METADATA), and
        # two more of the same CUDA release for headers that cuda_runtime.h and cuda_fp16.h include,
        # which a CUDA toolkit installs beside them: the compiler's crt/*.h and CCCL's nv/target.
        case "$version" in
            2.5.1) nvidia=(nvidia-cuda-runtime-cu12==12.4.127 nvidia-cuda-nvcc-cu12==12.4.131
                           nvidia-cuda-cccl-cu12==12.4.127.post1 nvidia-nccl-cu12==2.21.5
                           nvidia-cublas-cu12==12.4.5.8 nvidia-cusparse-cu12==12.3.1.170 nvidia-cusolver-cu12==11.6.1.9) ;;
            *) read -r -a nvidia <<<"${PLUME_CUDA_HEADER_WHEELS:-}"
               [ ${#nvidia[@]} -gt 0 ] || { echo "error: --cuda $version: set PLUME_CUDA_HEADER_WHEELS to the nvidia-*-cu12 pins of torch==$version (known: 2.5.1)" >&2; exit 64; } ;;
        esac
        cudah="$cache_root/cuda-headers-$version"
        if [ "$(cat "$cudah/.complete" 2>/dev/null)" != "$(printf '%s\n' "${nvidia[@]}")" ]; then
            rm -rf "$cudah.part" && mkdir -p "$cudah.part"
            for wheel in "${nvidia[@]}"; do  # one at a time: at most one large wheel on disk
                pip_download "$work/nvidia" manylinux2014_x86_64 "$wheel"
                unzip -q -o "$work"/nvidia/*.whl 'nvidia/*/include/*' -d "$cudah.part"
                rm -rf "$work/nvidia"
            done
            # The two generated headers of the Linux CUDA wheel that the macOS wheel lacks.
            mkdir -p "$cudah.part/generated/c10/cuda/impl" "$cudah.part/generated/ATen/cuda"
            printf '%s\n' '#pragma once' '' '// Automatically generated header file for the C10 CUDA library.  Do not' \
                '// include this file directly.  Instead, include c10/cuda/CUDAMacros.h' '' \
                '#define C10_CUDA_BUILD_SHARED_LIBS' >"$cudah.part/generated/c10/cuda/impl/cuda_cmake_macros.h"
            printf '%s\n' '#pragma once' '#define AT_CUDNN_ENABLED() 1' '#define AT_CUSPARSELT_ENABLED() 1' \
                '#define AT_ROCM_ENABLED() 0' '#define AT_MAGMA_ENABLED() 1' >"$cudah.part/generated/ATen/cuda/CUDAConfig.h"
            printf '%s\n' "${nvidia[@]}" >"$cudah.part/.complete"
            rm -rf "$cudah" && mv "$cudah.part" "$cudah"
        fi
        for generated in c10/cuda/impl/cuda_cmake_macros.h ATen/cuda/CUDAConfig.h; do
            [ -f "$include/$generated" ] || { flags+=(-I "$cudah/generated"); break; }
        done
        for dir in "$cudah"/nvidia/*/include; do flags+=(-isystem "$dir"); done
        flags+=(-DPLUME_CUDA=1 -DUSE_C10D_NCCL)
        cuda_version="$(sed -n 's/^nvidia-cuda-runtime-cu[0-9]*==\([0-9]*\.[0-9]*\).*/\1/p' "$cudah/.complete")"
        label="libtorch $version + CUDA ${cuda_version:-?} headers"
        echo "CUDA headers: $(tr '\n' ' ' <"$cudah/.complete")(in ${cudah#"$root/"})"
    fi

    # The system include folders without libtorch's top-level folders.
    mkdir -p "$work/usr-include"
    hidden=" $(ls "$include" | tr '\n' ' ') "
    for entry in /usr/include/*; do
        name="$(basename "$entry")"
        case "$hidden" in *" $name "*) continue ;; esac
        ln -s "$entry" "$work/usr-include/$name"
    done
    flags+=(-nostdinc)
    while read -r dir; do
        [ "$(realpath -m "$dir")" = /usr/include ] && dir="$work/usr-include"
        flags+=(-isystem "$dir")
    done < <(clang++ -xc++ -E -v /dev/null -o /dev/null 2>&1 | sed -n '/<\.\.\.> search starts here:/,/End of search list/p' | sed '1d;$d;s/^ *//')
fi
flags+=(-idirafter "$root/Sources/CTorchBackend/compat")
flock -u 9

# ATen/ATen.h, which every file includes first or through internal.hpp, parsed once into a
# precompiled header (half the time); without it if that fails (the files then show why).
printf '#include <ATen/ATen.h>\n' >"$work/aten.hpp"
if [ ${#sources[@]} -ge 3 ] && clang++ "${flags[@]}" -x c++-header "$work/aten.hpp" -o "$work/aten.pch" >/dev/null 2>&1; then
    flags+=(-include-pch "$work/aten.pch")
fi

# The files in parallel, each one's compiler output kept for its verdict.
pids=()
for i in "${!sources[@]}"; do
    clang++ -fsyntax-only "${flags[@]}" "${sources[$i]}" >"$work/$i.log" 2>&1 &
    pids+=($!)
done
status=0
for i in "${!sources[@]}"; do
    name="${sources[$i]#"$root/"}"
    if wait "${pids[$i]}"; then
        echo "ok      $name against $label"
    else
        echo "FAILED  $name against $label"
        cat "$work/$i.log"
        status=1
    fi
done
exit $status
