"""Regularized linear multi-task learning."""

from ._clustered import ClusteredMultiTask
from ._custom import CustomPenaltyMultiTask
from ._cv import DegenerateFoldWarning
from ._cv_sharing import (
    ClusteredMultiTaskCV,
    MeanRegularizedMultiTaskCV,
    TaskGraphMultiTaskCV,
    TraceNormMultiTaskCV,
)
from ._cv_sparse import DirtyMultiTaskCV, MultiTaskGroupLassoCV
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
from ._trace_norm import TraceNormMultiTask

__all__ = [
    "MultiTaskGroupLasso",
    "PerTaskRidge",
    "PooledRidge",
    "ClusteredMultiTask",
    "ClusteredMultiTaskCV",
    "DegenerateFoldWarning",
    "CustomPenaltyMultiTask",
    "DirtyMultiTask",
    "DirtyMultiTaskCV",
    "MeanRegularizedMultiTask",
    "MeanRegularizedMultiTaskCV",
    "MultiTaskGroupLassoCV",
    "TaskGraphMultiTask",
    "TaskGraphMultiTaskCV",
    "TraceNormMultiTask",
    "TraceNormMultiTaskCV",
    "MeanRegularizedMultiTaskClassifier",
    "MultiTaskGroupLassoClassifier",
    "TraceNormMultiTaskClassifier",
    "multitask_path",
]
