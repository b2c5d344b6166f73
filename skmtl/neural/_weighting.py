"""Task weighting: how the per-task losses ``L_t`` are combined.

Each weighting is a small ``torch.nn.Module`` (so that learnable weights are
registered with the skorch net and its optimizer) with

* ``weights()``: the current weights ``w`` (n_tasks,), detached;
* ``objective(losses)``: the scalar that is back-propagated, ``sum_t w_t L_t``
  (plus the regulariser of ``'uncertainty'``);
* ``needs_task_grads``: whether it reads the per-task gradients on the shared
  parameters (``'gradnorm'``), through ``update(losses, norms)``;
* ``end_epoch(task_losses)``: called with the mean train loss of each task at
  the end of every epoch (``'dwa'``).

Methods (``T`` tasks):

* ``'equal'``: ``w_t = 1``.
* fixed weights: ``w_t`` given.
* ``'uncertainty'`` (Kendall et al., 2018): learnable ``s_t`` (log variance),
  objective ``sum_t L_t / (2 exp(s_t)) + s_t / 2``; ``w_t = 1 / (2 exp(s_t))``.
* ``'dwa'`` (Liu et al., 2019): ``w_t = T softmax_t(r_t / tau)`` with
  ``r_t = L_t(e - 1) / L_t(e - 2)`` the ratio of the task's mean train losses
  over the two previous epochs (``w = 1`` for the first two epochs);
  ``tau`` = ``weighting_params['temperature']`` (default 2).
* ``'gradnorm'`` (Chen et al., 2018): learnable ``w_t`` updated by the
  gradient of ``sum_t |w_t ||g_t|| - mean_s(w_s ||g_s||) r_t^alpha|`` (the
  target treated as a constant), with ``g_t`` the gradient of ``L_t`` on the
  shared parameters, ``r_t = (L_t / L_t(0)) / mean_s(L_s / L_s(0))`` and
  ``L_t(0)`` the first batch's loss; after each step ``w`` is renormalised to
  sum to ``T``. ``alpha`` = ``weighting_params['alpha']`` (default 1.5).
"""

import numpy as np
import torch
from torch import nn

__all__ = [
    "DynamicWeightAverage",
    "FixedWeighting",
    "GradNormWeighting",
    "UncertaintyWeighting",
    "make_weighting",
]


class FixedWeighting(nn.Module):
    """Constant weights; ``'equal'`` is all ones."""

    needs_task_grads = False

    def __init__(self, weights):
        super().__init__()
        self.register_buffer("w", torch.as_tensor(weights, dtype=torch.float32))
        # constant unit weights: the plain sum (one product and its backward
        # less on every batch); subclasses change w as they train
        self.unit = type(self) is FixedWeighting and bool(torch.all(self.w == 1))

    def weights(self):
        return self.w.detach()

    def objective(self, losses):
        if self.unit:
            return losses.sum()
        return (self.w * losses).sum()

    def update(self, losses, norms):  # pragma: no cover - never called
        pass

    def end_epoch(self, task_losses):
        pass


class UncertaintyWeighting(FixedWeighting):
    """Homoscedastic uncertainty weighting (Kendall et al., 2018)."""

    def __init__(self, n_tasks):
        super().__init__(np.ones(n_tasks))
        self.log_var = nn.Parameter(torch.zeros(n_tasks))

    def weights(self):
        return (0.5 * torch.exp(-self.log_var)).detach()

    def objective(self, losses):
        return (0.5 * torch.exp(-self.log_var) * losses + 0.5 * self.log_var).sum()


class DynamicWeightAverage(FixedWeighting):
    """Dynamic weight average (Liu et al., 2019)."""

    def __init__(self, n_tasks, temperature=2.0):
        super().__init__(np.ones(n_tasks))
        self.temperature = float(temperature)
        self.register_buffer("past", torch.full((2, n_tasks), float("nan")))

    def end_epoch(self, task_losses):
        T = self.w.numel()
        self.past[0] = self.past[1].clone()
        self.past[1] = torch.as_tensor(task_losses, dtype=torch.float32)
        if torch.isnan(self.past).any():
            return
        ratio = self.past[1] / self.past[0].clamp(min=1e-12)
        self.w.copy_(T * torch.softmax(ratio / self.temperature, dim=0))


class GradNormWeighting(nn.Module):
    """GradNorm (Chen et al., 2018) on the shared parameters."""

    needs_task_grads = True

    def __init__(self, n_tasks, alpha=1.5):
        super().__init__()
        self.alpha = float(alpha)
        self.w = nn.Parameter(torch.ones(n_tasks))
        self.register_buffer("initial", torch.full((n_tasks,), float("nan")))

    def _renormalise(self):
        with torch.no_grad():
            T = self.w.numel()
            self.w.clamp_(min=1e-4)
            self.w.mul_(T / self.w.sum())

    def weights(self):
        return self.w.detach()

    def objective(self, losses):
        self._renormalise()
        return (self.w.detach() * losses).sum()

    def update(self, losses, norms):
        """Set ``w.grad`` to the GradNorm gradient.

        Parameters
        ----------
        losses : tensor of shape (n_tasks,)
            Current task losses.
        norms : tensor of shape (n_tasks,)
            Norms of the unweighted task gradients on the shared parameters.
        """
        losses = losses.detach()
        with torch.no_grad():
            fresh = torch.isnan(self.initial) & (losses > 0)
            self.initial[fresh] = losses[fresh]
            ratio = losses / self.initial.clamp(min=1e-12)
            ok = torch.isfinite(ratio) & (norms > 0)
            if ok.sum() < 1:
                return
            rel = torch.ones_like(ratio)
            rel[ok] = ratio[ok] / ratio[ok].mean()
            wn = self.w.detach() * norms
            target = wn[ok].mean() * rel**self.alpha
            grad = torch.sign(wn - target) * norms
            grad[~ok] = 0.0
            self.w.grad = grad.to(self.w.dtype)

    def end_epoch(self, task_losses):
        pass


WEIGHTINGS = ("equal", "uncertainty", "dwa", "gradnorm")


def make_weighting(weighting, n_tasks, params=None):
    """Build the weighting module for ``n_tasks`` tasks.

    Parameters
    ----------
    weighting : {'equal', 'uncertainty', 'dwa', 'gradnorm'} or array-like
        Method name, or fixed non-negative weights of shape (n_tasks,).
    n_tasks : int
    params : dict or None
        Method options: ``temperature`` (dwa), ``alpha`` (gradnorm).

    Returns
    -------
    module : torch.nn.Module
    """
    params = dict(params or {})
    if isinstance(weighting, str):
        if weighting == "equal":
            return FixedWeighting(np.ones(n_tasks))
        if weighting == "uncertainty":
            return UncertaintyWeighting(n_tasks)
        if weighting == "dwa":
            return DynamicWeightAverage(n_tasks, params.get("temperature", 2.0))
        if weighting == "gradnorm":
            return GradNormWeighting(n_tasks, params.get("alpha", 1.5))
        raise ValueError(
            f"Unknown weighting {weighting!r}; choose one of {list(WEIGHTINGS)} or "
            "pass an array of fixed task weights."
        )
    w = np.asarray(weighting, dtype=np.float64)
    if w.ndim != 1 or len(w) != n_tasks:
        raise ValueError(
            f"Fixed task weights must have shape (n_tasks,) = ({n_tasks},); got "
            f"shape {w.shape}."
        )
    if not np.all(np.isfinite(w)) or np.any(w < 0) or not np.any(w > 0):
        raise ValueError(
            "Fixed task weights must be finite, non-negative and not all zero; "
            f"got {w.tolist()}."
        )
    return FixedWeighting(w)


def is_fixed(weighting):
    """Whether ``weighting`` is a constant (``'equal'`` or an array)."""
    return not isinstance(weighting, str) or weighting == "equal"
