"""Regularisation paths over a warm-started grid, from the largest useful value."""

import numpy as np
from sklearn.base import clone

__all__ = ["multitask_path"]


def _grid(estimator, datafit, param, values, n_values, eps):
    """The grid of ``param``: given values sorted decreasingly, or a log grid."""
    if values is not None:
        values = np.sort(np.asarray(values, dtype=float).ravel())[::-1]
        if values.size == 0 or np.any(values <= 0):
            raise ValueError(
                f"The {param} values must be positive; got {values}. Give "
                f"{param}s=None for a grid from {param}_max down."
            )
        return values
    top = estimator._param_max(datafit, param)
    top = top if np.isfinite(top) and top > 0 else 1.0
    if n_values == 1:
        return np.array([top])
    return top * np.geomspace(1.0, eps, n_values)


def _path_on_data(estimator, data, param, values, n_values, eps):
    """Path on validated data; returns values, coefs, intercepts, gaps, n_iters."""
    datafit = estimator._datafit(data)
    values = _grid(estimator, datafit, param, values, n_values, eps)
    solver = estimator._make_solver()
    T, d = data.n_tasks, data.n_features
    W = estimator._cold_start((estimator._n_parts() * d, T), datafit)
    coefs = np.empty((len(values), T, d))
    intercepts = np.empty((len(values), T))
    gaps = np.empty(len(values))
    n_iters = np.empty(len(values), dtype=int)
    for k, value in enumerate(values):
        penalty = estimator._penalty(d, **estimator._params({param: value}))
        W, n_iters[k], _, gaps[k] = estimator._solve(datafit, penalty, W, solver)
        coefs[k], intercepts[k] = estimator._coef_intercept(datafit, W)
    return values, coefs, intercepts, gaps, n_iters


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
    r"""Solutions of a penalised multi-task model along a grid of ``alpha``.

    The grid runs from ``alpha_max`` (the smallest ``alpha`` for which all
    weights are zero) down to ``eps * alpha_max``, log-spaced, and each fit
    starts from the previous solution (warm start), so a whole path costs a
    few single fits. The datafit's precomputations (centring, Gram blocks)
    are shared along the path.

    Parameters
    ----------
    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
        Inputs; with the estimator's ``task_column`` set, one column holds
        task ids (long data).
    y : array-like of shape (n_samples, n_tasks) or (n_samples,)
        Wide targets with ``NaN`` for missing labels, or long 1-D targets.
    estimator : estimator, default=None
        The model whose path to compute, with its other parameters (layout
        through its ``task_column``, ``tol``, ``solver``...):
        :class:`MultiTaskGroupLasso` (the default, ``MultiTaskGroupLasso()``)
        or :class:`DirtyMultiTask`. It is not modified.
    param : str, default='alpha'
        The hyper-parameter that varies (``'alpha'``, or ``'beta'`` for the
        dirty model); the others keep the estimator's values.
    alphas : array-like of shape (n_alphas,), default=None
        Values of ``param``, fitted in decreasing order. ``None`` builds the
        log grid described above.
    n_alphas : int, default=100
        Length of the automatic grid.
    eps : float, default=1e-3
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
        Duality gap at each solution.

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
    if param not in est._path_params:
        raise ValueError(
            f"{type(est).__name__} has no path over {param!r}; choose one of "
            f"{list(est._path_params)}."
        )
    data = est._validate_fit(X, y, sample_weight)
    values, coefs, intercepts, gaps, _ = _path_on_data(
        est, data, param, alphas, n_alphas, eps
    )
    return values, coefs, intercepts, gaps
