"""Stock on hand: FIFO/FEFO/LIFO lot consumption, valuation, aging and expiry,
the physical count audit, and the weekly review KPIs."""

from . import aging, audit, fifo, kpi, review, valuation
from .aging import *  # noqa: F403
from .audit import *  # noqa: F403
from .fifo import *  # noqa: F403
from .kpi import *  # noqa: F403
from .review import *  # noqa: F403
from .valuation import *  # noqa: F403

__all__ = [
    *fifo.__all__,
    *valuation.__all__,
    *aging.__all__,
    *audit.__all__,
    *kpi.__all__,
    *review.__all__,
]
