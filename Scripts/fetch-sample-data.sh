#!/usr/bin/env bash
# Fetches the real GRIB/netCDF sample files that ship in cfgrib's PyPI source
# distribution into a git-ignored cache, verifying a pinned checksum.
#   Scripts/fetch-sample-data.sh [CACHE_DIR]    (default: .cache/sample-data)
# Prints the cache folder. Fails (exit 1) when the files cannot be had.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${1:-${PLUME_SAMPLE_DATA:-$root/.cache/sample-data}}"
version="0.9.15.1"
sha256="d959d8b97e55a63646fa86686b297905ff7f2918a91e3a11d6292dab09598e4d"
stamp="$cache/.cfgrib-$version-$sha256"

if [ -f "$stamp" ]; then echo "$cache"; exit 0; fi

python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "fetching cfgrib==$version source distribution (sample data) from PyPI…" >&2
if ! "$python" -m pip download --quiet --no-deps --no-binary :all: "cfgrib==$version" -d "$work" >&2; then
    echo "error: could not download cfgrib==$version with '$python -m pip'; is PyPI reachable and pip installed?" >&2
    exit 1
fi
archive="$work/cfgrib-$version.tar.gz"
[ -f "$archive" ] || { echo "error: pip did not produce $archive" >&2; exit 1; }
actual="$(sha256sum "$archive" | cut -d' ' -f1)"
if [ "$actual" != "$sha256" ]; then
    echo "error: $archive has sha256 $actual, expected $sha256" >&2
    exit 1
fi
tar -xzf "$archive" -C "$work" "cfgrib-$version/tests/sample-data"
mkdir -p "$cache"
cp "$work/cfgrib-$version/tests/sample-data/"* "$cache/"
touch "$stamp"
echo "$cache"
