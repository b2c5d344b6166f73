"""Data summarised by per-task statistics, and its cross-validation folds.

:class:`StatisticsData` stands where the linear estimators expect validated
:class:`~skmtl.utils.MultiTaskData`: the least-squares datafit
(:class:`~skmtl.linear.datafits.Quadratic`) builds itself from its
``statistics``, and the estimators only read its sizes. :class:`StatisticsFolds`
gives the cross-validation engine (:class:`~skmtl.linear._cv.LinearModelCV`)
each training fold as "total minus the fold" and scores held-out folds from
their own statistics.
"""

import numpy as np
from sklearn.base import clone

__all__ = ["StatisticsData", "StatisticsFolds", "heldout_sse"]


def _finalise(raw):
    """Keyword arguments of ``Quadratic.from_stats`` from summed statistics."""
    shared, tasks = raw["xtx_shared"], raw["xtx_tasks"]
    if tasks is None:
        xtx = shared
    elif shared is None:
        xtx = tasks
    else:
        xtx = tasks + shared[None]
    keys = ("n", "sum_x", "sum_y", "xty", "yty")
    return {"xtx": xtx, **{k: raw[k] for k in keys}}


def _take(raw, kept):
    """Statistics of the tasks ``kept`` only."""
    out = {}
    for key, value in raw.items():
        if value is None or key == "xtx_shared":
            out[key] = value
        else:
            out[key] = value[kept]
    return out


class StatisticsData:
    """Multi-task data known through its per-task sufficient statistics.

    Parameters
    ----------
    raw : dict
        Summed statistics without a fold axis (see :mod:`._kernels`).
    layout : {'wide', 'long'}
        Layout of the rows they summarise.
    tasks : ndarray of shape (n_tasks,)
        Task ids.
    n_features : int
        Feature columns.
    fold_raw : dict, default=None
        The same statistics per cross-validation fold (leading fold axis).

    Attributes
    ----------
    statistics : dict
        The keyword arguments of
        :meth:`~skmtl.linear.datafits.Quadratic.from_stats`, which the
        least-squares datafit is built from.

    See Also
    --------
    dask_statistics : computes ``raw`` and ``fold_raw`` from dask data.
    """

    x_unchecked = False
    sample_weight = None

    def __init__(self, raw, layout, tasks, n_features, fold_raw=None):
        self.raw, self.layout = raw, layout
        self.tasks = np.asarray(tasks)
        self._n_features = int(n_features)
        self.fold_raw = fold_raw
        self.statistics = _finalise(raw)

    @property
    def n_tasks(self):
        """Number of tasks."""
        return len(self.tasks)

    @property
    def n_features(self):
        """Number of features (task column excluded)."""
        return self._n_features

    @property
    def task_sizes(self):
        """Labelled rows of positive weight of each task."""
        return self.raw["count"].astype(np.int64)

    @property
    def shared_design(self):
        """Whether every task is labelled on every row (one Gram matrix)."""
        return self.statistics["xtx"].ndim == 2

    def check_x(self, estimator=None):
        """No-op: every block was checked on its worker."""

    def cv_folds(self):
        """The folds of the statistics pass, for the cross-validation engine.

        Returns
        -------
        folds : StatisticsFolds
            Training statistics as total minus fold, held-out errors from the
            fold's own statistics.
        """
        if self.fold_raw is None:
            raise ValueError("These statistics were computed without folds.")
        return StatisticsFolds(self)


def heldout_sse(raw, coefs, intercepts):
    """Weighted squared errors of linear models from held-out statistics.

    ``sum_i s_i (y_i - x_i^T w_t - b_t)^2`` over each task's held-out rows,
    expanded around the held-out means (which keeps the cancellation to the
    spread of the data).

    Parameters
    ----------
    raw : dict
        Held-out statistics of the ``T`` tasks (no fold axis).
    coefs : ndarray of shape (n_points, T, d)
    intercepts : ndarray of shape (n_points, T)

    Returns
    -------
    sse : ndarray of shape (n_points, T)
    """
    n = raw["n"]
    stats = _finalise(raw)
    xtx = np.broadcast_to(stats["xtx"], (len(n),) + stats["xtx"].shape[-2:])
    safe = np.where(n > 0, n, 1.0)
    xbar = raw["sum_x"] / safe[:, None]
    ybar = raw["sum_y"] / safe
    Syy = raw["yty"] - n * ybar * ybar
    Sxy = raw["xty"] - n[:, None] * xbar * ybar[:, None]
    Sxx = xtx - n[:, None, None] * xbar[:, :, None] * xbar[:, None, :]
    quad = np.einsum("ptd,tde,pte->pt", coefs, Sxx, coefs)
    lin = np.einsum("ptd,td->pt", coefs, Sxy)
    mean_err = ybar[None] - np.einsum("ptd,td->pt", coefs, xbar) - intercepts
    sse = Syy[None] - 2 * lin + quad + n[None] * mean_err**2
    return np.where(n[None] > 0, np.maximum(sse, 0.0), 0.0)


class StatisticsFolds:
    """Cross-validation folds of :class:`StatisticsData` for the CV engine.

    The training statistics of fold ``k`` are the total minus fold ``k``'s;
    a task with no labelled training row in fold ``k`` is left out of that
    fold, as the engine's rule for degenerate folds says.
    """

    def __init__(self, data):
        self.data = data
        self.n_folds = data.fold_raw["n"].shape[0]

    def _fold(self, k):
        return {
            key: None if v is None else v[k] for key, v in self.data.fold_raw.items()
        }

    def _train(self, k):
        fold = self._fold(k)
        out = {}
        for key, total in self.data.raw.items():
            out[key] = None if total is None else total - fold[key]
        return out

    def empty_tasks(self, k):
        """Tasks without a labelled training row in fold ``k``."""
        return np.flatnonzero(self._train(k)["count"] <= 0)

    def fold_path(self, base, k, outer, path_param, values):
        """Validation errors of the warm-started path on fold ``k`` (one job)."""
        from ..linear._path import path_on_data

        train = self._train(k)
        kept = np.flatnonzero(train["count"] > 0)
        fold_data = StatisticsData(
            _take(train, kept),
            self.data.layout,
            self.data.tasks[kept],
            self.data.n_features,
        )
        est = clone(base)
        for name, value in outer.items():
            setattr(est, name, value)
        coefs, intercepts, _, _ = path_on_data(est, fold_data, path_param, values)
        test = _take(self._fold(k), kept)
        return kept, heldout_sse(test, coefs, intercepts), test["n"]
