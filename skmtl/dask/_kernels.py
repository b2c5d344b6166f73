"""Per-block sufficient statistics of the least-squares datafit (numpy arrays).

One call summarises one block of rows (a chunk of a dask array, a partition
of a dask DataFrame) into per-fold, per-task sums; the dask graph
(:mod:`._statistics`) adds the blocks' sums up. Each function returns a dict
of arrays with a leading fold axis of length ``n_folds``:

``n`` (K, T) total sample weight, ``count`` (K, T) labelled rows of positive
weight, ``sum_x`` (K, T, d), ``sum_y`` (K, T), ``xty`` (K, T, d), ``yty``
(K, T), and the Gram matrices split in two: ``xtx_shared`` (K, d, d) over the
rows labelled for every task (wide data) and ``xtx_tasks`` (K, T, d, d) over
the others (long data: every row), each ``None`` when no row of the block
needs it. Wide rows labelled for every task add to ``n``, ``sum_x`` of every
task, but their Gram product is formed once.
"""

import numpy as np

from ..utils._accel import jit, use_numba

__all__ = ["add_statistics", "long_block_statistics", "wide_block_statistics"]


def add_statistics(*parts):
    """Sum of blocks' statistics (``None`` Gram parts count as zero)."""
    parts = [p for p in parts if p is not None]
    out = {}
    for key in parts[0]:
        values = [p[key] for p in parts if p[key] is not None]
        if not values:
            out[key] = None
            continue
        total = values[0].copy()
        for v in values[1:]:
            total += v
        out[key] = total
    return out


def _empty(n_folds, n_tasks, d):
    return {
        "n": np.zeros((n_folds, n_tasks)),
        "count": np.zeros((n_folds, n_tasks)),
        "sum_x": np.zeros((n_folds, n_tasks, d)),
        "sum_y": np.zeros((n_folds, n_tasks)),
        "xty": np.zeros((n_folds, n_tasks, d)),
        "yty": np.zeros((n_folds, n_tasks)),
        "xtx_shared": None,
        "xtx_tasks": None,
    }


def _check_block(X, y, s):
    if not np.all(np.isfinite(X)):
        raise ValueError(
            "X contains NaN or infinity (in one of the dask blocks): every "
            "feature value must be finite."
        )
    if np.any(np.isinf(y)):
        raise ValueError("y contains inf; targets must be finite (NaN = no label).")
    if s is not None and not (np.all(np.isfinite(s)) and np.all(s >= 0)):
        raise ValueError("sample_weight must be finite and non-negative.")


@jit()
def _long_kernel(X, codes, folds, y, s, n, count, sx, sy, xtx, xty, yty):
    d = X.shape[1]
    for i in range(X.shape[0]):
        yi = y[i]
        w = s[i]
        if yi != yi or w == 0.0:  # no label (NaN), or no weight
            continue
        t = codes[i]
        f = folds[i]
        n[f, t] += w
        count[f, t] += 1.0
        sy[f, t] += w * yi
        yty[f, t] += w * yi * yi
        for a in range(d):
            xa = w * X[i, a]
            sx[f, t, a] += xa
            xty[f, t, a] += xa * yi
            for b in range(a + 1):
                xtx[f, t, a, b] += xa * X[i, b]


def _long_numpy(X, codes, folds, y, s, out):
    """The numpy route of :func:`_long_kernel`: one product per (fold, task)."""
    T = out["n"].shape[1]
    if len(codes) == 0:  # an empty block, or no labelled row in it
        return
    key = folds.astype(np.int64) * T + codes
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    ends = np.r_[starts[1:], len(key)]
    xtx = out["xtx_tasks"]
    for lo, hi in zip(starts, ends, strict=True):
        f, t = divmod(int(key[lo]), T)
        rows = order[lo:hi]
        X_t, y_t, s_t = X[rows], y[rows], s[rows]
        sX = X_t * s_t[:, None]
        out["n"][f, t] += s_t.sum()
        out["count"][f, t] += np.count_nonzero(s_t)
        out["sum_y"][f, t] += s_t @ y_t
        out["yty"][f, t] += s_t @ (y_t * y_t)
        out["sum_x"][f, t] += sX.sum(axis=0)
        out["xty"][f, t] += sX.T @ y_t
        xtx[f, t] += np.tril(X_t.T @ sX)


def long_block_statistics(X, codes, y, s, folds, n_folds, n_tasks):
    """Statistics of a block of long rows.

    Parameters
    ----------
    X : ndarray of shape (n_rows, n_features)
        Features (task column removed).
    codes : ndarray of shape (n_rows,)
        Task index of each row.
    y : ndarray of shape (n_rows,)
        Targets, NaN where unlabelled.
    s : ndarray of shape (n_rows,) or None
        Sample weights.
    folds : ndarray of shape (n_rows,)
        Fold of each row (zeros without cross-validation).
    n_folds, n_tasks : int
        Sizes of the leading axes.

    Returns
    -------
    stats : dict
        See the module docstring.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).ravel()
    _check_block(X, y, s)
    d = X.shape[1]
    out = _empty(n_folds, n_tasks, d)
    out["xtx_tasks"] = np.zeros((n_folds, n_tasks, d, d))
    s = np.ones(len(y)) if s is None else np.asarray(s, dtype=np.float64).ravel()
    codes = np.asarray(codes, dtype=np.int64)
    folds = np.asarray(folds, dtype=np.int64)
    if use_numba(X.size):
        _long_kernel(
            np.ascontiguousarray(X),
            codes,
            folds,
            y,
            s,
            out["n"],
            out["count"],
            out["sum_x"],
            out["sum_y"],
            out["xtx_tasks"],
            out["xty"],
            out["yty"],
        )
    else:
        keep = ~np.isnan(y) & (s != 0)
        _long_numpy(X[keep], codes[keep], folds[keep], y[keep], s[keep], out)
    xtx = out["xtx_tasks"]  # lower triangles: mirror them
    xtx += np.tril(xtx, -1).swapaxes(-1, -2)
    return out


def wide_block_statistics(X, Y, s, folds, n_folds):
    """Statistics of a block of wide rows (``Y`` with NaN for missing labels).

    Rows labelled for every task add one Gram product to ``xtx_shared``;
    the others add their product to ``xtx_tasks`` of each task they are
    labelled for. Parameters as :func:`long_block_statistics`, with ``Y`` of
    shape (n_rows, n_tasks).
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if Y.ndim == 1:
        Y = Y[:, None]
    _check_block(X, Y, s)
    d, T = X.shape[1], Y.shape[1]
    out = _empty(n_folds, T, d)
    s = np.ones(len(Y)) if s is None else np.asarray(s, dtype=np.float64).ravel()
    folds = np.asarray(folds, dtype=np.int64)
    labelled = ~np.isnan(Y)
    complete = labelled.all(axis=1)
    Y0 = np.where(labelled, Y, 0.0)
    for f in np.unique(folds):
        in_f = folds == f
        for full in (True, False):
            rows = np.flatnonzero(in_f & (complete == full))
            if len(rows) == 0:
                continue
            X_f, s_f = X[rows], s[rows]
            W = labelled[rows] * s_f[:, None]  # (rows, T) weight of each cell
            Y_f = Y0[rows]
            if full:  # identical for every task: computed once
                out["n"][f] += s_f.sum()
                out["count"][f] += np.count_nonzero(s_f)
                out["sum_x"][f] += (s_f @ X_f)[None, :]
            else:
                out["n"][f] += W.sum(axis=0)
                out["count"][f] += np.count_nonzero(W, axis=0)
                out["sum_x"][f] += W.T @ X_f
            out["sum_y"][f] += np.sum(W * Y_f, axis=0)
            out["yty"][f] += np.sum(W * Y_f * Y_f, axis=0)
            out["xty"][f] += (W * Y_f).T @ X_f
            if full:
                if out["xtx_shared"] is None:
                    out["xtx_shared"] = np.zeros((n_folds, d, d))
                out["xtx_shared"][f] += X_f.T @ (X_f * s_f[:, None])
                continue
            if out["xtx_tasks"] is None:
                out["xtx_tasks"] = np.zeros((n_folds, T, d, d))
            for t in range(T):
                w_t = W[:, t]
                used = np.flatnonzero(w_t)
                if len(used):
                    X_t = X_f[used]
                    out["xtx_tasks"][f, t] += X_t.T @ (X_t * w_t[used, None])
    return out
