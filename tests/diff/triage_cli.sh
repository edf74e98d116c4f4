#!/bin/bash
# `triage` end to end through the kdive binary on the fixture kernel's dumps:
#   --json: the crashed task and CPU, the panic message and the signature key's shape
#     against truth.json, the title the same as `oops --json` gives for the dump's log;
#     and the module's mutex and rw_semaphore waiters with their lock and owner;
#   text: the signature, crashed-thread and mutex-waiter lines carry the same values;
#   the same crash in a kdump-compressed file of the same boot: the same key; the
#     sysrq crash: another key.
set -euo pipefail
. "$(dirname "$0")/../fixture_lib.sh"
per_kernel "$0" "$@"  # once per kernel of the fixture matrix
. "$(dirname "$0")/lib.sh"
kernel_files
fail=0
check() {  # NAME CONDITION-OUTPUT-OF-PYTHON
  if [ "$2" = ok ]; then echo "ok   $1"; else echo "FAIL $1: $2"; fail=1; fi
}
dump() {  # SCENARIO FORMAT: the dump's path
  $PY -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(next(d["path"] for d in m["dumps"] if d["kind"] == "kernel" and d["scenario"] == sys.argv[2] and d["format"] == sys.argv[3]))
' "$MANIFEST" "$1" "$2"
}
K=(-s "$VMLINUX" ${MODULE:+-s "$MODULE"} -q)

"$KDIVE" -c "$(dump oops elf-paging)" "${K[@]}" triage --json >"$TMP/oops.json"
"$KDIVE" -c "$(dump oops elf-paging)" "${K[@]}" oops --json >"$TMP/oops-reports.json"
check "triage --json against truth and oops --json" "$($PY - "$KERNEL_DIR/oops/truth.json" "$TMP/oops.json" "$TMP/oops-reports.json" <<'PYEOF'
import json, re, sys
truth = json.load(open(sys.argv[1]))
r = json.load(open(sys.argv[2]))
reports = json.load(open(sys.argv[3]))
errs = []
c = r["crashed_thread"]
if c["pid"] != truth["crash"]["pid"] or c["comm"] != truth["crash"]["comm"]: errs.append(f"crashed {c['pid']} {c['comm']}")
if r["kernel"]["panic_message"] != truth["panic_message"]: errs.append("panic " + str(r["kernel"]["panic_message"]))
if not re.fullmatch(r"kdive1-[0-9a-f]{16}", r["signature"]["key"]): errs.append("key " + r["signature"]["key"])
titles = [x["title"] for x in reports]
if r["crash"]["title"] not in titles: errs.append(f"title {r['crash']['title']!r} not in {titles}")
if r["signature"]["frames"][0] != truth["crash"]["functions"].split(",")[0]: errs.append(f"frames {r['signature']['frames']}")
if r["problems"]: errs.append(f"problems {r['problems']}")
# The module's lock waiters: their lock and its owner, in the JSON.
waits = {t["pid"]: t.get("waits_for") for g in r["blocked"]["groups"] for t in g["tasks"]}
for which, kind in (("mutex", "mutex"), ("rwsem", "rw_semaphore")):
    want = truth["lock"][which]
    w = waits.get(want["waiter"]["pid"])
    got = w and (w["kind"], w["lock"], w["symbol"], w["owner"], w["owner_pid"], w["owner_state"])
    if got != (kind, want["addr"], "kdive_" + which, truth["lock"]["owner"]["task"], truth["lock"]["owner"]["pid"], "S"):
        errs.append(f"{which} waiter: {w}")
print("; ".join(errs) or "ok")
PYEOF
)"

"$KDIVE" -c "$(dump oops elf-paging)" "${K[@]}" triage >"$TMP/oops.txt"
key=$(json_fields "$TMP/oops.json" signature.key)
pid=$(json_fields "$TMP/oops.json" crashed_thread.pid)
mutex=$(json_fields "$KERNEL_DIR/oops/truth.json" lock.mutex.addr)
owner=$(json_fields "$KERNEL_DIR/oops/truth.json" lock.owner.pid)
if grep -q "^ SIGNATURE: $key\$" "$TMP/oops.txt" && grep -q "^CRASHED THREAD: PID $pid " "$TMP/oops.txt" &&
  grep -q "waits for mutex kdive_mutex ($mutex), owner $owner \"kdive_lock_own\" (S)\$" "$TMP/oops.txt"; then
  check "triage text" ok
else
  check "triage text" "no 'SIGNATURE: $key', 'CRASHED THREAD: PID $pid' or mutex waiter line"; head -30 "$TMP/oops.txt"
fi

"$KDIVE" -c "$(dump oops kdump-zstd)" "${K[@]}" triage --json --no-slab >"$TMP/zstd.json"
"$KDIVE" -c "$(dump sysrq elf-paging)" "${K[@]}" triage --json --no-slab >"$TMP/sysrq.json"
zstd_key=$(json_fields "$TMP/zstd.json" signature.key)
sysrq_key=$(json_fields "$TMP/sysrq.json" signature.key)
[ "$zstd_key" = "$key" ] && check "same crash, kdump-zstd: same key" ok || check "same crash, kdump-zstd: same key" "$zstd_key != $key"
[ "$sysrq_key" != "$key" ] && check "sysrq crash: another key" ok || check "sysrq crash: another key" "$sysrq_key"
exit $fail
