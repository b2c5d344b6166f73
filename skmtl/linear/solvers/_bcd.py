"""Block coordinate descent over the rows of W in Gram space (compiled).

The working-set inner problem

.. math::

    \\min_W \\sum_t \\tfrac12 w_t^\\top G_t w_t - b_t^\\top w_t + \\Omega(W)

with per-task Gram blocks ``G_t`` and a penalty separable over the rows of W
is solved one row (one feature in every task) at a time, exactly: with the
other rows fixed, the row's curvature is ``diag_t(G_t[j, j])``, so the row
minimiser is a soft-thresholding with each task's own curvature (lasso
entries), or for the group-lasso row ``w_t = c_t rho / (M_t rho + a1)`` with
``rho = ||w||`` the root of a one-dimensional monotone equation (Newton's
method, a few steps). Tasks with very different curvatures (few rows per
task, unequal scales) therefore do not slow the descent, as a common step
would. The row gradients come from a maintained ``G W``. An epoch costs
``n_tasks * k**2`` multiply-adds, as one FISTA step does, but coordinate
descent needs far fewer epochs, and compiled it has no Python overhead per
epoch. Used when numba is installed and the penalty declares a row prox the
kernel knows (``row_prox_kind``: ``'l21'`` with parameters ``(alpha *
l1_ratio, alpha * (1 - l1_ratio))``, or ``'l1'`` with ``(alpha, 0)``; each
row has its own, so the stacked L2,1 and L1 parts of the dirty model are swept
together); other penalties keep restarted FISTA.

With one design shared by all tasks every row has a single curvature, and the
row minimiser is closed form (block soft-thresholding, no Newton steps). Two
kernels cover that case: :func:`bcd_gram_epochs` on the shared ``(k, k)``
Gram block (``k * n_tasks`` per row update) and :func:`bcd_design_epochs` on
the working set's columns of X with the residual (``2 n_samples * n_tasks``
per row update, the update of scikit-learn's multi-task coordinate descent),
cheaper once the working set is larger than twice the number of samples, and
needing no ``n k**2`` Gram block. Both give the same iterates.
"""

import numpy as np

from ...utils._accel import jit

__all__ = ["bcd_design_epochs", "bcd_epochs", "bcd_gram_epochs", "row_prox_params"]

_KINDS = {"l21": 0, "l1": 1}


def _partners(features):
    """For each row, the other row on the same feature (exactly two), else -1."""
    partner = np.full(len(features), -1, dtype=np.int64)
    if len(features) < 2:
        return partner
    order = np.argsort(features, kind="stable")
    f = np.asarray(features)[order]
    same = f[1:] == f[:-1]
    # a feature on three or more rows is left to row-by-row updates
    triple = np.zeros(len(f) - 1, dtype=bool)
    triple[1:] |= same[:-1] & same[1:]
    triple[:-1] |= same[:-1] & same[1:]
    pairs = np.flatnonzero(same & ~triple)
    partner[order[pairs]] = order[pairs + 1]
    partner[order[pairs + 1]] = order[pairs]
    return partner


def row_prox_params(penalty, n_rows, features=None):
    """Per-row ``(kind_codes, a1, a2, partner)`` for the compiled kernels, or None.

    A penalty declares its row prox by ``row_prox_kind()``: one ``(kind, a1,
    a2)`` for every row, or one per row (a stacked penalty restricted to a
    working set, so that the rows of the dirty model's two parts, L2,1 and
    L1, are updated in one sweep). ``features`` (the feature of each row, for
    stacked parts) pairs the two rows of a feature: the shared-design kernels
    minimise over both at once (``partner``, -1 for a row alone), where
    updating them one after the other would crawl along the direction that
    moves weight from one part to the other. None when some row has no
    compiled prox.
    """
    spec = getattr(penalty, "row_prox_kind", lambda: None)()
    if spec is None:
        return None
    kinds, a1, a2 = (np.broadcast_to(v, (n_rows,)) for v in spec)
    partner = _partners(features) if features is not None else np.full(n_rows, -1)
    names, inverse = np.unique(kinds, return_inverse=True)
    return (
        np.array([_KINDS[k] for k in names], dtype=np.int64)[inverse.ravel()],
        np.ascontiguousarray(a1, dtype=float),
        np.ascontiguousarray(a2, dtype=float),
        partner.astype(np.int64),
    )


@jit()
def _bcd_epochs(G, B, W, GW, D, kinds, a1s, a2s, n_epochs):  # pragma: no cover
    # G (T, k, k), B (k, T), W (k, T) updated in place, GW (T, k) = G_t w_t,
    # D (T, k) = diagonals of the G_t. Each row update is the exact minimiser
    # over that row: the row's Hessian is diag_t(G_t[j, j]).
    T = G.shape[0]
    k = G.shape[1]
    new = np.empty(T)
    c = np.empty(T)
    for _ in range(n_epochs):
        for j in range(k):
            kind, a1, a2 = kinds[j], a1s[j], a2s[j]
            # c_t = G_t[j, j] w_jt - grad_jt: the row minimises
            # sum_t (M_t / 2) w_t^2 - c_t w_t + a1 ||w||  (M_t = G_t[j, j] + a2)
            norm2 = 0.0
            m_max = 0.0
            for t in range(T):
                ct = D[t, j] * W[j, t] - (GW[t, j] - B[j, t])
                c[t] = ct
                norm2 += ct * ct
                m_max = max(m_max, D[t, j] + a2)
            if kind == 0:  # group lasso row: w_t = c_t rho / (M_t rho + a1)
                norm = np.sqrt(norm2)
                if norm <= a1 or m_max <= 0.0:
                    for t in range(T):
                        new[t] = 0.0
                else:
                    # rho = ||w|| solves psi(rho) = sum (c_t / (M_t rho + a1))^2
                    # = 1; psi is convex and decreasing, and Newton's method
                    # from this lower bound of the root increases monotonically
                    rho = (norm - a1) / m_max
                    for _it in range(50):
                        psi = -1.0
                        dpsi = 0.0
                        for t in range(T):
                            m = D[t, j] + a2
                            q = 1.0 / (m * rho + a1)
                            e = c[t] * q
                            psi += e * e
                            dpsi -= 2.0 * e * e * m * q
                        if psi <= 0.0 or dpsi >= 0.0:
                            break
                        step = psi / dpsi
                        rho -= step
                        if -step <= 1e-10 * rho:  # quadratic convergence:
                            break  # the last step already reached rounding
                    for t in range(T):
                        new[t] = c[t] * rho / ((D[t, j] + a2) * rho + a1)
            else:  # lasso entries: soft-thresholding with each task's curvature
                for t in range(T):
                    m = D[t, j] + a2
                    ct = c[t]
                    if ct > a1 and m > 0.0:
                        new[t] = (ct - a1) / m
                    elif ct < -a1 and m > 0.0:
                        new[t] = (ct + a1) / m
                    else:
                        new[t] = 0.0
            for t in range(T):
                delta = new[t] - W[j, t]
                if delta != 0.0:
                    W[j, t] = new[t]
                    g = G[t, j]
                    gw = GW[t]
                    for i in range(k):
                        gw[i] += g[i] * delta


def bcd_epochs(G, B, W, GW, D, params, n_epochs):
    """Run ``n_epochs`` epochs in place on ``W`` (k, T) and ``GW`` (T, k).

    ``D`` (T, k) holds the diagonals of the Gram blocks.
    """
    kinds, a1, a2, _ = params  # per-task curvatures: rows one at a time
    _bcd_epochs(G, B, W, GW, D, kinds, a1, a2, int(n_epochs))


@jit()
def _row_minimiser(kind, a1, denom, c, out):  # pragma: no cover
    # out = argmin_w denom / 2 ||w||^2 - c^T w + a1 * norm(w): block
    # soft-thresholding (kind 0, L2 norm) or entrywise (kind 1, L1 norm)
    T = c.shape[0]
    if kind == 0:
        norm2 = 0.0
        for t in range(T):
            norm2 += c[t] * c[t]
        norm = np.sqrt(norm2)
        scale = (1.0 - a1 / norm) / denom if norm > a1 and denom > 0 else 0.0
        for t in range(T):
            out[t] = c[t] * scale
    else:
        for t in range(T):
            ct = c[t]
            if ct > a1 and denom > 0.0:
                out[t] = (ct - a1) / denom
            elif ct < -a1 and denom > 0.0:
                out[t] = (ct + a1) / denom
            else:
                out[t] = 0.0


@jit()
def _pair_minimiser(m, c, kinds, a1s, a2s, j, p, u, v, work):  # pragma: no cover
    # Rows j and p act on the same feature (the dirty model's two parts): they
    # jointly minimise m / 2 ||u + v||^2 - c^T (u + v) + Omega_j(u) +
    # Omega_p(v). Alternating exact minimisation, O(T) per round, until the
    # rows stop moving; u and v (the current rows) are updated in place.
    T = c.shape[0]
    for _ in range(100):
        change = 0.0
        size = 1e-300
        for t in range(T):
            work[t] = c[t] - m * v[t]
        _row_minimiser(kinds[j], a1s[j], m + a2s[j], work, work)
        for t in range(T):
            change = max(change, abs(work[t] - u[t]))
            u[t] = work[t]
            work[t] = c[t] - m * u[t]
        _row_minimiser(kinds[p], a1s[p], m + a2s[p], work, work)
        for t in range(T):
            change = max(change, abs(work[t] - v[t]))
            v[t] = work[t]
            size = max(size, abs(u[t]) + abs(v[t]))
        if change <= 1e-13 * size:
            break


# reassoc lets the dot products over samples vectorise (no nnan / ninf: a NaN
# must still propagate)
@jit(fastmath={"reassoc", "contract"})
def _bcd_shared_epochs(
    M, B, W, V, diag, design, kinds, a1s, a2s, partner, n_epochs
):  # pragma: no cover
    # One curvature per row, diag[j] (+ a2). Gram route (design False): M = G
    # (k, k), V = (G W)^T (T, k), row gradient V[:, j] - B[j]. Design route:
    # M = Xt (k, n), V = R^T = (Y - Xt^T W)^T (T, n), row gradient -R^T Xt[j].
    # Either way a change delta of row j adds sign * delta[t] * M[j] to V[t].
    # partner[j] >= 0: another row on the same feature (M[partner[j]] = M[j]);
    # the pair is updated jointly when the first of the two comes up.
    k, T = W.shape
    m_cols = M.shape[1]
    sign = -1.0 if design else 1.0
    c = np.empty(T)
    delta = np.empty(T)
    u = np.empty(T)
    v = np.empty(T)
    work = np.empty(T)
    for _ in range(n_epochs):
        for j in range(k):
            p = partner[j]
            if 0 <= p < j:  # updated with its partner
                continue
            m = diag[j]
            # c = m w - row gradient, w the feature's row (both parts summed)
            for t in range(T):
                w = W[j, t] + (W[p, t] if p >= 0 else 0.0)
                if design:
                    acc = 0.0
                    for i in range(m_cols):
                        acc += M[j, i] * V[t, i]
                    c[t] = m * w + acc
                else:
                    c[t] = m * w - (V[t, j] - B[j, t])
            if p >= 0:
                for t in range(T):
                    u[t] = W[j, t]
                    v[t] = W[p, t]
                _pair_minimiser(m, c, kinds, a1s, a2s, j, p, u, v, work)
                for t in range(T):
                    delta[t] = (u[t] - W[j, t]) + (v[t] - W[p, t])
                    W[j, t] = u[t]
                    W[p, t] = v[t]
            else:
                # the row minimises (m + a2) / 2 ||w||^2 - c^T w + a1 norm(w)
                _row_minimiser(kinds[j], a1s[j], m + a2s[j], c, work)
                for t in range(T):
                    delta[t] = work[t] - W[j, t]
                    W[j, t] = work[t]
            for t in range(T):
                d = delta[t]
                if d != 0.0:
                    d *= sign
                    for i in range(m_cols):
                        V[t, i] += d * M[j, i]


def bcd_gram_epochs(G, B, W, GWt, params, n_epochs):
    """``n_epochs`` epochs in place on ``W`` and ``GWt = (G W)^T`` (shared ``G``)."""
    kinds, a1, a2, partner = params
    diag = np.ascontiguousarray(np.diag(G))
    _bcd_shared_epochs(G, B, W, GWt, diag, False, kinds, a1, a2, partner, int(n_epochs))


def bcd_design_epochs(Xt, Rt, W, norms2, params, n_epochs):
    """``n_epochs`` epochs in place on ``W`` and ``Rt = (Y - Xt^T W)^T``.

    ``norms2`` holds the squared norms of the rows of ``Xt``.
    """
    kinds, a1, a2, partner = params
    _bcd_shared_epochs(
        Xt, W, W, Rt, norms2, True, kinds, a1, a2, partner, int(n_epochs)
    )
