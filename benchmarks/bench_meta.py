"""SST and ERC with gradient boosting against per-target models, on Mulan sets.

For every data set: aRRMSE (RMSE of each target relative to predicting the
training-fold mean, averaged over targets, then over folds) of per-target
RidgeCV, per-target HistGradientBoostingRegressor (through
skmtl.meta.PerTaskRegressor), and skmtl.meta.StackedSingleTarget /
RegressorChainEnsemble over the same boosting model, and
skmtl.meta.MultiTaskAutoRegressor (its default families, for all tasks and per
task), with the fit time of each.
10-fold CV on enb, slump, wq, atp1d; the original train/test split on rf1 and
scm1d (see ../shared/data/mtr/MANIFEST.md). Inputs are standardised inside
every fit (a Pipeline); rf1's missing inputs are imputed with the mean.

Run from the repository root::

    PYTHONPATH=$PWD python benchmarks/bench_meta.py [--sets enb,slump] \
        [--n-chains 10] [--cv 5] [--data-home ../shared/data/mtr] [--plot F]

Timings are wall-clock on whatever machine runs it: compare within one run.
"""

import argparse
import os
import time
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmtl._benchmarks import average_rrmse
from skmtl.datasets import load_mtr
from skmtl.meta import (
    MultiTaskAutoRegressor,
    PerTaskRegressor,
    RegressorChainEnsemble,
    StackedSingleTarget,
)

MTR_HOME = Path(
    os.environ.get(
        "SKMTL_DATA", Path(__file__).resolve().parents[2] / "shared" / "data" / "mtr"
    )
)
SPLITS = {"rf1": 4108, "scm1d": 8145}


def models(n_chains, cv):
    def boost():
        return HistGradientBoostingRegressor(random_state=0)

    return {
        "RidgeCV per target": PerTaskRegressor(RidgeCV(np.logspace(-3, 3, 13))),
        "HGB per target": PerTaskRegressor(boost()),
        "SST (HGB)": StackedSingleTarget(boost(), cv=cv),
        "ERC (HGB)": RegressorChainEnsemble(
            boost(), n_chains=n_chains, cv=cv, random_state=0
        ),
        "auto": MultiTaskAutoRegressor(cv=cv, random_state=0),
        "auto, per task": MultiTaskAutoRegressor(cv=cv, per_task=True, random_state=0),
    }


def evaluate(name, data_home, n_chains, cv, out):
    X, Y = load_mtr(name, data_home=data_home, return_X_y=True)
    X, Y = np.asarray(X, float), np.asarray(Y, float)
    if name in SPLITS:
        cut = SPLITS[name]
        folds = [(np.arange(cut), np.arange(cut, len(X)))]
    else:
        folds = list(KFold(10, shuffle=True, random_state=0).split(X))
    scores = {}
    for label, model in models(n_chains, cv).items():
        errs, secs = [], 0.0
        for train, test in folds:
            pipe = make_pipeline(SimpleImputer(), StandardScaler(), model)
            t0 = time.perf_counter()
            pipe.fit(X[train], Y[train])
            secs += time.perf_counter() - t0
            errs.append(average_rrmse(Y[test], pipe.predict(X[test]), Y[train]))
        scores[label] = (float(np.mean(errs)), secs)
        out(f"| {name} | {label} | {np.mean(errs):.4f} | {secs:.1f} |")
    return scores


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="enb,slump,wq,atp1d,rf1,scm1d")
    parser.add_argument("--n-chains", type=int, default=10)
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--data-home", default=MTR_HOME)
    parser.add_argument("--plot", default=None, help="save a bar chart here")
    args = parser.parse_args(argv)

    def out(line=""):
        print(line, flush=True)

    out(
        f"\n## aRRMSE (lower is better) and total fit time; SST/ERC with "
        f"cv={args.cv}, ERC n_chains={args.n_chains}\n"
    )
    out("| data | model | aRRMSE | fit s (all folds) |")
    out("|---|---|---|---|")
    results = {}
    for name in args.sets.split(","):
        results[name] = evaluate(name, args.data_home, args.n_chains, args.cv, out)
    out("\n## Ratio to per-target boosting (aRRMSE; < 1: better)\n")
    others = [k for k in next(iter(results.values())) if k != "HGB per target"]
    out("| data | " + " | ".join(others) + " |")
    out("|---|" + "---|" * len(others))
    for name, sc in results.items():
        ref = sc["HGB per target"][0]
        out(f"| {name} | " + " | ".join(f"{sc[k][0] / ref:.3f}" for k in others) + " |")
    out("\n## Ratio to the best of per-target RidgeCV and boosting (aRRMSE)\n")
    out("| data | " + " | ".join(others) + " |")
    out("|---|" + "---|" * len(others))
    for name, sc in results.items():
        ref = min(sc["HGB per target"][0], sc["RidgeCV per target"][0])
        out(f"| {name} | " + " | ".join(f"{sc[k][0] / ref:.3f}" for k in others) + " |")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        names = list(results)
        labels = list(next(iter(results.values())))
        fig, ax = plt.subplots(figsize=(8, 3.5))
        width = 0.8 / len(labels)
        for i, label in enumerate(labels):
            ref = [results[n]["HGB per target"][0] for n in names]
            vals = [results[n][label][0] / r for n, r in zip(names, ref, strict=True)]
            ax.bar(np.arange(len(names)) + i * width, vals, width, label=label)
        ax.axhline(1.0, color="k", lw=0.8)
        ax.set_xticks(np.arange(len(names)) + width * (len(labels) - 1) / 2, names)
        ax.set_ylabel("aRRMSE / per-target HGB")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=120)
        out(f"\n(figure saved to {args.plot})")


if __name__ == "__main__":
    main()
