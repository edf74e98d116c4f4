# `python -m kdive.run`: what the kdive CLI execs for Python (kdive SCRIPT.py, --python,
# `py` in its REPL). Opens the program as drgn's CLI does, then runs a script with `prog`
# in its globals, one statement (`--exec`), or the interactive console.
import argparse
import os
import runpy
import sys
import traceback
from types import TracebackType
from typing import List, Optional

from . import session


def parse_args(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="kdive", description="kdive's Python runner (started by the kdive CLI)")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("-c", "--core", metavar="PATH", help="crash dump or core file")
    target.add_argument("-p", "--pid", metavar="PID", type=int, help="a running process")
    target.add_argument("-k", "--kernel", action="store_true", help="the running kernel")
    parser.add_argument("-s", "--symbols", metavar="PATH", action="append", default=[],
                        help="debug info file or directory (repeatable)")
    parser.add_argument("--allow-build-id-mismatch", action="store_true")
    parser.add_argument("--no-debug-info", action="store_true",
                        help="answer from the dump alone (kallsyms, BTF, ORC), even if debug files exist")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--console", action="store_true", help="the interactive console")
    mode.add_argument("--exec", metavar="CODE", dest="code",
                      help="one statement or expression (an expression's value is printed)")
    mode.add_argument("--serve", metavar="FD", type=int, nargs=2,
                      help="requests from the kdive REPL's `py` on the first fd, answers on the second")
    parser.add_argument("script", metavar="ARG", nargs=argparse.REMAINDER,
                        help="SCRIPT.py [ARGS...]")
    return parser.parse_args(argv)


def _script_traceback(tb: Optional[TracebackType], script: str) -> Optional[TracebackType]:
    """The traceback from the script's first frame on: the runner's and runpy's frames
    say nothing about the script's error."""
    t = tb
    while t is not None:
        if os.path.abspath(t.tb_frame.f_code.co_filename) == script:
            return t
        t = t.tb_next
    return tb


def run_script(prog, argv: List[str]) -> int:
    script = os.path.abspath(argv[0])
    if not os.path.isfile(script) or not os.access(script, os.R_OK):
        print(f"kdive: error: cannot read script '{argv[0]}'", file=sys.stderr)
        return 2
    sys.argv = list(argv)
    # As `python SCRIPT` does (and drgn's CLI): the script's directory first on sys.path,
    # in place of the runner's working directory that `-m` put there.
    if sys.path and sys.path[0] in ("", os.getcwd()):
        sys.path[0] = os.path.dirname(script)
    else:
        sys.path.insert(0, os.path.dirname(script))
    try:
        runpy.run_path(script, init_globals={"prog": prog}, run_name="__main__")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        return 130
    except BaseException as e:  # the script's uncaught exception: traceback, status 1
        sys.stdout.flush()
        traceback.print_exception(type(e), e, _script_traceback(e.__traceback__, script))
        return 1
    return 0


def run_code(prog, source: str) -> int:
    """`py EXPR_OR_STATEMENT` in kdive's REPL: compiled as an interactive line, so an
    expression's value goes through the console's displayhook."""
    from . import console

    ns = console.namespace(prog, quiet=True)
    sys.displayhook = console.displayhook
    return _run_in(ns, source)


def serve(prog, req_fd: int, ack_fd: int) -> int:
    """`py` in kdive's REPL: one interpreter for the whole kdive session, so that names
    bound by one `py` line are there for the next. Requests on `req_fd` are "<length>\n"
    then a JSON object ({"code": CODE} or {"script": [FILE, ARGS...]}); each is answered on
    `ack_fd` by "<status>\n" once its output is flushed. EOF on `req_fd` ends the session."""
    import json

    from . import console

    ns = console.namespace(prog, quiet=True)
    sys.displayhook = console.displayhook
    req = os.fdopen(req_fd, "rb")
    ack = os.fdopen(ack_fd, "wb", buffering=0)
    while True:
        header = req.readline()
        if not header:
            return 0
        request = json.loads(req.read(int(header)))
        try:
            if "script" in request:
                saved = (sys.argv, list(sys.path))
                try:
                    status = run_script(prog, request["script"])
                finally:
                    sys.argv, sys.path[:] = saved
            else:
                status = _run_in(ns, request["code"])
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            if not isinstance(e.code, int) and e.code is not None:
                print(e.code, file=sys.stderr)
        except KeyboardInterrupt:
            print("KeyboardInterrupt", file=sys.stderr)
            status = 130
        sys.stdout.flush()
        sys.stderr.flush()
        ack.write(f"{status}\n".encode())


def _run_in(ns, source: str) -> int:
    try:
        code = compile(source, "<py>", "single")
    except SyntaxError:
        try:
            code = compile(source, "<py>", "exec")
        except SyntaxError as e:
            traceback.print_exception(type(e), e, None)
            return 1
    try:
        exec(code, ns)
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as e:
        sys.stdout.flush()
        tb = e.__traceback__.tb_next if e.__traceback__ is not None else None
        traceback.print_exception(type(e), e, tb)
        return 1
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not args.script and not args.code and not args.console and not args.serve:
        print("kdive: error: give a SCRIPT.py, --exec CODE or --console", file=sys.stderr)
        return 2
    if args.script and not os.path.isfile(args.script[0]):
        print(f"kdive: error: cannot read script '{args.script[0]}': no such file", file=sys.stderr)
        return 2
    try:
        import drgn
    except ImportError as e:
        print(f"kdive: error: cannot import drgn (kdive's Python package): {e}", file=sys.stderr)
        return 1
    open_args = session.OpenArgs(core=args.core, pid=args.pid, kernel=args.kernel,
                                 symbols=args.symbols,
                                 allow_build_id_mismatch=args.allow_build_id_mismatch,
                                 no_debug_info=args.no_debug_info)
    session.current = open_args
    try:
        prog = session.open_program(open_args)
    except Exception as e:  # a bad dump or debug file: drgn's exception, said plainly
        target = args.core or (f"pid {args.pid}" if args.pid else "the running kernel")
        print(f"kdive: error: cannot open {target}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    if hasattr(drgn, "set_default_prog"):
        drgn.set_default_prog(prog)
    if args.console:
        from . import console

        return console.interact(prog)
    if args.serve:
        return serve(prog, args.serve[0], args.serve[1])
    if args.code is not None:
        return run_code(prog, args.code)
    return run_script(prog, args.script)


if __name__ == "__main__":
    rc = main()
    sys.stdout.flush()
    sys.exit(rc)
