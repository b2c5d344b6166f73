"""Scorers for multi-task models, usable as ``scoring=`` in scikit-learn.

A scorer is called as ``scorer(estimator, X, y)`` with a fitted estimator. For
long data the scorer needs the task id of every row of ``X``.

**The task-column rule.** The task ids are the ones the final estimator sees:
``X`` is passed through every step of a :class:`~sklearn.pipeline.Pipeline` but
the last (once; the final estimator then predicts from that output), and the
task column is read from that output at the final estimator's fitted position
(``_task_col``, the resolved ``task_column``). So a ColumnTransformer that moves
or renames the task column is handled, as long as it passes the column through
(``remainder='passthrough'`` or an explicit ``'passthrough'`` transformer). A
final estimator whose ``task_column`` is None (or that has none) is scored as
wide data. A fitted search object (``best_estimator_``) is unwrapped first.

skmtl's scorer names are strings that :func:`get_scorer` understands, but
scikit-learn's ``GridSearchCV`` and ``cross_validate`` only accept their own
strings: pass ``get_scorer("neg_amse")`` (an object), not ``"neg_amse"``.
"""

import copy
import inspect
import numbers

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import get_scorer as _sk_get_scorer
from sklearn.metrics import get_scorer_names as _sk_get_scorer_names
from sklearn.pipeline import Pipeline

from ..utils import check_task_ids, resolve_task_column
from ._classification import (
    accuracy_score,
    balanced_accuracy_score,
    log_loss,
    roc_auc_score,
)
from ._regression import (
    averaged_mean_squared_error,
    explained_variance_score,
    mean_absolute_error,
    mean_squared_error,
    normalized_mean_squared_error,
    r2_score,
    relative_root_mean_squared_error,
    root_mean_squared_error,
)

__all__ = [
    "MultiTaskScorer",
    "get_scorer",
    "get_scorer_names",
    "make_multitask_scorer",
    "per_task_scorer",
    "predict_with_tasks",
]


def _unwrap(estimator):
    """Return (steps before the final estimator, final estimator).

    Pipelines are opened; a fitted search object gives its ``best_estimator_``
    and an unfitted one the estimator it tunes.
    """
    pre = []
    est = estimator
    while True:
        if isinstance(est, Pipeline):
            pre.extend(step for _, step in est.steps[:-1])
            est = est.steps[-1][1]
        elif hasattr(est, "best_estimator_"):
            est = est.best_estimator_
        elif all(hasattr(est, a) for a in ("estimator", "cv", "scoring")):
            est = est.estimator  # an unfitted search: look at what it tunes
        else:
            return pre, est


def _column(X, col):
    if hasattr(X, "iloc"):
        return X.iloc[:, col].to_numpy()
    if sp.issparse(X):
        return X.tocsc()[:, [col]].toarray().ravel()
    return np.asarray(X)[:, col]


def predict_with_tasks(estimator, X, response_method="predict"):
    """Predictions of a fitted estimator and the task id of every row of ``X``.

    Applies the task-column rule of :mod:`skmtl.metrics` (see the module
    docstring): for a Pipeline, ``X`` is transformed once by the steps before
    the final estimator, the task ids are read from the transformed ``X`` at the
    final estimator's task column, and the final estimator's response method is
    called on it.

    Parameters
    ----------
    estimator : fitted estimator or Pipeline
        The model to score.
    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
        Inputs, with the task column for long data.
    response_method : str or tuple of str, default='predict'
        Method to call (the first one the final estimator has).

    Returns
    -------
    y_pred : ndarray or list of ndarray
        Output of the response method.
    tasks : ndarray of shape (n_samples,) or None
        Task id of every row for long data, None for wide data.
    """
    pre, final = _unwrap(estimator)
    methods = (
        (response_method,) if isinstance(response_method, str) else response_method
    )
    method = next((m for m in methods if hasattr(final, m)), None)
    if method is None:
        raise AttributeError(
            f"{type(final).__name__} has none of the methods {list(methods)} this "
            "scorer needs."
        )
    task_column = getattr(final, "task_column", None)
    Xt = X
    for step in pre:
        if step is None or (isinstance(step, str) and step == "passthrough"):
            continue
        Xt = step.transform(Xt)
    tasks = None
    if task_column is not None:
        col = getattr(final, "_task_col", None)
        if col is None:
            col = resolve_task_column(task_column, Xt)
        tasks = check_task_ids(_column(Xt, col))
    return getattr(final, method)(Xt), tasks


def _accepts(func, name):
    try:
        return name in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


class MultiTaskScorer:
    """A scorer that scores each task on its own rows, then aggregates.

    Build one with :func:`make_multitask_scorer` or :func:`get_scorer`. Calling
    it as ``scorer(estimator, X, y, sample_weight=None)`` returns a float
    (greater is better: losses are negated), or, with ``aggregate='per_task'``,
    a dict ``{name: aggregate, name + "_task_<id>": per-task score}`` usable as
    multi-metric scoring (pick the refit metric by its key, e.g.
    ``refit="r2_tasks"``).

    Parameters
    ----------
    metric : callable
        ``metric(y_true, y_pred, *, tasks=None, sample_weight=None,
        multioutput=...)``.
    sign : {1, -1}
        ``-1`` for losses, so that greater is better.
    response_method : str or tuple of str
        Method of the estimator giving ``y_pred``.
    aggregate : {'uniform_average', 'sample_weighted', 'per_task'}, array-like \
            or None
        How to combine tasks; None keeps the metric's default.
    name : str
        Name (key of the aggregate in per-task dicts).
    kwargs : dict
        Extra keyword arguments of ``metric``.
    """

    def __init__(self, metric, sign, response_method, aggregate, name, kwargs):
        self._metric = metric
        self._sign = sign
        self._response_method = response_method
        self._aggregate = aggregate
        self.name = name
        self._kwargs = kwargs

    @property
    def greater_is_better(self):
        """Whether the underlying metric is a score (True) or a loss."""
        return self._sign > 0

    def __repr__(self):
        agg = "" if self._aggregate is None else f", aggregate={self._aggregate!r}"
        return (
            f"make_multitask_scorer({self._metric.__name__}"
            f"{'' if self._sign > 0 else ', greater_is_better=False'}"
            f", response_method={self._response_method!r}{agg})"
        )

    def _metric_kwargs(self, estimator, extra):
        kwargs = dict(self._kwargs)
        if _accepts(self._metric, "labels") and "labels" not in kwargs:
            _, final = _unwrap(estimator)
            classes = getattr(final, "classes_", None)
            tasks = getattr(final, "tasks_", None)
            if isinstance(classes, list) and tasks is not None:
                # by task id: a test fold may hold only some of the tasks
                kwargs["labels"] = {
                    _key(t): c for t, c in zip(tasks, classes, strict=True)
                }
            elif classes is not None:
                kwargs["labels"] = classes
        for key, value in extra.items():
            if _accepts(self._metric, key):
                kwargs[key] = value
        return kwargs

    def score_tasks(self, estimator, X, y_true, sample_weight=None, **metric_kwargs):
        """Signed per-task scores (greater is better).

        Parameters
        ----------
        estimator : fitted estimator
            The model to score.
        X : {array-like, sparse matrix, DataFrame}
            Test inputs (with the task column for long data).
        y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
            Test targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights.
        **metric_kwargs : dict
            Extra arguments passed to the metric when it accepts them (e.g.
            ``y_train_mean``); others are ignored.

        Returns
        -------
        task_ids : ndarray of shape (n_tasks,)
            Tasks scored (those with rows in ``X``; all columns for wide data).
        scores : ndarray of shape (n_tasks,)
            Signed per-task scores (``NaN`` for a task with no label).
        """
        y_pred, tasks = predict_with_tasks(estimator, X, self._response_method)
        kwargs = self._metric_kwargs(estimator, metric_kwargs)
        values = self._metric(
            y_true,
            y_pred,
            tasks=tasks,
            sample_weight=sample_weight,
            multioutput="raw_values",
            **kwargs,
        )
        if tasks is not None:
            task_ids = np.unique(tasks)
        else:
            y_arr = np.asarray(y_true)
            task_ids = np.arange(y_arr.shape[1] if y_arr.ndim == 2 else 1)
        return task_ids, self._sign * np.asarray(values, dtype=float)

    def __call__(self, estimator, X, y_true, sample_weight=None, **metric_kwargs):
        """Score ``estimator`` on ``(X, y_true)``.

        Parameters
        ----------
        estimator : fitted estimator
            The model to score.
        X : {array-like, sparse matrix, DataFrame}
            Test inputs (with the task column for long data).
        y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
            Test targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights.
        **metric_kwargs : dict
            Extra arguments for the metric when it accepts them.

        Returns
        -------
        score : float or dict
            The aggregated score (greater is better), or a dict of scores for
            ``aggregate='per_task'``.
        """
        if isinstance(self._aggregate, str) and self._aggregate == "per_task":
            return self._per_task_dict(
                estimator, X, y_true, sample_weight, metric_kwargs
            )
        y_pred, tasks = predict_with_tasks(estimator, X, self._response_method)
        kwargs = self._metric_kwargs(estimator, metric_kwargs)
        if self._aggregate is not None:
            kwargs["multioutput"] = self._aggregate
        value = self._metric(
            y_true, y_pred, tasks=tasks, sample_weight=sample_weight, **kwargs
        )
        return self._sign * float(value)

    def _per_task_dict(self, estimator, X, y_true, sample_weight, metric_kwargs):
        task_ids, values = self.score_tasks(
            estimator, X, y_true, sample_weight, **metric_kwargs
        )
        _, final = _unwrap(estimator)
        known = getattr(final, "tasks_", None)
        known = task_ids if known is None else np.asarray(known)
        lookup = {_key(t): v for t, v in zip(task_ids, values, strict=True)}
        out = {}
        finite = values[~np.isnan(values)]
        out[self.name] = float(np.mean(finite)) if finite.size else float("nan")
        for t in known:
            out[f"{self.name}_task_{_key(t)}"] = float(lookup.get(_key(t), np.nan))
        return out


def _key(t):
    return t.item() if hasattr(t, "item") else t


_AGGREGATES = ("uniform_average", "sample_weighted", "per_task")


def make_multitask_scorer(
    metric,
    *,
    aggregate=None,
    greater_is_better=True,
    response_method="predict",
    name=None,
    **kwargs,
):
    """Make a task-aware scorer from a per-task metric.

    Parameters
    ----------
    metric : callable
        ``metric(y_true, y_pred, *, tasks=None, sample_weight=None,
        multioutput=...)``, e.g. one of :mod:`skmtl.metrics`.
    aggregate : {'uniform_average', 'sample_weighted', 'per_task'} or \
            array-like of shape (n_tasks,), default=None
        How the per-task values are combined: the mean over tasks, the mean
        weighted by the tasks' numbers of labelled test rows, fixed task
        weights, or ``'per_task'`` for a dict of every task's score plus the
        uniform average (multi-metric scoring). None keeps the metric's default
        ``multioutput``.
    greater_is_better : bool, default=True
        False for losses: the scorer then returns the negated loss.
    response_method : str or tuple of str, default='predict'
        The estimator method giving the metric's second argument, e.g.
        ``'predict_proba'``; with a tuple, the first one available.
    name : str, default=None
        Name of the scorer (the aggregate's key for ``'per_task'``); default
        the metric's name.
    **kwargs : dict
        Extra keyword arguments passed to ``metric``.

    Returns
    -------
    scorer : MultiTaskScorer
        Callable ``scorer(estimator, X, y, sample_weight=None)``.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import PerTaskRidge
    >>> from skmtl.metrics import make_multitask_scorer, mean_absolute_error
    >>> X, Y = make_multitask_regression(60, 4, 3, random_state=0)
    >>> scorer = make_multitask_scorer(mean_absolute_error, greater_is_better=False)
    >>> search = GridSearchCV(PerTaskRidge(), {"alpha": [0.1, 1.0]}, scoring=scorer)
    >>> search.fit(X, Y).best_params_
    {'alpha': 0.1}
    """
    if not callable(metric):
        raise TypeError(f"metric must be callable; got {metric!r}.")
    if isinstance(aggregate, str) and aggregate not in _AGGREGATES:
        raise ValueError(f"aggregate={aggregate!r} is not one of {_AGGREGATES}.")
    if isinstance(aggregate, numbers.Number):
        raise ValueError("aggregate must be a string, None or an array of weights.")
    sign = 1 if greater_is_better else -1
    name = name or getattr(metric, "__name__", "score")
    return MultiTaskScorer(metric, sign, response_method, aggregate, name, kwargs)


_PROBA = ("predict_proba", "decision_function")

#: name -> (metric, greater_is_better, response_method)
_SCORER_SPECS = {
    "r2_tasks": (r2_score, True, "predict"),
    "explained_variance_tasks": (explained_variance_score, True, "predict"),
    "neg_mse_tasks": (mean_squared_error, False, "predict"),
    "neg_rmse_tasks": (root_mean_squared_error, False, "predict"),
    "neg_mae_tasks": (mean_absolute_error, False, "predict"),
    "neg_nmse": (normalized_mean_squared_error, False, "predict"),
    "neg_amse": (averaged_mean_squared_error, False, "predict"),
    "neg_arrmse": (relative_root_mean_squared_error, False, "predict"),
    "accuracy_tasks": (accuracy_score, True, "predict"),
    "balanced_accuracy_tasks": (balanced_accuracy_score, True, "predict"),
    "roc_auc_tasks": (roc_auc_score, True, _PROBA),
    "neg_log_loss_tasks": (log_loss, False, "predict_proba"),
}


def get_scorer_names():
    """Names of skmtl's task-aware scorers.

    ``*_tasks`` scorers average the per-task scores uniformly over tasks;
    ``neg_nmse`` and ``neg_amse`` (MALSAR) weight tasks by their numbers of test
    labels; ``neg_arrmse`` is the uniform average of the per-task relative RMSE
    (relative to the test mean, as a scorer does not see the training targets;
    :func:`skmtl.model_selection.cross_validate_tasks` passes the training
    means). scikit-learn's own names are accepted by :func:`get_scorer` too
    (see :func:`sklearn.metrics.get_scorer_names`).

    Returns
    -------
    names : list of str
        Sorted scorer names.

    Examples
    --------
    >>> from skmtl.metrics import get_scorer_names
    >>> "neg_amse" in get_scorer_names()
    True
    """
    return sorted(_SCORER_SPECS)


def get_scorer(scoring):
    """A scorer from its name: skmtl's names first, then scikit-learn's.

    Parameters
    ----------
    scoring : str or callable
        One of :func:`get_scorer_names`, a scikit-learn scorer name, or a
        callable (returned as is).

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)``. skmtl's scorers are
        :class:`MultiTaskScorer` objects and read the task column for long
        data; scikit-learn's scorers know nothing about tasks (they see the
        long ``y`` as one target and wide ``y`` with ``NaN`` fails).

    Examples
    --------
    >>> from skmtl.metrics import get_scorer
    >>> get_scorer("neg_amse")
    make_multitask_scorer(averaged_mean_squared_error, greater_is_better=False, \
response_method='predict')
    """
    if callable(scoring):
        return scoring
    if not isinstance(scoring, str):
        raise TypeError(f"scoring must be a string or a callable; got {scoring!r}.")
    if scoring in _SCORER_SPECS:
        metric, gib, method = _SCORER_SPECS[scoring]
        return make_multitask_scorer(
            metric, greater_is_better=gib, response_method=method, name=scoring
        )
    if scoring in _sk_get_scorer_names():
        return _sk_get_scorer(scoring)
    raise ValueError(
        f"{scoring!r} is not a valid scoring value. skmtl's task-aware scorers are "
        f"{get_scorer_names()}; scikit-learn's names (sklearn.metrics."
        "get_scorer_names()) are accepted too."
    )


def per_task_scorer(scoring):
    """The per-task version of a skmtl scorer: a dict of every task's score.

    The dict holds the uniform average under the scorer's name and each task's
    score under ``"<name>_task_<task id>"`` (every task the estimator was
    fitted on; ``NaN`` for a task without test rows). Use it as
    ``scoring=`` of ``GridSearchCV`` / ``cross_validate`` with ``refit=<name>``.

    Parameters
    ----------
    scoring : str or MultiTaskScorer
        A name from :func:`get_scorer_names` or a skmtl scorer.

    Returns
    -------
    scorer : MultiTaskScorer
        Returns a dict when called.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import PerTaskRidge
    >>> from skmtl.metrics import per_task_scorer
    >>> X, Y = make_multitask_regression(50, 3, 2, random_state=0)
    >>> sorted(per_task_scorer("r2_tasks")(PerTaskRidge().fit(X, Y), X, Y))
    ['r2_tasks', 'r2_tasks_task_0', 'r2_tasks_task_1']
    """
    scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
    if not isinstance(scorer, MultiTaskScorer):
        raise TypeError(
            "per_task_scorer needs a skmtl scorer (a name from skmtl.metrics."
            f"get_scorer_names() or make_multitask_scorer); got {scoring!r}."
        )
    out = copy.copy(scorer)
    out._aggregate = "per_task"
    return out
