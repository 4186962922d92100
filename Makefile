# dhtui: the two commands the README gives, and a few more for developers.
#   make demo   install what is missing, build, start dhtui on the bundled demo server
#   make test   install what is missing, build, run every test (plain and ASan/UBSan)
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps test-deps build demo test test-plain test-asan fuzz bench screenshots clean

all: build

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/dhtui --demo

test: test-deps test-plain test-asan fuzz

test-plain:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DDH_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/e2e/lsan.supp:print_suppressions=0 ctest --output-on-failure -j $(JOBS)

fuzz:
	scripts/fuzz.sh 10

bench: build
	scripts/bench.sh

screenshots: build
	scripts/screenshots.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
