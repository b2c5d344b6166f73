"""Scale benchmark: time, peak memory and growth exponents; out-of-core training.

Each configuration runs in a fresh subprocess so that its peak resident memory
(``ru_maxrss``) is its own. Usage::

    python benchmarks/bench_scale.py                 # the full suite (minutes)
    python benchmarks/bench_scale.py --quick         # small sizes
    python benchmarks/bench_scale.py --estimators PerTaskRidge MultiTaskGroupLasso
    python benchmarks/bench_scale.py --parts neural --neural-gb 3

Parts: ``linear`` (the headline sizes and the long-layout growth exponents of
``--estimators``), ``wide`` (headline and growth exponents on wide data of
``--wide-estimators``, the costlier soft-sharing and low-rank models, at
moderate sizes) and ``neural`` (a neural net trained from a memory-mapped file
of ``--neural-gb`` GiB on disk, peak memory against the file's size, and the
same fit from RAM for comparison). Prints markdown tables and writes
``benchmarks/results/scale.png``.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DEFAULT_ESTIMATORS = [
    "PerTaskRidge",
    "PooledRidge",
    "MultiTaskGroupLasso",
    "MeanRegularizedMultiTask",
]
#: estimators of the wide-data part (moderate sizes: each iteration costs more)
WIDE_ESTIMATORS = ["TraceNormMultiTask", "DirtyMultiTask", "TaskGraphMultiTask"]
#: constructor arguments per estimator for the scale runs
PARAMS = {
    "PerTaskRidge": {"alpha": 1.0},
    "PooledRidge": {"alpha": 1.0},
    "MultiTaskGroupLasso": {"alpha": 0.1, "tol": 1e-4, "max_iter": 500},
    "MeanRegularizedMultiTask": {"alpha": 0.1, "beta": 1.0, "tol": 1e-6},
    "TraceNormMultiTask": {"alpha": 0.1, "tol": 1e-4},
    "DirtyMultiTask": {"alpha": 0.1, "beta": 0.1, "tol": 1e-4},
    "TaskGraphMultiTask": {"alpha": 1.0, "tol": 1e-6},
}

CHILD = r"""
import json, resource, sys, time, warnings
import numpy as np
import skmtl.linear as lin
spec = json.loads(sys.argv[1])
rng = np.random.default_rng(0)
n, d, T, layout = spec["n"], spec["d"], spec["T"], spec["layout"]
W = rng.standard_normal((T, d)) * (rng.random(d) < 0.3)
if layout == "long":
    task = rng.integers(0, T, n)
    task[:T] = np.arange(T)            # every task present
    X = rng.standard_normal((n, d))
    y = np.einsum("ij,ij->i", X, W[task]) + rng.standard_normal(n)
    X = np.column_stack([X, task])
    kw = {"task_column": -1}
else:
    X = rng.standard_normal((n, d))
    y = X @ W.T + rng.standard_normal((n, T))
    kw = {}
# warm-up: numba's import and the compiled kernels' load (~0.3 s, once per
# process) are left out of the timed fit, as in any session with more than
# one fit
from skmtl.utils import _accel
if _accel.have_numba():
    saved, _accel.MIN_SIZE = _accel.MIN_SIZE, 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(lin, spec["estimator"])(**spec["params"], **kw).fit(X[:300], y[:300])
    _accel.MIN_SIZE = saved
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
est = getattr(lin, spec["estimator"])(**spec["params"], **kw)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    t0 = time.perf_counter()
    est.fit(X, y)
    elapsed = time.perf_counter() - t0
pred = est.predict(X[:1000])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({
    "time": elapsed, "peak_mb": peak / 1024, "data_mb": X.nbytes / 2**20,
    "extra_mb": (peak - base) / 1024, "finite": bool(np.isfinite(pred).all()),
    "n_iter": int(getattr(est, "n_iter_", 0) or 0),
    "warnings": sorted({type(w.message).__name__ for w in caught}),
}))
"""

NEURAL_CHILD = r"""
import json, sys, threading, time, tracemalloc
import numpy as np
import torch
from skmtl.neural import MultiTaskMLPRegressor
torch.set_num_threads(1)
spec = json.loads(sys.argv[1])

def status(keys=("RssAnon", "RssFile")):
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in keys:
                out[key] = int(value.split()[0]) / 1024
    return out

peaks = {"RssAnon": 0.0, "RssFile": 0.0}
stop = threading.Event()

def sample():
    while not stop.is_set():
        for key, value in status().items():
            peaks[key] = max(peaks[key], value)
        stop.wait(0.05)

# VmRSS / VmHWM of this process (ru_maxrss would carry the parent's peak
# over the exec: the parent has just written the files)
base = status(("VmRSS",))["VmRSS"]
thread = threading.Thread(target=sample, daemon=True)
thread.start()
mode = "r" if spec["mode"] == "stream" else None
t0 = time.perf_counter()
X = np.load(spec["X"], mmap_mode=mode)
Y = np.load(spec["Y"], mmap_mode=mode)
load = time.perf_counter() - t0
est = MultiTaskMLPRegressor(
    trunk_layer_sizes=(64, 64), batch_size=spec["batch"], max_epochs=spec["epochs"],
    random_state=0, track_gradient_conflicts=False,
)
t0 = time.perf_counter()
est.fit(X, Y)
fit = time.perf_counter() - t0
n_pred = min(len(X), spec["n_pred"])
t0 = time.perf_counter()
pred = est.predict(X[:n_pred])
predict = time.perf_counter() - t0
# python-level allocations (numpy included) of one more epoch and a predict
# on the first n/8 rows: the same path, traced apart so as not to slow the timing
m = len(X) // 8
tracemalloc.start()
est.partial_fit(X[:m], Y[:m])
est.predict(X[:m])
traced = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
stop.set()
thread.join()
np.save(spec["out"], pred[:1000])
print(json.dumps({
    "load": load, "fit": fit, "predict": predict, "n_pred": n_pred,
    "base_mb": base, "peak_mb": status(("VmHWM",))["VmHWM"],
    "anon_mb": peaks["RssAnon"], "file_mb": peaks["RssFile"],
    "traced_mb": traced / 2**20, "finite": bool(np.isfinite(pred).all()),
}))
"""


def write_neural_files(folder, n, d, T):
    """X (n, d) float32 and Y (n, T) float32 with 10% missing labels, on disk."""
    from numpy.lib.format import open_memmap

    rng = np.random.default_rng(0)
    W = rng.standard_normal((T, d)).astype(np.float32) / np.sqrt(d)
    X = open_memmap(folder / "X.npy", mode="w+", dtype=np.float32, shape=(n, d))
    Y = open_memmap(folder / "Y.npy", mode="w+", dtype=np.float32, shape=(n, T))
    step = 500_000
    for start in range(0, n, step):
        stop = min(n, start + step)
        x = rng.standard_normal((stop - start, d), dtype=np.float32)
        y = np.tanh(x @ W.T) + 0.1 * rng.standard_normal((stop - start, T))
        y[rng.random(y.shape) < 0.1] = np.nan
        X[start:stop], Y[start:stop] = x, y
    X.flush()
    Y.flush()
    del X, Y
    return folder / "X.npy", folder / "Y.npy"


def neural_part(args):
    """Train from a memory-mapped file and from RAM; compare peak memory."""
    d, T = 64, 8
    gib = 0.0625 if args.quick and args.neural_gb is None else args.neural_gb or 2.0
    n = int(gib * 2**30) // (4 * d)
    print("\n## Neural streaming (out-of-core) training\n")
    print(
        f"MultiTaskMLPRegressor(trunk_layer_sizes=(64, 64), batch_size=1024), "
        f"1 epoch, one torch thread; X float32 ({n} x {d}) and Y ({n} x {T}, "
        "10% NaN) in .npy files; 'stream' opens them with mmap_mode='r' (fit "
        "and predict read batch by batch), 'memory' loads them into RAM. fit "
        "includes the validation pass; predict on the first min(n, 1e6) rows. "
        "RssAnon / RssFile: peaks sampled every 50 ms; peak RSS: VmHWM; "
        "tracemalloc: peak of the python and numpy allocations of one more "
        "epoch and a predict on the first n/8 rows (data: n/8 rows take "
        "file/8).\n"
    )
    print(
        "| mode | n | file (MB) | fit (s) | fit rows/s | predict rows/s "
        "| RSS after imports (MB) | peak RSS (MB) | peak RssAnon (MB) "
        "| peak RssFile (MB) | tracemalloc peak, n/8 rows (MB) | peak RSS / file |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    folder = Path(tempfile.mkdtemp(prefix="skmtl_scale_", dir=args.tmpdir))
    preds = {}
    try:
        t0 = time.perf_counter()
        xpath, ypath = write_neural_files(folder, n, d, T)
        write = time.perf_counter() - t0
        file_mb = (os.path.getsize(xpath) + os.path.getsize(ypath)) / 2**20
        modes = ["stream"] if args.neural_stream_only else ["stream", "memory"]
        for mode in modes:
            out = folder / f"pred_{mode}.npy"
            spec = {
                "mode": mode,
                "X": str(xpath),
                "Y": str(ypath),
                "batch": 1024,
                "epochs": 1,
                "n_pred": 1_000_000,
                "out": str(out),
            }
            r = run(spec, args.timeout, child=NEURAL_CHILD)
            if "error" in r:
                print(f"| {mode} | {n} | {file_mb:.0f} | {r['error']} |" + " |" * 8)
                continue
            preds[mode] = np.load(out)
            print(
                f"| {mode} | {n} | {file_mb:.0f} | {r['fit']:.1f} | "
                f"{n / r['fit']:,.0f} | {r['n_pred'] / r['predict']:,.0f} | "
                f"{r['base_mb']:.0f} | {r['peak_mb']:.0f} | {r['anon_mb']:.0f} | "
                f"{r['file_mb']:.0f} | {r['traced_mb']:.0f} | "
                f"{r['peak_mb'] / file_mb:.2f} |",
                flush=True,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\n(files written in {write:.1f} s, deleted after the runs)")
    if len(preds) == 2:
        diff = float(np.max(np.abs(preds["stream"] - preds["memory"])))
        print(
            "max |prediction(stream) - prediction(memory)| on the first 1000 "
            f"rows: {diff:.1e} (same seed, same model)"
        )


def wide_part(args):
    """Headline and growth exponents of ``--wide-estimators`` on wide data."""
    q = args.quick
    head = {"layout": "wide", "n": 5_000 if q else 20_000, "d": 50 if q else 100}
    head["T"] = 10 if q else 20
    print("\n## Wide data, soft-sharing and low-rank estimators\n")
    print(
        "| estimator | layout | n | d | T | fit time (s) | peak RSS (MB) "
        "| data (MB) | n_iter | warnings |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in args.wide_estimators:
        spec = {**head, "estimator": name, "params": PARAMS.get(name, {})}
        r = run(spec, args.timeout)
        print_headline(name, head, r)
    print("\n## Growth of fit time (wide layout; fitted log-log exponents)\n")
    base = {"n": 2_000 if q else 4_000, "d": 25 if q else 50, "T": 5 if q else 10}
    return growth(args.wide_estimators, base, "wide", args.timeout)


class _WorkerPeaks:
    """Peak resident memory of each dask worker, polled every ``every`` s."""

    def __init__(self, client, every=0.2):
        import threading

        self.client, self.every = client, every
        self.peaks = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    @staticmethod
    def _rss():
        import psutil

        return psutil.Process().memory_info().rss

    def _poll(self):
        while not self._stop.is_set():
            try:
                for worker, rss in self.client.run(self._rss).items():
                    self.peaks[worker] = max(self.peaks.get(worker, 0), rss)
            except Exception:  # a worker restarting: keep polling
                pass
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def text(self):
        return " / ".join(f"{v / 2**20:.0f}" for _, v in sorted(self.peaks.items()))


def _load():
    return os.getloadavg()[0]


def dask_part(args):
    """The least-squares family on a Parquet data set larger than the workers.

    A long data set is written to Parquet in chunks; a ``LocalCluster`` of two
    single-threaded worker processes with a small ``memory_limit`` fits
    ``MultiTaskGroupLasso`` on ``dask.dataframe.read_parquet`` of it (per-task
    statistics reduced by dask), then ``MultiTaskGroupLassoCV`` with 5 folds
    (per-fold statistics in the same single pass). The same model is fitted
    in memory on the first ``--dask-subset`` rows, alternating with the dask
    fits, for the ratio of throughputs.
    """
    import warnings

    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster

    from skmtl.dask import dask_statistics
    from skmtl.datasets import make_multitask_parquet
    from skmtl.linear import MultiTaskGroupLasso, MultiTaskGroupLassoCV

    # dask's Parquet reader calls a pandas API that pandas 3.1 deprecates
    warnings.filterwarnings("ignore", message="The inplace keyword")
    q = args.quick
    n = 200_000 if q else args.dask_rows
    d, T = 20, 100 if q else args.dask_tasks
    chunk = 20_000 if q else 250_000
    subset = min(n, 50_000 if q else args.dask_subset)
    folder = Path(args.tmpdir or tempfile.gettempdir()) / "skmtl_dask_bench"
    print("\n## Larger than the workers: dask, Parquet, statistics\n")
    t0 = time.perf_counter()
    info = make_multitask_parquet(
        folder, n, d, T, n_informative=5, chunk_size=chunk, random_state=0
    )
    disk = sum(Path(f).stat().st_size for f in info.files)
    print(
        f"data: {n:,} rows x {d} features x {T} tasks (long), {len(info.files)} "
        f"Parquet files of {chunk:,} rows: {info.nbytes / 2**30:.2f} GiB as "
        f"float64, {disk / 2**30:.2f} GiB on disk; written in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    params = {"alpha": 0.05, "tol": 1e-6, "task_column": "task"}
    mem_limit = args.dask_memory
    rows = []
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            memory_limit=mem_limit,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        print(
            f"cluster: 2 worker processes x 1 thread, memory_limit={mem_limit} "
            f"each (data / limit = {info.nbytes / _bytes(mem_limit):.1f})"
        )
        ddf = dd.read_parquet(str(folder))
        X, y = ddf.drop(columns="y"), ddf["y"]
        # warm-up on one partition: the workers import skmtl and load the
        # compiled kernels (numba) once
        part = ddf.partitions[0]
        MultiTaskGroupLasso(**params).fit(part.drop(columns="y"), part["y"])
        sub = pd.concat(
            [pd.read_parquet(f) for f in info.files[: -(-subset // chunk)]],
            ignore_index=True,
        ).iloc[:subset]
        Xs, ys = sub.drop(columns="y"), sub["y"]
        MultiTaskGroupLasso(**params).fit(Xs.iloc[:1000], ys.iloc[:1000])
        for _ in range(args.dask_repeats):
            with _WorkerPeaks(client) as peaks:
                load = _load()
                t0 = time.perf_counter()
                est = MultiTaskGroupLasso(**params).fit(X, y)
                t_dask = time.perf_counter() - t0
            err = np.abs(est.coef_ - info.coef).max()
            rows.append(
                ("fit, dask (2 passes + solve)", n, t_dask, peaks.text(), load, err)
            )
            load = _load()
            t0 = time.perf_counter()
            mem = MultiTaskGroupLasso(**params).fit(Xs, ys)
            t_mem = time.perf_counter() - t0
            err = np.abs(mem.coef_ - info.coef).max()
            rows.append(("fit, in memory (subset)", subset, t_mem, "-", load, err))
        with _WorkerPeaks(client) as peaks:
            load = _load()
            t0 = time.perf_counter()
            dask_statistics(X, y, task_column="task", n_folds=1)
            t_pass = time.perf_counter() - t0
        rows.append(("statistics pass, 1 fold", n, t_pass, peaks.text(), load, None))
        with _WorkerPeaks(client) as peaks:
            load = _load()
            t0 = time.perf_counter()
            dask_statistics(X, y, task_column="task", n_folds=5)
            t_pass5 = time.perf_counter() - t0
        rows.append(("statistics pass, 5 folds", n, t_pass5, peaks.text(), load, None))
        with _WorkerPeaks(client) as peaks:
            load = _load()
            t0 = time.perf_counter()
            cv = MultiTaskGroupLassoCV(
                alphas=20, cv=5, random_state=0, tol=1e-6, task_column="task"
            ).fit(X, y)
            t_cv = time.perf_counter() - t0
        err = np.abs(cv.coef_ - info.coef).max()
        rows.append(
            ("GroupLassoCV, 5 folds x 20 alphas", n, t_cv, peaks.text(), load, err)
        )
        restarts = sum(
            w.get("restarts", 0) for w in client.scheduler_info()["workers"].values()
        )
    print(
        "\n| run | rows | time (s) | rows/s | peak RSS per worker (MB) "
        "| load (1 min) | max abs coef error vs truth |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, m, t, peak, load, err in rows:
        e = "-" if err is None else f"{err:.3f}"
        print(
            f"| {name} | {m:,} | {t:.2f} | {m / t:,.0f} | {peak} | {load:.1f} | {e} |"
        )
    t_fit = [t for name, m, t, *_ in rows if name.startswith("fit, dask")]
    t_in = [t for name, m, t, *_ in rows if name.startswith("fit, in mem")]
    ratio = (n / np.median(t_fit)) / (subset / np.median(t_in))
    print(
        f"\nthroughput ratio dask / in memory (medians of {len(t_fit)} "
        f"alternating pairs): {ratio:.2f}; CV (5 folds, 20 alphas) / single "
        f"dask fit: {t_cv / np.median(t_fit):.2f}; 5-fold pass / 1-fold pass: "
        f"{t_pass5 / t_pass:.2f}; chosen alpha {cv.alpha_:.4g}; worker "
        f"restarts: {restarts}"
    )
    shutil.rmtree(folder, ignore_errors=True)


def dask_real_part(args):
    """The dask route on the real sets: same model as in memory, time ratio.

    School (long, 139 tasks) and scm1d (wide, 16 targets), features
    standardised, split into 8 row blocks, local threaded scheduler:
    MultiTaskGroupLasso at 0.1 alpha_max and MultiTaskGroupLassoCV (5 folds;
    wide folds are the in-memory ones, long folds a hash of the row, so only
    the wide CV is compared coefficient to coefficient).
    """
    import dask
    import dask.array as da

    from skmtl.datasets import load_mtr, load_school
    from skmtl.linear import MultiTaskGroupLasso, MultiTaskGroupLassoCV

    home = Path(__file__).resolve().parents[2] / "shared" / "data" / "mtr"
    home = os.environ.get("SKMTL_DATA", home)
    X, y = load_school(return_X_y=True)
    X = np.column_stack([(X[:, :-1] - X[:, :-1].mean(0)) / X[:, :-1].std(0), X[:, -1]])
    Xm, Ym = load_mtr("scm1d", data_home=home, return_X_y=True)
    Xm = np.asarray(Xm, float)
    Xm = (Xm - Xm.mean(0)) / np.where(Xm.std(0) > 0, Xm.std(0), 1.0)
    sets = [
        ("School", X, y, -1),
        ("scm1d", Xm, np.asarray(Ym, float), None),
    ]
    print(
        "\n## dask on the real sets (local threaded scheduler, 8 row blocks; "
        f"median of {args.dask_repeats} alternating runs; load "
        f"{os.getloadavg()[0]:.1f})\n"
    )
    print(
        "| data | model | in memory (s) | dask (s) | dask / memory "
        "| max rel. coef diff |"
    )
    print("|---|---|---|---|---|---|")
    for name, Xa, Ya, tc in sets:
        chunk = -(-len(Xa) // 8)
        Xd = da.from_array(Xa, chunks=(chunk, -1))
        Yd = da.from_array(Ya, chunks=(chunk,) + (() if Ya.ndim == 1 else (-1,)))
        probe = MultiTaskGroupLassoCV(alphas=2, cv=2, task_column=tc).fit(Xa, Ya)
        alpha = 0.1 * probe.alphas_[0]
        models = {
            "MultiTaskGroupLasso": lambda tc=tc, a=alpha: MultiTaskGroupLasso(
                alpha=a, task_column=tc, tol=1e-10
            ),
            "MultiTaskGroupLassoCV(cv=5)": lambda tc=tc: MultiTaskGroupLassoCV(
                cv=5, task_column=tc, tol=1e-10
            ),
        }
        for label, make in models.items():
            times = {"memory": [], "dask": []}
            for _ in range(args.dask_repeats):
                t0 = time.perf_counter()
                mem = make().fit(Xa, Ya)
                times["memory"].append(time.perf_counter() - t0)
                with dask.config.set(scheduler="threads"):
                    t0 = time.perf_counter()
                    lazy = make().fit(Xd, Yd)
                    times["dask"].append(time.perf_counter() - t0)
            tm, td = np.median(times["memory"]), np.median(times["dask"])
            same = tc is None or "CV" not in label
            diff = (
                np.abs(lazy.coef_ - mem.coef_).max() / np.abs(mem.coef_).max()
                if same
                else float("nan")
            )
            cell = f"{diff:.1e}" if same else "other folds"
            print(
                f"| {name} | {label} | {tm:.2f} | {td:.2f} | {td / tm:.2f} | {cell} |"
            )


def _bytes(text):
    from dask.utils import parse_bytes

    return parse_bytes(text)


def print_headline(name, cfg, r):
    if "error" in r:
        print(
            f"| {name} | {cfg['layout']} | {cfg['n']} | {cfg['d']} | "
            f"{cfg['T']} | {r['error']} | | | | |"
        )
        return
    print(
        f"| {name} | {cfg['layout']} | {cfg['n']} | {cfg['d']} | "
        f"{cfg['T']} | {r['time']:.2f} | {r['peak_mb']:.0f} | "
        f"{r['data_mb']:.0f} | {r['n_iter']} | "
        f"{','.join(r['warnings']) or '-'} |",
        flush=True,
    )


def growth(estimators, base, layout, timeout):
    """Fit times over a x1..x8 grid of each axis; prints the exponents table."""
    grids = {"n": [1, 2, 4, 8], "d": [1, 2, 4, 8], "T": [1, 2, 4, 8]}
    results = {}
    print("| estimator | exponent in n | exponent in d | exponent in T |")
    print("|---|---|---|---|")
    for name in estimators:
        row = {}
        for axis, factors in grids.items():
            xs, ts = [], []
            for f in factors:
                spec = {
                    **base,
                    "layout": layout,
                    axis: base[axis] * f,
                    "estimator": name,
                    "params": PARAMS.get(name, {}),
                }
                r = run(spec, timeout)
                xs.append(spec[axis])
                ts.append(r["time"])
            row[axis] = (xs, ts)
        results[name] = row
        print(
            f"| {name} | {slope(*row['n']):.2f} | {slope(*row['d']):.2f} | "
            f"{slope(*row['T']):.2f} |",
            flush=True,
        )
    return results


def run(spec, timeout, child=CHILD):
    try:
        out = subprocess.run(
            [sys.executable, "-c", child, json.dumps(spec)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"time": float("nan"), "error": f"timeout > {timeout}s"}
    if out.returncode != 0:
        return {"time": float("nan"), "error": out.stderr.strip().splitlines()[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def slope(xs, ts):
    xs, ts = np.log(np.asarray(xs, float)), np.log(np.asarray(ts, float))
    ok = np.isfinite(ts)
    if ok.sum() < 2:
        return float("nan")
    return float(np.polyfit(xs[ok], ts[ok], 1)[0])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--estimators", nargs="*", default=DEFAULT_ESTIMATORS)
    parser.add_argument("--wide-estimators", nargs="*", default=WIDE_ESTIMATORS)
    parser.add_argument(
        "--parts",
        nargs="*",
        default=["linear", "wide", "neural"],
        choices=["linear", "wide", "neural", "dask", "dask-real"],
        help="'dask' and 'dask-real' (not in the default) need the [dask] extra",
    )
    parser.add_argument("--dask-rows", type=int, default=20_000_000)
    parser.add_argument("--dask-tasks", type=int, default=1_000)
    parser.add_argument("--dask-memory", default="1GB", help="per worker")
    parser.add_argument("--dask-subset", type=int, default=1_000_000)
    parser.add_argument("--dask-repeats", type=int, default=2)
    parser.add_argument(
        "--neural-gb",
        type=float,
        default=None,
        help="size of the memory-mapped X file in GiB (default 2, 1/16 with --quick)",
    )
    parser.add_argument(
        "--neural-stream-only",
        action="store_true",
        help="skip the in-RAM comparison fit (it needs about twice the file in RAM)",
    )
    parser.add_argument("--tmpdir", default=None, help="folder of the neural files")
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args(argv)
    q = args.quick
    print(f"# skmtl scale benchmark, {time.strftime('%Y-%m-%d')}")
    print(
        f"machine: {platform.platform()}, {platform.processor() or '?'}, "
        f"python {platform.python_version()}"
    )
    results = {}
    if "linear" in args.parts:
        big = [
            {
                "layout": "long",
                "n": 20_000 if q else 1_000_000,
                "d": 20,
                "T": 200 if q else 10_000,
            },
            {
                "layout": "wide",
                "n": 5_000 if q else 100_000,
                "d": 100 if q else 1_000,
                "T": 50,
            },
        ]
        print("\n## Headline sizes\n")
        print(
            "| estimator | layout | n | d | T | fit time (s) | peak RSS (MB) "
            "| data (MB) | n_iter | warnings |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for name in args.estimators:
            for cfg in big:
                spec = {**cfg, "estimator": name, "params": PARAMS.get(name, {})}
                print_headline(name, cfg, run(spec, args.timeout))

        print("\n## Growth of fit time (long layout; fitted log-log exponents)\n")
        base = {
            "n": 8_000 if q else 50_000,
            "d": 10 if q else 20,
            "T": 40 if q else 200,
        }
        results.update(growth(args.estimators, base, "long", args.timeout))
    if "wide" in args.parts:
        results.update(wide_part(args))
    if "neural" in args.parts:
        neural_part(args)
    if "dask" in args.parts:
        dask_part(args)
    if "dask-real" in args.parts:
        dask_real_part(args)
    if not results:
        return
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 3, figsize=(12, 3.5))
        for ax, axis in zip(axes, ["n", "d", "T"], strict=True):
            for name, row in results.items():
                ax.loglog(*row[axis], "o-", label=name)
            ax.set_xlabel(axis)
            ax.set_ylabel("fit time (s)")
        axes[0].legend(fontsize=7)
        fig.tight_layout()
        out = Path(__file__).parent / "results"
        out.mkdir(exist_ok=True)
        fig.savefig(out / "scale.png", dpi=100)
        print(f"\nfigure: {out / 'scale.png'}")
    except ImportError:
        pass


if __name__ == "__main__":
    main()
