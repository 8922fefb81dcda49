"""The dashboard as a manager sees it (issue 17), in Debian's chromium: every readout
fully visible, no server path, every tab screenshotted in both themes with its trace
colours readable on the background, and the active scenario's name and investment the
same on Trade-offs, Scenarios and the plan download.

Every wait is on a condition (an element, a text), never a fixed sleep: the machine is
shared and a kernel round trip can take seconds.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from workbench.ui._common import PALETTES, contrast_ratio, fmt_money

from .conftest import NOTEBOOKS, RENDER_TIMEOUT_MS, voila_server, wait_rendered

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
#: Text that would give away where the server keeps its files.
SERVER_PATHS = (str(REPO), "/home/", "/work/", "/srv/", "/tmp/", "/var/", "C:\\")


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def tab_titles(page) -> list[str]:
    return [t.strip() for t in page.locator(".wb-tabs .lm-TabBar-tab").all_inner_texts()]


def open_ready(page, title: str):
    """Open a tab and wait until its panel replaced the placeholder and, when it has
    charts, the first one is drawn."""
    page.locator(".wb-tabs .lm-TabBar-tab", has_text=title).first.click()
    content = page.locator(".wb-tabs .widget-tab-contents > .lm-Widget:visible").first
    page.wait_for_function(
        "() => { const c = Array.from(document.querySelectorAll("
        "'.wb-tabs .widget-tab-contents > .lm-Widget')).find(e => e.offsetParent !== null);"
        " return c && !c.innerText.includes('is being prepared'); }",
        timeout=RENDER_TIMEOUT_MS,
    )
    if content.locator(".js-plotly-plot").count():
        content.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    return content


#: Colours of the drawn lines, markers and bars of the visible charts, with the chart's
#: background (plotly writes them as inline styles).
TRACE_COLOURS_JS = """
(root) => {
  const out = [];
  for (const plot of root.querySelectorAll('.js-plotly-plot')) {
    if (plot.offsetParent === null) continue;
    const svg = plot.querySelector('.main-svg');
    const bg = svg ? svg.style.background : '';
    const marks = plot.querySelectorAll(
      '.scatterlayer path.js-line, .scatterlayer path.point, .barlayer .bars path');
    for (const m of marks) {
      if (!m.getAttribute('d') || m.getAttribute('d') === 'M0,0Z') continue;
      const isLine = m.classList.contains('js-line');
      const c = isLine ? m.style.stroke : (m.style.fill || m.style.stroke);
      const op = parseFloat(isLine ? (m.style.strokeOpacity || '1') : (m.style.fillOpacity || '1'));
      if (c && c !== 'none' && op > 0.5) out.push([c, bg]);
    }
  }
  return out;
}
"""


def check_contrast(content, theme: str, where: str) -> int:
    pairs = content.evaluate(TRACE_COLOURS_JS)
    bad = []
    for color, bg in pairs:
        background = bg or PALETTES[theme]["background"]
        color = re.sub(r"rgba\(([^,]+,[^,]+,[^,]+),[^)]*\)", r"rgb(\1)", color)
        background = re.sub(r"rgba\(([^,]+,[^,]+,[^,]+),[^)]*\)", r"rgb(\1)", background)
        ratio = contrast_ratio(color, background)
        if ratio <= 3.0:
            bad.append((color, background, round(ratio, 2)))
    assert bad == [], f"{where} ({theme}): traces below 3:1 contrast: {sorted(set(bad))}"
    return len(pairs)


#: A control without an accessible name in Playwright's ARIA snapshot: ``- slider`` or
#: ``- spinbutton: "18"`` where a named one reads ``- slider "Holding cost, a year"``.
UNNAMED = re.compile(
    r"^\s*- '?(slider|combobox|checkbox|textbox|spinbutton|button|tab|radio|switch|listbox"
    r"|searchbox)(?=$|[\s:\[])(?!\s+\")",
    re.MULTILINE,
)

#: Every visible slider handle: its name, what a screen reader reads of its value, and
#: the readout beside it (the box's number, its unit's text).
SLIDERS_JS = """
(root) => Array.from(root.querySelectorAll('.widget-slider [role=slider]'))
  .filter((h) => h.offsetParent !== null)
  .map((h) => { const row = h.closest('.widget-slider').parentElement;
    const box = row.querySelector('input[type=number]');
    const unit = row.querySelector('.wb-typed-unit');
    return [h.getAttribute('aria-label') || '', h.getAttribute('aria-valuetext') || '',
            box ? box.value : null, unit ? unit.innerText.trim() : '']; })
"""

#: The number a value text starts with ("$76.16 per order" -> 76.16), as JavaScript.
SPOKEN_NUMBER_JS = "(t) => parseFloat(t.split(' ')[0].replace(/[$,]/g, ''))"


def check_screen_reader(page, content, where: str) -> int:
    """Every control of the open tab has a name a screen reader reads; every slider reads
    its value as the readout beside it shows it, with the unit; no readout box is cut."""
    unnamed = UNNAMED.findall(content.aria_snapshot())
    assert unnamed == [], f"{where}: controls without a name a screen reader reads: {unnamed}"
    settled = (
        f"(root) => ({SLIDERS_JS})(root).every(([n, t, box]) => box === null"
        f" || Math.abs(({SPOKEN_NUMBER_JS})(t) - parseFloat(box)) < 1e-9)"
    )
    # the kernel's value reaches the handle a moment after the tab is drawn: wait up to
    # 15 s for the texts to agree (the assertions below say what does not)
    content.evaluate(
        f"(root) => new Promise((ok) => {{ const t0 = performance.now();"
        f" const f = () => (({settled})(root) || performance.now() - t0 > 15000)"
        f" ? ok(true) : setTimeout(f, 100); f(); }})"
    )
    sliders = content.evaluate(SLIDERS_JS)
    for name, text, box, unit in sliders:
        assert name.strip(), f"{where}: a slider without a name ({text})"
        assert box is not None, f"{where}: {name} has no readout box"
        number = float(re.sub(r"[$,]", "", text.split(" ")[0]))
        assert number == pytest.approx(float(box), abs=1e-9), (where, name, text, box)
        assert text.endswith(" %") == unit.startswith("%"), (where, name, text, unit)
    cut = content.evaluate(
        "(root) => Array.from(root.querySelectorAll('input[type=number]'))"
        ".filter((e) => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)"
        ".map((e) => e.value)"
    )
    assert cut == [], f"{where}: readouts cut off: {cut}"
    return len(sliders)


def screenshot_every_tab(page, theme: str, artifact) -> int:
    checked = sliders = 0
    tabs = page.locator(".wb-tabs .lm-TabBar").first.aria_snapshot()
    assert UNNAMED.findall(tabs) == [] and tabs.count("- tab ") == len(tab_titles(page)), tabs
    for title in tab_titles(page):
        content = open_ready(page, title)
        # the screenshot once the charts have their panel's width (plotly draws a chart
        # 700 px wide first; ``test_charts_use_the_width_of_the_window`` asserts the width)
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(
                f"() => ({CHART_WIDTHS_JS})(document).every(([w, box]) => w >= box - 40)",
                timeout=5000,
            )
        page.screenshot(path=artifact(f"tab-{theme}-{slug(title)}.png"), full_page=True)
        checked += check_contrast(content, theme, title)
        sliders += check_screen_reader(page, content, f"{title} ({theme})")
        text = page.locator("body").inner_text()
        for path in SERVER_PATHS:
            assert path not in text, f"{title} ({theme}) shows a server path: {path!r}"
    assert sliders >= 15, f"only {sliders} sliders checked ({theme})"
    return checked


def test_every_tab_light_is_screenshotted_readable_and_pathless(dashboard, artifact):
    page = dashboard
    assert "What the workbench answers" in page.locator(".wb-orientation").inner_text()
    assert screenshot_every_tab(page, "light", artifact) > 10


@pytest.fixture(scope="module")
def dark_url(artifacts_dir):
    with voila_server(
        NOTEBOOKS / "dashboard.ipynb",
        "--preheat_kernel=True",
        "--pool_size=1",
        env={"WORKBENCH_THEME": "dark"},
    ) as base:
        yield base


def test_every_tab_dark_is_screenshotted_and_readable(page, dark_url, artifact):
    page.set_default_timeout(RENDER_TIMEOUT_MS)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(dark_url + "/", timeout=RENDER_TIMEOUT_MS)
    wait_rendered(page)
    # the page is dark, not only the charts' template: Voila's theme and the kernel's
    # went apart once (the charts' light lines drawn on a white page)
    page_bg = page.evaluate(
        "() => [document.body, document.documentElement].map((e) =>"
        " getComputedStyle(e).backgroundColor).find((c) => !c.endsWith(', 0)')) || ''"
    )
    assert contrast_ratio(page_bg, "rgb(255, 255, 255)") > 10, page_bg
    assert screenshot_every_tab(page, "dark", artifact) > 10


def test_every_readout_is_fully_visible(dashboard):
    page = dashboard
    for title in ("EOQ", "Safety stock", "ABC / XYZ", "Stockout trade-offs"):
        content = open_ready(page, title)
        boxes = content.locator(".wb-typed-box input")
        assert boxes.count() >= 2, title
        for i in range(boxes.count()):
            box = boxes.nth(i)
            value = box.input_value()
            assert value.strip() not in ("", "0", "0."), (title, value)
            clipped = box.evaluate("e => e.scrollWidth > e.clientWidth + 1")
            assert not clipped, f"{title}: readout {value!r} is cut off"
        units = content.locator(".wb-typed-unit").all_inner_texts()
        if title in ("Stockout trade-offs", "ABC / XYZ"):
            assert "%" in units, title


#: (chart width, width of the panel holding it) of the visible charts [px].
CHART_WIDTHS_JS = """
(root) => Array.from(root.querySelectorAll('.js-plotly-plot'))
  .filter((p) => p.offsetParent !== null && p.querySelector('.main-svg'))
  .map((p) => [p.querySelector('.main-svg').getBoundingClientRect().width,
               p.parentElement.getBoundingClientRect().width])
"""


def test_charts_use_the_width_of_the_window(dashboard):
    # At 1280 px plotly drew every chart 700 px wide (its default for an element with no
    # width yet): the tabs are built while hidden.
    page = dashboard
    for title in ("EOQ", "Safety stock", "ABC / XYZ"):
        content = open_ready(page, title)
        page.wait_for_function(
            f"() => ({CHART_WIDTHS_JS})(document).some(([w, box]) => w > 1000)",
            timeout=RENDER_TIMEOUT_MS,
        )
        widths = content.evaluate(CHART_WIDTHS_JS)
        assert widths, title
        for chart, box in widths:
            assert chart > 1000 and chart <= box + 1, (title, chart, box)
        lines = content.locator(".js-plotly-plot .scatterlayer path.js-line")
        paths = lines.evaluate_all("ls => ls.map((l) => l.getAttribute('d'))")
        drawn = [d for d in paths if d and d != "M0,0Z"]
        assert len(drawn) >= 2, f"{title}: the chart's curves are not drawn"
    assert page.js_errors == []


def test_active_scenario_is_the_same_on_tradeoffs_scenarios_and_the_download(dashboard, tmp_path):
    page = dashboard
    header = page.locator(".wb-dashboard .wb-active-scenario").first
    header.wait_for()
    name = header.locator(".wb-active-name").inner_text().strip()
    money = header.locator(".wb-active-investment").inner_text().strip()

    trade = open_ready(page, "Stockout trade-offs")
    trade.locator(".tradeoff-investment").wait_for()
    assert trade.locator(".tradeoff-scenario-name").inner_text().strip() == name
    assert trade.locator(".tradeoff-investment").inner_text().strip() == money
    assert "the active scenario" in trade.locator(".tradeoff-numbers").inner_text()

    scenarios = open_ready(page, "Scenarios")
    active = scenarios.locator(".wb-scn-active")
    active.locator(".wb-active-name").wait_for()
    assert active.locator(".wb-active-name").inner_text().strip() == name
    assert active.locator(".wb-active-investment").inner_text().strip() == money

    data = open_ready(page, "Data")
    note = data.locator(".wb-plan-scenario")
    assert note.locator(".wb-active-name").inner_text().strip() == name
    assert note.locator(".wb-active-investment").inner_text().strip() == money
    with page.expect_download() as info:
        data.locator("a.wb-plan-csv").click()
    path = tmp_path / "plan.csv"
    info.value.save_as(path)
    plan = pd.read_csv(path)
    assert fmt_money(plan["average_inventory_value"].sum()) == money
