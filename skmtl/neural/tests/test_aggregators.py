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
    beta = cagrad(_gram(G), c=c)
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
    alpha = nash(K)
    assert np.all(alpha > 0)
    assert np.allclose(alpha * (K @ alpha), 1.0, rtol=1e-5)


def test_nash_orthogonal_gradients():
    G = np.diag([2.0, 0.5, 4.0])
    assert np.allclose(nash(_gram(G)), [0.5, 2.0, 0.25], rtol=1e-6)


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
