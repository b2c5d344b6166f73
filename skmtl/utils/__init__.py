"""Validation of the two multi-task data layouts and conversions between them.

Wide data: ``X`` (n_samples, n_features) and ``Y`` (n_samples, n_tasks) with
``NaN`` for missing labels. Long data: a task-id column in ``X``, named by the
estimators' ``task_column`` parameter, and a 1-D ``y``.
"""

from ._convert import long_to_wide, wide_to_long
from ._discovery import all_estimators
from ._optional import import_optional
from ._validation import (
    MultiTaskData,
    check_multitask_data,
    check_multitask_X,
    check_task_ids,
    resolve_task_column,
    task_codes_for,
)

__all__ = [
    "MultiTaskData",
    "all_estimators",
    "check_multitask_X",
    "check_multitask_data",
    "check_task_ids",
    "import_optional",
    "long_to_wide",
    "resolve_task_column",
    "task_codes_for",
    "wide_to_long",
]
