"""
====================================================
Gradient conflicts between tasks in a multi-task net
====================================================

Two regression tasks share a narrow trunk (2 units). Task A's targets are 100
times larger than task B's, so with equal weighting the sum of the losses is
dominated by A: the shared trunk serves A and B is barely learned. The
``history`` of :class:`~skmtl.neural.MultiTaskMLPRegressor` records, per
epoch, each task's training loss and the cosine between the two task
gradients on the shared trunk (``gradient_conflicts_``). Nash-MTL aggregation
(``aggregator='nash'``) bargains between the two gradients instead of summing
them, and task B is learned too.
"""

# %%
# Data: two tasks on disjoint features, very different scales
import matplotlib.pyplot as plt
import numpy as np

from skmtl.neural import MultiTaskMLPRegressor


def make_tasks(seed, n=512):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8))
    y_a = 100 * np.tanh(X[:, :4] @ np.array([1.0, -1.0, 0.5, 0.5]))
    y_b = np.tanh(X[:, 4:] @ np.array([1.0, 1.0, -0.5, 0.5]))
    return X, np.column_stack([y_a, y_b])


X_train, Y_train = make_tasks(0)
X_test, Y_test = make_tasks(1)

# %%
# Train with equal weights and with Nash-MTL
params = dict(
    trunk_layer_sizes=(16, 2),
    standardize_targets=False,  # keep the raw scales: that is the conflict
    lr=0.01,
    max_epochs=25,
    early_stopping=False,  # 25 epochs on every row: curves of equal length
    batch_size=128,
    random_state=0,
)
models = {
    "equal weights": MultiTaskMLPRegressor(**params),
    "Nash-MTL": MultiTaskMLPRegressor(**params, aggregator="nash"),
}
for name, model in models.items():
    model.fit(X_train, Y_train)
    P = model.predict(X_test)
    nmse = ((P - Y_test) ** 2).mean(0) / Y_test.var(0)
    print(f"{name:14s} test MSE / Var(y): task A {nmse[0]:.3f}, task B {nmse[1]:.3f}")

# %%
# Per-task training curves (relative to the first epoch) and gradient cosines
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for name, model in models.items():
    losses = model.train_task_losses_
    rel = losses / losses[0]
    for t, style in zip(range(2), ["-", "--"], strict=True):
        axes[0].plot(rel[:, t], style, label=f"{name}, task {'AB'[t]}")
    axes[1].plot(model.gradient_conflicts_[:, 0, 1], label=name)
axes[0].set(xlabel="epoch", ylabel="train loss / first epoch", yscale="log")
axes[0].legend(fontsize=8)
axes[1].axhline(0, color="grey", lw=0.5)
axes[1].set(xlabel="epoch", ylabel="cos(g_A, g_B) on the shared trunk")
axes[1].legend(fontsize=8)
fig.tight_layout()
plt.show()
