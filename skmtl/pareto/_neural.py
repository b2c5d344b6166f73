"""The neural front: K trunk+heads nets trained jointly, with MT2O transfer.

The ``K`` copies of :class:`skmtl.neural._modules.SharedBottom` (one per
preference) are stacked with :func:`torch.func.stack_module_state` and run in
one vectorised forward pass (:func:`torch.vmap`), so one mini-batch step moves
every member. Targets reach the loss in the neural estimators' encoding (wide:
``(n, n_tasks)`` with ``NaN``; long: ``(n, 2)`` of ``[task code, value]``) and
are masked by :meth:`skmtl.neural._losses.MultiTaskLoss.split`. torch is
imported lazily: the linear front does not need it.
"""

import copy

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin

from ..base import MultiTaskMixin
from ..utils import import_optional
from ._member import FrontMemberMixin

__all__ = ["fit_mlp_front"]

_WINDOW = 10  # epochs over which the stopping criterion measures progress


def _torch():
    return import_optional("torch", "neural")


def _dense32(X):
    X = X.toarray() if sp.issparse(X) else np.asarray(X)
    return np.array(X, dtype=np.float32, order="C")  # a writable copy for torch


class _ParetoMLPMember(FrontMemberMixin, MultiTaskMixin, RegressorMixin, BaseEstimator):
    """One fitted neural member of a Pareto front (returned by ``select``).

    A shared-bottom network (``module_``: trunk and one head per task) fitted
    on standardised targets (``y_mean_``, ``y_scale_`` undo the scaling), with
    the front's task bookkeeping, so it predicts and scores like any skmtl
    multi-task regressor. It is created fitted; calling ``fit`` is not
    supported.

    Parameters
    ----------
    preference : ndarray of shape (n_tasks,), default=None
        The member's preference vector.
    task_column : int, str or None, default=None
        Task column of the data the front was fitted on.
    """

    _accept_sparse = ("csr", "csc")

    def _raw_predict(self, X):
        """Predictions of every task head, (n_samples, n_tasks), original scale."""
        torch = _torch()
        with torch.no_grad():
            out = self.module_(torch.from_numpy(_dense32(X))).numpy()
        return out.astype(np.float64) * self.y_scale_ + self.y_mean_

    def predict(self, X):
        """Predict every task (wide data) or each row's own task (long data).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Inputs, with the task column for long data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples, n_tasks) or (n_samples,)
            Predictions.
        """
        Xf, codes = self._validate_predict(X)
        pred = self._raw_predict(Xf)
        if codes is None:
            return pred
        return pred[np.arange(len(codes)), codes]

    def score(self, X, y, sample_weight=None):
        """Mean per-task R^2 (missing labels ignored).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Test inputs.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            True targets (NaN for missing labels).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean over tasks of the per-task R^2.
        """
        from ..metrics import r2_score

        Xf, codes = self._validate_predict(X)
        self._check_n_tasks(y, codes)
        pred = self._raw_predict(Xf)
        if codes is not None:
            pred = pred[np.arange(len(codes)), codes]
        return r2_score(y, pred, tasks=codes, sample_weight=sample_weight)


def _encode(data, train_idx):
    """Rows used in training, their targets (neural encoding) and weights.

    Targets of task ``t`` are standardised with the weighted mean and standard
    deviation of its training rows, so a task's mean squared error is its loss
    relative to predicting the mean (the linear front's normalisation).
    """
    T = data.n_tasks
    sw = np.ones(data.n_samples) if data.sample_weight is None else data.sample_weight
    mean, scale = np.zeros(T), np.ones(T)
    for t, idx in enumerate(train_idx):
        y_t = data.y[idx] if data.layout == "long" else data.y[idx, t]
        w_t = sw[idx]
        if len(idx) and w_t.sum() > 0:
            mean[t] = np.average(y_t, weights=w_t)
            sd = np.sqrt(np.average((y_t - mean[t]) ** 2, weights=w_t))
            scale[t] = sd if sd > 0 else 1.0
    rows = np.unique(np.concatenate([np.asarray(i, dtype=int) for i in train_idx]))
    pos = np.full(data.n_samples, -1)
    pos[rows] = np.arange(len(rows))
    if data.layout == "wide":
        Y = np.full((len(rows), T), np.nan, dtype=np.float32)
        for t, idx in enumerate(train_idx):
            Y[pos[idx], t] = (data.y[idx, t] - mean[t]) / scale[t]
    else:
        Y = np.full((len(rows), 2), np.nan, dtype=np.float32)
        Y[:, 0] = data.task_codes[rows]
        for t, idx in enumerate(train_idx):
            Y[pos[idx], 1] = (data.y[idx] - mean[t]) / scale[t]
    return rows, Y, sw[rows].astype(np.float32), mean, scale


class _Objective:
    """Scalarised, masked, weighted task losses of the K stacked members."""

    def __init__(self, P, scalarization, smoothing, alpha, T, layout):
        from ..neural._losses import MultiTaskLoss

        torch = _torch()
        self.split = MultiTaskLoss(["regression"] * T, [1] * T, layout).split
        self.P = torch.as_tensor(P, dtype=torch.float32)
        self.scalarization = scalarization
        self.mu = float(smoothing)
        self.alpha = float(alpha)

    def losses(self, out, y, w):
        """(K, T) weighted mean squared error of each member on each task."""
        values, mask = self.split(y)
        M = mask.to(out.dtype) * w[:, None]
        sq = ((out - values[None]).square() * M[None]).sum(1)
        return sq / M.sum(0).clamp(min=1e-12)[None]

    def __call__(self, losses, params):
        """(K,) scalarised objective of each member, ridge term included."""
        torch = _torch()
        z = self.P * losses
        if self.scalarization == "weighted_sum":
            value = z.sum(1)
        else:  # smooth Tchebycheff
            value = self.mu * torch.logsumexp(z / self.mu, dim=1)
        if self.alpha:
            sq = sum(p.reshape(len(p), -1).square().sum(1) for p in params.values())
            value = value + 0.5 * self.alpha * sq
        return value


def fit_mlp_front(est, data, train_idx, P, seed, neighbours, hypervolume):
    """Train the K members of ``est`` (a ParetoFrontRegressor) jointly.

    Parameters
    ----------
    est : ParetoFrontRegressor
        The estimator (its parameters are read, never written).
    data : MultiTaskData
        The validated data.
    train_idx : list of ndarray
        Training rows of each task.
    P : ndarray of shape (K, n_tasks)
        Preferences.
    seed : int
        Seed of the initialisation and of the mini-batch order.
    neighbours : ndarray of shape (K, m)
        Transfer partners of each member.
    hypervolume : callable
        ``hypervolume(F, ref_point)``.

    Returns
    -------
    members : list of _ParetoMLPMember
        Fitted members (task bookkeeping still to be copied by the caller).
    history : list of float
        Hypervolume of the training losses after each epoch (and at start).
    n_iter : int
        Epochs run.
    losses : ndarray of shape (K, n_tasks)
        Final normalised training losses.
    crit : float
        Final value of the stopping criterion.
    n_transfers : int
        Transfer candidates accepted.
    """
    torch = _torch()
    from torch.func import functional_call, stack_module_state, vmap

    from ..neural._modules import SharedBottom
    from ..neural._rng import torch_rng

    K, T = P.shape
    rows, Y, w, mean, scale = _encode(data, train_idx)
    X = _dense32(data.X[rows])
    n = len(rows)
    with torch_rng() as seed_torch:
        seed_torch(seed)
        base = SharedBottom(
            X.shape[1],
            [1] * T,
            trunk_layer_sizes=[int(s) for s in est.trunk_layer_sizes],
            head_layer_sizes=[int(s) for s in est.head_layer_sizes],
            activation=est.activation,
        )
        # one common initialisation: members start from the same point, as the
        # linear front starts every member at zero, so that parameter mixing
        # compares like with like
        params, buffers = stack_module_state([copy.deepcopy(base) for _ in range(K)])
    template = copy.deepcopy(base).to("meta")

    def one(p, b, x):
        return functional_call(template, (p, b), (x,))  # (batch, T)

    def forward(x):  # (K, batch, T)
        return vmap(one, in_dims=(0, 0, None))(params, buffers, x)

    objective = _Objective(
        P, est.scalarization, est.smoothing, est.alpha, T, data.layout
    )
    Xt, Yt, wt = torch.from_numpy(X), torch.from_numpy(Y), torch.from_numpy(w)
    optimizer = torch.optim.Adam(params.values(), lr=est.lr)
    gen = torch.Generator().manual_seed(seed + 1)
    batch = min(int(est.batch_size), n)
    names = list(params)
    transfer = est.transfer == "mt2o" and K > 1
    n_transfers = 0

    def flat():
        return torch.cat([params[k].detach().reshape(K, -1) for k in names], 1)

    def assign(theta):
        with torch.no_grad():
            start = 0
            for k in names:
                size = params[k][0].numel()
                params[k].copy_(theta[:, start : start + size].reshape(params[k].shape))
                start += size

    def evaluate():  # full training objective and normalised task losses
        with torch.no_grad():
            losses = objective.losses(forward(Xt), Yt, wt)
            return objective(losses, params), losses

    values, losses = evaluate()
    ref = np.ones(T)
    history = [hypervolume(losses.numpy().astype(float), ref)]
    objs = [values.numpy().astype(float)]
    every = max(1, est.max_iter // 10)
    crit, n_iter = np.inf, 0

    def judge():  # the full training objective of every member
        return evaluate()[0]

    transfer_every = 10 if est.transfer_every is None else int(est.transfer_every)
    step = 0
    for n_iter in range(1, est.max_iter + 1):
        perm = torch.randperm(n, generator=gen)
        for start in range(0, n, batch):
            b = perm[start : start + batch]
            optimizer.zero_grad()
            obj = objective(objective.losses(forward(Xt[b]), Yt[b], wt[b]), params)
            obj.sum().backward()  # members are independent: one backward for all
            optimizer.step()
            step += 1
            if transfer and step % transfer_every == 0:
                g = torch.cat([params[k].grad.reshape(K, -1) for k in names], 1)
                n_transfers += _transfer(est, flat, assign, judge, g, neighbours)
        values, losses = evaluate()
        history.append(hypervolume(losses.numpy().astype(float), ref))
        objs.append(values.numpy().astype(float))
        if n_iter > _WINDOW:
            hist = np.asarray(objs)
            before, recent = hist[:-_WINDOW].min(0), hist[-_WINDOW:].min(0)
            crit = float(np.max((before - recent) / np.maximum(np.abs(before), 1e-12)))
        if est.verbose and n_iter % every == 0:
            print(
                f"[ParetoFront] epoch {n_iter}: hypervolume {history[-1]:.6f}, "
                f"relative decrease {crit:.2e} (tol {est.tol:.1e})"
            )
        if crit <= est.tol:
            break
    members = []
    for k in range(K):
        module = copy.deepcopy(base)
        module.load_state_dict(
            {name: params[name][k].detach().clone() for name in names}
            | {name: buffers[name][k].clone() for name in buffers}
        )
        module.eval()
        member = _ParetoMLPMember(preference=P[k], task_column=est.task_column)
        member.module_ = module
        member.y_mean_, member.y_scale_ = mean, scale
        members.append(member)
    return members, history, n_iter, losses.numpy().astype(float), crit, n_transfers


def _transfer(est, flat, assign, evaluate, grads, neighbours):
    """MT2O step on the stacked parameters, after a mini-batch step.

    Member ``k`` is offered ``(1 - s) theta_k + s sum_j M_kj theta_j`` with
    ``M`` from :func:`skmtl.pareto._moo.transfer_weights` on the members'
    gradients of this mini-batch (``grads``, (K, n_params)); it keeps the
    candidate only if its full training objective (``evaluate()``, (K,))
    decreases. Returns the number of candidates kept.
    """
    from ._moo import transfer_weights

    torch = _torch()
    theta = flat()
    M = transfer_weights((grads @ grads.T).double().cpu().numpy(), neighbours)
    offered = torch.as_tensor(M.sum(axis=1) > 0)
    if not bool(offered.any()):
        return 0
    s = float(est.transfer_strength)
    mix = torch.as_tensor(M, dtype=theta.dtype) @ theta
    cand = torch.where(offered[:, None], (1 - s) * theta + s * mix, theta)
    before = evaluate()
    assign(cand)
    keep = offered & (evaluate() < before)
    assign(torch.where(keep[:, None], cand, theta))
    return int(keep.sum())
