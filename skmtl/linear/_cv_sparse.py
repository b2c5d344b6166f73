"""Cross-validated sparse models: the group lasso and the dirty model."""

import numbers

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from ._cv import CV_CONSTRAINTS, EPS_CONSTRAINT, LinearModelCV, grid_spec
from ._dirty import DirtyMultiTask
from ._group_lasso import MultiTaskGroupLasso

__all__ = ["DirtyMultiTaskCV", "MultiTaskGroupLassoCV"]

_GRID = [Interval(numbers.Integral, 1, None, closed="left"), "array-like"]

_SOLVER_CONSTRAINTS = {
    "fit_intercept": ["boolean"],
    "task_column": [None, numbers.Integral, str],
    "solver": [StrOptions({"auto", "working_set", "fista"})],
    "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
    "tol": [Interval(numbers.Real, 0, None, closed="left")],
}

_FIT_DOC = """Cross-validate the grid, then refit on all the data.

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
        self : object
            Fitted estimator.
        """


class MultiTaskGroupLassoCV(LinearModelCV):
    r"""Multi-task group lasso with ``alpha`` (and ``l1_ratio``) chosen by CV.

    Minimises the objective of :class:`MultiTaskGroupLasso`,

    .. math::

        \sum_{t=1}^{T} \frac{1}{2 n_t} \sum_{i \in t}
        s_i (y_{it} - x_i^\top w_t - b_t)^2
        + \alpha \Big(\rho \sum_j \|W_{j:}\|_2
        + \frac{1 - \rho}{2} \|W\|_F^2\Big),

    for each ``alpha`` of a grid from ``alpha_max`` down (one warm-started
    path per fold and ``l1_ratio``, see :func:`multitask_path`), keeps the
    pair with the smallest mean validation error and refits on all the data.
    With one shared ``X`` and no missing label this is scikit-learn's
    :class:`~sklearn.linear_model.MultiTaskLassoCV`
    (:class:`~sklearn.linear_model.MultiTaskElasticNetCV` for ``l1_ratio <
    1``): same grid, same folds, same choice.

    The validation error of a fold is the (sample-weighted) mean squared
    error over the labelled cells of its held-out rows: missing labels
    (``NaN``) are left out, and long data count each row once. A task with no
    labelled row in a training fold is left out of that fold with a
    :class:`~skmtl.linear.DegenerateFoldWarning`; a task never scored is an
    error (see :class:`LinearModelCV`).

    Parameters
    ----------
    alphas : int or array-like, default=100
        Number of ``alpha`` values on the automatic log grid from
        ``alpha_max`` to ``eps * alpha_max``, or the values themselves.
    eps : float in (0, 1], default=1e-3
        Length of the automatic grid (``alpha_min / alpha_max``).
    l1_ratio : float or array-like of floats in (0, 1], default=1.0
        Share of the L2,1 part; the rest is a ridge part. A list is searched
        too (one ``alpha`` grid per value, as in scikit-learn).
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
        ``None`` or an int: that many folds (5 by default); ``KFold`` as in
        scikit-learn on wide data, and on long data
        :class:`~skmtl.model_selection.TaskStratifiedKFold` (shuffled), which
        keeps every task in every fold. Otherwise any scikit-learn splitter
        (its ``split`` receives ``X``, ``y`` and, for long data, the task
        codes as ``groups``) or an iterable of (train, test) index arrays.
    n_jobs : int, default=None
        Paths (folds and ``l1_ratio`` values) fitted in parallel (joblib
        threads).
    random_state : int, RandomState instance or None, default=None
        Shuffling of the default folds of long data.
    solver : {'auto', 'working_set', 'fista'}, default='auto'
        Solver of each fit (see :class:`MultiTaskGroupLasso`).
    max_iter : int, default=10_000
        Maximum number of epochs of each fit, inner epochs included (see
        :class:`MultiTaskGroupLasso`).
    tol : float, default=1e-6
        Tolerance of each fit.
    verbose : int, default=0
        1: a progress bar over the paths; 2 and more: the solvers' output
        too.

    Attributes
    ----------
    alpha_ : float
        The chosen ``alpha``.
    l1_ratio_ : float
        The chosen ``l1_ratio``.
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        The grid, decreasing; one row per ``l1_ratio`` (in the order given)
        when several are searched on the automatic grid, as in scikit-learn.
    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, n_folds)
        Validation mean squared error of each ``alpha`` on each fold.
    cv_results_ : dict of ndarray
        The same errors in :class:`~sklearn.model_selection.GridSearchCV`'s
        form (``params``, ``param_alpha``, ``split{k}_test_score``,
        ``mean_test_score``, ``std_test_score``, ``rank_test_score``; scores
        are negative mean squared errors).
    coef_ : ndarray of shape (n_tasks, n_features)
        Weights of the refit model.
    intercept_ : ndarray of shape (n_tasks,)
        Intercepts of the refit model.
    mean_coef_ : ndarray of shape (n_features,)
        The tasks' mean weights in the refit model.
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
    >>> model = MultiTaskGroupLassoCV(alphas=10, cv=3).fit(X, Y)
    >>> model.mse_path_.shape
    (10, 3)
    """

    _parameter_constraints = {
        "alphas": _GRID,
        "eps": EPS_CONSTRAINT,
        "l1_ratio": [Interval(numbers.Real, 0, 1, closed="right"), "array-like"],
        "center_tasks": ["boolean"],
        "mean_alpha": [Interval(numbers.Real, 0, None, closed="left")],
        **_SOLVER_CONSTRAINTS,
        **CV_CONSTRAINTS,
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
        max_iter=10_000,
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

    def _estimator(self):
        return MultiTaskGroupLasso(
            center_tasks=self.center_tasks,
            mean_alpha=self.mean_alpha,
            fit_intercept=self.fit_intercept,
            task_column=self.task_column,
            solver=self.solver,
            max_iter=self.max_iter,
            tol=self.tol,
        )

    def _grid_specs(self):
        ratios = np.asarray(self.l1_ratio, dtype=float)
        if ratios.size == 0 or np.any(ratios <= 0) or np.any(ratios > 1):
            raise ValueError(f"l1_ratio must be in (0, 1]; got {self.l1_ratio}.")
        # scikit-learn's order (as given) and shapes: one ratio, no axis
        l1 = grid_spec(
            "l1_ratio", ratios.reshape(-1)[0] if ratios.size == 1 else ratios
        )
        l1.decreasing = None
        return [l1, grid_spec("alpha", self.alphas, self.eps)]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        return self._cv_fit(X, y, sample_weight)

    fit.__doc__ = _FIT_DOC

    def _set_results(self, specs, grids, best, mse, n_folds):
        super()._set_results(specs, grids, best, mse, n_folds)
        if hasattr(self, "l1_ratios_"):  # scikit-learn has no such attribute
            del self.l1_ratios_


class DirtyMultiTaskCV(LinearModelCV):
    r"""Dirty model with ``alpha`` and ``beta`` chosen jointly by cross-validation.

    Minimises the objective of :class:`DirtyMultiTask`,

    .. math::

        \sum_{t=1}^{T} \frac{1}{2 n_t} \sum_{i \in t}
        s_i \big(y_{it} - x_i^\top (b_t + s_t) - c_t\big)^2
        + \alpha \sum_j \|B_{j:}\|_2 + \beta \sum_{j, t} |S_{jt}|,

    over a two-dimensional grid: for each ``beta`` and each fold, one
    warm-started path over the ``alpha`` grid. The pair with the smallest
    mean validation error (weighted MSE over labelled held-out cells, with
    the rule for degenerate folds of :class:`MultiTaskGroupLassoCV`) is
    refit on all the data.

    Parameters
    ----------
    alphas : int or array-like, default=10
        Number of ``alpha`` values on a log grid from ``alpha_max`` (the
        largest row norm of the gradient at zero) to ``eps * alpha_max``, or
        the values.
    betas : int or array-like, default=10
        The same for ``beta`` (from ``beta_max``, the largest entry of the
        gradient at zero).
    eps : float in (0, 1], default=1e-2
        Ratio of the smallest to the largest value of each automatic grid.
    fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task.
    task_column : int, str or None, default=None
        ``None`` for wide data ``(X, Y)``; otherwise the position or DataFrame
        name of the task-id column of ``X`` (long data).
    cv : int, cross-validation generator or iterable, default=None
        As in :class:`MultiTaskGroupLassoCV`.
    n_jobs : int, default=None
        Paths (one per ``beta`` and fold) fitted in parallel (joblib threads).
    random_state : int, RandomState instance or None, default=None
        Shuffling of the default folds of long data.
    solver : {'auto', 'working_set', 'fista'}, default='auto'
        Solver of each fit (see :class:`DirtyMultiTask`).
    max_iter : int, default=10_000
        Maximum number of epochs of each fit, inner epochs included (see
        :class:`DirtyMultiTask`).
    tol : float, default=1e-6
        Tolerance of each fit.
    verbose : int, default=0
        1: a progress bar over the paths; 2 and more: the solvers' output
        too.

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
    cv_results_ : dict of ndarray
        The same errors in :class:`~sklearn.model_selection.GridSearchCV`'s
        form (negative mean squared errors).
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
    >>> model = DirtyMultiTaskCV(alphas=4, betas=3, cv=3)
    >>> model.fit(X, Y).mse_path_.shape
    (4, 3, 3)
    """

    _parameter_constraints = {
        "alphas": _GRID,
        "betas": _GRID,
        "eps": EPS_CONSTRAINT,
        **_SOLVER_CONSTRAINTS,
        **CV_CONSTRAINTS,
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
        max_iter=10_000,
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

    def _estimator(self):
        return DirtyMultiTask(
            fit_intercept=self.fit_intercept,
            task_column=self.task_column,
            solver=self.solver,
            max_iter=self.max_iter,
            tol=self.tol,
        )

    def _grid_specs(self):
        return [
            grid_spec("alpha", self.alphas, self.eps),
            grid_spec("beta", self.betas, self.eps),
        ]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        return self._cv_fit(X, y, sample_weight)

    fit.__doc__ = _FIT_DOC
