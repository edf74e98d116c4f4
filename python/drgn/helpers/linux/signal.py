# drgn.helpers.linux.signal: signals — the architecture's signal numbers and
# sigaction flags by name, signal sets decoded to names or /proc's hex, and the
# queue of pending signals.
import operator
import types

from drgn import Object, TypeKind, sizeof
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.bitops import for_each_set_bit
from drgn.helpers.linux.list import list_for_each_entry

__all__ = (
    "decode_sigaction_flags",
    "decode_sigaction_flags_value",
    "decode_sigset",
    "sigaction_flags",
    "signal_names",
    "signal_numbers",
    "sigpending_for_each",
    "sigset_to_hex",
)

# The generic Linux numbering (include/uapi/asm-generic/signal.h), which x86-64 and
# arm64 share; each preferred name precedes its aliases.
_GENERIC_SIGNALS = types.MappingProxyType({
    "SIGHUP": 1, "SIGINT": 2, "SIGQUIT": 3, "SIGILL": 4, "SIGTRAP": 5,
    "SIGABRT": 6, "SIGIOT": 6, "SIGBUS": 7, "SIGFPE": 8, "SIGKILL": 9,
    "SIGUSR1": 10, "SIGSEGV": 11, "SIGUSR2": 12, "SIGPIPE": 13, "SIGALRM": 14,
    "SIGTERM": 15, "SIGSTKFLT": 16, "SIGCHLD": 17, "SIGCLD": 17, "SIGCONT": 18,
    "SIGSTOP": 19, "SIGTSTP": 20, "SIGTTIN": 21, "SIGTTOU": 22, "SIGURG": 23,
    "SIGXCPU": 24, "SIGXFSZ": 25, "SIGVTALRM": 26, "SIGPROF": 27, "SIGWINCH": 28,
    "SIGIO": 29, "SIGPOLL": 29, "SIGPWR": 30, "SIGSYS": 31,
    "SIGRTMIN": 32, "SIGRTMAX": 64,
})
# sa_flags of x86-64 and arm64 (asm-generic/signal-defs.h plus SA_RESTORER).
_GENERIC_SIGACTION_FLAGS = types.MappingProxyType({
    "SA_NOCLDSTOP": 0x1, "SA_NOCLDWAIT": 0x2, "SA_SIGINFO": 0x4,
    "SA_UNSUPPORTED": 0x400, "SA_EXPOSE_TAGBITS": 0x800,
    "SA_RESTORER": 0x04000000, "SA_ONSTACK": 0x08000000, "SA_RESTART": 0x10000000,
    "SA_NODEFER": 0x40000000, "SA_NOMASK": 0x40000000,
    "SA_RESETHAND": 0x80000000, "SA_ONESHOT": 0x80000000,
})
_BY_ARCH = {
    "x86_64": (_GENERIC_SIGNALS, _GENERIC_SIGACTION_FLAGS),
    "aarch64": (_GENERIC_SIGNALS, _GENERIC_SIGACTION_FLAGS),
}


def _arch_tables(prog):
    arch = prog.platform.arch.name.lower()
    try:
        return _BY_ARCH[arch]
    except KeyError:
        raise NotImplementedError(f"signal numbers of {arch} are not known") from None


def sigpending_for_each(pending):
    """Each queued signal (`struct sigqueue *`) of the `struct sigpending *`."""
    return list_for_each_entry("struct sigqueue", pending.list.address_of_(), "list")


@takes_program_or_default
def signal_names(prog):
    """{signal name: number} of the kernel's architecture, preferred names first."""
    return _arch_tables(prog)[0]


@takes_program_or_default
def signal_numbers(prog):
    """{signal number: [names]}, preferred name first; real-time signals are named
    SIGRTMIN+n up to the middle of their range and SIGRTMAX-n above, as crash does."""
    try:
        return prog.cache["kdive_signal_numbers"]
    except KeyError:
        pass
    names = signal_names(prog)
    rtmin, rtmax = names["SIGRTMIN"], names["SIGRTMAX"]
    middle = (rtmin + rtmax) // 2
    numbers = {}
    for name, number in names.items():
        if number == rtmax:
            for n in range(rtmin + 1, rtmax):
                label = f"SIGRTMIN+{n - rtmin}" if n <= middle else f"SIGRTMAX-{rtmax - n}"
                numbers.setdefault(n, []).append(label)
        numbers.setdefault(number, []).append(name)
    result = types.MappingProxyType(numbers)
    prog.cache["kdive_signal_numbers"] = result
    return result


@takes_program_or_default
def sigaction_flags(prog):
    """{sa_flags name: value} of the kernel's architecture, preferred names first."""
    return _arch_tables(prog)[1]


def _sigset_object(prog, value):
    value = operator.index(value)
    if value < 0:
        raise ValueError("sigset cannot be negative")
    sigset_type = prog.type("sigset_t")
    word_bits = sizeof(sigset_type.member("sig").type.type) * 8
    words = []
    while value:
        words.append(value & ((1 << word_bits) - 1))
        value >>= word_bits
    return Object(prog, sigset_type, {"sig": words})


@takes_program_or_default
def decode_sigset(prog, sigset):
    """The signals of a `sigset_t` (object, pointer or integer) as "{SIGINT,SIGTERM}"."""
    if not isinstance(sigset, Object) or sigset.type_.unaliased_kind() == TypeKind.INT:
        sigset = _sigset_object(prog, sigset)
    names = signal_numbers(sigset.prog_)
    sig = sigset.sig
    return "{" + ",".join(names[bit + 1][0]
                          for bit in for_each_set_bit(sig, sizeof(sig) * 8)) + "}"


def sigset_to_hex(sigset):
    """The `sigset_t` (or pointer) in hex as /proc/PID/status prints it: _NSIG bits,
    most significant word first."""
    prog = sigset.prog_
    nsig = prog.type("struct sighand_struct").member("action").type.length  # _NSIG
    sig = sigset.sig
    word_bits = sizeof(sig.type_.type) * 8
    full = word_bits // 4
    words = sig.value_()
    parts = []
    for i, word in enumerate(reversed(words)):
        # The top word holds only the bits up to _NSIG.
        width = full if i or nsig % word_bits == 0 else (nsig % word_bits + 3) // 4
        parts.append(f"{word:0{width}x}")
    return "".join(parts)


def decode_sigaction_flags(sigaction):
    """The `struct sigaction`'s sa_flags by name ("SA_RESTORER|SA_RESTART")."""
    return decode_sigaction_flags_value(sigaction.prog_, sigaction.sa_flags.value_())


@takes_program_or_default
def decode_sigaction_flags_value(prog, value):
    """sa_flags `value` by name, one name per flag (the preferred one), unknown bits
    as hex, "0" for none."""
    value = operator.index(value)
    if value == 0:
        return "0"
    parts = []
    rest = value
    for name, flag in sigaction_flags(prog).items():
        if rest & flag:
            parts.append(name)
            rest &= ~flag
    if rest:
        parts.append(hex(rest))
    return "|".join(parts)


__getattr__ = _fallback.module_getattr(__name__)
