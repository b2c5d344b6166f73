"""Benchmark of skmtl.neural: training overhead and accuracy on Mulan sets.

Part 1, overhead: time per epoch of ``MultiTaskMLPRegressor`` against a plain
PyTorch loop training the *same* module (``SharedBottom``) with the same
optimizer, batch size and data: (a) the textbook loop over
``DataLoader(TensorDataset, shuffle=True)``, (b) a leaner loop slicing a
random permutation of pre-built tensors. Runs alternate and the median of
``--repeats`` is kept.

Part 2, accuracy: on enb, rf1 and scm1d (``load_mtr``), random 80/20 splits
(one per seed), mean imputation + standardisation of X, then

* ``MTL``: one ``MultiTaskMLPRegressor`` on all targets (several weightings /
  aggregators),
* ``STL``: one ``MultiTaskMLPRegressor`` per target (same backbone and
  training budget: the single-task reference),
* ``sklearn``: ``MLPRegressor`` on all targets (same hidden layers, Adam,
  learning rate, batch size and epochs; targets standardised through
  ``TransformedTargetRegressor``).

Metric: aRRMSE = mean over targets of
``sqrt(sum (y - yhat)^2 / sum (y - mean_train(y))^2)`` (lower is better), and
``Delta_m% = 100 * mean_t (RRMSE_t(STL) - RRMSE_t(model)) / RRMSE_t(STL)``, the
convention of :func:`skmtl.metrics.delta_m` (``higher_is_better=False``):
positive means the model beats the single-task models.

Usage::

    python benchmarks/bench_neural.py                 # everything
    python benchmarks/bench_neural.py --part overhead
    python benchmarks/bench_neural.py --part accuracy --seeds 5 --datasets enb
"""

import argparse
import time
import warnings

import numpy as np
import torch
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmtl.datasets import load_mtr, make_multitask_regression
from skmtl.neural import MultiTaskMLPRegressor
from skmtl.neural._modules import SharedBottom

DATA_HOME = "/work/shared/data/mtr"


# --------------------------------------------------------------------- overhead
def _plain_dataloader(X, Y, layers, lr, batch_size, epochs, seed):
    torch.manual_seed(seed)
    module = SharedBottom(X.shape[1], [1] * Y.shape[1], trunk_layer_sizes=layers)
    opt = torch.optim.Adam(module.parameters(), lr=lr)
    ds = torch.utils.data.TensorDataset(torch.as_tensor(X), torch.as_tensor(Y))
    loader = torch.utils.data.DataLoader(ds, batch_size=batch_size, shuffle=True)
    module.train()
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss = (module(xb) - yb).square().mean(0).sum()
            loss.backward()
            opt.step()
    return module


def _plain_slicing(X, Y, layers, lr, batch_size, epochs, seed):
    torch.manual_seed(seed)
    module = SharedBottom(X.shape[1], [1] * Y.shape[1], trunk_layer_sizes=layers)
    opt = torch.optim.Adam(module.parameters(), lr=lr)
    Xt, Yt = torch.as_tensor(X), torch.as_tensor(Y)
    n = len(Xt)
    module.train()
    for _ in range(epochs):
        perm = torch.randperm(n)
        for start in range(0, n, batch_size):
            idx = perm[start : start + batch_size]
            opt.zero_grad()
            loss = (module(Xt[idx]) - Yt[idx]).square().mean(0).sum()
            loss.backward()
            opt.step()
    return module


def bench_overhead(n_samples, n_features, n_tasks, layers, batch_size, epochs, repeats):
    X, Y = make_multitask_regression(
        n_samples, n_features, n_tasks, noise=0.5, random_state=0
    )
    X = StandardScaler().fit_transform(X).astype(np.float32)
    Y = StandardScaler().fit_transform(Y).astype(np.float32)
    lr = 1e-3
    runners = {
        "torch loop (DataLoader)": lambda s: _plain_dataloader(
            X, Y, layers, lr, batch_size, epochs, s
        ),
        "torch loop (slicing)": lambda s: _plain_slicing(
            X, Y, layers, lr, batch_size, epochs, s
        ),
    }
    for track in (False, True):
        name = f"MultiTaskMLPRegressor (conflicts={'on' if track else 'off'})"
        runners[name] = lambda s, track=track: MultiTaskMLPRegressor(
            trunk_layer_sizes=layers,
            lr=lr,
            batch_size=batch_size,
            max_epochs=epochs,
            standardize_targets=False,
            track_gradient_conflicts=track,
            random_state=s,
        ).fit(X, Y)
    times = {k: [] for k in runners}
    for r in range(repeats):
        for name, run in runners.items():
            t0 = time.perf_counter()
            run(r)
            times[name].append((time.perf_counter() - t0) / epochs)
    ref = np.median(times["torch loop (DataLoader)"])
    ref2 = np.median(times["torch loop (slicing)"])
    print(
        f"\nOverhead: n={n_samples}, d={n_features}, T={n_tasks}, trunk={layers}, "
        f"batch={batch_size}, {epochs} epochs, median of {repeats}, "
        f"torch threads={torch.get_num_threads()}"
    )
    print("| runner | s / epoch | ratio vs DataLoader loop | ratio vs slicing loop |")
    print("|---|---|---|---|")
    for name, ts in times.items():
        m = np.median(ts)
        print(f"| {name} | {m:.4f} | {m / ref:.2f}x | {m / ref2:.2f}x |")


# --------------------------------------------------------------------- accuracy
def rrmse(Y_true, Y_pred, Y_train):
    num = ((Y_true - Y_pred) ** 2).sum(0)
    den = ((Y_true - Y_train.mean(0)) ** 2).sum(0)
    return np.sqrt(num / den)


def _prep():
    return [SimpleImputer(), StandardScaler()]


def _mtl(layers, epochs, batch_size, lr, seed, **kw):
    """Imputer + scaler + MultiTaskMLPRegressor."""
    return make_pipeline(
        *_prep(),
        MultiTaskMLPRegressor(
            trunk_layer_sizes=layers,
            max_epochs=epochs,
            batch_size=batch_size,
            lr=lr,
            random_state=seed,
            **kw,
        ),
    )


def _fit_stl(Xtr, Ytr, Xte, cfg, seed):
    P = np.empty((len(Xte), Ytr.shape[1]))
    for t in range(Ytr.shape[1]):
        m = _mtl(*cfg, seed)
        P[:, t] = m.fit(Xtr, Ytr[:, [t]]).predict(Xte)[:, 0]
    return P


def _fit_sklearn(Xtr, Ytr, Xte, cfg, seed):
    layers, epochs, batch_size, lr = cfg
    mlp = MLPRegressor(
        hidden_layer_sizes=layers,
        learning_rate_init=lr,
        batch_size=batch_size,
        max_iter=epochs,
        random_state=seed,
    )
    reg = TransformedTargetRegressor(
        make_pipeline(*_prep(), mlp), transformer=StandardScaler()
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return reg.fit(Xtr, Ytr).predict(Xte)


#: Epochs per data set (about 750-1150 optimizer steps each at batch 128): a
#: budget that fits a shared 2-core machine, not a tuned one.
DEFAULT_EPOCHS = {"enb": 150, "rf1": 20, "scm1d": 15}


def bench_accuracy(datasets, seeds, epochs, layers, batch_size, lr, variants):
    rows = []
    for name in datasets:
        n_epochs = epochs or DEFAULT_EPOCHS.get(name, 50)
        cfg = (layers, n_epochs, batch_size, lr)
        bunch = load_mtr(name, data_home=DATA_HOME)
        X = np.asarray(bunch.data, dtype=float)
        Y = np.asarray(bunch.target, dtype=float)
        scores, times = {}, {}
        for seed in range(seeds):
            Xtr, Xte, Ytr, Yte = train_test_split(
                X, Y, test_size=0.2, random_state=seed
            )
            runs = [(f"MTL {label}", kw) for label, kw in variants.items()]
            runs += [
                ("STL (one net per target)", "stl"),
                ("sklearn MLPRegressor", "sk"),
            ]
            for label, how in runs:
                t0 = time.perf_counter()
                if how == "stl":
                    P = _fit_stl(Xtr, Ytr, Xte, cfg, seed)
                elif how == "sk":
                    P = _fit_sklearn(Xtr, Ytr, Xte, cfg, seed)
                else:
                    P = _mtl(*cfg, seed, **how).fit(Xtr, Ytr).predict(Xte)
                times.setdefault(label, []).append(time.perf_counter() - t0)
                scores.setdefault(label, []).append(rrmse(Yte, P, Ytr))
            print(f"[{name}] seed {seed} done", flush=True)
        stl_r = np.array(scores["STL (one net per target)"])  # (seeds, T)
        for label, vals in scores.items():
            vals = np.array(vals)
            arr = vals.mean(1)
            # skmtl.metrics.delta_m's convention: positive = better than STL
            dm = 100 * ((stl_r - vals) / stl_r).mean(1)
            rows.append(
                (
                    name,
                    label,
                    arr.mean(),
                    arr.std(),
                    dm.mean(),
                    dm.std(),
                    np.mean(times[label]),
                )
            )
        _print_table(rows, seeds, layers, batch_size, lr)
    return rows


def _print_table(rows, seeds, layers, batch_size, lr):
    print(
        f"\nAccuracy: {seeds} seeds (80/20 splits), epochs {DEFAULT_EPOCHS} unless "
        f"--epochs, trunk {layers}, "
        f"batch {batch_size}, Adam lr {lr}. aRRMSE lower is better; Delta_m% = "
        "100 mean_t (RRMSE_t^STL - RRMSE_t) / RRMSE_t^STL, positive = better than "
        "single-task (skmtl.metrics.delta_m)."
    )
    print("| data | model | aRRMSE (mean ± sd) | Delta_m% vs STL (mean ± sd) | fit s |")
    print("|---|---|---|---|---|")
    for name, label, a, asd, d, dsd, t in rows:
        print(
            f"| {name} | {label} | {a:.4f} ± {asd:.4f} | {d:+.2f} ± {dsd:.2f} "
            f"| {t:.1f} |",
            flush=True,
        )


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--part", choices=["overhead", "accuracy", "all"], default="all")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--datasets", nargs="+", default=["enb", "rf1", "scm1d"])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument(
        "--no-aggregator",
        action="store_true",
        help="skip the Nash-MTL variant (n_tasks + 1 backward passes per step)",
    )
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    # the training budgets are fixed on purpose: silence "still improving"
    warnings.simplefilter("ignore", ConvergenceWarning)
    if args.part in ("overhead", "all"):
        bench_overhead(
            10000, 64, 8, (64, 64), batch_size=64, epochs=5, repeats=args.repeats
        )
    if args.part in ("accuracy", "all"):
        variants = {
            "equal": {},
            "uncertainty": {"weighting": "uncertainty"},
            "nash": {"aggregator": "nash"},
        }
        if args.no_aggregator:
            del variants["nash"]
        bench_accuracy(
            args.datasets,
            args.seeds,
            args.epochs,
            (64, 64),
            args.batch_size,
            1e-3,
            variants,
        )


if __name__ == "__main__":
    main()
