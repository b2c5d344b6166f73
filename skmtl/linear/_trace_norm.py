"""Low-rank multi-task regression with the nuclear (trace) norm."""

import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._composite import COMMON_CONSTRAINTS, CompositeRegressor
from .penalties._centered import CenteredPenalty, pooled_solution
from .penalties._trace import TraceNorm

__all__ = ["TraceNormMultiTask"]


class TraceNormMultiTask(CompositeRegressor):
    r"""Multi-task regression with a nuclear-norm penalty (convex low rank).

    .. math::

        \min_{W, b} \sum_{t=1}^{T} \frac{1}{2 n_t} \sum_{i \in t}
        s_i (y_{it} - x_i^\top w_t - b_t)^2 + \alpha \|W\|_*

    where ``W = [w_1 ... w_T]`` (n_features, n_tasks), ``||W||_*`` is the sum
    of its singular values, ``i in t`` runs over task ``t``'s labelled samples
    and ``n_t`` is their total weight. The nuclear norm is the convex
    surrogate of the rank: the tasks' weight vectors are pushed into a shared
    low-dimensional subspace. Solved by accelerated proximal gradient (FISTA
    with restarts) whose prox is singular-value soft-thresholding. ``W = 0``
    for ``alpha >= alpha_max``, the spectral norm of the gradient at zero.

    With ``center_tasks=True`` the nuclear norm acts on the deviations from
    the tasks' mean weights ``w_bar = W 1 / T`` and the mean gets a ridge:

    .. math::

        \alpha \|W - \bar w \mathbf 1^\top\|_*
        + \frac{\gamma T}{2} \|\bar w\|_2^2, \qquad \gamma = \text{mean\_alpha},

    a shared model plus low-rank task-specific corrections. Large ``alpha``
    then gives the pooled ridge with per-task intercepts (one model for every
    task) instead of ``W = 0``; this is the better prior when the tasks are
    alike, as the schools of the School data.

    Parameters
    ----------
    alpha : float, default=1.0
        Regularisation strength (> 0).
    center_tasks : bool, default=False
        Penalise the deviations ``W - w_bar 1^T`` instead of ``W`` (see
        above).
    mean_alpha : float, default=0.0
        Ridge strength ``gamma`` on the shared mean ``w_bar`` (>= 0); used only
        with ``center_tasks=True``.
    fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task.
    task_column : int, str or None, default=None
        ``None`` for wide data; the position or name of the task-id column of
        ``X`` for long data.
    solver : {'auto', 'fista', 'cvxpy'}, default='auto'
        ``'fista'`` (the ``'auto'`` choice) or ``'cvxpy'`` (exact reference).
    solver_params : dict, default=None
        Arguments of the cvxpy solver.
    max_iter : int, default=5000
        Maximum number of iterations (proximal-gradient steps, one SVD of the
        (n_features, n_tasks) weights and one gradient each). The weakest
        penalties of a path on correlated real data need over 1000 (the
        30-point path on atp1d, standardised: up to about 1300).
    tol : float, default=1e-6
        Tolerance on the relative optimality violation (``stop_crit_``): the
        Frobenius distance of the negative gradient to the subdifferential
        of ``alpha ||W||_*``, over the largest row norm of the gradient at 0.
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
    rank_ : int
        Numerical rank of ``coef_`` (singular values above 1e-9 times the
        largest); with ``center_tasks=True``, of the deviations from the
        mean.
    mean_coef_ : ndarray of shape (n_features,)
        The tasks' mean weights ``w_bar`` (the shared model).
    n_iter_ : int
        Iterations run by the solver.
    stop_crit_ : float
        Relative optimality violation at the solution.
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
    TraceNormMultiTaskCV : ``alpha`` chosen by cross-validation.

    References
    ----------
    S. Ji and J. Ye, "An accelerated gradient method for trace norm
    minimization", ICML 2009.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import TraceNormMultiTask
    >>> X, Y = make_multitask_regression(100, 10, 6, structure="low_rank",
    ...                                  rank=2, noise=0.1, random_state=0)
    >>> TraceNormMultiTask(alpha=0.5).fit(X, Y).rank_
    2
    """

    _parameter_constraints = {
        "alpha": [Interval(numbers.Real, 0, None, closed="neither")],
        "center_tasks": ["boolean"],
        "mean_alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "solver": [StrOptions({"auto", "fista", "cvxpy"})],
        **COMMON_CONSTRAINTS,
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        center_tasks=False,
        mean_alpha=0.0,
        fit_intercept=True,
        task_column=None,
        solver="auto",
        solver_params=None,
        max_iter=5000,
        tol=1e-6,
        warm_start=False,
        verbose=0,
    ):
        self.alpha = alpha
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

    def _param_max(self, datafit, name):
        # the spectral norm of the gradient at the limit model: W = 0, or the
        # pooled ridge (no deviation) with center_tasks=True
        if self.center_tasks:
            grad = datafit.gradient(pooled_solution(datafit, self.mean_alpha))
            grad -= grad.mean(axis=1, keepdims=True)
        else:
            grad = datafit.gradient(np.zeros((datafit.n_features, datafit.n_tasks)))
        return TraceNorm(1.0).alpha_max(grad)

    def _build_problem(self, data, datafit):
        penalty = TraceNorm(self.alpha)
        if self.center_tasks:
            penalty = CenteredPenalty(penalty, self.mean_alpha)
        return datafit, penalty

    def _cold_start(self, shape, datafit):
        if self.center_tasks and self.solver != "cvxpy" and datafit is not None:
            return pooled_solution(datafit, self.mean_alpha)
        return super()._cold_start(shape, datafit)

    def _after_fit(self, data, W):
        deviations, self.mean_coef_ = CenteredPenalty.split(W)
        self.rank_ = TraceNorm.rank(deviations if self.center_tasks else W)
