"""The numerical core: datafit gradients, penalty proxes, FISTA and cvxpy."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import check_grad
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import MultiTaskElasticNet, MultiTaskLasso

from skmtl.datasets import make_multitask_regression
from skmtl.linear import MultiTaskGroupLasso
from skmtl.linear.datafits import Quadratic
from skmtl.linear.penalties import L1, L21, check_penalty_methods
from skmtl.utils import check_multitask_data


def _data(layout, rng, sparse=False, weights=False):
    if layout == "long":
        X, y = make_multitask_regression(
            n_features=6, n_tasks=4, samples_per_task=[7, 15, 9, 20], random_state=1
        )
        task_column = -1
    else:
        X, y = make_multitask_regression(40, 6, 4, random_state=1)
        if layout == "masked":
            y[rng.random(y.shape) < 0.3] = np.nan
        task_column = None
    if sparse:
        X = sp.csr_matrix(X)
    sw = rng.uniform(0.5, 2, X.shape[0]) if weights else None
    est = MultiTaskGroupLasso(task_column=task_column)
    return check_multitask_data(
        est, X, y, task_column=task_column, sample_weight=sw, accept_sparse="csr"
    )


@pytest.mark.parametrize("layout", ["shared", "masked", "long"])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_quadratic_gradient_and_value(rng, layout, sparse, fit_intercept):
    data = _data(layout, rng, sparse=sparse, weights=True)
    f = Quadratic(fit_intercept).initialize(data)
    shape = (data.n_features, data.n_tasks)

    def fun(w):
        return f.value(w.reshape(shape))

    def grad(w):
        return f.gradient(w.reshape(shape)).ravel()

    w0 = rng.standard_normal(np.prod(shape))
    assert check_grad(fun, grad, w0) < 1e-6 * max(1.0, np.linalg.norm(grad(w0)))
    # value against a direct per-task computation
    W = w0.reshape(shape)
    total = 0.0
    for t, idx, y_t, s_t in data.iter_tasks():
        X_t = data.X[idx].toarray() if sparse else data.X[idx]
        xm = np.average(X_t, axis=0, weights=s_t) if fit_intercept else 0
        ym = np.average(y_t, weights=s_t) if fit_intercept else 0
        r = (y_t - ym) - (X_t - xm) @ W[:, t]
        total += 0.5 * np.sum(s_t * r**2) / s_t.sum()
    assert np.isclose(f.value(W), total)


@pytest.mark.parametrize("layout", ["shared", "masked", "long"])
def test_lipschitz_bounds_each_task_hessian(rng, layout):
    data = _data(layout, rng, weights=True)
    f = Quadratic().initialize(data)
    for t, idx, _, s_t in data.iter_tasks():
        Xc = data.X[idx] - f.X_offset[t]
        H = Xc.T @ (Xc * (s_t / s_t.sum())[:, None])
        lam = np.linalg.eigvalsh(H).max()
        assert lam <= f.lipschitz_tasks[t] <= 1.05 * lam


def test_l21_prox_is_the_minimiser(rng):
    pen = L21(alpha=0.7, l1_ratio=0.6)
    V, step = rng.standard_normal((5, 3)), 0.4
    V[1] *= 0.05  # a row that is zeroed
    P = pen.prox(V, step)
    assert np.all(P[1] == 0)

    def obj(Z):
        return 0.5 / step * np.sum((Z - V) ** 2) + pen.value(Z)

    for _ in range(50):
        Z = P + 1e-3 * rng.standard_normal(P.shape)
        assert obj(Z) >= obj(P) - 1e-12
    # optimality of the prox point: 0 in (P - V)/step + dOmega(P)
    assert pen.subdiff_distance(P, (P - V) / step).max() < 1e-10


def test_l1_prox_and_alpha_max(rng):
    pen = L1(alpha=0.5)
    V = rng.standard_normal((4, 3))
    np.testing.assert_allclose(
        pen.prox(V, 1.0), np.sign(V) * np.maximum(np.abs(V) - 0.5, 0)
    )
    assert pen.alpha_max(np.array([[0.1, -2.0]])) == 2.0


def test_solver_needs_are_checked():
    class OnlyValue:
        def value(self, W):
            return 0.0

    with pytest.raises(AttributeError, match="needs the penalty to implement prox"):
        check_penalty_methods(OnlyValue(), ("value", "prox"), "FISTA")


@pytest.mark.parametrize("alpha", [0.005, 0.05, 0.3, 1.0])
def test_group_lasso_matches_sklearn_multitask_lasso(alpha):
    X, Y = make_multitask_regression(80, 25, 5, n_informative=4, random_state=0)
    ref = MultiTaskLasso(alpha=alpha, tol=1e-14, max_iter=100_000).fit(X, Y)
    est = MultiTaskGroupLasso(alpha=alpha, tol=1e-10, max_iter=50_000).fit(X, Y)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-6)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, atol=1e-6)
    assert est.stop_crit_ <= 1e-10


def test_group_lasso_with_ridge_part_matches_elastic_net():
    X, Y = make_multitask_regression(60, 15, 3, random_state=2)
    ref = MultiTaskElasticNet(alpha=0.1, l1_ratio=0.5, tol=1e-14, max_iter=100_000)
    ref.fit(X, Y)
    est = MultiTaskGroupLasso(alpha=0.1, l1_ratio=0.5, tol=1e-10, max_iter=50_000)
    np.testing.assert_allclose(est.fit(X, Y).coef_, ref.coef_, atol=1e-6)


@pytest.mark.parametrize("layout", ["masked", "long"])
def test_group_lasso_matches_cvxpy(rng, layout):
    if layout == "long":
        X, y = make_multitask_regression(
            n_features=8, n_tasks=4, samples_per_task=[9, 25, 12, 30], random_state=3
        )
        kw = {"task_column": -1}
    else:
        X, y = make_multitask_regression(50, 8, 4, random_state=3)
        y[rng.random(y.shape) < 0.3] = np.nan
        kw = {}
    sw = rng.uniform(0.5, 2.0, X.shape[0])
    fast = MultiTaskGroupLasso(alpha=0.1, tol=1e-10, max_iter=50_000, **kw)
    exact = MultiTaskGroupLasso(alpha=0.1, solver="cvxpy", **kw)
    fast.fit(X, y, sample_weight=sw)
    exact.fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(fast.coef_, exact.coef_, atol=1e-4)
    np.testing.assert_allclose(fast.intercept_, exact.intercept_, atol=1e-4)
    assert fast.stop_crit_ <= 1e-10


def test_non_convergence_warns():
    X, Y = make_multitask_regression(50, 200, 3, n_informative=40, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"did not converge.*tol 1\.0e-12"):
        MultiTaskGroupLasso(alpha=0.01, max_iter=1, tol=1e-12).fit(X, Y)
    with pytest.warns(ConvergenceWarning, match=r"did not converge.*tol 1\.0e-12"):
        MultiTaskGroupLasso(alpha=0.01, solver="fista", max_iter=3, tol=1e-12).fit(X, Y)


def test_warm_start_from_solution_converges_at_once():
    X, Y = make_multitask_regression(60, 10, 3, random_state=0)
    est = MultiTaskGroupLasso(alpha=0.1, tol=1e-8, warm_start=True).fit(X, Y)
    first = est.n_iter_
    est.fit(X, Y)
    assert est.n_iter_ == 1 < first


@pytest.mark.parametrize("layout", ["shared", "masked", "long"])
def test_task_values_and_gradient_split_the_objective(rng, layout):
    data = _data(layout, rng, weights=True)
    f = Quadratic().initialize(data)
    W = rng.standard_normal((data.n_features, data.n_tasks))
    values, grad = f.task_values_and_gradient(W)
    assert np.isclose(values.sum(), f.value(W))
    np.testing.assert_allclose(values, f.task_values(W))
    np.testing.assert_allclose(grad, f.gradient(W))
    for t in range(data.n_tasks):  # task t's loss depends on column t only
        V = W.copy()
        V[:, (t + 1) % data.n_tasks] += 1.0
        if data.n_tasks > 1:
            assert np.isclose(f.task_values(V)[t], values[t])
