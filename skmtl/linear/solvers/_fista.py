"""Accelerated proximal gradient (FISTA) with adaptive restart."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

__all__ = ["FISTA", "optimality_violation"]


def optimality_violation(penalty, W, grad, step):
    """Largest violation of the optimality conditions at W.

    Uses the penalty's ``subdiff_distance`` when it has one, else the norm of
    the proximal-gradient mapping ``(W - prox(W - step grad, step)) / step``,
    which is zero exactly at a solution.

    Parameters
    ----------
    penalty : BasePenalty
        The penalty.
    W : ndarray of shape (n_features, n_tasks)
        Current iterate.
    grad : ndarray of shape (n_features, n_tasks)
        Datafit gradient at ``W``.
    step : float
        Step size for the proximal-gradient mapping.

    Returns
    -------
    violation : float
        Largest violation over coordinate groups (rows of W).
    """
    try:
        return float(np.max(penalty.subdiff_distance(W, grad), initial=0.0))
    except (NotImplementedError, AttributeError):
        pass
    G = (W - penalty.prox(W - step * grad, step)) / step
    return float(np.sqrt(np.max(np.sum(G**2, axis=1), initial=0.0)))


class FISTA:
    """Accelerated proximal gradient for ``datafit(W) + penalty(W)``.

    Needs the datafit's ``value_and_gradient`` and ``lipschitz`` and the
    penalty's ``value`` and ``prox``. Restarts the momentum whenever the
    objective goes up (O'Donoghue & Candes, 2015). A datafit that declares
    ``is_quadratic`` costs one gradient evaluation per iteration (its gradient
    is affine, so the one at the extrapolated point is combined from the last
    two), others two. Stops when the optimality
    violation (see :func:`optimality_violation`) falls below
    ``tol * scale``, where ``scale`` is the largest row norm of the gradient
    at zero, the natural unit of the problem.

    Parameters
    ----------
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=1e-6
        Relative tolerance on the optimality violation.
    verbose : int, default=0
        Print progress every ``max(1, max_iter // 10)`` iterations if > 0.
    """

    datafit_methods = ("value_and_gradient", "lipschitz")
    penalty_methods = ("value", "prox")

    def __init__(self, max_iter=1000, tol=1e-6, verbose=0):
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose

    def solve(self, datafit, penalty, W0):
        """Minimise; returns ``(W, n_iter, stop_crit)``."""
        step = 1.0 / datafit.lipschitz
        _, grad0 = datafit.value_and_gradient(np.zeros_like(W0))
        scale = max(float(np.sqrt(np.max(np.sum(grad0**2, axis=1)))), 1e-12)
        W = W0.copy()
        # a starting point that is already optimal (W = 0 at alpha >= alpha_max,
        # a warm start at the solution) is returned as it is, exactly
        grad_start = grad0 if not W.any() else datafit.value_and_gradient(W)[1]
        stop_crit = optimality_violation(penalty, W, grad_start, step) / scale
        if stop_crit <= self.tol:
            return W, 1, stop_crit
        # a quadratic datafit has an affine gradient: the gradient at the
        # extrapolated point Z = W + c (W - W_prev) is the same combination of
        # the gradients at W and W_prev, so one evaluation per iteration
        affine = bool(getattr(datafit, "is_quadratic", False))
        Z, t_k = W.copy(), 1.0
        grad_w, grad_z = grad_start, grad_start  # at W and at Z (= W0)
        obj_prev = np.inf
        every = max(1, self.max_iter // 10)
        n_iter = 0
        for n_iter in range(1, self.max_iter + 1):
            if n_iter > 1 and not affine:
                _, grad_z = datafit.value_and_gradient(Z)
            W_new = penalty.prox(Z - step * grad_z, step)
            f_new, grad_new = datafit.value_and_gradient(W_new)
            obj = f_new + penalty.value(W_new)
            if obj > obj_prev:  # restart: drop the momentum, take a plain step
                W_new = penalty.prox(W - step * grad_w, step)
                f_new, grad_new = datafit.value_and_gradient(W_new)
                obj = f_new + penalty.value(W_new)
                t_k = 1.0
            t_next = (1 + np.sqrt(1 + 4 * t_k**2)) / 2
            c = (t_k - 1) / t_next
            Z = W_new + c * (W_new - W)
            if affine:
                grad_z = grad_new + c * (grad_new - grad_w)
            W, t_k, obj_prev, grad_w = W_new, t_next, obj, grad_new
            stop_crit = optimality_violation(penalty, W, grad_new, step) / scale
            if self.verbose and n_iter % every == 0:
                print(
                    f"[FISTA] iter {n_iter}: objective {obj:.6e}, "
                    f"optimality {stop_crit:.2e} (tol {self.tol:.1e})"
                )
            if stop_crit <= self.tol:
                break
        else:
            warnings.warn(
                f"FISTA did not converge in {self.max_iter} iterations: relative "
                f"optimality violation {stop_crit:.3e} > tol {self.tol:.1e}. "
                "Increase max_iter or tol.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return W, n_iter, stop_crit
