"""Plans that keep their promise (issue 11): the simulator delivers what wb.plan plans.

Each case plans a few SKUs with :func:`workbench.plan_from_stats` (or :func:`workbench.plan`
on a dataset), then simulates the plan as it stands (``policy="plan"``) with fixed lead
times, backorders, a warm-up and a long horizon, on REPS independent replications
(tiled copies of every SKU, each with its own demand), and checks that the delivered
cycle service level and fill rate are within 3 standard errors of the planned ones.

Demand comes from the very process the plan assumes: fresh draws from the daily pmf of
its model (gamma spread onto whole units, Poisson, negative binomial), normal draws for
the normal model, and for the empirical model days resampled from the SKU's own history
(``demand_model="bootstrap"``), the bootstrap the plan computes exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.scenario import Scenario, plan, plan_from_stats

REPS, DAYS, WARMUP = 24, 5_000, 300
TARGET = {"cycle": 0.90, "fill_rate": 0.95}

# (model, daily mean, daily sd, Q, L): one SKU per model, Q a few days of demand
CASES = {
    "normal": (20.0, 5.0, 60.0, 3.0),
    "gamma": (4.0, 4.0, 20.0, 2.0),
    "poisson": (2.0, np.sqrt(2.0), 10.0, 3.0),
    "negbin": (3.0, 3.0, 15.0, 2.0),
}


def _items(names, q, lead) -> pd.DataFrame:
    """Items whose order quantity is exactly ``q``: free orders, one pack of q."""
    return pd.DataFrame(
        {
            "sku": names,
            "unit_cost": 1.0,
            "lead_time_days": lead,
            "order_cost": 0.0,
            "pack_size": q,
            "min_order_qty": 0.0,
        }
    )


def _stats(names, mu, sd) -> pd.DataFrame:
    mu, sd = np.broadcast_to(mu, len(names)), np.broadcast_to(sd, len(names))
    return pd.DataFrame(
        {"annual_demand": mu * 365.0, "daily_mean": mu, "daily_sd": sd},
        index=pd.Index(names, name="sku"),
    )


def _draws(model: str, mu: float, sd: float, rng: np.random.Generator, n_cols: int):
    """Fresh daily demand (days, n_cols) from the model's own daily distribution."""
    shape = (DAYS + WARMUP, n_cols)
    if model == "normal":
        return np.maximum(rng.normal(mu, sd, shape), 0.0)  # cv 0.25: P(< 0) = 3e-5
    pmf = {
        "gamma": lambda: wb.gamma_pmf([mu], [sd])[0],
        "poisson": lambda: wb.poisson_pmf([mu])[0],
        "negbin": lambda: wb.negbin_pmf([mu], [sd * sd])[0],
    }[model]()
    return rng.choice(pmf.size, p=pmf / pmf.sum(), size=shape).astype(float)


def _tile(p: pd.DataFrame) -> pd.DataFrame:
    """REPS copies of every row of a plan, named sku#r (the plan's attrs kept)."""
    t = p.loc[p.index.repeat(REPS)].copy()
    t.index = pd.Index([f"{s}#{r}" for s in p.index for r in range(REPS)], name="sku")
    t.attrs = dict(p.attrs)
    return t


def _delivered(p: pd.DataFrame, demand: np.ndarray, **kw) -> pd.DataFrame:
    """Simulate the tiled plan; per planned SKU the mean delivered service and its SE."""
    t = _tile(p)
    res = wb.simulate(
        demand, plan=t, policy="plan", skus=t.index, lead_time_days=t["lead_time_days"],
        lead_time_sd_days=0.0, unmet="backorder", warmup_days=WARMUP, engine="numpy",
        progress=False, rng=7, **kw,
    )  # fmt: skip
    s = res.summary[["cycle_service_level", "fill_rate"]].copy()
    s["case"] = np.repeat(p.index.to_numpy(), REPS)
    g = s.groupby("case", sort=False)
    out = g.mean().add_suffix("_mean").join(g.std(ddof=1).add_suffix("_se") / np.sqrt(REPS))
    return out.loc[p.index]


def _check(p: pd.DataFrame, got: pd.DataFrame, measures=("cycle", "fill_rate")) -> None:
    pairs = {
        "cycle": ("cycle_service_level", "cycle_service_level"),
        "fill_rate": ("expected_fill_rate", "fill_rate"),
    }
    for sku in p.index:
        for planned, col in (pairs[m] for m in measures):
            want = float(p.loc[sku, planned])
            mean, se = got.loc[sku, f"{col}_mean"], got.loc[sku, f"{col}_se"]
            assert abs(mean - want) <= 3 * se + 1e-4, (sku, col, mean, want, se)


def _parametric_plan(policy: str, review: float) -> tuple[pd.DataFrame, np.ndarray]:
    """One SKU per model and service type, and fresh demand for its REPS copies."""
    rng = np.random.default_rng(2026)
    plans, blocks = [], []
    for stype, target in TARGET.items():
        for model, (mu, sd, q, lead) in CASES.items():
            name = f"{model}-{stype}"
            items = _items([name], q, lead).assign(service_level=target)
            sc = Scenario(
                distribution=model, service_type=stype, policy=policy,
                review_period_days=review,
            )  # fmt: skip
            p = plan_from_stats(items, _stats([name], mu, sd), sc)
            assert p.loc[name, "distribution"] == model
            assert p.loc[name, "order_quantity"] == q
            plans.append(p)
            blocks.append(_draws(model, mu, sd, rng, REPS))
    p = pd.concat(plans)
    p.attrs = plans[0].attrs  # the policy (the same in every part)
    return p, np.concatenate(blocks, axis=1)


@pytest.mark.parametrize("policy", ["sQ", "sS"])
def test_reorder_point_plans_deliver_their_service(policy):
    """(s, nQ) and (s, S) reviewed daily, each model, cycle service and fill rate."""
    p, demand = _parametric_plan(policy, 0.0)
    assert (p["review_period_days"] == 1.0).all()
    assert (p["expected_undershoot"] > 0).all()
    _check(p, _delivered(p, demand))


@pytest.mark.parametrize("review", [5.0, 1.0], ids=["R5", "base-stock"])
def test_order_up_to_plans_deliver_their_service(review):
    """(R, S) every 5 days, and every day (the base-stock policy): S covers the demand
    over L + R, each model, cycle service and fill rate."""
    p, demand = _parametric_plan("RS", review)
    _check(p, _delivered(p, demand))


def test_base_stock_delivers_its_service():
    """Base stock reviewed daily protects L + 1 day (h6's base_stock)."""
    rng = np.random.default_rng(5)
    s = wb.base_stock(20.0, 5.0, lead_time_days=3.0, service_level=0.9)
    d = np.maximum(rng.normal(20.0, 5.0, (DAYS + WARMUP, REPS)), 0.0)
    res = wb.simulate(
        d, policy="base_stock", order_up_to=s.order_up_to, lead_time_days=3.0,
        lead_time_sd_days=0.0, warmup_days=WARMUP, engine="numpy", progress=False, rng=1,
    )  # fmt: skip
    csl = res.summary["cycle_service_level"]
    assert abs(csl.mean() - 0.9) <= 3 * csl.std(ddof=1) / np.sqrt(REPS) + 1e-4


def _lumpy_history(rng, n_days: int, n: int, p_demand: float, size_mean: float, shape=5.0):
    """Daily demand: with probability p_demand a size 1 + round(gamma) of mean size_mean
    (gamma shape 5: steady sizes, intermittent; shape 0.5: erratic sizes, lumpy)."""
    occurs = rng.random((n_days, n)) < p_demand
    size = 1.0 + np.rint(rng.gamma(shape, (size_mean - 1.0) / shape, (n_days, n)))
    return np.where(occurs, size, 0.0)


@pytest.mark.parametrize("policy", ["sQ", "sS", "RS", "base-stock"])
def test_empirical_plans_deliver_their_service_on_the_bootstrap(policy):
    """Smooth, intermittent and lumpy SKUs planned on their own history ("auto" ->
    empirical), simulated on days resampled from that history; the last smooth SKU sells
    so much (380 a day) that its plan counts demand in steps of several units.

    (A near-constant large demand, Poisson(400) a day, with S - s two days of it is the
    steps' worst case for (s, S): whether two days reach S - s turns on the last unit,
    which a step of 2 moves by half a step, and the undershoot by 3 units.)"""
    rng = np.random.default_rng(31)
    n_days = 730
    hist = np.concatenate(
        [
            _lumpy_history(rng, n_days, 1, 0.3, 3.0),
            _lumpy_history(rng, n_days, 1, 0.25, 6.0, 0.5),
            np.where(rng.random((n_days, 1)) < 0.9, rng.poisson(12.0, (n_days, 1)), 0.0),
            np.rint(rng.gamma(4.0, 100.0, (n_days, 1))) * (rng.random((n_days, 1)) < 0.95),
        ],
        axis=1,
    ).astype(float)
    names = ["intermittent", "lumpy", "smooth", "big"]
    dates = pd.date_range("2024-01-01", periods=n_days, freq="D")
    long = pd.DataFrame(
        {"date": np.tile(dates, 4), "sku": np.repeat(names, n_days), "quantity": hist.T.ravel()}
    )
    long = long[long["quantity"] > 0]
    stats = wb.demand_stats(long)
    history = wb.bucket_demand(long, end=dates[-1], skus=names)
    review = {"RS": 4.0, "base-stock": 1.0}.get(policy, 0.0)
    plans = []
    for stype, target in TARGET.items():
        items = _items([f"{n}-{stype}" for n in names], [12.0, 12.0, 40.0, 800.0], 3.0)
        items = items.assign(service_level=target)
        st = stats.loc[names].set_axis(items["sku"])
        hist_named = history._replace(skus=pd.Index(items["sku"], name="sku"))
        sc = Scenario(
            service_type=stype, policy="RS" if review else policy, review_period_days=review
        )
        plans.append(plan_from_stats(items, st, sc, history=hist_named))
    p = pd.concat(plans)
    p.attrs = plans[0].attrs
    assert p["demand_class"].astype(str).tolist() == [*names[:3], "smooth"] * 2
    assert (p["distribution"] == "empirical").all()
    big = p.index.str.startswith("big")
    assert (p.loc[big, "reorder_point"] % 6 == 0).all()  # a whole number of 6-unit steps
    # the bootstrap history of each tiled copy: its SKU's own days
    cols = np.tile(np.repeat(np.arange(4), REPS), 2)
    got = _delivered(p, hist[:, cols], demand_model="bootstrap", days=DAYS + WARMUP)
    # (R, S) too: a review after no demand places no order, so a receipt-to-receipt
    # cycle spans several review periods; the plan's cycle service counts such cycles
    _check(p, got)


# ---------------------------------------------------------------- classes and models


def _pattern_dataset(rng: np.random.Generator) -> pd.DataFrame:
    """Smooth, erratic, intermittent and lumpy daily demand over two years."""
    n = 730
    cols = {
        "smooth": rng.poisson(30.0, n).astype(float),
        "erratic": np.rint(rng.gamma(0.8, 10.0, n)) + 1.0,
        "intermittent": _lumpy_history(rng, n, 1, 0.3, 3.0)[:, 0],
        "lumpy": _lumpy_history(rng, n, 1, 0.2, 10.0, 0.5)[:, 0],
    }
    dates = pd.date_range("2024-01-01", periods=n, freq="D")
    return pd.concat(
        pd.DataFrame({"date": dates, "sku": k, "quantity": v}) for k, v in cols.items()
    ).query("quantity > 0")


def test_auto_distribution_by_demand_class_and_fallback_without_history():
    long = _pattern_dataset(np.random.default_rng(3))
    names = ["smooth", "erratic", "intermittent", "lumpy"]
    items = _items(names, 10.0, 4.0)
    stats = wb.demand_stats(long).loc[names]
    history = wb.bucket_demand(long, skus=names)
    p = plan_from_stats(items, stats, history=history)
    assert p["demand_class"].astype(str).tolist() == names
    assert (p["distribution"] == "empirical").all()  # every class with a daily history
    # the same classes from the history's own classification (h7's demand_pattern)
    pat = wb.demand_pattern(history)
    assert p["demand_class"].astype(str).tolist() == pat.loc[names, "demand_class"].tolist()
    # without a history: classes from the moments, and a count model instead of the bootstrap
    q = plan_from_stats(items, stats)
    assert q["demand_class"].astype(str).tolist() == names
    assert q.loc["intermittent", "distribution"] == "negbin (no daily history)"
    assert q.loc["smooth", "distribution"] == "normal"
    assert q.loc["erratic", "distribution"] == "gamma"
    # the cut-offs are the scenario's: a huge ADI cut-off makes every SKU smooth or erratic
    r = plan_from_stats(items, stats, Scenario(class_cutoffs=(100.0, 0.49)), history=history)
    assert set(r["demand_class"].astype(str)) <= {"smooth", "erratic"}
    # forcing a model
    n = plan_from_stats(items, stats, Scenario(distribution="normal"), history=history)
    assert (n["distribution"] == "normal").all()


@pytest.mark.parametrize("policy", ["sQ", "RS"])
def test_large_demand_keeps_its_model_in_steps_and_its_promise(policy):
    """A discrete model whose demand over L + R passes 1,000 units counts demand in steps
    of several units (a short pmf) instead of switching to the normal, whose upper tail
    is too thin for skewed daily demand: gamma demand of mean 2,000 and sd 2,000 a day."""
    rng = np.random.default_rng(8)
    plans, blocks = [], []
    for stype, target in TARGET.items():
        items = _items([f"big-{stype}"], 5000.0, 10.0).assign(service_level=target)
        sc = Scenario(service_type=stype, policy=policy, review_period_days=4.0 * (policy == "RS"))
        p = plan_from_stats(items, _stats(items["sku"], 2000.0, 2000.0), sc)
        plans.append(p)
        blocks.append(rng.gamma(1.0, 2000.0, (DAYS + WARMUP, REPS)))
    p = pd.concat(plans)
    p.attrs = plans[0].attrs
    assert (p["demand_class"] == "erratic").all() and (p["distribution"] == "gamma").all()
    assert np.isfinite(p["reorder_point"]).all()
    _check(p, _delivered(p, np.concatenate(blocks, axis=1)))


def test_scenario_distribution_fields_round_trip_and_validate():
    s = Scenario(distribution="negbin", class_cutoffs=(1.5, 0.4))
    assert Scenario.from_json(s.to_json()) == s
    assert s.to_dict()["class_cutoffs"] == [1.5, 0.4]
    assert Scenario().distribution == "auto" and Scenario().class_cutoffs == (1.32, 0.49)
    with pytest.raises(ValueError, match=r"distribution must be one of"):
        Scenario(distribution="lognormal")
    with pytest.raises(ValueError, match=r"class_cutoffs must be two numbers > 0"):
        Scenario(class_cutoffs=(1.32,))


def test_plan_of_a_dataset_uses_its_history():
    ds = wb.sample_dataset(n_skus=80, years=1, seed=4)
    p = plan(ds)
    # every SKU with sales has its daily history: all bootstrapped, erratic ones included
    assert (p["distribution"] == "empirical").all()
    assert (p["demand_class"] == "erratic").any()
    # the plan's figures obey its identities
    moving = p["annual_demand"] > 0
    m = p[moving]
    assert_allclose(
        m["safety_stock"], m["reorder_point"] - m["expected_undershoot"]
        - m["lead_time_demand_mean"], rtol=1e-9, atol=1e-9,
    )  # fmt: skip
    assert_allclose(
        m["annual_cost"],
        m["annual_ordering_cost"] + m["holding_cost"] * (
            m["safety_stock"] + m["cycle_stock_holding_cost"] / m["holding_cost"]),
        rtol=1e-9,
    )  # fmt: skip
