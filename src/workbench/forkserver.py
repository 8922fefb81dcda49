"""Dashboard kernels forked from a preloaded process (``workbench serve``'s fork server).

Every page of the dashboard gets its own kernel, and a plain kernel pays the same start
on every page: Python, ipykernel, pandas, plotly, the workbench (about 3 s of CPU and
200-240 MB of RSS on a 2-core machine, ``benchmarks/bench_users.py``). With ten visitors
at once that CPU is the queue every page waits in. The fork server pays it once:

- :func:`serve` (the *fork server*) imports all that (:func:`preload`), then waits on a
  Unix socket. For each kernel it forks: the child already has everything imported, and
  shares the preloaded memory with the fork server and the other kernels (copy on
  write: pages are copied only when a kernel writes to them).
- :func:`launch` (the *launcher*) is the kernel command Jupyter runs (the ``python3``
  kernelspec under ``workbench/ui/jupyter/kernels``, found through ``JUPYTER_PATH``). It
  sends the fork server its command line, environment, working directory and standard
  streams, then stands in for the forked kernel: it forwards signals to it (Jupyter
  interrupts a kernel with SIGINT and stops it with SIGTERM or SIGKILL) and exits when
  the kernel exits. The kernel exits when the launcher dies (even by SIGKILL): the
  connection between them closes. Without a fork server
  (``WORKBENCH_FORKSERVER`` unset, or nobody listening) the launcher runs a plain
  ``ipykernel`` in its place, so the kernelspec works everywhere.

The socket lives in a fresh folder only the server's user can open (a process that can
connect gets a kernel, that is code run as that user). :mod:`workbench.voila_app` starts
the fork server (``--WorkbenchVoila.fork_kernels``; ``workbench serve --no-fork`` turns
it off) and stops it with the server: the fork server exits when its standard input
closes.

This file is run by path (``python forkserver.py serve SOCKET`` or ``launch -f FILE``),
never imported by the launcher as ``workbench.forkserver``: importing the package would
cost the launcher what the fork server saves. It uses only the standard library until
:func:`preload`.
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
if __name__ == "__main__" and sys.path and os.path.abspath(sys.path[0] or ".") == _HERE:
    # Run by path, Python put src/workbench/ first on sys.path: its modules (``data``,
    # ``cli``, ...) would shadow top-level ones in the kernels.
    del sys.path[0]

import atexit  # noqa: E402
import contextlib  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import selectors  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import struct  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

__all__ = ["SOCKET_ENV", "launch", "main", "preload", "serve"]

#: Environment variable holding the fork server's socket path (kernels' launchers read it).
SOCKET_ENV = "WORKBENCH_FORKSERVER"

#: Signals the launcher passes on to its kernel.
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT,
             signal.SIGUSR1, signal.SIGUSR2)  # fmt: skip

_HEADER = struct.Struct("!I")
_MAX_REQUEST = 16 * 2**20


# --------------------------------------------------------------------------- fork server


def preload() -> float:
    """Import what a dashboard kernel imports before its first page; return the seconds.

    ipykernel and IPython, then :mod:`workbench.ui` (pandas, pyarrow, plotly, ipywidgets,
    the panels), and the first page's dataset and plan
    (:func:`workbench.ui.app.preload_first_page`). ``nbformat`` and ``rfc3987_syntax``
    are marked absent as :mod:`workbench.ui` does in a Voila kernel (the fork server
    serves only those).
    """
    t0 = time.perf_counter()
    sys.modules.setdefault("rfc3987_syntax", None)
    sys.modules.setdefault("nbformat", None)
    import ipykernel.ipkernel
    import ipykernel.kernelapp
    import ipykernel.zmqshell  # noqa: F401

    from workbench.ui import app

    try:
        app.preload_first_page()
    except Exception as exc:  # the kernels will load it themselves (and show any error)
        print(f"workbench fork server: first page not preloaded: {exc}", file=sys.stderr)
    return time.perf_counter() - t0


def serve(path: str, *, preload_modules: bool = True, watch_stdin: bool = True) -> int:
    """Run the fork server on the Unix socket ``path`` until its standard input closes.

    Parameters
    ----------
    path : str
        Socket path (created; its folder should be open to this user only).
    preload_modules : bool
        Run :func:`preload` first (tests turn it off to start in a fraction of a second).
    watch_stdin : bool
        Exit when standard input reaches end of file (the server that started it died or
        closed the pipe).
    """
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(64)  # launchers queue here while the modules load
    seconds = preload() if preload_modules else 0.0
    # Keep what is loaded out of the kernels' garbage collections: a collection writes
    # to every object it visits, which would copy the shared pages into each kernel.
    gc.collect()
    gc.freeze()
    _malloc_trim()
    print(f"workbench fork server: ready on {path} (preloaded in {seconds:.1f} s)",
          file=sys.stderr, flush=True)  # fmt: skip
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, "accept")
    if watch_stdin:
        sel.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
    try:
        while True:
            for key, _ in sel.select(timeout=1.0):
                if key.data == "stdin":
                    if not os.read(key.fd, 4096):
                        return 0
                elif key.data == "accept":
                    conn, _ = listener.accept()
                    try:
                        _fork_kernel(conn, listener)
                    except Exception as exc:  # a bad request must not stop the server
                        print(f"workbench fork server: {type(exc).__name__}: {exc}",
                              file=sys.stderr, flush=True)  # fmt: skip
                    finally:
                        conn.close()
            _reap()
    finally:
        listener.close()
        with contextlib.suppress(OSError):
            os.unlink(path)


def _reap() -> None:
    """Collect exited kernels (they are the fork server's children)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _malloc_trim() -> None:
    """Give freed heap pages back to the system before forking (glibc only)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _recv_request(conn: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _, _ = socket.recv_fds(conn, _HEADER.size, 8)
    while len(data) < _HEADER.size:
        more = conn.recv(_HEADER.size - len(data))
        if not more:
            raise ConnectionError("launcher closed the connection")
        data += more
    (size,) = _HEADER.unpack(data)
    if size > _MAX_REQUEST:
        raise ValueError(f"request of {size} bytes")
    payload = b""
    while len(payload) < size:
        more = conn.recv(size - len(payload))
        if not more:
            raise ConnectionError("launcher closed the connection")
        payload += more
    return json.loads(payload), list(fds)


def _fork_kernel(conn: socket.socket, listener: socket.socket) -> None:
    conn.settimeout(30)
    request, fds = _recv_request(conn)
    if len(fds) != 3:
        for fd in fds:
            os.close(fd)
        raise ValueError(f"expected 3 file descriptors, got {len(fds)}")
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        for fd in fds:
            os.close(fd)
        return
    # The child: never returns into the server's loop.
    code = 1
    try:
        listener.close()
        code = _run_kernel(conn, request, fds)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            atexit._run_exitfuncs()
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _run_kernel(conn: socket.socket, request: dict, fds: list[int]) -> int:
    """In the forked child: become the kernel the launcher asked for."""
    os.setsid()  # out of the fork server's process group
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGPIPE):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = list(request["argv"])
    parent = request["env"].get("JPY_PARENT_PID", "")
    if parent.isdigit():
        # ipykernel read JPY_PARENT_PID when the fork server imported it (unset there):
        # give it the value a plain kernel would have (it then watches for an orphaned
        # kernel, and does not print its "Ctrl-C will not work" note).
        sys.argv.append(f"--IPKernelApp.parent_handle={parent}")
    sys.path.insert(0, request["cwd"])  # as ``python -m ipykernel_launcher`` has it
    # The preloaded objects stay frozen (outside the garbage collector's generations).
    conn.settimeout(None)
    conn.sendall(f"{os.getpid()}\n".encode())
    threading.Thread(target=_exit_with_launcher, args=(conn,), daemon=True).start()
    from ipykernel import kernelapp

    app = kernelapp.IPKernelApp.instance()  # as ``kernelapp.launch_new_instance()`` does
    app.initialize()
    _register_widget_targets()
    app.start()
    return 0


def _register_widget_targets() -> None:
    """Register ipywidgets' comm targets with this kernel.

    ipywidgets registers them when it is imported in a running kernel; the fork server
    imported it before any kernel existed, so a forked kernel had none. A page then could
    not open ``jupyter.widget.control`` ("No such comm target registered") and fetched
    the widgets' states one model at a time: 88 requests and 190 replies for the first
    page instead of one of each.
    """
    widgets = sys.modules.get("ipywidgets")
    if widgets is not None:  # not preloaded: its import in the kernel registers them
        widgets.register_comm_target()


def _exit_with_launcher(conn: socket.socket) -> None:
    """Exit the kernel at once when its launcher is gone (the connection closes)."""
    with contextlib.suppress(OSError):
        while conn.recv(4096):
            pass
    os._exit(0)


# --------------------------------------------------------------------------- launcher


def launch(args: list[str], *, connect_timeout: float = 600.0) -> int:
    """Be the kernel Jupyter started: have the fork server fork it, then stand in for it.

    Parameters
    ----------
    args : list of str
        The kernel's arguments (``-f CONNECTION_FILE``).
    connect_timeout : float
        Seconds to wait for the fork server's answer (it answers once its modules are
        loaded: a server starting on a busy machine may take a minute).

    Returns
    -------
    int
        0 once the kernel has exited. Without a fork server this process becomes a
        plain ``ipykernel`` (``os.execv``) and does not return.
    """
    argv = ["ipykernel_launcher", *args]
    path = os.environ.get(SOCKET_ENV)
    conn = None
    if path:
        try:
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.settimeout(connect_timeout)
            conn.connect(path)
            request = {"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}
            payload = json.dumps(request).encode()
            socket.send_fds(conn, [_HEADER.pack(len(payload))], [0, 1, 2])
            conn.sendall(payload)
            pid = int(_read_line(conn))
        except (OSError, ValueError) as exc:
            print(f"workbench kernel: no fork server ({exc}); starting a plain kernel",
                  file=sys.stderr, flush=True)  # fmt: skip
            conn = None
    if conn is None:
        os.execv(sys.executable, [sys.executable, "-m", *argv])
    conn.settimeout(None)

    def forward(signum, _frame):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    for signum in FORWARDED:
        signal.signal(signum, forward)
    with contextlib.suppress(OSError):
        while conn.recv(4096):  # nothing is sent: this returns when the kernel exits
            pass
    return 0


def _read_line(conn: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\n"):
        more = conn.recv(64)
        if not more:
            raise ValueError("the fork server closed the connection without a kernel")
        data += more
    return data.decode().strip()


def main(argv: list[str] | None = None) -> int:
    """``forkserver.py serve SOCKET [--no-preload]`` or ``forkserver.py launch ARGS...``."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"] and len(argv) >= 2:
        return serve(argv[1], preload_modules="--no-preload" not in argv[2:])
    if argv[:1] == ["launch"]:
        return launch(argv[1:])
    print(main.__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
