"""Solvers of the shared-representation estimators: TPGD and AltMin.

They minimise the multi-task least-squares loss ``L(B, W)`` evaluated on a
``_Design`` (``_design.py``: the centred, weighted rows), with the
stopping rules (statistical floor, drift check, phase-II growth guard).
"""

import numpy as np

from ._design import balanced_factors, initial_basis, top_singular_value

__all__ = [
    "altmin",
    "statistical_floor",
    "tpgd",
    "tpgd_objective",
]


# ---------------------------------------------------------------------------
# drift: coefficients growing without bound at a flat loss
# ---------------------------------------------------------------------------
#: iterations over which the drift (growing coefficients, flat loss) is measured
DRIFT_WINDOW = 50
#: a drift also needs the coefficients at this many times their norm at the
#: start of the watched phase (on noisy real data, e.g. Mulan's wq, a slowly
#: converging fit grew its norm by 20% in 50 iterations at a flat loss, but
#: by less than 2x in all)
DRIFT_FACTOR = 3.0
#: TPGD from a random start: a fit whose ``||B W^T||_F`` grew more than this
#: factor during phase II is re-run from the spectral start (the estimator
#: keeps the lower loss). At d = 400, N = 100 (5 data sets x 5 starts) the
#: good fits grew 1.15-1.28x in phase II and the three fits that ended on a
#: drift (loss 4-12x, error 700-960x the rate) 2.6-3.1x, stopped by
#: ``tol='auto'`` before the drift check (``DRIFT_FACTOR``) saw them; at
#: d = 100-200, N = 25-50 (same dk / (NT) = 0.6, 4 data sets x 8 starts
#: each) good fits grew at most 1.5x, drifting ones 1.98-4.6x (one fit that
#: stopped on a plateau at 5x the loss, 107x the rate, grew 1.39x: missed)
GROWTH_GUARD = 1.9


def _coef_norm(B, W):
    """||B W^T||_F from two k x k Grams."""
    return float(np.sqrt(max(np.trace((B.T @ B) @ (W.T @ W)), 0.0)))


def statistical_floor(design, k, n_samples, *, fit_intercept):
    """Relative statistical error of the fitted values, as a function of the loss.

    With ``n`` (effective) samples in all, ``p = k (d + T - k)`` parameters of
    a rank-``k`` fit (``+ T`` intercepts) and the per-task normalised loss
    ``L = (1/2) sum_t RSS_t / n_t`` of the design, the noise variance is
    estimated by ``sigma^2 = 2 L T / (n - p)`` (equal task sizes), the squared
    error of the fitted values summed over tasks by ``sigma^2 p T / n``, and
    the fitted signal by ``sum_t Var(y_t) - 2 L``. Returns ``rel(L) =
    sqrt(2 L p / ((n - p) (sum_t Var(y_t) - 2 L)))``, the ratio of the two
    norms, at most 1 (and 0 before any signal is fitted, so that an iterate
    far from the optimum never meets a loose threshold); ``None`` when
    ``n <= p`` (no noise estimate).
    """
    d_eff = int(np.sum(~design.dead_features()))
    T = design.n_tasks
    p = k * (d_eff + T - k) + (T if fit_intercept else 0)
    n = float(n_samples)
    if n <= p:
        return None
    total = float(np.sum(design.y_sq))

    def rel(loss):
        # capped at 1: far from the optimum (little signal fitted yet) the
        # ratio is meaningless and must not end the fit
        signal = total - 2.0 * loss
        if signal <= 0:
            return 0.0
        return min(1.0, float(np.sqrt(max(2.0 * loss, 0.0) * p / ((n - p) * signal))))

    return rel


def _threshold(tol, stat_tol, floor, loss):
    """The stopping threshold ``max(tol, stat_tol * rel(loss))``."""
    if not stat_tol or floor is None:
        return tol
    return max(tol, stat_tol * floor(loss))


def _drifting(norms, losses):
    """Whether the fit drifts: checked every 10 iterations, the norm of the
    coefficients is ``DRIFT_FACTOR`` times its first value or more, and grew
    by a factor ``g > 1.2`` over the last ``DRIFT_WINDOW`` iterations while
    the loss fell by less than ``0.1 (g - 1)`` (relative).

    With fewer samples per task than features, the rank-constrained loss can
    have no minimiser: a component settles in directions that one task's
    samples do not see (its null space), that task's coefficients grow
    without bound, and the loss creeps towards its infimum. Relative-change
    stopping rules then pass, on a useless ``coef_``.
    """
    n = len(norms)
    if n <= DRIFT_WINDOW or n % 10:
        return False
    if norms[-1] < DRIFT_FACTOR * norms[0]:
        return False  # a bounded change: slow convergence on a flat loss
    past = n - 1 - DRIFT_WINDOW
    grew = norms[-1] / max(norms[past], 1e-300)
    fell = (losses[past] - losses[-1]) / max(abs(losses[past]), 1e-300)
    return grew > 1.2 and fell < 0.1 * (grew - 1.0)


# ---------------------------------------------------------------------------
# TPGD (Ding, Du & Fang 2026, Algorithm 1)
# ---------------------------------------------------------------------------
def tpgd_objective(design, B, W, balance):
    """Objective of a TPGD phase and its gradients.

    Returns ``(objective, loss, grad_B, grad_W)``: phase I (``balance=False``)
    minimises the loss ``L(B, W)``; phase II adds ``(1/8) ||B^T B - W^T W||_F^2``
    (``W`` is stored (n_tasks, k), the transpose of the paper's), whose
    gradients are ``(1/2) B D`` and ``-(1/2) W D`` with ``D = B^T B - W^T W``.
    """
    loss, gB, gW = design.loss_grad(B, W)
    if not balance:
        return loss, loss, gB, gW
    D = B.T @ B - W.T @ W
    reg = loss + 0.125 * np.vdot(D, D)
    return reg, loss, gB + 0.5 * B @ D, gW - 0.5 * W @ D


def _kth_singular_value(B, W):
    """Smallest of the k singular values of B W^T (from two k x k Grams)."""
    ev = np.linalg.eigvals((B.T @ B) @ (W.T @ W)).real
    return float(np.sqrt(max(ev.min(), 0.0)))


def _escape_cap(s_now, n_done, s_start, sigma1):
    """Length of phase I extrapolated from the first 10-fold growth of s_k.

    From the small start, ``s_k`` (the k-th singular value of ``B W^T``)
    grows geometrically. Once it has grown 10-fold (``s_now >= 10 s_start``,
    after ``n_done`` iterations), growing at that rate it would reach the
    scale ``sigma1`` of the signal after ``n_done * log10(sigma1 / s_start)``
    iterations in all: returns that count (an int), or ``None`` before the
    10-fold growth (or from a degenerate start, ``s_start = 0``).
    """
    if s_start <= 0 or s_now < 10 * s_start:
        return None
    return int(np.ceil(n_done * np.log10(max(sigma1 / s_start, 10.0))))


def tpgd(
    design,
    k,
    *,
    max_iter=5000,
    tol=1e-4,
    step_size=(0.5, 0.5),
    init_scale=0.05,
    init="random",
    phase1_iter="auto",
    phase2="lbfgs",
    stat_tol=0.0,
    floor=None,
    rng=None,
    callback=None,
    verbose=0,
):
    """Two-phase gradient descent on the shared-representation loss.

    Phase I is plain simultaneous
    gradient descent on ``L(B, W)`` from a small imbalanced random start;
    phase II adds the balancing term ``(1/8) ||B^T B - W^T W||_F^2``. Steps are
    ``step_size / sigma_1(R)``; a step that increases the objective is halved
    and retried (a safeguard for badly scaled designs, inactive on whitened
    data). Phase II stops when ``||step||_F / ||(B, W)||_F`` falls below
    ``tol``; with L-BFGS (``phase2='lbfgs'``) below
    ``max(tol, stat_tol * floor(loss))``, ``floor`` from
    :func:`statistical_floor` (the gradient phase does not use it: its step
    underestimates the distance to the optimum by about the condition
    number).

    Phase I lasts ``phase1_iter`` iterations (an int; Algorithm 1 uses
    ``max_iter // 2``). With ``'auto'`` it ends as soon as every component has
    escaped the small start, detected on ``s_k``, the k-th singular value of
    ``B W^T``, checked every 10 iterations: ``s_k`` has grown at least 10-fold
    since the start and by less than 1% over the last 10 iterations (while a
    component escapes, ``s_k`` grows geometrically); phase I never exceeds
    ``max_iter // 2`` iterations.

    With ``init`` other than 'random', (B, W) start from the balanced factors
    of the least-squares heads on that basis and every iteration is phase II.

    ``phase2='gd'`` is the paper's phase II (gradient descent with the
    steps above). ``phase2='lbfgs'`` minimises the same balanced objective
    by L-BFGS (scipy, 10 correction pairs) with the same stopping rule, each
    iteration one gradient (a few in a line search), and ends phase I as soon
    as ``s_k`` grows by less than 10% over 10 iterations (every component has
    escaped; the quasi-Newton phase finishes the descent), or at the latest
    when the escape is over by extrapolation (:func:`_escape_cap`): if
    ``s_k`` first reaches 10 times its start after ``t_10`` iterations,
    phase I ends after ``ceil(t_10 log10(sigma_1 / s_k(0)))`` iterations,
    the time a geometric growth at that rate takes to reach the signal
    scale ``sigma_1``. This bound follows the escape rate, not the
    conditioning of the loss: with fewer samples per task than features,
    ``s_k`` keeps growing slowly for many more gradient iterations (50-70
    at ``d = 400``, ``N = 100``, against 30-40 at ``d = 50``), which
    improve the fit less than L-BFGS does in the same number. With fewer samples
    per task than features the loss is badly conditioned in ``B`` (its
    Hessian ``sum_t w_t w_t^T (x) X_t^T X_t / n_t`` has condition number
    about ``((1 + sqrt(c)) / (1 - sqrt(c)))^2`` with ``c = d k / sum_t n_t``),
    and gradient descent needs a number of iterations that grows with it;
    L-BFGS adapts to the curvature.

    Returns
    -------
    B : ndarray of shape (d, k)
    W : ndarray of shape (n_tasks, k)
    info : dict
        ``n_iter``, ``converged``, ``loss_curve``, ``stop_crit``,
        ``n_backtracks``, ``sigma1``, ``n_phase1``, and ``phase2_growth``:
        ``||B W^T||_F`` at the end over its value when phase II began
        (compared with :data:`GROWTH_GUARD` by the estimator; ``nan`` from a
        random start with ``phase1_iter`` an int).
    """
    rng = np.random.default_rng(rng) if not hasattr(rng, "standard_normal") else rng
    d, T = design.n_features, design.n_tasks
    switch_growth = 1.10 if phase2 == "lbfgs" else 1.01
    sigma1 = top_singular_value(design)
    eta0 = np.asarray(step_size, dtype=float) / sigma1
    eta = eta0.copy()
    if init == "random":
        scale = init_scale * np.sqrt(sigma1)
        B = scale * rng.standard_normal((d, k)) / np.sqrt(d)
        B[design.dead_features()] = 0.0  # no gradient ever reaches these rows
        W = scale / 3 * rng.standard_normal((T, k)) / np.sqrt(d)
        n_phase1 = max_iter // 2 if phase1_iter == "auto" else int(phase1_iter)
        n_phase1 = min(n_phase1, max_iter)
    else:
        U = initial_basis(design, k, init, rng)
        B, W = balanced_factors(U, design.heads(U))
        n_phase1 = 0

    def objective(B, W, phase):
        return tpgd_objective(design, B, W, balance=phase == 2)

    loss_curve = []
    n_backtracks = 0
    converged = False
    stop_crit = np.inf
    phase = 1 if n_phase1 > 0 else 2
    norm_start2 = _coef_norm(B, W) if phase == 2 else None
    f, loss, gB, gW = objective(B, W, phase)
    adaptive = phase1_iter == "auto" and n_phase1 > 0
    s_start = s_last = _kth_singular_value(B, W) if adaptive else 0.0
    it = 0
    handoff = diverged = False
    norms2, losses2 = [], []  # phase II only: phase I grows from a tiny start
    escape_cap = None  # with L-BFGS: the extrapolated end of the escape
    for it in range(1, max_iter + 1):
        if adaptive and it <= n_phase1 and it % 10 == 1 and it > 1:
            s_now = _kth_singular_value(B, W)
            if s_now >= 10 * s_start and s_now < switch_growth * s_last:
                n_phase1 = it - 1
            s_last = s_now
        if adaptive and phase2 == "lbfgs" and 1 < it <= n_phase1:
            if escape_cap is None:
                escape_cap = _escape_cap(
                    _kth_singular_value(B, W), it - 1, s_start, sigma1
                )
            if escape_cap is not None and it - 1 >= escape_cap:
                n_phase1 = it - 1
        new_phase = 1 if it <= n_phase1 else 2
        if new_phase == 2 and phase2 == "lbfgs":
            handoff, it = True, it - 1
            break
        if new_phase != phase:
            phase = new_phase
            norm_start2 = _coef_norm(B, W)
            f, loss, gB, gW = objective(B, W, phase)
        step = eta[phase - 1]
        if step < eta0[phase - 1] and it % 10 == 0:
            step = min(2 * step, eta0[phase - 1])  # let a halved step recover
        while True:
            B_new, W_new = B - step * gB, W - step * gW
            f_new, loss_new, gB_new, gW_new = objective(B_new, W_new, phase)
            # accept unless the objective increases beyond rounding
            if f_new <= f + 1e-10 * abs(f) or step < 1e-12 * eta0[phase - 1]:
                break
            step *= 0.5
            n_backtracks += 1
        eta[phase - 1] = step
        size = np.sqrt(np.vdot(B_new, B_new) + np.vdot(W_new, W_new))
        change = step * np.sqrt(np.vdot(gB, gB) + np.vdot(gW, gW))
        stop_crit = change / max(size, 1e-300)
        B, W, f, loss, gB, gW = B_new, W_new, f_new, loss_new, gB_new, gW_new
        loss_curve.append(loss)
        if callback is not None:
            callback(it, B, W)
        if verbose and (it % 50 == 0 or it == 1):
            print(
                f"[tpgd] iter {it:5d} phase {phase} loss {loss:.6e} "
                f"rel. change {stop_crit:.2e}"
            )
        if phase == 2:
            norms2.append(_coef_norm(B, W))
            losses2.append(loss)
            if _drifting(norms2, losses2):
                diverged = True
                break
        # the statistical threshold is not used here: a gradient step
        # underestimates the distance to the optimum by about the condition
        # number, and stopping there inflated the error (15% at d = 400, 100
        # samples per task)
        if phase == 2 and stop_crit < tol:
            converged = True
            break
    n_phase1 = min(n_phase1, it)
    if handoff:
        norm_start2 = _coef_norm(B, W)
    if handoff and it < max_iter:
        stop = (tol, stat_tol, floor)
        B, W, more, converged, stop_crit, diverged = _lbfgs_phase(
            design, B, W, max_iter - it, stop, eta0[1], loss_curve, callback, it
        )
        it += more
        if verbose:
            print(
                f"[tpgd] phase I {n_phase1} iterations, L-BFGS phase II {more}: "
                f"loss {loss_curve[-1] if loss_curve else np.nan:.6e}, "
                f"rel. change {stop_crit:.2e}"
            )
    info = dict(
        n_iter=it,
        converged=converged,
        diverged=diverged,
        loss_curve=np.asarray(loss_curve),
        stop_crit=stop_crit,
        threshold=tol
        if not handoff
        else _threshold(tol, stat_tol, floor, loss_curve[-1] if loss_curve else np.inf),
        n_backtracks=n_backtracks,
        sigma1=sigma1,
        n_phase1=n_phase1,
        # from a random start only where phase I ended at the escape: with
        # phase1_iter an int (0 included), phase II can start from the tiny
        # start, and its growth says nothing about a drift
        phase2_growth=np.nan
        if norm_start2 is None or (init == "random" and not adaptive)
        else _coef_norm(B, W) / max(norm_start2, 1e-300),
    )
    return B, W, info


def _lbfgs_phase(design, B, W, budget, stop, step, loss_curve, callback, offset):
    """Phase II by L-BFGS on the balanced objective, TPGD's stopping rule.

    ``stop = (tol, stat_tol, floor)``. Stops when ``||z_+ - z|| / ||z_+||``
    is below ``max(tol, stat_tol * floor(loss))`` for ``z = (B, W)``; if the line
    search runs out of precision first, the fit counts as converged when the
    gradient-step size ``step ||grad|| / ||z||`` is below ``tol`` (the rule of
    the gradient phase). Returns ``(B, W, n_iter, converged, stop_crit)``.
    """
    from scipy.optimize import minimize

    tol, stat_tol, floor = stop
    d, k = B.shape
    T = W.shape[0]
    split = d * k
    last = {}

    def unpack(z):
        return z[:split].reshape(d, k), z[split:].reshape(T, k)

    def fun(z):
        f, loss, gB, gW = tpgd_objective(design, *unpack(z), balance=True)
        last["z"], last["loss"] = z.copy(), loss
        last["grad"] = np.concatenate([gB.ravel(), gW.ravel()])
        return f, last["grad"]

    z0 = np.concatenate([B.ravel(), W.ravel()])
    state = {"n": 0, "prev": z0, "crit": np.inf, "converged": False}
    state["diverged"] = False
    norms, losses = [], []

    def record(intermediate_result):
        z = intermediate_result.x
        state["n"] += 1
        crit = np.linalg.norm(z - state["prev"]) / max(np.linalg.norm(z), 1e-300)
        state["prev"], state["crit"] = z.copy(), crit
        same = "z" in last and np.array_equal(last["z"], z)
        loss_curve.append(last["loss"] if same else design.loss(*unpack(z)))
        norms.append(_coef_norm(*unpack(z)))
        losses.append(loss_curve[-1])
        if callback is not None:
            callback(offset + state["n"], *unpack(z))
        if _drifting(norms, losses):
            state["diverged"] = True
            raise StopIteration
        if crit < _threshold(tol, stat_tol, floor, loss_curve[-1]):
            state["converged"] = True
            raise StopIteration

    minimize(
        fun,
        z0,
        jac=True,
        method="L-BFGS-B",
        callback=record,
        options={
            "maxiter": budget,
            "maxfun": 2 * budget + 20,
            "maxcor": 10,
            "gtol": 0.0,
            "ftol": 0.0,
        },
    )
    z = state["prev"]
    if not state["converged"] and not state["diverged"] and state["n"] < budget:
        # the line search ran out of precision: judge by the gradient step
        grad = fun(z)[1]
        crit = step * np.linalg.norm(grad) / max(np.linalg.norm(z), 1e-300)
        state["crit"] = crit
        state["converged"] = crit < _threshold(
            tol, stat_tol, floor, design.loss(*unpack(z))
        )
    B, W = unpack(z)
    return (
        B.copy(),
        W.copy(),
        state["n"],
        state["converged"],
        state["crit"],
        state["diverged"],
    )


# ---------------------------------------------------------------------------
# Alternating minimisation (AltMinGD / FedRep-style baseline)
# ---------------------------------------------------------------------------
def altmin(
    design,
    k,
    *,
    max_iter=5000,
    tol=1e-4,
    init="svd",
    stat_tol=0.0,
    floor=None,
    rng=None,
    callback=None,
    verbose=0,
):
    """Exact least-squares heads, then one exactly line-searched gradient step
    on the basis U followed by re-orthonormalisation (QR).

    Stops when the relative change ``||U_+ H_+^T - U H^T||_F / ||U H^T||_F`` of
    the coefficients falls below ``max(tol, stat_tol * floor(loss))`` (see
    :func:`tpgd`).

    The loss never increases (the heads are optimal for the new span, which
    contains the line-searched point), but with fewer samples per task than
    features the coefficients can drift to infinity at almost constant loss
    (:func:`_drifting`); the relative change then shrinks like ``1 / ||H||``
    and would pass ``tol``. A drift stops the solver with
    ``info['diverged'] = True`` (not converged).

    Returns
    -------
    U : ndarray of shape (d, k), orthonormal
    H : ndarray of shape (n_tasks, k)
    info : dict
    """
    rng = np.random.default_rng(rng) if not hasattr(rng, "standard_normal") else rng
    U = initial_basis(design, k, init, rng)
    H = design.heads(U)
    loss_curve = []
    norms = []
    converged = diverged = False
    stop_crit = np.inf
    it = 0
    for it in range(1, max_iter + 1):
        loss, gU, _ = design.loss_grad(U, H)
        # exact line search on the quadratic t -> L(U - t gU, H)
        V = design.X @ gU
        if design.shared:
            q = V @ H.T
        else:
            q = np.einsum("ij,ij->i", V, H[design.codes])
        curv = np.vdot(q, q)
        gnorm2 = np.vdot(gU, gU)
        t = gnorm2 / curv if curv > 0 else 0.0
        U_new, _ = np.linalg.qr(U - t * gU)
        H_new = design.heads(U_new)
        # ||U H^T - U' H'^T||_F^2 without forming d x T matrices
        cross = np.trace((U.T @ U_new) @ (H_new.T @ H))
        diff2 = np.vdot(H, H) + np.vdot(H_new, H_new) - 2 * cross
        stop_crit = np.sqrt(max(diff2, 0.0)) / max(np.linalg.norm(H_new), 1e-300)
        U, H = U_new, H_new
        loss_curve.append(design.loss(U, H))
        norms.append(float(np.linalg.norm(H)))
        if callback is not None:
            callback(it, U, H)
        if verbose and (it % 50 == 0 or it == 1):
            print(
                f"[altmin] iter {it:5d} loss {loss_curve[-1]:.6e} "
                f"rel. change {stop_crit:.2e}"
            )
        if _drifting(norms, loss_curve):
            diverged = True
            break
        if stop_crit < _threshold(tol, stat_tol, floor, loss_curve[-1]):
            converged = True
            break
    info = dict(
        n_iter=it,
        converged=converged,
        diverged=diverged,
        loss_curve=np.asarray(loss_curve),
        stop_crit=stop_crit,
        threshold=_threshold(tol, stat_tol, floor, loss_curve[-1]),
        n_backtracks=0,
        coef_norms=np.asarray(norms),
    )
    return U, H, info


def canonical_factors(B, W):
    """Orthonormal basis (k, d) ordered by singular value, and embeddings.

    Returns ``components`` (k, d) with orthonormal rows, ``embeddings``
    (n_tasks, k) and ``singular_values`` (k,), with
    ``embeddings @ components == W @ B.T`` and deterministic signs.
    """
    QB, RB = np.linalg.qr(B)
    QW, RW = np.linalg.qr(W)
    a, s, bt = np.linalg.svd(RB @ RW.T)
    U = QB @ a
    V = QW @ bt.T
    # sign convention: largest-magnitude entry of every component positive
    signs = np.sign(U[np.argmax(np.abs(U), axis=0), np.arange(U.shape[1])])
    signs[signs == 0] = 1.0
    U *= signs
    V *= signs
    return U.T, V * s, s
