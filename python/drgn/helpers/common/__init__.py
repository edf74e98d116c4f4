# kdive's drgn.helpers.common: helpers for any program (formatting, memory, types, the
# program-or-default argument convention), as drgn's modules of the same names.
