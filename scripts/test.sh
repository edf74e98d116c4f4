#!/usr/bin/env bash
# Installs dependencies, builds kdive (Release with -g, and ASan+UBSan) and, at the same
# time, the real fixtures if they are missing; then runs every test through CTest (two at
# a time) in the Release build, and all but the reference-tool diffs in the sanitizer
# build.
# Ends with the line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

./scripts/setup-deps.sh || { echo "setup-deps failed"; exit 1; }

WERROR=OFF
[ "${CI:-}" = "true" ] && WERROR=ON
build() {  # build DIR EXTRA_CMAKE_ARGS...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKDIVE_WERROR=$WERROR "$@" >/dev/null &&
    ninja -C "$dir" ${NINJA_JOBS:+-j$NINJA_JOBS}
}
# The fixtures need nothing from the build (downloads, QEMU boots, makedumpfile): they
# are made while kdive compiles, in their own process group so that a failed build stops
# them too. Their log is shown once both are done.
mkdir -p build
setsid -w ./scripts/fixtures/build-all.sh >build/fixtures.log 2>&1 &
fixtures_pid=$!
stop() {  # stop MESSAGE: the fixture job is killed, the run ends as failed
  kill -- -"$fixtures_pid" 2>/dev/null
  echo "$1"; echo "0 passed, 1 failed"; exit 1
}
build build/release || stop "release build failed"
build build/asan -DKDIVE_SANITIZE=ON || stop "sanitizer build failed"
fixtures_status=0
wait "$fixtures_pid" || fixtures_status=$?
cat build/fixtures.log
[ "$fixtures_status" -eq 0 ] || stop "fixture build failed (exit $fixtures_status)"

passed=0; failed=0
run_ctest() {  # run_ctest DIR LABEL [CTEST ARGS...]
  local log="$1/ctest.log" dir=$1 label=$2
  shift 2
  (cd "$dir" && ctest --output-on-failure --timeout 1800 -j"${CTEST_JOBS:-2}" "$@" ${CTEST_ARGS:-} 2>&1) | tee "$log"
  local p f
  p=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' "$log")
  # Skipped tests (GTEST_SKIP) print "***Skipped" and are neither passed nor failed.
  f=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .*\*\*\*(Failed|Timeout|Not Run|Exception)' "$log")
  echo "$label: $p passed, $f failed"
  passed=$((passed + p)); failed=$((failed + f))
}
# Leak checking is off until the libdw/libelf handles and lazy caches are audited for
# it; ASan (memory errors) and UBSan stay fatal.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_ctest build/release release
# Under the sanitizers: everything but the scripts labelled "reference", whose time goes
# to running drgn, crash, pahole or addr2line; the kdive side of each is also covered by
# the integration tests, and the references are compared in the Release pass above.
# The sanitizer pass fits CI's time on 6.1 and one other kernel of the matrix, a
# different one each day ($KDIVE_ASAN_KERNELS overrides; "all" for every kernel).
asan_kernels=${KDIVE_ASAN_KERNELS:-$(/usr/bin/python3 -c '
import datetime, sys
sys.path.insert(0, "tests")
import fixture_manifest
others = [k["name"] for k in fixture_manifest.kernels() if k["name"] != "6.1"]
day = datetime.date.today().toordinal()
print(",".join(["6.1"] + ([others[day % len(others)]] if others else [])))')}
[ "$asan_kernels" = all ] && asan_kernels=""
echo "sanitizer pass on kernels: ${asan_kernels:-all}"
KDIVE_TEST_KERNELS=$asan_kernels run_ctest build/asan asan -LE reference
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
