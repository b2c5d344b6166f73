"""Issue 19, item 8: a default fit ends by its stopping rule, never silently."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skmtl.neural import MultiTaskMLPClassifier, MultiTaskMLPRegressor, MultiTaskNet
from skmtl.neural._stopping import (
    MIN_VALID_LABELS,
    TaskStratifiedSplit,
    resolve_stopping,
)

#: the defaults but a narrow trunk and larger batches (fewer steps per epoch)
SMALL = dict(trunk_layer_sizes=(16,), batch_size=128, random_state=0)


def _regression(n, seed=0, n_tasks=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    W = rng.normal(size=(5, n_tasks))
    Y = X @ W + np.sin(2 * X[:, :1]) + 0.3 * rng.normal(size=(n, n_tasks))
    return X, Y


@pytest.fixture
def no_convergence_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        yield


def test_default_fit_stops_by_the_training_loss_rule(no_convergence_warning):
    X, Y = _regression(200)  # 20 held-out labels per task: too few to hold out
    model = MultiTaskMLPRegressor(**SMALL).fit(X, Y)
    assert model.monitor_ == "train_loss" and model.stop_reason_ == "train_loss"
    assert model.converged_ and model.n_iter_ < model.max_epochs
    assert not any("valid_loss" in h for h in model.history_)
    losses = [h["train_loss"] for h in model.history_]
    k, tol = model.n_iter_no_change, model.tol
    # the rule: no epoch of the last k improved on the best before by > tol
    assert min(losses[-k:]) > min(losses[:-k]) - tol
    assert model.best_loss_ == pytest.approx(min(losses))
    assert model.score(X, Y) > 0.8


def test_default_fit_on_enough_rows_stops_on_validation_and_keeps_best(
    no_convergence_warning,
):
    X, Y = _regression(600)  # 60 held-out labels per task
    model = MultiTaskMLPRegressor(**SMALL).fit(X, Y)
    assert model.monitor_ == "valid_loss" and model.stop_reason_ == "valid_loss"
    assert model.converged_ and model.n_iter_ < model.max_epochs
    valid = [h["valid_loss"] for h in model.history_]
    assert model.best_loss_ == pytest.approx(min(valid))
    assert model.best_epoch_ == int(np.argmin(valid)) + 1 < model.n_iter_
    # the returned weights are the best epoch's: recompute its loss
    Yenc = ((Y - model.y_mean_) / model.y_scale_).astype(np.float32)
    rows = TaskStratifiedSplit(0.1, "wide", 3, model._seed).valid_rows(Yenc)
    assert len(rows) == 60
    pred = (model.predict(X[rows]) - model.y_mean_) / model.y_scale_
    loss = ((pred - Yenc[rows]) ** 2).mean(0).sum()
    assert loss == pytest.approx(model.best_loss_, rel=1e-5)
    assert abs(loss - valid[-1]) > model.tol


def test_max_epochs_too_small_warns():
    X, Y = _regression(200)
    with pytest.warns(ConvergenceWarning, match="max_epochs=3 before its stopping"):
        model = MultiTaskMLPRegressor(**SMALL, max_epochs=3).fit(X, Y)
    assert not model.converged_ and model.stop_reason_ == "max_epochs"
    assert model.n_iter_ == 3
    with pytest.warns(ConvergenceWarning, match="improved by more than tol"):
        MultiTaskMLPRegressor(**SMALL, max_epochs=15, lr=1e-4).fit(X, Y)


def test_early_stopping_false_runs_max_epochs_and_says_if_settled():
    X, Y = _regression(200)
    with pytest.warns(ConvergenceWarning, match="early_stopping='auto'"):
        model = MultiTaskMLPRegressor(**SMALL, max_epochs=5, early_stopping=False)
        model.fit(X, Y)
    assert model.n_iter_ == 5 and model.stop_reason_ == "max_epochs"
    # long enough to settle: the rule watched, no warning, all epochs run
    model = MultiTaskMLPRegressor(**SMALL, max_epochs=400, early_stopping=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(X, Y)
    assert model.n_iter_ == 400 and model.converged_
    assert model.stop_reason_ == "max_epochs"


def test_resolve_stopping_is_sized_by_the_smallest_task():
    need = MIN_VALID_LABELS * 10  # at validation_fraction=0.1
    assert resolve_stopping("auto", [need, 10**6], 0.1, False) == "valid_loss"
    assert resolve_stopping("auto", [need - 1, 10**6], 0.1, False) == "train_loss"
    assert resolve_stopping("auto", [need, need], 0.2, False) == "valid_loss"
    assert resolve_stopping("auto", [10**6], 0.1, True) == "train_loss"
    assert resolve_stopping(True, [5], 0.1, False) == "valid_loss"
    assert resolve_stopping(False, [10**6], 0.1, False) is None


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_split_holds_out_every_tasks_share_of_its_labels(seed):
    rng = np.random.default_rng(seed)
    n, T = 400, 4
    Y = rng.normal(size=(n, T)).astype(np.float32)
    Y[rng.random((n, T)) < [0.0, 0.5, 0.9, 1.0]] = np.nan
    Y[[5, 6], 3] = [1.0, 2.0]  # task 3: 2 labelled rows, one held out
    split = TaskStratifiedSplit(0.2, "wide", T, seed)
    rows = split.valid_rows(Y)
    assert np.array_equal(rows, np.unique(rows))
    for t in range(T):
        lab = ~np.isnan(Y[:, t])
        held = lab[rows].sum()
        assert max(1, round(0.2 * lab.sum())) <= held < lab.sum()
    assert np.array_equal(rows, split.valid_rows(Y))  # deterministic
    # long data: exactly each task's share, only labelled rows
    codes = rng.integers(0, 3, size=300)
    vals = rng.normal(size=300)
    vals[::7] = np.nan
    Yl = np.column_stack([codes, vals]).astype(np.float32)
    rows = TaskStratifiedSplit(0.1, "long", 3, seed).valid_rows(Yl)
    assert not np.isnan(vals[rows]).any()
    for t in range(3):
        n_t = np.sum((codes == t) & ~np.isnan(vals))
        assert np.sum(codes[rows] == t) == round(0.1 * n_t)


def test_validation_with_missing_labels_scores_every_task(no_convergence_warning):
    X, Y = _regression(700, seed=1, n_tasks=3)
    Y[np.random.default_rng(0).random(Y.shape) < 0.2] = np.nan  # 560 per task
    model = MultiTaskMLPRegressor(**SMALL).fit(X, Y)
    assert model.monitor_ == "valid_loss" and model.converged_
    task_losses = np.array([h["valid_task_losses"] for h in model.history_])
    assert np.isfinite(task_losses).all()


def test_default_fit_is_deterministic():
    X, Y = _regression(600)
    a = MultiTaskMLPRegressor(**SMALL).fit(X, Y)
    b = MultiTaskMLPRegressor(**SMALL).fit(X, Y)
    assert a.n_iter_ == b.n_iter_ and a.best_epoch_ == b.best_epoch_
    assert np.array_equal(a.predict(X), b.predict(X))


def test_classifier_default_stops_by_the_rule(no_convergence_warning):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 4))
    Y = np.column_stack([X[:, 0] + X[:, 1] > 0, np.digitize(X[:, 2], [-0.5, 0.5])])
    clf = MultiTaskMLPClassifier(**{**SMALL, "batch_size": 240}).fit(X, Y)
    assert clf.stop_reason_ == "train_loss" and clf.n_iter_ < clf.max_epochs
    assert clf.score(X, Y) > 0.95
    Xl = rng.normal(size=(600, 4))  # 600 rows: the validation rule
    yl = Xl[:, 0] > 0.3
    clf = MultiTaskMLPClassifier(**SMALL).fit(Xl, yl)
    assert clf.stop_reason_ == "valid_loss" and clf.converged_


def test_mixed_net_and_warm_start_restart_the_rule(no_convergence_warning):
    X, Y = _regression(200, n_tasks=2)
    Y[:, 1] = Y[:, 1] > 0
    net = MultiTaskNet(task_types=["regression", "binary"], **SMALL, warm_start=True)
    net.fit(X, Y)
    first = net.n_iter_
    assert net.stop_reason_ == "train_loss"
    net.fit(X, Y)  # continues; the rule counts this fit's epochs only
    assert net.n_iter_ > first and net.converged_


def test_partial_fit_never_holds_rows_out():
    X, Y = _regression(1000)
    model = MultiTaskMLPRegressor(**SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.partial_fit(X, Y)
    assert model.n_iter_ == 1 and model.monitor_ == "train_loss"
    assert "valid_loss" not in model.history_[-1]


def test_a_callback_that_ends_the_fit_is_no_max_epochs_warning():
    from skorch.callbacks import Callback

    class StopAt3(Callback):
        def on_epoch_end(self, net, **kwargs):
            if len(net.history) == 3:
                raise KeyboardInterrupt

    X, Y = _regression(200)
    model = MultiTaskMLPRegressor(**SMALL, callbacks=[StopAt3()])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(X, Y)
    assert model.n_iter_ == 3 and model.stop_reason_ == "interrupted"
    assert not model.converged_
