"""Plots for multi-task model selection (matplotlib, imported lazily)."""

import numpy as np
from sklearn.utils import Bunch

from ..utils import import_optional
from ._similarity import task_similarity

__all__ = ["plot_task_differences", "plot_task_similarity", "task_order"]


def task_order(similarity, method="average"):
    """Order tasks by hierarchical clustering of a similarity matrix.

    Uses :func:`scipy.cluster.hierarchy.linkage` on the distances
    ``1 - similarity`` with optimal leaf ordering, so similar tasks end up
    next to each other.

    Parameters
    ----------
    similarity : array-like of shape (n_tasks, n_tasks)
        Symmetric similarity matrix with values in [-1, 1].
    method : str, default='average'
        Linkage method of :func:`scipy.cluster.hierarchy.linkage`.

    Returns
    -------
    order : ndarray of shape (n_tasks,)
        Permutation of the tasks.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.model_selection import task_order
    >>> S = np.array([[1.0, 0.0, 0.9], [0.0, 1.0, 0.1], [0.9, 0.1, 1.0]])
    >>> task_order(S).tolist()
    [1, 2, 0]
    """
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    S = np.asarray(similarity, dtype=float)
    if S.ndim != 2 or S.shape[0] != S.shape[1]:
        raise ValueError(f"similarity must be square; got shape {S.shape}.")
    if S.shape[0] < 3:
        return np.arange(S.shape[0])
    D = np.clip(1.0 - (S + S.T) / 2, 0.0, None)
    np.fill_diagonal(D, 0.0)
    Z = linkage(squareform(D, checks=False), method=method, optimal_ordering=True)
    return leaves_list(Z)


def plot_task_similarity(
    estimator_or_coef=None,
    *,
    similarity=None,
    metric="cosine",
    task_names=None,
    order="cluster",
    method="average",
    ax=None,
    cmap="RdBu_r",
):
    """Heatmap of the tasks' similarity, tasks ordered by clustering.

    Parameters
    ----------
    estimator_or_coef : fitted estimator or array-like, default=None
        Model with ``coef_`` or weights (n_tasks, n_features); see
        :func:`task_similarity`. Not needed when ``similarity`` is given.
    similarity : array-like of shape (n_tasks, n_tasks), default=None
        A precomputed similarity matrix.
    metric : {'cosine', 'correlation'}, default='cosine'
        Similarity measure when it is computed here.
    task_names : array-like of shape (n_tasks,), default=None
        Tick labels; default the estimator's ``tasks_`` or ``0 .. n_tasks-1``.
    order : {'cluster'}, array-like or None, default='cluster'
        ``'cluster'``: hierarchical clustering (:func:`task_order`); an array:
        that permutation; None: the given order.
    method : str, default='average'
        Linkage method for ``order='cluster'``.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure by default.
    cmap : str, default='RdBu_r'
        Colormap (centred on 0, limits -1 and 1).

    Returns
    -------
    display : Bunch
        ``ax``, ``figure``, ``image``, ``order`` (the task permutation) and
        ``similarity`` (in the plotted order).
    """
    plt = import_optional("matplotlib.pyplot", "dev")
    if similarity is None:
        if estimator_or_coef is None:
            raise ValueError("Give a fitted estimator, coefficients or similarity=.")
        similarity = task_similarity(estimator_or_coef, metric=metric)
    S = np.asarray(similarity, dtype=float)
    T = S.shape[0]
    if task_names is None:
        from ..metrics._scorer import _unwrap

        names = None
        if estimator_or_coef is not None and hasattr(estimator_or_coef, "fit"):
            names = getattr(_unwrap(estimator_or_coef)[1], "tasks_", None)
        task_names = np.arange(T) if names is None else np.asarray(names)
    task_names = np.asarray(task_names)
    if isinstance(order, str):
        if order != "cluster":
            raise ValueError(f"order={order!r} must be 'cluster', an array or None.")
        perm = task_order(S, method=method)
    elif order is None:
        perm = np.arange(T)
    else:
        perm = np.asarray(order)
    S = S[np.ix_(perm, perm)]
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5))
    image = ax.imshow(S, cmap=cmap, vmin=-1, vmax=1, interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label=f"{metric} similarity")
    if T <= 40:
        ax.set_xticks(np.arange(T), [str(n) for n in task_names[perm]], rotation=90)
        ax.set_yticks(np.arange(T), [str(n) for n in task_names[perm]])
    ax.set_xlabel("task")
    ax.set_ylabel("task")
    ax.set_title(
        "Task similarity (clustered order)" if order == "cluster" else "Task similarity"
    )
    return Bunch(ax=ax, figure=ax.figure, image=image, order=perm, similarity=S)


def plot_task_differences(result, ax=None):
    """Per-task score differences of a :func:`compare_to_single_task` result.

    Draws each task's mean difference (model minus baseline, positive = the
    multi-task model is better) over folds, sorted, with the range over folds.

    Parameters
    ----------
    result : MultiTaskComparison
        Output of :func:`compare_to_single_task`.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure by default.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.
    """
    plt = import_optional("matplotlib.pyplot", "dev")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    d = result.per_task_difference
    order = np.argsort(d)
    lo = np.nanmin(result.differences, axis=0)[order]
    hi = np.nanmax(result.differences, axis=0)[order]
    x = np.arange(len(d))
    colors = np.where(d[order] > 0, "tab:green", "tab:red")
    ax.vlines(x, lo, hi, color="0.75", linewidth=1, label="range over folds")
    ax.scatter(x, d[order], c=colors, s=12, zorder=3, label="mean over folds")
    ax.axhline(0.0, color="k", linewidth=0.8)
    ax.set_xlabel("task (sorted by mean difference)")
    ax.set_ylabel(f"{result.scoring}: model - baseline")
    ax.set_title(
        f"Sharing helps on {result.n_better} of {len(d)} tasks\n"
        f"Delta_m = {result.delta_m:+.1f} %, p = {result.pvalue:.2g} ({result.test})"
    )
    ax.legend(loc="upper left", fontsize="small")
    return ax
