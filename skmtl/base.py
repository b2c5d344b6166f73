"""Shared base classes of skmtl estimators.

Every skmtl estimator accepts the two multi-task layouts (see
:mod:`skmtl.utils`): wide ``Y`` of shape (n_samples, n_tasks) with ``NaN`` for
missing labels, and long data with a task-id column in ``X`` named by the
``task_column`` parameter. This module holds what they share: multi-task tags,
per-task intercepts with NaN-aware centring, one ``predict`` and a NaN-aware
``score``.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from .utils._validation import check_multitask_data, check_multitask_X

__all__ = [
    "MultiTaskLinearModel",
    "MultiTaskRegressorMixin",
    "MultiTaskLinearRegressorMixin",
    "MultiTaskMixin",
    "linear_predict",
    "task_indicator",
    "task_offsets",
    "task_y_offsets",
]


class MultiTaskMixin:
    """Mixin for estimators that accept wide and long multi-task data.

    Subclasses have a ``task_column`` parameter and call :meth:`_validate_fit`
    in ``fit`` and :meth:`_validate_predict` in ``predict``. Class attributes
    ``_accept_sparse`` and ``_min_samples_per_task`` tune the validation.
    """

    _accept_sparse = False
    _min_samples_per_task = 1

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        # Wide data needs Y of shape (n_samples, n_tasks); only long data (a task
        # column in X) takes a 1-D y.
        tags.target_tags.single_output = getattr(self, "task_column", None) is not None
        tags.input_tags.sparse = bool(self._accept_sparse)
        return tags

    def _validate_fit(self, X, y, sample_weight=None, reset=True, defer_x_check=False):
        from .dask import is_dask_collection  # never imports dask itself

        if is_dask_collection(X, y, sample_weight):
            # per-task statistics computed by dask (or a clear refusal)
            from .dask._validation import check_dask_data

            return check_dask_data(self, X, y, sample_weight, reset=reset)
        return check_multitask_data(
            self,
            X,
            y,
            task_column=self.task_column,
            sample_weight=sample_weight,
            accept_sparse=self._accept_sparse,
            reset=reset,
            min_samples_per_task=self._min_samples_per_task,
            defer_x_check=defer_x_check,
        )

    def _validate_predict(self, X):
        check_is_fitted(self)
        return check_multitask_X(self, X, accept_sparse=self._accept_sparse)

    def _check_n_tasks(self, y, codes):
        """Check that targets given to ``score`` match the fitted tasks."""
        y = np.asarray(y)
        if codes is None and (y.ndim != 2 or y.shape[1] != self.n_tasks_):
            raise ValueError(
                f"y has shape {y.shape}, but {type(self).__name__} was fitted on "
                f"{self.n_tasks_} tasks: expected (n_samples, {self.n_tasks_})."
            )
        if codes is not None and y.ndim != 1:
            raise ValueError(
                f"y must be 1-D for long data (task_column set); got shape {y.shape}."
            )


def task_indicator(data):
    """Sparse (n_tasks, n_samples) matrix of the rows each task is labelled on.

    Entry ``(t, i)`` is the weight of row ``i`` in task ``t`` (1 without sample
    weights) and 0 where task ``t`` has no label on row ``i``.

    Parameters
    ----------
    data : MultiTaskData
        Validated data.

    Returns
    -------
    S : scipy.sparse.csr_matrix of shape (n_tasks, n_samples)
        Row weights of each task, zero off the task's labelled rows.
    """
    rows = np.concatenate(
        [np.full(len(idx), t, dtype=np.int64) for t, idx in enumerate(data.task_index)]
    )
    cols = np.concatenate(data.task_index).astype(np.int64)
    vals = (
        np.ones(len(cols)) if data.sample_weight is None else data.sample_weight[cols]
    )
    return sp.csr_matrix((vals, (rows, cols)), shape=(data.n_tasks, data.n_samples))


def task_offsets(data, fit_intercept=True):
    """Per-task weighted means of X and y over each task's labelled rows.

    With missing labels each task sees its own rows, so each task gets its own
    centring of ``X``. The intercept of task ``t`` is then
    ``y_offset[t] - X_offset[t] @ coef[t]``.

    Parameters
    ----------
    data : MultiTaskData
        Validated data.
    fit_intercept : bool, default=True
        If False, the offsets are zero.

    Returns
    -------
    X_offset : ndarray of shape (n_tasks, n_features)
        Weighted mean of X over each task's labelled rows.
    y_offset : ndarray of shape (n_tasks,)
        Weighted mean of each task's labels.
    """
    T, d = data.n_tasks, data.n_features
    if not fit_intercept:
        return np.zeros((T, d)), np.zeros(T)
    stats = getattr(data, "statistics", None)
    if stats is not None:  # data summarised by skmtl.dask
        n = stats["n"]
        return stats["sum_x"] / n[:, None], stats["sum_y"] / n
    S = task_indicator(data)
    totals = np.asarray(S.sum(axis=1)).ravel()
    sums = S @ data.X
    if sp.issparse(sums):
        sums = sums.toarray()
    X_offset = np.asarray(sums) / totals[:, None]
    return X_offset, task_y_offsets(data, fit_intercept)


def task_y_offsets(data, fit_intercept=True):
    """Weighted mean of each task's labels (zeros without intercept).

    The ``y_offset`` half of :func:`task_offsets`, for callers that get the
    feature means from their own pass over ``X``.

    Parameters
    ----------
    data : MultiTaskData
        Validated data.
    fit_intercept : bool, default=True
        If False, the offsets are zero.

    Returns
    -------
    y_offset : ndarray of shape (n_tasks,)
        Weighted mean of each task's labels.
    """
    if not fit_intercept:
        return np.zeros(data.n_tasks)
    return np.array(
        [np.average(y_t, weights=w_t) for _, _, y_t, w_t in data.iter_tasks()]
    )


def linear_predict(X, codes, coef, intercept):
    """Predictions of per-task linear models.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Features (task column removed).
    codes : ndarray of shape (n_samples,) or None
        Task index of each row (long data) or None (wide data).
    coef : ndarray of shape (n_tasks, n_features)
        Weights of each task.
    intercept : ndarray of shape (n_tasks,)
        Intercept of each task.

    Returns
    -------
    y : ndarray of shape (n_samples, n_tasks) or (n_samples,)
        Predictions: every task for wide data, each row's own task for long
        data.
    """
    if codes is None:
        return np.asarray(X @ coef.T) + intercept
    out = np.empty(X.shape[0])
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=coef.shape[0])
    start = 0
    for t, c in enumerate(counts):
        if c == 0:
            continue
        rows = order[start : start + c]
        start += c
        out[rows] = np.asarray(X[rows] @ coef[t]).ravel() + intercept[t]
    return out


class MultiTaskRegressorMixin(MultiTaskMixin, RegressorMixin):
    """``predict`` and a NaN-aware, per-task ``score`` for any regressor.

    Subclasses implement ``_predict_codes(X)``, returning the predictions
    ((n_samples, n_tasks) for wide data, each row's own task for long data)
    and the rows' task codes (None for wide data); ``X`` is validated once.
    """

    def predict(self, X):
        """Predict every task (wide data) or each row's own task (long data).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Inputs, with the task column for models fitted on long data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples, n_tasks) or (n_samples,)
            Predictions; a lazy dask collection, predicted block by block,
            when ``X`` is one.
        """
        from .dask import is_dask_collection

        if is_dask_collection(X):
            from .dask import predict_dask

            return predict_dask(self, X)
        return self._predict_codes(X)[0]

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R^2 averaged uniformly over tasks.

        Missing labels (``NaN`` in wide ``y``) are ignored; each task's R^2 is
        computed on its own labelled rows.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Test inputs.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            True targets, in the layout the model was fitted on.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean over tasks of the per-task R^2.
        """
        from .dask import is_dask_collection

        if is_dask_collection(X, y, sample_weight):
            from .dask._score import score_dask  # per-task sums, lazily

            return score_dask(self, X, y, sample_weight)
        from .metrics import r2_score

        y_pred, codes = self._predict_codes(X)
        self._check_n_tasks(y, codes)
        return r2_score(y, y_pred, tasks=codes, sample_weight=sample_weight)


class MultiTaskLinearRegressorMixin(MultiTaskRegressorMixin):
    """Mixin for per-task linear regressors with ``coef_`` and ``intercept_``.

    ``coef_`` has shape (n_tasks, n_features), where ``n_features`` counts the
    columns of ``X`` without the task column, and ``intercept_`` shape
    (n_tasks,). ``predict`` returns (n_samples, n_tasks) for wide data and each
    row's prediction for its own task for long data.
    """

    def _predict_codes(self, X):
        X, codes = self._validate_predict(X)
        return linear_predict(X, codes, self.coef_, self.intercept_), codes


class MultiTaskLinearModel(MultiTaskLinearRegressorMixin, BaseEstimator):
    """Base class of skmtl's linear multi-task regressors."""

    def _set_intercept(self, X_offset, y_offset):
        self.intercept_ = y_offset - np.einsum("td,td->t", X_offset, self.coef_)
