#!/bin/bash
# ctest-label: reference  (runs a reference tool; the sanitizer pass of scripts/test.sh skips it)
# Differential test of kdive's Linux helpers against drgn 0.0.22 (Debian's
# python3-drgn) on every kernel fixture dump drgn can open (ELF with -p, kdump files,
# real kdump captures): the task list
# (for_each_task: PID, comm, address) and state letters (task_state_to_char), the
# test module's xarray (xa_for_each) and rbtree (rbtree_inorder_for_each_entry),
# find_task(pid)->comm, and dmesg (get_dmesg) — through the kdive CLI. drgn's get_dmesg
# prefixes only the first line of a multi-line record while the console (and kdive)
# prefix every line, so dmesg is compared on single-line records' lines only.
# Where drgn 0.0.22 reads the dump and vmlinux but cannot find the loaded modules
# (drgn_mode "vmlinux": on 6.4+ struct module has no core_size), it knows none of the
# test module's symbols: tasks, states, find_task and dmesg are still compared with
# drgn, the xarray and rbtree against truth.json's objects (live ones, in id order).
set -euo pipefail
. "$(dirname "$0")/../fixture_lib.sh"
per_kernel "$0" "$@"  # once per kernel of the fixture matrix
. "$(dirname "$0")/lib.sh"

mapfile -t DUMPS < <(kernel_dumps --drgn-vmlinux name path truth drgn_mode drgn_error dump_level vmlinux modules)
[ ${#DUMPS[@]} -gt 0 ] || { echo "no kernel dump drgn can open"; exit 1; }

fail=0
for line in "${DUMPS[@]}"; do
  IFS=$'\t' read -r name dump truth mode drgn_error level vmlinux rest <<<"$line"
  IFS=$'\t' read -r -a modules <<<"$rest"
  sargs=(-s "$vmlinux")
  for m in "${modules[@]}"; do sargs+=(-s "$m"); done
  if [ "$mode" = vmlinux ]; then
    echo "$name: drgn 0.0.22 cannot load the modules (${drgn_error}): xarray and rbtree compared with truth.json"
    drgn_files=("$vmlinux")
  else
    drgn_files=("$vmlinux" "${modules[@]}")
  fi

  # drgn's answers (the module's structures from truth.json where drgn lacks the module).
  if ! $PY - "$dump" "$mode" "$truth" "${drgn_files[@]}" >"$TMP/drgn.txt" 2>"$TMP/drgn.err" <<'PYEOF'
import json, sys
import drgn
from drgn import cast
from drgn.helpers.linux.pid import for_each_task, find_task
from drgn.helpers.linux.sched import task_state_to_char
from drgn.helpers.linux.xarray import xa_for_each
from drgn.helpers.linux.rbtree import rbtree_inorder_for_each_entry
prog = drgn.Program()
prog.set_core_dump(sys.argv[1])
mode, truth = sys.argv[2], json.load(open(sys.argv[3]))
if mode == "vmlinux":
    try:
        prog.load_debug_info(sys.argv[4:])
    except drgn.MissingDebugInfoError:
        pass  # the loaded modules it cannot find
else:
    prog.load_debug_info(sys.argv[4:])
for t in sorted(for_each_task(prog), key=lambda t: t.pid.value_()):
    print(f"task {t.pid.value_()} {task_state_to_char(t)} {hex(t.value_())} {t.comm.string_().decode()}")
if mode == "vmlinux":
    live = sorted((o for o in truth["obj"] if not o["freed"]), key=lambda o: o["xa_index"])
    for o in live:
        print(f"xa [{o['xa_index']}] {o['addr']}")
    for o in live:
        print(f"rb (struct kdive_obj *){o['addr']}")
else:
    for i, e in xa_for_each(prog["kdive_obj_xa"].address_of_()):
        print(f"xa [{i}] {hex(e.value_())}")
    for o in rbtree_inorder_for_each_entry("struct kdive_obj", prog["kdive_obj_tree"].address_of_(), "rb"):
        print(f"rb (struct kdive_obj *){hex(o.value_())}")
print("comm", find_task(prog, 1).comm)
PYEOF
  then
    if [ "$level" = 31 ] && grep -q 'Excluded page' "$TMP/drgn.err"; then
      # A correct -d 31 keeps every slab page; this makedumpfile (Debian 12's 1.7.2) took
      # in-use slab pages of this kernel (the PID IDR's nodes) for free or cache pages.
      echo "skip $name: makedumpfile -d 31 dropped in-use pages of this kernel (drgn 0.0.22: $(tail -1 "$TMP/drgn.err"))"
      continue
    fi
    cat "$TMP/drgn.err"; echo "FAIL $name: drgn failed"; fail=1; continue
  fi

  # kdive's.
  {
    "$KDIVE" -c "$dump" "${sargs[@]}" --json -x ps | $PY -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
for r in sorted((r for r in rows if r["pid"] != 0), key=lambda r: r["pid"]):
    print("task %d %s %s %s" % (r["pid"], r["state"], r["task"], r["comm"]))'
    "$KDIVE" -c "$dump" "${sargs[@]}" -x 'tree &kdive_obj_xa' | sed 's/^/xa /'
    "$KDIVE" -c "$dump" "${sargs[@]}" -x 'tree &kdive_obj_tree, struct kdive_obj, rb' | sed 's/^/rb /'
    echo "comm $("$KDIVE" -c "$dump" "${sargs[@]}" -e 'find_task(1)->comm')"
  } >"$TMP/kdive.txt"

  if diff -u "$TMP/drgn.txt" "$TMP/kdive.txt"; then
    echo "ok   $name: tasks ($(grep -c '^task' "$TMP/kdive.txt")), states, xarray ($(grep -c '^xa' "$TMP/kdive.txt")), rbtree ($(grep -c '^rb' "$TMP/kdive.txt")), find_task"
  else
    echo "FAIL $name"; fail=1
  fi

  # dmesg: drgn's lines for single-line records equal kdive's.
  $PY - "$dump" "$vmlinux" >"$TMP/drgn_dmesg.txt" <<'PYEOF'
import sys
import drgn
from drgn.helpers.linux.printk import get_printk_records
prog = drgn.Program()
prog.set_core_dump(sys.argv[1])
prog.load_debug_info([sys.argv[2]])
for r in get_printk_records(prog):
    if b"\n" not in r.text:
        sys.stdout.buffer.write(b"[% 5d.%06d] %s\n" % (r.timestamp // 10**9, r.timestamp % 10**9 // 1000, r.text))
PYEOF
  "$KDIVE" -c "$dump" "${sargs[@]}" --json -x dmesg | $PY -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if "\n" not in r["text"]:
        print("[%5d.%06d] %s" % (r["ts_nsec"] // 10**9, r["ts_nsec"] % 10**9 // 1000, r["text"]))' >"$TMP/kdive_dmesg.txt"
  if cmp -s "$TMP/drgn_dmesg.txt" "$TMP/kdive_dmesg.txt"; then
    echo "ok   $name: dmesg ($(wc -l <"$TMP/kdive_dmesg.txt") records identical)"
  else
    diff "$TMP/drgn_dmesg.txt" "$TMP/kdive_dmesg.txt" | head -20
    echo "FAIL $name: dmesg"; fail=1
  fi
done
exit $fail
