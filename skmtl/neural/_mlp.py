"""Multi-task MLP regressor and classifier (shared trunk, one head per task)."""

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.utils.validation import check_is_fitted

from ..linear._classifier_base import _missing_mask
from ._base_neural import _BaseMultiTaskNeural

__all__ = ["MultiTaskMLPClassifier", "MultiTaskMLPRegressor"]


#: the training objective of both MLPs' docstrings
_OBJECTIVE_DOC = r"""    The network is trained with mini-batch gradient steps on

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
"""

#: parameters of both MLPs' docstrings (written once; see the end of the module)
_PARAMETERS_DOC = r"""    trunk_layer_sizes : sequence of int, default=(64, 64)
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
        Options of the aggregator: ``scale`` ('sum', default: equal weights
        give the gradient of the sum of the losses; 'mean': of their mean, the
        scale of torchjd's and LibMTL's MGDA and CAGrad), ``c`` (cagrad,
        default 0.5), ``rescale`` (cagrad: divide by ``1 + c^2``, 1, the
        original's default; ``1 + c``, 2; nothing, 0, as torchjd), ``max_norm``
        (nash: clip the update's norm, default 1.0 as LibMTL; None: never).
    optimizer : str or torch optimizer class, default='adam'
        Optimizer of all learnable parameters (task weights included):
        'adam', 'adamw', 'sgd', 'rmsprop' or a torch optimizer class.
    lr : float, default=1e-2
        Learning rate.
    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.
    batch_size : int, default=64
        Mini-batch size.
    predict_batch_size : int or 'auto', default='auto'
        Rows per batch of ``predict``, ``predict_proba``, ``score`` and of the
        validation loss, independent of ``batch_size``. 'auto' takes up to
        65,536 rows, fewer when the widest layer would hold more than 2**24
        activations (64 MB in float32). Memory maps and Datasets are
        predicted chunk by chunk, each chunk in batches of at most this size.
    max_epochs : int, default=1000
        Most epochs (passes over the training data) per ``fit``; the
        stopping rule normally ends the fit first, and a ``ConvergenceWarning``
        says when it did not.
    early_stopping : 'auto' or bool, default='auto'
        When the fit ends (see Notes). True: hold out ``validation_fraction``
        of every task's labelled rows, stop when the validation loss has not
        improved by ``tol`` for ``n_iter_no_change`` epochs and restore the
        best epoch's weights. 'auto': that when every task gets at least 50
        held-out labels, else the same rule on the training loss (all rows
        train). False: train ``max_epochs`` epochs.
    validation_fraction : float, default=0.1
        Held-out share of each task's labelled rows (validation rule).
    n_iter_no_change : int, default=10
        Patience of the stopping rule, in epochs.
    tol : float, default=1e-4
        Smallest improvement of the monitored loss that resets the patience.
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
"""

#: fitted attributes of both MLPs' docstrings
_FITTED_DOC = r"""    net_ : MultiTaskSkorchNet
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
        Number of epochs trained (over all fits with ``warm_start``).
    converged_ : bool
        Whether the stopping rule fired in the last ``fit`` (False: a
        ``ConvergenceWarning`` was raised).
    stop_reason_ : str
        What ended the last fit: the rule on that loss (``'valid_loss'``,
        ``'train_loss'``), the epoch budget (``'max_epochs'``), something else
        (``'interrupted'``: a callback of yours, Ctrl-C), or a non-finite
        training loss (``'diverged'``: the best epoch's weights kept, with a
        warning; without such weights ``fit`` raises).
    monitor_ : {'valid_loss', 'train_loss'}
        The loss the rule watched in the last fit.
    best_loss_, best_epoch_ : float, int
        Lowest monitored loss of the last fit and its epoch; with the
        validation rule the model keeps that epoch's weights.
    tasks_ : ndarray of shape (n_tasks,)
        Task ids (``arange(n_tasks)`` for wide data).
    n_tasks_ : int
        Number of tasks.
    n_features_in_ : int
        Number of columns of ``X`` seen in fit, task column included.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X`` when it is a DataFrame with string column names.

"""


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
    **When a fit ends.** One rule (scikit-learn's ``MLPRegressor`` rule):
    the monitored loss (the sum of the task losses, on standardised targets
    for regression) has not improved on its best value by more than ``tol``
    for ``n_iter_no_change`` epochs. The default ``early_stopping='auto'``
    is sized by the data: with at least 50 held-out labels for every task
    (500 labelled rows at ``validation_fraction=0.1``) the rule watches the
    loss on a held-out split, stratified per task over its labelled rows, and
    the best epoch's weights are restored; with fewer, a few dozen
    validation rows give a noisy stopping point and cost a tenth of scarce
    data, so all rows train and the rule watches the training loss. With
    ``early_stopping=False`` the rule only watches. A ``ConvergenceWarning``
    is raised whenever ``max_epochs`` ends a ``fit`` before the rule fired.
    ``partial_fit`` trains one epoch and never stops (under 'auto' it holds
    no rows out). The defaults (``lr=1e-2``, ``max_epochs=1000``) were set on
    the six Mulan sets of ``benchmarks/bench_mlp_mulan.py``, where every
    default fit stops by the rule (:ref:`neural_convergence`).

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


for _cls in (MultiTaskMLPRegressor, MultiTaskMLPClassifier):
    for _mark, _text in (
        ("objective", _OBJECTIVE_DOC),
        ("parameters", _PARAMETERS_DOC),
        ("fitted attributes", _FITTED_DOC),
    ):
        _cls.__doc__ = _cls.__doc__.replace(f"    <shared {_mark}>\n", _text)
