"""Pareto fronts of multi-task models: trade-offs between competing tasks."""

from ._front import ParetoFrontRegressor
from ._moo import (
    hypervolume,
    pareto_mask,
    simplex_lattice,
    transfer_weights,
    uniform_preferences,
)
from ._plot import plot_pareto_front

__all__ = [
    "ParetoFrontRegressor",
    "hypervolume",
    "pareto_mask",
    "plot_pareto_front",
    "simplex_lattice",
    "transfer_weights",
    "uniform_preferences",
]
