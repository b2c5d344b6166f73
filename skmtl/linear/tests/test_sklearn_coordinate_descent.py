"""scikit-learn's multi-task coordinate descent tests, run against skmtl.

Ported from scikit-learn 1.9.1, ``sklearn/linear_model/tests/
test_coordinate_descent.py`` (BSD-3-Clause, the scikit-learn developers): every
test there that uses ``MultiTaskLasso``, ``MultiTaskLassoCV``,
``MultiTaskElasticNet`` or ``MultiTaskElasticNetCV``, plus the multi-target
branch of ``test_sparse_dense_descent_paths`` (``enet_path``/``lasso_path`` on
a 2-D ``y`` run the multi-task solver). Each keeps its scikit-learn name.

Mapping. ``MultiTaskLasso`` is ``MultiTaskGroupLasso(l1_ratio=1)`` and
``MultiTaskElasticNet`` is ``MultiTaskGroupLasso(l1_ratio=rho)`` with the same
``alpha`` (objective ``1/(2n) ||Y - XW^T - b||_F^2 + alpha (rho ||W||_21 +
(1 - rho)/2 ||W||_F^2)`` in both libraries); the ``*CV`` classes are
``MultiTaskGroupLassoCV``, ``enet_path``/``lasso_path`` are
``multitask_path``. The constructors below named after scikit-learn's classes
do only this mapping, in one place:

* scikit-learn's ``MultiTaskElasticNet(CV)`` defaults to ``l1_ratio=0.5``,
  skmtl's ``MultiTaskGroupLasso(CV)`` to ``1.0``: the ElasticNet constructors
  pass 0.5 unless the test gives one.
* ``cv=None`` or an int means unshuffled ``KFold`` in scikit-learn's
  ``LinearModelCV`` but shuffled folds in skmtl; the CV constructors pass
  scikit-learn's folds (``KFold(n)``) so that results depending on the folds
  (``alpha_``, ``mse_path_``) can be compared with scikit-learn's.

Other adaptations are commented where they happen. Two differences of meaning
are kept as they are, on purpose: ``max_iter`` counts epochs of coordinate
descent in scikit-learn and outer working-set iterations in skmtl, and
``tol`` bounds the duality gap relative to ``||Y||_F^2 / n`` in scikit-learn
and to the objective at zero (``||Y||_F^2 / (2n)``) in skmtl.

Not ported (subject absent from skmtl):

* ``test_random_descent``, multi-output part: compares
  ``selection='cyclic'`` with ``selection='random'``; skmtl has no
  ``selection`` (its solver is not a cyclic coordinate descent).
* ``test_enet_path_positive``, multi-output part: ``positive=True`` must be
  refused for 2-D ``y``; skmtl has no ``positive``.
* ``test_enet_l1_ratio``, second half: ``MultiTaskElasticNetCV(l1_ratio=0,
  alphas=[0.1, 10])`` equals ``l1_ratio=1e-5``; skmtl's ``l1_ratio`` lies in
  (0, 1] (no pure ridge), so only the refusal of ``l1_ratio=0`` is ported.
* ``test_enet_ridge_consistency``, ``n_targets=3``: ``MultiTaskElasticNet(
  l1_ratio=0)`` against ``Ridge``; ``l1_ratio=0`` is outside skmtl's range.
* ``test_cv_estimators_reject_params_with_no_routing_enabled``: ``fit(X, y,
  groups=...)`` must raise because metadata routing is off; skmtl's ``fit``
  takes no routed ``**params`` at all.
* ``precompute``: ``test_enet_sample_weight_consistency`` returns early for
  ``MultiTaskElasticNet`` with ``precompute=True`` and
  ``test_enet_cv_sample_weight_consistency`` drops it for the multi-task
  classes, so that parametrisation is left out.
* ``positive``: ``test_enet_alpha_max`` returns early for
  ``MultiTaskElasticNet`` with ``positive=True``; that parametrisation is left
  out.
* A list of ``l1_ratio`` in ``MultiTaskElasticNetCV``: skmtl's CV takes one
  ``l1_ratio``. Where a test passes a list, the port fits one
  ``MultiTaskGroupLassoCV`` per ratio and chooses ``l1_ratio_`` as
  ``LinearModelCV`` does (smallest mean validation MSE over all pairs, see
  ``_fit_l1_ratio_grid``); the ``(n_l1_ratio, n_alphas, n_folds)`` shapes of
  ``mse_path_`` and ``alphas_`` become one ``(n_alphas, n_folds)`` per ratio.
"""

import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNetCV, LassoCV
from sklearn.model_selection import GridSearchCV, KFold, LeaveOneGroupOut
from sklearn.utils._testing import (
    TempMemmap,
    assert_allclose,
    assert_almost_equal,
    assert_array_almost_equal,
    assert_array_equal,
    assert_array_less,
    ignore_warnings,
)
from sklearn.utils.fixes import CSC_CONTAINERS, CSR_CONTAINERS

from skmtl.linear import MultiTaskGroupLasso, MultiTaskGroupLassoCV, multitask_path


# scikit-learn's `global_random_seed` fixture is 42 unless its environment
# variable asks for more seeds; skmtl has no such fixture, so it is fixed here.
@pytest.fixture
def global_random_seed():
    return 42


# -- scikit-learn's estimators, mapped onto skmtl (see the module docstring) --
def _sklearn_cv(cv):
    """scikit-learn's ``LinearModelCV`` folds: ``None``/int -> unshuffled KFold."""
    if cv is None:
        return KFold(5)
    if isinstance(cv, int):
        return KFold(cv)
    return cv


def MultiTaskLasso(**params):
    return MultiTaskGroupLasso(**{"l1_ratio": 1.0, **params})


def MultiTaskElasticNet(**params):
    return MultiTaskGroupLasso(**{"l1_ratio": 0.5, **params})


def MultiTaskLassoCV(**params):
    params["cv"] = _sklearn_cv(params.get("cv"))
    return MultiTaskGroupLassoCV(**{"l1_ratio": 1.0, **params})


def MultiTaskElasticNetCV(**params):
    params["cv"] = _sklearn_cv(params.get("cv"))
    return MultiTaskGroupLassoCV(**{"l1_ratio": 0.5, **params})


def _fit_l1_ratio_grid(X, y, l1_ratios, sample_weight=None, **params):
    """``MultiTaskElasticNetCV(l1_ratio=[...])``: one skmtl CV per ratio.

    Returns ``(l1_ratio_, fitted CV of that ratio)``. As in scikit-learn's
    ``LinearModelCV``, the pair (l1_ratio, alpha) with the smallest mean
    validation MSE wins; the first one on ties (``np.argmin`` over l1_ratio,
    then alpha, in the order given).
    """
    fits = [
        MultiTaskElasticNetCV(l1_ratio=r, **params).fit(X, y, sample_weight)
        for r in l1_ratios
    ]
    best = int(np.argmin([fit.mse_path_.mean(axis=1).min() for fit in fits]))
    return l1_ratios[best], fits[best]


def build_dataset(n_samples=50, n_features=200, n_informative_features=10, n_targets=1):
    """
    build an ill-posed linear regression problem with many noisy features and
    comparatively few samples
    """
    random_state = np.random.RandomState(0)
    if n_targets > 1:
        w = random_state.randn(n_features, n_targets)
    else:
        w = random_state.randn(n_features)
    w[n_informative_features:] = 0.0
    X = random_state.randn(n_samples, n_features)
    y = np.dot(X, w)
    X_test = random_state.randn(n_samples, n_features)
    y_test = np.dot(X_test, w)
    return X, y, X_test, y_test


def test_enet_path():
    # Only the "Multi-output/target case" of scikit-learn's test: its first
    # half is ElasticNetCV alone.
    max_iter = 150

    # Multi-output/target case
    X, y, X_test, y_test = build_dataset(n_features=10, n_targets=3)
    # l1_ratio=[0.5, 0.7]: one CV per ratio (module docstring)
    _, clf = _fit_l1_ratio_grid(
        X, y, [0.5, 0.7], alphas=5, eps=2e-3, cv=3, max_iter=max_iter
    )
    # We are in well-conditioned settings with low noise: we should
    # have a good test-set performance
    assert clf.score(X_test, y_test) > 0.99
    assert clf.coef_.shape == (3, 10)

    # Mono-output should have same cross-validated alpha_ and l1_ratio_
    # in both cases.
    X, y, _, _ = build_dataset(n_features=10)
    clf1 = ElasticNetCV(alphas=5, eps=2e-3, l1_ratio=[0.5, 0.7])
    clf1.fit(X, y)
    l1_ratio_, clf2 = _fit_l1_ratio_grid(
        X, y[:, np.newaxis], [0.5, 0.7], alphas=5, eps=2e-3
    )
    assert_almost_equal(clf1.l1_ratio_, l1_ratio_)
    assert_almost_equal(clf1.alpha_, clf2.alpha_)


def test_uniform_targets():
    # Only the multi-task models; scikit-learn's test also runs ElasticNetCV
    # and LassoCV on 1-D targets.
    m_enet = MultiTaskElasticNetCV(alphas=3)
    m_lasso = MultiTaskLassoCV(alphas=3)

    models_multi_task = (m_enet, m_lasso)

    rng = np.random.RandomState(0)

    X_train = rng.random_sample(size=(10, 3))
    X_test = rng.random_sample(size=(10, 3))

    y2 = np.empty((10, 2))

    for model in models_multi_task:
        for y_values in (0, 5):
            y2[:, 0].fill(y_values)
            y2[:, 1].fill(2 * y_values)
            assert_array_equal(model.fit(X_train, y2).predict(X_test), y2)
            assert_array_equal(model.alphas_, [np.finfo(float).resolution] * 3)


@pytest.mark.filterwarnings("error::sklearn.exceptions.ConvergenceWarning")
def test_multi_task_lasso_vs_skglm():
    """Test that MultiTaskLasso gives same results as the one from skglm.

    To reproduce numbers, just use
    from skglm import MultiTaskLasso
    """
    # Numbers are with skglm version 0.5.
    n_samples, n_features, n_tasks = 5, 4, 3
    X = np.vander(np.arange(n_samples), n_features)
    Y = np.arange(n_samples * n_tasks).reshape(n_samples, n_tasks)

    def obj(W, X, y, alpha):
        intercept = W[:, -1]
        W = W[:, :-1]
        l21_norm = np.sqrt(np.sum(W**2, axis=0)).sum()
        return (
            np.linalg.norm(Y - X @ W.T - intercept, ord="fro") ** 2 / (2 * n_samples)
            + alpha * l21_norm
        )

    alpha = 0.1
    # TODO: The high number of iterations are required for convergence and show room
    # for improvement of the CD algorithm.
    m = MultiTaskLasso(alpha=alpha, tol=1e-10, max_iter=5000).fit(X, Y)
    assert_allclose(
        obj(np.c_[m.coef_, m.intercept_], X, Y, alpha=alpha),
        0.4965993692547902,
        rtol=1e-10,
    )
    assert_allclose(
        m.intercept_, [0.219942959407, 1.219942959407, 2.219942959407], rtol=1e-7
    )
    assert_allclose(
        m.coef_,
        np.tile([-0.032075014794, 0.25430904614, 2.44785152982, 0], (n_tasks, 1)),
        rtol=1e-6,
    )


def test_multi_task_lasso_and_enet():
    X, y, X_test, y_test = build_dataset()
    Y = np.c_[y, y]
    # Y_test = np.c_[y_test, y_test]
    clf = MultiTaskLasso(alpha=1, tol=1e-8).fit(X, Y)
    assert 0 < clf.dual_gap_ < 1e-5
    assert_array_almost_equal(clf.coef_[0], clf.coef_[1])

    clf = MultiTaskElasticNet(alpha=1, tol=1e-8).fit(X, Y)
    assert 0 < clf.dual_gap_ < 1e-5
    assert_array_almost_equal(clf.coef_[0], clf.coef_[1])

    clf = MultiTaskElasticNet(alpha=1.0, tol=1e-8, max_iter=1)
    # scikit-learn's message is "Objective did not converge. You might want to
    # increase the number of iterations."; skmtl's names its solver, the
    # criterion and tol ("WorkingSet did not converge in 1 iterations ...").
    # Matched on the words both share.
    warning_message = "did not converge"
    with pytest.warns(ConvergenceWarning, match=warning_message):
        clf.fit(X, Y)


def test_multi_task_lasso_readonly_data():
    X, y, X_test, y_test = build_dataset()
    Y = np.c_[y, y]
    with TempMemmap((X, Y)) as (X, Y):
        Y = np.c_[y, y]
        clf = MultiTaskLasso(alpha=1, tol=1e-8).fit(X, Y)
        assert 0 < clf.dual_gap_ < 1e-5
        assert_array_almost_equal(clf.coef_[0], clf.coef_[1])


def test_multitask_enet_and_lasso_cv():
    X, y, _, _ = build_dataset(n_features=50, n_targets=3)
    clf = MultiTaskElasticNetCV(cv=3).fit(X, y)
    assert_almost_equal(clf.alpha_, 0.00556, 3)
    clf = MultiTaskLassoCV(cv=3, tol=1e-6).fit(X, y)
    assert_almost_equal(clf.alpha_, 0.00278, 3)

    X, y, _, _ = build_dataset(n_targets=3)
    # l1_ratio=[0.3, 0.5]: one CV per ratio (module docstring); scikit-learn's
    # shapes (2, 10, 3) and (2, 10) are one (10, 3) and one (10,) per ratio.
    l1_ratio_, clf = _fit_l1_ratio_grid(
        X, y, [0.3, 0.5], alphas=10, eps=1e-3, max_iter=200, tol=1e-3, cv=3
    )
    assert 0.5 == l1_ratio_
    assert (3, X.shape[1]) == clf.coef_.shape
    assert (3,) == clf.intercept_.shape
    assert (10, 3) == clf.mse_path_.shape
    assert (10,) == clf.alphas_.shape

    X, y, _, _ = build_dataset(n_targets=3)
    clf = MultiTaskLassoCV(alphas=10, eps=1e-3, max_iter=500, tol=1e-3, cv=3)
    clf.fit(X, y)
    assert (3, X.shape[1]) == clf.coef_.shape
    assert (3,) == clf.intercept_.shape
    assert (10, 3) == clf.mse_path_.shape
    assert 10 == len(clf.alphas_)


def test_1d_multioutput_enet_and_multitask_enet_cv():
    X, y, _, _ = build_dataset(n_features=10)
    y = y[:, np.newaxis]
    # tol (scikit-learn: the default 1e-4 on both sides): the original gets 7
    # equal decimals from the same coordinate descent code stopped at the same
    # iterate in both estimators. Two different solvers agree to 7 decimals
    # only when both are converged that far (at the default tols the
    # coefficients differ by 1e-4, scikit-learn's being the coarse ones). A
    # duality gap bounds the coefficient error by about its square root, so
    # skmtl, which stops as soon as its relative gap is below tol, needs
    # tol=1e-14 (at 1e-10 its coefficients are 7e-7 from the exact ones, while
    # scikit-learn's coordinate descent at tol=1e-10 overshoots to 1e-10).
    clf = ElasticNetCV(alphas=5, eps=2e-3, l1_ratio=[0.5, 0.7], tol=1e-10)
    clf.fit(X, y[:, 0])
    # l1_ratio=[0.5, 0.7]: one CV per ratio (module docstring)
    l1_ratio_, clf1 = _fit_l1_ratio_grid(
        X, y, [0.5, 0.7], alphas=5, eps=2e-3, tol=1e-14
    )
    assert_almost_equal(clf.l1_ratio_, l1_ratio_)
    assert_almost_equal(clf.alpha_, clf1.alpha_)
    assert_almost_equal(clf.coef_, clf1.coef_[0])
    assert_almost_equal(clf.intercept_, clf1.intercept_[0])


def test_1d_multioutput_lasso_and_multitask_lasso_cv():
    X, y, _, _ = build_dataset(n_features=10)
    y = y[:, np.newaxis]
    # tol as in the test above (scikit-learn: the defaults), for the same reason.
    clf = LassoCV(alphas=5, eps=2e-3, tol=1e-10)
    clf.fit(X, y[:, 0])
    clf1 = MultiTaskLassoCV(alphas=5, eps=2e-3, tol=1e-14)
    clf1.fit(X, y)
    assert_almost_equal(clf.alpha_, clf1.alpha_)
    assert_almost_equal(clf.coef_, clf1.coef_[0])
    assert_almost_equal(clf.intercept_, clf1.intercept_[0])


# ElasticNetCV and LassoCV, the other two parameters there, are scikit-learn's
# own single-task estimators.
@pytest.mark.parametrize("estimator", [MultiTaskElasticNetCV, MultiTaskLassoCV])
@pytest.mark.parametrize("csr_container", CSR_CONTAINERS)
def test_sparse_input_dtype_enet_and_lassocv(estimator, csr_container):
    n_targets = 2
    X, y, _, _ = build_dataset(n_targets=n_targets, n_features=10)
    reg = estimator(alphas=5)
    reg.fit(csr_container(X), y)
    reg1 = estimator(alphas=5)
    reg1.fit(csr_container(X, dtype=np.float32), y)
    assert_allclose(reg.alpha_, reg1.alpha_, rtol=1e-5)
    assert_allclose(reg.coef_, reg1.coef_, rtol=1e-5)


# scikit-learn's test runs enet_path and lasso_path for n_targets in (1, 2);
# n_targets=2 is the multi-task solver: multitask_path with the default
# l1_ratio of each (0.5 for enet_path, 1 for lasso_path).
@pytest.mark.parametrize("l1_ratio", [0.5, 1.0], ids=["enet_path", "lasso_path"])
@pytest.mark.parametrize("csr_container", CSR_CONTAINERS)
def test_sparse_dense_descent_paths(l1_ratio, csr_container):
    # Test that dense and sparse input give the same result for descent paths.
    X, y, _, _ = build_dataset(n_targets=2, n_samples=50, n_features=20)
    csr = csr_container(X)
    # path(X, y, tol=1e-10): the path functions take the estimator instead of
    # tol and l1_ratio. They fit no intercept (the data are not centred).
    est = MultiTaskGroupLasso(l1_ratio=l1_ratio, tol=1e-10, fit_intercept=False)
    _, coefs, _, _ = multitask_path(X, y, estimator=est)
    _, sparse_coefs, _, _ = multitask_path(csr, y, estimator=est)
    assert_allclose(coefs, sparse_coefs)


def test_enet_float_precision():
    # Only the "test multi task enet" part; the rest is ElasticNet alone.
    # Generate dataset
    X, y, X_test, y_test = build_dataset(n_samples=20, n_features=10)
    # Here we have a small number of iterations, and thus the
    # ElasticNet might not converge. This is to speed up tests

    for fit_intercept in [True, False]:
        coef = {}
        intercept = {}
        for dtype in [np.float64, np.float32]:
            X = dtype(X)
            y = dtype(y)

            # test multi task enet
            multi_y = np.hstack((y[:, np.newaxis], y[:, np.newaxis]))
            clf_multioutput = MultiTaskElasticNet(
                alpha=0.5,
                max_iter=100,
                fit_intercept=fit_intercept,
            )
            clf_multioutput.fit(X, multi_y)
            coef[("multi", dtype)] = clf_multioutput.coef_
            intercept[("multi", dtype)] = clf_multioutput.intercept_

        for v in ["multi"]:
            assert_array_almost_equal(
                coef[(v, np.float32)], coef[(v, np.float64)], decimal=4
            )
            assert_array_almost_equal(
                intercept[(v, np.float32)], intercept[(v, np.float64)], decimal=4
            )


def test_enet_l1_ratio():
    # Only the refusal of l1_ratio=0 by the multi-task CV (module docstring).
    # scikit-learn refuses it when building the automatic alpha grid
    # ("Automatic alpha grid generation is not supported for l1_ratio=0...");
    # skmtl's l1_ratio lies in (0, 1], so its parameter validation refuses it,
    # with the parameter's name and range in the message.
    msg = (
        r"The 'l1_ratio' parameter of MultiTaskGroupLassoCV must be a float in "
        r"the range \(0.0, 1.0\]"
    )
    X = np.array([[1, 2, 4, 5, 8], [3, 5, 7, 7, 8]]).T
    y = np.array([12, 10, 11, 21, 5])

    # random_state=42: unused by scikit-learn here (no random selection); in
    # skmtl it is the fold shuffling, which KFold(5) does not use either.
    with pytest.raises(ValueError, match=msg):
        MultiTaskElasticNetCV(l1_ratio=0, random_state=42).fit(X, y[:, None])


def test_warm_start_multitask_lasso():
    X, y, X_test, y_test = build_dataset()
    Y = np.c_[y, y]
    clf = MultiTaskLasso(alpha=0.1, max_iter=5, warm_start=True)
    ignore_warnings(clf.fit)(X, Y)
    ignore_warnings(clf.fit)(X, Y)  # do a second round with 5 iterations

    clf2 = MultiTaskLasso(alpha=0.1, max_iter=10)
    ignore_warnings(clf2.fit)(X, Y)
    assert_array_almost_equal(clf2.coef_, clf.coef_)


def test_convergence_warnings():
    random_state = np.random.RandomState(0)
    X = random_state.standard_normal((1000, 500))
    y = random_state.standard_normal((1000, 3))

    # check that the model converges w/o convergence warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        MultiTaskElasticNet().fit(X, y)


# ElasticNetCV and LassoCV, the other two parameters there, are scikit-learn's
# own single-task estimators.
@pytest.mark.parametrize("estimator", [MultiTaskElasticNetCV, MultiTaskLassoCV])
@pytest.mark.parametrize("csr_container", CSR_CONTAINERS)
def test_sparse_input_convergence_warning(estimator, csr_container):
    n_targets = 2
    X, y, _, _ = build_dataset(n_targets=n_targets, n_samples=50, n_features=25)

    with pytest.warns(ConvergenceWarning):
        estimator(max_iter=1, tol=0).fit(csr_container(X, dtype=np.float32), y)

    # check that the model converges w/o convergence warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        estimator().fit(csr_container(X, dtype=np.float32), y)


def test_multi_task_lasso_cv_dtype():
    n_samples, n_features = 10, 3
    rng = np.random.RandomState(42)
    X = rng.binomial(1, 0.5, size=(n_samples, n_features))
    X = X.astype(int)  # make it explicit that X is int
    y = X[:, [0, 0]].copy()
    est = MultiTaskLassoCV(alphas=5, fit_intercept=True, tol=1e-6).fit(X, y)
    assert_array_almost_equal(est.coef_, [[1, 0, 0]] * 2, decimal=3)


# ElasticNet, the other estimator there, is scikit-learn's own; precompute=True
# returns early for MultiTaskElasticNet (module docstring).
@pytest.mark.parametrize("estimator", [MultiTaskElasticNet])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("alpha", [0.01])
@pytest.mark.parametrize("sparse_container", [None] + CSR_CONTAINERS)
def test_enet_sample_weight_consistency(
    estimator, fit_intercept, alpha, sparse_container, global_random_seed
):
    """Test that the impact of sample_weight is consistent.

    Note that this test is stricter than the common test
    check_sample_weight_equivalence alone and also tests sparse X.
    """
    rng = np.random.RandomState(global_random_seed)
    n_samples, n_features = 10, 5
    X = rng.rand(n_samples, n_features)
    y = rng.rand(n_samples)

    params = dict(
        alpha=alpha,
        fit_intercept=fit_intercept,
        tol=1e-6,
        l1_ratio=0.5,
    )

    n_tasks = 3
    y = np.tile(y[:, None], reps=(1, n_tasks))

    if sparse_container is not None:
        X = sparse_container(X)

    reg = estimator(**params).fit(X, y)
    coef = reg.coef_.copy()
    if fit_intercept:
        intercept = reg.intercept_
    assert np.sum(coef != 0) > 1

    # 1) sample_weight=np.ones(..) should be equivalent to sample_weight=None
    sample_weight = np.ones_like(y, shape=y.shape[0])
    reg.fit(X, y, sample_weight=sample_weight)
    assert_allclose(reg.coef_, coef, rtol=1e-6)
    if fit_intercept:
        assert_allclose(reg.intercept_, intercept)

    # 2) sample_weight=None should be equivalent to sample_weight = number
    sample_weight = 123.0
    reg.fit(X, y, sample_weight=sample_weight)
    assert_allclose(reg.coef_, coef, rtol=1e-6)
    if fit_intercept:
        assert_allclose(reg.intercept_, intercept)

    # 3) scaling of sample_weight should have no effect, cf. np.average()
    sample_weight = rng.uniform(low=0.01, high=2, size=X.shape[0])
    reg = reg.fit(X, y, sample_weight=sample_weight)
    coef = reg.coef_.copy()
    if fit_intercept:
        intercept = reg.intercept_

    reg.fit(X, y, sample_weight=np.pi * sample_weight)
    assert_allclose(reg.coef_, coef, rtol=1e-6)
    if fit_intercept:
        assert_allclose(reg.intercept_, intercept)

    # 4) setting elements of sample_weight to 0 is equivalent to removing these samples
    sample_weight_0 = sample_weight.copy()
    sample_weight_0[-5:] = 0
    y[-5:] *= 1000  # to make excluding those samples important
    reg.fit(X, y, sample_weight=sample_weight_0)
    coef_0 = reg.coef_.copy()
    if fit_intercept:
        intercept_0 = reg.intercept_
    reg.fit(X[:-5], y[:-5], sample_weight=sample_weight[:-5])
    assert_allclose(reg.coef_, coef_0, rtol=1e-6)
    if fit_intercept:
        assert_allclose(reg.intercept_, intercept_0)

    # 5) check that multiplying sample_weight by 2 is equivalent to repeating
    # corresponding samples twice
    if sparse_container is not None:
        X2 = sparse.vstack([X, X[: n_samples // 2]], format="csc")
    else:
        X2 = np.concatenate([X, X[: n_samples // 2]], axis=0)
    y2 = np.concatenate([y, y[: n_samples // 2]], axis=0)
    sample_weight_1 = sample_weight.copy()
    sample_weight_1[: n_samples // 2] *= 2
    sample_weight_2 = np.concatenate(
        [sample_weight, sample_weight[: n_samples // 2]], axis=0
    )

    reg1 = estimator(**params).fit(X, y, sample_weight=sample_weight_1)
    reg2 = estimator(**params).fit(X2, y2, sample_weight=sample_weight_2)
    assert_allclose(reg1.coef_, reg2.coef_, rtol=1e-6)


# ElasticNetCV, the other estimator there, is scikit-learn's own.
@pytest.mark.parametrize("estimator", [MultiTaskElasticNetCV])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sparse_container", [None] + CSC_CONTAINERS)
def test_enet_cv_sample_weight_correctness(
    estimator, fit_intercept, sparse_container, global_random_seed
):
    """Test that ElasticNetCV with sample weights gives correct results.

    We fit the same model twice, once with weighted training data, once with repeated
    data points in the training data and check that both models converge to the
    same solution.

    Since this model uses an internal cross-validation scheme to tune the alpha
    regularization parameter, we make sure that the repetitions only occur within
    a specific CV group. Data points belonging to other CV groups stay
    unit-weighted / "unrepeated".
    """
    rng = np.random.RandomState(global_random_seed)
    n_splits, n_samples_per_cv, n_features = 3, 10, 5
    X_with_weights = rng.rand(n_splits * n_samples_per_cv, n_features)
    beta = 10 * rng.rand(n_features)
    beta[0:2] = 0
    y_with_weights = X_with_weights @ beta + rng.rand(n_splits * n_samples_per_cv)
    n_tasks = 3
    y_with_weights = np.tile(y_with_weights[:, None], reps=(1, n_tasks))

    if sparse_container is not None:
        X_with_weights = sparse_container(X_with_weights)
    params = dict(tol=1e-6)

    # Assign random integer weights only to the first cross-validation group.
    # The samples in the other cross-validation groups are left with unit
    # weights.

    sw = np.ones(y_with_weights.shape[0])
    sw[:n_samples_per_cv] = rng.randint(0, 5, size=n_samples_per_cv)
    groups_with_weights = np.concatenate(
        [
            np.full(n_samples_per_cv, 0),
            np.full(n_samples_per_cv, 1),
            np.full(n_samples_per_cv, 2),
        ]
    )
    splits_with_weights = list(
        LeaveOneGroupOut().split(X_with_weights, groups=groups_with_weights)
    )
    reg_with_weights = estimator(
        cv=splits_with_weights, fit_intercept=fit_intercept, **params
    )

    reg_with_weights.fit(X_with_weights, y_with_weights, sample_weight=sw)
    assert np.sum(reg_with_weights.coef_ != 0) > 1

    if sparse_container is not None:
        X_with_weights = X_with_weights.toarray()
    X_with_repetitions = np.repeat(X_with_weights, sw.astype(int), axis=0)
    if sparse_container is not None:
        X_with_repetitions = sparse_container(X_with_repetitions)

    y_with_repetitions = np.repeat(y_with_weights, sw.astype(int), axis=0)
    groups_with_repetitions = np.repeat(groups_with_weights, sw.astype(int), axis=0)

    splits_with_repetitions = list(
        LeaveOneGroupOut().split(X_with_repetitions, groups=groups_with_repetitions)
    )
    reg_with_repetitions = estimator(
        cv=splits_with_repetitions, fit_intercept=fit_intercept, **params
    )
    reg_with_repetitions.fit(X_with_repetitions, y_with_repetitions)

    # Check that the alpha selection process is the same:
    assert_allclose(reg_with_weights.mse_path_, reg_with_repetitions.mse_path_)
    assert_allclose(reg_with_weights.alphas_, reg_with_repetitions.alphas_)
    assert reg_with_weights.alpha_ == pytest.approx(reg_with_repetitions.alpha_)

    # Check that the final model coefficients are the same:
    assert_allclose(reg_with_weights.coef_, reg_with_repetitions.coef_, atol=1e-10)
    assert reg_with_weights.intercept_ == pytest.approx(reg_with_repetitions.intercept_)


# (ElasticNetCV, ElasticNet), the other pair there, is scikit-learn's own.
@pytest.mark.parametrize(
    ["estimatorCV", "estimator"],
    [(MultiTaskElasticNetCV, MultiTaskElasticNet)],
)
@pytest.mark.parametrize("sample_weight", [False, True])
def test_enet_cv_grid_search(estimatorCV, estimator, sample_weight):
    """Test that ElasticNetCV gives same result as GridSearchCV."""
    n_samples, n_features = 200, 10
    n_targets = 3

    cv = 5
    X, y = make_regression(
        n_targets=n_targets,
        n_samples=n_samples,
        n_features=n_features,
        effective_rank=10,
        n_informative=n_features - 4,
        noise=10,
        random_state=0,
    )
    if sample_weight:
        sample_weight = np.linspace(1, 5, num=n_samples)
    else:
        sample_weight = None

    alphas = np.logspace(np.log10(1e-5), np.log10(1), num=10)
    l1_ratios = [0.1, 0.5, 0.9]
    # estimatorCV(cv=cv, alphas=alphas, l1_ratio=l1_ratios): one CV per ratio
    # (module docstring)
    l1_ratio_, reg = _fit_l1_ratio_grid(
        X, y, l1_ratios, sample_weight=sample_weight, cv=cv, alphas=alphas
    )

    param = {"alpha": alphas, "l1_ratio": l1_ratios}
    gs = GridSearchCV(
        estimator=estimator(),
        param_grid=param,
        # cv=5: GridSearchCV gives a regressor unshuffled KFold(5) itself;
        # written out to show that both searches see the same folds.
        cv=KFold(cv),
        scoring="neg_mean_squared_error",
    ).fit(X, y, sample_weight=sample_weight)

    assert l1_ratio_ == pytest.approx(gs.best_params_["l1_ratio"])
    assert reg.alpha_ == pytest.approx(gs.best_params_["alpha"])


# LassoCV and ElasticNetCV, the other estimators there, are scikit-learn's
# own; precompute is dropped for the multi-task classes (module docstring).
# l1_ratio=0 means "not passed" (MultiTaskLassoCV's own l1_ratio).
@pytest.mark.parametrize(
    ["estimator", "l1_ratio"],
    [
        (MultiTaskLassoCV, 0),
        (MultiTaskElasticNetCV, 0.5),
        (MultiTaskElasticNetCV, 1),
    ],
)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sparse_container", [None] + CSC_CONTAINERS)
def test_enet_cv_sample_weight_consistency(
    estimator, l1_ratio, fit_intercept, sparse_container
):
    """Test that the impact of sample_weight is consistent."""
    rng = np.random.RandomState(0)
    n_samples, n_features = 10, 5

    X = rng.rand(n_samples, n_features)
    y = X.sum(axis=1) + rng.rand(n_samples)
    params = dict(
        fit_intercept=fit_intercept,
        tol=1e-6,
        cv=3,
    )
    if l1_ratio > 0:
        params["l1_ratio"] = l1_ratio
    n_tasks = 3
    y = np.tile(y[:, None], reps=(1, n_tasks))
    if sparse_container is not None:
        X = sparse_container(X)

    reg = estimator(**params).fit(X, y)
    coef = reg.coef_.copy()
    if fit_intercept:
        intercept = reg.intercept_
    assert np.sum(coef != 0) > 1

    # sample_weight=np.ones(..) should be equivalent to sample_weight=None
    sample_weight = np.ones(n_samples)
    reg.fit(X, y, sample_weight=sample_weight)
    assert_allclose(reg.coef_, coef, rtol=1e-6)
    if fit_intercept:
        assert_allclose(reg.intercept_, intercept)

    # sample_weight=None should be equivalent to sample_weight = number
    sample_weight = 123.0
    reg.fit(X, y, sample_weight=sample_weight)
    assert_allclose(reg.coef_, coef, rtol=1e-6)
    if fit_intercept:
        assert_allclose(reg.intercept_, intercept)

    # scaling of sample_weight should have no effect, cf. np.average()
    sample_weight = 2 * np.ones(n_samples)
    reg.fit(X, y, sample_weight=sample_weight)
    assert_allclose(reg.coef_, coef, rtol=1e-6)
    if fit_intercept:
        assert_allclose(reg.intercept_, intercept)


# (ElasticNetCV, ElasticNet), the other pair there, is scikit-learn's own;
# positive=True returns early for the multi-task pair (module docstring).
@pytest.mark.parametrize(
    ["estimatorCV", "estimator"],
    [
        (MultiTaskElasticNetCV, MultiTaskElasticNet),
    ],
)
@pytest.mark.parametrize("X_is_sparse", [False, sparse.csc_array, sparse.csc_matrix])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("sample_weight", [np.array([1, 10, 1, 10]), None])
def test_enet_alpha_max(
    estimatorCV, estimator, X_is_sparse, fit_intercept, sample_weight
):
    X = np.array([[3.0, -1.0], [2.0, -5.0], [5.0, -3.0], [1.0, -4.0]])
    beta = np.array([1, -2])
    y = X @ beta
    params = dict(fit_intercept=fit_intercept)
    n_tasks = 3
    y = np.tile(y[:, None], reps=(1, n_tasks))

    if X_is_sparse:
        X = X_is_sparse(X)
    # Test alpha_max makes coefs zero.
    reg = estimatorCV(alphas=1, cv=2, eps=1, **params)
    reg.fit(X, y, sample_weight=sample_weight)
    assert_allclose(reg.coef_, 0, atol=1e-5)
    alpha_max = reg.alpha_
    # Test smaller alpha makes coefs nonzero.
    reg = estimator(alpha=0.99 * alpha_max, tol=1e-8, **params)
    reg.fit(X, y, sample_weight=sample_weight)
    assert_array_less(1e-3, np.max(np.abs(reg.coef_)))
