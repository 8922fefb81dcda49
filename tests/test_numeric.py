"""Tests for the shared broadcasting and validation helpers in workbench._numeric."""

import numpy as np
import pandas as pd
import pytest

from workbench._numeric import (
    as_generator,
    broadcast,
    group_extreme,
    require_nonnegative,
    require_positive,
    require_probability,
    row_dot,
)


def test_scalars_give_a_float():
    b = broadcast(a=2, b=3.5)
    out = b.wrap(b["a"] * b["b"])
    assert isinstance(out, float)
    assert out == 7.0


def test_list_and_array_give_an_array():
    b = broadcast(a=[1, 2, 3], b=2)
    out = b.wrap(b["a"] * b["b"])
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, [2, 4, 6])


def test_series_keeps_its_index():
    s = pd.Series([1.0, 4.0], index=["SKU-1", "SKU-2"])
    b = broadcast(a=s, b=[10, 20])
    out = b.wrap(np.sqrt(b["a"]) * b["b"], name="x")
    assert isinstance(out, pd.Series)
    assert list(out.index) == ["SKU-1", "SKU-2"]
    assert out.name == "x"
    np.testing.assert_array_equal(out.to_numpy(), [10.0, 40.0])


def test_series_with_different_indexes_are_refused():
    a = pd.Series([1.0], index=["x"])
    c = pd.Series([1.0], index=["y"])
    with pytest.raises(ValueError, match="index differs"):
        broadcast(a=a, c=c)


def test_shapes_that_do_not_broadcast_are_named():
    with pytest.raises(ValueError, match=r"a \(2,\), b \(3,\)"):
        broadcast(a=[1, 2], b=[1, 2, 3])


def test_non_numeric_input_is_named():
    with pytest.raises(ValueError, match="order_cost must be numeric; got 'ten'"):
        broadcast(order_cost="ten")


def test_empty_input_gives_empty_output():
    b = broadcast(a=[], b=2.0)
    assert b.wrap(b["a"] * b["b"]).shape == (0,)


def test_require_messages_name_parameter_unit_and_value():
    with pytest.raises(ValueError, match=r"holding_cost must be > 0 \[\$/unit/year\]; got -0.2"):
        require_positive("holding_cost", np.float64(-0.2), "$/unit/year")
    with pytest.raises(ValueError, match=r"demand_sd must be >= 0 \[units/day\]; got -1, -2"):
        require_nonnegative("demand_sd", np.array([1.0, -1.0, -2.0]), "units/day")
    with pytest.raises(ValueError, match="service_level must be strictly between 0 and 1"):
        require_probability("service_level", np.array([0.5, 1.0]))


def test_nan_passes_validation():
    require_positive("x", np.array([np.nan, 1.0]))


def test_generator_from_seed_is_reproducible():
    assert as_generator(3).random() == as_generator(3).random()
    g = np.random.default_rng(1)
    assert as_generator(g) is g
    with pytest.raises(ValueError, match="rng must be"):
        as_generator("seed")


@pytest.mark.parametrize("ufunc", [np.minimum, np.maximum])
@pytest.mark.parametrize("ordered", [True, False])
def test_group_extreme_equals_ufunc_at(ufunc, ordered):
    """Sorted codes take the reduceat path, shuffled ones ufunc.at: the same extremes."""
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 50, 5000)
    values = rng.integers(-1000, 1000, 5000)
    if ordered:
        order = np.argsort(codes, kind="stable")
        codes, values = codes[order], values[order]
    start = np.where(np.arange(60) % 2 == 0, 0, 10**6 if ufunc is np.minimum else -(10**6))
    expected, got = start.copy(), start.copy()
    ufunc.at(expected, codes, values)
    group_extreme(ufunc, got, codes, values)
    assert np.array_equal(got, expected)
    assert not np.array_equal(got, start)  # the test can fail: something changed


def test_row_dot_is_matrix_vector_product():
    """row_dot sums each row against the vector, as ``@`` does, to rounding."""
    rng = np.random.default_rng(4)
    m, v = rng.random((37, 513)), rng.random(513)
    np.testing.assert_allclose(row_dot(m, v), m @ v, rtol=1e-13)
    assert row_dot(np.zeros((0, 3)), np.ones(3)).shape == (0,)
