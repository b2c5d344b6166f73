"""Masked per-task losses."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from skmtl.neural._losses import MultiTaskLoss, output_dims


def test_regression_masked_mse_and_gradients():
    pred = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    y = torch.tensor([[0.0, np.nan], [3.5, 1.0], [np.nan, 7.0]])
    losses, counts = MultiTaskLoss(["regression"] * 2, [1, 1])(pred, y)
    assert np.allclose(losses.detach().numpy(), [(1 + 0.25) / 2, (9 + 1) / 2])
    assert np.allclose(counts.numpy(), [2, 2])
    losses.sum().backward()
    # masked entries receive no gradient
    assert pred.grad[2, 0] == 0 and pred.grad[0, 1] == 0
    assert pred.grad[0, 0] != 0


def test_long_layout_matches_wide():
    rng = np.random.default_rng(0)
    types = ["regression", "binary", "multiclass"]
    dims = output_dims(types, [0, 2, 3])
    pred = torch.tensor(rng.normal(size=(12, sum(dims))), dtype=torch.float32)
    codes = np.arange(12) % 3
    values = np.where(codes == 0, rng.normal(size=12), rng.integers(0, 2, 12))
    values[codes == 2] = rng.integers(0, 3, (codes == 2).sum())
    wide = np.full((12, 3), np.nan)
    wide[np.arange(12), codes] = values
    lw, cw = MultiTaskLoss(types, dims, "wide")(
        pred, torch.tensor(wide, dtype=torch.float32)
    )
    long_y = torch.tensor(np.column_stack([codes, values]), dtype=torch.float32)
    ll, cl = MultiTaskLoss(types, dims, "long")(pred, long_y)
    assert torch.allclose(lw, ll) and torch.equal(cw, cl)
    # against torch's own losses on each task's rows
    m = codes == 1
    bce = F.binary_cross_entropy_with_logits(
        pred[m, 1], torch.tensor(values[m], dtype=torch.float32)
    )
    m2 = codes == 2
    ce = F.cross_entropy(pred[m2, 2:5], torch.tensor(values[m2]).long())
    mse = ((pred[codes == 0, 0] - torch.tensor(values[codes == 0])) ** 2).mean()
    assert lw.numpy() == pytest.approx([mse.item(), bce.item(), ce.item()], rel=1e-5)


def test_task_without_labels_in_batch():
    pred = torch.zeros(2, 2, requires_grad=True)
    y = torch.tensor([[1.0, np.nan], [2.0, np.nan]])
    losses, counts = MultiTaskLoss(["regression"] * 2, [1, 1])(pred, y)
    assert counts[1] == 0 and losses[1] == 0
    losses.sum().backward()
    assert torch.all(pred.grad[:, 1] == 0)


def test_complete_labels_fast_path_matches_masked_path():
    rng = np.random.default_rng(0)
    pred = torch.tensor(rng.normal(size=(6, 3)), dtype=torch.float32)
    y = torch.tensor(rng.normal(size=(6, 3)), dtype=torch.float32)
    loss = MultiTaskLoss(["regression"] * 3, [1, 1, 1])
    fast, n_fast = loss(pred, y)
    values, mask = loss.split(y)  # the general masked computation by hand
    masked = ((pred - values).square() * mask).sum(0) / mask.sum(0)
    assert torch.allclose(fast, masked) and torch.equal(n_fast, mask.sum(0).float())
