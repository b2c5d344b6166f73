"""Shared low-rank representations: tasks that use the same few linear features."""

from ._shared import SharedRepresentationRegressor

__all__ = ["SharedRepresentationRegressor"]
