"""The dirty model: shared rows plus task-specific entries (Jalali et al. 2010)."""

import numbers

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from ._penalized import PenalizedMultiTaskModel
from .datafits import Quadratic, SumOfParts
from .penalties import L1, L21, StackedPenalty

__all__ = ["DirtyMultiTask"]


class DirtyMultiTask(PenalizedMultiTaskModel):
    r"""Dirty multi-task model: W = B + S, row-sparse B plus entry-sparse S.

    Solves

    .. math::

        \min_{B, S, b} \sum_{t=1}^{T} \frac{1}{2 n_t} \sum_{i \in t}
        s_i \big(y_{it} - x_i^\top (b_t + s_t) - c_t\big)^2
        + \alpha \sum_{j=1}^{d} \|B_{j:}\|_2 + \beta \sum_{j, t} |S_{jt}|

    where ``i in t`` runs over the samples labelled for task ``t``, ``n_t``
    is their total weight, ``s_i`` the sample weights and ``c_t`` the task
    intercepts. ``B`` (shared part, the L2,1 norm keeps whole rows) holds the
    features most tasks use; ``S`` (specific part, the L1 norm keeps single
    entries) holds features used by some tasks only. The model's weights are
    ``W = B + S``. A feature enters ``B`` when its use is spread over enough
    tasks: the decomposition is informative for ``beta < alpha < sqrt(T)
    beta`` (outside, one part stays zero: ``alpha >= sqrt(T) beta`` gives a
    per-task lasso, ``alpha <= beta`` a group lasso).

    The parts are stacked into one variable ``[B; S]`` with the least-squares
    datafit applied to ``B + S`` and one penalty per part, so the working-set
    solver of :class:`MultiTaskGroupLasso` (with a duality gap) applies as is.

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the L2,1 norm on the shared part ``B``.
    beta : float, default=1.0
        Strength of the L1 norm on the task-specific part ``S``.
    fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task.
    task_column : int, str or None, default=None
        ``None`` for wide data ``(X, Y)``; otherwise the position or DataFrame
        name of the task-id column of ``X`` (long data).
    solver : {'auto', 'working_set', 'fista', 'cvxpy'}, default='auto'
        ``'working_set'`` (``'auto'``): working sets with FISTA on the Gram
        matrix, stopped on the duality gap; ``'fista'``: accelerated
        proximal gradient on all features; ``'cvxpy'``: the exact reference.
    solver_params : dict, default=None
        Extra arguments of the cvxpy solver (``{'solver': 'CLARABEL', ...}``).
    max_iter : int, default=10_000
        Maximum number of iterations. For ``'working_set'``: epochs in all,
        as scikit-learn's coordinate descent counts them (each pass of the
        inner solver over the working set counts one, and so does each outer
        iteration's gradient pass over all features); ``n_iter_`` reports the
        epochs used. For ``'fista'``: gradient steps.
    tol : float, default=1e-6
        Tolerance on ``stop_crit_`` (relative duality gap for
        ``'working_set'``, relative optimality violation for ``'fista'``).
    warm_start : bool, default=False
        Start from the previous solution when refitting.
    verbose : int, default=0
        Progress output.

    Attributes
    ----------
    coef_ : ndarray of shape (n_tasks, n_features)
        Weights of each task, ``shared_coef_ + specific_coef_``.
    shared_coef_ : ndarray of shape (n_tasks, n_features)
        The row-sparse part ``B`` (transposed): features kept jointly.
    specific_coef_ : ndarray of shape (n_tasks, n_features)
        The entry-sparse part ``S`` (transposed): task-specific weights.
    intercept_ : ndarray of shape (n_tasks,)
        Intercept of each task.
    n_iter_ : int
        Iterations run by the solver.
    stop_crit_ : float
        The solver's stopping criterion at the solution.
    dual_gap_ : float
        Duality gap of the objective at the solution.
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
    MultiTaskGroupLasso : the shared part alone.
    DirtyMultiTaskCV : choose ``alpha`` and ``beta`` by cross-validation.

    References
    ----------
    .. [1] Jalali, Ravikumar, Sanghavi, Ruan (2010). A dirty model for
       multi-task learning. NeurIPS.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import DirtyMultiTask
    >>> X, Y = make_multitask_regression(100, 20, 4, n_informative=3,
    ...                                  random_state=0)
    >>> model = DirtyMultiTask(alpha=0.5, beta=0.4).fit(X, Y)
    >>> model.shared_coef_.shape
    (4, 20)
    >>> W = model.shared_coef_ + model.specific_coef_
    >>> bool(abs(model.coef_ - W).max() < 1e-12)
    True
    """

    _path_params = ("alpha", "beta")

    _parameter_constraints = {
        "alpha": [Interval(numbers.Real, 0, None, closed="neither")],
        "beta": [Interval(numbers.Real, 0, None, closed="neither")],
        "fit_intercept": ["boolean"],
        "task_column": [None, numbers.Integral, str],
        "solver": [StrOptions({"auto", "working_set", "fista", "cvxpy"})],
        "solver_params": [None, dict],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        alpha=1.0,
        beta=1.0,
        *,
        fit_intercept=True,
        task_column=None,
        solver="auto",
        solver_params=None,
        max_iter=10_000,
        tol=1e-6,
        warm_start=False,
        verbose=0,
    ):
        self.alpha = alpha
        self.beta = beta
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.solver = solver
        self.solver_params = solver_params
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.verbose = verbose

    def _n_parts(self):
        return 2

    def _datafit(self, data):
        return SumOfParts(Quadratic(self.fit_intercept).initialize(data), 2)

    def _penalty(self, n_features, alpha, beta):
        return StackedPenalty([L21(alpha), L1(beta)], n_features)

    def _param_max(self, datafit, name):
        b0 = datafit.b0
        if name == "alpha":
            return L21(1.0).alpha_max(b0)
        return L1(1.0).alpha_max(b0)

    def _coef_intercept(self, datafit, V):
        return np.ascontiguousarray(datafit.combine(V).T), datafit.intercept(V)

    def _store(self, datafit, V):
        d = datafit.n_features
        B, S = V[:d], V[d:]
        self.shared_coef_ = np.ascontiguousarray(B.T)
        self.specific_coef_ = np.ascontiguousarray(S.T)
        self.coef_ = self.shared_coef_ + self.specific_coef_
        self.intercept_ = datafit.intercept(V)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

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
        self : DirtyMultiTask
            Fitted estimator.
        """
        # X is checked for NaN/inf/overflow by the datafit's first pass
        data = self._validate_fit(X, y, sample_weight, defer_x_check=True)
        return self._fit_data(data)
