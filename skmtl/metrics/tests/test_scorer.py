"""Task-aware scorers: names, the task-column rule, GridSearchCV on both shapes."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.multioutput import MultiOutputClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmtl import metrics as mtm
from skmtl.datasets import make_multitask_regression
from skmtl.linear import PerTaskRidge, PooledRidge
from skmtl.metrics import (
    MultiTaskScorer,
    get_scorer,
    get_scorer_names,
    make_multitask_scorer,
    per_task_scorer,
)
from skmtl.model_selection import MaskedStratifiedKFold, TaskStratifiedKFold
from skmtl.utils import check_multitask_data, check_multitask_X

REGRESSION_SCORERS = [
    ("r2_tasks", mtm.r2_score, 1),
    ("explained_variance_tasks", mtm.explained_variance_score, 1),
    ("neg_mse_tasks", mtm.mean_squared_error, -1),
    ("neg_rmse_tasks", mtm.root_mean_squared_error, -1),
    ("neg_mae_tasks", mtm.mean_absolute_error, -1),
    ("neg_nmse", mtm.normalized_mean_squared_error, -1),
    ("neg_amse", mtm.averaged_mean_squared_error, -1),
    ("neg_arrmse", mtm.relative_root_mean_squared_error, -1),
]
CLASSIFICATION_SCORERS = [
    "accuracy_tasks",
    "balanced_accuracy_tasks",
    "roc_auc_tasks",
    "neg_log_loss_tasks",
]


def test_scorer_names():
    names = get_scorer_names()
    assert names == sorted(names)
    assert set(names) == {n for n, _, _ in REGRESSION_SCORERS} | set(
        CLASSIFICATION_SCORERS
    )
    for name in names:
        assert isinstance(get_scorer(name), MultiTaskScorer)
    # scikit-learn's names fall through to scikit-learn
    assert not isinstance(get_scorer("neg_mean_absolute_error"), MultiTaskScorer)
    with pytest.raises(ValueError, match="neg_amse"):
        get_scorer("neg_amse_typo")


def _long_data(n_per_task=20, n_tasks=4, seed=0):
    return make_multitask_regression(
        n_features=4, n_tasks=n_tasks, samples_per_task=n_per_task, random_state=seed
    )


@pytest.mark.parametrize("name, metric, sign", REGRESSION_SCORERS)
def test_scorers_equal_their_metric_on_long_data(name, metric, sign):
    X, y = _long_data()
    model = PooledRidge(task_column=-1).fit(X, y)
    expected = sign * metric(y, model.predict(X), tasks=X[:, -1])
    assert np.isclose(get_scorer(name)(model, X, y), expected)


def test_task_column_read_after_a_column_transformer():
    """Raw X has the task id first; the ColumnTransformer moves it last."""
    X, y = _long_data()
    X_raw = np.column_stack([X[:, -1], X[:, :-1]])
    pre = make_column_transformer(
        (StandardScaler(), slice(1, None)), remainder="passthrough"
    )
    pipe = make_pipeline(pre, PerTaskRidge(task_column=-1)).fit(X_raw, y)
    expected = mtm.r2_score(y, pipe.predict(X_raw), tasks=X_raw[:, 0])
    scorer = get_scorer("r2_tasks")
    assert np.isclose(scorer(pipe, X_raw, y), expected)
    _, tasks = mtm.predict_with_tasks(pipe, X_raw)
    np.testing.assert_array_equal(tasks, X_raw[:, 0])


def test_task_column_by_name_with_dataframes():
    pd = pytest.importorskip("pandas")
    X, y = _long_data()
    df = pd.DataFrame(X[:, :-1], columns=[f"f{i}" for i in range(4)])
    df.insert(2, "school", X[:, -1].astype(int))
    pre = make_column_transformer(
        (StandardScaler(), ["f0", "f1", "f2", "f3"]),
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    pipe = make_pipeline(pre, PooledRidge(task_column="school")).fit(df, y)
    expected = -mtm.mean_squared_error(y, pipe.predict(df), tasks=df["school"])
    assert np.isclose(get_scorer("neg_mse_tasks")(pipe, df, y), expected)


def _manual_cv_score(estimator, params, X, y, cv, scorer):
    values = []
    for train, test in cv.split(X, y):
        est = clone(estimator).set_params(**params).fit(X[train], y[train])
        values.append(scorer(est, X[test], y[test]))
    return np.mean(values)


@pytest.mark.parametrize("name", [n for n, _, _ in REGRESSION_SCORERS])
@pytest.mark.parametrize("layout", ["wide", "long"])
@pytest.mark.parametrize("Estimator", [PerTaskRidge, PooledRidge])
def test_grid_search_with_each_scorer(name, layout, Estimator):
    if layout == "wide":
        X, y = make_multitask_regression(
            60, 4, 3, missing_labels=0.2, noise=2.0, random_state=1
        )
        est, cv = Estimator(), MaskedStratifiedKFold(3)
    else:
        X, y = _long_data(n_per_task=15, seed=1)
        est, cv = Estimator(task_column=-1), TaskStratifiedKFold(3, task_column=-1)
    scorer = get_scorer(name)
    grid = {"alpha": [0.01, 100.0]}
    search = GridSearchCV(est, grid, scoring=scorer, cv=cv).fit(X, y)
    for k, params in enumerate(search.cv_results_["params"]):
        assert np.isclose(
            search.cv_results_["mean_test_score"][k],
            _manual_cv_score(est, params, X, y, cv, scorer),
        )
    assert np.isfinite(search.best_score_)


def test_per_task_scorer_as_multimetric_scoring():
    X, y = _long_data(n_per_task=15)
    search = GridSearchCV(
        PerTaskRidge(task_column=-1),
        {"alpha": [0.01, 1.0, 100.0]},
        scoring=per_task_scorer("r2_tasks"),
        refit="r2_tasks",
        cv=TaskStratifiedKFold(3, task_column=-1),
    ).fit(X, y)
    res = search.cv_results_
    task_keys = [f"mean_test_r2_tasks_task_{t}" for t in range(4)]
    assert all(k in res for k in task_keys)
    per_task = np.column_stack([res[k] for k in task_keys])
    np.testing.assert_allclose(per_task.mean(axis=1), res["mean_test_r2_tasks"])
    assert search.best_index_ == np.argmax(res["mean_test_r2_tasks"])
    with pytest.raises(TypeError, match="skmtl scorer"):
        per_task_scorer(get_scorer("r2"))


def test_make_multitask_scorer_aggregates():
    X, Y = make_multitask_regression(40, 3, 3, missing_labels=0.3, random_state=0)
    model = PerTaskRidge().fit(X, Y)
    P = model.predict(X)
    weighted = make_multitask_scorer(
        mtm.mean_absolute_error, aggregate="sample_weighted", greater_is_better=False
    )
    assert np.isclose(
        weighted(model, X, Y),
        -mtm.mean_absolute_error(Y, P, multioutput="sample_weighted"),
    )
    fixed = make_multitask_scorer(mtm.r2_score, aggregate=[1.0, 0.0, 0.0])
    assert np.isclose(
        fixed(model, X, Y), mtm.r2_score(Y, P, multioutput="raw_values")[0]
    )
    with pytest.raises(ValueError, match="aggregate='bad'"):
        make_multitask_scorer(mtm.r2_score, aggregate="bad")


class _LongLogistic(ClassifierMixin, BaseEstimator):
    """Test helper: one logistic regression per task, long layout."""

    def __init__(self, C=1.0, task_column=-1):
        self.C = C
        self.task_column = task_column

    def fit(self, X, y):
        data = check_multitask_data(self, X, y, task_column=self.task_column)
        self.classes_ = np.unique(y)
        self.models_ = [
            LogisticRegression(C=self.C, solver="liblinear").fit(data.X[idx], y[idx])
            for idx in data.task_index
        ]
        return self

    def predict_proba(self, X):
        Xf, codes = check_multitask_X(self, X)
        out = np.empty((Xf.shape[0], 2))
        for t, m in enumerate(self.models_):
            rows = codes == t
            if rows.any():
                out[rows] = m.predict_proba(Xf[rows])
        return out

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def _classification_data(rng, n=90, T=3):
    X = rng.standard_normal((n, 3))
    W = rng.standard_normal((T, 3))
    Y = (X @ W.T + 0.5 * rng.standard_normal((n, T)) > 0).astype(float)
    return X, Y


@pytest.mark.parametrize("name", CLASSIFICATION_SCORERS)
@pytest.mark.parametrize("layout", ["wide", "long"])
def test_classification_scorers_in_grid_search(rng, name, layout):
    X, Y = _classification_data(rng)
    if layout == "wide":
        est = MultiOutputClassifier(LogisticRegression(solver="liblinear"))
        grid = {"estimator__C": [0.01, 1.0]}
        cv = MaskedStratifiedKFold(3)
        y = Y
    else:
        T = Y.shape[1]
        X = np.column_stack([np.repeat(X, T, axis=0), np.tile(np.arange(T), len(X))])
        y = Y.ravel()
        est, grid = _LongLogistic(), {"C": [0.01, 1.0]}
        cv = TaskStratifiedKFold(3, task_column=-1)
    scorer = get_scorer(name)
    search = GridSearchCV(est, grid, scoring=scorer, cv=cv).fit(X, y)
    for k, params in enumerate(search.cv_results_["params"]):
        assert np.isclose(
            search.cv_results_["mean_test_score"][k],
            _manual_cv_score(est, params, X, y, cv, scorer),
        )
    # the scorer agrees with the metric computed by hand on one fit
    model = search.best_estimator_
    proba = model.predict_proba(X)
    if layout == "wide":
        pos = np.column_stack([p[:, 1] for p in proba])
        tasks = None
    else:
        pos, tasks = proba[:, 1], X[:, -1]
    by_hand = {
        "accuracy_tasks": mtm.accuracy_score(y, model.predict(X), tasks=tasks),
        "balanced_accuracy_tasks": mtm.balanced_accuracy_score(
            y, model.predict(X), tasks=tasks
        ),
        "roc_auc_tasks": mtm.roc_auc_score(y, pos, tasks=tasks),
        "neg_log_loss_tasks": -mtm.log_loss(y, pos, tasks=tasks),
    }[name]
    assert np.isclose(scorer(model, X, y), by_hand)


def test_scorer_on_sparse_long_data():
    import scipy.sparse as sp

    X, y = _long_data()
    Xs = sp.csr_matrix(X)
    model = PerTaskRidge(task_column=-1).fit(Xs, y)
    expected = -mtm.averaged_mean_squared_error(y, model.predict(Xs), tasks=X[:, -1])
    assert np.isclose(get_scorer("neg_amse")(model, Xs, y), expected)
