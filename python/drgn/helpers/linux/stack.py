# drgn.helpers.linux.stack: a kernel stack trace cut into segments at the frames where
# one context interrupted another (IRQ over task, NMI over IRQ, kernel over user), each
# segment labeled with the stack its frames ran on: the task's stack, the CPU's IRQ or
# exception stacks, or user space (kernel_stack_trace, LinuxKernelStack).
import enum
import itertools
from dataclasses import dataclass
from typing import Sequence

from drgn import Architecture, Object, Program, StackFrame, TypeKind, sizeof
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.percpu import per_cpu
from drgn.helpers.linux.pid import find_task
from drgn.helpers.linux.sched import task_cpu

__all__ = ("StackKind", "StackSegment", "LinuxKernelStack", "kernel_stack_trace")


class StackKind(enum.Enum):
    """The context a segment of a kernel stack trace ran in."""

    USER = 1
    TASK = 2
    IRQ = 3
    SOFTIRQ = 4
    NMI = 5
    EXCEPTION = 6
    UNKNOWN = 7


@dataclass(frozen=True)
class StackSegment:
    """The consecutive frames of a trace that ran on one stack, and its kind."""

    kind: StackKind
    frames: Sequence[StackFrame]

    def __iter__(self):
        return iter(self.frames)

    def __len__(self):
        return len(self.frames)

    def __getitem__(self, key):
        return self.frames[key]


@dataclass(frozen=True)
class LinuxKernelStack:
    """A stack trace as segments (innermost first); iterates and indexes like a
    StackTrace, over all the segments' frames."""

    prog: Program
    segments: Sequence[StackSegment]

    def __str__(self):
        lines = []
        n = 0
        for segment in self.segments:
            for frame in segment.frames:
                try:
                    where = " (%s:%d:%d)" % frame.source()
                except LookupError:
                    where = ""
                lines.append(f"#{n:<2d} {frame.name}{where}")
                n += 1
            lines.append(f"  --- end {segment.kind.name} stack ---")
        return "\n".join(lines)

    def __iter__(self):
        return itertools.chain.from_iterable(self.segments)

    def __len__(self):
        return sum(len(segment.frames) for segment in self.segments)

    def __getitem__(self, index):
        if index < 0:
            index += len(self)
        if index >= 0:
            for segment in self.segments:
                if index < len(segment.frames):
                    return segment.frames[index]
                index -= len(segment.frames)
        raise IndexError("index out of range")


def _per_cpu_value(prog, name, cpu):
    return per_cpu(prog[name], cpu).value_()


# --- x86-64: the per-CPU stacks (arch/x86/include/asm/cpu_entry_area.h, irq_64.c) ---
# The cpu_entry_area of each CPU lies in a fixed region: CPU_ENTRY_AREA_BASE
# (0xfffffe0000000000, P4D slot -4, with 4- and 5-level paging) plus one page for the
# read-only IDT, then one struct cpu_entry_area per CPU.
_X86_CPU_ENTRY_AREA_BASE = 0xFFFFFE0000000000


def _x86_64_ranges(prog, cpu):
    page_size = prog["PAGE_SIZE"].value_()
    ranges = []
    try:
        cea = prog.type("struct cpu_entry_area")
    except LookupError:
        # Before the cpu_entry_area (4.15, KPTI), the IST stacks were the per-CPU
        # array exception_stacks, used in place.
        stacks = prog["exception_stacks"]
        start = per_cpu(stacks, cpu).address_
        ranges.append((start, start + sizeof(stacks), StackKind.EXCEPTION))
    else:
        try:
            # 6.2+ ("x86/mm: Randomize per-cpu entry area"; 7.2 fixture): a CPU's
            # area is at a random slot, _cea_offset; before, at its CPU number.
            slot = _per_cpu_value(prog, "_cea_offset", cpu)
        except KeyError:
            slot = cpu
        start = _X86_CPU_ENTRY_AREA_BASE + page_size + slot * cea.size
        try:
            # 5.1+ ("x86/exceptions: Add structs for exception stacks"): the area's
            # struct cea_exception_stacks names each IST stack, NMI_stack among them.
            estacks = cea.member("estacks")
            nmi = estacks.type.member("NMI_stack")
        except LookupError:
            pass
        else:
            nmi_start = start + estacks.offset + nmi.offset
            ranges.append((nmi_start, nmi_start + sizeof(nmi.type), StackKind.NMI))
        ranges.append((start, start + cea.size, StackKind.EXCEPTION))

    # The hard IRQ stack: hardirq_stack_ptr is a per-CPU variable before 6.2 and again
    # from 6.15 ("x86/irq: Move irq stacks to percpu hot section"), a member of
    # pcpu_hot in between, irq_stack_ptr before 5.2 ("x86/irq/64: Rename irq_stack_ptr
    # to hardirq_stack_ptr"). It points at the top of the stack (5.10 fixture), or 8
    # bytes below it since 5.12 ("x86/irq/64: Adjust the per CPU irq stack pointer by
    # 8"; 6.1 and 7.2 fixtures); the stack is page aligned, so its top is the pointer
    # rounded up to a page.
    try:
        top = _per_cpu_value(prog, "hardirq_stack_ptr", cpu)
    except KeyError:
        try:
            top = per_cpu(prog["pcpu_hot"], cpu).hardirq_stack_ptr.value_()
        except KeyError:
            top = _per_cpu_value(prog, "irq_stack_ptr", cpu)
    top = (top + page_size - 1) & ~(page_size - 1)
    try:
        irq_size = prog.type("struct irq_stack").size  # char stack[IRQ_STACK_SIZE]
    except LookupError:
        irq_size = prog["THREAD_SIZE"].value_()
    ranges.append((top - irq_size, top, StackKind.IRQ))
    # User addresses have the top bit clear; page 0 is never a stack.
    ranges.append((page_size, 1 << 63, StackKind.USER))
    return ranges


_ARCH_RANGES = {Architecture.X86_64: _x86_64_ranges}


def _classify(task, cpu, frames):
    prog = task.prog_
    try:
        sp = frames[0].sp
    except LookupError:
        return StackSegment(StackKind.UNKNOWN, frames)
    stack = task.stack.value_()
    ranges = [(stack, stack + prog["THREAD_SIZE"].value_(), StackKind.TASK)]
    arch = prog.platform.arch if prog.platform else None
    if arch in _ARCH_RANGES:
        ranges.extend(_ARCH_RANGES[arch](prog, cpu))
    for start, end, kind in ranges:
        if start <= sp < end:
            return StackSegment(kind, frames)
    return StackSegment(StackKind.UNKNOWN, frames)


@takes_program_or_default
def kernel_stack_trace(prog, task_arg):
    """The stack trace of a task (`struct task_struct *`, or a PID as int or integer
    Object) as a LinuxKernelStack: a new segment starts at each interrupted frame, and
    each segment's kind is the stack its innermost frame's stack pointer is on."""
    if isinstance(task_arg, Object):
        kind = task_arg.type_.unaliased_kind()
        if kind == TypeKind.POINTER:
            task = task_arg
        elif kind == TypeKind.INT:
            task = find_task(prog, task_arg.value_())
        else:
            raise TypeError("expected struct task_struct *, or int (pid)")
    else:
        task = find_task(prog, task_arg.__index__())
    prog = task.prog_
    cpu = task_cpu(task)
    segments = []
    current = []
    pending = []  # a physical frame's inline frames, then the frame itself
    for frame in prog.stack_trace(task):
        pending.append(frame)
        if frame.is_inline:
            continue
        if current and frame.interrupted:
            segments.append(_classify(task, cpu, current))
            current = []
        current.extend(pending)
        pending = []
    current.extend(pending)
    if current:
        segments.append(_classify(task, cpu, current))
    return LinuxKernelStack(prog, segments)


__getattr__ = _fallback.module_getattr(__name__)
