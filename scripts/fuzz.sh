#!/usr/bin/env bash
# Builds the libFuzzer harnesses of fuzz/ (clang, ASan + UBSan, -DTZ_FUZZ=ON in build/fuzz) and
# runs each, one after the other, for SECONDS (default 20) on a scratch copy of its seed corpus
# (fuzz/corpus/<harness>/) plus its regression inputs (fuzz/regressions/<harness>/), so that
# the repository is never written to. Exits non-zero when a harness crashes, leaks, times out
# or runs out of memory; the input that did it is kept under BUILD_DIR/run/<harness>/.
#   usage: scripts/fuzz.sh [SECONDS [BUILD_DIR]]     (BUILD_DIR defaults to build/fuzz)
# make check runs it as the ctest fuzz_short: FUZZ_CHECK_SECONDS (default 10) per harness, in
# its own build folder.
set -euo pipefail
seconds=${1:-20}
case "$seconds" in
  '' | *[!0-9]* | 0) echo "usage: $0 [SECONDS [BUILD_DIR]]   (whole seconds per harness)" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
build=${2:-build/fuzz}
mkdir -p "$build"
build=$(cd "$build" && pwd)

# harness:max_len. A report body may reach its 16 KiB limit and pass it; a query value its
# 4 KiB limit; district files and dates stay small enough for many runs a second.
harnesses=(fuzz_report:17408 fuzz_query:8192 fuzz_districts:16384 fuzz_time:64 fuzz_form:17408
  fuzz_auth:255 fuzz_police:17408 fuzz_forwarded:1024 fuzz_assistant:4096 fuzz_mrz:256 fuzz_lang:4096
  fuzz_screening_names:300 fuzz_screening_import:65536 fuzz_screening_snapshot:65537 fuzz_exchange:65536 fuzz_config:4096 fuzz_addresses:8192 fuzz_alert_area:4200
  fuzz_federation:8192 fuzz_photo:65536 fuzz_mapindex_snap:65536 fuzz_multipart:65536)

command -v clang >/dev/null || { echo "fuzz: clang is missing (scripts/deps.sh installs it)" >&2; exit 2; }
CC=clang cmake -S . -B "$build" -DTZ_FUZZ=ON -DTZ_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" >/dev/null
targets=()
for h in "${harnesses[@]}"; do targets+=("${h%%:*}"); done
if ! cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" >"$build/build.log" 2>&1; then
  tail -n 30 "$build/build.log" >&2
  echo "fuzz: the build failed (full log: $build/build.log; a missing libclang_rt.fuzzer" \
    "means libclang-rt-14-dev is not installed)" >&2
  exit 1
fi

# The last value of "name: N" in libFuzzer's log (final stats, else the last status line).
last_stat() { grep -o "$1[: ]*[0-9]*" "$2" | tail -n 1 | grep -o '[0-9]*$' || echo 0; }

passed=0
failed=0
for h in "${harnesses[@]}"; do
  name=${h%%:*}
  max_len=${h##*:}
  run="$build/run/$name"
  rm -rf "$run"
  mkdir -p "$run/corpus" "$run/tmp"
  cp -R "fuzz/corpus/$name/." "$run/corpus/"
  inputs=("$run/corpus")
  [ -d "fuzz/regressions/$name" ] && inputs+=("fuzz/regressions/$name")
  dict=()
  [ -f "fuzz/$name.dict" ] && dict=(-dict="fuzz/$name.dict")
  status=0
  TMPDIR="$run/tmp" ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}" \
    UBSAN_OPTIONS="print_stacktrace=1:${UBSAN_OPTIONS:-}" \
    "$build/fuzz/$name" "${dict[@]}" -max_total_time="$seconds" -max_len="$max_len" \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix="$run/" \
    "${inputs[@]}" >"$run/log" 2>&1 || status=$?
  execs=$(last_stat 'stat::number_of_executed_units' "$run/log")
  [ "$execs" -gt 0 ] || execs=$(grep -o '^#[0-9]*' "$run/log" | tail -n 1 | tr -d '#' || echo 0)
  cov=$(last_stat 'cov' "$run/log")
  rate=$(last_stat 'stat::average_exec_per_sec' "$run/log")
  corpus=$(find "$run/corpus" -type f | wc -l)
  artifacts=$(find "$run" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
    -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  crashes=$artifacts
  [ "$status" -eq 0 ] || [ "$crashes" -gt 0 ] || crashes=1 # died without leaving its input
  echo "fuzz $name: $execs execs, crashes=$crashes (cov $cov, $rate exec/s, corpus $corpus)"
  if [ "$crashes" -eq 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    grep -E 'ERROR|SUMMARY|invariant failed|runtime error' "$run/log" | head -n 5 | sed 's/^/  /'
    echo "  log: $run/log; inputs: $(find "$run" -maxdepth 1 -type f ! -name log | tr '\n' ' ')"
    echo "  minimise: $build/fuzz/$name -minimize_crash=1 -runs=100000 <input>;" \
      "keep the result in fuzz/regressions/$name/"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
