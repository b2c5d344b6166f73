"""Plots of a fitted Pareto front and of its hypervolume history."""

import numpy as np

__all__ = ["plot_pareto_front"]


def plot_pareto_front(front, *, task_names=None, axes=None):
    """Draw the front (2 or 3 tasks) and the hypervolume curve.

    Parameters
    ----------
    front : ParetoFrontRegressor
        A fitted front.
    task_names : list of str, default=None
        Axis labels (default: the fitted task ids).
    axes : sequence of two matplotlib Axes, default=None
        Where to draw; new figure if None (the first axis is 3-D for three
        tasks).

    Returns
    -------
    axes : list of matplotlib Axes
        The front's axis and the hypervolume's axis.
    """
    import matplotlib.pyplot as plt

    F, mask = front.front_, front.pareto_mask_
    T = F.shape[1]
    if T not in (2, 3):
        raise ValueError(f"plot_pareto_front draws 2 or 3 tasks; the front has {T}.")
    names = task_names or [f"task {t}" for t in front.tasks_]
    if axes is None:
        fig = plt.figure(figsize=(10, 4))
        ax0 = fig.add_subplot(1, 2, 1, projection="3d" if T == 3 else None)
        ax1 = fig.add_subplot(1, 2, 2)
        axes = [ax0, ax1]
    ax0, ax1 = axes
    colors = front.preferences_[:, 0]
    if T == 2:
        order = np.argsort(F[:, 0])
        ax0.plot(F[order, 0], F[order, 1], color="0.7", zorder=1)
        ax0.scatter(
            F[mask, 0],
            F[mask, 1],
            c=colors[mask],
            cmap="viridis",
            zorder=2,
            label="non-dominated",
        )
        if (~mask).any():
            ax0.scatter(
                F[~mask, 0], F[~mask, 1], marker="x", color="red", label="dominated"
            )
    else:
        ax0.scatter(F[mask, 0], F[mask, 1], F[mask, 2], c=colors[mask], cmap="viridis")
        ax0.set_zlabel(f"{names[2]} loss")
    ax0.set_xlabel(f"{names[0]} loss (normalised)")
    ax0.set_ylabel(f"{names[1]} loss (normalised)")
    ax0.set_title("Pareto front (validation)")
    ax1.plot(np.arange(len(front.hypervolume_)), front.hypervolume_)
    ax1.set_xlabel("iteration")
    ax1.set_ylabel("hypervolume (training)")
    ax1.set_title("Convergence")
    return [ax0, ax1]
