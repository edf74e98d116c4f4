# drgn.helpers.common.format: drgn's text formatting helpers — C-style escaping of
# characters and strings, decoding flag bitmasks (from name lists or enum types), and
# numbers in binary units ("1.5K"), and aligned text tables (print_table).
import collections.abc
import re

from drgn.helpers import _fallback

__all__ = (
    "CellFormat",
    "RowOptions",
    "decode_enum_type_flags",
    "decode_flags",
    "double_quote_ascii_string",
    "escape_ascii_character",
    "escape_ascii_string",
    "number_in_binary_units",
    "print_table",
)

_ESCAPES = {0: "\\0", 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r"}


def escape_ascii_character(c, escape_single_quote=False, escape_double_quote=False,
                           escape_backslash=False):
    """One byte as C would write it in a literal: printable ASCII as itself, the usual
    escapes, else \\xNN."""
    c = c.__index__()
    if c in _ESCAPES:
        return _ESCAPES[c]
    if c == 0x27 and escape_single_quote:
        return "\\'"
    if c == 0x22 and escape_double_quote:
        return '\\"'
    if c == 0x5C and escape_backslash:
        return "\\\\"
    if 32 <= c <= 126:
        return chr(c)
    return f"\\x{c:02x}"


def escape_ascii_string(buffer, escape_single_quote=False, escape_double_quote=False,
                        escape_backslash=False):
    """escape_ascii_character() of every byte of `buffer`, concatenated."""
    return "".join(escape_ascii_character(c, escape_single_quote, escape_double_quote,
                                          escape_backslash) for c in buffer)


def double_quote_ascii_string(buffer):
    """`buffer` as a double-quoted C string literal."""
    return '"' + escape_ascii_string(buffer, escape_double_quote=True, escape_backslash=True) + '"'


def decode_flags(value, flags, bit_numbers=True):
    """Names of the flags set in `value` joined by "|" (every name of a bit that has
    several), unknown bits last as hex; "0" for zero. `flags` is (name, bit number) or,
    with bit_numbers=False, (name, value) pairs."""
    value = value.__index__()
    if value == 0:
        return "0"
    parts = []
    known = 0
    for name, flag in flags:
        mask = 1 << flag if bit_numbers else flag
        if value & mask:
            parts.append(name)
            known |= mask
    if value & ~known:
        parts.append(hex(value & ~known))
    return "|".join(parts)


def decode_enum_type_flags(value, type, bit_numbers=True):
    """decode_flags() with the enumerators of an enum type as the flags."""
    enumerators = type.enumerators
    if enumerators is None:
        raise TypeError("cannot decode incomplete enumerated type")
    return decode_flags(value, [(e.name, e.value) for e in enumerators], bit_numbers)


def number_in_binary_units(n, precision=1):
    """`n` scaled by powers of 1024 with a K/M/G/... suffix; exact values without a
    fractional part."""
    n = float(n)
    for prefix in ("", "K", "M", "G", "T", "P", "E", "Z"):
        if abs(n) < 1024:
            break
        n /= 1024.0
    else:
        prefix = "Y"
    if n.is_integer():
        precision = 0
    return f"{n:.{precision}f}{prefix}"


# --- tables -------------------------------------------------------------------------
# A format spec split around its width: [[fill]align][sign][z][#][0] WIDTH
# [grouping][.precision][type]. CellFormat keeps the parts before and after the width,
# and print_table puts the column width between them.
_SPEC = re.compile(r"((?:.?[<>=^])?[-+ ]?z?#?0?)([0-9]*)([,_]?(?:\.[0-9])?[bcdeEfFgGnosxX%]?)")


class CellFormat:
    """A table cell: `value` formatted with `format_spec` (which has no width; the
    column gives it)."""

    def __init__(self, value, format_spec):
        m = _SPEC.fullmatch(format_spec)
        if m is None:
            raise ValueError(f"invalid format_spec {format_spec!r}")
        if m.group(2):
            raise ValueError("format_spec must not have width")
        self._value = value
        self._before = m.group(1)
        self._after = m.group(3)

    def __str__(self):
        return format(self._value, self._before + self._after)

    def __format__(self, format_spec):
        return format(self._value, self._before + format_spec + self._after)


class RowOptions(collections.abc.Sequence):
    """A table row that is aligned only with the rows of the same `group` (default 0)."""

    def __init__(self, row, *, group=0):
        self._seq = row
        self._group = group

    def __getitem__(self, index):
        return self._seq[index]

    def __len__(self):
        return len(self._seq)

    def __iter__(self):
        return iter(self._seq)

    def __contains__(self, x):
        return x in self._seq

    def __reversed__(self):
        return reversed(self._seq)

    def index(self, *args):
        return self._seq.index(*args)

    def count(self, value):
        return self._seq.count(value)


def _row_group(row):
    return row._group if isinstance(row, RowOptions) else 0


def print_table(rows, *, sep="  ", file=None):
    """Print rows of cells as columns as wide as their widest cell (per group of
    rows, see RowOptions): format()'s default alignment (numbers right, text left),
    or a CellFormat's; trailing blanks of each line's last cell are dropped."""
    widths = {}
    for row in rows:
        w = widths.setdefault(_row_group(row), [])
        for i, cell in enumerate(row):
            n = len(str(cell))
            if i == len(w):
                w.append(n)
            elif n > w[i]:
                w[i] = n
    for row in rows:
        w = widths[_row_group(row)]
        cells = [format(cell, str(w[i]) if w[i] else "") for i, cell in enumerate(row)]
        if cells:
            cells[-1] = cells[-1].rstrip(" ")
        print(*cells, sep=sep, file=file)


__getattr__ = _fallback.module_getattr(__name__)
