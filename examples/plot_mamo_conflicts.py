"""
=========================================================
Conflict-driven modules: where MAMO stops sharing a layer
=========================================================

Four regression tasks in two groups: tasks 0 and 1 learn ``relu(z)``, tasks 2
and 3 learn ``relu(-z)`` of the same projection ``z = x_0 + x_1`` (each group
has one noiseless and one noisy copy). Inside a group the tasks want the same
hidden units; across groups, on a trunk too narrow to give each group its own
units, a unit that grows along ``+z`` helps one group and hurts the other.

:class:`~skmtl.neural.MAMORegressor` first trains a shared-bottom net for
``probe_epochs`` epochs and records, on every mini-batch and for every trunk
layer, the cosine between each pair of tasks' gradients on that layer. A pair
whose mean cosine (over the second half of probing) is significantly below
zero (one-sided t-test, family-wise level ``conflict_level``) gets a
gradient-mediative module: a copy of the layer used only by the two tasks,
mixed into each task's path with learned softmax weights
(``fusion_weights_``). Training then continues with the MGDA update on the
shared trunk. The paper's relative cutoff (``threshold='mean'``) is compared
at the end, on tasks that do not conflict.
"""

# %%
# Data and model
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skmtl.neural import MAMORegressor, MultiTaskMLPRegressor


def planted(n=1000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    z = X[:, 0] + X[:, 1]
    a, b = np.maximum(z, 0), np.maximum(-z, 0)
    noise = 0.1 * rng.normal(size=(n, 2))
    return X, np.column_stack([a, a + noise[:, 0], b, b + noise[:, 1]])


warnings.filterwarnings("ignore", category=ConvergenceWarning)  # small fixed budget
X, Y = planted(n=600)
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, random_state=0)
probe = dict(trunk_layer_sizes=(4,), probe_epochs=8, lr=0.01, batch_size=32)
mamo = MAMORegressor(**probe, max_epochs=20, random_state=0).fit(X_train, Y_train)
print("modules (layer, i, j):", mamo.modules_)
print(
    f"parameters: {mamo.n_parameters_} with modules, "
    f"{mamo.n_parameters_shared_bottom_} for the shared-bottom net"
)

# %%
# Mean gradient cosine per layer over the second half of probing: the
# between-group pairs are negative, the pairs inside a group positive. Boxes
# mark the pairs that got a module (their t statistics are far below the
# critical value).
print("t statistics:\n", np.round(mamo.conflict_tstat_[0], 1))
n_layers = mamo.conflict_cosine_.shape[0]
fig, axes = plt.subplots(1, n_layers, figsize=(4.2 * n_layers, 3.8))
for layer, ax in enumerate(np.atleast_1d(axes)):
    im = ax.imshow(mamo.conflict_cosine_[layer], vmin=-1, vmax=1, cmap="RdBu")
    for lay, i, j in mamo.modules_:
        if lay == layer:
            for r, c in ((i, j), (j, i)):
                ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, lw=2))
    ax.set(
        title=f"trunk layer {layer}",
        xticks=range(4),
        yticks=range(4),
        xlabel="task",
        ylabel="task",
    )
fig.colorbar(im, ax=axes, label="mean cosine of the task gradients")
plt.show()

# %%
# Fusion weights learned after the modules were added: each bar splits one
# task's pre-activation at one layer between the shared layer (grey) and the
# modules it uses (labelled by their task pair).
keys = sorted(mamo.fusion_weights_)
fig, ax = plt.subplots(figsize=(7, 0.45 * len(keys) + 1))
for row, (layer, task) in enumerate(keys):
    w = mamo.fusion_weights_[(layer, task)]
    mods = [m for m in mamo.modules_ if m[0] == layer and task in m[1:]]
    names = ["shared"] + [f"({i},{j})" for _, i, j in mods]
    left = 0.0
    for k, (wk, name) in enumerate(zip(w, names, strict=True)):
        color = "lightgrey" if k == 0 else f"C{k}"
        ax.barh(row, wk, left=left, color=color, edgecolor="white")
        ax.text(left + wk / 2, row, name, ha="center", va="center", fontsize=7)
        left += wk
ax.set_yticks(range(len(keys)), [f"layer {lay}, task {t}" for lay, t in keys])
ax.invert_yaxis()
ax.set(xlim=(0, 1), xlabel="softmax fusion weight")
fig.tight_layout()
plt.show()

# %%
# Test R^2 against the shared-bottom net with the same trunk and budget.
# (early_stopping=False: the MLPs train the same 20 epochs as MAMO)
common = dict(
    trunk_layer_sizes=(4,), max_epochs=20, early_stopping=False, lr=0.01, random_state=0
)
for name, model in {
    "shared-bottom": MultiTaskMLPRegressor(**common, batch_size=32),
    "MGDA alone": MultiTaskMLPRegressor(**common, batch_size=32, aggregator="mgda"),
    "MAMO": mamo,
}.items():
    if model is not mamo:
        model.fit(X_train, Y_train)
    print(f"{name:14s} test R^2 {model.score(X_test, Y_test):.4f}")

# %%
# Tasks that agree: four scaled noisy copies of one function. The test adds
# no module; the paper's relative cutoff flags the pairs whose count of
# negative cosines is above the average anyway.
rng = np.random.default_rng(1)
f = np.tanh(X[:, 0] + X[:, 1]) + 0.5 * X[:, 2]
Y_aligned = np.column_stack(
    [c * f + 0.1 * rng.normal(size=len(X)) for c in (1.0, 0.8, 1.2, 0.6)]
)
for rule in ("test", "mean"):
    m = MAMORegressor(**probe, max_epochs=8, threshold=rule, random_state=0)
    m.fit(X, Y_aligned)
    print(f"threshold={rule!r}: modules {m.modules_}")
print("mean cosines:\n", np.round(m.conflict_cosine_[0], 2))
