"""Automatic choice among model families by task-aware cross-validation."""

import numbers
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.exceptions import FitFailedWarning
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


def _fold_means(scores, failed):
    """Each candidate's mean score on every task over folds: the one rule.

    ``scores[c, k, t]``: candidate ``c``'s score on task ``t`` in fold ``k``
    (NaN where the task has no test label in the fold: not counted);
    ``failed[c, k]``: the fit failed and the fold counts with its score,
    ``error_score`` (NaN makes the mean NaN, as in ``GridSearchCV``). A
    candidate that failed on every fold, or was skipped, has no score (NaN).
    """
    counted = ~np.isnan(scores) | failed[:, :, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counted, scores, 0.0).sum(axis=1) / counted.sum(axis=1)
    means[failed.all(axis=1)] = np.nan
    return means


def _choose(scores, failed):
    """The choices made from fold scores (see :func:`_fold_means`).

    Returns ``by_task`` (n_candidates, n_tasks), ``overall`` (mean over
    tasks), ``one`` (the best family) and ``each`` (n_tasks,): every task's
    best family; -1 where no candidate has a score.
    """
    by_task = _fold_means(scores, failed)
    with warnings.catch_warnings():  # candidates without a score
        warnings.simplefilter("ignore", RuntimeWarning)
        overall = np.nanmean(by_task, axis=1)
    none = np.isnan(overall).all()
    one = -1 if none else int(np.argmax(np.where(np.isnan(overall), -np.inf, overall)))
    each = np.argmax(np.where(np.isnan(by_task), -np.inf, by_task), axis=0)
    each[np.all(np.isnan(by_task), axis=0)] = -1
    return by_task, overall, one, each


def _held_out(test, failed, chosen):
    """Mean over tasks of the chosen candidates' scores on a held-out fold."""
    values = test[chosen, np.arange(test.shape[1])]
    counted = ~np.isnan(values) | failed[chosen]
    return float(values[counted].mean()) if counted.any() else np.nan


def _selection_scores(fold_scores, failed):
    """Held-out score of choosing one family and of choosing per task.

    ``fold_scores[c, k, t]`` and ``failed[c, k]`` as in :func:`_fold_means`.
    For every fold, both choices are made on the other folds and scored on
    it (a chosen candidate that failed there scores ``error_score``); returns
    the means over tasks and over the folds where both are defined (NaN with
    one fold).
    """
    n_folds, T = fold_scores.shape[1:]
    held = np.full((2, n_folds), np.nan)
    for k in range(n_folds if n_folds > 1 else 0):
        rest = np.delete(fold_scores, k, axis=1), np.delete(failed, k, axis=1)
        _, _, one, each = _choose(*rest)
        if one < 0:
            continue
        # a task never scored on the other folds follows the overall winner
        each[each < 0] = one
        test = fold_scores[:, k, :], failed[:, k]
        held[0, k] = _held_out(*test, np.full(T, one))
        held[1, k] = _held_out(*test, each)
    both = ~np.isnan(held).any(axis=0)
    if not both.any():
        return {"all tasks": np.nan, "per task": np.nan}
    return {
        "all tasks": float(held[0, both].mean()),
        "per task": float(held[1, both].mean()),
    }


def _fit_errors(errors):
    """``'Type: message (fold(s) [k, ...])'`` for every distinct error."""
    folds = {}
    for k, error in enumerate(errors):
        if error is not None:
            folds.setdefault(error, []).append(k)
    return "; ".join(f"{e} (fold(s) {ks})" for e, ks in folds.items())


def _no_score_error(tasks, board, failed, error_score):
    """The ValueError when ``tasks`` have no candidate with a score."""
    if not failed.any():
        return ValueError(
            f"Task(s) {tasks} have no test label in any fold, so no family "
            "can be chosen for them: use folds cut within every task "
            "(an int cv) or drop those tasks."
        )
    lines = []
    for c, name in enumerate(board["name"]):
        if failed[c].any():
            n = f"{failed[c].sum()} of {failed.shape[1]}"
            lines.append(f"{name!r} failed on {n} folds: {board['error'][c]}")
        elif np.isnan(board["fit_time"][c]):
            lines.append(f"{name!r} was skipped (time budget spent)")
    return ValueError(
        f"No candidate has a cross-validated score for task(s) {tasks}: "
        + "; ".join(lines)
        + f". With error_score={error_score!r} a failed fold leaves a candidate "
        "without a mean score. Fix the failing candidates, add one that fits, "
        "or pass error_score='raise' to see the traceback."
    )


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
        ``leaderboard_``); candidates are evaluated until one has a score.
    task_column : int, str or None, default=None
        ``None`` for wide data; otherwise the task-id column of ``X``.
    n_jobs : int, default=None
        Folds run in parallel.
    random_state : int or None, default=None
        Seed of the default candidates.
    verbose : int, default=0
        Print each candidate's score and time when positive.
    error_score : 'raise' or numeric, default=np.nan
        Value to assign to the scores of a candidate on a fold where its fit
        raises an error. If set to 'raise', the error is raised. If a numeric
        value is given, a :class:`~sklearn.exceptions.FitFailedWarning` names
        the candidate, the folds and the errors, and the failures are listed
        in ``leaderboard_``. As in :class:`~sklearn.model_selection.GridSearchCV`,
        with NaN a failed fold leaves the candidate without a mean score, so it
        is not chosen; a number enters the means. A candidate that failed on
        every fold is never chosen, and a task that no candidate scores is an
        error. This parameter does not affect the final fit of the chosen
        candidate(s) on all the data, which raises an error naming it.

    Attributes
    ----------
    leaderboard_ : dict
        ``name`` (list), ``mean_score`` (mean over tasks of ``task_scores``),
        ``std_score`` (over folds of the mean over tasks), ``fit_time``
        (seconds, all folds), ``rank`` (1 is best; candidates without a score,
        skipped or failed, have NaN scores and rank 0), ``n_failed_folds``
        (folds where the fit raised), ``error`` (list: None, or the errors as
        ``'Type: message (fold(s) [...])'``), ``task_scores`` (n_candidates,
        n_tasks: mean over folds), ``fold_task_scores`` (n_candidates,
        n_folds, n_tasks; ``error_score`` where the fit failed), ``tasks``.
    per_task_ : bool
        Whether every task got its own winner (``per_task`` resolved).
    selection_scores_ : dict
        ``{"all tasks": s, "per task": s}``: the mean held-out score of each
        way of choosing, cross-validated over the folds (see Notes; folds
        where either is undefined are left out); NaN with a single fold.
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

    One rule makes every choice, the final ones and those inside the
    cross-validated choice: a candidate's score on a task is the mean over
    the folds where the task has test labels, a failed fold counting with
    ``error_score``. A candidate that raises (a diverging network, a solver
    error) is thus dropped with a warning instead of stopping the search,
    while a search in which no candidate scores some task raises a
    ``ValueError`` listing the candidates and their errors.

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
        "error_score": [StrOptions({"raise"}), numbers.Real],
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
        error_score=np.nan,
    ):
        self.candidates = candidates
        self.cv = cv
        self.per_task = per_task
        self.time_budget = time_budget
        self.task_column = task_column
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.error_score = error_score

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
        from ..model_selection import TaskStratifiedKFold
        from ..model_selection._validation import (
            _check_scorers,
            _check_scores,
            _run_folds,
        )

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
        splits = cv.split(X, y) if hasattr(cv, "split") else cv
        splits = [(np.asarray(tr), np.asarray(te)) for tr, te in splits]
        scorers = _check_scorers("r2_tasks")
        names = list(candidates)
        K, T = len(splits), data.n_tasks
        fold_scores = np.full((len(names), K, T), np.nan)
        failed = np.zeros((len(names), K), dtype=bool)
        times = np.full(len(names), np.nan)
        errors = [None] * len(names)
        nan_score = not isinstance(self.error_score, str) and np.isnan(self.error_score)
        start = time.perf_counter()
        for c, (name, est) in enumerate(candidates.items()):
            spent = time.perf_counter() - start
            scored = np.isfinite(_fold_means(fold_scores[:c], failed[:c])).any()
            if self.time_budget is not None and scored and spent > self.time_budget:
                if self.verbose:
                    print(f"[auto] {name}: skipped (time budget spent)")
                continue
            t0 = time.perf_counter()
            res = _run_folds(
                est, X, y, splits, scorers, self.n_jobs, False, self.error_score
            )
            times[c] = time.perf_counter() - t0
            S = res.scores["r2_tasks"]  # (n_folds, n_tasks)
            failed[c] = [e is not None for e in res.fit_error]
            if not failed[c].all():  # all-NaN scores of the fits: an error
                _check_scores({"r2_tasks": S[~failed[c]]}, est)
            fold_scores[c] = S if S.size else self.error_score
            if failed[c].any():
                errors[c] = _fit_errors(res.fit_error)
                warnings.warn(
                    f"Candidate {name!r} failed to fit on {failed[c].sum()} of {K} "
                    f"folds: {errors[c]}. Its scores on those folds are "
                    f"error_score={self.error_score!r}"
                    + (" (no mean score: not chosen)" if nan_score else "")
                    + ". Pass error_score='raise' to see the traceback.",
                    FitFailedWarning,
                    stacklevel=3,
                )
            if self.verbose:
                what = (
                    f"failed on {failed[c].sum()} fold(s)"
                    if failed[c].any()
                    else f"mean R^2 {np.nanmean(S):.4f}"
                )
                print(f"[auto] {name}: {what} in {times[c]:.1f} s")
        task_scores, means, one, each = _choose(fold_scores, failed)
        order = np.argsort(-np.where(np.isnan(means), -np.inf, means), kind="stable")
        rank = np.zeros(len(names), dtype=int)
        ranked = ~np.isnan(means)
        rank[order[: ranked.sum()]] = np.arange(1, ranked.sum() + 1)
        with warnings.catch_warnings():  # no score in a fold / at all
            warnings.simplefilter("ignore", RuntimeWarning)
            stds = np.nanstd(np.nanmean(fold_scores, axis=2), axis=1)
        board = {
            "name": names,
            "mean_score": means,
            "std_score": np.where(ranked, stds, np.nan),
            "fit_time": times,
            "rank": rank,
            "n_failed_folds": failed.sum(axis=1),
            "error": errors,
            "task_scores": task_scores,
            "fold_task_scores": fold_scores,
            "tasks": data.tasks,
        }
        if (each < 0).any():
            tasks = np.asarray(data.tasks)[each < 0][:10].tolist()
            raise _no_score_error(tasks, board, failed, self.error_score)
        sel = _selection_scores(fold_scores, failed)
        per_task = self.per_task
        if per_task == "auto":
            per_task = bool(sel["per task"] > sel["all tasks"])
            if self.verbose:
                print(
                    f"[auto] choice cross-validated: one family {sel['all tasks']:.4f}"
                    f", per task {sel['per task']:.4f}: "
                    + ("per task" if per_task else "one family")
                )
        winners = [names[i] for i in each] if per_task else [names[one]] * T
        estimators = {}
        for name in dict.fromkeys(winners):
            try:
                estimators[name] = clone(candidates[name]).fit(X, y)
            except Exception as exc:
                n_ok = K - failed[names.index(name)].sum()
                raise ValueError(
                    f"The chosen candidate {name!r} failed to fit on all the data "
                    f"({type(exc).__name__}: {exc}) after fitting on {n_ok} of {K} "
                    "cross-validation folds: no model is returned. Fix the "
                    "candidate or leave it out of candidates."
                ) from exc
        self.leaderboard_ = board
        self.selection_scores_ = sel
        self.per_task_ = per_task
        self.task_winners_ = winners
        self.estimators_ = estimators
        if not per_task:
            self.best_name_ = names[one]
            self.best_estimator_ = estimators[self.best_name_]
        self.tasks_ = data.tasks
        self.n_tasks_ = T
        self._layout = data.layout
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
