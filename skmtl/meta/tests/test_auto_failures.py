"""MultiTaskAutoRegressor when candidates raise: error_score, as in GridSearchCV."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.dummy import DummyRegressor
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils._param_validation import InvalidParameterError

from skmtl.linear import PooledRidge
from skmtl.meta import MultiTaskAutoRegressor, PerTaskRegressor

MARKER = 0.5  # X[0, 2] (unused by the targets): marks row 0


class _Breaks(RegressorMixin, BaseEstimator):
    """Ridge (one fit for all tasks) whose fit raises ValueError.

    ``when``: 'always'; 'without marker' (the training rows lack row 0, so
    exactly one cross-validation fold fails); 'refit' (more than ``rows``
    rows: only the final fit on all the data fails).
    """

    def __init__(self, when="always", rows=0):
        self.when = when
        self.rows = rows

    def fit(self, X, y):
        X = np.asarray(X)
        if (
            self.when == "always"
            or (self.when == "without marker" and not (X[:, 2] == MARKER).any())
            or (self.when == "refit" and len(X) > self.rows)
        ):
            raise ValueError("the solver diverged")
        self.model_ = Ridge(alpha=1e-3).fit(X, y)
        return self

    def predict(self, X):
        return self.model_.predict(np.asarray(X))


def _mixed(n=90, seed=0, marked=True):
    """Task 0 linear in x0, task 1 a step function of x1; row 0 marked."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, (n, 3))
    y0 = 2.0 * X[:, 0] + 0.1 * rng.standard_normal(n)
    y1 = np.where(X[:, 1] > 0.3, 3.0, -1.0) + 0.1 * rng.standard_normal(n)
    if marked:
        X[0, 2] = MARKER
    return X, np.column_stack([y0, y1])


def _candidates():
    return {
        "ridge": PerTaskRegressor(Ridge(alpha=1e-3)),
        "tree": PerTaskRegressor(DecisionTreeRegressor(max_depth=3, random_state=0)),
    }


@pytest.mark.parametrize("per_task", [True, False, "auto"])
def test_a_candidate_that_always_raises_is_skipped(per_task):
    X, Y = _mixed()
    params = {"cv": 3, "per_task": per_task, "random_state": 0}
    ref = MultiTaskAutoRegressor(_candidates(), **params).fit(X, Y)
    cands = {"broken": _Breaks(), **_candidates()}
    msg = (
        r"Candidate 'broken' failed to fit on 3 of 3 folds: ValueError: the "
        r"solver diverged \(fold\(s\) \[0, 1, 2\]\)\. .*error_score=nan"
    )
    with pytest.warns(FitFailedWarning, match=msg):
        auto = MultiTaskAutoRegressor(cands, **params).fit(X, Y)
    board = auto.leaderboard_
    assert board["name"] == ["broken", "ridge", "tree"]
    assert board["n_failed_folds"].tolist() == [3, 0, 0]
    assert board["error"][0].startswith("ValueError: the solver diverged")
    assert board["error"][1:] == [None, None]
    assert np.isnan(board["mean_score"][0]) and board["rank"][0] == 0
    assert np.isnan(board["fold_task_scores"][0]).all()
    # the rest as in the search without the broken candidate
    for key in ["mean_score", "task_scores", "fold_task_scores"]:
        np.testing.assert_array_equal(board[key][1:], ref.leaderboard_[key])
    assert board["rank"][1:].tolist() == ref.leaderboard_["rank"].tolist()
    assert auto.selection_scores_ == ref.selection_scores_
    assert auto.per_task_ == ref.per_task_
    assert auto.task_winners_ == ref.task_winners_
    np.testing.assert_array_equal(auto.predict(X), ref.predict(X))


def test_error_score_raise_reraises_and_is_validated():
    X, Y = _mixed()
    cands = {"broken": _Breaks(), **_candidates()}
    with pytest.raises(ValueError, match="the solver diverged"):
        MultiTaskAutoRegressor(cands, cv=3, error_score="raise").fit(X, Y)
    with pytest.raises(InvalidParameterError, match="error_score"):
        MultiTaskAutoRegressor(cands, cv=3, error_score="skip").fit(X, Y)


def test_a_candidate_failing_on_one_fold():
    X, Y = _mixed()
    params = {"cv": 3, "random_state": 0, "per_task": True}
    ridge = MultiTaskAutoRegressor({"ridge": _candidates()["ridge"]}, **params)
    S_ridge = ridge.fit(X, Y).leaderboard_["fold_task_scores"][0]
    cands = {"tree": _candidates()["tree"], "flaky ridge": _Breaks("without marker")}
    with pytest.warns(FitFailedWarning, match=r"'flaky ridge' failed .* 1 of 3"):
        auto = MultiTaskAutoRegressor(cands, **params).fit(X, Y)
    board = auto.leaderboard_
    S = board["fold_task_scores"]
    failed = np.isnan(S[1]).all(axis=1)
    assert failed.sum() == 1 and board["n_failed_folds"].tolist() == [0, 1]
    k = int(np.flatnonzero(failed)[0])
    assert f"(fold(s) [{k}])" in board["error"][1]
    # the folds that fitted score as the same ridge; they beat the tree on
    # task 0, but as in GridSearchCV a failed fold leaves no mean score
    np.testing.assert_allclose(S[1][~failed], S_ridge[~failed])
    assert (S[1][~failed, 0] > S[0][~failed, 0]).all()
    assert np.isnan(board["mean_score"][1]) and np.isnan(board["task_scores"][1]).all()
    assert board["rank"].tolist() == [1, 0]
    assert auto.task_winners_ == ["tree", "tree"]
    # the cross-validated choice of the way to choose copes with it too
    auto = MultiTaskAutoRegressor(cands, cv=3, random_state=0)
    with pytest.warns(FitFailedWarning):
        auto.fit(X, Y)
    assert np.isfinite(list(auto.selection_scores_.values())).all()
    assert auto.task_winners_ == ["tree", "tree"]
    # a number counts the failed fold with that score
    with pytest.warns(FitFailedWarning, match=r"error_score=-1\.0"):
        auto = MultiTaskAutoRegressor(cands, error_score=-1.0, **params).fit(X, Y)
    board = auto.leaderboard_
    np.testing.assert_array_equal(board["fold_task_scores"][1][k], [-1.0, -1.0])
    expected = (S_ridge[~failed].sum(axis=0) - 1.0) / 3
    np.testing.assert_allclose(board["task_scores"][1], expected)
    assert board["rank"].tolist() == [1, 2]


def test_all_candidates_failing_is_an_error_naming_them():
    X, Y = _mixed()
    cands = {"broken": _Breaks(), "flaky": _Breaks("without marker")}
    msg = (
        r"No candidate has a cross-validated score for task\(s\) \[0, 1\]: "
        r"'broken' failed on 3 of 3 folds: ValueError: the solver diverged "
        r"\(fold\(s\) \[0, 1, 2\]\); 'flaky' failed on 1 of 3 folds: ValueError"
    )
    auto = MultiTaskAutoRegressor(cands, cv=3)
    with pytest.warns(FitFailedWarning), pytest.raises(ValueError, match=msg):
        auto.fit(X, Y)
    assert not hasattr(auto, "leaderboard_")


def test_failure_at_the_final_refit_is_an_error():
    X, Y = _mixed(marked=False)
    cands = {
        "mean": PerTaskRegressor(DummyRegressor()),
        "big": _Breaks("refit", rows=len(X) - 1),
    }
    auto = MultiTaskAutoRegressor(cands, cv=3, per_task=False)
    msg = (
        r"chosen candidate 'big' failed to fit on all the data \(ValueError: the "
        r"solver diverged\) after fitting on 3 of 3 cross-validation folds"
    )
    with pytest.raises(ValueError, match=msg):
        auto.fit(X, Y)
    assert not hasattr(auto, "leaderboard_")


def test_time_budget_goes_on_until_a_candidate_has_a_score():
    X, Y = _mixed()
    cands = {"broken": _Breaks(), "pooled": PooledRidge(), **_candidates()}
    with pytest.warns(FitFailedWarning, match="'broken'"):
        auto = MultiTaskAutoRegressor(cands, cv=3, time_budget=1e-9).fit(X, Y)
    board = auto.leaderboard_
    assert board["rank"].tolist() == [0, 1, 0, 0]
    assert np.isfinite(board["fit_time"]).tolist() == [True, True, False, False]
    assert auto.best_name_ == "pooled"


def _reference_selection(S, failed, error_score):
    """The cross-validated choice with failed folds, written with loops."""
    n_cand, n_folds, T = S.shape
    S = np.where(failed[:, :, None], error_score, S)
    held = []
    for k in range(n_folds):
        others = [j for j in range(n_folds) if j != k]
        means = {}  # candidate -> per-task means over the other folds
        for c in range(n_cand):
            if all(failed[c, j] for j in others):
                continue  # no score
            m = [np.mean([S[c, j, t] for j in others]) for t in range(T)]
            if not np.isnan(m).any():
                means[c] = m
        if not means:
            continue
        one = max(means, key=lambda c: (np.mean(means[c]), -c))
        each = [max(means, key=lambda c: (means[c][t], -c)) for t in range(T)]
        held.append(
            (
                np.mean([S[one, k, t] for t in range(T)]),
                np.mean([S[each[t], k, t] for t in range(T)]),
            )
        )
    held = [h for h in held if not np.isnan(h).any()]
    return np.mean([h[0] for h in held]), np.mean([h[1] for h in held])


@pytest.mark.parametrize("error_score", [np.nan, -0.5])
@pytest.mark.parametrize("seed", range(5))
def test_the_cross_validated_choice_with_failed_folds(error_score, seed):
    from skmtl.meta._auto import _selection_scores

    rng = np.random.default_rng(seed)
    S = rng.uniform(0, 1, (4, 5, 3))
    failed = rng.uniform(size=(4, 5)) < 0.15
    failed[0] = False  # one candidate always scores
    S[failed] = error_score
    one, each = _reference_selection(S, failed, error_score)
    got = _selection_scores(S, failed)
    assert got == pytest.approx({"all tasks": one, "per task": each})


def test_a_diverging_mlp_is_skipped():
    pytest.importorskip("skorch")
    from skmtl.neural import MultiTaskMLPRegressor

    X, Y = _mixed(marked=False)
    mlp = MultiTaskMLPRegressor(
        optimizer="sgd", lr=1e8, max_epochs=2, random_state=0
    )  # the weights blow up: its fit raises
    cands = {"MLP": mlp, **_candidates()}
    with pytest.warns(FitFailedWarning, match="'MLP' failed .* 3 of 3 .* diverged"):
        auto = MultiTaskAutoRegressor(cands, cv=3, random_state=0).fit(X, Y)
    assert auto.leaderboard_["n_failed_folds"].tolist() == [3, 0, 0]
    assert "MLP" not in auto.task_winners_
