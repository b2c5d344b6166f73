"""Task relatedness from fitted per-task weights."""

import numpy as np

from ..metrics._scorer import _unwrap

__all__ = ["task_similarity"]


def _coef(estimator_or_coef):
    if hasattr(estimator_or_coef, "fit") or hasattr(estimator_or_coef, "steps"):
        _, final = _unwrap(estimator_or_coef)
        coef = getattr(final, "coef_", None)
        if coef is None:
            raise ValueError(
                f"{type(final).__name__} has no coef_: fit it first, or pass a "
                "coefficient matrix of shape (n_tasks, n_features)."
            )
    else:
        coef = estimator_or_coef
    coef = np.asarray(coef, dtype=float)
    if coef.ndim != 2:
        raise ValueError(
            f"Coefficients must be 2-D (n_tasks, n_features); got shape {coef.shape}."
        )
    if not np.all(np.isfinite(coef)):
        raise ValueError("The coefficients contain NaN or inf.")
    return coef


def task_similarity(estimator_or_coef, metric="cosine"):
    """Similarity of the tasks' weight vectors, a (n_tasks, n_tasks) matrix.

    With ``w_s`` and ``w_t`` the rows of ``coef_`` (tasks):

    * ``'cosine'``: ``w_s . w_t / (||w_s|| ||w_t||)``;
    * ``'correlation'``: the same after removing each row's mean over the
      features (Pearson correlation between the weight vectors).

    Values are in [-1, 1], 1 on the diagonal. A task with an all-zero (or, for
    ``'correlation'``, constant) weight vector has similarity 0 with every
    other task.

    Parameters
    ----------
    estimator_or_coef : fitted estimator, Pipeline or array-like of shape \
            (n_tasks, n_features)
        A fitted model with ``coef_`` of shape (n_tasks, n_features) (the last
        step of a Pipeline, or a search's ``best_estimator_``), or the weights
        themselves.
    metric : {'cosine', 'correlation'}, default='cosine'
        Similarity measure.

    Returns
    -------
    similarity : ndarray of shape (n_tasks, n_tasks)
        Symmetric similarity matrix.

    See Also
    --------
    plot_task_similarity : heatmap with tasks ordered by clustering.

    Examples
    --------
    >>> from skmtl.model_selection import task_similarity
    >>> task_similarity([[1.0, 0.0], [1.0, 1.0], [0.0, -2.0]]).round(3)
    array([[ 1.   ,  0.707,  0.   ],
           [ 0.707,  1.   , -0.707],
           [ 0.   , -0.707,  1.   ]])
    """
    if metric not in ("cosine", "correlation"):
        raise ValueError(f"metric={metric!r} must be 'cosine' or 'correlation'.")
    W = _coef(estimator_or_coef)
    if metric == "correlation":
        W = W - W.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(W, axis=1)
    scale = np.max(np.abs(W)) if W.size else 0.0
    zero = norms <= 1e-12 * max(scale, 1e-300) * np.sqrt(W.shape[1])
    safe = np.where(zero, 1.0, norms)
    U = W / safe[:, None]
    U[zero] = 0.0
    S = np.clip(U @ U.T, -1.0, 1.0)
    np.fill_diagonal(S, 1.0)
    return S
