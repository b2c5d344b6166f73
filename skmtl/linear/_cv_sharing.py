"""Cross-validated sharing models: trace norm, mean-regularised, task graph,
clustered."""

import numbers

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from ._clustered import ClusteredMultiTask
from ._composite import COMMON_CONSTRAINTS
from ._cv import CV_CONSTRAINTS, EPS_CONSTRAINT, LinearModelCV, grid_spec
from ._soft_sharing import MeanRegularizedMultiTask, TaskGraphMultiTask
from ._trace_norm import TraceNormMultiTask

__all__ = [
    "ClusteredMultiTaskCV",
    "MeanRegularizedMultiTaskCV",
    "TaskGraphMultiTaskCV",
    "TraceNormMultiTaskCV",
]

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

_SCORING_DOC = """The validation error of a fold is the (sample-weighted) mean squared
    error over the labelled cells of its held-out rows, and a task with no
    labelled row in a training fold is left out of that fold with a
    :class:`~skmtl.linear.DegenerateFoldWarning` (see
    :class:`MultiTaskGroupLassoCV`); the best point is refitted on all the
    data."""


class _SharingCV(LinearModelCV):
    """The shared ``__init__`` bookkeeping of the sharing families' CVs."""

    def _common(self):
        return dict(
            fit_intercept=self.fit_intercept,
            task_column=self.task_column,
            solver=self.solver,
            solver_params=self.solver_params,
            max_iter=self.max_iter,
            tol=self.tol,
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        return self._cv_fit(X, y, sample_weight)

    fit.__doc__ = _FIT_DOC


class TraceNormMultiTaskCV(_SharingCV):
    r"""Trace-norm multi-task regression with ``alpha`` chosen by cross-validation.

    Fits :class:`TraceNormMultiTask`, objective

    .. math::

        \sum_{t=1}^{T} \frac{1}{2 n_t} \sum_{i \in t}
        s_i (y_{it} - x_i^\top w_t - b_t)^2 + \alpha \|W\|_*,

    along a decreasing grid of ``alpha`` from ``alpha_max`` (the spectral
    norm of the gradient at ``W = 0``, where the solution becomes zero) down
    to ``eps * alpha_max``, warm-starting each fit from the previous one, on
    every training fold. With ``center_tasks=True`` the nuclear norm acts on
    the deviations from the tasks' mean weights and the mean gets the ridge
    ``mean_alpha``; ``alpha_max`` is then where the deviations vanish (the
    pooled ridge). {scoring}

    Parameters
    ----------
    n_alphas : int, default=20
        Number of alphas on the grid (ignored when ``alphas`` is given).
    eps : float in (0, 1], default=1e-3
        ``alpha_min / alpha_max``.
    alphas : array-like of shape (n_alphas,), default=None
        Explicit grid; sorted in decreasing order.
    center_tasks : bool, default=False
        Penalise the deviations from the tasks' mean weights instead of ``W``.
    mean_alpha : float, default=0.0
        Ridge strength on the shared mean (``center_tasks=True`` only).
    cv : int, cross-validation generator or iterable, default=5
        As in :class:`MultiTaskGroupLassoCV`.
    n_jobs : int, default=None
        Folds fitted in parallel (joblib threads).
    random_state : int, RandomState instance or None, default=None
        Shuffling of the default folds of long data.
    fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task.
    task_column : int, str or None, default=None
        ``None`` for wide data; the position or name of the task-id column of
        ``X`` for long data.
    solver : {'auto', 'fista'}, default='auto'
        Solver of the path and the final fit (accelerated proximal gradient).
    solver_params : dict, default=None
        Unused; kept for a uniform interface.
    max_iter : int, default=5000
        Maximum number of iterations per fit (see
        :class:`TraceNormMultiTask`).
    tol : float, default=1e-5
        Tolerance on the relative optimality violation of each fit.
    warm_start : bool, default=False
        Unused by the path (always warm-started); kept for the interface.
    verbose : int, default=0
        1: a progress bar over the paths; 2 and more: the solvers' output
        too.

    Attributes
    ----------
    alpha_ : float
        The chosen ``alpha``.
    alphas_ : ndarray of shape (n_alphas,)
        The grid used.
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Validation error of each alpha on each fold.
    cv_results_ : dict of ndarray
        The same errors in :class:`~sklearn.model_selection.GridSearchCV`'s
        form (negative mean squared errors).
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
    >>> model = TraceNormMultiTaskCV(n_alphas=8, cv=3).fit(X, Y)
    >>> model.mse_path_.shape
    (8, 3)
    """

    _parameter_constraints = {
        "n_alphas": [Interval(numbers.Integral, 1, None, closed="left")],
        "eps": EPS_CONSTRAINT,
        "alphas": [None, "array-like"],
        "center_tasks": ["boolean"],
        "mean_alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "solver": [StrOptions({"auto", "fista"})],
        **COMMON_CONSTRAINTS,
        **CV_CONSTRAINTS,
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
        max_iter=5000,
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

    def _estimator(self):
        return TraceNormMultiTask(
            center_tasks=self.center_tasks, mean_alpha=self.mean_alpha, **self._common()
        )

    def _grid_specs(self):
        grid = self.n_alphas if self.alphas is None else self.alphas
        return [grid_spec("alpha", grid, self.eps)]


class MeanRegularizedMultiTaskCV(_SharingCV):
    r"""Mean-regularised multi-task regression with ``alpha`` and ``beta`` by CV.

    Cross-validates :class:`MeanRegularizedMultiTask`, objective

    .. math::

        \sum_{t=1}^{T} \frac{1}{2 n_t} \sum_{i \in t}
        s_i (y_{it} - x_i^\top w_t - b_t)^2
        + \frac{\alpha}{2} \sum_t \|w_t\|^2
        + \frac{\beta}{2} \sum_t \|w_t - \bar w\|^2,

    over the whole ``alphas`` x ``betas`` grid at once, the two
    hyper-parameters that MALSAR and RMTL users tune by hand: on each fold,
    for each ``alpha``, the fits along increasing ``beta`` are warm-started
    from one another (conjugate gradient). {scoring}

    Parameters
    ----------
    alphas : array-like, default=(1e-3, 1e-2, 1e-1, 1.0)
        Ridge strengths to try (>= 0).
    betas : array-like, default=(0.1, 1.0, 10.0, 100.0)
        Strengths of the pull to the mean task to try (>= 0).
    cv : int, cross-validation generator or iterable, default=5
        As in :class:`MultiTaskGroupLassoCV`.
    n_jobs : int, default=None
        Paths (one per ``alpha`` and fold) fitted in parallel (joblib
        threads).
    random_state : int, RandomState instance or None, default=None
        Shuffling of the default folds of long data.
    fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task.
    task_column : int, str or None, default=None
        ``None`` for wide data; the position or name of the task-id column of
        ``X`` for long data.
    solver : {'auto', 'cg'}, default='auto'
        Conjugate gradient.
    solver_params : dict, default=None
        Unused; kept for a uniform interface.
    max_iter : int, default=1000
        Maximum number of iterations per fit.
    tol : float, default=1e-6
        Tolerance on the relative gradient norm of each fit.
    warm_start : bool, default=False
        Unused (the grid is always warm-started); kept for the interface.
    verbose : int, default=0
        1: a progress bar over the paths; 2 and more: the solvers' output
        too.

    Attributes
    ----------
    alpha_ : float
        Chosen ``alpha``.
    beta_ : float
        Chosen ``beta``.
    alphas_ : ndarray of shape (n_alphas,)
        The ``alpha`` grid (increasing).
    betas_ : ndarray of shape (n_betas,)
        The ``beta`` grid (increasing).
    mse_path_ : ndarray of shape (n_alphas, n_betas, n_folds)
        Validation error of every pair on every fold.
    cv_results_ : dict of ndarray
        The same errors in :class:`~sklearn.model_selection.GridSearchCV`'s
        form (negative mean squared errors).
    coef_ : ndarray of shape (n_tasks, n_features)
        Weights refitted on all the data.
    intercept_ : ndarray of shape (n_tasks,)
        Intercepts.
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
    MeanRegularizedMultiTask : the model for one pair.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import MeanRegularizedMultiTaskCV
    >>> X, Y = make_multitask_regression(60, 8, 4, structure="clustered",
    ...                                  n_clusters=1, random_state=0)
    >>> model = MeanRegularizedMultiTaskCV(cv=3).fit(X, Y)
    >>> model.mse_path_.shape
    (4, 4, 3)
    """

    _path_param = "beta"

    _parameter_constraints = {
        "alphas": ["array-like"],
        "betas": ["array-like"],
        "solver": [StrOptions({"auto", "cg"})],
        **COMMON_CONSTRAINTS,
        **CV_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        alphas=(1e-3, 1e-2, 1e-1, 1.0),
        betas=(0.1, 1.0, 10.0, 100.0),
        cv=5,
        n_jobs=None,
        random_state=None,
        fit_intercept=True,
        task_column=None,
        solver="auto",
        solver_params=None,
        max_iter=1000,
        tol=1e-6,
        warm_start=False,
        verbose=0,
    ):
        self.alphas = alphas
        self.betas = betas
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

    def _estimator(self):
        return MeanRegularizedMultiTask(**self._common())

    def _grid_specs(self):
        return [
            grid_spec("alpha", self.alphas, decreasing=False),
            grid_spec("beta", self.betas, decreasing=False),
        ]


class TaskGraphMultiTaskCV(_SharingCV):
    r"""Task-graph multi-task regression with ``alpha`` chosen by cross-validation.

    Cross-validates :class:`TaskGraphMultiTask`, objective

    .. math::

        \sum_{t=1}^{T} \frac{1}{2 n_t} \sum_{i \in t}
        s_i (y_{it} - x_i^\top w_t - b_t)^2
        + \frac{\alpha}{2} \operatorname{tr}(W L W^\top)
        + \frac{\rho}{2} \|W\|_F^2,

    along the ``alphas`` grid, warm-started on every training fold (with
    ``graph='auto'`` the graph is learned on each training fold, so the
    validation error includes that step). {scoring}

    Parameters
    ----------
    alphas : array-like, default=(1e-2, 1e-1, 1.0, 10.0, 100.0)
        Graph-smoothing strengths to try (>= 0).
    graph : 'auto' or array-like of shape (n_tasks, n_tasks), default='auto'
        The task adjacency (see :class:`TaskGraphMultiTask`).
    ridge : float, default=1e-3
        Ridge strength ``rho`` (>= 0).
    n_neighbors : int, default=5
        Neighbours per task when ``graph='auto'``.
    graph_alpha : float, default=1.0
        Ridge strength of the per-task fits used by ``graph='auto'``.
    cv : int, cross-validation generator or iterable, default=5
        As in :class:`MultiTaskGroupLassoCV`.
    n_jobs : int, default=None
        Folds fitted in parallel (joblib threads).
    random_state : int, RandomState instance or None, default=None
        Shuffling of the default folds of long data.
    fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task.
    task_column : int, str or None, default=None
        ``None`` for wide data; the position or name of the task-id column of
        ``X`` for long data.
    solver : {'auto', 'cg', 'fista'}, default='auto'
        Solver of each fit (see :class:`TaskGraphMultiTask`).
    solver_params : dict, default=None
        Unused; kept for a uniform interface.
    max_iter : int, default=1000
        Maximum number of iterations per fit.
    tol : float, default=1e-6
        Tolerance of each fit.
    warm_start : bool, default=False
        Unused (the path is always warm-started); kept for the interface.
    verbose : int, default=0
        1: a progress bar over the paths; 2 and more: the solvers' output
        too.

    Attributes
    ----------
    alpha_ : float
        The chosen ``alpha``.
    alphas_ : ndarray of shape (n_alphas,)
        The grid (increasing).
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Validation error of each ``alpha`` on each fold.
    cv_results_ : dict of ndarray
        The same errors in :class:`~sklearn.model_selection.GridSearchCV`'s
        form (negative mean squared errors).
    coef_ : ndarray of shape (n_tasks, n_features)
        Weights refitted on all the data.
    intercept_ : ndarray of shape (n_tasks,)
        Intercepts.
    adjacency_ : ndarray of shape (n_tasks, n_tasks)
        The task graph of the final fit.
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
    TaskGraphMultiTask : the model for one ``alpha``.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import TaskGraphMultiTaskCV
    >>> X, Y = make_multitask_regression(60, 6, 5, structure="graph",
    ...                                  random_state=0)
    >>> model = TaskGraphMultiTaskCV(alphas=[0.1, 1.0, 10.0], cv=3).fit(X, Y)
    >>> model.mse_path_.shape
    (3, 3)
    """

    _parameter_constraints = {
        "alphas": ["array-like"],
        "graph": [StrOptions({"auto"}), "array-like"],
        "ridge": [Interval(numbers.Real, 0, None, closed="left")],
        "n_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "graph_alpha": [Interval(numbers.Real, 0, None, closed="neither")],
        "solver": [StrOptions({"auto", "cg", "fista"})],
        **COMMON_CONSTRAINTS,
        **CV_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        alphas=(1e-2, 1e-1, 1.0, 10.0, 100.0),
        graph="auto",
        ridge=1e-3,
        n_neighbors=5,
        graph_alpha=1.0,
        cv=5,
        n_jobs=None,
        random_state=None,
        fit_intercept=True,
        task_column=None,
        solver="auto",
        solver_params=None,
        max_iter=1000,
        tol=1e-6,
        warm_start=False,
        verbose=0,
    ):
        self.alphas = alphas
        self.graph = graph
        self.ridge = ridge
        self.n_neighbors = n_neighbors
        self.graph_alpha = graph_alpha
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

    def _estimator(self):
        return TaskGraphMultiTask(
            graph=self.graph,
            ridge=self.ridge,
            n_neighbors=self.n_neighbors,
            graph_alpha=self.graph_alpha,
            **self._common(),
        )

    def _grid_specs(self):
        return [grid_spec("alpha", self.alphas, decreasing=False)]


class ClusteredMultiTaskCV(_SharingCV):
    r"""Clustered multi-task regression with ``alpha`` and ``beta`` chosen by CV.

    Cross-validates :class:`ClusteredMultiTask` (``n_clusters`` fixed), the
    convex relaxation of clustered MTL,

    .. math::

        \sum_{t=1}^{T} \frac{1}{2 n_t} \sum_{i \in t}
        s_i (y_{it} - x_i^\top w_t - b_t)^2
        + \frac{\alpha\,\eta(1+\eta)}{2} \min_{0 \preceq M \preceq I,\,
        \operatorname{tr} M = k} \operatorname{tr}\big(W (\eta I + M)^{-1}
        W^\top\big), \qquad \eta = \frac{\beta}{\alpha},

    over the ``alphas`` x ``betas`` grid: on each fold, for each ``beta``,
    the fits along ``alpha`` are warm-started from one another. {scoring}

    Parameters
    ----------
    n_clusters : int, default=2
        Number of task clusters ``k`` (at most the number of tasks).
    alphas : array-like, default=(1e-2, 1e-1, 1.0, 10.0)
        Strengths of the within-cluster term to try (> 0).
    betas : array-like, default=(1e-3, 1e-2, 1e-1, 1.0)
        Ridge strengths to try (> 0).
    center_tasks : bool, default=False
        Apply the penalty to the deviations from the tasks' mean weights.
    mean_alpha : float, default=0.0
        Ridge strength on the shared mean (``center_tasks=True`` only).
    cv : int, cross-validation generator or iterable, default=5
        As in :class:`MultiTaskGroupLassoCV`.
    n_jobs : int, default=None
        Paths (one per ``beta`` and fold) fitted in parallel (joblib
        threads).
    random_state : int, RandomState instance or None, default=None
        Shuffling of the default folds of long data, and seed of the k-means
        that extracts ``labels_`` in the final fit.
    fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task.
    task_column : int, str or None, default=None
        ``None`` for wide data; the position or name of the task-id column of
        ``X`` for long data.
    solver : {'auto', 'lbfgs', 'fista'}, default='auto'
        Solver of each fit (see :class:`ClusteredMultiTask`; ``'auto'`` is
        ``'lbfgs'``).
    solver_params : dict, default=None
        Unused; kept for a uniform interface.
    max_iter : int, default=1000
        Maximum number of iterations per fit.
    tol : float, default=1e-6
        Tolerance of each fit.
    warm_start : bool, default=False
        Unused (the path is always warm-started); kept for the interface.
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
        The ``alpha`` grid (increasing).
    betas_ : ndarray of shape (n_betas,)
        The ``beta`` grid (increasing).
    mse_path_ : ndarray of shape (n_alphas, n_betas, n_folds)
        Validation error of every pair on every fold.
    cv_results_ : dict of ndarray
        The same errors in :class:`~sklearn.model_selection.GridSearchCV`'s
        form (negative mean squared errors).
    coef_ : ndarray of shape (n_tasks, n_features)
        Weights refitted on all the data.
    intercept_ : ndarray of shape (n_tasks,)
        Intercepts.
    labels_ : ndarray of shape (n_tasks,)
        Cluster of each task in the final fit.
    cluster_matrix_ : ndarray of shape (n_tasks, n_tasks)
        The relaxed cluster matrix of the final fit.
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
    ClusteredMultiTask : the model for one pair.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import ClusteredMultiTaskCV
    >>> X, Y = make_multitask_regression(60, 8, 6, structure="clustered",
    ...                                  n_clusters=2, random_state=0)
    >>> model = ClusteredMultiTaskCV(alphas=[0.1, 1.0], betas=[0.01], cv=3)
    >>> model.fit(X, Y).mse_path_.shape
    (2, 1, 3)
    """

    _parameter_constraints = {
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "alphas": ["array-like"],
        "betas": ["array-like"],
        "center_tasks": ["boolean"],
        "mean_alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "solver": [StrOptions({"auto", "lbfgs", "fista"})],
        **COMMON_CONSTRAINTS,
        **CV_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        n_clusters=2,
        alphas=(1e-2, 1e-1, 1.0, 10.0),
        betas=(1e-3, 1e-2, 1e-1, 1.0),
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
        tol=1e-6,
        warm_start=False,
        verbose=0,
    ):
        self.n_clusters = n_clusters
        self.alphas = alphas
        self.betas = betas
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

    def _estimator(self):
        return ClusteredMultiTask(
            self.n_clusters,
            center_tasks=self.center_tasks,
            mean_alpha=self.mean_alpha,
            random_state=self.random_state,
            **self._common(),
        )

    def _grid_specs(self):
        return [
            grid_spec("alpha", self.alphas, decreasing=False),
            grid_spec("beta", self.betas, decreasing=False),
        ]


for _cls in (
    TraceNormMultiTaskCV,
    MeanRegularizedMultiTaskCV,
    TaskGraphMultiTaskCV,
    ClusteredMultiTaskCV,
):
    _cls.__doc__ = _cls.__doc__.replace("{scoring}", _SCORING_DOC)
