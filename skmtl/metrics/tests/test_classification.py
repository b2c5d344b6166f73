"""Per-task classification metrics against scikit-learn."""

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.exceptions import UndefinedMetricWarning

from skmtl import metrics as mtm


@pytest.fixture
def wide_binary(rng):
    n, T = 40, 3
    Y = (rng.random((n, T)) < 0.5).astype(float)
    proba = np.clip(0.5 * Y + 0.5 * rng.random((n, T)), 0.01, 0.99)
    Y[rng.random((n, T)) < 0.2] = np.nan
    w = rng.uniform(0.5, 2.0, n)
    return Y, proba, w


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (mtm.accuracy_score, skm.accuracy_score),
        (mtm.balanced_accuracy_score, skm.balanced_accuracy_score),
    ],
)
def test_label_metrics_match_sklearn_per_task(wide_binary, ours, theirs):
    Y, proba, w = wide_binary
    P = (proba > 0.5).astype(float)
    got = ours(Y, P, sample_weight=w, multioutput="raw_values")
    for t in range(Y.shape[1]):
        keep = ~np.isnan(Y[:, t])
        assert np.isclose(got[t], theirs(Y[keep, t], P[keep, t], sample_weight=w[keep]))
    assert np.isclose(ours(Y, P, sample_weight=w), got.mean())


def test_accuracy_long_with_string_labels():
    y = np.array(["x", "y", "x", "x", "y", None], dtype=object)
    p = np.array(["x", "x", "x", "y", "y", "x"], dtype=object)
    tasks = np.array([1, 1, 1, 2, 2, 2])
    got = mtm.accuracy_score(y, p, tasks=tasks, multioutput="raw_values")
    np.testing.assert_allclose(got, [2 / 3, 1 / 2])  # the None row is missing
    # pooled accuracy over the 5 labels (MALSAR's eval_MTL_accuracy)
    assert np.isclose(
        mtm.accuracy_score(y, p, tasks=tasks, multioutput="sample_weighted"), 3 / 5
    )


@pytest.mark.parametrize("form", ["2d", "list_1d", "list_proba"])
def test_roc_auc_and_log_loss_forms(wide_binary, form):
    Y, proba, w = wide_binary
    T = Y.shape[1]
    if form == "2d":
        score = proba
    elif form == "list_1d":
        score = [proba[:, t] for t in range(T)]
    else:
        score = [np.column_stack([1 - proba[:, t], proba[:, t]]) for t in range(T)]
    auc = mtm.roc_auc_score(Y, score, sample_weight=w, multioutput="raw_values")
    ll = mtm.log_loss(Y, score, sample_weight=w, multioutput="raw_values")
    for t in range(T):
        keep = ~np.isnan(Y[:, t])
        assert np.isclose(
            auc[t], skm.roc_auc_score(Y[keep, t], proba[keep, t], sample_weight=w[keep])
        )
        assert np.isclose(
            ll[t], skm.log_loss(Y[keep, t], proba[keep, t], sample_weight=w[keep])
        )


def test_multiclass_task_in_a_list(rng):
    n = 30
    y0 = rng.integers(0, 3, n).astype(float)
    y1 = rng.integers(0, 2, n).astype(float)
    P0 = rng.dirichlet(np.ones(3), n)
    p1 = rng.random(n)
    Y = np.column_stack([y0, y1])
    auc = mtm.roc_auc_score(Y, [P0, p1], multioutput="raw_values")
    assert np.isclose(auc[0], skm.roc_auc_score(y0, P0, multi_class="ovr"))
    assert np.isclose(auc[1], skm.roc_auc_score(y1, p1))
    ll = mtm.log_loss(Y, [P0, p1], multioutput="raw_values")
    assert np.isclose(ll[0], skm.log_loss(y0, P0))


def test_long_probabilities_with_labels():
    y = np.array([0, 1, 1, 1, 0, 1])
    p = np.array([0.2, 0.7, 0.6, 0.9, 0.4, 0.3])
    tasks = np.array(["a", "a", "a", "b", "b", "b"])
    ll = mtm.log_loss(y, p, tasks=tasks, multioutput="raw_values")
    assert np.isclose(ll[0], skm.log_loss(y[:3], p[:3]))
    # a task whose test rows hold one class needs labels= for 1-D probabilities
    with pytest.raises(ValueError, match="Pass labels="):
        mtm.log_loss(y[1:4], p[1:4], tasks=tasks[1:4])
    got = mtm.log_loss(y[1:4], p[1:4], tasks=tasks[1:4], labels=[0, 1])
    assert np.isclose(got, np.mean([-np.log(0.7 * 0.6) / 2, -np.log(0.9)]))
    # 2-D (n, 2) probabilities per row, long layout
    P = np.column_stack([1 - p, p])
    np.testing.assert_allclose(
        mtm.roc_auc_score(y, P, tasks=tasks, multioutput="raw_values"),
        [skm.roc_auc_score(y[:3], p[:3]), skm.roc_auc_score(y[3:], p[3:])],
    )


def test_single_class_task_auc_is_nan():
    Y = np.array([[0, 1], [1, 1], [0, 1]], dtype=float)
    S = np.array([[0.1, 0.5], [0.9, 0.6], [0.2, 0.7]])
    with pytest.warns(UndefinedMetricWarning, match="task 1"):
        raw = mtm.roc_auc_score(Y, S, multioutput="raw_values")
    assert raw[0] == 1.0 and np.isnan(raw[1])
    with pytest.warns(UndefinedMetricWarning):
        assert mtm.roc_auc_score(Y, S) == 1.0


def test_bad_score_shapes():
    Y = np.zeros((4, 2))
    with pytest.raises(ValueError, match="one array per task"):
        mtm.roc_auc_score(Y, [np.zeros(4)])
    with pytest.raises(ValueError, match="y_score has shape"):
        mtm.roc_auc_score(Y, np.zeros((4, 3)))
