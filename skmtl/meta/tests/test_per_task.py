import numpy as np
import pytest
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.neighbors import KNeighborsRegressor

from skmtl.datasets import make_multitask_classification, make_multitask_regression
from skmtl.linear import PooledRidge
from skmtl.meta import PerTaskClassifier, PerTaskRegressor
from skmtl.model_selection import compare_to_single_task
from skmtl.utils import wide_to_long


@pytest.fixture
def wide():
    return make_multitask_regression(80, 4, 3, missing_labels=0.25, random_state=0)


def test_each_task_is_the_base_model_on_its_labelled_rows(wide):
    X, Y = wide
    base = HistGradientBoostingRegressor(max_iter=30, random_state=0)
    model = PerTaskRegressor(base).fit(X, Y)
    for t in range(Y.shape[1]):
        rows = ~np.isnan(Y[:, t])
        ref = clone(base).fit(X[rows], Y[rows, t])
        np.testing.assert_array_equal(model.estimators_[t].predict(X), ref.predict(X))
        np.testing.assert_array_equal(model.predict(X)[:, t], ref.predict(X))


def test_long_layout_equals_wide_and_parallel_equals_serial(wide):
    X, Y = wide
    model = PerTaskRegressor(Ridge(alpha=0.5)).fit(X, Y)
    X_long, y_long = wide_to_long(X, Y)
    long = PerTaskRegressor(Ridge(alpha=0.5), task_column=-1, n_jobs=2)
    long.fit(X_long, y_long)
    tasks = X_long[:, -1].astype(int)
    rows = np.nonzero(~np.isnan(Y.T))[1]
    np.testing.assert_allclose(long.predict(X_long), model.predict(X)[rows, tasks])
    np.testing.assert_allclose(long.score(X_long, y_long), model.score(X, Y))


def test_sample_weight_reaches_the_base_model(wide):
    X, Y = wide
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(X))
    model = PerTaskRegressor(Ridge()).fit(X, Y, sample_weight=w)
    for t in range(Y.shape[1]):
        rows = ~np.isnan(Y[:, t])
        ref = Ridge().fit(X[rows], Y[rows, t], sample_weight=w[rows])
        np.testing.assert_allclose(model.estimators_[t].coef_, ref.coef_)
    with pytest.raises(ValueError, match="KNeighborsRegressor.fit takes no"):
        PerTaskRegressor(KNeighborsRegressor()).fit(X, Y, sample_weight=w)


def test_per_task_parameters_are_reachable_and_searchable(wide):
    X, Y = wide
    search = GridSearchCV(
        PerTaskRegressor(Ridge()), {"estimator__alpha": [0.01, 100.0]}, cv=3
    ).fit(X, Y)
    best = search.best_estimator_
    assert all(est.alpha == search.best_params_["estimator__alpha"]
               for est in best.estimators_)  # fmt: skip
    # one tuned search per task: each task gets its own alpha
    tuned = PerTaskRegressor(GridSearchCV(Ridge(), {"alpha": [1e-3, 1e3]})).fit(X, Y)
    assert len(tuned.estimators_) == 3
    assert all(hasattr(est, "best_params_") for est in tuned.estimators_)


def test_classifier_labels_of_any_type_per_task():
    X, Y = make_multitask_classification(90, 4, 2, random_state=0)
    labels = np.empty(Y.shape, dtype=object)
    labels[:, 0] = np.where(Y[:, 0] == 1, "yes", "no")
    labels[:, 1] = Y[:, 1].astype(int)
    labels[::7, 1] = None  # missing labels
    model = PerTaskClassifier(LogisticRegression()).fit(X, labels)
    assert model.classes_[0].tolist() == ["no", "yes"]
    assert model.classes_[1].tolist() == [0, 1]
    keep = labels[:, 1] != None  # noqa: E711
    ref = LogisticRegression().fit(X[keep], labels[keep, 1].astype(int))
    np.testing.assert_allclose(model.predict_proba(X)[1], ref.predict_proba(X))
    pred = model.predict(X)
    assert pred.shape == (90, 2) and set(pred[:, 0]) <= {"no", "yes"}
    # long data: one probability array, each row for its own task
    X_long = np.vstack([np.column_stack([X, np.full(90, t)]) for t in range(2)])
    y_long = np.concatenate([Y[:, 0], Y[:, 1]])
    long = PerTaskClassifier(task_column=-1).fit(X_long, y_long)
    proba = long.predict_proba(X_long)
    assert proba.shape == (180, 2)
    np.testing.assert_allclose(proba[90:], long.estimators_[1].predict_proba(X))


def test_a_task_with_one_class_is_an_error():
    X, Y = make_multitask_classification(60, 3, 2, random_state=0)
    Y[:, 1] = 1.0
    with pytest.raises(ValueError, match="Task 1 has only one class"):
        PerTaskClassifier().fit(X, Y)


def test_compare_to_single_task_takes_a_plain_scikit_learn_baseline():
    X, y = make_multitask_regression(
        n_features=5, n_tasks=6, samples_per_task=30, noise=2.0, random_state=0
    )
    cv = KFold(3, shuffle=True, random_state=0)
    plain = compare_to_single_task(
        PooledRidge(task_column=-1), X, y, cv=cv, baseline=Ridge(alpha=3.0)
    )
    wrapped = compare_to_single_task(
        PooledRidge(task_column=-1), X, y, cv=cv,
        baseline=PerTaskRegressor(Ridge(alpha=3.0), task_column=-1),
    )  # fmt: skip
    np.testing.assert_allclose(plain.baseline_scores, wrapped.baseline_scores)
    np.testing.assert_allclose(plain.scores, wrapped.scores)
