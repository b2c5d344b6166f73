"""Solvers: working sets, FISTA, L-BFGS (smooth), cvxpy (exact reference)."""

from ._cvxpy import CvxpySolver
from ._fista import FISTA, optimality_violation
from ._lbfgs import LBFGS
from ._working_set import WorkingSet, duality_gap

__all__ = [
    "FISTA",
    "LBFGS",
    "CvxpySolver",
    "WorkingSet",
    "duality_gap",
    "optimality_violation",
]
