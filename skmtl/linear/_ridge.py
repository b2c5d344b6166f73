"""Closed-form ridge baselines: one ridge per task, and one pooled ridge."""

import numbers

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval

from ..base import MultiTaskLinearModel, task_offsets

__all__ = ["PerTaskRidge", "PooledRidge"]


def _centered_gram(data, t, x_offset, y_offset):
    """Weighted, centred normal-equation terms of task ``t``.

    Returns ``(G, b, n_t)`` with ``G = X_tc^T D X_tc``, ``b = X_tc^T D y_tc`` and
    ``n_t`` the task's total weight; ``X_tc`` is the task's rows centred by
    ``x_offset`` (never formed, so sparse X stays sparse).
    """
    stats = getattr(data, "statistics", None)
    if stats is not None:  # data summarised by skmtl.dask: the same algebra
        xtx = stats["xtx"] if stats["xtx"].ndim == 2 else stats["xtx"][t]
        sx, n_t = stats["sum_x"][t], stats["n"][t]
        b = stats["xty"][t] - sx * y_offset
        b -= x_offset * (stats["sum_y"][t] - n_t * y_offset)
        G = xtx - np.outer(sx, x_offset) - np.outer(x_offset, sx)
        return G + n_t * np.outer(x_offset, x_offset), b, n_t
    idx = data.task_index[t]
    X_t = data.X[idx]
    y_t = data.target(t) - y_offset
    w_t = data.weight(t)
    n_t = w_t.sum()
    if sp.issparse(X_t):
        Xw = X_t.multiply(w_t[:, None]).tocsr()
        G = np.asarray((X_t.T @ Xw).todense())
        sx = np.asarray(Xw.sum(axis=0)).ravel()
        b = np.asarray(Xw.T @ y_t).ravel()
    else:
        Xw = X_t * w_t[:, None]
        G = X_t.T @ Xw
        sx = Xw.sum(axis=0)
        b = Xw.T @ y_t
    # (X - 1 m^T)^T D (X - 1 m^T) = X^T D X - sx m^T - m sx^T + n_t m m^T
    G = G - np.outer(sx, x_offset) - np.outer(x_offset, sx)
    G += n_t * np.outer(x_offset, x_offset)
    b = b - x_offset * np.dot(w_t, y_t)
    return G, b, n_t


def _shared_gram(data, x_offset, y_offset):
    """Normal-equation terms shared by all tasks of a shared design.

    Returns ``(G, B, n)`` with ``G = X_c^T D X_c`` (d, d), ``B = X_c^T D Y_c``
    (d, n_tasks) and ``n`` the total weight, ``X_c`` centred by ``x_offset``.
    """
    X = data.X
    s = data.weight(0)
    n = s.sum()
    Yc = data.y - y_offset
    if sp.issparse(X):
        Xw = X.multiply(s[:, None]).tocsr()
        G = np.asarray((X.T @ Xw).todense())
        sx = np.asarray(Xw.sum(axis=0)).ravel()
        B = np.asarray(Xw.T @ Yc)
    else:
        Xw = X * s[:, None]
        G = X.T @ Xw
        sx = Xw.sum(axis=0)
        B = Xw.T @ Yc
    G = G - np.outer(sx, x_offset) - np.outer(x_offset, sx)
    G += n * np.outer(x_offset, x_offset)
    B = B - np.outer(x_offset, s @ Yc)
    return G, B, n


def _solve(G, b, alpha):
    d = G.shape[0]
    A = G + alpha * np.eye(d)
    if alpha > 0:
        try:
            return scipy.linalg.solve(A, b, assume_a="pos")
        except (np.linalg.LinAlgError, scipy.linalg.LinAlgError):
            pass
    return scipy.linalg.lstsq(A, b)[0]


def per_task_ridge_coef(data, alpha, X_offset, y_offset):
    """Weights of one ridge per task, shape (n_tasks, n_features).

    With a shared design (wide data, no missing label) every task has the same
    Gram matrix: one multi-right-hand-side solve; otherwise one Gram per task.
    """
    if data.shared_design and not hasattr(data, "statistics"):
        G, B, n = _shared_gram(data, X_offset[0], y_offset)
        return _solve(G / n, B / n, alpha).T
    coef = np.empty((data.n_tasks, data.n_features))
    for t in range(data.n_tasks):
        G, b, n_t = _centered_gram(data, t, X_offset[t], y_offset[t])
        coef[t] = _solve(G / n_t, b / n_t, alpha)
    return coef


class PerTaskRidge(MultiTaskLinearModel):
    r"""Independent ridge regression for each task (the single-task baseline).

    Each task ``t`` is fitted on its own labelled rows only; nothing is shared.
    With ``n_t`` the (weighted) number of labelled samples of task ``t``, the
    objective of task ``t`` is

    .. math::

        \frac{1}{2 n_t} \sum_{i \in t} s_i (y_{it} - x_i^\top w_t - b_t)^2
        + \frac{\alpha}{2} \|w_t\|_2^2

    with sample weights ``s_i``. This is scikit-learn's
    :class:`~sklearn.linear_model.Ridge` with ``alpha = n_t * alpha`` on each
    task, scaled as every skmtl objective.

    Parameters
    ----------
    alpha : float, default=1.0
        Ridge strength (>= 0).
    fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task.
    task_column : int, str or None, default=None
        ``None`` for wide data ``(X, Y)``; otherwise the position or DataFrame
        name of the task-id column of ``X`` (long data).

    Attributes
    ----------
    coef_ : ndarray of shape (n_tasks, n_features)
        Weights of each task (``n_features`` excludes the task column).
    intercept_ : ndarray of shape (n_tasks,)
        Intercept of each task.
    tasks_ : ndarray of shape (n_tasks,)
        Task ids (``arange(n_tasks)`` for wide data).
    n_tasks_ : int
        Number of tasks.
    n_features_in_ : int
        Number of columns of ``X`` seen in fit, task column included.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X`` when it is a DataFrame with string column names.

    See Also
    --------
    PooledRidge : one ridge shared by all tasks, per-task intercepts.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import PerTaskRidge
    >>> X, Y = make_multitask_regression(100, 5, 3, random_state=0)
    >>> PerTaskRidge(alpha=0.1).fit(X, Y).coef_.shape
    (3, 5)
    """

    _accept_sparse = ("csr", "csc")
    #: fits dask collections from per-task statistics (skmtl.dask)
    _fits_from_statistics = True

    _parameter_constraints = {
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "task_column": [None, numbers.Integral, str],
    }

    def __init__(self, alpha=1.0, *, fit_intercept=True, task_column=None):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.task_column = task_column

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit one ridge per task.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Inputs; with ``task_column`` set, one column holds task ids.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            Wide targets with ``NaN`` for missing labels, or long 1-D targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights.

        Returns
        -------
        self : PerTaskRidge
            Fitted estimator.
        """
        data = self._validate_fit(X, y, sample_weight)
        X_offset, y_offset = task_offsets(data, self.fit_intercept)
        self.coef_ = per_task_ridge_coef(data, self.alpha, X_offset, y_offset)
        self._set_intercept(X_offset, y_offset)
        return self


class PooledRidge(MultiTaskLinearModel):
    r"""One ridge shared by all tasks, with a separate intercept per task.

    The strong pooling baseline: every task uses the same weights ``w`` and
    only its intercept ``b_t`` is its own. The objective is

    .. math::

        \sum_{t=1}^{T} \frac{1}{2 n_t} \sum_{i \in t} s_i
        (y_{it} - x_i^\top w - b_t)^2 + \frac{\alpha}{2} \|w\|_2^2

    so each task counts the same whatever its size (the scaling of every skmtl
    objective), with ``n_t`` the task's weighted number of labelled samples.

    Parameters
    ----------
    alpha : float, default=1.0
        Ridge strength (>= 0).
    fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task.
    task_column : int, str or None, default=None
        ``None`` for wide data ``(X, Y)``; otherwise the position or DataFrame
        name of the task-id column of ``X`` (long data).

    Attributes
    ----------
    coef_ : ndarray of shape (n_tasks, n_features)
        Weights of each task; all rows are equal.
    intercept_ : ndarray of shape (n_tasks,)
        Intercept of each task.
    tasks_ : ndarray of shape (n_tasks,)
        Task ids (``arange(n_tasks)`` for wide data).
    n_tasks_ : int
        Number of tasks.
    n_features_in_ : int
        Number of columns of ``X`` seen in fit, task column included.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X`` when it is a DataFrame with string column names.

    See Also
    --------
    PerTaskRidge : one independent ridge per task.

    Examples
    --------
    >>> from skmtl.datasets import load_school
    >>> from skmtl.linear import PooledRidge
    >>> X, y = load_school(return_X_y=True)
    >>> model = PooledRidge(alpha=1.0, task_column=-1).fit(X, y)
    >>> model.intercept_.shape
    (139,)
    """

    _accept_sparse = ("csr", "csc")
    #: fits dask collections from per-task statistics (skmtl.dask)
    _fits_from_statistics = True

    _parameter_constraints = {
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "task_column": [None, numbers.Integral, str],
    }

    def __init__(self, alpha=1.0, *, fit_intercept=True, task_column=None):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.task_column = task_column

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the shared weights and the per-task intercepts.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Inputs; with ``task_column`` set, one column holds task ids.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            Wide targets with ``NaN`` for missing labels, or long 1-D targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights.

        Returns
        -------
        self : PooledRidge
            Fitted estimator.
        """
        data = self._validate_fit(X, y, sample_weight)
        X_offset, y_offset = task_offsets(data, self.fit_intercept)
        d = data.n_features
        if data.shared_design and not hasattr(data, "statistics"):
            G, B, n = _shared_gram(data, X_offset[0], y_offset)
            G_sum, b_sum = data.n_tasks * G / n, B.sum(axis=1) / n
        else:
            G_sum, b_sum = np.zeros((d, d)), np.zeros(d)
            for t in range(data.n_tasks):
                G, b, n_t = _centered_gram(data, t, X_offset[t], y_offset[t])
                G_sum += G / n_t
                b_sum += b / n_t
        w = _solve(G_sum, b_sum, self.alpha)
        self.coef_ = np.tile(w, (data.n_tasks, 1))
        self._set_intercept(X_offset, y_offset)
        return self
