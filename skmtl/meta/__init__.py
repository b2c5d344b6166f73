"""Meta-estimators: any scikit-learn estimator in skmtl's multi-task data model.

:class:`PerTaskRegressor` and :class:`PerTaskClassifier` fit one clone of any
estimator per task (wide ``Y`` with missing labels, or long data).
:class:`StackedSingleTarget` (SST) and :class:`RegressorChainEnsemble` (ERC)
feed out-of-fold predictions of the other targets to each target's model
(wide data). :class:`MultiTaskAutoRegressor` chooses among model families by
task-aware cross-validation, for all tasks or for each task.
"""

from ._auto import MultiTaskAutoRegressor, default_candidates
from ._per_task import PerTaskClassifier, PerTaskRegressor
from ._stacking import RegressorChainEnsemble, StackedSingleTarget

__all__ = [
    "MultiTaskAutoRegressor",
    "PerTaskClassifier",
    "PerTaskRegressor",
    "RegressorChainEnsemble",
    "StackedSingleTarget",
    "default_candidates",
]
