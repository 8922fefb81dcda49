"""MRP with open production orders, per-item lot-sizing rules, and the sample's plan.

- Open production (work) orders are scheduled receipts of made items, in the record
  ``POH_t = POH_{t-1} + SR_t + PR_t - GR_t`` of Heizer & Render (2017, ch. 14); the
  records below are worked by hand in the docstrings.
- An item's own ``lot_sizing`` (items table) is checked against the published Jacobs &
  Chase (ch. 21) part-period-balancing example: requirements 50, 60, 70, 60, 95, 75, 60,
  55, S = $47, h = $0.05/unit/week -> lots of 335 (week 1) and 190 (week 6), $140.50.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.data.dataset import Dataset
from workbench.data.errors import DataError
from workbench.data.schema import LOT_SIZING_RULES
from workbench.mrp.engine import mrp

AS_OF = pd.Timestamp("2026-01-04")  # a Sunday: week 1 is the week of Monday 2026-01-05


def week(k: int) -> pd.Timestamp:
    """First day of textbook week k (1-based)."""
    return AS_OF + pd.Timedelta(days=1 + 7 * (k - 1))


def business(
    orders: list[tuple[str, pd.Timestamp | None, pd.Timestamp, float]] = (),
    *,
    schedule: dict[str, dict[int, float]] | None = None,
    on_hand: dict[str, float] | None = None,
    validate: bool = True,
) -> Dataset:
    """A finished good A (lead 7 days) made from 2 of C (work in progress, lead 7 days),
    C made from K (a raw material); B and D finished goods made from K; production
    orders as (sku, start, due, quantity), open."""
    tables = {
        "items": pd.DataFrame(
            {
                "sku": ["A", "B", "C", "K", "D"],
                "inventory_type": [
                    "finished_good",
                    "finished_good",
                    "wip",
                    "raw_material",
                    "finished_good",
                ],
                "unit_cost": 1.0,
                "lead_time_days": 7.0,
                "order_cost": 0.0,
                "holding_cost_rate": 0.0,
                "min_order_qty": 0.0,
            }
        ),
        "demand": pd.DataFrame({"date": [AS_OF], "sku": ["A"], "quantity": [0.0]}),
    }
    tables["bom"] = pd.DataFrame(
        {"parent_sku": ["A", "C", "B", "D"], "component_sku": ["C", "K", "K", "K"],
         "quantity_per": [2.0, 1.0, 1.0, 1.0]}
    )  # fmt: skip
    if schedule:
        tables["schedule"] = pd.DataFrame(
            [
                {"sku": s, "period_start": week(k), "quantity": q}
                for s, by_week in schedule.items()
                for k, q in by_week.items()
            ]
        )
    if on_hand:
        tables["lots"] = pd.DataFrame(
            [
                {"sku": s, "lot_id": f"L{i}", "received_date": AS_OF, "quantity": q}
                for i, (s, q) in enumerate(on_hand.items())
            ]
        )
    if not orders:
        return Dataset.from_tables(tables)
    prod = pd.DataFrame(
        [
            {"order_id": f"W{i + 1}", "sku": s, "start_date": start, "due_date": due,
             "received_date": pd.NaT, "quantity": q}
            for i, (s, start, due, q) in enumerate(orders)
        ]
    )  # fmt: skip
    if validate:
        return Dataset.from_tables({**tables, "production_orders": prod})
    ds = Dataset.from_tables(tables)  # the other tables loaded; the orders as they are
    return Dataset({**ds.tables, "production_orders": prod})


def line(res, sku: str, name: str, weeks: int = 4) -> list[float]:
    return res.record(sku).loc[name].to_numpy()[:weeks].tolist()


# ------------------------------------------------------------------ production orders


def test_open_production_order_is_a_scheduled_receipt():
    """A: 25 on hand, 20 a week scheduled, an open order of 15 due in week 2 (started
    before as_of, so C was issued to it). Lot for lot, lead time 1 week:

    ====== ==== ==== ==== ====
    week     1    2    3    4
    GR      20   20   20   20
    SR       0   15    0    0
    POH      5    0    0    0
    NR       0    0   20   20
    PR       0    0   20   20
    PORel    0   20   20    0
    ====== ==== ==== ==== ====

    C's gross requirements are A's releases x 2 = 0, 40, 40, 0. Without the order A
    would release 15 in week 1 (and C need 30 more)."""
    sched = {"A": {1: 20, 2: 20, 3: 20, 4: 20}}
    ds = business([("A", week(1) - pd.Timedelta(days=8), week(2), 15.0)],
                  schedule=sched, on_hand={"A": 25})  # fmt: skip
    res = mrp(ds, horizon=4, as_of=AS_OF)
    assert line(res, "A", "scheduled_receipts") == [0, 15, 0, 0]
    assert line(res, "A", "projected_on_hand") == [5, 0, 0, 0]
    assert line(res, "A", "planned_releases") == [0, 20, 20, 0]
    assert line(res, "C", "gross_requirements") == [0, 40, 40, 0]
    assert res.summary.loc["A", "scheduled_receipts"] == 15
    without = mrp(business(schedule=sched, on_hand={"A": 25}), horizon=4, as_of=AS_OF)
    assert line(without, "A", "planned_releases") == [15, 20, 20, 0]
    assert line(without, "C", "gross_requirements") == [30, 40, 40, 0]


def test_an_order_not_started_still_needs_its_components():
    """An open order of 10 A starting in week 3 (after as_of), due in week 4: C's gross
    requirement in week 3 is 10 x 2 = 20, pegged to A with no planned parent order."""
    ds = business([("A", week(3), week(4), 10.0)], schedule={"A": {4: 10}})
    res = mrp(ds, horizon=4, as_of=AS_OF)
    assert line(res, "A", "planned_receipts") == [0, 0, 0, 0]
    assert line(res, "C", "gross_requirements") == [0, 0, 20, 0]
    peg = res.pegging[(res.pegging["sku"] == "C") & (res.pegging["period"] == week(3))]
    assert peg["parent_sku"].tolist() == ["A"] and peg["parent_order_id"].isna().all()
    # a blank start date is the due date less the lead time: week 3 again
    ds2 = business([("A", None, week(4), 10.0)], schedule={"A": {4: 10}})
    assert line(mrp(ds2, horizon=4, as_of=AS_OF), "C", "gross_requirements") == [0, 0, 20, 0]


def test_production_orders_get_action_messages_like_purchase_orders():
    """Needed earlier than due: expedite; later: defer; not at all: cancel; due before
    as_of and still open: past due, chase the workshop."""
    orders = [
        ("A", week(1) - pd.Timedelta(days=14), week(4), 10.0),  # needed in week 2
        ("B", week(1) - pd.Timedelta(days=14), week(1), 10.0),  # needed in week 4
        ("D", week(1) - pd.Timedelta(days=14), week(2), 5.0),  # nothing needs D
        ("B", AS_OF - pd.Timedelta(days=10), AS_OF - pd.Timedelta(days=3), 4.0),
    ]
    res = mrp(business(orders, schedule={"A": {2: 10}, "B": {4: 14}}), horizon=6, as_of=AS_OF)
    act = res.actions.set_index("reference")
    assert act.loc["W1", "action"] == "expedite" and act.loc["W1", "new_date"] == week(2)
    assert act.loc["W2", "action"] == "defer" and act.loc["W2", "new_date"] == week(4)
    assert act.loc["W3", "action"] == "cancel"
    assert act.loc["W4", "action"] == "past due"
    assert "production order" in act.loc["W4", "message"]
    assert "workshop" in act.loc["W4", "message"]


def test_loader_names_file_row_column_and_value_of_bad_production_orders():
    items = (
        "sku,inventory_type,unit_cost,lead_time_days\n"
        "A,finished_good,5,3\nK,raw_material,1,7\nC,wip,2,2\n"
    )
    demand = "date,sku,quantity\n2026-01-01,A,3\n"
    bom = "parent_sku,component_sku,quantity_per\nA,C,1\nC,K,2\n"
    orders = (
        "order_id,sku,start_date,due_date,quantity\n"
        "W1,A,2026-01-02,2026-01-06,10\n"  # fine
        "W2,K,2026-01-02,2026-01-06,5\n"  # a bought item
        "W3,Z,2026-01-02,2026-01-06,5\n"  # unknown
        "W4,C,2026-01-02,2026-01-06,-5\n"  # negative
        "W5,C,2026-01-08,2026-01-06,5\n"  # due before start
    )
    files = {"items.csv": items, "demand.csv": demand, "bom.csv": bom}
    files = {k: v.encode() for k, v in files.items()}
    with pytest.raises(DataError) as err:
        wb.load_uploaded({**files, "production_orders.csv": orders.encode()})
    got = {(p.file, p.row, p.column, p.value) for p in err.value.problems}
    assert got == {
        ("production_orders.csv", 3, "sku", "K"),
        ("production_orders.csv", 4, "sku", "Z"),
        ("production_orders.csv", 5, "quantity", "-5"),
        ("production_orders.csv", 6, "due_date", "2026-01-06"),
    }
    bought = next(p for p in err.value.problems if p.value == "K")
    assert "made in house" in bought.expected and "bom.csv" in bought.expected
    ok = wb.load_uploaded({**files, "production_orders.csv": orders.split("W2")[0].encode()})
    assert ok.production_orders["order_id"].tolist() == ["W1"]
    # without a BOM, a raw material's order is refused and a finished good's accepted
    no_bom = {k: v for k, v in files.items() if k != "bom.csv"}
    with pytest.raises(DataError) as err:
        wb.load_uploaded({**no_bom, "production_orders.csv": orders.split("W3")[0].encode()})
    assert [(p.row, p.column, p.value) for p in err.value.problems] == [(3, "sku", "K")]


def test_engine_checks_production_orders_of_an_unvalidated_dataset():
    ds = business([("Z", None, week(2), 5.0), ("K", None, week(2), 5.0),
                   ("A", None, week(2), -1.0)], validate=False)  # fmt: skip
    with pytest.raises(DataError) as err:
        mrp(ds, horizon=4, as_of=AS_OF)
    got = {(p.file, p.row, p.column, p.value) for p in err.value.problems}
    assert got == {
        ("table 'production_orders'", 1, "sku", "Z"),
        ("table 'production_orders'", 2, "sku", "K"),
        ("table 'production_orders'", 3, "quantity", -1.0),
    }


# ------------------------------------------------------------------ per-item lot sizing

JC = [50, 60, 70, 60, 95, 75, 60, 55]


def lot_business(rules: list[str | None], *, validate: bool = True) -> Dataset:
    """Items X and Y with Jacobs & Chase's requirements as their schedule, no stock, no
    lead time, S = $47 and h = 0.5 % a week of $10 = $0.05/unit/week."""
    skus = ["X", "Y"]
    tables = {
        "items": pd.DataFrame(
            {
                "sku": skus,
                "inventory_type": "finished_good",
                "unit_cost": 10.0,
                "lead_time_days": 0.0,
                "order_cost": 47.0,
                "holding_cost_rate": 0.005 * 365 / 7,  # [1/year]: $0.05 a week
                "min_order_qty": 0.0,
                "lot_sizing": rules,
            }
        ),
        "demand": pd.DataFrame({"date": [AS_OF], "sku": ["X"], "quantity": [0.0]}),
    }
    tables["schedule"] = pd.DataFrame(
        [{"sku": s, "period_start": week(k + 1), "quantity": q}
         for s in skus for k, q in enumerate(JC)]
    )  # fmt: skip
    if validate:
        return Dataset.from_tables(tables)
    ds = Dataset.from_tables({**tables, "items": tables["items"].assign(lot_sizing=None)})
    items = ds.items.assign(lot_sizing=pd.Series(rules, dtype=object))
    return Dataset({**ds.tables, "items": items})


def test_an_items_own_rule_overrides_the_plans_rule():
    res = mrp(lot_business(["part_period_balancing", None]), horizon=8, as_of=AS_OF)
    rec = res.records.pivot(index="sku", columns="period", values="planned_receipts")
    assert_allclose(rec.loc["X"], [335, 0, 0, 0, 0, 190, 0, 0])  # Jacobs & Chase PPB
    assert_allclose(rec.loc["Y"], JC)  # the plan's rule: lot for lot
    s = res.summary
    assert s.loc["X", "lot_sizing"] == "part_period_balancing"
    assert s.loc["X", "lot_sizing_source"] == "item"
    assert (s.loc["Y", "lot_sizing"], s.loc["Y", "lot_sizing_source"]) == ("lot_for_lot", "plan")
    # PPB's cost, as published: 2 x $47 + (760 + 170) part-weeks x $0.05 = $140.50
    x = res.record("X")
    cost = 47 * (x.loc["planned_receipts"] > 0).sum() + 0.05 * x.loc["projected_on_hand"].sum()
    assert cost == pytest.approx(140.50)
    # the plan's rule applies to Y only; a per-SKU argument overrides the item's own
    ww = mrp(lot_business(["part_period_balancing", None]), horizon=8, as_of=AS_OF,
             lot_sizing="wagner_whitin").summary  # fmt: skip
    assert ww["lot_sizing"].tolist() == ["part_period_balancing", "wagner_whitin"]
    arg = mrp(lot_business(["part_period_balancing", None]), horizon=8, as_of=AS_OF,
              lot_sizing={"X": "L4L"}).summary  # fmt: skip
    assert arg.loc["X", "lot_sizing"] == "lot_for_lot"
    assert arg.loc["X", "lot_sizing_source"] == "argument"


def test_the_scenarios_rule_is_the_plans_rule_below_an_items_own():
    """Scenario(lot_sizing=...) plans as the same rule given to ``wb.mrp``; an item's
    own rule and a per-SKU argument still come first, a one-rule argument overrides the
    scenario's; ``lot_sizing_source`` says which (issue 13: "chosen in the scenario or
    per item")."""
    ds = lot_business(["part_period_balancing", None])
    scn = wb.Scenario(lot_sizing="wagner_whitin")
    by_scenario = mrp(ds, scn, horizon=8, as_of=AS_OF)
    by_argument = mrp(ds, horizon=8, as_of=AS_OF, lot_sizing="wagner_whitin")
    pd.testing.assert_frame_equal(by_scenario.records, by_argument.records)
    pd.testing.assert_frame_equal(by_scenario.planned_orders, by_argument.planned_orders)
    s = by_scenario.summary
    assert s["lot_sizing"].tolist() == ["part_period_balancing", "wagner_whitin"]
    assert s["lot_sizing_source"].tolist() == ["item", "scenario"]
    assert by_argument.summary["lot_sizing_source"].tolist() == ["item", "plan"]
    rec = by_scenario.records.pivot(index="sku", columns="period", values="planned_receipts")
    assert_allclose(rec.loc["X"], [335, 0, 0, 0, 0, 190, 0, 0])  # its own rule: J&C's PPB
    ww = wb.lot_size(np.array(JC, float), method="wagner_whitin", order_cost=47.0,
                     holding_cost=0.05)  # fmt: skip
    assert_allclose(rec.loc["Y"], ww.receipts)
    assert not np.allclose(rec.loc["Y"], JC)  # not lot for lot
    assert ww.total_cost <= 140.50 + 1e-9  # optimal: never above J&C's PPB plan
    # a one-rule argument overrides the scenario's; a per-SKU one falls back to it
    sm = mrp(ds, scn, horizon=8, as_of=AS_OF, lot_sizing="silver_meal").summary
    assert (sm.loc["Y", "lot_sizing"], sm.loc["Y", "lot_sizing_source"]) == (
        "silver_meal", "plan")  # fmt: skip
    per = mrp(ds, scn, horizon=8, as_of=AS_OF, lot_sizing={"X": "L4L"}).summary
    assert per["lot_sizing"].tolist() == ["lot_for_lot", "wagner_whitin"]
    assert per["lot_sizing_source"].tolist() == ["argument", "scenario"]
    # the default scenario plans lot for lot, and says it is the scenario's rule
    base = mrp(lot_business([None, None]), wb.Scenario(), horizon=8, as_of=AS_OF).summary
    assert base["lot_sizing"].tolist() == ["lot_for_lot"] * 2
    assert base["lot_sizing_source"].tolist() == ["scenario"] * 2
    none = mrp(lot_business([None, None]), horizon=8, as_of=AS_OF).summary
    assert none["lot_sizing_source"].tolist() == ["plan"] * 2


def test_a_bad_rule_is_a_data_error_naming_the_row():
    items = (
        "sku,inventory_type,unit_cost,lot_sizing\n"
        "A,finished_good,5,Wagner-Whitin\nB,finished_good,5,cheapest\nC,wip,1,\n"
    )
    demand = "date,sku,quantity\n2026-01-01,A,3\n"
    with pytest.raises(DataError) as err:
        wb.load_uploaded({"items.csv": items.encode(), "demand.csv": demand.encode()})
    [p] = err.value.problems
    assert (p.file, p.row, p.column, p.value) == ("items.csv", 3, "lot_sizing", "cheapest")
    assert "wagner_whitin" in p.expected
    ok = wb.load_uploaded({"items.csv": items.replace("cheapest", "").encode(),
                           "demand.csv": demand.encode()})  # fmt: skip
    assert ok.items["lot_sizing"].astype(object).tolist()[0] == "wagner_whitin"
    # the engine checks an unvalidated dataset too
    with pytest.raises(DataError) as err:
        mrp(lot_business(["fastest", None], validate=False), horizon=8, as_of=AS_OF)
    [p] = err.value.problems
    assert (p.row, p.column, p.value) == (1, "lot_sizing", "fastest")


def test_the_loaders_rules_are_the_lot_sizing_methods():
    assert LOT_SIZING_RULES == wb.LOT_SIZING_METHODS


# ------------------------------------------------------------------ the sample business


@pytest.fixture(scope="module")
def sample():
    return wb.sample_dataset()


def test_sample_production_orders_are_open_runs_of_made_items(sample):
    po = sample.production_orders
    assert len(po) > 0 and po["received_date"].isna().all()
    assert po["sku"].isin(sample.bom["parent_sku"]).all()
    as_of = sample.demand_period[1]
    first_monday = as_of + pd.Timedelta(days=7 - as_of.day_of_week)
    assert (po["due_date"] >= first_monday).all()
    assert (po["due_date"] >= po["start_date"]).all()
    lead = po["sku"].map(sample.items.set_index("sku")["lead_time_days"])
    assert_allclose((po["due_date"] - po["start_date"]).dt.days, lead)
    assert (po["quantity"] > 0).all()


def test_sample_plan_is_meaningful(sample):
    """The plan of the sample business on its last day: the workshop has released the
    runs its stock needs, so no made item is past due, and at most 2 % of planned orders
    are (bought parts whose open purchase orders are short; before open production
    orders and the nearest-bucket offset: 130 of 1,407, 93 of them finished goods)."""
    res = mrp(sample)
    po = res.planned_orders
    types = sample.items.set_index("sku")["inventory_type"].astype(str)
    late = po[po["past_due"]]
    assert set(late["sku"].astype(str).map(types)) <= {"raw_material"}
    assert (late["kind"] == "purchase").all()
    assert len(late) <= 0.02 * len(po)
    assert res.summary["scheduled_receipts"].sum() >= sample.production_orders["quantity"].sum()
    assert (res.summary["lot_sizing_source"] == "item").sum() == (
        sample.items["lot_sizing"].notna().sum()
    )
    # rounding lead times up plans the same runs a week earlier: more past due
    up = mrp(sample, lead_time_rounding="up").planned_orders
    assert up["past_due"].sum() > late.shape[0]
    assert np.isfinite(po["quantity"]).all()


# ------------------------------------------------------------------ property


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_random_plans_with_production_orders_balance(seed):
    """A random three-level product family with open production orders on made items
    (some started, some not): every record balances (``POH_t = POH_{t-1} + SR_t + PR_t -
    GR_t``), lot-for-lot keeps it at or above zero, each open order is counted once as a
    receipt, and a component's gross requirement is its parents' planned releases plus
    their unstarted orders, times ``quantity_per / (1 - scrap_rate)``."""
    rng = np.random.default_rng(seed)
    n, T = 30, 12
    level = np.sort(rng.integers(0, 3, n))
    level[0] = 0
    skus = [f"I{i:02d}" for i in range(n)]
    bom = []
    for i in range(n):
        parents = np.flatnonzero(level < level[i])
        for p in rng.choice(parents, size=min(len(parents), 2), replace=False):
            bom.append((skus[p], skus[i], float(rng.integers(1, 4)), float(rng.choice([0, 0.1]))))
    bom = pd.DataFrame(bom, columns=["parent_sku", "component_sku", "quantity_per", "scrap_rate"])
    made = sorted(set(bom["parent_sku"]))
    tables = {
        "items": pd.DataFrame(
            {
                "sku": skus,
                "inventory_type": np.where(level == 0, "finished_good", "wip"),
                "unit_cost": 1.0,
                "lead_time_days": rng.choice([0.0, 3.0, 7.0, 14.0], n),
                "min_order_qty": 0.0,
            }
        ),
        "demand": pd.DataFrame({"date": [AS_OF], "sku": [skus[0]], "quantity": [0.0]}),
        "bom": bom,
        "schedule": pd.DataFrame(
            [
                {"sku": s, "period_start": week(k), "quantity": float(rng.integers(0, 40))}
                for s, lv in zip(skus, level, strict=True)
                if lv == 0
                for k in range(1, T + 1)
            ]
        ),
        "lots": pd.DataFrame(
            {
                "sku": skus,
                "lot_id": [f"L{i}" for i in range(n)],
                "received_date": AS_OF,
                "quantity": rng.integers(0, 60, n).astype(float),
            }
        ),
    }
    k = rng.integers(-1, T, 2 * len(made))  # due week (0 = before the first: past due)
    due = [week(int(x)) if x > 0 else AS_OF - pd.Timedelta(days=2) for x in k]
    start = [d - pd.Timedelta(days=int(rng.choice([3, 10, 20]))) for d in due]
    tables["production_orders"] = pd.DataFrame(
        {"order_id": [f"W{i}" for i in range(len(k))], "sku": made * 2, "start_date": start,
         "due_date": due, "quantity": rng.integers(1, 50, len(k)).astype(float)}
    )  # fmt: skip
    ds = Dataset.from_tables(tables)
    res = mrp(ds, horizon=T, as_of=AS_OF)
    r = res.records.sort_values(["sku", "period"])
    g = {c: r.pivot(index="sku", columns="period", values=c) for c in r.columns[2:]}
    on_hand = tables["lots"].set_index("sku")["quantity"].reindex(g["gross_requirements"].index)
    flow = g["scheduled_receipts"] + g["planned_receipts"] - g["gross_requirements"]
    assert_allclose(g["projected_on_hand"], on_hand.to_numpy()[:, None] + flow.cumsum(axis=1))
    assert (g["projected_on_hand"].to_numpy() >= -1e-9).all()
    po = tables["production_orders"]
    assert g["scheduled_receipts"].to_numpy().sum() == pytest.approx(po["quantity"].sum())
    # the explosion: parents' releases, and their orders not started by as_of
    unstarted = po[po["start_date"] > AS_OF]
    firm = pd.DataFrame(0.0, index=g["gross_requirements"].index, columns=res.periods)
    for s, st, q in zip(unstarted["sku"], unstarted["start_date"], unstarted["quantity"],
                        strict=True):  # fmt: skip
        kk = max(int((st - week(1)).days // 7), 0)
        if kk < T:
            firm.loc[s, res.periods[kk]] += q
    want = pd.DataFrame(0.0, index=firm.index, columns=res.periods)
    for p, c, q, sr in bom.itertuples(index=False):
        want.loc[c] += (g["planned_releases"].loc[p] + firm.loc[p]) * q / (1 - sr)
    comps = sorted(set(bom["component_sku"]))
    assert_allclose(g["gross_requirements"].loc[comps], want.loc[comps], atol=1e-9)
    assert (want.loc[comps].to_numpy() > 0).any()
