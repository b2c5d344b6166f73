"""Benchmark of skmtl.neural: training and prediction speed, accuracy on Mulan sets.

Part 1, speed: (a) seconds per epoch of ``MultiTaskMLPRegressor`` (8 tasks,
trunk (64, 64), batch 256, 50,000 rows x 32 features) against a hand-written
PyTorch loop training the same network with ONE fused 64 -> 8 head (same
data, slicing a random permutation; with torch's default Adam, and with its
fused Adam, the implementation skmtl's named optimizers use; and the textbook
``DataLoader`` loop);
(b) ``predict`` on 1e6 rows x 32 features with default settings, in memory
and from a memory map, against the fitted network called directly on
65,536-row batches. The runners alternate within each repeat, the median of
``--repeats`` is kept and the load average is printed beside the numbers.

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

Part 3, transfer: few-shot learning of a new task on School (long data, 139
schools). Per fold some schools are held out; a ``MultiTaskMLPRegressor`` and
a ``SharedRepresentationRegressor`` are fitted on the others, then each
held-out school is learned from its first 5, 10, 20 or 50 pupils (random
orders) with ``fit_new_task`` (ridge head toward zero, or toward the mean of
the fitted heads with ``prior='mean'``), a ``RidgeCV`` on ``transform``'s
features, and models of the school alone (``RidgeCV``, the mean); test R^2 on
the school's other pupils.

Usage::

    python benchmarks/bench_neural.py                 # everything
    python benchmarks/bench_neural.py --part speed \\
        --output benchmarks/results/neural_speed.txt
    python benchmarks/bench_neural.py --part speed --device cuda  # + GPU rows
    python benchmarks/bench_neural.py --part accuracy --seeds 5 --datasets enb
    python benchmarks/bench_neural.py --part transfer --folds 5 \\
        --tasks-per-fold 4 --draws 5 --output benchmarks/results/neural_transfer.txt
"""

import argparse
import os
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

DATA_HOME = "/work/shared/data/mtr"


# --------------------------------------------------------------------- overhead
def _raw_net(n_features, n_tasks, layers):
    """The same network written by hand: the trunk and ONE fused 64 -> T head."""
    blocks, n_in = [], n_features
    for size in layers:
        blocks += [torch.nn.Linear(n_in, size), torch.nn.ReLU()]
        n_in = size
    return torch.nn.Sequential(*blocks, torch.nn.Linear(n_in, n_tasks))


def _raw_slicing(X, Y, layers, lr, batch_size, epochs, seed, fused=None, device="cpu"):
    """Hand-written loop: fused head, slices of a random permutation.

    ``fused=True``: torch's fused Adam (one kernel for all parameters), what
    skmtl's named optimizers use; None: torch's default (a loop over tensors
    on the CPU). On a GPU ``device`` the data is copied there once.
    """
    torch.manual_seed(seed)
    module = _raw_net(X.shape[1], Y.shape[1], layers).to(device)
    opt = torch.optim.Adam(module.parameters(), lr=lr, fused=fused)
    Xt, Yt = torch.from_numpy(X).to(device), torch.from_numpy(Y).to(device)
    n = len(Xt)
    module.train()
    for _ in range(epochs):
        perm = torch.randperm(n, device=device)
        for start in range(0, n, batch_size):
            idx = perm[start : start + batch_size]
            opt.zero_grad()
            loss = (module(Xt[idx]) - Yt[idx]).square().mean(0).sum()
            loss.backward()
            opt.step()
    if str(device).startswith("cuda"):
        torch.cuda.synchronize()
    return module


def _raw_dataloader(X, Y, layers, lr, batch_size, epochs, seed):
    """The textbook loop: fused head, ``DataLoader(TensorDataset)``."""
    torch.manual_seed(seed)
    module = _raw_net(X.shape[1], Y.shape[1], layers)
    opt = torch.optim.Adam(module.parameters(), lr=lr)
    ds = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y))
    loader = torch.utils.data.DataLoader(ds, batch_size=batch_size, shuffle=True)
    module.train()
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss = (module(xb) - yb).square().mean(0).sum()
            loss.backward()
            opt.step()
    return module


def _load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def _speed_data(n_samples, n_features, n_tasks, seed=0):
    X, Y = make_multitask_regression(
        n_samples, n_features, n_tasks, noise=0.5, random_state=seed
    )
    X = StandardScaler().fit_transform(X).astype(np.float32)
    Y = StandardScaler().fit_transform(Y).astype(np.float32)
    return X, Y


def _real_speed_data(name):
    """A Mulan set as the loops see it: imputed, standardised X and Y, float32."""
    bunch = load_mtr(name, data_home=DATA_HOME)
    X = StandardScaler().fit_transform(SimpleImputer().fit_transform(bunch.data))
    Y = StandardScaler().fit_transform(np.asarray(bunch.target, dtype=float))
    return X.astype(np.float32), Y.astype(np.float32)


def bench_overhead(X, Y, layers, batch_size, epochs, repeats, label="Gaussian"):
    """Seconds per epoch of skmtl against the hand-written fused-head loop.

    Every runner fits the whole training from scratch (``epochs`` epochs; its
    time divided by ``epochs``, so skmtl's validation and set-up count); the
    runners alternate within each repeat and the median is kept.
    """
    (n_samples, n_features), n_tasks = X.shape, Y.shape[1]
    lr = 1e-3
    runners = {
        "torch loop, fused head (slicing)": lambda s: _raw_slicing(
            X, Y, layers, lr, batch_size, epochs, s
        ),
        "torch loop, fused head (slicing, fused Adam)": lambda s: _raw_slicing(
            X, Y, layers, lr, batch_size, epochs, s, fused=True
        ),
        "torch loop, fused head (DataLoader)": lambda s: _raw_dataloader(
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
            early_stopping=False,  # a fixed number of epochs, as the loop
            random_state=s,
        ).fit(X, Y)
    wall, cpu = _interleave(runners, repeats, lambda run, r: run(r))
    lines = [
        f"Training, {label}: n={n_samples}, d={n_features}, T={n_tasks}, "
        f"trunk={layers}, "
        f"batch={batch_size}, {epochs} epochs per fit (times / {epochs}), median "
        f"of {repeats} interleaved repeats, torch threads="
        f"{torch.get_num_threads()}, load average before/after: {wall.pop('load')}",
    ]
    refs = ["torch loop, fused head (slicing)"]
    refs.append(refs[0][:-1] + ", fused Adam)")
    return lines + _table(wall, cpu, refs, epochs)


def _device_name(device):
    if str(device).startswith("cuda"):
        return torch.cuda.get_device_name(device)
    return str(device)


def bench_device(
    device, n_samples, n_features, n_tasks, layers, batch_size, epochs, repeats
):
    """Seconds per epoch on the CPU and on ``device`` (a GPU), same run.

    The hand-written fused-head loop (fused Adam, data on the device) and
    ``MultiTaskMLPRegressor`` at its defaults except a fixed number of
    epochs, each on both; wall-clock time (a GPU's work is not the process's
    CPU time), the fit synchronised before the clock stops. Then ``predict``
    on 1e6 rows on both.
    """
    X, Y = _speed_data(n_samples, n_features, n_tasks)
    lr = 1e-3
    runners = {}
    for dev in ("cpu", device):
        runners[f"torch loop, fused Adam ({dev})"] = lambda s, dev=dev: _raw_slicing(
            X, Y, layers, lr, batch_size, epochs, s, fused=True, device=dev
        )
        runners[f"MultiTaskMLPRegressor ({dev})"] = lambda s, dev=dev: (
            MultiTaskMLPRegressor(
                trunk_layer_sizes=layers,
                lr=lr,
                batch_size=batch_size,
                max_epochs=epochs,
                standardize_targets=False,
                early_stopping=False,
                random_state=s,
                device=dev,
            ).fit(X, Y)
        )
    for run in runners.values():  # warm-up: CUDA context, kernels
        run(0)
    wall, cpu = _interleave(runners, repeats, lambda run, r: run(r))
    lines = [
        f"Training on cpu and {device} ({_device_name(device)}): "
        f"n={n_samples}, d={n_features}, T={n_tasks}, trunk={layers}, "
        f"batch={batch_size}, {epochs} epochs per fit (times / {epochs}), "
        f"median of {repeats} interleaved repeats, torch threads="
        f"{torch.get_num_threads()}, load average before/after: {wall.pop('load')}",
    ]
    lines += _table(
        wall,
        cpu,
        ["torch loop, fused Adam (cpu)", f"torch loop, fused Adam ({device})"],
        epochs,
    )
    model = {
        dev: MultiTaskMLPRegressor(
            trunk_layer_sizes=layers, max_epochs=1, random_state=0, device=dev
        ).fit(X, Y)
        for dev in ("cpu", device)
    }
    Xbig = np.random.default_rng(1).normal(size=(10**6, n_features))
    Xbig = Xbig.astype(np.float32)
    runners = {
        f"MultiTaskMLPRegressor.predict, 1e6 rows ({dev})": (
            lambda dev=dev: model[dev].predict(Xbig)
        )
        for dev in ("cpu", device)
    }
    wall, cpu = _interleave(runners, repeats, lambda run, r: run())
    lines += ["", f"Prediction, load average before/after: {wall.pop('load')}"]
    lines += _table(wall, cpu, ["MultiTaskMLPRegressor.predict, 1e6 rows (cpu)"])
    return lines


def _interleave(runners, repeats, call):
    """Wall-clock and process CPU seconds of each runner, alternating runners.

    CPU time is the steadier measure on a shared machine: waiting for a core
    does not count in it.
    """
    wall = {k: [] for k in runners}
    cpu = {k: [] for k in runners}
    before = _load()
    for r in range(repeats):
        for name, run in runners.items():
            t0, c0 = time.perf_counter(), time.process_time()
            call(run, r)
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    wall["load"] = f"{before} / {_load()}"
    return wall, cpu


def _table(wall, cpu, refs, per=1):
    """Median times per runner and their ratios to each reference runner."""
    refs = [refs] if isinstance(refs, str) else list(refs)
    head = "| runner | wall s | CPU s |" + "".join(
        f" wall / CPU ratio to {r} |" for r in refs
    )
    lines = [head, "|---|---|---|" + "---|" * len(refs)]
    for name in wall:
        w, c = np.median(wall[name]), np.median(cpu[name])
        ratios = "".join(
            f" {w / np.median(wall[r]):.2f}x / {c / np.median(cpu[r]):.2f}x |"
            for r in refs
        )
        lines.append(f"| {name} | {w / per:.4f} | {c / per:.4f} |{ratios}")
    return lines


def _direct_predict(module, X, rows=65536):
    """The fitted network called on large batches, nothing else."""
    module.eval()
    Xt = torch.from_numpy(X)
    with torch.no_grad():
        return torch.cat([module(Xt[s : s + rows]) for s in range(0, len(Xt), rows)])


def bench_predict(n_samples, n_features, n_tasks, layers, repeats, folder=None):
    """``predict`` with default settings against the bare network, same run.

    The model is fitted for one epoch on 50,000 rows; prediction runs on
    ``n_samples`` rows in memory and on the same rows as a memory map
    (:ref:`neural_streaming`).
    """
    import tempfile

    X, Y = _speed_data(50000, n_features, n_tasks)
    model = MultiTaskMLPRegressor(
        trunk_layer_sizes=layers, max_epochs=1, batch_size=256, random_state=0
    ).fit(X, Y)
    Xbig = np.random.default_rng(1).normal(size=(n_samples, n_features))
    Xbig = Xbig.astype(np.float32)
    tmp = tempfile.mkdtemp(dir=folder)
    path = os.path.join(tmp, "X.npy")
    np.save(path, Xbig)
    Xmap = np.load(path, mmap_mode="r")
    module = model.net_.module_
    runners = {
        "network called directly (65,536-row batches)": lambda: _direct_predict(
            module, Xbig
        ),
        "MultiTaskMLPRegressor.predict (defaults)": lambda: model.predict(Xbig),
        "MultiTaskMLPRegressor.predict (memory map)": lambda: model.predict(Xmap),
    }
    out = {}

    def call(run, r):
        out[run] = run()

    wall, cpu = _interleave(runners, repeats, call)
    out = {name: out[run] for name, run in runners.items()}
    direct = out["network called directly (65,536-row batches)"].numpy()
    direct = direct * model.y_scale_ + model.y_mean_
    err = max(
        np.abs(out[k] - direct).max() for k in list(runners)[1:]
    )  # same predictions
    runners.clear()  # drops the memory map
    os.remove(path)
    os.rmdir(tmp)
    lines = [
        f"Prediction: {n_samples} rows x {n_features} features, T={n_tasks}, "
        f"trunk={layers}, median of {repeats} interleaved repeats, torch "
        f"threads={torch.get_num_threads()}, largest difference to the direct "
        f"call {err:.1e}, load average before/after: {wall.pop('load')}",
    ]
    lines += _table(wall, cpu, "network called directly (65,536-row batches)")
    return lines


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


# --------------------------------------------------------------------- transfer
def _r2(y, pred):
    return 1.0 - np.mean((y - pred) ** 2) / np.var(y)


def _school_problems(n_folds, tasks_per_fold, min_rows):
    """School (long data): per fold, the training schools and the new ones.

    Held-out schools are drawn among those with at least ``min_rows`` pupils,
    without replacement over the folds; features are standardised on the
    training schools' rows of the fold. Yields ``(fit_X, fit_y, task_column,
    new_tasks)``, each new task as ``(features, X for transform, y)``.
    """
    from skmtl.datasets import load_school

    bunch = load_school()
    X = np.asarray(bunch.data, dtype=float)
    y = np.asarray(bunch.target, dtype=float)
    task = np.asarray(bunch.task)
    ids, counts = np.unique(task, return_counts=True)
    rng = np.random.default_rng(0)
    held = rng.choice(ids[counts >= min_rows], n_folds * tasks_per_fold, False)
    for group in held.reshape(n_folds, tasks_per_fold):
        train = ~np.isin(task, group)
        Xs = StandardScaler().fit(X[train]).transform(X)
        Xl = np.column_stack([Xs, task])
        new = [(Xs[task == t], Xl[task == t], y[task == t]) for t in group]
        yield Xl[train], y[train], -1, new


def _mtr_problems(name, n_folds):
    """A Mulan set (wide): each of the first ``n_folds`` targets held out in turn.

    The multi-task models are fitted on every row with the other targets; the
    held-out target is the new task (its labels unseen in that fit).
    """
    from sklearn.impute import SimpleImputer

    bunch = load_mtr(name, data_home=DATA_HOME)
    X = np.asarray(bunch.data, dtype=float)
    Y = np.asarray(bunch.target, dtype=float)
    Xs = StandardScaler().fit_transform(SimpleImputer().fit_transform(X))
    for t in range(min(n_folds, Y.shape[1])):
        yield Xs, np.delete(Y, t, axis=1), None, [(Xs, Xs, Y[:, t])]


def bench_transfer(data, n_folds, tasks_per_fold, shots, draws, layers, epochs, alpha):
    """Few-shot error on new tasks: the multi-task net against the task alone.

    Per fold, new tasks are held out (schools of School, or one target of a
    Mulan set); a ``MultiTaskMLPRegressor`` (early stopping) and a
    ``SharedRepresentationRegressor`` are fitted on the other tasks. For every
    new task and ``draws`` random orders of its rows, the first ``n`` rows
    (``n`` in ``shots``) train the new task and the rows after the first
    ``max(shots)`` (at most 2,000) are the test set, the same for every ``n``.
    Metric: test R^2, mean and standard error over the tasks x draws.
    """
    from sklearn.linear_model import RidgeCV

    from skmtl.representation import SharedRepresentationRegressor

    alphas = np.logspace(-3, 3, 13)
    min_rows = max(shots) + 50
    if data == "school":
        problems = _school_problems(n_folds, tasks_per_fold, min_rows)
    else:
        problems = _mtr_problems(data, n_folds)
    scores, fit_s = {}, {}
    load_before = _load()
    rng = np.random.default_rng(1)
    n_eval = n_fits = n_warned = 0
    for fold, (fit_X, fit_y, task_column, new_tasks) in enumerate(problems):
        t0 = time.process_time()
        mlp = MultiTaskMLPRegressor(
            trunk_layer_sizes=layers,
            max_epochs=epochs,
            early_stopping=True,
            batch_size=128,
            lr=1e-3,
            task_column=task_column,
            random_state=fold,
        ).fit(fit_X, fit_y)
        fit_s.setdefault("MTL MLP", []).append(time.process_time() - t0)
        t0 = time.process_time()
        srr = SharedRepresentationRegressor(task_column=task_column, random_state=fold)
        srr.fit(fit_X, fit_y)
        fit_s.setdefault("SharedRepresentation", []).append(time.process_time() - t0)
        print(
            f"[transfer] fold {fold}: MLP {mlp.n_iter_} epochs, "
            f"SharedRepresentation k={srr.n_components_}",
            flush=True,
        )
        for X_t, X_model, y_t in new_tasks:
            Z_all = mlp.transform(X_model)
            for _ in range(draws):
                n_eval += 1
                order = rng.permutation(len(y_t))
                test = order[max(shots) :][:2000]
                for n in shots:
                    tr = order[:n]
                    Xtr, ytr, Xte, yte = X_t[tr], y_t[tr], X_t[test], y_t[test]
                    new = mlp.fit_new_task
                    preds = {
                        f"MTL MLP + fit_new_task (alpha={alpha:g})": new(
                            Xtr, ytr, alpha=alpha
                        ).predict(Xte),
                    }
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always", UserWarning)
                        for a in (10, 100):
                            name = f"MTL MLP + fit_new_task (prior='mean', alpha={a})"
                            preds[name] = new(Xtr, ytr, alpha=a, prior="mean").predict(
                                Xte
                            )
                        preds["MTL MLP mean head, zero-shot (alpha=1e9)"] = new(
                            Xtr, ytr, alpha=1e9, prior="mean"
                        ).predict(Xte)
                    n_fits += 3
                    n_warned += sum("prior='mean'" in str(w.message) for w in caught)
                    preds["MTL MLP transform + RidgeCV"] = (
                        RidgeCV(alphas=alphas).fit(Z_all[tr], ytr).predict(Z_all[test])
                    )
                    for a in (0, 1):
                        name = f"SharedRepresentation + fit_new_task (alpha={a})"
                        head = srr.fit_new_task(Xtr, ytr, alpha=a)
                        preds[name] = head.predict(Xte)
                    preds["task alone: RidgeCV"] = (
                        RidgeCV(alphas=alphas).fit(Xtr, ytr).predict(Xte)
                    )
                    preds["task alone: mean"] = np.full(len(yte), ytr.mean())
                    for name, pred in preds.items():
                        scores.setdefault((name, n), []).append(_r2(yte, pred))
    names = list(dict.fromkeys(name for name, _ in scores))
    lines = [
        (
            f"Transfer to a new task, School (long data, 139 schools): {n_folds} "
            f"folds x {tasks_per_fold} held-out schools (>= {min_rows} pupils "
            "each)"
            if data == "school"
            else f"Transfer to a new task, {data} (wide data): the first {n_folds} "
            "targets held out in turn, the models fitted on every row with the "
            "other targets"
        )
        + f" x {draws} draws = {n_eval} few-shot problems per n; the multi-task "
        f"models are fitted on the other tasks (MLP trunk {layers}, early "
        f"stopping, at most {epochs} epochs; SharedRepresentationRegressor "
        f"defaults); test R^2 on the rows after the first {max(shots)} of each "
        "draw (at most 2000), mean (standard error over the problems; the draws "
        "of one task are not independent). "
        f"prior='mean' fits that warned (targets off the fitted tasks' scale): "
        f"{n_warned} of {n_fits}. Mean fit CPU s per fold: "
        + ", ".join(f"{k} {np.mean(v):.1f}" for k, v in fit_s.items())
        + f"; torch threads={torch.get_num_threads()}, load average before/after: "
        f"{load_before} / {_load()}",
        "",
        "| new task trained on | " + " | ".join(f"n={n}" for n in shots) + " |",
        "|---" * (len(shots) + 1) + "|",
    ]
    for name in names:
        cells = []
        for n in shots:
            v = np.asarray(scores[(name, n)])
            cells.append(f"{v.mean():.3f} ({v.std(ddof=1) / np.sqrt(len(v)):.3f})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _report(lines, output):
    """Print the tables under a header (command, date, machine); write them."""
    import platform
    import sys

    header = (
        f"# {' '.join(['python', *sys.argv])}\n# {time.strftime('%Y-%m-%d %H:%M')}"
        f" UTC, torch {torch.__version__}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs (shared with other jobs: see the load)\n"
    )
    text = header + "\n".join(lines)
    print(text, flush=True)
    if output:
        with open(output, "w") as f:
            f.write(text + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "--part", choices=["speed", "accuracy", "transfer", "all"], default="all"
    )
    p.add_argument(
        "--output",
        default=None,
        help="also write the speed or transfer tables there "
        "(benchmarks/results/neural_speed.txt, neural_transfer.txt)",
    )
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--datasets", nargs="+", default=["enb", "rf1", "scm1d"])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument(
        "--speed-real",
        nargs="*",
        default=["rf1", "scm1d"],
        help="speed: also time training on these Mulan sets (10 epochs a fit)",
    )
    p.add_argument(
        "--device",
        default=None,
        help="speed: also time training and predict on this device (e.g. cuda) "
        "against the CPU, same run",
    )
    p.add_argument("--folds", type=int, default=3, help="transfer: folds")
    p.add_argument(
        "--tasks-per-fold", type=int, default=4, help="transfer: held-out schools"
    )
    p.add_argument(
        "--transfer-data",
        default="school",
        help="transfer: 'school' or a Mulan set name (wide, targets held out)",
    )
    p.add_argument("--draws", type=int, default=3, help="transfer: draws per school")
    p.add_argument(
        "--alpha", type=float, default=1.0, help="transfer: fit_new_task's alpha"
    )
    p.add_argument(
        "--no-aggregator",
        action="store_true",
        help="skip the Nash-MTL variant (n_tasks + 1 backward passes per step)",
    )
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    # the training budgets are fixed on purpose: silence "still improving"
    warnings.simplefilter("ignore", ConvergenceWarning)
    if args.part in ("speed", "all"):
        lines = bench_overhead(
            *_speed_data(50000, 32, 8), (64, 64), 256, 3, args.repeats
        )
        for name in args.speed_real:  # real sets: fewer rows, more epochs a fit
            lines += [""] + bench_overhead(
                *_real_speed_data(name), (64, 64), 256, 10, args.repeats, name
            )
        lines += [""] + bench_predict(10**6, 32, 8, (64, 64), repeats=args.repeats)
        if args.device:
            lines += [""] + bench_device(
                args.device, 50000, 32, 8, (64, 64), 256, 3, args.repeats
            )
        _report(lines, args.output)
    if args.part in ("transfer", "all"):
        lines = bench_transfer(
            args.transfer_data,
            args.folds,
            args.tasks_per_fold,
            (5, 10, 20, 50),
            args.draws,
            (64, 64),
            args.epochs or 100,
            args.alpha,
        )
        _report(lines, args.output if args.part == "transfer" else None)
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
