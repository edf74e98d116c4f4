#!/usr/bin/env bash
# kdive's main job on the default target: installs dependencies, builds Release, makes
# (or reuses) the default real kernel crash dump (Debian's cloud kernel booted in QEMU,
# crashed by our test module: scripts/fixtures/kernel/), opens it with its vmlinux and
# modules and prints what a developer wants first: the dump, the panic, the last kernel
# messages, the crashed thread's stack trace and the explained fault. On a terminal it
# then opens the REPL.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build/release kdive >/dev/null
./scripts/fixtures/build-all.sh --kernel 6.1 >/dev/null

FIXTURES=${KDIVE_FIXTURES:-$HOME/.cache/kdive/fixtures}
# The default target: the oops scenario in kdump-compressed form (what makedumpfile
# writes in a real kdump), read from the fixture manifest.
read -r DUMP VMLINUX MODULES < <(/usr/bin/python3 - "$FIXTURES/manifest.json" <<'PY'
import json, sys
dumps = json.load(open(sys.argv[1]))["dumps"]
d = next(d for d in dumps if d.get("kernel_name") == "6.1" and d.get("scenario") == "oops" and d.get("format") == "kdump-zlib")
print(d["path"], d["vmlinux"], " ".join(d.get("modules", [])))
PY
)
SYMS=(-s "$VMLINUX")
for m in $MODULES; do SYMS+=(-s "$m"); done
KDIVE=./build/release/kdive
echo "== kdive -c $DUMP ${SYMS[*]}"
$KDIVE -c "$DUMP" "${SYMS[@]}" -x info
echo
echo "== the system and the panic (sys)"
$KDIVE -c "$DUMP" "${SYMS[@]}" -x sys
echo
echo "== the last kernel messages (dmesg | tail -25)"
$KDIVE -c "$DUMP" "${SYMS[@]}" -x dmesg | tail -25
echo
echo "== the crashed thread's stack trace (bt)"
$KDIVE -c "$DUMP" "${SYMS[@]}" -x bt

echo "== what happened (oops: the dump's own crash report, titled and explained)"
$KDIVE -c "$DUMP" "${SYMS[@]}" oops | grep -E '^(BUG|KASAN|WARNING|general protection|Explanation)' || true
echo
echo "== all of it in one report, with the crash signature that deduplicates dumps (triage)"
$KDIVE -q -c "$DUMP" "${SYMS[@]}" triage
if [ -t 0 ] && [ -t 1 ]; then
  echo
  echo "== REPL (try: bt, ps, dmesg, init_task.comm, \$bt[8], identify \$bt[8].a, layout task_struct, help)"
  exec $KDIVE -c "$DUMP" "${SYMS[@]}"
fi
