# drgn.helpers.linux.locking: who holds a sleeping lock — a mutex's owner, and a
# read-write semaphore's state and writer, for both the ordinary lock implementations
# and PREEMPT_RT's, where mutexes and rwsems are built on rt_mutex.
import enum

from drgn import Object, cast
from drgn.helpers import _fallback

__all__ = (
    "mutex_owner",
    "rwsem_locked",
    "rwsem_owner",
)

# The low bits of a mutex's owner word are flags (WAITERS, HANDOFF, PICKUP); a
# task_struct is aligned well beyond them.
_MUTEX_OWNER_FLAGS = 0x7
# rt_mutex_base.owner's bit 0 is RT_MUTEX_HAS_WAITERS.
_RT_MUTEX_HAS_WAITERS = 0x1
# rw_semaphore.owner's low bits: READER_OWNED, NONSPINNABLE (and formerly ANONYMOUSLY_OWNED).
_RWSEM_OWNER_FLAGS = 0x7
# PREEMPT_RT's rwbase_rt.readers: READER_BIAS while no writer is in, WRITER_BIAS once
# a writer holds the lock (kernel/locking/rwbase_rt.c).
_RWBASE_READER_BIAS = 1 << 31
_RWBASE_WRITER_BIAS = 1 << 30


def _task_pointer(prog, value):
    return Object(prog, "struct task_struct *", value)


def _rt_mutex_owner(rtm):
    # rt_mutex_base.owner is a struct task_struct * tagged with RT_MUTEX_HAS_WAITERS.
    return _task_pointer(rtm.prog_, rtm.owner.value_() & ~_RT_MUTEX_HAS_WAITERS)


def mutex_owner(lock):
    """The task holding the mutex (`struct task_struct *`), NULL if it is free."""
    try:
        owner = lock.owner
    except AttributeError:
        # PREEMPT_RT (since 5.15, commit bb630f9f7a7d "locking/rtmutex: Add mutex
        # variant for RT"): struct mutex wraps a struct rt_mutex_base.
        return _rt_mutex_owner(lock.rtmutex)
    try:
        # Since 4.10 (commit 3ca0ff571b09 "locking/mutex: Rework mutex::owner") the
        # owner is an atomic_long_t holding the task pointer and flag bits.
        word = owner.counter.value_()
    except AttributeError:
        # Before, a plain struct task_struct * (only with DEBUG_MUTEXES or
        # MUTEX_SPIN_ON_OWNER).
        return cast("struct task_struct *", owner)
    return _task_pointer(lock.prog_, word & ~_MUTEX_OWNER_FLAGS)


class RwsemLocked(enum.Enum):
    """Whether a read-write semaphore is free, held by readers or held by a writer."""

    UNLOCKED = enum.auto()
    READ_LOCKED = enum.auto()
    WRITE_LOCKED = enum.auto()

    def __bool__(self):
        return self is not RwsemLocked.UNLOCKED


def _rwbase(sem):
    # PREEMPT_RT (since 5.15, commit 42254105dfe8 "locking/rwsem: Add rtmutex based
    # R/W semaphore implementation"): struct rw_semaphore wraps a struct rwbase_rt.
    try:
        return sem.rwbase
    except AttributeError:
        return None


def _rwbase_state(rwb):
    readers = rwb.readers.counter.value_() & 0xFFFFFFFF
    if readers == _RWBASE_READER_BIAS:
        return RwsemLocked.UNLOCKED
    if readers == _RWBASE_WRITER_BIAS:
        return RwsemLocked.WRITE_LOCKED
    return RwsemLocked.READ_LOCKED


def _owner_word(sem):
    # Since 5.3 (commit 94a9717b3c40 "locking/rwsem: Make rwsem->owner an
    # atomic_long_t") the owner is an atomic_long_t; before, a tagged task pointer.
    owner = sem.owner
    try:
        return owner.counter.value_(), True
    except AttributeError:
        return owner.value_(), False


def rwsem_locked(sem):
    """RwsemLocked.UNLOCKED, READ_LOCKED or WRITE_LOCKED for the `struct rw_semaphore *`
    (true unless unlocked)."""
    rwb = _rwbase(sem)
    if rwb is not None:
        return _rwbase_state(rwb)
    count = sem.count.counter.value_()
    if count == 0:
        return RwsemLocked.UNLOCKED
    owner, new_scheme = _owner_word(sem)
    if new_scheme:
        # Since 5.3 (commit 64489e78004c "locking/rwsem: Implement a new locking
        # scheme") bit 0 of the count is RWSEM_WRITER_LOCKED.
        write = count & 1
    else:
        # Before, the count alone is ambiguous: readers tag the owner with bit 0
        # (RWSEM_READER_OWNED, which was the whole owner value before 4.20).
        write = not owner & 1
    return RwsemLocked.WRITE_LOCKED if write else RwsemLocked.READ_LOCKED


def rwsem_owner(sem):
    """The task holding the `struct rw_semaphore *` (`struct task_struct *`): the
    writer if write-locked; otherwise possibly the last reader, or NULL."""
    rwb = _rwbase(sem)
    if rwb is not None:
        # Readers of an RT rwsem leave no trace of themselves; a writer holds the
        # embedded rt_mutex (which a writer still waiting for readers holds too).
        if _rwbase_state(rwb) is RwsemLocked.WRITE_LOCKED:
            return _rt_mutex_owner(rwb.rtmutex)
        return _task_pointer(sem.prog_, 0)
    owner, _ = _owner_word(sem)
    return _task_pointer(sem.prog_, owner & ~_RWSEM_OWNER_FLAGS)


__getattr__ = _fallback.module_getattr(__name__)
