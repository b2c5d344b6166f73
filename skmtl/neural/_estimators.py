"""scikit-learn estimators wrapping :class:`MultiTaskSkorchNet`."""

import copy
import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..base import MultiTaskMixin
from ..utils import import_optional

__all__ = ["MultiTaskMLPClassifier", "MultiTaskMLPRegressor", "MultiTaskNet"]

_ARCHITECTURES = ("shared_bottom", "mmoe", "ple")
_OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")
_TASK_TYPES = ("regression", "classification", "binary", "multiclass")


def _torch():
    return import_optional("torch", "neural")


def _optimizer_class(name):
    torch = _torch()
    if not isinstance(name, str):
        return name
    return {
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
        "sgd": torch.optim.SGD,
        "rmsprop": torch.optim.RMSprop,
    }[name]


def _module_class(architecture):
    from ._modules import PLE, MMoE, SharedBottom

    return {"shared_bottom": SharedBottom, "mmoe": MMoE, "ple": PLE}[architecture]


class _BaseMultiTaskNeural(MultiTaskMixin, BaseEstimator):
    """Shared fit/predict machinery of the neural multi-task estimators."""

    _parameter_constraints = {
        "trunk_layer_sizes": ["array-like"],
        "head_layer_sizes": ["array-like"],
        "activation": [
            StrOptions(
                {"relu", "tanh", "logistic", "gelu", "elu", "leaky_relu", "selu"}
            )
        ],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "architecture": [StrOptions(set(_ARCHITECTURES))],
        "n_experts": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_task_experts": [Interval(numbers.Integral, 1, None, closed="left")],
        "weighting": [
            StrOptions({"equal", "uncertainty", "dwa", "gradnorm"}),
            "array-like",
        ],
        "weighting_params": [dict, None],
        "aggregator": [
            StrOptions({"mgda", "pcgrad", "cagrad", "nash"}),
            callable,
            None,
        ],
        "aggregator_params": [dict, None],
        "optimizer": [StrOptions(set(_OPTIMIZERS)), type],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "track_gradient_conflicts": ["boolean"],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "device": [StrOptions({"cpu", "cuda"}), str],
        "verbose": ["verbose"],
        "callbacks": [list, None],
        "task_column": [None, numbers.Integral, str],
    }

    # ----------------------------------------------------------- task types
    def _resolve_task_types(self, n_tasks):
        """Per-task types: 'regression', 'classification', 'binary', 'multiclass'."""
        raise NotImplementedError

    def _encode_targets(self, data, reset, given_classes=None):
        """Encode targets for the net; set ``classes_``, ``y_mean_``, ``y_scale_``.

        Returns the float32 target array: (n, n_tasks) with NaN (wide) or
        (n, 2) ``[task code, value]`` (long).
        """
        T = data.n_tasks
        if reset:
            types = self._resolve_task_types(T)
            classes, mean, scale, kinds = [], np.zeros(T), np.ones(T), []
            for t, _, y_t, _ in data.iter_tasks():
                if types[t] == "regression":
                    classes.append(None)
                    kinds.append("regression")
                    if self._standardize:
                        mean[t] = y_t.mean()
                        sd = y_t.std()
                        scale[t] = sd if sd > 0 else 1.0
                    continue
                labels = np.unique(y_t)
                if given_classes is not None:
                    labels = np.unique(np.asarray(given_classes[t], dtype=float))
                if len(labels) < 2:
                    raise ValueError(
                        f"Classification task {data.tasks[t]!r} has only one class "
                        f"({labels.tolist()}); each classification task needs at "
                        "least 2 classes."
                    )
                if np.any(labels != np.round(labels)):
                    raise ValueError(
                        f"Unknown label type: continuous. Task {data.tasks[t]!r} "
                        "has non-integer labels; classification tasks need class "
                        "labels (integers), use a regression task for continuous "
                        "targets."
                    )
                if np.all(np.abs(labels) < 2**53):
                    labels = labels.astype(np.int64)
                if types[t] == "binary" and len(labels) != 2:
                    raise ValueError(
                        f"Task {data.tasks[t]!r} is declared 'binary' but has "
                        f"{len(labels)} classes; use 'multiclass' or "
                        "'classification'."
                    )
                classes.append(labels)
                kinds.append("binary" if len(labels) == 2 else "multiclass")
            self.task_types_ = kinds
            self._classes = classes
            self.y_mean_, self.y_scale_ = mean, scale
        enc = [None] * T
        for t, _, y_t, _ in data.iter_tasks():
            if self.task_types_[t] == "regression":
                enc[t] = (y_t - self.y_mean_[t]) / self.y_scale_[t]
            else:
                labels = self._classes[t]
                pos = np.clip(np.searchsorted(labels, y_t), 0, len(labels) - 1)
                unseen = labels[pos] != y_t
                if unseen.any():
                    raise ValueError(
                        f"Task {data.tasks[t]!r} has labels "
                        f"{np.unique(y_t[unseen])[:5].tolist()} not seen in the "
                        f"first fit (classes {labels.tolist()})."
                    )
                enc[t] = pos.astype(np.float64)
        if data.layout == "wide":
            Y = np.full(data.y.shape, np.nan, dtype=np.float32)
            for t, idx in enumerate(data.task_index):
                Y[idx, t] = enc[t]
            return Y
        Y = np.full((data.n_samples, 2), np.nan, dtype=np.float32)
        Y[:, 0] = data.task_codes
        for t, idx in enumerate(data.task_index):
            Y[idx, 1] = enc[t]
        return Y

    # ------------------------------------------------------------ the net
    @staticmethod
    def _per_task_classes(classes, n_tasks):
        """``classes`` for every task: one array shared by all, or a list."""
        if (
            isinstance(classes, list | tuple)
            and len(classes) == n_tasks
            and all(np.ndim(c) == 1 for c in classes)
        ):
            return [np.asarray(c) for c in classes]
        arr = np.asarray(classes)
        if arr.ndim == 1:
            return [arr] * n_tasks
        raise ValueError(
            "classes must be one array of labels (shared by every task) or a "
            f"list of {n_tasks} arrays, one per task."
        )

    def _check_device(self):
        torch = _torch()
        if str(self.device).startswith("cuda") and not torch.cuda.is_available():
            raise ValueError(
                f"device={self.device!r} was requested but CUDA is not available "
                "(torch.cuda.is_available() is False). Use device='cpu' or install "
                "a CUDA build of torch on a machine with a GPU."
            )

    def _build_net(self, n_features, layout, seed):
        from skorch.callbacks import EarlyStopping
        from skorch.dataset import ValidSplit

        from ._losses import output_dims
        from ._net import (
            DIAGNOSTIC_KEYS,
            JacobianAggregator,
            MultiTaskSkorchNet,
            TensorBatchIterator,
        )

        out_dims = output_dims(
            self.task_types_,
            [0 if c is None else len(c) for c in self._classes],
        )
        module_kw = dict(
            n_features=n_features,
            out_dims=out_dims,
            trunk_layer_sizes=[int(s) for s in self.trunk_layer_sizes],
            head_layer_sizes=[int(s) for s in self.head_layer_sizes],
            activation=self.activation,
            dropout=float(self.dropout),
            batch_norm=self.batch_norm,
        )
        if self.architecture == "mmoe":
            module_kw["n_experts"] = self.n_experts
        elif self.architecture == "ple":
            module_kw["n_experts"] = self.n_experts
            module_kw["n_task_experts"] = self.n_task_experts
        # copies: skorch initialises callbacks in place, the parameter stays clean
        callbacks = copy.deepcopy(list(self.callbacks or []))
        if self.early_stopping:
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(
                        monitor="valid_loss",
                        patience=self.n_iter_no_change,
                        threshold=self.tol,
                        threshold_mode="abs",
                        load_best=True,
                        sink=_silent,
                    ),
                )
            )
        if self.verbose and int(self.verbose) >= 2:
            from skorch.callbacks import ProgressBar

            callbacks.append(("progress_bar", ProgressBar()))
        train_split = (
            ValidSplit(self.validation_fraction, stratified=False, random_state=seed)
            if self.early_stopping
            else None
        )
        kw = {f"module__{k}": v for k, v in module_kw.items()}
        kw.update(
            {
                f"optimizer__{k}": v
                for k, v in {"weight_decay": self.weight_decay}.items()
                if v
            }
        )
        return MultiTaskSkorchNet(
            _module_class(self.architecture),
            criterion__task_types=self.task_types_,
            criterion__out_dims=out_dims,
            criterion__layout=layout,
            weighting=self.weighting,
            weighting_params=self.weighting_params,
            aggregator=(
                self.aggregator
                if self.aggregator is None or isinstance(self.aggregator, str)
                else JacobianAggregator(self.aggregator)
            ),
            aggregator_params=self.aggregator_params,
            track_conflicts=self.track_gradient_conflicts,
            random_state=seed,
            optimizer=_optimizer_class(self.optimizer),
            lr=self.lr,
            batch_size=self.batch_size,
            max_epochs=self.max_epochs,
            train_split=train_split,
            callbacks=callbacks,
            callbacks__print_log__keys_ignored=DIAGNOSTIC_KEYS,
            iterator_train=TensorBatchIterator,
            iterator_valid=TensorBatchIterator,
            iterator_train__shuffle=True,
            device=self.device,
            verbose=int(self.verbose),
            **kw,
        )

    def _fit(self, X, y, *, partial, classes=None):
        from ._streaming import fit_streaming, is_streaming

        if is_streaming(X):  # memory map or torch Dataset: batch by batch
            return fit_streaming(self, X, y, partial=partial, classes=classes)
        torch = _torch()
        self._check_device()
        first = not (hasattr(self, "net_") and (partial or self.warm_start))
        data = self._validate_fit(X, y, reset=first)
        if classes is not None and first:
            classes = self._per_task_classes(classes, data.n_tasks)
        Y = self._encode_targets(
            data, reset=first, given_classes=classes if first else None
        )
        Xf = np.asarray(data.X, dtype=np.float32)
        if first:
            self._seed = int(check_random_state(self.random_state).randint(2**31 - 1))
            self.net_ = self._build_net(Xf.shape[1], data.layout, self._seed)
        with torch.random.fork_rng(devices=[]), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*Mean of empty slice.*")
            warnings.filterwarnings("ignore", message=".*NumPy array is not writable.*")
            if first:
                torch.manual_seed(self._seed)
                self.net_.initialize()
            torch.manual_seed(self._seed + 1 + len(self.net_.history))
            self.net_.max_epochs = 1 if partial else self.max_epochs
            self.net_.partial_fit(Xf, Y)
        self.n_iter_ = len(self.net_.history)
        self._set_diagnostics()
        if not partial:
            self._warn_if_not_converged()
        return self

    def _warn_if_not_converged(self):
        """ConvergenceWarning when ``max_epochs`` ran out while still improving.

        The criterion is the one of early stopping: the monitored loss
        (``valid_loss`` with early stopping, else ``train_loss``) improved by
        more than ``tol`` during the last ``n_iter_no_change`` epochs.
        """
        hist = self.net_.history
        key = "valid_loss" if self.early_stopping else "train_loss"
        losses = [h[key] for h in hist[-self.max_epochs :] if key in h]
        k = self.n_iter_no_change
        if len(losses) != self.max_epochs or len(losses) <= k:
            return  # stopped early, or too few epochs to judge
        if min(losses[:-k]) - min(losses[-k:]) > self.tol:
            warnings.warn(
                f"{type(self).__name__} reached max_epochs={self.max_epochs} while "
                f"{key} was still improving by more than tol={self.tol} over the "
                f"last n_iter_no_change={k} epochs; increase max_epochs (or use "
                "early_stopping=True).",
                ConvergenceWarning,
            )

    def _set_diagnostics(self):
        hist = self.net_.history
        cos = [h.get("grad_cosine") for h in hist]
        cos = [c for c in cos if c is not None]
        self.gradient_conflicts_ = np.asarray(cos, dtype=float) if cos else None
        self.train_task_losses_ = np.asarray(
            [h.get("train_task_losses") for h in hist], dtype=float
        )
        w = [h.get("task_weights") for h in hist if h.get("task_weights") is not None]
        self.task_weights_ = np.asarray(w, dtype=float)

    @property
    def history_(self):
        """The skorch history of the inner net (per-epoch and per-batch records)."""
        check_is_fitted(self)
        return self.net_.history

    # ---------------------------------------------------------- prediction
    def _raw(self, X):
        torch = _torch()
        Xf = np.asarray(X, dtype=np.float32)
        # the DataLoader draws a seed even without shuffling: keep the global
        # generator untouched so that predicting has no side effect
        with torch.no_grad(), torch.random.fork_rng(devices=[]):
            out = self.net_.forward(Xf, training=False, device="cpu")
        return out.numpy().astype(np.float64)

    def _offsets(self):
        dims = [
            len(c) if k == "multiclass" else 1
            for k, c in zip(self.task_types_, self._classes, strict=True)
        ]
        return np.concatenate([[0], np.cumsum(dims)]).astype(int)

    def _decode(self, out):
        """(n, n_tasks) predictions in label space from the raw output."""
        off = self._offsets()
        int_labels = all(
            k == "regression" or c.dtype.kind == "i"
            for k, c in zip(self.task_types_, self._classes, strict=True)
        ) and all(k != "regression" for k in self.task_types_)
        pred = np.empty(
            (out.shape[0], len(self.task_types_)),
            dtype=np.int64 if int_labels else np.float64,
        )
        for t, kind in enumerate(self.task_types_):
            block = out[:, off[t] : off[t + 1]]
            if kind == "regression":
                pred[:, t] = block[:, 0] * self.y_scale_[t] + self.y_mean_[t]
            elif kind == "binary":
                pred[:, t] = self._classes[t][(block[:, 0] > 0).astype(int)]
            else:
                pred[:, t] = self._classes[t][np.argmax(block, axis=1)]
        return pred

    def predict(self, X):
        """Predict every task (wide data) or each row's own task (long data).

        Parameters
        ----------
        X : {array-like, DataFrame, numpy.memmap, Dataset} of shape \
(n_samples, n_columns)
            Inputs, with the task column for models fitted on long data; a
            memory-mapped array or a Dataset is predicted chunk by chunk.

        Returns
        -------
        y_pred : ndarray of shape (n_samples, n_tasks) or (n_samples,)
            Predicted values (regression) or class labels (classification).
        """
        from ._streaming import is_streaming, predict_streaming

        if is_streaming(X):
            return predict_streaming(self, X, "predict")
        Xf, codes = self._validate_predict(X)
        pred = self._decode(self._raw(Xf))
        if codes is None:
            return pred
        return pred[np.arange(len(codes)), codes]

    def _proba(self, X):
        from ._streaming import is_streaming, predict_streaming

        if is_streaming(X):
            return predict_streaming(self, X, "_proba")
        Xf, _ = self._validate_predict(X)
        out = self._raw(Xf)
        off = self._offsets()
        probas = []
        for t, kind in enumerate(self.task_types_):
            block = out[:, off[t] : off[t + 1]]
            if kind == "binary":
                p = 1.0 / (1.0 + np.exp(-block[:, 0]))
                probas.append(np.column_stack([1 - p, p]))
            elif kind == "multiclass":
                z = block - block.max(axis=1, keepdims=True)
                e = np.exp(z)
                probas.append(e / e.sum(axis=1, keepdims=True))
        return probas

    def _decoded(self, X):
        """Predictions of every task in label space, and each row's task code."""
        from ._streaming import is_streaming, predict_streaming

        if is_streaming(X):
            return predict_streaming(self, X, "_decoded")
        Xf, codes = self._validate_predict(X)
        return self._decode(self._raw(Xf)), codes

    def _task_scores(self, X, y):
        """Per-task score: R^2 for regression, accuracy for classification."""
        from ..metrics import per_task_arrays

        pred, codes = self._decoded(X)
        self._check_n_tasks(y, codes)
        if codes is not None:
            pred = pred[np.arange(len(codes)), codes]
        y = np.asarray(y, dtype=float)
        ids, parts = per_task_arrays(y, pred, tasks=codes)
        scores = []
        for tid, (yt, pt, _) in zip(ids, parts, strict=True):
            if len(yt) == 0:
                continue
            kind = self.task_types_[int(tid)]
            if kind == "regression":
                ss = ((yt - yt.mean()) ** 2).sum()
                scores.append(1 - ((yt - pt) ** 2).sum() / ss if ss > 0 else 0.0)
            else:
                scores.append(np.mean(yt == pt))
        return float(np.mean(scores))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags


class MultiTaskMLPRegressor(RegressorMixin, _BaseMultiTaskNeural):
    r"""Multi-task neural network regressor: shared trunk, one head per task.

    The network is trained with mini-batch gradient steps on

    .. math::

        \sum_{t=1}^{T} w_t L_t, \qquad
        L_t = \frac{1}{|B_t|} \sum_{i \in B_t} \ell_t(f_t(x_i), y_{it}),

    where ``B_t`` are the rows of the batch labelled for task ``t`` (missing
    labels, ``NaN`` in wide ``Y``, and other tasks' rows in long data are
    masked out), ``f_t`` is task ``t``'s head on the shared representation and
    ``w_t`` comes from ``weighting``. With an ``aggregator`` the shared
    parameters move along a combination ``sum_t beta_t w_t g_t`` of the task
    gradients instead of their sum; task-specific parameters keep their own
    gradients.

    Here ``ell_t`` is the squared error. Tasks are columns of a wide ``Y``
    (``NaN`` = missing label) or the ids of a task column (long data).

    Parameters
    ----------
    standardize_targets : bool, default=True
        Train regression heads on per-task standardised targets (mean 0,
        variance 1 over each task's labelled rows) and map predictions back.
        Task losses in the history are then on the standardised scale.
    trunk_layer_sizes : sequence of int, default=(64, 64)
        Hidden layers of the shared trunk ('shared_bottom'), of every expert
        ('mmoe'), or the expert width of each CGC level ('ple').
    head_layer_sizes : sequence of int, default=()
        Hidden layers of each task's tower before its output layer.
    activation : str, default='relu'
        Activation of every hidden layer: 'relu', 'tanh', 'logistic', 'gelu',
        'elu', 'leaky_relu' or 'selu'.
    dropout : float, default=0.0
        Dropout probability after every hidden layer.
    batch_norm : bool, default=False
        Whether to add batch normalisation after every hidden linear layer.
    architecture : {'shared_bottom', 'mmoe', 'ple'}, default='shared_bottom'
        Hard sharing (one trunk), multi-gate mixture of experts (Ma et al.,
        2018) or progressive layered extraction (Tang et al., 2020).
    n_experts : int, default=4
        Experts of 'mmoe'; shared experts per level of 'ple'.
    n_task_experts : int, default=1
        Task-specific experts per task and level of 'ple'.
    weighting : str or array-like of shape (n_tasks,), default='equal'
        Task weights ``w_t`` of the objective ``sum_t w_t L_t``: all ones,
        learned homoscedastic uncertainty (Kendall et al., 2018), dynamic
        weight average (Liu et al., 2019), GradNorm (Chen et al., 2018), or
        fixed non-negative weights.
    weighting_params : dict, default=None
        Options of the weighting: ``temperature`` (dwa, default 2),
        ``alpha`` (gradnorm, default 1.5).
    aggregator : {'mgda', 'pcgrad', 'cagrad', 'nash'}, callable, default=None
        How the (weighted) task gradients on the shared parameters are combined
        into one update: min-norm MGDA (Sener & Koltun, 2018), PCGrad (Yu et
        al., 2020), CAGrad (Liu et al., 2021), Nash-MTL (Navon et al., 2022).
        A callable receives the (n_tasks, n_shared_params) torch Jacobian and
        returns the update direction: any torchjd aggregator fits, e.g.
        ``torchjd.aggregation.UPGrad()`` (``pip install "skmtl[torchjd]"``).
        None back-propagates the weighted sum of the losses. Each costs
        ``n_tasks + 1`` backward passes per batch.
    aggregator_params : dict, default=None
        Options of the aggregator: ``c`` (cagrad, default 0.5).
    optimizer : str or torch optimizer class, default='adam'
        Optimizer of all learnable parameters (task weights included):
        'adam', 'adamw', 'sgd', 'rmsprop' or a torch optimizer class.
    lr : float, default=1e-3
        Learning rate.
    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.
    batch_size : int, default=64
        Mini-batch size.
    max_epochs : int, default=100
        Number of epochs (passes over the training data) per ``fit``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows and stop when the
        validation loss has not improved by ``tol`` for ``n_iter_no_change``
        epochs; the best epoch's weights are restored.
    validation_fraction : float, default=0.1
        Held-out fraction used by early stopping.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Smallest improvement of the validation loss that resets the patience.
    track_gradient_conflicts : bool, default=True
        Record the pairwise cosine of the task gradients on the shared
        parameters (on the first batch of each epoch, or on every batch when
        an aggregator or GradNorm computes them anyway).
    warm_start : bool, default=False
        Whether ``fit`` continues training the fitted net (``max_epochs``
        more epochs) instead of starting afresh.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout, the validation split
        and PCGrad's order: the same seed gives the same predictions. torch's
        global generator is restored after ``fit``.
    device : {'cpu', 'cuda'} or str, default='cpu'
        torch device of training; 'cuda' raises a ValueError when CUDA is not
        available.
    verbose : int, default=0
        0: silent; 1: skorch's table of epoch losses; 2: also a progress bar
        per epoch.
    callbacks : list of skorch callbacks or (name, callback), default=None
        Extra skorch callbacks (learning-rate schedulers, checkpoints, ...).
    task_column : int, str or None, default=None
        ``None`` for wide data ``(X, Y)`` with ``NaN`` for missing labels;
        otherwise the position or DataFrame name of the task-id column of
        ``X`` (long data).

    Attributes
    ----------
    y_mean_ : ndarray of shape (n_tasks,)
        Mean of each task's targets (0 without ``standardize_targets``).
    y_scale_ : ndarray of shape (n_tasks,)
        Standard deviation of each task's targets (1 without).
    net_ : MultiTaskSkorchNet
        The fitted skorch net; ``net_.history`` holds, per epoch,
        ``train_loss``, ``valid_loss``, ``train_task_losses``,
        ``valid_task_losses``, ``task_weights`` and ``grad_cosine``.
    history_ : skorch.History
        Alias of ``net_.history``.
    gradient_conflicts_ : ndarray of shape (n_epochs, n_tasks, n_tasks) or None
        Per-epoch mean cosine between the task gradients on the shared
        parameters (negative: the tasks pull the shared weights apart).
        None when ``track_gradient_conflicts=False`` and no method computed them.
    train_task_losses_ : ndarray of shape (n_epochs, n_tasks)
        Mean training loss of each task per epoch (on standardised targets
        for regression).
    task_weights_ : ndarray of shape (n_epochs, n_tasks)
        Mean effective weight of each task per epoch (for an aggregator, the
        coefficients ``beta_t w_t`` of the task gradients in the update).
    task_types_ : list of str
        'regression', 'binary' or 'multiclass' for each task.
    n_iter_ : int
        Number of epochs trained.
    tasks_ : ndarray of shape (n_tasks,)
        Task ids (``arange(n_tasks)`` for wide data).
    n_tasks_ : int
        Number of tasks.
    n_features_in_ : int
        Number of columns of ``X`` seen in fit, task column included.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X`` when it is a DataFrame with string column names.

    See Also
    --------
    MultiTaskMLPClassifier : the same network for classification tasks.
    MultiTaskNet : mixed regression and classification tasks.

    Notes
    -----
    A skorch :class:`~skorch.NeuralNet` is built inside ``fit`` (``net_``), so
    skorch callbacks, optimizers, learning-rate schedulers and devices all
    apply. ``sample_weight`` is not supported.

    References
    ----------
    Caruana, R. (1997). Multitask learning. Machine Learning 28.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.neural import MultiTaskMLPRegressor
    >>> X, Y = make_multitask_regression(200, 5, 3, random_state=0)
    >>> model = MultiTaskMLPRegressor(trunk_layer_sizes=(16,), max_epochs=5,
    ...                               random_state=0).fit(X, Y)
    >>> model.predict(X).shape
    (200, 3)
    >>> model.gradient_conflicts_.shape
    (5, 3, 3)
    """

    _parameter_constraints = {
        **_BaseMultiTaskNeural._parameter_constraints,
        "standardize_targets": ["boolean"],
    }

    def __init__(
        self,
        *,
        standardize_targets=True,
        trunk_layer_sizes=(64, 64),
        head_layer_sizes=(),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        architecture="shared_bottom",
        n_experts=4,
        n_task_experts=1,
        weighting="equal",
        weighting_params=None,
        aggregator=None,
        aggregator_params=None,
        optimizer="adam",
        lr=1e-3,
        weight_decay=0.0,
        batch_size=64,
        max_epochs=100,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        track_gradient_conflicts=True,
        warm_start=False,
        random_state=None,
        device="cpu",
        verbose=0,
        callbacks=None,
        task_column=None,
    ):
        self.standardize_targets = standardize_targets
        self.trunk_layer_sizes = trunk_layer_sizes
        self.head_layer_sizes = head_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.architecture = architecture
        self.n_experts = n_experts
        self.n_task_experts = n_task_experts
        self.weighting = weighting
        self.weighting_params = weighting_params
        self.aggregator = aggregator
        self.aggregator_params = aggregator_params
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.track_gradient_conflicts = track_gradient_conflicts
        self.warm_start = warm_start
        self.random_state = random_state
        self.device = device
        self.verbose = verbose
        self.callbacks = callbacks
        self.task_column = task_column

    @property
    def _standardize(self):
        return self.standardize_targets

    def _resolve_task_types(self, n_tasks):
        return ["regression"] * n_tasks

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Build the net from the data's sizes and train it for ``max_epochs``.

        Parameters
        ----------
        X : {array-like, DataFrame, numpy.memmap, Dataset} of shape \
(n_samples, n_columns)
            Inputs; with ``task_column`` set, one column holds task ids. A
            memory-mapped array, a :class:`MemmapDataset` or a torch
            ``Dataset`` of ``(x, y)`` rows is read batch by batch (see
            :ref:`neural_streaming`).
        y : array-like of shape (n_samples, n_tasks) or (n_samples,), \
default=None
            Wide targets with ``NaN`` for missing labels, or long 1-D targets
            (None when ``X`` is a Dataset).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit(X, y, partial=False)

    def partial_fit(self, X, y=None):
        """Train one more epoch on ``(X, y)`` (the first call builds the net).

        Parameters
        ----------
        X : {array-like, DataFrame, numpy.memmap, Dataset} of shape \
(n_samples, n_columns)
            Inputs; with ``task_column`` set, one column holds task ids. A
            memory-mapped array, a :class:`MemmapDataset` or a torch
            ``Dataset`` of ``(x, y)`` rows is read batch by batch (see
            :ref:`neural_streaming`).
        y : array-like of shape (n_samples, n_tasks) or (n_samples,), \
default=None
            Wide targets with ``NaN`` for missing labels, or long 1-D targets
            (None when ``X`` is a Dataset).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        if not hasattr(self, "net_"):
            self._validate_params()
        return self._fit(X, y, partial=True)

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R^2 averaged uniformly over tasks.

        Missing labels (``NaN`` in wide ``y``) are ignored.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_columns)
            Test inputs.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            True targets, in the layout the model was fitted on.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean over tasks of the per-task R^2.
        """
        from ..metrics import r2_score

        pred, codes = self._decoded(X)
        self._check_n_tasks(y, codes)
        if codes is not None:
            pred = pred[np.arange(len(codes)), codes]
        return r2_score(y, pred, tasks=codes, sample_weight=sample_weight)


class MultiTaskMLPClassifier(ClassifierMixin, _BaseMultiTaskNeural):
    r"""Multi-task neural network classifier: shared trunk, one head per task.

    The network is trained with mini-batch gradient steps on

    .. math::

        \sum_{t=1}^{T} w_t L_t, \qquad
        L_t = \frac{1}{|B_t|} \sum_{i \in B_t} \ell_t(f_t(x_i), y_{it}),

    where ``B_t`` are the rows of the batch labelled for task ``t`` (missing
    labels, ``NaN`` in wide ``Y``, and other tasks' rows in long data are
    masked out), ``f_t`` is task ``t``'s head on the shared representation and
    ``w_t`` comes from ``weighting``. With an ``aggregator`` the shared
    parameters move along a combination ``sum_t beta_t w_t g_t`` of the task
    gradients instead of their sum; task-specific parameters keep their own
    gradients.

    Here ``ell_t`` is the binary cross-entropy on one logit (2 classes) or the
    cross-entropy on ``n_classes_t`` logits. Each task has its own classes;
    labels must be numbers (``NaN`` marks a missing label in wide ``Y``).

    Parameters
    ----------
    trunk_layer_sizes : sequence of int, default=(64, 64)
        Hidden layers of the shared trunk ('shared_bottom'), of every expert
        ('mmoe'), or the expert width of each CGC level ('ple').
    head_layer_sizes : sequence of int, default=()
        Hidden layers of each task's tower before its output layer.
    activation : str, default='relu'
        Activation of every hidden layer: 'relu', 'tanh', 'logistic', 'gelu',
        'elu', 'leaky_relu' or 'selu'.
    dropout : float, default=0.0
        Dropout probability after every hidden layer.
    batch_norm : bool, default=False
        Whether to add batch normalisation after every hidden linear layer.
    architecture : {'shared_bottom', 'mmoe', 'ple'}, default='shared_bottom'
        Hard sharing (one trunk), multi-gate mixture of experts (Ma et al.,
        2018) or progressive layered extraction (Tang et al., 2020).
    n_experts : int, default=4
        Experts of 'mmoe'; shared experts per level of 'ple'.
    n_task_experts : int, default=1
        Task-specific experts per task and level of 'ple'.
    weighting : str or array-like of shape (n_tasks,), default='equal'
        Task weights ``w_t`` of the objective ``sum_t w_t L_t``: all ones,
        learned homoscedastic uncertainty (Kendall et al., 2018), dynamic
        weight average (Liu et al., 2019), GradNorm (Chen et al., 2018), or
        fixed non-negative weights.
    weighting_params : dict, default=None
        Options of the weighting: ``temperature`` (dwa, default 2),
        ``alpha`` (gradnorm, default 1.5).
    aggregator : {'mgda', 'pcgrad', 'cagrad', 'nash'}, callable, default=None
        How the (weighted) task gradients on the shared parameters are combined
        into one update: min-norm MGDA (Sener & Koltun, 2018), PCGrad (Yu et
        al., 2020), CAGrad (Liu et al., 2021), Nash-MTL (Navon et al., 2022).
        A callable receives the (n_tasks, n_shared_params) torch Jacobian and
        returns the update direction: any torchjd aggregator fits, e.g.
        ``torchjd.aggregation.UPGrad()`` (``pip install "skmtl[torchjd]"``).
        None back-propagates the weighted sum of the losses. Each costs
        ``n_tasks + 1`` backward passes per batch.
    aggregator_params : dict, default=None
        Options of the aggregator: ``c`` (cagrad, default 0.5).
    optimizer : str or torch optimizer class, default='adam'
        Optimizer of all learnable parameters (task weights included):
        'adam', 'adamw', 'sgd', 'rmsprop' or a torch optimizer class.
    lr : float, default=1e-3
        Learning rate.
    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.
    batch_size : int, default=64
        Mini-batch size.
    max_epochs : int, default=100
        Number of epochs (passes over the training data) per ``fit``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows and stop when the
        validation loss has not improved by ``tol`` for ``n_iter_no_change``
        epochs; the best epoch's weights are restored.
    validation_fraction : float, default=0.1
        Held-out fraction used by early stopping.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Smallest improvement of the validation loss that resets the patience.
    track_gradient_conflicts : bool, default=True
        Record the pairwise cosine of the task gradients on the shared
        parameters (on the first batch of each epoch, or on every batch when
        an aggregator or GradNorm computes them anyway).
    warm_start : bool, default=False
        Whether ``fit`` continues training the fitted net (``max_epochs``
        more epochs) instead of starting afresh.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout, the validation split
        and PCGrad's order: the same seed gives the same predictions. torch's
        global generator is restored after ``fit``.
    device : {'cpu', 'cuda'} or str, default='cpu'
        torch device of training; 'cuda' raises a ValueError when CUDA is not
        available.
    verbose : int, default=0
        0: silent; 1: skorch's table of epoch losses; 2: also a progress bar
        per epoch.
    callbacks : list of skorch callbacks or (name, callback), default=None
        Extra skorch callbacks (learning-rate schedulers, checkpoints, ...).
    task_column : int, str or None, default=None
        ``None`` for wide data ``(X, Y)`` with ``NaN`` for missing labels;
        otherwise the position or DataFrame name of the task-id column of
        ``X`` (long data).

    Attributes
    ----------
    classes_ : list of ndarray
        Sorted labels of each task.
    net_ : MultiTaskSkorchNet
        The fitted skorch net; ``net_.history`` holds, per epoch,
        ``train_loss``, ``valid_loss``, ``train_task_losses``,
        ``valid_task_losses``, ``task_weights`` and ``grad_cosine``.
    history_ : skorch.History
        Alias of ``net_.history``.
    gradient_conflicts_ : ndarray of shape (n_epochs, n_tasks, n_tasks) or None
        Per-epoch mean cosine between the task gradients on the shared
        parameters (negative: the tasks pull the shared weights apart).
        None when ``track_gradient_conflicts=False`` and no method computed them.
    train_task_losses_ : ndarray of shape (n_epochs, n_tasks)
        Mean training loss of each task per epoch (on standardised targets
        for regression).
    task_weights_ : ndarray of shape (n_epochs, n_tasks)
        Mean effective weight of each task per epoch (for an aggregator, the
        coefficients ``beta_t w_t`` of the task gradients in the update).
    task_types_ : list of str
        'regression', 'binary' or 'multiclass' for each task.
    n_iter_ : int
        Number of epochs trained.
    tasks_ : ndarray of shape (n_tasks,)
        Task ids (``arange(n_tasks)`` for wide data).
    n_tasks_ : int
        Number of tasks.
    n_features_in_ : int
        Number of columns of ``X`` seen in fit, task column included.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X`` when it is a DataFrame with string column names.

    See Also
    --------
    MultiTaskMLPRegressor : the same network for regression tasks.
    MultiTaskNet : mixed regression and classification tasks.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.neural import MultiTaskMLPClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 4))
    >>> Y = np.column_stack([X[:, 0] > 0, np.digitize(X[:, 1], [-0.5, 0.5])])
    >>> clf = MultiTaskMLPClassifier(trunk_layer_sizes=(16,), max_epochs=5,
    ...                              random_state=0).fit(X, Y)
    >>> [p.shape for p in clf.predict_proba(X)]
    [(200, 2), (200, 3)]
    """

    def __init__(
        self,
        *,
        trunk_layer_sizes=(64, 64),
        head_layer_sizes=(),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        architecture="shared_bottom",
        n_experts=4,
        n_task_experts=1,
        weighting="equal",
        weighting_params=None,
        aggregator=None,
        aggregator_params=None,
        optimizer="adam",
        lr=1e-3,
        weight_decay=0.0,
        batch_size=64,
        max_epochs=100,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        track_gradient_conflicts=True,
        warm_start=False,
        random_state=None,
        device="cpu",
        verbose=0,
        callbacks=None,
        task_column=None,
    ):
        self.trunk_layer_sizes = trunk_layer_sizes
        self.head_layer_sizes = head_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.architecture = architecture
        self.n_experts = n_experts
        self.n_task_experts = n_task_experts
        self.weighting = weighting
        self.weighting_params = weighting_params
        self.aggregator = aggregator
        self.aggregator_params = aggregator_params
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.track_gradient_conflicts = track_gradient_conflicts
        self.warm_start = warm_start
        self.random_state = random_state
        self.device = device
        self.verbose = verbose
        self.callbacks = callbacks
        self.task_column = task_column

    _standardize = False

    def _resolve_task_types(self, n_tasks):
        return ["classification"] * n_tasks

    @property
    def classes_(self):
        """Class labels of each classification task (a list, one array each)."""
        check_is_fitted(self, "net_")
        return self._classes

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Build the net from the data's sizes and train it for ``max_epochs``.

        Parameters
        ----------
        X : {array-like, DataFrame, numpy.memmap, Dataset} of shape \
(n_samples, n_columns)
            Inputs; with ``task_column`` set, one column holds task ids. A
            memory-mapped array, a :class:`MemmapDataset` or a torch
            ``Dataset`` of ``(x, y)`` rows is read batch by batch (see
            :ref:`neural_streaming`).
        y : array-like of shape (n_samples, n_tasks) or (n_samples,), \
default=None
            Wide targets with ``NaN`` for missing labels, or long 1-D targets
            (None when ``X`` is a Dataset).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit(X, y, partial=False)

    def partial_fit(self, X, y=None, classes=None):
        """Train one more epoch on ``(X, y)`` (the first call builds the net).

        Parameters
        ----------
        X : {array-like, DataFrame, numpy.memmap, Dataset} of shape \
(n_samples, n_columns)
            Inputs; with ``task_column`` set, one column holds task ids. A
            memory-mapped array, a :class:`MemmapDataset` or a torch
            ``Dataset`` of ``(x, y)`` rows is read batch by batch.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,), \
default=None
            Wide labels with ``NaN`` for missing labels, or long 1-D labels
            (None when ``X`` is a Dataset).
        classes : array-like or list of array-like, default=None
            Labels of every task (one array for all tasks, or one per task),
            used on the first call; later batches may not hold every class.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        if not hasattr(self, "net_"):
            self._validate_params()
        return self._fit(X, y, partial=True, classes=classes)

    def predict_proba(self, X):
        """Class probabilities of every task.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_columns)
            Inputs (with the task column for long data; each task's head is
            still evaluated on every row).

        Returns
        -------
        proba : list of ndarray of shape (n_samples, n_classes_t)
            One array per task, columns ordered as ``classes_[t]``.
        """
        return self._proba(X)

    def score(self, X, y, sample_weight=None):
        """Accuracy averaged uniformly over tasks (missing labels ignored).

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_columns)
            Test inputs.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            True labels, in the layout the model was fitted on.
        sample_weight : None
            Not supported; must be None.

        Returns
        -------
        score : float
            Mean over tasks of the per-task accuracy.
        """
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported by score.")
        return self._task_scores(X, y)


class MultiTaskNet(_BaseMultiTaskNeural):
    r"""Multi-task neural network with mixed regression and classification tasks.

    The network is trained with mini-batch gradient steps on

    .. math::

        \sum_{t=1}^{T} w_t L_t, \qquad
        L_t = \frac{1}{|B_t|} \sum_{i \in B_t} \ell_t(f_t(x_i), y_{it}),

    where ``B_t`` are the rows of the batch labelled for task ``t`` (missing
    labels, ``NaN`` in wide ``Y``, and other tasks' rows in long data are
    masked out), ``f_t`` is task ``t``'s head on the shared representation and
    ``w_t`` comes from ``weighting``. With an ``aggregator`` the shared
    parameters move along a combination ``sum_t beta_t w_t g_t`` of the task
    gradients instead of their sum; task-specific parameters keep their own
    gradients.

    Here ``ell_t`` is the squared error (regression), binary cross-entropy (two
    classes) or cross-entropy (more classes) of each task.

    Parameters
    ----------
    task_types : list of str, default=None
        Kind of each task (in the order of ``tasks_``); 'classification'
        picks binary or multiclass from the number of labels. None means
        every task is a regression.
    standardize_targets : bool, default=True
        Train regression heads on per-task standardised targets (mean 0,
        variance 1 over each task's labelled rows) and map predictions back.
        Task losses in the history are then on the standardised scale.
    trunk_layer_sizes : sequence of int, default=(64, 64)
        Hidden layers of the shared trunk ('shared_bottom'), of every expert
        ('mmoe'), or the expert width of each CGC level ('ple').
    head_layer_sizes : sequence of int, default=()
        Hidden layers of each task's tower before its output layer.
    activation : str, default='relu'
        Activation of every hidden layer: 'relu', 'tanh', 'logistic', 'gelu',
        'elu', 'leaky_relu' or 'selu'.
    dropout : float, default=0.0
        Dropout probability after every hidden layer.
    batch_norm : bool, default=False
        Whether to add batch normalisation after every hidden linear layer.
    architecture : {'shared_bottom', 'mmoe', 'ple'}, default='shared_bottom'
        Hard sharing (one trunk), multi-gate mixture of experts (Ma et al.,
        2018) or progressive layered extraction (Tang et al., 2020).
    n_experts : int, default=4
        Experts of 'mmoe'; shared experts per level of 'ple'.
    n_task_experts : int, default=1
        Task-specific experts per task and level of 'ple'.
    weighting : str or array-like of shape (n_tasks,), default='equal'
        Task weights ``w_t`` of the objective ``sum_t w_t L_t``: all ones,
        learned homoscedastic uncertainty (Kendall et al., 2018), dynamic
        weight average (Liu et al., 2019), GradNorm (Chen et al., 2018), or
        fixed non-negative weights.
    weighting_params : dict, default=None
        Options of the weighting: ``temperature`` (dwa, default 2),
        ``alpha`` (gradnorm, default 1.5).
    aggregator : {'mgda', 'pcgrad', 'cagrad', 'nash'}, callable, default=None
        How the (weighted) task gradients on the shared parameters are combined
        into one update: min-norm MGDA (Sener & Koltun, 2018), PCGrad (Yu et
        al., 2020), CAGrad (Liu et al., 2021), Nash-MTL (Navon et al., 2022).
        A callable receives the (n_tasks, n_shared_params) torch Jacobian and
        returns the update direction: any torchjd aggregator fits, e.g.
        ``torchjd.aggregation.UPGrad()`` (``pip install "skmtl[torchjd]"``).
        None back-propagates the weighted sum of the losses. Each costs
        ``n_tasks + 1`` backward passes per batch.
    aggregator_params : dict, default=None
        Options of the aggregator: ``c`` (cagrad, default 0.5).
    optimizer : str or torch optimizer class, default='adam'
        Optimizer of all learnable parameters (task weights included):
        'adam', 'adamw', 'sgd', 'rmsprop' or a torch optimizer class.
    lr : float, default=1e-3
        Learning rate.
    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.
    batch_size : int, default=64
        Mini-batch size.
    max_epochs : int, default=100
        Number of epochs (passes over the training data) per ``fit``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows and stop when the
        validation loss has not improved by ``tol`` for ``n_iter_no_change``
        epochs; the best epoch's weights are restored.
    validation_fraction : float, default=0.1
        Held-out fraction used by early stopping.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Smallest improvement of the validation loss that resets the patience.
    track_gradient_conflicts : bool, default=True
        Record the pairwise cosine of the task gradients on the shared
        parameters (on the first batch of each epoch, or on every batch when
        an aggregator or GradNorm computes them anyway).
    warm_start : bool, default=False
        Whether ``fit`` continues training the fitted net (``max_epochs``
        more epochs) instead of starting afresh.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout, the validation split
        and PCGrad's order: the same seed gives the same predictions. torch's
        global generator is restored after ``fit``.
    device : {'cpu', 'cuda'} or str, default='cpu'
        torch device of training; 'cuda' raises a ValueError when CUDA is not
        available.
    verbose : int, default=0
        0: silent; 1: skorch's table of epoch losses; 2: also a progress bar
        per epoch.
    callbacks : list of skorch callbacks or (name, callback), default=None
        Extra skorch callbacks (learning-rate schedulers, checkpoints, ...).
    task_column : int, str or None, default=None
        ``None`` for wide data ``(X, Y)`` with ``NaN`` for missing labels;
        otherwise the position or DataFrame name of the task-id column of
        ``X`` (long data).

    Attributes
    ----------
    classes_ : list of (ndarray or None)
        Sorted labels of each classification task, None for regression tasks.
    y_mean_ : ndarray of shape (n_tasks,)
        Target mean of each regression task (0 elsewhere).
    y_scale_ : ndarray of shape (n_tasks,)
        Target standard deviation of each regression task (1 elsewhere).
    net_ : MultiTaskSkorchNet
        The fitted skorch net; ``net_.history`` holds, per epoch,
        ``train_loss``, ``valid_loss``, ``train_task_losses``,
        ``valid_task_losses``, ``task_weights`` and ``grad_cosine``.
    history_ : skorch.History
        Alias of ``net_.history``.
    gradient_conflicts_ : ndarray of shape (n_epochs, n_tasks, n_tasks) or None
        Per-epoch mean cosine between the task gradients on the shared
        parameters (negative: the tasks pull the shared weights apart).
        None when ``track_gradient_conflicts=False`` and no method computed them.
    train_task_losses_ : ndarray of shape (n_epochs, n_tasks)
        Mean training loss of each task per epoch (on standardised targets
        for regression).
    task_weights_ : ndarray of shape (n_epochs, n_tasks)
        Mean effective weight of each task per epoch (for an aggregator, the
        coefficients ``beta_t w_t`` of the task gradients in the update).
    task_types_ : list of str
        'regression', 'binary' or 'multiclass' for each task.
    n_iter_ : int
        Number of epochs trained.
    tasks_ : ndarray of shape (n_tasks,)
        Task ids (``arange(n_tasks)`` for wide data).
    n_tasks_ : int
        Number of tasks.
    n_features_in_ : int
        Number of columns of ``X`` seen in fit, task column included.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X`` when it is a DataFrame with string column names.

    See Also
    --------
    MultiTaskMLPRegressor, MultiTaskMLPClassifier

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.neural import MultiTaskNet
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 4))
    >>> Y = np.column_stack([X @ [1.0, 2.0, 0.0, 0.0], X[:, 2] > 0])
    >>> net = MultiTaskNet(task_types=["regression", "binary"],
    ...                    trunk_layer_sizes=(16,), max_epochs=5,
    ...                    random_state=0).fit(X, Y)
    >>> net.predict(X).shape
    (200, 2)
    """

    _parameter_constraints = {
        **_BaseMultiTaskNeural._parameter_constraints,
        "task_types": [list, tuple, None],
        "standardize_targets": ["boolean"],
    }

    def __init__(
        self,
        *,
        task_types=None,
        standardize_targets=True,
        trunk_layer_sizes=(64, 64),
        head_layer_sizes=(),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        architecture="shared_bottom",
        n_experts=4,
        n_task_experts=1,
        weighting="equal",
        weighting_params=None,
        aggregator=None,
        aggregator_params=None,
        optimizer="adam",
        lr=1e-3,
        weight_decay=0.0,
        batch_size=64,
        max_epochs=100,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        track_gradient_conflicts=True,
        warm_start=False,
        random_state=None,
        device="cpu",
        verbose=0,
        callbacks=None,
        task_column=None,
    ):
        self.task_types = task_types
        self.standardize_targets = standardize_targets
        self.trunk_layer_sizes = trunk_layer_sizes
        self.head_layer_sizes = head_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.architecture = architecture
        self.n_experts = n_experts
        self.n_task_experts = n_task_experts
        self.weighting = weighting
        self.weighting_params = weighting_params
        self.aggregator = aggregator
        self.aggregator_params = aggregator_params
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.track_gradient_conflicts = track_gradient_conflicts
        self.warm_start = warm_start
        self.random_state = random_state
        self.device = device
        self.verbose = verbose
        self.callbacks = callbacks
        self.task_column = task_column

    @property
    def _standardize(self):
        return self.standardize_targets

    def _resolve_task_types(self, n_tasks):
        if self.task_types is None:
            return ["regression"] * n_tasks
        types = list(self.task_types)
        if len(types) != n_tasks:
            raise ValueError(
                f"task_types has {len(types)} entries but the data has {n_tasks} "
                "tasks; give one type per task."
            )
        bad = [t for t in types if t not in _TASK_TYPES]
        if bad:
            raise ValueError(f"Unknown task types {bad}; use {list(_TASK_TYPES)}.")
        return types

    @property
    def classes_(self):
        """Class labels of each classification task (a list, one array each)."""
        check_is_fitted(self, "net_")
        return self._classes

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Build the net from the data's sizes and train it for ``max_epochs``.

        Parameters
        ----------
        X : {array-like, DataFrame, numpy.memmap, Dataset} of shape \
(n_samples, n_columns)
            Inputs; with ``task_column`` set, one column holds task ids. A
            memory-mapped array, a :class:`MemmapDataset` or a torch
            ``Dataset`` of ``(x, y)`` rows is read batch by batch (see
            :ref:`neural_streaming`).
        y : array-like of shape (n_samples, n_tasks) or (n_samples,), \
default=None
            Wide targets with ``NaN`` for missing labels, or long 1-D targets
            (None when ``X`` is a Dataset).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit(X, y, partial=False)

    def partial_fit(self, X, y=None):
        """Train one more epoch on ``(X, y)`` (the first call builds the net).

        Parameters
        ----------
        X : {array-like, DataFrame, numpy.memmap, Dataset} of shape \
(n_samples, n_columns)
            Inputs; with ``task_column`` set, one column holds task ids. A
            memory-mapped array, a :class:`MemmapDataset` or a torch
            ``Dataset`` of ``(x, y)`` rows is read batch by batch (see
            :ref:`neural_streaming`).
        y : array-like of shape (n_samples, n_tasks) or (n_samples,), \
default=None
            Wide targets with ``NaN`` for missing labels, or long 1-D targets
            (None when ``X`` is a Dataset).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        if not hasattr(self, "net_"):
            self._validate_params()
        return self._fit(X, y, partial=True)

    def predict_proba(self, X):
        """Class probabilities of every classification task.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_columns)
            Inputs (with the task column for long data).

        Returns
        -------
        proba : list of ndarray of shape (n_samples, n_classes_t)
            One array per classification task, in task order.
        """
        return self._proba(X)

    def score(self, X, y, sample_weight=None):
        """Mean over tasks of R^2 (regression) and accuracy (classification).

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_columns)
            Test inputs.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            True targets, in the layout the model was fitted on.
        sample_weight : None
            Not supported; must be None.

        Returns
        -------
        score : float
            Mean over tasks of the per-task score.
        """
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported by score.")
        return self._task_scores(X, y)


def _silent(*args, **kwargs):
    pass
