"""Regularisation paths: warm-started fits along a grid, for every linear family.

Every linear estimator speaks the same small *path protocol*, so that one
path function (:func:`multitask_path`) and one cross-validation engine
(:mod:`skmtl.linear._cv`) serve them all:

- ``_path_setup(data) -> state``: the datafit (centring, Gram blocks) and the
  solver, built once and shared by every point of a path;
- ``_path_start(state) -> W``: the cold starting point;
- ``_path_step(state, W) -> (W, n_iter, stop_crit, dual_gap)``: one fit at
  the estimator's current parameters, warm-started from ``W``;
- ``_path_coef(state, W) -> (coef, intercept)``: the fitted attributes;
- ``_param_max(datafit, name)``: the smallest value of ``name`` at which the
  solution is the limit model (``W = 0``, or the pooled ridge), or ``None``
  when the family has no such value (smooth penalties).
"""

import numpy as np
from sklearn.base import clone

__all__ = ["PathState", "multitask_path", "path_grid", "path_on_data"]

#: the value of an automatic grid when ``param_max`` is zero (constant
#: targets), as in scikit-learn's ``_alpha_grid``
_RESOLUTION = np.finfo(np.float64).resolution


class PathState:
    """What the fits of one path share: the data, the datafit and the solver."""

    def __init__(self, data, datafit, solver):
        self.data, self.datafit, self.solver = data, datafit, solver


def path_grid(estimator, datafit, param, values, n_values, eps, decreasing=True):
    """The grid of ``param``: the given values sorted, or an automatic log grid.

    The automatic grid runs from ``param_max`` (where the solution becomes the
    limit model) down to ``eps * param_max``, log-spaced, like
    scikit-learn's ``_alpha_grid``; with ``param_max`` at or below the float
    resolution (constant targets) every point is that resolution.

    Parameters
    ----------
    estimator : estimator speaking the path protocol
        With its other parameters set (``param_max`` may depend on them).
    datafit : initialised datafit
        The datafit on the data whose ``param_max`` is wanted.
    param : str
        Name of the hyper-parameter.
    values : array-like or None
        Explicit grid (positive values), or ``None`` for the automatic grid.
    n_values : int
        Length of the automatic grid.
    eps : float in (0, 1]
        ``min / max`` of the automatic grid.
    decreasing : bool or None, default=True
        Order of an explicit grid; None keeps the order given (an outer grid,
        as scikit-learn keeps ``l1_ratio``'s).

    Returns
    -------
    grid : ndarray of shape (n_values,)
    """
    if values is not None:
        values = np.asarray(values, dtype=float).ravel()
        if decreasing is not None:
            values = np.sort(values)
        if values.size == 0 or not np.all(np.isfinite(values)):
            raise ValueError(f"The {param} grid must be non-empty and finite.")
        if np.any(values < 0) or (decreasing and np.any(values == 0)):
            raise ValueError(
                f"The {param} values must be positive; got {values}. Give "
                f"{param}s=None (or an int) for a grid from {param}_max down."
            )
        return values[::-1] if decreasing else values
    top = estimator._param_max(datafit, param)
    if top is None:
        raise ValueError(
            f"{type(estimator).__name__} has no largest useful {param}: give the "
            f"{param} values explicitly."
        )
    if not np.isfinite(top) or top <= _RESOLUTION:
        return np.full(n_values, _RESOLUTION)
    return np.geomspace(top, top * eps, n_values)


def path_on_data(estimator, data, param, values, state=None):
    """Warm-started fits of ``estimator`` along ``values`` of ``param``.

    ``data`` is validated :class:`~skmtl.utils.MultiTaskData`; the estimator
    is cloned, not modified. The datafit and solver are built once (or taken
    from ``state``, the estimator's ``_path_setup(data)``). Returns
    ``(coefs, intercepts, dual_gaps, n_iters)`` with shapes
    ``(n_values, n_tasks, n_features)``, ``(n_values, n_tasks)``,
    ``(n_values,)`` and ``(n_values,)``.
    """
    est = clone(estimator)
    state = est._path_setup(data) if state is None else state
    W = est._path_start(state)
    n = len(values)
    T, d = data.n_tasks, data.n_features
    coefs = np.empty((n, T, d))
    intercepts = np.empty((n, T))
    gaps = np.empty(n)
    n_iters = np.empty(n, dtype=int)
    for k, value in enumerate(values):
        setattr(est, param, float(value))  # validated with the grid
        W, n_iters[k], _, gaps[k] = est._path_step(state, W)
        coefs[k], intercepts[k] = est._path_coef(state, W)
    return coefs, intercepts, gaps, n_iters


def multitask_path(
    X,
    y,
    *,
    estimator=None,
    param="alpha",
    alphas=None,
    n_alphas=100,
    eps=1e-3,
    sample_weight=None,
):
    r"""Solutions of a regularised multi-task model along a grid of ``alpha``.

    Each fit starts from the previous solution (warm start) and the datafit's
    precomputations (centring, Gram blocks) are shared, so a whole path costs
    a few single fits. For the penalties with a largest useful value (group
    lasso, dirty model, trace norm) the automatic grid runs from that value
    ``alpha_max`` (where the solution is ``W = 0``, or the pooled ridge with
    ``center_tasks=True``) down to ``eps * alpha_max``, log-spaced; with
    ``alpha_max = 0`` (constant targets) every point is the float
    resolution, as in scikit-learn.

    Parameters
    ----------
    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
        Inputs; with the estimator's ``task_column`` set, one column holds
        task ids (long data).
    y : array-like of shape (n_samples, n_tasks) or (n_samples,)
        Wide targets with ``NaN`` for missing labels, or long 1-D targets.
    estimator : estimator, default=None
        The model whose path to compute, with its other parameters (layout
        through its ``task_column``, ``tol``, ``solver``...): any linear
        regressor of :mod:`skmtl.linear` with a path (``MultiTaskGroupLasso``,
        the default, ``DirtyMultiTask``, ``TraceNormMultiTask``,
        ``MeanRegularizedMultiTask``, ``TaskGraphMultiTask``,
        ``ClusteredMultiTask``). It is not modified.
    param : str, default='alpha'
        The hyper-parameter that varies (e.g. ``'beta'`` for the dirty
        model); the others keep the estimator's values.
    alphas : array-like of shape (n_alphas,), default=None
        Values of ``param``, fitted in decreasing order. ``None`` builds the
        log grid described above (families without a largest useful value
        need explicit values).
    n_alphas : int, default=100
        Length of the automatic grid.
    eps : float in (0, 1], default=1e-3
        Ratio of the smallest to the largest value of the automatic grid.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The values of ``param``, decreasing.
    coefs : ndarray of shape (n_alphas, n_tasks, n_features)
        ``coef_`` at each value.
    intercepts : ndarray of shape (n_alphas, n_tasks)
        ``intercept_`` at each value.
    dual_gaps : ndarray of shape (n_alphas,)
        Duality gap at each solution (``NaN`` for the families solved without
        a duality-gap certificate).

    See Also
    --------
    MultiTaskGroupLassoCV : choose ``alpha`` along this path by
        cross-validation.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import multitask_path
    >>> X, Y = make_multitask_regression(60, 10, 3, n_informative=2,
    ...                                  random_state=0)
    >>> alphas, coefs, intercepts, gaps = multitask_path(X, Y, n_alphas=5)
    >>> coefs.shape
    (5, 3, 10)
    >>> bool((coefs[0] == 0).all())
    True
    """
    from ._group_lasso import MultiTaskGroupLasso

    est = clone(estimator) if estimator is not None else MultiTaskGroupLasso()
    if param not in getattr(est, "_path_params", ()):
        raise ValueError(
            f"{type(est).__name__} has no path over {param!r}; choose one of "
            f"{list(getattr(est, '_path_params', ()))}."
        )
    if not (0 < eps <= 1):
        raise ValueError(f"eps must be in (0, 1]; got {eps}.")
    data = est._validate_fit(X, y, sample_weight)
    state = est._path_setup(data)
    values = path_grid(est, state.datafit, param, alphas, n_alphas, eps)
    coefs, intercepts, gaps, _ = path_on_data(est, data, param, values, state)
    return values, coefs, intercepts, gaps
