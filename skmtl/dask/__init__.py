"""Fit the least-squares linear family on dask collections, out of core.

Importing this subpackage does not import dask; dask is imported when a dask
collection is first fitted or predicted. The estimators' ``fit`` and
``predict`` call into it when they are given dask collections: ``fit``
computes per-task sufficient statistics with dask (a map-reduce over the row
blocks, on the local scheduler or a ``dask.distributed`` cluster) and solves
on them, and ``predict`` returns a lazy dask array. See the user guide page
"Larger than one machine".
"""

from ._data import StatisticsData
from ._predict import predict_dask
from ._statistics import (
    MAX_STATISTICS_BYTES,
    dask_statistics,
    fold_assignment,
    is_dask_collection,
    statistics_bytes,
)

__all__ = [
    "MAX_STATISTICS_BYTES",
    "StatisticsData",
    "dask_statistics",
    "fold_assignment",
    "is_dask_collection",
    "predict_dask",
    "statistics_bytes",
]
