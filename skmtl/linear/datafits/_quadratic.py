"""Masked least squares over tasks: from data (three layouts) or from statistics."""

import numpy as np
import scipy.sparse as sp

from ...base import task_offsets, task_y_offsets
from ...utils._accel import c_rows, use_numba
from ._gram_route import GramRouteMixin
from ._kernels import first_pass, gather_rows, residual_gradient

__all__ = ["Quadratic", "task_statistics"]


def _nonzero_rows(W):
    """Indices of the non-zero rows of W when they are few, else None."""
    used = np.flatnonzero(np.any(W != 0, axis=1))
    return used if len(used) < 0.5 * W.shape[0] else None


def _grouped(index):
    """Whether each task's rows form one contiguous run."""
    return all(len(idx) == 0 or (idx[-1] - idx[0] + 1 == len(idx)) for idx in index)


def task_statistics(data):
    """Per-task sufficient statistics of the least-squares datafit.

    Everything :meth:`Quadratic.from_stats` needs, as a dict of its keyword
    arguments. Each statistic is a sum over rows, so the statistics of a union
    of row blocks (chunks of a large file, the training folds of a
    cross-validation) are the sums of the blocks' statistics.

    Parameters
    ----------
    data : MultiTaskData
        Validated data.

    Returns
    -------
    stats : dict
        ``n`` (n_tasks,), ``sum_x`` (n_tasks, n_features), ``sum_y``
        (n_tasks,), ``xtx`` (n_tasks, n_features, n_features), or
        (n_features, n_features) when every task is labelled on every row,
        ``xty`` (n_tasks, n_features) and ``yty`` (n_tasks,).
    """
    T, d = data.n_tasks, data.n_features
    shared = data.shared_design
    n, sum_y, yty = np.empty(T), np.empty(T), np.empty(T)
    sum_x, xty = np.empty((T, d)), np.empty((T, d))
    xtx = np.empty((d, d) if shared else (T, d, d))
    for t, idx, y_t, s_t in data.iter_tasks():
        X_t = data.X[idx]
        X_t = X_t.toarray() if sp.issparse(X_t) else X_t
        sX = X_t * s_t[:, None]
        n[t], sum_y[t], yty[t] = s_t.sum(), s_t @ y_t, s_t @ (y_t * y_t)
        sum_x[t], xty[t] = sX.sum(axis=0), sX.T @ y_t
        if not shared:
            xtx[t] = X_t.T @ sX
        elif t == 0:
            xtx[:] = X_t.T @ sX
    return {"n": n, "sum_x": sum_x, "sum_y": sum_y, "xtx": xtx, "xty": xty, "yty": yty}


class Quadratic(GramRouteMixin):
    r"""Per-task least squares with per-task intercepts profiled out.

    .. math::

        f(W) = \sum_{t=1}^{T} \frac{1}{2 n_t} \sum_{i \in t}
               s_i \big(y_{it} - \bar y_t - (x_i - \bar x_t)^\top w_t\big)^2

    where ``i in t`` runs over the rows labelled for task ``t``, ``s_i`` are
    sample weights, ``n_t = sum_{i in t} s_i`` and ``(x_t bar, y_t bar)`` the
    task's weighted means (zero without intercept). Minimising over the
    intercepts ``b_t`` first gives exactly this (``b_t = ybar_t - xbar_t^T
    w_t``), so solvers only see ``W`` of shape (n_features, n_tasks).

    Equivalently ``f(W) = f(0) - <b0, W> + 1/2 sum_t w_t^T H_t w_t`` with
    ``H_t`` task ``t``'s centred, weighted Gram matrix ``(1/n_t) sum_i s_i
    (x_i - xbar_t)(x_i - xbar_t)^T`` and ``b0 = -grad f(0)``. The datafit
    evaluates either form:

    * from data (:meth:`initialize`), in one of three internal modes picked
      from the data: ``'shared'`` (wide, no missing label: dense matrix
      algebra on one centred design), ``'masked'`` (wide with missing labels:
      a weight matrix zero on missing cells) and ``'long'`` (each row belongs
      to one task: per-row task codes, no (n_samples, n_tasks) matrix). ``X``
      is never densified when sparse; the centring is applied implicitly.
      When the ``H_t`` hold fewer numbers than one pass over ``X`` reads
      (``T d^2 <= nnz(X)``, ``T = 1`` in shared mode, one matrix serving
      every task) and fit in 200 MB, value, gradient, Hessian products and
      Lipschitz constants go through the ``H_t`` instead (built at the first
      such evaluation; :attr:`gram_route`);
    * from per-task sufficient statistics (:meth:`from_stats`), always
      through the ``H_t``.

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
    use_gram : {'auto', True, False}, default='auto'
        Evaluate through the per-task Gram matrices: by the rule above
        (``'auto'``), always, or never (every evaluation is a pass over ``X``).

    Attributes
    ----------
    gram_route : bool
        Whether evaluations go through the per-task Gram matrices (set by
        :meth:`initialize` or :meth:`from_stats`).
    X_offset : ndarray of shape (n_tasks, n_features)
        Weighted feature means of each task (zeros without intercept).
    y_offset : ndarray of shape (n_tasks,)
        Weighted target mean of each task (zeros without intercept).
    task_weight : ndarray of shape (n_tasks,)
        ``n_t``, each task's total sample weight.
    """

    #: the gradient is affine in W (solvers may combine gradients linearly)
    is_quadratic = True

    def __init__(self, fit_intercept=True, prefetch=0, use_gram="auto"):
        self.fit_intercept = fit_intercept
        self.prefetch = prefetch
        self.use_gram = use_gram

    @classmethod
    def from_stats(cls, n, sum_x, sum_y, xtx, xty, yty, *, fit_intercept=True):
        r"""The datafit of data summarised by per-task sufficient statistics.

        With ``s_i`` the sample weights (ones when unweighted) and ``i`` over
        task ``t``'s labelled rows, the statistics are ``n_t = sum_i s_i``,
        ``sum_i s_i x_i``, ``sum_i s_i y_i``, ``X_t^T S_t X_t``, ``X_t^T S_t
        y_t`` and ``y_t^T S_t y_t`` (``S_t = diag(s_i)``); see
        :func:`task_statistics`. They add up over row blocks, so a datafit of
        any union of blocks (chunked or distributed data, cross-validation
        folds) is built without revisiting rows. The result gives the value,
        gradient, Hessian products, ``intercept``, ``gram``, ``b0``,
        ``value0`` and Lipschitz constants of the datafit built from the data
        (up to rounding: the centring ``H_t = X_t^T S_t X_t / n_t - xbar_t
        xbar_t^T`` cancels digits when the features' means are large against
        their spread; centre or standardise the features first then).

        Parameters
        ----------
        n : array-like of shape (n_tasks,)
            Each task's total sample weight (its number of labelled rows when
            unweighted); positive.
        sum_x : array-like of shape (n_tasks, n_features)
            Weighted feature sums.
        sum_y : array-like of shape (n_tasks,)
            Weighted target sums.
        xtx : array-like of shape (n_tasks, n_features, n_features)
            Weighted Gram matrices ``X_t^T S_t X_t``; one (n_features,
            n_features) matrix stands for every task (wide data without
            missing labels).
        xty : array-like of shape (n_tasks, n_features)
            ``X_t^T S_t y_t``.
        yty : array-like of shape (n_tasks,)
            ``y_t^T S_t y_t``.
        fit_intercept : bool, default=True
            Whether the tasks have intercepts.

        Returns
        -------
        datafit : Quadratic
            Ready to use (no :meth:`initialize`).
        """
        return cls(fit_intercept, use_gram=True)._set_stats(
            n, sum_x, sum_y, xtx, xty, yty
        )

    def _set_stats(self, n, sum_x, sum_y, xtx, xty, yty):
        """Set up from per-task statistics (see :meth:`from_stats`)."""
        fit_intercept = self.fit_intercept
        n = np.asarray(n, dtype=float).ravel()
        T = len(n)
        sum_x = np.asarray(sum_x, dtype=float).reshape(T, -1)
        d = sum_x.shape[1]
        sum_y = np.asarray(sum_y, dtype=float).reshape(T)
        xtx = np.asarray(xtx, dtype=float)
        xty = np.asarray(xty, dtype=float).reshape(T, d)
        yty = np.asarray(yty, dtype=float).reshape(T)
        if xtx.shape not in ((d, d), (T, d, d)):
            raise ValueError(
                f"xtx has shape {xtx.shape}; expected ({T}, {d}, {d}) or ({d}, {d})."
            )
        if not np.all(n > 0):
            raise ValueError("Every task needs a positive total weight n.")
        self.data, self.mode, self.sparse = None, "stats", False
        self.n_features, self.n_tasks = d, T
        self.task_weight = n
        if fit_intercept:
            xbar, ybar = sum_x / n[:, None], sum_y / n
        else:
            xbar, ybar = np.zeros((T, d)), np.zeros(T)
        self.X_offset, self.y_offset = xbar, ybar
        shared = xtx.ndim == 2 and np.all(n == n[0]) and np.all(xbar == xbar[0])
        if shared:
            H = (xtx / n[0] - np.outer(xbar[0], xbar[0]))[None]
        else:
            H = np.broadcast_to(xtx, (T, d, d)) / n[:, None, None]
            H = H - xbar[:, :, None] * xbar[:, None, :]
        self._reset()
        self._H = 0.5 * (H + H.transpose(0, 2, 1))
        self._b0 = (xty / n[:, None] - xbar * ybar[:, None]).T.copy()
        self._value0_tasks = 0.5 * (yty / n - ybar * ybar)
        self._value0 = float(self._value0_tasks.sum())
        self.gram_route = True
        return self

    def _reset(self):
        self._lipschitz = None
        self._H = None
        self._value0_tasks = None
        self._X_csc = None
        self._b0 = None
        self._value0 = None
        self._rows = None
        self._prefetched = None

    # -- set-up ---------------------------------------------------------------
    def initialize(self, data):
        """Precompute what the evaluations need; returns self.

        Data summarised by per-task statistics (``data.statistics``, as
        :class:`skmtl.dask.StatisticsData` holds) give the datafit of
        :meth:`from_stats`.
        """
        stats = getattr(data, "statistics", None)
        if stats is not None:
            return self._set_stats(**stats)
        self._reset()
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
        self.gram_route = self._gram_pays()
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

    # -- the Gram form --------------------------------------------------------
    def _gram_pays(self, max_bytes=2e8):
        """Whether per-task Gram matrices are cheaper than passes over ``X``.

        True when the Gram matrices (one in shared mode) hold fewer numbers
        than the data one gradient reads (``T d^2 <= nnz``) and fit in
        ``max_bytes``; ``use_gram=True/False`` overrides the rule.
        """
        if self.use_gram != "auto":
            return bool(self.use_gram)
        d = self.n_features
        T = 1 if self.mode == "shared" else self.n_tasks
        nnz = self.X.nnz if self.sparse else self.X.size
        return T * d * d <= nnz and 8 * T * d * d <= max_bytes

    def _task_rows(self, t):
        """Task ``t``'s rows of X, centred labels and weights ``s_i / n_t``."""
        if self.mode == "long" and self._blocks is not None:
            b = self._blocks[t]
            return self.X[b], self.y[b], self.a[b]
        idx = self.data.task_index[t]
        if self.mode == "long":
            return self.X[idx], self.y[idx], self.a[idx]
        return self.X[idx], self.Y[idx, t], self.A[idx, t]

    def _gram_matrices(self):
        """The ``H_t`` (one shared in shared mode), built from X at first use.

        Also sets ``b0`` and ``f(0)`` (per task) when they are not known yet.
        """
        if self._H is not None:
            return self._H
        T, d = self.n_tasks, self.n_features
        if self.mode == "shared":  # one H for every task, one product for b0
            a, AY = self.A[:, 0], self.A * self.Y
            c = 0.5 * np.sum(AY * self.Y, axis=0)
            if self.sparse:
                m = self.X_offset[0]
                G = np.asarray((self.X.T @ self.X.multiply(a[:, None])).todense())
                H = (G - a.sum() * np.outer(m, m))[None]
                b0 = np.asarray(self.X.T @ AY) - np.outer(m, AY.sum(axis=0))
            else:
                H = (self.Xc.T @ (self.Xc * a[:, None]))[None]
                b0 = self.Xc.T @ AY
        else:
            H, b0, c = np.empty((T, d, d)), np.empty((d, T)), np.empty(T)
            for t in range(T):
                X_t, y_t, a = self._task_rows(t)
                m = self.X_offset[t]
                if self.sparse:
                    Xa = X_t.multiply(a[:, None]).tocsr()
                    b0[:, t] = Xa.T @ y_t - m * (a @ y_t)
                    G = np.asarray((X_t.T @ Xa).todense())
                    H[t] = G - a.sum() * np.outer(m, m)
                else:
                    Xc = X_t - m
                    Xa = Xc * a[:, None]
                    b0[:, t] = Xa.T @ y_t
                    H[t] = Xc.T @ Xa
                c[t] = 0.5 * (a @ (y_t * y_t))
        self._H = 0.5 * (H + H.transpose(0, 2, 1))
        if self._b0 is None:
            self._b0 = b0
        self._value0_tasks = c
        if self._value0 is None:
            self._value0 = float(c.sum())
        return self._H

    def _gram_apply(self, V):
        """``(H_t v_t)_t``, shape (n_features, n_tasks)."""
        H = self._gram_matrices()
        if len(H) == 1:
            rows = _nonzero_rows(V)
            if rows is not None:  # row-sparse V: only the used columns
                return H[0][:, rows] @ V[rows]
            return H[0] @ V
        return np.matmul(H, V.T[:, :, None])[:, :, 0].T

    def _gram_task_values_and_gradient(self, W):
        HW = self._gram_apply(W)
        values = self._value0_tasks + np.einsum("dt,dt->t", W, 0.5 * HW - self.b0)
        return values, HW - self.b0

    # -- datafit API ----------------------------------------------------------
    def value(self, W):
        """Objective value f(W)."""
        if self.gram_route:
            return self.value_and_gradient(W)[0]
        AR, R = self._weighted_residual(W)
        return 0.5 * float(np.sum(AR * R))

    def gradient(self, W):
        """Gradient of f, shape (n_features, n_tasks)."""
        if self.gram_route:
            return self._gram_apply(W) - self.b0
        if self._rows is not None:
            return self._compiled_pass(W)[1]
        AR, _ = self._weighted_residual(W)
        return -self._xt(AR)

    def value_and_gradient(self, W):
        """Both at once (one pass over the data, or one product with the H_t)."""
        if self.gram_route:
            values, grad = self._gram_task_values_and_gradient(W)
            return float(values.sum()), grad
        if self._rows is not None:
            return self._compiled_pass(W)
        AR, R = self._weighted_residual(W)
        return 0.5 * float(np.sum(AR * R)), -self._xt(AR)

    def task_values(self, W):
        """Loss of each task, ndarray of shape (n_tasks,); they sum to f(W)."""
        return self.task_values_and_gradient(W)[0]

    def task_values_and_gradient(self, W):
        """Per-task losses (n_tasks,) and the gradient (n_features, n_tasks).

        Column ``t`` of the gradient is the gradient of task ``t``'s loss, which
        depends on ``w_t`` only; one pass over the data.
        """
        if self.gram_route:
            return self._gram_task_values_and_gradient(W)
        AR, R = self._weighted_residual(W)
        if self.mode == "long":
            values = 0.5 * np.bincount(
                self.codes, weights=AR * R, minlength=self.n_tasks
            )
        else:
            values = 0.5 * np.sum(AR * R, axis=0)
        return values, -self._xt(AR)

    def hessian_apply(self, V):
        """Hessian of f applied to V: ``(H_t v_t)_t``."""
        if self.gram_route:
            return self._gram_apply(V)
        XV = self._xw(V)
        AXV = self.a * XV if self.mode == "long" else self.A * XV
        return self._xt(AXV)

    def hessian_diagonal(self):
        """Diagonal of each task's Hessian ``H_t``, shape (n_features, n_tasks).

        The weighted variance of each feature within each task (its second
        moment without intercept); preconditioners use it. One pass over X
        (none when the ``H_t`` are at hand).
        """
        if self.gram_route or self._H is not None:
            D = np.diagonal(self._gram_matrices(), axis1=1, axis2=2).T
            return np.ascontiguousarray(
                np.broadcast_to(D, (self.n_features, self.n_tasks))
            )
        D = np.empty((self.n_features, self.n_tasks))
        for t in range(self.n_tasks):
            if self.mode == "shared":
                X_t, a = self.X, self.A[:, 0]
            else:
                X_t, _, a = self._task_rows(t)
            m = self.X_offset[t]
            if self.sparse:
                aX = np.asarray(X_t.multiply(a[:, None]).sum(axis=0)).ravel()
                aX2 = np.asarray(X_t.multiply(X_t).multiply(a[:, None]).sum(axis=0))
                aX2 = aX2.ravel()
            else:
                aX, aX2 = a @ X_t, a @ (X_t * X_t)
            D[:, t] = aX2 - 2 * m * aX + a.sum() * m * m
            if self.mode == "shared":
                D[:] = D[:, :1]
                break
        return np.maximum(D, 0.0)

    @property
    def lipschitz_tasks(self):
        """Largest Hessian eigenvalue of each task, ndarray of shape (n_tasks,).

        Exact from the ``H_t`` on the Gram route (a relative margin of
        ``1e-10`` covers the rounding); otherwise by power iteration on all
        tasks at once (each column of the iterate is one task's vector, the
        tasks' Hessians being block-diagonal), with a 2% margin.
        """
        if self._lipschitz is None and (self.gram_route or self._H is not None):
            lam = np.linalg.eigvalsh(self._gram_matrices())[:, -1]
            lam = np.maximum(lam, 0.0) * (1 + 1e-10)
            self._lipschitz = np.broadcast_to(lam, self.n_tasks).copy()
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
    @property
    def n_design_rows(self):
        """Rows of the one dense design shared by all tasks, else None.

        Set for wide data without missing labels and a dense ``X``, the layout
        of :meth:`design_columns`.
        """
        if self.mode != "shared" or self.sparse:
            return None
        return self.Xc.shape[0]

    def design_columns(self, features):
        """``(Xt, Ys)`` with ``f(W) = 1/2 ||Ys - Xt^T W||^2`` on ``features``.

        Only when :attr:`n_design_rows` is set: ``Xt`` (k, n_samples) holds
        the features' weighted, centred columns as rows and ``Ys`` the
        weighted, centred targets, what coordinate descent with the residual
        needs.
        """
        sqrt_a = np.sqrt(self.A[:, 0])
        Xt = np.ascontiguousarray((self.Xc[:, features] * sqrt_a[:, None]).T)
        return Xt, self.Y * sqrt_a[:, None]

    @property
    def value0(self):
        """f(0), the objective of the null model."""
        if self._value0 is None:
            self._value0 = self.value(np.zeros((self.n_features, self.n_tasks)))
        return self._value0

    @property
    def b0(self):
        """Linear term ``-gradient(0)``, shape (n_features, n_tasks)."""
        if self._b0 is None and self.gram_route:
            self._gram_matrices()
        if self._b0 is None:
            self._b0 = -self.gradient(np.zeros((self.n_features, self.n_tasks)))
        return self._b0

    @property
    def pass_cost(self):
        """Multiply-adds of one gradient pass over X (0 with the H_t at hand)."""
        if self._H is not None or self._use_full_gram():
            return 0
        X = self.X
        nnz = X.nnz if self.sparse else X.shape[0] * X.shape[1]
        return nnz if self.mode == "long" else nnz * self.n_tasks

    @property
    def shared_gram(self):
        """True when every task has the same Gram matrix."""
        return len(self._H) == 1 if self._H is not None else self.mode == "shared"

    def _use_full_gram(self):
        # shared mode, no H yet: the full d x d Gram (n d^2 flops) pays off
        # for a working-set solver when it costs less than the passes over X
        # it saves (about 10 of n d T flops each) and n >= d
        if self.mode != "shared" or self.sparse:
            return False
        n, d = self.X.shape
        return n >= d and d <= max(256, 10 * self.n_tasks)

    def value_and_gradient_fast(self, W):
        """:meth:`value_and_gradient` through the ``H_t`` when they are at hand.

        Same result (up to rounding); never builds the ``H_t`` (a working-set
        solver needs few full gradients), so costs a pass over X until
        :meth:`gram` or an evaluation on the Gram route built them, and
        O(d k T) for W with k non-zero rows after.
        """
        if self._H is None:
            if self._rows is not None:
                return self._compiled_pass(W)
            AR, R = self._weighted_residual(W)
            return 0.5 * float(np.sum(AR * R)), -self._xt(AR)
        values, grad = self._gram_task_values_and_gradient(W)
        return float(values.sum()), grad

    def cvxpy_objective(self, W):
        """The same objective as a cvxpy expression of Variable W (d, T)."""
        import cvxpy as cp

        terms = []
        if self.data is None:  # from statistics: H_t = F_t F_t^T
            H = self._gram_matrices()
            for t in range(self.n_tasks):
                lam, V = np.linalg.eigh(H[min(t, len(H) - 1)])
                F = V * np.sqrt(np.maximum(lam, 0.0))
                w = W[:, t]
                value = 0.5 * cp.sum_squares(F.T @ w) - self.b0[:, t] @ w
                terms.append(value + self._value0_tasks[t])
            return cp.sum(cp.hstack(terms)) if len(terms) > 1 else terms[0]
        data = self.data
        for t, idx, y_t, s_t in data.iter_tasks():
            X_t = data.X[idx]
            X_t = X_t.toarray() if sp.issparse(X_t) else X_t
            Xc = X_t - self.X_offset[t]
            yc = y_t - self.y_offset[t]
            sw = np.sqrt(s_t / s_t.sum())
            terms.append(0.5 * cp.sum_squares(sw * yc - (sw[:, None] * Xc) @ W[:, t]))
        return cp.sum(cp.hstack(terms)) if len(terms) > 1 else terms[0]
