"""Pure, vectorized inventory-policy calculators (no widgets, no plotting)."""

from . import classify as _classify
from . import demand_class as _demand_class
from . import distributions as _distributions
from . import joint as _joint
from . import order_quantity as _order_quantity
from . import review as _review
from . import rq as _rq
from . import service as _service
from . import single_period as _single_period
from . import ss_exact as _ss_exact
from . import undershoot as _undershoot

__all__ = [
    *_order_quantity.__all__,
    *_service.__all__,
    *_review.__all__,
    *_single_period.__all__,
    *_rq.__all__,
    *_ss_exact.__all__,
    *_classify.__all__,
    *_demand_class.__all__,
    *_distributions.__all__,
    *_joint.__all__,
    *_undershoot.__all__,
]

from .classify import *  # noqa: F403
from .demand_class import *  # noqa: F403
from .distributions import *  # noqa: F403
from .joint import *  # noqa: F403
from .order_quantity import *  # noqa: F403
from .review import *  # noqa: F403
from .rq import *  # noqa: F403
from .service import *  # noqa: F403
from .single_period import *  # noqa: F403
from .ss_exact import *  # noqa: F403
from .undershoot import *  # noqa: F403
