"""The ``skmtl`` command line."""

import argparse
import sys
import time

import numpy as np

__all__ = ["main"]


def _school_suite(n_splits, train_size, random_state, out):
    from sklearn.compose import make_column_transformer
    from sklearn.model_selection import GridSearchCV, KFold, train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from .datasets import load_school
    from .linear import PerTaskRidge, PooledRidge

    X, y = load_school(return_X_y=True)
    task = X[:, -1]
    models = {
        "per-task ridge": PerTaskRidge(task_column=-1),
        "pooled ridge + task intercepts": PooledRidge(task_column=-1),
    }
    alphas = np.logspace(-4, 1, 6)
    scores = {name: [] for name in models}
    out.write(
        f"School: {len(np.unique(task))} tasks, {len(y)} students; {n_splits} "
        f"random {train_size:.0%}/{1 - train_size:.0%} splits within each school\n"
    )
    for split in range(n_splits):
        tr, te = train_test_split(
            np.arange(len(y)),
            train_size=train_size,
            stratify=task,
            random_state=random_state + split,
        )
        for name, model in models.items():
            pipe = make_pipeline(
                make_column_transformer(
                    (StandardScaler(), slice(0, -1)), remainder="passthrough"
                ),
                model,
            )
            step = type(model).__name__.lower()
            cv = KFold(3, shuffle=True, random_state=split)
            grid = GridSearchCV(pipe, {f"{step}__alpha": alphas}, cv=cv)
            grid.fit(X[tr], y[tr])
            resid = y[te] - grid.predict(X[te])
            scores[name].append(100 * (1 - np.mean(resid**2) / np.var(y[te])))
        out.write(f"\r  split {split + 1}/{n_splits} done")
        out.flush()
    out.write("\n\n| model | explained variance % (mean ± std) |\n|---|---|\n")
    for name, values in scores.items():
        out.write(f"| {name} | {np.mean(values):.2f} ± {np.std(values):.2f} |\n")
    return scores


def _benchmark(args, out):
    start = time.perf_counter()
    if args.suite in ("school", "all"):
        _school_suite(args.n_splits, args.train_size, args.random_state, out)
    out.write(f"\n(total {time.perf_counter() - start:.1f} s)\n")
    return 0


def main(argv=None, out=None):
    """Entry point of the ``skmtl`` command.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments (default ``sys.argv[1:]``).
    out : file-like, default=None
        Where to print (default ``sys.stdout``).

    Returns
    -------
    status : int
        Exit status.
    """
    out = sys.stdout if out is None else out
    parser = argparse.ArgumentParser(
        prog="skmtl", description="scikit-learn compatible multi-task learning."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    bench = sub.add_parser(
        "benchmark", help="run the comparison benchmarks on bundled data"
    )
    bench.add_argument("--suite", choices=["school", "all"], default="school")
    bench.add_argument("--n-splits", type=int, default=10)
    bench.add_argument("--train-size", type=float, default=0.75)
    bench.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command == "benchmark":
        return _benchmark(args, out)
    return 2  # pragma: no cover - argparse enforces a command


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
