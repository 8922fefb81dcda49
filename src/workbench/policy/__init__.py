"""Pure, vectorized inventory-policy calculators (no widgets, no plotting)."""

from . import classify, eoq, newsvendor, review, service
from .classify import *  # noqa: F403
from .eoq import *  # noqa: F403
from .newsvendor import *  # noqa: F403
from .review import *  # noqa: F403
from .service import *  # noqa: F403

__all__ = [*eoq.__all__, *service.__all__, *review.__all__, *newsvendor.__all__, *classify.__all__]
