"""MAMORegressor: conflict counting, module placement, MGDA step."""

import copy
import pickle
import warnings

import numpy as np
import pytest
import torch
from scipy import stats
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold
from skorch.callbacks import Callback

from skmtl.neural import MAMOClassifier, MAMORegressor, MultiTaskMLPClassifier
from skmtl.neural._gmk import (
    MAMONet,
    cosine_tstat,
    layer_conflicts,
    select_conflicting_pairs,
)
from skmtl.neural._modules import SharedBottom
from skmtl.utils import wide_to_long

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def planted(n=512, seed=0):
    """Two agreeing groups {0, 1} and {2, 3} that conflict with each other.

    Group A learns ``relu(z)``, group B ``relu(-z)`` of the same projection
    ``z``: a trunk unit that helps one group by growing along ``+w`` hurts
    the other, while tasks inside a group want the same features.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    z = X[:, 0] + X[:, 1]
    a, b = np.maximum(z, 0), np.maximum(-z, 0)
    noise = 0.1 * rng.normal(size=(n, 2))
    return X, np.column_stack([a, a + noise[:, 0], b, b + noise[:, 1]])


class _Capture(Callback):
    """Keep the module's state at the start and parameters/grads at each step."""

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        if not hasattr(self, "initial"):
            self.initial = copy.deepcopy(net.module_.state_dict())

    def on_grad_computed(self, net, named_parameters, X=None, y=None, **kwargs):
        self.params = {n: p.detach().clone() for n, p in net.module_.named_parameters()}
        self.grads = {
            n: None if p.grad is None else p.grad.detach().clone()
            for n, p in net.module_.named_parameters()
        }
        self.X = X


def aligned(n=512, seed=0):
    """Four tasks that are scaled noisy copies of one function: no conflict."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    f = np.tanh(X[:, 0] + X[:, 1]) + 0.5 * X[:, 2]
    scales = (1.0, 0.8, 1.2, 0.6)
    return X, np.column_stack([c * f + 0.1 * rng.normal(size=n) for c in scales])


BETWEEN = [(0, 2), (0, 3), (1, 2), (1, 3)]
#: a trunk too narrow for both groups (a real conflict), probed for 8 epochs
_PROBE = dict(
    trunk_layer_sizes=(4,), probe_epochs=8, max_epochs=8, lr=0.01, batch_size=32
)


@pytest.mark.parametrize("seed", range(5))
def test_test_rule_flags_exactly_the_conflicting_pairs(seed):
    X, Y = planted()
    m = MAMORegressor(**_PROBE, random_state=seed).fit(X, Y)
    assert m.conflict_pairs_ == BETWEEN
    assert m.modules_ == [(0, i, j) for i, j in BETWEEN]
    cos, t = m.conflict_cosine_[0], m.conflict_tstat_[0]
    assert max(cos[i, j] for i, j in BETWEEN) < -0.1
    assert cos[0, 1] > 0.3 and cos[2, 3] > 0.3
    crit = stats.t.ppf(0.05 / 6, m.conflict_n_steps_[0, 0, 1] - 1)
    assert max(t[i, j] for i, j in BETWEEN) < crit < min(t[0, 1], t[2, 3])
    # the statistics cover the second half of probing: 4 epochs of 16 steps
    assert m.n_probe_steps_ == 8 * 16
    assert np.all(m.conflict_n_steps_[0][~np.eye(4, dtype=bool)] == 4 * 16)
    assert np.all(np.diagonal(m.conflict_cosine_, axis1=1, axis2=2) == 1)
    # symmetric counts, zero diagonal, at most one count per probing step
    C = m.conflict_matrix_
    assert np.array_equal(C, C.transpose(0, 2, 1))
    assert np.all(np.diagonal(C, axis1=1, axis2=2) == 0)
    assert C.max() <= m.n_probe_steps_
    assert np.all(np.isfinite(m.predict(X)))
    # every task in a flagged pair fuses its modules, the weights sum to one
    assert sorted(m.fusion_weights_) == [(0, t) for t in range(4)]
    for w in m.fusion_weights_.values():
        assert w.shape == (3,) and w.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("seed", range(5))
def test_test_rule_adds_no_module_on_aligned_tasks(seed):
    X, Y = aligned()
    m = MAMORegressor(**_PROBE, random_state=seed).fit(X, Y)
    assert m.modules_ == [] and m.n_parameters_ == m.n_parameters_shared_bottom_
    iu = np.triu_indices(4, k=1)
    assert np.all(m.conflict_cosine_[0][iu] > 0.2)


def test_paper_rule_adds_modules_on_aligned_tasks():
    """The relative cutoff flags the pairs above the mean count anyway."""
    X, Y = aligned()
    m = MAMORegressor(**_PROBE, random_state=0).fit(X, Y)
    paper = clone(m).set_params(threshold="mean").fit(X, Y)
    assert m.modules_ == [] and len(paper.modules_) > 0
    # the same probing run: same counts, only the rule differs
    assert np.array_equal(paper.conflict_matrix_, m.conflict_matrix_)


def test_same_seed_same_architecture():
    X, Y = planted()
    m = MAMORegressor(**_PROBE, random_state=0).fit(X, Y)
    again = clone(m).fit(X, Y)
    assert again.modules_ == m.modules_
    assert np.array_equal(again.conflict_tstat_, m.conflict_tstat_, equal_nan=True)
    assert np.array_equal(again.predict(X), m.predict(X))


def test_cosine_tstat_matches_scipy_and_the_critical_value():
    rng = np.random.default_rng(0)
    series = rng.normal(-0.05, 0.3, size=(40, 2, 3, 3))
    n = np.full((2, 3, 3), 40.0)
    mean, t = cosine_tstat(series.sum(0), (series**2).sum(0), n)
    ref = stats.ttest_1samp(series, 0.0, axis=0)
    assert np.allclose(mean, series.mean(0))
    assert np.allclose(t, ref.statistic)
    # flagged exactly where the one-sided p-value is below level / n_tests
    counts = np.zeros((2, 3, 3))
    for level in (0.05, 0.5):
        got = select_conflicting_pairs(counts, n, tstat=t, level=level)
        p = stats.ttest_1samp(series, 0.0, axis=0, alternative="less").pvalue
        expected = [
            (layer, i, j)
            for layer in range(2)
            for i in range(3)
            for j in range(i + 1, 3)
            if p[layer, i, j] < level / 6
        ]
        assert got == expected
    assert len(select_conflicting_pairs(counts, n, tstat=t, level=0.5)) > 0
    # max_modules keeps the most significant
    best = np.unravel_index(
        np.argmin(np.where(np.triu(np.ones((3, 3)), 1), t, 9)), t.shape
    )
    one = select_conflicting_pairs(counts, n, tstat=t, level=0.999, max_modules=1)
    assert one == [tuple(int(v) for v in best)]
    # fewer than 2 steps: no statistic; a constant series: infinite
    _, t1 = cosine_tstat(
        np.full((1, 2, 2), -0.3), np.full((1, 2, 2), 0.09), np.ones((1, 2, 2))
    )
    assert np.all(np.isnan(t1))
    _, tc = cosine_tstat(
        np.full((1, 2, 2), -0.6), np.full((1, 2, 2), 0.18), np.full((1, 2, 2), 2.0)
    )
    assert np.all(tc == -np.inf)
    with pytest.raises(ValueError, match="tstat"):
        select_conflicting_pairs(counts, n, threshold="test")


def test_too_few_probing_steps_warn():
    X, Y = planted(n=64)
    with pytest.warns(UserWarning, match="at least 2 probing steps"):
        m = MAMORegressor(
            trunk_layer_sizes=(4,), probe_epochs=1, max_epochs=1, batch_size=64
        ).fit(X, Y)
    assert m.modules_ == []


def _hand_trunk_grads(state, X, Y):
    """Per-task gradients of a 2-layer tanh trunk with linear heads (numpy)."""
    W1, b1 = state["layers.0.weight"].double().numpy(), state["layers.0.bias"]
    W2, b2 = state["layers.1.weight"].double().numpy(), state["layers.1.bias"]
    b1, b2 = b1.double().numpy(), b2.double().numpy()
    n, T = Y.shape
    h1 = np.tanh(X @ W1.T + b1)
    h2 = np.tanh(h1 @ W2.T + b2)
    grads = []
    for t in range(T):
        v = state["heads.weight"][t].double().numpy()  # fused heads: row t
        c = state["heads.bias"][t].double().numpy()
        r = h2 @ v + c - Y[:, t]
        dz2 = (2 * r / n)[:, None] * v[None, :] * (1 - h2**2)
        dz1 = (dz2 @ W2) * (1 - h1**2)
        layer0 = np.concatenate([(dz1.T @ X).ravel(), dz1.sum(0)])
        layer1 = np.concatenate([(dz2.T @ h1).ravel(), dz2.sum(0)])
        grads.append((layer0, layer1))
    return grads


def test_conflict_counts_match_hand_computation():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 3))
    Y = rng.normal(size=(40, 4))
    cap = _Capture()
    m = MAMORegressor(
        trunk_layer_sizes=(4, 3),
        activation="tanh",
        standardize_targets=False,
        probe_epochs=1,
        max_epochs=1,
        batch_size=40,  # one probing step at the initial weights
        threshold="mean",
        callbacks=[("capture", cap)],
        random_state=0,
    ).fit(X, Y)
    state = dict(m.net_.callbacks_)["capture"].initial
    grads = _hand_trunk_grads(state, X.astype(np.float32).astype(float), Y)
    expected = np.zeros((2, 4, 4))
    for layer in range(2):
        for i in range(4):
            for j in range(4):
                gi, gj = grads[i][layer], grads[j][layer]
                cos = gi @ gj / np.linalg.norm(gi) / np.linalg.norm(gj)
                expected[layer, i, j] = float(i != j and cos < 0)
    assert 0 < expected.sum() < 2 * 12  # the hand case has both outcomes
    assert np.array_equal(m.conflict_matrix_, expected)
    assert m.n_probe_steps_ == 1
    # layer_conflicts on the same gradients gives the same cosines
    G = np.array([np.concatenate(g) for g in grads])
    n0 = len(grads[0][0])
    cos, conflict, observed = layer_conflicts(G, [slice(0, n0), slice(n0, G.shape[1])])
    assert np.array_equal(conflict, expected)
    assert np.allclose(np.diagonal(cos, axis1=1, axis2=2), 1.0)
    assert observed.sum() == 2 * 12


def test_inactive_tasks_and_threshold_rules():
    G = np.array([[1.0, 0.0, 1.0], [-1.0, 0.5, 1.0], [1.0, 1.0, -1.0]])
    _, conflict, observed = layer_conflicts(
        G, [slice(0, 2), slice(2, 3)], active=[True, True, False]
    )
    assert conflict[0, 0, 1] == 1 and conflict[1, 0, 1] == 0
    assert observed[:, 2].sum() == 0 and conflict[:, 2].sum() == 0
    counts = np.zeros((2, 3, 3))
    counts[0][[0, 1], [1, 0]] = 5  # layer 0: pair (0, 1) in 5 steps
    counts[0][[0, 2], [2, 0]] = 2
    counts[1][[1, 2], [2, 1]] = 4
    observed = np.full((2, 3, 3), 10.0)
    assert select_conflicting_pairs(counts, observed, "mean") == [
        (0, 0, 1),
        (1, 1, 2),
    ]
    assert select_conflicting_pairs(counts, observed, 0.3) == [(0, 0, 1), (1, 1, 2)]
    assert select_conflicting_pairs(counts, observed, 0.1) == [
        (0, 0, 1),
        (0, 0, 2),
        (1, 1, 2),
    ]
    assert select_conflicting_pairs(counts, observed, 0.1, max_modules=1) == [(0, 0, 1)]
    # equal counts: nothing is above the mean
    assert (
        select_conflicting_pairs(np.ones((1, 2, 2)), np.ones((1, 2, 2)), "mean") == []
    )


def _task_grads(module, X, Y, params):
    out = module(X)
    losses = (out - Y).square().mean(0)
    return losses, [
        torch.cat(
            [
                g.reshape(-1)
                for g in torch.autograd.grad(losses[t], params, retain_graph=True)
            ]
        )
        for t in range(len(losses))
    ]


def _module_at(m, captured):
    mod = copy.deepcopy(m.net_.module_)
    mod.load_state_dict(captured, strict=False)
    for name, p in mod.named_parameters():
        p.data.copy_(captured[name])
    return mod.double()


def test_mgda_step_is_min_norm_two_tasks_closed_form():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    Y = np.column_stack([X[:, 0] + X[:, 1], X[:, 0] - 2 * X[:, 1]])
    cap = _Capture()
    m = MAMORegressor(
        trunk_layer_sizes=(5,),
        standardize_targets=False,
        probe_epochs=0,
        max_epochs=1,
        batch_size=64,
        callbacks=[("capture", cap)],
        random_state=0,
    ).fit(X, Y)
    cb = dict(m.net_.callbacks_)["capture"]
    mod = _module_at(m, cb.params)
    shared = mod.shared_parameters()
    Xt = torch.as_tensor(X.astype(np.float32), dtype=torch.float64)
    _, (g1, g2) = _task_grads(mod, Xt, torch.as_tensor(Y), shared)
    alpha = float(torch.clamp((g2 - g1) @ g2 / (g1 - g2).square().sum(), 0, 1))
    expected = 2 * (alpha * g1 + (1 - alpha) * g2)
    got = torch.cat(
        [cb.grads[n].reshape(-1).double() for n in ("layers.0.weight", "layers.0.bias")]
    )
    assert 0 < alpha < 1  # the two gradients conflict: an interior solution
    assert torch.allclose(got, expected, rtol=1e-4, atol=1e-6)
    # min-norm: d is orthogonal to g1 - g2
    assert abs(float(expected @ (g1 - g2))) < 1e-6 * float(g1 @ g1)


def test_mgda_step_with_modules_three_tasks():
    """After modules are added: trunk = MGDA direction, modules = their tasks."""
    X, Y = planted(n=128)
    Y = Y[:, :3]
    cap = _Capture()
    m = MAMORegressor(
        trunk_layer_sizes=(6,),
        standardize_targets=False,
        probe_epochs=5,
        max_epochs=6,
        batch_size=128,
        threshold=0.0,
        max_modules=1,
        lr=0.01,
        callbacks=[("capture", cap)],
        random_state=0,
    ).fit(X, Y)
    assert len(m.modules_) == 1
    _, i, j = m.modules_[0]
    cb = dict(m.net_.callbacks_)["capture"]
    mod = _module_at(m, cb.params)
    Xt = torch.as_tensor(X.astype(np.float32), dtype=torch.float64)
    Yt = torch.as_tensor(Y)
    shared = mod.shared_parameters()
    losses, g = _task_grads(mod, Xt, Yt, shared)
    G = torch.stack(g)
    K = (G @ G.T).numpy()
    coef = np.asarray(m.net_.history[-1]["batches"][-1]["task_weights"])
    alpha = coef / 3
    assert alpha.min() >= 0 and alpha.sum() == pytest.approx(1.0)
    # optimality of the min-norm problem on the simplex (KKT)
    Ka, aKa = K @ alpha, alpha @ K @ alpha
    assert np.all(Ka >= aKa - 1e-6 * np.abs(K).max())
    assert np.allclose(Ka[alpha > 1e-6], aKa, atol=1e-6 * np.abs(K).max())
    d = torch.as_tensor(coef) @ G
    got = torch.cat(
        [cb.grads[n].reshape(-1).double() for n in ("layers.0.weight", "layers.0.bias")]
    )
    assert torch.allclose(got, d, rtol=1e-4, atol=1e-6)
    # the module gets the sum of its two tasks' gradients
    gmk = list(mod.gmks[0].parameters())
    expected = torch.cat(
        [g.reshape(-1) for g in torch.autograd.grad(losses[i] + losses[j], gmk)]
    )
    got = torch.cat(
        [cb.grads[f"gmks.0.{n}"].reshape(-1).double() for n in ("weight", "bias")]
    )
    assert torch.allclose(got, expected, rtol=1e-4, atol=1e-7)


def test_module_is_function_preserving_and_private_to_its_pair():
    torch.manual_seed(0)
    mod = MAMONet(5, [1, 1, 1], trunk_layer_sizes=(6, 4), activation="tanh")
    X = torch.randn(16, 5)
    before = mod(X).detach()
    new = mod.add_gmks([(0, 0, 2), (1, 0, 2), (1, 0, 1)])
    assert len(new) == 3 * 2 + 5  # weight and bias per module, 5 fusion logits
    assert torch.allclose(mod(X), before, atol=1e-6)
    with torch.no_grad():  # make the modules differ from the shared layers
        for p in mod.gmks.parameters():
            p.add_(torch.randn_like(p))
    out = mod(X)
    for k, (_, i, j) in enumerate(mod.gmk_layout):
        params = list(mod.gmks[k].parameters())
        for t in range(3):
            grads = torch.autograd.grad(
                out[:, t].sum(), params, retain_graph=True, allow_unused=True
            )
            reached = any(g is not None and g.abs().sum() > 0 for g in grads)
            assert reached == (t in (i, j)), (k, t)
    # the shared trunk is still reached by every task
    for t in range(3):
        grads = torch.autograd.grad(
            out[:, t].sum(), mod.shared_parameters(), retain_graph=True
        )
        assert all(g.abs().sum() > 0 for g in grads)


def test_parameter_counts_against_shared_bottom():
    X, Y = planted(n=256)
    m = MAMORegressor(
        trunk_layer_sizes=(16, 8),
        head_layer_sizes=(4,),
        probe_epochs=10,
        max_epochs=10,
        lr=0.01,
        threshold="mean",
        random_state=0,
    ).fit(X, Y)
    sb = SharedBottom(6, [1] * 4, trunk_layer_sizes=(16, 8), head_layer_sizes=(4,))
    assert m.n_parameters_shared_bottom_ == sum(p.numel() for p in sb.parameters())
    sizes = {0: 6 * 16 + 16, 1: 16 * 8 + 8}
    n_fusion = sum(len(w) for w in m.fusion_weights_.values())
    assert len(m.modules_) > 0
    assert m.n_parameters_ == (
        m.n_parameters_shared_bottom_
        + sum(sizes[layer] for layer, _, _ in m.modules_)
        + n_fusion
    )
    # without probing the model is a shared-bottom net trained with MGDA
    m0 = clone(m).set_params(probe_epochs=0).fit(X, Y)
    assert m0.modules_ == [] and m0.n_parameters_ == m.n_parameters_shared_bottom_
    assert np.all(np.isfinite(m0.conflict_matrix_)) and m0.conflict_matrix_.sum() == 0


def test_wide_and_long_layouts_give_the_same_model():
    X, Y = planted(n=96)
    Y = Y.copy()
    Y[np.random.default_rng(0).random(Y.shape) < 0.2] = np.nan
    params = dict(
        trunk_layer_sizes=(8,),
        probe_epochs=4,
        max_epochs=6,
        batch_size=1000,  # one full batch: the same steps in both layouts
        lr=0.02,
        threshold=0.0,
        random_state=0,
    )
    wide = MAMORegressor(**params).fit(X, Y)
    Xl, yl = wide_to_long(X, Y)
    long = MAMORegressor(**params, task_column=-1).fit(Xl, yl)
    assert wide.modules_ == long.modules_ and len(wide.modules_) > 0
    assert np.array_equal(wide.conflict_matrix_, long.conflict_matrix_)
    assert np.allclose(wide.conflict_tstat_, long.conflict_tstat_, equal_nan=True)
    rows = np.arange(len(Xl))
    expected = wide.predict(Xl[:, :-1])[rows, Xl[:, -1].astype(int)]
    assert np.allclose(long.predict(Xl), expected, atol=1e-4)
    assert long.score(Xl, yl) == pytest.approx(wide.score(X, Y), abs=1e-3)


def test_grid_search_and_pickle():
    X, Y = planted(n=128)
    base = MAMORegressor(trunk_layer_sizes=(8,), max_epochs=4, lr=0.02, random_state=0)
    grid = {"probe_epochs": [0, 2], "threshold": ["mean", 0.3]}
    search = GridSearchCV(base, grid, cv=KFold(2, shuffle=True, random_state=0))
    search.fit(X, Y)
    assert len(search.cv_results_["params"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    m = search.best_estimator_
    m2 = pickle.loads(pickle.dumps(m))
    assert np.array_equal(m.predict(X), m2.predict(X))
    assert m2.modules_ == m.modules_


def test_errors_and_convergence_warning():
    X, Y = planted(n=64)
    with pytest.raises(ValueError, match="at least one shared trunk layer"):
        MAMORegressor(trunk_layer_sizes=(), max_epochs=1).fit(X, Y)
    with pytest.raises(ValueError, match="threshold"):
        MAMORegressor(threshold="median", max_epochs=1).fit(X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        with pytest.raises(ConvergenceWarning, match="train_loss.*tol"):
            MAMORegressor(
                trunk_layer_sizes=(8,),
                probe_epochs=2,
                max_epochs=5,
                n_iter_no_change=2,
                threshold="mean",
                random_state=0,
            ).fit(X, Y)


def _binary(Y):
    return (Y > np.median(Y, axis=0)).astype(int)


@pytest.mark.parametrize("seed", range(5))
def test_classifier_adds_no_module_on_aligned_tasks(seed):
    X, Y = aligned()
    clf = MAMOClassifier(**_PROBE, random_state=seed).fit(X, _binary(Y))
    assert clf.modules_ == []
    assert clf.score(X, _binary(Y)) > 0.85


def test_classifier_conventions_and_conflicting_pairs():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(512, 6))
    z = X[:, 0] + X[:, 1]
    a, b = (z > 0.5).astype(int), (z < -0.5).astype(int)
    flip = rng.random((512, 2)) < 0.05  # noisy copies inside each group
    Y = np.column_stack([a, np.where(flip[:, 0], 1 - a, a), b, b])
    Y[:, 3] = np.where(flip[:, 1], 1 - b, b)
    clf = MAMOClassifier(**_PROBE, random_state=1).fit(X, Y)
    assert clf.conflict_pairs_ == BETWEEN
    assert [c.tolist() for c in clf.classes_] == [[0, 1]] * 4
    assert clf.task_types_ == ["binary"] * 4
    pred = clf.predict(X)
    assert pred.shape == (512, 4) and set(np.unique(pred)) <= {0, 1}
    # one output convention with the MLP classifier
    ref = MultiTaskMLPClassifier(trunk_layer_sizes=(4,), max_epochs=1).fit(X, Y)
    for got, expected in zip(
        clf.predict_proba(X[:5]), ref.predict_proba(X[:5]), strict=True
    ):
        assert np.shape(got) == np.shape(expected)
        assert np.allclose(np.sum(got, axis=-1), 1.0)
    assert clf.score(X, Y) == pytest.approx(np.mean(pred == Y))
    # multiclass task: softmax head, three classes
    Y3 = np.column_stack([a, np.digitize(X[:, 2], [-0.5, 0.5])])
    clf3 = MAMOClassifier(**_PROBE, random_state=0).fit(X, Y3)
    assert clf3.task_types_ == ["binary", "multiclass"]
    assert clf3.predict_proba(X[:3])[1].shape == (3, 3)
    m = pickle.loads(pickle.dumps(clf))
    assert np.array_equal(m.predict(X), pred)
