"""Soft sharing: tasks pulled towards their mean or their graph neighbours."""

import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ..base import task_offsets
from ._composite import COMMON_CONSTRAINTS, CompositeRegressor
from ._ridge import per_task_ridge_coef
from .penalties._smooth import (
    NoPenalty,
    SmoothSum,
    TaskQuadratic,
    graph_laplacian,
    mean_regularization,
)

__all__ = ["MeanRegularizedMultiTask", "TaskGraphMultiTask", "task_similarity_graph"]

_SOLVERS = StrOptions({"auto", "cg", "fista", "cvxpy"})


class MeanRegularizedMultiTask(CompositeRegressor):
    r"""Mean-regularised multi-task regression (Evgeniou & Pontil, 2004).

    Each task's weights are pulled towards the mean of all tasks' weights:

    .. math::

        \min_{W, b} \sum_{t=1}^{T} \frac{1}{2 n_t} \sum_{i \in t}
        s_i (y_{it} - x_i^\top w_t - b_t)^2
        + \frac{\alpha}{2} \sum_{t=1}^{T} \|w_t\|_2^2
        + \frac{\beta}{2} \sum_{t=1}^{T} \|w_t - \bar w\|_2^2,
        \qquad \bar w = \frac{1}{T}\sum_t w_t,

    where ``i in t`` runs over the samples labelled for task ``t`` and ``n_t``
    is their total weight ``sum s_i``. ``beta = 0`` gives independent ridges
    (:class:`PerTaskRidge` with the same ``alpha``); ``beta -> inf`` forces one
    shared ``w`` (:class:`PooledRidge` with ``alpha * T``).

    Relation to Evgeniou & Pontil: they write ``w_t = w_0 + v_t`` and penalise
    ``lambda_1 / T * sum_t ||v_t||^2 + lambda_2 ||w_0||^2``; minimising over
    ``w_0`` gives this penalty with ``alpha = 2 lambda_1 lambda_2 / ((lambda_1
    + lambda_2) T)`` and ``beta = 2 lambda_1^2 / ((lambda_1 + lambda_2) T)``,
    so their ``mu = T lambda_2 / lambda_1`` (the kernel ``(1/mu + delta_st)
    x^T z``) is ``mu = T alpha / beta``: a small ``mu`` means strong sharing.

    The problem is a linear system; the default solver is conjugate gradient
    on it (matrix-free, sparse ``X`` kept sparse).

    Parameters
    ----------
    alpha : float, default=1.0
        Ridge strength on every task's weights (>= 0).
    beta : float, default=1.0
        Strength of the pull towards the mean task (>= 0).
    fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task.
    task_column : int, str or None, default=None
        ``None`` for wide data ``(X, Y)``; otherwise the position or DataFrame
        name of the task-id column of ``X`` (long data).
    solver : {'auto', 'cg', 'fista', 'cvxpy'}, default='auto'
        ``'cg'``: conjugate gradient (the ``'auto'`` choice); ``'fista'``:
        accelerated gradient; ``'cvxpy'``: the exact reference.
    solver_params : dict, default=None
        Arguments of the cvxpy solver (``{'solver': 'CLARABEL'}``).
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=1e-6
        Tolerance on the relative optimality violation (``stop_crit_``): the
        largest row norm of the gradient over its value at zero.
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
    TaskGraphMultiTask : pull along a task graph instead of to the mean.
    ClusteredMultiTask : pull towards learned cluster means.

    References
    ----------
    T. Evgeniou and M. Pontil, "Regularized multi-task learning", KDD 2004.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import MeanRegularizedMultiTask
    >>> X, Y = make_multitask_regression(60, 8, 4, structure="clustered",
    ...                                  n_clusters=1, random_state=0)
    >>> model = MeanRegularizedMultiTask(alpha=0.01, beta=1.0).fit(X, Y)
    >>> model.coef_.shape
    (4, 8)
    """

    _auto_solver = "cg"

    _parameter_constraints = {
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "beta": [Interval(numbers.Real, 0, None, closed="left")],
        "solver": [_SOLVERS],
        **COMMON_CONSTRAINTS,
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
        max_iter=1000,
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

    _path_params = ("alpha", "beta")

    def _build_problem(self, data, datafit):
        smooth = mean_regularization(data.n_tasks, self.alpha, self.beta)
        return SmoothSum(datafit, smooth), NoPenalty()


def task_similarity_graph(coef, n_neighbors=5):
    """Symmetric k-nearest-neighbour task graph from per-task weight vectors.

    Tasks are compared by the cosine similarity of their weights; each task is
    linked to its ``n_neighbors`` most similar tasks (positive similarity
    only), the link weighted by the similarity, and the graph symmetrised
    with the maximum.

    Parameters
    ----------
    coef : ndarray of shape (n_tasks, n_features)
        One weight vector per task (e.g. per-task ridge solutions).
    n_neighbors : int, default=5
        Neighbours of each task (capped at ``n_tasks - 1``).

    Returns
    -------
    adjacency : ndarray of shape (n_tasks, n_tasks)
        Symmetric, non-negative, zero diagonal.
    """
    T = coef.shape[0]
    A = np.zeros((T, T))
    k = min(n_neighbors, T - 1)
    if k < 1:
        return A
    norms = np.linalg.norm(coef, axis=1)
    unit = coef / np.where(norms > 0, norms, 1.0)[:, None]
    S = unit @ unit.T
    np.fill_diagonal(S, -np.inf)
    nearest = np.argsort(-S, axis=1)[:, :k]
    rows = np.repeat(np.arange(T), k)
    vals = S[rows, nearest.ravel()]
    A[rows, nearest.ravel()] = np.maximum(vals, 0.0)
    return np.maximum(A, A.T)


class TaskGraphMultiTask(CompositeRegressor):
    r"""Multi-task regression smoothed along a graph of tasks.

    .. math::

        \min_{W, b} \sum_{t=1}^{T} \frac{1}{2 n_t} \sum_{i \in t}
        s_i (y_{it} - x_i^\top w_t - b_t)^2
        + \frac{\alpha}{2} \operatorname{tr}(W L W^\top)
        + \frac{\rho}{2} \|W\|_F^2

    with ``W = [w_1 ... w_T]``, ``n_t`` the total weight of task ``t``'s
    labelled samples, ``L = diag(A 1) - A`` the Laplacian of the task graph
    with adjacency ``A``, so that ``tr(W L W^T) = sum_{s<t} A_st ||w_s -
    w_t||^2``, and ``rho = ridge`` a small ridge that keeps the problem
    well-posed (the Laplacian does not penalise a weight vector shared by a
    connected component).

    With ``graph='auto'`` the graph is learned from the data: one ridge per
    task (:class:`PerTaskRidge`, ``alpha=graph_alpha``) is fitted and each task
    is linked to its ``n_neighbors`` tasks of most similar weights (cosine
    similarity, see :func:`task_similarity_graph`).

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the graph smoothing (>= 0).
    graph : 'auto' or array-like of shape (n_tasks, n_tasks), default='auto'
        Symmetric non-negative task adjacency, rows and columns in the order of
        ``tasks_`` (sorted task ids for long data, the columns of ``Y`` for
        wide data), or ``'auto'`` to build it from per-task ridge solutions.
    ridge : float, default=1e-3
        Ridge strength ``rho`` (>= 0).
    n_neighbors : int, default=5
        Neighbours per task when ``graph='auto'``.
    graph_alpha : float, default=1.0
        Ridge strength of the per-task fits used by ``graph='auto'``.
    fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task.
    task_column : int, str or None, default=None
        ``None`` for wide data; the position or name of the task-id column of
        ``X`` for long data.
    solver : {'auto', 'cg', 'fista', 'cvxpy'}, default='auto'
        ``'cg'`` (the ``'auto'`` choice), ``'fista'`` or ``'cvxpy'``.
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

    Attributes
    ----------
    coef_ : ndarray of shape (n_tasks, n_features)
        Weights of each task.
    intercept_ : ndarray of shape (n_tasks,)
        Intercept of each task.
    adjacency_ : ndarray of shape (n_tasks, n_tasks)
        The task graph used.
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
    MeanRegularizedMultiTask : the complete graph, up to scaling.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import TaskGraphMultiTask
    >>> X, Y, truth = make_multitask_regression(
    ...     50, 6, 5, structure="graph", random_state=0, return_truth=True)
    >>> model = TaskGraphMultiTask(alpha=1.0, graph=truth.graph).fit(X, Y)
    >>> model.adjacency_.shape
    (5, 5)
    """

    _auto_solver = "cg"

    _parameter_constraints = {
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "graph": [StrOptions({"auto"}), "array-like"],
        "ridge": [Interval(numbers.Real, 0, None, closed="left")],
        "n_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "graph_alpha": [Interval(numbers.Real, 0, None, closed="neither")],
        "solver": [_SOLVERS],
        **COMMON_CONSTRAINTS,
    }

    def __init__(
        self,
        alpha=1.0,
        graph="auto",
        *,
        ridge=1e-3,
        n_neighbors=5,
        graph_alpha=1.0,
        fit_intercept=True,
        task_column=None,
        solver="auto",
        solver_params=None,
        max_iter=1000,
        tol=1e-6,
        warm_start=False,
        verbose=0,
    ):
        self.alpha = alpha
        self.graph = graph
        self.ridge = ridge
        self.n_neighbors = n_neighbors
        self.graph_alpha = graph_alpha
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.solver = solver
        self.solver_params = solver_params
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.verbose = verbose

    def _adjacency(self, data):
        T = data.n_tasks
        if isinstance(self.graph, str):
            X_off, y_off = task_offsets(data, self.fit_intercept)
            coef = per_task_ridge_coef(data, self.graph_alpha, X_off, y_off)
            return task_similarity_graph(coef, self.n_neighbors)
        A = np.asarray(self.graph, dtype=float)
        if A.shape != (T, T):
            raise ValueError(
                f"graph has shape {A.shape}, but the data have {T} tasks: pass a "
                f"({T}, {T}) adjacency matrix (rows in the order of tasks_) or "
                "graph='auto'."
            )
        if not np.all(np.isfinite(A)) or np.any(A < 0) or not np.allclose(A, A.T):
            raise ValueError(
                "graph must be a symmetric adjacency matrix with finite "
                "non-negative entries."
            )
        return A

    def _build_problem(self, data, datafit):
        A = self._adjacency(data)
        self.adjacency_ = A
        Q = self.alpha * graph_laplacian(A) + self.ridge * np.eye(data.n_tasks)
        return SmoothSum(datafit, TaskQuadratic(Q)), NoPenalty()
