"""The Scenarios tab: name the current parameters, compare scenarios, save them to JSON.

A scenario is a ``wb.Scenario`` (a frozen dataclass with ``to_json``/``from_json``).
The panel edits its numeric fields, saves it under a name, compares two or three saved
scenarios on the loaded data side by side (``wb.compare_scenarios``), applies one to
the dashboard (the ``applied`` trait), and exports or imports them as a JSON file.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
import typing

import ipywidgets as widgets
import numpy as np
import pandas as pd
import traitlets

import workbench as wb
from workbench.scenario import load_json

from ._common import (
    Panel,
    active_scenario_html,
    download_link,
    error_table_html,
    fmt_int,
    fmt_money,
    fmt_number,
    fmt_pct,
    html_table,
    on_click,
    sku_units,
    uploaded_files,
)
from .mrp_panel import METHOD_LABELS

__all__ = [
    "COMPARISON_ROWS",
    "ScenarioPanel",
    "changes_html",
    "comparison_html",
    "scenarios_from_json",
    "scenarios_to_json",
]

#: The scenario editor's choices in words (the value the scenario stores in brackets where
#: the tabs and the documentation use it).
CHOICE_WORDS: dict[str, dict[str, str]] = {
    "service_type": {"cycle": "Cycle service level", "fill_rate": "Fill rate"},
    "policy": {
        "sQ": "Reorder point, fixed order quantity (sQ)",
        "sS": "Reorder point, order up to a level (sS)",
        "RS": "Every R days, order up to a level (RS)",
    },
    "distribution": {
        "auto": "Chosen by demand pattern",
        "normal": "Normal",
        "gamma": "Gamma",
        "poisson": "Poisson",
        "negbin": "Negative binomial",
        "empirical": "The item's own history",
    },
    "lot_sizing": METHOD_LABELS,  # the MRP tab's words
}

#: The editor's number fields in words: (label, shown as a percentage). A percentage
#: field's box holds 25 for a rate of 0.25 a year; the scenario keeps the fraction.
FIELD_WORDS: dict[str, tuple[str, bool]] = {
    "holding_cost_rate": ("Holding cost a year, % of unit cost", True),
    "order_cost": ("Order cost, $ per order", False),
    "lead_time_multiplier": ("Lead times × (1 = as in the data)", False),
    "demand_multiplier": ("Demand × (1 = as in the data)", False),
    "review_period_days": ("Review every … days (0 = daily)", False),
}

#: The scenario's choices named as the editor names them (for its messages).
CHOICE_LABELS = {
    "service_type": "Service target is a",
    "policy": "Ordering rule",
    "distribution": "Demand model",
    "lot_sizing": "MRP lot sizing",
}


def field_label(name: str) -> str:
    """The editor's label of a scenario field ("Order cost, $ per order" for
    ``order_cost``; an unknown field's name in words)."""
    if name in FIELD_WORDS:
        return FIELD_WORDS[name][0]
    return CHOICE_LABELS.get(name, name.replace("_", " ").capitalize())


def in_words(exc: Exception) -> ValueError:
    """A scenario's validation error with its field names as the editor labels them
    ("order_cost must be > 0" reads "“Order cost, $ per order” must be > 0")."""
    text = re.sub(r" \[[^\]]*\]", "", str(exc))  # the units: the labels carry them
    for name in sorted({*FIELD_WORDS, *CHOICE_LABELS}, key=len, reverse=True):
        text = text.replace(name, f"“{field_label(name)}”")
    return ValueError(text)


#: How the comparison's rows (``wb.compare_scenarios``) read: label, format, which value is
#: better ("lower", "higher" or None when neither is).
COMPARISON_ROWS: dict[str, tuple[str, str, str | None]] = {
    "skus": ("Items", "int", None),
    "skus_planned": ("Items planned", "int", "higher"),
    "skus_unplanned": ("Items that cannot be planned", "int", "lower"),
    "investment": ("Investment (average stock at cost)", "money", "lower"),
    "safety_stock_value": ("  of which safety stock", "money", None),
    "cycle_stock_value": ("  of which cycle stock", "money", None),
    "fill_rate": ("Expected fill rate", "pct", "higher"),
    "stockouts_per_year": ("Stockouts a year", "num1", "lower"),
    "annual_cost": ("Ordering + holding cost a year", "money", "lower"),
    "annual_ordering_cost": ("  ordering cost a year", "money", None),
    "cycle_stock_holding_cost": ("  holding cost of cycle stock a year", "money", None),
    "safety_stock_holding_cost": ("  holding cost of safety stock a year", "money", None),
    "turns": ("Stock turns a year", "num1", "higher"),
    "annual_demand_value": ("Annual demand at cost", "money", None),
    "skus_changed": ("Items that change against the first scenario", "int", None),
    "abc_changes": ("  items changing ABC class", "int", None),
    "xyz_changes": ("  items changing XYZ class", "int", None),
    "order_quantity_changes": ("  items whose order quantity changes", "int", None),
    "reorder_point_changes": ("  items whose reorder point changes", "int", None),
    "investment_change": ("Investment change against the first scenario", "money+", None),
}


def _fmt(kind: str, value) -> str:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return html.escape(str(value))
    if kind == "int":
        return fmt_int(x)
    if kind == "money":
        return fmt_money(x)
    if kind == "money+":
        return ("+" if x > 0 else "") + fmt_money(x)
    if kind == "pct":
        return fmt_pct(x, 2)
    if kind == "num1":
        return fmt_number(x, 1)
    return fmt_number(x, 0)


def _row_spec(row: str) -> tuple[str, str, str | None]:
    if row in COMPARISON_ROWS:
        return COMPARISON_ROWS[row]
    if row.startswith("skus_") and len(row) <= 7:  # skus_A, skus_B, ...: items per class
        return (f"  items in class {row[5:]}", "int", None)
    return (row.replace("_", " ").capitalize(), "num", None)


def comparison_html(table: pd.DataFrame) -> str:
    """A comparison (``wb.compare_scenarios``) as a manager reads it: labelled rows with
    units, money and percentages formatted, a value that differs from the first
    scenario's highlighted, and on rows where lower (investment, cost, stockouts) or
    higher (fill rate, turns) is better, the best value marked "best" in words (not
    only by colour). Rows that are not numbers (the list of unplanned SKUs) are left out.
    """
    names = [str(c) for c in table.columns]
    head = "<th>figure</th>" + "".join(f"<th>{html.escape(n)}</th>" for n in names)
    body = []
    for row in table.index:
        values = table.loc[row]
        try:
            nums = [float(v) for v in values]
        except (TypeError, ValueError):
            continue  # a tuple of SKUs: listed in the Data and Summary tabs
        label, kind, better = _row_spec(str(row))
        best = None
        if better is not None and len(set(nums)) > 1:
            target = min(nums) if better == "lower" else max(nums)
            best = {i for i, x in enumerate(nums) if x == target}
        cells = []
        for i, (v, x) in enumerate(zip(values, nums, strict=True)):
            cls = ["num"]
            text = _fmt(kind, v)
            if i > 0 and not _close(x, nums[0]):
                cls.append("wb-diff")
            if best is not None and i in best:
                cls.append("wb-best")
                text += " <span class='wb-best-mark'>✓ best</span>"
            cells.append(f"<td class='{' '.join(cls)}'>{text}</td>")
        indent = label.startswith("  ")
        th = (
            f"<th style='padding-left:{18 if indent else 8}px;font-weight:"
            f"{'normal' if indent else 'bold'}'>{html.escape(label.strip())}</th>"
        )
        body.append(f"<tr data-row='{html.escape(str(row))}'>{th}{''.join(cells)}</tr>")
    return (
        "<table class='wb-table wb-compare-table'><thead><tr>"
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        "<div class='wb-note'>Highlighted: differs from the first scenario. ✓ best: the "
        "lowest investment, cost or stockouts, the highest fill rate or turns. Money is "
        "at cost, per year where it says so.</div>"
    )


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def changes_html(base, other, *, base_name: str, other_name: str, max_rows: int = 20) -> str:
    """The items that change ABC class, order quantity or reorder point between two plans
    (``wb.plan_changes``), largest effect on the investment first, in words."""
    changes = wb.plan_changes(base, other)
    title = (
        f"<h4 style='margin:8px 0 2px 0'>From “{html.escape(base_name)}” to "
        f"“{html.escape(other_name)}”</h4>"
    )
    if changes.empty:
        return title + "<div class='wb-note'>No item changes class, order quantity or "
        "reorder point.</div>"
    units = sku_units(other.reset_index()) if "unit" in other.columns else None
    names = other["name"] if "name" in other.columns else None

    def pair(a, b, kind):
        if kind == "class":
            return f"{a} → {b}" if a != b else str(a)
        if _close(float(a), float(b)):
            return fmt_number(a, 0)
        return f"{fmt_number(a, 0)} → {fmt_number(b, 0)}"

    def pairs(col: str, kind: str) -> list[str]:
        before, after = changes[f"{col}_before"], changes[f"{col}_after"]
        return [pair(x, y, kind) for x, y in zip(before, after, strict=True)]

    frame = pd.DataFrame(
        {
            "item": changes.index.astype(str),
            "name": names.reindex(changes.index).to_numpy() if names is not None else "",
            "ABC class": pairs("abc", "class"),
            "reorder point": pairs("reorder_point", "qty"),
            "order quantity": pairs("order_quantity", "qty"),
            "unit": (
                units.reindex(changes.index.astype(str)).to_numpy()
                if units is not None
                else "units"
            ),
            "effect on investment": [
                ("+" if x > 0 else "") + fmt_money(x) for x in changes["investment_change"]
            ],
        }
    )
    n = len(changes)
    n_abc = int((changes["abc_before"] != changes["abc_after"]).sum())
    n_rop = int(
        (
            ~np.isclose(
                changes["reorder_point_before"].to_numpy(float),
                changes["reorder_point_after"].to_numpy(float),
                equal_nan=True,
            )
        ).sum()
    )
    return (
        title + f"<div>{fmt_int(n)} item{'s change' if n != 1 else ' changes'}: {fmt_int(n_abc)} "
        f"change ABC class, {fmt_int(n_rop)} change reorder point; largest effect on the "
        "investment first.</div>"
        + html_table(frame, max_rows=max_rows, css_class="wb-table wb-changes-table")
    )


def scenarios_to_json(scenarios) -> str:
    """A JSON array of scenarios (each as its own ``to_json`` object)."""
    return json.dumps([json.loads(s.to_json()) for s in scenarios], indent=2)


def scenarios_from_json(text: str | bytes) -> list:
    """Scenarios from a JSON array (as written by :func:`scenarios_to_json`) or one object.

    Raises
    ------
    ValueError
        If the text is not JSON (or too long or deep, see ``workbench.scenario.load_json``)
        or an entry is not a scenario.
    """
    try:
        obj = load_json(text)
    except ValueError as exc:
        raise ValueError(f"not a JSON file of scenarios: {exc}") from None
    entries = obj if isinstance(obj, list) else [obj]
    out = []
    for i, entry in enumerate(entries, 1):
        try:
            out.append(wb.Scenario.from_dict(entry))
        except Exception as exc:
            raise ValueError(f"entry {i} is not a valid scenario: {exc}") from exc
    return out


def _text_box(description: str, css: str, optional: bool) -> widgets.Text:
    box = widgets.Text(
        description=description,
        placeholder="each item's own" if optional else "",
        tooltip=description,
        style={"description_width": "230px"},
        layout=widgets.Layout(width="370px"),
    )
    box.add_class(css)
    return box


def _numeric_fields(cls) -> list[tuple[str, bool]]:
    """(name, optional) of the float/int fields of the Scenario dataclass that the
    editor shows; other fields (dicts, names) are kept as they are."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        if f.name == "name":
            continue
        hint = hints.get(f.name)
        if typing.get_origin(hint) in (tuple, list, dict):
            continue  # tuple[float, float] (class cut-offs...): not one number
        args = set(typing.get_args(hint)) or {hint}
        optional = type(None) in args
        args.discard(type(None))
        if args and args <= {float, int}:
            out.append((f.name, optional))
    return out


class ScenarioPanel(Panel):
    """Save, compare, apply, export and import named scenarios.

    Parameters
    ----------
    dataset : workbench.Dataset
        Data the scenarios are compared on (``set_dataset`` replaces it).
    scenario : wb.Scenario, optional
        The current parameters shown in the editor (``set_scenario`` replaces them).

    Attributes
    ----------
    scenarios : dict
        Saved scenarios by name (trait).
    applied : traitlet
        The last scenario the user applied; the dashboard observes it.
    comparison : traitlet
        The last comparison table (DataFrame) or None.
    """

    scenarios = traitlets.Dict()
    applied = traitlets.Any(allow_none=True)
    comparison = traitlets.Any(allow_none=True)

    def __init__(self, dataset, *, scenario=None, **kwargs):
        self.dataset = dataset
        cls = getattr(wb, "Scenario", None)
        self._cls = cls
        self.current = scenario if scenario is not None or cls is None else cls()
        self.fields = _numeric_fields(cls) if cls is not None else []
        self.editors: dict[str, widgets.Widget] = {}
        for name, optional in self.fields:
            self.editors[name] = _text_box(field_label(name), f"wb-scn-{name}", optional)
        self.choices: dict[str, widgets.Dropdown] = {}
        for name, options in (
            ("service_type", getattr(wb, "SERVICE_TYPES", ())),
            ("policy", getattr(wb, "SCENARIO_POLICIES", ())),  # what a Scenario takes
            ("distribution", getattr(wb, "SCENARIO_DISTRIBUTIONS", ())),
            ("lot_sizing", getattr(wb, "LOT_SIZING_METHODS", ())),
        ):
            if name not in getattr(cls, "__dataclass_fields__", {}):
                continue  # a Scenario without this field
            if options and cls is not None and hasattr(cls, "__dataclass_fields__"):
                words = CHOICE_WORDS.get(name, {})
                box = widgets.Dropdown(
                    description=field_label(name),
                    options=[(words.get(o, o), o) for o in options],
                    style={"description_width": "230px"},  # as the target boxes below
                    layout=widgets.Layout(width="560px"),
                )
                box.add_class(f"wb-scn-{name}")
                self.choices[name] = box
        labels = tuple(getattr(self.current, "abc_labels", ()))
        self.targets = {
            lab: _text_box(f"Service target, class {lab} (%)", f"wb-scn-target-{lab}", False)
            for lab in labels
        }
        self.name = widgets.Text(description="name", placeholder="e.g. demand +20 %")
        self.name.add_class("wb-scn-name")
        self.save_button = widgets.Button(description="Save scenario", button_style="primary")
        self.apply_button = widgets.Button(
            description="Make this the active scenario",
            tooltip="Every tab, the plan download and Stockout trade-offs then use it",
            layout=widgets.Layout(width="auto"),
        )
        self.active = widgets.HTML()
        self.active.add_class("wb-scn-active")
        self.select = widgets.SelectMultiple(description="saved", rows=5, options=[])
        self.compare_button = widgets.Button(description="Compare selected")
        self.import_upload = widgets.FileUpload(
            accept=".json", multiple=False, description="Import JSON"
        )
        self.message = widgets.HTML()
        self.message.add_class("wb-scn-message")
        self.table = widgets.HTML()
        self.table.add_class("wb-scn-comparison")
        self.export = widgets.HTML()
        self.export.add_class("wb-scn-export")
        for b, c in (
            (self.save_button, "wb-scn-save"),
            (self.apply_button, "wb-scn-apply"),
            (self.compare_button, "wb-scn-compare"),
        ):
            b.add_class(c)
        if self.editors:
            editor = [
                widgets.HBox(
                    [
                        widgets.VBox(list(self.editors.values())),
                        widgets.VBox([*self.choices.values(), *self.targets.values()]),
                    ]
                )
            ]
        else:
            editor = [
                widgets.HTML(
                    '<div class="wb-unavailable">Scenarios are not available in '
                    "this version of the workbench.</div>"
                )
            ]
        super().__init__(
            children=[
                widgets.HTML(
                    "<h3 style='margin:4px 0'>Scenarios</h3><div>Set the parameters, save them "
                    "under a name, and compare two or three scenarios side by side. Leave a "
                    "field empty to use the value from the data.</div>"
                ),
                self.active,
                widgets.VBox(editor),
                widgets.HBox([self.name, self.save_button, self.apply_button]),
                self.message,
                widgets.HBox(
                    [self.select, widgets.VBox([self.compare_button, self.import_upload])]
                ),
                self.table,
                self.export,
            ],
            **kwargs,
        )
        self.add_class("wb-scenario-panel")
        on_click(self.save_button, self.save, self.message, title="The scenario was not saved")
        on_click(self.apply_button, self.apply, self.message, title="The scenario was not applied")
        on_click(self.compare_button, self.compare, self.message, title="The comparison failed")
        self.import_upload.observe(self._on_import, names="value")
        self.observe(self._on_scenarios, names="scenarios")
        self.set_scenario(self.current)
        self._on_scenarios(None)

    # -- editor <-> scenario
    def set_scenario(self, scenario) -> None:
        """Show a scenario's parameters in the editor."""
        if scenario is None:
            return
        self.current = scenario
        for name, box in self.editors.items():
            value = getattr(scenario, name, None)
            if value is not None and FIELD_WORDS.get(name, ("", False))[1]:
                value = 100 * value  # a percentage: 25, not 0.25
            box.value = "" if value is None else f"{value:.6g}"
        for name, box in self.choices.items():
            box.value = getattr(scenario, name)
        targets = getattr(scenario, "service_targets", {})
        for lab, box in self.targets.items():  # as a percentage: 98, not 0.98
            box.value = f"{100 * targets[lab]:.4g}" if lab in targets else ""
        if getattr(scenario, "name", None):
            self.name.value = scenario.name

    def edited(self, name: str | None = None):
        """The scenario in the editor (with ``name`` if given).

        Raises
        ------
        ValueError
            If a field is not a number.
        """
        changes = {}
        for field, optional in self.fields:
            text = self.editors[field].value.strip()
            if text == "":
                if optional:
                    changes[field] = None
                continue
            try:
                changes[field] = float(text.replace(",", "").replace("%", "").replace("$", ""))
            except ValueError:
                raise ValueError(f"“{field_label(field)}” must be a number; got {text!r}") from None
            if FIELD_WORDS.get(field, ("", False))[1]:
                if not 0.01 <= changes[field] <= 10_000:  # the scenario's 0.0001 to 100
                    raise ValueError(
                        f"“{field_label(field)}” must be from 0.01 to 10,000 (%) or empty "
                        f"(each item's own); got {text!r}"
                    )
                changes[field] /= 100  # typed as a percentage
        for field, box in self.choices.items():
            changes[field] = box.value
        if self.targets:
            targets = dict(getattr(self.current, "service_targets", {}))
            for lab, box in self.targets.items():
                text = box.value.strip().replace("%", "")
                try:
                    value = float(text)
                except ValueError:
                    raise ValueError(
                        f"the service target of class {lab} must be a percentage such as 95; "
                        f"got {text!r}"
                    ) from None
                targets[lab] = value / 100 if value > 1 else value  # "95" means 95 %
            changes["service_targets"] = targets
        if name is not None:
            changes["name"] = name
        try:
            return dataclasses.replace(self.current, **changes)
        except ValueError as exc:
            raise in_words(exc) from exc

    # -- actions
    def save(self, name: str | None = None):
        """Save the edited parameters under ``name`` (default the name box)."""
        name = (name if name is not None else self.name.value).strip()
        if not name:
            self.message.value = '<div class="wb-error">Give the scenario a name first.</div>'
            return None
        try:
            scn = self.edited(name)
        except Exception as exc:
            self.message.value = _editor_error(exc, "The scenario was not saved")
            return None
        self.scenarios = {**self.scenarios, name: scn}
        self.message.value = f'<div class="wb-ok">Saved “{html.escape(name)}”.</div>'
        return scn

    def apply(self):
        """Send the edited parameters to the dashboard (the ``applied`` trait)."""
        try:
            scn = self.edited(self.name.value.strip() or getattr(self.current, "name", None))
        except Exception as exc:
            self.message.value = _editor_error(exc, "The scenario was not applied")
            return None
        self.current = scn
        self.applied = scn
        self.message.value = (
            f'<div class="wb-ok">“{html.escape(scn.name)}” is now the active scenario: every '
            "tab and the plan download use it.</div>"
        )
        return scn

    def compare(self, names=None) -> pd.DataFrame | None:
        """Compare saved scenarios (two or three; default the selected ones)."""
        names = list(names if names is not None else self.select.value)
        if not 1 < len(names) <= 3:
            self.message.value = (
                '<div class="wb-error">Select two or three saved scenarios to compare.</div>'
            )
            return None
        scns = [self.scenarios[n] for n in names]
        try:
            table = _compare(self.dataset, scns)
        except Exception as exc:
            self.message.value = error_table_html(exc, title="The comparison failed")
            return None
        self.comparison = table
        changes = ""
        try:  # the items that change, each scenario against the first
            plans = [wb.plan(self.dataset, s) for s in scns]
            changes = "".join(
                changes_html(plans[0], p, base_name=names[0], other_name=n)
                for p, n in zip(plans[1:], names[1:], strict=True)
            )
        except Exception as exc:  # the comparison itself stays shown
            changes = error_table_html(exc, title="The changed items could not be listed")
        self.table.value = (
            "<h4 style='margin:6px 0'>Side by side</h4>" + comparison_html(table) + changes
        )
        self.message.value = ""
        return table

    def import_json(self, text: str | bytes) -> list:
        """Add the scenarios in a JSON file to the saved ones."""
        try:
            scns = scenarios_from_json(text)
        except Exception as exc:
            self.message.value = error_table_html(exc, title="The file was not imported")
            return []
        self.scenarios = {**self.scenarios, **{s.name: s for s in scns}}
        self.message.value = (
            f'<div class="wb-ok">Imported {len(scns)} scenario{"s" if len(scns) != 1 else ""}.'
            "</div>"
        )
        return scns

    def set_plan(self, plan) -> None:
        """Show which scenario is active and what its plan invests (the dashboard's plan)."""
        self.active.value = active_scenario_html(plan)

    def set_dataset(self, dataset) -> None:
        """Compare on new data from now on (a shown comparison is cleared)."""
        self.dataset = dataset
        self.comparison = None
        self.table.value = ""

    # -- reactions
    def _on_import(self, change) -> None:
        files = uploaded_files(change.new)
        if not files:
            return
        for content in files.values():
            self.import_json(content)
        self.import_upload.unobserve(self._on_import, names="value")
        self.import_upload.value = ()
        self.import_upload.observe(self._on_import, names="value")

    def _on_scenarios(self, _change) -> None:
        names = list(self.scenarios)
        self.select.options = names
        self.select.value = tuple(names[-3:])
        if names:
            data = scenarios_to_json(self.scenarios.values()).encode("utf-8")
            self.export.value = download_link(
                data,
                "scenarios.json",
                "Export scenarios as JSON",
                "application/json",
                css_class="wb-scn-json",
            )
        else:
            self.export.value = '<div class="wb-note">No saved scenarios yet.</div>'


def _editor_error(exc: Exception, title: str) -> str:
    """A value typed into the editor that a scenario cannot take, in one sentence (not
    the data-file error table, whose advice is to fix a file and upload it again)."""
    return (
        f'<div class="wb-error"><h4>{html.escape(title)}</h4>'
        f"<div>{html.escape(str(exc))}. Correct it above and try again.</div></div>"
    )


def _compare(dataset, scenarios) -> pd.DataFrame:
    compare = getattr(wb, "compare_scenarios", None)
    if compare is not None:
        return compare(dataset, scenarios)
    summary = wb.plan_summary
    cols = {s.name: pd.Series(summary(wb.plan(dataset, s))) for s in scenarios}
    return pd.DataFrame(cols)
