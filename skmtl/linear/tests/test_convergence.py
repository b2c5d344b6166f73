"""Default settings converge: the conjugate gradient's task preconditioner."""

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skmtl.linear import MeanRegularizedMultiTask, TaskGraphMultiTask
from skmtl.linear.solvers._cg import ConjugateGradient, task_preconditioner


def _correlated(seed=0, n=60, d=120, T=6):
    """More features than samples, few latent factors, standardised."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 8)) @ rng.standard_normal((8, d))
    X += 0.3 * rng.standard_normal((n, d))
    X = (X - X.mean(0)) / X.std(0)
    Y = X[:, :4] @ rng.standard_normal((4, T)) + rng.standard_normal((n, T))
    return X, Y, np.diag(np.ones(T - 1), 1) + np.diag(np.ones(T - 1), -1)


@pytest.mark.parametrize("alpha", [1e3, 1e4])
def test_strong_task_coupling_converges_in_few_cg_steps(alpha):
    """Without the preconditioner CG needed over 300 steps (and warned at 200)."""
    X, Y, chain = _correlated()
    fast = TaskGraphMultiTask(alpha=alpha, graph=chain, max_iter=200).fit(X, Y)
    assert fast.stop_crit_ <= fast.tol and fast.n_iter_ <= 150
    # exact minimiser: with one centred design, the normal equations
    # S w_t + alpha (W L)_t + rho w_t = X^T y_t / n decouple in the
    # eigenvectors of the Laplacian L
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    n, rho = X.shape[0], fast.ridge
    S = Xc.T @ Xc / n
    lam, V = np.linalg.eigh(np.diag(chain.sum(1)) - chain)
    rhs = (Xc.T @ Yc / n) @ V
    U = np.column_stack(
        [np.linalg.solve(S + (alpha * lj + rho) * np.eye(S.shape[0]), r)
         for lj, r in zip(lam, rhs.T, strict=True)]
    )  # fmt: skip
    ref = (U @ V.T).T
    np.testing.assert_allclose(fast.coef_, ref, atol=1e-3 * np.abs(ref).max())


def test_preconditioner_inverts_the_task_coupling():
    X, Y, _ = _correlated(n=30, d=10, T=4)
    est = MeanRegularizedMultiTask(alpha=1e-3, beta=1e3).fit(X, Y)
    from skmtl.linear.datafits import Quadratic
    from skmtl.linear.penalties._smooth import SmoothSum, mean_regularization
    from skmtl.utils import check_multitask_data

    data = check_multitask_data(est, X, Y)
    f = SmoothSum(Quadratic().initialize(data), mean_regularization(4, 1e-3, 1e3))
    apply = task_preconditioner(f, (10, 4))
    R = np.random.default_rng(1).standard_normal((10, 4))
    c = f.datafit.hessian_diagonal().mean(axis=0)
    Q = f.smooth.hessian_apply(np.eye(4))
    np.testing.assert_allclose(apply(R) @ (Q + np.diag(c)), R, atol=1e-10)
    # no coupling to undo: plain CG
    assert task_preconditioner(f.datafit, (10, 4)) is None


def test_max_iter_bounds_the_work():
    X, Y, chain = _correlated()
    est = TaskGraphMultiTask(alpha=1e3, graph=chain, max_iter=1, tol=0.0)
    with pytest.warns(ConvergenceWarning, match=r"relative gradient norm .* > tol 0"):
        est.fit(X, Y)
    assert est.n_iter_ == 1
    assert ConjugateGradient(max_iter=1).max_iter == 1
