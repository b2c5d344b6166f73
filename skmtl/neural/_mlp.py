"""Multi-task MLP regressor and classifier (shared trunk, one head per task)."""

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.utils.validation import check_is_fitted

from ..linear._classifier_base import _missing_mask
from ._base_neural import _BaseMultiTaskNeural
from ._docs import fill_doc

__all__ = ["MultiTaskMLPClassifier", "MultiTaskMLPRegressor"]


@fill_doc
class MultiTaskMLPRegressor(RegressorMixin, _BaseMultiTaskNeural):
    r"""Multi-task neural network regressor: shared trunk, one head per task.

    <shared objective>

    Here ``ell_t`` is the squared error. Tasks are columns of a wide ``Y``
    (``NaN`` = missing label) or the ids of a task column (long data).

    Parameters
    ----------
    standardize_targets : bool, default=True
        Train regression heads on per-task standardised targets (mean 0,
        variance 1 over each task's labelled rows) and map predictions back.
        Task losses in the history are then on the standardised scale.
    <shared parameters>
    y_mean_ : ndarray of shape (n_tasks,)
        Mean of each task's targets (0 without ``standardize_targets``).
    y_scale_ : ndarray of shape (n_tasks,)
        Standard deviation of each task's targets (1 without).
    <shared fitted attributes>

    See Also
    --------
    MultiTaskMLPClassifier : the same network for classification tasks.
    MultiTaskNet : mixed regression and classification tasks.

    Notes
    -----
    <shared stopping notes>

    A skorch :class:`~skorch.NeuralNet` is built inside ``fit`` (``net_``), so
    skorch callbacks, optimizers, learning-rate schedulers and devices all
    apply.

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
        lr=1e-2,
        weight_decay=0.0,
        batch_size=64,
        predict_batch_size="auto",
        max_epochs=1000,
        early_stopping="auto",
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
        self.predict_batch_size = predict_batch_size
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
    def fit(self, X, y=None, sample_weight=None):
        """Build the net from the data's sizes and train it until the rule stops.

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
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights: each task's loss is the weighted mean over its
            labelled rows of the batch (an integer weight counts as repeated
            rows; rows of weight 0 are dropped before fitting).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit(X, y, partial=False, sample_weight=sample_weight)

    def partial_fit(self, X, y=None, sample_weight=None):
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
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights: each task's loss is the weighted mean over its
            labelled rows of the batch (an integer weight counts as repeated
            rows; rows of weight 0 are dropped before fitting).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        if not hasattr(self, "net_"):
            self._validate_params()
        return self._fit(X, y, partial=True, sample_weight=sample_weight)

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


@fill_doc
class MultiTaskMLPClassifier(ClassifierMixin, _BaseMultiTaskNeural):
    r"""Multi-task neural network classifier: shared trunk, one head per task.

    <shared objective>

    Here ``ell_t`` is the binary cross-entropy on one logit (2 classes) or the
    cross-entropy on ``n_classes_t`` logits. Each task has its own classes,
    of any type (numbers, strings, ...; ``NaN`` or ``None`` marks a missing
    label in wide ``Y``); a 1-D ``y`` without ``task_column`` is one task
    (``classes_`` is then one array and predictions are 1-D).

    Parameters
    ----------
    <shared parameters>
    classes_ : list of ndarray
        Sorted labels of each task.
    <shared fitted attributes>

    See Also
    --------
    MultiTaskMLPRegressor : the same network for regression tasks.
    MultiTaskNet : mixed regression and classification tasks.

    Notes
    -----
    The stopping rule (``early_stopping``) is the one of
    :class:`MultiTaskMLPRegressor` (see its Notes), on the sum of the tasks'
    cross-entropies.

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
        lr=1e-2,
        weight_decay=0.0,
        batch_size=64,
        predict_batch_size="auto",
        max_epochs=1000,
        early_stopping="auto",
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
        self.predict_batch_size = predict_batch_size
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

    def _prepare_y(self, y, first):
        """A numeric stand-in of ``y`` for validation, and the raw labels.

        Numeric labels (``NaN`` = missing) pass through; labels of any other
        type (strings, booleans, objects with ``None`` for missing) are
        validated through a stand-in with the same missing cells and encoded
        per task from ``y_raw``. A 1-D ``y`` without ``task_column`` is one
        task.
        """
        if y is None:
            return y, None
        y_raw = np.asarray(y)
        if first:
            self._y_1d = self.task_column is None and y_raw.ndim == 1
        if self.task_column is None and y_raw.ndim == 1:
            y_raw = y_raw[:, None]
        if y_raw.dtype.kind in "fiu":
            return y_raw, None
        missing = _missing_mask(y_raw)
        return np.where(missing, np.nan, 0.0), y_raw

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.single_output = True
        return tags

    @property
    def classes_(self):
        """Sorted labels of each task (one array when fitted on a 1-D ``y``)."""
        check_is_fitted(self, "net_")
        return self._classes[0] if getattr(self, "_y_1d", False) else self._classes

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Build the net from the data's sizes and train it until the rule stops.

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
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights: each task's loss is the weighted mean over its
            labelled rows of the batch (an integer weight counts as repeated
            rows; rows of weight 0 are dropped before fitting).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit(X, y, partial=False, sample_weight=sample_weight)

    def partial_fit(self, X, y=None, classes=None, sample_weight=None):
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
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights: each task's loss is the weighted mean over its
            labelled rows of the batch (an integer weight counts as repeated
            rows; rows of weight 0 are dropped before fitting).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        if not hasattr(self, "net_"):
            self._validate_params()
        return self._fit(
            X, y, partial=True, classes=classes, sample_weight=sample_weight
        )

    def predict_proba(self, X):
        """Class probabilities, columns ordered as ``classes_[t]``.

        The convention of every skmtl classifier (the linear ones, the
        per-task meta-estimator), which the probability scorers of
        :mod:`skmtl.metrics` (``roc_auc_tasks``, ``neg_log_loss_tasks``) read.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_columns)
            Inputs, with the task column for models fitted on long data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes) or list of ndarray
            Long data: each row's probabilities for its own task's classes
            (every task must then have the same number of classes). Wide
            data: a list with one (n_samples, n_classes_t) array per task (a
            single array when fitted on a 1-D ``y``), as scikit-learn's
            multi-output classifiers.
        """
        return self._proba(X)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba` (same shapes).

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_columns)
            Inputs, with the task column for models fitted on long data.

        Returns
        -------
        log_proba : ndarray or list of ndarray
            Log-probabilities, in the layout of :meth:`predict_proba`.
        """
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            if isinstance(proba, list):
                return [np.log(p) for p in proba]
            return np.log(proba)

    def score(self, X, y, sample_weight=None):
        """Accuracy averaged uniformly over tasks (missing labels ignored).

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_columns)
            Test inputs.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            True labels, in the layout the model was fitted on (``NaN`` or
            ``None`` = missing in wide data).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean over tasks of each task's (weighted) accuracy.
        """
        from ..metrics import accuracy_score

        pred, codes = self._decoded(X)
        y = np.asarray(y)
        if codes is not None:
            self._check_n_tasks(y, codes)
            pred = pred[np.arange(len(codes)), codes]
        elif getattr(self, "_y_1d", False) and y.ndim == 1:
            pred = pred[:, 0]
        else:
            self._check_n_tasks(y, None)
        return float(accuracy_score(y, pred, tasks=codes, sample_weight=sample_weight))
