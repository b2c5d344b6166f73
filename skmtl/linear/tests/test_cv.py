"""The one cross-validation engine: the same rules for every linear family."""

import warnings

import numpy as np
import pytest
from sklearn.model_selection import GroupKFold, KFold

from skmtl.datasets import make_multitask_regression
from skmtl.linear import (
    ClusteredMultiTask,
    ClusteredMultiTaskCV,
    DegenerateFoldWarning,
    DirtyMultiTask,
    DirtyMultiTaskCV,
    MeanRegularizedMultiTask,
    MeanRegularizedMultiTaskCV,
    MultiTaskGroupLasso,
    MultiTaskGroupLassoCV,
    TaskGraphMultiTask,
    TaskGraphMultiTaskCV,
    TraceNormMultiTask,
    TraceNormMultiTaskCV,
    multitask_path,
)
from skmtl.model_selection import TaskStratifiedKFold

#: every *CV with a small grid, and the model it tunes
CVS = {
    "group_lasso": (MultiTaskGroupLassoCV, {"alphas": 4}, MultiTaskGroupLasso),
    "dirty": (DirtyMultiTaskCV, {"alphas": 3, "betas": 2}, DirtyMultiTask),
    "trace_norm": (TraceNormMultiTaskCV, {"n_alphas": 4}, TraceNormMultiTask),
    "mean_regularized": (
        MeanRegularizedMultiTaskCV,
        {"alphas": [0.01, 0.1], "betas": [0.1, 1.0]},
        MeanRegularizedMultiTask,
    ),
    "task_graph": (
        TaskGraphMultiTaskCV,
        {"alphas": [0.1, 1.0], "n_neighbors": 2},
        TaskGraphMultiTask,
    ),
    "clustered": (
        ClusteredMultiTaskCV,
        {"alphas": [0.1, 1.0], "betas": [0.01]},
        ClusteredMultiTask,
    ),
}


def _long(samples_per_task=(12, 15, 18), seed=0):
    X, y = make_multitask_regression(
        n_features=5,
        n_tasks=len(samples_per_task),
        samples_per_task=list(samples_per_task),
        random_state=seed,
    )
    return X, y


def _wide(n=40, seed=0):
    return make_multitask_regression(n, 5, 3, random_state=seed)


def _make(name, **kw):
    cls, params, _ = CVS[name]
    return cls(**{**params, **kw})


def _task0_missing_from_fold0(layout):
    """Data and folds in which task 0 has no training label in fold 0."""
    if layout == "long":
        X, y = _long()
        task0 = np.flatnonzero(X[:, -1] == 0)
        other = np.flatnonzero(X[:, -1] != 0)
        kw = {"task_column": -1}
    else:
        X, y = _wide()
        y[20:, 0] = np.nan  # task 0 labelled on rows 0..19 only
        task0, other = np.arange(20), np.arange(20, 40)
        kw = {}
    a, b = other[::2], other[1::2]  # every other task in both halves
    folds = [
        (a, np.r_[task0, b]),  # fold 0: no label of task 0 to train on
        (np.r_[task0[: len(task0) // 2], b], np.r_[task0[len(task0) // 2 :], a]),
    ]
    folds = [(np.sort(a), np.sort(b)) for a, b in folds]
    return X, y, folds, kw


@pytest.mark.parametrize("layout", ["wide", "long"])
@pytest.mark.parametrize("name", list(CVS))
def test_task_missing_from_a_training_fold_warns_and_is_left_out(name, layout):
    X, y, folds, kw = _task0_missing_from_fold0(layout)
    cv = _make(name, cv=folds, **kw)
    with pytest.warns(DegenerateFoldWarning, match=r"Task\(s\) 0 .*fold 0"):
        cv.fit(X, y)
    assert np.all(np.isfinite(cv.mse_path_))
    assert cv.coef_.shape == (3, 5)  # the refit has every task


@pytest.mark.parametrize("layout", ["wide", "long"])
@pytest.mark.parametrize("name", list(CVS))
def test_whole_tasks_held_out_is_an_error(name, layout):
    if layout == "long":
        X, y = _long()
        groups, kw = X[:, -1], {"task_column": -1}
        cv = GroupKFold(3)
        splits = list(cv.split(X, y, groups))
    else:  # each task labelled on one third of the rows, folds = thirds
        X, y = _wide(n=45)
        for t in range(3):
            keep = np.zeros(45, bool)
            keep[15 * t : 15 * (t + 1)] = True
            y[~keep, t] = np.nan
        splits = list(KFold(3).split(X))
        kw = {}
    model = _make(name, cv=splits, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateFoldWarning)
        with pytest.raises(ValueError, match="never scored.*TaskStratifiedKFold"):
            model.fit(X, y)


@pytest.mark.parametrize("name", list(CVS))
def test_long_data_default_folds_keep_every_task(name):
    X, y = _long()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DegenerateFoldWarning)
        cv = _make(name, cv=3, task_column=-1, random_state=0).fit(X, y)
    assert np.all(np.isfinite(cv.mse_path_))
    assert cv.mse_path_.shape[-1] == 3


@pytest.mark.parametrize("name", list(CVS))
def test_choice_refit_and_cv_results(name):
    X, y = _wide()
    cv = _make(name, cv=3).fit(X, y)
    cls, params, model_cls = CVS[name]
    mean = cv.mse_path_.mean(axis=-1)
    results = cv.cv_results_
    # cv_results_ lists the grid points in the order of mse_path_
    np.testing.assert_allclose(-results["mean_test_score"], mean.ravel())
    best = results["params"][int(np.argmin(mean.ravel()))]
    assert results["rank_test_score"][int(np.argmin(mean.ravel()))] == 1
    for key, value in best.items():
        assert getattr(cv, f"{key}_") == value
    fixed = {
        k: v for k, v in params.items() if k not in ("alphas", "betas", "n_alphas")
    }
    ref = model_cls(**fixed, **best, tol=cv.tol).fit(X, y)
    np.testing.assert_allclose(cv.coef_, ref.coef_, atol=1e-6)
    np.testing.assert_allclose(cv.predict(X), ref.predict(X), atol=1e-6)


@pytest.mark.parametrize("name", ["group_lasso", "trace_norm", "mean_regularized"])
def test_one_fold_by_hand(name):
    """The recorded error of a grid point is the held-out MSE of a plain fit."""
    X, y = _wide(n=45)
    y[np.random.default_rng(0).random(y.shape) < 0.2] = np.nan  # missing labels
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    cv = _make(name, cv=folds, tol=1e-10).fit(X, y)
    _, params, model_cls = CVS[name]
    flat = cv.mse_path_.reshape(-1, 3)
    point = len(cv.cv_results_["params"]) - 1  # the last grid point
    train, test = folds[1]
    fixed = {
        k: v for k, v in params.items() if k not in ("alphas", "betas", "n_alphas")
    }
    model = model_cls(**fixed, **cv.cv_results_["params"][point], tol=1e-10)
    model.fit(X[train], y[train])
    err = (y[test] - model.predict(X[test])) ** 2
    assert np.isclose(flat[point, 1], np.nanmean(err), rtol=1e-6)


def test_parallel_and_progress_bar(capsys):
    X, y = _wide()
    one = MultiTaskGroupLassoCV(alphas=5, cv=3).fit(X, y)
    two = MultiTaskGroupLassoCV(alphas=5, cv=3, n_jobs=2, verbose=1).fit(X, y)
    np.testing.assert_allclose(one.mse_path_, two.mse_path_)
    assert "MultiTaskGroupLassoCV: 3 paths" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["group_lasso", "dirty", "trace_norm"])
def test_constant_targets_give_the_float_resolution_grid(name):
    X, _ = _wide()
    y = np.ones((40, 3))
    cv = _make(name, cv=3).fit(X, y)
    res = np.finfo(np.float64).resolution
    np.testing.assert_array_equal(cv.alphas_, np.full(len(cv.alphas_), res))
    np.testing.assert_allclose(cv.coef_, 0.0)
    np.testing.assert_allclose(cv.intercept_, 1.0)


def test_eps_one_is_accepted():
    X, y = _wide()
    cv = MultiTaskGroupLassoCV(alphas=3, eps=1.0, cv=3).fit(X, y)
    assert np.allclose(cv.alphas_, cv.alphas_[0])
    alphas, *_ = multitask_path(X, y, n_alphas=2, eps=1.0)
    assert alphas[0] == alphas[1]
    with pytest.raises(ValueError, match="eps"):
        multitask_path(X, y, n_alphas=2, eps=0.0)


def test_l1_ratio_grid_like_scikit_learn():
    from sklearn.linear_model import MultiTaskElasticNetCV

    X, y = _wide(n=60)
    ours = MultiTaskGroupLassoCV(alphas=5, l1_ratio=[0.5, 0.9], cv=3, tol=1e-10)
    ours.fit(X, y)
    ref = MultiTaskElasticNetCV(
        alphas=5, l1_ratio=[0.5, 0.9], cv=3, tol=1e-10, max_iter=100_000
    ).fit(X, y)
    assert ours.alphas_.shape == (2, 5) and ours.mse_path_.shape == (2, 5, 3)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_)
    # objectives agree to 1e-11; the flat valley leaves 1e-5 in the errors
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-4)
    assert np.isclose(ours.alpha_, ref.alpha_) and ours.l1_ratio_ == ref.l1_ratio_


@pytest.mark.parametrize("l1_ratio", [[0.9, 0.3, 0.6], [0.7]])
def test_l1_ratio_list_order_and_shapes_like_scikit_learn(l1_ratio):
    # the ratios keep the order given; explicit alphas give one row per ratio;
    # a one-element list has no axis (scikit-learn squeezes it)
    from sklearn.linear_model import MultiTaskElasticNetCV

    X, y = _wide(n=60)
    alphas = [0.5, 0.05, 0.2]
    ours = MultiTaskGroupLassoCV(alphas=alphas, l1_ratio=l1_ratio, cv=3, tol=1e-10)
    ours.fit(X, y)
    ref = MultiTaskElasticNetCV(
        alphas=alphas, l1_ratio=l1_ratio, cv=3, tol=1e-10, max_iter=100_000
    ).fit(X, y)
    assert ours.alphas_.shape == ref.alphas_.shape
    assert ours.mse_path_.shape == ref.mse_path_.shape
    np.testing.assert_allclose(ours.alphas_, ref.alphas_)
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-4)
    assert ours.l1_ratio_ == ref.l1_ratio_ and np.isclose(ours.alpha_, ref.alpha_)


@pytest.mark.parametrize(
    "estimator, param, values",
    [
        (TraceNormMultiTask(tol=1e-9), "alpha", None),
        (MeanRegularizedMultiTask(alpha=0.1, tol=1e-10), "beta", [10.0, 1.0, 0.1]),
        (TaskGraphMultiTask(n_neighbors=2, tol=1e-10), "alpha", [10.0, 1.0, 0.1]),
        (ClusteredMultiTask(beta=0.01, tol=1e-9), "alpha", [1.0, 0.1]),
    ],
)
def test_path_of_every_family_matches_single_fits(estimator, param, values):
    X, y = _wide()
    grid, coefs, intercepts, _ = multitask_path(
        X, y, estimator=estimator, param=param, alphas=values, n_alphas=4
    )
    for k in (0, len(grid) - 1):
        single = estimator.set_params(**{param: grid[k]}).fit(X, y)
        np.testing.assert_allclose(coefs[k], single.coef_, atol=1e-5)
        np.testing.assert_allclose(intercepts[k], single.intercept_, atol=1e-5)


def test_family_without_a_largest_value_needs_a_grid():
    X, y = _wide()
    with pytest.raises(ValueError, match="no largest useful alpha"):
        multitask_path(X, y, estimator=MeanRegularizedMultiTask())


def test_splitter_reads_the_original_task_column():
    X, y = _long()
    cv = TaskStratifiedKFold(3, task_column=-1, shuffle=True, random_state=0)
    model = MultiTaskGroupLassoCV(alphas=3, cv=cv, task_column=-1).fit(X, y)
    assert np.all(np.isfinite(model.mse_path_))
