"""The ABC / XYZ panel headless: cut-offs and criterion move the classes, counts, chart
and tables exactly as wb.abc_classify / xyz_classify / abc_xyz_matrix say."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.ui.abc_panel import ABCPanel, criterion_values
from workbench.ui.eoq_panel import sku_table


def text_of(markup: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


@pytest.fixture(scope="module")
def shipped():
    return wb.load_dataset("sample_data")


@pytest.fixture(scope="module")
def items(shipped):
    return sku_table(shipped)


@pytest.fixture
def panel(shipped):
    return ABCPanel(shipped)


def expected_counts(items, criterion, cutoffs):
    abc = wb.abc_classify(criterion_values(items, criterion), cutoffs=cutoffs)
    return abc["class"].value_counts().reindex(["A", "B", "C"]).astype(int).to_dict()


def shown_counts(panel) -> dict:
    return {
        c: int(
            re.search(
                rf"abc-count-{c}'><b>{c}</b>: <span class='abc-n'>(\d+)<", panel.summary.value
            ).group(1)
        )
        for c in "ABC"
    }


def test_default_classes_are_the_plans(panel, shipped):
    plan = wb.plan(shipped)
    assert panel.counts == plan["abc"].astype(str).value_counts().to_dict()
    assert shown_counts(panel) == panel.counts
    res = panel.result.set_index("sku")
    pd.testing.assert_series_equal(
        res["class"],
        plan["abc"].astype(str).rename("class"),
        check_index_type=False,
        check_dtype=False,
    )


def test_moving_the_a_cutoff_changes_counts_text_and_chart(panel, items):
    before = dict(panel.counts)
    bars_a = len(panel.fig.data[0].x)
    panel.cutoff_a.value = 0.6
    exp = expected_counts(items, "value", (0.6, 0.95))
    assert panel.counts == exp and panel.counts != before
    assert shown_counts(panel) == exp
    assert len(panel.fig.data[0].x) == exp["A"] < bars_a
    assert_allclose(panel.fig.data[4].y, [0.6, 0.6])
    # Bars are the criterion by rank; the line is the cumulative share, ending at 1.
    ranked = panel.result.sort_values("rank")
    assert_allclose(panel.fig.data[3].y, ranked["cumulative_share"])
    assert panel.fig.data[3].y[-1] == pytest.approx(1.0)
    a = ranked[ranked["class"] == "A"]
    assert_allclose(panel.fig.data[0].y, a["criterion"])


def test_b_cutoff_and_the_a_lt_b_rule(panel, items):
    panel.cutoff_b.value = 0.9
    assert panel.counts == expected_counts(items, "value", (0.8, 0.9))
    panel.cutoff_a.value = 0.92  # past B: B is pushed up to keep A < B
    assert panel.cutoff_b.value == pytest.approx(0.93)
    assert panel.counts == expected_counts(items, "value", (0.92, 0.93))
    panel.cutoff_b.value = 0.5  # below A: A is pushed down
    assert panel.cutoff_a.value == pytest.approx(0.49)
    assert panel.counts == expected_counts(items, "value", (0.49, 0.5))


@pytest.mark.parametrize("criterion", ["units", "margin"])
def test_criterion(panel, items, criterion):
    panel.criterion.value = criterion
    assert panel.counts == expected_counts(items, criterion, (0.8, 0.95))
    assert_allclose(panel.result.set_index("sku")["criterion"], criterion_values(items, criterion))


def test_criterion_values_by_hand():
    items = pd.DataFrame(
        {
            "annual_demand": [100.0, 10.0, 5.0],
            "unit_cost": [2.0, 50.0, np.nan],
            "price": [3.0, 40.0, 9.0],
        },
        index=["a", "b", "c"],
    )
    assert criterion_values(items, "value").tolist() == [200.0, 500.0, 0.0]
    assert criterion_values(items, "units").tolist() == [100.0, 10.0, 5.0]
    assert criterion_values(items, "margin").tolist() == [100.0, 0.0, 0.0]  # loss, no cost
    with pytest.raises(ValueError, match="criterion must be one of"):
        criterion_values(items, "hits")


def test_margin_is_offered_only_with_prices(shipped):
    items = shipped.items.assign(price=np.nan)
    ds = wb.Dataset.from_tables({"items": items, "demand": shipped.demand}, source="no price")
    p = ABCPanel(ds)
    assert [v for _, v in p.criterion.options] == ["value", "units"]


def test_matrix_and_policy(panel, items):
    panel.cutoff_a.value = 0.7
    values = criterion_values(items, "value")
    abc = wb.abc_classify(values, cutoffs=(0.7, 0.95))
    xyz = wb.xyz_classify(items["cv"])
    m = wb.abc_xyz_matrix(abc["class"], xyz, values)
    pd.testing.assert_frame_equal(panel.matrix, m)
    text = text_of(panel.matrix_html.value)
    n_ax = int(m.loc[("A", "X"), "count"])
    assert f"{n_ax} items" in text
    # Cycle counts and service targets are the calculators' per class.
    freq = wb.cycle_count_frequency(abc["class"])
    assert_allclose(panel.result["counts_per_year"].sum(), freq.sum())
    assert "98 %" in panel.policy_html.value and "counts a year" in panel.policy_html.value


def test_table_sort_and_filter(panel):
    panel.filter.value = "B"
    shown = panel.shown_table()
    assert set(shown["class"]) == {"B"} and len(shown) == panel.counts["B"]
    assert shown["rank"].is_monotonic_increasing
    first_b = shown["sku"].iloc[0]
    assert first_b in panel.table.value
    panel.sort.value = "cv"
    shown = panel.shown_table()
    assert shown["cv"].dropna().is_monotonic_decreasing
    assert shown["sku"].iloc[0] in panel.table.value
    panel.filter.value = "all"
    panel.sort.value = "sku"
    assert panel.shown_table()["sku"].is_monotonic_increasing


def test_set_dataset_reclassifies(panel):
    small = wb.sample_dataset(n_skus=80, years=1, seed=3)
    panel.set_dataset(small)
    assert sum(panel.counts.values()) == 80
    assert len(panel.fig.data[3].x) == 80
    assert panel.counts == expected_counts(sku_table(small), "value", panel.cutoffs)


def test_set_plan_takes_the_scenarios_cutoffs(panel, shipped, items):
    panel.set_plan(wb.plan(shipped, wb.Scenario(abc_cutoffs=(0.7, 0.9))))
    assert panel.cutoffs == (0.7, 0.9)
    assert panel.counts == expected_counts(items, "value", (0.7, 0.9))
    panel.set_plan(None)  # nothing to take
    assert panel.cutoffs == (0.7, 0.9)
