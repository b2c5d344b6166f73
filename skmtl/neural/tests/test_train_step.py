"""MultiTaskSkorchNet.train_step: the closure-free step equals skorch's."""

import numpy as np
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


def _fit(callbacks=None, optimizer="adam", lr=1e-2):
    X, Y = make_multitask_regression(120, 5, 3, random_state=0)
    return MultiTaskMLPRegressor(
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
