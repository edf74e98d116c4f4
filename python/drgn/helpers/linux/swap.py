# drgn.helpers.linux.swap: swap devices and files (the swap_info table), their paths, kinds
# and usage, the system-wide swap totals (/proc/meminfo's SwapTotal/SwapFree) and the
# swap cache's size.
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.fs import d_path
from drgn.helpers.linux.mm import PageUsage
from drgn.helpers.linux.vmstat import global_node_page_state

__all__ = (
    "for_each_swap_info",
    "swap_file_path",
    "swap_is_file",
    "swap_total_usage",
    "swap_usage_in_pages",
    "total_swapcache_pages",
)


@takes_program_or_default
def for_each_swap_info(prog):
    """Each `struct swap_info_struct *` in use (SWP_USED), by swap type number."""
    table = prog["swap_info"]
    used = prog["SWP_USED"].value_()
    for i in range(prog["nr_swapfiles"].value_()):
        si = table[i].read_()
        if si and si.flags.value_() & used:
            yield si


def swap_file_path(si):
    """The path (bytes) of a swap device's block device node or swap file."""
    return d_path(si.swap_file.f_path.address_of_())


def swap_is_file(si):
    """Whether a `struct swap_info_struct *` is a regular file (not a block device)."""
    return not si.flags.value_() & si.prog_["SWP_BLKDEV"].value_()


def swap_usage_in_pages(si):
    """The number of pages in use on a `struct swap_info_struct *`."""
    inuse = si.inuse_pages
    try:
        counter = inuse.counter
    except AttributeError:  # a plain unsigned int
        return inuse.value_()
    # Since the swap allocator rework of 6.14 ("mm, swap: rework of swap allocator
    # locks" series) inuse_pages is an atomic_long_t whose bit 30 (SWAP_USAGE_OFFLIST_BIT
    # = 1UL << (BITS_PER_TYPE(atomic_t) - 2), on every architecture) says the device is
    # off the available list; the count is the other bits.
    return counter.value_() & ~(1 << 30)


@takes_program_or_default
def swap_total_usage(prog):
    """All swap space as a PageUsage (pages, free_pages), counting the pages of devices
    being swapped off as both total and free, as si_swapinfo() does."""
    used = prog["SWP_USED"].value_()
    mask = used | prog["SWP_WRITEOK"].value_()
    leaving = 0
    for si in for_each_swap_info(prog):
        if si.flags.value_() & mask == used:  # swapoff in progress
            leaving += swap_usage_in_pages(si)
    return PageUsage(pages=prog["total_swap_pages"].value_() + leaving,
                     free_pages=prog["nr_swap_pages"].counter.value_() + leaving)


@takes_program_or_default
def total_swapcache_pages(prog):
    """The number of pages in the swap cache."""
    # The node counter NR_SWAPCACHE exists since 5.12 (commit "mm: memcg: add swapcache
    # stat for memcg v2"); before, the kernel summed its swapper address spaces: since
    # 4.11 nr_swapper_spaces[type] spaces per swap type, before that one per type.
    try:
        item = prog["NR_SWAPCACHE"]
    except KeyError:
        pass
    else:
        return global_node_page_state(prog, item)
    spaces = prog["swapper_spaces"]
    try:
        counts = prog["nr_swapper_spaces"]
    except KeyError:
        return sum(space.nrpages.value_() for space in spaces)
    total = 0
    for i in range(len(spaces)):
        n = counts[i].value_()
        if n:
            array = spaces[i].read_()
            total += sum(array[j].nrpages.value_() for j in range(n))
    return total


__getattr__ = _fallback.module_getattr(__name__)
