"""Shared helpers for vectorized calculators.

Every calculator in :mod:`workbench` accepts "numeric" inputs: a Python scalar,
a list, a NumPy array or a pandas Series. Inputs are broadcast against each
other; if any input is a Series, outputs are Series carrying that index.
A result computed from scalars only is returned as a Python ``float``.

These helpers keep that contract in one place so that each calculator is a few
lines of NumPy.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

Numeric = float | int | np.ndarray | pd.Series | list


class Broadcast:
    """Inputs converted to float arrays of one common shape.

    Attributes
    ----------
    arrays : dict[str, numpy.ndarray]
        Each input by name, as a float array broadcast to :attr:`shape`.
    index : pandas.Index or None
        The index of the first Series input, if any.
    scalar : bool
        True when every input was a scalar (outputs become floats).
    """

    def __init__(self, arrays: dict[str, np.ndarray], index: pd.Index | None, scalar: bool):
        self.arrays = arrays
        self.index = index
        self.scalar = scalar
        first = next(iter(arrays.values())) if arrays else np.empty(())
        self.shape = first.shape

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def wrap(self, values: Any, name: str | None = None) -> Any:
        """Return ``values`` in the caller's input type (float, ndarray or Series)."""
        values = np.asarray(values)
        if values.shape != self.shape:
            values = np.broadcast_to(values, self.shape)
        if self.scalar:
            return values.item() if values.dtype.kind in "biufb" else values[()]
        if self.index is not None:
            return pd.Series(values, index=self.index, name=name)
        return values


def broadcast(**inputs: Any) -> Broadcast:
    """Convert keyword inputs to float arrays broadcast together.

    Raises
    ------
    ValueError
        If inputs cannot be broadcast together (the message names them), if a
        value is not numeric, or if Series inputs have different indexes.
    """
    index: pd.Index | None = None
    scalar = True
    arrays: dict[str, np.ndarray] = {}
    for name, value in inputs.items():
        if isinstance(value, pd.Series):
            if index is None:
                index = value.index
            elif not value.index.equals(index):
                raise ValueError(
                    f"{name} is a Series whose index differs from the other inputs'; "
                    "align the Series first (for example with .reindex)"
                )
            scalar = False
            raw = value.to_numpy(dtype=float, na_value=np.nan)
        else:
            if not np.isscalar(value) and value is not None:
                scalar = False
            try:
                raw = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                raise ValueError(f"{name} must be numeric; got {value!r}") from None
        arrays[name] = raw
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{k} {a.shape}" for k, a in arrays.items())
        raise ValueError(f"inputs cannot be broadcast together: {shapes}") from None
    arrays = {k: np.broadcast_to(a, shape) for k, a in arrays.items()}
    return Broadcast(arrays, index, scalar)


def _describe(values: np.ndarray, bad: np.ndarray) -> str:
    first = values[bad].ravel()
    shown = ", ".join(f"{v:g}" for v in first[:3])
    count = int(bad.sum())
    if values.ndim == 0:
        return shown
    more = f" (and {count - 3} more)" if count > 3 else ""
    return f"{shown}{more} at {count} position(s)"


def require(name: str, values: np.ndarray, ok: np.ndarray, constraint: str, unit: str = "") -> None:
    """Raise ``ValueError`` naming ``name`` if any non-NaN value fails ``ok``.

    ``ok`` is a boolean array of the same shape. NaN inputs pass (they give NaN
    outputs, as in NumPy). The message reads like
    ``holding_cost must be > 0 [$/unit/year]; got -0.2``.
    """
    values = np.asarray(values, dtype=float)
    bad = ~np.asarray(ok) & ~np.isnan(values)
    if np.any(bad):
        unit_text = f" [{unit}]" if unit else ""
        raise ValueError(f"{name} must be {constraint}{unit_text}; got {_describe(values, bad)}")


def require_positive(name: str, values: np.ndarray, unit: str = "") -> None:
    """Raise ``ValueError`` if any value is <= 0."""
    require(name, values, np.asarray(values) > 0, "> 0", unit)


def require_nonnegative(name: str, values: np.ndarray, unit: str = "") -> None:
    """Raise ``ValueError`` if any value is < 0."""
    require(name, values, np.asarray(values) >= 0, ">= 0", unit)


def require_probability(name: str, values: np.ndarray) -> None:
    """Raise ``ValueError`` if any value lies outside the open interval (0, 1)."""
    v = np.asarray(values)
    require(name, v, (v > 0) & (v < 1), "strictly between 0 and 1 (a fraction, e.g. 0.95)")


def renamed(new: str, value: Any, old: str, old_value: Any, unit: str) -> Any:
    """Accept a parameter under its deprecated name, with a ``DeprecationWarning``.

    Returns ``old_value`` when only the old name was given, else ``value``; both given
    is a ``ValueError``. Used where a name gained its unit (``stockout_cost`` became
    ``shortage_cost_per_unit``), so old calls keep working for a release.
    """
    if old_value is None:
        return value
    if value is not None:
        raise ValueError(f"give {new} [{unit}] only; {old} is its deprecated name")
    warnings.warn(f"{old} is deprecated; call it {new} [{unit}]", DeprecationWarning, stacklevel=3)
    return old_value


def as_generator(rng: int | np.random.Generator | None) -> np.random.Generator:
    """Normalize an ``rng`` argument (None, int seed or Generator) to a Generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, int | np.integer):
        return np.random.default_rng(rng)
    raise ValueError(f"rng must be None, an int seed or a numpy Generator; got {rng!r}")


def as_mapping(value: Mapping | None) -> dict:
    """Return a plain dict copy of an optional mapping."""
    return dict(value) if value else {}


def index_in(values: pd.Series, uniques) -> np.ndarray:
    """Position of each of ``values`` in ``uniques`` (unique, no missing); -1 if absent.

    Uses pyarrow's hash kernel for Arrow-backed strings (pandas' default ``str``), about ten
    times faster than ``Index.get_indexer`` on millions of rows.
    """
    chunked = getattr(values.array, "_pa_array", None)
    if chunked is not None:
        try:
            import pyarrow as pa
            import pyarrow.compute as pc

            own = getattr(getattr(uniques, "array", None), "_pa_array", None)
            if own is not None and own.type == chunked.type:  # Arrow already: no round trip
                value_set = own.combine_chunks() if isinstance(own, pa.ChunkedArray) else own
            else:
                value_set = pa.array(np.asarray(uniques, dtype=object), type=chunked.type)
            found = pc.index_in(chunked, value_set=value_set).fill_null(-1)
            return np.asarray(found.to_numpy(), dtype=np.int64)
        except Exception:  # unusual types: fall back to pandas
            pass
    return pd.Index(uniques).get_indexer_for(values).astype(np.int64)


def group_extreme(ufunc: np.ufunc, out: np.ndarray, codes: np.ndarray, values: Any) -> None:
    """``ufunc.at(out, codes, values)`` for ``np.minimum`` or ``np.maximum``: each
    ``out[c]`` becomes the extreme of itself and the values of code c (codes >= 0).

    A table sorted by code (a demand file sorted by SKU) takes one ``ufunc.reduceat``
    over the runs of equal codes, several times faster than ``ufunc.at`` on millions of
    rows; the result is the same (a minimum or maximum does not depend on the order).

    Examples
    --------
    >>> out = np.full(3, 99)
    >>> group_extreme(np.minimum, out, np.array([0, 0, 2]), np.array([5, 3, 7]))
    >>> out.tolist()
    [3, 99, 7]
    """
    codes = np.asarray(codes)
    values = np.broadcast_to(np.asarray(values), codes.shape)
    if codes.size < 2 or not bool(np.all(codes[1:] >= codes[:-1])):
        ufunc.at(out, codes, values)
        return
    starts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
    keys = codes[starts]
    out[keys] = ufunc(out[keys], ufunc.reduceat(values, starts))


def row_dot(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``matrix @ vector`` (one sum of products per row) without BLAS.

    ``@`` on a float matrix and a vector is BLAS ``dgemv``, which OpenBLAS splits over
    its own worker threads; after each call those threads spin for a while waiting for
    more work. The plan takes dozens of such sums (the mean of every pmf matrix), each
    a fraction of a millisecond, and the spinning cost a 10,000-SKU
    :func:`workbench.plan_check` about 0.2 s of CPU on a 2-core machine, a core taken
    from the numba threads of the simulator. ``numpy.einsum`` (without ``optimize``)
    sums in its own loop, on the calling thread; the sums agree with ``@`` to rounding.

    Examples
    --------
    >>> row_dot(np.array([[0.5, 0.5], [0.0, 1.0]]), np.arange(2.0)).tolist()
    [0.5, 1.0]
    """
    return np.einsum("ij,j->i", matrix, vector)
