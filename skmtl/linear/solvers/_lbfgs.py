"""Limited-memory BFGS for smooth problems (scipy's L-BFGS-B)."""

import warnings

import numpy as np
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

from ._cg import _row_max
from ._fista import FISTA

__all__ = ["LBFGS"]


class LBFGS:
    """Quasi-Newton minimisation of a smooth ``datafit(W)`` (zero penalty).

    scipy's L-BFGS-B with the stopping rule of :class:`FISTA` (the largest
    row norm of the gradient at most ``tol`` times its value at zero), checked
    after every iteration. On smooth, strongly convex but badly conditioned
    problems (the clustered penalty with a small ridge on correlated
    features) it needs far fewer gradient evaluations than accelerated
    gradient, whose iteration count grows with the square root of the
    condition number. When the line search runs out of precision short of a
    tight ``tol`` (function values equal up to rounding), :class:`FISTA`
    finishes from the last point within the remaining ``max_iter``.

    Parameters
    ----------
    max_iter : int, default=1000
        Maximum number of iterations in all (L-BFGS iterations, each one
        gradient evaluation or a few in the line search, evaluations capped at
        ``2 * max_iter + 20``; then FISTA steps if any).
    tol : float, default=1e-6
        Relative tolerance on the gradient.
    memory : int, default=50
        Number of correction pairs kept.
    verbose : int, default=0
        Print the result if > 0.
    """

    datafit_methods = ("value_and_gradient",)

    def __init__(self, max_iter=1000, tol=1e-6, memory=50, verbose=0):
        self.max_iter = max_iter
        self.tol = tol
        self.memory = memory
        self.verbose = verbose

    def solve(self, datafit, penalty, W0):
        """Minimise; returns ``(W, n_iter, stop_crit)``."""
        if not getattr(penalty, "is_zero", False):
            raise ValueError(
                "LBFGS solves smooth problems only; the penalty "
                f"{type(penalty).__name__} is not zero. Use FISTA."
            )
        shape = W0.shape
        _, grad0 = datafit.value_and_gradient(np.zeros(shape))
        scale = max(_row_max(grad0), 1e-12)
        last = {}

        def fun(w):
            value, grad = datafit.value_and_gradient(w.reshape(shape))
            last["x"], last["grad"] = w.copy(), grad
            return value, grad.ravel()

        def crit_at(w):
            if "x" in last and np.array_equal(w, last["x"]):
                grad = last["grad"]
            else:
                grad = fun(w)[1].reshape(shape)
            return _row_max(grad) / scale

        state = {"crit": crit_at(W0.ravel()), "nit": 0}
        if state["crit"] <= self.tol:  # one check, counted as FISTA counts it
            return W0.copy(), 1, state["crit"]

        def callback(intermediate_result):
            state["nit"] += 1
            state["crit"] = crit_at(intermediate_result.x)
            state["x"] = intermediate_result.x.copy()
            if state["crit"] <= self.tol:
                raise StopIteration

        res = minimize(
            fun,
            W0.ravel().astype(float),
            jac=True,
            method="L-BFGS-B",
            callback=callback,
            options={
                "maxiter": self.max_iter,
                "maxfun": 2 * self.max_iter + 20,
                "maxcor": self.memory,
                "gtol": 0.0,
                "ftol": 0.0,
            },
        )
        x = state.get("x", res.x)
        crit = crit_at(x)
        n_iter = max(state["nit"], 1)
        left = self.max_iter - n_iter
        if crit > self.tol and left > 0 and hasattr(datafit, "lipschitz"):
            # the line search ran out of precision (function values equal to
            # rounding near the optimum): accelerated gradient, which needs no
            # decrease test, finishes from here within the remaining budget
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                W, more, crit = FISTA(max_iter=left, tol=self.tol).solve(
                    datafit, penalty, x.reshape(shape)
                )
            x, n_iter = W.ravel(), n_iter + more
        if self.verbose:
            print(f"[LBFGS] {n_iter} iterations, optimality {crit:.2e}: {res.message}")
        if crit > self.tol:
            warnings.warn(
                f"LBFGS did not converge in {n_iter} iterations (max_iter="
                f"{self.max_iter}): relative optimality violation {crit:.3e} > "
                f"tol {self.tol:.1e} ({res.message}). Increase max_iter or tol.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return x.reshape(shape), n_iter, crit
