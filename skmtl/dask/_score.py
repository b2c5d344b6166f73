"""``score`` on dask collections: per-task R^2 from per-block partial sums."""

import numpy as np

from ..base import linear_predict
from ..metrics._base import aggregate_tasks
from ..utils._validation import check_task_ids, task_codes_for
from ._statistics import _read_block, _Source, _tree_sum

__all__ = ["score_dask"]


def _moments(codes, y, pred, w, n_tasks):
    """Per-task ``(weight, mean, M2, sse)`` of one block's labelled cells."""
    ok = ~np.isnan(y)
    w = np.where(ok, w, 0.0)
    y0 = np.where(ok, y, 0.0)
    W = np.bincount(codes, weights=w, minlength=n_tasks)
    safe = np.where(W > 0, W, 1.0)
    mean = np.bincount(codes, weights=w * y0, minlength=n_tasks) / safe
    M2 = np.bincount(codes, weights=w * (y0 - mean[codes]) ** 2, minlength=n_tasks)
    sse = np.bincount(codes, weights=w * (y0 - pred) ** 2, minlength=n_tasks)
    return {"W": W, "mean": mean, "M2": M2, "sse": sse}


def _score_block(Xb, yb, sb, spec):
    X, ids, y, s = _read_block(Xb, yb, sb, spec["col"], spec["names"])
    X = np.asarray(X, dtype=np.float64)
    coef, intercept = spec["coef"], spec["intercept"]
    T = len(coef)
    w = np.ones(len(X)) if s is None else s
    if ids is None:  # wide: every task on every row, as flat (row, task) cells
        P = linear_predict(X, None, coef, intercept)
        codes = np.tile(np.arange(T), len(X))
        return _moments(codes, y.ravel(), P.ravel(), np.repeat(w, T), T)
    codes = task_codes_for(spec["tasks"], check_task_ids(ids))
    return _moments(codes, y, linear_predict(X, codes, coef, intercept), w, T)


def _combine(*parts):
    """Chan et al.'s pairwise update of weights, means and squared deviations."""
    out = dict(parts[0])
    for p in parts[1:]:
        W = out["W"] + p["W"]
        safe = np.where(W > 0, W, 1.0)
        delta = p["mean"] - out["mean"]
        mean = out["mean"] + delta * p["W"] / safe
        M2 = out["M2"] + p["M2"] + delta**2 * out["W"] * p["W"] / safe
        out = {"W": W, "mean": mean, "M2": M2, "sse": out["sse"] + p["sse"]}
    return out


def score_dask(estimator, X, y, sample_weight=None):
    """R^2 of a fitted linear model on dask data, averaged over tasks.

    The same score as ``estimator.score`` on the same data in memory (each
    task's R^2 on its labelled rows, tasks without one left out of the
    mean), from per-task sums computed block by block: the predictions
    never leave the workers.

    Parameters
    ----------
    estimator : fitted linear regressor
        With ``coef_`` and ``intercept_``.
    X : dask Array or dask DataFrame of shape (n_samples, n_columns)
        Inputs, with the task column for models fitted on long data.
    y : dask Array, Series or DataFrame
        True targets, in the layout the model was fitted on.
    sample_weight : dask Array or Series, default=None
        Row weights.

    Returns
    -------
    score : float
        Mean over tasks of the per-task R^2.
    """
    if not hasattr(estimator, "coef_"):
        raise TypeError(
            f"score on dask input needs a linear model with coef_; for "
            f"{type(estimator).__name__} compute the lazy predictions "
            "(estimator.predict(X)) and score them with skmtl.metrics on an "
            "in-memory sample."
        )
    task_column = estimator.task_column
    src = _Source(X, y, sample_weight, task_column)
    if src.long is False and src.n_tasks_wide != estimator.n_tasks_:
        raise ValueError(
            f"y has {src.n_tasks_wide} columns, but {type(estimator).__name__} was "
            f"fitted on {estimator.n_tasks_} tasks."
        )
    dask = src.dask
    spec = {
        "col": None if src.frame else src.col,
        "names": src.names,
        "tasks": estimator.tasks_,
        "coef": estimator.coef_,
        "intercept": estimator.intercept_,
    }
    spec = dask.delayed(spec, pure=True)
    parts = [
        dask.delayed(_score_block, pure=True)(Xb, yb, sb, spec)
        for Xb, yb, sb in src.parts
    ]
    (m,) = dask.compute(_tree_sum(dask, parts, _combine))
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(m["M2"] > 0, 1.0 - m["sse"] / m["M2"], 0.0)
    r2 = np.where((m["M2"] <= 0) & (m["sse"] == 0), 1.0, r2)
    r2 = np.where(m["W"] > 0, r2, np.nan)
    return float(aggregate_tasks(r2, "uniform_average", m["W"]))
