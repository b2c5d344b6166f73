"""
=========================================
Trade-offs between competing tasks
=========================================

When tasks share parameters but want different things, no single model is best
for all of them. :class:`~skmtl.pareto.ParetoFrontRegressor` fits one model per
preference vector over the tasks and returns the whole front of trade-offs,
solved jointly with parameter transfer between neighbouring subproblems (MT2O).
The members are linear models or, with ``model='mlp'``, shared-bottom neural
networks (a trunk shared by the tasks and one head per task).
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

# %%
# A front of neural networks
# --------------------------
# With ``model='mlp'`` every member is a network: a shared trunk and one head
# per task. Two nonlinear tasks of the same input fight over a trunk that ends
# in a single unit, so the network cannot serve both at once. The ``K``
# networks are trained together by mini-batch Adam; we fit the front with and
# without MT2O transfer and compare the hypervolume curves (this needs torch;
# such small networks run fastest on one thread).
import warnings

import torch
from sklearn.exceptions import ConvergenceWarning

torch.set_num_threads(1)
# a fixed budget of 100 epochs (tol=0), so skip the "did not converge" warning
warnings.simplefilter("ignore", ConvergenceWarning)

X2 = rng.standard_normal((400, 3))
Y2 = np.column_stack([np.sin(2 * X2[:, 0]) + X2[:, 1], X2[:, 0] ** 2 - X2[:, 1]])
Y2 += 0.1 * rng.standard_normal(Y2.shape)

nets = {}
for transfer in [None, "mt2o"]:
    nets[transfer] = ParetoFrontRegressor(
        preferences=11,
        model="mlp",
        trunk_layer_sizes=(16, 1),
        activation="tanh",
        transfer=transfer,
        lr=0.02,
        max_iter=100,
        tol=0,
        random_state=0,
    ).fit(X2, Y2)
net_front = nets["mt2o"]
print(
    "neural front: non-dominated members",
    int(net_front.pareto_mask_.sum()),
    "of",
    len(net_front.front_),
    "| accepted transfers:",
    net_front.n_transfers_,
)

# %%
# The neural front on held-out rows, and the hypervolume with and without
# transfer (same data, same initialisation, same mini-batches).
axes = plot_pareto_front(net_front, task_names=["sin task", "square task"])
axes[1].plot(nets[None].hypervolume_, "--", label="no transfer")
axes[1].lines[0].set_label("MT2O transfer")
axes[1].legend()
plt.tight_layout()

# %%
# The member that favours the first task predicts it almost perfectly and
# gives up on the second, and the reverse at the other end of the front.
for pref in ([0.9, 0.1], [0.1, 0.9]):
    member = net_front.select(pref)
    k = net_front.estimators_.index(member)
    print(pref, "-> normalised losses on held-out rows", net_front.front_[k].round(3))
