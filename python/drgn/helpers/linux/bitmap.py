# drgn.helpers.linux.bitmap: kernel bitmaps (arrays of unsigned long) as a whole; the
# per-bit operations (for_each_set_bit, test_bit, ...) are in bitops.
from drgn import sizeof
from drgn.helpers import _fallback

__all__ = ("bitmap_weight",)


def bitmap_weight(bitmap, size):
    """How many of the first `size` bits of the bitmap (`unsigned long *`) are set."""
    size = size.__index__()
    word_bits = 8 * sizeof(bitmap.type_.type)
    full, rest = divmod(size, word_bits)
    count = sum(bin(bitmap[i].value_()).count("1") for i in range(full))
    if rest:
        count += bin(bitmap[full].value_() & ((1 << rest) - 1)).count("1")
    return count


__getattr__ = _fallback.module_getattr(__name__)
