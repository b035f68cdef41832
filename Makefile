# Convenience wrapper: installs what is missing, configures CMake once, builds incrementally.
BUILD ?= build
SAMPLE ?= pcaps/sip/srtp-offer-415.pcap
JOBS ?= $(shell nproc)

.PHONY: all deps build demo test sanitize fuzz bench bench-tls clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# Analyze a bundled trace and print the text report.
demo: build
	$(BUILD)/sipsec analyze $(SAMPLE)

# Every test: unit (cmocka), end-to-end goldens, fuzz corpus replay.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The same tests under AddressSanitizer + UBSan.
sanitize: deps
	cmake -S . -B build-asan -DSIPSEC_SANITIZE=ON -DSIPSEC_WERROR=ON -DCMAKE_BUILD_TYPE=Debug
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)

# libFuzzer targets, FUZZ_SECONDS each on their seed corpus.
FUZZ_SECONDS ?= 30
fuzz: deps
	CC=clang cmake -S . -B build-fuzz -DSIPSEC_FUZZ=ON -DSIPSEC_SANITIZE=ON -DSIPSEC_TESTS=OFF -DCMAKE_BUILD_TYPE=Debug
	cmake --build build-fuzz -j $(JOBS)
	tests/fuzz/run-fuzzers.sh build-fuzz $(FUZZ_SECONDS)

bench: build
	bench/run.sh

# TLS handshakes with full chains, against the bare loop and tshark's certificate fields.
bench-tls: build
	bench/run.sh tls

clean:
	rm -rf $(BUILD) build-asan build-fuzz
