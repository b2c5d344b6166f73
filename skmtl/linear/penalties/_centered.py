"""A penalty on the tasks' deviations from their mean, plus a ridge on the mean."""

import numpy as np

from ._base import BasePenalty

__all__ = ["CenteredPenalty", "CenteredSmooth", "pooled_solution"]


class CenteredPenalty(BasePenalty):
    r"""Apply a penalty to the deviations from the task mean; ridge on the mean.

    .. math::

        \Omega_c(W) = \Omega(W - \bar w \mathbf 1^\top)
        + \frac{\gamma T}{2} \|\bar w\|_2^2, \qquad
        \bar w = \frac{1}{T} W \mathbf 1,

    for ``W`` of shape (n_features, n_tasks). The tasks share the model
    ``w_bar`` (shrunk by ``gamma``, as a pooled ridge whose loss is summed over
    the tasks) and ``Omega`` shapes only how they differ from it: low-rank
    deviations for the trace norm, deviations on few features for the L2,1
    norm. As ``Omega``'s strength grows the model tends to the pooled ridge
    with per-task intercepts, which the plain penalty on ``W`` cannot
    represent.

    The centred matrices ``{V : V 1 = 0}`` and the mean part are orthogonal,
    so the prox splits: ``prox_Omega`` on ``Z - zbar 1^T`` and a ridge
    shrinkage ``zbar / (1 + step gamma)`` of the mean. This is exact when
    ``prox_Omega`` maps centred matrices to centred matrices, which holds for
    penalties acting on rows by scaling (``L21``) and for spectral ones
    (``TraceNorm``); the constructor refuses other penalties.

    Parameters
    ----------
    penalty : BasePenalty or None
        The penalty on the deviations (``L21`` or ``TraceNorm``); ``None``
        forces them to zero (the pooled-ridge limit).
    gamma : float, default=0.0
        Ridge strength on the shared mean ``w_bar`` (>= 0).
    """

    _SUPPORTED = ("L21", "TraceNorm")

    def __init__(self, penalty, gamma=0.0):
        name = type(penalty).__name__
        if penalty is not None and name not in self._SUPPORTED:
            raise TypeError(
                f"CenteredPenalty needs a penalty whose prox keeps centred "
                f"matrices centred ({', '.join(self._SUPPORTED)}); got {name}."
            )
        self.penalty = penalty
        self.gamma = gamma

    @staticmethod
    def split(W):
        """``(W - w_bar 1^T, w_bar)``: the deviations and the task mean."""
        mean = W.mean(axis=1)
        return W - mean[:, None], mean

    def value(self, W):
        V, mean = self.split(W)
        T = W.shape[1]
        ridge = 0.5 * self.gamma * T * float(mean @ mean)
        return ridge if self.penalty is None else self.penalty.value(V) + ridge

    def prox(self, W, step):
        V, mean = self.split(W)
        mean = mean / (1.0 + step * self.gamma)
        if self.penalty is None:
            return np.repeat(mean[:, None], W.shape[1], axis=1)
        V = self.penalty.prox(V, step)
        V -= V.mean(axis=1, keepdims=True)  # rounding only
        return V + mean[:, None]

    def subdiff_distance(self, W, grad):
        """Per-row distance to the subdifferential, then the mean's violation.

        ``-grad P`` (P the centring projector) must lie in the subdifferential
        of ``Omega`` at the centred ``W`` and ``grad 1 + gamma T w_bar`` must
        vanish; both parts are returned (the solver takes the max).
        """
        V, mean = self.split(W)
        # rows that are zero up to the rounding of the split count as zero
        norms = np.sqrt(np.einsum("ij,ij->i", V, V))
        scale = float(np.abs(W).max(initial=0.0))
        V[norms <= 1e-12 * max(scale, 1e-300) * np.sqrt(W.shape[1])] = 0.0
        T = W.shape[1]
        mean_part = np.abs(grad.sum(axis=1) + self.gamma * T * mean) / np.sqrt(T)
        if self.penalty is None:
            return mean_part
        G_dev = grad - grad.mean(axis=1, keepdims=True)
        inner = np.atleast_1d(self.penalty.subdiff_distance(V, G_dev))
        return np.concatenate([inner, mean_part])

    def cvxpy(self, W):
        import cvxpy as cp

        T = W.shape[1]
        mean = cp.sum(W, axis=1) / T
        ridge = 0.5 * self.gamma * T * cp.sum_squares(mean)
        if self.penalty is None:  # deviations forced to zero
            return ridge
        V = W - cp.reshape(mean, (W.shape[0], 1), order="F") @ np.ones((1, T))
        return self.penalty.cvxpy(V) + ridge


def pooled_solution(datafit, gamma, tol=1e-12, max_iter=None):
    r"""The pooled ridge: ``W = w_bar 1^T`` minimising the datafit plus the ridge.

    Solves ``min_m f(m 1^T) + gamma T / 2 ||m||^2`` for a quadratic datafit
    (the limit of the centred penalties when the deviations are driven to
    zero) by conjugate gradient on the normal equations
    ``(sum_t H_t + gamma T I) m = sum_t b_t``, one Hessian product per step.
    The centred estimators start from it: for large penalties it is the
    solution, and for smaller ones it removes the ill-conditioned shared
    direction that proximal gradient steps, sized for the stiffest task,
    would take thousands of iterations to resolve.

    Parameters
    ----------
    datafit : datafit
        Has ``gradient(W)`` and ``hessian_apply(V)`` (the quadratic datafits).
    gamma : float
        Ridge strength on the mean.
    tol : float, default=1e-12
        Relative residual of the normal equations at which CG stops.
    max_iter : int, default=None
        CG steps; ``None`` means ``2 * n_features``.

    Returns
    -------
    W : ndarray of shape (n_features, n_tasks)
        ``m 1^T`` with ``m`` the pooled solution.
    """
    d, T = datafit.n_features, datafit.n_tasks
    cache = datafit.__dict__.setdefault("_pooled_solutions", {})
    if (gamma, tol) in cache:  # a path asks for alpha_max, then starts here
        return cache[gamma, tol].copy()

    def apply(m):
        H = datafit.hessian_apply(np.repeat(m[:, None], T, axis=1))
        return H.sum(axis=1) + gamma * T * m

    b = -datafit.gradient(np.zeros((d, T))).sum(axis=1)
    m = np.zeros(d)
    r = b.copy()
    p = r.copy()
    rr = float(r @ r)
    stop = (tol * np.linalg.norm(b)) ** 2
    for _ in range(max_iter or 2 * d):
        if rr <= stop:
            break
        Ap = apply(p)
        pAp = float(p @ Ap)
        if pAp <= 0:  # flat direction (no curvature, no ridge): done
            break
        step = rr / pAp
        m += step * p
        r -= step * Ap
        rr_new = float(r @ r)
        p = r + (rr_new / rr) * p
        rr = rr_new
    cache[gamma, tol] = np.repeat(m[:, None], T, axis=1)
    return cache[gamma, tol].copy()


class CenteredSmooth:
    r"""A smooth penalty on the deviations from the task mean; ridge on the mean.

    ``value(W) = smooth(W - w_bar 1^T) + gamma T / 2 ||w_bar||^2``, the smooth
    counterpart of :class:`CenteredPenalty` (for example the cluster norm on
    the deviations: tasks = a shared model + clustered corrections, Jacob,
    Bach & Vert's convex clustered MTL with its mean term). Its gradient is
    ``grad smooth(W P) P + gamma w_bar 1^T`` with ``P`` the centring projector,
    and its Lipschitz constant the larger of the two parts' (they act on
    orthogonal subspaces).

    Parameters
    ----------
    smooth : smooth penalty
        Has ``value_and_gradient``, ``lipschitz`` and ``cvxpy``.
    gamma : float, default=0.0
        Ridge strength on the shared mean.
    """

    def __init__(self, smooth, gamma=0.0):
        self.smooth = smooth
        self.gamma = gamma

    def value_and_gradient(self, W):
        V, mean = CenteredPenalty.split(W)
        value, grad = self.smooth.value_and_gradient(V)
        grad = grad - grad.mean(axis=1, keepdims=True)
        T = W.shape[1]
        value += 0.5 * self.gamma * T * float(mean @ mean)
        return value, grad + self.gamma * mean[:, None]

    def value(self, W):
        return self.value_and_gradient(W)[0]

    def gradient(self, W):
        return self.value_and_gradient(W)[1]

    @property
    def lipschitz(self):
        return float(max(self.smooth.lipschitz, self.gamma))

    def cvxpy(self, W):
        import cvxpy as cp

        T = W.shape[1]
        mean = cp.sum(W, axis=1) / T
        V = W - cp.reshape(mean, (W.shape[0], 1), order="F") @ np.ones((1, T))
        return self.smooth.cvxpy(V) + 0.5 * self.gamma * T * cp.sum_squares(mean)
