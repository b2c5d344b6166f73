"""Solvers: FISTA (generic, fast) and cvxpy (exact reference, custom penalties)."""

from ._cvxpy import CvxpySolver
from ._fista import FISTA, optimality_violation
from ._working_set import WorkingSet, duality_gap

__all__ = ["FISTA", "CvxpySolver", "WorkingSet", "duality_gap", "optimality_violation"]
