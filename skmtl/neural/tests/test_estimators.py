"""The scikit-learn facing neural estimators."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmtl.datasets import make_multitask_regression
from skmtl.neural import MultiTaskMLPClassifier, MultiTaskMLPRegressor, MultiTaskNet
from skmtl.utils import wide_to_long

FAST = dict(trunk_layer_sizes=(8,), max_epochs=3, batch_size=32, lr=0.01)


@pytest.fixture
def reg_data():
    X, Y = make_multitask_regression(120, 5, 3, random_state=0)
    return X, Y


def test_fit_predict_shapes_and_history(reg_data):
    X, Y = reg_data
    m = MultiTaskMLPRegressor(**FAST, random_state=0).fit(X, Y)
    assert m.predict(X).shape == (120, 3)
    assert m.n_iter_ == 3
    assert m.gradient_conflicts_.shape == (3, 3, 3)
    assert np.allclose(np.diagonal(m.gradient_conflicts_, axis1=1, axis2=2), 1.0)
    assert m.train_task_losses_.shape == (3, 3)
    assert m.task_weights_.shape == (3, 3)
    last = m.history_[-1]
    for key in ("train_loss", "train_task_losses", "task_weights", "grad_cosine"):
        assert key in last
    # the reported train loss is the sum of the per-task losses
    assert last["train_loss"] == pytest.approx(sum(last["train_task_losses"]), 1e-5)


def test_same_seed_same_predictions_and_global_rng_untouched(reg_data):
    X, Y = reg_data
    state = torch.random.get_rng_state()
    p1 = MultiTaskMLPRegressor(**FAST, random_state=3).fit(X, Y).predict(X)
    assert torch.equal(state, torch.random.get_rng_state())  # fit + predict
    p2 = MultiTaskMLPRegressor(**FAST, random_state=3).fit(X, Y).predict(X)
    p3 = MultiTaskMLPRegressor(**FAST, random_state=4).fit(X, Y).predict(X)
    assert np.array_equal(p1, p2)
    assert not np.allclose(p1, p3)


@pytest.mark.parametrize("aggregator", [None, "mgda"])
def test_clone_and_pickle_round_trip(reg_data, aggregator):
    X, Y = reg_data
    m = MultiTaskMLPRegressor(
        **FAST, weighting="uncertainty", aggregator=aggregator, random_state=0
    ).fit(X, Y)
    c = clone(m)
    assert not hasattr(c, "net_") and c.get_params() == m.get_params()
    m2 = pickle.loads(pickle.dumps(m))
    assert np.array_equal(m.predict(X), m2.predict(X))


def test_missing_labels_are_masked(reg_data):
    """Wide data with NaN trains exactly like the same labels in long layout."""
    X, Y = reg_data
    rng = np.random.default_rng(0)
    Y = Y.copy()
    Y[rng.random(Y.shape) < 0.3] = np.nan
    params = dict(FAST, batch_size=1000, random_state=0)  # one full batch
    wide = MultiTaskMLPRegressor(**params).fit(X, Y)
    Xl, yl = wide_to_long(X, Y)
    long = MultiTaskMLPRegressor(**params, task_column=-1).fit(Xl, yl)
    rows = np.arange(len(Xl))
    expected = wide.predict(Xl[:, :-1])[rows, Xl[:, -1].astype(int)]
    assert np.allclose(long.predict(Xl), expected, atol=1e-5)
    assert np.allclose(wide.y_mean_, long.y_mean_)


@pytest.mark.parametrize("layout", ["wide", "long"])
def test_grid_search_in_pipeline(reg_data, layout):
    X, Y = reg_data
    grid = {
        "net__weighting": ["equal", "dwa"],
        "net__aggregator": [None, "pcgrad"],
        "net__trunk_layer_sizes": [(4,), (8,)],
    }
    net = MultiTaskMLPRegressor(**{**FAST, "max_epochs": 2}, random_state=0)
    if layout == "wide":
        pipe = make_pipeline(StandardScaler(), net)
        data = (X, Y)
    else:
        data = wide_to_long(X, Y)
        scale = ColumnTransformer(
            [("scale", StandardScaler(), list(range(X.shape[1])))],
            remainder="passthrough",
        )
        net.set_params(task_column=-1)
        pipe = make_pipeline(scale, net)
    pipe.steps[-1] = ("net", pipe.steps[-1][1])
    cv = KFold(2, shuffle=True, random_state=0)
    search = GridSearchCV(pipe, grid, cv=cv).fit(*data)
    assert len(search.cv_results_["params"]) == 8
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.predict(data[0]).shape == np.shape(data[1])


@pytest.mark.parametrize("architecture", ["shared_bottom", "mmoe", "ple"])
@pytest.mark.parametrize("aggregator", [None, "mgda", "pcgrad", "cagrad", "nash"])
def test_architectures_and_aggregators_fit(reg_data, architecture, aggregator):
    X, Y = reg_data
    m = MultiTaskMLPRegressor(
        **{**FAST, "max_epochs": 2, "trunk_layer_sizes": (8, 4)},
        architecture=architecture,
        n_experts=2,
        aggregator=aggregator,
        random_state=0,
    ).fit(X, Y)
    assert np.all(np.isfinite(m.predict(X)))
    if aggregator is not None:  # task gradients computed on every batch
        assert m.task_weights_.shape == (2, 3)


@pytest.mark.parametrize("architecture", ["shared_bottom", "mmoe", "ple"])
def test_shared_parameters_partition(architecture):
    """Each entry of a non-shared parameter gets gradient from one task only.

    Fused heads and gates hold every task's weights in one tensor, so the
    partition is checked entry by entry.
    """
    from skmtl.neural._modules import PLE, MMoE, SharedBottom

    cls = {"shared_bottom": SharedBottom, "mmoe": MMoE, "ple": PLE}[architecture]
    torch.manual_seed(0)
    mod = cls(5, [1, 1, 1], trunk_layer_sizes=(6, 4, 3), activation="tanh")
    out = mod(torch.randn(16, 5))
    shared = {id(p) for p in mod.shared_parameters()}
    params = list(mod.parameters())
    reached = [torch.zeros_like(p) for p in params]  # tasks reaching each entry
    tensor_tasks = [0] * len(params)  # tasks reaching each tensor
    for t in range(3):
        grads = torch.autograd.grad(
            out[:, t].sum(), params, retain_graph=True, allow_unused=True
        )
        for k, g in enumerate(grads):
            if g is not None and g.abs().sum() > 0:
                reached[k] += g != 0
                tensor_tasks[k] += 1
    for k, p in enumerate(params):
        if id(p) in shared:
            assert tensor_tasks[k] >= 2
        else:
            assert reached[k].max() <= 1


@pytest.mark.parametrize("aggregator", [None, "mgda"])
@pytest.mark.parametrize("weighting", ["uncertainty", "dwa", "gradnorm", [1, 2, 0.5]])
def test_weightings_fit(reg_data, weighting, aggregator):
    X, Y = reg_data
    m = MultiTaskMLPRegressor(
        **FAST, weighting=weighting, aggregator=aggregator, random_state=0
    ).fit(X, Y)
    w = m.task_weights_
    assert w.shape == (3, 3) and np.all(np.isfinite(w))
    if aggregator is not None:  # effective coefficients: not the raw weights
        return
    if weighting == "gradnorm":
        assert np.allclose(w.sum(1), 3.0, atol=1e-4)
    if weighting == "uncertainty":  # learned: the weights moved from 1/2
        assert not np.allclose(w[-1], 0.5)
    if isinstance(weighting, list):
        assert np.allclose(w, [1, 2, 0.5])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_classifier_binary_and_multiclass():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    Y = np.column_stack(
        [(X[:, 0] > 0) * 2 + 3, np.digitize(X[:, 1], [-0.5, 0.5])]
    ).astype(float)
    Y[::7, 1] = np.nan
    clf = MultiTaskMLPClassifier(
        trunk_layer_sizes=(16,), max_epochs=15, lr=0.02, random_state=0
    ).fit(X, Y)
    assert [c.tolist() for c in clf.classes_] == [[3, 5], [0, 1, 2]]
    proba = clf.predict_proba(X)
    assert [p.shape for p in proba] == [(300, 2), (300, 3)]
    assert np.allclose([p.sum(1) for p in proba], 1.0)
    pred = clf.predict(X)
    assert pred.dtype.kind == "i"
    assert np.array_equal(pred[:, 1], clf.classes_[1][proba[1].argmax(1)])
    assert clf.score(X, Y) > 0.85


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_mixed_tasks_net_long_layout():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    Y = np.column_stack([X @ [1.0, -1.0, 0.5], X[:, 2] > 0]).astype(float)
    Xl, yl = wide_to_long(X, Y)
    net = MultiTaskNet(
        task_types=["regression", "classification"],
        trunk_layer_sizes=(16,),
        max_epochs=10,
        lr=0.02,
        task_column=-1,
        random_state=0,
    ).fit(Xl, yl)
    assert net.task_types_ == ["regression", "binary"]
    assert net.classes_[0] is None and net.classes_[1].tolist() == [0, 1]
    pred = net.predict(Xl)
    assert pred.shape == (len(yl),)
    cls_rows = Xl[:, -1] == 1
    assert set(np.unique(pred[cls_rows])) <= {0.0, 1.0}
    assert net.score(Xl, yl) > 0.5
    assert net.predict_proba(Xl).shape == (len(yl), 2)  # each row's own task


def test_bad_task_types():
    X, Y = make_multitask_regression(30, 3, 2, random_state=0)
    with pytest.raises(ValueError, match="one type per task"):
        MultiTaskNet(task_types=["regression"], max_epochs=1).fit(X, Y)
    with pytest.raises(ValueError, match="continuous"):
        MultiTaskNet(task_types=["regression", "binary"], max_epochs=1).fit(X, Y)


def test_warm_start_and_partial_fit(reg_data):
    X, Y = reg_data
    m = MultiTaskMLPRegressor(**FAST, warm_start=True, random_state=0).fit(X, Y)
    net = m.net_
    m.fit(X, Y)
    assert m.net_ is net and m.n_iter_ == 6
    p = MultiTaskMLPRegressor(**FAST, random_state=0)
    for _ in range(4):
        p.partial_fit(X, Y)
    assert p.n_iter_ == 4 and p.gradient_conflicts_.shape[0] == 4


def test_convergence_warning(reg_data):
    X, Y = reg_data
    params = dict(FAST, max_epochs=4, n_iter_no_change=2, random_state=0)
    with pytest.warns(ConvergenceWarning, match="max_epochs=4.*tol=0.0001"):
        MultiTaskMLPRegressor(**params).fit(X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        MultiTaskMLPRegressor(**params, tol=1e6).fit(X, Y)


def test_early_stopping_records_valid_losses(reg_data):
    X, Y = reg_data
    m = MultiTaskMLPRegressor(
        **{**FAST, "max_epochs": 30},
        early_stopping=True,
        n_iter_no_change=2,
        tol=10.0,  # never "improves": stops after the patience
        random_state=0,
    ).fit(X, Y)
    assert m.n_iter_ == 3
    assert len(m.history_[-1]["valid_task_losses"]) == 3


def test_cuda_device():
    X, Y = make_multitask_regression(40, 3, 2, random_state=0)
    m = MultiTaskMLPRegressor(**FAST, device="cuda", random_state=0)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            m.fit(X, Y)
        return
    m.fit(X, Y)  # pragma: no cover - only on GPU machines
    cpu = MultiTaskMLPRegressor(**FAST, device="cpu", random_state=0).fit(X, Y)
    assert np.allclose(m.predict(X), cpu.predict(X), atol=1e-3)


def _conflict_problem(seed, n=512):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8))
    ya = 100 * np.tanh(X[:, :4] @ np.array([1.0, -1.0, 0.5, 0.5]))
    yb = np.tanh(X[:, 4:] @ np.array([1.0, 1.0, -0.5, 0.5]))
    return X, np.column_stack([ya, yb])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("aggregator", ["nash", "cagrad"])
def test_aggregator_reduces_worst_task_loss(aggregator):
    """Two tasks compete for a 2-unit bottleneck; task A's loss is 10^4 times
    larger, so equal weighting spends the trunk on A and leaves B unlearned
    (normalised test MSE ~ 1). Nash-MTL and CAGrad lower the worst task's
    normalised MSE (measured with seed 0: 1.03 -> 0.61 and 0.57)."""
    Xtr, Ytr = _conflict_problem(0)
    Xte, Yte = _conflict_problem(1)
    params = dict(
        trunk_layer_sizes=(16, 2),
        standardize_targets=False,
        lr=0.01,
        max_epochs=25,
        batch_size=128,
        random_state=0,
    )

    def worst(model):
        P = model.fit(Xtr, Ytr).predict(Xte)
        return (((P - Yte) ** 2).mean(0) / Yte.var(0)).max()

    w_equal = worst(MultiTaskMLPRegressor(**params))
    w_agg = worst(MultiTaskMLPRegressor(**params, aggregator=aggregator))
    assert w_equal > 0.9
    assert w_agg < 0.75 * w_equal


def test_verbose_prints_epoch_table(reg_data, capsys):
    X, Y = reg_data
    MultiTaskMLPRegressor(**FAST, verbose=1, random_state=0).fit(X, Y)
    out = capsys.readouterr().out
    assert "train_loss" in out and "grad_cosine" not in out
    MultiTaskMLPRegressor(**FAST, random_state=0).fit(X, Y)
    assert capsys.readouterr().out == ""


def _sum_direction(J):
    return J.sum(0)


def test_callable_aggregator_sum_equals_plain_backward(reg_data):
    X, Y = reg_data
    plain = MultiTaskMLPRegressor(**FAST, random_state=0).fit(X, Y)
    summed = MultiTaskMLPRegressor(
        **FAST, aggregator=_sum_direction, random_state=0
    ).fit(X, Y)
    assert np.allclose(plain.predict(X), summed.predict(X), atol=1e-5)
    assert np.allclose(summed.task_weights_, 1.0, atol=1e-4)


def test_callable_aggregator_bad_output(reg_data):
    X, Y = reg_data
    with pytest.raises(ValueError, match="callable aggregator must map"):
        MultiTaskMLPRegressor(**FAST, aggregator=lambda J: J).fit(X, Y)


def test_torchjd_aggregator_adapter(reg_data):
    aggregation = pytest.importorskip("torchjd.aggregation")
    from skmtl.neural._aggregators import mgda

    G = torch.randn(
        3, 20, dtype=torch.float64, generator=torch.Generator().manual_seed(0)
    )
    K = (G @ G.T).numpy()
    ours = torch.as_tensor(mgda(K)) @ G
    theirs = 3 * aggregation.MGDA(epsilon=1e-8, max_iters=10000)(G)
    assert torch.allclose(ours, theirs, atol=1e-4)
    X, Y = reg_data
    m = MultiTaskMLPRegressor(**FAST, aggregator=aggregation.MGDA(), random_state=0)
    m.fit(X, Y)
    assert np.allclose(m.task_weights_.sum(1), 1.0, atol=1e-3)  # convex weights
    assert np.array_equal(pickle.loads(pickle.dumps(m)).predict(X), m.predict(X))


def test_skorch_callbacks_pass_through(reg_data):
    from skorch.callbacks import LRScheduler

    X, Y = reg_data
    sched = LRScheduler(policy="StepLR", step_size=1, gamma=0.5)
    m = MultiTaskMLPRegressor(**FAST, callbacks=[("lr", sched)], random_state=0).fit(
        X, Y
    )
    lr = m.net_.optimizer_.param_groups[0]["lr"]
    assert lr == pytest.approx(0.01 * 0.5**3)
    assert not hasattr(sched, "lr_scheduler_")  # the parameter is not mutated


def test_inference_runs_in_large_batches():
    """Predicting used the training batch size (64): 15,625 batches for 1e6
    rows, ten times the time of the same network on 65,536-row batches."""
    from skorch.dataset import Dataset

    rng = np.random.default_rng(0)
    X = rng.standard_normal((3000, 32)).astype(np.float32)
    Y = X[:, :3] @ rng.standard_normal((3, 2))
    est = MultiTaskMLPRegressor(max_epochs=2, random_state=0).fit(X, Y)
    batches = est.net_.get_iterator(Dataset(X), training=False)
    assert batches.batch_size == 65536 and len(batches) == 1
    wide = MultiTaskMLPRegressor(
        trunk_layer_sizes=(4096,), max_epochs=1, random_state=0
    ).fit(X, Y)
    # the widest layer bounds the batch: 2**24 activations of 4096 units
    assert wide.net_.get_iterator(Dataset(X), training=False).batch_size == 4096
    # training batches are unchanged, and so are the predictions
    assert est.net_.get_iterator(Dataset(X), training=True).batch_size == 64
    big = est.predict(X)
    est.net_.iterator_valid__batch_size = 64
    np.testing.assert_allclose(est.predict(X), big, rtol=1e-6, atol=1e-6)
