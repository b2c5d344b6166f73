"""A user's own convex penalty, solved exactly by cvxpy."""

import numbers

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval

from ..base import MultiTaskLinearModel
from ..utils import import_optional
from .datafits import Quadratic
from .solvers import CvxpySolver

__all__ = ["CustomPenaltyMultiTask"]


def _ridge(W):
    import cvxpy as cp

    return 0.5 * cp.sum_squares(W)


class CustomPenaltyMultiTask(MultiTaskLinearModel):
    r"""Per-task least squares with any convex penalty written in cvxpy.

    Solves

    .. math::

        \min_{W, b} \sum_{t=1}^{T} \frac{1}{2 n_t} \sum_{i \in t}
        s_i (y_{it} - x_i^\top w_t - b_t)^2 + \alpha\, \Omega(W)

    with the same per-task scaling as every skmtl estimator (``i in t`` runs
    over the samples labelled for task ``t``, ``n_t`` is their total weight)
    and ``Omega`` given by the user as a function that takes the cvxpy
    variable ``W`` of shape (n_features, n_tasks) (one column per task, one
    row per feature) and returns a convex scalar cvxpy expression, e.g.
    ``lambda W: cvxpy.sum(cvxpy.norm(W, 'inf', axis=1))`` for the L1,inf
    norm that mutar users ask for, or ``lambda W: cvxpy.normNuc(W)``. The
    problem goes to cvxpy (Clarabel by default), so it is exact but meant for
    small and medium problems; the built-in penalties have fast solvers.

    Parameters
    ----------
    penalty : callable or penalty object, default=None
        ``penalty(W) -> cvxpy expression``, or an object with a ``cvxpy(W)``
        method (the penalties of :mod:`skmtl.linear.penalties`). ``None``
        is the ridge penalty ``1/2 ||W||_F^2``.
    alpha : float, default=1.0
        Multiplier of the penalty.
    fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task.
    task_column : int, str or None, default=None
        ``None`` for wide data ``(X, Y)``; otherwise the position or DataFrame
        name of the task-id column of ``X`` (long data).
    solver_params : dict, default=None
        ``{'solver': name, 'solver_params': {...}}``: the cvxpy solver and
        the keyword arguments of ``problem.solve``.
    verbose : bool, default=False
        cvxpy's own output.

    Attributes
    ----------
    coef_ : ndarray of shape (n_tasks, n_features)
        Weights of each task.
    intercept_ : ndarray of shape (n_tasks,)
        Intercept of each task.
    n_iter_ : int
        Iterations of the cvxpy solver.
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
    MultiTaskGroupLasso : the L2,1 penalty with a fast solver.

    Examples
    --------
    >>> import cvxpy as cp
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import CustomPenaltyMultiTask
    >>> X, Y = make_multitask_regression(60, 8, 3, n_informative=2,
    ...                                  random_state=0)
    >>> def l1_inf(W):
    ...     return cp.sum(cp.max(cp.abs(W), axis=1))
    >>> model = CustomPenaltyMultiTask(l1_inf, alpha=0.5).fit(X, Y)
    >>> model.coef_.shape
    (3, 8)
    """

    _accept_sparse = ("csr", "csc")

    _parameter_constraints = {
        "penalty": [None, callable, object],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "task_column": [None, numbers.Integral, str],
        "solver_params": [None, dict],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        penalty=None,
        alpha=1.0,
        *,
        fit_intercept=True,
        task_column=None,
        solver_params=None,
        verbose=False,
    ):
        self.penalty = penalty
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.solver_params = solver_params
        self.verbose = verbose

    def _penalty_expression(self):
        cp = import_optional("cvxpy", "all")
        user = self.penalty if self.penalty is not None else _ridge
        if not callable(user):
            if not hasattr(user, "cvxpy"):
                raise TypeError(
                    "penalty must be a callable W -> cvxpy expression or an object "
                    f"with a cvxpy(W) method; got {type(user).__name__}."
                )
            user = user.cvxpy
        alpha = float(self.alpha)

        def expression(W):
            expr = user(W)
            if not isinstance(expr, cp.Expression) or expr.size != 1:
                raise ValueError(
                    "penalty(W) must return a scalar cvxpy expression of the "
                    f"variable W (shape {W.shape}); got {type(expr).__name__}."
                )
            if not expr.is_convex():
                raise ValueError(
                    "penalty(W) is not convex under cvxpy's DCP rules; write it "
                    "with convex atoms (norms, sums of abs, sum_squares...)."
                )
            return alpha * expr

        return expression

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model with cvxpy.

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
        self : CustomPenaltyMultiTask
            Fitted estimator.
        """
        import numpy as np

        data = self._validate_fit(X, y, sample_weight)
        datafit = Quadratic(self.fit_intercept).initialize(data)
        solver = CvxpySolver(verbose=self.verbose, **(self.solver_params or {}))
        W0 = np.zeros((data.n_features, data.n_tasks))
        W, self.n_iter_, _ = solver.solve(datafit, self._penalty_expression(), W0)
        self.coef_ = np.ascontiguousarray(W.T)
        self.intercept_ = datafit.intercept(W)
        return self
