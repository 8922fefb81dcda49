"""Material requirements planning: lot sizing, BOM explosion, gross-to-net, planned orders.

The engine's entry point is :func:`workbench.mrp` (``wb.mrp``); lot sizing alone is
:func:`workbench.lot_size`. The modules are named after the concept: ``lot_sizing``
(the lot-sizing rules), ``records`` (the time-phased record), ``engine`` (netting by
low-level code, pegging, action messages).
"""

# Each module adds its public names here, one import line and one __all__ line each.
from . import lot_sizing
from .engine import MRPResult, mrp
from .lot_sizing import *  # noqa: F403

__all__: list[str] = []
__all__ += lot_sizing.__all__
__all__ += ["MRPResult", "mrp"]
