"""Names of the models that the ``skmtl`` command knows.

Each entry maps a command-line name to the estimator's import path, a one-line
description and the default grid that ``skmtl fit --cv`` searches. Entries whose
module or class cannot be imported (a subpackage not installed, an optional
dependency missing) are left out of :func:`available_models`, so a name can be
registered before its estimator ships. Adding a model is one line in
``MODELS``.
"""

import importlib
import importlib.util
from dataclasses import dataclass, field

import numpy as np

__all__ = ["MODELS", "ModelSpec", "available_models", "get_model"]


@dataclass(frozen=True)
class ModelSpec:
    """One model of the command line.

    Parameters
    ----------
    path : str
        ``"module:ClassName"``.
    description : str
        Shown by ``skmtl --help``.
    grid : dict
        Default hyper-parameter grid for ``--cv`` (estimator parameter names).
    kind : {'regression', 'classification'}
        What the model predicts.
    requires : tuple of str, default=()
        Optional packages the estimator needs (checked without importing).
    relative : tuple of str, default=()
        Parameters whose grid values are fractions of their largest useful
        value on the data (``alpha_max`` of :func:`~skmtl.linear.multitask_path`,
        where the solution is zero): a penalty like the group lasso's scales
        with the targets, so an absolute grid suits one data set only.
    """

    path: str
    description: str
    grid: dict = field(default_factory=dict)
    kind: str = "regression"
    requires: tuple = ()
    relative: tuple = ()

    def installed(self):
        """Whether its module and required packages are installed (no import).

        Cheap enough for ``skmtl --help``: finds the modules without importing
        them (importing every family, torch included, took seconds).
        """
        module = self.path.partition(":")[0]
        names = (module, *self.requires)
        try:
            return all(importlib.util.find_spec(name) is not None for name in names)
        except (ImportError, ValueError):
            return False

    def load(self):
        """The estimator class; raises ImportError if it is not available."""
        module, _, name = self.path.partition(":")
        try:
            return getattr(importlib.import_module(module), name)
        except AttributeError as exc:
            raise ImportError(f"{self.path} does not exist") from exc


_ALPHAS = list(np.logspace(-4, 1, 6))
#: fractions of alpha_max: from a strong penalty down to nearly none (at
#: 1e-4, tasks with fewer samples than features make the fits very slow)
_FRACTIONS = [float(f) for f in np.logspace(-0.5, -3, 6)]

#: Command-line name -> model. Names whose estimator is not importable are
#: skipped by :func:`available_models`.
MODELS = {
    "ridge": ModelSpec(
        "skmtl.linear:PerTaskRidge",
        "one ridge per task (no sharing; the baseline)",
        {"alpha": _ALPHAS},
    ),
    "pooled-ridge": ModelSpec(
        "skmtl.linear:PooledRidge",
        "one ridge for all tasks, a separate intercept per task",
        {"alpha": _ALPHAS},
    ),
    "group-lasso": ModelSpec(
        "skmtl.linear:MultiTaskGroupLasso",
        "L2,1 joint feature selection across tasks",
        {"alpha": _FRACTIONS},
        relative=("alpha",),
    ),
    "dirty": ModelSpec(
        "skmtl.linear:DirtyMultiTask",
        "W = S + B: group-sparse shared part + entry-sparse task part",
        {"alpha": [0.3, 0.1, 0.03], "beta": [0.3, 0.1, 0.03]},
        relative=("alpha", "beta"),
    ),
    "mean-regularized": ModelSpec(
        "skmtl.linear:MeanRegularizedMultiTask",
        "each task's weights pulled towards the mean task",
        {"alpha": _ALPHAS, "beta": _ALPHAS},
    ),
    "task-graph": ModelSpec(
        "skmtl.linear:TaskGraphMultiTask",
        "weights smoothed along a task graph (graph='auto')",
        {"alpha": _ALPHAS},
    ),
    "trace-norm": ModelSpec(
        "skmtl.linear:TraceNormMultiTask",
        "nuclear-norm penalty: low-rank weight matrix",
        {"alpha": _FRACTIONS},
        relative=("alpha",),
    ),
    "clustered": ModelSpec(
        "skmtl.linear:ClusteredMultiTask",
        "convex clustered multi-task learning",
        {"alpha": _ALPHAS, "beta": _ALPHAS},
    ),
    "shared-representation": ModelSpec(
        "skmtl.representation:SharedRepresentationRegressor",
        "shared k-dimensional linear representation (TPGD)",
        {"n_components": [1, 2, 3, 5]},
    ),
    "auto": ModelSpec(
        "skmtl.meta:MultiTaskAutoRegressor",
        "the best of the families above by task-aware CV (slow: it fits all)",
    ),
    "mlp": ModelSpec(
        "skmtl.neural:MultiTaskMLPRegressor",
        "shared-trunk neural network with one head per task",
        {"trunk_layer_sizes": [(32,), (64, 32)]},
        requires=("torch", "skorch"),
    ),
}


def available_models(kind=None, load=True):
    """Registered models whose estimator can be imported.

    Parameters
    ----------
    kind : {'regression', 'classification'} or None, default=None
        Keep only models of this kind.
    load : bool, default=True
        Import each estimator to check it; False only checks that its module
        and required packages are installed (:meth:`ModelSpec.installed`),
        without importing anything (for help texts).

    Returns
    -------
    models : dict
        ``{name: ModelSpec}`` in registration order.
    """
    out = {}
    for name, spec in MODELS.items():
        if kind is not None and spec.kind != kind:
            continue
        if not load:
            if spec.installed():
                out[name] = spec
            continue
        try:
            spec.load()
        except ImportError:
            continue
        out[name] = spec
    return out


def get_model(name):
    """The estimator class and spec registered under ``name``.

    Parameters
    ----------
    name : str
        Command-line model name.

    Returns
    -------
    cls : type
        The estimator class.
    spec : ModelSpec
        Its registry entry.

    Raises
    ------
    ValueError
        If ``name`` is unknown or its estimator is not installed; the message
        lists the available names.
    """
    # only the model asked for is imported (the others may pull torch)
    spec = MODELS.get(name)
    if spec is not None:
        try:
            return spec.load(), spec
        except ImportError:
            pass
    hint = ""
    if spec is not None:
        hint = (
            f" ({spec.path} cannot be imported: is the optional dependency "
            "installed?)"
        )
    known = available_models(load=False)
    raise ValueError(
        f"Unknown model {name!r}{hint}. Available models: {', '.join(known)}."
    )
