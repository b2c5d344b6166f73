"""Synthetic multi-task problems with known ground truth."""

import numbers

import numpy as np
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

__all__ = ["make_multitask_classification", "make_multitask_regression"]

_STRUCTURES = {"shared_support", "low_rank", "clustered", "graph", "independent"}


def _true_coef(structure, n_features, n_tasks, n_informative, rank, n_clusters, rng):
    """Draw W of shape (n_tasks, n_features) and the structure behind it."""
    d, T = n_features, n_tasks
    k = min(n_informative, d)
    truth = Bunch(support=None, components=None, task_clusters=None, graph=None)
    if structure == "shared_support":
        support = np.sort(rng.choice(d, size=k, replace=False))
        W = np.zeros((T, d))
        W[:, support] = rng.standard_normal((T, k))
        truth.support = support
    elif structure == "independent":
        W = np.zeros((T, d))
        for t in range(T):
            W[t, rng.choice(d, size=k, replace=False)] = rng.standard_normal(k)
    elif structure == "low_rank":
        r = min(rank, d, T)
        B, _ = np.linalg.qr(rng.standard_normal((d, r)))
        A = rng.standard_normal((T, r)) * np.sqrt(d / r)
        W = A @ B.T
        truth.components = B.T
    elif structure == "clustered":
        c = min(n_clusters, T)
        centers = rng.standard_normal((c, d))
        # every cluster gets at least one task, the rest at random
        labels = np.concatenate([np.arange(c), rng.randint(0, c, size=T - c)])
        rng.shuffle(labels)
        W = centers[labels] + 0.1 * rng.standard_normal((T, d))
        truth.task_clusters = labels
    else:  # graph: tasks on a chain, neighbours have close weights
        W = np.empty((T, d))
        W[0] = rng.standard_normal(d)
        for t in range(1, T):
            W[t] = W[t - 1] + 0.2 * rng.standard_normal(d)
        A = np.zeros((T, T))
        idx = np.arange(T - 1)
        A[idx, idx + 1] = A[idx + 1, idx] = 1.0
        truth.graph = A
    return W, truth


@validate_params(
    {
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_features": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_tasks": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_informative": [Interval(numbers.Integral, 1, None, closed="left")],
        "structure": [StrOptions(_STRUCTURES)],
        "rank": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "noise": [Interval(numbers.Real, 0, None, closed="left")],
        "bias": [numbers.Real],
        "samples_per_task": [
            None,
            "array-like",
            Interval(numbers.Integral, 1, None, closed="left"),
        ],
        "missing_labels": [Interval(numbers.Real, 0, 1, closed="left")],
        "random_state": ["random_state"],
        "return_coef": ["boolean"],
        "return_truth": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_multitask_regression(
    n_samples=100,
    n_features=20,
    n_tasks=5,
    *,
    n_informative=5,
    structure="shared_support",
    rank=2,
    n_clusters=2,
    noise=1.0,
    bias=0.0,
    samples_per_task=None,
    missing_labels=0.0,
    random_state=None,
    return_coef=False,
    return_truth=False,
):
    """Generate a multi-task regression problem with known ground truth.

    Targets are ``y_t = X w_t + bias + noise * e`` with Gaussian ``X`` and
    ``e``; the task weights ``W`` (n_tasks, n_features) have the structure each
    family of skmtl estimators is built for:

    - ``'shared_support'``: the same ``n_informative`` features are active in
      every task (group lasso, dirty models).
    - ``'independent'``: each task has its own random ``n_informative`` features.
    - ``'low_rank'``: ``W = A B^T`` of rank ``rank`` with orthonormal ``B`` of
      shape (n_features, rank) (trace norm, shared representations).
    - ``'clustered'``: ``n_clusters`` centres, each task a centre plus small
      noise (clustered MTL).
    - ``'graph'``: tasks on a chain, each a small step from the previous one
      (task-graph regularisation).

    Parameters
    ----------
    n_samples : int, default=100
        Samples of the shared design (wide layout). Ignored when
        ``samples_per_task`` is given.
    n_features : int, default=20
        Number of features.
    n_tasks : int, default=5
        Number of tasks.
    n_informative : int, default=5
        Active features (for ``'shared_support'`` and ``'independent'``).
    structure : {'shared_support', 'low_rank', 'clustered', 'graph', \
            'independent'}, default='shared_support'
        Structure of the true weights.
    rank : int, default=2
        Rank of ``W`` for ``'low_rank'``.
    n_clusters : int, default=2
        Number of task clusters for ``'clustered'``.
    noise : float, default=1.0
        Standard deviation of the Gaussian noise.
    bias : float, default=0.0
        Intercept added to every target.
    samples_per_task : int or array-like of shape (n_tasks,), default=None
        If given, each task draws its own samples (long layout): ``X`` gets the
        task id as its **last** column (use ``task_column=-1``) and ``y`` is
        1-D.
    missing_labels : float in [0, 1), default=0.0
        Wide layout only: fraction of the cells of ``Y`` set to ``NaN`` (each
        task keeps at least two labels).
    random_state : int, RandomState instance or None, default=None
        Seed.
    return_coef : bool, default=False
        If True, also return the true ``coef`` of shape (n_tasks, n_features).
    return_truth : bool, default=False
        If True, also return a Bunch with ``coef``, ``support`` (shared
        support), ``components`` (orthonormal basis of shape (rank,
        n_features)), ``task_clusters`` and ``graph`` (task adjacency), each
        ``None`` where the structure has none.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features) or (sum(samples_per_task), \
            n_features + 1)
        Inputs (long layout: task id last).
    y : ndarray of shape (n_samples, n_tasks) or (sum(samples_per_task),)
        Targets.
    coef : ndarray of shape (n_tasks, n_features)
        True weights, if ``return_coef``.
    truth : Bunch
        Ground truth, if ``return_truth``.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> X, Y = make_multitask_regression(50, 10, 3, random_state=0)
    >>> X.shape, Y.shape
    ((50, 10), (50, 3))
    >>> X, y = make_multitask_regression(n_features=10, n_tasks=3,
    ...                                  samples_per_task=[5, 8, 13], random_state=0)
    >>> X.shape, y.shape
    ((26, 11), (26,))
    """
    rng = check_random_state(random_state)
    W, truth = _true_coef(
        structure, n_features, n_tasks, n_informative, rank, n_clusters, rng
    )
    truth.coef = W
    if samples_per_task is None:
        X = rng.standard_normal((n_samples, n_features))
        Y = X @ W.T + bias + noise * rng.standard_normal((n_samples, n_tasks))
        if missing_labels > 0:
            Y = _drop_labels(Y, missing_labels, rng)
        y = Y
    else:
        if missing_labels > 0:
            raise ValueError(
                "missing_labels applies to the wide layout; in the long layout a "
                "missing label is simply an absent row."
            )
        sizes = np.broadcast_to(np.asarray(samples_per_task), (n_tasks,))
        if np.any(sizes < 1) or sizes.dtype.kind not in "iu":
            raise ValueError(
                "samples_per_task must be positive integers (one per task)."
            )
        task = np.repeat(np.arange(n_tasks), sizes)
        Xf = rng.standard_normal((len(task), n_features))
        y = np.einsum("ij,ij->i", Xf, W[task]) + bias
        y += noise * rng.standard_normal(len(task))
        X = np.column_stack([Xf, task.astype(float)])
    out = (X, y)
    if return_coef:
        out += (W,)
    if return_truth:
        out += (truth,)
    return out


def _drop_labels(Y, fraction, rng):
    Y = Y.copy()
    n, T = Y.shape
    drop = rng.random_sample((n, T)) < fraction
    for t in range(T):  # keep at least two labels per task
        keep = rng.choice(n, size=min(2, n), replace=False)
        drop[keep, t] = False
    Y[drop] = np.nan
    return Y


def make_multitask_classification(
    n_samples=100,
    n_features=20,
    n_tasks=5,
    *,
    n_informative=5,
    structure="shared_support",
    rank=2,
    n_clusters=2,
    noise=0.5,
    samples_per_task=None,
    missing_labels=0.0,
    random_state=None,
    return_coef=False,
    return_truth=False,
):
    """Generate binary multi-task classification with known ground truth.

    The tasks' weights are drawn as in :func:`make_multitask_regression`; the
    label of task ``t`` is ``1`` when ``x^T w_t + noise * e > 0`` and ``0``
    otherwise, with ``e`` standard Gaussian, so ``noise`` controls how
    separable the classes are.

    Parameters
    ----------
    n_samples : int, default=100
        Samples of the shared design (wide layout).
    n_features : int, default=20
        Number of features.
    n_tasks : int, default=5
        Number of tasks.
    n_informative : int, default=5
        Active features (for ``'shared_support'`` and ``'independent'``).
    structure : {'shared_support', 'low_rank', 'clustered', 'graph', \
            'independent'}, default='shared_support'
        Structure of the true weights.
    rank : int, default=2
        Rank for ``'low_rank'``.
    n_clusters : int, default=2
        Number of task clusters for ``'clustered'``.
    noise : float, default=0.5
        Standard deviation of the noise added to the logits.
    samples_per_task : int or array-like of shape (n_tasks,), default=None
        Long layout: samples of each task, task id as the last column of ``X``.
    missing_labels : float in [0, 1), default=0.0
        Wide layout: fraction of label cells set to ``NaN``.
    random_state : int, RandomState instance or None, default=None
        Seed.
    return_coef : bool, default=False
        If True, also return the true ``coef`` (n_tasks, n_features).
    return_truth : bool, default=False
        If True, also return the ground-truth Bunch.

    Returns
    -------
    X : ndarray
        Inputs (long layout: task id last).
    y : ndarray
        Labels in {0, 1} (float with ``NaN`` where missing, wide layout).
    coef : ndarray of shape (n_tasks, n_features)
        True weights, if ``return_coef``.
    truth : Bunch
        Ground truth, if ``return_truth``.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_classification
    >>> X, Y = make_multitask_classification(60, 8, 2, random_state=0)
    >>> sorted(set(Y.ravel().tolist()))
    [0.0, 1.0]
    """
    out = make_multitask_regression(
        n_samples,
        n_features,
        n_tasks,
        n_informative=n_informative,
        structure=structure,
        rank=rank,
        n_clusters=n_clusters,
        noise=noise,
        samples_per_task=samples_per_task,
        missing_labels=missing_labels,
        random_state=random_state,
        return_coef=return_coef,
        return_truth=return_truth,
    )
    y = out[1]
    labels = np.where(np.isnan(y), np.nan, (y > 0).astype(float))
    return (out[0], labels) + tuple(out[2:])
