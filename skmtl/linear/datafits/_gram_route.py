"""The Gram route of :class:`Quadratic`: Gram blocks on a set of features.

The working-set solver asks its datafit for the Gram blocks of each working
set (``gram``); these methods build them from the per-task ``H_t`` when they
are at hand, else from the columns of the working set only (gathered in one
pass on the compiled route), and cache the columns and blocks already built
along a path.
"""

import numpy as np

from ._kernels import gather_columns

__all__ = ["GramRouteMixin"]


class GramRouteMixin:
    """``gram(features)`` and its caches, for :class:`Quadratic`."""

    def gram(self, features):
        """Gram blocks on ``features``: ``(G, B)``.

        ``G`` has shape (k, k) when every task has the same Gram matrix
        (:attr:`shared_gram`) and (n_tasks, k, k) otherwise; ``B =
        b0[features]`` has shape (k, n_tasks). Slices of the ``H_t`` when
        they are at hand (or worth building: shared mode, ``n >= d`` and
        ``d`` small), else products with the columns of ``features`` only.
        """
        features = np.asarray(features, dtype=np.intp)
        if self._H is not None or self._use_full_gram():
            H = self._gram_matrices()
            self._prefetched = None  # used now or never
            B = self.b0[features]
            if len(H) == 1:
                return H[0][np.ix_(features, features)], B
            return H[:, features[:, None], features[None, :]], B
        B = self.b0[features]
        if self.mode == "shared":
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
