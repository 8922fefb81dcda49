"""Tests for workbench.stock.audit: count audit and cycle-count plan."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from workbench.stock.audit import count_audit, cycle_count_plan

DAY = pd.Timestamp("2026-10-31")

# Records: a (A item, $10) 100 in main + 20 in back; b (B, $2) 50 in main;
# c (C, $1) 200 in main, of which a lot of 30 was received after the count.
LOTS = pd.DataFrame(
    {
        "sku": ["a", "a", "b", "c", "c"],
        "location": ["main", "back", "main", "main", "main"],
        "quantity": [100.0, 20.0, 50.0, 170.0, 30.0],
        "unit_cost": [10.0, 10.0, 2.0, 1.0, 1.0],
        "received_date": pd.to_datetime(
            ["2026-09-01", "2026-09-01", "2026-10-01", "2026-08-01", "2026-11-05"]
        ),
    }
)
# Count: a/main 99 (-1), a/back 20 (ok), b/main 49 (-1, 2 %), c/main 180 (+10 vs 170),
# d/main 4 found with no record.
COUNTS = pd.DataFrame(
    {
        "count_date": DAY,
        "sku": ["a", "a", "b", "c", "d"],
        "location": ["main", "back", "main", "main", "main"],
        "counted_qty": [99.0, 20.0, 49.0, 180.0, 4.0],
    }
)
CLASSES = pd.Series({"a": "A", "b": "B", "c": "C", "d": "C"})
COST = pd.Series({"a": 10.0, "b": 2.0, "c": 1.0, "d": 3.0})


def test_lines_by_hand():
    audit = count_audit(COUNTS, LOTS, unit_cost=COST, classes=CLASSES)
    lines = audit.lines.set_index(["sku", "location"])
    assert_allclose(
        lines["system_qty"].loc[[("a", "main"), ("a", "back"), ("b", "main"), ("c", "main")]],
        [100, 20, 50, 170],  # the lot received on 5 Nov is not in the 31 Oct records
    )
    assert_allclose(lines.loc[("d", "main"), "system_qty"], 0.0)
    assert_allclose(lines["variance_units"].sum(), -1 + 0 - 1 + 10 + 4)
    assert_allclose(lines["abs_variance_units"].sum(), 1 + 0 + 1 + 10 + 4)
    assert_allclose(lines.loc[("a", "main"), "variance_value"], -10.0)
    assert_allclose(lines.loc[("d", "main"), "variance_value"], 12.0)


def test_summary_and_accuracy_with_default_class_tolerances():
    # A 0.2 %: a/main 1/100 = 1 % out, a/back exact in; B 1 %: b 1/50 = 2 % out;
    # C 5 %: c 10/170 = 5.9 % out; d no record, found 4: out. Accurate: 1 of 5.
    audit = count_audit(COUNTS, LOTS, unit_cost=COST, classes=CLASSES)
    s = audit.summary
    assert s["lines"] == 5
    assert s["lines_within_tolerance"] == 1
    assert_allclose(s["record_accuracy"], 0.2)
    assert_allclose(s["net_variance_value"], -10 - 2 + 10 + 12)
    assert_allclose(s["abs_variance_value"], 10 + 2 + 10 + 12)
    assert_allclose(s["system_value"], 1000 + 200 + 100 + 170)
    assert_allclose(s["abs_variance_share"], 34 / 1470)
    assert_allclose(audit.by_class.loc["A", "record_accuracy"], 0.5)
    assert_allclose(audit.by_class.loc["C", "lines"], 2)


def test_custom_tolerance_by_class_and_single_tolerance():
    audit = count_audit(
        COUNTS, LOTS, unit_cost=COST, classes=CLASSES, tolerance={"A": 0.01, "B": 0.02, "C": 0.06}
    )
    # a/main 1 % in, a/back in, b 2 % in, c 5.9 % in, d out
    assert_allclose(audit.summary["record_accuracy"], 0.8)
    exact = count_audit(COUNTS, LOTS, unit_cost=COST)
    assert_allclose(exact.summary["record_accuracy"], 0.2)
    assert list(exact.by_class.index) == ["all"]


def test_largest_and_adjustments():
    audit = count_audit(COUNTS, LOTS, unit_cost=COST, classes=CLASSES, top=2)
    # d ($12) first; a (-$10) and c (+$10) tie, kept in line order
    assert list(audit.largest["sku"]) == ["d", "a"]
    assert_allclose(audit.largest["abs_variance_value"], [12.0, 10.0])
    adj = audit.adjustments.set_index("sku")
    assert sorted(adj.index) == ["a", "b", "c", "d"]  # a/back matches: no entry
    assert adj.loc["b", "direction"] == "write-off"
    assert adj.loc["c", "direction"] == "write-on"
    assert_allclose(adj["adjustment_value"].sum(), audit.summary["net_variance_value"])
    # the records are untouched
    assert_allclose(LOTS["quantity"], [100, 20, 50, 170, 30])


def test_default_cost_is_lot_average_and_nan_without_lots():
    audit = count_audit(COUNTS, LOTS)
    lines = audit.lines.set_index("sku")
    assert_allclose(lines.loc["b", "unit_cost"], 2.0)
    assert np.isnan(lines.loc["d", "unit_cost"])


def test_classes_from_a_plan_frame():
    plan = pd.DataFrame({"abc": ["A", "B", "C", "C"]}, index=pd.Index(list("abcd"), name="sku"))
    audit = count_audit(COUNTS, LOTS, unit_cost=COST, classes=plan)
    assert list(audit.lines["abc"]) == ["A", "A", "B", "C", "C"]


def test_empty_count():
    audit = count_audit(COUNTS.iloc[:0], LOTS)
    assert audit.summary["lines"] == 0
    assert np.isnan(audit.summary["record_accuracy"])
    assert audit.adjustments.empty


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"counts must have columns .*counted_qty"):
        count_audit(COUNTS.drop(columns="counted_qty"), LOTS)
    with pytest.raises(ValueError, match=r"counted_qty must be a number >= 0 \[units\]"):
        count_audit(COUNTS.assign(counted_qty=-1.0), LOTS)
    with pytest.raises(ValueError, match=r"tolerance by class needs classes"):
        count_audit(COUNTS, LOTS, tolerance={"A": 0.1})
    with pytest.raises(ValueError, match=r"tolerance has no entry for class\(es\) \['C'\]"):
        count_audit(COUNTS, LOTS, classes=CLASSES, tolerance={"A": 0.1, "B": 0.1})
    with pytest.raises(ValueError, match=r"tolerance must be >= 0 \[fraction of recorded qty\]"):
        count_audit(COUNTS, LOTS, tolerance=-0.1)
    with pytest.raises(ValueError, match=r"top must be a whole number >= 0"):
        count_audit(COUNTS, LOTS, top=-1)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=20))
def test_net_and_absolute_variance(rows):
    system, counted = zip(*rows, strict=True)
    skus = [f"s{i}" for i in range(len(rows))]
    lots = pd.DataFrame(
        {"sku": skus, "location": "x", "quantity": np.asarray(system, float), "unit_cost": 2.0}
    )
    counts = pd.DataFrame(
        {"count_date": DAY, "sku": skus, "location": "x", "counted_qty": np.asarray(counted, float)}
    )
    audit = count_audit(counts, lots[lots["quantity"] > 0], unit_cost=pd.Series(2.0, index=skus))
    diff = np.asarray(counted, float) - np.asarray(system, float)
    assert_allclose(audit.summary["net_variance_units"], diff.sum())
    assert_allclose(audit.summary["abs_variance_units"], np.abs(diff).sum())
    assert abs(audit.summary["net_variance_value"]) <= audit.summary["abs_variance_value"] + 1e-9
    assert_allclose(audit.summary["record_accuracy"], np.mean(diff == 0))


# --- cycle-count plan -------------------------------------------------------------------


def test_cycle_count_plan_default_frequencies_and_spacing():
    classes = pd.Series(["A"] * 10 + ["B"] * 20 + ["C"] * 40, index=[f"i{k}" for k in range(70)])
    plan = cycle_count_plan(classes, start="2027-01-04")
    per_sku = plan.groupby("sku").size()
    assert (per_sku[classes.index[:10]] == 12).all()
    assert (per_sku[classes.index[10:30]] == 4).all()
    assert (per_sku[classes.index[30:]] == 1).all()
    assert len(plan) == 120 + 80 + 40
    # only working days, inside the year
    assert (plan["date"].dt.day_of_week < 5).all()
    assert plan["date"].min() >= pd.Timestamp("2027-01-04")
    assert plan["date"].max() <= pd.Timestamp("2028-01-03")
    # level workload: 240 counts over the working days, each day floor or ceil of the mean
    days = plan.attrs["working_days"]
    load = (
        plan.groupby("date")
        .size()
        .reindex(pd.bdate_range("2027-01-04", "2028-01-03"), fill_value=0)
    )
    assert len(load) == days
    assert load.max() - load.min() <= 1
    # an A item's counts are about a month apart (21-22 working days)
    a_dates = plan.loc[plan["sku"] == "i0", "date"].sort_values()
    gaps = np.diff(np.searchsorted(load.index, a_dates))
    assert gaps.min() >= 19 and gaps.max() <= 24


def test_cycle_count_plan_holidays_custom_counts_and_horizon():
    classes = pd.Series({"x": "A", "y": "C"})
    plan = cycle_count_plan(
        classes,
        start="2027-01-01",
        end="2027-03-31",
        counts_per_year={"A": 24, "C": 4},
        holidays=["2027-01-01"],
    )
    # a quarter: A 24/yr -> 6 counts, C 4/yr -> 1 count
    assert plan.groupby("sku").size().to_dict() == {"x": 6, "y": 1}
    assert pd.Timestamp("2027-01-01") not in set(plan["date"])
    assert plan["count_number"].max() == 6


def test_cycle_count_plan_bad_inputs():
    classes = pd.Series({"x": "A", "y": "Q"})
    with pytest.raises(ValueError, match=r"'Q'|Q"):
        cycle_count_plan(classes, start="2027-01-04")
    with pytest.raises(ValueError, match=r"end must be on or after start"):
        cycle_count_plan(pd.Series({"x": "A"}), start="2027-01-04", end="2027-01-01")
    with pytest.raises(ValueError, match=r"no working days"):
        cycle_count_plan(pd.Series({"x": "A"}), start="2027-01-02", end="2027-01-03")
    with pytest.raises(ValueError, match=r"counts per year for 'A' must be >= 0"):
        cycle_count_plan(pd.Series({"x": "A"}), start="2027-01-04", counts_per_year={"A": -1})


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 30), st.integers(0, 60), st.integers(1, 120))
def test_cycle_count_plan_is_level_and_complete(n_a, n_b, n_c):
    labels = ["A"] * n_a + ["B"] * n_b + ["C"] * n_c
    classes = pd.Series(labels, index=[f"i{k}" for k in range(len(labels))])
    plan = cycle_count_plan(classes, start="2027-01-04")
    assert len(plan) == 12 * n_a + 4 * n_b + n_c
    days = pd.bdate_range("2027-01-04", "2028-01-03")
    load = plan.groupby("date").size().reindex(days, fill_value=0)
    assert load.max() - load.min() <= 1
    # every item's counts are numbered 1..n without gaps
    numbers = plan.groupby("sku")["count_number"].agg(["min", "max", "size"])
    assert (numbers["min"] == 1).all() and (numbers["max"] == numbers["size"]).all()


def test_a_count_row_without_location_counts_the_sku_at_every_location():
    # issue 15 defect 3: the location column is optional; a row without one was dropped
    counts = COUNTS.astype({"location": object})
    counts.loc[0, "location"] = None  # a: 118 counted over main and back (120 on record)
    counts.loc[0, "counted_qty"] = 118.0
    counts = counts.drop(index=1)  # the a/back row is in the 118
    audit = count_audit(counts, LOTS, unit_cost=COST, classes=CLASSES)
    assert len(audit.lines) == 4
    a = audit.lines[audit.lines["sku"] == "a"].iloc[0]
    assert pd.isna(a["location"])
    assert_allclose([a["system_qty"], a["variance_units"]], [120.0, -2.0])
    assert audit.adjustments["sku"].tolist().count("a") == 1


def test_counts_and_lots_without_a_location_column():
    by_sku = COUNTS.drop(columns="location").groupby(["count_date", "sku"], as_index=False).sum()
    audit = count_audit(by_sku, LOTS.drop(columns="location"), unit_cost=COST)
    lines = audit.lines.set_index("sku")
    assert_allclose(lines.loc[["a", "b", "c", "d"], "system_qty"], [120, 50, 170, 0])
    assert_allclose(lines.loc[["a", "b", "c", "d"], "counted_qty"], [119, 49, 180, 4])
    assert lines["location"].isna().all()
    assert_allclose(audit.summary["lines"], 4)


def test_lots_without_location_are_reported_not_dropped_against_located_counts():
    lots = LOTS.astype({"location": object})
    lots.loc[1, "location"] = None  # a's 20 in "back" lose their location
    audit = count_audit(COUNTS, lots, unit_cost=COST, classes=CLASSES)
    lines = audit.lines.set_index(["sku", "location"])
    assert_allclose(lines.loc[("a", "back"), "system_qty"], 0.0)
    assert_allclose(audit.summary["unlocated_record_units"], 20.0)
    assert_allclose(count_audit(COUNTS, LOTS).summary["unlocated_record_units"], 0.0)


def test_count_rows_without_date_or_sku_raise():
    bad = COUNTS.astype({"sku": object})
    bad.loc[2, "sku"] = None
    with pytest.raises(ValueError, match=r"counts.sku must not be blank.*row\(s\) \[2\]"):
        count_audit(bad, LOTS)
    bad = COUNTS.copy()
    bad["count_date"] = bad["count_date"].where(bad.index != 3)
    with pytest.raises(ValueError, match=r"counts.count_date must be a date.*row\(s\) \[3\]"):
        count_audit(bad, LOTS)
