"""Command line: ``workbench serve`` starts the Voila dashboard.

``workbench serve [--port N] [--theme light|dark] [--data PATH] [--no-browser]``
runs Voila on ``notebooks/dashboard.ipynb`` bound to 127.0.0.1, with the working
directory set to ``notebooks/`` so that Voila reads ``notebooks/voila.json``
(execution timeout, kernel culling, template; STACK.md pitfall 4), and prints the URL.

The dashboard reads two environment variables, which this command sets for Voila
and therefore for every kernel Voila starts (preheated ones included):

``WORKBENCH_DATA``
    the dataset to open (a folder of CSV/Parquet files, an ``.xlsx`` workbook or a
    ``.zip``); unset means the shipped ``sample_data/``.
``WORKBENCH_THEME``
    ``light`` or ``dark``; the charts use the ``plotly_dark`` template when dark
    (Voila's dark theme leaves plotly figures white otherwise, STACK.md pitfall 7).

Two things make the dashboard open sooner than a plain ``voila dashboard.ipynb``
(``benchmarks/bench_dashboard.py`` measures both ways):

- Voila is started through :data:`VOILA_LAUNCHER` instead of ``-m voila``: the same entry
  point, with jsonschema's optional IRI format checker (``rfc3987_syntax``, which compiles
  a lark grammar when imported) marked absent. ``import voila`` reaches it through
  jupyter_server -> jupyter_events -> jsonschema: 2.4 of the 3.5 s Voila took to import
  on a 2-core machine. Nothing in Voila validates IRIs.
- The ``workbench`` Voila template (``workbench/ui/jupyter/voila/templates/workbench``,
  found through ``JUPYTER_PATH``, see :func:`voila_env`) loads Voila's JavaScript while
  the kernel runs the notebook instead of afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import webbrowser
from collections.abc import Sequence
from pathlib import Path

__all__ = ["VOILA_LAUNCHER", "main", "notebooks_dir", "voila_command", "voila_env"]

#: Environment variable naming the dataset the dashboard opens.
DATA_ENV = "WORKBENCH_DATA"
#: Environment variable naming the dashboard theme ("light" or "dark").
THEME_ENV = "WORKBENCH_THEME"

DASHBOARD = "dashboard.ipynb"

#: ``python -c`` program that runs Voila like ``python -m voila``, without importing
#: ``rfc3987_syntax`` (see the module docstring): jsonschema imports it inside
#: ``contextlib.suppress(ImportError)``, so a ``None`` entry in ``sys.modules`` makes it absent.
VOILA_LAUNCHER = (
    "import sys; sys.modules.setdefault('rfc3987_syntax', None); "
    "from voila.app import main; sys.exit(main())"
)

#: Seconds Voila waits before refilling the preheated-kernel pool (Voila's default is 1).
POOL_REFILL_DELAY = 10

#: Jupyter data folder holding the ``workbench`` Voila template (prepended to JUPYTER_PATH).
JUPYTER_DATA = Path(__file__).resolve().parent / "ui" / "jupyter"


def notebooks_dir() -> Path:
    """The repository's ``notebooks/`` folder, found relative to the package.

    The workbench is installed editable from its repository (``pip install -e .``),
    so the notebooks sit at ``src/workbench/../../notebooks``.

    Raises
    ------
    FileNotFoundError
        If ``notebooks/dashboard.ipynb`` is not there (for example when the package
        was installed from a wheel without the repository).
    """
    folder = Path(__file__).resolve().parent.parent.parent / "notebooks"
    if not (folder / DASHBOARD).is_file():
        raise FileNotFoundError(
            f"cannot find the dashboard notebook {folder / DASHBOARD}. `workbench serve` runs "
            "from a clone of the repository installed with `pip install -e .` (or `make run`); "
            "the notebooks are not part of a wheel install."
        )
    return folder


def voila_command(
    *,
    port: int = 8866,
    theme: str = "light",
    preheat: bool = True,
    python: str | None = None,
) -> list[str]:
    """The Voila command line that serves the dashboard (run it with cwd=notebooks_dir()).

    Parameters
    ----------
    port : int
        TCP port on 127.0.0.1; Voila fails instead of moving to another port when it
        is taken (``port_retries=0``, STACK.md pitfall 5).
    theme : {"light", "dark"}
        Voila's page theme.
    preheat : bool
        Keep one kernel ready that has already run the notebook, so a page opens in a
        couple of seconds instead of paying the kernel start and the first
        FigureWidget (about 2 s against 8-10 s measured in STACK.md); the pool is refilled
        :data:`POOL_REFILL_DELAY` seconds after a page took its kernel.
    python : str, optional
        Interpreter to run Voila with; default the current one.

    Notes
    -----
    Run it with the environment of :func:`voila_env`, which makes the ``workbench``
    template findable.

    Examples
    --------
    >>> cmd = voila_command(port=9000, theme="dark", preheat=False, python="python")
    >>> cmd[:2] == ["python", "-c"] and cmd[2] == VOILA_LAUNCHER and cmd[3] == "dashboard.ipynb"
    True
    >>> "--port=9000" in cmd and "--theme=dark" in cmd and "--Voila.port_retries=0" in cmd
    True
    >>> "--template=workbench" in cmd
    True
    """
    if theme not in ("light", "dark"):
        raise ValueError(f"theme must be 'light' or 'dark'; got {theme!r}")
    if not 0 < int(port) < 65536:
        raise ValueError(f"port must be in 1..65535; got {port}")
    cmd = [
        python or sys.executable,
        "-c",
        VOILA_LAUNCHER,
        DASHBOARD,
        "--no-browser",
        f"--port={int(port)}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        f"--theme={theme}",
        "--template=workbench",
        # Also in voila.json; repeated here so the command alone is safe (pitfall 3).
        "--MappingKernelManager.cull_idle_timeout=600",
        "--MappingKernelManager.cull_interval=60",
    ]
    if preheat:
        cmd += [
            "--preheat_kernel=True",
            "--pool_size=1",
            # Refill the pool 10 s after a page took its kernel, not 1 s: the new kernel
            # (about 3 s of CPU to start and run the notebook) then no longer competes with
            # the browser drawing that page on a small machine. A second page opened within
            # those 10 s waits for the refill.
            f"--VoilaKernelManager.fill_delay={POOL_REFILL_DELAY}",
        ]
    return cmd


def voila_env(
    *, theme: str = "light", data: str | os.PathLike | None = None, base: dict | None = None
) -> dict[str, str]:
    """The environment to run :func:`voila_command` in (Voila and its kernels inherit it).

    Parameters
    ----------
    theme : {"light", "dark"}
        Sets ``WORKBENCH_THEME``.
    data : path, optional
        Sets ``WORKBENCH_DATA``; otherwise it is left as it is in ``base``.
    base : dict, optional
        The environment to start from; default ``os.environ``.

    Examples
    --------
    >>> env = voila_env(theme="dark", data="/tmp/shop.xlsx", base={"JUPYTER_PATH": "/x"})
    >>> env["WORKBENCH_THEME"], env["WORKBENCH_DATA"]
    ('dark', '/tmp/shop.xlsx')
    >>> env["JUPYTER_PATH"].endswith(os.pathsep + "/x")
    True
    """
    env = dict(os.environ if base is None else base)
    env[THEME_ENV] = theme
    if data is not None:
        env[DATA_ENV] = str(data)
    paths = [str(JUPYTER_DATA), *filter(None, env.get("JUPYTER_PATH", "").split(os.pathsep))]
    env["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description="Inventory Workbench")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser(
        "serve",
        help="serve the Voila dashboard at http://127.0.0.1:PORT",
        description="Serve the Voila dashboard on 127.0.0.1 (stop it with Ctrl+C).",
    )
    serve.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    serve.add_argument("--theme", choices=("light", "dark"), default="light")
    serve.add_argument(
        "--data",
        type=Path,
        default=None,
        help="dataset to open: a folder of CSV/Parquet files, an .xlsx workbook or a .zip "
        "(default: the shipped sample business)",
    )
    serve.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    serve.add_argument(
        "--no-preheat",
        action="store_true",
        help="do not keep a preheated kernel (slower page opens, less memory)",
    )
    return parser


def serve(
    *,
    port: int = 8866,
    theme: str = "light",
    data: Path | None = None,
    open_browser: bool = True,
    preheat: bool = True,
) -> int:
    """Run Voila on the dashboard until interrupted; return its exit code."""
    folder = notebooks_dir()
    if data is not None:
        data = Path(data).expanduser().resolve()
        if not data.exists():
            raise FileNotFoundError(f"--data: no such file or folder: {data}")
    env = voila_env(theme=theme, data=data)
    cmd = voila_command(port=port, theme=theme, preheat=preheat)
    url = f"http://127.0.0.1:{port}/"
    print(f"Inventory Workbench dashboard: {url}", flush=True)
    print(f"  data: {data if data is not None else 'the shipped sample business'}", flush=True)
    print("  stop with Ctrl+C", flush=True)
    # Voila runs in its own session: Ctrl+C reaches only this process, which then stops Voila
    # with SIGTERM (it shuts its kernels down; on SIGINT it would ask "Shutdown? (y/[n])").
    proc = subprocess.Popen(cmd, cwd=folder, env=env, start_new_session=True)
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        if open_browser:
            _open_when_ready(url, proc)
        return proc.wait()
    except KeyboardInterrupt:
        print("\nstopping the dashboard (shutting its kernels down)...", flush=True)
        return _stop(proc)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if proc.poll() is None:
            _stop(proc)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def _stop(proc: subprocess.Popen, timeout: float = 30.0) -> int:
    """SIGTERM Voila, then SIGKILL its whole process group if it does not exit in time."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return 0


def _open_when_ready(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Open the browser once Voila answers (polling its static file, STACK.md pitfall 6)."""
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url + "voila/static/voila.js", timeout=2) as r:
                if r.status == 200:
                    webbrowser.open(url)
                    return
        except OSError:
            time.sleep(0.2)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``workbench`` console script."""
    args = _parser().parse_args(argv)
    if args.command == "serve":
        try:
            return serve(
                port=args.port,
                theme=args.theme,
                data=args.data,
                open_browser=not args.no_browser,
                preheat=not args.no_preheat,
            )
        except (FileNotFoundError, ValueError) as exc:
            print(f"workbench serve: {exc}", file=sys.stderr)
            return 2
    return 2  # pragma: no cover  (argparse rejects unknown commands)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
