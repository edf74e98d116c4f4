#!/usr/bin/env bash
# Installs every Debian package kdive's build, tests, fixtures, reference tools and
# benchmarks need. Idempotent and non-interactive; runs `apt-get update` only when a
# package is missing. The kernel packages for the fixtures are resolved (by version)
# in scripts/fixtures/kernel/build.sh, not here, because they follow the mirror.
set -euo pipefail

PACKAGES=(
  # toolchain and build
  build-essential g++ cmake ninja-build pkg-config ccache
  # libraries kdive links
  libelf-dev libdw-dev libdebuginfod-dev libcapstone-dev
  zlib1g-dev libzstd-dev liblzo2-dev libsnappy-dev
  libfmt-dev libcli11-dev nlohmann-json3-dev libedit-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # the Python module (drgn-compatible API): CPython headers and pybind11
  python3-dev pybind11-dev
  # `triage --fleet`: dumps triaged in parallel on Dask distributed
  python3-distributed
  # `triage --serve`/`--html`: tests/python/test_triage_web.py renders the pages in
  # headless Chromium (screenshots, DOM) with a font that has the text's glyphs
  chromium-headless-shell fonts-dejavu-core
  # fixtures: boot a real kernel, pack an initramfs, convert dumps, build modules
  qemu-system-x86 busybox-static cpio kmod xz-utils zstd makedumpfile
  python3-snappy python3-zstandard
  bc flex bison libssl-dev dpkg-dev
  # fixtures of other Debian suites: their packages fetched through a private apt
  # configuration, sid's module built in a debootstrap chroot
  curl debian-archive-keyring debootstrap util-linux
  # reference tools (oracles for tests/diff) and benchmarks
  python3 python3-drgn crash gdb dwarves binutils elfutils hyperfine trace-cmd
  # a real debuginfod server, started by tests/integration/program/debuginfod_test.cpp on
  # 127.0.0.1 over the fixture debug files
  debuginfod
  # debug info of libc, so gdb and drgn name and unwind libc frames in user-space cores
  libc6-dbg
  # fuzzing: libFuzzer targets in tests/fuzz (configure with clang and KDIVE_FUZZ=ON)
  clang libclang-rt-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "setup-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
