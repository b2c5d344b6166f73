"""Shared fitting logic of the penalised least-squares estimators.

An estimator here only says which datafit and penalty it minimises
(``_datafit`` and ``_penalty``) and how the solution maps to its fitted
attributes (``_store``); fitting, warm starts, solver choice, duality gaps and
regularisation paths (:mod:`skmtl.linear._path`) are shared.
"""

import numpy as np

from ..base import MultiTaskLinearModel
from ._path import PathState
from .datafits import Quadratic
from .solvers import FISTA, CvxpySolver, WorkingSet, duality_gap

__all__ = ["PenalizedMultiTaskModel"]


class PenalizedMultiTaskModel(MultiTaskLinearModel):
    """Base class: per-task least squares plus a penalty, solved by the core."""

    _accept_sparse = ("csr", "csc")
    #: fits dask collections from per-task statistics (skmtl.dask)
    _fits_from_statistics = True

    #: hyper-parameters a path can vary, with the largest useful value known
    _path_params = ("alpha",)

    # -- what subclasses define ----------------------------------------------
    def _datafit(self, data):
        return Quadratic(self.fit_intercept).initialize(data)

    def _penalty(self, n_features, **params):
        raise NotImplementedError

    def _param_max(self, datafit, name):
        """Smallest value of ``name`` for which ``W = 0`` is optimal."""
        raise NotImplementedError

    def _n_parts(self):
        return 1

    def _coef_intercept(self, datafit, W):
        """``(coef (n_tasks, n_features), intercept (n_tasks,))`` from W."""
        return np.ascontiguousarray(W.T), datafit.intercept(W)

    def _store(self, datafit, W):
        self.coef_, self.intercept_ = self._coef_intercept(datafit, W)

    # -- shared machinery -----------------------------------------------------
    def _params(self, overrides=None):
        params = {name: getattr(self, name) for name in self._path_params}
        params.update(overrides or {})
        return params

    def _make_solver(self):
        if self.solver == "cvxpy":
            return CvxpySolver(verbose=self.verbose, **(self.solver_params or {}))
        if self.solver == "fista":
            return FISTA(max_iter=self.max_iter, tol=self.tol, verbose=self.verbose)
        return WorkingSet(max_iter=self.max_iter, tol=self.tol, verbose=self.verbose)

    def _initial_point(self, shape, datafit=None):
        coef = getattr(self, "_coef_stacked", None)
        if self.warm_start and coef is not None and coef.shape == shape:
            return coef.copy()
        return self._cold_start(shape, datafit)

    def _cold_start(self, shape, datafit):
        """Starting point without a previous solution (zeros by default)."""
        return np.zeros(shape)

    def _solve(self, datafit, penalty, W0, solver=None):
        """Run the solver; returns ``(W, n_iter, stop_crit, dual_gap)``."""
        solver = solver if solver is not None else self._make_solver()
        W, n_iter, stop_crit = solver.solve(datafit, penalty, W0)
        gap = getattr(solver, "dual_gap_", None)
        if gap is None or not np.isfinite(gap):
            if hasattr(penalty, "dual_scale"):
                f, grad = datafit.value_and_gradient(W)
                gap = duality_gap(f, grad, W, penalty)
            else:
                gap = np.nan
        return W, n_iter, stop_crit, max(float(gap), 0.0)

    # -- the path protocol (see skmtl.linear._path) ---------------------------
    def _path_setup(self, data):
        datafit = self._datafit(data)
        data.check_x(self)  # deferred check of X, if the datafit did not do it
        return PathState(data, datafit, self._make_solver())

    def _path_start(self, state):
        shape = (self._n_parts() * state.data.n_features, state.data.n_tasks)
        return self._initial_point(shape, state.datafit)

    def _path_step(self, state, W):
        penalty = self._penalty(state.data.n_features, **self._params())
        return self._solve(state.datafit, penalty, W, state.solver)

    def _path_coef(self, state, W):
        return self._coef_intercept(state.datafit, W)

    def _fit_data(self, data):
        state = self._path_setup(data)
        W, self.n_iter_, self.stop_crit_, self.dual_gap_ = self._path_step(
            state, self._path_start(state)
        )
        self._coef_stacked = W
        self._store(state.datafit, W)
        return self
