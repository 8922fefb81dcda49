"""Coercion and validation of raw tables into the typed tables of a Dataset.

Everything here is vectorized over rows: a check builds a boolean mask, and problems are
made only for the rows the mask selects (at most :data:`PER_CHECK_LIMIT` per check and
column, followed by one summary problem, so a ten-million-row file full of errors does
not build ten million objects).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._numeric import index_in
from .errors import Problem
from .schema import SCHEMAS, Column, Table

__all__ = ["Located", "Validator", "index_in"]

PER_CHECK_LIMIT = 1000
STR = pd.StringDtype(na_value=np.nan)  # pandas' default "str" dtype
DATE = "datetime64[us]"
NA_TOKENS = {"", "na", "n/a", "nan", "null", "none", "-", "#n/a", "nat"}
CATEGORY_SYNONYMS = {
    "raw_materials": "raw_material",
    "raw": "raw_material",
    "rm": "raw_material",
    "material": "raw_material",
    "packaging": "raw_material",
    "work_in_progress": "wip",
    "work_in_process": "wip",
    "finished_goods": "finished_good",
    "finished": "finished_good",
    "fg": "finished_good",
    "product": "finished_good",
    "mro_supplies": "mro",
    "maintenance": "mro",
    "supplies": "mro",
}


@dataclass
class Located:
    """A typed table plus where each row came from."""

    frame: pd.DataFrame
    file: str
    sheet: str | None
    rows: np.ndarray
    headers: dict[str, str] = field(default_factory=dict)  # canonical -> as written

    def label(self, column: str) -> str:
        return self.headers.get(column, column)


class Validator:
    """Collects problems, report rows and notes while tables are coerced and checked."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.report: list[tuple[str, int | None, str]] = []
        self.notes: list[str] = []

    # ----------------------------------------------------------------- problem helpers

    def add(self, loc: Located, mask: np.ndarray, column: str | None, values, expected) -> None:
        """One problem per True in ``mask`` (capped), values taken from ``values``."""
        pos = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(pos) == 0:
            return
        shown = pos[:PER_CHECK_LIMIT]
        vals = _values_at(values, shown)
        exp = _values_at(expected, shown) if not isinstance(expected, str) else None
        label = loc.label(column) if column else None
        for k, (p, v) in enumerate(zip(shown, vals, strict=True)):
            self.problems.append(
                Problem(
                    loc.file,
                    loc.sheet,
                    int(loc.rows[p]),
                    label,
                    _clean(v),
                    expected if exp is None else exp[k],
                )
            )
        if len(pos) > PER_CHECK_LIMIT:
            rest = pos[PER_CHECK_LIMIT:]
            self.problems.append(
                Problem(
                    loc.file,
                    loc.sheet,
                    None,
                    label,
                    None,
                    f"{expected if isinstance(expected, str) else 'valid values'}; "
                    f"{len(rest):,} more rows have the same problem "
                    f"(rows {int(loc.rows[rest[0]])} to {int(loc.rows[rest[-1]])})",
                )
            )

    def whole(
        self, loc_file: str, sheet: str | None, column: str | None, expected: str, value=None
    ) -> None:
        self.problems.append(Problem(loc_file, sheet, None, column, value, expected))

    # ----------------------------------------------------------------- one table

    def coerce(
        self, table: Table, frame: pd.DataFrame, file: str, sheet: str | None, rows: np.ndarray
    ) -> Located | None:
        """Map headers, coerce types, check ranges and keys of one table."""
        headers: dict[str, str] = {}
        for raw in frame.columns:
            canon = table.match_header(raw)
            if canon is None:
                self.notes.append(
                    f"{_where(file, sheet)}: ignored column '{raw}' "
                    f"(not a column of table '{table.name}')"
                )
                continue
            if canon in headers:
                self.whole(
                    file,
                    sheet,
                    str(raw),
                    f"one column for '{canon}', but '{headers[canon]}' is also that "
                    "column; remove or rename one",
                )
                continue
            headers[canon] = str(raw)
        for name in table.required_columns:
            if name not in headers:
                col = table.by_name[name]
                others = f" (also accepted: {', '.join(col.aliases)})" if col.aliases else ""
                self.whole(
                    file,
                    sheet,
                    name,
                    f"a column named '{name}'{others}; found columns: "
                    + ", ".join(f"'{c}'" for c in frame.columns),
                )
        if len(frame) == 0 and table.required:
            self.whole(file, sheet, None, "at least one data row below the header")
        loc = Located(
            pd.DataFrame(index=pd.RangeIndex(len(frame))),
            file,
            sheet,
            np.asarray(rows, dtype=np.int64),
            headers,
        )
        out = {}
        for col in table.columns:
            if col.name in headers:
                out[col.name] = self._coerce_column(col, frame[headers[col.name]], loc)
            else:
                out[col.name] = _empty(col, len(frame))
        loc.frame = pd.DataFrame(out, index=pd.RangeIndex(len(frame)), copy=False)  # no stacking
        self._check_keys(table, loc)
        return loc

    def _coerce_column(self, col: Column, s: pd.Series, loc: Located) -> pd.Series:
        s = s.reset_index(drop=True)
        if col.dtype in ("float", "int"):
            result, blank, bad = _to_number(s)
            self.add(loc, bad, col.name, s, col.expected())
            if col.dtype == "int":
                frac = result.notna().to_numpy() & (result.to_numpy() % 1 != 0)
                self.add(loc, frac, col.name, s, col.expected())
            v = result.to_numpy()
            out_of_range = np.zeros(len(v), dtype=bool)
            with np.errstate(invalid="ignore"):
                if col.min is not None:
                    out_of_range |= (v < col.min) if col.min_inclusive else (v <= col.min)
                if col.max is not None:
                    out_of_range |= (v > col.max) if col.max_inclusive else (v >= col.max)
            self.add(loc, out_of_range, col.name, s, col.expected())
        elif col.dtype == "date":
            result, blank, bad = _to_date(s)
            self.add(loc, bad, col.name, s, col.expected())
        elif col.dtype == "category":
            text = _to_text(s)
            blank = text.isna().to_numpy()
            norm = text.str.lower().str.replace(r"[\s\-.]+", "_", regex=True)
            norm = norm.replace(CATEGORY_SYNONYMS)
            ok = norm.isin(col.allowed).to_numpy()
            self.add(loc, ~ok & ~blank, col.name, s, col.expected())
            result = pd.Series(pd.Categorical(norm.where(ok), categories=list(col.allowed)))
        else:
            result = _to_text(s)
            blank = result.isna().to_numpy()
        if col.required:
            self.add(loc, blank, col.name, s, "a value (this column is required)")
        return result

    def _check_keys(self, table: Table, loc: Located) -> None:
        if table.name == "demand" or len(loc.frame) == 0:
            return
        key = list(table.key)
        frame = loc.frame[key]
        complete = (
            frame.notna().all(axis=1)
            if table.name != "counts"
            else frame[["count_date", "sku"]].notna().all(axis=1)
        )
        dup = frame.duplicated(keep="first").to_numpy() & complete.to_numpy()
        if not dup.any():
            return
        first = (
            pd.Series(loc.rows)
            .groupby([frame[k].astype(object).fillna("") for k in key], sort=False)
            .transform("first")
            .to_numpy()
        )
        shown = frame.astype(object).where(frame.notna(), "").astype(str).agg(" / ".join, axis=1)
        names = " + ".join(loc.label(k) for k in key)
        expected = np.array(
            [f"a unique {names} (the same value is already on row {f})" for f in first],
            dtype=object,
        )
        self.add(loc, dup, key[0] if len(key) == 1 else None, shown.to_numpy(), expected)


# ----------------------------------------------------------------- coercion helpers


def _where(file: str, sheet: str | None) -> str:
    return f"{file} [{sheet}]" if sheet else file


def _values_at(values, pos: np.ndarray) -> list:
    if isinstance(values, pd.Series):
        return values.iloc[pos].tolist()
    return [values[p] for p in pos]


def _clean(v):
    if isinstance(v, (np.generic,)):
        v = v.item()
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT:
        return ""
    return v


def _empty(col: Column, n: int) -> pd.Series:
    if col.dtype in ("float", "int"):
        return pd.Series(np.full(n, np.nan))
    if col.dtype == "date":
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype=DATE))
    if col.dtype == "category":
        return pd.Series(pd.Categorical([None] * n, categories=list(col.allowed)))
    return pd.Series([np.nan] * n, dtype=STR)


def _cell_text(v) -> object:
    if v is None:
        return np.nan
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return np.nan
        return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))
    if isinstance(v, (_dt.datetime, pd.Timestamp)):
        return v.isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    return str(v)


def _to_text(s: pd.Series) -> pd.Series:
    """Text with surrounding spaces trimmed; blanks become missing."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories
        if cats.dtype == object or isinstance(cats.dtype, pd.StringDtype):
            if all(isinstance(c, str) for c in cats):  # text categories: no per-row loop
                return _trim(s.astype(STR))
        s = s.astype(object)
    if pd.api.types.is_integer_dtype(s.dtype) and not isinstance(s.dtype, pd.StringDtype):
        t = s.astype(STR)
    elif (
        s.dtype == object
        or pd.api.types.is_float_dtype(s.dtype)
        or pd.api.types.is_bool_dtype(s.dtype)
        or pd.api.types.is_datetime64_any_dtype(s.dtype)
    ):
        t = pd.Series([_cell_text(v) for v in s.astype(object)], dtype=STR)
    else:
        t = s.astype(STR)
    return _trim(t)


def _trim(t: pd.Series) -> pd.Series:
    """Strip surrounding spaces and blank out empty strings, copying only when needed."""
    chunked = getattr(t.array, "_pa_array", None)
    if chunked is not None:
        try:
            if not any(_maybe_padded(c) for c in chunked.chunks):
                return t  # the common case on big clean files: no copy at all
        except Exception:  # fall back to pandas below
            pass
    t = t.str.strip()
    return t.mask(t == "")


#: Bytes that may start or end a padded string: ASCII white space and any UTF-8 lead or
#: continuation byte (a non-ASCII space such as U+00A0); these strings get the exact test.
_EDGE = np.zeros(256, dtype=bool)
_EDGE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_EDGE[128:] = True


def _maybe_padded(chunk) -> bool:
    """Whether an Arrow string chunk has an empty or space-padded value.

    Looks at the first and last byte of every value through the offsets buffer (no
    string is built); only values starting or ending with a suspect byte are tested
    with the regular expression.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
        pattern = pc.match_substring_regex(chunk, r"^\s|\s$")
        return bool(pc.any(pattern).as_py()) or bool(pc.any(pc.equal(chunk, "")).as_py())
    n = len(chunk)
    if n == 0:
        return False
    _, off_buf, data_buf = chunk.buffers()
    off_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(off_buf, dtype=off_type)[chunk.offset : chunk.offset + n + 1]
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    if chunk.null_count:
        valid = chunk.is_valid().to_numpy(zero_copy_only=False)
        if (valid & ~filled).any():
            return True  # an empty string
        filled &= valid
    elif not filled.all():
        return True
    if data_buf is None or not filled.any():
        return False
    data = np.frombuffer(data_buf, dtype=np.uint8)
    if filled.all():  # no nulls: no mask to apply
        suspect = _EDGE[data[starts]]
        suspect |= _EDGE[data[ends - 1]]
        where = np.flatnonzero(suspect)
    else:
        suspect = _EDGE[data[starts[filled]]] | _EDGE[data[ends[filled] - 1]]
        where = np.flatnonzero(filled)[suspect]
    if len(where) == 0:
        return False
    subset = chunk.take(pa.array(where))
    return bool(pc.any(pc.match_substring_regex(subset, r"^\s|\s$")).as_py())


_NUM_CLEAN = re.compile(r"^[\s$€£]*([+-]?)[\s$€£]*(\d{1,3}(?:,\d{3})+|\d*)(\.\d*)?\s*(%?)\s*$")


_DECIMAL_COMMA = re.compile(r"^\s*([+-]?\d+),(\d{1,2})\s*(%?)\s*$")


def _clean_number(text: str) -> float:
    """Parse "$1,234.50", "95%", "12,5" (decimal comma: one or two decimals only)."""
    d = _DECIMAL_COMMA.match(text)
    if d:
        num = float(f"{d.group(1)}.{d.group(2)}")
        return num / 100 if d.group(3) else num
    m = _NUM_CLEAN.match(text)
    if not m or not (m.group(2) or (m.group(3) and len(m.group(3)) > 1)):
        return np.nan
    num = float(m.group(1) + (m.group(2) or "0").replace(",", "") + (m.group(3) or ""))
    return num / 100 if m.group(4) else num


def _to_number(s: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """(values as float64, blank mask, unparseable mask)."""
    if pd.api.types.is_bool_dtype(s.dtype):
        s = s.astype(object)
    if pd.api.types.is_numeric_dtype(s.dtype):
        v = s.to_numpy(dtype=float, na_value=np.nan)
        blank = np.isnan(v)
        bad = np.isinf(v)
        v = np.where(bad, np.nan, v)
        return pd.Series(v, copy=False), blank, bad  # v is a new array (np.where)
    obj = s.astype(object)
    is_bool = (
        np.fromiter((isinstance(x, bool) for x in obj), bool, len(obj))
        if (s.dtype == object)
        else np.zeros(len(obj), bool)
    )
    text = _to_text(s)
    blank = text.isna().to_numpy() | text.str.lower().isin(NA_TOKENS).to_numpy()
    num = np.array(
        pd.to_numeric(text.where(~blank), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    )
    failed = np.isnan(num) & ~blank
    if failed.any():
        idx = np.flatnonzero(failed)
        num[idx] = [_clean_number(t) for t in text.iloc[idx]]
    bad = (np.isnan(num) & ~blank) | np.isinf(num) | is_bool
    num = np.where(bad, np.nan, num)
    return pd.Series(num), blank, bad


def _to_date(s: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_localize(None)
        out = s.astype(DATE)
        blank = out.isna().to_numpy()
        return out.reset_index(drop=True), blank, np.zeros(len(s), bool)
    text = _to_text(s)
    blank = text.isna().to_numpy() | text.str.lower().isin(NA_TOKENS).to_numpy()
    src = text.where(~blank)
    parsed = pd.to_datetime(src, errors="coerce", format="ISO8601")
    failed = parsed.isna().to_numpy() & ~blank
    if failed.any():
        idx = np.flatnonzero(failed)
        retry = pd.to_datetime(src.iloc[idx], errors="coerce", format="mixed", dayfirst=False)
        parsed = parsed.astype(DATE)
        parsed.iloc[idx] = retry.astype(DATE).to_numpy()
    parsed = parsed.astype(DATE)
    bad = parsed.isna().to_numpy() & ~blank
    return parsed.reset_index(drop=True), blank, bad


def table_schema(name: str) -> Table:
    return SCHEMAS[name]
