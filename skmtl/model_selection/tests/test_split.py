"""Guarantees of the task-aware splitters."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, cross_validate

from skmtl.datasets import make_multitask_regression
from skmtl.linear import PerTaskRidge
from skmtl.metrics import get_scorer
from skmtl.model_selection import (
    LeaveTasksOut,
    MaskedStratifiedKFold,
    TaskShuffleSplit,
    TaskStratifiedKFold,
)


def _long(rng, sizes=(3, 7, 12, 25, 40), n_features=2):
    tasks = np.repeat(np.arange(len(sizes)), sizes)
    perm = rng.permutation(len(tasks))  # rows of a task are not contiguous
    tasks = tasks[perm]
    X = np.column_stack([rng.standard_normal((len(tasks), n_features)), tasks])
    return X, tasks


def _check_partition(train, test, n):
    assert np.intersect1d(train, test).size == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(n))


@pytest.mark.parametrize("shuffle", [False, True])
def test_task_stratified_kfold_guarantees(rng, shuffle):
    X, tasks = _long(rng)
    k = 3
    cv = TaskStratifiedKFold(k, task_column=-1, shuffle=shuffle, random_state=0)
    splits = list(cv.split(X))
    assert len(splits) == cv.get_n_splits() == k
    test_counts = np.array([np.bincount(tasks[te], minlength=5) for _, te in splits])
    for train, test in splits:
        _check_partition(train, test, len(X))
        assert set(tasks[train]) == set(range(5))  # every task trains
        assert set(tasks[test]) == set(range(5))
    # each task's rows are cut k ways: per-task test sizes differ by at most 1
    np.testing.assert_array_equal(test_counts.sum(axis=0), np.bincount(tasks))
    assert np.all(test_counts.max(axis=0) - test_counts.min(axis=0) <= 1)
    # leftovers rotate, so fold sizes differ by at most 1 too
    sizes = test_counts.sum(axis=1)
    assert sizes.max() - sizes.min() <= 1
    # every row is tested exactly once
    np.testing.assert_array_equal(
        np.sort(np.concatenate([te for _, te in splits])), np.arange(len(X))
    )


def test_task_stratified_kfold_groups_and_names(rng):
    pd = pytest.importorskip("pandas")
    X, tasks = _long(rng)
    by_column = [te for _, te in TaskStratifiedKFold(3, task_column=-1).split(X)]
    by_groups = [te for _, te in TaskStratifiedKFold(3).split(X[:, :-1], groups=tasks)]
    df = pd.DataFrame(X, columns=["a", "b", "school"])
    by_name = [te for _, te in TaskStratifiedKFold(3, task_column="school").split(df)]
    for a, b, c in zip(by_column, by_groups, by_name, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    # shuffling is reproducible and changes the folds
    s1 = [
        te
        for _, te in TaskStratifiedKFold(3, shuffle=True, random_state=1).split(
            X, groups=tasks
        )
    ]
    s2 = [
        te
        for _, te in TaskStratifiedKFold(3, shuffle=True, random_state=1).split(
            X, groups=tasks
        )
    ]
    for a, b in zip(s1, s2, strict=True):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(s1, by_groups, strict=True))


def test_task_stratified_kfold_errors(rng):
    X, tasks = _long(rng, sizes=(1, 10))
    with pytest.raises(ValueError, match=r"Task\(s\) \[0\] have fewer than 2 rows"):
        list(TaskStratifiedKFold(3, task_column=-1).split(X))
    X, tasks = _long(rng, sizes=(2, 10))
    with pytest.warns(UserWarning, match="fewer rows than n_splits=3"):
        list(TaskStratifiedKFold(3, task_column=-1).split(X))
    with pytest.raises(ValueError, match="needs the task id"):
        list(TaskStratifiedKFold(3).split(X, X[:, 0]))


def _wide(rng, n=60, T=4, missing=0.6):
    Y = rng.standard_normal((n, T))
    Y[rng.random((n, T)) < missing] = np.nan
    return Y


@pytest.mark.parametrize("cls", [MaskedStratifiedKFold, TaskStratifiedKFold])
@pytest.mark.parametrize("shuffle", [False, True])
def test_masked_stratified_kfold_guarantees(rng, cls, shuffle):
    Y = _wide(rng)
    k = 4
    cv = cls(k, shuffle=shuffle, random_state=0)
    observed = ~np.isnan(Y)
    counts = observed.sum(axis=0)
    for train, test in cv.split(Y, Y):
        _check_partition(train, test, len(Y))
        assert np.all(observed[train].sum(axis=0) >= 1)
        test_counts = observed[test].sum(axis=0)
        # each fold tests about 1/k of every task's labels
        assert np.all(np.abs(test_counts - counts / k) <= 1.0)


def test_masked_kfold_beats_plain_kfold_on_a_rare_task(rng):
    # task 1 is labelled on 4 adjacent rows only: a plain KFold(4) tests all of
    # them in one fold and leaves that fold's training set without task 1.
    Y = rng.standard_normal((40, 2))
    Y[:, 1] = np.nan
    Y[10:14, 1] = 1.0
    for train, _ in MaskedStratifiedKFold(4).split(Y, Y):
        assert np.isfinite(Y[train, 1]).sum() == 3
    with pytest.raises(ValueError, match="fewer than 2 labels"):
        Y[11:14, 1] = np.nan
        list(MaskedStratifiedKFold(4).split(Y, Y))


def test_task_shuffle_split_sizes(rng):
    X, tasks = _long(rng)
    m = np.bincount(tasks)
    cv = TaskShuffleSplit(4, test_size=0.25, task_column=-1, random_state=0)
    splits = list(cv.split(X))
    assert len(splits) == 4
    for train, test in splits:
        _check_partition(train, test, len(X))
        np.testing.assert_array_equal(
            np.bincount(tasks[test], minlength=5), np.ceil(0.25 * m).astype(int)
        )
    assert not np.array_equal(splits[0][1], splits[1][1])
    again = list(cv.split(X))
    np.testing.assert_array_equal(splits[2][1], again[2][1])
    # train_size alone, the rest is tested
    cv = TaskShuffleSplit(2, train_size=0.5, random_state=0)
    for train, test in cv.split(X, groups=tasks):
        np.testing.assert_array_equal(
            np.bincount(tasks[train], minlength=5), np.floor(0.5 * m).astype(int)
        )
        _check_partition(train, test, len(X))
    # both sizes: some rows are left out; integer sizes are rows per task
    for train, test in TaskShuffleSplit(2, train_size=2, test_size=1).split(
        X, groups=tasks
    ):
        assert np.all(np.bincount(tasks[train]) == 2)
        assert np.all(np.bincount(tasks[test]) == 1)
        assert np.intersect1d(train, test).size == 0


def test_task_shuffle_split_errors(rng):
    X, tasks = _long(rng, sizes=(1, 10))
    with pytest.raises(ValueError, match="Task 0 has 1 rows"):
        list(TaskShuffleSplit(2, task_column=-1).split(X))
    with pytest.raises(ValueError, match="more than 1"):
        list(TaskShuffleSplit(2, train_size=0.8, test_size=0.4).split(X, groups=tasks))
    with pytest.raises(ValueError, match="needs the task id"):
        list(TaskShuffleSplit(2).split(X, X[:, 0]))


def test_task_shuffle_split_wide(rng):
    Y = _wide(rng, n=100, missing=0.5)
    observed = ~np.isnan(Y)
    for train, test in TaskShuffleSplit(3, test_size=0.25, random_state=0).split(Y, Y):
        _check_partition(train, test, len(Y))
        frac = observed[test].sum(axis=0) / observed.sum(axis=0)
        # iterative stratification is approximate: within a few labels
        assert np.all(np.abs(frac - 0.25) * observed.sum(axis=0) <= 3.0)


def test_leave_tasks_out(rng):
    X, tasks = _long(rng)
    cv = LeaveTasksOut(task_column=-1)
    assert cv.get_n_splits(X) == 5
    held = []
    for train, test in cv.split(X):
        _check_partition(train, test, len(X))
        (t,) = np.unique(tasks[test])
        assert t not in tasks[train]
        held.append(t)
    assert held == list(range(5))
    cv = LeaveTasksOut(2, shuffle=True, random_state=0)
    assert cv.get_n_splits() == 2
    held = [set(np.unique(tasks[te])) for _, te in cv.split(X, groups=tasks)]
    assert held[0].isdisjoint(held[1]) and held[0] | held[1] == set(range(5))
    with pytest.raises(ValueError, match="needs the task id"):
        list(LeaveTasksOut().split(X))
    with pytest.raises(ValueError, match="between 2 and the number of tasks"):
        list(LeaveTasksOut(6).split(X, groups=tasks))


def test_splitters_as_cv_in_sklearn(rng):
    X, y = make_multitask_regression(
        n_features=3, n_tasks=4, samples_per_task=[8, 12, 20, 30], random_state=0
    )
    est = PerTaskRidge(task_column=-1)
    for cv in (
        TaskStratifiedKFold(3, task_column=-1),
        TaskShuffleSplit(3, task_column=-1, random_state=0),
    ):
        res = cross_validate(est, X, y, cv=cv, scoring=get_scorer("r2_tasks"))
        assert res["test_score"].shape == (3,)
        search = GridSearchCV(est, {"alpha": [0.1, 1.0]}, cv=cv).fit(X, y)
        assert np.isfinite(search.best_score_)
    assert "TaskShuffleSplit(n_splits=3" in repr(cv)
