"""Nuclear (trace) norm: convex low-rank coupling of the tasks."""

import numpy as np

from ._base import BasePenalty

__all__ = ["TraceNorm", "UnpenalizedRows"]


def _svd(W):
    return np.linalg.svd(W, full_matrices=False)


class TraceNorm(BasePenalty):
    r"""Nuclear norm :math:`\Omega(W) = \alpha \|W\|_* = \alpha \sum_i \sigma_i(W)`.

    Its prox is singular-value soft-thresholding. The optimality measure is
    the Frobenius distance of ``-grad`` to the subdifferential
    ``alpha (U V^T + {Z : U^T Z = 0, Z V = 0, ||Z||_2 <= 1})`` at ``W = U S V^T``.

    Parameters
    ----------
    alpha : float
        Strength.
    """

    def __init__(self, alpha):
        self.alpha = alpha

    def value(self, W):
        return self.alpha * float(np.linalg.svd(W, compute_uv=False).sum())

    def prox(self, W, step):
        U, s, Vt = _svd(W)
        s = np.maximum(s - step * self.alpha, 0.0)
        keep = s > 0
        return (U[:, keep] * s[keep]) @ Vt[keep]

    @staticmethod
    def rank(W, rtol=1e-9):
        """Numerical rank: singular values above ``rtol`` times the largest."""
        s = np.linalg.svd(W, compute_uv=False)
        if s.size == 0 or s[0] == 0:
            return 0
        return int(np.sum(s > rtol * s[0]))

    def subdiff_distance(self, W, grad):
        a = self.alpha
        D = -grad
        U, s, Vt = _svd(W)
        r = int(np.sum(s > 1e-9 * s[0])) if s.size and s[0] > 0 else 0
        if r == 0:
            sd = np.linalg.svd(D, compute_uv=False)
            return np.array([np.sqrt(np.sum(np.maximum(sd - a, 0) ** 2))])
        Ur, Vr = U[:, :r], Vt[:r].T
        # part of D orthogonal to both the column and the row space of W
        DV = D - (D @ Vr) @ Vr.T
        D_perp = DV - Ur @ (Ur.T @ DV)
        D_tan = D - D_perp
        d_tan = np.sum((D_tan - a * Ur @ Vr.T) ** 2)
        sp_ = np.linalg.svd(D_perp, compute_uv=False)
        d_perp = np.sum(np.maximum(sp_ - a, 0) ** 2)
        return np.array([np.sqrt(d_tan + d_perp)])

    def alpha_max(self, grad0):
        """Smallest alpha with W = 0 optimal: the spectral norm of grad0."""
        return float(np.linalg.norm(grad0, 2))

    def cvxpy(self, W):
        import cvxpy as cp

        return self.alpha * cp.normNuc(W)


class UnpenalizedRows(BasePenalty):
    """Apply ``penalty`` to ``W[:n_features]`` and leave the other rows free.

    Used for datafits whose variable carries unpenalised rows after the
    coefficients (the intercept row of the logistic datafit): the prox is the
    identity there and the optimality measure is the gradient's norm.

    Parameters
    ----------
    penalty : penalty
        Penalty on the coefficient rows.
    n_features : int
        Number of penalised rows.
    """

    def __init__(self, penalty, n_features):
        self.penalty = penalty
        self.n_features = n_features

    def value(self, W):
        return self.penalty.value(W[: self.n_features])

    def prox(self, W, step):
        out = W.copy()
        out[: self.n_features] = self.penalty.prox(W[: self.n_features], step)
        return out

    def subdiff_distance(self, W, grad):
        d = self.n_features
        head = np.atleast_1d(self.penalty.subdiff_distance(W[:d], grad[:d]))
        tail = np.sqrt(np.sum(grad[d:] ** 2, axis=1))
        return np.concatenate([head, tail])

    def alpha_max(self, grad0):
        return self.penalty.alpha_max(grad0[: self.n_features])

    def cvxpy(self, W):
        return self.penalty.cvxpy(W[: self.n_features])
