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
- Nothing is read past the :class:`~workbench.data.limits.ReadLimits` of the load: a zip's
  and a workbook's entries are checked from the central directory before anything is
  decompressed and counted again while decompressing, a Parquet file's size from its footer
  (row groups, rows times their width) and its text columns' before they are decoded, a
  CSV's line lengths and header width from its first megabytes. A file over a
  limit is a problem naming the limit and its value, and nothing more of it is read.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import html
import io
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import Problem
from .limits import ReadLimits, human_bytes
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
    limits: ReadLimits = field(default_factory=ReadLimits)
    #: Uncompressed bytes this load has read or accepted to read (``max_total_bytes``).
    read_bytes: int = 0


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


# --------------------------------------------------------------------------- limits

#: Bytes of a CSV looked at before it is decoded or parsed (at least one line more).
HEAD_BYTES = 4 << 20
#: Bytes decompressed at a time while counting an entry.
_CHUNK = 1 << 20
#: A central directory over this many bytes per allowed entry is refused unparsed (a
#: real entry's record is its name plus about 100 bytes).
_DIRECTORY_BYTES_PER_ENTRY = 4096
_ADVICE = "; not read further (if the file is genuine, raise the limit: see ReadLimits)"


class _Refused(Exception):
    """A :class:`ReadLimits` limit was exceeded; ``problem`` says which, for ``out``."""

    def __init__(self, problem: Problem):
        super().__init__(problem.expected)
        self.problem = problem


def _refuse(file: str, expected: str, row: int | None = None) -> _Refused:
    return _Refused(Problem(file, None, row, None, None, expected + _ADVICE))


def _limit(lim: ReadLimits, name: str) -> str:
    value = getattr(lim, name)
    return (
        f"ReadLimits.{name} = {value:,g}"
        if name == "max_ratio"
        else f"ReadLimits.{name} = {value:,}"
    )


def _over_entry(lim: ReadLimits, file: str, entry: str, size: int, at_least: str = "") -> _Refused:
    return _refuse(
        file,
        f"files of at most {human_bytes(lim.max_entry_bytes)} uncompressed "
        f"({_limit(lim, 'max_entry_bytes')}), but {entry} is {at_least}{human_bytes(size)}",
    )


def _over_total(lim: ReadLimits, file: str, total: int, at_least: str = "") -> _Refused:
    return _refuse(
        file,
        f"at most {human_bytes(lim.max_total_bytes)} uncompressed in all "
        f"({_limit(lim, 'max_total_bytes')}), but with this file the load comes to "
        f"{at_least}{human_bytes(total)}",
    )


def _over_ratio(
    lim: ReadLimits, file: str, entry: str, packed: int, size: int, at_least: str = ""
) -> _Refused:
    return _refuse(
        file,
        f"files compressed at most {lim.max_ratio:,g} to 1 ({_limit(lim, 'max_ratio')}, for "
        f"files over {human_bytes(lim.ratio_free_bytes)}), but {entry} expands "
        f"{at_least}{size / max(packed, 1):,.0f} times ({human_bytes(packed)} to "
        f"{at_least}{human_bytes(size)}): a zip bomb?",
    )


def _account(size: int, file: str, out: Collected, entry: str | None = None) -> None:
    """Check one file's uncompressed ``size`` [bytes] against the limits, and count it."""
    lim = out.limits
    if size > lim.max_entry_bytes:
        raise _over_entry(lim, file, entry or "it", size)
    if out.read_bytes + size > lim.max_total_bytes:
        raise _over_total(lim, file, out.read_bytes + size)
    out.read_bytes += size


def _zip_directory(fp) -> tuple[int, int] | None:
    """(entries, central directory size [bytes]) from a zip's end records, unparsed.

    None when there is no end record (zipfile then reports the archive as unreadable).
    """
    fp.seek(0, os.SEEK_END)
    size = fp.tell()
    n = min(size, 22 + 0xFFFF + 20)  # end record, its comment, the zip64 locator
    fp.seek(size - n)
    tail = fp.read(n)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    entries = int.from_bytes(tail[at + 10 : at + 12], "little")
    directory = int.from_bytes(tail[at + 12 : at + 16], "little")
    if (entries == 0xFFFF or directory == 0xFFFFFFFF) and tail[at - 20 : at - 16] == (
        b"PK\x06\x07"
    ):
        fp.seek(int.from_bytes(tail[at - 12 : at - 4], "little"))
        rec = fp.read(56)
        if rec[:4] == b"PK\x06\x06" and len(rec) == 56:
            entries = int.from_bytes(rec[32:40], "little")
            directory = int.from_bytes(rec[40:48], "little")
    return entries, directory


def _open_archive(src, file: str, out: Collected) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """Open a zip (or .xlsx) whose directory passes the limits: entry count, each entry's
    declared size and compression ratio, and the declared total. Nothing is decompressed."""
    lim = out.limits
    found = _zip_directory(src)
    if found is not None:
        entries, directory = found
        if entries > lim.max_entries or directory > lim.max_entries * _DIRECTORY_BYTES_PER_ENTRY:
            shown = f"{entries:,}" if entries > lim.max_entries else "too many"
            raise _refuse(
                file,
                f"an archive of at most {lim.max_entries:,} files "
                f"({_limit(lim, 'max_entries')}), but it holds {shown}",
            )
    src.seek(0)
    zf = zipfile.ZipFile(src)
    try:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > lim.max_entries:
            raise _refuse(
                file,
                f"an archive of at most {lim.max_entries:,} files "
                f"({_limit(lim, 'max_entries')}), but it holds {len(infos):,}",
            )
        total = out.read_bytes
        for info in infos:
            name = os.path.basename(info.filename)
            if info.file_size > lim.max_entry_bytes:
                raise _over_entry(lim, file, name, info.file_size)
            if info.file_size > lim.ratio_free_bytes and (
                info.file_size > lim.max_ratio * info.compress_size
            ):
                raise _over_ratio(lim, file, name, info.compress_size, info.file_size)
            total += info.file_size
        if total > lim.max_total_bytes:
            raise _over_total(lim, file, total)
    except BaseException:
        zf.close()
        raise
    return zf, infos


def _entry_cap(
    info: zipfile.ZipInfo, file: str, out: Collected, before: int = 0
) -> Callable[[int], None]:
    """A check for the bytes decompressed so far from one entry: raises past a limit.

    ``before``: bytes of this archive already counted but not yet in ``out.read_bytes``.
    """
    lim = out.limits
    name = os.path.basename(info.filename)
    left = lim.max_total_bytes - out.read_bytes - before
    ratio = max(lim.ratio_free_bytes, lim.max_ratio * info.compress_size)

    def check(n: int) -> None:
        if n > info.file_size:  # zipfile stops here; calamine might not
            raise _refuse(
                file,
                f"files of the size the zip's directory states, but {name} inflates to "
                f"more than the {human_bytes(info.file_size)} stated: a zip bomb?",
            )
        if n > lim.max_entry_bytes:
            raise _over_entry(lim, file, name, n, "more than ")
        if n > left:
            raise _over_total(lim, file, out.read_bytes + before + n, "more than ")
        if n > ratio:
            raise _over_ratio(lim, file, name, info.compress_size, n, "more than ")

    return check


def _read_member(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    file: str,
    out: Collected,
    head_check: Callable[[bytes, bool], None] | None = None,
) -> bytes:
    """One zip entry's bytes, decompressed through a counter that stops at the limits
    (declared sizes can lie); ``head_check(first bytes, complete)`` runs on the first
    :data:`HEAD_BYTES` before the rest is decompressed."""
    check = _entry_cap(info, file, out)
    parts: list[bytes] = []
    n = 0
    with zf.open(info) as f:
        if head_check is not None:
            size = _head_bytes(out.limits)
            head = f.read(size)
            n = len(head)
            check(n)
            head_check(head, n < size)
            parts.append(head)
        while chunk := f.read(_CHUNK):
            n += len(chunk)
            check(n)
            parts.append(chunk)
    out.read_bytes += n
    return b"".join(parts)


def _inflated_size(fp, info: zipfile.ZipInfo, check: Callable[[int], None]) -> int:
    """Bytes an entry's data really inflates to [bytes], counted chunk by chunk and
    discarded; ``check`` raises past a limit. Read from the raw data, not through
    zipfile, which stops at the declared size: another reader (calamine) may not."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return info.file_size  # calamine reads deflate and stored parts only
    fp.seek(info.header_offset)
    local = fp.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header of {info.filename}")
    fp.seek(
        info.header_offset
        + 30
        + int.from_bytes(local[26:28], "little")
        + int.from_bytes(local[28:30], "little")
    )
    left = info.compress_size
    if info.compress_type == zipfile.ZIP_STORED:
        check(left)
        return left
    inflate = zlib.decompressobj(-15)
    n = 0
    while left > 0 and not inflate.eof:
        data = fp.read(min(_CHUNK, left))
        if not data:
            break
        left -= len(data)
        while data and not inflate.eof:
            n += len(inflate.decompress(data, _CHUNK))
            check(n)
            data = inflate.unconsumed_tail
    return n


def _check_workbook(source: bytes | Path, file: str, out: Collected) -> None:
    """Check an .xlsx's parts against the limits before calamine opens it: declared
    sizes from the central directory, then each part's real inflated size."""
    if isinstance(source, bytes):
        _check_workbook_file(io.BytesIO(source), file, out)
    else:
        with open(source, "rb") as fp:
            _check_workbook_file(fp, file, out)


def _check_workbook_file(fp, file: str, out: Collected) -> None:
    zf, infos = _open_archive(fp, file, out)
    zf.close()
    total = 0
    for info in infos:
        total += _inflated_size(fp, info, _entry_cap(info, file, out, before=total))
    out.read_bytes += total


def _head_bytes(lim: ReadLimits) -> int:
    """Bytes of a CSV to check first: :data:`HEAD_BYTES`, or one line over the limit."""
    return max(HEAD_BYTES, lim.max_line_bytes + 1)


def _check_text_head(head: bytes, complete: bool, file: str, lim: ReadLimits) -> None:
    """Refuse a CSV whose first bytes hold a line over ``max_line_bytes`` or a header
    candidate (one of the first non-blank lines) over ``max_columns`` cells.

    ``complete``: ``head`` is the whole file (else its last line may go on).
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: measure the text as UTF-8
        head = head[: len(head) - len(head) % 2].decode("utf-16", errors="replace")
        head = head.encode("utf-8", errors="replace")
    newline = 10 if b"\n" in head or b"\r" not in head else 13  # \r alone: old Macs
    ends = np.flatnonzero(np.frombuffer(head, dtype=np.uint8) == newline)
    starts = np.concatenate(([0], ends + 1))
    lengths = np.concatenate((ends, [len(head)])) - starts
    long = np.flatnonzero(lengths > lim.max_line_bytes)
    if len(long):
        line = int(long[0]) + 1
        shown = (
            "longer"
            if not complete and long[0] == len(lengths) - 1
            else (f"{int(lengths[long[0]]):,} bytes")
        )
        raise _refuse(
            file,
            f"lines of at most {human_bytes(lim.max_line_bytes)} "
            f"({_limit(lim, 'max_line_bytes')}), but line {line:,} is {shown}",
            row=line,
        )
    seen = 0
    for i in range(len(lengths)):
        if seen >= HEADER_SEARCH_ROWS:
            break
        raw = head[starts[i] : starts[i] + lengths[i]]
        if not raw.strip():
            continue
        seen += 1
        cells = max(raw.count(d) for d in (b",", b";", b"\t", b"|")) + 1
        if cells <= lim.max_columns:
            continue
        if b'"' in raw:  # quoted separators are not cells
            text = raw.decode("utf-8", errors="replace").rstrip("\r")
            try:
                cells = len(next(csv.reader([text], delimiter=_delimiter(text)), []))
            except csv.Error:
                pass
        if cells > lim.max_columns:
            raise _refuse(
                file,
                f"tables of at most {lim.max_columns:,} columns "
                f"({_limit(lim, 'max_columns')}), but line {i + 1:,} has {cells:,} cells",
                row=i + 1,
            )


# --------------------------------------------------------------------------- CSV


def read_csv(data: bytes, file: str, table: str, out: Collected) -> None:
    """Read CSV bytes into ``out``; fast pyarrow path, exact python path as fallback.

    Raises ``_Refused`` (before decoding) for a line or a header over the limits.
    """
    head = _head_bytes(out.limits)
    _check_text_head(data[:head], len(data) <= head, file, out.limits)
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

        _check_parquet(pq.read_metadata(src), file, out.limits)
        if isinstance(src, io.BytesIO):
            src.seek(0)
        schema = pq.read_schema(src)
        keys = _key_columns(schema, table)
        if isinstance(src, io.BytesIO):
            src.seek(0)
        # foreign keys (a demand table's SKUs) come as a dictionary: a few thousand
        # distinct strings plus one int32 code per row, which is quicker to decode than
        # ten million strings; the validator checks, trims and looks up the distinct
        # strings only and builds the text column once (see _validate._category_text).
        # Other text columns are read as dictionaries too, and decoded only once their
        # size is known: one long string repeated in every row is a few bytes on disk
        texts = [f.name for f in schema if _is_text(f.type) and f.name not in keys]
        tbl = pq.read_table(src, read_dictionary=keys + texts)
        tbl = _decode_texts(tbl, set(texts), file, out.limits)
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
    except _Refused:
        raise
    except Exception as exc:
        out.problems.append(
            Problem(file, None, None, None, None, f"a readable Parquet file ({type(exc).__name__})")
        )
        return
    frame = frame.reset_index(drop=not _has_named_index(frame))
    frame.columns = _dedupe(list(frame.columns))
    out.raws.append(RawTable(table, frame, file, None, np.arange(1, len(frame) + 1)))


def _check_parquet(meta, file: str, lim: ReadLimits) -> None:
    """Refuse a Parquet file, from its footer, with more than ``max_columns`` columns or
    row groups decoding to more than ``max_entry_bytes``."""
    if meta.num_columns > lim.max_columns:
        raise _refuse(
            file,
            f"tables of at most {lim.max_columns:,} columns ({_limit(lim, 'max_columns')}), "
            f"but it has {meta.num_columns:,}",
        )
    size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    # a value repeated in every row is a few bytes on disk: count the rows' width too
    width = sum(
        _PARQUET_WIDTH.get(c.physical_type, c.length or 8)
        for c in (meta.schema.column(j) for j in range(meta.num_columns))
    )
    size = max(size, meta.num_rows * width)
    if size > lim.max_entry_bytes:
        raise _over_entry(lim, file, "its data", size)


#: Bytes per value of Parquet's physical types in memory (text: its offset, at least).
_PARQUET_WIDTH = {
    "BOOLEAN": 1,
    "INT32": 4,
    "FLOAT": 4,
    "INT64": 8,
    "DOUBLE": 8,
    "INT96": 8,
    "BYTE_ARRAY": 8,
}


def _is_text(kind) -> bool:
    import pyarrow as pa

    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _decode_texts(tbl, texts: set[str], file: str, lim: ReadLimits):
    """``tbl`` with its ``texts`` columns (read as dictionaries) decoded, once their
    decoded size and the other columns' are known to be within ``max_entry_bytes``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    size = 0
    for i, f in enumerate(tbl.schema):
        column = tbl.column(i)
        if f.name not in texts or not pa.types.is_dictionary(f.type):
            size += column.nbytes
            continue
        for chunk in column.chunks:
            lengths = pc.fill_null(pc.binary_length(chunk.dictionary), 0).to_numpy()
            codes = chunk.indices.drop_null().to_numpy()
            counts = np.bincount(codes, minlength=len(lengths))
            size += int(counts @ lengths.astype(np.int64)) + 8 * len(chunk)
    if size > lim.max_entry_bytes:
        raise _over_entry(lim, file, "its data", size)
    for i, f in enumerate(tbl.schema):
        if f.name in texts and pa.types.is_dictionary(f.type):
            column = tbl.column(i)
            plain = pa.chunked_array(
                [c.dictionary_decode() for c in column.chunks], type=f.type.value_type
            )
            tbl = tbl.set_column(i, f.with_type(plain.type), plain)
    return tbl


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
    """Read every sheet of a workbook (or the first sheet as table ``only``) with calamine.

    Its parts are checked against ``out.limits`` first (``_Refused`` past one).
    """
    try:
        _check_workbook(source, file, out)
    except _Refused:
        raise
    except Exception as exc:  # not a zip, a broken directory: not a workbook
        out.problems.append(_unreadable_workbook(file, exc))
        return
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


def _add_entry(
    name: str,
    content: bytes | Path,
    out: Collected,
    seen: dict[str, str],
    counted: bool = False,
) -> None:
    """Read one file (``counted``: its size is already in ``out.read_bytes``)."""
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
    if not counted:
        size = len(content) if isinstance(content, bytes) else _file_size(content)
        _account(size, base, out)
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


def _file_size(path: Path) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0  # reading it will report the problem


def _read_bytes(path: Path, base: str, out: Collected) -> bytes | None:
    """A CSV file's bytes, its first megabytes checked against the limits first."""
    try:
        with open(path, "rb") as f:
            size = _head_bytes(out.limits)
            head = f.read(size)
            _check_text_head(head, len(head) < size, base, out.limits)
            if len(head) < size:
                return head
            f.seek(0)
            return f.read()
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
    """Read a zip's tables; its directory is checked against the limits first, and each
    entry counted while it is decompressed (``_Refused`` past a limit)."""
    try:
        with contextlib.ExitStack() as stack:
            if isinstance(content, bytes):
                src = io.BytesIO(content)
            else:
                src = stack.enter_context(open(content, "rb"))
            zf = stack.enter_context(_open_archive(src, base, out)[0])
            for info in zf.infolist():
                if info.is_dir():
                    continue
                entry = os.path.basename(info.filename)
                check = None
                if os.path.splitext(entry)[1].lower() in CSV_EXT:
                    check = functools.partial(_check_text_head, file=entry, lim=out.limits)
                data = _read_member(zf, info, base, out, head_check=check)
                _add_entry(info.filename, data, out, seen, counted=True)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
        out.problems.append(
            Problem(base, None, None, None, None, f"a readable zip archive ({exc})")
        )


def collect_sources(
    entries: Mapping[str, bytes | Path], limits: ReadLimits | None = None
) -> Collected:
    """Read named files (name -> bytes or path); zips and workbooks are opened.

    ``limits``: how much may be read (default :meth:`ReadLimits.from_env`); a file over a
    limit is a problem and is not read further.
    """
    out = Collected([], [], [], [], limits=ReadLimits.from_env() if limits is None else limits)
    seen: dict[str, str] = {}
    for name, content in entries.items():
        ext = os.path.splitext(name)[1].lower()
        try:
            if ext in ZIP_EXT:
                _zip_entries(content, os.path.basename(name), out, seen)
            else:
                _add_entry(name, content, out, seen)
        except _Refused as refused:  # over a limit: that file (or archive) is not read
            out.problems.append(refused.problem)
    return out
