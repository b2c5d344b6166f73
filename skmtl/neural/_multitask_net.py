"""MultiTaskNet: mixed task types (regression, binary, multiclass) in one network."""

from sklearn.base import _fit_context
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._base_neural import _TASK_TYPES, _BaseMultiTaskNeural
from ._docs import fill_doc

__all__ = ["MultiTaskNet"]


@fill_doc
class MultiTaskNet(_BaseMultiTaskNeural):
    r"""Multi-task neural network with mixed regression and classification tasks.

    <shared objective>

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
    <shared parameters>
    classes_ : list of (ndarray or None)
        Sorted labels of each classification task, None for regression tasks.
    y_mean_ : ndarray of shape (n_tasks,)
        Target mean of each regression task (0 elsewhere).
    y_scale_ : ndarray of shape (n_tasks,)
        Target standard deviation of each regression task (1 elsewhere).
    <shared fitted attributes>

    See Also
    --------
    MultiTaskMLPRegressor, MultiTaskMLPClassifier

    Notes
    -----
    <shared stopping notes>

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

    def _has_classification(self):
        """Whether some task is a classification (fitted or declared)."""
        types = getattr(self, "task_types_", None)
        if types is None:
            types = self.task_types or []  # None: every task a regression
        return any(t != "regression" for t in types)

    @available_if(_has_classification)
    def predict_proba(self, X):
        """Class probabilities of every classification task.

        Only available when some task is a classification.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_columns)
            Inputs (with the task column for long data).

        Returns
        -------
        proba : list of ndarray or ndarray
            Wide data: one (n_samples, n_classes_t) array per classification
            task, in task order. Long data: one (n_samples, n_classes) array,
            each row's probabilities for its own task (``NaN`` on rows of
            regression tasks; the classification tasks of the rows must have
            the same number of classes).
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

    def fit_new_task(
        self,
        X,
        y,
        *,
        task_type="regression",
        alpha=1.0,
        prior=None,
        sample_weight=None,
    ):
        """Fit a new task on the frozen shared representation (transfer).

        As :meth:`MultiTaskMLPRegressor.fit_new_task` (a ridge head) for
        ``task_type='regression'`` and :meth:`MultiTaskMLPClassifier.fit_new_task`
        (a logistic-regression head) otherwise; this model is unchanged.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, \
n_features_in_)
            Inputs of the new task: the feature columns, or the same columns
            as in fit (the task column is then ignored).
        y : array-like of shape (n_samples,)
            Targets or labels of the new task.
        task_type : {'regression', 'classification', 'binary', 'multiclass'}, \
default='regression'
            Kind of the new task: a ridge or a logistic-regression head.
        alpha : float, default=1.0
            L2 strength of the head (``C = 1 / (2 alpha)`` for a classifier).
        prior : {None, 'mean'}, default=None
            Regression only: shrink the head toward zero or toward the mean
            of the fitted regression heads (see
            :meth:`MultiTaskMLPRegressor.fit_new_task`).
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights of the head's fit.

        Returns
        -------
        estimator : sklearn.pipeline.Pipeline
            Fitted single-task estimator: the frozen representation (step
            ``'representation'``) followed by the head (step ``'head'``).
        """
        if task_type not in _TASK_TYPES:
            raise ValueError(
                f"Unknown task_type {task_type!r}; use one of {list(_TASK_TYPES)}."
            )
        kind = "regression" if task_type == "regression" else "classification"
        return self._fit_new_task(X, y, kind, alpha, prior, sample_weight)
