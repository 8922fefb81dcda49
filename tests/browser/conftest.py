"""Browser tests: Voila serves notebooks/dashboard.ipynb, Debian's chromium drives it.

Fixtures for every browser test (add a panel's tests in a new ``test_*.py`` here):

``voila_url``
    session-scoped: Voila on a free port at 127.0.0.1, started once as ``workbench serve``
    starts it (``cli.voila_command`` in ``cli.voila_env()``: the ``workbench`` template),
    with cwd ``notebooks/`` (so ``voila.json`` applies) and a preheated kernel, stopped with
    SIGTERM at the end (SIGKILL to its process group after a timeout; STACK.md
    recipe, pitfalls 4, 5, 6 and 14).
``dashboard``
    a fresh page (pytest-playwright's ``page``) on the dashboard, waited until the
    Data tab has rendered, with JavaScript errors collected in ``page.js_errors``.
``open_tab(page, title)``
    clicks a dashboard tab and returns the locator of its visible content.
``artifact(name)``
    path of a screenshot under ``test-artifacts/`` (gitignored).

Never Playwright's own browser download: the tests use /usr/bin/chromium (``make chromium``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from workbench import cli

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
#: Generous: the machine is shared; a cold kernel plus the first FigureWidget takes 5-15 s.
RENDER_TIMEOUT_MS = 120_000

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    """Everything under tests/browser is a browser test (``make unit`` deselects them)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def voila_server(notebook: Path, *extra: str, env: dict | None = None, timeout: float = 90.0):
    """Run Voila on ``notebook`` on a free port as ``workbench serve`` runs it (without
    preheating unless ``extra`` asks; an ``--option=value`` in ``extra`` replaces the
    command's own); yield its base URL (no trailing slash)."""
    port = free_port()
    env = {**os.environ, **(env or {})}
    # the page's theme as `workbench serve --theme` gives it: Voila's (the page's CSS) and
    # the kernel's (WORKBENCH_THEME: the charts' template) together
    theme = env.get(cli.THEME_ENV, "light")
    cmd = cli.voila_command(port=port, preheat=False, python=sys.executable, theme=theme)
    cmd[cmd.index(cli.DASHBOARD)] = notebook.name
    # an option in ``extra`` replaces the command's own (traitlets refuses it twice)
    given = {e.split("=", 1)[0] for e in extra if e.startswith("--") and "=" in e}
    cmd = [c for c in cmd if c.split("=", 1)[0] not in given or "=" not in c] + list(extra)
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / f"voila-{port}.log", "wb")
    proc = subprocess.Popen(
        cmd,
        cwd=notebook.parent,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=cli.voila_env(theme=theme, base=env),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"voila exited with {proc.returncode}; see {log.name}")
            try:
                with urllib.request.urlopen(base + "/voila/static/voila.js", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"voila did not answer at {base} in {timeout} s")
            time.sleep(0.1)
        yield base
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # voila shuts its kernels down on SIGTERM
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # pytest-playwright hook
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"the browser tests need Debian's chromium at {CHROMIUM}: run `make chromium` "
            "(as root) or `apt-get install -y chromium`; never Playwright's own browser download."
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def artifact(artifacts_dir):
    def path(name: str) -> Path:
        return artifacts_dir / name

    return path


@pytest.fixture(scope="session")
def voila_url(artifacts_dir):
    """The dashboard served by Voila for the whole session, on the default data."""
    env = {"WORKBENCH_THEME": "light"}
    env_data = os.environ.get("WORKBENCH_DATA")
    with voila_server(
        NOTEBOOKS / "dashboard.ipynb",
        "--preheat_kernel=True",
        "--pool_size=1",
        env=env if env_data is None else {**env, "WORKBENCH_DATA": env_data},
    ) as base:
        yield base


def wait_rendered(page) -> None:
    """Wait until the dashboard's Data tab shows what is loaded."""
    page.wait_for_selector(".wb-dashboard", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_selector(".wb-data-summary :text('What is loaded')", timeout=RENDER_TIMEOUT_MS)


@pytest.fixture
def dashboard(page, voila_url):
    """A page on the dashboard, fully rendered; ``page.js_errors`` collects page errors."""
    page.set_default_timeout(RENDER_TIMEOUT_MS)
    page.set_viewport_size({"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    page.goto(voila_url + "/", timeout=RENDER_TIMEOUT_MS)
    wait_rendered(page)
    return page


def _open_tab(page, title: str):
    page.locator(".wb-tabs .lm-TabBar-tab", has_text=title).first.click()
    return page.locator(".wb-tabs .widget-tab-contents > .lm-Widget:visible").first


@pytest.fixture
def open_tab():
    return _open_tab
