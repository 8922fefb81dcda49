"""Tests for workbench.sim.simulate: against a plain one-SKU oracle, conservation, theory.

Sources: Heizer, Render & Munson, *Operations Management*, 12th ed., ch. 12 (Sharp,
Inc. EOQ example); Silver, Pyke & Thomas, *Inventory and Production Management in
Supply Chains*, 4th ed., ch. 6-7 (the (s, Q) fill rate, the normal loss functions).
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

import workbench as wb
from workbench.sim import simulate

# --------------------------------------------------------------------------- oracle


def oracle(demand, *, policy, s=0.0, Q=0.0, S=0.0, R=1, offset=0, L=1, start=0.0,
           unmet="backorder", moq=0.0, pack=0.0):  # fmt: skip
    """One SKU, plain Python, following the documented day (docs/timing.md): receive,
    review (an order of lead time 0 is received at once), demand."""
    pipeline: dict[int, float] = defaultdict(float)
    IL, on_order = float(start), 0.0
    out = dict.fromkeys(
        ["demand", "filled", "cycles", "stockout_cycles", "stockout_days", "stockout_events",
         "orders", "units_ordered", "oh2"], 0.0,
    )  # fmt: skip
    cycle_short = prev_short = False
    for t, d in enumerate(demand):
        r = pipeline.pop(t, 0.0)
        IL += r
        on_order -= r
        ip = IL + on_order
        q = 0.0
        if t >= offset and (t - offset) % R == 0:
            if policy == "sQ" and ip <= s:
                q = Q * (math.floor((s - ip) / Q) + 1)
            elif policy in ("sS", "RsS") and ip <= s:
                q = S - ip
            elif policy in ("RS", "base_stock") and ip < S:
                q = S - ip
        if q > 0:
            q = max(q, moq)
            if pack > 0:
                q = math.ceil(q / pack) * pack
            if L == 0:  # arrives at once, before the day's demand
                IL += q
                r += q
            else:
                pipeline[t + L] += q
                on_order += q
            out["orders"] += 1
            out["units_ordered"] += q
        if r > 0:  # a receipt closes a replenishment cycle
            out["cycles"] += 1
            out["stockout_cycles"] += cycle_short
            cycle_short = False
        on_hand = max(IL, 0.0)
        served = min(d, on_hand)
        IL -= d if unmet == "backorder" else served
        out["oh2"] += on_hand + max(IL, 0.0)
        out["demand"] += d
        out["filled"] += served
        short = d > served
        out["stockout_days"] += short
        out["stockout_events"] += short and not prev_short
        prev_short = short
        cycle_short |= short or IL < 0
    out["avg_on_hand"] = out.pop("oh2") / (2 * len(demand))
    out["end_on_hand"] = max(IL, 0.0)
    out["end_backorders"] = max(-IL, 0.0)
    out["end_on_order"] = on_order
    return out


sku_spec = st.fixed_dictionaries(
    {
        "policy": st.sampled_from(["sQ", "sS", "RS", "RsS", "base_stock"]),
        "s": st.integers(0, 60),
        "gap": st.integers(1, 80),
        "R": st.integers(1, 9),
        "offset": st.integers(0, 3),
        "L": st.integers(0, 12),
        "start": st.integers(0, 150),
        "moq": st.sampled_from([0, 0, 25]),
        "pack": st.sampled_from([0, 0, 6]),
        "mean": st.floats(0.0, 12.0),
    }
)


def _params(specs):
    p = {k: np.array([sp[k] for sp in specs]) for k in specs[0]}
    p["Q"] = p["gap"].astype(float)
    p["S"] = (p["s"] + p["gap"]).astype(float)
    periodic = np.isin(p["policy"], ["RS", "RsS"])
    p["R"] = np.where(periodic, p["R"], 1)
    p["offset"] = np.where(periodic, p["offset"], 0)
    return p


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    specs=st.lists(sku_spec, min_size=1, max_size=8),
    unmet=st.sampled_from(["backorder", "lost"]),
    days=st.integers(1, 120),
    chunk=st.integers(1, 40),
    seed=st.integers(0, 2**32 - 1),
)
def test_matches_one_sku_oracle_for_every_policy(specs, unmet, days, chunk, seed):
    """Mixed per-SKU policies in one vectorized run equal the plain loop, SKU by SKU."""
    p = _params(specs)
    rng = np.random.default_rng(seed)
    demand = rng.poisson(p["mean"], size=(days, len(specs))).astype(float)
    res = simulate(
        demand,
        policy=p["policy"],
        reorder_point=p["s"].astype(float),
        order_quantity=p["Q"],
        order_up_to=p["S"],
        review_period_days=p["R"],
        review_offset_days=p["offset"],
        lead_time_days=p["L"].astype(float),
        initial_stock=p["start"].astype(float),
        min_order_qty=p["moq"].astype(float),
        pack_size=p["pack"].astype(float),
        unmet=unmet,
        chunk_days=chunk,
        progress=False,
    )
    for i, sp in enumerate(specs):
        want = oracle(
            demand[:, i], policy=sp["policy"], s=p["s"][i], Q=p["Q"][i], S=p["S"][i],
            R=p["R"][i], offset=p["offset"][i], L=p["L"][i], start=p["start"][i],
            unmet=unmet, moq=p["moq"][i], pack=p["pack"][i],
        )  # fmt: skip
        got = res.summary.iloc[i]
        for key, value in want.items():
            assert_allclose(got[key], value, rtol=1e-9, atol=1e-9, err_msg=f"SKU {i} {key}")


# --------------------------------------------------------------------------- published


SHARP = {"d": 4.0, "Q": 200.0, "K": 10.0, "H": 0.5, "days_per_year": 250.0}


def test_zero_variability_is_the_eoq_saw_tooth():
    """Heizer & Render, Sharp, Inc.: D = 1,000/yr, 250 days, S = $10, H = $0.50, EOQ 200."""
    days, d, L = 1000, SHARP["d"], 5
    e = wb.eoq(d * 250, order_cost=SHARP["K"], holding_cost=SHARP["H"], days_per_year=250)
    Q = e.order_quantity
    assert Q == SHARP["Q"]
    res = simulate(
        np.full((days, 1), d), reorder_point=d * L, order_quantity=Q, lead_time_days=L,
        initial_stock=Q, order_cost=SHARP["K"], unit_cost=1.0, holding_cost_rate=SHARP["H"],
        days_per_year=SHARP["days_per_year"], trace_skus="all", progress=False,
    )  # fmt: skip
    tr = res.trace
    t = np.arange(days)
    cycle = int(Q / d)  # 50 days between orders
    assert_array_equal(tr["on_hand"], Q - d * (t % cycle + 1))  # Q-d, ..., d, 0, Q-d, ...
    assert_array_equal(tr["receipts"], np.where((t > 0) & (t % cycle == 0), Q, 0.0))
    assert_array_equal(tr["orders"], np.where(t % cycle == cycle - L, Q, 0.0))
    assert (tr["backorders"] == 0).all()
    row = res.summary.iloc[0]
    years = days / SHARP["days_per_year"]
    assert row["avg_on_hand"] == Q / 2
    assert row["fill_rate"] == 1.0
    assert row["cycle_service_level"] == 1.0
    # $50 ordering + $50 holding a year at the EOQ (H&R), as wb.eoq has it
    assert_allclose(row["ordering_cost"] / years, e.annual_ordering_cost, rtol=1e-12)
    assert_allclose(row["holding_cost"] / years, e.annual_holding_cost, rtol=1e-12)
    assert_allclose(e.annual_ordering_cost, 50.0)
    assert row["orders"] / years == e.orders_per_year


def test_deterministic_shortfall_every_cycle():
    """s two days short of the lead-time demand: 8 units short and one stockout per cycle."""
    res = simulate(
        np.full((1000, 1), 4.0), reorder_point=12, order_quantity=200, lead_time_days=5,
        initial_stock=200, trace_skus="all", progress=False,
    )  # fmt: skip
    row = res.summary.iloc[0]
    cycles = row["cycles"]
    assert cycles >= 19
    assert row["stockout_cycles"] == cycles  # every cycle ends short
    assert row["cycle_service_level"] == 0.0
    assert row["stockout_days"] == 2 * cycles  # the last two days before each receipt
    assert row["stockout_events"] == cycles
    assert row["short"] == 8 * cycles


def _G2(z):
    """Second-order normal loss: integral of G from z to infinity."""
    return 0.5 * ((z * z + 1) * stats.norm.sf(z) - z * stats.norm.pdf(z))


def _expected_backorders(days, mu, sd, s, Q):
    """E[(D_days - IP)^+] with IP uniform on (s, s + Q] (SPT ch. 7, the (s, Q) model)."""
    sx = sd * np.sqrt(days)
    k = (s - days * mu) / sx
    return sx * sx / Q * (_G2(k) - _G2(k + Q / sx))


@pytest.mark.parametrize(
    ("mu", "sd", "L", "Q", "s"),
    [
        (20.0, 5.0, 6, 100.0, 130.0),  # low safety stock: fill ~ 0.94
        (10.0, 3.0, 4, 150.0, 50.0),  # more stock: fill ~ 0.999
    ],
)
def test_normal_demand_sq_agrees_with_theory(mu, sd, L, Q, s):
    """Fill rate and average stock of (s, Q) under normal demand, within sampling error.

    With the simulator's day (receive, review, demand), IP after the review is
    uniform on (s, s + Q] and the level after receipts on day t is IP(t-L) less L
    days of demand, at the end of the day L + 1 days: units short per day =
    E[(D_{L+1} - IP)^+] - E[(D_L - IP)^+] (SPT's second-order loss function G2).
    """
    n, days = 300, 3000
    res = simulate(
        demand_mean=np.full(n, mu), demand_sd=sd, reorder_point=s, order_quantity=Q,
        lead_time_days=L, days=days, warmup_days=100, rng=7, progress=False,
    )  # fmt: skip
    b_l = _expected_backorders(L, mu, sd, s, Q)
    b_l1 = _expected_backorders(L + 1, mu, sd, s, Q)
    fill = 1 - (b_l1 - b_l) / mu
    avg_on_hand = s + Q / 2 - (L + 0.5) * mu + (b_l + b_l1) / 2
    f, a = res.summary["fill_rate"], res.summary["avg_on_hand"]
    # each SKU is an independent replicate: 4 standard errors of their mean
    assert abs(f.mean() - fill) < 4 * f.std() / np.sqrt(n) + 1e-4
    assert abs(a.mean() - avg_on_hand) < 4 * a.std() / np.sqrt(n)
    # the continuous-review textbook value 1 - sigma_L G(k) / Q over L days is higher:
    # daily review exposes up to one more day (SPT's protection interval L + R)
    sigma_l = sd * np.sqrt(L)
    textbook = 1 - sigma_l * wb.normal_loss((s - mu * L) / sigma_l) / Q
    assert f.mean() <= textbook + 4 * f.std() / np.sqrt(n)


def test_seed_reproducible_and_chunk_independent():
    kw = dict(
        demand_mean=[5.0, 9.0, 2.0], demand_sd=[2.0, 4.0, 1.5], reorder_point=[20, 40, 8],
        order_quantity=[30, 50, 10], lead_time_days=[4, 6, 2], lead_time_sd_days=[1, 2, 0.5],
        days=400, progress=False,
    )  # fmt: skip
    a = simulate(**kw, rng=11).summary
    b = simulate(**kw, rng=11, chunk_days=7).summary
    c = simulate(**kw, rng=12).summary
    pd.testing.assert_frame_equal(a, b)
    assert not a["demand"].equals(c["demand"])
    gen = np.random.default_rng(5)
    d1 = simulate(**kw, rng=gen).summary
    d2 = simulate(**kw, rng=gen).summary  # the generator has moved on
    assert not d1["demand"].equals(d2["demand"])


# --------------------------------------------------------------------------- conservation


@pytest.mark.parametrize("unmet", ["backorder", "lost"])
@pytest.mark.parametrize("model", ["normal", "gamma", "poisson", "negative_binomial"])
def test_conservation_every_sku_and_day(unmet, model):
    n = 40
    rng = np.random.default_rng(3)
    mu = rng.uniform(0.5, 20, n)
    res = simulate(
        demand_mean=mu, demand_sd=mu * rng.uniform(0.3, 1.5, n), demand_model=model,
        reorder_point=mu * 5, order_quantity=np.ceil(mu * 8), lead_time_days=rng.uniform(2, 9, n),
        lead_time_sd_days=rng.uniform(0, 3, n), min_order_qty=np.ceil(mu * 10),
        pack_size=np.where(np.arange(n) % 2, 4.0, 0.0), unmet=unmet, days=250, chunk_days=17,
        trace_skus="all", rng=9, progress=False,
    )  # fmt: skip
    tr = res.trace
    g = tr.groupby("sku", sort=False)
    prev_oh = g["on_hand"].shift(1)
    prev_bo = g["backorders"].shift(1)
    start = tr["sku"].map(res.summary["start_on_hand"])
    prev_oh = prev_oh.fillna(start)
    prev_bo = prev_bo.fillna(0.0)
    assert_allclose(tr["on_hand"], prev_oh + tr["receipts"] - tr["shipped"], atol=1e-8)
    assert (tr["shipped"] <= prev_oh + tr["receipts"] + 1e-9).all()  # never ship what is not there
    assert (tr["on_hand"] >= 0).all() and (tr["backorders"] >= 0).all()
    assert not ((tr["on_hand"] > 0) & (tr["backorders"] > 0)).any()
    if unmet == "backorder":
        assert_allclose(tr["backorders"], prev_bo + tr["demand"] - tr["shipped"], atol=1e-8)
    else:
        assert (tr["backorders"] == 0).all()
        lost = (g["demand"].sum() - g["shipped"].sum()).reindex(res.summary.index)
        assert_allclose(res.summary["lost_units"], lost)
    # the pipeline: what was ordered is received or still on order
    orders = tr.loc[tr["orders"] > 0]
    sku_moq = orders["sku"].map(pd.Series(np.ceil(mu * 10), index=res.summary.index))
    assert (orders["orders"] >= sku_moq - 1e-9).all()
    packed = orders["sku"].isin(res.summary.index[1::2])
    assert_allclose(np.mod(orders.loc[packed, "orders"], 4.0), 0.0, atol=1e-9)

    def total(col):
        return g[col].sum().reindex(res.summary.index)

    assert_allclose(total("receipts") + res.summary["end_on_order"], total("orders"))
    assert_allclose(res.summary["filled"], total("filled"))
    assert_allclose(res.summary["units_received"], total("receipts"))
    assert_allclose(res.summary["demand"], total("demand"))


def test_fixed_lead_time_receipts_follow_orders():
    res = simulate(
        demand_mean=[6.0, 3.0], demand_sd=[3.0, 1.0], reorder_point=[30, 10],
        order_quantity=[10, 5], lead_time_days=[7, 3], days=200, rng=1,
        trace_skus="all", progress=False,
    )  # fmt: skip
    for sku, lag in (("0", 7), ("1", 3)):
        tr = res.trace[res.trace["sku"] == sku]
        assert_array_equal(tr["receipts"].to_numpy()[lag:], tr["orders"].to_numpy()[:-lag])


def test_random_lead_times_have_the_asked_mean_and_sd():
    """Every SKU orders once on day 0 and sees no demand: the receipt day is its lead time."""
    n = 4000
    res = simulate(
        np.zeros((60, n)), reorder_point=0, order_quantity=1, lead_time_days=10,
        lead_time_sd_days=3, initial_stock=0, trace_skus="all", rng=2, progress=False,
    )  # fmt: skip
    tr = res.trace
    lt = tr.loc[tr["receipts"] > 0, "day"].to_numpy()
    assert lt.size == n
    # rounding to whole days adds ~1/12 day^2 of variance; 4 standard errors
    assert abs(lt.mean() - 10) < 4 * 3 / np.sqrt(n) + 0.05
    assert abs(lt.std() - np.sqrt(9 + 1 / 12)) < 0.2


@pytest.mark.parametrize("crossing", [True, False])
def test_order_crossing(crossing):
    """Without crossing, receipts come in order sequence: cumulative receipts hit order prefixes."""
    n = 30
    demand = np.random.default_rng(4).poisson(5, size=(300, n)).astype(float)
    res = simulate(
        demand, policy="base_stock", order_up_to=60, lead_time_days=8, lead_time_sd_days=4,
        order_crossing=crossing, trace_skus="all", rng=4, progress=False,
    )  # fmt: skip
    in_sequence = []
    for _, tr in res.trace.groupby("sku"):
        placed = np.cumsum(tr["orders"].to_numpy())
        got = np.cumsum(tr["receipts"].to_numpy())[tr["receipts"].to_numpy() > 0]
        in_sequence.append(np.isin(np.round(got, 6), np.round(placed, 6)).all())
    if crossing:
        assert not all(in_sequence)  # independent lead times overtake each other
    else:
        assert all(in_sequence)


def test_base_stock_orders_yesterdays_demand():
    demand = np.random.default_rng(8).poisson(4, size=(100, 3)).astype(float)
    res = simulate(
        demand, policy="base_stock", order_up_to=[40, 50, 60], lead_time_days=3,
        trace_skus="all", progress=False,
    )  # fmt: skip
    for i, (_, tr) in enumerate(res.trace.groupby("sku", sort=True)):
        assert_array_equal(tr["orders"].to_numpy()[1:], demand[:-1, i])


def test_review_period_orders_only_on_review_days():
    res = simulate(
        demand_mean=[5.0] * 3, demand_sd=2.0, policy="RS", order_up_to=100,
        review_period_days=[7, 7, 14], review_offset_days=[0, 3, 0], lead_time_days=2,
        days=100, rng=1, trace_skus="all", progress=False,
    )  # fmt: skip
    tr = res.trace[res.trace["orders"] > 0]
    for sku, (r, off) in {"0": (7, 0), "1": (7, 3), "2": (14, 0)}.items():
        days = tr.loc[tr["sku"] == sku, "day"].to_numpy()
        assert days.size > 3 and ((days - off) % r == 0).all()


# --------------------------------------------------------------------------- demand models


@pytest.mark.parametrize(
    ("model", "mean", "sd"),
    [("normal", 30.0, 6.0), ("gamma", 5.0, 4.0), ("poisson", 3.0, np.sqrt(3.0)),
     ("negative_binomial", 4.0, 5.0)],
)  # fmt: skip
def test_demand_models_have_the_asked_moments(model, mean, sd):
    res = simulate(
        demand_mean=[mean] * 50, demand_sd=sd, demand_model=model, reorder_point=0,
        order_quantity=1, lead_time_days=1, days=400, rng=3, trace_skus="all", progress=False,
    )  # fmt: skip
    d = res.trace["demand"].to_numpy()
    se = sd / np.sqrt(d.size)
    assert abs(d.mean() - mean) < 5 * se
    assert abs(d.std() - sd) < 0.05 * sd
    assert (d >= 0).all()
    if model in ("poisson", "negative_binomial"):
        assert_array_equal(d, np.round(d))


def test_bootstrap_draws_each_skus_own_history():
    hist = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])
    res = simulate(
        hist, demand_model="bootstrap", days=200, reorder_point=0, order_quantity=1,
        lead_time_days=1, rng=1, trace_skus="all", progress=False,
    )  # fmt: skip
    by = res.trace.groupby("sku")["demand"].unique()
    assert set(by["0"]) == {1.0, 2.0, 3.0}
    assert set(by["1"]) == {10.0, 20.0, 30.0}


def test_replay_of_a_demand_table_fills_absent_days_with_zero():
    table = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-01-01", "2026-01-04", "2026-01-02", "2026-01-02"]),
            "sku": ["B", "B", "A", "A"],
            "quantity": [5.0, 7.0, 1.0, 2.0],
        }
    )
    res = simulate(
        table, reorder_point=0, order_quantity=1, lead_time_days=1, trace_skus="all",
        progress=False,
    )  # fmt: skip
    tr = res.trace
    assert list(res.summary.index) == ["A", "B"]
    assert res.days == 4
    assert_array_equal(tr.loc[tr["sku"] == "A", "demand"], [0, 3, 0, 0])
    assert_array_equal(tr.loc[tr["sku"] == "B", "demand"], [5, 0, 0, 7])
    assert tr["date"].iloc[0] == pd.Timestamp("2026-01-01")


# --------------------------------------------------------------------------- input types


def test_series_parameters_are_aligned_by_sku():
    hist = np.full((50, 2), 2.0)
    base = simulate(hist, skus=["a", "b"], reorder_point=[4, 10], order_quantity=[20, 30],
                    lead_time_days=[2, 5], progress=False).summary  # fmt: skip
    rev = pd.Series({"b": 10.0, "a": 4.0})
    other = simulate(hist, skus=["a", "b"], reorder_point=rev,
                     order_quantity=pd.Series({"b": 30.0, "a": 20.0}),
                     lead_time_days=np.array([2.0, 5.0]), progress=False).summary  # fmt: skip
    pd.testing.assert_frame_equal(base, other)
    scalar = simulate(hist, skus=["a", "b"], reorder_point=4, order_quantity=20,
                      lead_time_days=2, progress=False).summary  # fmt: skip
    assert_allclose(scalar.loc["a"], base.loc["a"])


def test_empty_and_zero_days():
    res = simulate(np.zeros((10, 0)), reorder_point=1, order_quantity=1, lead_time_days=1,
                   progress=False)  # fmt: skip
    assert len(res.summary) == 0
    res = simulate(demand_mean=[3.0], reorder_point=1, order_quantity=5, lead_time_days=1,
                   days=0, progress=False)  # fmt: skip
    assert res.days == 0 and res.completed
    assert res.summary["demand"].iloc[0] == 0
    assert np.isnan(res.summary["fill_rate"].iloc[0])


def test_dataset_plan_lots_and_purchase_order_history():
    ds = wb.sample_dataset(n_skus=80, years=1, seed=5)
    plan = wb.plan(ds)
    res = simulate(ds, policy="plan", plan=plan, initial_stock="lots",
                   lead_time_model="history", rng=1, progress=False)  # fmt: skip
    s = res.summary
    assert list(s.index) == list(ds.items["sku"])
    lots = ds.lots.groupby("sku")["quantity"].sum().reindex(s.index).fillna(0)
    assert_allclose(s["start_on_hand"], lots)
    demand = ds.demand.groupby("sku")["quantity"].sum().reindex(s.index).fillna(0)
    assert_allclose(s["demand"], demand)
    assert s["fill_rate"].dropna().between(0, 1).all()
    # the plan's holding-cost inputs came from the items table
    assert_allclose(
        s["holding_cost"],
        s["avg_on_hand"] * ds.items.set_index("sku")["unit_cost"]
        * ds.items.set_index("sku")["holding_cost_rate"] * res.days / 365,
    )  # fmt: skip


# --------------------------------------------------------------------------- progress, stop


def test_progress_callable_and_stop():
    seen = []
    kw = dict(demand_mean=[2.0] * 5, reorder_point=3, order_quantity=10, lead_time_days=2,
              days=100, chunk_days=10)  # fmt: skip
    res = simulate(**kw, progress=seen.append)
    assert seen == pytest.approx([i / 10 for i in range(1, 11)])
    calls = []

    def stop():
        calls.append(1)
        return len(calls) > 3

    res = simulate(**kw, progress=False, stop=stop)
    assert not res.completed and res.stopped
    assert res.days == 30 and res.days_requested == 100
    assert res.summary["demand"].sum() > 0
    event = threading.Event()
    event.set()
    res = simulate(**kw, progress=False, stop=event)
    assert res.days == 0 and not res.completed


# --------------------------------------------------------------------------- messages


BASE = dict(demand_mean=[2.0], reorder_point=3, order_quantity=10, lead_time_days=2, days=5,
            progress=False)  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"policy": "xyz"}, r"policy must be one of sQ, sS, RS"),
        ({"reorder_point": None}, r"reorder_point \[units\] is required for policy sQ"),
        ({"order_quantity": -5}, r"order_quantity must be >= 0 \[units\]; got -5"),
        ({"lead_time_days": -1}, r"lead_time_days must be >= 0 \[days\]; got -1"),
        ({"lead_time_sd_days": -1}, r"lead_time_sd_days must be >= 0 \[days\]; got -1"),
        ({"unmet": "ignore"}, r"unmet must be 'backorder' or 'lost'"),
        ({"demand_model": "uniform"}, r"demand_model must be one of replay, normal"),
        ({"demand_model": "replay"}, r"demand_model 'replay' needs a demand history"),
        ({"rng": "seed"}, r"rng must be None, an int seed or a numpy Generator"),
        ({"days": -1}, r"days must be a whole number >= 0 \[days\]"),
        ({"unit_cost": -1}, r"unit_cost must be >= 0 \[\$/unit\]; got -1"),
        ({"holding_cost_rate": -0.2}, r"holding_cost_rate must be >= 0 \[1/year\]; got -0.2"),
        ({"min_order_qty": -1}, r"min_order_qty must be >= 0 \[units\]"),
        ({"pack_size": -2}, r"pack_size must be >= 0 \[units\]"),
        ({"initial_stock": "full"}, r"initial_stock must be 'order_up_to', 'lots' or numbers"),
        ({"initial_stock": "lots"}, r"initial_stock 'lots' needs a Dataset with a lots table"),
        ({"lead_time_model": "history"}, r"lead_time_model 'history' needs a Dataset"),
        ({"lead_time_model": "weibull", "lead_time_sd_days": 1},
         r"lead_time_model must be 'gamma', 'normal' or 'history'"),
        ({"trace_skus": ["nope"]}, r"trace_skus names unknown SKU\(s\): nope"),
        ({"reorder_point": np.nan}, r"reorder_point \[units\] is missing or not finite for 1 SKU"),
        ({"reorder_point": pd.Series({"other": 1.0})}, r"reorder_point .* missing .* SKU\(s\): 0"),
        ({"policy": "sS", "order_up_to": 1}, r"order_up_to must be >= reorder_point"),
        ({"policy": "RS", "order_up_to": 9}, r"review_period_days \[days\] is required for pol"),
        ({"chunk_days": 0}, r"chunk_days must be a whole number >= 1 \[days\]"),
        ({"warmup_days": 5}, r"warmup_days must be < days \(5\) \[days\]; got 5"),
        ({"days_per_year": 0}, r"days_per_year must be > 0 \[days/year\]"),
        ({"dtype": int}, r"dtype must be a float dtype"),
        ({"stop": 3}, r"stop must be None, a callable returning bool or a threading.Event"),
        ({"policy": "plan"}, r"policy 'plan' needs a plan table"),
    ],
)  # fmt: skip
def test_messages(change, message):
    with pytest.raises(ValueError, match=message):
        simulate(**{**BASE, **change})


@pytest.mark.parametrize("bad", [-2.0, np.nan])
def test_negative_or_missing_history_is_rejected(bad):
    demand = np.array([[1.0, 1.0], [1.0, bad]])
    with pytest.raises(ValueError, match=r"demand must be >= 0 \[units/day\]; the history "
                       r"holds (-2.0|nan) on day 1 for SKU b"):  # fmt: skip
        simulate(demand, skus=["a", "b"], reorder_point=1, order_quantity=1, lead_time_days=1)


def test_float32_state_is_exact_for_whole_units():
    demand = np.random.default_rng(6).poisson(7, size=(300, 20)).astype(float)
    kw = dict(reorder_point=40, order_quantity=60, lead_time_days=5, lead_time_sd_days=2,
              rng=3, progress=False)  # fmt: skip
    a = simulate(demand, dtype=np.float64, **kw).summary
    b = simulate(demand, dtype=np.float32, **kw).summary
    cols = ["demand", "filled", "orders", "stockout_days", "cycles", "end_on_hand"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    assert_allclose(a["avg_on_hand"], b["avg_on_hand"], rtol=1e-6)


@pytest.mark.parametrize("unmet", ["backorder", "lost"])
def test_warmup_days_leave_the_start_out_of_the_statistics(unmet):
    warm = 30
    res = simulate(
        demand_mean=[6.0, 2.0, 9.0], demand_sd=[2.0, 1.0, 5.0], reorder_point=[30, 6, 40],
        order_quantity=[25, 12, 30], lead_time_days=[4, 3, 6], lead_time_sd_days=1.0,
        days=200, warmup_days=warm, chunk_days=7, unmet=unmet, trace_skus="all", rng=5,
        progress=False,
    )  # fmt: skip
    tr = res.trace
    prev_oh = (
        tr.groupby("sku")["on_hand"].shift(1).fillna(tr["sku"].map(res.summary["start_on_hand"]))
    )
    tr = tr.assign(
        oh_mid=(prev_oh + tr["receipts"] + tr["on_hand"] - tr["shipped"] + tr["filled"]) / 2
    )
    late = tr[tr["day"] >= warm].groupby("sku")
    s = res.summary
    assert_allclose(s["demand"], late["demand"].sum().reindex(s.index))
    assert_allclose(s["units_received"], late["receipts"].sum().reindex(s.index), atol=1e-9)
    assert_allclose(s["units_ordered"], late["orders"].sum().reindex(s.index))
    assert_array_equal(
        s["orders"], (late["orders"].apply(lambda x: (x > 0).sum())).reindex(s.index)
    )
    assert_allclose(s["filled"], late["filled"].sum().reindex(s.index))
    # time-average stock: the mean of on hand after receipts (backorders served) and at the end
    assert_allclose(s["avg_on_hand"], late["oh_mid"].mean().reindex(s.index))
    assert res.settings["warmup_days"] == warm and res.days == 200


def test_lead_times_from_purchase_order_history():
    """SKU A's purchase orders took 3, 9 and 3 days: its simulated orders take 3 or 9."""
    items = pd.DataFrame(
        {"sku": ["A", "B"], "unit_cost": [2.0, 3.0], "lead_time_days": [5.0, 4.0],
         "inventory_type": "finished_good"}
    )  # fmt: skip
    dates = pd.date_range("2026-01-01", periods=200)
    demand = pd.DataFrame({"date": np.repeat(dates, 2), "sku": ["A", "B"] * 200, "quantity": 3.0})
    po = pd.DataFrame(
        {
            "po_id": ["p1", "p2", "p3"], "sku": ["A", "A", "A"], "supplier_id": ["S"] * 3,
            "order_date": pd.to_datetime(["2025-10-01", "2025-11-01", "2025-12-01"]),
            "received_date": pd.to_datetime(["2025-10-04", "2025-11-10", "2025-12-04"]),
            "quantity": [10.0, 10.0, 10.0],
        }
    )  # fmt: skip
    ds = wb.Dataset.from_tables({"items": items, "demand": demand, "purchase_orders": po},
                                source="test")  # fmt: skip
    res = simulate(ds, reorder_point=10, order_quantity=10, lead_time_model="history",
                   trace_skus="all", rng=1, progress=False)  # fmt: skip
    tr = res.trace
    a = tr[tr["sku"] == "A"]
    placed = a.loc[a["orders"] > 0, "day"].to_numpy()
    arrived = a.loc[a["receipts"] > 0, "day"].to_numpy()
    lags = {int(r - o) for r in arrived for o in placed if r - o in (3, 9)}
    assert lags == {3, 9}
    assert set(arrived) <= set(placed + 3) | set(placed + 9)
    b = tr[tr["sku"] == "B"]  # no history: its fixed 4 days
    assert_array_equal(b["receipts"].to_numpy()[4:], b["orders"].to_numpy()[:-4])
