"""Aggregation of per-task gradients on the shared parameters.

With ``G`` the (n_tasks, n_shared_params) matrix of task gradients ``g_t``,
every method here returns coefficients ``beta`` (n_tasks,) and the update
direction is ``d = beta^T G = sum_t beta_t g_t``. All of them only need the
Gramian ``K = G G^T`` (n_tasks x n_tasks), so they cost nothing next to the
backward passes. Coefficients are scaled so that equal weighting corresponds
to ``beta = 1`` (the gradient of the plain sum of the task losses).

* ``'mgda'``: min-norm point of the convex hull of the ``g_t`` (Desideri
  2012; Sener & Koltun 2018): ``alpha = argmin_{alpha in simplex}
  ||sum_t alpha_t g_t||^2``, closed form for two tasks, Frank-Wolfe with
  exact line search otherwise (polished by accelerated projected gradient
  on the simplex); ``beta = n_tasks * alpha``.
* ``'pcgrad'``: gradient surgery (Yu et al. 2020): for each ``i`` and each
  other ``j`` in random order, if ``g_i' . g_j < 0`` then
  ``g_i' -= (g_i' . g_j / ||g_j||^2) g_j``; ``d = sum_i g_i'``.
* ``'cagrad'``: conflict-averse gradient (Liu et al. 2021): with
  ``g_0 = mean_t g_t``, ``w = argmin_{w in simplex} g_w . g_0 +
  c ||g_0|| ||g_w||`` and ``d = (g_0 + c ||g_0|| / ||g_w|| g_w) / (1 + c)``;
  ``beta`` is ``n_tasks`` times the coefficients of ``d``.
* ``'nash'``: Nash bargaining (Navon et al. 2022): ``alpha > 0`` with
  ``alpha_t (K alpha)_t = 1`` for every task, the unique minimiser of the
  strictly convex ``1/2 alpha^T K alpha - sum_t log alpha_t`` (solved by
  damped Newton; a relative ridge of 1e-8 keeps it bounded when gradients
  are collinear); ``beta = alpha``.
"""

import numpy as np
from scipy.optimize import minimize

__all__ = ["AGGREGATORS", "cagrad", "get_aggregator", "mgda", "nash", "pcgrad"]


def _min_norm_2(K):
    """alpha_1 minimising ||a g_1 + (1 - a) g_2||^2 over [0, 1] (closed form)."""
    denom = K[0, 0] + K[1, 1] - 2 * K[0, 1]
    if denom <= 1e-20:
        return 0.5
    return float(np.clip((K[1, 1] - K[0, 1]) / denom, 0.0, 1.0))


def min_norm_weights(K, max_iter=250, tol=1e-6):
    """Simplex weights of the min-norm point of the hull of the gradients.

    Parameters
    ----------
    K : ndarray of shape (n_tasks, n_tasks)
        Gramian of the task gradients.
    max_iter : int, default=250
        Frank-Wolfe iterations (n_tasks > 2).
    tol : float, default=1e-6
        Stop when the line-search step is below ``tol``.

    Returns
    -------
    alpha : ndarray of shape (n_tasks,)
        Non-negative, summing to 1.
    """
    K = np.asarray(K, dtype=np.float64)
    T = K.shape[0]
    if T == 1:
        return np.ones(1)
    if T == 2:
        a = _min_norm_2(K)
        return np.array([a, 1.0 - a])
    # start from the best pair, then Frank-Wolfe with exact line search
    best, alpha = np.inf, None
    for i in range(T):
        for j in range(i + 1, T):
            a = _min_norm_2(K[np.ix_([i, j], [i, j])])
            v = a * a * K[i, i] + (1 - a) ** 2 * K[j, j] + 2 * a * (1 - a) * K[i, j]
            if v < best:
                best = v
                alpha = np.zeros(T)
                alpha[i], alpha[j] = a, 1 - a
    for _ in range(max_iter):
        Ka = K @ alpha
        t = int(np.argmin(Ka))
        # minimise over gamma ||(1 - gamma) u + gamma g_t||^2, u = alpha^T G
        aa = alpha @ Ka  # ||u||^2
        at = Ka[t]  # u . g_t
        tt = K[t, t]
        if at >= aa:
            gamma = 0.0
        elif at >= tt:
            gamma = 1.0
        else:
            gamma = (aa - at) / (aa + tt - 2 * at)
        new = (1 - gamma) * alpha
        new[t] += gamma
        if np.abs(new - alpha).sum() < tol:
            alpha = new
            break
        alpha = new
    return _polish(K, alpha)


def _project_simplex(v):
    """Euclidean projection onto the probability simplex."""
    u = np.sort(v)[::-1]
    css = np.cumsum(u) - 1.0
    ind = np.arange(1, len(v) + 1)
    rho = np.nonzero(u - css / ind > 0)[0][-1]
    return np.maximum(v - css[rho] / (rho + 1.0), 0.0)


def _polish(K, alpha, n_iter=500):
    """Accelerated projected gradient on ``alpha^T K alpha`` from the FW point.

    Frank-Wolfe converges sublinearly; a few cheap (n_tasks x n_tasks)
    projected steps make the min-norm weights accurate.
    """
    L = 2.0 * np.linalg.eigvalsh(K)[-1]
    if L <= 0:
        return alpha
    # Frank-Wolfe duality gap 2 (x^T K x - min_t (K x)_t) >= f(x) - f*: stop
    # once it is negligible against the scale of the gradients
    gap_tol = 1e-10 * np.max(np.diag(K))
    Ka = K @ alpha
    if 2 * (alpha @ Ka - Ka.min()) <= gap_tol:
        return alpha
    x, y, t = alpha.copy(), alpha.copy(), 1.0
    f = alpha @ K @ alpha
    for _ in range(n_iter):
        x_new = _project_simplex(y - 2.0 * (K @ y) / L)
        t_new = 0.5 * (1 + np.sqrt(1 + 4 * t * t))
        y = x_new + (t - 1) / t_new * (x_new - x)
        Kx = K @ x_new
        if np.abs(x_new - x).sum() < 1e-12 or 2 * (x_new @ Kx - Kx.min()) <= gap_tol:
            x = x_new
            break
        x, t = x_new, t_new
    return x if x @ K @ x <= f else alpha


def mgda(K, rng=None):
    """MGDA coefficients ``n_tasks * alpha`` (``alpha`` the min-norm weights)."""
    return K.shape[0] * min_norm_weights(K)


def pcgrad(K, rng=None):
    """PCGrad coefficients: ``d = sum_i g_i'`` written as ``beta^T G``.

    ``C[i]`` holds the coefficients of the projected ``g_i'`` on the original
    gradients, so each projection only needs the Gramian.
    """
    K = np.asarray(K, dtype=np.float64)
    T = K.shape[0]
    rng = np.random.default_rng(rng) if not hasattr(rng, "permutation") else rng
    C = np.eye(T)
    for i in range(T):
        for j in rng.permutation(T):
            if j == i or K[j, j] <= 0:
                continue
            dot = C[i] @ K[:, j]
            if dot < 0:
                C[i, j] -= dot / K[j, j]
    return C.sum(axis=0)


def cagrad(K, rng=None, c=0.5):
    """CAGrad coefficients (``n_tasks`` times those of ``d``)."""
    K = np.asarray(K, dtype=np.float64)
    T = K.shape[0]
    b = np.full(T, 1.0 / T)
    g0_norm = np.sqrt(max(b @ K @ b, 0.0))
    if g0_norm == 0 or c == 0:
        return np.ones(T)
    scale = max(np.abs(K).max(), 1e-300)
    Ks = K / scale  # scale-free problem, same minimiser
    cs = c * np.sqrt(max(b @ Ks @ b, 0.0))
    Kb = Ks @ b

    def fun(w):
        return w @ Kb + cs * np.sqrt(max(w @ Ks @ w, 0.0) + 1e-12)

    def jac(w):
        nw = np.sqrt(max(w @ Ks @ w, 0.0) + 1e-12)
        return Kb + cs * (Ks @ w) / nw

    res = minimize(
        fun,
        b,
        jac=jac,
        bounds=[(0.0, 1.0)] * T,
        constraints=({"type": "eq", "fun": lambda w: w.sum() - 1.0},),
        method="SLSQP",
        options={"ftol": 1e-12, "maxiter": 200},
    )
    w = np.clip(res.x, 0.0, None)
    w /= w.sum()
    gw_norm = np.sqrt(max(w @ K @ w, 0.0))
    lam = c * g0_norm / max(gw_norm, 1e-300)
    coef = (b + lam * w) / (1.0 + c)
    return T * coef


def nash(K, rng=None, ridge=1e-8):
    """Nash-MTL coefficients: ``alpha > 0`` with ``alpha * (K @ alpha) = 1``."""
    K = np.asarray(K, dtype=np.float64)
    T = K.shape[0]
    s = np.mean(np.diag(K))
    if s <= 0:
        return np.ones(T)
    Ks = K / s
    Ks = Ks + ridge * np.diag(np.diag(Ks)) + 1e-14 * np.eye(T)
    a = np.ones(T) / np.sqrt(max(np.ones(T) @ Ks @ np.ones(T) / T, 1e-12))
    # Newton on f(a) = a^T Ks a / 2 - sum(log a), with a backtracking step that
    # keeps a > 0 (f is strictly convex, so this converges to the root).
    for _ in range(100):
        grad = Ks @ a - 1.0 / a
        if np.max(np.abs(grad * a)) < 1e-10:
            break
        H = Ks + np.diag(1.0 / a**2)
        step = np.linalg.solve(H, grad)
        f0 = 0.5 * a @ Ks @ a - np.log(a).sum()
        t = 1.0
        while True:
            new = a - t * step
            if np.all(new > 0):
                f1 = 0.5 * new @ Ks @ new - np.log(new).sum()
                if f1 <= f0 - 1e-4 * t * (grad @ step) or t < 1e-10:
                    break
            t *= 0.5
        a = new
    return a / np.sqrt(s)


AGGREGATORS = {"mgda": mgda, "pcgrad": pcgrad, "cagrad": cagrad, "nash": nash}


def get_aggregator(name):
    """Return the aggregator function registered under ``name``."""
    try:
        return AGGREGATORS[name]
    except KeyError:
        raise ValueError(
            f"Unknown aggregator {name!r}; choose one of {sorted(AGGREGATORS)} or None."
        ) from None
