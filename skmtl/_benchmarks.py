"""The benchmark suites behind ``skmtl benchmark``, on bundled data.

Each suite returns a :class:`SuiteResult` (a markdown table plus the raw
numbers) and is reproducible from ``random_state``:

- ``school``: explained variance on School over random 75/25 splits within each
  school (the literature's protocol);
- ``mtr``: 10-fold CV aRRMSE on the bundled Mulan sets (``enb``, ``slump``)
  against per-target ridge, per-target gradient boosting, scikit-learn's
  ``RegressorChain`` and ``MultiOutputRegressor``;
- ``speed``: time of :class:`~skmtl.linear.MultiTaskGroupLasso` against
  scikit-learn's ``MultiTaskLasso`` to the same relative suboptimality.
"""

import datetime
import os
import platform
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from ._progress import progress

__all__ = [
    "MULAN_TRAIN_ROWS",
    "SUITES",
    "SuiteResult",
    "average_rrmse",
    "machine_info",
    "machine_markdown",
    "mtr_suite",
    "mulan_protocol",
    "school_suite",
    "speed_suite",
]


@dataclass
class SuiteResult:
    """Outcome of one suite: a titled table and the raw numbers."""

    name: str
    title: str
    protocol: str
    header: list
    rows: list
    raw: dict = field(default_factory=dict)
    seconds: float = 0.0

    def to_markdown(self):
        """The suite as a markdown section."""
        lines = [f"### {self.title}", "", self.protocol, ""]
        lines.append("| " + " | ".join(self.header) + " |")
        lines.append("|" + "---|" * len(self.header))
        for row in self.rows:
            lines.append("| " + " | ".join(str(c) for c in row) + " |")
        lines += ["", f"(suite time {self.seconds:.1f} s)", ""]
        return "\n".join(lines)


def machine_info():
    """Date, platform, CPU count and library versions of this run.

    Returns
    -------
    info : dict
    """
    import scipy
    import sklearn

    import skmtl

    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y-%m-%d %H:%M UTC"
        ),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "skmtl": skmtl.__version__,
    }


def machine_markdown(info=None):
    """The machine description as a markdown bullet list."""
    info = machine_info() if info is None else info
    return "\n".join(f"- {key}: {value}" for key, value in info.items()) + "\n"


def _fmt(values, digits=3):
    values = np.asarray(values, dtype=float)
    return f"{values.mean():.{digits}f} ± {values.std():.{digits}f}"


# -- school --------------------------------------------------------------------


def _school_pipeline(model):
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    scale = make_column_transformer(
        (StandardScaler(), slice(0, -1)), remainder="passthrough"
    )
    return Pipeline([("scale", scale), ("model", model)])


def school_suite(
    *,
    n_splits=10,
    train_size=0.75,
    random_state=0,
    models=("ridge", "pooled-ridge"),
    show_progress=True,
):
    """Explained variance on School over random splits within each school.

    Every split keeps ``train_size`` of each school's students for training;
    each model's ``alpha`` is chosen by 3-fold CV on the training part.

    Parameters
    ----------
    n_splits : int, default=10
        Number of random splits.
    train_size : float, default=0.75
        Training share within each school.
    random_state : int, default=0
        Seed of split ``k`` is ``random_state + k``.
    models : sequence of str, default=('ridge', 'pooled-ridge')
        Registry names (see ``skmtl --help``).
    show_progress : bool, default=True
        Draw a progress bar on stderr.

    Returns
    -------
    result : SuiteResult
    """
    from sklearn.model_selection import GridSearchCV, KFold, train_test_split

    from ._registry import get_model
    from .datasets import load_school

    start = time.perf_counter()
    X, y = load_school(return_X_y=True)
    task = X[:, -1]
    labels = {
        "ridge": "per-task ridge",
        "pooled-ridge": "pooled ridge + task intercepts",
    }
    specs = {name: get_model(name) for name in models}
    scores = {name: [] for name in models}
    with progress(n_splits * len(models), "school", enabled=show_progress) as bar:
        for split in range(n_splits):
            tr, te = train_test_split(
                np.arange(len(y)),
                train_size=train_size,
                stratify=task,
                random_state=random_state + split,
            )
            for name, (cls, spec) in specs.items():
                pipe = _school_pipeline(cls(task_column=-1))
                grid = {f"model__{k}": v for k, v in spec.grid.items()}
                cv = KFold(3, shuffle=True, random_state=split)
                search = GridSearchCV(pipe, grid, cv=cv).fit(X[tr], y[tr])
                resid = y[te] - search.predict(X[te])
                scores[name].append(100 * (1 - np.mean(resid**2) / np.var(y[te])))
                bar.update()
    protocol = (
        f"School: {len(np.unique(task))} tasks, {len(y)} students; {n_splits} "
        f"random {train_size:.0%}/{1 - train_size:.0%} splits within each school; "
        "explained variance = 1 - MSE_test / Var(y_test) in %, alpha by 3-fold CV."
    )
    rows = [
        [labels.get(name, name), _fmt(values, 2)] for name, values in scores.items()
    ]
    return SuiteResult(
        "school",
        "School (explained variance %, higher is better)",
        protocol,
        ["model", "explained variance % (mean ± std)"],
        rows,
        raw=scores,
        seconds=time.perf_counter() - start,
    )


# -- multi-target regression ----------------------------------------------------


#: rows of the original training part of the time-ordered Mulan sets (the
#: test rows come after them; ``mtr/MANIFEST.md`` of the shared data)
MULAN_TRAIN_ROWS = {"rf1": 4108, "scm1d": 8145}


def mulan_protocol(name, data_home=None):
    """``X, Y, folds`` of a Mulan set in the benchmarks' protocol.

    The original train/test split on the time-ordered sets
    (:data:`MULAN_TRAIN_ROWS`), 10-fold shuffled CV (seed 0) elsewhere;
    ``X`` and ``Y`` as float arrays (``NaN`` where the file has no value).
    """
    from sklearn.model_selection import KFold

    from .datasets import load_mtr

    X, Y = load_mtr(name, data_home=data_home, return_X_y=True)
    X, Y = np.asarray(X, float), np.asarray(Y, float)
    if name in MULAN_TRAIN_ROWS:
        cut = MULAN_TRAIN_ROWS[name]
        folds = [(np.arange(cut), np.arange(cut, len(X)))]
    else:
        folds = list(KFold(10, shuffle=True, random_state=0).split(X))
    return X, Y, folds


def average_rrmse(Y_true, Y_pred, Y_train):
    """Average relative root mean squared error over the targets.

    ``RRMSE_t = sqrt(sum_i (y_it - yhat_it)^2 / sum_i (y_it - ybar_t)^2)`` with
    ``ybar_t`` the mean of target ``t`` on the training set, i.e. the error
    relative to always predicting the training mean; aRRMSE is the mean of the
    targets' RRMSE (lower is better, 1 = no better than the mean). This is
    :func:`skmtl.metrics.average_relative_root_mean_squared_error` with
    ``y_train_mean`` taken from ``Y_train``.

    Parameters
    ----------
    Y_true, Y_pred : ndarray of shape (n_samples, n_targets)
        Test targets and predictions.
    Y_train : ndarray of shape (n_train, n_targets)
        Training targets (for the means).

    Returns
    -------
    arrmse : float
    """
    from .metrics import average_relative_root_mean_squared_error

    mean = np.nanmean(np.asarray(Y_train, float), axis=0)
    return float(
        average_relative_root_mean_squared_error(Y_true, Y_pred, y_train_mean=mean)
    )


def _mtr_models(skmtl_models, random_state):
    from sklearn.ensemble import GradientBoostingRegressor
    from sklearn.linear_model import RidgeCV
    from sklearn.model_selection import GridSearchCV, KFold
    from sklearn.multioutput import MultiOutputRegressor, RegressorChain
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from ._registry import get_model

    alphas = np.logspace(-3, 3, 7)

    def scaled(model):
        return Pipeline([("scale", StandardScaler()), ("model", model)])

    gbr = GradientBoostingRegressor(random_state=random_state)
    out = {}
    for name in skmtl_models:
        cls, spec = get_model(name)
        grid = {f"model__{k}": v for k, v in spec.grid.items()}
        inner = KFold(3, shuffle=True, random_state=random_state)
        out[f"skmtl {name} (3-fold CV grid)"] = GridSearchCV(
            scaled(cls()), grid, cv=inner
        )
    out["per-target ridge: MultiOutputRegressor(RidgeCV)"] = scaled(
        MultiOutputRegressor(RidgeCV(alphas=alphas))
    )
    out["RegressorChain(RidgeCV)"] = scaled(RegressorChain(RidgeCV(alphas=alphas)))
    out["per-target gradient boosting: MultiOutputRegressor(GBR)"] = (
        MultiOutputRegressor(gbr)
    )
    out["RegressorChain(GBR)"] = RegressorChain(gbr)
    return out


def mtr_suite(
    *,
    datasets=("enb", "slump"),
    n_folds=10,
    random_state=0,
    models=("ridge", "group-lasso"),
    data_home=None,
    show_progress=True,
):
    """10-fold CV aRRMSE on Mulan multi-target regression sets.

    Parameters
    ----------
    datasets : sequence of str, default=('enb', 'slump')
        Mulan set names (``enb`` and ``slump`` are bundled).
    n_folds : int, default=10
        Outer CV folds (shuffled, seeded).
    random_state : int, default=0
        Seed of the folds and of the gradient boosting models.
    models : sequence of str, default=('ridge', 'group-lasso')
        skmtl registry names, each tuned by a 3-fold grid search on the
        training folds.
    data_home : str, default=None
        Where the non-bundled sets are.
    show_progress : bool, default=True
        Draw a progress bar on stderr.

    Returns
    -------
    result : SuiteResult
    """
    from sklearn.base import clone
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import KFold
    from threadpoolctl import threadpool_limits

    from .datasets import load_mtr

    start = time.perf_counter()
    estimators = _mtr_models(models, random_state)
    scores = {name: {} for name in estimators}
    seconds = {name: 0.0 for name in estimators}
    n_warn = {name: 0 for name in estimators}
    loaded = {
        name: load_mtr(name, data_home=data_home, return_X_y=True) for name in datasets
    }
    total = len(datasets) * n_folds * len(estimators)
    with (
        threadpool_limits(limits=1),
        progress(total, "mtr", enabled=show_progress) as bar,
    ):
        for dname, (X, Y) in loaded.items():
            folds = KFold(n_folds, shuffle=True, random_state=random_state)
            for name, est in estimators.items():
                values = []
                for tr, te in folds.split(X):
                    t0 = time.perf_counter()
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always", ConvergenceWarning)
                        fitted = clone(est).fit(X[tr], Y[tr])
                        pred = fitted.predict(X[te])
                    seconds[name] += time.perf_counter() - t0
                    n_warn[name] += sum(
                        issubclass(w.category, ConvergenceWarning) for w in caught
                    )
                    values.append(average_rrmse(Y[te], pred, Y[tr]))
                    bar.update()
                scores[name][dname] = values
    shapes = ", ".join(
        f"{d} ({X.shape[0]} samples, {X.shape[1]} features, {Y.shape[1]} targets)"
        for d, (X, Y) in loaded.items()
    )
    protocol = (
        f"Mulan multi-target regression: {shapes}. {n_folds}-fold CV (shuffled, "
        f"seed {random_state}); aRRMSE = mean over targets of the RMSE relative "
        "to predicting the training mean (lower is better); inputs standardised "
        "for the linear models; BLAS on one thread."
    )
    header = [
        "model",
        *[f"{d} aRRMSE" for d in datasets],
        "fit+predict time (s)",
        "convergence warnings",
    ]
    rows = [
        [
            name,
            *[_fmt(scores[name][d]) for d in datasets],
            f"{seconds[name]:.1f}",
            n_warn[name],
        ]
        for name in estimators
    ]
    return SuiteResult(
        "mtr",
        "Multi-target regression (10-fold CV aRRMSE, lower is better)",
        protocol,
        header,
        rows,
        raw=scores,
        seconds=time.perf_counter() - start,
    )


# -- speed ----------------------------------------------------------------------


def _group_lasso_objective(X, Y, coef, intercept, alpha):
    R = Y - X @ coef.T - intercept
    return 0.5 * np.sum(R**2) / X.shape[0] + alpha * np.sqrt((coef**2).sum(0)).sum()


def _alpha_max(X, Y):
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    return float(np.sqrt(((Xc.T @ Yc) ** 2).sum(1)).max() / X.shape[0])


def _time_fit(make, alpha, tol, X, Y, repeats):
    best, model = np.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = make(alpha, tol).fit(X, Y)
        best = min(best, time.perf_counter() - t0)
    return best, model


def speed_suite(
    *,
    problems=((200, 500, 10, 0.1), (1000, 100, 20, 0.05)),
    target_subopt=1e-6,
    repeats=5,
    random_state=0,
    show_progress=True,
):
    """Group lasso solver time against scikit-learn's ``MultiTaskLasso``.

    For each problem ``(n, d, T, alpha / alpha_max)`` on shared X without
    missing labels (where the two solve the same problem
    ``1/(2n)||Y - XW - 1 b^T||_F^2 + alpha ||W||_21``), each solver is run with
    tolerances ``1e-4, 1e-6, ...`` until its relative suboptimality
    ``(P - P*) / P*`` is at most ``target_subopt``, ``P*`` being the best
    objective any solver reached at its tightest tolerance. The time at that
    tolerance (best of ``repeats``) is reported, with the ratio skmtl /
    scikit-learn (below 1: skmtl is faster).

    Parameters
    ----------
    problems : sequence of tuple, default=((200, 500, 10, 0.1), (1000, 100, 20, 0.05))
        ``(n_samples, n_features, n_tasks, alpha / alpha_max)``.
    target_subopt : float, default=1e-6
        Relative suboptimality both solvers must reach.
    repeats : int, default=5
        Timing repeats (the minimum is kept). BLAS runs on one thread for both
        packages, which makes the timings stable on a shared machine.
    random_state : int, default=0
        Seed of the synthetic data.
    show_progress : bool, default=True
        Draw a progress bar on stderr.

    Returns
    -------
    result : SuiteResult
    """
    from sklearn.linear_model import MultiTaskLasso
    from threadpoolctl import threadpool_limits

    from .datasets import make_multitask_regression
    from .linear import MultiTaskGroupLasso

    start = time.perf_counter()
    tols = {"skmtl": [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8]}
    tols["sklearn"] = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10, 1e-12]
    makers = {
        "skmtl": lambda a, tol: MultiTaskGroupLasso(a, tol=tol, max_iter=100_000),
        "sklearn": lambda a, tol: MultiTaskLasso(a, tol=tol, max_iter=100_000),
    }
    rows, raw = [], {}
    with (
        threadpool_limits(limits=1),
        progress(len(problems), "speed", enabled=show_progress) as bar,
    ):
        for n, d, T, ratio in problems:
            X, Y = make_multitask_regression(
                n, d, T, n_informative=10, random_state=random_state
            )
            alpha = ratio * _alpha_max(X, Y)
            # reference objective: the tightest run of each solver
            ref = []
            for key, make in makers.items():
                _, m = _time_fit(make, alpha, tols[key][-1], X, Y, 1)
                ref.append(_group_lasso_objective(X, Y, m.coef_, m.intercept_, alpha))
            p_star = min(ref)
            found = {}
            for key, make in makers.items():
                for tol in tols[key]:
                    _, m = _time_fit(make, alpha, tol, X, Y, 1)
                    obj = _group_lasso_objective(X, Y, m.coef_, m.intercept_, alpha)
                    subopt = (obj - p_star) / abs(p_star)
                    if subopt <= target_subopt or tol == tols[key][-1]:
                        secs, _ = _time_fit(make, alpha, tol, X, Y, repeats)
                        found[key] = (secs, tol, max(subopt, 0.0))
                        break
            raw[(n, d, T, ratio)] = found
            s, k = found["skmtl"], found["sklearn"]
            rows.append(
                [
                    f"{n}, {d}, {T}, {ratio}",
                    f"{1e3 * s[0]:.1f} ms (tol {s[1]:.0e}, subopt {s[2]:.1e})",
                    f"{1e3 * k[0]:.1f} ms (tol {k[1]:.0e}, subopt {k[2]:.1e})",
                    f"{s[0] / k[0]:.2f}",
                ]
            )
            bar.update()
    protocol = (
        "Group lasso on shared X without missing labels, objective "
        "1/(2n)||Y - XW - 1b^T||_F^2 + alpha ||W||_21 (the two packages solve "
        f"the same problem); time to relative suboptimality <= {target_subopt:.0e} "
        f"(best of {repeats}, single-threaded BLAS); the ratio is skmtl / "
        "scikit-learn (< 1: skmtl faster). Synthetic data from "
        "make_multitask_regression(n_informative=10)."
    )
    return SuiteResult(
        "speed",
        "Solver speed: MultiTaskGroupLasso vs scikit-learn MultiTaskLasso",
        protocol,
        [
            "problem (n, d, T, alpha/alpha_max)",
            "skmtl MultiTaskGroupLasso",
            "sklearn MultiTaskLasso",
            "time ratio",
        ],
        rows,
        raw=raw,
        seconds=time.perf_counter() - start,
    )


#: Suite name -> function.
SUITES = {"school": school_suite, "mtr": mtr_suite, "speed": speed_suite}
