"""Do the linear families converge at their default max_iter and tol?

For each data set and family, walks a 30-point grid of the regularisation
strength with warm starts (``warm_start=True`` and ``set_params`` along the
grid, from strong to weak regularisation) at the estimators' DEFAULT
``max_iter`` and ``tol``, and counts the fits that raise a
``ConvergenceWarning``, the fits whose ``stop_crit_`` misses ``tol``, and the
time per fit.

Grids (``L`` = the natural scale of the data: the largest eigenvalue over
tasks of the centred, weighted per-task Gram matrix, i.e. the Lipschitz
constant of the least-squares gradient, which ridge-type strengths compete
with):

* ``group-lasso``: ``MultiTaskGroupLasso``, alpha from ``alpha_max`` (the
  largest row norm of the gradient at zero) down to ``1e-3 alpha_max``;
* ``dirty``: ``DirtyMultiTask``, alpha on the same grid and ``beta = alpha (1
  + 1/sqrt(T)) / 2``, inside the range where both parts are used;
* ``trace``: ``TraceNormMultiTask``, alpha from ``alpha_max`` (spectral norm
  of the gradient at zero, where W = 0) down to ``1e-3 alpha_max``;
* ``mean-a``: ``MeanRegularizedMultiTask``, alpha in ``L * [1e2 .. 1e-4]`` at
  ``beta = L``;
* ``mean-b``: the same, beta in ``L * [1e2 .. 1e-4]`` at ``alpha = 1e-3 L``;
* ``clustered``: ``ClusteredMultiTask(n_clusters=min(3, T - 1) or 1)``,
  alpha in ``L * [1e2 .. 1e-4]``, ``beta = alpha / 10``;
* ``graph``: ``TaskGraphMultiTask`` (``graph='auto'``, default ``ridge``),
  alpha in ``L * [1e2 .. 1e-4]``.

Data: the Mulan sets enb, slump, wq, atp1d, scm1d, rf1 (wide; X standardised,
rf1's missing inputs imputed by the column mean; raw targets) and School (long,
task column last, features standardised).

Run: ``python benchmarks/check_convergence.py [--data enb,wq] [--family trace]
[--out benchmarks/results/convergence.txt]``.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import StandardScaler

from skmtl.datasets import load_mtr, load_school
from skmtl.linear import (
    ClusteredMultiTask,
    DirtyMultiTask,
    MeanRegularizedMultiTask,
    MultiTaskGroupLasso,
    TaskGraphMultiTask,
    TraceNormMultiTask,
)
from skmtl.linear.datafits import Quadratic
from skmtl.utils import check_multitask_data

DATA_HOME = "/work/shared/data/mtr"
DATASETS = ["enb", "slump", "wq", "atp1d", "scm1d", "rf1", "school"]
FAMILIES = ["group-lasso", "dirty", "trace", "mean-a", "mean-b", "clustered", "graph"]
N_GRID = 30


def load(name):
    """``(X, y, task_column)`` with standardised features."""
    if name == "school":
        X, y = load_school(return_X_y=True)
        X = np.asarray(X, dtype=float)
        X[:, :-1] = StandardScaler().fit_transform(X[:, :-1])
        return X, np.asarray(y, dtype=float), -1
    X, Y = load_mtr(name, data_home=DATA_HOME, return_X_y=True)
    X = SimpleImputer().fit_transform(np.asarray(X, dtype=float))
    X = StandardScaler().fit_transform(X)
    return X, np.asarray(Y, dtype=float), None


def scales(X, y, task_column):
    """``({family: alpha_max}, L, n_tasks)``."""
    data = check_multitask_data(TraceNormMultiTask(), X, y, task_column=task_column)
    f = Quadratic().initialize(data)
    alpha_max = {
        "trace": float(np.linalg.norm(f.b0, 2)),
        "group-lasso": float(np.linalg.norm(f.b0, axis=1).max()),
    }
    return alpha_max, float(f.lipschitz), data.n_tasks


def grid(family, alpha_max, L, T):
    """``(estimator, [params of each grid point])``."""
    rel = np.logspace(2, -4, N_GRID)
    if family in ("group-lasso", "dirty"):
        alphas = alpha_max["group-lasso"] * np.logspace(0, -3, N_GRID)
        if family == "group-lasso":
            return MultiTaskGroupLasso(), [{"alpha": a} for a in alphas]
        c = 0.5 * (1.0 + 1.0 / np.sqrt(T))
        return DirtyMultiTask(), [{"alpha": a, "beta": c * a} for a in alphas]
    if family == "trace":
        alphas = alpha_max["trace"] * np.logspace(0, -3, N_GRID)
        return TraceNormMultiTask(), [{"alpha": a} for a in alphas]
    if family == "mean-a":
        est = MeanRegularizedMultiTask(beta=L)
        return est, [{"alpha": L * r} for r in rel]
    if family == "mean-b":
        est = MeanRegularizedMultiTask(alpha=1e-3 * L)
        return est, [{"beta": L * r} for r in rel]
    if family == "clustered":
        k = max(1, min(3, T - 1))
        est = ClusteredMultiTask(k, random_state=0)
        return est, [{"alpha": L * r, "beta": 0.1 * L * r} for r in rel]
    if family == "graph":
        return TaskGraphMultiTask(), [{"alpha": L * r} for r in rel]
    raise ValueError(family)


def walk(est, params, X, y, task_column):
    """Warm-started fits along the grid; per-fit (warned, met tol, seconds, n_iter)."""
    est.set_params(warm_start=True, task_column=task_column)
    rows = []
    for p in params:
        est.set_params(**p)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            start = time.perf_counter()
            est.fit(X, y)
            seconds = time.perf_counter() - start
        warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
        met = est.stop_crit_ <= est.tol
        rows.append((warned, met, seconds, est.n_iter_))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=",".join(DATASETS))
    parser.add_argument("--family", default=",".join(FAMILIES))
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    header = (
        f"{'data':7s} {'family':9s} {'n':>6s} {'d':>4s} {'T':>4s} {'fits':>4s} "
        f"{'warn':>4s} {'miss':>4s} {'med ms':>8s} {'max ms':>8s} {'total s':>8s} "
        f"{'max it':>6s}"
    )
    lines = [header]
    print(header, flush=True)
    for name in args.data.split(","):
        X, y, tc = load(name)
        alpha_max, L, T = scales(X, y, tc)
        d = X.shape[1] - (tc is not None)
        for family in args.family.split(","):
            est, params = grid(family, alpha_max, L, T)
            rows = walk(est, params, X, y, tc)
            warned = sum(r[0] for r in rows)
            missed = sum(not r[1] for r in rows)
            secs = np.array([r[2] for r in rows])
            line = (
                f"{name:7s} {family:9s} {X.shape[0]:6d} {d:4d} {T:4d} {len(rows):4d} "
                f"{warned:4d} {missed:4d} {1e3 * np.median(secs):8.1f} "
                f"{1e3 * secs.max():8.1f} {secs.sum():8.2f} "
                f"{max(r[3] for r in rows):6d}"
            )
            lines.append(line)
            print(line, flush=True)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
