"""
==========================================================
Regularisation path and shared support of the group lasso
==========================================================

:class:`~skmtl.linear.MultiTaskGroupLasso` selects features *jointly*: its
L2,1 penalty :math:`\\alpha \\sum_j \\|W_{j:}\\|_2` acts on the rows of the
weight matrix (one row = one feature's weights in every task), so a feature is
either used by all tasks or by none.

We compute the regularisation path by refitting over a decreasing grid of
``alpha`` with warm starts, starting at ``alpha_max``, the smallest ``alpha``
for which all weights are zero. With one shared design ``X`` and a per-task
intercept (centred data ``X_c``, ``Y_c``),

.. math::

    \\alpha_{\\max} = \\max_j \\frac{\\|(X_c^\\top Y_c)_{j:}\\|_2}{n}.

Then we look at the learned support against the truth.
"""

# %%
# Data with a shared support
# --------------------------
# Six tasks on 30 features; the same 5 features matter in every task.
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from skmtl.datasets import make_multitask_regression
from skmtl.linear import MultiTaskGroupLasso

X, Y, true_coef = make_multitask_regression(
    n_samples=120,
    n_features=30,
    n_tasks=6,
    n_informative=5,
    noise=1.0,
    random_state=0,
    return_coef=True,
)
X_train, X_val, Y_train, Y_val = train_test_split(X, Y, test_size=0.3, random_state=0)
true_support = np.abs(true_coef).sum(axis=0) > 0
print("informative features:", np.flatnonzero(true_support))

# %%
# ``alpha_max`` and the grid
# --------------------------
n = X_train.shape[0]
Xc = X_train - X_train.mean(axis=0)
Yc = Y_train - Y_train.mean(axis=0)
alpha_max = np.linalg.norm(Xc.T @ Yc, axis=1).max() / n
alphas = alpha_max * np.logspace(0, -2.5, 40)

# At alpha_max the solution is zero (up to rounding); just below, the first
# feature enters.
for factor in (1.0, 0.99):
    fit = MultiTaskGroupLasso(alpha=factor * alpha_max).fit(X_train, Y_train)
    print(f"alpha = {factor} alpha_max: largest |weight| {np.abs(fit.coef_).max():.1e}")

# %%
# The path with warm starts
# -------------------------
# ``warm_start=True`` starts each fit from the previous solution, which is
# close: the whole path costs little more than a few cold fits.
model = MultiTaskGroupLasso(warm_start=True, tol=1e-6)
row_norms, val_mse, iterations = [], [], 0
start = time.perf_counter()
for alpha in alphas:
    model.set_params(alpha=alpha).fit(X_train, Y_train)
    iterations += model.n_iter_
    row_norms.append(np.linalg.norm(model.coef_, axis=0))  # one per feature
    val_mse.append(np.mean((Y_val - model.predict(X_val)) ** 2))
warm_time = time.perf_counter() - start
row_norms = np.array(row_norms)

cold_iterations = sum(
    MultiTaskGroupLasso(alpha=a, tol=1e-6).fit(X_train, Y_train).n_iter_ for a in alphas
)
print(
    f"path of {len(alphas)} fits in {warm_time:.2f} s: {iterations} iterations "
    f"with warm starts, {cold_iterations} without"
)

# %%
# Row norms along the path
# ------------------------
# Each curve is one feature's norm :math:`\|W_{j:}\|_2` over the tasks. The
# informative features (solid) enter the model first; the noise features
# (dotted) only at small ``alpha``.
best = int(np.argmin(val_mse))
fig, (ax, ax_mse) = plt.subplots(
    2, 1, figsize=(7, 6), sharex=True, height_ratios=[3, 1.3]
)
for j in range(X.shape[1]):
    style = (
        dict(color="C0", lw=1.8)
        if true_support[j]
        else dict(color="C3", lw=0.8, ls=":")
    )
    ax.plot(alphas / alpha_max, row_norms[:, j], **style)
ax.axvline(alphas[best] / alpha_max, color="k", ls="--", lw=1)
ax.set_xscale("log")
ax.set_ylabel(r"$\|W_{j:}\|_2$ (norm over tasks)")
ax.set_title("Group-lasso path: informative (solid) vs noise (dotted) features")
ax_mse.plot(alphas / alpha_max, val_mse, color="k")
ax_mse.axvline(alphas[best] / alpha_max, color="k", ls="--", lw=1)
ax_mse.set_xlabel(r"$\alpha / \alpha_{\max}$")
ax_mse.set_ylabel("validation MSE")
ax_mse.invert_xaxis()
fig.tight_layout()

# %%
# Learned support against the truth
# ---------------------------------
# We refit at the ``alpha`` with the lowest validation error. Whole columns
# (features) are zero or non-zero in every task at once.
chosen = MultiTaskGroupLasso(alpha=alphas[best]).fit(X_train, Y_train)
found = np.abs(chosen.coef_).sum(axis=0) > 0
print(
    f"alpha = {alphas[best] / alpha_max:.3f} alpha_max: {found.sum()} features "
    f"selected, {np.sum(found & true_support)} of the {true_support.sum()} "
    "informative ones"
)

fig, axes = plt.subplots(2, 1, figsize=(8, 4.2), sharex=True)
for ax, coef, title in [
    (axes[0], true_coef, "true weights"),
    (axes[1], chosen.coef_, "MultiTaskGroupLasso"),
]:
    lim = np.abs(coef).max()
    im = ax.imshow(coef, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
    ax.set_ylabel("task")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, pad=0.01)
axes[1].set_xlabel("feature")
fig.tight_layout()
plt.show()
