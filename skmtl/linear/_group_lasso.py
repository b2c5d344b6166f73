"""Joint feature selection: the multi-task group lasso (L2,1)."""

import numbers

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from ._penalized import PenalizedMultiTaskModel
from .datafits import Quadratic
from .penalties import L21
from .penalties._centered import CenteredPenalty, pooled_solution
from .solvers import FISTA, WorkingSet
from .solvers._working_set import first_set_size

__all__ = ["MultiTaskGroupLasso"]


class MultiTaskGroupLasso(PenalizedMultiTaskModel):
    r"""Multi-task group lasso: features selected jointly across tasks.

    Solves

    .. math::

        \min_{W, b} \sum_{t=1}^{T} \frac{1}{2 n_t} \sum_{i \in t}
        s_i (y_{it} - x_i^\top w_t - b_t)^2
        + \alpha \Big(\rho \sum_{j=1}^{d} \|W_{j:}\|_2
        + \frac{1 - \rho}{2} \|W\|_F^2\Big)

    where ``i in t`` runs over the samples labelled for task ``t``, ``n_t`` is
    their total weight and ``rho = l1_ratio``. Row ``j`` of W holds feature
    ``j``'s weight in every task: the L2,1 norm zeroes whole rows, so every
    task uses the same features. With one shared ``X``, no missing label and
    ``l1_ratio=1`` this is scikit-learn's
    :class:`~sklearn.linear_model.MultiTaskLasso` (and ``MultiTaskElasticNet``
    for ``l1_ratio < 1``) with the same ``alpha``.

    With ``center_tasks=True`` the penalty acts on the deviations from the
    tasks' mean weights ``w_bar = W 1 / T`` instead, and the mean gets a ridge
    (``gamma = mean_alpha``):

    .. math::

        \alpha \Big(\rho \sum_{j=1}^{d} \|W_{j:} - \bar w_j \mathbf 1^\top\|_2
        + \frac{1 - \rho}{2} \|W - \bar w \mathbf 1^\top\|_F^2\Big)
        + \frac{\gamma T}{2} \|\bar w\|_2^2 :

    one shared model, and task-specific corrections on a few features only
    (the features on which the tasks differ). Large ``alpha`` gives the pooled
    ridge with per-task intercepts instead of ``W = 0``. Solved by FISTA.

    Parameters
    ----------
    alpha : float, default=1.0
        Regularisation strength.
    l1_ratio : float in (0, 1], default=1.0
        Share of the L2,1 part; the rest is a ridge part.
    center_tasks : bool, default=False
        Penalise the deviations ``W - w_bar 1^T`` instead of ``W`` (see
        above); needs ``solver`` in ``{'auto', 'fista', 'cvxpy'}``.
    mean_alpha : float, default=0.0
        Ridge strength ``gamma`` on the shared mean ``w_bar`` (>= 0); used only
        with ``center_tasks=True``.
    fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task.
    task_column : int, str or None, default=None
        ``None`` for wide data ``(X, Y)``; otherwise the position or DataFrame
        name of the task-id column of ``X`` (long data).
    solver : {'auto', 'working_set', 'fista', 'cvxpy'}, default='auto'
        ``'working_set'``: working sets of features with restarted FISTA on
        the working set's Gram matrix, stopped on the duality gap (fastest;
        on large dense long data with numba, compiled coordinate descent on
        the per-task Gram blocks and fused passes over X);
        ``'fista'``: accelerated proximal gradient on all features;
        ``'cvxpy'``: the exact reference; ``'auto'``: ``'working_set'``
        (``'fista'`` with ``center_tasks=True``).
    solver_params : dict, default=None
        Extra arguments of the cvxpy solver (``{'solver': 'CLARABEL', ...}``).
    max_iter : int, default=10_000
        Maximum number of iterations. For ``'working_set'``: epochs in all,
        as scikit-learn's coordinate descent counts them (each pass of the
        inner solver over the working set counts one, and so does each outer
        iteration's gradient pass over all features; a Newton step on the
        support, taken when coordinate descent crawls on correlated features,
        counts its cost in epochs); ``n_iter_`` reports the epochs used. For
        ``'fista'``: gradient steps.
    tol : float, default=1e-6
        Tolerance on ``stop_crit_``: the duality gap relative to the
        objective at zero for ``'working_set'`` (``dual_gap_ / f(0)``), the
        relative optimality violation for ``'fista'``.
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting.
    verbose : int, default=0
        Progress output.

    Attributes
    ----------
    coef_ : ndarray of shape (n_tasks, n_features)
        Weights of each task.
    intercept_ : ndarray of shape (n_tasks,)
        Intercept of each task.
    mean_coef_ : ndarray of shape (n_features,)
        The tasks' mean weights ``w_bar`` (the shared model).
    n_iter_ : int
        Iterations run by the solver.
    stop_crit_ : float
        The solver's stopping criterion at the solution: relative duality gap
        ``dual_gap_ / f(0)`` for ``'working_set'``, relative optimality
        violation (distance of the negative gradient to the subdifferential
        over the gradient's scale at zero) for ``'fista'``, 0 for ``'cvxpy'``.
    dual_gap_ : float
        Duality gap of the objective above at the solution (every solver).
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
    sklearn.linear_model.MultiTaskLasso : the shared-design special case.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import MultiTaskGroupLasso
    >>> X, Y = make_multitask_regression(100, 20, 4, n_informative=3,
    ...                                  random_state=0)
    >>> model = MultiTaskGroupLasso(alpha=0.5).fit(X, Y)
    >>> int((abs(model.coef_).sum(axis=0) > 0).sum())
    3
    """

    _parameter_constraints = {
        "alpha": [Interval(numbers.Real, 0, None, closed="neither")],
        "l1_ratio": [Interval(numbers.Real, 0, 1, closed="right")],
        "center_tasks": ["boolean"],
        "mean_alpha": [Interval(numbers.Real, 0, None, closed="left")],
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
        *,
        l1_ratio=1.0,
        center_tasks=False,
        mean_alpha=0.0,
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
        self.l1_ratio = l1_ratio
        self.center_tasks = center_tasks
        self.mean_alpha = mean_alpha
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.solver = solver
        self.solver_params = solver_params
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.verbose = verbose

    def _penalty(self, n_features, alpha):
        penalty = L21(alpha, self.l1_ratio)
        if self.center_tasks:
            return CenteredPenalty(penalty, self.mean_alpha)
        return penalty

    def _make_solver(self):
        if self.center_tasks and self.solver == "working_set":
            raise ValueError(
                "solver='working_set' needs a duality gap, which the centred "
                "penalty (center_tasks=True) does not have; use solver='auto' "
                "or 'fista'."
            )
        if self.center_tasks and self.solver == "auto":
            return FISTA(max_iter=self.max_iter, tol=self.tol, verbose=self.verbose)
        return super()._make_solver()

    def _param_max(self, datafit, name):
        if not self.center_tasks:
            return L21(1.0, self.l1_ratio).alpha_max(datafit.b0)
        # the limit is the pooled ridge (no deviation); the smallest alpha
        # keeping the deviations zero is the largest row norm of the centred
        # gradient there
        grad = datafit.gradient(pooled_solution(datafit, self.mean_alpha))
        grad -= grad.mean(axis=1, keepdims=True)
        return L21(1.0, self.l1_ratio).alpha_max(grad)

    def _datafit(self, data):
        # the working-set solver's first set is the top features by gradient
        # norm at zero (first_set_size of them): let the first pass gather
        # them if it can
        ws = self.solver in ("auto", "working_set") and not self.center_tasks
        cold = not (
            self.warm_start and getattr(self, "_coef_stacked", None) is not None
        )
        long = data.layout == "long"
        p0 = WorkingSet().p0
        prefetch = first_set_size(p0, data.n_features, long) if ws and cold else 0
        return Quadratic(self.fit_intercept, prefetch=prefetch).initialize(data)

    def _cold_start(self, shape, datafit):
        if self.center_tasks and self.solver != "cvxpy" and datafit is not None:
            return pooled_solution(datafit, self.mean_alpha)
        return super()._cold_start(shape, datafit)

    def _store(self, datafit, W):
        super()._store(datafit, W)
        self.mean_coef_ = W.mean(axis=1)

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
        self : MultiTaskGroupLasso
            Fitted estimator.
        """
        # X is checked for NaN/inf/overflow by the datafit's first pass
        data = self._validate_fit(X, y, sample_weight, defer_x_check=True)
        return self._fit_data(data)
