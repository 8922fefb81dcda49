"""What a screen reader reads of the dashboard's sliders (issue 17, point 11).

ipywidgets 8 draws a slider with noUiSlider, whose handle (``role="slider"``) has no
accessible name (the description is a ``<label>`` tied to nothing), reads its value as
the raw float (``aria-valuetext="0.9500000000000001"`` where the box beside it shows
95 %) and gives ``aria-valuenow`` to one decimal (0.98 read as "1.0"); ipywidgets does not
pass noUiSlider's ``ariaFormat`` option on. One small script per page (an invisible
anywidget, :func:`accessibility_widget`, that :class:`~workbench.ui._common.Panel` adds
when it is displayed, in Voila and in JupyterLab alike) mends every handle:

* ``aria-label``: the slider's description, as it is shown;
* ``aria-valuetext``: the value as the readout beside the slider shows it, with its unit
  ("98 %", "$76.16 per order", "12 weeks"), read from the ``<span class="wb-valuetext">``
  that the row carries (:func:`value_text_span`: scale, decimals, prefix, suffix and the
  value the kernel holds);
* ``aria-valuenow``, ``-valuemin``, ``-valuemax``: the value and range in the same scale
  (98 of 50 to 99.9).

While a key moves the handle and the kernel has not answered yet, the text is the handle's
own position formatted the same way; once the kernel's value arrives (the span is redrawn)
the text is the kernel's value.
"""

from __future__ import annotations

import html
import re

import ipywidgets as widgets

__all__ = [
    "ACCESSIBILITY_ESM",
    "accessibility_widget",
    "ensure_accessibility",
    "format_value_text",
    "value_text_span",
    "value_text_spec",
]

#: The browser side: a MutationObserver, installed once per page, that rewrites every
#: noUiSlider handle's ARIA attributes after noUiSlider set them (it sets them on every
#: move) and whenever a row's value span is redrawn. Idempotent: it writes an attribute
#: only when it differs, so its own writes end the loop. A chart's redraw is not looked
#: at: every slider step redrew plotly's SVG, and mending every slider of the page after
#: it took 7 ms of the page's time a step.
_MEND_JS = r"""
;(() => {
  const g = globalThis;
  if (g.__workbenchA11y || typeof document === "undefined") return;
  g.__workbenchA11y = true;
  const decimals = (x) => {
    const t = String(x);
    return t.includes("e-") ? Number(t.split("e-")[1]) : (t.split(".")[1] || "").length;
  };
  const fmt = (x, digits) => x.toLocaleString("en-US", {
    maximumFractionDigits: Math.min(20, Math.max(0, digits)), useGrouping: true });
  const setAttr = (el, name, value) => {
    if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  };
  const mend = (handle) => {
    const target = handle.closest(".noUi-target");
    const ui = target && target.noUiSlider;
    if (!ui) return;
    const widget = handle.closest(".widget-slider");
    const label = widget && widget.querySelector(".widget-label");
    const name = label ? label.textContent.trim() : "";
    if (name) setAttr(handle, "aria-label", name);
    const row = widget && widget.parentElement;
    const spec = row ? row.querySelector(".wb-valuetext") : null;
    const d = spec ? spec.dataset : {};
    const step = Number(ui.options.step) || 0;
    const scale = Number(d.scale || 1);
    const digits = d.digits !== undefined ? Number(d.digits) : decimals(step * scale);
    let raw = ui.get();
    if (Array.isArray(raw)) raw = raw[Number(handle.dataset.handle || 0)];
    let v = Number(raw);
    const held = d.value !== undefined ? Number(d.value) : NaN;
    // the kernel's value when the handle stands where it is (snapped to a step), else the
    // handle's own position (a key moved it; the kernel has not answered yet)
    if (Number.isFinite(held) && Math.abs(held - v) <= step / 2 + 1e-12) v = held;
    if (!Number.isFinite(v)) return;
    const round = (x) => Number((x * scale).toFixed(Math.min(20, Math.max(0, digits))));
    let text;
    if (spec) text = (d.prefix || "") + fmt(round(v), digits) + (d.suffix || "");
    else {
      const readout = widget && widget.querySelector(".widget-readout");
      text = readout && readout.offsetParent !== null && readout.textContent.trim()
        ? readout.textContent.trim() : fmt(round(v), digits);
    }
    setAttr(handle, "aria-valuetext", text);
    setAttr(handle, "aria-valuenow", String(round(v)));
    setAttr(handle, "aria-valuemin", String(round(Number(ui.options.range.min))));
    setAttr(handle, "aria-valuemax", String(round(Number(ui.options.range.max))));
  };
  const mendAll = () => {
    for (const h of document.querySelectorAll(".widget-slider .noUi-handle")) mend(h);
  };
  let pending = false;
  const later = () => {
    if (pending) return;
    pending = true;
    setTimeout(() => { pending = false; mendAll(); }, 30);
  };
  // a chart's own redraw (plotly replaces its SVG on every slider step) holds no slider
  const inChart = (n) => n instanceof SVGElement || !!(n.closest && n.closest(".js-plotly-plot"));
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes") {
        if (r.target.classList && r.target.classList.contains("noUi-handle")) mend(r.target);
      } else if (!pending && !inChart(r.target)) later();  // a slider or a value span (re)drawn
    }
  }).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["aria-valuetext"] });
  document.addEventListener("focusin", (e) => {
    const t = e.target;
    if (t && t.classList && t.classList.contains("noUi-handle")) mend(t);
  });
  mendAll();
})();
"""

ACCESSIBILITY_ESM = _MEND_JS + "\nexport default { render() {} };\n"


def value_text_spec(
    description: str, *, percent: bool = False, step: float | None = None, unit: str = ""
) -> dict:
    """How a slider's value is read aloud: scale, decimals, text before and after.

    Parameters
    ----------
    description : str
        The slider's label; a unit in brackets ("Order cost S [$/order]", "Lead time L
        [days]") gives the text around the number.
    percent : bool
        The slider holds a fraction shown as a percentage (0.98 read as "98 %").
    step : float, optional
        The slider's step; the number is read with as many decimals as the readout box
        shows (at least 2, more when the step is finer), trailing zeros dropped.
    unit : str
        The unit shown after the readout ("days"), when the description names none.

    Returns
    -------
    dict
        ``scale``, ``digits``, ``prefix``, ``suffix``.

    Examples
    --------
    >>> spec = value_text_spec("Order cost S [$/order]")
    >>> spec["prefix"], spec["suffix"]
    ('$', ' per order')
    >>> value_text_spec("Service target, class A", percent=True, step=0.001)["digits"]
    2
    """
    scale = 100.0 if percent else 1.0
    digits = 2
    if step:
        text = f"{float(step) * scale:.6f}".rstrip("0")
        digits = max(digits, len(text.partition(".")[2]))
    prefix, suffix = "", ""
    if percent:
        suffix = " %"
    else:
        bracket = re.search(r"\[([^\]]+)\]", description or "")
        if bracket:
            text = bracket.group(1).strip()
            money = re.fullmatch(r"\$\s*(?:/|per)\s*(.+)", text)
            if money:
                prefix, suffix = "$", f" per {money.group(1).strip()}"
            elif text == "$":
                prefix = "$"
            else:
                suffix = f" {text}"
        elif unit.strip():
            suffix = f" {unit.strip()}"
    return {"scale": scale, "digits": digits, "prefix": prefix, "suffix": suffix}


def format_value_text(value: float, spec: dict) -> str:
    """The text a screen reader reads for ``value`` (what the browser side writes).

    Examples
    --------
    >>> format_value_text(0.98, value_text_spec("Service target", percent=True))
    '98 %'
    >>> format_value_text(76.16, value_text_spec("Order cost S [$/order]"))
    '$76.16 per order'
    >>> format_value_text(63160, value_text_spec("Annual demand D [units a year]"))
    '63,160 units a year'
    """
    digits = int(spec["digits"])
    number = round(float(value) * spec["scale"], digits)
    text = f"{number:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{spec['prefix']}{text}{spec['suffix']}"


def value_text_span(value: float, spec: dict) -> str:
    """The invisible ``<span class="wb-valuetext">`` a slider's row carries for the page's
    script: the kernel's value and how to read it (see the module's notes)."""
    attrs = {
        "data-value": repr(float(value)),
        "data-scale": repr(float(spec["scale"])),
        "data-digits": str(int(spec["digits"])),
        "data-prefix": spec["prefix"],
        "data-suffix": spec["suffix"],
    }
    body = " ".join(f'{k}="{html.escape(v, quote=True)}"' for k, v in attrs.items())
    return f'<span class="wb-valuetext" hidden {body}></span>'


def accessibility_widget() -> widgets.Widget:
    """An invisible widget whose few lines of JavaScript mend the page's slider handles
    (once per page however many are shown; see the module's notes)."""
    import anywidget

    class SliderAccessibility(anywidget.AnyWidget):
        _esm = ACCESSIBILITY_ESM

    w = SliderAccessibility(layout=widgets.Layout(display="none"))
    w.add_class("wb-accessibility")
    return w


def ensure_accessibility(box: widgets.Box) -> widgets.Widget:
    """Put :func:`accessibility_widget` among ``box``'s children unless one is there;
    return it."""
    for child in box.children:
        if "wb-accessibility" in getattr(child, "_dom_classes", ()):
            return child
    w = accessibility_widget()
    box.children = (*box.children, w)
    return w
