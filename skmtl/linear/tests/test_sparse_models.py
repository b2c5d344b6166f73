"""Group lasso solver, dirty model, paths, CV and custom cvxpy penalties."""

import cvxpy as cp
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import MultiTaskLasso, lasso_path
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmtl.datasets import make_multitask_regression
from skmtl.linear import (
    CustomPenaltyMultiTask,
    DegenerateFoldWarning,
    DirtyMultiTask,
    DirtyMultiTaskCV,
    MultiTaskGroupLasso,
    MultiTaskGroupLassoCV,
    multitask_path,
)
from skmtl.linear.datafits import Quadratic, SumOfParts
from skmtl.linear.penalties import L1, L21, StackedPenalty
from skmtl.linear.solvers import WorkingSet, duality_gap
from skmtl.utils import check_multitask_data


def _long(seed=3, d=8):
    return make_multitask_regression(
        n_features=d, n_tasks=4, samples_per_task=[9, 25, 12, 30], random_state=seed
    )


def _masked(rng, n=50, d=8):
    X, Y = make_multitask_regression(n, d, 4, random_state=3)
    Y[rng.random(Y.shape) < 0.3] = np.nan
    return X, Y


# -- the working-set solver ---------------------------------------------------
@pytest.mark.parametrize("alpha_ratio", [0.5, 0.1, 0.02])
@pytest.mark.parametrize("shape", [(40, 120), (150, 20)])
def test_working_set_matches_sklearn(alpha_ratio, shape):
    n, d = shape
    X, Y = make_multitask_regression(n, d, 6, n_informative=8, random_state=0)
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    alpha = alpha_ratio * np.sqrt(((Xc.T @ Yc) ** 2).sum(1)).max() / n
    ref = MultiTaskLasso(alpha=alpha, tol=1e-14, max_iter=100_000).fit(X, Y)
    est = MultiTaskGroupLasso(alpha=alpha, tol=1e-12).fit(X, Y)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-6)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, atol=1e-6)
    assert est.stop_crit_ <= 1e-12


def test_sparse_x_and_sample_weight_match_sklearn(rng):
    X, Y = make_multitask_regression(60, 30, 4, n_informative=4, random_state=1)
    X[rng.random(X.shape) < 0.6] = 0.0
    sw = rng.uniform(0.5, 2.0, len(X))
    ref = MultiTaskLasso(alpha=0.1, tol=1e-14, max_iter=100_000)
    ref.fit(sp.csr_matrix(X), Y, sample_weight=sw)
    for Xin in (X, sp.csr_matrix(X), sp.csc_matrix(X)):
        est = MultiTaskGroupLasso(alpha=0.1, tol=1e-12).fit(Xin, Y, sample_weight=sw)
        np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-6)
        np.testing.assert_allclose(est.intercept_, ref.intercept_, atol=1e-6)


@pytest.mark.parametrize("layout", ["masked", "long", "sparse-long"])
def test_working_set_optimality_and_fista_agree(rng, layout):
    if layout == "masked":
        X, y = _masked(rng, n=60, d=30)
        kw = {}
    else:
        X, y = _long(d=30)
        kw = {"task_column": -1}
        if layout == "sparse-long":
            X = sp.csr_matrix(X)
    sw = rng.uniform(0.5, 2.0, X.shape[0])
    ws = MultiTaskGroupLasso(alpha=0.05, tol=1e-12, **kw).fit(X, y, sample_weight=sw)
    ref = MultiTaskGroupLasso(
        alpha=0.05, solver="fista", tol=1e-10, max_iter=100_000, **kw
    )
    if layout == "sparse-long":  # FISTA is slow on sparse long data
        ref.set_params(solver="working_set", tol=1e-12)
        X_ref = X.toarray()
    else:
        X_ref = X
    fista = ref.fit(X_ref, y, sample_weight=sw)
    np.testing.assert_allclose(ws.coef_, fista.coef_, atol=1e-6)
    # optimality at the solution: the gap and the subdifferential distance
    assert 0 <= ws.stop_crit_ <= 1e-12
    data = check_multitask_data(
        ws,
        X,
        y,
        task_column=kw.get("task_column"),
        sample_weight=sw,
        accept_sparse="csr",
    )
    f = Quadratic().initialize(data)
    W = ws.coef_.T
    viol = L21(0.05).subdiff_distance(W, f.gradient(W)).max()
    assert viol <= 1e-5 * L21(1.0).alpha_max(f.b0)


def test_duality_gap_is_a_bound(rng):
    X, Y = make_multitask_regression(50, 20, 3, random_state=0)
    data = check_multitask_data(MultiTaskGroupLasso(), X, Y, task_column=None)
    f = Quadratic().initialize(data)
    pen = L21(0.1)
    est = MultiTaskGroupLasso(alpha=0.1, tol=1e-14).fit(X, Y)
    p_star = f.value(est.coef_.T) + pen.value(est.coef_.T)
    for _ in range(5):
        W = rng.standard_normal((20, 3)) * 0.1
        val, grad = f.value_and_gradient(W)
        gap = duality_gap(val, grad, W, pen)
        assert gap >= val + pen.value(W) - p_star - 1e-12
    assert est.dual_gap_ <= 1e-12


def test_gram_blocks_match_the_hessian(rng):
    X, y = _long(d=6)
    data = check_multitask_data(MultiTaskGroupLasso(), X, y, task_column=-1)
    f = Quadratic().initialize(data)
    feats = np.array([4, 1, 3])
    G, B = f.gram(feats)
    V = np.zeros((6, 4))
    V[feats] = rng.standard_normal((3, 4))
    HV = f.hessian_apply(V)[feats]
    np.testing.assert_allclose(np.einsum("tij,jt->it", G, V[feats]), HV, atol=1e-12)
    np.testing.assert_allclose(B, -f.gradient(np.zeros((6, 4)))[feats])
    # the stacked datafit maps rows to their features
    s = SumOfParts(f, 2)
    Gs, Bs = s.gram(np.array([1, 7, 3]))
    np.testing.assert_allclose(Gs, f.gram(np.array([1, 1, 3]))[0])


def test_convergence_warning_names_gap_and_tol():
    X, Y = make_multitask_regression(50, 200, 3, n_informative=40, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"duality gap.*tol 1\.0e-14"):
        MultiTaskGroupLasso(alpha=0.01, max_iter=1, tol=1e-14).fit(X, Y)
    with pytest.warns(ConvergenceWarning, match=r"duality gap.*tol 1\.0e-14"):
        DirtyMultiTask(alpha=0.05, beta=0.03, max_iter=1, tol=1e-14).fit(X, Y)


# -- dirty model ----------------------------------------------------------------
def _dirty_problem(n=120, seed=0):
    rng = np.random.default_rng(seed)
    d, T = 15, 4
    W = np.zeros((T, d))
    W[:, :3] = rng.uniform(1, 2, (T, 3)) * rng.choice([-1, 1], (T, 3))
    W[0, 5] = 2.0  # used by task 0 only
    W[2, 8] = -2.0  # used by task 2 only
    X = rng.standard_normal((n, d))
    Y = X @ W.T + 0.3 * rng.standard_normal((n, T))
    return X, Y, W


@pytest.mark.parametrize("layout", ["masked", "long"])
def test_dirty_matches_cvxpy(rng, layout):
    if layout == "long":
        X, y = _long()
        kw = {"task_column": -1}
    else:
        X, y = _masked(rng)
        kw = {}
    sw = rng.uniform(0.5, 2.0, X.shape[0])
    fast = DirtyMultiTask(alpha=0.3, beta=0.2, tol=1e-12, **kw)
    exact = DirtyMultiTask(alpha=0.3, beta=0.2, solver="cvxpy", **kw)
    fast.fit(X, y, sample_weight=sw)
    exact.fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(fast.coef_, exact.coef_, atol=1e-4)
    np.testing.assert_allclose(fast.intercept_, exact.intercept_, atol=1e-4)
    assert fast.stop_crit_ <= 1e-12
    # objective values agree (the split B / S need not be unique)
    data = check_multitask_data(
        fast, X, y, task_column=kw.get("task_column"), sample_weight=sw
    )
    f = SumOfParts(Quadratic().initialize(data))
    pen = StackedPenalty([L21(0.3), L1(0.2)], data.n_features)

    def objective(m):
        V = np.vstack([m.shared_coef_.T, m.specific_coef_.T])
        return f.value(V) + pen.value(V)

    assert objective(fast) <= objective(exact) + 1e-7


def test_dirty_separates_shared_and_specific_features():
    X, Y, W = _dirty_problem()
    m = DirtyMultiTask(alpha=0.12, beta=0.06).fit(X, Y)
    shared_rows = np.flatnonzero(np.abs(m.shared_coef_).sum(axis=0) > 1e-8)
    assert set(range(3)) <= set(shared_rows)
    assert abs(m.specific_coef_[0, 5]) > 0.5 and abs(m.specific_coef_[2, 8]) > 0.5
    assert np.allclose(m.shared_coef_[:, [5, 8]], 0)
    # the group lasso must put features 5 and 8 in every task or none
    gl = MultiTaskGroupLasso(alpha=0.12).fit(X, Y)
    err_dirty = np.abs(m.coef_ - W).sum()
    err_gl = np.abs(gl.coef_ - W).sum()
    assert err_dirty < err_gl


def test_dirty_fista_and_working_set_agree(rng):
    X, Y, _ = _dirty_problem(n=60)
    a = DirtyMultiTask(alpha=0.1, beta=0.05, tol=1e-12).fit(X, Y)
    b = DirtyMultiTask(
        alpha=0.1, beta=0.05, solver="fista", tol=1e-10, max_iter=100_000
    ).fit(X, Y)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-5)


# -- structure recovery ---------------------------------------------------------
def _f1(true, found):
    tp = np.sum(true & found)
    return 2 * tp / max(true.sum() + found.sum(), 1)


def test_group_lasso_recovers_shared_support_better_than_per_task_lasso():
    # best support F1 along each method's regularisation path
    X, Y, truth = make_multitask_regression(
        60, 80, 8, n_informative=6, noise=2.0, random_state=0, return_truth=True
    )
    true = np.zeros(80, dtype=bool)
    true[truth.support] = True
    _, coefs, _, _ = multitask_path(X, Y, n_alphas=30, eps=1e-2)
    f1_gl = max(_f1(true, np.abs(c).sum(axis=0) > 0) for c in coefs)
    f1_lasso = []
    for t in range(8):
        _, path, _ = lasso_path(X - X.mean(0), Y[:, t] - Y[:, t].mean(), alphas=30)
        f1_lasso.append(max(_f1(true, path[:, k] != 0) for k in range(30)))
    assert f1_gl > np.mean(f1_lasso) + 0.1
    assert f1_gl >= 0.9


# -- paths and cross-validation -------------------------------------------------
def test_path_matches_single_fits_and_starts_at_alpha_max():
    X, Y = make_multitask_regression(50, 12, 3, n_informative=3, random_state=0)
    est = MultiTaskGroupLasso(tol=1e-12)
    alphas, coefs, intercepts, gaps = multitask_path(X, Y, estimator=est, n_alphas=8)
    assert np.all(np.diff(alphas) < 0)
    assert np.all(coefs[0] == 0) and np.any(coefs[1] != 0)
    # alpha_max is exact: just below it a feature enters
    _, c, _, _ = multitask_path(X, Y, estimator=est, alphas=[alphas[0] * 0.999])
    assert np.any(c[0] != 0)
    for k in (2, 7):
        single = MultiTaskGroupLasso(alpha=alphas[k], tol=1e-12).fit(X, Y)
        np.testing.assert_allclose(coefs[k], single.coef_, atol=1e-7)
        np.testing.assert_allclose(intercepts[k], single.intercept_, atol=1e-7)
    assert np.all(gaps >= 0) and np.all(gaps < 1e-9)


def test_path_warm_starts_save_work():
    X, Y = make_multitask_regression(80, 200, 5, n_informative=10, random_state=0)
    est = MultiTaskGroupLasso(tol=1e-8)
    alphas, *_ = multitask_path(X, Y, estimator=est, n_alphas=10, eps=0.05)
    from skmtl.linear._path import path_on_data

    data = est._validate_fit(X, Y)
    *_, n_iter_path = path_on_data(est, data, "alpha", alphas)
    cold = [MultiTaskGroupLasso(alpha=a, tol=1e-8).fit(X, Y).n_iter_ for a in alphas]
    assert n_iter_path.sum() < sum(cold)


def test_path_of_the_dirty_model_over_beta():
    X, Y, _ = _dirty_problem(n=60)
    est = DirtyMultiTask(alpha=0.2)
    betas, coefs, _, _ = multitask_path(X, Y, estimator=est, param="beta", n_alphas=4)
    ref = DirtyMultiTask(alpha=0.2, beta=betas[2], tol=1e-10).fit(X, Y)
    np.testing.assert_allclose(coefs[2], ref.coef_, atol=1e-5)
    with pytest.raises(ValueError, match="no path over 'gamma'"):
        multitask_path(X, Y, estimator=est, param="gamma")


@pytest.mark.parametrize("layout", ["wide", "masked", "long"])
def test_group_lasso_cv_matches_manual_folds(rng, layout):
    if layout == "long":
        X, y = make_multitask_regression(
            n_features=10, n_tasks=3, samples_per_task=[30, 40, 50], random_state=0
        )
        kw = {"task_column": -1}
    else:
        X, y = make_multitask_regression(60, 10, 3, random_state=0)
        if layout == "masked":
            y[rng.random(y.shape) < 0.2] = np.nan
        kw = {}
    cv = MultiTaskGroupLassoCV(alphas=6, cv=3, random_state=0, tol=1e-10, **kw)
    cv.fit(X, y)
    assert cv.mse_path_.shape == (6, 3) and np.all(np.isfinite(cv.mse_path_))
    assert cv.alphas_[0] > cv.alphas_[-1]
    assert cv.alpha_ == cv.alphas_[np.argmin(cv.mse_path_.mean(axis=1))]
    # one fold by hand
    from skmtl.linear._cv import _splits

    est = MultiTaskGroupLasso(tol=1e-10, **kw)
    data = est._validate_fit(X, y)
    train, test = _splits(3, X, y, data, 0)[1]
    k = 3
    Xtr, ytr = X[train], y[train]
    model = MultiTaskGroupLasso(alpha=cv.alphas_[k], tol=1e-10, **kw).fit(Xtr, ytr)
    pred = model.predict(X[test])
    err = (y[test] - pred) ** 2
    assert np.isclose(np.nanmean(err), cv.mse_path_[k, 1], rtol=1e-5)
    refit = MultiTaskGroupLasso(alpha=cv.alpha_, tol=1e-10, **kw).fit(X, y)
    np.testing.assert_allclose(cv.coef_, refit.coef_, atol=1e-8)


def test_dirty_cv_two_parameter_grid():
    X, Y, _ = _dirty_problem(n=80)
    cv = DirtyMultiTaskCV(alphas=4, betas=3, cv=3, random_state=0).fit(X, Y)
    assert cv.mse_path_.shape == (4, 3, 3)
    i, j = np.unravel_index(np.argmin(cv.mse_path_.mean(axis=2)), (4, 3))
    assert (cv.alpha_, cv.beta_) == (cv.alphas_[i], cv.betas_[j])
    ref = DirtyMultiTask(alpha=cv.alpha_, beta=cv.beta_).fit(X, Y)
    np.testing.assert_allclose(cv.coef_, ref.coef_, atol=1e-6)
    assert cv.specific_coef_.shape == (4, 15)


def test_cv_fold_without_a_task_leaves_it_out_of_that_fold():
    X, y = make_multitask_regression(
        n_features=4, n_tasks=2, samples_per_task=[4, 20], random_state=0
    )
    # rows 0..3 are task 0: fold 0 trains without them, fold 1 with two
    folds = [
        (np.arange(4, 14), np.r_[0:4, 14:24]),
        (np.r_[0, 1, 14:24], np.r_[2, 3, 4:14]),
    ]
    cv = MultiTaskGroupLassoCV(alphas=3, cv=folds, task_column=-1, tol=1e-10)
    with pytest.warns(DegenerateFoldWarning, match=r"Task\(s\) 0 .* fold 0"):
        cv.fit(X, y)
    assert np.all(np.isfinite(cv.mse_path_))
    k = 1
    model = MultiTaskGroupLasso(alpha=cv.alphas_[k], tol=1e-10, task_column=-1)
    for fold, (train, test) in enumerate(folds):
        model.fit(X[train], y[train])
        if fold == 0:  # task 0 is left out of the score too
            test = test[X[test, -1] == 1]
        err = np.mean((y[test] - model.predict(X[test])) ** 2)
        assert np.isclose(cv.mse_path_[k, fold], err, rtol=1e-6)


@pytest.mark.parametrize("layout", ["wide", "long"])
@pytest.mark.parametrize("model", [MultiTaskGroupLasso, DirtyMultiTask])
def test_pipeline_and_grid_search(layout, model):
    if layout == "long":
        X, y = _long(d=6)
        kw = {"task_column": -1}
    else:
        X, y = make_multitask_regression(60, 6, 3, random_state=0)
        kw = {}
    if layout == "long":  # scale the features, not the task column
        from sklearn.compose import ColumnTransformer

        scaler = ColumnTransformer(
            [("x", StandardScaler(), list(range(6)))], remainder="passthrough"
        )
    else:
        scaler = StandardScaler()
    pipe = make_pipeline(scaler, model(**kw))
    name = pipe.steps[-1][0]
    # shuffled folds: long data are sorted by task, plain KFold would hold
    # out whole tasks
    cv = KFold(3, shuffle=True, random_state=0)
    grid = GridSearchCV(pipe, {f"{name}__alpha": [0.01, 0.1, 1.0]}, cv=cv).fit(X, y)
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    assert grid.best_params_[f"{name}__alpha"] in (0.01, 0.1, 1.0)
    assert grid.predict(X).shape == np.shape(y)


# -- the cvxpy route for a user's own penalty -----------------------------------
def test_custom_penalty_reproduces_group_lasso(rng):
    X, y = _masked(rng)
    custom = CustomPenaltyMultiTask(
        lambda W: cp.sum(cp.norm(W, 2, axis=1)), alpha=0.2
    ).fit(X, y)
    ref = MultiTaskGroupLasso(alpha=0.2, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(custom.coef_, ref.coef_, atol=1e-4)
    obj = CustomPenaltyMultiTask(L21(1.0), alpha=0.2).fit(X, y)
    np.testing.assert_allclose(obj.coef_, ref.coef_, atol=1e-4)


def test_custom_penalty_l1_inf_is_row_sparse_and_optimal():
    X, Y = make_multitask_regression(60, 10, 3, n_informative=2, random_state=0)
    m = CustomPenaltyMultiTask(
        lambda W: cp.sum(cp.max(cp.abs(W), axis=1)), alpha=1.0
    ).fit(X, Y)
    # KKT of the L1,inf norm on a zero row: ||grad_j||_1 <= alpha
    data = check_multitask_data(m, X, Y, task_column=None)
    g = Quadratic().initialize(data).gradient(m.coef_.T)
    zero = np.abs(m.coef_).max(axis=0) < 1e-6
    assert zero.sum() >= 5
    assert np.all(np.abs(g[zero]).sum(axis=1) <= 1.0 + 1e-5)


def test_custom_penalty_errors():
    X, Y = make_multitask_regression(20, 4, 2, random_state=0)
    with pytest.raises(ValueError, match="not convex"):
        CustomPenaltyMultiTask(lambda W: -cp.sum_squares(W)).fit(X, Y)
    with pytest.raises(ValueError, match="scalar cvxpy expression"):
        CustomPenaltyMultiTask(lambda W: cp.abs(W)).fit(X, Y)
    with pytest.raises(TypeError, match="callable"):
        CustomPenaltyMultiTask(penalty=3).fit(X, Y)


def test_working_set_needs_are_declared():
    assert "gram" in WorkingSet.datafit_methods
    assert "dual_scale" in WorkingSet.penalty_methods
