// drgn's Platform, Register, Language, host_platform, filename_matches, Program.platform
// and .language; drgn 0.2.0's names kdive has no behaviour for (Module, DebugInfoOptions,
// ...: NotImplementedError when used) and the modules drgn's package expects beside it.
#include <pybind11/eval.h>

#include "python/python_enums.h"
#include "python/python_handles.h"

namespace kdive::python {

namespace {

constexpr const char* kPlatformSource = R"PY(
import enum
import os
import typing


class Register:
    __slots__ = ("_names",)

    def __init__(self, names):
        object.__setattr__(self, "_names", tuple(names))

    @property
    def names(self):
        return self._names

    def __setattr__(self, name, value):
        raise AttributeError(f"readonly attribute '{name}'")

    def __eq__(self, other):
        return isinstance(other, Register) and self._names == other._names

    def __hash__(self):
        return hash(self._names)

    def __repr__(self):
        return f"Register({self._names!r})"


# drgn's x86-64 register order (libdrgn/arch_x86_64.defs).
_X86_64_REGISTERS = tuple(Register((n,)) for n in (
    "rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11",
    "r12", "r13", "r14", "r15", "rip", "rflags", "es", "cs", "ss", "ds", "fs", "gs",
    "fs.base", "gs.base"))


class Platform:
    __slots__ = ("_arch", "_flags")

    def __init__(self, arch, flags=None):
        if not isinstance(arch, Architecture):
            raise TypeError("arch must be Architecture")
        if flags is None:
            if arch == Architecture.UNKNOWN:
                raise ValueError("cannot get default platform flags of unknown architecture")
            flags = PlatformFlags.IS_64_BIT | PlatformFlags.IS_LITTLE_ENDIAN
            if arch in (Architecture.I386, Architecture.ARM, Architecture.RISCV32, Architecture.S390):
                flags &= ~PlatformFlags.IS_64_BIT
            if arch in (Architecture.S390X, Architecture.S390):
                flags &= ~PlatformFlags.IS_LITTLE_ENDIAN
        elif not isinstance(flags, PlatformFlags):
            raise TypeError("flags must be PlatformFlags or None")
        object.__setattr__(self, "_arch", arch)
        object.__setattr__(self, "_flags", flags)

    arch = property(lambda self: self._arch)
    flags = property(lambda self: self._flags)

    @property
    def registers(self):
        return _X86_64_REGISTERS if self._arch == Architecture.X86_64 else ()

    def __setattr__(self, name, value):
        raise AttributeError(f"readonly attribute '{name}'")

    def __eq__(self, other):
        if not isinstance(other, Platform):
            return NotImplemented
        return self._arch == other._arch and self._flags == other._flags

    __hash__ = None

    def __repr__(self):
        return f"Platform({self._arch!r}, {self._flags!r})"


host_platform = Platform(Architecture.X86_64)


class Language:
    __slots__ = ("_name", "_attr")

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create '_drgn.Language' instances")

    @classmethod
    def _make(cls, attr, name):
        self = object.__new__(cls)
        object.__setattr__(self, "_attr", attr)
        object.__setattr__(self, "_name", name)
        return self

    name = property(lambda self: self._name)

    def __setattr__(self, name, value):
        raise AttributeError(f"readonly attribute '{name}'")

    def __repr__(self):
        return f"Language.{self._attr}"


Language.C = Language._make("C", "C")
Language.CPP = Language._make("CPP", "C++")


def _path_components(path):
    return [c for c in path.split("/") if c and c != "."]


def filename_matches(haystack, needle):
    if not needle:
        return True
    if not haystack:
        return False
    h = _path_components(haystack)
    n = _path_components(needle)
    if len(n) > len(h):
        return False
    if needle.startswith("/") and (not haystack.startswith("/") or len(n) != len(h)):
        return False
    return h[len(h) - len(n):] == n


class _Unsupported:
    """A drgn API kdive's engine does not provide."""

    _what = "this drgn API"

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(f"kdive does not implement {type(self).__name__}")

    def __class_getitem__(cls, item):  # MemorySearchIterator[int] in annotations
        return cls


def _unsupported_class(name, base=_Unsupported):
    return type(name, (base,), {"__module__": __name__, "__doc__": f"{name}: not implemented by kdive"})


_STUB_CLASSES = {}
for _name in ("DebugInfoOptions", "SymbolIndex",
              "TypeTemplateParameter", "TypeKindSet"):
    _STUB_CLASSES[_name] = _unsupported_class(_name)
Module = _unsupported_class("Module")
_STUB_CLASSES["Module"] = Module
for _name in ("MainModule", "SharedLibraryModule", "VdsoModule", "RelocatableModule", "ExtraModule"):
    _STUB_CLASSES[_name] = _unsupported_class(_name, Module)


class ModuleFileStatus(enum.Enum):
    WANT = 0
    HAVE = 1
    DONT_WANT = 2
    DONT_NEED = 3
    WANT_SUPPLEMENTARY = 4


class SupplementaryFileKind(enum.Enum):
    GNU_DEBUGALTLINK = 0


class KmodSearchMethod(enum.Enum):
    NONE = 0
    DEPMOD = 1
    WALK = 2
    DEPMOD_OR_WALK = 3
    DEPMOD_AND_WALK = 4


class WantedSupplementaryFile(typing.NamedTuple):
    kind: SupplementaryFileKind
    path: str
    supplementary_path: str
    checksum: bytes


class SourceLocation(typing.NamedTuple("SourceLocation", [("filename", str), ("line", int), ("column", int)])):
    # A (filename, line, column) tuple whose `name` is a callable giving the function's
    # (else the symbol's) name at the location, or None; str() as drgn prints it:
    # "name at file:line:col", "???" for no name, "??:?" for no file.
    def __new__(cls, filename, line, column, name=None):
        self = super().__new__(cls, filename, line, column)
        self.name = name if callable(name) else (lambda: None)
        return self

    def __str__(self):
        name = self.name()
        if name is None:
            name = "???"
        if not self.filename:
            return f"{name} at ??:?"
        if self.column:
            return f"{name} at {self.filename}:{self.line}:{self.column}"
        return f"{name} at {self.filename}:{self.line}"


class SourceLocationList:
    """The source locations of one code address, innermost inlined function first."""

    __slots__ = ("prog", "_locations")

    def __init__(self, prog, locations):
        self.prog = prog
        self._locations = tuple(locations)

    def __getitem__(self, i):
        return self._locations[i]

    def __len__(self):
        return len(self._locations)

    def __iter__(self):
        return iter(self._locations)

    def __str__(self):
        if len(self._locations) == 1:
            return str(self._locations[0])
        return "\n".join(f"#{i:<2} {loc}" for i, loc in enumerate(self._locations))

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))


class IntegerLike(typing.Protocol):
    def __index__(self) -> int: ...


def implicit_convert(type, obj, bit_field_size=None):
    raise NotImplementedError("kdive does not implement implicit_convert")


class _ThreadIterator:
    def __init__(self, *args, **kwargs):
        raise TypeError("cannot create '_drgn._ThreadIterator' instances")


import importlib.machinery
import sys


# Linux's x86-64 signal numbers and sigaction flags (asm-generic/signal.h,
# arch/x86/include/uapi/asm/signal.h), preferred names first, for the fallback
# _drgn_util.platform below.
_X86_64_SIGNALS = {
    "SIGHUP": 1, "SIGINT": 2, "SIGQUIT": 3, "SIGILL": 4, "SIGTRAP": 5, "SIGABRT": 6,
    "SIGIOT": 6, "SIGBUS": 7, "SIGFPE": 8, "SIGKILL": 9, "SIGUSR1": 10, "SIGSEGV": 11,
    "SIGUSR2": 12, "SIGPIPE": 13, "SIGALRM": 14, "SIGTERM": 15, "SIGSTKFLT": 16,
    "SIGCHLD": 17, "SIGCLD": 17, "SIGCONT": 18, "SIGSTOP": 19, "SIGTSTP": 20, "SIGTTIN": 21,
    "SIGTTOU": 22, "SIGURG": 23, "SIGXCPU": 24, "SIGXFSZ": 25, "SIGVTALRM": 26,
    "SIGPROF": 27, "SIGWINCH": 28, "SIGIO": 29, "SIGPOLL": 29, "SIGPWR": 30, "SIGSYS": 31,
    "SIGRTMIN": 32, "SIGRTMAX": 64,
}
_X86_64_SIGACTION_FLAGS = {
    "SA_NOCLDSTOP": 0x1, "SA_NOCLDWAIT": 0x2, "SA_SIGINFO": 0x4, "SA_UNSUPPORTED": 0x400,
    "SA_EXPOSE_TAGBITS": 0x800, "SA_RESTORER": 0x04000000, "SA_ONSTACK": 0x08000000,
    "SA_RESTART": 0x10000000, "SA_NODEFER": 0x40000000, "SA_NOMASK": 0x40000000,
    "SA_RESETHAND": 0x80000000, "SA_ONESHOT": 0x80000000,
}


def _fill_version(module):
    module.__version__ = "0+kdive"


def _fill_drgn_util(module):
    module.__path__ = []


def _fill_drgn_util_platform(module):
    module.SIGNALS_BY_MACHINE_NAME = {"x86_64": _X86_64_SIGNALS}
    module.SIGACTION_FLAGS_BY_MACHINE_NAME = {"x86_64": _X86_64_SIGACTION_FLAGS}


def _fill_drgn_util_typingutils(module):
    def copy_func_signature(source):
        return lambda f: f

    module.copy_func_signature = copy_func_signature
    module.copy_method_params = copy_func_signature


def _fill_drgn_util_argparseformatter(module):
    import argparse

    class MultilineHelpFormatter(argparse.RawDescriptionHelpFormatter):
        pass

    module.MultilineHelpFormatter = MultilineHelpFormatter


# Modules drgn's package imports that a build of drgn generates (drgn.internal.version)
# or that live beside it in drgn's source tree (_drgn_util), which a source tree of the
# package alone (drgn 0.2.0's in ../shared/corpora) lacks. A finder after the standard
# ones supplies them only when no real one is found. (A finder and loader needs only
# these methods; deriving from importlib.abc's classes would import importlib.resources
# and pathlib, a third of `import _drgn`.)
class _BuildFallback:
    MODULES = {
        "drgn.internal.version": _fill_version,
        "_drgn_util": _fill_drgn_util,
        "_drgn_util.platform": _fill_drgn_util_platform,
        "_drgn_util.typingutils": _fill_drgn_util_typingutils,
        "_drgn_util.argparseformatter": _fill_drgn_util_argparseformatter,
    }

    def find_spec(self, fullname, path, target=None):
        if fullname not in self.MODULES:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=fullname == "_drgn_util")

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        self.MODULES[module.__name__](module)


if not any(type(f).__name__ == "_BuildFallback" for f in sys.meta_path):
    sys.meta_path.append(_BuildFallback())


_STUB_CLASSES["Path"] = typing.Union[str, bytes, os.PathLike]
for _cls in (IntegerLike, implicit_convert, _ThreadIterator, ModuleFileStatus, SupplementaryFileKind, KmodSearchMethod, WantedSupplementaryFile,
             SourceLocation, SourceLocationList):
    _STUB_CLASSES[_cls.__name__] = _cls
)PY";

}  // namespace

void bind_platform(py::module_& m) {
  py::dict scope;
  scope["__builtins__"] = py::module_::import("builtins");
  scope["__name__"] = m.attr("__name__");
  scope["Architecture"] = m.attr("Architecture");
  scope["PlatformFlags"] = m.attr("PlatformFlags");
  py::exec(kPlatformSource, scope);
  for (const char* name : {"Register", "Platform", "host_platform", "Language", "filename_matches"})
    m.attr(name) = scope[name];
  // Names another part of the binding may define for real are only filled in when absent.
  for (auto item : scope["_STUB_CLASSES"].cast<py::dict>())
    if (!py::hasattr(m, item.first.cast<std::string>().c_str())) m.attr(item.first) = item.second;

  // Build flags drgn's package and CLI read.
  m.attr("_elfutils_version") = "kdive";
  m.attr("_have_debuginfod") = false;
  m.attr("_enable_dlopen_debuginfod") = false;
  for (const char* name : {"_with_libkdumpfile", "_with_json_c", "_with_lzma", "_with_pcre2", "_with_pcre2_utf"})
    m.attr(name) = false;

  py::object program = m.attr("Program");
  py::object language = scope["Language"];
  py::object host = scope["host_platform"];
  py::object property = py::module_::import("builtins").attr("property");
  // Program(platform): that platform; an opened program: x86-64 (kdive's only target).
  program.attr("platform") = property(py::cpp_function(
      [host](const ProgramRef& self) -> py::object {
        if (!self->platform.is_none() || !self->is_open()) return self->platform;
        return host;
      }, py::is_method(program)));
  program.attr("language") = property(py::cpp_function(
      [language](const ProgramRef& self) { return language.attr("C"); }, py::is_method(program)));
}

}  // namespace kdive::python
