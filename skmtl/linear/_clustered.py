"""Clustered multi-task learning (convex relaxation, as MALSAR's CMTL)."""

import numbers

import numpy as np
from sklearn.cluster import KMeans
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._composite import COMMON_CONSTRAINTS, CompositeRegressor
from .penalties._centered import CenteredPenalty, CenteredSmooth, pooled_solution
from .penalties._smooth import ClusterNorm, NoPenalty, SmoothSum

__all__ = ["ClusteredMultiTask"]


class ClusteredMultiTask(CompositeRegressor):
    r"""Clustered multi-task regression, convex relaxation (Zhou, Chen & Ye 2011).

    The tasks are assumed to form ``k = n_clusters`` groups whose weights are
    close to their group's mean. The k-means version penalises
    ``alpha/2 * sum_t ||w_t - mean of t's cluster||^2 + beta/2 * ||W||_F^2``;
    writing it with the normalised cluster-indicator projection ``M`` and
    relaxing ``M`` to ``{0 <= M <= I, tr M = k}`` gives the convex problem
    solved here (MALSAR's ``Least_CMTL``):

    .. math::

        \min_{W, b} \sum_{t=1}^{T} \frac{1}{2 n_t} \sum_{i \in t}
        s_i (y_{it} - x_i^\top w_t - b_t)^2
        + \frac{\alpha\,\eta(1+\eta)}{2} \min_{0 \preceq M \preceq I,\,
        \operatorname{tr} M = k} \operatorname{tr}\big(W (\eta I + M)^{-1}
        W^\top\big), \qquad \eta = \frac{\beta}{\alpha},

    with ``W = [w_1 ... w_T]`` and ``n_t`` task ``t``'s total sample weight.
    (MALSAR's ``rho_1, rho_2`` are ``alpha/2, beta/2`` here, on a loss scaled
    by ``1/n_t``.) The inner minimum over ``M`` has a closed form from the
    eigendecomposition of ``W^T W``, and the penalty is smooth in ``W`` with a
    ``(alpha + beta)``-Lipschitz gradient, so the problem is solved by
    a smooth method on ``W`` alone (L-BFGS by default). The task clusters
    ``labels_`` are then read off by k-means on the learned task weights.

    With ``center_tasks=True`` the cluster norm acts on the deviations from
    the tasks' mean weights ``w_bar = W 1 / T``, and the mean gets its own
    ridge ``mean_alpha * T / 2 * ||w_bar||^2``: tasks are a shared model plus
    clustered corrections, the convex formulation of Jacob, Bach & Vert with
    its mean term. Large ``alpha`` and ``beta`` then give the pooled ridge
    with per-task intercepts rather than ``W = 0``.

    Parameters
    ----------
    n_clusters : int, default=2
        Number of task clusters ``k`` (at most the number of tasks).
    alpha : float, default=1.0
        Strength of the within-cluster term (> 0).
    beta : float, default=1.0
        Ridge strength (> 0).
    center_tasks : bool, default=False
        Apply the penalty to the deviations ``W - w_bar 1^T`` (see above).
    mean_alpha : float, default=0.0
        Ridge strength on the shared mean ``w_bar`` (``center_tasks=True``
        only).
    fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task.
    task_column : int, str or None, default=None
        ``None`` for wide data; the position or name of the task-id column of
        ``X`` for long data.
    solver : {'auto', 'lbfgs', 'fista', 'cvxpy'}, default='auto'
        ``'lbfgs'`` (the ``'auto'`` choice: the objective is smooth, and
        quasi-Newton steps stay fast where a small ``beta`` on correlated
        features leaves it badly conditioned), ``'fista'`` (accelerated
        gradient) or ``'cvxpy'`` (an SDP, small problems only).
    solver_params : dict, default=None
        Arguments of the cvxpy solver.
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=1e-6
        Tolerance on the relative optimality violation (``stop_crit_``).
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting.
    verbose : int, default=0
        Progress output.
    random_state : int, RandomState instance or None, default=None
        Seed of the k-means that extracts ``labels_``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_tasks, n_features)
        Weights of each task.
    intercept_ : ndarray of shape (n_tasks,)
        Intercept of each task.
    labels_ : ndarray of shape (n_tasks,)
        Cluster of each task (k-means on ``coef_``).
    cluster_matrix_ : ndarray of shape (n_tasks, n_tasks)
        The relaxed cluster matrix ``M`` at the solution (of the deviations
        with ``center_tasks=True``).
    mean_coef_ : ndarray of shape (n_features,)
        The tasks' mean weights ``w_bar``.
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
    MeanRegularizedMultiTask : a single cluster, without relaxation.

    References
    ----------
    J. Zhou, J. Chen and J. Ye, "Clustered multi-task learning via alternating
    structure optimization", NIPS 2011. L. Jacob, F. Bach and J.-P. Vert,
    "Clustered multi-task learning: a convex formulation", NIPS 2008.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import ClusteredMultiTask
    >>> X, Y = make_multitask_regression(80, 10, 6, structure="clustered",
    ...                                  n_clusters=2, random_state=0)
    >>> model = ClusteredMultiTask(2, alpha=1.0, beta=0.01, random_state=0)
    >>> model.fit(X, Y).labels_.shape
    (6,)
    """

    _parameter_constraints = {
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "alpha": [Interval(numbers.Real, 0, None, closed="neither")],
        "beta": [Interval(numbers.Real, 0, None, closed="neither")],
        "center_tasks": ["boolean"],
        "mean_alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "solver": [StrOptions({"auto", "lbfgs", "fista", "cvxpy"})],
        "random_state": ["random_state"],
        **COMMON_CONSTRAINTS,
    }

    def __init__(
        self,
        n_clusters=2,
        alpha=1.0,
        beta=1.0,
        *,
        center_tasks=False,
        mean_alpha=0.0,
        fit_intercept=True,
        task_column=None,
        solver="auto",
        solver_params=None,
        max_iter=1000,
        tol=1e-6,
        warm_start=False,
        verbose=0,
        random_state=None,
    ):
        self.n_clusters = n_clusters
        self.alpha = alpha
        self.beta = beta
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
        self.random_state = random_state

    _auto_solver = "lbfgs"
    _path_params = ("alpha", "beta")

    def _build_problem(self, data, datafit):
        if self.n_clusters > data.n_tasks:
            raise ValueError(
                f"n_clusters={self.n_clusters} is larger than the number of tasks "
                f"({data.n_tasks}); use n_clusters <= n_tasks."
            )
        self._cluster_norm = ClusterNorm(self.alpha, self.beta, self.n_clusters)
        smooth = self._cluster_norm
        if self.center_tasks:
            smooth = CenteredSmooth(smooth, self.mean_alpha)
        return SmoothSum(datafit, smooth), NoPenalty()

    def _cold_start(self, shape, datafit):
        # the pooled ridge with the penalty's own ridge on the mean (for k = 1
        # and M = 11^T / T the penalty is beta T / 2 ||w_bar||^2 on the mean):
        # it resolves the ill-conditioned shared direction that gradient steps
        # sized for the stiffest task resolve slowly
        if self.solver != "cvxpy" and datafit is not None:
            gamma = self.mean_alpha if self.center_tasks else self.beta
            return pooled_solution(datafit, gamma)
        return super()._cold_start(shape, datafit)

    def _after_fit(self, data, W):
        deviations, self.mean_coef_ = CenteredPenalty.split(W)
        self.cluster_matrix_ = self._cluster_norm.optimal_M(
            deviations if self.center_tasks else W
        )
        del self._cluster_norm
        # labels_ is read off by k-means on first access (10 k-means runs cost
        # more than the solver on small problems, and CV refits rarely read it);
        # the cluster count and the seed are fixed now
        self._labels = None
        self._labels_k = self.n_clusters
        self._labels_seed = check_random_state(self.random_state).randint(2**31 - 1)

    @property
    def labels_(self):
        """Cluster of each task: k-means on ``coef_``, computed on first access."""
        check_is_fitted(self, "coef_")
        if self._labels is None:
            if self._labels_k == 1:
                self._labels = np.zeros(self.coef_.shape[0], dtype=np.int64)
            else:
                km = KMeans(self._labels_k, n_init=10, random_state=self._labels_seed)
                self._labels = km.fit(self.coef_).labels_.astype(np.int64)
        return self._labels
