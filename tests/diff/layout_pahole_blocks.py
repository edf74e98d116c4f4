#!/usr/bin/python3
"""Splits pahole's output into one block per struct/union for
tests/diff/layout_pahole_diff.sh and bench/layout_bench.sh. A block starts with a line
`struct NAME {` or `union NAME {` at column 0 and ends with the next line starting with
`}`; a name printed twice (pahole prints each distinct definition of a name) keeps its
first block, the one from the first CU, which is what `pahole -C NAME` shows.

  layout_pahole_blocks.py names DUMP            "struct NAME"/"union NAME", dump order
  layout_pahole_blocks.py pick DUMP             100 of them for the benchmark: task_struct,
                                                page, inode, sk_buff, request_queue,
                                                gendisk, the 60 longest, every 60th
  layout_pahole_blocks.py diff DUMP KDIVE_OUT   names whose blocks differ (stdout) and a
                                                count line (stderr)
"""
import re
import sys

HEADER = re.compile(r"^(struct|union) (\S+) \{$")
REQUIRED = ["task_struct", "page", "inode", "sk_buff", "request_queue", "gendisk"]


def blocks(path):
    out = {}
    current = None
    name = None
    with open(path, errors="replace") as f:
        for line in f:
            if current is None:
                m = HEADER.match(line)
                if m:
                    current = [line]
                    name = m.group(1) + " " + m.group(2)
                continue
            current.append(line)
            if line.startswith("}"):
                out.setdefault(name, "".join(current))
                current = None
    return out


def main():
    mode, dump = sys.argv[1], sys.argv[2]
    ref = blocks(dump)
    if mode == "names":
        for name in ref:
            print(name)
    elif mode == "pick":
        names = list(ref)
        required = ["struct " + n for n in REQUIRED]
        longest = sorted(names, key=lambda n: -ref[n].count("\n"))[:60]
        seen = set()
        picked = [n for n in required + longest + names[::60] if not (n in seen or seen.add(n))]
        for name in picked[:100]:
            print(name)
    elif mode == "diff":
        got = blocks(sys.argv[3])
        bad = [n for n in ref if got.get(n) != ref[n]]
        for name in bad:
            print(name)
        print(f"{len(ref) - len(bad)} of {len(ref)} identical", file=sys.stderr)
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
