"""Automatic choice among model families by task-aware cross-validation."""

import numbers
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..base import MultiTaskRegressorMixin

__all__ = ["MultiTaskAutoRegressor", "default_candidates"]


def _scaled(estimator):
    """``estimator`` behind a StandardScaler (wide data)."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return Pipeline([("scale", StandardScaler()), ("model", estimator)])


class _AllBut:
    """Column selector: every column except ``task_column`` (int or name)."""

    def __init__(self, task_column):
        self.task_column = task_column

    def __call__(self, X):
        names = getattr(X, "columns", None)
        if names is not None and isinstance(self.task_column, str):
            return [c for c in names if c != self.task_column]
        n = X.shape[1]
        drop = self.task_column % n
        return [j for j in range(n) if j != drop]


def default_candidates(task_column=None, *, random_state=None):
    """The default families of :class:`MultiTaskAutoRegressor`.

    Each is a regressor with its own internal tuning, behind a StandardScaler
    of the features: per-task ridge (``RidgeCV`` per task), pooled ridge
    (tuned by a 3-fold grid search), group lasso, trace norm and
    mean-regularized (their ``*CV`` estimators, 3 folds), the shared
    representation (rank chosen from the data), per-task histogram
    gradient boosting, and the multi-task MLP
    (:class:`~skmtl.neural.MultiTaskMLPRegressor` at its defaults, which stop
    by early stopping; only when the ``neural`` extra, torch and skorch, is
    installed). Stacking (SST, ERC) costs far more and is opt-in (pass it in
    ``candidates``).

    Parameters
    ----------
    task_column : int, str or None, default=None
        The task column of long data (None: wide data).
    random_state : int or None, default=None
        Seed of the randomised candidates.

    Returns
    -------
    candidates : dict
        ``{name: estimator}``.
    """
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.linear_model import RidgeCV
    from sklearn.model_selection import GridSearchCV

    from ..linear import (
        MeanRegularizedMultiTaskCV,
        MultiTaskGroupLassoCV,
        PooledRidge,
        TraceNormMultiTaskCV,
    )
    from ..model_selection import TaskStratifiedKFold
    from ..representation import SharedRepresentationRegressor
    from ._per_task import PerTaskRegressor

    alphas = np.logspace(-3, 3, 13)
    tc = task_column
    # folds cut within every task (plain KFold on rows sorted by task leaves
    # tasks out of a training fold: every score NaN); on long data the
    # search sits behind _scaled_long, which moves the task column last
    inner = TaskStratifiedKFold(
        3,
        task_column=None if tc is None else -1,
        shuffle=True,
        random_state=random_state,
    )
    models = {
        "ridge per task": PerTaskRegressor(RidgeCV(alphas), task_column=tc),
        "pooled ridge": GridSearchCV(
            PooledRidge(task_column=tc),
            {"alpha": list(np.logspace(-3, 3, 7))},
            cv=inner,
            error_score="raise",
        ),
        "group lasso": MultiTaskGroupLassoCV(cv=3, task_column=tc),
        "trace norm": TraceNormMultiTaskCV(cv=3, task_column=tc),
        "mean-regularized": MeanRegularizedMultiTaskCV(cv=3, task_column=tc),
        "shared representation": SharedRepresentationRegressor(
            task_column=tc, random_state=random_state
        ),
        "boosting per task": PerTaskRegressor(
            HistGradientBoostingRegressor(random_state=random_state), task_column=tc
        ),
    }
    try:
        from ..neural import MultiTaskMLPRegressor
    except ImportError:  # the neural extra is not installed
        pass
    else:
        models["MLP"] = MultiTaskMLPRegressor(task_column=tc, random_state=random_state)
    scaled = {}
    for name, est in models.items():
        if name == "boosting per task":  # trees need no scaling
            scaled[name] = est
        elif tc is None:
            scaled[name] = _scaled(est)
        else:
            scaled[name] = _scaled_long(est, tc)
    return scaled


def _scaled_long(estimator, task_column):
    """``estimator`` behind a StandardScaler of every column but the task
    column, which the ColumnTransformer moves last (``task_column=-1``)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    reorder = ColumnTransformer(
        [("scale", StandardScaler(), _AllBut(task_column))],
        remainder="passthrough",
    )
    model = _set_task_column(clone(estimator), -1)
    return Pipeline([("scale", reorder), ("model", model)])


def _set_task_column(estimator, value):
    """Set ``task_column`` on an estimator or on what a search tunes."""
    if "task_column" in estimator.get_params(deep=False):
        return estimator.set_params(task_column=value)
    return estimator.set_params(estimator__task_column=value)


def _selection_scores(fold_scores):
    """Held-out score of choosing one family and of choosing per task.

    ``fold_scores[c, k, t]``: candidate ``c``'s score on task ``t`` in fold
    ``k`` (NaN: skipped candidate, or no test label). For every fold, both
    choices are made on the other folds and scored on it; returns the means
    over tasks and folds (NaN with one fold).
    """
    n_folds = fold_scores.shape[1]
    if n_folds < 2:
        return {"all tasks": np.nan, "per task": np.nan}
    held = {"all tasks": [], "per task": []}
    with warnings.catch_warnings():  # all-NaN slices (skipped candidates)
        warnings.simplefilter("ignore", RuntimeWarning)
        for k in range(n_folds):
            rest = np.delete(fold_scores, k, axis=1)
            by_task = np.nanmean(rest, axis=1)  # (n_candidates, n_tasks)
            overall = np.nanmean(by_task, axis=1)
            one = int(np.argmax(np.where(np.isnan(overall), -np.inf, overall)))
            filled = np.where(np.isnan(by_task), -np.inf, by_task)
            each = np.argmax(filled, axis=0)
            # a task never scored on the other folds follows the overall winner
            each[np.all(np.isnan(by_task), axis=0)] = one
            test = fold_scores[:, k, :]
            T = test.shape[1]
            held["all tasks"].append(np.nanmean(test[one]))
            held["per task"].append(np.nanmean(test[each, np.arange(T)]))
        return {key: float(np.nanmean(v)) for key, v in held.items()}


class MultiTaskAutoRegressor(MultiTaskRegressorMixin, BaseEstimator):
    r"""Choose among model families by task-aware cross-validation.

    Every candidate (a regressor with its own internal tuning) is
    cross-validated with :func:`~skmtl.model_selection.cross_validate_tasks`
    (folds cut within every task, so every task is in every training fold);
    each task gets its own score per fold (``r2_tasks``: R^2 on its test rows).
    The family with the best mean over tasks and folds is refitted on all the
    data. With ``per_task=True`` every task gets its own winner, the family
    with its best mean score over folds, and predictions of task ``t`` come
    from its winner refitted on all the data. ``per_task='auto'`` (default)
    decides between the two from the same scores, by cross-validating the
    choice itself (see Notes).

    Parameters
    ----------
    candidates : dict or None, default=None
        ``{name: estimator}``; ``None`` uses :func:`default_candidates` for the
        layout (``task_column``).
    cv : int, CV splitter or iterable, default=5
        Outer folds, the same for every candidate: an int gives
        :class:`~skmtl.model_selection.TaskStratifiedKFold` with shuffling
        (seeded by ``random_state``; rows of real data are often ordered).
    per_task : bool or 'auto', default='auto'
        Pick the best family for every task separately (True), one family
        for all tasks (False), or whichever of the two choices does better
        when the choice itself is cross-validated ('auto', see Notes).
    time_budget : float or None, default=None
        Seconds: candidates are evaluated in the given order and those not
        started when the budget is spent are skipped (marked in
        ``leaderboard_``); at least one is always evaluated.
    task_column : int, str or None, default=None
        ``None`` for wide data; otherwise the task-id column of ``X``.
    n_jobs : int, default=None
        Folds run in parallel.
    random_state : int or None, default=None
        Seed of the default candidates.
    verbose : int, default=0
        Print each candidate's score and time when positive.

    Attributes
    ----------
    leaderboard_ : dict
        ``name`` (list), ``mean_score``, ``std_score`` (over folds of the
        mean over tasks), ``fit_time`` (seconds, all folds), ``rank`` (1 is
        best; skipped candidates have NaN scores and rank 0), ``task_scores``
        (n_candidates, n_tasks), ``fold_task_scores`` (n_candidates,
        n_folds, n_tasks), ``tasks``.
    per_task_ : bool
        Whether every task got its own winner (``per_task`` resolved).
    selection_scores_ : dict
        ``{"all tasks": s, "per task": s}``: the mean held-out score of each
        way of choosing, cross-validated over the folds (see Notes); NaN
        with a single fold.
    best_name_ : str
        The winning family (``per_task_`` False).
    best_estimator_ : estimator
        The winner refitted on all the data (``per_task_`` False).
    task_winners_ : list of str
        The family chosen for every task (with ``per_task_`` False, every
        entry is ``best_name_``).
    estimators_ : dict
        ``{name: refitted estimator}`` of the families in use.
    tasks_ : ndarray of shape (n_tasks,)
        Task ids.
    n_tasks_ : int
        Number of tasks.

    Notes
    -----
    Choosing a winner per task fits the folds better than choosing one
    family for all (a maximum over more options), so the two cannot be
    compared on the scores they were chosen from. ``per_task='auto'``
    compares them without new fits: let :math:`S_{c,k,t}` be candidate
    :math:`c`'s score on task :math:`t` in fold :math:`k`. For every fold
    :math:`k`, both choices are made from the other folds' scores (one
    family :math:`\arg\max_c \sum_{k' \ne k, t} S_{c,k',t}`; per task
    :math:`\arg\max_c \sum_{k' \ne k} S_{c,k',t}`) and scored on fold
    :math:`k`; the mean over tasks and folds is ``selection_scores_``.
    Per-task winners are used only when their score is higher. With many
    small tasks the per-task choice is noisy and loses; with a few tasks of
    different kinds it wins.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import PooledRidge
    >>> from skmtl.meta import MultiTaskAutoRegressor, PerTaskRegressor
    >>> X, Y = make_multitask_regression(90, 5, 3, random_state=0)
    >>> auto = MultiTaskAutoRegressor(
    ...     {"per task": PerTaskRegressor(Ridge()), "pooled": PooledRidge()}, cv=3)
    >>> auto.fit(X, Y).leaderboard_["name"]
    ['per task', 'pooled']
    """

    _parameter_constraints = {
        "candidates": [dict, None],
        "cv": ["cv_object"],
        "per_task": ["boolean", StrOptions({"auto"})],
        "time_budget": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "task_column": [None, numbers.Integral, str],
        "n_jobs": [None, numbers.Integral],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        candidates=None,
        *,
        cv=5,
        per_task="auto",
        time_budget=None,
        task_column=None,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.candidates = candidates
        self.cv = cv
        self.per_task = per_task
        self.time_budget = time_budget
        self.task_column = task_column
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _candidates(self):
        if self.candidates is not None:
            if not self.candidates:
                raise ValueError("candidates is empty: give at least one estimator.")
            return dict(self.candidates)
        return default_candidates(self.task_column, random_state=self.random_state)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Cross-validate every candidate, then refit the winner(s).

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_columns)
            Inputs; with ``task_column`` set, one column holds task ids.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            Wide targets with ``NaN`` for missing labels, or long 1-D targets.

        Returns
        -------
        self : MultiTaskAutoRegressor
            Fitted estimator.
        """
        from ..model_selection import TaskStratifiedKFold, cross_validate_tasks

        data = self._validate_fit(X, y)
        n_folds = self.cv if isinstance(self.cv, numbers.Integral) else None
        if n_folds is None and hasattr(self.cv, "get_n_splits"):
            n_folds = self.cv.get_n_splits()
        sizes = data.task_sizes
        if n_folds is not None and sizes.min() < n_folds:
            t = int(np.argmin(sizes))
            raise ValueError(
                f"Task {np.asarray(data.tasks[t]).tolist()!r} has "
                f"n_samples={sizes[t]} labelled sample(s), fewer than the "
                f"{n_folds} folds of cv: every task must be in every fold. Use "
                "fewer folds or drop the task."
            )
        if not hasattr(X, "iloc"):  # array-likes, indexed by the folds below
            X = np.asarray(X)
        y = np.asarray(y) if not hasattr(y, "iloc") else y
        candidates = self._candidates()
        # the same shuffled folds for every candidate (rows of real data are
        # often ordered: unshuffled folds would test extrapolation)
        cv = self.cv
        if isinstance(cv, numbers.Integral):
            cv = TaskStratifiedKFold(
                cv,
                task_column=self.task_column,
                shuffle=True,
                random_state=self.random_state,
            )
        splits = list(cv.split(X, y)) if hasattr(cv, "split") else list(cv)
        start = time.perf_counter()
        names, means, stds, times, fold_scores = [], [], [], [], []
        T = data.n_tasks
        for k, (name, est) in enumerate(candidates.items()):
            names.append(name)
            spent = time.perf_counter() - start
            if self.time_budget is not None and k > 0 and spent > self.time_budget:
                means.append(np.nan)
                stds.append(np.nan)
                times.append(np.nan)
                fold_scores.append(np.full((len(splits), T), np.nan))
                if self.verbose:
                    print(f"[auto] {name}: skipped (time budget spent)")
                continue
            t0 = time.perf_counter()
            res = cross_validate_tasks(
                est, X, y, cv=splits, scoring="r2_tasks", n_jobs=self.n_jobs
            )
            # all-NaN scores are an error in cross_validate_tasks itself
            S = res.scores["r2_tasks"]  # (n_folds, n_tasks)
            per_fold = np.nanmean(S, axis=1)
            means.append(float(np.nanmean(per_fold)))
            stds.append(float(np.nanstd(per_fold)))
            times.append(time.perf_counter() - t0)
            fold_scores.append(S)
            if self.verbose:
                print(
                    f"[auto] {name}: mean R^2 {means[-1]:.4f} "
                    f"(+/- {stds[-1]:.4f}) in {times[-1]:.1f} s"
                )
        means = np.asarray(means)
        order = np.argsort(-np.where(np.isnan(means), -np.inf, means), kind="stable")
        rank = np.zeros(len(names), dtype=int)
        evaluated = ~np.isnan(means)
        rank[order[: evaluated.sum()]] = np.arange(1, evaluated.sum() + 1)
        fold_scores = np.stack(fold_scores)  # (n_candidates, n_folds, n_tasks)
        with warnings.catch_warnings():  # a task without test labels in a fold
            warnings.simplefilter("ignore", RuntimeWarning)
            task_scores = np.nanmean(fold_scores, axis=1)
        self.leaderboard_ = {
            "name": names,
            "mean_score": means,
            "std_score": np.asarray(stds),
            "fit_time": np.asarray(times),
            "rank": rank,
            "task_scores": task_scores,
            "fold_task_scores": fold_scores,
            "tasks": data.tasks,
        }
        self.tasks_ = data.tasks
        self.n_tasks_ = T
        self._layout = data.layout
        per_task = self.per_task
        self.selection_scores_ = _selection_scores(fold_scores)
        if per_task == "auto":
            sel = self.selection_scores_
            per_task = bool(sel["per task"] > sel["all tasks"])
            if self.verbose:
                print(
                    f"[auto] choice cross-validated: one family {sel['all tasks']:.4f}"
                    f", per task {sel['per task']:.4f}: "
                    + ("per task" if per_task else "one family")
                )
        self.per_task_ = per_task
        if per_task:
            unscored = np.all(np.isnan(task_scores), axis=0)
            if unscored.any():
                bad = np.asarray(data.tasks)[unscored][:10].tolist()
                raise ValueError(
                    f"Task(s) {bad} have no test label in any fold, so no family "
                    "can be chosen for them: use folds cut within every task "
                    "(an int cv) or drop those tasks."
                )
            filled = np.where(np.isnan(task_scores), -np.inf, task_scores)
            winners = np.argmax(filled, axis=0)
            self.task_winners_ = [names[i] for i in winners]
        else:
            self.best_name_ = names[int(order[0])]
            self.task_winners_ = [self.best_name_] * T
        self.estimators_ = {}
        for name in dict.fromkeys(self.task_winners_):
            self.estimators_[name] = clone(candidates[name]).fit(X, y)
        if not per_task:
            self.best_estimator_ = self.estimators_[self.best_name_]
        return self

    def _predict_codes(self, X):
        """Each task's predictions from its family (X validated once)."""
        check_is_fitted(self)
        _, codes = self._validate_predict(X)
        preds = {name: est.predict(X) for name, est in self.estimators_.items()}
        if len(preds) == 1:
            return next(iter(preds.values())), codes
        if codes is None:
            out = np.empty((len(next(iter(preds.values()))), self.n_tasks_))
            for t, name in enumerate(self.task_winners_):
                out[:, t] = preds[name][:, t]
            return out, None
        out = np.empty(len(codes))
        for t, name in enumerate(self.task_winners_):
            rows = codes == t
            out[rows] = preds[name][rows]
        return out, codes
