"""The data of the shared-representation estimators: the design and the rank.

The multi-task least-squares loss

.. math::

    L(B, W) = \\sum_t \\frac{1}{2 n_t} \\sum_{i \\in t} s_i (x_i^\\top B w_t - y_i)^2

is evaluated on a :class:`_Design`: the centred, weighted rows of every task,
each row scaled by ``sqrt(s_i / n_t)`` so that the loss is a plain half sum of
squares. Two storage modes:

* ``shared``: every task uses the same rows (wide data without missing
  labels); ``X`` (m, d) and a dense target matrix ``Y`` (m, n_tasks).
* ``stacked``: the rows of each task are stacked task after task (long data,
  or wide data with missing labels); ``X`` (m, d), ``y`` (m,), the task of
  every row in ``codes`` and the first row of every task in ``starts``. No
  (n_samples, n_tasks) matrix is ever formed.

A task (or the shared design) with many more rows than features is compressed
by a QR factorisation, which keeps the loss up to a constant (stored in
``const``) and makes every iteration cost O(min(n_t, d) d k) per task.
"""

import numpy as np
import scipy.linalg

__all__ = [
    "balanced_factors",
    "build_design",
    "choose_rank",
    "initial_basis",
    "top_singular_value",
]


class _Design:
    """Centred, weighted, possibly compressed multi-task least-squares data."""

    def __init__(
        self,
        X,
        y,
        *,
        shared,
        codes=None,
        starts=None,
        const=0.0,
        y_sq=None,
        moments=None,
    ):
        self.X = X
        self.y = y
        self.shared = shared
        self.codes = codes
        self.starts = starts
        self.const = const
        self.y_sq = y_sq  # per-task weighted sum of squared centred targets
        self.moments = moments  # method-of-moments matrix, when asked for

    @property
    def n_features(self):
        return self.X.shape[1]

    @property
    def n_tasks(self):
        return self.y.shape[1] if self.shared else len(self.starts)

    # -- per-task reductions -------------------------------------------------
    def task_sum(self, M):
        """Sum the rows of ``M`` (m, ...) within each task: (n_tasks, ...)."""
        return np.add.reduceat(M, self.starts, axis=0)

    def cross(self):
        """R of shape (n_features, n_tasks): column t is sum_i c_i x_i y_i."""
        if self.shared:
            return self.X.T @ self.y
        return self.task_sum(self.X * self.y[:, None]).T

    def gram_mean(self):
        """Mean over tasks of the weighted covariances S_t (n_features, d)."""
        G = self.X.T @ self.X
        return G if self.shared else G / self.n_tasks

    def dead_features(self):
        """Mask of the features with no variance in any task.

        Their gradient is always zero, so a random start must leave their
        rows of B at zero (or they would keep arbitrary weights).
        """
        diag = np.einsum("ij,ij->j", self.X, self.X)
        return diag <= 1e-12 * max(float(diag.max(initial=0.0)), 1e-300)

    # -- loss and gradient ---------------------------------------------------
    def loss_grad(self, B, W):
        """Data-fit loss and its gradients in B (d, k) and W (n_tasks, k)."""
        U = self.X @ B
        if self.shared:
            resid = U @ W.T - self.y
            loss = 0.5 * np.vdot(resid, resid) + self.const
            gB = self.X.T @ (resid @ W)
            gW = resid.T @ U
        else:
            Wr = W[self.codes]
            resid = np.einsum("ij,ij->i", U, Wr) - self.y
            loss = 0.5 * np.dot(resid, resid) + self.const
            gB = self.X.T @ (resid[:, None] * Wr)
            gW = self.task_sum(resid[:, None] * U)
        return loss, gB, gW

    def loss(self, B, W):
        return self.loss_grad(B, W)[0]

    def heads(self, U, ridge=1e-10):
        """Least-squares heads (n_tasks, k) of every task on the features X U."""
        Z = self.X @ U
        k = U.shape[1]
        if self.shared:
            A = Z.T @ Z
            b = Z.T @ self.y
            A = A + ridge * max(np.trace(A), 1e-300) / k * np.eye(k)
            return scipy.linalg.solve(A, b, assume_a="pos").T
        A = self.task_sum(Z[:, :, None] * Z[:, None, :])
        b = self.task_sum(Z * self.y[:, None])
        scale = np.maximum(np.trace(A, axis1=1, axis2=2), 1e-300) / k
        A = A + ridge * scale[:, None, None] * np.eye(k)
        return np.linalg.solve(A, b[:, :, None])[:, :, 0]


def _compress(X, Y):
    """QR-compress rows: returns (R, Q^T Y, 0.5 * lost squared norm of Y)."""
    Q, R = np.linalg.qr(X, mode="reduced")
    QY = Q.T @ Y
    lost = 0.5 * max(float(np.vdot(Y, Y) - np.vdot(QY, QY)), 0.0)
    return R, QY, lost


def build_design(data, X_offset, y_offset, *, compress=True, moments=False):
    """Turn validated :class:`~skmtl.utils.MultiTaskData` into a ``_Design``.

    Rows are centred with the per-task offsets and scaled by ``sqrt(s_i/n_t)``.
    A task with more than twice as many rows as features is QR-compressed.

    Parameters
    ----------
    data : MultiTaskData
    X_offset : ndarray of shape (n_tasks, n_features)
    y_offset : ndarray of shape (n_tasks,)
    compress : bool, default=True
    moments : bool, default=False
        Also compute the method-of-moments matrix
        ``(1/T) sum_t sum_i c_i y_i^2 x_i x_i^T`` (before compression).

    Returns
    -------
    design : _Design
    """
    X = np.asarray(data.X, dtype=np.float64)
    d, T = data.n_features, data.n_tasks
    M = np.zeros((d, d)) if moments else None
    if data.shared_design:
        s = (
            np.ones(X.shape[0])
            if data.sample_weight is None
            else np.asarray(data.sample_weight, dtype=np.float64)
        )
        c = np.sqrt(s / s.sum())
        Xs = (X - X_offset[0]) * c[:, None]
        Ys = (data.y - y_offset) * c[:, None]
        y_sq = np.einsum("ij,ij->j", Ys, Ys)
        if moments:
            M = Xs.T @ (np.mean(Ys**2, axis=1)[:, None] * Xs)
        const = 0.0
        if compress and Xs.shape[0] > 2 * d:
            Xs, Ys, const = _compress(Xs, Ys)
        return _Design(Xs, Ys, shared=True, const=const, y_sq=y_sq, moments=M)
    blocks_X, blocks_y, sizes, y_sq = [], [], [], np.empty(T)
    const = 0.0
    for t, _, y_t, w_t in data.iter_tasks():
        c = np.sqrt(w_t / w_t.sum())
        X_t = (data.design(t) - X_offset[t]) * c[:, None]
        y_t = (y_t - y_offset[t]) * c
        y_sq[t] = np.dot(y_t, y_t)
        if moments:
            M += X_t.T @ ((y_t**2)[:, None] * X_t) / T
        if compress and X_t.shape[0] > 2 * d:
            X_t, y_t, lost = _compress(X_t, y_t)
            const += lost
        blocks_X.append(X_t)
        blocks_y.append(y_t)
        sizes.append(X_t.shape[0])
    sizes = np.asarray(sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    codes = np.repeat(np.arange(T), sizes)
    return _Design(
        np.vstack(blocks_X),
        np.concatenate(blocks_y),
        shared=False,
        codes=codes,
        starts=starts,
        const=const,
        y_sq=y_sq,
        moments=M,
    )


# ---------------------------------------------------------------------------
# choosing the rank
# ---------------------------------------------------------------------------
def choose_rank(design, n_eff, margin=1.05):
    """Data-driven number of shared components.

    The columns of ``R = [sum_i c_i x_i y_i]_t`` estimate ``S_t theta_t``. After
    whitening by the mean covariance ``S`` (pseudo-inverse square root on its
    range, of dimension ``d_eff``) and dividing column ``t`` by
    ``sqrt(v_t / n_t)`` (``v_t`` the variance of task t's targets),
    ``S^{-1/2} R D^{-1/2}`` is a rank-k signal plus a noise matrix with
    entries of variance about one (label noise plus the fluctuation of the
    sample covariance). The singular values of such a noise matrix stay below
    ``sqrt(d_eff) + sqrt(T)``; the rank is the number of singular values above
    ``margin`` times that edge (at least 1, at most ``min(d_eff, T)``).

    Parameters
    ----------
    design : _Design
    n_eff : ndarray of shape (n_tasks,)
        Effective sample size of every task.
    margin : float, default=1.05

    Returns
    -------
    k : int
    singular_values : ndarray
        Singular values of the whitened, column-scaled ``R``.
    threshold : float
    """
    S = design.gram_mean()
    evals, evecs = np.linalg.eigh(S)
    keep = evals > max(evals.max(), 0.0) * 1e-10
    d_eff = int(keep.sum())
    T = design.n_tasks
    v = design.y_sq  # weighted variances (weights sum to one per task)
    scale = np.sqrt(np.maximum(v, 1e-300) / n_eff)
    if d_eff == 0 or not np.any(v > 0):
        return 1, np.zeros(1), 0.0
    white = evecs[:, keep] / np.sqrt(evals[keep])
    Rw = (white.T @ design.cross()) / scale
    sv = np.linalg.svd(Rw, compute_uv=False)
    tau = margin * (np.sqrt(d_eff) + np.sqrt(T))
    k = int(np.sum(sv > tau))
    return int(np.clip(k, 1, min(d_eff, T))), sv, tau


# ---------------------------------------------------------------------------
# initialisations
# ---------------------------------------------------------------------------
def initial_basis(design, k, init, rng):
    """Orthonormal (d, k) starting basis for 'svd', 'moments' or 'random'."""
    d = design.n_features
    if init == "random":
        start = rng.standard_normal((d, k))
        start[design.dead_features()] = 0.0
        Q, _ = np.linalg.qr(start)
        return Q
    if init == "svd":
        U, _, _ = np.linalg.svd(design.cross(), full_matrices=False)
        return U[:, :k]
    # method of moments (Tripuraneni et al. 2021)
    _, evecs = np.linalg.eigh(design.moments)
    return evecs[:, ::-1][:, :k]


def balanced_factors(U, H):
    """Balanced (B, W) with B W^T = U H^T (U orthonormal, H (T, k))."""
    a, s, bt = np.linalg.svd(H.T, full_matrices=False)
    root = np.sqrt(s)
    return (U @ a) * root, bt.T * root


def top_singular_value(design):
    """sigma_1 of R, the step-size scale of TPGD (never zero)."""
    R = design.cross()
    s = np.linalg.norm(R, 2) if R.size else 0.0
    return s if s > 0 else 1.0
