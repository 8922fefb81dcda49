"""The Stock & review panel headless: its numbers are wb.weekly_review's, the as-of date
moves the trait, the text and the charts, exception lists download as CSV, the valuation
is wb.compare_valuation's, and the dashboard greys the tab out without lots."""

from __future__ import annotations

import html
import io
import math
import re

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.ui import Dashboard
from workbench.ui._common import decode_data_uri, fmt_money
from workbench.ui.stock_panel import (
    EXCEPTIONS,
    INVENTORY_TYPES,
    METHOD_LABELS,
    StockPanel,
    as_of_options,
    exception_csv,
    valuation_heading,
    valuation_periods,
)

#: What the valuation table must show, in order (periodic and perpetual LIFO: issue 15).
SHOWN_METHODS = ("fifo", "weighted_average", "lifo", "lifo_perpetual")


def text_of(markup: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def href_of(markup: str, key: str) -> str:
    m = re.search(
        rf'<a class="[^"]*stock-download-{key}[^"]*" download="[^"]+" href="([^"]+)"', markup
    )
    assert m, markup[:300]
    return m.group(1)


def assert_headline_equal(shown: dict, headline: pd.Series) -> None:
    assert set(headline.index) <= set(shown)
    for key, value in headline.items():
        if isinstance(value, float) and math.isnan(value):
            assert math.isnan(shown[key]), key
        else:
            assert shown[key] == pytest.approx(float(value), rel=1e-12), key


@pytest.fixture(scope="module")
def shipped():
    return wb.load_dataset("sample_data")


@pytest.fixture(scope="module")
def plan(shipped):
    return wb.plan(shipped)


@pytest.fixture(scope="module")
def panel(shipped, plan):
    return StockPanel(shipped, plan=plan)


@pytest.fixture(scope="module")
def small():
    return wb.sample_dataset(n_skus=80, years=1, seed=11)


def test_headline_is_the_weekly_review(panel, shipped, plan):
    panel.as_of.value = panel.as_of.options[0]
    review = wb.weekly_review(shipped, plan)
    assert panel.as_of.value == f"{shipped.demand_period[1]:%Y-%m-%d}" == "2026-10-31"
    assert panel.review.as_of == review.as_of
    assert_headline_equal(panel.headline, review.headline)
    assert panel.headline["stockout items"] == len(review.stockouts)
    assert panel.headline["as_of"] == "2026-10-31"
    cards = text_of(panel.cards.value)
    assert fmt_money(review.headline["stock value [$]"]) in cards
    assert fmt_money(review.headline["dead stock value [$]"]) in cards
    assert f"{100 * review.headline['fill rate, estimated [fraction]']:.1f} %" in cards
    assert f"{review.headline['turnover [turns/year]']:.1f} a year" in cards
    assert f"{review.headline['days of supply [days]']:.1f} days" in cards
    more = text_of(panel.more.value)
    assert f"Items to reorder {review.headline['items to reorder']}" in more
    # The review's own notes are shown; at the snapshot date no roll-back.
    assert "Stockouts are inferred" in text_of(panel.notes.value)
    assert "Stock on hand is the lots received on or before" in text_of(panel.notes.value)
    assert "rolled back from the lots" not in text_of(panel.notes.value)


def test_exception_tables_are_the_reviews(panel):
    panel.as_of.value = panel.as_of.options[0]
    review = panel.review
    for i, key in enumerate(EXCEPTIONS):
        table = getattr(review, key)
        assert panel.exceptions_tab.titles[i].endswith(f"({len(table)})")
        shown = panel.exception_html[key].value
        if len(table):
            first = table.index[0] if table.index.name == "sku" else table.iloc[0]["sku"]
            assert f"<td>{first}</td>" in shown, key
        else:
            assert "None as of" in shown
    # Empty shelves first, as the calculator sorts them.
    stockouts = review.stockouts
    assert stockouts["out_of_stock_now"].iloc[0]
    assert "sales at risk per day" in panel.exception_html["stockouts"].value


def test_exception_download_is_the_whole_table_as_csv(panel):
    panel.as_of.value = panel.as_of.options[0]
    for key in ("stockouts", "to_reorder", "dead_stock", "count_discrepancies", "expiring_lots"):
        table = getattr(panel.review, key)
        assert len(table) > 0, key  # the sample business has every kind of exception
        data = decode_data_uri(href_of(panel.exception_html[key].value, key))
        frame = pd.read_csv(io.BytesIO(data))
        assert len(frame) == len(table), key  # all rows, not just the ones shown
        skus = table.index if table.index.name == "sku" else table["sku"]
        assert frame["sku"].astype(str).tolist() == [str(s) for s in skus], key
    dead = pd.read_csv(io.BytesIO(exception_csv(panel.review.dead_stock)))
    assert_allclose(dead["on_hand_value"], panel.review.dead_stock["on_hand_value"], rtol=1e-12)
    assert (
        f'download="dead_stock_{panel.as_of.value}.csv"' in panel.exception_html["dead_stock"].value
    )


def test_as_of_moves_trait_text_and_figures(panel, shipped, plan):
    panel.as_of.value = panel.as_of.options[0]
    before = dict(panel.headline)
    cards_before = panel.cards.value
    aging_before = [np.array(t.y, float) for t in panel.aging_fig.data]
    hist_end_before = pd.Timestamp(panel.history_fig.data[0].x[-1])

    when = panel.as_of.options[8]  # eight weeks earlier
    titles: list[str] = []

    def seen(change):
        titles.append(change.new)

    panel.title.observe(seen, names="value")
    panel.as_of.value = when
    assert "Computing the review as of " + when in titles[0]  # shown while it runs
    assert "Computing" not in panel.title.value
    review = wb.weekly_review(shipped, plan, as_of=when)
    assert panel.headline["as_of"] == when
    assert_headline_equal(panel.headline, review.headline)
    assert panel.headline["stock value [$]"] != before["stock value [$]"]
    assert panel.cards.value != cards_before
    assert fmt_money(review.headline["stock value [$]"]) in text_of(panel.cards.value)
    # an earlier date: the stock is rolled back, and the notes say how (the review's)
    notes = text_of(panel.notes.value)
    assert f"Stock on hand at {when} is rolled back from the lots at the snapshot" in notes
    assert f"Aging and expiring lots at {when} are the lots still held" in notes
    assert all(html.escape(n) in panel.notes.value for n in review.notes)
    assert "one stock snapshot" not in notes  # the old caveat of the lots received by then

    # Aging bars: the calculator's value per type and bucket at that date.
    typed = shipped.lots.assign(
        inventory_type=shipped.lots["sku"]
        .astype(str)
        .map(shipped.items.set_index("sku")["inventory_type"].astype(str))
        .to_numpy()
    )
    aging = wb.stock_aging(typed, as_of=when, by="inventory_type")
    for trace, t in zip(panel.aging_fig.data, INVENTORY_TYPES, strict=True):
        assert_allclose(trace.y, aging.value.loc[t].to_numpy(float), rtol=1e-12)
    assert any(
        not np.allclose(a, np.array(t.y, float))
        for a, t in zip(aging_before, panel.aging_fig.data, strict=True)
    )
    # The review's own aging table agrees with the bars.
    assert_allclose(
        review.aging.reindex(list(INVENTORY_TYPES)).fillna(0.0).to_numpy(),
        np.array([t.y for t in panel.aging_fig.data], float),
        rtol=1e-12,
    )
    # History: the review's weekly stock value, now ending at the new date.
    hist = review.stock_value_history
    shown = [t for t in panel.history_fig.data if t.visible]
    assert {t.name for t in shown} == {"Raw material", "MRO supplies"}
    raw = panel.history_fig.data[INVENTORY_TYPES.index("raw_material")]
    assert_allclose(raw.y, hist["raw_material"].to_numpy(float), rtol=1e-12)
    assert pd.Timestamp(raw.x[-1]) < hist_end_before
    # Back to the latest date: cached (no "computing"), and the same numbers as at first.
    titles.clear()
    panel.as_of.value = panel.as_of.options[0]
    panel.title.unobserve(seen, names="value")
    assert not any("Computing" in t for t in titles)
    assert panel.headline == before


def test_aging_toggle_units(panel, shipped):
    panel.as_of.value = panel.as_of.options[0]
    panel.aging_measure.value = "units"
    try:
        aging = wb.stock_aging(
            shipped.lots.assign(
                inventory_type=shipped.lots["sku"]
                .astype(str)
                .map(shipped.items.set_index("sku")["inventory_type"].astype(str))
                .to_numpy()
            ),
            as_of="2026-10-31",
            by="inventory_type",
        )
        units = np.array([t.y for t in panel.aging_fig.data], float)
        assert_allclose(units.sum(), shipped.lots["quantity"].sum(), rtol=1e-12)
        assert_allclose(units[0], aging.units.loc["raw_material"].to_numpy(float), rtol=1e-12)
        assert panel.aging_fig.layout.yaxis.title.text == "units"
    finally:
        panel.aging_measure.value = "value"
    value = np.array([t.y for t in panel.aging_fig.data], float)
    assert_allclose(value.sum(), panel.headline["stock value [$]"], rtol=1e-9)


def test_valuation_side_by_side(panel, shipped):
    labels = list(panel.period.options)
    assert labels[0].startswith("Last 12 months (2025-11-01 to 2026-10-31)")
    panel.period.value = labels[0]
    mv = wb.period_movements(shipped, start="2025-11-01", end="2026-10-31")
    cmp = wb.compare_valuation(mv.purchases, mv.issues, opening=mv.opening, methods=SHOWN_METHODS)
    pd.testing.assert_frame_equal(panel.valuation.totals, cmp.totals)
    markup = panel.valuation_html.value
    for m in SHOWN_METHODS:
        for col in ("cogs", "closing_value"):
            cell = re.search(rf"stock-val-{col}-{m}'>([^<]+)<", markup).group(1)
            assert cell == fmt_money(cmp.totals.loc[m, col])
    assert html.escape(cmp.explanation) in markup
    assert "ends on 2026-10-31, the date of the stock on hand" in markup
    # Opening + purchases = COGS + closing for every method (the calculator's invariant).
    t = panel.valuation.totals
    assert_allclose(t["opening_value"] + t["purchases_value"], t["cogs"] + t["closing_value"])

    panel.period.value = labels[2]  # last 3 months
    start, end = valuation_periods(shipped)[labels[2]]
    assert (start, end) == (pd.Timestamp("2026-08-01"), pd.Timestamp("2026-10-31"))
    mv3 = wb.period_movements(shipped, start=start, end=end)
    cmp3 = wb.compare_valuation(
        mv3.purchases, mv3.issues, opening=mv3.opening, methods=SHOWN_METHODS
    )
    pd.testing.assert_frame_equal(panel.valuation.totals, cmp3.totals)
    assert fmt_money(cmp3.totals.loc["fifo", "cogs"]) in panel.valuation_html.value
    assert panel.valuation_html.value != markup
    panel.period.value = labels[0]


def test_valuation_shows_perpetual_lifo(panel, shipped):
    labels = list(panel.period.options)
    panel.period.value = labels[0]  # last 12 months, 2025-11-01 to 2026-10-31
    mv = wb.period_movements(shipped, start="2025-11-01", end="2026-10-31")
    want = wb.inventory_valuation(
        mv.purchases, mv.issues, opening=mv.opening, method="lifo_perpetual"
    )[["cogs", "closing_value"]].sum()
    markup = panel.valuation_html.value
    for col in ("cogs", "closing_value"):
        cell = re.search(rf"stock-val-{col}-lifo_perpetual'>([^<]+)<", markup).group(1)
        assert cell == fmt_money(want[col])
        assert_allclose(panel.valuation.totals.loc["lifo_perpetual", col], want[col], rtol=1e-12)
    # on the sample data it is a figure of its own, not the periodic one under a new name
    periodic = panel.valuation.totals.loc["lifo", "cogs"]
    assert fmt_money(periodic) != fmt_money(want["cogs"])
    # the columns are the methods of METHOD_LABELS, and the heading lists exactly those
    assert tuple(METHOD_LABELS) == SHOWN_METHODS
    assert list(panel.valuation.totals.index) == list(SHOWN_METHODS)
    heads = re.findall(r"<th>([^<]+)</th>", markup.split("</thead>")[0])
    assert heads == ["FIFO", "Weighted average", "Periodic LIFO", "Perpetual LIFO"]
    assert text_of(panel.valuation_title.value).strip() == (
        "Valuation: FIFO, weighted average, periodic LIFO and perpetual LIFO"
    )
    assert valuation_heading(("FIFO",)) == "Valuation: FIFO"
    assert valuation_heading(("FIFO", "Moving average")) == "Valuation: FIFO and moving average"


def test_plan_and_dataset_changes(shipped, small):
    p = StockPanel(small)  # no plan: the review's fallback
    assert math.isnan(p.headline["excess value [$]"])
    assert_headline_equal(p.headline, wb.weekly_review(small).headline)
    assert "no plan" in p.title.value
    small_plan = wb.plan(small)
    p.set_plan(small_plan)
    assert "no plan" not in p.title.value
    assert_headline_equal(p.headline, wb.weekly_review(small, small_plan).headline)
    assert not math.isnan(p.headline["excess value [$]"])
    p.set_dataset(shipped)  # the plan was for other SKUs: dropped until a new one comes
    assert p.headline["SKUs"] == len(shipped.items) == 250
    assert math.isnan(p.headline["excess value [$]"])
    assert p.as_of.options[0] == "2026-10-31" and len(p.as_of.options) > 1
    p.set_plan(small_plan)  # a plan for other SKUs is ignored
    assert math.isnan(p.headline["excess value [$]"])


def test_as_of_and_period_choices(shipped, small):
    days = as_of_options(shipped)
    assert days[0] == "2026-10-31" and days[1] == "2026-10-24"
    # Every date has a whole year of history before it.
    assert pd.Timestamp(days[-1]) - pd.Timedelta(days=364) >= shipped.demand_period[0]
    assert pd.Timestamp(days[-1]) - pd.Timedelta(days=371) < shipped.demand_period[0]
    assert as_of_options(small) == [f"{small.demand_period[1]:%Y-%m-%d}"]  # one year only
    periods = valuation_periods(small)
    assert all(end == small.demand_period[1] for _, end in periods.values())
    assert all(start >= small.demand_period[0] for start, _ in periods.values())


def test_dataset_without_lots_greys_the_tab_out(small):
    bare = wb.Dataset.from_tables({"items": small.items, "demand": small.demand}, source="no lots")
    d = Dashboard(bare)
    i = [s.title for s in d.specs].index("Stock & review")
    assert d.tab.titles[i] == "Stock & review (n/a)"
    assert d.tab.titles[i + 1] == "Replenishment (n/a)"  # it needs the lots too
    assert d.tab.titles[-1] == "Scenarios"
    assert "needs the lots table" in d.panels["Stock & review"].value
    d.dataset = small  # lots arrive: the panel is built, with the dashboard's plan
    panel = d.panels["Stock & review"]
    assert d.tab.titles[i] == "Stock & review"
    assert isinstance(panel, StockPanel)
    assert_headline_equal(panel.headline, wb.weekly_review(small, d.plan).headline)


def test_exception_csv_writes_no_live_formula():
    """Before: a SKU or location such as =cmd|' /C calc'!A0 came out of the stock tab's
    CSV downloads as a live formula."""
    table = pd.DataFrame(
        {"location": ["=cmd|' /C calc'!A0", "@SUM(A1)"], "on_hand_value": [-5.0, 3.0]},
        index=pd.Index(['=HYPERLINK("http://x","a")', "B-2"], name="sku"),
    )
    text = exception_csv(table).decode("utf-8")
    assert text.splitlines() == [
        "sku,location,on_hand_value",
        '"\'=HYPERLINK(""http://x"",""a"")",\'=cmd|\' /C calc\'!A0,-5.0',
        "B-2,'@SUM(A1),3.0",
    ]
