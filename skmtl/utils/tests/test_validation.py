"""The task data model: both layouts and every bad-input case."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import DataConversionWarning

from skmtl.linear import PerTaskRidge
from skmtl.utils import (
    check_multitask_data,
    check_task_ids,
    long_to_wide,
    resolve_task_column,
    wide_to_long,
)


def _wide(rng, n=30, d=4, T=3):
    X = rng.standard_normal((n, d))
    Y = X @ rng.standard_normal((d, T)) + 0.1 * rng.standard_normal((n, T))
    return X, Y


def _long(rng, sizes=(5, 9, 4), d=3, ids=(10, 20, 30)):
    task = np.repeat(ids, sizes)
    X = rng.standard_normal((len(task), d))
    y = X.sum(axis=1) + np.asarray([ids.index(t) for t in task])
    return np.column_stack([X, task]), y


# --- the two layouts -------------------------------------------------------


def test_wide_data_with_missing_labels(rng):
    X, Y = _wide(rng)
    Y[[0, 3, 7], 1] = np.nan
    est = PerTaskRidge()
    data = check_multitask_data(est, X, Y)
    assert data.layout == "wide" and data.n_tasks == 3
    assert not data.shared_design
    np.testing.assert_array_equal(data.task_sizes, [30, 27, 30])
    assert 3 not in data.task_index[1]
    assert not np.isnan(data.target(1)).any()
    np.testing.assert_array_equal(est.tasks_, [0, 1, 2])
    assert est.n_features_in_ == 4


def test_wide_without_missing_is_shared_design(rng):
    X, Y = _wide(rng)
    data = check_multitask_data(PerTaskRidge(), X, Y)
    assert data.shared_design
    assert data.design(0) is data.X


def test_long_data_keeps_per_task_indices(rng):
    X, y = _long(rng)
    est = PerTaskRidge(task_column=-1)
    data = check_multitask_data(est, X, y, task_column=-1)
    assert data.layout == "long"
    np.testing.assert_array_equal(data.tasks, [10, 20, 30])
    np.testing.assert_array_equal(data.task_sizes, [5, 9, 4])
    assert data.X.shape == (18, 3)  # task column removed, nothing densified
    assert est.n_features_in_ == 4  # all columns given to fit
    for t, idx in enumerate(data.task_index):
        np.testing.assert_array_equal(data.task_codes[idx], t)


def test_long_data_with_string_ids_in_a_dataframe(rng):
    pd = pytest.importorskip("pandas")
    X, y = _long(rng)
    df = pd.DataFrame(X[:, :3], columns=["a", "b", "c"])
    df.insert(1, "school", np.where(X[:, 3] == 10, "x", "y"))
    est = PerTaskRidge(task_column="school").fit(df, y)
    assert list(est.tasks_) == ["x", "y"]
    assert list(est.feature_names_in_) == ["a", "school", "b", "c"]
    assert est.coef_.shape == (2, 3)
    assert est.predict(df).shape == (18,)


def test_negative_and_named_task_column(rng):
    X, _ = _long(rng)
    assert resolve_task_column(-1, X) == 3
    assert resolve_task_column(0, X) == 0
    with pytest.raises(ValueError, match="out of range"):
        resolve_task_column(4, X)
    with pytest.raises(ValueError, match="no column names"):
        resolve_task_column("school", X)
    with pytest.raises(TypeError, match="task_column must be"):
        resolve_task_column(1.5, X)


def test_long_nan_label_is_masked_not_dropped_silently(rng):
    X, y = _long(rng)
    y[0] = np.nan
    data = check_multitask_data(PerTaskRidge(), X, y, task_column=-1)
    assert 0 not in data.task_index[0]
    assert data.task_sizes.sum() == len(y) - 1


# --- bad input -------------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_in_X(rng, bad):
    X, Y = _wide(rng)
    X[2, 1] = bad
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        PerTaskRidge().fit(X, Y)


def test_inf_in_y(rng):
    X, Y = _wide(rng)
    Y[0, 0] = np.inf
    with pytest.raises(ValueError, match="y contains inf"):
        PerTaskRidge().fit(X, Y)


def test_task_without_labels(rng):
    X, Y = _wide(rng)
    Y[:, 2] = np.nan
    with pytest.raises(ValueError, match=r"Task\(s\) \[2\] have no labels at all"):
        PerTaskRidge().fit(X, Y)


def test_task_with_only_zero_weights(rng):
    X, y = _long(rng)
    w = np.ones(len(y))
    w[y == y[0]] = 1.0
    w[:5] = 0.0  # the rows of task 10
    with pytest.raises(ValueError, match=r"Task\(s\) \[10\].*sample weight is 0"):
        PerTaskRidge(task_column=-1).fit(X, y, sample_weight=w)


def test_one_d_y_for_multitask_estimator(rng):
    X, Y = _wide(rng)
    with pytest.raises(ValueError, match=r"y is 1-D.*n_samples, n_tasks.*task_column"):
        PerTaskRidge().fit(X, Y[:, 0])


def test_two_d_y_with_task_column(rng):
    X, y = _long(rng)
    with pytest.raises(ValueError, match="y must be 1-D"):
        PerTaskRidge(task_column=-1).fit(X, np.column_stack([y, y]))
    with pytest.warns(DataConversionWarning, match="raveled"):
        PerTaskRidge(task_column=-1).fit(X, y.reshape(-1, 1))


@pytest.mark.parametrize(
    "ids, match",
    [
        ([1.0, 2.5, 3.0], "non-integer values"),
        ([1.0, np.nan, 3.0], "NaN or inf"),
        (np.array(["a", 1, "b"], dtype=object), "mixes types"),
        (np.array(["a", None, "b"], dtype=object), "missing ids"),
    ],
)
def test_bad_task_ids(ids, match):
    with pytest.raises(ValueError, match=match):
        check_task_ids(ids)


def test_integer_like_float_ids_are_accepted():
    np.testing.assert_array_equal(check_task_ids([1.0, 2.0, 1.0]), [1, 2, 1])
    assert check_task_ids(np.array(["a", "b"], dtype=object)).dtype == object


def test_non_integer_task_column_in_fit(rng):
    X, y = _long(rng)
    X[:, -1] += 0.5
    with pytest.raises(ValueError, match="task_column points at the task id"):
        PerTaskRidge(task_column=-1).fit(X, y)


def test_inconsistent_lengths(rng):
    X, Y = _wide(rng)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        PerTaskRidge().fit(X[:-1], Y)
    Xl, yl = _long(rng)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        PerTaskRidge(task_column=-1).fit(Xl, yl[:-1])


def test_only_task_column(rng):
    X, y = _long(rng)
    with pytest.raises(ValueError, match="at least one feature column"):
        PerTaskRidge(task_column=0).fit(X[:, [3]], y)


def test_predict_wrong_n_features(rng):
    X, Y = _wide(rng)
    est = PerTaskRidge().fit(X, Y)
    with pytest.raises(ValueError, match="X has 3 features, but PerTaskRidge is "):
        est.predict(X[:, :3])


def test_score_wrong_n_tasks(rng):
    X, Y = _wide(rng)
    est = PerTaskRidge().fit(X, Y)
    with pytest.raises(
        ValueError, match=r"fitted on 3 tasks: expected \(n_samples, 3\)"
    ):
        est.score(X, Y[:, :2])


def test_unseen_task_at_predict(rng):
    X, y = _long(rng)
    est = PerTaskRidge(task_column=-1).fit(X, y)
    X_new = X[:3].copy()
    X_new[1, -1] = 99
    with pytest.raises(
        ValueError, match=r"Task id\(s\) \[99\] were not seen during fit"
    ):
        est.predict(X_new)


def test_string_ids_at_predict_after_int_fit(rng):
    X, y = _long(rng)
    est = PerTaskRidge(task_column=-1).fit(X, y)
    X_obj = X.astype(object)
    X_obj[:, -1] = "10"
    with pytest.raises(ValueError, match="are strings but were integers"):
        est.predict(X_obj)


def test_empty_input():
    with pytest.raises(ValueError, match="0 sample"):
        PerTaskRidge().fit(np.empty((0, 3)), np.empty((0, 2)))


# --- conversions -----------------------------------------------------------


def test_wide_long_round_trip(rng):
    X, Y = _wide(rng, n=12, d=3, T=4)
    Y[rng.random(Y.shape) < 0.3] = np.nan
    Y[0] = 1.0  # every task keeps a label
    X_long, y_long = wide_to_long(X, Y)
    assert X_long.shape == (int((~np.isnan(Y)).sum()), 4)
    X_back, Y_back, tasks = long_to_wide(X_long, y_long, task_column=-1)
    np.testing.assert_array_equal(tasks, np.arange(4))
    # each long row becomes one wide row: the labels of a sample can be found
    for t in range(4):
        got = np.sort(Y_back[:, t][~np.isnan(Y_back[:, t])])
        want = np.sort(Y[:, t][~np.isnan(Y[:, t])])
        np.testing.assert_array_equal(got, want)


def test_wide_to_long_sparse_and_names(rng):
    X, Y = _wide(rng, n=5, d=2, T=2)
    X_long, y_long = wide_to_long(sp.csr_matrix(X), Y)
    assert sp.issparse(X_long) and X_long.shape == (10, 3)
    X_named, _ = wide_to_long(X, Y, task_names=["a", "b"])
    assert X_named.dtype == object and set(X_named[:, -1]) == {"a", "b"}


@pytest.mark.parametrize("sparse", [False, True])
def test_wide_and_long_forms_give_the_same_model(rng, sparse):
    X, Y = _wide(rng, n=40, d=5, T=3)
    Y[rng.random(Y.shape) < 0.25] = np.nan
    w = rng.uniform(0.5, 2.0, size=40)
    X_in = sp.csr_matrix(X) if sparse else X
    wide = PerTaskRidge(alpha=0.3).fit(X_in, Y, sample_weight=w)
    X_long, y_long = wide_to_long(X, Y)
    rows = np.nonzero(~np.isnan(Y.T))[1]
    X_long_in = sp.csr_matrix(X_long) if sparse else X_long
    long = PerTaskRidge(alpha=0.3, task_column=-1).fit(
        X_long_in, y_long, sample_weight=w[rows]
    )
    np.testing.assert_allclose(wide.coef_, long.coef_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(wide.intercept_, long.intercept_, rtol=1e-10)
    np.testing.assert_allclose(
        long.predict(X_long_in),
        wide.predict(X_in)[rows, X_long[:, -1].astype(int)],
        rtol=1e-10,
    )
