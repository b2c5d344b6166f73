"""numpydoc validation of every public estimator, method and function."""

import importlib
import inspect
import pkgutil

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

import skmtl  # noqa: E402
from skmtl.utils import all_estimators  # noqa: E402

#: numpydoc error codes we enforce: missing docstring, undocumented or unknown
#: parameters, missing summary, parameters without type or description, and
#: missing return description.
CHECKED = {"GL08", "PR01", "PR02", "PR03", "PR07", "PR10", "SS01", "RT03"}

#: methods inherited from scikit-learn or skorch whose docstrings are theirs.
SKIP_METHODS = {
    "get_params",
    "set_params",
    "get_metadata_routing",
    "set_fit_request",
    "set_score_request",
    "set_predict_request",
    "set_transform_request",
    "set_partial_fit_request",
    "set_output",
    "fit_transform",
}


def _public_functions():
    seen = {}
    for info in pkgutil.walk_packages(skmtl.__path__, prefix="skmtl."):
        parts = info.name.split(".")
        if any(p.startswith("_") or p == "tests" for p in parts[1:]):
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:
            continue
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.isfunction(obj) and obj.__module__.startswith("skmtl"):
                seen[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return sorted(seen)


def _estimator_targets():
    targets = []
    for _, cls in all_estimators():
        targets.append(f"{cls.__module__}.{cls.__qualname__}")
        for name, member in inspect.getmembers(cls):
            if name.startswith("_") or name in SKIP_METHODS:
                continue
            if not (inspect.isfunction(member) or isinstance(member, property)):
                continue
            owner = next((k for k in cls.__mro__ if name in vars(k)), cls)
            if not owner.__module__.startswith("skmtl"):
                continue
            targets.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
    return sorted(set(targets))


def _errors(target):
    result = numpydoc_validate.validate(target)
    return [(code, msg) for code, msg in result["errors"] if code in CHECKED]


@pytest.mark.parametrize("target", _estimator_targets() + _public_functions())
def test_docstring(target):
    errors = _errors(target)
    assert not errors, f"{target}:\n" + "\n".join(f"{c}: {m}" for c, m in errors)
