import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.neighbors import KNeighborsRegressor
from sklearn.tree import DecisionTreeRegressor

from skmtl.datasets import make_multitask_regression
from skmtl.meta import RegressorChainEnsemble, StackedSingleTarget
from skmtl.utils import wide_to_long


@pytest.fixture
def wide():
    return make_multitask_regression(60, 4, 3, noise=1.0, random_state=0)


def _manual_oof(base, X, y, cv):
    """Out-of-fold predictions with fold models fitted on labelled rows only."""
    pred = np.empty(len(X))
    for train, test in KFold(cv).split(X):
        rows = train[~np.isnan(y[train])]
        pred[test] = base.fit(X[rows], y[rows]).predict(X[test])
    return pred


def test_sst_second_stage_learns_from_out_of_fold_predictions(wide):
    X, Y = wide
    # a full-depth tree memorises its training rows: in-sample predictions
    # would be exact, so a leak would show as oof == Y
    tree = DecisionTreeRegressor(random_state=0)
    sst = StackedSingleTarget(tree, cv=KFold(4)).fit(X, Y)
    for t in range(Y.shape[1]):
        np.testing.assert_allclose(
            sst.oof_predictions_[:, t], cross_val_predict(tree, X, Y[:, t], cv=4)
        )
        error = np.mean((sst.oof_predictions_[:, t] - Y[:, t]) ** 2)
        assert error > 0.1 * Y[:, t].var()
    # stage 2 saw X and the out-of-fold predictions of every target
    assert sst.estimators_[0].n_features_in_ == X.shape[1] + Y.shape[1]


def test_missing_labels_never_become_zeros(wide):
    X, Y = wide
    Y = Y.copy()
    Y[::4, 0] = np.nan
    Y[1::5, 2] = np.nan
    sst = StackedSingleTarget(Ridge(), cv=KFold(3)).fit(X, Y)
    for t in range(3):
        np.testing.assert_allclose(
            sst.oof_predictions_[:, t], _manual_oof(Ridge(), X, Y[:, t], 3)
        )
    assert np.all(sst.oof_predictions_[::4, 0] != 0.0)
    # a stage-2 model is fitted on its target's labelled rows and the stage-1
    # predictions, against a manual fit on the same inputs
    Z = np.hstack([X, sst.oof_predictions_])
    rows = ~np.isnan(Y[:, 0])
    ref = Ridge().fit(Z[rows], Y[rows, 0])
    np.testing.assert_allclose(sst.estimators_[0].coef_, ref.coef_)
    # ERC, one chain: link j sees X and the out-of-fold predictions of the
    # earlier links, computed from their own labelled rows
    erc = RegressorChainEnsemble(Ridge(), n_chains=1, cv=KFold(3), random_state=0)
    erc.fit(X, Y)
    order = erc.orders_[0]
    Z = X
    for j, t in enumerate(order):
        rows = ~np.isnan(Y[:, t])
        ref = Ridge().fit(Z[rows], Y[rows, t])
        np.testing.assert_allclose(erc.chains_[0][j].coef_, ref.coef_)
        Z = np.column_stack([Z, _manual_oof(Ridge(), Z, Y[:, t], 3)])


def test_chains_average_over_orders(wide):
    X, Y = wide
    erc = RegressorChainEnsemble(KNeighborsRegressor(3), n_chains=4, cv=3,
                                 random_state=1).fit(X, Y)  # fmt: skip
    manual = np.zeros_like(Y)
    for order, models in zip(erc.orders_, erc.chains_, strict=True):
        Z = X
        for t, m in zip(order, models, strict=True):
            p = m.predict(Z)
            manual[:, t] += p
            Z = np.column_stack([Z, p])
    np.testing.assert_allclose(erc.predict(X), manual / 4)
    assert len({tuple(o) for o in erc.orders_}) > 1


@pytest.mark.parametrize("cls", [StackedSingleTarget, RegressorChainEnsemble])
def test_long_data_is_refused_with_the_reason(cls, wide):
    X, Y = wide
    X_long, y_long = wide_to_long(X, Y)
    with pytest.raises(ValueError, match="needs wide data.*every row must belong"):
        cls(task_column=-1).fit(X_long, y_long)


@pytest.mark.parametrize("cls", [StackedSingleTarget, RegressorChainEnsemble])
def test_a_fold_without_a_tasks_labels_is_an_error(cls, wide):
    X, Y = wide
    Y = Y.copy()
    Y[:40, 1] = np.nan  # the last fold of 3 is the only one with task 1's labels
    with pytest.raises(ValueError, match="no labels for task 1.*fewer folds"):
        cls(cv=KFold(3)).fit(X, Y)


def test_int_cv_shuffles_ordered_rows(wide):
    # rows sorted by a target (as real files often are): unshuffled folds ask
    # the stage-1 trees to extrapolate; an int cv shuffles, seeded
    X, Y = wide
    order = np.argsort(Y[:, 0])
    X, Y = X[order], Y[order]
    tree = DecisionTreeRegressor(max_depth=3, random_state=0)
    shuffled = StackedSingleTarget(tree, cv=3, random_state=0).fit(X, Y)
    blocks = StackedSingleTarget(tree, cv=KFold(3)).fit(X, Y)
    err_shuffled = np.mean((shuffled.oof_predictions_ - Y) ** 2)
    err_blocks = np.mean((blocks.oof_predictions_ - Y) ** 2)
    assert err_shuffled < 0.75 * err_blocks
    again = StackedSingleTarget(tree, cv=3, random_state=0).fit(X, Y)
    np.testing.assert_array_equal(again.oof_predictions_, shuffled.oof_predictions_)
    # ERC draws its folds from the same seed
    erc = RegressorChainEnsemble(tree, n_chains=1, cv=3, random_state=0).fit(X, Y)
    erc_blocks = RegressorChainEnsemble(tree, n_chains=1, cv=KFold(3), random_state=0)
    assert not np.allclose(erc.predict(X), erc_blocks.fit(X, Y).predict(X))
