"""Replenishment: supplier scorecards from the purchase-order history, and the order
list (what to order today, from whom, how much)."""

from . import supplier
from .supplier import *  # noqa: F403

__all__ = [*supplier.__all__]
