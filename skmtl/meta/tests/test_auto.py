import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from skmtl.linear import PooledRidge
from skmtl.meta import MultiTaskAutoRegressor, PerTaskRegressor, default_candidates
from skmtl.model_selection import TaskStratifiedKFold, cross_validate_tasks
from skmtl.utils import wide_to_long


def _mixed(n=240, seed=0):
    """Task 0 linear in x0, task 1 a step function of x1."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, (n, 3))
    y0 = 2.0 * X[:, 0] + 0.1 * rng.standard_normal(n)
    y1 = np.where(X[:, 1] > 0.3, 3.0, -1.0) + 0.1 * rng.standard_normal(n)
    return X, np.column_stack([y0, y1])


CANDIDATES = {
    "ridge": PerTaskRegressor(Ridge(alpha=1e-3)),
    "tree": PerTaskRegressor(DecisionTreeRegressor(max_depth=3, random_state=0)),
}


def test_leaderboard_is_the_cross_validated_task_scores():
    X, Y = _mixed()
    cv = TaskStratifiedKFold(3, shuffle=True, random_state=0)
    auto = MultiTaskAutoRegressor(CANDIDATES, cv=cv, per_task=False).fit(X, Y)
    board = auto.leaderboard_
    for k, name in enumerate(board["name"]):
        S = cross_validate_tasks(CANDIDATES[name], X, Y, cv=cv).scores["r2_tasks"]
        np.testing.assert_allclose(board["task_scores"][k], S.mean(axis=0))
        np.testing.assert_allclose(board["mean_score"][k], S.mean())
    best = int(np.argmax(board["mean_score"]))
    assert board["rank"][best] == 1 and auto.best_name_ == board["name"][best]
    assert np.all(board["fit_time"] > 0)


def test_per_task_winners_differ_and_predict_from_their_own_family():
    X, Y = _mixed()
    auto = MultiTaskAutoRegressor(CANDIDATES, cv=3, per_task=True).fit(X, Y)
    assert auto.task_winners_ == ["ridge", "tree"]
    pred = auto.predict(X)
    np.testing.assert_allclose(pred[:, 0], auto.estimators_["ridge"].predict(X)[:, 0])
    np.testing.assert_allclose(pred[:, 1], auto.estimators_["tree"].predict(X)[:, 1])
    # better than either family alone on the training data
    single = MultiTaskAutoRegressor(CANDIDATES, cv=3, per_task=False).fit(X, Y)
    assert auto.score(X, Y) > single.score(X, Y)
    # long data: each row from its own task's winner
    X_long, y_long = wide_to_long(X, Y)
    cands = {k: clone(v).set_params(task_column=-1) for k, v in CANDIDATES.items()}
    long = MultiTaskAutoRegressor(cands, cv=3, per_task=True, task_column=-1)
    long.fit(X_long, y_long)
    assert long.task_winners_ == ["ridge", "tree"]
    rows = X_long[:, -1] == 1
    np.testing.assert_allclose(
        long.predict(X_long)[rows], long.estimators_["tree"].predict(X_long)[rows]
    )


def _held_out_choice(S):
    """Reference for the cross-validated choice, written with loops."""
    n_cand, n_folds, T = S.shape
    one_scores, each_scores = [], []
    for k in range(n_folds):
        others = [j for j in range(n_folds) if j != k]
        overall = [
            np.mean([S[c, j, t] for j in others for t in range(T)])
            for c in range(n_cand)
        ]
        one = int(np.argmax(overall))
        one_scores.append(np.mean([S[one, k, t] for t in range(T)]))
        each = [
            int(np.argmax([np.mean(S[c, others, t]) for c in range(n_cand)]))
            for t in range(T)
        ]
        each_scores.append(np.mean([S[each[t], k, t] for t in range(T)]))
    return np.mean(one_scores), np.mean(each_scores)


def test_auto_per_task_cross_validates_the_choice():
    # tasks of two kinds: each task's own family wins on held-out folds
    X, Y = _mixed()
    auto = MultiTaskAutoRegressor(CANDIDATES, cv=4, random_state=0).fit(X, Y)
    one, each = _held_out_choice(auto.leaderboard_["fold_task_scores"])
    assert auto.selection_scores_ == pytest.approx({"all tasks": one, "per task": each})
    assert each > one and auto.per_task_ and auto.task_winners_ == ["ridge", "tree"]
    # many small, alike tasks with two near-equal families: the per-task pick
    # follows fold noise, scores lower held out, and is not used
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 4))
    Y = X @ rng.standard_normal((4, 12)) + 1.5 * rng.standard_normal((40, 12))
    near = {
        "ridge 1": PerTaskRegressor(Ridge(alpha=1.0)),
        "ridge 5": PerTaskRegressor(Ridge(alpha=5.0)),
    }
    # (seeded folds: on 2 of 8 seeds the per-task pick wins by chance)
    auto = MultiTaskAutoRegressor(near, cv=4, random_state=0).fit(X, Y)
    one, each = _held_out_choice(auto.leaderboard_["fold_task_scores"])
    assert auto.selection_scores_ == pytest.approx({"all tasks": one, "per task": each})
    assert len(set(auto.leaderboard_["task_scores"].argmax(axis=0))) == 2
    assert one > each and not auto.per_task_
    assert auto.task_winners_ == [auto.best_name_] * 12
    # a single split cannot cross-validate the choice: one family
    split = [(np.arange(30), np.arange(30, 40))]
    auto = MultiTaskAutoRegressor(near, cv=split).fit(X, Y)
    assert np.isnan(auto.selection_scores_["per task"]) and not auto.per_task_


def test_time_budget_skips_the_remaining_candidates():
    X, Y = _mixed(n=90)
    cands = {"pooled": PooledRidge(), **CANDIDATES}
    auto = MultiTaskAutoRegressor(cands, cv=3, time_budget=1e-9).fit(X, Y)
    board = auto.leaderboard_
    assert board["name"] == ["pooled", "ridge", "tree"]
    assert board["rank"].tolist() == [1, 0, 0]
    assert np.isnan(board["mean_score"][1:]).all()
    assert auto.best_name_ == "pooled"


def test_refusals():
    X, Y = _mixed(n=60)
    # a splitter whose test folds never hold task 1's labels: no silent pick
    Y_holes = Y.copy()
    Y_holes[40:, 1] = np.nan
    folds = [(np.arange(0, 40), np.arange(40, 60)), (np.arange(20, 60), np.arange(20))]
    Y_holes[:20, 1] = np.nan
    for per_task in [True, False]:  # one family is untested on task 1 too
        auto = MultiTaskAutoRegressor(CANDIDATES, cv=folds, per_task=per_task)
        with pytest.raises(ValueError, match=r"Task\(s\) \[1\] have no test label"):
            auto.fit(X, Y_holes)
    with pytest.raises(ValueError, match="candidates is empty"):
        MultiTaskAutoRegressor({}, cv=3).fit(X, Y)


@pytest.mark.parametrize("task_column", [None, -1])
def test_default_candidates_fit_both_layouts(task_column):
    X, Y = _mixed(n=90)
    if task_column is not None:
        X, Y = wide_to_long(X, Y)
    for name, est in default_candidates(task_column, random_state=0).items():
        if name == "boosting per task":
            continue  # a minute under load on 2 cores; covered by the benchmark
        pred = est.fit(X, Y).predict(X)
        assert pred.shape == Y.shape and np.isfinite(pred).all(), name


def test_default_candidates_on_a_dataframe_with_named_string_task_ids():
    from skmtl.datasets import load_school

    frame = load_school(as_frame=True).frame
    frame = frame[frame["school"] <= 4].copy()
    frame["school"] = "s" + frame["school"].astype(str)
    X, y = frame.drop(columns="score"), frame["score"].to_numpy()
    for name, est in default_candidates("school", random_state=0).items():
        if name == "boosting per task":
            continue
        pred = est.fit(X, y).predict(X)
        assert pred.shape == y.shape and np.isfinite(pred).all(), name
