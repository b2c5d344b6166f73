"""Per-task and aggregated metrics that understand missing labels and long data.

Every metric is ``metric(y_true, y_pred, *, tasks=None, sample_weight=None,
multioutput=...)``: wide targets (n_samples, n_tasks) with ``NaN`` for missing
labels, or long 1-D targets with ``tasks``, the task id of every row.
``multioutput`` is ``'raw_values'`` (one value per task), ``'uniform_average'``,
``'sample_weighted'`` (tasks weighted by their numbers of labelled rows) or an
array of task weights. Scorers (:func:`get_scorer`,
:func:`make_multitask_scorer`) read the task column of long data.
"""

from ._base import aggregate_tasks, per_task_arrays
from ._classification import (
    accuracy_score,
    balanced_accuracy_score,
    log_loss,
    roc_auc_score,
)
from ._delta import delta_m
from ._regression import (
    average_relative_root_mean_squared_error,
    averaged_mean_squared_error,
    explained_variance_score,
    mean_absolute_error,
    mean_squared_error,
    normalized_mean_squared_error,
    r2_score,
    relative_root_mean_squared_error,
    root_mean_squared_error,
    task_means,
)
from ._scorer import (
    MultiTaskScorer,
    get_scorer,
    get_scorer_names,
    make_multitask_scorer,
    per_task_scorer,
    predict_with_tasks,
)

__all__ = [
    "MultiTaskScorer",
    "accuracy_score",
    "aggregate_tasks",
    "average_relative_root_mean_squared_error",
    "averaged_mean_squared_error",
    "balanced_accuracy_score",
    "delta_m",
    "explained_variance_score",
    "get_scorer",
    "get_scorer_names",
    "log_loss",
    "make_multitask_scorer",
    "mean_absolute_error",
    "mean_squared_error",
    "normalized_mean_squared_error",
    "per_task_arrays",
    "per_task_scorer",
    "predict_with_tasks",
    "r2_score",
    "relative_root_mean_squared_error",
    "roc_auc_score",
    "root_mean_squared_error",
    "task_means",
]
