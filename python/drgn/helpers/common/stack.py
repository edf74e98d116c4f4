# drgn.helpers.common.stack: stack traces as memory — every word of each stack a trace
# ran on, annotated with what it points to and where each frame's stack pointer lies
# (print_annotated_stack) — and a frame's registers laid out as crash(8) prints them.
from drgn import Architecture, FaultError, PlatformFlags
from drgn.helpers import _fallback
from drgn.helpers.common.memory import identify_address_all
from drgn.helpers.common.prog import takes_program_or_default

__all__ = ("print_annotated_stack", "print_registers")

# A frame whose stack pointer is this far above the previous one's is on another stack
# (kernel stacks are a few pages, user stacks 8 MB by default).
_MAX_STACK_JUMP = 128 << 20


def _stack_runs(trace):
    # [start, end) index ranges of frames on one stack: a run ends at an interrupted
    # frame or where the stack pointer goes down or jumps far up.
    n = len(trace)
    start = 0
    while start < n:
        end = start + 1
        while end < n and not trace[end].interrupted:
            step = trace[end].sp - trace[end - 1].sp
            if step < 0 or step > _MAX_STACK_JUMP:
                break
            end += 1
        yield start, end
        start = end


def print_annotated_stack(trace):
    """Print each word of the stack memory the trace's frames used (from the first
    frame's stack pointer to the last's, stack by stack), with each frame where its
    stack pointer is, and the first identity identify_address_all() finds for each word
    (drgn 0.2.0's identify_address() wording: "task: ...", "task stack: ...")."""
    prog = trace.prog
    word = prog.address_size()
    order = "little" if prog.platform.flags & PlatformFlags.IS_LITTLE_ENDIAN else "big"
    digits = 2 * word
    print("STACK POINTER     VALUE" if word == 8 else "STACK     VALUE\nPOINTER")
    cache = {}
    for start, end in _stack_runs(trace):
        frames = [trace[i] for i in range(start, end)]
        low = frames[0].sp
        try:
            data = prog.read(low, frames[-1].sp - low + word)
        except FaultError:
            for frame in frames:
                print(f"[stack frame {frame}]")
            continue
        pending = 0
        for off in range(0, len(data), word):
            addr = low + off
            while pending < len(frames) and frames[pending].sp == addr:
                print(f"[stack frame {frames[pending]}]")
                pending += 1
            value = int.from_bytes(data[off:off + word], order)
            what = next(identify_address_all(prog, value, cache=cache), None)
            note = "" if what is None else f" [{what}]"
            print(f"{addr:0{digits}x}: {value:0{digits}x}{note}")


# Register rows as crash(8) prints them, per architecture, and the registers whose
# width (in digits) or format differs from a full word in hex.
_LAYOUTS = {
    Architecture.X86_64: (
        ("rip rsp rflags", "rax rbx rcx", "rdx rsi rdi", "rbp r8 r9", "r10 r11 r12",
         "r13 r14 r15", "cs ss"),
        {"rflags": (8, "x"), "cs": (4, "x"), "ss": (4, "x")}),
    Architecture.AARCH64: (
        ("pc lr sp",) + tuple(" ".join(f"x{r}" for r in range(i, i - 3, -1))
                              for i in range(29, 1, -3)),
        {}),
    Architecture.ARM: (
        ("pc lr sp fp", "r10 r9 r8", "r7 r6 r5 r4", "r3 r2 r1 r0"), {}),
    Architecture.S390X: (
        # (crash's s390x layout repeats r3 where r2 would be.)
        ("pswm pswa r0", "r1 r3 r3", "r4 r5 r6", "r7 r8 r9", "r10 r11 r12", "r13 r14 r15"),
        {}),
    Architecture.PPC64: (
        tuple(" ".join(f"r{r}" for r in range(i, min(i + 3, 32))) for i in range(0, 32, 3))
        + ("cr0 cr1 cr2 cr3", "cr4 cr5 cr6 cr7"),
        {f"cr{i}": (4, "b") for i in range(8)}),
}


@takes_program_or_default
def print_registers(prog, regs, indent="    "):
    """Print a register dict (as StackFrame.registers() gives) the way crash(8) does:
    a few registers a line, "NAME: VALUE", question marks for registers not in `regs`."""
    if not prog.platform:
        raise RuntimeError("Unknown platform & architecture")
    arch = prog.platform.arch
    if arch not in _LAYOUTS:
        raise RuntimeError(f"Unsupported architecture: {arch}")
    rows, special = _LAYOUTS[arch]
    default = (16 if prog.platform.flags & PlatformFlags.IS_64_BIT else 8, "x")
    for row in rows:
        cells = []
        for reg in row.split():
            width, fmt = special.get(reg, default)
            value = regs.get(reg)
            text = "?" * width if value is None else format(value, f"0{width}{fmt}")
            cells.append(f"{reg.upper():>3}: {text}")
        print(indent + "  ".join(cells))


__getattr__ = _fallback.module_getattr(__name__)
