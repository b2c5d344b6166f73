"""Row-sparse (L2,1), entry-sparse (L1) and squared Frobenius penalties."""

import numpy as np

from ._base import BasePenalty

__all__ = ["L1", "L21"]


def _row_norms(W):
    return np.sqrt(np.einsum("ij,ij->i", W, W))


class L21(BasePenalty):
    r"""Group lasso over the rows of W, with an optional ridge part.

    .. math::

        \Omega(W) = \alpha \Big(\rho \sum_j \|W_{j:}\|_2
                    + \frac{1 - \rho}{2} \|W\|_F^2\Big)

    with ``rho = l1_ratio``. A row of W holds one feature's weights in every
    task, so a zero row drops the feature from all tasks (joint feature
    selection).

    Parameters
    ----------
    alpha : float
        Overall strength.
    l1_ratio : float, default=1.0
        Share of the group-lasso part (1: pure group lasso).
    """

    def __init__(self, alpha, l1_ratio=1.0):
        self.alpha = alpha
        self.l1_ratio = l1_ratio

    def value(self, W):
        a, r = self.alpha, self.l1_ratio
        return a * (r * _row_norms(W).sum() + 0.5 * (1 - r) * np.sum(W**2))

    def prox(self, W, step):
        a, r = self.alpha, self.l1_ratio
        norms = _row_norms(W)
        shrink = np.maximum(1 - step * a * r / np.maximum(norms, 1e-300), 0.0)
        return W * (shrink / (1 + step * a * (1 - r)))[:, None]

    def subdiff_distance(self, W, grad):
        a, r = self.alpha, self.l1_ratio
        g = grad + a * (1 - r) * W
        norms = _row_norms(W)
        active = norms > 0
        dist = np.maximum(_row_norms(g) - a * r, 0.0)
        if np.any(active):
            unit = W[active] / norms[active, None]
            dist[active] = _row_norms(g[active] + a * r * unit)
        return dist

    def row_prox_kind(self):
        """Row prox spec for compiled solvers: ``("l21", a * rho, a * (1 - rho))``."""
        a, r = self.alpha, self.l1_ratio
        return "l21", a * r, a * (1 - r)

    def alpha_max(self, grad0):
        """Smallest alpha with W = 0 optimal (pure group-lasso part)."""
        return float(_row_norms(grad0).max() / max(self.l1_ratio, 1e-300))

    def dual_scale(self, V):
        """Largest ``s <= 1`` with ``s V`` in the domain of the conjugate."""
        a, r = self.alpha, self.l1_ratio
        if r < 1:
            return 1.0
        top = float(_row_norms(V).max(initial=0.0))
        return 1.0 if top <= a else a / top

    def conjugate(self, V):
        """Fenchel conjugate ``Omega^*(V)`` (``V`` assumed in its domain)."""
        a, r = self.alpha, self.l1_ratio
        if r == 1:
            return 0.0
        excess = np.maximum(_row_norms(V) - a * r, 0.0)
        return float(np.sum(excess**2) / (2 * a * (1 - r)))

    def cvxpy(self, W):
        import cvxpy as cp

        a, r = self.alpha, self.l1_ratio
        expr = a * r * cp.sum(cp.norm(W, 2, axis=1))
        if r < 1:
            expr = expr + 0.5 * a * (1 - r) * cp.sum_squares(W)
        return expr


class L1(BasePenalty):
    r"""Entry-wise lasso: :math:`\Omega(W) = \alpha \sum_{j,t} |W_{jt}|`.

    Parameters
    ----------
    alpha : float
        Strength.
    """

    def __init__(self, alpha):
        self.alpha = alpha

    def value(self, W):
        return self.alpha * np.abs(W).sum()

    def prox(self, W, step):
        return np.sign(W) * np.maximum(np.abs(W) - step * self.alpha, 0.0)

    def subdiff_distance(self, W, grad):
        a = self.alpha
        dist = np.where(
            W != 0, np.abs(grad + a * np.sign(W)), np.maximum(np.abs(grad) - a, 0)
        )
        return dist.max(axis=1)

    def row_prox_kind(self):
        """``('l1', alpha, 0)`` for compiled solvers."""
        return "l1", self.alpha, 0.0

    def alpha_max(self, grad0):
        """Smallest alpha with W = 0 optimal."""
        return float(np.abs(grad0).max())

    def dual_scale(self, V):
        """Largest ``s <= 1`` with ``s V`` in the domain of the conjugate."""
        top = float(np.abs(V).max(initial=0.0))
        return 1.0 if top <= self.alpha else self.alpha / top

    def conjugate(self, V):
        """Fenchel conjugate (the indicator of the dual ball): 0 on its domain."""
        return 0.0

    def cvxpy(self, W):
        import cvxpy as cp

        return self.alpha * cp.sum(cp.abs(W))
