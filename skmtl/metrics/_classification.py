"""Per-task classification metrics that ignore missing labels.

Same conventions as the regression metrics: wide targets (n_samples, n_tasks)
with ``NaN`` (or ``None``) for missing labels, or long 1-D targets with
``tasks``. Label metrics take predicted labels of the same shape as ``y_true``.
Probability metrics (:func:`roc_auc_score`, :func:`log_loss`) take ``y_score``
in one of these forms:

* wide data: a list with one array per task, each of shape (n_samples,)
  (positive-class probability or decision value of a binary task) or
  (n_samples, n_classes) (``predict_proba`` of that task, the output of
  :class:`~sklearn.multioutput.MultiOutputClassifier`), or a 2-D array of shape
  (n_samples, n_tasks) of positive-class probabilities of binary tasks;
* long data: an array of shape (n_samples,) (positive-class probabilities of
  binary tasks) or (n_samples, n_classes) (class probabilities, columns in the
  order of ``labels``).
"""

import warnings

import numpy as np
from sklearn import metrics as skm
from sklearn.exceptions import UndefinedMetricWarning

from ._base import aggregate_tasks

__all__ = [
    "accuracy_score",
    "balanced_accuracy_score",
    "log_loss",
    "roc_auc_score",
]


def _missing(values):
    values = np.asarray(values)
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype == object:
        return np.array(
            [v is None or (isinstance(v, float) and np.isnan(v)) for v in values],
            dtype=bool,
        )
    return np.zeros(values.shape, dtype=bool)


def _check_common(y_true, tasks, sample_weight):
    y_true = np.asarray(y_true)
    if y_true.ndim not in (1, 2):
        raise ValueError(f"y_true must be 1-D or 2-D; got shape {y_true.shape}.")
    n = y_true.shape[0]
    if n == 0:
        raise ValueError("y_true is empty: there is nothing to score.")
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    if w.shape != (n,):
        raise ValueError(
            f"sample_weight has shape {w.shape}; expected ({n},) to match y_true."
        )
    if tasks is not None:
        if y_true.ndim != 1:
            raise ValueError(
                "tasks is for long (1-D) targets; wide targets carry one task per "
                "column."
            )
        tasks = np.asarray(tasks)
        if tasks.shape != (n,):
            raise ValueError(
                f"tasks has shape {tasks.shape}; expected ({n},), one id per row."
            )
    return y_true, w, tasks


def _task_rows(y_true, tasks):
    """(task_ids, list of (row index, column or None)) for every task."""
    if tasks is not None:
        task_ids, codes = np.unique(tasks, return_inverse=True)
        return task_ids, [
            (np.flatnonzero(codes == k), None) for k in range(len(task_ids))
        ]
    n = y_true.shape[0]
    if y_true.ndim == 1:
        return np.array([0]), [(np.arange(n), None)]
    T = y_true.shape[1]
    return np.arange(T), [(np.arange(n), t) for t in range(T)]


def _split_labels(y_true, y_pred, tasks, sample_weight):
    y_true, w, tasks = _check_common(y_true, tasks, sample_weight)
    y_pred = np.asarray(y_pred)
    if y_pred.shape != y_true.shape:
        raise ValueError(
            f"y_true and y_pred have different shapes: {y_true.shape} and "
            f"{y_pred.shape}."
        )
    task_ids, rows = _task_rows(y_true, tasks)
    parts = []
    for idx, col in rows:
        yt = y_true[idx] if col is None else y_true[idx, col]
        yp = y_pred[idx] if col is None else y_pred[idx, col]
        keep = ~_missing(yt)
        parts.append((yt[keep], yp[keep], w[idx][keep]))
    return task_ids, parts


def _split_scores(y_true, y_score, tasks, sample_weight):
    y_true, w, tasks = _check_common(y_true, tasks, sample_weight)
    n = y_true.shape[0]
    task_ids, rows = _task_rows(y_true, tasks)
    wide = y_true.ndim == 2
    if isinstance(y_score, list | tuple) and wide:
        if len(y_score) != len(task_ids):
            raise ValueError(
                f"y_score is a list of {len(y_score)} arrays but y_true has "
                f"{len(task_ids)} tasks: give one array per task."
            )
        per_task = [np.asarray(s, dtype=float) for s in y_score]
    else:
        y_score = np.asarray(y_score, dtype=float)
        if wide:
            if y_score.shape != y_true.shape:
                raise ValueError(
                    f"y_score has shape {y_score.shape}; for wide targets of shape "
                    f"{y_true.shape} give positive-class probabilities of the same "
                    "shape, or a list with one (n_samples, n_classes) array per task."
                )
            per_task = [y_score[:, t] for t in range(y_true.shape[1])]
        else:
            if y_score.ndim not in (1, 2) or y_score.shape[0] != n:
                raise ValueError(
                    f"y_score has shape {y_score.shape}; expected ({n},) or "
                    f"({n}, n_classes)."
                )
            per_task = None
    parts = []
    for k, (idx, col) in enumerate(rows):
        yt = y_true[idx] if col is None else y_true[idx, col]
        s = y_score[idx] if per_task is None else per_task[k]
        if s.shape[0] != n and per_task is not None:
            raise ValueError(
                f"The scores of task {task_ids[k]} have {s.shape[0]} rows; expected "
                f"{n}."
            )
        if per_task is not None:
            s = s[idx]
        keep = ~_missing(yt)
        s = s[keep]
        if not np.all(np.isfinite(s)):
            raise ValueError(
                f"y_score for task {task_ids[k]} contains NaN or inf where a label "
                "exists."
            )
        parts.append((yt[keep], s, w[idx][keep]))
    return task_ids, parts


def _task_labels(labels, task_ids):
    """Per-task class lists (None where unknown)."""
    if labels is None:
        return [None] * len(task_ids)
    if isinstance(labels, dict):
        out = []
        for tid in task_ids:
            key = tid.item() if hasattr(tid, "item") else tid
            if key not in labels:
                raise ValueError(f"labels has no entry for task {key!r}.")
            out.append(np.asarray(labels[key]))
        return out
    if isinstance(labels, list | tuple) and len(labels) and np.ndim(labels[0]) > 0:
        if len(labels) != len(task_ids):
            raise ValueError(
                f"labels gives the classes of {len(labels)} tasks; expected "
                f"{len(task_ids)} (one array of classes per task)."
            )
        return [np.asarray(lab) for lab in labels]
    shared = np.asarray(labels)
    return [shared] * len(task_ids)


def _aggregate(task_ids, parts, values, multioutput):
    sizes = np.array([w.sum() for _, _, w in parts])
    return aggregate_tasks(values, multioutput, sizes)


def accuracy_score(
    y_true, y_pred, *, tasks=None, sample_weight=None, multioutput="uniform_average"
):
    """Accuracy of each task, ignoring missing labels.

    ``acc_t = sum_i w_i [y_i = yhat_i] / sum_i w_i`` over task ``t``'s labelled
    rows. ``multioutput='sample_weighted'`` gives the accuracy pooled over all
    labels (MALSAR's ``eval_MTL_accuracy``).

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
        True labels, ``NaN`` or ``None`` for missing labels (wide) or 1-D with
        ``tasks`` (long).
    y_pred : array-like of the same shape as ``y_true``
        Predicted labels.
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
        Aggregated (or per-task) accuracy.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.metrics import accuracy_score
    >>> Y = np.array([[1, 0], [0, np.nan], [1, 1], [0, 0]])
    >>> P = np.array([[1, 1], [1, 1], [1, 1], [0, 0]])
    >>> accuracy_score(Y, P, multioutput="raw_values")
    array([0.75      , 0.66666667])
    """
    task_ids, parts = _split_labels(y_true, y_pred, tasks, sample_weight)
    values = [
        np.average(yt == yp, weights=w) if w.sum() > 0 else np.nan
        for yt, yp, w in parts
    ]
    return _aggregate(task_ids, parts, values, multioutput)


def balanced_accuracy_score(
    y_true, y_pred, *, tasks=None, sample_weight=None, multioutput="uniform_average"
):
    """Balanced accuracy of each task, ignoring missing labels.

    The mean over the task's classes of the recall of that class, as
    :func:`sklearn.metrics.balanced_accuracy_score` (``adjusted=False``).

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
        True labels, ``NaN`` or ``None`` for missing labels (wide) or 1-D with
        ``tasks`` (long).
    y_pred : array-like of the same shape as ``y_true``
        Predicted labels.
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
        Aggregated (or per-task) balanced accuracy.

    Examples
    --------
    >>> from skmtl.metrics import balanced_accuracy_score
    >>> balanced_accuracy_score([0, 0, 0, 1], [0, 0, 0, 0])
    0.5
    """
    task_ids, parts = _split_labels(y_true, y_pred, tasks, sample_weight)
    values = []
    for yt, yp, w in parts:
        if w.sum() <= 0:
            values.append(np.nan)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            values.append(skm.balanced_accuracy_score(yt, yp, sample_weight=w))
    return _aggregate(task_ids, parts, values, multioutput)


def _positive(yt, classes):
    """Binary indicator of the positive class (the larger of two classes)."""
    if classes is None:
        classes = np.unique(yt)
    if len(classes) != 2:
        return None
    return (yt == classes[1]).astype(float)


def roc_auc_score(
    y_true,
    y_score,
    *,
    tasks=None,
    sample_weight=None,
    labels=None,
    multioutput="uniform_average",
):
    """Area under the ROC curve of each task, ignoring missing labels.

    For a binary task the positive class is the larger of its two labels (the
    second of ``labels``), as in scikit-learn; ``y_score`` holds its
    probability or decision value. For a task with more classes, ``y_score``
    holds the (n_samples, n_classes) probabilities and the one-vs-rest macro
    AUC is used (:func:`sklearn.metrics.roc_auc_score` with
    ``multi_class='ovr'``). A task whose scored labels hold a single class has
    no AUC: it gets ``NaN`` (with an ``UndefinedMetricWarning``) and is left
    out of the averages.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
        True labels, ``NaN`` or ``None`` for missing labels (wide) or 1-D with
        ``tasks`` (long).
    y_score : list of array-like or array-like
        Scores; see the module docstring for the accepted forms.
    tasks : array-like of shape (n_samples,), default=None
        Task id of every row for long targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    labels : array-like, list of array-like or dict, default=None
        Classes matching the columns of 2-D scores: one array shared by all
        tasks, one array per task, or ``{task id: classes}``. Default: the
        sorted labels present in the task's ``y_true``.
    multioutput : {'raw_values', 'uniform_average', 'sample_weighted'} or \
            array-like of shape (n_tasks,), default='uniform_average'
        How to combine the tasks' scores.

    Returns
    -------
    score : float or ndarray of shape (n_tasks,)
        Aggregated (or per-task) ROC AUC.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.metrics import roc_auc_score
    >>> Y = np.array([[0, 1], [1, 0], [1, np.nan], [0, 1]])
    >>> S = np.array([[0.1, 0.8], [0.7, 0.3], [0.6, 0.5], [0.2, 0.1]])
    >>> roc_auc_score(Y, S, multioutput="raw_values")
    array([1. , 0.5])
    """
    task_ids, parts = _split_scores(y_true, y_score, tasks, sample_weight)
    classes = _task_labels(labels, task_ids)
    values = []
    for tid, (yt, s, w), cls in zip(task_ids, parts, classes, strict=True):
        present = np.unique(yt)
        if len(present) < 2 or w.sum() <= 0:
            warnings.warn(
                f"Only one class is present in the labels of task {tid}: its ROC "
                "AUC is not defined and is set to NaN.",
                UndefinedMetricWarning,
            )
            values.append(np.nan)
            continue
        if s.ndim == 2 and s.shape[1] > 2:
            cls = present if cls is None else cls
            values.append(
                skm.roc_auc_score(yt, s, sample_weight=w, multi_class="ovr", labels=cls)
            )
            continue
        if s.ndim == 2:
            s = s[:, 1]
        pos = _positive(yt, cls)
        if pos is None:
            raise ValueError(
                f"Task {tid} has 1-D (binary) scores but its labels are "
                f"{present.tolist()}: pass the (n_samples, n_classes) "
                "probabilities for a multi-class task."
            )
        values.append(skm.roc_auc_score(pos, s, sample_weight=w))
    return _aggregate(task_ids, parts, values, multioutput)


def log_loss(
    y_true,
    y_proba,
    *,
    tasks=None,
    sample_weight=None,
    labels=None,
    multioutput="uniform_average",
):
    """Cross-entropy (log loss) of each task, ignoring missing labels.

    ``LL_t = - sum_i w_i log p_i(y_i) / sum_i w_i`` over task ``t``'s labelled
    rows, as :func:`sklearn.metrics.log_loss`. For a binary task given 1-D
    probabilities, they are those of the larger class (the second of
    ``labels``).

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
        True labels, ``NaN`` or ``None`` for missing labels (wide) or 1-D with
        ``tasks`` (long).
    y_proba : list of array-like or array-like
        Predicted probabilities; see the module docstring for the accepted
        forms.
    tasks : array-like of shape (n_samples,), default=None
        Task id of every row for long targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    labels : array-like, list of array-like or dict, default=None
        Classes matching the probability columns: one array shared by all
        tasks, one array per task, or ``{task id: classes}``. Default: the
        sorted labels present in the task's ``y_true``; pass ``labels`` when a
        task's scored rows miss one of its classes.
    multioutput : {'raw_values', 'uniform_average', 'sample_weighted'} or \
            array-like of shape (n_tasks,), default='uniform_average'
        How to combine the tasks' scores.

    Returns
    -------
    loss : float or ndarray of shape (n_tasks,)
        Aggregated (or per-task) log loss.

    Examples
    --------
    >>> from skmtl.metrics import log_loss
    >>> round(log_loss([0, 1, 1], [0.5, 0.5, 0.5]), 4)
    0.6931
    """
    task_ids, parts = _split_scores(y_true, y_proba, tasks, sample_weight)
    classes = _task_labels(labels, task_ids)
    values = []
    for tid, (yt, p, w), cls in zip(task_ids, parts, classes, strict=True):
        if w.sum() <= 0:
            values.append(np.nan)
            continue
        cls = np.unique(yt) if cls is None else cls
        if p.ndim == 1:
            if len(cls) != 2:
                raise ValueError(
                    f"Task {tid} has 1-D (positive-class) probabilities, which "
                    f"need two classes, but its classes are {list(cls)}. Pass "
                    "labels= with the task's two classes, or the (n_samples, "
                    "n_classes) probabilities."
                )
            p = np.column_stack([1.0 - p, p])
        if p.shape[1] != len(cls):
            raise ValueError(
                f"Task {tid} has probabilities for {p.shape[1]} classes but its "
                f"classes are {list(cls)}; pass labels= with the classes of the "
                "probability columns."
            )
        values.append(skm.log_loss(yt, p, sample_weight=w, labels=cls))
    return _aggregate(task_ids, parts, values, multioutput)
