"""Cross-validation from per-fold statistics equals the in-memory *CV."""

import numpy as np
import pytest
from sklearn.model_selection import KFold, PredefinedSplit

from skmtl.dask import fold_assignment
from skmtl.linear import DirtyMultiTaskCV, MultiTaskGroupLassoCV, TraceNormMultiTaskCV

from .test_dask_fit import _dask, _data

da = pytest.importorskip("dask.array")


def test_fold_assignment_is_kfold_on_wide_rows_and_chunking_free_on_long():
    n = 103
    kfold = np.empty(n, dtype=int)
    for k, (_, test) in enumerate(KFold(5).split(np.zeros(n))):
        kfold[test] = k
    np.testing.assert_array_equal(
        fold_assignment(np.arange(n), n, 5, layout="wide"), kfold
    )
    rows = np.arange(10_000)
    folds = fold_assignment(rows, len(rows), 5, layout="long", random_state=1)
    assert np.all(np.abs(np.bincount(folds) - 2000) < 150)  # about even
    np.testing.assert_array_equal(  # any block of rows gets the same folds
        fold_assignment(rows[4321:], len(rows), 5, layout="long", random_state=1),
        folds[4321:],
    )
    other = fold_assignment(rows, len(rows), 5, layout="long", random_state=2)
    assert np.mean(other == folds) < 0.5


def _assert_same_cv(a, b, name="alpha"):
    np.testing.assert_allclose(getattr(b, f"{name}_"), getattr(a, f"{name}_"), 1e-12)
    np.testing.assert_allclose(getattr(b, f"{name}s_"), getattr(a, f"{name}s_"), 1e-12)
    scale = np.abs(a.mse_path_).max()
    assert np.abs(b.mse_path_ - a.mse_path_).max() <= 1e-8 * scale
    assert np.abs(b.coef_ - a.coef_).max() <= 1e-10 * max(np.abs(a.coef_).max(), 1)
    np.testing.assert_allclose(b.intercept_, a.intercept_, rtol=1e-10, atol=1e-10)


@pytest.mark.filterwarnings("ignore:The groups parameter is ignored:UserWarning")
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("missing", [False, True])
@pytest.mark.parametrize("layout", ["long", "wide"])
def test_group_lasso_cv_from_statistics_equals_in_memory(layout, missing, weighted):
    X, y, sw = _data(layout, missing, weighted, seed=2)
    params = {"alphas": 8, "tol": 1e-12}
    if layout == "long":
        n = len(y)
        folds = fold_assignment(np.arange(n), n, 4, layout="long", random_state=7)
        mem = MultiTaskGroupLassoCV(cv=PredefinedSplit(folds), task_column=-1)
        dsk = MultiTaskGroupLassoCV(cv=4, random_state=7, task_column=-1)
    else:  # the in-memory default, unshuffled KFold
        mem, dsk = MultiTaskGroupLassoCV(cv=4), MultiTaskGroupLassoCV(cv=4)
    ref = mem.set_params(**params).fit(X, y, sample_weight=sw)
    Xd, yd, swd = _dask(X, y, sw, chunk=29)
    _assert_same_cv(ref, dsk.set_params(**params).fit(Xd, yd, sample_weight=swd))


@pytest.mark.filterwarnings("ignore:The groups parameter is ignored:UserWarning")
@pytest.mark.parametrize(
    ("cls", "params"),
    [
        (DirtyMultiTaskCV, {"alphas": 3, "betas": [0.02, 0.1], "tol": 1e-12}),
        (TraceNormMultiTaskCV, {"n_alphas": 4, "tol": 1e-12, "max_iter": 100_000}),
    ],
)
def test_other_cv_estimators_from_statistics(cls, params):
    X, y, sw = _data("long", True, True, seed=4)
    n = len(y)
    folds = fold_assignment(np.arange(n), n, 3, layout="long", random_state=0)
    ref = cls(cv=PredefinedSplit(folds), task_column=-1, **params).fit(
        X, y, sample_weight=sw
    )
    Xd, yd, swd = _dask(X, y, sw)
    got = cls(cv=3, random_state=0, task_column=-1, **params).fit(Xd, yd, swd)
    _assert_same_cv(ref, got)


def test_dask_cv_needs_folds_it_can_assign_in_the_pass():
    X, y, _ = _data("wide", False, False)
    Xd, yd, _ = _dask(X, y, None)
    with pytest.raises(ValueError, match="cv must be None or an int"):
        MultiTaskGroupLassoCV(cv=KFold(3, shuffle=True)).fit(Xd, yd)


@pytest.mark.filterwarnings("ignore:The groups parameter is ignored:UserWarning")
def test_cv_on_a_dask_dataframe_uses_partition_keys():
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    X, y, _ = _data("long", True, False, seed=6)
    df = pd.DataFrame(X, columns=["a", "b", "c", "d", "e", "task"])
    df["y"] = y
    ddf = dd.from_pandas(df, npartitions=3)
    lengths = ddf.map_partitions(len).compute().tolist()
    keys = np.concatenate([(j << 40) + np.arange(n) for j, n in enumerate(lengths)])
    folds = fold_assignment(keys, None, 3, layout="long", random_state=5)
    params = {"alphas": 6, "tol": 1e-12, "task_column": "task"}
    ref = MultiTaskGroupLassoCV(cv=PredefinedSplit(folds), **params).fit(
        df.drop(columns="y"), df["y"]
    )
    got = MultiTaskGroupLassoCV(cv=3, random_state=5, **params).fit(
        ddf.drop(columns="y"), ddf["y"]
    )
    _assert_same_cv(ref, got)


def test_multitask_path_on_dask_input():
    from skmtl.linear import MultiTaskGroupLasso, multitask_path

    X, y, sw = _data("long", True, True, seed=10)
    est = MultiTaskGroupLasso(task_column=-1, tol=1e-12)
    ref = multitask_path(X, y, estimator=est, n_alphas=5, sample_weight=sw)
    Xd, yd, swd = _dask(X, y, sw)
    got = multitask_path(Xd, yd, estimator=est, n_alphas=5, sample_weight=swd)
    np.testing.assert_allclose(got[0], ref[0], rtol=1e-12)  # the alphas
    assert np.abs(got[1] - ref[1]).max() <= 1e-10 * np.abs(ref[1]).max()
