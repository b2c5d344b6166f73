"""Penalties: value, prox, optimality measure, alpha_max and a cvxpy form."""

from ._base import BasePenalty, check_penalty_methods
from ._norms import L1, L21

__all__ = ["L1", "L21", "BasePenalty", "check_penalty_methods"]
