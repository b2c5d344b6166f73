"""One penalty per stacked part of the weights."""

import numpy as np

from ._base import BasePenalty

__all__ = ["StackedPenalty"]


class StackedPenalty(BasePenalty):
    r"""``Omega(V) = sum_k Omega_k(V_k)`` over the stacked parts of ``V``.

    ``V`` has shape (K n_features, n_tasks): rows ``k d .. (k+1) d - 1`` are
    part ``k`` and go to penalty ``k``. With :class:`SumOfParts` this gives
    decomposed models such as the dirty model (L2,1 on one part, L1 on the
    other). Every method is the parts' methods side by side, so the stacked
    penalty supports exactly what all its parts support.

    Parameters
    ----------
    penalties : list of penalty objects
        One per part, in stacking order.
    n_features : int, default=None
        Rows per part (default: an equal split of the rows).
    parts : ndarray of shape (n_rows,), default=None
        Part of each row; ``None`` means equal consecutive blocks. Set by
        :meth:`restrict` (working sets hold rows of several parts).
    """

    def __init__(self, penalties, n_features=None, parts=None):
        self.penalties = list(penalties)
        self.n_features = n_features
        self.parts = parts

    def _labels(self, n_rows):
        if self.parts is not None:
            return self.parts
        d = self.n_features or n_rows // len(self.penalties)
        return np.arange(n_rows) // d

    def restrict(self, rows):
        """The same penalty on a subset of the rows (for working sets)."""
        rows = np.asarray(rows)
        if self.parts is not None:
            labels = self.parts[rows]
        elif self.n_features is None:
            raise ValueError(
                "StackedPenalty needs n_features (rows per part) to be restricted "
                "to a working set."
            )
        else:
            labels = rows // self.n_features
        return StackedPenalty(self.penalties, self.n_features, parts=labels)

    def _split(self, V):
        labels = self._labels(V.shape[0])
        return [labels == k for k in range(len(self.penalties))]

    def _apply(self, fn, V, *others):
        out = None
        for k, mask in enumerate(self._split(V)):
            res = fn(self.penalties[k], V[mask], *(o[mask] for o in others))
            if out is None:
                out = np.empty((V.shape[0],) + np.shape(res)[1:])
            out[mask] = res
        return out

    def value(self, V):
        masks = self._split(V)
        return sum(p.value(V[m]) for p, m in zip(self.penalties, masks, strict=True))

    def prox(self, V, step):
        return self._apply(lambda p, v: p.prox(v, step), V)

    def subdiff_distance(self, V, grad):
        return self._apply(lambda p, v, g: p.subdiff_distance(v, g), V, grad)

    def dual_scale(self, U):
        masks = self._split(U)
        return min(
            p.dual_scale(U[m]) if m.any() else 1.0
            for p, m in zip(self.penalties, masks, strict=True)
        )

    def conjugate(self, U):
        masks = self._split(U)
        return sum(
            p.conjugate(U[m]) if m.any() else 0.0
            for p, m in zip(self.penalties, masks, strict=True)
        )

    def row_prox_kind(self):
        """Per-row ``(kinds, a1, a2)`` from the parts' row proxes, or None.

        Known only once restricted to a working set (``parts`` set); None too
        when some part has no compiled row prox.
        """
        if self.parts is None:
            return None
        specs = [getattr(p, "row_prox_kind", lambda: None)() for p in self.penalties]
        if any(spec is None for spec in specs):
            return None
        labels = np.asarray(self.parts)
        return tuple(np.array([spec[i] for spec in specs])[labels] for i in range(3))

    def cvxpy(self, V):
        labels = self._labels(V.shape[0])
        terms = [
            p.cvxpy(V[np.flatnonzero(labels == k)])
            for k, p in enumerate(self.penalties)
        ]
        out = terms[0]
        for term in terms[1:]:
            out = out + term
        return out
