#!/usr/bin/env bash
# kdive's main job on the default target: installs dependencies, builds Release, makes
# (or reuses) the default real kernel crash dump (Debian's cloud kernel booted in QEMU,
# crashed by our test module: scripts/fixtures/kernel/), opens it with its vmlinux and
# prints what a developer wants first. On a terminal it then opens the REPL.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build/release kdive >/dev/null
./scripts/fixtures/build-all.sh >/dev/null

FIXTURES=${KDIVE_FIXTURES:-$HOME/.cache/kdive/fixtures}
# The default target: the oops scenario in kdump-compressed form (what makedumpfile
# writes in a real kdump), read from the fixture manifest.
read -r DUMP VMLINUX < <(/usr/bin/python3 - "$FIXTURES/manifest.json" <<'PY'
import json, sys
dumps = json.load(open(sys.argv[1]))["dumps"]
d = next(d for d in dumps if d.get("scenario") == "oops" and d.get("format") == "kdump-zlib")
print(d["path"], d["vmlinux"])
PY
)
KDIVE=./build/release/kdive
echo "== kdive -c $DUMP -s $VMLINUX"
$KDIVE -c "$DUMP" -s "$VMLINUX" -x info
echo
echo "== crashed CPU and task (panic_cpu, then that CPU's runqueue)"
CPU=$($KDIVE -c "$DUMP" -s "$VMLINUX" -e 'panic_cpu.counter' | sed 's/^(int)//')
echo "panic_cpu = $CPU"
$KDIVE -c "$DUMP" -s "$VMLINUX" \
  -e "per_cpu(runqueues, $CPU).curr->comm" \
  -e "per_cpu(runqueues, $CPU).curr->pid"
echo
echo "== not implemented yet: the panic message (needs dmesg from the printk ring buffer)"
echo "   and the crashed thread's stack trace (needs the unwinder) — see the open issues."
if [ -t 0 ] && [ -t 1 ]; then
  echo
  echo "== REPL (try: init_task.comm, per_cpu(runqueues, $CPU).curr->pid, ptype struct task_struct, help)"
  exec $KDIVE -c "$DUMP" -s "$VMLINUX"
fi
