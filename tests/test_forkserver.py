"""Kernels forked from a preloaded process (``workbench.forkserver``, issue 16).

Jupyter's own kernel manager starts the ``python3`` kernelspec of
``workbench/ui/jupyter/kernels`` (as Voila does under ``workbench serve``); the tests check
that the kernel is a fork of the fork server, that it runs with the launcher's working
directory and environment, that Jupyter's interrupt and shutdown reach it, that it dies
with its launcher, and that the launcher runs a plain kernel when there is no fork server.
Waits are on conditions with generous limits (the machine may be busy), never fixed sleeps.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

from workbench import cli

FORKSERVER = Path(cli.__file__).resolve().parent / "forkserver.py"
SOCKET_ENV = "WORKBENCH_FORKSERVER"
#: Generous: a kernel start on a busy 2-core machine can take tens of seconds.
TIMEOUT = 120.0


def wait_for(condition, seconds: float = TIMEOUT, what: str = "condition") -> float:
    t0 = time.monotonic()
    while not condition():
        if time.monotonic() - t0 > seconds:
            pytest.fail(f"{what} not reached within {seconds} s")
        time.sleep(0.1)
    return time.monotonic() - t0


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@contextlib.contextmanager
def fork_server(tmp_path: Path, *extra: str):
    """The fork server on a socket under ``tmp_path``; yields (process, socket path)."""
    sock = str(tmp_path / "k.sock")
    proc = subprocess.Popen(
        [sys.executable, str(FORKSERVER), "serve", sock, *extra],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: os.path.exists(sock) or proc.poll() is not None, what="socket")
        assert proc.poll() is None, proc.stderr.read().decode()
        yield proc, sock
    finally:
        if proc.poll() is None:
            proc.stdin.close()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def kernel(tmp_path: Path, sock: str | None, monkeypatch):
    """A kernel of the workbench kernelspec; yields (manager, client)."""
    monkeypatch.setenv("JUPYTER_PATH", str(cli.JUPYTER_DATA))
    if sock is None:
        monkeypatch.delenv(SOCKET_ENV, raising=False)
    else:
        monkeypatch.setenv(SOCKET_ENV, sock)
    monkeypatch.setenv("WB_FORK_TEST", "from-the-launcher")
    ksm = KernelSpecManager()
    assert Path(ksm.get_kernel_spec("python3").resource_dir).is_relative_to(cli.JUPYTER_DATA)
    km = KernelManager(kernel_name="python3", kernel_spec_manager=ksm)
    km.start_kernel(cwd=str(tmp_path))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=TIMEOUT)
        yield km, kc
    finally:
        kc.stop_channels()
        if km.has_kernel:
            km.shutdown_kernel(now=True)


def run(kc, code: str) -> str:
    """Execute ``code`` in the kernel; its stdout."""
    out: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])

    reply = kc.execute_interactive(code, timeout=TIMEOUT, output_hook=hook)
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(out).strip()


def test_a_kernel_is_forked_with_the_launchers_directory_and_environment(tmp_path, monkeypatch):
    with (
        fork_server(tmp_path, "--no-preload") as (server, sock),
        kernel(tmp_path, sock, monkeypatch) as (km, kc),
    ):
        launcher = km.provisioner.process.pid
        got = run(
            kc,
            "import os, sys; print(os.getpid(), os.getppid(), os.getcwd(), "
            "os.environ['WB_FORK_TEST'], sys.path[0], sep='|')",
        )
        pid, ppid, cwd, env, path0 = got.split("|")
        assert int(ppid) == server.pid  # a fork of the fork server
        assert int(pid) != launcher
        assert Path(cwd) == tmp_path and Path(path0) == tmp_path
        assert env == "from-the-launcher"
        assert str(FORKSERVER.parent) not in run(kc, "import sys; print(sys.path)")

        # Jupyter interrupts with SIGINT to the launcher's process group: it reaches the
        # kernel. Sent once the kernel says it is sleeping (not after a fixed delay).
        def interrupt_once_sleeping(msg):
            if msg["msg_type"] == "stream" and "sleeping" in msg["content"]["text"]:
                km.interrupt_kernel()

        reply = kc.execute_interactive(
            "import time; print('sleeping', flush=True); time.sleep(600)",
            timeout=TIMEOUT,
            output_hook=interrupt_once_sleeping,
        )
        assert reply["content"]["ename"] == "KeyboardInterrupt"

        km.shutdown_kernel(now=True)  # SIGKILL to the launcher: the kernel follows
        wait_for(lambda: gone(int(pid)), what="the forked kernel's exit")
        assert server.poll() is None  # the fork server keeps serving


def test_a_kernel_exits_with_its_launcher_and_the_launcher_with_its_kernel(tmp_path, monkeypatch):
    with fork_server(tmp_path, "--no-preload") as (_server, sock):
        with kernel(tmp_path, sock, monkeypatch) as (km, kc):
            pid = int(run(kc, "import os; print(os.getpid())"))
            os.kill(km.provisioner.process.pid, signal.SIGKILL)
            wait_for(lambda: gone(pid), what="the kernel's exit after its launcher's")
        with kernel(tmp_path, sock, monkeypatch) as (km, kc):
            pid = int(run(kc, "import os; print(os.getpid())"))
            launcher = km.provisioner.process
            os.kill(pid, signal.SIGKILL)
            wait_for(lambda: launcher.poll() is not None, what="the launcher's exit")
            assert not km.is_alive()


def test_without_a_fork_server_the_launcher_becomes_a_plain_kernel(tmp_path, monkeypatch):
    with kernel(tmp_path, None, monkeypatch) as (km, kc):
        assert int(run(kc, "import os; print(os.getpid())")) == km.provisioner.process.pid
    missing = str(tmp_path / "nobody-listens.sock")
    with kernel(tmp_path, missing, monkeypatch) as (km, kc):
        assert int(run(kc, "import os; print(os.getpid())")) == km.provisioner.process.pid


def test_the_fork_server_preloads_the_workbench_and_exits_when_its_server_does(
    tmp_path, monkeypatch
):
    with fork_server(tmp_path) as (server, sock):
        with kernel(tmp_path, sock, monkeypatch) as (_km, kc):
            loaded = run(
                kc,
                "import sys; print(sorted(m for m in ('workbench.ui', 'pandas', 'plotly') "
                "if m in sys.modules))",
            )
            assert loaded == "['pandas', 'plotly', 'workbench.ui']"  # before any import
            # ipywidgets, imported before the kernel existed, still answers a page's
            # request for every widget state at once (its control comm)
            targets = run(
                kc,
                "from comm import get_comm_manager; print(sorted(t for t in "
                "get_comm_manager().targets if t.startswith('jupyter.widget')))",
            )
            assert targets == "['jupyter.widget', 'jupyter.widget.control']"
            # the sample business and its plan, ready for the first Dashboard
            got = run(kc, "from workbench.ui import app; print(sorted(app._PRELOADED))")
            assert got == "['dataset', 'plan']"
        assert oct(os.stat(sock).st_mode & 0o777) == "0o600"
        server.stdin.close()  # the Voila process that started it is gone
        assert server.wait(timeout=TIMEOUT) == 0
        assert not os.path.exists(sock)


def test_serve_forks_kernels_unless_no_fork():
    assert "--WorkbenchVoila.fork_kernels=True" in cli.voila_command(max_kernels=2)
    assert "--WorkbenchVoila.fork_kernels=False" in cli.voila_command(max_kernels=2, fork=False)
    # the default cap counts what a page's kernel adds: more when it shares nothing
    assert cli._kernel_mb(True) == cli.KERNEL_MEMORY_MB < cli._kernel_mb(False)


def test_no_fork_reaches_voila(monkeypatch):
    calls = []

    class FakePopen:
        def __init__(self, cmd, **kwargs):
            calls.append(cmd)

        def wait(self, timeout=None):
            return 0

        def poll(self):
            return 0

    monkeypatch.setattr(subprocess, "Popen", FakePopen)
    assert cli.main(["serve", "--no-browser", "--max-kernels", "2", "--no-fork"]) == 0
    assert "--WorkbenchVoila.fork_kernels=False" in calls[0]


# --------------------------------------------------------------------------- first page


@pytest.fixture
def small_folder(tmp_path, monkeypatch):
    import workbench as wb

    folder = tmp_path / "shop"
    wb.sample_dataset(n_skus=80, years=1, seed=5).to_folder(folder)
    monkeypatch.setenv("WORKBENCH_DATA", str(folder))
    from workbench.ui import app

    monkeypatch.setattr(app, "_PRELOADED", {})
    return folder


def test_the_first_dashboard_takes_the_preloaded_dataset_and_plan_once(small_folder):
    import pandas as pd

    from workbench.ui import Dashboard, app

    app.preload_first_page()
    ds, plan = app._PRELOADED["dataset"][1], app._PRELOADED["plan"][2]
    dash = Dashboard(lazy=True)
    assert dash.dataset is ds and dash.plan is plan
    assert app._PRELOADED == {}  # handed out once: a second page loads its own
    again = app.default_dataset()
    assert again is not ds
    pd.testing.assert_frame_equal(app.compute_plan(again, app._default_scenario()), plan)


def test_the_preload_makes_the_data_tabs_downloads_once_for_every_page(small_folder):
    """The templates and the plan's CSV link are made in the fork server: each page's
    Data tab then shows those very strings (no CSV written again in the kernel), and
    they are the downloads a page would have made itself."""
    from workbench.ui import Dashboard, app, data_panel

    data_panel._PLAN_LINKS.clear()
    app.preload_first_page()
    plan = app._PRELOADED["plan"][2]
    links, templates = data_panel._PLAN_LINKS[1], data_panel.templates_html()
    dash = Dashboard(lazy=True)
    assert dash.data_panel.downloads.value is links
    assert dash.data_panel.templates.value is templates
    made_here = data_panel.plan_download_html(plan.copy())  # another plan object: made anew
    assert made_here is not links and made_here == links
    assert data_panel._templates_html.__wrapped__(None) == templates


def test_a_changed_file_is_read_again_not_taken_from_the_preload(small_folder):
    from workbench.ui import app

    app.preload_first_page()
    ds, plan = app._PRELOADED["dataset"][1], app._PRELOADED["plan"][2]
    items = small_folder / "items.csv"
    st = items.stat()
    os.utime(items, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    fresh = app.default_dataset()
    assert fresh is not ds
    # the preloaded plan belongs to the preloaded dataset: not handed to another one
    assert app.compute_plan(fresh, app._default_scenario()) is not plan


def test_a_dataset_that_fails_to_load_is_left_for_the_page(tmp_path, monkeypatch):
    from workbench.ui import app

    monkeypatch.setattr(app, "_PRELOADED", {})
    monkeypatch.setenv("WORKBENCH_DATA", str(tmp_path / "no-such-folder"))
    app.preload_first_page()
    assert app._PRELOADED == {}
