"""Per-task and aggregated metrics that understand missing labels and long data."""

from ._base import aggregate_tasks, per_task_arrays
from ._regression import mean_squared_error, r2_score

__all__ = ["aggregate_tasks", "mean_squared_error", "per_task_arrays", "r2_score"]
