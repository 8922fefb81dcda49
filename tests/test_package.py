"""The package as a whole: what `import workbench` brings in."""

import subprocess
import sys

import workbench as wb


def test_public_names_are_unique_and_importable():
    assert len(wb.__all__) == len(set(wb.__all__))
    missing = [name for name in wb.__all__ if not hasattr(wb, name)]
    assert missing == []


def test_import_loads_no_widgets_and_no_scipy_stats():
    # Calculators must run in a plain script (DESIGN.md: nothing below ui imports
    # ipywidgets or plotly), and every Voila kernel pays for what `import workbench`
    # loads: scipy.stats alone costs about a second, so the package uses scipy.special;
    # numba (half a second) is imported by the simulator when it runs.
    code = (
        "import sys, workbench; print(sorted(m for m in "
        "('ipywidgets', 'plotly', 'scipy.stats', 'numba', 'dask') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_policy_modules_are_modules_not_the_functions_they_define():
    # workbench.policy.eoq and .newsvendor were modules named like their main function,
    # so the star import rebound the name and `import workbench.policy.eoq as m` gave the
    # function (issue 15). The modules are now named for their concept.
    import importlib
    import types

    for name in ("order_quantity", "single_period", "service", "review", "distributions"):
        module = importlib.import_module(f"workbench.policy.{name}")
        assert isinstance(module, types.ModuleType), name
        assert getattr(wb.policy, name) is module
    import workbench.policy.order_quantity as oq
    import workbench.policy.single_period as sp

    assert isinstance(oq, types.ModuleType) and callable(oq.eoq)
    assert isinstance(sp, types.ModuleType) and callable(sp.newsvendor)
