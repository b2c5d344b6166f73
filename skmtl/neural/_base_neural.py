"""The base of the neural estimators: parameters, validation, the skorch net."""

import copy
import numbers
import warnings

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    is_classifier,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..base import MultiTaskMixin
from ..utils import import_optional
from ._rng import torch_rng
from ._stopping import check_diverged, warn_if_not_converged

__all__ = ["_BaseMultiTaskNeural"]

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


#: named optimizers that have torch's fused implementation (one kernel for
#: every parameter) on the CPU and on CUDA
_FUSED = ("adam", "adamw", "sgd")


def optimizer_kwargs(optimizer, device, weight_decay):
    """skorch's ``optimizer__*`` options of a named optimizer.

    ``weight_decay`` when set, and ``fused=True`` for 'adam', 'adamw' and
    'sgd' on the CPU or CUDA: the same update up to float rounding, about a
    quarter less time per step of a small network on the CPU (its per-tensor
    loop runs a dozen small kernels per parameter). A torch optimizer class
    passed by the user runs as it is configured.
    """
    kw = {"weight_decay": weight_decay} if weight_decay else {}
    device_type = str(device).split(":")[0]
    if isinstance(optimizer, str) and optimizer in _FUSED:
        if device_type in ("cpu", "cuda"):
            kw["fused"] = True
    return {f"optimizer__{k}": v for k, v in kw.items()}


def _module_class(architecture):
    from ._modules import PLE, MMoE, SharedBottom

    return {"shared_bottom": SharedBottom, "mmoe": MMoE, "ple": PLE}[architecture]


class _BaseMultiTaskNeural(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, MultiTaskMixin, BaseEstimator
):
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
        "predict_batch_size": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "early_stopping": ["boolean", StrOptions({"auto"})],
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

    def _prepare_y(self, y, first):
        """Targets for validation and the raw labels (None: ``y`` itself).

        A hook of the classifier, which takes labels of any type; here ``y``
        is numeric and passes through.
        """
        return y, None

    def _encode_targets(self, data, reset, given_classes=None, y_raw=None):
        """Encode targets for the net; set ``classes_``, ``y_mean_``, ``y_scale_``.

        ``y_raw`` holds the labels in their own type (strings, ...) when the
        validated ``data.y`` is only a numeric stand-in (see ``_prepare_y``).
        Returns the float32 target array: (n, n_tasks) with NaN (wide) or
        (n, 2) ``[task code, value]`` (long).
        """
        T = data.n_tasks

        def labels_of(t, y_t):
            if y_raw is None:
                return y_t
            idx = data.task_index[t]
            lab = y_raw[idx] if data.layout == "long" else y_raw[idx, t]
            if lab.dtype == object:  # a task's own label type (str, int...)
                lab = np.asarray(lab.tolist())
            return lab

        if reset:
            types = self._resolve_task_types(T)
            classes, mean, scale, kinds = [], np.zeros(T), np.ones(T), []
            for t in range(T):
                if types[t] == "regression":
                    classes.append(None)
                    kinds.append("regression")
                    if self._standardize:
                        y_t, w_t = data.target(t), data.weight(t)
                        mean[t] = np.average(y_t, weights=w_t)
                        sd = np.sqrt(np.average((y_t - mean[t]) ** 2, weights=w_t))
                        scale[t] = sd if sd > 0 else 1.0
                    continue
                lab = labels_of(t, data.target(t))
                if lab.dtype.kind not in "iufb":
                    check_classification_targets(lab)
                labels = np.unique(lab)
                if given_classes is not None:
                    labels = np.unique(np.asarray(given_classes[t]))
                    if labels.dtype.kind in "iu" and lab.dtype.kind == "f":
                        labels = labels.astype(float)
                if len(labels) < 2:
                    raise ValueError(
                        f"Classification task {data.tasks[t]!r} has only one class "
                        f"({labels.tolist()}); each classification task needs at "
                        "least 2 classes."
                    )
                if labels.dtype.kind == "f":
                    if np.any(labels != np.round(labels)):
                        raise ValueError(
                            f"Unknown label type: continuous. Task "
                            f"{data.tasks[t]!r} has non-integer labels; "
                            "classification tasks need class labels (integers "
                            "or strings), use a regression task for continuous "
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
        if data.layout == "wide" and set(self.task_types_) == {"regression"}:
            # every task standardised at once; NaN (no label) stays NaN
            return ((data.y - self.y_mean_) / self.y_scale_).astype(np.float32)
        enc = [None] * T
        for t, _, y_t, _ in data.iter_tasks():
            if self.task_types_[t] == "regression":
                enc[t] = (y_t - self.y_mean_[t]) / self.y_scale_[t]
                continue
            labels, lab = self._classes[t], labels_of(t, y_t)
            try:
                pos = np.clip(np.searchsorted(labels, lab), 0, len(labels) - 1)
                unseen = labels[pos] != lab
            except TypeError:  # labels of another type than the fitted ones
                pos, unseen = None, np.ones(len(lab), dtype=bool)
            if unseen.any():
                raise ValueError(
                    f"Task {data.tasks[t]!r} has labels "
                    f"{np.unique(lab[unseen])[:5].tolist()} not seen in the "
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

    @staticmethod
    def _weighted_rows(X, y, y_raw, sample_weight):
        """Rows and weights to train on: zero-weight rows dropped.

        A row of weight 0 is dropped before anything else (so it changes
        neither the classes, the target scaling nor the mini-batches: the fit
        is the one without that row); uniform weights are no weights (each
        task's loss is a weighted mean). Returns ``(X, y, y_raw, weights or
        None)``.
        """
        from sklearn.utils import _safe_indexing
        from sklearn.utils.validation import _check_sample_weight

        w = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        keep = np.flatnonzero(w > 0)
        if len(keep) < len(w):
            X, y = _safe_indexing(X, keep), _safe_indexing(np.asarray(y), keep)
            y_raw = None if y_raw is None else y_raw[keep]
            w = w[keep]
        return X, y, y_raw, (None if np.all(w == w[0]) else w)

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
        from ._aggregators import check_aggregator_params
        from ._losses import output_dims
        from ._net import (
            DIAGNOSTIC_KEYS,
            JacobianAggregator,
            MultiTaskSkorchNet,
            TensorBatchIterator,
        )
        from ._stopping import StoppingRule

        check_aggregator_params(self.aggregator, self.aggregator_params)
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
        # the stopping rule: monitor and split set per fit (_prepare_stopping)
        callbacks.append(
            ("stopping", StoppingRule("train_loss", self.n_iter_no_change, self.tol))
        )
        if self.verbose and int(self.verbose) >= 2:
            from skorch.callbacks import ProgressBar

            callbacks.append(("progress_bar", ProgressBar()))
        kw = {f"module__{k}": v for k, v in module_kw.items()}
        kw.update(optimizer_kwargs(self.optimizer, self.device, self.weight_decay))
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
            predict_batch_size=self.predict_batch_size,
            max_epochs=self.max_epochs,
            train_split=None,
            callbacks=callbacks,
            callbacks__print_log__keys_ignored=DIAGNOSTIC_KEYS,
            iterator_train=TensorBatchIterator,
            iterator_valid=TensorBatchIterator,
            iterator_train__shuffle=True,
            device=self.device,
            verbose=int(self.verbose),
            **kw,
        )

    def _fit(self, X, y, *, partial, classes=None, sample_weight=None):
        from ._streaming import fit_streaming, is_streaming

        first = not (hasattr(self, "net_") and (partial or self.warm_start))
        y, y_raw = self._prepare_y(y, first)
        if is_streaming(X):  # memory map or torch Dataset: batch by batch
            if y_raw is not None or sample_weight is not None:
                raise ValueError(
                    "Out-of-core training (a memory-mapped X or a Dataset) needs "
                    "numeric labels and takes no sample_weight; got "
                    + (
                        f"labels of dtype {y_raw.dtype}. Encode them as numbers "
                        "(e.g. with LabelEncoder) first."
                        if y_raw is not None
                        else "sample_weight. Repeat or drop rows instead."
                    )
                )
            return fit_streaming(self, X, y, partial=partial, classes=classes)
        self._check_device()
        if sample_weight is not None and y is not None:
            X, y, y_raw, sample_weight = self._weighted_rows(X, y, y_raw, sample_weight)
        data = self._validate_fit(X, y, sample_weight=sample_weight, reset=first)
        if classes is not None and first:
            classes = self._per_task_classes(classes, data.n_tasks)
        Y = self._encode_targets(
            data, reset=first, given_classes=classes if first else None, y_raw=y_raw
        )
        if data.sample_weight is not None:  # a last column of row weights
            Y = np.column_stack([Y, data.sample_weight]).astype(np.float32)
        Xf = np.asarray(data.X, dtype=np.float32)
        if first:
            self._seed = int(check_random_state(self.random_state).randint(2**31 - 1))
            self.net_ = self._build_net(Xf.shape[1], data.layout, self._seed)
        with torch_rng(self.device) as seed, warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*Mean of empty slice.*")
            warnings.filterwarnings("ignore", message=".*NumPy array is not writable.*")
            if first:
                seed(self._seed)
                self.net_.initialize()
            seed(self._seed + 1 + len(self.net_.history))
            self.net_.max_epochs = 1 if partial else self.max_epochs
            self._prepare_stopping(data.task_sizes, data.layout, partial)
            self.net_.partial_fit(Xf, Y)
        self.n_iter_ = len(self.net_.history)
        self._set_diagnostics()
        if not partial:
            warn_if_not_converged(self)
        return self

    def _prepare_stopping(self, task_sizes, layout, partial):
        """Set the stopping rule and the validation split of this fit.

        ``task_sizes``: labelled rows of each task; the rule is chosen by
        :func:`~skmtl.neural._stopping.resolve_stopping`.
        """
        from ._stopping import TaskStratifiedSplit, resolve_stopping

        monitor = resolve_stopping(
            self.early_stopping, task_sizes, self.validation_fraction, partial
        )
        rule = dict(self.net_.callbacks_)["stopping"]
        rule.monitor = monitor or "train_loss"
        rule.patience, rule.tol = self.n_iter_no_change, self.tol
        rule.stop = monitor is not None
        rule.restore_best = monitor == "valid_loss"
        self.net_.train_split = (
            TaskStratifiedSplit(
                self.validation_fraction, layout, len(task_sizes), self._seed
            )
            if monitor == "valid_loss"
            else None
        )

    def _set_diagnostics(self):
        hist = self.net_.history
        rule = dict(getattr(self.net_, "callbacks_", [])).get("stopping")
        if rule is not None:  # the MLPs' stopping rule (MAMO has none)
            self.monitor_ = rule.monitor
            self.converged_ = bool(rule.converged_)
            self.stop_reason_ = (
                rule.monitor
                if rule.converged_ and rule.stop
                else "max_epochs"
                if rule.n_epochs_ >= self.net_.max_epochs
                else "interrupted"  # another callback, or Ctrl-C
            )
            self.best_loss_ = rule.best_loss_
            self.best_epoch_ = rule.best_epoch_
        check_diverged(self)
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
        with torch.no_grad(), torch_rng(self.device):
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
        if all(k == "regression" for k in self.task_types_):  # one vectorised op
            return out * self.y_scale_ + self.y_mean_
        off = self._offsets()
        dtype = np.float64
        if all(k != "regression" for k in self.task_types_):
            try:
                dtype = np.result_type(*self._classes)
            except TypeError:  # tasks with labels of different types
                dtype = object
        pred = np.empty((out.shape[0], len(self.task_types_)), dtype=dtype)
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
            Predicted values (regression) or class labels (classification):
            one column per task for wide data (1-D for a classifier fitted on
            a 1-D ``y``), each row's own task for long data.
        """
        from ._streaming import is_streaming, predict_streaming

        if is_streaming(X):
            return predict_streaming(self, X, "predict")
        Xf, codes = self._validate_predict(X)
        pred = self._decode(self._raw(Xf))
        if codes is None:
            return pred[:, 0] if getattr(self, "_y_1d", False) else pred
        return pred[np.arange(len(codes)), codes]

    def _proba(self, X):
        """Class probabilities in skmtl's one convention for every classifier.

        Wide data: a list with one (n_samples, n_classes_t) array per
        classification task (one array for a classifier fitted on a 1-D
        ``y``). Long data: one (n_samples, n_classes) array, each row's
        probabilities for its own task's classes (columns as ``classes_`` of
        that task), so the classification tasks of the rows must have the same
        number of classes; rows of regression tasks are ``NaN``.
        """
        from ._streaming import is_streaming, predict_streaming

        if is_streaming(X):
            return predict_streaming(self, X, "_proba")
        Xf, codes = self._validate_predict(X)
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
            else:
                probas.append(None)
        if codes is None:
            probas = [p for p in probas if p is not None]
            return probas[0] if getattr(self, "_y_1d", False) else probas
        present = np.unique(codes)
        widths = {probas[t].shape[1] for t in present if probas[t] is not None}
        if len(widths) > 1:
            raise ValueError(
                "predict_proba on long data returns one array, each row's "
                "probabilities for its own task, so the classification tasks of "
                f"the rows need the same number of classes; got {sorted(widths)}. Use "
                "wide data for a list with one array per task."
            )
        proba = np.full((len(codes), widths.pop() if widths else 0), np.nan)
        for t in present:
            if probas[t] is not None:
                rows = codes == t
                proba[rows] = probas[t][rows]
        return proba

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

    # ------------------------------------------------------------ transfer
    @property
    def _n_features_out(self):
        from ._transfer import representation_width

        return representation_width(self.net_.module_)

    def transform(self, X):
        """The shared representation of ``X``: what every task's head reads.

        A fitted multi-task net is then a feature extractor, e.g. the first
        step of a :class:`~sklearn.pipeline.Pipeline`. Shared-bottom: the
        trunk's last hidden layer. MMoE: the outputs of all experts side by
        side (each task's gate mixes these). PLE: the last level's shared
        experts side by side. MAMO: the trunk without the task-pair modules
        (the path of a task that has none). Computed in evaluation mode
        (no dropout, batch-norm running statistics), in batches of
        ``predict_batch_size`` rows.

        Parameters
        ----------
        X : {array-like, DataFrame, numpy.memmap, Dataset} of shape \
(n_samples, n_columns)
            Inputs, with the task column for models fitted on long data
            (task ids not seen in fit are fine: only the features are read).

        Returns
        -------
        Z : ndarray of shape (n_samples, n_features_out), dtype float32
            The representation of each row, in the net's precision.
        """
        from ._streaming import is_streaming, predict_streaming
        from ._transfer import transform_batches

        if is_streaming(X):
            return predict_streaming(self, X, "transform")
        features = self._feature_columns(X)
        rows = self.net_.inference_batch_size(len(features))
        return transform_batches(self.net_.module_, features, max(1, rows))

    def _feature_columns(self, X):
        """Validated feature columns of ``X`` (the task column dropped)."""
        from ..utils._validation import _check_2d, _check_features, _split_task_column

        check_is_fitted(self, "net_")
        _check_2d(X)
        validate_data(self, X, reset=False, skip_check_array=True)
        if self._layout == "long":
            X, _ = _split_task_column(X, self._task_col)
        return _check_features(X, False, (np.float64, np.float32), self)

    def fit_new_task(self, X, y, *, alpha=1.0, prior=None, sample_weight=None):
        """Fit a new task on the frozen shared representation (transfer).

        The net is kept fixed and only the new task's head is fitted, on
        ``Z = transform(X)``: for a regressor a ridge regression (closed
        form, deterministic) minimising ``||y - Z h - b||^2 + alpha ||h||^2``
        (least squares when ``alpha == 0``), for a classifier a logistic
        regression with ``C = 1 / (2 alpha)`` (unpenalised when ``alpha ==
        0``), the correspondence of scikit-learn's :class:`Ridge`. As
        :meth:`SharedRepresentationRegressor.fit_new_task
        <skmtl.representation.SharedRepresentationRegressor.fit_new_task>`
        does, it returns a fitted single-task estimator and leaves this model
        unchanged. The default ``alpha=1.0`` (0 for the linear
        representation) because the representation is wider than a few
        samples: 64 columns by default, where least squares on 5 rows
        interpolates.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, \
n_features_in_)
            Inputs of the new task: the feature columns, or the same columns
            as in fit (the task column is then ignored).
        y : array-like of shape (n_samples,)
            Targets (regressor) or labels (classifier) of the new task.
        alpha : float, default=1.0
            L2 strength of the head.
        prior : {None, 'mean'}, default=None
            Regression heads only. None: shrink the head toward zero (ridge).
            'mean': toward the mean of the fitted tasks' heads, intercept
            included (a ``PriorRidge`` head: ``||y - Z h - c||^2 + alpha
            (||h - h_0||^2 + (c - c_0)^2)``), so that with
            few samples the new task starts from the average task: a large
            ``alpha`` predicts the mean of the tasks' predictions. Needs
            heads that are linear maps of the representation
            (shared-bottom or MAMO, no ``head_layer_sizes``).
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights of the head's fit.

        Returns
        -------
        estimator : sklearn.pipeline.Pipeline
            Fitted single-task estimator: a frozen copy of the shared
            representation (step ``'representation'``, later fits of this
            model do not change it) followed by the head (step ``'head'``: a
            :class:`~sklearn.linear_model.Ridge`,
            :class:`~sklearn.linear_model.LinearRegression`,
            :class:`~sklearn.linear_model.LogisticRegression` or, with a
            prior, a ``PriorRidge``).
        """
        kind = "classification" if is_classifier(self) else "regression"
        return self._fit_new_task(X, y, kind, alpha, prior, sample_weight)

    def _fit_new_task(self, X, y, kind, alpha, prior, sample_weight):
        from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
        from sklearn.pipeline import Pipeline

        from ._transfer import FrozenTrunk, PriorRidge, mean_head

        check_is_fitted(self, "net_")
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or alpha < 0:
            raise ValueError(f"alpha must be a float >= 0; got {alpha!r}.")
        if prior not in (None, "mean"):
            raise ValueError(f"prior must be None or 'mean'; got {prior!r}.")
        if prior is not None and kind != "regression":
            raise ValueError(
                "prior='mean' is for a regression task (a mean of regression "
                "heads); a classification head takes prior=None."
            )
        long = self._layout == "long"
        d = self.n_features_in_ - int(long)
        drop = None
        if long and np.ndim(X) == 2 and np.shape(X)[1] == self.n_features_in_:
            drop = self._task_col
        if prior == "mean":
            coef, intercept = mean_head(self)
            head = PriorRidge(alpha, coef_prior=coef, intercept_prior=intercept)
        elif kind == "regression":
            head = LinearRegression() if alpha == 0 else Ridge(alpha=alpha)
        else:
            C = np.inf if alpha == 0 else 1.0 / (2.0 * alpha)
            head = LogisticRegression(C=C, max_iter=1000)
        trunk = FrozenTrunk(
            copy.deepcopy(self.net_.module_),
            n_features=d,
            drop_column=drop,
            batch_size=max(1, self.net_.inference_batch_size(len(y))),
        )
        pipe = Pipeline([("representation", trunk), ("head", head)])
        params = {} if sample_weight is None else {"head__sample_weight": sample_weight}
        pipe.fit(X, y, **params)
        if prior == "mean":
            _check_prior_scale(pipe, X, y)
        return pipe

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        tags.transformer_tags.preserves_dtype = ["float32"]  # the net's type
        return tags


def _check_prior_scale(pipe, X, y):
    """Warn when the mean head is far off the new task's scale.

    The prior predicts the fitted tasks' average on their own target scale;
    if its squared error on the new samples exceeds 100 times their variance,
    the new targets are on another scale (other units, another level) and the
    pull toward the prior harms. In bench_neural's transfer part it warned on
    none of 1,200 School fits (one target scale, 5-50 samples) and on 111 of
    480 rf1 fits (targets with standard deviations 0.9 to 62), where the
    prior's test R^2 fell to -500.
    """
    y = np.asarray(y, dtype=np.float64).ravel()
    head = pipe[-1]
    prior = pipe[0].transform(X) @ head.coef_prior + head.intercept_prior
    spread = np.var(y)
    err = np.mean((y - prior) ** 2)
    if len(y) > 1 and err > 100 * spread:
        warnings.warn(
            "fit_new_task(prior='mean'): the mean of the fitted heads predicts "
            f"the new task's samples with a squared error {err:.3g}, over 100 "
            f"times their variance ({spread:.3g}): the new targets are not on "
            "the fitted tasks' scale, and the head is pulled toward a wrong "
            "prior. Put them on that scale (same units) or use prior=None.",
            UserWarning,
        )
