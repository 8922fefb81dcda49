"""The data layer: schemas, loaders, validation and the sample business.

See :mod:`workbench.data.schema` for the tables and columns, :func:`load_dataset` /
:func:`load_uploaded` / :meth:`Dataset.from_tables` to build a :class:`Dataset`, and
:func:`demand_stats` for per-SKU demand statistics.
"""

from .dataset import Dataset, load_dataset, load_uploaded
from .errors import DataError, Problem
from .limits import ReadLimits
from .sample import sample_dataset
from .schema import INVENTORY_TYPES, SCHEMAS, Column, Table
from .stats import demand_stats

__all__ = [
    "INVENTORY_TYPES",
    "SCHEMAS",
    "Column",
    "DataError",
    "Dataset",
    "Problem",
    "ReadLimits",
    "Table",
    "demand_stats",
    "load_dataset",
    "load_uploaded",
    "sample_dataset",
]
