"""Replenishment: supplier scorecards from the purchase-order history, and the order
list (what to order today, from whom, how much)."""

from . import replenishment as _replenishment_module
from . import supplier
from .replenishment import *  # noqa: F403
from .supplier import *  # noqa: F403

__all__ = [*supplier.__all__, *_replenishment_module.__all__]
