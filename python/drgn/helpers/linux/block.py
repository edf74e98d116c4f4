# drgn.helpers.linux.block: the block layer — disks (struct gendisk) and partitions
# (struct block_device since 5.11, struct hd_struct before), found through block_class;
# block requests (struct request: operation, position, size, driver data) and the busy
# requests of a blk-mq queue, found through its tag bitmaps.
from drgn import Object, cast, container_of
from drgn.helpers import _fallback
from drgn.helpers.common.format import escape_ascii_string
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.device import MAJOR, MINOR, MKDEV, class_for_each_device
from drgn.helpers.linux.list import list_for_each_entry
from drgn.helpers.linux.sbitmap import sbitmap_for_each_set
from drgn.helpers.linux.xarray import xa_for_each

__all__ = (
    "bdev_partno",
    "blk_mq_rq_from_pdu",
    "blk_mq_rq_to_pdu",
    "blk_rq_bytes",
    "blk_rq_pos",
    "disk_devt",
    "disk_name",
    "for_each_disk",
    "for_each_partition",
    "nr_blockdev_pages",
    "op_is_write",
    "part_devt",
    "part_name",
    "print_disks",
    "print_partitions",
    "req_op",
    "request_queue_busy_iter",
    "rq_data_dir",
)


def disk_devt(disk):
    """The `dev_t` of a `struct gendisk *` (its major and first minor)."""
    return Object(disk.prog_, "dev_t", MKDEV(disk.major.value_(), disk.first_minor.value_()))


def disk_name(disk):
    """The name (bytes) of a `struct gendisk *`, e.g. b"vda"."""
    return disk.disk_name.string_()


def bdev_partno(bdev):
    """The partition number (`u8`, 0 for a whole disk) of a `struct block_device *`."""
    # 6.10 (commit 1116b9fa15c0, "bdev: infrastructure for flags") folded bd_partno into
    # the low byte (BD_PARTNO) of the atomic __bd_flags.
    try:
        flags = bdev.member_("__bd_flags")
    except LookupError:
        return bdev.bd_partno.read_()
    return Object(bdev.prog_, "u8", flags.counter.value_() & 0xFF)


def _block_devices(prog):
    # Each device of block_class as a whole-disk-or-partition object: the struct
    # block_device around bd_device since 5.11 (commit 0d02129e76ed, "block: merge
    # struct block_device and struct hd_struct"), else the struct hd_struct around __dev.
    try:
        prog.type("struct block_device").member("bd_device")
    except LookupError:
        kind, member = "struct hd_struct", "__dev"
    else:
        kind, member = "struct block_device", "bd_device"
    for dev in class_for_each_device(prog["block_class"].address_of_()):
        yield container_of(dev, kind, member)


@takes_program_or_default
def for_each_disk(prog):
    """Each `struct gendisk *` registered, in registration order."""
    for part in _block_devices(prog):
        if part.type_.type.type_name() == "struct hd_struct":
            if not part.partno.value_():
                yield container_of(part, "struct gendisk", "part0")
        elif not bdev_partno(part).value_():
            yield part.bd_disk.read_()


@takes_program_or_default
def print_disks(prog):
    """Print each disk as "MAJOR:MINOR NAME (struct gendisk *)ADDRESS"."""
    for disk in for_each_disk(prog):
        name = escape_ascii_string(disk_name(disk), escape_backslash=True)
        print(f"{disk.major.value_()}:{disk.first_minor.value_()} {name} "
              f"({disk.type_.type_name()})0x{disk.value_():x}")


def part_devt(part):
    """The `dev_t` of a partition (`struct block_device *`, or `struct hd_struct *`
    before 5.11)."""
    try:
        return part.bd_dev
    except AttributeError:
        return part.__dev.devt


def part_name(part):
    """The name (bytes) of a partition, e.g. b"vda1" (b"vda" for the whole disk)."""
    try:
        dev = part.bd_device
    except AttributeError:
        dev = part.__dev
    return dev.kobj.name.string_()


@takes_program_or_default
def for_each_partition(prog):
    """Each partition registered, whole disks included: `struct block_device *` (or
    `struct hd_struct *` before 5.11)."""
    return _block_devices(prog)


@takes_program_or_default
def print_partitions(prog):
    """Print each partition as "MAJOR:MINOR NAME (TYPE)ADDRESS"."""
    for part in for_each_partition(prog):
        devt = part_devt(part).value_()
        name = escape_ascii_string(part_name(part), escape_backslash=True)
        print(f"{MAJOR(devt)}:{MINOR(devt)} {name} ({part.type_.type_name()})0x{part.value_():x}")


@takes_program_or_default
def nr_blockdev_pages(prog):
    """The number of page cache pages of all block device inodes (buffers in
    /proc/meminfo)."""
    total = 0
    for inode in list_for_each_entry("struct inode",
                                     prog["blockdev_superblock"].s_inodes.address_of_(),
                                     "i_sb_list"):
        total += inode.i_mapping.nrpages.value_()
    return total


def _req_op_layout(prog):
    # (enum type, shift, mask, write test) of request operations. Since 4.10 (commit
    # ef295ecf090d, "block: better op and flags encoding") the operation is the low
    # REQ_OP_BITS (8) bits of cmd_flags, and odd operations transfer data to the device
    # (commit 87374179c535); the enum is req_opf from then until 6.0 renamed it back to
    # req_op (commit ff07a02e9e8e). Before, the operation was cmd_flags' top 3 bits, any
    # operation but REQ_OP_READ wrote, and the flags were enum rq_flag_bits.
    try:
        return prog.cache["kdive_req_op_layout"]
    except KeyError:
        pass
    try:
        prog.type("enum rq_flag_bits")
    except LookupError:
        try:
            enum = prog.type("enum req_op")
        except LookupError:
            enum = prog.type("enum req_opf")
        layout = (enum, 0, 0xFF, lambda op: op & 1 != 0)
    else:
        layout = (prog.type("enum req_op"), 61, 0x7, lambda op: op != 0)
    prog.cache["kdive_req_op_layout"] = layout
    return layout


def req_op(rq):
    """The operation of a `struct request *`, as `enum req_op` (`enum req_opf` from 4.10
    to 5.19)."""
    enum, shift, mask, _ = _req_op_layout(rq.prog_)
    return Object(rq.prog_, enum, (rq.cmd_flags.value_() >> shift) & mask)


def op_is_write(op):
    """Whether a request operation moves data to the device (write, discard, ...)."""
    return _req_op_layout(op.prog_)[3](op.value_())


def rq_data_dir(rq):
    """1 (WRITE) if a `struct request *` writes to the device, else 0 (READ)."""
    return 1 if op_is_write(req_op(rq)) else 0


def blk_rq_pos(rq):
    """The current sector (`sector_t`) of a `struct request *`."""
    return rq.member_("__sector")


def blk_rq_bytes(rq):
    """The bytes left to transfer (`unsigned int`) of a `struct request *`."""
    return rq.member_("__data_len")


def blk_mq_rq_to_pdu(rq):
    """The driver's per-request data (`void *`), allocated right after the request."""
    return cast("void *", rq + 1)


def blk_mq_rq_from_pdu(pdu):
    """The `struct request *` whose driver data is `pdu`."""
    return cast("struct request *", pdu) - 1


def _hw_queues(q):
    # A queue's hardware contexts (`struct blk_mq_hw_ctx *`): the array queue_hw_ctx of
    # nr_hw_queues, except from 5.18 (commit 4e5cc99e1e48, "blk-mq: manage hctx map via
    # xarray") until 6.19, which keep them in the xarray hctx_table.
    try:
        table = q.queue_hw_ctx.read_()
    except AttributeError:
        ptr = q.prog_.pointer_type(q.prog_.type("struct blk_mq_hw_ctx"))
        return [cast(ptr, entry) for _, entry in xa_for_each(q.hctx_table.address_of_())]
    return [table[i].read_() for i in range(q.nr_hw_queues.value_())]


def _in_use(rq):
    # A request's reference count is 0 while it is free (refcount_t until 5.18, atomic_t
    # since).
    ref = rq.ref
    try:
        counter = ref.refs.counter
    except AttributeError:
        counter = ref.counter
    return counter.value_() != 0


def _tagged_requests(tags, static, keep):
    # The requests of the set bits of a struct blk_mq_tags: reserved tags are the bits of
    # breserved_tags, the others nr_reserved_tags + the bits of bitmap_tags (as
    # blk_mq_get_tag() allocates them). Scheduler tags own their request
    # (static_rqs[tag]); a driver tag points to the request holding it (rqs[tag]), an
    # entry that may be stale, so `keep(rq, tag)` checks it.
    nr_reserved = tags.nr_reserved_tags.value_()
    rqs = (tags.static_rqs if static else tags.rqs).read_()
    bitmaps = []
    if nr_reserved:
        bitmaps.append((tags.breserved_tags.sb.address_of_(), 0))
    bitmaps.append((tags.bitmap_tags.sb.address_of_(), nr_reserved))
    for sb, offset in bitmaps:
        for bit in sbitmap_for_each_set(sb):
            tag = bit + offset
            rq = rqs[tag].read_()
            if rq and (keep is None or keep(rq, tag)):
                yield rq


def request_queue_busy_iter(q, tags=None):
    """Each busy `struct request *` of a blk-mq `struct request_queue *`: those holding a
    driver tag (tags="driver") or a scheduler tag (tags="sched"); by default the latter
    when the queue has an I/O scheduler, else the former, i.e. every submitted request.
    Queues of bio-based drivers (no tag set) have none."""
    if tags not in (None, "driver", "sched"):
        raise ValueError("tags must be None, 'driver' or 'sched'")
    q = q.read_()
    prog = q.prog_
    tag_set = q.tag_set.read_()
    if not tag_set:
        return
    address = q.value_()
    # BLK_MQ_F_TAG_HCTX_SHARED (5.10, commit 32bc15afed04): every hardware queue of the
    # set shares one tag space.
    try:
        shared = tag_set.flags.value_() & prog["BLK_MQ_F_TAG_HCTX_SHARED"].value_() != 0
    except KeyError:
        shared = False
    elevator = bool(q.elevator)
    if tags is None:
        tags = "sched" if elevator else "driver"
    if tags == "sched":
        if not elevator:
            return  # without an I/O scheduler no scheduler tag is allocated
        if shared:
            # Since 5.16 (commit e155b0c238b2, "blk-mq: Use shared tags for shared sbitmap
            # support") the queue's hardware queues share one struct blk_mq_tags.
            try:
                sched = q.sched_shared_tags.read_()
            except AttributeError:
                pass
            else:
                yield from _tagged_requests(sched, True, None)
                return
        # Before, each has its own scheduler requests, and with shared tags their bitmaps
        # are shared too: a set bit is some hardware queue's request, the one in use.
        keep = (lambda rq, tag: _in_use(rq)) if shared else None
        for hctx in _hw_queues(q):
            sched = hctx.sched_tags.read_()
            if sched:
                yield from _tagged_requests(sched, True, keep)
        return

    # Driver tags may be shared with other queues of the tag set (e.g. the LUNs of a SCSI
    # host): keep the requests of this queue (and hardware queue) that hold the tag.
    if shared and tag_set.type_.type.has_member("shared_tags"):
        # Since 5.16 one struct blk_mq_tags for the whole set (see above).
        yield from _tagged_requests(
            tag_set.shared_tags.read_(), False,
            lambda rq, tag: (rq.q.value_() == address and rq.tag.value_() == tag
                             and _in_use(rq)))
        return
    for hctx in _hw_queues(q):
        hw_tags = hctx.tags.read_()
        if not hw_tags:
            continue  # an unmapped hardware queue
        hctx_address = hctx.value_()
        yield from _tagged_requests(
            hw_tags, False,
            lambda rq, tag: (rq.q.value_() == address and rq.mq_hctx.value_() == hctx_address
                             and rq.tag.value_() == tag and _in_use(rq)))


__getattr__ = _fallback.module_getattr(__name__)
