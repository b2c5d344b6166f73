"""The working-set solver: its epoch budget, its compiled coordinate descent
against scikit-learn, and paths on correlated designs."""

import time
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import MultiTaskElasticNet, MultiTaskLasso

from skmtl.linear import DirtyMultiTask, MultiTaskGroupLasso, multitask_path
from skmtl.linear.penalties import L1, L21, StackedPenalty
from skmtl.linear.solvers import _bcd
from skmtl.utils import _accel


@pytest.fixture
def route(monkeypatch):
    """route('compiled') forces the kernels everywhere, route('numpy') none."""

    def switch(name):
        if name == "compiled":
            if not _accel.have_numba():
                pytest.skip("numba not installed")
            monkeypatch.setattr(_accel, "MIN_SIZE", 0)
            monkeypatch.setenv("SKMTL_NUMBA", "1")
        else:
            monkeypatch.setenv("SKMTL_NUMBA", "0")

    return switch


def _gaussian(n, d, T, seed=0, n_informative=10):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    W = np.zeros((d, T))
    W[:n_informative] = rng.standard_normal((n_informative, T))
    return X, X @ W + rng.standard_normal((n, T))


def _correlated(n=150, d=200, T=6, seed=0):
    """Factor design (columns correlated about 0.9) with targets in the hundreds."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, 8))
    X = Z @ rng.standard_normal((8, d)) + 0.3 * rng.standard_normal((n, d))
    W = np.zeros((d, T))
    W[rng.choice(d, 15, replace=False)] = rng.standard_normal((15, T))
    Y = 300.0 + 100.0 * (X @ W + rng.standard_normal((n, T)))
    return X, Y


def _alpha_max(X, Y):
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    return np.linalg.norm(Xc.T @ Yc / len(X), axis=1).max()


def test_max_iter_one_returns_at_once_with_a_warning():
    X, Y = _gaussian(50, 25, 3)
    with pytest.warns(ConvergenceWarning):  # warm-up
        MultiTaskGroupLasso(alpha=0.01, max_iter=1, tol=0).fit(X, Y)
    start = time.perf_counter()
    with pytest.warns(ConvergenceWarning, match=r"relative duality gap .* > tol 0"):
        model = MultiTaskGroupLasso(alpha=0.01, max_iter=1, tol=0).fit(X, Y)
    assert time.perf_counter() - start < 0.05
    assert model.n_iter_ == 1


@pytest.mark.parametrize("route_name", ["numpy", "compiled"])
@pytest.mark.parametrize("max_iter", [2, 7, 40])
def test_max_iter_bounds_all_epochs(route, route_name, max_iter):
    route(route_name)
    X, Y = _correlated(60, 80, 4)
    alpha = 1e-3 * _alpha_max(X, Y)
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        model = MultiTaskGroupLasso(alpha=alpha, max_iter=max_iter, tol=0).fit(X, Y)
    assert model.n_iter_ == max_iter


@pytest.mark.parametrize("route_name", ["numpy", "compiled"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
@pytest.mark.parametrize("shape", [(40, 120, 5), (30, 200, 3)])
def test_small_alpha_with_more_features_than_samples_matches_sklearn(
    route, route_name, l1_ratio, shape
):
    """k > n: the residual route (compiled) and FISTA (numpy) agree with sklearn."""
    route(route_name)
    X, Y = _gaussian(*shape)
    alpha = 0.01 * _alpha_max(X, Y) / l1_ratio
    ours = MultiTaskGroupLasso(alpha=alpha, l1_ratio=l1_ratio, tol=1e-12)
    ours.fit(X, Y)
    assert ours.stop_crit_ <= 1e-12
    assert np.sum(np.any(ours.coef_ != 0, axis=0)) > shape[0]  # k > n
    if l1_ratio == 1.0:
        ref = MultiTaskLasso(alpha=alpha, tol=1e-14, max_iter=200_000)
    else:
        ref = MultiTaskElasticNet(
            alpha=alpha, l1_ratio=l1_ratio, tol=1e-14, max_iter=200_000
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref.fit(X, Y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=2e-5)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=2e-5)


@pytest.mark.parametrize("design", [True, False])
@pytest.mark.parametrize("penalty", [L21(0.05), L21(0.05, 0.5), L1(0.02)])
def test_compiled_kernel_equals_its_python_code(design, penalty):
    if not _accel.have_numba():
        pytest.skip("numba not installed")
    rng = np.random.default_rng(0)
    k, n, T = 30, 12, 4
    Xt = rng.standard_normal((k, n)) / np.sqrt(n)
    Y = rng.standard_normal((n, T))
    params = _bcd.row_prox_params(penalty, k)
    out = []
    for kernel in (_bcd._bcd_shared_epochs, _bcd._bcd_shared_epochs.py_func):
        W = np.zeros((k, T))
        if design:
            V = np.ascontiguousarray(Y.T)
            M, B, diag = Xt, W, np.einsum("ij,ij->i", Xt, Xt)
        else:
            M = Xt @ Xt.T
            B = Xt @ Y
            V = np.zeros((T, k))
            diag = np.ascontiguousarray(np.diag(M))
        kernel(M, B, W, V, diag, design, *params, 7)
        out.append((W, V))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(40, 120, 5), (80, 60, 4)])
def test_numpy_route_equals_compiled_route(route, shape):
    X, Y = _gaussian(*shape)
    alpha = 0.02 * _alpha_max(X, Y)
    coefs = {}
    for name in ("numpy", "compiled"):
        route(name)
        model = MultiTaskGroupLasso(alpha=alpha, tol=1e-12).fit(X, Y)
        assert model.stop_crit_ <= 1e-12
        coefs[name] = model.coef_
    np.testing.assert_allclose(coefs["numpy"], coefs["compiled"], atol=1e-6)


@pytest.mark.parametrize("standardise", [False, True])
def test_path_on_correlated_design_reaches_tol_without_warning(standardise):
    """Raw targets in the hundreds, correlated columns, alphas down to 1e-3."""
    X, Y = _correlated()
    if standardise:
        X = (X - X.mean(0)) / X.std(0)
    est = MultiTaskGroupLasso(tol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        alphas, coefs, intercepts, gaps = multitask_path(
            X, Y, estimator=est, n_alphas=30, eps=1e-3
        )
    f0 = 0.5 * np.mean(np.sum((Y - Y.mean(0)) ** 2, axis=1))
    assert np.all(gaps <= 1e-6 * f0)
    assert np.sum(np.any(coefs[-1] != 0, axis=0)) > 50


def test_partners_pair_the_two_rows_of_a_feature():
    partner = _bcd._partners(np.array([3, 7, 3, 9, 7, 5, 5, 5]))
    # features 3 and 7 have two rows each; 9 one; 5 three (left row by row)
    np.testing.assert_array_equal(partner, [2, 4, 0, -1, 1, -1, -1, -1])


@pytest.mark.parametrize("design", [True, False])
def test_paired_kernel_equals_its_python_code(design):
    # the dirty model's stacked rows: [B rows; S rows] on the same 10 features
    if not _accel.have_numba():
        pytest.skip("numba not installed")
    rng = np.random.default_rng(1)
    d, n, T = 10, 15, 3
    X1 = rng.standard_normal((d, n)) / np.sqrt(n)
    Xt = np.ascontiguousarray(np.vstack([X1, X1]))
    Y = rng.standard_normal((n, T))
    pen = StackedPenalty([L21(0.1), L1(0.06)], d).restrict(np.arange(2 * d))
    params = _bcd.row_prox_params(pen, 2 * d, np.arange(2 * d) % d)
    assert np.all(params[3] >= 0)
    out = []
    for kernel in (_bcd._bcd_shared_epochs, _bcd._bcd_shared_epochs.py_func):
        W = np.zeros((2 * d, T))
        if design:
            V = np.ascontiguousarray(Y.T)
            M, B, diag = Xt, W, np.einsum("ij,ij->i", Xt, Xt)
        else:
            M, B = Xt @ Xt.T, Xt @ Y
            V = np.zeros((T, 2 * d))
            diag = np.ascontiguousarray(np.diag(M))
        kernel(M, B, W, V, diag, design, *params, 5)
        out.append((W, V))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(60, 40, 4), (40, 120, 5)])  # Gram, residual
def test_dirty_compiled_matches_fista_on_correlated_design(route, shape):
    # correlated columns (a shared factor), both parts used: the paired sweep
    # reaches the same optimum as accelerated proximal gradient
    n, d, T = shape
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d)) + 2.0 * rng.standard_normal((n, 1))
    W = np.zeros((d, T))
    W[:5] = rng.standard_normal((5, T))
    W[5:8, 0] = 3.0
    Y = X @ W + 0.1 * rng.standard_normal((n, T))
    a = 0.05 * _alpha_max(X, Y)
    route("compiled")
    ours = DirtyMultiTask(alpha=a, beta=0.7 * a, tol=1e-10).fit(X, Y)
    route("numpy")
    ref = DirtyMultiTask(alpha=a, beta=0.7 * a, solver="fista", tol=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref.set_params(max_iter=200_000).fit(X, Y)
    assert ours.stop_crit_ <= 1e-10
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    assert np.abs(ours.specific_coef_).sum() > 0 and np.abs(ours.shared_coef_).sum() > 0
