"""Tests for workbench.scenario.Scenario: defaults, validation, JSON round trip."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.scenario import SCENARIO_POLICIES, SERVICE_TYPES, Scenario


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


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": ""}, r"name must be a non-empty string; got ''"),
        ({"name": 3}, r"name must be a non-empty string; got 3"),
        ({"description": None}, r"description must be a string; got None"),
        ({"holding_cost_rate": -0.2}, r"holding_cost_rate must be > 0 \[1/year\] or None .*-0.2"),
        ({"holding_cost_rate": 0}, r"holding_cost_rate must be > 0 \[1/year\]"),
        ({"holding_cost_rate": math.nan}, r"holding_cost_rate must be > 0 \[1/year\]"),
        ({"holding_cost_rate": "0.2"}, r"holding_cost_rate must be > 0 \[1/year\].*'0.2'"),
        ({"order_cost": 0.0}, r"order_cost must be > 0 \[\$/order\] or None.*got 0.0"),
        ({"order_cost": True}, r"order_cost must be > 0 \[\$/order\]"),
        ({"lead_time_multiplier": 0}, r"lead_time_multiplier must be > 0 \[-\]; got 0"),
        ({"lead_time_multiplier": math.inf}, r"lead_time_multiplier must be > 0 \[-\]; got inf"),
        ({"demand_multiplier": -1}, r"demand_multiplier must be >= 0 \[-\]; got -1"),
        ({"review_period_days": -7}, r"review_period_days must be >= 0 \[days\]; got -7"),
        ({"service_type": "type1"}, r"service_type must be one of \('cycle', 'fill_rate'\)"),
        ({"policy": "Qs"}, r"policy must be one of \('sQ', 'sS', 'RS'\); got 'Qs'"),
        ({"policy": "RS"}, r"review_period_days must be > 0 \[days\] for policy='RS'.*got 0.0"),
        ({"use_item_service_levels": "yes"}, r"use_item_service_levels must be True or False"),
        ({"abc_rule": "upper"}, r"abc_rule must be one of .*got 'upper'"),
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
    ],
)
def test_from_dict_and_json_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        Scenario.load(tmp_path / "nope.json")
