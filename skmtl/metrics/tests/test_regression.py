"""NaN-aware per-task metrics against scikit-learn."""

import numpy as np
import pytest
from sklearn import metrics as skm

from skmtl.metrics import mean_squared_error, r2_score


def test_matches_sklearn_without_missing(rng):
    Y = rng.standard_normal((40, 3))
    P = Y + 0.3 * rng.standard_normal((40, 3))
    w = rng.uniform(0.1, 2, 40)
    for ours, theirs in [
        (r2_score, skm.r2_score),
        (mean_squared_error, skm.mean_squared_error),
    ]:
        np.testing.assert_allclose(
            ours(Y, P, sample_weight=w, multioutput="raw_values"),
            theirs(Y, P, sample_weight=w, multioutput="raw_values"),
        )
        assert np.isclose(ours(Y, P), theirs(Y, P))


def test_missing_labels_are_ignored(rng):
    Y = rng.standard_normal((30, 2))
    P = Y + 0.5 * rng.standard_normal((30, 2))
    Y[:10, 1] = np.nan
    P[:10, 1] = 1e6  # predictions where there is no label do not count
    got = r2_score(Y, P, multioutput="raw_values")
    assert np.isclose(got[1], skm.r2_score(Y[10:, 1], P[10:, 1]))
    sw = mean_squared_error(Y, P, multioutput="sample_weighted")
    per = mean_squared_error(Y, P, multioutput="raw_values")
    assert np.isclose(sw, (30 * per[0] + 20 * per[1]) / 50)


def test_long_layout_with_tasks(rng):
    y = rng.standard_normal(20)
    p = y + 0.1 * rng.standard_normal(20)
    tasks = np.repeat(["a", "b"], 10)
    got = r2_score(y, p, tasks=tasks, multioutput="raw_values")
    np.testing.assert_allclose(
        got, [skm.r2_score(y[:10], p[:10]), skm.r2_score(y[10:], p[10:])]
    )
    weights = [3.0, 1.0]
    assert np.isclose(
        r2_score(y, p, tasks=tasks, multioutput=weights),
        np.average(got, weights=weights),
    )


def test_bad_metric_input():
    with pytest.raises(ValueError, match="different shapes"):
        r2_score(np.ones((3, 2)), np.ones((3, 1)))
    with pytest.raises(ValueError, match="multioutput='bad'"):
        r2_score(np.ones((3, 2)), np.ones((3, 2)), multioutput="bad")
    with pytest.raises(ValueError, match="y_pred for task 0 contains NaN"):
        r2_score(np.ones((3, 1)), np.full((3, 1), np.nan))


# --- the full set of regression metrics --------------------------------------

from skmtl import metrics as mtm  # noqa: E402
from skmtl.utils import wide_to_long  # noqa: E402

SKLEARN_PAIRS = [
    (mtm.mean_squared_error, skm.mean_squared_error),
    (mtm.root_mean_squared_error, skm.root_mean_squared_error),
    (mtm.mean_absolute_error, skm.mean_absolute_error),
    (mtm.r2_score, skm.r2_score),
    (mtm.explained_variance_score, skm.explained_variance_score),
]
ALL_REGRESSION = [
    mtm.mean_squared_error,
    mtm.root_mean_squared_error,
    mtm.mean_absolute_error,
    mtm.r2_score,
    mtm.explained_variance_score,
    mtm.normalized_mean_squared_error,
    mtm.averaged_mean_squared_error,
    mtm.relative_root_mean_squared_error,
]


@pytest.mark.parametrize("ours, theirs", SKLEARN_PAIRS)
@pytest.mark.parametrize("weighted", [False, True])
def test_regression_metrics_match_sklearn(rng, ours, theirs, weighted):
    Y = rng.standard_normal((30, 3)) + 1.0
    P = Y + 0.4 * rng.standard_normal((30, 3)) + 0.2
    w = rng.uniform(0.2, 2.0, 30) if weighted else None
    for multioutput in ("raw_values", "uniform_average"):
        np.testing.assert_allclose(
            ours(Y, P, sample_weight=w, multioutput=multioutput),
            theirs(Y, P, sample_weight=w, multioutput=multioutput),
        )
    # one task with NaN: the NaN rows are dropped
    Y[:7, 2] = np.nan
    got = ours(Y, P, sample_weight=w, multioutput="raw_values")[2]
    ww = None if w is None else w[7:]
    assert np.isclose(got, theirs(Y[7:, 2], P[7:, 2], sample_weight=ww))


def test_nmse_amse_by_hand():
    y = np.array([1.0, 2.0, 3.0, 6.0])
    p = np.array([1.0, 3.0, 3.0, 4.0])
    # MSE = (0 + 1 + 0 + 4) / 4 = 1.25; Var = mean((y - 3)^2) = (4+1+0+9)/4 = 3.5
    assert np.isclose(mtm.normalized_mean_squared_error(y, p), 1.25 / 3.5)
    # aMSE = SSE / ||y||^2 = 5 / (1 + 4 + 9 + 36)
    assert np.isclose(mtm.averaged_mean_squared_error(y, p), 5 / 50)
    # weighted: w = [1, 2, 1, 0] -> rows 0..2
    w = np.array([1.0, 2.0, 1.0, 0.0])
    ybar = (1 + 4 + 3) / 4
    var = (1 * (1 - ybar) ** 2 + 2 * (2 - ybar) ** 2 + (3 - ybar) ** 2) / 4
    mse = 2 * 1 / 4
    assert np.isclose(
        mtm.normalized_mean_squared_error(y, p, sample_weight=w), mse / var
    )
    assert np.isclose(
        mtm.averaged_mean_squared_error(y, p, sample_weight=w), 2 / (1 + 8 + 9)
    )


def test_nmse_is_one_minus_r2_and_sample_weighted_default(rng):
    Y = rng.standard_normal((25, 3))
    P = Y + rng.standard_normal((25, 3))
    Y[:10, 0] = np.nan
    raw = mtm.normalized_mean_squared_error(Y, P, multioutput="raw_values")
    np.testing.assert_allclose(raw, 1 - mtm.r2_score(Y, P, multioutput="raw_values"))
    # default aggregation: weighted by the numbers of labels (15, 25, 25)
    assert np.isclose(
        mtm.normalized_mean_squared_error(Y, P), np.average(raw, weights=[15, 25, 25])
    )


def test_rrmse_relative_to_training_mean():
    y = np.array([2.0, 4.0, 10.0, 12.0])
    p = np.array([3.0, 4.0, 10.0, 10.0])
    tasks = np.array(["a", "a", "b", "b"])
    train = {"a": 0.0, "b": 11.0}
    # a: sqrt(1 / (4 + 16)); b: sqrt(4 / (1 + 1))
    expected = [np.sqrt(1 / 20), np.sqrt(2.0)]
    got = mtm.relative_root_mean_squared_error(
        y, p, tasks=tasks, y_train_mean=train, multioutput="raw_values"
    )
    np.testing.assert_allclose(got, expected)
    np.testing.assert_allclose(
        mtm.relative_root_mean_squared_error(
            y, p, tasks=tasks, y_train_mean=[0.0, 11.0], multioutput="raw_values"
        ),
        expected,
    )
    assert np.isclose(
        mtm.average_relative_root_mean_squared_error(
            y, p, tasks=tasks, y_train_mean=train
        ),
        np.mean(expected),
    )
    # fallback: the test mean, i.e. sqrt(1 - R^2)
    np.testing.assert_allclose(
        mtm.relative_root_mean_squared_error(
            y, p, tasks=tasks, multioutput="raw_values"
        ),
        np.sqrt(1 - mtm.r2_score(y, p, tasks=tasks, multioutput="raw_values")),
    )
    with pytest.raises(ValueError, match="no entry for task 'b'"):
        mtm.relative_root_mean_squared_error(y, p, tasks=tasks, y_train_mean={"a": 1})
    with pytest.raises(ValueError, match="one training mean per task"):
        mtm.relative_root_mean_squared_error(y, p, tasks=tasks, y_train_mean=[1.0])


def test_task_means(rng):
    Y = rng.standard_normal((10, 2))
    Y[:4, 1] = np.nan
    means = mtm.task_means(Y)
    assert set(means) == {0, 1}
    assert np.isclose(means[1], Y[4:, 1].mean())


@pytest.mark.parametrize("metric", ALL_REGRESSION)
def test_wide_and_long_give_the_same_scores(rng, metric):
    X = rng.standard_normal((20, 2))
    Y = rng.standard_normal((20, 3)) + 2.0
    P = Y + 0.5 * rng.standard_normal((20, 3))
    Y[rng.random((20, 3)) < 0.2] = np.nan
    X_long, y_long = wide_to_long(X, Y)
    rows, cols = np.nonzero(~np.isnan(Y))
    order = np.lexsort((rows, cols))  # wide_to_long is task-major
    p_long = P[rows[order], cols[order]]
    np.testing.assert_allclose(
        metric(Y, P, multioutput="raw_values"),
        metric(y_long, p_long, tasks=X_long[:, -1], multioutput="raw_values"),
    )


def test_task_without_labels_is_nan_and_skipped():
    Y = np.array([[1.0, np.nan], [2.0, np.nan], [4.0, np.nan]])
    P = np.array([[1.0, 0.0], [3.0, 0.0], [4.0, 0.0]])
    raw = mtm.mean_squared_error(Y, P, multioutput="raw_values")
    assert np.isclose(raw[0], 1 / 3) and np.isnan(raw[1])
    assert np.isclose(mtm.mean_squared_error(Y, P), 1 / 3)
    assert np.isclose(mtm.mean_squared_error(Y, P, multioutput=[1.0, 5.0]), 1 / 3)
