"""Serving to others without a browser: the token rule, the kernel cap's default, the
orphan-kernel bookkeeping of ``workbench.voila_app`` and the data label without paths.

The browser tests in ``tests/browser/test_serving.py`` drive the same server end to end.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import pytest

import workbench as wb
from workbench import cli
from workbench.ui import Dashboard
from workbench.ui._source import SAMPLE_LABEL, source_label
from workbench.ui.data_panel import DataPanel

REPO = Path(__file__).resolve().parents[1]


class _FakePopen:
    calls: ClassVar[list[dict]] = []

    def __init__(self, cmd, cwd=None, env=None, **kwargs):
        _FakePopen.calls.append({"cmd": cmd, "env": env})
        self.returncode = 0

    def wait(self, timeout=None):
        return 0

    def poll(self):
        return 0


@pytest.fixture
def fake_popen(monkeypatch):
    _FakePopen.calls = []
    monkeypatch.setattr(subprocess, "Popen", _FakePopen)
    monkeypatch.delenv(cli.TOKEN_ENV, raising=False)
    return _FakePopen.calls


# --------------------------------------------------------------------------- token


def test_serving_beyond_this_machine_generates_and_prints_a_token(fake_popen, capsys):
    assert cli.main(["serve", "--no-browser", "--host", "0.0.0.0", "--max-kernels", "3"]) == 0
    (call,) = fake_popen
    token = call["env"][cli.TOKEN_ENV]
    assert len(token) >= 24
    assert "--Voila.ip=0.0.0.0" in call["cmd"]
    assert not any(token in arg for arg in call["cmd"])  # not visible in the process list
    out = capsys.readouterr().out
    assert f"?token={token}" in out and "at most 3 pages" in out


def test_a_given_token_is_used_even_on_localhost(fake_popen, capsys):
    assert cli.main(["serve", "--no-browser", "--token", "s3cret-tok"]) == 0
    (call,) = fake_popen
    assert call["env"][cli.TOKEN_ENV] == "s3cret-tok"
    assert "?token=s3cret-tok" in capsys.readouterr().out


def test_localhost_stays_the_default_without_a_token(fake_popen, capsys):
    assert cli.main(["serve", "--no-browser"]) == 0
    (call,) = fake_popen
    assert "--Voila.ip=127.0.0.1" in call["cmd"]
    assert call["env"][cli.TOKEN_ENV] == ""
    assert "token" not in capsys.readouterr().out


def test_max_kernels_reaches_voila_and_zero_is_refused(fake_popen, capsys):
    assert cli.main(["serve", "--no-browser", "--max-kernels", "5"]) == 0
    assert "--WorkbenchVoila.max_kernels=5" in fake_popen[0]["cmd"]
    assert cli.main(["serve", "--no-browser", "--max-kernels", "0"]) == 2
    assert "max_kernels must be >= 1; got 0" in capsys.readouterr().err


def test_default_kernel_cap_follows_the_memory_available():
    # (4 GB - 1 GB reserved) // 200 MB = 15 kernels, one of them for the preheated pool
    assert cli.default_max_kernels(available_mb=4096) == 14
    assert cli.default_max_kernels(available_mb=4096, kernel_mb=230) == 12  # --no-fork
    assert cli.default_max_kernels(available_mb=8192) == cli.MAX_KERNELS_CEILING
    assert cli.default_max_kernels(available_mb=1400) == 1
    assert 1 <= cli.default_max_kernels() <= cli.MAX_KERNELS_CEILING
    with pytest.raises(ValueError, match=r"kernel_mb must be > 0 \[MB\]; got 0"):
        cli.default_max_kernels(available_mb=8192, kernel_mb=0)


def test_the_voila_app_never_imports_the_workbench_package():
    """The server process only serves pages: pandas and the calculators stay out of it."""
    probe = "import sys; sys.argv[1:] = ['--help']; " + cli.VOILA_LAUNCHER.replace(
        "sys.exit(main())",
        "assert 'workbench' not in sys.modules and 'pandas' not in sys.modules; "
        "print(main.__module__, 'ok')",
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip().endswith("ok")


def test_the_fork_server_starts_before_voila_is_imported():
    """A cold start waits for the fork server's modules and the first page's data: they
    load while Voila imports (the launcher starts the fork server first), and the app
    uses that fork server instead of starting another."""
    probe = (
        "import sys, subprocess, types\n"
        "calls = []\n"
        "class Fake:\n"
        "    pid = 1\n"
        "    stdin = types.SimpleNamespace(close=lambda: None)\n"
        "    def __init__(self, cmd, **kw):\n"
        "        calls.append(('voila' in sys.modules, cmd[-2]))\n"
        "    def wait(self, timeout=None):\n"
        "        return 0\n"
        "subprocess.Popen = Fake\n"
        f"sys.argv[1:] = [{cli.DASHBOARD!r}, '--WorkbenchVoila.fork_kernels=True']\n"
        + cli.VOILA_LAUNCHER.replace(
            "main = runpy.run_path",
            "ns = runpy.run_path",
        ).replace(
            "['main']; sys.exit(main())",
            "; print(calls, len(ns['_EARLY']))",
        )
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[(False, 'serve')] 1"


# --------------------------------------------------------------------------- sessions


def _voila_app():
    import runpy

    return runpy.run_path(str(cli.VOILA_APP))


def test_orphan_kernels_expire_after_their_last_websocket_closes():
    ns = _voila_app()
    s = ns["Sessions"]()
    s.own("k1", "alice")
    s.own("k2", "bob")
    t0 = s.released["k1"]
    s.opened("k1")
    s.opened("k1")  # a second tab of the same page, or a reconnect
    s.closed("k1")
    assert s.expired(now=t0 + 1e6, orphan_timeout=10, connect_timeout=180) == ["k2"]
    s.closed("k1")
    t1 = s.released["k1"]
    assert s.expired(now=t1 + 5, orphan_timeout=10, connect_timeout=180) == []
    assert "k1" in s.expired(now=t1 + 11, orphan_timeout=10, connect_timeout=180)
    # k2 never connected: it gets connect_timeout, not orphan_timeout
    assert "k2" not in s.expired(now=t0 + 60, orphan_timeout=10, connect_timeout=180)
    s.forget("k1")
    assert "k1" not in s.owners and "k1" not in s.released


def test_only_the_owner_session_owns_a_kernel():
    s = _voila_app()["Sessions"]()
    s.own("k1", "alice")
    assert s.is_owner("k1", "alice")
    assert not s.is_owner("k1", "bob")
    assert not s.is_owner("k1", None)
    assert not s.is_owner("k1", "")
    assert not s.is_owner("unknown", "alice")


def test_pages_may_not_send_shutdown_requests():
    assert "shutdown_request" not in _voila_app()["PAGE_MESSAGE_TYPES"]


# --------------------------------------------------------------------------- no paths


@pytest.mark.parametrize(
    ("source", "label"),
    [
        ("sample business (seed=7)", SAMPLE_LABEL),
        (str(REPO / "sample_data"), SAMPLE_LABEL),
        ("/srv/shops/acme/2024/shop.xlsx", "shop.xlsx"),
        ("/srv/shops/acme/folder/", "folder"),
        ("C:\\shops\\acme\\shop.zip", "shop.zip"),
        ("upload: items.csv, demand.csv", "upload: items.csv, demand.csv"),
        ("upload: /home/ann/items.csv", "upload: items.csv"),
    ],
)
def test_source_label_never_shows_a_folder(source, label):
    assert source_label(source) == label


def test_header_and_data_tab_show_the_file_name_not_the_server_path(tmp_path):
    folder = tmp_path / "secret-server-folder" / "acme-shop"
    wb.sample_dataset(n_skus=80, years=1, seed=3).to_folder(folder)
    ds = wb.load_dataset(folder)
    assert str(tmp_path) in str(ds.source)  # the dataset itself still knows where
    dash = Dashboard(ds, tabs=[], lazy=True)
    assert "acme-shop" in dash.header.value
    assert "secret-server-folder" not in dash.header.value
    panel = DataPanel(ds)
    assert "acme-shop" in panel.summary.value
    assert str(tmp_path) not in panel.summary.value


def test_header_names_the_sample_business():
    ds = wb.load_dataset(REPO / "sample_data")
    dash = Dashboard(ds, tabs=[], lazy=True)
    assert "Sample business (Hearth &amp; Lather)" in dash.header.value
    assert str(REPO) not in dash.header.value


def test_voila_waits_until_the_kernels_iopub_is_heard():
    """Before: a kernel that answered at once (forked) on a busy machine ran the notebook
    before Voila's IOPub subscription reached it; its output was lost ("Timeout waiting
    for IOPub output") and the page had no dashboard."""
    import asyncio
    import queue

    ns = _voila_app()

    class Client:
        def __init__(self, heard_after):
            self.requests, self.heard_after = 0, heard_after

        def kernel_info(self):
            self.requests += 1

        async def get_iopub_msg(self, timeout):
            if self.requests <= self.heard_after:
                raise queue.Empty
            return {"msg_type": "status"}

    def run(coro):
        # in a thread of its own: the browser tests may leave an event loop running here
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, coro).result()

    kc = Client(heard_after=2)
    assert run(ns["wait_for_iopub"](kc, timeout=60)) is True
    assert kc.requests == 3  # asked again until the subscription was heard
    assert run(ns["wait_for_iopub"](Client(heard_after=10**9), timeout=0.5)) is False


def test_pages_reuse_the_templates_compiled_for_the_first_page(monkeypatch):
    """Voila renders each page with a new exporter, whose new Jinja environment compiled
    the page's templates again: the Voila server's largest CPU cost per page. With
    ``workbench.voila_app``'s exporter environments, a second page compiles nothing."""
    import jinja2
    from voila.exporter import VoilaExporter
    from voila.paths import collect_template_paths

    ns = _voila_app()
    monkeypatch.setattr(VoilaExporter, "_create_environment", ns["_environment_with_bytecode"])
    compiled: list[str] = []
    compile_ = jinja2.Environment.compile

    def counting(self, source, name=None, *args, **kwargs):
        compiled.append(name)
        return compile_(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    paths = collect_template_paths(["voila", "nbconvert"], "lab")
    per_page = []
    for _ in range(2):
        before = len(compiled)
        exporter = VoilaExporter(template_paths=paths, template_name="lab")
        env = exporter.environment
        for name in ("index.html.j2", "voila_setup.macro.html.j2", "spinner.macro.html.j2"):
            env.get_template(name)
        per_page.append(len(compiled) - before)
    assert per_page[0] >= 3 and per_page[1] == 0, per_page


def _run(coro):
    # in a thread of its own: the browser tests may leave an event loop running here
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_pages_load_in_turn_in_arrival_order():
    """Ten pages at once shared the machine evenly and all arrived together at the end
    (median close to the worst). The gate lets two load at once, the others wait in
    arrival order; a page's place goes to the next one when the page says it has
    rendered, when it fails, or after the timeout."""
    import asyncio

    gate_cls = _voila_app()["LoadGate"]

    async def scenario():
        gate = gate_cls(2, timeout=0.3)
        order: list[int] = []

        async def page(i: int, kernel: str) -> None:
            ticket = await gate.enter()
            order.append(i)
            gate.bind(ticket, kernel)

        tasks = []
        for i in range(5):
            tasks.append(asyncio.create_task(page(i, f"k{i}")))
            await asyncio.sleep(0)  # arrival order
        await asyncio.sleep(0.01)
        assert order == [0, 1] and gate.busy == 2 and len(gate.waiters) == 3
        gate.rendered("k1")  # page 1 has rendered: page 2 goes
        await asyncio.sleep(0.01)
        assert order == [0, 1, 2]
        gate.rendered("k1")  # twice: nothing more
        await asyncio.sleep(0.01)
        assert order == [0, 1, 2]
        await asyncio.sleep(0.4)  # pages 0 and 2 never connected: the timeout frees them
        assert order == [0, 1, 2, 3, 4]
        await asyncio.gather(*tasks)
        for k in ("k3", "k4"):
            gate.rendered(k)
        await asyncio.sleep(0.35)
        return gate.busy, len(gate.waiters), gate.held

    assert _run(scenario()) == (0, 0, {})

    async def unlimited():
        gate = gate_cls(0, timeout=5)
        tickets = [await gate.enter() for _ in range(20)]  # 0: no limit, still counted
        loading = gate.busy, gate.quiet_for()
        for i, t in enumerate(tickets):
            gate.bind(t, f"k{i}")
            gate.rendered(f"k{i}")
        await asyncio.sleep(0.05)
        return loading, gate.busy, gate.quiet_for() > 0.04

    assert _run(unlimited()) == ((20, 0.0), 0, True)


def test_work_that_can_wait_waits_for_the_loading_pages():
    """A page takes a preheated kernel only when it is ready (Voila counted the pool's
    refill, still sleeping, and the second of ten pages waited 10 s for it); the refill
    and the dashboard's warm-up wait until no page is loading."""
    import asyncio
    import types

    ns = _voila_app()

    async def scenario():
        loop = asyncio.get_running_loop()
        pending, ready = loop.create_future(), loop.create_future()
        ready.set_result({"kernel_id": "k0"})
        km = types.SimpleNamespace(_pools={"nb": [pending]})
        seen = ns["_RecordingKernelManager"](km, record=lambda k: None)
        sizes = [seen.get_pool_size("nb")]
        km._pools["nb"] = [ready]
        sizes.append(seen.get_pool_size("nb"))
        pending.cancel()

        gate = ns["LoadGate"](1, timeout=5)
        ticket = await gate.enter()
        gate.bind(ticket, "k1")
        ns["_gate"][:] = [gate]

        async def refill():
            return "started"

        waited = asyncio.create_task(ns["_refill_when_quiet"](0.0, refill()))
        await asyncio.sleep(0.7)
        early = waited.done()
        gate.rendered("k1")
        return sizes, early, await asyncio.wait_for(waited, 2.0)

    assert _run(scenario()) == ([0, 1], False, "started")
