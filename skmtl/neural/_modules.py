"""Pure torch multi-task modules: shared-bottom, MMoE and PLE.

Every module maps a batch ``X`` of shape (batch, n_features) to ONE tensor of
shape (batch, sum(out_dims)): the outputs of the task heads side by side (task
``t`` owns the columns ``offsets[t]:offsets[t + 1]``). skorch's ``predict``
keeps only the first element of a tuple output, so a single tensor is the safe
contract. Each module also tells which of its parameters are *shared* (reached
by more than one task's loss): the gradient-aggregation methods act on those.
"""

import torch
from torch import nn

__all__ = ["MMoE", "PLE", "SharedBottom", "make_mlp"]

_ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "logistic": nn.Sigmoid,
    "gelu": nn.GELU,
    "elu": nn.ELU,
    "leaky_relu": nn.LeakyReLU,
    "selu": nn.SELU,
    "identity": nn.Identity,
}


def make_mlp(n_in, layer_sizes, *, activation="relu", dropout=0.0, batch_norm=False):
    """Stack of ``Linear -> [BatchNorm] -> activation -> [Dropout]`` blocks.

    Parameters
    ----------
    n_in : int
        Input width.
    layer_sizes : sequence of int
        Width of each hidden layer; empty gives the identity.
    activation : str, default='relu'
        One of ``'relu', 'tanh', 'logistic', 'gelu', 'elu', 'leaky_relu',
        'selu', 'identity'``.
    dropout : float, default=0.0
        Dropout probability after each block.
    batch_norm : bool, default=False
        Whether to add batch normalisation after each linear layer.

    Returns
    -------
    mlp : torch.nn.Sequential
    """
    layers = []
    for size in layer_sizes:
        layers.append(nn.Linear(n_in, int(size)))
        if batch_norm:
            layers.append(nn.BatchNorm1d(int(size)))
        layers.append(_ACTIVATIONS[activation]())
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        n_in = int(size)
    return nn.Sequential(*layers)


def _width(n_in, layer_sizes):
    return int(layer_sizes[-1]) if len(layer_sizes) else n_in


class _Heads(nn.Module):
    """One tower (MLP + linear output layer) per task."""

    def __init__(self, n_in, out_dims, head_layer_sizes, **mlp):
        super().__init__()
        self.towers = nn.ModuleList()
        for k in out_dims:
            body = make_mlp(n_in, head_layer_sizes, **mlp)
            out = nn.Linear(_width(n_in, head_layer_sizes), int(k))
            self.towers.append(nn.Sequential(body, out))

    def forward(self, features):
        """``features``: one tensor for all tasks, or a list with one per task."""
        if isinstance(features, torch.Tensor):
            outs = [tower(features) for tower in self.towers]
        else:
            outs = [tower(f) for tower, f in zip(self.towers, features, strict=True)]
        return torch.cat(outs, dim=1)


class _MultiTaskModule(nn.Module):
    def __init__(self, out_dims):
        super().__init__()
        self.out_dims = [int(k) for k in out_dims]

    @property
    def n_tasks(self):
        return len(self.out_dims)

    def shared_parameters(self):
        """Parameters that more than one task's loss reaches (a list)."""
        raise NotImplementedError

    def task_parameters(self):
        """Every parameter that is not shared (heads, task gates and experts)."""
        shared = {id(p) for p in self.shared_parameters()}
        return [p for p in self.parameters() if id(p) not in shared]


class SharedBottom(_MultiTaskModule):
    """Hard parameter sharing: one MLP trunk, one tower per task.

    ``f(x) = [head_1(trunk(x)), ..., head_T(trunk(x))]`` (Caruana, 1993).

    Parameters
    ----------
    n_features : int
        Input width.
    out_dims : sequence of int
        Output width of each task's head (1 for regression and binary tasks,
        the number of classes for multiclass tasks).
    trunk_layer_sizes : sequence of int, default=(64, 64)
        Hidden layers of the shared trunk.
    head_layer_sizes : sequence of int, default=()
        Hidden layers of each task's tower before its output layer.
    activation, dropout, batch_norm
        See :func:`make_mlp`.
    """

    def __init__(
        self,
        n_features,
        out_dims,
        trunk_layer_sizes=(64, 64),
        head_layer_sizes=(),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
    ):
        super().__init__(out_dims)
        mlp = dict(activation=activation, dropout=dropout, batch_norm=batch_norm)
        self.trunk = make_mlp(n_features, trunk_layer_sizes, **mlp)
        width = _width(n_features, trunk_layer_sizes)
        self.heads = _Heads(width, self.out_dims, head_layer_sizes, **mlp)

    def forward(self, X):
        return self.heads(self.trunk(X))

    def shared_parameters(self):
        return list(self.trunk.parameters())


class MMoE(_MultiTaskModule):
    """Multi-gate mixture of experts (Ma et al., KDD 2018).

    ``n_experts`` MLP experts ``E_e`` (each with ``trunk_layer_sizes``) are
    shared; task ``t`` mixes them with its own softmax gate,
    ``f_t(x) = sum_e softmax(W_t x)_e E_e(x)``, and feeds ``f_t`` to its tower.
    The experts are the shared parameters; gates and towers are per task.

    Parameters
    ----------
    n_features, out_dims, trunk_layer_sizes, head_layer_sizes, activation, \
dropout, batch_norm
        See :class:`SharedBottom`.
    n_experts : int, default=4
        Number of experts.
    """

    def __init__(
        self,
        n_features,
        out_dims,
        trunk_layer_sizes=(64, 64),
        head_layer_sizes=(),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        n_experts=4,
    ):
        super().__init__(out_dims)
        mlp = dict(activation=activation, dropout=dropout, batch_norm=batch_norm)
        self.experts = nn.ModuleList(
            make_mlp(n_features, trunk_layer_sizes, **mlp) for _ in range(n_experts)
        )
        self.gates = nn.ModuleList(
            nn.Linear(n_features, n_experts) for _ in self.out_dims
        )
        width = _width(n_features, trunk_layer_sizes)
        self.heads = _Heads(width, self.out_dims, head_layer_sizes, **mlp)

    def forward(self, X):
        E = torch.stack([expert(X) for expert in self.experts], dim=1)
        feats = [
            torch.einsum("be,bed->bd", torch.softmax(gate(X), dim=1), E)
            for gate in self.gates
        ]
        return self.heads(feats)

    def shared_parameters(self):
        return list(self.experts.parameters())


class _CGC(nn.Module):
    """One customized gate control layer of PLE.

    Task ``t``'s gate mixes [its own experts, the shared experts] from its own
    input; when ``shared_out`` the layer also emits a shared representation
    gated over all experts (input of the next level's shared experts).
    """

    def __init__(self, n_in, width, n_tasks, n_shared, n_task, shared_out, mlp):
        super().__init__()
        self.n_tasks = n_tasks
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


class PLE(_MultiTaskModule):
    """Progressive layered extraction (Tang et al., RecSys 2020).

    A stack of CGC layers, one per entry of ``trunk_layer_sizes`` (the width of
    every expert of that level). Each level has ``n_experts`` shared experts
    and ``n_task_experts`` experts per task; task ``t`` gates over its own and
    the shared experts, and every level but the last also gates all experts
    into the shared input of the next level. The shared experts and shared
    gates are the shared parameters.

    Parameters
    ----------
    n_features, out_dims, trunk_layer_sizes, head_layer_sizes, activation, \
dropout, batch_norm
        See :class:`SharedBottom`.
    n_experts : int, default=2
        Shared experts per level.
    n_task_experts : int, default=1
        Experts per task and level.
    """

    def __init__(
        self,
        n_features,
        out_dims,
        trunk_layer_sizes=(64, 64),
        head_layer_sizes=(),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        n_experts=2,
        n_task_experts=1,
    ):
        super().__init__(out_dims)
        if len(trunk_layer_sizes) == 0:
            raise ValueError("PLE needs at least one level (trunk_layer_sizes).")
        mlp = dict(activation=activation, dropout=dropout, batch_norm=batch_norm)
        n_in, levels = n_features, []
        for level, width in enumerate(trunk_layer_sizes):
            last = level == len(trunk_layer_sizes) - 1
            levels.append(
                _CGC(
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
        self.heads = _Heads(n_in, self.out_dims, head_layer_sizes, **mlp)

    def forward(self, X):
        task_inputs, shared = [X] * self.n_tasks, X
        for level in self.levels:
            task_inputs, shared = level(task_inputs, shared)
        return self.heads(task_inputs)

    def shared_parameters(self):
        # Task experts of level l feed the shared gate of level l unless l is
        # the last level; task gates of level l feed the task experts of level
        # l + 1, hence every task, when l + 1 is not the last level.
        last = len(self.levels) - 1
        params = []
        for k, level in enumerate(self.levels):
            params.extend(level.shared_experts.parameters())
            if k < last:
                params.extend(level.shared_gate.parameters())
                params.extend(level.task_experts.parameters())
            if k < last - 1:
                params.extend(level.task_gates.parameters())
        return params
