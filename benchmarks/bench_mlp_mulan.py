"""The multi-task MLP at its defaults, tuned by a small grid, and per-target boosting.

For every Mulan set: aRRMSE (RMSE of each target relative to predicting the
training-fold mean, averaged over targets, then over folds) and total fit
time of

- ``MLP default``: :class:`skmtl.neural.MultiTaskMLPRegressor` with its
  defaults (``random_state=0`` only), with the number of epochs, how each fit
  stopped (``stop_reason_``) and the count of ``max_epochs``
  ConvergenceWarnings (the defaults must give none);
- ``MLP grid``: the same model tuned by :class:`GridSearchCV` over a small
  grid (``lr`` in {1e-3, 1e-2} x trunk in {(64, 64), (256,)}, 3 shuffled
  inner folds, the mean-over-tasks R^2 of ``score``), refitted on the whole
  training fold;
- ``HGB per target``: ``HistGradientBoostingRegressor(random_state=0)`` per
  target through :class:`skmtl.meta.PerTaskRegressor`;
- ``MLP old defaults`` (``--models old``): the defaults before issue 19
  (``lr=1e-3``, ``max_epochs=100``, ``early_stopping=False``).

Protocol of benchmarks/bench_meta.py: 10-fold shuffled CV
(``KFold(10, shuffle=True, random_state=0)``) on enb, slump, wq, atp1d; the
original train/test split on rf1 and scm1d (rows before 4108 / 8145 are the
training part, see ../shared/data/mtr/MANIFEST.md). Inputs are mean-imputed
and standardised inside every fit (a Pipeline); the MLP standardises each
target itself (``standardize_targets=True``) and maps predictions back.

Run from the repository root, one thread::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONPATH=$PWD \
        python benchmarks/bench_mlp_mulan.py [--sets enb,slump] \
        [--models default,grid,hgb] [--grid-sets enb,slump,wq,atp1d,rf1] \
        [--grid-weight-decay 0,1e-3]

Timings are wall-clock on whatever machine runs it: compare within one run.
"""

import argparse
import os
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import torch
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmtl._benchmarks import average_rrmse, mulan_protocol
from skmtl.meta import PerTaskRegressor
from skmtl.neural import MultiTaskMLPRegressor

MTR_HOME = Path(
    os.environ.get(
        "SKMTL_DATA", Path(__file__).resolve().parents[2] / "shared" / "data" / "mtr"
    )
)
#: the small grid of the tuned MLP (4 points: 130 fits per 10-fold set, what
#: a loaded 2-core machine affords; the weight decay axis of 1e-3 was dropped)
GRID = {
    "multitaskmlpregressor__lr": [1e-3, 1e-2],
    "multitaskmlpregressor__trunk_layer_sizes": [(64, 64), (256,)],
}


def _prepare():
    return make_pipeline(SimpleImputer(), StandardScaler())


def _mlp():
    return make_pipeline(_prepare(), MultiTaskMLPRegressor(random_state=0))


def _grid():
    return GridSearchCV(_mlp(), GRID, cv=KFold(3, shuffle=True, random_state=0))


def _add_weight_decay(values):
    """Add a ``weight_decay`` axis to the grid (``--grid-weight-decay``)."""
    GRID["multitaskmlpregressor__weight_decay"] = [float(v) for v in values]


def _hgb():
    return make_pipeline(
        _prepare(), PerTaskRegressor(HistGradientBoostingRegressor(random_state=0))
    )


def _old():
    return make_pipeline(
        _prepare(),
        MultiTaskMLPRegressor(
            lr=1e-3, max_epochs=100, early_stopping=False, random_state=0
        ),
    )


MODELS = {
    "default": ("MLP default", _mlp),
    "grid": ("MLP grid", _grid),
    "hgb": ("HGB per target", _hgb),
    "old": ("MLP old defaults", _old),
}


def _net(model):
    """The fitted MultiTaskMLPRegressor inside ``model``."""
    if isinstance(model, GridSearchCV):
        model = model.best_estimator_
    return model[-1]


def evaluate(name, data_home, keys, out):
    X, Y, folds = mulan_protocol(name, data_home)
    for key in keys:
        label, make = MODELS[key]
        errs, secs, epochs, reasons, n_warn, best = [], 0.0, [], Counter(), 0, []
        for train, test in folds:
            model = make()
            t0 = time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                model.fit(X[train], Y[train])
            secs += time.perf_counter() - t0
            n_warn += sum(
                issubclass(w.category, ConvergenceWarning)
                and "max_epochs" in str(w.message)
                for w in caught
            )
            errs.append(average_rrmse(Y[test], model.predict(X[test]), Y[train]))
            if key != "hgb":
                net = _net(model)
                epochs.append(net.n_iter_)
                reasons[net.stop_reason_] += 1
            if key == "grid":
                best.append(
                    ",".join(
                        f"{k.split('__')[1]}={v}" for k, v in model.best_params_.items()
                    )
                )
        ep = f"{np.mean(epochs):.0f} ({min(epochs)}-{max(epochs)})" if epochs else "-"
        stop = ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())) or "-"
        warn = f"{n_warn}/{len(folds)}" if key != "hgb" else "-"
        out(
            f"| {name} | {label} | {np.mean(errs):.4f} | {secs:.1f} | {ep} | "
            f"{stop} | {warn} |"
        )
        if best:
            for params, count in Counter(best).most_common():
                out(f"|  | (best: {params}) x{count} |  |  |  |  |  |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="enb,slump,wq,atp1d,rf1,scm1d")
    parser.add_argument("--models", default="default,grid,hgb")
    parser.add_argument(
        "--grid-sets",
        default=None,
        help="sets on which to run the grid (default: all of --sets)",
    )
    parser.add_argument(
        "--grid-weight-decay",
        default=None,
        help="comma-separated weight_decay values: an axis of the grid (x2: 8 points)",
    )
    parser.add_argument("--data-home", default=MTR_HOME)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if args.grid_weight_decay:
        _add_weight_decay(args.grid_weight_decay.split(","))

    def out(line=""):
        print(line, flush=True)

    out(
        "| data | model | aRRMSE | fit s (all folds) | epochs mean (min-max) "
        "| stop reasons | max_epochs warnings |"
    )
    out("|---|---|---|---|---|---|---|")
    grid_sets = None if args.grid_sets is None else set(args.grid_sets.split(","))
    for name in args.sets.split(","):
        keys = [
            k
            for k in args.models.split(",")
            if not (k == "grid" and grid_sets is not None and name not in grid_sets)
        ]
        evaluate(name, args.data_home, keys, out)


if __name__ == "__main__":
    main()
