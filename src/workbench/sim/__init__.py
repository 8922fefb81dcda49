"""Simulation of inventory policies over a whole portfolio, and the service frontier.

Note: ``workbench.sim.simulate`` is the function; its module is
``workbench.sim.simulate`` in ``sys.modules`` only.
"""

from .demand import *  # noqa: F403
from .demand import __all__ as _demand_all
from .frontier import *  # noqa: F403
from .frontier import __all__ as _frontier_all
from .simulate import *  # noqa: F403
from .simulate import __all__ as _simulate_all

__all__ = [*_demand_all, *_simulate_all, *_frontier_all]
