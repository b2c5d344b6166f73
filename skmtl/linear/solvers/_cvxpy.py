"""The cvxpy route: exact reference solutions and user-defined penalties."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ...utils import import_optional

__all__ = ["CvxpySolver"]


class CvxpySolver:
    """Solve ``datafit(W) + penalty(W)`` with cvxpy.

    Needs ``datafit.cvxpy_objective(W)`` and ``penalty.cvxpy(W)``, or a
    callable ``penalty(W) -> cvxpy expression`` (a user's own convex penalty).
    A status other than optimal becomes a ConvergenceWarning naming it; a
    solver error is re-raised with a hint.

    Parameters
    ----------
    solver : str or None, default=None
        cvxpy solver name (default: cvxpy's choice, Clarabel for these
        problems).
    solver_params : dict or None, default=None
        Keyword arguments passed to ``problem.solve``.
    verbose : bool, default=False
        cvxpy's own progress output.
    """

    def __init__(self, solver=None, solver_params=None, verbose=False):
        self.solver = solver
        self.solver_params = solver_params
        self.verbose = verbose

    def solve(self, datafit, penalty, W0):
        """Minimise; returns ``(W, n_iter, stop_crit)`` (stop_crit: 0 if optimal)."""
        cp = import_optional("cvxpy", "all")
        W = cp.Variable(W0.shape)
        reg = penalty.cvxpy(W) if hasattr(penalty, "cvxpy") else penalty(W)
        problem = cp.Problem(cp.Minimize(datafit.cvxpy_objective(W) + reg))
        params = dict(self.solver_params or {})
        try:
            problem.solve(solver=self.solver, verbose=bool(self.verbose), **params)
        except cp.error.SolverError as exc:
            raise RuntimeError(
                f"cvxpy failed to solve the problem ({exc}). Try another "
                "solver= (e.g. 'CLARABEL' or 'SCS') or looser solver_params."
            ) from exc
        if problem.status not in ("optimal",):
            warnings.warn(
                f"cvxpy finished with status {problem.status!r}, not 'optimal'; "
                "the solution may be inaccurate.",
                ConvergenceWarning,
                stacklevel=3,
            )
        if W.value is None:
            raise RuntimeError(f"cvxpy returned no solution (status {problem.status}).")
        n_iter = problem.solver_stats.num_iters or 0
        return np.asarray(W.value), int(n_iter), 0.0
