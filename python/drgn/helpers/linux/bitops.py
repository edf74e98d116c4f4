# drgn.helpers.linux.bitops: bit operations on kernel bitmaps (arrays of unsigned long).
from drgn import TypeKind
from drgn.helpers import _fallback

__all__ = ("for_each_clear_bit", "for_each_set_bit", "test_bit")


def _words(bitmap, size):
    # The words covering `size` bits, read in one go when the bitmap is in memory.
    prog = bitmap.prog_
    word_bits = 8 * bitmap[0].type_.size
    n = (size + word_bits - 1) // word_bits
    t = bitmap.type_
    while t.kind == TypeKind.TYPEDEF:
        t = t.type
    if t.kind == TypeKind.ARRAY and bitmap.address_ is None:
        return word_bits, [bitmap[i].value_() for i in range(n)]
    base = bitmap.address_ if t.kind == TypeKind.ARRAY else bitmap.value_()
    step = word_bits // 8
    data = prog.read(base, n * step) if n else b""
    return word_bits, [int.from_bytes(data[i * step:(i + 1) * step], "little") for i in range(n)]


def for_each_set_bit(bitmap, size):
    """Each bit number below `size` that is set in the bitmap (array or pointer)."""
    size = size.__index__()
    word_bits, words = _words(bitmap, size)
    for i, word in enumerate(words):
        while word:
            low = word & -word
            bit = i * word_bits + low.bit_length() - 1
            if bit >= size:
                return
            yield bit
            word ^= low


def for_each_clear_bit(bitmap, size):
    """Each bit number below `size` that is clear in the bitmap."""
    size = size.__index__()
    word_bits, words = _words(bitmap, size)
    for bit in range(size):
        if not (words[bit // word_bits] >> (bit % word_bits)) & 1:
            yield bit


def test_bit(nr, bitmap):
    """Whether bit `nr` of the bitmap is set."""
    nr = nr.__index__()
    word_bits = 8 * bitmap[0].type_.size
    return bool((bitmap[nr // word_bits].value_() >> (nr % word_bits)) & 1)


__getattr__ = _fallback.module_getattr(__name__)
