"""Ridge baselines against scikit-learn and their optimality conditions."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmtl.datasets import make_multitask_regression
from skmtl.linear import PerTaskRidge, PooledRidge


@pytest.mark.parametrize("missing", [True, False])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_per_task_ridge_matches_sklearn_ridge_per_task(
    rng, sparse, fit_intercept, missing
):
    X, Y = make_multitask_regression(60, 6, 3, random_state=0, bias=3.0)
    if missing:  # masked path; otherwise the shared-design path
        Y[rng.random(Y.shape) < 0.3] = np.nan
    w = rng.uniform(0.2, 3.0, size=60)
    alpha = 0.7
    X_in = sp.csr_matrix(X) if sparse else X
    est = PerTaskRidge(alpha=alpha, fit_intercept=fit_intercept).fit(
        X_in, Y, sample_weight=w
    )
    for t in range(3):
        m = ~np.isnan(Y[:, t])
        ref = Ridge(alpha=alpha * w[m].sum(), fit_intercept=fit_intercept).fit(
            X[m], Y[m, t], sample_weight=w[m]
        )
        np.testing.assert_allclose(est.coef_[t], ref.coef_, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(est.intercept_[t], ref.intercept_, atol=1e-8)


def test_pooled_ridge_satisfies_its_optimality_conditions(rng):
    X, y = make_multitask_regression(
        n_features=4, n_tasks=5, samples_per_task=[8, 20, 5, 13, 9], random_state=1
    )
    sw = rng.uniform(0.5, 2.0, size=len(y))
    alpha = 0.2
    est = PooledRidge(alpha=alpha, task_column=-1).fit(X, y, sample_weight=sw)
    w, b = est.coef_[0], est.intercept_
    assert np.allclose(est.coef_, w)
    task = X[:, -1].astype(int)
    r = y - X[:, :-1] @ w - b[task]
    grad_w = alpha * w
    for t in range(5):
        m = task == t
        n_t = sw[m].sum()
        grad_w -= X[m, :-1].T @ (sw[m] * r[m]) / n_t
        # stationarity in the unpenalised intercept of each task
        assert abs(np.dot(sw[m], r[m])) < 1e-9
    np.testing.assert_allclose(grad_w, 0, atol=1e-10)


@pytest.mark.parametrize("sparse", [False, True])
def test_pooled_ridge_shared_design_equals_masked_path(rng, sparse):
    X, Y = make_multitask_regression(50, 5, 3, random_state=4, bias=1.0)
    w = rng.uniform(0.5, 2.0, 50)
    X_in = sp.csr_matrix(X) if sparse else X
    shared = PooledRidge(alpha=0.3).fit(X_in, Y, sample_weight=w)
    # the same problem through the general per-task path (long layout)
    long_X = np.column_stack([np.tile(X, (3, 1)), np.repeat(np.arange(3), 50)])
    long = PooledRidge(alpha=0.3, task_column=-1).fit(
        long_X, Y.T.ravel(), sample_weight=np.tile(w, 3)
    )
    np.testing.assert_allclose(shared.coef_, long.coef_, rtol=1e-10)
    np.testing.assert_allclose(shared.intercept_, long.intercept_, rtol=1e-10)


def test_pooled_beats_per_task_when_tasks_are_identical():
    X, y, coef = make_multitask_regression(
        n_features=20,
        n_tasks=30,
        samples_per_task=15,
        structure="clustered",
        n_clusters=1,
        noise=1.0,
        random_state=0,
        return_coef=True,
    )
    X_test, y_test = make_multitask_regression(
        n_features=20,
        n_tasks=30,
        samples_per_task=200,
        structure="clustered",
        n_clusters=1,
        noise=1.0,
        random_state=0,
    )
    # same seed, same true weights: re-draw only differs in the samples
    pooled = PooledRidge(alpha=0.01, task_column=-1).fit(X, y)
    single = PerTaskRidge(alpha=0.01, task_column=-1).fit(X, y)
    assert pooled.score(X_test, y_test) > single.score(X_test, y_test) + 0.1


@pytest.mark.parametrize("layout", ["wide", "long"])
def test_pipeline_and_grid_search_in_both_layouts(layout):
    if layout == "wide":
        X, y = make_multitask_regression(80, 5, 3, random_state=0)
        est = PerTaskRidge()
        pipe = make_pipeline(StandardScaler(), est)
    else:
        X, y = make_multitask_regression(
            n_features=5, n_tasks=4, samples_per_task=25, random_state=0
        )
        pipe = make_pipeline(PerTaskRidge(task_column=-1))
    # shuffled folds keep every task in every training fold
    cv = KFold(3, shuffle=True, random_state=0)
    grid = GridSearchCV(pipe, {"pertaskridge__alpha": [1e-3, 1e-1, 10.0]}, cv=cv)
    grid.fit(X, y)
    assert grid.best_params_["pertaskridge__alpha"] in (1e-3, 1e-1)
    pred = grid.predict(X)
    assert pred.shape == np.shape(y)
    assert np.isfinite(pred).all()


def test_score_ignores_missing_labels(rng):
    X, Y = make_multitask_regression(100, 5, 3, noise=0.1, random_state=0)
    est = PerTaskRidge(alpha=1e-4).fit(X, Y)
    full = est.score(X, Y)
    Y_missing = Y.copy()
    Y_missing[rng.random(Y.shape) < 0.3] = np.nan
    assert np.isfinite(est.score(X, Y_missing))
    assert abs(est.score(X, Y_missing) - full) < 0.01
