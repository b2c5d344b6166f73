"""Training on a device: the batches, the data's place, CPU against CUDA.

The CUDA tests run where a GPU is present (``torch.cuda.is_available()``);
``SKMTL_TEST_DEVICE=cuda pytest skmtl/neural`` also runs every other neural
test there (see ``conftest.py``).
"""

import numpy as np
import pytest
import torch
from skorch.dataset import Dataset

from skmtl.datasets import make_multitask_regression
from skmtl.neural import (
    MAMORegressor,
    MultiTaskMLPClassifier,
    MultiTaskMLPRegressor,
)
from skmtl.neural._net import TensorBatchIterator

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
FAST = dict(trunk_layer_sizes=(16,), max_epochs=4, batch_size=32, lr=0.01)


def _data(n=200):
    X, Y = make_multitask_regression(n, 6, 3, random_state=0)
    Y[::5, 1] = np.nan
    return X.astype(np.float32), Y.astype(np.float32)


def _batches(device, seed=0):
    X, Y = _data()
    it = TensorBatchIterator(Dataset(X, Y), batch_size=32, shuffle=True, device=device)
    torch.manual_seed(seed)
    return it, [(xb.cpu(), yb.cpu()) for xb, yb in it]


def test_cpu_batches_stay_in_place_and_follow_the_cpu_generator():
    X, Y = _data()
    ds = Dataset(X, Y)
    it = TensorBatchIterator(ds, batch_size=32, shuffle=True, device="cpu")
    assert it.X.data_ptr() == TensorBatchIterator(ds, 32).X.data_ptr()  # no copy
    _, a = _batches(None)
    _, b = _batches("cpu")
    _, c = _batches("cpu", seed=1)
    assert all(torch.equal(p[0], q[0]) for p, q in zip(a, b, strict=True))
    assert not all(torch.equal(p[0], q[0]) for p, q in zip(a, c, strict=True))
    rows = torch.cat([x for x, _ in a])
    assert sorted(rows[:, 0].tolist()) == sorted(X[:, 0].tolist())  # a permutation


@cuda
def test_cuda_data_is_resident_and_gives_the_cpu_batches():  # pragma: no cover
    it, on_gpu = _batches("cuda")
    assert it.X.device.type == "cuda" and it.y.device.type == "cuda"
    _, on_cpu = _batches("cpu")
    for (xg, yg), (xc, yc) in zip(on_gpu, on_cpu, strict=True):
        assert torch.equal(xg, xc)
        assert torch.equal(torch.nan_to_num(yg), torch.nan_to_num(yc))


@cuda
def test_data_over_the_budget_stays_on_the_cpu(monkeypatch):  # pragma: no cover
    monkeypatch.setattr(TensorBatchIterator, "RESIDENT_FRACTION", 0.0)
    it, _ = _batches("cuda")
    assert it.X.device.type == "cpu"
    X, Y = _data()
    model = MultiTaskMLPRegressor(**FAST, device="cuda", random_state=0).fit(X, Y)
    ref = MultiTaskMLPRegressor(**FAST, device="cpu", random_state=0).fit(X, Y)
    np.testing.assert_allclose(model.predict(X), ref.predict(X), atol=1e-3)


@cuda
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"architecture": "mmoe", "n_experts": 3},
        {"architecture": "ple"},
        {"weighting": "uncertainty"},
        {"aggregator": "mgda"},
        {"aggregator": "nash"},
        {"early_stopping": True, "max_epochs": 30},
    ],
)
def test_cuda_fit_matches_the_cpu_fit(kw):  # pragma: no cover
    X, Y = _data()
    args = {**FAST, **kw, "random_state": 0}
    gpu = MultiTaskMLPRegressor(**args, device="cuda").fit(X, Y)
    cpu = MultiTaskMLPRegressor(**args, device="cpu").fit(X, Y)
    assert gpu.n_iter_ == cpu.n_iter_
    np.testing.assert_allclose(gpu.predict(X), cpu.predict(X), rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(gpu.transform(X), cpu.transform(X), rtol=1e-3, atol=1e-3)
    # transfer to a new task on the frozen trunk: a pipeline on the CPU side
    y_new = X[:, 0] - X[:, 1]
    np.testing.assert_allclose(
        gpu.fit_new_task(X, y_new).predict(X),
        cpu.fit_new_task(X, y_new).predict(X),
        rtol=1e-3,
        atol=1e-3,
    )


@cuda
def test_cuda_classifier_and_mamo():  # pragma: no cover
    X, Y = _data()
    Yc = (np.nan_to_num(Y) > 0).astype(int)
    args = {**FAST, "random_state": 0}
    gpu = MultiTaskMLPClassifier(**args, device="cuda").fit(X, Yc)
    cpu = MultiTaskMLPClassifier(**args, device="cpu").fit(X, Yc)
    for pg, pc in zip(gpu.predict_proba(X), cpu.predict_proba(X), strict=True):
        np.testing.assert_allclose(pg, pc, atol=1e-3)
    mamo = {**args, "probe_epochs": 2, "max_epochs": 4}
    g = MAMORegressor(**mamo, device="cuda").fit(X, Y)
    c = MAMORegressor(**mamo, device="cpu").fit(X, Y)
    assert g.modules_ == c.modules_
    np.testing.assert_allclose(g.predict(X), c.predict(X), rtol=1e-3, atol=1e-3)


@cuda
def test_cuda_streaming_fit_equals_in_memory_fit(tmp_path):  # pragma: no cover
    X, Y = _data()
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "Y.npy", Y)
    Xm = np.load(tmp_path / "X.npy", mmap_mode="r")
    Ym = np.load(tmp_path / "Y.npy", mmap_mode="r")
    args = {**FAST, "random_state": 0, "device": "cuda"}
    ref = MultiTaskMLPRegressor(**args).fit(X, Y)
    got = MultiTaskMLPRegressor(**args).fit(Xm, Ym)
    np.testing.assert_allclose(got.predict(Xm), ref.predict(X), atol=1e-5)
