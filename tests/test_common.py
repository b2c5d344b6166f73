"""scikit-learn's estimator checks on every public skmtl estimator.

Estimators are found automatically (:func:`skmtl.utils.all_estimators`), so a
new estimator is checked as soon as it is exported. Expected failures are listed
in ``EXPECTED_FAILURES`` with their reasons; ``xfail_strict`` makes a listed
check that starts passing fail the run, so the table cannot go stale.
"""

import inspect

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmtl.utils import all_estimators

try:  # tiny nets run faster single-threaded; threads also oversubscribe xdist
    import torch

    torch.set_num_threads(1)
except ImportError:  # pragma: no cover - the neural extra is optional
    pass

_PROBA_LIST = (
    "predict_proba returns a list with one (n_samples, n_classes_t) array per "
    "task (the MultiOutputClassifier convention), which the check indexes as "
    "one array."
)
_ONE_D_Y = (
    "the check passes a 1-D y directly; wide multi-task data needs Y of shape "
    "(n_samples, n_tasks), so fit raises the layout error (a 2-D Y gets the "
    "error the check looks for)."
)
_WIDE_PREDICT = (
    "the check expects predict to return (n_samples,) for y of shape "
    "(n_samples, 1); wide multi-task predict returns (n_samples, n_tasks)."
)

#: {estimator name: {check name: reason}}.
EXPECTED_FAILURES = {
    "MultiTaskMLPClassifier": {
        "check_classifiers_one_label": _ONE_D_Y,
        "check_classifiers_regression_target": _ONE_D_Y,
        "check_classifiers_classes": (
            "labels must be numbers: targets are validated as float so that NaN "
            "can mark a missing label in wide Y; string labels are rejected."
        ),
        "check_classifiers_train": _WIDE_PREDICT,
        "check_classifiers_train(readonly_memmap=True)": _WIDE_PREDICT,
        "check_classifiers_train(readonly_memmap=True,X_dtype=float32)": (
            _WIDE_PREDICT
        ),
        "check_methods_sample_order_invariance": _PROBA_LIST,
    },
    "MultiTaskNet": {"check_methods_sample_order_invariance": _PROBA_LIST},
}

#: Constructor arguments that keep the checks fast; the defaults otherwise.
_NEURAL_FAST = {"trunk_layer_sizes": (16,), "max_epochs": 10, "lr": 0.01}
FAST_PARAMS = {
    "MultiTaskMLPRegressor": _NEURAL_FAST,
    "MultiTaskMLPClassifier": _NEURAL_FAST,
    "MultiTaskNet": _NEURAL_FAST,
}


def _instances():
    out = []
    for name, cls in all_estimators():
        params = FAST_PARAMS.get(name, {})
        sig = inspect.signature(cls.__init__)
        if "random_state" in sig.parameters:
            params = {"random_state": 0, **params}
        out.append(cls(**params))
    return out


def _expected_failed_checks(estimator):
    return EXPECTED_FAILURES.get(type(estimator).__name__, {})


def test_estimators_found():
    names = [name for name, _ in all_estimators()]
    assert "PerTaskRidge" in names and "PooledRidge" in names


@parametrize_with_checks(
    _instances(), expected_failed_checks=_expected_failed_checks, xfail_strict=True
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("name_cls", all_estimators(), ids=lambda nc: nc[0])
def test_task_column_parameter(name_cls):
    """Every estimator exposes ``task_column`` so both data layouts work."""
    name, cls = name_cls
    assert "task_column" in inspect.signature(cls.__init__).parameters, name
