"""MAMO: conflict-driven architecture learning with a Pareto (MGDA) update."""

import copy
import numbers
import warnings

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from ._base_neural import _BaseMultiTaskNeural, _optimizer_class, _torch
from ._mlp import MultiTaskMLPRegressor

__all__ = ["MAMORegressor"]


class MAMORegressor(RegressorMixin, _BaseMultiTaskNeural):
    r"""Multi-task MLP that adds modules where task gradients conflict (MAMO).

    Training minimises the sum of the per-task losses

    .. math::

        \sum_{t=1}^{T} L_t, \qquad
        L_t = \frac{1}{|B_t|} \sum_{i \in B_t} (f_t(x_i) - y_{it})^2,

    on the (standardised) targets, where ``B_t`` are the rows of the batch
    labelled for task ``t`` (``NaN`` in wide ``Y`` and other tasks' rows of
    long data are masked out), in two phases:

    1. **Probing** (the first ``probe_epochs`` epochs) on a shared-bottom net:
       on every mini-batch the gradient ``g_t^l`` of each task's loss on each
       shared trunk layer ``l`` is computed and ``C_l[i, j]`` counts the steps
       with ``cos(g_i^l, g_j^l) < 0``. Pair ``(i, j)`` is flagged at layer
       ``l`` when ``C_l[i, j]`` exceeds the mean of ``C_l`` over all pairs
       (``threshold='mean'``).
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
    standardize_targets : bool, default=True
        Train on per-task standardised targets and map predictions back.
    trunk_layer_sizes : sequence of int, default=(64, 64)
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
    threshold : 'mean' or float in [0, 1), default='mean'
        'mean': flag the pairs whose conflict count at a layer exceeds the
        mean count over the pairs at that layer (with two tasks nothing can
        exceed the mean: give a float). A float flags the pairs whose
        fraction of conflicting probing steps exceeds it.
    max_modules : int or None, default=None
        Largest number of modules added (those with the highest conflict
        frequency are kept).
    aggregator : str, callable or None, default='mgda'
        Update of the shared trunk from the task gradients: 'mgda' (the MAMO
        update), 'pcgrad', 'cagrad' or 'nash'; see
        :class:`MultiTaskMLPRegressor` for these and for callables. None
        back-propagates the sum of the losses.
    aggregator_params : dict, default=None
        Options of the aggregator (``c`` for 'cagrad').
    optimizer : str or torch optimizer class, default='adam'
        'adam', 'adamw', 'sgd', 'rmsprop' or a torch optimizer class; the
        modules join it as a new parameter group.
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
    y_mean_, y_scale_ : ndarray of shape (n_tasks,)
        Per-task target mean and standard deviation used for standardising.
    net_ : MultiTaskSkorchNet
        The fitted skorch net (``net_.module_`` is the torch module).
    history_ : skorch.History
        Per-epoch ``train_loss``, ``train_task_losses``, ``task_weights``
        (MGDA coefficients ``T alpha_t``) and ``grad_cosine``.
    gradient_conflicts_ : ndarray of shape (n_epochs, n_tasks, n_tasks)
        Per-epoch mean cosine between task gradients on the whole trunk.
    train_task_losses_ : ndarray of shape (n_epochs, n_tasks)
        Mean training loss of each task per epoch (standardised scale).
    task_weights_ : ndarray of shape (n_epochs, n_tasks)
        Mean aggregator coefficients per epoch.
    task_types_ : list of str
        'regression' for every task.
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
    MultiTaskMLPRegressor : shared-bottom, MMoE and PLE nets with any
        weighting or aggregator (``aggregator='mgda'`` is MGDA alone).

    Notes
    -----
    Only the abstract of the MAMO paper is public; the mechanics here (Recon-
    style per-layer cosine counts, the mean threshold, modules initialised as
    copies of the shared layer with softmax fusion, MGDA on the trunk) are
    skmtl's reading of it. Each training step costs ``n_tasks + 1`` backward
    passes (the task gradients on the trunk). A ``ConvergenceWarning`` is
    raised when the training loss still improved by more than ``tol`` over the
    last ``n_iter_no_change`` epochs. ``sample_weight`` is not supported.

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
    >>> import numpy as np
    >>> from skmtl.neural import MAMORegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(256, 4))
    >>> Y = np.column_stack([X[:, 0], X[:, 0], np.abs(X[:, 1])])
    >>> model = MAMORegressor(trunk_layer_sizes=(8,), probe_epochs=3,
    ...                       max_epochs=6, random_state=0).fit(X, Y)
    >>> model.conflict_matrix_.shape
    (1, 3, 3)
    >>> model.predict(X).shape
    (256, 3)
    """

    _parameter_constraints = {
        # the MLP regressor's constraints for the parameters the two share
        **{
            name: MultiTaskMLPRegressor._parameter_constraints[name]
            for name in (
                "standardize_targets",
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
        },
        "probe_epochs": [Interval(numbers.Integral, 0, None, closed="left")],
        "threshold": [
            StrOptions({"mean"}),
            Interval(numbers.Real, 0, 1, closed="left"),
        ],
        "max_modules": [Interval(numbers.Integral, 0, None, closed="left"), None],
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
        threshold="mean",
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

    def _build_net(self, n_features, layout, seed):
        from ._gmk import MAMONet, MAMOSkorchNet
        from ._losses import output_dims
        from ._net import DIAGNOSTIC_KEYS, JacobianAggregator, TensorBatchIterator

        if len(self.trunk_layer_sizes) == 0:
            raise ValueError(
                "MAMORegressor needs at least one shared trunk layer: "
                "trunk_layer_sizes is empty."
            )
        out_dims = output_dims(self.task_types_, [0] * len(self.task_types_))
        module_kw = dict(
            n_features=n_features,
            out_dims=out_dims,
            trunk_layer_sizes=[int(s) for s in self.trunk_layer_sizes],
            head_layer_sizes=[int(s) for s in self.head_layer_sizes],
            activation=self.activation,
            dropout=float(self.dropout),
        )
        kw = {f"module__{k}": v for k, v in module_kw.items()}
        if self.weight_decay:
            kw["optimizer__weight_decay"] = self.weight_decay
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
        from ._gmk import select_conflicting_pairs

        torch = _torch()
        self._check_device()
        data = self._validate_fit(X, y, reset=True)
        Y = self._encode_targets(data, reset=True)
        Xf = np.asarray(data.X, dtype=np.float32)
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        net = self._build_net(Xf.shape[1], data.layout, seed)
        n_probe = min(self.probe_epochs, self.max_epochs)
        with torch.random.fork_rng(devices=[]), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*Mean of empty slice.*")
            warnings.filterwarnings("ignore", message=".*NumPy array is not writable.*")
            torch.manual_seed(seed)
            net.initialize()
            if n_probe:
                torch.manual_seed(seed + 1)
                net.probing_ = True
                net.max_epochs = n_probe
                net.partial_fit(Xf, Y)
                net.probing_ = False
            counts, observed = net.conflict_counts_, net.conflict_observed_
            layout = (
                select_conflicting_pairs(
                    counts, observed, self.threshold, self.max_modules
                )
                if n_probe
                else []
            )
            new = net.module_.add_gmks(layout)
            if new:
                net.optimizer_.add_param_group({"params": new})
            if self.max_epochs > n_probe:
                torch.manual_seed(seed + 2)
                net.max_epochs = self.max_epochs - n_probe
                net.partial_fit(Xf, Y)
        self.net_ = net
        self.n_iter_ = len(net.history)
        self._set_diagnostics()
        module = net.module_
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

    def _warn_if_not_converged(self):
        """ConvergenceWarning when the training loss was still improving."""
        losses = [h["train_loss"] for h in self.net_.history if "train_loss" in h]
        k = self.n_iter_no_change
        if len(losses) <= k:
            return
        if min(losses[:-k]) - min(losses[-k:]) > self.tol:
            warnings.warn(
                f"MAMORegressor reached max_epochs={self.max_epochs} while "
                f"train_loss was still improving by more than tol={self.tol} over "
                f"the last n_iter_no_change={k} epochs; increase max_epochs.",
                ConvergenceWarning,
            )

    # the same mean per-task R^2 as MultiTaskMLPRegressor (streamed inputs too)
    score = MultiTaskMLPRegressor.score
