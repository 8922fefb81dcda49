"""Demand forecasting for inventory: smooth, trending, seasonal and intermittent models.

- :func:`forecast`: per SKU, the forecast per bucket with prediction intervals, and
  the model used with its parameters (``model="auto"`` picks by demand class and
  backtest error).
- :func:`backtest`: rolling-origin errors per SKU and model, including the error of
  the forecast summed over lead time plus review period.
- :func:`forecast_demand` and :func:`protection_demand`: the forecast over each SKU's
  protection interval and the backtested error of that sum, which a plan with
  ``Scenario(demand_source="forecast")`` uses for safety stock.
- :func:`forecast_matrix`: the array-level engine (SKUs x buckets) behind both.
- :func:`fitted_values`: one SKU's one-step-ahead in-sample forecasts (for a chart).

The models (:data:`MODELS`): naive, seasonal naive, moving average, simple
exponential smoothing, Holt, damped trend, Holt-Winters additive and multiplicative,
Croston, SBA, TSB, ADIDA and IMAPA, compiled with numba and vectorised across SKUs.

The subpackage is named ``forecasting`` so that the function ``wb.forecast`` does not
shadow it (the lesson of issue 15's module renames): ``import workbench.forecasting.models``
gives the module.
"""

from .api import (
    AUTO_CANDIDATES,
    AUTO_FLOOR,
    AUTO_WINDOWS,
    DEFAULT_HORIZON,
    SEASON_LENGTH,
    ForecastResult,
    backtest,
    forecast,
)
from .fitted import fitted_values
from .models import MODELS, MatrixForecast, forecast_matrix
from .protection import ProtectionForecast, forecast_demand, protection_demand

__all__ = [
    "AUTO_CANDIDATES",
    "AUTO_FLOOR",
    "AUTO_WINDOWS",
    "DEFAULT_HORIZON",
    "MODELS",
    "SEASON_LENGTH",
    "ForecastResult",
    "MatrixForecast",
    "ProtectionForecast",
    "backtest",
    "fitted_values",
    "forecast",
    "forecast_demand",
    "forecast_matrix",
    "protection_demand",
]


def warm_up() -> None:
    """Compile (or load from the cache) every forecasting kernel on a tiny input."""
    import numpy as np

    y = np.array([[1.0, 0.0, 2.0, 3.0, 0.0, 1.0, 2.0, 4.0, 1.0, 0.0, 2.0, 3.0, 1.0, 2.0, 2.0]])
    for mdl in MODELS:
        forecast_matrix(y, model=mdl, horizon=2, season_length=3)
