"""Multi-task logistic classifiers: group lasso, mean-regularised, trace norm."""

import numbers

from sklearn.utils._param_validation import Interval, StrOptions

from ._classifier_base import CompositeClassifier
from ._composite import COMMON_CONSTRAINTS
from .penalties import L21
from .penalties._smooth import NoPenalty, SmoothSum, mean_regularization
from .penalties._trace import TraceNorm

__all__ = [
    "MeanRegularizedMultiTaskClassifier",
    "MultiTaskGroupLassoClassifier",
    "TraceNormMultiTaskClassifier",
]

_FISTA = StrOptions({"auto", "fista", "cvxpy"})

_LOSS = r"""\sum_{t=1}^{T} \frac{1}{n_t} \sum_{i \in t}
        s_i \log\big(1 + e^{-y_{it} (x_i^\top w_t + b_t)}\big)"""

_SHARED_PARAMS = """fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task.
    task_column : int, str or None, default=None
        ``None`` for wide data; the position or name of the task-id column of
        ``X`` for long data.
    solver : {'auto', 'fista', 'cvxpy'}, default='auto'
        ``'fista'`` (accelerated proximal gradient with restarts, the
        ``'auto'`` choice) or ``'cvxpy'`` (exact reference).
    solver_params : dict, default=None
        Arguments of the cvxpy solver.
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=1e-4
        Tolerance on the relative optimality violation (``stop_crit_``): the
        distance of the negative gradient to the penalty's subdifferential,
        over the largest row norm of the gradient at zero.
    warm_start : bool, default=False
        Start from the previous solution when refitting.
    verbose : int, default=0
        Progress output."""

_SHARED_ATTRS = """coef_ : ndarray of shape (n_tasks, n_features)
        Weights of each task.
    intercept_ : ndarray of shape (n_tasks,)
        Intercept of each task.
    classes_ : list of ndarray of shape (2,)
        The two labels of each task; the second is the positive class (a
        single array when fitted on a 1-D wide ``y``, i.e. one task).
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
        Column names when ``X`` is a DataFrame with string column names."""

_LABELS = """Labels: each task has its own two labels (any two values), mapped to
    ``y = -1`` (``classes_[t][0]``) and ``y = +1`` (``classes_[t][1]``); a task
    with more than two labels is an error. ``predict_proba`` returns, for long
    data, an (n_samples, 2) array (each row's task), for wide data a list of
    (n_samples, 2) arrays, one per task. ``score`` is the accuracy averaged
    over tasks, ignoring missing labels."""


class MultiTaskGroupLassoClassifier(CompositeClassifier):
    __doc__ = rf"""Multi-task logistic regression with joint feature selection.

    .. math::

        \min_{{W, b}} {_LOSS}
        + \alpha \Big(\rho \sum_{{j=1}}^{{d}} \|W_{{j:}}\|_2
        + \frac{{1 - \rho}}{{2}} \|W\|_F^2\Big)

    with ``rho = l1_ratio``, labels ``y_it`` in {{-1, +1}}, ``n_t`` the total
    weight of task ``t``'s labelled samples and ``s_i`` the sample weights.
    Row ``j`` of ``W`` holds feature ``j``'s weight in every task, so features
    are selected for all tasks at once.

    {_LABELS}

    Parameters
    ----------
    alpha : float, default=0.1
        Regularisation strength (> 0).
    l1_ratio : float in (0, 1], default=1.0
        Share of the group-lasso part; the rest is a ridge part.
    {_SHARED_PARAMS}

    Attributes
    ----------
    {_SHARED_ATTRS}

    See Also
    --------
    MultiTaskGroupLasso : the least-squares version.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_classification
    >>> from skmtl.linear import MultiTaskGroupLassoClassifier
    >>> X, Y = make_multitask_classification(200, 10, 3, n_informative=3,
    ...                                      random_state=0)
    >>> clf = MultiTaskGroupLassoClassifier(alpha=0.05).fit(X, Y)
    >>> clf.predict(X).shape
    (200, 3)
    """

    _parameter_constraints = {
        "alpha": [Interval(numbers.Real, 0, None, closed="neither")],
        "l1_ratio": [Interval(numbers.Real, 0, 1, closed="right")],
        "solver": [_FISTA],
        **COMMON_CONSTRAINTS,
    }

    def __init__(
        self,
        alpha=0.1,
        *,
        l1_ratio=1.0,
        fit_intercept=True,
        task_column=None,
        solver="auto",
        solver_params=None,
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        verbose=0,
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.solver = solver
        self.solver_params = solver_params
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.verbose = verbose

    def _build_problem(self, data, datafit):
        return datafit, self._wrap(L21(self.alpha, self.l1_ratio), datafit)


class MeanRegularizedMultiTaskClassifier(CompositeClassifier):
    __doc__ = rf"""Mean-regularised multi-task logistic regression.

    .. math::

        \min_{{W, b}} {_LOSS}
        + \frac{{\alpha}}{{2}} \sum_t \|w_t\|_2^2
        + \frac{{\beta}}{{2}} \sum_t \|w_t - \bar w\|_2^2

    with ``w_bar`` the mean of the tasks' weights, labels ``y_it`` in
    {{-1, +1}}, ``n_t`` the total weight of task ``t``'s labelled samples and
    ``s_i`` the sample weights (Evgeniou & Pontil 2004, with the logistic
    loss). ``beta = 0`` gives independent L2-penalised logistic regressions:
    scikit-learn's ``LogisticRegression(C=1 / (n_t * alpha))`` on each task.

    {_LABELS}

    Parameters
    ----------
    alpha : float, default=0.01
        Ridge strength on every task's weights (>= 0).
    beta : float, default=1.0
        Strength of the pull towards the mean task (>= 0).
    {_SHARED_PARAMS}

    Attributes
    ----------
    {_SHARED_ATTRS}

    See Also
    --------
    MeanRegularizedMultiTask : the least-squares version.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_classification
    >>> from skmtl.linear import MeanRegularizedMultiTaskClassifier
    >>> X, y = make_multitask_classification(
    ...     n_features=5, n_tasks=3, samples_per_task=[30, 40, 50], random_state=0)
    >>> clf = MeanRegularizedMultiTaskClassifier(task_column=-1).fit(X, y)
    >>> clf.predict_proba(X).shape
    (120, 2)
    """

    _parameter_constraints = {
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "beta": [Interval(numbers.Real, 0, None, closed="left")],
        "solver": [_FISTA],
        **COMMON_CONSTRAINTS,
    }

    def __init__(
        self,
        alpha=0.01,
        beta=1.0,
        *,
        fit_intercept=True,
        task_column=None,
        solver="auto",
        solver_params=None,
        max_iter=1000,
        tol=1e-4,
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

    def _build_problem(self, data, datafit):
        smooth = mean_regularization(data.n_tasks, self.alpha, self.beta)
        return SmoothSum(datafit, smooth), NoPenalty()


class TraceNormMultiTaskClassifier(CompositeClassifier):
    __doc__ = rf"""Multi-task logistic regression with a nuclear-norm penalty.

    .. math::

        \min_{{W, b}} {_LOSS} + \alpha \|W\|_*

    with ``W = [w_1 ... w_T]``, ``||W||_*`` the sum of its singular values,
    labels ``y_it`` in {{-1, +1}}, ``n_t`` the total weight of task ``t``'s
    labelled samples and ``s_i`` the sample weights. Accelerated proximal
    gradient with singular-value thresholding.

    {_LABELS}

    Parameters
    ----------
    alpha : float, default=0.01
        Regularisation strength (> 0).
    {_SHARED_PARAMS}

    Attributes
    ----------
    {_SHARED_ATTRS}
    rank_ : int
        Numerical rank of ``coef_``.

    See Also
    --------
    TraceNormMultiTask : the least-squares version.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_classification
    >>> from skmtl.linear import TraceNormMultiTaskClassifier
    >>> X, Y = make_multitask_classification(200, 10, 6, structure="low_rank",
    ...                                      random_state=0)
    >>> clf = TraceNormMultiTaskClassifier(alpha=0.05).fit(X, Y)
    >>> len(clf.predict_proba(X)), clf.rank_ < 6
    (6, True)
    """

    _parameter_constraints = {
        "alpha": [Interval(numbers.Real, 0, None, closed="neither")],
        "solver": [_FISTA],
        **COMMON_CONSTRAINTS,
    }

    def __init__(
        self,
        alpha=0.01,
        *,
        fit_intercept=True,
        task_column=None,
        solver="auto",
        solver_params=None,
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        verbose=0,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.solver = solver
        self.solver_params = solver_params
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.verbose = verbose

    def _build_problem(self, data, datafit):
        return datafit, self._wrap(TraceNorm(self.alpha), datafit)

    def _after_fit(self, data, W):
        self.rank_ = TraceNorm.rank(W[: data.n_features])
