"""Multi-objective helpers: preference vectors, non-domination, hypervolume."""

import itertools

import numpy as np

__all__ = [
    "hypervolume",
    "pareto_mask",
    "simplex_lattice",
    "transfer_weights",
    "uniform_preferences",
]


def simplex_lattice(n_tasks, n_partitions):
    """Das-Dennis lattice: every weight vector with entries k / n_partitions.

    Parameters
    ----------
    n_tasks : int
        Dimension of the simplex.
    n_partitions : int
        Number of divisions of each axis.

    Returns
    -------
    points : ndarray of shape (comb(n_partitions + n_tasks - 1, n_tasks - 1), \
            n_tasks)
        Points of the simplex (rows sum to one).
    """
    points = []
    for cut in itertools.combinations(range(n_partitions + n_tasks - 1), n_tasks - 1):
        bounds = (-1,) + cut + (n_partitions + n_tasks - 1,)
        points.append([bounds[i + 1] - bounds[i] - 1 for i in range(n_tasks)])
    return np.asarray(points, dtype=float) / n_partitions


def uniform_preferences(n_preferences, n_tasks, random_state=None):
    """``n_preferences`` weight vectors spread uniformly over the simplex.

    The largest Das-Dennis lattice with at most ``n_preferences`` points, then,
    if points are missing, the remaining points are drawn by farthest-point
    sampling from a dense random sample of the simplex. Deterministic for a
    given ``random_state``.

    Parameters
    ----------
    n_preferences : int
        Number of vectors.
    n_tasks : int
        Number of tasks.
    random_state : int or None, default=None
        Seed of the fill-in sample.

    Returns
    -------
    preferences : ndarray of shape (n_preferences, n_tasks)
        Rows on the simplex; for two tasks, the evenly spaced grid.
    """
    if n_tasks == 1:
        return np.ones((n_preferences, 1))
    p = 1
    while len(simplex_lattice(n_tasks, p + 1)) <= n_preferences:
        p += 1
    points = simplex_lattice(n_tasks, p)
    missing = n_preferences - len(points)
    if missing > 0:
        rng = np.random.default_rng(random_state)
        pool = rng.dirichlet(np.ones(n_tasks), size=2000)
        chosen = list(points)
        dist = np.min(np.linalg.norm(pool[:, None, :] - points[None], axis=2), axis=1)
        for _ in range(missing):
            k = int(np.argmax(dist))
            chosen.append(pool[k])
            dist = np.minimum(dist, np.linalg.norm(pool - pool[k], axis=1))
        points = np.asarray(chosen)
    return points[:n_preferences]


def pareto_mask(F):
    """Mask of the non-dominated rows of ``F`` (minimisation).

    Parameters
    ----------
    F : array-like of shape (n_points, n_objectives)
        Objective values.

    Returns
    -------
    mask : ndarray of shape (n_points,)
        True for the rows no other row dominates (no worse everywhere and
        better somewhere).
    """
    F = np.asarray(F, dtype=float)
    le = np.all(F[:, None, :] <= F[None, :, :], axis=2)
    lt = np.any(F[:, None, :] < F[None, :, :], axis=2)
    dominates = le & lt  # dominates[i, j]: i dominates j
    return ~dominates.any(axis=0)


def hypervolume(F, ref_point):
    """Volume dominated by the points ``F`` and bounded by ``ref_point``.

    Exact, by slicing along the last objective (fine for the few tasks and
    tens of points of a Pareto front).

    Parameters
    ----------
    F : array-like of shape (n_points, n_objectives)
        Objective values (minimisation).
    ref_point : array-like of shape (n_objectives,)
        Reference point; points not strictly better in every objective add
        nothing.

    Returns
    -------
    volume : float
        The hypervolume.

    Examples
    --------
    >>> from skmtl.pareto import hypervolume
    >>> hypervolume([[0.2, 0.6], [0.5, 0.3]], ref_point=[1.0, 1.0])
    0.47
    """
    F = np.asarray(F, dtype=float)
    ref = np.asarray(ref_point, dtype=float)
    F = F[np.all(F < ref, axis=1)]
    if len(F) == 0:
        return 0.0
    return float(round(_hv(F, ref), 12))


def _hv(F, ref):
    if F.shape[1] == 1:
        return float(ref[0] - F[:, 0].min())
    order = np.argsort(F[:, -1])
    F = F[order]
    volume = 0.0
    for i in range(len(F)):
        upper = F[i + 1, -1] if i + 1 < len(F) else ref[-1]
        height = upper - F[i, -1]
        if height > 0:
            volume += height * _hv(F[: i + 1, :-1], ref[:-1])
    return volume


def transfer_weights(gram, neighbours):
    """MT2O transfer weights between subproblems from their gradients' Gram.

    Subproblem ``k`` borrows from its neighbours ``j`` (the subproblems with
    the closest preference vectors) in proportion to the similarity
    ``c_kj = cos+ / (1 + cos+)``, where ``cos+`` is the positive part of the
    cosine between the gradients of the two subproblems' objectives (the
    similarity of multi-task gradient descent, Bai et al., 2020); the
    weights of a row are normalised to sum to one, and a row is zero when no
    neighbour's gradient points the same way.

    Parameters
    ----------
    gram : ndarray of shape (n_subproblems, n_subproblems)
        Inner products of the subproblems' gradients.
    neighbours : ndarray of int of shape (n_subproblems, n_neighbours)
        Candidate sources of each subproblem.

    Returns
    -------
    weights : ndarray of shape (n_subproblems, n_subproblems)
        Row ``k``: the mixing weights of subproblem ``k``'s transfer
        (non-negative, summing to one, or all zero: no transfer).
    """
    gram = np.asarray(gram, dtype=float)
    K = len(gram)
    norms = np.sqrt(np.clip(np.diag(gram), 0, None))
    weights = np.zeros((K, K))
    for k in range(K):
        nb = np.asarray(neighbours[k], dtype=int)
        if len(nb) == 0 or norms[k] == 0:
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            cos = np.where(norms[nb] > 0, gram[k, nb] / (norms[k] * norms[nb]), 0.0)
        cos = np.clip(cos, 0.0, 1.0)
        c = cos / (1.0 + cos)
        if c.sum() > 0:
            weights[k, nb] = c / c.sum()
    return weights
