"""Bad-data errors: every problem found, each located in the user's own file."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import pandas as pd

__all__ = ["DataError", "Problem"]

#: How many problems the error message spells out; the rest are in ``.problems``.
MESSAGE_LIMIT = 25


class Problem(NamedTuple):
    """One problem found in the data.

    Attributes
    ----------
    file : str
        File name as the user gave it (``"demand.csv"``, ``"shop.xlsx"``).
    sheet : str or None
        Excel sheet name, None for CSV and Parquet.
    row : int or None
        Row number as the user sees it: for a CSV the header is line 1, so the first data
        row is 2; for Excel the sheet's row number; for Parquet the 1-based record number.
        None when the problem concerns the whole file or a whole column.
    column : str or None
        Column name as written in the file (the canonical name if the column is missing).
    value : Any
        The offending value (None if not applicable).
    expected : str
        What was expected, in plain words.
    """

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: Any
    expected: str

    def describe(self) -> str:
        """One readable line: ``demand.csv, row 14, column 'quantity': got 'abc', expected ...``."""
        where = [self.file]
        if self.sheet is not None:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        head = ", ".join(where)
        if self.value is None or (isinstance(self.value, float) and self.value != self.value):
            return f"{head}: expected {self.expected}"
        value = self.value
        text = repr(value) if isinstance(value, str) else str(value)
        if len(text) > 60:
            text = text[:57] + "..."
        return f"{head}: got {text}, expected {self.expected}"


class DataError(ValueError):
    """Raised when data cannot be loaded; lists every problem found, not only the first.

    Attributes
    ----------
    problems : list of Problem
        Every problem, in file, row order.

    Examples
    --------
    >>> err = DataError([Problem("demand.csv", None, 14, "quantity", "abc", "a number ≥ 0")])
    >>> print(err)
    1 problem in the data:
      - demand.csv, row 14, column 'quantity': got 'abc', expected a number ≥ 0
    >>> int(err.to_frame().loc[0, "row"])
    14
    """

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = list(problems)
        super().__init__(self._message())

    def __reduce__(self):
        # pickled whole (a Dask worker raises it in another process), not from the message
        return (type(self), (self.problems,))

    def _message(self) -> str:
        n = len(self.problems)
        lines = [f"{n} problem{'s' if n != 1 else ''} in the data:"]
        lines += [f"  - {p.describe()}" for p in self.problems[:MESSAGE_LIMIT]]
        if n > MESSAGE_LIMIT:
            lines.append(
                f"  ... and {n - MESSAGE_LIMIT} more (all are listed in .problems / .to_frame())"
            )
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """The problems as a table with columns file, sheet, row, column, value, expected."""
        frame = pd.DataFrame(self.problems, columns=list(Problem._fields))
        frame["row"] = frame["row"].astype("Int64")
        frame["value"] = frame["value"].astype(object)
        return frame
