"""Voila as ``workbench serve`` runs it: kernels that belong to their page.

Voila 0.5 serves one kernel per page view. Out of the box, on a server that others reach:

- closing a page does not free its kernel: the page's ``beforeunload`` beacon posts the
  ``_xsrf`` cookie to ``/voila/api/shutdown/<id>``, but Voila never sets that cookie, so
  the request gets 403 and the kernel (about 250 MB) lives until it is culled;
- anyone who learns a kernel id can read its widget state over its websocket (the
  uploaded data), delete it (``DELETE /api/kernels/<id>``) or send it a
  ``shutdown_request``;
- nothing limits how many kernels run, so enough page loads exhaust the memory.

:class:`WorkbenchVoila` is Voila with these closed:

1. **Pages own their kernels.** The page request sets a random ``workbench_session``
   cookie (HttpOnly, SameSite=Strict) and the ``_xsrf`` cookie. The kernel the page gets
   is recorded as owned by that session; the kernel's model (``GET /api/kernels/<id>``),
   websocket and shutdown beacon answer only requests carrying the owner's cookie (404
   otherwise, as for an unknown kernel). ``DELETE /api/kernels/<id>`` is refused (405),
   websocket ``shutdown_request`` messages are dropped (a page never sends them) and so is
   ``/voila/query/<id>`` (it hands a preheated kernel's page URL, token included, to
   anyone; the dashboard does not use ``wait_for_request``).
2. **Closing a page frees its kernel**: at once through the beacon (which now carries the
   ``_xsrf`` cookie), and otherwise (a crashed or killed browser, a lost network) within
   :attr:`WorkbenchVoila.orphan_timeout` seconds of its last websocket closing. A kernel
   handed to a page that never connects is shut down after
   :attr:`WorkbenchVoila.connect_timeout` seconds. Such kernels are stopped at once
   (``now=True``: no state of a closed page is worth the graceful shutdown's wait, which
   took tens of seconds for ten kernels on a busy 2-core machine).
3. **A cap on kernels**: at most :attr:`WorkbenchVoila.max_kernels` pages hold a kernel
   at once (plus the preheated pool, one kernel). A page request beyond it gets a short
   "The workbench is busy, try again in a minute" page (HTTP 503, ``Retry-After: 60``)
   that reloads itself after a minute.
4. **A token from the environment**: ``WORKBENCH_TOKEN``, when set, is the token (so it
   is not visible in the process list, as ``--token`` would be).
5. **No page without its output**: Voila runs the notebook as soon as the kernel answers
   on its shell channel, but the kernel's output goes out on IOPub, a publish-subscribe
   socket that drops what is sent before the subscription has reached the kernel. A
   kernel that starts in a fraction of a second (forked, below) on a busy machine then
   ran the notebook unheard: "Timeout waiting for IOPub output", and a page without the
   dashboard (9 of 10 pages in two load tests). :func:`wait_for_iopub` makes Voila wait
   until the kernel's IOPub is heard before it runs the notebook.
6. **Kernels forked from a preloaded process** (``--WorkbenchVoila.fork_kernels=True``,
   what ``workbench serve`` runs unless ``--no-fork``): :mod:`workbench.forkserver`
   started next to the server, so a page's kernel starts with the workbench already
   imported and shares that memory with the other kernels. Run as a script with that
   option (``workbench serve``), this module starts the fork server before it imports
   Voila: the first page's kernel waits for the fork server's modules and data, which
   then load on the other core while Voila imports.

7. **plotly's widget bundle as a static file** at ``workbench/static/plotly/widgetbundle.js``
   (:class:`BundleHandler`), its URL given to the kernels in ``WORKBENCH_PLOTLY_BUNDLE_URL``:
   a page's first chart imports it from there (``workbench.ui._common``) instead of its
   kernel sending the 5 MB through the websocket, and the browser keeps it a year (the URL
   carries plotly's version). The dashboard's fetch ahead of need (once its first page is
   idle) asks with ``after=pages`` and is answered once no page is loading (9, below):
   it no longer competes with pages still loading.

8. **Templates compiled once**: Voila renders every page with a new nbconvert exporter,
   whose new Jinja environment parsed and compiled the page's 14 templates again (the
   Voila server's largest CPU cost per page, profiled: it serves every page in turn on one
   core). :class:`TemplateBytecode` keeps the compiled templates in memory, keyed by the
   template's name and the checksum of its source (a changed file compiles anew).

9. **Loading pages are known** (:class:`LoadGate`): a page is *loading* from its request
   until it has rendered: the ``workbench`` template's page script posts to
   ``workbench/api/rendered/<kernel id>`` (:class:`RenderedHandler`, the owner only) once the
   Data tab shows what is loaded, or for :attr:`WorkbenchVoila.loading_timeout` seconds at
   most. (Until 2026-12 a page stopped loading when its kernel's websocket opened, about
   half-way: the widgets' JavaScript and drawing, most of what the browser spends, came
   after, so pages "in turn" still overlapped three or four at a time.) The bundle fetched
   ahead of need (7) waits until no page has been loading for :data:`QUIET_SECONDS`.
   At most :attr:`WorkbenchVoila.loading_pages` pages load at once (default 3; the
   ``WORKBENCH_LOADING_PAGES`` environment variable; 0: no limit) and the others wait in
   arrival order: ten pages at once on two cores all shared the machine evenly and arrived
   together at the end; in turns the first arrive sooner and the median is lower
   (``benchmarks/bench_users.py``, figures in the README). Two at a time left a core idle
   while a page waited for its kernel or the server, and ran in lockstep pairs; three kept
   both cores busy. A page holds its place only until the timeout, so nobody starves.
   Work that can wait (the pool's refill, the dashboard's warm-up once its first page is
   idle: :class:`QuietHandler`) waits until no page is loading, and a page takes a
   preheated kernel only when it is ready (:meth:`_RecordingKernelManager.get_pool_size`).

Run it as a script (``workbench.cli`` does, through :data:`workbench.cli.VOILA_LAUNCHER`):
it imports only Voila and its server, never the ``workbench`` package, so the server
process stays small. Options are Voila's, plus ``--WorkbenchVoila.max_kernels=N``,
``--WorkbenchVoila.orphan_timeout=S`` and ``--WorkbenchVoila.connect_timeout=S``.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import contextlib
import hmac
import importlib.metadata
import importlib.util
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: The fork server (run by path: this process does not import the workbench).
FORKSERVER = Path(__file__).resolve().parent / "forkserver.py"
#: Environment variable naming the fork server's socket (``workbench.forkserver.SOCKET_ENV``).
FORKSERVER_ENV = "WORKBENCH_FORKSERVER"
#: Environment variable read as the server's token (see the module docstring).
TOKEN_ENV = "WORKBENCH_TOKEN"
#: Environment variable giving the kernels the bundle's URL (``workbench.ui._common``).
BUNDLE_URL_ENV = "WORKBENCH_PLOTLY_BUNDLE_URL"
#: The command-line option that asks for forked kernels (as ``workbench.cli`` passes it).
FORK_OPTION = "--WorkbenchVoila.fork_kernels=True"


def spawn_forkserver() -> tuple[subprocess.Popen, str]:
    """Start :mod:`workbench.forkserver` on a socket in a folder only this user can open;
    return the process and the socket's path. It stops when this process exits (its
    standard input, a pipe from here, closes); the folder is removed then. Its environment
    is this one without the token and without another server's socket or bundle URL (the
    kernels it forks get their launcher's environment)."""
    folder = tempfile.mkdtemp(prefix="workbench-fork-")  # mode 0700
    path = os.path.join(folder, "kernels.sock")
    env = {k: v for k, v in os.environ.items()
           if k not in (TOKEN_ENV, FORKSERVER_ENV, BUNDLE_URL_ENV)}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, str(FORKSERVER), "serve", path], stdin=subprocess.PIPE, env=env
    )

    def stop() -> None:
        with contextlib.suppress(OSError):
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    return proc, path


#: The fork server started before Voila is imported, for :meth:`WorkbenchVoila.initialize`.
_EARLY: list = []

# Run as ``workbench serve`` runs it (a script, forked kernels asked for): start the fork
# server now, before importing Voila. Its modules and the first page's data then load
# while Voila imports (about 1 s of a cold start, on the other core) instead of after.
if __name__ != "workbench.voila_app" and FORK_OPTION in sys.argv[1:]:
    _EARLY.append(spawn_forkserver())

import jinja2  # noqa: E402
import tornado.ioloop  # noqa: E402
import tornado.web  # noqa: E402
import voila.voila_kernel_manager  # noqa: E402
from jupyter_core.utils import ensure_async  # noqa: E402
from jupyter_server.base.handlers import APIHandler  # noqa: E402
from jupyter_server.services.kernels.handlers import KernelHandler  # noqa: E402
from jupyter_server.utils import url_path_join  # noqa: E402
from traitlets import Bool, Float, Int  # noqa: E402
from voila.app import Voila  # noqa: E402
from voila.execute import VoilaExecutor  # noqa: E402
from voila.exporter import VoilaExporter  # noqa: E402
from voila.request_info_handler import RequestInfoSocketHandler  # noqa: E402
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler  # noqa: E402
from voila.tornado.handler import TornadoVoilaHandler  # noqa: E402
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler  # noqa: E402

#: Cookie naming the browser session that owns the kernels its pages were given.
SESSION_COOKIE = "workbench_session"

#: Environment variable: :attr:`WorkbenchVoila.loading_pages` (see the module docstring, 9).
LOADING_PAGES_ENV = "WORKBENCH_LOADING_PAGES"
#: Seconds without a loading page before the bundle fetched ahead of need is sent.
QUIET_SECONDS = 5.0

#: Where :class:`BundleHandler` serves plotly's widget bundle, under the base URL.
BUNDLE_PATH = "workbench/static/plotly/"
BUNDLE_FILE = "widgetbundle.js"


def plotly_bundle_dir() -> str | None:
    """The folder holding plotly's ``widgetbundle.js`` (found without importing plotly),
    or None when plotly is not installed."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = os.path.join(spec.submodule_search_locations[0], "package_data")
    return folder if os.path.isfile(os.path.join(folder, BUNDLE_FILE)) else None


class BundleHandler(tornado.web.StaticFileHandler):
    """plotly's widget bundle, and nothing else of its folder. Its URL carries plotly's
    version (``?v=``), so the browser may keep it (Tornado then says ``max-age`` of ten
    years; ``immutable`` spares the revalidation a reload would otherwise make)."""

    def validate_absolute_path(self, root, absolute_path):
        if os.path.basename(absolute_path) != BUNDLE_FILE:
            raise tornado.web.HTTPError(404)
        return super().validate_absolute_path(root, absolute_path)

    async def get(self, path, include_body=True):
        """``?after=pages`` (a bundle fetched ahead of need): answered once no page has
        been loading for :data:`QUIET_SECONDS` (:class:`LoadGate`), or after
        ``loading_timeout`` x 3 s."""
        if self.get_argument("after", None) == "pages":
            await self.settings["workbench_gate"].wait_quiet(settle=QUIET_SECONDS)
        return await super().get(path, include_body=include_body)

    def set_extra_headers(self, path):
        if self.get_argument("v", None):
            self.set_header("Cache-Control", f"public, max-age={self.CACHE_MAX_AGE}, immutable")


BUSY_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="60">
<title>Inventory Workbench: busy</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;color:#222}}
h1{{font-size:1.4em}}</style></head>
<body class="wb-busy"><h1>The workbench is busy, try again in a minute</h1>
<p>{n} people are using the dashboard, as many as this server is set up for.
This page tries again by itself in a minute.</p></body></html>
"""


class Sessions:
    """Which browser session owns which kernel, and how many websockets each has open.

    Attributes
    ----------
    owners : dict
        kernel id -> session cookie value of the page that was given the kernel.
    connections : dict
        kernel id -> number of open websockets.
    released : dict
        kernel id -> ``time.monotonic()`` when it was handed out or its last websocket
        closed (absent while a websocket is open).
    ever_connected : set
        Kernel ids that have had a websocket.
    pending : int
        Page requests admitted under the cap whose kernel is not yet known.
    """

    def __init__(self) -> None:
        self.owners: dict[str, str] = {}
        self.connections: dict[str, int] = {}
        self.released: dict[str, float] = {}
        self.ever_connected: set[str] = set()
        self.pending = 0

    def own(self, kernel_id: str, session: str) -> None:
        self.owners[kernel_id] = session
        self.released[kernel_id] = time.monotonic()

    def is_owner(self, kernel_id: str, session: str | None) -> bool:
        owner = self.owners.get(kernel_id)
        return bool(owner and session) and hmac.compare_digest(owner, session)

    def opened(self, kernel_id: str) -> None:
        self.connections[kernel_id] = self.connections.get(kernel_id, 0) + 1
        self.ever_connected.add(kernel_id)
        self.released.pop(kernel_id, None)

    def closed(self, kernel_id: str) -> None:
        n = self.connections.get(kernel_id, 0) - 1
        self.connections[kernel_id] = max(n, 0)
        if n <= 0 and kernel_id in self.owners:
            self.released[kernel_id] = time.monotonic()

    def forget(self, kernel_id: str) -> None:
        for table in (self.owners, self.connections, self.released):
            table.pop(kernel_id, None)
        self.ever_connected.discard(kernel_id)

    def expired(self, *, now: float, orphan_timeout: float, connect_timeout: float) -> list[str]:
        """Owned kernels with no websocket for longer than allowed."""
        out = []
        for kid, since in self.released.items():
            limit = orphan_timeout if kid in self.ever_connected else connect_timeout
            if self.connections.get(kid, 0) == 0 and now - since > limit:
                out.append(kid)
        return out


class LoadGate:
    """The pages loading now; at most ``slots`` at once, the others waiting in arrival
    order (``slots`` < 1: no limit).

    :meth:`enter` waits for a place and returns its ticket; :meth:`bind` ties the ticket
    to the page's kernel, whose page saying it has rendered (:meth:`rendered`) ends the
    page's loading and gives its place to the next page; :meth:`leave` does so for a ticket
    (a page that failed), and a place is given up by itself ``timeout`` seconds after it
    was taken.
    """

    def __init__(self, slots: int, timeout: float) -> None:
        self.slots = int(slots)
        self.timeout = float(timeout)
        self.busy = 0
        self.quiet_since = time.monotonic()  # when the last loading page stopped loading
        self.waiters: collections.deque[asyncio.Future] = collections.deque()
        self.held: dict[object, asyncio.TimerHandle] = {}
        self.kernels: dict[str, object] = {}

    async def enter(self) -> object:
        loop = asyncio.get_running_loop()
        if self.slots < 1 or (self.busy < self.slots and not self.waiters):
            self.busy += 1
        else:
            turn = loop.create_future()
            self.waiters.append(turn)
            try:
                await turn  # the place of a page that left is handed over
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():
                    self._hand_over()  # it was ours already: pass it on
                else:
                    with contextlib.suppress(ValueError):
                        self.waiters.remove(turn)
                raise
        ticket = object()
        self.held[ticket] = loop.call_later(self.timeout, self.leave, ticket)
        return ticket

    def bind(self, ticket: object | None, kernel_id: str) -> None:
        if ticket is not None and ticket in self.held:
            self.kernels[kernel_id] = ticket

    def rendered(self, kernel_id: str) -> None:
        self.leave(self.kernels.pop(kernel_id, None))

    def leave(self, ticket: object | None) -> None:
        timer = self.held.pop(ticket, None)
        if timer is None:
            return
        timer.cancel()
        for kid in [k for k, t in self.kernels.items() if t is ticket]:
            del self.kernels[kid]
        self._hand_over()

    def _hand_over(self) -> None:
        while self.waiters:
            turn = self.waiters.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.busy -= 1
        if self.busy == 0:
            self.quiet_since = time.monotonic()

    def loading(self) -> bool:
        """A page is loading or waiting for its turn."""
        return bool(self.busy or self.waiters)

    async def wait_quiet(self, *, settle: float = 0.0) -> None:
        """Return once no page has been loading for ``settle`` seconds, or after
        ``timeout`` x 3 s."""
        deadline = time.monotonic() + 3 * self.timeout
        while time.monotonic() < deadline:
            if not self.loading() and self.quiet_for() >= settle:
                return
            await asyncio.sleep(0.5)

    def quiet_for(self) -> float:
        """Seconds since the last page stopped loading (0 while one loads or waits)."""
        return 0.0 if self.loading() else time.monotonic() - self.quiet_since


def _session(handler: tornado.web.RequestHandler) -> str | None:
    return handler.get_cookie(SESSION_COOKIE)


def _sessions(handler: tornado.web.RequestHandler) -> Sessions:
    return handler.settings["workbench_sessions"]


def _require_owner(handler: tornado.web.RequestHandler, kernel_id: str) -> None:
    if not _sessions(handler).is_owner(kernel_id, _session(handler)):
        raise tornado.web.HTTPError(404, "no such kernel")


class _RecordingKernelManager:
    """The kernel manager as a page handler sees it: records the kernel the page gets."""

    def __init__(self, km, record) -> None:
        self._km = km
        self._record = record

    def __getattr__(self, name):
        return getattr(self._km, name)

    def get_pool_size(self, notebook_name: str) -> int:
        """Preheated kernels that are ready. Voila counts the pool's refill too, which
        waits ``fill_delay`` seconds and then for the pages to load (see
        :func:`_refill_when_quiet`): a page that took it waited for all that (the second
        of ten pages at once waited 10 s doing nothing, holding its place in the page
        turns); it starts a kernel of its own instead."""
        pool = getattr(self._km, "_pools", {}).get(notebook_name, [])
        ready = [t for t in pool if t.done() and not t.cancelled() and t.exception() is None]
        return len(ready) if ready and ready[0] is pool[0] else 0

    async def get_rendered_notebook(self, *args, **kwargs):
        task, cache, kernel_id = await self._km.get_rendered_notebook(*args, **kwargs)
        self._record(kernel_id)
        return task, cache, kernel_id

    async def start_kernel(self, *args, **kwargs):
        kernel_id = await ensure_async(self._km.start_kernel(*args, **kwargs))
        self._record(kernel_id)
        return kernel_id


class DashboardHandler(TornadoVoilaHandler):
    """The page: sets the session and ``_xsrf`` cookies, applies the kernel cap and
    records which session owns the kernel it renders with."""

    _admitted = False

    async def prepare(self, *args, **kwargs):
        await ensure_async(super().prepare(*args, **kwargs))
        if self.current_user is None:  # the login redirect or 403 happens in get()
            return
        session = _session(self)
        if not session:
            session = secrets.token_urlsafe(32)
            self.set_cookie(
                SESSION_COOKIE,
                session,
                path=self.base_url,
                httponly=True,
                samesite="Strict",
            )
            self.request.cookies[SESSION_COOKIE] = session  # SimpleCookie makes a Morsel
        self.xsrf_token  # noqa: B018  (sets the _xsrf cookie the close beacon sends)

    @property
    def kernel_manager(self):
        return _RecordingKernelManager(self.settings["kernel_manager"], self._record)

    _ticket = None

    def _record(self, kernel_id: str) -> None:
        sessions = _sessions(self)
        sessions.own(kernel_id, _session(self) or "")
        self.settings["workbench_gate"].bind(self._ticket, kernel_id)
        if self._admitted:
            self._admitted = False
            sessions.pending -= 1

    @tornado.web.authenticated
    async def get(self, path=None):
        if path:  # Voila redirects other paths to /voila/files/<path>
            return await super().get(path)
        sessions = _sessions(self)
        km = self.settings["kernel_manager"]
        alive = set(km.list_kernel_ids())
        for kid in [k for k in sessions.owners if k not in alive]:
            sessions.forget(kid)
        cap = self.settings["workbench_max_kernels"]
        in_use = len(sessions.owners) + sessions.pending
        if in_use >= cap:
            self.log.warning("kernel cap reached (%d of %d): page refused", in_use, cap)
            self.set_status(503)
            self.set_header("Retry-After", "60")
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(BUSY_HTML.format(n=in_use))
            return
        sessions.pending += 1
        self._admitted = True
        gate = self.settings["workbench_gate"]
        try:
            self._ticket = await gate.enter()
            await super().get(path)
        except BaseException:
            gate.leave(self._ticket)
            raise
        finally:
            if self._admitted:  # no kernel was recorded (an error before one was given)
                self._admitted = False
                sessions.pending -= 1
                gate.leave(self._ticket)

    def on_connection_close(self):
        self.settings["workbench_gate"].leave(self._ticket)
        super().on_connection_close()


class OwnedKernelHandler(KernelHandler):
    """``/api/kernels/<id>``: the model for the owning page only; no DELETE."""

    @tornado.web.authenticated
    async def get(self, kernel_id):
        _require_owner(self, kernel_id)
        return await super().get(kernel_id)

    async def delete(self, kernel_id):
        raise tornado.web.HTTPError(405, "kernels are shut down by closing their page")


class OwnedWebsocketHandler(VoilaKernelWebsocketHandler):
    """The kernel's websocket, for the owning page only; counts open connections."""

    _counted = False

    async def pre_get(self):
        _require_owner(self, self.kernel_id)
        await super().pre_get()

    async def open(self, kernel_id):
        _sessions(self).opened(kernel_id)
        self._counted = True
        await super().open(kernel_id)

    def on_close(self):
        if self._counted:
            self._counted = False
            _sessions(self).closed(self.kernel_id)
            # a page closed before it rendered: its place goes to the next one
            self.settings["workbench_gate"].rendered(self.kernel_id)
        super().on_close()


class OwnedShutdownHandler(VoilaShutdownKernelHandler):
    """The page's close beacon: shuts down the kernel if the caller owns it."""

    @tornado.web.authenticated
    async def post(self, kernel_id):
        _require_owner(self, kernel_id)
        _sessions(self).forget(kernel_id)
        self.settings["workbench_gate"].rendered(kernel_id)  # gone: its place, if held
        await ensure_async(self.kernel_manager.shutdown_kernel(kernel_id, now=True))
        self.set_status(204)
        self.finish()


class RenderedHandler(APIHandler):
    """``POST workbench/api/rendered/<kernel id>``: the owning page has rendered; its place
    among the loading pages goes to the next one (:class:`LoadGate`)."""

    @tornado.web.authenticated
    async def post(self, kernel_id):
        _require_owner(self, kernel_id)
        self.settings["workbench_gate"].rendered(kernel_id)
        self.set_status(204)
        self.finish()


class QuietHandler(APIHandler):
    """``GET workbench/api/quiet``: answered (204) once no page is loading (:class:`LoadGate`),
    or after ``loading_timeout`` x 3 s. A page's work that can wait (the dashboard's
    warm-up once its first page is idle) asks first, so it no longer competes with pages
    still loading."""

    @tornado.web.authenticated
    async def get(self):
        await self.settings["workbench_gate"].wait_quiet()
        self.set_status(204)
        self.finish()


#: Where a page asks to be answered once no page is loading (:class:`QuietHandler`).
QUIET_PATH = "workbench/api/quiet"

#: Where the page posts that it has rendered (:class:`RenderedHandler`), under the base URL.
RENDERED_PATH = "workbench/api/rendered/"


#: Message types a dashboard page sends to its kernel (Voila also allows shutdown_request).
PAGE_MESSAGE_TYPES = ["comm_open", "comm_close", "comm_msg", "comm_info_request",
                      "kernel_info_request"]  # fmt: skip


class WorkbenchVoila(Voila):
    """Voila whose pages own their kernels (see the module docstring)."""

    max_kernels = Int(
        8, config=True, help="Most pages holding a kernel at once (the pool adds one)."
    )
    orphan_timeout = Float(
        10.0,
        config=True,
        help="Seconds a page's kernel lives after its last websocket closed.",
    )
    connect_timeout = Float(
        600.0,
        config=True,
        help="Seconds a kernel handed to a page may wait for the page to connect (a page "
        "still loading on a busy server must not lose its kernel: renders took up to 126 s "
        "with ten pages at once on a loaded 2-core machine).",
    )
    loading_pages = Int(
        3,
        config=True,
        help="Most pages loading at once (the others wait in arrival order); 0: no limit. "
        "The environment variable WORKBENCH_LOADING_PAGES, when set, gives it. Three "
        "measured best on a 2-core machine (ten pages at once: a lower median than 0 or 2, "
        "the worst page about as late as with 0; benchmarks/bench_users.py).",
    )
    loading_timeout = Float(
        60.0,
        config=True,
        help="Seconds a loading page holds its place at most (the page saying it has "
        "rendered, or closing, frees it sooner). Long enough for a page slowed by other "
        "work on the machine (a page that is still loading only slows the others if they "
        "come in too), short enough that a page lost in a way the server does not see "
        "cannot hold up the others for long.",
    )
    reap_interval = Float(1.0, config=True, help="Seconds between checks for orphans.")
    fork_kernels = Bool(
        False,
        config=True,
        help="Fork the pages' kernels from a preloaded process (workbench.forkserver).",
    )

    def initialize(self, argv=None):
        super().initialize(argv)
        token = os.environ.pop(TOKEN_ENV, None)  # kernels inherit the environment
        if token and self.token is None:
            self.token = token
        os.environ.pop(FORKSERVER_ENV, None)  # never another server's
        os.environ.pop(BUNDLE_URL_ENV, None)
        self._bundle_dir = plotly_bundle_dir()
        if self._bundle_dir is not None:  # before the fork server starts: it reads it too
            version = importlib.metadata.version("plotly")
            os.environ[BUNDLE_URL_ENV] = url_path_join(
                self.base_url, BUNDLE_PATH, f"{BUNDLE_FILE}?v={version}"
            )
        if self.fork_kernels:
            self._start_forkserver()

    def _start_forkserver(self) -> None:
        """Use the fork server started before Voila was imported, else start it now (see
        :func:`spawn_forkserver`); the kernels' launcher finds it through
        ``WORKBENCH_FORKSERVER``."""
        proc, path = _EARLY.pop() if _EARLY else spawn_forkserver()
        os.environ[FORKSERVER_ENV] = path
        self._forkserver = proc
        self.log.info("kernels are forked from a preloaded process (pid %d)", proc.pid)

    def init_settings(self):
        VoilaExecutor.async_start_new_kernel_client = _start_kernel_client_heard
        VoilaExporter._create_environment = _environment_with_bytecode
        settings = super().init_settings()
        self.kernel_manager.allowed_message_types = list(PAGE_MESSAGE_TYPES)
        self.sessions = Sessions()
        settings["workbench_sessions"] = self.sessions
        settings["workbench_max_kernels"] = max(int(self.max_kernels), 1)
        slots = int(os.environ.pop(LOADING_PAGES_ENV, "") or self.loading_pages)
        settings["workbench_gate"] = LoadGate(slots, self.loading_timeout)
        self.gate = settings["workbench_gate"]
        _gate[:] = [self.gate]
        voila.voila_kernel_manager.wait_before = _refill_when_quiet
        return settings

    def init_handlers(self):
        replace = {
            TornadoVoilaHandler: DashboardHandler,
            KernelHandler: OwnedKernelHandler,
            VoilaKernelWebsocketHandler: OwnedWebsocketHandler,
            VoilaShutdownKernelHandler: OwnedShutdownHandler,
            # Hands a preheated kernel its page's URL (the token in it too) to any client
            # that knows the kernel id, unauthenticated; the dashboard does not ask for it.
            RequestInfoSocketHandler: _RefuseHandler,
        }
        handlers = [(h[0], replace.get(h[1], h[1]), *h[2:]) for h in super().init_handlers()]
        # GET /api/kernels (the list) is not routed by Voila; refuse it explicitly rather
        # than let the catch-all page handler redirect it.
        handlers.insert(0, (url_path_join(self.server_url, r"/api/kernels/?"), _RefuseHandler))
        route = url_path_join(self.server_url, RENDERED_PATH, r"([0-9a-f-]+)")
        handlers.insert(0, (route, RenderedHandler))
        handlers.insert(0, (url_path_join(self.server_url, QUIET_PATH), QuietHandler))
        if self._bundle_dir is not None:
            route = url_path_join(self.server_url, BUNDLE_PATH, r"(.*)")
            handlers.insert(0, (route, BundleHandler, {"path": self._bundle_dir}))
        self._reaper = tornado.ioloop.PeriodicCallback(self._reap, self.reap_interval * 1000)
        self._reaper.start()
        self.log.info(
            "at most %d pages at once; a closed page's kernel is freed within %g s",
            self.max_kernels,
            self.orphan_timeout,
        )
        return handlers

    async def _reap(self) -> None:
        sessions = self.sessions
        alive = set(self.kernel_manager.list_kernel_ids())
        for kid in [k for k in sessions.owners if k not in alive]:
            sessions.forget(kid)
        for kid in [k for k in RequestInfoSocketHandler._cache if k not in alive]:
            RequestInfoSocketHandler._cache.pop(kid, None)  # Voila never empties it
        expired = sessions.expired(
            now=time.monotonic(),
            orphan_timeout=self.orphan_timeout,
            connect_timeout=self.connect_timeout,
        )
        for kid in expired:
            sessions.forget(kid)
            self.gate.rendered(kid)
            self.log.info("shutting down kernel %s: its page is gone", kid)
            try:
                await ensure_async(self.kernel_manager.shutdown_kernel(kid, now=True))
            except Exception as exc:  # already gone
                self.log.debug("kernel %s: %s", kid, exc)


_gate: list[LoadGate] = []  # the server's, for _refill_when_quiet


async def _refill_when_quiet(delay: float, aw):
    """Voila's ``wait_before`` for the preheated pool's refill: after ``delay`` seconds,
    also wait until no page is loading (:class:`LoadGate`): the new kernel (about 2-3 s of
    CPU to start and run the notebook) no longer competes with the pages still loading."""
    await asyncio.sleep(delay)
    if _gate:
        await _gate[0].wait_quiet()
    return await aw


class TemplateBytecode(jinja2.BytecodeCache):
    """Compiled Jinja templates kept in memory for the server's life (see the module
    docstring, 8). Jinja checks each template's source checksum before using its entry.

    One instance per kind of environment (:func:`_environment_with_bytecode`): a template
    compiled for an async environment is different code from the same template compiled
    for a sync one, and Jinja's key is only the template's name and file.
    """

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self.store.clear()


_bytecode: dict[tuple, TemplateBytecode] = {}
_create_environment = VoilaExporter._create_environment


def _environment_with_bytecode(self):
    env = _create_environment(self)
    kind = (env.is_async, tuple(sorted(env.extensions)), type(self).__name__)
    env.bytecode_cache = _bytecode.setdefault(kind, TemplateBytecode())
    return env


async def wait_for_iopub(kc, timeout: float) -> bool:
    """Ask the kernel for its info until a message arrives on its IOPub channel (each
    request makes the kernel publish its busy and idle status there); True once heard,
    False after ``timeout`` seconds."""
    import queue

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kc.kernel_info()
        try:
            await ensure_async(kc.get_iopub_msg(timeout=1.0))
            return True
        except queue.Empty:
            continue
    return False


_start_kernel_client = VoilaExecutor.async_start_new_kernel_client


async def _start_kernel_client_heard(self):
    kc = await _start_kernel_client(self)
    if not await wait_for_iopub(kc, self.startup_timeout):
        self.log.warning("kernel's IOPub not heard within %s s", self.startup_timeout)
    return kc


class _RefuseHandler(tornado.web.RequestHandler):
    """Kernel REST endpoints a dashboard page does not use."""

    def prepare(self):
        raise tornado.web.HTTPError(403, "not available")


def main() -> int:
    """Run :class:`WorkbenchVoila` with the command line's arguments."""
    return WorkbenchVoila.launch_instance()


if __name__ == "__main__":
    sys.exit(main())
