"""The data dictionary, generated from :data:`~workbench.data.schema.SCHEMAS`.

``sample_data/README.md`` is the output of :func:`data_dictionary_markdown`; a test fails
when the two differ, so the documentation cannot drift from the loader. Regenerate with::

    python -m workbench.data.dictionary            # writes sample_data/README.md
    python -m workbench.data.dictionary out.md     # or another path
"""

from __future__ import annotations

import sys
from pathlib import Path

from .schema import SCHEMAS, Column, Table

__all__ = ["data_dictionary_markdown", "write_data_dictionary"]

INTRO = """\
# Sample data and data dictionary

This folder is a complete example dataset: one coherent fictional business, *Hearth &
Lather*, a small workshop that makes candles, soaps and home fragrance and sells them
online. It has all four inventory types (raw materials and packaging consumed by
production, work in progress, finished goods sold to customers, MRO supplies), a bill of
materials linking them, suppliers with different lead times and reliability, two years of
daily demand ending 2026-10-31, purchase-order history, lots on hand, a physical count, a
production schedule and the production orders the workshop has released. Lots, counts and
open orders are "as of" the last day of demand.

Load it with `wb.load_dataset("sample_data")`. Your own data has the same shape: a folder
of CSV or Parquet files named after the tables below (`items.csv`, `demand.csv`, ...), an
Excel workbook with one sheet per table, or a `.zip` of either. Only `items` and `demand`
are required; the workbench greys out what the other tables would enable.

**Demand convention.** The `demand` table may omit days with no demand. The demand
history covers the period from its first to its last date (over all SKUs); a day in that
period without a row for a SKU means zero demand for that SKU. Several rows for the same
SKU and day are summed (the dataset's `report` says how many). Demand is sales for
finished goods and consumption for everything else.

**Days, weeks or months.** A `date` may stand for a day, a week or a month of demand (the
dataset's `demand_frequency`, "D", "W" or "M"). It is detected from the dates: all on the
1st of a month, or all on a month's last day, is monthly; all on one weekday is weekly;
anything else (or a single date) is daily. State it with
`wb.load_dataset(path, frequency="M")`; a stated bucket the dates cannot be (weekly dates
a day apart) is an error naming two such dates. The dataset's `notes` say which bucket was
used and why; `ds.with_frequency("W")` sums daily demand into weeks (labelled by their
Monday) or months (by their 1st). A week or month without a row is zero demand, and the
last one counts whole (a monthly file ending 2025-12-01 covers December). Statistics are
per bucket (`wb.demand_stats`: `mean_per_bucket`, `sd_per_bucket`), with per-day
equivalents (`daily_mean` = mean / bucket days, `daily_sd` = sd / sqrt(bucket days)) so
that lead times stay in days; a year is 365 days, 365.25 / 7 weeks or 12 months.

**History windows.** Each SKU's statistics cover its own life, not the whole file: from
its `introduced` date (items table) or else its first demand (moved back by one typical
interval between its sales, less one bucket, so a slow mover's first sale does not
shorten its window), to the end of the data or its `discontinued` date. An item first
sold three years into a four-year file is averaged over its one year, not four. A SKU
with fewer than 28 days, 8 weeks or 8 months of history, with fewer than 4 buckets with
demand, or with no demand at all (then its window is the whole period) is flagged
`short_history`, with the reason in `history_note` (both also in `wb.plan`).

**Regenerate.** The CSV files are written by the seeded generator
(`python -m workbench.data.sample sample_data`, or `wb.sample_dataset(n_skus=250, years=2,
seed=2026).to_folder("sample_data")`); the same seed gives the same bytes. This README is
generated from the table schemas in `src/workbench/data/schema.py` by
`python -m workbench.data.dictionary`; a test fails if it is edited by hand.

## How files are read

- Column names are matched case-insensitively, with surrounding spaces trimmed; inner
  spaces and hyphens count as underscores (`Unit Cost` is `unit_cost`), and a unit in
  parentheses or brackets at the end and punctuation around the name are dropped
  (`Unit Cost ($)`, `Qty.`, `Item #`, `Lead Time (days)`); a unit that contradicts the
  column's (`Lead Time (weeks)`) is an error. The other names accepted for a column are
  listed under "also accepted"; when a file has two names for one column, the column's own
  name wins over an "also accepted" one, an earlier one in the list over a later one, and
  the other column is ignored with a note.
- A **required** column must be present and filled in on every row. An optional column may
  be missing or have blanks; blanks take the column's default where one is listed.
- Types: *text* (numbers in a SKU column stay text, so `00123` keeps its zeros; a SKU that
  matches another table's only up to leading zeros is reported with a hint), *number*,
  *date*, *one of* a fixed list (matched ignoring case, spaces and hyphens:
  `Finished Good` is `finished_good`).
- **Text** is at most 32,767 characters per cell (the most an Excel cell holds; a longer
  value is reported). A text written with a leading apostrophe before `=`, `+`, `-`, `@`,
  a tab or a carriage return (`'=A1`, how the workbench's own CSV exports keep a text from
  being run as a spreadsheet formula) is read without that one apostrophe (`=A1`).
- **Numbers** may carry a currency sign and a trailing `%` (`95%` is 0.95). The decimal
  separator is decided once per column from all its cells, never cell by cell: `12,5`,
  `0,125` or `1.234,56` prove a decimal comma, `12.5`, `0.125` or `1,234.56` a decimal
  point; thousands separators are read in groups of three. A column whose cells read both
  ways (only `1,234` or `1.234`) follows the file (semicolon-separated: decimal comma;
  comma-separated: decimal point) or is reported, and so is a column mixing the two; say
  which with `load_dataset(..., decimal=",")` or `decimal="."` (in the dashboard, the
  Data tab). Cells that are numbers already (Excel, Parquet) are taken as they are.
- **Limits.** Every number has an upper limit (see "allowed"), far beyond any real business
  and low enough that every figure computed from it stays a number: money at most
  1,000,000,000 $ a unit or an order, quantities at most 1,000,000,000,000 units, lead
  times at most 3,650 days (ten years), shelf life at most 36,500 days (longer: leave it
  blank), the holding-cost rate at most 100 a year (10,000 %). A larger value is an
  error (often a unit or a decimal separator gone wrong).
- **Dates** are also read one way per column. Year first (`2026-10-31`, with an optional
  time; `2026/10/31`) and `20261031` always work. For day and month first (`31/10/2026`,
  `10-31-26`, `31.10.2026`; two-digit years are 1969 to 2068), a first number above 12
  anywhere in the column proves day/month/year and a second number above 12
  month/day/year; a column with both is reported, quoting one row of each. If every day
  and month in a column is 12 or less, pass `dayfirst=True` (03/04/2026 is 3 April) or
  `dayfirst=False` (March 4), or choose the date order in the Data tab; dotted dates
  (`03.04.2026`) are day first by convention unless `dayfirst=False`. Month names work
  (`3 Jan 2026`). Excel date cells are dates, and so are numbers in an Excel date column
  (date serials, counted from 1899-12-30); a plain number in a CSV date column is an
  error. Dates before 1900-01-01 are errors.
- **Stray demand dates.** The distinct demand days are cut wherever two neighbours are
  more than 365 days apart; the part with the most rows is the history, and rows in any
  other part holding less than 1 % of the rows (a stray 1700-01-01 or 2099-01-01 that
  would stretch the history and lower every SKU's daily demand) are errors.
- Problems are reported all at once, each with its file, row (as numbered in your file:
  the header is row 1), column, value and what was expected. Files or columns the
  workbench does not know are ignored and listed in the dataset's `notes`.
"""

_TYPE_WORDS = {
    "string": "text",
    "float": "number",
    "int": "whole number",
    "date": "date",
    "category": "one of a list",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _range(col: Column) -> str:
    if col.allowed is not None:
        return ", ".join(f"`{a}`" for a in col.allowed)
    parts = []
    if col.dtype in ("float", "int"):
        parts.append(col.describe_range())
    if col.references:
        table, column = col.references.split(".")
        parts.append(f"must appear in {table}.{column}")
    return "; ".join(p for p in parts if p)


def _default(col: Column) -> str:
    if col.required:
        return "required"
    if col.default is None:
        return "optional"
    return (
        f"optional, default {col.default:g}"
        if isinstance(col.default, float)
        else (f"optional, default `{col.default}`")
    )


def _table_markdown(table: Table) -> list[str]:
    status = "required" if table.required else "optional"
    lines = [
        f"## `{table.name}` ({status})",
        "",
        f"{table.meaning}. One row per {table.row}. Key: "
        + ", ".join(f"`{k}`" for k in table.key)
        + "."
        + (
            " Also accepted as file or sheet name: "
            + ", ".join(f"`{a}`" for a in table.aliases)
            + "."
            if table.aliases
            else ""
        ),
        "",
        "| column | type | unit | required | allowed | meaning | also accepted |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for col in table.columns:
        lines.append(
            "| "
            + " | ".join(
                [
                    f"`{col.name}`",
                    _TYPE_WORDS[col.dtype],
                    col.unit,
                    _default(col),
                    _cell(_range(col)),
                    _cell(col.meaning),
                    ", ".join(col.aliases),
                ]
            )
            + " |"
        )
    lines.append("")
    return lines


def data_dictionary_markdown() -> str:
    """The data dictionary as Markdown (the content of ``sample_data/README.md``).

    Returns
    -------
    str
        An introduction (the sample business, the demand convention, how to regenerate,
        how files are read) followed by one section per table of
        :data:`~workbench.data.schema.SCHEMAS`.

    Examples
    --------
    >>> text = data_dictionary_markdown()
    >>> "## `items` (required)" in text and "| `unit_cost` | number | $/unit |" in text
    True
    """
    lines = [INTRO]
    for table in SCHEMAS.values():
        lines += _table_markdown(table)
    return "\n".join(lines).rstrip("\n") + "\n"


def write_data_dictionary(path: str | Path | None = None) -> Path:
    """Write :func:`data_dictionary_markdown` to ``path`` (default ``sample_data/README.md``
    in the repository checkout) and return the path."""
    if path is None:
        path = Path(__file__).resolve().parents[3] / "sample_data" / "README.md"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data_dictionary_markdown(), encoding="utf-8", newline="\n")
    return path


if __name__ == "__main__":  # pragma: no cover
    print(write_data_dictionary(sys.argv[1] if len(sys.argv) > 1 else None))
