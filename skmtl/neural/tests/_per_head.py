"""The per-head modules replaced by the fused ones: the reference of the tests.

One ``nn.Linear`` (or MLP) per task head, per expert and per gate, run in
Python loops, exactly as skmtl built them before the heads were fused.
"""

import torch
from torch import nn

from skmtl.neural._modules import _width, make_mlp


class Heads(nn.Module):
    def __init__(self, n_in, out_dims, head_layer_sizes, **mlp):
        super().__init__()
        self.towers = nn.ModuleList()
        for k in out_dims:
            body = make_mlp(n_in, head_layer_sizes, **mlp)
            out = nn.Linear(_width(n_in, head_layer_sizes), int(k))
            self.towers.append(nn.Sequential(body, out))

    def forward(self, features):
        if isinstance(features, torch.Tensor):
            outs = [tower(features) for tower in self.towers]
        else:
            outs = [tower(f) for tower, f in zip(self.towers, features, strict=True)]
        return torch.cat(outs, dim=1)


def _mlp_kw(kw):
    return {k: kw.get(k, d) for k, d in [("activation", "relu"), ("batch_norm", False)]}


class SharedBottom(nn.Module):
    def __init__(
        self,
        n_features,
        out_dims,
        trunk_layer_sizes=(64, 64),
        head_layer_sizes=(),
        **kw,
    ):
        super().__init__()
        mlp = _mlp_kw(kw)
        self.trunk = make_mlp(n_features, trunk_layer_sizes, **mlp)
        width = _width(n_features, trunk_layer_sizes)
        self.heads = Heads(width, out_dims, head_layer_sizes, **mlp)

    def forward(self, X):
        return self.heads(self.trunk(X))

    n_tasks = property(lambda self: len(self.heads.towers))

    def shared_parameters(self):
        return list(self.trunk.parameters())


class MMoE(nn.Module):
    def __init__(
        self,
        n_features,
        out_dims,
        trunk_layer_sizes=(64, 64),
        head_layer_sizes=(),
        n_experts=4,
        **kw,
    ):
        super().__init__()
        mlp = _mlp_kw(kw)
        self.experts = nn.ModuleList(
            make_mlp(n_features, trunk_layer_sizes, **mlp) for _ in range(n_experts)
        )
        self.gates = nn.ModuleList(nn.Linear(n_features, n_experts) for _ in out_dims)
        width = _width(n_features, trunk_layer_sizes)
        self.heads = Heads(width, out_dims, head_layer_sizes, **mlp)

    def forward(self, X):
        E = torch.stack([expert(X) for expert in self.experts], dim=1)
        feats = [
            torch.einsum("be,bed->bd", torch.softmax(gate(X), dim=1), E)
            for gate in self.gates
        ]
        return self.heads(feats)

    n_tasks = property(lambda self: len(self.heads.towers))

    def shared_parameters(self):
        return list(self.experts.parameters())


class CGC(nn.Module):
    def __init__(self, n_in, width, n_tasks, n_shared, n_task, shared_out, mlp):
        super().__init__()
        self.shared_experts = nn.ModuleList(
            make_mlp(n_in, [width], **mlp) for _ in range(n_shared)
        )
        self.task_experts = nn.ModuleList(
            nn.ModuleList(make_mlp(n_in, [width], **mlp) for _ in range(n_task))
            for _ in range(n_tasks)
        )
        self.task_gates = nn.ModuleList(
            nn.Linear(n_in, n_task + n_shared) for _ in range(n_tasks)
        )
        self.shared_gate = (
            nn.Linear(n_in, n_tasks * n_task + n_shared) if shared_out else None
        )

    @staticmethod
    def _mix(gate, x, experts):
        weights = torch.softmax(gate(x), dim=1)
        return torch.einsum("be,bed->bd", weights, torch.stack(experts, dim=1))

    def forward(self, task_inputs, shared_input):
        shared = [e(shared_input) for e in self.shared_experts]
        own = [
            [e(x) for e in experts]
            for experts, x in zip(self.task_experts, task_inputs, strict=True)
        ]
        outs = [
            self._mix(gate, x, own_t + shared)
            for gate, x, own_t in zip(self.task_gates, task_inputs, own, strict=True)
        ]
        shared_rep = None
        if self.shared_gate is not None:
            every = [e for own_t in own for e in own_t] + shared
            shared_rep = self._mix(self.shared_gate, shared_input, every)
        return outs, shared_rep


class PLE(nn.Module):
    def __init__(
        self,
        n_features,
        out_dims,
        trunk_layer_sizes=(64, 64),
        head_layer_sizes=(),
        n_experts=2,
        n_task_experts=1,
        **kw,
    ):
        super().__init__()
        mlp = _mlp_kw(kw)
        self.n_tasks = len(out_dims)
        n_in, levels = n_features, []
        for level, width in enumerate(trunk_layer_sizes):
            last = level == len(trunk_layer_sizes) - 1
            levels.append(
                CGC(
                    n_in,
                    int(width),
                    self.n_tasks,
                    n_experts,
                    n_task_experts,
                    not last,
                    mlp,
                )
            )
            n_in = int(width)
        self.levels = nn.ModuleList(levels)
        self.heads = Heads(n_in, out_dims, head_layer_sizes, **mlp)

    def forward(self, X):
        task_inputs, shared = [X] * self.n_tasks, X
        for level in self.levels:
            task_inputs, shared = level(task_inputs, shared)
        return self.heads(task_inputs)
