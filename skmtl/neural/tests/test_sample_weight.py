"""sample_weight of the neural estimators: weighted masked loss, fit, score."""

import numpy as np
import pytest
import torch

from skmtl.datasets import make_multitask_regression
from skmtl.metrics import r2_score
from skmtl.neural import MultiTaskMLPClassifier, MultiTaskMLPRegressor
from skmtl.neural._losses import MultiTaskLoss
from skmtl.utils import wide_to_long

FAST = dict(trunk_layer_sizes=(8,), max_epochs=5, lr=0.01, random_state=0)


def _targets(layout, rng, n):
    """Encoded targets of a regression, a binary and a 3-class task."""
    types, dims = ["regression", "binary", "multiclass"], [1, 1, 3]
    Y = np.column_stack(
        [rng.normal(size=n), rng.integers(0, 2, n), rng.integers(0, 3, n)]
    ).astype(np.float32)
    Y[rng.random((n, 3)) < 0.2] = np.nan
    if layout == "long":
        codes = rng.integers(0, 3, n)
        Y = np.column_stack([codes, Y[np.arange(n), codes]]).astype(np.float32)
    return types, dims, Y


@pytest.mark.parametrize("layout", ["wide", "long"])
@pytest.mark.parametrize("seed", range(3))
def test_loss_integer_weights_are_repeated_rows(layout, seed):
    rng = np.random.default_rng(seed)
    n = 40
    types, dims, Y = _targets(layout, rng, n)
    loss = MultiTaskLoss(types, dims, layout)
    pred = torch.as_tensor(rng.normal(size=(n, 5)), dtype=torch.float32)
    w = rng.integers(0, 4, n)  # zeros included: a dropped row
    weighted = torch.as_tensor(np.column_stack([Y, w]), dtype=torch.float32)
    rep = np.repeat(np.arange(n), w)
    got, counts = loss(pred, weighted)
    want, want_counts = loss(pred[rep], torch.as_tensor(Y[rep]))
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(counts, want_counts)
    keep = w > 0  # zero weight == dropped row
    dropped, _ = loss(pred[keep], weighted[torch.as_tensor(keep)])
    torch.testing.assert_close(got, dropped)


def test_fit_with_integer_weights_is_fit_on_repeated_rows():
    """One batch holding every row: the same gradient steps up to rounding."""
    X, Y = make_multitask_regression(40, 4, 2, random_state=0)
    w = np.random.default_rng(0).integers(1, 4, len(X))
    rep = np.repeat(np.arange(len(X)), w)
    kw = dict(FAST, batch_size=200)
    a = MultiTaskMLPRegressor(**kw).fit(X, Y, sample_weight=w)
    b = MultiTaskMLPRegressor(**kw).fit(X[rep], Y[rep])
    np.testing.assert_allclose(a.y_mean_, b.y_mean_)
    np.testing.assert_allclose(a.y_scale_, b.y_scale_)
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("layout", ["wide", "long"])
def test_zero_weight_is_a_dropped_row(layout):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(90, 3))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(float)
    clf = MultiTaskMLPClassifier(**FAST)
    if layout == "long":
        X, Y = wide_to_long(X, Y)
        clf.set_params(task_column=-1)
    w = rng.integers(0, 3, len(X)).astype(float)
    a = clf.fit(X, Y, sample_weight=w).predict_proba(X)
    keep = w > 0
    b = MultiTaskMLPClassifier(**clf.get_params()).fit(
        X[keep], Y[keep], sample_weight=w[keep]
    )
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b.predict_proba(X)))


def test_uniform_weights_are_no_weights():
    X, Y = make_multitask_regression(60, 4, 3, random_state=0)
    a = MultiTaskMLPRegressor(**FAST).fit(X, Y, sample_weight=np.full(60, 2.5))
    b = MultiTaskMLPRegressor(**FAST).fit(X, Y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_weights_change_the_fit_and_partial_fit_takes_them():
    X, Y = make_multitask_regression(60, 4, 2, random_state=0)
    w = np.where(np.arange(60) < 30, 10.0, 0.1)
    a = MultiTaskMLPRegressor(**FAST).fit(X, Y, sample_weight=w)
    b = MultiTaskMLPRegressor(**FAST).fit(X, Y)
    assert not np.allclose(a.predict(X), b.predict(X))
    m = MultiTaskMLPRegressor(**FAST).partial_fit(X, Y, sample_weight=w)
    m.partial_fit(X, Y)  # the net takes weighted and unweighted batches
    assert m.n_iter_ == 2


def test_bad_weights():
    X, Y = make_multitask_regression(30, 3, 2, random_state=0)
    with pytest.raises(ValueError, match="at least one non-zero"):
        MultiTaskMLPRegressor(**FAST).fit(X, Y, sample_weight=np.zeros(30))
    with pytest.raises(ValueError, match="[Nn]egative"):
        MultiTaskMLPRegressor(**FAST).fit(X, Y, sample_weight=-np.ones(30))
    with pytest.raises(ValueError, match="sample_weight.shape"):
        MultiTaskMLPRegressor(**FAST).fit(X, Y, sample_weight=np.ones(29))


def test_streaming_takes_no_weights(tmp_path):
    X, Y = make_multitask_regression(30, 3, 2, random_state=0)
    np.save(tmp_path / "X.npy", X)
    Xm = np.load(tmp_path / "X.npy", mmap_mode="r")
    with pytest.raises(ValueError, match="takes no sample_weight"):
        MultiTaskMLPRegressor(**FAST).fit(Xm, Y, sample_weight=np.ones(30))


@pytest.mark.parametrize("layout", ["wide", "long"])
def test_regressor_score_is_weighted_r2(layout):
    X, Y = make_multitask_regression(60, 4, 2, missing_labels=0.1, random_state=0)
    model = MultiTaskMLPRegressor(**FAST)
    if layout == "long":
        X, Y = wide_to_long(X, Y)
        model.set_params(task_column=-1)
    model.fit(X, Y)
    w = np.random.default_rng(0).integers(0, 4, len(X)).astype(float)
    pred = model.predict(X)
    tasks = None if layout == "wide" else X[:, -1]
    expected = r2_score(Y, pred, tasks=tasks, sample_weight=w)
    assert model.score(X, Y, sample_weight=w) == pytest.approx(expected)
    assert expected != pytest.approx(r2_score(Y, pred, tasks=tasks))
