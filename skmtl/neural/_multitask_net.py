"""MultiTaskNet: mixed task types (regression, binary, multiclass) in one network."""

from sklearn.base import _fit_context
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._base_neural import _TASK_TYPES, _BaseMultiTaskNeural

__all__ = ["MultiTaskNet"]


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
        Number of epochs trained (over all fits with ``warm_start``).
    converged_ : bool
        Whether the stopping rule fired in the last ``fit`` (False: a
        ``ConvergenceWarning`` was raised).
    stop_reason_ : {'valid_loss', 'train_loss', 'max_epochs', 'interrupted'}
        What ended the last fit: the rule on that loss, the epoch budget, or
        something else (a callback of yours, Ctrl-C).
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

    See Also
    --------
    MultiTaskMLPRegressor, MultiTaskMLPClassifier

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
