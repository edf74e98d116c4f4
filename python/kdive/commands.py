# kdive's own commands (bt, ps, log, kmem, ...) from Python: a `kdive --command-server`
# child opened on the session's target runs one command line per request and ends each
# answer with a record-separator line, so Python gets each command's output whole.
import subprocess
import threading
from typing import List, Optional, Tuple

from . import session

# The kdive side writes "\x1e<status>\n" after each command's output (main.cpp).
END_MARK = "\x1e"


class CommandError(Exception):
    """A kdive command failed (its error message went to stderr)."""


class CommandServer:
    """One kdive process holding the target open; started lazily on the first command,
    since opening a dump's debug info costs seconds that most sessions never need."""

    def __init__(self, binary: str, open_args: List[str]):
        self._argv = [binary, "--command-server"] + open_args
        self._proc: Optional[subprocess.Popen] = None
        self._lock = threading.Lock()

    def _start(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(self._argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          text=True, bufsize=1)
        return self._proc

    def run(self, line: str) -> Tuple[int, str]:
        """(status, stdout) of one command line; status 0 is success."""
        if "\n" in line:
            raise ValueError("a kdive command is one line")
        with self._lock:
            proc = self._start()
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(line + "\n")
                proc.stdin.flush()
            except BrokenPipeError:
                raise CommandError(f"kdive command server exited with status {proc.wait()}")
            out = []
            for text in proc.stdout:
                if text.startswith(END_MARK):
                    return int(text[1:].strip() or "1"), "".join(out)
                out.append(text)
            status = proc.wait()
            raise CommandError(f"kdive command server exited with status {status}"
                               + (":\n" + "".join(out) if out else ""))

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None


_server: Optional[CommandServer] = None


def server() -> CommandServer:
    global _server
    if _server is None:
        binary = session.kdive_binary()
        if binary is None or session.current is None:
            raise CommandError("kdive commands need a session started by the kdive CLI "
                               "(kdive -c CORE -s VMLINUX --python)")
        _server = CommandServer(binary, session.current.kdive_args())
    return _server


def command(line: str) -> str:
    """The output of one kdive command line (`bt 1`, `ps`, `print init_task.comm`);
    CommandError when it fails."""
    status, out = server().run(line)
    if status != 0:
        raise CommandError(f"kdive command failed (status {status}): {line}" + (f"\n{out}" if out else ""))
    return out
