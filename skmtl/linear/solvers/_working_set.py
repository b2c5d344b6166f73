"""Working sets with an accelerated Gram-space inner solver and a duality gap."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ...utils._accel import numba_loaded, use_numba
from ._bcd import bcd_design_epochs, bcd_epochs, bcd_gram_epochs, row_prox_params
from ._newton import MAX_NEWTON_ROWS, support_newton

__all__ = ["WorkingSet", "duality_gap", "first_set_size"]


def duality_gap(f, grad, W, penalty):
    r"""Duality gap of ``f(W) + Omega(W)`` for a least-squares datafit.

    For any ``f(W) = 1/2 ||y - A(W)||^2`` (weighting and centring folded into
    the linear map ``A``) the dual point ``theta = s r`` built from the
    residual ``r`` and rescaled into the conjugate's domain gives

    .. math::

        D = s (2 f - \langle \nabla f, W \rangle) - s^2 f
            - \Omega^*(-s \nabla f),

    so the gap ``f + Omega - D`` needs only ``f``, its gradient and ``W``. The
    penalty supplies ``dual_scale`` (the largest ``s <= 1`` keeping
    ``Omega^*`` finite) and ``conjugate``.

    Parameters
    ----------
    f : float
        Datafit value at ``W``.
    grad : ndarray of shape (n_features, n_tasks)
        Datafit gradient at ``W``.
    W : ndarray of shape (n_features, n_tasks)
        Current point.
    penalty : penalty object
        Has ``value``, ``dual_scale`` and ``conjugate``.

    Returns
    -------
    gap : float
        Non-negative duality gap (up to rounding).
    """
    s = penalty.dual_scale(-grad)
    dual = s * (2.0 * f - float(np.vdot(grad, W))) - s * s * f
    dual -= penalty.conjugate(-s * grad)
    return f + penalty.value(W) - dual


def _gram_apply(G, W):
    if G.ndim == 2:
        return G @ W
    return np.matmul(G, W.T[:, :, None])[:, :, 0].T


def _top_eigenvalue(G, n_steps=16):
    """Largest eigenvalue over the PSD Gram block(s) ``G``, (k, k) or (T, k, k).

    Exact (``eigvalsh``) for small blocks; one large matrix by power
    iteration (5 % margin); several large blocks by ``n_steps`` of Lanczos
    with full reorthogonalisation, all blocks at once. Ritz values never
    exceed the largest eigenvalue and converge to it fast at the top of the
    spectrum (relative error below 1e-3 after 12 steps on Marchenko-Pastur
    spectra, the slow case for power iteration), so a 1 % margin keeps the
    step safe.
    """
    k = G.shape[-1]
    if k <= 40:
        return float(np.max(np.linalg.eigvalsh(G)[..., -1]))
    if G.ndim == 2:  # one matrix: power iteration stops early, cheaper here
        v = np.sqrt(np.maximum(np.diag(G), 0.0)) + 1e-3
        lam = 0.0
        for _ in range(40):
            Gv = G @ v
            new = float(v @ Gv / (v @ v))
            v = Gv / max(np.linalg.norm(Gv), 1e-300)
            if abs(new - lam) <= 1e-6 * new:
                lam = new
                break
            lam = new
        return 1.05 * lam
    T, m = G.shape[0], min(n_steps, k)
    # start from the diagonal (a good guess for the dominant direction)
    v = np.sqrt(np.maximum(np.einsum("tii->ti", G), 0.0)) + 1e-3
    V = np.zeros((T, m, k))
    V[:, 0] = v / np.linalg.norm(v, axis=1, keepdims=True)
    diag, off = np.zeros((T, m)), np.zeros((T, m))
    for j in range(m):
        w = np.matmul(G, V[:, j, :, None])[:, :, 0]
        diag[:, j] = np.einsum("ti,ti->t", w, V[:, j])
        for _ in range(2):  # twice is enough (Kahan)
            c = np.einsum("tji,ti->tj", V[:, : j + 1], w)
            w -= np.einsum("tj,tji->ti", c, V[:, : j + 1])
        if j + 1 < m:
            off[:, j] = np.linalg.norm(w, axis=1)
            V[:, j + 1] = w / np.maximum(off[:, j], 1e-300)[:, None]
    tri = np.zeros((T, m, m))
    i = np.arange(m)
    tri[:, i, i] = diag
    tri[:, i[:-1], i[1:]] = off[:, :-1]
    tri[:, i[1:], i[:-1]] = off[:, :-1]
    return 1.01 * float(np.max(np.linalg.eigvalsh(tri)[:, -1]))


def _restricted_gap(G, B, W, value0, penalty):
    GW = _gram_apply(G, W)
    grad = GW - B
    f = value0 - float(np.vdot(B, W)) + 0.5 * float(np.vdot(W, GW))
    return duality_gap(f, grad, W, penalty), f


def _fista(G, B, W, value0, penalty, tol, max_epochs, check_every=10):
    """Restarted FISTA on the working-set problem, all in Gram space.

    Returns ``(W, epochs, converged)``.
    """
    lip = max(_top_eigenvalue(G), 1e-12)
    step = 1.0 / lip
    Z, t_k = W.copy(), 1.0
    epoch = 0
    while epoch < max_epochs:
        epoch += 1
        grad_z = _gram_apply(G, Z) - B
        W_new = penalty.prox(Z - step * grad_z, step)
        diff = W_new - W
        if np.vdot(Z - W_new, diff) > 0:  # gradient restart
            Z, t_k = W_new, 1.0
        else:
            t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t_k * t_k))
            Z = W_new + ((t_k - 1.0) / t_next) * diff
            t_k = t_next
        W = W_new
        if epoch % check_every == 0 or epoch == max_epochs:
            gap, _ = _restricted_gap(G, B, W, value0, penalty)
            if gap <= tol:
                return W, epoch, True
    return W, epoch, False


def _inner_bcd(
    G, B, W, value0, penalty, params, tol, max_epochs, check_every=10, patience=60
):
    """Compiled block coordinate descent on per-task Gram blocks (see ``_bcd``).

    The restricted duality gap is checked every ``check_every`` epochs (a
    check costs about three epochs). Coordinate descent converges linearly at
    a rate set by the conditioning of the Gram blocks; on badly conditioned
    ones (tasks with fewer rows than working-set features) accelerated
    gradient is faster. So from the observed rate the epochs still needed are
    estimated at each check, and when they exceed ``patience`` the caller
    continues with FISTA from the current point. Returns ``(W, epochs,
    converged)``.
    """
    W = np.array(W, dtype=float, order="C")
    G = np.ascontiguousarray(G)
    B = np.ascontiguousarray(B, dtype=float)
    D = np.ascontiguousarray(np.einsum("tjj->tj", G))
    GW = np.ascontiguousarray(_gram_apply(G, W).T)
    epoch = 0
    previous = np.inf
    while epoch < max_epochs:
        n = min(check_every, max_epochs - epoch)
        bcd_epochs(G, B, W, GW, D, params, n)
        epoch += n
        GW = np.ascontiguousarray(_gram_apply(G, W).T)  # no drift
        grad = GW.T - B
        f = value0 - float(np.vdot(B, W)) + 0.5 * float(np.vdot(W, GW.T))
        gap = duality_gap(f, grad, W, penalty)
        if gap <= tol:
            return W, epoch, True
        if epoch > check_every:  # a rate needs two gaps
            rate = (gap / max(previous, 1e-300)) ** (1.0 / n)
            needed = np.log(tol / gap) / np.log(rate) if rate < 1 else np.inf
            if epoch + needed > patience:
                break
        previous = gap
    return W, epoch, False


def _anderson(history):
    """Anderson extrapolation of the last iterates (a list of K + 1 arrays).

    The combination ``sum_i c_i W_i`` of the last K iterates with ``sum c_i =
    1`` that minimises the norm of the combined differences (skglm's
    acceleration of coordinate descent). None when the system is singular.
    """
    U = np.stack(
        [(b - a).ravel() for a, b in zip(history[:-1], history[1:], strict=True)]
    )
    try:
        z = np.linalg.solve(U @ U.T, np.ones(len(U)))
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(z)) or z.sum() == 0:
        return None
    c = z / z.sum()
    return np.tensordot(c, np.stack(history[1:]), axes=1)


def _stalled(checks, tol, patience, window=20):
    """Whether coordinate descent, at its observed rate, needs over ``patience``
    more epochs: the gap of the last check against the one ``window`` epochs
    before (``checks`` lists ``(epoch, gap)``).
    """
    epoch, gap = checks[-1]
    # the latest check at least ``window`` epochs back (a few steps back,
    # not a pass over every check of the run)
    old = next((c for c in reversed(checks) if c[0] <= epoch - window), None)
    if old is None:
        return False
    epoch0, gap0 = old
    rate = (gap / max(gap0, 1e-300)) ** (1.0 / (epoch - epoch0))
    if rate >= 1.0 or tol <= 0:
        return True
    return np.log(tol / gap) / np.log(rate) > patience


def _newton_step(state, W, mu, budget):
    """A damped Newton step on the support of W (group-lasso rows only).

    Each damping tried costs ``c = 3 s**3`` multiply-adds for a support of
    ``s`` rows, ``c / state.epoch_cost`` epochs rounded up; as many are tried
    as ``budget`` (epochs) pays for, four at most. Returns ``(epochs, mu)``:
    the epochs spent (0 when the support is not all group-lasso rows, is
    empty, has over ``MAX_NEWTON_ROWS`` rows or the budget pays for no
    damping) and the damping for the next step; W is updated in place and
    the state reset.
    """
    kinds, a1, a2, partner = state.params
    support = np.flatnonzero(np.any(W != 0, axis=1))
    s = len(support)
    per_solve = max(1, int(np.ceil(3.0 * s**3 / state.epoch_cost)))
    if (
        not 0 < s <= MAX_NEWTON_ROWS
        or budget < per_solve
        or np.any(kinds[support] != 0)
        or np.any(partner[support] >= 0)
    ):
        return 0, mu
    G, B = state.support(support)
    W_s, n_solves, mu = support_newton(
        G,
        B,
        W[support],
        a1[support],
        a2[support],
        mu=mu,
        max_solves=min(4, budget // per_solve),
    )
    W[support] = W_s
    state.reset(W)
    return n_solves * per_solve, mu


def _accelerated_bcd(state, W, penalty, tol, max_epochs, n_anderson=5, refresh=50):
    """Coordinate descent epochs with gap checks, Anderson extrapolation and,
    when they crawl, Newton steps on the support.

    ``state`` runs epochs in place (``state.epochs(W, n)``) and maintains the
    product that they update (the residual, or ``G W``), from which it gives
    the datafit value (``state.value(W)``) and gradient (``state.gradient(W)``)
    at the current point. The gap is checked after epochs 1, 2 and then every
    ``n_anderson`` epochs, where the extrapolation of the last iterates
    replaces W when it lowers the objective (``state.try_point`` computes the
    candidate's product and value, ``state.accept`` adopts it), so a rejected
    extrapolation costs one product and an accepted one two. The maintained
    product is recomputed from W every ``refresh`` epochs against drift.

    When the observed rate of the gap says that more than ``max(200, 10 c)``
    further epochs are needed, and more than a quarter of those left
    (:func:`_stalled`), ``c`` the cost of the last Newton step in epochs
    (correlated features, see :mod:`._newton`), damped Newton
    steps on the support (``state.support(rows)`` gives its Gram block and
    linear term) alternate with the epochs: after a step of cost ``c``, at
    least ``max(10, 4 c)`` epochs, twice as many after a step that did not
    lower the gap, so that the steps take at most a fifth of the work. Each
    step counts its cost ``c`` in epochs. Returns ``(W, epochs, converged)``.
    """
    epoch = since_reset = 0
    checks = []
    next_newton, wait, cost, mu = None, 10, 0, 1e-6
    while epoch < max_epochs:
        # single epochs first (a warm start is often done), then blocks
        block = 1 if epoch < 2 else min(n_anderson, max_epochs - epoch)
        history = [W.copy()]
        for _ in range(block):
            state.epochs(W, 1)
            history.append(W.copy())
        epoch += block
        since_reset += block
        if since_reset >= refresh:
            state.reset(W)
            since_reset = 0
        f = state.value(W)
        W_acc = _anderson(history) if block == n_anderson else None
        if W_acc is not None:
            f_acc = state.try_point(W_acc)
            if f_acc + penalty.value(W_acc) < f + penalty.value(W):
                W[...] = W_acc
                state.accept()
                f = f_acc
        gap = duality_gap(f, state.gradient(W), W, penalty)
        if gap <= tol:
            return W, epoch, True
        checks.append((epoch, gap))
        patience = max(200, 10 * cost, (max_epochs - epoch) // 4)
        if next_newton is None and _stalled(checks, tol, patience):
            next_newton = epoch
        if next_newton is not None and next_newton <= epoch < max_epochs:
            cost, mu = _newton_step(state, W, mu, max_epochs - epoch)
            if cost == 0:  # not a group-lasso support, or no budget left
                next_newton = np.inf
                continue
            epoch += cost
            since_reset = 0
            f = state.value(W)
            new_gap = duality_gap(f, state.gradient(W), W, penalty)
            if new_gap <= tol:
                return W, epoch, True
            wait = max(10, 4 * cost, wait if new_gap < gap else 2 * wait)
            next_newton = epoch + wait
    return W, epoch, False


class _GramState:
    """Shared Gram block ``G`` with ``(G W)^T`` maintained (see ``_bcd``)."""

    def __init__(self, G, B, value0, params):
        self.G, self.B, self.value0, self.params = G, B, value0, params
        self.epoch_cost = G.shape[0] ** 2 * B.shape[1]  # multiply-adds

    def epochs(self, W, n):
        bcd_gram_epochs(self.G, self.B, W, self.GWt, self.params, n)

    def _value(self, W, GWt):
        return self.value0 - float(np.vdot(self.B, W)) + 0.5 * float(np.vdot(W.T, GWt))

    def reset(self, W):
        self.GWt = np.ascontiguousarray((self.G @ W).T)

    def value(self, W):
        return self._value(W, self.GWt)

    def gradient(self, W):
        return self.GWt.T - self.B

    def try_point(self, W):
        self._candidate = np.ascontiguousarray((self.G @ W).T)
        return self._value(W, self._candidate)

    def accept(self):
        self.GWt = self._candidate

    def support(self, rows):
        return self.G[np.ix_(rows, rows)], self.B[rows]


class _DesignState:
    """Working-set columns ``Xt`` (k, n) with the residual ``R^T`` maintained."""

    def __init__(self, Xt, Ys, params):
        self.Xt, self.Yt, self.params = Xt, np.ascontiguousarray(Ys.T), params
        self.norms2 = np.einsum("ij,ij->i", Xt, Xt)
        self.epoch_cost = 2 * Xt.size * self.Yt.shape[0]  # multiply-adds

    def epochs(self, W, n):
        bcd_design_epochs(self.Xt, self.Rt, W, self.norms2, self.params, n)

    def _residual(self, W):
        return np.ascontiguousarray(self.Yt - W.T @ self.Xt)

    def reset(self, W):
        self.Rt = self._residual(W)

    def value(self, W):
        return 0.5 * float(np.vdot(self.Rt, self.Rt))

    def gradient(self, W):
        return -(self.Xt @ self.Rt.T)

    def try_point(self, W):
        self._candidate = self._residual(W)
        return 0.5 * float(np.vdot(self._candidate, self._candidate))

    def accept(self):
        self.Rt = self._candidate

    def support(self, rows):
        Xt = self.Xt[rows]
        return Xt @ Xt.T, Xt @ self.Yt.T


def _inner_shared_bcd(G, B, W, value0, penalty, params, tol, max_epochs):
    """Compiled block coordinate descent on one Gram block shared by all tasks.

    Returns ``(W, epochs, converged)``.
    """
    W = np.array(W, dtype=float, order="C")
    state = _GramState(np.ascontiguousarray(G), np.ascontiguousarray(B), value0, params)
    state.reset(W)
    return _accelerated_bcd(state, W, penalty, tol, max_epochs)


def _inner_design_bcd(Xt, Ys, W, penalty, params, tol, max_epochs):
    """Compiled block coordinate descent on the columns of X with the residual.

    ``Xt`` (k, n) holds the working set's weighted, centred columns as rows
    and ``Ys`` (n, n_tasks) the weighted, centred targets, so that the datafit
    is ``1/2 ||Ys - Xt^T W||^2`` on the working set. Returns ``(W, epochs,
    converged)``.
    """
    W = np.array(W, dtype=float, order="C")
    state = _DesignState(Xt, Ys, params)
    state.reset(W)
    return _accelerated_bcd(state, W, penalty, tol, max_epochs)


def _gram_solve(G, B, W, value0, penalty, tol, max_epochs, params):
    """Solve the working-set problem in Gram space; ``(W, epochs, converged)``.

    ``params`` (the compiled row prox, or None for FISTA) picks the method.
    """
    if params is None:
        return _fista(G, B, W, value0, penalty, tol, max_epochs)
    if G.ndim == 2:
        return _inner_shared_bcd(G, B, W, value0, penalty, params, tol, max_epochs)
    W_cd, epochs, done = _inner_bcd(G, B, W, value0, penalty, params, tol, max_epochs)
    if done or epochs >= max_epochs:
        return W_cd, epochs, done
    # FISTA restarted from the working set's starting point: from the
    # coordinate-descent iterate it measured slower (620 against 360 epochs
    # on 16000 tasks of 12 rows), its momentum restarts misled by the
    # partly converged coordinates
    W, more, done = _fista(G, B, W, value0, penalty, tol, max_epochs - epochs)
    return W, epochs + more, done


def _features(datafit, rows):
    """Feature of each working-set row for stacked parts (SumOfParts), else None."""
    if getattr(datafit, "n_parts", 1) > 1:
        return np.asarray(rows) % datafit.n_features
    return None


def first_set_size(p0, n_features, per_task_gram):
    """Size of the first working set: ``2 p0`` or ``p0``.

    The scores at ``W = 0`` (gradient norms) rank features roughly, so a
    first set of ``p0`` often misses a few, and finding them costs another
    gradient pass over X and another gather. With per-task Gram blocks,
    doubling the set costs ``3 p0**2`` more multiply-adds per row at BLAS
    speed, against ``n_features`` reads per row for a pass, about 13 times
    slower per element (measured: 40 GFlop/s against 3 G reads/s): so start
    with ``2 p0`` when ``4 p0**2 <= 13 n_features``. With one shared Gram
    matrix (or a cached full one) passes are cheap and ``p0`` stays.
    """
    if per_task_gram and 4 * p0 * p0 <= 13 * n_features:
        return 2 * p0
    return p0


def _solve_fully(datafit, k, compiled=False):
    """Whether one gradient pass costs more than a full inner solve on k features.

    A gradient pass reads X (``datafit.pass_cost`` multiply-adds). A full
    inner solve is about 50 FISTA epochs, each one product with the
    (n_tasks, k, k) Gram blocks plus Python overhead, or about 30 epochs of
    compiled coordinate descent, with no overhead. When passes dominate,
    solving each working set to the final tolerance saves an outer iteration
    whenever the set is already right.
    """
    cost = getattr(datafit, "pass_cost", None)
    if not cost:
        return False
    T = datafit.n_tasks
    if compiled:
        return cost >= 30 * T * k * k
    return cost >= 50 * (T * k * k + 2000 * T)


class WorkingSet:
    r"""Working-set solver for least-squares datafits.

    Minimises ``datafit(W) + penalty(W)`` for a quadratic datafit and a
    penalty separable over the rows of W (one row = one feature in every
    task). Each outer iteration

    1. computes the full gradient and the duality gap (see
       :func:`duality_gap`); stops when ``gap <= tol * f(0)``;
    2. scores every feature by its optimality violation (the penalty's
       ``subdiff_distance``) and keeps the current support plus the most
       violating features, ``max(p0, 2 |support|)`` in all (the working set
       grows geometrically while the support does; along a warm-started path
       it starts from the previous solution's support);
    3. solves the problem restricted to the working set to a gap of ``0.3``
       times the outer gap (to ``tol`` once no feature outside the working
       set violates, or when a pass over the data costs more than the inner
       solve).

    The inner solver: with numba and a penalty whose row prox the kernels
    know (group lasso, elastic net, lasso), exact block coordinate descent
    over the rows of W (see :mod:`._bcd`): in Gram space (one ``(k, k)``
    matrix shared by all tasks, or one per task), or, with one shared dense
    design and a working set larger than twice the number of samples, on the
    working set's columns of X with the residual, as scikit-learn's multi-task
    coordinate descent does (``2 n_samples`` instead of ``k`` multiply-adds per
    row and task, no rank-deficient ``k x k`` block). With one shared design
    and group-lasso rows, when coordinate descent crawls (strongly correlated
    features: nearly equal columns are turned parallel by a factor close to
    1 per epoch), damped Newton steps on the support alternate with its epochs
    (see :mod:`._newton` and :func:`_accelerated_bcd`). Otherwise (numpy only,
    other penalties) restarted FISTA on the Gram blocks; on small problems,
    where numba is not imported yet, FISTA first, and coordinate descent
    (importing numba) when FISTA has not converged after ``300`` epochs.

    Needs the datafit's ``value_and_gradient``, ``gram``, ``value0`` and the
    penalty's ``value``, ``prox``, ``subdiff_distance``, ``dual_scale`` and
    ``conjugate``; a penalty whose rows differ (a stacked penalty) also has
    ``restrict(rows)``, the penalty on a subset of rows.

    Parameters
    ----------
    max_iter : int, default=10_000
        Maximum number of epochs in all, as scikit-learn's coordinate descent
        counts them: each outer iteration's gradient pass over all features
        counts one, each inner epoch (a coordinate descent pass or a FISTA
        step over the working set) one, and a Newton step on a support of
        ``s`` rows its ``3 s**3`` multiply-adds in epochs of the working set.
        Gap checks and the final certificate are not counted.
    tol : float, default=1e-6
        Tolerance on the relative duality gap ``gap / f(0)``.
    p0 : int, default=50
        Smallest working set.
    verbose : int, default=0
        Print one line per outer iteration if > 0.

    Attributes
    ----------
    dual_gap_ : float
        Duality gap at the returned point.
    n_epochs_ : int
        Epochs used (the ``n_iter`` returned by :meth:`solve`).
    n_outer_ : int
        Outer iterations (gradient passes over all features).

    References
    ----------
    .. [1] Massias, Gramfort, Salmon (2018). Celer: a fast solver for the
       Lasso with dual extrapolation. ICML.
    .. [2] Bertrand et al. (2022). Beyond L1: faster and better sparse models
       with skglm. NeurIPS.
    """

    datafit_methods = ("value_and_gradient", "gram", "value0")
    penalty_methods = ("value", "prox", "subdiff_distance", "dual_scale", "conjugate")

    #: FISTA epochs on one working set before a small problem imports numba
    #: and continues by coordinate descent
    fista_patience = 300

    def __init__(self, max_iter=10_000, tol=1e-6, p0=50, verbose=0):
        self.max_iter = max_iter
        self.tol = tol
        self.p0 = p0
        self.verbose = verbose

    def _inner(self, datafit, ws, W, pen_ws, params, tol, budget, can_compile):
        """Solve on the working set ``ws``; returns ``(W_ws, epochs, params)``."""
        n_rows = getattr(datafit, "n_design_rows", None)
        if params is not None and n_rows and len(ws) > 2 * n_rows:
            Xt, Ys = datafit.design_columns(ws)
            W_ws, epochs, _ = _inner_design_bcd(
                Xt, Ys, W[ws], pen_ws, params, tol, budget
            )
            return W_ws, epochs, params
        G, B = datafit.gram(ws)
        value0 = datafit.value0
        later = None  # the compiled prox, if FISTA first might hand over to it
        if params is None and can_compile:
            later = row_prox_params(pen_ws, len(ws), _features(datafit, ws))
        if later is not None:
            patience = min(budget, self.fista_patience)
            W_ws, epochs, done = _fista(G, B, W[ws], value0, pen_ws, tol, patience)
            if done or epochs >= budget:
                return W_ws, epochs, None
            params = later
            W_ws, more, _ = _gram_solve(
                G, B, W_ws, value0, pen_ws, tol, budget - epochs, params
            )
            return W_ws, epochs + more, params
        W_ws, epochs, _ = _gram_solve(G, B, W[ws], value0, pen_ws, tol, budget, params)
        return W_ws, epochs, params

    def solve(self, datafit, penalty, W0):
        """Minimise; returns ``(W, n_iter, stop_crit)`` (stop_crit: gap / f(0)).

        ``n_iter`` counts epochs as ``max_iter`` does.
        """
        value_and_gradient = getattr(
            datafit, "value_and_gradient_fast", datafit.value_and_gradient
        )
        value0 = datafit.value0
        scale = max(value0, 1e-300)
        # compiled coordinate descent for data large enough to pay for
        # numba's import, or once it is imported; FISTA first otherwise
        compiled = use_numba(getattr(datafit, "pass_cost", 0) or 0) or (
            use_numba() and numba_loaded()
        )
        can_compile = use_numba() and not compiled
        W = np.array(W0, dtype=float, copy=True)
        n_iter = n_outer = 0
        while True:
            b0 = getattr(datafit, "b0", None) if n_outer == 0 else None
            if b0 is not None and b0.shape == W.shape and not W.any():
                # at W = 0 the gradient is -b0, which the Gram blocks need anyway
                f, grad = value0, -b0
            else:
                f, grad = value_and_gradient(W)
            n_iter += 1
            n_outer += 1
            gap = duality_gap(f, grad, W, penalty)
            stop_crit = gap / scale
            if self.verbose:
                print(
                    f"[WorkingSet] iter {n_outer} (epoch {n_iter}): objective "
                    f"{f + penalty.value(W):.10e}, relative gap {stop_crit:.2e} "
                    f"(tol {self.tol:.1e})"
                )
            if stop_crit <= self.tol or n_iter >= self.max_iter:
                break
            scores = np.asarray(penalty.subdiff_distance(W, grad), dtype=float)
            support = np.any(W != 0, axis=1)
            n_support = int(support.sum())
            # candidates: the support and every feature violating optimality
            scores[support] = np.inf
            candidates = np.flatnonzero(scores > 0)
            size = max(self.p0, 2 * n_support)
            if n_support == 0 and getattr(datafit, "pass_cost", 0):
                per_task = not getattr(datafit, "shared_gram", True)
                size = first_set_size(self.p0, W.shape[0], per_task)
            ws_all = len(candidates) <= size
            if ws_all:
                ws = candidates
            else:
                top = np.argpartition(-scores[candidates], size - 1)[:size]
                ws = np.sort(candidates[top])
            pen_ws = penalty.restrict(ws) if hasattr(penalty, "restrict") else penalty
            params = (
                row_prox_params(pen_ws, len(ws), _features(datafit, ws))
                if compiled
                else None
            )
            inner_tol = 0.3 * gap
            if ws_all or _solve_fully(datafit, len(ws), params is not None):
                # the working set holds every violating feature, or a pass
                # over the data costs more than a full inner solve: aim for
                # tol now, so that one more gradient pass can certify
                inner_tol = min(inner_tol, 0.5 * self.tol * scale)
            W_ws, epochs, params = self._inner(
                datafit,
                ws,
                W,
                pen_ws,
                params,
                inner_tol,
                self.max_iter - n_iter,
                can_compile,
            )
            if params is not None and can_compile:
                compiled, can_compile = True, False  # numba is imported now
            n_iter += epochs
            W[ws] = W_ws
            if n_iter >= self.max_iter:  # out of budget: certify the last point
                f, grad = value_and_gradient(W)
                gap = duality_gap(f, grad, W, penalty)
                stop_crit = gap / scale
                break
        self.dual_gap_ = gap
        self.n_epochs_ = n_iter
        self.n_outer_ = n_outer
        if stop_crit > self.tol:
            warnings.warn(
                f"WorkingSet did not converge: relative duality gap "
                f"{stop_crit:.3e} > tol {self.tol:.1e} after max_iter="
                f"{self.max_iter} epochs ({n_outer} outer iterations). Increase "
                "max_iter or tol; a larger alpha also converges faster (small "
                "alphas are slow with strongly correlated features or tasks "
                "with fewer labelled samples than features).",
                ConvergenceWarning,
                stacklevel=3,
            )
        return W, n_iter, stop_crit
