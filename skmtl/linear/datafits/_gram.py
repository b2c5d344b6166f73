"""Least squares through per-task Gram matrices, for n_samples >> n_features."""

import numpy as np
import scipy.sparse as sp

__all__ = ["GramQuadratic", "use_gram"]


def use_gram(data, max_bytes=2e8):
    """Whether per-task Gram matrices are cheaper than passes over ``X``.

    True when the ``n_tasks`` (n_features, n_features) Gram matrices hold
    fewer numbers than the data touched by one gradient (``T d^2 <= nnz``)
    and fit in ``max_bytes``.
    """
    d, T = data.n_features, data.n_tasks
    nnz = data.X.nnz if sp.issparse(data.X) else data.X.size
    if data.shared_design and data.sample_weight is None:
        T = 1
    return T * d * d <= nnz and 8 * T * d * d <= max_bytes


class GramQuadratic:
    r"""The :class:`Quadratic` datafit evaluated from per-task Gram matrices.

    With ``H_t = X~_t^T A_t X~_t`` (task ``t``'s centred, weighted Gram
    matrix, ``A_t = diag(s_i / n_t)``), ``b_t = X~_t^T A_t y~_t`` and
    ``c_t = 1/2 y~_t^T A_t y~_t``, the objective of :class:`Quadratic` is
    ``sum_t 1/2 w_t^T H_t w_t - b_t^T w_t + c_t``: each evaluation costs
    ``T d^2`` instead of a pass over the data. Built from an initialised
    :class:`Quadratic`, whose intercepts and cvxpy form it reuses.

    Parameters
    ----------
    quadratic : Quadratic
        An initialised least-squares datafit.
    """

    def __init__(self, quadratic):
        self.quadratic = q = quadratic
        data = q.data
        self.n_features, self.n_tasks = q.n_features, q.n_tasks
        d, T = self.n_features, self.n_tasks
        self.shared = data.shared_design and data.sample_weight is None
        B = np.empty((d, T))
        consts = np.empty(T)
        H = np.empty((1 if self.shared else T, d, d))
        for t, idx, y_t, s_t in data.iter_tasks():
            a = s_t / s_t.sum()
            yc = y_t - q.y_offset[t]
            m = q.X_offset[t]
            X_t = data.X if self.shared else data.X[idx]
            if sp.issparse(X_t):
                Xa = X_t.multiply(a[:, None]).tocsr()
                Xy = np.asarray(Xa.T @ yc).ravel()
                if not self.shared or t == 0:
                    G = np.asarray((X_t.T @ Xa).todense())
            else:
                Xa = X_t * a[:, None]
                Xy = Xa.T @ yc
                if not self.shared or t == 0:
                    G = X_t.T @ Xa
            if not self.shared or t == 0:
                H[t if not self.shared else 0] = G - np.outer(m, m)
            B[:, t] = Xy  # sum_i a_i (x_i - m) yc_i = sum_i a_i x_i yc_i
            consts[t] = 0.5 * np.dot(a, yc**2)
        self.H, self.B, self.const = H, B, float(consts.sum())
        self._lipschitz = None

    def hessian_apply(self, V):
        """``(H_t v_t)_t``, shape (n_features, n_tasks)."""
        if self.shared:
            return self.H[0] @ V
        return np.matmul(self.H, V.T[:, :, None])[:, :, 0].T

    def value_and_gradient(self, W):
        """Value and gradient from the Gram matrices."""
        HW = self.hessian_apply(W)
        value = 0.5 * float(np.sum(W * HW)) - float(np.sum(self.B * W)) + self.const
        return value, HW - self.B

    def value(self, W):
        return self.value_and_gradient(W)[0]

    def gradient(self, W):
        return self.hessian_apply(W) - self.B

    @property
    def lipschitz_tasks(self):
        """Largest eigenvalue of each task's Gram matrix."""
        if self._lipschitz is None:
            lam = np.linalg.eigvalsh(self.H)[:, -1]
            if self.shared:
                lam = np.full(self.n_tasks, lam[0])
            self._lipschitz = np.maximum(lam, 0.0)
        return self._lipschitz

    @property
    def lipschitz(self):
        return float(max(self.lipschitz_tasks.max(), 1e-12))

    def intercept(self, W):
        return self.quadratic.intercept(W)

    def cvxpy_objective(self, W):
        return self.quadratic.cvxpy_objective(W)
