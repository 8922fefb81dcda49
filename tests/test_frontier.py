"""Tests for workbench.sim.frontier: the service frontier and the strategy comparison.

Sources: Heizer, Render & Munson, *Operations Management*, 12th ed., ch. 12 (the
Memorial Hospital safety stock); Silver, Pyke & Thomas, *Inventory and Production
Management in Supply Chains*, 4th ed., ch. 6-7 and the normal loss table (G(1) =
0.08332, G(2) = 0.00849, as in /work/shared/reference/textbook_cases.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

import workbench as wb
from workbench.sim import compare_service_strategies, service_frontier, simulated_frontier

# lead-time demand sd 10 = 10 days of sd sqrt(10) a day
MEMORIAL = dict(lead_time_days=10.0, order_quantity=100.0, unit_cost=1.0, abc_class=["A"])


@pytest.mark.parametrize(
    ("service_type", "target", "safety_stock", "source"),
    [
        ("cycle", 0.95, 16.45, "H&R Memorial Hospital: z = 1.645, sigma_L = 10"),
        ("cycle", 0.50, 0.0, "z = 0 at a 50 % cycle service level"),
        ("fill_rate", 1 - 0.08332 * 10 / 100, 10.0, "SPT loss table: G(1.0) = 0.08332"),
        ("fill_rate", 1 - 0.00849 * 10 / 100, 20.0, "SPT loss table: G(2.0) = 0.00849"),
    ],
)
def test_published_safety_stock(service_type, target, safety_stock, source):
    f = service_frontier(
        35.0, np.sqrt(10.0), **MEMORIAL, service_levels=[target], service_type=service_type
    )
    row = f.table.iloc[0]
    # the loss table has 5 decimals: G off by 5e-6 moves k by ~3e-5, SS by ~3e-4
    assert_allclose(row["safety_stock"], safety_stock, atol=2e-3, err_msg=source)
    if service_type == "fill_rate":
        assert_allclose(row["expected_fill_rate"], target, atol=1e-9)


def _portfolio(n=300, seed=0):
    rng = np.random.default_rng(seed)
    mu = rng.lognormal(1, 1, n)
    return dict(
        demand_mean=mu,
        demand_sd=mu * rng.uniform(0.2, 1.5, n),
        lead_time_days=rng.uniform(2, 20, n),
        lead_time_sd_days=rng.uniform(0, 3, n),
        order_quantity=np.ceil(mu * rng.uniform(3, 40, n)),
        unit_cost=rng.lognormal(1, 1, n),
        abc_class=rng.choice(["A", "B", "C"], n, p=[0.2, 0.3, 0.5]),
    )


@pytest.mark.parametrize("service_type", ["cycle", "fill_rate"])
def test_frontier_matches_per_sku_formulas(service_type):
    p = _portfolio()
    levels = np.array([0.8, 0.9, 0.95, 0.99, 0.999])
    f = service_frontier(**p, service_levels=levels, service_type=service_type)
    sigma = np.sqrt(p["lead_time_days"] * p["demand_sd"] ** 2
                    + p["demand_mean"] ** 2 * p["lead_time_sd_days"] ** 2)  # fmt: skip
    frame = pd.DataFrame({"cls": p["abc_class"], "mu": p["demand_mean"]})
    for lv in levels:
        if service_type == "cycle":
            k = np.full(sigma.size, stats.norm.ppf(lv))
        else:  # solve G(k) = (1 - beta) Q / sigma with the package's own inverse
            k = np.maximum(wb.normal_loss_inverse((1 - lv) * p["order_quantity"] / sigma), 0)
        fill = np.clip(1 - sigma * wb.normal_loss(k) / p["order_quantity"], 0, 1)
        frame["ss_value"] = k * sigma * p["unit_cost"]
        frame["inv"] = frame["ss_value"] + p["order_quantity"] / 2 * p["unit_cost"]
        frame["filled"] = fill * p["demand_mean"]
        want = frame.groupby("cls")[["ss_value", "inv", "filled", "mu"]].sum()
        want.loc["all"] = want.sum()
        got = f.table[f.table["service_level"] == lv].set_index("class")
        for cls in ["all", "A", "B", "C"]:
            assert_allclose(got.loc[cls, "safety_stock_value"], want.loc[cls, "ss_value"],
                            rtol=1e-5)  # fmt: skip
            assert_allclose(got.loc[cls, "avg_inventory_value"], want.loc[cls, "inv"], rtol=1e-6)
            assert_allclose(got.loc[cls, "expected_fill_rate"],
                            want.loc[cls, "filled"] / want.loc[cls, "mu"], rtol=1e-6)  # fmt: skip


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), service_type=st.sampled_from(["cycle", "fill_rate"]))
def test_frontier_rises_and_classes_add_up(seed, service_type):
    f = service_frontier(**_portfolio(60, seed), service_type=service_type)
    t = f.table
    for _, g in t.groupby("class"):
        assert (np.diff(g["avg_inventory_value"]) >= -1e-9).all()
        assert (np.diff(g["expected_fill_rate"]) >= -1e-12).all()
        assert g["is_knee"].sum() == 1
    parts = t[t["class"] != "all"].groupby("service_level")["safety_stock_value"].sum()
    whole = t[t["class"] == "all"].set_index("service_level")["safety_stock_value"]
    assert_allclose(parts.to_numpy(), whole.loc[parts.index].to_numpy(), rtol=1e-9)
    assert list(f.knees.index) == ["all", "A", "B", "C"]


def test_marginal_cost_of_service_grows_and_knee_is_interior():
    f = service_frontier(**_portfolio(), service_type="cycle")
    t = f.table[f.table["class"] == "all"]
    m = t["marginal_value_per_point"].to_numpy()
    assert (m > 0).all()
    assert m[-1] > 10 * m[0]  # each point of service costs ever more
    knee = f.knees.loc["all", "service_level"]
    assert 0.8 < knee < 0.999


def test_frontier_input_types_and_default_classes():
    p = _portfolio(50)
    idx = pd.Index([f"S{i}" for i in range(50)], name="sku")
    series = {k: pd.Series(v, index=idx) for k, v in p.items() if k != "abc_class"}
    a = service_frontier(**series, service_levels=[0.9]).table
    b = service_frontier(**{k: list(v) for k, v in p.items() if k != "abc_class"},
                         service_levels=[0.9]).table  # fmt: skip
    pd.testing.assert_frame_equal(a, b)
    assert set(a["class"]) == {"all", "A", "B", "C"}  # default: ABC by annual value
    one = service_frontier(5.0, 2.0, lead_time_days=4, order_quantity=20, unit_cost=3.0,
                           service_levels=0.9)  # fmt: skip
    assert_allclose(one.table.iloc[0]["safety_stock"], stats.norm.ppf(0.9) * 4.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"demand_mean": -1.0}, r"demand_mean must be >= 0 \[units/day\]; got -1"),
        ({"lead_time_days": 0.0}, r"lead_time_days must be > 0 \[days\]; got 0"),
        ({"demand_mean": np.nan}, r"demand_mean is NaN for 1 SKU"),
        ({"service_levels": [0.9, 1.0]}, r"service_levels must be strictly between 0 and 1"),
        ({"service_levels": []}, r"service_levels must hold at least one target"),
        ({"service_type": "type3"}, r"service_type must be 'cycle' or 'fill_rate'"),
        ({"abc_class": ["A", "B"]}, r"abc_class must give one class per SKU \(1\)"),
    ],
)
def test_frontier_messages(change, message):
    kw = dict(demand_mean=5.0, demand_sd=2.0, lead_time_days=4.0, order_quantity=20.0,
              unit_cost=1.0, abc_class=["A"], service_levels=[0.9])  # fmt: skip
    with pytest.raises(ValueError, match=message):
        service_frontier(**{**kw, **change})


# --------------------------------------------------------------------------- strategies


def _two_groups(a_turns_fast: bool):
    """A items either fast and cheap per unit of fill, or slow and dear."""
    n = 40
    fast = dict(mu=100.0, c=1.0, q=100.0)
    slow = dict(mu=1.0, c=10.0, q=50.0)
    a, c = (fast, slow) if a_turns_fast else (slow, fast)
    labels = np.array(["A"] * 10 + ["C"] * (n - 10))
    pick = lambda key: np.where(labels == "A", a[key], c[key])  # noqa: E731
    return dict(
        demand_mean=pick("mu"), demand_sd=0.5 * pick("mu"), lead_time_days=5.0,
        order_quantity=pick("q"), unit_cost=pick("c"), abc_class=labels,
        class_service_levels={"A": 0.99, "C": 0.85},
    )  # fmt: skip


@pytest.mark.parametrize(("a_turns_fast", "better"), [(True, "class_based"), (False, "uniform")])
def test_strategies_at_equal_investment(a_turns_fast, better):
    r = compare_service_strategies(**_two_groups(a_turns_fast), uniform_service_level=0.95)
    t = r.table
    assert_allclose(t.loc["class_based", "safety_stock_value"],
                    t.loc["uniform", "safety_stock_value"], rtol=1e-9)  # fmt: skip
    assert_allclose(t.loc["equal_marginal", "safety_stock_value"],
                    t.loc["uniform", "safety_stock_value"], rtol=1e-6)  # fmt: skip
    assert r.better == better
    # no allocation of the same money beats equal marginal returns
    assert t.loc["equal_marginal", "fill_rate"] >= t[["fill_rate"]].max().item() - 1e-9
    # the class shape is kept: A above C after the common shift
    k = r.per_sku
    assert (
        k["safety_factor_class_based"].iloc[:10] > k["safety_factor_class_based"].iloc[10:].max()
    ).all()


def test_uniform_strategy_row_is_the_frontier_point():
    p = _portfolio(80)
    r = compare_service_strategies(**p, uniform_service_level=0.9)
    f = service_frontier(**p, service_levels=[0.9]).table.set_index("class")
    assert_allclose(r.table.loc["uniform", "fill_rate"], f.loc["all", "expected_fill_rate"])
    assert_allclose(r.table.loc["uniform", "avg_inventory_value"],
                    f.loc["all", "avg_inventory_value"])  # fmt: skip
    assert_allclose(r.table.loc["uniform", "cycle_service_level"], 0.9)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"uniform_service_level": 1.2}, r"uniform_service_level must be strictly between 0 and 1"),
        ({"class_service_levels": {"A": 0.99}}, r"has no target for class\(es\) C"),
        ({"class_service_levels": {"A": 0.99, "C": 0.0}},
         r"class_service_levels\['C'\] must be strictly between 0 and 1"),
    ],
)  # fmt: skip
def test_strategy_messages(change, message):
    with pytest.raises(ValueError, match=message):
        compare_service_strategies(**{**_two_groups(True), **change})


# --------------------------------------------------------------------------- by simulation


def test_simulated_frontier_confirms_the_formulas_shape():
    """Simulation of (s, Q) at the formula's s: investment close, fill a little lower.

    The formulas assume continuous review over L days; the simulator reviews once a day,
    which exposes up to one more day (SPT's protection interval L + R).
    """
    n = 60
    rng = np.random.default_rng(2)
    mu = rng.uniform(5, 30, n)
    t = simulated_frontier(
        demand_mean=mu, demand_sd=0.3 * mu, lead_time_days=6, order_quantity=np.ceil(mu * 10),
        unit_cost=rng.uniform(1, 5, n), abc_class=np.where(np.arange(n) < 20, "A", "B"),
        service_levels=[0.8, 0.95, 0.99], days=1500, warmup_days=50, rng=3,
    )  # fmt: skip
    assert list(t["class"].unique()) == ["all", "A", "B"]
    for _, g in t.groupby("class"):
        assert (np.diff(g["simulated_fill_rate"]) > 0).all()  # more stock, more service
        assert (g["simulated_fill_rate"] < g["expected_fill_rate"]).all()
        # average stock within 10 % of Q/2 + SS (backorders and the extra day move it)
        assert_allclose(g["simulated_avg_inventory_value"], g["avg_inventory_value"], rtol=0.10)
