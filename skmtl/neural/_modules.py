"""Pure torch multi-task modules: shared-bottom, MMoE and PLE.

Every module maps a batch ``X`` of shape (batch, n_features) to ONE tensor of
shape (batch, sum(out_dims)): the outputs of the task heads side by side (task
``t`` owns the columns ``offsets[t]:offsets[t + 1]``). skorch's ``predict``
keeps only the first element of a tuple output, so a single tensor is the safe
contract. Each module also tells which of its parameters are *shared* (reached
by more than one task's loss): the gradient-aggregation methods act on those.

Parallel sub-networks of one layer (the task heads, the experts of MMoE and
PLE, the task gates) are *fused*: their weights are stacked in one tensor and
run as one matrix product (:class:`StackedLinear`, a batched matmul), never as
a Python loop over small modules. Member ``k`` of a stack is initialised like
its own ``nn.Linear`` would be, in the order the separate modules were built,
so a fused module equals the per-module network it replaces, weight for
weight under the same seed.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["MMoE", "PLE", "SharedBottom", "StackedLinear", "make_mlp"]

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


def _linear_init(weight, bias):
    """``nn.Linear.reset_parameters`` on a (out, in) weight and its bias."""
    nn.init.kaiming_uniform_(weight, a=math.sqrt(5))
    fan_in = weight.shape[1]
    bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
    nn.init.uniform_(bias, -bound, bound)


class StackedLinear(nn.Module):
    """``n`` independent linear layers ``in -> out`` run as one batched matmul.

    ``weight`` has shape (n, out, in) and ``bias`` (n, out); member ``k`` is
    initialised as ``nn.Linear(in, out)`` would be.

    ``forward(x)`` takes either one input for every member, ``x`` of shape
    (batch, in) (one ``F.linear`` with the (n * out, in) weight), or inputs
    ``x`` of shape (m, batch, in) where ``m`` divides ``n``: input ``i`` feeds
    the ``n / m`` consecutive members ``i * n / m, ...`` (one ``baddbmm``). It
    returns (n, batch, out).

    Parameters
    ----------
    n : int
        Number of members.
    n_in, n_out : int
        Input and output width of every member.
    init : bool, default=True
        Initialise member after member; False leaves it to the owner (see
        :meth:`reset_member`).
    """

    def __init__(self, n, n_in, n_out, init=True):
        super().__init__()
        self.n, self.n_in, self.n_out = int(n), int(n_in), int(n_out)
        self.weight = nn.Parameter(torch.empty(self.n, self.n_out, self.n_in))
        self.bias = nn.Parameter(torch.empty(self.n, self.n_out))
        if init:
            for k in range(self.n):
                self.reset_member(k)

    def reset_member(self, k):
        """Initialise member ``k`` like ``nn.Linear`` (consumes torch's RNG)."""
        with torch.no_grad():
            _linear_init(self.weight[k], self.bias[k])

    def forward(self, x):
        n, out = self.n, self.n_out
        if x.dim() == 2:
            z = F.linear(x, self.weight.reshape(n * out, -1), self.bias.reshape(-1))
            return z.view(len(x), n, out).transpose(0, 1)
        m = x.shape[0]
        g = n // m
        if g * m != n:
            raise ValueError(f"{m} stacked inputs cannot feed {n} members.")
        if g == 1:
            return torch.baddbmm(self.bias.unsqueeze(1), x, self.weight.transpose(1, 2))
        w = self.weight.reshape(m, g * out, -1).transpose(1, 2)
        z = torch.baddbmm(self.bias.reshape(m, 1, g * out), x, w)
        return z.view(m, -1, g, out).transpose(1, 2).reshape(n, -1, out)


class StackedMLP(nn.Module):
    """``n`` MLPs of one shape (:func:`make_mlp` blocks) run as batched matmuls.

    Takes the inputs of :class:`StackedLinear` and returns (n, batch, width);
    with no hidden layer it returns the input broadcast to every member.

    Parameters
    ----------
    n, n_in : int
        Number of members and input width.
    layer_sizes : sequence of int
        Hidden layers of every member.
    activation, dropout, batch_norm
        See :func:`make_mlp`.
    init : bool, default=True
        Initialise member after member (all layers of member 0 first).
    """

    def __init__(
        self,
        n,
        n_in,
        layer_sizes,
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        init=True,
    ):
        super().__init__()
        self.n = int(n)
        sizes = [int(n_in)] + [int(s) for s in layer_sizes]
        self.layers = nn.ModuleList(
            StackedLinear(n, a, b, init=False)
            for a, b in zip(sizes[:-1], sizes[1:], strict=True)
        )
        self.norms = (
            nn.ModuleList(nn.BatchNorm1d(n * b) for b in sizes[1:])
            if batch_norm
            else None
        )
        self.act = _ACTIVATIONS[activation]()
        self.drop = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        if init:
            for k in range(self.n):
                self.reset_member(k)

    def reset_member(self, k):
        """Initialise member ``k``'s layers, first to last."""
        for layer in self.layers:
            layer.reset_member(k)

    def forward(self, x):
        if not len(self.layers):
            if x.dim() == 2:
                return x.expand(self.n, *x.shape)
            return x.repeat_interleave(self.n // x.shape[0], dim=0)
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if self.norms is not None:
                n, b, w = x.shape
                z = self.norms[i](x.transpose(0, 1).reshape(b, n * w))
                x = z.view(b, n, w).transpose(0, 1)
            x = self.drop(self.act(x))
        return x


class _Heads(nn.Module):
    """The towers of all tasks (MLP + linear output layer), fused.

    Hidden layers are a :class:`StackedMLP` with one member per task; the
    output layers of all tasks are one (sum(out_dims), width) weight: a single
    ``F.linear`` when every task reads the same features, a batched matmul
    (zero-padded to the widest head when the widths differ) when each task
    has its own. Task ``t``'s tower is initialised as the separate
    ``make_mlp(...)`` + ``nn.Linear(width, out_dims[t])`` it replaces, in task
    order.
    """

    def __init__(
        self,
        n_in,
        out_dims,
        head_layer_sizes,
        activation="relu",
        dropout=0.0,
        batch_norm=False,
    ):
        super().__init__()
        self.out_dims = [int(k) for k in out_dims]
        T = len(self.out_dims)
        self.hidden = (
            StackedMLP(
                T,
                n_in,
                head_layer_sizes,
                activation=activation,
                dropout=dropout,
                batch_norm=batch_norm,
                init=False,
            )
            if len(head_layer_sizes)
            else None
        )
        width = _width(n_in, head_layer_sizes)
        C = sum(self.out_dims)
        self.weight = nn.Parameter(torch.empty(C, width))
        self.bias = nn.Parameter(torch.empty(C))
        self.offsets = [0]
        for k in self.out_dims:
            self.offsets.append(self.offsets[-1] + k)
        self.k_max = max(self.out_dims, default=1)
        self.uniform = all(k == self.k_max for k in self.out_dims)
        if not self.uniform:  # column c of the output: (task, slot in its head)
            task = [t for t, k in enumerate(self.out_dims) for _ in range(k)]
            slot = [s for k in self.out_dims for s in range(k)]
            self.register_buffer("col_task", torch.tensor(task), persistent=False)
            self.register_buffer("col_slot", torch.tensor(slot), persistent=False)
        with torch.no_grad():
            for t in range(T):
                if self.hidden is not None:
                    self.hidden.reset_member(t)
                rows = slice(self.offsets[t], self.offsets[t + 1])
                _linear_init(self.weight[rows], self.bias[rows])

    def forward(self, features):
        """(batch, sum(out_dims)) outputs from the features of the tasks.

        ``features``: one (batch, width) tensor read by every task, a
        (n_tasks, batch, width) tensor, or a list with one tensor per task.
        """
        if not isinstance(features, torch.Tensor):
            first = features[0]
            if all(f is first for f in features):
                features = first
            else:
                features = torch.stack(list(features))
        if self.hidden is not None:
            features = self.hidden(features)
        if features.dim() == 2:
            return F.linear(features, self.weight, self.bias)
        T, B, k = len(self.out_dims), features.shape[1], self.k_max
        if self.uniform:
            w = self.weight.view(T, k, -1).transpose(1, 2)
            out = torch.bmm(features, w)  # (T, batch, k)
            return out.transpose(0, 1).reshape(B, -1) + self.bias
        padded = self.weight.new_zeros(T, k, self.weight.shape[1])
        padded = padded.index_put((self.col_task, self.col_slot), self.weight)
        out = torch.bmm(features, padded.transpose(1, 2))  # (T, batch, k_max)
        return out[self.col_task, :, self.col_slot].T + self.bias


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
        self.experts = StackedMLP(n_experts, n_features, trunk_layer_sizes, **mlp)
        self.gates = StackedLinear(self.n_tasks, n_features, n_experts)
        width = _width(n_features, trunk_layer_sizes)
        self.heads = _Heads(width, self.out_dims, head_layer_sizes, **mlp)

    def forward(self, X):
        E = self.experts(X)  # (n_experts, batch, width)
        gates = torch.softmax(self.gates(X), dim=-1)  # (n_tasks, batch, n_experts)
        return self.heads(torch.einsum("tbe,ebd->tbd", gates, E))

    def shared_parameters(self):
        return list(self.experts.parameters())


class _CGC(nn.Module):
    """One customized gate control layer of PLE, its experts and gates fused.

    Task ``t``'s gate mixes [its own experts, the shared experts] from its own
    input; when ``shared_out`` the layer also emits a shared representation
    gated over all experts (input of the next level's shared experts). The
    shared experts, the task experts (task-major) and the task gates are each
    one :class:`StackedLinear` stack.
    """

    def __init__(self, n_in, width, n_tasks, n_shared, n_task, shared_out, mlp):
        super().__init__()
        self.n_tasks, self.n_shared, self.n_task = n_tasks, n_shared, n_task
        self.shared_experts = StackedMLP(n_shared, n_in, [width], **mlp)
        self.task_experts = StackedMLP(n_tasks * n_task, n_in, [width], **mlp)
        self.task_gates = StackedLinear(n_tasks, n_in, n_task + n_shared)
        self.shared_gate = (
            nn.Linear(n_in, n_tasks * n_task + n_shared) if shared_out else None
        )

    def forward(self, task_inputs, shared_input):
        """``task_inputs``: (batch, in) for every task or (n_tasks, batch, in)."""
        T, m = self.n_tasks, self.n_task
        shared = self.shared_experts(shared_input)  # (n_shared, batch, width)
        own = self.task_experts(task_inputs)  # (T * m, batch, width)
        B, w = own.shape[1], own.shape[2]
        gates = torch.softmax(self.task_gates(task_inputs), dim=-1)  # (T, B, m + S)
        outs = torch.einsum(
            "tbm,tmbw->tbw", gates[..., :m], own.view(T, m, B, w)
        ) + torch.einsum("tbs,sbw->tbw", gates[..., m:], shared)
        shared_rep = None
        if self.shared_gate is not None:
            weights = torch.softmax(self.shared_gate(shared_input), dim=1)
            every = torch.cat([own, shared])
            shared_rep = torch.einsum("be,ebd->bd", weights, every)
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
        task_inputs, shared = X, X
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
