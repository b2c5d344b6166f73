"""Compiled passes over dense long data (task-grouped rows), used with numba.

Each function reads every row of X once. ``X`` is given as ``(B, width)`` from
:func:`skmtl.utils._accel.c_rows` (C-contiguous rows of which the first
``width`` entries are the features), ``starts`` holds the first row of each
task (length ``n_tasks + 1``). Callers keep a numpy route for when numba is
missing (see :mod:`skmtl.utils._accel`).
"""

import numpy as np

from ...utils._accel import jit

__all__ = ["first_pass", "gather_columns", "gather_rows", "residual_gradient"]


@jit(fastmath={"reassoc", "contract"})
def _residual_gradient(B, width, y, a, starts, W, offsets, G, sums):  # pragma: no cover
    # residual r_i = y_i - x_i . W[:, t] + offsets_t for row i of task t (W
    # empty: W = 0); G[t] += a_i r_i x_i, sums[t] += a_i r_i; returns
    # sum a_i r_i^2. Two rows per step and a local accumulator (which cannot
    # alias X) let the loops vectorise fully.
    T = starts.shape[0] - 1
    value = 0.0
    k = W.shape[0]
    wide = width >= 512
    buf = np.zeros(width)
    for t in range(T):
        buf[:] = 0.0
        w = W[:, t] if k > 0 else W[:0, 0]
        off = offsets[t]
        s = 0.0
        i = starts[t]
        stop = starts[t + 1]
        while wide and i + 4 <= stop:  # long rows: four dot products in flight
            r0, r1, r2, r3 = B[i], B[i + 1], B[i + 2], B[i + 3]
            p0 = p1 = p2 = p3 = 0.0
            if k > 0:
                for j in range(width):
                    wj = w[j]
                    p0 += r0[j] * wj
                    p1 += r1[j] * wj
                    p2 += r2[j] * wj
                    p3 += r3[j] * wj
            q0 = y[i] - p0 + off
            q1 = y[i + 1] - p1 + off
            q2 = y[i + 2] - p2 + off
            q3 = y[i + 3] - p3 + off
            e0, e1, e2, e3 = a[i] * q0, a[i + 1] * q1, a[i + 2] * q2, a[i + 3] * q3
            value += e0 * q0 + e1 * q1 + e2 * q2 + e3 * q3
            s += e0 + e1 + e2 + e3
            for j in range(width):
                buf[j] += e0 * r0[j] + e1 * r1[j] + e2 * r2[j] + e3 * r3[j]
            i += 4
        while i < stop:
            two = i + 1 < stop
            r0 = B[i]
            r1 = B[i + 1] if two else B[i]
            p0 = 0.0
            p1 = 0.0
            if k > 0:
                for j in range(width):
                    p0 += r0[j] * w[j]
                    p1 += r1[j] * w[j]
            e0 = a[i] * (y[i] - p0 + off)
            e1 = a[i + 1] * (y[i + 1] - p1 + off) if two else 0.0
            value += e0 * (y[i] - p0 + off)
            if two:
                value += e1 * (y[i + 1] - p1 + off)
            s += e0 + e1
            for j in range(width):
                buf[j] += e0 * r0[j] + e1 * r1[j]
            i += 2
        G[t, :] = buf
        sums[t] = s
    return value


def residual_gradient(rows, y, a, starts, W, offsets):
    """One pass: ``(sum_i a_i r_i^2, G, sums)`` for ``W`` of shape (d, T).

    An empty or all-zero ``W`` means ``W = 0`` (no residual products). ``G[t]`` is
    ``sum_{i in t} a_i r_i x_i`` and ``sums[t] = sum_{i in t} a_i r_i``.
    """
    B, width = rows
    T = len(starts) - 1
    G = np.zeros((T, width))
    sums = np.zeros(T)
    # a dense dot over the whole row vectorises; reading only the non-zero
    # rows' entries (a gather) measured slower even at 6 % of the rows
    W = np.ascontiguousarray(W.T).T if W.size and W.any() else np.zeros((0, T))
    value = _residual_gradient(B, width, y, a, starts, W, offsets, G, sums)
    return float(value), G, sums


@jit()
def _gather_ranges(B, cols, out, lo, hi):  # pragma: no cover - compiled
    k = cols.shape[0]
    for t in range(lo.shape[0]):
        for i in range(lo[t], hi[t]):
            row = B[i]
            o = out[i]
            for j in range(k):
                o[j] = row[cols[j]]


def gather_rows(rows, cols, out, lo, hi):
    """Fill ``out[i] = X[i, cols]`` for the rows ``lo[t] <= i < hi[t]``."""
    _gather_ranges(
        rows[0],
        np.asarray(cols, dtype=np.intp),
        out,
        np.asarray(lo, dtype=np.intp),
        np.asarray(hi, dtype=np.intp),
    )


def gather_columns(rows, cols):
    """``X[:, cols]`` as a C-contiguous (n_samples, k) array, in one pass."""
    B, width = rows
    cols = np.asarray(cols, dtype=np.intp)
    if len(cols) and (cols.min() < 0 or cols.max() >= width):
        raise IndexError("column index out of range")
    out = np.empty((B.shape[0], len(cols)), dtype=B.dtype)
    everything = np.array([0]), np.array([B.shape[0]])
    gather_rows(rows, cols, out, *everything)
    return out


@jit(fastmath={"reassoc", "contract"})
def _first_pass(
    B, width, y, a, lo, hi, G, M, want_means, cols, out
):  # pragma: no cover
    # rows lo[t] <= i < hi[t] of task t: G[t] += a_i y_i x_i, M[t] += a_i x_i
    # (if want_means), out[i] = x_i[cols] (if cols is not empty); returns the
    # sum of x_ij^2 over every row read (zero-weight rows included); two rows
    # per step (four for long rows) into local accumulators
    T = lo.shape[0]
    total = 0.0
    wide = width >= 512
    k = cols.shape[0]
    g = np.zeros(width)
    m = np.zeros(width)
    for t in range(T):
        g[:] = 0.0
        m[:] = 0.0
        i = lo[t]
        stop = hi[t]
        while wide and not want_means and i + 4 <= stop:  # long rows
            r0, r1, r2, r3 = B[i], B[i + 1], B[i + 2], B[i + 3]
            c0, c1 = a[i] * y[i], a[i + 1] * y[i + 1]
            c2, c3 = a[i + 2] * y[i + 2], a[i + 3] * y[i + 3]
            q0 = 0.0
            q1 = 0.0
            for j in range(width):
                v0, v1, v2, v3 = r0[j], r1[j], r2[j], r3[j]
                g[j] += c0 * v0 + c1 * v1 + c2 * v2 + c3 * v3
                q0 += v0 * v0 + v1 * v1
                q1 += v2 * v2 + v3 * v3
            total += q0 + q1
            for j in range(k):
                c = cols[j]
                out[i, j] = r0[c]
                out[i + 1, j] = r1[c]
                out[i + 2, j] = r2[c]
                out[i + 3, j] = r3[c]
            i += 4
        while i < stop:
            two = i + 1 < stop
            r0 = B[i]
            r1 = B[i + 1] if two else B[i]
            a0 = a[i]
            a1 = a[i + 1] if two else 0.0
            c0 = a0 * y[i]
            c1 = a1 * y[i + 1] if two else 0.0
            acc = 0.0
            if want_means:
                for j in range(width):
                    v0 = r0[j]
                    v1 = r1[j]
                    g[j] += c0 * v0 + c1 * v1
                    m[j] += a0 * v0 + a1 * v1
                    acc += v0 * v0 + v1 * v1
            else:
                for j in range(width):
                    v0 = r0[j]
                    v1 = r1[j]
                    g[j] += c0 * v0 + c1 * v1
                    acc += v0 * v0 + v1 * v1
            if not two:  # r1 repeated r0: count it once
                acc *= 0.5
            total += acc
            for j in range(k):
                c = cols[j]
                out[i, j] = r0[c]
                if two:
                    out[i + 1, j] = r1[c]
            i += 2
        G[t, :] = g
        M[t, :] = m
    return total


_NO_COLS = np.zeros(0, dtype=np.intp)


def first_pass(rows, y, a, starts, want_means, lo=None, hi=None, cols=None, out=None):
    """One pass: ``(G, M, sum_sq)`` with ``G[t] = sum_{i in t} a_i y_i x_i``,
    ``M[t] = sum_{i in t} a_i x_i`` (zeros unless ``want_means``) and the sum
    of squares of every entry read (NaN or inf if any entry is).

    ``lo``/``hi`` restrict task ``t`` to rows ``lo[t] <= i < hi[t]`` (default:
    all its rows); with ``cols``, ``out[i] = X[i, cols]`` is filled for every
    row read (a gather at no extra pass).
    """
    B, width = rows
    starts = np.asarray(starts, dtype=np.intp)
    lo = starts[:-1] if lo is None else np.asarray(lo, dtype=np.intp)
    hi = starts[1:] if hi is None else np.asarray(hi, dtype=np.intp)
    T = len(lo)
    G = np.zeros((T, width))
    M = np.zeros((T, width))
    if cols is None:
        cols, out = _NO_COLS, np.zeros((0, 0))
    total = _first_pass(B, width, y, a, lo, hi, G, M, bool(want_means), cols, out)
    return G, M, float(total)
