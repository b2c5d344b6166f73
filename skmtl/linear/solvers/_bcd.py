"""Block coordinate descent over the rows of W in Gram space (compiled).

The working-set inner problem

.. math::

    \\min_W \\sum_t \\tfrac12 w_t^\\top G_t w_t - b_t^\\top w_t + \\Omega(W)

with per-task Gram blocks ``G_t`` and a penalty separable over the rows of W
is solved one row (one feature in every task) at a time: the row's gradient
comes from a maintained ``G W``, the step is ``1 / max_t G_t[j, j]`` (the row
block's Lipschitz constant) and the update is the penalty's row prox. An
epoch costs ``n_tasks * k**2`` multiply-adds, as one FISTA step does, but
coordinate descent needs far fewer epochs, and compiled it has no Python
overhead per epoch. Used when numba is installed and the penalty declares a
row prox the kernel knows (``row_prox_kind``: ``'l21'`` with parameters
``(alpha * l1_ratio, alpha * (1 - l1_ratio))``, or ``'l1'`` with
``(alpha, 0)``); other penalties keep restarted FISTA.
"""

import numpy as np

from ...utils._accel import jit

__all__ = ["bcd_epochs", "row_prox_params"]

_KINDS = {"l21": 0, "l1": 1}


def row_prox_params(penalty):
    """``(kind_code, a1, a2)`` for the compiled row prox, or None."""
    spec = getattr(penalty, "row_prox_kind", None)
    if spec is None:
        return None
    kind, a1, a2 = spec()
    return _KINDS[kind], float(a1), float(a2)


@jit()
def _bcd_epochs(G, B, W, GW, lips, kind, a1, a2, n_epochs):  # pragma: no cover
    # G (T, k, k), B (k, T), W (k, T) updated in place, GW (T, k) = G_t w_t
    T = G.shape[0]
    k = G.shape[1]
    z = np.empty(T)
    for _ in range(n_epochs):
        for j in range(k):
            L = lips[j]
            if L <= 0.0:
                continue
            nrm = 0.0
            for t in range(T):
                zt = W[j, t] - (GW[t, j] - B[j, t]) / L
                z[t] = zt
                nrm += zt * zt
            if kind == 0:
                nrm = np.sqrt(nrm)
                thr = a1 / L
                scale = 0.0
                if nrm > thr:
                    scale = (1.0 - thr / nrm) / (1.0 + a2 / L)
                for t in range(T):
                    z[t] = z[t] * scale
            else:
                thr = a1 / L
                for t in range(T):
                    zt = z[t]
                    if zt > thr:
                        z[t] = zt - thr
                    elif zt < -thr:
                        z[t] = zt + thr
                    else:
                        z[t] = 0.0
            for t in range(T):
                delta = z[t] - W[j, t]
                if delta != 0.0:
                    W[j, t] = z[t]
                    g = G[t, j]
                    gw = GW[t]
                    for i in range(k):
                        gw[i] += g[i] * delta


def bcd_epochs(G, B, W, GW, lips, params, n_epochs):
    """Run ``n_epochs`` epochs in place on ``W`` (k, T) and ``GW`` (T, k)."""
    kind, a1, a2 = params
    _bcd_epochs(G, B, W, GW, lips, kind, a1, a2, int(n_epochs))
