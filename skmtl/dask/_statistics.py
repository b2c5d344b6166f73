"""Per-task sufficient statistics of dask collections: a map-reduce over blocks.

Two passes over the data, neither of which brings rows to the client:

1. long data only: the task ids (the task column alone; one column of a
   Parquet file is all that is read) and the length of every block, reduced
   to the sorted unique ids;
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
            f"{name} must be a dask collection like X when X is a dask array; got "
            f"{type(obj).__name__}."
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


def _frame_blocks(obj, name, n_parts):
    if not (_is_frame(obj) or hasattr(obj, "npartitions")):
        raise TypeError(
            f"{name} must be a dask Series or DataFrame (with X's partitions) when "
            f"X is a dask DataFrame; got {type(obj).__name__}."
        )
    if obj.npartitions != n_parts:
        raise ValueError(
            f"{name} has {obj.npartitions} partitions but X has {n_parts}: pass "
            "columns of the same dask DataFrame (e.g. X = df.drop(columns='y'), "
            "y = df['y'])."
        )
    return list(obj.to_delayed())


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
    ids = np.concatenate([p[0] for p in parts])
    return np.unique(ids), sum(p[1] for p in parts)


def _block_ids(ids):
    ids = check_task_ids(np.asarray(ids))
    return np.unique(ids), len(ids)


def _block_lengths(dask, parts):
    return dask.compute(*[dask.delayed(len)(p) for p in parts])


class _Source:
    """A dask input as aligned lists of delayed row blocks."""

    def __init__(self, X, y, sample_weight, task_column):
        dask = import_optional("dask", "dask")
        self.dask = dask
        self.frame = _is_frame(X)
        self.long = task_column is not None
        if self.frame:
            cols = list(X.columns)
            self.col = (
                None if task_column is None else resolve_task_column(task_column, X)
            )
            feats = [c for i, c in enumerate(cols) if i != self.col]
            self.n_features = len(feats)
            self.X_parts = list(X[feats].to_delayed())
            n = len(self.X_parts)
            self.ids_parts = list(X[cols[self.col]].to_delayed()) if self.long else None
            self.y_parts = _frame_blocks(y, "y", n)
            self.s_parts = (
                None
                if sample_weight is None
                else _frame_blocks(sample_weight, "sample_weight", n)
            )
            self.n_tasks_wide = None if self.long else _frame_width(y)
            self.lengths = None
        else:
            da = import_optional("dask.array", "dask")
            X = _array_blocks(da, X, "X")
            if X.ndim != 2:
                raise ValueError(f"X must be 2-D; got a dask array of shape {X.shape}.")
            self.col = (
                None if task_column is None else resolve_task_column(task_column, X)
            )
            y = _array_blocks(da, y, "y").rechunk({0: X.chunks[0]})
            self.lengths = list(X.chunks[0])
            self.X_parts = list(X.to_delayed().ravel())
            self.ids_parts = None
            if self.long:
                self.ids_parts = list(X[:, self.col].to_delayed().ravel())
                keep = [j for j in range(X.shape[1]) if j != self.col]
                self.n_features = len(keep)
            else:
                self.n_features = X.shape[1]
            self.y_parts = list(y.to_delayed().ravel())
            if y.ndim == 2 and not self.long:
                self.n_tasks_wide = y.shape[1]
            elif not self.long:
                raise ValueError(
                    "y is 1-D, but X has no task column: pass wide targets Y of "
                    "shape (n_samples, n_tasks), or set task_column."
                )
            else:
                self.n_tasks_wide = None
            self.s_parts = None
            if sample_weight is not None:
                if not is_dask_collection(sample_weight):
                    sample_weight = da.from_array(
                        np.asarray(sample_weight, dtype=float), chunks=(X.chunks[0],)
                    )
                sw = _array_blocks(da, sample_weight, "sample_weight")
                self.s_parts = list(sw.rechunk({0: X.chunks[0]}).to_delayed().ravel())

    def task_ids(self):
        """Pass 1: sorted unique task ids (and block lengths, for frames)."""
        dask = self.dask
        parts = [dask.delayed(_block_ids, pure=True)(p) for p in self.ids_parts]
        lengths = None
        if self.frame:
            lengths = [dask.delayed(len)(p) for p in self.ids_parts]
        tasks, lengths = dask.compute(_tree_sum(dask, parts, _union_ids), lengths)
        if self.frame:
            self.lengths = list(lengths)
        return tasks[0]

    def ensure_lengths(self):
        if self.lengths is None:
            self.lengths = list(_block_lengths(self.dask, self.y_parts))
        return self.lengths


def _frame_width(y):
    return len(y.columns) if _is_frame(y) else 1


def _long_block(X, ids, y, s, start, tasks, col, n_folds, n_samples, seed):
    X = X.to_numpy() if hasattr(X, "to_numpy") else np.asarray(X)
    if ids is None:  # the task column is inside X (dask array)
        ids = X[:, col]
        X = np.delete(X, col, axis=1)
    ids = check_task_ids(
        np.asarray(ids.to_numpy() if hasattr(ids, "to_numpy") else ids)
    )
    y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y, dtype=float)
    if len(y) != len(X) or (s is not None and len(s) != len(X)):
        raise ValueError("X, y and sample_weight blocks have different lengths.")
    if s is not None:
        s = np.asarray(s.to_numpy() if hasattr(s, "to_numpy") else s, dtype=float)
    codes = np.searchsorted(tasks, ids)
    rows = start + np.arange(len(X))
    folds = fold_assignment(rows, n_samples, n_folds, layout="long", random_state=seed)
    return long_block_statistics(X, codes, y, s, folds, n_folds, len(tasks))


def _wide_block(X, Y, s, start, n_folds, n_samples):
    X = X.to_numpy() if hasattr(X, "to_numpy") else np.asarray(X)
    Y = np.asarray(Y.to_numpy() if hasattr(Y, "to_numpy") else Y, dtype=float)
    if len(Y) != len(X) or (s is not None and len(s) != len(X)):
        raise ValueError("X, y and sample_weight blocks have different lengths.")
    if s is not None:
        s = np.asarray(s.to_numpy() if hasattr(s, "to_numpy") else s, dtype=float)
    rows = start + np.arange(len(X))
    folds = fold_assignment(rows, n_samples, n_folds, layout="wide")
    return wide_block_statistics(X, Y, s, folds, n_folds)


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
    n_features, n_samples : int
        Feature columns (task column excluded) and rows.
    """
    src = _Source(X, y, sample_weight, task_column)
    dask = src.dask
    if src.long:
        tasks = src.task_ids()
    else:
        tasks = np.arange(src.n_tasks_wide)
    lengths = src.ensure_lengths()
    n_samples = int(sum(lengths))
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
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    parts = []
    for j, Xb in enumerate(src.X_parts):
        s_b = None if src.s_parts is None else src.s_parts[j]
        if src.long:
            ids_b = src.ids_parts[j] if src.frame else None
            parts.append(
                dask.delayed(_long_block, pure=True)(
                    Xb,
                    ids_b,
                    src.y_parts[j],
                    s_b,
                    int(starts[j]),
                    tasks,
                    None if src.frame else src.col,
                    n_folds,
                    n_samples,
                    random_state,
                )
            )
        else:
            parts.append(
                dask.delayed(_wide_block, pure=True)(
                    Xb, src.y_parts[j], s_b, int(starts[j]), n_folds, n_samples
                )
            )
    (raw,) = dask.compute(_tree_sum(dask, parts, add_statistics))
    return raw, tasks, d, n_samples
