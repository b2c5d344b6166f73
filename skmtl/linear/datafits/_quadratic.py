"""Masked least squares over tasks, for the three data layouts."""

import numpy as np
import scipy.sparse as sp

from ...base import task_offsets, task_y_offsets
from ...utils._accel import c_rows, use_numba
from ._kernels import first_pass, gather_columns, gather_rows, residual_gradient

__all__ = ["Quadratic"]


def _nonzero_rows(W):
    """Indices of the non-zero rows of W when they are few, else None."""
    used = np.flatnonzero(np.any(W != 0, axis=1))
    return used if len(used) < 0.5 * W.shape[0] else None


def _grouped(index):
    """Whether each task's rows form one contiguous run."""
    return all(len(idx) == 0 or (idx[-1] - idx[0] + 1 == len(idx)) for idx in index)


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
    prefetch : int, default=0
        Compiled route only: guess the ``prefetch`` features of largest
        gradient norm at zero from the first eighth of each task's rows and,
        when they stand out (norms at least 1.5 times the next one's), gather
        their columns during the rest of the first pass. A working-set solver
        whose first set is exactly these features then needs no separate
        gather pass; otherwise the guess is dropped.
    """

    def __init__(self, fit_intercept=True, prefetch=0):
        self.fit_intercept = fit_intercept
        self.prefetch = prefetch

    # -- set-up ---------------------------------------------------------------
    def initialize(self, data):
        """Precompute what the evaluations need; returns self."""
        self.data = data
        X = data.X
        self.sparse = sp.issparse(X)
        self.X = X.tocsr() if self.sparse else X
        self.n_features, self.n_tasks = data.n_features, data.n_tasks
        # dense long data with numba: the feature means come from the fused
        # first pass below (with b0 and the deferred finiteness check)
        fused = (
            data.layout == "long"
            and not self.sparse
            and use_numba(X.size)
            and (c_rows(X) is not None or not _grouped(data.task_index))
        )
        if fused:
            self.X_offset = None
            self.y_offset = task_y_offsets(data, self.fit_intercept)
        else:
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
            self._blocks = None
            self._rows = None
            if not self.sparse:
                self._setup_blocks(data)
            if fused:
                self._rows = c_rows(self.X)
                self._starts = np.array(
                    [b.start for b in self._blocks] + [self._blocks[-1].stop],
                    dtype=np.intp,
                )
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
        self._full_gram = None
        self._X_csc = None
        self._b0 = None
        self._value0 = None
        if fused and self._rows is not None:
            self._fused_first_pass(data)
        elif fused:  # the task-sorted copy is not row-contiguous: numpy route
            self.X_offset = task_offsets(data, self.fit_intercept)[0]
            data.check_x()
        return self

    def _first_pass_with_prefetch(self):
        """The fused first pass; with ``prefetch``, in two phases (see above)."""
        rows, y, a, starts = self._rows, self.y, self.a, self._starts
        self._prefetched = None
        p = int(getattr(self, "prefetch", 0) or 0)
        lo, hi = starts[:-1], starts[1:]
        if not 0 < p < self.n_features:
            return first_pass(rows, y, a, starts, self.fit_intercept)
        mid = lo + -(-(hi - lo) // 8)  # first eighth (rounded up) of each task
        G, M, total = first_pass(rows, y, a, starts, self.fit_intercept, lo, mid)
        norms2 = np.einsum("tj,tj->j", G, G)
        top = np.partition(norms2, [self.n_features - p - 1, self.n_features - p])
        if top[self.n_features - p] < 2.25 * top[self.n_features - p - 1]:
            # the p-th and (p+1)-th norms are within a factor 1.5: the full
            # data may well order them otherwise, so no guess
            G2, M2, total2 = first_pass(rows, y, a, starts, self.fit_intercept, mid, hi)
            return G + G2, M + M2, total + total2
        guess = np.sort(np.argpartition(-norms2, p - 1)[:p])
        out = np.empty((self.X.shape[0], p))
        G2, M2, total2 = first_pass(
            rows, y, a, starts, self.fit_intercept, mid, hi, guess, out
        )
        gather_rows(rows, guess, out, lo, mid)
        self._prefetched = (guess, out)
        return G + G2, M + M2, total + total2

    def _fused_first_pass(self, data):
        """Feature means, ``b0`` and the finiteness of X in one compiled pass.

        The blocks cover every row of X when every row is labelled, which is
        when validation leaves the check of X to this pass
        (``data.x_unchecked``); a sum of squares that is not finite or too
        large sends X to the exact check, which raises the precise error.
        """
        G, M, total = self._first_pass_with_prefetch()
        if getattr(data, "x_unchecked", False):
            d = data.X.shape
            limit2 = np.finfo(data.X.dtype).max / max(d[0] * d[1], 1)
            if not total <= limit2:
                data.check_x()
            data.x_unchecked = False
        T = self.n_tasks
        self.X_offset = M if self.fit_intercept else np.zeros((T, self.n_features))
        ay = self.a * self.y
        sums = np.array([ay[b].sum() for b in self._blocks])
        self._b0 = G.T - self.X_offset.T * sums[None, :]
        self._value0 = 0.5 * float(np.dot(ay, self.y))  # f(0), without a pass

    def _setup_blocks(self, data):
        """Dense long data: each task's rows as one contiguous block.

        Rows already grouped by task are used in place (slices); otherwise one
        task-sorted copy of X is made, and the long-mode residual vectors are
        kept in that order. Per-task products are then plain BLAS calls on
        views.
        """
        index = data.task_index
        if _grouped(index):
            self._blocks = [
                slice(idx[0], idx[-1] + 1) if len(idx) else slice(0, 0) for idx in index
            ]
            return
        order = np.concatenate(index)
        self.X = self.X[order]
        self.a, self.y, self.codes = self.a[order], self.y[order], self.codes[order]
        ends = np.cumsum([len(idx) for idx in index])
        self._blocks = [slice(e - len(i), e) for e, i in zip(ends, index, strict=True)]

    # -- products -------------------------------------------------------------
    def _xw(self, W):
        """Centred predictions: (n, T) for wide modes, (n,) for long."""
        if self.mode == "long" and self._blocks is not None:
            out = np.zeros(len(self.y))
            rows = _nonzero_rows(W)
            offsets = np.einsum("td,dt->t", self.X_offset, W)
            for t, b in enumerate(self._blocks):
                if rows is None:
                    out[b] = self.X[b] @ W[:, t] - offsets[t]
                else:
                    out[b] = self.X[b][:, rows] @ W[rows, t] - offsets[t]
            return out
        if self.mode == "long":
            if self.sparse:
                out = np.zeros(self.X.shape[0])
                for t, idx in enumerate(self.data.task_index):
                    out[idx] = self.X[idx] @ W[:, t]
            else:
                out = np.einsum("ij,ji->i", self.X, W[:, self.codes])
            return out - np.einsum("td,dt->t", self.X_offset, W)[self.codes]
        if self.mode == "shared" and not self.sparse:
            rows = _nonzero_rows(W)
            if rows is not None:  # row-sparse W: only the used columns
                return self.Xc[:, rows] @ W[rows]
            return self.Xc @ W
        XW = np.asarray(self.X @ W)
        return XW - np.einsum("td,dt->t", self.X_offset, W)[None, :]

    def _xt(self, R):
        """Adjoint of :meth:`_xw`: (d, T) from a residual-shaped array."""
        if self.mode == "long" and self._blocks is not None:
            G = np.empty((self.n_features, self.n_tasks))
            for t, b in enumerate(self._blocks):
                G[:, t] = self.X[b].T @ R[b] - self.X_offset[t] * R[b].sum()
            return G
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

    def _compiled_pass(self, W):
        """Value and gradient in one compiled pass over long dense data."""
        offsets = np.einsum("td,dt->t", self.X_offset, W)
        value, G, sums = residual_gradient(
            self._rows, self.y, self.a, self._starts, W, offsets
        )
        return 0.5 * value, self.X_offset.T * sums[None, :] - G.T

    def _weighted_residual(self, W):
        if self.mode == "long":
            R = self.y - self._xw(W)
            return self.a * R, R
        R = self.Y - self._xw(W)
        return self.A * R, R

    # -- datafit API ----------------------------------------------------------
    def value(self, W):
        """Objective value f(W)."""
        AR, R = self._weighted_residual(W)
        return 0.5 * float(np.sum(AR * R))

    def gradient(self, W):
        """Gradient of f, shape (n_features, n_tasks)."""
        if getattr(self, "_rows", None) is not None:
            return self._compiled_pass(W)[1]
        AR, _ = self._weighted_residual(W)
        return -self._xt(AR)

    def value_and_gradient(self, W):
        """Both at once (one pass over the data)."""
        if getattr(self, "_rows", None) is not None:
            return self._compiled_pass(W)
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

    # -- quadratic-form API (working-set solvers) -----------------------------
    # f(W) = value0 - <b0, W> + 1/2 sum_t w_t^T G_t w_t with G_t the task's
    # weighted, centred Gram matrix and b0 = -gradient(0).
    @property
    def value0(self):
        """f(0), the objective of the null model."""
        if self._value0 is None:
            self._value0 = self.value(np.zeros((self.n_features, self.n_tasks)))
        return self._value0

    @property
    def b0(self):
        """Linear term ``-gradient(0)``, shape (n_features, n_tasks)."""
        if self._b0 is None:
            self._b0 = -self.gradient(np.zeros((self.n_features, self.n_tasks)))
        return self._b0

    @property
    def pass_cost(self):
        """Multiply-adds of one gradient pass over X (0 with a cached full Gram)."""
        if self._full_gram is not None or self._use_full_gram():
            return 0
        X = self.X
        nnz = X.nnz if self.sparse else X.shape[0] * X.shape[1]
        return nnz if self.mode == "long" else nnz * self.n_tasks

    @property
    def shared_gram(self):
        """True when every task has the same Gram matrix (shared mode)."""
        return self.mode == "shared"

    def _use_full_gram(self):
        # the full d x d Gram (n d^2 flops) pays off when it costs less than
        # the passes over X it saves (about 10 of n d T flops each) and n >= d
        n, d = self.X.shape
        small = d <= max(256, 10 * self.n_tasks)
        return self.mode == "shared" and not self.sparse and n >= d and small

    def value_and_gradient_fast(self, W):
        """:meth:`value_and_gradient` through the cached full Gram when there is one.

        Same result (up to rounding); costs O(d k T) for W with k non-zero rows
        instead of two passes over X.
        """
        if self._full_gram is None:
            return self.value_and_gradient(W)
        rows = np.flatnonzero(np.any(W != 0, axis=1))
        GW = self._full_gram[:, rows] @ W[rows]
        grad = GW - self.b0
        val = self.value0 - np.sum(self.b0[rows] * W[rows])
        val += 0.5 * np.sum(W[rows] * GW[rows])
        return float(val), grad

    def gram(self, features):
        """Gram blocks on ``features``: ``(G, B)``.

        ``G`` has shape (k, k) in shared mode (one matrix for every task) and
        (n_tasks, k, k) otherwise; ``B = b0[features]`` has shape (k, n_tasks).
        """
        features = np.asarray(features, dtype=np.intp)
        B = self.b0[features]
        if self.mode == "shared":
            if self._use_full_gram():
                if self._full_gram is None:
                    a = self.A[:, 0]
                    self._full_gram = self.Xc.T @ (self.Xc * a[:, None])
                return self._full_gram[np.ix_(features, features)], B
            a = self.A[:, 0]
            if not self.sparse:
                return self._cached_gram(features, a), B
            if getattr(self, "_X_csc", None) is None:
                self._X_csc = self.X.tocsc()  # fast column selection
            Xf = self._X_csc[:, features]
            G = np.asarray((Xf.T @ Xf.multiply(a[:, None])).todense())
            m = self.X_offset[0, features]
            G -= np.outer(m, m)
            return G, B
        if not self.sparse:
            return self._cached_task_gram(features), B
        k = len(features)
        G = np.empty((self.n_tasks, k, k))
        for t, idx in enumerate(self.data.task_index):
            Xt = self.X[idx][:, features]
            Xt = Xt.toarray() if self.sparse else Xt
            Xt = Xt - self.X_offset[t, features]
            a = self.a[idx] if self.mode == "long" else self.A[idx, t]
            G[t] = Xt.T @ (Xt * a[:, None])
        return G, B

    def _cached_gram(self, features, a):
        """Shared dense Gram on ``features``, reusing the blocks computed before.

        Working sets grow by a few features at a time, so only the products
        with the new features are computed.
        """
        cache = getattr(self, "_gram_cache", None)
        if cache is None or len(cache[0]) + len(features) > 6000:
            cache = (np.empty(0, dtype=np.intp), np.empty((0, 0)))
            self._pos = np.full(self.n_features, -1, dtype=np.intp)
        idx, G = cache
        new = features[self._pos[features] < 0]
        if len(new):
            Xn = self.Xc[:, new] * a[:, None]
            cross = self.Xc[:, idx].T @ Xn
            G = np.block([[G, cross], [cross.T, self.Xc[:, new].T @ Xn]])
            self._pos[new] = len(idx) + np.arange(len(new))
            idx = np.concatenate([idx, new])
            self._gram_cache = (idx, G)
        else:
            self._gram_cache = (idx, G)
        pos = self._pos[features]
        return G[np.ix_(pos, pos)]

    def _task_columns(self, t, cols):
        """Task ``t``'s rows of X on columns ``cols`` and their weights."""
        if self.mode == "long":
            b = self._blocks[t]
            return self.X[b][:, cols], self.a[b]
        idx = self.data.task_index[t]
        return self.X[np.ix_(idx, cols)], self.A[idx, t]

    def _cached_task_gram(self, features):
        """Per-task dense Gram blocks on ``features``, extended as sets grow.

        The columns gathered so far are kept per task (in chunks), so new
        features cost one gather and one product with the kept columns.
        """
        cache = getattr(self, "_task_gram_cache", None)
        T = self.n_tasks
        if cache is None or len(cache[0]) + len(features) > 3000:
            cache = (np.empty(0, dtype=np.intp), np.empty((T, 0, 0)), [])
            self._task_pos = np.full(self.n_features, -1, dtype=np.intp)
        idx, G, chunks = cache
        new = features[self._task_pos[features] < 0]
        if len(new):
            m, k = len(idx), len(new)
            G_new = np.empty((T, m + k, m + k))
            G_new[:, :m, :m] = G
            kept = []
            gathered = None
            pre = getattr(self, "_prefetched", None)
            self._prefetched = None  # used now or never
            if pre is not None and m == 0 and np.array_equal(pre[0], new):
                gathered = pre[1]  # gathered during the first pass
            elif getattr(self, "_rows", None) is not None:
                gathered = gather_columns(self._rows, new)  # one pass, all tasks
            for t in range(T):
                if gathered is None:
                    Xn, a = self._task_columns(t, new)
                else:
                    b = self._blocks[t]
                    Xn, a = gathered[b], self.a[b]
                # equal weights within the task (no sample_weight): scale the
                # product instead of forming a weighted copy of the columns
                c = a[0] if len(a) and a[0] == a.min() == a.max() else None
                aXn = Xn if c is not None else Xn * a[:, None]
                off = self.X_offset[t]
                sa = a.sum()
                centred = self.fit_intercept and off.any()
                start = 0
                for cols, X_chunk in chunks:
                    stop = start + len(cols)
                    cross = X_chunk[t].T @ aXn
                    if c is not None:
                        cross *= c
                    if centred:
                        cross -= sa * np.outer(off[cols], off[new])
                    G_new[t, start:stop, m:] = cross
                    G_new[t, m:, start:stop] = cross.T
                    start = stop
                block = Xn.T @ aXn
                if c is not None:
                    block *= c
                if centred:
                    block -= sa * np.outer(off[new], off[new])
                G_new[t, m:, m:] = block
                kept.append(Xn)
            chunks = [*chunks, (new, kept)]
            self._task_pos[new] = m + np.arange(k)
            idx, G = np.concatenate([idx, new]), G_new
        self._task_gram_cache = (idx, G, chunks)
        pos = self._task_pos[features]
        return G[:, pos[:, None], pos[None, :]]

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
