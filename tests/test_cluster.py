"""Searches run unchanged on a distributed joblib backend (Dask)."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, KFold

from skmtl.datasets import make_multitask_regression
from skmtl.linear import MultiTaskGroupLasso, PerTaskRidge


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.parametrize("layout", ["wide", "long"])
def test_grid_search_on_a_dask_cluster_equals_local(layout):
    distributed = pytest.importorskip("distributed")
    import joblib

    if layout == "wide":
        X, y = make_multitask_regression(60, 8, 3, missing_labels=0.2, random_state=0)
        est = MultiTaskGroupLasso(tol=1e-8)
        grid = {"alpha": [0.01, 0.1, 1.0]}
    else:
        X, y = make_multitask_regression(
            n_features=5, n_tasks=4, samples_per_task=[12, 20, 15, 18], random_state=0
        )
        est = PerTaskRidge(task_column=-1)
        grid = {"alpha": [1e-3, 1e-1, 10.0]}
    cv = KFold(3, shuffle=True, random_state=0)
    local = GridSearchCV(est, grid, cv=cv, n_jobs=1).fit(X, y)

    # loopback only: the scheduler and workers live in this process's machine
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster),
    ):
        with joblib.parallel_backend("dask"):
            remote = GridSearchCV(est, grid, cv=cv, n_jobs=-1).fit(X, y)

    assert remote.best_params_ == local.best_params_
    np.testing.assert_allclose(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    np.testing.assert_allclose(remote.predict(X), local.predict(X))
