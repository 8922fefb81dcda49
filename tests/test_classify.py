"""Tests for workbench.policy.classify: ABC, XYZ, the ABC-XYZ matrix, class targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from workbench.policy.classify import (
    ABC_RULES,
    abc_classify,
    abc_xyz_matrix,
    class_service_levels,
    cycle_count_frequency,
    xyz_classify,
)

UPPER, LOWER = "crossing_item_in_upper_class", "crossing_item_in_lower_class"

# Heizer, Render & Munson, Operations Management, ch. 12, Example 1 (Silicon Chips, Inc.)
SILICON_ITEMS = ["10286", "11526", "12760", "10867", "10500", "12572", "14075", "01036", "01307"]
SILICON_ITEMS.append("10572")
SILICON_UNITS = [1000, 500, 1550, 350, 1000, 600, 2000, 100, 1200, 250]
SILICON_COST = [90.00, 154.00, 17.00, 42.86, 12.50, 14.17, 0.60, 8.50, 0.42, 0.60]
# the book's table: share and cumulative share in percent, one decimal
SILICON_SHARE_PCT = [38.8, 33.2, 11.4, 6.5, 5.4, 3.7, 0.5, 0.4, 0.2, 0.1]
SILICON_CUM_PCT = [38.8, 72.0, 83.3, 89.8, 95.2, 98.8, 99.4, 99.7, 99.9, 100.0]


def silicon_values(shuffle: bool = False) -> pd.Series:
    v = pd.Series(np.multiply(SILICON_UNITS, SILICON_COST), index=SILICON_ITEMS)
    return v.iloc[[3, 9, 0, 5, 1, 7, 2, 8, 4, 6]] if shuffle else v


def classes(df: pd.DataFrame) -> str:
    return "".join(df["class"].astype(str))


# ---------------------------------------------------------------- ABC: published case


def test_silicon_chips_total_shares_and_cumulative():
    """Heizer & Render, Silicon Chips: total $232,057; shares as printed (one decimal)."""
    v = silicon_values()
    assert_allclose(v.sum(), 232_057.0, rtol=0, atol=1e-6)
    abc = abc_classify(v)
    # the book rounds to 0.1 percentage point; 0.051 allows its rounding of 0.x5 values
    assert_allclose(abc["share"] * 100, SILICON_SHARE_PCT, atol=0.051)
    assert_allclose(abc["cumulative_share"] * 100, SILICON_CUM_PCT, atol=0.051)
    assert abc["rank"].tolist() == list(range(1, 11))
    assert abc.index.tolist() == SILICON_ITEMS


@pytest.mark.parametrize(
    ("source", "rule", "cutoffs", "expected"),
    [
        # the book's own classes: A = 2 items (72 %), B = 3 (23 %), C = 5 (5 %)
        ("Heizer & Render, Silicon Chips, book classes", UPPER, (0.70, 0.95), "AABBBCCCCC"),
        ("Heizer & Render, Silicon Chips, book classes", LOWER, (0.80, 0.96), "AABBBCCCCC"),
        # default cut-offs: 12760 crosses 80 % (83.3 %), 10500 crosses 95 % (95.2 %)
        ("Heizer & Render, Silicon Chips, cut-offs 80/95", UPPER, (0.80, 0.95), "AAABBCCCCC"),
        ("Heizer & Render, Silicon Chips, cut-offs 80/95", LOWER, (0.80, 0.95), "AABBCCCCCC"),
    ],
)
def test_silicon_chips_classes(source, rule, cutoffs, expected):
    abc = abc_classify(silicon_values(), cutoffs=cutoffs, rule=rule)
    assert classes(abc) == expected, source


def test_silicon_chips_book_class_shares():
    """Book: A holds 72 % of value with 20 % of items, B 23 % with 30 %, C 5 % with 50 %."""
    v = silicon_values()
    abc = abc_classify(v, cutoffs=(0.70, 0.95))
    by_class = abc.groupby("class", observed=False)["share"].agg(["sum", "size"])
    assert_allclose(by_class["sum"] * 100, [72.0, 23.2, 4.8], atol=0.1)  # printed rounded
    assert_allclose(by_class["size"] / 10, [0.2, 0.3, 0.5], rtol=0)


def test_silicon_chips_input_order_does_not_matter():
    a = abc_classify(silicon_values())
    b = abc_classify(silicon_values(shuffle=True)).loc[a.index]
    pd.testing.assert_frame_equal(a, b)


# ---------------------------------------------------------------- ABC: edge cases


@pytest.mark.parametrize(
    ("values", "rule", "expected"),
    [
        # cumulative .4, .8 (hits cut-off exactly), .95 (hits), 1: both rules agree
        ([40, 40, 15, 5], UPPER, "AABC"),
        ([40, 40, 15, 5], LOWER, "AABC"),
        # cumulative .5, .9 (crosses .8), 1.0 (crosses .95)
        ([50, 40, 10], UPPER, "AAB"),
        ([50, 40, 10], LOWER, "ABC"),
        # the dominant item crosses .8 (.87); the next one crosses .95 (.97)
        ([10, 87, 3], UPPER, "BAC"),
        ([10, 87, 3], LOWER, "CBC"),
        # one item crossing both cut-offs at once (.70 -> .98)
        ([70, 28, 2], UPPER, "AAC"),
        ([70, 28, 2], LOWER, "ACC"),
        # a single item holds everything
        ([7.0], UPPER, "A"),
        ([7.0], LOWER, "C"),
        # ties: four equal values, ranked by position
        ([10, 10, 10, 10], UPPER, "AAAA"),
        ([10, 10, 10, 10], LOWER, "AAAC"),
    ],
)
def test_crossing_edges(values, rule, expected):
    assert classes(abc_classify(values, rule=rule)) == expected


def test_exact_hit_with_float_rounding_is_a_hit():
    # 0.6 / 0.75 is 0.7999999999999998 in binary floating point: still a hit of 0.8
    v = [0.6, 0.05, 0.05, 0.05]
    assert 0.6 / sum(v) != 0.8
    assert classes(abc_classify(v, cutoffs=(0.8, 0.99), rule=UPPER)) == "ABBB"
    assert classes(abc_classify(v, cutoffs=(0.8, 0.99), rule=LOWER)) == "ABBC"


def test_many_ties_ranked_like_a_stable_sort():
    rng = np.random.default_rng(1)
    v = rng.integers(0, 4, 5000).astype(float)
    rank = abc_classify(v)["rank"].to_numpy()
    assert np.array_equal(rank[np.argsort(-v, kind="stable")], np.arange(1, 5001))


def test_ties_are_ranked_by_input_position():
    s = pd.Series([5.0, 10.0, 10.0, 1.0, 10.0], index=list("edcba"))
    abc = abc_classify(s)
    assert abc["rank"].tolist() == [4, 1, 2, 5, 3]
    assert abc.index.tolist() == list("edcba")
    # cumulative .278, .556, .833 (d, c, a), .972 (e), 1 (b)
    assert classes(abc) == "BAACA"
    # tied items straddle a cut-off in position order: the first two close class A
    assert classes(abc_classify([10, 10, 10], cutoffs=(0.5, 0.9))) == "AAB"
    assert classes(abc_classify([10, 10, 10], cutoffs=(0.5, 0.9), rule=LOWER)) == "ABC"


def test_zero_value_items_go_to_last_class():
    abc = abc_classify([0.0, 100.0, 0.0, 10.0], rule=UPPER)
    assert classes(abc) == "CACB"
    assert_allclose(abc["share"], [0, 100 / 110, 0, 10 / 110], rtol=1e-15)
    assert_allclose(abc["cumulative_share"], [1.0, 100 / 110, 1.0, 1.0], rtol=1e-15)
    assert abc["rank"].tolist() == [3, 1, 4, 2]
    # with a generous last cut-off the zero items still do not rise
    abc = abc_classify([0.0, 1.0, 0.0], cutoffs=(0.999999, 0.9999999), rule=UPPER)
    assert classes(abc) == "CAC"


def test_all_zero_values_give_zeros_not_nan():
    with np.errstate(all="raise"):
        abc = abc_classify(np.zeros(4))
    assert classes(abc) == "CCCC"
    assert not abc[["share", "cumulative_share"]].isna().any().any()
    assert_allclose(abc["share"], 0.0)
    assert_allclose(abc["cumulative_share"], 0.0)
    assert abc["rank"].tolist() == [1, 2, 3, 4]


def test_empty_input():
    abc = abc_classify([])
    assert len(abc) == 0
    assert list(abc.columns) == ["class", "share", "cumulative_share", "rank"]
    abc = abc_classify(pd.Series([], dtype=float, index=pd.Index([], dtype=str)))
    assert len(abc) == 0


@pytest.mark.parametrize(
    "values",
    [
        [3.0, 1.0, 6.0],
        (3, 1, 6),
        np.array([3.0, 1.0, 6.0]),
        pd.Series([3.0, 1.0, 6.0], index=["x", "y", "z"]),
        pd.Series([3, 1, 6], index=pd.Index([10, 20, 30])),
        pd.Series([3, 1, 6], index=["x", "y", "z"], dtype="Int64"),
    ],
)
def test_input_types(values):
    abc = abc_classify(values, cutoffs=(0.6, 0.9))
    expected_index = values.index if isinstance(values, pd.Series) else pd.RangeIndex(3)
    pd.testing.assert_index_equal(abc.index, expected_index)
    assert classes(abc) == "BCA"
    assert_allclose(abc["share"], [0.3, 0.1, 0.6], rtol=1e-15)
    assert abc["rank"].tolist() == [2, 3, 1]


def test_scalar_is_one_item():
    abc = abc_classify(5.0)
    assert classes(abc) == "A" and abc["cumulative_share"].iloc[0] == 1.0


def test_class_column_is_ordered_categorical_with_all_labels():
    abc = abc_classify([1.0, 2.0], cutoffs=(0.5, 0.7, 0.9), labels=("A", "B", "C", "D"))
    dtype = abc["class"].dtype
    assert isinstance(dtype, pd.CategoricalDtype) and dtype.ordered
    assert list(dtype.categories) == ["A", "B", "C", "D"]
    # cumulative 2/3 then 1: item 2 closes A (0 < .5); item 1 has 2/3 ahead -> class B
    assert classes(abc) == "BA"
    abc = abc_classify([1.0, 2.0], cutoffs=(0.5, 0.7, 0.9), labels=list("ABCD"), rule=LOWER)
    assert classes(abc) == "DB"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"values": [1.0, np.nan]}, r"values must be >= 0 and finite \(no NaN\).*got nan"),
        ({"values": [1.0, -2.0]}, r"values must be >= 0 and finite.*got -2 at 1 position"),
        ({"values": [np.inf]}, r"values must be >= 0 and finite.*got inf"),
        ({"values": ["a", "b"]}, r"values must be numeric"),
        ({"values": pd.Series(["a", "b"])}, r"values must be numeric"),
        ({"values": pd.Series([1.0, None], dtype="Float64")}, r"values must be >= 0 .*got nan"),
        ({"values": [[1.0, 2.0]]}, r"values must be one-dimensional; got an array of shape"),
        ({"values": pd.DataFrame({"a": [1]})}, r"values must be one-dimensional.*DataFrame"),
        ({"values": [1.0], "cutoffs": (0.95, 0.8)}, r"cutoffs must be strictly increasing"),
        ({"values": [1.0], "cutoffs": (0.8, 1.0)}, r"cutoffs must all be strictly between 0 and 1"),
        ({"values": [1.0], "cutoffs": (0.0, 0.5)}, r"cutoffs must all be strictly between 0 and 1"),
        ({"values": [1.0], "cutoffs": ()}, r"cutoffs must be a non-empty sequence"),
        ({"values": [1.0], "cutoffs": ("a",)}, r"cutoffs must be a sequence of numbers"),
        ({"values": [1.0], "labels": ("A", "B")}, r"labels must have one more entry than cutoffs"),
        ({"values": [1.0], "labels": ("A", "A", "C")}, r"labels must be distinct"),
        ({"values": [1.0], "rule": "nearest"}, r"rule must be one of .*got 'nearest'"),
    ],
)
def test_abc_validation(kwargs, match):
    values = kwargs.pop("values")
    with pytest.raises(ValueError, match=match):
        abc_classify(values, **kwargs)


# ---------------------------------------------------------------- ABC: properties

value_lists = st.lists(
    st.one_of(
        st.just(0.0),
        st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False),
        st.integers(min_value=0, max_value=5).map(float),  # many ties
    ),
    min_size=1,
    max_size=60,
)
cutoff_pairs = st.tuples(
    st.floats(min_value=0.01, max_value=0.98), st.floats(min_value=0.001, max_value=0.5)
).map(lambda t: (t[0], min(t[0] + t[1], 0.999)))


@settings(max_examples=150, deadline=None)
@given(values=value_lists, cutoffs=cutoff_pairs, rule=st.sampled_from(ABC_RULES))
def test_abc_properties(values, cutoffs, rule):
    v = np.asarray(values)
    abc = abc_classify(v, cutoffs=cutoffs, rule=rule)
    ranked = abc.sort_values("rank")
    cum = ranked["cumulative_share"].to_numpy()
    codes = abc["class"].cat.codes.to_numpy()
    assert np.all(np.diff(cum) >= 0)
    assert np.all(np.isfinite(abc["share"])) and np.all(np.isfinite(cum))
    assert sorted(abc["rank"]) == list(range(1, len(v) + 1))
    if v.sum() > 0:
        assert cum[-1] == 1.0  # exactly
        assert_allclose(abc["share"].sum(), 1.0, rtol=1e-12)
    else:
        assert np.all(cum == 0)
    # class order is monotone in value: a larger value never gets a worse class
    hi, lo = np.meshgrid(np.arange(len(v)), np.arange(len(v)), indexing="ij")
    greater = v[hi] > v[lo]
    assert np.all(codes[hi][greater] <= codes[lo][greater])
    # zero-value items are in the last class
    assert np.all(codes[v == 0] == len(cutoffs))
    # the ranking sorts values descending, ties by input position (a stable sort)
    assert np.all(np.diff(v[np.argsort(abc["rank"].to_numpy())]) <= 0)
    stable = np.argsort(-v, kind="stable")
    assert np.array_equal(abc["rank"].to_numpy()[stable], np.arange(1, len(v) + 1))


@settings(max_examples=100, deadline=None)
@given(values=value_lists, cutoffs=cutoff_pairs)
def test_lower_rule_never_gives_a_better_class(values, cutoffs):
    up = abc_classify(values, cutoffs=cutoffs, rule=UPPER)["class"].cat.codes
    low = abc_classify(values, cutoffs=cutoffs, rule=LOWER)["class"].cat.codes
    assert np.all(low.to_numpy() >= up.to_numpy())


@settings(max_examples=100, deadline=None)
@given(values=value_lists, cutoffs=cutoff_pairs)
def test_upper_rule_class_a_is_smallest_prefix_reaching_cutoff(values, cutoffs):
    v = np.asarray(values)
    abc = abc_classify(v, cutoffs=cutoffs, rule=UPPER).sort_values("rank")
    in_a = (abc["class"] == "A").to_numpy()
    cum = abc["cumulative_share"].to_numpy()
    if v.sum() == 0:
        assert not in_a.any()
        return
    n_a = int(in_a.sum())
    assert in_a[:n_a].all()  # a prefix
    assert cum[n_a - 1] >= cutoffs[0] - 1e-12  # reaches the cut-off...
    if n_a > 1:
        assert cum[n_a - 2] < cutoffs[0] + 1e-12  # ...and is the smallest such prefix


# ---------------------------------------------------------------- XYZ


def test_xyz_boundaries_belong_to_steadier_class():
    cv = [0.0, 0.5, 0.5000001, 1.0, 1.0000001, np.inf, np.nan]
    assert list(xyz_classify(cv)) == ["X", "X", "Y", "Y", "Z", "Z", "Z"]


def test_xyz_nan_label_separate():
    s = xyz_classify(pd.Series([np.nan, 0.3], index=["dead", "steady"]), nan_label="-")
    assert s.to_dict() == {"dead": "-", "steady": "X"}
    assert list(s.cat.categories) == ["X", "Y", "Z", "-"]
    assert s.name == "xyz" and s.cat.ordered
    # nan_label may also be one of the labels
    assert list(xyz_classify([np.nan], nan_label="Y")) == ["Y"]


@pytest.mark.parametrize(
    "cv",
    [
        [0.2, 0.8, 1.5],
        np.array([0.2, 0.8, 1.5]),
        pd.Series([0.2, 0.8, 1.5], index=["a", "b", "c"]),
        pd.Series([0.2, 0.8, 1.5], index=["a", "b", "c"], dtype="Float64"),
    ],
)
def test_xyz_input_types(cv):
    s = xyz_classify(cv)
    assert list(s) == ["X", "Y", "Z"]
    expected = cv.index if isinstance(cv, pd.Series) else pd.RangeIndex(3)
    pd.testing.assert_index_equal(s.index, expected)


def test_xyz_pandas_na_is_nan_and_custom_cutoffs():
    cv = pd.Series([0.1, pd.NA, 0.3], dtype="Float64")
    assert list(xyz_classify(cv)) == ["X", "Z", "X"]
    s = xyz_classify([0.1, 0.25, 0.3], cutoffs=(0.2,), labels=("steady", "erratic"))
    assert list(s) == ["steady", "erratic", "erratic"]
    assert len(xyz_classify([])) == 0
    assert list(xyz_classify(0.7)) == ["Y"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cv": [0.1, -0.5]}, r"cv must be >= 0 \[-\]; got -0.5 at 1 position"),
        ({"cv": ["x"]}, r"cv must be numeric"),
        ({"cv": [0.1], "cutoffs": (1.0, 0.5)}, r"cutoffs must be strictly increasing"),
        ({"cv": [0.1], "cutoffs": (-1.0, 0.5)}, r"cutoffs must all be > 0 and finite"),
        ({"cv": [0.1], "labels": ("X", "Y")}, r"labels must have one more entry than cutoffs"),
    ],
)
def test_xyz_validation(kwargs, match):
    cv = kwargs.pop("cv")
    with pytest.raises(ValueError, match=match):
        xyz_classify(cv, **kwargs)


# ---------------------------------------------------------------- ABC-XYZ matrix


def test_matrix_all_cells_counts_and_values():
    abc = abc_classify(silicon_values(), cutoffs=(0.70, 0.95))
    xyz = xyz_classify(pd.Series(np.linspace(0.1, 2.0, 10), index=SILICON_ITEMS))
    m = abc_xyz_matrix(abc, xyz, silicon_values())
    assert len(m) == 9
    assert m.index.names == ["abc", "xyz"]
    assert m["count"].sum() == 10
    assert_allclose(m["value"].sum(), 232_057.0, rtol=1e-12)
    assert_allclose(m["value_share"].sum(), 1.0, rtol=1e-12)
    assert_allclose(m["count_share"].sum(), 1.0, rtol=1e-12)
    # recompute independently with a groupby
    frame = pd.DataFrame({"a": abc["class"].astype(str), "x": xyz.astype(str)})
    frame["v"] = silicon_values()
    expected = frame.groupby(["a", "x"])["v"].agg(["size", "sum"])
    for (a, x), row in expected.iterrows():
        assert m.loc[(a, x), "count"] == row["size"]
        assert_allclose(m.loc[(a, x), "value"], row["sum"], rtol=1e-12)
    empty_cells = m.drop(index=expected.index)
    assert (empty_cells["count"] == 0).all() and (empty_cells["value"] == 0).all()


def test_matrix_plain_lists_separate_nan_label_and_empty():
    m = abc_xyz_matrix(["A", "B"], ["X", "-"], [1.0, 0.0], xyz_labels=("X", "Y", "Z", "-"))
    assert len(m) == 12 and m.loc[("B", "-"), "count"] == 1
    m = abc_xyz_matrix([], [], [])
    assert len(m) == 9 and m["count"].sum() == 0
    assert not m.isna().any().any()
    m = abc_xyz_matrix(["A"], ["X"], [0.0])
    assert_allclose(m["value_share"], 0.0)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((["A", "B"], ["X"], [1.0, 2.0]), r"abc, xyz and values must have the same length"),
        (
            (["A", "Q"], ["X", "W"], [1.0, 2.0]),
            r"abc has classes not in \['A', 'B', 'C'\]: \['Q'\]",
        ),
        ((["A"], ["W"], [1.0]), r"xyz has classes not in \['X', 'Y', 'Z'\]: \['W'\]"),
        (
            (pd.Series(["A"], index=["a"]), pd.Series(["X"], index=["b"]), [1.0]),
            r"different indexes",
        ),
        ((pd.DataFrame({"k": ["A"]}), ["X"], [1.0]), r"abc must be a Series of classes or a frame"),
    ],
)
def test_matrix_validation(args, match):
    with pytest.raises(ValueError, match=match):
        abc_xyz_matrix(*args)


# ---------------------------------------------------------------- class targets


def test_class_service_levels_default_targets_and_index():
    s = class_service_levels(pd.Series(["A", "C", "B"], index=["s1", "s2", "s3"]))
    assert s.to_dict() == {"s1": 0.98, "s2": 0.90, "s3": 0.95}
    assert s.name == "service_level" and s.dtype == float


def test_class_service_levels_from_abc_frame_custom_and_default():
    abc = abc_classify(silicon_values(), cutoffs=(0.70, 0.95))
    s = class_service_levels(abc, {"A": 0.99, "B": 0.97, "C": 0.85})
    assert s.index.tolist() == SILICON_ITEMS
    assert s.tolist() == [0.99] * 2 + [0.97] * 3 + [0.85] * 5
    s = class_service_levels(["A", "D"], {"A": 0.99}, default=0.9)
    assert s.tolist() == [0.99, 0.9]
    assert len(class_service_levels([])) == 0


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((["A", "D", "E"],), {}, r"classes \['D', 'E'\] have no service target"),
        ((["A"], {"A": 1.0}), {}, r"service target for 'A' must be strictly between 0 and 1"),
        ((["A"], {"A": 0.0}), {}, r"service target for 'A' must be strictly between 0 and 1"),
        ((["A"], {"A": "high"}), {}, r"service target for 'A'.*got 'high'"),
        ((["A"],), {"default": 1.5}, r"service target for 'default' must be strictly between"),
    ],
)
def test_class_service_levels_validation(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        class_service_levels(*args, **kwargs)


@pytest.mark.parametrize(
    "classes",
    [
        ["A", "C"],
        ("A", "C"),
        np.array(["A", "C"]),
        pd.Series(["A", "C"], index=[7, 9]),
        pd.Series(["A", "C"], index=[7, 9], dtype="category"),
        pd.Series(["A", "C"], index=[7, 9], dtype="str"),
    ],
)
def test_class_targets_input_types(classes):
    s = class_service_levels(classes)
    assert s.tolist() == [0.98, 0.90]
    expected = classes.index if isinstance(classes, pd.Series) else pd.RangeIndex(2)
    pd.testing.assert_index_equal(s.index, expected)
    assert cycle_count_frequency(classes).tolist() == [12.0, 1.0]


def test_class_service_levels_nan_class_is_unknown():
    with pytest.raises(ValueError, match=r"classes \['nan'\] have no service target"):
        class_service_levels(["A", np.nan])


def test_cycle_count_coles_trucks():
    """Heizer & Render, ch. 12, Cole's Trucks: 500 A counted monthly, 1,750 B quarterly,
    2,750 C every six months; 20 working days a month -> 25 + 29 + 23 = 77 items a day."""
    classes_ = pd.Series(["A"] * 500 + ["B"] * 1750 + ["C"] * 2750)
    freq = cycle_count_frequency(classes_, {"A": 12, "B": 4, "C": 2})
    per_day = freq.groupby(classes_).sum() / 240
    # the book rounds each class to whole items per day
    assert_allclose(per_day.to_numpy(), [25, 29.17, 22.92], atol=0.01)
    assert round(float(freq.sum() / 240)) == 77


def test_cycle_count_default_and_validation():
    assert cycle_count_frequency(["A", "B", "C"]).tolist() == [12.0, 4.0, 1.0]
    assert cycle_count_frequency(["Z"], default=0).tolist() == [0.0]
    with pytest.raises(ValueError, match=r"counts per year for 'A' must be >= 0 \[1/year\]"):
        cycle_count_frequency(["A"], {"A": -1})
    with pytest.raises(ValueError, match=r"classes \['Z'\] have no count frequency"):
        cycle_count_frequency(["Z"])
