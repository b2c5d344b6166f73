"""``fit`` on dask collections: statistics in place of validated rows."""

import numpy as np
from sklearn.utils.validation import validate_data

from ..utils._validation import resolve_task_column
from ._data import StatisticsData
from ._statistics import dask_statistics

__all__ = ["check_dask_data"]

#: estimators that fit from per-task statistics (the least-squares family)
SUPPORTED = (
    "PerTaskRidge, PooledRidge, MultiTaskGroupLasso, DirtyMultiTask, "
    "MeanRegularizedMultiTask, TaskGraphMultiTask, TraceNormMultiTask, "
    "ClusteredMultiTask and their *CV estimators"
)


def _refuse(estimator):
    raise TypeError(
        f"{type(estimator).__name__} needs the rows themselves, so it cannot fit "
        "dask collections; only the least-squares linear models fit from per-task "
        f"statistics computed by dask ({SUPPORTED}). Alternatives: fit it on an "
        "in-memory sample (X.compute() of a subset of the partitions), stream "
        "memory-mapped files with the neural estimators (skmtl.neural), or fit "
        "a least-squares model on the dask data."
    )


def check_dask_data(estimator, X, y, sample_weight=None, reset=True):
    """Validate dask training data into :class:`StatisticsData`.

    The counterpart of :func:`~skmtl.utils.check_multitask_data` for dask
    collections: it sets the same fitted bookkeeping (``n_features_in_``,
    ``feature_names_in_``, ``tasks_``, ``n_tasks_``) and returns the data's
    per-task statistics, computed by dask (with one summary per fold for a
    ``*CV`` estimator, whose ``_statistics_folds()`` gives the number of
    folds and the seed).

    Parameters
    ----------
    estimator : estimator instance
        Must have ``_fits_from_statistics = True``.
    X : dask Array or dask DataFrame
        Inputs, with the task column for long data.
    y : dask Array, Series or DataFrame
        Targets, with the row blocks of ``X``.
    sample_weight : dask Array or Series, default=None
        Row weights.
    reset : bool, default=True
        Whether to set the fitted bookkeeping.

    Returns
    -------
    data : StatisticsData
    """
    if not getattr(estimator, "_fits_from_statistics", False):
        _refuse(estimator)
    if y is None:
        raise ValueError(f"{type(estimator).__name__} requires y to be passed.")
    if getattr(X, "ndim", 2) != 2:
        raise ValueError(f"Expected 2-D X; got a dask collection of shape {X.shape}.")
    validate_data(estimator, X, reset=reset, skip_check_array=True)
    columns = getattr(X, "columns", None)
    if reset and columns is not None and all(isinstance(c, str) for c in columns):
        # scikit-learn reads names off pandas frames only
        estimator.feature_names_in_ = np.asarray(list(columns), dtype=object)
    task_column = estimator.task_column
    n_folds, seed = 1, None
    if hasattr(estimator, "_statistics_folds"):
        n_folds, seed = estimator._statistics_folds()
    raw, tasks, d = dask_statistics(
        X,
        y,
        task_column=task_column,
        sample_weight=sample_weight,
        n_folds=n_folds,
        random_state=seed,
    )
    total = {k: None if v is None else v.sum(axis=0) for k, v in raw.items()}
    layout = "wide" if task_column is None else "long"
    empty = total["n"] <= 0
    if empty.any():
        bad = np.asarray(tasks)[empty][:10].tolist()
        raise ValueError(
            f"Task(s) {bad} have no labels at all (every target is NaN or every "
            "sample weight is 0): a task needs at least one labelled sample. Drop "
            "that task before fitting."
        )
    data = StatisticsData(
        total, layout, tasks, d, fold_raw=raw if n_folds > 1 else None
    )
    if reset:
        estimator.tasks_ = data.tasks
        estimator.n_tasks_ = data.n_tasks
        estimator._layout = layout
        estimator._task_col = (
            None if task_column is None else resolve_task_column(task_column, X)
        )
    return data
