"""MAMO's torch side: an MLP trunk that grows gradient-mediative modules.

:class:`MAMONet` is a shared-bottom network (``Linear -> activation ->
[Dropout]`` trunk, one tower per task) to which gradient-mediative kernels
(GMKs) can be added after the probing phase. A GMK for the task pair
``(i, j)`` at trunk layer ``l`` is a linear layer of the same shape as the
shared layer ``l``; it reads the same input as the shared layer does on task
``i``'s (or ``j``'s) path, and only the heads of ``i`` and ``j`` use its
output. Task ``t``'s pre-activation at a layer with GMKs is the convex
combination

    z_t = a_0 shared_l(h_t) + sum_k a_k GMK_k(h_t),  a = softmax(logits_{l,t}),

with learned logits. A new GMK starts as a copy of the shared layer and the
logits at zero, so adding modules does not change the network's function.

:func:`layer_conflicts` turns the per-task gradients on the shared trunk into
per-layer cosines; :func:`cosine_tstat` gives the t statistic of their mean
over the probing steps; :func:`select_conflicting_pairs` applies the rule;
:class:`MAMOSkorchNet` accumulates the statistics during probing through the
task-gradient hook of :class:`MultiTaskSkorchNet`.
"""

import copy

import numpy as np
import torch
from torch import nn

from ._modules import _ACTIVATIONS, _Heads, _MultiTaskModule, _width
from ._net import MultiTaskSkorchNet, _cosine

__all__ = [
    "MAMONet",
    "MAMOSkorchNet",
    "cosine_tstat",
    "layer_conflicts",
    "select_conflicting_pairs",
]


class MAMONet(_MultiTaskModule):
    """Shared MLP trunk with task-pair gradient-mediative modules.

    Parameters
    ----------
    n_features : int
        Input width.
    out_dims : sequence of int
        Output width of each task's head.
    trunk_layer_sizes : sequence of int, default=(64, 64)
        Widths of the shared trunk layers (at least one).
    head_layer_sizes : sequence of int, default=()
        Hidden layers of each task's tower.
    activation : str, default='relu'
        See :func:`skmtl.neural._modules.make_mlp`.
    dropout : float, default=0.0
        Dropout after each trunk activation.
    """

    def __init__(
        self,
        n_features,
        out_dims,
        trunk_layer_sizes=(64, 64),
        head_layer_sizes=(),
        activation="relu",
        dropout=0.0,
    ):
        super().__init__(out_dims)
        if len(trunk_layer_sizes) == 0:
            raise ValueError(
                "MAMO needs at least one shared trunk layer (trunk_layer_sizes)."
            )
        sizes = [n_features] + [int(s) for s in trunk_layer_sizes]
        self.layers = nn.ModuleList(
            nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:], strict=True)
        )
        self.act = _ACTIVATIONS[activation]()
        self.drop = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.gmks = nn.ModuleList()
        self.fusion = nn.ParameterDict()
        self.gmk_layout = []  # (layer, i, j) of each GMK, in order
        width = _width(n_features, trunk_layer_sizes)
        mlp = dict(activation=activation, dropout=dropout)
        self.heads = _Heads(width, self.out_dims, head_layer_sizes, **mlp)

    @property
    def n_layers(self):
        return len(self.layers)

    def add_gmks(self, layout):
        """Add one GMK per ``(layer, i, j)`` of ``layout``; return new parameters.

        Each GMK starts as a copy of its shared layer and its fusion logit at
        the mean of the task's existing logits (0 for a fresh layer), so the
        function of the network is unchanged.
        """
        new, touched = [], set()
        for layer, i, j in layout:
            layer, i, j = int(layer), int(min(i, j)), int(max(i, j))
            if (layer, i, j) in self.gmk_layout:
                continue
            gmk = copy.deepcopy(self.layers[layer])
            self.gmks.append(gmk)
            self.gmk_layout.append((layer, i, j))
            new.extend(gmk.parameters())
            touched.update({(layer, i), (layer, j)})
        for layer, t in sorted(touched):
            key = f"{layer}_{t}"
            n = len(self._gmks_of(layer, t))
            device = self.layers[layer].weight.device
            logits = torch.zeros(n + 1, device=device)
            if key in self.fusion:  # keep the learned logits
                old = self.fusion[key].data
                logits[: len(old)] = old
                logits[len(old) :] = old.mean()
            self.fusion[key] = nn.Parameter(logits)
            new.append(self.fusion[key])
        return new

    def _gmks_of(self, layer, task):
        return [
            k
            for k, (lay, i, j) in enumerate(self.gmk_layout)
            if lay == layer and task in (i, j)
        ]

    def task_representations(self, X):
        """Trunk output seen by each task's head (a list of tensors)."""
        reps = [X] * self.n_tasks
        for layer_idx, layer in enumerate(self.layers):
            pre, post, mod_out, new = {}, {}, {}, []
            for t, h in enumerate(reps):
                key = id(h)
                if key not in pre:
                    pre[key] = layer(h)
                mods = self._gmks_of(layer_idx, t)
                if mods:
                    a = torch.softmax(self.fusion[f"{layer_idx}_{t}"], dim=0)
                    z = a[0] * pre[key]
                    for w, k in zip(a[1:], mods, strict=True):
                        if (k, key) not in mod_out:  # both tasks on one path
                            mod_out[(k, key)] = self.gmks[k](h)
                        z = z + w * mod_out[(k, key)]
                    new.append(self.drop(self.act(z)))
                else:  # tasks on one path keep sharing one tensor
                    if key not in post:
                        post[key] = self.drop(self.act(pre[key]))
                    new.append(post[key])
            reps = new
        return reps

    def forward(self, X):
        return self.heads(self.task_representations(X))

    def shared_parameters(self):
        """The trunk layers' parameters, layer by layer (weight then bias)."""
        return list(self.layers.parameters())

    def shared_layer_slices(self):
        """Slices of the flattened ``shared_parameters()`` owned by each layer."""
        out, start = [], 0
        for layer in self.layers:
            n = sum(p.numel() for p in layer.parameters())
            out.append(slice(start, start + n))
            start += n
        return out

    def gmk_parameters(self):
        """Parameters added with the GMKs (modules and fusion logits)."""
        return list(self.gmks.parameters()) + list(self.fusion.parameters())


def layer_conflicts(G, slices, active=None):
    """Per-layer cosines of the task gradients and their conflict indicators.

    Parameters
    ----------
    G : array-like of shape (n_tasks, n_shared_params)
        Gradient of each task's loss on the flattened shared parameters.
    slices : list of slice
        Columns of ``G`` owned by each layer.
    active : array-like of bool of shape (n_tasks,), default=None
        Tasks with labels in the batch; pairs with an inactive task (or a zero
        gradient on the layer) count as neither conflict nor agreement.

    Returns
    -------
    cosine : ndarray of shape (n_layers, n_tasks, n_tasks)
        ``cos(g_i^l, g_j^l)``; NaN where undefined.
    conflict : ndarray of shape (n_layers, n_tasks, n_tasks)
        1 where ``cos < 0`` (off the diagonal), else 0.
    observed : ndarray of shape (n_layers, n_tasks, n_tasks)
        1 where the cosine is defined (off the diagonal), else 0.
    """
    G = torch.as_tensor(G).detach().double()
    T = G.shape[0]
    active = np.ones(T, bool) if active is None else np.asarray(active, bool)
    off = ~np.eye(T, dtype=bool)
    cos = np.empty((len(slices), T, T))
    for k, s in enumerate(slices):
        Gl = G[:, s]
        C = _cosine((Gl @ Gl.T).cpu().numpy())
        C[~active] = np.nan
        C[:, ~active] = np.nan
        cos[k] = C
    observed = np.isfinite(cos) & off
    conflict = observed & (np.nan_to_num(cos, nan=0.0) < 0)
    return cos, conflict.astype(float), observed.astype(float)


def cosine_tstat(cos_sum, cos_sq_sum, observed):
    """Mean per-step cosine and its one-sample t statistic.

    Parameters
    ----------
    cos_sum, cos_sq_sum : ndarray of shape (n_layers, n_tasks, n_tasks)
        Sum over the probing steps of ``cos(g_i^l, g_j^l)`` and of its square
        (steps where the cosine is defined).
    observed : ndarray of shape (n_layers, n_tasks, n_tasks)
        Number of those steps ``n``.

    Returns
    -------
    mean : ndarray of shape (n_layers, n_tasks, n_tasks)
        Mean cosine (NaN where ``n = 0``).
    tstat : ndarray of shape (n_layers, n_tasks, n_tasks)
        ``mean / (s / sqrt(n))`` with ``s`` the sample standard deviation
        (NaN where ``n < 2``; -inf / +inf for a constant nonzero series).
    """
    n = np.asarray(observed, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, cos_sum / np.maximum(n, 1), np.nan)
        var = (cos_sq_sum - n * mean**2) / (n - 1)
        var = np.where(n > 1, np.maximum(var, 0.0), np.nan)
        se = np.sqrt(var / n)
        tstat = np.where(
            se > 1e-12 * np.maximum(np.abs(mean), 1e-300),
            mean / se,
            np.sign(mean) * np.inf,
        )
    tstat = np.where(n > 1, tstat, np.nan)
    return mean, tstat


def select_conflicting_pairs(
    counts,
    observed,
    threshold="test",
    max_modules=None,
    *,
    tstat=None,
    level=0.05,
    n_steps=None,
):
    """Task pairs and layers that get a GMK.

    Parameters
    ----------
    counts : ndarray of shape (n_layers, n_tasks, n_tasks)
        Number of probing steps with ``cos < 0`` per layer and pair.
    observed : ndarray of shape (n_layers, n_tasks, n_tasks)
        Number of probing steps where the cosine was defined.
    threshold : 'test', 'mean' or float, default='test'
        'test': a pair is flagged at layer ``l`` when the one-sided t-test
        rejects "mean cosine >= 0" at ``level``, Bonferroni-corrected over the
        ``n_layers * n_tasks * (n_tasks - 1) / 2`` tests (needs ``tstat``).
        'mean': flagged when its count exceeds the mean count over all pairs
        ``i < j`` at that layer (the paper's relative cutoff). A float ``tau``
        flags pairs whose conflict frequency ``counts / observed`` exceeds
        ``tau``.
    max_modules : int or None, default=None
        Keep at most this many flagged (layer, pair) combinations: the most
        significant ones ('test', smallest t) or those with the highest
        conflict frequency.
    tstat : ndarray of shape (n_layers, n_tasks, n_tasks), default=None
        t statistics of the mean cosines (:func:`cosine_tstat`).
    level : float, default=0.05
        Family-wise level of the 'test' rule.
    n_steps : ndarray of shape (n_layers, n_tasks, n_tasks), default=None
        Steps behind ``tstat`` (its degrees of freedom plus one); default
        ``observed``.

    Returns
    -------
    layout : list of tuple (layer, i, j)
        Sorted by layer, then pair.
    """
    from scipy import stats

    counts = np.asarray(counts, dtype=float)
    observed = np.asarray(observed, dtype=float)
    L, T, _ = counts.shape
    iu = np.triu_indices(T, k=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        freq = np.where(observed > 0, counts / np.maximum(observed, 1), 0.0)
    if threshold == "test":
        if tstat is None:
            raise ValueError("threshold='test' needs the t statistics (tstat).")
        n_tests = max(L * len(iu[0]), 1)
        n = observed if n_steps is None else np.asarray(n_steps, dtype=float)
        df = np.maximum(n - 1, 1)
        crit = stats.t.ppf(level / n_tests, df)  # negative
        t = np.where(np.isnan(tstat), np.inf, tstat)
        score = t  # smaller is more significant
    else:
        score = -freq
    flagged = []
    for layer in range(L):
        if threshold == "test":
            mask = t[layer][iu] < crit[layer][iu]
        elif isinstance(threshold, str):
            c = counts[layer][iu]
            mask = c > c.mean() if len(c) else np.zeros(0, bool)
        else:
            mask = freq[layer][iu] > threshold
        for k in np.flatnonzero(mask):
            i, j = int(iu[0][k]), int(iu[1][k])
            flagged.append((score[layer, i, j], layer, i, j))
    if max_modules is not None and len(flagged) > max_modules:
        flagged.sort()
        flagged = flagged[:max_modules]
    return sorted((layer, i, j) for _, layer, i, j in flagged)


class MAMOSkorchNet(MultiTaskSkorchNet):
    """:class:`MultiTaskSkorchNet` that records per-layer conflicts while probing.

    While ``probing_`` is True, the task gradients on the shared trunk are
    computed on every batch; for each layer and task pair, the steps with
    ``cos < 0`` are counted in ``conflict_counts_`` and
    ``conflict_observed_`` counts the steps where the cosine was defined.
    ``cosine_stats_`` holds, per epoch, the sum of the cosines, the sum of
    their squares and the number of steps (three arrays of shape
    (n_layers, n_tasks, n_tasks)), so that a test can use a window of epochs.
    """

    def initialize_module(self):
        super().initialize_module()
        T, L = self.module_.n_tasks, self.module_.n_layers
        self.probing_ = False
        self.conflict_counts_ = np.zeros((L, T, T))
        self.conflict_observed_ = np.zeros((L, T, T))
        self.cosine_stats_ = []
        return self

    def _needs_task_grads(self):
        # while probing: the task gradients on every batch
        return self.probing_ or super()._needs_task_grads()

    def _on_task_gradients(self, G, active):
        if not self.probing_:
            return
        cos, conflict, observed = layer_conflicts(
            G, self.module_.shared_layer_slices(), active
        )
        cos = np.where(observed > 0, np.nan_to_num(cos, nan=0.0), 0.0)
        self.conflict_counts_ += conflict
        self.conflict_observed_ += observed
        epoch = len(self.history) - 1
        while len(self.cosine_stats_) <= epoch:
            self.cosine_stats_.append(tuple(np.zeros_like(cos) for _ in range(3)))
        total, squares, steps = self.cosine_stats_[epoch]
        total += cos
        squares += cos**2
        steps += observed

    def cosine_window(self, start):
        """Cosine sums, squared sums and step counts over epochs ``start:``."""
        T, L = self.module_.n_tasks, self.module_.n_layers
        stats = [s for s in self.cosine_stats_[start:] if s]
        if not stats:
            return tuple(np.zeros((L, T, T)) for _ in range(3))
        return tuple(sum(s[k] for s in stats) for k in range(3))
