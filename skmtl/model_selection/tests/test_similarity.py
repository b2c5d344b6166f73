"""Task similarity and its plots."""

import numpy as np
import pytest
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmtl.datasets import make_multitask_regression
from skmtl.linear import PerTaskRidge
from skmtl.model_selection import (
    TaskShuffleSplit,
    compare_to_single_task,
    plot_task_differences,
    plot_task_similarity,
    task_order,
    task_similarity,
)


def test_similarity_against_references(rng):
    W = rng.standard_normal((6, 8))
    np.testing.assert_allclose(task_similarity(W), cosine_similarity(W))
    np.testing.assert_allclose(task_similarity(W, metric="correlation"), np.corrcoef(W))


def test_similarity_from_a_fitted_pipeline():
    X, Y = make_multitask_regression(50, 4, 3, random_state=0)
    pipe = make_pipeline(StandardScaler(), PerTaskRidge()).fit(X, Y)
    np.testing.assert_allclose(task_similarity(pipe), cosine_similarity(pipe[-1].coef_))
    with pytest.raises(ValueError, match="no coef_"):
        task_similarity(make_pipeline(StandardScaler(), PerTaskRidge()))


def test_similarity_zero_rows_and_errors():
    S = task_similarity([[0.0, 0.0], [1.0, 2.0], [2.0, 4.0]])
    np.testing.assert_allclose(S, [[1, 0, 0], [0, 1, 1], [0, 1, 1]])
    with pytest.raises(ValueError, match="metric="):
        task_similarity([[1.0]], metric="euclid")
    with pytest.raises(ValueError, match="2-D"):
        task_similarity([1.0, 2.0])


def test_task_order_groups_clusters(rng):
    centres = rng.standard_normal((2, 10))
    labels = np.array([0, 1, 0, 1, 0, 1, 1])
    W = centres[labels] + 0.05 * rng.standard_normal((7, 10))
    order = task_order(task_similarity(W))
    assert sorted(order) == list(range(7))
    ordered = labels[order]
    assert np.count_nonzero(np.diff(ordered)) == 1  # one block per cluster


def test_plots_run():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = make_multitask_regression(
        n_features=3, n_tasks=4, samples_per_task=12, random_state=0
    )
    model = PerTaskRidge(task_column=-1).fit(X, y)
    disp = plot_task_similarity(model)
    np.testing.assert_allclose(
        disp.similarity, task_similarity(model)[np.ix_(disp.order, disp.order)]
    )
    assert [t.get_text() for t in disp.ax.get_xticklabels()] == [
        str(t) for t in model.tasks_[disp.order]
    ]
    res = compare_to_single_task(
        PerTaskRidge(alpha=10.0, task_column=-1),
        X,
        y,
        cv=TaskShuffleSplit(2, task_column=-1, random_state=0),
    )
    ax = plot_task_differences(res)
    assert "Delta_m" in ax.get_title()
    plt.close("all")
