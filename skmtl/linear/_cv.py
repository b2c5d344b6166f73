"""One cross-validation engine for every linear family.

A ``*CV`` estimator is a thin class on :class:`LinearModelCV`: it names the
model (``_estimator``), the grids (``_grid_specs``) and the one parameter
whose path is warm-started (``_path_param``). The engine owns the rest, once:
the folds, the rule for degenerate folds, the warm-started path on every
(grid point, fold), the scoring that skips missing labels, ``n_jobs``, the
progress bar, the choice and the refit.
"""

import numbers
import warnings
from dataclasses import dataclass
from itertools import product

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.model_selection import KFold, check_cv
from sklearn.utils._param_validation import Interval

from .._progress import progress
from ..base import MultiTaskLinearModel
from ..utils import MultiTaskData
from ._path import path_grid, path_on_data

__all__ = ["DegenerateFoldWarning", "GridSpec", "LinearModelCV"]


class DegenerateFoldWarning(UserWarning):
    """A task could not be fitted or scored on a cross-validation fold."""


@dataclass
class GridSpec:
    """One hyper-parameter's grid.

    ``values`` holds explicit values (``None`` for the automatic grid of
    ``n`` values from the parameter's largest useful value down to ``eps``
    times it); ``decreasing`` orders explicit values; ``axis`` is False for a
    single value given as a scalar (no axis in ``mse_path_``).
    """

    name: str
    values: np.ndarray | None
    n: int = 1
    eps: float = 1e-3
    decreasing: bool = True
    axis: bool = True


def grid_spec(name, grid, eps=1e-3, decreasing=True):
    """A :class:`GridSpec` from a public ``alphas``-style parameter.

    An int is the length of the automatic grid; an array the values.
    """
    if isinstance(grid, numbers.Integral):
        return GridSpec(name, None, int(grid), eps, decreasing)
    values = np.asarray(grid, dtype=float)
    if values.ndim == 0:
        return GridSpec(name, values.reshape(1), 1, eps, decreasing, axis=False)
    return GridSpec(name, values.ravel(), values.size, eps, decreasing)


# -- folds -------------------------------------------------------------------
def _splits(cv, X, y, data, random_state):
    """Train/test row indices.

    ``None`` or an int: ``KFold`` (unshuffled, as scikit-learn) on wide data,
    and on long data :class:`~skmtl.model_selection.TaskStratifiedKFold`
    (shuffled), which keeps every task in every training and test fold.
    Otherwise any scikit-learn splitter, given the original ``X`` and ``y``
    and, for long data, the task codes as ``groups``.
    """
    groups = data.task_codes if data.layout == "long" else None
    if cv is None or isinstance(cv, numbers.Integral):
        n_splits = 5 if cv is None else int(cv)
        if data.layout == "long":
            from ..model_selection import TaskStratifiedKFold

            splitter = TaskStratifiedKFold(
                n_splits, shuffle=True, random_state=random_state
            )
        else:
            splitter = KFold(n_splits)
    else:
        splitter = check_cv(cv)
    return [
        (np.sort(np.asarray(tr)), np.sort(np.asarray(te)))
        for tr, te in splitter.split(X, y, groups)
    ]


def _rows_by_task(codes, ok, n_tasks):
    """Positions with ``ok`` of each task code, in row order."""
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(np.bincount(codes, minlength=n_tasks))[:-1]
    return [idx[ok[idx]] for idx in np.split(order, bounds)]


def _task_rows(data, rows):
    """Labelled rows (positions within ``rows``) of each task, with weight."""
    sw = None if data.sample_weight is None else data.sample_weight[rows]
    if data.layout == "long":
        ok = ~np.isnan(data.y[rows])
        if sw is not None:
            ok &= sw > 0
        return _rows_by_task(data.task_codes[rows], ok, data.n_tasks)
    ok = ~np.isnan(data.y[rows])
    if sw is not None:
        ok &= (sw > 0)[:, None]
    return [np.flatnonzero(ok[:, t]) for t in range(data.n_tasks)]


def _fold_data(data, rows, index):
    """The data on ``rows``, restricted to the tasks with a labelled row.

    ``index`` is :func:`_task_rows` of ``rows``. Returns ``(fold, kept)``:
    the :class:`MultiTaskData` of the fold and the indices of its tasks.
    """
    kept = np.array([t for t, idx in enumerate(index) if len(idx)], dtype=np.intp)
    y = data.y[rows]
    codes = None
    if data.layout == "long":
        remap = np.full(data.n_tasks, -1, dtype=np.intp)
        remap[kept] = np.arange(len(kept))
        codes = remap[data.task_codes[rows]]
        if len(kept) < data.n_tasks:  # rows of dropped tasks go
            keep = codes >= 0
            rows, y, codes = rows[keep], y[keep], codes[keep]
            ok = ~np.isnan(y)
            if data.sample_weight is not None:
                ok &= data.sample_weight[rows] > 0
            index = _rows_by_task(codes, ok, len(kept))
        else:
            index = list(index)
    else:
        y = y[:, kept]
        index = [index[t] for t in kept]
    fold = MultiTaskData(
        X=data.X[rows],
        y=y,
        layout=data.layout,
        tasks=data.tasks[kept],
        task_index=index,
        task_codes=codes,
        sample_weight=None if data.sample_weight is None else data.sample_weight[rows],
    )
    return fold, kept


def _test_errors(data, rows, kept, coefs, intercepts):
    """Squared errors on the labelled held-out cells of the ``kept`` tasks.

    Returns ``sse`` of shape (n_points, len(kept)), the weighted sums of
    squared errors of every fitted model, and ``weight`` (len(kept),), each
    task's total held-out weight (cells, without sample weights).
    """
    index = _task_rows(data, rows)
    sw = data.sample_weight
    n_points = len(coefs)
    sse = np.zeros((n_points, len(kept)))
    weight = np.zeros(len(kept))
    if data.layout == "wide":
        cols = [index[t] for t in kept]
        if not any(len(c) for c in cols):
            return sse, weight
        X = data.X[rows]
        # every model at once: (n_rows, n_points * n_kept)
        P = np.asarray(X @ coefs.reshape(-1, coefs.shape[-1]).T).reshape(
            len(rows), n_points, len(kept)
        )
        P += intercepts[None]
        for j, t in enumerate(kept):
            idx = cols[j]
            if len(idx) == 0:
                continue
            w = np.ones(len(idx)) if sw is None else sw[rows[idx]]
            r = data.y[rows[idx], t][:, None] - P[idx, :, j]
            sse[:, j] = w @ r**2
            weight[j] = w.sum()
        return sse, weight
    for j, t in enumerate(kept):
        idx = index[t]
        if len(idx) == 0:
            continue
        r_rows = rows[idx]
        w = np.ones(len(idx)) if sw is None else sw[r_rows]
        pred = np.asarray(data.X[r_rows] @ coefs[:, j, :].T) + intercepts[:, j]
        r = data.y[r_rows][:, None] - pred
        sse[:, j] = w @ r**2
        weight[j] = w.sum()
    return sse, weight


def _fold_path(base, data, train, test, index, outer, path_param, values):
    """Validation errors of the warm-started path on one fold (one job)."""
    fold, kept = _fold_data(data, train, index)
    est = clone(base)
    for name, value in outer.items():
        setattr(est, name, value)
    coefs, intercepts, _, _ = path_on_data(est, fold, path_param, values)
    sse, weight = _test_errors(data, test, kept, coefs, intercepts)
    return kept, sse, weight


class _RowFolds:
    """Folds of in-memory rows: what the engine asks of any kind of folds.

    ``n_folds``, ``empty_tasks(k)`` (tasks without a labelled training row in
    fold ``k``) and ``fold_path(base, k, outer, path_param, values)`` (one
    job: ``(kept, sse, weight)``). Data summarised by statistics bring their
    own folds (``skmtl.dask._data.StatisticsFolds``).
    """

    def __init__(self, cv, X, y, data, random_state):
        self.data = data
        self.splits = _splits(cv, X, y, data, random_state)
        self.n_folds = len(self.splits)
        self.indexes = [_task_rows(data, train) for train, _ in self.splits]

    def empty_tasks(self, k):
        return np.array([t for t, idx in enumerate(self.indexes[k]) if len(idx) == 0])

    def fold_path(self, base, k, outer, path_param, values):
        train, test = self.splits[k]
        return _fold_path(
            base, self.data, train, test, self.indexes[k], outer, path_param, values
        )


# -- the engine ----------------------------------------------------------------
CV_CONSTRAINTS = {
    "cv": [None, "cv_object"],
    "n_jobs": [None, numbers.Integral],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}

EPS_CONSTRAINT = [Interval(numbers.Real, 0, 1, closed="right")]


def _task_names(tasks, which):
    names = [str(t) for t in tasks[which][:10]]
    more = f" and {len(which) - 10} more" if len(which) > 10 else ""
    return ", ".join(names) + more


class LinearModelCV(MultiTaskLinearModel):
    """Base of the ``*CV`` linear estimators: grid, folds, paths, choice, refit.

    For each point of the outer grids (every parameter but the path one) and
    each fold, one warm-started path over the path parameter's grid is fitted
    on the training rows, and the (sample-weighted) mean squared error over
    the labelled cells of the held-out rows is recorded for every point of
    the path. The point with the smallest mean over folds is refitted on all
    the data.

    Degenerate folds, one rule for every family: a task with no labelled row
    in a training fold is left out of that fold (its fit and its score), with
    a :class:`DegenerateFoldWarning` naming the task and the fold; if a task
    is never scored on any fold, or every fold of a grid point has no score
    (a splitter that holds out whole tasks), ``fit`` raises a ``ValueError``.
    A grid point is never chosen from missing or non-finite scores.

    Subclasses define ``_estimator()`` (the model with the fixed parameters),
    ``_grid_specs()`` (a :class:`GridSpec` per searched parameter, in the
    order of the axes of ``mse_path_``) and ``_path_param``.
    """

    _accept_sparse = ("csr", "csc")
    #: fits dask collections from per-task statistics (skmtl.dask)
    _fits_from_statistics = True
    _path_param = "alpha"

    # -- what subclasses define ---------------------------------------------
    def _estimator(self):
        raise NotImplementedError

    def _grid_specs(self):
        raise NotImplementedError

    def _statistics_folds(self):
        """``(n_folds, seed)`` of the folds set in a dask statistics pass."""
        if self.cv is None or isinstance(self.cv, numbers.Integral):
            return (5 if self.cv is None else int(self.cv)), self.random_state
        raise ValueError(
            "With dask input, cv must be None or an int: the folds are assigned "
            "row by row in the one pass that computes the statistics (see "
            f"skmtl.dask.fold_assignment); got cv={self.cv!r}."
        )

    # -- the engine --------------------------------------------------------
    def _grids(self, base, data, specs):
        """Outer grids, and the path grid of each outer point (full data)."""
        path = next(s for s in specs if s.name == self._path_param)
        outer = [s for s in specs if s.name != self._path_param]
        datafit = None
        if any(s.values is None for s in specs):
            datafit = base._path_setup(data).datafit
        outer_grids = [
            path_grid(base, datafit, s.name, s.values, s.n, s.eps, s.decreasing)
            for s in outer
        ]
        points = list(product(*[range(len(g)) for g in outer_grids]))
        path_grids = []
        for point in points:
            est = clone(base)
            for s, g, i in zip(outer, outer_grids, point, strict=True):
                setattr(est, s.name, float(g[i]))
            path_grids.append(
                path_grid(
                    est, datafit, path.name, path.values, path.n, path.eps,
                    path.decreasing,
                )
            )
        return outer, outer_grids, points, path_grids

    def _cv_fit(self, X, y, sample_weight):
        data = self._validate_fit(X, y, sample_weight)
        base = self._estimator()
        base.set_params(verbose=max(int(self.verbose) - 1, 0))
        specs = self._grid_specs()
        outer, outer_grids, points, path_grids = self._grids(base, data, specs)
        if hasattr(data, "cv_folds"):  # statistics with their folds (skmtl.dask)
            folds = data.cv_folds()
        else:
            folds = _RowFolds(self.cv, X, y, data, self.random_state)
        n_folds, T = folds.n_folds, data.n_tasks

        # the rule for degenerate folds: tasks without training labels
        for k in range(n_folds):
            empty = folds.empty_tasks(k)
            if len(empty) == T:
                raise ValueError(
                    f"Cross-validation fold {k} has no labelled training sample."
                )
            if len(empty):
                warnings.warn(
                    f"Task(s) {_task_names(data.tasks, empty)} have no labelled "
                    f"sample in the training rows of cross-validation fold {k}: "
                    "they are left out of that fold's fit and score.",
                    DegenerateFoldWarning,
                    stacklevel=3,
                )

        jobs = [(p, k) for p in range(len(points)) for k in range(n_folds)]

        def outer_params(p):
            return {
                s.name: float(g[i])
                for s, g, i in zip(outer, outer_grids, points[p], strict=True)
            }

        n_path = len(path_grids[0])
        sse = np.full((len(points), n_folds, n_path, T), np.nan)
        weight = np.zeros((n_folds, T))
        parallel = Parallel(n_jobs=self.n_jobs, prefer="threads", return_as="generator")
        results = parallel(
            delayed(folds.fold_path)(
                base, k, outer_params(p), self._path_param, path_grids[p]
            )
            for p, k in jobs
        )
        desc = f"{type(self).__name__}: {len(jobs)} paths"
        with progress(len(jobs), desc, enabled=bool(self.verbose)) as bar:
            for (p, k), (kept, fold_sse, fold_w) in zip(jobs, results, strict=True):
                sse[p, k][:, kept] = fold_sse
                weight[k, kept] = fold_w
                bar.update()

        scored = weight > 0  # (n_folds, T)
        never = np.flatnonzero(~scored.any(axis=0))
        if len(never):
            raise ValueError(
                f"Task(s) {_task_names(data.tasks, never)} are never scored: no "
                "cross-validation fold has labelled rows of them both in its "
                "training and in its test part (a splitter that holds out whole "
                "tasks, or too few labels). Tuning needs every task in every "
                "training fold: use skmtl.model_selection.TaskStratifiedKFold "
                "(long data) or MaskedStratifiedKFold (wide data) as cv; to "
                "measure transfer to unseen tasks, evaluate with "
                "skmtl.model_selection.LeaveTasksOut instead."
            )
        total = weight.sum(axis=1)  # (n_folds,)
        with np.errstate(invalid="ignore", divide="ignore"):
            mse = np.where(scored[None, :, None, :], sse, 0.0).sum(axis=-1)
            mse = mse / total[None, :, None]  # (points, folds, path)
        valid = total > 0
        mse[:, ~valid] = np.nan
        mean = np.nanmean(np.where(np.isfinite(mse), mse, np.inf)[:, valid], axis=1)
        if not np.isfinite(mean).any():
            raise ValueError(
                "Every grid point has a non-finite validation error on some fold "
                "(diverged fits); no grid point can be chosen."
            )
        bad = ~np.isfinite(mean)
        if bad.any():
            warnings.warn(
                f"{int(bad.sum())} grid point(s) have a non-finite validation "
                "error on some fold (diverged fits); they are not chosen.",
                DegenerateFoldWarning,
                stacklevel=3,
            )
        p, j = np.unravel_index(np.argmin(mean), mean.shape)
        best = outer_params(p)
        best[self._path_param] = float(path_grids[p][j])

        final = clone(base).set_params(**best)
        final._fit_data(data)
        for name, value in vars(final).items():
            if name.endswith("_") and not name.startswith("_"):
                setattr(self, name, value)

        # mse_path_: axes in the order of the specs, folds last
        shape = [len(g) for g in outer_grids]
        mse = mse.reshape(*shape, n_folds, n_path)
        mse = np.moveaxis(mse, -1, len(outer))  # path axis in front of folds
        order = [s.name for s in outer]
        pos = [s.name for s in specs].index(self._path_param)
        axes = list(range(len(outer)))
        axes.insert(pos, len(outer))
        mse = np.transpose(mse, axes + [len(outer) + 1])
        squeeze = tuple(i for i, s in enumerate(specs) if not s.axis)
        self.mse_path_ = np.squeeze(mse, axis=squeeze) if squeeze else mse
        grids = dict(zip(order, outer_grids, strict=True))
        grids[self._path_param] = (
            np.asarray(path_grids[0])
            if all(np.array_equal(g, path_grids[0]) for g in path_grids)
            else np.asarray(path_grids).reshape(*shape, n_path)
        )
        self._set_results(specs, grids, best, mse, n_folds)
        return self

    def _set_results(self, specs, grids, best, mse, n_folds):
        """``{name}_`` (chosen), ``{name}s_`` (grid) and ``cv_results_``."""
        for s in specs:
            setattr(self, f"{s.name}_", best[s.name])
            if s.axis:
                setattr(self, f"{s.name}s_", grids[s.name])
        # cv_results_ in GridSearchCV's form, one entry per grid point
        names = [s.name for s in specs]
        n_points = int(np.prod(mse.shape[:-1]))
        flat = mse.reshape(n_points, n_folds)
        params = []
        for idx in np.ndindex(*mse.shape[:-1]):
            point = {}
            for name, i in zip(names, idx, strict=True):
                g = grids[name]
                if name == self._path_param and g.ndim > 1:
                    outer_idx = tuple(
                        j for n, j in zip(names, idx, strict=True) if n != name
                    )
                    point[name] = float(g[outer_idx][i])
                else:
                    point[name] = float(g[i])
            params.append(point)
        scores = -flat
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(scores, axis=1)
            std = np.nanstd(scores, axis=1)
        ranks = np.empty(n_points, dtype=np.int32)
        order = np.argsort(-np.where(np.isfinite(mean), mean, -np.inf), kind="stable")
        ranks[order] = (
            np.arange(1, n_points + 1)
        )
        results = {"params": params}
        for name in names:
            results[f"param_{name}"] = np.array([p[name] for p in params])
        for k in range(n_folds):
            results[f"split{k}_test_score"] = scores[:, k]
        results["mean_test_score"] = mean
        results["std_test_score"] = std
        results["rank_test_score"] = ranks
        self.cv_results_ = results
