"""Inference batches: ``predict_batch_size``, its 'auto' rule and streaming."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402

from skmtl.neural import (  # noqa: E402
    MemmapDataset,
    MultiTaskMLPClassifier,
    MultiTaskMLPRegressor,
    MultiTaskNet,
)
from skmtl.neural._net import TensorBatchIterator  # noqa: E402

FAST = dict(trunk_layer_sizes=(8,), max_epochs=2, random_state=0)


class _Recorder(TensorBatchIterator):
    """TensorBatchIterator that records the rows of every batch it yields."""

    sizes = []

    def __iter__(self):
        for X, y in super().__iter__():
            _Recorder.sizes.append(len(X))
            yield X, y


def _recorded(model, call):
    _Recorder.sizes = []
    saved = model.net_.iterator_valid
    model.net_.iterator_valid = _Recorder
    try:
        out = call()
    finally:
        model.net_.iterator_valid = saved
    return out, list(_Recorder.sizes)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 6)).astype(np.float32)
    Y = np.column_stack([X[:, 0] - X[:, 1], X[:, 2] ** 2, X[:, 3]])
    return X, Y


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_predict_batch_size_sets_the_batches_not_the_result(data):
    X, Y = data
    auto = MultiTaskMLPRegressor(batch_size=16, **FAST).fit(X, Y)
    small = MultiTaskMLPRegressor(batch_size=16, predict_batch_size=70, **FAST)
    small.fit(X, Y)
    p_auto, sizes_auto = _recorded(auto, lambda: auto.predict(X))
    p_small, sizes_small = _recorded(small, lambda: small.predict(X))
    assert sizes_auto == [500]  # 'auto': one batch, not the training size 16
    assert sizes_small == [70] * 7 + [10]
    np.testing.assert_allclose(p_small, p_auto, rtol=1e-6, atol=1e-6)
    assert auto.net_.inference_batch_size(10**6) == 65536
    assert small.net_.inference_batch_size(10**6) == 70


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_classifier_and_net_take_predict_batch_size(data):
    X, Y = data
    Yc = (Y > np.median(Y, axis=0)).astype(int)
    clf = MultiTaskMLPClassifier(predict_batch_size=100, **FAST).fit(X, Yc)
    proba, sizes = _recorded(clf, lambda: clf.predict_proba(X))
    assert sizes == [100] * 5
    net = MultiTaskNet(predict_batch_size=256, **FAST).fit(X, Y)
    _, sizes = _recorded(net, lambda: net.score(X, Y))
    assert sizes == [256, 244]


@pytest.mark.parametrize("bad", [0, -3, "large", 1.5])
def test_bad_predict_batch_size(data, bad):
    X, Y = data
    with pytest.raises(InvalidParameterError, match="predict_batch_size"):
        MultiTaskMLPRegressor(predict_batch_size=bad, **FAST).fit(X, Y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "kw, widest",
    [
        (dict(trunk_layer_sizes=(4,)), 5000),  # the input is the widest layer
        (dict(trunk_layer_sizes=(16,), architecture="mmoe", n_experts=8), 8 * 5000),
        (dict(trunk_layer_sizes=(300,), head_layer_sizes=(400,)), 3 * 400),
    ],
)
def test_auto_rule_bounds_the_activations(kw, widest):
    """'auto' keeps (rows x widest layer) within 2**24 floats; fused stacks
    count all their members."""
    rng = np.random.default_rng(0)
    d = 5000 if widest >= 5000 else 40
    X = rng.normal(size=(40, d)).astype(np.float32)
    Y = rng.normal(size=(40, 3))
    m = MultiTaskMLPRegressor(max_epochs=1, batch_size=8, random_state=0, **kw)
    m.fit(X, Y)
    rows = m.net_.inference_batch_size(10**7)
    assert rows == min(65536, 2**24 // widest)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_streaming_predict_batches_stay_within_chunks(data, tmp_path):
    X, Y = data
    m = MultiTaskMLPRegressor(predict_batch_size=30, **FAST).fit(X, Y)
    path = tmp_path / "X.npy"
    np.save(path, X)
    data = MemmapDataset(np.load(path, mmap_mode="r"), chunk_size=100)
    expected = m.predict(X)
    pred, sizes = _recorded(m, lambda: m.predict(data))
    assert max(sizes) <= 30 and sum(sizes) == 500
    assert len(sizes) == 5 * 4  # 5 chunks of 100 rows, 4 batches each
    np.testing.assert_allclose(pred, expected, rtol=1e-6, atol=1e-6)
    auto = MultiTaskMLPRegressor(**FAST).fit(X, Y)
    _, sizes = _recorded(auto, lambda: auto.predict(data))
    assert sizes == [100] * 5  # 'auto' is capped by the chunk: memory bound
