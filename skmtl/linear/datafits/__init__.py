"""Datafits: per-task losses with value, gradient and Lipschitz constants."""

from ._quadratic import Quadratic

__all__ = ["Quadratic"]
