"""Masked least squares over tasks, for the three data layouts."""

import numpy as np
import scipy.sparse as sp

from ...base import task_offsets

__all__ = ["Quadratic"]


class Quadratic:
    r"""Per-task least squares with per-task intercepts profiled out.

    .. math::

        f(W) = \sum_{t=1}^{T} \frac{1}{2 n_t} \sum_{i \in t}
               s_i \big(y_{it} - \bar y_t - (x_i - \bar x_t)^\top w_t\big)^2

    where ``i in t`` runs over the rows labelled for task ``t``, ``s_i`` are
    sample weights, ``n_t = sum_{i in t} s_i`` and ``(x_t bar, y_t bar)`` the
    task's weighted means (zero without intercept). Minimising over the
    intercepts ``b_t`` first gives exactly this (``b_t = ybar_t - xbar_t^T
    w_t``), so solvers only see ``W`` of shape (n_features, n_tasks).

    Three internal modes, picked from the data: ``'shared'`` (wide, no
    missing label: dense matrix algebra on one centred design), ``'masked'``
    (wide with missing labels: a weight matrix zero on missing cells) and
    ``'long'`` (each row belongs to one task: per-row task codes, no
    (n_samples, n_tasks) matrix). ``X`` is never densified when sparse; the
    centring is applied implicitly.

    Parameters
    ----------
    fit_intercept : bool, default=True
        Whether the tasks have intercepts (profiled out as above).
    """

    def __init__(self, fit_intercept=True):
        self.fit_intercept = fit_intercept

    # -- set-up ---------------------------------------------------------------
    def initialize(self, data):
        """Precompute what the evaluations need; returns self."""
        self.data = data
        X = data.X
        self.sparse = sp.issparse(X)
        self.X = X.tocsr() if self.sparse else X
        self.n_features, self.n_tasks = data.n_features, data.n_tasks
        self.X_offset, self.y_offset = task_offsets(data, self.fit_intercept)
        n = data.n_samples
        s = np.ones(n) if data.sample_weight is None else data.sample_weight
        totals = np.array([s[idx].sum() for idx in data.task_index])
        self.task_weight = totals
        if data.layout == "long":
            self.mode = "long"
            codes = data.task_codes
            labelled = np.zeros(n, dtype=bool)
            labelled[np.concatenate(data.task_index)] = True
            self.codes = codes
            self.a = np.where(labelled, s / totals[codes], 0.0)
            self.y = np.where(labelled, data.y - self.y_offset[codes], 0.0)
        else:
            Y = data.y
            mask = ~np.isnan(Y)
            self.mode = "shared" if mask.all() else "masked"
            self.A = mask * s[:, None] / totals[None, :]
            self.Y = np.where(mask, Y - self.y_offset[None, :], 0.0)
            if self.mode == "shared" and not self.sparse and self.fit_intercept:
                # one centred design serves every task
                self.Xc = X - self.X_offset[0]
            elif self.mode == "shared" and not self.sparse:
                self.Xc = X
        self._lipschitz = None
        return self

    # -- products -------------------------------------------------------------
    def _xw(self, W):
        """Centred predictions: (n, T) for wide modes, (n,) for long."""
        if self.mode == "long":
            if self.sparse:
                out = np.zeros(self.X.shape[0])
                for t, idx in enumerate(self.data.task_index):
                    out[idx] = self.X[idx] @ W[:, t]
            else:
                out = np.einsum("ij,ji->i", self.X, W[:, self.codes])
            return out - np.einsum("td,dt->t", self.X_offset, W)[self.codes]
        if self.mode == "shared" and not self.sparse:
            return self.Xc @ W
        XW = np.asarray(self.X @ W)
        return XW - np.einsum("td,dt->t", self.X_offset, W)[None, :]

    def _xt(self, R):
        """Adjoint of :meth:`_xw`: (d, T) from a residual-shaped array."""
        if self.mode == "long":
            M = sp.csr_matrix(
                (R, (np.arange(len(R)), self.codes)),
                shape=(len(R), self.n_tasks),
            )
            G = (
                np.asarray((M.T @ self.X).T)
                if not self.sparse
                else (np.asarray((self.X.T @ M).todense()))
            )
            sums = np.bincount(self.codes, weights=R, minlength=self.n_tasks)
            return G - self.X_offset.T * sums[None, :]
        if self.mode == "shared" and not self.sparse:
            return self.Xc.T @ R
        G = np.asarray(self.X.T @ R)
        return G - self.X_offset.T * R.sum(axis=0)[None, :]

    def _weighted_residual(self, W):
        if self.mode == "long":
            return self.a * (self.y - self._xw(W)), self.y - self._xw(W)
        R = self.Y - self._xw(W)
        return self.A * R, R

    # -- datafit API ----------------------------------------------------------
    def value(self, W):
        """Objective value f(W)."""
        AR, R = self._weighted_residual(W)
        return 0.5 * float(np.sum(AR * R))

    def gradient(self, W):
        """Gradient of f, shape (n_features, n_tasks)."""
        AR, _ = self._weighted_residual(W)
        return -self._xt(AR)

    def value_and_gradient(self, W):
        """Both at once (one pass over the data)."""
        AR, R = self._weighted_residual(W)
        return 0.5 * float(np.sum(AR * R)), -self._xt(AR)

    def task_values(self, W):
        """Loss of each task, ndarray of shape (n_tasks,); they sum to f(W)."""
        AR, R = self._weighted_residual(W)
        if self.mode == "long":
            return 0.5 * np.bincount(self.codes, weights=AR * R, minlength=self.n_tasks)
        return 0.5 * np.sum(AR * R, axis=0)

    def task_values_and_gradient(self, W):
        """Per-task losses (n_tasks,) and the gradient (n_features, n_tasks).

        Column ``t`` of the gradient is the gradient of task ``t``'s loss, which
        depends on ``w_t`` only; one pass over the data.
        """
        AR, R = self._weighted_residual(W)
        if self.mode == "long":
            values = 0.5 * np.bincount(
                self.codes, weights=AR * R, minlength=self.n_tasks
            )
        else:
            values = 0.5 * np.sum(AR * R, axis=0)
        return values, -self._xt(AR)

    def hessian_apply(self, V):
        """Hessian of f applied to V (f is quadratic, so H V = grad(V) - grad(0))."""
        XV = self._xw(V)
        AXV = self.a * XV if self.mode == "long" else self.A * XV
        return self._xt(AXV)

    @property
    def lipschitz_tasks(self):
        """Largest Hessian eigenvalue of each task, ndarray of shape (n_tasks,).

        Computed by power iteration on all tasks at once (each column of the
        iterate is one task's vector, the tasks' Hessians being block-diagonal).
        """
        if self._lipschitz is None:
            rng = np.random.default_rng(0)
            V = rng.standard_normal((self.n_features, self.n_tasks))
            V /= np.linalg.norm(V, axis=0)
            lam = np.zeros(self.n_tasks)
            for _ in range(100):
                HV = self.hessian_apply(V)
                new = np.linalg.norm(HV, axis=0)
                V = HV / np.where(new > 0, new, 1.0)
                if np.all(np.abs(new - lam) <= 1e-6 * np.maximum(new, 1e-300)):
                    lam = new
                    break
                lam = new
            # power iteration approaches from below: a small safety margin
            self._lipschitz = 1.02 * lam
        return self._lipschitz

    @property
    def lipschitz(self):
        """Lipschitz constant of the gradient of f (largest over tasks)."""
        return float(max(self.lipschitz_tasks.max(), 1e-12))

    def intercept(self, W):
        """Intercepts ``b_t = ybar_t - xbar_t^T w_t``, shape (n_tasks,)."""
        return self.y_offset - np.einsum("td,dt->t", self.X_offset, W)

    def cvxpy_objective(self, W):
        """The same objective as a cvxpy expression of Variable W (d, T)."""
        import cvxpy as cp

        terms = []
        data = self.data
        for t, idx, y_t, s_t in data.iter_tasks():
            X_t = data.X[idx]
            X_t = X_t.toarray() if sp.issparse(X_t) else X_t
            Xc = X_t - self.X_offset[t]
            yc = y_t - self.y_offset[t]
            sw = np.sqrt(s_t / s_t.sum())
            terms.append(0.5 * cp.sum_squares(sw * yc - (sw[:, None] * Xc) @ W[:, t]))
        return cp.sum(cp.hstack(terms)) if len(terms) > 1 else terms[0]
