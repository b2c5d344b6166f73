"""Cross-validation that keeps every task's score."""

import numbers
import time
import warnings

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.utils import Bunch, _safe_indexing

from ..metrics import get_scorer, task_means
from ..metrics._scorer import MultiTaskScorer, _accepts, _column, _unwrap
from ..utils import check_task_ids, resolve_task_column
from ._split import MaskedStratifiedKFold, TaskStratifiedKFold

__all__ = ["cross_validate_tasks"]

_NAN_CAUSES = (
    "the metric is undefined on the test rows (e.g. ROC AUC with one class "
    "per task, R^2 on a single row) or the model predicts NaN; see the "
    "warnings above, and check the folds (cv) and the model"
)


def _check_scores(scores, estimator):
    """No search or comparison goes on from scores that are all NaN.

    A scorer that is NaN on every fold and task is an error; one that is NaN
    on every task of some folds warns (those folds count for nothing).
    """
    model = type(_unwrap(estimator)[1]).__name__
    for name, arr in scores.items():
        nan = np.isnan(arr)
        if nan.all():
            raise ValueError(
                f"Every score of {name!r} for {model} is NaN ({arr.shape[0]} "
                f"folds x {arr.shape[1]} tasks): {_NAN_CAUSES}."
            )
        dead = np.flatnonzero(nan.all(axis=1))
        if dead.size:
            warnings.warn(
                f"The scores of {name!r} for {model} are NaN for every task in "
                f"fold(s) {dead.tolist()} of {arr.shape[0]}: {_NAN_CAUSES}.",
                UndefinedMetricWarning,
                stacklevel=3,
            )


def _check_scorers(scoring):
    """``{name: MultiTaskScorer}`` from a name, a scorer, a list or a dict."""
    if scoring is None:
        scoring = "r2_tasks"
    if isinstance(scoring, str | MultiTaskScorer):
        scoring = [scoring]
    if isinstance(scoring, list | tuple):
        items = []
        for s in scoring:
            name = s if isinstance(s, str) else getattr(s, "name", None)
            items.append((name, s))
    elif isinstance(scoring, dict):
        items = list(scoring.items())
    else:
        raise TypeError(
            "scoring must be a skmtl scorer name, a MultiTaskScorer, or a list or "
            f"dict of them; got {scoring!r}."
        )
    out = {}
    for name, s in items:
        scorer = get_scorer(s) if isinstance(s, str) else s
        if not isinstance(scorer, MultiTaskScorer):
            raise TypeError(
                f"Scorer {name!r} is not task-aware, so it cannot give per-task "
                "scores: use a name from skmtl.metrics.get_scorer_names() or "
                "skmtl.metrics.make_multitask_scorer."
            )
        out[name] = scorer
    return out


def _raw_task_ids(estimator, X, task_column):
    """Task ids read from the raw ``X`` (None for wide data)."""
    if task_column is None:
        _, final = _unwrap(estimator)
        task_column = getattr(final, "task_column", None)
    if task_column is None:
        return None
    col = resolve_task_column(task_column, X)
    return check_task_ids(_column(X, col))


def _resolve_splits(estimator, X, y, cv, groups, task_column):
    """The list of (train, test) index pairs, made once."""
    if cv is None:
        cv = 5
    int_cv = isinstance(cv, numbers.Integral) and not isinstance(cv, bool)
    try:
        ids = _raw_task_ids(estimator, X, task_column)
    except ValueError as exc:
        if task_column is not None or int_cv:
            raise ValueError(
                "Could not read the task ids from X to make the folds: "
                f"{exc} If a Pipeline moves the task column, pass "
                "task_column= (its position or name in the raw X) or a CV "
                "splitter that reads it (e.g. TaskStratifiedKFold(task_column=...))."
            ) from exc
        ids = None  # the splitter finds the tasks itself
    if int_cv:
        if ids is None:
            cv = MaskedStratifiedKFold(cv)
        else:
            cv = TaskStratifiedKFold(cv)
    if groups is None:
        groups = ids
    if hasattr(cv, "split"):
        return list(cv.split(X, y, groups))
    return [(np.asarray(tr), np.asarray(te)) for tr, te in cv]


def _tasks_seen(estimator, X):
    """Task ids of ``X`` as the fitted final estimator sees them."""
    pre, final = _unwrap(estimator)
    if getattr(final, "task_column", None) is None:
        return None
    Xt = X
    for step in pre:
        if step is None or (isinstance(step, str) and step == "passthrough"):
            continue
        Xt = step.transform(Xt)
    col = getattr(final, "_task_col", None)
    if col is None:
        col = resolve_task_column(final.task_column, Xt)
    return check_task_ids(_column(Xt, col))


def _fit_and_score(
    estimator, X, y, train, test, scorers, return_estimator, error_score
):
    y = np.asarray(y)
    X_train, X_test = _safe_indexing(X, train), _safe_indexing(X, test)
    y_train, y_test = y[train], y[test]
    start = time.perf_counter()
    try:
        est = clone(estimator).fit(X_train, y_train)
    except Exception as exc:
        if isinstance(error_score, str):  # 'raise'
            raise
        error = f"{type(exc).__name__}: {exc}"
        return None, time.perf_counter() - start, 0.0, None, error
    fit_time = time.perf_counter() - start
    start = time.perf_counter()
    extra = {}
    if any(_accepts(s._metric, "y_train_mean") for s in scorers.values()):
        extra["y_train_mean"] = task_means(y_train, tasks=_tasks_seen(est, X_train))
    scores = {
        name: scorer.score_tasks(est, X_test, y_test, **extra)
        for name, scorer in scorers.items()
    }
    score_time = time.perf_counter() - start
    return scores, fit_time, score_time, (est if return_estimator else None), None


def _task_key(t):
    return t.item() if hasattr(t, "item") else t


def cross_validate_tasks(
    estimator,
    X,
    y,
    *,
    cv=5,
    scoring="r2_tasks",
    groups=None,
    task_column=None,
    n_jobs=None,
    return_estimator=False,
):
    """Cross-validate a multi-task model and keep every task's score per fold.

    Each fold fits a clone of ``estimator`` on the training rows and scores
    every task on its own test rows. Scores follow scikit-learn's convention
    (greater is better: ``neg_*`` scorers give negated losses). Metrics that
    accept ``y_train_mean`` (``neg_arrmse``) get each task's mean over the
    fold's **training** rows, as the relative RMSE of the multi-target
    literature requires. A scorer that is ``NaN`` on every fold and task is a
    ``ValueError`` (nothing could be compared), one that is ``NaN`` on every
    task of some folds an ``UndefinedMetricWarning``.

    Parameters
    ----------
    estimator : estimator or Pipeline
        A skmtl model (or a Pipeline ending in one).
    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
        Inputs, with the task column for long data.
    y : array-like of shape (n_samples, n_tasks) or (n_samples,)
        Wide targets with ``NaN`` for missing labels, or long targets.
    cv : int, CV splitter or iterable of (train, test), default=5
        An integer gives :class:`TaskStratifiedKFold` (long data) or
        :class:`MaskedStratifiedKFold` (wide data), so every task is in every
        training fold.
    scoring : str, MultiTaskScorer, list or dict, default='r2_tasks'
        skmtl scorer(s): names from :func:`skmtl.metrics.get_scorer_names` or
        :func:`skmtl.metrics.make_multitask_scorer` objects.
    groups : array-like of shape (n_samples,), default=None
        Passed to ``cv.split``; by default the task ids (long data).
    task_column : int, str or None, default=None
        Where the task ids are in the raw ``X``, for the splitter. Default:
        the final estimator's ``task_column`` read from the raw ``X`` (give it
        when a Pipeline moves the task column). The scores themselves read
        the task ids as the final estimator sees them (the rule of
        :mod:`skmtl.metrics`).
    n_jobs : int, default=None
        Number of folds run in parallel (joblib).
    return_estimator : bool, default=False
        Whether to keep the fitted estimator of every fold.

    Returns
    -------
    result : Bunch
        ``scores``: dict ``{name: ndarray of shape (n_folds, n_tasks)}`` (``NaN``
        where a task has no test label in a fold); ``tasks``: ndarray of the
        task ids (columns of the arrays); ``fit_time``, ``score_time``:
        ndarray of shape (n_folds,); ``splits``: the (train, test) indices;
        ``frame``: a long pandas DataFrame with columns fold, task, metric,
        value (None without pandas); ``estimator``: the fitted estimators when
        ``return_estimator=True``.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import PerTaskRidge
    >>> from skmtl.model_selection import cross_validate_tasks
    >>> X, Y = make_multitask_regression(90, 5, 3, missing_labels=0.2, random_state=0)
    >>> res = cross_validate_tasks(PerTaskRidge(), X, Y, cv=3,
    ...                            scoring=["r2_tasks", "neg_mse_tasks"])
    >>> res.scores["r2_tasks"].shape
    (3, 3)
    >>> sorted(res.frame.columns)
    ['fold', 'metric', 'task', 'value']
    """
    scorers = _check_scorers(scoring)
    splits = _resolve_splits(estimator, X, y, cv, groups, task_column)
    result = _run_folds(estimator, X, y, splits, scorers, n_jobs, return_estimator)
    _check_scores(result.scores, estimator)
    del result["fit_error"]  # always None: errors are raised
    result["frame"] = _to_frame(result.scores, result.tasks)
    if not return_estimator:
        del result["estimator"]
    return result


def _run_folds(
    estimator, X, y, splits, scorers, n_jobs, return_estimator, error_score="raise"
):
    """Fit and score a clone of ``estimator`` on every (train, test) split.

    The one fold loop (:func:`cross_validate_tasks`,
    :class:`~skmtl.meta.MultiTaskAutoRegressor`). A fit that raises is
    re-raised with ``error_score='raise'``; with a number, the fold's scores
    are that number for every task and ``fit_error[fold]`` holds the
    exception as ``'Type: message'`` (None for the folds that fitted).
    Returns a Bunch with ``scores`` ``{name: (n_folds, n_tasks)}``, ``tasks``,
    ``fit_time``, ``score_time``, ``splits``, ``fit_error`` and ``estimator``.
    """
    out = Parallel(n_jobs=n_jobs)(
        delayed(_fit_and_score)(
            estimator, X, y, tr, te, scorers, return_estimator, error_score
        )
        for tr, te in splits
    )
    fitted = [o for o in out if o[4] is None]
    all_ids = [ids for fold, *_ in fitted for ids, _ in fold.values()]
    tasks = np.unique(np.concatenate(all_ids)) if all_ids else np.array([])
    position = {_task_key(t): k for k, t in enumerate(tasks)}
    scores = {}
    for name in scorers:
        arr = np.full((len(splits), len(tasks)), np.nan)
        for f, (fold, *_, error) in enumerate(out):
            if error is not None:
                arr[f] = error_score
                continue
            ids, values = fold[name]
            cols = [position[_task_key(t)] for t in ids]
            arr[f, cols] = values
        scores[name] = arr
    return Bunch(
        scores=scores,
        tasks=tasks,
        fit_time=np.array([o[1] for o in out]),
        score_time=np.array([o[2] for o in out]),
        splits=splits,
        fit_error=[o[4] for o in out],
        estimator=[o[3] for o in out],
    )


def _to_frame(scores, tasks):
    try:
        import pandas as pd
    except ImportError:
        return None
    rows = []
    for name, arr in scores.items():
        n_folds, n_tasks = arr.shape
        rows.append(
            pd.DataFrame(
                {
                    "fold": np.repeat(np.arange(n_folds), n_tasks),
                    "task": np.tile(tasks, n_folds),
                    "metric": name,
                    "value": arr.ravel(),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)
