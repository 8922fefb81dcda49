"""Compiled perpetual-LIFO pass for :mod:`workbench.stock.valuation`.

Kept apart so that ``import workbench`` does not import numba; the valuation module
imports this only when the ``"lifo_perpetual"`` method is asked for.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__: list[str] = []


@njit(cache=True, nogil=True)
def lifo_perpetual_kernel(code, receipt, qty, cost, n_codes):  # pragma: no cover - compiled
    """One pass over the ledger (sorted by SKU code, then ledger order): a stack per SKU.

    A receipt first fills the SKU's backorder at its own cost, then pushes the rest
    as a layer; an issue pops the newest layers and backorders what is missing.
    Returns per code the units and cost issued, and the closing value.
    """
    n = len(qty)
    layer_q = np.empty(n)
    layer_c = np.empty(n)
    units = np.zeros(n_codes)
    cogs = np.zeros(n_codes)
    closing = np.zeros(n_codes)
    top = 0
    backorder = 0.0
    for i in range(n):
        k = code[i]
        if i > 0 and code[i - 1] != k:
            top = 0
            backorder = 0.0
        q = qty[i]
        if receipt[i]:
            fill = min(q, backorder)
            units[k] += fill
            cogs[k] += fill * cost[i]
            backorder -= fill
            q -= fill
            if q > 0.0:
                layer_q[top] = q
                layer_c[top] = cost[i]
                top += 1
        else:
            while q > 0.0 and top > 0:
                take = min(q, layer_q[top - 1])
                units[k] += take
                cogs[k] += take * layer_c[top - 1]
                q -= take
                layer_q[top - 1] -= take
                # a layer used up within float rounding of the issue counts as used up
                if layer_q[top - 1] <= 1e-9 * max(1.0, take):
                    top -= 1
            if q > 1e-9 * max(1.0, qty[i]):
                backorder += q
        if i == n - 1 or code[i + 1] != k:
            value = 0.0
            for j in range(top):
                value += layer_q[j] * layer_c[j]
            closing[k] = value
    return units, cogs, closing
