#!/bin/bash
# The memory commands and built-ins through the kdive CLI on every kernel fixture dump
# (every format, including those drgn cannot open), against truth.json:
#   identify   the module's objects (allocated / free), the seed-001 waiter entry on its
#              stack (live), a dead address below the waiter's saved stack pointer;
#   slab       the module's cache counts (--json), -i on the freed object;
#   page       the page of a live object is a PG_slab page of that cache;
#   built-ins  identify_address(), slab_object_info().allocated, find_slab_cache(),
#              page_to_virt(virt_to_page(x));
#   errors     an unknown cache and an unmapped address fail with a message, exit 1.
set -euo pipefail
. "$(dirname "$0")/../fixture_lib.sh"
per_kernel "$0" "$@"  # once per kernel of the fixture matrix
. "$(dirname "$0")/lib.sh"

mapfile -t DUMPS < <(kernel_dumps name path truth dump_level vmlinux modules)
[ ${#DUMPS[@]} -gt 0 ] || { echo "no kernel dumps in the manifest"; exit 1; }

fail=0
for line in "${DUMPS[@]}"; do
  IFS=$'\t' read -r name dump truth level vmlinux rest <<<"$line"
  IFS=$'\t' read -r -a modules <<<"$rest"
  args=(-c "$dump" -s "$vmlinux")
  for m in "${modules[@]}"; do args+=(-s "$m"); done
  read -r live freed entry waiter_task cache <<<"$(json_fields "$truth" slab.live_ptr slab.freed_ptr waiter.entry_addr \
                                                     waiter.task slab.cache_name)"
  if ! sp=$("$KDIVE" "${args[@]}" -e "(unsigned long)((struct task_struct *)$waiter_task)->thread.sp" 2>"$TMP/err" | sed 's/.*)//') ||
     [ -z "$sp" ]; then
    if [ "$level" = 31 ] && grep -q 'page filtered out by makedumpfile' "$TMP/err"; then
      # A correct -d 31 keeps every slab page; this makedumpfile (Debian 12's 1.7.2) took
      # in-use slab pages of this kernel (here the live waiter's task_struct) for free ones.
      echo "$name: skipped: makedumpfile -d 31 dropped the in-use page of the waiter's task_struct ($(sed 's/^kdive: //' "$TMP/err"))"
      continue
    fi
    echo "$name: kdive failed: $(cat "$TMP/err")"; fail=1; continue
  fi
  dead=$(printf '0x%x' $((sp - 0x40)))
  {
    "$KDIVE" "${args[@]}" --json -x "identify $live, $freed + 8, $entry, $dead"
    "$KDIVE" "${args[@]}" --json -x "slab $cache" -x "slab -i $freed" -x "page $live"
    "$KDIVE" "${args[@]}" -e "identify_address($live)" -e "slab_object_info($freed).allocated" \
      -e "find_slab_cache(\"$cache\") == slab_object_info($live).slab_cache" \
      -e "page_to_virt(virt_to_page($live)) == (void *)($live & ~0xfffUL)"
  } >"$TMP/out.txt" 2>"$TMP/err.txt" || { echo "$name: kdive failed: $(cat "$TMP/err.txt")"; fail=1; continue; }
  if "$KDIVE" "${args[@]}" -x "slab no-such-cache" >/dev/null 2>"$TMP/e1.txt"; then
    echo "$name: slab no-such-cache succeeded"; fail=1
  fi
  if "$KDIVE" "${args[@]}" -x "page --virt 0x10" >/dev/null 2>"$TMP/e2.txt"; then
    echo "$name: page --virt 0x10 succeeded"; fail=1
  fi
  if ! $PY - "$name" "$truth" "$TMP" "$sp" <<'PYEOF'; then
import json, sys
name, truth, tmp, sp = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3], int(sys.argv[4], 0)
lines = open(f"{tmp}/out.txt").read().splitlines()
s, w = truth["slab"], truth["waiter"]
cache = s["cache_name"]
entry, stack = int(w["entry_addr"], 16), int(w["stack"], 16)
ids = [json.loads(l)["identity"] for l in lines[:4]]
want = [f"slab object: {cache}+0x0", f"free slab object: {cache}+0x8",
        f"vmap stack: {w['pid']} ({w['comm']}) +{w['stack_offset']} (live: {entry - sp:#x} bytes above the saved stack pointer)",
        f"vmap stack: {w['pid']} ({w['comm']}) +{sp - 0x40 - stack:#x} (dead: 0x40 bytes below the saved stack pointer)"]
bad = [f"identify: want {a!r}, got {b!r}" for a, b in zip(want, ids) if a != b]
summary = json.loads(lines[4])
if (summary["name"], summary["allocated"], summary["object_size"]) != (cache, s["live_count"], s["object_size"]):
    bad.append(f"slab summary {summary}")
info = json.loads(lines[5])
if (info["object"], info["allocated"], info["cache"]) != (s["freed_ptr"], False, s["cache"]):
    bad.append(f"slab -i {info}")
page = json.loads(lines[6])
# A slab page: PG_slab, whose page->mapping aliases slab->slab_cache (to 6.9), or the
# page type "slab" (6.10+: struct slab no longer overlays mapping; the object's cache
# is checked by slab -i and the built-ins).
if not (("PG_slab" in page["flag_names"] and page["mapping"] == s["cache"]) or page.get("type") == "slab"):
    bad.append(f"page {page}")
if lines[7:] != [f"'slab object: {cache}+0x0'", "(_Bool)0", "(int)1", "(int)1"]:
    bad.append(f"built-ins {lines[7:]}")
err1, err2 = open(f"{tmp}/e1.txt").read(), open(f"{tmp}/e2.txt").read()
if "no slab cache named 'no-such-cache'" not in err1:
    bad.append(f"unknown cache error: {err1!r}")
if "FaultError" not in err2 or "0x10" not in err2:
    bad.append(f"unmapped address error: {err2!r}")
for b in bad:
    print(f"{name}: {b}")
print(f"{name}: {'ok' if not bad else f'{len(bad)} differences'}")
sys.exit(1 if bad else 0)
PYEOF
    fail=1
  fi
done
exit $fail
