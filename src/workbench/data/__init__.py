"""The data layer: schemas, loaders, validation and the sample business.

See :mod:`workbench.data.schema` for the tables and columns, :func:`load_dataset` /
:func:`load_uploaded` / :meth:`Dataset.from_tables` to build a :class:`Dataset`, and
:func:`demand_stats` for per-SKU demand statistics.
"""

from .dataset import Dataset, load_dataset, load_uploaded
from .errors import DataError, Problem
from .sample import sample_dataset
from .schema import INVENTORY_TYPES, SCHEMAS, Column, Table

__all__ = [
    "INVENTORY_TYPES",
    "SCHEMAS",
    "Column",
    "DataError",
    "Dataset",
    "Problem",
    "Table",
    "load_dataset",
    "load_uploaded",
    "sample_dataset",
]
