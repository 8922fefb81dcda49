"""Coercion and validation of raw tables into the typed tables of a Dataset.

Everything here is vectorized over rows: a check builds a boolean mask, and problems are
made only for the rows the mask selects (at most :data:`PER_CHECK_LIMIT` per check and
column, followed by one summary problem, so a ten-million-row file full of errors does
not build ten million objects).
"""

from __future__ import annotations

import calendar
import datetime as _dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._numeric import index_in
from ._safe_export import EXCEL_CELL_MAX_CHARS, unguard_series
from .errors import Problem
from .schema import SCHEMAS, Column, Table, header_unit, normalize_header, unit_conflict

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
    #: For text columns read as categories (a Parquet dictionary): column -> (codes, uniques),
    #: integer ``codes`` (-1 blank) into ``uniques`` (trimmed text, distinct, no blank), so that
    #: later checks look up the distinct values only.
    codes: dict[str, tuple[np.ndarray, pd.Series]] = field(default_factory=dict)

    def label(self, column: str) -> str:
        return self.headers.get(column, column)


class Validator:
    """Collects problems, report rows and notes while tables are coerced and checked."""

    def __init__(self, *, dayfirst: bool | None = None, decimal: str | None = None) -> None:
        self.problems: list[Problem] = []
        self.report: list[tuple[str, int | None, str]] = []
        self.notes: list[str] = []
        self.dayfirst = dayfirst
        self.decimal = decimal
        #: Set when a typed (fast) read may have misread numbers: the caller should read
        #: the file again as text (a decimal-comma file whose column pyarrow made floats).
        self.wants_text = False

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
        self,
        table: Table,
        frame: pd.DataFrame,
        file: str,
        sheet: str | None,
        rows: np.ndarray,
        *,
        delimiter: str | None = None,
    ) -> Located | None:
        """Map headers, coerce types, check ranges and keys of one table.

        ``delimiter`` is the CSV separator of the file, if known: a semicolon suggests a
        decimal comma for numbers nothing else decides (see :func:`_to_number`).
        """
        headers = self._map_headers(table, frame, file, sheet)
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
        hint = {";": ",", ",": "."}.get(delimiter or "")
        # a typed (fast) CSV read took "1.234" for 1.234: unless the file is comma-separated,
        # decimal="." says so or the floats prove a decimal point, see them as written
        recheck = delimiter is not None and (self.decimal or hint) != "."
        out = {}
        for col in table.columns:
            if col.name in headers:
                s = frame[headers[col.name]]
                if recheck and col.dtype in ("float", "int") and s.dtype.kind == "f":
                    self.wants_text |= self.decimal == "," or not _floats_prove_point(s.to_numpy())
                out[col.name] = self._coerce_column(col, s, loc, hint)
            else:
                out[col.name] = _empty(col, len(frame))
        loc.frame = pd.DataFrame(out, index=pd.RangeIndex(len(frame)), copy=False)  # no stacking
        self._check_keys(table, loc)
        return loc

    def _map_headers(
        self, table: Table, frame: pd.DataFrame, file: str, sheet: str | None
    ) -> dict[str, str]:
        """Canonical name -> header as written; notes the columns ignored and why."""
        where = _where(file, sheet)
        candidates: dict[str, list[str]] = {}
        for raw in frame.columns:
            canon = table.match_header(raw)
            if canon is None:
                self.notes.append(
                    f"{where}: ignored column '{raw}' (not a column of table '{table.name}')"
                )
                continue
            candidates.setdefault(canon, []).append(str(raw))
        headers: dict[str, str] = {}
        for canon, raws in candidates.items():
            col = table.by_name[canon]
            ranked = sorted(raws, key=table.header_rank)  # stable: file order among equals
            best = ranked[0]
            headers[canon] = best
            for other in ranked[1:]:
                if normalize_header(other) == normalize_header(best):
                    self.whole(
                        file,
                        sheet,
                        other,
                        f"one column for '{canon}', but '{best}' is also that column; "
                        "remove or rename one",
                    )
                else:
                    self.notes.append(
                        f"{where}: column '{best}' used as {canon}; '{other}' (also a name "
                        f"for {canon}) ignored"
                    )
            unit = header_unit(best)
            conflict = unit_conflict(col, unit)
            if conflict:
                self.whole(
                    file,
                    sheet,
                    best,
                    f"{col.name} in {col.unit}, but the header says {conflict} ('{unit}'): "
                    f"convert the values to {col.unit} and rename the column",
                )
                del headers[canon]
        return headers

    def _coerce_column(
        self, col: Column, s: pd.Series, loc: Located, hint: str | None = None
    ) -> pd.Series:
        s = s.reset_index(drop=True)
        if col.dtype in ("float", "int"):
            parsed = _to_number(s, decimal=self.decimal, hint=hint)
            result, blank, bad = parsed.values, parsed.blank, parsed.bad
            self._issue(loc, col, parsed)
            expected = col.expected()
            if parsed.expected:
                expected = f"{expected}, {parsed.expected.removeprefix('a number ')}"
            self.add(loc, bad, col.name, s, expected)
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
            parsed = _to_date(s, dayfirst=self.dayfirst, excel=loc.sheet is not None)
            result, blank, bad = parsed.values, parsed.blank, parsed.bad
            self._issue(loc, col, parsed)
            self.add(loc, bad, col.name, s, parsed.expected or col.expected())
            if parsed.old is not None:
                self.add(loc, parsed.old, col.name, s, BEFORE_1900)
        elif col.dtype == "category":
            text = _to_text(s)
            blank = text.isna().to_numpy()
            codes, uniq = pd.factorize(text)  # normalised once per distinct value
            u = pd.Series(np.asarray(uniq, dtype=object), dtype=STR)
            u = u.str.lower().str.replace(r"[\s\-.]+", "_", regex=True)
            u = u.replace(CATEGORY_SYNONYMS)
            norm = pd.Series(np.append(u.to_numpy(dtype=object), np.nan)[codes], dtype=STR)
            ok = norm.isin(col.allowed).to_numpy()
            self.add(loc, ~ok & ~blank, col.name, s, col.expected())
            result = pd.Series(pd.Categorical(norm.where(ok), categories=list(col.allowed)))
        elif isinstance(s.dtype, pd.CategoricalDtype):
            result, codes, uniques = _category_text(s)
            loc.codes[col.name] = (codes, uniques)
            blank = codes < 0
            self._check_length(loc, col, result)
        else:
            result = _to_text(s)
            blank = result.isna().to_numpy()
            self._check_length(loc, col, result)
        if col.required:
            self.add(loc, blank, col.name, s, "a value (this column is required)")
        return result

    def _check_length(self, loc: Located, col: Column, text: pd.Series) -> None:
        """A text longer than an Excel cell holds (32,767 characters) is a problem: a
        workbook could not carry it whole (Excel and openpyxl cut it). The value is shown
        cut to its first 24 characters, with its length."""
        long = _too_long(text)
        if long is None:
            return
        pos = np.flatnonzero(long)
        lengths = text.iloc[pos].str.len().to_numpy()
        shown = pd.Series(None, index=pd.RangeIndex(len(text)), dtype=object)
        shown.iloc[pos] = [
            f"{v[:24]}... ({n:,} characters)" for v, n in zip(text.iloc[pos], lengths, strict=True)
        ]
        self.add(
            loc,
            long,
            col.name,
            shown,
            f"text of at most {EXCEL_CELL_MAX_CHARS:,} characters (the most an Excel cell "
            "holds); shorten it",
        )

    def _issue(self, loc: Located, col: Column, parsed: Parsed) -> None:
        """Report a column that reads two ways, or two cells that contradict."""
        issue = parsed.issue
        label = loc.label(col.name)
        if isinstance(issue, Ambiguous):
            self.problems.append(
                Problem(loc.file, loc.sheet, None, label, issue.example, issue.expected)
            )
        elif isinstance(issue, Conflict):
            for (p, value, what), (q, other, other_what) in (
                (issue.first, issue.second),
                (issue.second, issue.first),
            ):
                self.problems.append(
                    Problem(
                        loc.file,
                        loc.sheet,
                        int(loc.rows[p]),
                        label,
                        value,
                        f"{issue.subject}: this value is {what}, but row {int(loc.rows[q])} "
                        f"({other!r}) is {other_what}; {issue.fix}",
                    )
                )

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
    """Text with surrounding spaces trimmed; blanks become missing; the apostrophe the
    workbench's CSV exports put before a would-be formula removed (``'=x`` is ``=x``, see
    :func:`workbench.data._safe_export.unguard_text`)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return _category_text(s)[0]
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
    return unguard_series(_trim(t))


def _too_long(text: pd.Series) -> np.ndarray | None:
    """Mask of the values longer than an Excel cell holds, None when there are none.

    Looks at byte lengths first (a character is at least one byte), so a clean column is
    checked without counting characters."""
    chunked = getattr(text.array, "_pa_array", None)
    if chunked is not None:
        import pyarrow.compute as pc

        longest = pc.max(pc.binary_length(chunked)).as_py()
        if longest is None or longest <= EXCEL_CELL_MAX_CHARS:
            return None
    long = (text.str.len() > EXCEL_CELL_MAX_CHARS).fillna(False).to_numpy(dtype=bool)
    return long if long.any() else None


def _category_text(s: pd.Series) -> tuple[pd.Series, np.ndarray, pd.Series]:
    """Text of a categorical column, its codes and distinct values, working on the categories.

    The categories are made text and trimmed as any text column (two categories may become
    one, and a blank one becomes missing); the codes are remapped to the distinct results
    and the text column is built once, by an Arrow ``take`` (no Python object per row).

    Returns
    -------
    text : pandas.Series
        Dtype ``str``, as :func:`_to_text` gives for a text column.
    codes : numpy.ndarray of int8, int16 or int32
        Per row, the position of its value in ``uniques``; -1 for a missing value.
    uniques : pandas.Series
        Distinct values, dtype ``str``, no missing value.
    """
    import pyarrow as pa

    index = s.cat.categories
    if isinstance(index.dtype, pd.StringDtype):  # text already: no Python object per value
        cats = pd.Series(index.astype(STR).array)
    else:  # numbers, dates, mixed: each made text as in any cell
        cats = pd.Series(np.asarray(index, dtype=object), dtype=object)
    cat_codes = s.cat.codes.to_numpy()  # int8, int16 or int32 by the number of categories
    if len(cats) == 0:
        text = pd.Series(np.full(len(s), np.nan, dtype=object), dtype=STR)
        return text, np.full(len(s), -1, dtype=np.int32), pd.Series([], dtype=STR)
    ucodes, uniq = pd.factorize(_to_text(cats))  # categories' text: blank -> -1
    uniques = pd.Series(np.asarray(uniq, dtype=object), dtype=STR)
    if np.array_equal(ucodes, np.arange(len(cats))):
        codes = cat_codes  # trimming changed nothing: the codes stand
    else:
        codes = np.append(ucodes, -1).astype(cat_codes.dtype)[cat_codes]  # -1 stays -1
    mask = codes < 0 if len(codes) and codes.min() < 0 else None  # no 10 M-row mask if none
    dictionary = pa.array(np.asarray(uniques, dtype=object), type=pa.large_string())
    indices = pa.array(codes, mask=mask)
    text = pd.Series(pd.array(dictionary.take(indices), dtype=STR), copy=False)
    return text, codes, uniques


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


# ----------------------------------------------------------------- numbers

#: A number as written: optional sign, currency sign or code, digits with separators,
#: optional exponent, optional percent sign.
_NUM_RE = (
    r"^(?P<s1>[+-]?)\s*(?:[$€£¥]|usd|eur|gbp|chf)?\s*(?P<s2>[+-]?)\s*"
    r"(?P<body>\d[\d.,]*|[.,]\d+)(?P<exp>e[+-]?\d+)?\s*(?:[$€£¥]|usd|eur|gbp|chf)?\s*(?P<pct>%?)$"
)
#: Valid bodies with a decimal point (thousands commas in groups of three) ...
_POINT_OK = r"(?:\d+|[1-9]\d{0,2}(?:,\d{3})+)(?:\.\d*)?|\.\d+"
#: ... and with a decimal comma (thousands dots in groups of three).
_COMMA_OK = r"(?:\d+|[1-9]\d{0,2}(?:\.\d{3})+)(?:,\d*)?|,\d+"
_DECIMAL_WORDS = {".": "decimal point", ",": "decimal comma"}

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


@dataclass
class Parsed:
    """A coerced column: values, blank and bad masks, and a problem with the whole column.

    ``issue`` is None, an :class:`Ambiguous` column (it cannot be read without a choice
    from the user) or a :class:`Conflict` (two of its cells contradict each other).
    ``old`` marks dates before 1900.
    """

    values: pd.Series
    blank: np.ndarray
    bad: np.ndarray
    expected: str | None = None
    issue: Ambiguous | Conflict | None = None
    old: np.ndarray | None = None


@dataclass
class Ambiguous:
    """A column that reads two ways; ``expected`` says how to choose."""

    expected: str
    example: str


@dataclass
class Conflict:
    """Two cells of a column that prove opposite conventions (positions in the column)."""

    subject: str  # "dates in one order"
    fix: str
    first: tuple[int, str, str]  # position, value, what it is ("day/month/year")
    second: tuple[int, str, str]

    def moved(self, pos: np.ndarray) -> Conflict:
        """The same conflict with positions mapped through ``pos``."""
        a, b = self.first, self.second
        return Conflict(
            self.subject, self.fix, (int(pos[a[0]]), a[1], a[2]), (int(pos[b[0]]), b[1], b[2])
        )


def _kinds(obj: np.ndarray) -> np.ndarray:
    """Per cell of an object column: 0 blank, 1 date/time, 2 number, 3 text, 4 other."""

    def kind(x) -> int:
        if x is None or x is pd.NaT or x is pd.NA:
            return 0
        if isinstance(x, str):
            return 3
        if isinstance(x, (bool, np.bool_)):
            return 4
        if isinstance(x, (int, float, np.integer, np.floating)):
            return 0 if x != x else 2
        if isinstance(x, (_dt.date, np.datetime64)):
            return 1
        return 4

    return np.fromiter((kind(x) for x in obj), np.int8, len(obj))


def _first_row(codes: np.ndarray, k: int) -> int:
    return int(np.flatnonzero(codes == k)[0])


def _floats_prove_point(v: np.ndarray) -> bool:
    """Whether floats a CSV reader parsed show that the file writes a decimal point.

    A value with a fraction that is below 1, at least 1000 or not a whole number of
    thousandths cannot have been a thousands-dotted ``1.234``; other columns (only values
    such as 1.234 or 2.5, which may have been written ``2.500``) must be read as text.
    """
    v = v[np.isfinite(v)]
    frac = v % 1 != 0
    milli = v * 1000
    return bool(
        (frac & ((v < 1) | (v >= 1000) | (np.abs(milli - np.round(milli)) > 1e-6 * milli))).any()
    )


def _to_number(s: pd.Series, *, decimal: str | None = None, hint: str | None = None) -> Parsed:
    """Parse a column of numbers, deciding its decimal separator once for all its cells.

    ``decimal`` is the user's choice ("." or ","; None: decide from the cells, then from
    ``hint``, the separator the file suggests: "," for a semicolon-separated CSV).
    """
    if pd.api.types.is_bool_dtype(s.dtype):
        s = s.astype(object)
    n = len(s)
    if pd.api.types.is_numeric_dtype(s.dtype):
        v = s.to_numpy(dtype=float, na_value=np.nan)  # float64 column: a view, no copy
        blank = np.isnan(v)
        bad = np.isinf(v)
        if s.dtype == np.float64 and not bad.any():
            return Parsed(s, blank, bad)  # the column itself: pandas copies it if written to
        return Parsed(pd.Series(np.where(bad, np.nan, v)), blank, bad)
    num = np.full(n, np.nan)
    blank = np.zeros(n, bool)
    bad = np.zeros(n, bool)
    if s.dtype == object:
        obj = s.to_numpy(dtype=object)
        kinds = _kinds(obj)
        blank |= kinds == 0
        bad |= (kinds == 1) | (kinds == 4)
        is_num = kinds == 2
        if is_num.any():
            num[is_num] = obj[is_num].astype(float)
        text_pos = np.flatnonzero(kinds == 3)
        text = _trim(pd.Series(obj[text_pos], dtype=STR)) if len(text_pos) else None
    else:
        text_pos = None
        text = _to_text(s)
    if text is not None and len(text):
        tnum, tblank, tbad, issue, expected = _text_numbers(text, decimal, hint)
        if text_pos is None:
            num, blank, bad = tnum, tblank, tbad
        else:
            num[text_pos], blank[text_pos], bad[text_pos] = tnum, tblank, tbad
            if isinstance(issue, Conflict):
                issue = issue.moved(text_pos)
    else:
        issue, expected = None, None
    bad |= np.isinf(num)
    num = np.where(bad, np.nan, num)
    return Parsed(pd.Series(num), blank, bad, expected, issue)


def _text_numbers(text: pd.Series, decimal: str | None, hint: str | None):
    codes, uniq = pd.factorize(text)
    u = pd.Series(np.asarray(uniq, dtype=object), dtype=STR)
    ublank = u.str.lower().isin(NA_TOKENS).to_numpy()
    m = u.str.lower().str.extract(_NUM_RE)
    body = m["body"]
    has_sep = body.str.contains(r"[.,]", regex=True).fillna(False).to_numpy(bool)
    point_ok = body.str.fullmatch(_POINT_OK).fillna(False).to_numpy(bool) & ~ublank
    comma_ok = body.str.fullmatch(_COMMA_OK).fillna(False).to_numpy(bool) & ~ublank
    has_exp = m["exp"].fillna("").str.len().to_numpy() > 0
    comma_ok &= ~has_exp  # 1,5e3 is not a number anybody writes
    proves_point = point_ok & ~comma_ok & has_sep
    proves_comma = comma_ok & ~point_ok & has_sep
    ambiguous = point_ok & comma_ok & has_sep
    issue = None
    expected = None
    if decimal is not None:
        sep = decimal
        expected = f"a number written with a {_DECIMAL_WORDS[sep]} (decimal={sep!r})"
    elif proves_point.any() and proves_comma.any():
        kp, kc = int(np.argmax(proves_point)), int(np.argmax(proves_comma))
        issue = Conflict(
            "one decimal separator in a column",
            "fix the odd one, or pass decimal='.' or decimal=',' (in the dashboard, choose "
            "the decimal separator in the Data tab) to read the column one way",
            (_first_row(codes, kp), str(uniq[kp]), "written with a decimal point"),
            (_first_row(codes, kc), str(uniq[kc]), "written with a decimal comma"),
        )
        sep = None
    elif proves_point.any():
        sep = "."
    elif proves_comma.any():
        sep = ","
    elif ambiguous.any() and hint in (".", ","):
        sep = hint
    elif ambiguous.any():
        k = int(np.argmax(ambiguous))
        ex = str(uniq[k])
        as_point = float(ex.replace(",", "")) if "," in ex else float(ex)
        as_comma = float(ex.replace(".", "").replace(",", "."))
        issue = Ambiguous(
            f"numbers with a known decimal separator: {ex!r} could be {as_point:g} or "
            f"{as_comma:g} and no value in this column settles it; pass decimal='.' for "
            f"{as_point:g} or decimal=',' for {as_comma:g} (in the dashboard, choose the "
            "decimal separator in the Data tab)",
            ex,
        )
        sep = None
    else:
        sep = "."
    if sep is None:  # the column cannot be read: its values are left missing
        values = np.full(len(uniq), np.nan)
        ubad = np.zeros(len(uniq), bool)
    else:
        ok = point_ok if sep == "." else comma_ok
        other = "," if sep == "." else "."
        clean = body.where(ok).str.replace(other, "", regex=False)
        if sep == ",":
            clean = clean.str.replace(",", ".", regex=False)
        clean = clean + m["exp"].fillna("")
        values = pd.to_numeric(clean, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        neg = ((m["s1"] == "-") ^ (m["s2"] == "-")).fillna(False).to_numpy(bool)
        values = np.where(neg, -values, values)
        values = np.where(m["pct"].fillna("").to_numpy() == "%", values / 100, values)
        ubad = np.isnan(values) & ~ublank
    # map the unique values back to the rows (code -1 is a blank cell)
    values = np.append(values, np.nan)[codes]
    blank = np.append(ublank, True)[codes]
    bad = np.append(ubad, False)[codes]
    return values, blank, bad, issue, expected


# ----------------------------------------------------------------- dates

_TIME = (
    r"(?:(?:t|\s+)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<F>\d{1,9}))?)?"
    r"\s*(?P<P>[ap])?\.?(?:m\.?)?\s*(?:z|[+-]\d{2}:?\d{2})?)?"
)
#: Dates with digits only: year first (ISO 2026-10-31, 2026/10/31), day and month first
#: in an order decided per column (31/10/2026, 10/31/26, 31.10.2026), or yyyymmdd.
_DATE_RE = (
    r"^(?:(?P<y1>\d{4})(?P<s1>[-/.])(?P<m1>\d{1,2})(?P=s1)(?P<d1>\d{1,2})"
    r"|(?P<a>\d{1,2})(?P<s2>[-/.])(?P<b>\d{1,2})(?P=s2)(?P<y2>\d{4}|\d{2})"
    r"|(?P<c8>(?:19|20)\d{6}))" + _TIME + "$"
)
_MONTH_NAME = r"(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
OLDEST = np.datetime64("1900-01-01", "us")
PLAIN_NUMBER = (
    "a date such as 2026-10-31 (a plain number is not read as a date; if it is an Excel "
    "date serial, format the column as dates in Excel before saving, or send the .xlsx)"
)
BEFORE_1900 = "a date on or after 1900-01-01"


def _to_date(s: pd.Series, *, dayfirst: bool | None = None, excel: bool = False) -> Parsed:
    """Parse a date column, deciding once for the whole column how its dates are written.

    ``dayfirst`` is the user's choice for day/month dates (None: decide from the cells);
    ``excel`` says the column comes from an Excel sheet, where numbers are date serials.
    """
    n = len(s)
    expected = None
    issue = None
    same = None
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_localize(None)
        same = s.astype(DATE).reset_index(drop=True)  # no copy (pandas copies on write)
        out = same.to_numpy()
        blank = np.isnat(out)
        bad = np.zeros(n, bool)
    elif pd.api.types.is_bool_dtype(s.dtype):
        out = np.full(n, np.datetime64("NaT"), dtype=DATE)
        blank = np.zeros(n, bool)
        bad = np.ones(n, bool)
    elif pd.api.types.is_numeric_dtype(s.dtype):
        out, blank, bad = _number_dates(s.to_numpy(dtype=float, na_value=np.nan), excel)
        expected = None if excel else PLAIN_NUMBER
    else:
        out = np.full(n, np.datetime64("NaT"), dtype=DATE)
        blank = np.zeros(n, bool)
        bad = np.zeros(n, bool)
        if s.dtype == object:
            obj = s.to_numpy(dtype=object)
            kinds = _kinds(obj)
            blank |= kinds == 0
            bad |= kinds == 4
            is_date = np.flatnonzero(kinds == 1)
            if len(is_date):
                out[is_date] = _object_dates(obj[is_date])
            is_num = np.flatnonzero(kinds == 2)
            if len(is_num):
                o, b, x = _number_dates(obj[is_num].astype(float), excel)
                out[is_num], blank[is_num], bad[is_num] = o, b, x
                expected = None if excel else PLAIN_NUMBER
            text_pos = np.flatnonzero(kinds == 3)
            text = _trim(pd.Series(obj[text_pos], dtype=STR)) if len(text_pos) else None
        else:
            text_pos = None
            text = _to_text(s)
        if text is not None and len(text):
            o, b, x, issue, texp = _text_dates(text, dayfirst)
            expected = texp or expected
            if text_pos is None:
                out, blank, bad = o, b, x
            else:
                out[text_pos], blank[text_pos], bad[text_pos] = o, b, x
                if isinstance(issue, Conflict):
                    issue = issue.moved(text_pos)
    old = out < OLDEST  # False for NaT
    if old.any():
        out = out.copy()
        out[old] = np.datetime64("NaT")
    elif same is not None:
        return Parsed(same, blank, bad, expected, issue, old)
    return Parsed(pd.Series(out, dtype=DATE), blank, bad, expected, issue, old)


def _object_dates(values: np.ndarray) -> np.ndarray:
    try:
        return pd.to_datetime(pd.Series(values, dtype=object)).astype(DATE).to_numpy()
    except (TypeError, ValueError, OverflowError):  # time zones or odd objects: one by one
        out = []
        for x in values:
            try:
                t = pd.Timestamp(x)
                out.append(t.tz_localize(None) if t.tzinfo else t)
            except (TypeError, ValueError, OverflowError):
                out.append(pd.NaT)
        return pd.Series(out, dtype="datetime64[ns]").astype(DATE).to_numpy()


def _number_dates(v: np.ndarray, excel: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Numbers in a date column: yyyymmdd, or (Excel only) a date serial."""
    blank = np.isnan(v)
    out = np.full(len(v), np.datetime64("NaT"), dtype=DATE)
    whole = ~blank & (v % 1 == 0)
    ymd = whole & (v >= 19000101) & (v <= 20991231)
    if ymd.any():
        x = v[ymd].astype(np.int64)
        parts = pd.DataFrame({"year": x // 10000, "month": x // 100 % 100, "day": x % 100})
        out[ymd] = pd.to_datetime(parts, errors="coerce").astype(DATE).to_numpy()
    if excel:
        serial = ~blank & ~ymd & (v >= 1) & (v <= EXCEL_MAX_SERIAL)
        if serial.any():
            x = v[serial]
            # Excel counts 1900-02-29, which did not exist: serials before 61 start a day later
            epoch = np.where(x < 61, EXCEL_EPOCH + 1, EXCEL_EPOCH).astype(DATE)
            us = np.round(x * 86_400e6).astype(np.int64).astype("timedelta64[us]")
            out[serial] = epoch + us
    bad = ~blank & np.isnat(out)
    return out, blank, bad


def _text_dates(text: pd.Series, dayfirst: bool | None):
    """Dates written as text, parsed once per distinct value."""
    codes, uniq = pd.factorize(text)
    u = pd.Series(np.asarray(uniq, dtype=object), dtype=STR)
    ublank = u.str.lower().isin(NA_TOKENS).to_numpy()
    m = u.str.lower().str.extract(_DATE_RE)

    def ints(col: str) -> np.ndarray:
        return pd.to_numeric(m[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    a, b = ints("a"), ints("b")
    dm = ~np.isnan(a) & ~ublank
    issue = None
    expected = None
    order = dayfirst  # True: day/month/year; False: month/day/year
    if dm.any():
        proves_day = dm & (a > 12) & (b <= 12)
        proves_month = dm & (b > 12) & (a <= 12)
        differ = dm & (a != b)
        dotted = (m["s2"] == ".").to_numpy(bool)
        if dayfirst is not None:
            pass
        elif proves_day.any() and proves_month.any():
            kd, km = int(np.argmax(proves_day)), int(np.argmax(proves_month))
            issue = Conflict(
                "dates in one order in a column",
                "fix the odd one (a column's dates are read in one order)",
                (_first_row(codes, kd), str(uniq[kd]), "day/month/year"),
                (_first_row(codes, km), str(uniq[km]), "month/day/year"),
            )
            order = None
        elif proves_day.any():
            order = True
        elif proves_month.any():
            order = False
        elif not differ.any():
            order = True  # 01/01/2026, 05/05/2026: both orders agree
        elif dotted[dm].all():
            order = True  # 03.04.2026 is day first wherever dots are written
        else:
            k = int(np.argmax(differ))
            ex, d1, d2 = str(uniq[k]), int(a[k]), int(b[k])
            day_first = f"{d1} {calendar.month_name[d2]}"
            month_first = f"{calendar.month_name[d1]} {d2}"
            issue = Ambiguous(
                f"dates in a known order: {ex!r} could be {day_first} or {month_first} "
                f"and no date in this column settles it; pass dayfirst=True for {ex} = "
                f"{day_first}, or dayfirst=False for {month_first} (in the dashboard, choose "
                "the date order in the Data tab)",
                ex,
            )
            order = None
        if order is not None:
            expected = "a date such as 2026-10-31 (this column is read as " + (
                "day/month/year)" if order else "month/day/year)"
            )
    year = ints("y1")
    month = ints("m1")
    day = ints("d1")
    if dm.any() and order is not None:
        y2 = ints("y2")
        short = (m["y2"].str.len() == 2).fillna(False).to_numpy(bool)
        y2 = np.where(short, np.where(y2 < 69, 2000 + y2, 1900 + y2), y2)
        year = np.where(dm, y2, year)
        month = np.where(dm, b if order else a, month)
        day = np.where(dm, a if order else b, day)
    c8 = m["c8"]
    has8 = c8.notna().to_numpy(bool)
    if has8.any():
        x = pd.to_numeric(c8, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        year = np.where(has8, x // 10000, year)
        month = np.where(has8, x // 100 % 100, month)
        day = np.where(has8, x % 100, day)
    hour = np.nan_to_num(ints("H"))
    pm = (m["P"] == "p").to_numpy(bool)
    am = (m["P"] == "a").to_numpy(bool)
    hour = np.where(pm | am, np.where(hour > 12, np.nan, hour % 12 + 12 * pm), hour)
    frac = m["F"].fillna("").str.slice(0, 6).str.pad(6, side="right", fillchar="0")
    parts = pd.DataFrame(
        {
            "year": year,
            "month": month,
            "day": day,
            "hour": hour,
            "minute": np.nan_to_num(ints("M")),
            "second": np.nan_to_num(ints("S")),
            "us": pd.to_numeric(frac).to_numpy(float),
        }
    )
    ok = ~np.isnan(year) & ~np.isnan(month) & ~np.isnan(day) & ~np.isnan(hour)
    values = np.full(len(uniq), np.datetime64("NaT"), dtype=DATE)
    if ok.any():
        values[ok] = pd.to_datetime(parts[ok], errors="coerce").astype(DATE).to_numpy()
    rest = np.isnat(values) & ~ublank & ~ok & u.str.contains(_MONTH_NAME).fillna(False).to_numpy()
    if rest.any():  # "3 Jan 2026", "January 3, 2026": the month is spelled out
        values[rest] = (
            pd.to_datetime(u[rest], format="mixed", dayfirst=bool(order), errors="coerce")
            .astype(DATE)
            .to_numpy()
        )
    ubad = np.isnat(values) & ~ublank
    if issue is not None:
        ubad &= ~dm  # the column-wide problem stands for these values
    plain = u.str.fullmatch(r"\d+(?:\.\d+)?").fillna(False).to_numpy(bool) & ubad
    if plain.any() and expected is None:
        expected = PLAIN_NUMBER
    out = np.append(values, np.datetime64("NaT")).astype(DATE)[codes]
    blank = np.append(ublank, True)[codes]
    bad = np.append(ubad, False)[codes]
    return out, blank, bad, issue, expected


def table_schema(name: str) -> Table:
    return SCHEMAS[name]
