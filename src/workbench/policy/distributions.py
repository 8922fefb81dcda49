"""Distributions of demand per bucket and of lead-time demand, vectorised over SKUs.

A plan promises a service level; it keeps the promise only if the distribution of
demand over the protection interval (lead time plus review period) is the right one.
A normal distribution fitted to the mean and standard deviation is close for smooth
demand summed over many days and badly wrong for lumpy demand, whose lead-time demand
is mostly zero with a long right tail. This module provides the other models and one
way to use them all.

Representation
--------------
Discrete models are held as a **pmf matrix**: a float array ``pmf`` of shape
``(n_sku, K)`` with ``pmf[i, k] = P(X_i = k)`` for ``k = 0 .. K-1`` units. One ``K``
serves every SKU: it covers the ``1 - tail`` quantile (``tail = 1e-9`` by default) of
the SKU with the largest demand, and the probability beyond ``K - 1`` (at most
``tail``) is added to the last column, so every row sums to 1 (within float rounding)
and the mean, the cdf and the loss functions are exact to within about ``tail``
times the mean excess beyond ``K - 1`` (a few 1e-9 units). A guard,
``max_cells`` (default 2**25 = 33.5 million cells, 268 MB), refuses to build a larger
matrix: SKUs with large demand belong to a continuous model ("normal", "gamma") or
count demand in steps of several units (``step`` of :func:`lead_time_demand_distribution`;
:func:`gamma_pmf` of mean / step and sd / step).
Helpers read any such matrix: :func:`pmf_cdf`, :func:`pmf_loss` (first-order loss),
:func:`pmf_loss2` (second-order loss) and :func:`pmf_quantile`.

Lead-time demand is a :class:`LeadTimeDemandDistribution`: the model name, the mean and
standard deviation per SKU and, for discrete models, the pmf matrix. It is built by
:func:`lead_time_demand_distribution` and read by :func:`ltd_reorder_point` (reorder
point or order-up-to level for a cycle service or a fill rate) and :func:`ltd_service`
(the cycle service and fill rate that a given level achieves).

Models
------
- ``"normal"`` (continuous): :func:`workbench.policy.normal_loss` and its inverse.
- ``"gamma"`` (continuous, ``scipy.stats.gamma``), matched to mean and sd.
- ``"gamma_discrete"``: the gamma spread onto whole units (mean kept), as a pmf matrix.
- ``"poisson"``: mean only (variance = mean).
- ``"negbin"``: negative binomial matched to mean and variance; Poisson where the
  variance does not exceed the mean.
- ``"empirical"``: the SKU's own history, bootstrapped.

:func:`choose_distribution` maps demand classes to models for ``distribution="auto"``.

Units: demand per *bucket* (the dataset's day, week or month) [units/bucket]; lead
times and review periods in buckets [buckets].

References
----------
.. [1] P. H. Zipkin, *Foundations of Inventory Management*, McGraw-Hill, 2000, ch. 6
   and appendix C (loss functions of discrete and continuous distributions).
.. [2] L. V. Snyder and Z.-J. M. Shen, *Fundamentals of Supply Chain Theory*, 2nd ed.,
   Wiley, 2019, appendix C (first- and second-order loss functions).
.. [3] S. Axsaeter, *Inventory Control*, 3rd ed., Springer, 2015, ch. 5 (compound
   Poisson and negative binomial lead-time demand, fill rate of (R, Q) policies).
.. [4] E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production Management
   in Supply Chains*, 4th ed., CRC Press, 2017, ch. 6 (service measures).
.. [5] A. A. Syntetos, J. E. Boylan and J. D. Croston, "On the categorization of demand
   patterns", *JORS* 56(5), 495-503, 2005.
.. [6] R. D. Snyder, J. K. Ord and A. Beaumont, "Forecasting the intermittent demand
   for slow-moving inventories: a modelling approach", *International Journal of
   Forecasting* 28(2), 485-496, 2012.
.. [7] R. H. Teunter and L. Duncan, "Forecasting intermittent demand: a comparative
   study", *JORS* 60(3), 321-329, 2009.
.. [8] T. R. Willemain, C. N. Smart and H. F. Schwarz, "A new approach to forecasting
   intermittent demand for service parts inventories", *International Journal of
   Forecasting* 20(3), 375-387, 2004.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from scipy import special

from .._numeric import require_nonnegative, require_positive, require_probability, row_dot
from ._loops import loop
from .service import _ltd, _normal_loss_inverse, _normal_loss_parts

__all__ = [
    "DISTRIBUTIONS",
    "MAX_CELLS",
    "LeadTimeDemandDistribution",
    "LtdService",
    "choose_distribution",
    "compound_pmf",
    "gamma_pmf",
    "lead_time_demand_distribution",
    "lead_time_pmf",
    "ltd_reorder_point",
    "ltd_service",
    "negbin_pmf",
    "observed_lead_time_pmf",
    "pmf_cdf",
    "pmf_loss",
    "pmf_loss2",
    "pmf_quantile",
    "poisson_pmf",
]

#: Models :func:`lead_time_demand_distribution` builds.
DISTRIBUTIONS = ("normal", "gamma", "gamma_discrete", "poisson", "negbin", "empirical")
#: Largest pmf matrix built by default [cells] (2**25 float64 = 268 MB).
MAX_CELLS = 2**25
_TAIL = 1e-9
_CDF_TOL = 1e-12  # F(k) >= q - _CDF_TOL counts as reaching q (cumsum rounding)
_BLOCK = 2**17  # cells per block of SKUs in the FFT of compound_pmf (2 MB of complex)
#: Each row of :func:`compound_pmf` is transformed at the power of two covering its own
#: Chernoff length at ``tail`` times this (1e-15 for the default tail): shorter than the
#: widest row's length for most rows, and the mass that wraps around stays far below
#: ``tail`` (within rounding of the common length's result).
_OWN_TAIL = 1e-6


# --------------------------------------------------------------------------- helpers
def _as_1d(name: str, values: Any, n: int | None = None) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one value per SKU (1-D); got shape {arr.shape}")
    if n is not None and arr.size != n:
        if arr.size == 1:
            return np.full(n, arr[0])
        raise ValueError(f"{name} must have one value per SKU ({n}); got {arr.size}")
    return arr


def _check_pmf(pmf: Any) -> np.ndarray:
    p = np.asarray(pmf, dtype=float)
    if p.ndim != 2 or p.shape[1] == 0:
        raise ValueError(f"pmf must be a matrix of shape (n_sku, K) with K >= 1; got {p.shape}")
    return p


# The quantile functions the pmfs need, as scipy.stats computes them but from
# scipy.special: importing scipy.stats costs every dashboard kernel about 40 MB and 0.5 s.


def _gamma_ppf(q, a, scale):
    """``scipy.stats.gamma.ppf(q, a, scale=scale)`` (the same ``gammaincinv``)."""
    return special.gammaincinv(a, q) * scale


def _poisson_ppf(q, mu):
    """``scipy.stats.poisson.ppf(q, mu)`` for 0 < q < 1: the least k with P(X <= k) >= q
    (scipy's ``poisson_gen._ppf``)."""
    vals = np.ceil(special.pdtrik(q, mu))
    below = np.maximum(vals - 1.0, 0.0)
    return np.where(special.pdtr(below, mu) >= q, below, vals)


def _nbinom_ppf(q, n, p):
    """``scipy.stats.nbinom.ppf(q, n, p)`` for 0 < q < 1: the least k with
    P(X <= k) >= q, with P(X <= k) = I_p(n, k + 1) (``betainc``; a real ``n``), started
    from ``nbdtrik`` and corrected by one step either way."""
    vals = np.maximum(np.ceil(special.nbdtrik(q, n, p)), 0.0)
    below = np.maximum(vals - 1.0, 0.0)
    vals = np.where(special.betainc(n, below + 1.0, p) >= q, below, vals)
    return np.where(special.betainc(n, vals + 1.0, p) >= q, vals, vals + 1.0)


def _support_size(upper: np.ndarray, n_sku: int, max_cells: int) -> int:
    """Columns K covering the largest per-SKU upper quantile ``upper`` [units]."""
    finite = upper[np.isfinite(upper)]
    top = float(finite.max()) if finite.size else 0.0
    k = int(np.ceil(top)) + 1
    if n_sku * k > max_cells:
        raise ValueError(
            f"max_cells must be >= n_sku * K = {n_sku} * {k} = {n_sku * k} [cells] to hold "
            f"this pmf matrix; got {max_cells}. Use a continuous model ('normal', 'gamma') "
            "for SKUs with large demand, or raise max_cells"
        )
    return max(k, 1)


def _close_rows(pmf: np.ndarray) -> np.ndarray:
    """Clip float noise below 0 and add each row's missing mass to its last column."""
    np.maximum(pmf, 0.0, out=pmf)
    pmf[:, -1] += np.maximum(1.0 - pmf.sum(axis=1), 0.0)
    return pmf


# --------------------------------------------------------------------------- pmf builders
def poisson_pmf(mean: Any, *, tail: float = _TAIL, max_cells: int = MAX_CELLS) -> np.ndarray:
    """Poisson pmf matrix, one row per SKU.

    Parameters
    ----------
    mean : array_like
        Mean demand per SKU [units], lambda >= 0; NaN gives a row of NaN.
    tail : float, default 1e-9
        Probability left beyond the last column, added to it [fraction].
    max_cells : int, default 2**25
        Largest matrix allowed [cells].

    Returns
    -------
    numpy.ndarray
        ``pmf[i, k] = P(X_i = k)`` [fraction], shape (n_sku, K), K covering the
        ``1 - tail`` quantile of the largest mean.

    Raises
    ------
    ValueError
        If a mean is negative, or the matrix would exceed ``max_cells``.

    Notes
    -----
    :math:`P(X = k) = e^{-\\lambda} \\lambda^k / k!`, evaluated in logs.

    Examples
    --------
    >>> poisson_pmf([0.0, 1.0]).shape[0], float(poisson_pmf([1.0])[0, 1].round(6))
    (2, 0.367879)
    """
    m = _as_1d("mean", mean)
    require_nonnegative("mean", m, "units")
    require_probability("tail", np.asarray(tail, dtype=float))
    upper = _poisson_ppf(1.0 - tail, np.where(np.isnan(m), 0.0, m))
    k = np.arange(_support_size(upper, m.size, max_cells), dtype=float)
    with np.errstate(invalid="ignore"):
        logp = special.xlogy(k[None, :], m[:, None]) - m[:, None] - special.gammaln(k + 1.0)
    return _close_rows(np.exp(logp))


#: A variance within this relative distance of the mean is taken as Poisson.
_POISSON_REL = 1e-6


def negbin_pmf(
    mean: Any, variance: Any, *, tail: float = _TAIL, max_cells: int = MAX_CELLS
) -> np.ndarray:
    """Negative binomial pmf matrix matched to mean and variance (Poisson where var <= mean,
    or exceeds it by less than a relative 1e-6).

    Parameters
    ----------
    mean : array_like
        Mean demand per SKU [units], >= 0.
    variance : array_like
        Variance of demand per SKU [units^2], >= 0.
    tail, max_cells
        As in :func:`poisson_pmf`.

    Returns
    -------
    numpy.ndarray
        pmf matrix [fraction], shape (n_sku, K).

    Raises
    ------
    ValueError
        If a mean or variance is negative, or the matrix would exceed ``max_cells``.

    Notes
    -----
    With :math:`p = \\mu / \\sigma^2` and :math:`r = \\mu^2 / (\\sigma^2 - \\mu)`
    (the number of failures before the r-th success, scipy's ``nbinom(r, p)``):

    .. math::

        P(X = k) = \\frac{\\Gamma(k + r)}{\\Gamma(r)\\,k!}\\,p^r (1 - p)^k

    The negative binomial needs variance > mean (overdispersion). Where the variance
    is <= the mean, the Poisson with the same mean is used instead (its variance is
    the mean, the smallest a Poisson-like count can have): documented fallback, so
    the SKU gets a plan rather than an error. Sums of independent NB(r, p) are
    NB(sum r, p), so the lead-time demand over w buckets keeps p and scales mean and
    variance by w (Axsaeter [3]_ sec. 5.3).

    Examples
    --------
    Snyder and Shen's instance (r = 10, p = 0.3): mean 23.33, variance 77.78.

    >>> p = negbin_pmf([70 / 3], [700 / 9])
    >>> float((p[0] * np.arange(p.shape[1])).sum().round(6))
    23.333333
    """
    m = _as_1d("mean", mean)
    v = _as_1d("variance", variance, m.size)
    require_nonnegative("mean", m, "units")
    require_nonnegative("variance", v, "units^2")
    require_probability("tail", np.asarray(tail, dtype=float))
    # mean 0 admits no spread (Poisson(0), all mass at 0); a variance above the mean by a
    # rounding error (r = m^2 / (v - m) astronomically large) is Poisson too: gammaln
    # differences of huge r lose their digits and the rows stop summing to 1
    over = (v > m * (1.0 + _POISSON_REL)) & (m > 0)
    safe_v = np.where(over, v, 2.0)
    safe_m = np.where(over, m, 1.0)
    p = safe_m / safe_v
    r = safe_m * safe_m / (safe_v - safe_m)
    upper = np.where(
        over,
        _nbinom_ppf(1.0 - tail, r, p),
        _poisson_ppf(1.0 - tail, np.where(np.isnan(m), 0.0, m)),
    )
    k = np.arange(_support_size(upper, m.size, max_cells), dtype=float)
    with np.errstate(invalid="ignore"):
        lognb = (
            special.gammaln(k[None, :] + r[:, None])
            - special.gammaln(r[:, None])
            - special.gammaln(k + 1.0)[None, :]
            + (r * np.log(p))[:, None]
            + k[None, :] * np.log1p(-p)[:, None]
        )
        logpo = special.xlogy(k[None, :], m[:, None]) - m[:, None] - special.gammaln(k + 1.0)
    out = np.exp(np.where(over[:, None], lognb, logpo))
    out[np.isnan(m) | np.isnan(v)] = np.nan
    return _close_rows(out)


def _gamma_shape_scale(mean: np.ndarray, sd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        shape = (mean / sd) ** 2
        scale = sd * sd / mean
    return shape, scale


#: Smallest mean :func:`gamma_pmf` spreads as a gamma [units]; below, the mean is split
#: between 0 and 1 (the gamma's shape would underflow and its scale overflow).
_GAMMA_MIN_MEAN = 1e-12
#: Smallest sd / mean :func:`gamma_pmf` spreads as a gamma [-]; below, a fixed value.
_GAMMA_MIN_CV = 1e-6


def gamma_pmf(mean: Any, sd: Any, *, tail: float = _TAIL, max_cells: int = MAX_CELLS) -> np.ndarray:
    """Gamma distribution matched to mean and sd, spread onto whole units, as a pmf matrix.

    Parameters
    ----------
    mean : array_like
        Mean demand per SKU [units], >= 0.
    sd : array_like
        Standard deviation per SKU [units], >= 0.
    tail, max_cells
        As in :func:`poisson_pmf`.

    Returns
    -------
    numpy.ndarray
        pmf matrix [fraction], shape (n_sku, K).

    Raises
    ------
    ValueError
        If a mean or sd is negative, or the matrix would exceed ``max_cells``.

    Notes
    -----
    Shape :math:`a = (\\mu/\\sigma)^2`, scale :math:`\\theta = \\sigma^2/\\mu`. The
    continuous X is put onto the integers by *local moment matching* (Gerber's method;
    Klugman, Panjer and Willmot, *Loss Models*, sec. on discretization of severity
    distributions): a value x between k and k + 1 gives mass k + 1 - x to k and
    x - k to k + 1, so the mean is kept exactly (plain rounding loses up to 6 % of
    the mean of a skewed gamma with mean 0.5 and sd 1.4). With n(s) = E[(X - s)+]:

    .. math:: P(D = k) = E[\\max(0, 1 - |X - k|)] = n(k - 1) - 2\\,n(k) + n(k + 1)

    (n(-1) = E[X] + 1), using the closed-form gamma loss. The variance grows by
    E[u (1 - u)] <= 1/4 with u the fractional part of X (about 1/6 for a spread-out
    X). A SKU with sd = 0 gets its mean split between the two nearest integers; a
    mean of 0 puts all mass at 0. An sd below 1e-6 of the mean counts as 0, and a mean
    below 1e-12 is split between 0 and 1 (such gammas are beyond double precision).
    SKUs sharing a (mean, sd) pair, such as the lead times of one supplier, share one
    computed row.

    Examples
    --------
    >>> p = gamma_pmf([0.5], [1.4])
    >>> float(p.sum().round(12)), float((p[0] * np.arange(p.shape[1])).sum().round(8))
    (1.0, 0.5)
    """
    m = _as_1d("mean", mean)
    s = _as_1d("sd", sd, m.size)
    require_nonnegative("mean", m, "units")
    require_nonnegative("sd", s, "units")
    require_probability("tail", np.asarray(tail, dtype=float))
    nan = np.isnan(m) | np.isnan(s)
    m0 = np.where(nan, 0.0, m)
    n_sku = m.size
    inverse = None
    if n_sku > 1:  # SKUs sharing (mean, sd), such as a supplier's lead time: one row each
        pairs, inverse = np.unique(np.c_[m0, np.where(nan, 0.0, s)], axis=0, return_inverse=True)
        m0, s = pairs[:, 0], pairs[:, 1]
        inverse = inverse.ravel()
    # an sd below a millionth of the mean (shape > 1e12) is a fixed value: the gamma's
    # loss differences would cancel to noise (a pmf summing to 2), and the spread is far
    # below the 1/4 the discretization adds; a mean below 1e-12 is split between 0 and 1
    # (its shape underflows, its scale overflows)
    random = (s > 0) & (m0 > _GAMMA_MIN_MEAN) & (s > _GAMMA_MIN_CV * m0)
    a, theta = _gamma_shape_scale(np.where(random, m0, 1.0), np.where(random, s, 1.0))
    upper = np.where(random, _gamma_ppf(1.0 - tail, a, theta) + 1.0, m0)
    width = _support_size(upper, n_sku, max_cells)
    grid = np.arange(-1.0, width + 1.0)  # s = -1, 0, ..., K
    point = np.maximum(m0[:, None] - grid[None, :], 0.0)
    loss = np.where(random[:, None], _gamma_loss(grid[None, :], a[:, None], theta[:, None]), point)
    loss[:, 0] = m0 + 1.0
    out = _close_rows(loss[:, :-2] - 2.0 * loss[:, 1:-1] + loss[:, 2:])
    if inverse is not None:
        out = out[inverse]
    out[nan] = np.nan
    return out


# --------------------------------------------------------------------------- pmf readers
def pmf_cdf(pmf: Any) -> np.ndarray:
    """Cumulative distribution F(k) = P(X <= k) of each row of a pmf matrix.

    Parameters
    ----------
    pmf : array_like
        pmf matrix [fraction], shape (n_sku, K).

    Returns
    -------
    numpy.ndarray
        F [fraction], shape (n_sku, K), non-decreasing along each row, clipped to <= 1.

    Examples
    --------
    >>> pmf_cdf([[0.5, 0.25, 0.25]]).tolist()
    [[0.5, 0.75, 1.0]]
    """
    return np.minimum(np.cumsum(_check_pmf(pmf), axis=1), 1.0)


def _loss_matrix(p: np.ndarray) -> np.ndarray:
    """n1(s) = E[(X - s)+] for s = 0..K-1: the reversed cumulative sum of 1 - F."""
    ccdf = np.maximum(1.0 - np.minimum(np.cumsum(p, axis=1), 1.0), 0.0)  # P(X > j)
    # n1(s) = sum_{j >= s} P(X > j)
    return np.cumsum(ccdf[:, ::-1], axis=1)[:, ::-1]


def _take(matrix: np.ndarray, s: np.ndarray) -> np.ndarray:
    """matrix[i, s_i] for integer s_i in range (callers clip)."""
    return np.take_along_axis(matrix, s[:, None], axis=1)[:, 0]


def pmf_loss(pmf: Any, s: Any = None) -> np.ndarray:
    """First-order loss function E[(X - s)+] of each row of a pmf matrix.

    Parameters
    ----------
    pmf : array_like
        pmf matrix [fraction], shape (n_sku, K).
    s : array_like, optional
        Stock level per SKU [units] (one value, or one per SKU; any real number).
        Default: every integer level 0..K-1.

    Returns
    -------
    numpy.ndarray
        Expected units short [units]: shape (n_sku, K) when ``s`` is None (column j is
        s = j), else shape (n_sku,).

    Notes
    -----
    For integer s (Zipkin [1]_ appendix C; Snyder and Shen [2]_ appendix C):

    .. math:: n(s) = E[(X - s)^+] = \\sum_{j \\ge s} (1 - F(j))

    computed for all s at once as a reversed cumulative sum. For real s with
    m = floor(s): :math:`n(s) = n(m) - (s - m)(1 - F(m))`; for s < 0,
    :math:`n(s) = E[X] - s`. It is 0 for s >= K - 1.

    References
    ----------
    .. [1] Zipkin (2000), appendix C.
    .. [2] Snyder and Shen (2019), appendix C.

    Examples
    --------
    Poisson with mean 7 at s = 5 (Snyder and Shen; stockpyl's tests): 2.2926.

    >>> round(float(pmf_loss(poisson_pmf([7.0]), 5)[0]), 4)
    2.2926
    """
    p = _check_pmf(pmf)
    loss = _loss_matrix(p)
    if s is None:
        return loss
    n, k = p.shape
    sv = _as_1d("s", s, n)
    m = np.floor(sv)
    mi = np.clip(m, 0, k - 1).astype(np.intp)
    cdf_m = _take(np.minimum(np.cumsum(p, axis=1), 1.0), mi)
    out = _take(loss, mi) - (sv - m) * np.maximum(1.0 - cdf_m, 0.0)
    mean = loss[:, 0]
    out = np.where(m < 0, mean - sv, np.where(m >= k - 1, 0.0, out))
    return np.where(np.isnan(sv), np.nan, np.maximum(out, 0.0))


def pmf_loss2(pmf: Any, s: Any = None) -> np.ndarray:
    """Second-order loss function 1/2 E[(X - s)+ (X - s - 1)+] of each row of a pmf matrix.

    Parameters
    ----------
    pmf : array_like
        pmf matrix [fraction], shape (n_sku, K).
    s : array_like of int, optional
        Integer stock level per SKU [units], >= 0. Default: every level 0..K-1.

    Returns
    -------
    numpy.ndarray
        [units^2]: shape (n_sku, K) when ``s`` is None, else (n_sku,).

    Raises
    ------
    ValueError
        If ``s`` is not a whole number >= 0.

    Notes
    -----
    The discrete second-order loss function of Zipkin [1]_ (appendix C) and Snyder and
    Shen [2]_ (appendix C):

    .. math:: n^{(2)}(s) = \\tfrac12 E[(X - s)^+ (X - s - 1)^+] = \\sum_{j > s} n(j)

    It gives the expected backorders of an (s, Q) policy with continuous review and
    unit demands: :math:`B(s, Q) = [n^{(2)}(s) - n^{(2)}(s + Q)] / Q` (Zipkin sec. 6.2).

    References
    ----------
    .. [1] Zipkin (2000), appendix C.
    .. [2] Snyder and Shen (2019), appendix C.

    Examples
    --------
    X uniform on {0, 1, 2, 3}: n2(1) = 1/2 (0 + 0 + 1 * 0 + 2 * 1) / 4 = 0.25.

    >>> float(pmf_loss2([[0.25, 0.25, 0.25, 0.25]], 1)[0])
    0.25
    """
    p = _check_pmf(pmf)
    loss = _loss_matrix(p)
    # n2(s) = sum_{j >= s + 1} n1(j): reversed cumsum shifted by one
    rev = np.cumsum(loss[:, ::-1], axis=1)[:, ::-1]
    loss2 = np.concatenate([rev[:, 1:], np.zeros((p.shape[0], 1))], axis=1)
    if s is None:
        return loss2
    sv = _as_1d("s", s, p.shape[0])
    bad = (sv < 0) | (sv != np.floor(sv))
    if np.any(bad & ~np.isnan(sv)):
        raise ValueError(f"s must be whole numbers >= 0 [units]; got {sv[bad][:3].tolist()}")
    si = np.clip(np.nan_to_num(sv), 0, p.shape[1] - 1).astype(np.intp)
    out = np.where(sv >= p.shape[1] - 1, 0.0, _take(loss2, si))
    return np.where(np.isnan(sv), np.nan, out)


def pmf_quantile(pmf: Any, q: Any) -> np.ndarray:
    """Smallest integer k with F(k) >= q, per row of a pmf matrix.

    Parameters
    ----------
    pmf : array_like
        pmf matrix [fraction], shape (n_sku, K).
    q : array_like
        Probability per SKU (one value, or one per SKU) [fraction in (0, 1)].

    Returns
    -------
    numpy.ndarray
        The quantile [units], float array of shape (n_sku,); NaN for a NaN row or q.

    Notes
    -----
    F(k) >= q - 1e-12 counts as reaching q, so that a cumulative sum that rounds to
    0.97999999999999998 still meets a target of 0.98.

    Examples
    --------
    >>> pmf_quantile([[0.5, 0.3, 0.2]], 0.8).tolist()
    [1.0]
    """
    p = _check_pmf(pmf)
    qv = _as_1d("q", q, p.shape[0])
    require_probability("q", qv)
    cdf = np.cumsum(p, axis=1)
    k = (cdf < qv[:, None] - _CDF_TOL).sum(axis=1).astype(float)
    k = np.minimum(k, p.shape[1] - 1)
    return np.where(np.isnan(qv) | np.isnan(p).any(axis=1), np.nan, k)


# --------------------------------------------------------------------------- lead time
def lead_time_pmf(mean_buckets: Any, sd_buckets: Any = 0.0, *, tail: float = _TAIL) -> np.ndarray:
    """Distribution of the lead time in whole buckets, as a pmf matrix.

    Parameters
    ----------
    mean_buckets : array_like
        Mean lead time per SKU [buckets], >= 0 (days / bucket length in days).
    sd_buckets : array_like, default 0
        Standard deviation of the lead time [buckets], >= 0.
    tail : float, default 1e-9
        As in :func:`poisson_pmf`.

    Returns
    -------
    numpy.ndarray
        ``P(L = l)`` for l = 0, 1, ... [fraction], shape (n_sku, M + 1).

    Notes
    -----
    A fixed lead time L (sd = 0) that is not a whole number of buckets is split
    between floor(L) and ceil(L) with weights that keep the mean (5 days in weekly
    buckets: 0 weeks with probability 2/7, 1 week with probability 5/7). A random
    lead time is a gamma matched to mean and sd, spread onto whole buckets
    (:func:`gamma_pmf`), which keeps it non-negative and right-skewed, as lead times
    are. Observed lead times can be used instead (:func:`observed_lead_time_pmf`):
    any pmf matrix of this shape is accepted by :func:`compound_pmf` and
    :func:`lead_time_demand_distribution`.

    Examples
    --------
    >>> lead_time_pmf([5 / 7]).round(4).tolist()
    [[0.2857, 0.7143]]
    """
    m = _as_1d("mean_buckets", mean_buckets)
    s = _as_1d("sd_buckets", sd_buckets, m.size)
    require_nonnegative("mean_buckets", m, "buckets")
    require_nonnegative("sd_buckets", s, "buckets")
    return gamma_pmf(m, s, tail=tail)


def observed_lead_time_pmf(sku_codes: Any, lead_time_buckets: Any, *, n_sku: int) -> np.ndarray:
    """Lead-time pmf matrix from observed lead times (for example receipts), per SKU.

    Parameters
    ----------
    sku_codes : array_like of int
        Row (SKU position, 0 .. n_sku - 1) of each observation.
    lead_time_buckets : array_like
        Observed lead time of each observation [buckets], >= 0 (days / bucket length).
    n_sku : int
        Number of SKUs (rows of the result).

    Returns
    -------
    numpy.ndarray
        ``P(L = l)`` [fraction], shape (n_sku, M + 1); a row of NaN for a SKU without
        observations (give it :func:`lead_time_pmf` of a default instead).

    Raises
    ------
    ValueError
        If a code is outside 0 .. n_sku - 1 or a lead time is negative.

    Notes
    -----
    Each observation x between l and l + 1 buckets counts l + 1 - x at l and x - l at
    l + 1 (so the mean lead time is kept), then the counts of each SKU are divided by
    its number of observations: the empirical distribution, built with one
    ``numpy.bincount``.

    Examples
    --------
    Three receipts after 1, 2 and 2.5 weeks:

    >>> observed_lead_time_pmf([0, 0, 0], [1.0, 2.0, 2.5], n_sku=1).round(4).tolist()
    [[0.0, 0.3333, 0.5, 0.1667]]
    """
    codes = np.asarray(sku_codes, dtype=np.int64).ravel()
    lt = np.asarray(lead_time_buckets, dtype=float).ravel()
    if codes.size != lt.size:
        raise ValueError(
            f"sku_codes and lead_time_buckets must have the same length; "
            f"got {codes.size} and {lt.size}"
        )
    outside = (codes < 0) | (codes >= n_sku)
    if np.any(outside):
        raise ValueError(
            f"sku_codes must be in 0 .. {n_sku - 1}; got {codes[outside][:3].tolist()}"
        )
    keep = ~np.isnan(lt)
    codes, lt = codes[keep], lt[keep]
    require_nonnegative("lead_time_buckets", lt, "buckets")
    lo = np.floor(lt)
    frac = lt - lo
    width = int(lo.max()) + 2 if lt.size else 1
    key = codes * width + lo.astype(np.int64)
    counts = np.bincount(key, weights=1.0 - frac, minlength=n_sku * width)
    counts += np.bincount(key + 1, weights=frac, minlength=n_sku * width)[: n_sku * width]
    counts = counts.reshape(n_sku, width)
    total = np.bincount(codes, minlength=n_sku).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = counts / total[:, None]
    last = np.flatnonzero(np.nan_to_num(out).any(axis=0))
    return out[:, : (int(last.max()) + 1 if last.size else 1)]


_CHERNOFF_T = np.geomspace(1e-4, 8.0, 32)


def _chernoff_length(
    f: np.ndarray, lt: np.ndarray, r: int, tail: float, ts: np.ndarray = _CHERNOFF_T
) -> np.ndarray:
    """Per SKU, a length a with P(S >= a) <= tail for the compound S, by Chernoff.

    For any t > 0, P(S >= a) <= E[exp(t S)] exp(-t a), and
    ln E[exp(t S)] = ln sum_l P(L = l) M(t)^(l + R) with M the per-bucket moment
    generating function, all in logs. Minimised over the grid ``ts`` of t.
    """
    n, k = f.shape
    x = np.arange(k, dtype=float)
    lags = np.arange(lt.shape[1], dtype=float) + r
    top = np.where(f > 0, x[None, :], 0.0).max(axis=1)  # largest value with mass
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_lt = np.log(lt)
        best = np.full(n, np.inf)
        for t in ts:
            # ln M(t) = t top + ln sum f(x) exp(t (x - top)): no overflow
            below = np.minimum(x[None, :] - top[:, None], 0.0)
            log_m = t * top + np.log((f * np.exp(t * below)).sum(axis=1))
            v = log_lt + lags[None, :] * log_m[:, None]
            vmax = v.max(axis=1)
            log_e = vmax + np.log(np.exp(v - vmax[:, None]).sum(axis=1))
            best = np.fmin(best, (log_e - np.log(tail)) / t)
    return best


#: Lead-time probability below which the lags at either end of a row are folded into
#: the nearest lag kept (a lead-time pmf spread onto a grid wider than the row's own
#: support carries rounding noise of ~1e-17 there): the compound moves by at most this
#: much probability, far below ``tail``.
_LAG_FOLD = 1e-13


def _trim_lags(lt: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fold each row's end lags holding less than ``_LAG_FOLD`` in all into its nearest
    kept lag; returns the folded pmf (columns beyond every row's last dropped) and each
    row's first and last lag with mass (compiled passes along each row,
    :func:`._compiled.lag_range` and :func:`._compiled.fold_lags`, for large inputs)."""
    n = lt.shape[0]
    if n == 0:
        return lt, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    lt = np.ascontiguousarray(lt, dtype=float)
    lo, hi = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    below, above = np.empty(n), np.empty(n)
    loop("lag_range", lt.size)(lt, _LAG_FOLD, lo, hi, below, above)
    out = np.empty((n, int(hi.max()) + 1))
    loop("fold_lags", lt.size)(lt, lo, hi, below, above, out)
    return out, lo, hi


def _fft_size(
    f: np.ndarray, lt: np.ndarray, lag_lo: np.ndarray, lag_hi: np.ndarray, r: int,
    tail: float, hard: int,
) -> tuple[int, np.ndarray]:  # fmt: skip
    """FFT lengths for :func:`compound_pmf`: the power of two at least the Chernoff
    length of the largest SKU plus one (:func:`_chernoff_length` on the full grid of t,
    computed by compiled Horner sums), or the largest possible sum plus one if smaller;
    and per SKU the power of two at least its own Chernoff length at ``tail`` x
    :data:`_OWN_TAIL` plus one, at most the first (each row's wrap-around is then far
    below ``tail``, within rounding of what the common length gives).
    """
    n = f.shape[0]
    length, own, top = 1.0, np.ones(n), np.zeros(n, dtype=np.int64)
    if n:
        chernoff_lengths = loop(
            "chernoff_lengths", (f.size + lt.size) * _CHERNOFF_T.size
        )  # every t walks both matrices
        x = np.arange(f.shape[1])
        top = np.where(f > 0, x[None, :], 0).max(axis=1).astype(np.int64)
        f_c, lt_c = np.ascontiguousarray(f), np.ascontiguousarray(lt)
        # both tails from one pass of the Horner sums
        log_tails = np.log(np.array([tail, tail * _OWN_TAIL], dtype=float))
        each = np.empty((2, n))
        chernoff_lengths(f_c, top, lt_c, lag_lo, lag_hi, int(r), log_tails, _CHERNOFF_T, each)
        length = float(np.max(each[0], initial=1.0))
        own = each[1]
    size = int(min(hard, np.ceil(length) + 1))
    nfft = 1 << max(size - 1, 1).bit_length()
    with np.errstate(invalid="ignore"):
        own_size = np.where(np.isfinite(own), np.minimum(np.ceil(own) + 1, hard), hard)
    own_size = np.maximum(own_size, top + 1)  # never shorter than the row's own pmf
    # the power of two at least each size: 2^ceil(log2(size)), at least 2
    own_nfft = 2 ** np.ceil(np.log2(np.maximum(own_size, 2.0))).astype(np.int64)
    return nfft, np.minimum(own_nfft, nfft)


def compound_pmf(
    bucket_pmf: Any,
    lead_time: Any,
    *,
    review_buckets: int = 0,
    tail: float = _TAIL,
    max_cells: int = MAX_CELLS,
) -> np.ndarray:
    """Lead-time demand pmf: per-bucket demand summed over a random number of buckets.

    Parameters
    ----------
    bucket_pmf : array_like
        pmf matrix of demand in one bucket [fraction], shape (n_sku, K); buckets are
        independent and identically distributed.
    lead_time : array_like
        pmf matrix of the lead time in whole buckets [fraction], shape (n_sku, M + 1)
        (:func:`lead_time_pmf`, or observed lead times).
    review_buckets : int, default 0
        Review period R [buckets], added to every lead time (the protection interval
        of periodic review is L + R).
    tail, max_cells
        As in :func:`poisson_pmf`: the result covers the ``1 - tail`` quantile.

    Returns
    -------
    numpy.ndarray
        pmf matrix of demand over L + R buckets [fraction], shape (n_sku, K_out).

    Raises
    ------
    ValueError
        If the shapes disagree, ``review_buckets`` is negative or not whole, or the
        result would exceed ``max_cells``.

    Notes
    -----
    .. math::

        P(X = x) = \\sum_l P(L = l)\\, f^{*(l + R)}(x)

    where :math:`f^{*w}` is the w-fold convolution of the per-bucket pmf (the
    distribution of the sum of w independent buckets; :math:`f^{*0}` is a point mass
    at 0). All SKUs are computed at once, along axis 1, in blocks of SKUs that fit in
    cache: one FFT of the per-bucket pmf, the powers :math:`\\hat f^{\\,w}` mixed
    with weights P(L = w - R) in the frequency domain, one inverse FFT. The mixing is
    Horner's scheme over each SKU's own lags only (compiled; lead-time probability
    below 1e-13 at either end of a row, such as rounding noise of a pmf spread onto a
    wider grid, is folded into the nearest lag kept). The FFT length
    N is a power of two at least a Chernoff bound on the ``1 - tail`` quantile of the
    largest SKU, :math:`\\min_t [\\ln E e^{tX} - \\ln(tail)] / t` over a grid of t
    (or the largest
    possible sum, (K - 1)(M + R) + 1, if smaller, which makes the result exact), so
    the probability that wraps around from beyond N is at most ``tail`` per SKU. The
    result is cut at the largest ``1 - tail`` quantile over SKUs and the remainder
    added to the last column. Memory: n_sku x N cells, guarded by ``max_cells``.
    Axsaeter [3]_ sec. 5.3 and Zipkin [1]_ sec. 6.2 give the compound distribution;
    its mean is E[L + R] mu and its variance E[L + R] sigma^2 + mu^2 Var(L).

    Examples
    --------
    Two buckets, each 0 or 1 unit with probability 1/2: binomial(2, 1/2).

    >>> compound_pmf([[0.5, 0.5]], [[0.0, 0.0, 1.0]]).round(6).tolist()
    [[0.25, 0.5, 0.25]]
    """
    f = _check_pmf(bucket_pmf)
    lt = np.asarray(lead_time, dtype=float)
    if lt.ndim != 2 or lt.shape[0] != f.shape[0]:
        raise ValueError(
            f"lead_time must be a pmf matrix with one row per SKU ({f.shape[0]}); "
            f"got shape {lt.shape}"
        )
    r = int(review_buckets)
    if r != review_buckets or r < 0:
        raise ValueError(
            f"review_buckets must be a whole number >= 0 [buckets]; got {review_buckets}"
        )
    require_probability("tail", np.asarray(tail, dtype=float))
    n, k = f.shape
    bad = np.isnan(f).any(axis=1) | np.isnan(lt).any(axis=1)
    f0, lt0 = np.where(bad[:, None], 0.0, f), np.where(bad[:, None], 0.0, lt)
    f0[bad, 0], lt0[bad, 0] = 1.0, 1.0
    lt0, lag_lo, lag_hi = _trim_lags(lt0)
    w_max = lt0.shape[1] - 1 + r
    hard = (k - 1) * w_max + 1  # largest possible sum + 1
    if n and np.all(lag_lo == lag_hi) and np.all(lag_lo + r == 1):
        # one bucket for every SKU (a review period of one day): the transform's round
        # trip would give back the bucket's pmf (cut to the FFT length, which is beyond
        # the 1 - tail quantile the result is cut at anyway)
        full = np.array(f0, dtype=float)
        return _cut_tail(full, tail, hard, bad)
    nfft, own = _fft_size(f0, lt0, lag_lo, lag_hi, r, tail, hard)
    if n * nfft > max_cells:
        raise ValueError(
            f"max_cells must be >= n_sku * nfft = {n} * {nfft} = {n * nfft} [cells] for "
            f"this lead-time demand; got {max_cells}. Use a continuous model ('normal', "
            "'gamma') for SKUs with large demand, or raise max_cells"
        )
    width = min(nfft, hard)
    # Horner walks each row's lags: rows x FFT length x the widest lag range
    span = int(np.max(lag_hi - lag_lo, initial=0)) + 1
    mix_powers = loop("mix_powers", n * (nfft // 2 + 1) * span)
    tail_columns = loop("tail_columns", n * width)
    need = np.empty(n, dtype=np.int64)  # each row's 1 - tail column (see _cut_tail)
    blocks = []
    # rows of one FFT length together, in blocks of SKUs small enough to stay in cache;
    # each block's rows are kept at their own length until the common cut is known (a
    # matrix as wide as the longest FFT was 44 MB of fresh pages for the 10,000-SKU plan)
    for size in np.unique(own):
        size = int(size)
        same = np.flatnonzero(own == size)
        cols = min(size, width)
        step = max(1, _BLOCK // size)
        for lo in range(0, same.size, step):
            rows = same[lo : lo + step]
            phi = np.fft.rfft(f0[rows], size, axis=1)
            # sum_l P(L = l) phi^(l + R) per SKU over its own lags (Horner), compiled
            pr, pi = np.ascontiguousarray(phi.real), np.ascontiguousarray(phi.imag)
            out_r, out_i = np.empty_like(pr), np.empty_like(pi)
            mix_powers(pr, pi, lt0, rows, lag_lo, lag_hi, r, out_r, out_i)
            phi.real, phi.imag = out_r, out_i
            block = np.ascontiguousarray(np.fft.irfft(phi, size, axis=1)[:, :cols])
            found = np.empty(rows.size, dtype=np.int64)
            tail_columns(block, 1.0 - tail, found)
            # a row not reaching 1 - tail within its columns (zeros beyond) counts them all
            need[rows] = np.where(found < cols, found, width)
            blocks.append((rows, block))
    out = np.zeros((n, int(min(width, need.max(initial=0) + 1))))
    for rows, block in blocks:
        k = min(block.shape[1], out.shape[1])
        out[rows, :k] = block[:, :k]
    out[bad] = np.nan
    return _close_rows(out)


def _cut_tail(full: np.ndarray, tail: float, width: int, bad: np.ndarray) -> np.ndarray:
    """:func:`compound_pmf`'s result from the transform's output ``full``: cut at the
    largest ``1 - tail`` quantile over SKUs, the remainder in the last column; rows
    ``bad`` NaN.

    Each row's quantile is the first column where its running sum of max(p, 0) reaches
    1 - tail, found by a compiled walk along the row that stops there
    (:func:`._compiled.tail_columns`), not a cumulative-sum matrix as large as ``full``
    (the 10,000-SKU plan's largest pmfs: 12 million cells, a tenth of its reorder-point
    time).
    """
    need = np.empty(full.shape[0], dtype=np.int64)
    loop("tail_columns", full.size)(full, 1.0 - tail, need)
    out = full[:, : int(min(width, need.max(initial=0) + 1))].copy()
    out[bad] = np.nan
    return _close_rows(out)


# --------------------------------------------------------------------------- empirical
def _empirical_bucket_pmf(
    hist: np.ndarray,
    max_cells: int,
    step: np.ndarray | None = None,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-bucket empirical pmf of each row's non-NaN values (rounded, negatives at 0).

    With ``step`` (per row, [units]) cell k stands for k * step units and a value x
    is split between the two neighbouring cells, x / step = k + f giving 1 - f to k and
    f to k + 1 (the mean kept exactly, as :func:`gamma_pmf` does). With ``rows``, the
    pmfs of those rows of ``hist`` (read in place by the compiled loops), in that order.
    """
    hist = np.ascontiguousarray(hist, dtype=float)
    rows = np.arange(hist.shape[0]) if rows is None else np.asarray(rows, dtype=np.int64)
    n = rows.size
    cells = n * hist.shape[1]
    use_step = step is not None
    steps = np.ascontiguousarray(step if use_step else np.ones(n), dtype=float)
    top = loop("empirical_top", cells)(hist, rows, steps, use_step) if cells else 0
    k = int(top) + 1
    if n * k > max_cells:
        raise ValueError(
            f"max_cells must be >= n_sku * K = {n} * {k} = {n * k} [cells] for the "
            f"empirical pmf; got {max_cells}"
        )
    # one pass a row (compiled): the weights of the lower and the upper cells apart,
    # each summed in the row's order, then added (what two bincounts gave)
    counts, upper = np.zeros((n, k)), np.zeros((n, k) if use_step else (0, 0))
    n_valid = np.zeros(n, dtype=np.int64)
    loop("empirical_counts", cells)(hist, rows, steps, use_step, counts, upper, n_valid)
    if use_step:
        counts += upper
    with np.errstate(invalid="ignore", divide="ignore"):
        pmf = counts / n_valid[:, None]
    return pmf, n_valid


def _empirical_day_pmf(
    hist: np.ndarray,
    max_cells: int = MAX_CELLS,
    step: np.ndarray | None = None,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """The per-bucket pmf :func:`lead_time_demand_distribution` compounds for
    ``"empirical"`` (:func:`_empirical_bucket_pmf`; a row without history is no demand,
    flagged by the caller's class "none"): built once, it serves several lead times.
    With ``rows``, those rows of ``hist``."""
    bucket, n_valid = _empirical_bucket_pmf(hist, max_cells, step, rows)
    empty = n_valid == 0
    bucket[empty] = 0.0
    bucket[empty, 0] = 1.0
    return bucket


def _window_pmf(
    hist: np.ndarray, lt: np.ndarray, r: int, max_cells: int
) -> tuple[np.ndarray, np.ndarray]:
    """Lead-time demand from overlapping windows of each row's own series.

    Returns (pmf, ok) where ok marks rows whose history holds at least one window of
    every length in the lead-time support (other rows are left at 0).
    """
    n, t = hist.shape
    valid = ~np.isnan(hist)
    first = np.where(valid.any(axis=1), np.argmax(valid, axis=1), t)
    vals = np.rint(np.maximum(np.where(valid, hist, 0.0), 0.0))
    csum = np.concatenate([np.zeros((n, 1)), np.cumsum(vals, axis=1)], axis=1)
    lengths = np.flatnonzero(lt.any(axis=0)) + r
    n_hist = t - first
    ok = n_hist >= (lengths.max() if lengths.size else 0)
    top = 0
    for w in lengths:
        if w > 0 and w <= t:
            top = max(top, int((csum[:, w:] - csum[:, :-w]).max()))
    k = top + 1
    if n * k > max_cells:
        raise ValueError(
            f"max_cells must be >= n_sku * K = {n} * {k} = {n * k} [cells] for the "
            f"empirical lead-time demand; got {max_cells}"
        )
    out = np.zeros(n * k)
    rows_all = np.arange(n)
    for w in lengths:
        weight = lt[:, w - r]
        if w == 0:
            out[rows_all * k] += weight
            continue
        if w > t:
            continue
        sums = (csum[:, w:] - csum[:, :-w]).astype(np.int64)  # window starting at column j
        start = np.arange(t - w + 1)
        inside = start[None, :] >= first[:, None]
        count = inside.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            wt = np.where(count > 0, weight / count, 0.0)
        rows = np.broadcast_to(rows_all[:, None], sums.shape)
        out += np.bincount(
            (rows[inside] * k + sums[inside]).ravel(),
            weights=np.broadcast_to(wt[:, None], sums.shape)[inside],
            minlength=n * k,
        )
    return out.reshape(n, k), ok


# --------------------------------------------------------------------------- LTD object
class LeadTimeDemandDistribution(NamedTuple):
    """Distribution of demand over the protection interval L + R, per SKU.

    Attributes
    ----------
    kind : str
        The model, one of :data:`DISTRIBUTIONS`.
    mean : numpy.ndarray
        Mean lead-time demand [units], shape (n_sku,).
    sd : numpy.ndarray
        Standard deviation of lead-time demand [units], shape (n_sku,).
    pmf : numpy.ndarray or None
        pmf matrix [fraction], shape (n_sku, K), for the discrete models
        ("gamma_discrete", "poisson", "negbin", "empirical"); None for "normal" and
        "gamma".
    """

    kind: str
    mean: np.ndarray
    sd: np.ndarray
    pmf: np.ndarray | None


def _pmf_moments(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.arange(p.shape[1], dtype=float)
    mean = row_dot(p, x)
    return mean, np.sqrt(np.maximum(row_dot(p, x * x) - mean * mean, 0.0))


def _family_pmf(kind: str, mean, var, tail, max_cells) -> np.ndarray:
    if kind == "poisson":
        return poisson_pmf(mean, tail=tail, max_cells=max_cells)
    if kind == "negbin":
        return negbin_pmf(mean, var, tail=tail, max_cells=max_cells)
    return gamma_pmf(mean, np.sqrt(var), tail=tail, max_cells=max_cells)


def _pad_to(p: np.ndarray, k: int) -> np.ndarray:
    return p if p.shape[1] >= k else np.pad(p, ((0, 0), (0, k - p.shape[1])))


def lead_time_demand_distribution(
    kind: str,
    *,
    bucket_mean: Any = None,
    bucket_sd: Any = None,
    lead_time_buckets: Any = None,
    lead_time_sd_buckets: Any = 0.0,
    review_buckets: int = 0,
    lead_time: Any = None,
    history: Any = None,
    method: str = "iid",
    step: Any = None,
    tail: float = _TAIL,
    max_cells: int = MAX_CELLS,
) -> LeadTimeDemandDistribution:
    """Distribution of demand over the protection interval L + R for one model, all SKUs.

    Parameters
    ----------
    kind : {"normal", "gamma", "gamma_discrete", "poisson", "negbin", "empirical"}
        The model (see :func:`choose_distribution` for the automatic choice).
    bucket_mean : array_like
        Mean demand per bucket per SKU [units/bucket], mu. Not used by "empirical".
    bucket_sd : array_like
        Standard deviation of demand per bucket [units/bucket], sigma; buckets are
        independent. Not used by "poisson" or "empirical".
    lead_time_buckets : array_like
        Mean lead time [buckets], L (lead time in days / bucket length in days).
        Required unless ``lead_time`` is given.
    lead_time_sd_buckets : array_like, default 0
        Standard deviation of the lead time [buckets].
    review_buckets : int, default 0
        Review period R [buckets], a whole number; 0 for continuous review.
    lead_time : array_like, optional
        pmf matrix of the lead time in whole buckets [fraction], shape (n_sku, M + 1),
        for example from observed lead times. Overrides ``lead_time_buckets`` and
        ``lead_time_sd_buckets`` for the discrete models; "normal" and "gamma" take
        its mean and variance.
    history : array_like, optional
        Demand per bucket [units/bucket], shape (n_sku, T), NaN outside a SKU's
        window (:func:`workbench.policy.bucket_demand` gives it). Required for
        "empirical".
    method : {"iid", "windows"}, default "iid"
        How "empirical" bootstraps the history (see Notes).
    step : array_like, optional
        "empirical" with ``method="iid"`` only: count demand in steps of ``step`` units
        per SKU [units], > 0, so that a large demand fits a short pmf (cell k of the
        result stands for k * step units; ``mean`` and ``sd`` are in steps too). Each
        day's value is split between its two neighbouring steps, keeping the mean.
        Default: whole units (values rounded).
    tail, max_cells
        As in :func:`poisson_pmf`.

    Returns
    -------
    LeadTimeDemandDistribution
        ``kind``, ``mean`` and ``sd`` [units] and, for discrete models, ``pmf``.

    Raises
    ------
    ValueError
        If ``kind`` or ``method`` is unknown, an input the model needs is missing or
        negative, or the pmf matrix would exceed ``max_cells``.

    Notes
    -----
    Mean and variance of lead-time demand (SPT [4]_ sec. 6.10; with W = L + R):

    .. math:: \\mu_W = E[W]\\,\\mu, \\qquad
              \\sigma_W^2 = E[W]\\,\\sigma^2 + \\mu^2\\,Var(L)

    - "normal" and "gamma": continuous, with that mean and sd.
    - "poisson", "negbin", "gamma_discrete": each family is closed under sums of
      independent buckets (Poisson(w mu); NB keeps p and scales r by w; the gamma
      keeps its scale and scales its shape by w), so the demand over w buckets is the
      family with mean w mu and variance w sigma^2, for any real w. A fixed lead time
      uses w = L + R directly. A random lead time (:func:`lead_time_pmf`, a gamma on
      whole buckets, or ``lead_time``) gives the mixture
      :math:`\\sum_l P(L = l) f_{l + R}(x)`: for "poisson" and "negbin" computed as
      :func:`compound_pmf` of the per-bucket pmf (the same thing, by closure; checked
      in the tests against the explicit mixture), for "gamma_discrete" as the explicit
      mixture of gammas put onto whole units. The latter costs two incomplete-gamma
      evaluations per SKU, unit and lead time in the support: 15 s for 1 000 SKUs
      with a 6 +- 2 bucket lead time and K = 900 on a busy two-core machine, where
      "negbin" takes 1 s per 1 000 SKUs and "gamma" (continuous) 0.03 s; prefer
      those for large catalogues.
    - "empirical": the SKU's own history, no model assumed. ``method="iid"``
      resamples buckets independently with replacement: the bootstrap distribution of
      the sum of w draws is computed *exactly*, as the w-fold convolution of the
      empirical per-bucket pmf mixed over the lead-time pmf (:func:`compound_pmf`),
      so no random numbers and no sampling error enter. It is the default because a
      short history (two years of weeks) has only a few dozen non-overlapping windows
      of lead-time length, too few to read a 98 % quantile from, while the
      resampled buckets fill the tail; it assumes independent buckets, as Croston's
      model and the SBC classes do. ``method="windows"`` takes every overlapping
      window of w consecutive buckets of the actual series (cumulative sums on the
      padded matrix), weighted by P(L = w - R): it keeps autocorrelation and
      clustering of demand (the concern of Willemain et al. [8]_) but cannot exceed
      the largest window observed; SKUs whose history is shorter than the longest
      window fall back to "iid". Quantities are rounded to whole units and negative
      net demand counts as zero.

    Examples
    --------
    >>> d = lead_time_demand_distribution("poisson", bucket_mean=[2.0], lead_time_buckets=3)
    >>> float(d.mean[0].round(6)), d.pmf.shape[0]
    (6.0, 1)
    """
    if kind not in DISTRIBUTIONS:
        raise ValueError(f"kind must be one of {DISTRIBUTIONS}; got {kind!r}")
    if method not in ("iid", "windows"):
        raise ValueError(f"method must be 'iid' or 'windows'; got {method!r}")
    r = int(review_buckets)
    if r != review_buckets or r < 0:
        raise ValueError(
            f"review_buckets must be a whole number >= 0 [buckets]; got {review_buckets}"
        )

    if kind == "empirical":
        if history is None:
            raise ValueError(
                "history (demand per bucket, shape (n_sku, T)) is required for 'empirical'"
            )
        hist = np.asarray(history, dtype=float)
        if hist.ndim != 2:
            raise ValueError(f"history must have shape (n_sku, T); got {hist.shape}")
        n = hist.shape[0]
    else:
        if bucket_mean is None:
            raise ValueError(f"bucket_mean [units/bucket] is required for kind={kind!r}")
        mu = _as_1d("bucket_mean", bucket_mean)
        n = mu.size
        require_nonnegative("bucket_mean", mu, "units/bucket")
        if kind == "poisson":
            sigma = np.sqrt(mu)
        else:
            if bucket_sd is None:
                raise ValueError(f"bucket_sd [units/bucket] is required for kind={kind!r}")
            sigma = _as_1d("bucket_sd", bucket_sd, n)
            require_nonnegative("bucket_sd", sigma, "units/bucket")

    if lead_time is not None:
        lt = np.asarray(lead_time, dtype=float)
        if lt.ndim != 2 or lt.shape[0] != n:
            raise ValueError(
                f"lead_time must be a pmf matrix of shape ({n}, M + 1); got {lt.shape}"
            )
        lags = np.arange(lt.shape[1], dtype=float)
        lt_mean = row_dot(lt, lags)
        lt_sd = np.sqrt(np.maximum(row_dot(lt, lags * lags) - lt_mean**2, 0.0))
    else:
        if lead_time_buckets is None:
            raise ValueError("lead_time_buckets [buckets] (or a lead_time pmf) is required")
        lt_mean = _as_1d("lead_time_buckets", lead_time_buckets, n)
        lt_sd = _as_1d("lead_time_sd_buckets", lead_time_sd_buckets, n)
        require_nonnegative("lead_time_buckets", lt_mean, "buckets")
        require_nonnegative("lead_time_sd_buckets", lt_sd, "buckets")
        lt = None

    if kind == "empirical":
        lt_pmf = lt if lt is not None else lead_time_pmf(lt_mean, lt_sd, tail=tail)
        unit = None
        if step is not None:
            if method != "iid":
                raise ValueError("step is supported for method='iid' only")
            unit = _as_1d("step", step, n)
            require_positive("step", unit, "units")
        bucket = _empirical_day_pmf(hist, max_cells, unit)
        pmf = compound_pmf(bucket, lt_pmf, review_buckets=r, tail=tail, max_cells=max_cells)
        if method == "windows":
            win, ok = _window_pmf(hist, lt_pmf, r, max_cells)
            width = max(pmf.shape[1], win.shape[1])
            pmf, win = _pad_to(pmf, width), _pad_to(win, width)
            pmf[ok] = win[ok]
            pmf = _close_rows(pmf)
        mean, sd = _pmf_moments(pmf)
        return LeadTimeDemandDistribution(kind, mean, sd, pmf)

    mean, sd = _ltd(mu, sigma, lt_mean, lt_sd, float(r))
    if kind in ("normal", "gamma"):
        return LeadTimeDemandDistribution(kind, mean, sd, None)

    family = "gamma" if kind == "gamma_discrete" else kind
    var1 = sigma * sigma
    fixed = lt is None and not np.any(lt_sd > 0)
    if fixed:
        w = lt_mean + r
        pmf = _family_pmf(family, mu * w, var1 * w, tail, max_cells)
    elif family in ("poisson", "negbin"):
        # closed under convolution: the compound of the per-bucket pmf is exact, and its
        # FFT convolutions are far cheaper than one family pmf per lead time
        lt_pmf = lt if lt is not None else lead_time_pmf(lt_mean, lt_sd, tail=tail)
        bucket = _family_pmf(family, mu, var1, tail, max_cells)
        pmf = compound_pmf(bucket, lt_pmf, review_buckets=r, tail=tail, max_cells=max_cells)
    else:
        lt_pmf = lt if lt is not None else lead_time_pmf(lt_mean, lt_sd, tail=tail)
        # one gamma per lead time in the support, mixed with weights P(L = l)
        support = np.flatnonzero(lt_pmf.any(axis=0))
        w_top = float(support.max() + r) if support.size else float(r)
        width = _family_pmf(family, mu * w_top, var1 * w_top, tail, max_cells).shape[1]
        pmf = np.zeros((n, width))
        for lag in support:
            w = float(lag + r)
            part = _family_pmf(family, mu * w, var1 * w, tail, max_cells)
            cols = min(part.shape[1], width)
            pmf[:, :cols] += lt_pmf[:, lag : lag + 1] * part[:, :cols]
        pmf = _close_rows(pmf)
    return LeadTimeDemandDistribution(kind, mean, sd, pmf)


# --------------------------------------------------------------------------- service
class LtdService(NamedTuple):
    """A reorder point (or order-up-to level) and the service it achieves, per SKU.

    Attributes
    ----------
    reorder_point : numpy.ndarray
        Reorder point s or order-up-to level S [units] (whole units for discrete
        models).
    cycle_service_level : numpy.ndarray
        P(lead-time demand <= s) [fraction].
    fill_rate : numpy.ndarray
        1 - ESPC / Q [fraction], clipped at 0; NaN without ``order_quantity``.
    expected_shortage_per_cycle : numpy.ndarray
        ESPC = E[(X - s)+] [units].
    """

    reorder_point: np.ndarray
    cycle_service_level: np.ndarray
    fill_rate: np.ndarray
    expected_shortage_per_cycle: np.ndarray


def _gamma_loss(s: np.ndarray, a: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """E[(X - s)+] for X ~ Gamma(a, theta): a theta (1 - F_{a+1}(s)) - s (1 - F_a(s))."""
    x = np.maximum(s, 0.0) / theta
    upper = special.gammaincc(a, x)
    # Q(a + 1, x) = Q(a, x) + x^a e^-x / Gamma(a + 1): one incomplete gamma, not two
    with np.errstate(divide="ignore"):
        term = np.exp(a * np.log(x) - x - special.gammaln(a + 1.0))
    loss = a * theta * (upper + term) - np.maximum(s, 0.0) * upper
    return np.where(s < 0, a * theta - s, np.maximum(loss, 0.0))


def _continuous_parts(ltd: LeadTimeDemandDistribution, s: np.ndarray):
    """(cdf at s, loss at s) for the continuous models; sd = 0 is a point mass."""
    mean, sd = ltd.mean, ltd.sd
    pos = sd > 0
    safe_sd = np.where(pos, sd, 1.0)
    if ltd.kind == "normal":
        z = (s - mean) / safe_sd
        g, tail = _normal_loss_parts(z)
        cdf, loss = 1.0 - tail, sd * g
    else:
        a, theta = _gamma_shape_scale(np.where(pos & (mean > 0), mean, 1.0), safe_sd)
        cdf = special.gammainc(a, np.maximum(s, 0.0) / theta)
        loss = _gamma_loss(s, a, theta)
    point_cdf = (s >= mean).astype(float)
    point_loss = np.maximum(mean - s, 0.0)
    degenerate = ~pos | (mean <= 0)
    cdf = np.where(degenerate, point_cdf, cdf)
    loss = np.where(degenerate, point_loss, loss)
    return cdf, loss


def _fill(espc: np.ndarray, q: np.ndarray | None, mean: np.ndarray) -> np.ndarray:
    if q is None:
        return np.full(espc.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        fill = np.where(mean > 0, 1.0 - espc / q, 1.0)
    return np.maximum(fill, 0.0)


def ltd_service(
    ltd: LeadTimeDemandDistribution, reorder_point: Any, *, order_quantity: Any = None
) -> LtdService:
    """Cycle service level and fill rate that a reorder point achieves.

    Parameters
    ----------
    ltd : LeadTimeDemandDistribution
        Lead-time demand (:func:`lead_time_demand_distribution`).
    reorder_point : array_like
        Reorder point s or order-up-to level S per SKU [units].
    order_quantity : array_like, optional
        Order quantity Q [units] (or the mean order, mu R, under periodic review);
        needed for the fill rate.

    Returns
    -------
    LtdService
        The reorder point, its cycle service P(X <= s), fill rate 1 - E[(X - s)+] / Q
        and expected shortage per cycle E[(X - s)+].

    Notes
    -----
    The fill rate is the textbook approximation of SPT [4]_ sec. 6.7 (shortage per
    cycle over the order quantity, ignoring backorders carried from the previous
    cycle and the undershoot of the reorder point; see
    :mod:`workbench.policy.undershoot` where available for the exact periodic-review
    figures). Discrete models count P(X <= s) over whole units.

    Examples
    --------
    >>> d = lead_time_demand_distribution("poisson", bucket_mean=[2.0], lead_time_buckets=1)
    >>> float(ltd_service(d, [4]).cycle_service_level[0].round(4))
    0.9473
    """
    s = _as_1d("reorder_point", reorder_point, ltd.mean.size)
    q = None if order_quantity is None else _as_1d("order_quantity", order_quantity, s.size)
    if q is not None:
        require_positive("order_quantity", q, "units")
    if ltd.pmf is None:
        cdf, espc = _continuous_parts(ltd, s)
    else:
        k = ltd.pmf.shape[1]
        cdf_m = pmf_cdf(ltd.pmf)
        m = np.floor(s)
        mi = np.clip(np.nan_to_num(m), 0, k - 1).astype(np.intp)
        cdf = np.where(m < 0, 0.0, np.where(m >= k - 1, 1.0, _take(cdf_m, mi)))
        espc = pmf_loss(ltd.pmf, s)
    cdf = np.where(np.isnan(s), np.nan, cdf)
    return LtdService(s, cdf, _fill(espc, q, ltd.mean), espc)


def _bisect_gamma_fill(a, theta, allowed, upper) -> np.ndarray:
    """Smallest s >= 0 with gamma loss(s) <= allowed, by bisection (loss is decreasing)."""
    lo = np.zeros_like(a)
    hi = upper.copy()
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        ok = _gamma_loss(mid, a, theta) <= allowed
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
        if np.all(hi - lo <= 1e-9 * np.maximum(1.0, hi)):
            break
    return hi


def ltd_reorder_point(
    ltd: LeadTimeDemandDistribution,
    *,
    service_level: Any,
    service_type: str = "cycle",
    order_quantity: Any = None,
) -> LtdService:
    """Reorder point (or order-up-to level) for a cycle service or a fill-rate target.

    Parameters
    ----------
    ltd : LeadTimeDemandDistribution
        Lead-time demand over L + R (:func:`lead_time_demand_distribution`).
    service_level : array_like
        Target per SKU (or one for all) [fraction in (0, 1)]: the cycle service level
        alpha or the fill rate beta, per ``service_type``.
    service_type : {"cycle", "fill_rate"}, default "cycle"
        ``"cycle"``: P(X <= s) >= alpha. ``"fill_rate"``: E[(X - s)+] <= (1 - beta) Q.
    order_quantity : array_like, optional
        Order quantity Q [units] (> 0); required for ``"fill_rate"``, and with it the
        achieved fill rate is reported for either type.

    Returns
    -------
    LtdService
        The level s and the cycle service, fill rate and shortage per cycle it
        achieves (:func:`ltd_service`).

    Raises
    ------
    ValueError
        If ``service_level`` is outside (0, 1), ``service_type`` is unknown, or
        ``order_quantity`` is missing or not > 0 for a fill rate.

    Notes
    -----
    - Discrete models: the smallest whole s >= 0 with F(s) >= alpha
      (:func:`pmf_quantile`), or with n(s) <= (1 - beta) Q (:func:`pmf_loss`; n is
      decreasing in s, so s is the number of levels whose loss exceeds the allowance).
    - "normal": :math:`s = \\mu + \\sigma\\,\\Phi^{-1}(\\alpha)`, or
      :math:`G(k) = (1 - \\beta) Q / \\sigma` solved by
      :func:`workbench.policy.normal_loss_inverse` (SPT [4]_ sec. 6.7), k >= 0 not
      imposed (a large Q can call for s below the mean).
    - "gamma": :math:`s = F^{-1}(\\alpha)` by ``scipy.stats.gamma.ppf``; for a fill
      rate, bisection on the closed-form loss
      :math:`E[(X - s)^+] = a\\theta(1 - F_{a+1}(s)) - s(1 - F_a(s))`, s >= 0.

    Examples
    --------
    Poisson lead-time demand with mean 2: F(4) = 0.9473 falls short of 95 %, so the
    95 % cycle-service reorder point is 5 (F(5) = 0.9834).

    >>> d = lead_time_demand_distribution("poisson", bucket_mean=[2.0], lead_time_buckets=1)
    >>> ltd_reorder_point(d, service_level=0.95).reorder_point.tolist()
    [5.0]
    """
    if service_type not in ("cycle", "fill_rate"):
        raise ValueError(f"service_type must be 'cycle' or 'fill_rate'; got {service_type!r}")
    n = ltd.mean.size
    target = _as_1d("service_level", service_level, n)
    require_probability("service_level", target)
    q = None
    if order_quantity is not None:
        q = _as_1d("order_quantity", order_quantity, n)
        require_positive("order_quantity", q, "units")
    if service_type == "fill_rate" and q is None:
        raise ValueError(
            "order_quantity is required for service_type='fill_rate' [units]; got None"
        )

    if ltd.pmf is not None:
        if service_type == "cycle":
            s = pmf_quantile(ltd.pmf, target)
        else:
            allowed = (1.0 - target) * q
            loss = _loss_matrix(np.asarray(ltd.pmf, dtype=float))
            s = (loss > allowed[:, None] * (1.0 + 1e-12)).sum(axis=1).astype(float)
            s = np.where(np.isnan(allowed) | np.isnan(ltd.pmf).any(axis=1), np.nan, s)
    else:
        mean, sd = ltd.mean, ltd.sd
        pos = sd > 0
        safe_sd = np.where(pos, sd, 1.0)
        if ltd.kind == "normal":
            if service_type == "cycle":
                k = special.ndtri(target)
            else:
                k = _normal_loss_inverse(np.where(pos, (1.0 - target) * q / safe_sd, 1.0))
            s = np.where(pos, mean + k * sd, mean)
        else:
            random = pos & (mean > 0)
            a, theta = _gamma_shape_scale(np.where(random, mean, 1.0), safe_sd)
            if service_type == "cycle":
                s = _gamma_ppf(target, a, theta)
            else:
                allowed = (1.0 - target) * q
                upper = _gamma_ppf(1.0 - 1e-12, a, theta) + 1.0
                s = _bisect_gamma_fill(a, theta, allowed, upper)
            s = np.where(random, s, mean)
    return ltd_service(ltd, s, order_quantity=q)


# --------------------------------------------------------------------------- choice
_FORCEABLE = ("normal", "gamma", "gamma_discrete", "poisson", "negbin", "empirical")


def choose_distribution(
    demand_class: Any,
    *,
    force: str | None = None,
    erratic: str = "empirical",
    smooth: str = "empirical",
) -> Any:
    """Lead-time demand model for each demand class (``distribution="auto"``).

    Parameters
    ----------
    demand_class : str or array_like of str
        Demand class per SKU (:func:`workbench.policy.demand_class`): "smooth",
        "erratic", "intermittent", "lumpy" or "none".
    force : str, optional
        One of "normal", "gamma", "gamma_discrete", "poisson", "negbin",
        "empirical": use it for every SKU instead of the automatic choice.
    erratic : {"empirical", "gamma", "negbin", "gamma_discrete"}, default "empirical"
        Model for erratic demand (see Notes); "gamma" is the two-moment choice,
        "negbin" (or "gamma_discrete") suits whole-unit demand of small means.
    smooth : {"empirical", "normal", "gamma", "negbin"}, default "empirical"
        Model for smooth demand; "normal" is the textbook's choice (see Notes).

    Returns
    -------
    str or numpy.ndarray of str or pandas.Series
        The model per SKU, same shape as ``demand_class``.

    Raises
    ------
    ValueError
        If ``force`` or ``erratic`` is not an allowed model, or a class is unknown.

    Notes
    -----
    ==============  =============  ================================================
    class           model          why
    ==============  =============  ================================================
    smooth          empirical      demand in almost every bucket with stable sizes.
                    (bootstrap)    The textbook takes the normal here (lead-time
                                   demand a sum of similar terms, SPT [4]_ ch. 6),
                                   but a day's demand is still skewed (zero days,
                                   occasional large orders) and a lead time of a
                                   few days sums too few of them: the normal's
                                   upper tail is too thin and its reorder points,
                                   reviewed daily, delivered 1.7-2.4 points less
                                   cycle service than planned (benchmarks/
                                   bench_promise.py, demand resampled from the
                                   history), the bootstrap 0.3 points or less.
                                   ``smooth="normal"`` gives the textbook's choice.
    erratic         empirical      frequent demand with variable sizes: right-skewed
                    (bootstrap)    lead-time demand with no negative values. The
                                   gamma fits mean and variance and keeps the skew
                                   (``erratic="gamma"``), but not the shape of the
                                   SKU's own sizes: simulated 8 x 9,305 days
                                   (``wb.plan_check``, seeds 1-3), 18-23 % of the
                                   sample business's erratic SKUs delivered a
                                   service outside 3 standard errors of the plan
                                   (fill rate 0.05 points short on average), none
                                   with the bootstrap; on a generated 10,000-SKU
                                   business (8 x 2,500 days) 1.6-2.9 % against
                                   0.1-0.5 %, for 1 % more stock.
    intermittent,   empirical      many zero buckets: lead-time demand has a mass at
    lumpy           (bootstrap)    0 and a long tail that no two-moment model fits;
                                   SBC [5]_ separate these classes because they need
                                   other methods; Snyder, Ord and Beaumont [6]_ find
                                   count distributions (negative binomial, Poisson)
                                   beat the normal for slow movers, and Teunter and
                                   Duncan [7]_ that service is met only when the
                                   lead-time demand distribution is built from the
                                   demand process (they recommend bootstrapping /
                                   sizing on the observed process), not from a
                                   normal. The bootstrap of the SKU's own history
                                   assumes no family at all.
    none            empirical      no or one demand: nothing to fit; the bootstrap
                                   plans for what was seen.
    ==============  =============  ================================================

    Examples
    --------
    >>> choose_distribution(["smooth", "erratic", "intermittent", "lumpy"]).tolist()
    ['empirical', 'empirical', 'empirical', 'empirical']
    >>> choose_distribution("erratic", erratic="gamma")
    'gamma'
    >>> choose_distribution("smooth", smooth="normal")
    'normal'
    >>> choose_distribution("lumpy", force="normal")
    'normal'
    """
    if force is not None and force not in _FORCEABLE:
        raise ValueError(f"force must be None or one of {_FORCEABLE}; got {force!r}")
    if erratic not in ("empirical", "gamma", "negbin", "gamma_discrete"):
        raise ValueError(
            f"erratic must be 'empirical', 'gamma', 'negbin' or 'gamma_discrete'; got {erratic!r}"
        )
    if smooth not in ("empirical", "normal", "gamma", "negbin"):
        raise ValueError(
            f"smooth must be 'empirical', 'normal', 'gamma' or 'negbin'; got {smooth!r}"
        )
    import pandas as pd

    series = demand_class if isinstance(demand_class, pd.Series) else None
    scalar = isinstance(demand_class, str)
    classes = np.asarray(demand_class.to_numpy() if series is not None else demand_class, dtype=str)
    known = np.isin(classes, ("smooth", "erratic", "intermittent", "lumpy", "none"))
    if not np.all(known):
        raise ValueError(
            "demand_class must be 'smooth', 'erratic', 'intermittent', 'lumpy' or 'none'; "
            f"got {np.unique(classes[~known])[:3].tolist()}"
        )
    if force is not None:
        out = np.full(classes.shape, force, dtype="<U14")
    else:
        out = np.where(
            classes == "smooth", smooth, np.where(classes == "erratic", erratic, "empirical")
        ).astype("<U14")
    if scalar:
        return str(out[()])
    if series is not None:
        return pd.Series(out, index=series.index, name="distribution")
    return out
