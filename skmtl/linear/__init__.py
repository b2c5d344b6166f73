"""Regularized linear multi-task learning."""

from ._group_lasso import MultiTaskGroupLasso
from ._ridge import PerTaskRidge, PooledRidge

__all__ = ["MultiTaskGroupLasso", "PerTaskRidge", "PooledRidge"]
