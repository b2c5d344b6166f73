"""Aggregation of per-task gradients on the shared parameters.

With ``G`` the (n_tasks, n_shared_params) matrix of task gradients ``g_t``,
every method here returns coefficients ``beta`` (n_tasks,) and the update
direction is ``d = beta^T G = sum_t beta_t g_t``. All of them only need the
Gramian ``K = G G^T`` (n_tasks x n_tasks), so they cost nothing next to the
backward passes.

**Scale.** Every method takes ``scale``: with ``'sum'`` (the default) the
coefficients are scaled so that equal weighting is ``beta = 1``, the gradient
of the plain sum of the task losses (what ``aggregator=None`` steps along);
``'mean'`` divides them by ``n_tasks``, the gradient of the mean of the
losses. The references differ by method: torchjd's and LibMTL's MGDA and
CAGrad (and torchjd's UPGrad, Mean, ...) are mean-scaled, their PCGrad and
Nash-MTL are not divided by ``n_tasks`` (``'sum'``); the tests check each
against those implementations' numbers. A callable aggregator (e.g. a torchjd
one) is used as it returns its direction.

* ``'mgda'``: min-norm point of the convex hull of the ``g_t`` (Desideri
  2012; Sener & Koltun 2018): ``alpha = argmin_{alpha in simplex}
  ||sum_t alpha_t g_t||^2``, closed form for two tasks, Frank-Wolfe with
  exact line search otherwise (polished by accelerated projected gradient
  on the simplex); ``beta = n_tasks * alpha`` (``'sum'``) or ``alpha``
  (``'mean'``, torchjd's and LibMTL's MGDA).
* ``'pcgrad'``: gradient surgery (Yu et al. 2020): for each ``i`` and each
  other ``j`` in random order, if ``g_i' . g_j < 0`` then
  ``g_i' -= (g_i' . g_j / ||g_j||^2) g_j``; ``d = sum_i g_i'`` (``'sum'``,
  as torchjd and LibMTL) or its mean.
* ``'cagrad'``: conflict-averse gradient (Liu et al. 2021): with
  ``g_0 = mean_t g_t``, ``w = argmin_{w in simplex} g_w . g_0 +
  c ||g_0|| ||g_w||`` and ``d = g_0 + c ||g_0|| / ||g_w|| g_w`` (Algorithm 1
  of the paper), divided by ``1 + c^2`` (``rescale=1``, the default of the
  authors' code and of LibMTL), by ``1 + c`` (``rescale=2``) or not at all
  (``rescale=0``, torchjd's CAGrad); that ``d`` is mean-scaled (``'mean'``),
  ``'sum'`` multiplies it by ``n_tasks``.
* ``'nash'``: Nash bargaining (Navon et al. 2022): ``alpha > 0`` with
  ``alpha_t (K alpha)_t = 1`` for every task, the unique minimiser of the
  strictly convex ``1/2 alpha^T K alpha - sum_t log alpha_t`` (solved by
  damped Newton; a relative ridge of 1e-8 keeps it bounded when gradients
  are collinear); ``d = alpha^T G`` (``'sum'``, as LibMTL and torchjd) or
  ``d / n_tasks`` (``'mean'``), then scaled down to norm ``max_norm`` when
  longer (default 1, LibMTL's and torchjd's clipping; None or 0: no
  clipping). At the exact solution ``||d||^2 = alpha^T K alpha = n_tasks``
  whatever the scale of the gradients, so with ``'sum'`` the clip at 1 makes
  every step a unit vector (the learning rate is then the step length), and
  with ``'mean'`` (``||d|| = 1 / sqrt(n_tasks)``) it never acts. LibMTL and
  torchjd solve the bargaining condition only approximately (20 convex
  iterations), where the clip also bounds the error.
"""

import numpy as np
from scipy.optimize import minimize

__all__ = [
    "AGGREGATORS",
    "cagrad",
    "check_aggregator_params",
    "get_aggregator",
    "mgda",
    "nash",
    "pcgrad",
]

_SCALES = ("sum", "mean")


def _scaled(beta, scale):
    """``beta`` in the 'sum' convention, divided by n_tasks for 'mean'."""
    if scale == "sum":
        return beta
    if scale == "mean":
        return beta / len(beta)
    raise ValueError(f"scale={scale!r} must be one of {_SCALES}.")


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


def mgda(K, rng=None, scale="sum"):
    """MGDA coefficients: ``n_tasks * alpha`` ('sum') or ``alpha`` ('mean').

    ``alpha`` are the min-norm weights (:func:`min_norm_weights`).
    """
    return _scaled(K.shape[0] * min_norm_weights(K), scale)


def pcgrad(K, rng=None, scale="sum"):
    """PCGrad coefficients: ``d = sum_i g_i'`` (or the mean) as ``beta^T G``.

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
    return _scaled(C.sum(axis=0), scale)


def cagrad(K, rng=None, c=0.5, rescale=1, scale="sum"):
    """CAGrad coefficients (mean-scaled ``d``, times ``n_tasks`` for 'sum').

    ``rescale`` divides ``d = g_0 + c ||g_0|| / ||g_w|| g_w`` by ``1 + c^2``
    (1, the authors' code and LibMTL), ``1 + c`` (2) or nothing (0, torchjd).
    """
    if rescale not in (0, 1, 2):
        raise ValueError(f"rescale={rescale!r} must be 0, 1 or 2.")
    K = np.asarray(K, dtype=np.float64)
    T = K.shape[0]
    b = np.full(T, 1.0 / T)
    g0_norm = np.sqrt(max(b @ K @ b, 0.0))
    if g0_norm == 0 or c == 0:
        return _scaled(np.ones(T), scale)
    unit = max(np.abs(K).max(), 1e-300)
    Ks = K / unit  # scale-free problem, same minimiser
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
    coef = (b + lam * w) / (1.0, 1.0 + c * c, 1.0 + c)[rescale]
    return _scaled(T * coef, scale)


def nash(K, rng=None, max_norm=1.0, scale="sum", ridge=1e-8):
    """Nash-MTL coefficients ``alpha > 0`` with ``alpha * (K @ alpha) = 1``.

    Divided by ``n_tasks`` for 'mean'; then the direction ``alpha^T G`` is
    scaled down to norm ``max_norm`` when longer (None or 0: never).
    """
    beta = _scaled(_nash_alpha(K, ridge), scale)
    if max_norm:
        norm = np.sqrt(max(beta @ K @ beta, 0.0))
        if norm > max_norm:
            beta = beta * (max_norm / norm)
    return beta


def _nash_alpha(K, ridge):
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

#: options of each built-in aggregator (``aggregator_params`` keys)
_OPTIONS = {
    "mgda": ("scale",),
    "pcgrad": ("scale",),
    "cagrad": ("c", "rescale", "scale"),
    "nash": ("max_norm", "scale"),
}


def check_aggregator_params(aggregator, params):
    """Check ``aggregator_params`` once, before training.

    Parameters
    ----------
    aggregator : str, callable or None
        The estimator's ``aggregator``.
    params : dict or None
        The estimator's ``aggregator_params``.

    Raises
    ------
    ValueError
        For an option the aggregator does not have or an invalid value.
    """
    if not params:
        return
    if not isinstance(aggregator, str):
        raise ValueError(
            f"aggregator_params={params!r} are options of the built-in "
            "aggregators ('mgda', 'pcgrad', 'cagrad', 'nash'); a callable "
            "aggregator is used as it returns its direction (configure it "
            "instead, e.g. torchjd.aggregation.CAGrad(c=0.5)) and None has no "
            "options."
        )
    unknown = sorted(set(params) - set(_OPTIONS[aggregator]))
    if unknown:
        raise ValueError(
            f"aggregator_params {unknown} are not options of {aggregator!r}; "
            f"its options are {list(_OPTIONS[aggregator])}."
        )
    if params.get("scale", "sum") not in _SCALES:
        raise ValueError(f"scale={params['scale']!r} must be one of {_SCALES}.")
    if params.get("rescale", 1) not in (0, 1, 2):
        raise ValueError(f"rescale={params['rescale']!r} must be 0, 1 or 2.")
    for key in ("c", "max_norm"):
        value = params.get(key, 0.0)
        if value is not None and not (np.isscalar(value) and value >= 0):
            raise ValueError(f"{key}={value!r} must be a non-negative number.")


def get_aggregator(name):
    """Return the aggregator function registered under ``name``."""
    try:
        return AGGREGATORS[name]
    except KeyError:
        raise ValueError(
            f"Unknown aggregator {name!r}; choose one of {sorted(AGGREGATORS)} or None."
        ) from None
