"""One place for validating multi-task data in both layouts.

skmtl accepts multi-task data in two shapes:

* **wide**: ``X`` of shape (n_samples, n_features) and ``Y`` of shape
  (n_samples, n_tasks); ``NaN`` in ``Y`` means "no label for this task on this
  sample" and is masked out of every loss and score.
* **long**: one row per (sample, task) with a task-id column in ``X`` named by the
  estimator's ``task_column`` parameter and a 1-D ``y``. Each task has its own
  samples.

Both are turned into a :class:`MultiTaskData`, which keeps per-task row indices
instead of a dense (n_samples, n_tasks) matrix, so long data with many tasks stays
cheap.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.validation import (
    _check_sample_weight,
    assert_all_finite,
    check_array,
    validate_data,
)

from ._accel import numba_loaded, sum_of_squares, use_numba

__all__ = [
    "MultiTaskData",
    "check_multitask_data",
    "check_multitask_X",
    "check_task_ids",
    "resolve_task_column",
    "task_codes_for",
]


@dataclass
class MultiTaskData:
    """Validated multi-task data, the common input of every skmtl solver.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Feature matrix without the task column.
    y : ndarray of shape (n_samples,) or (n_samples, n_tasks)
        Targets: 1-D for long data, 2-D with ``NaN`` for missing labels for wide
        data.
    layout : {'wide', 'long'}
        Layout the data came in.
    tasks : ndarray of shape (n_tasks,)
        Task identifiers: ``arange(n_tasks)`` for wide data, the sorted unique ids
        of the task column for long data.
    task_index : list of ndarray
        ``task_index[t]`` holds the rows of ``X`` that carry a label for task
        ``t``.
    task_codes : ndarray of shape (n_samples,) or None
        For long data, the task index (0..n_tasks-1) of every row.
    sample_weight : ndarray of shape (n_samples,) or None
        Weights of the rows.
    x_unchecked : bool, default=False
        True when validation left the finiteness and magnitude check of a large
        dense ``X`` to the estimator's first pass over it (see
        ``check_multitask_data(defer_x_check=True)``); :meth:`check_x` runs it.
    """

    X: np.ndarray | sp.spmatrix
    y: np.ndarray
    layout: str
    tasks: np.ndarray
    task_index: list = field(repr=False)
    task_codes: np.ndarray | None = field(default=None, repr=False)
    sample_weight: np.ndarray | None = field(default=None, repr=False)
    x_unchecked: bool = field(default=False, repr=False)

    def check_x(self, estimator=None):
        """Run the deferred check of ``X`` (no-op when it was already done).

        Raises
        ------
        ValueError
            If ``X`` holds NaN or infinity, or values too large to fit.
        """
        if self.x_unchecked:
            _check_magnitude(self.X, "X", allow_nan=False, estimator=estimator)
            self.x_unchecked = False

    @property
    def n_samples(self):
        return self.X.shape[0]

    @property
    def n_features(self):
        return self.X.shape[1]

    @property
    def n_tasks(self):
        return len(self.tasks)

    @property
    def task_sizes(self):
        """Number of labelled rows of each task, ndarray of shape (n_tasks,)."""
        return np.array([len(idx) for idx in self.task_index])

    @property
    def shared_design(self):
        """True when every task is labelled on every row of the same ``X``.

        Solvers may then work with ``X`` and the dense ``Y`` matrix directly.
        """
        return self.layout == "wide" and all(
            len(idx) == self.n_samples for idx in self.task_index
        )

    def target(self, t):
        """Labels of task ``t``, aligned with ``task_index[t]``."""
        idx = self.task_index[t]
        if self.layout == "long":
            return self.y[idx]
        return self.y[idx, t]

    def weight(self, t):
        """Sample weights of task ``t``'s rows (ones when unweighted)."""
        idx = self.task_index[t]
        if self.sample_weight is None:
            return np.ones(len(idx), dtype=self.X.dtype)
        return self.sample_weight[idx]

    def design(self, t):
        """Rows of ``X`` labelled for task ``t`` (a copy for dense, a slice)."""
        idx = self.task_index[t]
        if self.shared_design:
            return self.X
        return self.X[idx]

    def iter_tasks(self):
        """Yield ``(t, rows, y_t, w_t)`` for every task."""
        for t, idx in enumerate(self.task_index):
            yield t, idx, self.target(t), self.weight(t)

    def wide_targets(self):
        """Targets as a dense (n_samples, n_tasks) matrix with NaN where missing.

        Only meant for wide data or small long data (it is dense).
        """
        if self.layout == "wide":
            return self.y
        Y = np.full((self.n_samples, self.n_tasks), np.nan)
        Y[np.arange(self.n_samples), self.task_codes] = self.y
        return Y


def resolve_task_column(task_column, X):
    """Return the position of the task column in ``X``.

    Parameters
    ----------
    task_column : int or str
        Column index (negative indices count from the end) or, for a pandas
        DataFrame, a column name.
    X : array-like or DataFrame
        The input holding the task column.

    Returns
    -------
    index : int
        Non-negative position of the task column.
    """
    n_columns = X.shape[1] if getattr(X, "ndim", 2) == 2 else None
    columns = getattr(X, "columns", None)
    if isinstance(task_column, str):
        if columns is None:
            raise ValueError(
                f"task_column={task_column!r} is a column name, but X has no column "
                "names (it is not a pandas DataFrame). Pass the integer position of "
                "the task column instead."
            )
        matches = np.flatnonzero(np.asarray(columns.astype(str)) == task_column)
        if len(matches) != 1:
            raise ValueError(
                f"task_column={task_column!r} is not a column of X (or appears more "
                f"than once); the columns are {list(columns)}."
            )
        return int(matches[0])
    if isinstance(task_column, numbers.Integral) and not isinstance(task_column, bool):
        if n_columns is None:
            raise ValueError(
                "X must be 2-D to hold a task column; got an array with "
                f"{getattr(X, 'ndim', '?')} dimension(s)."
            )
        if not -n_columns <= task_column < n_columns:
            raise ValueError(
                f"task_column={task_column} is out of range for X with {n_columns} "
                "columns."
            )
        return int(task_column) % n_columns
    raise TypeError(
        "task_column must be None (wide data), an int column position or a "
        f"DataFrame column name; got {task_column!r} of type "
        f"{type(task_column).__name__}."
    )


def check_task_ids(ids):
    """Validate a vector of task ids: integer-like numbers or strings.

    Parameters
    ----------
    ids : array-like of shape (n_samples,)
        Task id of every row.

    Returns
    -------
    ids : ndarray of shape (n_samples,)
        Integer (int64) or string (object) ids.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"Task ids must be 1-D; got shape {ids.shape}.")
    kind = ids.dtype.kind
    if kind in "iu":
        return ids.astype(np.int64)
    if kind == "b":
        return ids.astype(np.int64)
    if kind == "f":
        ids = np.ascontiguousarray(ids)  # the task column of X is a strided view
        as_int = ids.astype(np.int64)
        if np.array_equal(as_int, ids):  # integer-valued (NaN and inf fail)
            return as_int
        if not np.all(np.isfinite(ids)):
            raise ValueError(
                "The task column contains NaN or inf: every row needs the id of "
                "its task. Drop the rows without a task or give them an id."
            )
        if np.any(ids != np.round(ids)):
            bad = ids[ids != np.round(ids)][:5]
            raise ValueError(
                "The task column must hold integer or string task ids; found "
                f"non-integer values such as {bad.tolist()}. Check that "
                "task_column points at the task id column."
            )
        return ids.astype(np.int64)
    if kind in "USO":
        values = ids.tolist()
        types = {type(v) for v in values}
        if all(issubclass(t, str) for t in types):
            return np.asarray(values, dtype=object)
        if all(issubclass(t, numbers.Integral) for t in types):
            return np.asarray(values, dtype=np.int64)
        if all(issubclass(t, numbers.Real) for t in types):
            return check_task_ids(np.asarray(values, dtype=float))
        if any(v is None for v in values) or any(
            isinstance(v, float) and np.isnan(v) for v in values
        ):
            raise ValueError(
                "The task column contains missing ids (None or NaN): every row "
                "needs the id of its task."
            )
        raise ValueError(
            "The task column mixes types "
            f"({sorted(t.__name__ for t in types)}); use all strings or all "
            "integers as task ids."
        )
    raise ValueError(
        f"The task column has dtype {ids.dtype}; task ids must be integers or strings."
    )


def _split_task_column(X, col):
    """Return (features, raw task ids) from X with the task column at ``col``."""
    if hasattr(X, "iloc"):
        ids = X.iloc[:, col].to_numpy()
        features = X.drop(columns=X.columns[col])
        return features, ids
    if sp.issparse(X):
        X = X.tocsc()
        ids = X[:, [col]].toarray().ravel()
        keep = np.delete(np.arange(X.shape[1]), col)
        return X[:, keep], ids
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(
            f"Expected 2-D X with a task column; got an array of shape {X.shape}."
        )
    ids = X[:, col]
    if col in (0, X.shape[1] - 1):  # a view, no copy of a large X
        features = X[:, 1:] if col == 0 else X[:, :col]
    else:
        features = np.delete(X, col, axis=1)
    if features.dtype == object:
        try:
            features = features.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                "The feature columns of X (all columns but the task column) must "
                f"be numeric: {exc}"
            ) from exc
    return features, ids


def _check_features(
    X, accept_sparse, dtype, estimator, ensure_min_samples=1, check_values=True
):
    X = check_array(
        X,
        accept_sparse=accept_sparse,
        dtype=dtype,
        ensure_all_finite=False,  # checked below, with the magnitude, in one go
        ensure_min_samples=ensure_min_samples,
        ensure_min_features=1,
        input_name="X",
        estimator=estimator,
    )
    if check_values:
        _check_magnitude(X, "X", allow_nan=False, estimator=estimator)
    return X


def _extremes(values, allow_nan):
    """``(min, max)`` of a dense array without a temporary copy of it.

    A contiguous array is reduced flat (vectorised: ten times faster than row
    by row on 32 columns); row-wise reductions keep non-contiguous views (X
    without its task column) fast; with ``allow_nan`` NaN is skipped
    (``fmin``/``fmax``), otherwise it propagates so that a non-finite result
    flags NaN or inf.
    """
    lo_fn, hi_fn = (np.fmin, np.fmax) if allow_nan else (np.minimum, np.maximum)
    contiguous = values.flags.c_contiguous or values.flags.f_contiguous
    rows_contiguous = values.ndim == 2 and values.strides[1] == values.itemsize
    if not contiguous and rows_contiguous and values.shape[1] > 1:
        lo = lo_fn.reduce(lo_fn.reduce(values, axis=1))
        return lo, hi_fn.reduce(hi_fn.reduce(values, axis=1))
    flat = values.ravel(order="K")
    return lo_fn.reduce(flat), hi_fn.reduce(flat)


def _check_magnitude(A, name, allow_nan=True, estimator=None):
    """Refuse non-finite values (NaN too unless ``allow_nan``) and finite ones
    so large that sums of squares overflow.

    Solvers form inner products such as X^T X; with entries above
    ``sqrt(max_float / size)`` these overflow to inf and the fit returns NaN.
    Costs two reductions over ``A`` and no copy (one fused pass with numba).
    """
    values = A.data if sp.issparse(A) else A
    if values.size == 0:
        return
    if values.dtype.kind not in "fiub":
        values = np.asarray(values, dtype=np.float64)
    dtype = values.dtype if values.dtype.kind == "f" else np.dtype(np.float64)
    limit = np.sqrt(np.finfo(dtype).max / max(A.shape[0] * A.shape[-1], 1))
    fused = use_numba(values.size) and numba_loaded()
    if not allow_nan and values.dtype.kind == "f" and fused:
        # one fused pass: a finite sum of squares below limit**2 proves every
        # value finite and below the limit (max**2 <= sum); anything else goes
        # to the exact checks below for the error message. Only once numba is
        # imported: a check alone never pays numba's import (~0.3 s)
        total = sum_of_squares(values)
        if total <= limit * limit:
            return
    lo, hi = _extremes(values, allow_nan)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        if values.dtype.kind == "f" and np.isnan(lo) and allow_nan:
            return  # every value is NaN (fmin/fmax give NaN only then)
        # scikit-learn's own message (names NaN or infinity and the input)
        assert_all_finite(
            values,
            allow_nan=allow_nan,
            estimator_name=type(estimator).__name__ if estimator is not None else None,
            input_name=name,
        )
        raise ValueError(f"{name} contains NaN or infinity.")  # pragma: no cover
    biggest = max(abs(float(lo)), abs(float(hi)))
    if biggest > limit:
        raise ValueError(
            f"{name} has values up to {biggest:.3g}, too large to fit without "
            f"overflow in {dtype} (limit {limit:.3g} for this size). "
            f"Rescale {name} (e.g. with sklearn.preprocessing.StandardScaler) "
            "before fitting."
        )


def _check_2d(X):
    """Reject 1-D or scalar X early, with scikit-learn's wording."""
    if sp.issparse(X) or hasattr(X, "iloc") or X is None:
        return
    ndim = getattr(X, "ndim", None)
    if ndim is None:
        try:
            ndim = np.ndim(X)
        except (TypeError, ValueError):
            return
    if ndim == 0:
        raise ValueError(
            f"Expected 2D array, got scalar array instead:\narray={X!r}.\n"
            "Reshape your data: X must be (n_samples, n_features)."
        )
    if ndim == 1:
        raise ValueError(
            "Expected 2D array, got 1D array instead. Reshape your data either "
            "using array.reshape(-1, 1) if your data has a single feature or "
            "array.reshape(1, -1) if it contains a single sample."
        )


def _unique_ids(ids):
    """``np.unique(ids, return_inverse=True)``, in one pass for sorted ids.

    Per-task data usually come task after task; numeric ids already in order
    need no sort.
    """
    if ids.dtype.kind in "iu" and len(ids) > 1:
        step = ids[1:] != ids[:-1]
        if np.all(ids[1:] >= ids[:-1]):
            starts = np.concatenate([[0], np.flatnonzero(step) + 1])
            codes = np.concatenate([[0], np.cumsum(step)])
            return ids[starts], codes
    return np.unique(ids, return_inverse=True)


def _group_rows(codes, n_tasks):
    if len(codes) > 1 and np.all(codes[1:] >= codes[:-1]):  # already grouped
        ends = np.cumsum(np.bincount(codes, minlength=n_tasks))
        rows = np.arange(len(codes))
        return [
            rows[e - c : e] for e, c in zip(ends, np.diff(ends, prepend=0), strict=True)
        ]
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(np.bincount(codes, minlength=n_tasks))[:-1]
    return np.split(order, bounds)


def check_multitask_data(
    estimator,
    X,
    y,
    *,
    task_column=None,
    sample_weight=None,
    accept_sparse=False,
    dtype=(np.float64, np.float32),
    reset=True,
    min_samples_per_task=1,
    defer_x_check=False,
):
    """Validate multi-task training data in the wide or the long layout.

    This is the one entry point every skmtl estimator calls in ``fit``. It sets
    ``n_features_in_`` (the number of columns of ``X``, task column included) and
    ``feature_names_in_`` on the estimator and, when ``reset`` is true, the
    fitted task bookkeeping: ``tasks_`` (task ids), ``n_tasks_`` and the
    private ``_layout`` and ``_task_col`` used by :func:`check_multitask_X`.

    Parameters
    ----------
    estimator : estimator instance
        The estimator being fitted.
    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
        Inputs. With ``task_column`` set, one of the columns holds task ids.
    y : array-like of shape (n_samples, n_tasks) or (n_samples,)
        Wide targets with ``NaN`` for missing labels, or long 1-D targets.
    task_column : int, str or None, default=None
        ``None`` for wide data; otherwise the position or name of the task-id
        column in ``X`` (long data).
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.
    accept_sparse : bool or str or list of str, default=False
        Sparse formats the estimator's solvers can use.
    dtype : dtype or tuple of dtypes, default=(np.float64, np.float32)
        Accepted floating dtypes of the features.
    reset : bool, default=True
        Whether to (re)set the fitted bookkeeping on ``estimator``.
    min_samples_per_task : int, default=1
        Smallest number of labelled rows a task may have.
    defer_x_check : bool, default=False
        For large dense long data with every row labelled and numba installed:
        skip the pass that checks ``X`` for NaN, infinity and overflow, and
        mark the data ``x_unchecked``. Only for callers whose first pass over
        ``X`` does the check itself (or that call ``data.check_x()`` before
        using ``X``); skmtl's least-squares datafit does it fused with its
        first gradient.

    Returns
    -------
    data : MultiTaskData
        The validated data.
    """
    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target "
            "y is None."
        )
    _check_2d(X)
    validate_data(estimator, X, reset=reset, skip_check_array=True)
    if task_column is None:
        data = _check_wide(estimator, X, y, accept_sparse, dtype)
        tasks = data.tasks
    else:
        data = _check_long(
            estimator, X, y, task_column, accept_sparse, dtype, defer_x_check
        )
        tasks = data.tasks
    if sample_weight is not None:
        sample_weight = _check_sample_weight(
            sample_weight, data.X, dtype=data.X.dtype, ensure_non_negative=True
        )
        data.sample_weight = sample_weight
    _check_task_sizes(data, min_samples_per_task)
    if reset:
        estimator.tasks_ = tasks
        estimator.n_tasks_ = len(tasks)
        estimator._layout = data.layout
        estimator._task_col = (
            None if task_column is None else resolve_task_column(task_column, X)
        )
    return data


def _check_wide(estimator, X, y, accept_sparse, dtype):
    X = _check_features(X, accept_sparse, dtype, estimator)
    Y = check_array(
        y,
        ensure_2d=False,
        dtype=np.float64,
        ensure_all_finite="allow-nan",
        input_name="y",
        estimator=estimator,
    )
    if Y.ndim == 1:
        raise ValueError(
            f"y is 1-D, but {type(estimator).__name__} is a multi-task estimator: "
            "pass wide targets Y of shape (n_samples, n_tasks) (Y.reshape(-1, 1) "
            "for a single task), or long data with a task-id column in X and "
            "task_column set to its position or name."
        )
    if Y.ndim != 2:
        raise ValueError(f"y must be 2-D (n_samples, n_tasks); got shape {Y.shape}.")
    if Y.shape[0] != X.shape[0]:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {X.shape[0]} "
            f"rows, y has {Y.shape[0]}."
        )
    if np.isinf(Y).any():
        raise ValueError(
            "y contains inf. Missing labels are written as NaN; infinite targets "
            "cannot be fitted."
        )
    _check_magnitude(Y, "y")
    observed = ~np.isnan(Y)
    task_index = [np.flatnonzero(observed[:, t]) for t in range(Y.shape[1])]
    return MultiTaskData(
        X=X, y=Y, layout="wide", tasks=np.arange(Y.shape[1]), task_index=task_index
    )


def _check_long(estimator, X, y, task_column, accept_sparse, dtype, defer=False):
    col = resolve_task_column(task_column, X)
    if X.shape[1] < 2:
        raise ValueError(
            "With task_column set, X needs the task column and at least one "
            f"feature column; got {X.shape[1]} column(s)."
        )
    features, ids = _split_task_column(X, col)
    ids = check_task_ids(ids)
    y_nan = defer and np.isnan(np.asarray(y, dtype=float)).any()
    defer = defer and not y_nan and _deferrable(features)
    features = _check_features(
        features, accept_sparse, dtype, estimator, check_values=not defer
    )
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed for long data (task_column is set); "
            "it was raveled to shape (n_samples,).",
            DataConversionWarning,
            stacklevel=3,
        )
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(
            f"With task_column set (long data), y must be 1-D; got shape {y.shape}. "
            "For wide targets (n_samples, n_tasks) leave task_column=None."
        )
    y = check_array(
        y,
        ensure_2d=False,
        dtype=np.float64,
        ensure_all_finite="allow-nan",
        input_name="y",
        estimator=estimator,
    )
    if y.shape[0] != features.shape[0]:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has "
            f"{features.shape[0]} rows, y has {y.shape[0]}."
        )
    if np.isinf(y).any():
        raise ValueError("y contains inf; targets must be finite (NaN = no label).")
    _check_magnitude(y.reshape(-1, 1), "y")
    tasks, codes = _unique_ids(ids)
    labelled = ~np.isnan(y)
    groups = _group_rows(codes, len(tasks))
    task_index = [idx[labelled[idx]] for idx in groups]
    return MultiTaskData(
        X=features,
        y=y,
        layout="long",
        tasks=tasks,
        task_index=task_index,
        task_codes=codes,
        x_unchecked=defer,
    )


def _deferrable(X):
    """Dense float array big enough for the compiled check (see _accel)."""
    return (
        isinstance(X, np.ndarray)
        and X.dtype.kind == "f"
        and X.ndim == 2
        and use_numba(X.size)
    )


def _check_task_sizes(data, min_samples_per_task):
    sizes = data.task_sizes
    if data.sample_weight is not None:
        weighted = np.array([data.sample_weight[idx].sum() for idx in data.task_index])
        empty = (sizes == 0) | (weighted <= 0)
    else:
        empty = sizes == 0
    if empty.any():
        bad = data.tasks[empty][:10].tolist()
        raise ValueError(
            f"Task(s) {bad} have no labels at all (every target is NaN"
            + (" or every sample weight is 0" if data.sample_weight is not None else "")
            + "): a task needs at least one labelled sample. Drop that task "
            "(its column of Y, or its rows in long data) before fitting."
        )
    small = sizes < min_samples_per_task
    if small.any():
        bad = data.tasks[small][:10].tolist()
        raise ValueError(
            f"Task(s) {bad} have fewer than {min_samples_per_task} labelled "
            "samples, which this estimator needs."
        )


def check_multitask_X(
    estimator, X, *, accept_sparse=False, dtype=(np.float64, np.float32)
):
    """Validate prediction inputs against what ``estimator`` was fitted on.

    Parameters
    ----------
    estimator : fitted estimator
        Must have been fitted through :func:`check_multitask_data`.
    X : {array-like, sparse matrix, DataFrame}
        Inputs, with the task column when the estimator was fitted on long data.
    accept_sparse : bool or str or list of str, default=False
        Accepted sparse formats.
    dtype : dtype or tuple of dtypes, default=(np.float64, np.float32)
        Accepted floating dtypes.

    Returns
    -------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Features without the task column.
    codes : ndarray of shape (n_samples,) or None
        For long data, the index in ``estimator.tasks_`` of every row's task.
    """
    _check_2d(X)
    validate_data(estimator, X, reset=False, skip_check_array=True)
    if estimator._layout == "wide":
        return _check_features(X, accept_sparse, dtype, estimator), None
    features, ids = _split_task_column(X, estimator._task_col)
    ids = check_task_ids(ids)
    features = _check_features(features, accept_sparse, dtype, estimator)
    codes = task_codes_for(estimator.tasks_, ids)
    return features, codes


def task_codes_for(tasks, ids):
    """Map task ids to their positions in the fitted ``tasks``.

    Parameters
    ----------
    tasks : ndarray of shape (n_tasks,)
        Sorted fitted task ids (``estimator.tasks_``).
    ids : ndarray of shape (n_samples,)
        Task id of each row.

    Returns
    -------
    codes : ndarray of shape (n_samples,)
        Position of each row's task in ``tasks``.

    Raises
    ------
    ValueError
        Naming the ids that were not seen at fit time.
    """
    ids = np.asarray(ids)
    known_str = tasks.dtype == object
    given_str = ids.dtype == object
    if len(ids) and known_str != given_str:
        raise ValueError(
            "Task ids at predict are "
            + ("strings" if given_str else "integers")
            + " but were "
            + ("strings" if known_str else "integers")
            + " at fit time."
        )
    pos = np.searchsorted(tasks, ids)
    pos = np.clip(pos, 0, len(tasks) - 1)
    unseen = tasks[pos] != ids
    if np.any(unseen):
        bad = np.unique(ids[unseen])[:10].tolist()
        raise ValueError(
            f"Task id(s) {bad} were not seen during fit; the fitted tasks are "
            f"{_short_list(tasks)}. A multi-task model can only predict for tasks "
            "it was trained on."
        )
    return pos


def _short_list(values, n=10):
    values = list(np.asarray(values).tolist())
    if len(values) <= n:
        return values
    return f"{values[:n]}... ({len(values)} tasks)"
