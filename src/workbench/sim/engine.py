"""The day engine of :func:`workbench.sim.simulate`: its state arrays, the numba kernel's
step, the numpy engine's chunk functions, progress, stop, traces and the summary."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from . import _streams

# --------------------------------------------------------------------------- engine


def _progress_sink(progress: Any, total: int) -> tuple[Callable[[int], None], Callable[[], None]]:
    """Return (update(days_done), close()) for the ``progress`` argument."""
    if progress is None:
        progress = sys.stderr is not None and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
    if callable(progress):
        return (lambda done: progress(done / total if total else 1.0)), (lambda: None)
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit="day", desc="simulate", leave=False)
        last = [0]

        def update(done: int) -> None:
            bar.update(done - last[0])
            last[0] = done

        return update, bar.close
    return (lambda done: None), (lambda: None)


def _stop_check(stop: Any) -> Callable[[], bool]:
    if stop is None:
        return lambda: False
    if isinstance(stop, threading.Event) or hasattr(stop, "is_set"):
        return stop.is_set
    if callable(stop):
        return lambda: bool(stop())
    raise ValueError(
        f"stop must be None, a callable returning bool or a threading.Event; got {stop!r}"
    )


class _State:
    """Arrays of a run, preallocated once and reused chunk after chunk.

    ``ILbuf[0]`` holds the inventory level IL (on hand - backorders) at the end of
    the previous chunk; ``ILbuf[j + 1]`` the level at the end of day j of the chunk.
    ``IP`` is the inventory position (backorder path: at the start of the chunk,
    before its demand; lost-sales path: kept current day by day).
    """

    def __init__(
        self, *, n, C, H, dt, start, trigger, s, Q, S, up_to, moq, pack, R, offset, lead,
        order_crossing, tcols, warmup, chunk_arrays=True,
    ):  # fmt: skip
        self.n, self.C, self.H, self.dt = n, C, H, dt
        self.IP = start.astype(dt)
        self.trace = tcols.size > 0
        # the numba engine needs the chunk arrays only for a trace
        rows = C if (chunk_arrays or self.trace) else 1
        self.ILbuf = np.empty((rows + 1, n), dtype=dt)
        self.ILbuf[0] = start
        self.rec = np.empty((rows, n), dtype=dt)  # receipts per day
        self.ordc = np.zeros((rows, n) if self.trace else (1, 1), dtype=dt)  # ordered, traced
        self.fil = np.empty((rows, n), dtype=dt)  # units served from stock (lost-sales path)
        rows = C if chunk_arrays else 1
        self.cum = np.zeros((rows + 1, n), dtype=dt)  # demand of the chunk before day j
        self.work = np.empty((rows, n), dtype=dt)
        self.rec_m = np.zeros((rows, n), dtype=bool)
        self.closed_short = np.zeros((rows, n), dtype=bool)
        self.short_m = np.zeros((rows, n), dtype=bool)
        # ring of future receipts, (H, n) as ``pipe2``: stored slot-major (slot * n + sku)
        # for the numpy engine, SKU-major (sku * H + slot) for the numba engine
        self.pipe = np.zeros(H * n, dtype=dt)
        self.pipe2 = self.pipe.reshape(H, n) if chunk_arrays else self.pipe.reshape(n, H).T
        self.mask = np.empty(n, dtype=bool)
        self.day_short = np.empty(n, dtype=bool)
        self.cycle_short = np.zeros(n, dtype=bool)  # lost-sales path: open cycle had a stockout
        self.prev_short = np.zeros(n, dtype=bool)
        self.last_arrival = np.zeros(n, dtype=np.int64)
        self.trigger = trigger.astype(dt)
        self.s, self.Q, self.S = s.astype(dt), Q.astype(dt), S.astype(dt)
        self.Q_safe = np.where(Q > 0, Q, 1).astype(dt)
        self.up_to = up_to
        self.all_up_to, self.no_up_to = bool(up_to.all()), bool(not up_to.any())
        self.moq = None if moq is None else moq.astype(dt)
        self.pack = None if pack is None else pack.astype(dt)
        self.R, self.offset = R, offset
        self.periodic = bool(np.any(R > 1) or np.any(offset > 0))
        self.lead = lead
        self.order_crossing = order_crossing
        self.tcols = tcols
        self.warmup = warmup
        self.on_order_at_warmup = np.zeros(n)
        keys = ("demand", "short", "ohe", "bo", "ordered", "orders", "cycles")
        keys += ("stockout_cycles", "stockout_days", "stockout_events")
        self.acc_matrix = np.zeros((len(keys), n))  # the numba engine's view of ``acc``
        self.acc = dict(zip(keys, self.acc_matrix, strict=True))
        # the warm-up's statistics, thrown away
        self.scratch = {k: np.zeros(n) for k in keys} if warmup else self.acc

    def review_rows(self, t0: int, cd: int) -> np.ndarray | None:
        if not self.periodic:
            return None
        tt = t0 + np.arange(cd)[:, None]
        return ((tt - self.offset) % self.R == 0) & (tt >= self.offset)

    def quantity(self, idx: np.ndarray, ip: np.ndarray) -> np.ndarray:
        """Order quantities for SKUs ``idx`` at positions ``ip`` (0 = nothing to order)."""
        if self.all_up_to:
            q = self.S[idx] - ip
        elif self.no_up_to:
            qq = self.Q[idx]
            q = (np.floor((self.s[idx] - ip) / qq) + 1) * qq
        else:
            q = np.where(
                self.up_to[idx],
                self.S[idx] - ip,
                (np.floor((self.s[idx] - ip) / self.Q_safe[idx]) + 1) * self.Q[idx],
            )
        if not self.no_up_to:  # order-up-to at IP == S asks for nothing
            np.maximum(q, 0, out=q)
        if self.moq is not None:
            q = np.where(q > 0, np.maximum(q, self.moq[idx]), q)
        if self.pack is not None:
            pk = self.pack[idx]
            q = np.ceil(q / pk) * pk
        return q

    def place(self, day: int, idx: np.ndarray, q: np.ndarray, j: int) -> None:
        """Send the orders of ``day`` (row ``j`` of the chunk) into the ring of receipts.

        ``idx`` is sorted and unique (a SKU orders at most once a day). Lead times
        are drawn in (day, SKU) order, so the draws do not depend on the chunking.
        """
        arrive = self.lead.draw(idx)
        arrive += day
        if not self.order_crossing:  # wait for the SKU's previous order
            np.maximum(arrive, self.last_arrival[idx], out=arrive)
            self.last_arrival[idx] = arrive
        arrive %= self.H
        arrive *= self.n
        arrive += idx
        self.pipe[arrive] += q
        if day >= self.warmup:  # chunks never straddle the end of the warm-up
            self.acc["orders"][idx] += 1
            self.acc["ordered"][idx] += q
        if self.trace:
            self.ordc[j, idx] = q

    def receipts(self, t0: int, cd: int) -> np.ndarray:
        """Move the receipts of days t0 .. t0+cd-1 out of the ring into ``rec``."""
        rec = self.rec[:cd]
        first = t0 % self.H
        if first + cd <= self.H:
            np.copyto(rec, self.pipe2[first : first + cd])
            self.pipe2[first : first + cd] = 0
        else:
            rows = (t0 + np.arange(cd)) % self.H
            rec[...] = self.pipe2[rows]
            self.pipe2[rows] = 0
        return rec

    def roll(self, cd: int) -> None:
        self.ILbuf[0] = self.ILbuf[cd]


_KERNEL_LOCK = threading.Lock()


class _KernelStep:
    """The numba engine: ``step(D, t0, cd, count=...)`` runs one chunk in place.

    The level IL is kept in ``self.IL``; with a trace the chunk's starting level is
    copied to ``ILbuf[0]`` and the kernel writes its daily levels into ``ILbuf[1:]``
    (as the numpy engine leaves them).
    """

    def __init__(self, st: _State, backorder: bool, draws: _streams.DemandDraws | None = None):
        from . import _kernel

        if tuple(st.acc) != _kernel.ACC_KEYS:  # pragma: no cover - both lists are fixed
            raise RuntimeError("accumulator rows differ between the engines")
        self.kernel = _kernel.run_chunk
        self.st, self.backorder = st, backorder
        lead, n, dt = st.lead, st.n, st.dt
        kind = {"gamma": _kernel.GAMMA, "normal": _kernel.NORMAL, "history": _kernel.HISTORY}
        self.lead_args = (
            kind[lead.model] if lead.any_random else _kernel.FIXED,
            lead.fixed,
            lead.random.astype(bool),
            lead.wh,
            lead.wh_a,
            lead.wh_b,
            lead.shape,
            lead.scale,
            lead.mean,
            lead.sd,
            lead.offsets.astype(np.int64),
            lead.counts.astype(np.int64),
            lead.values.astype(float),
            np.int64(lead.max_lead),
        )
        if draws is None:  # replay: the kernel reads the chunk's matrix
            zero = np.zeros(n)
            self.demand_args = (_kernel.REPLAY, np.zeros(n, dtype=np.uint64), zero, zero,
                                zero, np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64),
                                zero, np.zeros(1), np.zeros(1, dtype=np.int64), np.int64(1),
                                False)  # fmt: skip
        else:  # the kernel draws, and writes the draws into D only for a trace
            self.demand_args = (draws.kind, draws.keys, draws.p1, draws.p2, draws.p3,
                                draws.offsets, draws.counts, draws.lows, draws.values,
                                draws.guide, np.int64(draws.step), st.trace)  # fmt: skip
        big = draws is not None and st.trace
        self._dbuf = np.zeros((st.C, n) if big else (1, 1), dtype=dt)
        self.capped = np.zeros(n, dtype=np.int64)
        self.IL = st.ILbuf[0].copy()  # the level, kept here (ILbuf holds the trace)
        self.policy_args = (
            st.trigger,
            st.s,
            st.Q_safe,
            st.S,
            st.up_to.astype(bool),
            st.moq if st.moq is not None else np.zeros(n, dtype=dt),
            st.moq is not None,
            st.pack if st.pack is not None else np.ones(n, dtype=dt),
            st.pack is not None,
            st.R.astype(np.int64),
            st.offset.astype(np.int64),
            st.periodic,
        )
        if not st.trace:  # the kernel writes no trace: one-row stand-ins
            self.trace_args = (False, st.ILbuf[:2], st.rec[:1], st.ordc[:1], st.fil[:1])
        else:
            self.trace_args = (True, st.ILbuf, st.rec, st.ordc, st.fil)

    def demand_buffer(self, cd: int) -> np.ndarray:
        """Where the kernel writes the drawn demand of a chunk (for a trace; else 1 x 1)."""
        return self._dbuf[:cd] if self.st.trace else self._dbuf

    def __call__(self, D: np.ndarray, t0: int, cd: int, *, count: bool) -> None:
        st = self.st
        if D.dtype != st.dt or not D.flags.c_contiguous:
            D = np.ascontiguousarray(D, dtype=st.dt)
        if st.trace:  # the trace reads the chunk's levels from ILbuf[0 .. cd]
            st.ILbuf[0] = self.IL
        before = int(self.capped.sum())
        # numba's default (workqueue) threading layer must not be entered by two threads
        # at once; chunks are short, so concurrent runs just take turns
        with _KERNEL_LOCK:
            self._run(D, t0, cd, count)
        st.lead.capped += int(self.capped.sum()) - before

    def _run(self, D: np.ndarray, t0: int, cd: int, count: bool) -> None:
        st = self.st
        self.kernel(
            D, self._dbuf, *self.demand_args, t0, cd, self.backorder, count, st.warmup,
            self.IL, st.IP, st.pipe, st.H, *self.policy_args,
            *self.lead_args, st.lead.keys, st.lead.orders, self.capped,
            st.order_crossing, st.last_arrival,
            st.acc_matrix, st.prev_short, st.cycle_short,
            *self.trace_args,
        )  # fmt: skip


def _chunk_backorder(st: _State, D: np.ndarray, t0: int, cd: int) -> None:
    """Backorder path: demand does not depend on stock, so the day loop only orders.

    With cumulative demand ``cum[j]`` (the chunk's demand before day j), the
    position at day j's review is ``IP0 - cum[j]``, IP0 counting the orders
    already placed: the trigger ``IP <= s`` reads ``cum[j] >= IP0 - s``, one
    comparison per day. Levels, receipts and statistics follow per chunk.
    (Finding every SKU's order days by 2-D comparisons over the chunk, in rounds,
    gives the same orders but was measured 30 % slower.)
    """
    cum = st.cum
    if st.trace:
        st.ordc[:cd] = 0
    cum[0] = 0
    for j in range(cd):
        np.add(cum[j], D[j], out=cum[j + 1])
    gap = st.IP - st.trigger  # order when cum[j] >= gap  (IP <= trigger)
    review = st.review_rows(t0, cd)
    mask = st.mask
    for j in range(cd):
        cj = cum[j]
        np.greater_equal(cj, gap, out=mask)
        if review is not None:
            mask &= review[j]
        idx = np.flatnonzero(mask)
        if idx.size:
            q = st.quantity(idx, st.IP[idx] - cj[idx])
            if not st.no_up_to:
                real = q > 0
                if not real.all():
                    idx, q = idx[real], q[real]
            st.place(t0 + j, idx, q, j)
            st.IP[idx] += q
            gap[idx] += q
    st.IP -= cum[cd]
    _levels_backorder(st, D, t0, cd)


def _levels_backorder(st: _State, D: np.ndarray, t0: int, cd: int) -> None:
    rec = st.receipts(t0, cd)
    ILb = st.ILbuf
    # IL at the end of day j = IL at the end of day j-1 + receipts - demand
    np.subtract(rec, D, out=st.work[:cd])
    for j in range(cd):
        np.add(ILb[j], st.work[j], out=ILb[j + 1])
    np.greater(rec, 0, out=st.rec_m[:cd])
    # a cycle (receipt to receipt) had a stockout iff the level just before the closing
    # receipt was negative: between receipts the level only falls
    np.less(ILb[:cd], 0, out=st.closed_short[:cd])
    st.closed_short[:cd] &= st.rec_m[:cd]


def _chunk_lost(st: _State, D: np.ndarray, t0: int, cd: int) -> None:
    """Lost-sales path: what is served depends on stock, so each day updates the level."""
    ILb, fil = st.ILbuf, st.fil
    if st.trace:
        st.ordc[:cd] = 0
    review = st.review_rows(t0, cd)
    mask, day_short, cycle_short = st.mask, st.day_short, st.cycle_short
    IP, trigger, H = st.IP, st.trigger, st.H
    rec = st.rec
    for j in range(cd):
        t = t0 + j
        # review first: it reads only the position, which receipts do not change, and an
        # order of lead time 0 then lands in today's slot before it is read (docs/timing.md)
        np.less_equal(IP, trigger, out=mask)
        if review is not None:
            mask &= review[j]
        idx = np.flatnonzero(mask)
        if idx.size:
            q = st.quantity(idx, IP[idx])
            real = q > 0
            if not real.all():
                idx, q = idx[real], q[real]
            st.place(t, idx, q, j)
            IP[idx] += q
        slot = st.pipe2[t % H]
        cur = ILb[j + 1]
        np.add(ILb[j], slot, out=cur)
        rj = st.rec_m[j]
        np.greater(slot, 0, out=rj)
        np.logical_and(rj, cycle_short, out=st.closed_short[j])
        np.greater(cycle_short, rj, out=cycle_short)  # a receipt opens a new cycle
        np.copyto(rec[j], slot)
        slot.fill(0)
        f = fil[j]
        np.minimum(D[j], cur, out=f)
        cur -= f
        IP -= f
        np.greater(D[j], f, out=day_short)
        cycle_short |= day_short


def _colsum(x: np.ndarray) -> np.ndarray:
    """Column sums of a (days, SKUs) float chunk (BLAS gemv; few rows, so the
    accumulation in the chunk's dtype is exact enough; totals are kept in float64)."""
    return np.ones(x.shape[0], dtype=x.dtype) @ x


def _colcount(mask: np.ndarray) -> np.ndarray:
    """Column counts of a boolean (days, SKUs) chunk (at most 255 rows)."""
    return mask.view(np.uint8).sum(axis=0, dtype=np.uint8)


def _chunk_stats(
    st: _State, D: np.ndarray, cd: int, backorder: bool, acc: dict[str, np.ndarray]
) -> None:
    """Reduce one chunk of days into the per-SKU accumulators ``acc`` (in place).

    Backorders: with OH = max(IL, 0) and B = OH - IL at the end of a day, the units
    short that day are min(D, B) (only the day's own demand can be new backorders),
    and on hand after receipts is OH + D - short; so a few passes give everything.
    """
    ILe = st.ILbuf[1 : cd + 1]
    work, short_m = st.work[:cd], st.short_m[:cd]
    np.maximum(ILe, 0, out=work)  # on hand at the end of the day
    acc["ohe"] += _colsum(work)
    if backorder:
        acc["demand"] += st.cum[cd]
        np.subtract(work, ILe, out=work)  # backorders at the end of the day
        acc["bo"] += _colsum(work)
        np.minimum(D, work, out=work)  # units short
        acc["short"] += _colsum(work)
        np.greater(work, 0, out=short_m)
    else:
        fil = st.fil[:cd]
        acc["demand"] += _colsum(D)
        np.subtract(D, fil, out=work)
        acc["short"] += _colsum(work)
        np.greater(work, 0, out=short_m)
    acc["stockout_days"] += _colcount(short_m)
    acc["stockout_events"] += _colcount(short_m[:1] > st.prev_short)
    if cd > 1:
        acc["stockout_events"] += _colcount(short_m[1:] > short_m[:-1])
    st.prev_short[:] = short_m[-1]
    acc["cycles"] += _colcount(st.rec_m[:cd])
    acc["stockout_cycles"] += _colcount(st.closed_short[:cd])


def _chunk_trace(
    st: _State, D: np.ndarray, cd: int, backorder: bool, t0: int
) -> dict[str, np.ndarray]:
    cols = st.tcols
    ILb = st.ILbuf[: cd + 1, cols].astype(float)
    ILp, ILe = ILb[:-1], ILb[1:]
    r = st.rec[:cd, cols].astype(float)
    o = st.ordc[:cd, cols].astype(float)
    d = D[:, cols].astype(float)
    available = np.maximum(ILp, 0) + r
    if backorder:
        wanted = np.maximum(-ILp, 0) + d
        shipped = np.minimum(available, wanted)
        filled = np.minimum(d, np.maximum(ILp + r, 0))
    else:
        filled = st.fil[:cd, cols].astype(float)
        shipped = filled
    # on order at the end of each day: the position minus the level
    on_order = _on_order_trace(st, cols, o, r, ILe, d, backorder, filled)
    return {
        "day": np.repeat(t0 + np.arange(cd), len(cols)),
        "col": np.tile(cols, cd),
        "demand": d.ravel(),
        "receipts": r.ravel(),
        "orders": o.ravel(),
        "shipped": shipped.ravel(),
        "filled": filled.ravel(),
        "on_hand": np.maximum(ILe, 0).ravel(),
        "backorders": np.maximum(-ILe, 0).ravel(),
        "on_order": on_order.ravel(),
    }


def _on_order_trace(st, cols, o, r, ILe, d, backorder, filled) -> np.ndarray:
    """Units on order at the end of each day of the chunk for the traced SKUs."""
    # what is still in the ring at the end of the chunk, then back day by day
    on_order_end = st.pipe2[:, cols].sum(axis=0, dtype=float)
    flow = np.cumsum((o - r)[::-1], axis=0)[::-1]
    return on_order_end - np.vstack([flow[1:], np.zeros((1, len(cols)))])


def _trace_frame(
    traces: list[dict[str, np.ndarray]],
    skus: pd.Index,
    cols: np.ndarray,
    dates: pd.DatetimeIndex | None,
) -> pd.DataFrame | None:
    if cols.size == 0:
        return None
    keys = (
        "day",
        "col",
        "demand",
        "receipts",
        "orders",
        "shipped",
        "filled",
        "on_hand",
        "backorders",
        "on_order",
    )
    if traces:
        data = {k: np.concatenate([tr[k] for tr in traces]) for k in keys}
    else:
        data = {k: np.zeros(0) for k in keys}
    frame = pd.DataFrame(
        {"sku": skus.to_numpy()[data["col"].astype(np.int64)], "day": data["day"].astype(np.int64)}
    )
    if dates is not None and len(dates):
        frame["date"] = dates[frame["day"].to_numpy() % len(dates)]
    for k in keys[2:]:
        frame[k] = data[k]
    frame["sku"] = frame["sku"].astype("string")
    return frame.sort_values(["sku", "day"], kind="stable").reset_index(drop=True)


def _summary(
    acc: Mapping[str, np.ndarray],
    skus: pd.Index,
    days: int,
    *,
    c: np.ndarray,
    i_rate: np.ndarray,
    K: np.ndarray,
    p: np.ndarray,
    start: np.ndarray,
    IL_end: np.ndarray,
    on_order_start: np.ndarray,
    on_order_end: np.ndarray,
    backorder: bool,
    days_per_year: float,
) -> pd.DataFrame:
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = max(days, 1)
        demand, short = acc["demand"], acc["short"]
        filled = demand - short
        # on hand after receipts = on hand at the end + what the day's demand took
        avg_oh = (2 * acc["ohe"] + filled) / (2 * denom)
        end_oh = np.maximum(IL_end, 0)
        avg_bo = acc["bo"] / denom
        ordering = acc["orders"] * K
        holding = avg_oh * c * i_rate * days / days_per_year
        shortage = short * p
        cols = {
            "demand": demand,
            "filled": filled,
            "short": short,
            "fill_rate": np.where(demand > 0, filled / demand, np.nan),
            "cycles": acc["cycles"].astype(np.int64),
            "stockout_cycles": acc["stockout_cycles"].astype(np.int64),
            "cycle_service_level": np.where(
                acc["cycles"] > 0, 1 - acc["stockout_cycles"] / acc["cycles"], np.nan
            ),
            "stockout_days": acc["stockout_days"].astype(np.int64),
            "stockout_events": acc["stockout_events"].astype(np.int64),
            "avg_on_hand": avg_oh,
            "avg_on_hand_value": avg_oh * c,
            "avg_backorders": avg_bo,
            "orders": acc["orders"].astype(np.int64),
            "units_ordered": acc["ordered"],
            "units_received": acc["ordered"] + on_order_start - on_order_end,
            "lost_units": np.zeros_like(short) if backorder else short,
            "ordering_cost": ordering,
            "holding_cost": holding,
            "shortage_cost": shortage,
            "start_on_hand": start.astype(float),
            "end_on_hand": end_oh,
            "end_backorders": np.maximum(-IL_end, 0),
            "end_on_order": on_order_end,
            "total_cost": ordering + holding + shortage,
        }
    # one frame, its columns in their final types (no column set afterwards: each
    # setitem re-blocks the frame)
    out = pd.DataFrame(cols, index=skus, copy=False)
    return out
