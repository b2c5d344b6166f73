"""Solvers: FISTA (generic, fast) and cvxpy (exact reference, custom penalties)."""

from ._cvxpy import CvxpySolver
from ._fista import FISTA, optimality_violation

__all__ = ["FISTA", "CvxpySolver", "optimality_violation"]
