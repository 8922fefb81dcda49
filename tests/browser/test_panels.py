"""The analysis panels in the Voila dashboard, driven in Debian's chromium.

Moving the EOQ slider (by key and by typing into the box beside it) shows the Q* that
``wb.eoq`` gives for the values now on the sliders, and the cost curves are redrawn;
changing an ABC cut-off changes the class counts to those of ``wb.abc_classify``. The
safety-stock and trade-off tabs draw their charts. Fixtures are in conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import workbench as wb
from workbench.ui.abc_panel import criterion_values
from workbench.ui.eoq_panel import sku_table

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
REDRAW_MS = 30_000  # a shared 2-core machine: a kernel round trip can take seconds


@pytest.fixture(scope="module")
def sample_items():
    return sku_table(wb.load_dataset(REPO / "sample_data"))


#: Sliders whose type-in box shows a percentage (issue 17.1): the value is box / 100.
PERCENT = {"eoq-holding-rate", "abc-cutoff-a", "abc-cutoff-b"}


def readout(panel, css: str) -> float:
    """A slider's value as its type-in box shows it (in full, percent as a fraction)."""
    text = panel.locator(f".{css}-box input").input_value().replace(",", "")
    return float(text) / (100 if css in PERCENT else 1)


def type_into(page, panel, css: str, text: str) -> None:
    """Type a value into a slider's box and press Enter."""
    box = panel.locator(f".{css}-box input")
    box.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def line_paths(panel) -> list[str]:
    return [p.get_attribute("d") or "" for p in panel.locator("path.js-line").all()]


def expected_qstar(panel) -> float:
    d = readout(panel, "eoq-demand")
    s = readout(panel, "eoq-order-cost")
    h = readout(panel, "eoq-holding-rate") * readout(panel, "eoq-unit-cost")
    return float(wb.eoq(d, order_cost=s, holding_cost=h).order_quantity)


def shown_qstar(panel) -> float:
    return float(panel.locator(".eoq-qstar").inner_text().replace(",", ""))


def wait_text_change(page, selector: str, old: str) -> None:
    page.wait_for_function(
        "([sel, old]) => { const e = document.querySelector(sel);"
        " return e && e.innerText.trim() !== old; }",
        arg=[selector, old.strip()],
        timeout=REDRAW_MS,
    )


def wait_paths_change(page, panel_css: str, old: list[str]) -> None:
    page.wait_for_function(
        "([sel, old]) => { const d = Array.from(document.querySelectorAll(sel))"
        ".map(p => p.getAttribute('d') || '');"
        " return d.length > 0 && JSON.stringify(d) !== JSON.stringify(old); }",
        arg=[f"{panel_css} path.js-line", old],
        timeout=REDRAW_MS,
    )


def drawn_qstar(page) -> tuple[float, float]:
    """Q* as the EOQ chart draws it (its diamond's place on the Q axis) and what one pixel
    is worth on that axis: the drawing, not the data sent, is checked."""
    got = page.evaluate(
        """() => {
          const gd = document.querySelector('.eoq-panel .js-plotly-plot');
          const xa = gd._fullLayout.xaxis;
          const pt = gd.querySelectorAll('.scatterlayer .trace')[4].querySelector('path.point');
          const m = /translate\\(([-0-9.e]+),/.exec(pt.getAttribute('transform'));
          return [xa.p2l(parseFloat(m[1])), (xa.range[1] - xa.range[0]) / xa._length];
        }"""
    )
    return float(got[0]), float(got[1])


def assert_no_widget_errors(page) -> None:
    errors = [e for e in page.js_errors if "anywidget" in e or "Error" in e]
    assert errors == [], f"JavaScript errors in the page: {errors[:3]}"


def test_eoq_slider_key_and_typed_value_move_qstar_and_the_chart(dashboard, open_tab, artifact):
    page = dashboard
    open_tab(page, "EOQ")
    panel = page.locator(".eoq-panel")
    panel.locator("path.js-line").first.wait_for()
    q0 = panel.locator(".eoq-qstar").inner_text()
    # What is shown first is the calculator's answer for the sliders' values.
    assert shown_qstar(panel) == pytest.approx(expected_qstar(panel), abs=0.051)
    paths0 = line_paths(panel)
    page.screenshot(path=artifact("eoq-before.png"), full_page=True)

    # One key press is one slider step.
    d0 = readout(panel, "eoq-demand")
    panel.locator(".eoq-demand .noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    wait_text_change(page, ".eoq-panel .eoq-qstar", q0)
    assert readout(panel, "eoq-demand") > d0
    assert shown_qstar(panel) == pytest.approx(expected_qstar(panel), abs=0.051)
    wait_paths_change(page, ".eoq-panel", paths0)
    assert line_paths(panel) != paths0
    # the chart draws the new Q* (a step redraws the traces alone, on the axes kept)
    q_drawn, pixel = drawn_qstar(page)
    assert q_drawn == pytest.approx(shown_qstar(panel), abs=0.25 * pixel)
    page.screenshot(path=artifact("eoq-after-key.png"), full_page=True)

    # Typing a value into the box beside the slider (+ Enter) sets it exactly.
    q1, paths1 = panel.locator(".eoq-qstar").inner_text(), line_paths(panel)
    type_into(page, panel, "eoq-demand", "100000")
    wait_text_change(page, ".eoq-panel .eoq-qstar", q1)
    assert readout(panel, "eoq-demand") == 100000.0
    assert shown_qstar(panel) == pytest.approx(expected_qstar(panel), abs=0.051)
    wait_paths_change(page, ".eoq-panel", paths1)
    q_drawn, pixel = drawn_qstar(page)
    assert q_drawn == pytest.approx(shown_qstar(panel), abs=0.25 * pixel)
    page.screenshot(path=artifact("eoq-after-typing.png"), full_page=True)
    assert_no_widget_errors(page)


def test_abc_cutoff_changes_the_class_counts(dashboard, open_tab, artifact, sample_items):
    page = dashboard
    open_tab(page, "ABC")
    panel = page.locator(".abc-panel")
    panel.locator(".abc-count-A .abc-n").wait_for()
    values = criterion_values(sample_items, "value")

    def counts() -> dict[str, int]:
        return {c: int(panel.locator(f".abc-count-{c} .abc-n").inner_text()) for c in "ABC"}

    def expected(cutoffs) -> dict[str, int]:
        cls = wb.abc_classify(values, cutoffs=cutoffs)["class"].astype(str)
        return {c: int((cls == c).sum()) for c in "ABC"}

    assert counts() == expected((0.80, 0.95))
    paths0 = line_paths(panel)
    page.screenshot(path=artifact("abc-before.png"), full_page=True)
    before = panel.locator(".abc-count-A .abc-n").inner_text()
    type_into(page, panel, "abc-cutoff-a", "60")  # a percentage
    wait_text_change(page, ".abc-panel .abc-count-A .abc-n", before)
    assert readout(panel, "abc-cutoff-a") == pytest.approx(0.6)
    assert counts() == expected((0.60, 0.95))
    assert counts()["A"] < expected((0.80, 0.95))["A"]
    page.screenshot(path=artifact("abc-after.png"), full_page=True)
    assert_no_widget_errors(page)
    # The cut-off line on the Pareto chart moved.
    wait_paths_change(page, ".abc-panel", paths0)


def test_safety_and_tradeoff_tabs_draw_their_charts(dashboard, open_tab, artifact):
    page = dashboard
    open_tab(page, "Safety")
    safety = page.locator(".ss-panel")
    safety.locator("path.js-line").first.wait_for()
    assert safety.locator("path.js-line").count() >= 5
    assert float(safety.locator(".ss-reorder-point").inner_text().replace(",", "")) > 0
    page.screenshot(path=artifact("safety.png"), full_page=True)

    open_tab(page, "trade-offs")
    trade = page.locator(".tradeoff-panel")
    trade.locator("path.js-line").first.wait_for()
    assert "$" in trade.locator(".tradeoff-investment").inner_text()
    paths0 = line_paths(trade)
    trade.locator(".tradeoff-run").click()
    trade.locator(".tradeoff-done").wait_for(timeout=120_000)
    wait_paths_change(page, ".tradeoff-panel", paths0)  # simulated points and the trace
    assert trade.locator(".tradeoff-sim-fill").inner_text().endswith("%")
    page.screenshot(path=artifact("tradeoffs.png"), full_page=True)
    assert_no_widget_errors(page)


@pytest.fixture
def websocket_frames(page):
    """Every websocket frame of ``page`` as (direction, text), recorded from before the
    dashboard is opened (request it before ``dashboard``)."""
    frames: list[tuple[str, str]] = []

    def text(payload) -> str:
        return payload.decode("latin-1") if isinstance(payload, bytes) else payload

    def watch(ws) -> None:
        ws.on("framereceived", lambda f: frames.append(("in", text(f))))
        ws.on("framesent", lambda f: frames.append(("out", text(f))))

    page.on("websocket", watch)
    return frames


def test_a_slider_step_sends_the_change_alone(websocket_frames, dashboard, open_tab):
    """A slider step sends what changed, not the figures again nor what nobody reads.

    The kernel sends a figure's whole data and layout after each update until a view has
    drawn it (``_common._keeping_state``); past the first draw a step must not carry them.
    ipywidgets echoes what a page sets; plotly's view reports its trace deltas after every
    redraw, and their echo is read by nobody. plotly 7.1's view sends its layout delta
    under a name the kernel does not observe (``_js2py_widget_layoutDelta``)."""
    page = dashboard
    open_tab(page, "EOQ")
    panel = page.locator(".eoq-panel")
    panel.locator("path.js-line").nth(2).wait_for()
    page.wait_for_timeout(2000)  # the first draw's reports reach the kernel
    for _ in range(2):
        q0, paths0 = panel.locator(".eoq-qstar").inner_text(), line_paths(panel)
        start = len(websocket_frames)
        panel.locator(".eoq-demand .noUi-handle").focus()
        page.keyboard.press("ArrowRight")
        wait_text_change(page, ".eoq-panel .eoq-qstar", q0)
        wait_paths_change(page, ".eoq-panel", paths0)
        page.wait_for_timeout(1500)  # the view's report after the redraw, and its answer
        step = websocket_frames[start:]
        received = [t for d, t in step if d == "in"]
        sent = [t for d, t in step if d == "out"]
        assert any('"_py2js_animate"' in t for t in received), "no chart update recorded"
        assert not [t for t in received if '"_widget_data"' in t], "a whole figure was resent"
        echoed = [t for t in received if '"echo_update"' in t and '"_js2py_' in t]
        assert not echoed, "the view's reports were echoed back to the page"
        assert any('"_js2py_traceDeltas"' in t for t in sent), "the view reported no redraw"
        assert not [t for t in sent if "_js2py_widget_layoutDelta" in t]
    assert_no_widget_errors(page)
