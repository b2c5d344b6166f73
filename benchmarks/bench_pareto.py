"""Hypervolume convergence of ParetoFrontRegressor with and without transfer.

Linear members: for each problem and scalarisation, fits the same front with
``transfer=None`` and ``transfer='mt2o'`` (same preferences, same data) and
reports the iterations and time to reach 99% and 99.9% of the final
hypervolume, over several seeds.

Neural members (``model='mlp'``, needs torch): the same comparison for fronts
of shared-bottom networks trained by mini-batch Adam for a fixed number of
epochs (``tol=0``), on a synthetic problem with three nonlinear conflicting
tasks and on the bundled ``enb`` set. Reported: the training
hypervolume after 10 and 30 epochs and at the end, the epochs each run needs
to reach 95% and 99% of the final hypervolume of the run *without* transfer
(same seed, same split, same initialisation), the hypervolume of ``front_``
on the held-out 20%, the share of member-epochs whose transfer candidate was
accepted, and the wall time. Usage::

    python benchmarks/bench_pareto.py [--seeds 5] [--data-home DIR] \
        [--skip linear|neural] [--transfer-strength S] [--quick]

Writes ``pareto_hv.png`` and ``pareto_hv_neural.png`` to
``$SKMTL_BENCH_OUTPUT`` (default ``benchmarks/results/``).
"""

import argparse
import os
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.preprocessing import StandardScaler

from skmtl.datasets import load_mtr
from skmtl.pareto import ParetoFrontRegressor, hypervolume


def synthetic(seed, n=400, d=30, T=3, corr=0.9):
    """Conflicting tasks on correlated (ill-conditioned) features."""
    rng = np.random.default_rng(seed)
    C = corr ** np.abs(np.subtract.outer(np.arange(d), np.arange(d)))
    X = rng.multivariate_normal(np.zeros(d), C, size=n)
    # related but conflicting tasks: a common part plus task-specific parts
    W = rng.standard_normal(d) + 0.6 * rng.standard_normal((T, d))
    Y = X @ W.T + 0.5 * rng.standard_normal((n, T))
    return X, Y


def synthetic_nonlinear(seed, n=600, d=8):
    """Three nonlinear tasks of the same two inputs: they compete for a narrow
    trunk (the benchmark's networks end the trunk in two units)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    a, b, c = X[:, 0], X[:, 1], X[:, 2]
    Y = np.column_stack([np.sin(2 * a) + b, a**2 - b, np.cos(a) * b + c])
    return X, Y + 0.1 * rng.standard_normal(Y.shape)


#: Mulan sets with conflicting targets: (name, targets kept, rows kept). The
#: targets are the most negatively correlated ones of the set; rf1 keeps its
#: first 2000 rows (a 2-core budget; the front is fitted K times per epoch).
MULAN = {
    "wq": ("wq", [5, 11, 13], None),
    "rf1": ("rf1", [1, 5, 6], 2000),
    # the linear front shares one weight vector across the targets: on the
    # conflicting triples above every member is worse than predicting the
    # mean on some target (hypervolume 0 at reference point 1); rf1's targets
    # 0, 4, 7 (correlations 0.5-0.6) still trade off with a positive volume
    "rf1-linear": ("rf1", [0, 4, 7], 2000),
}
MULAN_MLP = {
    "wq (1060 x 16, targets 5, 11, 13), trunk (32, 2)": ("wq", (32, 2)),
    "rf1 (2000 x 64, targets 1, 5, 6), trunk (32, 2)": ("rf1", (32, 2)),
}


def _mulan(name, data_home):
    """A Mulan set with its conflicting targets (``MULAN``), X imputed."""
    from sklearn.impute import SimpleImputer

    mtr, targets, rows = MULAN.get(name, (name, None, None))
    b = load_mtr(mtr, data_home=data_home)
    X = SimpleImputer().fit_transform(np.asarray(b.data, dtype=float))
    Y = np.asarray(b.target, dtype=float)
    if targets is not None:
        Y = Y[:, targets]
    if rows is not None:
        X, Y = X[:rows], Y[:rows]
    return X, Y


def iters_to(h, frac, final=None):
    target = frac * (h[-1] if final is None else final)
    hit = np.flatnonzero(h >= target)
    return int(hit[0]) if len(hit) else len(h)


def _out_dir():
    out = Path(os.environ.get("SKMTL_BENCH_OUTPUT", Path(__file__).parent / "results"))
    out.mkdir(parents=True, exist_ok=True)
    return out


def _pm(values, fmt=".4f"):
    return f"{np.mean(values):{fmt}} ± {np.std(values):{fmt}}"


def neural(args):
    """Neural fronts: hypervolume against epochs with and without transfer."""
    import torch

    torch.set_num_threads(1)
    epochs = 40 if args.quick else args.epochs
    problems = {
        "synthetic nonlinear (n=600, d=8, T=3), trunk (32, 2)": (None, (32, 2)),
        "enb (768 x 8, 2 targets), trunk (32, 1)": ("enb", (32, 1)),
    }
    problems.update(MULAN_MLP)
    if args.problems:
        problems = {
            k: v for k, v in problems.items() if k.split(" ")[0] in args.problems
        }
    if args.quick:
        problems = dict([next(iter(problems.items()))])
    print(
        f"\n## Neural fronts (model='mlp'): {args.seeds} seeds, 10 preferences, "
        f"{epochs} epochs (tol=0), batch 64, Adam lr 0.01, tanh, "
        f"transfer_strength {args.transfer_strength}, transfer_every "
        f"{args.transfer_every or 'default (10 steps)'}, torch threads=1\n"
    )
    print(
        "| problem | scalarization | transfer | HV@10 | HV@30 | HV final "
        "| epochs to 95% | epochs to 99% | validation HV | accepted | time (s) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    with warnings.catch_warnings():  # warm-up: torch's first calls are slow
        warnings.simplefilter("ignore")
        X, Y = synthetic_nonlinear(0, n=100)
        ParetoFrontRegressor(preferences=3, model="mlp", max_iter=3).fit(X, Y)
    curves = {}
    for pname, (mtr, trunk) in problems.items():
        for scal in args.scalarizations:
            res = {}
            for seed in range(args.seeds):
                if mtr is None:
                    X, Y = synthetic_nonlinear(seed)
                else:
                    X, Y = _mulan(mtr, args.data_home)
                X = StandardScaler().fit_transform(X)
                for transfer in [None, "mt2o"]:
                    est = ParetoFrontRegressor(
                        preferences=10,
                        model="mlp",
                        trunk_layer_sizes=trunk,
                        activation="tanh",
                        scalarization=scal,
                        transfer=transfer,
                        transfer_strength=args.transfer_strength,
                        transfer_every=args.transfer_every,
                        lr=0.01,
                        batch_size=64,
                        max_iter=epochs,
                        tol=0,
                        validation_fraction=0.2,
                        random_state=seed,
                    )
                    t0 = time.perf_counter()
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        est.fit(X, Y)
                    elapsed = time.perf_counter() - t0
                    T = Y.shape[1]
                    vhv = hypervolume(est.front_, np.ones(T))
                    share = est.n_transfers_ / (len(est.preferences_) * est.n_iter_)
                    res.setdefault(transfer, []).append(
                        (est.hypervolume_, elapsed, vhv, share)
                    )
                    if seed == 0:
                        curves[(pname, scal, transfer)] = est.hypervolume_
            rows = {}
            for transfer in [None, "mt2o"]:
                runs = res[transfer]
                finals = [r[0][-1] for r in res[None]]  # target: no transfer
                h10 = [r[0][min(10, len(r[0]) - 1)] for r in runs]
                h30 = [r[0][min(30, len(r[0]) - 1)] for r in runs]
                hf = [r[0][-1] for r in runs]
                e95 = [
                    iters_to(r[0], 0.95, f) for r, f in zip(runs, finals, strict=True)
                ]
                e99 = [
                    iters_to(r[0], 0.99, f) for r, f in zip(runs, finals, strict=True)
                ]
                times = [r[1] for r in runs]
                vh = [r[2] for r in runs]
                acc = [r[3] for r in runs]
                rows[transfer] = (e95, e99, times)
                print(
                    f"| {pname} | {scal} | {transfer or 'none'} | {_pm(h10)} | "
                    f"{_pm(h30)} | {_pm(hf)} | {_pm(e95, '.0f')} | "
                    f"{_pm(e99, '.0f')} | {_pm(vh)} | {np.mean(acc):.1%} | "
                    f"{np.mean(times):.2f} |",
                    flush=True,
                )
            a, b = rows[None], rows["mt2o"]
            print(
                f"| {pname} | {scal} | ratio mt2o/none | | | | "
                f"{np.mean(b[0]) / max(np.mean(a[0]), 1):.2f} | "
                f"{np.mean(b[1]) / max(np.mean(a[1]), 1):.2f} | | | "
                f"{np.mean(b[2]) / np.mean(a[2]):.2f} |",
                flush=True,
            )
    _plot(curves, "pareto_hv_neural.png", "epoch", log=False)


def _plot(curves, name, xlabel, log=True):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    keys = sorted({(p, s) for p, s, _ in curves})
    fig, axes = plt.subplots(1, len(keys), figsize=(4 * len(keys), 3.2))
    for ax, (p, s) in zip(np.atleast_1d(axes), keys, strict=True):
        for tr in [None, "mt2o"]:
            h = curves[(p, s, tr)]
            ax.plot(np.arange(len(h)), h, label=tr or "no transfer")
        if log:
            ax.set_xscale("symlog")
        ax.set_title(f"{p.split(' (')[0]}, {s}", fontsize=9)
        ax.set_xlabel(xlabel)
    np.atleast_1d(axes)[0].set_ylabel("hypervolume")
    np.atleast_1d(axes)[0].legend(fontsize=8)
    fig.tight_layout()
    path = _out_dir() / name
    fig.savefig(path, dpi=100)
    print(f"\nfigure: {path}")


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--max-iter", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=150, help="neural fronts")
    parser.add_argument(
        "--transfer-strength", type=float, default=0.5, help="neural fronts"
    )
    parser.add_argument(
        "--transfer-every", type=int, default=None, help="steps between transfers"
    )
    parser.add_argument(
        "--scalarizations", nargs="+", default=["weighted_sum", "tchebycheff"]
    )
    parser.add_argument(
        "--problems", nargs="+", default=None, help="first word of the problem names"
    )
    parser.add_argument("--skip", choices=["linear", "neural"], default=None)
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    args = parser.parse_args(argv)
    if args.skip != "linear":
        linear(args)
    if args.skip != "neural":
        neural(args)


def linear(args):
    """Linear fronts: iterations to a share of the final hypervolume."""
    problems = {
        "synthetic (n=400, d=30, T=3, corr 0.9)": None,
        "slump (3 targets)": "slump",
    }
    if args.data_home:
        problems["atp1d (6 targets)"] = "atp1d"
        problems["rf1 (targets 0, 4, 7; 2000 rows)"] = "rf1-linear"
    if args.problems:
        problems = {
            k: v for k, v in problems.items() if k.split(" ")[0] in args.problems
        }
    curves = {}
    print(f"# Pareto front: hypervolume convergence, {time.strftime('%Y-%m-%d')}\n")
    print(
        "| problem | scalarization | transfer | iters to 99% HV | iters to 99.9% HV "
        "| iters total | time (s) | final HV |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for pname, mtr in problems.items():
        for scal in args.scalarizations:
            rows = {}
            for transfer in [None, "mt2o"]:
                r99, r999, its, times, hvs = [], [], [], [], []
                for seed in range(args.seeds):
                    if mtr is None:
                        X, Y = synthetic(seed)
                    else:
                        X, Y = _mulan(mtr, args.data_home)
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
    _plot(curves, "pareto_hv.png", "iteration")


if __name__ == "__main__":
    main()
