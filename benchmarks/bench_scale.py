"""Scale benchmark of the linear estimators: time, peak memory, growth exponents.

Each configuration runs in a fresh subprocess so that its peak resident memory
(``ru_maxrss``) is its own. Usage::

    python benchmarks/bench_scale.py                 # the full suite (minutes)
    python benchmarks/bench_scale.py --quick         # small sizes
    python benchmarks/bench_scale.py --estimators PerTaskRidge MultiTaskGroupLasso

Prints markdown tables and writes ``benchmarks/results/scale.png``.
"""

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

DEFAULT_ESTIMATORS = [
    "PerTaskRidge",
    "PooledRidge",
    "MultiTaskGroupLasso",
    "MeanRegularizedMultiTask",
]
#: constructor arguments per estimator for the scale runs
PARAMS = {
    "PerTaskRidge": {"alpha": 1.0},
    "PooledRidge": {"alpha": 1.0},
    "MultiTaskGroupLasso": {"alpha": 0.1, "tol": 1e-4, "max_iter": 500},
    "MeanRegularizedMultiTask": {"alpha": 0.1, "beta": 1.0, "tol": 1e-6},
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


def run(spec, timeout):
    try:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(spec)],
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
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args(argv)
    q = args.quick
    print(f"# skmtl scale benchmark, {time.strftime('%Y-%m-%d')}")
    print(
        f"machine: {platform.platform()}, {platform.processor() or '?'}, "
        f"python {platform.python_version()}"
    )
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
            r = run(spec, args.timeout)
            if "error" in r:
                print(
                    f"| {name} | {cfg['layout']} | {cfg['n']} | {cfg['d']} | "
                    f"{cfg['T']} | {r['error']} | | | | |"
                )
                continue
            print(
                f"| {name} | {cfg['layout']} | {cfg['n']} | {cfg['d']} | "
                f"{cfg['T']} | {r['time']:.2f} | {r['peak_mb']:.0f} | "
                f"{r['data_mb']:.0f} | {r['n_iter']} | "
                f"{','.join(r['warnings']) or '-'} |",
                flush=True,
            )

    print("\n## Growth of fit time (long layout; fitted log-log exponents)\n")
    base = {"n": 8_000 if q else 50_000, "d": 10 if q else 20, "T": 40 if q else 200}
    grids = {"n": [1, 2, 4, 8], "d": [1, 2, 4, 8], "T": [1, 2, 4, 8]}
    results = {}
    print("| estimator | exponent in n | exponent in d | exponent in T |")
    print("|---|---|---|---|")
    for name in args.estimators:
        row = {}
        for axis, factors in grids.items():
            xs, ts = [], []
            for f in factors:
                spec = {
                    **base,
                    "layout": "long",
                    axis: base[axis] * f,
                    "estimator": name,
                    "params": PARAMS.get(name, {}),
                }
                r = run(spec, args.timeout)
                xs.append(spec[axis])
                ts.append(r["time"])
            row[axis] = (xs, ts)
        results[name] = row
        print(
            f"| {name} | {slope(*row['n']):.2f} | {slope(*row['d']):.2f} | "
            f"{slope(*row['T']):.2f} |",
            flush=True,
        )
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
