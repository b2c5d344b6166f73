"""Shared machinery of the estimators built as datafit + penalty + solver.

Each estimator only says which datafit and penalties it uses
(:meth:`_build_problem`); fitting, solver choice, warm starts, intercepts and
the convergence report live here, once.
"""

import numbers

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval

from ..base import MultiTaskLinearModel
from ._path import PathState
from .datafits import Quadratic
from .solvers import FISTA, LBFGS, CvxpySolver
from .solvers._cg import ConjugateGradient

__all__ = ["COMMON_CONSTRAINTS", "CompositeMixin"]

COMMON_CONSTRAINTS = {
    "fit_intercept": ["boolean"],
    "task_column": [None, numbers.Integral, str],
    "solver_params": [None, dict],
    "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
    "tol": [Interval(numbers.Real, 0, None, closed="left")],
    "warm_start": ["boolean"],
    "verbose": ["verbose"],
}


class CompositeMixin:
    """Fit ``datafit + smooth penalties + proximable penalty`` with a solver.

    Subclasses define ``_build_problem(data, datafit) -> (objective, penalty)``
    where ``objective`` is the datafit, possibly wrapped in
    :class:`~skmtl.linear.penalties.SmoothSum`, and ``_auto_solver`` (the
    solver ``'auto'`` resolves to).
    """

    _auto_solver = "fista"

    def _make_solver(self, name):
        if name == "cvxpy":
            return CvxpySolver(verbose=self.verbose, **(self.solver_params or {}))
        if name == "cg":
            return ConjugateGradient(
                max_iter=self.max_iter, tol=self.tol, verbose=self.verbose
            )
        if name == "lbfgs":
            return LBFGS(max_iter=self.max_iter, tol=self.tol, verbose=self.verbose)
        return FISTA(max_iter=self.max_iter, tol=self.tol, verbose=self.verbose)

    def _initial_W(self, shape, datafit=None):
        coef = getattr(self, "coef_", None)
        if self.warm_start and coef is not None:
            W0 = self._stack_params()
            if W0.shape == shape:
                return W0
        return self._cold_start(shape, datafit)

    def _cold_start(self, shape, datafit):
        """Starting point without a previous solution (zeros by default)."""
        return np.zeros(shape)

    def _stack_params(self):
        return self.coef_.T.copy()

    def _make_datafit(self, data):
        # the datafit itself decides whether to go through per-task Gram
        # matrices (built at the first evaluation, so never for cvxpy)
        return Quadratic(self.fit_intercept).initialize(data)

    # -- the path protocol (see skmtl.linear._path) ---------------------------
    #: hyper-parameters a path or a cross-validation grid can vary
    _path_params = ("alpha",)

    def _param_max(self, datafit, name):
        """Smallest ``name`` giving the limit model; None when there is none."""
        return None

    def _path_setup(self, data):
        datafit = self._make_datafit(data)
        name = self._auto_solver if self.solver == "auto" else self.solver
        return PathState(data, datafit, self._make_solver(name))

    def _path_start(self, state):
        # the logistic datafit's variable carries an extra intercept row
        n_rows = getattr(state.datafit, "n_rows", state.data.n_features)
        return self._initial_W((n_rows, state.data.n_tasks), state.datafit)

    def _path_step(self, state, W):
        objective, penalty = self._build_problem(state.data, state.datafit)
        W, n_iter, stop_crit = state.solver.solve(objective, penalty, W)
        return W, n_iter, stop_crit, np.nan

    def _path_coef(self, state, W):
        return np.ascontiguousarray(W.T), state.datafit.intercept(W)

    def _solve(self, data):
        state = self._path_setup(data)
        W, self.n_iter_, self.stop_crit_, _ = self._path_step(
            state, self._path_start(state)
        )
        return W, state.datafit


class CompositeRegressor(CompositeMixin, MultiTaskLinearModel):
    """Base of the least-squares composite regressors."""

    _accept_sparse = ("csr", "csc")
    #: fits dask collections from per-task statistics (skmtl.dask)
    _fits_from_statistics = True

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
        self : object
            Fitted estimator.
        """
        return self._fit_data(self._validate_fit(X, y, sample_weight))

    def _fit_data(self, data):
        W, datafit = self._solve(data)
        self.coef_ = np.ascontiguousarray(W.T)
        self.intercept_ = datafit.intercept(W)
        self._after_fit(data, W)
        return self

    def _after_fit(self, data, W):
        pass
