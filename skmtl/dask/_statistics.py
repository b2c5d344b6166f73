"""Per-task sufficient statistics of dask collections: a map-reduce over blocks.

Two passes over the data, neither of which brings rows to the client:

1. long data only: the task ids (the task column alone; one column of a
   Parquet file is all that is read), reduced to the sorted unique ids;
2. the statistics: every block is summarised on its worker
   (:mod:`._kernels`) into per-fold, per-task sums, and the sums are added
   up in a tree (``split_every`` blocks at a time), so the client receives
   one summary of ``K * T * d**2`` floats.

The fold of each row is set in pass 2 from its global position, so a whole
cross-validation needs no further pass (:func:`fold_assignment`).
"""

import numbers
import os

import numpy as np

from ..utils._optional import import_optional
from ..utils._validation import check_task_ids, resolve_task_column
from ._kernels import add_statistics, long_block_statistics, wide_block_statistics

__all__ = [
    "MAX_STATISTICS_BYTES",
    "dask_statistics",
    "fold_assignment",
    "is_dask_collection",
    "statistics_bytes",
]

#: largest size in bytes of the statistics (all folds) that ``fit`` computes;
#: ``SKMTL_DASK_MAX_STATISTICS_BYTES`` overrides it
MAX_STATISTICS_BYTES = int(os.environ.get("SKMTL_DASK_MAX_STATISTICS_BYTES", 2**31))

#: blocks added up per node of the reduction tree
SPLIT_EVERY = 8


def is_dask_collection(*objects):
    """Whether any of ``objects`` is a dask collection (never imports dask).

    Parameters
    ----------
    *objects : object
        Inputs to test; ``None`` is skipped.

    Returns
    -------
    found : bool
        True when dask is imported and one of ``objects`` is a dask
        collection (without dask imported, none can be).
    """
    import sys

    if "dask" not in sys.modules:  # no dask collection can exist yet
        return False
    from dask.base import is_dask_collection as is_collection

    return any(is_collection(obj) for obj in objects if obj is not None)


def statistics_bytes(n_tasks, n_features, n_folds=1):
    """Bytes of the per-task statistics: ``8 K T (d**2 + 2 d + 4)``.

    Parameters
    ----------
    n_tasks, n_features : int
        ``T`` and ``d``.
    n_folds : int, default=1
        ``K``, the cross-validation folds summarised in the same pass.

    Returns
    -------
    nbytes : int
        The size of one summary; each worker holds up to ``SPLIT_EVERY + 1``
        of them while reducing.
    """
    d = n_features
    return 8 * n_folds * n_tasks * (d * d + 2 * d + 4)


def _splitmix64(x):
    """A fixed 64-bit integer hash (splitmix64's finaliser), elementwise."""
    x = np.asarray(x, dtype=np.uint64)
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def fold_assignment(rows, n_samples, n_splits, *, layout, random_state=None):
    """Cross-validation fold of rows given by their global positions.

    The rule the statistics pass applies, block by block:

    * wide data: scikit-learn's unshuffled ``KFold(n_splits)`` (contiguous
      folds, the first ``n_samples % n_splits`` one row longer), as the
      in-memory ``*CV`` estimators use for wide data;
    * long data: a fixed hash of the row position and ``random_state``
      modulo ``n_splits``, a shuffled assignment that does not depend on the
      chunking (the in-memory default, ``TaskStratifiedKFold``, needs a pass
      over the task column per fold; pass ``PredefinedSplit(fold_assignment(
      np.arange(n), n, k, layout='long'))`` in memory for the same folds).

    Rows of a dask DataFrame (either layout) follow the long rule with the
    key ``partition * 2**40 + position within the partition`` as their
    position, so that no pass is spent counting the partitions' rows.

    Parameters
    ----------
    rows : ndarray of shape (n_rows,)
        Global row positions (0-based).
    n_samples : int
        Rows of the whole data set.
    n_splits : int
        Number of folds.
    layout : {'wide', 'long'}
        Which rule.
    random_state : int or None, default=None
        Seed of the long rule (``None`` means 0).

    Returns
    -------
    folds : ndarray of shape (n_rows,)
        Fold of each row, in ``range(n_splits)``.
    """
    rows = np.asarray(rows, dtype=np.int64)
    if n_splits == 1:
        return np.zeros(len(rows), dtype=np.int64)
    if layout == "wide":
        sizes = np.full(n_splits, n_samples // n_splits)
        sizes[: n_samples % n_splits] += 1
        return np.searchsorted(np.cumsum(sizes), rows, side="right").astype(np.int64)
    if random_state is not None and not isinstance(random_state, numbers.Integral):
        raise ValueError(
            "With dask input, random_state must be an int or None (the fold of "
            f"each row is a hash of its position and the seed); got {random_state!r}."
        )
    seed = 0 if random_state is None else int(random_state)
    key = _splitmix64(rows.astype(np.uint64) ^ _splitmix64(np.uint64(seed)))
    return (key % np.uint64(n_splits)).astype(np.int64)


# -- inputs as lists of delayed blocks -----------------------------------------
def _is_frame(obj):
    return hasattr(obj, "npartitions") and hasattr(obj, "columns")


def _array_blocks(dask_array, obj, name):
    """Row blocks of a dask (or numpy) array, as delayed objects."""
    da = dask_array
    if not is_dask_collection(obj):
        raise TypeError(
            f"{name} must be a dask array: with dask input, X, y and "
            f"sample_weight are all dask collections; got {type(obj).__name__}."
        )
    if _is_frame(obj) or hasattr(obj, "to_dask_array"):
        raise TypeError(f"{name} is a dask DataFrame/Series but X a dask array.")
    obj = da.asarray(obj)
    if any(np.isnan(c) for c in obj.chunks[0]):
        raise ValueError(
            f"{name} has unknown chunk sizes; call {name}.compute_chunk_sizes() first."
        )
    if obj.ndim == 2:
        obj = obj.rechunk({1: -1})
    return obj


def _tree_sum(dask, parts, combine):
    """Delayed tree reduction of ``parts`` with ``combine(*some)``."""
    parts = list(parts)
    while len(parts) > 1:
        parts = [
            dask.delayed(combine, pure=True)(*parts[i : i + SPLIT_EVERY])
            for i in range(0, len(parts), SPLIT_EVERY)
        ]
    return parts[0]


def _union_ids(*parts):
    return np.unique(np.concatenate(parts))


def _block_ids(ids):
    ids = ids.to_numpy() if hasattr(ids, "to_numpy") else np.asarray(ids)
    return np.unique(check_task_ids(ids))


def _as_series_frame(obj, name):
    if not hasattr(obj, "npartitions"):
        raise TypeError(
            f"{name} must be a dask Series or DataFrame (columns of the same dask "
            f"DataFrame as X) when X is a dask DataFrame; got {type(obj).__name__}."
        )
    return obj


class _Source:
    """A dask input as one list of delayed row blocks, with how to read them.

    Arrays: each block is ``(X_j, y_j, s_j)`` with aligned row chunks, and a
    row's key is its global position. DataFrames: one frame with ``y`` (and
    the weights) assigned as columns, so that every column comes from the
    same partition, and a row's key is ``partition * 2**40 + position in the
    partition`` (no pass to count the partitions' rows).
    """

    def __init__(self, X, y, sample_weight, task_column):
        self.dask = import_optional("dask", "dask")
        self.frame = _is_frame(X)
        self.long = task_column is not None
        self.col = None if task_column is None else resolve_task_column(task_column, X)
        if self.frame:
            self._init_frame(X, y, sample_weight)
        else:
            self._init_array(X, y, sample_weight)

    def _init_frame(self, X, y, sample_weight):
        cols = list(X.columns)
        feats = [c for i, c in enumerate(cols) if i != self.col]
        y = _as_series_frame(y, "y")
        if self.long:
            ycols = ["__skmtl_y__"]
            frame = X.assign(__skmtl_y__=y)
            self.n_tasks_wide = None
        else:
            ycols = [f"__skmtl_y{k}__" for k in range(len(getattr(y, "columns", [0])))]
            ys = [y] if len(ycols) == 1 and not _is_frame(y) else None
            frame = X.assign(
                **{c: (ys[0] if ys else y[y.columns[k]]) for k, c in enumerate(ycols)}
            )
            self.n_tasks_wide = len(ycols)
        scol = None
        if sample_weight is not None:
            scol = "__skmtl_w__"
            sw = _as_series_frame(sample_weight, "sample_weight")
            frame = frame.assign(__skmtl_w__=sw)
        self.names = {
            "feats": feats,
            "task": None if self.col is None else cols[self.col],
            "y": ycols,
            "w": scol,
        }
        self.n_features = len(feats)
        self.parts = [(p, None, None) for p in frame.to_delayed()]
        self.ids_parts = list(X[cols[self.col]].to_delayed()) if self.long else None
        self.starts = [j << 40 for j in range(len(self.parts))]
        self.n_samples = None

    def _init_array(self, X, y, sample_weight):
        da = import_optional("dask.array", "dask")
        X = _array_blocks(da, X, "X")
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D; got a dask array of shape {X.shape}.")
        y = _array_blocks(da, y, "y").rechunk({0: X.chunks[0]})
        if self.long:
            self.ids_parts = list(X[:, self.col].to_delayed().ravel())
            self.n_features = X.shape[1] - 1
            self.n_tasks_wide = None
        elif y.ndim == 2:
            self.ids_parts = None
            self.n_features = X.shape[1]
            self.n_tasks_wide = y.shape[1]
        else:
            raise ValueError(
                "y is 1-D, but X has no task column: pass wide targets Y of "
                "shape (n_samples, n_tasks), or set task_column."
            )
        s_parts = [None] * len(X.chunks[0])
        if sample_weight is not None:
            if not is_dask_collection(sample_weight):
                sample_weight = da.from_array(
                    np.asarray(sample_weight, dtype=float), chunks=(X.chunks[0],)
                )
            sw = _array_blocks(da, sample_weight, "sample_weight")
            s_parts = list(sw.rechunk({0: X.chunks[0]}).to_delayed().ravel())
        self.parts = list(
            zip(X.to_delayed().ravel(), y.to_delayed().ravel(), s_parts, strict=True)
        )
        self.names = None
        self.starts = np.concatenate([[0], np.cumsum(X.chunks[0])[:-1]]).tolist()
        self.n_samples = int(sum(X.chunks[0]))

    def task_ids(self):
        """Pass 1: the sorted unique task ids (reads the task column only)."""
        dask = self.dask
        parts = [dask.delayed(_block_ids, pure=True)(p) for p in self.ids_parts]
        (tasks,) = dask.compute(_tree_sum(dask, parts, _union_ids))
        return tasks


def _read_block(X, y, s, col, names):
    """``(X, ids, y, s)`` as numpy arrays from one block."""
    if names is not None:  # one partition of the combined frame
        df = X
        X = df[names["feats"]].to_numpy(dtype=np.float64)
        ids = None if names["task"] is None else df[names["task"]].to_numpy()
        y = df[names["y"]].to_numpy(dtype=np.float64)
        y = y[:, 0] if names["task"] is not None else y
        s = None if names["w"] is None else df[names["w"]].to_numpy(dtype=np.float64)
        return X, ids, y, s
    X = np.asarray(X)
    ids = None
    if col is not None:  # the task column is inside X
        ids = X[:, col]
        X = np.delete(X, col, axis=1)
    y = np.asarray(y, dtype=np.float64)
    if len(y) != len(X) or (s is not None and len(s) != len(X)):
        raise ValueError("X, y and sample_weight blocks have different lengths.")
    s = None if s is None else np.asarray(s, dtype=np.float64)
    return X, ids, y, s


def _block_statistics(X, y, s, start, spec):
    """One block's statistics (runs on a worker)."""
    X, ids, y, s = _read_block(X, y, s, spec["col"], spec["names"])
    rows = start + np.arange(len(X))
    n_folds = spec["n_folds"]
    rule = "wide" if spec["names"] is None and spec["tasks"] is None else "long"
    folds = fold_assignment(
        rows, spec["n_samples"], n_folds, layout=rule, random_state=spec["seed"]
    )
    if spec["tasks"] is None:
        return wide_block_statistics(X, y, s, folds, n_folds)
    tasks = spec["tasks"]
    ids = check_task_ids(ids)
    codes = np.searchsorted(tasks, ids)
    return long_block_statistics(X, codes, y, s, folds, n_folds, len(tasks))


def dask_statistics(
    X,
    y,
    *,
    task_column=None,
    sample_weight=None,
    n_folds=1,
    random_state=None,
    max_bytes=None,
):
    """Per-fold, per-task sufficient statistics of dask data, without its rows.

    Parameters
    ----------
    X : dask Array or dask DataFrame of shape (n_samples, n_columns)
        Inputs; with ``task_column`` set, one column holds task ids (long
        data).
    y : dask Array, Series or DataFrame
        Long 1-D targets, or wide targets (n_samples, n_tasks) with NaN for
        missing labels; row blocks aligned with ``X``'s.
    task_column : int, str or None, default=None
        The task column of ``X`` (position, or name for a DataFrame).
    sample_weight : dask Array or Series, default=None
        Non-negative row weights.
    n_folds : int, default=1
        Cross-validation folds to summarise separately (see
        :func:`fold_assignment`).
    random_state : int or None, default=None
        Seed of the long-data fold rule.
    max_bytes : int, default=None
        Refuse (``MemoryError``, before the statistics pass) when the
        statistics would be larger; ``None`` means
        :data:`MAX_STATISTICS_BYTES`.

    Returns
    -------
    raw : dict
        Statistics with a leading fold axis (see :mod:`._kernels`).
    tasks : ndarray of shape (n_tasks,)
        Sorted task ids (long data) or ``arange(n_tasks)`` (wide).
    n_features : int
        Feature columns (task column excluded).
    """
    src = _Source(X, y, sample_weight, task_column)
    dask = src.dask
    tasks = src.task_ids() if src.long else np.arange(src.n_tasks_wide)
    T, d = len(tasks), src.n_features
    nbytes = statistics_bytes(T, d, n_folds)
    limit = MAX_STATISTICS_BYTES if max_bytes is None else max_bytes
    if nbytes > limit:
        raise MemoryError(
            f"The per-task statistics of {T} tasks and {d} features"
            + (f" over {n_folds} folds" if n_folds > 1 else "")
            + f" take {nbytes / 2**30:.2f} GiB (8 K T (d^2 + 2d + 4) bytes), above "
            f"the bound of {limit / 2**30:.2f} GiB (SKMTL_DASK_MAX_STATISTICS_BYTES); "
            "every worker holds several such summaries while reducing. Fit in "
            "memory on a sample of the rows, reduce the features (e.g. a "
            "projection or feature selection) or the tasks, or raise the bound."
        )
    spec = {
        "col": None if src.frame else src.col,
        "names": src.names,
        "tasks": tasks if src.long else None,
        "n_folds": n_folds,
        "n_samples": src.n_samples,
        "seed": random_state,
    }
    spec = dask.delayed(spec, pure=True)  # one copy of the task ids in the graph
    parts = [
        dask.delayed(_block_statistics, pure=True)(Xb, yb, sb, start, spec)
        for (Xb, yb, sb), start in zip(src.parts, src.starts, strict=True)
    ]
    (raw,) = dask.compute(_tree_sum(dask, parts, add_statistics))
    return raw, tasks, d
