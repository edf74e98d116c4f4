#!/usr/bin/env bash
# Fixture self-test (a CTest test): checks that every dump listed in
# ${KDIVE_FIXTURES:-~/.cache/kdive/fixtures}/manifest.json is present and complete, carries
# VMCOREINFO (kernel dumps), and that drgn finds the scenario's kthreads and the
# KDIVE_MARKER lines in the dumps it can open (where it cannot find the loaded modules,
# 6.4+: the tasks and markers, not the module's stack frames) — so a broken fixture is
# reported as a broken fixture, not as a kdive bug. Exits non-zero naming each broken
# fixture. KDIVE_TEST_KERNELS (a comma list of kernel names) narrows the kernel dumps.
set -euo pipefail

FIXTURES=${KDIVE_FIXTURES:-$HOME/.cache/kdive/fixtures}
MANIFEST="$FIXTURES/manifest.json"
if [ ! -f "$MANIFEST" ]; then
	echo "fixture_selftest: FAIL: $MANIFEST not found; build it with scripts/fixtures/build-all.sh" >&2
	exit 1
fi

exec /usr/bin/python3 - "$MANIFEST" <<'PYTHON'
import json
import os
import struct
import sys

manifest_path = sys.argv[1]
with open(manifest_path) as f:
    manifest = json.load(f)
wanted_kernels = [k for k in os.environ.get("KDIVE_TEST_KERNELS", "").split(",") if k]
dumps = [d for d in manifest.get("dumps", [])
         if d.get("kind", "kernel") != "kernel" or not wanted_kernels or d.get("kernel_name") in wanted_kernels]
failures = []


def fail(name, why):
    failures.append(f"{name}: {why}")
    print(f"FAIL {name}: {why}")


def elf_notes(f, size):
    """(name, desc) of every note in the PT_NOTE segments of an ELF64 LE file."""
    f.seek(0)
    ehdr = f.read(64)
    if len(ehdr) < 64 or ehdr[:4] != b"\x7fELF" or ehdr[4] != 2 or ehdr[5] != 1:
        raise ValueError("not a little-endian ELF64 file")
    e_type = struct.unpack_from("<H", ehdr, 16)[0]
    phoff = struct.unpack_from("<Q", ehdr, 0x20)[0]
    phentsize, phnum = struct.unpack_from("<HH", ehdr, 0x36)
    if e_type != 4:
        raise ValueError(f"ELF type {e_type}, not ET_CORE")
    if phentsize != 56 or phnum == 0 or phoff + 56 * phnum > size:
        raise ValueError("bad program header table")
    f.seek(phoff)
    table = f.read(56 * phnum)
    notes, end = [], 0
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", table, 56 * i)
        end = max(end, p_offset + p_filesz)
        if p_type == 4 and p_filesz < (1 << 24):
            f.seek(p_offset)
            data = f.read(p_filesz)
            pos = 0
            while pos + 12 <= len(data):
                namesz, descsz, _ = struct.unpack_from("<III", data, pos)
                pos += 12
                name = data[pos:pos + namesz].rstrip(b"\0")
                pos += (namesz + 3) & ~3
                notes.append((name, data[pos:pos + descsz]))
                pos += (descsz + 3) & ~3
    if end > size:
        raise ValueError(f"truncated: segments end at {end}, file has {size} bytes")
    return notes


def kdump_check(head_reader, size, check_pages):
    """Checks a kdump-compressed header; returns the VMCOREINFO text."""
    hdr = head_reader(0, 464)
    if hdr[:8] != b"KDUMP   ":
        raise ValueError(f"no 'KDUMP   ' signature (found {hdr[:8]!r})")
    block_size, sub_hdr_size, bitmap_blocks, max_mapnr = struct.unpack_from("<iiII", hdr, 428)
    if block_size <= 0 or block_size > (1 << 20) or sub_hdr_size <= 0:
        raise ValueError(f"bad block_size {block_size} / sub_hdr_size {sub_hdr_size}")
    sub = head_reader(block_size, 48)
    off_vmci, size_vmci = struct.unpack_from("<QQ", sub, 32)
    if size_vmci == 0 or size_vmci > (1 << 20):
        raise ValueError("no VMCOREINFO in the kdump sub-header")
    vmcoreinfo = head_reader(off_vmci, size_vmci).decode(errors="replace")
    if check_pages:
        # Page descriptors follow the two bitmaps; one per bit set in the second one.
        bitmap_off = block_size * (1 + sub_hdr_size)
        half = bitmap_blocks * block_size // 2
        bitmap2 = head_reader(bitmap_off + half, half)
        count = sum(bin(b).count("1") for b in bitmap2)
        desc_off = bitmap_off + bitmap_blocks * block_size
        descs = head_reader(desc_off, 24 * count)
        if len(descs) < 24 * count:
            raise ValueError("truncated page descriptor table")
        end = 0
        for i in range(count):
            offset, psize = struct.unpack_from("<QI", descs, 24 * i)
            end = max(end, offset + psize)
        if end > size:
            raise ValueError(f"truncated: page data ends at {end}, file has {size} bytes")
    return vmcoreinfo


def flat_image(path, limit):
    """Rebuilds the first `limit` bytes of a makedumpfile flattened file; checks the end mark."""
    image = bytearray(limit)
    with open(path, "rb") as f:
        head = f.read(4096)
        if not head.startswith(b"makedumpfile"):
            raise ValueError("no 'makedumpfile' flattened signature")
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                raise ValueError("truncated: no end-of-data record")
            offset, length = struct.unpack(">qq", rec)
            if offset == -1 and length == -1:
                break
            if offset < 0 or length < 0 or length > (1 << 30):
                raise ValueError(f"bad record ({offset}, {length})")
            if offset < limit:
                data = f.read(length)
                if len(data) < length:
                    raise ValueError("truncated record")
                n = min(length, limit - offset)
                image[offset:offset + n] = data[:n]
            else:
                f.seek(length, 1)
    return bytes(image)


def check_kernel_dump(d, truth):
    name, path, fmt = d["name"], d["path"], d["format"]
    size = os.path.getsize(path)
    release = truth.get("kernel", {}).get("release", "")
    with open(path, "rb") as f:
        magic = f.read(16)
    if magic.startswith(b"\x7fELF"):
        with open(path, "rb") as f:
            notes = elf_notes(f, size)
        vmci = [desc for (n, desc) in notes if n == b"VMCOREINFO"]
        if not vmci:
            raise ValueError("no VMCOREINFO ELF note")
        text = vmci[0].decode(errors="replace")
        if not any(n == b"CORE" for n, _ in notes):
            raise ValueError("no NT_PRSTATUS (CORE) notes")
    elif magic.startswith(b"makedumpfile"):
        image = flat_image(path, 1 << 20)
        text = kdump_check(lambda o, n: image[o:o + n], size, False)
    elif magic.startswith(b"KDUMP   "):
        with open(path, "rb") as f:
            def reader(o, n):
                f.seek(o)
                return f.read(n)
            text = kdump_check(reader, size, True)
    else:
        raise ValueError(f"unknown signature {magic!r} for format {fmt}")
    if f"OSRELEASE={release}" not in text:
        raise ValueError(f"VMCOREINFO lacks OSRELEASE={release}")


def drgn_check(d, truth, vmlinux_only=False):
    """vmlinux_only: drgn 0.0.22 cannot find the loaded modules of this kernel (6.4+:
    no module.core_size), so it cannot name the module's functions: the threads' stacks
    are not checked (said so in the output), the tasks and dmesg are."""
    import drgn
    from drgn.helpers.linux.pid import for_each_task
    from drgn.helpers.linux.printk import get_dmesg

    prog = drgn.Program()
    prog.set_core_dump(d["path"])
    if vmlinux_only:
        try:
            prog.load_debug_info([d["vmlinux"]])
        except drgn.MissingDebugInfoError:
            pass
    else:
        prog.load_debug_info([d["vmlinux"]] + d.get("modules", []))
    tasks = {t.comm.string_().decode(): t for t in for_each_task(prog)}
    wanted = [(t["comm"], t["functions"].split(",")) for t in truth.get("thread", [])]
    if "waiter" in truth:
        wanted.append((truth["waiter"]["comm"], truth["waiter"]["functions"].split(",")))
    if "crasher" in truth:
        wanted.append((truth["crasher"]["comm"], []))
    if not wanted:
        raise ValueError("truth.json names no threads")
    for comm, functions in wanted:
        if comm not in tasks:
            raise ValueError(f"drgn finds no task {comm}")
        if functions and not vmlinux_only:
            trace = str(prog.stack_trace(tasks[comm]))
            missing = [fn for fn in functions if fn not in trace]
            if missing:
                raise ValueError(f"drgn's stack of {comm} lacks {missing}")
    dmesg = get_dmesg(prog).decode(errors="replace")
    for marker in truth.get("marker", []):
        if marker not in dmesg:
            raise ValueError(f"drgn's dmesg lacks {marker!r}")


if not dumps:
    fail("manifest", f"{manifest_path} lists no dumps")
truths = {}
for d in dumps:
    name = d.get("name", "?")
    partial = False
    path = d.get("path", "")
    try:
        if not os.path.isfile(path):
            raise ValueError(f"missing file {path}")
        size = os.path.getsize(path)
        if "size" in d and size != d["size"]:
            raise ValueError(f"size {size} differs from the manifest's {d['size']}")
        if d.get("kind", "kernel") == "kernel":
            for key in ("vmlinux", "truth", "console_log"):
                if not os.path.isfile(d.get(key) or ""):
                    raise ValueError(f"missing {key} file {d.get(key)}")
            tp = d["truth"]
            if tp not in truths:
                with open(tp) as f:
                    truths[tp] = json.load(f)
            check_kernel_dump(d, truths[tp])
            err = d.get("drgn_error") or ""
            partial = (not d.get("drgn_opens") and err.startswith("kernel modules (could not find loaded kernel modules:")
                       and "address translation" not in err)
            # A dump marked misfiltered lacks in-use pages makedumpfile took for free
            # ones (scripts/fixtures/kernel/matrix.txt): drgn fails on it as kdive does.
            if (d.get("drgn_opens") or partial) and not d.get("misfiltered"):
                drgn_check(d, truths[tp], vmlinux_only=partial)
        else:
            with open(path, "rb") as f:
                elf_notes(f, size)
        how = (", misfiltered by makedumpfile: not read with drgn" if d.get("misfiltered")
               else ", drgn" if d.get("drgn_opens")
               else ", drgn with the vmlinux alone (no module frames)" if partial else "")
        print(f"ok   {name} ({size} bytes{how})")
    except Exception as e:  # any problem is this fixture's problem
        fail(name, f"{type(e).__name__}: {e}")

print(f"fixture_selftest: {len(dumps) - len(failures)} of {len(dumps)} fixtures ok")
sys.exit(1 if failures else 0)
PYTHON
