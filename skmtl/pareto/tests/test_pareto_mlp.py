"""The neural front (model='mlp'): trade-offs, extremes, transfer, layouts."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.neural_network import MLPRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks
from threadpoolctl import threadpool_limits

from skmtl.pareto import ParetoFrontRegressor
from skmtl.utils import wide_to_long

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

P5 = [[1, 0], [0.75, 0.25], [0.5, 0.5], [0.25, 0.75], [0, 1]]


def _conflict(n=200, seed=0):
    """Two nonlinear tasks that a one-unit bottleneck cannot serve at once."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    Y = np.column_stack([np.sin(2 * X[:, 0]) + X[:, 1], X[:, 0] ** 2 - X[:, 1]])
    return X, Y + 0.1 * rng.standard_normal((n, 2))


# a shared trunk ending in ONE unit with linear heads: the tasks must share a
# 1-D feature, so they genuinely trade off
NET = dict(model="mlp", trunk_layer_sizes=(16, 1), activation="tanh")


def _fit(X, Y, **kw):
    params = dict(
        preferences=P5,
        validation_fraction=0,
        batch_size=len(X),
        lr=0.03,
        max_iter=600,
        tol=1e-4,
        random_state=0,
        **NET,
    )
    params.update(kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return ParetoFrontRegressor(**params).fit(X, Y)


@pytest.fixture(scope="module")
def fronts():
    X, Y = _conflict()
    fits = {tr: _fit(X, Y, transfer=tr) for tr in (None, "mt2o")}
    # single-task networks of the same architecture (scikit-learn's
    # MLPRegressor, L-BFGS, one task at a time): normalised training losses
    refs = []
    for t in range(2):
        ref = MLPRegressor(
            hidden_layer_sizes=(16, 1),
            activation="tanh",
            solver="lbfgs",
            alpha=1e-4,
            max_iter=200,
            random_state=0,
        )
        with warnings.catch_warnings(), threadpool_limits(1):
            warnings.simplefilter("ignore", ConvergenceWarning)
            ref.fit(X, Y[:, t])
        refs.append(np.mean((ref.predict(X) - Y[:, t]) ** 2) / Y[:, t].var())
    return X, Y, fits, refs


@pytest.mark.parametrize("transfer", [None, "mt2o"])
def test_front_is_non_dominated_and_extremes_reach_single_task(fronts, transfer):
    X, Y, fits, refs = fronts
    front = fits[transfer]
    F = front.front_
    assert front.pareto_mask_.all()
    # a real trade-off: moving the preference towards task 0 lowers its loss
    assert np.all(np.diff(F[:, 0]) > 0) and np.all(np.diff(F[:, 1]) < 0)
    # members (1, 0) and (0, 1) approach the single-task networks
    for t, k in [(0, 0), (1, 4)]:
        assert refs[t] < 0.02
        assert F[k, t] < refs[t] + 0.03
        assert F[k, t] < 0.1 * F[2, t]  # far better than the compromise
        # front_ is the normalised training loss of the member's predictions
        pred = front.estimators_[k].predict(X)[:, t]
        np.testing.assert_allclose(
            np.mean((pred - Y[:, t]) ** 2) / Y[:, t].var(), F[k, t], rtol=1e-3
        )


def test_transfer_on_and_off_converge_to_the_same_front(fronts):
    fits = fronts[2]
    a, b = fits[None], fits["mt2o"]
    for f in (a, b):
        assert f.hypervolume_.shape == (f.n_iter_ + 1,)
        assert f.hypervolume_[0] == 0.0  # common start: predicting about the mean
        assert f.hypervolume_[-1] > f.hypervolume_[50] > 0
    assert a.n_transfers_ == 0
    assert abs(a.hypervolume_[-1] - b.hypervolume_[-1]) < 0.01
    # the interior members (no zero weight) agree closely
    np.testing.assert_allclose(a.front_[1:4], b.front_[1:4], atol=0.03)


def test_transfer_rule_by_hand():
    """The MT2O step mixes with cos+/(1+cos+)-weighted neighbours, keeps gains."""
    from types import SimpleNamespace

    from skmtl.pareto._neural import _transfer

    state = {"theta": torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])}
    targets = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 0.0]])

    def evaluate():  # member k's objective: squared distance to its target
        return (state["theta"] - targets).square().sum(1)

    def assign(theta):
        state["theta"] = theta.clone()

    grads = torch.tensor([[2.0, 0.0], [1.0, 0.0], [0.0, 3.0]])
    neighbours = np.array([[1, 2], [0, 2], [0, 1]])
    accepted = _transfer(
        SimpleNamespace(transfer_strength=0.5),
        lambda: state["theta"].clone(),
        assign,
        evaluate,
        grads,
        neighbours,
    )
    # member 0: only member 1 is aligned (cos 1, weight 1/2 -> normalised 1):
    # candidate (0.5, 0) is closer to its target, kept; member 1's candidate
    # (0.5, 0) is worse, refused; member 2 is orthogonal to both: no offer
    expected = torch.tensor([[0.5, 0.0], [1.0, 0.0], [0.0, 1.0]])
    torch.testing.assert_close(state["theta"], expected)
    assert accepted == 1


@pytest.mark.parametrize("every", [1, 3, None])
def test_transfer_runs_during_the_epochs(monkeypatch, every):
    """Transfers happen every ``transfer_every`` mini-batch steps, not per epoch."""
    import skmtl.pareto._neural as neural

    calls = []
    real = neural._transfer

    def spy(est, flat, assign, evaluate, grads, neighbours):
        calls.append(grads.shape)
        return real(est, flat, assign, evaluate, grads, neighbours)

    monkeypatch.setattr(neural, "_transfer", spy)
    X, Y = _conflict(n=100)
    f = _fit(X, Y, transfer="mt2o", transfer_every=every, batch_size=10, max_iter=4)
    steps = 4 * 10  # 10 mini-batches per epoch
    assert len(calls) == steps // (10 if every is None else every)
    assert all(shape == (5, calls[0][1]) for shape in calls)
    assert f.n_transfers_ <= 5 * len(calls)
    # the accepted transfers never raise a member's training objective, so the
    # run with transfers ends no worse than 10% of the hypervolume without
    g = _fit(X, Y, transfer=None, batch_size=10, max_iter=4)
    assert f.hypervolume_[-1] > 0.9 * g.hypervolume_[-1]


@pytest.mark.parametrize("scalarization", ["weighted_sum", "tchebycheff"])
def test_deterministic_with_random_state(scalarization):
    X, Y = _conflict(n=120)
    kw = dict(
        scalarization=scalarization,
        preferences=4,
        batch_size=32,
        max_iter=15,
        validation_fraction=0.25,
    )
    a = _fit(X, Y, **kw)
    b = _fit(X, Y, **kw)
    np.testing.assert_array_equal(a.front_, b.front_)
    np.testing.assert_array_equal(a.hypervolume_, b.hypervolume_)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    c = _fit(X, Y, random_state=1, **kw)
    assert not np.array_equal(a.predict(X), c.predict(X))


def test_wide_with_missing_labels_equals_long():
    X, Y = _conflict(n=120, seed=1)
    Y[np.random.default_rng(0).random(Y.shape) < 0.2] = np.nan
    kw = dict(preferences=3, max_iter=60, transfer="mt2o", batch_size=1000)
    wide = _fit(X, Y, **kw)
    X_long, y_long = wide_to_long(X, Y)
    long = _fit(X_long, y_long, task_column=-1, **kw)
    np.testing.assert_allclose(long.front_, wide.front_, atol=1e-4)
    np.testing.assert_allclose(long.hypervolume_, wide.hypervolume_, atol=1e-4)
    codes = X_long[:, -1].astype(int)
    expected = wide.predict(X_long[:, :-1])[np.arange(len(codes)), codes]
    np.testing.assert_allclose(long.predict(X_long), expected, atol=1e-4)


def test_sample_weights_zero_equal_dropped_rows():
    X, Y = _conflict(n=100)
    w = np.ones(100)
    w[:30] = 0.0
    kw = dict(preferences=3, max_iter=40, batch_size=1000, **_params())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = ParetoFrontRegressor(**kw).fit(X, Y, sample_weight=w)
        b = ParetoFrontRegressor(**kw).fit(X[30:], Y[30:])
    np.testing.assert_allclose(a.front_, b.front_, atol=1e-5)
    np.testing.assert_allclose(a.predict(X), b.predict(X), atol=1e-4)


def _params():
    return dict(
        validation_fraction=0,
        lr=0.03,
        tol=0,
        random_state=0,
        **NET,
    )


def test_select_predict_and_grid_search_over_preference():
    X, Y = _conflict(n=150)
    front = _fit(X, Y, preferences=3, max_iter=60, preference=[1, 0])
    member = front.select([0.9, 0.1])
    assert member is front.estimators_[int(np.argmax(front.preferences_[:, 0]))]
    np.testing.assert_allclose(front.predict(X), member.predict(X))
    assert front.score(X, Y) == pytest.approx(member.score(X, Y))
    with pytest.raises(AttributeError, match="model='linear' only"):
        front.coef_  # noqa: B018
    search = GridSearchCV(
        ParetoFrontRegressor(
            preferences=3, batch_size=200, lr=0.03, max_iter=100, random_state=0, **NET
        ),
        {"preference": [[1, 1], [1, 0]]},
        cv=KFold(3, shuffle=True, random_state=0),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, Y)
    # the mean R^2 over the two tasks is best with equal weights
    assert search.best_params_["preference"] == [1, 1]


def test_non_convergence_warns():
    X, Y = _conflict(n=60)
    with pytest.warns(ConvergenceWarning, match="did not converge in 12 epochs"):
        ParetoFrontRegressor(preferences=3, max_iter=12, random_state=0, **NET).fit(
            X, Y
        )


_SPLIT = (
    "the validation split and the mini-batch order are drawn at random over the "
    "rows, so zero-weight rows and removed rows give different fits"
)


@parametrize_with_checks(
    [
        ParetoFrontRegressor(
            preferences=3,
            model="mlp",
            trunk_layer_sizes=(8,),
            max_iter=20,
            lr=0.03,
            tol=1e-2,
            random_state=0,
        )
    ],
    expected_failed_checks=lambda est: {
        "check_sample_weight_equivalence_on_dense_data": _SPLIT,
        "check_sample_weight_equivalence_on_sparse_data": _SPLIT,
    },
)
def test_sklearn_checks_on_the_neural_front(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)
