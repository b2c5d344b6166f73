"""Find every public estimator of skmtl."""

import importlib
import inspect
import pkgutil

from sklearn.base import BaseEstimator

__all__ = ["all_estimators"]

_OPTIONAL_MODULES = ("skmtl.neural",)


def all_estimators(include_optional=True):
    """Public estimator classes of skmtl.

    Walks the public modules of the package and returns every concrete
    :class:`~sklearn.base.BaseEstimator` subclass whose name does not start with
    an underscore. Subpackages behind a missing optional dependency (the neural
    estimators without torch) are skipped.

    Parameters
    ----------
    include_optional : bool, default=True
        Whether to try the subpackages that need optional dependencies.

    Returns
    -------
    estimators : list of tuple (name, class)
        Sorted by name.
    """
    import skmtl

    found = {}
    for info in pkgutil.walk_packages(skmtl.__path__, prefix="skmtl."):
        name = info.name
        parts = name.split(".")
        if any(p.startswith("_") or p == "tests" for p in parts[1:]):
            continue
        if name.startswith(_OPTIONAL_MODULES) and not include_optional:
            continue
        try:
            module = importlib.import_module(name)
        except ImportError:
            if name.startswith(_OPTIONAL_MODULES):
                continue
            raise
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, BaseEstimator)
                and cls.__module__.startswith("skmtl.")
                and not cls_name.startswith("_")
                and not inspect.isabstract(cls)
                and cls.__module__ != "skmtl.base"
            ):
                found[cls_name] = cls
    return sorted(found.items())
