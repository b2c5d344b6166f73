"""Multi-task group lasso: skmtl against scikit-learn, skglm, mutar and cvxpy.

Objective (shared X, centred data, no intercept)::

    1/(2n) ||Y - X W||_F^2 + alpha * sum_j ||W_j:||_2

Every package is fitted to a relative suboptimality ``(P(W) - P*) / P* <=
1e-8``, with ``P*`` the best objective of very tight reference runs (skmtl and
scikit-learn at tol 1e-14). Each package's ``tol`` is walked from loose to
tight and the loosest one reaching the target is timed (best of ``--repeat``);
the achieved suboptimality is printed next to each time. Peers that are not
installed are reported as such; cvxpy runs in a child process and is reported
'too slow' beyond ``--cvxpy-timeout`` seconds.

A second table compares skmtl on long data (one design per task) with mutar,
which takes per-task designs as an array of shape (n_tasks, n, d). On long
data skmtl takes its compiled route when numba is installed (``skmtl[fast]``;
the first line of the output says which route ran): fused passes over X and
coordinate descent on the working set. The kernels are single-threaded and
compile once (cached on disk); every package gets an untimed warm-up fit.

celer is not included: celer 0.7.4 fails with scikit-learn 1.9
(``_validate_data`` was removed from scikit-learn).

A third table (``--real-cv wq,atp1d,...``) fits ``MultiTaskGroupLassoCV()``
at its defaults on Mulan sets (X mean-imputed and standardised, Y
standardised) and scikit-learn's ``MultiTaskLassoCV`` on the same grid and
folds (its defaults: ``tol=1e-4`` on ``gap / ||Y||^2``, that is
``2e-4`` on skmtl's relative gap ``gap / f(0)``, and ``max_iter=1000``),
interleaved, in fresh processes after an untimed warm-up fit, and counts the
``ConvergenceWarning`` of each; ``--before DIR`` adds skmtl from another
checkout (its ``skmtl`` package under ``DIR``), e.g. ``git archive <commit>
skmtl | tar -x -C DIR``.

Peers: ``pip install -r benchmarks/requirements-bench.txt`` (mutar needs
``pip install cython wheel`` and then ``pip install --no-build-isolation
mutar``). Run: ``python benchmarks/bench_group_lasso.py``.
"""

import argparse
import multiprocessing as mp
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from skmtl.linear import MultiTaskGroupLasso

PROBLEMS = [(300, 1000, 10, 0.1), (2000, 200, 50, 0.05), (500, 5000, 20, 0.1)]
TARGET = 1e-8
TOLS = [10.0**-k for k in range(2, 15)]
TIMEOUT = [60.0]


# -- data and objectives --------------------------------------------------------
def make_shared(n, d, T, n_informative, seed=0):
    rng = np.random.default_rng(seed)
    W = np.zeros((d, T))
    support = rng.choice(d, n_informative, replace=False)
    W[support] = rng.standard_normal((n_informative, T))
    X = rng.standard_normal((n, d))
    Y = X @ W + rng.standard_normal((n, T))
    X -= X.mean(axis=0)
    Y -= Y.mean(axis=0)
    return np.asfortranarray(X), Y


def make_per_task(n, d, T, n_informative, seed=0):
    rng = np.random.default_rng(seed)
    W = np.zeros((d, T))
    support = rng.choice(d, n_informative, replace=False)
    W[support] = rng.standard_normal((n_informative, T))
    Xs = rng.standard_normal((T, n, d))
    Ys = np.einsum("tnd,dt->tn", Xs, W) + rng.standard_normal((T, n))
    Xs -= Xs.mean(axis=1, keepdims=True)
    Ys -= Ys.mean(axis=1, keepdims=True)
    return Xs, Ys


def objective_shared(X, Y, W, alpha):
    R = Y - X @ W
    return 0.5 * np.sum(R**2) / X.shape[0] + alpha * np.linalg.norm(W, axis=1).sum()


def objective_per_task(Xs, Ys, W, alpha):
    R = Ys - np.einsum("tnd,dt->tn", Xs, W)
    return 0.5 * np.sum(R**2) / Xs.shape[1] + alpha * np.linalg.norm(W, axis=1).sum()


def alpha_max_shared(X, Y):
    return np.linalg.norm(X.T @ Y, axis=1).max() / X.shape[0]


def alpha_max_per_task(Xs, Ys):
    G = np.einsum("tnd,tn->dt", Xs, Ys) / Xs.shape[1]
    return np.linalg.norm(G, axis=1).max()


# -- solvers: each returns W of shape (d, T) -------------------------------------
def fit_skmtl(X, Y, alpha, tol):
    est = MultiTaskGroupLasso(
        alpha=alpha, fit_intercept=False, tol=tol, max_iter=10_000
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, Y).coef_.T


def fit_skmtl_long(Xl, yl, alpha, tol):
    est = MultiTaskGroupLasso(
        alpha=alpha, fit_intercept=False, tol=tol, max_iter=10_000, task_column=-1
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(Xl, yl).coef_.T


def fit_sklearn(X, Y, alpha, tol):
    from sklearn.linear_model import MultiTaskLasso

    est = MultiTaskLasso(alpha=alpha, fit_intercept=False, tol=tol, max_iter=1_000_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, Y).coef_.T


def fit_skglm(X, Y, alpha, tol):
    from skglm import MultiTaskLasso

    est = MultiTaskLasso(
        alpha=alpha, fit_intercept=False, tol=tol, max_iter=1000, max_epochs=100_000
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, Y).coef_.T


def fit_mutar(Xs, Ys, alpha, tol):
    from mutar import GroupLasso

    est = GroupLasso(alpha=alpha, fit_intercept=False, tol=tol, max_iter=1_000_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(est.fit(Xs, Ys).coef_)


def _cvxpy_child(X, Y, alpha, queue):
    import cvxpy as cp

    W = cp.Variable((X.shape[1], Y.shape[1]))
    obj = 0.5 / X.shape[0] * cp.sum_squares(Y - X @ W)
    obj = obj + alpha * cp.sum(cp.norm(W, 2, axis=1))
    t0 = time.perf_counter()
    cp.Problem(cp.Minimize(obj)).solve(solver="CLARABEL")
    queue.put((time.perf_counter() - t0, W.value))


def run_cvxpy(X, Y, alpha, timeout):
    queue = mp.get_context("fork").Queue()
    proc = mp.get_context("fork").Process(
        target=_cvxpy_child, args=(X, Y, alpha, queue)
    )
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None, None
    return queue.get()


# -- measurement -------------------------------------------------------------
def measure(fit, args, alpha, objective, p_star, repeat):
    """Loosest tol reaching TARGET, then best-of-``repeat`` time at that tol."""
    for tol in TOLS:
        W = fit(*args, alpha, tol)
        subopt = (objective(W) - p_star) / p_star
        if subopt <= TARGET:
            break
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fit(*args, alpha, tol)
        times.append(time.perf_counter() - t0)
    return min(times), subopt, tol


def available(name):
    try:
        __import__(name)
        return True
    except ImportError:
        return False


def fmt(t):
    return f"{t * 1e3:.0f} ms" if t < 10 else f"{t:.0f} s"


def shared_table(args):
    rows = []
    peers = [("scikit-learn", fit_sklearn, True), ("skglm", fit_skglm, True)]
    peers += [("mutar", None, available("mutar"))]
    for n, d, T, ratio in PROBLEMS:
        X, Y = make_shared(n, d, T, args.n_informative)
        alpha = ratio * alpha_max_shared(X, Y)

        def objective(W, X=X, Y=Y, alpha=alpha):
            return objective_shared(X, Y, W, alpha)

        p_star = min(
            objective(fit_skmtl(X, Y, alpha, 1e-14)),
            objective(fit_sklearn(X, Y, alpha, 1e-14)),
        )
        res = {
            "skmtl": measure(fit_skmtl, (X, Y), alpha, objective, p_star, args.repeat)
        }
        for name, fit, ok in peers:
            if not ok or (name == "skglm" and not available("skglm")):
                res[name] = None
                continue
            if name == "mutar":
                Xs = np.ascontiguousarray(np.broadcast_to(X, (T, n, d)))
                res[name] = measure(
                    fit_mutar, (Xs, Y.T.copy()), alpha, objective, p_star, args.repeat
                )
            else:
                res[name] = measure(fit, (X, Y), alpha, objective, p_star, args.repeat)
        if available("cvxpy") and args.cvxpy_timeout > 0:
            t, W = run_cvxpy(X, Y, alpha, args.cvxpy_timeout)
            res["cvxpy+Clarabel"] = (
                None if t is None else (t, (objective(W) - p_star) / p_star, None)
            )
            if t is None:
                res["cvxpy+Clarabel"] = "too slow"
        rows.append(((n, d, T, ratio), res))
    return rows


def per_task_table(args):
    rows = []
    for n, d, T, ratio in PROBLEMS:
        Xs, Ys = make_per_task(n, d, T, args.n_informative)
        alpha = ratio * alpha_max_per_task(Xs, Ys)
        Xl = np.column_stack([Xs.reshape(T * n, d), np.repeat(np.arange(T), n)])
        yl = Ys.ravel()

        def objective(W, Xs=Xs, Ys=Ys, alpha=alpha):
            return objective_per_task(Xs, Ys, W, alpha)

        p_star = objective(fit_skmtl_long(Xl, yl, alpha, 1e-14))
        res = {
            "skmtl (long)": measure(
                fit_skmtl_long, (Xl, yl), alpha, objective, p_star, args.repeat
            )
        }
        if available("mutar"):
            res["mutar"] = measure(
                fit_mutar, (Xs, Ys), alpha, objective, p_star, args.repeat
            )
        else:
            res["mutar"] = None
        rows.append(((n, d, T, ratio), res))
    return rows


def sweep(args):
    print("\nSupport-size sweep, shared X: skmtl / scikit-learn time ratio\n")
    print("| problem | 10 informative | 50 informative | 150 informative |")
    print("|---|---|---|---|")
    for n, d, T, ratio in PROBLEMS:
        cells = [f"{n}, {d}, {T}, {ratio}"]
        for k in (10, 50, 150):
            X, Y = make_shared(n, d, T, k)
            alpha = ratio * alpha_max_shared(X, Y)

            def objective(W, X=X, Y=Y, alpha=alpha):
                return objective_shared(X, Y, W, alpha)

            p_star = min(
                objective(fit_skmtl(X, Y, alpha, 1e-14)),
                objective(fit_sklearn(X, Y, alpha, 1e-14)),
            )
            ours = measure(fit_skmtl, (X, Y), alpha, objective, p_star, args.repeat)
            ref = measure(fit_sklearn, (X, Y), alpha, objective, p_star, args.repeat)
            cells.append(f"{ours[0] / ref[0]:.2f} ({fmt(ours[0])} vs {fmt(ref[0])})")
        print("| " + " | ".join(cells) + " |")


def print_table(title, rows, ours):
    print(f"\n{title}\n")
    names = list(rows[0][1])
    header = ["problem (n, d, T, alpha/alpha_max)"] + names
    header += [f"{ours} / {name}" for name in names if name != ours]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for problem, res in rows:
        cells = [", ".join(str(v) for v in problem)]
        for name in names:
            r = res[name]
            if r is None:
                cells.append("not installed")
            elif r == "too slow":
                cells.append(f"too slow (> {TIMEOUT[0]:.0f} s)")
            else:
                cells.append(f"{fmt(r[0])} ({r[1]:.0e})")
        base = res[ours][0]
        for name in names:
            if name == ours:
                continue
            r = res[name]
            ok = r is not None and r != "too slow"
            cells.append(f"{base / r[0]:.2f}" if ok else "-")
        print("| " + " | ".join(cells) + " |")


# -- default CV on real data ----------------------------------------------------
def load_mulan(name, data_home):
    """Mulan set with X mean-imputed and standardised, Y standardised."""
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import StandardScaler

    from skmtl.datasets import load_mtr

    X, Y = load_mtr(name, data_home=data_home, return_X_y=True)
    X = SimpleImputer().fit_transform(np.asarray(X, dtype=float))
    X = StandardScaler().fit_transform(X)
    return X, StandardScaler().fit_transform(np.asarray(Y, dtype=float))


def cv_child(name, data_home, which):
    """Fit one CV model in this process; print ``seconds warnings alpha_``."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import MultiTaskLassoCV

    from skmtl.linear import MultiTaskGroupLassoCV

    X, Y = load_mulan(name, data_home)
    # the same default grid (100 alphas down to 1e-3 alpha_max) and 5 folds
    model = MultiTaskLassoCV() if which == "sklearn" else MultiTaskGroupLassoCV()
    with warnings.catch_warnings():  # warm-up: imports and compiled kernels
        warnings.simplefilter("ignore")
        type(model)(**model.get_params()).fit(X[:40, :3], Y[:40])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        model.fit(X, Y)
        seconds = time.perf_counter() - start
    n_warn = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    print(f"{seconds:.4f} {n_warn} {model.alpha_:.6g}")


def real_cv_table(args):
    import os
    import subprocess
    import sys

    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    runs = [("skmtl", here), ("sklearn", here)]
    if args.before:
        runs.insert(1, ("skmtl before", os.path.abspath(args.before)))
    print(
        "\nMultiTaskGroupLassoCV() defaults vs MultiTaskLassoCV (same grid and "
        f"folds); median of {args.repeat} fresh-process fits, interleaved; "
        "cell = seconds, ConvergenceWarnings, alpha_"
    )
    print("| data | n | d | T | " + " | ".join(r for r, _ in runs) + " |")
    print("|" + " --- |" * (4 + len(runs)))
    for name in args.real_cv.split(","):
        X, Y = load_mulan(name, args.data_home)
        results = {r: [] for r, _ in runs}
        for _ in range(args.repeat):
            for label, root in runs:
                env = dict(os.environ, PYTHONPATH=root)
                which = "sklearn" if label == "sklearn" else "skmtl"
                out = subprocess.run(
                    [sys.executable, __file__, "--cv-child", name, which]
                    + ["--data-home", args.data_home],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.split()
                results[label].append(out)
        cells = []
        for label, _ in runs:
            seconds = np.median([float(o[0]) for o in results[label]])
            n_warn = results[label][0][1]
            cells.append(f"{seconds:.2f} s, {n_warn}, {results[label][0][2]}")
        print(f"| {name} | {X.shape[0]} | {X.shape[1]} | {Y.shape[1]} | ", end="")
        print(" | ".join(cells) + " |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n-informative", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cvxpy-timeout", type=float, default=60.0)
    parser.add_argument("--skip-per-task", action="store_true")
    parser.add_argument(
        "--skip-shared", action="store_true", help="only the per-task table"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="repeat the per-task table (its ratios sit near 0.1; the spread "
        "across rounds is printed)",
    )
    parser.add_argument(
        "--sweep",
        action="store_true",
        help="also time skmtl and scikit-learn for 10, 50 and 150 informative "
        "features (sensitivity to the support size)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one timing per cell, no cvxpy, no per-task table (a smoke run)",
    )
    parser.add_argument(
        "--real-cv",
        default="",
        help="comma-separated Mulan sets: the default-CV table (see above)",
    )
    parser.add_argument("--data-home", default="/work/shared/data/mtr")
    parser.add_argument(
        "--before", default="", help="a directory holding another skmtl package"
    )
    parser.add_argument("--cv-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cv_child:
        with threadpool_limits(args.threads):
            cv_child(args.cv_child[0], args.data_home, args.cv_child[1])
        return
    if args.real_cv:
        with threadpool_limits(args.threads):
            real_cv_table(args)
        return
    if args.quick:
        args.repeat, args.cvxpy_timeout, args.skip_per_task = 1, 0.0, True
    TIMEOUT[0] = args.cvxpy_timeout
    from skmtl.utils import _accel

    if _accel.use_numba():
        import numba

        route = f"compiled kernels (numba {numba.__version__})"
    else:
        route = "numpy route (numba not installed or SKMTL_NUMBA=0)"
    print(f"skmtl on long data: {route}")
    print(
        f"best of {args.repeat} (every package); {args.threads} BLAS thread(s); "
        f"{args.n_informative} informative features; cell = time (achieved "
        f"relative suboptimality, target {TARGET:.0e}); ratio < 1: skmtl faster"
    )
    with threadpool_limits(args.threads):
        if not args.skip_shared:
            rows = shared_table(args)
            print_table("Shared X (wide data)", rows, "skmtl")
        if not args.skip_per_task:
            ratios = []
            for r in range(args.rounds):
                rows = per_task_table(args)
                title = "Per-task designs (skmtl long data vs mutar)"
                if args.rounds > 1:
                    title += f", round {r + 1} of {args.rounds}"
                print_table(title, rows, "skmtl (long)")
                if all(res["mutar"] for _, res in rows):
                    ratios.append(
                        [res["skmtl (long)"][0] / res["mutar"][0] for _, res in rows]
                    )
            if len(ratios) > 1:
                ratios = np.array(ratios)
                print("\nskmtl (long) / mutar over the rounds: min / median / max")
                for (problem, _), col in zip(rows, ratios.T, strict=True):
                    name = ", ".join(str(v) for v in problem)
                    print(
                        f"| {name} | {col.min():.3f} / {np.median(col):.3f} / "
                        f"{col.max():.3f} |"
                    )
        if args.sweep:
            sweep(args)


if __name__ == "__main__":
    main()
