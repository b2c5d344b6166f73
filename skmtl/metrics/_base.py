"""Per-task splitting and aggregation shared by every skmtl metric.

Metrics take targets in either layout:

* wide: ``y_true`` of shape (n_samples, n_tasks) with ``NaN`` for missing labels
  and ``y_pred`` of the same shape;
* long: 1-D ``y_true`` and ``y_pred`` with ``tasks``, the task id of every row.

A 1-D ``y_true`` without ``tasks`` is one task.
"""

import numbers

import numpy as np

__all__ = ["per_task_arrays", "aggregate_tasks"]

_AGGREGATES = ("raw_values", "uniform_average", "sample_weighted")


def per_task_arrays(y_true, y_pred, *, tasks=None, sample_weight=None):
    """Split targets into per-task arrays, dropping missing labels.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
        True targets; ``NaN`` marks a missing label.
    y_pred : array-like of the same shape as ``y_true``
        Predictions; must be finite where a label exists.
    tasks : array-like of shape (n_samples,), default=None
        Task id of every row for long (1-D) targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.

    Returns
    -------
    task_ids : ndarray of shape (n_tasks,)
        Task of each entry of ``parts``.
    parts : list of tuple (y_true_t, y_pred_t, weight_t)
        Labelled rows of each task.
    """
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred have different shapes: {y_true.shape} and "
            f"{y_pred.shape}."
        )
    if y_true.ndim not in (1, 2):
        raise ValueError(f"y_true must be 1-D or 2-D; got shape {y_true.shape}.")
    n = y_true.shape[0]
    if n == 0:
        raise ValueError("y_true is empty: there is nothing to score.")
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    if w.shape != (n,):
        raise ValueError(
            f"sample_weight has shape {w.shape}; expected ({n},) to match y_true."
        )
    if np.isinf(y_true).any():
        raise ValueError("y_true contains inf; missing labels are written as NaN.")
    if tasks is not None:
        if y_true.ndim != 1:
            raise ValueError(
                "tasks is for long (1-D) targets; wide targets carry one task per "
                "column."
            )
        tasks = np.asarray(tasks)
        if tasks.shape != (n,):
            raise ValueError(
                f"tasks has shape {tasks.shape}; expected ({n},), one id per row."
            )
        task_ids, codes = np.unique(tasks, return_inverse=True)
        columns = [codes == k for k in range(len(task_ids))]
        getters = [(y_true[m], y_pred[m], w[m]) for m in columns]
    elif y_true.ndim == 1:
        task_ids = np.array([0])
        getters = [(y_true, y_pred, w)]
    else:
        task_ids = np.arange(y_true.shape[1])
        getters = [(y_true[:, t], y_pred[:, t], w) for t in task_ids]
    parts = []
    for tid, (yt, yp, wt) in zip(task_ids, getters, strict=True):
        keep = ~np.isnan(yt)
        yt, yp, wt = yt[keep], yp[keep], wt[keep]
        if not np.all(np.isfinite(yp)):
            raise ValueError(
                f"y_pred for task {tid} contains NaN or inf where a label exists."
            )
        parts.append((yt, yp, wt))
    return task_ids, parts


def aggregate_tasks(values, multioutput, weights):
    """Combine per-task scores.

    Parameters
    ----------
    values : ndarray of shape (n_tasks,)
        Per-task scores.
    multioutput : {'raw_values', 'uniform_average', 'sample_weighted'} or \
            array-like of shape (n_tasks,)
        ``'raw_values'`` returns ``values``; ``'uniform_average'`` their mean;
        ``'sample_weighted'`` their average weighted by each task's (weighted)
        number of labelled samples; an array gives the weights of the tasks.
        ``NaN`` values (tasks without a labelled row in the scored data) are
        left out of the averages.
    weights : ndarray of shape (n_tasks,)
        Weighted number of labelled samples of each task.

    Returns
    -------
    score : float or ndarray of shape (n_tasks,)
        The aggregated score, or the per-task scores for ``'raw_values'``.
    """
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    # A task with no labelled row in the scored data has a NaN score: it stays NaN
    # in the raw values and is left out of every average.
    present = ~np.isnan(values)
    if isinstance(multioutput, str):
        if multioutput not in _AGGREGATES:
            raise ValueError(
                f"multioutput={multioutput!r} is not one of {_AGGREGATES} or an "
                "array of task weights."
            )
        if multioutput == "raw_values":
            return values
        if not present.any():
            return float("nan")
        if multioutput == "uniform_average":
            return float(np.mean(values[present]))
        return float(np.average(values[present], weights=weights[present]))
    if isinstance(multioutput, numbers.Number):
        raise ValueError("multioutput must be a string or an array of task weights.")
    mw = np.asarray(multioutput, dtype=float)
    if mw.shape != values.shape:
        raise ValueError(
            f"multioutput weights have shape {mw.shape}; expected {values.shape} "
            "(one weight per task)."
        )
    if not present.any():
        return float("nan")
    return float(np.average(values[present], weights=mw[present]))
