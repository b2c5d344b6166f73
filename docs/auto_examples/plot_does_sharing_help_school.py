"""
=====================================
Does sharing help? School exam scores
=====================================

The first question to ask of any multi-task model: does fitting the tasks
together beat fitting each task on its own? We answer it on the School data
(139 schools, 15362 students, exam score regression) with
:func:`skmtl.model_selection.compare_to_single_task`:

* the sharing model is :class:`~skmtl.linear.PooledRidge` (one weight vector
  shared by all schools, one intercept per school);
* the single-task baseline is :class:`~skmtl.linear.PerTaskRidge` (an
  independent ridge per school);
* both are tuned by an inner grid search whose folds cut every school 3 ways
  (:class:`~skmtl.model_selection.TaskStratifiedKFold`), and evaluated on the
  literature's protocol: random 75/25 splits made within every school
  (:class:`~skmtl.model_selection.TaskShuffleSplit`).

The comparison is paired: both models see exactly the same folds, each school
is scored on its own test students, and the per-(split, school) differences
go into a Wilcoxon signed-rank test. Delta_m is the relative gain in % of the
per-school MSE (positive = sharing helps).
"""

# %%
# Data and models
# ---------------
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.compose import make_column_transformer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmtl.datasets import load_school
from skmtl.linear import PerTaskRidge, PooledRidge
from skmtl.metrics import get_scorer
from skmtl.model_selection import (
    TaskShuffleSplit,
    TaskStratifiedKFold,
    compare_to_single_task,
    cross_validate_tasks,
    plot_task_similarity,
)

X, y = load_school(return_X_y=True)  # the school id is the last column
print(f"{X.shape[0]} students, {len(np.unique(X[:, -1]))} schools")


def tuned(model, name):
    """Scale the features (not the school id) and tune alpha per outer fold."""
    scale = make_column_transformer(
        (StandardScaler(), slice(0, -1)), remainder="passthrough"
    )
    return GridSearchCV(
        make_pipeline(scale, model),
        {f"{name}__alpha": np.logspace(-3, 2, 6)},
        cv=TaskStratifiedKFold(3, task_column=-1),
        scoring=get_scorer("neg_mse_tasks"),
    )


sharing = tuned(PooledRidge(task_column=-1), "pooledridge")
single_task = tuned(PerTaskRidge(task_column=-1), "pertaskridge")

# %%
# The comparison
# --------------
# Three random 75/25 splits within every school (the papers use 10).
outer = TaskShuffleSplit(3, test_size=0.25, task_column=-1, random_state=0)
start = time.perf_counter()
result = compare_to_single_task(
    sharing, X, y, baseline=single_task, cv=outer, scoring="neg_mse_tasks"
)
print(f"(done in {time.perf_counter() - start:.1f} s)")
print(result)

# %%
# The per-split scores of both models are kept in ``result.cv_results`` (the
# :func:`~skmtl.model_selection.cross_validate_tasks` outputs), e.g. the mean
# per-school MSE over the splits:
for name, res in result.cv_results.items():
    mse = -np.nanmean(res.scores["neg_mse_tasks"], axis=1)  # mean per-school MSE
    print(f"{name:>8}: mean per-school MSE {mse.mean():.2f} +- {mse.std():.2f}")

# %%
# The same splits scored with the metrics of the MTL literature: MALSAR's nMSE
# (MSE over the target variance) and aMSE (MSE over the target's mean square),
# both weighted by school size, the multi-target aRRMSE (relative to
# predicting each school's training mean) and the mean per-school R^2.
scoring = ["neg_nmse", "neg_amse", "neg_arrmse", "r2_tasks"]
for name, model in [("sharing", sharing), ("single-task", single_task)]:
    res = cross_validate_tasks(model, X, y, cv=outer, scoring=scoring)
    line = ", ".join(
        f"{s.removeprefix('neg_')} {abs(np.nanmean(res.scores[s])):.3f}"
        for s in scoring
    )
    print(f"{name:>11}: {line}")

# %%
# Where does sharing help?
# ------------------------
# Each dot is a school: its mean difference in (negated) MSE over the splits,
# sorted; the grey bars show the range over splits. Small schools gain most
# from borrowing the shared weights.
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
result.plot(ax=axes[0])
sizes = np.bincount(np.unique(X[:, -1], return_inverse=True)[1])
axes[1].scatter(sizes, result.per_task_difference, s=10)
axes[1].axhline(0.0, color="k", linewidth=0.8)
axes[1].set_xlabel("students in the school")
axes[1].set_ylabel("MSE gain of sharing")
axes[1].set_title("Gain against school size")
fig.tight_layout()

# %%
# Which schools look alike?
# -------------------------
# The independent ridges' weight vectors, compared by cosine similarity and
# ordered by hierarchical clustering. A strongly blocked picture would call for
# a clustered multi-task model; a uniformly positive one supports pooling.
per_school = make_pipeline(
    make_column_transformer((StandardScaler(), slice(0, -1)), remainder="passthrough"),
    PerTaskRidge(alpha=1.0, task_column=-1),
).fit(X, y)
display = plot_task_similarity(per_school)
S = display.similarity[np.triu_indices_from(display.similarity, k=1)]
print(f"mean cosine similarity between schools' weights: {S.mean():.2f}")

# %%
# Shrink towards a shared model, not towards zero
# -----------------------------------------------
# The schools are alike, so a low-rank penalty on the weights themselves
# (:class:`~skmtl.linear.TraceNormMultiTaskCV`) shrinks every school towards
# zero and loses to the pooled ridge. With ``center_tasks=True`` the nuclear
# norm acts on the schools' deviations from their mean weights instead: one
# shared model plus low-rank corrections. One 75/25 split within every school,
# ``alpha`` chosen by the estimator's own path CV on the training part.
from skmtl.linear import TraceNormMultiTaskCV  # noqa: E402

train, test = next(
    TaskShuffleSplit(1, test_size=0.25, task_column=-1, random_state=1).split(X, y)
)
candidates = {
    "per-task ridge": single_task,
    "pooled ridge": sharing,
    "trace norm": TraceNormMultiTaskCV(
        n_alphas=6, eps=0.1, cv=3, tol=1e-4, random_state=0, task_column=-1
    ),
    "trace norm,\ncenter_tasks": TraceNormMultiTaskCV(
        n_alphas=6,
        eps=0.1,
        cv=3,
        tol=1e-4,
        center_tasks=True,
        random_state=0,
        task_column=-1,
    ),
}
explained = {}
for name, model in candidates.items():
    if not isinstance(model, GridSearchCV):
        model = make_pipeline(
            make_column_transformer(
                (StandardScaler(), slice(0, -1)), remainder="passthrough"
            ),
            model,
        )
    resid = y[test] - model.fit(X[train], y[train]).predict(X[test])
    explained[name] = 100 * (1 - np.mean(resid**2) / np.var(y[test]))
    print(f"{name.replace(chr(10), ' ')}: explained variance {explained[name]:.2f} %")
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.bar(list(explained), list(explained.values()), color="0.6")
ax.set_ylim(min(explained.values()) - 2, max(explained.values()) + 1)
ax.set_ylabel("explained variance on test (%)")
ax.set_title("School, one 75/25 split")
fig.tight_layout()
plt.show()
