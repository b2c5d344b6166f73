"""Hypervolume convergence of ParetoFrontRegressor with and without transfer.

For each problem and scalarisation, fits the same front with ``transfer=None``
and ``transfer='mt2o'`` (same preferences, same data) and reports the
iterations and time to reach 99% and 99.9% of the final hypervolume, over
several seeds. Usage::

    python benchmarks/bench_pareto.py [--seeds 5] [--data-home DIR]

Writes ``benchmarks/results/pareto_hv.png``.
"""

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.preprocessing import StandardScaler

from skmtl.datasets import load_mtr
from skmtl.pareto import ParetoFrontRegressor


def synthetic(seed, n=400, d=30, T=3, corr=0.9):
    """Conflicting tasks on correlated (ill-conditioned) features."""
    rng = np.random.default_rng(seed)
    C = corr ** np.abs(np.subtract.outer(np.arange(d), np.arange(d)))
    X = rng.multivariate_normal(np.zeros(d), C, size=n)
    # related but conflicting tasks: a common part plus task-specific parts
    W = rng.standard_normal(d) + 0.6 * rng.standard_normal((T, d))
    Y = X @ W.T + 0.5 * rng.standard_normal((n, T))
    return X, Y


def iters_to(h, frac):
    target = frac * h[-1]
    hit = np.flatnonzero(h >= target)
    return int(hit[0]) if len(hit) else len(h)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--max-iter", type=int, default=1000)
    args = parser.parse_args(argv)
    problems = {
        "synthetic (n=400, d=30, T=3, corr 0.9)": None,
        "slump (3 targets)": "slump",
    }
    if args.data_home:
        problems["atp1d (6 targets)"] = "atp1d"
    curves = {}
    print(f"# Pareto front: hypervolume convergence, {time.strftime('%Y-%m-%d')}\n")
    print(
        "| problem | scalarization | transfer | iters to 99% HV | iters to 99.9% HV "
        "| iters total | time (s) | final HV |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for pname, mtr in problems.items():
        for scal in ["weighted_sum", "tchebycheff"]:
            rows = {}
            for transfer in [None, "mt2o"]:
                r99, r999, its, times, hvs = [], [], [], [], []
                for seed in range(args.seeds):
                    if mtr is None:
                        X, Y = synthetic(seed)
                    else:
                        b = load_mtr(mtr, data_home=args.data_home)
                        X, Y = b.data, b.target
                    X = StandardScaler().fit_transform(X)
                    est = ParetoFrontRegressor(
                        preferences=15,
                        scalarization=scal,
                        transfer=transfer,
                        alpha=1e-3,
                        max_iter=args.max_iter,
                        tol=1e-6,
                        validation_fraction=0.2,
                        random_state=seed,
                    )
                    t0 = time.perf_counter()
                    import warnings

                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        est.fit(X, Y)
                    times.append(time.perf_counter() - t0)
                    h = est.hypervolume_
                    r99.append(iters_to(h, 0.99))
                    r999.append(iters_to(h, 0.999))
                    its.append(est.n_iter_)
                    hvs.append(h[-1])
                    if seed == 0:
                        curves[(pname, scal, transfer)] = h
                rows[transfer] = (r99, r999, its, times, hvs)
                print(
                    f"| {pname} | {scal} | {transfer or 'none'} | "
                    f"{np.mean(r99):.0f} ± {np.std(r99):.0f} | "
                    f"{np.mean(r999):.0f} ± {np.std(r999):.0f} | "
                    f"{np.mean(its):.0f} | {np.mean(times):.2f} | "
                    f"{np.mean(hvs):.4f} |",
                    flush=True,
                )
            a, b = rows[None], rows["mt2o"]
            print(
                f"| {pname} | {scal} | ratio mt2o/none | "
                f"{np.mean(b[0]) / max(np.mean(a[0]), 1):.2f} | "
                f"{np.mean(b[1]) / max(np.mean(a[1]), 1):.2f} | "
                f"{np.mean(b[2]) / max(np.mean(a[2]), 1):.2f} | "
                f"{np.mean(b[3]) / np.mean(a[3]):.2f} | |",
                flush=True,
            )
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        keys = sorted({(p, s) for p, s, _ in curves})
        fig, axes = plt.subplots(1, len(keys), figsize=(4 * len(keys), 3.2))
        for ax, (p, s) in zip(np.atleast_1d(axes), keys, strict=True):
            for tr in [None, "mt2o"]:
                h = curves[(p, s, tr)]
                ax.plot(np.arange(len(h)), h, label=tr or "no transfer")
            ax.set_xscale("symlog")
            ax.set_title(f"{p.split(' (')[0]}, {s}", fontsize=9)
            ax.set_xlabel("iteration")
        np.atleast_1d(axes)[0].set_ylabel("hypervolume")
        np.atleast_1d(axes)[0].legend(fontsize=8)
        fig.tight_layout()
        out = Path(__file__).parent / "results"
        out.mkdir(exist_ok=True)
        fig.savefig(out / "pareto_hv.png", dpi=100)
        print(f"\nfigure: {out / 'pareto_hv.png'}")
    except ImportError:
        pass


if __name__ == "__main__":
    main()
