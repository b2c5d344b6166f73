"""Logistic datafit and the multi-task classifiers."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import check_grad
from sklearn.compose import make_column_transformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmtl.datasets import make_multitask_classification
from skmtl.linear import (
    MeanRegularizedMultiTaskClassifier,
    MultiTaskGroupLassoClassifier,
    TraceNormMultiTaskClassifier,
)
from skmtl.linear.datafits._logistic import Logistic
from skmtl.utils import check_multitask_data


def _problem(layout, rng):
    if layout == "long":
        X, y = make_multitask_classification(
            n_features=5, n_tasks=3, samples_per_task=[15, 40, 25], random_state=2
        )
        tc = -1
    else:
        X, y = make_multitask_classification(60, 5, 3, random_state=2)
        y[rng.random(y.shape) < 0.3] = np.nan
        tc = None
    sw = rng.uniform(0.5, 2.0, X.shape[0])
    return X, y, sw, tc


def _signed(data):
    y = np.where(np.isnan(data.y), np.nan, 2.0 * data.y - 1.0)
    data.y = y
    return data


@pytest.mark.parametrize("layout", ["masked", "long"])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_logistic_gradient_value_lipschitz(rng, layout, sparse, fit_intercept):
    X, y, sw, tc = _problem(layout, rng)
    if sparse:
        X = sp.csr_matrix(X)
    data = check_multitask_data(
        MeanRegularizedMultiTaskClassifier(),
        X,
        y,
        task_column=tc,
        sample_weight=sw,
        accept_sparse="csr",
    )
    f = Logistic(fit_intercept).initialize(_signed(data))
    shape = (f.n_rows, data.n_tasks)
    w0 = rng.standard_normal(np.prod(shape))
    assert (
        check_grad(
            lambda w: f.value(w.reshape(shape)),
            lambda w: f.gradient(w.reshape(shape)).ravel(),
            w0,
        )
        < 1e-6
    )
    W = w0.reshape(shape)
    total = 0.0
    for t, idx, y_t, s_t in data.iter_tasks():
        X_t = data.X[idx].toarray() if sparse else data.X[idx]
        z = X_t @ W[: data.n_features, t] + (W[-1, t] if fit_intercept else 0)
        total += np.sum(s_t * np.log1p(np.exp(-y_t * z))) / s_t.sum()
        Xt = np.column_stack([X_t, np.ones(len(idx))]) if fit_intercept else X_t
        lam = np.linalg.eigvalsh(Xt.T @ (Xt * (s_t / s_t.sum())[:, None])).max()
        assert 0.25 * lam <= f.lipschitz_tasks[t] <= 0.26 * lam
    assert np.isclose(f.value(W), total)


CLASSIFIERS = {
    "group-lasso": lambda: MultiTaskGroupLassoClassifier(alpha=0.05),
    "mean": lambda: MeanRegularizedMultiTaskClassifier(alpha=0.01, beta=0.5),
    "trace": lambda: TraceNormMultiTaskClassifier(alpha=0.05),
}


@pytest.mark.parametrize("layout", ["masked", "long"])
@pytest.mark.parametrize("name", list(CLASSIFIERS))
def test_classifiers_match_cvxpy(rng, layout, name):
    X, y, sw, tc = _problem(layout, rng)
    fast = CLASSIFIERS[name]().set_params(task_column=tc, tol=1e-9, max_iter=20_000)
    exact = CLASSIFIERS[name]().set_params(task_column=tc, solver="cvxpy")
    fast.fit(X, y, sample_weight=sw)
    exact.fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(fast.coef_, exact.coef_, atol=1e-4)
    np.testing.assert_allclose(fast.intercept_, exact.intercept_, atol=1e-4)
    assert fast.stop_crit_ <= 1e-9


@pytest.mark.parametrize("layout", ["masked", "long"])
def test_mean_regularized_beta0_is_sklearn_logistic_per_task(rng, layout):
    X, y, _, tc = _problem(layout, rng)
    alpha = 0.05
    clf = MeanRegularizedMultiTaskClassifier(
        alpha=alpha, beta=0.0, task_column=tc, tol=1e-10, max_iter=20_000
    ).fit(X, y)
    data = check_multitask_data(clf, X, y, task_column=tc)
    for t, idx, y_t, _ in data.iter_tasks():
        ref = LogisticRegression(C=1 / (len(idx) * alpha), tol=1e-12, max_iter=10_000)
        ref.fit(data.X[idx], y_t)
        np.testing.assert_allclose(clf.coef_[t], ref.coef_[0], atol=1e-5)
        np.testing.assert_allclose(clf.intercept_[t], ref.intercept_[0], atol=1e-5)


def test_labels_per_task_any_two_values():
    X, y = make_multitask_classification(
        n_features=4, n_tasks=3, samples_per_task=[30, 30, 30], random_state=0
    )
    task = X[:, -1].astype(int)
    names = np.array([["neg", "pos"], ["no", "yes"], ["a", "b"]], dtype=object)
    labels = names[task, y.astype(int)]
    clf = MeanRegularizedMultiTaskClassifier(task_column=-1).fit(X, labels)
    assert [list(c) for c in clf.classes_] == [
        ["neg", "pos"],
        ["no", "yes"],
        ["a", "b"],
    ]
    pred = clf.predict(X)
    assert all(p in names[t] for p, t in zip(pred, task, strict=True))
    num = MeanRegularizedMultiTaskClassifier(task_column=-1).fit(X, y)
    np.testing.assert_array_equal(pred, names[task, num.predict(X).astype(int)])
    proba = clf.predict_proba(X)
    assert proba.shape == (90, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(proba[:, 1] > 0.5, clf.decision_function(X) > 0)
    # wide: numeric labels differing between tasks
    Xw, Y = make_multitask_classification(60, 4, 2, random_state=0)
    Y2 = np.column_stack([Y[:, 0], np.where(Y[:, 1] == 1, 7.0, -3.0)])
    Y2[:5, 1] = np.nan
    clf = TraceNormMultiTaskClassifier().fit(Xw, Y2)
    assert [list(c) for c in clf.classes_] == [[0.0, 1.0], [-3.0, 7.0]]
    assert set(np.unique(clf.predict(Xw)[:, 1])) <= {-3.0, 7.0}
    proba = clf.predict_proba(Xw)
    assert isinstance(proba, list) and len(proba) == 2 and proba[0].shape == (60, 2)


def test_label_errors():
    X, Y = make_multitask_classification(40, 4, 2, random_state=0)
    Y3 = Y.copy()
    Y3[:3, 1] = 2.0
    with pytest.raises(ValueError, match=r"Only binary.*Task 1 has 3 classes"):
        MultiTaskGroupLassoClassifier().fit(X, Y3)
    Y1 = Y.copy()
    Y1[:, 0] = 1.0
    with pytest.raises(ValueError, match=r"Task 0 has only one class"):
        MultiTaskGroupLassoClassifier().fit(X, Y1)
    with pytest.raises(ValueError, match="Unknown label type"):
        MultiTaskGroupLassoClassifier().fit(X, Y + 0.5 * np.arange(40)[:, None])


def test_score_ignores_missing_labels():
    X, Y = make_multitask_classification(80, 5, 3, random_state=1)
    Y[np.random.default_rng(0).random(Y.shape) < 0.3] = np.nan
    clf = MultiTaskGroupLassoClassifier(alpha=0.01).fit(X, Y)
    pred = clf.predict(X)
    accs = [
        np.mean(pred[~np.isnan(Y[:, t]), t] == Y[~np.isnan(Y[:, t]), t])
        for t in range(3)
    ]
    assert np.isclose(clf.score(X, Y), np.mean(accs))


def test_single_task_1d_y_is_a_binary_classifier():
    X, Y = make_multitask_classification(80, 5, 1, random_state=1)
    clf = MeanRegularizedMultiTaskClassifier(alpha=0.02, tol=1e-10).fit(X, Y[:, 0])
    ref = LogisticRegression(C=1 / (80 * 0.02), tol=1e-12).fit(X, Y[:, 0])
    np.testing.assert_allclose(clf.coef_[0], ref.coef_[0], atol=1e-5)
    np.testing.assert_allclose(clf.predict_proba(X), ref.predict_proba(X), atol=1e-5)
    np.testing.assert_array_equal(clf.classes_, ref.classes_)


def test_group_lasso_classifier_selects_shared_features():
    X, Y, truth = make_multitask_classification(
        300, 15, 4, n_informative=3, random_state=0, return_truth=True
    )
    clf = MultiTaskGroupLassoClassifier(alpha=0.08).fit(X, Y)
    support = np.flatnonzero(np.abs(clf.coef_).sum(axis=0) > 0)
    np.testing.assert_array_equal(support, truth.support)


def test_pipeline_grid_search_both_layouts():
    X, Y = make_multitask_classification(90, 5, 3, missing_labels=0.2, random_state=0)
    pipe = make_pipeline(StandardScaler(), TraceNormMultiTaskClassifier())
    search = GridSearchCV(
        pipe,
        {"tracenormmultitaskclassifier__alpha": [0.01, 0.1]},
        cv=KFold(3, shuffle=True, random_state=0),
    )
    assert search.fit(X, Y).predict(X).shape == (90, 3)
    X, y = make_multitask_classification(
        n_features=5, n_tasks=3, samples_per_task=[30, 40, 35], random_state=0
    )
    scale = make_column_transformer(
        (StandardScaler(), slice(0, -1)), remainder="passthrough"
    )
    pipe = make_pipeline(scale, MeanRegularizedMultiTaskClassifier(task_column=-1))
    grid = {
        "meanregularizedmultitaskclassifier__alpha": [0.001, 0.01],
        "meanregularizedmultitaskclassifier__beta": [0.1, 1.0],
    }
    search = GridSearchCV(pipe, grid, cv=KFold(3, shuffle=True, random_state=0))
    assert search.fit(X, y).predict(X).shape == (105,)
    assert 0.5 < search.best_score_ <= 1.0


@pytest.mark.parametrize("name", list(CLASSIFIERS))
def test_sparse_X_gives_the_dense_solution(rng, name):
    X, y, sw, tc = _problem("long", rng)
    X[:, :-1][rng.random((X.shape[0], X.shape[1] - 1)) < 0.5] = 0.0
    kw = {"task_column": tc, "tol": 1e-10, "max_iter": 20_000}
    dense = CLASSIFIERS[name]().set_params(**kw).fit(X, y, sw)
    sparse = CLASSIFIERS[name]().set_params(**kw).fit(sp.csr_matrix(X), y, sw)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-7)
    np.testing.assert_allclose(sparse.intercept_, dense.intercept_, atol=1e-7)


def test_warm_start_and_non_convergence_warning():
    X, Y = make_multitask_classification(80, 5, 3, random_state=1)
    clf = TraceNormMultiTaskClassifier(warm_start=True, tol=1e-8).fit(X, Y)
    first = clf.n_iter_
    assert clf.fit(X, Y).n_iter_ <= 1 < first
    with pytest.warns(ConvergenceWarning, match=r"did not converge.*tol 1\.0e-12"):
        MultiTaskGroupLassoClassifier(max_iter=2, tol=1e-12).fit(X, Y)
