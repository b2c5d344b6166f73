"""Soft sharing, task graph, trace norm and clustered MTL: solvers and structure."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import check_grad
from sklearn.compose import make_column_transformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmtl.datasets import make_multitask_regression
from skmtl.linear import (
    ClusteredMultiTask,
    MeanRegularizedMultiTask,
    MeanRegularizedMultiTaskCV,
    PerTaskRidge,
    PooledRidge,
    TaskGraphMultiTask,
    TraceNormMultiTask,
    TraceNormMultiTaskCV,
)
from skmtl.linear.datafits import Quadratic, task_statistics
from skmtl.linear.penalties._smooth import (
    ClusterNorm,
    NoPenalty,
    SmoothSum,
    mean_regularization,
)
from skmtl.linear.penalties._trace import TraceNorm
from skmtl.linear.solvers import LBFGS
from skmtl.linear.solvers._cg import ConjugateGradient
from skmtl.utils import check_multitask_data


def _problem(layout, rng, structure="shared_support", **kw):
    """Small wide-with-NaN or long-with-unequal-sizes problem and weights."""
    if layout == "long":
        X, y = make_multitask_regression(
            n_features=6,
            n_tasks=4,
            samples_per_task=[9, 25, 12, 30],
            structure=structure,
            random_state=3,
            **kw,
        )
        task_column = -1
    else:
        X, y = make_multitask_regression(
            40, 6, 4, structure=structure, random_state=3, **kw
        )
        y[rng.random(y.shape) < 0.3] = np.nan
        task_column = None
    sw = rng.uniform(0.5, 2.0, X.shape[0])
    return X, y, sw, task_column


CHAIN = np.diag(np.ones(3), 1) + np.diag(np.ones(3), -1)

ESTIMATORS = {
    "mean-cg": lambda: MeanRegularizedMultiTask(alpha=0.05, beta=0.8),
    "mean-fista": lambda: MeanRegularizedMultiTask(
        alpha=0.05, beta=0.8, solver="fista"
    ),
    "graph": lambda: TaskGraphMultiTask(alpha=0.7, graph=CHAIN, ridge=0.01),
    "trace": lambda: TraceNormMultiTask(alpha=0.3),
    "clustered": lambda: ClusteredMultiTask(2, alpha=1.0, beta=0.1, random_state=0),
}


@pytest.mark.parametrize("layout", ["masked", "long"])
@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_matches_cvxpy_and_is_optimal(rng, layout, name):
    X, y, sw, task_column = _problem(layout, rng)
    fast = ESTIMATORS[name]().set_params(
        task_column=task_column, tol=1e-10, max_iter=20_000
    )
    exact = ESTIMATORS[name]().set_params(task_column=task_column, solver="cvxpy")
    fast.fit(X, y, sample_weight=sw)
    exact.fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(fast.coef_, exact.coef_, atol=2e-4)
    np.testing.assert_allclose(fast.intercept_, exact.intercept_, atol=2e-4)
    assert fast.stop_crit_ <= 1e-10


@pytest.mark.parametrize("name", ["mean-cg", "graph", "trace"])
def test_sparse_X_gives_the_dense_solution(rng, name):
    X, y, sw, _ = _problem("masked", rng)
    X[rng.random(X.shape) < 0.5] = 0.0
    dense = ESTIMATORS[name]().set_params(tol=1e-10, max_iter=20_000).fit(X, y, sw)
    sparse = ESTIMATORS[name]().set_params(tol=1e-10, max_iter=20_000)
    sparse.fit(sp.csr_matrix(X), y, sw)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-8)
    np.testing.assert_allclose(sparse.intercept_, dense.intercept_, atol=1e-8)


def _datafit_data(rng, layout, sparse, weighted):
    if layout == "long":
        X, y, sw, tc = _problem("long", rng)
    elif layout == "masked":
        X, y, sw, tc = _problem("masked", rng)
    else:
        X, y = make_multitask_regression(40, 6, 4, random_state=3)
        sw, tc = rng.uniform(0.5, 2.0, 40), None
    X = X + 3.0  # features off zero: the centring matters
    if sparse:
        X = sp.csr_matrix(np.where(rng.random(X.shape) < 0.4, 0.0, X))
    return check_multitask_data(
        TraceNormMultiTask(),
        X,
        y,
        task_column=tc,
        sample_weight=sw if weighted else None,
        accept_sparse="csr",
    )


@pytest.mark.parametrize("layout", ["shared", "masked", "long"])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [True, False])
def test_quadratic_from_data_from_stats_and_plain_agree(
    rng, layout, sparse, fit_intercept, weighted
):
    data = _datafit_data(rng, layout, sparse, weighted)
    auto = Quadratic(fit_intercept).initialize(data)
    plain = Quadratic(fit_intercept, use_gram=False).initialize(data)
    stats = Quadratic.from_stats(**task_statistics(data), fit_intercept=fit_intercept)
    assert auto.gram_route and stats.gram_route and not plain.gram_route
    assert auto.shared_gram == stats.shared_gram == (layout == "shared")
    d, T = data.n_features, data.n_tasks
    W, V = rng.standard_normal((2, d, T))
    W[1] = 0.0  # a zero row (row-sparse shortcuts)
    ref_value, ref_grad = plain.value_and_gradient(W)
    ref_lipschitz = plain.lipschitz_tasks  # power iteration, before gram() below
    feats = np.array([4, 0, 2])
    for f in (auto, stats):
        value, grad = f.value_and_gradient(W)
        assert np.isclose(value, ref_value, rtol=1e-10)
        np.testing.assert_allclose(grad, ref_grad, rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(f.gradient(W), ref_grad, rtol=1e-9, atol=1e-10)
        assert np.isclose(f.value(W), ref_value, rtol=1e-10)
        fast = f.value_and_gradient_fast(W)
        assert np.isclose(fast[0], ref_value, rtol=1e-10)
        np.testing.assert_allclose(fast[1], ref_grad, rtol=1e-9, atol=1e-10)
        values, grad = f.task_values_and_gradient(W)
        np.testing.assert_allclose(values, plain.task_values(W), rtol=1e-9)
        np.testing.assert_allclose(
            f.hessian_apply(V), plain.hessian_apply(V), rtol=1e-9, atol=1e-10
        )
        np.testing.assert_allclose(f.intercept(W), plain.intercept(W), rtol=1e-10)
        np.testing.assert_allclose(f.b0, plain.b0, rtol=1e-9, atol=1e-12)
        assert np.isclose(f.value0, plain.value0, rtol=1e-10)
        G, B = f.gram(feats)
        G_ref, B_ref = plain.gram(feats)
        np.testing.assert_allclose(G, G_ref, rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(B, B_ref, rtol=1e-9, atol=1e-12)
        assert f.pass_cost == 0
        # power iteration (2% margin) against exact eigenvalues
        np.testing.assert_allclose(f.lipschitz_tasks * 1.02, ref_lipschitz, rtol=5e-3)
    np.testing.assert_allclose(stats.lipschitz_tasks, auto.lipschitz_tasks, rtol=1e-10)
    assert np.isclose(stats.lipschitz, auto.lipschitz, rtol=1e-10)

    def fun(w):
        return stats.value(w.reshape(d, T))

    def grad(w):
        return stats.gradient(w.reshape(d, T)).ravel()

    assert check_grad(fun, grad, W.ravel()) < 1e-6 * max(1.0, np.linalg.norm(grad(W)))


def test_quadratic_from_stats_adds_blocks_and_has_a_cvxpy_form(rng):
    """Statistics of row blocks sum to those of the whole; the cvxpy form agrees."""
    cp = pytest.importorskip("cvxpy")
    data = _datafit_data(rng, "long", False, True)
    whole = task_statistics(data)
    codes = data.task_codes
    half = np.arange(data.n_samples) % 2 == 0
    parts = [
        task_statistics(
            check_multitask_data(
                TraceNormMultiTask(),
                np.column_stack([data.X[rows], codes[rows]]),
                data.y[rows],
                task_column=-1,
                sample_weight=data.sample_weight[rows],
            )
        )
        for rows in (half, ~half)
    ]
    for key, value in whole.items():
        np.testing.assert_allclose(parts[0][key] + parts[1][key], value, rtol=1e-12)
    f = Quadratic.from_stats(**whole)
    W = cp.Variable((data.n_features, data.n_tasks))
    W.value = rng.standard_normal(W.shape)
    assert np.isclose(f.cvxpy_objective(W).value, f.value(W.value), rtol=1e-8)
    with pytest.raises(ValueError, match="positive total weight"):
        Quadratic.from_stats(**{**whole, "n": 0 * whole["n"]})


def test_quadratic_picks_the_gram_route_by_size(rng):
    """Gram matrices when T d^2 <= nnz(X), passes over X otherwise."""
    X, Y = make_multitask_regression(30, 40, 3, random_state=0)  # d^2 > n d
    data = check_multitask_data(TraceNormMultiTask(), X, Y)
    assert not Quadratic().initialize(data).gram_route
    assert Quadratic(use_gram=True).initialize(data).gram_route


def test_cluster_norm_gradient_value_and_M(rng):
    pen = ClusterNorm(alpha=0.8, beta=0.3, n_clusters=2)
    for shape in [(6, 5), (3, 7)]:
        W = rng.standard_normal(shape)

        def fun(w, shape=shape):
            return pen.value(w.reshape(shape))

        def grad(w, shape=shape):
            return pen.gradient(w.reshape(shape)).ravel()

        assert check_grad(fun, grad, W.ravel()) < 1e-5
        M = pen.optimal_M(W)
        evals = np.linalg.eigvalsh(M)
        assert evals.min() >= -1e-10 and evals.max() <= 1 + 1e-10
        assert np.isclose(np.trace(M), 2)
        eta = pen.eta
        inner = np.trace(W @ np.linalg.inv(eta * np.eye(shape[1]) + M) @ W.T)
        assert np.isclose(pen.value(W), 0.5 * pen.alpha * eta * (1 + eta) * inner)
    # the relaxation is below the k-means penalty of any partition
    W = rng.standard_normal((4, 6))
    labels = np.array([0, 0, 0, 1, 1, 1])
    within = sum(
        np.sum((W[:, labels == c] - W[:, labels == c].mean(1, keepdims=True)) ** 2)
        for c in (0, 1)
    )
    kmeans_value = 0.5 * pen.alpha * within + 0.5 * pen.beta * np.sum(W**2)
    assert pen.value(W) <= kmeans_value + 1e-12
    # and equals it when W is exactly clustered with k = rank
    W = np.repeat(rng.standard_normal((4, 2)), 3, axis=1)
    assert np.isclose(pen.value(W), 0.5 * pen.beta * np.sum(W**2))


def test_trace_norm_prox_and_optimality(rng):
    pen = TraceNorm(alpha=2.0)
    V, step = rng.standard_normal((5, 4)), 0.7
    P = pen.prox(V, step)
    assert TraceNorm.rank(P) < 4

    def obj(Z):
        return 0.5 / step * np.sum((Z - V) ** 2) + pen.value(Z)

    for _ in range(30):
        assert obj(P + 1e-3 * rng.standard_normal(P.shape)) >= obj(P) - 1e-12
    assert pen.subdiff_distance(P, (P - V) / step).max() < 1e-10
    assert pen.subdiff_distance(P, np.zeros_like(P)).max() > 0.1
    assert np.isclose(pen.alpha_max(V), np.linalg.svd(V, compute_uv=False)[0])


def test_trace_norm_zero_at_alpha_max(rng):
    X, Y = make_multitask_regression(50, 8, 5, random_state=0)
    data = check_multitask_data(TraceNormMultiTask(), X, Y)
    grad0 = Quadratic().initialize(data).gradient(np.zeros((8, 5)))
    alpha_max = TraceNorm(1.0).alpha_max(grad0)
    assert np.all(TraceNormMultiTask(alpha=alpha_max * 1.001).fit(X, Y).coef_ == 0)
    assert TraceNormMultiTask(alpha=alpha_max * 0.9).fit(X, Y).rank_ >= 1


@pytest.mark.parametrize("layout", ["masked", "long"])
def test_mean_regularized_limits(rng, layout):
    X, y, sw, tc = _problem(layout, rng)
    ridge = PerTaskRidge(alpha=0.3, task_column=tc).fit(X, y, sw)
    mtl = MeanRegularizedMultiTask(alpha=0.3, beta=0.0, task_column=tc, tol=1e-12)
    np.testing.assert_allclose(mtl.fit(X, y, sw).coef_, ridge.coef_, atol=1e-8)
    np.testing.assert_allclose(mtl.intercept_, ridge.intercept_, atol=1e-8)
    # beta -> inf: one shared w, the pooled ridge with alpha * T
    pooled = PooledRidge(alpha=0.3 * 4, task_column=tc).fit(X, y, sw)
    mtl = MeanRegularizedMultiTask(alpha=0.3, beta=1e6, task_column=tc, tol=1e-9)
    np.testing.assert_allclose(mtl.fit(X, y, sw).coef_, pooled.coef_, atol=1e-4)


def test_empty_graph_is_per_task_ridge(rng):
    X, y, sw, _ = _problem("masked", rng)
    ridge = PerTaskRidge(alpha=0.2).fit(X, y, sw)
    graph = TaskGraphMultiTask(alpha=5.0, graph=np.zeros((4, 4)), ridge=0.2, tol=1e-12)
    np.testing.assert_allclose(graph.fit(X, y, sw).coef_, ridge.coef_, atol=1e-8)


def test_bad_graph_and_clusters_raise(rng):
    X, y, _, _ = _problem("masked", rng)
    with pytest.raises(ValueError, match=r"graph has shape \(3, 3\).*4 tasks"):
        TaskGraphMultiTask(graph=np.zeros((3, 3))).fit(X, y)
    with pytest.raises(ValueError, match="symmetric"):
        TaskGraphMultiTask(graph=np.triu(np.ones((4, 4)), 1)).fit(X, y)
    with pytest.raises(ValueError, match="n_clusters=5 is larger"):
        ClusteredMultiTask(5).fit(X, y)


def test_cg_needs_zero_penalty_and_warns():
    X, Y = make_multitask_regression(60, 30, 3, random_state=0)
    data = check_multitask_data(MeanRegularizedMultiTask(), X, Y)
    f = SmoothSum(Quadratic().initialize(data), mean_regularization(3, 0.1, 1.0))
    with pytest.raises(ValueError, match="not zero"):
        ConjugateGradient().solve(f, TraceNorm(1.0), np.zeros((30, 3)))
    with pytest.warns(ConvergenceWarning, match=r"did not converge.*tol 1\.0e-12"):
        ConjugateGradient(max_iter=2, tol=1e-12).solve(
            f, NoPenalty(), np.zeros((30, 3))
        )
    with pytest.warns(ConvergenceWarning, match=r"FISTA did not converge"):
        TraceNormMultiTask(alpha=0.01, max_iter=2, tol=1e-12).fit(X, Y)


def test_cg_warns_when_stopped_by_a_flat_direction():
    # no curvature at all (H = 0) and a non-zero gradient: CG cannot move;
    # it says so instead of returning the start point silently
    class Flat:
        n_features, n_tasks = 4, 2

        def gradient(self, W):
            return -np.ones_like(W)

        def hessian_apply(self, V):
            return np.zeros_like(V)

    W0 = np.zeros((4, 2))
    with pytest.warns(ConvergenceWarning, match="zero curvature"):
        W, n_iter, crit = ConjugateGradient().solve(Flat(), NoPenalty(), W0)
    assert n_iter == 1 and crit == 1.0


@pytest.mark.parametrize("name", ["mean-cg", "trace", "clustered"])
def test_warm_start_from_solution_stops_at_once(name):
    X, Y = make_multitask_regression(60, 8, 4, random_state=0)
    est = ESTIMATORS[name]().set_params(warm_start=True, tol=1e-8).fit(X, Y)
    first = est.n_iter_
    assert est.fit(X, Y).n_iter_ <= 1 < first


def _coef_error(est, X, y, W):
    return np.linalg.norm(est.fit(X, y).coef_ - W)


def test_trace_norm_recovers_rank_and_subspace():
    X, Y, truth = make_multitask_regression(
        60,
        10,
        12,
        structure="low_rank",
        rank=2,
        noise=3.0,
        random_state=0,
        return_truth=True,
    )
    P = truth.components.T @ truth.components

    def outside(coef):  # share of the weights outside the true row space
        return np.linalg.norm(coef - coef @ P) / np.linalg.norm(coef)

    def error(coef):
        return np.linalg.norm(coef - truth.coef)

    ridge = PerTaskRidge(alpha=0.1).fit(X, Y)
    est = TraceNormMultiTask(alpha=2.0).fit(X, Y)
    assert est.rank_ == 2
    assert outside(est.coef_) < 0.6 * outside(ridge.coef_)
    assert error(est.coef_) < error(ridge.coef_)
    est = TraceNormMultiTask(alpha=1.0).fit(X, Y)  # less shrinkage bias
    assert error(est.coef_) < 0.75 * error(ridge.coef_)


def test_clustered_recovers_clusters():
    X, Y, truth = make_multitask_regression(
        25,
        15,
        12,
        structure="clustered",
        n_clusters=3,
        noise=0.5,
        random_state=1,
        return_truth=True,
    )
    est = ClusteredMultiTask(3, alpha=3.0, beta=0.01, random_state=0).fit(X, Y)
    ridge = PerTaskRidge(alpha=0.1).fit(X, Y)
    assert adjusted_rand_score(truth.task_clusters, est.labels_) == 1.0
    err, err_ridge = (np.linalg.norm(c - truth.coef) for c in (est.coef_, ridge.coef_))
    assert err < 0.7 * err_ridge


@pytest.mark.parametrize("graph", ["truth", "auto"])
def test_task_graph_beats_ridge_on_chain(graph):
    X, Y, truth = make_multitask_regression(
        20, 15, 10, structure="graph", noise=0.5, random_state=2, return_truth=True
    )
    A = truth.graph if graph == "truth" else "auto"
    est = TaskGraphMultiTask(alpha=1.0, graph=A, n_neighbors=2).fit(X, Y)
    ridge = PerTaskRidge(alpha=0.1).fit(X, Y)
    assert np.linalg.norm(est.coef_ - truth.coef) < 0.7 * np.linalg.norm(
        ridge.coef_ - truth.coef
    )
    if graph == "auto":  # the learned graph links mostly chain neighbours
        links = np.argwhere(np.triu(est.adjacency_) > 0)
        assert np.mean(np.abs(links[:, 0] - links[:, 1]) <= 2) > 0.7


def test_mean_regularized_beats_ridge_on_one_cluster():
    X, Y, W = make_multitask_regression(
        20,
        15,
        10,
        structure="clustered",
        n_clusters=1,
        random_state=0,
        return_coef=True,
    )
    est = MeanRegularizedMultiTask(alpha=0.01, beta=10.0).fit(X, Y)
    ridge = PerTaskRidge(alpha=0.1).fit(X, Y)
    assert np.linalg.norm(est.coef_ - W) < 0.6 * np.linalg.norm(ridge.coef_ - W)


@pytest.mark.parametrize("layout", ["wide", "long"])
def test_trace_norm_cv(layout):
    if layout == "long":
        X, y = make_multitask_regression(
            n_features=8,
            n_tasks=5,
            samples_per_task=[20, 30, 25, 40, 22],
            structure="low_rank",
            random_state=0,
        )
        tc = -1
    else:
        X, y = make_multitask_regression(60, 8, 5, structure="low_rank", random_state=0)
        tc = None
    cv = TraceNormMultiTaskCV(n_alphas=6, cv=3, random_state=0, task_column=tc)
    cv.fit(X, y)
    assert cv.mse_path_.shape == (6, 3)
    assert cv.alpha_ in cv.alphas_ and np.all(np.diff(cv.alphas_) < 0)
    assert np.all(
        TraceNormMultiTask(alpha=cv.alphas_[0], task_column=tc).fit(X, y).coef_ == 0
    )
    ref = TraceNormMultiTask(alpha=cv.alpha_, task_column=tc, tol=1e-5).fit(X, y)
    np.testing.assert_allclose(cv.coef_, ref.coef_, atol=1e-6)
    par = TraceNormMultiTaskCV(
        n_alphas=6, cv=3, random_state=0, task_column=tc, n_jobs=2
    ).fit(X, y)
    np.testing.assert_allclose(par.mse_path_, cv.mse_path_)


def test_pipeline_grid_search_both_layouts():
    X, Y = make_multitask_regression(60, 5, 3, missing_labels=0.2, random_state=0)
    pipe = make_pipeline(StandardScaler(), MeanRegularizedMultiTask())
    grid = {
        "meanregularizedmultitask__alpha": [0.01, 0.1],
        "meanregularizedmultitask__beta": [0.1, 1.0],
    }
    search = GridSearchCV(pipe, grid, cv=KFold(3, shuffle=True, random_state=0))
    assert search.fit(X, Y).predict(X).shape == (60, 3)
    X, y = make_multitask_regression(
        n_features=5, n_tasks=3, samples_per_task=[20, 30, 25], random_state=0
    )
    scale = make_column_transformer(
        (StandardScaler(), slice(0, -1)), remainder="passthrough"
    )
    pipe = make_pipeline(scale, TraceNormMultiTask(task_column=-1))
    search = GridSearchCV(
        pipe,
        {"tracenormmultitask__alpha": [0.01, 0.1, 1.0]},
        cv=KFold(3, shuffle=True, random_state=0),
    )
    assert search.fit(X, y).predict(X).shape == (75,)


def _default_splits(data, n_splits, random_state):
    from sklearn.model_selection import KFold

    from skmtl.model_selection import TaskStratifiedKFold

    if data.layout == "long":
        cv = TaskStratifiedKFold(n_splits, shuffle=True, random_state=random_state)
        return cv.split(data.X, groups=data.task_codes)
    return KFold(n_splits).split(data.X)


@pytest.mark.parametrize("layout", ["masked", "long"])
def test_mean_regularized_cv_over_alpha_and_beta(rng, layout):
    X, y, sw, tc = _problem(layout, rng, structure="clustered", n_clusters=1)
    alphas, betas = [1e-3, 1e-1], [0.1, 10.0, 1.0]
    cv = MeanRegularizedMultiTaskCV(
        alphas=alphas, betas=betas, cv=3, random_state=0, task_column=tc, tol=1e-10
    ).fit(X, y, sw)
    assert cv.mse_path_.shape == (2, 3, 3)
    np.testing.assert_array_equal(cv.betas_, [0.1, 1.0, 10.0])
    i, j = np.unravel_index(np.argmin(cv.mse_path_.mean(-1)), (2, 3))
    assert (cv.alpha_, cv.beta_) == (cv.alphas_[i], cv.betas_[j])
    # one cell of the path against a plain fit on the same fold: the
    # weighted MSE over the labelled held-out cells
    data = check_multitask_data(cv, X, y, task_column=tc, sample_weight=sw)
    train, test = list(_default_splits(data, 3, 0))[1]
    ref = MeanRegularizedMultiTask(alpha=1e-3, beta=10.0, task_column=tc, tol=1e-10)
    ref.fit(X[train], y[train], sw[train])
    err = (y[test] - ref.predict(X[test])) ** 2
    w = sw[test] if y.ndim == 1 else sw[test][:, None] * ~np.isnan(y[test])
    expected = np.nansum(w * err) / w.sum()
    assert np.isclose(cv.mse_path_[0, 2, 1], expected, rtol=1e-6)
    full = MeanRegularizedMultiTask(
        alpha=cv.alpha_, beta=cv.beta_, task_column=tc, tol=1e-10
    ).fit(X, y, sw)
    np.testing.assert_allclose(cv.coef_, full.coef_, atol=1e-8)


@pytest.mark.parametrize("center_tasks", [False, True])
def test_clustered_lbfgs_matches_fista(center_tasks):
    # same objective, two smooth solvers, tight tol: same solution
    X, Y = make_multitask_regression(80, 12, 5, random_state=1)
    kw = dict(alpha=0.3, beta=0.01, center_tasks=center_tasks, random_state=0)
    ours = ClusteredMultiTask(2, tol=1e-10, max_iter=5000, **kw).fit(X, Y)
    ref = ClusteredMultiTask(2, solver="fista", tol=1e-10, max_iter=200_000, **kw)
    ref.fit(X, Y)
    assert ours.stop_crit_ <= 1e-10 and ours.n_iter_ < ref.n_iter_
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-8)


def test_lbfgs_warns_refuses_and_bounds_the_work():
    X, Y = make_multitask_regression(60, 30, 3, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"LBFGS did not converge.*max_iter=2"):
        est = ClusteredMultiTask(2, alpha=1.0, beta=1e-3, max_iter=2, tol=1e-12)
        est.fit(X, Y)
    assert est.n_iter_ <= 2
    data = check_multitask_data(MeanRegularizedMultiTask(), X, Y)
    with pytest.raises(ValueError, match="not zero"):
        LBFGS().solve(Quadratic().initialize(data), TraceNorm(1.0), np.zeros((30, 3)))
