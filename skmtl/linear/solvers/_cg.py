"""Conjugate gradient for smooth quadratic objectives (ridge-like MTL models)."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

__all__ = ["ConjugateGradient", "task_preconditioner"]


def _row_max(G):
    return float(np.sqrt(np.max(np.sum(G**2, axis=1), initial=0.0)))


def task_preconditioner(datafit, shape):
    """Inverse of the Hessian's task coupling, ``R -> R (C + Q)^{-1}``, or None.

    For ``datafit = Quadratic + TaskQuadratic(Q)`` (a :class:`SmoothSum`) the
    Hessian is ``blockdiag_t(H_t) + Q (x) I``. A strong coupling (large
    ``alpha`` on a task graph or a mean penalty) against a small ridge makes
    it as ill-conditioned as ``alpha / ridge``; replacing each ``H_t`` by its
    mean eigenvalue ``c_t = tr(H_t) / d`` gives ``(C + Q) (x) I``, inverted
    exactly by one ``T x T`` matrix. The features' own spectrum is left to
    CG (a per-feature rescaling spreads the few large eigenvalues of a
    correlated design that CG otherwise resolves in few steps). None when
    the datafit has no ``hessian_diagonal`` or the smooth part does not act
    as ``V -> V Q`` on every feature.
    """
    base = getattr(datafit, "datafit", datafit)
    smooth = getattr(datafit, "smooth", None)
    if smooth is None or not hasattr(base, "hessian_diagonal"):
        return None
    if base.n_features != shape[0]:
        return None
    d, T = shape
    try:
        Q = np.asarray(smooth.hessian_apply(np.eye(T)), dtype=float)
        V = np.random.default_rng(0).standard_normal((d, T))
        same = Q.shape == (T, T) and np.allclose(
            smooth.hessian_apply(V), V @ Q, rtol=1e-8, atol=0
        )
    except (ValueError, TypeError, AttributeError, NotImplementedError):
        return None
    if not same or not np.any(Q):
        return None
    c = base.hessian_diagonal().mean(axis=0)
    P = Q + np.diag(np.maximum(c, 1e-12 * max(float(c.max()), 1e-300)))
    inv = np.linalg.inv(0.5 * (P + P.T))
    return lambda R: R @ inv


class ConjugateGradient:
    """Conjugate gradient on ``datafit(W)`` when it is a convex quadratic.

    For quadratic smooth objectives (least squares plus a quadratic task
    coupling, composed with :class:`~skmtl.linear.penalties.SmoothSum`) the
    minimiser solves the linear system ``H W = -grad(0)``; CG reaches it in
    far fewer passes over the data than a gradient method, and never forms
    ``H``. Preconditioned by the inverse of the task coupling when the
    smooth part couples the tasks (see :func:`task_preconditioner`). Needs
    the datafit's ``gradient`` and ``hessian_apply`` and a zero non-smooth
    penalty. Stops when the largest row norm of the gradient falls below
    ``tol`` times its value at zero (the measure FISTA uses).

    Parameters
    ----------
    max_iter : int, default=1000
        Maximum number of CG iterations.
    tol : float, default=1e-6
        Relative tolerance on the gradient.
    verbose : int, default=0
        Print progress if > 0.
    """

    datafit_methods = ("gradient", "hessian_apply")

    def __init__(self, max_iter=1000, tol=1e-6, verbose=0):
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose

    def solve(self, datafit, penalty, W0):
        """Minimise; returns ``(W, n_iter, stop_crit)``."""
        if not getattr(penalty, "is_zero", False):
            raise ValueError(
                "ConjugateGradient solves smooth quadratic problems only; the "
                f"penalty {type(penalty).__name__} is not zero. Use FISTA."
            )
        if not getattr(datafit, "is_quadratic", True):
            raise ValueError(
                "ConjugateGradient needs a quadratic datafit; use FISTA instead."
            )
        grad0 = datafit.gradient(np.zeros_like(W0))
        scale = max(_row_max(grad0), 1e-12)
        W = W0.copy()
        r = -datafit.gradient(W)
        stop_crit = _row_max(r) / scale
        n_iter = 0
        if stop_crit <= self.tol:
            return W, n_iter, stop_crit
        precondition = task_preconditioner(datafit, W.shape) or (lambda R: R)
        z = precondition(r)
        p = z.copy()
        rr = float(np.sum(r * z))
        flat = False  # a search direction without curvature: CG cannot go on
        for n_iter in range(1, self.max_iter + 1):
            Hp = datafit.hessian_apply(p)
            pHp = float(np.sum(p * Hp))
            if pHp <= 0:
                flat = True
                break
            step = rr / pHp
            W += step * p
            if n_iter % 50 == 0:  # refresh the residual against drift
                r = -datafit.gradient(W)
            else:
                r -= step * Hp
            stop_crit = _row_max(r) / scale
            if self.verbose and n_iter % max(1, self.max_iter // 10) == 0:
                print(
                    f"[CG] iter {n_iter}: optimality {stop_crit:.2e} "
                    f"(tol {self.tol:.1e})"
                )
            if stop_crit <= self.tol:
                r = -datafit.gradient(W)
                stop_crit = _row_max(r) / scale
                if stop_crit <= self.tol:
                    break
            z = precondition(r)
            rr_new = float(np.sum(r * z))
            p = z + (rr_new / rr) * p
            rr = rr_new
        if stop_crit > self.tol:
            if flat:
                cause = (
                    f"stopped at iteration {n_iter} on a direction of zero "
                    "curvature (the problem is not strictly convex: no ridge "
                    "part with fewer samples than features?)"
                )
            else:
                cause = f"did not converge in {self.max_iter} iterations"
            warnings.warn(
                f"ConjugateGradient {cause}: relative gradient norm "
                f"{stop_crit:.3e} > tol {self.tol:.1e}. Increase max_iter or "
                "tol, or add a ridge part.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return W, n_iter, stop_crit
