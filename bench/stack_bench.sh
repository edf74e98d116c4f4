#!/usr/bin/env bash
# Stack traces of every task with every frame's variables, kdive vs drgn, on the same
# kernel dump in one run: median wall time of each over N runs and the ratio; and kdive's
# `bt --all` (no variables) vs crash's `foreach bt` (crash has no variables), each with
# the number of frames it printed (crash 8.0.2 lists fewer tasks on 6.1 kernels).
#   bench/stack_bench.sh [KDIVE_BINARY] [RUNS]
# Uses $KDIVE_FIXTURES/manifest.json's kernel-6.1-oops-elf-paging dump (drgn opens it).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
kdive=${1:-$here/build/release/kdive}
runs=${2:-3}
fixtures=${KDIVE_FIXTURES:-$HOME/.cache/kdive/fixtures}
read -r core vmlinux ko < <(/usr/bin/python3 - "$fixtures/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
d = next(d for d in m["dumps"] if d["name"] == "kernel-6.1-oops-elf-paging")
print(d["path"], d["vmlinux"], d["modules"][0])
PY
)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/all_stacks.py" <<'PY'
# Every task's stack trace and every frame's variables, formatted (drgn's str()).
from drgn.helpers.linux.pid import for_each_task
n_frames = n_vars = 0
for task in for_each_task(prog):
    try:
        trace = prog.stack_trace(task)
    except Exception:
        continue
    str(trace)
    for frame in trace:
        n_frames += 1
        for name in frame.locals():
            n_vars += 1
            try:
                str(frame[name])
            except Exception:
                pass
print(n_frames, "frames", n_vars, "variables")
PY
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_it() {  # command... -> seconds
  local s e
  s=$(date +%s.%N); "$@" > "$tmp/out" 2>&1 || true; e=$(date +%s.%N)
  echo "$e - $s" | bc
}
printf 'mod -s kdive_fixture %s\nforeach bt\nq\n' "$ko" > "$tmp/foreach.crash"
kd=(); dr=(); kb=(); cr=()
for ((i = 0; i < runs; i++)); do
  kd+=("$(time_it "$kdive" -c "$core" -s "$vmlinux" -s "$ko" -x "bt --all -v")")
  cp "$tmp/out" "$tmp/kdive.out"
  dr+=("$(time_it /usr/bin/drgn -q -c "$core" -s "$vmlinux" -s "$ko" "$tmp/all_stacks.py")")
  cp "$tmp/out" "$tmp/drgn.out"
  kb+=("$(time_it "$kdive" -c "$core" -s "$vmlinux" -s "$ko" -x "bt --all")")
  cp "$tmp/out" "$tmp/kdive-bt.out"
  cr+=("$(time_it timeout 600 crash -s "$vmlinux" "$core" -i "$tmp/foreach.crash")")
  cp "$tmp/out" "$tmp/crash.out"
done
k=$(printf '%s\n' "${kd[@]}" | median)
d=$(printf '%s\n' "${dr[@]}" | median)
echo "kdive bt --all -v: $(grep -c '^#' "$tmp/kdive.out") frame lines, median ${k}s"
echo "drgn  all stacks + locals: $(tail -1 "$tmp/drgn.out"), median ${d}s"
echo "ratio kdive/drgn: $(echo "scale=3; $k / $d" | bc)"
kb_m=$(printf '%s\n' "${kb[@]}" | median)
cr_m=$(printf '%s\n' "${cr[@]}" | median)
echo "kdive bt --all: $(grep -c '^#' "$tmp/kdive-bt.out") frames, median ${kb_m}s"
echo "crash foreach bt: $(grep -c '^ *#[0-9]' "$tmp/crash.out") frames, median ${cr_m}s"
echo "ratio kdive/crash: $(echo "scale=3; $kb_m / $cr_m" | bc)"
