"""The compiled (numba) route of the least-squares datafit on long dense data.

Each test builds the same problem twice, once through the numpy code and once
through the compiled passes (``MIN_SIZE`` set to 0), and compares them.
"""

import numpy as np
import pytest
from sklearn.base import BaseEstimator

from skmtl.linear import DirtyMultiTask, MultiTaskGroupLasso
from skmtl.linear.datafits import Quadratic
from skmtl.utils import _accel, check_multitask_data

pytestmark = pytest.mark.skipif(not _accel.have_numba(), reason="numba not installed")


@pytest.fixture
def compiled(monkeypatch):
    """Context switch: compiled(True) forces the kernels, False the numpy route."""

    def switch(on):
        monkeypatch.setattr(_accel, "MIN_SIZE", 0 if on else 10**18)

    yield switch


def _long(seed=0, sizes=(30, 45, 20, 38), d=7, first=False, shuffle=False):
    rng = np.random.default_rng(seed)
    T = len(sizes)
    ids = np.repeat(np.arange(T), sizes)
    X = rng.standard_normal((len(ids), d)) * rng.uniform(0.5, 3, d) + rng.normal(
        0, 2, d
    )
    W = rng.standard_normal((d, T))
    y = np.einsum("ij,ji->i", X, W[:, ids]) + rng.normal(0, 0.5, len(ids)) + ids
    if shuffle:
        order = rng.permutation(len(ids))
        X, y, ids = X[order], y[order], ids[order]
    Xl = np.column_stack([ids, X]) if first else np.column_stack([X, ids])
    return Xl, y, (0 if first else -1)


class _Holder(BaseEstimator):
    pass


def _datafit(Xl, y, tc, fit_intercept, sample_weight=None):
    data = check_multitask_data(
        _Holder(), Xl, y, task_column=tc, sample_weight=sample_weight
    )
    return Quadratic(fit_intercept).initialize(data)


CASES = {
    "grouped, task column last": {},
    "task column first": {"first": True},
    "rows not grouped": {"shuffle": True},
    # rows of 512 features or more take the four-rows-per-step loops
    "long rows": {"d": 530, "sizes": (9, 14, 6, 11)},
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights", [False, True])
def test_datafit_matches_numpy_route(compiled, case, fit_intercept, weights):
    Xl, y, tc = _long(**CASES[case])
    rng = np.random.default_rng(1)
    y = y.copy()
    y[rng.choice(len(y), 9, replace=False)] = np.nan  # unlabelled rows
    sw = rng.uniform(0, 2, len(y)) if weights else None
    if weights:
        sw[:5] = 0.0
    fits = {}
    for on in (False, True):
        compiled(on)
        fits[on] = _datafit(Xl, y, tc, fit_intercept, sw)
    ref, fast = fits[False], fits[True]
    assert fast._rows is not None and ref._rows is None
    np.testing.assert_allclose(fast.X_offset, ref.X_offset, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fast.b0, ref.b0, rtol=1e-10, atol=1e-12)
    assert fast.value0 == pytest.approx(ref.value0, rel=1e-12)
    d, T = ref.n_features, ref.n_tasks
    W_dense = rng.standard_normal((d, T))
    W_rows = np.zeros((d, T))
    W_rows[[1, 4]] = rng.standard_normal((2, T))
    for W in (W_dense, W_rows, np.zeros((d, T))):
        f_ref, g_ref = ref.value_and_gradient(W)
        f_fast, g_fast = fast.value_and_gradient(W)
        assert f_fast == pytest.approx(f_ref, rel=1e-10)
        np.testing.assert_allclose(g_fast, g_ref, rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(fast.gradient(W), g_ref, rtol=1e-9, atol=1e-11)
    feats = np.array([0, 3, 5])
    G_ref, B_ref = ref.gram(feats)
    G_fast, B_fast = fast.gram(feats)
    np.testing.assert_allclose(G_fast, G_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(B_fast, B_ref, rtol=1e-10, atol=1e-12)
    # a grown working set reuses the kept columns
    G_ref, _ = ref.gram(np.array([0, 1, 3, 5, 6]))
    G_fast, _ = fast.gram(np.array([0, 1, 3, 5, 6]))
    np.testing.assert_allclose(G_fast, G_ref, rtol=1e-10, atol=1e-12)


def test_float32_features(compiled):
    Xl, y, tc = _long()
    Xl = Xl.astype(np.float32)
    out = {}
    for on in (False, True):
        compiled(on)
        df = _datafit(Xl, y, tc, True)
        W = np.linspace(-1, 1, df.n_features * df.n_tasks).reshape(df.n_features, -1)
        out[on] = df.value_and_gradient(W)
    assert out[True][0] == pytest.approx(out[False][0], rel=1e-5)
    np.testing.assert_allclose(out[True][1], out[False][1], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("Est", [MultiTaskGroupLasso, DirtyMultiTask])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_estimators_match_numpy_route(compiled, Est, fit_intercept):
    Xl, y, tc = _long(shuffle=True)
    coefs = {}
    for on in (False, True):
        compiled(on)
        est = Est(task_column=tc, fit_intercept=fit_intercept, tol=1e-12)
        est.set_params(alpha=0.05)
        est.fit(Xl, y)
        coefs[on] = (est.coef_, est.intercept_)
    np.testing.assert_allclose(coefs[True][0], coefs[False][0], atol=1e-8)
    np.testing.assert_allclose(coefs[True][1], coefs[False][1], atol=1e-8)


@pytest.mark.parametrize(
    "bad, match",
    [(np.nan, "NaN"), (np.inf, "infinity"), (1e200, "too large")],
)
@pytest.mark.parametrize("zero_weight_row", [False, True])
def test_deferred_check_of_X_raises(compiled, bad, match, zero_weight_row):
    """Validation leaves X to the first pass; bad values still raise."""
    compiled(True)
    Xl, y, tc = _long()
    Xl[7, 2] = bad
    sw = None
    if zero_weight_row:  # a row that contributes nothing to the fit
        sw = np.ones(len(y))
        sw[7] = 0.0
    with pytest.raises(ValueError, match=match):
        MultiTaskGroupLasso(task_column=tc).fit(Xl, y, sample_weight=sw)


def test_deferral_only_when_every_row_is_labelled(compiled):
    compiled(True)
    Xl, y, tc = _long()
    data = check_multitask_data(_Holder(), Xl, y, task_column=tc, defer_x_check=True)
    assert data.x_unchecked
    Quadratic().initialize(data)
    assert not data.x_unchecked  # the first pass did the check
    y = y.copy()
    y[3] = np.nan
    Xl[3, 0] = np.nan  # NaN on an unlabelled row: found by the ordinary check
    with pytest.raises(ValueError, match="NaN"):
        check_multitask_data(_Holder(), Xl, y, task_column=tc, defer_x_check=True)
    compiled(False)
    data = check_multitask_data(
        _Holder(), _long()[0], _long()[1], task_column=-1, defer_x_check=True
    )
    assert not data.x_unchecked  # no kernels: checked right away


def _inner_problem(seed=0, T=4, n=60, k=45):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((T, n, k)) * rng.uniform(0.5, 2.0, k)
    G = np.matmul(Z.transpose(0, 2, 1), Z) / n
    B = rng.standard_normal((k, T))
    return G, B


@pytest.mark.parametrize("l1_ratio", [1.0, 0.7])
def test_bcd_inner_solver_reaches_the_fista_solution(l1_ratio):
    """Compiled coordinate descent and restarted FISTA solve the same problem."""
    from skmtl.linear.penalties import L21
    from skmtl.linear.solvers._bcd import row_prox_params
    from skmtl.linear.solvers._working_set import _fista, _inner_bcd, _restricted_gap

    G, B = _inner_problem()
    pen = L21(0.6 * np.linalg.norm(B, axis=1).max(), l1_ratio)
    W0 = np.zeros_like(B)
    value0 = 10.0
    W_bcd, epochs, done = _inner_bcd(
        G, B, W0, value0, pen, row_prox_params(pen, B.shape[0]), 1e-13, 100_000
    )
    assert done
    W_fista, _, _ = _fista(G, B, W0, value0, pen, 1e-13, 100_000)
    assert _restricted_gap(G, B, W_bcd, value0, pen)[0] <= 1e-12
    assert 0 < epochs < 1000
    np.testing.assert_allclose(W_bcd, W_fista, atol=1e-6)
    assert 0 < np.sum(np.any(W_bcd != 0, axis=1)) < G.shape[1]  # rows dropped


def test_bcd_inner_solver_l1():
    from skmtl.linear.penalties import L1
    from skmtl.linear.solvers._bcd import row_prox_params
    from skmtl.linear.solvers._working_set import _inner_bcd, _restricted_gap

    G, B = _inner_problem(1)
    pen = L1(0.5 * np.abs(B).max())
    W, _, done = _inner_bcd(
        G, B, np.zeros_like(B), 5.0, pen, row_prox_params(pen, len(B)), 1e-12, 100_000
    )
    assert done
    assert _restricted_gap(G, B, W, 5.0, pen)[0] <= 1e-11
    # optimality per entry: |grad| <= alpha off the support, = -alpha sign(w) on it
    grad = np.matmul(G, W.T[:, :, None])[:, :, 0].T - B
    on = W != 0
    np.testing.assert_allclose(grad[on], -pen.alpha * np.sign(W[on]), atol=1e-6)
    assert np.all(np.abs(grad[~on]) <= pen.alpha + 1e-6)


@pytest.mark.parametrize("k", [30, 60, 150])
def test_lanczos_step_bounds_the_largest_eigenvalue(k):
    from skmtl.linear.solvers._working_set import _top_eigenvalue

    rng = np.random.default_rng(k)
    for scale in (None, "columns", "common factor"):
        Z = rng.standard_normal((6, 2 * k, k))
        if scale == "columns":
            Z *= rng.uniform(0.1, 10, k)
        elif scale == "common factor":
            Z += 3 * rng.standard_normal((6, 2 * k, 1))
        G = np.matmul(Z.transpose(0, 2, 1), Z) / (2 * k)
        top = np.linalg.eigvalsh(G)[:, -1].max()
        est = _top_eigenvalue(G)
        assert top * (1 - 1e-12) <= est <= 1.02 * top
        assert _top_eigenvalue(G[2]) >= np.linalg.eigvalsh(G[2])[-1] * (1 - 1e-12)


def test_fista_returns_an_optimal_start_unchanged():
    from skmtl.linear import TraceNormMultiTask

    Xl, y, tc = _long()
    est = TraceNormMultiTask(task_column=tc, alpha=1e6, solver="fista").fit(Xl, y)
    assert np.all(est.coef_ == 0) and est.n_iter_ == 1


def test_bcd_rows_with_very_different_task_curvatures():
    """The exact row step handles tasks whose Gram scales differ by 1e4."""
    from skmtl.linear.penalties import L21
    from skmtl.linear.solvers._bcd import row_prox_params
    from skmtl.linear.solvers._working_set import _inner_bcd, _restricted_gap

    G, B = _inner_problem(2, T=5)
    scales = np.array([1e-2, 1e-1, 1.0, 10.0, 1e2])
    G = G * scales[:, None, None]
    B = B * np.sqrt(scales)[None, :]
    pen = L21(0.3 * np.linalg.norm(B, axis=1).max())
    W, epochs, done = _inner_bcd(
        G, B, np.zeros_like(B), 10.0, pen, row_prox_params(pen, len(B)), 1e-11, 100_000
    )
    assert done and epochs <= 150
    assert _restricted_gap(G, B, W, 10.0, pen)[0] <= 1e-11


def test_inner_solve_falls_back_to_fista_on_ill_conditioned_blocks():
    """Tasks with fewer rows than features: coordinate descent gives way."""
    from skmtl.linear.penalties import L21
    from skmtl.linear.solvers._bcd import row_prox_params
    from skmtl.linear.solvers._working_set import _gram_solve, _restricted_gap

    rng = np.random.default_rng(3)
    T, n, k = 40, 3, 25
    Z = rng.standard_normal((T, n, k)) + 2.0 * rng.standard_normal((T, n, 1))
    G = np.matmul(Z.transpose(0, 2, 1), Z) / n
    B = np.einsum("tnk,tn->kt", Z, rng.standard_normal((T, n))) / n
    pen = L21(0.05 * np.linalg.norm(B, axis=1).max())
    params = row_prox_params(pen, len(B))
    W, _, _ = _gram_solve(G, B, np.zeros_like(B), 1.0, pen, 1e-9, 200_000, params)
    assert _restricted_gap(G, B, W, 1.0, pen)[0] <= 1e-9


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("strong", [3, 0])
def test_prefetched_columns_give_the_same_gram(compiled, fit_intercept, strong):
    """The first pass gathers the standing-out features; nothing else changes."""
    rng = np.random.default_rng(5)
    sizes, d = (800, 1000, 900), 12
    ids = np.repeat(np.arange(3), sizes)
    X = rng.standard_normal((len(ids), d))
    W = np.zeros((d, 3))
    W[[2, 7, 9], :] = 3.0 * strong
    y = np.einsum("ij,ji->i", X, W[:, ids]) + rng.standard_normal(len(ids))
    Xl = np.column_stack([X, ids])
    fits = {}
    for on in (False, True):
        compiled(on)
        data = check_multitask_data(_Holder(), Xl, y, task_column=-1)
        fits[on] = Quadratic(fit_intercept, prefetch=3).initialize(data)
    fast, ref = fits[True], fits[False]
    guessed = fast._prefetched is not None
    assert guessed == bool(strong)  # only standing-out features are guessed
    np.testing.assert_allclose(fast.b0, ref.b0, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fast.X_offset, ref.X_offset, rtol=1e-12, atol=1e-12)
    ws = np.array([2, 7, 9])
    np.testing.assert_allclose(fast.gram(ws)[0], ref.gram(ws)[0], rtol=1e-10)
    assert fast._prefetched is None  # consumed (or dropped) by the first gram
    grown = np.array([0, 2, 5, 7, 9])
    np.testing.assert_allclose(fast.gram(grown)[0], ref.gram(grown)[0], rtol=1e-10)


def test_group_lasso_with_prefetch_matches_numpy_route(compiled):
    rng = np.random.default_rng(6)
    sizes, d = (6000, 8000, 7000), 60
    ids = np.repeat(np.arange(3), sizes)
    X = rng.standard_normal((len(ids), d))
    W = np.zeros((d, 3))
    W[:50] = rng.uniform(2.5, 3.5, (50, 3))  # exactly p0 = 50 features stand out
    y = np.einsum("ij,ji->i", X, W[:, ids]) + rng.standard_normal(len(ids))
    Xl = np.column_stack([X, ids])
    compiled(True)
    data = check_multitask_data(_Holder(), Xl, y, task_column=-1)
    assert Quadratic(prefetch=50).initialize(data)._prefetched is not None
    coefs = {}
    for on in (False, True):
        compiled(on)
        est = MultiTaskGroupLasso(alpha=0.05, task_column=-1, tol=1e-12)
        coefs[on] = est.fit(Xl, y).coef_
    np.testing.assert_allclose(coefs[True], coefs[False], atol=1e-8)


def test_first_working_set_size_rule():
    from skmtl.linear.solvers._working_set import first_set_size

    assert first_set_size(50, 1000, per_task_gram=True) == 100  # Gram < a pass
    assert first_set_size(50, 200, per_task_gram=True) == 50  # Gram > a pass
    assert first_set_size(50, 10_000, per_task_gram=False) == 50  # shared Gram
