"""Limits on what a file may make the loaders read: no zip bomb or runaway line.

A small upload can expand to gigabytes (a zip of NUL bytes, an ``.xlsx`` whose
shared-strings part declares 2 GB, a CSV that is one line of a billion characters). The
readers check these limits *before* decompressing or parsing anything, from the zip's
central directory, a Parquet file's footer and the first megabytes of a CSV, and again
while decompressing (a zip's declared sizes can lie). A file over a limit is refused with a
:class:`~workbench.data.errors.DataError` naming the file, the limit and its value.

The defaults fit a large shop's data with room to spare: ten million demand rows are about
400 MB of CSV (compressing 5-15:1), an Excel sheet holds at most 1,048,576 rows (about
150 MB of XML), and a dataset has a dozen files of a few dozen columns. Raise a limit with
``load_dataset(path, limits=ReadLimits(max_entry_bytes=4 << 30))`` or, for the dashboard
(``workbench serve``), with the ``WORKBENCH_READ_LIMITS`` environment variable, e.g.
``WORKBENCH_READ_LIMITS="max_entry_bytes=4294967296,max_ratio=200"``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

__all__ = ["READ_LIMITS_ENV", "ReadLimits"]

#: The environment variable :meth:`ReadLimits.from_env` reads.
READ_LIMITS_ENV = "WORKBENCH_READ_LIMITS"


@dataclass(frozen=True)
class ReadLimits:
    """How much one load may read: entry counts, sizes, compression ratio, lines, columns.

    Parameters
    ----------
    max_entries : int
        Files in one archive (a ``.zip``, or the parts of an ``.xlsx``) [count]. Default
        1,000: a dataset zip holds a dozen tables, an Excel workbook about ten parts plus
        two per sheet.
    max_entry_bytes : int
        Uncompressed size of one file: a CSV, a Parquet file's decoded row groups, one zip
        entry, one part of an ``.xlsx`` [bytes]. Default 1 GiB: 25 million demand rows of
        CSV, and 7 times the XML of a full Excel sheet.
    max_total_bytes : int
        Uncompressed size of everything one load reads, all files and entries together
        [bytes]. Default 2 GiB.
    max_ratio : float
        Uncompressed size over compressed size of one zip entry or ``.xlsx`` part
        [dimensionless]. Default 100: CSV and sheet XML compress 5-20 times; a zip bomb
        1,000 times.
    ratio_free_bytes : int
        Entries up to this uncompressed size may have any ratio (a small, very repetitive
        styles part compresses well and costs nothing) [bytes]. Default 16 MiB.
    max_line_bytes : int
        Length of one line of a CSV file [bytes]. Default 1 MiB (a demand row is about 40
        bytes; a 1,000-column header of long names is under 100 KB).
    max_columns : int
        Columns of a CSV header or a Parquet file [count]. Default 1,000 (the widest table
        has about 20 columns; extra columns are ignored but still cost time).

    Raises
    ------
    ValueError
        If a limit is not a positive number, naming the limit and its value.

    Examples
    --------
    >>> ReadLimits().max_ratio
    100.0
    >>> ReadLimits(max_columns=50).max_columns
    50
    >>> ReadLimits.from_env({"WORKBENCH_READ_LIMITS": "max_entries=20, max_ratio=250"})
    ReadLimits(max_entries=20, max_entry_bytes=1073741824, max_total_bytes=2147483648, \
max_ratio=250.0, ratio_free_bytes=16777216, max_line_bytes=1048576, max_columns=1000)
    """

    max_entries: int = 1_000
    max_entry_bytes: int = 1 << 30
    max_total_bytes: int = 2 << 30
    max_ratio: float = 100.0
    ratio_free_bytes: int = 16 << 20
    max_line_bytes: int = 1 << 20
    max_columns: int = 1_000

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            kind = float if f.name == "max_ratio" else int
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"ReadLimits.{f.name} must be a number > 0; got {value!r}")
            if not value > 0 or (kind is int and value != int(value)):
                what = "a whole number > 0" if kind is int else "a number > 0"
                raise ValueError(f"ReadLimits.{f.name} must be {what}; got {value!r}")
            object.__setattr__(self, f.name, kind(value))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ReadLimits:
        """The defaults, changed by ``WORKBENCH_READ_LIMITS`` (``name=value`` pairs).

        Parameters
        ----------
        environ : mapping, optional
            Where to look; default ``os.environ``.

        Raises
        ------
        ValueError
            If the variable names an unknown limit or a value that is not a number > 0.
        """
        text = (os.environ if environ is None else environ).get(READ_LIMITS_ENV, "")
        changes: dict[str, float] = {}
        names = {f.name for f in fields(cls)}
        for pair in filter(None, (p.strip() for p in text.split(","))):
            name, sep, value = (s.strip() for s in pair.partition("="))
            if not sep or name not in names:
                raise ValueError(
                    f"{READ_LIMITS_ENV} must be name=value pairs separated by commas, the "
                    f"names among {', '.join(sorted(names))}; got {pair!r}"
                )
            try:
                number = float(value.replace("_", ""))
            except ValueError:
                raise ValueError(
                    f"{READ_LIMITS_ENV}: {name} must be a number > 0; got {value!r}"
                ) from None
            changes[name] = number if name == "max_ratio" else int(number)
        return replace(cls(), **changes)


def human_bytes(n: float) -> str:
    """``1073741824`` -> ``"1 GiB"``, ``2500000`` -> ``"2.4 MiB"``: sizes in messages."""
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            if unit == "bytes":
                return f"{int(n):,} bytes"
            return f"{n:.1f} {unit}".replace(".0 ", " ")
        n /= 1024
    raise AssertionError  # pragma: no cover
