"""What the linear and the neural members of a Pareto front share."""

__all__ = ["FrontMemberMixin"]


class FrontMemberMixin:
    """A member of a Pareto front: created fitted by the front, never refitted.

    Parameters
    ----------
    preference : ndarray of shape (n_tasks,), default=None
        The member's preference vector.
    task_column : int, str or None, default=None
        Task column of the data the front was fitted on.
    """

    def __init__(self, preference=None, task_column=None):
        self.preference = preference
        self.task_column = task_column

    def fit(self, X, y):
        """Not supported: members are fitted by :class:`ParetoFrontRegressor`.

        Parameters
        ----------
        X : object
            Ignored.
        y : object
            Ignored.

        Returns
        -------
        self : object
            Never returns.
        """
        raise NotImplementedError(
            "A Pareto member is fitted by ParetoFrontRegressor; refit the front."
        )
