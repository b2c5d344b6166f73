"""cross_validate_tasks and compare_to_single_task against manual computations."""

import numpy as np
import pytest
from scipy import stats
from sklearn.compose import make_column_transformer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmtl import metrics as mtm
from skmtl.datasets import make_multitask_regression
from skmtl.linear import PerTaskRidge, PooledRidge
from skmtl.model_selection import (
    MaskedStratifiedKFold,
    TaskShuffleSplit,
    TaskStratifiedKFold,
    compare_to_single_task,
    cross_validate_tasks,
)


def _long(seed=0):
    return make_multitask_regression(
        n_features=4,
        n_tasks=5,
        samples_per_task=[10, 14, 20, 25, 30],
        structure="shared_support",
        noise=1.5,
        random_state=seed,
    )


def test_cross_validate_tasks_long_matches_manual():
    X, y = _long()
    est = PooledRidge(alpha=0.5, task_column=-1)
    cv = TaskStratifiedKFold(3, task_column=-1)
    res = cross_validate_tasks(
        est, X, y, cv=cv, scoring=["r2_tasks", "neg_mse_tasks", "neg_arrmse"]
    )
    np.testing.assert_array_equal(res.tasks, np.arange(5))
    for f, (train, test) in enumerate(cv.split(X)):
        model = PooledRidge(alpha=0.5, task_column=-1).fit(X[train], y[train])
        p = model.predict(X[test])
        t = X[test, -1]
        np.testing.assert_allclose(
            res.scores["r2_tasks"][f],
            mtm.r2_score(y[test], p, tasks=t, multioutput="raw_values"),
        )
        np.testing.assert_allclose(
            res.scores["neg_mse_tasks"][f],
            -mtm.mean_squared_error(y[test], p, tasks=t, multioutput="raw_values"),
        )
        # aRRMSE relative to the fold's training means
        means = {k: y[train][X[train, -1] == k].mean() for k in range(5)}
        np.testing.assert_allclose(
            res.scores["neg_arrmse"][f],
            -mtm.relative_root_mean_squared_error(
                y[test], p, tasks=t, y_train_mean=means, multioutput="raw_values"
            ),
        )
    frame = res.frame
    assert len(frame) == 3 * 5 * 3
    row = frame[(frame.fold == 1) & (frame.task == 2) & (frame.metric == "r2_tasks")]
    assert np.isclose(row.value.item(), res.scores["r2_tasks"][1, 2])


def test_cross_validate_tasks_wide_default_cv():
    X, Y = make_multitask_regression(60, 4, 3, missing_labels=0.3, random_state=0)
    res = cross_validate_tasks(PerTaskRidge(), X, Y, cv=4, scoring="neg_nmse")
    assert res.scores["neg_nmse"].shape == (4, 3)
    # the default int cv is MaskedStratifiedKFold
    for (_, te), (_, te2) in zip(
        res.splits, MaskedStratifiedKFold(4).split(X, Y), strict=True
    ):
        np.testing.assert_array_equal(te, te2)
    assert np.all(res.scores["neg_nmse"] < 0)
    with pytest.raises(TypeError, match="not task-aware"):
        cross_validate_tasks(PerTaskRidge(), X, Y, scoring={"r2": lambda e, X, y: 0})


def test_cross_validate_tasks_pipeline_moving_the_task_column():
    X, y = _long()
    X_raw = np.column_stack([X[:, -1], X[:, :-1]])  # task id first
    pre = make_column_transformer(
        (StandardScaler(), slice(1, None)), remainder="passthrough"
    )
    pipe = make_pipeline(pre, PerTaskRidge(task_column=-1))
    cv = TaskStratifiedKFold(3, task_column=0)
    res = cross_validate_tasks(pipe, X_raw, y, cv=cv, scoring="neg_arrmse")
    # the splitter reads the raw X at task_column=0 when told so
    res2 = cross_validate_tasks(
        pipe, X_raw, y, cv=3, task_column=0, scoring="neg_arrmse"
    )
    np.testing.assert_allclose(res.scores["neg_arrmse"], res2.scores["neg_arrmse"])
    assert np.all(np.isfinite(res.scores["neg_arrmse"]))
    # an int cv reads the raw X at the final step's task_column: a clear error
    with pytest.raises(ValueError, match="pass task_column="):
        cross_validate_tasks(pipe, X_raw, y, cv=3)


@pytest.mark.parametrize(
    "test, scipy_test", [("wilcoxon", stats.wilcoxon), ("ttest", stats.ttest_rel)]
)
def test_compare_to_single_task(test, scipy_test):
    X, y = _long()
    model = PooledRidge(alpha=0.1, task_column=-1)
    cv = TaskShuffleSplit(3, test_size=0.3, task_column=-1, random_state=0)
    res = compare_to_single_task(model, X, y, cv=cv, test=test)
    splits = list(cv.split(X))
    ours = cross_validate_tasks(model, X, y, cv=splits, scoring="neg_mse_tasks")
    base = cross_validate_tasks(
        PerTaskRidge(task_column=-1), X, y, cv=splits, scoring="neg_mse_tasks"
    )
    S_m, S_b = ours.scores["neg_mse_tasks"], base.scores["neg_mse_tasks"]
    np.testing.assert_allclose(res.scores, S_m)
    np.testing.assert_allclose(res.baseline_scores, S_b)
    np.testing.assert_allclose(res.differences, S_m - S_b)
    np.testing.assert_allclose(res.per_task_difference, (S_m - S_b).mean(axis=0))
    expected = scipy_test(S_m.ravel(), S_b.ravel())
    assert np.isclose(res.statistic, expected.statistic)
    assert np.isclose(res.pvalue, expected.pvalue)
    assert res.n_pairs == 15
    # Delta_m by hand on the per-task MSE averaged over folds
    mse_m, mse_b = -S_m.mean(axis=0), -S_b.mean(axis=0)
    assert np.isclose(res.delta_m, 100 * np.mean((mse_b - mse_m) / mse_b))
    assert res.n_better + res.n_worse == 5
    text = repr(res)
    assert "Delta_m" in text and test in text and "p-value" in text
    assert len(res.to_frame()) == 15


def test_compare_default_baseline_replaces_the_last_pipeline_step():
    X, y = _long()
    pre = make_column_transformer(
        (StandardScaler(), slice(0, -1)), remainder="passthrough"
    )
    pipe = make_pipeline(pre, PooledRidge(task_column=-1))
    res = compare_to_single_task(pipe, X, y, cv=3, scoring="r2_tasks")
    base_pipe = make_pipeline(pre, PerTaskRidge(task_column=-1))
    base = cross_validate_tasks(base_pipe, X, y, cv=3, scoring="r2_tasks")
    np.testing.assert_allclose(res.baseline_scores, base.scores["r2_tasks"])
    with pytest.raises(ValueError, match="test='bad'"):
        compare_to_single_task(pipe, X, y, test="bad")


def test_compare_on_wide_data():
    X, Y = make_multitask_regression(
        80, 5, 4, missing_labels=0.2, noise=2.0, random_state=0
    )
    res = compare_to_single_task(PooledRidge(), X, Y, cv=3, scoring="neg_amse")
    assert res.scores.shape == (3, 4) and np.isfinite(res.delta_m)


def test_cross_validate_tasks_with_a_search_and_sklearn_multimetric():
    from sklearn.model_selection import GridSearchCV, cross_validate

    from skmtl.metrics import get_scorer

    X, y = _long()
    search = GridSearchCV(
        PooledRidge(task_column=-1),
        {"alpha": [0.1, 10.0]},
        cv=TaskStratifiedKFold(2, task_column=-1),
        scoring=get_scorer("neg_mse_tasks"),
    )
    # an int cv finds the task column through the search's estimator
    res = cross_validate_tasks(search, X, y, cv=3, scoring="r2_tasks")
    for (_, te), (_, te2) in zip(
        res.splits, TaskStratifiedKFold(3, task_column=-1).split(X), strict=True
    ):
        np.testing.assert_array_equal(te, te2)
    # skmtl scorers in scikit-learn's own multi-metric cross_validate
    scoring = {"r2": get_scorer("r2_tasks"), "amse": get_scorer("neg_amse")}
    out = cross_validate(search, X, y, cv=res.splits, scoring=scoring)
    np.testing.assert_allclose(
        out["test_r2"], np.nanmean(res.scores["r2_tasks"], axis=1)
    )


def _one_class_folds(y, tasks, mixed_first=False):
    """Two folds whose test rows hold one class of every task (no ROC AUC)."""

    def half(label, first=True):
        parts = []
        for t in np.unique(tasks):
            rows = np.flatnonzero((y == label) & (tasks == t))
            parts.append(rows[: len(rows) // 2] if first else rows[len(rows) // 2 :])
        return np.concatenate(parts)

    tests = [half(0), half(1)]
    if mixed_first:
        tests[0] = np.concatenate([half(0), half(1, first=False)])
    everything = np.arange(len(y))
    return [(np.setdiff1d(everything, te), te) for te in tests]


def _binary_long():
    from skmtl.utils import wide_to_long

    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(float)
    return wide_to_long(X, Y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
def test_all_nan_scores_are_an_error_everywhere():
    from skmtl.linear import MultiTaskGroupLassoClassifier

    X, y = _binary_long()
    clf = MultiTaskGroupLassoClassifier(alpha=0.01, task_column=-1)
    cv = _one_class_folds(y, X[:, -1])
    with pytest.raises(ValueError, match="Every score of 'roc_auc_tasks' for Multi"):
        cross_validate_tasks(clf, X, y, cv=cv, scoring="roc_auc_tasks")
    with pytest.raises(ValueError, match="Every score of 'roc_auc_tasks'.*NaN"):
        compare_to_single_task(clf, X, y, cv=cv, scoring="roc_auc_tasks")


def test_folds_with_only_nan_scores_warn():
    from sklearn.exceptions import UndefinedMetricWarning

    from skmtl.linear import MultiTaskGroupLassoClassifier

    X, y = _binary_long()
    clf = MultiTaskGroupLassoClassifier(alpha=0.01, task_column=-1)
    cv = _one_class_folds(y, X[:, -1], mixed_first=True)
    with pytest.warns(UndefinedMetricWarning, match=r"every task in fold\(s\) \[1\]"):
        res = cross_validate_tasks(clf, X, y, cv=cv, scoring="roc_auc_tasks")
    S = res.scores["roc_auc_tasks"]
    assert np.isfinite(S[0]).all() and np.isnan(S[1]).all()
