"""What a dashboard kernel loads before it needs it (issue 16, memory per kernel).

Planning the sample business must not import ``scipy.stats`` (about 40 MB and 0.5 s of
every kernel): the quantiles the demand pmfs need come from ``scipy.special``, and must
equal what ``scipy.stats`` gives.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from workbench import cli
from workbench.policy import distributions as dist


@pytest.fixture(scope="module")
def grid():
    rng = np.random.default_rng(16)
    q = np.r_[rng.uniform(1e-9, 1 - 1e-12, 20_000), 1 - 1e-12, 1 - 1e-9, 0.5, 1e-6]
    return rng, q


def test_poisson_quantile_equals_scipy_stats(grid):
    rng, q = grid
    mu = np.r_[rng.gamma(0.5, 20.0, q.size - 4), 1e-3, 1e4, 3.0, 0.0]
    np.testing.assert_array_equal(dist._poisson_ppf(q, mu), stats.poisson.ppf(q, mu))


def test_negative_binomial_quantile_equals_scipy_stats_for_real_n(grid):
    rng, q = grid
    n = np.r_[rng.gamma(1.0, 5.0, q.size - 4) + 1e-3, 1e6, 0.01, 3.0, 50.0]
    p = np.r_[rng.uniform(0.01, 0.99, q.size - 4), 0.999, 0.5, 1e-4, 0.9]
    np.testing.assert_array_equal(dist._nbinom_ppf(q, n, p), stats.nbinom.ppf(q, n, p))


def test_gamma_quantile_equals_scipy_stats(grid):
    rng, q = grid
    a = rng.gamma(1.0, 5.0, q.size) + 1e-3
    np.testing.assert_allclose(
        dist._gamma_ppf(q, a, 2.5), stats.gamma.ppf(q, a, scale=2.5), rtol=1e-13
    )


def test_planning_the_sample_business_does_not_import_scipy_stats():
    probe = (
        "import sys; from workbench.ui import app; "
        "ds = app.default_dataset(); plan = app.compute_plan(ds, app._default_scenario()); "
        "assert plan is not None and len(plan) > 0; "
        "print(sorted(m for m in ('scipy.stats', 'scipy.optimize', 'numba') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300
    )
    assert out.stdout.strip() == "[]"


def test_kernels_use_the_system_allocator_for_arrow_and_few_malloc_arenas():
    env = cli.voila_env(base={})
    assert env["ARROW_DEFAULT_MEMORY_POOL"] == "system"
    assert env["MALLOC_ARENA_MAX"] == "2"
    assert (
        cli.voila_env(base={"ARROW_DEFAULT_MEMORY_POOL": "jemalloc"})["ARROW_DEFAULT_MEMORY_POOL"]
        == "jemalloc"
    )


@pytest.mark.parametrize("in_voila", [True, False])
def test_a_voila_kernel_makes_figure_widgets_without_nbformat(in_voila):
    probe = (
        "import sys; import workbench.ui; import plotly.graph_objects as go; "
        "go.FigureWidget(data=[go.Scatter(x=[1], y=[2])]); "
        "print('jsonschema' in sys.modules, sys.modules.get('nbformat', 0) is None)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOILA_")}
    if in_voila:
        env["VOILA_KERNEL_ID"] = "k"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=300,
    )
    assert out.stdout.split() == (["False", "True"] if in_voila else ["True", "False"])
