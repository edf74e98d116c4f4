#!/bin/bash
# `trace` through the kdive CLI on every kernel fixture dump (every format: the ring
# buffer pages are kernel pages that makedumpfile -d 31 keeps), against the kernel's
# own view of its trace buffer that /init printed before the crash ("kdive init:
# ftrace: ..." in console.log): each trace_printk line of truth.json must print as
# trace-cmd report prints it —
#   "%16s-%-5d [%03d] %5d.%06d: bprint:               <call site>: <text>"
# with the comm, PID, CPU and time of the kernel's line. Also: --json records parse and
# carry the same lines; filters narrow (--cpu, --pid, --event); without debug files
# (--no-debug-info: kallsyms and BTF from the dump, Linux >= 6.0) the lines are the
# same; bad options are usage errors (exit 2) and an unknown instance an error naming
# the instances.
set -uo pipefail
. "$(dirname "$0")/../fixture_lib.sh"
per_kernel "$0" "$@"  # once per kernel of the fixture matrix
. "$(dirname "$0")/lib.sh"

mapfile -t DUMPS < <(kernel_dumps name path vmlinux console_log truth modules)
[ ${#DUMPS[@]} -gt 0 ] || { echo "no kernel dumps"; exit 1; }

fail=0
check() {  # name, expected, actual
  if [ "$2" != "$3" ]; then
    echo "FAIL $cur: $1: expected [$2], got [$3]"
    fail=$((fail + 1))
  fi
}

# The expected trace-cmd lines of the truth.json trace_printk texts, from the console.
expected_lines() {  # CONSOLE TRUTH
  $PY - "$1" "$2" <<'EOF'
import json, re, sys
console, truth = sys.argv[1], json.load(open(sys.argv[2]))
texts = list(truth.get("trace", [])) + [t["trace"] for t in truth.get("thread", []) if "trace" in t]
# /proc/kdive_trace's lines: one per CPU ("trace_cpu" also holds "count"), the work item's.
texts += [v["text"] for k, v in sorted(truth.get("trace_cpu", {}).items()) if isinstance(v, dict)]
texts += [truth["ftrace"]["work_text"]] if "work_text" in truth.get("ftrace", {}) else []
line_re = re.compile(r"^kdive init: ftrace: +(.+)-(\d+) +\[(\d+)\] +\S+ +(\d+)\.(\d{6}): (\S+): (.*)$")
seen = {}
for l in open(console, errors="replace"):
    m = line_re.match(l.rstrip("\r\n"))
    if m and m.group(7) in texts:
        comm, pid, cpu, s, us, site, text = m.groups()
        # trace_printk() of a constant is stored as a bputs record, with arguments as bprint.
        seen[text] = "\t".join("%16s-%-5d [%03d] %5d.%s: %s: %s%s: %s" % (comm, int(pid), int(cpu), int(s), us, ev,
                                                                       " " * (20 - len(ev)), site, text)
                               for ev in ("bprint", "bputs"))
for t in texts:
    print(seen.get(t, "MISSING ON CONSOLE: " + t))
EOF
}

for line in "${DUMPS[@]}"; do
  IFS=$'\t' read -r cur dump vmlinux console truth modules <<<"$line"
  k=("$KDIVE" -c "$dump" -s "$vmlinux")
  for m in $modules; do k+=(-s "$m"); done
  expected_lines "$console" "$truth" >"$TMP/expected"
  out=$("${k[@]}" -x "trace --instance top --event 'ftrace:bp*'" 2>"$TMP/err")
  check "trace exit status" 0 "$?"
  check "trace stderr" "" "$(cat "$TMP/err")"
  n=0
  while IFS=$'\t' read -r want want2; do
    n=$((n + 1))
    grep -qxF -- "$want" <<<"$out" || grep -qxF -- "$want2" <<<"$out" ||
      { echo "FAIL $cur: line not printed: [$want]"; fail=$((fail + 1)); }
  done <"$TMP/expected"
  [ "$n" -ge 5 ] || { echo "FAIL $cur: only $n truth lines"; fail=$((fail + 1)); }
  head -2 <<<"$out" | tr '\n' '|' | grep -Eq '^instance: top \(clock [a-z0-9-]+\)\|cpus=[0-9]+\|$' ||
    { echo "FAIL $cur: header: $(head -2 <<<"$out")"; fail=$((fail + 1)); }

  # --json: every record parses; the KDIVE_TRACE records are the text lines' records.
  json_count=$("${k[@]}" -x "trace --instance top --grep KDIVE_TRACE --json" 2>&1 | $PY -c '
import json, sys
n = 0
for l in sys.stdin:
    j = json.loads(l)
    if j.get("event") in ("bprint", "bputs") and "KDIVE_TRACE" in j["info"]:
        n += 1
print(n)')
  check "--json KDIVE_TRACE records" "$n" "$json_count"

  # --cpu N keeps CPU N only; --pid keeps the PID only.
  IFS=$'\t' read -r first first2 <"$TMP/expected"
  cpu=$(sed -E 's/^.*-[0-9]+ +\[0*([0-9]+)\].*$/\1/' <<<"$first")
  pid=$(sed -E 's/^.*-([0-9]+) +\[.*$/\1/' <<<"$first")
  others=$("${k[@]}" -x "trace --instance top --cpu $cpu --pid $pid" 2>&1 | grep -v '^instance:\|^cpus=\|^CPU ' |
    grep -cv -- "-$pid *\[0*$cpu\]")
  check "--cpu $cpu --pid $pid: other lines" 0 "$others"
  "${k[@]}" -x "trace --cpu $cpu --pid $pid --grep 'KDIVE_TRACE constant line'" >"$TMP/grep" 2>&1
  grep -qxF -- "$first" "$TMP/grep" || grep -qxF -- "$first2" "$TMP/grep" ||
    { echo "FAIL $cur: --grep with a quoted space lost [$first]"; fail=$((fail + 1)); }

  # From the dump alone (kallsyms and BTF, Linux >= 6.0): the same trace_printk lines.
  if "$KDIVE" -c "$dump" --no-debug-info -q -x "trace --instance top --event 'ftrace:bp*'" >"$TMP/nodi" 2>"$TMP/err"; then
    while IFS=$'\t' read -r want want2; do
      grep -qxF -- "$want" "$TMP/nodi" || grep -qxF -- "$want2" "$TMP/nodi" ||
        { echo "FAIL $cur: --no-debug-info: line not printed: [$want]"; fail=$((fail + 1)); }
    done <"$TMP/expected"
  elif ! grep -q "no kallsyms in VMCOREINFO" "$TMP/err"; then
    echo "FAIL $cur: --no-debug-info: $(head -1 "$TMP/err")"
    fail=$((fail + 1))
  fi

  # Usage errors and an unknown instance.
  "${k[@]}" -x "trace --cpu" >/dev/null 2>"$TMP/err"
  check "trace --cpu (no value) exit status" 2 "$?"
  "${k[@]}" -x "trace --instance no-such" >/dev/null 2>"$TMP/err"
  rc=$?
  [ "$rc" -ne 0 ] && grep -q "no instance 'no-such' (instances: top" "$TMP/err" ||
    { echo "FAIL $cur: unknown instance: rc $rc: $(cat "$TMP/err")"; fail=$((fail + 1)); }
done
echo "trace_cli: ${#DUMPS[@]} dumps, $fail failures"
[ "$fail" -eq 0 ]
