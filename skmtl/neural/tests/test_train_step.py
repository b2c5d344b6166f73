"""MultiTaskSkorchNet.train_step: the closure-free step equals skorch's."""

import numpy as np
import pytest
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback

from skmtl.datasets import make_multitask_regression
from skmtl.neural import MultiTaskMLPRegressor
from skmtl.neural._net import MultiTaskSkorchNet


class _GradNorms(Callback):
    """Records the gradient norm at every on_grad_computed, and counts batches."""

    def initialize(self):
        self.norms, self.batches = [], 0
        return self

    def on_grad_computed(self, net, named_parameters, **kwargs):
        self.norms.append(
            float(sum(p.grad.square().sum() for _, p in named_parameters))
        )

    def on_batch_end(self, net, **kwargs):
        self.batches += 1


def _fit(callbacks=None, optimizer="adam", lr=1e-2, **kw):
    X, Y = make_multitask_regression(120, 5, 3, random_state=0)
    return MultiTaskMLPRegressor(
        **kw,
        trunk_layer_sizes=(8,),
        batch_size=32,
        max_epochs=4,
        early_stopping=False,
        optimizer=optimizer,
        callbacks=callbacks,
        random_state=0,
        lr=lr,
    ).fit(X.astype(np.float32), Y.astype(np.float32))


def _params(model):
    return [p.detach().clone() for p in model.net_.module_.parameters()]


def test_closure_free_step_equals_skorchs_step(monkeypatch):
    fast = _fit([("g", _GradNorms())])
    monkeypatch.setattr(MultiTaskSkorchNet, "train_step", NeuralNet.train_step)
    slow = _fit([("g", _GradNorms())])
    fast_cb = dict(fast.net_.callbacks_)["g"]
    slow_cb = dict(slow.net_.callbacks_)["g"]
    for a, b in zip(_params(fast), _params(slow), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    # the callback heard every batch, with the same gradients
    assert fast_cb.batches == slow_cb.batches == 4 * 4
    np.testing.assert_allclose(fast_cb.norms, slow_cb.norms, rtol=1e-6)
    assert len(fast_cb.norms) == 16


def test_lbfgs_keeps_the_closure():
    # L-BFGS's step needs the closure (it re-evaluates the loss)
    model = _fit(optimizer=torch.optim.LBFGS, lr=1.0)
    losses = [h["train_loss"] for h in model.net_.history]
    assert len(losses) == 4 and np.isfinite(losses).all()
    assert losses[-1] < losses[0]


def test_lean_epoch_loop_records_what_skorchs_loop_records(monkeypatch):
    fast = _fit()
    monkeypatch.setattr(
        MultiTaskSkorchNet, "run_single_epoch", NeuralNet.run_single_epoch
    )
    monkeypatch.setattr(MultiTaskSkorchNet, "train_step", NeuralNet.train_step)
    slow = _fit()
    for a, b in zip(_params(fast), _params(slow), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    keys = ("train_loss", "train_batch_size")
    for ha, hb in zip(fast.net_.history, slow.net_.history, strict=True):
        assert ha["train_batch_count"] == hb["train_batch_count"] == 4
        assert [[b[k] for k in keys] for b in ha["batches"]] == [
            [b[k] for k in keys] for b in hb["batches"]
        ]
        assert ha["train_loss"] == hb["train_loss"]


def test_unit_weights_sum_the_losses_and_learned_weights_do_not():
    from skmtl.neural._weighting import DynamicWeightAverage, FixedWeighting

    losses = torch.tensor([1.0, 2.0, 4.0])
    assert FixedWeighting([1.0, 1.0, 1.0]).unit
    assert float(FixedWeighting([1.0, 1.0, 1.0]).objective(losses)) == 7.0
    assert float(FixedWeighting([1.0, 0.5, 0.25]).objective(losses)) == 3.0
    dwa = DynamicWeightAverage(3)
    assert not dwa.unit  # its weights move after the first epochs


def test_named_optimizers_are_fused_and_step_as_the_per_tensor_loop():
    # 'adam', 'adamw' and 'sgd' use torch's fused kernel; a class runs as given
    for name in ("adam", "adamw", "sgd"):
        assert _fit(optimizer=name).net_.optimizer_.defaults["fused"] is True
    assert "fused" not in _fit(optimizer="rmsprop").net_.optimizer_.defaults
    plain = _fit(optimizer=torch.optim.Adam)
    assert not plain.net_.optimizer_.defaults["fused"]
    fused = _fit(optimizer="adam")
    # the same update up to float rounding, after 16 steps
    for a, b in zip(_params(fused), _params(plain), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    assert not torch.equal(
        *[
            torch.cat([p.ravel() for p in _params(m)])
            for m in (fused, _fit(optimizer="sgd"))
        ]
    )


def test_fit_leaves_the_global_generators_alone_and_repeats_itself():
    state = torch.random.get_rng_state()
    a, b = _fit(), _fit()
    assert torch.equal(state, torch.random.get_rng_state())
    for p, q in zip(_params(a), _params(b), strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=0)


def test_wide_regression_targets_are_encoded_at_once():
    # the vectorised encoding equals the per-task one it replaced, NaN kept
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    Y = rng.normal(loc=[1.0, -3.0, 10.0], scale=[1.0, 5.0, 0.1], size=(60, 3))
    Y[rng.random(Y.shape) < 0.2] = np.nan
    model = MultiTaskMLPRegressor(max_epochs=1)
    data = model._validate_fit(X, Y, reset=True)
    enc = model._encode_targets(data, reset=True)
    assert enc.dtype == np.float32
    for t in range(3):
        obs = ~np.isnan(Y[:, t])
        m = Y[obs, t].mean()
        sd = Y[obs, t].std()
        np.testing.assert_allclose(model.y_mean_[t], m)
        np.testing.assert_allclose(enc[obs, t], (Y[obs, t] - m) / sd, rtol=1e-6)
        assert np.isnan(enc[~obs, t]).all()


@pytest.mark.parametrize(
    "kw, plain_steps",
    [
        # conflict tracking: the first batch of each epoch takes train_step
        ({}, 4 * 3),
        ({"track_gradient_conflicts": False}, 4 * 4),
        ({"weighting": [1.0, 0.5, 2.0]}, 4 * 3),
        ({"weighting": "uncertainty"}, 0),  # learned weights
        ({"aggregator": "mgda"}, 0),
    ],
)
def test_plain_steps_equal_train_step(monkeypatch, kw, plain_steps):
    from skmtl.neural._losses import MultiTaskLoss

    calls = []
    forward = MultiTaskLoss.forward

    def spy(self, y_pred, y_true, *complete):
        if complete:  # the loss of a plain step is told whether labels miss
            calls.append(len(y_pred))
        return forward(self, y_pred, y_true, *complete)

    monkeypatch.setattr(MultiTaskLoss, "forward", spy)
    fast = _fit(**kw)
    assert len(calls) == plain_steps
    monkeypatch.undo()
    monkeypatch.setattr(
        MultiTaskSkorchNet, "run_single_epoch", NeuralNet.run_single_epoch
    )
    monkeypatch.setattr(MultiTaskSkorchNet, "train_step", NeuralNet.train_step)
    slow = _fit(**kw)
    for a, b in zip(_params(fast), _params(slow), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    for ha, hb in zip(fast.net_.history, slow.net_.history, strict=True):
        assert [b["train_loss"] for b in ha["batches"]] == [
            b["train_loss"] for b in hb["batches"]
        ]
        assert ha["task_weights"] == hb["task_weights"]
        assert ha["train_task_losses"] == hb["train_task_losses"]


def test_a_subclass_step_is_not_bypassed():
    # a net whose train_step_single is overridden keeps its own step
    seen = []

    class Net(MultiTaskSkorchNet):
        def train_step_single(self, batch, **fit_params):
            seen.append(1)
            return super().train_step_single(batch, **fit_params)

    model = _fit(track_gradient_conflicts=False)
    model.net_.__class__ = Net
    X, Y = make_multitask_regression(120, 5, 3, random_state=0)
    model.net_.partial_fit(X.astype(np.float32), Y.astype(np.float32))
    assert len(seen) == 4 * 4  # max_epochs=4 epochs of 4 batches, every one


def test_labels_checked_once_per_data_set():
    from skorch.dataset import Dataset

    from skmtl.neural._losses import MultiTaskLoss
    from skmtl.neural._net import TensorBatchIterator

    X, Y = make_multitask_regression(64, 4, 3, random_state=0)
    X, Y = X.astype(np.float32), Y.astype(np.float32)
    assert TensorBatchIterator(Dataset(X, Y), 16).labels_complete
    Y[5, 2] = np.nan
    assert not TensorBatchIterator(Dataset(X, Y), 16).labels_complete
    loss = MultiTaskLoss(["regression"] * 3, [1, 1, 1])
    pred = torch.randn(64, 3)
    y = torch.from_numpy(Y)
    # unchecked (None) and vouched-incomplete (False) mask the NaN label
    a, ca = loss(pred, y)
    b, cb = loss(pred, y, False)
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert ca.tolist() == cb.tolist() == [64, 64, 63]
    assert torch.isfinite(a).all()
    full = torch.nan_to_num(y)
    c, cc = loss(pred, full, True)
    d, _ = loss(pred, full)
    torch.testing.assert_close(c, d, rtol=0, atol=0)
    assert cc.tolist() == [64, 64, 64]


def test_missing_labels_plain_steps_equal_skorchs_loop(monkeypatch):
    X, Y = make_multitask_regression(120, 5, 3, random_state=0)
    Y[::4, 0] = np.nan
    Y[1::7, 2] = np.nan
    kw = dict(trunk_layer_sizes=(8,), batch_size=32, max_epochs=4, random_state=0)
    kw.update(early_stopping=False, track_gradient_conflicts=False)
    fast = MultiTaskMLPRegressor(**kw).fit(X, Y)
    monkeypatch.setattr(
        MultiTaskSkorchNet, "run_single_epoch", NeuralNet.run_single_epoch
    )
    monkeypatch.setattr(MultiTaskSkorchNet, "train_step", NeuralNet.train_step)
    slow = MultiTaskMLPRegressor(**kw).fit(X, Y)
    for a, b in zip(_params(fast), _params(slow), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert (
        fast.history_[-1]["train_task_losses"]
        == (slow.history_[-1]["train_task_losses"])
    )


def test_a_patched_train_step_is_not_bypassed(monkeypatch):
    # replacing MultiTaskSkorchNet.train_step itself also turns plain steps off
    calls = []

    def step(self, batch, **fit_params):
        calls.append(1)
        return NeuralNet.train_step(self, batch, **fit_params)

    monkeypatch.setattr(MultiTaskSkorchNet, "train_step", step)
    _fit(track_gradient_conflicts=False)
    assert len(calls) == 4 * 4
