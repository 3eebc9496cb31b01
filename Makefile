# credvault: `make run` starts the server with the web app; `make test` runs every test.
# Both install what is missing first (scripts/setup.sh: apt packages, Debian source
# packages for the WASM build, npm packages) and build only what changed.
SHELL := /bin/bash
export NODE_PATH := /usr/share/nodejs
JOBS ?= 2
BUILD := build
NATIVE := $(BUILD)/native
WASM := $(BUILD)/wasm
BUILD_TYPE ?= Release

.PHONY: all setup native wasm build test test-native test-wasm test-node test-web run bench clean

all: build

setup:
	@bash scripts/setup.sh

$(NATIVE)/CMakeCache.txt:
	cmake -S . -B $(NATIVE) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

$(WASM)/CMakeCache.txt:
	emcmake cmake -S . -B $(WASM) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node

native: setup $(NATIVE)/CMakeCache.txt
	cmake --build $(NATIVE) -j$(JOBS)

wasm: setup $(WASM)/CMakeCache.txt
	cmake --build $(WASM) -j$(JOBS)

build: native wasm

test-native: native
	cd $(NATIVE) && ctest --output-on-failure

test-wasm: wasm
	cd $(WASM) && ctest --output-on-failure

test-node: build
	node --test tests/wasm/ tests/cross/ tests/web/

test: build
	@bash scripts/test.sh

run: build
	@bash scripts/run.sh

BENCHES := crypto_bench kubeconfig_bench ui_bench

bench: build
	cmake --build $(NATIVE) -j$(JOBS) --target $(BENCHES)
	cmake --build $(WASM) -j$(JOBS) --target $(BENCHES)
	@bash tests/bench/run.sh

clean:
	rm -rf $(BUILD)
