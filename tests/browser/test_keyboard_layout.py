"""Keyboard alone and narrow windows (issue 17, points 8 and 11), in Debian's chromium.

* The tab bar and the sliders work without a mouse: Tab reaches the tab bar, the arrow
  keys move between tabs, Enter or Space opens one, Tab reaches a slider and the arrow
  keys move it; its type-in box and the readouts follow. Where the keyboard is is seen
  (an outline on the focused tab).
* Every tab title is shown whole, and the control column of EOQ, Safety stock and
  Stockout trade-offs keeps every type-in box whole at 1,280 and at 1,024 px (a long
  note beside it squeezed the Safety stock column to about 290 px and cut them).

Every wait is on a condition, never a fixed sleep.
"""

from __future__ import annotations

import pytest

from workbench.ui.accessibility import format_value_text, value_text_spec

from .conftest import RENDER_TIMEOUT_MS
from .test_manager import open_ready

pytestmark = pytest.mark.browser

ACTIVE_JS = """() => { const e = document.activeElement;
  return e ? {role: e.getAttribute('role'), text: e.innerText.trim(),
              selected: e.getAttribute('aria-selected'),
              panel: !!e.closest('.wb-tabs .widget-tab-contents'),
              outline: getComputedStyle(e).outlineStyle} : null; }"""


def press_until(page, key: str, condition_js: str, limit: int = 60) -> dict:
    """Press ``key`` until the focused element meets ``condition_js`` (a JS function of
    the element); return what :data:`ACTIVE_JS` says of it."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(f"() => ({condition_js})(document.activeElement)"):
            return page.evaluate(ACTIVE_JS)
    raise AssertionError(f"{limit} presses of {key} never reached {condition_js}")


def current_tab(page) -> str:
    return page.locator(".wb-tabs .lm-TabBar-tab.lm-mod-current").inner_text().strip()


def test_keyboard_alone_moves_between_tabs_and_moves_a_slider(dashboard):
    page = dashboard
    titles = [t.strip() for t in page.locator(".wb-tabs .lm-TabBar-tab").all_inner_texts()]
    start = titles.index(current_tab(page))
    page.locator("body").focus()
    # Tab from the top of the page reaches the tab bar, on the open tab
    here = press_until(page, "Tab", "(e) => e && e.getAttribute('role') === 'tab'")
    assert here["text"] == titles[start] and here["selected"] == "true"
    assert here["outline"] != "none", "the focused tab is not outlined"

    # the arrow keys move the focus along the bar; Enter opens the tab
    target = titles.index("Safety stock")
    for _ in range(target - start):
        page.keyboard.press("ArrowRight")
    here = page.evaluate(ACTIVE_JS)
    assert here["text"] == "Safety stock" and here["selected"] == "false"
    assert current_tab(page) == titles[start]  # moving the focus opens nothing
    page.keyboard.press("ArrowLeft")
    assert page.evaluate(ACTIVE_JS)["text"] == titles[target - 1]
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(t) => document.querySelector('.wb-tabs .lm-TabBar-tab.lm-mod-current')"
        ".innerText.trim() === t",
        arg=titles[target - 1],
    )
    # ... and Space too
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => document.querySelector('.wb-tabs .lm-TabBar-tab.lm-mod-current')"
        ".innerText.trim() === 'Safety stock'"
    )
    content = open_ready(page, "Safety stock")  # waits for the panel; the tab is open
    assert current_tab(page) == "Safety stock"
    page.locator(".wb-tabs .lm-TabBar-tab.lm-mod-current").focus()

    # Tab walks into the panel to the first slider: the service level target
    here = press_until(
        page,
        "Tab",
        "(e) => e && e.getAttribute('role') === 'slider' && !!e.closest('.ss-service-level')",
    )
    assert here["panel"]
    box = content.locator(".ss-service-level-box input")
    readout = content.locator(".ss-reorder-point")
    before_box, before_s = float(box.input_value()), readout.inner_text()
    handle = content.locator(".ss-service-level [role=slider]")
    # a screen reader reads the handle by its label and as the box shows it ("95 %"),
    # not as ipywidgets leaves it ("0.9500000000000001", valuenow "1.0")
    spec = value_text_spec("", percent=True, step=0.001)
    assert handle.get_attribute("aria-label") == "Service level target"
    assert handle.get_attribute("aria-valuetext") == format_value_text(before_box / 100, spec)
    before_now = float(handle.get_attribute("aria-valuenow"))
    assert before_now == pytest.approx(before_box, abs=1e-9)
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    # three steps of 0.1 point each, in the box as a percentage (each press goes to the
    # kernel and back: wait for the last) and on the handle
    page.wait_for_function(
        "([sel, v]) => Math.abs(parseFloat(document.querySelector(sel).value) - v) < 1e-9",
        arg=[".ss-service-level-box input", before_box + 0.3],
        timeout=RENDER_TIMEOUT_MS,
    )
    assert float(handle.get_attribute("aria-valuenow")) == pytest.approx(before_now + 0.3, abs=1e-9)
    assert handle.get_attribute("aria-valuetext") == format_value_text(
        (before_box + 0.3) / 100, spec
    )
    page.wait_for_function(
        "([sel, v]) => document.querySelector(sel).innerText !== v",
        arg=[".ss-panel .ss-reorder-point", before_s],
        timeout=RENDER_TIMEOUT_MS,
    )
    assert float(readout.inner_text().replace(",", "")) > float(before_s.replace(",", ""))
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "([sel, v]) => Math.abs(parseFloat(document.querySelector(sel).value) - v) < 1e-9",
        arg=[".ss-service-level-box input", before_box + 0.2],
        timeout=RENDER_TIMEOUT_MS,
    )
    assert page.js_errors == []


#: For every type-in box and text field of the visible panel's control column: its text
#: cut inside the box (scrollWidth > clientWidth), or the part of its box that an
#: ancestor that clips (overflow not visible) or the readouts beside the column hide.
CLIPPED_INPUTS_JS = """
(root) => {
  const out = [];
  const panel = root;
  for (const column of root.querySelectorAll('.wb-controls')) {
    const side = column.nextElementSibling;
    const sideBox = side ? side.getBoundingClientRect() : null;
    if (side && side.scrollWidth > side.clientWidth + 1) {
      out.push(['readouts beside the column cut', side.scrollWidth + ' > ' + side.clientWidth]);
    }
    for (const input of column.querySelectorAll('input[type=number], input[type=text]')) {
      if (input.offsetParent === null) continue;
      const r = input.getBoundingClientRect();
      const name = (input.closest('.widget-inline-hbox, .widget-text, .wb-typed-row')
                    || input).className.split(' ').filter((c) => c.startsWith('ss-')
                    || c.startsWith('eoq-') || c.startsWith('tradeoff-')).join(' ')
                   + ' = ' + input.value;
      if (input.scrollWidth > input.clientWidth + 1) out.push(['text cut', name]);
      for (let a = input.parentElement; a && a !== panel.parentElement; a = a.parentElement) {
        const st = getComputedStyle(a);
        if (st.overflowX === 'visible' && st.overflowY === 'visible') continue;
        const b = a.getBoundingClientRect();
        if (r.left < b.left - 1 || r.right > b.right + 1) {
          out.push(['clipped by ' + a.className.slice(0, 60), name]);
          break;
        }
      }
      if (sideBox && sideBox.width > 0 && sideBox.top < r.bottom && sideBox.bottom > r.top
          && sideBox.left < r.right - 1 && sideBox.right > r.left) {
        out.push(['covered by the readouts', name]);
      }
    }
  }
  return out;
}
"""


@pytest.mark.parametrize("width", [1280, 1024])
def test_control_columns_keep_every_input_whole(dashboard, artifact, width):
    page = dashboard
    page.set_viewport_size({"width": width, "height": 900})
    # every tab title whole (tabs as wide as their titles, a second row if need be)
    cut = page.locator(".wb-tabs .lm-TabBar-tabLabel").evaluate_all(
        "ls => ls.filter((l) => l.scrollWidth > l.clientWidth + 1"
        " || l.getBoundingClientRect().right > l.closest('.lm-TabBar-tab')"
        ".getBoundingClientRect().right + 1).map((l) => l.innerText)"
    )
    assert cut == [], f"tab titles cut at {width} px: {cut}"
    for title, panel in (
        ("Safety stock", ".ss-panel"),
        ("EOQ", ".eoq-panel"),
        ("Stockout trade-offs", ".tradeoff-panel"),
    ):
        content = open_ready(page, title)
        content.locator(f"{panel} .wb-controls input").first.wait_for()
        if title == "Safety stock":
            content.locator(".ss-plan-note").wait_for()  # the long note beside the column
        page.screenshot(path=artifact(f"controls-{width}-{title.split()[0].lower()}.png"))
        problems = content.locator(panel).evaluate(CLIPPED_INPUTS_JS)
        assert problems == [], f"{title} at {width} px: {problems}"
        column = content.locator(f"{panel} .wb-controls").first.bounding_box()
        assert column["width"] >= 560, (title, width, column)
    assert page.js_errors == []
