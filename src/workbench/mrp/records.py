"""The time-phased MRP record, computed for many items of one level at once.

The record of an item over periods ``t = 0 .. T-1`` (Orlicky's grid; Heizer & Render,
ch. 14; Krajewski, Ritzman & Malhotra, ch. 16; Jacobs & Chase, ch. 21):

- gross requirements ``GR_t`` [units/period]: independent demand plus the parents'
  planned order releases times quantity per (the explosion, :mod:`workbench.mrp.engine`);
- scheduled receipts ``SR_t`` [units/period]: open orders due in ``t``;
- projected on hand ``POH_t = POH_{t-1} + SR_t + PR_t - GR_t``, ``POH_{-1}`` the stock on
  hand [units];
- net requirements ``NR_t = max(0, GR_t + SS - POH_{t-1} - SR_t)``, SS the safety stock
  [units]: what must arrive in ``t`` so that the stock stays at or above SS;
- planned order receipts ``PR_t`` [units]: the lots (lot-for-lot: ``PR_t = NR_t``);
- planned order releases: ``PR_t`` moved ``L`` periods earlier, L the lead time
  [periods].

Every function takes items x periods arrays and works on all rows at once, with numpy
accumulations (no loop over items or periods).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["TimePhasedRecord", "net_requirements", "offset_releases", "time_phased_record"]


def _rows(x: np.ndarray | float, n: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(x, dtype=float), (n,))[:, None]


def net_requirements(
    gross: np.ndarray,
    scheduled_receipts: np.ndarray,
    on_hand: np.ndarray | float,
    safety_stock: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Lot-for-lot net requirements: what new orders must bring in, period by period.

    Parameters
    ----------
    gross : ndarray, shape (n_items, n_periods)
        Gross requirements GR [units/period], >= 0.
    scheduled_receipts : ndarray, shape (n_items, n_periods)
        Open orders due in each period SR [units/period], >= 0.
    on_hand : float or ndarray, shape (n_items,)
        Stock on hand before the first period [units].
    safety_stock : float or ndarray, shape (n_items,), default 0
        Stock to keep at the end of every period SS [units].

    Returns
    -------
    ndarray, shape (n_items, n_periods)
        ``NR_t`` [units/period] when every net requirement is received in its own period
        (lot-for-lot). Any lot-sizing rule whose cumulative receipts reach the cumulative
        ``NR`` by each period keeps the projected on hand at or above SS.

    Notes
    -----
    Without planned receipts the projected on hand is ``B_t = OH + sum_{k<=t}(SR_k -
    GR_k)``; lot-for-lot adds just enough that it never falls below SS, so the cumulative
    planned receipts are ``max(0, max_{k<=t}(SS - B_k))`` and ``NR`` is their increment.

    Examples
    --------
    Heizer & Render (2017), Example 14.4 style: 10 on hand, gross 35 in period 1 and 30
    in period 2:

    >>> net_requirements(np.array([[0., 35, 30]]), np.zeros((1, 3)), 10).tolist()
    [[0.0, 25.0, 30.0]]
    """
    gross = np.asarray(gross, dtype=float)
    n = gross.shape[0]
    base = _rows(on_hand, n) + np.cumsum(np.asarray(scheduled_receipts, float) - gross, axis=1)
    short = np.maximum(_rows(safety_stock, n) - base, 0.0)
    cum = np.maximum.accumulate(short, axis=1)
    return np.diff(cum, axis=1, prepend=0.0)


def offset_releases(
    receipts: np.ndarray, lead_time: np.ndarray | int
) -> tuple[np.ndarray, np.ndarray]:
    """Planned order releases: receipts moved ``lead_time`` periods earlier.

    Parameters
    ----------
    receipts : ndarray, shape (n_items, n_periods)
        Planned order receipts [units/period].
    lead_time : int or ndarray of int, shape (n_items,)
        Lead time L [periods], >= 0.

    Returns
    -------
    releases : ndarray, shape (n_items, n_periods)
        ``receipts[:, t + L]`` in column ``t``; a release that falls before period 0
        (past due) is put in period 0, where it must be released at once.
    past_due : ndarray, shape (n_items,)
        Quantity [units] whose release date is already past (included in column 0).

    Examples
    --------
    >>> r, late = offset_releases(np.array([[0., 5, 0, 7]]), 2)
    >>> r.tolist(), late.tolist()   # the 5 due in period 1 should have left in period -1
    ([[5.0, 7.0, 0.0, 0.0]], [5.0])
    """
    receipts = np.asarray(receipts, dtype=float)
    n, t = receipts.shape
    lead = np.broadcast_to(np.asarray(lead_time, dtype=np.int64), (n,))
    col = np.arange(t)[None, :] - lead[:, None]
    late = col < 0
    releases = np.zeros_like(receipts)
    rows = np.broadcast_to(np.arange(n)[:, None], (n, t))
    ok = ~late
    releases[rows[ok], col[ok]] = receipts[ok]  # one receipt per (row, column): no clash
    past_due = np.where(late, receipts, 0.0).sum(axis=1)
    releases[:, 0] += past_due if t else 0.0
    return releases, past_due


class TimePhasedRecord(NamedTuple):
    """The MRP record of many items; each array is (n_items, n_periods) [units/period]
    except ``past_due`` (n_items,) [units]."""

    gross_requirements: np.ndarray
    scheduled_receipts: np.ndarray
    projected_on_hand: np.ndarray
    net_requirements: np.ndarray
    planned_receipts: np.ndarray
    planned_releases: np.ndarray
    past_due: np.ndarray


def time_phased_record(
    gross: np.ndarray,
    scheduled_receipts: np.ndarray,
    on_hand: np.ndarray | float,
    planned_receipts: np.ndarray,
    lead_time: np.ndarray | int,
    safety_stock: np.ndarray | float = 0.0,
) -> TimePhasedRecord:
    """The full record given the planned receipts chosen by a lot-sizing rule.

    Parameters
    ----------
    gross, scheduled_receipts : ndarray, shape (n_items, n_periods)
        GR and SR [units/period].
    on_hand : float or ndarray, shape (n_items,)
        Stock on hand before the first period [units].
    planned_receipts : ndarray, shape (n_items, n_periods)
        PR [units/period], e.g. ``lot_size(net_requirements(...)).receipts``.
    lead_time : int or ndarray of int, shape (n_items,)
        L [periods].
    safety_stock : float or ndarray, shape (n_items,), default 0
        SS [units].

    Returns
    -------
    TimePhasedRecord
        Projected on hand ``POH_t`` (after the period's receipts and requirements), net
        requirements ``max(0, GR_t + SS - POH_{t-1} - SR_t)`` given the lots actually
        planned, and releases offset by the lead time.

    Examples
    --------
    >>> g = np.array([[0., 35, 30]])
    >>> nr = net_requirements(g, np.zeros((1, 3)), 10)
    >>> rec = time_phased_record(g, np.zeros((1, 3)), 10, nr, 1)
    >>> rec.projected_on_hand.tolist(), rec.planned_releases.tolist()
    ([[10.0, 0.0, 0.0]], [[25.0, 30.0, 0.0]])
    """
    gross = np.asarray(gross, dtype=float)
    sr = np.asarray(scheduled_receipts, dtype=float)
    pr = np.asarray(planned_receipts, dtype=float)
    n = gross.shape[0]
    poh = _rows(on_hand, n) + np.cumsum(sr + pr - gross, axis=1)
    net = np.maximum(_rows(safety_stock, n) - (poh - pr), 0.0)
    releases, past_due = offset_releases(pr, lead_time)
    return TimePhasedRecord(gross, sr, poh, net, pr, releases, past_due)
