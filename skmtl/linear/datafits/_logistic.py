"""Per-task binary logistic loss, NaN-masked, for the three data layouts."""

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

__all__ = ["Logistic"]


class Logistic:
    r"""Per-task binary logistic loss with explicit (not profiled) intercepts.

    .. math::

        f(W) = \sum_{t=1}^{T} \frac{1}{n_t} \sum_{i \in t}
               s_i \log\big(1 + \exp(-y_{it} (x_i^\top w_t + b_t))\big)

    with labels ``y_it`` in {-1, +1}, ``i in t`` the rows labelled for task
    ``t``, sample weights ``s_i`` and ``n_t = sum_{i in t} s_i``. The
    optimisation variable has shape (n_features + 1, n_tasks) with the
    intercepts ``b`` in its last row when ``fit_intercept`` (``n_rows``),
    else (n_features, n_tasks); penalties act on the first ``n_features`` rows
    only (see :class:`~skmtl.linear.penalties._trace.UnpenalizedRows`).

    ``initialize(data)`` expects ``data.y`` to hold the labels as -1/+1 (NaN
    for missing cells of wide data).

    Parameters
    ----------
    fit_intercept : bool, default=True
        Whether each task has a free intercept.
    """

    is_quadratic = False

    def __init__(self, fit_intercept=True):
        self.fit_intercept = fit_intercept

    def initialize(self, data):
        """Precompute the masks and weights; returns self."""
        self.data = data
        X = data.X
        self.sparse = sp.issparse(X)
        self.X = X.tocsr() if self.sparse else X
        self.n_features, self.n_tasks = data.n_features, data.n_tasks
        self.n_rows = self.n_features + int(self.fit_intercept)
        n = data.n_samples
        s = np.ones(n) if data.sample_weight is None else data.sample_weight
        totals = np.array([s[idx].sum() for idx in data.task_index])
        if data.layout == "long":
            self.mode = "long"
            labelled = np.zeros(n, dtype=bool)
            labelled[np.concatenate(data.task_index)] = True
            self.codes = data.task_codes
            self.a = np.where(labelled, s / totals[self.codes], 0.0)
            self.y = np.where(labelled, data.y, 0.0)
        else:
            self.mode = "wide"
            mask = ~np.isnan(data.y)
            self.a = mask * s[:, None] / totals[None, :]
            self.y = np.where(mask, data.y, 0.0)
        self._lipschitz = None
        return self

    # -- linear maps ----------------------------------------------------------
    def _forward(self, W):
        """Scores ``x_i^T w_t + b_t``: (n, T) wide, (n,) long."""
        d = self.n_features
        coef = W[:d]
        b = W[d] if self.fit_intercept else np.zeros(self.n_tasks)
        if self.mode == "long":
            if self.sparse:
                out = np.zeros(self.X.shape[0])
                for t, idx in enumerate(self.data.task_index):
                    out[idx] = self.X[idx] @ coef[:, t]
            else:
                out = np.einsum("ij,ji->i", self.X, coef[:, self.codes])
            return out + b[self.codes]
        return np.asarray(self.X @ coef) + b[None, :]

    def _adjoint(self, G):
        """Adjoint of :meth:`_forward`: (n_rows, T)."""
        T = self.n_tasks
        if self.mode == "long":
            M = sp.csr_matrix((G, (np.arange(len(G)), self.codes)), shape=(len(G), T))
            gc = (
                np.asarray((self.X.T @ M).todense())
                if self.sparse
                else np.asarray((M.T @ self.X).T)
            )
            gb = np.bincount(self.codes, weights=G, minlength=T)
        else:
            gc = np.asarray(self.X.T @ G)
            gb = G.sum(axis=0)
        if self.fit_intercept:
            return np.vstack([gc, gb[None, :]])
        return gc

    # -- datafit API ----------------------------------------------------------
    def value(self, W):
        """Objective value f(W)."""
        m = self.y * self._forward(W)
        return float(np.sum(self.a * np.logaddexp(0.0, -m)))

    def value_and_gradient(self, W):
        """Value and gradient (shape of W) in one pass."""
        m = self.y * self._forward(W)
        value = float(np.sum(self.a * np.logaddexp(0.0, -m)))
        G = -self.a * self.y * expit(-m)
        return value, self._adjoint(G)

    def gradient(self, W):
        """Gradient of f, same shape as W."""
        return self.value_and_gradient(W)[1]

    @property
    def lipschitz_tasks(self):
        """Per-task Lipschitz constants ``lambda_max(X~_t^T A_t X~_t) / 4``.

        ``X~_t`` is task ``t``'s design with a column of ones when there is
        an intercept; power iteration on all tasks at once.
        """
        if self._lipschitz is None:
            rng = np.random.default_rng(0)
            V = rng.standard_normal((self.n_rows, self.n_tasks))
            V /= np.linalg.norm(V, axis=0)
            lam = np.zeros(self.n_tasks)
            for _ in range(100):
                HV = self._adjoint(self.a * self._forward(V))
                new = np.linalg.norm(HV, axis=0)
                V = HV / np.where(new > 0, new, 1.0)
                if np.all(np.abs(new - lam) <= 1e-6 * np.maximum(new, 1e-300)):
                    lam = new
                    break
                lam = new
            self._lipschitz = 0.25 * 1.02 * lam
        return self._lipschitz

    @property
    def lipschitz(self):
        """Lipschitz constant of the gradient (largest over tasks)."""
        return float(max(self.lipschitz_tasks.max(), 1e-12))

    def intercept(self, W):
        """Intercepts ``b`` (the last row of W), shape (n_tasks,)."""
        if self.fit_intercept:
            return W[self.n_features].copy()
        return np.zeros(self.n_tasks)

    def cvxpy_objective(self, W):
        """The same objective as a cvxpy expression of Variable W."""
        import cvxpy as cp

        d = self.n_features
        terms = []
        data = self.data
        for t, idx, y_t, s_t in data.iter_tasks():
            X_t = data.X[idx]
            X_t = X_t.toarray() if sp.issparse(X_t) else X_t
            z = X_t @ W[:d, t]
            if self.fit_intercept:
                z = z + W[d, t]
            a = s_t / s_t.sum()
            terms.append(a @ cp.logistic(-cp.multiply(y_t, z)))
        return cp.sum(cp.hstack(terms)) if len(terms) > 1 else terms[0]
