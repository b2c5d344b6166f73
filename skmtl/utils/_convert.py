"""Conversions between the wide and the long multi-task layouts."""

import numpy as np
import scipy.sparse as sp

from ._validation import check_task_ids, resolve_task_column

__all__ = ["long_to_wide", "wide_to_long"]


def wide_to_long(X, Y, *, task_names=None):
    """Turn wide data (X, Y with NaN) into long data, one row per label.

    Every non-missing cell ``Y[i, t]`` becomes one row: the features of sample
    ``i`` followed by the task id ``t`` in the **last** column, so the result is
    used with ``task_column=-1``. Missing cells (``NaN``) are labels that do not
    exist, so they produce no row.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Features shared by the tasks.
    Y : array-like of shape (n_samples, n_tasks)
        Targets with ``NaN`` for missing labels.
    task_names : array-like of shape (n_tasks,), default=None
        Ids to give the tasks; default ``0 .. n_tasks - 1``. With string names
        the returned ``X_long`` has dtype object.

    Returns
    -------
    X_long : {ndarray, sparse matrix} of shape (n_labels, n_features + 1)
        Features with the task id appended as the last column.
    y_long : ndarray of shape (n_labels,)
        The labels.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.utils import wide_to_long
    >>> X = np.array([[1.0], [2.0]])
    >>> Y = np.array([[10.0, np.nan], [20.0, 21.0]])
    >>> X_long, y_long = wide_to_long(X, Y)
    >>> X_long
    array([[1., 0.],
           [2., 0.],
           [2., 1.]])
    >>> y_long
    array([10., 20., 21.])
    """
    Y = np.asarray(Y, dtype=float)
    if Y.ndim != 2:
        raise ValueError(f"Y must be 2-D (n_samples, n_tasks); got shape {Y.shape}.")
    if X.shape[0] != Y.shape[0]:
        raise ValueError(
            f"X has {X.shape[0]} rows but Y has {Y.shape[0]}; they must match."
        )
    n_tasks = Y.shape[1]
    names = np.arange(n_tasks) if task_names is None else np.asarray(task_names)
    if names.shape != (n_tasks,):
        raise ValueError(f"task_names has shape {names.shape}; expected ({n_tasks},).")
    rows, cols = np.nonzero(~np.isnan(Y.T))  # task-major order
    task_of, sample_of = rows, cols
    y_long = Y[sample_of, task_of]
    ids = names[task_of]
    if sp.issparse(X):
        id_col = sp.csr_matrix(ids.astype(float).reshape(-1, 1))
        return sp.hstack([sp.csr_matrix(X)[sample_of], id_col], format="csr"), y_long
    X = np.asarray(X)
    if ids.dtype.kind in "iuf":
        X_long = np.column_stack([X[sample_of].astype(float), ids.astype(float)])
    else:
        X_long = np.empty((len(sample_of), X.shape[1] + 1), dtype=object)
        X_long[:, :-1] = X[sample_of]
        X_long[:, -1] = ids
    return X_long, y_long


def long_to_wide(X, y, *, task_column):
    """Turn long data into wide data with ``NaN`` for the missing labels.

    Each long row stays a row; its label goes to the column of its task and
    the other tasks' cells are ``NaN``. Fitting a skmtl estimator on the result
    gives the same model as fitting it on the long data.

    Parameters
    ----------
    X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_columns)
        Inputs with a task-id column.
    y : array-like of shape (n_samples,)
        Labels.
    task_column : int or str
        Position or DataFrame name of the task-id column.

    Returns
    -------
    X_wide : {ndarray, DataFrame, sparse matrix} of shape (n_samples, n_columns - 1)
        Features without the task column.
    Y : ndarray of shape (n_samples, n_tasks)
        Targets with ``NaN`` where a row belongs to another task.
    tasks : ndarray of shape (n_tasks,)
        Task id of each column of ``Y`` (sorted).

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.utils import long_to_wide
    >>> X = np.array([[0.5, 7], [1.5, 3], [2.5, 7]])
    >>> X_wide, Y, tasks = long_to_wide(X, [1.0, 2.0, 3.0], task_column=1)
    >>> tasks
    array([3, 7])
    >>> Y
    array([[nan,  1.],
           [ 2., nan],
           [nan,  3.]])
    """
    from ._validation import _split_task_column

    col = resolve_task_column(task_column, X)
    X_wide, ids = _split_task_column(X, col)
    ids = check_task_ids(ids)
    y = np.asarray(y, dtype=float)
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y must be 1-D with one label per row of X ({X.shape[0]}); got shape "
            f"{y.shape}."
        )
    tasks, codes = np.unique(ids, return_inverse=True)
    Y = np.full((len(y), len(tasks)), np.nan)
    Y[np.arange(len(y)), codes] = y
    return X_wide, Y, tasks
