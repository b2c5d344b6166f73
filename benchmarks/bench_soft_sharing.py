"""Timings of the fast solvers against their cvxpy (Clarabel) reference.

Mid-size problems, wide with 20% missing labels and long with unequal task
sizes; each estimator is fitted with its default fast solver (tol=1e-8) and
with solver='cvxpy'; the table gives both times, their ratio and the relative
objective gap ``(F_fast - F_cvxpy) / |F_cvxpy|`` (negative: the fast solver is
more accurate than cvxpy's interior point).

Run: ``python benchmarks/bench_soft_sharing.py``.
"""

import time

import numpy as np

from skmtl.datasets import make_multitask_regression
from skmtl.linear import (
    ClusteredMultiTask,
    MeanRegularizedMultiTask,
    TaskGraphMultiTask,
    TraceNormMultiTask,
)
from skmtl.linear.datafits import Quadratic
from skmtl.linear.penalties._smooth import (
    ClusterNorm,
    TaskQuadratic,
    graph_laplacian,
    mean_regularization,
)
from skmtl.linear.penalties._trace import TraceNorm


def problems():
    rng = np.random.default_rng(0)
    X, Y = make_multitask_regression(
        500, 50, 20, structure="low_rank", rank=3, random_state=0
    )
    Y[rng.random(Y.shape) < 0.2] = np.nan
    yield "wide n=500 d=50 T=20, 20% NaN", X, Y, None
    sizes = rng.integers(40, 160, size=30)
    X, y = make_multitask_regression(
        n_features=40,
        n_tasks=30,
        samples_per_task=sizes,
        structure="clustered",
        n_clusters=3,
        random_state=0,
    )
    yield f"long n={len(y)} d=40 T=30, n_t 40-160", X, y, -1


def objective(est, X, y):
    """Objective of ``est``'s problem at its fitted coefficients."""
    data = est._validate_fit(X, y)
    f = Quadratic(est.fit_intercept).initialize(data)
    W = est.coef_.T
    T = data.n_tasks
    if isinstance(est, TraceNormMultiTask):
        pen = TraceNorm(est.alpha).value(W)
    elif isinstance(est, MeanRegularizedMultiTask):
        pen = mean_regularization(T, est.alpha, est.beta).value(W)
    elif isinstance(est, TaskGraphMultiTask):
        Q = est.alpha * graph_laplacian(est.adjacency_) + est.ridge * np.eye(T)
        pen = TaskQuadratic(Q).value(W)
    else:
        pen = ClusterNorm(est.alpha, est.beta, est.n_clusters).value(W)
    return f.value(W) + pen


def estimators(T):
    chain = np.diag(np.ones(T - 1), 1) + np.diag(np.ones(T - 1), -1)
    return [
        ("MeanRegularizedMultiTask (CG)", MeanRegularizedMultiTask(0.01, 1.0)),
        ("TaskGraphMultiTask (CG)", TaskGraphMultiTask(1.0, graph=chain)),
        ("TraceNormMultiTask (FISTA)", TraceNormMultiTask(0.5)),
        ("ClusteredMultiTask (FISTA)", ClusteredMultiTask(3, 1.0, 0.1, random_state=0)),
    ]


def main():
    print(
        "| problem | estimator | fast (s) | cvxpy (s) | cvxpy / fast | "
        "relative objective gap |\n|---|---|---|---|---|---|"
    )
    for label, X, y, tc in problems():
        T = y.shape[1] if tc is None else len(np.unique(X[:, tc]))
        for name, est in estimators(T):
            fast = est.set_params(task_column=tc, tol=1e-8, max_iter=20_000)
            start = time.perf_counter()
            fast.fit(X, y)
            t_fast = time.perf_counter() - start
            f_fast = objective(fast, X, y)
            exact = type(fast)(**fast.get_params()).set_params(solver="cvxpy")
            start = time.perf_counter()
            exact.fit(X, y)
            t_cvx = time.perf_counter() - start
            f_cvx = objective(exact, X, y)
            gap = (f_fast - f_cvx) / abs(f_cvx)
            print(
                f"| {label} | {name} | {t_fast:.3f} | {t_cvx:.2f} | "
                f"{t_cvx / t_fast:.0f}x | {gap:+.1e} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
