"""Cross-validated trace-norm regression over a warm-started alpha path."""

import numbers

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import _fit_context
from sklearn.model_selection import KFold, StratifiedKFold, check_cv
from sklearn.utils._param_validation import Interval, StrOptions

from ..base import linear_predict
from ..utils import MultiTaskData
from ._composite import COMMON_CONSTRAINTS, CompositeRegressor
from .datafits import Quadratic
from .datafits._gram import GramQuadratic, use_gram
from .penalties._centered import CenteredPenalty, pooled_solution
from .penalties._trace import TraceNorm
from .solvers import FISTA

__all__ = ["TraceNormMultiTaskCV", "cv_splits"]


def _subset(data, rows):
    """The validated data restricted to ``rows`` (same tasks)."""
    rows = np.sort(np.asarray(rows))
    X, y = data.X[rows], data.y[rows]
    sw = None if data.sample_weight is None else data.sample_weight[rows]
    if data.layout == "long":
        codes = data.task_codes[rows]
        labelled = ~np.isnan(y)
        order = np.argsort(codes, kind="stable")
        bounds = np.cumsum(np.bincount(codes, minlength=data.n_tasks))[:-1]
        task_index = [idx[labelled[idx]] for idx in np.split(order, bounds)]
    else:
        codes = None
        task_index = [np.flatnonzero(~np.isnan(y[:, t])) for t in range(y.shape[1])]
    return MultiTaskData(
        X=X,
        y=y,
        layout=data.layout,
        tasks=data.tasks,
        task_index=task_index,
        task_codes=codes,
        sample_weight=sw,
    )


def _trace_norm_penalty(alpha, center):
    """The nuclear norm, on the deviations from the task mean when ``center``.

    ``center`` is ``None`` (plain) or the ridge strength on the mean.
    """
    if center is None:
        return TraceNorm(alpha)
    return CenteredPenalty(TraceNorm(alpha), center)


def _trace_norm_path(data, alphas, fit_intercept, max_iter, tol, center=None):
    """Warm-started fits along ``alphas`` (decreasing).

    Returns coefs (n_alphas, n_tasks, n_features) and intercepts
    (n_alphas, n_tasks).
    """
    empty = [t for t, idx in enumerate(data.task_index) if len(idx) == 0]
    if empty:
        raise ValueError(
            f"Task(s) {data.tasks[empty][:10].tolist()} have no labelled sample in "
            "a training fold; use fewer folds or a splitter that keeps every task "
            "in every training fold."
        )
    datafit = Quadratic(fit_intercept).initialize(data)
    if use_gram(data):
        datafit = GramQuadratic(datafit)
    solver = FISTA(max_iter=max_iter, tol=tol)
    if center is None:
        W = np.zeros((data.n_features, data.n_tasks))
    else:
        W = pooled_solution(datafit, center)
    coefs, intercepts = [], []
    for alpha in alphas:
        W, _, _ = solver.solve(datafit, _trace_norm_penalty(alpha, center), W)
        coefs.append(W.T.copy())
        intercepts.append(datafit.intercept(W))
    return np.array(coefs), np.array(intercepts)


def _validation_mse(val, coef, intercept):
    """Mean over tasks of each task's weighted MSE on its held-out rows."""
    codes = val.task_codes if val.layout == "long" else None
    pred = linear_predict(val.X, codes, coef, intercept)
    mses = []
    for t, idx, y_t, w_t in val.iter_tasks():
        if len(idx) == 0 or w_t.sum() == 0:
            continue
        p = pred[idx] if val.layout == "long" else pred[idx, t]
        mses.append(np.average((y_t - p) ** 2, weights=w_t))
    return float(np.mean(mses))


def _fold_mse(data, train, test, alphas, fit_intercept, max_iter, tol, center=None):
    """Validation error of every alpha of the path on one fold."""
    coefs, intercepts = _trace_norm_path(
        _subset(data, train), alphas, fit_intercept, max_iter, tol, center
    )
    val = _subset(data, test)
    return np.array(
        [_validation_mse(val, coefs[k], intercepts[k]) for k in range(len(alphas))]
    )


def cv_splits(cv, random_state, data):
    """Row folds: an int gives shuffled KFold (wide) or StratifiedKFold by
    task (long); otherwise any scikit-learn splitter (task ids as groups)."""
    rows = np.arange(data.n_samples)
    if isinstance(cv, numbers.Integral):
        if data.layout == "long":
            splitter = StratifiedKFold(cv, shuffle=True, random_state=random_state)
            return list(splitter.split(rows, data.task_codes))
        splitter = KFold(cv, shuffle=True, random_state=random_state)
        return list(splitter.split(rows))
    return list(check_cv(cv).split(rows, None, data.task_codes))


class TraceNormMultiTaskCV(CompositeRegressor):
    r"""Trace-norm multi-task regression with ``alpha`` chosen by cross-validation.

    Fits :class:`TraceNormMultiTask` (objective
    ``sum_t 1/(2 n_t) sum_{i in t} s_i (y_it - x_i^T w_t - b_t)^2 +
    alpha ||W||_*``) along a decreasing grid of ``alpha`` from ``alpha_max``
    (the spectral norm of the gradient at ``W = 0``, where the solution
    becomes zero) down to ``eps * alpha_max``, warm-starting each fit from the
    previous one, on every training fold (folds in parallel with ``n_jobs``).
    With ``center_tasks=True`` the nuclear norm acts on the deviations from the
    tasks' mean weights and the mean gets the ridge ``mean_alpha`` (see
    :class:`TraceNormMultiTask`); ``alpha_max`` is then where the deviations
    vanish (the pooled ridge) and the path starts from the pooled ridge.
    The validation error of a fold is the mean over tasks of each task's
    (weighted) mean squared error on its held-out labelled rows. The model is
    then refitted on all the data with the best ``alpha``.

    Parameters
    ----------
    n_alphas : int, default=20
        Number of alphas on the grid (ignored when ``alphas`` is given).
    eps : float, default=1e-3
        ``alpha_min / alpha_max``.
    alphas : array-like of shape (n_alphas,), default=None
        Explicit grid; sorted in decreasing order.
    center_tasks : bool, default=False
        Penalise the deviations from the tasks' mean weights instead of ``W``.
    mean_alpha : float, default=0.0
        Ridge strength on the shared mean (``center_tasks=True`` only).
    cv : int, cross-validation generator or iterable, default=5
        Folds over rows. An int gives a shuffled ``KFold`` for wide data and a
        shuffled ``StratifiedKFold`` on the task ids for long data (every
        task keeps samples in every training fold).
    n_jobs : int, default=None
        Folds fitted in parallel (joblib).
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffled folds.
    fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task.
    task_column : int, str or None, default=None
        ``None`` for wide data; the position or name of the task-id column of
        ``X`` for long data.
    solver : {'auto', 'fista'}, default='auto'
        Solver of the path and the final fit (accelerated proximal gradient).
    solver_params : dict, default=None
        Unused; kept for a uniform interface.
    max_iter : int, default=1000
        Maximum number of iterations per fit.
    tol : float, default=1e-5
        Tolerance on the relative optimality violation of each fit.
    warm_start : bool, default=False
        Unused by the path (always warm-started); kept for the interface.
    verbose : int, default=0
        Progress output.

    Attributes
    ----------
    alpha_ : float
        The chosen ``alpha``.
    alphas_ : ndarray of shape (n_alphas,)
        The grid used.
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Validation error of each alpha on each fold.
    coef_ : ndarray of shape (n_tasks, n_features)
        Weights refitted on all the data.
    intercept_ : ndarray of shape (n_tasks,)
        Intercepts.
    rank_ : int
        Numerical rank of ``coef_`` (of its deviations from the mean with
        ``center_tasks=True``).
    mean_coef_ : ndarray of shape (n_features,)
        The tasks' mean weights.
    n_iter_ : int
        Iterations of the final fit.
    stop_crit_ : float
        Relative optimality violation of the final fit.
    tasks_ : ndarray of shape (n_tasks,)
        Task ids.
    n_tasks_ : int
        Number of tasks.
    n_features_in_ : int
        Number of columns of ``X`` seen in fit, task column included.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names when ``X`` is a DataFrame with string column names.

    See Also
    --------
    TraceNormMultiTask : the model for one ``alpha``.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import TraceNormMultiTaskCV
    >>> X, Y = make_multitask_regression(80, 10, 6, structure="low_rank",
    ...                                  random_state=0)
    >>> model = TraceNormMultiTaskCV(n_alphas=8, cv=3, random_state=0).fit(X, Y)
    >>> model.mse_path_.shape
    (8, 3)
    """

    _parameter_constraints = {
        "n_alphas": [Interval(numbers.Integral, 1, None, closed="left")],
        "eps": [Interval(numbers.Real, 0, 1, closed="neither")],
        "alphas": [None, "array-like"],
        "center_tasks": ["boolean"],
        "mean_alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "cv": ["cv_object"],
        "n_jobs": [None, numbers.Integral],
        "random_state": ["random_state"],
        "solver": [StrOptions({"auto", "fista"})],
        **COMMON_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        n_alphas=20,
        eps=1e-3,
        alphas=None,
        center_tasks=False,
        mean_alpha=0.0,
        cv=5,
        n_jobs=None,
        random_state=None,
        fit_intercept=True,
        task_column=None,
        solver="auto",
        solver_params=None,
        max_iter=1000,
        tol=1e-5,
        warm_start=False,
        verbose=0,
    ):
        self.n_alphas = n_alphas
        self.eps = eps
        self.alphas = alphas
        self.center_tasks = center_tasks
        self.mean_alpha = mean_alpha
        self.cv = cv
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.solver = solver
        self.solver_params = solver_params
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.verbose = verbose

    def _alpha_grid(self, data):
        if self.alphas is not None:
            alphas = np.sort(np.asarray(self.alphas, dtype=float).ravel())[::-1]
            if alphas.size == 0 or np.any(alphas <= 0):
                raise ValueError("alphas must be a non-empty list of positive values.")
            return alphas
        datafit = Quadratic(self.fit_intercept).initialize(data)
        if self.center_tasks:  # where the deviations vanish: the pooled ridge
            grad0 = datafit.gradient(pooled_solution(datafit, self.mean_alpha))
            grad0 -= grad0.mean(axis=1, keepdims=True)
        else:
            grad0 = datafit.gradient(np.zeros((data.n_features, data.n_tasks)))
        alpha_max = max(TraceNorm(1.0).alpha_max(grad0), 1e-12)
        return np.geomspace(alpha_max, alpha_max * self.eps, self.n_alphas)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Choose ``alpha`` by cross-validation, then refit on all the data.

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
        self : TraceNormMultiTaskCV
            Fitted estimator.
        """
        data = self._validate_fit(X, y, sample_weight)
        alphas = self._alpha_grid(data)
        splits = cv_splits(self.cv, self.random_state, data)
        center = self.mean_alpha if self.center_tasks else None
        mse = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(_fold_mse)(
                data,
                train,
                test,
                alphas,
                self.fit_intercept,
                self.max_iter,
                self.tol,
                center,
            )
            for train, test in splits
        )
        self.mse_path_ = np.column_stack(mse)
        self.alphas_ = alphas
        self.alpha_ = float(alphas[np.argmin(self.mse_path_.mean(axis=1))])
        self._alpha = self.alpha_
        W, datafit = self._solve(data)
        self.coef_ = np.ascontiguousarray(W.T)
        self.intercept_ = datafit.intercept(W)
        deviations, self.mean_coef_ = CenteredPenalty.split(W)
        self.rank_ = TraceNorm.rank(deviations if self.center_tasks else W)
        del self._alpha
        return self

    def _build_problem(self, data, datafit):
        center = self.mean_alpha if self.center_tasks else None
        return datafit, _trace_norm_penalty(self._alpha, center)

    def _cold_start(self, shape, datafit):
        if self.center_tasks and datafit is not None:
            return pooled_solution(datafit, self.mean_alpha)
        return super()._cold_start(shape, datafit)
