"""Inventory Workbench: data loaders and vectorized inventory-policy calculators.

Import as ``import workbench as wb``. The widget panels live in
:mod:`workbench.ui` and are imported explicitly, so the calculators run in a
plain script with no Jupyter stack loaded.
"""

from . import data, evaluate, partition, policy, promise, replenish, scenario, sim, stock
from .data import *  # noqa: F403
from .evaluate import *  # noqa: F403
from .forecasting import ForecastResult, backtest, forecast
from .mrp import MRPResult, mrp  # wb.mrp is the function; the package is workbench.mrp
from .mrp.lot_sizing import LOT_SIZING_METHODS, LotSizeResult, lot_size
from .partition import *  # noqa: F403
from .policy import *  # noqa: F403
from .promise import *  # noqa: F403
from .replenish import *  # noqa: F403
from .scenario import *  # noqa: F403
from .sim import *  # noqa: F403
from .stock import *  # noqa: F403

__version__ = "0.1.0"


def __getattr__(name: str):
    """``wb.distributed`` on first use: it imports Dask, which the core never does."""
    if name == "distributed":
        import importlib

        return importlib.import_module(".distributed", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    *data.__all__,
    *evaluate.__all__,
    *partition.__all__,
    *policy.__all__,
    *promise.__all__,
    *replenish.__all__,
    *scenario.__all__,
    *sim.__all__,
    *stock.__all__,
    "LOT_SIZING_METHODS",
    "ForecastResult",
    "LotSizeResult",
    "MRPResult",
    "backtest",
    "forecast",
    "lot_size",
    "mrp",
]
