"""Task-aware splitters, per-task cross-validation and model comparison."""

from ._compare import MultiTaskComparison, compare_to_single_task
from ._plot import plot_task_differences, plot_task_similarity, task_order
from ._similarity import task_similarity
from ._split import (
    LeaveTasksOut,
    MaskedStratifiedKFold,
    TaskShuffleSplit,
    TaskStratifiedKFold,
)
from ._validation import cross_validate_tasks

__all__ = [
    "LeaveTasksOut",
    "MaskedStratifiedKFold",
    "MultiTaskComparison",
    "TaskShuffleSplit",
    "TaskStratifiedKFold",
    "compare_to_single_task",
    "cross_validate_tasks",
    "plot_task_differences",
    "plot_task_similarity",
    "task_order",
    "task_similarity",
]
