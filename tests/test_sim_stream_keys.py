"""simulate(stream_keys=): some SKUs of a run, simulated apart, draw what they draw in it.

The random streams are keyed by a SKU's position (``_streams.sku_keys``); a run of one
part of a catalog gives each SKU its position in the whole catalog, so that the parts'
summaries are the whole run's (issue 18: simulation summaries per partition).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from workbench.partition import part_dataset


@pytest.fixture(scope="module")
def sample():
    return wb.sample_dataset(n_skus=80, years=1, seed=5)


@pytest.fixture(scope="module")
def plan(sample):
    return wb.plan(sample)


def _run(ds, plan, **kw):
    return wb.simulate(ds, policy="plan", plan=plan, days=240, rng=11, progress=False, **kw).summary


@pytest.mark.parametrize("model", ["negative_binomial", "bootstrap", "replay"])
def test_a_part_of_one_sku_draws_what_it_draws_in_the_whole_run(sample, plan, model):
    whole = _run(sample, plan, demand_model=model)
    assert whole["orders"].sum() > 0
    for pos in (0, 17, 79):
        sku = sample.items["sku"].iloc[pos]
        rows = sample.demand[sample.demand["sku"] == sku]
        one = part_dataset(sample.items, rows, sample.demand_period, sample.demand_frequency)
        alone = _run(one, plan, demand_model=model, stream_keys=[pos])
        pd.testing.assert_frame_equal(alone, whole.loc[[sku]], check_exact=False, rtol=1e-12)
        if model != "replay" or pos:  # without the key, column 0's streams: another run
            other = _run(one, plan, demand_model=model)
            assert not np.allclose(other.to_numpy(float), alone.to_numpy(float))


def test_without_stream_keys_the_run_is_unchanged(sample, plan):
    n = len(sample.items)
    keyed = _run(sample, plan, demand_model="gamma", stream_keys=np.arange(n))
    pd.testing.assert_frame_equal(keyed, _run(sample, plan, demand_model="gamma"))


def test_stream_keys_by_sku_in_a_series_and_reversed_order(sample, plan):
    skus = sample.items["sku"]
    whole = _run(sample, plan, demand_model="normal")
    reordered = wb.Dataset.from_tables({"items": sample.items.iloc[::-1], "demand": sample.demand})
    keys = pd.Series(np.arange(len(skus)), index=skus)
    back = _run(reordered, plan, demand_model="normal", stream_keys=keys)
    pd.testing.assert_frame_equal(back.reindex(whole.index), whole)


@pytest.mark.parametrize(
    ("keys", "message"),
    [([0, 0], "differ from SKU to SKU"), ([0, -1], "whole number >= 0"), ([0.5, 1], "whole")],
)
def test_bad_stream_keys_are_refused(keys, message):
    with pytest.raises(ValueError, match=message):
        wb.simulate(np.ones((10, 2)), policy="sS", reorder_point=1, order_up_to=3,
                    lead_time_days=1, stream_keys=keys, progress=False)  # fmt: skip
