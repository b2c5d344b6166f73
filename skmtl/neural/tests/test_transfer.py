"""transform (the shared representation) and fit_new_task of the neural models."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge, RidgeCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmtl.neural import (
    MAMORegressor,
    MultiTaskMLPClassifier,
    MultiTaskMLPRegressor,
    MultiTaskNet,
)
from skmtl.neural._transfer import PriorRidge
from skmtl.utils import wide_to_long

FAST = dict(trunk_layer_sizes=(8, 6), max_epochs=4, lr=0.01, random_state=0)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5))
    Y = np.column_stack([X[:, 0] + X[:, 1], X[:, 0] - X[:, 2], np.abs(X[:, 3])])
    return X, Y + 0.1 * rng.normal(size=Y.shape)


def _trunk_by_hand(model, X):
    """relu(... relu(X W1^T + b1) ...) from the fitted trunk's weights."""
    h = X
    for layer in model.net_.module_.trunk:
        if isinstance(layer, torch.nn.Linear):
            W, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
            h = np.maximum(h @ W.T.astype(np.float64) + b, 0.0)
    return h


def test_transform_is_what_the_heads_read(data):
    X, Y = data
    model = MultiTaskMLPRegressor(**FAST).fit(X, Y)
    Z = model.transform(X)
    assert Z.shape == (len(X), 6) and Z.dtype == np.float32
    np.testing.assert_allclose(Z, _trunk_by_hand(model, X), rtol=1e-5, atol=1e-5)
    heads = model.net_.module_.heads
    W, b = heads.weight.detach().numpy(), heads.bias.detach().numpy()
    pred = (Z @ W.T + b) * model.y_scale_ + model.y_mean_
    np.testing.assert_allclose(pred, model.predict(X), rtol=1e-5, atol=1e-5)
    # deterministic: again, through a refit with the same seed, and row by row
    np.testing.assert_array_equal(model.transform(X), Z)
    np.testing.assert_array_equal(
        MultiTaskMLPRegressor(**FAST).fit(X, Y).transform(X), Z
    )
    np.testing.assert_allclose(model.transform(X[:7]), Z[:7], rtol=1e-6, atol=1e-6)
    names = model.get_feature_names_out()
    assert list(names[:2]) == ["multitaskmlpregressor0", "multitaskmlpregressor1"]
    assert len(names) == 6


@pytest.mark.parametrize(
    "architecture, width", [("mmoe", 3 * 6), ("ple", 3 * 6), ("shared_bottom", 6)]
)
def test_transform_width_of_each_architecture(data, architecture, width):
    X, Y = data
    model = MultiTaskMLPRegressor(
        architecture=architecture, n_experts=3, dropout=0.2, batch_norm=True, **FAST
    ).fit(X, Y)
    Z = model.transform(X)
    assert Z.shape == (len(X), width)
    np.testing.assert_array_equal(model.transform(X), Z)  # eval mode: no dropout
    assert model.fit_transform(X, Y).shape == Z.shape
    if architecture == "mmoe":  # the experts' outputs, expert after expert
        with torch.no_grad():
            model.net_.module_.eval()
            E = model.net_.module_.experts(torch.as_tensor(X, dtype=torch.float32))
        np.testing.assert_allclose(Z[:, 6:12], E[1].numpy(), rtol=1e-6)


def test_transform_of_mamo_is_the_path_without_modules(data):
    X, Y = data
    # no probing: no module, so the heads read exactly the transform
    model = MAMORegressor(probe_epochs=0, **FAST).fit(X, Y)
    heads = model.net_.module_.heads
    W, b = heads.weight.detach().numpy(), heads.bias.detach().numpy()
    pred = (model.transform(X) @ W.T + b) * model.y_scale_ + model.y_mean_
    np.testing.assert_allclose(pred, model.predict(X), rtol=1e-5, atol=1e-5)


def test_transform_checks_its_input(data):
    X, Y = data
    model = MultiTaskMLPRegressor(**FAST)
    with pytest.raises(NotFittedError):
        model.transform(X)
    model.fit(X, Y)
    with pytest.raises(ValueError, match="features"):
        model.transform(X[:, :-1])


def test_transform_of_a_memory_map_streams(data, tmp_path):
    X, Y = data
    model = MultiTaskMLPRegressor(**FAST).fit(X, Y)
    path = tmp_path / "X.npy"
    np.save(path, X)
    Xm = np.load(path, mmap_mode="r")
    np.testing.assert_allclose(model.transform(Xm), model.transform(X), rtol=1e-6)


def test_long_data_transform_reads_features_of_any_task(data):
    X, Y = data
    Xl, yl = wide_to_long(X, Y)
    model = MultiTaskMLPRegressor(task_column=-1, **FAST).fit(Xl, yl)
    Z = model.transform(Xl)
    assert Z.shape == (len(Xl), 6)
    unseen = Xl.copy()
    unseen[:, -1] = 99  # a task id not seen in fit
    np.testing.assert_array_equal(model.transform(unseen), Z)


def test_a_fitted_net_is_a_feature_extractor_in_a_pipeline(data):
    X, Y = data
    model = MultiTaskMLPRegressor(**FAST).fit(X, Y)
    pipe = Pipeline([("net", FrozenEstimator(model)), ("ridge", Ridge(alpha=0.5))])
    pipe.fit(X[:30], Y[:30, 0])
    ref = Ridge(alpha=0.5).fit(model.transform(X[:30]), Y[:30, 0])
    np.testing.assert_allclose(pipe.predict(X), ref.predict(model.transform(X)))
    # unfrozen, the pipeline fits the net on (X, Y) then the ridge on its output
    pipe = make_pipeline(MultiTaskMLPRegressor(**FAST), Ridge()).fit(X, Y)
    ref = Ridge().fit(model.transform(X), Y)
    np.testing.assert_allclose(pipe.predict(X), ref.predict(model.transform(X)))


@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("layout", ["wide", "long"])
def test_fit_new_task_is_a_ridge_on_the_representation(data, alpha, layout):
    X, Y = data
    rng = np.random.default_rng(1)
    X_new = rng.normal(size=(10, 5))
    y_new = 2 * X_new[:, 0] + rng.normal(size=10)
    w = rng.uniform(0.5, 2.0, size=10)
    if layout == "long":
        Xl, yl = wide_to_long(X, Y)
        model = MultiTaskMLPRegressor(task_column=-1, **FAST).fit(Xl, yl)
    else:
        model = MultiTaskMLPRegressor(**FAST).fit(X, Y)
    head = model.fit_new_task(X_new, y_new, alpha=alpha, sample_weight=w)
    ref = LinearRegression() if alpha == 0 else Ridge(alpha=alpha)
    Xt = X_new if layout == "wide" else np.column_stack([X_new, np.full(10, 7.0)])
    ref.fit(model.transform(Xt), y_new, sample_weight=w)
    np.testing.assert_allclose(head[-1].coef_, ref.coef_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(head.predict(X_new), ref.predict(model.transform(Xt)))
    assert type(head[-1]) is type(ref)
    if layout == "long":  # the columns of fit, task column (a new id) ignored
        head_tc = model.fit_new_task(Xt, y_new, alpha=alpha, sample_weight=w)
        np.testing.assert_allclose(head_tc.predict(Xt), head.predict(X_new))


def test_fit_new_task_is_frozen_and_leaves_the_model_unchanged(data):
    X, Y = data
    model = MultiTaskMLPRegressor(**FAST).fit(X, Y)
    before = model.predict(X)
    head = model.fit_new_task(X[:10], Y[:10, 0])
    first = head.predict(X)
    np.testing.assert_array_equal(model.predict(X), before)
    assert model.n_tasks_ == 3
    model.partial_fit(X, Y)  # training the model on does not move the head
    assert not np.allclose(model.predict(X), before)
    np.testing.assert_array_equal(head.predict(X), first)


def test_fit_new_task_classifier_is_a_logistic_regression(data):
    X, Y = data
    clf = MultiTaskMLPClassifier(**FAST).fit(X, Y > 0)
    y_new = np.array(["a", "b"] * 10)
    X_new = X[:20] + (y_new == "b")[:, None]
    head = clf.fit_new_task(X_new, y_new, alpha=0.5)
    ref = LogisticRegression(C=1.0, max_iter=1000).fit(clf.transform(X_new), y_new)
    np.testing.assert_allclose(
        head.predict_proba(X), ref.predict_proba(clf.transform(X)), rtol=1e-4
    )
    assert list(head.classes_) == ["a", "b"]


@pytest.mark.parametrize("task_type", ["regression", "binary"])
def test_multitask_net_fit_new_task_of_either_kind(data, task_type):
    X, Y = data
    net = MultiTaskNet(task_types=["regression", "classification", "regression"])
    net.set_params(**FAST).fit(X, np.column_stack([Y[:, 0], Y[:, 1] > 0, Y[:, 2]]))
    y_new = X[:20, 0] if task_type == "regression" else X[:20, 0] > 0
    head = net.fit_new_task(X[:20], y_new, task_type=task_type)
    assert isinstance(
        head[-1], Ridge if task_type == "regression" else LogisticRegression
    )
    with pytest.raises(ValueError, match="task_type"):
        net.fit_new_task(X[:20], y_new, task_type="ranking")


def test_fit_new_task_errors(data):
    X, Y = data
    model = MultiTaskMLPRegressor(**FAST)
    with pytest.raises(NotFittedError):
        model.fit_new_task(X, Y[:, 0])
    model.fit(X, Y)
    with pytest.raises(ValueError, match="alpha must be"):
        model.fit_new_task(X, Y[:, 0], alpha=-1.0)
    with pytest.raises(ValueError, match="feature columns"):
        model.fit_new_task(X[:, :3], Y[:, 0])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_few_shot_transfer_beats_a_model_of_the_task_alone():
    # tasks y_t = w_t . B^T x share a 2-dim subspace of 30 features; a new task
    # from 8 samples: a head on the trunk against a ridge on the raw features
    # (error ratio 0.07-0.41 over data seeds 3-7; this one: 0.08)
    rng = np.random.default_rng(5)
    d, k, T, n = 30, 2, 8, 150
    B = np.linalg.qr(rng.normal(size=(d, k)))[0]
    X = rng.normal(size=(n, d))
    Y = X @ B @ rng.normal(size=(k, T)) + 0.05 * rng.normal(size=(n, T))
    model = MultiTaskMLPRegressor(
        trunk_layer_sizes=(16,), max_epochs=60, lr=0.01, random_state=0
    ).fit(X, Y)
    theta = B @ rng.normal(size=k)
    X_new, X_test = rng.normal(size=(8, d)), rng.normal(size=(500, d))
    y_new = X_new @ theta + 0.05 * rng.normal(size=8)
    head = model.fit_new_task(X_new, y_new, alpha=0.1)
    alone = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(X_new, y_new)
    err = np.mean((head.predict(X_test) - X_test @ theta) ** 2)
    err_alone = np.mean((alone.predict(X_test) - X_test @ theta) ** 2)
    assert err < 0.5 * err_alone


def test_prior_ridge_is_a_ridge_on_the_deviation_from_the_prior():
    rng = np.random.default_rng(4)
    Z, y, w = rng.normal(size=(12, 5)), rng.normal(size=12), rng.uniform(1, 2, 12)
    h0, c0 = rng.normal(size=5), 0.7
    head = PriorRidge(0.8, coef_prior=h0, intercept_prior=c0).fit(Z, y, w)
    # by hand: ridge without intercept on [Z, 1], target y - [Z, 1] @ [h0, c0]
    A = np.column_stack([Z, np.ones(12)])
    ref = Ridge(alpha=0.8, fit_intercept=False)
    ref.fit(A, y - A @ np.r_[h0, c0], sample_weight=w)
    np.testing.assert_allclose(head.coef_, h0 + ref.coef_[:5], rtol=1e-10)
    np.testing.assert_allclose(head.intercept_, c0 + ref.coef_[5], rtol=1e-10)
    # alpha=0 with fewer rows than columns: the least-squares fit nearest the prior
    few = PriorRidge(0.0, coef_prior=h0, intercept_prior=c0).fit(Z[:3], y[:3])
    np.testing.assert_allclose(few.predict(Z[:3]), y[:3], atol=1e-10)
    assert np.allclose(
        np.linalg.lstsq(A[:3], y[:3] - A[:3] @ np.r_[h0, c0], rcond=None)[0],
        np.r_[few.coef_ - h0, few.intercept_ - c0],
    )


@pytest.mark.parametrize("estimator", ["mlp", "mamo"])
def test_fit_new_task_mean_prior_starts_from_the_average_task(data, estimator):
    X, Y = data
    if estimator == "mlp":
        model = MultiTaskMLPRegressor(**FAST).fit(X, Y)
    else:
        model = MAMORegressor(probe_epochs=0, **FAST).fit(X, Y)
    # a huge alpha keeps the mean head: the mean of the tasks' predictions
    head = model.fit_new_task(X[:5], Y[:5, 0], alpha=1e9, prior="mean")
    np.testing.assert_allclose(
        head.predict(X), model.predict(X).mean(axis=1), rtol=1e-4, atol=1e-4
    )
    loose = model.fit_new_task(X[:40], Y[:40, 0], alpha=1e-3, prior="mean")
    ridge = model.fit_new_task(X[:40], Y[:40, 0], alpha=1e-3)
    np.testing.assert_allclose(loose.predict(X), ridge.predict(X), atol=1e-2)


def test_fit_new_task_mean_prior_needs_linear_regression_heads(data):
    X, Y = data
    mmoe = MultiTaskMLPRegressor(architecture="mmoe", **FAST).fit(X, Y)
    with pytest.raises(ValueError, match="linear maps"):
        mmoe.fit_new_task(X[:5], Y[:5, 0], prior="mean")
    clf = MultiTaskMLPClassifier(**FAST).fit(X, Y > 0)
    with pytest.raises(ValueError, match="regression task"):
        clf.fit_new_task(X[:5], Y[:5, 0] > 0, prior="mean")
    with pytest.raises(ValueError, match="prior must be"):
        mmoe.fit_new_task(X[:5], Y[:5, 0], prior="median")


def test_fit_new_task_mean_prior_warns_off_the_tasks_scale(data):
    X, Y = data
    model = MultiTaskMLPRegressor(**FAST).fit(X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit_new_task(X[:5], Y[:5, 0], prior="mean")
    with pytest.warns(UserWarning, match="not on the fitted tasks' scale"):
        model.fit_new_task(X[:5], 1000 + Y[:5, 0], prior="mean")


@parametrize_with_checks([PriorRidge()])
def test_prior_ridge_passes_the_sklearn_checks(estimator, check):
    check(estimator)
