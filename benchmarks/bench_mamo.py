"""Benchmark of MAMORegressor: where it adds modules, and what they buy.

Part 1, detection: on a planted problem with two agreeing task groups that
conflict with each other (group A learns ``relu(z)``, group B ``relu(-z)`` of
the same projection ``z = x_0 + x_1``; two noisy copies of each), count over
seeds how often each task pair gets a module, and the precision / recall of
the flagged pairs against the four between-group pairs.

Part 2, accuracy: on the planted problem and on Mulan multi-target sets
(``load_mtr``: enb, slump, wq by default), random 80/20 splits (one per seed),
mean imputation + standardisation of X, then the same trunk, Adam,
learning rate, batch size and epoch budget for

* ``shared-bottom``: ``MultiTaskMLPRegressor()`` (sum of the task losses),
* ``MMoE``: ``MultiTaskMLPRegressor(architecture='mmoe', n_experts=3)``,
* ``MGDA``: ``MultiTaskMLPRegressor(aggregator='mgda')`` (shared-bottom with
  the MGDA update: MAMO without its modules),
* ``MAMO``: ``MAMORegressor(threshold='mean')`` and the same with at most
  ``n_tasks`` modules (``max_modules``); with two tasks nothing exceeds the
  mean, so MAMO is MGDA alone there; and ``aggregator=None`` (the modules
  with the plain sum of the losses instead of MGDA).

'planted-narrow' is the planted problem with a (4, 4) trunk (too narrow to
serve both groups); the other sets use (64, 64).

Reported: mean over tasks of the test R^2 and aRRMSE (mean over targets of
``sqrt(sum (y - yhat)^2 / sum (y - mean_train(y))^2)``, lower is better), mean
± sd over seeds, per-task R^2 for sets with at most 3 targets, learnable
parameter counts and fit time.

Usage::

    python benchmarks/bench_mamo.py                      # everything
    python benchmarks/bench_mamo.py --part detection
    python benchmarks/bench_mamo.py --part accuracy --seeds 3 --datasets enb
    python benchmarks/bench_mamo.py --quick                # smoke run
"""

import argparse
import time
import warnings

import numpy as np
import torch
from bench_neural import _prep, rrmse
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skmtl.datasets import load_mtr
from skmtl.neural import MAMORegressor, MultiTaskMLPRegressor

DATA_HOME = "/work/shared/data/mtr"
BETWEEN = [(0, 2), (0, 3), (1, 2), (1, 3)]


def planted(n=1000, seed=0):
    """Groups {0, 1} (relu(z)) and {2, 3} (relu(-z)); see the module docstring."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    z = X[:, 0] + X[:, 1]
    a, b = np.maximum(z, 0), np.maximum(-z, 0)
    noise = 0.1 * rng.normal(size=(n, 2))
    return X, np.column_stack([a, a + noise[:, 0], b, b + noise[:, 1]])


# -------------------------------------------------------------------- detection
def bench_detection(seeds, trunks, probe_epochs, lr):
    X, Y = planted()
    print(
        f"\nDetection on the planted problem (n=1000, 4 tasks, groups {{0,1}} and "
        f"{{2,3}}), probe_epochs={probe_epochs}, batch 64, Adam lr {lr}, "
        f"{seeds} seeds, threshold='mean'."
    )
    print(
        "| trunk | pair (i, j) | planted | modules added (layers, over seeds) "
        "| mean conflict frequency per layer |"
    )
    print("|---|---|---|---|---|")
    summary = []
    for trunk in trunks:
        hits = {}
        freq = []
        tp = fp = fn = 0
        for seed in range(seeds):
            m = MAMORegressor(
                trunk_layer_sizes=trunk,
                probe_epochs=probe_epochs,
                max_epochs=probe_epochs,
                lr=lr,
                random_state=seed,
            ).fit(X, Y)
            freq.append(m.conflict_frequency_)
            for layer, i, j in m.modules_:
                hits.setdefault((i, j), []).append(layer)
            flagged = set(m.conflict_pairs_)
            tp += len(flagged & set(BETWEEN))
            fp += len(flagged - set(BETWEEN))
            fn += len(set(BETWEEN) - flagged)
        freq = np.mean(freq, axis=0)
        for i in range(4):
            for j in range(i + 1, 4):
                layers = hits.get((i, j), [])
                per_layer = ", ".join(
                    f"l{k}: {sum(x == k for x in layers)}/{seeds}"
                    for k in range(len(trunk))
                )
                kind = "conflict" if (i, j) in BETWEEN else "agree"
                fr = " / ".join(f"{f[i, j]:.2f}" for f in freq)
                print(f"| {trunk} | ({i}, {j}) | {kind} | {per_layer} | {fr} |")
        summary.append((trunk, tp / max(tp + fp, 1), tp / max(tp + fn, 1)))
    print("\n| trunk | pair precision | pair recall |")
    print("|---|---|---|")
    for trunk, prec, rec in summary:
        print(f"| {trunk} | {prec:.2f} | {rec:.2f} |")


# --------------------------------------------------------------------- accuracy
#: (epochs, batch size, trunk) per data set: a budget for a shared 2-core
#: machine. 'planted-narrow' is the planted problem with a (4, 4) trunk, too
#: narrow to serve both groups.
BUDGET = {
    "planted": (60, 64, (64, 64)),
    "planted-narrow": (60, 64, (4, 4)),
    "enb": (100, 64, (64, 64)),
    "slump": (300, 32, (64, 64)),
    "wq": (60, 64, (64, 64)),
    "atp1d": (100, 32, (64, 64)),
}


def _models(epochs, batch_size, trunk, lr, seed, n_tasks):
    common = dict(
        trunk_layer_sizes=trunk,
        max_epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        random_state=seed,
    )
    probe = max(5, epochs // 5)
    return {
        "shared-bottom": MultiTaskMLPRegressor(**common),
        "MMoE (3 experts)": MultiTaskMLPRegressor(
            **common, architecture="mmoe", n_experts=3
        ),
        "MGDA (shared-bottom)": MultiTaskMLPRegressor(**common, aggregator="mgda"),
        "MAMO (mean)": MAMORegressor(**common, probe_epochs=probe),
        "MAMO (mean, max_modules=T)": MAMORegressor(
            **common, probe_epochs=probe, max_modules=n_tasks
        ),
        # the modules without the MGDA update: separates architecture from MGDA
        "MAMO (mean, sum update)": MAMORegressor(
            **common, probe_epochs=probe, aggregator=None
        ),
    }


def _n_params(est):
    if hasattr(est, "n_parameters_"):
        return est.n_parameters_
    return sum(p.numel() for p in est.net_.module_.parameters())


def _r2(Y, P):
    return 1 - ((Y - P) ** 2).sum(0) / ((Y - Y.mean(0)) ** 2).sum(0)


def _load(name):
    if name.startswith("planted"):
        return planted(n=1000, seed=123)
    bunch = load_mtr(name, data_home=DATA_HOME)
    return np.asarray(bunch.data, dtype=float), np.asarray(bunch.target, dtype=float)


def bench_accuracy(datasets, seeds, lr, only=None):
    rows, per_task, module_notes = [], [], []
    for name in datasets:
        X, Y = _load(name)
        epochs, batch_size, trunk = BUDGET.get(name, (60, 64, (64, 64)))
        res = {}
        for seed in range(seeds):
            Xtr, Xte, Ytr, Yte = train_test_split(
                X, Y, test_size=0.2, random_state=seed
            )
            models = _models(epochs, batch_size, trunk, lr, seed, Y.shape[1])
            for label, est in models.items():
                if only and label not in only:
                    continue
                pipe = make_pipeline(*_prep(), est)
                t0 = time.perf_counter()
                P = pipe.fit(Xtr, Ytr).predict(Xte)
                r = res.setdefault(label, {"r2": [], "rr": [], "t": [], "mods": []})
                r["t"].append(time.perf_counter() - t0)
                r["r2"].append(_r2(Yte, P))
                r["rr"].append(rrmse(Yte, P, Ytr).mean())
                r["np"] = _n_params(est)
                if hasattr(est, "modules_"):
                    r["mods"].append(len(est.modules_))
                    r.setdefault("np_all", []).append(est.n_parameters_)
                    if seed == 0:
                        module_notes.append((name, label, est.modules_))
            print(f"[{name}] seed {seed} done", flush=True)
        T = Y.shape[1]
        for label, r in res.items():
            r2 = np.array(r["r2"])
            mean_r2 = r2.mean(1)
            n_par = f"{np.mean(r['np_all']):.0f}" if "np_all" in r else f"{r['np']}"
            mods = f"{np.mean(r['mods']):.1f}" if r["mods"] else "-"
            rows.append(
                (
                    name,
                    T,
                    label,
                    mean_r2.mean(),
                    mean_r2.std(),
                    np.mean(r["rr"]),
                    np.std(r["rr"]),
                    n_par,
                    mods,
                    np.mean(r["t"]),
                )
            )
            if T <= 4:
                per_task.append((name, label, r2.mean(0), r2.std(0)))
        _print_tables(rows, per_task, module_notes, seeds, lr)


def _print_tables(rows, per_task, notes, seeds, lr):
    print(
        f"\nAccuracy: {seeds} seeds (80/20 splits), Adam lr {lr}, "
        f"(epochs, batch, trunk) {BUDGET}; MAMO probes max(5, epochs // 5) epochs. "
        "R^2: mean over tasks (higher is better); aRRMSE lower is better; "
        "params: learnable parameters (MAMO: mean over seeds, modules included)."
    )
    print(
        "| data | T | model | mean R^2 (mean ± sd) | aRRMSE (mean ± sd) | params "
        "| modules | fit s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, T, label, r, rsd, a, asd, npar, mods, t in rows:
        print(
            f"| {name} | {T} | {label} | {r:.4f} ± {rsd:.4f} | {a:.4f} ± {asd:.4f} "
            f"| {npar} | {mods} | {t:.1f} |",
            flush=True,
        )
    if per_task:
        print("\nPer-task test R^2 (mean ± sd over seeds), sets with T <= 4:")
        print("| data | model | per-task R^2 |")
        print("|---|---|---|")
        for name, label, m, s in per_task:
            cells = ", ".join(
                f"t{k}: {a:.3f} ± {b:.3f}"
                for k, (a, b) in enumerate(zip(m, s, strict=True))
            )
            print(f"| {name} | {label} | {cells} |")
    if notes:
        print("\nModules added by MAMO on seed 0 ((layer, i, j)):")
        for name, label, mods in notes:
            print(f"- {name}, {label}: {mods if mods else 'none'}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--part", choices=["detection", "accuracy", "all"], default="all")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--datasets", nargs="+", default=["planted", "enb", "slump", "wq"])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--models", nargs="+", default=None, help="only these model labels")
    p.add_argument(
        "--quick",
        action="store_true",
        help="2 seeds on planted-narrow and slump only (a smoke run)",
    )
    args = p.parse_args()
    if args.quick:
        args.seeds, args.datasets = 2, ["planted-narrow", "slump"]
    torch.set_num_threads(args.threads)
    # fixed training budgets: silence "still improving"
    warnings.simplefilter("ignore", ConvergenceWarning)
    if args.part in ("detection", "all"):
        bench_detection(args.seeds, [(16,), (64, 64)], probe_epochs=10, lr=0.01)
    if args.part in ("accuracy", "all"):
        bench_accuracy(args.datasets, args.seeds, 1e-3, args.models)


if __name__ == "__main__":
    main()
