"""School benchmark: explained variance of the regularised MTL estimators.

Protocol (Bakker & Heskes 2003; Evgeniou & Pontil 2004; Argyriou et al. 2008):
10 random splits, 75% of each school's students for training and 25% for test
(``train_test_split(..., stratify=school)``); features standardised with the
training statistics (the school column passed through); every hyper-parameter
chosen by 3-fold shuffled cross-validation on the training part only (scoring:
pooled MSE); explained variance = 1 - MSE_test / Var(y_test) over all test
rows, in %, mean ± std over the splits.

Run: ``python benchmarks/bench_school.py [--n-splits 10] [--n-jobs 2]
[--only NAME ...]``.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.compose import make_column_transformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmtl.datasets import load_school
from skmtl.linear import (
    ClusteredMultiTask,
    MeanRegularizedMultiTask,
    MeanRegularizedMultiTaskCV,
    MultiTaskGroupLasso,
    MultiTaskGroupLassoCV,
    PerTaskRidge,
    PooledRidge,
    TaskGraphMultiTask,
    TraceNormMultiTaskCV,
)

TC = -1  # the school id is the last column of X
N_JOBS = [2]


def models():
    """(name, estimator, grid) with grids on the estimator's own parameters."""
    return [
        (
            "pooled ridge + school intercepts",
            PooledRidge(task_column=TC),
            {"alpha": np.logspace(-3, 1, 5)},
        ),
        (
            "per-task ridge",
            PerTaskRidge(task_column=TC),
            {"alpha": np.logspace(-2, 1, 7)},
        ),
        (
            "MeanRegularizedMultiTask",
            MeanRegularizedMultiTask(task_column=TC),
            {"alpha": [1e-3, 1e-2], "beta": [1.0, 3.0, 10.0, 30.0, 100.0]},
        ),
        (
            "MeanRegularizedMultiTaskCV (own grid CV)",
            MeanRegularizedMultiTaskCV(
                alphas=[1e-3, 1e-2],
                betas=[1.0, 3.0, 10.0, 30.0, 100.0],
                cv=3,
                random_state=0,
                task_column=TC,
            ),
            None,
        ),
        (
            "TaskGraphMultiTask (graph='auto')",
            TaskGraphMultiTask(task_column=TC),
            {"alpha": [1.0, 3.0, 10.0, 30.0], "ridge": [1e-3, 1e-2]},
        ),
        (
            "TraceNormMultiTaskCV (own path CV)",
            TraceNormMultiTaskCV(
                n_alphas=12, eps=0.03, cv=3, tol=1e-4, random_state=0, task_column=TC
            ),
            None,
        ),
        (
            "ClusteredMultiTask",
            ClusteredMultiTask(tol=1e-4, random_state=0, task_column=TC),
            {"n_clusters": [1, 2, 3], "alpha": [10.0, 100.0], "beta": [0.1, 0.3]},
        ),
        (
            "MultiTaskGroupLasso",
            MultiTaskGroupLasso(tol=1e-4, task_column=TC),
            {"alpha": [1.0, 3.0, 10.0, 30.0]},
        ),
        # center_tasks=True: the penalty on the deviations from the tasks'
        # mean weights, a ridge on the mean (the pooled model is the limit)
        (
            "TraceNormMultiTaskCV (center_tasks, own path CV)",
            TraceNormMultiTaskCV(
                n_alphas=8,
                eps=0.1,
                center_tasks=True,
                cv=3,
                tol=1e-4,
                n_jobs=N_JOBS[0],
                random_state=0,
                task_column=TC,
            ),
            None,
        ),
        (
            "ClusteredMultiTask (center_tasks)",
            ClusteredMultiTask(
                center_tasks=True, tol=1e-4, random_state=0, task_column=TC
            ),
            {"n_clusters": [1, 2], "alpha": [10.0, 30.0, 100.0], "beta": [0.3, 1.0]},
        ),
        (
            "MultiTaskGroupLassoCV (center_tasks, own path CV)",
            MultiTaskGroupLassoCV(
                alphas=6,
                eps=0.1,
                center_tasks=True,
                cv=3,
                tol=1e-4,
                n_jobs=N_JOBS[0],
                random_state=0,
                task_column=TC,
            ),
            None,
        ),
    ]


def main(n_splits=10, n_jobs=2, seed=0, only=None):
    N_JOBS[0] = n_jobs
    X, y = load_school(return_X_y=True)
    school = X[:, TC]
    keep = [0] + [
        i
        for i, (name, _, _) in enumerate(models())
        if i > 0 and (not only or any(o.lower() in name.lower() for o in only))
    ]
    names = [models()[i][0] for i in keep]
    scores = {name: [] for name in names}
    chosen = {name: [] for name in names}
    times = {name: 0.0 for name in names}
    print(
        f"School: {len(np.unique(school))} schools, {len(y)} students; "
        f"{n_splits} random 75/25 splits within each school; 3-fold CV on the "
        "training part for every hyper-parameter"
    )
    for split in range(n_splits):
        tr, te = train_test_split(
            np.arange(len(y)),
            train_size=0.75,
            stratify=school,
            random_state=seed + split,
        )
        for name, est, grid in [models()[i] for i in keep]:
            scale = make_column_transformer(
                (StandardScaler(), slice(0, -1)), remainder="passthrough"
            )
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                if grid is None:
                    model = make_pipeline(scale, est).fit(X[tr], y[tr])
                    best = {
                        k: round(float(getattr(model[-1], k + "_")), 3)
                        for k in ("alpha", "beta")
                        if hasattr(model[-1], k + "_")
                    }
                else:
                    step = type(est).__name__.lower()
                    search = GridSearchCV(
                        make_pipeline(scale, est),
                        {f"{step}__{k}": v for k, v in grid.items()},
                        cv=KFold(3, shuffle=True, random_state=split),
                        scoring="neg_mean_squared_error",
                        n_jobs=n_jobs,
                    )
                    model = search.fit(X[tr], y[tr])
                    best = {
                        k.split("__")[1]: np.asarray(v).item()
                        for k, v in search.best_params_.items()
                    }
            times[name] += time.perf_counter() - start
            resid = y[te] - model.predict(X[te])
            scores[name].append(100 * (1 - np.mean(resid**2) / np.var(y[te])))
            chosen[name].append(best)
        print(f"  split {split + 1}/{n_splits} done", flush=True)
    base = np.array(scores[names[0]])
    print(
        "\n| model | explained variance % (mean ± std) | minus pooled ridge, "
        "mean ± std (wins) | time per split (s) |\n|---|---|---|---|"
    )
    for name in names:
        v = np.array(scores[name])
        diff = v - base
        wins = int(np.sum(diff > 0))
        print(
            f"| {name} | {v.mean():.2f} ± {v.std():.2f} | "
            f"{diff.mean():+.2f} ± {diff.std():.2f} ({wins}/{n_splits}) | "
            f"{times[name] / n_splits:.1f} |"
        )
    print("\nHyper-parameters chosen on split 1:")
    for name in names:
        print(f"  {name}: {chosen[name][0]}")
    print(
        "\nPublished (same protocol, not the same splits): MTL-FEAT (Argyriou et "
        "al. 2008) 37.1 ± 1.5; Evgeniou & Pontil 2004 34.3; Bakker & Heskes "
        "2003 29.5."
    )
    return scores


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-splits", type=int, default=10)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--only",
        nargs="*",
        help="run only the models whose name contains one of these strings "
        "(the pooled ridge baseline always runs)",
    )
    args = parser.parse_args()
    t0 = time.perf_counter()
    main(args.n_splits, args.n_jobs, args.seed, args.only)
    print(f"\n(total {time.perf_counter() - t0:.0f} s)")
