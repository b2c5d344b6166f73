"""A Pareto front of multi-task models, solved jointly with parameter transfer."""

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..base import MultiTaskLinearModel, MultiTaskMixin, linear_predict
from ..linear.datafits import Quadratic
from ..utils import MultiTaskData
from ._member import FrontMemberMixin
from ._moo import hypervolume, pareto_mask, transfer_weights, uniform_preferences

__all__ = ["ParetoFrontRegressor"]


class _ParetoMember(FrontMemberMixin, MultiTaskLinearModel):
    """One fitted member of a Pareto front (returned by ``select``).

    A fitted linear multi-task model: ``coef_`` (n_tasks, n_features),
    ``intercept_`` (n_tasks,), with the front's task bookkeeping, so it
    predicts like any skmtl linear model. It is created fitted; calling
    ``fit`` is not supported.

    Parameters
    ----------
    preference : ndarray of shape (n_tasks,), default=None
        The member's preference vector.
    task_column : int, str or None, default=None
        Task column of the data the front was fitted on.
    """


def _split(data, fraction, rng):
    """Per-task random split of the labelled rows into (train, validation)."""
    train, valid = [], []
    for idx in data.task_index:
        n_valid = int(round(fraction * len(idx)))
        if len(idx) < 2 or n_valid == 0:
            train.append(idx)
            valid.append(idx[:0])
            continue
        n_valid = min(n_valid, len(idx) - 1)
        perm = rng.permutation(idx)
        valid.append(np.sort(perm[:n_valid]))
        train.append(np.sort(perm[n_valid:]))
    return train, valid


def _restrict(data, index):
    """The same data with only the rows ``index[t]`` labelled for task ``t``."""
    y = np.full_like(data.y, np.nan)
    for t, idx in enumerate(index):
        if data.layout == "long":
            y[idx] = data.y[idx]
        else:
            y[idx, t] = data.y[idx, t]
    return MultiTaskData(
        X=data.X,
        y=y,
        layout=data.layout,
        tasks=data.tasks,
        task_index=list(index),
        task_codes=data.task_codes,
        sample_weight=data.sample_weight,
    )


def _validation_losses(member, data, index):
    """Task losses of a fitted member on held-out rows, normalised like training.

    Each task's weighted squared error over that of predicting the held-out
    rows' own mean (1: no better than the mean).
    """
    losses = np.empty(len(index))
    for t, idx in enumerate(index):
        if hasattr(member, "module_"):  # neural member: every head at once
            pred = member._raw_predict(data.X[idx])[:, t]
        else:
            pred = np.asarray(data.X[idx] @ member.coef_[t]).ravel()
            pred = pred + member.intercept_[t]
        y_t = data.y[idx] if data.layout == "long" else data.y[idx, t]
        w_t = (
            np.ones(len(idx)) if data.sample_weight is None else data.sample_weight[idx]
        )
        r0 = y_t - np.average(y_t, weights=w_t)
        denom = np.sum(w_t * r0**2)
        losses[t] = np.sum(w_t * (y_t - pred) ** 2) / denom if denom > 0 else np.nan
    return losses


class _Scalarized:
    """Normalised task losses of a shared linear model and their scalarisations.

    Task ``t``'s loss is the skmtl least-squares loss of the shared weights
    ``w`` (intercepts profiled out) divided by the loss of predicting the
    task's mean, so 1 means "no better than the mean" on every task.
    """

    def __init__(self, data, fit_intercept, alpha, scalarization, smoothing):
        self.datafit = Quadratic(fit_intercept).initialize(data)
        self.T = data.n_tasks
        base = self.datafit.task_values(np.zeros((data.n_features, self.T)))
        self.base = np.where(base > 0, base, 1.0)
        self.alpha = alpha
        self.scalarization = scalarization
        self.smoothing = smoothing

    def losses(self, w):
        W = np.repeat(w[:, None], self.T, axis=1)
        return self.datafit.task_values(W) / self.base

    def value_grad(self, w, lam):
        W = np.repeat(w[:, None], self.T, axis=1)
        losses, G = self.datafit.task_values_and_gradient(W)
        losses = losses / self.base
        G = G / self.base[None, :]
        if self.scalarization == "weighted_sum":
            value = float(lam @ losses)
            coef = lam
        else:  # smooth Tchebycheff: mu * log sum exp(lam_t l_t / mu)
            mu = self.smoothing
            z = lam * losses / mu
            zmax = z.max()
            p = np.exp(z - zmax)
            value = float(mu * (zmax + np.log(p.sum())))
            coef = lam * p / p.sum()
        value += 0.5 * self.alpha * float(w @ w)
        return value, G @ coef + self.alpha * w, losses


class ParetoFrontRegressor(MultiTaskMixin, RegressorMixin, BaseEstimator):
    r"""Pareto front of multi-task models (MT2O-style joint solving).

    When tasks compete for shared parameters, no single model is best for all
    of them: the answer is a front of trade-offs. This estimator fits ``K``
    models, one per preference vector ``lambda_k`` on the simplex, each
    minimising a scalarisation of the normalised task losses:

    .. math::

        \ell_t(w) = \frac{L_t(w)}{L_t(0)}, \qquad
        L_t(w) = \frac{1}{2 n_t} \sum_{i \in t} s_i
                 (y_{it} - x_i^\top w - b_t)^2

    (intercepts ``b_t`` per task, profiled out; ``L_t(0)`` is the loss of
    predicting the task's mean), with

    - ``'weighted_sum'``: :math:`\sum_t \lambda_{kt} \ell_t(w)
      + \frac{\alpha}{2}\|w\|^2`;
    - ``'tchebycheff'`` (smoothed, reaches non-convex parts of a front):
      :math:`\mu \log \sum_t \exp(\lambda_{kt} \ell_t(w) / \mu)
      + \frac{\alpha}{2}\|w\|^2`.

    The weights ``w`` are shared by all tasks (a linear "trunk"), so the tasks
    genuinely trade off against each other. The ``K`` subproblems are solved
    jointly by gradient descent with backtracking. With ``transfer='mt2o'``
    the subproblems exchange parameters *during* the optimisation (iterative
    parameter transfer, Bai, Gupta & Ong 2024): every ``transfer_every``
    gradient steps, each member ``k`` is offered the candidate

    .. math::

        \theta_k' = (1 - s)\,\theta_k + s \sum_j M_{kj} \theta_j, \qquad
        M_{kj} \propto \frac{\cos^+_{kj}}{1 + \cos^+_{kj}},

    over its two nearest subproblems ``j`` (closest preference vectors),
    where ``cos+`` is the positive part of the cosine between the two
    subproblems' objective gradients (the similarity of multi-task gradient
    descent, Bai et al. 2020), ``M`` normalised to sum to one over the
    neighbours and ``s = transfer_strength``; no transfer when no neighbour's
    gradient points the same way. Acceptance: the candidate replaces
    ``theta_k`` only if it lowers member ``k``'s own full training objective,
    so a transfer never worsens a subproblem and, for the linear model, both
    variants converge to the same front; the hypervolume history
    (``hypervolume_``) shows how fast. Measured: no clear speed-up (the
    iterations to 99% of the final hypervolume are 0.8-1.05 times those
    without transfer on the fronts tried, see :ref:`pareto`), so the option
    is kept but the paper's claim is not reproduced.

    With ``model='mlp'`` each member is a neural network instead: a shared MLP
    trunk and one linear head per task (the shared-bottom network of
    :mod:`skmtl.neural`), ``f_t(x) = h_t(g(x))``, with ``\ell_t`` the
    weighted mean squared error on targets standardised per task (again 1 for
    predicting the mean) and the ridge term on all network parameters. The
    ``K`` networks start from one common initialisation and are trained
    jointly by mini-batch Adam on their scalarised objectives; the MT2O
    transfer above is applied every ``transfer_every`` mini-batch steps to the
    flattened parameter vectors (similarity: the cosine of the members'
    gradients on the last mini-batch; acceptance: the member's full training
    objective decreases). This needs the ``neural`` extra (torch).

    Parameters
    ----------
    preferences : int or array-like of shape (n_preferences, n_tasks), default=11
        Number of preference vectors spread uniformly over the simplex, or the
        vectors themselves (non-negative; normalised to sum to one).
    model : {'linear', 'mlp'}, default='linear'
        Kind of member: a linear model with weights shared by the tasks and
        one intercept per task, or a shared-bottom network (trunk and one
        head per task, needs torch).
    scalarization : {'weighted_sum', 'tchebycheff'}, default='weighted_sum'
        How a preference turns the task losses into one objective.
    transfer : {'mt2o', None}, default='mt2o'
        Parameter transfer between similar subproblems, or none.
    transfer_strength : float in (0, 1], default=0.5
        Weight of the neighbours in a transfer candidate.
    transfer_every : int or None, default=None
        Gradient steps between two transfers: iterations of the linear
        solver, mini-batch steps of the networks (``model='mlp'``). None: 1
        for the linear model (every iteration), 10 for networks (a transfer
        is judged on the full training objective, about a third of an
        epoch's cost).
    alpha : float, default=1e-4
        Ridge strength on the shared weights (on all network parameters for
        ``model='mlp'``).
    smoothing : float, default=0.01
        Temperature ``mu`` of the smooth Tchebycheff scalarisation.
    preference : array-like of shape (n_tasks,) or None, default=None
        Preference used by ``predict`` and ``score``: the member whose
        preference vector is closest in angle. ``None`` means equal weights.
        Changing it needs no refit (tunable by GridSearchCV with
        ``refit=False``-free searches, as it is a plain parameter).
    validation_fraction : float in [0, 1), default=0.2
        Share of each task's labelled rows held out to measure ``front_``;
        0 measures it on the training data.
    fit_intercept : bool, default=True
        Whether each task has an intercept (linear model; the network's heads
        always have one).
    trunk_layer_sizes : array-like of int, default=(32,)
        Hidden layers of the shared trunk (``model='mlp'``). A narrow last
        layer makes the tasks compete for it.
    head_layer_sizes : array-like of int, default=()
        Hidden layers of each task's head before its output (``model='mlp'``).
    activation : str, default='relu'
        Activation of the hidden layers (``model='mlp'``): one of ``'relu'``,
        ``'tanh'``, ``'logistic'``, ``'gelu'``, ``'elu'``, ``'leaky_relu'``,
        ``'selu'``.
    lr : float, default=1e-2
        Adam learning rate (``model='mlp'``).
    batch_size : int, default=64
        Mini-batch size (``model='mlp'``); larger than the data: full batch.
    max_iter : int, default=300
        Gradient iterations (epochs for ``model='mlp'``).
    tol : float, default=1e-6
        Linear model: stop when every subproblem's gradient norm, relative to
        its value at zero, is below ``tol``. Network: stop when no member's
        scalarised training objective decreased by more than ``tol``
        (relative) over the last 10 epochs.
    task_column : int, str or None, default=None
        ``None`` for wide data; else the task-id column of ``X`` (long data).
    random_state : int, RandomState instance or None, default=None
        Seed of the validation split, of the preference fill-in and, for
        ``model='mlp'``, of the initialisation and the mini-batch order.
    verbose : int, default=0
        Print the hypervolume every ``max_iter // 10`` iterations.

    Attributes
    ----------
    preferences_ : ndarray of shape (n_preferences, n_tasks)
        The preference vectors.
    estimators_ : list of fitted models
        One per preference, each with ``predict`` and ``score``; linear
        members have ``coef_`` and ``intercept_``, neural members the torch
        network ``module_`` (fitted on targets standardised with
        ``y_mean_`` and ``y_scale_``).
    front_ : ndarray of shape (n_preferences, n_tasks)
        Normalised task losses of each member on the validation rows (on the
        training rows when ``validation_fraction=0``).
    pareto_mask_ : ndarray of shape (n_preferences,)
        Members not dominated on ``front_``.
    hypervolume_ : ndarray of shape (n_iter_ + 1,)
        Hypervolume of the training losses of the members after each
        iteration (epoch), with reference point 1 in every task (predicting
        the mean).
    n_iter_ : int
        Iterations (epochs) run.
    n_transfers_ : int
        Transfer candidates accepted (summed over members and iterations).
    coef_ : ndarray of shape (n_tasks, n_features)
        Coefficients of the member selected by ``preference`` (linear model
        only).
    intercept_ : ndarray of shape (n_tasks,)
        Intercepts of that member (linear model only).
    tasks_ : ndarray of shape (n_tasks,)
        Task ids.
    n_tasks_ : int
        Number of tasks.
    n_features_in_ : int
        Number of columns of ``X`` seen in fit, task column included.

    See Also
    --------
    skmtl.pareto.hypervolume : the hypervolume indicator.
    skmtl.pareto.plot_pareto_front : draw ``front_`` and ``hypervolume_``.
    skmtl.neural.MultiTaskMLPRegressor : one shared-bottom network.

    References
    ----------
    L. Bai, A. Gupta and Y.-S. Ong, "Multi-task learning as multi-objective
    optimization with iterative parameter transfer" (MT2O), arXiv:2403.16162,
    2024.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.pareto import ParetoFrontRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 3))
    >>> Y = np.column_stack([X[:, 0], X[:, 1]]) + 0.1 * rng.standard_normal((200, 2))
    >>> front = ParetoFrontRegressor(preferences=5, random_state=0).fit(X, Y)
    >>> front.front_.shape, bool(front.pareto_mask_.all())
    ((5, 2), True)

    The same front of shared-bottom networks (needs torch):

    >>> nets = ParetoFrontRegressor(
    ...     preferences=3, model="mlp", trunk_layer_sizes=(8,), max_iter=100,
    ...     lr=0.05, tol=1e-2, random_state=0,
    ... ).fit(X, Y)
    >>> len(nets.estimators_), nets.predict(X[:2]).shape
    (3, (2, 2))
    """

    _accept_sparse = ("csr", "csc")

    _parameter_constraints = {
        "preferences": [
            Interval(numbers.Integral, 1, None, closed="left"),
            "array-like",
        ],
        "model": [StrOptions({"linear", "mlp"})],
        "scalarization": [StrOptions({"weighted_sum", "tchebycheff"})],
        "transfer": [StrOptions({"mt2o"}), None],
        "transfer_strength": [Interval(numbers.Real, 0, 1, closed="right")],
        "transfer_every": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "smoothing": [Interval(numbers.Real, 0, None, closed="neither")],
        "preference": [None, "array-like"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="left")],
        "fit_intercept": ["boolean"],
        "trunk_layer_sizes": ["array-like"],
        "head_layer_sizes": ["array-like"],
        "activation": [
            StrOptions(
                {"relu", "tanh", "logistic", "gelu", "elu", "leaky_relu", "selu"}
            )
        ],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "task_column": [None, numbers.Integral, str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        preferences=11,
        *,
        model="linear",
        scalarization="weighted_sum",
        transfer="mt2o",
        transfer_strength=0.5,
        transfer_every=None,
        alpha=1e-4,
        smoothing=0.01,
        preference=None,
        validation_fraction=0.2,
        fit_intercept=True,
        trunk_layer_sizes=(32,),
        head_layer_sizes=(),
        activation="relu",
        lr=1e-2,
        batch_size=64,
        max_iter=300,
        tol=1e-6,
        task_column=None,
        random_state=None,
        verbose=0,
    ):
        self.preferences = preferences
        self.model = model
        self.scalarization = scalarization
        self.transfer = transfer
        self.transfer_strength = transfer_strength
        self.transfer_every = transfer_every
        self.alpha = alpha
        self.smoothing = smoothing
        self.preference = preference
        self.validation_fraction = validation_fraction
        self.fit_intercept = fit_intercept
        self.trunk_layer_sizes = trunk_layer_sizes
        self.head_layer_sizes = head_layer_sizes
        self.activation = activation
        self.lr = lr
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.task_column = task_column
        self.random_state = random_state
        self.verbose = verbose

    def _resolve_preferences(self, n_tasks, rng):
        if isinstance(self.preferences, numbers.Integral):
            return uniform_preferences(self.preferences, n_tasks, rng.randint(2**31))
        P = np.asarray(self.preferences, dtype=float)
        if P.ndim != 2 or P.shape[1] != n_tasks:
            raise ValueError(
                f"preferences has shape {P.shape}; expected (n_preferences, "
                f"{n_tasks}), one weight per task."
            )
        if np.any(P < 0) or np.any(P.sum(axis=1) <= 0):
            raise ValueError("preferences must be non-negative with a positive sum.")
        return P / P.sum(axis=1, keepdims=True)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit one model per preference vector.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Inputs; with ``task_column`` set, one column holds task ids.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            Wide targets with ``NaN`` for missing labels, or long 1-D targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights.

        Returns
        -------
        self : ParetoFrontRegressor
            Fitted estimator.
        """
        data = self._validate_fit(X, y, sample_weight)
        self.n_transfers_ = 0
        rng = check_random_state(self.random_state)
        P = self._resolve_preferences(data.n_tasks, rng)
        if self.validation_fraction > 0:
            train_idx, valid_idx = _split(data, self.validation_fraction, rng)
        else:
            train_idx, valid_idx = data.task_index, data.task_index
        if self.model == "mlp":
            members, history, train_losses = self._fit_mlp(data, train_idx, P, rng)
        else:
            members, history, train_losses = self._fit_linear(data, train_idx, P)
        self.hypervolume_ = np.asarray(history)
        self.preferences_ = P
        self.estimators_ = members
        for member in members:
            for name in (
                "tasks_",
                "n_tasks_",
                "n_features_in_",
                "_layout",
                "_task_col",
            ):
                setattr(member, name, getattr(self, name))
            if hasattr(self, "feature_names_in_"):
                member.feature_names_in_ = self.feature_names_in_
        has_valid = all(len(v) for v in valid_idx)
        if self.validation_fraction > 0 and has_valid:
            self.front_ = np.array(
                [_validation_losses(m, data, valid_idx) for m in self.estimators_]
            )
        else:
            self.front_ = train_losses
        self.pareto_mask_ = pareto_mask(self.front_)
        return self

    def _fit_linear(self, data, train_idx, P):
        train = _restrict(data, train_idx)
        problem = _Scalarized(
            train, self.fit_intercept, self.alpha, self.scalarization, self.smoothing
        )
        W, history, self.n_iter_ = self._solve(problem, P)
        members = []
        for k in range(len(P)):
            member = _ParetoMember(preference=P[k], task_column=self.task_column)
            Wk = np.repeat(W[:, k][:, None], data.n_tasks, axis=1)
            member.coef_ = np.ascontiguousarray(Wk.T)
            member.intercept_ = problem.datafit.intercept(Wk)
            members.append(member)
        train_losses = np.array([problem.losses(W[:, k]) for k in range(len(P))])
        return members, history, train_losses

    def _fit_mlp(self, data, train_idx, P, rng):
        from ._neural import fit_mlp_front

        seed = int(rng.randint(2**31 - 2))
        out = fit_mlp_front(
            self, data, train_idx, P, seed, self._neighbours(P), hypervolume
        )
        members, history, self.n_iter_, train_losses, crit, self.n_transfers_ = out
        if crit > self.tol:
            warnings.warn(
                f"ParetoFrontRegressor did not converge in {self.max_iter} "
                f"epochs: relative decrease of the scalarised training objective "
                f"over the last 10 epochs {crit:.3e} > tol {self.tol:.1e}. "
                "Increase max_iter or tol.",
                ConvergenceWarning,
                stacklevel=4,
            )
        return members, history, train_losses

    def _solve(self, problem, P):
        K, d = len(P), problem.datafit.n_features
        W = np.zeros((d, K))
        steps = np.full(
            K, 1.0 / (problem.datafit.lipschitz / problem.base.min() + problem.alpha)
        )
        values = np.empty(K)
        grads = np.empty((d, K))
        losses = np.empty((K, problem.T))
        for k in range(K):
            values[k], grads[:, k], losses[k] = problem.value_grad(W[:, k], P[k])
        scale = np.maximum(np.linalg.norm(grads, axis=0), 1e-12)
        history = [hypervolume(losses, np.ones(problem.T))]
        neighbours = self._neighbours(P)
        every_transfer = self.transfer_every or 1
        every = max(1, self.max_iter // 10)
        crit = np.inf
        n_iter = 0
        for n_iter in range(1, self.max_iter + 1):
            for k in range(K):  # gradient step with backtracking (Armijo)
                step = steps[k] * 2.0
                g = grads[:, k]
                gg = float(g @ g)
                while True:
                    w_new = W[:, k] - step * g
                    v, gn, ln = problem.value_grad(w_new, P[k])
                    if abs(v - values[k]) <= 1e-12 * abs(values[k]):
                        # value changes at rounding level (near the optimum):
                        # judge the step by the gradient instead
                        ok = float(gn @ gn) < gg
                    else:  # Armijo
                        ok = v <= values[k] - 0.5 * step * gg
                    if ok or step < 1e-16:
                        break
                    step *= 0.5
                steps[k] = step
                W[:, k], values[k], grads[:, k], losses[k] = w_new, v, gn, ln
            if self.transfer == "mt2o" and K > 1 and n_iter % every_transfer == 0:
                self.n_transfers_ += self._transfer(
                    problem, P, W, values, grads, losses, neighbours
                )
            history.append(hypervolume(losses, np.ones(problem.T)))
            crit = float(np.max(np.linalg.norm(grads, axis=0) / scale))
            if self.verbose and n_iter % every == 0:
                print(
                    f"[ParetoFront] iter {n_iter}: hypervolume {history[-1]:.6f}, "
                    f"gradient {crit:.2e} (tol {self.tol:.1e})"
                )
            if crit <= self.tol:
                break
        else:
            warnings.warn(
                f"ParetoFrontRegressor did not converge in {self.max_iter} "
                f"iterations: relative gradient norm {crit:.3e} > tol "
                f"{self.tol:.1e}. Increase max_iter or tol.",
                ConvergenceWarning,
                stacklevel=4,
            )
        return W, history, n_iter

    @staticmethod
    def _neighbours(P, m=2):
        K = len(P)
        if K < 2:
            return np.zeros((K, 0), dtype=int)
        dist = np.linalg.norm(P[:, None, :] - P[None, :, :], axis=2)
        np.fill_diagonal(dist, np.inf)
        return np.argsort(dist, axis=1)[:, : min(m, K - 1)]

    def _transfer(self, problem, P, W, values, grads, losses, neighbours):
        accepted = 0
        M = transfer_weights(grads.T @ grads, neighbours)
        mix = W @ M.T  # column k: sum_j M_kj w_j, from the pre-transfer W
        s = self.transfer_strength
        for k in np.flatnonzero(M.sum(axis=1) > 0):
            cand = (1 - s) * W[:, k] + s * mix[:, k]
            v, g, loss = problem.value_grad(cand, P[k])
            if v < values[k]:
                W[:, k], values[k], grads[:, k], losses[k] = cand, v, g, loss
                accepted += 1
        return accepted

    def _selected(self, preference=None):
        check_is_fitted(self)
        pref = self.preference if preference is None else preference
        if pref is None:
            pref = np.full(self.n_tasks_, 1.0 / self.n_tasks_)
        pref = np.asarray(pref, dtype=float)
        if pref.shape != (self.n_tasks_,):
            raise ValueError(
                f"preference has shape {pref.shape}; expected ({self.n_tasks_},)."
            )
        P = self.preferences_
        cos = (P @ pref) / (
            np.linalg.norm(P, axis=1) * max(np.linalg.norm(pref), 1e-300)
        )
        return self.estimators_[int(np.argmax(cos))]

    def select(self, preference=None):
        """The member whose preference is closest in angle to ``preference``.

        Parameters
        ----------
        preference : array-like of shape (n_tasks,), default=None
            Desired weights of the tasks; ``None`` uses the ``preference``
            parameter (equal weights if that is None too).

        Returns
        -------
        member : fitted model
            A member of ``estimators_``, with ``predict`` and ``score``.
        """
        return self._selected(preference)

    def _linear_member(self, name):
        member = self._selected()
        if not hasattr(member, "coef_"):
            raise AttributeError(
                f"{name} is defined for model='linear' only; the members of "
                "this front are networks (see estimators_[k].module_)."
            )
        return member

    @property
    def coef_(self):
        """Coefficients of the member selected by ``preference`` (linear)."""
        return self._linear_member("coef_").coef_

    @property
    def intercept_(self):
        """Intercepts of the member selected by ``preference`` (linear)."""
        return self._linear_member("intercept_").intercept_

    def predict(self, X):
        """Predict with the member selected by ``preference``.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Inputs, with the task column for long data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples, n_tasks) or (n_samples,)
            Predictions.
        """
        member = self._selected()
        X, codes = self._validate_predict(X)
        if hasattr(member, "module_"):
            pred = member._raw_predict(X)
            return pred if codes is None else pred[np.arange(len(codes)), codes]
        return linear_predict(X, codes, member.coef_, member.intercept_)

    def score(self, X, y, sample_weight=None):
        """Mean per-task R^2 of the member selected by ``preference``.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Test inputs.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            True targets (NaN for missing labels).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean over tasks of the per-task R^2.
        """
        return self._selected().score(X, y, sample_weight=sample_weight)
