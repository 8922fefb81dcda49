"""The order quantity: the EOQ, rounded up to the pack size and at least the MOQ.

Q* = sqrt(2 D S / H) (Eq. (12-1) in [HR]), then the smallest multiple of the pack at
least both Q* and the MOQ. No demand: Q = 0; a zero order cost: one pack or the MOQ; a
zero holding cost: Q* = D; Q* at most :data:`MAX_ORDER_QUANTITY`.

References
----------
.. [SPT] E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production
   Management in Supply Chains*, 4th ed., CRC Press, 2017, ch. 4.
.. [HR] J. Heizer, B. Render and C. Munson, *Operations Management*, 12th ed.,
   Pearson, 2017, ch. 12 (EOQ, reorder point, safety stock, ABC analysis).
"""

from __future__ import annotations

import numpy as np

from ..data.schema import MAX_QUANTITY
from ..policy.order_quantity import eoq

#: Largest order quantity a plan suggests [units]: the largest quantity the data model holds
#: (``MAX_QUANTITY`` of :mod:`workbench.data.schema`, a purchase-order line). A holding cost
#: near zero makes the EOQ sqrt(2DS/H) grow without bound (1e173 units at the smallest
#: positive float, inf beyond); the plan orders at most this.
MAX_ORDER_QUANTITY = MAX_QUANTITY


def _order_quantity(
    annual: np.ndarray, order_cost: np.ndarray, hold: np.ndarray, moq: np.ndarray,
    pack: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """EOQ, then the smallest multiple of the pack at least both the EOQ and the MOQ.

    Rounding up, not to the nearer multiple, keeps the supplier's constraints and costs
    little on the flat EOQ curve ([HR] ch. 12; [SPT] ch. 4).
    """
    demand = annual > 0
    pos_s, pos_h = order_cost > 0, hold > 0
    d = np.where(demand, annual, 0.0)
    s = np.where(pos_s, order_cost, 1.0)
    # a holding cost so near zero that Q* > MAX_ORDER_QUANTITY (or 2DS/H overflows to inf)
    # is raised to the one that gives Q* = MAX_ORDER_QUANTITY: the EOQ is capped there
    with np.errstate(over="ignore", under="ignore"):
        h = np.maximum(np.where(pos_h, hold, 1.0), 2.0 * d * s / MAX_ORDER_QUANTITY**2)
    q_star = np.minimum(eoq(d, order_cost=s, holding_cost=h).order_quantity, MAX_ORDER_QUANTITY)
    q_star = np.where(pos_h, np.where(pos_s, q_star, 0.0), np.minimum(annual, MAX_ORDER_QUANTITY))
    q_star = np.where(demand, q_star, np.where(np.isnan(annual), np.nan, 0.0))
    q_star = np.where(np.isnan(order_cost) | np.isnan(hold), np.nan, q_star)
    need = np.maximum(q_star, moq)
    with np.errstate(over="ignore"):
        count = need / pack
    # 1e-12 forgives rounding noise in Q* / pack; floor: and never drops a whole pack
    packs = np.maximum(np.ceil(count * (1 - 1e-12)), np.floor(count))
    # a pack so small that the count of packs is beyond float precision (or inf): the
    # rounding changes nothing, so the quantity is the one needed
    fine = ~(packs < 2.0**52)
    q = np.where(fine, need, np.maximum(packs, 1.0) * pack)
    q = np.where(demand, q, q_star)
    return q_star, q
