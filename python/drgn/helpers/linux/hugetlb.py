# drgn.helpers.linux.hugetlb: HugeTLB page pools — the hstates (one per huge page size)
# and how many huge pages they hold and have free.
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.mm import PageUsage

__all__ = (
    "for_each_hstate",
    "huge_page_size",
    "hugetlb_total_pages",
    "hugetlb_total_usage",
)


@takes_program_or_default
def for_each_hstate(prog):
    """Each `struct hstate *` in use (hstates[0 .. hugetlb_max_hstate - 1]); none
    without CONFIG_HUGETLBFS."""
    try:
        hstates = prog["hstates"]
    except KeyError:
        return iter(())
    count = prog["hugetlb_max_hstate"].value_()
    return (hstates[i].address_of_() for i in range(count))


def huge_page_size(hstate):
    """The size in bytes (`unsigned long`) of the huge pages of a `struct hstate *`."""
    return hstate.prog_["PAGE_SIZE"] << hstate.order


def _pool(prog):
    # (pages, free pages) in base-page units over every hstate.
    pages = free = 0
    for h in for_each_hstate(prog):
        order = h.order.value_()
        pages += h.nr_huge_pages.value_() << order
        free += h.free_huge_pages.value_() << order
    return pages, free


@takes_program_or_default
def hugetlb_total_pages(prog):
    """How many base pages all huge pages take together."""
    return _pool(prog)[0]


@takes_program_or_default
def hugetlb_total_usage(prog):
    """PageUsage of the huge page pools, in base pages."""
    pages, free = _pool(prog)
    return PageUsage(pages=pages, free_pages=free)


__getattr__ = _fallback.module_getattr(__name__)
