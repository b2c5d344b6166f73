"""Regularized linear multi-task learning."""

from ._custom import CustomPenaltyMultiTask
from ._cv import DirtyMultiTaskCV, MultiTaskGroupLassoCV
from ._dirty import DirtyMultiTask
from ._group_lasso import MultiTaskGroupLasso
from ._path import multitask_path
from ._ridge import PerTaskRidge, PooledRidge

__all__ = [
    "CustomPenaltyMultiTask",
    "DirtyMultiTask",
    "DirtyMultiTaskCV",
    "MultiTaskGroupLasso",
    "MultiTaskGroupLassoCV",
    "PerTaskRidge",
    "PooledRidge",
    "multitask_path",
]
