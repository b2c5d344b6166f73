"""Compiled passes over dense long data (task-grouped rows), used with numba.

Each function reads every row of X once. ``X`` is given as ``(B, width)`` from
:func:`skmtl.utils._accel.c_rows` (C-contiguous rows of which the first
``width`` entries are the features), ``starts`` holds the first row of each
task (length ``n_tasks + 1``). Callers keep a numpy route for when numba is
missing (see :mod:`skmtl.utils._accel`).
"""

import numpy as np

from ...utils._accel import jit

__all__ = ["first_pass", "gather_columns", "residual_gradient"]


@jit(fastmath={"reassoc", "contract"})
def _residual_gradient(
    B, width, y, a, starts, W, rows, offsets, G, sums
):  # pragma: no cover
    # residual r_i = y_i - x_i[rows] . W[:, t] + offsets_t, for row i of task
    # t (W holds the rows ``rows`` of the coefficients, or all of them when
    # ``rows`` is empty and W is not); G[t] += a_i r_i x_i, sums[t] += a_i
    # r_i; returns sum a_i r_i^2
    T = starts.shape[0] - 1
    value = 0.0
    k = W.shape[0]
    sparse = rows.shape[0] > 0
    for t in range(T):
        g = G[t]
        w = W[:, t] if k > 0 else W[:0, 0]
        s = 0.0
        for i in range(starts[t], starts[t + 1]):
            row = B[i]
            ai = a[i]
            if ai == 0.0:
                continue
            p = 0.0
            if sparse:
                for j in range(k):
                    p += row[rows[j]] * w[j]
            elif k > 0:
                for j in range(width):
                    p += row[j] * w[j]
            r = y[i] - p + offsets[t]
            ar = ai * r
            value += ar * r
            s += ar
            for j in range(width):
                g[j] += ar * row[j]
        sums[t] = s
    return value


def residual_gradient(rows, y, a, starts, W, offsets):
    """One pass: ``(sum_i a_i r_i^2, G, sums)`` for ``W`` of shape (d, T).

    An empty or all-zero ``W`` means ``W = 0``; with few non-zero rows only
    their entries of each row of X enter the residual. ``G[t]`` is
    ``sum_{i in t} a_i r_i x_i`` and ``sums[t] = sum_{i in t} a_i r_i``.
    """
    B, width = rows
    T = len(starts) - 1
    G = np.zeros((T, width))
    sums = np.zeros(T)
    used = np.flatnonzero(np.any(W != 0, axis=1)) if W.size else None
    if used is None or len(used) == 0:
        W, used = np.zeros((0, T)), np.zeros(0, dtype=np.intp)
    elif len(used) <= width // 4:  # few non-zero rows: read only those entries
        W = np.ascontiguousarray(W[used].T).T
    else:
        W, used = np.ascontiguousarray(W.T).T, np.zeros(0, dtype=np.intp)
    value = _residual_gradient(B, width, y, a, starts, W, used, offsets, G, sums)
    return float(value), G, sums


@jit()
def _gather_columns(B, cols, out):  # pragma: no cover - compiled
    k = cols.shape[0]
    for i in range(out.shape[0]):
        row = B[i]
        o = out[i]
        for j in range(k):
            o[j] = row[cols[j]]


def gather_columns(rows, cols):
    """``X[:, cols]`` as a C-contiguous (n_samples, k) array, in one pass."""
    B, width = rows
    cols = np.asarray(cols, dtype=np.intp)
    if len(cols) and (cols.min() < 0 or cols.max() >= width):
        raise IndexError("column index out of range")
    out = np.empty((B.shape[0], len(cols)), dtype=B.dtype)
    _gather_columns(B, cols, out)
    return out


@jit(fastmath={"reassoc", "contract"})
def _first_pass(B, width, y, a, starts, G, M, want_means):  # pragma: no cover
    # G[t] += a_i y_i x_i, M[t] += a_i x_i (if want_means); returns sum x_ij^2
    # over every row of the blocks (zero-weight rows included)
    T = starts.shape[0] - 1
    total = 0.0
    for t in range(T):
        g = G[t]
        m = M[t]
        for i in range(starts[t], starts[t + 1]):
            row = B[i]
            ai = a[i]
            ay = ai * y[i]
            acc = 0.0
            if want_means:
                for j in range(width):
                    v = row[j]
                    g[j] += ay * v
                    m[j] += ai * v
                    acc += v * v
            else:
                for j in range(width):
                    v = row[j]
                    g[j] += ay * v
                    acc += v * v
            total += acc
    return total


def first_pass(rows, y, a, starts, want_means):
    """One pass: ``(G, M, sum_sq)`` with ``G[t] = sum_{i in t} a_i y_i x_i``,
    ``M[t] = sum_{i in t} a_i x_i`` (zeros unless ``want_means``) and the sum
    of squares of every entry read (NaN or inf if any entry is).
    """
    B, width = rows
    T = len(starts) - 1
    G = np.zeros((T, width))
    M = np.zeros((T, width))
    total = _first_pass(B, width, y, a, starts, G, M, bool(want_means))
    return G, M, float(total)
