"""Per-task regression metrics that ignore missing labels."""

import numpy as np

from ._base import aggregate_tasks, per_task_arrays

__all__ = ["r2_score", "mean_squared_error"]


def r2_score(
    y_true, y_pred, *, tasks=None, sample_weight=None, multioutput="uniform_average"
):
    """Coefficient of determination of each task, ignoring missing labels.

    For task ``t`` with labelled rows ``i`` and weights ``w_i``,
    ``R^2_t = 1 - sum_i w_i (y_i - yhat_i)^2 / sum_i w_i (y_i - ybar_t)^2``
    with ``ybar_t`` the weighted mean of the task's labels. A task with a
    constant target scores 1.0 if predicted exactly and 0.0 otherwise, as in
    scikit-learn.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
        True targets, ``NaN`` for missing labels (wide) or 1-D with ``tasks``
        (long).
    y_pred : array-like of the same shape as ``y_true``
        Predictions.
    tasks : array-like of shape (n_samples,), default=None
        Task id of every row for long targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    multioutput : {'raw_values', 'uniform_average', 'sample_weighted'} or \
            array-like of shape (n_tasks,), default='uniform_average'
        How to combine the tasks' scores.

    Returns
    -------
    score : float or ndarray of shape (n_tasks,)
        Mean over tasks (or per task for ``'raw_values'``) of the R^2.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.metrics import r2_score
    >>> Y = np.array([[1.0, np.nan], [2.0, 0.0], [3.0, 1.0]])
    >>> P = np.array([[1.0, 5.0], [2.0, 0.5], [3.0, 0.5]])
    >>> r2_score(Y, P, multioutput="raw_values")
    array([1., 0.])
    """
    _, parts = per_task_arrays(y_true, y_pred, tasks=tasks, sample_weight=sample_weight)
    values, sizes = [], []
    for yt, yp, w in parts:
        sse = np.sum(w * (yt - yp) ** 2)
        sst = np.sum(w * (yt - np.average(yt, weights=w)) ** 2) if w.sum() > 0 else 0
        if sst > 0:
            values.append(1.0 - sse / sst)
        else:
            values.append(1.0 if sse == 0 else 0.0)
        sizes.append(w.sum())
    return aggregate_tasks(values, multioutput, np.asarray(sizes))


def mean_squared_error(
    y_true, y_pred, *, tasks=None, sample_weight=None, multioutput="uniform_average"
):
    """Mean squared error of each task, ignoring missing labels.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
        True targets, ``NaN`` for missing labels (wide) or 1-D with ``tasks``
        (long).
    y_pred : array-like of the same shape as ``y_true``
        Predictions.
    tasks : array-like of shape (n_samples,), default=None
        Task id of every row for long targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    multioutput : {'raw_values', 'uniform_average', 'sample_weighted'} or \
            array-like of shape (n_tasks,), default='uniform_average'
        How to combine the tasks' scores.

    Returns
    -------
    loss : float or ndarray of shape (n_tasks,)
        Aggregated (or per-task) mean squared error.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.metrics import mean_squared_error
    >>> mean_squared_error([1.0, 2.0, 4.0], [1.0, 3.0, 2.0], tasks=["a", "a", "b"],
    ...                    multioutput="raw_values")
    array([0.5, 4. ])
    """
    _, parts = per_task_arrays(y_true, y_pred, tasks=tasks, sample_weight=sample_weight)
    values = [np.average((yt - yp) ** 2, weights=w) for yt, yp, w in parts]
    sizes = np.array([w.sum() for _, _, w in parts])
    return aggregate_tasks(values, multioutput, sizes)
