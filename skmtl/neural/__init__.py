"""Neural multi-task models on skorch (needs the ``neural`` extra).

Shared-bottom, MMoE and PLE multi-head networks with masked per-task losses,
task weighting ('equal', fixed, 'uncertainty', 'dwa', 'gradnorm') and
gradient aggregation on the shared parameters ('mgda', 'pcgrad', 'cagrad',
'nash'), behind scikit-learn's fit/predict for wide and long multi-task data;
MAMO grows task-pair modules where the task gradients conflict.
"""

from ..utils import import_optional

import_optional("torch", "neural")
import_optional("skorch", "neural")

from ._mamo import MAMOClassifier, MAMORegressor  # noqa: E402
from ._mlp import MultiTaskMLPClassifier, MultiTaskMLPRegressor  # noqa: E402
from ._multitask_net import MultiTaskNet  # noqa: E402
from ._streaming import MemmapDataset  # noqa: E402

__all__ = [
    "MAMOClassifier",
    "MAMORegressor",
    "MemmapDataset",
    "MultiTaskMLPClassifier",
    "MultiTaskMLPRegressor",
    "MultiTaskNet",
]
