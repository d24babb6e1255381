# Plume: `make demo` and `make test` do all set-up on a fresh Debian 12 machine with
# the Swift toolchain: they install the missing Debian packages, fetch the sample
# data, build and run.

SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
DEB_PACKAGES := pkg-config libnetcdf-dev libhdf5-dev libeccodes-dev libeccodes-tools netcdf-bin hdf5-tools python3 \
	libtorch-dev libgloo-dev libopenblas0-pthread python3-torch python3-numpy python3-venv python3-h5py python3-tables cdo \
	libplplot-dev plplot-driver-cairo libplplot-data libsqlite3-dev sqlite3 bc chromium slurm-wlm munge unzip
SAMPLES := .cache/sample-data
OUT := out/demo
PLUME := .build/release/plume

.PHONY: deps samples python-env build test demo bench-io bench-torch bench-emulators clean

deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	python3 -m pip --version >/dev/null 2>&1 || missing="$$missing python3-pip"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

samples: deps
	@Scripts/fetch-sample-data.sh $(SAMPLES) >/dev/null

# A venv over Debian's python3 (with its torch) plus pinned PyPI packages, for the tests
# that cross-check against Python (safetensors interop) and for benchmarks.
python-env: deps
	@Scripts/python-env.sh >/dev/null

build: deps
	swift build -c release --product plume
	swift build -c release --product CTorchBackend

test: deps samples python-env
	swift test

# The main job: Pipelines/demo.yaml end to end (generate, train, 90-day CO2 rollout with
# its budget, 5-day forecast, verification, plots, HTML report). Run again, it skips what
# is done; interrupted, it continues.
demo: build samples
	$(PLUME) run Pipelines/demo.yaml

bench-io: build samples
	Benchmarks/io.sh

bench-torch: build python-env
	Benchmarks/torch.sh

bench-emulators: build python-env
	Benchmarks/emulators.sh

clean:
	rm -rf .build out
