# drgn.helpers.linux.user: users the kernel tracks (struct user_struct in the uidhash
# table, hashed by UID as kernel/user.c's __uidhashfn does).
from drgn import NULL, Object
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.list import hlist_for_each_entry

__all__ = ("find_user", "for_each_user", "kuid_val")


def kuid_val(uid):
    """The integer of a kuid_t (or of an int)."""
    if isinstance(uid, Object) and uid.type_.kind.name in ("STRUCT", "TYPEDEF") and \
            hasattr(uid, "val"):
        return uid.val.value_()
    return uid.__index__()


@takes_program_or_default
def find_user(prog, uid):
    """The `struct user_struct *` of UID `uid`, NULL if none."""
    uid = kuid_val(uid)
    table = prog["uidhash_table"]
    bits = (len(table) - 1).bit_length()
    bucket = ((uid >> bits) + uid) & (len(table) - 1)
    for user in hlist_for_each_entry("struct user_struct", table[bucket].address_of_(),
                                     "uidhash_node"):
        if user.uid.val.value_() == uid:
            return user
    return NULL(prog, "struct user_struct *")


@takes_program_or_default
def for_each_user(prog):
    """Each `struct user_struct *` of the uidhash table, bucket by bucket."""
    for head in prog["uidhash_table"]:
        yield from hlist_for_each_entry("struct user_struct", head.address_of_(), "uidhash_node")


__getattr__ = _fallback.module_getattr(__name__)
