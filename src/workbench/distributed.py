"""The plan, demand statistics and forecasts of a catalog larger than memory, on Dask.

The calculators are per SKU and vectorised, so a demand table partitioned by SKU (every
SKU's whole history in one partition) is planned partition by partition with the very
functions the in-memory path calls (:func:`workbench.demand_stats`,
:func:`workbench.plan_from_stats`, :func:`workbench.forecast`); no formula is written
twice. Two things are catalog-wide and are computed once, from small per-SKU tables:
the demand period and bucket (from the distinct dates), and the ABC classes (a SKU's
class ranks it against the whole catalog, :func:`workbench.catalog_abc`).

Install with ``pip install "inventory-workbench[dask]"``; ``import workbench`` never
imports Dask. Scripts that start a :class:`distributed.LocalCluster` need the
``if __name__ == "__main__":`` guard (its worker processes re-import the script).

Examples
--------
A folder ``shop/`` with ``items.csv`` (or .parquet, .xlsx) and ``demand/`` (Parquet
files with columns ``date``, ``sku``, ``quantity``, in any order and split any way)::

    import workbench as wb
    from workbench import distributed as wd

    if __name__ == "__main__":
        with wd.local_cluster(n_workers=2, memory_limit="4GB") as client:
            wd.plan("shop/", wb.Scenario(), out="plan/", client=client)

``client=distributed.Client("tcp://scheduler:8786")`` runs the same on an existing
cluster; then ``shop/`` must be a path every worker can read (a shared disk, or an
``s3://`` URL with ``s3fs`` installed).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import weakref
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from .cli import DASK_ENV
from .data import Dataset
from .data.errors import DataError, Problem
from .data.frequency import detect_frequency, normalize_frequency
from .data.schema import MAX_QUANTITY
from .partition import part_dataset, part_plan, part_stats
from .scenario import Scenario, catalog_abc

__all__ = [
    "DASK_ENV",
    "Catalog",
    "catalog_from_dataset",
    "dashboard_client",
    "demand_stats_parts",
    "forecast",
    "local_cluster",
    "plan",
    "plan_check",
    "read_catalog",
    "replenishment",
    "simulate",
    "suggested_partitions",
    "write_synthetic_catalog",
]

#: Demand rows per partition aimed at by :func:`suggested_partitions`: about 120 MB of
#: (date, sku, quantity) in pandas, several times that while a part is planned.
ROWS_PER_PARTITION = 5_000_000

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Catalog:
    """A catalog whose demand is a Dask DataFrame partitioned by SKU.

    Attributes
    ----------
    items : pandas.DataFrame
        The validated items table (one row per SKU; it fits in memory).
    demand : dask.dataframe.DataFrame
        Columns ``date``, ``sku``, ``quantity``; every SKU's rows in one partition.
    period : tuple of pandas.Timestamp
        First and last demand date of the whole catalog.
    frequency : {"D", "W", "M"}
        The demand bucket of the whole catalog.
    source : str
        Where it was read from.
    staging : pathlib.Path
        The folder holding the demand shuffled by SKU (``part.NNNNN.parquet``, one per
        partition), removed with the catalog when :func:`read_catalog` made it.
    """

    items: pd.DataFrame
    demand: Any
    period: tuple[pd.Timestamp, pd.Timestamp]
    frequency: str
    source: str = ""
    staging: Path | None = None

    @property
    def info(self) -> _Info:
        """The catalog-wide period and bucket, what each partition's function needs."""
        return _Info(self.period, self.frequency)

    @property
    def npartitions(self) -> int:
        """Number of demand partitions."""
        return int(self.demand.npartitions)


@dataclass(frozen=True)
class _Info:
    """The catalog-wide facts a partition needs (small: shipped with every task)."""

    period: tuple[pd.Timestamp, pd.Timestamp]
    frequency: str
    #: The catalog's first day with positive demand, for ``demand_source="forecast"``.
    start: pd.Timestamp | None = None


# --------------------------------------------------------------------------- reading


def suggested_partitions(n_rows: int, *, rows_per_partition: int = ROWS_PER_PARTITION) -> int:
    """Partitions for ``n_rows`` demand rows: about :data:`ROWS_PER_PARTITION` each.

    >>> suggested_partitions(146_000_000), suggested_partitions(10)
    (30, 1)
    """
    return max(1, -(-int(n_rows) // int(rows_per_partition)))


def _read_items(folder: Path) -> pd.DataFrame:
    """The folder's items table (Parquet, CSV or Excel), validated as the loader does."""
    for ext in (".parquet", ".csv", ".xlsx"):
        path = folder / f"items{ext}"
        if path.exists():
            if ext == ".parquet":
                frame = pd.read_parquet(path)
            elif ext == ".csv":
                frame = pd.read_csv(
                    path, dtype=str, keep_default_na=False, sep=None, engine="python"
                )
            else:
                frame = pd.read_excel(path, sheet_name=0, dtype=object)
            return _validated_items(frame, path.name)
    raise FileNotFoundError(
        f"no items table in {folder}: expected items.parquet, items.csv or items.xlsx"
    )


def _validated_items(items: pd.DataFrame, name: str = "items") -> pd.DataFrame:
    """Validate an items table with the loader's rules (one placeholder demand row, since
    the loader needs a demand table; it is dropped again)."""
    sku = items["sku"].iloc[0] if "sku" in items.columns and len(items) else "?"
    placeholder = pd.DataFrame(
        {"date": [pd.Timestamp("2000-01-01")], "sku": [sku], "quantity": [0]}
    )
    try:
        ds = Dataset.from_tables({"items": items, "demand": placeholder}, source=name)
    except DataError as err:
        problems = [p._replace(file=name) if p.file == "table 'items'" else p for p in err.problems]
        raise DataError(problems) from None
    return ds.items


def read_catalog(
    source: str | os.PathLike | Any,
    items: pd.DataFrame | None = None,
    *,
    frequency: str | None = None,
    npartitions: int | None = None,
    staging: str | os.PathLike | None = None,
    progress: Progress | None = None,
) -> Catalog:
    """Read a catalog's items and its (larger than memory) demand, partitioned by SKU.

    Parameters
    ----------
    source : path or dask.dataframe.DataFrame
        A folder holding ``items.parquet`` (or ``.csv``, ``.xlsx``) and ``demand/``, a
        folder of Parquet files with columns ``date``, ``sku``, ``quantity`` (any
        number of files, a SKU's rows may be spread over several); or a Dask DataFrame
        of demand with those columns (then ``items`` is required).
    items : pandas.DataFrame, optional
        The items table, instead of the folder's; validated as the loader does.
    frequency : {"D", "W", "M"}, optional
        The demand bucket; default detected from the distinct dates, as the loader does.
    npartitions : int, optional
        Partitions after the shuffle by SKU; default :func:`suggested_partitions`.
    staging : path, optional
        Where to write the demand shuffled by SKU (one Parquet file per partition),
        read by every later pass; default a temporary folder removed with the catalog.
        On a cluster of several machines it must be a path all workers share.
    progress : callable, optional
        ``progress(done, total)`` as partitions are written.

    Returns
    -------
    Catalog

    Notes
    -----
    One pass over the input: each file is checked as it is read, the rows are shuffled
    by SKU (Dask's disk-backed shuffle on a distributed cluster) and written to
    ``staging``; the distinct dates (for the bucket) come back from the writes.

    Raises
    ------
    DataError
        Naming the file, row (the record number within its file when the file is one
        partition), column and value of every demand row with a missing or unreadable
        date, a negative, missing or too large quantity, or a SKU not in items.
    FileNotFoundError
        If the folder has no items table or no demand.
    """
    if isinstance(source, dd.DataFrame):
        if items is None:
            raise ValueError("items is required when source is a Dask DataFrame")
        demand, where, rows = source, "the demand DataFrame", None
        items = _validated_items(items)
    else:
        folder = Path(os.fspath(source))
        items = _read_items(folder) if items is None else _validated_items(items)
        files = _demand_files(folder)
        where = str(files[0].parent)
        demand = dd.from_map(_read_demand_file, files)
        rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    missing = [c for c in ("date", "sku", "quantity") if c not in demand.columns]
    if missing:
        raise DataError(
            [Problem(where, None, None, c, None, "a column named " + c) for c in missing]
        )
    if "file" not in demand.columns:
        demand = demand.assign(file=where)
    n = npartitions or suggested_partitions(rows if rows is not None else len(demand))
    meta = pd.DataFrame(
        {"date": pd.Series([], dtype="datetime64[us]"), "sku": pd.Series([], dtype=object),
         "quantity": pd.Series([], dtype=float)}
    )  # fmt: skip
    checked = demand.map_partitions(_checked_part, _shared(pd.Index(items["sku"])), meta=meta)
    shuffled = checked.shuffle(on="sku", npartitions=n)
    folder = Path(staging) if staging is not None else Path(tempfile.mkdtemp(prefix="wb-demand-"))
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("part.*.parquet"):
        old.unlink()
    paths = [folder / f"part.{i:05d}.parquet" for i in range(n)]
    writes = [
        dask.delayed(_write_part)(part, path)
        for part, path in zip(shuffled.optimize().to_delayed(), paths, strict=True)
    ]
    summary = pd.concat(_run(writes, progress))
    dates = pd.DatetimeIndex(summary["date"].dropna().unique()).sort_values()
    if len(dates) == 0:
        raise DataError([Problem(where, None, None, "date", None, "at least one demand row")])
    freq = normalize_frequency(frequency) if frequency else detect_frequency(dates)[0]
    staged = dd.from_map(pd.read_parquet, paths)  # one file, one partition: SKUs stay whole
    cat = Catalog(items, staged, (dates[0], dates[-1]), freq, str(source), folder)
    if staging is None:
        weakref.finalize(cat, shutil.rmtree, folder, True)
    return cat


def _demand_files(folder: Path) -> list[Path]:
    """The catalog's demand files: ``demand/*.parquet`` or ``demand.parquet``."""
    parts = folder / "demand"
    if parts.is_dir():
        files = sorted(parts.glob("*.parquet"))
        if not files:
            raise FileNotFoundError(f"no Parquet files in {parts}")
        return files
    if (folder / "demand.parquet").exists():
        return [folder / "demand.parquet"]
    raise FileNotFoundError(f"no demand in {folder}: expected demand/ or demand.parquet")


def _write_part(part: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Write one partition of the demand shuffled by SKU; its distinct dates and rows."""
    part.to_parquet(path, index=False)
    dates = pd.Series(part["date"].unique(), dtype="datetime64[us]")
    return pd.DataFrame({"date": dates, "rows": np.where(np.arange(len(dates)) == 0, len(part), 0)})


def _read_demand_file(path: Path) -> pd.DataFrame:
    """One demand file, with its name for messages (one partition per file)."""
    frame = pd.read_parquet(path)
    return frame.assign(file=pd.Categorical([path.name] * len(frame)))


def _checked_part(part: pd.DataFrame, skus: pd.Index) -> pd.DataFrame:
    """One input part as date, sku, quantity (float); DataError naming each bad row."""
    dates = pd.to_datetime(part["date"], errors="coerce")
    qty = pd.to_numeric(part["quantity"], errors="coerce")
    files = part["file"].astype(str).to_numpy() if len(part) else np.array([], dtype=str)
    problems = []
    checks = (
        ("date", dates.isna().to_numpy(), part["date"], "a date"),
        (
            "quantity",
            (qty.isna() | (qty < 0) | (qty > MAX_QUANTITY)).to_numpy(),
            part["quantity"],
            f"a number ≥ 0 and ≤ {MAX_QUANTITY:,.0f}",
        ),
        ("sku", ~part["sku"].isin(skus).to_numpy(), part["sku"], "a SKU of the items table"),
    )
    one_file = len(set(files)) == 1 and str(files[0]).endswith(".parquet")
    for column, bad, values, expected in checks:
        for i in np.flatnonzero(bad)[:25]:
            row = int(i) + 1 if one_file else None
            value = values.iloc[i]
            problems.append(Problem(files[i], None, row, column, value, expected))
    if problems:
        raise DataError(problems)
    return pd.DataFrame(
        {"date": dates.astype("datetime64[us]"), "sku": part["sku"].astype(object),
         "quantity": qty.astype(float)}
    )  # fmt: skip


# --------------------------------------------------------------------------- computing


def _compute(collection: Any, progress: Progress | None) -> pd.DataFrame:
    """Compute a Dask DataFrame part by part, reporting finished parts to ``progress``."""
    if progress is None and _client() is None:
        return collection.compute()
    return _concat(_run(collection.to_delayed(), progress), collection._meta)


def _client() -> Any:
    """The distributed client of this process (the one made current), or None."""
    try:
        from distributed import get_client

        return get_client()
    except (ImportError, ValueError):
        return None


def _shared(value: Any) -> Any:
    """``value`` scattered once to every worker of the current client (a future), so that
    tasks refer to it instead of each graph carrying a copy (the items of 200,000 SKUs
    made a graph of 20 MB and distributed's "large graph" warning); ``value`` itself on
    Dask's local scheduler, where nothing is sent."""
    client = _client()
    if client is None or value is None:
        return value
    # in a list: scatter spreads a dict's (or a list's) items, one future each
    return client.scatter([value], broadcast=True, hash=False)[0]


def _run(parts: list[Any], progress: Progress | None) -> list[Any]:
    """Compute delayed parts in order, calling ``progress(done, total)`` as each finishes."""
    total = len(parts)
    if progress is not None:
        progress(0, total)
    client = _client()
    if client is None:  # the local scheduler: one part at a time, each part's graph in parallel
        results = []
        for part in parts:
            results.append(dask.compute(part)[0])
            if progress is not None:
                progress(len(results), total)
        return results
    from distributed import as_completed

    futures = client.compute(parts)
    order = {f.key: i for i, f in enumerate(futures)}
    results = [None] * total
    for k, future in enumerate(as_completed(futures), 1):
        results[order[future.key]] = future.result()
        if progress is not None:
            progress(k, total)
    return results


def _concat(parts: list[pd.DataFrame], meta: pd.DataFrame) -> pd.DataFrame:
    """Concatenate parts, keeping categoricals categorical (their categories united)."""
    parts = [p for p in parts if len(p)] or [meta]
    cats = [c for c in meta.columns if isinstance(meta[c].dtype, pd.CategoricalDtype)]
    if cats and len(parts) > 1:
        from pandas.api.types import union_categoricals

        parts = [p.copy() for p in parts]
        for c in cats:
            united = union_categoricals([p[c] for p in parts], ignore_order=True)
            dtype = pd.CategoricalDtype(united.categories, ordered=meta[c].dtype.ordered)
            for p in parts:
                p[c] = p[c].cat.set_categories(dtype.categories, ordered=dtype.ordered)
    return pd.concat(parts)


def _open(source: Any, items: pd.DataFrame | None) -> Catalog:
    return source if isinstance(source, Catalog) else read_catalog(source, items)


def _stats_part(demand: pd.DataFrame, items: pd.DataFrame, info: _Info) -> pd.DataFrame:
    stats = part_stats(items, demand, info.period, info.frequency)
    return stats if len(demand) else stats.iloc[:0]


def demand_stats_parts(
    source: Any, items: pd.DataFrame | None = None, *, progress: Progress | None = None
) -> pd.DataFrame:
    """:func:`workbench.demand_stats` of a catalog, computed partition by partition.

    Parameters
    ----------
    source : Catalog, path or dask.dataframe.DataFrame
        As for :func:`read_catalog` (a :class:`Catalog` is used as is).
    items : pandas.DataFrame, optional
        As for :func:`read_catalog`.
    progress : callable, optional
        ``progress(done, total)`` per finished partition.

    Returns
    -------
    pandas.DataFrame
        One row per SKU of items (small: it fits in memory where the demand does not),
        in items order, equal to ``wb.demand_stats`` of the whole catalog loaded at once.
    """
    cat = _open(source, items)
    stats = _compute(_stats_frame(cat), progress)
    return _with_missing_skus(stats, cat)


def _stats_frame(cat: Catalog):
    meta = _stats_part(cat.demand._meta, cat.items.iloc[:1], cat.info)
    return cat.demand.map_partitions(_stats_part, _shared(cat.items), cat.info, meta=meta)


def _with_missing_skus(stats: pd.DataFrame, cat: Catalog) -> pd.DataFrame:
    sku = pd.Index(cat.items["sku"])
    missing = cat.items[~sku.isin(stats.index)]
    if len(missing):
        stats = pd.concat([stats, part_stats(missing, cat.demand._meta, cat.period, cat.frequency)])
    return stats.reindex(sku)


def _plan_part(
    demand: pd.DataFrame, items: pd.DataFrame, info: _Info, sc: Scenario, abc: pd.Series
) -> pd.DataFrame:
    out = part_plan(items, demand, info.period, info.frequency, sc, abc=abc, start=info.start)
    return out if len(demand) else out.iloc[:0]


def plan(
    source: Any,
    scenario: Scenario | None = None,
    *,
    items: pd.DataFrame | None = None,
    purchase_orders: pd.DataFrame | None = None,
    out: str | os.PathLike | None = None,
    client: Any = None,
    progress: Progress | None = None,
) -> pd.DataFrame | Path:
    """:func:`workbench.plan` of a catalog larger than memory, partition by partition.

    Two passes over the demand: the demand statistics of every SKU (small: one row per
    SKU), from which the catalog's ABC classes are ranked (:func:`workbench.catalog_abc`);
    then each partition is planned with :func:`workbench.plan_from_stats`, the function
    :func:`workbench.plan` calls, given those classes. SKUs with no demand rows are
    planned in one more part. The result equals ``wb.plan`` of the catalog loaded
    whole, to floating-point rounding.

    Parameters
    ----------
    source : Catalog, path or dask.dataframe.DataFrame
        As for :func:`read_catalog`.
    scenario : Scenario, optional
        Default ``Scenario()``. With ``demand_source="forecast"`` each partition
        computes :func:`workbench.forecast_demand` of its own SKUs
        (:func:`workbench.partition.part_forecast`), as :func:`workbench.plan` does
        for them in the whole catalog. With ``lead_time_source="history"`` each SKU's
        lead time is that of :func:`workbench.measured_lead_times` of the purchase
        orders (small: one row per PO line, measured once before the partitions are
        planned), at the end of the history, as :func:`workbench.plan` measures it.
    items : pandas.DataFrame, optional
        As for :func:`read_catalog`.
    purchase_orders : pandas.DataFrame, optional
        For ``lead_time_source="history"``: the purchase-order lines; default the
        catalog folder's ``purchase_orders`` table (and its ``suppliers``), none
        meaning every SKU keeps its quote.
    out : path, optional
        Write the plan there as Parquet (one file per partition, SKUs grouped by
        partition) and return the folder, instead of returning the plan as a frame.
    client : distributed.Client, optional
        Run on this cluster (``Client("tcp://host:8786")``); default the client already
        running in this process, else Dask's local scheduler.
    progress : callable, optional
        ``progress(done, total)`` as parts finish, for a progress bar.

    Returns
    -------
    pandas.DataFrame or pathlib.Path
        The plan indexed by SKU in items order (columns of ``wb.plan``), or ``out``.
    """
    sc = _planning_scenario(scenario)
    if client is not None:
        with client.as_current():
            return plan(
                source, sc, items=items, purchase_orders=purchase_orders, out=out,
                progress=progress,
            )  # fmt: skip
    cat = _open(source, items)
    own = cat.items  # with measured lead times, for lead_time_source="history"
    if sc.lead_time_source == "history":
        own = _measured_items(source, cat, purchase_orders)
    steps = _Steps(progress, 2)
    seen = _compute(_stats_frame(cat), steps.step(0))
    stats = _with_missing_skus(seen, cat)
    abc = catalog_abc(own, stats, sc)
    info = _planning_info(cat, seen, sc)
    missing = own[~pd.Index(own["sku"]).isin(seen.index)]
    meta = _plan_part(cat.demand._meta, own.iloc[:1], info, sc, abc)
    frame = cat.demand.map_partitions(_plan_part, _shared(own), info, sc, _shared(abc), meta=meta)
    extra = _plan_missing(missing, cat, sc, abc, info)
    if out is not None:
        folder = Path(os.fspath(out))
        _compute_write(frame, folder, extra, steps.step(1))
        return folder
    result = _compute(frame, steps.step(1))
    if len(extra):
        result = _concat([result, extra], meta)
    return result.reindex(pd.Index(cat.items["sku"], name=result.index.name))


def _measured_items(source: Any, cat: Catalog, purchase_orders: Any) -> pd.DataFrame:
    """The catalog's items with the lead times of :func:`workbench.measured_lead_times`
    at the end of the history, as :func:`workbench.plan` assigns them."""
    from .data.frequency import bucket_end
    from .replenish.supplier import measured_lead_times

    tables = _stock_tables(source, cat.items, {"purchase_orders": purchase_orders})
    tables = {k: v for k, v in tables.items() if k in ("purchase_orders", "suppliers")}
    end = pd.Timestamp(cat.period[1])
    demand = pd.DataFrame({"date": [end], "sku": [cat.items["sku"].iloc[0]], "quantity": [0.0]})
    ds = Dataset.from_tables({"items": cat.items, "demand": demand, **tables}, source="stock")
    m = measured_lead_times(ds, as_of=bucket_end(end, cat.frequency))
    return cat.items.assign(
        lead_time_days=m["lead_time_days"].to_numpy(),
        lead_time_sd_days=m["lead_time_sd_days"].to_numpy(),
        lead_time_source=m["lead_time_source"].to_numpy(),
    )


def _planning_info(cat: Catalog, seen: pd.DataFrame, sc: Scenario) -> _Info:
    """The catalog's info, with its first day of positive demand when the scenario
    plans from forecasts (the earliest ``window_start`` of the statistics pass)."""
    if sc.demand_source != "forecast":
        return cat.info
    start = pd.to_datetime(seen["window_start"]).min() if len(seen) else pd.NaT
    if pd.isna(start):
        raise ValueError("the catalog has no positive demand to forecast")
    return replace(cat.info, start=pd.Timestamp(start))


def _plan_missing(
    missing: pd.DataFrame, cat: Catalog, sc: Scenario, abc: pd.Series, info: _Info | None = None
) -> pd.DataFrame:
    """The plan of the SKUs without a demand row (a part of their own)."""
    if len(missing) == 0:
        return pd.DataFrame()
    start = info.start if info is not None else None
    return part_plan(missing, cat.demand._meta, cat.period, cat.frequency, sc, abc=abc, start=start)


def _compute_write(
    frame: Any, folder: Path, extra: pd.DataFrame, progress: Progress | None
) -> None:
    """Write each partition's plan as ``part.N.parquet`` (and the no-demand SKUs')."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("part.*.parquet"):
        old.unlink()
    writes = [
        dask.delayed(_write)(p, folder / f"part.{i}.parquet")
        for i, p in enumerate(frame.to_delayed())
    ]
    if len(extra):
        _write(extra, folder / f"part.{len(writes)}.parquet")
    bag = dd.from_delayed(writes, meta=pd.DataFrame({"rows": pd.Series([], dtype="int64")}))
    _compute(bag, progress)


def _write(part: pd.DataFrame, path: Path) -> pd.DataFrame:
    part.to_parquet(path)
    return pd.DataFrame({"rows": [len(part)]})


class _Steps:
    """Map the passes of a computation onto one progress callback (done, total) in percent."""

    def __init__(self, progress: Progress | None, n: int):
        self.progress, self.n = progress, n

    def step(self, k: int) -> Progress | None:
        if self.progress is None:
            return None

        def report(done: int, total: int) -> None:
            share = (k + (done / total if total else 1.0)) / self.n
            self.progress(round(100 * share), 100)

        return report


# --------------------------------------------------------------------------- forecasting


def _forecast_part(demand: pd.DataFrame, items: pd.DataFrame, info: _Info, kwargs: dict):
    from .forecasting import forecast as _forecast  # numba: imported on the worker

    if len(demand) == 0:
        return None
    part = part_dataset(items, demand, info.period, info.frequency)
    return _forecast(part, as_of=info.period[1], **kwargs)


def forecast(
    source: Any,
    *,
    items: pd.DataFrame | None = None,
    progress: Progress | None = None,
    client: Any = None,
    **kwargs: Any,
):
    """:func:`workbench.forecast` of every SKU with demand, partition by partition.

    ``kwargs`` (``model``, ``horizon``, ``level`` ...) are passed to
    :func:`workbench.forecast`, with ``as_of`` the catalog's last demand date. Returns
    a :class:`workbench.ForecastResult` whose ``forecast`` and ``models`` frames hold
    all partitions' SKUs. The numba kernels compile once per worker process and are
    cached on disk after that.
    """
    if client is not None:
        with client.as_current():
            return forecast(source, items=items, progress=progress, **kwargs)
    from .forecasting import ForecastResult

    cat = _open(source, items)
    shared = _shared(cat.items)
    delayed = [
        dask.delayed(_forecast_part)(p, shared, cat.info, kwargs)
        for p in cat.demand.optimize().to_delayed()
    ]
    done = [r for r in _run(delayed, progress) if r is not None]
    if not done:
        raise ValueError("the catalog has no demand rows to forecast")
    return ForecastResult(
        _concat([r.forecast for r in done], done[0].forecast.iloc[:0]).reset_index(drop=True),
        _concat([r.models for r in done], done[0].models.iloc[:0]),
    )


# --------------------------------------------------------------------------- simulating


def _plans_whole(sc: Scenario) -> bool:
    """Whether :func:`simulate` and :func:`replenishment` plan the catalog with
    :func:`plan` first (the scenario's sources need more than a partition's demand:
    the forecasts' catalog-wide buckets, the purchase orders)."""
    return sc.demand_source == "forecast" or sc.lead_time_source == "history"


def _planning_scenario(scenario: Scenario | None) -> Scenario:
    """The scenario, or ``Scenario()``; a ValueError for anything else."""
    sc = scenario if scenario is not None else Scenario()
    if not isinstance(sc, Scenario):
        raise ValueError(f"scenario must be a Scenario or None; got {type(sc).__name__}")
    return sc


#: Arguments of :func:`workbench.simulate` that :func:`simulate` sets itself.
_SIMULATE_OWN = ("demand", "plan", "stream_keys", "progress", "stop", "skus", "rng")


def _simulate_part(
    demand: pd.DataFrame,
    items: pd.DataFrame,
    info: _Info,
    sc: Scenario,
    abc: pd.Series | None,
    plan_frame: pd.DataFrame | None,
    keys: pd.Series,
    kwargs: dict,
) -> pd.DataFrame:
    """:func:`workbench.simulate`'s summary of the part's SKUs, each keyed by its position
    in the catalog (``keys``), so that it draws what it draws in the whole run."""
    from .sim import simulate as _simulate  # numba: compiled once per worker, then cached

    part = part_dataset(items, demand, info.period, info.frequency)
    skus = part.items["sku"].astype(str)
    if plan_frame is None:
        plan_frame = part_plan(items, demand, info.period, info.frequency, sc, abc=abc)
    kwargs = {"policy": "plan", **kwargs}
    result = _simulate(
        part, plan=plan_frame, stream_keys=keys.reindex(skus).to_numpy(), progress=False, **kwargs
    )
    return result.summary


def simulate(
    source: Any,
    scenario: Scenario | None = None,
    *,
    plan: pd.DataFrame | None = None,
    items: pd.DataFrame | None = None,
    rng: int | None = 0,
    client: Any = None,
    progress: Progress | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """:func:`workbench.simulate`'s per-SKU summary of a catalog, partition by partition.

    Each partition's SKUs are simulated with :func:`workbench.simulate` (policy
    ``"plan"`` by default), their random streams keyed by their position in the items
    table (``stream_keys=``), so that the summary equals
    ``wb.simulate(ds, policy="plan", plan=wb.plan(ds, scenario), rng=rng,
    **kwargs).summary`` of the catalog loaded whole, to floating-point rounding.

    Parameters
    ----------
    source : Catalog, path or dask.dataframe.DataFrame
        As for :func:`read_catalog`.
    scenario : Scenario, optional
        The plan's scenario (default ``Scenario()``), when ``plan`` is not given; each
        partition is then planned and simulated in one task (as :func:`plan`: one
        statistics pass first, for the catalog's ABC classes). A scenario with
        ``demand_source="forecast"`` or ``lead_time_source="history"`` (the catalog
        folder's purchase orders) is planned with :func:`plan` first, then simulated.
    plan : pandas.DataFrame, optional
        A plan of the catalog (:func:`plan` or :func:`workbench.plan`), indexed by SKU.
    items : pandas.DataFrame, optional
        As for :func:`read_catalog`.
    rng : int or None, default 0
        The seed of every partition's run (a seed, not a Generator: the parts must
        draw from one seed); None draws one seed for the whole run.
    client : distributed.Client, optional
        As for :func:`plan`.
    progress : callable, optional
        ``progress(done, total)`` in percent of the whole computation.
    **kwargs
        Passed to :func:`workbench.simulate`: ``days``, ``demand_model``, ``unmet``,
        ``warmup_days``, ``policy``, ``engine`` ... (not ``stream_keys``,
        ``progress``, ``stop`` or ``skus``, which this function sets; not ``trace_skus``:
        summaries only; nor what needs
        tables a catalog does not hold: ``lead_time_model="history"``,
        ``initial_stock="lots"``).

    Returns
    -------
    pandas.DataFrame
        The summary (columns of :attr:`workbench.SimulationResult.summary`), one row per
        SKU in items order.

    Examples
    --------
    On a cluster, a year of the sample business resampled from each SKU's history::

        summary = wd.simulate("shop/", wb.Scenario(), days=365,
                              demand_model="bootstrap", client=client)
    """
    bad = sorted(set(kwargs) & set(_SIMULATE_OWN))
    if bad:
        raise ValueError(f"{', '.join(bad)}: set by workbench.distributed.simulate itself")
    if "trace_skus" in kwargs:
        raise ValueError(
            "trace_skus: workbench.distributed.simulate returns summaries only; trace a SKU "
            "with wb.simulate of that SKU alone and stream_keys=[its position in the items]"
        )
    if rng is not None and (isinstance(rng, bool) or not isinstance(rng, int | np.integer)):
        raise ValueError(f"rng must be an int seed or None; got {rng!r}")
    if plan is not None and scenario is not None:
        raise ValueError("give scenario or plan, not both (a plan already has its scenario)")
    sc = _planning_scenario(scenario)
    if client is not None:
        with client.as_current():
            return simulate(
                source, sc if plan is None else None, plan=plan, items=items, rng=rng,
                progress=progress, **kwargs,
            )  # fmt: skip
    seed = int(np.random.default_rng().integers(0, 2**63 - 1)) if rng is None else int(rng)
    kwargs = {**kwargs, "rng": seed}
    cat = _open(source, items)
    skus = pd.Index(cat.items["sku"].astype(str), name="sku")
    keys = pd.Series(np.arange(len(skus)), index=skus)
    if plan is None and _plans_whole(sc):  # wd.plan first, as wb.plan(ds, scenario)
        plan = _plan_catalog(cat, sc, progress=_scaled(progress, 0, 2, 3))
        progress = _scaled(progress, 2, 1, 3)
    steps = _Steps(progress, 1 if plan is not None else 2)
    abc = None
    if plan is None:
        seen = _compute(_stats_frame(cat), steps.step(0))
        abc = catalog_abc(cat.items, _with_missing_skus(seen, cat), sc)
        missing_plan = _plan_missing(cat.items[~skus.isin(seen.index)], cat, sc, abc)
    else:
        plan = plan.set_axis(plan.index.astype(str))
        missing_plan = None
    shared = [_shared(x) for x in (cat.items, abc, plan, keys)]
    meta = _simulate_meta()
    frame = cat.demand.map_partitions(
        _simulate_map, meta, shared[0], cat.info, sc, shared[1], shared[2], shared[3],
        _shared(kwargs), meta=meta,
    )  # fmt: skip
    summary = _compute(frame, steps.step(1 if plan is None else 0))
    rest = cat.items[~skus.isin(summary.index)]
    if len(rest):  # the SKUs without demand rows: a part of their own, simulated here
        extra = _simulate_part(
            cat.demand._meta, rest, cat.info, sc, abc,
            plan if plan is not None else missing_plan, keys, kwargs,
        )  # fmt: skip
        summary = pd.concat([summary, extra]) if len(summary) else extra
    return summary.reindex(skus)


_plan_catalog = plan  # plan_check's argument ``plan`` hides the function


def _check_part(
    demand: pd.DataFrame,
    items: pd.DataFrame,
    info: _Info,
    plan_frame: pd.DataFrame,
    keys: pd.Series,
    kwargs: dict,
) -> Any:
    """:func:`workbench.plan_check` of the part's SKUs, keyed and warmed up as in the
    catalog's check; None for a partition without rows."""
    from .promise import plan_check as _plan_check  # numba: compiled once per worker

    if len(demand) == 0:
        return None
    part = part_dataset(items, demand, info.period, info.frequency)
    own = plan_frame.reindex(part.items["sku"].astype(str))
    own.attrs = dict(plan_frame.attrs)
    return _plan_check(part, plan=own, stream_keys=keys, progress=False, **kwargs)


def plan_check(
    source: Any,
    scenario: Scenario | None = None,
    *,
    plan: pd.DataFrame | None = None,
    items: pd.DataFrame | None = None,
    method: str = "resample",
    horizon_days: int | None = None,
    replications: int = 8,
    warmup_days: int | None = None,
    seed: int = 0,
    engine: str = "numba",
    client: Any = None,
    progress: Progress | None = None,
):
    """:func:`workbench.plan_check` of a catalog, partition by partition.

    The plan (:func:`plan`, unless given) is small: one row per SKU. From it the two
    facts of the whole check are set once: the warm-up (the longest protection interval
    of the checked SKUs, as :func:`workbench.plan_check` computes it) and each checked
    SKU's position, which keys its random streams. Each partition is then checked with
    :func:`workbench.plan_check`; the per-SKU table equals the in-memory check's, and
    the class table is computed from it as the in-memory check computes it.

    Parameters
    ----------
    source, scenario, plan, items, client
        As for :func:`simulate`.
    method, horizon_days, replications, warmup_days, engine
        As for :func:`workbench.plan_check` (``method="replay"`` needs daily data).
    seed : int, default 0
        The seed of every partition's check (a seed, not a Generator).
    progress : callable, optional
        ``progress(done, total)`` in percent of the whole computation.

    Returns
    -------
    workbench.PlanCheck
        ``skus`` in plan order, ``classes``, ``settings`` (``skus_checked`` and
        ``skus_skipped`` of the whole catalog) and ``elapsed_seconds`` (wall time).
    """
    import time

    from .promise import _checkable, _class_table

    if plan is not None and scenario is not None:
        raise ValueError("give scenario or plan, not both (a plan already has its scenario)")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ValueError(f"seed must be an int; got {seed!r}")
    if client is not None:
        with client.as_current():
            return plan_check(
                source, scenario, plan=plan, items=items, method=method,
                horizon_days=horizon_days, replications=replications,
                warmup_days=warmup_days, seed=seed, engine=engine, progress=progress,
            )  # fmt: skip
    t0 = time.perf_counter()
    cat = _open(source, items)
    given = plan is not None
    steps = _Steps(progress, 1 if given else 3)
    if not given:
        plan = _plan_catalog(cat, scenario, progress=_scaled(progress, 0, 2, 3))
    plan = plan.set_axis(plan.index.astype(str))
    ok = _checkable(plan)
    checked = plan.index[ok]
    keys = pd.Series(np.arange(len(checked)), index=checked)
    if warmup_days is None:
        sub = plan[ok]
        need = (
            sub["lead_time_days"].to_numpy(float)
            + sub["review_period_days"].fillna(0.0).to_numpy(float)
            + 3 * sub["lead_time_sd_days"].fillna(0.0).to_numpy(float)
        )
        warmup_days = int(min(max(np.ceil(float(np.nanmax(need))), 30), 365)) if len(sub) else 0
        if str(method).lower() == "replay":
            days = len(pd.date_range(*cat.period, freq="D"))
            warmup_days = min(warmup_days, days // 4)
    kwargs = dict(
        method=method, horizon_days=horizon_days, replications=replications,
        warmup_days=warmup_days, seed=int(seed), engine=engine,
    )  # fmt: skip
    shared = [_shared(x) for x in (cat.items, plan, keys, kwargs)]
    delayed = [
        dask.delayed(_check_part)(p, shared[0], cat.info, shared[1], shared[2], shared[3])
        for p in cat.demand.optimize().to_delayed()
    ]
    done = [r for r in _run(delayed, steps.step(0 if given else 2)) if r is not None]
    if not done:
        raise ValueError("no SKU of the catalog can be checked (no demand, or nothing to order)")
    table = pd.concat([r.skus for r in done]).reindex(checked)
    settings = dict(done[0].settings)
    settings["skus_checked"] = int(ok.sum())
    settings["skus_skipped"] = int((~ok).sum())
    from .promise import PlanCheck

    return PlanCheck(
        skus=table,
        classes=_class_table(table),
        settings=settings,
        elapsed_seconds=time.perf_counter() - t0,
    )


def _scaled(progress: Progress | None, k: int, width: int, n: int) -> Progress | None:
    """``progress`` of a computation that is steps k .. k + width of n (in percent)."""
    if progress is None:
        return None
    return lambda done, total: progress(round((k + width * done / max(total, 1)) / n * 100), 100)


def _simulate_map(demand: pd.DataFrame, meta: pd.DataFrame, *args: Any) -> pd.DataFrame:
    """:func:`_simulate_part` of one partition; a partition without rows has no SKUs."""
    return _simulate_part(demand, *args) if len(demand) else meta


def _simulate_meta() -> pd.DataFrame:
    """The summary's columns and dtypes (the same for every run), from a one-day run."""
    from .sim import simulate as _simulate

    one = _simulate(
        np.zeros((1, 1)), skus=["sku"], policy="sS", reorder_point=0, order_up_to=0,
        lead_time_days=0, progress=False, engine="numpy",
    )  # fmt: skip
    return one.summary.iloc[:0]


# ------------------------------------------------------------------- the dashboard on a cluster


_CLIENTS: dict[str, Any] = {}


def dashboard_client(address: str | None = None) -> Any:
    """A :class:`distributed.Client` on the scheduler at ``address`` (default
    ``$WORKBENCH_DASK``), one per address and process; None when neither names one."""
    address = address or os.environ.get(DASK_ENV, "").strip() or None
    if address is None:
        return None
    client = _CLIENTS.get(address)
    if client is None or client.status not in ("running", "connecting"):
        from distributed import Client

        client = _CLIENTS[address] = Client(address, set_as_default=False)
    return client


def catalog_from_dataset(
    dataset: Dataset, skus: Any = None, *, npartitions: int | None = None
) -> Catalog:
    """A dataset already in memory as a :class:`Catalog`: its demand split by SKU.

    Parameters
    ----------
    dataset : workbench.Dataset
    skus : sequence, optional
        The SKUs to keep, in this order (their positions key the random streams of
        :func:`simulate`); default every SKU of the items table.
    npartitions : int, optional
        Default 2 per worker of the current client (4 without one), at most one per SKU.

    Returns
    -------
    Catalog
        Each partition holds the demand rows of a run of consecutive SKUs. With a
        distributed client current the partitions are scattered to its workers (no
        staging folder: it works on a remote cluster as well); otherwise they are
        pieces of the frame for Dask's local scheduler.
    """
    items = dataset.items.assign(sku=dataset.items["sku"].astype(str))
    if skus is not None:
        items = items.set_index("sku").loc[[str(x) for x in skus]].reset_index()
    client = _client()
    if npartitions is None:
        npartitions = 2 * len(client.scheduler_info()["workers"]) if client is not None else 4
    n = max(1, min(int(npartitions), len(items)))
    demand = dataset.demand
    demand = demand.assign(sku=demand["sku"].astype(str))
    position = pd.Index(items["sku"]).get_indexer(demand["sku"])
    keep = position >= 0
    part_of = position[keep] * n // max(len(items), 1)
    columns = ["date", "sku", "quantity"]
    rows = demand.loc[keep, columns].assign(quantity=lambda d: d["quantity"].astype(float))
    parts = [rows[part_of == k].reset_index(drop=True) for k in range(n)]
    meta = rows.iloc[:0].reset_index(drop=True)
    # unique keys (hash=False): content-hashed keys are shared by every catalog of the same
    # data, and a scatter racing the release of an earlier catalog's futures (the
    # dashboard's replay and its plan check each make one) left the scheduler without the
    # data: "cancelled for reason: lost dependencies", about one run in two
    pieces = (
        client.scatter(parts, hash=False)
        if client is not None
        else [dask.delayed(p) for p in parts]
    )
    frame = dd.from_delayed(pieces, meta=meta, verify_meta=False)
    start, end = dataset.demand_period
    period = (pd.Timestamp(start), pd.Timestamp(end))
    return Catalog(items, frame, period, dataset.demand_frequency, "the dataset in memory")


# --------------------------------------------------------------------------- clusters and data


def local_cluster(n_workers: int = 2, memory_limit: str = "4GB", **kwargs: Any):
    """A :class:`distributed.Client` on a new LocalCluster of worker processes.

    One thread per worker (the kernels are numba loops; processes sidestep the GIL),
    the dashboard on a free port. Use as a context manager; closing it stops the
    cluster.
    """
    from distributed import Client, LocalCluster

    # the disk-backed shuffle logs each start and stop at WARNING level: routine, not a warning
    logging.getLogger("distributed.shuffle._scheduler_plugin").setLevel(logging.ERROR)
    cluster = LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        memory_limit=memory_limit,
        dashboard_address=kwargs.pop("dashboard_address", ":0"),
        **kwargs,
    )
    client = Client(cluster)
    client._workbench_cluster = cluster  # closed with the client
    return client


def write_synthetic_catalog(
    folder: str | os.PathLike,
    n_skus: int,
    days: int,
    *,
    files: int = 4,
    seed: int = 0,
    start: str = "2024-01-01",
    progress: Progress | None = None,
) -> Path:
    """Write a generated catalog (``items.parquet`` and ``demand/part-*.parquet``).

    Demand of all four classes (smooth, erratic, intermittent, lumpy), one row per
    SKU-day with positive demand; each file holds every SKU's days of one stretch of
    the calendar, so every SKU's history spans all files (as real exports by month
    do). Written a file at a time: memory stays at one file's rows.
    """
    rng = np.random.default_rng(seed)
    root = Path(os.fspath(folder))
    (root / "demand").mkdir(parents=True, exist_ok=True)
    sku = np.array([f"S{i:07d}" for i in range(n_skus)], dtype=object)
    kind = rng.integers(0, 4, n_skus)
    p_day = np.where(kind < 2, 0.95, np.where(kind == 2, 0.15, 0.08))
    size = rng.gamma(2.0, 4.0, n_skus) + 1.0
    shape = np.where(kind % 2 == 0, 8.0, 0.8)  # smooth/intermittent: low variability
    items = pd.DataFrame(
        {
            "sku": sku,
            "unit_cost": np.round(rng.lognormal(2.5, 1.0, n_skus), 2),
            "lead_time_days": rng.integers(2, 21, n_skus).astype(float),
            "inventory_type": "finished_good",
        }
    )
    items.to_parquet(root / "items.parquet", index=False)
    dates = pd.date_range(start, periods=days, freq="D")
    bounds = np.linspace(0, days, files + 1).astype(int)
    for f in range(files):
        span = dates[bounds[f] : bounds[f + 1]]
        n = len(span) * n_skus
        sold = rng.random(n) < np.tile(p_day, len(span))
        qty = rng.gamma(np.tile(shape, len(span))[sold], np.tile(size / shape, len(span))[sold])
        frame = pd.DataFrame(
            {
                "date": np.repeat(span.to_numpy(), n_skus)[sold],
                "sku": np.tile(sku, len(span))[sold],
                "quantity": np.ceil(qty),
            }
        )
        frame.to_parquet(root / "demand" / f"part-{f:04d}.parquet", index=False)
        if progress is not None:
            progress(f + 1, files)
    return root


# --------------------------------------------------------------------------- replenishment
# (issue 18: the replenishment list partition by partition; kept apart from the sections
# above, which other work extends)

#: The stock tables :func:`replenishment` reads from a catalog folder when not given.
STOCK_TABLES = ("lots", "purchase_orders", "suppliers")


def _read_table(folder: Path, name: str) -> pd.DataFrame | None:
    """The folder's table ``name`` (Parquet, CSV or Excel), or None if it has none."""
    for ext in (".parquet", ".csv", ".xlsx"):
        path = folder / f"{name}{ext}"
        if path.exists():
            if ext == ".parquet":
                return pd.read_parquet(path)
            if ext == ".csv":
                return pd.read_csv(
                    path, dtype=str, keep_default_na=False, sep=None, engine="python"
                )
            return pd.read_excel(path, sheet_name=0, dtype=object)
    return None


def _stock_tables(source: Any, items: pd.DataFrame, given: dict) -> dict[str, pd.DataFrame]:
    """Lots, purchase orders and suppliers: as given, else from the catalog folder;
    validated with the loader's rules (they fit in memory: one row per lot or PO line)."""
    tables = {k: v for k, v in given.items() if v is not None}
    folder = None if isinstance(source, Catalog | dd.DataFrame) else Path(os.fspath(source))
    if isinstance(source, Catalog) and source.source and Path(source.source).is_dir():
        folder = Path(source.source)
    if folder is not None:
        for name in STOCK_TABLES:
            if name not in tables:
                found = _read_table(folder, name)
                if found is not None:
                    tables[name] = found
    if not tables:
        return {}
    placeholder = pd.DataFrame(
        {"date": [pd.Timestamp("2000-01-01")], "sku": [items["sku"].iloc[0]], "quantity": [0]}
    )
    ds = Dataset.from_tables({"items": items, "demand": placeholder, **tables}, source="stock")
    return {name: ds.tables[name] for name in STOCK_TABLES if name in ds.tables}


def _split_by_part(table: pd.DataFrame | None, part_of: pd.Series, n: int) -> list[Any]:
    """The rows of ``table`` per part (``part_of``: each SKU's part, ``n`` for SKUs with
    no demand row), in their order; rows of other SKUs are dropped."""
    if table is None:
        return [None] * (n + 1)
    from ._numeric import index_in

    code = index_in(table["sku"].astype("str"), pd.Index(part_of.index.astype(str)))
    part = np.where(code >= 0, part_of.to_numpy()[np.maximum(code, 0)], -1)
    order = np.argsort(part, kind="stable")
    counts = np.bincount(part[part >= 0], minlength=n + 1)
    starts = np.cumsum(counts) - counts
    first = int((part < 0).sum())  # the dropped rows sort first
    return [
        table.iloc[order[first + a : first + a + c]].reset_index(drop=True)
        for a, c in zip(starts, counts, strict=True)
    ]


def _replenish_part(
    demand: pd.DataFrame,
    items: pd.DataFrame,
    info: _Info,
    sc: Scenario,
    abc: pd.Series | None,
    plan: pd.DataFrame | None,
    tables: dict,
    end: pd.Timestamp,
    options: dict,
) -> pd.DataFrame | None:
    from .partition import part_replenishment

    if len(demand) == 0 and not options.get("idle"):
        return None
    options = {k: v for k, v in options.items() if k != "idle"}
    if plan is None:
        plan = part_plan(items, demand, info.period, info.frequency, sc, abc=abc)
    return part_replenishment(
        items, demand, info.period, info.frequency, plan, as_of=end, **tables, **options
    )


def _part_skus(part: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(index=pd.Index(pd.unique(part["sku"]), name="sku"))


def replenishment(
    source: Any,
    scenario: Scenario | None = None,
    *,
    items: pd.DataFrame | None = None,
    lots: pd.DataFrame | None = None,
    purchase_orders: pd.DataFrame | None = None,
    suppliers: pd.DataFrame | None = None,
    plan: pd.DataFrame | None = None,
    price_breaks: pd.DataFrame | None = None,
    as_of: Any = None,
    overstock_ratio: float = 2.0,
    dead_days: int = 180,
    client: Any = None,
    progress: Progress | None = None,
):
    """:func:`workbench.replenishment` of a catalog larger than memory, partition by
    partition.

    Each partition's lines are made by :func:`workbench.partition.part_replenishment`
    (:func:`workbench.replenishment_lines`, the function the in-memory list calls) from
    its demand, its SKUs' plan (made in the partition with
    :func:`workbench.partition.part_plan`, or taken from ``plan``), and its SKUs' lots,
    open purchase-order lines and price breaks (the tables are split by SKU on the
    client, each partition receives its own rows); the lines of all partitions are then
    sorted and grouped into draft POs per supplier by
    :func:`workbench.assemble_replenishment`. The result equals ``wb.replenishment`` of
    the catalog loaded whole, to floating-point rounding of the plan.

    Parameters
    ----------
    source : Catalog, path or dask.dataframe.DataFrame
        As for :func:`read_catalog`.
    scenario : Scenario, optional
        The plan's scenario, as for :func:`plan` (ignored when ``plan`` is given). A
        scenario with ``demand_source="forecast"`` or ``lead_time_source="history"``
        (measured from ``purchase_orders``) is planned with :func:`plan` first.
    items : pandas.DataFrame, optional
        As for :func:`read_catalog`.
    lots, purchase_orders, suppliers : pandas.DataFrame, optional
        The stock tables (one row per lot, PO line, supplier: these fit in memory where
        the demand does not); default the catalog folder's ``lots``,
        ``purchase_orders`` and ``suppliers`` (.parquet, .csv or .xlsx), if any.
        Validated with the loader's rules (a PO received before it was ordered, a
        supplier not in suppliers ...: :class:`workbench.data.DataError`).
    plan : pandas.DataFrame, optional
        A plan already made (:func:`plan`'s result, indexed by sku); default planned
        per partition, as :func:`plan` does.
    price_breaks, overstock_ratio, dead_days
        As for :func:`workbench.replenishment`.
    as_of : date-like, optional
        The day; default the end of the demand history. Another day needs ``plan``
        (the plan out of core is made at the end of the history).
    client : distributed.Client, optional
        As for :func:`plan`.
    progress : callable, optional
        ``progress(done, total)`` in percent over the two passes.

    Returns
    -------
    workbench.Replenishment
        Lines (one row per SKU, exceptions first) and draft POs, as in memory.
    """
    from .replenish.replenishment import _checked_args, assemble_replenishment

    _checked_args(overstock_ratio, dead_days)
    sc = _planning_scenario(scenario) if plan is None else (scenario or Scenario())
    if client is not None:
        with client.as_current():
            return replenishment(
                source, sc, items=items, lots=lots, purchase_orders=purchase_orders,
                suppliers=suppliers, plan=plan, price_breaks=price_breaks, as_of=as_of,
                overstock_ratio=overstock_ratio, dead_days=dead_days, progress=progress,
            )  # fmt: skip
    cat = _open(source, items)
    from .data.frequency import bucket_end

    history_end = bucket_end(cat.period[1], cat.frequency)
    end = pd.Timestamp(as_of) if as_of is not None else history_end
    if plan is None and end != history_end:
        raise ValueError(
            f"as_of={end.date()} needs plan=: the plan out of core is made at the end of the "
            f"history ({history_end.date()})"
        )
    given = {"lots": lots, "purchase_orders": purchase_orders, "suppliers": suppliers}
    stock = _stock_tables(source, cat.items, given)
    if plan is None and _plans_whole(sc):  # wd.plan first, as wb.plan(ds, scenario)
        plan = _plan_catalog(
            cat, sc, purchase_orders=stock.get("purchase_orders"),
            progress=_scaled(progress, 0, 2, 4),
        )  # fmt: skip
        progress = _scaled(progress, 2, 2, 4)
    steps = _Steps(progress, 2)
    abc = None
    if plan is None:  # the statistics pass, for the catalog's ABC classes
        frame = _stats_frame(cat)
        parts = _run(frame.to_delayed(), steps.step(0))
        seen = _concat(parts, frame._meta)
        abc = catalog_abc(cat.items, _with_missing_skus(seen, cat), sc)
    else:
        skus = cat.demand.map_partitions(_part_skus, meta=_part_skus(cat.demand._meta))
        parts = _run(skus.to_delayed(), steps.step(0))
        plan = plan.set_index("sku") if "sku" in plan.columns else plan
        plan = plan.set_axis(plan.index.astype(str))
    n = len(parts)
    sku = pd.Index(cat.items["sku"].astype(str))
    part_of = pd.Series(n, index=sku)
    for i, p in enumerate(parts):
        part_of[pd.Index(p.index.astype(str))] = i
    pieces = {k: _split_by_part(stock.get(k), part_of, n) for k in ("lots", "purchase_orders")}
    breaks = _split_by_part(price_breaks, part_of, n)
    plans = (
        [None] * (n + 1)
        if plan is None
        else [plan.reindex(part_of.index[part_of.to_numpy() == i]) for i in range(n + 1)]
    )
    options = {"overstock_ratio": overstock_ratio, "dead_days": dead_days}

    def task(i: int) -> dict:
        tables = {k: v[i] for k, v in pieces.items()}
        return {"plan": plans[i], "tables": tables, "price_breaks": breaks[i]}

    delayed = []
    shared_items, shared_abc = _shared(cat.items), _shared(abc)  # sent once, not per task
    for i, p in enumerate(cat.demand.optimize().to_delayed()):
        t = task(i)
        opts = {**options, "price_breaks": t["price_breaks"]}
        delayed.append(
            dask.delayed(_replenish_part)(
                p, shared_items, cat.info, sc, shared_abc, t["plan"], t["tables"], end, opts
            )
        )
    done = [r for r in _run(delayed, steps.step(1)) if r is not None]
    idle = cat.items[(part_of == n).to_numpy()]
    if len(idle):
        t = task(n)
        opts = {**options, "price_breaks": t["price_breaks"], "idle": True}
        done.append(
            _replenish_part(
                cat.demand._meta, idle, cat.info, sc, abc, t["plan"], t["tables"], end, opts
            )
        )
    lines = pd.concat(done).reindex(sku)
    return assemble_replenishment(
        lines, stock.get("suppliers"), end, price_breaks_given=price_breaks is not None
    )
