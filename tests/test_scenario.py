"""Tests for workbench.scenario.Scenario: defaults, validation, JSON round trip."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench.scenario import SCENARIO_BOUNDS, SCENARIO_POLICIES, SERVICE_TYPES, Scenario


def test_defaults():
    s = Scenario()
    assert s.name == "baseline"
    assert dict(s.service_targets) == {"A": 0.98, "B": 0.95, "C": 0.90}
    assert s.service_type == "cycle" and s.policy == "sQ"
    assert s.holding_cost_rate is None and s.order_cost is None
    assert s.lead_time_multiplier == 1.0 and s.demand_multiplier == 1.0
    assert s.review_period_days == 0.0
    assert s.abc_cutoffs == (0.8, 0.95) and s.xyz_cutoffs == (0.5, 1.0)
    assert s.abc_labels == ("A", "B", "C") and s.xyz_labels == ("X", "Y", "Z")
    assert s.use_item_service_levels is True
    assert s.lot_sizing == "lot_for_lot"


def test_frozen_hashable_and_targets_read_only():
    s = Scenario()
    with pytest.raises(AttributeError):
        s.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        s.service_targets["A"] = 0.5  # type: ignore[index]
    assert hash(s) == hash(Scenario())
    assert len({s, Scenario(), Scenario("x")}) == 2


def test_targets_are_copied_and_cutoffs_normalized():
    targets = {"A": 0.99, "B": 0.95, "C": 0.9}
    s = Scenario(service_targets=targets, abc_cutoffs=[0.7, 0.9], xyz_cutoffs=[1, 2])
    targets["A"] = 0.5
    assert s.service_targets["A"] == 0.99
    assert s.abc_cutoffs == (0.7, 0.9) and s.xyz_cutoffs == (1.0, 2.0)
    assert isinstance(s.abc_cutoffs, tuple)


def test_four_abc_classes_need_four_targets():
    s = Scenario(
        abc_cutoffs=(0.5, 0.8, 0.95), service_targets={"A": 0.99, "B": 0.97, "C": 0.95, "D": 0.9}
    )
    assert s.abc_labels == ("A", "B", "C", "D")
    with pytest.raises(ValueError, match=r"missing \['D'\]"):
        Scenario(abc_cutoffs=(0.5, 0.8, 0.95))


def test_replace_validates_again():
    s = Scenario("base")
    t = s.replace(name="rs", policy="RS", review_period_days=7)
    assert (t.name, t.policy, t.review_period_days) == ("rs", "RS", 7)
    assert s.policy == "sQ"  # unchanged
    with pytest.raises(
        ValueError, match=r"review_period_days must be > 0 \[days\] for policy='RS'"
    ):
        s.replace(policy="RS")


def full_scenario() -> Scenario:
    return Scenario(
        name="what if: demand +20 %, lead time x2",
        description="Peak season with a slower supplier; ünïcode kept",
        holding_cost_rate=0.3,
        order_cost=75.0,
        service_targets={"A": 0.99, "B": 0.96, "C": 0.85},
        service_type="fill_rate",
        use_item_service_levels=False,
        lead_time_multiplier=2.0,
        demand_multiplier=1.2,
        review_period_days=7.0,
        policy="RS",
        abc_cutoffs=(0.75, 0.9),
        abc_rule="crossing_item_in_lower_class",
        xyz_cutoffs=(0.25, 0.8),
        lead_time_source="history",
        lot_sizing="silver_meal",
    )


@pytest.mark.parametrize("scenario", [Scenario(), full_scenario()], ids=["default", "full"])
def test_round_trips(scenario, tmp_path):
    assert Scenario.from_dict(scenario.to_dict()) == scenario
    assert Scenario.from_json(scenario.to_json()) == scenario
    assert Scenario.from_json(scenario.to_json(indent=None)) == scenario
    path = scenario.save(tmp_path / "s.json")
    assert path == tmp_path / "s.json"
    loaded = Scenario.load(path)
    assert loaded == scenario
    assert loaded.to_dict() == scenario.to_dict()
    # a plain JSON document, readable by anything
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["name"] == scenario.name
    assert data["abc_cutoffs"] == list(scenario.abc_cutoffs)
    assert data["service_targets"] == dict(scenario.service_targets)


@pytest.mark.parametrize("rule", wb.LOT_SIZING_METHODS)
def test_every_lot_sizing_rule_round_trips(rule):
    s = Scenario(lot_sizing=rule)
    assert json.loads(s.to_json())["lot_sizing"] == rule
    assert Scenario.from_json(s.to_json()) == s
    assert Scenario.from_json(s.to_json()).lot_sizing == rule
    assert s != Scenario() or rule == "lot_for_lot"
    # an older scenario file, without the field, plans lot for lot
    assert Scenario.from_json('{"name": "old"}').lot_sizing == "lot_for_lot"


def test_from_dict_partial_uses_defaults():
    s = Scenario.from_dict({"name": "hr30", "holding_cost_rate": 0.3})
    assert s == Scenario(name="hr30", holding_cost_rate=0.3)
    assert Scenario.from_json("{}") == Scenario()


def test_to_dict_is_json_ready():
    d = full_scenario().to_dict()
    assert isinstance(d["service_targets"], dict)
    assert isinstance(d["abc_cutoffs"], list)
    assert json.loads(json.dumps(d)) == d


@settings(max_examples=60, deadline=None)
@given(
    rate=st.none() | st.floats(min_value=1e-3, max_value=2.0),
    cost=st.none() | st.floats(min_value=1e-2, max_value=1e4),
    targets=st.lists(st.floats(min_value=0.5, max_value=0.999), min_size=3, max_size=3),
    stype=st.sampled_from(SERVICE_TYPES),
    policy=st.sampled_from(SCENARIO_POLICIES),
    review=st.floats(min_value=0.5, max_value=60),
    ltm=st.floats(min_value=0.1, max_value=5),
    dm=st.floats(min_value=0, max_value=5),
)
def test_json_round_trip_property(rate, cost, targets, stype, policy, review, ltm, dm):
    s = Scenario(
        holding_cost_rate=rate,
        order_cost=cost,
        service_targets=dict(zip("ABC", targets, strict=True)),
        service_type=stype,
        policy=policy,
        review_period_days=review,
        lead_time_multiplier=ltm,
        demand_multiplier=dm,
    )
    assert Scenario.from_json(s.to_json()) == s


HCR = r">= 0.0001 and <= 100 \[1/year\]"
OC = r"> 0 and <= 1e\+09 \[\$/order\]"
LTM = r">= 0.01 and <= 100 \[-\]"
DM = r">= 0 and <= 1000 \[-\]"
RPD = r">= 0 and <= 3650 \[days\]"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": ""}, r"name must be a non-empty string; got ''"),
        ({"name": 3}, r"name must be a non-empty string; got 3"),
        ({"description": None}, r"description must be a string; got None"),
        ({"holding_cost_rate": -0.2}, rf"holding_cost_rate must be {HCR} or None .*-0.2"),
        ({"holding_cost_rate": 0}, rf"holding_cost_rate must be {HCR}"),
        ({"holding_cost_rate": math.nan}, rf"holding_cost_rate must be {HCR}"),
        ({"holding_cost_rate": "0.2"}, rf"holding_cost_rate must be {HCR}.*'0.2'"),
        ({"order_cost": 0.0}, rf"order_cost must be {OC} or None.*got 0.0"),
        ({"order_cost": True}, rf"order_cost must be {OC}"),
        ({"lead_time_multiplier": 0}, rf"lead_time_multiplier must be {LTM}; got 0"),
        ({"lead_time_multiplier": math.inf}, rf"lead_time_multiplier must be {LTM}; got inf"),
        ({"demand_multiplier": -1}, rf"demand_multiplier must be {DM}; got -1"),
        ({"review_period_days": -7}, rf"review_period_days must be {RPD}; got -7"),
        # issue 16: beyond these ends a plan overflowed to inf or NaN
        ({"order_cost": 1e308}, rf"order_cost must be {OC} or None .*got 1e\+308"),
        ({"demand_multiplier": 1e300}, rf"demand_multiplier must be {DM}; got 1e\+300"),
        ({"holding_cost_rate": 1e-300}, rf"holding_cost_rate must be {HCR} .*got 1e-300"),
        ({"holding_cost_rate": 101}, rf"holding_cost_rate must be {HCR} .*got 101"),
        ({"lead_time_multiplier": 1e-300}, rf"lead_time_multiplier must be {LTM}; got 1e-300"),
        ({"lead_time_multiplier": 1e300}, rf"lead_time_multiplier must be {LTM}; got 1e\+300"),
        ({"review_period_days": 1e300}, rf"review_period_days must be {RPD}; got 1e\+300"),
        ({"service_type": "type1"}, r"service_type must be one of \('cycle', 'fill_rate'\)"),
        ({"policy": "Qs"}, r"policy must be one of \('sQ', 'sS', 'RS'\); got 'Qs'"),
        ({"policy": "RS"}, r"review_period_days must be > 0 \[days\] for policy='RS'.*got 0.0"),
        ({"use_item_service_levels": "yes"}, r"use_item_service_levels must be True or False"),
        ({"abc_rule": "upper"}, r"abc_rule must be one of .*got 'upper'"),
        (
            {"lot_sizing": "cheapest"},
            r"lot_sizing must be one of \('lot_for_lot', .*got 'cheapest'",
        ),
        ({"lot_sizing": "WW"}, r"lot_sizing must be one of .*'wagner_whitin'.*got 'WW'"),
        ({"lot_sizing": None}, r"lot_sizing must be one of .*got None"),
        ({"abc_cutoffs": (0.95, 0.8)}, r"abc_cutoffs must be strictly increasing"),
        (
            {"abc_cutoffs": (0.8, 1.0)},
            r"abc_cutoffs must be a non-empty sequence .*between 0 and 1",
        ),
        ({"abc_cutoffs": ()}, r"abc_cutoffs must be a non-empty sequence"),
        ({"abc_cutoffs": "0.8"}, r"abc_cutoffs must be a sequence of numbers; got '0.8'"),
        ({"abc_cutoffs": 0.8}, r"abc_cutoffs must be a sequence of numbers; got 0.8"),
        ({"abc_cutoffs": (0.8, "x")}, r"abc_cutoffs must be a sequence of numbers"),
        ({"xyz_cutoffs": (0.0, 1.0)}, r"xyz_cutoffs must be a non-empty sequence .*> 0 and finite"),
        ({"xyz_cutoffs": (1.0, 1.0)}, r"xyz_cutoffs must be strictly increasing"),
        ({"service_targets": [0.9]}, r"service_targets must be a mapping class -> level"),
        (
            {"service_targets": {"A": 0.98, "B": 1.0, "C": 0.9}},
            r"service_targets\['B'\] must be strictly between 0 and 1 \(a fraction.*got 1.0",
        ),
        (
            {"service_targets": {"A": 0.98, "B": 0.95, "C": "high"}},
            r"service_targets\['C'\] must be strictly between 0 and 1",
        ),
        (
            {"service_targets": {"A": 0.98, "B": 0.95}},
            r"service_targets must give a target for every ABC class \['A', 'B', 'C'\]; "
            r"missing \['C'\]",
        ),
    ],
)
def test_validation_messages(kwargs, match):
    """Each message names the field, the allowed range, the unit and the value."""
    with pytest.raises(ValueError, match=match):
        Scenario(**kwargs)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: Scenario.from_dict({"nmae": "x"}), r"unknown scenario field\(s\) \['nmae'\]"),
        (lambda: Scenario.from_dict(["x"]), r"a scenario must be a mapping of field -> value"),
        (lambda: Scenario.from_json("{not json"), r"scenario JSON is not valid: .*line 1"),
        (lambda: Scenario.from_json("[1, 2]"), r"a scenario must be a mapping"),
        (lambda: Scenario.from_json('{"policy": "RS"}'), r"review_period_days must be > 0"),
        # issue 16: a raw RecursionError before
        (lambda: Scenario.from_json("[" * 100_000), r"nests arrays and objects 100,000 levels"),
        (
            lambda: Scenario.from_json('{"name": ' * 50_000 + '"x"' + "}" * 50_000),
            r"50,000 levels deep; .* at most 20 are read",
        ),
        (lambda: Scenario.from_json(b"\xff{}"), r"scenario JSON is not UTF-8 text"),
        (lambda: Scenario.from_json(" " * 10_000_001), r"10,000,001 characters; at most"),
    ],
)
def test_from_dict_and_json_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        Scenario.load(tmp_path / "nope.json")


def test_brackets_inside_strings_do_not_count_as_nesting():
    s = Scenario(name="[[[[" * 100, description="{" * 1000)
    assert Scenario.from_json(s.to_json()) == s


# --------------------------------------------------------------------------- extreme values


def _ends() -> dict[str, tuple[float, float]]:
    """The lowest and highest value each numeric field accepts."""
    return {
        field: (lo if lo_inclusive else 5e-324, hi)
        for field, (lo, lo_inclusive, hi, _unit) in SCENARIO_BOUNDS.items()
    }


def _assert_plan_finite(plan, base) -> None:
    """No inf in any numeric column, and NaN only where the baseline plan has it for that
    SKU (an unplanned item, or a figure the plan documents as missing)."""
    num = plan.select_dtypes("number")
    ref = base.select_dtypes("number").reindex(index=num.index, columns=num.columns)
    values, missing = num.to_numpy(float), np.isnan(ref.to_numpy(float))
    assert not np.isinf(values).any(), list(num.columns[np.isinf(values).any(axis=0)])
    new_nan = np.isnan(values) & ~missing
    assert not new_nan.any(), list(num.columns[new_nan.any(axis=0)])


@pytest.fixture(scope="module")
def sample():
    return wb.sample_dataset()


@pytest.fixture(scope="module")
def sample_base(sample):
    return wb.plan(sample)


def _corners() -> list[dict]:
    ends = _ends()
    low = {f: v[0] for f, v in ends.items()}
    high = {f: v[1] for f, v in ends.items()}
    worst = {**high, "holding_cost_rate": low["holding_cost_rate"]}  # the largest EOQ
    out = [{f: v[0]} for f, v in ends.items()] + [{f: v[1]} for f, v in ends.items()]
    out += [high, low, worst, {**worst, "policy": "sS"}, {**worst, "policy": "RS"}]
    out += [
        {**worst, "service_type": "fill_rate"},
        {**low, "policy": "RS", "review_period_days": 1},
    ]
    return out


@pytest.mark.parametrize(
    "fields", _corners(), ids=lambda d: ",".join(f"{k}={v}" for k, v in d.items())
)
def test_plan_stays_finite_at_the_ends_of_every_range(sample, sample_base, fields):
    """Before: order_cost=1e308 made every EOQ inf, demand_multiplier=1e300 every
    reorder point; now those are refused and the accepted ends plan finite numbers."""
    _assert_plan_finite(wb.plan(sample, Scenario(**fields)), sample_base)


@settings(derandomize=True, max_examples=8, deadline=None)
@given(data=st.data())
def test_plan_stays_finite_for_any_accepted_scenario(sample, sample_base, data):
    fields = {}
    for field, (lo, hi) in _ends().items():
        # log-uniform over the range (0 itself as an end), so every order of magnitude shows
        log_lo = math.log10(max(lo, 1e-300))
        fields[field] = data.draw(
            st.sampled_from([lo, hi])
            | st.floats(log_lo, math.log10(hi)).map(
                lambda x, lo=lo, hi=hi: min(max(10.0**x, lo), hi)
            ),
            label=field,
        )
    fields["policy"] = data.draw(st.sampled_from(SCENARIO_POLICIES), label="policy")
    if fields["policy"] == "RS" and fields["review_period_days"] == 0:
        fields["review_period_days"] = 1.0
    fields["service_type"] = data.draw(st.sampled_from(SERVICE_TYPES), label="service_type")
    _assert_plan_finite(wb.plan(sample, Scenario(**fields)), sample_base)


# ------------------------------------------------------- extreme values in the uploaded data

#: Item columns with a number, and the demand quantity: each at its accepted ends.
_ITEM_NUMBERS = [
    c.name for c in wb.data.SCHEMAS["items"].columns if c.dtype == "float"
]  # fmt: skip
_TINY = 5e-324  # the smallest positive float


def _data_ends(table: str, column: str) -> list[float]:
    """The lowest accepted value, the smallest positive one and the highest (schema)."""
    col = wb.data.SCHEMAS[table].by_name[column]
    hi = col.max if col.max_inclusive else np.nextafter(col.max, 0.0)
    lo = col.min if col.min_inclusive else _TINY
    if table == "demand":
        lo = 1e-300  # 5e-324 a day averages to 0 a day: no demand, whose cv is NaN
    return sorted({lo, max(lo, _TINY), hi})


def _rows(base) -> dict[str, int]:
    """One planned SKU per distribution of the default plan, and the slowest one; the
    default plans every class from its own days, so "normal" is a smooth SKU planned with
    ``Scenario(distribution="normal")`` and "gamma" an erratic one planned with
    ``Scenario(distribution="gamma")``."""
    dist = base["distribution"].astype(str).to_numpy()
    klass = base["demand_class"].astype(str).to_numpy()
    out = {"empirical": int(np.flatnonzero(dist == "empirical")[0])}
    out["normal"] = int(np.flatnonzero(klass == "smooth")[0])
    out["gamma"] = int(np.flatnonzero(klass == "erratic")[0])
    planned = (base["reorder_point"].notna() & (base["daily_mean"] > 0)).to_numpy()
    out["slowest"] = int(np.flatnonzero(planned)[np.argmin(base["daily_mean"][planned])])
    return out


def _with_item(sample, row: int, values: dict[str, float]):
    """The sample with one item's values changed ("quantity": all its demand rows)."""
    items = sample.items.copy()
    tables = dict(sample.tables, items=items)
    for column, value in values.items():
        if column == "quantity":
            demand = sample.demand.copy()
            demand.loc[demand["sku"] == items.loc[row, "sku"], "quantity"] = value
            tables["demand"] = demand
        else:
            col = wb.data.SCHEMAS["items"].by_name[column]
            assert col.min <= value <= col.max, (column, value)  # accepted by the loader
            items.loc[row, column] = value
    if "current_max" in values:  # a max above the min
        items.loc[row, "current_min"] = 0.0
    return wb.Dataset(tables, frequency=sample.demand_frequency)


def _corner(end: int) -> dict[str, float]:
    ends = {c: _data_ends("items", c) for c in _ITEM_NUMBERS}
    out = {c: v[min(end, len(v) - 1)] for c, v in ends.items()}
    demand = _data_ends("demand", "quantity")
    out["quantity"] = demand[min(end, len(demand) - 1)]
    return out


@pytest.mark.parametrize("kind", ["normal", "gamma", "empirical", "slowest"])
@pytest.mark.parametrize(
    "values",
    [
        _corner(0),
        pytest.param(
            _corner(1),
            marks=pytest.mark.xfail(
                strict=False,  # the gamma row passes
                reason="left open: every column at its smallest positive value together "
                "(lead time and its sd 5e-324, 1e12 a day of demand) overflows the normal "
                "undershoot loss in policy/undershoot.py: expected_fill_rate NaN",
            ),
        ),
        _corner(2),
        # the largest EOQ: the most demand and order cost, the least holding cost
        {**_corner(2), "holding_cost_rate": _TINY, "pack_size": _TINY},
        {**_corner(2), "unit_cost": _TINY, "holding_cost_rate": _TINY},
        {"lead_time_days": _TINY, "lead_time_sd_days": 3650.0},
    ],
    ids=["lowest", "smallest_positive", "highest", "largest_eoq", "cheapest", "long_tail"],
)
def test_plan_stays_finite_at_the_ends_of_every_data_range(sample, sample_base, kind, values):
    """Before: order_cost, unit_cost, holding_cost_rate or lead_time_sd_days of 1e308 (now
    refused at load) or a holding cost rate of 5e-324 (still accepted) gave inf in eoq,
    annual_cost and more; a 10-year lead-time sd on a slow SKU raised."""
    row = _rows(sample_base)[kind]
    forced = kind if kind in ("normal", "gamma") else None
    scenario = wb.Scenario(distribution=forced) if forced else None
    _assert_plan_finite(wb.plan(_with_item(sample, row, values), scenario), sample_base)


@settings(derandomize=True, max_examples=6, deadline=None)
@given(data=st.data())
def test_plan_stays_finite_for_any_accepted_item(sample, sample_base, data):
    """Any values the loader accepts, on one item, at the ends of the ranges or anywhere
    between (log-uniform): the plan holds no inf, and NaN only where the default has it."""
    row = data.draw(st.sampled_from(sorted(_rows(sample_base).values())), label="row")
    columns = data.draw(
        st.lists(st.sampled_from([*_ITEM_NUMBERS, "quantity"]), min_size=1, unique=True),
        label="columns",
    )
    values = {}
    for column in columns:
        ends = _data_ends("demand" if column == "quantity" else "items", column)
        lo, hi = max(ends[0], 1e-300), ends[-1]
        values[column] = data.draw(
            st.sampled_from(ends)
            | st.floats(math.log10(lo), math.log10(hi)).map(
                lambda x, lo=ends[0], hi=hi: min(max(10.0**x, lo), hi)
            ),
            label=column,
        )
    _assert_plan_finite(wb.plan(_with_item(sample, row, values)), sample_base)
