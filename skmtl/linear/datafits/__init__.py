"""Datafits: per-task losses with value, gradient and Lipschitz constants."""

from ._quadratic import Quadratic, task_statistics
from ._sum_of_parts import SumOfParts

__all__ = ["Quadratic", "SumOfParts", "task_statistics"]
