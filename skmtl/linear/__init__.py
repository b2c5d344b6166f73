"""Regularized linear multi-task learning."""

from ._clustered import ClusteredMultiTask
from ._custom import CustomPenaltyMultiTask
from ._cv import DirtyMultiTaskCV, MultiTaskGroupLassoCV
from ._dirty import DirtyMultiTask
from ._group_lasso import MultiTaskGroupLasso
from ._logistic import (
    MeanRegularizedMultiTaskClassifier,
    MultiTaskGroupLassoClassifier,
    TraceNormMultiTaskClassifier,
)
from ._path import multitask_path
from ._ridge import PerTaskRidge, PooledRidge
from ._soft_sharing import MeanRegularizedMultiTask, TaskGraphMultiTask
from ._soft_sharing_cv import MeanRegularizedMultiTaskCV
from ._trace_norm import TraceNormMultiTask
from ._trace_norm_cv import TraceNormMultiTaskCV

__all__ = [
    "MultiTaskGroupLasso",
    "PerTaskRidge",
    "PooledRidge",
    "ClusteredMultiTask",
    "CustomPenaltyMultiTask",
    "DirtyMultiTask",
    "DirtyMultiTaskCV",
    "MeanRegularizedMultiTask",
    "MeanRegularizedMultiTaskCV",
    "MultiTaskGroupLassoCV",
    "TaskGraphMultiTask",
    "TraceNormMultiTask",
    "TraceNormMultiTaskCV",
    "MeanRegularizedMultiTaskClassifier",
    "MultiTaskGroupLassoClassifier",
    "TraceNormMultiTaskClassifier",
    "multitask_path",
]
