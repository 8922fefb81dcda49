"""How fast the dashboard opens: Python side and in Debian's chromium.

Run: .venv/bin/python benchmarks/bench_dashboard.py [--repeat N] [--skip-browser]

Prints
- the Python side: importing ``workbench.ui`` in a fresh interpreter (the first
  FigureWidget's import chain included), building the Dashboard on the shipped sample
  data, and a data change (``dashboard.dataset = ...``: Summary, plan, panels);
- the browser side (Playwright + /usr/bin/chromium; issue 5's goals: under 8 s cold and
  under 3 s with a preheated kernel). Voila is started as ``workbench serve`` starts it
  (``workbench.cli.voila_command`` run in ``workbench.cli.voila_env()``: its launcher, the
  ``workbench`` template, ``notebooks/voila.json``), with or without the preheated kernel:
  * cold start: Voila launched (``workbench serve --no-preheat``) -> dashboard fully
    rendered, split into "Voila answering" and "request -> rendered"; once more with a
    plain ``python -m voila dashboard.ipynb`` (voila.json only) for comparison;
  * preheated: ``--preheat_kernel=True --pool_size=1``, request -> rendered, once the
    pool kernel has run the notebook.
  * opening a tab: click on "EOQ" -> its cost curves drawn (the Voila app builds each
    tab when it is first opened), right after the first page and, on another page, 3 s
    after it (once the first page is idle, the app loads plotly's bundle in the background);
  * slider to repaint: ArrowRight on the EOQ demand slider -> the total-cost curve's
    path redrawn (issue 5's goal: under 100 ms), median and p90 over 12 presses.
"Fully rendered" = the first page: the Data tab shows what is loaded (it has no chart;
the other tabs are built when first opened). The machine's load average is printed:
timings on a shared machine are noisy.
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
#: The EOQ chart's curves normally come within 10 s even at load 10; past this the chart is
#: taken as never drawn (a known fault: a first chart opened at once sometimes stays empty).
EOQ_TIMEOUT_MS = 60_000
#: Seconds on the first page before opening the EOQ tab (the second tab-opening figure).
TAB_AFTER = 3.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def voila(*, preheat: bool, plain: bool = False):
    """Start Voila on the dashboard as ``workbench serve`` does (or, with ``plain``, as
    ``python -m voila dashboard.ipynb`` with voila.json only); yield (base URL, seconds
    until it answered, launch time, the Voila process)."""
    from workbench import cli

    port = free_port()
    if plain:
        cmd = [
            sys.executable,
            "-m",
            "voila",
            "dashboard.ipynb",
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            "--Voila.port_retries=0",
            *(["--preheat_kernel=True", "--pool_size=1"] if preheat else []),
        ]
        env = {**os.environ, cli.THEME_ENV: "light"}
    else:
        cmd = cli.voila_command(port=port, preheat=preheat)
        env = cli.voila_env(theme="light")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=NOTEBOOKS,
        env=env,
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
        yield base, time.perf_counter() - t0, t0, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def count_figures() -> int:
    import workbench as wb
    from workbench.ui import Dashboard

    stack, n = [Dashboard(wb.load_dataset(REPO / "sample_data"))], 0
    while stack:
        w = stack.pop()
        n += hasattr(w, "_widget_data")
        stack.extend(getattr(w, "children", None) or ())
    return n


def server_cpu(pid: int) -> dict[str, float]:
    """User + system CPU seconds since launch of the Voila server (its own process), of
    the fork server (its modules and the first page's data, shared by the kernels it
    forks) and of the kernels (with their launchers), all still running."""
    import psutil

    out = {"server": 0.0, "fork server": 0.0, "kernels": 0.0}
    with contextlib.suppress(psutil.Error):
        server = psutil.Process(pid)
        t = server.cpu_times()
        out["server"] = t.user + t.system
        forkservers = set()
        for p in server.children():
            with contextlib.suppress(psutil.Error):
                if any("forkserver.py" in a for a in p.cmdline()[:3]):
                    forkservers.add(p.pid)
        for p in server.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                t = p.cpu_times()
                out["fork server" if p.pid in forkservers else "kernels"] += t.user + t.system
    return out


def chromium_cpu() -> float:
    """User + system CPU seconds of the chromium processes this benchmark started."""
    import psutil

    total = 0.0
    for p in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "chrom" in p.name():
                t = p.cpu_times()
                total += t.user + t.system
    return total


def render(browser, url: str, interact: bool = False, tab_after: float | None = None) -> dict:
    """Seconds from the request to the rendered first page, in a fresh page; with
    ``interact``, also opening the EOQ tab and slider-to-repaint latencies; with
    ``tab_after``, opening the EOQ tab that many seconds after the first page."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    out: dict = {}
    try:
        t0, cpu0 = time.perf_counter(), chromium_cpu()
        page.goto(url, timeout=TIMEOUT_MS)
        page.wait_for_selector(".wb-data-summary :text('What is loaded')", timeout=TIMEOUT_MS)
        out["first_page"] = time.perf_counter() - t0
        out["first_page_cpu"] = chromium_cpu() - cpu0
        if tab_after is not None:
            time.sleep(tab_after)
            t0 = time.perf_counter()
            page.locator(".wb-tabs .lm-TabBar-tab", has_text="EOQ").first.click()
            page.locator(".eoq-panel path.js-line").nth(2).wait_for(timeout=TIMEOUT_MS)
            out["open_eoq_tab_later"] = time.perf_counter() - t0
        if not interact:
            return out
        t0, cpu0 = time.perf_counter(), chromium_cpu()
        page.locator(".wb-tabs .lm-TabBar-tab", has_text="EOQ").first.click()
        try:
            page.locator(".eoq-panel path.js-line").nth(2).wait_for(timeout=EOQ_TIMEOUT_MS)
        except Exception:  # the chart stayed empty: say so and print the other figures
            page.screenshot(path=str(REPO / "test-artifacts" / "bench-eoq-empty.png"))
            out["open_eoq_tab"] = None
            return out
        out["open_eoq_tab"] = time.perf_counter() - t0
        out["open_eoq_tab_cpu"] = chromium_cpu() - cpu0
        handle = page.locator(".eoq-panel .eoq-demand .noUi-handle")
        handle.focus()
        lags = []
        cpu0 = chromium_cpu()
        for _ in range(12):
            # The page itself times key press -> path changed (MutationObserver), so no
            # Playwright round trip is counted.
            page.evaluate(
                """() => {
                  const path = document.querySelectorAll('.eoq-panel path.js-line')[2];
                  window.__lag = null;
                  const t0 = performance.now();
                  const obs = new MutationObserver(() => {
                    window.__lag = performance.now() - t0; obs.disconnect(); });
                  obs.observe(path.parentNode.parentNode, {attributes: true, subtree: true,
                                                           childList: true});
                }"""
            )
            page.keyboard.press("ArrowRight")
            page.wait_for_function("window.__lag !== null", timeout=TIMEOUT_MS)
            lags.append(page.evaluate("window.__lag") / 1000.0)
            time.sleep(0.2)
        out["slider_repaint"] = lags
        out["slider_cpu"] = (chromium_cpu() - cpu0) / len(lags)
        return out
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
    builds, lazy_builds, changes = [], [], []
    for _ in range(3):
        t = time.perf_counter()
        Dashboard(ds, lazy=True)
        lazy_builds.append(time.perf_counter() - t)
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
        f"Dashboard(sample data) build: every tab median {statistics.median(builds) * 1000:.0f}"
        f" ms, lazy (the Voila app) {statistics.median(lazy_builds) * 1000:.0f} ms"
    )
    print(
        f"dashboard.dataset = new 250-SKU data (summary, plan, panels): "
        f"median {statistics.median(changes) * 1000:.0f} ms"
    )


def browser_side(repeat: int, cold_only: bool = False) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            colds = []
            for plain in [False] * repeat + ([] if cold_only else [True]):
                with voila(preheat=False, plain=plain) as (base, ready, t0, proc):
                    first = render(browser, base + "/")
                    total = time.perf_counter() - t0
                    cpu = {"chromium": first["first_page_cpu"], **server_cpu(proc.pid)}
                    colds.append((plain, ready, first["first_page"], total, cpu))
            for plain, ready, request, total, cpu in colds:
                print(
                    f"cold{', plain voila' if plain else ''}: voila answering {ready:.1f} s + "
                    f"request -> rendered {request:.1f} s = {total:.1f} s from launch"
                    + (" (for comparison)" if plain else " (goal < 8 s)")
                    + "; CPU "
                    + ", ".join(f"{k} {v:.1f} s" for k, v in cpu.items() if v)
                    + f" (load {os.getloadavg()[0]:.1f})"
                )
            if cold_only:
                return
            with voila(preheat=True) as (base, ready, _t0, _proc):
                time.sleep(45)  # let the pool kernel start and run the notebook
                warm = []
                for i in range(repeat):
                    last_run = i == repeat - 1
                    warm.append(
                        render(
                            browser,
                            base + "/",
                            interact=last_run,
                            tab_after=TAB_AFTER if i == 0 and not last_run else None,
                        )
                    )
                    time.sleep(45)  # the pool refills after each use
                for x in warm:
                    print(
                        f"preheated: request -> rendered {x['first_page']:.1f} s (goal < 3 s); "
                        f"chromium CPU {x['first_page_cpu']:.1f} s"
                    )
                last = warm[-1]
                if last.get("open_eoq_tab") is None:
                    print(
                        "open the EOQ tab right after the first page: its chart stayed EMPTY "
                        f"for {EOQ_TIMEOUT_MS / 1000:.0f} s (test-artifacts/bench-eoq-empty.png)"
                    )
                    return
                print(
                    "open the EOQ tab right after the first page -> cost curves drawn: "
                    f"{last['open_eoq_tab']:.2f} s; chromium CPU {last['open_eoq_tab_cpu']:.1f} s"
                )
                if "open_eoq_tab_later" in warm[0]:
                    print(
                        f"open the EOQ tab {TAB_AFTER:.0f} s after the first page -> cost curves"
                        f" drawn: {warm[0]['open_eoq_tab_later']:.2f} s"
                    )
                lags = sorted(last["slider_repaint"])
                p90 = lags[int(0.9 * (len(lags) - 1))]
                print(
                    f"EOQ slider key -> total-cost curve repainted: median "
                    f"{statistics.median(lags) * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms over "
                    f"{len(lags)} presses (goal < 100 ms); chromium CPU "
                    f"{last['slider_cpu'] * 1000:.0f} ms a press (its 0.2 s pause included)"
                )
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument(
        "--cold-only",
        action="store_true",
        help="only the cold starts under workbench serve (no Python side, no plain voila)",
    )
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if not args.cold_only:
        python_side()
        print(f"the dashboard has {count_figures()} FigureWidgets over all its tabs")
    if not args.skip_browser:
        if not os.access(CHROMIUM, os.X_OK):
            sys.exit(f"{CHROMIUM} is missing: make chromium")
        browser_side(args.repeat, cold_only=args.cold_only)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
