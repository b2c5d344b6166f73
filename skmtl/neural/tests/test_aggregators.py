"""Each gradient aggregator against its definition on hand-made gradients."""

import cvxpy as cp
import numpy as np
import pytest

from skmtl.neural._aggregators import (
    cagrad,
    get_aggregator,
    mgda,
    min_norm_weights,
    nash,
    pcgrad,
)


def _gram(G):
    return G @ G.T


@pytest.mark.parametrize("seed", range(5))
def test_mgda_two_tasks_closed_form(seed):
    rng = np.random.default_rng(seed)
    G = rng.normal(size=(2, 7))
    g1, g2 = G
    expected = np.clip((g2 - g1) @ g2 / np.sum((g1 - g2) ** 2), 0, 1)
    alpha = min_norm_weights(_gram(G))
    assert alpha[0] == pytest.approx(expected)
    assert alpha.sum() == pytest.approx(1.0)
    # brute force over a fine grid of the segment
    grid = np.linspace(0, 1, 20001)
    norms = [np.sum((a * g1 + (1 - a) * g2) ** 2) for a in grid]
    assert alpha[0] == pytest.approx(grid[int(np.argmin(norms))], abs=1e-4)
    assert np.allclose(mgda(_gram(G)), 2 * alpha)


def test_mgda_two_tasks_clipped():
    # g2 is shorter and aligned with g1: the min-norm point is g2 itself
    G = np.array([[2.0, 0.0], [1.0, 0.0]])
    assert np.allclose(min_norm_weights(_gram(G)), [0.0, 1.0])


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("T", [3, 5])
def test_mgda_frank_wolfe_matches_qp(seed, T):
    rng = np.random.default_rng(seed)
    G = rng.normal(size=(T, 6))
    alpha = min_norm_weights(_gram(G), max_iter=5000, tol=1e-12)
    a = cp.Variable(T)
    prob = cp.Problem(cp.Minimize(cp.sum_squares(G.T @ a)), [a >= 0, cp.sum(a) == 1])
    prob.solve()
    assert np.all(alpha >= 0) and alpha.sum() == pytest.approx(1.0)
    assert np.sum((G.T @ alpha) ** 2) == pytest.approx(prob.value, abs=1e-6)


def test_pcgrad_removes_conflicting_component():
    g1 = np.array([1.0, 0.0])
    g2 = np.array([-1.0, 1.0])
    G = np.stack([g1, g2])
    beta = pcgrad(_gram(G), np.random.default_rng(0))
    d = beta @ G
    p1 = g1 - (g1 @ g2) / (g2 @ g2) * g2
    p2 = g2 - (g2 @ g1) / (g1 @ g1) * g1
    assert np.allclose(d, p1 + p2)
    # each projected gradient no longer conflicts with the other task
    assert p1 @ g2 == pytest.approx(0) and p2 @ g1 == pytest.approx(0)
    assert d @ g1 >= 0 and d @ g2 >= 0


def test_pcgrad_keeps_agreeing_gradients():
    G = np.array([[1.0, 0.2], [0.5, 1.0], [0.1, 0.3]])
    assert np.allclose(pcgrad(_gram(G), 0), np.ones(3))


def test_pcgrad_three_tasks_sequential_projection():
    rng = np.random.default_rng(3)
    G = rng.normal(size=(3, 4))
    order_rng = np.random.default_rng(11)
    beta = pcgrad(_gram(G), np.random.default_rng(11))
    expected = np.zeros(4)
    for i in range(3):
        gi = G[i].copy()
        for j in order_rng.permutation(3):
            if j == i:
                continue
            if gi @ G[j] < 0:
                gi -= (gi @ G[j]) / (G[j] @ G[j]) * G[j]
        expected += gi
    assert np.allclose(beta @ G, expected)


def test_cagrad_c0_is_the_sum():
    G = np.random.default_rng(0).normal(size=(3, 5))
    assert np.allclose(cagrad(_gram(G), c=0.0), np.ones(3))


@pytest.mark.parametrize("c", [0.2, 0.5, 0.9])
def test_cagrad_two_tasks_definition(c):
    g1 = np.array([1.0, 0.1])
    g2 = np.array([-0.8, 0.6])
    G = np.stack([g1, g2])
    beta = cagrad(_gram(G), c=c, rescale=2)
    g0 = G.mean(0)
    # w = argmin_{w in simplex} g_w . g0 + c ||g0|| ||g_w|| (grid search)
    grid = np.linspace(0, 1, 100001)
    gw = grid[:, None] * g1 + (1 - grid[:, None]) * g2
    obj = gw @ g0 + c * np.linalg.norm(g0) * np.linalg.norm(gw, axis=1)
    w = grid[int(np.argmin(obj))]
    gw = w * g1 + (1 - w) * g2
    d = (g0 + c * np.linalg.norm(g0) / np.linalg.norm(gw) * gw) / (1 + c)
    assert np.allclose(beta @ G, 2 * d, atol=1e-4)
    # the worst task's directional derivative improves on the plain mean
    assert min(G @ (beta @ G)) > min(G @ (2 * g0 / (1 + c)))


@pytest.mark.parametrize("seed", range(4))
def test_nash_bargaining_condition(seed):
    rng = np.random.default_rng(seed)
    G = rng.normal(size=(3, 8)) * np.array([[1.0], [10.0], [0.1]])
    K = _gram(G)
    alpha = nash(K, max_norm=None)
    assert np.all(alpha > 0)
    assert np.allclose(alpha * (K @ alpha), 1.0, rtol=1e-5)


def test_nash_orthogonal_gradients():
    G = np.diag([2.0, 0.5, 4.0])
    assert np.allclose(nash(_gram(G), max_norm=None), [0.5, 2.0, 0.25], rtol=1e-6)


def test_unknown_aggregator():
    with pytest.raises(ValueError, match="Unknown aggregator"):
        get_aggregator("upgrad")


@pytest.mark.parametrize("name", ["mgda", "pcgrad", "cagrad", "nash"])
def test_aggregators_scale_free_direction(name):
    """Scaling all gradients by s keeps the direction (mgda/pcgrad/cagrad)."""
    G = np.random.default_rng(1).normal(size=(3, 4))
    f = get_aggregator(name)
    d1 = f(_gram(G), np.random.default_rng(0)) @ G
    d2 = f(_gram(10 * G), np.random.default_rng(0)) @ (10 * G)
    cos = d1 @ d2 / np.linalg.norm(d1) / np.linalg.norm(d2)
    assert cos == pytest.approx(1.0, abs=1e-6)


# The reference numbers: torchjd 0.18's docstring examples on one Jacobian
# (``A(J)`` for PCGrad(), CAGrad(c=0.5), NashMTL(n_tasks=2), MGDA()).
_J = np.array([[-4.0, 1.0, 1.0], [6.0, 1.0, 1.0]])
_TORCHJD = {
    "pcgrad": [0.5848, 3.8012, 3.8012],
    "cagrad": [0.1835, 1.2041, 1.2041],
    "nash": [0.0542, 0.7061, 0.7061],
    "mgda": [0.0, 1.0, 1.0],
}


@pytest.mark.parametrize(
    "name, params",
    [
        ("pcgrad", {"scale": "sum"}),
        ("cagrad", {"c": 0.5, "rescale": 0, "scale": "mean"}),
        ("nash", {"scale": "sum"}),  # max_norm=1.0 by default, as torchjd
        ("mgda", {"scale": "mean"}),
    ],
)
def test_reference_numbers_of_torchjd(name, params):
    d = get_aggregator(name)(_gram(_J), np.random.default_rng(0), **params) @ _J
    np.testing.assert_allclose(d, _TORCHJD[name], atol=1e-4)


@pytest.mark.parametrize("name", ["mgda", "pcgrad", "cagrad", "nash"])
def test_mean_scale_is_sum_scale_over_n_tasks(name):
    G = np.random.default_rng(2).normal(size=(3, 6))
    f = get_aggregator(name)
    extra = {"max_norm": None} if name == "nash" else {}
    s = f(_gram(G), np.random.default_rng(0), scale="sum", **extra)
    m = f(_gram(G), np.random.default_rng(0), scale="mean", **extra)
    np.testing.assert_allclose(m, s / 3, rtol=1e-10)
    with pytest.raises(ValueError, match="scale='avg'"):
        f(_gram(G), np.random.default_rng(0), scale="avg")


@pytest.mark.parametrize("c", [0.25, 0.5, 1.0])
def test_cagrad_rescale_against_the_original(c):
    """rescale=1 (default) divides by 1 + c^2 as the authors' code and LibMTL,
    2 by 1 + c, 0 not at all (torchjd)."""
    G = np.random.default_rng(4).normal(size=(4, 7))
    K = _gram(G)
    raw = cagrad(K, c=c, rescale=0)
    np.testing.assert_allclose(cagrad(K, c=c), raw / (1 + c**2), rtol=1e-10)
    np.testing.assert_allclose(cagrad(K, c=c, rescale=2), raw / (1 + c), rtol=1e-10)
    with pytest.raises(ValueError, match="rescale=3"):
        cagrad(K, c=c, rescale=3)


@pytest.mark.parametrize("seed", range(3))
def test_nash_max_norm_clips_the_update(seed):
    G = np.random.default_rng(seed).normal(size=(3, 5)) * 10.0 ** (seed - 1)
    K = _gram(G)
    free = nash(K, max_norm=None)
    # at the bargaining solution ||d||^2 = sum_t alpha_t (K alpha)_t = n_tasks
    assert np.linalg.norm(free @ G) == pytest.approx(np.sqrt(3), rel=1e-6)
    for max_norm in (1.0, 0.5):
        beta = nash(K, max_norm=max_norm)
        assert np.linalg.norm(beta @ G) == pytest.approx(max_norm, rel=1e-8)
        np.testing.assert_allclose(beta, free * max_norm / np.sqrt(3), rtol=1e-6)
    # a bound above the norm, or the mean scale (norm 1/sqrt(3)), never clips
    np.testing.assert_allclose(nash(K, max_norm=5.0), free)
    np.testing.assert_allclose(nash(K, scale="mean"), free / 3, rtol=1e-10)


def test_torchjd_live_agrees():
    """The same numbers from the installed torchjd on another Jacobian."""
    aggregation = pytest.importorskip("torchjd.aggregation")
    torch = pytest.importorskip("torch")
    G = np.random.default_rng(5).normal(size=(3, 6))
    J = torch.as_tensor(G)
    ours = mgda(_gram(G), scale="mean") @ G
    ref = aggregation.MGDA(epsilon=1e-10, max_iters=10000)(J).numpy()
    np.testing.assert_allclose(ours, ref, atol=1e-4)
    ours = cagrad(_gram(G), c=0.4, rescale=0, scale="mean") @ G
    np.testing.assert_allclose(ours, aggregation.CAGrad(c=0.4)(J).numpy(), atol=1e-4)


def _one_step(aggregator, params, n_tasks=3):
    from skmtl.datasets import make_multitask_regression
    from skmtl.neural import MultiTaskMLPRegressor

    X, Y = make_multitask_regression(64, 4, n_tasks, random_state=0)
    return MultiTaskMLPRegressor(
        trunk_layer_sizes=(8,),
        optimizer="sgd",
        batch_size=64,
        max_epochs=1,
        aggregator=aggregator,
        aggregator_params=params,
        random_state=0,
    ).fit(X, Y)


@pytest.mark.parametrize("name", ["mgda", "pcgrad", "cagrad"])
def test_estimator_scale_divides_the_coefficients(name):
    pytest.importorskip("skorch")
    s = _one_step(name, {"scale": "sum"}).task_weights_
    m = _one_step(name, {"scale": "mean"}).task_weights_
    np.testing.assert_allclose(m, s / 3, rtol=1e-5)


def test_estimator_nash_clips_its_step():
    pytest.importorskip("skorch")
    clipped = _one_step("nash", None).task_weights_
    free = _one_step("nash", {"max_norm": None}).task_weights_
    # ||d|| = sqrt(3) unclipped: the default max_norm=1 divides by sqrt(3)
    np.testing.assert_allclose(clipped, free / np.sqrt(3), rtol=1e-4)
    with pytest.raises(ValueError, match="not options of 'nash'"):
        _one_step("nash", {"c": 0.5})


def test_fit_with_torchjd_upgrad():
    """The [torchjd] extra installs UPGrad's QP solvers (quadprog, qpsolvers)."""
    aggregation = pytest.importorskip("torchjd.aggregation")
    pytest.importorskip("skorch")
    m = _one_step(aggregation.UPGrad(), None)
    assert np.isfinite(m.train_task_losses_).all()
    assert m.task_weights_.shape == (1, 3) and np.all(m.task_weights_ > 0)


def test_aggregator_params_checked_once():
    from skmtl.neural._aggregators import check_aggregator_params

    check_aggregator_params("cagrad", {"c": 0.5, "rescale": 2, "scale": "mean"})
    check_aggregator_params(None, None)
    with pytest.raises(ValueError, match=r"\['max_norm'\] are not options of 'mgda'"):
        check_aggregator_params("mgda", {"max_norm": 1.0})
    with pytest.raises(ValueError, match="callable aggregator is used as it"):
        check_aggregator_params(lambda J: J.sum(0), {"scale": "mean"})
    with pytest.raises(ValueError, match="max_norm=-1"):
        check_aggregator_params("nash", {"max_norm": -1})
