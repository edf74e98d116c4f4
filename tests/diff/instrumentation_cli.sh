#!/bin/bash
# `kprobes`, `entries` and `patched` through the kdive CLI on each kernel's complete
# dumps (elf-paging: sysrq, and oops with KASLR) and a makedumpfile -d 31 one, against
# truth.json (kprobe[], kretprobe[], ftrace.filter[]): the probes print at their
# addresses with their handlers, --json lines parse, the int3 probe and the filtered
# functions' ftrace calls show in `patched`, nothing in the kernel's text is
# unexplained, `entries --opcode` filters; bad options are usage errors (exit 2).
set -uo pipefail
. "$(dirname "$0")/../fixture_lib.sh"
per_kernel "$0" "$@"  # once per kernel of the fixture matrix
. "$(dirname "$0")/lib.sh"

mapfile -t DUMPS < <(kernel_dumps name path vmlinux truth modules format | grep -P '\t(elf-paging|kdump-d31)$')
[ ${#DUMPS[@]} -gt 0 ] || { echo "no kernel dumps"; exit 1; }

fail=0
check() {  # name, expected, actual
  if [ "$2" != "$3" ]; then
    echo "FAIL $cur: $1: expected [$2], got [$3]"
    fail=$((fail + 1))
  fi
}

for line in "${DUMPS[@]}"; do
  IFS=$'\t' read -r cur dump vmlinux truth modules format <<<"$line"
  k=("$KDIVE" -q -c "$dump" -s "$vmlinux")
  for m in $modules; do k+=(-s "$m"); done

  # kprobes: every truth probe at its address, with its handler(s), in text and JSON.
  out=$("${k[@]}" -x kprobes 2>"$TMP/err")
  check "kprobes exit status" 0 "$?"
  check "kprobes stderr" "" "$(cat "$TMP/err")"
  "${k[@]}" -x 'kprobes --json' >"$TMP/kprobes.json" 2>&1
  missing=$($PY - "$truth" "$TMP/kprobes.json" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1]))
probes = []
def walk(j):
    probes.append(j)
    for c in j.get("children", []):
        walk(c)
for l in open(sys.argv[2]):
    walk(json.loads(l))
for want in truth.get("kprobe", []):
    got = [p for p in probes if int(p["addr"], 16) == int(want["addr"], 16) and p["type"] == "kprobe"]
    if not got or got[0]["pre_handler"] != want["pre_handler"] or got[0]["ftrace"] != want["ftrace"] or \
       ("opcode" in want and int(got[0]["opcode"], 16) != int(want["opcode"], 16)):
        print("kprobe", want["addr"], got)
for want in truth.get("kretprobe", []):
    got = [p for p in probes if int(p["addr"], 16) == int(want["addr"], 16) and p["type"] == "kretprobe"]
    if not got or got[0]["kretprobe"]["handler"] != want["handler"] or got[0]["kretprobe"]["maxactive"] != want["maxactive"]:
        print("kretprobe", want["addr"], got)
PY
)
  check "kprobes --json against truth" "" "$missing"

  # patched: nothing unexplained; the int3 kprobe and the filtered functions' calls.
  summary=$("${k[@]}" -x 'patched --summary --json' 2>&1 | tail -1)
  check "patched: unexplained" "0" "$($PY -c 'import json,sys; print(json.loads(sys.argv[1])["by_reason"].get("unexplained", 0))' "$summary")"
  if grep -q '"kprobe"' "$truth"; then
    int3=$("${k[@]}" -x 'patched --reason kprobe kdive_probed_fn' 2>&1 | grep -c 'memory: cc .*int3')
    check "patched: kdive_probed_fn int3" 1 "$int3"
    calls=$("${k[@]}" -x 'patched --reason ftrace kdive_traced_*' 2>&1 | grep -c 'memory: e8 .*call')
    check "patched: kdive_traced_* ftrace calls" 2 "$calls"
  fi

  # entries: JSON per function; --opcode keeps what it names.
  n=$("${k[@]}" -x 'entries --json kernel_clone' 2>&1 | $PY -c '
import json, sys
js = [json.loads(l) for l in sys.stdin]
print(len(js), js[0]["disk"]["length"] > 0, "ftrace" in js[0])')
  check "entries --json kernel_clone" "1 True True" "$n"
  ops=$("${k[@]}" -x 'entries --json --opcode e8 kdive_*' 2>&1 | $PY -c '
import json, sys
print(all(json.loads(l)["disk"]["opcode"].startswith("e8") or json.loads(l)["memory"]["opcode"].startswith("e8") for l in sys.stdin))')
  check "entries --opcode e8" "True" "$ops"

  # Usage errors.
  "${k[@]}" -x 'patched --bogus' >/dev/null 2>&1
  check "patched --bogus exit status" 2 "$?"
  "${k[@]}" -x 'entries --opcode xyz' >/dev/null 2>&1
  check "entries --opcode xyz exit status" 2 "$?"
done

[ "$fail" -eq 0 ] && echo "instrumentation_cli: OK (${#DUMPS[@]} dumps)"
exit $((fail > 0))
