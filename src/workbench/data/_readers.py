"""Readers that turn user files into raw frames, keeping the user's row numbers.

Every reader returns :class:`RawTable` objects or adds :class:`Problem` objects; no
pandas, pyarrow or calamine exception escapes from here.

Rules the readers follow
------------------------
- One table, one source: two files, two sheets, or a file and a sheet that are the same
  table (``demand`` and its alias ``sales``) are a problem naming both.
- The header is the first row naming every required column of the table; title rows
  above it (a report title, a date line, blank lines) are skipped with a note, and row
  numbers stay those of the file. When no row names them all, the first non-blank row is
  the header.
- Text encodings: a file is read as UTF-8 (with or without BOM), or as UTF-16 when it
  starts with a UTF-16 byte-order mark (Excel's "Unicode text" export). A file that is not
  valid UTF-8 is read as Windows-1252 when it holds no more valid multi-byte UTF-8
  sequences than invalid bytes (a file saved by a Windows program); otherwise it is UTF-8
  with a few stray bytes, and each row holding one is a problem (the text is quoted with
  the bad bytes shown as �). Any encoding other than UTF-8 is mentioned in the notes.
- Excel workbooks are read with calamine (python-calamine, values as last saved by
  Excel). A formula cell without a saved value (a file written by a program that does not
  compute formulas) and merged cells in a data column are problems naming the cells.
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import Problem
from .schema import SCHEMAS, table_for_name

__all__ = ["RawTable", "collect_sources"]

CSV_EXT = {".csv", ".txt", ".tsv"}
PARQUET_EXT = {".parquet", ".pq"}
EXCEL_EXT = {".xlsx", ".xlsm"}
ZIP_EXT = {".zip"}

#: How far down a file the header row is looked for.
HEADER_SEARCH_ROWS = 30
#: Cells listed one by one for one sheet's formula or encoding problems; then a summary.
CELL_PROBLEM_LIMIT = 100
STR = pd.StringDtype(na_value=np.nan)


@dataclass
class RawTable:
    """A table as read from a file, before coercion.

    ``rows`` holds, for each frame row, its row number as the user sees it.
    """

    table: str
    frame: pd.DataFrame
    file: str
    sheet: str | None
    rows: np.ndarray
    #: For a fast (typed) read: re-reads the file as text, to quote bad values as written.
    reread: Callable[[], Collected] | None = None
    #: The CSV separator (None for other formats): ";" hints at decimal commas.
    delimiter: str | None = None


@dataclass
class Collected:
    raws: list[RawTable]
    problems: list[Problem]
    report: list[tuple[str, int, str]]
    notes: list[str]


def _where(file: str, sheet: str | None) -> str:
    return f"{file} [{sheet}]" if sheet else file


# --------------------------------------------------------------------------- header row


def _header_score(cells: Sequence, table: str) -> int:
    """How many of the table's required columns these cells name."""
    schema = SCHEMAS[table]
    found = {schema.match_header(c) for c in cells if isinstance(c, str) and c.strip()}
    return len(found & set(schema.required_columns))


def _pick_header(candidates: list[tuple[int, Sequence]], table: str) -> tuple[int, int | None]:
    """(index in candidates of the header, index of a better partial header or None).

    ``candidates`` are the first non-blank rows as (row number, cells).
    """
    need = len(SCHEMAS[table].required_columns)
    scores = [_header_score(cells, table) for _, cells in candidates]
    for i, s in enumerate(scores):
        if s == need:
            return i, None
    best = int(np.argmax(scores)) if scores else 0
    if scores and scores[best] > scores[0]:
        return 0, best
    return 0, None


def _header_found(
    candidates: list[tuple[int, Sequence]],
    table: str,
    file: str,
    sheet: str | None,
    out: Collected,
) -> int:
    """Index in candidates of the header row, with the note or hint problem it needs."""
    pick, partial = _pick_header(candidates, table)
    if pick > 0:
        row = candidates[pick][0]
        above = "row 1" if row == 2 else f"rows 1-{row - 1}"
        out.notes.append(
            f"{_where(file, sheet)}: started at row {row} (the header); {above} above it skipped"
        )
    elif partial is not None:
        row, cells = candidates[partial]
        schema = SCHEMAS[table]
        named = {schema.match_header(c) for c in cells if isinstance(c, str)}
        missing = [c for c in schema.required_columns if c not in named]
        out.problems.append(
            Problem(
                file,
                sheet,
                row,
                None,
                None,
                f"the header row (the column names) at the top: row {row} looks like the "
                f"header but lacks {', '.join(repr(m) for m in missing)}; name those "
                f"columns and delete the {row - 1} rows above the header",
            )
        )
    return pick


# --------------------------------------------------------------------------- sniffing


def _not_a_table(head: bytes) -> str | None:
    """A reason why these first bytes cannot be a text table, or None."""
    if not head.strip():
        return None
    if head.startswith(b"%PDF"):
        return "a table (CSV text with a header row), but this is a PDF document"
    if head.startswith(b"PK\x03\x04"):
        return "a table (CSV text with a header row), but this is a zip or Excel file"
    if b"\x00" in head[:4096]:
        return "a table (CSV text with a header row), but this is a binary file"
    return None


_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def _decode(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) following the rules in the module docstring; None if undecodable.

    The encoding is ``"utf-8"``, ``"utf-8 with stray bytes"``, ``"UTF-16"`` or
    ``"Windows-1252"``.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    valid = len(_UTF8_MULTIBYTE.findall(data))
    if valid and text.count("\ufffd") <= valid:
        return text, "utf-8 with stray bytes"
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return None


def _stray_byte_problems(text: str, file: str, out: Collected) -> None:
    """One problem per line holding an undecodable byte (shown as U+FFFD)."""
    all_lines = text.split("\n")
    lines = [i for i, line in enumerate(all_lines, start=1) if "\ufffd" in line]
    expected = (
        "UTF-8 text, but this row has bytes that are not UTF-8 (shown as �); retype the "
        "characters, or save the file as UTF-8"
    )
    for n in lines[:CELL_PROBLEM_LIMIT]:
        line = all_lines[n - 1].rstrip("\r")
        k = line.index("\ufffd")
        shown = line[max(k - 20, 0) : k + 20]
        out.problems.append(Problem(file, None, n, None, shown, expected))
    if len(lines) > CELL_PROBLEM_LIMIT:
        rest = lines[CELL_PROBLEM_LIMIT:]
        out.problems.append(
            Problem(
                file,
                None,
                None,
                None,
                None,
                f"UTF-8 text; {len(rest):,} more rows have bytes that are not UTF-8 "
                f"(rows {rest[0]} to {rest[-1]})",
            )
        )


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _csv_header(text: str, table: str, file: str, out: Collected) -> tuple[int, str]:
    """(0-based line index of the header, delimiter), looking past title lines."""
    end = 0
    for _ in range(HEADER_SEARCH_ROWS):  # the first lines only: no copy of a big file
        end = text.find("\n", end) + 1
        if end == 0:
            end = len(text)
            break
    lines = text[:end].split("\n")
    candidates: list[tuple[int, Sequence]] = []
    seps: list[str] = []
    for i, line in enumerate(lines):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        sep = _delimiter(line)
        try:
            cells = next(csv.reader([line], delimiter=sep), [])
        except csv.Error:
            cells = []
        candidates.append((i + 1, cells))
        seps.append(sep)
    if not candidates:
        return 0, ","
    pick = _header_found(candidates, table, file, None, out)
    return candidates[pick][0] - 1, seps[pick]


# --------------------------------------------------------------------------- CSV


def read_csv(data: bytes, file: str, table: str, out: Collected) -> None:
    """Read CSV bytes into ``out``; fast pyarrow path, exact python path as fallback."""
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    reason = None if utf16 else _not_a_table(data[:8192])
    if reason:
        out.problems.append(Problem(file, None, None, None, None, reason))
        return
    decoded = _decode(data)
    if decoded is None:
        out.problems.append(
            Problem(file, None, None, None, None, "a text file (UTF-8, UTF-16 or Windows encoding)")
        )
        return
    text, encoding = decoded
    if not text.strip():
        out.problems.append(Problem(file, None, None, None, None, "a table, but the file is empty"))
        return
    if encoding == "utf-8 with stray bytes":
        _stray_byte_problems(text, file, out)
    elif encoding != "utf-8":
        out.notes.append(f"{file}: read as {encoding} text (not UTF-8)")
    skip, sep = _csv_header(text, table, file, out)
    if skip:  # the header is on line skip + 1: read from there, numbering rows as the file
        cut = 0
        for _ in range(skip):
            cut = text.index("\n", cut) + 1
        body = text[cut:]
    else:
        body = text
    frame = None
    if not body.startswith(("\n", "\r")):
        if encoding == "utf-8" and not skip:
            raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        else:
            raw = body.encode("utf-8")
        frame = _fast_csv(raw, sep, table)
        if frame is not None:
            n_lines = body.count("\n") + (0 if body.endswith("\n") else 1)
            if len(frame) != n_lines - 1:  # blank lines or multi-line cells: numbers unsure
                frame = None
    if frame is not None:
        rows = np.arange(skip + 2, skip + len(frame) + 2, dtype=np.int64)

        def reread() -> Collected:
            again = Collected([], [], [], [])
            _slow_csv(body, sep, file, table, again, first_line=skip + 1)
            return again

        out.raws.append(RawTable(table, frame, file, None, rows, reread, delimiter=sep))
        return
    _slow_csv(body, sep, file, table, out, first_line=skip + 1)


def _fast_csv(data: bytes, sep: str, table: str) -> pd.DataFrame | None:
    """Read with pyarrow; None when anything is unusual (then the exact reader runs)."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        header = next(
            csv.reader([data.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")], delimiter=sep)
        )
        schema = SCHEMAS.get(table)
        types = {}
        for h in header:
            name = schema.match_header(h) if schema else None
            col = schema.by_name.get(name) if name else None
            if col is None or col.dtype in ("string", "category"):
                types[h] = pa.string()
        tbl = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
        if len(set(tbl.column_names)) != len(tbl.column_names):
            return None
        return tbl.to_pandas(date_as_object=False)
    except Exception:  # any surprise: the exact reader will report it precisely
        return None


def _slow_csv(
    text: str, sep: str, file: str, table: str, out: Collected, first_line: int = 1
) -> None:
    """Read with the csv module, tracking each record's line number exactly.

    ``first_line`` is the file's line number of the first line of ``text``.
    """
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        header: list[str] | None = None
        records: list[list[str]] = []
        lines: list[int] = []
        start = first_line
        for rec in reader:
            line = start
            start = reader.line_num + first_line
            if not any(cell.strip() for cell in rec):
                continue
            if header is None:
                header = rec
                continue
            if len(rec) != len(header):
                if len(rec) > len(header) and not any(c.strip() for c in rec[len(header) :]):
                    rec = rec[: len(header)]
                elif len(rec) < len(header):
                    rec = rec + [""] * (len(header) - len(rec))
                else:
                    out.problems.append(
                        Problem(
                            file,
                            None,
                            line,
                            None,
                            sep.join(rec),
                            f"{len(header)} values separated by '{sep}' "
                            f"(like the header), found {len(rec)}",
                        )
                    )
                    continue
            records.append(rec)
            lines.append(line)
    except csv.Error as exc:
        out.problems.append(Problem(file, None, None, None, None, f"a readable CSV table ({exc})"))
        return
    if header is None:
        out.problems.append(Problem(file, None, None, None, None, "a table, but the file is empty"))
        return
    frame = pd.DataFrame(records, columns=_dedupe(header), dtype=object)
    out.raws.append(
        RawTable(table, frame, file, None, np.asarray(lines, dtype=np.int64), delimiter=sep)
    )


def _dedupe(header: list) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for i, h in enumerate(header):
        h = "" if h is None else str(h)
        if not h.strip():
            h = f"(unnamed column {i + 1})"
        if h in seen:
            seen[h] += 1
            h = f"{h} ({seen[h]})"
        else:
            seen[h] = 1
        names.append(h)
    return names


# --------------------------------------------------------------------------- Parquet


def read_parquet(source: bytes | Path, file: str, table: str, out: Collected) -> None:
    try:
        src = io.BytesIO(source) if isinstance(source, bytes) else source
        if isinstance(source, bytes) and not source:
            out.problems.append(
                Problem(file, None, None, None, None, "a table, but the file is empty")
            )
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        keys = _key_columns(pq.read_schema(src), table)
        if isinstance(src, io.BytesIO):
            src.seek(0)
        # foreign keys (a demand table's SKUs) come as a dictionary: a few thousand
        # distinct strings plus one int32 code per row, which is quicker to decode than
        # ten million strings; the validator checks, trims and looks up the distinct
        # strings only and builds the text column once (see _validate._category_text)
        tbl = pq.read_table(src, read_dictionary=keys)
        tbl.validate(full=True)  # e.g. invalid UTF-8 (of a dictionary column: its dictionary)
        coded = [
            (i, tbl.column_names[i], _categorical(tbl.column(i)))
            for i, f in enumerate(tbl.schema)
            if f.name in keys and pa.types.is_dictionary(f.type)
        ]
        for i, _, _ in reversed(coded):
            tbl = tbl.remove_column(i)
        # one block per column and Arrow memory freed column by column: no second copy
        frame = tbl.to_pandas(split_blocks=True, self_destruct=True)
        del tbl
        for i, name, cat in coded:
            frame.insert(i, name, pd.Series(cat, copy=False), allow_duplicates=True)
        pa.default_memory_pool().release_unused()  # give the decoding buffers back
    except Exception as exc:
        out.problems.append(
            Problem(file, None, None, None, None, f"a readable Parquet file ({type(exc).__name__})")
        )
        return
    frame = frame.reset_index(drop=not _has_named_index(frame))
    frame.columns = _dedupe(list(frame.columns))
    out.raws.append(RawTable(table, frame, file, None, np.arange(1, len(frame) + 1)))


def _categorical(column) -> pd.Categorical:
    """A dictionary-encoded Arrow column as a pandas Categorical, without pandas' own
    conversion (which unifies the row groups' dictionaries ten times slower)."""
    import pyarrow as pa

    column = column.unify_dictionaries()  # one dictionary for all row groups
    if column.num_chunks:
        dictionary = column.chunk(0).dictionary
    else:
        dictionary = pa.array([], type=column.type.value_type)
    n = len(dictionary)
    # the codes' dtype pandas would choose (no second copy in from_codes)
    kind = np.int8 if n < 2**7 else np.int16 if n < 2**15 else np.int32
    codes = np.empty(len(column), dtype=kind)
    at = 0
    for chunk in column.chunks:
        idx = chunk.indices
        codes[at : at + len(chunk)] = (idx.fill_null(-1) if idx.null_count else idx).to_numpy()
        at += len(chunk)
    categories = pd.Index(dictionary.to_pandas(), dtype=STR)
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories), validate=False)


def _key_columns(schema, table: str) -> list[str]:
    """Text columns of a Parquet schema that are foreign keys of ``table`` (few distinct
    values repeated over many rows: read them dictionary-encoded)."""
    import pyarrow as pa

    tab = SCHEMAS[table]
    index = (schema.pandas_metadata or {}).get("index_columns", [])
    out = []
    for f in schema:
        if f.name in index:
            continue
        canon = tab.match_header(str(f.name))
        if canon is None or not tab.by_name[canon].references:
            continue
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type):
            out.append(f.name)
    return out


def _has_named_index(frame: pd.DataFrame) -> bool:
    return any(n is not None for n in frame.index.names)


# --------------------------------------------------------------------------- Excel


def _unreadable_workbook(file: str, exc: BaseException) -> Problem:
    return Problem(
        file,
        None,
        None,
        None,
        None,
        f"a readable Excel workbook (.xlsx) ({type(exc).__name__})",
    )


def read_excel(
    source: bytes | Path,
    file: str,
    out: Collected,
    seen: dict[str, str],
    only: str | None = None,
) -> None:
    """Read every sheet of a workbook (or the first sheet as table ``only``) with calamine."""
    try:
        import python_calamine

        src = io.BytesIO(source) if isinstance(source, bytes) else source
        wb = python_calamine.CalamineWorkbook.from_object(src)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine's Rust panics are BaseExceptions
        out.problems.append(_unreadable_workbook(file, exc))
        return
    try:
        names = [
            m.name for m in wb.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]
        for name in names[:1] if only else names:
            table = only or table_for_name(name)
            if table is None:
                sheet = wb.get_sheet_by_name(name)
                out.notes.append(f"{file}: ignored sheet '{name}' (not a table name)")
                n = max(sheet.height - 1, 0)
                out.report.append((f"{file} [{name}]", n, "sheet name is not a table; ignored"))
                continue
            if not only and not _claim(table, file, name, seen, out):
                continue
            sheet = wb.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
            del sheet
            _read_sheet(rows, merged, file, name, table, out, lambda n=name: _formulas(src, n))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        out.problems.append(_unreadable_workbook(file, exc))
    finally:
        try:
            wb.close()
        except BaseException:  # closing a broken workbook may fail again
            pass


def _column_letters(col: int) -> str:
    """0-based column index to Excel letters: 0 -> A, 27 -> AB."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell_ref(row0: int, col0: int) -> str:
    return f"{_column_letters(col0)}{row0 + 1}"


def _blank_mask(arr: np.ndarray) -> np.ndarray:
    """Cells calamine read as empty (it gives "" for an empty cell)."""
    if len(arr) == 0:
        return np.zeros(0, bool)
    return np.asarray(arr == "", dtype=bool)


def _typed(arr: np.ndarray, blank: np.ndarray, dtype: str | None) -> object:
    """A typed column when every value has the schema's type, else the object array.

    Typed columns let the validator skip its per-cell conversion on big sheets; a column
    with any odd value stays as written so that problems quote it exactly.
    """
    if dtype is None:
        return arr
    kind = pd.api.types.infer_dtype(arr, skipna=True)
    if dtype in ("float", "int") and kind in ("floating", "integer", "mixed-integer-float"):
        out = np.full(len(arr), np.nan)
        out[~blank] = arr[~blank].astype(float)
        return out
    if dtype in ("string", "category") and kind == "string":
        return pd.array(arr, dtype=STR)
    if dtype == "date" and kind in ("date", "datetime"):
        return pd.to_datetime(arr).as_unit("us")
    return arr


def _read_sheet(
    rows: list[list],
    merged: list[tuple[tuple[int, int], tuple[int, int]]],
    file: str,
    sheet: str,
    table: str,
    out: Collected,
    formulas: Callable[[], list[tuple[int, int]]],
) -> None:
    """Turn calamine's rows (row 1 first) into a RawTable, checking merges and formulas."""
    candidates: list[tuple[int, Sequence]] = []
    for r, values in enumerate(rows):
        if any(not (v is None or (isinstance(v, str) and not v.strip())) for v in values):
            candidates.append((r + 1, values))
            if len(candidates) >= HEADER_SEARCH_ROWS:
                break
    if not candidates:
        out.problems.append(
            Problem(file, sheet, None, None, None, "a table, but the sheet is empty")
        )
        return
    h = candidates[_header_found(candidates, table, file, sheet, out)][0] - 1  # 0-based
    header = [v if isinstance(v, str) else _header_text(v) for v in rows[h]]
    data = rows[h + 1 :]
    width = len(header)
    grid = np.array(data, dtype=object) if data else np.empty((0, width), dtype=object)
    if grid.ndim != 2:  # ragged rows (calamine gives a rectangle; be safe anyway)
        grid = np.array([list(r) + [""] * (width - len(r)) for r in data], dtype=object)
    columns = [grid[:, j] for j in range(width)]
    del grid
    blanks = [_blank_mask(c) for c in columns]
    keep_row = ~np.logical_and.reduce(blanks) if blanks else np.zeros(0, bool)
    lines = np.arange(h + 2, h + 2 + len(data), dtype=np.int64)[keep_row]
    schema = SCHEMAS[table]
    keep = [i for i, name in enumerate(header) if name.strip()]
    matched = {i: schema.match_header(header[i]) for i in keep}
    dropped = [i for i in range(width) if i not in keep]
    if any((~blanks[i][keep_row]).any() for i in dropped):
        out.notes.append(f"{_where(file, sheet)}: ignored values in columns without a header")
    # cells in the data columns that hold nothing may be formulas without a saved value
    data_cols = [i for i in keep if matched[i] is not None]
    if any(blanks[i].any() for i in data_cols):
        _formula_problems(formulas, h, data_cols, header, file, sheet, out)
    _merge_problems(merged, h, data_cols, header, file, sheet, out)
    frame_cols = {}
    names = _dedupe([header[i] for i in keep])
    for name, i in zip(names, keep, strict=True):
        arr, blank = columns[i][keep_row], blanks[i][keep_row]
        arr[blank] = None
        col = schema.by_name.get(matched[i]) if matched[i] else None
        frame_cols[name] = _typed(arr, blank, col.dtype if col else None)
    frame = pd.DataFrame(frame_cols, index=pd.RangeIndex(len(lines)), columns=names)
    out.raws.append(RawTable(table, frame, file, sheet, lines))


def _header_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _formula_problems(
    formulas: Callable[[], list[tuple[int, int]]],
    h: int,
    data_cols: list[int],
    header: list[str],
    file: str,
    sheet: str,
    out: Collected,
) -> None:
    cols = set(data_cols)
    cells = [(r, c) for r, c in formulas() if r > h and c in cols]
    for r, c in cells[:CELL_PROBLEM_LIMIT]:
        out.problems.append(
            Problem(
                file,
                sheet,
                r + 1,
                header[c],
                None,
                f"a value, but cell {_cell_ref(r, c)} is a formula with no saved value; "
                "open the file in Excel and save it, or paste values",
            )
        )
    if len(cells) > CELL_PROBLEM_LIMIT:
        rest = cells[CELL_PROBLEM_LIMIT:]
        out.problems.append(
            Problem(
                file,
                sheet,
                None,
                None,
                None,
                f"values, but {len(rest):,} more cells are formulas with no saved value "
                f"(from {_cell_ref(*rest[0])} to {_cell_ref(*rest[-1])}); open the file in "
                "Excel and save it, or paste values",
            )
        )


def _merge_problems(
    merged: list[tuple[tuple[int, int], tuple[int, int]]],
    h: int,
    data_cols: list[int],
    header: list[str],
    file: str,
    sheet: str,
    out: Collected,
) -> None:
    for (r0, c0), (r1, c1) in sorted(merged):
        if (r0, c0) == (r1, c1) or r1 <= h:
            continue
        inside = [c for c in data_cols if c0 <= c <= c1]
        if not inside:
            continue
        ref = f"{_cell_ref(r0, c0)}:{_cell_ref(r1, c1)}"
        out.problems.append(
            Problem(
                file,
                sheet,
                max(r0, h + 1) + 1,
                header[inside[0]],
                None,
                f"one value in every cell, but {ref} are merged cells (only "
                f"{_cell_ref(r0, c0)} holds the value); unmerge them and fill every row",
            )
        )


_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_FORMULA_CELL = re.compile(
    rb"<c\b([^>]*)>\s*<f\b[^>]*?(?:/>|>[^<]*</f>)\s*(?:<v\b[^>]*?/>|<v\b[^>]*>([^<]*)</v>)?",
)
_REF = re.compile(rb"([A-Z]+)(\d+)")


def _sheet_path(zf: zipfile.ZipFile, name: str) -> str | None:
    """Path of a worksheet's XML inside the .xlsx, from workbook.xml and its rels."""
    book = zf.read("xl/workbook.xml")
    rid = None
    for tag in _SHEET_TAG.findall(book):
        attrs = {k.split(b":")[-1]: v for k, v in _ATTR.findall(tag)}
        if html.unescape(attrs.get(b"name", b"").decode("utf-8")) == name:
            # r:id (the relationship id); a plain "id" attribute is not it
            rid = next((v for k, v in _ATTR.findall(tag) if k.endswith(b":id")), None)
    if rid is None:
        return None
    rels = zf.read("xl/_rels/workbook.xml.rels")
    for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        attrs = dict(_ATTR.findall(tag))
        if attrs.get(b"Id") == rid:
            target = attrs.get(b"Target", b"").decode("utf-8")
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


def _formulas(src: io.BytesIO | Path, name: str) -> list[tuple[int, int]]:
    """(row, column), 0-based, of formula cells with no saved value in sheet ``name``.

    Read from the sheet's XML in chunks (a formula is ``<f>``; its saved value ``<v>``).
    A formula whose saved value is the empty text (``t="str"`` and an empty ``<v>``) is
    fine: Excel wrote "" as its result.
    """
    found: list[tuple[int, int]] = []
    if isinstance(src, io.BytesIO):
        src.seek(0)
    with zipfile.ZipFile(src) as zf:
        path = _sheet_path(zf, name)
        if path is None:
            return found
        with zf.open(path) as f:
            rest = b""
            while True:
                chunk = f.read(1 << 23)
                buf = rest + chunk
                cut = len(buf) if not chunk else buf.rfind(b"</row>") + 6
                if cut < 6:
                    rest = buf
                    if chunk:
                        continue
                    cut = len(buf)
                part, rest = buf[:cut], buf[cut:]
                if b"<f" in part:
                    for m in _FORMULA_CELL.finditer(part):
                        attrs = dict(_ATTR.findall(m.group(1)))
                        value = m.group(2)
                        if value or (value is not None and attrs.get(b"t") == b"str"):
                            continue
                        ref = _REF.fullmatch(attrs.get(b"r", b""))
                        if ref:
                            col = 0
                            for ch in ref.group(1):
                                col = col * 26 + ch - 64
                            found.append((int(ref.group(2)) - 1, col - 1))
                if not chunk:
                    break
    return found


# --------------------------------------------------------------------------- dispatch


def _add_entry(name: str, content: bytes | Path, out: Collected, seen: dict[str, str]) -> None:
    base = os.path.basename(name.rstrip("/"))
    stem, ext = os.path.splitext(base)
    ext = ext.lower()
    if not base or base.startswith((".", "~$", "__MACOSX")) or "__MACOSX" in name:
        return
    if ext in EXCEL_EXT:
        table = table_for_name(stem)
        if table is not None:  # items.xlsx: its first sheet is the items table
            if _claim(table, base, None, seen, out):
                read_excel(content, base, out, seen, only=table)
        else:
            read_excel(content, base, out, seen)
        return
    if ext not in CSV_EXT | PARQUET_EXT:
        out.notes.append(f"ignored file {base} (not a CSV, Parquet or Excel table)")
        return
    table = table_for_name(stem)
    if table is None:
        out.notes.append(
            f"ignored file {base}: '{stem}' is not one of the tables ({', '.join(SCHEMAS)})"
        )
        out.report.append((base, None, "file name is not a table name; file ignored"))
        return
    if not _claim(table, base, None, seen, out):
        return
    if ext in PARQUET_EXT:
        read_parquet(content, base, table, out)
    else:
        data = content if isinstance(content, bytes) else _read_bytes(content, base, out)
        if data is None:
            return
        if not data.strip():
            out.problems.append(
                Problem(base, None, None, None, None, "a table, but the file is empty")
            )
            return
        read_csv(data, base, table, out)


def _read_bytes(path: Path, base: str, out: Collected) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        out.problems.append(Problem(base, None, None, None, None, f"a readable file ({exc})"))
        return None


def _claim(table: str, file: str, sheet: str | None, seen: dict[str, str], out: Collected) -> bool:
    """Record that ``file`` (``sheet``) is table ``table``; a problem if it already has one."""
    if table in seen:
        out.problems.append(
            Problem(
                file,
                sheet,
                None,
                None,
                None,
                f"one source for table '{table}', but {seen[table]} is also that table; "
                "remove one of them or rename it",
            )
        )
        return False
    seen[table] = _where(file, sheet)
    return True


def _zip_entries(content: bytes | Path, base: str, out: Collected, seen: dict) -> None:
    try:
        src = io.BytesIO(content) if isinstance(content, bytes) else content
        with zipfile.ZipFile(src) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                _add_entry(info.filename, zf.read(info), out, seen)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        out.problems.append(
            Problem(base, None, None, None, None, f"a readable zip archive ({exc})")
        )


def collect_sources(entries: Mapping[str, bytes | Path]) -> Collected:
    """Read named files (name -> bytes or path); zips and workbooks are opened."""
    out = Collected([], [], [], [])
    seen: dict[str, str] = {}
    for name, content in entries.items():
        ext = os.path.splitext(name)[1].lower()
        if ext in ZIP_EXT:
            _zip_entries(content, os.path.basename(name), out, seen)
        else:
            _add_entry(name, content, out, seen)
    return out
