"""Regularized linear multi-task learning."""

from ._ridge import PerTaskRidge, PooledRidge

__all__ = ["PerTaskRidge", "PooledRidge"]
