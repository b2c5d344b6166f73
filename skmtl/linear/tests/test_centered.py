"""Penalties on the deviations from the task mean (``center_tasks=True``)."""

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmtl.datasets import make_multitask_regression
from skmtl.linear import (
    ClusteredMultiTask,
    MultiTaskGroupLasso,
    MultiTaskGroupLassoCV,
    PerTaskRidge,
    PooledRidge,
    TraceNormMultiTask,
    TraceNormMultiTaskCV,
    multitask_path,
)
from skmtl.linear.penalties import L1, L21
from skmtl.linear.penalties._centered import CenteredPenalty
from skmtl.utils import wide_to_long

CENTERED = [MultiTaskGroupLasso, TraceNormMultiTask]


def _wide_nan(seed=0, n=40, d=5, T=4):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w0 = rng.standard_normal(d)
    W = w0[:, None] + 0.3 * rng.standard_normal((d, T))
    Y = X @ W + 0.5 * rng.standard_normal((n, T)) + rng.standard_normal(T)
    Y[rng.random((n, T)) < 0.2] = np.nan
    return X, Y


def _long_unequal(seed=1, d=4, sizes=(12, 30, 18)):
    rng = np.random.default_rng(seed)
    w0 = rng.standard_normal(d)
    rows, ys = [], []
    for t, n_t in enumerate(sizes):
        X_t = rng.standard_normal((n_t, d))
        w_t = w0 + 0.3 * rng.standard_normal(d)
        ys.append(X_t @ w_t + 0.5 * rng.standard_normal(n_t) + t)
        rows.append(np.column_stack([X_t, np.full(n_t, t)]))
    return np.vstack(rows), np.concatenate(ys)


@parametrize_with_checks(
    expected_failed_checks=lambda est: (
        {
            "check_methods_sample_order_invariance": (
                "the check forces n_clusters=2 on a single-task problem; more "
                "clusters than tasks is an error (as in tests/test_common.py)"
            )
        }
        if isinstance(est, ClusteredMultiTask)
        else {}
    ),
    estimators=[
        MultiTaskGroupLasso(alpha=0.1, center_tasks=True, mean_alpha=0.1),
        TraceNormMultiTask(alpha=0.1, center_tasks=True, mean_alpha=0.1),
        ClusteredMultiTask(1, alpha=0.5, beta=0.1, center_tasks=True, mean_alpha=0.1),
    ],
)
def test_centered_estimators_pass_sklearn_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("cls", [*CENTERED, ClusteredMultiTask])
@pytest.mark.parametrize("layout", ["wide", "long"])
def test_matches_cvxpy(cls, layout):
    X, y = _wide_nan() if layout == "wide" else _long_unequal()
    tc = None if layout == "wide" else -1
    params = dict(alpha=0.05, center_tasks=True, mean_alpha=0.2, task_column=tc)
    if cls is ClusteredMultiTask:
        params.update(n_clusters=2, alpha=0.5, beta=0.05)
    fast = cls(**params, tol=1e-10, max_iter=20_000).fit(X, y)
    ref = cls(**params, solver="cvxpy").fit(X, y)
    np.testing.assert_allclose(fast.coef_, ref.coef_, atol=2e-5)
    np.testing.assert_allclose(fast.intercept_, ref.intercept_, atol=2e-5)
    assert fast.stop_crit_ <= 1e-10
    # the deviations are what is penalised, and they are not all zero here
    assert np.abs(fast.coef_ - fast.mean_coef_).max() > 1e-3
    np.testing.assert_allclose(fast.mean_coef_, fast.coef_.mean(axis=0))


@pytest.mark.parametrize("cls", CENTERED)
@pytest.mark.parametrize("layout", ["wide", "long"])
def test_large_alpha_is_the_pooled_ridge(cls, layout):
    X, y = _wide_nan() if layout == "wide" else _long_unequal()
    tc = None if layout == "wide" else -1
    n_tasks = 4 if layout == "wide" else 3
    gamma = 0.3
    model = cls(alpha=1e3, center_tasks=True, mean_alpha=gamma, task_column=tc)
    model.fit(X, y)
    pooled = PooledRidge(alpha=gamma * n_tasks, task_column=tc).fit(X, y)
    np.testing.assert_allclose(model.coef_, pooled.coef_, atol=1e-8)
    np.testing.assert_allclose(model.intercept_, pooled.intercept_, atol=1e-8)
    assert model.n_iter_ == 1  # the pooled start is already optimal


def test_clustered_centred_tends_to_the_pooled_ridge():
    X, y = _long_unequal()
    pooled = PooledRidge(alpha=0.3 * 3, task_column=-1).fit(X, y)
    gaps = []
    for strength in (1.0, 100.0, 1e4):
        model = ClusteredMultiTask(
            1,
            alpha=strength,
            beta=strength,
            center_tasks=True,
            mean_alpha=0.3,
            tol=1e-7,  # 1e-10 is below what rounding allows at strength 1e4
            task_column=-1,
        ).fit(X, y)
        gaps.append(np.abs(model.coef_ - pooled.coef_).max())
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 1e-3


@pytest.mark.parametrize("layout", ["wide", "long"])
def test_alpha_max_is_where_the_deviations_vanish(layout):
    X, y = _wide_nan() if layout == "wide" else _long_unequal()
    tc = None if layout == "wide" else -1
    est = MultiTaskGroupLasso(center_tasks=True, mean_alpha=0.1, task_column=tc)
    alphas, coefs, _, _ = multitask_path(X, y, estimator=est, n_alphas=5, eps=0.1)
    dev = np.abs(coefs - coefs.mean(axis=1, keepdims=True)).max(axis=(1, 2))
    assert dev[0] <= 1e-10  # alpha_max: no deviation
    assert dev[1] > 1e-4
    below = est.set_params(alpha=alphas[0] * 0.98, tol=1e-10).fit(X, y)
    assert np.abs(below.coef_ - below.mean_coef_).max() > 0


def test_trace_norm_cv_grid_starts_at_the_pooled_ridge():
    X, y = _long_unequal(sizes=(20, 25, 30, 22))
    cv = TraceNormMultiTaskCV(
        n_alphas=6, eps=0.05, cv=3, random_state=0, center_tasks=True, task_column=-1
    ).fit(X, y)
    top = TraceNormMultiTask(
        alpha=cv.alphas_[0], center_tasks=True, tol=1e-10, task_column=-1
    ).fit(X, y)
    assert top.rank_ == 0
    just_below = top.set_params(alpha=0.95 * cv.alphas_[0]).fit(X, y)
    assert just_below.rank_ == 1
    assert cv.alpha_ in cv.alphas_


def test_group_lasso_cv_passes_center_through():
    X, Y = _wide_nan(n=60)
    cv = MultiTaskGroupLassoCV(
        alphas=5, cv=3, random_state=0, center_tasks=True, mean_alpha=0.1
    ).fit(X, Y)
    ref = MultiTaskGroupLasso(
        alpha=cv.alpha_, center_tasks=True, mean_alpha=0.1, tol=1e-6
    ).fit(X, Y)
    np.testing.assert_allclose(cv.coef_, ref.coef_, atol=1e-4)


def test_recovers_a_shared_model_with_few_deviating_features():
    # every task = one shared model + corrections on 2 of 15 features
    rng = np.random.default_rng(0)
    n, d, T = 30, 15, 12
    w0 = rng.standard_normal(d)
    W = np.repeat(w0[:, None], T, axis=1)
    W[:2] += rng.standard_normal((2, T))
    X = rng.standard_normal((n * T, d))
    tasks = np.repeat(np.arange(T), n)
    y = np.einsum("ij,ji->i", X, W[:, tasks]) + 0.5 * rng.standard_normal(n * T)
    X_test = rng.standard_normal((2000, d))
    t_test = rng.integers(0, T, 2000)
    y_test = np.einsum("ij,ji->i", X_test, W[:, t_test])
    Xl, Xl_test = np.column_stack([X, tasks]), np.column_stack([X_test, t_test])

    def err(model):
        return np.mean((model.predict(Xl_test) - y_test) ** 2)

    centered = min(
        err(MultiTaskGroupLasso(alpha=a, center_tasks=True, task_column=-1).fit(Xl, y))
        for a in (0.05, 0.1, 0.2, 0.3, 0.5)
    )
    plain = min(
        err(MultiTaskGroupLasso(alpha=a, task_column=-1).fit(Xl, y))
        for a in (0.005, 0.01, 0.02, 0.05, 0.1)
    )
    ridge = min(
        err(PerTaskRidge(alpha=a, task_column=-1).fit(Xl, y)) for a in (0.1, 1, 10)
    )
    pooled = min(
        err(PooledRidge(alpha=a, task_column=-1).fit(Xl, y)) for a in (0.01, 0.1, 1)
    )
    assert centered < 0.7 * min(plain, ridge, pooled)
    fit = MultiTaskGroupLasso(alpha=0.5, center_tasks=True, task_column=-1)
    deviating = np.abs(fit.fit(Xl, y).coef_ - fit.mean_coef_).max(axis=0) > 1e-8
    assert set(np.flatnonzero(deviating)) == {0, 1}


def test_wide_and_long_give_the_same_model():
    X, Y = _wide_nan()
    Xl, yl = wide_to_long(X, Y)
    for cls in CENTERED:
        wide = cls(alpha=0.05, center_tasks=True, tol=1e-10, max_iter=20_000)
        long = cls(
            alpha=0.05, center_tasks=True, tol=1e-10, max_iter=20_000, task_column=-1
        )
        np.testing.assert_allclose(
            wide.fit(X, Y).coef_, long.fit(Xl, yl).coef_, atol=1e-7
        )


def test_bad_settings_are_refused():
    with pytest.raises(TypeError, match="keeps centred matrices centred"):
        CenteredPenalty(L1(1.0))
    X, Y = _wide_nan()
    with pytest.raises(ValueError, match="duality gap"):
        MultiTaskGroupLasso(center_tasks=True, solver="working_set").fit(X, Y)
    CenteredPenalty(L21(1.0))  # supported


def test_low_rank_deviations_on_structured_data():
    X, Y, truth = make_multitask_regression(
        200,
        10,
        8,
        structure="low_rank",
        rank=1,
        noise=0.1,
        random_state=0,
        return_truth=True,
    )
    Y = Y + X @ np.full(10, 2.0)[:, None]  # a large shared part on top
    plain = TraceNormMultiTask(alpha=0.3).fit(X, Y)
    centered = TraceNormMultiTask(alpha=0.3, center_tasks=True).fit(X, Y)
    # the shared part costs the plain nuclear norm a rank; centring does not
    assert centered.rank_ < plain.rank_


def test_mean_regularization_is_applied_without_the_task_matrix():
    import tracemalloc

    from skmtl.linear.penalties._smooth import TaskQuadratic, mean_regularization

    rng = np.random.default_rng(0)
    small = mean_regularization(6, 0.3, 2.0)
    dense = TaskQuadratic(small.Q)
    W = rng.standard_normal((4, 6))
    np.testing.assert_allclose(small.gradient(W), dense.gradient(W), atol=1e-12)
    np.testing.assert_allclose(small.value(W), dense.value(W), rtol=1e-12)
    np.testing.assert_allclose(small.lipschitz, dense.lipschitz, rtol=1e-12)
    # 20,000 tasks: a dense Q would take 3.2 GB; the product needs O(d T)
    big = mean_regularization(20_000, 0.1, 1.0)
    V = rng.standard_normal((3, 20_000))
    tracemalloc.start()
    out = big.hessian_apply(V)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20 * V.nbytes
    np.testing.assert_allclose(out, 1.1 * V - V.mean(axis=1, keepdims=True))
