"""Each SKU's statistics over its own history window, and short-history flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.data import Dataset, demand_stats

DAYS = pd.date_range("2022-01-01", "2025-12-31")  # four years


def _dataset(
    rows: dict[str, pd.Series], items_extra: dict | None = None, frequency: str | None = None
) -> Dataset:
    demand = pd.concat(
        [
            pd.DataFrame({"date": s.index, "sku": sku, "quantity": s.to_numpy()})
            for sku, s in rows.items()
        ]
    )
    items = pd.DataFrame(
        {
            "sku": list(rows),
            "unit_cost": 1.0,
            "inventory_type": "finished_good",
            "lead_time_days": 7.0,
            **(items_extra or {}),
        }
    )
    ds = Dataset.from_tables({"items": items, "demand": demand})
    return ds if frequency is None else ds.with_frequency(frequency)


def _steady(start: str, end: str = "2025-12-31", rate: float = 10.0) -> pd.Series:
    days = pd.date_range(start, end)
    return pd.Series(rate, index=days)


@pytest.mark.parametrize("freq", [None, "W", "M"])
def test_item_launched_late_gets_its_real_annual_demand(freq):
    """Sold 10 a day from 2025-01-01 in a file from 2022: 3,650 a year, not a quarter."""
    ds = _dataset({"old": _steady("2022-01-01"), "new": _steady("2025-01-01")}, frequency=freq)
    s = demand_stats(ds)
    # days: exactly 3,650. Weeks: the new item's 53 weeks, Monday 2024-12-30 to Sunday
    # 2026-01-04, hold 365 of its 371 days (the file starts on a Wednesday and ends on a
    # Wednesday): 1.6 % less; months: 365.25-day years, 0.07 %
    tol = {None: 1e-12, "W": 0.02, "M": 1e-3}[freq]
    assert_allclose(s["annual_demand"], 3650.0, rtol=tol)
    assert s.loc["new", "window_start"] <= pd.Timestamp("2025-01-01")
    assert s.loc["new", "n_days"] < 372 and s.loc["old", "n_days"] >= 1461
    assert not s["short_history"].any()
    p = wb.plan(ds)
    assert_allclose(p.loc["new", "annual_demand"], p.loc["old", "annual_demand"], rtol=tol)


def test_window_from_introduced_and_to_discontinued():
    rows = {
        "intro": _steady("2025-01-01"),  # sold from 2025 but introduced mid-2024
        "gone": _steady("2022-01-01", "2023-12-31"),  # discontinued at the end of 2023
        "plain": _steady("2022-01-01"),
    }
    extra = {
        "introduced": pd.to_datetime(["2024-07-01", None, None]),
        "discontinued": pd.to_datetime([None, "2023-12-31", None]),
    }
    s = demand_stats(_dataset(rows, extra))
    assert s.loc["intro", "window_start"] == pd.Timestamp("2024-07-01")
    assert_allclose(s.loc["intro", "annual_demand"], 3650 * 365 / (365 + 184), rtol=1e-12)
    assert s.loc["gone", "window_end"] == pd.Timestamp("2023-12-31")
    assert_allclose(s.loc["gone", "annual_demand"], 3650.0, rtol=1e-12)  # not halved
    assert_allclose(s.loc["plain", "annual_demand"], 3650.0, rtol=1e-12)


def test_slow_mover_window_starts_one_interval_before_its_first_sale():
    """A sale every 10 days: one sold from the data's first day (day 7) keeps the whole
    period (7 - 9 is clipped to the start); one first sold on day 100 starts 9 days before
    its first sale, on day 91 (not on day 100, which would inflate its mean)."""
    a = pd.Series(1.0, index=DAYS[7::10])
    b = pd.Series(1.0, index=DAYS[100::10])
    s = demand_stats(_dataset({"a": a, "b": b}))
    assert s.loc["a", "window_start"] == DAYS[7]
    assert s.loc["b", "window_start"] == DAYS[91]
    assert_allclose(s["mean_interval_days"], 10.0)
    assert_allclose(s["daily_mean"], [len(a) / (len(DAYS) - 7), len(b) / (len(DAYS) - 91)])


def test_short_history_flags_and_notes():
    weeks = pd.date_range("2025-01-06", "2025-12-29", freq="7D")  # Mondays
    rows = {
        "steady": pd.Series(5.0, index=weeks),
        "young": pd.Series(5.0, index=weeks[-3:]),  # only its last three weeks
        "rare": pd.Series([4.0, 6.0], index=weeks[[5, 30]]),  # two sales in a year
        "none": pd.Series([0.0], index=weeks[[2]]),  # a row, but no demand
    }
    ds = _dataset(rows)
    assert ds.demand_frequency == "W"
    s = demand_stats(ds)
    assert s["short_history"].tolist() == [False, True, True, True]
    assert s.loc["steady", "history_note"] == ""
    assert s.loc["young", "history_note"] == (
        "only 3 weeks of history (since 2025-12-15); only 3 weeks with demand"
    )
    assert s.loc["rare", "history_note"] == "only 2 weeks with demand"
    assert s.loc["none", "history_note"] == "no demand in the history"
    assert s.loc["none", "n_buckets"] == len(weeks)  # the whole period, at zero
    assert s.loc["none", "annual_demand"] == 0.0
    p = wb.plan(ds)
    assert p["short_history"].tolist() == [False, True, True, True]
    assert p.loc["young", "history_note"].startswith("only 3 weeks of history")
    assert (p["demand_bucket"] == "W").all()


def test_introduced_and_discontinued_load_from_items_file(tmp_path):
    ds = _dataset(
        {"a": _steady("2025-01-01")},
        {"introduced": ["2024-07-01"], "discontinued": [None]},
    )
    assert ds.items["introduced"].dtype.kind == "M"
    back = wb.load_dataset(ds.to_folder(tmp_path / "x"))
    assert back.items.loc[0, "introduced"] == pd.Timestamp("2024-07-01")
    assert pd.isna(back.items.loc[0, "discontinued"])


def test_bucketed_stats_stay_vectorised():
    """No loop over SKUs: the Python calls made for 20,000 SKUs x 52 weeks are those made
    for 200 (bincounts and group reductions). Counted, not timed, so load cannot fail it;
    the speed itself is in benchmarks/bench_data.py."""
    import sys

    def weekly(n: int) -> pd.DataFrame:
        rng = np.random.default_rng(0)
        weeks = pd.date_range("2025-01-06", periods=52, freq="7D")
        return pd.DataFrame(
            {
                "date": np.repeat(weeks, n),
                "sku": np.tile(np.arange(n).astype(str), 52),
                "quantity": rng.poisson(3.0, n * 52).astype(float),
            }
        )

    def python_calls(demand: pd.DataFrame) -> tuple[int, pd.DataFrame]:
        calls = 0

        def count(frame, event, arg):
            nonlocal calls
            calls += event == "call"

        sys.setprofile(count)
        try:
            out = demand_stats(demand, frequency="W")
        finally:
            sys.setprofile(None)
        return calls, out

    n = 20_000
    python_calls(weekly(50))  # first-call imports and caches
    small, _ = python_calls(weekly(200))
    large, s = python_calls(weekly(n))
    assert large < small + 200, (small, large)
    assert len(s) == n and (s["bucket"] == "W").all()
