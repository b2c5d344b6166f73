"""Per-task regression metrics that ignore missing labels.

Every metric has the signature ``metric(y_true, y_pred, *, tasks=None,
sample_weight=None, multioutput=...)``: wide targets (n_samples, n_tasks) with
``NaN`` for missing labels, or long 1-D targets with ``tasks``, the task id of
every row. Each task is scored on its own labelled rows, then the per-task
values are combined by ``multioutput`` (see :func:`aggregate_tasks`). A task
without any labelled row in the scored data gets ``NaN`` and is left out of the
averages.
"""

import numpy as np

from ._base import aggregate_tasks, per_task_arrays

__all__ = [
    "average_relative_root_mean_squared_error",
    "averaged_mean_squared_error",
    "explained_variance_score",
    "mean_absolute_error",
    "mean_squared_error",
    "normalized_mean_squared_error",
    "r2_score",
    "relative_root_mean_squared_error",
    "root_mean_squared_error",
    "task_means",
]

_PARAMS_DOC = """y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
        True targets, ``NaN`` for missing labels (wide) or 1-D with ``tasks``
        (long).
    y_pred : array-like of the same shape as ``y_true``
        Predictions.
    tasks : array-like of shape (n_samples,), default=None
        Task id of every row for long targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights."""


def _per_task(fn, y_true, y_pred, tasks, sample_weight, multioutput, extra=None):
    """Apply ``fn(yt, yp, w[, extra_t])`` to each task and aggregate."""
    task_ids, parts = per_task_arrays(
        y_true, y_pred, tasks=tasks, sample_weight=sample_weight
    )
    values, sizes = [], []
    for k, (yt, yp, w) in enumerate(parts):
        total = w.sum()
        sizes.append(total)
        if len(yt) == 0 or total <= 0:
            values.append(np.nan)
        elif extra is None:
            values.append(fn(yt, yp, w))
        else:
            values.append(fn(yt, yp, w, extra[k]))
    return aggregate_tasks(values, multioutput, np.asarray(sizes)), task_ids


def _ratio(num, den):
    """``num / den`` with scikit-learn's convention for a zero denominator."""
    if den > 0:
        return num / den
    return 0.0 if num == 0 else np.inf


def r2_score(
    y_true, y_pred, *, tasks=None, sample_weight=None, multioutput="uniform_average"
):
    """Coefficient of determination of each task, ignoring missing labels.

    For task ``t`` with labelled rows ``i`` and weights ``w_i``,
    ``R^2_t = 1 - sum_i w_i (y_i - yhat_i)^2 / sum_i w_i (y_i - ybar_t)^2``
    with ``ybar_t`` the weighted mean of the task's labels. A task with a
    constant target scores 1.0 if predicted exactly and 0.0 otherwise, as in
    scikit-learn.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
        True targets, ``NaN`` for missing labels (wide) or 1-D with ``tasks``
        (long).
    y_pred : array-like of the same shape as ``y_true``
        Predictions.
    tasks : array-like of shape (n_samples,), default=None
        Task id of every row for long targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    multioutput : {'raw_values', 'uniform_average', 'sample_weighted'} or \
            array-like of shape (n_tasks,), default='uniform_average'
        How to combine the tasks' scores.

    Returns
    -------
    score : float or ndarray of shape (n_tasks,)
        Mean over tasks (or per task for ``'raw_values'``) of the R^2.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.metrics import r2_score
    >>> Y = np.array([[1.0, np.nan], [2.0, 0.0], [3.0, 1.0]])
    >>> P = np.array([[1.0, 5.0], [2.0, 0.5], [3.0, 0.5]])
    >>> r2_score(Y, P, multioutput="raw_values")
    array([1., 0.])
    """

    def fn(yt, yp, w):
        sse = np.sum(w * (yt - yp) ** 2)
        sst = np.sum(w * (yt - np.average(yt, weights=w)) ** 2)
        if sst > 0:
            return 1.0 - sse / sst
        return 1.0 if sse == 0 else 0.0

    return _per_task(fn, y_true, y_pred, tasks, sample_weight, multioutput)[0]


def explained_variance_score(
    y_true, y_pred, *, tasks=None, sample_weight=None, multioutput="uniform_average"
):
    """Explained variance of each task, ignoring missing labels.

    ``EV_t = 1 - Var_t(y - yhat) / Var_t(y)`` with weighted variances over the
    task's labelled rows, as :func:`sklearn.metrics.explained_variance_score`.
    It differs from :func:`r2_score` only by ignoring a constant bias of the
    predictions. (The School literature's "explained variance" is
    ``1 - MSE / Var(y)``, i.e. :func:`r2_score`.)

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
        True targets, ``NaN`` for missing labels (wide) or 1-D with ``tasks``
        (long).
    y_pred : array-like of the same shape as ``y_true``
        Predictions.
    tasks : array-like of shape (n_samples,), default=None
        Task id of every row for long targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    multioutput : {'raw_values', 'uniform_average', 'sample_weighted'} or \
            array-like of shape (n_tasks,), default='uniform_average'
        How to combine the tasks' scores.

    Returns
    -------
    score : float or ndarray of shape (n_tasks,)
        Aggregated (or per-task) explained variance.

    Examples
    --------
    >>> from skmtl.metrics import explained_variance_score
    >>> explained_variance_score([1.0, 2.0, 3.0], [2.0, 3.0, 4.0])
    1.0
    """

    def fn(yt, yp, w):
        r = yt - yp
        var_r = np.average((r - np.average(r, weights=w)) ** 2, weights=w)
        var_y = np.average((yt - np.average(yt, weights=w)) ** 2, weights=w)
        if var_y > 0:
            return 1.0 - var_r / var_y
        return 1.0 if var_r == 0 else 0.0

    return _per_task(fn, y_true, y_pred, tasks, sample_weight, multioutput)[0]


def mean_squared_error(
    y_true, y_pred, *, tasks=None, sample_weight=None, multioutput="uniform_average"
):
    """Mean squared error of each task, ignoring missing labels.

    ``MSE_t = sum_i w_i (y_i - yhat_i)^2 / sum_i w_i`` over task ``t``'s
    labelled rows.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
        True targets, ``NaN`` for missing labels (wide) or 1-D with ``tasks``
        (long).
    y_pred : array-like of the same shape as ``y_true``
        Predictions.
    tasks : array-like of shape (n_samples,), default=None
        Task id of every row for long targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    multioutput : {'raw_values', 'uniform_average', 'sample_weighted'} or \
            array-like of shape (n_tasks,), default='uniform_average'
        How to combine the tasks' scores. ``'sample_weighted'`` gives the MSE
        pooled over all labels (MALSAR's ``eval_MTL_mse``).

    Returns
    -------
    loss : float or ndarray of shape (n_tasks,)
        Aggregated (or per-task) mean squared error.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.metrics import mean_squared_error
    >>> mean_squared_error([1.0, 2.0, 4.0], [1.0, 3.0, 2.0], tasks=["a", "a", "b"],
    ...                    multioutput="raw_values")
    array([0.5, 4. ])
    """

    def fn(yt, yp, w):
        return np.average((yt - yp) ** 2, weights=w)

    return _per_task(fn, y_true, y_pred, tasks, sample_weight, multioutput)[0]


def root_mean_squared_error(
    y_true, y_pred, *, tasks=None, sample_weight=None, multioutput="uniform_average"
):
    """Root mean squared error of each task, ignoring missing labels.

    ``RMSE_t = sqrt(MSE_t)``; the average over tasks is taken after the square
    root (the "mean per-task RMSE" of the School RMSE papers).

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
        True targets, ``NaN`` for missing labels (wide) or 1-D with ``tasks``
        (long).
    y_pred : array-like of the same shape as ``y_true``
        Predictions.
    tasks : array-like of shape (n_samples,), default=None
        Task id of every row for long targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    multioutput : {'raw_values', 'uniform_average', 'sample_weighted'} or \
            array-like of shape (n_tasks,), default='uniform_average'
        How to combine the tasks' scores. ``'sample_weighted'`` is MALSAR's
        ``eval_MTL_rmse`` (``sum_t RMSE_t n_t / N``).

    Returns
    -------
    loss : float or ndarray of shape (n_tasks,)
        Aggregated (or per-task) root mean squared error.

    Examples
    --------
    >>> from skmtl.metrics import root_mean_squared_error
    >>> root_mean_squared_error([0.0, 0.0, 1.0], [3.0, 4.0, 1.0], tasks=[0, 0, 1],
    ...                         multioutput="raw_values")
    array([3.53553391, 0.        ])
    """

    def fn(yt, yp, w):
        return np.sqrt(np.average((yt - yp) ** 2, weights=w))

    return _per_task(fn, y_true, y_pred, tasks, sample_weight, multioutput)[0]


def mean_absolute_error(
    y_true, y_pred, *, tasks=None, sample_weight=None, multioutput="uniform_average"
):
    """Mean absolute error of each task, ignoring missing labels.

    ``MAE_t = sum_i w_i |y_i - yhat_i| / sum_i w_i``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
        True targets, ``NaN`` for missing labels (wide) or 1-D with ``tasks``
        (long).
    y_pred : array-like of the same shape as ``y_true``
        Predictions.
    tasks : array-like of shape (n_samples,), default=None
        Task id of every row for long targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    multioutput : {'raw_values', 'uniform_average', 'sample_weighted'} or \
            array-like of shape (n_tasks,), default='uniform_average'
        How to combine the tasks' scores.

    Returns
    -------
    loss : float or ndarray of shape (n_tasks,)
        Aggregated (or per-task) mean absolute error.

    Examples
    --------
    >>> from skmtl.metrics import mean_absolute_error
    >>> mean_absolute_error([1.0, 2.0], [2.0, 4.0])
    1.5
    """

    def fn(yt, yp, w):
        return np.average(np.abs(yt - yp), weights=w)

    return _per_task(fn, y_true, y_pred, tasks, sample_weight, multioutput)[0]


def normalized_mean_squared_error(
    y_true, y_pred, *, tasks=None, sample_weight=None, multioutput="sample_weighted"
):
    """Normalized MSE (nMSE) of each task, as in the MALSAR papers.

    The MALSAR authors (Chen, Zhou and Ye; e.g. the robust MTL and clustered MTL
    papers of 2011) define nMSE as "the MSE divided by the variance of the
    target". Per task, over its labelled rows:

    ``nMSE_t = MSE_t / Var_t(y)``, with ``Var_t(y) = sum_i w_i (y_i - ybar_t)^2
    / sum_i w_i`` the (population, weighted) variance of the scored targets.

    So ``nMSE_t = 1 - R^2_t``. The default aggregation is ``'sample_weighted'``
    (``sum_t n_t nMSE_t / sum_t n_t``), the way MALSAR's evaluation helpers
    weight tasks by their sizes; pass ``multioutput='uniform_average'`` for the
    plain mean over tasks. A task with a constant target gets 0 if predicted
    exactly and ``inf`` otherwise.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
        True targets, ``NaN`` for missing labels (wide) or 1-D with ``tasks``
        (long).
    y_pred : array-like of the same shape as ``y_true``
        Predictions.
    tasks : array-like of shape (n_samples,), default=None
        Task id of every row for long targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    multioutput : {'raw_values', 'uniform_average', 'sample_weighted'} or \
            array-like of shape (n_tasks,), default='sample_weighted'
        How to combine the tasks' scores.

    Returns
    -------
    loss : float or ndarray of shape (n_tasks,)
        Aggregated (or per-task) nMSE.

    See Also
    --------
    averaged_mean_squared_error : MSE over the mean square of the target.

    Examples
    --------
    >>> from skmtl.metrics import normalized_mean_squared_error
    >>> normalized_mean_squared_error([1.0, 3.0], [2.0, 2.0])
    1.0
    """

    def fn(yt, yp, w):
        mse = np.average((yt - yp) ** 2, weights=w)
        var = np.average((yt - np.average(yt, weights=w)) ** 2, weights=w)
        return _ratio(mse, var)

    return _per_task(fn, y_true, y_pred, tasks, sample_weight, multioutput)[0]


def averaged_mean_squared_error(
    y_true, y_pred, *, tasks=None, sample_weight=None, multioutput="sample_weighted"
):
    """Averaged MSE (aMSE) of each task, as in the MALSAR papers.

    The MALSAR authors define aMSE as "the MSE divided by the squared norm of
    the target". We read the squared norm per sample, so that the value does not
    grow with the test-set size:

    ``aMSE_t = MSE_t / (sum_i w_i y_i^2 / sum_i w_i)
    = sum_i w_i (y_i - yhat_i)^2 / sum_i w_i y_i^2``.

    Unlike nMSE it does not remove the target's mean, so it is small for
    targets far from zero. The default aggregation is ``'sample_weighted'``,
    as for :func:`normalized_mean_squared_error`. An all-zero target gets 0 if
    predicted exactly and ``inf`` otherwise.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
        True targets, ``NaN`` for missing labels (wide) or 1-D with ``tasks``
        (long).
    y_pred : array-like of the same shape as ``y_true``
        Predictions.
    tasks : array-like of shape (n_samples,), default=None
        Task id of every row for long targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    multioutput : {'raw_values', 'uniform_average', 'sample_weighted'} or \
            array-like of shape (n_tasks,), default='sample_weighted'
        How to combine the tasks' scores.

    Returns
    -------
    loss : float or ndarray of shape (n_tasks,)
        Aggregated (or per-task) aMSE.

    See Also
    --------
    normalized_mean_squared_error : MSE over the variance of the target.

    Examples
    --------
    >>> from skmtl.metrics import averaged_mean_squared_error
    >>> averaged_mean_squared_error([1.0, 3.0], [2.0, 2.0])
    0.2
    """

    def fn(yt, yp, w):
        return _ratio(np.sum(w * (yt - yp) ** 2), np.sum(w * yt**2))

    return _per_task(fn, y_true, y_pred, tasks, sample_weight, multioutput)[0]


def task_means(y, *, tasks=None, sample_weight=None):
    """Weighted mean of each task's labels, e.g. of the training targets.

    Parameters
    ----------
    y : array-like of shape (n_samples, n_tasks) or (n_samples,)
        Targets, ``NaN`` for missing labels (wide) or 1-D with ``tasks`` (long).
    tasks : array-like of shape (n_samples,), default=None
        Task id of every row for long targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.

    Returns
    -------
    means : dict
        ``{task id: mean}`` (task ids ``0 .. n_tasks - 1`` for wide targets),
        the form :func:`relative_root_mean_squared_error` takes as
        ``y_train_mean``.

    Examples
    --------
    >>> from skmtl.metrics import task_means
    >>> task_means([1.0, 3.0, 10.0], tasks=["a", "a", "b"])
    {'a': 2.0, 'b': 10.0}
    """
    task_ids, parts = per_task_arrays(y, y, tasks=tasks, sample_weight=sample_weight)
    out = {}
    for tid, (yt, _, w) in zip(task_ids, parts, strict=True):
        key = tid.item() if hasattr(tid, "item") else tid
        out[key] = float(np.average(yt, weights=w)) if w.sum() > 0 else np.nan
    return out


def _resolve_train_means(y_train_mean, task_ids):
    """Per-task reference means aligned with ``task_ids`` (None: test means)."""
    if y_train_mean is None:
        return None
    if isinstance(y_train_mean, dict):
        out = []
        for tid in task_ids:
            key = tid.item() if hasattr(tid, "item") else tid
            if key not in y_train_mean:
                raise ValueError(
                    f"y_train_mean has no entry for task {key!r}; it must give the "
                    "training mean of every scored task (see skmtl.metrics."
                    "task_means)."
                )
            out.append(float(y_train_mean[key]))
        return np.asarray(out)
    means = np.asarray(y_train_mean, dtype=float).ravel()
    if means.shape != (len(task_ids),):
        raise ValueError(
            f"y_train_mean has {means.size} values but the data has "
            f"{len(task_ids)} tasks; give one training mean per task (wide: per "
            "column; long: per sorted task id) or a dict {task id: mean}."
        )
    return means


def relative_root_mean_squared_error(
    y_true,
    y_pred,
    *,
    tasks=None,
    sample_weight=None,
    y_train_mean=None,
    multioutput="uniform_average",
):
    """Relative RMSE of each task: the RMSE over that of predicting the mean.

    As in the multi-target regression literature (Spyromitros-Xioufis et al.,
    2016, on the Mulan data sets), per task over its labelled test rows:

    ``RRMSE_t = sqrt( sum_i w_i (y_i - yhat_i)^2 / sum_i w_i (y_i - m_t)^2 )``

    where ``m_t`` is the mean of task ``t``'s **training** targets, given by
    ``y_train_mean``. With ``y_train_mean=None`` the mean of the scored targets
    is used instead (then ``RRMSE_t = sqrt(1 - R^2_t)``), which is what scorers
    can do when they do not see the training targets. The uniform average over
    tasks (the default) is the aRRMSE of the literature. Values below 1 beat
    the constant predictor.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
        True targets, ``NaN`` for missing labels (wide) or 1-D with ``tasks``
        (long).
    y_pred : array-like of the same shape as ``y_true``
        Predictions.
    tasks : array-like of shape (n_samples,), default=None
        Task id of every row for long targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    y_train_mean : dict or array-like of shape (n_tasks,), default=None
        Mean of each task's training targets: a dict ``{task id: mean}`` (see
        :func:`task_means`), or an array with one value per task (per column
        for wide data, per sorted task id for long data). None uses the mean of
        ``y_true``.
    multioutput : {'raw_values', 'uniform_average', 'sample_weighted'} or \
            array-like of shape (n_tasks,), default='uniform_average'
        How to combine the tasks' scores.

    Returns
    -------
    loss : float or ndarray of shape (n_tasks,)
        Aggregated (or per-task) relative RMSE.

    See Also
    --------
    average_relative_root_mean_squared_error : the uniform average, aRRMSE.

    Examples
    --------
    >>> from skmtl.metrics import relative_root_mean_squared_error
    >>> relative_root_mean_squared_error([1.0, 3.0], [1.0, 2.0], y_train_mean=[1.0])
    0.5
    """
    task_ids, _ = per_task_arrays(
        y_true, y_pred, tasks=tasks, sample_weight=sample_weight
    )
    means = _resolve_train_means(y_train_mean, task_ids)

    def fn(yt, yp, w, m=None):
        if m is None:
            m = np.average(yt, weights=w)
        return np.sqrt(_ratio(np.sum(w * (yt - yp) ** 2), np.sum(w * (yt - m) ** 2)))

    return _per_task(
        fn, y_true, y_pred, tasks, sample_weight, multioutput, extra=means
    )[0]


def average_relative_root_mean_squared_error(
    y_true, y_pred, *, tasks=None, sample_weight=None, y_train_mean=None
):
    """Average relative RMSE (aRRMSE): the mean over tasks of the RRMSE.

    ``aRRMSE = (1 / T) sum_t RRMSE_t``, see
    :func:`relative_root_mean_squared_error` for ``RRMSE_t`` and the role of
    ``y_train_mean`` (training means; the test means when None).

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
        True targets, ``NaN`` for missing labels (wide) or 1-D with ``tasks``
        (long).
    y_pred : array-like of the same shape as ``y_true``
        Predictions.
    tasks : array-like of shape (n_samples,), default=None
        Task id of every row for long targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    y_train_mean : dict or array-like of shape (n_tasks,), default=None
        Mean of each task's training targets (None: the test means).

    Returns
    -------
    loss : float
        Mean over tasks of the relative RMSE.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.metrics import average_relative_root_mean_squared_error
    >>> Y = np.array([[1.0, 0.0], [3.0, 2.0]])
    >>> P = np.array([[1.0, 0.0], [2.0, 2.0]])
    >>> float(average_relative_root_mean_squared_error(Y, P, y_train_mean=[1.0, 1.0]))
    0.25
    """
    return relative_root_mean_squared_error(
        y_true,
        y_pred,
        tasks=tasks,
        sample_weight=sample_weight,
        y_train_mean=y_train_mean,
        multioutput="uniform_average",
    )
