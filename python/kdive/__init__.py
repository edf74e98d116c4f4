# The `kdive` Python package: drgn's API on kdive's engine (the same classes as `import
# drgn` gives inside kdive), plus the CLI's Python runner (kdive.run), console
# (kdive.console) and access to kdive's own commands (kdive.command).
try:
    from drgn import *  # noqa: F401,F403
    from drgn import Program, Object, Type, set_default_prog, get_default_prog  # noqa: F401
except ImportError as _e:  # kdive.run reports a missing _drgn plainly; names fail on use
    _import_error = _e

    def __getattr__(name):
        # AttributeError, so that `from kdive import run` still finds the submodules.
        raise AttributeError(f"kdive.{name}: drgn is not importable: {_import_error}")


def command(line):
    """The output of one kdive command line (`bt 1`, `ps`) on this session's target."""
    from .commands import command as _command

    return _command(line)
