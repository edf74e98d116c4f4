# drgn.helpers.common.prog: drgn's convention for helpers whose first argument is an
# optional Program (the default program when omitted), and its object-or-program variant.
import functools
import inspect

from drgn import Object, Program, get_default_prog

__all__ = ("takes_object_or_program_or_default", "takes_program_or_default")


def _drop_first_parameter(f, wrapper):
    # help() shows the signature users call: without the program parameter.
    try:
        sig = inspect.signature(f)
        params = list(sig.parameters.values())
        wrapper.__signature__ = sig.replace(parameters=params[1:])
    except (TypeError, ValueError):
        pass


def takes_program_or_default(f):
    """Decorate `f(prog, ...)` so that `prog` may be omitted: the program of an Object
    first argument (or keyword of the second parameter), else the default program."""
    params = list(inspect.signature(f).parameters.values())
    if not params or params[0].name != "prog":
        raise TypeError("first parameter must be prog: Program")
    second = next((p.name for p in params[1:2] if p.kind not in (
        inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.VAR_KEYWORD)), None)

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        if args:
            if isinstance(args[0], Program):
                return f(*args, **kwargs)
            if second is not None and isinstance(args[0], Object):
                return f(args[0].prog_, *args, **kwargs)
        elif "prog" in kwargs:
            return f(**kwargs)
        elif second is not None and isinstance(kwargs.get(second), Object):
            return f(kwargs[second].prog_, **kwargs)
        return f(get_default_prog(), *args, **kwargs)

    _drop_first_parameter(f, wrapper)
    return wrapper


def takes_object_or_program_or_default(f):
    """Decorate `f(prog, obj, ...)` to be called as f(obj, ...), f(prog, ...) or f(...):
    an Object gives its program; otherwise obj is None."""
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        if args and isinstance(args[0], Object):
            return f(args[0].prog_, *args, **kwargs)
        if args and isinstance(args[0], Program):
            return f(args[0], None, *args[1:], **kwargs)
        if "prog" in kwargs:
            prog = kwargs.pop("prog")
            return f(prog, None, *args, **kwargs)
        return f(get_default_prog(), None, *args, **kwargs)

    _drop_first_parameter(f, wrapper)
    return wrapper
