"""Group-lasso paths on strongly correlated features: Newton steps on the
support finish what coordinate descent crawls through (see
``skmtl.linear.solvers._newton``)."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skmtl.linear import MultiTaskGroupLasso, multitask_path
from skmtl.linear.solvers._newton import support_newton
from skmtl.utils import _accel

pytestmark = pytest.mark.skipif(
    not _accel.have_numba(), reason="coordinate descent needs numba"
)

def _near_copies(seed=1, n=80, m=20, copies=4, noise=1e-2, T=4):
    """``m`` base features, ``copies - 1`` noisy copies of each (correlation
    about ``1 - noise**2 / 2``) and exact copies of half of them, as in the
    Mulan set atp1d (145 duplicated columns, many more correlated beyond
    0.9999)."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, m))
    parts = [Z] + [Z + noise * rng.standard_normal((n, m)) for _ in range(copies - 1)]
    X = np.hstack(parts + [Z[:, : m // 2]])
    Y = Z @ rng.standard_normal((m, T)) + rng.standard_normal((n, T))
    return X, Y


def _kkt_violation(X, Y, coef, alpha):
    """Largest violation of the group-lasso optimality conditions over alpha.

    With ``G = X_c^T R / n`` (centred data, residual R): ``||G_j|| <= alpha``
    for a zero row, ``G_j = alpha w_j / ||w_j||`` for a nonzero one.
    """
    Xc, Yc = X - X.mean(axis=0), Y - Y.mean(axis=0)
    W = coef.T
    grad = Xc.T @ (Yc - Xc @ W) / len(X)
    norms = np.linalg.norm(W, axis=1)
    active = norms > 0
    zero_excess = np.linalg.norm(grad[~active], axis=1) - alpha
    active_dist = np.linalg.norm(
        grad[active] - alpha * W[active] / norms[active, None], axis=1
    )
    return max(zero_excess.max(initial=0.0), active_dist.max(initial=0.0)) / alpha


def test_path_on_near_copies_converges_with_kkt():
    # before the Newton steps three fits of this path reached max_iter=10000
    # with a ConvergenceWarning (coordinate descent turns near-copies
    # parallel by a factor close to 1 per epoch)
    X, Y = _near_copies()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        alphas, coefs, _, gaps = multitask_path(X, Y, n_alphas=20, eps=1e-2)
    f0 = 0.5 * np.sum((Y - Y.mean(axis=0)) ** 2) / len(X)
    assert np.all(gaps <= 1e-6 * f0)
    for alpha, coef in zip(alphas, coefs, strict=True):
        assert _kkt_violation(X, Y, coef, alpha) < 1e-2


def test_single_fit_reports_truthful_gap():
    X, Y = _near_copies()
    alpha = 0.02 * np.linalg.norm((X - X.mean(0)).T @ Y, axis=1).max() / len(X)
    model = MultiTaskGroupLasso(alpha=alpha, max_iter=100_000).fit(X, Y)
    assert model.stop_crit_ <= 1e-6
    assert model.n_iter_ < 100_000
    # the reported gap is the gap of the returned coefficients
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    R = Yc - Xc @ model.coef_.T
    primal = (
        0.5 * np.sum(R**2) / len(X) + alpha * np.linalg.norm(model.coef_, axis=0).sum()
    )
    grad = Xc.T @ R / len(X)
    s = min(1.0, alpha / np.linalg.norm(grad, axis=1).max())
    theta = s * R / len(X)
    dual = 0.5 * np.sum(Yc**2) / len(X) - 0.5 * len(X) * np.sum(
        (Yc / len(X) - theta) ** 2
    )
    np.testing.assert_allclose(model.dual_gap_, primal - dual, rtol=1e-6, atol=1e-12)


def test_support_newton_step_descends_and_converges():
    # q(W) = 1/2 <W, G W> - <B, W> + a1 sum ||w_j|| on a correlated support
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((50, 6))
    X = np.hstack([Z, Z[:, :3] + 0.1 * rng.standard_normal((50, 3))])
    G = X.T @ X / 50
    W_true = rng.standard_normal((9, 3))
    B = G @ W_true
    a1, a2 = np.full(9, 0.05), np.zeros(9)

    def q(W):
        return 0.5 * np.vdot(W, G @ W) - np.vdot(B, W) + a1 @ np.linalg.norm(W, axis=1)

    W, mu, values = W_true.copy(), 1e-6, [q(W_true)]
    for _ in range(30):  # as the solver calls it: on the nonzero rows
        rows = np.flatnonzero(np.any(W != 0, axis=1))
        sub = np.ix_(rows, rows)
        W[rows], n_solves, mu = support_newton(
            G[sub], B[rows], W[rows], a1[rows], a2[rows], mu=mu
        )
        assert 1 <= n_solves <= 4
        values.append(q(W))
    assert np.all(np.diff(values) <= 1e-15)
    # optimality: stationarity on the nonzero rows, ||grad_j|| <= a1 elsewhere
    norms = np.linalg.norm(W, axis=1)
    grad = G @ W - B
    active = norms > 0
    stationarity = grad[active] + a1[active, None] * W[active] / norms[active, None]
    assert np.abs(stationarity).max() < 1e-7  # steps stop at a 1e-13 decrease
    assert np.all(np.linalg.norm(grad[~active], axis=1) <= a1[~active] + 1e-9)


@pytest.mark.slow
def test_atp1d_cv_fold_path_converges(mtr_home):
    from sklearn.impute import SimpleImputer
    from sklearn.model_selection import KFold
    from sklearn.preprocessing import StandardScaler

    from skmtl.datasets import load_mtr

    X, Y = load_mtr("atp1d", data_home=mtr_home, return_X_y=True)
    X = StandardScaler().fit_transform(SimpleImputer().fit_transform(X))
    Y = StandardScaler().fit_transform(np.asarray(Y, dtype=float))
    train = list(KFold(5).split(X))[2][0]  # the fold whose path warned
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        multitask_path(X[train], Y[train])
