"""When a neural fit ends: the stopping rule, its validation split, the decision.

One rule serves every setting of ``early_stopping``: the monitored loss
(``valid_loss`` on a held-out split, or ``train_loss``) has not improved by
more than ``tol`` on its best value for ``n_iter_no_change`` consecutive
epochs (scikit-learn's ``MLPRegressor`` rule). With ``early_stopping=False``
the rule only watches, and tells whether the fit ended converged.
"""

import copy
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback

__all__ = [
    "DIVERGENCE_ADVICE",
    "MIN_VALID_LABELS",
    "StoppingRule",
    "TaskStratifiedSplit",
    "check_diverged",
    "resolve_stopping",
    "warn_if_not_converged",
]

#: what to try when a fit diverged (every divergence error and warning)
DIVERGENCE_ADVICE = (
    "Lower lr, standardise the inputs (and targets), or use another optimizer."
)

#: fewest held-out labels of every task for ``early_stopping='auto'`` to
#: hold rows out (see :func:`resolve_stopping`)
MIN_VALID_LABELS = 50


def resolve_stopping(early_stopping, task_sizes, fraction, partial):
    """The monitored loss: 'valid_loss', 'train_loss', or None (watch only).

    ``'auto'`` holds rows out when every task would get at least
    ``MIN_VALID_LABELS`` labelled validation rows (``fraction *
    task_sizes``), and otherwise stops on the training loss: on small data a
    few dozen held-out rows give a noisy stopping point and cost a tenth of
    the data. ``partial_fit`` (one epoch, nothing to stop) never holds rows
    out under ``'auto'``.
    """
    if early_stopping is True:
        return "valid_loss"
    if early_stopping is False:
        return None
    if partial:
        return "train_loss"
    sizes = np.asarray(task_sizes, dtype=float)
    enough = sizes.size and np.floor(fraction * sizes.min()) >= MIN_VALID_LABELS
    return "valid_loss" if enough else "train_loss"


class TaskStratifiedSplit:
    """skorch ``train_split``: hold out ``fraction`` of every task's labels.

    Tasks are visited from the fewest labels to the most; each adds, at
    random among its labelled rows not yet held out, rows until at least
    ``round(fraction * n_t)`` (and at least 1) of its labelled rows are
    held out, keeping one training label of every task (drawn first). For
    long data each task gets exactly its share of rows; for wide data a row
    held out for one task also holds out its other labels, so a task may get
    somewhat more. Rows without any label
    stay in training (they carry no loss). The encoded targets of the net
    are read: wide ``(n, n_tasks)`` with NaN for missing labels, long
    ``(n, 2)`` ``[task code, value]``; a last column of row weights, when
    present, is ignored. Streaming data are read once, chunk by chunk, for
    their encoded targets, so that they get the split of the same data in
    memory.

    Parameters
    ----------
    fraction : float in (0, 1)
        Held-out share of each task's labelled rows.
    layout : {'wide', 'long'}
        Layout of the encoded targets.
    n_tasks : int
        Number of tasks.
    random_state : int
        Seed of the draw.
    """

    def __init__(self, fraction, layout, n_tasks, random_state):
        self.fraction = fraction
        self.layout = layout
        self.n_tasks = n_tasks
        self.random_state = random_state

    def valid_rows(self, Y):
        """Sorted indices of the held-out rows of the encoded targets ``Y``."""
        Y = np.asarray(Y)
        rng = np.random.default_rng(self.random_state)
        if self.layout == "long":
            codes = Y[:, 0].astype(np.int64)
            labelled = ~np.isnan(Y[:, 1])
            members = [
                np.flatnonzero(labelled & (codes == t)) for t in range(self.n_tasks)
            ]
        else:
            members = [np.flatnonzero(~np.isnan(Y[:, t])) for t in range(self.n_tasks)]
        held = np.zeros(len(Y), dtype=bool)
        order = np.argsort([len(m) for m in members], kind="stable")
        # one training label kept for every task with two or more
        keep = np.zeros(len(Y), dtype=bool)
        for t in order:
            if len(members[t]) >= 2 and not keep[members[t]].any():
                keep[rng.choice(members[t])] = True
        for t in order:
            rows = members[t]
            if len(rows) < 2:
                continue  # a task with one label keeps it for training
            quota = max(1, round(self.fraction * len(rows)))
            free = rows[~held[rows] & ~keep[rows]]
            need = min(quota - int(held[rows].sum()), len(free))
            if need > 0:
                held[rng.choice(free, size=need, replace=False)] = True
        return np.flatnonzero(held)

    def __call__(self, dataset, y=None, groups=None):
        from torch.utils.data import Subset

        n = len(dataset)
        targets = getattr(dataset, "y", None)
        if not (isinstance(targets, np.ndarray) and len(targets) == n):
            targets = _stream_targets(dataset)
        if targets is not None:
            valid = self.valid_rows(targets)
        else:  # targets that cannot be read: rows at random
            rng = np.random.default_rng(self.random_state)
            k = max(1, round(self.fraction * n)) if n > 1 else 0
            valid = np.sort(rng.choice(n, size=k, replace=False))
        train = np.setdiff1d(np.arange(n), valid)
        return Subset(dataset, train.tolist()), Subset(dataset, valid.tolist())


def _stream_targets(dataset):
    """Encoded targets of streaming data (``StreamData``), read chunk by chunk."""
    from ._scan import chunks

    source = getattr(dataset, "source", None)
    if not hasattr(dataset, "batch") or source is None:
        return None
    parts = [
        dataset.batch(slice(start, stop))[1].numpy()
        for start, stop in chunks(len(dataset), source.chunk_size)
    ]
    source.release()
    return np.concatenate(parts) if parts else None


class StoppingRule(Callback):
    """Stop when ``monitor`` stops improving; keep the best weights.

    An epoch improves when its loss is below the best loss so far minus
    ``tol``; after ``patience`` epochs in a row without improvement the rule
    fires (``converged_``) and, when ``stop``, ends training. With
    ``restore_best`` the module's weights of the epoch of lowest loss are
    loaded at the end of training.

    Parameters
    ----------
    monitor : {'valid_loss', 'train_loss'}
        History key of the per-epoch loss.
    patience : int
        Epochs without improvement that end the fit.
    tol : float
        Smallest improvement that resets the count.
    stop : bool, default=True
        Whether the rule ends training (False: it only watches).
    restore_best : bool, default=False
        Load the weights of the best epoch at the end of training.
    """

    def __init__(self, monitor, patience, tol, stop=True, restore_best=False):
        self.monitor = monitor
        self.patience = patience
        self.tol = tol
        self.stop = stop
        self.restore_best = restore_best

    def on_train_begin(self, net, **kwargs):
        self.best_loss_ = np.inf
        self.best_epoch_ = None
        self.misses_ = 0
        self.converged_ = False
        self.best_weights_ = None
        self.n_epochs_ = 0
        self.diverged_ = False

    def on_epoch_end(self, net, **kwargs):
        self.n_epochs_ += 1
        if not np.isfinite(net.history[-1].get("train_loss", 0.0)):
            # a non-finite loss spreads to every weight: training cannot
            # recover, and the fit's caller says so (check_diverged)
            self.diverged_ = True
            raise KeyboardInterrupt
        loss = net.history[-1].get(self.monitor, np.nan)
        finite = np.isfinite(loss)
        if finite and loss < self.best_loss_ - self.tol:
            self.misses_ = 0
        else:
            self.misses_ += 1
        if finite and loss < self.best_loss_:
            self.best_loss_ = float(loss)
            self.best_epoch_ = int(net.history[-1, "epoch"])
            if self.restore_best:
                self.best_weights_ = copy.deepcopy(net.module_.state_dict())
        if self.misses_ >= self.patience:
            self.converged_ = True
            if self.stop:
                raise KeyboardInterrupt  # skorch's way to end the fit loop

    def on_train_end(self, net, **kwargs):
        last = int(net.history[-1, "epoch"]) if len(net.history) else None
        if self.best_weights_ is not None and self.best_epoch_ != last:
            net.module_.load_state_dict(self.best_weights_)
        self.best_weights_ = None  # no second copy of the weights in the model


def warn_if_not_converged(est):
    """ConvergenceWarning when ``max_epochs`` ended the fit, not the rule.

    The rule (see ``early_stopping``) had not fired: the monitored loss
    improved by more than ``tol`` within the last ``n_iter_no_change``
    epochs, or fewer epochs than that were run. Never silent: with
    ``early_stopping=False`` the rule watches without stopping and the
    warning says whether the loss had settled by the end.
    """
    if est.converged_ or est.stop_reason_ in ("interrupted", "diverged"):
        return
    key, k = est.monitor_, est.n_iter_no_change
    n = dict(est.net_.callbacks_)["stopping"].n_epochs_
    why = (
        f"it ran {n} epochs, fewer than n_iter_no_change={k}"
        if n < k
        else f"{key} improved by more than tol={est.tol} within the last "
        f"n_iter_no_change={k} epochs"
    )
    warnings.warn(
        f"{type(est).__name__} reached max_epochs={est.max_epochs} before "
        f"its stopping rule fired ({why}); the fit may not have converged. "
        "Increase max_epochs"
        + (" or use early_stopping='auto'." if est.early_stopping is False else "."),
        ConvergenceWarning,
    )


def check_diverged(est):
    """Never a silent non-finite model: the training loss became NaN/inf.

    The weights of the best epoch are kept when the validation rule saved
    them (a ConvergenceWarning names the epoch); with non-finite weights
    the fit raises.
    """
    losses = [h.get("train_loss", np.nan) for h in est.net_.history]
    bad = [i for i, v in enumerate(losses) if not np.isfinite(v)]
    if not bad:
        return
    est.converged_ = False
    est.stop_reason_ = "diverged"
    epoch = bad[0] + 1
    cause = (
        f"{type(est).__name__} diverged: the training loss became "
        f"{losses[bad[0]]} at epoch {epoch} (lr={est.lr})"
    )
    advice = DIVERGENCE_ADVICE
    finite = all(bool(torch.isfinite(p).all()) for p in est.net_.module_.parameters())
    if not finite:
        raise ValueError(f"{cause}, and the weights are not finite. {advice}")
    warnings.warn(
        f"{cause}; training stopped and the weights of epoch "
        f"{getattr(est, 'best_epoch_', None)} (lowest validation loss) are "
        f"kept. {advice}",
        ConvergenceWarning,
    )
