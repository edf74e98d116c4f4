#!/bin/bash
# The oops commands end to end through the kdive binary, on the fixture kernel's
# captured console log (the test module's NULL dereference) and on text made here:
#   oops --json: one report, its explanation names the NULL expression and the member
#     at the truth's offset, the first reliable frames are the truth's callers, every
#     frame symbolized, options after the command word;
#   oops on text without a report: "[]"; decodecode on a Code: line from stdin;
#   dis -l: the function's source lines interleaved; addr2line on a module frame.
set -euo pipefail
. "$(dirname "$0")/../fixture_lib.sh"
per_kernel "$0" "$@"  # once per kernel of the fixture matrix
. "$(dirname "$0")/lib.sh"
kernel_files
CONSOLE=$KERNEL_DIR/oops/console.log
TRUTH=$KERNEL_DIR/oops/truth.json
fail=0
check() {  # NAME CONDITION-OUTPUT-OF-PYTHON
  if [ "$2" = ok ]; then echo "ok   $1"; else echo "FAIL $1: $2"; fail=1; fi
}

"$KDIVE" oops "$CONSOLE" --json -s "$VMLINUX" --modules "$(dirname "$MODULE")" >"$TMP/oops.json"
check "oops --json on the fixture console" "$($PY - "$TRUTH" "$TMP/oops.json" <<'PYEOF'
import json, sys
truth = json.load(open(sys.argv[1]))["crash"]
r = json.load(open(sys.argv[2]))
off = int(truth["member_offset"], 16)
funcs = truth["functions"].split(",")
want = f"NULL pointer dereference: `a->b` is NULL; the read of `struct kdive_inner.c` at offset {off:#x} ({off}) faulted"
errs = []
if len(r) != 1: errs.append(f"{len(r)} reports")
else:
    r = r[0]
    if r["explanation"]["sentence"] != want: errs.append("sentence " + r["explanation"]["sentence"])
    # The reliable frames: 5.10 prints the exception path first as "? " entries
    # (__die_body, no_context, exc_page_fault, asm_exc_page_fault, the faulting function).
    got = [f["symbolized"]["frames"][-1]["function"] for f in r["frames"] if f["reliable"]][:3]
    if got != funcs[1:]: errs.append(f"frames {got}")
    if not all(f["symbolized"]["resolved"] for f in r["frames"]): errs.append("unresolved frame")
    if r["rip_symbolized"]["frames"][-1]["function"] != funcs[0]: errs.append("rip")
print("; ".join(errs) or "ok")
PYEOF
)"

out=$(printf 'just some\nboot noise\n' | "$KDIVE" oops - --json)
check "oops --json without a report" "$([ "$out" = "[]" ] && echo ok || echo "got $out")"

out=$(echo "[ 1.0] Code: 48 8b 47 08 <8b> 80 a8 01 00 00" | "$KDIVE" decodecode)
want=$(printf 'Code: 48 8b 47 08 <8b> 80 a8 01 00 00\nAll code\n========\n   0:\t48 8b 47 08          \tmov    0x8(%%rdi),%%rax\n   4:*\t8b 80 a8 01 00 00    \tmov    0x1a8(%%rax),%%eax\t\t<-- trapping instruction\n\nCode starting with the faulting instruction\n===========================================\n   0:\t8b 80 a8 01 00 00    \tmov    0x1a8(%%rax),%%eax')
check "decodecode from stdin" "$([ "$out" = "$want" ] && echo ok || echo "got: $out")"

fn=$(cut -d, -f1 <<<"$(json_fields "$TRUTH" crash.functions)")
out=$("$KDIVE" -s "$VMLINUX" -s "$MODULE" dis -l "$fn" kdive_fixture)
check "dis -l $fn" "$(grep -q "^$fn():" <<<"$out" && grep -q 'kdive_fixture.c:[0-9]' <<<"$out" && echo ok || echo "got: $out")"

line=$(awk -v f="$fn" '$0 ~ "RIP: 0010:" f "\\+" {sub(/.*RIP: 0010:/, ""); print; exit}' "$CONSOLE")
out=$("$KDIVE" -s "$VMLINUX" -s "$MODULE" addr2line --gnu $line)
check "addr2line --gnu $line" "$([ "$(head -1 <<<"$out")" = "$fn" ] && echo ok || echo "got: $out")"
exit $fail
