"""
=========================================
Trade-offs between competing tasks
=========================================

When tasks share parameters but want different things, no single model is best
for all of them. :class:`~skmtl.pareto.ParetoFrontRegressor` fits one model per
preference vector over the tasks and returns the whole front of trade-offs,
solved jointly with parameter transfer between neighbouring subproblems (MT2O).
"""

# %%
# Two tasks that disagree on the sign of a feature
# -------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from skmtl.pareto import ParetoFrontRegressor, plot_pareto_front

rng = np.random.default_rng(0)
X = rng.standard_normal((400, 5))
Y = np.column_stack([X @ [1.0, 1.0, 0, 0, 0], X @ [1.0, -1.0, 0.5, 0, 0]])
Y += 0.3 * rng.standard_normal(Y.shape)

front = ParetoFrontRegressor(
    preferences=15, scalarization="tchebycheff", random_state=0
).fit(X, Y)
print("non-dominated members:", int(front.pareto_mask_.sum()), "of", len(front.front_))
print("final hypervolume (training):", round(float(front.hypervolume_[-1]), 4))

# %%
# The front on held-out rows, and how fast the hypervolume converged
# -------------------------------------------------------------------
plot_pareto_front(front, task_names=["task A", "task B"])
plt.tight_layout()

# %%
# Pick a trade-off
# ----------------
# ``select`` returns the member closest to a preference; ``preference=`` makes
# ``predict`` use it, so it can be tuned with GridSearchCV.
favour_a = front.select([0.8, 0.2])
print("coefficients of the member favouring task A:", favour_a.coef_[0].round(2))
