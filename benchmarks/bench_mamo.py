"""Benchmark of MAMORegressor: where it adds modules, and what they cost.

Part 1, rules: the conflict rule of MAMO on three problems, 5 seeds, under
the default ``threshold='test'`` (a pair gets modules only when the mean
cosine of its gradients over the second half of probing is significantly
below zero: one-sided t-test, family-wise level 0.05, Bonferroni over the
layer-pair tests) and the paper's relative cutoff ``threshold='mean'`` (pairs
whose count of negative cosines exceeds the layer's mean count):

* ``aligned``: four tasks that are scaled noisy copies of one function
  (``c_t (tanh(x_0 + x_1) + x_2 / 2) + 0.1 noise``): no pair conflicts;
* ``planted-narrow``: two agreeing task groups that conflict with each other
  (group A learns ``relu(z)``, group B ``relu(-z)`` of the same projection
  ``z = x_0 + x_1``; two noisy copies of each) on a (4,) trunk, too narrow
  to serve both groups: the four between-group pairs conflict;
* ``planted-wide``: the same tasks on a (64, 64) trunk, wide enough to give
  each group its own units: the between-group gradients are orthogonal
  (mean cosine about 0), not opposed.

Every fit: n = 1000 (80/20 split), Adam lr 0.01, batch 32, 10 probing
epochs, 40 epochs in all. Reported per problem and rule: modules added
(mean and range over seeds), precision / recall of the flagged pairs against
the planted between-group pairs, learnable parameters (mean), fit time and
test R^2 (mean over tasks), with the mean gradient cosine of each pair.

Part 2, accuracy: on the planted problem and on Mulan multi-target sets
(``load_mtr``: enb, slump, wq by default), random 80/20 splits (one per seed),
mean imputation + standardisation of X, then the same trunk, Adam,
learning rate, batch size and epoch budget for

* ``shared-bottom``: ``MultiTaskMLPRegressor()`` (sum of the task losses),
* ``MMoE``: ``MultiTaskMLPRegressor(architecture='mmoe', n_experts=3)``,
* ``MGDA``: ``MultiTaskMLPRegressor(aggregator='mgda')`` (shared-bottom with
  the MGDA update: MAMO without its modules),
* ``MAMO``: ``MAMORegressor()`` (the 'test' rule), ``threshold='mean'``, the
  same with at most ``n_tasks`` modules (``max_modules``), and
  ``aggregator=None`` (the 'mean' modules with the plain sum of the losses).

Usage::

    python benchmarks/bench_mamo.py                      # everything
    python benchmarks/bench_mamo.py --part rules
    python benchmarks/bench_mamo.py --part accuracy --seeds 3 --datasets enb
    python benchmarks/bench_mamo.py --quick                # smoke run
"""

import argparse
import os
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


def aligned(n=1000, seed=0):
    """Scaled noisy copies of one function; see the module docstring."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    f = np.tanh(X[:, 0] + X[:, 1]) + 0.5 * X[:, 2]
    scales = (1.0, 0.8, 1.2, 0.6)
    return X, np.column_stack([c * f + 0.1 * rng.normal(size=n) for c in scales])


# ------------------------------------------------------------------------ rules
#: problem -> (data, trunk, pairs that truly conflict)
RULE_PROBLEMS = {
    "aligned": (aligned, (4,), []),
    "planted-narrow": (planted, (4,), BETWEEN),
    "planted-wide": (planted, (64, 64), BETWEEN),
}


def bench_rules(seeds, problems, probe_epochs=10, epochs=40, lr=0.01, batch=32):
    print(
        f"\nConflict rules, {seeds} seeds; n=1000 (80/20 split), 4 tasks, Adam lr "
        f"{lr}, batch {batch}, probe_epochs={probe_epochs}, max_epochs={epochs}; "
        "'test': t-test of the mean cosine at family-wise level 0.05; 'mean': "
        "the paper's relative cutoff."
    )
    rows, cosines = [], []
    for name in problems:
        make, trunk, truth = RULE_PROBLEMS[name]
        X, Y = make(n=1000, seed=123)
        Xtr, Xte, Ytr, Yte = train_test_split(X, Y, test_size=0.2, random_state=0)
        stats = {
            rule: dict(
                n_mod=[], n_par=[], t=[], cpu=[], r2=[], cos=[], tp=0, fp=0, fn=0
            )
            for rule in ("test", "mean")
        }
        for seed in range(seeds):
            for rule in ("test", "mean"):  # interleaved: same load for both
                m = MAMORegressor(
                    trunk_layer_sizes=trunk,
                    probe_epochs=probe_epochs,
                    max_epochs=epochs,
                    lr=lr,
                    batch_size=batch,
                    threshold=rule,
                    random_state=seed,
                )
                t0, c0 = time.perf_counter(), time.process_time()
                m.fit(Xtr, Ytr)
                st = stats[rule]
                st["t"].append(time.perf_counter() - t0)
                st["cpu"].append(time.process_time() - c0)
                st["n_mod"].append(len(m.modules_))
                st["n_par"].append(m.n_parameters_)
                st["r2"].append(_r2(Yte, m.predict(Xte)).mean())
                flagged = set(m.conflict_pairs_)
                st["tp"] += len(flagged & set(truth))
                st["fp"] += len(flagged - set(truth))
                st["fn"] += len(set(truth) - flagged)
                st["cos"].append(np.nanmean(m.conflict_cosine_, axis=0))
                st["sb"] = m.n_parameters_shared_bottom_
        for rule, st in stats.items():
            tp, fp, fn = st["tp"], st["fp"], st["fn"]
            prec = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
            rec = f"{tp / (tp + fn):.2f}" if truth else "-"
            rows.append((name, trunk, rule, prec, rec, st))
        cosines.append((name, np.mean(stats["test"]["cos"], axis=0)))
        print(f"[{name}] done (load {os.getloadavg()[0]:.1f})", flush=True)
    print(
        "\n| problem | trunk | rule | modules added (mean, min-max) | pair precision "
        "| pair recall | params (shared-bottom) | fit CPU s (median) "
        "| fit wall s (median) | test R^2 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, trunk, rule, prec, rec, st in rows:
        n_mod = st["n_mod"]
        print(
            f"| {name} | {trunk} | {rule} | {np.mean(n_mod):.1f} "
            f"({min(n_mod)}-{max(n_mod)}) | {prec} | {rec} "
            f"| {np.mean(st['n_par']):.0f} ({st['sb']}) | {np.median(st['cpu']):.1f} "
            f"| {np.median(st['t']):.1f} "
            f"| {np.mean(st['r2']):.4f} |",
            flush=True,
        )
    print(
        "\nMean gradient cosine of each pair (second half of probing, mean over "
        "layers and seeds):"
    )
    print("| problem | " + " | ".join(f"({i},{j})" for i, j in _PAIRS) + " |")
    print("|---|" + "---|" * len(_PAIRS))
    for name, c in cosines:
        print(f"| {name} | " + " | ".join(f"{c[i, j]:+.2f}" for i, j in _PAIRS) + " |")


_PAIRS = [(i, j) for i in range(4) for j in range(i + 1, 4)]


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
        "MAMO (test)": MAMORegressor(**common, probe_epochs=probe),
        "MAMO (mean)": MAMORegressor(**common, probe_epochs=probe, threshold="mean"),
        "MAMO (mean, max_modules=T)": MAMORegressor(
            **common, probe_epochs=probe, threshold="mean", max_modules=n_tasks
        ),
        # the modules without the MGDA update: separates architecture from MGDA
        "MAMO (mean, sum update)": MAMORegressor(
            **common, probe_epochs=probe, threshold="mean", aggregator=None
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
        f"(epochs, batch, trunk) {BUDGET}; MAMO probes max(5, epochs // 5) epochs "
        "(rule 'test' unless marked 'mean'). "
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
    p.add_argument("--part", choices=["rules", "accuracy", "all"], default="all")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--datasets", nargs="+", default=["planted", "enb", "slump", "wq"])
    p.add_argument(
        "--problems", nargs="+", default=list(RULE_PROBLEMS), choices=RULE_PROBLEMS
    )
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--models", nargs="+", default=None, help="only these model labels")
    p.add_argument(
        "--quick",
        action="store_true",
        help="2 seeds, the narrow problems and slump only (a smoke run)",
    )
    args = p.parse_args()
    epochs = 40
    if args.quick:
        args.seeds, args.datasets = 2, ["planted-narrow", "slump"]
        args.problems, epochs = ["aligned", "planted-narrow"], 12
    torch.set_num_threads(args.threads)
    # fixed training budgets: silence "still improving"
    warnings.simplefilter("ignore", ConvergenceWarning)
    if args.part in ("rules", "all"):
        bench_rules(args.seeds, args.problems, epochs=epochs)
    if args.part in ("accuracy", "all"):
        bench_accuracy(args.datasets, args.seeds, 1e-3, args.models)


if __name__ == "__main__":
    main()
