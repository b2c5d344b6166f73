"""
===========================================================
Choosing a model family automatically, for all or each task
===========================================================

:class:`~skmtl.meta.MultiTaskAutoRegressor` cross-validates several model
families on the same task-aware folds (every task in every fold), keeps a
leaderboard of their per-task scores and fit times, and refits the best
family, or the best family of every task. By default (``per_task='auto'``)
it decides between the two by cross-validating the choice itself on the
scores it already has.

Here on the Mulan ``slump`` data (103 concrete mixes, 3 targets), bundled
with skmtl.
"""

# %%
# The leaderboard
# ---------------
import matplotlib.pyplot as plt
import numpy as np

from skmtl.datasets import load_mtr
from skmtl.meta import MultiTaskAutoRegressor

X, Y = load_mtr("slump", return_X_y=True)
X, Y = np.asarray(X, float), np.asarray(Y, float)
auto = MultiTaskAutoRegressor(cv=3, random_state=0).fit(X, Y)
board = auto.leaderboard_
for name, score, secs in zip(
    board["name"], board["mean_score"], board["fit_time"], strict=True
):
    print(f"{name:24s} mean R^2 {score:7.4f}   {secs:5.1f} s")
print("held-out score of each way of choosing:", auto.selection_scores_)
print("a winner per task:", auto.per_task_, "->", auto.task_winners_)

# %%
# Every family on every task
# --------------------------
# The mean over folds of each task's R^2: the families differ by task, which
# a winner per task exploits.
targets = ["slump", "flow", "strength"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8), width_ratios=[1, 1.3])
order = np.argsort(board["mean_score"])
ax1.barh(np.array(board["name"])[order], board["mean_score"][order])
ax1.set_xlabel("mean per-task R^2 (3-fold CV)")
for y_pos, k in enumerate(order):
    ax1.text(
        max(board["mean_score"][k], 0) + 0.01,
        y_pos,
        f"{board['fit_time'][k]:.1f} s",
        va="center",
        fontsize=8,
    )
im = ax2.imshow(board["task_scores"], cmap="viridis", aspect="auto")
ax2.set_xticks(range(len(targets)), targets)
ax2.set_yticks(range(len(board["name"])), board["name"])
for t, name in enumerate(auto.task_winners_):
    ax2.scatter(t, board["name"].index(name), marker="*", color="w", s=120)
fig.colorbar(im, ax=ax2, label="R^2 (stars: each task's winner)")
fig.tight_layout()
plt.show()
