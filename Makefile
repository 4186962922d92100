# dhtui: the targets behind the README's two commands, and a few more for developers.
# None of them installs packages: ./build.sh demo|test (or `make deps` /
# `make test-deps`) does that first.
#   make / make build   build (RelWithDebInfo) in build/
#   make demo           build, start dhtui on the bundled demo server
#   make test           the whole test matrix, every build with -Werror:
#                         format-check  clang-format: the sources are in the house style
#                         test-plain    gcc RelWithDebInfo (-O2), ctest
#                         test-asan     gcc Debug + ASan/UBSan, ctest
#                         test-compile  gcc Release (-O3) and clang Release (-O3), build only
#                         fuzz          clang Debug + libFuzzer/ASan: every target is
#                                       built (the clang Debug check), each fuzzer runs 10 s
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
GCC_RELEASE_BUILD ?= build-gcc-release
CLANG_RELEASE_BUILD ?= build-clang-release
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 10
# Most tests wait on a terminal, a server or a fault rather than compute, so ctest
# runs twice as many at once as there are cores (a 2-core run: 218 s -> ~140 s).
TEST_JOBS ?= $(shell echo $$(( $(JOBS) * 2 )))

# ccache, when installed, makes a repeated `make test` rebuild only what changed.
# BASEDIR/NOHASHDIR let another clone of the tree (CI) reuse the same cache.
CCACHE := $(shell command -v ccache 2>/dev/null)
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
CMAKE_CONFIGURE = cmake -S . $(if $(CCACHE),-DCMAKE_C_COMPILER_LAUNCHER=$(CCACHE)) >/dev/null

.PHONY: all deps test-deps build demo test format format-check test-plain test-asan \
        test-compile fuzz bench soak roundtrip-soak screenshots clean

all: build

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

build:
	$(CMAKE_CONFIGURE) -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDH_WERROR=OFF
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/dhtui --demo

test: format-check test-plain test-asan test-compile fuzz

# The house style (.clang-format); `make format` applies it.
format:
	scripts/format.sh

format-check:
	scripts/format.sh --check

test-plain:
	$(CMAKE_CONFIGURE) -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDH_WERROR=ON
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(TEST_JOBS)

test-asan:
	$(CMAKE_CONFIGURE) -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DDH_SANITIZE=ON -DDH_WERROR=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/e2e/lsan.supp:print_suppressions=0 ctest --output-on-failure -j $(TEST_JOBS)

# Warnings that only the optimiser finds (gcc's maybe-uninitialized at -O3):
# the Release builds are compiled and linked, not run.
test-compile:
	$(CMAKE_CONFIGURE) -B $(GCC_RELEASE_BUILD) -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Release -DDH_WERROR=ON
	cmake --build $(GCC_RELEASE_BUILD) -j $(JOBS)
	$(CMAKE_CONFIGURE) -B $(CLANG_RELEASE_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Release -DDH_WERROR=ON
	cmake --build $(CLANG_RELEASE_BUILD) -j $(JOBS)

fuzz:
	DH_FUZZ_BUILD_DIR=$(CURDIR)/$(FUZZ_BUILD) DH_FUZZ_WERROR=ON DH_FUZZ_BUILD_ALL=1 \
	    DH_FUZZ_LAUNCHER=$(CCACHE) scripts/fuzz.sh $(FUZZ_SECONDS)

bench: build
	scripts/bench.sh

# The chaos scenarios in a loop for SOAK_MINUTES (tests/chaos), with figures at the end.
SOAK_MINUTES ?= 10
soak: build
	scripts/soak.sh $(SOAK_MINUTES) $(BUILD)

# 100 million random doubles and floats written and read back (SOAK_ARGS=--all-floats
# adds every 2^32 float); minutes, so not part of make test (test_numtext runs a sample).
SOAK_ARGS ?=
roundtrip-soak: build
	$(BUILD)/tests/soak_numtext 100000000 $(SOAK_ARGS)

screenshots: build
	scripts/screenshots.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(GCC_RELEASE_BUILD) $(CLANG_RELEASE_BUILD)
