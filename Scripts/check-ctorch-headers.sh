#!/usr/bin/env bash
# Compiles CTorch (syntax and semantics, no linking) against the headers of another
# libtorch release, to keep the shim within the API shared by libtorch 1.13 and 2.x.
# Headers come from PyTorch's macOS arm64 wheel on PyPI (the smallest wheel; headers are
# platform-independent), cached in .cache/torch-headers-VERSION.
#   Scripts/check-ctorch-headers.sh [VERSION]     (default 2.5.1)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="${1:-2.5.1}"
cache="$root/.cache/torch-headers-$version"
if [ ! -d "$cache/torch/include" ]; then
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    python3 -m pip download --quiet --no-deps --only-binary=:all: --platform macosx_11_0_arm64 \
        "torch==$version" -d "$work" >&2
    mkdir -p "$cache"
    unzip -q -o "$work"/torch-"$version"-*.whl 'torch/include/*' -d "$cache"
fi
status=0
for source in "$root"/Sources/CTorch/*.cpp; do
    if clang++ -fsyntax-only -std=c++17 -Wno-deprecated-declarations -I "$root/Sources/CTorch/include" \
        -I "$cache/torch/include" -I "$cache/torch/include/torch/csrc/api/include" "$source"; then
        echo "ok      $(basename "$source") against libtorch $version headers"
    else
        echo "FAILED  $(basename "$source") against libtorch $version headers"; status=1
    fi
done
exit $status
