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
