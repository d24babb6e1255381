# Plume: `make demo` and `make test` do all set-up on a fresh Debian 12 machine with
# the Swift toolchain: they install the missing Debian packages, fetch the sample
# data, build and run.

SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
DEB_PACKAGES := pkg-config libnetcdf-dev libhdf5-dev libeccodes-dev libeccodes-tools netcdf-bin hdf5-tools python3 \
	libtorch-dev libopenblas0-pthread python3-torch python3-numpy python3-venv python3-h5py python3-tables cdo \
	libplplot-dev plplot-driver-cairo libplplot-data
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

demo: build samples
	@mkdir -p $(OUT)
	$(PLUME) inspect $(SAMPLES)/era5-levels-members.grib
	$(PLUME) convert $(SAMPLES)/era5-levels-members.grib $(OUT)/era5-levels-members.nc
	$(PLUME) inspect --json $(OUT)/era5-levels-members.nc > $(OUT)/era5-levels-members.summary.json
	$(PLUME) convert $(SAMPLES)/reduced_gg.grib $(OUT)/reduced_gg.nc
	$(PLUME) convert $(SAMPLES)/alternate-scanning.grib $(OUT)/alternate-scanning.nc
	$(PLUME) regrid $(SAMPLES)/era5-levels-members.grib $(OUT)/era5-levels-members.latlon5.625.nc --to latlon5.625 \
		--save-weights $(OUT)/weights.era5-to-latlon5.625.nc
	$(PLUME) regrid $(SAMPLES)/reduced_gg.grib $(OUT)/reduced_gg.latlon5.625.nc --to latlon5.625
	$(PLUME) transport --met $(SAMPLES)/uv_on_different_levels.grib --surface-pressure 100000 --time-step 1800 \
		--out $(OUT)/transport
	$(PLUME) plot transport $(OUT)/transport
	$(PLUME) generate carbonbench-mini --days 12 --spinup-days 5 --split 2,1,1 --out $(OUT)/carbonbench-mini
	$(PLUME) plot carbonbench $(OUT)/carbonbench-mini
	rm -rf $(OUT)/emulator && $(PLUME) train Pipelines/models/demo-unet-co2.yaml --data $(OUT)/carbonbench-mini \
		--out $(OUT)/emulator --log-every 50
	$(PLUME) rollout $(OUT)/emulator/best.safetensors --init $(OUT)/carbonbench-mini/carbonbench-test.nc \
		--start 2000-01-10 --days 2 --out $(OUT)/emulator/rollout.nc
	rm -rf $(OUT)/reference && $(PLUME) transport --met $(OUT)/carbonbench-mini/carbonbench-test.nc \
		--fluxes $(OUT)/carbonbench-mini/carbonbench-test.nc --init $(OUT)/carbonbench-mini/carbonbench-test.nc \
		--start 2000-01-10 --hours 48 --eddy-diffusion carbonbench --out $(OUT)/reference
	$(PLUME) evaluate $(OUT)/emulator/rollout.nc $(OUT)/reference/transport.nc --truth $(OUT)/carbonbench-mini/carbonbench-test.nc \
		--out $(OUT)/emulator/scores --leads-days 0.5,1,2
	$(PLUME) generate weather --grid gaussian-n32 --truncation 42 --spinup-days 10 --days 10 --seed 1 \
		--output-grid latlon5.625 --diagnostics --out $(OUT)/weather
	@echo
	@echo "demo outputs in $(OUT)/:"
	@cd $(OUT) && find . -type f | sort | sed 's|^\./|  |'

bench-io: build samples
	Benchmarks/io.sh

bench-torch: build python-env
	Benchmarks/torch.sh

bench-emulators: build python-env
	Benchmarks/emulators.sh

clean:
	rm -rf .build out
