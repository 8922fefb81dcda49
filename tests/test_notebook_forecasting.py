"""Notebook 07_forecasting: committed clean, calls what it teaches, and says nothing false
of the dashboard.

The notebook itself runs under nbval (``make notebooks``); these checks are fast.
"""

import json
from pathlib import Path

import workbench as wb
from workbench.ui.app import TABS

NB = Path(__file__).resolve().parents[1] / "notebooks" / "07_forecasting.ipynb"


def _cells() -> list[dict]:
    return json.loads(NB.read_text(encoding="utf-8"))["cells"]


def _text(kind: str) -> str:
    return " ".join("".join(c["source"]) for c in _cells() if c["cell_type"] == kind)


def test_stripped_and_without_definitions():
    for cell in _cells():
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
            src = "".join(cell["source"])
            assert "def " not in src and "class " not in src


def test_calls_the_package_it_teaches():
    code = _text("code")
    for call in ("wb.forecast(", "wb.backtest(", 'demand_source="forecast"', "wb.plan(",
                 "wb.plan_summary("):  # fmt: skip
        assert call in code, call


def test_teaches_every_model_with_its_formula():
    """Each model of the package has a row in the table, and the safety-stock formula the
    plan uses is the one shown."""
    md = _text("markdown").lower()
    names = {
        "naive": "naive", "seasonal_naive": "seasonal naive", "moving_average": "moving average",
        "ses": "simple exponential smoothing", "holt": "holt (linear trend)",
        "damped": "damped trend", "holt_winters_additive": "holt-winters additive",
        "holt_winters_multiplicative": "holt-winters multiplicative", "croston": "croston",
        "sba": "sba", "tsb": "tsb", "adida": "adida", "imapa": "imapa",
    }  # fmt: skip
    assert set(names) == set(wb.forecasting.MODELS)
    for name in names.values():
        assert f"| {name}" in md, name
    assert r"s = \hat d_p + k\,\sigma_p" in md
    assert "120 days" in md and str(int(wb.forecasting.protection.DEFAULT_MAX_DAYS)) == "120"
    assert "fewer than 3 backtest windows" in md and wb.forecasting.protection.MIN_WINDOWS == 3


def test_what_it_says_of_the_dashboard_is_true():
    """The notebook claims a Forecast tab only if the dashboard has one."""
    if "Forecast tab" in _text("markdown"):
        assert "Forecast" in [t.title for t in TABS]
