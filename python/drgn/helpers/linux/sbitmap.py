# drgn.helpers.linux.sbitmap: the kernel's scalable bitmaps (struct sbitmap: `map_nr`
# words of 1 << `shift` bits, `depth` bits in all, used for block layer tags).
from drgn.helpers import _fallback

__all__ = ("sbitmap_for_each_set",)


def sbitmap_for_each_set(sb):
    """Each bit number set in a `struct sbitmap *`, in increasing order."""
    depth = sb.depth.value_()
    shift = sb.shift.value_()
    map_nr = sb.map_nr.value_()
    if not map_nr:
        return
    # Every word holds 1 << shift bits but the last, which holds the remainder; until 5.17
    # (commit "lib/sbitmap: kill 'depth' from sbitmap_word") each word also recorded
    # that depth, always equal. `cleared` (bits freed but not yet cleared in `word`,
    # folded in lazily) exists since 5.0 (commit ea86ea2cdced, "sbitmap: ammortize cost
    # of clearing bits").
    has_cleared = sb.map.type_.type.has_member("cleared")
    words = sb.map
    for i in range(map_nr):
        w = words[i]
        start = i << shift
        nbits = depth - start if i == map_nr - 1 else 1 << shift
        nbits = max(0, min(nbits, 8 * w.word.type_.size))
        bits = w.word.value_()
        if has_cleared:
            bits &= ~w.cleared.value_()
        bits &= (1 << nbits) - 1
        while bits:
            low = bits & -bits
            yield start + low.bit_length() - 1
            bits ^= low


__getattr__ = _fallback.module_getattr(__name__)
