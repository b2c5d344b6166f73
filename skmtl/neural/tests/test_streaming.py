"""Out-of-core training: memory maps, MemmapDataset and torch Datasets."""

import tracemalloc

import numpy as np
import pytest
import torch
from skorch.dataset import Dataset as SkorchDataset

from skmtl.datasets import make_multitask_regression
from skmtl.neural import (
    MemmapDataset,
    MultiTaskMLPClassifier,
    MultiTaskMLPRegressor,
    MultiTaskNet,
)

FAST = dict(trunk_layer_sizes=(8,), max_epochs=3, batch_size=32, lr=0.01)


def _memmap(tmp_path, name, a):
    path = tmp_path / f"{name}.npy"
    np.save(path, a)
    return np.load(path, mmap_mode="r")


@pytest.fixture
def wide(tmp_path):
    X, Y = make_multitask_regression(300, 5, 3, random_state=0)
    Y[::7, 1] = np.nan
    return X, Y, _memmap(tmp_path, "X", X), _memmap(tmp_path, "Y", Y)


@pytest.fixture
def long(tmp_path):
    rng = np.random.default_rng(0)
    task = np.repeat([3, 7, 11, 20], 80)
    rng.shuffle(task)
    F = rng.normal(size=(len(task), 4))
    X = np.column_stack([F[:, :2], task, F[:, 2:]])  # task column in the middle
    y = F[:, 0] * task + rng.normal(size=len(task))
    y[::9] = np.nan
    return X, y, _memmap(tmp_path, "Xl", X)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_memmap_fit_equals_in_memory_fit_wide(wide, early_stopping):
    X, Y, Xm, Ym = wide
    kw = dict(FAST, random_state=0, early_stopping=early_stopping)
    ref = MultiTaskMLPRegressor(**kw).fit(X, Y)
    got = MultiTaskMLPRegressor(**kw).fit(Xm, Ym)
    assert np.allclose(got.y_mean_, ref.y_mean_, rtol=1e-12)
    assert np.allclose(got.y_scale_, ref.y_scale_, rtol=1e-12)
    for key in ("train_loss", "train_task_losses"):
        assert np.allclose(
            [h[key] for h in got.history_], [h[key] for h in ref.history_], rtol=1e-5
        )
    assert np.allclose(got.predict(Xm), ref.predict(X), atol=1e-6)
    assert got.n_features_in_ == 5 and got.n_tasks_ == 3


@pytest.mark.parametrize("chunk_size", [None, 37])
def test_memmap_fit_equals_in_memory_fit_long(long, chunk_size):
    X, y, Xm = long
    kw = dict(FAST, random_state=1, task_column=2)
    ref = MultiTaskMLPRegressor(**kw).fit(X, y)
    got = MultiTaskMLPRegressor(**kw).fit(MemmapDataset(Xm, y, chunk_size=chunk_size))
    assert np.array_equal(got.tasks_, [3, 7, 11, 20])
    assert np.allclose(got.y_mean_, ref.y_mean_) and np.allclose(
        got.y_scale_, ref.y_scale_
    )
    assert np.allclose(got.predict(Xm), ref.predict(X), atol=1e-6)
    data = MemmapDataset(Xm, chunk_size=50)  # predict chunk by chunk
    assert np.allclose(got.predict(data), ref.predict(X), atol=1e-6)


def test_classifier_and_mixed_net_on_memmaps(tmp_path, long):
    X, _, Xm = long
    task = X[:, 2]
    yc = (X[:, 0] > 0).astype(float) + (task == 11) * (X[:, 1] > 0)
    kw = dict(FAST, random_state=0, task_column=2)
    ref = MultiTaskMLPClassifier(**kw).fit(X, yc)
    got = MultiTaskMLPClassifier(**kw).fit(MemmapDataset(Xm, yc, chunk_size=64))
    assert [c.tolist() for c in got.classes_] == [c.tolist() for c in ref.classes_]
    assert np.array_equal(got.predict(Xm), ref.predict(X))
    # tasks with 2 and 3 classes: long data has no one-array probabilities
    with pytest.raises(ValueError, match="same number of classes"):
        got.predict_proba(Xm)
    keep = task != 11  # the tasks with two classes
    assert np.allclose(
        got.predict_proba(Xm[keep]), ref.predict_proba(X[keep]), atol=1e-6
    )
    Xw, Yw = X[:, [0, 1, 3]], np.column_stack([X[:, 0], X[:, 1] > 0, X[:, 3] > 0])
    Yw[::5, 0] = np.nan
    kw = dict(FAST, random_state=0, task_types=["regression", "binary", "binary"])
    ref = MultiTaskNet(**kw).fit(Xw, Yw)
    Xwm, Ywm = _memmap(tmp_path, "Xw", Xw), _memmap(tmp_path, "Yw", Yw)
    got = MultiTaskNet(**kw).fit(Xwm, Ywm)
    assert got.task_types_ == ref.task_types_
    assert np.allclose(got.predict(Xw), ref.predict(Xw), atol=1e-6)


def test_torch_and_skorch_datasets(wide):
    X, Y, _, _ = wide

    class Rows(torch.utils.data.Dataset):
        def __len__(self):
            return len(X)

        def __getitem__(self, i):
            return torch.as_tensor(X[i]), torch.as_tensor(Y[i])

    kw = dict(FAST, random_state=2)
    ref = MultiTaskMLPRegressor(**kw).fit(X, Y)
    for data in (Rows(), SkorchDataset(X, Y)):
        got = MultiTaskMLPRegressor(**kw).fit(data)
        assert np.allclose(got.predict(data), ref.predict(X), atol=1e-6)
    with pytest.raises(ValueError, match="y must be None when X is a Dataset"):
        MultiTaskMLPRegressor(**kw).fit(Rows(), Y)

    class Bad(Rows):
        def __getitem__(self, i):
            return X[i]

    with pytest.raises(TypeError, match=r"must return \(x, y\) pairs"):
        MultiTaskMLPRegressor(**kw).fit(Bad())
    with pytest.raises(TypeError, match="IterableDataset"):
        MultiTaskMLPRegressor(**kw).fit(torch.utils.data.IterableDataset())


def test_partial_fit_and_warm_start_on_memmaps(wide):
    X, Y, Xm, Ym = wide
    kw = dict(FAST, random_state=0)
    ref = MultiTaskMLPRegressor(**kw)
    got = MultiTaskMLPRegressor(**kw)
    for _ in range(2):
        ref.partial_fit(X, Y)
        got.partial_fit(Xm, Ym)
    assert got.n_iter_ == 2
    assert np.allclose(got.predict(X), ref.predict(X), atol=1e-6)
    # the fitted net keeps its in-memory iterator: later in-memory fits are as before
    from skmtl.neural._net import TensorBatchIterator

    assert got.net_.iterator_train is TensorBatchIterator


@pytest.mark.parametrize(
    "where, value, match",
    [
        ("X", np.nan, r"X contains NaN at row 4321 \(feature column 1"),
        ("X", np.inf, r"X contains infinity at row 4321"),
        ("y", np.inf, r"y contains infinity at row 4321"),
        ("task", 0.5, r"non-integer values.*rows 4300\.\.4399"),
    ],
)
def test_bad_value_in_a_late_chunk_names_the_row(tmp_path, where, value, match):
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=(5000, 3)), rng.integers(0, 3, 5000)])
    y = rng.normal(size=5000)
    if where == "y":
        y[4321] = value
    else:
        X[4321, 3 if where == "task" else 1] = value
    data = MemmapDataset(_memmap(tmp_path, "bad", X), y, chunk_size=100)
    est = MultiTaskMLPRegressor(**FAST, task_column=-1)
    with pytest.raises(ValueError, match=match):
        est.fit(data)
    assert not hasattr(est, "net_")  # failed before any training


def test_unlabelled_task_and_feature_count_errors(wide):
    X, Y, Xm, _ = wide
    Y = Y.copy()
    Y[:, 2] = np.nan
    with pytest.raises(ValueError, match=r"Task\(s\) \[2\] have no labels"):
        MultiTaskMLPRegressor(**FAST).fit(MemmapDataset(Xm, Y))
    est = MultiTaskMLPRegressor(**FAST, random_state=0).fit(X, Y[:, :2])
    with pytest.raises(ValueError, match="X has 4 features, but"):
        est.partial_fit(MemmapDataset(Xm[:, :4], Y[:, :2]))


def test_peak_memory_stays_far_below_the_array(tmp_path):
    """A 16 MB memmap trains and predicts with a few chunks' worth of memory."""
    n, d = 50_000, 40
    path = tmp_path / "big.npy"
    X = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(n, d))
    rng = np.random.default_rng(0)
    for start in range(0, n, 10_000):
        X[start : start + 10_000] = rng.normal(size=(10_000, d))
    X.flush()
    del X
    Xm = np.load(path, mmap_mode="r")
    Y = np.load(path, mmap_mode="r")[:, :2] * 2.0  # a small in-memory target
    size = Xm.nbytes  # 16 MB
    est = MultiTaskMLPRegressor(
        trunk_layer_sizes=(8,),
        max_epochs=1,
        batch_size=2500,
        early_stopping=False,  # no validation batches (inference-sized)
        random_state=0,
    )
    est.fit(MemmapDataset(Xm, Y, chunk_size=2500))  # warm-up, not traced
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        est.fit(MemmapDataset(Xm, Y, chunk_size=2500))
        fit_peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        pred = est.predict(MemmapDataset(Xm, chunk_size=2500))
        pred_peak = tracemalloc.get_traced_memory()[1] - base - pred.nbytes
    finally:
        tracemalloc.stop()
    assert pred.shape == (n, 2) and np.isfinite(pred).all()
    # a batch or chunk is 1/20 of X (0.8 MB); a float32 copy of X is 8 MB
    assert fit_peak < size / 5, fit_peak
    assert pred_peak < size / 5, pred_peak


def test_score_on_memmaps(wide, long):
    X, Y, Xm, Ym = wide
    est = MultiTaskMLPRegressor(**FAST, random_state=0).fit(X, Y)
    assert est.score(Xm, Ym) == pytest.approx(est.score(X, Y), rel=1e-12)
    Xl, yl, Xlm = long
    est = MultiTaskNet(**FAST, random_state=0, task_column=2).fit(Xl, yl)
    assert est.score(Xlm, yl) == pytest.approx(est.score(Xl, yl), rel=1e-12)


class _IncreasingRowsOnly:
    """An array with h5py's indexing rules: slices, or increasing row numbers."""

    def __init__(self, a):
        self.a, self.shape, self.dtype = a, a.shape, a.dtype
        self.reads = 0

    def __getitem__(self, rows):
        if not isinstance(rows, slice):
            rows = np.asarray(rows)
            assert np.all(np.diff(rows) > 0), "rows must be increasing"
        self.reads += 1
        return self.a[rows].copy()


def test_array_likes_with_increasing_row_indexing(wide):
    X, Y, _, _ = wide
    kw = dict(FAST, random_state=0, early_stopping=True)
    ref = MultiTaskMLPRegressor(**kw).fit(X, Y)
    Xa = _IncreasingRowsOnly(X)
    got = MultiTaskMLPRegressor(**kw).fit(MemmapDataset(Xa, Y))
    assert Xa.reads > 3 * (len(X) // 32)  # batch by batch, every epoch
    assert np.allclose(got.predict(MemmapDataset(Xa)), ref.predict(X), atol=1e-6)


def test_rows_of_memory_maps_are_read_from_the_file(tmp_path):
    from skmtl.neural._streaming import _ArrayRows

    rng = np.random.default_rng(0)
    A = rng.normal(size=(3000, 6)).astype(np.float32)
    path = tmp_path / "raw.bin"
    path.write_bytes(np.arange(40, dtype=np.uint8).tobytes() + A.tobytes())
    views = {
        "offset map": np.memmap(path, np.float32, "r", offset=40, shape=A.shape),
        "npy": _memmap(tmp_path, "A", A),
        "row slice": np.memmap(path, np.float32, "r", 40, A.shape)[1234:],
        "column slice": np.memmap(path, np.float32, "r", 40, A.shape)[:, 1:4],
        "asarray of a map": np.asarray(_memmap(tmp_path, "B", A)),
        "copy-on-write": np.memmap(path, np.float32, "c", offset=40, shape=A.shape),
        "fortran": _memmap(tmp_path, "F", np.asfortranarray(A)),
    }
    rows = np.sort(rng.choice(1700, 300, replace=False))
    rows[:20] = np.arange(20)  # a run of consecutive rows
    rows = np.unique(rows)
    for name, V in views.items():
        src = _ArrayRows(V, V[:, 0])
        expect_file = name not in ("copy-on-write", "fortran")
        assert (src.files[0] is not None) == expect_file, name
        for sel in (rows, slice(5, 1500)):
            X, y = src.read(sel)
            assert np.array_equal(X, np.asarray(V)[sel]), name
            assert np.array_equal(y, np.asarray(V)[sel, 0]), name
