"""The service-versus-investment frontier of a portfolio, and service strategies compared.

"What does each extra point of service cost us in stock?" For a range of service
targets the frontier gives the portfolio's safety-stock and average-inventory
investment against the fill rate it can expect, overall and per ABC class, from the
formulas (SKUs x targets as one 2-D array: fast enough for a slider) or from a
simulation (slower, to confirm what the formulas promise).

:func:`compare_service_strategies` answers the follow-up: at the same investment,
does one service level for every item, or class-based targets (A high, C lower),
give the higher overall fill rate? An allocation by equal marginal return is
reported as the best any allocation of that investment can do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import special

from .._numeric import broadcast, require, require_nonnegative, require_positive
from ..policy.classify import abc_classify
from ..policy.service import normal_loss

__all__ = [
    "DEFAULT_SERVICE_LEVELS",
    "ServiceFrontier",
    "StrategyComparison",
    "compare_service_strategies",
    "service_frontier",
    "simulated_frontier",
]

#: Default targets: 50 levels from 80 % to 99.9 %.
DEFAULT_SERVICE_LEVELS = np.linspace(0.80, 0.999, 50)


class ServiceFrontier(NamedTuple):
    """Result of :func:`service_frontier`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per class and target (``class`` is "all" for the portfolio, then
        each ABC class), columns: ``service_level`` (the target), ``safety_stock``
        [units], ``safety_stock_value``, ``cycle_stock_value``,
        ``avg_inventory_value`` [$], ``expected_fill_rate`` (demand-weighted),
        ``expected_cycle_service_level`` (weighted by orders per year, so it is
        the share of all replenishment cycles without a stockout),
        ``marginal_value_per_point`` [$ of average inventory per extra percentage
        point of fill rate, at that target], ``is_knee`` (bool).
    knees : pandas.DataFrame
        Indexed by class: the knee's ``service_level``, ``avg_inventory_value``
        and ``expected_fill_rate``.
    """

    table: pd.DataFrame
    knees: pd.DataFrame


class StrategyComparison(NamedTuple):
    """Result of :func:`compare_service_strategies`.

    Attributes
    ----------
    table : pandas.DataFrame
        Indexed by strategy ("uniform", "class_based", "equal_marginal"),
        columns ``safety_stock_value``, ``avg_inventory_value`` [$],
        ``fill_rate`` (demand-weighted), ``cycle_service_level`` (cycle-weighted),
        then ``fill_rate_<class>`` and ``cycle_service_level_<class>`` per class.
    z_shift : float
        The common shift of the class safety factors that matches the uniform
        strategy's investment [standard deviations].
    better : str
        "class_based" or "uniform": which gives the higher overall fill rate.
    per_sku : pandas.DataFrame
        Per SKU and strategy: ``safety_factor_<strategy>`` and
        ``fill_rate_<strategy>``.
    """

    table: pd.DataFrame
    z_shift: float
    better: str
    per_sku: pd.DataFrame


# --------------------------------------------------------------------------- inputs


def _inputs(
    demand_mean, demand_sd, lead_time_days, lead_time_sd_days, review_period_days,
    order_quantity, unit_cost, abc_class,
):  # fmt: skip
    b = broadcast(
        demand_mean=demand_mean,
        demand_sd=demand_sd,
        lead_time_days=lead_time_days,
        lead_time_sd_days=lead_time_sd_days,
        review_period_days=review_period_days,
        order_quantity=order_quantity,
        unit_cost=unit_cost,
    )
    mu = np.atleast_1d(b["demand_mean"]).astype(float).ravel()
    sd = np.atleast_1d(b["demand_sd"]).astype(float).ravel()
    lt = np.atleast_1d(b["lead_time_days"]).astype(float).ravel()
    lt_sd = np.atleast_1d(b["lead_time_sd_days"]).astype(float).ravel()
    rp = np.atleast_1d(b["review_period_days"]).astype(float).ravel()
    q = np.atleast_1d(b["order_quantity"]).astype(float).ravel()
    c = np.atleast_1d(b["unit_cost"]).astype(float).ravel()
    require_nonnegative("demand_mean", mu, "units/day")
    require_nonnegative("demand_sd", sd, "units/day")
    require_positive("lead_time_days", lt, "days")
    require_nonnegative("lead_time_sd_days", lt_sd, "days")
    require_nonnegative("review_period_days", rp, "days")
    require_nonnegative("order_quantity", q, "units")
    require_nonnegative("unit_cost", c, "$/unit")
    for name, arr in (("demand_mean", mu), ("demand_sd", sd), ("lead_time_days", lt),
                      ("order_quantity", q), ("unit_cost", c)):  # fmt: skip
        if np.isnan(arr).any():
            raise ValueError(
                f"{name} is NaN for {int(np.isnan(arr).sum())} SKU(s); fill or drop them"
            )
    index = b.index if b.index is not None else pd.RangeIndex(mu.size)
    n = mu.size
    if abc_class is None:
        classes = abc_classify(pd.Series(mu * 365.0 * c, index=index))["class"]
        labels = np.asarray(classes.astype(str))
        order = list(classes.cat.categories)
    else:
        if isinstance(abc_class, pd.Series) and b.index is not None:
            abc_class = abc_class.reindex(index)
        labels = np.asarray(pd.Series(abc_class).astype(str).to_numpy(), dtype=object)
        if labels.shape != (n,):
            raise ValueError(f"abc_class must give one class per SKU ({n}); got {labels.shape}")
        order = sorted(set(labels))
    # protection interval P = L + R; demand over it (Eq. (6.14) in SPT)
    p = lt + rp
    sigma = np.sqrt(p * sd**2 + mu**2 * lt_sd**2)
    return {
        "mu": mu, "sigma": sigma, "q": q, "c": c, "labels": labels, "order": order,
        "index": index,
    }  # fmt: skip


def _targets(service_levels: Any) -> np.ndarray:
    lv = np.atleast_1d(np.asarray(service_levels, dtype=float)).ravel()
    if lv.size == 0:
        raise ValueError("service_levels must hold at least one target")
    require("service_levels", lv, (lv > 0) & (lv < 1), "strictly between 0 and 1 (a fraction)")
    if np.isnan(lv).any():
        raise ValueError("service_levels must not be NaN")
    return lv


_K_GRID = np.linspace(0.0, 12.0, 12_001)[::-1].copy()  # decreasing k: increasing ln G
_LOG_G_GRID = np.log(np.asarray(normal_loss(_K_GRID), dtype=float))


def _log_loss_inverse_nonneg(log_loss: np.ndarray) -> np.ndarray:
    """k >= 0 with ln G(k) = ``log_loss`` (k = 0 when the loss is >= G(0)).

    Linear interpolation of k against ln G(k) on a 0.001 grid of k in [0, 12]
    (error below 1e-6 in k): some 50 times faster than Newton iterations for the
    millions of SKU-target pairs of a frontier. Beyond k = 12 (G(12) ~ 1e-34) the
    table's end is returned.
    """
    return np.interp(log_loss, _LOG_G_GRID, _K_GRID)


def _safety_factors(inp: dict, levels: np.ndarray, service_type: str) -> np.ndarray:
    """k per SKU (rows) and target (columns), clipped at 0 (no negative safety stock)."""
    n = inp["mu"].size
    if service_type == "cycle":
        return np.broadcast_to(np.maximum(special.ndtri(levels), 0.0), (n, levels.size))
    if service_type != "fill_rate":
        raise ValueError(f"service_type must be 'cycle' or 'fill_rate'; got {service_type!r}")
    # G(k) = (1 - beta) Q / sigma_L (Eq. (7.20) in SPT), in logs: one 2-D addition;
    # SKUs without risk get +inf, hence k = 0
    sigma, q = inp["sigma"], inp["q"]
    risky = (sigma > 0) & (q > 0)
    log_ratio = np.full(sigma.shape, np.inf)
    np.log(np.divide(q, sigma, out=np.ones_like(sigma), where=risky), out=log_ratio, where=risky)
    log_target = np.log1p(-levels)[None, :] + log_ratio[:, None]
    return _log_loss_inverse_nonneg(log_target)


def _fill(inp: dict, loss: np.ndarray) -> np.ndarray:
    """Expected fill rate 1 - sigma_L G(k) / Q per SKU (rows), in [0, 1]."""
    sigma, q = inp["sigma"], inp["q"]
    ratio = np.divide(sigma, q, out=np.zeros_like(sigma), where=q > 0)
    if loss.ndim == 2:
        ratio = ratio[:, None]
    fill = 1.0 - ratio * loss
    return np.clip(fill, 0.0, 1.0)


def _gsum(groups: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Class sums ``groups @ x``; for a 2-D x computed as (x.T @ groups.T).T, which
    OpenBLAS runs some 30 times faster for a long inner dimension."""
    if x.ndim == 2:
        return (x.T @ groups.T).T
    return groups @ x


def _group_matrix(labels: np.ndarray, order: Sequence[str]) -> np.ndarray:
    """One-hot (classes x SKUs) matrix: class sums become one matrix product."""
    codes = pd.Categorical(labels, categories=list(order)).codes
    m = np.zeros((len(order), labels.size))
    m[codes, np.arange(labels.size)] = 1.0
    return m


# --------------------------------------------------------------------------- frontier


def service_frontier(
    demand_mean: Any,
    demand_sd: Any,
    *,
    lead_time_days: Any,
    order_quantity: Any,
    unit_cost: Any,
    lead_time_sd_days: Any = 0.0,
    review_period_days: Any = 0.0,
    abc_class: Any = None,
    service_levels: Any = None,
    service_type: str = "cycle",
) -> ServiceFrontier:
    """Safety-stock and inventory investment against expected fill rate, per target.

    Parameters
    ----------
    demand_mean : numeric
        Mean daily demand mu_d [units/day], one per SKU (Series keep their index).
    demand_sd : numeric
        Standard deviation of daily demand sigma_d [units/day].
    lead_time_days : numeric
        Mean lead time L [days], > 0.
    order_quantity : numeric
        Order quantity Q [units] (e.g. the EOQ); the cycle stock is Q / 2.
    unit_cost : numeric
        c [$/unit], valuing the stock.
    lead_time_sd_days : numeric, default 0
        Standard deviation of the lead time sigma_LT [days].
    review_period_days : numeric, default 0
        R [days]; the protection interval is L + R.
    abc_class : array-like of str, optional
        Class per SKU. Default: ABC classes by annual value mu_d 365 c with the
        80 % / 95 % cut-offs (:func:`workbench.abc_classify`).
    service_levels : array-like, optional
        Targets in (0, 1); default :data:`DEFAULT_SERVICE_LEVELS` (0.80 .. 0.999).
    service_type : {"cycle", "fill_rate"}, default "cycle"
        What a target means for every SKU: a cycle service level alpha (k =
        Phi^-1(alpha)) or a fill rate beta (k solving G(k) = (1 - beta) Q / sigma).

    Returns
    -------
    ServiceFrontier
        ``table`` (one row per class and target) and ``knees`` (see the class).

    Raises
    ------
    ValueError
        If an input is negative, NaN where required, or a target is outside (0, 1).

    Notes
    -----
    Per SKU i and target j, with sigma_i = sqrt(P sigma_d^2 + mu_d^2 sigma_LT^2)
    over P = L + R (Eq. (6.14) in [1]): safety stock SS = k sigma (k >= 0),
    expected fill rate 1 - sigma G(k) / Q (Eq. (7.19) in [1]) and cycle
    service level Phi(k). The portfolio's fill rate weights SKUs by demand; its
    cycle service level by orders per year (mu_d / Q). All SKUs x targets are
    one 2-D array; class totals are one matrix product.

    The marginal value is d(average inventory value) / d(100 x fill rate) by
    central differences along the targets. The knee is the target farthest
    above the chord joining the curve's ends once both axes are scaled to
    [0, 1] (the "Kneedle" rule of Satopaa et al., 2011): beyond it, each point
    of service costs markedly more.

    References
    ----------
    .. [1] E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production
       Management in Supply Chains*, 4th ed., CRC Press, 2017, Ch. 6-7.

    Examples
    --------
    One SKU of the Memorial Hospital example (Heizer & Render): lead-time demand
    sd 10 units (here 10 days of sd sqrt(10) a day), 95 % cycle service:
    safety stock 1.645 x 10 = 16.45 units.

    >>> f = service_frontier(35.0, 10 ** 0.5, lead_time_days=10, order_quantity=100,
    ...                      unit_cost=1.0, abc_class=["A"], service_levels=[0.95])
    >>> round(float(f.table["safety_stock"].iloc[0]), 2)
    16.45
    """
    inp = _inputs(
        demand_mean, demand_sd, lead_time_days, lead_time_sd_days, review_period_days,
        order_quantity, unit_cost, abc_class,
    )  # fmt: skip
    levels = _targets(DEFAULT_SERVICE_LEVELS if service_levels is None else service_levels)
    mu, sigma, q, c = inp["mu"], inp["sigma"], inp["q"], inp["c"]
    groups = _group_matrix(inp["labels"], inp["order"])
    groups = np.vstack([np.ones((1, mu.size)), groups])
    names = ["all", *inp["order"]]
    if service_type == "cycle":
        k = np.maximum(special.ndtri(levels), 0.0)  # the same k for every SKU
        loss = np.asarray(normal_loss(k), dtype=float)
        tail = special.ndtr(-k)
        # linear in per-SKU weights: class sums of (weight x f(k_j)) are products
        ss_units = (groups @ sigma)[:, None] * k[None, :]
        ss_value = (groups @ (sigma * c))[:, None] * k[None, :]
        ratio = np.divide(sigma, q, out=np.zeros_like(sigma), where=q > 0)
        # fill clips at 0 when sigma G(k) > Q: exact clipping needs the 2-D array
        clipped = ratio[:, None] * loss[None, :] > 1.0
        if clipped.any():
            fill = np.clip(1.0 - ratio[:, None] * loss[None, :], 0.0, 1.0)
            filled = _gsum(groups, mu[:, None] * fill)
        else:
            filled = (groups @ mu)[:, None] - (groups @ (mu * ratio))[:, None] * loss[None, :]
        cyc_w = np.divide(mu, q, out=np.zeros_like(mu), where=q > 0)
        csl_num = (groups @ cyc_w)[:, None] * (1.0 - tail[None, :])
    else:
        kk = _safety_factors(inp, levels, service_type)
        # per-SKU weights go into the class matrix: no 2-D temporaries
        ss_units = _gsum(groups * sigma, kk)
        ss_value = _gsum(groups * (sigma * c), kk)
        # where k > 0, G(k) met the target exactly and the fill rate is the target;
        # where k was clipped at 0 it is 1 - sigma G(0) / Q
        at_zero = _fill(inp, np.full(1, float(normal_loss(0.0))))
        positive = (kk > 0).astype(float)
        filled = levels[None, :] * _gsum(groups * mu, positive) + (
            (groups @ (mu * at_zero))[:, None] - _gsum(groups * (mu * at_zero), positive)
        )
        cyc_w = np.divide(mu, q, out=np.zeros_like(mu), where=q > 0)
        csl_num = _gsum(groups * cyc_w, special.ndtr(kk))
    demand = (groups @ mu)[:, None]
    cycles = (groups @ cyc_w)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        fill_rate = np.where(demand > 0, filled / np.where(demand > 0, demand, 1), np.nan)
        csl = np.where(cycles > 0, csl_num / np.where(cycles > 0, cycles, 1), np.nan)
    cycle_value = (groups @ (q / 2 * c))[:, None] * np.ones((1, levels.size))
    inventory = ss_value + cycle_value
    marginal = _marginal(inventory, fill_rate)
    knee_at = _knee(inventory, fill_rate)
    g, j = np.meshgrid(np.arange(len(names)), np.arange(levels.size), indexing="ij")
    table = pd.DataFrame(
        {
            "class": np.asarray(names, dtype=object)[g.ravel()],
            "service_level": levels[j.ravel()],
            "safety_stock": ss_units.ravel(),
            "safety_stock_value": ss_value.ravel(),
            "cycle_stock_value": cycle_value.ravel(),
            "avg_inventory_value": inventory.ravel(),
            "expected_fill_rate": fill_rate.ravel(),
            "expected_cycle_service_level": csl.ravel(),
            "marginal_value_per_point": marginal.ravel(),
            "is_knee": j.ravel() == knee_at[g.ravel()],
        }
    )
    table["class"] = table["class"].astype("string")
    knees = table.loc[table["is_knee"], ["class", "service_level", "avg_inventory_value",
                                         "expected_fill_rate"]].set_index("class")  # fmt: skip
    return ServiceFrontier(table=table, knees=knees)


def _marginal(inventory: np.ndarray, fill_rate: np.ndarray) -> np.ndarray:
    """d inventory / d (fill points) along the targets (rows = classes), NaN if flat."""
    if inventory.shape[1] < 2:
        return np.full(inventory.shape, np.nan)
    d_inv = np.gradient(inventory, axis=1)
    d_fill = np.gradient(fill_rate * 100.0, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = d_inv / d_fill
    return np.where(np.abs(d_fill) > 1e-12, out, np.nan)


def _knee(inventory: np.ndarray, fill_rate: np.ndarray) -> np.ndarray:
    """Column of the knee per row: farthest above the chord on the unit-scaled curve."""
    x0, x1 = inventory[:, :1], inventory[:, -1:]
    y0, y1 = fill_rate[:, :1], fill_rate[:, -1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (inventory - x0) / (x1 - x0)
        y = (fill_rate - y0) / (y1 - y0)
    gap = np.nan_to_num(y - x, nan=-np.inf)
    knee = np.argmax(gap, axis=1)
    flat = ~np.isfinite(gap).any(axis=1) | (inventory.shape[1] < 3)
    return np.where(flat, -1, knee)


# --------------------------------------------------------------------------- strategies


def _bisect(fun, lo: float, hi: float, target: float, iterations: int = 100) -> float:
    """x in [lo, hi] with fun(x) = target for an increasing fun (clamped at the ends)."""
    f_lo, f_hi = fun(lo), fun(hi)
    if target <= f_lo:
        return lo
    if target >= f_hi:
        return hi
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        if fun(mid) < target:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return 0.5 * (lo + hi)


def compare_service_strategies(
    demand_mean: Any,
    demand_sd: Any,
    *,
    lead_time_days: Any,
    order_quantity: Any,
    unit_cost: Any,
    lead_time_sd_days: Any = 0.0,
    review_period_days: Any = 0.0,
    abc_class: Any = None,
    uniform_service_level: float = 0.95,
    class_service_levels: Mapping[str, float] | None = None,
) -> StrategyComparison:
    """One service level for all items against class-based targets, same investment.

    Parameters
    ----------
    demand_mean, demand_sd, lead_time_days, order_quantity, unit_cost,
    lead_time_sd_days, review_period_days, abc_class
        As in :func:`service_frontier`.
    uniform_service_level : float, default 0.95
        The cycle service level alpha given to every item [fraction].
    class_service_levels : mapping, optional
        The class-based targets' shape, e.g. {"A": 0.99, "B": 0.95, "C": 0.90}
        (the default). Their safety factors are shifted by one common amount so
        that the total safety-stock investment equals the uniform strategy's.

    Returns
    -------
    StrategyComparison
        ``table`` by strategy, ``z_shift``, ``better`` and ``per_sku``.

    Raises
    ------
    ValueError
        For invalid inputs, a target outside (0, 1) or a class without a target.

    Notes
    -----
    Both strategies hold the same safety-stock value sum_i k_i sigma_i c_i. The
    class-based factors are k_i = max(Phi^-1(alpha_class(i)) + delta, 0), with
    delta found by bisection (the investment rises with delta). The third row,
    "equal_marginal", spends the same money where it buys the most fill rate:
    maximizing sum_i mu_i (1 - sigma_i G(k_i) / Q_i) subject to the budget gives
    1 - Phi(k_i) = lambda c_i Q_i / mu_i (Lagrange; cf. the exchange curves of [1],
    Sec. 7.7), lambda again by bisection. It is the best any allocation of that
    investment can do under these formulas.

    References
    ----------
    .. [1] E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production
       Management in Supply Chains*, 4th ed., CRC Press, 2017, Ch. 7.

    Examples
    --------
    Two identical items: class-based targets cannot beat the uniform level (the
    same money spread evenly is already optimal for identical items).

    >>> r = compare_service_strategies([10.0, 10.0], [3.0, 3.0], lead_time_days=5,
    ...     order_quantity=100, unit_cost=1.0, abc_class=["A", "C"],
    ...     class_service_levels={"A": 0.99, "C": 0.90})
    >>> r.better
    'uniform'
    """
    inp = _inputs(
        demand_mean, demand_sd, lead_time_days, lead_time_sd_days, review_period_days,
        order_quantity, unit_cost, abc_class,
    )  # fmt: skip
    mu, sigma, q, c, labels = inp["mu"], inp["sigma"], inp["q"], inp["c"], inp["labels"]
    require_probability_scalar("uniform_service_level", uniform_service_level)
    targets = dict(class_service_levels or {"A": 0.99, "B": 0.95, "C": 0.90})
    for name, value in targets.items():
        require_probability_scalar(f"class_service_levels[{name!r}]", value)
    missing = sorted(set(labels) - set(targets))
    if missing:
        raise ValueError(f"class_service_levels has no target for class(es) {', '.join(missing)}")
    z_class = special.ndtri(np.array([targets[x] for x in labels], dtype=float))
    weight = sigma * c  # $ of safety stock per unit of k

    k_uniform = np.full(mu.size, max(special.ndtri(uniform_service_level), 0.0))
    budget = float(weight @ k_uniform)

    def invest_shift(delta: float) -> float:
        return float(weight @ np.maximum(z_class + delta, 0.0))

    delta = _bisect(invest_shift, -40.0, 40.0, budget)
    k_class = np.maximum(z_class + delta, 0.0)

    # equal marginal return: 1 - Phi(k) = lam * c Q / mu, so k = Phi^-1(1 - lam c Q / mu)
    active = (mu > 0) & (sigma > 0) & (q > 0) & (c > 0)
    cost_ratio = np.where(active, c * q / np.where(mu > 0, mu, 1.0), 0.0)

    def k_of(log_lam: float) -> np.ndarray:
        tail = np.minimum(np.exp(log_lam) * cost_ratio, 0.5)
        return np.where(active, np.maximum(special.ndtri(1.0 - tail), 0.0), 0.0)

    # investment falls as lambda rises: bisect on -log(lambda)
    neg = _bisect(lambda x: float(weight @ k_of(-x)), -60.0, 60.0, budget)
    k_marginal = k_of(-neg)
    free = ~active & (sigma > 0)  # items whose stock costs nothing get the uniform k
    k_marginal = np.where(free, k_uniform, k_marginal)

    groups = _group_matrix(labels, inp["order"])
    cyc_w = np.divide(mu, q, out=np.zeros_like(mu), where=q > 0)
    rows = {}
    per_sku = {}
    for name, k in (
        ("uniform", k_uniform),
        ("class_based", k_class),
        ("equal_marginal", k_marginal),
    ):
        fill = _fill(inp, np.asarray(normal_loss(k), dtype=float))
        csl = special.ndtr(k)
        per_sku[f"safety_factor_{name}"] = k
        per_sku[f"fill_rate_{name}"] = fill
        row = {
            "safety_stock_value": float(weight @ k),
            "avg_inventory_value": float(weight @ k + (q / 2) @ c),
            "fill_rate": _ratio(mu @ fill, mu.sum()),
            "cycle_service_level": _ratio(cyc_w @ csl, cyc_w.sum()),
        }
        by_demand, by_cycles = groups @ (mu * fill), groups @ (cyc_w * csl)
        tot_demand, tot_cycles = groups @ mu, groups @ cyc_w
        for i, cls in enumerate(inp["order"]):
            row[f"fill_rate_{cls}"] = _ratio(by_demand[i], tot_demand[i])
            row[f"cycle_service_level_{cls}"] = _ratio(by_cycles[i], tot_cycles[i])
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "strategy"
    better = (
        "class_based"
        if table.loc["class_based", "fill_rate"] > table.loc["uniform", "fill_rate"] + 1e-12
        else "uniform"
    )
    return StrategyComparison(
        table=table,
        z_shift=float(delta),
        better=better,
        per_sku=pd.DataFrame(per_sku, index=inp["index"]),
    )


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den > 0 else float("nan")


def require_probability_scalar(name: str, value: Any) -> None:
    v = np.asarray(value, dtype=float)
    if v.ndim != 0 or not (0 < float(v) < 1):
        raise ValueError(f"{name} must be strictly between 0 and 1 (a fraction); got {value!r}")


# --------------------------------------------------------------------------- by simulation


def simulated_frontier(
    demand: Any = None,
    *,
    demand_mean: Any,
    demand_sd: Any,
    lead_time_days: Any,
    order_quantity: Any,
    unit_cost: Any,
    lead_time_sd_days: Any = 0.0,
    abc_class: Any = None,
    service_levels: Any = (0.80, 0.90, 0.95, 0.98, 0.99),
    days: int | None = None,
    warmup_days: int = 0,
    rng: Any = None,
    progress: Any = False,
    **simulate_kwargs: Any,
) -> pd.DataFrame:
    """The frontier by simulation: (s, Q) with the formula's s, run for every target.

    Each SKU is simulated once per target in a single vectorized run (SKUs x targets
    columns), with s = mu_d L + k sigma (k = Phi^-1(target), daily review). The
    result sets what the policy delivered beside what the formulas promised.

    Parameters
    ----------
    demand : Dataset, table or matrix, optional
        Demand to replay (as in :func:`workbench.simulate`); None draws normal
        demand from ``demand_mean`` and ``demand_sd``. A weekly or monthly dataset is
        replayed in its buckets (``days`` then counts buckets; lead times are rounded to
        whole buckets, see :func:`workbench.simulate`); ``demand_mean`` and
        ``demand_sd`` stay per day (``daily_mean``, ``daily_sd`` of
        ``wb.demand_stats``).
    demand_mean, demand_sd, lead_time_days, order_quantity, unit_cost,
    lead_time_sd_days, abc_class
        Per SKU, as in :func:`service_frontier` (in the SKU order of the demand).
    service_levels : array-like
        Targets (cycle service levels) to simulate; keep it short.
    days, warmup_days, rng, progress, **simulate_kwargs
        Passed to :func:`workbench.simulate`.

    Returns
    -------
    pandas.DataFrame
        One row per class ("all" and each class) and target: ``service_level``,
        ``expected_fill_rate`` and ``avg_inventory_value`` from the formulas,
        ``simulated_fill_rate``, ``simulated_avg_inventory_value`` [$] and
        ``simulated_cycle_service_level`` from the run.

    Examples
    --------
    >>> t = simulated_frontier(demand_mean=[20.0] * 50, demand_sd=5.0, lead_time_days=6,
    ...                        order_quantity=100, unit_cost=1.0, abc_class=["A"] * 50,
    ...                        service_levels=[0.9], days=2000, rng=1)
    >>> bool(t["simulated_fill_rate"].iloc[0] < t["expected_fill_rate"].iloc[0])
    True
    """
    from .simulate import simulate

    levels = _targets(service_levels)
    inp = _inputs(
        demand_mean, demand_sd, lead_time_days, lead_time_sd_days, 0.0, order_quantity,
        unit_cost, abc_class,
    )  # fmt: skip
    mu, sigma, q, c = inp["mu"], inp["sigma"], inp["q"], inp["c"]
    n, m = mu.size, levels.size
    b = broadcast(lead_time_days=lead_time_days, lead_time_sd_days=lead_time_sd_days, mu=mu)
    lt = np.broadcast_to(np.atleast_1d(b["lead_time_days"]).ravel(), (n,))
    lt_sd = np.broadcast_to(np.atleast_1d(b["lead_time_sd_days"]).ravel(), (n,))
    k = np.maximum(special.ndtri(levels), 0.0)
    s = (mu * lt)[None, :] + k[:, None] * sigma[None, :]  # (targets, SKUs)
    tile = lambda a: np.tile(np.asarray(a, dtype=float), m)  # noqa: E731
    if demand is None:
        kw = {"demand_mean": tile(mu), "demand_sd": tile(np.broadcast_to(
            np.atleast_1d(np.asarray(demand_sd, dtype=float)).ravel(), (n,)))}  # fmt: skip
        if days is None:
            days = 365
    else:
        from .demand import daily_demand_matrix

        if hasattr(demand, "demand") and isinstance(demand.demand, pd.DataFrame):
            period = getattr(demand, "demand_period", (None, None))
            skus = demand.items["sku"].astype(str) if hasattr(demand, "items") else None
            freq = getattr(demand, "demand_frequency", "D")
            simulate_kwargs.setdefault("frequency", freq)
            matrix, _, _ = daily_demand_matrix(
                demand.demand, skus=skus, start=period[0], end=period[1], frequency=freq
            )
        elif isinstance(demand, pd.DataFrame):
            matrix, _, _ = daily_demand_matrix(demand)
        else:
            matrix = np.asarray(demand, dtype=float)
        if matrix.shape[1] != n:
            raise ValueError(f"demand has {matrix.shape[1]} SKUs but the parameters {n}")
        kw = {"demand": np.tile(matrix, (1, m))}
    res = simulate(
        **kw,
        reorder_point=s.ravel(),
        order_quantity=tile(q),
        lead_time_days=tile(lt),
        lead_time_sd_days=tile(lt_sd),
        unit_cost=tile(c),
        days=days,
        warmup_days=warmup_days,
        rng=rng,
        progress=progress,
        **simulate_kwargs,
    )
    summ = res.summary
    filled = summ["filled"].to_numpy().reshape(m, n)
    dem = summ["demand"].to_numpy().reshape(m, n)
    value = summ["avg_on_hand_value"].to_numpy().reshape(m, n)
    cycles = summ["cycles"].to_numpy().reshape(m, n)
    sto = summ["stockout_cycles"].to_numpy().reshape(m, n)
    groups = np.vstack([np.ones((1, n)), _group_matrix(inp["labels"], inp["order"])])
    names = ["all", *inp["order"]]
    formula = service_frontier(
        mu, np.broadcast_to(np.atleast_1d(np.asarray(demand_sd, dtype=float)).ravel(), (n,)),
        lead_time_days=lt, order_quantity=q, unit_cost=c, lead_time_sd_days=lt_sd,
        abc_class=inp["labels"], service_levels=levels,
    ).table.set_index(["class", "service_level"])  # fmt: skip
    out = []
    with np.errstate(invalid="ignore", divide="ignore"):
        sim_fill = _gsum(groups, filled.T) / _gsum(groups, dem.T)
        sim_value = _gsum(groups, value.T)
        sim_csl = 1 - _gsum(groups, sto.T) / _gsum(groups, cycles.T)
    for gi, name in enumerate(names):
        for j, lv in enumerate(levels):
            f = formula.loc[(name, lv)]
            out.append(
                {
                    "class": name,
                    "service_level": lv,
                    "expected_fill_rate": f["expected_fill_rate"],
                    "avg_inventory_value": f["avg_inventory_value"],
                    "simulated_fill_rate": sim_fill[gi, j],
                    "simulated_avg_inventory_value": sim_value[gi, j],
                    "simulated_cycle_service_level": sim_csl[gi, j],
                }
            )
    frame = pd.DataFrame(out)
    frame["class"] = frame["class"].astype("string")
    return frame
