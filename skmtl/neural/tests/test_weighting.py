"""Task weightings against their definitions."""

import numpy as np
import pytest
import torch

from skmtl.neural._weighting import (
    DynamicWeightAverage,
    GradNormWeighting,
    UncertaintyWeighting,
    make_weighting,
)


def test_equal_and_fixed():
    losses = torch.tensor([1.0, 2.0, 4.0])
    assert make_weighting("equal", 3).objective(losses).item() == pytest.approx(7.0)
    w = make_weighting([0.5, 0.0, 2.0], 3)
    assert w.objective(losses).item() == pytest.approx(8.5)
    assert np.allclose(w.weights().numpy(), [0.5, 0.0, 2.0])


@pytest.mark.parametrize(
    "bad, match",
    [([1.0, 2.0], "shape"), ([1.0, -1.0, 0.0], "non-negative"), ([0, 0, 0], "zero")],
)
def test_fixed_weights_validation(bad, match):
    with pytest.raises(ValueError, match=match):
        make_weighting(bad, 3)


def test_unknown_weighting():
    with pytest.raises(ValueError, match="Unknown weighting"):
        make_weighting("famo", 2)


def test_uncertainty_objective_and_optimum():
    uw = UncertaintyWeighting(2)
    with torch.no_grad():
        uw.log_var.copy_(torch.tensor([0.3, -1.0]))
    losses = torch.tensor([2.0, 0.5])
    s = np.array([0.3, -1.0])
    expected = np.sum(np.array([2.0, 0.5]) / (2 * np.exp(s)) + s / 2)
    obj = uw.objective(losses)
    assert obj.item() == pytest.approx(expected, rel=1e-6)
    obj.backward()
    # d/ds_t = -L_t exp(-s_t) / 2 + 1/2, zero at s_t = log L_t
    grad = -np.array([2.0, 0.5]) * np.exp(-s) / 2 + 0.5
    assert np.allclose(uw.log_var.grad.numpy(), grad, rtol=1e-6)
    assert np.allclose(uw.weights().numpy(), 0.5 * np.exp(-s), rtol=1e-6)


def test_dwa_weights():
    dwa = DynamicWeightAverage(3, temperature=2.0)
    dwa.end_epoch([1.0, 1.0, 1.0])
    assert np.allclose(dwa.weights().numpy(), 1.0)  # one epoch: not enough
    dwa.end_epoch([0.5, 1.0, 2.0])
    r = np.array([0.5, 1.0, 2.0])
    expected = 3 * np.exp(r / 2) / np.exp(r / 2).sum()
    assert np.allclose(dwa.weights().numpy(), expected, rtol=1e-6)
    dwa.end_epoch([0.25, 1.0, 2.0])  # ratios now use the last two epochs
    r = np.array([0.5, 1.0, 1.0])
    expected = 3 * np.exp(r / 2) / np.exp(r / 2).sum()
    assert np.allclose(dwa.weights().numpy(), expected, rtol=1e-6)


def test_gradnorm_gradient_and_renormalisation():
    gn = GradNormWeighting(2, alpha=1.0)
    losses0 = torch.tensor([1.0, 2.0])
    norms = torch.tensor([3.0, 1.0])
    gn.update(losses0, norms)  # first call: L(0) stored, ratios equal
    # w n = (3, 1), target = mean(w n) * 1 = 2 -> grad = sign(wn - 2) * n
    assert np.allclose(gn.w.grad.numpy(), [3.0, -1.0])
    # the task that trained slower (higher L/L0) gets a larger target
    gn.update(torch.tensor([0.5, 2.0]), torch.tensor([1.0, 1.0]))
    # ratios (0.5, 1) -> rel (2/3, 4/3); target = 1 * rel; grad = sign(1 - rel)
    assert np.allclose(gn.w.grad.numpy(), [1.0, -1.0])
    with torch.no_grad():
        gn.w.copy_(torch.tensor([3.0, 1.0]))
    gn.objective(torch.tensor([1.0, 1.0]))
    assert gn.w.sum().item() == pytest.approx(2.0)
    assert np.allclose(gn.weights().numpy(), [1.5, 0.5])
