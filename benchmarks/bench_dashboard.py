"""How fast the dashboard opens: Python side and in Debian's chromium.

Run: .venv/bin/python benchmarks/bench_dashboard.py [--repeat N] [--skip-browser]

Prints
- the Python side: importing ``workbench.ui`` in a fresh interpreter (the first
  FigureWidget's import chain included), building the Dashboard on the shipped sample
  data, and a data change (``dashboard.dataset = ...``: Summary, plan, panels);
- the browser side (Playwright + /usr/bin/chromium; issue 5's goals: under 8 s cold and
  under 3 s with a preheated kernel):
  * cold start: Voila launched (no preheat) -> dashboard fully rendered, split into
    "Voila answering" and "request -> rendered";
  * preheated: ``--preheat_kernel=True --pool_size=1``, request -> rendered, once the
    pool kernel has run the notebook.
"Fully rendered" = the Data tab shows what is loaded and every chart of every tab has
drawn its SVG. The machine's load average is printed: timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 180_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def voila(*extra: str):
    """Start Voila on the dashboard; yield (base URL, seconds until it answered)."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "voila",
        "dashboard.ipynb",
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        *extra,
    ]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=NOTEBOOKS,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"voila exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(base + "/voila/static/voila.js", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        yield base, time.perf_counter() - t0, t0
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


N_FIGURES = 2  # set in main() to the number of FigureWidgets the dashboard has


def count_figures() -> int:
    import workbench as wb
    from workbench.ui import Dashboard

    stack, n = [Dashboard(wb.load_dataset(REPO / "sample_data"))], 0
    while stack:
        w = stack.pop()
        n += hasattr(w, "_widget_data")
        stack.extend(getattr(w, "children", None) or ())
    return n


def render(browser, url: str) -> float:
    """Seconds from the request to the fully rendered dashboard, in a fresh page."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        t0 = time.perf_counter()
        page.goto(url, timeout=TIMEOUT_MS)
        page.wait_for_selector(".wb-data-summary :text('What is loaded')", timeout=TIMEOUT_MS)
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {N_FIGURES}",
            timeout=TIMEOUT_MS,
        )
        return time.perf_counter() - t0
    finally:
        page.close()


def python_side() -> None:
    code = "import time; t=time.perf_counter(); import workbench.ui; print(time.perf_counter()-t)"
    imports = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
            ).stdout
        )
        for _ in range(2)
    ]
    import workbench as wb
    from workbench.ui import Dashboard

    ds = wb.load_dataset(REPO / "sample_data")
    other = wb.sample_dataset(n_skus=250, years=2, seed=7)
    builds, changes = [], []
    for _ in range(3):
        t = time.perf_counter()
        d = Dashboard(ds)
        builds.append(time.perf_counter() - t)
        t = time.perf_counter()
        d.dataset = other
        changes.append(time.perf_counter() - t)
    print(
        f"import workbench.ui (fresh interpreter, incl. workbench): "
        f"{min(imports):.2f} s (runs {', '.join(f'{x:.2f}' for x in imports)})"
    )
    print(
        f"Dashboard(sample data) build: median {statistics.median(builds) * 1000:.0f} ms "
        f"over {len(builds)}"
    )
    print(
        f"dashboard.dataset = new 250-SKU data (summary, plan, panels): "
        f"median {statistics.median(changes) * 1000:.0f} ms"
    )


def browser_side(repeat: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            colds = []
            for _ in range(repeat):
                with voila() as (base, ready, t0):
                    request = render(browser, base + "/")
                    total = time.perf_counter() - t0
                    colds.append((ready, request, total))
            for ready, request, total in colds:
                print(
                    f"cold: voila answering {ready:.1f} s + request -> rendered {request:.1f} s"
                    f" = {total:.1f} s from launch (goal < 8 s)"
                )
            with voila("--preheat_kernel=True", "--pool_size=1") as (base, ready, _t0):
                time.sleep(45)  # let the pool kernel start and run the notebook
                warm = []
                for _ in range(repeat):
                    warm.append(render(browser, base + "/"))
                    time.sleep(45)  # the pool refills after each use
                for x in warm:
                    print(f"preheated: request -> rendered {x:.1f} s (goal < 3 s)")
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    python_side()
    global N_FIGURES
    N_FIGURES = count_figures()
    print(f"the dashboard has {N_FIGURES} FigureWidgets")
    if not args.skip_browser:
        if not os.access(CHROMIUM, os.X_OK):
            sys.exit(f"{CHROMIUM} is missing: make chromium")
        browser_side(args.repeat)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
