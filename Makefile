# tarcza front doors:  make run · make check · make bench · make fuzz · make fmt
PORT ?= 8080
DB ?= var/tarcza.db
JOBS ?= $(shell nproc)

CHECK_DIR := build/check
CLANG_DIR := build/clang
RELEASE_DIR := build/release

FUZZ_SECONDS ?= 20
FUZZ_CHECK_SECONDS ?= 6

.PHONY: all deps release run check bench fuzz fmt clean

all: release

deps:
	@scripts/deps.sh build

release: deps
	@cmake -S . -B $(RELEASE_DIR) -DCMAKE_BUILD_TYPE=Release -DTZ_TESTS=OFF >/dev/null
	@cmake --build $(RELEASE_DIR) -j $(JOBS)

# Builds, creates demo data on first start, and serves http://127.0.0.1:$(PORT).
run: release
	@mkdir -p $(dir $(DB))
	@if [ ! -f "$(DB)" ]; then $(RELEASE_DIR)/tarcza demo --db "$(DB)"; fi
	$(RELEASE_DIR)/tarcza serve --port $(PORT) --db "$(DB)" --web web

# gcc with ASan+UBSan runs every test; clang must compile the same code cleanly; each libFuzzer
# harness runs FUZZ_CHECK_SECONDS on its corpus (ctest fuzz_short, a clang build in build/check/fuzz).
check: deps
	@cmake -S . -B $(CHECK_DIR) -DCMAKE_BUILD_TYPE=Debug -DTZ_SANITIZE=ON >/dev/null
	@cmake --build $(CHECK_DIR) -j $(JOBS)
	@CC=clang cmake -S . -B $(CLANG_DIR) -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build $(CLANG_DIR) -j $(JOBS)
	@cd $(CHECK_DIR) && FUZZ_CHECK_SECONDS=$(FUZZ_CHECK_SECONDS) ASAN_OPTIONS=detect_leaks=1 \
	  ctest --output-on-failure -j $(JOBS)

bench:
	@scripts/deps.sh bench
	@cmake -S . -B $(RELEASE_DIR) -DCMAKE_BUILD_TYPE=Release -DTZ_TESTS=OFF >/dev/null
	@cmake --build $(RELEASE_DIR) -j $(JOBS)
	@bench/run.sh $(RELEASE_DIR)

# libFuzzer harnesses (clang, ASan+UBSan), FUZZ_SECONDS each; see scripts/fuzz.sh.
fuzz: deps
	@scripts/fuzz.sh $(FUZZ_SECONDS)

fmt:
	@clang-format -i $$(git ls-files 'src/*.[ch]' 'tests/*.[ch]' 'bench/*.[ch]' 'fuzz/*.[ch]')

clean:
	rm -rf build
