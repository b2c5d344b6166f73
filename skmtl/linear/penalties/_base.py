"""The penalty interface shared by every solver."""

__all__ = ["BasePenalty"]


class BasePenalty:
    """Interface of a penalty Omega(W) on W of shape (n_features, n_tasks).

    A penalty provides:

    - ``value(W)``: the penalty's value (``alpha`` included);
    - ``prox(W, step)``: ``argmin_Z 1/(2 step) ||Z - W||_F^2 + Omega(Z)``;
    - ``subdiff_distance(W, grad)``: the distance of ``-grad`` to the
      subdifferential of Omega at W, per coordinate group (an ndarray whose max
      is the optimality violation; zero at a solution);
    - ``alpha_max(grad0)`` (when it exists): the smallest ``alpha`` for which
      ``W = 0`` is optimal, from the datafit's gradient at zero;
    - ``cvxpy(W)``: the same penalty as a cvxpy expression (the reference);
    - ``dual_scale(V)`` and ``conjugate(V)`` (optional): the largest
      ``s <= 1`` with ``s V`` in the domain of the Fenchel conjugate, and the
      conjugate's value there; with them any least-squares solver can report
      a duality gap (:func:`skmtl.linear.solvers.duality_gap`), which the
      working-set solver needs;
    - ``restrict(rows)`` (optional): the penalty on a subset of rows, for
      penalties whose rows differ (stacked parts); row-homogeneous penalties
      need not define it.

    Solvers declare the methods they need and check them with
    :func:`check_penalty_methods`, so a new penalty works with every solver
    whose needs it meets, without touching the solver.
    """

    def value(self, W):
        raise NotImplementedError

    def prox(self, W, step):
        raise NotImplementedError

    def subdiff_distance(self, W, grad):
        raise NotImplementedError

    def cvxpy(self, W):
        raise NotImplementedError


def check_penalty_methods(penalty, methods, solver):
    """Raise a precise error if ``penalty`` lacks what ``solver`` needs.

    Parameters
    ----------
    penalty : object
        The penalty to check.
    methods : tuple of str
        Method names the solver calls.
    solver : str
        Solver name, for the message.
    """
    missing = []
    for name in methods:
        impl = getattr(type(penalty), name, None)
        if impl is None or impl is getattr(BasePenalty, name, None):
            missing.append(name)
    if missing:
        raise AttributeError(
            f"The {solver} solver needs the penalty to implement "
            f"{', '.join(missing)}; {type(penalty).__name__} does not. Use a "
            "solver whose needs it meets (e.g. solver='cvxpy')."
        )
