"""Smooth penalties and their composition into the smooth part of the objective.

A smooth penalty has ``value``, ``gradient``, ``lipschitz`` (and a cvxpy form).
Rather than asking every solver to know about it, :class:`SmoothSum` adds it to
the datafit: ``SmoothSum(datafit, smooth)`` *is* a datafit (value, gradient,
Lipschitz constant, Hessian product when both parts are quadratic, cvxpy
objective), so FISTA and every other solver work on it unchanged, with
:class:`NoPenalty` (or any proximable penalty) as the non-smooth part.

The penalties act on the coefficient rows ``W[:n_features]``; datafits whose
variable carries extra unpenalised rows (the intercept row of the logistic
datafit) say so with their ``n_features`` attribute.
"""

import numpy as np

from ._base import BasePenalty

__all__ = [
    "ClusterNorm",
    "NoPenalty",
    "SmoothSum",
    "TaskQuadratic",
    "graph_laplacian",
    "mean_regularization",
]


def _row_norms(W):
    return np.sqrt(np.einsum("ij,ij->i", W, W))


class NoPenalty(BasePenalty):
    """The zero penalty: identity prox, optimality measure = gradient norms."""

    is_zero = True

    def value(self, W):
        return 0.0

    def prox(self, W, step):
        return W

    def subdiff_distance(self, W, grad):
        return _row_norms(grad)

    def cvxpy(self, W):
        import cvxpy as cp

        return cp.Constant(0.0)


class TaskQuadratic:
    r"""Quadratic coupling of the tasks: :math:`\frac12 \operatorname{tr}(W Q W^\top)`.

    ``W`` has shape (n_features, n_tasks) and ``Q`` (n_tasks, n_tasks) is
    symmetric positive semi-definite. Ridge, mean regularisation and graph
    Laplacian penalties are all of this form.

    Parameters
    ----------
    Q : ndarray of shape (n_tasks, n_tasks)
        Symmetric PSD coupling matrix.
    """

    is_quadratic = True

    def __init__(self, Q):
        Q = np.asarray(Q, dtype=float)
        self.Q = 0.5 * (Q + Q.T)
        self._lipschitz = None

    def value(self, W):
        return 0.5 * float(np.sum(W * (W @ self.Q)))

    def gradient(self, W):
        return W @ self.Q

    def value_and_gradient(self, W):
        G = W @ self.Q
        return 0.5 * float(np.sum(W * G)), G

    def hessian_apply(self, V):
        return V @ self.Q

    @property
    def lipschitz(self):
        if self._lipschitz is None:
            self._lipschitz = float(max(np.linalg.eigvalsh(self.Q).max(), 0.0))
        return self._lipschitz

    def cvxpy(self, W):
        import cvxpy as cp

        evals, evecs = np.linalg.eigh(self.Q)
        root = evecs * np.sqrt(np.clip(evals, 0, None))
        return 0.5 * cp.sum_squares(W @ root)


class _MeanRegularization(TaskQuadratic):
    """``Q = alpha I + beta (I - 1 1^T / T)`` applied without forming ``Q``.

    ``W Q = (alpha + beta) W - beta w_bar 1^T``: O(d T) time and no (T, T)
    matrix, which matters with thousands of tasks (10,000 tasks would need an
    800 MB ``Q``). ``Q`` itself is built only if asked for.
    """

    def __init__(self, n_tasks, alpha, beta):
        self.n_tasks, self.alpha, self.beta = n_tasks, alpha, beta
        self._lipschitz = None

    @property
    def Q(self):
        T = self.n_tasks
        eye = np.eye(T)
        return self.alpha * eye + self.beta * (eye - np.full((T, T), 1.0 / T))

    def hessian_apply(self, V):
        mean = V.mean(axis=1, keepdims=True)
        return (self.alpha + self.beta) * V - self.beta * mean

    def gradient(self, W):
        return self.hessian_apply(W)

    def value(self, W):
        return 0.5 * float(np.sum(W * self.hessian_apply(W)))

    def value_and_gradient(self, W):
        G = self.hessian_apply(W)
        return 0.5 * float(np.sum(W * G)), G

    @property
    def lipschitz(self):
        # eigenvalues: alpha (on 1) and alpha + beta (on its complement)
        return float(self.alpha + (self.beta if self.n_tasks > 1 else 0.0))

    def cvxpy(self, W):
        import cvxpy as cp

        T = self.n_tasks
        mean = cp.sum(W, axis=1) / T
        dev = W - cp.reshape(mean, (W.shape[0], 1), order="F") @ np.ones((1, T))
        return 0.5 * self.alpha * cp.sum_squares(W) + 0.5 * self.beta * cp.sum_squares(
            dev
        )


def mean_regularization(n_tasks, alpha, beta):
    r"""Penalty :math:`\frac{\alpha}{2}\|W\|_F^2 + \frac{\beta}{2}\sum_t \|w_t -
    \bar w\|^2` as a :class:`TaskQuadratic`.

    ``Q = alpha I + beta (I - 1 1^T / T)``, applied in O(d T) without forming
    ``Q``.
    """
    return _MeanRegularization(n_tasks, alpha, beta)


def graph_laplacian(adjacency):
    """Laplacian ``L = diag(A 1) - A`` of a symmetric non-negative adjacency."""
    A = np.asarray(adjacency, dtype=float)
    return np.diag(A.sum(axis=1)) - A


def _cluster_weights(s2, eta, k):
    """Eigenvalues ``m`` of the optimal M for squared singular values ``s2``.

    Solves ``min sum_i s2_i / (eta + m_i)`` over ``0 <= m_i <= 1``,
    ``sum m_i = k``: ``m_i = clip(s_i / sqrt(lam) - eta, 0, 1)`` with ``lam``
    found by bisection so that the sum is ``k``.
    """
    T = len(s2)
    s = np.sqrt(np.clip(s2, 0, None))
    if k >= T:
        return np.ones(T)
    pos = s > 1e-12 * max(s.max(initial=0.0), 1e-300)
    if pos.sum() <= k:
        m = np.zeros(T)
        m[pos] = 1.0
        rest = k - pos.sum()
        if (~pos).any():
            m[~pos] = rest / (~pos).sum()
        return m
    # g(u) = sum_i clip(s_i u - eta, 0, 1) is non-decreasing and piecewise
    # linear in u = 1/sqrt(lam), with breakpoints eta/s_i and (1+eta)/s_i:
    # evaluate it there and interpolate linearly where it crosses k.
    sp_ = s[pos]
    bps = np.sort(np.concatenate([eta / sp_, (1 + eta) / sp_]))
    g = np.clip(sp_[None, :] * bps[:, None] - eta, 0, 1).sum(axis=1)
    j = int(np.searchsorted(g, k))
    if j == 0:
        u = bps[0]
    elif j >= len(bps):
        u = bps[-1]
    else:
        lo, hi = bps[j - 1], bps[j]
        u = lo + (k - g[j - 1]) * (hi - lo) / max(g[j] - g[j - 1], 1e-300)
    return np.clip(s * u - eta, 0, 1)


class ClusterNorm:
    r"""Convex relaxation of clustered multi-task learning (a smooth penalty).

    .. math::

        \Omega(W) = \frac{\alpha\,\eta(1+\eta)}{2}
        \min_{M \in \mathcal M_k} \operatorname{tr}\big(W (\eta I + M)^{-1}
        W^\top\big), \qquad \eta = \beta / \alpha,

    over :math:`\mathcal M_k = \{M \in S^T: 0 \preceq M \preceq I,
    \operatorname{tr} M = k\}` (Zhou, Chen & Ye 2011; Jacob, Bach & Vert
    2008). When ``M`` is a normalised cluster-indicator projection this equals
    ``alpha/2 * sum_t ||w_t - mean of t's cluster||^2 + beta/2 * ||W||_F^2``.

    The inner minimisation has a closed form (``M`` shares the eigenvectors of
    ``W^T W``; its eigenvalues solve a 1-D problem), and ``Omega`` is convex and
    smooth with gradient ``alpha eta (1 + eta) W (eta I + M*)^{-1}``, Lipschitz
    with constant ``alpha + beta``, so it goes into the smooth part of the
    objective.

    Parameters
    ----------
    alpha : float
        Strength of the within-cluster term (> 0).
    beta : float
        Ridge strength (> 0).
    n_clusters : int
        Number of clusters ``k`` (``1 <= k <= n_tasks``).
    """

    def __init__(self, alpha, beta, n_clusters):
        self.alpha = alpha
        self.beta = beta
        self.n_clusters = n_clusters

    @property
    def eta(self):
        return self.beta / self.alpha

    def _spectrum(self, W):
        """Thin SVD of W and the eigenvalues ``m`` of the optimal M.

        ``M*`` shares the right singular vectors of W (the eigenvectors of
        ``W^T W``); directions in the null space of W do not enter the value
        or the gradient, so the thin SVD suffices (an SVD of the (d, T) matrix
        is also far faster and better conditioned than ``eigh(W^T W)``).
        """
        V, s, Ut = np.linalg.svd(W, full_matrices=False)
        T = W.shape[1]
        s2 = np.zeros(T)
        s2[: len(s)] = s**2
        m = _cluster_weights(s2, self.eta, self.n_clusters)
        return V, s, Ut, m

    def optimal_M(self, W):
        """The minimising ``M`` (n_tasks, n_tasks) for the current ``W``."""
        _, s, Ut = np.linalg.svd(W, full_matrices=True)
        T = W.shape[1]
        s2 = np.zeros(T)
        s2[: len(s)] = s**2
        m = _cluster_weights(s2, self.eta, self.n_clusters)
        return (Ut.T * m) @ Ut

    def value(self, W):
        return self.value_and_gradient(W)[0]

    def gradient(self, W):
        return self.value_and_gradient(W)[1]

    def value_and_gradient(self, W):
        V, s, Ut, m = self._spectrum(W)
        eta = self.eta
        c = self.alpha * eta * (1 + eta)
        inv = 1.0 / (eta + m[: len(s)])
        value = 0.5 * c * float(np.sum(s**2 * inv))
        return value, c * (V * (s * inv)) @ Ut

    @property
    def lipschitz(self):
        return float(self.alpha + self.beta)

    def cvxpy(self, W):
        """The jointly convex matrix fraction in ``(W, M)``, ``M`` constrained.

        ``M`` is an auxiliary variable of the returned expression; its
        constraints enter through an indicator (0 when they hold, +inf
        otherwise), so minimising the sum minimises over ``M`` too.
        """
        import cvxpy as cp
        from cvxpy.transforms.indicator import indicator

        T = W.shape[1]
        eta = self.eta
        M = cp.Variable((T, T), symmetric=True)
        c = 0.5 * self.alpha * eta * (1 + eta)
        constraints = [M >> 0, np.eye(T) - M >> 0, cp.trace(M) == self.n_clusters]
        return c * cp.matrix_frac(W.T, eta * np.eye(T) + M) + indicator(constraints)


class SmoothSum:
    """A datafit plus a smooth penalty, seen by solvers as one datafit.

    ``SmoothSum(datafit, smooth)`` evaluates ``datafit(W) + smooth(W[:d])``
    with ``d = datafit.n_features`` (rows beyond ``d``, such as an intercept
    row, are not penalised). It forwards everything the solvers use: value,
    gradient, ``lipschitz`` (the sum of both constants), ``hessian_apply``
    (when both parts are quadratic), ``intercept`` and ``cvxpy_objective``.

    Parameters
    ----------
    datafit : initialised datafit
        E.g. :class:`~skmtl.linear.datafits.Quadratic` after ``initialize``.
    smooth : smooth penalty
        An object with ``value_and_gradient(W)``, ``lipschitz`` and
        optionally ``hessian_apply`` and ``cvxpy``.
    """

    def __init__(self, datafit, smooth):
        self.datafit = datafit
        self.smooth = smooth
        self.n_features = datafit.n_features
        self.n_tasks = datafit.n_tasks
        from ..datafits import Quadratic

        quad = isinstance(datafit, Quadratic) or getattr(datafit, "is_quadratic", False)
        self.is_quadratic = bool(quad and getattr(smooth, "is_quadratic", False))

    def _split(self, W):
        return W[: self.n_features]

    def value(self, W):
        return self.datafit.value(W) + self.smooth.value(self._split(W))

    def gradient(self, W):
        return self.value_and_gradient(W)[1]

    def value_and_gradient(self, W):
        f, g = self.datafit.value_and_gradient(W)
        p, gp = self.smooth.value_and_gradient(self._split(W))
        g = g.copy()
        g[: self.n_features] += gp
        return f + p, g

    def hessian_apply(self, V):
        H = self.datafit.hessian_apply(V).copy()
        H[: self.n_features] += self.smooth.hessian_apply(self._split(V))
        return H

    @property
    def lipschitz(self):
        return float(self.datafit.lipschitz + self.smooth.lipschitz)

    def intercept(self, W):
        return self.datafit.intercept(W)

    def cvxpy_objective(self, W):
        return self.datafit.cvxpy_objective(W) + self.smooth.cvxpy(self._split(W))
