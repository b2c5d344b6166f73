"""Cross-validated group lasso and dirty model (one and two hyper-parameters)."""

import numbers
import warnings

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import _fit_context, clone
from sklearn.model_selection import KFold, StratifiedKFold, check_cv
from sklearn.utils._param_validation import Interval, StrOptions

from ..base import MultiTaskLinearModel
from ..utils import MultiTaskData
from ._dirty import DirtyMultiTask
from ._group_lasso import MultiTaskGroupLasso
from ._path import _grid, _path_on_data

__all__ = ["DirtyMultiTaskCV", "MultiTaskGroupLassoCV"]


def _subset(data, rows):
    """The validated data restricted to ``rows``; returns (data, tasks kept).

    A task without any labelled row in ``rows`` is dropped from the subset
    (it cannot be fitted there); the returned indices say which tasks remain.
    """
    rows = np.asarray(rows)
    X = data.X[rows]
    y = data.y[rows]
    sw = None if data.sample_weight is None else data.sample_weight[rows]
    if data.layout == "long":
        codes = data.task_codes[rows]
        index = [np.flatnonzero(codes == t) for t in range(data.n_tasks)]
    else:
        codes = None
        index = [np.flatnonzero(~np.isnan(y[:, t])) for t in range(data.n_tasks)]
    kept = np.array([t for t, idx in enumerate(index) if len(idx)], dtype=np.intp)
    if len(kept) == 0:
        raise ValueError("A cross-validation training fold has no labelled sample.")
    if len(kept) < data.n_tasks:
        if data.layout == "long":
            remap = np.full(data.n_tasks, -1, dtype=np.intp)
            remap[kept] = np.arange(len(kept))
            codes = remap[codes]
        else:
            y = y[:, kept]
        index = [index[t] for t in kept]
    subset = MultiTaskData(
        X=X,
        y=y,
        layout=data.layout,
        tasks=data.tasks[kept],
        task_index=index,
        task_codes=codes,
        sample_weight=sw,
    )
    return subset, kept


def _splits(cv, data, random_state):
    """Train/test splits; the default shuffles, stratified by task on long data."""
    if cv is None or isinstance(cv, numbers.Integral):
        n_splits = 5 if cv is None else int(cv)
        if data.layout == "long":
            splitter = StratifiedKFold(
                n_splits, shuffle=True, random_state=random_state
            )
            return list(splitter.split(data.X, data.task_codes))
        splitter = KFold(n_splits, shuffle=True, random_state=random_state)
        return list(splitter.split(data.X))
    splitter = check_cv(cv)
    return list(splitter.split(data.X, data.task_codes))


def _mse(data, rows, coefs, intercepts, kept):
    """Weighted MSE over the labelled cells of ``rows`` of the ``kept`` tasks.

    One value per fitted model (``coefs`` has shape (n_models, len(kept),
    n_features)); NaN when no such cell exists.
    """
    rows = np.asarray(rows)
    out = np.full(len(coefs), np.nan)
    sw_all = data.sample_weight
    if data.layout == "long":
        remap = np.full(data.n_tasks, -1, dtype=np.intp)
        remap[kept] = np.arange(len(kept))
        codes = remap[data.task_codes[rows]]
        rows, codes = rows[codes >= 0], codes[codes >= 0]
        if len(rows) == 0:
            return out
        X, y = data.X[rows], data.y[rows]
        sw = np.ones(len(rows)) if sw_all is None else sw_all[rows]
        for k, (coef, b) in enumerate(zip(coefs, intercepts, strict=True)):
            pred = np.asarray(X @ coef.T)[np.arange(len(rows)), codes] + b[codes]
            out[k] = np.sum(sw * (y - pred) ** 2) / sw.sum()
        return out
    X = data.X[rows]
    Y = data.y[rows][:, kept]
    sw = np.ones(len(rows)) if sw_all is None else sw_all[rows]
    mask = ~np.isnan(Y)
    weights = mask * sw[:, None]
    total = weights.sum()
    if total <= 0:
        return out
    Yz = np.where(mask, Y, 0.0)
    for k, (coef, b) in enumerate(zip(coefs, intercepts, strict=True)):
        R = Yz - (np.asarray(X @ coef.T) + b)
        out[k] = np.sum(weights * R**2) / total
    return out


def _fold_path(estimator, data, train, test, param, values):
    train_data, kept = _subset(data, train)
    _, coefs, intercepts, _, _ = _path_on_data(
        estimator, train_data, param, values, len(values), None
    )
    return _mse(data, test, coefs, intercepts, kept)


class _PenalizedCVMixin:
    """Grid search over warm-started paths, then a refit on all the data."""

    _accept_sparse = ("csr", "csc")

    def _grid_params(self):
        raise NotImplementedError

    def _cv_fit(self, X, y, sample_weight):
        data = self._validate_fit(X, y, sample_weight)
        base = self._base_estimator()
        datafit = base._datafit(data)
        # grids: outer parameters first, the path parameter ('alpha') last
        names, specs = self._grid_params()
        grids = [
            _grid(base, datafit, name, vals, n, self.eps)
            for name, (vals, n) in zip(names, specs, strict=True)
        ]
        splits = _splits(self.cv, data, self.random_state)
        path_param, path_values = names[-1], grids[-1]
        outer = list(np.ndindex(*[len(g) for g in grids[:-1]]))
        jobs = []
        for idx in outer:
            pairs = zip(names[:-1], idx, strict=True)
            fixed = {name: float(grids[i][j]) for i, (name, j) in enumerate(pairs)}
            est = clone(base).set_params(**fixed)
            for train, test in splits:
                jobs.append((est, train, test))
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_fold_path)(est, data, train, test, path_param, path_values)
            for est, train, test in jobs
        )
        n_folds = len(splits)
        mse = np.asarray(results).reshape(
            *[len(g) for g in grids[:-1]], n_folds, len(path_values)
        )
        # (path, outer..., folds), path parameter first
        mse = np.moveaxis(mse, -1, 0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices
            mean = np.nanmean(mse, axis=-1)
        mean = np.where(np.isnan(mean), np.inf, mean)
        best = np.unravel_index(np.argmin(mean), mean.shape)
        best_params = {path_param: float(path_values[best[0]])}
        for i, name in enumerate(names[:-1]):
            best_params[name] = float(grids[i][best[1 + i]])
        final = clone(base).set_params(**best_params)
        final._fit_data(data)
        for attr in ("coef_", "intercept_", "n_iter_", "dual_gap_", "stop_crit_"):
            setattr(self, attr, getattr(final, attr))
        for attr in ("shared_coef_", "specific_coef_"):
            if hasattr(final, attr):
                setattr(self, attr, getattr(final, attr))
        return best_params, grids, mse


_COMMON_CONSTRAINTS = {
    "eps": [Interval(numbers.Real, 0, 1, closed="neither")],
    "fit_intercept": ["boolean"],
    "task_column": [None, numbers.Integral, str],
    "cv": [None, "cv_object"],
    "n_jobs": [None, numbers.Integral],
    "random_state": ["random_state"],
    "solver": [StrOptions({"auto", "working_set", "fista"})],
    "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
    "tol": [Interval(numbers.Real, 0, None, closed="left")],
    "verbose": ["verbose"],
}

_GRID = [Interval(numbers.Integral, 1, None, closed="left"), "array-like"]


class MultiTaskGroupLassoCV(_PenalizedCVMixin, MultiTaskLinearModel):
    r"""Multi-task group lasso with ``alpha`` chosen by cross-validation.

    Minimises the objective of :class:`MultiTaskGroupLasso`,

    .. math::

        \sum_{t=1}^{T} \frac{1}{2 n_t} \sum_{i \in t}
        s_i (y_{it} - x_i^\top w_t - b_t)^2
        + \alpha \Big(\rho \sum_j \|W_{j:}\|_2
        + \frac{1 - \rho}{2} \|W\|_F^2\Big),

    for each ``alpha`` of a grid from ``alpha_max`` down (one warm-started
    path per fold, see :func:`multitask_path`), keeps the ``alpha`` with the
    smallest mean validation error and refits on all the data.

    The validation error of a fold is the (sample-weighted) mean squared
    error over the labelled cells of its held-out rows: missing labels
    (``NaN``) are left out, and long data count each row once. A task with no
    labelled row in a training fold is left out of that fold (its held-out
    cells do not count); ``mse_path_`` is NaN where a fold has no held-out
    cell at all, and folds are averaged ignoring NaN.

    Parameters
    ----------
    alphas : int or array-like, default=100
        Number of ``alpha`` values on the automatic log grid from
        ``alpha_max`` to ``eps * alpha_max``, or the values themselves.
    eps : float, default=1e-3
        Length of the automatic grid (``alpha_min / alpha_max``).
    l1_ratio : float in (0, 1], default=1.0
        Share of the L2,1 part; the rest is a ridge part.
    center_tasks : bool, default=False
        Penalise the deviations from the tasks' mean weights (see
        :class:`MultiTaskGroupLasso`); ``alpha_max`` is then where they all
        vanish (the pooled ridge).
    mean_alpha : float, default=0.0
        Ridge strength on the shared mean (``center_tasks=True`` only).
    fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task.
    task_column : int, str or None, default=None
        ``None`` for wide data ``(X, Y)``; otherwise the position or DataFrame
        name of the task-id column of ``X`` (long data).
    cv : int, cross-validation generator or iterable, default=None
        ``None`` or an int: that many folds (5 by default) of **shuffled**
        rows, stratified by task for long data so that every task appears in
        every training fold (plain KFold on long data can hold out most rows
        of a small task). Otherwise any scikit-learn splitter (its ``split``
        receives the task codes as ``y`` for long data) or an iterable of
        (train, test) index arrays.
    n_jobs : int, default=None
        Folds (and grid points) fitted in parallel through joblib.
    random_state : int, RandomState instance or None, default=None
        Shuffling of the default folds.
    solver : {'auto', 'working_set', 'fista'}, default='auto'
        Solver of each fit (see :class:`MultiTaskGroupLasso`).
    max_iter : int, default=1000
        Maximum number of iterations of each fit.
    tol : float, default=1e-6
        Tolerance of each fit.
    verbose : int, default=0
        Progress output.

    Attributes
    ----------
    alpha_ : float
        The chosen ``alpha``.
    alphas_ : ndarray of shape (n_alphas,)
        The grid, decreasing.
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Validation mean squared error of each ``alpha`` on each fold.
    coef_ : ndarray of shape (n_tasks, n_features)
        Weights of the refit model.
    intercept_ : ndarray of shape (n_tasks,)
        Intercepts of the refit model.
    n_iter_ : int
        Iterations of the refit.
    dual_gap_ : float
        Duality gap of the refit.
    stop_crit_ : float
        Stopping criterion of the refit.
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
    MultiTaskGroupLasso : the model with a given ``alpha``.
    multitask_path : the warm-started path behind each fold.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import MultiTaskGroupLassoCV
    >>> X, Y = make_multitask_regression(80, 10, 3, n_informative=2,
    ...                                  random_state=0)
    >>> model = MultiTaskGroupLassoCV(alphas=10, cv=3, random_state=0).fit(X, Y)
    >>> model.mse_path_.shape
    (10, 3)
    """

    _parameter_constraints = {
        "alphas": _GRID,
        "l1_ratio": [Interval(numbers.Real, 0, 1, closed="right")],
        "center_tasks": ["boolean"],
        "mean_alpha": [Interval(numbers.Real, 0, None, closed="left")],
        **_COMMON_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        alphas=100,
        eps=1e-3,
        l1_ratio=1.0,
        center_tasks=False,
        mean_alpha=0.0,
        fit_intercept=True,
        task_column=None,
        cv=None,
        n_jobs=None,
        random_state=None,
        solver="auto",
        max_iter=1000,
        tol=1e-6,
        verbose=0,
    ):
        self.alphas = alphas
        self.eps = eps
        self.l1_ratio = l1_ratio
        self.center_tasks = center_tasks
        self.mean_alpha = mean_alpha
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.cv = cv
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose

    def _base_estimator(self):
        return MultiTaskGroupLasso(
            l1_ratio=self.l1_ratio,
            center_tasks=self.center_tasks,
            mean_alpha=self.mean_alpha,
            fit_intercept=self.fit_intercept,
            task_column=self.task_column,
            solver=self.solver,
            max_iter=self.max_iter,
            tol=self.tol,
            verbose=self.verbose,
        )

    def _grid_params(self):
        return ["alpha"], [_spec(self.alphas)]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Cross-validate the ``alpha`` grid, then refit on all the data.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Inputs; with ``task_column`` set, one column holds task ids.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            Wide targets with ``NaN`` for missing labels, or long 1-D targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights (in the fits and in the validation error).

        Returns
        -------
        self : MultiTaskGroupLassoCV
            Fitted estimator.
        """
        best, grids, mse = self._cv_fit(X, y, sample_weight)
        self.alpha_ = best["alpha"]
        self.alphas_ = grids[0]
        self.mse_path_ = mse
        return self


def _spec(grid):
    if isinstance(grid, numbers.Integral):
        return None, int(grid)
    values = np.asarray(grid, dtype=float).ravel()
    return values, len(values)


class DirtyMultiTaskCV(_PenalizedCVMixin, MultiTaskLinearModel):
    r"""Dirty model with ``alpha`` and ``beta`` chosen jointly by cross-validation.

    Minimises the objective of :class:`DirtyMultiTask`,

    .. math::

        \sum_{t=1}^{T} \frac{1}{2 n_t} \sum_{i \in t}
        s_i \big(y_{it} - x_i^\top (b_t + s_t) - c_t\big)^2
        + \alpha \sum_j \|B_{j:}\|_2 + \beta \sum_{j, t} |S_{jt}|,

    over a two-dimensional grid: for each ``beta`` and each fold, one
    warm-started path over the ``alpha`` grid. The pair with the smallest
    mean validation error (weighted MSE over labelled held-out cells, as in
    :class:`MultiTaskGroupLassoCV`) is refit on all the data.

    Parameters
    ----------
    alphas : int or array-like, default=10
        Number of ``alpha`` values on a log grid from ``alpha_max`` (the
        largest row norm of the gradient at zero) to ``eps * alpha_max``, or
        the values.
    betas : int or array-like, default=10
        The same for ``beta`` (from ``beta_max``, the largest entry of the
        gradient at zero).
    eps : float, default=1e-2
        Ratio of the smallest to the largest value of each automatic grid.
    fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task.
    task_column : int, str or None, default=None
        ``None`` for wide data ``(X, Y)``; otherwise the position or DataFrame
        name of the task-id column of ``X`` (long data).
    cv : int, cross-validation generator or iterable, default=None
        As in :class:`MultiTaskGroupLassoCV` (shuffled 5-fold by default,
        stratified by task on long data).
    n_jobs : int, default=None
        Fits run in parallel through joblib (one job per ``beta`` and fold).
    random_state : int, RandomState instance or None, default=None
        Shuffling of the default folds.
    solver : {'auto', 'working_set', 'fista'}, default='auto'
        Solver of each fit (see :class:`DirtyMultiTask`).
    max_iter : int, default=1000
        Maximum number of iterations of each fit.
    tol : float, default=1e-6
        Tolerance of each fit.
    verbose : int, default=0
        Progress output.

    Attributes
    ----------
    alpha_ : float
        The chosen ``alpha``.
    beta_ : float
        The chosen ``beta``.
    alphas_ : ndarray of shape (n_alphas,)
        The ``alpha`` grid, decreasing.
    betas_ : ndarray of shape (n_betas,)
        The ``beta`` grid, decreasing.
    mse_path_ : ndarray of shape (n_alphas, n_betas, n_folds)
        Validation mean squared error of each pair on each fold.
    coef_ : ndarray of shape (n_tasks, n_features)
        Weights of the refit model.
    shared_coef_ : ndarray of shape (n_tasks, n_features)
        Row-sparse part of the refit model.
    specific_coef_ : ndarray of shape (n_tasks, n_features)
        Entry-sparse part of the refit model.
    intercept_ : ndarray of shape (n_tasks,)
        Intercepts of the refit model.
    n_iter_ : int
        Iterations of the refit.
    dual_gap_ : float
        Duality gap of the refit.
    stop_crit_ : float
        Stopping criterion of the refit.
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
    DirtyMultiTask : the model with given ``alpha`` and ``beta``.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import DirtyMultiTaskCV
    >>> X, Y = make_multitask_regression(60, 8, 3, n_informative=2,
    ...                                  random_state=0)
    >>> model = DirtyMultiTaskCV(alphas=4, betas=3, cv=3, random_state=0)
    >>> model.fit(X, Y).mse_path_.shape
    (4, 3, 3)
    """

    _parameter_constraints = {
        "alphas": _GRID,
        "betas": _GRID,
        **_COMMON_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        alphas=10,
        betas=10,
        eps=1e-2,
        fit_intercept=True,
        task_column=None,
        cv=None,
        n_jobs=None,
        random_state=None,
        solver="auto",
        max_iter=1000,
        tol=1e-6,
        verbose=0,
    ):
        self.alphas = alphas
        self.betas = betas
        self.eps = eps
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.cv = cv
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose

    def _base_estimator(self):
        return DirtyMultiTask(
            fit_intercept=self.fit_intercept,
            task_column=self.task_column,
            solver=self.solver,
            max_iter=self.max_iter,
            tol=self.tol,
            verbose=self.verbose,
        )

    def _grid_params(self):
        return ["beta", "alpha"], [_spec(self.betas), _spec(self.alphas)]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Cross-validate the (alpha, beta) grid, then refit on all the data.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Inputs; with ``task_column`` set, one column holds task ids.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            Wide targets with ``NaN`` for missing labels, or long 1-D targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights (in the fits and in the validation error).

        Returns
        -------
        self : DirtyMultiTaskCV
            Fitted estimator.
        """
        best, grids, mse = self._cv_fit(X, y, sample_weight)
        self.alpha_, self.beta_ = best["alpha"], best["beta"]
        self.betas_, self.alphas_ = grids
        self.mse_path_ = mse
        return self
