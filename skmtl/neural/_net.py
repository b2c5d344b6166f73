"""skorch net for multi-head modules: per-task losses, weighting, aggregation.

:class:`MultiTaskSkorchNet` overrides only skorch's narrow hooks:

* ``initialize_module`` builds the task weighting (a registered torch module, so
  learnable weights reach the optimizer, the device and pickling);
* ``train_step_single`` computes the per-task masked losses, optionally the
  per-task gradients on the shared parameters (for an aggregator, GradNorm or
  the conflict diagnostics), and fills ``.grad``; skorch's ``train_step`` still
  zeroes the gradients, fires ``on_grad_computed`` and steps the optimizer;
* ``get_loss`` gives the validation loss (the same per-task sum);
* ``on_epoch_begin`` / ``on_epoch_end`` turn the epoch's sums (training) and
  batch records (validation, gradient cosines) into the per-epoch history
  entries ``train_task_losses``, ``valid_task_losses``, ``task_weights`` and
  ``grad_cosine``.

The fit loop is skorch's own.
"""

import numpy as np
import torch
from skorch import NeuralNet
from skorch.dataset import get_len, unpack_data
from skorch.utils import TeeGenerator, to_tensor

from ._aggregators import get_aggregator
from ._losses import MultiTaskLoss
from ._stopping import DIVERGENCE_ADVICE
from ._weighting import FixedWeighting, make_weighting

__all__ = ["DIAGNOSTIC_KEYS", "JacobianAggregator", "MultiTaskSkorchNet"]

#: History keys holding lists (hidden from skorch's printed table).
DIAGNOSTIC_KEYS = [
    "train_task_losses",
    "valid_task_losses",
    "task_weights",
    "grad_cosine",
]


def _task_gradients(losses, params, active):
    """(n_tasks, n_params) gradients of each task's loss on ``params``.

    One batched backward pass (``is_grads_batched``: the rows of the identity
    as output gradients, vectorised by ``vmap``) instead of one pass per task;
    rows of tasks without labels in the batch are zero.
    """
    T = len(losses)
    eye = torch.eye(T, dtype=losses.dtype, device=losses.device)
    grads = torch.autograd.grad(
        losses,
        params,
        grad_outputs=eye,
        retain_graph=True,
        allow_unused=True,
        is_grads_batched=True,
    )
    G = torch.cat(
        [
            (g if g is not None else p.new_zeros((T, *p.shape))).reshape(T, -1)
            for g, p in zip(grads, params, strict=True)
        ],
        dim=1,
    )
    inactive = [t for t, a in enumerate(active) if not a]
    if inactive:
        G[inactive] = 0.0
    return G


def _cosine(K):
    norms = np.sqrt(np.clip(np.diag(K), 0, None))
    denom = np.outer(norms, norms)
    with np.errstate(invalid="ignore", divide="ignore"):
        C = np.where(denom > 0, K / denom, np.nan)
    return C


class JacobianAggregator:
    """Adapter for a callable mapping the Jacobian to an update direction.

    ``fn(J)`` receives the (n_tasks, n_shared_params) tensor of the weighted
    task gradients and returns the (n_shared_params,) direction. torchjd's
    aggregators (``torchjd.aggregation.UPGrad()``, ``MGDA()``, ...) have
    exactly this signature, so any of them plugs in. The coefficients
    ``beta`` with ``d = beta^T J`` are recovered by least squares (exact
    whenever ``d`` lies in the span of the task gradients). The wrapper is not
    a torch module, so skorch accepts it as a plain net parameter.
    """

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, J):
        d = self.fn(J)
        if not isinstance(d, torch.Tensor) or d.shape != J.shape[1:]:
            raise ValueError(
                "A callable aggregator must map the (n_tasks, n_params) Jacobian "
                f"to a tensor of shape ({J.shape[1]},); got "
                f"{getattr(d, 'shape', type(d))}."
            )
        d = d.to(J.dtype)
        J64, d64 = J.double().cpu().numpy(), d.double().cpu().numpy()
        beta = np.linalg.lstsq(J64.T, d64, rcond=None)[0]
        return d, beta


class MultiTaskSkorchNet(NeuralNet):
    """skorch ``NeuralNet`` training a multi-head module on several tasks.

    Parameters
    ----------
    module : torch.nn.Module class or instance
        A module of :mod:`skmtl.neural._modules` (one concatenated output and a
        ``shared_parameters()`` method).
    criterion : class, default=MultiTaskLoss
        Returns per-task losses and label counts.
    weighting : str or array-like, default='equal'
        See :func:`skmtl.neural._weighting.make_weighting`.
    weighting_params : dict or None, default=None
        Options of the weighting.
    aggregator : {'mgda', 'pcgrad', 'cagrad', 'nash'}, callable or None, \
default=None
        Gradient aggregation on the shared parameters (None: back-propagate the
        weighted sum of the losses). A callable maps the (n_tasks, n_params)
        Jacobian to the update direction, e.g. a torchjd aggregator.
    aggregator_params : dict or None, default=None
        Options of the aggregator (``c`` for cagrad).
    track_conflicts : bool, default=True
        Record the cosine between task gradients on the shared parameters. It
        costs ``n_tasks + 1`` backward passes on the first batch of each epoch
        when no method needs the task gradients anyway (then every batch is
        used).
    random_state : int or None, default=None
        Seed of the random order of PCGrad's projections.
    predict_batch_size : int or 'auto', default='auto'
        Rows per batch of inference (prediction and the validation loss),
        independent of the training ``batch_size``; see :meth:`get_iterator`.
    **kwargs
        Passed to :class:`skorch.NeuralNet`.
    """

    def __init__(
        self,
        module,
        *args,
        criterion=MultiTaskLoss,
        weighting="equal",
        weighting_params=None,
        aggregator=None,
        aggregator_params=None,
        track_conflicts=True,
        random_state=None,
        predict_batch_size="auto",
        **kwargs,
    ):
        super().__init__(module, criterion, *args, **kwargs)
        self.weighting = weighting
        self.weighting_params = weighting_params
        self.aggregator = aggregator
        self.aggregator_params = aggregator_params
        self.track_conflicts = track_conflicts
        self.random_state = random_state
        self.predict_batch_size = predict_batch_size

    #: most rows of an inference batch, and the activation budget (floats in
    #: the widest layer) that bounds it for wide layers
    INFERENCE_ROWS = 65536
    INFERENCE_FLOATS = 2**24

    def get_iterator(self, dataset, training=False):
        """Training batches of ``batch_size``; inference in large batches.

        Prediction and validation need no small batches: they run in batches
        of ``predict_batch_size`` rows. With ``'auto'`` that is up to
        ``INFERENCE_ROWS`` rows, fewer when the widest layer (input included,
        a fused stack of layers counting all its members) would hold more than
        ``INFERENCE_FLOATS`` activations (64 MB in float32), and never fewer
        than ``batch_size``. ``iterator_valid__batch_size``, when set, wins.
        At the training batch size (64), predicting 1e6 rows took 15,625
        batches, ten times the time of the same network on 65,536-row
        batches. A :class:`TensorBatchIterator` is also given the net's
        ``device`` (where it may keep the data).
        """
        iterator = self.iterator_train if training else self.iterator_valid
        kwargs = self.get_params_for("iterator_train" if training else "iterator_valid")
        if "batch_size" not in kwargs:
            kwargs["batch_size"] = (
                self.batch_size if training else self.inference_batch_size(len(dataset))
            )
        if kwargs["batch_size"] == -1:
            kwargs["batch_size"] = len(dataset)
        if isinstance(iterator, type) and issubclass(iterator, TensorBatchIterator):
            kwargs.setdefault("device", self.device)
        return iterator(dataset, **kwargs)

    def inference_batch_size(self, n_rows):
        """Rows per inference batch for ``n_rows`` rows (see :meth:`get_iterator`)."""
        size = self.predict_batch_size
        if not isinstance(size, str):
            return int(size)
        if self.batch_size == -1:
            return max(1, n_rows)
        return max(self.batch_size, self._inference_rows())

    def _inference_rows(self):
        from ._modules import SharedBottom, StackedLinear, _Heads

        # heads read one shared (batch, width) tensor in a shared-bottom net,
        # else per-task features (n_tasks, batch, width)
        per_task = not isinstance(self.module_, SharedBottom)
        widths = [1]
        for m in self.module_.modules():
            if isinstance(m, torch.nn.Linear):
                widths.append(max(m.in_features, m.out_features))
            elif isinstance(m, StackedLinear):
                widths.append(m.n * max(m.n_in, m.n_out))
            elif isinstance(m, _Heads) and per_task:
                widths.append(len(m.out_dims) * max(m.weight.shape[1], m.k_max))
            elif isinstance(m, _Heads):
                widths.append(m.weight.shape[0])
        widest = max(widths)
        return int(max(1, min(self.INFERENCE_ROWS, self.INFERENCE_FLOATS // widest)))

    # ------------------------------------------------------------------ init
    #: hooks skorch fires on every batch
    BATCH_HOOKS = ("on_batch_begin", "on_batch_end", "on_grad_computed")

    def initialize_callbacks(self):
        """skorch's, and ``batch_hooks_``: the per-batch hooks that a callback
        or a subclass of this net implements (the training loop skips the
        others)."""
        super().initialize_callbacks()
        from skorch.callbacks import Callback

        listeners = [(type(self), NeuralNet)]
        listeners += [(type(cb), Callback) for _, cb in self.callbacks_]
        self.batch_hooks_ = {
            name
            for name in self.BATCH_HOOKS
            for cls, base in listeners
            if getattr(cls, name, None) is not getattr(base, name)
        }
        return self

    def initialize_optimizer(self, *args, **kwargs):
        """skorch's; ``needs_closure_``: an optimizer re-evaluates the loss
        (L-BFGS), so :meth:`train_step` keeps skorch's closure."""
        super().initialize_optimizer(*args, **kwargs)
        self.needs_closure_ = any(
            isinstance(getattr(self, name + "_"), torch.optim.LBFGS)
            for name in self._optimizers
        )
        return self

    def get_default_callbacks(self):
        """skorch's defaults, without the epoch table when ``verbose=0``.

        ``PrintLog`` formats the table every epoch even when nothing is
        printed.
        """
        callbacks = super().get_default_callbacks()
        if self.verbose:
            return callbacks
        return [(name, cb) for name, cb in callbacks if name != "print_log"]

    def initialize_module(self):
        super().initialize_module()
        n_tasks = self.module_.n_tasks
        self.weighting_ = make_weighting(
            self.weighting, n_tasks, self.weighting_params
        ).to(self.device)
        self.aggregator_fn_ = (
            None
            if self.aggregator is None
            else get_aggregator(self.aggregator)
            if isinstance(self.aggregator, str)
            else self.aggregator
            if isinstance(self.aggregator, JacobianAggregator)
            else JacobianAggregator(self.aggregator)
        )
        self.rng_ = np.random.default_rng(self.random_state)
        self.diag_pending_ = True
        w = self.weighting
        self.report_weights_ = (
            None
            if isinstance(w, str)
            else torch.as_tensor(np.asarray(w, dtype=np.float32), device=self.device)
        )
        self.epoch_sums_, self.epoch_buffer_ = None, []
        # learnable weights change in place at the optimizer step: buffer copies
        self.copy_weights_ = any(True for _ in self.weighting_.parameters())
        # constant task weights (reported with each batch of a plain step)
        self.fixed_weights_ = (
            self.weighting_.weights()
            if type(self.weighting_) is FixedWeighting
            else None
        )
        return self

    # -------------------------------------------------------------- training
    def _total(self, losses):
        """Reported loss: the sum of the task losses (times fixed weights)."""
        w = self.report_weights_
        return losses.sum() if w is None else (w * losses).sum()

    #: batches buffered before they are folded into the epoch sums
    FOLD_EVERY = 256

    def _accumulate(self, losses, counts, weights):
        """Buffer a batch's task losses, label counts and task weights.

        No arithmetic and no per-batch history record: the buffer is
        folded into the epoch sums every ``FOLD_EVERY`` batches and at the end
        of the epoch (label-weighted mean loss and mean weight of each task).
        """
        weights = weights.detach()
        if self.copy_weights_:
            weights = weights.clone()
        self.epoch_buffer_.append((losses.detach(), counts, weights))
        if len(self.epoch_buffer_) >= self.FOLD_EVERY:
            self._fold()

    def _fold(self):
        if not self.epoch_buffer_:
            return
        L, C, W = (
            torch.stack(b).double() for b in zip(*self.epoch_buffer_, strict=True)
        )
        sums = [(L * C).sum(0), C.sum(0), W.sum(0), len(C)]
        self.epoch_buffer_ = []
        if self.epoch_sums_ is None:
            self.epoch_sums_ = sums
        else:
            self.epoch_sums_ = [
                a + b for a, b in zip(self.epoch_sums_, sums, strict=True)
            ]

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """skorch's epoch loop; a training epoch without per-batch callbacks
        skips the ``notify`` round trips (same history records), and steps a
        fixed-weight objective itself (:meth:`_plain_step`).
        """
        lean = (
            training
            and iterator is not None
            and not {"on_batch_begin", "on_batch_end"} & self.batch_hooks_
        )
        if not lean:
            return super().run_single_epoch(
                iterator, training, prefix, step_fn, **fit_params
            )
        # the epoch's batch records, appended directly (what the net's
        # on_batch_begin and history.record_batch write, one dict a batch)
        batches = self.history[-1]["batches"]
        loss_key, size_key = prefix + "_loss", prefix + "_batch_size"
        plain = self._plain_steps(step_fn, fit_params)
        if plain and not self.module_.training:
            self._set_training(True)
        # whether every label is present, checked once for the whole data
        complete = getattr(iterator, "labels_complete", None)
        # the batch losses are read back once, at the end of the epoch: no
        # synchronisation per batch on a GPU
        records, losses = [], []
        try:
            for batch in iterator:
                record = {}
                batches.append(record)
                first = batch[0] if isinstance(batch, (tuple, list)) else batch
                if (
                    plain
                    and isinstance(batch, tuple)
                    and len(batch) == 2
                    and type(first) is torch.Tensor
                    and type(batch[1]) is torch.Tensor
                    and not self._needs_task_grads()
                ):
                    loss = self._plain_step(first, batch[1], complete)
                else:
                    loss = step_fn(batch, **fit_params)["loss"]
                records.append(record)
                losses.append(loss.detach().reshape(()))
                record[size_key] = (
                    len(first) if isinstance(first, torch.Tensor) else get_len(first)
                )
        finally:
            if losses:
                values = torch.stack(losses).tolist()
                for record, value in zip(records, values, strict=True):
                    record[loss_key] = value
        self.history.record(prefix + "_batch_count", len(records))
        return None

    def _plain_steps(self, step_fn, fit_params):
        """Whether the batches of this epoch may go through :meth:`_plain_step`.

        They may when :meth:`train_step` would do nothing more: it is this
        class's own step, one optimizer without a closure, no
        ``on_grad_computed`` listener, no fit parameters, constant task
        weights and no aggregator (a batch that needs the task gradients,
        :meth:`_needs_task_grads`, still takes :meth:`train_step`).
        """
        own = all(
            getattr(type(self), name) is func for name, func in _OWN_STEPS.items()
        )
        return (
            own
            and getattr(step_fn, "__func__", None) is _OWN_STEPS["train_step"]
            and not fit_params
            and not self.needs_closure_
            and len(self._optimizers) == 1
            and "on_grad_computed" not in self.batch_hooks_
            and self.fixed_weights_ is not None
            and self.aggregator_fn_ is None
        )

    def _plain_step(self, Xi, yi, complete=None):
        """One training step of a fixed-weight objective on tensor batches.

        What :meth:`train_step` does in that case (zero the gradients,
        forward, the task losses, backward of their weighted sum, step),
        without its layers of calls: about 3% of a small net's epoch.
        ``complete``: whether every label is present (see
        :class:`~skmtl.neural._losses.MultiTaskLoss`). Returns the detached
        objective, the batch's reported loss.
        """
        optimizer = self.optimizer_
        optimizer.zero_grad()
        y_pred = self.module_(Xi.to(self.device))
        losses, counts = self.criterion_(y_pred, yi.to(self.device), complete)
        objective = self.weighting_.objective(losses)
        objective.backward()
        optimizer.step()
        self._accumulate(losses, counts, self.fixed_weights_)
        return objective.detach()

    def _needs_task_grads(self):
        """Whether the next batch computes the per-task gradients.

        An aggregator or a weighting that reads their norms needs them on
        every batch; conflict tracking on the first batch of each epoch.
        """
        return (
            self.aggregator_fn_ is not None
            or self.weighting_.needs_task_grads
            or (self.track_conflicts and self.diag_pending_)
        )

    def train_step(self, batch, **fit_params):
        """skorch's ``train_step``, without the closure where no optimizer
        takes one (all but L-BFGS): zero the gradients, fill them
        (:meth:`train_step_single`), fire ``on_grad_computed`` when a callback
        listens, step. The closure and step accumulator cost about 5% of a
        small net's epoch.
        """
        if self.needs_closure_:
            return super().train_step(batch, **fit_params)
        self._zero_grad_optimizer()
        step = self.train_step_single(batch, **fit_params)
        if "on_grad_computed" in self.batch_hooks_:
            self.notify(
                "on_grad_computed",
                named_parameters=TeeGenerator(self.get_all_learnable_params()),
                batch=batch,
                training=True,
            )
        self._step_optimizer(None)
        return step

    def train_step_single(self, batch, **fit_params):
        if not self.module_.training:  # train() walks every submodule: skip it
            self._set_training(True)
        Xi, yi = unpack_data(batch)
        if type(Xi) is torch.Tensor and type(yi) is torch.Tensor and not fit_params:
            # the lean iterator's batches: skorch's infer/to_tensor only move
            # them to the device
            Xi, yi = Xi.to(self.device), yi.to(self.device)
            y_pred = self.module_(Xi)
        else:
            y_pred = self.infer(Xi, **fit_params)
            yi = to_tensor(yi, device=self.device)
        losses, counts = self.criterion_(y_pred, yi)
        W = self.weighting_
        aggregate = self.aggregator_fn_ is not None
        if self._needs_task_grads():
            self.diag_pending_ = False
            weights = self._step_with_task_grads(losses, counts, aggregate)
        else:
            objective = W.objective(losses)
            objective.backward()
            if self.fixed_weights_ is not None:
                # constant weights: the objective is the reported loss
                self._accumulate(losses, counts, self.fixed_weights_)
                return {"loss": objective.detach(), "y_pred": y_pred}
            weights = W.weights()
        self._accumulate(losses, counts, weights)
        return {"loss": self._total(losses.detach()), "y_pred": y_pred}

    def _step_with_task_grads(self, losses, counts, aggregate):
        W = self.weighting_
        shared = [p for p in self.module_.shared_parameters() if p.requires_grad]
        active = (counts > 0).tolist()
        T = len(active)
        G = _task_gradients(losses, shared, active)
        self._on_task_gradients(G, active)
        K = (G @ G.T).double().cpu().numpy()
        if (aggregate or W.needs_task_grads) and not np.isfinite(K).all():
            # (diagnostics alone go on: the epoch's loss tells, check_diverged)
            raise ValueError(
                "The task gradients are not finite at epoch "
                f"{len(self.history)}: the training diverged (the training loss "
                f"became NaN/inf). {DIVERGENCE_ADVICE}"
            )
        act = np.flatnonzero(active)
        C = _cosine(K)
        C[~np.asarray(active)] = np.nan
        C[:, ~np.asarray(active)] = np.nan
        self.history.record_batch("grad_cosine", C.tolist())
        if W.needs_task_grads:
            W.update(losses, torch.as_tensor(np.sqrt(np.diag(K)), device=G.device))
        objective = W.objective(losses)
        if not aggregate:
            objective.backward()
            return W.weights()
        shared_ids = {id(p) for p in shared}
        others = [
            p
            for _, p in self.get_all_learnable_params()
            if id(p) not in shared_ids and p.requires_grad
        ]
        if others:
            objective.backward(inputs=others)
        w = W.weights().double().cpu().numpy()
        coef = np.zeros(T)
        if not len(act):
            d = torch.zeros(G.shape[1], dtype=G.dtype, device=G.device)
        elif isinstance(self.aggregator_fn_, JacobianAggregator):
            wt = torch.as_tensor(w[act], dtype=G.dtype, device=G.device)
            d, beta = self.aggregator_fn_(wt[:, None] * G[act])
            coef[act] = beta * w[act]
        else:
            Kw = K[np.ix_(act, act)] * np.outer(w[act], w[act])
            beta = self.aggregator_fn_(Kw, self.rng_, **(self.aggregator_params or {}))
            coef[act] = np.asarray(beta) * w[act]
            d = torch.as_tensor(coef, dtype=G.dtype, device=G.device) @ G
        start = 0
        for p in shared:
            n = p.numel()
            p.grad = d[start : start + n].view_as(p).clone()
            start += n
        self.history.record_batch("task_weights", coef.tolist())
        return torch.as_tensor(coef, dtype=losses.dtype, device=losses.device)

    def _on_task_gradients(self, G, active):
        """Hook for subclasses: the (n_tasks, n_shared_params) task gradients.

        ``active[t]`` tells whether task ``t`` has labels in the batch. Called
        on every batch whose task gradients are computed; does nothing here.
        """

    # ------------------------------------------------------------ validation
    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = to_tensor(y_true, device=self.device)
        losses, counts = self.criterion_(y_pred, y_true)
        if not training:
            self.history.record_batch("valid_task_losses", losses.detach().tolist())
            self.history.record_batch("valid_task_counts", counts.tolist())
        return self._total(losses)

    # --------------------------------------------------------------- history
    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        super().on_epoch_begin(net, dataset_train, dataset_valid, **kwargs)
        self.diag_pending_ = True
        self.epoch_sums_, self.epoch_buffer_ = None, []

    def _batch_mean(self, key, weight_key=None):
        batches = self.history[-1]["batches"]
        vals = [b[key] for b in batches if key in b]
        if not vals:
            return None
        vals = np.asarray(vals, dtype=np.float64)
        if weight_key is None:
            with np.errstate(invalid="ignore"):
                out = np.nanmean(vals, axis=0) if np.isnan(vals).any() else vals.mean(0)
            return out
        wts = np.asarray([b[weight_key] for b in batches if key in b], dtype=float)
        tot = wts.sum(0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(tot > 0, (vals * wts).sum(0) / tot, np.nan)

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        self._fold()
        if self.epoch_sums_ is not None:
            loss_sum, counts, weights, n_batches = (
                np.asarray(s.double().cpu()) if torch.is_tensor(s) else s
                for s in self.epoch_sums_
            )
            with np.errstate(invalid="ignore", divide="ignore"):
                train = np.where(counts > 0, loss_sum / counts, np.nan)
            self.history.record("train_task_losses", train.tolist())
            self.weighting_.end_epoch(train)
            self.history.record("task_weights", (weights / n_batches).tolist())
            self.epoch_sums_ = None
        valid = self._batch_mean("valid_task_losses", "valid_task_counts")
        if valid is not None:
            self.history.record("valid_task_losses", valid.tolist())
        cos = self._batch_mean("grad_cosine")
        if cos is not None:
            self.history.record("grad_cosine", cos.tolist())
        super().on_epoch_end(net, dataset_train, dataset_valid, **kwargs)


#: the step methods as this module defines them: a subclass or a patch that
#: replaces one keeps its own step (no plain steps)
_OWN_STEPS = {
    name: MultiTaskSkorchNet.__dict__[name]
    for name in ("train_step", "train_step_single", "_plain_step")
}


class TensorBatchIterator:
    """Mini-batches sliced from whole tensors (a lean ``DataLoader``).

    skorch's default ``DataLoader`` fetches each row through
    ``Dataset.__getitem__`` and collates them, which dominates the time of a
    small tabular net. This iterator indexes the whole arrays once per batch.
    It understands skorch's ``Dataset`` (and the ``Subset`` made by
    ``ValidSplit``); any other dataset falls back to a ``DataLoader``. The
    shuffling permutation comes from torch's global CPU generator, like
    ``DataLoader``'s, whatever the device: the same seed gives the same
    batches on the CPU and on a GPU.

    Parameters
    ----------
    dataset : skorch.dataset.Dataset or torch.utils.data.Subset of one
    batch_size : int, default=64
    shuffle : bool, default=False
    device : str or torch.device, default=None
        The net's device. On a CUDA device the arrays are copied there once
        (and the batches sliced there) when they take at most
        ``RESIDENT_FRACTION`` of its free memory; otherwise each batch is
        copied at its step.
    **kwargs
        Only used by the ``DataLoader`` fallback.
    """

    #: largest share of a CUDA device's free memory the data may take there
    RESIDENT_FRACTION = 0.25

    def __init__(self, dataset, batch_size=64, shuffle=False, device=None, **kwargs):
        self.batch_size = len(dataset) if batch_size in (-1, None) else batch_size
        self.shuffle = shuffle
        self.fallback = None
        arrays = _dataset_arrays(dataset)
        if arrays is None:
            self.fallback = torch.utils.data.DataLoader(
                dataset, batch_size=self.batch_size, shuffle=shuffle, **kwargs
            )
            return
        X, y = arrays
        #: every label present (a float y without NaN): the loss need not
        #: check each batch
        self.labels_complete = (
            y is not None and y.is_floating_point() and not bool(torch.isnan(y).any())
        )
        self.X, self.y = _resident(arrays, device, self.RESIDENT_FRACTION)

    def __len__(self):
        if self.fallback is not None:
            return len(self.fallback)
        return -(-len(self.X) // self.batch_size)

    def __iter__(self):
        if self.fallback is not None:
            yield from self.fallback
            return
        n, bs = len(self.X), self.batch_size
        order = None
        if self.shuffle:
            order = torch.randperm(n)
            if order.device != self.X.device:
                order = order.to(self.X.device)
        for start in range(0, n, bs):
            rows = (
                order[start : start + bs] if self.shuffle else slice(start, start + bs)
            )
            yield self.X[rows], (None if self.y is None else self.y[rows])


def _resident(arrays, device, fraction):
    """The arrays, on ``device`` when it is CUDA and they fit ``fraction`` of
    its free memory (else as they are, on the CPU)."""
    if device is None or torch.device(device).type != "cuda":
        return arrays
    device = torch.device(device)
    size = sum(a.numel() * a.element_size() for a in arrays if a is not None)
    free, _ = torch.cuda.mem_get_info(device)
    if size > fraction * free:
        return arrays
    return tuple(None if a is None else a.to(device) for a in arrays)


def _as_tensor(a):
    if a is None:
        return None
    if isinstance(a, torch.Tensor):
        return a
    if isinstance(a, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(a))
    return None


def _dataset_arrays(dataset):
    from skorch.dataset import Dataset

    indices = None
    if isinstance(dataset, torch.utils.data.Subset):
        indices = np.asarray(dataset.indices)
        dataset = dataset.dataset
    if type(dataset) is not Dataset:
        return None
    X, y = _as_tensor(dataset.X), _as_tensor(dataset.y)
    if X is None or (dataset.y is not None and y is None):
        return None
    if indices is not None:
        idx = torch.as_tensor(indices, dtype=torch.long)
        X = X[idx]
        y = None if y is None else y[idx]
    return X, y
