"""Tests for workbench.policy.demand_class: SBC classes, bucketing, ADI and CV^2."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.policy import (
    ADI_CUTOFF,
    CV2_CUTOFF,
    BucketDemand,
    bucket_demand,
    demand_class,
    demand_pattern,
)


# ----------------------------------------------------------------------------- demand_class
@pytest.mark.parametrize(
    ("adi", "cv2", "expected"),
    [
        # The four regions of Syntetos, Boylan and Croston (2005), JORS 56(5), fig. 2, at
        # the points where tsintermittent's idclass(type="SBC", outplot="summary") prints
        # the class names: text(1.16, 0.25, "Smooth"), (1.16, 0.75, "Erratic"),
        # (1.48, 0.25, "Intermittent"), (1.48, 0.75, "Lumpy").
        (1.16, 0.25, "smooth"),
        (1.16, 0.75, "erratic"),
        (1.48, 0.25, "intermittent"),
        (1.48, 0.75, "lumpy"),
        # every bucket with demand, constant sizes: the origin of the plane
        (1.0, 0.0, "smooth"),
    ],
)
def test_demand_class_published_regions(adi, cv2, expected):
    assert demand_class(adi, cv2) == expected


def test_demand_class_boundaries_fall_on_the_smooth_side():
    # tsintermittent's idclass uses SBA where p > 1.32 | CV^2 > 0.49: the cut-offs
    # themselves are smooth; the next float up crosses.
    up_adi = np.nextafter(ADI_CUTOFF, 2.0)
    up_cv2 = np.nextafter(CV2_CUTOFF, 1.0)
    got = demand_class(
        [ADI_CUTOFF, up_adi, ADI_CUTOFF, up_adi], [CV2_CUTOFF, CV2_CUTOFF, up_cv2, up_cv2]
    )
    assert got.tolist() == ["smooth", "intermittent", "erratic", "lumpy"]


def test_demand_class_custom_cutoffs_and_nan():
    assert demand_class(1.4, 0.3, adi_cutoff=1.5) == "smooth"
    assert demand_class(1.2, 0.3, cv2_cutoff=0.2) == "erratic"
    assert demand_class([np.nan, 2.0], [0.1, np.nan]).tolist() == ["none", "none"]


def test_demand_class_series_in_series_out():
    idx = pd.Index(["a", "b"], name="sku")
    out = demand_class(pd.Series([1.0, 3.0], index=idx), pd.Series([1.0, 0.1], index=idx))
    assert isinstance(out, pd.Series)
    assert out.index.equals(idx)
    assert out.tolist() == ["erratic", "intermittent"]


def test_demand_class_rejects_bad_cutoff():
    with pytest.raises(ValueError, match=r"adi_cutoff must be > 0 \[buckets\]; got -1"):
        demand_class(1.0, 0.1, adi_cutoff=-1.0)
    with pytest.raises(ValueError, match="cv2_cutoff must be > 0"):
        demand_class(1.0, 0.1, cv2_cutoff=0.0)


# ----------------------------------------------------------------------------- bucket_demand
def _long(rows):
    return pd.DataFrame(rows, columns=["date", "sku", "quantity"]).assign(
        date=lambda d: pd.to_datetime(d["date"])
    )


def test_bucket_demand_window_starts_at_first_demand_and_sums_duplicates():
    d = _long(
        [
            ("2026-01-01", "A", 2.0),
            ("2026-01-01", "A", 1.0),  # same day: summed
            ("2026-01-03", "A", 4.0),
            ("2026-01-03", "B", 0.0),  # a zero row before B's first sale opens no window
            ("2026-01-04", "B", 5.0),
        ]
    )
    bd = bucket_demand(d, end="2026-01-05")
    assert bd.skus.tolist() == ["A", "B"]
    assert [str(p) for p in bd.periods] == [
        "2026-01-01",
        "2026-01-02",
        "2026-01-03",
        "2026-01-04",
        "2026-01-05",
    ]
    np.testing.assert_array_equal(
        bd.quantity, [[3.0, 0.0, 4.0, 0.0, 0.0], [np.nan, np.nan, np.nan, 5.0, 0.0]]
    )
    assert bd.first.tolist() == [0, 3]


def test_bucket_demand_weeks_end_and_sku_order():
    days = pd.date_range("2026-01-05", periods=21)  # Monday 5 Jan to Sunday 25 Jan
    d = pd.DataFrame({"date": days, "sku": "A", "quantity": 1.0})
    bd = bucket_demand(d, freq="W", end="2026-01-18", skus=["Z", "A"])
    assert bd.skus.tolist() == ["Z", "A"]
    np.testing.assert_array_equal(bd.quantity[1], [7.0, 7.0])  # the third week is cut
    assert np.isnan(bd.quantity[0]).all()  # a SKU without demand has no window


def test_bucket_demand_daily_fast_path_equals_the_period_path():
    # days are counted in numpy and labels looked up once each: same matrix as pandas
    # periods (a NaT date and an unknown SKU dropped, one SKU's rows of a day summed)
    d = _long(
        [
            ("2026-01-01", "A", 2.0),
            (None, "A", 9.0),
            ("2026-01-02", "Q", 7.0),
            ("2026-01-03", "B", 1.0),
            ("2026-01-03", "B", 2.0),
            ("2026-01-06", "A", 4.0),
        ]
    )
    fast = bucket_demand(d, freq="D", end="2026-01-07", skus=["B", "A"])
    slow = bucket_demand(d, freq="1D", end="2026-01-07", skus=["B", "A"])  # pandas periods
    assert [str(p) for p in fast.periods][::6] == ["2026-01-01", "2026-01-07"]
    np.testing.assert_array_equal(
        fast.quantity,
        [[np.nan, np.nan, 3.0, 0.0, 0.0, 0.0, 0.0], [2.0, 0.0, 0.0, 0.0, 0.0, 4.0, 0.0]],
    )
    np.testing.assert_array_equal(slow.quantity, fast.quantity)
    assert slow.periods.equals(fast.periods) and slow.first.tolist() == fast.first.tolist()
    weekly_days = bucket_demand(d, freq="W", end="2026-01-07", skus=["B", "A"])
    assert np.nansum(weekly_days.quantity) == np.nansum(fast.quantity) == 9.0


def test_bucket_demand_errors():
    with pytest.raises(ValueError, match="missing"):
        bucket_demand(pd.DataFrame({"date": [], "sku": []}))
    d = _long([("2026-01-01", "A", 1.0)])
    with pytest.raises(ValueError, match="freq must be a pandas period alias"):
        bucket_demand(d, freq="fortnight")


# ----------------------------------------------------------------------------- demand_pattern
def _idclass_sbc(x: np.ndarray) -> tuple[float, float]:
    """p and CV^2 as tsintermittent's idclass computes them (R/idclass.R): intervals
    counted from the start of the series, first interval = position of the first
    demand (1-based); CV^2 = (sd(z) / mean(z))^2 with R's sd (n - 1)."""
    nzd = np.flatnonzero(x != 0) + 1
    z = x[nzd - 1]
    intervals = np.concatenate([[nzd[0]], np.diff(nzd)])
    return float(intervals.mean()), float((z.std(ddof=1) / z.mean()) ** 2)


def test_demand_pattern_matches_tsintermittent_on_the_reversed_window():
    # Our window runs from the first demand to the end; read backwards, its ADI is
    # tsintermittent's p (which runs from the start to the last demand).
    rng = np.random.default_rng(11)
    n, t = 40, 60
    occurs = rng.random((n, t)) < rng.uniform(0.2, 0.95, (n, 1))
    sizes = rng.gamma(rng.uniform(0.5, 5.0, (n, 1)), 3.0, (n, t)) + 0.5
    x = np.where(occurs, np.round(sizes, 1), 0.0)
    x[:, 5] = 1.0  # at least two demands per SKU
    x[:, 6] = 2.0
    lead = rng.integers(0, 5, n)  # zero buckets before the first sale: outside the window
    rows = []
    for i in range(n):
        x[i, : lead[i]] = 0.0
        for j in np.flatnonzero(x[i]):
            rows.append((pd.Timestamp("2025-01-01") + pd.Timedelta(days=int(j)), f"s{i}", x[i, j]))
    d = _long(rows)
    pat = demand_pattern(d, end=pd.Timestamp("2025-01-01") + pd.Timedelta(days=t - 1))
    for i in range(n):
        first = np.flatnonzero(x[i])[0]
        p, v = _idclass_sbc(x[i, first:][::-1])
        got = pat.loc[f"s{i}"]
        assert got.mean_interval == pytest.approx(p, rel=1e-12)
        assert got.cv2 == pytest.approx(v, rel=1e-9)
        expected = (
            ("lumpy" if v > 0.49 else "intermittent")
            if p > 1.32
            else ("erratic" if v > 0.49 else "smooth")
        )
        assert got.demand_class == expected
    assert set(pat.demand_class) >= {"smooth", "erratic", "intermittent", "lumpy"}


def test_demand_pattern_counts_trailing_zeros_not_leading_ones():
    # A sold on days 0-3 then stopped: 4 demands over a 10-day window, ADI 2.5.
    # B was introduced on day 6 and sold every day since: ADI 1, smooth.
    rows = [(f"2026-01-0{j + 1}", "A", 5.0) for j in range(4)]
    rows += [(f"2026-01-{j + 1:02d}", "B", 5.0 + (j % 2)) for j in range(6, 10)]
    pat = demand_pattern(_long(rows))
    assert pat.loc["A", "n_buckets"] == 10
    assert pat.loc["A", "mean_interval"] == 2.5
    assert pat.loc["A", "demand_class"] == "intermittent"
    assert pat.loc["B", "n_buckets"] == 4
    assert pat.loc["B", "mean_interval"] == 1.0
    assert pat.loc["B", "demand_class"] == "smooth"
    assert pat.loc["B", "bucket_mean"] == 5.5
    assert pat.loc["B", "bucket_sd"] == pytest.approx(np.std([5, 6, 5, 6], ddof=1))


def test_demand_pattern_single_demand_is_none_and_accepts_bucket_demand():
    q = np.array([[np.nan, 3.0, 0.0, 0.0], [np.nan] * 4])
    bd = BucketDemand(pd.Index(["one", "never"], name="sku"), None, q, np.array([1, 4]))
    pat = demand_pattern(bd)
    assert pat.loc["one", "mean_interval"] == 3.0
    assert np.isnan(pat.loc["one", "cv2"])
    assert pat.demand_class.tolist() == ["none", "none"]
    assert pat.loc["never", "n_buckets"] == 0
