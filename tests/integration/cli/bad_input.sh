#!/bin/bash
# Bad input through the kdive CLI: missing, truncated and corrupted dumps and vmlinux
# files (made here from the fixtures with head/dd), a build-ID mismatch, unknown names and
# types, syntax and type errors, unmapped and filtered-out addresses, usage errors. Each
# case asserts the exact stderr line (a '*' in the expected text matches any run of
# characters, used only for dump-specific numbers) and the exit code (1 for errors, 2 for
# usage errors); no case may crash (exit >= 128) or print a sanitizer report, so run it
# with the ASan+UBSan build too: KDIVE_BINARY=build/asan/kdive bash bad_input.sh.
# Cases in KNOWN_BUGS (see tests/diff/KNOWN_DIFFERENCES.md) run only with KDIVE_DIFF_ALL=1.
set -uo pipefail
. "$(dirname "$0")/../../fixture_lib.sh"
per_kernel "$0" "$@"  # once per kernel of the fixture matrix
. "$(dirname "$0")/../../diff/lib.sh"  # run from tests/diff as cli_bad_input.sh
# A sanitizer report must not be mistaken for kdive's own exit code 1.
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=199:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:exitcode=198:print_stacktrace=1}

# Known kdive bugs: case names skipped unless KDIVE_DIFF_ALL=1.
KNOWN_BUGS=()

field() {  # SCENARIO FORMAT KEY
  # A misfiltered -d 31 dump (tests/fixture_manifest.py) still filtered its free pages:
  # the filtered-page cases use it.
  $PY -c '
import json, sys
m = json.load(open(sys.argv[1]))
d = next(d for d in m["dumps"] + m.get("misfiltered_dumps", [])
         if d["kind"] == "kernel" and d["scenario"] == sys.argv[2] and d["format"] == sys.argv[3])
v = d[sys.argv[4]]
print(" ".join(v) if isinstance(v, list) else v)' "$MANIFEST" "$@"
}
ELF=$(field oops elf-paging path)
KDUMP=$(field oops kdump-zlib path)
VMLINUX=$(field oops elf-paging vmlinux)
MODULE=$(field oops elf-paging modules | tr ' ' '\n' | grep kdive_fixture.ko)
RELEASE=$("$KDIVE" -c "$KDUMP" -s "$VMLINUX" -x info | sed -n 's/^kernel: *//p')
DUMP_ID=$("$KDIVE" -c "$KDUMP" -s "$VMLINUX" -x info | sed -n 's/^build ID: *//p')
[ -n "$RELEASE" ] && [ -n "$DUMP_ID" ] || { echo "FAIL: kdive info on $KDUMP gave no release/build ID"; exit 1; }
SEARCHED="/usr/lib/debug/boot/vmlinux-$RELEASE, /usr/lib/debug/lib/modules/$RELEASE/vmlinux, /boot/vmlinux-$RELEASE, /lib/modules/$RELEASE/build/vmlinux"

fail=0 ran=0 skipped=0
# check NAME RC EXPECTED_STDERR -- KDIVE_ARGS...
check() {
  local name=$1 want_rc=$2 want=$3; shift 4
  if [ "${KDIVE_DIFF_ALL:-0}" != 1 ] && [[ " ${KNOWN_BUGS[*]} " == *" $name "* ]]; then
    skipped=$((skipped + 1)); return
  fi
  ran=$((ran + 1))
  "$KDIVE" "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$? got
  got=$(cat "$TMP/err")
  if [ $rc -ge 128 ] || grep -q 'Sanitizer\|runtime error:' "$TMP/err"; then
    echo "FAIL $name: crashed (exit $rc)"; head -20 "$TMP/err"; fail=1
  elif [ $rc -ne "$want_rc" ] || [[ "$got" != $want ]]; then
    printf 'FAIL %s: exit %d, stderr:\n  %s\nwanted exit %d, stderr:\n  %s\n' "$name" $rc "$got" "$want_rc" "$want"; fail=1
  else
    echo "ok   $name"
  fi
}

# ---- dumps: missing, empty, truncated, corrupted ----
check dump-missing 1 "kdive: OSError: $TMP/nonexistent: No such file or directory" -- -c "$TMP/nonexistent" -s "$VMLINUX" -e 1
: >"$TMP/empty"
check dump-empty 1 "kdive: BadDataError: $TMP/empty: empty file, not a core dump at offset 0x0" -- -c "$TMP/empty" -s "$VMLINUX" -e 1
head -c 100 "$KDUMP" >"$TMP/kdump-100"
check kdump-truncated-header 1 "kdive: BadDataError: $TMP/kdump-100: kdump header truncated (100 of 464 bytes) at offset 0x0" -- -c "$TMP/kdump-100" -s "$VMLINUX" -e 1
head -c 4096 "$KDUMP" >"$TMP/kdump-4k"
check kdump-truncated-subheader 1 "kdive: BadDataError: $TMP/kdump-4k: kdump sub header truncated at offset 0x1000" -- -c "$TMP/kdump-4k" -s "$VMLINUX" -e 1
# Cut in the middle of the page data: opening works, reading a page past the cut faults
# and names the address (the physical page-table address is dump-specific: '*').
RELEASE_ADDR=$(printf '%#x' "$("$KDIVE" -c "$KDUMP" -s "$VMLINUX" -e '(unsigned long)&init_uts_ns.name.release' | sed 's/^(unsigned long)//')")
head -c 20000000 "$KDUMP" >"$TMP/kdump-20m"
check kdump-truncated-pages 1 "kdive: FaultError: page table unreadable (truncated dump at physical 0x*): $RELEASE_ADDR" -- -c "$TMP/kdump-20m" -s "$VMLINUX" -e init_uts_ns.name.release
cp "$KDUMP" "$TMP/kdump-magic"
printf 'XXXXXXXX' | dd of="$TMP/kdump-magic" bs=1 seek=0 conv=notrunc status=none
check kdump-bad-signature 1 "kdive: BadDataError: $TMP/kdump-magic: unknown dump format (first bytes: 58 58 58 58 58 58 58 58 *) at offset 0x0" -- -c "$TMP/kdump-magic" -s "$VMLINUX" -e 1
head -c 8192 "$KDUMP" >"$TMP/kdump-sub"
head -c 4096 /dev/zero | tr '\0' '\377' | dd of="$TMP/kdump-sub" bs=1 seek=4096 conv=notrunc status=none
check kdump-bad-subheader 1 "kdive: BadDataError: $TMP/kdump-sub: kdump bitmaps (4 blocks) extend past end of file at offset 0x3000" -- -c "$TMP/kdump-sub" -s "$VMLINUX" -e 1
head -c 32 "$ELF" >"$TMP/elf-32"
check elf-truncated-header 1 "kdive: BadDataError: $TMP/elf-32: ELF header truncated (32 of 64 bytes) at offset 0x0" -- -c "$TMP/elf-32" -s "$VMLINUX" -e 1
# Cut 1 MB past the program header table (which can be megabytes itself: a QEMU -p dump
# of a kernel whose direct map is not in huge pages has > 65,535 headers, PN_XNUM), so
# the headers and notes are whole and the cut falls in the segments.
ELF_CUT=$($PY -c '
import struct, sys
with open(sys.argv[1], "rb") as f:
    h = f.read(64)
    phoff, shoff = struct.unpack_from("<QQ", h, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", h, 0x36)
    if phnum == 0xffff:  # PN_XNUM: the count is in section 0 sh_info
        f.seek(shoff + 44)
        phnum = struct.unpack("<I", f.read(4))[0]
print(max(1000000, phoff + phentsize * phnum + 1000000))' "$ELF")
head -c "$ELF_CUT" "$ELF" >"$TMP/elf-1m"
check elf-truncated-segments 1 "kdive: FaultError: page table unreadable (truncated dump at physical 0x*): $RELEASE_ADDR" -- -c "$TMP/elf-1m" -s "$VMLINUX" -e init_uts_ns.name.release
cp "$TMP/elf-1m" "$TMP/elf-phoff"
printf '\x00\x00\x00\x00\x00\x00\x00\x40' | dd of="$TMP/elf-phoff" bs=1 seek=32 conv=notrunc status=none  # e_phoff
check elf-bad-phoff 1 "kdive: BadDataError: $TMP/elf-phoff: program headers extend past end of file at offset 0x4000000000000000" -- -c "$TMP/elf-phoff" -s "$VMLINUX" -e 1

# ---- vmlinux: missing, truncated, corrupted, mismatched ----
# Without a usable vmlinux the dump's own kallsyms and BTF stand in (issue 15), with a
# warning; a kernel whose VMCOREINFO lists no kallsyms (< 6.0) refuses, saying both why.
if "$KDIVE" -c "$KDUMP" --no-debug-info -e 1 >/dev/null 2>&1; then
  no_vmlinux() { check "$1" 0 "kdive: warning: no vmlinux found for kernel $RELEASE (give it with -s; searched $2, $SEARCHED): using the dump's kallsyms and BTF; no source lines, inline frames or local variables" -- -c "$KDUMP" -s "$3" -e 1; }
else
  no_vmlinux() { check "$1" 1 "kdive: MissingDebugInfoError: no vmlinux found for kernel $RELEASE (give it with -s; searched $2, $SEARCHED); and the dump cannot stand in for it: no kallsyms in VMCOREINFO *" -- -c "$KDUMP" -s "$3" -e 1; }
fi
no_vmlinux vmlinux-missing "$TMP/nonexistent (no such file)" "$TMP/nonexistent"
head -c 1000 "$VMLINUX" >"$TMP/vmlinux-1k"
check vmlinux-truncated-1k 1 "kdive: BadDataError: $TMP/vmlinux-1k: *" -- -c "$KDUMP" -s "$TMP/vmlinux-1k" -e 1
head -c 10000000 "$VMLINUX" >"$TMP/vmlinux-10m"
check vmlinux-truncated-10m 1 "kdive: BadDataError: $TMP/vmlinux-10m: *" -- -c "$KDUMP" -s "$TMP/vmlinux-10m" -e jiffies_64
head -c 65536 "$VMLINUX" >"$TMP/vmlinux-magic"
printf '\x00\x00\x00\x00' | dd of="$TMP/vmlinux-magic" bs=1 seek=0 conv=notrunc status=none
no_vmlinux vmlinux-bad-magic "$TMP/vmlinux-magic (not an ELF file)" "$TMP/vmlinux-magic"
head -c 65536 "$VMLINUX" >"$TMP/vmlinux-shoff"
printf '\xff\xff\xff\xff\xff\xff\xff\x7f' | dd of="$TMP/vmlinux-shoff" bs=1 seek=40 conv=notrunc status=none  # e_shoff
check vmlinux-bad-shoff 1 "kdive: BadDataError: $TMP/vmlinux-shoff: *" -- -c "$KDUMP" -s "$TMP/vmlinux-shoff" -e 1
mkdir "$TMP/other"
echo 'int main(void) { return 0; }' >"$TMP/other/m.c"
gcc -g -no-pie -Wl,--build-id "$TMP/other/m.c" -o "$TMP/other/vmlinux"
OTHER_ID=$(readelf -n "$TMP/other/vmlinux" | sed -n 's/.*Build ID: //p')
check build-id-mismatch 1 "kdive: MissingDebugInfoError: $TMP/other/vmlinux does not match the dump: its build ID is $OTHER_ID, the dump's is $DUMP_ID (use --allow-build-id-mismatch to open anyway)" -- -c "$KDUMP" -s "$TMP/other/vmlinux" -e 1

# ---- symbol packs (kdive symbols --export): no BTF, cut short, another build ----
check pack-usage 2 "kdive: UsageError: symbols: expected --export OUT.kdsym VMLINUX" -- symbols --export "$TMP/x.kdsym"
check pack-export-no-btf 1 "kdive: MissingDebugInfoError: $TMP/other/vmlinux: no .BTF section (a kernel built without CONFIG_DEBUG_INFO_BTF): a pack without types would be of little use" -- symbols --export "$TMP/other.kdsym" "$TMP/other/vmlinux"
[ ! -e "$TMP/other.kdsym" ] || { echo "FAIL pack-export-no-btf: $TMP/other.kdsym was written"; fail=1; }
"$KDIVE" symbols --export "$TMP/good.kdsym" "$VMLINUX" >/dev/null || { echo "FAIL pack-export: kdive symbols --export $VMLINUX"; fail=1; }
head -c 100000 "$TMP/good.kdsym" >"$TMP/cut.kdsym"
check pack-truncated 1 "kdive: BadDataError: $TMP/cut.kdsym: section header table extends past the end of the file (100000 bytes; truncated?) at offset 0x*" -- -c "$KDUMP" -s "$TMP/cut.kdsym" -e 1
# The same pack with one byte of its build-ID note changed.
$PY - "$TMP/good.kdsym" "$TMP/other-build.kdsym" "$DUMP_ID" <<'PYEOF'
import sys
data = bytearray(open(sys.argv[1], 'rb').read())
at = data.find(bytes.fromhex(sys.argv[3]))
data[at] ^= 0xff
open(sys.argv[2], 'wb').write(data)
PYEOF
OTHER_PACK_ID=$(printf '%02x' $((0x${DUMP_ID:0:2} ^ 0xff)))${DUMP_ID:2}
check pack-build-id-mismatch 1 "kdive: MissingDebugInfoError: $TMP/other-build.kdsym does not match the dump: its build ID is $OTHER_PACK_ID, the dump's is $DUMP_ID (use --allow-build-id-mismatch to open anyway)" -- -c "$KDUMP" -s "$TMP/other-build.kdsym" -e 1

# ---- names, types, syntax, type errors ----
K=(-c "$KDUMP" -s "$VMLINUX" -s "$MODULE")
check unknown-name 1 "kdive: LookupError: could not find 'nosuch_symbol'" -- "${K[@]}" -e nosuch_symbol
check unknown-type-cast 1 "kdive: LookupError: could not find 'struct nosuch_type'" -- "${K[@]}" -e '(struct nosuch_type *)0'
check unknown-type-sizeof 1 "kdive: LookupError: could not find 'union nosuch'" -- "${K[@]}" -e 'sizeof(union nosuch)'
check unknown-type-ptype 1 "kdive: LookupError: could not find 'struct nosuch_type'" -- "${K[@]}" -x 'ptype struct nosuch_type'
check unknown-member 1 "kdive: LookupError: 'struct task_struct' has no member 'nosuch'" -- "${K[@]}" -e init_task.nosuch
check unknown-member-offsetof 1 "kdive: LookupError: 'struct task_struct' has no member 'nosuch'" -- "${K[@]}" -x 'offsetof struct task_struct, nosuch'
check syntax-missing-operand 1 "kdive: SyntaxError: expected expression (column 4)" -- "${K[@]}" -e '1 +'
check syntax-unclosed-paren 1 "kdive: SyntaxError: expected ')' (column 5)" -- "${K[@]}" -e '(int'
check syntax-member-name 1 "kdive: SyntaxError: expected identifier after '.' (column 11)" -- "${K[@]}" -e 'init_task.'
check syntax-bad-char 1 "kdive: SyntaxError: invalid character '@' (column 3)" -- "${K[@]}" -e '1 @ 2'
check syntax-unterminated-string 1 "kdive: SyntaxError: unterminated string literal (column 1)" -- "${K[@]}" -e '"abc'
check syntax-bad-number 1 "kdive: SyntaxError: invalid number (column 1)" -- "${K[@]}" -e '0x'
check syntax-extra-token 1 "kdive: SyntaxError: unexpected number '2' (column 3)" -- "${K[@]}" -e '1 2'
check type-struct-plus-int 1 "kdive: TypeError: invalid operands to binary + ('struct task_struct' and 'int')" -- "${K[@]}" -e 'init_task + 1'
check type-deref-integer 1 "kdive: TypeError: 'u64' is not an array or pointer" -- "${K[@]}" -e '*jiffies_64'
check type-member-of-integer 1 "kdive: TypeError: 'u64' is not a structure, union, or class" -- "${K[@]}" -e 'jiffies_64.x'
check type-arrow-on-struct 1 "kdive: TypeError: 'struct task_struct' is not a pointer to a structure, union, or class" -- "${K[@]}" -e 'init_task->pid'
check type-address-of-value 1 "kdive: TypeError: cannot take address of value" -- "${K[@]}" -e '&1'
check type-pointer-plus-pointer 1 "kdive: TypeError: invalid operands to binary + ('char *' and 'char *')" -- "${K[@]}" -e 'init_task.comm + init_task.comm'
check type-member-at-scalar 1 "kdive: TypeError: must be compound type or array" -- "${K[@]}" -x 'member-at int, 0'
check division-by-zero 1 "kdive: ZeroDivisionError: division by zero" -- "${K[@]}" -e '1 / 0'

# ---- addresses: unmapped, filtered out by makedumpfile -d 31 ----
check unmapped-null 1 "kdive: FaultError: not mapped in page table: 0x0" -- "${K[@]}" -e '*(int *)0'
check unmapped-hole 1 "kdive: FaultError: not mapped in page table: 0xffff000000000000" -- "${K[@]}" -e '*(long *)0xffff000000000000'
check unmapped-read 1 "kdive: FaultError: not mapped in page table: 0x0" -- "${K[@]}" -x 'read 0, 16'
# A free page is in the -d 0 dump but not in -d 31: the first page of a non-empty buddy
# free list (which zone and order have one depends on the boot, so look for one).
free_addr() {  # free_addr D31_DUMP D0_DUMP: prints an address or nothing
  local z o expr addr
  for z in 1 0 2; do
    for o in 3 4 5 2 1 0 6 7 8 9 10; do
      expr="node_data[0]->node_zones[$z].free_area[$o].free_list[0].next"
      # An empty list points back at itself.
      [ "$("$KDIVE" -c "$1" -s "$VMLINUX" -e "(unsigned long)$expr == (unsigned long)&$(echo "$expr" | sed 's/\.next$//')" 2>/dev/null)" = "(int)0" ] || continue
      addr=$("$KDIVE" -c "$1" -s "$VMLINUX" -e "(unsigned long)page_offset_base + (unsigned long)(container_of($expr, struct page, lru) - (struct page *)vmemmap_base) * 4096" 2>/dev/null | sed 's/^(unsigned long)//')
      [ -n "$addr" ] || continue
      addr=$(printf '%#x' "$addr")
      "$KDIVE" -c "$2" -s "$VMLINUX" -e "*(unsigned long *)$addr" >/dev/null 2>&1 || continue
      echo "$addr"
      return
    done
  done
}
for scenario in oops sysrq; do
  d31=$(field $scenario kdump-d31 path)
  d0=$(field $scenario kdump-zlib path)
  addr=$(free_addr "$d31" "$d0")
  [ -n "$addr" ] || { echo "FAIL filtered-$scenario: no free page found that the -d 0 dump holds"; fail=1; continue; }
  check filtered-$scenario 1 "kdive: FaultError: page filtered out by makedumpfile: $addr" -- -c "$d31" -s "$VMLINUX" -e "*(unsigned long *)$addr"
  check filtered-read-$scenario 1 "kdive: FaultError: page filtered out by makedumpfile: $addr" -- -c "$d31" -s "$VMLINUX" -x "read $addr, 64"
done

# ---- usage errors: exit 2 ----
check usage-nothing 2 "kdive: UsageError: nothing to open: give a dump (-c CORE), a process (-p PID) or debug info (-s FILE)" --
check live-no-such-process 1 "kdive: OSError: /proc/999999999/*" -- -p 999999999 -e 1
# Debug info alone: types work, memory does not.
check no-dump-memory 1 "kdive: FaultError: no dump was given (-c): only debug info is loaded: 0x*" -- -s "$VMLINUX" -e 'sizeof(struct task_struct)' -e jiffies_64
check usage-bad-option 2 "The following argument was not expected: --bogus
Run with --help for more information." -- -c "$KDUMP" -s "$VMLINUX" --bogus
check usage-offsetof 2 "kdive: UsageError: offsetof: expected TYPE, MEMBER" -- "${K[@]}" -x 'offsetof struct task_struct'
check usage-member-at 2 "kdive: UsageError: member-at: expected TYPE, OFFSET" -- "${K[@]}" -x 'member-at struct task_struct'
check usage-read 2 "kdive: UsageError: read: expected ADDR, SIZE" -- "${K[@]}" -x 'read 0'
check usage-print 2 "kdive: UsageError: print: expected an expression" -- "${K[@]}" -x 'print'
check usage-triage 2 "kdive: UsageError: triage: unknown argument '--bogus' (triage \[--json\] \[--no-slab\])" -- "${K[@]}" -x 'triage --bogus'

echo "$ran cases run, $skipped known kdive bugs skipped (KNOWN_BUGS)"
exit $fail
