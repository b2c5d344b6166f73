"""Relative multi-task gain over single-task baselines (Delta_m)."""

import numpy as np

__all__ = ["delta_m"]


def delta_m(scores, baseline_scores, higher_is_better):
    r"""Average relative gain of a multi-task model over its baselines, in %.

    With ``M_k`` the multi-task model's score and ``B_k`` the baseline's on
    entry ``k`` (a task, or a (task, metric) pair) of ``K`` entries,

    .. math::

        \Delta_m = \frac{100}{K} \sum_{k=1}^{K} s_k \frac{M_k - B_k}{|B_k|},
        \qquad s_k = +1 \text{ if higher is better for entry } k, -1
        \text{ otherwise}

    (Maninis, Radosavovic and Kokkinos, CVPR 2019; Vandenhende et al., TPAMI
    2021). **Positive means the multi-task model is better**, whatever the
    direction of each metric. The denominator is ``|B_k|``, so negated losses
    (scikit-learn's ``neg_*`` scores with ``higher_is_better=True``) give the
    same value as the losses themselves with ``higher_is_better=False``.

    Parameters
    ----------
    scores : array-like of shape (n_entries,)
        Scores of the multi-task model (e.g. per-task test MSE).
    baseline_scores : array-like of shape (n_entries,)
        Scores of the single-task baselines on the same entries.
    higher_is_better : bool or array-like of bool of shape (n_entries,)
        Direction of each entry's metric (one bool for all entries).

    Returns
    -------
    delta : float
        The relative gain in percent.

    Examples
    --------
    >>> from skmtl.metrics import delta_m
    >>> # MSE 1.0 vs 2.0 on task 1 (50% better), 3.0 vs 2.0 on task 2 (50% worse)
    >>> delta_m([1.0, 3.0], [2.0, 2.0], higher_is_better=False)
    0.0
    >>> delta_m([1.0, 1.5], [2.0, 2.0], higher_is_better=False)
    37.5
    """
    m = np.asarray(scores, dtype=float).ravel()
    b = np.asarray(baseline_scores, dtype=float).ravel()
    if m.shape != b.shape:
        raise ValueError(
            f"scores and baseline_scores have different shapes: {m.shape} and "
            f"{b.shape}; give one score per task (or task and metric) for both."
        )
    if m.size == 0:
        raise ValueError("delta_m needs at least one score.")
    hib = np.asarray(higher_is_better, dtype=bool)
    if hib.ndim == 0:
        hib = np.full(m.shape, bool(hib))
    elif hib.shape != m.shape:
        raise ValueError(
            f"higher_is_better has shape {hib.shape}; give one bool or one per "
            f"score ({m.shape})."
        )
    if not (np.all(np.isfinite(m)) and np.all(np.isfinite(b))):
        raise ValueError("delta_m needs finite scores; got NaN or inf.")
    if np.any(b == 0):
        raise ValueError(
            "A baseline score is 0, so the relative gain is undefined; use a "
            "metric that is not 0 for the baseline (e.g. an error rather than R^2)."
        )
    sign = np.where(hib, 1.0, -1.0)
    return float(100.0 * np.mean(sign * (m - b) / np.abs(b)))
