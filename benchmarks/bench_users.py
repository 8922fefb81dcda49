"""Many users on one ``workbench serve``: N pages at once in Debian's chromium.

Run: .venv/bin/python benchmarks/bench_users.py [--users 10] [--close beacon|drop] [--tabs]
[-- SERVE_OPTIONS such as --no-fork]

Starts ``workbench serve`` (``python -m workbench.cli serve --no-browser``: the preheated
pool, the kernel cap, culling, as a user runs it) on a free port, then opens N pages at
once, each in its own browser context (its own cookies: N different visitors), and prints

- render: how many pages rendered, and the time from the request to the Data tab
  showing what is loaded (median, worst) [s];
- CPU per kernel: its CPU time [s] up to the first page (start, imports, the notebook;
  a kernel forked from the fork server counts only what it did after the fork);
  N pages on C cores cannot all render sooner than about N x that / C;
- memory per kernel: RSS of each page's kernel process after the first render [MB]
  (median, max; a forked kernel's RSS counts the pages it shares with the fork server);
  PSS (shared pages divided among the processes sharing them: what each
  kernel adds to the machine's memory) and USS (memory only that kernel holds);
- CPU until every page rendered: chromium's, the Voila server's and the kernels'; their
  sum over the cores is what the last page needs at best on an otherwise idle machine;
- the server's total: RSS of the Voila process and all its kernels, at baseline (the
  server idle with its preheated kernel), with the N pages open, and after they close;
- freed: seconds from closing the pages until the kernels are gone and the total is
  back to baseline (+10 %), polled every 0.5 s for ``--settle`` seconds.

``--tabs`` then opens every tab of every page (each until built) and prints the memory per
kernel again: what a page that was used holds (``workbench.cli.KERNEL_MEMORY_MB``).

``--close beacon`` (default) closes each page as a browser tab closes (``beforeunload``
runs: the page's beacon shuts its kernel down); ``--close drop`` closes without it (a
crashed or killed browser: the server notices the closed websocket). Issue 16's goal on a
2-core machine: all 10 render, median under 30 s, under 200 MB per kernel, freed within
30 s. The load average is printed: timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import asyncio
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

import psutil

REPO = Path(__file__).resolve().parents[1]
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
MB = 2**20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def workbench_serve(port: int, *extra: str, timeout: float = 120.0):
    """``workbench serve`` on ``port``; yields its process; SIGTERM (then SIGKILL) at the end."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    cmd = [sys.executable, "-m", "workbench.cli", "serve", "--no-browser", f"--port={port}"]
    log = open(REPO / "test-artifacts" / f"bench-users-{port}.log", "wb")
    proc = subprocess.Popen(
        [*cmd, *extra], stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"workbench serve exited with {proc.returncode}; {log.name}")
            try:
                url = f"http://127.0.0.1:{port}/voila/static/voila.js"
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"workbench serve did not answer on port {port}")
            time.sleep(0.2)
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def _role(p: psutil.Process) -> str:
    """'forkserver', 'launcher' (a forked kernel's stand-in), 'kernel' or ''."""
    cmd = p.cmdline()
    if any(part.endswith("forkserver.py") for part in cmd):
        if "launch" in cmd:
            return "launcher"
        parent = p.parent()
        forked = parent is not None and any(x.endswith("forkserver.py") for x in parent.cmdline())
        return "kernel" if forked else "forkserver"
    return "kernel" if any("ipykernel" in part for part in cmd) else ""


def processes(proc: subprocess.Popen, role: str) -> list[psutil.Process]:
    """The processes under the server with that role (see :func:`_role`)."""
    out = []
    for p in psutil.Process(proc.pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if _role(p) == role:
                out.append(p)
    return out


def kernels(proc: subprocess.Popen) -> list[psutil.Process]:
    """The kernel processes under the server (forked from the fork server, or plain)."""
    return processes(proc, "kernel")


def voila(proc: subprocess.Popen) -> list[psutil.Process]:
    """The Voila process (``workbench serve``'s child)."""
    return [p for p in psutil.Process(proc.pid).children() if "voila_app" in " ".join(p.cmdline())]


def driver() -> list[psutil.Process]:
    """Playwright's driver (a node process under this one): it drives the browser over
    the DevTools protocol, as no real visitor's browser is driven."""
    out = []
    for p in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if p.name() == "node" or "playwright" in " ".join(p.cmdline()[:2]):
                out.append(p)
    return out


def cpu_seconds(procs) -> float:
    """User + system CPU time of the processes [s] (their exited children not counted)."""
    total = 0.0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            t = p.cpu_times()
            total += t.user + t.system
    return total


class CpuClock:
    """CPU time spent by everything the benchmark runs (chromium, Playwright's driver, the
    server, its kernels), read at each :meth:`tick`: when a page rendered, how much CPU
    all the pages had cost so far. Other work on a shared machine slows the wall clock
    but hardly this one; on an otherwise idle machine with every core busy, a page renders
    no sooner than this / cores."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.ticks: list[float] = []
        self.start = self._now()

    def _now(self) -> float:
        mine = psutil.Process()
        server = psutil.Process(self.proc.pid)
        procs = [server, *server.children(recursive=True)]
        procs += [p for p in mine.children(recursive=True) if p.pid != server.pid]
        return cpu_seconds({p.pid: p for p in procs}.values())

    def tick(self) -> None:
        self.ticks.append(self._now() - self.start)


def tree_rss(proc: subprocess.Popen) -> float:
    """RSS of the server and all its descendants [MB]."""
    root = psutil.Process(proc.pid)
    total = 0
    for p in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total / MB


def kernel_memory(procs: list[psutil.Process]) -> tuple[list[float], list[float], list[float]]:
    """RSS, PSS and USS of each kernel [MB]."""
    rss, pss, uss = [], [], []
    for p in procs:
        with contextlib.suppress(psutil.Error):
            full = p.memory_full_info()
            rss.append(full.rss / MB)
            pss.append(full.pss / MB)
            uss.append(full.uss / MB)
    return rss, pss, uss


async def wait_idle_pool(proc, *, want: int, timeout: float = 120.0) -> None:
    """Wait until ``want`` kernels run and the server's memory stops growing."""
    deadline = time.monotonic() + timeout
    last = -1.0
    while time.monotonic() < deadline:
        now = tree_rss(proc)
        if len(kernels(proc)) >= want and abs(now - last) < 2.0:
            return
        last = now
        await asyncio.sleep(1.0)


class Requests:
    """The HTTP requests one page made: (url, bytes received, from the browser's cache)."""

    def __init__(self) -> None:
        self.done: list[tuple[str, int, bool]] = []
        self._pending: set = set()

    def watch(self, context) -> None:
        context.on("requestfinished", self._finished)

    def _finished(self, request) -> None:
        task = asyncio.ensure_future(self._record(request))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _record(self, request) -> None:
        try:
            sizes = await request.sizes()
            response = await request.response()
            cached = bool(response and response.from_service_worker) or (
                sizes["responseHeadersSize"] <= 0 and sizes["responseBodySize"] <= 0
            )
            size = max(sizes["responseBodySize"], 0) + max(sizes["responseHeadersSize"], 0)
        except Exception:  # the page closed meanwhile
            return
        self.done.append((request.url, size, cached))

    async def settle(self) -> None:
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    @property
    def count(self) -> int:
        return len(self.done)

    @property
    def nbytes(self) -> int:
        return sum(n for _, n, _ in self.done)


async def open_page(
    browser, url: str, timeout_ms: int, requests: Requests | None = None, on_render=None
) -> tuple[object, float | None, str]:
    """A new visitor (own context) opens the dashboard; (page, seconds to render, error).
    ``on_render()`` is called once the page has rendered."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    if requests is not None:
        requests.watch(context)
    page = await context.new_page()
    t0 = time.perf_counter()
    try:
        await page.goto(url, timeout=timeout_ms)
        await page.wait_for_selector(".wb-dashboard", timeout=timeout_ms)
        await page.wait_for_selector(".wb-data-summary :text('What is loaded')", timeout=timeout_ms)
        took = time.perf_counter() - t0
        if on_render is not None:
            on_render()
        return page, took, ""
    except Exception as exc:
        busy = await page.locator(".wb-busy").count() if not page.is_closed() else 0
        return page, None, "busy page" if busy else f"{type(exc).__name__}: {exc}"[:200]


#: True while the visible tab still shows its "is being prepared" placeholder.
_PREPARING = """() => Array.from(document.querySelectorAll(
  '.wb-tabs .widget-tab-contents > .lm-Widget')).some(
  w => w.offsetParent !== null && w.textContent.includes('is being prepared'))"""


async def visit_tabs(page, timeout_ms: int) -> str:
    """Open every tab of a rendered page in turn, each until it is built; '' or an error."""
    try:
        tabs = page.locator(".wb-tabs .lm-TabBar-tab")
        for i in range(await tabs.count()):
            await tabs.nth(i).click(timeout=timeout_ms)
            await page.wait_for_function(f"() => !({_PREPARING})()", timeout=timeout_ms)
        return ""
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:200]


async def run(args) -> dict:
    from playwright.async_api import async_playwright

    port = free_port()
    out: dict = {"users": args.users}
    cap = args.max_kernels or max(args.users, 1)
    (REPO / "test-artifacts").mkdir(exist_ok=True)
    with workbench_serve(port, f"--max-kernels={cap}", *args.serve_args) as proc:
        await wait_idle_pool(proc, want=0 if "--no-preheat" in args.serve_args else 1)
        base_kernels = len(kernels(proc))
        out["baseline_mb"] = baseline = tree_rss(proc)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            url = f"http://127.0.0.1:{port}/"
            requests = [Requests() for _ in range(args.users)]
            cpu0 = cpu_seconds(
                p for p in psutil.Process().children(recursive=True) if "chrom" in p.name()
            )
            driver0 = cpu_seconds(driver())
            server0 = cpu_seconds([psutil.Process(proc.pid), *voila(proc)])
            everything = CpuClock(proc)
            results = await asyncio.gather(
                *(
                    open_page(browser, url, args.timeout * 1000, r, everything.tick)
                    for r in requests
                )
            )
            out["cpu_at_render_s"] = everything.ticks
            out["browser_cpu_s"] = (
                cpu_seconds(
                    p for p in psutil.Process().children(recursive=True) if "chrom" in p.name()
                )
                - cpu0
            )
            out["server_cpu_s"] = cpu_seconds([psutil.Process(proc.pid), *voila(proc)]) - server0
            out["driver_cpu_s"] = cpu_seconds(driver()) - driver0
            for r in requests:
                await r.settle()
            out["requests"] = [r.count for r in requests]
            out["request_mb"] = [r.nbytes / MB for r in requests]
            out["largest"] = sorted(requests[0].done, key=lambda x: -x[1])[: args.largest]
            times = [t for _, t, _ in results if t is not None]
            out["rendered"] = len(times)
            out["errors"] = [e for _, t, e in results if t is None]
            out["render_s"] = times
            await asyncio.sleep(2.0)
            page_kernels = kernels(proc)
            rss, pss, uss = kernel_memory(page_kernels)
            cpu = []
            for k in page_kernels:
                with contextlib.suppress(psutil.Error):
                    t = k.cpu_times()
                    cpu.append(t.user + t.system)
            out["kernel_cpu_s"] = cpu
            out["kernels_open"] = len(page_kernels)
            out["kernel_rss_mb"] = rss
            out["kernel_pss_mb"] = pss
            out["kernel_uss_mb"] = uss
            out["open_mb"] = tree_rss(proc)
            if args.tabs:
                rendered = [page for page, t, _ in results if t is not None]
                errors = await asyncio.gather(
                    *(visit_tabs(page, args.timeout * 1000) for page in rendered)
                )
                out["tab_errors"] = [e for e in errors if e]
                await asyncio.sleep(2.0)
                rss, pss, uss = kernel_memory(kernels(proc))
                out["tabs_rss_mb"], out["tabs_pss_mb"], out["tabs_uss_mb"] = rss, pss, uss
            launchers = processes(proc, "launcher")
            out["launcher_rss_mb"] = kernel_memory(launchers)[0]
            out["forkserver_rss_mb"] = kernel_memory(processes(proc, "forkserver"))[0]
            t_close = time.monotonic()
            for page, _, _ in results:
                with contextlib.suppress(Exception):
                    await page.close(run_before_unload=args.close == "beacon")
            if args.close == "drop":
                await browser.close()
            freed = None
            while time.monotonic() - t_close < args.settle:
                n = len(kernels(proc))
                total = tree_rss(proc)
                if n <= base_kernels and total <= baseline * 1.10:
                    freed = time.monotonic() - t_close
                    break
                await asyncio.sleep(0.5)
            out["freed_s"] = freed
            out["after_mb"] = tree_rss(proc)
            out["kernels_after"] = len(kernels(proc))
            if args.close == "beacon":
                await browser.close()
    return out


def report(out: dict) -> None:
    def stat(xs, f):
        return f"{f(xs):.0f}" if xs else "-"

    times = out["render_s"]
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"pages rendered: {out['rendered']} of {out['users']}")
    for e in out["errors"]:
        print(f"  failed: {e}")
    if times:
        print(
            f"time to render [s]: median {statistics.median(times):.1f}, worst {max(times):.1f}"
            f"  (all: {', '.join(f'{t:.1f}' for t in sorted(times))})"
        )
    ticks = out["cpu_at_render_s"]
    if ticks:
        cores = os.cpu_count() or 1
        print(
            f"CPU spent by everything when each page rendered [s]: "
            f"{', '.join(f'{t:.0f}' for t in ticks)}; / {cores} cores: median "
            f"{statistics.median(ticks) / cores:.1f}, worst {max(ticks) / cores:.1f} "
            f"(the render times on an otherwise idle machine if no core ever waited)"
        )
    rss, pss, uss = out["kernel_rss_mb"], out["kernel_pss_mb"], out["kernel_uss_mb"]
    print(
        f"memory per kernel [MB]: RSS median {stat(rss, statistics.median)}, max "
        f"{stat(rss, max)}; PSS median {stat(pss, statistics.median)}; USS median "
        f"{stat(uss, statistics.median)}  "
        f"({out['kernels_open']} kernels incl. the preheated one)"
    )
    if "tabs_rss_mb" in out:
        for e in out["tab_errors"]:
            print(f"  a tab failed: {e}")
        rss, pss, uss = out["tabs_rss_mb"], out["tabs_pss_mb"], out["tabs_uss_mb"]
        print(
            f"memory per kernel after every tab was opened [MB]: RSS median "
            f"{stat(rss, statistics.median)}, max {stat(rss, max)}; PSS median "
            f"{stat(pss, statistics.median)}, max {stat(pss, max)}; USS median "
            f"{stat(uss, statistics.median)}"
        )
    if out["forkserver_rss_mb"]:
        print(
            f"fork server RSS [MB]: {out['forkserver_rss_mb'][0]:.0f} (shared with its "
            f"kernels); each kernel's launcher: RSS median "
            f"{stat(out['launcher_rss_mb'], statistics.median)}"
        )
    cpu = out["kernel_cpu_s"]
    if cpu:
        print(
            f"CPU per kernel up to the first page [s]: median {statistics.median(cpu):.1f}, "
            f"total {sum(cpu):.0f} (on {os.cpu_count()} cores)"
        )
    print(
        f"CPU until every page rendered [s]: chromium {out['browser_cpu_s']:.1f} "
        f"({out['browser_cpu_s'] / max(out['users'], 1):.1f} a page), Voila server "
        f"{out['server_cpu_s']:.1f}, kernels {sum(cpu):.1f}: at best about "
        f"{(out['browser_cpu_s'] + out['server_cpu_s'] + sum(cpu)) / (os.cpu_count() or 1):.0f} s "
        f"for the last page on {os.cpu_count()} idle cores; Playwright's driver "
        f"{out['driver_cpu_s']:.1f} besides"
    )
    if out["requests"]:
        print(
            f"HTTP requests per page: median {statistics.median(out['requests']):.0f}, "
            f"received median {statistics.median(out['request_mb']):.2f} MB "
            f"(headers and bodies as sent, compressed or not; websocket messages not counted)"
        )
        for u, n, _ in out["largest"]:
            print(f"  {n / 1024:8.0f} kB  {u.split('?')[0][-90:]}")
    print(
        f"server + kernels RSS [MB]: baseline {out['baseline_mb']:.0f}, pages open "
        f"{out['open_mb']:.0f}, after closing {out['after_mb']:.0f} "
        f"({out['kernels_after']} kernels left)"
    )
    freed = out["freed_s"]
    print(
        "memory back to baseline: "
        + (f"{freed:.1f} s after the pages closed" if freed is not None else "NOT within settle")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10, help="pages at once (default 10)")
    parser.add_argument(
        "--close", choices=("beacon", "drop"), default="beacon", help="how the pages close"
    )
    parser.add_argument("--timeout", type=float, default=240.0, help="per page [s]")
    parser.add_argument("--settle", type=float, default=60.0, help="wait for freeing [s]")
    parser.add_argument(
        "--max-kernels", type=int, default=None, help="server's cap (default: --users)"
    )
    parser.add_argument(
        "--tabs", action="store_true", help="then open every tab of every page, and measure"
    )
    parser.add_argument(
        "--largest", type=int, default=0, help="list the first page's N largest responses"
    )
    parser.add_argument("serve_args", nargs="*", help="more `workbench serve` options, after --")
    args = parser.parse_args()
    if not os.access(CHROMIUM, os.X_OK):
        sys.exit(f"needs Debian's chromium at {CHROMIUM} (apt-get install -y chromium)")
    report(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
