#!/bin/bash
# ctest-label: reference  (runs a reference tool; the sanitizer pass of scripts/test.sh skips it)
# Differential test of kdive's VFS helpers against drgn 0.0.22 (Debian's python3-drgn)
# on every kernel fixture dump drgn can open: the mounts of init's namespace
# (for_each_mount: address, super block, type, device, directory), path_lookup of
# paths with mount crossings and "." (vfsmount, dentry, d_path; a missing name must
# fail in both; drgn 0.0.22 never returns from a path with "..", so ".." is checked
# in tests/integration/linux/vfs_test.cpp instead), the open files of PID 1 (for_each_file + d_path), and the cached
# contents of /data/known.txt and /data/numbers.txt (drgn: xa_load, page_to_virt,
# read, page by page; pages that are absent or unreadable count as missing and are
# zeros) — sha256 of the bytes and the number of missing pages, which kdive's `cat`
# reports on stderr — through the kdive CLI. Known difference: drgn reads a page that
# makedumpfile -d 31 dropped from an ELF dump as zeros without an error, while kdive
# knows it was filtered out and reports it; so on -d 31 dumps a page that drgn reads
# as all zeros counts as missing on drgn's side (the fixture files are text: none of
# their pages is zeros).
# Where drgn 0.0.22 cannot load the test module (drgn_mode "vmlinux", 6.4+) it runs on
# the vmlinux alone; where one of its helpers does not know the kernel's layout (7.x:
# mnt_namespace.list, dentry.d_subdirs are gone), that part is skipped with drgn's error
# printed, and `cat` is checked against truth.json's sha256 instead (on dumps that hold
# every page; tests/diff/vfs_cli.sh checks the -d 31 ones).
set -euo pipefail
. "$(dirname "$0")/../fixture_lib.sh"
per_kernel "$0" "$@"  # once per kernel of the fixture matrix
. "$(dirname "$0")/lib.sh"
PATHS=(/ /init /data /data/known.txt /data/numbers.txt /proc /sys /sys/kernel/tracing /sys/kernel/tracing/trace
       /dev/console /data/./known.txt //data/known.txt /data/no-such-file)
FILES=(/data/known.txt /data/numbers.txt)

mapfile -t DUMPS < <(kernel_dumps --drgn-vmlinux name path vmlinux dump_level truth)
[ ${#DUMPS[@]} -gt 0 ] || { echo "no kernel dump drgn can open"; exit 1; }

fail=0
for line in "${DUMPS[@]}"; do
  IFS=$'\t' read -r name dump vmlinux level truth <<<"$line"

  if ! $PY - "$dump" "$vmlinux" "$level" "$truth" "${PATHS[@]}" -- "${FILES[@]}" >"$TMP/drgn.txt" 2>"$TMP/drgn.skip" <<'PYEOF'
import hashlib, json, sys
import drgn
from drgn import cast, FaultError
from drgn.helpers.linux.fs import path_lookup, d_path, for_each_mount, mount_src, mount_dst, mount_fstype, for_each_file
from drgn.helpers.linux.mm import page_to_virt
from drgn.helpers.linux.pid import find_task
from drgn.helpers.linux.xarray import xa_load
prog = drgn.Program()
prog.set_core_dump(sys.argv[1])
prog.load_debug_info([sys.argv[2]])
sep = sys.argv.index("--")
filtered = sys.argv[3] == "31"
truth = json.load(open(sys.argv[4]))
paths, files = sys.argv[5:sep], sys.argv[sep + 1:]


def layout_ok(what, probe):
    """drgn 0.0.22's helper on this kernel's layout: an AttributeError (a member it
    expects is gone) skips the part, naming drgn's error on stderr (the skip list)."""
    try:
        probe()
        return True
    except AttributeError as e:
        print(f"{what}\tdrgn 0.0.22: AttributeError: {e}", file=sys.stderr)
        return False


if layout_ok("mount", lambda: list(for_each_mount(prog))):
    for m in for_each_mount(prog):
        print("mount %x %x %s %s %s" % (m.value_(), m.mnt.mnt_sb.value_(), mount_fstype(m).decode(),
                                        mount_src(m).decode(), mount_dst(m).decode()))
lookup = layout_ok("path", lambda: path_lookup(prog, "/data"))
for p in paths if lookup else []:
    try:
        r = path_lookup(prog, p)
        print("path %s %x %x %s" % (p, r.mnt.value_(), r.dentry.value_(), d_path(r).decode()))
    except Exception:
        print("path %s error" % p)
for fd, f in for_each_file(find_task(prog, 1)):
    print("file %d %x %s" % (fd, f.value_(), d_path(f.f_path).decode()))
for p in files:
    if not lookup:
        known = next(f for f in truth["file"].values() if f["path"] == p)
        if not filtered:  # every page is in the dump: the file's own bytes
            print("cat %s %s missing 0" % (p, known["sha256"]))
        continue
    inode = path_lookup(prog, p).dentry.d_inode
    size = inode.i_size.value_()
    data, missing = b"", 0
    for i in range((size + 4095) // 4096):
        n = min(4096, size - i * 4096)
        e = xa_load(inode.i_mapping.i_pages.address_of_(), i)
        try:
            if not e or e.value_() & 1:
                raise FaultError("not cached", 0)
            page = prog.read(page_to_virt(cast("struct page *", e)).value_(), n)
            if filtered and page == bytes(n):
                raise FaultError("zeros in a filtered ELF dump", 0)
            data += page
        except FaultError:
            missing += 1
            data += bytes(n)
    print("cat %s %s missing %d" % (p, hashlib.sha256(data).hexdigest(), missing))
PYEOF
  then
    if [ "$level" = 31 ] && grep -q 'Excluded page' "$TMP/drgn.skip"; then
      # A correct -d 31 keeps every slab page; this makedumpfile (Debian 12's 1.7.2) took
      # in-use slab pages of this kernel for free or cache pages.
      echo "skip $name: makedumpfile -d 31 dropped in-use pages of this kernel (drgn 0.0.22: $(tail -1 "$TMP/drgn.skip"))"
      continue
    fi
    cat "$TMP/drgn.skip"; echo "FAIL $name: drgn failed"; fail=1; continue
  fi

  xargs=(-x "mount --json")
  for p in "${PATHS[@]}"; do xargs+=(-x "path --json $p"); done
  xargs+=(-x "files 1 --json")
  # A path that is not found prints nothing on stdout (its error goes to stderr).
  "$KDIVE" -c "$dump" -s "$vmlinux" "${xargs[@]}" 2>/dev/null | $PY -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
found = {r["lookup"]: r for r in rows if "lookup" in r}
for r in rows:
    if "dir_name" in r:
        print("mount %s %s %s %s %s" % (r["mount"][2:], r["super_block"][2:], r["fs_type"], r["dev_name"], r["dir_name"]))
for p in sys.argv[1:]:
    r = found.get(p)
    print("path %s %s" % (p, "%s %s %s" % (r["vfsmount"][2:], r["dentry"][2:], r["path"]) if r else "error"))
for r in rows:
    if "fd" in r:
        print("file %d %s %s" % (r["fd"], r["file"][2:], r["path"]))
' "${PATHS[@]}" >"$TMP/kdive.txt" || true
  skipped=$(cut -f1 "$TMP/drgn.skip" | tr '\n' ' ')
  for p in "${FILES[@]}"; do
    [[ " $skipped " == *" path "* && "$level" = 31 ]] && continue
    sum=$("$KDIVE" -c "$dump" -s "$vmlinux" -x "cat $p" 2>"$TMP/cat.err" | sha256sum | cut -d' ' -f1) || true
    missing=$(sed -n 's/.*: \([0-9]*\) of [0-9]* pages are missing.*/\1/p' "$TMP/cat.err")
    echo "cat $p $sum missing ${missing:-0}" >>"$TMP/kdive.txt"
  done
  if [ -s "$TMP/drgn.skip" ]; then
    while IFS=$'\t' read -r part why; do
      echo "$name: $part skipped ($why)$([ "$part" = path ] && echo "; cat checked against truth.json")"
    done <"$TMP/drgn.skip"
    for part in $skipped; do sed -i "/^$part /d" "$TMP/kdive.txt"; done
  fi

  if diff -u "$TMP/drgn.txt" "$TMP/kdive.txt"; then
    echo "ok   $name: mounts ($(grep -c '^mount' "$TMP/kdive.txt")), path_lookup/d_path (${#PATHS[@]}), files ($(grep -c '^file' "$TMP/kdive.txt")), cat ($(grep '^cat' "$TMP/kdive.txt" | awk '{printf "%s missing %s; ", $2, $5}'))"
  else
    echo "FAIL $name"; fail=1
  fi
done
exit $fail
