"""Docstring parts shared by the neural estimators, written once.

:func:`fill_doc` replaces the markers ``<shared objective>``,
``<shared parameters>``, ``<shared fitted attributes>`` and ``<shared
stopping notes>`` (each alone on an indented line) of a class docstring.
"""

__all__ = ["fill_doc"]

#: the training objective
OBJECTIVE = r"""
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
"""[1:]  # without the first newline

#: the parameters from ``trunk_layer_sizes`` to ``task_column``
PARAMETERS = r"""
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
        'adam', 'adamw', 'sgd', 'rmsprop' or a torch optimizer class. The
        names 'adam', 'adamw' and 'sgd' run torch's fused implementation on
        the CPU and CUDA (``fused=True``: one kernel for every parameter, the
        same update up to float rounding, about a quarter less time per step
        of a small network on the CPU); a class, e.g. ``torch.optim.Adam``,
        runs with torch's defaults.
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
"""[1:]  # without the first newline

#: the fitted attributes from ``net_`` to ``feature_names_in_``
FITTED = r"""
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
"""[1:]  # without the first newline

#: how a fit ends (Notes)
STOPPING_NOTES = r"""
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
"""[1:]  # without the first newline

_PARTS = {
    "objective": OBJECTIVE,
    "parameters": PARAMETERS,
    "fitted attributes": FITTED,
    "stopping notes": STOPPING_NOTES,
}


def fill_doc(cls):
    """Put the shared parts into ``cls.__doc__`` (a class decorator)."""
    for mark, text in _PARTS.items():
        cls.__doc__ = cls.__doc__.replace(f"    <shared {mark}>\n", text)
    return cls
