"""MRP engine: published multi-level examples, properties, bad input.

Imports go through ``workbench.mrp.engine`` (``wb.mrp`` is the function, which shadows
the subpackage as an attribute of ``workbench``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.data.dataset import Dataset
from workbench.data.errors import DataError
from workbench.mrp.engine import MRPResult, low_level_codes, mrp
from workbench.mrp.records import net_requirements, offset_releases, time_phased_record

AS_OF = pd.Timestamp("2026-01-04")  # a Sunday: week 1 is the week of Monday 2026-01-05


def week(k: int) -> pd.Timestamp:
    """First day of textbook week k (1-based)."""
    return AS_OF + pd.Timedelta(days=1 + 7 * (k - 1))


def make(
    items: list[dict],
    *,
    bom: list[tuple] = (),
    schedule: dict[str, dict[int, float]] | None = None,
    on_hand: dict[str, float] | None = None,
    receipts: list[tuple[str, int, float]] = (),
    validate: bool = True,
) -> Dataset:
    """A small dataset: items with lead times in weeks, a schedule by week number."""
    it = pd.DataFrame(
        [
            {
                "sku": d["sku"],
                "inventory_type": d.get("type", "wip"),
                "unit_cost": d.get("cost", 1.0),
                "lead_time_days": 7.0 * d["lt"] if d.get("lt") is not None else np.nan,
                "order_cost": d.get("S", 0.0),
                "holding_cost_rate": d.get("rate", 0.0),
                "min_order_qty": d.get("moq", 0.0),
                "pack_size": d.get("pack", 1.0),
                "current_order_quantity": d.get("foq", np.nan),
                "supplier_id": d.get("supplier"),
            }
            for d in items
        ]
    )
    tables = {
        "items": it,
        "demand": pd.DataFrame({"date": [AS_OF], "sku": [items[0]["sku"]], "quantity": [0.0]}),
    }
    if bom:
        tables["bom"] = pd.DataFrame(
            [
                {"parent_sku": p, "component_sku": c, "quantity_per": q, "scrap_rate": s}
                for p, c, q, *rest in bom
                for s in [rest[0] if rest else 0.0]
            ]
        )
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
    if receipts:
        tables["purchase_orders"] = pd.DataFrame(
            [
                {
                    "po_id": f"PO{i}",
                    "sku": s,
                    "order_date": AS_OF - pd.Timedelta(days=30),
                    "promised_date": week(k),
                    "quantity": q,
                }
                for i, (s, k, q) in enumerate(receipts)
            ]
        )
    if not validate:
        return Dataset(tables)
    return Dataset.from_tables(tables)


def grid(res: MRPResult, sku: str, line: str, weeks: int) -> list[float]:
    """One line of an item's record for textbook weeks 1..weeks."""
    return res.record(sku).loc[line].to_numpy()[:weeks].tolist()


# ----------------------------------------------------------------------------- published


def test_jacobs_chase_six_item_explosion():
    """Jacobs & Chase, Operations and Supply Chain Management (15th ed., 2018), ch. 21
    problem: A = 2 B + 3 C, B = 2 D + 3 E, C = 2 F + 1 E; lead times A 1, B/C/E 2, D/F 3
    weeks; 95 A in week 10, nothing on hand. E is used at two levels: low-level code 2.
    Solution (lot-for-lot): A released 95 in week 9; B 190 and C 285 in week 7; D 380
    and F 570 in week 4; E 855 (3 x 190 + 285) in week 5."""
    items = [
        {"sku": "A", "lt": 1, "type": "finished_good"},
        {"sku": "B", "lt": 2},
        {"sku": "C", "lt": 2},
        {"sku": "D", "lt": 3, "type": "raw_material"},
        {"sku": "E", "lt": 2, "type": "raw_material"},
        {"sku": "F", "lt": 3, "type": "raw_material"},
    ]
    bom = [("A", "B", 2), ("A", "C", 3), ("B", "D", 2), ("B", "E", 3), ("C", "F", 2),
           ("C", "E", 1)]  # fmt: skip
    ds = make(items, bom=bom, schedule={"A": {10: 95}})
    res = mrp(ds, horizon=10, as_of=AS_OF)
    assert res.summary["low_level_code"].to_dict() == {
        "A": 0, "B": 1, "C": 1, "D": 2, "E": 2, "F": 2}  # fmt: skip
    releases = {s: dict.fromkeys(range(1, 11), 0.0) for s in "ABCDEF"}
    for s, k, q in [("A", 9, 95), ("B", 7, 190), ("C", 7, 285), ("D", 4, 380),
                    ("E", 5, 855), ("F", 4, 570)]:  # fmt: skip
        releases[s][k] = q
    for s in "ABCDEF":
        assert grid(res, s, "planned_releases", 10) == list(releases[s].values()), s
    assert (res.planned_orders["kind"] == "production").sum() == 3  # A, B, C are made
    assert res.actions.empty or not (res.actions["action"] == "past due").any()


def test_krajewski_seat_subassembly_record():
    """Krajewski, Malhotra & Ritzman, Operations Management (11th ed., 2016), ch. 16,
    the ladder-back chair's seat subassembly (C20): fixed lot 230, lead time 2 weeks,
    37 on hand, a scheduled receipt of 230 in week 1; gross requirements 150, 0, 0, 120,
    0, 150, 120, 0. Projected on hand 117, 117, 117, 227, 227, 77, 187, 187; planned
    receipts of 230 in weeks 4 and 7, released in weeks 2 and 5."""
    ds = make(
        [{"sku": "C20", "lt": 2, "foq": 230, "type": "finished_good"}],
        schedule={"C20": {1: 150, 4: 120, 6: 150, 7: 120}},
        on_hand={"C20": 37},
        receipts=[("C20", 1, 230)],
    )
    res = mrp(ds, horizon=8, as_of=AS_OF, lot_sizing="fixed_order_quantity")
    assert grid(res, "C20", "gross_requirements", 8) == [150, 0, 0, 120, 0, 150, 120, 0]
    assert grid(res, "C20", "scheduled_receipts", 8) == [230, 0, 0, 0, 0, 0, 0, 0]
    assert grid(res, "C20", "projected_on_hand", 8) == [117, 117, 117, 227, 227, 77, 187, 187]
    assert grid(res, "C20", "planned_receipts", 8) == [0, 0, 0, 230, 0, 0, 230, 0]
    assert grid(res, "C20", "planned_releases", 8) == [0, 230, 0, 0, 230, 0, 0, 0]
    assert grid(res, "C20", "net_requirements", 8) == [0, 0, 0, 3, 0, 0, 43, 0]


def test_heizer_render_lot_for_lot_record():
    """Heizer, Render & Munson, Operations Management (12th ed., 2017), ch. 14, the
    lot-sizing example: gross requirements 35, 30, 40, 0, 10, 40, 30, 0, 30, 55, 35 on
    hand, lead time 1 week, setup $100, holding $1/unit/week. Lot-for-lot: seven orders,
    $700 of setups and no holding cost."""
    gross = {1: 35, 2: 30, 3: 40, 5: 10, 6: 40, 7: 30, 9: 30, 10: 55}
    ds = make(
        # holding $1/unit/week = unit cost 52.0 x rate 1.0 per 52 weeks: 364/365 here
        [{"sku": "X", "lt": 1, "S": 100.0, "type": "finished_good"}],
        schedule={"X": gross},
        on_hand={"X": 35},
    )
    res = mrp(ds, horizon=10, as_of=AS_OF)
    want = [0, 30, 40, 0, 10, 40, 30, 0, 30, 55]
    assert grid(res, "X", "net_requirements", 10) == want
    assert grid(res, "X", "planned_receipts", 10) == want
    assert grid(res, "X", "planned_releases", 10) == [*want[1:], 0]
    assert grid(res, "X", "projected_on_hand", 10) == [0] * 10
    orders = res.planned_orders
    assert len(orders) == 7 and 100.0 * len(orders) == 700.0
    # released in week 1 (for week 2): a "release now" message
    now = res.actions[res.actions["action"] == "release now"]
    assert now["quantity"].tolist() == [30.0]


# ----------------------------------------------------------------------------- hand-checked


def test_scrap_inflates_component_requirements():
    """Component gross = parent release x quantity per / (1 - scrap): 100 x 2 / 0.8 = 250."""
    ds = make(
        [{"sku": "P", "lt": 1, "type": "finished_good"}, {"sku": "K", "lt": 1}],
        bom=[("P", "K", 2, 0.2)],
        schedule={"P": {3: 100}},
    )
    res = mrp(ds, horizon=4, as_of=AS_OF)
    assert_allclose(grid(res, "K", "gross_requirements", 4), [0, 250, 0, 0])
    assert_allclose(grid(res, "K", "planned_releases", 4), [250, 0, 0, 0])


def test_safety_stock_and_on_hand_below_it():
    """On hand 5 with safety stock 10: 5 are needed at once, then each week's demand."""
    ds = make([{"sku": "X", "lt": 0, "type": "finished_good"}],
              schedule={"X": {2: 20, 3: 7}}, on_hand={"X": 5})  # fmt: skip
    res = mrp(ds, horizon=3, as_of=AS_OF, safety_stock={"X": 10})
    assert grid(res, "X", "net_requirements", 3) == [5, 20, 7]
    assert grid(res, "X", "projected_on_hand", 3) == [10, 10, 10]


def test_pack_and_moq_round_lots_up():
    ds = make([{"sku": "X", "lt": 1, "moq": 25, "pack": 10, "type": "finished_good"}],
              schedule={"X": {2: 12, 3: 30}})  # fmt: skip
    res = mrp(ds, horizon=3, as_of=AS_OF)
    # week 2: 12 -> MOQ 25 -> 30 (3 packs); week 3: 30 - 18 left = 12 -> 30
    assert grid(res, "X", "planned_receipts", 3) == [0, 30, 30]
    assert grid(res, "X", "projected_on_hand", 3) == [0, 18, 18]


def test_action_messages_for_open_orders():
    """A receipt due too late is expedited, one due too early deferred, one never needed
    cancelled; a lot that should have been released last week is past due."""
    items = [
        {"sku": "E", "lt": 1, "type": "raw_material"},  # expedite
        {"sku": "F", "lt": 1, "type": "raw_material"},  # defer
        {"sku": "G", "lt": 1, "type": "raw_material"},  # cancel
        {"sku": "H", "lt": 2, "type": "raw_material"},  # past due
        {"sku": "M", "lt": 1, "type": "mro"},
    ]
    ds = make(
        items,
        schedule={"E": {2: 10}, "F": {5: 10}, "H": {1: 4}},
        receipts=[("E", 4, 10), ("F", 2, 10), ("G", 3, 10)],
    )
    res = mrp(ds, horizon=6, as_of=AS_OF)
    act = res.actions[res.actions["reference"].str.startswith("PO")].set_index("sku")
    assert act.loc["E", "action"] == "expedite" and act.loc["E", "new_date"] == week(2)
    assert act.loc["F", "action"] == "defer" and act.loc["F", "new_date"] == week(5)
    assert act.loc["G", "action"] == "cancel"
    late = res.actions[res.actions["action"] == "past due"]
    assert late["sku"].tolist() == ["H"] and late["reference"].str.startswith("planned order").all()
    assert list(res.actions["action"].cat.categories) == [
        "past due", "expedite", "release now", "cancel", "defer"]  # fmt: skip
    assert res.actions["action"].iloc[0] == "past due"  # most urgent first
    assert res.planned_orders.set_index("sku").loc["H", "past_due"]
    assert res.mro_items["sku"].tolist() == ["M"]
    assert not res.summary.loc["M", "planned"]


def test_day_and_month_buckets_and_as_of():
    ds = make([{"sku": "X", "lt": 2, "type": "finished_good"}], schedule={"X": {3: 10}})
    by_day = mrp(ds, bucket="D", horizon=30, as_of=AS_OF)
    assert by_day.periods[0] == AS_OF + pd.Timedelta(days=1)
    o = by_day.planned_orders.iloc[0]
    assert o["due_date"] == week(3) and o["release_date"] == week(1)  # 14 days earlier
    by_month = mrp(ds, bucket="M", horizon=3, as_of=AS_OF)
    assert by_month.periods[0] == pd.Timestamp("2026-02-01")
    assert by_month.notes and "first bucket" in " ".join(by_month.notes)
    late = mrp(ds, as_of=week(4), horizon=2)  # the schedule row is now past due
    assert (late.actions["action"] == "past due").any()
    assert late.records["gross_requirements"].iloc[0] == 10.0


def test_history_mean_without_a_schedule_and_scenario_multipliers():
    """No schedule table: an end item's demand is its mean daily demand of the last 13
    weeks times the bucket's days (1 a day -> 7 a week); the scenario scales demand and
    lead times."""
    days = pd.date_range(end=AS_OF, periods=91, freq="D")
    tables = {
        "items": pd.DataFrame({"sku": ["X", "K"], "unit_cost": 1.0, "lead_time_days": 7.0,
                               "inventory_type": ["finished_good", "raw_material"]}),
        "demand": pd.DataFrame({"date": days, "sku": "X", "quantity": 1.0}),
        "bom": pd.DataFrame({"parent_sku": ["X"], "component_sku": ["K"], "quantity_per": [2.0]}),
    }  # fmt: skip
    ds = Dataset.from_tables(tables)
    res = mrp(ds, horizon=3, as_of=AS_OF)
    assert res.summary.loc["X", "demand_source"] == "history"
    assert_allclose(grid(res, "X", "gross_requirements", 3), [7, 7, 7])
    # X's first lot (week 1, lead time 1) is past due: released at once with week 2's
    assert_allclose(grid(res, "X", "planned_releases", 3), [14, 7, 0])
    assert_allclose(grid(res, "K", "gross_requirements", 3), [28, 14, 0])
    more = mrp(ds, wb.Scenario(demand_multiplier=2.0, lead_time_multiplier=2.0), horizon=3,
               as_of=AS_OF)  # fmt: skip
    assert_allclose(grid(more, "X", "gross_requirements", 3), [14, 14, 14])
    assert more.summary.loc["X", "lead_time_periods"] == 2
    # a forecast needs the plan's bucket to be the data's: else a note and the history
    fc = mrp(ds, wb.Scenario(demand_source="forecast"), horizon=3, as_of=AS_OF)
    assert any("forecast demand needs the plan's bucket" in n for n in fc.notes)
    assert fc.summary.loc["X", "demand_source"] == "history"


def test_forecast_demand_source():
    """Scenario(demand_source="forecast"): the end item's buckets are wb.forecast's (a
    weekly history of 7 a week forecasts 7 a week), the schedule is not used."""
    weeks = pd.date_range(end=AS_OF - pd.Timedelta(days=6), periods=26, freq="7D")
    tables = {
        "items": pd.DataFrame({"sku": ["X"], "unit_cost": 1.0, "lead_time_days": 7.0,
                               "inventory_type": ["finished_good"]}),
        "demand": pd.DataFrame({"date": weeks, "sku": "X", "quantity": 7.0}),
        "schedule": pd.DataFrame({"sku": ["X"], "period_start": [week(1)], "quantity": [99.0]}),
    }  # fmt: skip
    ds = Dataset.from_tables(tables, frequency="W")
    res = mrp(ds, wb.Scenario(demand_source="forecast"), horizon=4, as_of=AS_OF)
    assert res.summary.loc["X", "demand_source"] == "forecast"
    assert_allclose(grid(res, "X", "gross_requirements", 4), [7, 7, 7, 7], rtol=1e-6)
    assert any("schedule not used" in n for n in res.notes)


def test_lead_time_offset_is_the_nearest_whole_bucket_or_rounded_up():
    """Lead-time offsetting (Jacobs & Chase, ch. 21): the release is the receipt moved
    back by L whole buckets. "nearest" (default): L = round(d / 7), so a 2-day job is
    made in the week it is needed (offset 0, released and received in week 4); "up":
    L = ceil(d / 7), received before its week starts (released in week 3)."""
    items = [{"sku": s, "lt": lt / 7, "type": "finished_good"}
             for s, lt in (("A", 0), ("B", 2), ("C", 10), ("D", 11), ("E", 3.5))]  # fmt: skip
    ds = make(items, schedule={s: {4: 1} for s in "ABCDE"})
    res = mrp(ds, horizon=4, as_of=AS_OF)
    assert res.summary["lead_time_periods"].tolist() == [0, 0, 1, 2, 1]
    b = res.planned_orders.set_index("sku")
    assert b.loc["B", "release_date"] == b.loc["B", "due_date"] == week(4)
    assert not res.planned_orders["past_due"].any()
    up = mrp(ds, horizon=4, as_of=AS_OF, lead_time_rounding="up")
    assert up.summary["lead_time_periods"].tolist() == [0, 1, 2, 2, 1]
    assert up.planned_orders.set_index("sku").loc["B", "release_date"] == week(3)
    with pytest.raises(ValueError, match="lead_time_rounding"):
        mrp(ds, horizon=4, as_of=AS_OF, lead_time_rounding="down")


# ----------------------------------------------------------------------------- properties


def random_bom(rng: np.random.Generator, n_items: int = 40, levels: int = 4) -> Dataset:
    level = np.sort(rng.integers(0, levels, n_items))
    level[0] = 0
    items, bom = [], []
    for i in range(n_items):
        items.append({
            "sku": f"I{i:03d}", "lt": int(rng.integers(0, 3)),
            "type": "finished_good" if level[i] == 0 else "raw_material",
            "moq": float(rng.choice([0, 5])), "pack": float(rng.choice([1, 4])),
            "S": 50.0, "rate": 0.25, "cost": 10.0,
        })  # fmt: skip
        parents = np.flatnonzero(level < level[i])
        if len(parents):
            for p in rng.choice(parents, size=min(len(parents), 2), replace=False):
                bom.append((f"I{p:03d}", f"I{i:03d}", float(rng.integers(1, 4)),
                            float(rng.choice([0.0, 0.1]))))  # fmt: skip
    top = [d["sku"] for d, lv in zip(items, level, strict=True) if lv == 0]
    schedule = {s: {int(k): float(rng.integers(0, 50)) for k in range(2, 12)} for s in top}
    on_hand = {d["sku"]: float(rng.integers(0, 60)) for d in items}
    receipts = [(d["sku"], int(rng.integers(1, 8)), float(rng.integers(1, 40)))
                for d in items[::3]]  # fmt: skip
    return make(items, bom=bom, schedule=schedule, on_hand=on_hand, receipts=receipts)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("method", wb.LOT_SIZING_METHODS)
def test_receipts_balance_requirements(seed, method):
    rng = np.random.default_rng(seed)
    ds = random_bom(rng)
    ss = {f"I{i:03d}": float(rng.integers(0, 5)) for i in range(0, 40, 5)}
    res = mrp(ds, horizon=12, as_of=AS_OF, lot_sizing=method, safety_stock=ss)
    rec = res.records
    g = rec.groupby("sku", observed=True)
    s = res.summary.loc[g.size().index]
    # stock balance: on hand + receipts - requirements = ending stock
    end = s["on_hand"] + g["scheduled_receipts"].sum() + g["planned_receipts"].sum()
    assert_allclose(end - g["gross_requirements"].sum(), s["ending_on_hand"], atol=1e-6)
    # the planned receipts keep every item at or above its safety stock
    floor = rec["sku"].astype(str).map(res.summary["safety_stock"]).to_numpy()
    assert np.all(rec["projected_on_hand"].to_numpy() >= floor - 1e-6)
    # every component's gross requirement is its parents' releases x qty / (1 - scrap)
    bom = ds.bom
    rel = rec.pivot(index="sku", columns="period", values="planned_releases")
    want = (
        rel.reindex(bom["parent_sku"]).to_numpy()
        * (bom["quantity_per"] / (1 - bom["scrap_rate"])).to_numpy()[:, None]
    )
    got = pd.DataFrame(want, index=bom["component_sku"].to_numpy()).groupby(level=0).sum()
    gross = rec.pivot(index="sku", columns="period", values="gross_requirements")
    assert_allclose(gross.loc[got.index].to_numpy(), got.to_numpy())
    # pegging accounts for every gross requirement
    peg = res.pegging.groupby(["sku", "period"], observed=True)["quantity"].sum()
    pos = rec[rec["gross_requirements"] > 0].set_index(["sku", "period"])["gross_requirements"]
    assert_allclose(peg.reindex(pos.index).to_numpy(), pos.to_numpy())


def test_low_level_codes_take_the_deepest_use():
    assert low_level_codes(np.array([0, 0, 1]), np.array([1, 2, 2]), 3).tolist() == [0, 1, 2]
    assert low_level_codes(np.array([], int), np.array([], int), 2).tolist() == [0, 0]
    with pytest.raises(ValueError, match="cycle"):
        low_level_codes(np.array([0, 1]), np.array([1, 0]), 2)


def test_record_functions_agree_with_textbook_identities():
    g = np.array([[0.0, 35, 30, 0, 10]])
    nr = net_requirements(g, np.zeros((1, 5)), 10.0)
    assert nr.tolist() == [[0, 25, 30, 0, 10]]
    rec = time_phased_record(g, np.zeros((1, 5)), 10.0, nr, 3)
    assert rec.past_due.tolist() == [55.0]  # 3 periods before periods 1 and 2: past due
    assert rec.planned_releases.tolist() == [[55.0, 10.0, 0, 0, 0]]
    r, late = offset_releases(np.array([[1.0, 2.0]]), 0)
    assert r.tolist() == [[1.0, 2.0]] and late.tolist() == [0.0]


# ----------------------------------------------------------------------------- bad input


def test_component_without_lead_time_names_the_row():
    ds = make(
        [{"sku": "P", "lt": 1, "type": "finished_good"}, {"sku": "K", "lt": None}],
        bom=[("P", "K", 1)],
        schedule={"P": {2: 5}},
    )
    with pytest.raises(DataError) as err:
        mrp(ds, as_of=AS_OF)
    (p,) = err.value.problems
    assert (p.file, p.row, p.column) == ("table 'items'", 2, "lead_time_days")
    assert "K" in p.expected and "component" in p.expected


def test_schedule_for_unknown_item_and_negative_schedule_name_the_row():
    items = [{"sku": "P", "lt": 1, "type": "finished_good"}]
    sched = {"P": {1: 5, 2: -3}, "NOPE": {1: 4}}
    with pytest.raises(DataError) as err:  # the loader already refuses these
        make(items, schedule=sched)
    found = {(p.row, p.column) for p in err.value.problems}
    assert {(2, "quantity"), (3, "sku")} <= found
    ds = make(items, schedule=sched, validate=False)  # an unchecked Dataset: mrp checks
    with pytest.raises(DataError) as err:
        mrp(ds, as_of=AS_OF)
    rows = {(p.file, p.row, p.column, p.value) for p in err.value.problems}
    assert rows == {("table 'schedule'", 2, "quantity", -3.0),
                    ("table 'schedule'", 3, "sku", "NOPE")}  # fmt: skip


def test_bad_arguments():
    ds = make([{"sku": "X", "lt": 1, "type": "finished_good"}], schedule={"X": {1: 1}})
    with pytest.raises(ValueError, match="bucket must be one of"):
        mrp(ds, bucket="Q")
    with pytest.raises(ValueError, match="horizon must be"):
        mrp(ds, horizon=0)
    with pytest.raises(ValueError, match="as_of must be a date"):
        mrp(ds, as_of="not a day")
    with pytest.raises(ValueError, match=r"lot_sizing|method"):
        mrp(ds, lot_sizing="guess")
    with pytest.raises(ValueError, match="safety_stock"):
        mrp(ds, safety_stock=-1)
    with pytest.raises(ValueError, match="unknown sku"):
        mrp(ds, safety_stock={"ZZ": 1})


# ----------------------------------------------------------------------------- the sample


@pytest.fixture(scope="module")
def sample_plan():
    ds = wb.sample_dataset(n_skus=120, years=1, seed=11)
    return ds, wb.mrp(ds)


def test_sample_business_plan_is_meaningful(sample_plan):
    ds, res = sample_plan
    assert wb.mrp is mrp and isinstance(res, wb.MRPResult)
    s = res.summary
    types = ds.items.set_index("sku")["inventory_type"]
    # every type is planned as the data model says
    assert set(s.loc[s["planned"], "inventory_type"]) == {"finished_good", "wip", "raw_material"}
    assert not s.loc[types == "mro", "planned"].any()
    assert set(res.mro_items["sku"]) == set(types.index[types == "mro"])
    # finished goods from the schedule, components from the BOM
    assert (s.loc[types == "finished_good", "demand_source"].isin(["schedule", "none"])).all()
    assert (s.loc[s["low_level_code"] > 0, "gross_requirements"] > 0).any()
    kinds = res.planned_orders.groupby("kind", observed=True)["sku"].nunique()
    assert kinds["production"] > 0 and kinds["purchase"] > 0
    bought = res.planned_orders[res.planned_orders["kind"] == "purchase"]
    assert bought["supplier"].notna().all()
    assert (res.planned_orders["due_date"] >= res.periods[0]).all()
    assert len(res.records) == s["planned"].sum() * len(res.periods)
