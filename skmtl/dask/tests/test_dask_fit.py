"""fit on dask collections equals fit in memory, for the least-squares family."""

import subprocess
import sys

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from skmtl.datasets import make_multitask_regression
from skmtl.linear import (
    ClusteredMultiTask,
    DirtyMultiTask,
    MeanRegularizedMultiTask,
    MultiTaskGroupLasso,
    MultiTaskGroupLassoClassifier,
    MultiTaskGroupLassoCV,
    PerTaskRidge,
    PooledRidge,
    TaskGraphMultiTask,
    TraceNormMultiTask,
)
from skmtl.meta import PerTaskRegressor
from skmtl.representation import SharedRepresentationRegressor

da = pytest.importorskip("dask.array")

TIGHT = {"tol": 1e-12, "max_iter": 100_000}

ESTIMATORS = [
    (PerTaskRidge, {"alpha": 0.1}),
    (PooledRidge, {"alpha": 0.1}),
    (MultiTaskGroupLasso, {"alpha": 0.05, "tol": 1e-12}),
    (DirtyMultiTask, {"alpha": 0.05, "beta": 0.05, "tol": 1e-12}),
    (MeanRegularizedMultiTask, TIGHT),
    (TaskGraphMultiTask, TIGHT),
    (TraceNormMultiTask, {"alpha": 0.05, **TIGHT}),
    (ClusteredMultiTask, TIGHT),
]
IDS = [cls.__name__ for cls, _ in ESTIMATORS]


def _long(missing, seed=0):
    X, y = make_multitask_regression(
        n_features=5, n_tasks=4, samples_per_task=[30, 40, 35, 38], random_state=seed
    )
    if missing:  # unlabelled rows of long data
        y = y.copy()
        y[np.random.default_rng(seed).random(len(y)) < 0.15] = np.nan
    return X, y


def _wide(missing, seed=0):
    return make_multitask_regression(
        120, 6, 3, missing_labels=0.2 if missing else 0.0, random_state=seed
    )


def _data(layout, missing, weighted, seed=0):
    X, y = _long(missing, seed) if layout == "long" else _wide(missing, seed)
    sw = None
    if weighted:
        sw = np.random.default_rng(seed + 1).uniform(0.2, 3.0, len(y))
    return X, y, sw


def _dask(X, y, sw, chunk=37):
    Xd = da.from_array(X, chunks=(chunk, -1))
    yd = da.from_array(y, chunks=(chunk,) + (() if y.ndim == 1 else (-1,)))
    swd = None if sw is None else da.from_array(sw, chunks=chunk)
    return Xd, yd, swd


def _assert_same_fit(a, b):
    scale = max(np.abs(a.coef_).max(), 1.0)
    assert np.abs(b.coef_ - a.coef_).max() <= 1e-10 * scale
    np.testing.assert_allclose(b.intercept_, a.intercept_, rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(b.tasks_, a.tasks_)
    assert b.n_features_in_ == a.n_features_in_


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("missing", [False, True])
@pytest.mark.parametrize("layout", ["long", "wide"])
@pytest.mark.parametrize(("cls", "params"), ESTIMATORS, ids=IDS)
def test_dask_fit_equals_in_memory_fit(cls, params, layout, missing, weighted):
    X, y, sw = _data(layout, missing, weighted)
    task_column = -1 if layout == "long" else None
    est = cls(task_column=task_column, **params)
    ref = cls(task_column=task_column, **params).fit(X, y, sample_weight=sw)
    Xd, yd, swd = _dask(X, y, sw)
    got = est.fit(Xd, yd, sample_weight=swd)
    _assert_same_fit(ref, got)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_dask_fit_without_intercept(fit_intercept):
    X, y, sw = _data("long", True, True)
    est = MultiTaskGroupLasso(
        alpha=0.02, fit_intercept=fit_intercept, task_column=-1, tol=1e-12
    )
    ref = MultiTaskGroupLasso(**est.get_params()).fit(X, y, sample_weight=sw)
    Xd, yd, swd = _dask(X, y, sw, chunk=20)
    _assert_same_fit(ref, est.fit(Xd, yd, sample_weight=swd))


def test_dask_dataframe_with_named_string_task_column():
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    X, y = _long(missing=True, seed=3)
    df = pd.DataFrame(X[:, :-1], columns=[f"x{j}" for j in range(5)])
    df["store"] = np.array(["north", "south", "east", "west"])[X[:, -1].astype(int)]
    df["y"] = y
    df["w"] = np.random.default_rng(0).uniform(0.5, 2.0, len(df))
    ddf = dd.from_pandas(df, npartitions=4)
    est = MultiTaskGroupLasso(alpha=0.05, task_column="store", tol=1e-12)
    ref = MultiTaskGroupLasso(**est.get_params()).fit(
        df.drop(columns=["y", "w"]), df["y"], sample_weight=df["w"]
    )
    got = est.fit(ddf.drop(columns=["y", "w"]), ddf["y"], sample_weight=ddf["w"])
    _assert_same_fit(ref, got)
    assert list(got.tasks_) == ["east", "north", "south", "west"]
    np.testing.assert_array_equal(got.feature_names_in_, ref.feature_names_in_)
    # predict: lazy, block by block, same values
    lazy = got.predict(ddf.drop(columns=["y", "w"]))
    np.testing.assert_allclose(
        lazy.compute().to_numpy(), ref.predict(df.drop(columns=["y", "w"])), rtol=1e-9
    )


@pytest.mark.parametrize("layout", ["long", "wide"])
def test_predict_on_a_dask_array_is_lazy_and_blockwise(layout):
    X, y, _ = _data(layout, True, False)
    task_column = -1 if layout == "long" else None
    est = PerTaskRidge(alpha=0.1, task_column=task_column).fit(X, y)
    Xd = da.from_array(X, chunks=(50, 3))  # column chunks too
    pred = est.predict(Xd)
    assert isinstance(pred, da.Array)
    assert pred.chunks[0] == Xd.chunks[0]
    np.testing.assert_allclose(pred.compute(), est.predict(X), rtol=1e-12)


def test_numba_and_numpy_block_statistics_agree(monkeypatch):
    from skmtl.dask import _kernels
    from skmtl.utils._accel import have_numba

    if not have_numba():
        pytest.skip("numba is not installed")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 4))
    codes = rng.integers(0, 5, 300)
    y = rng.standard_normal(300)
    y[::7] = np.nan
    s = rng.uniform(0, 2, 300)
    s[::11] = 0.0
    folds = rng.integers(0, 3, 300)
    outs = []
    for compiled in (True, False):
        monkeypatch.setattr(_kernels, "use_numba", lambda size=None, c=compiled: c)
        outs.append(_kernels.long_block_statistics(X, codes, y, s, folds, 3, 5))
    for key in ("n", "count", "sum_x", "sum_y", "xty", "yty", "xtx_tasks"):
        np.testing.assert_allclose(outs[0][key], outs[1][key], rtol=1e-12, atol=1e-12)


def test_memory_rule_refuses_before_the_statistics_pass(monkeypatch):
    from skmtl.dask import _statistics, statistics_bytes

    assert statistics_bytes(10_000, 20, 5) == 8 * 5 * 10_000 * (400 + 40 + 4)
    X, y, _ = _data("long", False, False)
    Xd, yd, _ = _dask(X, y, None)
    monkeypatch.setattr(_statistics, "MAX_STATISTICS_BYTES", 1000)
    with pytest.raises(MemoryError, match="in memory on a sample of the rows"):
        MultiTaskGroupLasso(task_column=-1).fit(Xd, yd)


@pytest.mark.parametrize(
    "make",
    [
        lambda: MultiTaskGroupLassoClassifier(task_column=-1),
        lambda: SharedRepresentationRegressor(n_components=2, task_column=-1),
        lambda: PerTaskRegressor(Ridge(), task_column=-1),
    ],
    ids=["logistic", "shared_representation", "meta"],
)
def test_estimators_that_need_rows_refuse_dask_input(make):
    X, y, _ = _data("long", False, False)
    Xd, yd, _ = _dask(X, y, None)
    est = make()
    if isinstance(est, MultiTaskGroupLassoClassifier):
        yd = (yd > 0).astype(int)
    with pytest.raises(TypeError, match="needs the rows themselves.*PerTaskRidge"):
        est.fit(Xd, yd)


def test_empty_blocks_add_nothing(monkeypatch):
    from skmtl.dask import _kernels

    X, y, _ = _data("long", True, False)
    ref = PerTaskRidge(alpha=0.1, task_column=-1).fit(X, y)
    rows = (0, 60, 0, len(y) - 60)  # two empty blocks
    Xd = da.from_array(X, chunks=(rows, (X.shape[1],)))
    yd = da.from_array(y, chunks=(rows,))
    for compiled in (False, True):
        monkeypatch.setattr(_kernels, "use_numba", lambda size=None, c=compiled: c)
        got = PerTaskRidge(alpha=0.1, task_column=-1).fit(Xd, yd)
        _assert_same_fit(ref, got)


def test_bad_dask_inputs_say_why():
    X, y, _ = _data("long", False, False)
    Xd, yd, _ = _dask(X, y, None)
    with pytest.raises(TypeError, match="y must be a dask array"):
        PerTaskRidge(task_column=-1).fit(Xd, y)
    bad = X.copy()
    bad[5, 0] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        PerTaskRidge(task_column=-1).fit(da.from_array(bad, chunks=(40, -1)), yd)
    Xw, Yw, _ = _data("wide", False, False)
    Yw = Yw.copy()
    Yw[:, 1] = np.nan
    with pytest.raises(ValueError, match=r"Task\(s\) \[1\] have no labels"):
        PerTaskRidge().fit(*_dask(Xw, Yw, None)[:2])


@pytest.mark.slow  # a fresh interpreter importing scikit-learn: seconds
def test_importing_skmtl_does_not_import_dask():
    code = (
        "import sys, skmtl, skmtl.linear, skmtl.dask, skmtl.datasets\n"
        "from skmtl.linear import PerTaskRidge\n"
        "import numpy as np\n"
        "PerTaskRidge().fit(np.eye(3), np.eye(3)).predict(np.eye(3))\n"
        "assert 'dask' not in sys.modules, 'dask imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_dask_fit_on_a_two_worker_local_cluster():
    distributed = pytest.importorskip("distributed")
    X, y, sw = _data("long", True, True)
    Xw, Yw, sww = _data("wide", True, True)
    refs = [
        MultiTaskGroupLasso(alpha=0.05, task_column=-1, tol=1e-12).fit(
            X, y, sample_weight=sw
        ),
        TraceNormMultiTask(alpha=0.05, **TIGHT).fit(Xw, Yw, sample_weight=sww),
    ]
    # loopback only: the scheduler and workers live on this machine
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster),
    ):
        Xd, yd, swd = _dask(X, y, sw, chunk=30)
        got = [MultiTaskGroupLasso(**refs[0].get_params()).fit(Xd, yd, swd)]
        Xd, Yd, swd = _dask(Xw, Yw, sww, chunk=30)
        got.append(TraceNormMultiTask(**refs[1].get_params()).fit(Xd, Yd, swd))
        pred = got[1].predict(Xd).compute()
        # cross-validation from per-fold statistics, on the cluster
        cv = MultiTaskGroupLassoCV(alphas=6, cv=3, tol=1e-12).fit(Xd, Yd, swd)
    for ref, est in zip(refs, got, strict=True):
        _assert_same_fit(ref, est)
    np.testing.assert_allclose(pred, refs[1].predict(Xw), rtol=1e-9)
    ref_cv = MultiTaskGroupLassoCV(alphas=6, cv=3, tol=1e-12).fit(Xw, Yw, sww)
    assert cv.alpha_ == pytest.approx(ref_cv.alpha_, rel=1e-12)
    np.testing.assert_allclose(cv.mse_path_, ref_cv.mse_path_, rtol=1e-8)


def test_wide_dask_dataframe_with_missing_labels():
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    X, Y, sw = _data("wide", True, True, seed=5)
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    for t in range(Y.shape[1]):
        df[f"y{t}"] = Y[:, t]
    df["w"] = sw
    ddf = dd.from_pandas(df, npartitions=3)
    ycols = [f"y{t}" for t in range(Y.shape[1])]
    est = TraceNormMultiTask(alpha=0.05, **TIGHT)
    ref = TraceNormMultiTask(**est.get_params()).fit(
        df.drop(columns=[*ycols, "w"]), Y, sample_weight=sw
    )
    got = est.fit(ddf.drop(columns=[*ycols, "w"]), ddf[ycols], sample_weight=ddf["w"])
    _assert_same_fit(ref, got)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("missing", [False, True])
@pytest.mark.parametrize("layout", ["long", "wide"])
def test_score_on_dask_input_equals_in_memory_score(layout, missing, weighted):
    X, y, sw = _data(layout, missing, weighted, seed=8)
    task_column = -1 if layout == "long" else None
    est = MultiTaskGroupLasso(alpha=0.05, task_column=task_column).fit(X, y)
    Xd, yd, swd = _dask(X, y, sw, chunk=23)
    assert est.score(Xd, yd, sample_weight=swd) == pytest.approx(
        est.score(X, y, sample_weight=sw), rel=1e-12
    )


def test_score_on_a_dask_dataframe_and_a_model_without_coef():
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    X, y = _long(missing=True, seed=9)
    df = pd.DataFrame(X, columns=["a", "b", "c", "d", "e", "task"])
    df["y"] = y
    ddf = dd.from_pandas(df, npartitions=3)
    est = PerTaskRidge(alpha=0.1, task_column="task").fit(df.drop(columns="y"), y)
    assert est.score(ddf.drop(columns="y"), ddf["y"]) == pytest.approx(
        est.score(df.drop(columns="y"), y), rel=1e-12
    )
    meta = PerTaskRegressor(Ridge(), task_column="task").fit(df.drop(columns="y"), y)
    with pytest.raises(TypeError, match="score on dask input needs a linear model"):
        meta.score(ddf.drop(columns="y"), ddf["y"])
