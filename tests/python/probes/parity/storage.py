#!/usr/bin/python3
# Parity probe: drgn.helpers.linux.block, device (buses, classes, registered device
# numbers), swap, sbitmap and ipc. The fixture guests have no disk, swap device or System V
# IPC object, so those helpers also run on objects built from the dump's own memory.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from drgn import Object  # noqa: E402
from probe_lib import H, captured, check, open_program, show  # noqa: E402

prog = open_program()
D, B, S, I = "linux.device", "linux.block", "linux.swap", "linux.ipc"
LIST = "linux.list"


def has_member(type_name, member):
    return prog.type(type_name).has_member(member)


# --- device: every registered bus and class, their devices and names.
def subsystems(kset, field):
    each = H(LIST, "list_for_each_entry")("struct subsys_private",
                                         prog[kset].list.address_of_(), "subsys.kobj.entry")
    return [(sp.member_(field).name.string_().decode(), sp.member_(field).read_(), sp)
            for sp in each]


for name, bus, sp in subsystems("bus_kset", "bus"):
    check(f"bus_to_subsys.{name}", lambda: H(D, "bus_to_subsys")(bus).value_() == sp.value_())
    check(f"bus_for_each_dev.{name}",
          lambda: [H(D, "dev_name")(d) for d in H(D, "bus_for_each_dev")(bus)])
for name, cls, sp in subsystems("class_kset", "class"):
    check(f"class_to_subsys.{name}", lambda: H(D, "class_to_subsys")(cls).value_() == sp.value_())
    check(f"class_for_each_device.{name}",
          lambda: [(H(D, "dev_name")(d), show(d)) for d in H(D, "class_for_each_device")(cls)])
check("bus_to_subsys.type", lambda: H(D, "bus_to_subsys")(
    prog["platform_bus_type"].address_of_()).type_.type_name())
check("for_each_registered_chrdev", lambda: list(H(D, "for_each_registered_chrdev")(prog)))
check("for_each_registered_chrdev.default", lambda: len(list(H(D, "for_each_registered_chrdev")())))
check("for_each_registered_blkdev", lambda: list(H(D, "for_each_registered_blkdev")(prog)))
# A name still in init_name (a device not yet registered), built in place.
classes = {name: cls for name, cls, _ in subsystems("class_kset", "class")}
tty_dev = next(iter(H(D, "class_for_each_device")(classes["tty"])))
check("dev_name.init_name", lambda: H(D, "dev_name")(
    Object(prog, "struct device", value={"init_name": tty_dev.kobj.name.value_()})))

# --- block: the dump's disks and partitions (none in the fixtures), then built objects.
check("for_each_disk", lambda: list(H(B, "for_each_disk")(prog)))
check("for_each_disk.default", lambda: list(H(B, "for_each_disk")()))
for disk in H(B, "for_each_disk")(prog):
    dn = H(B, "disk_name")(disk).decode()
    check(f"disk.{dn}.devt", lambda: H(B, "disk_devt")(disk))
    for t in (None, "driver", "sched"):
        check(f"disk.{dn}.busy.{t}", lambda: list(H(B, "request_queue_busy_iter")(disk.queue, t)))
check("for_each_partition", lambda: list(H(B, "for_each_partition")(prog)))
for part in H(B, "for_each_partition")(prog):
    pn = H(B, "part_name")(part).decode()
    check(f"part.{pn}.devt", lambda: H(B, "part_devt")(part))
    if part.type_.type.type_name() == "struct block_device":
        check(f"part.{pn}.partno", lambda: H(B, "bdev_partno")(part))
check("print_disks", lambda: captured(lambda: H(B, "print_disks")(prog)))
check("print_partitions", lambda: captured(lambda: H(B, "print_partitions")(prog)))
check("nr_blockdev_pages", lambda: H(B, "nr_blockdev_pages")(prog))

name_ptr = tty_dev.kobj.name.value_()
disk = Object(prog, "struct gendisk", value={"major": 259, "first_minor": 17, "disk_name": b"nvme0n1"})
check("disk_name.built", lambda: H(B, "disk_name")(disk))
check("disk_devt.built", lambda: H(B, "disk_devt")(disk))
check("disk_devt.built.type", lambda: H(B, "disk_devt")(disk).type_.type_name())
if has_member("struct block_device", "bd_device"):
    bdev = {"bd_dev": (8 << 20) | 3, "bd_device": {"kobj": {"name": name_ptr}}}
    if has_member("struct block_device", "__bd_flags"):
        bdev["__bd_flags"] = {"counter": (1 << 9) | 3}  # BD_READ_ONLY and partition 3
    else:
        bdev["bd_partno"] = 3
    part = Object(prog, "struct block_device", value=bdev)
    check("bdev_partno.built", lambda: H(B, "bdev_partno")(part))
    check("bdev_partno.built.type", lambda: H(B, "bdev_partno")(part).type_.type_name())
else:
    part = Object(prog, "struct hd_struct", value={
        "partno": 3, "__dev": {"devt": (8 << 20) | 3, "kobj": {"name": name_ptr}}})
check("part_name.built", lambda: H(B, "part_name")(part))
check("part_devt.built", lambda: H(B, "part_devt")(part))
check("part_devt.built.type", lambda: H(B, "part_devt")(part).type_.type_name())

op_enum = prog["REQ_OP_READ"].type_  # enum req_op, or enum req_opf (4.10 to 5.19)
for name, value in op_enum.enumerators:
    check(f"op_is_write.{name}", lambda: H(B, "op_is_write")(Object(prog, op_enum, value)))
    rq = Object(prog, "struct request", value={
        "cmd_flags": value | (1 << 11) | (1 << 17), "__sector": 2048 + value, "__data_len": 512 * value})
    check(f"req_op.{name}", lambda: H(B, "req_op")(rq))
    check(f"rq_data_dir.{name}", lambda: H(B, "rq_data_dir")(rq))
check("req_op.type", lambda: H(B, "req_op")(rq).type_.type_name())
check("blk_rq_pos", lambda: H(B, "blk_rq_pos")(rq))
check("blk_rq_pos.type", lambda: H(B, "blk_rq_pos")(rq).type_.type_name())
check("blk_rq_bytes", lambda: H(B, "blk_rq_bytes")(rq))
check("blk_rq_bytes.type", lambda: H(B, "blk_rq_bytes")(rq).type_.type_name())
rqp = Object(prog, "struct request *", value=0xFFFF888004A3C000)
check("blk_mq_rq_to_pdu", lambda: H(B, "blk_mq_rq_to_pdu")(rqp))
check("blk_mq_rq_to_pdu.type", lambda: H(B, "blk_mq_rq_to_pdu")(rqp).type_.type_name())
check("blk_mq_rq_from_pdu", lambda: H(B, "blk_mq_rq_from_pdu")(
    H(B, "blk_mq_rq_to_pdu")(rqp)).value_() == rqp.value_())
check("blk_mq_rq_from_pdu.type", lambda: H(B, "blk_mq_rq_from_pdu")(
    Object(prog, "void *", value=0xFFFF888004A3C100)).type_.type_name())
bio_queue = Object(prog, "struct request_queue", value={"tag_set": 0})
check("request_queue_busy_iter.bio_based", lambda: list(H(B, "request_queue_busy_iter")(bio_queue)))

# --- sbitmap: bitmaps laid over the dump's memory (init_task's first words, sparse, and
# the text of linux_banner, dense).
for where in ("init_task", "linux_banner"):
    for nr, depth in ((1, 40), (3, 150)):
        sb = Object(prog, "struct sbitmap", value={
            "depth": depth, "shift": 6, "map_nr": nr, "map": prog[where].address_})
        check(f"sbitmap_for_each_set.{where}.{nr}",
              lambda: list(H("linux.sbitmap", "sbitmap_for_each_set")(sb)))

# --- swap: the dump's swap devices (none in the fixtures), then built ones.
check("for_each_swap_info", lambda: list(H(S, "for_each_swap_info")(prog)))
check("for_each_swap_info.default", lambda: list(H(S, "for_each_swap_info")()))
for si in H(S, "for_each_swap_info")(prog):
    check(f"swap.{si.type.value_()}.path", lambda: H(S, "swap_file_path")(si))
check("swap_total_usage", lambda: H(S, "swap_total_usage")(prog))
check("swap_total_usage.used", lambda: H(S, "swap_total_usage")(prog).used_pages)
check("total_swapcache_pages", lambda: H(S, "total_swapcache_pages")(prog))
files = H("linux.pid", "find_task")(prog, 1).files.fdt.fd
swap_file = next(files[i].value_() for i in range(64) if files[i].value_())
flags = prog["SWP_USED"].value_() | prog["SWP_WRITEOK"].value_()
atomic = prog.type("struct swap_info_struct").member("inuse_pages").type.type_name() == "atomic_long_t"
for kind, extra in (("file", 0), ("blkdev", prog["SWP_BLKDEV"].value_())):
    si = Object(prog, "struct swap_info_struct", value={
        "flags": flags | extra, "swap_file": swap_file,
        "inuse_pages": {"counter": 1234} if atomic else 1234})
    check(f"swap_is_file.{kind}", lambda: H(S, "swap_is_file")(si))
    check(f"swap_usage_in_pages.{kind}", lambda: H(S, "swap_usage_in_pages")(si))
    check(f"swap_file_path.{kind}", lambda: H(S, "swap_file_path")(si))
if atomic:  # a full device: SWAP_USAGE_OFFLIST_BIT (bit 30) set in the counter
    si = Object(prog, "struct swap_info_struct", value={
        "flags": flags, "inuse_pages": {"counter": (1 << 30) | 1234}})
    check("swap_usage_in_pages.offlist", lambda: H(S, "swap_usage_in_pages")(si))

# --- ipc: the initial namespace's objects (none in the fixtures), lookups, mode flags.
ns = prog["init_ipc_ns"].address_of_()
for kind in ("shm", "sem_array", "msg_queue"):
    each, find = H(I, f"for_each_sysv_{kind}"), H(I, f"find_sysv_{kind}")
    check(f"for_each_sysv_{kind}", lambda: list(each(prog)))
    check(f"for_each_sysv_{kind}.ns", lambda: list(each(ns)))
    check(f"for_each_sysv_{kind}.default", lambda: list(each()))
    for obj in each(prog):
        ident = (obj.member_(obj.type_.type.members[0].name).seq.value_() << 15)
        check(f"find_sysv_{kind}.{show(obj)}", lambda: find(prog, ident))
    for ident in (0, 1, 32768, 65537):
        check(f"find_sysv_{kind}.{ident}", lambda: find(prog, ident))
        check(f"find_sysv_{kind}.ns.{ident}", lambda: find(ns, ident))
    check(f"find_sysv_{kind}.type", lambda: find(ns, 0).type_.type_name())
    check(f"find_sysv_{kind}.default", lambda: find(7))
for shm in H(I, "for_each_sysv_shm")(prog):
    check(f"decode_sysv_shm_flags.{show(shm)}", lambda: H(I, "decode_sysv_shm_flags")(shm))
for mode in (0, 0o600, 0o1666, 0o2777, 0o3600, 0o4777, 0o16000):
    check(f"decode_sysv_shm_mode_flags.{mode:o}", lambda: H(I, "decode_sysv_shm_mode_flags")(prog, mode))
check("decode_sysv_shm_mode_flags.default", lambda: H(I, "decode_sysv_shm_mode_flags")(0o3777))
shm = Object(prog, "struct shmid_kernel", value={"shm_perm": {"mode": 0o3640}})
check("decode_sysv_shm_flags.built", lambda: H(I, "decode_sysv_shm_flags")(shm))
