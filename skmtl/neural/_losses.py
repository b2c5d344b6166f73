"""Masked per-task losses for wide (NaN = missing) and long (task code) targets.

Targets reach the network already encoded (see ``_base_neural``):

* wide layout: a float tensor (batch, n_tasks) with ``NaN`` where a task has no
  label; classification tasks hold the class index;
* long layout: a float tensor (batch, 2) holding ``[task code, target]``; each
  row only reaches its own task's head.

The loss of task ``t`` on a batch is the mean, over the rows labelled for
``t``, of the squared error (regression), the binary cross-entropy on one logit
(binary) or the cross-entropy on ``n_classes`` logits (multiclass). A task with
no labelled row in the batch gets loss 0 and count 0. With sample weights the
targets have one more, last column of row weights; the mean is then weighted
and the count is the sum of the weights.

Tasks of one loss type are computed together, as one masked operation on
their (batch, tasks) block; the multiclass tasks' logits are gathered into
one (batch, tasks, max classes) block padded with ``-inf``. The loss still
returns the vector of per-task losses, which the task weightings and the
gradient-aggregation methods need.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["MultiTaskLoss", "TASK_TYPES", "output_dims"]

TASK_TYPES = ("regression", "binary", "multiclass")


def output_dims(task_types, n_classes):
    """Width of each task's head: 1, 1 or ``n_classes[t]``."""
    return [
        int(k) if tt == "multiclass" else 1
        for tt, k in zip(task_types, n_classes, strict=True)
    ]


class MultiTaskLoss(nn.Module):
    """Per-task masked losses of a multi-head output.

    Parameters
    ----------
    task_types : sequence of {'regression', 'binary', 'multiclass'}
        Kind of each task.
    out_dims : sequence of int
        Output width of each task's head in the concatenated output.
    layout : {'wide', 'long'}
        How the targets are encoded (see the module docstring).

    Returns
    -------
    ``forward(y_pred, y_true)`` returns ``(losses, counts)``: two tensors of
    shape (n_tasks,), the mean loss of each task over its labelled rows and
    the number of those rows.
    """

    def __init__(self, task_types, out_dims, layout="wide"):
        super().__init__()
        self.task_types = list(task_types)
        self.out_dims = [int(k) for k in out_dims]
        self.layout = layout
        offsets = np.concatenate([[0], np.cumsum(self.out_dims)])
        self.offsets = offsets.tolist()
        types = np.asarray(self.task_types)
        self.reg_tasks = np.flatnonzero(types == "regression").tolist()
        self.bin_tasks = np.flatnonzero(types == "binary").tolist()
        self.multi_tasks = np.flatnonzero(types == "multiclass").tolist()
        order = self.reg_tasks + self.bin_tasks + self.multi_tasks
        self.inverse = np.argsort(order).tolist()
        self._identity = order == list(range(len(order)))
        self._all_regression = len(self.reg_tasks) == len(self.task_types)
        # width of y_true with a trailing row-weight column (sample_weight)
        self._weighted_width = (len(self.task_types) if layout == "wide" else 2) + 1
        # multiclass logits gathered into one (batch, n_multiclass, k_max)
        # block: column index of each (task, class) slot, padding marked
        k_max = max((self.out_dims[t] for t in self.multi_tasks), default=0)
        cols = np.zeros((len(self.multi_tasks), k_max), dtype=np.int64)
        pad = np.ones((len(self.multi_tasks), k_max), dtype=bool)
        for i, t in enumerate(self.multi_tasks):
            k = self.out_dims[t]
            cols[i, :k] = np.arange(offsets[t], offsets[t] + k)
            pad[i, :k] = False
        self.register_buffer("multi_cols", torch.from_numpy(cols), persistent=False)
        self.register_buffer("multi_pad", torch.from_numpy(pad), persistent=False)
        self._multi_padded = bool(pad.any())

    def _full(self, y_true):
        """Counts of a batch with every label present (cached per batch size)."""
        key = (len(y_true), y_true.device, y_true.dtype)
        cached = getattr(self, "_full_counts", None)
        if cached is None or cached[0] != key:
            n = torch.full(
                (self.n_tasks,), float(len(y_true)), device=key[1], dtype=key[2]
            )
            self._full_counts = cached = (key, n)
        return cached[1]

    @property
    def n_tasks(self):
        return len(self.task_types)

    def split(self, y_true):
        """Return ``(values, mask)``, both (batch, n_tasks); values 0 where masked."""
        T = self.n_tasks
        if self.layout == "wide":
            mask = ~torch.isnan(y_true)
            values = torch.where(mask, y_true, torch.zeros_like(y_true))
            return values, mask
        codes = y_true[:, 0].long()
        v = y_true[:, 1]
        tasks = torch.arange(T, device=y_true.device)
        mask = (codes[:, None] == tasks[None, :]) & ~torch.isnan(v)[:, None]
        values = torch.where(mask, v[:, None], v.new_zeros(()))
        return values, mask

    def forward(self, y_pred, y_true, complete=None):
        """``(losses, counts)`` of a batch.

        ``complete=True`` vouches that the batch has every label (the caller
        checked its whole data set once), False that it may miss some; None
        checks the batch, a reduction read back to the host (a
        synchronisation on a GPU).
        """
        row_weight = None
        if y_true.shape[1] == self._weighted_width:
            y_true, row_weight = y_true[:, :-1], y_true[:, -1]
        elif self._all_regression and self.layout == "wide":
            # fast path, every label present (NaN spreads through the sum)
            if complete is None:
                complete = not math.isnan(float(y_true.sum()))
            if complete:
                return (y_pred - y_true).square().mean(0), self._full(y_true)
        values, mask = self.split(y_true)
        maskf = mask.to(y_pred.dtype)
        if row_weight is not None:
            maskf = maskf * row_weight[:, None]
        counts = maskf.sum(0)
        denom = counts.clamp(min=1.0)
        pieces = []
        off = self.offsets
        if self.reg_tasks:
            cols = [off[t] for t in self.reg_tasks]
            if self._identity and len(cols) == y_pred.shape[1]:
                pred, val, m = y_pred, values, maskf
            else:
                pred = y_pred[:, cols]
                val = values[:, self.reg_tasks]
                m = maskf[:, self.reg_tasks]
            sq = (pred - val).square() * m
            pieces.append(sq.sum(0) / denom[self.reg_tasks])
        if self.bin_tasks:
            cols = [off[t] for t in self.bin_tasks]
            bce = F.binary_cross_entropy_with_logits(
                y_pred[:, cols], values[:, self.bin_tasks], reduction="none"
            )
            m = maskf[:, self.bin_tasks]
            pieces.append((bce * m).sum(0) / denom[self.bin_tasks])
        if self.multi_tasks:
            pieces.append(self._multiclass(y_pred, values, maskf, denom))
        losses = torch.cat(pieces)
        if not self._identity:
            losses = losses[self.inverse]
        return losses, counts

    def _multiclass(self, y_pred, values, maskf, denom):
        """Cross-entropy of every multiclass task from one padded logit block."""
        tasks = self.multi_tasks
        cols = self.multi_cols.to(y_pred.device)
        logits = y_pred[:, cols]  # (batch, n_multiclass, k_max)
        if self._multi_padded:
            pad = self.multi_pad.to(y_pred.device)
            logits = logits.masked_fill(pad, float("-inf"))
        target = values[:, tasks].long().unsqueeze(-1)
        true = logits.gather(2, target).squeeze(-1)
        ce = torch.logsumexp(logits, dim=2) - true
        return (ce * maskf[:, tasks]).sum(0) / denom[tasks]
