"""Penalties: value, prox, optimality measure, alpha_max and a cvxpy form."""

from ._base import BasePenalty, check_penalty_methods
from ._centered import CenteredPenalty, pooled_solution
from ._norms import L1, L21
from ._stacked import StackedPenalty

__all__ = [
    "L1",
    "L21",
    "BasePenalty",
    "CenteredPenalty",
    "StackedPenalty",
    "check_penalty_methods",
    "pooled_solution",
]
