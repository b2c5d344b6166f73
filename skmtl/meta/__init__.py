"""Meta-estimators: any scikit-learn estimator in skmtl's multi-task data model.

:class:`PerTaskRegressor` and :class:`PerTaskClassifier` fit one clone of any
estimator per task (wide ``Y`` with missing labels, or long data).
"""

from ._per_task import PerTaskClassifier, PerTaskRegressor

__all__ = ["PerTaskClassifier", "PerTaskRegressor"]
