"""A datafit applied to the sum of several stacked parts of the weights."""

import numpy as np

__all__ = ["SumOfParts"]


class SumOfParts:
    r"""``f(W_1 + ... + W_K)`` as a function of the stacked ``[W_1; ...; W_K]``.

    Decomposed models (the dirty model ``W = B + S``) keep their parts stacked
    in one variable ``V`` of shape (K n_features, n_tasks), so each part gets
    its own penalty on its own rows (see
    :class:`~skmtl.linear.penalties.StackedPenalty`) and every solver works
    unchanged. The gradient of each part is the gradient of ``f`` at the sum,
    the Lipschitz constant is ``K`` times that of ``f`` and the Gram matrix of
    a set of stacked rows is the base Gram on their features.

    Parameters
    ----------
    datafit : datafit object
        Initialised base datafit (e.g. :class:`Quadratic`).
    n_parts : int, default=2
        Number of stacked parts.
    """

    def __init__(self, datafit, n_parts=2):
        self.datafit = datafit
        self.n_parts = n_parts

    @property
    def n_features(self):
        return self.datafit.n_features

    def combine(self, V):
        """The model's weights ``W = sum of the parts``."""
        d = self.n_features
        return V.reshape(self.n_parts, d, -1).sum(axis=0)

    def _stack(self, G):
        return np.concatenate([G] * self.n_parts, axis=0)

    def value(self, V):
        return self.datafit.value(self.combine(V))

    def gradient(self, V):
        return self._stack(self.datafit.gradient(self.combine(V)))

    def value_and_gradient(self, V):
        val, grad = self.datafit.value_and_gradient(self.combine(V))
        return val, self._stack(grad)

    def value_and_gradient_fast(self, V):
        inner = getattr(
            self.datafit, "value_and_gradient_fast", self.datafit.value_and_gradient
        )
        val, grad = inner(self.combine(V))
        return val, self._stack(grad)

    def hessian_apply(self, V):
        return self._stack(self.datafit.hessian_apply(self.combine(V)))

    @property
    def is_quadratic(self):
        return bool(getattr(self.datafit, "is_quadratic", False))

    @property
    def lipschitz(self):
        return self.n_parts * self.datafit.lipschitz

    @property
    def b0(self):
        """``-gradient(0)`` of the base datafit, shape (n_features, n_tasks)."""
        return self.datafit.b0

    @property
    def value0(self):
        return self.datafit.value0

    @property
    def n_design_rows(self):
        return getattr(self.datafit, "n_design_rows", None)

    def design_columns(self, rows):
        """The base datafit's ``design_columns`` on the rows' features."""
        return self.datafit.design_columns(np.asarray(rows) % self.n_features)

    def gram(self, rows):
        """Gram blocks on stacked ``rows`` (each row maps to its feature)."""
        feats = np.asarray(rows) % self.n_features
        unique, inverse = np.unique(feats, return_inverse=True)
        G, B = self.datafit.gram(unique)
        G = G[..., inverse][..., inverse, :]
        return G, B[inverse]

    def intercept(self, V):
        return self.datafit.intercept(self.combine(V))

    def cvxpy_objective(self, V):
        d = self.n_features
        W = V[:d]
        for k in range(1, self.n_parts):
            W = W + V[k * d : (k + 1) * d]
        return self.datafit.cvxpy_objective(W)
