"""Regularized linear multi-task learning."""

from ._dirty import DirtyMultiTask
from ._group_lasso import MultiTaskGroupLasso
from ._ridge import PerTaskRidge, PooledRidge

__all__ = ["DirtyMultiTask", "MultiTaskGroupLasso", "PerTaskRidge", "PooledRidge"]
