"""Fused heads, experts and gates against the per-head modules they replace."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

from skmtl.neural import _modules as fused  # noqa: E402
from skmtl.neural._gmk import MAMONet  # noqa: E402
from skmtl.neural._losses import MultiTaskLoss  # noqa: E402

from . import _per_head as ref  # noqa: E402

MIXED = (["regression", "multiclass", "binary", "multiclass"], [1, 3, 1, 4])
REGRESSION = (["regression"] * 4, [1] * 4)


def _data(task_types, dims, n=48, seed=0, missing=0.25):
    """Inputs and wide targets (class indices, NaN for missing labels)."""
    rng = np.random.default_rng(seed)
    X = torch.as_tensor(rng.normal(size=(n, 5)), dtype=torch.float32)
    Y = np.empty((n, len(dims)))
    for t, (kind, k) in enumerate(zip(task_types, dims, strict=True)):
        if kind == "regression":
            Y[:, t] = rng.normal(size=n)
        else:
            Y[:, t] = rng.integers(0, max(k, 2), size=n)
    Y[rng.random(Y.shape) < missing] = np.nan
    return X, torch.as_tensor(Y, dtype=torch.float32)


def _loop_losses(out, Y, task_types, dims):
    """Per-task masked losses, one task at a time (the reference loss)."""
    off = np.concatenate([[0], np.cumsum(dims)])
    losses = []
    for t, kind in enumerate(task_types):
        rows = ~torch.isnan(Y[:, t])
        z, y = out[rows, off[t] : off[t + 1]], Y[rows, t]
        if not rows.any():
            losses.append(out.sum() * 0)
        elif kind == "regression":
            losses.append(F.mse_loss(z[:, 0], y))
        elif kind == "binary":
            losses.append(F.binary_cross_entropy_with_logits(z[:, 0], y))
        else:
            losses.append(F.cross_entropy(z, y.long()))
    return torch.stack(losses)


def _sorted_grads(loss, module):
    grads = torch.autograd.grad(loss, list(module.parameters()), retain_graph=True)
    return torch.sort(torch.cat([g.reshape(-1) for g in grads]))[0]


def _pair(arch, dims, seed=0, **kw):
    torch.manual_seed(seed)
    new = getattr(fused, arch)(5, dims, **kw)
    torch.manual_seed(seed)
    old = getattr(ref, arch)(5, dims, **kw)
    return new, old


@pytest.mark.parametrize("tasks", [MIXED, REGRESSION], ids=["mixed", "regression"])
@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("head_layer_sizes", [(), (5, 3)])
@pytest.mark.parametrize(
    "arch, kw",
    [
        ("SharedBottom", {"trunk_layer_sizes": (6, 7)}),
        ("MMoE", {"trunk_layer_sizes": (6, 7), "n_experts": 3}),
        ("PLE", {"trunk_layer_sizes": (6, 7, 4), "n_experts": 2}),
        ("PLE", {"trunk_layer_sizes": (6,), "n_task_experts": 2}),
    ],
)
def test_fused_module_matches_per_head(arch, kw, head_layer_sizes, batch_norm, tasks):
    task_types, dims = tasks
    new, old = _pair(
        arch, dims, head_layer_sizes=head_layer_sizes, batch_norm=batch_norm, **kw
    )
    # same seed, same initial weights (the same values, fused into fewer tensors)
    p_new = torch.sort(torch.cat([p.detach().reshape(-1) for p in new.parameters()]))
    p_old = torch.sort(torch.cat([p.detach().reshape(-1) for p in old.parameters()]))
    assert torch.equal(p_new[0], p_old[0])
    assert len(list(new.parameters())) < len(list(old.parameters()))
    X, Y = _data(task_types, dims)
    out_new, out_old = new(X), old(X)
    assert out_new.shape == (len(X), sum(dims))
    torch.testing.assert_close(out_new, out_old, rtol=1e-5, atol=1e-6)
    # one masked loss per loss type == one loss per task; same per-task grads
    crit = MultiTaskLoss(task_types, dims)
    losses, counts = crit(out_new, Y)
    torch.testing.assert_close(counts, (~torch.isnan(Y)).sum(0).float())
    ref_losses = _loop_losses(out_old, Y, task_types, dims)
    torch.testing.assert_close(losses, ref_losses, rtol=1e-5, atol=1e-6)
    for t in range(len(dims)):
        torch.testing.assert_close(
            _sorted_grads(losses[t], new),
            _sorted_grads(ref_losses[t], old),
            rtol=1e-4,
            atol=1e-6,
        )


def test_fused_loss_matches_loop_long_layout():
    task_types, dims = MIXED
    X, Y = _data(task_types, dims, n=64, missing=0.0)
    out = torch.randn(len(X), sum(dims), requires_grad=True)
    codes = torch.as_tensor(np.random.default_rng(1).integers(0, 4, len(X)))
    long = torch.stack([codes.float(), Y[torch.arange(len(X)), codes]], 1)
    wide = torch.full_like(Y, float("nan"))
    wide[torch.arange(len(X)), codes] = long[:, 1]
    got, counts = MultiTaskLoss(task_types, dims, layout="long")(out, long)
    expected = _loop_losses(out, wide, task_types, dims)
    torch.testing.assert_close(got, expected)
    torch.testing.assert_close(counts, torch.bincount(codes, minlength=4).float())
    g1 = torch.autograd.grad(got @ torch.arange(1.0, 5.0), out)[0]
    g2 = torch.autograd.grad(expected @ torch.arange(1.0, 5.0), out)[0]
    torch.testing.assert_close(g1, g2)


def test_task_without_labels_has_zero_loss():
    task_types, dims = MIXED
    X, Y = _data(task_types, dims, missing=0.0)
    Y[:, 1] = np.nan
    out = torch.randn(len(X), sum(dims), requires_grad=True)
    losses, counts = MultiTaskLoss(task_types, dims)(out, Y)
    assert counts[1] == 0 and losses[1] == 0
    (g,) = torch.autograd.grad(losses[1], out)
    assert torch.all(g == 0)


@pytest.mark.parametrize("m", [1, 2, 6])
def test_stacked_linear_grouped_inputs(m):
    torch.manual_seed(0)
    lin = fused.StackedLinear(6, 4, 3)
    x = torch.randn(m, 10, 4)
    out = lin(x)
    g = 6 // m
    for k in range(6):
        expected = F.linear(x[k // g], lin.weight[k], lin.bias[k])
        torch.testing.assert_close(out[k], expected)
    shared = lin(x[0])
    for k in range(6):
        torch.testing.assert_close(
            shared[k], F.linear(x[0], lin.weight[k], lin.bias[k])
        )
    with pytest.raises(ValueError, match="cannot feed"):
        lin(torch.randn(4, 10, 4))


@pytest.mark.parametrize("head_layer_sizes", [(), (3,)])
def test_mamo_heads_read_each_tasks_representation(head_layer_sizes):
    """With modules, tasks read different features: the batched-matmul path."""
    torch.manual_seed(0)
    dims = [1, 3, 2]
    net = MAMONet(5, dims, trunk_layer_sizes=(6, 4), head_layer_sizes=head_layer_sizes)
    net.add_gmks([(1, 0, 1)])
    with torch.no_grad():
        for p in net.fusion.values():
            p.copy_(torch.randn_like(p))
    X = torch.randn(20, 5)
    reps = net.task_representations(X)
    assert reps[0] is not reps[2] and reps[1] is not reps[2]
    heads = net.heads
    expected = []
    for t, rep in enumerate(reps):
        h = rep
        if heads.hidden is not None:
            layer = heads.hidden.layers[0]
            h = torch.relu(F.linear(h, layer.weight[t], layer.bias[t]))
        rows = slice(heads.offsets[t], heads.offsets[t + 1])
        expected.append(F.linear(h, heads.weight[rows], heads.bias[rows]))
    torch.testing.assert_close(net(X), torch.cat(expected, 1))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_pareto_member_heads_fused():
    """Pareto mlp members are fused SharedBottom nets: one head weight tensor."""
    from skmtl.pareto import ParetoFrontRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    Y = np.column_stack([X[:, 0], -X[:, 0] + 0.1 * X[:, 1]])
    front = ParetoFrontRegressor(
        model="mlp",
        preferences=3,
        trunk_layer_sizes=(4,),
        max_iter=3,
        random_state=0,
    ).fit(X, Y)
    member = front.select([0.5, 0.5])
    names = [n for n, _ in member.module_.named_parameters()]
    assert names == ["trunk.0.weight", "trunk.0.bias", "heads.weight", "heads.bias"]
    assert member.predict(X).shape == (60, 2)


@pytest.mark.parametrize(
    "weighting, aggregator", [("equal", None), ("gradnorm", None), ("dwa", "pcgrad")]
)
@pytest.mark.parametrize("arch", ["SharedBottom", "MMoE"])
def test_training_matches_per_head_net(arch, weighting, aggregator):
    """Same seed: the fused and the per-head net train to the same weights."""
    from skmtl.neural._net import MultiTaskSkorchNet, TensorBatchIterator

    task_types, dims = MIXED
    X, Y = _data(task_types, dims, n=96)
    preds = []
    for lib in (fused, ref):
        net = MultiTaskSkorchNet(
            getattr(lib, arch),
            module__n_features=5,
            module__out_dims=dims,
            module__trunk_layer_sizes=(8,),
            criterion__task_types=task_types,
            criterion__out_dims=dims,
            weighting=weighting,
            aggregator=aggregator,
            random_state=0,
            batch_size=32,
            max_epochs=3,
            lr=1e-2,
            train_split=None,
            iterator_train=TensorBatchIterator,
            iterator_valid=TensorBatchIterator,
            verbose=0,
        )
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            net.fit(X.numpy(), Y.numpy())
            preds.append(net.forward(X.numpy()))
        hist = np.asarray(net.history[:, "train_task_losses"])
        assert hist.shape == (3, 4) and np.all(np.isfinite(hist))
    torch.testing.assert_close(preds[0], preds[1], rtol=1e-4, atol=1e-5)
