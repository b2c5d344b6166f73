"""Does sharing help? A multi-task model against per-task baselines."""

import numpy as np
from scipy import stats
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from ..metrics import delta_m
from ..metrics._scorer import _unwrap
from ._validation import _check_scorers, _resolve_splits, cross_validate_tasks

__all__ = ["MultiTaskComparison", "compare_to_single_task"]


class MultiTaskComparison:
    """Result of :func:`compare_to_single_task`.

    Parameters
    ----------
    **kwargs : dict
        The attributes below (built by :func:`compare_to_single_task`).

    Attributes
    ----------
    scoring : str
        Name of the scorer (greater is better).
    greater_is_better : bool
        Direction of the underlying metric (False for a loss scored as
        ``neg_*``).
    tasks : ndarray of shape (n_tasks,)
        Task ids.
    scores : ndarray of shape (n_folds, n_tasks)
        Scores of the multi-task model.
    baseline_scores : ndarray of shape (n_folds, n_tasks)
        Scores of the baseline on the same folds.
    differences : ndarray of shape (n_folds, n_tasks)
        ``scores - baseline_scores``: positive = the multi-task model is
        better.
    per_task_difference : ndarray of shape (n_tasks,)
        Mean of ``differences`` over folds.
    test : {'wilcoxon', 'ttest'}
        Paired test over all (fold, task) pairs.
    statistic, pvalue : float
        Result of the two-sided paired test.
    n_pairs : int
        Number of (fold, task) pairs tested.
    delta_m : float
        Relative gain in % of the multi-task model over the baseline, averaged
        over tasks (see :func:`skmtl.metrics.delta_m`; positive = better),
        computed on the per-task metric averaged over folds.
    cv_results : dict
        The :func:`cross_validate_tasks` results of the model and the
        baseline (keys ``'model'`` and ``'baseline'``).
    """

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    @property
    def n_better(self):
        """Number of tasks where the multi-task model is better on average."""
        return int(np.sum(self.per_task_difference > 0))

    @property
    def n_worse(self):
        """Number of tasks where the baseline is better on average."""
        return int(np.sum(self.per_task_difference < 0))

    def summary(self):
        """A readable summary.

        Returns
        -------
        text : str
            Several lines: scores, per-task differences, test, Delta_m.
        """
        sign = "" if self.greater_is_better else " (negated loss)"
        m = np.nanmean(self.scores)
        b = np.nanmean(self.baseline_scores)
        d = self.per_task_difference
        lines = [
            f"Multi-task model vs single-task baseline, {self.scoring}{sign}",
            f"  {len(self.tasks)} tasks x {self.scores.shape[0]} folds",
            f"  mean score: model {m:.4g}, baseline {b:.4g}, "
            f"difference {m - b:+.4g} (positive = sharing helps)",
            f"  per-task mean difference: median {np.nanmedian(d):+.4g}, "
            f"better on {self.n_better} tasks, worse on {self.n_worse}",
            f"  paired {self.test} test over {self.n_pairs} (fold, task) pairs: "
            f"statistic {self.statistic:.4g}, p-value {self.pvalue:.3g}",
            f"  Delta_m = {self.delta_m:+.2f} % (relative gain over the baseline)",
        ]
        return "\n".join(lines)

    def __repr__(self):
        return self.summary()

    def to_frame(self):
        """Per-(fold, task) scores as a pandas DataFrame.

        Returns
        -------
        frame : pandas.DataFrame
            Columns fold, task, model, baseline, difference.
        """
        import pandas as pd

        n_folds, n_tasks = self.scores.shape
        return pd.DataFrame(
            {
                "fold": np.repeat(np.arange(n_folds), n_tasks),
                "task": np.tile(self.tasks, n_folds),
                "model": self.scores.ravel(),
                "baseline": self.baseline_scores.ravel(),
                "difference": self.differences.ravel(),
            }
        )

    def plot(self, ax=None):
        """Plot the per-task differences (see :func:`plot_task_differences`).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure by default.

        Returns
        -------
        ax : matplotlib Axes
            The axes drawn on.
        """
        from ._plot import plot_task_differences

        return plot_task_differences(self, ax=ax)


def _default_baseline(estimator):
    from ..linear import PerTaskRidge

    _, final = _unwrap(estimator)
    base = PerTaskRidge(task_column=getattr(final, "task_column", None))
    if isinstance(estimator, Pipeline):
        pipe = clone(estimator)
        pipe.steps[-1] = (pipe.steps[-1][0], base)
        return pipe
    return base


def _as_multitask(baseline, estimator):
    """A plain scikit-learn model (or Pipeline/search of one) as a per-task
    model with the estimator's ``task_column``; skmtl models unchanged."""
    from sklearn.base import is_classifier

    from ..meta import PerTaskClassifier, PerTaskRegressor

    _, final = _unwrap(baseline)
    if "task_column" in final.get_params(deep=False):
        return baseline
    _, model = _unwrap(estimator)
    task_column = getattr(model, "task_column", None)
    wrapper = PerTaskClassifier if is_classifier(final) else PerTaskRegressor
    return wrapper(baseline, task_column=task_column)


def compare_to_single_task(
    estimator,
    X,
    y,
    *,
    baseline=None,
    cv=5,
    scoring="neg_mse_tasks",
    test="wilcoxon",
    groups=None,
    task_column=None,
    n_jobs=None,
):
    """Does sharing help? Compare a multi-task model to per-task baselines.

    Fits ``estimator`` and ``baseline`` on the same folds, scores every task
    on its own test rows, and reports the per-task differences, a paired test
    over all (fold, task) pairs, and the relative gain Delta_m.

    Parameters
    ----------
    estimator : estimator or Pipeline
        The multi-task model.
    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
        Inputs, with the task column for long data.
    y : array-like of shape (n_samples, n_tasks) or (n_samples,)
        Wide targets with ``NaN`` for missing labels, or long targets.
    baseline : estimator or Pipeline, default=None
        The single-task baseline. Default:
        :class:`~skmtl.linear.PerTaskRidge` with the estimator's
        ``task_column`` (replacing the last step of a Pipeline, so it gets the
        same preprocessing) and its default ``alpha=1.0``; pass a tuned
        baseline (e.g. a ``GridSearchCV``) for a fair comparison. A plain
        scikit-learn model (``HistGradientBoostingRegressor()``, a Pipeline or
        a ``GridSearchCV`` of one) is fitted per task, through
        :class:`~skmtl.meta.PerTaskRegressor` (or ``PerTaskClassifier``) with
        the estimator's ``task_column``.
    cv : int, CV splitter or iterable, default=5
        As in :func:`cross_validate_tasks`; the splits are made once and used
        for both models.
    scoring : str or MultiTaskScorer, default='neg_mse_tasks'
        One skmtl scorer. Delta_m uses the underlying metric (the loss for
        ``neg_*`` scorers), so prefer a metric that cannot be 0 or change sign
        (an error rather than R^2).
    test : {'wilcoxon', 'ttest'}, default='wilcoxon'
        Two-sided paired test over the (fold, task) pairs:
        :func:`scipy.stats.wilcoxon` or :func:`scipy.stats.ttest_rel`. Pairs
        are not independent (tasks share folds), so read the p-value as a
        guide, not an exact level.
    groups : array-like of shape (n_samples,), default=None
        Passed to ``cv.split``.
    task_column : int, str or None, default=None
        Where the task ids are in the raw ``X``, for the splitter (see
        :func:`cross_validate_tasks`).
    n_jobs : int, default=None
        Number of folds run in parallel.

    Returns
    -------
    result : MultiTaskComparison
        Per-task scores and differences, the test, Delta_m; printing it gives a
        summary.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import PooledRidge
    >>> from skmtl.model_selection import compare_to_single_task
    >>> X, y = make_multitask_regression(
    ...     n_features=5, n_tasks=6, samples_per_task=20, noise=2.0, random_state=0)
    >>> res = compare_to_single_task(PooledRidge(task_column=-1), X, y, cv=3)
    >>> res.differences.shape
    (3, 6)
    """
    if test not in ("wilcoxon", "ttest"):
        raise ValueError(f"test={test!r} must be 'wilcoxon' or 'ttest'.")
    scorers = _check_scorers(scoring)
    if len(scorers) != 1:
        raise ValueError("compare_to_single_task takes one scorer.")
    ((name, scorer),) = scorers.items()
    if baseline is None:
        baseline = _default_baseline(estimator)
    baseline = _as_multitask(baseline, estimator)
    splits = _resolve_splits(estimator, X, y, cv, groups, task_column)
    res_m = cross_validate_tasks(
        estimator, X, y, cv=splits, scoring={name: scorer}, n_jobs=n_jobs
    )
    res_b = cross_validate_tasks(
        baseline, X, y, cv=splits, scoring={name: scorer}, n_jobs=n_jobs
    )
    if not np.array_equal(res_m.tasks, res_b.tasks):
        raise ValueError(
            "The model and the baseline were scored on different tasks; check "
            "that both use the same task_column."
        )
    S_m, S_b = res_m.scores[name], res_b.scores[name]
    diff = S_m - S_b
    pairs = ~np.isnan(diff)
    a, b = S_m[pairs], S_b[pairs]
    if a.size < 2:
        raise ValueError("The paired test needs at least 2 (fold, task) pairs.")
    if test == "wilcoxon":
        outcome = stats.wilcoxon(a, b)
    else:
        outcome = stats.ttest_rel(a, b)
    sign = 1.0 if scorer.greater_is_better else -1.0
    raw_m = sign * np.nanmean(S_m, axis=0)
    raw_b = sign * np.nanmean(S_b, axis=0)
    keep = ~(np.isnan(raw_m) | np.isnan(raw_b))
    return MultiTaskComparison(
        scoring=name,
        greater_is_better=scorer.greater_is_better,
        tasks=res_m.tasks,
        scores=S_m,
        baseline_scores=S_b,
        differences=diff,
        per_task_difference=np.nanmean(diff, axis=0),
        test=test,
        statistic=float(outcome.statistic),
        pvalue=float(outcome.pvalue),
        n_pairs=int(a.size),
        delta_m=delta_m(raw_m[keep], raw_b[keep], scorer.greater_is_better),
        cv_results={"model": res_m, "baseline": res_b},
    )
