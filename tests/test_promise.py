"""plan_check: planned against simulated service, with standard errors and reasons.

The "right" business is smooth Poisson demand (5 a day, a 30-day lead time): the
plan's normal lead-time demand is close (undershoot about 0.2 of its sd), so its
promises sit within three standard errors of what the simulation delivers. The
"wrong" plan lowers every reorder point by two lead-time-demand sd: a plan that
overpromises by construction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.promise import PLAN_CHECK_REASONS, _promised_se

N_SKUS = 12


def _items(skus) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sku": skus,
            "inventory_type": "finished_good",
            "unit_cost": np.linspace(10.0, 60.0, len(skus)),
            "lead_time_days": 30.0,
            "lead_time_sd_days": 0.0,
            "order_cost": 20.0,
            "holding_cost_rate": 0.25,
        }
    )


@pytest.fixture(scope="module")
def smooth() -> wb.Dataset:
    rng = np.random.default_rng(11)
    days = pd.date_range("2024-01-01", periods=730, freq="D")
    skus = [f"S{i:02d}" for i in range(N_SKUS)]
    qty = rng.poisson(5.0, size=(len(days), len(skus))).astype(float)
    demand = pd.DataFrame(
        {
            "date": np.repeat(days, len(skus)),
            "sku": np.tile(skus, len(days)),
            "quantity": qty.ravel(),
        }
    )
    return wb.Dataset.from_tables({"items": _items(skus), "demand": demand[demand.quantity > 0]})


@pytest.fixture(scope="module")
def right(smooth):
    # 8 x 2,000 days: about 40 cycles a replication, enough for the spread across
    # replications to estimate each SKU's standard error (8 x 365 days left ~6 cycles a
    # replication, whose spread understated it: 7 of 12 SKUs fell outside 3 SE while the
    # means agreed to 0.0001)
    return wb.plan_check(smooth, replications=8, horizon_days=2000, seed=1, progress=False)


def test_a_right_plan_keeps_its_promise(right):
    s = right.skus
    assert len(s) == N_SKUS and right.settings["skus_checked"] == N_SKUS
    assert right.settings["demand_model"] == "resample"
    assert s["within"].mean() >= 0.8
    assert (s["demand_class"] == "smooth").all()
    # the class means agree to within 3 standard errors of the class mean, both measures
    whole = right.classes.set_index("group").loc["all"]
    assert abs(whole["fill_rate_gap"]) <= 3 * whole["fill_rate_se"] + 0.002
    assert abs(whole["cycle_service_gap"]) <= 3 * whole["cycle_service_se"] + 0.01
    assert whole["fill_rate_se"] > 0 and whole["cycle_service_se"] > 0
    assert_allclose(s["simulated_daily_demand"], 5.0, rtol=0.05)


def test_a_lowered_reorder_point_is_caught_with_its_reason(smooth):
    p = wb.plan(smooth)
    cut = 2 * p["lead_time_demand_sd"]
    wrong = p.assign(reorder_point=p["reorder_point"] - cut, order_up_to=p["order_up_to"] - cut)
    check = wb.plan_check(smooth, plan=wrong, replications=6, horizon_days=365, progress=False)
    s = check.skus
    assert (s["cycle_service_gap"] < -0.3).all()  # planned ~0.9-0.98, delivered far less
    assert not s["within"].any()
    assert (s["reason"] == PLAN_CHECK_REASONS["model"]).all()
    assert check.reason_counts().to_dict() == {PLAN_CHECK_REASONS["model"]: N_SKUS}
    assert (check.classes["share_outside"] == 1.0).all()


def test_the_default_check_is_of_the_plan_wb_plan_makes():
    # plan_check(dataset) checks wb.plan(dataset): the same demand classes and
    # distributions (from the daily history), not a plan made from the moments alone
    ds = wb.sample_dataset(n_skus=80, years=1, seed=5)
    kw = dict(replications=2, horizon_days=60, seed=3, progress=False)
    own = wb.plan_check(ds, **kw)
    given = wb.plan_check(ds, plan=wb.plan(ds), **kw)
    pd.testing.assert_frame_equal(own.skus, given.skus)


def test_class_table_is_the_mean_of_its_skus(right):
    s, c = right.skus, right.classes
    assert list(c["group"].unique()) == ["abc", "demand_class", "all"]
    abc = c[c["group"] == "abc"].set_index("class")
    for cls, rows in s.groupby(s["abc"].astype(str)):
        row = abc.loc[cls]
        assert row["n_skus"] == len(rows)
        assert_allclose(row["planned_fill_rate"], rows["planned_fill_rate"].mean())
        assert_allclose(row["simulated_cycle_service"], rows["simulated_cycle_service"].mean())
        assert_allclose(row["fill_rate_se"], np.sqrt((rows["fill_rate_se"] ** 2).sum()) / len(rows))
        assert_allclose(row["fill_rate_gap"], row["simulated_fill_rate"] - row["planned_fill_rate"])
        assert_allclose(row["share_outside"], (~rows["within"]).mean())


def test_standard_error_shrinks_with_replications(smooth):
    few = wb.plan_check(smooth, replications=3, horizon_days=200, seed=5, progress=False)
    many = wb.plan_check(smooth, replications=24, horizon_days=200, seed=5, progress=False)
    se = lambda c, m: c.classes.set_index("group").loc["all", f"{m}_se"]  # noqa: E731
    # 1/sqrt(K): sqrt(24/3) = 2.8 times smaller, give or take the SE's own noise
    assert se(many, "cycle_service") < 0.6 * se(few, "cycle_service")
    assert se(many, "fill_rate") < 0.6 * se(few, "fill_rate")


def test_seeds_reproduce(smooth):
    a = wb.plan_check(smooth, replications=2, horizon_days=100, seed=3, progress=False)
    b = wb.plan_check(smooth, replications=2, horizon_days=100, seed=3, progress=False)
    c = wb.plan_check(smooth, replications=2, horizon_days=100, seed=4, progress=False)
    pd.testing.assert_frame_equal(a.skus, b.skus)
    pd.testing.assert_frame_equal(a.classes, b.classes)
    assert not a.skus["simulated_fill_rate"].equals(c.skus["simulated_fill_rate"])


def test_replay_has_binomial_standard_errors(smooth):
    check = wb.plan_check(smooth, method="replay", progress=False)
    s = check.skus
    assert check.settings["method"] == "replay" and check.settings["replications"] == 1
    assert check.settings["horizon_days"] + check.settings["warmup_days"] == 730
    n = s["cycles"]
    csl0, fill0 = _promised_se(
        s["planned_cycle_service"].to_numpy(), s["planned_fill_rate"].to_numpy(), n.to_numpy()
    )
    assert_allclose(
        s["cycle_service_se"],
        np.fmax(
            np.sqrt(s["simulated_cycle_service"] * (1 - s["simulated_cycle_service"]) / n), csl0
        ),
    )
    assert_allclose(
        s["fill_rate_se"],
        np.fmax(np.sqrt(s["simulated_fill_rate"] * (1 - s["simulated_fill_rate"]) / n), fill0),
    )
    assert any("binomial" in note for note in check.settings["notes"])


def test_a_right_plan_is_within_its_errors_at_the_default_horizon(smooth):
    """8 x 365 days see about 6 cycles a replication, often none with a stockout: the
    spread across replications alone said 0 or too little (here one SKU fell outside 3 SE,
    in bench_promise.py 50-57 % of the SKUs); the error the promise implies over the
    cycles run keeps the check honest."""
    check = wb.plan_check(smooth, seed=2, progress=False)
    s = check.skus
    assert check.settings["horizon_days"] == 365 and check.settings["replications"] == 8
    assert s["within"].all(), s[~s["within"]]
    csl0, fill0 = _promised_se(
        s["planned_cycle_service"].to_numpy(), s["planned_fill_rate"].to_numpy(),
        s["cycles"].to_numpy(),
    )  # fmt: skip
    assert (s["cycle_service_se"] >= csl0 - 1e-15).all() and (csl0 > 0).all()
    assert (s["fill_rate_se"] >= fill0 - 1e-15).all() and (fill0 > 0).all()


def test_promised_standard_errors():
    # binomial over the cycles: p = 0.95, n = 100 -> sqrt(0.95 * 0.05 / 100)
    csl, fill = _promised_se(np.array([0.95, 1.0, 0.9]), np.array([0.99, 1.0, 0.98]),
                             np.array([100.0, 50.0, 0.0]))  # fmt: skip
    assert_allclose(csl[:2], [np.sqrt(0.95 * 0.05 / 100), 0.0])
    # shortage 0 w.p. p, else exponential: (1 - f) sqrt((2 / (1 - p) - 1) / n)
    assert_allclose(fill[:2], [0.01 * np.sqrt((2 / 0.05 - 1) / 100), 0.0])
    # no cycle closed: less than one cycle's worth of demand seen, n = 1
    assert_allclose([csl[2], fill[2]], [0.3, 0.02 * np.sqrt(2 / 0.1 - 1)])


def test_resampling_stays_in_each_skus_window():
    # A SKU launched half-way: 10 a day from day 365. Resampling the whole column would
    # draw the zeros before launch half the time (5 a day); its window gives 10.
    days = pd.date_range("2024-01-01", periods=730, freq="D")
    demand = pd.concat(
        [
            pd.DataFrame({"date": days, "sku": "OLD", "quantity": 10.0}),
            pd.DataFrame({"date": days[365:], "sku": "NEW", "quantity": 10.0}),
        ]
    )
    ds = wb.Dataset.from_tables({"items": _items(["OLD", "NEW"]), "demand": demand})
    check = wb.plan_check(ds, replications=2, horizon_days=200, progress=False)
    assert_allclose(check.skus["simulated_daily_demand"], [10.0, 10.0])
    # the simulator's windowed bootstrap, which plan_check uses: SKU 0's window is days
    # 0-19 of 20, SKU 1's days 15-19; 20,000 draws each, both engines, seeded
    hist = np.tile(np.arange(20.0)[:, None], (1, 2))
    for engine in ("numba", "numpy"):
        kw = dict(
            demand_model="bootstrap", demand_windows=([0, 15], [20, 5]), days=20_000,
            policy="base_stock", order_up_to=1e6, lead_time_days=1, rng=1, engine=engine,
            trace_skus="all", progress=False,
        )  # fmt: skip
        tr = wb.simulate(hist, **kw).trace
        again = wb.simulate(hist, **kw).trace
        assert_allclose(tr["demand"].to_numpy(), again["demand"].to_numpy())
        d0 = tr.loc[tr["sku"] == "0", "demand"].to_numpy()
        d1 = tr.loc[tr["sku"] == "1", "demand"].to_numpy()
        assert d0.size == d1.size == 20_000
        assert set(np.unique(d0)) == set(range(20))
        assert set(np.unique(d1)) == {15.0, 16.0, 17.0, 18.0, 19.0}
        # uniform over the window (sd 0.003)
        assert_allclose(np.bincount(d1.astype(int) - 15) / 20_000, 0.2, atol=0.015)


def test_simulate_demand_windows_are_checked():
    hist = np.ones((10, 2))
    kw = dict(policy="base_stock", order_up_to=5.0, lead_time_days=1, progress=False)
    with pytest.raises(ValueError, match="demand_windows first day \\+ number of days"):
        wb.simulate(hist, demand_model="bootstrap", demand_windows=([0, 5], [10, 6]), **kw)
    with pytest.raises(ValueError, match="demand_windows first day must be a whole number"):
        wb.simulate(hist, demand_model="bootstrap", demand_windows=([-1, 0], [5, 5]), **kw)
    with pytest.raises(ValueError, match="demand_windows is for demand_model 'bootstrap'"):
        wb.simulate(hist, demand_windows=([0, 0], [5, 5]), **kw)
    with pytest.raises(ValueError, match="batches must be a whole number >= 1"):
        wb.simulate(hist, batches=0, **kw)
    with pytest.raises(ValueError, match=r"batches must be at most the days counted .* \(7\)"):
        wb.simulate(hist, batches=8, warmup_days=3, **kw)


def test_batches_of_one_run_agree_with_independent_runs(smooth):
    # plan_check's replications are consecutive batches of one run after one warm-up
    # (batch means): the run itself does not change, its batches add up to its totals,
    # and they give the means and standard errors K independent runs (each with its own
    # warm-up, as plan_check did before) give, within the standard errors
    from workbench.promise import _ratio

    p = wb.plan(smooth)
    skus = list(p.index)
    hist = wb.daily_demand_matrix(smooth.demand, skus=skus)[0]  # (days, SKUs)
    K, H, W = 8, 365, 60
    kw = dict(policy="plan", plan=p, skus=skus, demand_model="bootstrap", warmup_days=W,
              lead_time_days=30.0, progress=False)  # fmt: skip
    one = wb.simulate(hist, days=W + K * H, batches=K, rng=1, **kw)
    plain = wb.simulate(hist, days=W + K * H, rng=1, **kw)
    pd.testing.assert_frame_equal(one.summary, plain.summary)
    assert plain.batches is None and one.settings["batches"] == K
    b = one.batches
    for col in ("demand", "filled", "short", "cycles", "stockout_cycles", "orders"):
        assert b[col].shape == (K, N_SKUS)
        assert_allclose(b[col].sum(axis=0), one.summary[col], rtol=1e-12)
    runs = [wb.simulate(hist, days=W + H, rng=100 + k, **kw).summary for k in range(K)]
    ind = {c: np.vstack([r[c].to_numpy(dtype=float) for r in runs]) for c in b}
    for num, den in (("filled", "demand"), ("stockout_cycles", "cycles")):
        r1, se1 = _ratio(np.asarray(b[num], dtype=float), np.asarray(b[den], dtype=float))
        r2, se2 = _ratio(ind[num], ind[den])
        m1, m2 = np.nanmean(r1), np.nanmean(r2)
        s1, s2 = (np.sqrt(np.nansum(x**2)) / N_SKUS for x in (se1, se2))
        assert abs(m1 - m2) <= 3 * np.hypot(s1, s2) + 1e-12, (num, m1, m2, s1, s2)
        # the batches' spread measures the error as the independent runs' does
        assert 0.4 < s1 / s2 < 2.5, (num, s1, s2)


def test_numpy_engine_agrees_in_distribution(smooth, right):
    check = wb.plan_check(smooth, replications=8, horizon_days=365, seed=1, engine="numpy")
    a = right.classes.set_index("group").loc["all"]
    b = check.classes.set_index("group").loc["all"]
    for m in ("fill_rate", "cycle_service"):
        se = np.hypot(a[f"{m}_se"], b[f"{m}_se"])
        assert abs(a[f"simulated_{m}"] - b[f"simulated_{m}"]) <= 4 * se + 1e-9


def test_weekly_data_are_simulated_daily_by_a_matched_model(smooth):
    weekly = smooth.with_frequency("W")
    assert weekly.demand_frequency == "W"
    check = wb.plan_check(weekly, replications=8, horizon_days=2000, progress=False)
    assert check.settings["frequency"] == "W"
    assert check.settings["demand_model"] == "negative_binomial"
    assert any(
        note.startswith("weekly data: the plan reviews daily") for note in check.settings["notes"]
    )
    assert_allclose(check.skus["simulated_daily_demand"], 5.0, rtol=0.05)
    assert check.skus["within"].mean() >= 0.7
    with pytest.raises(ValueError, match="method 'replay' needs daily demand"):
        wb.plan_check(weekly, method="replay", progress=False)


def test_progress_covers_all_replications(smooth):
    seen: list[float] = []
    wb.plan_check(smooth, replications=3, horizon_days=60, progress=seen.append)
    assert seen and seen[-1] == pytest.approx(1.0) and np.all(np.diff(seen) >= 0)
    assert min(seen) < 0.5


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(method="bootstrap"), "method must be one of"),
        (dict(replications=1), "replications must be a whole number >= 2"),
        (dict(horizon_days=0), r"horizon_days must be a whole number >= 1 \[days\]"),
        (dict(warmup_days=-1), r"warmup_days must be a whole number >= 0 \[days\]"),
        (dict(scenario=wb.Scenario(), plan=pd.DataFrame()), "scenario or plan, not both"),
    ],
)
def test_invalid_arguments(smooth, kwargs, match):
    with pytest.raises(ValueError, match=match):
        wb.plan_check(smooth, **kwargs)


def test_ratio_standard_error():
    from workbench.promise import _ratio

    # K = 4 replications, 2 SKUs: (filled, demand) per replication
    x = np.array([[9.0, 0.0], [8.0, 0.0], [10.0, 3.0], [9.0, 0.0]])
    y = np.array([[10.0, 0.0], [10.0, 0.0], [10.0, 4.0], [10.0, 0.0]])
    r, se = _ratio(x, y)
    assert_allclose(r, [0.9, 0.75])
    # equal denominators: the ratio is the mean of x/y, its SE the sd of x/y over sqrt(K)
    assert_allclose(se[0], np.std([0.9, 0.8, 1.0, 0.9], ddof=1) / 2)
    assert np.isnan(se[1])  # one replication with demand: no spread to measure
