"""Messy input, for every estimator: a clear error or a correct, finite fit.

The behaviour of each case is documented in the user guide's input validation
table. ``SKIP`` lists estimator/case pairs that do not apply, with the reason.
"""

import inspect

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import ClassifierMixin
from sklearn.utils._param_validation import InvalidParameterError

from skmtl.linear import PooledRidge
from skmtl.meta import PerTaskRegressor
from skmtl.utils import all_estimators

#: the automatic estimator over two cheap families (it is tested, not them)
_AUTO = {"per-task ridge": PerTaskRegressor(), "pooled ridge": PooledRidge()}

#: {estimator name: {case: reason}}
_CV_FOLDS = "an internal cross-validation needs several samples in every task"
SKIP = {
    "MeanRegularizedMultiTask": {
        "constant_target": "each task is pulled towards the mean of all tasks, so "
        "a constant task keeps part of the others' slopes (by design)",
    },
    "MeanRegularizedMultiTaskCV": {"single_sample_task": _CV_FOLDS},
    "TraceNormMultiTaskCV": {"single_sample_task": _CV_FOLDS},
    "MultiTaskGroupLassoCV": {"single_sample_task": _CV_FOLDS},
    "DirtyMultiTaskCV": {"single_sample_task": _CV_FOLDS},
    "TaskGraphMultiTaskCV": {"single_sample_task": _CV_FOLDS},
    "ClusteredMultiTaskCV": {"single_sample_task": _CV_FOLDS},
    "StackedSingleTarget": {"single_sample_task": _CV_FOLDS},
    "MultiTaskAutoRegressor": {"single_sample_task": _CV_FOLDS},
    "RegressorChainEnsemble": {"single_sample_task": _CV_FOLDS},
    "PooledRidge": {
        "constant_target": "all tasks share one weight vector, so a constant task "
        "still gets the other tasks' slopes (by design of pooling)",
    },
    "ParetoFrontRegressor": {
        "constant_target": "the members share one weight vector across tasks, as "
        "PooledRidge",
    },
}


def _is_clf(cls):
    """Whether an estimator class is a classifier (works on classes)."""
    return issubclass(cls, ClassifierMixin)


#: Smaller budgets and grids than the defaults: validation and the
#: finiteness of the fit do not depend on them, and the defaults (100 epochs,
#: 5 folds over grids of up to 10 x 10 points) made these cases the slowest.
SMALL = {
    "MAMORegressor": {"max_epochs": 30, "probe_epochs": 3},
    "MultiTaskMLPRegressor": {"max_epochs": 20},
    "MultiTaskMLPClassifier": {"max_epochs": 20},
    "MultiTaskNet": {"max_epochs": 20},
    "DirtyMultiTaskCV": {"alphas": 3, "betas": 3, "cv": 3},
    "MultiTaskGroupLassoCV": {"alphas": 10, "cv": 3},
    "ClusteredMultiTaskCV": {"alphas": (0.1, 1.0), "cv": 3},
    "TraceNormMultiTaskCV": {"n_alphas": 5, "cv": 3},
    "RegressorChainEnsemble": {"n_chains": 2, "cv": 3},
    "StackedSingleTarget": {"cv": 3},
    "MultiTaskAutoRegressor": {"candidates": _AUTO, "cv": 3},
}


def _params(cls):
    names = inspect.signature(cls.__init__).parameters
    params = {"random_state": 0} if "random_state" in names else {}
    return {**params, **SMALL.get(cls.__name__, {})}


def _estimators(case):
    out = []
    for name, cls in all_estimators():
        reason = SKIP.get(name, {}).get(case)
        marks = [pytest.mark.skip(reason=reason)] if reason else []
        out.append(pytest.param(cls, id=name, marks=marks))
    return out


def _data(n=40, d=4, T=3, seed=0, cls=None):
    """Regression targets, or balanced binary labels for a classifier."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    Y = X @ rng.standard_normal((d, T)) + 0.1 * rng.standard_normal((n, T))
    if cls is not None and _is_clf(cls):
        Y = (Y > np.median(Y, axis=0)).astype(float)
    return X, Y


def _fit_predict(est, X, Y):
    pred = est.fit(X, Y).predict(X)
    assert pred.shape == Y.shape
    assert np.all(np.isfinite(pred)), "NaN or inf predictions from finite input"
    return pred


@pytest.mark.parametrize("cls", _estimators("nan_inf_X"))
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_in_X(cls, bad):
    X, Y = _data(cls=cls)
    X[3, 1] = bad
    with pytest.raises(ValueError, match="Input X contains"):
        cls(**_params(cls)).fit(X, Y)


@pytest.mark.parametrize("cls", _estimators("task_without_labels"))
def test_nan_in_Y_is_masked_but_an_empty_task_is_an_error(cls):
    X, Y = _data(cls=cls)
    Y[::3, 0] = np.nan
    _fit_predict(cls(**_params(cls)), X, Y)
    Y[:, 1] = np.nan
    with pytest.raises(ValueError, match="have no labels at all"):
        cls(**_params(cls)).fit(X, Y)


@pytest.mark.parametrize("cls", _estimators("single_sample_task"))
def test_task_with_a_single_sample(cls):
    X, Y = _data(cls=cls)
    if _is_clf(cls):  # the smallest task a classifier can fit: one per class
        keep = [int(np.argmax(Y[:, 2] == 0)), int(np.argmax(Y[:, 2] == 1))]
        mask = np.ones(len(Y), dtype=bool)
        mask[keep] = False
        Y[mask, 2] = np.nan
    else:
        Y[1:, 2] = np.nan
    _fit_predict(cls(**_params(cls)), X, Y)


@pytest.mark.parametrize("cls", _estimators("constant_target"))
def test_constant_target(cls):
    X, Y = _data(cls=cls)
    if _is_clf(cls):
        Y[:, 0] = 1.0
        with pytest.raises(ValueError, match="only one class"):
            cls(**_params(cls)).fit(X, Y)
        return
    Y[:, 0] = 3.5
    pred = _fit_predict(cls(**_params(cls)), X, Y)
    np.testing.assert_allclose(pred[:, 0], 3.5, atol=0.2)


@pytest.mark.parametrize("cls", _estimators("degenerate_columns"))
def test_zero_and_duplicated_columns(cls):
    X, Y = _data(cls=cls)
    X = np.column_stack([X, np.zeros(len(X)), X[:, 0]])
    est = cls(**_params(cls))
    _fit_predict(est, X, Y)
    if hasattr(est, "coef_"):
        np.testing.assert_allclose(est.coef_[:, 4], 0.0, atol=1e-8)


@pytest.mark.parametrize("cls", _estimators("overflow"))
def test_values_near_overflow_get_a_clear_error(cls):
    X, Y = _data(cls=cls)
    X[0, 0] = 1e300
    with pytest.raises(ValueError, match="too large to fit without overflow"):
        cls(**_params(cls)).fit(X, Y)
    X, Y = _data(cls=cls)
    Y[0, 0] = 1e300
    with pytest.raises(ValueError, match="too large to fit without overflow"):
        cls(**_params(cls)).fit(X, Y)


@pytest.mark.parametrize("cls", _estimators("ill_conditioned"))
def test_ill_conditioned_X(cls):
    X, Y = _data(n=30, d=3, cls=cls)
    X = np.column_stack([X, X[:, 0] + 1e-10 * X[:, 1]])  # nearly collinear
    X[:, 2] *= 1e6
    _fit_predict(cls(**_params(cls)), X, Y)


@pytest.mark.parametrize("cls", _estimators("dtypes"))
@pytest.mark.parametrize("dtype", [np.float32, np.int64, bool])
def test_float32_int_and_bool_inputs(cls, dtype):
    X, Y = _data(cls=cls)
    X = (X > 0).astype(dtype) if dtype is bool else (3 * X).astype(dtype)
    _fit_predict(cls(**_params(cls)), X, Y)


@pytest.mark.parametrize("cls", _estimators("dataframe"))
def test_dataframe_column_names_are_kept(cls):
    pd = pytest.importorskip("pandas")
    X, Y = _data(cls=cls)
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    est = cls(**_params(cls)).fit(df, Y)
    assert list(est.feature_names_in_) == ["a", "b", "c", "d"]
    with pytest.raises(ValueError, match="feature names"):
        est.predict(df[["b", "a", "c", "d"]])


@pytest.mark.parametrize("cls", _estimators("sparse"))
def test_sparse_input_is_supported_or_refused_clearly(cls):
    X, Y = _data(cls=cls)
    est = cls(**_params(cls))
    if est.__sklearn_tags__().input_tags.sparse:
        dense = cls(**_params(cls)).fit(X, Y).predict(X)
        np.testing.assert_allclose(
            est.fit(sp.csr_matrix(X), Y).predict(sp.csr_matrix(X)), dense, atol=1e-6
        )
    else:
        with pytest.raises(TypeError, match="[Ss]parse"):
            est.fit(sp.csr_matrix(X), Y)


@pytest.mark.parametrize("cls", _estimators("bad_params"))
def test_alpha_zero_negative_and_max_iter_zero(cls):
    X, Y = _data(cls=cls)
    names = inspect.signature(cls.__init__).parameters
    if "alpha" in names:
        with pytest.raises(InvalidParameterError, match="alpha"):
            cls(**_params(cls), alpha=-1.0).fit(X, Y)
        try:  # alpha=0 is either accepted (ridge: least squares) or refused
            _fit_predict(cls(**_params(cls), alpha=0.0), X, Y)
        except InvalidParameterError as exc:
            assert "alpha" in str(exc)
    if "max_iter" in names:
        with pytest.raises(InvalidParameterError, match="max_iter"):
            cls(**_params(cls), max_iter=0).fit(X, Y)


@pytest.mark.parametrize("cls", _estimators("empty"))
def test_empty_input(cls):
    with pytest.raises(ValueError, match="0 sample"):
        cls(**_params(cls)).fit(np.empty((0, 3)), np.empty((0, 2)))
