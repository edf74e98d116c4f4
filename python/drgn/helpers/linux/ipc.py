# drgn.helpers.linux.ipc: System V IPC objects (shared memory segments, semaphore arrays,
# message queues) of an IPC namespace — each kind an IDR of struct kern_ipc_perm embedded
# in its object — looked up by ID or listed, and shared memory mode flags.
from drgn import Object, container_of
from drgn.helpers import _fallback
from drgn.helpers.common.format import decode_flags
from drgn.helpers.common.prog import (
    takes_object_or_program_or_default,
    takes_program_or_default,
)
from drgn.helpers.linux.idr import idr_find, idr_for_each

__all__ = (
    "decode_sysv_shm_flags",
    "decode_sysv_shm_mode_flags",
    "find_sysv_msg_queue",
    "find_sysv_sem_array",
    "find_sysv_shm",
    "for_each_sysv_msg_queue",
    "for_each_sysv_sem_array",
    "for_each_sysv_shm",
)

# ipc_namespace::ids[] indices (ipc/util.h) with each kind's object and its
# struct kern_ipc_perm member.
_SEM = (0, "struct sem_array", "sem_perm")
_MSG = (1, "struct msg_queue", "q_perm")
_SHM = (2, "struct shmid_kernel", "shm_perm")

# ipc/util.h's IPCMNI_SHIFT: the bits of an ID that index the IDR, the rest being the
# object's sequence number; ipc_mni_shift holds it when it is variable (IPCMNI_EXTEND_SHIFT
# with the ipcmni_extend boot option, since 5.1).
_IPCMNI_SHIFT = 15

# The mode bits above the permissions (include/uapi/linux/shm.h; ABI).
_SHM_MODE_FLAGS = (("SHM_DEST", 0o1000), ("SHM_LOCKED", 0o2000))


def _ids(prog, ns, kind):
    if ns is None:
        ns = prog["init_ipc_ns"]
    return ns.ids[kind[0]].ipcs_idr.address_of_()


def _each(prog, ns, kind):
    _, type_name, member = kind
    for _, entry in idr_for_each(_ids(prog, ns, kind)):
        yield container_of(entry, type_name, member)


def _find(prog, ns, id, kind):
    _, type_name, member = kind
    id = id.__index__()
    try:
        shift = prog["ipc_mni_shift"].value_()
    except KeyError:
        shift = _IPCMNI_SHIFT
    # ipc_obtain_object_check(): the IDR slot of the ID's index, whose sequence number
    # must match the ID's upper bits.
    entry = idr_find(_ids(prog, ns, kind), id & ((1 << shift) - 1))
    if entry:
        obj = container_of(entry, type_name, member)
        if obj.member_(member).seq.value_() == id >> shift:
            return obj
    return Object(prog, prog.pointer_type(prog.type(type_name)), 0)


@takes_object_or_program_or_default
def for_each_sysv_msg_queue(prog, ns):
    """Each `struct msg_queue *` of an IPC namespace (`struct ipc_namespace *`; the
    initial one when given a Program or nothing)."""
    return _each(prog, ns, _MSG)


@takes_object_or_program_or_default
def find_sysv_msg_queue(prog, ns, id):
    """The `struct msg_queue *` with System V ID `id` in an IPC namespace, else NULL."""
    return _find(prog, ns, id, _MSG)


@takes_object_or_program_or_default
def for_each_sysv_shm(prog, ns):
    """Each `struct shmid_kernel *` (shared memory segment) of an IPC namespace."""
    return _each(prog, ns, _SHM)


@takes_object_or_program_or_default
def find_sysv_shm(prog, ns, id):
    """The `struct shmid_kernel *` with System V ID `id` in an IPC namespace, else NULL."""
    return _find(prog, ns, id, _SHM)


@takes_object_or_program_or_default
def for_each_sysv_sem_array(prog, ns):
    """Each `struct sem_array *` of an IPC namespace."""
    return _each(prog, ns, _SEM)


@takes_object_or_program_or_default
def find_sysv_sem_array(prog, ns, id):
    """The `struct sem_array *` with System V ID `id` in an IPC namespace, else NULL."""
    return _find(prog, ns, id, _SEM)


def decode_sysv_shm_flags(shm):
    """The SHM_* flags of a `struct shmid_kernel *`'s mode, e.g. "SHM_DEST|SHM_LOCKED"."""
    return decode_sysv_shm_mode_flags(shm.shm_perm.mode)


@takes_program_or_default
def decode_sysv_shm_mode_flags(prog, value):
    """The SHM_* flags of a shared memory segment's mode value (its bits above the
    permission bits 0o777), e.g. "SHM_LOCKED"."""
    return decode_flags(value.__index__() & ~0o777, _SHM_MODE_FLAGS, bit_numbers=False)


__getattr__ = _fallback.module_getattr(__name__)
