"""MAMO: conflict-driven architecture learning with a Pareto (MGDA) update."""

import copy
import numbers
import warnings

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._available_if import available_if
from sklearn.utils._param_validation import Interval, StrOptions

from ._base_neural import (
    _BaseMultiTaskNeural,
    _optimizer_class,
    _torch,
    optimizer_kwargs,
)
from ._mlp import MultiTaskMLPClassifier, MultiTaskMLPRegressor
from ._rng import torch_rng

__all__ = ["MAMOClassifier", "MAMORegressor"]

_DOC = r"""Multi-task MLP that adds modules where task gradients conflict (MAMO).

    Training minimises the sum of the per-task losses

    .. math::

        \sum_{t=1}^{T} L_t, \qquad
        L_t = \frac{1}{|B_t|} \sum_{i \in B_t} \ell_t(f_t(x_i), y_{it}),

    where ``B_t`` are the rows of the batch labelled for task ``t`` (``NaN``
    in wide ``Y`` and other tasks' rows of long data are masked out) and
    %(loss)s, in two phases:

    1. **Probing** (the first ``probe_epochs`` epochs) on a shared-bottom net:
       on every mini-batch the gradient ``g_t^l`` of each task's loss on each
       shared trunk layer ``l`` is computed, with the cosine
       ``c_s = cos(g_i^l, g_j^l)`` of every task pair at step ``s``. With the
       default ``threshold='test'`` pair ``(i, j)`` is flagged at layer ``l``
       when its conflict is real: the one-sided t-test of the mean cosine,
       ``t = mean(c) / (sd(c) / sqrt(n))`` over the ``n`` steps of the second
       half of probing (the first half lets the randomly initialised heads
       align with their targets: two heads reading a feature with opposite
       signs make the gradients of even identical tasks oppose), rejects
       ``mean >= 0`` at ``conflict_level``, Bonferroni-corrected over all
       ``n_layers * n_tasks * (n_tasks - 1) / 2`` (layer, pair) tests
       (``t < t_{n-1}^{-1}(conflict_level / n_tests)``). ``threshold='mean'``
       is the paper's relative cutoff: pairs whose count of steps with
       ``c_s < 0`` exceeds the mean count over the pairs at that layer.
    2. **Architecture and Pareto training.** Every flagged ``(l, i, j)`` gets a
       gradient-mediative module ``M`` (a copy of layer ``l``) that reads the
       same input as layer ``l`` and feeds only tasks ``i`` and ``j``: task
       ``t``'s pre-activation becomes
       ``a_0 W_l h_t + sum_k a_k M_k h_t`` with ``a = softmax(logits_{l,t})``
       learned. The shared trunk then moves along the MGDA direction
       ``d = T sum_t alpha_t g_t``,
       ``alpha = argmin_{alpha in simplex} ||sum_t alpha_t g_t||^2``, whose
       zero is Pareto stationarity; modules, fusion logits and heads get the
       gradients of the tasks that use them.

    The MGDA update is also used while probing (``aggregator``).

    Parameters
    ----------
%(first_params)s    trunk_layer_sizes : sequence of int, default=(64, 64)
        Widths of the shared trunk layers (each one a candidate for modules).
    head_layer_sizes : sequence of int, default=()
        Hidden layers of each task's tower before its output layer.
    activation : str, default='relu'
        Activation of every hidden layer: 'relu', 'tanh', 'logistic', 'gelu',
        'elu', 'leaky_relu' or 'selu'.
    dropout : float, default=0.0
        Dropout probability after every hidden layer.
    probe_epochs : int, default=10
        Epochs of the probing phase (counted in ``max_epochs``). 0 skips the
        architecture search: the model is shared-bottom trained with the
        aggregator.
    threshold : {'test', 'mean'} or float in [0, 1), default='test'
        Which pairs get modules. 'test': those whose mean gradient cosine is
        significantly below zero (see above), so aligned or merely unrelated
        tasks get none. 'mean': the paper's relative cutoff (a count above
        the layer's mean; with two tasks nothing can exceed the mean). A
        float flags the pairs whose fraction of conflicting probing steps
        exceeds it.
    conflict_level : float in (0, 1), default=0.05
        Family-wise level of the 'test' rule (probability of adding any
        module when no pair's mean cosine is negative).
    max_modules : int or None, default=None
        Largest number of modules added (the most significant pairs under
        'test', those with the highest conflict frequency otherwise).
    aggregator : str, callable or None, default='mgda'
        Update of the shared trunk from the task gradients: 'mgda' (the MAMO
        update), 'pcgrad', 'cagrad' or 'nash'; see
        :class:`MultiTaskMLPRegressor` for these and for callables. None
        back-propagates the sum of the losses.
    aggregator_params : dict, default=None
        Options of the aggregator (``c`` for 'cagrad').
    optimizer : str or torch optimizer class, default='adam'
        'adam', 'adamw', 'sgd', 'rmsprop' or a torch optimizer class; the
        modules join it as a new parameter group. The names 'adam', 'adamw'
        and 'sgd' run torch's fused implementation (as the MLPs).
    lr : float, default=1e-3
        Learning rate.
    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.
    batch_size : int, default=64
        Mini-batch size.
    max_epochs : int, default=100
        Total epochs, probing included.
    n_iter_no_change : int, default=10
        Epochs of the convergence check (see Notes).
    tol : float, default=1e-4
        Improvement of the training loss that counts in the convergence check.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation and shuffling; the same seed gives the same
        modules and predictions. torch's global generator is restored.
    device : {'cpu', 'cuda'} or str, default='cpu'
        torch device of training.
    verbose : int, default=0
        0: silent; 1: skorch's table of epoch losses (once per phase).
    callbacks : list of skorch callbacks or (name, callback), default=None
        Extra skorch callbacks.
    task_column : int, str or None, default=None
        ``None`` for wide data ``(X, Y)`` with ``NaN`` for missing labels;
        otherwise the position or DataFrame name of the task-id column of
        ``X`` (long data).

    Attributes
    ----------
    conflict_cosine_ : ndarray of shape (n_layers, n_tasks, n_tasks)
        Mean over the steps of the second half of probing of the cosine
        between the two tasks' gradients on each trunk layer (NaN where never
        defined; 1 on the diagonal).
    conflict_tstat_ : ndarray of shape (n_layers, n_tasks, n_tasks)
        t statistic of that mean (NaN with fewer than 2 steps); the 'test'
        rule compares it with the Bonferroni critical value.
    conflict_n_steps_ : ndarray of shape (n_layers, n_tasks, n_tasks)
        Number of steps behind ``conflict_cosine_``.
    conflict_matrix_ : ndarray of shape (n_layers, n_tasks, n_tasks)
        Number of probing steps with a negative cosine between the two tasks'
        gradients on each trunk layer (symmetric, zero diagonal).
    conflict_frequency_ : ndarray of shape (n_layers, n_tasks, n_tasks)
        ``conflict_matrix_`` divided by the number of steps where the cosine
        was defined (both tasks labelled in the batch, nonzero gradients).
    modules_ : list of tuple (layer, i, j)
        Trunk layer and task pair of every module added.
    conflict_pairs_ : list of tuple (i, j)
        Task pairs that got at least one module.
    fusion_weights_ : dict
        ``{(layer, task): ndarray}``: softmax fusion weights of task ``task``
        at ``layer`` (first entry: the shared layer, then its modules in the
        order of ``modules_``), for every task that uses a module.
    n_parameters_ : int
        Learnable parameters of the network (modules and fusion included).
    n_parameters_shared_bottom_ : int
        Parameters of the same network without modules (shared-bottom).
    n_probe_steps_ : int
        Mini-batches of the probing phase.
%(attributes)s    net_ : MultiTaskSkorchNet
        The fitted skorch net (``net_.module_`` is the torch module).
    history_ : skorch.History
        Per-epoch ``train_loss``, ``train_task_losses``, ``task_weights``
        (MGDA coefficients ``T alpha_t``) and ``grad_cosine``.
    gradient_conflicts_ : ndarray of shape (n_epochs, n_tasks, n_tasks)
        Per-epoch mean cosine between task gradients on the whole trunk.
    train_task_losses_ : ndarray of shape (n_epochs, n_tasks)
        Mean training loss of each task per epoch.
    task_weights_ : ndarray of shape (n_epochs, n_tasks)
        Mean aggregator coefficients per epoch.
    task_types_ : list of str
        %(task_types)s
    n_iter_ : int
        Number of epochs trained (probing included).
    tasks_ : ndarray of shape (n_tasks,)
        Task ids.
    n_tasks_ : int
        Number of tasks.
    n_features_in_ : int
        Number of columns of ``X`` seen in fit, task column included.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X`` when it is a DataFrame with string column names.

    See Also
    --------
%(see_also)s
    Notes
    -----
    Only the abstract of the MAMO paper is public; the mechanics here (Recon-
    style per-layer cosines, modules initialised as copies of the shared
    layer with softmax fusion, MGDA on the trunk) are skmtl's reading of it,
    and the default 'test' rule is skmtl's: the paper's relative cutoff
    ('mean') always flags the pairs above the average count, even when every
    pair is aligned. The t-test treats the per-step cosines as independent
    draws around their (slowly drifting) expected value: the mini-batch noise
    of a step is independent of the past given the network, and the drift
    only inflates the sample variance, so the test is conservative for the
    mean over the probing run. A pair needs at least 2 steps in the second
    half of probing where both tasks are labelled; with fewer steps a warning
    says no module can be added. Each training step costs ``n_tasks + 1``
    backward passes (the task gradients on the trunk). A
    ``ConvergenceWarning`` is raised when the training loss still improved
    by more than ``tol`` over the last ``n_iter_no_change`` epochs.
    ``sample_weight`` is not supported.

    References
    ----------
    Tan, Hu & Zhang. MAMO: Multi-task Architecture learning via Multi-Objective
    optimization. Frontiers in Artificial Intelligence and Applications (IOS
    Press), 2024.

    Sener, O. & Koltun, V. (2018). Multi-task learning as multi-objective
    optimization. NeurIPS.

    Shi, G. et al. (2023). Recon: reducing conflicting gradients from the
    root for multi-task learning. ICLR.

    Examples
    --------
%(examples)s"""


_SHARED_PARAMS = (
    "trunk_layer_sizes",
    "head_layer_sizes",
    "activation",
    "dropout",
    "aggregator",
    "aggregator_params",
    "optimizer",
    "lr",
    "weight_decay",
    "batch_size",
    "max_epochs",
    "n_iter_no_change",
    "tol",
    "random_state",
    "device",
    "verbose",
    "callbacks",
    "task_column",
)


class _BaseMAMO(_BaseMultiTaskNeural):
    """Probing, module placement and MGDA training shared by the MAMO models."""

    _parameter_constraints = {
        # the MLPs' constraints for the parameters they share
        **{
            name: MultiTaskMLPRegressor._parameter_constraints[name]
            for name in _SHARED_PARAMS
        },
        "probe_epochs": [Interval(numbers.Integral, 0, None, closed="left")],
        "threshold": [
            StrOptions({"test", "mean"}),
            Interval(numbers.Real, 0, 1, closed="left"),
        ],
        "conflict_level": [Interval(numbers.Real, 0, 1, closed="neither")],
        "max_modules": [Interval(numbers.Integral, 0, None, closed="left"), None],
    }

    def _build_net(self, n_features, layout, seed):
        from ._gmk import MAMONet, MAMOSkorchNet
        from ._losses import output_dims
        from ._net import DIAGNOSTIC_KEYS, JacobianAggregator, TensorBatchIterator

        if len(self.trunk_layer_sizes) == 0:
            raise ValueError(
                f"{type(self).__name__} needs at least one shared trunk layer: "
                "trunk_layer_sizes is empty."
            )
        out_dims = output_dims(
            self.task_types_, [0 if c is None else len(c) for c in self._classes]
        )
        module_kw = dict(
            n_features=n_features,
            out_dims=out_dims,
            trunk_layer_sizes=[int(s) for s in self.trunk_layer_sizes],
            head_layer_sizes=[int(s) for s in self.head_layer_sizes],
            activation=self.activation,
            dropout=float(self.dropout),
        )
        kw = {f"module__{k}": v for k, v in module_kw.items()}
        kw.update(optimizer_kwargs(self.optimizer, self.device, self.weight_decay))
        aggregator = self.aggregator
        if aggregator is not None and not isinstance(aggregator, str):
            aggregator = JacobianAggregator(aggregator)
        return MAMOSkorchNet(
            MAMONet,
            criterion__task_types=self.task_types_,
            criterion__out_dims=out_dims,
            criterion__layout=layout,
            weighting="equal",
            aggregator=aggregator,
            aggregator_params=self.aggregator_params,
            track_conflicts=True,
            random_state=seed,
            optimizer=_optimizer_class(self.optimizer),
            lr=self.lr,
            batch_size=self.batch_size,
            max_epochs=self.max_epochs,
            train_split=None,
            callbacks=copy.deepcopy(list(self.callbacks or [])),
            callbacks__print_log__keys_ignored=DIAGNOSTIC_KEYS,
            iterator_train=TensorBatchIterator,
            iterator_valid=TensorBatchIterator,
            iterator_train__shuffle=True,
            device=self.device,
            verbose=int(self.verbose),
            **kw,
        )

    def _fit_mamo(self, X, y):
        from ._gmk import cosine_tstat, select_conflicting_pairs

        torch = _torch()
        self._check_device()
        y, y_raw = self._prepare_y(y, True)
        data = self._validate_fit(X, y, reset=True)
        Y = self._encode_targets(data, reset=True, y_raw=y_raw)
        Xf = np.asarray(data.X, dtype=np.float32)
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        net = self._build_net(Xf.shape[1], data.layout, seed)
        n_probe = min(self.probe_epochs, self.max_epochs)
        with torch_rng(self.device) as seed_torch, warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*Mean of empty slice.*")
            warnings.filterwarnings("ignore", message=".*NumPy array is not writable.*")
            seed_torch(seed)
            net.initialize()
            if n_probe:
                seed_torch(seed + 1)
                net.probing_ = True
                net.max_epochs = n_probe
                net.partial_fit(Xf, Y)
                net.probing_ = False
            counts, observed = net.conflict_counts_, net.conflict_observed_
            # the test uses the second half of probing: the first half lets
            # the randomly initialised heads align with their targets
            cos_sum, cos_sq, n_cos = net.cosine_window(n_probe // 2)
            mean_cos, tstat = cosine_tstat(cos_sum, cos_sq, n_cos)
            layout = []
            if n_probe:
                self._check_probe_steps(n_cos)
                layout = select_conflicting_pairs(
                    counts,
                    observed,
                    self.threshold,
                    self.max_modules,
                    tstat=tstat,
                    level=self.conflict_level,
                    n_steps=n_cos,
                )
            new = net.module_.add_gmks(layout)
            if new:
                net.optimizer_.add_param_group({"params": new})
            if self.max_epochs > n_probe:
                seed_torch(seed + 2)
                net.max_epochs = self.max_epochs - n_probe
                net.partial_fit(Xf, Y)
        self.net_ = net
        self.n_iter_ = len(net.history)
        self._set_diagnostics()
        module = net.module_
        T = data.n_tasks
        diag = np.eye(T, dtype=bool)[None]
        self.conflict_cosine_ = np.where(diag, 1.0, mean_cos)
        self.conflict_tstat_ = np.where(diag, np.nan, tstat)
        self.conflict_n_steps_ = n_cos.astype(int)
        self.conflict_matrix_ = counts.copy()
        with np.errstate(invalid="ignore", divide="ignore"):
            self.conflict_frequency_ = np.where(
                observed > 0, counts / np.maximum(observed, 1), 0.0
            )
        self.n_probe_steps_ = int(sum(len(h["batches"]) for h in net.history[:n_probe]))
        self.modules_ = list(module.gmk_layout)
        self.conflict_pairs_ = sorted({(i, j) for _, i, j in self.modules_})
        self.fusion_weights_ = {
            tuple(int(v) for v in key.split("_")): torch.softmax(p.detach(), 0)
            .cpu()
            .numpy()
            .astype(float)
            for key, p in module.fusion.items()
        }
        self.n_parameters_ = int(sum(p.numel() for p in module.parameters()))
        self.n_parameters_shared_bottom_ = self.n_parameters_ - int(
            sum(p.numel() for p in module.gmk_parameters())
        )
        self._warn_if_not_converged()
        return self

    def _check_probe_steps(self, observed):
        """Warn when the 'test' rule cannot flag any pair (too few steps)."""
        if self.threshold != "test":
            return
        T = observed.shape[1]
        iu = np.triu_indices(T, k=1)
        n = observed[:, iu[0], iu[1]]
        if n.size and n.max() < 2:
            warnings.warn(
                f"{type(self).__name__}: the conflict test needs at least 2 "
                "probing steps (in the second half of probing) where both "
                f"tasks of a pair are labelled; the most any pair had is "
                f"{int(n.max())}, so no module can be added. Increase "
                "probe_epochs or lower batch_size.",
                UserWarning,
            )

    def _warn_if_not_converged(self):
        """ConvergenceWarning when the training loss was still improving."""
        losses = [h["train_loss"] for h in self.net_.history if "train_loss" in h]
        k = self.n_iter_no_change
        if len(losses) <= k:
            return
        if min(losses[:-k]) - min(losses[-k:]) > self.tol:
            warnings.warn(
                f"{type(self).__name__} reached max_epochs={self.max_epochs} "
                f"while train_loss was still improving by more than tol="
                f"{self.tol} over the last n_iter_no_change={k} epochs; increase "
                "max_epochs.",
                ConvergenceWarning,
            )


class MAMORegressor(RegressorMixin, _BaseMAMO):
    __doc__ = _DOC % dict(
        loss="``ell_t`` is the squared error on the (standardised) targets",
        first_params="""\
    standardize_targets : bool, default=True
        Train on per-task standardised targets and map predictions back.
""",
        attributes="""\
    y_mean_, y_scale_ : ndarray of shape (n_tasks,)
        Per-task target mean and standard deviation used for standardising.
""",
        task_types="'regression' for every task.",
        see_also="""\
    MAMOClassifier : the same model for classification tasks.
    MultiTaskMLPRegressor : shared-bottom, MMoE and PLE nets with any
        weighting or aggregator (``aggregator='mgda'`` is MGDA alone).
""",
        examples="""\
    >>> import numpy as np
    >>> from skmtl.neural import MAMORegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(256, 4))
    >>> Y = np.column_stack([X[:, 0], X[:, 0], np.abs(X[:, 1])])
    >>> model = MAMORegressor(trunk_layer_sizes=(8,), probe_epochs=3,
    ...                       max_epochs=6, random_state=0).fit(X, Y)
    >>> model.conflict_cosine_.shape
    (1, 3, 3)
    >>> model.predict(X).shape
    (256, 3)
    """,
    )

    _parameter_constraints = {
        **_BaseMAMO._parameter_constraints,
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
        probe_epochs=10,
        threshold="test",
        conflict_level=0.05,
        max_modules=None,
        aggregator="mgda",
        aggregator_params=None,
        optimizer="adam",
        lr=1e-3,
        weight_decay=0.0,
        batch_size=64,
        max_epochs=100,
        n_iter_no_change=10,
        tol=1e-4,
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
        self.probe_epochs = probe_epochs
        self.threshold = threshold
        self.conflict_level = conflict_level
        self.max_modules = max_modules
        self.aggregator = aggregator
        self.aggregator_params = aggregator_params
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.device = device
        self.verbose = verbose
        self.callbacks = callbacks
        self.task_column = task_column

    # regression tasks with optional target standardisation, as the MLP regressor
    _standardize = MultiTaskMLPRegressor._standardize
    _resolve_task_types = MultiTaskMLPRegressor._resolve_task_types

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Probe the task conflicts, add the modules, then train with MGDA.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_columns)
            Inputs; with ``task_column`` set, one column holds task ids.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            Wide targets with ``NaN`` for missing labels, or long 1-D targets.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit_mamo(X, y)

    # the same mean per-task R^2 as MultiTaskMLPRegressor (streamed inputs too)
    score = MultiTaskMLPRegressor.score


class MAMOClassifier(_BaseMAMO, MultiTaskMLPClassifier):
    __doc__ = _DOC % dict(
        loss=(
            "``ell_t`` is the binary cross-entropy on one logit (2 classes) or "
            "the cross-entropy on ``n_classes_t`` logits"
        ),
        first_params="",
        attributes="""\
    classes_ : list of ndarray
        Sorted labels of each task.
""",
        task_types="'binary' or 'multiclass' for each task.",
        see_also="""\
    MAMORegressor : the same model for regression tasks.
    MultiTaskMLPClassifier : shared-bottom, MMoE and PLE classifiers, whose
        label and probability conventions this model follows.
""",
        examples="""\
    >>> import numpy as np
    >>> from skmtl.neural import MAMOClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(256, 4))
    >>> Y = np.column_stack([X[:, 0] > 0, X[:, 0] > 0.1, X[:, 1] > 0])
    >>> clf = MAMOClassifier(trunk_layer_sizes=(8,), probe_epochs=3,
    ...                      max_epochs=6, random_state=0).fit(X, Y)
    >>> clf.predict(X).shape
    (256, 3)
    """,
    )

    def __init__(
        self,
        *,
        trunk_layer_sizes=(64, 64),
        head_layer_sizes=(),
        activation="relu",
        dropout=0.0,
        probe_epochs=10,
        threshold="test",
        conflict_level=0.05,
        max_modules=None,
        aggregator="mgda",
        aggregator_params=None,
        optimizer="adam",
        lr=1e-3,
        weight_decay=0.0,
        batch_size=64,
        max_epochs=100,
        n_iter_no_change=10,
        tol=1e-4,
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
        self.probe_epochs = probe_epochs
        self.threshold = threshold
        self.conflict_level = conflict_level
        self.max_modules = max_modules
        self.aggregator = aggregator
        self.aggregator_params = aggregator_params
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.device = device
        self.verbose = verbose
        self.callbacks = callbacks
        self.task_column = task_column

    # labels, classes_, predict, predict_proba and score are the MLP
    # classifier's (one convention for every skmtl neural classifier); only
    # the network, its fit and the parameters are MAMO's
    _parameter_constraints = _BaseMAMO._parameter_constraints

    @available_if(lambda self: False)
    def partial_fit(self, X, y=None, classes=None):
        """Not available: the modules are placed by a full ``fit``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_columns)
            Unused.
        y : array-like, default=None
            Unused.
        classes : array-like, default=None
            Unused.

        Returns
        -------
        self : object
            Never returns.
        """
        raise AttributeError("MAMOClassifier has no partial_fit.")

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Probe the task conflicts, add the modules, then train with MGDA.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_columns)
            Inputs; with ``task_column`` set, one column holds task ids.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            Wide labels with ``NaN`` for missing labels, or long 1-D labels.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit_mamo(X, y)
