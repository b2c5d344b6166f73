"""SharedRepresentationRegressor: statistical rates, gradients, layouts, API."""

import warnings

import numpy as np
import pytest
from scipy.optimize import check_grad
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline

from skmtl.base import task_offsets
from skmtl.linear import PerTaskRidge
from skmtl.representation import SharedRepresentationRegressor
from skmtl.representation._design import build_design
from skmtl.representation._solvers import tpgd_objective
from skmtl.utils import check_multitask_data, wide_to_long


def low_rank_tasks(d, k, T, N, sigma, seed, *, intercept=0.0):
    """Long data: T tasks with N Gaussian samples each, coef = W* B*^T."""
    rng = np.random.default_rng(seed)
    B, _ = np.linalg.qr(rng.standard_normal((d, k)))
    coef = rng.standard_normal((T, k)) @ B.T
    X = rng.standard_normal((T * N, d))
    task = np.repeat(np.arange(T), N)
    y = np.einsum("ij,ij->i", X, coef[task]) + intercept
    y += sigma * rng.standard_normal(T * N)
    return np.column_stack([X, task]), y, coef, B


def param_error(coef_hat, coef):
    """(1/T) sum_t ||v_t_hat - v_t||^2."""
    return np.mean(np.sum((coef_hat - coef) ** 2, axis=1))


def sin_theta(components, B):
    """Operator norm of sin(Theta) between span(components^T) and span(B)."""
    Q = components.T
    return np.linalg.norm(B - Q @ (Q.T @ B), 2)


@pytest.mark.parametrize("solver", ["tpgd", "altmin"])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_parameter_error_in_the_statistical_band(solver, fit_intercept):
    # d=30, k=3, T=40, N=60, sigma=0.1: the rank-k least-squares error is
    # sigma^2 k (d + T - k) / (N T) up to a finite-sample factor 1 + O(d/N).
    d, k, T, N, sigma = 30, 3, 40, 60, 0.1
    predicted = sigma**2 * k * (d + T - k) / (N * T)
    ratios = []
    for seed in range(3):
        X, y, coef, _ = low_rank_tasks(d, k, T, N, sigma, seed)
        est = SharedRepresentationRegressor(
            k,
            solver=solver,
            task_column=-1,
            fit_intercept=fit_intercept,
            random_state=seed,
        ).fit(X, y)
        ratios.append(param_error(est.coef_, coef) / predicted)
    assert 0.6 <= np.mean(ratios) <= 2.0, ratios
    # per-task least squares is about 8x worse here (sigma^2 d / (N - d - 1))
    assert np.mean(ratios) * predicted < sigma**2 * d / (N - d - 1) / 4


def test_noise_free_recovery_is_exact():
    X, y, coef, B = low_rank_tasks(20, 2, 15, 50, 0.0, seed=1)
    est = SharedRepresentationRegressor(
        2,
        task_column=-1,
        tol=1e-12,
        max_iter=2000,
        fit_intercept=False,
        random_state=0,
    ).fit(X, y)
    assert param_error(est.coef_, coef) < 1e-8
    assert sin_theta(est.components_, B) < 1e-6


def test_subspace_recovery_improves_with_n():
    d, k, T = 30, 3, 40
    dist = []
    for N in (40, 160, 640):
        X, y, _, B = low_rank_tasks(d, k, T, N, 0.5, seed=3)
        est = SharedRepresentationRegressor(k, task_column=-1, random_state=0)
        dist.append(sin_theta(est.fit(X, y).components_, B))
    assert dist[0] > dist[1] > dist[2]
    assert dist[2] < 0.05
    # about sigma sqrt(d k / (N T lambda)): halves when N grows 4x
    assert dist[2] < 0.7 * dist[1]


def _design(X, y, task_column, sample_weight=None, fit_intercept=True):
    est = SharedRepresentationRegressor(task_column=task_column)
    data = check_multitask_data(
        est, X, y, task_column=task_column, sample_weight=sample_weight
    )
    X_offset, y_offset = task_offsets(data, fit_intercept)
    return build_design(data, X_offset, y_offset)


@pytest.mark.parametrize("layout", ["long", "wide", "wide_nan"])
@pytest.mark.parametrize("balance", [False, True])
def test_gradient_matches_finite_differences(layout, balance):
    rng = np.random.default_rng(0)
    d, k, T = 6, 2, 4
    if layout == "long":
        X, y, _, _ = low_rank_tasks(d, k, T, 9, 0.3, seed=0)
        X, y = X[:-5], y[:-5]  # unequal task sizes
        tc = -1
    else:
        X = rng.standard_normal((40, d))
        y = X @ rng.standard_normal((d, T)) + 0.1 * rng.standard_normal((40, T))
        if layout == "wide_nan":
            y[rng.random(y.shape) < 0.3] = np.nan
        tc = None
    sw = rng.uniform(0.5, 2.0, size=len(X))
    design = _design(X, y, tc, sample_weight=sw)

    def split(z):
        return z[: d * k].reshape(d, k), z[d * k :].reshape(T, k)

    def f(z):
        return tpgd_objective(design, *split(z), balance)[0]

    def g(z):
        _, _, gB, gW = tpgd_objective(design, *split(z), balance)
        return np.concatenate([gB.ravel(), gW.ravel()])

    z0 = rng.standard_normal(d * k + T * k)
    assert check_grad(f, g, z0) < 1e-6 * max(1.0, np.linalg.norm(g(z0)))


def test_loss_is_the_documented_objective():
    X, y, _, _ = low_rank_tasks(5, 2, 3, 8, 0.3, seed=2)
    X, y = X[:-3], y[:-3]
    sw = np.random.default_rng(1).uniform(0.5, 2, len(y))
    est = SharedRepresentationRegressor(
        2, task_column=-1, random_state=0, max_iter=2000
    )
    est.fit(X, y, sample_weight=sw)
    task = X[:, -1].astype(int)
    resid = y - est.predict(X)
    expected = sum(
        np.dot(sw[task == t], resid[task == t] ** 2) / (2 * sw[task == t].sum())
        for t in range(3)
    )
    np.testing.assert_allclose(est.loss_curve_[-1], expected, rtol=1e-10)


def test_beats_per_task_least_squares_when_n_is_small():
    # N = 25 < d = 40: per-task least squares cannot identify the weights
    d, k, T, N = 40, 2, 30, 25
    X, y, coef, _ = low_rank_tasks(d, k, T, N, 0.5, seed=4)
    X_test, y_test, _, _ = low_rank_tasks(d, k, T, 200, 0.5, seed=4)
    shared = SharedRepresentationRegressor(k, task_column=-1, random_state=0)
    single = PerTaskRidge(alpha=1e-8, task_column=-1)
    shared.fit(X, y)
    single.fit(X, y)
    assert param_error(shared.coef_, coef) < 0.1 * param_error(single.coef_, coef)
    assert shared.score(X_test, y_test) > single.score(X_test, y_test) + 0.3


@pytest.mark.parametrize("solver", ["tpgd", "altmin"])
def test_wide_and_long_layouts_give_the_same_model(solver):
    rng = np.random.default_rng(5)
    d, T, n = 8, 5, 60
    B = np.linalg.qr(rng.standard_normal((d, 2)))[0]
    X = rng.standard_normal((n, d))
    Y = X @ B @ rng.standard_normal((2, T)) + 1.0 + 0.1 * rng.standard_normal((n, T))
    Y[rng.random(Y.shape) < 0.2] = np.nan
    params = dict(
        n_components=2, solver=solver, random_state=0, tol=1e-10, max_iter=3000
    )
    wide = SharedRepresentationRegressor(**params).fit(X, Y)
    X_long, y_long = wide_to_long(X, Y)
    long = SharedRepresentationRegressor(task_column=-1, **params).fit(X_long, y_long)
    np.testing.assert_allclose(long.coef_, wide.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(long.intercept_, wide.intercept_, rtol=1e-6)
    np.testing.assert_allclose(long.components_, wide.components_, atol=1e-6)
    # the full wide matrix (shared design, compressed) agrees with its long form
    Y_full = np.where(np.isnan(Y), 0.0, Y)
    wide = SharedRepresentationRegressor(**params).fit(X, Y_full)
    long = SharedRepresentationRegressor(task_column=-1, **params).fit(
        *wide_to_long(X, Y_full)
    )
    np.testing.assert_allclose(long.coef_, wide.coef_, rtol=1e-6, atol=1e-8)


def test_integer_sample_weights_equal_repeated_rows():
    X, y, _, _ = low_rank_tasks(6, 2, 4, 12, 0.3, seed=6)
    w = np.random.default_rng(0).integers(0, 3, size=len(y))
    w[::12] = 1  # no task loses all its rows
    params = dict(
        n_components=2, task_column=-1, tol=1e-10, max_iter=3000, solver="altmin"
    )
    weighted = SharedRepresentationRegressor(**params).fit(X, y, sample_weight=w)
    repeated = SharedRepresentationRegressor(**params).fit(
        np.repeat(X, w, axis=0), np.repeat(y, w)
    )
    # both stop at a float64 fixed point (relative change exactly 0) of a flat
    # loss (12 rows per task), which pins coef_ to about 1e-7, not 1e-10
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, atol=1e-6)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, atol=1e-6)


@pytest.mark.parametrize("init", ["random", "svd", "moments"])
def test_solvers_and_starts_reach_the_same_rank_k_solution(init):
    X, y, _, _ = low_rank_tasks(15, 3, 20, 40, 0.2, seed=7)
    ref = SharedRepresentationRegressor(
        3, task_column=-1, random_state=0, tol=1e-10, max_iter=3000
    ).fit(X, y)
    alt = SharedRepresentationRegressor(
        3,
        solver="altmin",
        init=init,
        task_column=-1,
        random_state=0,
        tol=1e-10,
        max_iter=3000,
    ).fit(X, y)
    np.testing.assert_allclose(alt.coef_, ref.coef_, atol=1e-6)
    if init != "random":  # TPGD from a spectral start runs phase II only
        tp = SharedRepresentationRegressor(
            3, init=init, task_column=-1, tol=1e-10, max_iter=3000
        ).fit(X, y)
        np.testing.assert_allclose(tp.coef_, ref.coef_, atol=1e-6)


def test_fitted_attributes_are_consistent():
    X, y, _, _ = low_rank_tasks(12, 3, 10, 30, 0.2, seed=8, intercept=2.0)
    est = SharedRepresentationRegressor(3, task_column=-1, random_state=0).fit(X, y)
    C = est.components_
    assert C.shape == (3, 12) and est.task_embeddings_.shape == (10, 3)
    np.testing.assert_allclose(C @ C.T, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(est.coef_, est.task_embeddings_ @ C, atol=1e-12)
    np.testing.assert_allclose(
        est.singular_values_, np.linalg.svd(est.coef_, compute_uv=False)[:3]
    )
    np.testing.assert_allclose(est.intercept_, 2.0, atol=0.3)
    assert len(est.loss_curve_) == est.n_iter_
    assert np.all(np.diff(est.loss_curve_[:20]) <= 1e-12)  # phase I descends
    # transform: features' projection; task ids unseen in fit are fine
    Z = est.transform(X)
    np.testing.assert_allclose(Z, X[:, :-1] @ C.T)
    X_new = X[:4].copy()
    X_new[:, -1] = 99
    assert est.transform(X_new).shape == (4, 3)
    names = est.get_feature_names_out()
    assert list(names) == [f"sharedrepresentationregressor{i}" for i in range(3)]


def test_data_driven_rank_finds_the_true_rank():
    for k in (1, 3, 5):
        X, y, _, _ = low_rank_tasks(30, k, 40, 60, 0.5, seed=k)
        est = SharedRepresentationRegressor(task_column=-1, random_state=0)
        assert est.fit(X, y).n_components_ == k
    # pure noise: one component (the minimum)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 10))
    est = SharedRepresentationRegressor(random_state=0)
    assert est.fit(X, rng.standard_normal((100, 8))).n_components_ == 1


@pytest.mark.parametrize("long", [False, True])
def test_grid_search_over_n_components(long):
    d, k, T, N = 20, 2, 12, 80
    X, y, _, _ = low_rank_tasks(d, k, T, N, 1.0, seed=9)
    if long:
        est = SharedRepresentationRegressor(task_column=-1, random_state=0)
    else:  # the same problem on a shared design
        rng = np.random.default_rng(9)
        Xw = rng.standard_normal((N, d))
        coef = (
            rng.standard_normal((T, k)) @ np.linalg.qr(rng.standard_normal((d, k)))[0].T
        )
        y = Xw @ coef.T + rng.standard_normal((N, T))
        X = Xw
        est = SharedRepresentationRegressor(random_state=0)
    cv = KFold(3, shuffle=True, random_state=0)
    grid = GridSearchCV(est, {"n_components": [1, 2, 4, 8]}, cv=cv)
    with warnings.catch_warnings():
        # ranks above the true one fit noise directions, which converge slowly
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X, y)
    assert grid.best_params_ == {"n_components": 2}


def test_representation_as_a_feature_map_in_a_pipeline():
    rng = np.random.default_rng(10)
    d, k, T, n = 25, 2, 6, 150
    B = np.linalg.qr(rng.standard_normal((d, k)))[0]
    X = rng.standard_normal((n, d))
    Y = X @ B @ rng.standard_normal((k, T)) + 0.1 * rng.standard_normal((n, T))
    params = dict(n_components=k, random_state=0, tol=1e-10, max_iter=3000)
    pipe = make_pipeline(
        SharedRepresentationRegressor(**params), PerTaskRidge(alpha=1e-10)
    )
    pipe.fit(X, Y)
    # the heads refitted on the projected features are the model's own heads
    direct = SharedRepresentationRegressor(**params).fit(X, Y)
    np.testing.assert_allclose(pipe.predict(X), direct.predict(X), atol=1e-6)
    assert pipe[0].set_output(transform="pandas").transform(X).shape == (n, k)


@pytest.mark.parametrize("with_task_column", [False, True])
def test_transfer_to_a_new_task_with_few_samples(with_task_column):
    d, k, T, N = 30, 3, 40, 60
    X, y, _, B = low_rank_tasks(d, k, T, N, 0.1, seed=11)
    est = SharedRepresentationRegressor(k, task_column=-1, random_state=0)
    est.fit(X, y)
    rng = np.random.default_rng(12)
    theta = B @ rng.standard_normal(k)
    n_new = 10  # fewer samples than features
    X_new = rng.standard_normal((n_new, d))
    y_new = X_new @ theta + 3.0 + 0.1 * rng.standard_normal(n_new)
    X_in = np.column_stack([X_new, np.full(n_new, -1)]) if with_task_column else X_new
    head = est.fit_new_task(X_in, y_new)
    X_test = rng.standard_normal((500, d))
    X_test_in = np.column_stack([X_test, np.zeros(500)]) if with_task_column else X_test
    err = np.mean((head.predict(X_test_in) - X_test @ theta - 3.0) ** 2)
    scratch = LinearRegression().fit(X_new, y_new)
    err_scratch = np.mean((scratch.predict(X_test) - X_test @ theta - 3.0) ** 2)
    assert err < 0.05 * np.dot(theta, theta)
    assert err < 0.1 * err_scratch
    ridge_head = est.fit_new_task(X_in, y_new, alpha=1.0)
    assert ridge_head.named_steps["head"].alpha == 1.0


def test_convergence_warning_names_the_criterion():
    X, y, _, _ = low_rank_tasks(10, 2, 5, 20, 0.1, seed=13)
    est = SharedRepresentationRegressor(
        2, task_column=-1, max_iter=6, tol=1e-12, random_state=0
    )
    with pytest.warns(ConvergenceWarning, match=r"relative change.*tol=1e-12"):
        est.fit(X, y)
    assert est.n_iter_ == 6
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        SharedRepresentationRegressor(2, task_column=-1, random_state=0).fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_components": 6}, r"at most min\(n_features, n_tasks\)"),
        ({"step_size": (0.1,)}, "two positive floats"),
        ({"solver": "sgd"}, "solver"),
    ],
)
def test_bad_parameters_are_explained(params, match):
    X, y, _, _ = low_rank_tasks(10, 2, 5, 20, 0.1, seed=14)
    with pytest.raises(ValueError, match=match):
        SharedRepresentationRegressor(task_column=-1, **params).fit(X, y)


def test_agrees_with_the_trace_norm_estimator():
    linear = pytest.importorskip("skmtl.linear")
    TraceNorm = getattr(linear, "TraceNormMultiTask", None)
    if TraceNorm is None:
        pytest.skip("skmtl.linear.TraceNormMultiTask is not available")
    # well-conditioned low-rank data, plenty of samples: both recover W
    d, k, T, N = 20, 2, 15, 200
    X, y, coef, B = low_rank_tasks(d, k, T, N, 0.1, seed=15)
    shared = SharedRepresentationRegressor(k, task_column=-1, random_state=0)
    shared.fit(X, y)
    trace = TraceNorm(alpha=1e-3, task_column=-1, tol=1e-8, max_iter=5000)
    trace.fit(X, y)
    scale = np.linalg.norm(coef)
    assert np.linalg.norm(shared.coef_ - trace.coef_) < 0.05 * scale
    U = np.linalg.svd(trace.coef_.T, full_matrices=False)[0][:, :k]
    assert sin_theta(shared.components_, U) < 0.05
    p_shared, p_trace = shared.predict(X), trace.predict(X)
    assert np.linalg.norm(p_shared - p_trace) < 0.05 * np.linalg.norm(p_shared)


def test_long_dataframe_in_a_pipeline_with_named_task_column():
    pd = pytest.importorskip("pandas")
    from sklearn.compose import make_column_transformer
    from sklearn.preprocessing import StandardScaler

    X, y, _, _ = low_rank_tasks(8, 2, 6, 30, 0.1, seed=16)
    frame = pd.DataFrame(X[:, :-1], columns=[f"x{i}" for i in range(8)])
    frame["task"] = [f"t{int(t)}" for t in X[:, -1]]
    scale = make_column_transformer(
        (StandardScaler(), [f"x{i}" for i in range(8)]),
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    pipe = make_pipeline(
        scale, SharedRepresentationRegressor(2, task_column="task", random_state=0)
    )
    pipe.fit(frame, y)
    assert pipe.score(frame, y) > 0.95
    est = pipe[-1]
    assert list(est.tasks_) == [f"t{t}" for t in range(6)]
    assert est.transform(scale.transform(frame)).shape == (len(y), 2)


def _kappa_one_tasks(d, k, T, N, sigma, seed):
    """Long data as benchmarks/bench_tpgd.py: orthonormal B*, kappa = 1."""
    rng = np.random.default_rng(seed)
    B, _ = np.linalg.qr(rng.standard_normal((d, k)))
    V, _ = np.linalg.qr(rng.standard_normal((T, k)))
    coef = np.sqrt(T / k) * V @ B.T
    X = rng.standard_normal((T * N, d))
    task = np.repeat(np.arange(T), N)
    y = np.einsum("ij,ij->i", X, coef[task]) + sigma * rng.standard_normal(T * N)
    return np.column_stack([X, task]), y, coef


def test_lbfgs_phase_two_reaches_the_gradient_descent_solution_in_fewer_steps():
    # fewer samples per task than features: the loss is badly conditioned in B
    X, y, coef = _kappa_one_tasks(200, 3, 20, 60, 0.1, seed=0)
    common = dict(task_column=-1, fit_intercept=False, random_state=0, tol=1e-8)
    gd = SharedRepresentationRegressor(3, phase2="gd", max_iter=20_000, **common)
    lb = SharedRepresentationRegressor(3, phase2="lbfgs", **common)
    gd.fit(X, y)
    lb.fit(X, y)
    np.testing.assert_allclose(lb.coef_, gd.coef_, atol=1e-4 * np.abs(gd.coef_).max())
    assert lb.loss_curve_[-1] <= gd.loss_curve_[-1] * (1 + 1e-8)
    assert lb.n_iter_ < gd.n_iter_ / 3, (lb.n_iter_, gd.n_iter_)
    assert len(lb.loss_curve_) == lb.n_iter_


def test_altmin_drift_stops_with_a_warning_that_names_it():
    # d=400 features, 100 samples per task: from this random start AltMin's
    # heads grow without bound at a flat loss (the error reached 4e6 times the
    # statistical rate in 5000 iterations, and its relative change fell
    # towards tol)
    X, y, coef = _kappa_one_tasks(400, 3, 20, 100, 0.1, seed=0)
    est = SharedRepresentationRegressor(
        3, solver="altmin", init="random", task_column=-1, fit_intercept=False,
        random_state=5,
    )  # fmt: skip
    with pytest.warns(ConvergenceWarning, match="diverging.*do not constrain"):
        est.fit(X, y)
    assert est.n_iter_ < 500
    # (the default spectral start does not drift on these data: 0 warnings in
    # every seed of benchmarks/bench_tpgd.py --sections 6)


@pytest.mark.parametrize("d", [50, 400])
def test_data_driven_rank_with_fewer_samples_than_features(d):
    # at d=400, N=100 the third component of seed 0 sits at 1.09 times the
    # noise edge: the former margin (1.1) chose k=2, at 25x the error of k=3
    from skmtl.representation._design import choose_rank

    for seed in range(5):
        X, y, _ = _kappa_one_tasks(d, 3, 20, 100, 0.1, seed=seed)
        est = SharedRepresentationRegressor(task_column=-1)
        data = check_multitask_data(est, X, y, task_column=-1)
        design = build_design(data, *task_offsets(data, True))
        k, sv, tau = choose_rank(design, np.full(20, 100.0))
        assert k == 3, (seed, sv[:5] / tau)
        # the noise singular values stay clear of the threshold
        assert sv[3] < 0.95 * tau


def test_statistical_floor_estimates_the_fit_error():
    # with more samples than features per task the fitted values' relative
    # error is sigma^2 p / n over the signal: the floor estimates it from the
    # residuals alone
    from skmtl.representation._solvers import statistical_floor

    ratios = []
    for seed in range(3):
        X, y, coef, _ = low_rank_tasks(20, 3, 20, 200, 0.5, seed)
        est = SharedRepresentationRegressor(
            3, task_column=-1, fit_intercept=False, tol=1e-7, random_state=0
        ).fit(X, y)
        data = check_multitask_data(est, X, y, task_column=-1)
        design = build_design(data, *task_offsets(data, False))
        floor = statistical_floor(design, 3, len(y), fit_intercept=False)
        B, W = est.components_.T, est.task_embeddings_
        rel = floor(design.loss(B, W))
        Xs, t = X[:, :-1], X[:, -1].astype(int)
        err = np.einsum("ij,ij->i", Xs, est.coef_[t] - coef[t])
        fit = np.einsum("ij,ij->i", Xs, est.coef_[t])
        ratios.append(np.sqrt(np.sum(err**2) / np.sum(fit**2)) / rel)
    assert 0.7 < np.mean(ratios) < 1.4, ratios


def test_auto_tol_stops_at_statistical_precision():
    # fewer samples per task than features: 'auto' stops earlier than a tight
    # tol, and the fit differs from the tight one by a small fraction of its
    # statistical error
    X, y, coef, _ = low_rank_tasks(120, 3, 20, 60, 0.3, 0)
    tight = SharedRepresentationRegressor(
        3, task_column=-1, fit_intercept=False, tol=1e-8, random_state=0
    ).fit(X, y)
    auto = SharedRepresentationRegressor(
        3, task_column=-1, fit_intercept=False, random_state=0
    ).fit(X, y)
    assert auto.n_iter_ < tight.n_iter_
    assert 1e-4 <= auto.stop_threshold_ < 1e-2
    assert auto.stop_crit_ < auto.stop_threshold_
    stat = np.linalg.norm(tight.coef_ - coef)
    assert np.linalg.norm(auto.coef_ - tight.coef_) < 0.1 * stat
    # a float tol is the threshold itself
    assert tight.stop_threshold_ == 1e-8


def test_auto_tol_without_noise_estimate_is_1e_4():
    # fewer labels in all than parameters: no residual degrees of freedom
    X, y, _, _ = low_rank_tasks(30, 2, 4, 12, 0.1, 0)
    est = SharedRepresentationRegressor(2, task_column=-1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    assert est.stop_threshold_ == 1e-4


def test_statistical_floor_is_bounded_far_from_the_optimum():
    # an iterate that fits almost nothing (loss near sum_t Var(y_t) / 2) has a
    # huge residual-to-signal ratio: the floor caps it at 1, so 'auto' never
    # stops there with a threshold above 0.01
    from skmtl.representation._solvers import statistical_floor

    X, y, _, _ = low_rank_tasks(20, 2, 10, 100, 0.5, 0)
    est = SharedRepresentationRegressor(2, task_column=-1, fit_intercept=False)
    data = check_multitask_data(est, X, y, task_column=-1)
    design = build_design(data, *task_offsets(data, False))
    floor = statistical_floor(design, 2, len(y), fit_intercept=False)
    total = float(np.sum(design.y_sq))
    assert floor(0.5 * total * (1 - 1e-9)) == 1.0
    assert floor(0.5 * total) == 0.0
    assert 0.0 < floor(0.05 * total) < 1.0


def test_escape_cap_extrapolates_the_first_tenfold_growth():
    from skmtl.representation._solvers import _escape_cap

    # 10-fold in 8 iterations; from 1e-3 to the scale 10 is 4 decades: 32
    assert _escape_cap(1e-2, 8, 1e-3, 10.0) == 32
    assert _escape_cap(9e-3, 8, 1e-3, 10.0) is None  # not yet 10-fold
    assert _escape_cap(1.0, 8, 0.0, 10.0) is None  # degenerate start
    # a start already near the signal scale: at least the 10-fold time
    assert _escape_cap(1e-1, 5, 1e-2, 0.05) == 5


def test_phase_one_length_does_not_grow_with_d_when_samples_are_few():
    # N = 30 samples per task, d = 15 and d = 120 (dk / (NT) = 0.6 at d =
    # 120): phase I ends at the extrapolated end of the escape at both; by
    # the growth rule alone it ran 40 and 70 gradient iterations here, and
    # the fit at d = 120 took 100 iterations (73 now). The fit is the tight
    # one up to a small fraction of its statistical error.
    from skmtl.representation._solvers import tpgd

    n_phase1 = {}
    for d in (15, 120):
        X, y, coef = _kappa_one_tasks(d, 3, 20, 30, 0.1, seed=1)
        common = dict(task_column=-1, fit_intercept=False, random_state=0)
        fit = SharedRepresentationRegressor(3, **common).fit(X, y)
        data = check_multitask_data(fit, X, y, task_column=-1)
        design = build_design(data, *task_offsets(data, False))
        *_, info = tpgd(design, 3, max_iter=80, rng=np.random.RandomState(0))
        n_phase1[d] = info["n_phase1"]
        tight = SharedRepresentationRegressor(3, tol=1e-7, **common).fit(X, y)
        stat = np.linalg.norm(tight.coef_ - coef)
        assert np.linalg.norm(fit.coef_ - tight.coef_) < 0.1 * stat
    assert n_phase1[15] <= 25 and n_phase1[120] <= 35, n_phase1
    assert fit.n_iter_ <= 80


def _random_start_fit(X, y, k, rs):
    """TPGD from the random start alone, as fit runs it (solver level)."""
    from skmtl.representation._solvers import statistical_floor, tpgd

    est = SharedRepresentationRegressor(k, task_column=-1, fit_intercept=False)
    data = check_multitask_data(est, X, y, task_column=-1)
    design = build_design(data, *task_offsets(data, False))
    floor = statistical_floor(design, k, float(len(y)), fit_intercept=False)
    rng = np.random.RandomState(rs)
    return tpgd(design, k, tol=1e-4, stat_tol=0.01, floor=floor, rng=rng)


def _fit_recording(X, y, k, rs):
    est = SharedRepresentationRegressor(
        k, task_column=-1, fit_intercept=False, random_state=rs
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        est.fit(X, y)
    return est, [w for w in caught if issubclass(w.category, ConvergenceWarning)]


def test_tpgd_drift_missed_by_tol_is_refit_from_the_spectral_start():
    # d = 120, k = 3, T = 20, N = 30 (dk / (NT) = 0.6): from this random
    # start, TPGD alone ends on a drifting fit (tol='auto' met while
    # ||coef||_F still grows, hundreds of times the rate, no drift flag);
    # the estimator sees the growth in phase II, re-runs from the spectral
    # start and keeps it (lower loss), at the good fit's error
    from skmtl.representation._solvers import GROWTH_GUARD

    d, k, T, N = 120, 3, 20, 30
    X, y, coef = _kappa_one_tasks(d, k, T, N, 0.1, seed=0)
    rate = 0.1**2 * k * (d + T - k) / (N * T)
    B, W, info = _random_start_fit(X, y, k, rs=2)
    assert info["converged"] and not info["diverged"]
    assert info["phase2_growth"] > GROWTH_GUARD
    assert param_error(W @ B.T, coef) > 100 * rate  # the silent drift
    est, caught = _fit_recording(X, y, k, rs=2)
    assert est.restarted_ and not caught
    assert est.n_iter_total_ > est.n_iter_ == len(est.loss_curve_)
    assert est.loss_curve_[-1] < info["loss_curve"][-1] / 2
    assert param_error(est.coef_, coef) < 10 * rate
    svd = SharedRepresentationRegressor(
        k, task_column=-1, fit_intercept=False, init="svd"
    ).fit(X, y)
    np.testing.assert_allclose(est.coef_, svd.coef_)


def test_tpgd_guard_does_not_refit_a_well_posed_problem():
    # more samples per task than features: no random start is re-run, and
    # the norm grows little in phase II
    X, y, coef = _kappa_one_tasks(30, 3, 20, 60, 0.1, seed=0)
    for rs in range(4):
        est, caught = _fit_recording(X, y, 3, rs)
        assert not est.restarted_ and not caught
        assert est.n_iter_total_ == est.n_iter_
        assert est.phase2_growth_ < 1.3
    altmin = SharedRepresentationRegressor(3, solver="altmin", task_column=-1)
    altmin.fit(X, y)
    assert not altmin.restarted_ and np.isnan(altmin.phase2_growth_)
    # phase II from the tiny start itself (phase1_iter=0): no growth measured
    est = SharedRepresentationRegressor(
        3, task_column=-1, phase1_iter=0, random_state=0
    ).fit(X, y)
    assert not est.restarted_ and np.isnan(est.phase2_growth_)


def test_tpgd_random_start_does_not_end_silently_on_a_drift():
    # d=400, N=100 (bench_tpgd section 6, d x8): from random_state=2 TPGD
    # alone ends on a drifting fit, 870 times the rate (3 of 25 fits there);
    # the guard re-runs it from the spectral start
    X, y, coef = _kappa_one_tasks(400, 3, 20, 100, 0.1, seed=1)
    est, caught = _fit_recording(X, y, 3, rs=2)
    rate = 0.1**2 * 3 * (400 + 20 - 3) / (100 * 20)
    assert est.restarted_ and not caught
    assert param_error(est.coef_, coef) < 10 * rate
