"""Lead-time models of :func:`workbench.sim.simulate`, drawn per (SKU, order number)."""

from __future__ import annotations

import numpy as np
from scipy import special

from . import _streams

_WH_MIN_SHAPE = 4.0
_Z_TOP = 5.199337582  # the standard normal's 1 - 1e-7 quantile


class _LeadTimes:
    """Whole-day lead times of orders, each from its SKU's own counter-based draws.

    The k-th order of SKU i draws from counters ``k * STRIDE ...`` of SKU i's key
    (:mod:`workbench.sim._streams`), so a lead time does not depend on which other
    SKUs order on the same day, or on the engine or the chunking.
    """

    def __init__(
        self,
        mean: np.ndarray,
        sd: np.ndarray,
        *,
        model: str,
        seed: int,
        history: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        index: np.ndarray | None = None,
    ):
        self.model = model
        n = mean.shape[0]
        self.keys = _streams.sku_keys(seed, n, index=index)
        self.orders = np.zeros(n, dtype=np.int64)  # orders placed so far, per SKU
        self.fixed = np.maximum(np.rint(mean), 0).astype(np.int64)
        self.random = (sd > 0) if model != "history" else np.zeros(mean.shape, bool)
        self.capped = 0
        self.offsets = self.counts = np.zeros(n, dtype=np.int64)
        self.values = np.zeros(0)
        if model == "history" and history is not None:
            self.offsets, self.counts, self.values = history
            self.random = self.counts > 0
        self.any_random = bool(self.random.any())
        self.all_random = bool(self.random.all())
        self.wh = np.zeros(n, dtype=bool)
        self.wh_a = self.wh_b = self.shape = self.scale = np.zeros(n)
        self.mean = np.asarray(mean, dtype=float)
        self.sd = np.asarray(sd, dtype=float)
        if model == "gamma":
            safe_sd = np.where(self.random, sd, 1.0)
            safe_mean = np.where(self.random, np.maximum(mean, 1e-9), 1.0)
            self.shape = (safe_mean / safe_sd) ** 2
            self.scale = safe_sd**2 / safe_mean
            # Wilson-Hilferty: X ~ k theta (1 - 1/(9k) + z / (3 sqrt(k)))^3 for shape k >= 4
            self.wh = self.shape >= _WH_MIN_SHAPE
            cube_root = np.cbrt(self.shape * self.scale)
            self.wh_a = cube_root * (1 - 1 / (9 * self.shape))
            self.wh_b = cube_root / (3 * np.sqrt(self.shape))
            # the 1 - 1e-7 quantile: of the cube itself where draws are cubes, else exact
            tail = (self.wh_a + _Z_TOP * self.wh_b) ** 3
            exact = self.random & ~self.wh
            if exact.any():
                tail[exact] = special.gammaincinv(self.shape[exact], 1 - 1e-7) * self.scale[exact]
            top = np.where(self.random, tail, mean)
        elif model == "normal":
            top = mean + np.where(self.random, 5.3 * sd, 0.0)  # P(Z > 5.3) ~ 6e-8
        elif model == "history":
            top = mean.copy()
            if self.values.size:
                top_hist = np.maximum.reduceat(
                    self.values, np.minimum(self.offsets, self.values.size - 1)
                )
                top = np.where(self.random, top_hist, mean)
        else:
            raise ValueError(
                f"lead_time_model must be 'gamma', 'normal' or 'history'; got {model!r}"
            )
        self.max_lead = int(max(np.max(np.rint(top), initial=1), np.max(self.fixed, initial=1)))

    def draw(self, idx: np.ndarray) -> np.ndarray:
        """Lead times of one order each of SKUs ``idx`` (distinct), counting the orders."""
        k = self.orders[idx]
        self.orders[idx] += 1
        if not self.any_random:
            return self.fixed[idx]
        if self.all_random:
            sub, k_sub = idx, k
        else:
            rnd = self.random[idx]
            sub, k_sub = idx[rnd], k[rnd]
        keys = self.keys[sub]
        base = k_sub * _streams.STRIDE
        if self.model == "gamma":
            # Wilson and Hilferty, PNAS 17 (1931) 684-688: for shape k >= 4 (lead-time
            # cv <= 0.5) its quantiles are within about 0.5 % of the gamma's, far below
            # the rounding to whole days; exact (Marsaglia-Tsang) draws below that
            wh = self.wh[sub]
            x = np.empty(sub.size)
            z = _streams.normal(keys[wh], base[wh])
            u = z * self.wh_b[sub[wh]] + self.wh_a[sub[wh]]
            np.maximum(u, 0.0, out=u)
            x[wh] = u * u * u
            if not wh.all():
                g = ~wh
                x[g] = _streams.gamma(keys[g], base[g], self.shape[sub[g]]) * self.scale[sub[g]]
        elif self.model == "normal":
            x = self.mean[sub] + self.sd[sub] * _streams.normal(keys, base)
        else:
            u = _streams.uniform(keys, base)
            x = self.values[self.offsets[sub] + (u * self.counts[sub]).astype(np.int64)]
        lt = np.rint(x).astype(np.int64)
        np.maximum(lt, 0, out=lt)  # 0: received at once, before the day's demand
        if lt.size and lt.max() > self.max_lead:
            over = lt > self.max_lead
            self.capped += int(over.sum())
            lt[over] = self.max_lead
        if self.all_random:
            return lt
        out = self.fixed[idx]
        out[rnd] = lt
        return out
