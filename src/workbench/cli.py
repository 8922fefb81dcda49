"""Command line: ``workbench serve`` starts the Voila dashboard; ``workbench plan``
plans a catalog larger than memory on Dask (:mod:`workbench.distributed`).

``workbench serve [--port N] [--theme light|dark] [--data PATH] [--no-browser]
[--host ADDR] [--token TOKEN] [--max-kernels N] [--no-preheat] [--no-fork] [--dask ADDR]``
runs Voila on ``notebooks/dashboard.ipynb`` bound to 127.0.0.1 (or ``--host``), with the working
directory set to ``notebooks/`` so that Voila reads ``notebooks/voila.json``
(execution timeout, kernel culling, template; STACK.md pitfall 4), and prints the URL.

The dashboard reads two environment variables, which this command sets for Voila
and therefore for every kernel Voila starts (preheated ones included):

``WORKBENCH_DATA``
    the dataset to open (a folder of CSV/Parquet files, an ``.xlsx`` workbook or a
    ``.zip``); unset means the shipped ``sample_data/``.
``WORKBENCH_THEME``
    ``light`` or ``dark``; the charts use the ``workbench_dark`` template (plotly_dark
    with readable colours) when dark
    (Voila's dark theme leaves plotly figures white otherwise, STACK.md pitfall 7).
``WORKBENCH_DASK``
    a Dask scheduler address (``--dask``): the Trade-offs tab's replay of the scenario's
    plan and its plan check then run on that cluster (needs the ``dask`` extra); unset
    means in the kernel.

Two things make the dashboard open sooner than a plain ``voila dashboard.ipynb``
(``benchmarks/bench_dashboard.py`` measures both ways):

- Voila is started through :data:`VOILA_LAUNCHER` instead of ``-m voila``: Voila's entry
  point (as :class:`workbench.voila_app.WorkbenchVoila`, see below), with jsonschema's
  optional IRI format checker (``rfc3987_syntax``, which compiles a lark grammar when
  imported) marked absent. ``import voila`` reaches it through
  jupyter_server -> jupyter_events -> jsonschema: 2.4 of the 3.5 s Voila took to import
  on a 2-core machine. Nothing in Voila validates IRIs.
- The ``workbench`` Voila template (``workbench/ui/jupyter/voila/templates/workbench``,
  found through ``JUPYTER_PATH``, see :func:`voila_env`) loads Voila's JavaScript while
  the kernel runs the notebook instead of afterwards.

Serving to others: :mod:`workbench.voila_app` (run as a script, so the server process
does not import the workbench) is Voila whose pages own their kernels: closing a page
frees its kernel within seconds, other clients cannot read, list or delete a page's
kernel, and at most ``--max-kernels`` pages hold a kernel at once (default
:func:`default_max_kernels`, from the memory available); further visitors get a "busy,
try again in a minute" page. ``--host`` other than a loopback address requires a token:
``--token`` or ``WORKBENCH_TOKEN``, or one is generated and printed with the URL. The
token reaches Voila through the environment, not its command line.

Kernels are forked from a preloaded process (:mod:`workbench.forkserver`): a page's
kernel starts with pandas, plotly and the workbench already imported, and shares that
memory with the other pages' kernels (``--no-fork`` starts each kernel from scratch).
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import os
import secrets
import signal
import socket
import subprocess
import sys
import webbrowser
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "VOILA_LAUNCHER",
    "default_max_kernels",
    "main",
    "notebooks_dir",
    "voila_command",
    "voila_env",
]

#: Environment variable naming the dataset the dashboard opens.
DATA_ENV = "WORKBENCH_DATA"
#: Environment variable naming the dashboard theme ("light" or "dark").
THEME_ENV = "WORKBENCH_THEME"

DASHBOARD = "dashboard.ipynb"

#: Environment variable holding the server's token (read by ``voila_app``).
TOKEN_ENV = "WORKBENCH_TOKEN"

#: Environment variable naming a Dask scheduler for the dashboard's long computations.
DASK_ENV = "WORKBENCH_DASK"

#: The Voila application ``workbench serve`` runs (a script: see the module docstring).
VOILA_APP = Path(__file__).resolve().parent / "voila_app.py"

#: ``python -c`` program that runs :data:`VOILA_APP` like ``python -m voila``, without
#: importing ``rfc3987_syntax`` (see the module docstring): jsonschema imports it inside
#: ``contextlib.suppress(ImportError)``, so a ``None`` entry in ``sys.modules`` makes it
#: absent. The script is run by path, so the server process never imports ``workbench``
#: (pandas and the rest: about 1.5 s and 100 MB it does not need).
VOILA_LAUNCHER = (
    "import sys, runpy; sys.modules.setdefault('rfc3987_syntax', None); "
    f"main = runpy.run_path({str(VOILA_APP)!r})['main']; sys.exit(main())"
)

#: Memory one dashboard page's kernel adds [MB] once every tab has been opened, for
#: :func:`default_max_kernels`: its PSS (its own memory plus its share of the memory it
#: shares), forked from the fork server: 197 MB measured with
#: ``benchmarks/bench_users.py --users 2 --tabs`` (RSS 391 MB; 182 MB after the first page).
KERNEL_MEMORY_MB = 200
#: The same for kernels started from scratch (``workbench serve --no-fork``): PSS 229 MB
#: measured with ``bench_users.py --users 2 --tabs -- --no-fork`` (RSS 433 MB).
KERNEL_MEMORY_NO_FORK_MB = 230
#: Memory left for the server, the browser and everything else [MB].
RESERVED_MEMORY_MB = 1024
#: Upper bound of the default kernel cap (CPU, not memory, limits beyond it).
MAX_KERNELS_CEILING = 32

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


def default_max_kernels(
    *, available_mb: float | None = None, kernel_mb: float = KERNEL_MEMORY_MB
) -> int:
    """How many pages may hold a kernel at once: what fits in the memory available.

    Parameters
    ----------
    available_mb : float, optional
        Memory available [MB]; default the system's ``MemAvailable`` (``psutil``).
    kernel_mb : float
        Memory one page's kernel may use [MB], default :data:`KERNEL_MEMORY_MB`.

    Returns
    -------
    int
        ``(available_mb - RESERVED_MEMORY_MB) // kernel_mb - 1`` (one kernel is kept for
        the preheated pool), clipped to 1..:data:`MAX_KERNELS_CEILING`.

    Examples
    --------
    >>> default_max_kernels(available_mb=4096)
    14
    >>> default_max_kernels(available_mb=512), default_max_kernels(available_mb=1e6)
    (1, 32)
    """
    if available_mb is None:
        import psutil

        available_mb = psutil.virtual_memory().available / 2**20
    if not kernel_mb > 0:
        raise ValueError(f"kernel_mb must be > 0 [MB]; got {kernel_mb}")
    n = int((float(available_mb) - RESERVED_MEMORY_MB) // kernel_mb) - 1
    return min(max(n, 1), MAX_KERNELS_CEILING)


def _kernel_mb(fork: bool) -> float:
    return KERNEL_MEMORY_MB if fork else KERNEL_MEMORY_NO_FORK_MB


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address or ``localhost`` (reachable only from here).

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("localhost")
    (True, True, True)
    >>> is_loopback("0.0.0.0"), is_loopback("192.168.1.5"), is_loopback("")
    (False, False, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def voila_command(
    *,
    port: int = 8866,
    theme: str = "light",
    preheat: bool = True,
    python: str | None = None,
    host: str = "127.0.0.1",
    max_kernels: int | None = None,
    fork: bool = True,
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
    host : str
        Address to listen on; default 127.0.0.1 (this machine only). Another address
        needs a token (:func:`serve` sees to it; pass it with :func:`voila_env`).
    max_kernels : int, optional
        Most pages holding a kernel at once; default :func:`default_max_kernels`.
    fork : bool
        Fork the kernels from a preloaded process (:mod:`workbench.forkserver`; the
        ``python3`` kernelspec of :data:`JUPYTER_DATA` runs the launcher, which starts a
        plain kernel when there is no fork server).

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
    >>> "--template=workbench" in cmd and "--WorkbenchVoila.fork_kernels=True" in cmd
    True
    """
    if theme not in ("light", "dark"):
        raise ValueError(f"theme must be 'light' or 'dark'; got {theme!r}")
    if not 0 < int(port) < 65536:
        raise ValueError(f"port must be in 1..65535; got {port}")
    if max_kernels is None:
        max_kernels = default_max_kernels(kernel_mb=_kernel_mb(fork))
    if int(max_kernels) < 1:
        raise ValueError(f"max_kernels must be >= 1; got {max_kernels}")
    cmd = [
        python or sys.executable,
        "-c",
        VOILA_LAUNCHER,
        DASHBOARD,
        "--no-browser",
        f"--port={int(port)}",
        f"--Voila.ip={host}",
        "--Voila.port_retries=0",
        f"--theme={theme}",
        "--template=workbench",
        f"--WorkbenchVoila.max_kernels={int(max_kernels)}",
        f"--WorkbenchVoila.fork_kernels={bool(fork)}",
        # Also in voila.json; repeated here so the command alone is safe (pitfall 3).
        "--MappingKernelManager.cull_idle_timeout=600",
        "--MappingKernelManager.cull_interval=60",
        # How long a cell's output may trail its reply (nbclient's default, 4 s, drops the
        # dashboard's output when ten kernels share two busy cores; issue 16).
        "--VoilaExecutor.iopub_timeout=60",
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
    *,
    theme: str = "light",
    data: str | os.PathLike | None = None,
    base: dict | None = None,
    token: str | None = None,
    dask: str | None = None,
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
    token : str, optional
        Sets ``WORKBENCH_TOKEN``, the token every request must carry (``?token=`` once,
        then a cookie); otherwise it is left as it is in ``base``.
    dask : str, optional
        Sets ``WORKBENCH_DASK``, the Dask scheduler (``tcp://host:8786``) the
        dashboard's Trade-offs simulations run on; otherwise it is left as it is in ``base``.

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
    if token is not None:
        env[TOKEN_ENV] = token
    if dask is not None:
        env[DASK_ENV] = dask
    # Arrow's default allocator (mimalloc) keeps about 17 MB per kernel after loading the
    # sample data; the system allocator returns it (benchmarks/bench_users.py).
    env.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    # glibc gives each thread (a kernel has several) its own malloc arena, each keeping what
    # was freed in it; two arenas are enough for a kernel and save about 5 MB each.
    env.setdefault("MALLOC_ARENA_MAX", "2")
    paths = [str(JUPYTER_DATA), *filter(None, env.get("JUPYTER_PATH", "").split(os.pathsep))]
    env["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description="Inventory Workbench")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser(
        "serve",
        help="serve the Voila dashboard at http://127.0.0.1:PORT",
        description="Serve the Voila dashboard on 127.0.0.1 (stop it with Ctrl+C). "
        "See the README's 'Serving to others' before using --host.",
    )
    serve.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only); any other "
        "address requires a token",
    )
    serve.add_argument(
        "--token",
        default=None,
        help=f"token visitors need (?token=...); default ${TOKEN_ENV}, else generated and "
        "printed when --host is not a loopback address",
    )
    serve.add_argument(
        "--max-kernels",
        type=int,
        default=None,
        help="most pages open at once (each holds a kernel); default: what fits in the "
        "memory available",
    )
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
        "--dask",
        default=None,
        metavar="ADDRESS",
        help="a running Dask scheduler (tcp://host:8786): the Trade-offs tab replays and "
        "checks the scenario's plan on that cluster (needs the dask extra)",
    )
    serve.add_argument(
        "--no-preheat",
        action="store_true",
        help="do not keep a preheated kernel (slower page opens, less memory)",
    )
    serve.add_argument(
        "--no-fork",
        action="store_true",
        help="start every kernel from scratch instead of forking it from a preloaded "
        "process (slower page opens, more memory per page)",
    )
    plan = sub.add_parser(
        "plan",
        help="plan a catalog larger than memory on Dask, writing Parquet",
        description="Plan every SKU of a catalog out of core (needs the dask extra: pip "
        "install 'inventory-workbench[dask]'). DATA is a folder with items.parquet (or "
        ".csv, .xlsx) and demand/, a folder of Parquet files with columns date, sku, "
        "quantity. The plan is written to OUT as Parquet, one file per partition.",
    )
    plan.add_argument("--data", type=Path, required=True, help="the catalog folder")
    plan.add_argument("--out", type=Path, required=True, help="folder to write the plan to")
    plan.add_argument("--scenario", type=Path, default=None, help="a scenario .json file")
    plan.add_argument(
        "--scheduler",
        default=None,
        help="address of a running Dask scheduler (tcp://host:8786); default a local "
        "cluster of --workers processes",
    )
    plan.add_argument("--workers", type=int, default=2, help="local worker processes (2)")
    plan.add_argument("--memory-limit", default="4GB", help="memory limit per local worker (4GB)")
    plan.add_argument(
        "--partitions", type=int, default=None, help="partitions (default: ~5M rows each)"
    )
    plan.add_argument(
        "--replenishment",
        type=Path,
        default=None,
        metavar="DIR",
        help="also write the replenishment list (lines.parquet, one row per SKU, exceptions "
        "first) and the draft purchase orders (draft_orders.parquet) to DIR, from the plan "
        "and DATA's lots, purchase_orders and suppliers tables (.parquet, .csv or .xlsx)",
    )
    return parser


def serve(
    *,
    port: int = 8866,
    theme: str = "light",
    data: Path | None = None,
    open_browser: bool = True,
    preheat: bool = True,
    host: str = "127.0.0.1",
    token: str | None = None,
    max_kernels: int | None = None,
    fork: bool = True,
    dask: str | None = None,
) -> int:
    """Run Voila on the dashboard until interrupted; return its exit code.

    A ``host`` that is not a loopback address needs a token: ``token``, else
    ``WORKBENCH_TOKEN``, else a generated one (printed with the URL).
    """
    folder = notebooks_dir()
    if data is not None:
        data = Path(data).expanduser().resolve()
        if not data.exists():
            raise FileNotFoundError(f"--data: no such file or folder: {data}")
    token = token or os.environ.get(TOKEN_ENV) or None
    if token is None and not is_loopback(host):
        token = secrets.token_urlsafe(24)
    if max_kernels is None:
        max_kernels = default_max_kernels(kernel_mb=_kernel_mb(fork))
    env = voila_env(theme=theme, data=data, token=token or "", dask=dask)
    cmd = voila_command(
        port=port, theme=theme, preheat=preheat, host=host, max_kernels=max_kernels, fork=fork
    )
    shown = "127.0.0.1" if is_loopback(host) else (socket.gethostname() or host)
    url = f"http://{shown}:{port}/"
    query = f"?token={token}" if token else ""
    print(f"Inventory Workbench dashboard: {url}{query}", flush=True)
    print(f"  data: {data if data is not None else 'the shipped sample business'}", flush=True)
    print(f"  at most {max_kernels} pages open at once; listening on {host}", flush=True)
    if dask:
        print(f"  Trade-offs simulations run on the Dask scheduler at {dask}", flush=True)
    print("  stop with Ctrl+C", flush=True)
    # Voila runs in its own session: Ctrl+C reaches only this process, which then stops Voila
    # with SIGTERM (it shuts its kernels down; on SIGINT it would ask "Shutdown? (y/[n])").
    proc = subprocess.Popen(cmd, cwd=folder, env=env, start_new_session=True)
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        if open_browser:
            _open_when_ready(f"http://127.0.0.1:{port}/", proc, query=query)
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


def _open_when_ready(
    url: str, proc: subprocess.Popen, timeout: float = 60.0, query: str = ""
) -> None:
    """Open the browser once Voila answers (polling its static file, STACK.md pitfall 6)."""
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url + "voila/static/voila.js", timeout=2) as r:
                if r.status == 200:
                    webbrowser.open(url + query)
                    return
        except OSError:
            time.sleep(0.2)


class _Bar:
    """A one-line text progress bar on stderr: ``plan [#####.....]  50 %  0:12``."""

    def __init__(self, label: str, width: int = 30):
        import time

        self.label, self.width, self.start, self._time = label, width, time.monotonic(), time
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        pct = 100 * done // max(total, 1)
        if pct == self.last:
            return
        self.last = pct
        fill = self.width * pct // 100
        secs = int(self._time.monotonic() - self.start)
        bar = "#" * fill + "." * (self.width - fill)
        end = "\n" if pct >= 100 else ""
        print(f"\r{self.label} [{bar}] {pct:3d} %  {secs // 60}:{secs % 60:02d}", end=end,
              file=sys.stderr, flush=True)  # fmt: skip


def plan_command(args: argparse.Namespace) -> int:
    """``workbench plan``: the out-of-core plan of :func:`workbench.distributed.plan`."""
    try:
        from . import distributed as wd
    except ImportError as exc:
        print(
            f"workbench plan: needs Dask ({exc.name} is not installed): "
            "pip install 'inventory-workbench[dask]'",
            file=sys.stderr,
        )
        return 2
    from .data.errors import DataError
    from .scenario import Scenario

    try:
        scenario = Scenario.load(args.scenario) if args.scenario else Scenario()
        if not Path(args.data).is_dir():
            raise FileNotFoundError(f"--data: no such folder: {args.data}")
        if args.scheduler:
            from distributed import Client

            client = Client(args.scheduler)
        else:
            client = wd.local_cluster(n_workers=args.workers, memory_limit=args.memory_limit)
        with client:
            with client.as_current():
                cat = wd.read_catalog(
                    args.data, npartitions=args.partitions, progress=_Bar("reading")
                )
                print(
                    f"{len(cat.items):,} SKUs, demand {cat.period[0]:%Y-%m-%d} to "
                    f"{cat.period[1]:%Y-%m-%d} by {cat.frequency}, "
                    f"{cat.npartitions} partitions",
                    file=sys.stderr,
                )
                out = wd.plan(cat, scenario, out=args.out, progress=_Bar("planning"))
                if args.replenishment is not None:
                    _write_replenishment(wd, cat, out, Path(args.replenishment))
        print(f"plan written to {out}", flush=True)
        if args.replenishment is not None:
            print(f"replenishment list written to {args.replenishment}", flush=True)
        return 0
    except (FileNotFoundError, ValueError, DataError) as exc:
        print(f"workbench plan: {exc}", file=sys.stderr)
        return 2


def _write_replenishment(wd: Any, cat: Any, plan_folder: Path, folder: Path) -> None:
    """``workbench plan --replenishment DIR``: the list from the plan just written."""
    import pandas as pd

    plan = pd.concat(pd.read_parquet(f) for f in sorted(plan_folder.glob("part.*.parquet")))
    result = wd.replenishment(cat, plan=plan, progress=_Bar("replenishment"))
    folder.mkdir(parents=True, exist_ok=True)
    result.lines.to_parquet(folder / "lines.parquet")
    result.draft_orders.to_parquet(folder / "draft_orders.parquet")
    for note in result.notes:
        print(note, file=sys.stderr)


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
                host=args.host,
                token=args.token,
                max_kernels=args.max_kernels,
                fork=not args.no_fork,
                dask=args.dask,
            )
        except (FileNotFoundError, ValueError) as exc:
            print(f"workbench serve: {exc}", file=sys.stderr)
            return 2
    if args.command == "plan":
        return plan_command(args)
    return 2  # pragma: no cover  (argparse rejects unknown commands)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
